/*
 * bench_mo.c - bograph-bench-mo: the multi-objective benchmark problems
 * (ZDT1, ZDT2, ZDT3 and two-objective DTLZ2, every objective minimised, d
 * parameters in [0, 1]) with a fixed reference point each, and runs of the
 * engine on them. bench/mo/run.py drives it: --run for bograph's engine
 * (bo_suggest_multi) and random, --space and --eval for Optuna's samplers,
 * so every method sees the same problems and the same hypervolume.
 *
 *   --list                                  problems, reference points and the
 *                                           true front's hypervolume
 *   --space NAME [--dim D]                  the search space (bench/space_text.h)
 *   --eval NAME [--dim D]                   configurations on stdin ->
 *                                           "f1 f2 hypervolume-so-far" a line
 *   --run NAME --method bograph|random --seed S [--budget N] [--dim D]
 *         [--checkpoints 20,40,80]          -> "hv@c ... s_per_suggestion"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "bo/pareto.h"
#include "bo/suggest.h"
#include "bo/suggest_multi.h"
#include "space_text.h"
#include "util/util.h"

#define MO_MAX_CHECKPOINTS 16
#define MO_MAX_DIM 64

void openblas_set_num_threads(int n);

static const char *const mo_problems[] = {"zdt1", "zdt2", "zdt3", "dtlz2"};
#define MO_N_PROBLEMS (sizeof mo_problems / sizeof mo_problems[0])
static const int MO_MIN2[2] = {0, 0};

static int mo_problem_index(const char *name)
{
    for (size_t i = 0; i < MO_N_PROBLEMS; i++)
        if (!strcmp(name, mo_problems[i])) return (int)i;
    return -1;
}

/* The two objectives of problem pi at x (d values in [0, 1]). */
static void mo_eval(int pi, const double *x, size_t d, double *f)
{
    double s = 0;
    if (pi == 3) { /* DTLZ2, M = 2: distance from the unit circle's quarter */
        for (size_t i = 1; i < d; i++) s += (x[i] - 0.5) * (x[i] - 0.5);
        f[0] = (1 + s) * cos(x[0] * M_PI / 2);
        f[1] = (1 + s) * sin(x[0] * M_PI / 2);
        return;
    }
    for (size_t i = 1; i < d; i++) s += x[i];
    double g = 1 + 9 * s / (double)(d - 1), r = x[0] / g;
    f[0] = x[0];
    if (pi == 0) f[1] = g * (1 - sqrt(r));
    else if (pi == 1) f[1] = g * (1 - r * r);
    else f[1] = g * (1 - sqrt(r) - r * sin(10 * M_PI * x[0]));
}

/* 1.1 times the largest value each objective takes on [0, 1]^d. */
static void mo_reference(int pi, size_t d, double *ref)
{
    if (pi == 3) {
        ref[0] = ref[1] = 1.1 * (1 + 0.25 * (double)(d - 1));
    } else {
        ref[0] = 1.1;
        ref[1] = 11.0;
    }
}

/* The hypervolume of the true front, from 10001 points of the Pareto set
 * (x_1.. = 0 for ZDT, 0.5 for DTLZ2; ZDT3's disconnected front filtered). */
static double mo_true_hypervolume(int pi, size_t d)
{
    enum { N = 10001 };
    double *Y = malloc(N * 2 * sizeof(double));
    double x[MO_MAX_DIM], ref[2];
    if (!Y) return NAN;
    for (size_t i = 1; i < d; i++) x[i] = pi == 3 ? 0.5 : 0.0;
    for (size_t k = 0; k < N; k++) {
        x[0] = (double)k / (N - 1);
        mo_eval(pi, x, d, Y + k * 2);
    }
    mo_reference(pi, d, ref);
    double hv = pareto_hypervolume(Y, N, 2, MO_MIN2, ref);
    free(Y);
    return hv;
}

static space *mo_space(size_t d)
{
    space *sp = space_new();
    char name[32];
    for (size_t i = 0; sp && i < d; i++) {
        snprintf(name, sizeof name, "x%zu", i);
        if (space_add_float(sp, name, 0, 1, 0, NULL, 0) != 0) {
            space_free(sp);
            return NULL;
        }
    }
    return sp;
}

static int mo_eval_loop(int pi, size_t d)
{
    size_t cap = 1024, n = 0;
    double *Y = malloc(cap * 2 * sizeof(double));
    double x[MO_MAX_DIM], ref[2];
    char line[65536];
    if (!Y) return -1;
    mo_reference(pi, d, ref);
    while (fgets(line, sizeof line, stdin)) {
        char *p = line, *end;
        size_t k = 0;
        for (; k < d; k++, p = end) {
            x[k] = strtod(p, &end);
            if (end == p || !(x[k] >= 0 && x[k] <= 1)) break;
        }
        if (k != d) {
            printf("error: expected %zu values in [0, 1]\n", d);
            fflush(stdout);
            continue;
        }
        if (n == cap) {
            double *ny = realloc(Y, 2 * cap * 2 * sizeof(double));
            if (!ny) break;
            Y = ny;
            cap *= 2;
        }
        mo_eval(pi, x, d, Y + n * 2);
        n++;
        printf("%.17g %.17g %.17g\n", Y[(n - 1) * 2], Y[(n - 1) * 2 + 1],
               pareto_hypervolume(Y, n, 2, MO_MIN2, ref));
        fflush(stdout);
    }
    free(Y);
    return 0;
}

