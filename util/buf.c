/*
 * buf.c - the growable byte buffer of buf.h.
 */
#include "util/buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b)
{
    assert(b);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void buf_free(buf *b)
{
    assert(b);
    free(b->data);
    buf_init(b);
}

int buf_reserve(buf *b, size_t extra)
{
    assert(b);
    if (b->failed)
        return -1;
    if (extra > (size_t)-1 / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = 1;
        return -1;
    }
    b->data = grown;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

void buf_append(buf *b, const void *data, size_t n)
{
    assert(b && (data || n == 0));
    if (n == 0 || buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    assert(b && s);
    buf_append(b, s, strlen(s));
}

void buf_printf(buf *b, const char *fmt, ...)
{
    assert(b && fmt);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *buf_finish(buf *b, size_t *len)
{
    assert(b);
    if (b->failed || buf_reserve(b, 0) != 0) {
        buf_free(b);
        if (len)
            *len = 0;
        return NULL;
    }
    char *out = b->data;
    if (len)
        *len = b->len;
    buf_init(b);
    return out;
}
