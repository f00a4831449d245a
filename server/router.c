/*
 * router.c - segment-by-segment matching of paths against the route table.
 */
#include "server/router.h"

#include <string.h>

#define MAX_SEGMENTS 16

/* Splits path in place into segments; -1 when too many. */
static int split(char *path, char *seg[MAX_SEGMENTS])
{
    int n = 0;
    char *p = path;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == MAX_SEGMENTS)
            return -1;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
        /* a trailing slash gives no empty last segment; "a//b" gives an empty one */
    }
    return n;
}

static int pattern_matches(const char *pattern, char *const *seg, int n,
                           const char *captures[API_MAX_CAPTURES])
{
    int i = 0, nc = 0;
    const char *p = pattern;
    while (*p == '/')
        p++;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= n)
            return 0;
        if (len == 2 && p[0] == '{' && p[1] == '}') {
            if (seg[i][0] == '\0' || nc == API_MAX_CAPTURES)
                return 0;
            if (captures)
                captures[nc] = seg[i];
            nc++;
        } else if (strlen(seg[i]) != len || strncmp(seg[i], p, len) != 0) {
            return 0;
        }
        i++;
        p += len;
        while (*p == '/')
            p++;
    }
    return i == n;
}

int router_match(const char *method, char *path, const router_route **out,
                 const char *captures[API_MAX_CAPTURES], char *allow, size_t allow_len)
{
    char *seg[MAX_SEGMENTS];
    int n = split(path, seg);
    *out = NULL;
    if (allow && allow_len)
        allow[0] = '\0';
    if (n < 0)
        return ROUTER_NOT_FOUND;
    int other_method = 0;
    for (size_t r = 0; r < router_n_routes; r++) {
        const router_route *rt = &router_routes[r];
        if (!pattern_matches(rt->pattern, seg, n, NULL))
            continue;
        if (strcmp(rt->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
            pattern_matches(rt->pattern, seg, n, captures);
            *out = rt;
            return ROUTER_FOUND;
        }
        if (allow && !strstr(allow, rt->method)) {
            size_t used = strlen(allow);
            if (used + strlen(rt->method) + 3 < allow_len) {
                if (used)
                    strcat(allow, ", ");
                strcat(allow, rt->method);
            }
        }
        other_method = 1;
    }
    return other_method ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
