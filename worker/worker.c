/*
 * worker.c - the ask/run/report loop of the worker: study lookup, one thread
 * per parallel slot, a heartbeat thread per running trial, reports with
 * retries, and a clean stop that fails the running trials with a reason.
 */
#include "worker/worker.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "worker/client.h"

#define WORKER_IDLE_WAIT_SECONDS 1.0
#define WORKER_MAX_IDLE_ROUNDS_QUIET 0
#define WORKER_STOPPED_REASON "worker stopped before the trial finished"

typedef struct {
    const worker_options *o;
    const plugin *plug;
    plugin_option *run_options;     /* the study's plugin_options, plus "objective" */
    size_t n_run_options;
    char objective[256];
    double lease_seconds;
    char base_name[200];
    atomic_size_t started;          /* trials taken, against max_trials */
    pthread_mutex_t mu;             /* summary, events, fatal */
    worker_summary sum;
    char fatal[2048];
    int has_fatal;
} worker_ctx;

typedef struct {
    worker_ctx *ctx;
    unsigned index;
    char name[256];
} worker_slot;

void worker_options_init(worker_options *o)
{
    memset(o, 0, sizeof *o);
    o->parallel = 1;
}

static int worker_stopping(const worker_ctx *ctx)
{
    return ctx->o->stop && atomic_load(ctx->o->stop) != 0;
}

static void worker_set_fatal(worker_ctx *ctx, const char *msg)
{
    pthread_mutex_lock(&ctx->mu);
    if (!ctx->has_fatal) {
        snprintf(ctx->fatal, sizeof ctx->fatal, "%s", msg);
        ctx->has_fatal = 1;
    }
    pthread_mutex_unlock(&ctx->mu);
}

static int worker_has_fatal(worker_ctx *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    int f = ctx->has_fatal;
    pthread_mutex_unlock(&ctx->mu);
    return f;
}

static void worker_sleep(const worker_ctx *ctx, double seconds)
{
    for (double t = 0; t < seconds && !worker_stopping(ctx); t += 0.05) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* ---- heartbeat ----------------------------------------------------------- */

typedef struct {
    worker_ctx *ctx;
    const char *path;               /* .../heartbeat */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
} worker_heartbeat;

static void *worker_heartbeat_main(void *arg)
{
    worker_heartbeat *hb = arg;
    char err[256];
    client *c = client_new(hb->ctx->o->url, hb->ctx->o->token, err, sizeof err);
    if (!c)
        return NULL;
    client_set_retries(c, 3, 2.0);
    double interval = hb->ctx->lease_seconds / 3.0;
    if (interval < 0.5)
        interval = 0.5;
    pthread_mutex_lock(&hb->mu);
    while (!hb->done) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        double t = until.tv_sec + until.tv_nsec / 1e9 + interval;
        until.tv_sec = (time_t)t;
        until.tv_nsec = (long)((t - floor(t)) * 1e9);
        int rc = pthread_cond_timedwait(&hb->cv, &hb->mu, &until);
        if (hb->done)
            break;
        if (rc == ETIMEDOUT) {
            pthread_mutex_unlock(&hb->mu);
            long status;
            json_t *out = NULL;
            if (client_request(c, "POST", hb->path, NULL, &status, &out, err, sizeof err) != 0)
                fprintf(stderr, "bograph worker: heartbeat failed: %s\n", err);
            else if (status / 100 != 2 && hb->ctx->o->verbose)
                fprintf(stderr, "bograph worker: heartbeat answered %ld: %s\n", status,
                        client_error_message(out));
            json_decref(out);
            pthread_mutex_lock(&hb->mu);
        }
    }
    pthread_mutex_unlock(&hb->mu);
    client_free(c);
    return NULL;
}

/* ---- one trial ----------------------------------------------------------- */

/* The body to report: the plugin's, with the objective among the metrics
 * when the plugin gave it only as res->objective. */
static json_t *worker_report_body(const worker_ctx *ctx, const plugin_result *res)
{
    json_t *body = plugin_result_to_json(res);
    if (!body || res->state != PLUGIN_OK || !res->has_objective || !ctx->objective[0])
        return body;
    json_t *metrics = json_object_get(body, "metrics");
    if (json_is_object(metrics) && !json_object_get(metrics, ctx->objective))
        json_object_set_new(metrics, ctx->objective, json_real(res->objective));
    return body;
}

