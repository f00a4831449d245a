/*
 * worker.c - the ask/run/report loop of the worker: study lookup, one thread
 * per parallel slot, a heartbeat thread per running trial, reports with
 * retries (fitted to the request limit), failing fast when the first trials
 * all fail, and a clean stop that fails the running trials with a reason.
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
#include "util/result_limits.h"
#include "worker/client.h"
#include "worker/constraints.h"
#include "worker/report.h"
#include "worker/study_options.h"

#define WORKER_IDLE_WAIT_SECONDS 1.0
/* The longest retry_after_seconds the worker honours as given. */
#define WORKER_MAX_RETRY_WAIT_SECONDS 60.0
#define WORKER_MAX_IDLE_ROUNDS_QUIET 0
#define WORKER_STOPPED_REASON "worker stopped before the trial finished"
/* Smallest request limit a 413 shrinks the report to before it goes without
 * its log. */
#define WORKER_MIN_BODY (64u * 1024u)

typedef struct {
    const worker_options *o;
    const plugin *plug;
    plugin_option *run_options;     /* the study's plugin_options, plus "objective" */
    size_t n_run_options;
    char objective[256];
    char objectives[4][128];        /* a study of several objectives: their names */
    size_t n_objectives;            /* 0 for a study of one */
    json_t *constraints;            /* the study's, owned; may be NULL */
    double lease_seconds;
    char base_name[200];
    atomic_size_t started;          /* trials reserved, against max_trials */
    pthread_mutex_t mu;             /* summary, events, fatal, the fields below */
    worker_summary sum;
    char fatal[2048];
    int has_fatal;
    size_t max_body;                /* shrunk by a 413 */
    size_t first_failures;          /* trials failed before any other outcome */
    int any_outcome;                /* a trial completed or was infeasible */
    char default_failed[700];       /* "the default configuration (trial 1) failed: ..." */
    char last_failure[PLUGIN_REASON_MAX];
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
    o->max_initial_failures = 5;
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

/* Posts body to trial_path/verb. 1 when acknowledged (2xx), 0 when refused
 * (the reason in why, the status and the error's field in *status and
 * field), -1 when no answer came. */
static int worker_post(client *c, const char *trial_path, const char *verb, const json_t *body,
                       long *status, char *field, size_t field_len, char *why, size_t why_len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", trial_path, verb);
    json_t *out = NULL;
    int rc;
    *status = 0;
    if (field_len)
        field[0] = '\0';
    if (client_request(c, "POST", path, body, status, &out, why, why_len) != 0)
        rc = -1;
    else if (*status / 100 != 2) {
        snprintf(why, why_len, "HTTP %ld: %s", *status, client_error_message(out));
        const char *f = json_string_value(json_object_get(json_object_get(out, "error"), "field"));
        snprintf(field, field_len, "%s", f ? f : "");
        rc = 0;
    } else
        rc = 1;
    json_decref(out);
    return rc;
}

/* Whether a refusal of a complete body may be the log's doing: too large
 * (413) or a log the service's parser refused (400 on logs/log_format). */
static int worker_log_refused(long status, const char *field)
{
    return status == 413 ||
           (status == 400 && (strncmp(field, "logs", 4) == 0 || strcmp(field, "log_format") == 0));
}

/* Sends the result, fitted to the request limit; a 413 shrinks the limit and
 * a refused log is left out, so a measured result is never lost to its log.
 * What worker_post returns for the last attempt. */
static int worker_send_result(worker_slot *slot, client *c, const char *trial_path,
                              const plugin_result *res, char *why, size_t why_len)
{
    worker_ctx *ctx = slot->ctx;
    pthread_mutex_lock(&ctx->mu);
    size_t limit = ctx->max_body;
    pthread_mutex_unlock(&ctx->mu);
    const char *verb = res->state == PLUGIN_OK ? "complete" : "fail";
    for (int attempt = 0;; attempt++) {
        worker_report_fit fit;
        json_t *body = worker_report_body(res, ctx->objective, limit, &fit);
        if (!body) {
            snprintf(why, why_len, "out of memory building the report");
            return -1;
        }
        long status;
        char field[128];
        int rc = worker_post(c, trial_path, verb, body, &status, field, sizeof field, why,
                             why_len);
        json_decref(body);
        if (rc == 1 && (fit.log_cut || fit.log_dropped)) {
            pthread_mutex_lock(&ctx->mu);
            ctx->sum.logs_cut++;
            pthread_mutex_unlock(&ctx->mu);
            if (ctx->o->verbose)
                fprintf(stderr, "bograph worker %s: %s: log of %zu bytes %s to fit what the "
                        "service accepts\n", slot->name, trial_path, fit.log_bytes,
                        fit.log_dropped ? "left out" : "cut to its tail");
        }
        if (rc != 0 || res->state != PLUGIN_OK || fit.log_dropped || attempt >= 8 ||
            !fit.log_bytes || !worker_log_refused(status, field))
            return rc;
        /* A 413: the service's limit is lower than assumed; remember it. */
        if (status == 413) {
            limit = limit / 4 >= WORKER_MIN_BODY ? limit / 4 : 0;
            pthread_mutex_lock(&ctx->mu);
            if (limit && limit < ctx->max_body)
                ctx->max_body = limit;
            pthread_mutex_unlock(&ctx->mu);
        } else {
            limit = 0;
        }
    }
}

/* Reports a result; 1 when the service acknowledged it. A result the service
 * refuses (e.g. metrics without the objective) is reported as a failure with
 * the service's reason, so the trial is not handed out to this worker again
 * and again; when even that is refused the worker stops. */
static int worker_report(worker_slot *slot, client *c, const char *trial_path,
                         plugin_result *res)
{
    worker_ctx *ctx = slot->ctx;
    char why[1024];
    int rc = worker_send_result(slot, c, trial_path, res, why, sizeof why);
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
        plugin_result_set(res, PLUGIN_FAILED, "the service refused the result: %s", why);
        json_t *fail = plugin_result_to_json(res);
        long status;
        char field[128];
        rc = fail ? worker_post(c, trial_path, "fail", fail, &status, field, sizeof field, why,
                                sizeof why) : -1;
        json_decref(fail);
        if (rc == 1)
            return 1;
    }
    char msg[1400];
    snprintf(msg, sizeof msg, "cannot report trial %s: %s", trial_path, why);
    worker_set_fatal(ctx, msg);
    return 0;
}

