/*
 * api_trials.c - trial endpoints: suggest (leases), list with after_seq
 * paging, get, warm-start import, complete (with log parsing), fail,
 * heartbeat; and the study's budget bookkeeping.
 *
 * Suggest order for one study: take the study's lock (registry), expire
 * leases, hand the worker its own active trials first, read the trials (a
 * short read transaction), compute the proposals with no transaction open,
 * then insert them in one write transaction. Other studies, and every read,
 * proceed meanwhile.
 */
#include "server/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine.h"
#ifdef BOGRAPH_HAVE_LOGS
#include "logs/logs.h"
#endif
#include "util/rng.h"
#include "util/util.h"

#define API_MAX_COUNT 1000
#define API_MAX_METRICS 10000
#define API_MAX_WORKER 200
#define API_DEFAULT_LIMIT 100
#define API_MAX_LIMIT 1000

/* Trials that use up budget: every state but expired. */
static int64_t budget_used(const int64_t c[TRIAL_N_STATES])
{
    return c[TRIAL_ACTIVE] + c[TRIAL_COMPLETED] + c[TRIAL_FAILED] + c[TRIAL_INFEASIBLE];
}

static int64_t finished(const int64_t c[TRIAL_N_STATES])
{
    return c[TRIAL_COMPLETED] + c[TRIAL_FAILED] + c[TRIAL_INFEASIBLE];
}

/* Marks the study done when its budget is spent. */
static void update_done(service *svc, const store_study *s, const study_def *sd)
{
    if (sd->budget < 0 || strcmp(s->state, "done") == 0)
        return;
    int64_t c[TRIAL_N_STATES];
    char err[256];
    if (store_study_counts(svc->st, s->id, c, err, sizeof err) == STORE_OK &&
        finished(c) >= sd->budget)
        store_study_set_state(svc->st, s->id, "done", err, sizeof err);
}

