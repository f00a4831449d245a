/*
 * http.c - the libmicrohttpd side of the service: one context per request
 * (made when the request line arrives), the limits on the request head
 * (414 for a URL over HTTP_MAX_URI or with more than API_MAX_QUERY
 * arguments, 431 for headers over HTTP_MAX_HEADERS, 400 for a NUL byte
 * anywhere in the URL), body accumulation with the size limit (413), the
 * token check (401), the media type check (415), routing (404/405) or the
 * dashboard files, slow routes handed to the suggestion threads with the
 * connection suspended, responses, and on completion the request log line
 * and the counters. Every answer of the service's own is JSON in the error
 * shape of docs/api.md.
 */
#include "server/http.h"
#include "server/jsonw.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "server/executor.h"
#include "server/http_log.h"
#include "server/service_internal.h"
#include "server/router.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/util.h"

/* Largest declared body over the limit that is still read (and dropped)
 * before the 413, so the client gets the answer rather than a reset. */
#define HTTP_DRAIN_LIMIT (64ull << 20)
/* Longest URL (path and query, as sent): far above any URL of the API, and
 * well inside libmicrohttpd's per-connection memory (service.c). */
#define HTTP_MAX_URI 8192
/* Largest header block (names, values and separators): a browser sends
 * 1-2 KiB; also well inside the per-connection memory. */
#define HTTP_MAX_HEADERS 16384
/* Longest path kept for the request log. */
#define HTTP_LOG_PATH 1024
/* Seconds a client waits before retrying a 503 (storage full or failing). */
#define HTTP_RETRY_AFTER "30"

typedef struct {
    service *svc;
    struct MHD_Connection *conn;
    double t0;
    int started;             /* the access handler has seen the request */
    char method[16];
    char *raw_path;          /* the path as sent (percent-encoded), for the log */
    int nul_in_uri;          /* %00 somewhere in the URL */
    int headers_too_large;   /* over HTTP_MAX_HEADERS */
    int answered_on_socket;  /* reply_on_socket answered; nothing else runs */
    char *path;              /* decoded by MHD */
    char *route_path;        /* writable copy the router splits */
    const char *route_name;  /* route pattern, "static" or "unmatched" */
    buf body;                /* the request body as it arrives */
    int too_large;
    int suspended;           /* waiting for (or back from) the suggestion threads */
    int status;
    const router_route *route;
    api_request req;
    api_response res;
    char *query_store[2 * API_MAX_QUERY];
    size_t n_query_store;
} http_ctx;

static void ctx_free(http_ctx *c)
{
    free(c->raw_path);
    free(c->path);
    free(c->route_path);
    buf_free(&c->body);
    for (size_t i = 0; i < c->n_query_store; i++)
        free(c->query_store[i]);
    api_response_clear(&c->res);
    free(c);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    http_ctx *c = cls;
    if (c->req.n_query == API_MAX_QUERY || !key)
        return MHD_YES;
    char *k = strdup(key);
    char *v = value ? strdup(value) : NULL;
    if (!k || (value && !v)) {
        free(k);
        free(v);
        return MHD_YES;
    }
    c->query_store[c->n_query_store++] = k;
    if (v)
        c->query_store[c->n_query_store++] = v;
    c->req.query_keys[c->req.n_query] = k;
    c->req.query_values[c->req.n_query] = v;
    c->req.n_query++;
    return MHD_YES;
}

static enum MHD_Result count_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
    (void)kind;
    size_t *n = cls;
    *n += (key ? strlen(key) : 0) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

/* A 500 whose message carries the store's STORE_ERR_UNAVAILABLE (disk full,
 * I/O error) becomes 503 unavailable: not a bug of the service, and a retry
 * may succeed (send_response adds Retry-After). One place for every
 * handler and use case. */