/* Counts a finished trial into the summary and the fail-fast state; sets
 * the fatal error when the first max_initial_failures trials all failed.
 * Called with ctx->mu held. */
static void worker_count_outcome(worker_ctx *ctx, const plugin_result *res, int reported,
                                 long long number, int is_default)
{
    if (!reported)
        ctx->sum.unreported++;
    else if (res->state == PLUGIN_OK)
        ctx->sum.completed++;
    else if (res->state == PLUGIN_INFEASIBLE)
        ctx->sum.infeasible++;
    else
        ctx->sum.failed++;
    if (worker_stopping(ctx) || ctx->any_outcome || !reported)
        return;
    if (res->state != PLUGIN_FAILED) {
        ctx->any_outcome = 1;
        return;
    }
    ctx->first_failures++;
    snprintf(ctx->last_failure, sizeof ctx->last_failure, "%s", res->reason);
    if (is_default)
        snprintf(ctx->default_failed, sizeof ctx->default_failed,
                 "the default configuration (trial %lld) failed: %.600s", number, res->reason);
    size_t limit = ctx->o->max_initial_failures;
    if (limit && ctx->first_failures >= limit && !ctx->has_fatal) {
        snprintf(ctx->fatal, sizeof ctx->fatal, "the first %zu trials all failed, so this "
                 "stops (--max-initial-failures %zu)%s%s; the last said: %.700s",
                 ctx->first_failures, limit, ctx->default_failed[0] ? "; " : "",
                 ctx->default_failed, ctx->last_failure);
        ctx->has_fatal = 1;
        ctx->sum.failed_fast = 1;
    }
}

/* "bograph worker NAME: trial 3 (gp) ok: y 0.25, misses mem 90 > 80 (1.2s)".
 * Called with ctx->mu held. */
