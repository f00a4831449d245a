/*
 * bench_structure.c - bograph-bench-structure: does the graph help? On
 * synthetic systems that emit logs (systems.h), runs the bograph, gp and
 * random algorithms for several seeds through the whole pipeline (log text
 * -> logs_parse -> metric table -> suggestion), and reports the median best
 * objective after given numbers of trials, which model produced bograph's
 * suggestions, and the time per suggestion at given numbers of trials.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "bo/suggest.h"
#include "logs/logs.h"
#include "structure/bograph.h"
#include "systems.h"

#define MAX_LIST 16
#define LOG_CAP 16384

typedef enum { M_BOGRAPH, M_GP, M_RANDOM } method;
static const char *const method_names[] = {"bograph", "gp", "random"};

typedef struct {
    const char *systems[MAX_LIST];
    size_t n_systems;
    method methods[3];
    size_t n_methods;
    size_t seeds, budget;
    size_t checkpoints[MAX_LIST], n_checkpoints;
    size_t timing_n[MAX_LIST], n_timing;
    int runs, timing, quiet, verbose;
} config;

static void usage(void)
{
    printf("usage: bograph-bench-structure [options]\n"
           "Median best objective of bograph, gp and random on synthetic systems whose\n"
           "logs are parsed like real ones, and the time per bograph suggestion.\n\n"
           "  --systems LIST      comma-separated; default kvstore,accelerator,pipeline,\n"
           "                      mlsys,hartmann6,hartmann6-noise\n"
           "  --methods LIST      from bograph,gp,random; default all\n"
           "  --seeds N           seeds per system and method; default 20\n"
           "  --budget N          trials per run; default 50\n"
           "  --checkpoints LIST  trials to report; default 15,30,50\n"
           "  --timing-n LIST     trials for the timing table; default 50,200\n"
           "  --no-runs           skip the optimisation table\n"
           "  --no-timing         skip the timing table\n"
           "  --quiet             no progress on stderr\n"
           "  --verbose           which model made each bograph suggestion, and why\n"
           "  --help              this text\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_list(char *s, size_t *out, size_t *n)
{
    *n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (*n >= MAX_LIST || parse_size(tok, &out[*n]) != 0)
            return -1;
        (*n)++;
    }
    return *n > 0 ? 0 : -1;
}

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
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The trials of one run: configurations, objectives, and the metric table
 * built from the parsed logs (columns appear as metrics are first seen). */
typedef struct {
    size_t p, n, cap;
    double *X, *y;
    char **names;
    size_t n_names, cap_names;
    double *M;                 /* cap x cap_names, NAN = missing */
} history;

static int hist_init(history *h, size_t p, size_t cap)
{
    memset(h, 0, sizeof *h);
    h->p = p;
    h->cap = cap;
    h->cap_names = 64;
    h->X = malloc(cap * p * sizeof *h->X);
    h->y = malloc(cap * sizeof *h->y);
    h->names = calloc(h->cap_names, sizeof *h->names);
    h->M = malloc(cap * h->cap_names * sizeof *h->M);
    if (!h->X || !h->y || !h->names || !h->M)
        return -1;
    for (size_t i = 0; i < cap * h->cap_names; i++)
        h->M[i] = NAN;
    return 0;
}

static void hist_free(history *h)
{
    for (size_t j = 0; j < h->n_names; j++)
        free(h->names[j]);
    free(h->names);
    free(h->X);
    free(h->y);
    free(h->M);
}

