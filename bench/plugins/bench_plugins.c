/*
 * bench_plugins.c - sanity benchmark of the analytic plugins: how good is
 * the default, and how much better can a search do?
 *
 * For each analytic plugin (accelerator, partition): the default's
 * objective; random search with a budget of B trials for S seeds (uniform
 * over each parameter: ordinal values and choices uniformly, ints uniformly
 * or log-uniformly as declared), reporting the best feasible objective that
 * meets the plugin's constraints and its ratio to the default; and a large
 * random sample (N points) as an estimate of the best the space holds.
 * Also times one evaluation.
 *
 *     bograph-bench-plugins [--budget B] [--seeds S] [--sample N]
 *     bograph-bench-plugins --rocksdb R
 *     bograph-bench-plugins --space PLUGIN
 *     bograph-bench-plugins --eval PLUGIN [--option K=V]... [--seed S]
 *
 * With --rocksdb R it instead runs the real rocksdb plugin R times on its
 * default configuration and R times on two other configurations, and
 * reports the trial time and the spread of ops/sec (mean, standard
 * deviation, coefficient of variation), so the noise of one measurement can
 * be compared with the differences between configurations.
 *
 * --space and --eval (plugin_eval.h) let an outside optimiser run a plugin:
 * the space as JSON, then one JSON configuration a line on stdin and one
 * JSON answer a line on stdout (bench/plugins/tpe_plugin.py drives it).
 *
 * Deterministic for given arguments (seeded splitmix64, no global state).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin_eval.h"
#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "plugins/registry.h"
#include "util/rng.h"

typedef struct {
    uint64_t s;
} bench_rng;

static uint64_t bench_next(bench_rng *r)
{
    return rng_next(&r->s);
}

static double bench_unif(bench_rng *r)
{
    return (double)(bench_next(r) >> 11) * 0x1.0p-53;
}

static size_t bench_index(bench_rng *r, size_t n)
{
    return (size_t)(bench_unif(r) * (double)n) % n;
}

/* A random configuration of p into cfg (values point into p's arrays). */
static void bench_sample(const plugin *p, bench_rng *r, plugin_value *vals)
{
    for (size_t i = 0; i < p->n_params; i++) {
        const plugin_param *q = &p->params[i];
        vals[i].name = q->name;
        vals[i].choice = NULL;
        vals[i].number = 0;
        switch (q->type) {
        case PLUGIN_PARAM_CATEGORICAL:
            vals[i].choice = q->choices[bench_index(r, q->n_choices)];
            break;
        case PLUGIN_PARAM_ORDINAL:
            vals[i].number = q->values[bench_index(r, q->n_values)];
            break;
        case PLUGIN_PARAM_FLOAT:
            vals[i].number = q->log_scale
                                 ? exp(log(q->low) + bench_unif(r) * (log(q->high) - log(q->low)))
                                 : q->low + bench_unif(r) * (q->high - q->low);
            break;
        case PLUGIN_PARAM_INT:
            if (q->log_scale) {
                /* Log-uniform over [low - 0.5, high + 0.5], rounded. */
                double lo = q->low > 0.5 ? q->low - 0.5 : q->low;
                double x = exp(log(lo) + bench_unif(r) * (log(q->high + 0.5) - log(lo)));
                vals[i].number = fmin(q->high, fmax(q->low, round(x)));
            } else {
                vals[i].number = q->low + (double)bench_index(r, (size_t)(q->high - q->low + 1));
            }
            break;
        }
    }
}

/* Objective of cfg, or NAN when infeasible / over a constraint. */
static double bench_eval(const plugin *p, const plugin_config *cfg, plugin_result *res)
{
    char err[256];
    if (plugin_run(p, cfg, NULL, res, err, sizeof err) != 0 || res->state != PLUGIN_OK ||
        !res->has_objective || !plugin_eval_meets(p, res, NULL))
        return NAN;
    return res->objective;
}

static int bench_better(const plugin *p, double a, double b)
{
    if (isnan(a))
        return 0;
    if (isnan(b))
        return 1;
    return p->goal == PLUGIN_MINIMIZE ? a < b : a > b;
}