static void worker_print_trial(const worker_ctx *ctx, const worker_slot *slot,
                               const plugin_result *res, long long number, const char *model,
                               const char *missed)
{
    char what[PLUGIN_REASON_MAX + 600];
    if (res->state == PLUGIN_OK && ctx->n_objectives) {
        /* several objectives: each from the metrics */
        size_t at = (size_t)snprintf(what, sizeof what, "ok:");
        for (size_t j = 0; j < ctx->n_objectives && at < sizeof what; j++) {
            const double *v = plugin_result_metric(res, ctx->objectives[j]);
            int w = v ? snprintf(what + at, sizeof what - at, "%s %s %.6g", j ? "," : "",
                                 ctx->objectives[j], *v)
                      : snprintf(what + at, sizeof what - at, "%s %s -", j ? "," : "",
                                 ctx->objectives[j]);
            at += w > 0 ? (size_t)w : 0;
        }
        if (missed[0] && at < sizeof what)
            snprintf(what + at, sizeof what - at, ", misses constraint %s", missed);
    } else if (res->state == PLUGIN_OK && res->has_objective)
        snprintf(what, sizeof what, "ok: %s %.6g%s%s", ctx->objective[0] ? ctx->objective :
                 "objective", res->objective, missed[0] ? ", misses constraint " : "", missed);
    else
        snprintf(what, sizeof what, "%s%s%s", plugin_state_name(res->state),
                 res->reason[0] ? ": " : "", res->reason);
    fprintf(stderr, "bograph worker %s: trial %lld (%s) %s (%.1fs)\n", slot->name, number,
            model && model[0] ? model : "?", what, res->elapsed_seconds);
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
    const char *model = json_string_value(json_object_get(trial, "model"));
    int is_default = json_is_true(json_object_get(trial, "is_default"));
    char missed[300] = "";
    if (res.state == PLUGIN_OK)
        worker_constraint_missed(ctx->constraints, &res, missed, sizeof missed);

    pthread_mutex_lock(&ctx->mu);
    worker_count_outcome(ctx, &res, reported, number, is_default);
    if (ctx->o->verbose)
        worker_print_trial(ctx, slot, &res, number, model, missed);
    if (ctx->o->on_event) {
        worker_event ev = {.trial_id = tid, .number = number, .worker = slot->name,
                           .params = params, .state = res.state, .reason = res.reason,
                           .has_objective = res.has_objective, .objective = res.objective,
                           .elapsed_seconds = res.elapsed_seconds, .reported = reported,
                           .model = model ? model : "", .is_default = is_default,
                           .constraint_missed = missed, .result = &res};
        ctx->o->on_event(ctx->o->user, &ev);
    }
    pthread_mutex_unlock(&ctx->mu);
    plugin_result_free(&res);
}

/* ---- the loop of one slot ------------------------------------------------ */

/* How long to wait after an empty answer that is not done: its
 * retry_after_seconds (docs/api.md), capped, else a short idle wait. */
static double worker_retry_wait(const json_t *answer)
{
    json_t *r = json_object_get(answer, "retry_after_seconds");
    double s = json_is_number(r) ? json_number_value(r) : 0;
    if (!(s > 0))
        return WORKER_IDLE_WAIT_SECONDS;
    return s < WORKER_MAX_RETRY_WAIT_SECONDS ? s : WORKER_MAX_RETRY_WAIT_SECONDS;
}

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
    client_set_retry_log(c, "bograph worker");
    char path[256];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", ctx->o->study_id);

    int idle = 0; /* the last answer had nothing to run (said once per wait) */
    while (!worker_stopping(ctx) && !worker_has_fatal(ctx)) {
        /* Reserve a trial of max_trials before asking, so parallel slots
         * never run more than max_trials together. */
        size_t max = ctx->o->max_trials;
        if (max && atomic_fetch_add(&ctx->started, 1) >= max) {
            atomic_fetch_sub(&ctx->started, 1);
            break;
        }
        json_t *body = json_pack("{s:i, s:s}", "count", 1, "worker", slot->name);
        long status;
        json_t *out = NULL;
        int rc = client_request(c, "POST", path, body, &status, &out, err, sizeof err);
        json_decref(body);
        json_t *trials = json_object_get(out, "trials");
        size_t n = rc == 0 && status / 100 == 2 && json_is_array(trials) ? json_array_size(trials)
                                                                         : 0;
        if (max && n == 0)
            atomic_fetch_sub(&ctx->started, 1);
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
        if (json_is_true(json_object_get(out, "done"))) {
            json_decref(out);
            break;
        }
        if (n == 0) {
            /* Budget, or every configuration, held by other workers' active
             * trials: wait as long as the service asks, then ask again. */
            double wait = worker_retry_wait(out);
            if (ctx->o->verbose && !idle)
                fprintf(stderr, "bograph worker %s: nothing free (other workers hold the rest "
                                "of the budget); asking again in %g s\n", slot->name, wait);
            idle = 1;
            worker_sleep(ctx, wait);
            json_decref(out);
            continue;
        }
        idle = 0;
        for (size_t i = 0; i < n && !worker_has_fatal(ctx); i++)
            worker_run_trial(slot, c, json_array_get(trials, i));
        json_decref(out);
    }
    client_free(c);
    return NULL;
}

/* ---- set-up -------------------------------------------------------------- */

