/*
 * static_files.c - the dashboard: files under the web directory served for
 * GET paths outside /v1. "/" and directories give index.html; a path with no
 * file extension that matches no file gives index.html too (client-side
 * routes). Paths with "..", backslashes or control characters are refused,
 * and the resolved file must lie inside the web directory (no escape through
 * symlinks). Without a built dashboard, "/" answers a short HTML page.
 */
#include "server/api.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot, content_types[i].ext) == 0)
                return content_types[i].type;
    }
    return "application/octet-stream";
}

static const char no_dashboard[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>bograph</title></head>\n"
    "<body><h1>bograph</h1>\n"
    "<p>The service is running, but no dashboard is built. Build it with "
    "<code>cmake -DBOGRAPH_WEB=ON</code> or point <code>bograph serve --web-dir DIR</code> at "
    "one.</p>\n"
    "<p>The API is under <a href=\"/v1/studies\">/v1/</a>; its description is "
    "<a href=\"/v1/openapi.json\">/v1/openapi.json</a>.</p>\n</body></html>\n";

static int path_is_safe(const char *path)
{
    if (path[0] != '/')
        return 0;
    for (const char *p = path; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f || ch == '\\')
            return 0;
    }
    /* no "." or ".." segment */
    const char *seg = path;
    while (seg) {
        seg++;
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg = end;
    }
    return 1;
}

/* Opens web_dir + rel when it is a regular file inside web_dir. */
static int open_inside(const char *web_dir, const char *rel, size_t *size)
{
    char joined[PATH_MAX], real[PATH_MAX];
    if (snprintf(joined, sizeof joined, "%s%s", web_dir, rel) >= (int)sizeof joined)
        return -1;
    if (!realpath(joined, real))
        return -1;
    size_t n = strlen(web_dir);
    if (strncmp(real, web_dir, n) != 0 || (real[n] != '/' && real[n] != '\0'))
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (size_t)sb.st_size;
    return fd;
}

static void reply_file(api_response *res, int fd, size_t size, const char *type)
{
    api_response_clear(res);
    res->status = 200;
    res->fd = fd;
    res->fd_size = size;
    res->content_type = type;
}

void static_serve(service *svc, const char *path, api_response *res)
{
    if (!path_is_safe(path)) {
        api_reply_errorf(res, 404, "not_found", NULL, "no such file");
        return;
    }
    size_t size = 0;
    int fd = -1;
    if (svc->web_dir) {
        size_t len = strlen(path);
        char rel[PATH_MAX];
        if (len + 16 >= sizeof rel) {
            api_reply_errorf(res, 404, "not_found", NULL, "no such file");
            return;
        }
        memcpy(rel, path, len + 1);
        if (rel[len - 1] == '/')
            strcat(rel, "index.html");
        fd = open_inside(svc->web_dir, rel, &size);
        if (fd < 0 && rel[len - 1] != '/') {
            /* a directory? */
            char idx[PATH_MAX + 16];
            memcpy(idx, rel, len);
            memcpy(idx + len, "/index.html", sizeof "/index.html");
            fd = open_inside(svc->web_dir, idx, &size);
            if (fd >= 0) {
                reply_file(res, fd, size, "text/html; charset=utf-8");
                return;
            }
        }
        if (fd >= 0) {
            reply_file(res, fd, size, type_of(rel));
            return;
        }
        const char *last = strrchr(path, '/');
        if (!strchr(last ? last : path, '.')) {
            fd = open_inside(svc->web_dir, "/index.html", &size);
            if (fd >= 0) {
                reply_file(res, fd, size, "text/html; charset=utf-8");
                return;
            }
        }
    }
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        api_response_clear(res);
        res->status = 200;
        res->text = strdup(no_dashboard);
        res->text_len = res->text ? strlen(res->text) : 0;
        res->content_type = "text/html; charset=utf-8";
        if (!res->text)
            api_reply_internal(res, "dashboard", "out of memory");
        return;
    }
    api_reply_errorf(res, 404, "not_found", NULL, "no such file");
}
