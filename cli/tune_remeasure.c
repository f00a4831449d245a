/*
 * tune_remeasure.c - re-measures the default and the best configuration of a
 * finished study K times each with the plugin, outside the study, and prints
 * medians, ranges and the improvement with its range (tune_remeasure.h),
 * and how much CPU other processes used meanwhile (plugins/sysload.h).
 *
 * Run i of the default and run i of the best run back to back, in the order
 * default-best for even i and best-default for odd i (D B B D D B ...), so a
 * drift of the machine falls on both sides of a pair alike and neither side
 * is always the first of its pair; the improvement is the median of the
 * pairs' ratios (adjacent runs of one configuration differ far less than
 * runs further apart: docs/plugins.md, rocksdb, "Measurement noise").
 */
#include "cli/tune_remeasure.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/tune_figures.h"
#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "plugins/sysload.h"
#include "util/util.h"

unsigned tune_remeasure_default_k(const plugin *p)
{
    return p && (p->flags & PLUGIN_FLAG_DETERMINISTIC) ? 0 : TUNE_REMEASURE_NOISY;
}

/* The measurements of one configuration. */
typedef struct {
    const char *label;          /* "default", "best" */
    long long number;           /* its trial in the study */
    plugin_config cfg;          /* owned */
    double values[TUNE_REMEASURE_MAX]; /* run i's figure, NAN when it failed */
    unsigned ok, failed;
} tune_side;

/* What every run shares. */
typedef struct {
    const tune_remeasure_options *o;
    plugin_option *options;     /* the study's plugin_options (+ "objective"); owned */
    size_t n_options;
    const char *objective;
    unsigned long long seed_base;
} tune_runs;

/* The study's plugin options as run options, as the worker builds them. */
static int tune_runs_init(tune_runs *r, const tune_remeasure_options *o, char *err,
                          size_t err_len)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->objective = json_string_value(
        json_object_get(json_object_get(o->study, "objective"), "name"));
    if (!r->objective)
        r->objective = "objective";
    /* Seeds past the trials' (the worker seeds a trial with its number). */
    json_int_t budget = json_integer_value(json_object_get(o->study, "budget"));
    r->seed_base = (unsigned long long)(budget > 0 ? budget : 0) + 1;
    worker_exec_policy none = {0};
    worker_exec_policy pol = o->policy ? *o->policy : none;
    pol.objective = r->objective;
    int rc = worker_study_options(o->plug, o->study, &pol, &r->options, &r->n_options, err,
                                  err_len);
    return rc;
}

static int tune_stopping(const tune_runs *r)
{
    return r->o->stop && atomic_load(r->o->stop) != 0;
}

/* Run i of side s: a progress line, then the figure or why it failed. */
static void tune_run_once(const tune_runs *r, tune_side *s, unsigned i)
{
    printf("re-measuring %-7s %u/%u ... ", s->label, i + 1, r->o->k);
    fflush(stdout);
    plugin_run_options ro;
    plugin_run_options_init(&ro);
    ro.timeout_seconds = r->o->timeout_seconds;
    ro.cancel = r->o->stop;
    ro.options = r->options;
    ro.n_options = r->n_options;
    ro.seed = r->seed_base + i;
    plugin_result res;
    plugin_result_init(&res);
    char err[512];
    plugin_run(r->o->plug, &s->cfg, &ro, &res, err, sizeof err);
    if (res.state != PLUGIN_OK && tune_stopping(r)) {
        printf("cancelled (not counted)\n");
    } else if (res.state == PLUGIN_OK && res.has_objective && isfinite(res.objective)) {
        s->values[i] = res.objective;
        s->ok++;
        printf("%s %.6g  [%.1fs]\n", r->objective, res.objective, res.elapsed_seconds);
    } else {
        s->failed++;
        printf("%s: %.200s  [%.1fs]\n", res.state == PLUGIN_OK ? "failed" :
               plugin_state_name(res.state), res.state == PLUGIN_OK ?
               "no objective in the result" : res.reason, res.elapsed_seconds);
    }
    fflush(stdout);
    plugin_result_free(&res);
}

/* "default (trial 1): ops_sec median 1.2e+05 (min 1.1e+05, max 1.3e+05), 3 runs" */
static void tune_print_side(const tune_runs *r, const tune_side *s, tune_spread *sp)
{
    *sp = tune_spread_of(s->values, r->o->k);
    printf("%-7s (trial %lld): ", s->label, s->number);
    if (sp->n == 0)
        printf("no successful run");
    else
        printf("%s median %.6g (min %.6g, max %.6g) over %u run%s", r->objective, sp->median,
               sp->min, sp->max, s->ok, s->ok == 1 ? "" : "s");
    if (s->failed)
        printf("; %u failed", s->failed);
    printf("\n");
}