static int hist_column(history *h, const char *name)
{
    for (size_t j = 0; j < h->n_names; j++)
        if (strcmp(h->names[j], name) == 0)
            return (int)j;
    if (h->n_names == h->cap_names) {
        size_t nc = 2 * h->cap_names;
        double *M = malloc(h->cap * nc * sizeof *M);
        char **names = realloc(h->names, nc * sizeof *names);
        if (!M || !names) {
            free(M);
            if (names)
                h->names = names;
            return -1;
        }
        h->names = names;
        for (size_t i = 0; i < h->cap; i++)
            for (size_t j = 0; j < nc; j++)
                M[i * nc + j] = j < h->cap_names ? h->M[i * h->cap_names + j] : NAN;
        free(h->M);
        h->M = M;
        h->cap_names = nc;
    }
    h->names[h->n_names] = strdup(name);
    if (!h->names[h->n_names])
        return -1;
    return (int)h->n_names++;
}

/* Runs x on the system, parses its logs and appends the trial. */
static int hist_add(history *h, const sys_system *s, const double *x, uint64_t *rng)
{
    static char buf[LOG_CAP];
    double y;
    sys_run(s, x, rng, &y, buf, sizeof buf);
    size_t i = h->n;
    memcpy(h->X + i * h->p, x, h->p * sizeof *x);
    h->y[i] = y;
    h->n++;
    if (!s->log_format)
        return 0;
    logs_metrics lm;
    logs_metrics_init(&lm);
    char err[256];
    if (logs_parse(s->log_format, buf, strlen(buf), &lm, err, sizeof err) != 0) {
        fprintf(stderr, "logs_parse: %s\n", err);
        logs_metrics_free(&lm);
        return -1;
    }
    for (size_t q = 0; q < lm.count; q++) {
        int j = hist_column(h, lm.items[q].name);
        if (j < 0) {
            logs_metrics_free(&lm);
            return -1;
        }
        h->M[i * h->cap_names + (size_t)j] = lm.items[q].value;
    }
    logs_metrics_free(&lm);
    return 0;
}

/* The metric table as bograph_request wants it: n x n_names, contiguous. */
static double *hist_table(const history *h)
{
    double *T = malloc((h->n * h->n_names > 0 ? h->n * h->n_names : 1) * sizeof *T);
    if (!T)
        return NULL;
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n_names; j++)
            T[i * h->n_names + j] = h->M[i * h->cap_names + j];
    return T;
}

typedef struct {
    bograph_state *bg;
    bo_state *bo;
    size_t n_bograph, n_fallback;
    double seconds;
    int verbose;
} runner;

/* One suggestion by method m from history h. */
static int suggest(method m, const sys_system *s, const space *sp, history *h, uint64_t seed,
                   runner *r, double *out)
{
    char err[512];
    double t0 = now_s();
    int rc;
    if (m == M_BOGRAPH) {
        double *T = hist_table(h);
        if (!T)
            return -1;
        bograph_request req;
        bograph_request_init(&req, sp);
        req.base.maximize = s->maximize;
        req.objective_name = s->objective;
        req.base.X = h->X;
        req.base.y = h->y;
        req.base.n_obs = h->n;
        req.metric_names = (const char *const *)h->names;
        req.n_metrics = h->n_names;
        req.metrics = T;
        req.base.count = 1;
        req.base.seed = seed;
        req.state = r->bg;
        bograph_info info;
        rc = bograph_suggest(&req, out, &info, err, sizeof err);
        free(T);
        if (rc == 0 && r->verbose)
            fprintf(stderr, "  trial %zu: %s%s%s (true objective %.5g)\n", h->n + 1, info.model,
                    info.reason[0] ? ": " : "", info.reason, sys_true_objective(s, out));
        if (rc == 0) {
            if (strcmp(info.model, "bograph") == 0)
                r->n_bograph++;
            else
                r->n_fallback++;
        }
    } else {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = m == M_GP ? BO_GP : BO_RANDOM;
        req.maximize = s->maximize;
        req.X = h->X;
        req.y = h->y;
        req.n_obs = h->n;
        req.count = 1;
        req.seed = seed;
        req.state = r->bo;
        rc = bo_suggest(&req, out, err, sizeof err);
    }
    r->seconds += now_s() - t0;
    if (rc != 0)
        fprintf(stderr, "%s on %s: %s\n", method_names[m], s->name, err);
    return rc;
}

