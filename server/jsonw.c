/*
 * jsonw.c - appending JSON text to a buffer.
 */
#include "server/jsonw.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(jsonw *w)
{
    assert(w);
    buf_init(&w->b);
}

void jsonw_free(jsonw *w)
{
    buf_free(&w->b);
}

/* A first reservation of 4096 bytes: trial lists are rarely smaller. */
static int reserve(jsonw *w, size_t extra)
{
    if (w->b.cap == 0 && !w->b.failed && buf_reserve(&w->b, 4095) != 0)
        return -1;
    return buf_reserve(&w->b, extra);
}

void jsonw_raw(jsonw *w, const char *s, size_t n)
{
    if (reserve(w, n) != 0)
        return;
    buf_append(&w->b, s, n);
}

void jsonw_lit(jsonw *w, const char *s)
{
    jsonw_raw(w, s, strlen(s));
}

void jsonw_strn(jsonw *w, const char *s, size_t n)
{
    assert(w && (s || n == 0));
    static const char hex[] = "0123456789abcdef";
    /* worst case: every byte becomes \u00XX */
    if (reserve(w, n * 6 + 2) != 0)
        return;
    char *o = w->b.data + w->b.len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
            *o++ = (char)ch;
        } else if (ch >= 0x20 && ch != 0x7f) {
            *o++ = (char)ch;
        } else if (ch == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (ch == '\t') {
            *o++ = '\\';
            *o++ = 't';
        } else if (ch == '\r') {
            *o++ = '\\';
            *o++ = 'r';
        } else {
            *o++ = '\\';
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o++ = '"';
    w->b.len = (size_t)(o - w->b.data);
    w->b.data[w->b.len] = '\0';
}

void jsonw_str(jsonw *w, const char *s)
{
    jsonw_strn(w, s, strlen(s));
}

void jsonw_double(jsonw *w, double v)
{
    if (!isfinite(v)) {
        jsonw_lit(w, "null");
        return;
    }
    char tmp[40];
    int n = 0;
    if (v == floor(v) && fabs(v) < 1e15) {
        /* integral values, common in metrics: no printf */
        jsonw_int(w, (int64_t)v);
        jsonw_raw(w, ".0", 2);
        return;
    }
    /* %.15g drops trailing zeros, so it is the shortest form whenever one of
     * at most 15 digits reads back; 16 and 17 digits only when needed */
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v)
            break;
    }
    if (n <= 0 || (size_t)n >= sizeof tmp - 3) {
        jsonw_lit(w, "null");
        return;
    }
    if (!strpbrk(tmp, ".eE")) {
        tmp[n++] = '.';
        tmp[n++] = '0';
        tmp[n] = '\0';
    }
    jsonw_raw(w, tmp, (size_t)n);
}

void jsonw_int(jsonw *w, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    jsonw_raw(w, p, (size_t)(tmp + sizeof tmp - p));
}

void jsonw_value(jsonw *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        jsonw_raw(w, "{", 1);
        json_object_foreach((json_t *)v, key, item) {
            if (!first)
                jsonw_raw(w, ",", 1);
            first = 0;
            jsonw_str(w, key);
            jsonw_raw(w, ":", 1);
            jsonw_value(w, item);
        }
        jsonw_raw(w, "}", 1);
        break;
    }
    case JSON_ARRAY:
        jsonw_raw(w, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                jsonw_raw(w, ",", 1);
            jsonw_value(w, json_array_get(v, i));
        }
        jsonw_raw(w, "]", 1);
        break;
    case JSON_STRING:
        jsonw_strn(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        jsonw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        jsonw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
        jsonw_lit(w, "true");
        break;
    case JSON_FALSE:
        jsonw_lit(w, "false");
        break;
    default:
        jsonw_lit(w, "null");
        break;
    }
}

char *jsonw_dumps(const json_t *v, size_t *len)
{
    jsonw w;
    jsonw_init(&w);
    if (v)
        jsonw_value(&w, v);
    else
        jsonw_lit(&w, "null");
    return jsonw_finish(&w, len);
}

char *jsonw_finish(jsonw *w, size_t *len)
{
    return buf_finish(&w->b, len);
}
