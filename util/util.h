/*
 * util.h - small helpers the service shares: wall-clock time, ISO 8601
 * rendering, bounded string formatting into caller buffers.
 */
#ifndef BOGRAPH_UTIL_UTIL_H
#define BOGRAPH_UTIL_UTIL_H

#include <stddef.h>

/* Seconds since the epoch, with sub-second resolution. */
double util_now(void);
/* Monotonic seconds, for durations. */
double util_monotonic(void);
/* "2026-11-22T10:00:00Z" (or with ".123" milliseconds when ms != 0) into buf. */
void util_iso8601(double t, int ms, char *buf, size_t len);
/* snprintf into err when err is not NULL; returns -1 so callers can `return util_err(...)`. */
int util_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
