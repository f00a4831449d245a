/*
 * acqopt.c - maximises an acquisition over the encoded search space.
 *
 * 1. Raw candidates: a shifted Sobol design of n_raw points, plus (when the
 *    caller gives anchors, e.g. the best observed points) a share of
 *    Gaussian perturbations around them at scales from 5e-4 to 5e-2, which
 *    is where the optimum of LogEI usually sits once the model is good.
 *    Every candidate is snapped to a valid configuration and scored (in one
 *    batch when the caller gives a batch function).
 * 2. The best n_local admissible candidates are refined with NLopt (L-BFGS
 *    on the caller's gradient, BOBYQA without), categorical coordinates held
 *    at their start value, ints and ordinals relaxed; the result is snapped
 *    and scored again.
 * 3. The best snapped point that is not excluded wins.
 * With parameter constraints (bo/space_constraints.h) every raw candidate is
 * feasible, the local runs carry them as NLopt inequality constraints and a
 * result that snaps infeasible is pulled back (bo/acqopt_feasible.h).
 */
#include "bo/acqopt.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <nlopt.h>

#include "bo/acqopt_feasible.h"
#include "bo/defaults.h"
#include "bo/design.h"
#include "bo/space_constraints.h"
#include "bo/space_conditions.h"
#include "util/rng.h"

static void acqopt_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void acqopt_options_default(acqopt_options *opt)
{
    memset(opt, 0, sizeof(*opt));
}

size_t acqopt_default_raw(size_t dim)
{
    size_t n = ACQOPT_RAW_BASE + ACQOPT_RAW_PER_DIM * dim;
    return n > ACQOPT_RAW_MAX ? ACQOPT_RAW_MAX : n;
}

typedef struct {
    acqopt_fn f;
    void *ctx;
    size_t evals;
} acqopt_local;

static double acqopt_nlopt_f(unsigned n, const double *x, double *grad, void *data)
{
    acqopt_local *l = data;
    l->evals++;
    double v = l->f(x, grad, l->ctx);
    if (!isfinite(v)) {
        if (grad)
            for (unsigned k = 0; k < n; k++) grad[k] = 0;
        return -1e300; /* NLopt maximises; a finite floor keeps L-BFGS sane */
    }
    if (grad)
        for (unsigned k = 0; k < n; k++)
            if (!isfinite(grad[k])) grad[k] = 0;
    return v;
}

static int acqopt_excluded(const space *sp, const double *u, const double *ex, size_t n_ex)
{
    size_t dim = space_encoded_dim(sp);
    for (size_t i = 0; i < n_ex; i++)
        if (space_encoded_equal(sp, u, ex + i * dim)) return 1;
    return 0;
}

typedef struct {
    double value;
    size_t index;
} acqopt_scored;

static int acqopt_cmp_desc(const void *a, const void *b)
{
    const acqopt_scored *x = a, *y = b;
    if (x->value > y->value) return -1;
    if (x->value < y->value) return 1;
    return (x->index > y->index) - (x->index < y->index); /* stable: deterministic */
}

static double acqopt_clean(double v)
{
    return isfinite(v) || v == INFINITY ? v : -INFINITY;
}

/* One call's problem and scratch space: what the steps share. */
typedef struct {
    const space *sp;
    acqopt_fn f;
    void *ctx;
    const acqopt_options *opt;
    const double *exclude;
    size_t n_exclude;
    size_t dim, n_sobol, n_anchor, n_raw, n_local;
    double *U, *val;            /* raw candidates and their scores */
    acqopt_scored *order;       /* raw candidates, best first */
    double *x, *lo, *hi, *cand, *step;
    size_t *starts;             /* raw candidates a local run started from */
    design *d;
    gsl_rng *rng;
    nlopt_opt nl;
    acqopt_feasible *feas;      /* parameter constraints; NULL: none */
    double *best_u, best;       /* the answer so far */
    int have_best;
} acqopt_work;

static void acqopt_work_free(acqopt_work *w)
{
    if (w->nl) nlopt_destroy(w->nl);
    acqopt_feasible_free(w->feas);
    if (w->rng) gsl_rng_free(w->rng);
    design_free(w->d);
    free(w->U);
    free(w->val);
    free(w->order);
    free(w->x);
    free(w->lo);
    free(w->hi);
    free(w->cand);
    free(w->step);
    free(w->starts);
}

/* The sizes of the search and its buffers; -1 when out of memory (w is then
 * released by acqopt_work_free all the same). */