/* best[t] = best true objective among the first t+1 trials (goal-aware). */
static int run_one(const sys_system *s, method m, uint64_t seed, size_t budget, double *best,
                   runner *r, int verbose)
{
    space *sp = sys_space(s);
    history h;
    int rc = -1;
    double *x = malloc(s->p * sizeof *x);
    memset(r, 0, sizeof *r);
    r->verbose = verbose;
    r->bg = bograph_state_new();
    r->bo = bo_state_new();
    if (!sp || !x || !r->bg || !r->bo || hist_init(&h, s->p, budget) != 0)
        goto done;
    uint64_t rng = seed * 0x9e3779b97f4a7c15ULL + 12345;
    double b = s->maximize ? -INFINITY : INFINITY;
    for (size_t t = 0; t < budget; t++) {
        if (suggest(m, s, sp, &h, seed, r, x) != 0)
            goto done;
        if (hist_add(&h, s, x, &rng) != 0)
            goto done;
        double f = sys_true_objective(s, x);
        b = s->maximize ? fmax(b, f) : fmin(b, f);
        best[t] = b;
    }
    rc = 0;
done:
    hist_free(&h);
    free(x);
    space_free(sp);
    bograph_state_free(r->bg);
    bo_state_free(r->bo);
    return rc;
}