static void map_unavailable(api_response *res)
{
    json_t *e = res->status == 500 && res->json ? json_object_get(res->json, "error") : NULL;
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (code && strcmp(code, "internal") == 0 && msg && strstr(msg, STORE_ERR_UNAVAILABLE)) {
        json_object_set_new(e, "code", json_string("unavailable"));
        res->status = 503;
    }
}

/* Queues res as the connection's response. */
static enum MHD_Result send_response(http_ctx *c, api_response *res)
{
    struct MHD_Response *r = NULL;
    const char *type = "application/json";
    map_unavailable(res);
    if (res->json) {
        char *txt = jsonw_dumps(res->json, NULL);
        if (txt) {
            size_t len = strlen(txt);
            /* a trailing newline keeps curl output tidy */
            char *with_nl = realloc(txt, len + 2);
            if (with_nl) {
                txt = with_nl;
                txt[len++] = '\n';
                txt[len] = '\0';
            }
            r = MHD_create_response_from_buffer(len, txt, MHD_RESPMEM_MUST_FREE);
            if (!r)
                free(txt);
        }
    } else if (res->fd >= 0) {
        r = MHD_create_response_from_fd(res->fd_size, res->fd);
        if (r)
            res->fd = -1; /* MHD closes it */
        type = res->content_type;
    } else if (res->text) {
        r = MHD_create_response_from_buffer(res->text_len, res->text, MHD_RESPMEM_MUST_FREE);
        if (r)
            res->text = NULL;
        type = res->content_type ? res->content_type : "application/json";
    }
    if (!r) {
        static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
        res->status = 500;
        r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (res->status == 405 && res->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    if (res->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"bograph\"");
    if (res->json)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (res->status == 503)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, HTTP_RETRY_AFTER);
    c->status = res->status;
    enum MHD_Result ret = MHD_queue_response(c->conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(http_ctx *c, int status, const char *code, const char *fmt,
                                  const char *arg)
{
    api_response res;
    api_response_init(&res);
    api_reply_errorf(&res, status, code, NULL, fmt, arg);
    enum MHD_Result r = send_response(c, &res);
    api_response_clear(&res);
    return r;
}

/* Constant-time comparison of a presented token with the configured one. */
static int token_equal(const char *given, const char *want)
{
    size_t lg = strlen(given), lw = strlen(want);
    unsigned char diff = (unsigned char)(lg != lw);
    for (size_t i = 0; i < lw; i++)
        diff |= (unsigned char)(want[i] ^ (i < lg ? given[i] : 0));
    return diff == 0;
}

static int authorized(http_ctx *c)
{
    const char *want = c->svc->token;
    if (!want)
        return 1;
    const char *h = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        h += 7;
        while (*h == ' ')
            h++;
        return token_equal(h, want);
    }
    /* RFC 6750 section 2.3: the token as a query parameter, wherever it is
     * among the arguments */
    const char *q = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "access_token");
    return q && token_equal(q, want);
}

static int is_json_type(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void run_slow(void *arg)
{
    http_ctx *c = arg;
    c->route->handler(c->svc, &c->req, &c->res);
    MHD_resume_connection(c->conn);
}

/* The request is complete: answer it (or hand it to the suggestion threads). */
static enum MHD_Result dispatch(http_ctx *c)
{
    service *svc = c->svc;
    c->req.method = c->method;
    c->req.path = c->path;
    c->req.body = c->body.data ? c->body.data : "";
    c->req.body_len = c->body.len;
    MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, collect_query, c);

    if (c->nul_in_uri)
        return send_error(c, 400, "invalid_argument", "%s",
                          "the URL holds a NUL byte (%00), which no path or argument may");
    if (c->headers_too_large) {
        char limit[32];
        snprintf(limit, sizeof limit, "%d", HTTP_MAX_HEADERS);
        return send_error(c, 431, "too_large", "the request headers are over the limit of %s bytes",
                          limit);
    }
    if (c->too_large) {
        char limit[32];
        snprintf(limit, sizeof limit, "%zu", svc->opts.max_body);
        return send_error(c, 413, "too_large", "the request body is over the limit of %s bytes",
                          limit);
    }
    int is_api = strncmp(c->path, "/v1/", 4) == 0 || strcmp(c->path, "/v1") == 0 ||
                 strcmp(c->path, "/healthz") == 0 || strcmp(c->path, "/metrics") == 0;
    /* /healthz is public; so are the dashboard's files (they hold no data:
     * the page asks for the token and sends it with its API calls). */
    int public_path = strcmp(c->path, "/healthz") == 0 || !is_api;
    if (!public_path && !authorized(c))
        return send_error(c, 401, "unauthenticated", "%s",
                          "this service needs \"Authorization: Bearer <token>\"");
    if (c->body.len > 0 &&
        !is_json_type(MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE)))
        return send_error(c, 415, "unsupported_media_type", "%s",
                          "request bodies must be JSON (Content-Type: application/json)");
    if (!is_api) {
        if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0) {
            api_reply_errorf(&c->res, 405, "method_not_allowed", NULL,
                             "%s is not allowed here (GET only)", c->method);
            snprintf(c->res.allow, sizeof c->res.allow, "GET, HEAD");
            c->route_name = "static";
            return send_response(c, &c->res);
        }
        c->route_name = "static";
        static_serve(svc, c->path, &c->res);
        return send_response(c, &c->res);
    }
    c->route_path = strdup(c->path);
    if (!c->route_path)
        return send_error(c, 500, "internal", "%s", "out of memory");
    char allow[64];
    int m = router_match(c->method, c->route_path, &c->route, c->req.captures, allow, sizeof allow);
    if (m == ROUTER_NOT_FOUND)
        return send_error(c, 404, "not_found", "no route %s", c->path);
    if (m == ROUTER_BAD_METHOD) {
        api_reply_errorf(&c->res, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
                         c->method, c->path);
        snprintf(c->res.allow, sizeof c->res.allow, "%s", allow);
        return send_response(c, &c->res);
    }
    c->route_name = c->route->pattern;
    if (c->route->slow && svc->exec) {
        MHD_suspend_connection(c->conn);
        c->suspended = 1;
        if (executor_submit(svc->exec, run_slow, c) == 0)
            return MHD_YES;
        MHD_resume_connection(c->conn);
        c->suspended = 0;
    }
    c->route->handler(svc, &c->req, &c->res);
    return send_response(c, &c->res);
}

enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls)
{
    (void)version;
    service *svc = cls;
    http_ctx *c = *con_cls;
    if (!c || c->answered_on_socket)
        return MHD_NO; /* no context (out of memory), or answered already */
    if (!c->started) {
        c->started = 1;
        snprintf(c->method, sizeof c->method, "%s", method);
        c->path = strdup(url ? url : "/");
        if (!c->path)
            return MHD_NO;
        size_t header_bytes = 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header_bytes, &header_bytes);
        c->headers_too_large = header_bytes > HTTP_MAX_HEADERS;
        if (c->nul_in_uri || c->headers_too_large)
            return dispatch(c); /* answered before any body is read */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > svc->opts.max_body) {
            c->too_large = 1;
            /* A body up to HTTP_DRAIN_LIMIT is read and dropped, and the 413
             * goes out once it is in: a client that sends without waiting
             * for "100 Continue" would otherwise see the connection reset
             * under its upload instead of the answer. Beyond that, answer at
             * once: MHD skips the upload and closes after the reply. */
            if (declared > HTTP_DRAIN_LIMIT)
                return dispatch(c);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (c->too_large)
            return MHD_YES;
        if (c->body.len + n > svc->opts.max_body) {
            c->too_large = 1;
            buf_free(&c->body);
            return MHD_YES;
        }
        buf_append(&c->body, upload_data, n);
        return c->body.failed ? MHD_NO : MHD_YES;
    }
    if (c->suspended) {
        /* back from the suggestion threads */
        c->suspended = 0;
        return send_response(c, &c->res);
    }
    return dispatch(c);
}