/* Reads the study: plugin, plugin_options (under the worker's rule on what
 * runs: worker/study_options.h), objective, constraints, lease. */
static int worker_load_study(worker_ctx *ctx, char *err, size_t err_len)
{
    const worker_options *o = ctx->o;
    client *c = client_new(o->url, o->token, err, err_len);
    if (!c)
        return -1;
    client_set_cancel(c, o->stop);
    client_set_retry_log(c, "bograph worker");
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
    const json_t *objectives = json_object_get(study, "objectives");
    for (size_t j = 0; j < json_array_size(objectives) && j < 4; j++) {
        const char *name = json_string_value(
            json_object_get(json_array_get(objectives, j), "name"));
        snprintf(ctx->objectives[ctx->n_objectives++], sizeof ctx->objectives[0], "%s",
                 name ? name : "?");
    }
    json_t *lease = json_object_get(study, "lease_seconds");
    ctx->lease_seconds = json_is_number(lease) ? json_number_value(lease) : 600.0;
    json_t *constraints = json_object_get(study, "constraints");
    ctx->constraints = json_is_array(constraints) ? json_incref(constraints) : NULL;

    worker_exec_policy pol = {.program = o->program, .cwd = o->program_cwd,
                              .trust_study_command = o->trust_study_command,
                              .objective = ctx->objective};
    rc = worker_study_options(ctx->plug, study, &pol, &ctx->run_options, &ctx->n_run_options,
                              err, err_len);
    json_decref(study);
    return rc;
}

/* The slots' threads, started and joined. 0, or -1 with err. */
static int worker_run_slots(worker_ctx *ctx, char *err, size_t err_len)
{
    const worker_options *o = ctx->o;
    if (o->worker_name) {
        snprintf(ctx->base_name, sizeof ctx->base_name, "%s", o->worker_name);
    } else {
        char host[128] = "worker";
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(ctx->base_name, sizeof ctx->base_name, "%s-%ld", host, (long)getpid());
    }
    unsigned n = o->parallel ? o->parallel : 1;
    if (ctx->plug->max_parallel > 0 && n > (unsigned)ctx->plug->max_parallel) {
        fprintf(stderr, "bograph worker: the plugin '%s' runs at most %d trial%s at a time on "
                "one machine: --parallel %u capped at %d\n", ctx->plug->name,
                ctx->plug->max_parallel, ctx->plug->max_parallel == 1 ? "" : "s", n,
                ctx->plug->max_parallel);
        n = (unsigned)ctx->plug->max_parallel;
    }
    worker_slot *slots = calloc(n, sizeof *slots);
    pthread_t *threads = calloc(n, sizeof *threads);
    int rc = 0;
    if (!slots || !threads) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    } else {
        unsigned started = 0;
        for (unsigned i = 0; i < n; i++) {
            slots[i].ctx = ctx;
            slots[i].index = i;
            if (n == 1)
                snprintf(slots[i].name, sizeof slots[i].name, "%s", ctx->base_name);
            else
                snprintf(slots[i].name, sizeof slots[i].name, "%s/%u", ctx->base_name, i);
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
    return rc;
}

int worker_run(const worker_options *o, worker_summary *sum, char *err, size_t err_len)
{
    assert(o && sum);
    worker_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.o = o;
    ctx.max_body = o->max_body ? o->max_body : BOGRAPH_DEFAULT_MAX_BODY;
    atomic_init(&ctx.started, 0);
    pthread_mutex_init(&ctx.mu, NULL);
    int rc = worker_load_study(&ctx, err, err_len);
    if (rc == 0)
        rc = worker_run_slots(&ctx, err, err_len);
    ctx.sum.interrupted = o->stop && atomic_load(o->stop) != 0;
    if (rc == 0 && ctx.has_fatal) {
        snprintf(err, err_len, "%s", ctx.fatal);
        rc = -1;
    } else if (rc == 0 && !ctx.sum.interrupted && !ctx.any_outcome && ctx.first_failures > 0 &&
               o->max_initial_failures) {
        /* The study ended before max_initial_failures trials, all failed. */
        snprintf(err, err_len, "all %zu trials this worker ran failed%s%s; the last said: %.700s",
                 ctx.first_failures, ctx.default_failed[0] ? "; " : "", ctx.default_failed,
                 ctx.last_failure);
        ctx.sum.failed_fast = 1;
        rc = -1;
    }
    if (sum)
        *sum = ctx.sum;
    plugin_options_free(ctx.run_options, ctx.n_run_options);
    json_decref(ctx.constraints);
    pthread_mutex_destroy(&ctx.mu);
    return rc;
}