static int acqopt_work_alloc(acqopt_work *w)
{
    const acqopt_options *opt = w->opt;
    size_t dim = w->dim;
    w->n_sobol = opt->n_raw ? opt->n_raw : acqopt_default_raw(dim);
    w->n_anchor = 0;
    if (opt->anchors && opt->n_anchors > 0)
        w->n_anchor = (size_t)ceil(ACQOPT_ANCHOR_FRACTION * (double)w->n_sobol);
    w->n_raw = w->n_sobol + w->n_anchor;
    w->n_local = opt->n_local ? opt->n_local : ACQOPT_N_LOCAL;
    if (w->n_local > w->n_raw) w->n_local = w->n_raw;

    w->U = malloc(w->n_raw * dim * sizeof(double));
    w->val = malloc(w->n_raw * sizeof(double));
    w->order = malloc(w->n_raw * sizeof(acqopt_scored));
    w->x = malloc(dim * sizeof(double));
    w->lo = malloc(dim * sizeof(double));
    w->hi = malloc(dim * sizeof(double));
    w->cand = malloc(dim * sizeof(double));
    w->step = malloc(2 * dim * sizeof(double)); /* also the pull-back's scratch */
    w->starts = malloc((w->n_local ? w->n_local : 1) * sizeof(size_t));
    w->d = design_sobol_new(dim, opt->seed);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!w->U || !w->val || !w->order || !w->x || !w->lo || !w->hi || !w->cand || !w->step ||
        !w->starts || !w->d || !w->rng)
        return -1;
    gsl_rng_set(w->rng, (unsigned long)((opt->seed * RNG_GOLDEN) >> 32));
    return 0;
}

/* Step 1: raw candidates (Sobol, then perturbed anchors), snapped, scored
 * and ordered best first; the best admissible one is the answer so far. */
static void acqopt_raw(acqopt_work *w)
{
    const acqopt_options *opt = w->opt;
    size_t dim = w->dim;
    /* feasible points only (bo/acqopt_feasible.h); all of them without constraints */
    size_t n_raw = acqopt_feasible_raw(w->sp, w->d, w->U, w->n_sobol);
    for (size_t i = 0; i < w->n_anchor; i++) {
        const double *a = opt->anchors + (i % opt->n_anchors) * dim;
        double *u = w->U + n_raw * dim;
        int tries = w->feas ? ACQOPT_ANCHOR_TRIES : 1, ok = 0;
        for (int t = 0; t < tries && !ok; t++) {
            double sd = ACQOPT_ANCHOR_SD * pow(10.0, -2.0 * gsl_rng_uniform(w->rng));
            for (size_t k = 0; k < dim; k++) {
                double v = a[k] + gsl_ran_gaussian_ziggurat(w->rng, sd);
                u[k] = v < 0 ? 0 : (v > 1 ? 1 : v);
            }
            space_snap_encoded(w->sp, u);
            ok = !w->feas || space_feasible_encoded(w->sp, u);
        }
        n_raw += ok;
    }
    w->n_raw = n_raw;
    if (w->n_local > n_raw) w->n_local = n_raw;
    if (opt->batch && w->n_raw) {
        opt->batch(w->U, w->n_raw, w->val, w->ctx);
    } else {
        for (size_t i = 0; i < w->n_raw; i++) w->val[i] = w->f(w->U + i * dim, NULL, w->ctx);
    }
    for (size_t i = 0; i < w->n_raw; i++) {
        w->order[i].value = acqopt_clean(w->val[i]);
        w->order[i].index = i;
    }
    qsort(w->order, w->n_raw, sizeof(acqopt_scored), acqopt_cmp_desc);

    /* best admissible raw point: the answer if local search finds nothing better */
    w->best = -INFINITY;
    w->have_best = 0;
    for (size_t r = 0; r < w->n_raw; r++) {
        const double *u = w->U + w->order[r].index * dim;
        if (!acqopt_excluded(w->sp, u, w->exclude, w->n_exclude)) {
            memcpy(w->best_u, u, dim * sizeof(double));
            w->best = w->order[r].value;
            w->have_best = 1;
            break;
        }
    }
}

/* One local run from u0: categorical coordinates held, the rest free in
 * [0,1]; the result snapped, scored honestly and kept when it is better and
 * admissible. -1 only when NLopt cannot be configured. */
static int acqopt_local_run(acqopt_work *w, const double *u0, char *err, size_t err_len)
{
    size_t dim = w->dim, nparam = space_size(w->sp);
    memcpy(w->x, u0, dim * sizeof(double));
    for (size_t k = 0; k < dim; k++) {
        w->lo[k] = 0;
        w->hi[k] = 1;
    }
    for (size_t i = 0; i < nparam; i++) {
        if (space_param_type(w->sp, i) != SPACE_CATEGORICAL) continue;
        size_t first, count;
        space_param_encoded_span(w->sp, i, &first, &count);
        for (size_t k = first; k < first + count; k++) w->lo[k] = w->hi[k] = w->x[k];
    }
    space_cond_hold_bounds(w->sp, w->x, w->lo, w->hi); /* one branch of the tree per run */
    if (nlopt_set_lower_bounds(w->nl, w->lo) < 0 || nlopt_set_upper_bounds(w->nl, w->hi) < 0) {
        acqopt_errf(err, err_len, "acqopt: cannot set NLopt bounds");
        return -1;
    }
    if (!w->opt->has_gradient) {
        /* NLopt refuses a zero step ("zero step size"), even for a
         * variable fixed by equal bounds (a categorical's one-hot
         * columns here), which its derivative-free methods drop. */
        for (size_t k = 0; k < dim; k++) w->step[k] = 0.05;
        if (nlopt_set_initial_step(w->nl, w->step) < 0) {
            acqopt_errf(err, err_len, "acqopt: cannot set NLopt step");
            return -1;
        }
    }
    double fx = -INFINITY;
    nlopt_result st = nlopt_optimize(w->nl, w->x, &fx);
    if (st < 0 && st != NLOPT_ROUNDOFF_LIMITED && st != NLOPT_FAILURE) return 0;
    /* x holds the best point NLopt saw; snap and score honestly */
    memcpy(w->cand, w->x, dim * sizeof(double));
    space_snap_encoded(w->sp, w->cand);
    if (w->feas && !acqopt_feasible_pullback(w->sp, u0, w->cand, w->step)) return 0;
    double v = acqopt_clean(w->f(w->cand, NULL, w->ctx));
    if ((!w->have_best || v > w->best) &&
        !acqopt_excluded(w->sp, w->cand, w->exclude, w->n_exclude)) {
        memcpy(w->best_u, w->cand, dim * sizeof(double));
        w->best = v;
        w->have_best = 1;
    }
    return 0;
}