/* One run: budget trials of method (bograph or random) from seed, one
 * suggestion at a time; prints the hypervolume at each checkpoint and the
 * mean seconds per suggestion. */
static int mo_run(int pi, size_t d, const char *method, unsigned long long seed, size_t budget,
                  const size_t *cps, size_t n_cps)
{
    space *sp = mo_space(d);
    double *X = malloc(budget * d * sizeof(double));
    double *Y = malloc(budget * 2 * sizeof(double));
    bo_state *st = bo_state_new();
    char err[256];
    int rc = -1, bograph = !strcmp(method, "bograph");
    if (!sp || !X || !Y || !st) goto done;
    if (!bograph && strcmp(method, "random") != 0) {
        fprintf(stderr, "bograph-bench-mo: unknown method %s (bograph, random)\n", method);
        goto done;
    }
    double t0 = util_monotonic();
    for (size_t k = 0; k < budget; k++) {
        int src;
        if (bograph) {
            bo_multi_request req;
            bo_multi_request_init(&req, sp);
            req.maximize = MO_MIN2;
            req.X = X;
            req.Y = Y;
            req.n_obs = k;
            req.seed = seed;
            req.state = st;
            src = bo_suggest_multi(&req, X + k * d, err, sizeof err);
        } else {
            bo_request req;
            bo_request_init(&req, sp);
            req.algorithm = BO_RANDOM;
            req.X = X;
            req.y = Y; /* unused by random; any array of n_obs values */
            req.n_obs = k;
            req.seed = seed;
            src = bo_suggest(&req, X + k * d, err, sizeof err);
        }
        if (src != 0) {
            fprintf(stderr, "bograph-bench-mo: %s trial %zu: %s\n", method, k, err);
            goto done;
        }
        mo_eval(pi, X + k * d, d, Y + k * 2);
    }
    double secs = (util_monotonic() - t0) / (double)(budget ? budget : 1);
    double ref[2];
    mo_reference(pi, d, ref);
    for (size_t c = 0; c < n_cps; c++) {
        size_t n = cps[c] < budget ? cps[c] : budget;
        printf("%.10g ", pareto_hypervolume(Y, n, 2, MO_MIN2, ref));
    }
    printf("%.4f\n", secs);
    rc = 0;
done:
    space_free(sp);
    free(X);
    free(Y);
    bo_state_free(st);
    return rc;
}

static int mo_parse_list(const char *s, size_t *out, size_t *n)
{
    *n = 0;
    while (*s && *n < MO_MAX_CHECKPOINTS) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v == 0) return -1;
        out[(*n)++] = v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    openblas_set_num_threads(1);
    const char *mode = NULL, *name = NULL, *method = "bograph";
    size_t d = 6, budget = 80, cps[MO_MAX_CHECKPOINTS] = {20, 40, 80}, n_cps = 3;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--list")) {
            mode = a;
        } else if ((!strcmp(a, "--space") || !strcmp(a, "--eval") || !strcmp(a, "--run")) && v) {
            mode = a;
            name = v;
            i++;
        } else if (!strcmp(a, "--dim") && v) {
            d = strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--method") && v) {
            method = v;
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            seed = strtoull(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--budget") && v) {
            budget = strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--checkpoints") && v) {
            if (mo_parse_list(v, cps, &n_cps) != 0) goto usage;
            i++;
        } else {
            goto usage;
        }
    }
    if (!mode || d < 2 || d > MO_MAX_DIM || budget == 0) goto usage;
    if (!strcmp(mode, "--list")) {
        for (size_t i = 0; i < MO_N_PROBLEMS; i++) {
            double ref[2];
            mo_reference((int)i, d, ref);
            printf("%s\t%zu\t%.6g,%.6g\t%.6f\n", mo_problems[i], d, ref[0], ref[1],
                   mo_true_hypervolume((int)i, d));
        }
        return 0;
    }
    int pi = mo_problem_index(name);
    if (pi < 0) {
        fprintf(stderr, "bograph-bench-mo: unknown problem %s (zdt1, zdt2, zdt3, dtlz2)\n", name);
        return 2;
    }
    if (!strcmp(mode, "--space")) {
        space *sp = mo_space(d);
        double ref[2];
        mo_reference(pi, d, ref);
        printf("system %s\nmaximize 0\nobjectives 2\nreference %.17g %.17g\n", name, ref[0], ref[1]);
        bench_space_print(stdout, sp);
        space_free(sp);
        return 0;
    }
    if (!strcmp(mode, "--eval")) return mo_eval_loop(pi, d) == 0 ? 0 : 1;
    return mo_run(pi, d, method, seed, budget, cps, n_cps) == 0 ? 0 : 1;
usage:
    fprintf(stderr, "usage: bograph-bench-mo --list | --space NAME | --eval NAME | --run NAME "
                    "--method bograph|random --seed S [--budget N] [--checkpoints 20,40,80]; "
                    "--dim D (2..%d, default 6)\n", MO_MAX_DIM);
    return 2;
}