static void bench_print_config(const plugin_config *cfg)
{
    json_t *j = plugin_config_to_json(cfg);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    printf("%s", s ? s : "?");
    free(s);
    json_decref(j);
}

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_plugin(const plugin *p, int budget, int seeds, int sample)
{
    plugin_result res;
    plugin_result_init(&res);
    plugin_config def = plugin_default_config(p);
    double t0 = bench_now();
    double d = bench_eval(p, &def, &res);
    double t_eval = bench_now() - t0;
    printf("\n== %s (%s %s) ==\n", p->name, plugin_goal_name(p->goal), p->objective);
    printf("default: %s = %.6g  ", p->objective, d);
    bench_print_config(&def);
    printf("\none evaluation: %.1f us\n", t_eval * 1e6);
    if (isnan(d)) {
        printf("the default is infeasible: %s\n", res.reason);
        plugin_result_free(&res);
        return -1;
    }

    plugin_value *vals = calloc(p->n_params, sizeof *vals);
    plugin_value *best_vals = calloc(p->n_params, sizeof *best_vals);
    if (!vals || !best_vals) {
        free(vals);
        free(best_vals);
        plugin_result_free(&res);
        return -1;
    }
    plugin_config cfg = {vals, p->n_params};
    double *ratios = calloc((size_t)seeds, sizeof *ratios);
    printf("random search, %d trials per seed:\n", budget);
    for (int s = 0; s < seeds; s++) {
        bench_rng r = {(uint64_t)(s + 1) * 7919u};
        double best = NAN;
        int infeasible = 0;
        for (int t = 0; t < budget; t++) {
            bench_sample(p, &r, vals);
            double y = bench_eval(p, &cfg, &res);
            if (isnan(y))
                infeasible++;
            if (bench_better(p, y, best))
                best = y;
        }
        double ratio = isnan(best) ? NAN : (p->goal == PLUGIN_MINIMIZE ? d / best : best / d);
        ratios[s] = ratio;
        printf("  seed %d: best %.6g, %.2fx better than default, %d/%d infeasible or over a "
               "constraint\n", s + 1, best, ratio, infeasible, budget);
    }
    /* Median ratio. */
    for (int i = 1; i < seeds; i++)
        for (int j = i; j > 0 && ratios[j] < ratios[j - 1]; j--) {
            double tmp = ratios[j];
            ratios[j] = ratios[j - 1];
            ratios[j - 1] = tmp;
        }
    if (seeds > 0)
        printf("  median over %d seeds: %.2fx\n", seeds, ratios[seeds / 2]);

    bench_rng r = {123456789u};
    double best = NAN;
    int feasible = 0;
    t0 = bench_now();
    for (int t = 0; t < sample; t++) {
        bench_sample(p, &r, vals);
        double y = bench_eval(p, &cfg, &res);
        if (!isnan(y))
            feasible++;
        if (bench_better(p, y, best)) {
            best = y;
            memcpy(best_vals, vals, p->n_params * sizeof *vals);
        }
    }
    double secs = bench_now() - t0;
    printf("best of %d random points (%d feasible, %.1f s): %.6g, %.2fx better than default\n  ",
           sample, feasible, secs, best, p->goal == PLUGIN_MINIMIZE ? d / best : best / d);
    plugin_config bc = {best_vals, p->n_params};
    bench_print_config(&bc);
    printf("\n");
    if (!isnan(best)) {
        bench_eval(p, &bc, &res);
        printf("  its metrics:");
        for (size_t i = 0; i < res.n_metrics; i++)
            printf(" %s=%.4g", res.metrics[i].name, res.metrics[i].value);
        printf("\n");
    }
    bench_eval(p, &def, &res);
    printf("  default's metrics:");
    for (size_t i = 0; i < res.n_metrics; i++)
        printf(" %s=%.4g", res.metrics[i].name, res.metrics[i].value);
    printf("\n");
    free(ratios);
    free(vals);
    free(best_vals);
    plugin_result_free(&res);
    return 0;
}

static double bench_min(const double *x, int n)
{
    double m = x[0];
    for (int i = 1; i < n; i++)
        m = fmin(m, x[i]);
    return m;
}

static double bench_max(const double *x, int n)
{
    double m = x[0];
    for (int i = 1; i < n; i++)
        m = fmax(m, x[i]);
    return m;
}

