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
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "bo/suggest.h"
#include "logs/logs.h"
#include "structure/bograph.h"
#include "diagnostics.h"
#include "family.h"
#include "systems.h"
#include "space_text.h"

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
    size_t first_seed;        /* family run: seeds first_seed..first_seed+seeds-1 */
    size_t checkpoints[MAX_LIST], n_checkpoints;
    size_t timing_n[MAX_LIST], n_timing;
    const char *timing_system;   /* built-in system of the timing table */
    int runs, timing, quiet, verbose;
    /* The family run (family_main). */
    int family, list, seeds_set, checkpoints_set;
    unsigned long long family_seed;
    size_t family_count, jobs;
    const char *systems_arg, *tsv, *eval, *space_of;
    unsigned long long eval_seed;
    int oracle;               /* --oracle-parents */
    const char *dump_dir;     /* --dump-trials */
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
           "  --timing-system S   built-in system of the timing table; default kvstore\n"
           "  --no-runs           skip the optimisation table\n"
           "  --no-timing         skip the timing table\n"
           "  --quiet             no progress on stderr\n"
           "  --verbose           which model made each bograph suggestion, and why; at\n"
           "                      the end of a run the learnt graph beside the true one\n"
           "  --help              this text\n\n"
           "The family run (any of the options below; see docs/bograph.md): generated\n"
           "systems (family.h) and the six built-in ones; one TSV row a (system, method,\n"
           "seed) run, summarised by bench/structure/combine.py; driver with the Optuna\n"
           "peers: bench/structure/run_family.sh.\n"
           "  --family            the family run with the defaults below\n"
           "  --family-seed S     generated systems of family S; default 1 (development)\n"
           "  --family-count N    generated systems; default 24\n"
           "  --systems LIST      generated indexes (7), names or prefixes (f1-07), built-in\n"
           "                      names; default the N generated and the six built-in\n"
           "  --seeds N           default 10 (seeds 1000..1000+N-1)\n"
           "  --first-seed S      the first seed instead of 1000 (split or extend a run)\n"
           "  --checkpoints LIST  default 10,15,20,30,50 (NA beyond the budget)\n"
           "  --jobs N            parallel worker processes; default 2\n"
           "  --tsv FILE          the rows to FILE (default stdout)\n"
           "  --oracle-parents    bograph is told each generated metric's true parameter\n"
           "                      parents (required edges, the others forbidden): the\n"
           "                      ceiling of structure learning\n"
           "  --dump-trials DIR   each bograph run's trials to DIR/<system>-<seed>.txt\n"
           "                      (diagnostics.h; read by bench/structure/screen_replay.py)\n"
           "  --list              the systems with a one-line description, no runs\n"
           "  --space SYSTEM      the system's parameters (for peers.py)\n"
           "  --eval SYSTEM --seed S\n"
           "                      configurations on stdin, one a line (categoricals by\n"
           "                      index) -> \"noisy true\" objectives, with seed S's noise\n"
           "                      (--verbose: each trial's log text and parsed count on stderr)\n");
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
    int oracle;               /* bograph is told the true parameter parents */
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
        knowledge *oracle = r->oracle ? diag_oracle_knowledge(s, sp, h->names, h->n_names) : NULL;
        req.kn = oracle;
        bograph_info info;
        rc = bograph_suggest(&req, out, &info, err, sizeof err);
        knowledge_free(oracle);
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

/* --verbose: the graph the state holds at the end of a bograph run, one
 * node per line with its parents and their NOTEARS weights. */
