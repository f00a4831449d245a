/*
 * api_trials.c - trial endpoints: suggest (leases), list with after_seq
 * paging, get, warm-start import, complete (with log parsing), fail,
 * heartbeat. Each parses its request, calls one use case (usecase.h) and
 * renders the answer.
 */
#include "server/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BOGRAPH_HAVE_LOGS
#include "logs/logs.h"
#endif
#include "util/result_limits.h"
#include "util/strmap.h"
#include "util/util.h"

#define API_MAX_WORKER 200
#define API_DEFAULT_LIMIT 100
#define API_MAX_LIMIT 1000
#define API_MAX_EXPORT 1000000

void api_suggest(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 1, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    static const char *const keys[] = {"count", "worker", NULL};
    int64_t count = 1;
    const char *worker = NULL;
    if (jv_only_keys(body, keys, "", &e) != 0 ||
        jv_get_int(body, "count", "", 0, 1, USECASE_MAX_COUNT, &count, NULL, &e) != 0 ||
        jv_get_string(body, "worker", "", 0, 1, &worker, NULL, &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    if (worker && strlen(worker) > API_MAX_WORKER) {
        api_reply_errorf(res, 400, "invalid_argument", "worker", "worker is longer than %d",
                         API_MAX_WORKER);
        json_decref(body);
        return;
    }
    int64_t study_id = api_parse_id(req->captures[0]);
    if (study_id < 0) {
        api_reply_errorf(res, 404, "not_found", NULL, "no study '%s'", req->captures[0]);
        json_decref(body);
        return;
    }
    usecase_env env = api_env(svc);
    usecase_suggestion sug;
    if (usecase_suggest(&env, study_id, (size_t)count, worker, &sug, &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < sug.count; i++)
        if (json_array_append_new(arr, api_trial_json(&sug.trials[i], NULL, 0)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    if (!arr)
        api_reply_internal(res, "suggest", "out of memory");
    else {
        json_t *o = json_pack("{s:o, s:b}", "trials", arr, "done", sug.done);
        if (o && sug.retry_after_seconds > 0)
            json_object_set_new(o, "retry_after_seconds", json_integer(sug.retry_after_seconds));
        api_reply(res, 200, o);
    }
    usecase_suggestion_free(&sug);
    json_decref(body);
}

void api_trial_list(service *svc, const api_request *req, api_response *res)
{
    int state = -1;
    int64_t after = 0, limit = API_DEFAULT_LIMIT, max_limit = API_MAX_LIMIT;
    int present;
    const char *v = api_query(req, "format", &present);
    int csv = present && v && strcmp(v, "csv") == 0;
    if (present && !csv && !(v && strcmp(v, "json") == 0)) {
        api_reply_errorf(res, 400, "invalid_argument", "format", "format must be json or csv");
        return;
    }
    if (csv) /* an export: every trial unless limited */
        limit = max_limit = API_MAX_EXPORT;
    v = api_query(req, "state", &present);
    if (present) {
        trial_state ts;
        if (!v || store_state_parse(v, &ts) != 0) {
            api_reply_errorf(res, 400, "invalid_argument", "state",
                             "state must be active, completed, failed, infeasible or expired");
            return;
        }
        state = (int)ts;
    }
    struct {
        const char *key;
        int64_t *out;
        int64_t min, max;
    } ints[] = {{"after_seq", &after, 0, INT64_MAX / 2}, {"limit", &limit, 1, max_limit}};
    for (size_t i = 0; i < 2; i++) {
        v = api_query(req, ints[i].key, &present);
        if (!present)
            continue;
        char *end = NULL;
        long long x = v ? strtoll(v, &end, 10) : 0;
        if (!v || !*v || *end || x < ints[i].min || x > ints[i].max) {
            api_reply_errorf(res, 400, "invalid_argument", ints[i].key,
                             "%s must be an integer in [%lld, %lld]", ints[i].key,
                             (long long)ints[i].min, (long long)ints[i].max);
            return;
        }
        *ints[i].out = x;
    }
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        return;
    char err[512] = "";
    store_trials page;
    if (store_trials_page(svc->st, s.id, state, after, (size_t)limit, &page, err, sizeof err) !=
        STORE_OK) {
        api_reply_internal(res, "listing trials", err);
    } else if (csv) {
        api_trials_csv(&sd, &page, res);
        store_trials_free(&page);
    } else {
        /* Written as text directly: this is the dashboard's polling path. */
        jsonw w;
        jsonw_init(&w);
        jsonw_lit(&w, "{\"trials\":[");
        int64_t next = after;
        for (size_t i = 0; i < page.count; i++) {
            if (i)
                jsonw_raw(&w, ",", 1);
            api_trial_write(&w, &page.items[i], &sd, 0);
            next = page.items[i].seq;
        }
        jsonw_lit(&w, "],\"next_after_seq\":");
        jsonw_int(&w, next);
        jsonw_lit(&w, "}\n");
        size_t len = 0;
        char *txt = jsonw_finish(&w, &len);
        if (!txt) {
            api_reply_internal(res, "listing trials", "out of memory");
        } else {
            api_response_clear(res);
            res->status = 200;
            res->text = txt;
            res->text_len = len;
            res->content_type = "application/json";
        }
        store_trials_free(&page);
    }
    study_def_free(&sd);
    store_study_clear(&s);
}

/* Loads study and checks trial id capture; on failure the reply is set. */
static int load_trial_route(service *svc, const api_request *req, api_response *res,
                            store_study *s, study_def *sd, int64_t *trial_id)
{
    if (api_load_study(svc, req, res, s, sd) != 0)
        return -1;
    *trial_id = api_parse_id(req->captures[1]);
    if (*trial_id < 0) {
        api_reply_errorf(res, 404, "not_found", NULL, "no trial '%s' in study %lld",
                         req->captures[1], (long long)s->id);
        study_def_free(sd);
        store_study_clear(s);
        return -1;
    }
    return 0;
}

static void reply_trial(service *svc, const study_def *sd, int64_t study_id, int64_t trial_id,
                        int status, int with_logs, api_response *res)
{
    usecase_env env = api_env(svc);
    jv_error e;
    store_trial t;
    if (usecase_trial_get(&env, study_id, trial_id, with_logs, &t, &e) != 0)
        api_reply_error(res, &e);
    else
        api_reply_trial(res, status, &t, sd, with_logs);
}

void api_trial_get(service *svc, const api_request *req, api_response *res)
{
    store_study s;
    study_def sd;
    int64_t tid;
    if (load_trial_route(svc, req, res, &s, &sd, &tid) != 0)
        return;
    reply_trial(svc, &sd, s.id, tid, 200, 1, res);
    study_def_free(&sd);
    store_study_clear(&s);
}

/* A finishing request's metrics (explicit ones and those parsed from logs),
 * logs (capped) and canonical text. */
typedef struct {
    const char **names;
    double *values;
    size_t n;
    size_t cap;
    strmap *index;      /* name -> its place in names: merging is linear */
    char *result;
    const char *logs;
    size_t logs_len;
    int64_t logs_bytes;
    int logs_truncated;
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics parsed;
#endif
} finish_input;

static void finish_input_free(finish_input *fi)
{
    free(fi->names);
    free(fi->values);
    strmap_free(fi->index);
    free(fi->result);
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics_free(&fi->parsed);
#endif
}

/* Sets metric name (borrowed) to value: a later value of a name replaces
 * the earlier one (explicit metrics override those parsed from logs). */
static int fi_set(finish_input *fi, const char *name, double value)
{
    size_t at = 0;
    if (!fi->index && !(fi->index = strmap_new(64)))
        return -1;
    int added = strmap_put(fi->index, name, fi->n, &at);
    if (added < 0)
        return -1;
    if (added == 0) {
        fi->values[at] = value;
        return 0;
    }
    if (fi->n == fi->cap) {
        size_t ncap = fi->cap ? fi->cap * 2 : 16;
        const char **nn = realloc(fi->names, ncap * sizeof *nn);
        if (!nn)
            return -1;
        fi->names = nn;
        double *nv = realloc(fi->values, ncap * sizeof *nv);
        if (!nv)
            return -1;
        fi->values = nv;
        fi->cap = ncap;
    }
    fi->names[fi->n] = name;
    fi->values[fi->n] = value;
    fi->n++;
    return 0;
}

/* Validates metrics/logs/log_format of body into fi. The metrics' names
 * point into body. */
static int finish_parse(service *svc, const study_def *sd, json_t *body, finish_input *fi,
                        jv_error *e)
{
    memset(fi, 0, sizeof *fi);
    fi->logs_bytes = -1;
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics_init(&fi->parsed);
#endif
    json_t *metrics = json_object_get(body, "metrics");
    if (metrics && !json_is_null(metrics) && !json_is_object(metrics))
        return jv_invalid(e, "metrics", "metrics must be an object of name: number");
    if (json_object_size(metrics) > BOGRAPH_MAX_METRICS)
        return jv_invalid(e, "metrics", "at most %d metrics", BOGRAPH_MAX_METRICS);
    const char *logs = NULL, *fmt = NULL;
    int has_logs = 0;
    if (jv_get_string(body, "log_format", "", 0, 1, &fmt, NULL, e) != 0)
        return -1;
    json_t *jlogs = json_object_get(body, "logs");
    if (jlogs && !json_is_null(jlogs)) {
        if (!json_is_string(jlogs))
            return jv_invalid(e, "logs", "logs must be a string");
        logs = json_string_value(jlogs);
        has_logs = 1;
    }
    if (!fmt)
        fmt = sd->log_format;
    if (has_logs && fmt) {
        size_t len = json_string_length(jlogs);
#ifdef BOGRAPH_HAVE_LOGS
        char perr[256] = "";
        if (!logs_format_known(fmt))
            return jv_invalid(e, "log_format", "unknown log format '%s'", fmt);
        if (logs_parse(fmt, logs, len, &fi->parsed, perr, sizeof perr) != 0)
            return jv_invalid(e, "logs", "logs could not be parsed as %s: %s", fmt, perr);
        for (size_t i = 0; i < fi->parsed.count; i++)
            if (isfinite(fi->parsed.items[i].value) &&
                fi_set(fi, fi->parsed.items[i].name, fi->parsed.items[i].value) != 0)
                return jv_fail(e, 500, "internal", NULL, "out of memory");
#else
        (void)len;
        return jv_invalid(e, "log_format",
                          "this build has no log parsers; give metrics instead of log_format");
#endif
    }
    const char *key;
    json_t *val;
    json_object_foreach(metrics, key, val) {
        char f[300];
        snprintf(f, sizeof f, "metrics.%s", key);
        double d;
        if (key[0] == '\0')
            return jv_invalid(e, "metrics", "metric names must not be empty");
        if (strlen(key) > BOGRAPH_MAX_METRIC_NAME)
            return jv_invalid(e, f, "metric name longer than %d characters",
                              BOGRAPH_MAX_METRIC_NAME);
        if (jv_number_value(val, &d) != 0)
            return jv_invalid(e, f, "%s must be a finite number", f);
        if (fi_set(fi, key, d) != 0)
            return jv_fail(e, 500, "internal", NULL, "out of memory");
    }
    if (has_logs) {
        size_t len = json_string_length(jlogs);
        size_t cap = svc->opts.max_log_bytes;
        fi->logs_bytes = (int64_t)len;
        fi->logs = logs;
        fi->logs_len = len;
        if (len > cap) {
            /* keep the tail (where results usually are), starting on a UTF-8
             * character boundary */
            size_t start = len - cap;
            while (start < len && ((unsigned char)logs[start] & 0xC0) == 0x80)
                start++;
            fi->logs = logs + start;
            fi->logs_len = len - start;
            fi->logs_truncated = 1;
        }
    }
    json_t *canon = json_pack("{s:O, s:O, s:s?}", "metrics", metrics ? metrics : json_null(),
                              "logs", jlogs ? jlogs : json_null(), "log_format", fmt);
    fi->result = canon ? jv_dump_canonical(canon) : NULL;
    json_decref(canon);
    if (!fi->result)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    return 0;
}

/* The objective from fi (*has_y 1), or none for a study of several
 * objectives, whose objectives are among the metrics (*has_y 0); a 400 naming
 * the objective the metrics lack. */
static int finish_objective(const study_def *sd, const finish_input *fi, double *y, int *has_y,
                            jv_error *e)
{
    double v[STUDY_MAX_OBJECTIVES];
    const char *missing = "";
    if (study_objectives_values(sd, (const char *const *)fi->names, fi->values, fi->n, v,
                                &missing) == 0) {
        *y = v[0];
        *has_y = !study_is_multi(sd);
        return 0;
    }
    return jv_invalid(e, "metrics", "metrics must contain the objective '%s'%s%s", missing,
                      study_is_multi(sd) ? " (every objective of the study)" : "",
                      fi->logs ? " (or the logs must yield it)" : "");
}

/* Finishes the trial through the use case and renders it. */
static void finish_reply(service *svc, const store_study *s, const study_def *sd, int64_t tid,
                         const store_result *r, const char *what, api_response *res)
{
    usecase_env env = api_env(svc);
    jv_error e;
    store_trial t;
    if (usecase_trial_finish(&env, s, sd, tid, r, what, &t, &e) != 0)
        api_reply_error(res, &e);
    else
        api_reply_trial(res, 200, &t, sd, 0);
}

void api_trial_complete(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    static const char *const keys[] = {"metrics", "logs", "log_format", NULL};
    if (jv_only_keys(body, keys, "", &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    store_study s;
    study_def sd;
    int64_t tid;
    if (load_trial_route(svc, req, res, &s, &sd, &tid) != 0) {
        json_decref(body);
        return;
    }
    finish_input fi;
    double y = 0;
    int has_y = 0;
    if (finish_parse(svc, &sd, body, &fi, &e) != 0 ||
        finish_objective(&sd, &fi, &y, &has_y, &e) != 0) {
        api_reply_error(res, &e);
    } else {
        store_result r = {.state = TRIAL_COMPLETED,
                          .metric_names = fi.names,
                          .metric_values = fi.values,
                          .n_metrics = fi.n,
                          .has_objective = has_y,
                          .objective = y,
                          .logs = fi.logs,
                          .logs_len = fi.logs_len,
                          .logs_bytes = fi.logs_bytes,
                          .logs_truncated = fi.logs_truncated,
                          .result = fi.result};
        finish_reply(svc, &s, &sd, tid, &r, "completing the trial", res);
    }
    finish_input_free(&fi);
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}

void api_trial_fail(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 1, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    static const char *const keys[] = {"reason", "infeasible", NULL};
    const char *reason = NULL;
    int infeasible = 0;
    if (jv_only_keys(body, keys, "", &e) != 0 ||
        jv_get_string(body, "reason", "", 0, 0, &reason, NULL, &e) != 0 ||
        jv_get_bool(body, "infeasible", "", 0, &infeasible, NULL, &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    if (reason && strlen(reason) > 65536) {
        api_reply_errorf(res, 400, "invalid_argument", "reason", "reason is longer than 64 KiB");
        json_decref(body);
        return;
    }
    store_study s;
    study_def sd;
    int64_t tid;
    if (load_trial_route(svc, req, res, &s, &sd, &tid) != 0) {
        json_decref(body);
        return;
    }
    json_t *canon = json_pack("{s:s?, s:b}", "reason", reason, "infeasible", infeasible);
    char *result = canon ? jv_dump_canonical(canon) : NULL;
    json_decref(canon);
    if (!result) {
        api_reply_internal(res, "failing the trial", "out of memory");
    } else {
        store_result r = {.state = infeasible ? TRIAL_INFEASIBLE : TRIAL_FAILED,
                          .reason = reason ? reason : "",
                          .logs_bytes = -1,
                          .result = result};
        finish_reply(svc, &s, &sd, tid, &r, "failing the trial", res);
    }
    free(result);
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}

void api_trial_heartbeat(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    static const char *const keys[] = {NULL};
    if (jv_parse_object(req->body, req->body_len, 1, &body, &e) != 0 ||
        jv_only_keys(body, keys, "", &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    json_decref(body);
    store_study s;
    study_def sd;
    int64_t tid;
    if (load_trial_route(svc, req, res, &s, &sd, &tid) != 0)
        return;
    usecase_env env = api_env(svc);
    store_trial t;
    if (usecase_heartbeat(&env, &s, &sd, tid, &t, &e) != 0)
        api_reply_error(res, &e);
    else
        api_reply_trial(res, 200, &t, &sd, 0);
    study_def_free(&sd);
    store_study_clear(&s);
}

#define API_MAX_IMPORT 10000

/* One parsed import item: its configuration, result and key. */
typedef struct {
    double *config;
    finish_input fi;
    store_result r;
    const char *worker, *key;
} import_parsed;

static void import_parsed_free(import_parsed *ip)
{
    free(ip->config);
    finish_input_free(&ip->fi);
}

/* "<prefix><field>" in e->field for an item of a bulk import ("trials[3].params.x"). */
static void import_field_prefix(jv_error *e, const char *prefix)
{
    if (!prefix[0] || e->status != 400)
        return;
    char f[2 * sizeof e->field];
    snprintf(f, sizeof f, "%s%s%s", prefix, e->field[0] ? "." : "", e->field);
    snprintf(e->field, sizeof e->field, "%.*s", (int)sizeof e->field - 1, f);
}

/* Validates one import object (the single form's body or one of trials[]). */
static int import_item_parse(service *svc, const study_def *sd, json_t *item,
                             import_parsed *ip, jv_error *e)
{
    memset(ip, 0, sizeof *ip);
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics_init(&ip->fi.parsed);
#endif
    if (!json_is_object(item))
        return jv_invalid(e, "", "each trial must be an object");
    static const char *const keys[] = {"params", "metrics", "logs", "log_format", "state",
                                       "reason", "worker", "key", NULL};
    const char *state_name = "completed", *reason = NULL;
    if (jv_only_keys(item, keys, "", e) != 0 ||
        jv_get_string(item, "state", "", 0, 1, &state_name, NULL, e) != 0 ||
        jv_get_string(item, "reason", "", 0, 0, &reason, NULL, e) != 0 ||
        jv_get_string(item, "worker", "", 0, 1, &ip->worker, NULL, e) != 0 ||
        jv_get_string(item, "key", "", 0, 1, &ip->key, NULL, e) != 0)
        return -1;
    if (ip->key && strlen(ip->key) > API_MAX_WORKER)
        return jv_invalid(e, "key", "key is longer than %d", API_MAX_WORKER);
    trial_state ts;
    if (store_state_parse(state_name, &ts) != 0 ||
        (ts != TRIAL_COMPLETED && ts != TRIAL_FAILED && ts != TRIAL_INFEASIBLE))
        return jv_invalid(e, "state", "state must be completed, failed or infeasible");
    if (!json_object_get(item, "params"))
        return jv_invalid(e, "params", "params is required");
    ip->config = calloc(space_size(sd->sp) + 1, sizeof *ip->config);
    if (!ip->config)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    double y = 0;
    int has_y = 0;
    if (study_params_parse(sd, json_object_get(item, "params"), "params", ip->config, e) != 0 ||
        finish_parse(svc, sd, item, &ip->fi, e) != 0 ||
        (ts == TRIAL_COMPLETED && finish_objective(sd, &ip->fi, &y, &has_y, e) != 0))
        return -1;
    const finish_input *fi = &ip->fi;
    ip->r = (store_result){.state = ts,
                           .metric_names = fi->names,
                           .metric_values = fi->values,
                           .n_metrics = fi->n,
                           .has_objective = ts == TRIAL_COMPLETED && has_y,
                           .objective = y,
                           .reason = ts == TRIAL_COMPLETED ? NULL : (reason ? reason : ""),
                           .logs = fi->logs,
                           .logs_len = fi->logs_len,
                           .logs_bytes = fi->logs_bytes,
                           .logs_truncated = fi->logs_truncated,
                           .result = fi->result};
    return 0;
}

/* The items of an import: trials[] of the bulk form, or the body itself. */
static int import_items(json_t *body, json_t **list, size_t *n, jv_error *e)
{
    *list = json_object_get(body, "trials");
    if (!*list) {
        *n = 1;
        return 0;
    }
    if (!json_is_array(*list) || json_array_size(*list) == 0)
        return jv_invalid(e, "trials", "trials must be a non-empty array");
    if (json_array_size(*list) > API_MAX_IMPORT)
        return jv_invalid(e, "trials", "at most %d trials in one import", API_MAX_IMPORT);
    if (json_object_size(body) != 1)
        return jv_invalid(e, "trials", "a bulk import has trials and nothing else");
    *n = json_array_size(*list);
    return 0;
}

/* Parses every item (all or nothing) and imports them through the use case. */
static void import_run(service *svc, const store_study *s, const study_def *sd, json_t *body,
                       json_t *list, size_t n, api_response *res)
{
    jv_error e;
    import_parsed *ips = calloc(n, sizeof *ips);
    usecase_import_item *items = calloc(n, sizeof *items);
    size_t parsed = 0;
    int ok = ips && items;
    if (!ok)
        api_reply_internal(res, "importing", "out of memory");
    for (size_t i = 0; ok && i < n; i++, parsed++) {
        if (import_item_parse(svc, sd, list ? json_array_get(list, i) : body, &ips[i], &e) != 0) {
            char prefix[40] = "";
            if (list)
                snprintf(prefix, sizeof prefix, "trials[%zu]", i);
            import_field_prefix(&e, prefix);
            api_reply_error(res, &e);
            ok = 0;
            parsed++;
            break;
        }
        items[i] = (usecase_import_item){.config = ips[i].config, .worker = ips[i].worker,
                                         .r = &ips[i].r, .key = ips[i].key};
    }
    store_trials got;
    size_t n_new = 0;
    usecase_env env = api_env(svc);
    if (ok && usecase_import_many(&env, s, sd, items, n, &got, &n_new, &e) != 0) {
        api_reply_error(res, &e);
    } else if (ok && !list) {
        /* the single form answers with the trial; 200 when its key was stored before */
        api_reply_trial(res, n_new ? 201 : 200, &got.items[0], sd, 0);
        store_trials_free(&got);
    } else if (ok) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < got.count; i++)
            if (json_array_append_new(arr, api_trial_json(&got.items[i], sd, 0)) != 0) {
                json_decref(arr);
                arr = NULL;
            }
        api_reply(res, n_new ? 201 : 200,
                  arr ? json_pack("{s:o, s:I}", "trials", arr, "created", (json_int_t)n_new) : NULL);
        store_trials_free(&got);
    }
    for (size_t i = 0; ips && i < parsed; i++)
        import_parsed_free(&ips[i]);
    free(ips);
    free(items);
}

void api_trial_import(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL, *list = NULL;
    size_t n = 0;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0 ||
        import_items(body, &list, &n, &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) == 0) {
        import_run(svc, &s, &sd, body, list, n, res);
        study_def_free(&sd);
        store_study_clear(&s);
    }
    json_decref(body);
}
