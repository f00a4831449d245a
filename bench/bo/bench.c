/*
 * bench.c - bograph-bench: the engine's benchmark program.
 *
 * 1. Regret: runs gp, sobol and random on standard test functions for
 *    several seeds and prints the median simple regret (best value found
 *    minus the known minimum) after 10/25/50/100 evaluations.
 * 2. Latency: median wall time of one bo_suggest call with the gp algorithm
 *    (hyperparameter fit + acquisition optimisation) for n observations in
 *    d dimensions, cold (new study state) and warm (state carried from the
 *    previous call, as the service does).
 * Tables go to stdout, progress to stderr. See docs/engine.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "bo/design.h"
#include "bo/suggest.h"
#include "functions.h"

#define BENCH_MAX_LIST 32

/* OpenBLAS (the CBLAS GSL is linked to here): threads per BLAS call. */
void openblas_set_num_threads(int n);

typedef struct {
    const bench_function *fn[BENCH_MAX_LIST];
    size_t n_fn;
    bo_algorithm algo[BENCH_MAX_LIST];
    size_t n_algo;
    size_t seeds, budget;
    size_t checkpoints[BENCH_MAX_LIST];
    size_t n_checkpoints;
    int regret, latency;
    size_t lat_n[BENCH_MAX_LIST], n_lat_n;
    size_t lat_d[BENCH_MAX_LIST], n_lat_d;
    size_t lat_reps;
    size_t n_initial;
    bo_acquisition acq;
    size_t blas_threads;
    int no_warp;
    int quiet;
} bench_config;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (n == 0) return NAN;
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bograph-bench [options]\n"
            "\n"
            "Benchmarks the bograph optimisation engine (bo/): median simple regret of\n"
            "gp, sobol and random on standard functions, and the time per gp suggestion.\n"
            "The defaults are a short run; --full is the complete benchmark of\n"
            "docs/engine.md (a few minutes on 2 cores).\n"
            "\n"
            "  --full               all functions, 10 seeds, budget 100, latency at\n"
            "                       n=50,100,200,500,1000 and d=6,10,20\n"
            "  --functions LIST     comma-separated; default all: branin,hartmann6,\n"
            "                       ackley10,levy10,rosenbrock6,styblinski4in20\n"
            "                       (Styblinski-Tang on 4 of 20 dims)\n"
            "  --algorithms LIST    comma-separated from gp,sobol,random; default all\n"
            "  --seeds N            seeds per function and algorithm; default 3\n"
            "  --budget N           evaluations per run; default 50\n"
            "  --checkpoints LIST   evaluations to report; default 10,25,50,100\n"
            "  --latency-n LIST     observation counts; default 50,100,200\n"
            "  --latency-d LIST     dimensions; default 6,10\n"
            "  --latency-reps N     warm calls per latency cell; default 3\n"
            "  --n-initial N        space-filling points before the GP; default: the\n"
            "                       engine's (clamp(d + 1, 5, 10))\n"
            "  --acquisition A      logei (default) or ucb, for gp\n"
            "  --blas-threads N     OpenBLAS threads per call; default 1 (one suggestion\n"
            "                       per core, as the service runs them; more threads\n"
            "                       only help large n on an otherwise idle machine)\n"
            "  --no-warp            gp without output warping\n"
            "  --no-regret          skip the regret table\n"
            "  --no-latency         skip the latency table\n"
            "  --quiet              no progress on stderr\n"
            "  --help               this text\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0) return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_size_list(const char *s, size_t *out, size_t *n)
{
    char buf[512];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    *n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == BENCH_MAX_LIST || parse_size(tok, &out[*n]) != 0) return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