static void print_graph(const bograph_state *st, const sys_system *s)
{
    fprintf(stderr, "  true metrics:\n");
    for (size_t j = 0; j < s->k; j++) {
        const sys_metric *mt = &s->metric[j];
        fprintf(stderr, "    %s <-", mt->name);
        for (size_t q = 0; q < mt->n_param; q++)
            fprintf(stderr, " p%02zu", mt->param[q]);
        if (mt->metric_parent >= 0)
            fprintf(stderr, " %s", s->metric[mt->metric_parent].name);
        fprintf(stderr, "%s%s (weight %.3g)\n", mt->interact ? " interact" : "",
                mt->decades > 0 ? " heavy" : "", s->weight[j]);
    }
    bograph_graph g;
    char err[256];
    if (bograph_state_graph(st, &g, err, sizeof err) != 0 || g.n_nodes == 0) {
        fprintf(stderr, "  graph: none\n");
        return;
    }
    fprintf(stderr, "  graph learnt at trial %zu:\n", g.learned_at_trial);
    for (size_t v = 0; v < g.n_nodes; v++) {
        if (g.nodes[v].kind == BOGRAPH_NODE_PARAM)
            continue;
        fprintf(stderr, "    %s <-", g.nodes[v].name);
        for (size_t e = 0; e < g.n_edges; e++)
            if (g.edges[e].to == v)
                fprintf(stderr, " %s(%.2f%s)", g.nodes[g.edges[e].from].name, g.edges[e].weight,
                        g.edges[e].source == BOGRAPH_EDGE_EXPERT ? ",x" : "");
        fprintf(stderr, "\n");
    }
    bograph_graph_free(&g);
}