/* Posts body to trial_path/verb. 1 when acknowledged (2xx), 0 when refused
 * (the reason in why), -1 when no answer came. */
static int worker_post(client *c, const char *trial_path, const char *verb, const json_t *body,
                       char *why, size_t why_len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", trial_path, verb);
    long status;
    json_t *out = NULL;
    int rc;
    if (client_request(c, "POST", path, body, &status, &out, why, why_len) != 0)
        rc = -1;
    else if (status / 100 != 2) {
        snprintf(why, why_len, "HTTP %ld: %s", status, client_error_message(out));
        rc = 0;
    } else
        rc = 1;
    json_decref(out);
    return rc;
}

/* Reports a result; 1 when the service acknowledged it. A result the service
 * refuses (e.g. metrics without the objective) is reported as a failure with
 * the service's reason, so the trial is not handed out to this worker again
 * and again; when even that is refused the worker stops. */
static int worker_report(worker_slot *slot, client *c, const char *trial_path,
                         const plugin_result *res)
{
    worker_ctx *ctx = slot->ctx;
    json_t *body = worker_report_body(ctx, res);
    if (!body) {
        fprintf(stderr, "bograph worker: out of memory building the report\n");
        return 0;
    }
    char why[1024];
    int rc = worker_post(c, trial_path, res->state == PLUGIN_OK ? "complete" : "fail", body, why,
                         sizeof why);
    json_decref(body);
    if (rc == 1)
        return 1;
    if (rc < 0) {
        fprintf(stderr, "bograph worker: could not report %s: %s (the trial's lease will "
                        "expire and its configuration be offered again)\n", trial_path, why);
        return 0;
    }
    fprintf(stderr, "bograph worker: the service refused the result of %s: %s\n", trial_path,
            why);
    if (res->state == PLUGIN_OK) {
        char reason[1100];
        snprintf(reason, sizeof reason, "the service refused the result: %s", why);
        json_t *fail = json_pack("{s:s, s:b}", "reason", reason, "infeasible", 0);
        rc = fail ? worker_post(c, trial_path, "fail", fail, why, sizeof why) : -1;
        json_decref(fail);
        if (rc == 1)
            return 0;
    }
    char msg[1400];
    snprintf(msg, sizeof msg, "cannot report trial %s: %s", trial_path, why);
    worker_set_fatal(ctx, msg);
    return 0;
}