static int parse_args(int argc, char **argv, bench_config *c)
{
    memset(c, 0, sizeof(*c));
    for (const bench_function *f = bench_functions; f->name; f++) c->fn[c->n_fn++] = f;
    c->algo[0] = BO_GP;
    c->algo[1] = BO_SOBOL;
    c->algo[2] = BO_RANDOM;
    c->n_algo = 3;
    c->seeds = 3;
    c->budget = 50;
    size_t cps[] = {10, 25, 50, 100};
    memcpy(c->checkpoints, cps, sizeof cps);
    c->n_checkpoints = 4;
    c->regret = c->latency = 1;
    size_t ln[] = {50, 100, 200}, ld[] = {6, 10};
    memcpy(c->lat_n, ln, sizeof ln);
    c->n_lat_n = 3;
    memcpy(c->lat_d, ld, sizeof ld);
    c->n_lat_d = 2;
    c->lat_reps = 3;
    c->blas_threads = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE                                                   \
    do {                                                             \
        if (!v) {                                                    \
            fprintf(stderr, "bograph-bench: %s needs a value\n", a); \
            return -1;                                               \
        }                                                            \
        i++;                                                         \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--full")) {
            size_t k = 0;
            for (const bench_function *f = bench_functions; f->name; f++) c->fn[k++] = f;
            c->n_fn = k;
            c->seeds = 10;
            c->budget = 100;
            size_t fn[] = {50, 100, 200, 500, 1000}, fd[] = {6, 10, 20};
            memcpy(c->lat_n, fn, sizeof fn);
            c->n_lat_n = 5;
            memcpy(c->lat_d, fd, sizeof fd);
            c->n_lat_d = 3;
        } else if (!strcmp(a, "--functions")) {
            NEED_VALUE;
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v);
            c->n_fn = 0;
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                const bench_function *f = bench_function_find(tok);
                if (!f) {
                    fprintf(stderr, "bograph-bench: unknown function '%s' (see --help)\n", tok);
                    return -1;
                }
                if (c->n_fn == BENCH_MAX_LIST) return -1;
                c->fn[c->n_fn++] = f;
            }
        } else if (!strcmp(a, "--algorithms")) {
            NEED_VALUE;
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v);
            c->n_algo = 0;
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                if (c->n_algo == BENCH_MAX_LIST || bo_algorithm_parse(tok, &c->algo[c->n_algo]) != 0) {
                    fprintf(stderr, "bograph-bench: unknown algorithm '%s' (gp, sobol, random)\n", tok);
                    return -1;
                }
                c->n_algo++;
            }
        } else if (!strcmp(a, "--seeds") || !strcmp(a, "--budget") || !strcmp(a, "--latency-reps") ||
                   !strcmp(a, "--n-initial") || !strcmp(a, "--blas-threads")) {
            NEED_VALUE;
            size_t *dst = !strcmp(a, "--seeds") ? &c->seeds : !strcmp(a, "--budget") ? &c->budget
                        : !strcmp(a, "--n-initial") ? &c->n_initial
                        : !strcmp(a, "--blas-threads") ? &c->blas_threads : &c->lat_reps;
            if (parse_size(v, dst) != 0) {
                fprintf(stderr, "bograph-bench: %s needs a positive integer, got '%s'\n", a, v);
                return -1;
            }
        } else if (!strcmp(a, "--checkpoints") || !strcmp(a, "--latency-n") || !strcmp(a, "--latency-d")) {
            NEED_VALUE;
            size_t *dst = !strcmp(a, "--checkpoints") ? c->checkpoints : !strcmp(a, "--latency-n") ? c->lat_n : c->lat_d;
            size_t *n = !strcmp(a, "--checkpoints") ? &c->n_checkpoints : !strcmp(a, "--latency-n") ? &c->n_lat_n : &c->n_lat_d;
            if (parse_size_list(v, dst, n) != 0) {
                fprintf(stderr, "bograph-bench: %s needs positive integers separated by commas, got '%s'\n", a, v);
                return -1;
            }
        } else if (!strcmp(a, "--acquisition")) {
            NEED_VALUE;
            if (!strcmp(v, "logei")) c->acq = BO_ACQ_LOGEI;
            else if (!strcmp(v, "ucb")) c->acq = BO_ACQ_UCB;
            else {
                fprintf(stderr, "bograph-bench: unknown acquisition '%s' (logei, ucb)\n", v);
                return -1;
            }
        } else if (!strcmp(a, "--no-warp")) {
            c->no_warp = 1;
        } else if (!strcmp(a, "--no-regret")) {
            c->regret = 0;
        } else if (!strcmp(a, "--no-latency")) {
            c->latency = 0;
        } else if (!strcmp(a, "--quiet")) {
            c->quiet = 1;
        } else {
            fprintf(stderr, "bograph-bench: unknown option '%s' (see --help)\n", a);
            return -1;
        }