static int run_table(const config *c)
{
    size_t B = c->budget;
    double *best = malloc(B * sizeof *best);
    double *vals = malloc(c->seeds * sizeof *vals);
    double *med = malloc(3 * MAX_LIST * sizeof *med);
    if (!best || !vals || !med)
        return -1;
    int all_ahead = 1, all_close = 1;
    printf("== median best objective (true, noiseless value of the best point found), %zu "
           "seeds ==\n",
           c->seeds);
    for (size_t si = 0; si < c->n_systems; si++) {
        sys_system s;
        if (sys_init(&s, c->systems[si]) != 0) {
            fprintf(stderr, "unknown system %s\n", c->systems[si]);
            return -1;
        }
        if (s.kind == SYS_HARTMANN6_NOISE)
            printf("\n%s: %zu params, 8 metrics unrelated to the objective, %s %s, logs: %s\n",
                   s.name, s.p, s.maximize ? "maximise" : "minimise", s.objective,
                   s.log_format);
        else
            printf("\n%s: %zu params, %zu metrics, %s %s, logs: %s\n", s.name, s.p, s.k,
                   s.maximize ? "maximise" : "minimise", s.objective,
                   s.log_format ? s.log_format : "none");
        printf("  %-8s", "method");
        for (size_t k = 0; k < c->n_checkpoints; k++)
            printf("  %10s@%-3zu", "best", c->checkpoints[k]);
        printf("  %8s  %s\n", "s/sugg", "bograph model share");
        double *per = malloc(c->seeds * c->n_checkpoints * sizeof *per);
        if (!per)
            return -1;
        for (size_t mi = 0; mi < c->n_methods; mi++) {
            method m = c->methods[mi];
            double secs = 0;
            size_t nb = 0, nf = 0;
            for (size_t sd = 0; sd < c->seeds; sd++) {
                runner r;
                if (!c->quiet)
                    fprintf(stderr, "\r%s %s seed %zu/%zu   ", s.name, method_names[m], sd + 1,
                            c->seeds);
                if (run_one(&s, m, 1000 + sd, B, best, &r, c->verbose) != 0)
                    return -1;
                secs += r.seconds;
                nb += r.n_bograph;
                nf += r.n_fallback;
                for (size_t k = 0; k < c->n_checkpoints; k++) {
                    size_t t = c->checkpoints[k] <= B ? c->checkpoints[k] : B;
                    per[k * c->seeds + sd] = best[t - 1];
                }
                if (c->verbose) {
                    fprintf(stderr, "%s %s seed %zu:", s.name, method_names[m], sd);
                    for (size_t k = 0; k < c->n_checkpoints; k++)
                        fprintf(stderr, " %.5g", per[k * c->seeds + sd]);
                    fprintf(stderr, "\n");
                }
            }
            if (!c->quiet)
                fprintf(stderr, "\r%60s\r", "");
            printf("  %-8s", method_names[m]);
            for (size_t k = 0; k < c->n_checkpoints; k++) {
                memcpy(vals, per + k * c->seeds, c->seeds * sizeof *vals);
                med[m * MAX_LIST + k] = median(vals, c->seeds);
                printf("  %14.5g", med[m * MAX_LIST + k]);
            }
            printf("  %8.3f", secs / (double)(c->seeds * B));
            if (m == M_BOGRAPH)
                printf("  %zu of %zu from the graph", nb, nb + nf);
            printf("\n");
            fflush(stdout);
        }
        free(per);
        int have_both = 0;
        for (size_t a = 0; a < c->n_methods; a++)
            for (size_t b2 = 0; b2 < c->n_methods; b2++)
                have_both |= c->methods[a] == M_BOGRAPH && c->methods[b2] == M_GP;
        if (!have_both)
            continue;
        if (s.k > 0) {
            for (size_t k = 0; k < c->n_checkpoints; k++) {
                double bg = med[M_BOGRAPH * MAX_LIST + k], g = med[M_GP * MAX_LIST + k];
                int ahead = s.maximize ? bg > g : bg < g;
                printf("  bograph ahead of gp @%zu: %s (%.5g vs %.5g)\n", c->checkpoints[k],
                       ahead ? "yes" : "NO", bg, g);
                if (c->checkpoints[k] == 15 || c->checkpoints[k] == 30)
                    all_ahead &= ahead;
            }
        } else {
            for (size_t k = 0; k < c->n_checkpoints; k++) {
                double bg = med[M_BOGRAPH * MAX_LIST + k], g = med[M_GP * MAX_LIST + k];
                double behind = s.maximize ? (g - bg) / fabs(g) : (bg - g) / fabs(g);
                printf("  bograph behind gp @%zu: %+.1f%% (%s 5%%)\n", c->checkpoints[k],
                       100 * behind, behind <= 0.05 ? "within" : "NOT within");
                all_close &= behind <= 0.05;
            }
        }
    }
    int compared = 0;
    for (size_t a = 0; a < c->n_methods; a++)
        for (size_t b2 = 0; b2 < c->n_methods; b2++)
            compared |= c->methods[a] == M_BOGRAPH && c->methods[b2] == M_GP;
    if (compared) {
        printf("\ntarget: bograph ahead of gp at 15 and 30 trials on every structured system: "
               "%s\n",
               all_ahead ? "met" : "MISSED");
        printf("target: bograph within 5%% of gp on the systems without useful metrics: %s\n",
               all_close ? "met" : "MISSED");
    }
    free(best);
    free(vals);
    free(med);
    return 0;
}

