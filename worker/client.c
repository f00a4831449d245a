/*
 * client.c - the REST client of the worker and tune: libcurl easy handle per
 * client, JSON bodies via jansson, bounded retries with backoff for
 * transient failures. Given several service URLs (replicas on one
 * database), a transient failure moves the client to the next one, at once
 * while some of them has not been tried for this request, and it stays on
 * whichever answers.
 */
#include "worker/client.h"

#include <assert.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

#define CLIENT_TIMEOUT_SECONDS 120L
#define CLIENT_MAX_RESPONSE (64u * 1024u * 1024u)

#define CLIENT_MAX_BASES 16

struct client {
    CURL *curl;
    char *base;                         /* the URLs, each NUL-terminated */
    char *bases[CLIENT_MAX_BASES];
    size_t n_bases, at;                 /* at: the one in use */
    char *auth_header;
    int max_attempts;
    double max_backoff;
    const atomic_int *cancel;
    const char *retry_log;
};

typedef struct {
    buf b;
    int too_large;
} client_buffer;

static size_t client_write_cb(char *ptr, size_t size, size_t nmemb, void *user)
{
    client_buffer *r = user;
    size_t n = size * nmemb;
    if (r->b.len + n + 1 > CLIENT_MAX_RESPONSE) {
        r->too_large = 1;
        return 0;
    }
    buf_append(&r->b, ptr, n);
    return r->b.failed ? 0 : n;
}

/* Splits c->base at commas into c->bases, each without trailing slashes;
 * -1 with a message when one is not an http(s) URL. */
static int client_split_bases(client *c, char *err, size_t err_len)
{
    char *p = c->base;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        size_t n = strlen(p);
        while (n > 0 && p[n - 1] == '/')
            p[--n] = '\0';
        if (c->n_bases == CLIENT_MAX_BASES) {
            if (err)
                snprintf(err, err_len, "at most %d URLs", CLIENT_MAX_BASES);
            return -1;
        }
        if (strncmp(p, "http://", 7) != 0 && strncmp(p, "https://", 8) != 0) {
            if (err)
                snprintf(err, err_len, "the URL must start with http:// or https:// (got '%s')",
                         p);
            return -1;
        }
        c->bases[c->n_bases++] = p;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

client *client_new(const char *base_url, const char *token, char *err, size_t err_len)
{
    if (!base_url || (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)) {
        if (err)
            snprintf(err, err_len, "the URL must start with http:// or https:// (got '%s')",
                     base_url ? base_url : "");
        return NULL;
    }
    client *c = calloc(1, sizeof *c);
    if (!c)
        goto oom;
    c->curl = curl_easy_init();
    c->base = strdup(base_url);
    if (!c->curl || !c->base)
        goto oom;
    if (client_split_bases(c, err, err_len) != 0) {
        client_free(c);
        return NULL;
    }
    if (token && *token) {
        size_t len = strlen(token) + 32;
        c->auth_header = malloc(len);
        if (!c->auth_header)
            goto oom;
        snprintf(c->auth_header, len, "Authorization: Bearer %s", token);
    }
    c->max_attempts = 8;
    c->max_backoff = 10.0;
    return c;
oom:
    client_free(c);
    if (err)
        snprintf(err, err_len, "out of memory creating the HTTP client");
    return NULL;
}

void client_free(client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->base);
    free(c->auth_header);
    free(c);
}

void client_set_retries(client *c, int max_attempts, double max_backoff_seconds)
{
    c->max_attempts = max_attempts < 1 ? 1 : max_attempts;
    c->max_backoff = max_backoff_seconds > 0 ? max_backoff_seconds : 0.1;
}

void client_set_cancel(client *c, const atomic_int *cancel)
{
    c->cancel = cancel;
}

void client_set_retry_log(client *c, const char *who)
{
    c->retry_log = who;
}

static int client_cancelled(const client *c)
{
    return c->cancel && atomic_load(c->cancel) != 0;
}

/* Sleeps seconds in short steps, ending early on cancellation. */
static void client_backoff(const client *c, double seconds)
{
    double step = 0.05;
    for (double t = 0; t < seconds && !client_cancelled(c); t += step) {
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static int client_transient_status(long status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

/* One attempt: 0 with an answer, -1 with a message when none came. */
static int client_attempt(client *c, const char *method, const char *url, const char *body_text,
                          long *status, client_buffer *buf, char *err, size_t err_len)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    if (body_text)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    if (c->auth_header)
        headers = curl_slist_append(headers, c->auth_header);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, CLIENT_TIMEOUT_SECONDS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, client_write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, buf);
    if (body_text) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body_text);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body_text));
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        if (err)
            snprintf(err, err_len, "%s %s: %s", method, url,
                     buf->too_large ? "answer too large" : curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

int client_request(client *c, const char *method, const char *path, const json_t *body,
                   long *status, json_t **out, char *err, size_t err_len)
{
    assert(c && method && path && out);
    *out = NULL;
    *status = 0;
    char *body_text = NULL;
    if (body) {
        body_text = json_dumps(body, JSON_COMPACT);
        if (!body_text) {
            if (err)
                snprintf(err, err_len, "out of memory encoding the request");
            return -1;
        }
    }
    size_t longest = 0;
    for (size_t i = 0; i < c->n_bases; i++)
        if (strlen(c->bases[i]) > longest)
            longest = strlen(c->bases[i]);
    size_t url_len = longest + strlen(path) + 1;
    char *url = malloc(url_len);
    if (!url) {
        free(body_text);
        if (err)
            snprintf(err, err_len, "out of memory");
        return -1;
    }

    int result = -1;
    double wait = 0.2;
    size_t tried = 0; /* URLs tried since the last wait */
    for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
        snprintf(url, url_len, "%s%s", c->bases[c->at], path);
        if (client_cancelled(c)) {
            if (err)
                snprintf(err, err_len, "%s %s: cancelled", method, url);
            break;
        }
        client_buffer buf = {.too_large = 0};
        buf_init(&buf.b);
        long st = 0;
        int rc = client_attempt(c, method, url, body_text, &st, &buf, err, err_len);
        int last = attempt == c->max_attempts;
        if (rc == 0 && (!client_transient_status(st) || last)) {
            *status = st;
            if (buf.b.len > 0)
                *out = json_loadb(buf.b.data, buf.b.len, 0, NULL);
            buf_free(&buf.b);
            result = 0;
            break;
        }
        buf_free(&buf.b);
        if (rc == 0 && err)
            snprintf(err, err_len, "%s %s: HTTP %ld", method, url, st);
        /* the next replica at once; a wait once each has failed */
        c->at = (c->at + 1) % c->n_bases;
        if (++tried < c->n_bases && !last) {
            if (c->retry_log && !client_cancelled(c))
                fprintf(stderr, "%s: %s; trying %s (attempt %d of %d)\n", c->retry_log,
                        err ? err : url, c->bases[c->at], attempt + 1, c->max_attempts);
            continue;
        }
        tried = 0;
        if (!last && c->retry_log && !client_cancelled(c))
            fprintf(stderr, "%s: %s; retrying in %.1f s (attempt %d of %d)\n", c->retry_log,
                    err ? err : url, wait, attempt + 1, c->max_attempts);
        if (!last)
            client_backoff(c, wait);
        wait = wait * 2 > c->max_backoff ? c->max_backoff : wait * 2;
    }
    free(url);
    free(body_text);
    return result;
}

const char *client_error_message(const json_t *body)
{
    const char *m = json_string_value(json_object_get(json_object_get(body, "error"), "message"));
    return m ? m : "no error message in the answer";
}