static void bench_stats(const double *x, int n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

static int bench_rocksdb(const plugins_registry *reg, int reps)
{
    const plugin *p = plugins_find(reg, "rocksdb");
    if (!p)
        return 1;
    plugin_config def = plugin_default_config(p);
    plugin_config small = {NULL, 0}, big = {NULL, 0};
    if (plugin_config_copy(&def, &small) != 0 || plugin_config_copy(&def, &big) != 0)
        return 1;
    /* Small memtables flushed early with eager compaction; one huge memtable. */
    plugin_config_set(&small, "write_buffer_size", 4194304, NULL);
    plugin_config_set(&small, "level0_file_num_compaction_trigger", 2, NULL);
    plugin_config_set(&small, "max_background_compactions", 2, NULL);
    plugin_config_set(&big, "write_buffer_size", 268435456, NULL);
    plugin_config_set(&big, "block_size", 16384, NULL);
    const struct {
        const char *label;
        const plugin_config *cfg;
    } cases[] = {{"default", &def}, {"4 MiB memtable, L0 trigger 2, 2 compactions", &small},
                 {"256 MiB memtable, 16 KiB blocks", &big}};
    double *ops = calloc((size_t)reps, sizeof *ops), *secs = calloc((size_t)reps, sizeof *secs);
    if (!ops || !secs) {
        free(ops);
        free(secs);
        return 1;
    }
    plugin_result res;
    plugin_result_init(&res);
    int rc = 0;
    printf("== rocksdb: %d trials per configuration (db_bench %s) ==\n", reps,
           "fillrandom 200k x 400 B, mixgraph 200k ops");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int n = 0;
        for (int i = 0; i < reps; i++) {
            char err[256];
            plugin_run_options o;
            plugin_run_options_init(&o);
            if (plugin_run(p, cases[c].cfg, &o, &res, err, sizeof err) != 0 ||
                res.state != PLUGIN_OK) {
                printf("  %s: trial %d failed: %s\n", cases[c].label, i + 1, res.reason);
                rc = 1;
                continue;
            }
            ops[n] = res.objective;
            secs[n] = res.elapsed_seconds;
            n++;
            printf("  %s: trial %d: %.0f ops/sec in %.2f s\n", cases[c].label, i + 1,
                   res.objective, res.elapsed_seconds);
            fflush(stdout);
        }
        if (n > 0) {
            double m, sd, tm, tsd;
            bench_stats(ops, n, &m, &sd);
            bench_stats(secs, n, &tm, &tsd);
            printf("%s: ops/sec mean %.0f, sd %.0f (cv %.1f%%), min %.0f, max %.0f; trial "
                   "time mean %.2f s (sd %.2f)\n",
                   cases[c].label, m, sd, 100.0 * sd / m, bench_min(ops, n), bench_max(ops, n),
                   tm, tsd);
        }
    }
    plugin_result_free(&res);
    plugin_config_free(&small);
    plugin_config_free(&big);
    free(ops);
    free(secs);
    return rc;
}

/* --space PLUGIN | --eval PLUGIN [options]: see plugin_eval.h. */
static int bench_eval_mode(int argc, char **argv)
{
    plugins_registry *reg = plugins_registry_new();
    if (!reg) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int rc = !strcmp(argv[1], "--space") ? (argc == 3 ? plugin_eval_space(reg, argv[2]) : 2)
                                         : plugin_eval_run(reg, argv[2], argc - 3, argv + 3);
    plugins_registry_free(reg);
    return rc;
}

int main(int argc, char **argv)
{
    int budget = 50, seeds = 5, sample = 100000, rocksdb = 0;
    if (argc >= 3 && (!strcmp(argv[1], "--space") || !strcmp(argv[1], "--eval")))
        return bench_eval_mode(argc, argv);
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--budget") == 0)
            budget = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--seeds") == 0)
            seeds = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--sample") == 0)
            sample = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--rocksdb") == 0)
            rocksdb = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--budget B] [--seeds S] [--sample N] | --rocksdb R | --space PLUGIN |\n"
                    "       --eval PLUGIN [--option K=V]... [--seed S]\n", argv[0]);
            return 2;
        }
    }
    if (budget < 1 || seeds < 1 || sample < 1) {
        fprintf(stderr, "budget, seeds and sample must be positive\n");
        return 2;
    }
    plugins_registry *reg = plugins_registry_new();
    if (!reg) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (rocksdb > 0) {
        int r = bench_rocksdb(reg, rocksdb);
        plugins_registry_free(reg);
        return r;
    }
    int rc = 0;
    const char *names[] = {"accelerator", "partition"};
    for (size_t i = 0; i < 2; i++) {
        const plugin *p = plugins_find(reg, names[i]);
        if (!p || bench_plugin(p, budget, seeds, sample) != 0)
            rc = 1;
    }
    plugins_registry_free(reg);
    return rc;
}