static void worker_run_trial(worker_slot *slot, client *c, const json_t *trial)
{
    worker_ctx *ctx = slot->ctx;
    const char *tid = json_string_value(json_object_get(trial, "id"));
    const json_t *params = json_object_get(trial, "params");
    long long number = (long long)json_integer_value(json_object_get(trial, "number"));
    if (!tid || !json_is_object(params)) {
        worker_set_fatal(ctx, "the service answered a trial without id or params");
        return;
    }
    char trial_path[256], hb_path[300];
    snprintf(trial_path, sizeof trial_path, "/v1/studies/%s/trials/%s", ctx->o->study_id, tid);
    snprintf(hb_path, sizeof hb_path, "%s/heartbeat", trial_path);

    plugin_result res;
    plugin_result_init(&res);
    plugin_config cfg = {0};
    char err[512];
    if (plugin_config_from_json(params, &cfg, err, sizeof err) != 0) {
        plugin_result_set(&res, PLUGIN_FAILED, "configuration: %s", err);
    } else {
        worker_heartbeat hb = {.ctx = ctx, .path = hb_path, .done = 0};
        pthread_mutex_init(&hb.mu, NULL);
        pthread_cond_init(&hb.cv, NULL);
        pthread_t hb_thread;
        int hb_started = pthread_create(&hb_thread, NULL, worker_heartbeat_main, &hb) == 0;

        plugin_run_options ro;
        plugin_run_options_init(&ro);
        ro.timeout_seconds = ctx->o->timeout_seconds;
        ro.workdir = ctx->o->workdir;
        ro.cancel = ctx->o->stop;
        ro.options = ctx->run_options;
        ro.n_options = ctx->n_run_options;
        ro.seed = (uint64_t)number;
        plugin_run(ctx->plug, &cfg, &ro, &res, err, sizeof err);

        pthread_mutex_lock(&hb.mu);
        hb.done = 1;
        pthread_cond_signal(&hb.cv);
        pthread_mutex_unlock(&hb.mu);
        if (hb_started)
            pthread_join(hb_thread, NULL);
        pthread_cond_destroy(&hb.cv);
        pthread_mutex_destroy(&hb.mu);
    }
    plugin_config_free(&cfg);
    if (worker_stopping(ctx) && res.state != PLUGIN_OK)
        plugin_result_set(&res, PLUGIN_FAILED, WORKER_STOPPED_REASON);

    /* The report must get through even while stopping: a client without the
     * stop flag, with a few retries. */
    int reported = worker_report(slot, c, trial_path, &res);

    pthread_mutex_lock(&ctx->mu);
    if (!reported)
        ctx->sum.unreported++;
    else if (res.state == PLUGIN_OK)
        ctx->sum.completed++;
    else if (res.state == PLUGIN_INFEASIBLE)
        ctx->sum.infeasible++;
    else
        ctx->sum.failed++;
    if (ctx->o->verbose)
        fprintf(stderr, "bograph worker %s: trial %lld %s%s%s (%.1fs)\n", slot->name, number,
                plugin_state_name(res.state), res.reason[0] ? ": " : "", res.reason,
                res.elapsed_seconds);
    if (ctx->o->on_event) {
        worker_event ev = {.trial_id = tid, .number = number, .worker = slot->name,
                           .params = params, .state = res.state, .reason = res.reason,
                           .has_objective = res.has_objective, .objective = res.objective,
                           .elapsed_seconds = res.elapsed_seconds, .reported = reported};
        ctx->o->on_event(ctx->o->user, &ev);
    }
    pthread_mutex_unlock(&ctx->mu);
    plugin_result_free(&res);
}

/* ---- the loop of one slot ------------------------------------------------ */

static void *worker_slot_main(void *arg)
{
    worker_slot *slot = arg;
    worker_ctx *ctx = slot->ctx;
    char err[512];
    client *c = client_new(ctx->o->url, ctx->o->token, err, sizeof err);
    if (!c) {
        worker_set_fatal(ctx, err);
        return NULL;
    }
    client_set_retries(c, 10, 10.0);
    char path[256];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", ctx->o->study_id);

    while (!worker_stopping(ctx) && !worker_has_fatal(ctx)) {
        if (ctx->o->max_trials && atomic_load(&ctx->started) >= ctx->o->max_trials)
            break;
        json_t *body = json_pack("{s:i, s:s}", "count", 1, "worker", slot->name);
        long status;
        json_t *out = NULL;
        int rc = client_request(c, "POST", path, body, &status, &out, err, sizeof err);
        json_decref(body);
        if (rc != 0) {
            worker_set_fatal(ctx, err);
            break;
        }
        if (status / 100 != 2) {
            char msg[600];
            snprintf(msg, sizeof msg, "suggest answered %ld: %s", status, client_error_message(out));
            json_decref(out);
            worker_set_fatal(ctx, msg);
            break;
        }
        json_t *trials = json_object_get(out, "trials");
        if (json_is_true(json_object_get(out, "done"))) {
            json_decref(out);
            break;
        }
        if (!json_is_array(trials) || json_array_size(trials) == 0) {
            /* Budget held by other workers' active trials: wait for them. */
            json_decref(out);
            worker_sleep(ctx, WORKER_IDLE_WAIT_SECONDS);
            continue;
        }
        for (size_t i = 0; i < json_array_size(trials) && !worker_has_fatal(ctx); i++) {
            atomic_fetch_add(&ctx->started, 1);
            worker_run_trial(slot, c, json_array_get(trials, i));
        }
        json_decref(out);
    }
    client_free(c);
    return NULL;
}

/* ---- set-up -------------------------------------------------------------- */

