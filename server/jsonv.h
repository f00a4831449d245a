/*
 * jsonv.h - JSON request validation: parsing a body, type-checked field
 * getters that name the offending field ("parameters[2].high"), rejection
 * of unknown fields, and the API's error object.
 */
#ifndef BOGRAPH_SERVER_JSONV_H
#define BOGRAPH_SERVER_JSONV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* An API error: HTTP status, machine code, message, offending field. */
typedef struct {
    int status;
    const char *code;        /* "invalid_argument", "not_found", ... (static) */
    char message[512];
    char field[256];         /* "" when no single field is at fault */
} jv_error;

/* Fills e and returns -1. field may be NULL. */
int jv_fail(jv_error *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 400 invalid_argument. */
int jv_invalid(jv_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"error": {"code", "message", "field"?}}; new reference. */
json_t *jv_error_json(const jv_error *e);

/* Parses a request body that must be a JSON object (an empty body gives an
 * empty object when allow_empty). Rejects duplicate keys, NaN/Infinity
 * (not JSON) and numbers out of the double/int64 range. */
int jv_parse_object(const char *body, size_t len, int allow_empty, json_t **out, jv_error *e);

/* "prefix.key" (or "key" when prefix is empty) into buf. */
const char *jv_field(char *buf, size_t len, const char *prefix, const char *key);

/* Rejects keys of obj not in allowed (NULL-terminated). */
int jv_only_keys(json_t *obj, const char *const *allowed, const char *prefix, jv_error *e);

/* Getters: a missing (or null) optional field leaves *out untouched and
 * returns 0; *present (may be NULL) says whether it was there. */
int jv_get_string(json_t *obj, const char *key, const char *prefix, int required, int nonempty,
                  const char **out, int *present, jv_error *e);
int jv_get_number(json_t *obj, const char *key, const char *prefix, int required, double *out,
                  int *present, jv_error *e);
int jv_get_int(json_t *obj, const char *key, const char *prefix, int required, int64_t min,
               int64_t max, int64_t *out, int *present, jv_error *e);
int jv_get_bool(json_t *obj, const char *key, const char *prefix, int required, int *out,
                int *present, jv_error *e);

/* A JSON number as a finite double; 0 when it is one. */
int jv_number_value(json_t *v, double *out);
/* 1 when v is a number with an integral value in [-2^53, 2^53]. */
int jv_is_integral(json_t *v);

/* Compact JSON with sorted keys (canonical for comparisons); malloc'd. */
char *jv_dump_canonical(json_t *v);

#endif