#undef NEED_VALUE
    }
    return 0;
}

static space *function_space(const bench_function *f)
{
    space *sp = space_new();
    char name[32];
    for (size_t k = 0; k < f->dim; k++) {
        snprintf(name, sizeof name, "x%zu", k);
        double lo = f->lows ? f->lows[k] : f->low, hi = f->highs ? f->highs[k] : f->high;
        if (!sp || space_add_float(sp, name, lo, hi, 0, NULL, 0) != 0) {
            space_free(sp);
            return NULL;
        }
    }
    return sp;
}

/* One optimisation run; best_so_far[t] is the best value after t+1
 * evaluations. Returns total suggestion time in seconds, or -1. */
static double run_one(const bench_config *c, const bench_function *f, bo_algorithm algo,
                      uint64_t seed, double *best_so_far)
{
    size_t budget = c->budget;
    space *sp = function_space(f);
    double *X = malloc(budget * f->dim * sizeof(double));
    double *y = malloc(budget * sizeof(double));
    bo_state *st = bo_state_new();
    double total = 0;
    char err[256];
    if (!sp || !X || !y || !st) {
        total = -1;
        goto done;
    }
    double best = INFINITY;
    for (size_t t = 0; t < budget; t++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = algo;
        req.X = X;
        req.y = y;
        req.n_obs = t;
        req.seed = seed;
        req.state = st;
        req.n_initial = c->n_initial;
        req.acquisition = c->acq;
        req.no_output_warping = c->no_warp;
        double t0 = now_s();
        if (bo_suggest(&req, X + t * f->dim, err, sizeof err) != 0) {
            fprintf(stderr, "bograph-bench: %s/%s seed %llu: %s\n", f->name,
                    bo_algorithm_name(algo), (unsigned long long)seed, err);
            total = -1;
            goto done;
        }
        total += now_s() - t0;
        y[t] = f->f(X + t * f->dim, f->dim);
        if (y[t] < best) best = y[t];
        best_so_far[t] = best;
    }
done:
    bo_state_free(st);
    space_free(sp);
    free(X);
    free(y);
    return total;
}