/* Reads the study: plugin, plugin_options, objective, lease. */
static int worker_load_study(worker_ctx *ctx, char *err, size_t err_len)
{
    const worker_options *o = ctx->o;
    client *c = client_new(o->url, o->token, err, err_len);
    if (!c)
        return -1;
    client_set_cancel(c, o->stop);
    char path[256];
    snprintf(path, sizeof path, "/v1/studies/%s", o->study_id);
    long status;
    json_t *study = NULL;
    int rc = client_request(c, "GET", path, NULL, &status, &study, err, err_len);
    client_free(c);
    if (rc != 0)
        return -1;
    if (status / 100 != 2) {
        snprintf(err, err_len, "study %s: %s (HTTP %ld)", o->study_id, client_error_message(study),
                 status);
        json_decref(study);
        return -1;
    }
    const char *name = o->plugin_name;
    if (!name)
        name = json_string_value(json_object_get(study, "plugin"));
    if (!name) {
        snprintf(err, err_len, "study %s names no plugin: pass --plugin NAME", o->study_id);
        json_decref(study);
        return -1;
    }
    ctx->plug = plugins_find(o->reg, name);
    if (!ctx->plug) {
        snprintf(err, err_len, "no plugin '%s' on this machine", name);
        json_decref(study);
        return -1;
    }
    const char *objective = json_string_value(
        json_object_get(json_object_get(study, "objective"), "name"));
    snprintf(ctx->objective, sizeof ctx->objective, "%s", objective ? objective : "");
    json_t *lease = json_object_get(study, "lease_seconds");
    ctx->lease_seconds = json_is_number(lease) ? json_number_value(lease) : 600.0;

    /* The study's plugin options, and the objective for user-space plugins. */
    json_t *opts = json_deep_copy(json_object_get(study, "plugin_options"));
    if (!json_is_object(opts)) {
        json_decref(opts);
        opts = json_object();
    }
    if ((ctx->plug->flags & PLUGIN_FLAG_USER_SPACE) && ctx->objective[0] &&
        !json_object_get(opts, "objective"))
        json_object_set_new(opts, "objective", json_string(ctx->objective));
    rc = plugin_options_from_json(opts, &ctx->run_options, &ctx->n_run_options, err, err_len);
    json_decref(opts);
    json_decref(study);
    return rc;
}

int worker_run(const worker_options *o, worker_summary *sum, char *err, size_t err_len)
{
    assert(o && sum);
    worker_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.o = o;
    atomic_init(&ctx.started, 0);
    pthread_mutex_init(&ctx.mu, NULL);
    int rc = worker_load_study(&ctx, err, err_len);
    if (rc == 0) {
        if (o->worker_name) {
            snprintf(ctx.base_name, sizeof ctx.base_name, "%s", o->worker_name);
        } else {
            char host[128] = "worker";
            gethostname(host, sizeof host - 1);
            host[sizeof host - 1] = '\0';
            snprintf(ctx.base_name, sizeof ctx.base_name, "%s-%ld", host, (long)getpid());
        }
        unsigned n = o->parallel ? o->parallel : 1;
        if (ctx.plug->max_parallel > 0 && n > (unsigned)ctx.plug->max_parallel)
            n = (unsigned)ctx.plug->max_parallel;
        worker_slot *slots = calloc(n, sizeof *slots);
        pthread_t *threads = calloc(n, sizeof *threads);
        if (!slots || !threads) {
            snprintf(err, err_len, "out of memory");
            rc = -1;
        } else {
            unsigned started = 0;
            for (unsigned i = 0; i < n; i++) {
                slots[i].ctx = &ctx;
                slots[i].index = i;
                if (n == 1)
                    snprintf(slots[i].name, sizeof slots[i].name, "%s", ctx.base_name);
                else
                    snprintf(slots[i].name, sizeof slots[i].name, "%s/%u", ctx.base_name, i);
                if (pthread_create(&threads[i], NULL, worker_slot_main, &slots[i]) != 0)
                    break;
                started++;
            }
            for (unsigned i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
            if (started == 0) {
                snprintf(err, err_len, "could not start worker threads");
                rc = -1;
            }
        }
        free(slots);
        free(threads);
        if (rc == 0 && ctx.has_fatal) {
            snprintf(err, err_len, "%s", ctx.fatal);
            rc = -1;
        }
    }
    ctx.sum.interrupted = o->stop && atomic_load(o->stop) != 0;
    if (sum)
        *sum = ctx.sum;
    plugin_options_free(ctx.run_options, ctx.n_run_options);
    pthread_mutex_destroy(&ctx.mu);
    return rc;
}
