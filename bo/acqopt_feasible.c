/*
 * acqopt_feasible.c - feasible raw samples, NLopt inequality constraints and
 * the pull-back of an infeasible local result (see acqopt_feasible.h).
 */
#include "bo/acqopt_feasible.h"

#include <stdlib.h>
#include <string.h>

#include "bo/defaults.h"
#include "bo/space_constraints.h"

size_t acqopt_feasible_raw(const space *sp, design *d, double *U, size_t n_want)
{
    size_t dim = space_encoded_dim(sp), got = 0;
    int constrained = space_n_constraints(sp) > 0;
    size_t max_draws = constrained ? ACQOPT_FEASIBLE_DRAWS_PER_SAMPLE * n_want : n_want;
    for (size_t t = 0; t < max_draws && got < n_want; t++) {
        double *u = U + got * dim;
        design_next(d, u);
        space_snap_encoded(sp, u);
        if (!constrained || space_feasible_encoded(sp, u))
            got++;
    }
    return got;
}

/* One NLopt constraint's data. */
typedef struct {
    const space *sp;
    size_t index;
    double *scratch;   /* space_constraint_relaxed's, plus a perturbed point */
} af_item;

struct acqopt_feasible {
    af_item *items;
    size_t n;
    double *scratch;
};

acqopt_feasible *acqopt_feasible_new(const space *sp, int *oom)
{
    *oom = 0;
    size_t n = space_n_constraints(sp);
    if (n == 0)
        return NULL;
    size_t p = space_size(sp), dim = space_encoded_dim(sp);
    acqopt_feasible *af = calloc(1, sizeof *af);
    if (af) {
        af->n = n;
        af->items = calloc(n, sizeof *af->items);
        af->scratch = malloc((2 * p + 2 * dim) * sizeof *af->scratch);
    }
    if (!af || !af->items || !af->scratch) {
        acqopt_feasible_free(af);
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        af->items[i] = (af_item){sp, i, af->scratch};
    return af;
}

void acqopt_feasible_free(acqopt_feasible *af)
{
    if (!af)
        return;
    free(af->items);
    free(af->scratch);
    free(af);
}

/* NLopt's constraint: <= 0 where constraint index holds on the relaxation;
 * forward (backward at the upper bound) differences for the gradient. */
static double af_nlopt_c(unsigned n, const double *x, double *grad, void *data)
{
    af_item *it = data;
    size_t p = space_size(it->sp);
    double *xh = it->scratch + 2 * p + n;
    double g = space_constraint_relaxed(it->sp, it->index, x, it->scratch);
    if (grad) {
        const double h = 1e-6;
        memcpy(xh, x, n * sizeof *xh);
        for (unsigned k = 0; k < n; k++) {
            double step = x[k] + h <= 1.0 ? h : -h;
            xh[k] = x[k] + step;
            grad[k] = (space_constraint_relaxed(it->sp, it->index, xh, it->scratch) - g) / step;
            xh[k] = x[k];
        }
    }
    return g;
}

int acqopt_feasible_add(acqopt_feasible *af, nlopt_opt nl)
{
    for (size_t i = 0; i < af->n; i++)
        if (nlopt_add_inequality_constraint(nl, af_nlopt_c, &af->items[i], 1e-9) < 0)
            return -1;
    return 0;
}

int acqopt_feasible_pullback(const space *sp, const double *u0, double *cand, double *scratch)
{
    if (space_feasible_encoded(sp, cand))
        return 1;
    size_t dim = space_encoded_dim(sp);
    double *end = scratch, *u = scratch + dim;
    memcpy(end, cand, dim * sizeof *end);
    memcpy(cand, u0, dim * sizeof *cand);
    double t = 1.0;
    for (int s = 0; s < ACQOPT_PULLBACK_STEPS; s++) {
        t *= 0.5;
        for (size_t k = 0; k < dim; k++)
            u[k] = u0[k] + t * (end[k] - u0[k]);
        space_snap_encoded(sp, u);
        if (space_feasible_encoded(sp, u)) {
            memcpy(cand, u, dim * sizeof *cand);
            break;
        }
    }
    return space_feasible_encoded(sp, cand);
}