/* Step 2: local refinement of the best few distinct starts (none when every
 * parameter is categorical). */
static int acqopt_refine(acqopt_work *w, char *err, size_t err_len)
{
    const acqopt_options *opt = w->opt;
    int any_free = 0;
    size_t nparam = space_size(w->sp);
    for (size_t i = 0; i < nparam; i++)
        if (space_param_type(w->sp, i) != SPACE_CATEGORICAL) any_free = 1;
    if (!any_free || w->n_local == 0)
        return 0;
    /* parameter constraints: algorithms that take inequality constraints */
    nlopt_algorithm alg = w->feas ? (opt->has_gradient ? NLOPT_LD_SLSQP : NLOPT_LN_COBYLA)
                                  : (opt->has_gradient ? NLOPT_LD_LBFGS : NLOPT_LN_BOBYQA);
    w->nl = nlopt_create(alg, (unsigned)w->dim);
    acqopt_local lctx = {w->f, w->ctx, 0};
    if (!w->nl || nlopt_set_max_objective(w->nl, acqopt_nlopt_f, &lctx) < 0 ||
        (w->feas && acqopt_feasible_add(w->feas, w->nl) < 0) ||
        nlopt_set_maxeval(w->nl, ACQOPT_LOCAL_MAXEVAL) < 0 ||
        nlopt_set_xtol_rel(w->nl, ACQOPT_LOCAL_XTOL) < 0 ||
        nlopt_set_ftol_rel(w->nl, 1e-12) < 0) {
        acqopt_errf(err, err_len, "acqopt: cannot configure NLopt");
        return -1;
    }
    size_t started = 0;
    for (size_t r = 0; r < w->n_raw && started < w->n_local; r++) {
        const double *u0 = w->U + w->order[r].index * w->dim;
        if (!isfinite(w->order[r].value) && started > 0) break;
        /* distinct starts only */
        int dup = 0;
        for (size_t q = 0; q < started && !dup; q++)
            if (space_encoded_equal(w->sp, u0, w->U + w->starts[q] * w->dim)) dup = 1;
        if (dup) continue;
        w->starts[started++] = w->order[r].index;
        if (acqopt_local_run(w, u0, err, err_len) != 0)
            return -1;
    }
    return 0;
}

int acqopt_maximize(const space *sp, acqopt_fn f, void *ctx,
                    const acqopt_options *opt, const double *exclude,
                    size_t n_exclude, double *best_u, double *best_value,
                    char *err, size_t err_len)
{
    acqopt_options dflt;
    if (!opt) {
        acqopt_options_default(&dflt);
        opt = &dflt;
    }
    if (!sp || !f || !best_u) {
        acqopt_errf(err, err_len, "acqopt: missing space, function or output");
        return -1;
    }
    assert(n_exclude == 0 || exclude);
    acqopt_work w = {.sp = sp, .f = f, .ctx = ctx, .opt = opt, .exclude = exclude,
                     .n_exclude = n_exclude, .dim = space_encoded_dim(sp), .best_u = best_u};
    if (w.dim == 0) {
        acqopt_errf(err, err_len, "acqopt: the search space has no parameters");
        return -1;
    }
    int rc = -1, oom = 0;
    w.feas = acqopt_feasible_new(sp, &oom);
    if (oom || acqopt_work_alloc(&w) != 0) {
        acqopt_errf(err, err_len, "acqopt: out of memory");
        goto done;
    }
    acqopt_raw(&w);
    if (acqopt_refine(&w, err, err_len) != 0)
        goto done;
    /* 3. the best snapped point that is not excluded */
    if (!w.have_best) {
        acqopt_errf(err, err_len, "acqopt: every candidate configuration is already observed or pending");
        goto done;
    }
    if (best_value) *best_value = w.best;
    rc = 0;
done:
    acqopt_work_free(&w);
    return rc;
}
