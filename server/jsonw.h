/*
 * jsonw.h - a small JSON text writer for the hot read paths (trial lists):
 * appends straight to a growing buffer (util/buf.h), no tree of objects. Numbers are
 * written in their shortest form that reads back to the same double.
 */
#ifndef BOGRAPH_SERVER_JSONW_H
#define BOGRAPH_SERVER_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"

typedef struct {
    buf b;           /* the text so far; b.failed: out of memory, the text is incomplete */
} jsonw;

void jsonw_init(jsonw *w);
void jsonw_free(jsonw *w);
/* Appends n bytes as they are. */
void jsonw_raw(jsonw *w, const char *s, size_t n);
/* Appends a NUL-terminated literal as it is ("{", "\"key\":", "null"). */
void jsonw_lit(jsonw *w, const char *s);
/* Appends a quoted, escaped string. */
void jsonw_str(jsonw *w, const char *s);
void jsonw_strn(jsonw *w, const char *s, size_t n);
/* Appends a finite double (shortest round-trip form, always with a '.' or
 * an exponent); non-finite values become null. */
void jsonw_double(jsonw *w, double v);
void jsonw_int(jsonw *w, int64_t v);
/* Appends a jansson value (objects keep their key order; reals in their
 * shortest round-trip form, unlike json_dumps' 17 digits). */
void jsonw_value(jsonw *w, const json_t *v);
/* A jansson value as compact text in the same form (malloc'd, NULL when out
 * of memory); *len (may be NULL) gets its length. */
char *jsonw_dumps(const json_t *v, size_t *len);
/* Hands over the text (NUL-terminated, malloc'd) and its length; NULL when
 * out of memory. The writer is left empty. */
char *jsonw_finish(jsonw *w, size_t *len);

#endif
