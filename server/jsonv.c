/*
 * jsonv.c - request parsing and field validation with precise error fields.
 */
#include "server/jsonv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_field(jv_error *e, const char *field)
{
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
}

int jv_fail(jv_error *e, int status, const char *code, const char *field, const char *fmt, ...)
{
    e->status = status;
    e->code = code;
    set_field(e, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

int jv_invalid(jv_error *e, const char *field, const char *fmt, ...)
{
    e->status = 400;
    e->code = "invalid_argument";
    set_field(e, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

json_t *jv_error_json(const jv_error *e)
{
    json_t *inner = json_pack("{s:s, s:s}", "code", e->code ? e->code : "internal", "message",
                              e->message);
    if (!inner)
        return NULL;
    if (e->field[0])
        json_object_set_new(inner, "field", json_string(e->field));
    return json_pack("{s:o}", "error", inner);
}

int jv_parse_object(const char *body, size_t len, int allow_empty, json_t **out, jv_error *e)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i == len) {
        if (allow_empty) {
            *out = json_object();
            return 0;
        }
        return jv_invalid(e, NULL, "the request needs a JSON object body");
    }
    json_error_t jerr;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return jv_invalid(e, NULL, "malformed JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return jv_invalid(e, NULL, "the body must be a JSON object");
    }
    *out = v;
    return 0;
}

const char *jv_field(char *buf, size_t len, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(buf, len, "%s.%s", prefix, key);
    else
        snprintf(buf, len, "%s", key);
    return buf;
}

int jv_only_keys(json_t *obj, const char *const *allowed, const char *prefix, jv_error *e)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                ok = 1;
                break;
            }
        }
        if (!ok) {
            char f[256];
            return jv_invalid(e, jv_field(f, sizeof f, prefix, key), "unknown field '%s'", key);
        }
    }
    return 0;
}

/* Common head of the getters: the value or NULL (missing/null). */
static int lookup(json_t *obj, const char *key, const char *prefix, int required, json_t **v,
                  int *present, char *f, size_t flen, jv_error *e)
{
    jv_field(f, flen, prefix, key);
    *v = json_object_get(obj, key);
    if (*v && json_is_null(*v))
        *v = NULL;
    if (present)
        *present = *v != NULL;
    if (!*v && required)
        return jv_invalid(e, f, "%s is required", f);
    return 0;
}

int jv_get_string(json_t *obj, const char *key, const char *prefix, int required, int nonempty,
                  const char **out, int *present, jv_error *e)
{
    char f[256];
    json_t *v;
    if (lookup(obj, key, prefix, required, &v, present, f, sizeof f, e) != 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return jv_invalid(e, f, "%s must be a string", f);
    if (nonempty && json_string_length(v) == 0)
        return jv_invalid(e, f, "%s must not be empty", f);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return jv_invalid(e, f, "%s must not contain NUL characters", f);
    *out = json_string_value(v);
    return 0;
}

int jv_number_value(json_t *v, double *out)
{
    if (!json_is_number(v))
        return -1;
    double d = json_number_value(v);
    if (!isfinite(d))
        return -1;
    *out = d;
    return 0;
}

int jv_is_integral(json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i >= -9007199254740992LL && i <= 9007199254740992LL;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return isfinite(d) && floor(d) == d && fabs(d) <= 9007199254740992.0;
    }
    return 0;
}

int jv_get_number(json_t *obj, const char *key, const char *prefix, int required, double *out,
                  int *present, jv_error *e)
{
    char f[256];
    json_t *v;
    if (lookup(obj, key, prefix, required, &v, present, f, sizeof f, e) != 0)
        return -1;
    if (!v)
        return 0;
    if (jv_number_value(v, out) != 0)
        return jv_invalid(e, f, "%s must be a finite number", f);
    return 0;
}

int jv_get_int(json_t *obj, const char *key, const char *prefix, int required, int64_t min,
               int64_t max, int64_t *out, int *present, jv_error *e)
{
    char f[256];
    json_t *v;
    if (lookup(obj, key, prefix, required, &v, present, f, sizeof f, e) != 0)
        return -1;
    if (!v)
        return 0;
    if (!jv_is_integral(v))
        return jv_invalid(e, f, "%s must be an integer", f);
    int64_t i = json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)json_real_value(v);
    if (i < min || i > max)
        return jv_invalid(e, f, "%s must be between %lld and %lld", f, (long long)min,
                          (long long)max);
    *out = i;
    return 0;
}

int jv_get_bool(json_t *obj, const char *key, const char *prefix, int required, int *out,
                int *present, jv_error *e)
{
    char f[256];
    json_t *v;
    if (lookup(obj, key, prefix, required, &v, present, f, sizeof f, e) != 0)
        return -1;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return jv_invalid(e, f, "%s must be true or false", f);
    *out = json_is_true(v);
    return 0;
}

char *jv_dump_canonical(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
}
