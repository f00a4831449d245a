/*
 * suggest_multi.c - proposals for studies with several objectives. Checks
 * the request, then fills the proposals one by one: each earlier proposal
 * joins the pending points of the next, so a batch is distinct. The method
 * is ParEGO (Knowles 2006): the objectives are normalised to [0, 1] over the
 * feasible trials (1 = best seen), a weight vector is drawn uniformly from
 * the simplex per proposal (seeded), and the augmented Chebyshev
 * scalarisation max_j w_j (1 - f_j) + rho sum_j w_j (1 - f_j) is minimised
 * by the single-objective GP engine (bo_suggest, algorithm gp), which also
 * provides the Sobol design of the first trials.
 */
#include "bo/suggest_multi.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/defaults.h"
#include "util/rng.h"

/* ParEGO's augmentation weight (Knowles 2006). */
#define BO_PAREGO_RHO 0.05

static void bo_multi_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void bo_multi_request_init(bo_multi_request *req, const space *sp)
{
    assert(req);
    memset(req, 0, sizeof(*req));
    req->sp = sp;
    req->n_objectives = 2;
    req->count = 1;
}

static int bo_multi_validate(const bo_multi_request *req, const double *out, char *err,
                             size_t err_len)
{
    char msg[256];
    if (!req || !req->sp) {
        bo_multi_errf(err, err_len, "request has no search space");
        return -1;
    }
    size_t p = space_size(req->sp), m = req->n_objectives;
    if (p == 0) {
        bo_multi_errf(err, err_len, "the search space has no parameters");
        return -1;
    }
    if (m < BO_MULTI_MIN_OBJECTIVES || m > BO_MULTI_MAX_OBJECTIVES) {
        bo_multi_errf(err, err_len, "%zu objectives: between %d and %d are supported", m,
                      BO_MULTI_MIN_OBJECTIVES, BO_MULTI_MAX_OBJECTIVES);
        return -1;
    }
    if (!req->maximize) {
        bo_multi_errf(err, err_len, "no maximize flags for the objectives");
        return -1;
    }
    if (req->count > BO_MAX_COUNT) {
        bo_multi_errf(err, err_len, "count %zu is more than %d proposals per call", req->count,
                      BO_MAX_COUNT);
        return -1;
    }
    if (req->count > 0 && !out) {
        bo_multi_errf(err, err_len, "no output buffer");
        return -1;
    }
    if (req->n_obs > 0 && (!req->X || !req->Y)) {
        bo_multi_errf(err, err_len, "%zu observations but no X or Y array", req->n_obs);
        return -1;
    }
    if (req->n_pending > 0 && !req->pending) {
        bo_multi_errf(err, err_len, "%zu pending points but no array", req->n_pending);
        return -1;
    }
    for (size_t i = 0; i < req->n_obs; i++) {
        if (space_validate(req->sp, req->X + i * p, msg, sizeof msg) != 0) {
            bo_multi_errf(err, err_len, "observation %zu: %s", i, msg);
            return -1;
        }
        if (req->infeasible && req->infeasible[i]) continue;
        for (size_t j = 0; j < m; j++)
            if (!isfinite(req->Y[i * m + j])) {
                bo_multi_errf(err, err_len, "observation %zu: objective %zu is not a finite number",
                              i, j);
                return -1;
            }
    }
    for (size_t i = 0; i < req->n_pending; i++)
        if (space_validate(req->sp, req->pending + i * p, msg, sizeof msg) != 0) {
            bo_multi_errf(err, err_len, "pending point %zu: %s", i, msg);
            return -1;
        }
    return 0;
}

/* A weight vector uniform on the simplex (normalised exponentials). */
static void bo_parego_weights(uint64_t seed, size_t m, double *w)
{
    uint64_t s = seed;
    double sum = 0;
    for (size_t j = 0; j < m; j++) {
        w[j] = -log(rng_unit(&s));
        sum += w[j];
    }
    for (size_t j = 0; j < m; j++) w[j] /= sum;
}

/* The augmented Chebyshev scalarisation of every feasible row (to be
 * minimised); infeasible rows get 0 and stay marked infeasible. */