static int run_regret(const bench_config *c)
{
    size_t S = c->seeds, B = c->budget;
    double *traj = malloc(S * B * sizeof(double));
    double *tmp = malloc(S * sizeof(double));
    /* median regret at budget-or-checkpoint per function x algorithm */
    double *med = malloc(c->n_fn * c->n_algo * BENCH_MAX_LIST * sizeof(double));
    double *secs = malloc(c->n_fn * c->n_algo * sizeof(double));
    if (!traj || !tmp || !med || !secs) return -1;

    printf("== median simple regret over %zu seeds (f(best) - f*, lower is better) ==\n", S);
    printf("%-16s %-7s", "function", "algo");
    for (size_t k = 0; k < c->n_checkpoints; k++) {
        char h[24];
        snprintf(h, sizeof h, "@%zu", c->checkpoints[k]);
        printf(" %11s", h);
    }
    printf(" %12s\n", "s/suggest");
    fflush(stdout);

    for (size_t fi = 0; fi < c->n_fn; fi++) {
        const bench_function *f = c->fn[fi];
        for (size_t ai = 0; ai < c->n_algo; ai++) {
            double total = 0;
            for (size_t s = 0; s < S; s++) {
                double t = run_one(c, f, c->algo[ai], 1000 + s, traj + s * B);
                if (t < 0) return -1;
                total += t;
                if (!c->quiet)
                    fprintf(stderr, "  %s %s seed %zu: regret %.3g after %zu, %.2fs\n", f->name,
                            bo_algorithm_name(c->algo[ai]), s, traj[s * B + B - 1] - f->fmin, B, t);
            }
            secs[fi * c->n_algo + ai] = total / (double)(S * B);
            printf("%-16s %-7s", f->name, bo_algorithm_name(c->algo[ai]));
            for (size_t k = 0; k < c->n_checkpoints; k++) {
                size_t cp = c->checkpoints[k];
                double m = NAN;
                if (cp <= B) {
                    for (size_t s = 0; s < S; s++) tmp[s] = traj[s * B + cp - 1] - f->fmin;
                    m = median(tmp, S);
                }
                med[(fi * c->n_algo + ai) * BENCH_MAX_LIST + k] = m;
                if (isnan(m)) printf(" %11s", "-");
                else printf(" %11.3e", m);
            }
            printf(" %12.4f\n", secs[fi * c->n_algo + ai]);
            fflush(stdout);
        }
    }

    /* targets of docs/engine.md */
    printf("\n== regret targets ==\n");
    size_t gp_i = SIZE_MAX, rnd_i = SIZE_MAX, k50 = SIZE_MAX, k100 = SIZE_MAX;
    for (size_t ai = 0; ai < c->n_algo; ai++) {
        if (c->algo[ai] == BO_GP) gp_i = ai;
        if (c->algo[ai] == BO_RANDOM) rnd_i = ai;
    }
    for (size_t k = 0; k < c->n_checkpoints; k++) {
        if (c->checkpoints[k] == 50) k50 = k;
        if (c->checkpoints[k] == 100) k100 = k;
    }
    for (size_t fi = 0; fi < c->n_fn && gp_i != SIZE_MAX; fi++) {
        const char *name = c->fn[fi]->name;
        double *row = med + (fi * c->n_algo + gp_i) * BENCH_MAX_LIST;
        if (!strcmp(name, "branin") && k50 != SIZE_MAX && !isnan(row[k50]))
            printf("branin    gp median regret @50  %.3e <= 1e-3 : %s\n", row[k50],
                   row[k50] <= 1e-3 ? "met" : "MISSED");
        if (!strcmp(name, "hartmann6") && k100 != SIZE_MAX && !isnan(row[k100]))
            printf("hartmann6 gp median regret @100 %.3e <= 0.05 : %s\n", row[k100],
                   row[k100] <= 0.05 ? "met" : "MISSED");
        if (rnd_i != SIZE_MAX && k50 != SIZE_MAX && !isnan(row[k50])) {
            double r = med[(fi * c->n_algo + rnd_i) * BENCH_MAX_LIST + k50];
            printf("%-16s gp @50 %.3e < random @50 %.3e : %s\n", name, row[k50], r,
                   row[k50] < r ? "met" : "MISSED");
        }
    }
    printf("\n");
    free(traj);
    free(tmp);
    free(med);
    free(secs);
    return 0;
}

/* Time of gp suggestions with n observations of Levy-d at Sobol points:
 * one cold call, then reps warm calls each adding the previous suggestion. */