/* Appends the JSON of trial ids to arr (re-read so the reply is what is stored). */
static int append_trials(service *svc, int64_t study_id, const int64_t *ids, size_t n,
                         json_t *arr, char *err, size_t err_len)
{
    for (size_t i = 0; i < n; i++) {
        store_trial t;
        int rc = store_trial_get(svc->st, study_id, ids[i], 0, &t, err, err_len);
        if (rc != STORE_OK)
            return rc == STORE_NOT_FOUND ? util_err(err, err_len, "trial vanished") : -1;
        json_t *o = api_trial_json(&t, 0);
        store_trial_clear(&t);
        if (!o || json_array_append_new(arr, o) != 0)
            return util_err(err, err_len, "out of memory");
    }
    return 0;
}

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
        jv_get_int(body, "count", "", 0, 1, API_MAX_COUNT, &count, NULL, &e) != 0 ||
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
    registry_entry *lock = study_id > 0 ? registry_lock(svc->reg, study_id) : NULL;
    if (study_id > 0 && !lock) {
        api_reply_internal(res, "locking the study", "out of memory");
        json_decref(body);
        return;
    }
    store_study s;
    study_def sd;
    store_trials own = {0};
    double *configs = NULL;
    store_new_trial *news = NULL;
    store_trial_origin *origins = NULL;
    char **params_text = NULL;
    int64_t *ids = NULL;
    size_t n_new = 0, n_alloc = 0;
    char err[512] = "";
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        goto unlock;
    json_t *arr = json_array();
    if (!arr) {
        api_reply_internal(res, "suggest", "out of memory");
        goto out;
    }
    if (worker && store_trials_of_worker(svc->st, s.id, worker, &own, err, sizeof err) != STORE_OK) {
        api_reply_internal(res, "reading the worker's trials", err);
        goto out_arr;
    }
    size_t n_own = own.count < (size_t)count ? own.count : (size_t)count;
    for (size_t i = 0; i < n_own; i++)
        json_array_append_new(arr, api_trial_json(&own.items[i], 0));

    int64_t c[TRIAL_N_STATES];
    if (store_study_counts(svc->st, s.id, c, err, sizeof err) != STORE_OK) {
        api_reply_internal(res, "counting trials", err);
        goto out_arr;
    }
    int done = 0;
    size_t want = (size_t)count - n_own;
    if (sd.budget >= 0) {
        if (finished(c) >= sd.budget) {
            done = 1;
            if (strcmp(s.state, "done") != 0)
                store_study_set_state(svc->st, s.id, "done", err, sizeof err);
        }
        int64_t left = sd.budget - budget_used(c);
        if (left < 0)
            left = 0;
        if ((int64_t)want > left)
            want = (size_t)left;
    }
    if (want > 0) {
        size_t d = space_size(sd.sp);
        if (registry_history_refresh(lock, svc->st, s.id, engine_needs_metrics(&sd), err,
                                     sizeof err) != 0) {
            api_reply_internal(res, "reading trials", err);
            goto out_arr;
        }
        const store_trials *hist = registry_history(lock);
        configs = calloc(want * d + 1, sizeof *configs);
        news = calloc(want, sizeof *news);
        origins = calloc(want, sizeof *origins);
        params_text = calloc(want, sizeof *params_text);
        ids = calloc(want, sizeof *ids);
        if (!configs || !news || !origins || !params_text || !ids) {
            api_reply_internal(res, "suggest", "out of memory");
            goto out_arr;
        }
        n_alloc = want;
        /* The default configuration goes first, until a live trial runs it. */
        int with_default = sd.default_config != NULL;
        for (size_t i = 0; with_default && i < hist->count; i++) {
            const store_trial *t = &hist->items[i];
            if (t->state != TRIAL_EXPIRED &&
                (t->is_default || (t->state == TRIAL_ACTIVE && t->n_config == d &&
                                   space_config_equal(sd.sp, t->config, sd.default_config))))
                with_default = 0;
        }
        size_t first = 0;
        if (with_default) {
            memcpy(configs, sd.default_config, d * sizeof(double));
            first = 1;
        }
        engine_info info;
        memset(&info, 0, sizeof info);
        if (want > first) {
            uint64_t seed = rng_mix(sd.seed, (uint64_t)s.next_number);
            engine_context ctx = {.bo = registry_state(lock)};
            if (sd.algorithm == STUDY_ALG_BOGRAPH) {
                ctx.bograph = registry_bograph_state(lock);
                api_study_model_knowledge(lock, &s, &sd, &ctx.kn, info.reason,
                                          sizeof info.reason);
            }
            char note[sizeof info.reason];
            snprintf(note, sizeof note, "%s", info.reason);
            if (engine_suggest(&sd, hist, with_default ? sd.default_config : NULL, first,
                               want - first, seed, &ctx, configs + first * d, &info, err,
                               sizeof err) != 0) {
                api_reply_internal(res, "computing suggestions", err);
                goto out_arr;
            }
            if (note[0]) { /* the stored knowledge could not be used */
                char both[2 * sizeof info.reason + 4];
                snprintf(both, sizeof both, "%s%s%s", info.reason, info.reason[0] ? "; " : "",
                         note);
                both[sizeof info.reason - 1] = '\0';
                memcpy(info.reason, both, sizeof info.reason);
            }
        }
        for (size_t i = 0; i < want; i++) {
            json_t *p = study_params_json(&sd, configs + i * d);
            params_text[i] = p ? json_dumps(p, JSON_COMPACT) : NULL;
            json_decref(p);
            if (!params_text[i]) {
                api_reply_internal(res, "encoding parameters", "out of memory");
                goto out_arr;
            }
            news[i].params = params_text[i];
            news[i].config = configs + i * d;
            news[i].n_config = d;
            news[i].is_default = with_default && i == 0;
            origins[i].model = news[i].is_default ? "default" : info.model;
            origins[i].model_reason = !news[i].is_default && info.reason[0] ? info.reason : NULL;
        }
        n_new = want;
        double now = util_now();
        int rc = store_trials_insert_suggested(svc->st, s.id, news, origins, n_new, worker, now,
                                               now + sd.lease_seconds, ids, err, sizeof err);
        if (rc == STORE_NOT_FOUND) {
            api_reply_errorf(res, 404, "not_found", NULL, "study %lld was deleted",
                             (long long)s.id);
            goto out_arr;
        }
        if (rc != STORE_OK) {
            api_reply_internal(res, "storing suggestions", err);
            goto out_arr;
        }
        if (append_trials(svc, s.id, ids, n_new, arr, err, sizeof err) != 0) {
            api_reply_internal(res, "reading suggestions", err);
            goto out_arr;
        }
    }
    api_reply(res, 200, json_pack("{s:O, s:b}", "trials", arr, "done", done));
out_arr:
    json_decref(arr);
out:
    for (size_t i = 0; params_text && i < n_alloc; i++)
        free(params_text[i]);
    free(params_text);
    free(news);
    free(origins);
    free(configs);
    free(ids);
    store_trials_free(&own);
    study_def_free(&sd);
    store_study_clear(&s);
unlock:
    if (lock)
        registry_release(svc->reg, lock);
    json_decref(body);
}

