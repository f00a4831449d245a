/*
 * client.h - a JSON-over-HTTP client of the bograph REST API (libcurl), used
 * by `bograph worker` and `bograph tune`. Transient failures (no connection,
 * timeouts, 429, 502, 503, 504) are retried with exponential backoff; any
 * other answer, success or error, is returned to the caller as it came.
 * One client per thread (it keeps one curl handle for connection reuse).
 */
#ifndef BOGRAPH_WORKER_CLIENT_H
#define BOGRAPH_WORKER_CLIENT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct client client;

/* base_url like "http://127.0.0.1:8080" (a trailing slash is fine), or
 * several separated by commas (replicas of one service: a transient failure
 * moves to the next); token may be NULL. NULL with a message when a URL is
 * not http(s). */
client *client_new(const char *base_url, const char *token, char *err, size_t err_len);
void client_free(client *c);

/* Retry policy: attempts in all (>= 1) and the longest wait between two. */
void client_set_retries(client *c, int max_attempts, double max_backoff_seconds);
/* When *cancel becomes non-zero, waits between retries end early and the
 * request fails with "cancelled". */
void client_set_cancel(client *c, const atomic_int *cancel);

/* When who is set (e.g. "bograph worker"), each failed attempt that will be
 * retried is said on stderr: "who: GET URL: Couldn't connect to server;
 * retrying in 0.8 s (attempt 2 of 8)". who must outlive c. */
void client_set_retry_log(client *c, const char *who);

/* Sends method path (e.g. "POST", "/v1/studies/3/suggest") with body (may be
 * NULL). On an answer: 0, *status set, *out the parsed JSON body (NULL when
 * the body was not JSON; caller json_decrefs). -1 with a message when no
 * answer came after the retries. */
int client_request(client *c, const char *method, const char *path, const json_t *body,
                   long *status, json_t **out, char *err, size_t err_len);

/* The message of an API error body ({"error": {"message": ...}}), or a
 * fallback text. */
const char *client_error_message(const json_t *body);

#endif