/* Counts the query arguments of a raw URL ("a=1&b&c=" is 3). */
static size_t count_args(const char *query)
{
    if (!query || !query[0])
        return 0;
    size_t n = 1;
    for (const char *p = query; *p; p++)
        n += *p == '&';
    return n;
}

/* Answers the request with a JSON error written straight on the socket, and
 * shuts the connection. Only for a request line libmicrohttpd 0.9.75 cannot
 * be trusted with: when the arguments it parses right after http_uri_log
 * overflow its per-connection memory, it sends nothing and holds the
 * connection until the idle timeout (measured: 500 arguments, 3.4 KB). The
 * shut socket makes it drop the connection at once; http_completed still
 * runs and logs the status. */
static void reply_on_socket(http_ctx *c, int status, const char *reason, const char *fmt,
                            const char *arg)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    api_response res;
    api_response_init(&res);
    api_reply_errorf(&res, status, "too_large", NULL, fmt, arg);
    char *body = res.json ? json_dumps(res.json, JSON_COMPACT) : NULL;
    api_response_clear(&res);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Cache-Control: no-store\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, reason, body ? strlen(body) + 1 : 0);
    if (body && n > 0 && (size_t)n < sizeof head &&
        send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL) == n &&
        send(ci->connect_fd, body, strlen(body), MSG_NOSIGNAL) == (ssize_t)strlen(body))
        send(ci->connect_fd, "\n", 1, MSG_NOSIGNAL);
    free(body);
    shutdown(ci->connect_fd, SHUT_RDWR);
    c->status = status;
    c->answered_on_socket = 1;
}

void *http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    service *svc = cls;
    http_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->svc = svc;
    c->conn = conn;
    c->t0 = util_monotonic();
    c->route_name = "unmatched";
    api_response_init(&c->res);
    pthread_mutex_lock(&svc->in_flight_mu);
    svc->in_flight++;
    pthread_mutex_unlock(&svc->in_flight_mu);
    uri = uri ? uri : "";
    size_t path_len = strcspn(uri, "?");
    c->raw_path = strndup(uri, path_len < HTTP_LOG_PATH ? path_len : HTTP_LOG_PATH);
    /* %00 decodes to a NUL, which would cut the path or an argument short */
    for (const char *p = strchr(uri, '%'); p; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            c->nul_in_uri = 1;
    char limit[32];
    if (strlen(uri) > HTTP_MAX_URI) {
        snprintf(limit, sizeof limit, "%d", HTTP_MAX_URI);
        reply_on_socket(c, 414, "URI Too Long", "the URL is over the limit of %s bytes", limit);
    } else if (count_args(uri[path_len] ? uri + path_len + 1 : NULL) > API_MAX_QUERY) {
        snprintf(limit, sizeof limit, "%d", API_MAX_QUERY);
        reply_on_socket(c, 414, "URI Too Long", "the URL has more than %s query arguments", limit);
    }
    return c;
}

void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    service *svc = cls;
    http_ctx *c = *con_cls;
    if (!c)
        return;
    *con_cls = NULL;
    double secs = util_monotonic() - c->t0;
    int status = c->status ? c->status : 0;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && status == 0)
        status = 499; /* client went away or error before a reply */
    stats_record(svc->stats, c->route_name, c->method, status, secs);
    if (svc->opts.request_log) {
        char ts[40], line[1600];
        util_iso8601(util_now(), 1, ts, sizeof ts);
        size_t n = http_log_line(line, sizeof line, ts, c->method, c->route_name,
                                 c->raw_path ? c->raw_path : "", status, secs * 1000.0);
        if (n > 0)
            fwrite(line, 1, n, stderr);
    }
    ctx_free(c);
    pthread_mutex_lock(&svc->in_flight_mu);
    svc->in_flight--;
    pthread_mutex_unlock(&svc->in_flight_mu);
}
