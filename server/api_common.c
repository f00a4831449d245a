/*
 * api_common.c - reply helpers and the JSON views of studies and trials that
 * every handler shares.
 */
#include "server/api.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

void api_response_init(api_response *r)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

void api_response_clear(api_response *r)
{
    json_decref(r->json);
    free(r->text);
    if (r->fd >= 0)
        close(r->fd);
    api_response_init(r);
}

void api_reply(api_response *r, int status, json_t *body)
{
    api_response_clear(r);
    r->status = status;
    r->json = body;
    if (!body) {
        /* out of memory while building the reply */
        r->status = 500;
        r->text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
        r->text_len = r->text ? strlen(r->text) : 0;
        r->content_type = "application/json";
    }
}

void api_reply_error(api_response *r, const jv_error *e)
{
    api_reply(r, e->status ? e->status : 500, jv_error_json(e));
}

void api_reply_errorf(api_response *r, int status, const char *code, const char *field,
                      const char *fmt, ...)
{
    jv_error e;
    e.status = status;
    e.code = code;
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    api_reply_error(r, &e);
}

void api_reply_internal(api_response *r, const char *what, const char *err)
{
    api_reply_errorf(r, 500, "internal", NULL, "%s: %s", what, err && *err ? err : "failed");
}

const char *api_query(const api_request *req, const char *key, int *present)
{
    if (present)
        *present = 0;
    for (size_t i = 0; i < req->n_query; i++) {
        if (strcmp(req->query_keys[i], key) == 0) {
            if (present)
                *present = 1;
            return req->query_values[i];
        }
    }
    return NULL;
}

int64_t api_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18)
        return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v > 0 ? v : -1;
}

int api_load_study(service *svc, const api_request *req, api_response *res, store_study *st,
                   study_def *sd)
{
    memset(sd, 0, sizeof *sd);
    int64_t id = api_parse_id(req->captures[0]);
    if (id < 0) {
        api_reply_errorf(res, 404, "not_found", NULL, "no study '%s'", req->captures[0]);
        return -1;
    }
    usecase_env env = api_env(svc);
    jv_error e;
    if (usecase_study_load(&env, id, st, sd, &e) != 0) {
        api_reply_error(res, &e);
        return -1;
    }
    return 0;
}

void api_reply_trial(api_response *res, int status, store_trial *t, const study_def *sd,
                     int with_logs)
{
    api_reply(res, status, api_trial_json(t, sd, with_logs));
    store_trial_clear(t);
}

static json_t *time_json(double t)
{
    if (isnan(t))
        return json_null();
    char buf[40];
    util_iso8601(t, 1, buf, sizeof buf);
    return json_string(buf);
}

json_t *api_study_json(service *svc, const store_study *s, const study_def *sd)
{
    json_t *o = json_deep_copy(sd->spec);
    if (!o)
        return NULL;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)s->id);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "created_at", time_json(s->created_at));
    json_object_set_new(o, "state", json_string(s->state));
    json_object_set_new(o, "seq", json_integer(s->seq));
    if (!json_object_get(o, "notes")) /* set by PATCH; null until then */
        json_object_set_new(o, "notes", json_null());
    json_t *k = NULL;
    if (s->knowledge)
        k = json_loads(s->knowledge, 0, NULL);
    json_object_set_new(o, "knowledge", k ? k : json_null());
    int64_t counts[TRIAL_N_STATES];
    char err[256];
    if (store_study_counts(svc->st, s->id, counts, err, sizeof err) != STORE_OK) {
        json_decref(o);
        return NULL;
    }
    json_t *c = json_object();
    for (int i = 0; i < TRIAL_N_STATES; i++)
        json_object_set_new(c, store_state_name((trial_state)i), json_integer(counts[i]));
    json_object_set_new(o, "counts", c);
    return o;
}

static void write_time(jsonw *w, double t)
{
    if (isnan(t)) {
        jsonw_lit(w, "null");
        return;
    }
    char buf[40];
    util_iso8601(t, 1, buf, sizeof buf);
    jsonw_raw(w, "\"", 1);
    jsonw_lit(w, buf);
    jsonw_raw(w, "\"", 1);
}

/* ,"objectives":{...} of a trial of a study of several objectives: every
 * objective's value among its metrics, or null while one is missing. */
