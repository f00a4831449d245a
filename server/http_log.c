/*
 * http_log.c - the request log line: JSON with the method and path escaped
 * so that any bytes a client sends (NUL aside, which ends the C string;
 * control characters, invalid UTF-8) leave the line valid JSON.
 */
#include "server/http_log.h"

#include <stdio.h>
#include <string.h>

void http_log_escape(const char *s, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (len == 0)
        return;
    for (; s && *s && o + 4 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20 || ch >= 0x7f) {
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
}

size_t http_log_line(char *out, size_t len, const char *ts, const char *method,
                     const char *route, const char *path, int status, double ms)
{
    char m[64], r[256], p[1024];
    http_log_escape(method, m, sizeof m);
    http_log_escape(route, r, sizeof r);
    http_log_escape(path, p, sizeof p);
    int n = snprintf(out, len,
                     "{\"ts\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"path\":\"%s\","
                     "\"status\":%d,\"ms\":%.3f}\n",
                     ts, m, r, p, status, ms);
    if (n < 0)
        return 0;
    if ((size_t)n >= len) {
        /* cannot happen with the sizes above; keep the line whole anyway */
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}