void api_trial_list(service *svc, const api_request *req, api_response *res)
{
    int state = -1;
    int64_t after = 0, limit = API_DEFAULT_LIMIT;
    int present;
    const char *v = api_query(req, "state", &present);
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
    } ints[] = {{"after_seq", &after, 0, INT64_MAX / 2}, {"limit", &limit, 1, API_MAX_LIMIT}};
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
    } else {
        /* Written as text directly: this is the dashboard's polling path. */
        jsonw w;
        jsonw_init(&w);
        jsonw_lit(&w, "{\"trials\":[");
        int64_t next = after;
        for (size_t i = 0; i < page.count; i++) {
            if (i)
                jsonw_raw(&w, ",", 1);
            api_trial_write(&w, &page.items[i], 0);
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

static void reply_trial(service *svc, int64_t study_id, int64_t trial_id, int status,
                        int with_logs, api_response *res)
{
    char err[512] = "";
    store_trial t;
    int rc = store_trial_get(svc->st, study_id, trial_id, with_logs, &t, err, sizeof err);
    if (rc == STORE_NOT_FOUND) {
        api_reply_errorf(res, 404, "not_found", NULL, "no trial %lld in study %lld",
                         (long long)trial_id, (long long)study_id);
        return;
    }
    if (rc != STORE_OK) {
        api_reply_internal(res, "reading the trial", err);
        return;
    }
    api_reply(res, status, api_trial_json(&t, with_logs));
    store_trial_clear(&t);
}

void api_trial_get(service *svc, const api_request *req, api_response *res)
{
    store_study s;
    study_def sd;
    int64_t tid;
    if (load_trial_route(svc, req, res, &s, &sd, &tid) != 0)
        return;
    reply_trial(svc, s.id, tid, 200, 1, res);
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
    free(fi->result);
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics_free(&fi->parsed);
#endif
}

static int fi_set(finish_input *fi, const char *name, double value)
{
    for (size_t i = 0; i < fi->n; i++) {
        if (strcmp(fi->names[i], name) == 0) {
            fi->values[i] = value;
            return 0;
        }
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
    if (json_object_size(metrics) > API_MAX_METRICS)
        return jv_invalid(e, "metrics", "at most %d metrics", API_MAX_METRICS);
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
        if (strlen(key) > 200)
            return jv_invalid(e, f, "metric name longer than 200 characters");
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

/* The objective from fi, or a 400. */
static int finish_objective(const study_def *sd, const finish_input *fi, double *y, jv_error *e)
{
    for (size_t i = 0; i < fi->n; i++) {
        if (strcmp(fi->names[i], sd->objective) == 0) {
            *y = fi->values[i];
            return 0;
        }
    }
    return jv_invalid(e, "metrics", "metrics must contain the objective '%s'%s", sd->objective,
                      fi->logs ? " (or the logs must yield it)" : "");
}

static void reply_finish_rc(service *svc, int rc, const store_study *s, const study_def *sd,
                            int64_t tid, const char *what, const char *err, api_response *res)
{
    if (rc == STORE_OK || rc == STORE_SAME) {
        reply_trial(svc, s->id, tid, 200, 0, res);
        if (rc == STORE_OK)
            update_done(svc, s, sd);
    } else if (rc == STORE_NOT_FOUND) {
        api_reply_errorf(res, 404, "not_found", NULL, "no trial %lld in study %lld",
                         (long long)tid, (long long)s->id);
    } else if (rc == STORE_CONFLICT) {
        api_reply_errorf(res, 409, "conflict", NULL,
                         "trial %lld already finished with a different result", (long long)tid);
    } else {
        api_reply_internal(res, what, err);
    }
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
    if (finish_parse(svc, &sd, body, &fi, &e) != 0 || finish_objective(&sd, &fi, &y, &e) != 0) {
        api_reply_error(res, &e);
    } else {
        store_result r = {.state = TRIAL_COMPLETED,
                          .metric_names = fi.names,
                          .metric_values = fi.values,
                          .n_metrics = fi.n,
                          .has_objective = 1,
                          .objective = y,
                          .logs = fi.logs,
                          .logs_len = fi.logs_len,
                          .logs_bytes = fi.logs_bytes,
                          .logs_truncated = fi.logs_truncated,
                          .result = fi.result};
        char err[512] = "";
        int rc = store_trial_finish(svc->st, s.id, tid, &r, util_now(), err, sizeof err);
        reply_finish_rc(svc, rc, &s, &sd, tid, "completing the trial", err, res);
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
        char err[512] = "";
        int rc = store_trial_finish(svc->st, s.id, tid, &r, util_now(), err, sizeof err);
        reply_finish_rc(svc, rc, &s, &sd, tid, "failing the trial", err, res);
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
    char err[512] = "";
    int rc = store_trial_heartbeat(svc->st, s.id, tid, util_now() + sd.lease_seconds, err,
                                   sizeof err);
    if (rc == STORE_OK) {
        reply_trial(svc, s.id, tid, 200, 0, res);
    } else if (rc == STORE_NOT_FOUND) {
        api_reply_errorf(res, 404, "not_found", NULL, "no trial %lld in study %lld",
                         (long long)tid, (long long)s.id);
    } else if (rc == STORE_CONFLICT) {
        api_reply_errorf(res, 409, "conflict", NULL,
                         "trial %lld is not active (finished, or its lease expired)",
                         (long long)tid);
    } else {
        api_reply_internal(res, "extending the lease", err);
    }
    study_def_free(&sd);
    store_study_clear(&s);
}

void api_trial_import(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    static const char *const keys[] = {"params", "metrics", "logs", "log_format", "state",
                                       "reason", "worker", NULL};
    const char *state_name = "completed", *reason = NULL, *worker = NULL;
    if (jv_only_keys(body, keys, "", &e) != 0 ||
        jv_get_string(body, "state", "", 0, 1, &state_name, NULL, &e) != 0 ||
        jv_get_string(body, "reason", "", 0, 0, &reason, NULL, &e) != 0 ||
        jv_get_string(body, "worker", "", 0, 1, &worker, NULL, &e) != 0) {
        api_reply_error(res, &e);
        json_decref(body);
        return;
    }
    trial_state ts;
    if (store_state_parse(state_name, &ts) != 0 ||
        (ts != TRIAL_COMPLETED && ts != TRIAL_FAILED && ts != TRIAL_INFEASIBLE)) {
        api_reply_errorf(res, 400, "invalid_argument", "state",
                         "state must be completed, failed or infeasible");
        json_decref(body);
        return;
    }
    if (!json_object_get(body, "params")) {
        api_reply_errorf(res, 400, "invalid_argument", "params", "params is required");
        json_decref(body);
        return;
    }
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) != 0) {
        json_decref(body);
        return;
    }
    size_t d = space_size(sd.sp);
    double *config = calloc(d + 1, sizeof *config);
    finish_input fi;
    memset(&fi, 0, sizeof fi);
#ifdef BOGRAPH_HAVE_LOGS
    logs_metrics_init(&fi.parsed);
#endif
    double y = 0;
    char *params_text = NULL;
    if (!config) {
        api_reply_internal(res, "importing", "out of memory");
    } else if (study_params_parse(&sd, json_object_get(body, "params"), "params", config, &e) != 0 ||
               finish_parse(svc, &sd, body, &fi, &e) != 0 ||
               (ts == TRIAL_COMPLETED && finish_objective(&sd, &fi, &y, &e) != 0)) {
        api_reply_error(res, &e);
    } else {
        json_t *p = study_params_json(&sd, config);
        params_text = p ? json_dumps(p, JSON_COMPACT) : NULL;
        json_decref(p);
        store_new_trial nt = {.params = params_text,
                              .config = config,
                              .n_config = d,
                              .is_default = sd.default_config &&
                                            space_config_equal(sd.sp, config, sd.default_config)};
        store_result r = {.state = ts,
                          .metric_names = fi.names,
                          .metric_values = fi.values,
                          .n_metrics = fi.n,
                          .has_objective = ts == TRIAL_COMPLETED,
                          .objective = y,
                          .reason = ts == TRIAL_COMPLETED ? NULL : (reason ? reason : ""),
                          .logs = fi.logs,
                          .logs_len = fi.logs_len,
                          .logs_bytes = fi.logs_bytes,
                          .logs_truncated = fi.logs_truncated,
                          .result = fi.result};
        char err[512] = "";
        int64_t id = 0;
        int rc = params_text ? store_trial_import(svc->st, s.id, &nt, worker, &r, util_now(), &id,
                                                  err, sizeof err)
                             : util_err(err, sizeof err, "out of memory");
        if (rc == STORE_OK) {
            reply_trial(svc, s.id, id, 201, 0, res);
            update_done(svc, &s, &sd);
        } else if (rc == STORE_NOT_FOUND) {
            api_reply_errorf(res, 404, "not_found", NULL, "study %lld was deleted",
                             (long long)s.id);
        } else {
            api_reply_internal(res, "importing the trial", err);
        }
    }
    free(params_text);
    free(config);
    finish_input_free(&fi);
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}
