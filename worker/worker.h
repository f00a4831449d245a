/*
 * worker.h - the trial loop of `bograph worker` and `bograph tune`: ask the
 * service for a configuration, run it with a plugin, extend the lease while it
 * runs, report the metrics and raw logs (or why it failed), until the study's
 * budget is spent or the caller says stop. `parallel` threads, each with its
 * own worker id, so the service leases each of them its own trials.
 *
 * Failing fast: when the first max_initial_failures trials this worker ran
 * all failed (or every trial it ran failed, when the study ended sooner),
 * worker_run stops and returns -1 saying so, naming the default
 * configuration when it was one of them.
 *
 * What runs: see worker/study_options.h (program, trust_study_command).
 *
 * Stopping: when *stop becomes non-zero, running trials are cancelled and
 * reported as failed ("worker stopped before the trial finished"), so no
 * trial is lost silently; a trial whose report cannot be delivered is left to
 * its lease, and the service offers its configuration again after expiry.
 */
#ifndef BOGRAPH_WORKER_WORKER_H
#define BOGRAPH_WORKER_WORKER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "plugins/plugin.h"
#include "plugins/registry.h"

/* What one finished trial did, for progress output. */
typedef struct {
    const char *trial_id;
    long long number;            /* the trial's number in the study */
    const char *worker;
    const json_t *params;        /* the configuration */
    plugin_state state;
    const char *reason;          /* "" when ok */
    int has_objective;
    double objective;
    double elapsed_seconds;
    int reported;                /* the service acknowledged the result */
    const char *model;           /* the model that proposed it ("default", "sobol",
                                  * "gp", "bograph", ...); "" when not said */
    int is_default;              /* the study's default configuration */
    const char *constraint_missed; /* "" or the constraint it missed: "mem 90 > 80" */
    const plugin_result *result; /* the run's result (its metrics), valid during the call */
} worker_event;

typedef void (*worker_event_fn)(void *user, const worker_event *ev);

typedef struct {
    const char *url;             /* service base URL */
    const char *token;           /* may be NULL */
    const char *study_id;
    const char *plugin_name;     /* NULL: the study's plugin */
    const plugins_registry *reg;
    unsigned parallel;           /* threads; 0 = 1; capped by the plugin's max_parallel */
    double timeout_seconds;      /* per trial; 0 = the plugin's default */
    const char *workdir;         /* where runs make their temporary dirs; NULL = $TMPDIR */
    const char *worker_name;     /* NULL = "<hostname>-<pid>" */
    const atomic_int *stop;      /* may be NULL */
    size_t max_trials;           /* 0 = until the study is done */
    worker_event_fn on_event;    /* may be NULL; called from worker threads, one at a time */
    void *user;
    int verbose;                 /* a line per trial on stderr */
    char *const *program;        /* the command plugin's program and arguments given
                                  * on the worker's own command line, NULL-terminated;
                                  * NULL: none */
    const char *program_cwd;     /* its working directory; NULL: a fresh temporary one */
    int trust_study_command;     /* take argv, cwd, db_bench from the study */
    size_t max_initial_failures; /* 0 = never stop for failures; default 5 */
    size_t max_body;             /* the service's request limit; 0 = the default
                                  * (BOGRAPH_DEFAULT_MAX_BODY); a 413 shrinks it */
} worker_options;

typedef struct {
    size_t completed, failed, infeasible;
    size_t unreported;           /* results the service never acknowledged */
    int interrupted;             /* stopped by *stop */
    int failed_fast;             /* stopped because the first trials all failed */
    size_t logs_cut;             /* reports whose log was cut to fit the request limit */
} worker_summary;

void worker_options_init(worker_options *o);

/* Runs until the study is done, max_trials ran (exactly that many, also
 * with parallel > 1), or *stop. 0 on a normal end (including a stop), -1
 * with a message when the worker could not work (no such study or plugin, a
 * program it may not run, service unreachable after retries, rejected
 * token) or failed fast. */
int worker_run(const worker_options *o, worker_summary *sum, char *err, size_t err_len);

#endif