/* best[t] = best true objective among the first t+1 trials (goal-aware). */
static int run_one(const sys_system *s, method m, uint64_t seed, size_t budget, double *best,
                   runner *r, const config *c)
{
    int verbose = c->verbose;
    space *sp = sys_space(s);
    history h;
    int rc = -1;
    double *x = malloc(s->p * sizeof *x);
    memset(r, 0, sizeof *r);
    r->verbose = verbose;
    r->oracle = c->oracle;
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
    if (c->dump_dir && m == M_BOGRAPH &&
        diag_dump_trials(c->dump_dir, s, sp, seed, h.X, h.n, h.names, h.n_names, h.M, h.cap_names,
                         h.y) != 0)
        fprintf(stderr, "bograph-bench-structure: cannot write the trials to %s\n", c->dump_dir);
    if (verbose && m == M_BOGRAPH)
        print_graph(r->bg, s);
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
                if (run_one(&s, m, 1000 + sd, B, best, &r, c) != 0)
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
    if (sys_init(&s, c->timing_system) != 0) {
        fprintf(stderr, "bograph-bench-structure: unknown timing system '%s'\n", c->timing_system);
        return -1;
    }
    space *sp = sys_space(&s);
    printf("\n== time per suggestion (%s: %zu params, %zu metrics; random trials) ==\n",
           c->timing_system, s.p, s.k);
    printf("  %8s  %14s  %14s  %14s  %14s\n", "trials", "bograph cold", "bograph relearn",
           "bograph kept", "gp");
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
        double t_learn, t_relearn, t_kept, t_gp;
        double t0 = r.seconds;
        if (suggest(M_BOGRAPH, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        t_learn = r.seconds - t0;
        /* A study's state whose graph was learnt at n - n/6 trials: at n
         * relearning is due (every fifth of the trials the graph was
         * learnt on, bograph_current.c), with the state's GPs warm. */
        bograph_state_free(r.bg);
        r.bg = bograph_state_new();
        h.n = n - n / 6;
        if (suggest(M_BOGRAPH, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        h.n = n;
        t0 = r.seconds;
        if (suggest(M_BOGRAPH, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        t_relearn = r.seconds - t0;
        t0 = r.seconds;
        if (suggest(M_BOGRAPH, &s, sp, &h, 6, &r, x) != 0)
            return -1;
        t_kept = r.seconds - t0;
        t0 = r.seconds;
        if (suggest(M_GP, &s, sp, &h, 5, &r, x) != 0)
            return -1;
        t_gp = r.seconds - t0;
        printf("  %8zu  %13.2fs  %13.2fs  %13.2fs  %13.2fs\n", n, t_learn, t_relearn, t_kept, t_gp);
        fflush(stdout);
        bograph_state_free(r.bg);
        bo_state_free(r.bo);
        free(x);
        hist_free(&h);
    }
    space_free(sp);
    return 0;
}

/* ---- The family run: generated systems (family.h) and the built-in ones,
 * (system, method, seed) runs in parallel worker processes, one TSV row a
 * run; bench/structure/combine.py summarises the rows. ---- */

typedef struct {
    sys_system *sys;           /* n systems, generated in place (not copied) */
    size_t n, cap;
} sys_list;

static int list_add(sys_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        sys_system *ns = malloc(nc * sizeof *ns);
        if (!ns)
            return -1;
        /* Regenerate rather than copy: names point into the structs. */
        for (size_t i = 0; i < l->n; i++) {
            char nm[96];
            snprintf(nm, sizeof nm, "%s", l->sys[i].name);
            if (sys_init(&ns[i], nm) != 0) {
                free(ns);
                return -1;
            }
        }
        free(l->sys);
        l->sys = ns;
        l->cap = nc;
    }
    if (sys_init(&l->sys[l->n], name) != 0)
        return -1;
    l->n++;
    return 0;
}

/* The systems of a family run: --systems (generated indexes, generated
 * names or name prefixes, built-in names), else family_count generated
 * systems and the six built-in ones. */
static int family_systems(const config *c, sys_list *l)
{
    memset(l, 0, sizeof *l);
    const char *const *builtin = sys_names();
    char nm[96];
    if (!c->systems_arg) {
        for (size_t i = 0; i < c->family_count; i++) {
            snprintf(nm, sizeof nm, "f%llu-%zu", c->family_seed, i);
            if (list_add(l, nm) != 0)
                return -1;
        }
        for (size_t i = 0; builtin[i]; i++)
            if (list_add(l, builtin[i]) != 0)
                return -1;
        return 0;
    }
    char *copy = strdup(c->systems_arg);
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok(copy, ","); tok && rc == 0; tok = strtok(NULL, ",")) {
        size_t idx;
        uint64_t fs;
        if (parse_size(tok, &idx) == 0 || strcmp(tok, "0") == 0) {
            snprintf(nm, sizeof nm, "f%llu-%s", c->family_seed, tok);
            rc = list_add(l, nm);
        } else if (family_parse_name(tok, &fs, &idx) == 0) {
            rc = list_add(l, tok);
            /* a full name must be the generated one */
            if (rc == 0 && strchr(strchr(tok, '-') + 1, '-') &&
                strcmp(l->sys[l->n - 1].name, tok) != 0) {
                fprintf(stderr, "bograph-bench-structure: %s is %s\n", tok, l->sys[l->n - 1].name);
                rc = -1;
            }
        } else {
            rc = list_add(l, tok);
        }
        if (rc != 0)
            fprintf(stderr, "bograph-bench-structure: unknown system %s\n", tok);
    }
    free(copy);
    return rc;
}

typedef struct {
    int rc;
    double best[MAX_LIST];
    size_t nb, nf;
    double seconds;
} run_result;

static void family_child(const config *c, const sys_system *s, method m, uint64_t seed, int fd)
{
    run_result res;
    memset(&res, 0, sizeof res);
    double *best = malloc(c->budget * sizeof *best);
    runner r;
    res.rc = best ? run_one(s, m, seed, c->budget, best, &r, c) : -1;
    if (res.rc == 0) {
        for (size_t k = 0; k < c->n_checkpoints; k++)
            res.best[k] = c->checkpoints[k] <= c->budget ? best[c->checkpoints[k] - 1] : NAN;
        res.nb = r.n_bograph;
        res.nf = r.n_fallback;
        res.seconds = r.seconds;
    }
    free(best);
    const char *p = (const char *)&res;
    size_t left = sizeof res;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    close(fd);
}

static int family_run_all(const config *c)
{
    sys_list l;
    if (family_systems(c, &l) != 0)
        return -1;
    FILE *out = stdout;
    if (c->tsv) {
        out = fopen(c->tsv, "w");
        if (!out) {
            fprintf(stderr, "bograph-bench-structure: %s: %s\n", c->tsv, strerror(errno));
            return -1;
        }
    }
    fprintf(out, "# bograph-bench-structure family_seed=%llu family_count=%zu systems=%zu "
                 "seeds=%zu..%zu budget=%zu methods=",
            c->family_seed, c->family_count, l.n, c->first_seed,
            c->first_seed + c->seeds - 1, c->budget);
    for (size_t mi = 0; mi < c->n_methods; mi++)
        fprintf(out, "%s%s", mi ? "," : "", method_names[c->methods[mi]]);
    fprintf(out, "\nsystem\tstructure\tmaximize\tmethod\tseed\tbudget");
    for (size_t k = 0; k < c->n_checkpoints; k++)
        fprintf(out, "\tbest@%zu", c->checkpoints[k]);
    fprintf(out, "\tgraph_share\ts_per_sugg\n");
    fflush(out);

    size_t total = l.n * c->seeds * c->n_methods, next = 0, done = 0, running = 0, failed = 0;
    size_t jobs = c->jobs ? c->jobs : 1;
    struct {
        pid_t pid;
        int fd;
        size_t task;
    } *slot = calloc(jobs, sizeof *slot);
    if (!slot)
        return -1;
    double t0 = now_s();
    while (done < total) {
        while (running < jobs && next < total) {
            size_t si = next / (c->seeds * c->n_methods);
            size_t sd = (next / c->n_methods) % c->seeds;
            method m = c->methods[next % c->n_methods];
            int fds[2];
            if (pipe(fds) != 0)
                return -1;
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0)
                return -1;
            if (pid == 0) {
                close(fds[0]);
                family_child(c, &l.sys[si], m, c->first_seed + sd, fds[1]);
                _exit(0);
            }
            close(fds[1]);
            size_t j = 0;
            while (slot[j].pid)
                j++;
            slot[j].pid = pid;
            slot[j].fd = fds[0];
            slot[j].task = next;
            running++;
            next++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0)
            return -1;
        size_t j = 0;
        while (j < jobs && slot[j].pid != pid)
            j++;
        if (j == jobs)
            continue;
        run_result res;
        memset(&res, 0, sizeof res);
        res.rc = -1;
        char *p = (char *)&res;
        size_t got = 0;
        while (got < sizeof res) {
            ssize_t rd = read(slot[j].fd, p + got, sizeof res - got);
            if (rd <= 0)
                break;
            got += (size_t)rd;
        }
        if (got != sizeof res)
            res.rc = -1;
        close(slot[j].fd);
        size_t task = slot[j].task;
        slot[j].pid = 0;
        running--;
        done++;
        size_t si = task / (c->seeds * c->n_methods);
        size_t sd = (task / c->n_methods) % c->seeds;
        method m = c->methods[task % c->n_methods];
        const sys_system *s = &l.sys[si];
        if (res.rc != 0) {
            failed++;
            fprintf(stderr, "\nrun failed: %s %s seed %zu\n", s->name, method_names[m], c->first_seed + sd);
        } else {
            fprintf(out, "%s\t%s\t%d\t%s\t%zu\t%zu", s->name, family_structure_name(s), s->maximize,
                    method_names[m], c->first_seed + sd, c->budget);
            for (size_t k = 0; k < c->n_checkpoints; k++) {
                if (isnan(res.best[k]))
                    fprintf(out, "\tNA");
                else
                    fprintf(out, "\t%.10g", res.best[k]);
            }
            if (m == M_BOGRAPH && res.nb + res.nf > 0)
                fprintf(out, "\t%.4f", (double)res.nb / (double)(res.nb + res.nf));
            else
                fprintf(out, "\tNA");
            fprintf(out, "\t%.4f\n", res.seconds / (double)c->budget);
            fflush(out);
        }
        if (!c->quiet)
            fprintf(stderr, "\r  %zu/%zu runs done, %.0f s elapsed   ", done, total, now_s() - t0);
    }
    if (!c->quiet)
        fprintf(stderr, "\n");
    if (out != stdout) {
        fclose(out);
        printf("wrote %zu runs of %zu systems to %s (%.0f s); summarise with\n"
               "  /usr/bin/python3 bench/structure/combine.py %s\n",
               total - failed, l.n, c->tsv, now_s() - t0, c->tsv);
    }
    free(slot);
    free(l.sys);
    return failed ? -1 : 0;
}

static int family_list(const config *c)
{
    sys_list l;
    if (family_systems(c, &l) != 0)
        return -1;
    for (size_t i = 0; i < l.n; i++) {
        char d[1024];
        family_describe(&l.sys[i], d, sizeof d);
        printf("%s\t%s\t%d\t%s\n", l.sys[i].name, family_structure_name(&l.sys[i]),
               l.sys[i].maximize, d);
    }
    free(l.sys);
    return 0;
}

/* --space SYSTEM: the parameters, for bench/structure/peers.py. */
static int family_space_print(const char *name)
{
    sys_system s;
    if (sys_init(&s, name) != 0) {
        fprintf(stderr, "bograph-bench-structure: unknown system %s\n", name);
        return -1;
    }
    space *sp = sys_space(&s);
    if (!sp)
        return -1;
    printf("system %s\nmaximize %d\nobjective %s\n", s.name, s.maximize, s.objective);
    bench_space_print(stdout, sp);
    space_free(sp);
    return 0;
}

/* --eval SYSTEM --seed S: one configuration a line on stdin (raw values,
 * categoricals by index) -> "noisy_objective true_objective" a line, with
 * the noise run_one gives seed S (trial t gets the same noise). */
static int family_eval(const char *name, unsigned long long seed, int show_logs)
{
    sys_system s;
    if (sys_init(&s, name) != 0) {
        fprintf(stderr, "bograph-bench-structure: unknown system %s\n", name);
        return -1;
    }
    space *sp = sys_space(&s);
    double *x = malloc((s.p + 1) * sizeof *x);
    static char buf[LOG_CAP];
    static char line[65536];
    if (!sp || !x)
        return -1;
    uint64_t rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL + 12345;
    while (fgets(line, sizeof line, stdin)) {
        char *p = line, *end;
        size_t n = 0;
        while (n < s.p) {
            double v = strtod(p, &end);
            if (end == p)
                break;
            x[n++] = v;
            p = end;
        }
        char err[256];
        if (n != s.p) {
            printf("error: expected %zu values, got %zu\n", s.p, n);
        } else if (space_validate(sp, x, err, sizeof err) != 0) {
            printf("error: %s\n", err);
        } else {
            double y;
            sys_run(&s, x, &rng, &y, buf, sizeof buf);
            printf("%.17g %.17g\n", y, sys_true_objective(&s, x));
            if (show_logs && s.log_format) {
                logs_metrics lm;
                logs_metrics_init(&lm);
                int prc = logs_parse(s.log_format, buf, strlen(buf), &lm, err, sizeof err);
                fprintf(stderr, "%s---- %s: %zu metrics parsed%s%s\n", buf, s.log_format,
                        lm.count, prc ? ", error: " : "", prc ? err : "");
                logs_metrics_free(&lm);
            }
        }
        fflush(stdout);
    }
    free(x);
    space_free(sp);
    return 0;
}

/* The defaults of the table and timing run (the family run has its own,
 * set once the options are read). */
static void config_defaults(config *c)
{
    memset(c, 0, sizeof *c);
    const char *const *all = sys_names();
    for (size_t i = 0; all[i]; i++)
        c->systems[c->n_systems++] = all[i];
    c->methods[0] = M_BOGRAPH;
    c->methods[1] = M_GP;
    c->methods[2] = M_RANDOM;
    c->n_methods = 3;
    c->seeds = 20;
    c->first_seed = 1000;
    c->budget = 50;
    c->checkpoints[0] = 15;
    c->checkpoints[1] = 30;
    c->checkpoints[2] = 50;
    c->n_checkpoints = 3;
    c->timing_n[0] = 50;
    c->timing_n[1] = 200;
    c->n_timing = 2;
    c->timing_system = "kvstore";
    c->runs = c->timing = 1;
    c->family_seed = 1;
    c->family_count = 24;
    c->jobs = 2;
}

/* Reads the options into *c: -1 to go on, else the exit code (0 after
 * --help, 2 for a usage error). */
static int config_parse(config *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--no-runs")) {
            c->runs = 0;
        } else if (!strcmp(a, "--no-timing")) {
            c->timing = 0;
        } else if (!strcmp(a, "--quiet")) {
            c->quiet = 1;
        } else if (!strcmp(a, "--verbose")) {
            c->verbose = 1;
        } else if (!strcmp(a, "--family")) {
            c->family = 1;
        } else if (!strcmp(a, "--list")) {
            c->list = c->family = 1;
        } else if (!v) {
            fprintf(stderr, "bograph-bench-structure: unknown option or missing value: %s\n", a);
            return 2;
        } else if (!strcmp(a, "--first-seed")) {
            if (parse_size(v, &c->first_seed)) goto bad;
            c->family = 1;
            i++;
        } else if (!strcmp(a, "--seeds")) {
            if (parse_size(v, &c->seeds)) goto bad;
            c->seeds_set = 1;
            i++;
        } else if (!strcmp(a, "--budget")) {
            if (parse_size(v, &c->budget)) goto bad;
            i++;
        } else if (!strcmp(a, "--checkpoints")) {
            if (parse_list(v, c->checkpoints, &c->n_checkpoints)) goto bad;
            c->checkpoints_set = 1;
            i++;
        } else if (!strcmp(a, "--timing-n")) {
            if (parse_list(v, c->timing_n, &c->n_timing)) goto bad;
            i++;
        } else if (!strcmp(a, "--timing-system")) {
            if (!v) goto bad;
            c->timing_system = v;
            i++;
        } else if (!strcmp(a, "--systems")) {
            c->systems_arg = v;
            i++;
        } else if (!strcmp(a, "--family-seed")) {
            size_t fs;
            if (parse_size(v, &fs)) goto bad;
            c->family_seed = fs;
            c->family = 1;
            i++;
        } else if (!strcmp(a, "--family-count")) {
            if (parse_size(v, &c->family_count)) goto bad;
            c->family = 1;
            i++;
        } else if (!strcmp(a, "--jobs")) {
            if (parse_size(v, &c->jobs)) goto bad;
            c->family = 1;
            i++;
        } else if (!strcmp(a, "--tsv")) {
            c->tsv = v;
            c->family = 1;
            i++;
        } else if (!strcmp(a, "--oracle-parents")) {
            c->oracle = 1;
        } else if (!strcmp(a, "--dump-trials") && v) {
            c->dump_dir = v;
            i++;
        } else if (!strcmp(a, "--eval")) {
            c->eval = v;
            i++;
        } else if (!strcmp(a, "--space")) {
            c->space_of = v;
            i++;
        } else if (!strcmp(a, "--seed")) {
            char *end;
            c->eval_seed = strtoull(v, &end, 10);
            if (*end || end == v) goto bad;
            i++;
        } else if (!strcmp(a, "--methods")) {
            c->n_methods = 0;
            for (char *tok = strtok(v, ","); tok; tok = strtok(NULL, ",")) {
                size_t m = 0;
                while (m < 3 && strcmp(tok, method_names[m]) != 0)
                    m++;
                if (m == 3 || c->n_methods >= 3) goto bad;
                c->methods[c->n_methods++] = (method)m;
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
    return -1;
}

/* OpenBLAS (linked by GSL) would start threads of its own: they spin
 * against the worker processes and against each other on small matrices. */
void openblas_set_num_threads(int n);

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    openblas_set_num_threads(1);
    config c;
    config_defaults(&c);
    int prc = config_parse(&c, argc, argv);
    if (prc >= 0)
        return prc;
    if (c.eval)
        return family_eval(c.eval, c.eval_seed, c.verbose) == 0 ? 0 : 1;
    if (c.space_of)
        return family_space_print(c.space_of) == 0 ? 0 : 1;
    if (c.family) {
        if (!c.seeds_set)
            c.seeds = 10;
        if (!c.checkpoints_set) {
            static const size_t cp[] = {10, 15, 20, 30, 50};
            memcpy(c.checkpoints, cp, sizeof cp);
            c.n_checkpoints = 5;
        }
        if (c.list)
            return family_list(&c) == 0 ? 0 : 1;
        return family_run_all(&c) == 0 ? 0 : 1;
    }
    if (c.systems_arg) {
        c.n_systems = 0;
        for (char *tok = strtok((char *)c.systems_arg, ","); tok; tok = strtok(NULL, ",")) {
            sys_system s;
            if (c.n_systems >= MAX_LIST || sys_init(&s, tok) != 0) {
                fprintf(stderr, "bograph-bench-structure: bad value for --systems: %s\n", tok);
                return 2;
            }
            c.systems[c.n_systems++] = tok;
        }
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
