/*
 * api_service.c - service endpoints: /healthz (which backend, and whether
 * the database answers: 503 when not, so a load balancer skips the
 * replica), /metrics (Prometheus text: requests, trials, the database and
 * its connection pool and study locks), /v1/openapi.json (the OpenAPI
 * document embedded at build time).
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/util.h"

/* Generated from server/openapi.json by server/embed.cmake. */
extern const char server_openapi_json[];
extern const size_t server_openapi_json_len;

void api_healthz(service *svc, const api_request *req, api_response *res)
{
    (void)req;
    char err[512] = "";
    int up = store_ping(svc->st, err, sizeof err) == 0;
    /* the database's message stays in the log: /healthz needs no token */
    if (!up)
        fprintf(stderr, "bograph: healthz: the database does not answer: %s\n", err);
    api_reply(res, up ? 200 : 503,
              json_pack("{s:s, s:s, s:s}", "status", up ? "ok" : "unavailable", "backend",
                        store_backend_name(svc->st), "database", up ? "ok" : "unavailable"));
}

/* The database's lines of /metrics: up or not, the pool and the study locks. */
static void metrics_database(service *svc, int up, buf *b)
{
    store_stats s;
    store_stats_get(svc->st, &s);
    buf_printf(b,
               "# HELP bograph_database_up Whether the database answered the last query.\n"
               "# TYPE bograph_database_up gauge\n"
               "bograph_database_up{backend=\"%s\"} %d\n",
               store_backend_name(svc->st), up);
    if (s.pool_max == 0)
        return; /* SQLite: no pool figures */
    buf_printf(b,
               "# HELP bograph_db_pool_connections Connections of the pool.\n"
               "# TYPE bograph_db_pool_connections gauge\n"
               "bograph_db_pool_connections{state=\"max\"} %lld\n"
               "bograph_db_pool_connections{state=\"open\"} %lld\n"
               "bograph_db_pool_connections{state=\"idle\"} %lld\n"
               "# HELP bograph_db_pool_waits_total Times a request waited for a free connection.\n"
               "# TYPE bograph_db_pool_waits_total counter\n"
               "bograph_db_pool_waits_total %lld\n"
               "# HELP bograph_db_pool_wait_seconds_total Time spent waiting for a connection.\n"
               "# TYPE bograph_db_pool_wait_seconds_total counter\n"
               "bograph_db_pool_wait_seconds_total %.6f\n"
               "# HELP bograph_db_reconnects_total Connections dropped as broken (opened again on demand).\n"
               "# TYPE bograph_db_reconnects_total counter\n"
               "bograph_db_reconnects_total %lld\n"
               "# HELP bograph_study_locks_total Study locks taken (one per suggestion).\n"
               "# TYPE bograph_study_locks_total counter\n"
               "bograph_study_locks_total %lld\n"
               "# HELP bograph_study_lock_wait_seconds_total Time spent waiting for study locks "
               "(other replicas computing the same study).\n"
               "# TYPE bograph_study_lock_wait_seconds_total counter\n"
               "bograph_study_lock_wait_seconds_total %.6f\n",
               (long long)s.pool_max, (long long)s.pool_open, (long long)s.pool_idle,
               (long long)s.pool_waits, s.pool_wait_seconds, (long long)s.reconnects,
               (long long)s.locks, s.lock_wait_seconds);
}

void api_metrics(service *svc, const api_request *req, api_response *res)
{
    (void)req;
    char err[512] = "";
    int64_t counts[TRIAL_N_STATES];
    /* without the database the other figures still come (and say so) */
    int up = store_counts_all(svc->st, counts, err, sizeof err) == STORE_OK;
    char *head = stats_render(svc->stats);
    if (!head) {
        api_reply_internal(res, "rendering metrics", "out of memory");
        return;
    }
    buf b;
    buf_init(&b);
    buf_puts(&b, head);
    free(head);
    if (up) {
        buf_puts(&b, "# HELP bograph_trials Trials in the store by state.\n"
                     "# TYPE bograph_trials gauge\n");
        for (int i = 0; i < TRIAL_N_STATES; i++)
            buf_printf(&b, "bograph_trials{state=\"%s\"} %lld\n",
                       store_state_name((trial_state)i), (long long)counts[i]);
    }
    metrics_database(svc, up, &b);
    buf_printf(&b,
               "# HELP bograph_uptime_seconds Seconds since the service started.\n"
               "# TYPE bograph_uptime_seconds gauge\n"
               "bograph_uptime_seconds %.3f\n",
               util_now() - svc->started_at);
    size_t len = 0;
    char *out = buf_finish(&b, &len);
    if (!out) {
        api_reply_internal(res, "rendering metrics", "out of memory");
        return;
    }
    api_response_clear(res);
    res->status = 200;
    res->text = out;
    res->text_len = len;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void api_openapi(service *svc, const api_request *req, api_response *res)
{
    (void)svc;
    (void)req;
    api_response_clear(res);
    res->text = malloc(server_openapi_json_len + 1);
    if (!res->text) {
        api_reply_internal(res, "openapi", "out of memory");
        return;
    }
    memcpy(res->text, server_openapi_json, server_openapi_json_len);
    res->text_len = server_openapi_json_len;
    res->status = 200;
    res->content_type = "application/json";
}
