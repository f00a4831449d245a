/*
 * api_service.c - service endpoints: /healthz, /metrics (Prometheus text),
 * /v1/openapi.json (the OpenAPI document embedded at build time).
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
    (void)svc;
    (void)req;
    api_reply(res, 200, json_pack("{s:s}", "status", "ok"));
}

void api_metrics(service *svc, const api_request *req, api_response *res)
{
    (void)req;
    char err[512] = "";
    int64_t counts[TRIAL_N_STATES];
    if (store_counts_all(svc->st, counts, err, sizeof err) != STORE_OK) {
        api_reply_internal(res, "counting trials", err);
        return;
    }
    char *head = stats_render(svc->stats);
    if (!head) {
        api_reply_internal(res, "rendering metrics", "out of memory");
        return;
    }
    buf b;
    buf_init(&b);
    buf_puts(&b, head);
    free(head);
    buf_puts(&b, "# HELP bograph_trials Trials in the store by state.\n"
                 "# TYPE bograph_trials gauge\n");
    for (int i = 0; i < TRIAL_N_STATES; i++)
        buf_printf(&b, "bograph_trials{state=\"%s\"} %lld\n", store_state_name((trial_state)i),
                   (long long)counts[i]);
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
