/*
 * bograph_request.c - the bograph request: bograph_request_init, checking a
 * request, the data built from it (encoded configurations, the objective in
 * maximisation units, which rows are usable), the fingerprint of its
 * constraints and whether an observed row meets them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/suggest.h"
#include "structure/bograph_request.h"
#include "structure/defaults.h"
#include "structure/graph_state.h"
#include "structure/knowledge.h"

/* ---- small public helpers ---- */

void bograph_request_init(bograph_request *req, const space *sp)
{
    memset(req, 0, sizeof *req);
    bo_request_init(&req->base, sp);
    req->base.maximize = 1;
}

/* ---- the request's data ---- */

void bg_data_free(bg_data *d)
{
    free(d->U);
    free(d->t);
    free(d->use);
}

/* Whether the objective may be modelled on a log scale: no formula
 * computes it and no constraint compares it in its own units. */
static int bg_objective_warpable(const bograph_request *req)
{
    const char *obj = req->objective_name ? req->objective_name : "objective";
    if (knowledge_model_index(req->kn, obj) >= 0)
        return 0;
    for (size_t c = 0; c < req->n_constraints; c++)
        if (req->constraints[c].metric && strcmp(req->constraints[c].metric, obj) == 0)
            return 0;
    return 1;
}

/* A positive objective that spans more than BG_LOG_SPAN (a throughput, a
 * latency, an energy-delay product: multiplicative, heavy-tailed) is
 * modelled as its log, in structure learning and in the graph's objective
 * node alike. Monotone, so the order of the trials and the best one stay. */
static void bg_data_warp(const bograph_request *req, bg_data *d)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < d->n; i++)
        if (d->use[i]) {
            lo = fmin(lo, req->base.y[i]);
            hi = fmax(hi, req->base.y[i]);
        }
    if (!(lo > 0 && hi > BG_LOG_SPAN * lo) || !bg_objective_warpable(req))
        return;
    d->log_objective = 1;
    for (size_t i = 0; i < d->n; i++)
        if (d->use[i])
            d->t[i] = req->base.maximize ? log(req->base.y[i]) : -log(req->base.y[i]);
}

int bg_data_build(const bograph_request *req, bg_data *d)
{
    memset(d, 0, sizeof *d);
    d->n = req->base.n_obs;
    d->p = space_size(req->base.sp);
    d->dim_u = space_encoded_dim(req->base.sp);
    size_t n = d->n ? d->n : 1;
    d->U = malloc(n * d->dim_u * sizeof *d->U);
    d->t = malloc(n * sizeof *d->t);
    d->use = calloc(n, 1);
    if (!d->U || !d->t || !d->use)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        space_encode(req->base.sp, req->base.X + i * d->p, d->U + i * d->dim_u);
        int inf = req->base.infeasible && req->base.infeasible[i];
        double y = req->base.y[i];
        d->t[i] = (!inf && isfinite(y)) ? (req->base.maximize ? y : -y) : NAN;
        d->use[i] = isfinite(d->t[i]);
        if (!d->use[i])
            continue;
        d->n_use++;
        for (size_t j = 0; j < req->n_metrics; j++)
            if (isfinite(req->metrics[i * req->n_metrics + j])) {
                d->n_with_metrics++;
                break;
            }
    }
    bg_data_warp(req, d);
    /* objectives so large that the node GPs' sums would overflow (unused
     * rows are NAN and stay so) */
    d->tamed = bo_tame_outputs(d->t, d->n);
    return 0;
}

double bg_data_own(const bg_data *d, int maximize, double mu, double *s)
{
    if (d->tamed) { /* never with the log scale: log(y) is far below BO_Y_EXTREME */
        double a = fabs(mu);
        if (s)
            *s *= exp(a);
        mu = copysign(expm1(a), mu);
    }
    double own = maximize ? mu : -mu;
    if (d->log_objective) {
        /* back from the log scale: the median, and the delta method */
        own = exp(own);
        if (s)
            *s *= own;
    }
    return own;
}

int bg_validate(const bograph_request *req, const double *out, char *err, size_t err_len)
{
    if (!req || !req->base.sp || !out) {
        bg_err(err, err_len, "bograph: missing request, space or output");
        return -1;
    }
    if (space_size(req->base.sp) == 0) {
        bg_err(err, err_len, "bograph: the space has no parameter");
        return -1;
    }
    if (req->base.n_obs && (!req->base.X || !req->base.y)) {
        bg_err(err, err_len, "bograph: %zu observations but no X or y", req->base.n_obs);
        return -1;
    }
    if (req->n_metrics && (!req->metric_names || (req->base.n_obs && !req->metrics))) {
        bg_err(err, err_len, "bograph: %zu metrics but no names or table", req->n_metrics);
        return -1;
    }
    for (size_t j = 0; j < req->n_metrics; j++)
        if (!req->metric_names[j]) {
            bg_err(err, err_len, "bograph: metric_names[%zu] is missing", j);
            return -1;
        }
    if (req->base.n_pending && !req->base.pending) {
        bg_err(err, err_len, "bograph: %zu pending but no array", req->base.n_pending);
        return -1;
    }
    if (req->n_constraints && !req->constraints) {
        bg_err(err, err_len, "bograph: %zu constraints but no array", req->n_constraints);
        return -1;
    }
    for (size_t c = 0; c < req->n_constraints; c++) {
        const bograph_constraint *k = &req->constraints[c];
        if (!k->metric || !k->metric[0]) {
            bg_err(err, err_len, "constraints[%zu]: no metric", c);
            return -1;
        }
        if ((int)k->op < (int)CONSTRAINT_OP_LE || (int)k->op > (int)CONSTRAINT_OP_GT) {
            bg_err(err, err_len, "constraints[%zu]: unknown operator %d", c, k->op);
            return -1;
        }
        if (!isfinite(k->value)) {
            bg_err(err, err_len, "constraints[%zu]: value is not a finite number", c);
            return -1;
        }
    }
    size_t p = space_size(req->base.sp);
    if (req->kn && !req->kn_checked) {
        const char **pn = malloc(p * sizeof *pn);
        if (!pn) {
            bg_err(err, err_len, "out of memory");
            return -1;
        }
        for (size_t j = 0; j < p; j++)
            pn[j] = space_param_name(req->base.sp, j);
        int rc = knowledge_validate(req->kn, NULL, 0, pn, p, req->objective_name, err, err_len);
        free(pn);
        if (rc)
            return -1;
    }
    return 0;
}

uint64_t bg_cons_fp(const bograph_request *req)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t c = 0; c < req->n_constraints; c++)
        for (const char *s = req->constraints[c].metric;; s++) {
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
            if (!*s)
                break;
        }
    return h;
}

/* Whether observed row i meets the constraints (metrics as reported). */
int bg_row_feasible(const bograph_request *req, size_t i)
{
    for (size_t c = 0; c < req->n_constraints; c++) {
        const bograph_constraint *k = &req->constraints[c];
        double v = NAN;
        if (req->objective_name && strcmp(k->metric, req->objective_name) == 0) {
            v = req->base.y[i];
        } else {
            for (size_t j = 0; j < req->n_metrics; j++)
                if (strcmp(req->metric_names[j], k->metric) == 0)
                    v = req->metrics[i * req->n_metrics + j];
        }
        if (!isfinite(v))
            return 0;
        if (!constraint_op_holds(k->op, v, k->value))
            return 0;
    }
    return 1;
}