static void bo_parego_scalarise(const bo_multi_request *req, const double *w, double *s)
{
    size_t m = req->n_objectives, n = req->n_obs;
    double lo[BO_MULTI_MAX_OBJECTIVES], hi[BO_MULTI_MAX_OBJECTIVES];
    for (size_t j = 0; j < m; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (size_t i = 0; i < n; i++) {
        if (req->infeasible && req->infeasible[i]) continue;
        for (size_t j = 0; j < m; j++) {
            double v = req->maximize[j] ? req->Y[i * m + j] : -req->Y[i * m + j];
            if (v < lo[j]) lo[j] = v;
            if (v > hi[j]) hi[j] = v;
        }
    }
    for (size_t i = 0; i < n; i++) {
        s[i] = 0;
        if (req->infeasible && req->infeasible[i]) continue;
        double mx = -INFINITY, sum = 0;
        for (size_t j = 0; j < m; j++) {
            double v = req->maximize[j] ? req->Y[i * m + j] : -req->Y[i * m + j];
            double range = hi[j] - lo[j];
            double f = range > 0 && isfinite(range) ? (v - lo[j]) / range : 1;
            double t = w[j] * (1 - f);
            if (t > mx) mx = t;
            sum += t;
        }
        s[i] = mx + BO_PAREGO_RHO * sum;
    }
}

/* Proposal k of a ParEGO batch into out + k * p; the first k proposals
 * are pending for it. The scalarised trials go through bo_suggest. */
static int bo_parego_propose(const bo_multi_request *req, double *out, size_t k, double *s,
                             double *pending, char *err, size_t err_len)
{
    size_t p = space_size(req->sp), m = req->n_objectives;
    double w[BO_MULTI_MAX_OBJECTIVES];
    bo_parego_weights(rng_stream_seed(req->seed ^ 0x9a7e90ULL, (uint64_t)(req->n_obs + req->n_pending + k)),
                      m, w);
    bo_parego_scalarise(req, w, s);
    if (req->n_pending) memcpy(pending, req->pending, req->n_pending * p * sizeof(double));
    if (k) memcpy(pending + req->n_pending * p, out, k * p * sizeof(double));
    bo_request sub;
    bo_request_init(&sub, req->sp);
    sub.algorithm = BO_GP;
    sub.maximize = 0;
    sub.X = req->X;
    sub.y = s;
    sub.infeasible = req->infeasible;
    sub.n_obs = req->n_obs;
    sub.pending = pending;
    sub.n_pending = req->n_pending + k;
    sub.count = 1;
    sub.seed = req->seed;
    sub.n_initial = req->n_initial;
    sub.state = req->state;
    sub.timing = req->timing;
    bo_explain ex;
    memset(&ex, 0, sizeof ex);
    sub.explain = &ex;
    if (bo_suggest(&sub, out + k * p, err, err_len) != 0) return -1;
    if (req->explain) {
        bo_explain *x = &req->explain[k];
        x->sobol = ex.sobol;
        x->from_model = ex.from_model;
        x->acquisition = ex.acquisition;
        if (ex.from_model) {
            /* the first objective's prediction, as the explanation promises */
            double mean[BO_MULTI_MAX_OBJECTIVES], sd[BO_MULTI_MAX_OBJECTIVES];
            bo_multi_request one = *req;
            one.state = NULL;
            if (bo_predict_multi(&one, out + k * p, 1, mean, sd, NULL, 0) == 0) {
                x->mean = mean[0];
                x->sd = sd[0];
            }
        }
    }
    return 0;
}

int bo_predict_multi(const bo_multi_request *req, const double *configs, size_t m,
                     double *mean, double *sd, char *err, size_t err_len)
{
    bo_multi_request chk = *req;
    chk.count = 0;
    if (bo_multi_validate(&chk, NULL, err, err_len) != 0) return -1;
    if (m > 0 && (!configs || !mean || !sd)) {
        bo_multi_errf(err, err_len, "no configurations or output arrays");
        return -1;
    }
    size_t n = req->n_obs, q = req->n_objectives;
    double *y = malloc((n ? n : 1) * sizeof(double));
    double *mu = malloc((m ? m : 1) * 2 * sizeof(double));
    if (!y || !mu) {
        free(y);
        free(mu);
        bo_multi_errf(err, err_len, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t j = 0; j < q && rc == 0; j++) {
        for (size_t i = 0; i < n; i++) y[i] = req->Y[i * q + j];
        bo_request one;
        bo_request_init(&one, req->sp);
        one.maximize = req->maximize[j];
        one.X = req->X;
        one.y = y;
        one.infeasible = req->infeasible;
        one.n_obs = n;
        one.seed = req->seed;
        rc = bo_predict(&one, configs, m, mu, mu + m, err, err_len);
        for (size_t i = 0; i < m && rc == 0; i++) {
            mean[i * q + j] = mu[i];
            sd[i * q + j] = mu[m + i];
        }
    }
    free(y);
    free(mu);
    return rc;
}

int bo_suggest_multi(const bo_multi_request *req, double *out, char *err, size_t err_len)
{
    if (bo_multi_validate(req, out, err, err_len) != 0) return -1;
    if (req->count == 0) return 0;
    size_t p = space_size(req->sp);
    double *s = malloc((req->n_obs ? req->n_obs : 1) * sizeof(double));
    double *pending = malloc((req->n_pending + req->count) * p * sizeof(double));
    int rc = 0;
    if (!s || !pending) {
        bo_multi_errf(err, err_len, "out of memory");
        rc = -1;
    }
    for (size_t k = 0; k < req->count && rc == 0; k++)
        rc = bo_parego_propose(req, out, k, s, pending, err, err_len);
    free(s);
    free(pending);
    return rc;
}
