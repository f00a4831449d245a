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
 */
#include "bo/acqopt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <nlopt.h>

#include "bo/defaults.h"
#include "bo/design.h"

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
    size_t dim = space_encoded_dim(sp);
    if (dim == 0) {
        acqopt_errf(err, err_len, "acqopt: the search space has no parameters");
        return -1;
    }
    size_t n_sobol = opt->n_raw ? opt->n_raw : acqopt_default_raw(dim);
    size_t n_anchor = 0;
    if (opt->anchors && opt->n_anchors > 0)
        n_anchor = (size_t)ceil(ACQOPT_ANCHOR_FRACTION * (double)n_sobol);
    size_t n_raw = n_sobol + n_anchor;
    size_t n_local = opt->n_local ? opt->n_local : ACQOPT_N_LOCAL;
    if (n_local > n_raw) n_local = n_raw;

    double *U = malloc(n_raw * dim * sizeof(double));
    double *val = malloc(n_raw * sizeof(double));
    acqopt_scored *order = malloc(n_raw * sizeof(acqopt_scored));
    double *x = malloc(dim * sizeof(double));
    double *lo = malloc(dim * sizeof(double));
    double *hi = malloc(dim * sizeof(double));
    double *cand = malloc(dim * sizeof(double));
    double *step = malloc(dim * sizeof(double));
    size_t *starts = malloc((n_local ? n_local : 1) * sizeof(size_t));
    design *d = design_sobol_new(dim, opt->seed);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    nlopt_opt nl = NULL;
    int rc = -1;
    if (!U || !val || !order || !x || !lo || !hi || !cand || !step || !starts || !d || !rng) {
        acqopt_errf(err, err_len, "acqopt: out of memory");
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)((opt->seed * 0x9e3779b97f4a7c15ULL) >> 32));

    /* 1. raw candidates */
    for (size_t i = 0; i < n_sobol; i++) design_next(d, U + i * dim);
    for (size_t i = 0; i < n_anchor; i++) {
        const double *a = opt->anchors + (i % opt->n_anchors) * dim;
        double *u = U + (n_sobol + i) * dim;
        double sd = ACQOPT_ANCHOR_SD * pow(10.0, -2.0 * gsl_rng_uniform(rng));
        for (size_t k = 0; k < dim; k++) {
            double v = a[k] + gsl_ran_gaussian_ziggurat(rng, sd);
            u[k] = v < 0 ? 0 : (v > 1 ? 1 : v);
        }
    }
    for (size_t i = 0; i < n_raw; i++) space_snap_encoded(sp, U + i * dim);
    if (opt->batch) {
        opt->batch(U, n_raw, val, ctx);
    } else {
        for (size_t i = 0; i < n_raw; i++) val[i] = f(U + i * dim, NULL, ctx);
    }
    for (size_t i = 0; i < n_raw; i++) {
        order[i].value = acqopt_clean(val[i]);
        order[i].index = i;
    }
    qsort(order, n_raw, sizeof(acqopt_scored), acqopt_cmp_desc);

    /* best admissible raw point: the answer if local search finds nothing better */
    double best = -INFINITY;
    int have_best = 0;
    for (size_t r = 0; r < n_raw; r++) {
        const double *u = U + order[r].index * dim;
        if (!acqopt_excluded(sp, u, exclude, n_exclude)) {
            memcpy(best_u, u, dim * sizeof(double));
            best = order[r].value;
            have_best = 1;
            break;
        }
    }

    /* 2. local refinement of the best few distinct starts */
    int any_free = 0;
    size_t nparam = space_size(sp);
    for (size_t i = 0; i < nparam; i++)
        if (space_param_type(sp, i) != SPACE_CATEGORICAL) any_free = 1;
    if (any_free && n_local > 0) {
        nl = nlopt_create(opt->has_gradient ? NLOPT_LD_LBFGS : NLOPT_LN_BOBYQA, (unsigned)dim);
        acqopt_local lctx = {f, ctx, 0};
        if (!nl || nlopt_set_max_objective(nl, acqopt_nlopt_f, &lctx) < 0 ||
            nlopt_set_maxeval(nl, ACQOPT_LOCAL_MAXEVAL) < 0 ||
            nlopt_set_xtol_rel(nl, ACQOPT_LOCAL_XTOL) < 0 ||
            nlopt_set_ftol_rel(nl, 1e-12) < 0) {
            acqopt_errf(err, err_len, "acqopt: cannot configure NLopt");
            goto done;
        }
        size_t started = 0;
        for (size_t r = 0; r < n_raw && started < n_local; r++) {
            const double *u0 = U + order[r].index * dim;
            if (!isfinite(order[r].value) && started > 0) break;
            /* distinct starts only */
            int dup = 0;
            for (size_t q = 0; q < started && !dup; q++)
                if (space_encoded_equal(sp, u0, U + starts[q] * dim)) dup = 1;
            if (dup) continue;
            starts[started++] = order[r].index;
            memcpy(x, u0, dim * sizeof(double));
            for (size_t k = 0; k < dim; k++) {
                lo[k] = 0;
                hi[k] = 1;
            }
            for (size_t i = 0; i < nparam; i++) {
                if (space_param_type(sp, i) != SPACE_CATEGORICAL) continue;
                size_t first, count;
                space_param_encoded_span(sp, i, &first, &count);
                for (size_t k = first; k < first + count; k++) lo[k] = hi[k] = x[k];
            }
            if (nlopt_set_lower_bounds(nl, lo) < 0 || nlopt_set_upper_bounds(nl, hi) < 0) {
                acqopt_errf(err, err_len, "acqopt: cannot set NLopt bounds");
                goto done;
            }
            if (!opt->has_gradient) {
                /* NLopt refuses a zero step ("zero step size"), even for a
                 * variable fixed by equal bounds (a categorical's one-hot
                 * columns here), which its derivative-free methods drop. */
                for (size_t k = 0; k < dim; k++) step[k] = 0.05;
                if (nlopt_set_initial_step(nl, step) < 0) {
                    acqopt_errf(err, err_len, "acqopt: cannot set NLopt step");
                    goto done;
                }
            }
            double fx = -INFINITY;
            nlopt_result st = nlopt_optimize(nl, x, &fx);
            if (st < 0 && st != NLOPT_ROUNDOFF_LIMITED && st != NLOPT_FAILURE) continue;
            /* x holds the best point NLopt saw; snap and score honestly */
            memcpy(cand, x, dim * sizeof(double));
            space_snap_encoded(sp, cand);
            double v = acqopt_clean(f(cand, NULL, ctx));
            if ((!have_best || v > best) && !acqopt_excluded(sp, cand, exclude, n_exclude)) {
                memcpy(best_u, cand, dim * sizeof(double));
                best = v;
                have_best = 1;
            }
        }
    }

    if (!have_best) {
        acqopt_errf(err, err_len, "acqopt: every candidate configuration is already observed or pending");
        goto done;
    }
    if (best_value) *best_value = best;
    rc = 0;
done:
    if (nl) nlopt_destroy(nl);
    if (rng) gsl_rng_free(rng);
    design_free(d);
    free(U);
    free(val);
    free(order);
    free(x);
    free(lo);
    free(hi);
    free(cand);
    free(step);
    free(starts);
    return rc;
}