static void tune_print_figures(const tune_runs *r, const tune_side *def, const tune_side *best,
                               int interrupted)
{
    int maximize = 0;
    const char *goal = json_string_value(
        json_object_get(json_object_get(r->o->study, "objective"), "goal"));
    if (goal && strcmp(goal, "maximize") == 0)
        maximize = 1;
    printf("\nre-measured%s:\n", interrupted ? " (interrupted; what was measured)" : "");
    tune_spread sd, sb;
    tune_print_side(r, def, &sd);
    tune_print_side(r, best, &sb);
    tune_improvement_range imp;
    size_t pairs = 0;
    if (tune_improvement_paired(maximize, def->values, best->values, r->o->k, &imp,
                                &pairs) == 0) {
        printf("improvement over the default: %.2fx (median of %zu pair%s of runs; pairs "
               "%.2fx-%.2fx; %s %s)\n", imp.median, pairs, pairs == 1 ? "" : "s", imp.low,
               imp.high, maximize ? "higher" : "lower", r->objective);
    } else if (tune_improvement_of(maximize, &sd, &sb, &imp) != 0) {
        printf("improvement over the default: not known (needs a successful run of each)\n");
    } else {
        /* no pair has both runs: the medians, worst and best case */
        printf("improvement over the default: %.2fx (medians of %zu and %zu runs, no complete "
               "pair; range %.2fx-%.2fx; %s %s)\n", imp.median, sd.n, sb.n, imp.low, imp.high,
               maximize ? "higher" : "lower", r->objective);
    }
    fflush(stdout);
}

/* The CPU time this process and its waited-for children have used, and the
 * monotonic clock: what the re-measurement itself accounts for. */
typedef struct {
    sysload_sample load;
    double own_cpu_seconds, at;
} tune_load_mark;

static double tune_tv(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void tune_load_mark_now(tune_load_mark *m)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    m->own_cpu_seconds = tune_tv(self.ru_utime) + tune_tv(self.ru_stime) +
                         tune_tv(kids.ru_utime) + tune_tv(kids.ru_stime);
    m->at = util_monotonic();
    sysload_read(&m->load);
}

/* "other processes used 0.98 of 2 CPUs on average while re-measuring": did
 * the runs have the machine to themselves (docs/plugins.md, rocksdb,
 * "Measurement noise")? */
static void tune_print_load(const tune_load_mark *a, const tune_load_mark *b)
{
    double other = sysload_other_cpus(&a->load, &b->load,
                                      b->own_cpu_seconds - a->own_cpu_seconds, b->at - a->at);
    if (!isfinite(other))
        return;
    printf("other processes used %.2f of %u CPUs on average while re-measuring%s\n", other,
           b->load.cpus, other >= 0.25 ? " (the runs shared the machine)" : "");
    fflush(stdout);
}

int tune_remeasure(const tune_remeasure_options *o, const json_t *def_params,
                   long long def_number, const json_t *best_params, long long best_number)
{
    assert(o && o->plug && o->study);
    assert(o->k >= 1 && o->k <= TUNE_REMEASURE_MAX);
    tune_side *sides = calloc(2, sizeof *sides);   /* K values each: not on the stack */
    if (!sides) {
        fprintf(stderr, "bograph tune: cannot re-measure: out of memory\n");
        return -1;
    }
    tune_side *def = &sides[0], *best = &sides[1];
    def->label = "default";
    def->number = def_number;
    best->label = "best";
    best->number = best_number;
    char err[512];
    tune_runs r = {0};
    int rc = -1;
    if (plugin_config_from_json(def_params, &def->cfg, err, sizeof err) != 0 ||
        plugin_config_from_json(best_params, &best->cfg, err, sizeof err) != 0 ||
        tune_runs_init(&r, o, err, sizeof err) != 0) {
        fprintf(stderr, "bograph tune: cannot re-measure: %s\n", err);
        goto out;
    }
    for (unsigned i = 0; i < o->k; i++)
        def->values[i] = best->values[i] = NAN;
    printf("\nre-measuring the default and the best configuration, %u run%s each, "
           "in pairs (default-best, best-default, ...; --remeasure %u)\n", o->k,
           o->k == 1 ? "" : "s", o->k);
    fflush(stdout);
    tune_load_mark load0, load1;
    tune_load_mark_now(&load0);
    for (unsigned i = 0; i < o->k && !tune_stopping(&r); i++) {
        tune_side *first = i % 2 ? best : def, *second = i % 2 ? def : best;
        tune_run_once(&r, first, i);
        if (!tune_stopping(&r))
            tune_run_once(&r, second, i);
    }
    int stopped = tune_stopping(&r);
    tune_load_mark_now(&load1);
    tune_print_figures(&r, def, best, stopped);
    tune_print_load(&load0, &load1);
    rc = stopped ? 1 : 0;
out:
    plugin_options_free(r.options, r.n_options);
    plugin_config_free(&def->cfg);
    plugin_config_free(&best->cfg);
    free(sides);
    return rc;
}