static int latency_cell(size_t n, size_t d, size_t reps, double *cold, double *warm_median)
{
    space *sp = space_new();
    char name[32];
    for (size_t k = 0; k < d; k++) {
        snprintf(name, sizeof name, "x%zu", k);
        if (space_add_float(sp, name, -10, 10, 0, NULL, 0) != 0) return -1;
    }
    size_t cap = n + reps + 1;
    double *X = malloc(cap * d * sizeof(double));
    double *y = malloc(cap * sizeof(double));
    double *times = malloc((reps + 1) * sizeof(double));
    double *u = malloc(d * sizeof(double));
    design *des = design_sobol_new(d, 77);
    bo_state *st = bo_state_new();
    int rc = -1;
    char err[256];
    if (!X || !y || !times || !u || !des || !st) goto done;
    for (size_t i = 0; i < n; i++) {
        design_next(des, u);
        for (size_t k = 0; k < d; k++) X[i * d + k] = -10 + 20 * u[k];
        y[i] = bench_function_eval_levy(X + i * d, d);
    }
    size_t have = n;
    for (size_t r = 0; r <= reps; r++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = BO_GP;
        req.X = X;
        req.y = y;
        req.n_obs = have;
        req.seed = 5 + r;
        req.state = st;
        double t0 = now_s();
        if (bo_suggest(&req, X + have * d, err, sizeof err) != 0) {
            fprintf(stderr, "bograph-bench: latency n=%zu d=%zu: %s\n", n, d, err);
            goto done;
        }
        times[r] = now_s() - t0;
        y[have] = bench_function_eval_levy(X + have * d, d);
        have++;
    }
    *cold = times[0];
    *warm_median = median(times + 1, reps);
    rc = 0;
done:
    bo_state_free(st);
    design_free(des);
    space_free(sp);
    free(X);
    free(y);
    free(times);
    free(u);
    return rc;
}

static int run_latency(const bench_config *c, int quiet)
{
    printf("== time per gp suggestion (fit + acquisition), seconds ==\n");
    printf("   warm: median of %zu calls with the study state carried over (as the service runs);\n", c->lat_reps);
    printf("   cold: first call, no previous fit\n");
    printf("%6s", "n");
    for (size_t j = 0; j < c->n_lat_d; j++) printf("   d=%-3zu warm    cold", c->lat_d[j]);
    printf("\n");
    double *warm = malloc(c->n_lat_n * c->n_lat_d * sizeof(double));
    if (!warm) return -1;
    for (size_t i = 0; i < c->n_lat_n; i++) {
        printf("%6zu", c->lat_n[i]);
        fflush(stdout);
        for (size_t j = 0; j < c->n_lat_d; j++) {
            double cold, wm;
            if (latency_cell(c->lat_n[i], c->lat_d[j], c->lat_reps, &cold, &wm) != 0) {
                free(warm);
                return -1;
            }
            warm[i * c->n_lat_d + j] = wm;
            if (!quiet)
                fprintf(stderr, "  latency n=%zu d=%zu: warm %.3fs cold %.3fs\n", c->lat_n[i],
                        c->lat_d[j], wm, cold);
            printf("   %12.3f %7.3f", wm, cold);
            fflush(stdout);
        }
        printf("\n");
    }
    printf("\n== latency targets ==\n");
    for (size_t i = 0; i < c->n_lat_n; i++)
        for (size_t j = 0; j < c->n_lat_d; j++) {
            size_t n = c->lat_n[i], d = c->lat_d[j];
            double w = warm[i * c->n_lat_d + j];
            if (n == 200 && d == 10)
                printf("n=200  d=10: %.3fs <= 0.25s : %s\n", w, w <= 0.25 ? "met" : "MISSED");
            if (n == 1000)
                printf("n=1000 d=%-2zu: %.3fs <= 5s : %s\n", d, w, w <= 5 ? "met" : "MISSED");
        }
    free(warm);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    bench_config c;
    if (parse_args(argc, argv, &c) != 0) return 2;
    openblas_set_num_threads((int)c.blas_threads);
    printf("bograph-bench: functions");
    for (size_t i = 0; i < c.n_fn; i++) printf("%s%s", i ? "," : " ", c.fn[i]->name);
    printf("; algorithms");
    for (size_t i = 0; i < c.n_algo; i++) printf("%s%s", i ? "," : " ", bo_algorithm_name(c.algo[i]));
    printf("; seeds %zu; budget %zu; BLAS threads %zu\n\n", c.seeds, c.budget, c.blas_threads);
    double t0 = now_s();
    if (c.regret && run_regret(&c) != 0) return 1;
    if (c.latency && run_latency(&c, c.quiet) != 0) return 1;
    printf("\ntotal %.1f s\n", now_s() - t0);
    return 0;
}
