/*
 * buf.h - the project's one growable byte buffer: appends that double the
 * capacity, an out-of-memory flag checked once at the end instead of at
 * every append, and a NUL kept after the bytes so the text is a C string.
 */
#ifndef BOGRAPH_UTIL_BUF_H
#define BOGRAPH_UTIL_BUF_H

#include <stddef.h>

typedef struct {
    char *data;      /* NUL-terminated when len > 0 or after buf_reserve */
    size_t len, cap;
    int failed;      /* an append ran out of memory: the content is incomplete */
} buf;

/* An empty buffer (no allocation yet). */
void buf_init(buf *b);
/* Releases the bytes; the buffer is empty again and may be reused. */
void buf_free(buf *b);
/* Room for at least `extra` more bytes plus the NUL; 0, or -1 (and failed set). */
int buf_reserve(buf *b, size_t extra);
/* Appends n bytes; on failure sets failed and leaves the content as it was. */
void buf_append(buf *b, const void *data, size_t n);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands over the bytes (malloc'd, NUL-terminated, never NULL unless out of
 * memory or failed) and their length; the buffer is left empty. */
char *buf_finish(buf *b, size_t *len);

#endif