static int timing_table(const config *c)
{
    sys_system s;
    sys_init(&s, "kvstore");
    space *sp = sys_space(&s);
    printf("\n== time per suggestion (kvstore: %zu params, %zu metrics; random trials) ==\n", s.p,
           s.k);
    printf("  %8s  %14s  %14s  %14s\n", "trials", "bograph learn", "bograph kept", "gp");
    for (size_t ti = 0; ti < c->n_timing; ti++) {
        size_t n = c->timing_n[ti];
        history h;
        if (hist_init(&h, s.p, n) != 0)
            return -1;
        uint64_t rng = 777 + n;
        double *x = malloc(s.p * sizeof *x);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < s.p; j++)
                x[j] = ((double)((rng = rng * 6364136223846793005ULL + 1) >> 11)) /
                       9007199254740992.0;
            if (hist_add(&h, &s, x, &rng) != 0)
                return -1;
        }
        runner r;
        memset(&r, 0, sizeof r);
        r.bg = bograph_state_new();
        r.bo = bo_state_new();
        double t_learn, t_kept, t_gp;
        double t0 = r.seconds;
        if (suggest(M_BOGRAPH, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        t_learn = r.seconds - t0;
        t0 = r.seconds;
        if (suggest(M_BOGRAPH, &s, sp, &h, 6, &r, x) != 0)
            return -1;
        t_kept = r.seconds - t0;
        t0 = r.seconds;
        if (suggest(M_GP, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        t_gp = r.seconds - t0;
        printf("  %8zu  %13.2fs  %13.2fs  %13.2fs\n", n, t_learn, t_kept, t_gp);
        fflush(stdout);
        bograph_state_free(r.bg);
        bo_state_free(r.bo);
        free(x);
        hist_free(&h);
    }
    space_free(sp);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    config c;
    memset(&c, 0, sizeof c);
    const char *const *all = sys_names();
    for (size_t i = 0; all[i]; i++)
        c.systems[c.n_systems++] = all[i];
    c.methods[0] = M_BOGRAPH;
    c.methods[1] = M_GP;
    c.methods[2] = M_RANDOM;
    c.n_methods = 3;
    c.seeds = 20;
    c.budget = 50;
    c.checkpoints[0] = 15;
    c.checkpoints[1] = 30;
    c.checkpoints[2] = 50;
    c.n_checkpoints = 3;
    c.timing_n[0] = 50;
    c.timing_n[1] = 200;
    c.n_timing = 2;
    c.runs = c.timing = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--no-runs")) {
            c.runs = 0;
        } else if (!strcmp(a, "--no-timing")) {
            c.timing = 0;
        } else if (!strcmp(a, "--quiet")) {
            c.quiet = 1;
        } else if (!strcmp(a, "--verbose")) {
            c.verbose = 1;
        } else if (!v) {
            fprintf(stderr, "bograph-bench-structure: unknown option or missing value: %s\n", a);
            return 2;
        } else if (!strcmp(a, "--seeds")) {
            if (parse_size(v, &c.seeds)) goto bad;
            i++;
        } else if (!strcmp(a, "--budget")) {
            if (parse_size(v, &c.budget)) goto bad;
            i++;
        } else if (!strcmp(a, "--checkpoints")) {
            if (parse_list(v, c.checkpoints, &c.n_checkpoints)) goto bad;
            i++;
        } else if (!strcmp(a, "--timing-n")) {
            if (parse_list(v, c.timing_n, &c.n_timing)) goto bad;
            i++;
        } else if (!strcmp(a, "--systems")) {
            c.n_systems = 0;
            for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
                sys_system s;
                if (c.n_systems >= MAX_LIST || sys_init(&s, tok) != 0) goto bad;
                c.systems[c.n_systems++] = tok;
            }
            i++;
        } else if (!strcmp(a, "--methods")) {
            c.n_methods = 0;
            for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
                size_t m = 0;
                while (m < 3 && strcmp(tok, method_names[m]) != 0)
                    m++;
                if (m == 3 || c.n_methods >= 3) goto bad;
                c.methods[c.n_methods++] = (method)m;
            }
            i++;
        } else {
            fprintf(stderr, "bograph-bench-structure: unknown option %s\n", a);
            return 2;
        }
        continue;
    bad:
        fprintf(stderr, "bograph-bench-structure: bad value for %s: %s\n", a, v);
        return 2;
    }
    for (size_t k = 0; k < c.n_checkpoints; k++)
        if (c.checkpoints[k] > c.budget) {
            fprintf(stderr, "bograph-bench-structure: checkpoint %zu beyond the budget %zu\n",
                    c.checkpoints[k], c.budget);
            return 2;
        }
    if (c.runs && run_table(&c) != 0)
        return 1;
    if (c.timing && timing_table(&c) != 0)
        return 1;
    return 0;
}
