/*
 * tune_remeasure.h - `bograph tune --remeasure K`: after the budget, the
 * default and the best configuration are run K times each with the plugin
 * directly (not as study trials: the study and its budget stay as they are),
 * in pairs (default-best, best-default, ...) so a drift of the machine hits
 * both runs of a pair alike, and the improvement is printed as the median of
 * the pairs' ratios with their range (the ratio of the medians with its
 * worst- and best-case range when no pair is complete),
 * then how many CPUs' worth of time other processes used meanwhile (a busy
 * machine spreads the runs; plugins/sysload.h).
 */
#ifndef BOGRAPH_CLI_TUNE_REMEASURE_H
#define BOGRAPH_CLI_TUNE_REMEASURE_H

#include <jansson.h>
#include <stdatomic.h>

#include "plugins/plugin.h"
#include "worker/study_options.h"

#define TUNE_REMEASURE_MAX 100     /* largest K */
#define TUNE_REMEASURE_NOISY 3     /* default K of a plugin that is not deterministic */

/* K when the user gives none: 0 for a plugin that declares itself
 * deterministic (re-running it gives the same figure), else 3. */
unsigned tune_remeasure_default_k(const plugin *p);

typedef struct {
    const plugin *plug;
    const json_t *study;        /* the study (plugin_options, objective, budget) */
    unsigned k;                 /* 1..TUNE_REMEASURE_MAX */
    double timeout_seconds;     /* per run; 0 = the plugin's default */
    const atomic_int *stop;     /* cancels the running run and stops; may be NULL */
    const worker_exec_policy *policy; /* what may run, as for the worker; NULL: none given */
} tune_remeasure_options;

/* Runs and prints (progress lines, then the figures) the re-measurement of
 * def_params (the default, trial def_number) against best_params (trial
 * best_number). 0 when done (failed runs are reported, not hidden), 1 when
 * stopped by *stop (what was measured is printed), -1 when it could not run
 * (the reason printed on stderr). */
int tune_remeasure(const tune_remeasure_options *o, const json_t *def_params,
                   long long def_number, const json_t *best_params, long long best_number);

#endif
