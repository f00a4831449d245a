/*
 * http_log.h - the request log line (one JSON object per request on
 * stderr), internal to server/.
 */
#ifndef BOGRAPH_SERVER_HTTP_LOG_H
#define BOGRAPH_SERVER_HTTP_LOG_H

#include <stddef.h>

/* Writes s into out (len bytes, always NUL-terminated) as the contents of a
 * JSON string that stays valid whatever s holds: '"' and '\' are escaped,
 * and every byte outside printable ASCII (control characters, 0x7f, bytes
 * >= 0x80, which need not be UTF-8) is written %XX, as a URL would carry it
 * (the service logs paths as received, still percent-encoded). Cut at a
 * whole character. */
void http_log_escape(const char *s, char *out, size_t len);

/* Formats the line for one request into out (len bytes): ts, method, route,
 * path (escaped as above), status and milliseconds, ending in '\n'. Returns
 * its length (< len). */
size_t http_log_line(char *out, size_t len, const char *ts, const char *method,
                     const char *route, const char *path, int status, double ms);

#endif