static void write_objectives(jsonw *w, const store_trial *t, const study_def *sd)
{
    double v[STUDY_MAX_OBJECTIVES];
    jsonw_lit(w, ",\"objectives\":");
    if (study_objectives_values(sd, (const char *const *)t->metric_names, t->metric_values,
                                t->n_metrics, v, NULL) != 0) {
        jsonw_lit(w, "null");
        return;
    }
    jsonw_raw(w, "{", 1);
    for (size_t j = 0; j < sd->n_objectives; j++) {
        if (j)
            jsonw_raw(w, ",", 1);
        jsonw_str(w, sd->objectives[j]);
        jsonw_raw(w, ":", 1);
        jsonw_double(w, v[j]);
    }
    jsonw_raw(w, "}", 1);
}

void api_trial_write(jsonw *w, const store_trial *t, const study_def *sd, int with_logs)
{
    char num[64];
    snprintf(num, sizeof num, "{\"id\":\"%lld\",\"study\":\"%lld\",\"number\":%lld,\"state\":\"",
             (long long)t->id, (long long)t->study_id, (long long)t->number);
    jsonw_lit(w, num);
    jsonw_lit(w, store_state_name(t->state));
    jsonw_lit(w, "\",\"worker\":");
    if (t->worker)
        jsonw_str(w, t->worker);
    else
        jsonw_lit(w, "null");
    /* params are stored as the JSON text the API returns */
    jsonw_lit(w, ",\"params\":");
    jsonw_lit(w, t->params ? t->params : "{}");
    jsonw_lit(w, ",\"metrics\":{");
    for (size_t i = 0; i < t->n_metrics; i++) {
        if (i)
            jsonw_raw(w, ",", 1);
        jsonw_str(w, t->metric_names[i]);
        jsonw_raw(w, ":", 1);
        jsonw_double(w, t->metric_values[i]);
    }
    jsonw_lit(w, "},\"objective\":");
    if (t->has_objective)
        jsonw_double(w, t->objective);
    else
        jsonw_lit(w, "null");
    if (sd && study_is_multi(sd))
        write_objectives(w, t, sd);
    jsonw_lit(w, ",\"reason\":");
    if (t->reason)
        jsonw_str(w, t->reason);
    else
        jsonw_lit(w, "null");
    jsonw_lit(w, ",\"seq\":");
    jsonw_int(w, t->seq);
    jsonw_lit(w, ",\"created_at\":");
    write_time(w, t->created_at);
    jsonw_lit(w, ",\"finished_at\":");
    write_time(w, t->finished_at);
    jsonw_lit(w, ",\"lease_expires_at\":");
    write_time(w, t->state == TRIAL_ACTIVE ? t->lease_expires_at : NAN);
    /* a result that arrived after the lease ran out (store_trial_finish) */
    int late = t->state != TRIAL_ACTIVE && t->state != TRIAL_EXPIRED && !isnan(t->lease_expires_at);
    jsonw_lit(w, late ? ",\"late\":true" : ",\"late\":false");
    jsonw_lit(w, t->is_default ? ",\"is_default\":true" : ",\"is_default\":false");
    jsonw_lit(w, ",\"logs_bytes\":");
    if (t->logs_bytes >= 0)
        jsonw_int(w, t->logs_bytes);
    else
        jsonw_lit(w, "null");
    jsonw_lit(w, t->logs_truncated ? ",\"logs_truncated\":true" : ",\"logs_truncated\":false");
    jsonw_lit(w, ",\"model\":");
    if (t->model)
        jsonw_str(w, t->model);
    else
        jsonw_lit(w, "null");
    jsonw_lit(w, ",\"model_reason\":");
    if (t->model_reason)
        jsonw_str(w, t->model_reason);
    else
        jsonw_lit(w, "null");
    /* stored as the JSON text the API returns */
    jsonw_lit(w, ",\"explanation\":");
    jsonw_lit(w, t->explanation ? t->explanation : "null");
    jsonw_lit(w, ",\"key\":");
    if (t->key)
        jsonw_str(w, t->key);
    else
        jsonw_lit(w, "null");
    if (with_logs) {
        jsonw_lit(w, ",\"logs\":");
        if (t->logs)
            jsonw_str(w, t->logs);
        else
            jsonw_lit(w, "null");
    }
    jsonw_raw(w, "}", 1);
}

json_t *api_trial_json(const store_trial *t, const study_def *sd, int with_logs)
{
    jsonw w;
    jsonw_init(&w);
    api_trial_write(&w, t, sd, with_logs);
    size_t len = 0;
    char *txt = jsonw_finish(&w, &len);
    if (!txt)
        return NULL;
    json_t *o = json_loadb(txt, len, 0, NULL);
    free(txt);
    return o;
}
