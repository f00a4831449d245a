/*
 * suggest.c - the engine's entry point: validates a request, then proposes
 * `count` configurations with random sampling, a Sobol sequence, or GP-based
 * Bayesian optimisation (see bo_suggest_gp). Every proposal is valid,
 * distinct from the other proposals and from the pending points, and, where
 * the space has room, from the observed points.
 */
#include "bo/suggest.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/acqopt.h"
#include "bo/acquisition.h"
#include "bo/defaults.h"
#include "bo/design.h"
#include "bo/design_feasible.h"
#include "bo/space_constraints.h"
#include "bo/gp.h"
#include "util/rng.h"
#include "util/util.h"

/* The GP of a study, kept between calls so its fit warm-starts. */
struct bo_state {
    gp *g;
    gp *objective[BO_STATE_OBJECTIVES]; /* bo_suggest_multi's, one per objective */
};

bo_state *bo_state_new(void)
{
    return calloc(1, sizeof(bo_state));
}

void bo_state_free(bo_state *st)
{
    if (!st) return;
    gp_free(st->g);
    for (size_t j = 0; j < BO_STATE_OBJECTIVES; j++) gp_free(st->objective[j]);
    free(st);
}

gp *bo_state_objective_gp(bo_state *st, size_t slot, size_t dim)
{
    if (!st || slot >= BO_STATE_OBJECTIVES) return NULL;
    if (st->objective[slot] && gp_dim(st->objective[slot]) == dim) return st->objective[slot];
    gp_free(st->objective[slot]);
    st->objective[slot] = gp_new(dim);
    return st->objective[slot];
}

static void bo_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void bo_request_init(bo_request *req, const space *sp)
{
    assert(req);
    memset(req, 0, sizeof(*req));
    req->sp = sp;
    req->algorithm = BO_GP;
    req->acquisition = BO_ACQ_LOGEI;
    req->count = 1;
}

int bo_algorithm_parse(const char *name, bo_algorithm *out)
{
    assert(out);
    if (!name) return -1;
    if (strcmp(name, "random") == 0) *out = BO_RANDOM;
    else if (strcmp(name, "sobol") == 0) *out = BO_SOBOL;
    else if (strcmp(name, "gp") == 0) *out = BO_GP;
    else return -1;
    return 0;
}

const char *bo_algorithm_name(bo_algorithm a)
{
    switch (a) {
    case BO_RANDOM: return "random";
    case BO_SOBOL: return "sobol";
    case BO_GP: return "gp";
    }
    return "unknown";
}

size_t bo_default_n_initial(size_t dim)
{
    size_t n = dim + 1;
    if (n < BO_DEFAULT_N_INITIAL_MIN) n = BO_DEFAULT_N_INITIAL_MIN;
    if (n > BO_DEFAULT_N_INITIAL_MAX) n = BO_DEFAULT_N_INITIAL_MAX;
    return n;
}

static int bo_validate(const bo_request *req, const double *out, char *err, size_t err_len)
{
    char msg[256];
    if (!req || !req->sp) {
        bo_errf(err, err_len, "request has no search space");
        return -1;
    }
    const space *sp = req->sp;
    size_t p = space_size(sp);
    if (p == 0) {
        bo_errf(err, err_len, "the search space has no parameters");
        return -1;
    }
    if (req->count > BO_MAX_COUNT) {
        bo_errf(err, err_len, "count %zu is more than %d proposals per call", req->count, BO_MAX_COUNT);
        return -1;
    }
    if (req->count > 0 && !out) {
        bo_errf(err, err_len, "no output buffer");
        return -1;
    }
    if (req->algorithm != BO_RANDOM && req->algorithm != BO_SOBOL && req->algorithm != BO_GP) {
        bo_errf(err, err_len, "unknown algorithm %d", (int)req->algorithm);
        return -1;
    }
    if (req->acquisition != BO_ACQ_LOGEI && req->acquisition != BO_ACQ_UCB) {
        bo_errf(err, err_len, "unknown acquisition %d", (int)req->acquisition);
        return -1;
    }
    if (req->n_obs > 0 && (!req->X || !req->y)) {
        bo_errf(err, err_len, "%zu observations but no X or y array", req->n_obs);
        return -1;
    }
    if (req->n_pending > 0 && !req->pending) {
        bo_errf(err, err_len, "%zu pending points but no array", req->n_pending);
        return -1;
    }
    for (size_t i = 0; i < req->n_obs; i++) {
        if (space_validate(sp, req->X + i * p, msg, sizeof msg) != 0) {
            bo_errf(err, err_len, "observation %zu: %s", i, msg);
            return -1;
        }
        int infeasible = req->infeasible && req->infeasible[i];
        if (!infeasible && !isfinite(req->y[i])) {
            bo_errf(err, err_len, "observation %zu: objective is not a finite number", i);
            return -1;
        }
    }
    for (size_t i = 0; i < req->n_pending; i++) {
        if (space_validate(sp, req->pending + i * p, msg, sizeof msg) != 0) {
            bo_errf(err, err_len, "pending point %zu: %s", i, msg);
            return -1;
        }
    }
    return 0;
}

static int bo_in_list(const space *sp, const double *c, const double *list, size_t n)
{
    size_t p = space_size(sp);
    for (size_t i = 0; i < n; i++)
        if (space_config_equal(sp, c, list + i * p)) return 1;
    return 0;
}

/* 2: new, 1: repeats only an observed point, 0: repeats a pending or an
 * already proposed point (never allowed). */
static int bo_candidate_rank(const bo_request *req, const double *c, const double *out, size_t n_out)
{
    const space *sp = req->sp;
    if (!space_feasible(sp, c)) return 0; /* breaks a parameter constraint */
    if (bo_in_list(sp, c, out, n_out)) return 0;
    if (bo_in_list(sp, c, req->pending, req->n_pending)) return 0;
    if (bo_in_list(sp, c, req->X, req->n_obs)) return 1;
    return 2;
}

/* Finite spaces: the first configuration, from a seeded offset, of the best
 * rank available. Writes it to c; returns the rank found (0: none). */
static int bo_enumerate(const bo_request *req, const double *out, size_t n_out,
                        uint64_t seed, double *c)
{
    double card = space_index_count(req->sp);
    if (!(card <= BO_ENUMERATE_MAX)) return 0;
    double offset = fmod((double)(seed % 1000003ULL), card);
    int best_rank = 0;
    double best_index = 0;
    for (double k = 0; k < card; k++) {
        double idx = fmod(offset + k, card);
        space_config_at_index(req->sp, idx, c);
        int r = bo_candidate_rank(req, c, out, n_out);
        if (r > best_rank) {
            best_rank = r;
            best_index = idx;
            if (r == 2) break;
        }
    }
    if (best_rank > 0) space_config_at_index(req->sp, best_index, c);
    return best_rank;
}

static int bo_sample_distinct(const bo_request *req, design *d, const double *out,
                       size_t n_out, double *c, char *err, size_t err_len)
{
    const space *sp = req->sp;
    size_t p = space_size(sp);
    double *v = malloc(p * sizeof(double));
    double *fallback = malloc(p * sizeof(double));
    if (!v || !fallback) {
        free(v);
        free(fallback);
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    int have_fallback = 0, rc = -1;
    for (size_t t = 0; t < BO_DISTINCT_TRIES; t++) {
        if (design_next_feasible(d, sp, v, c, err, err_len) != 0)
            goto done;
        int r = bo_candidate_rank(req, c, out, n_out);
        if (r == 2) {
            rc = 0;
            goto done;
        }
        if (r == 1 && !have_fallback) {
            memcpy(fallback, c, p * sizeof(double));
            have_fallback = 1;
        }
    }
    int r = bo_enumerate(req, out, n_out, (uint64_t)n_out + req->seed, c);
    if (r == 2 || (r == 1 && !have_fallback)) {
        rc = 0;
        goto done;
    }
    if (have_fallback) {
        memcpy(c, fallback, p * sizeof(double));
        rc = 0;
        goto done;
    }
    bo_errf(err, err_len, "no configuration left that is not pending or already proposed");
done:
    free(v);
    free(fallback);
    return rc;
}

/* Random or Sobol proposals for out[first..count). Sobol takes the points of
 * the study's sequence (fixed by the seed) after the first `position`. */
static int bo_suggest_sampled(const bo_request *req, bo_algorithm kind, size_t position,
                       double *out, size_t first, char *err, size_t err_len)
{
    size_t p = space_size(req->sp);
    design *d = kind == BO_SOBOL ? design_sobol_new(p, req->seed)
                                 : design_random_new(p, rng_stream_seed(req->seed, (uint64_t)position));
    if (!d) {
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    int rc = kind == BO_SOBOL ? design_skip_feasible(d, req->sp, position, err, err_len) : 0;
    for (size_t k = first; k < req->count && rc == 0; k++)
        rc = bo_sample_distinct(req, d, out, k, out + k * p, err, err_len);
    design_free(d);
    return rc;
}

/* Random restarts of the hyperparameter fit by data size: many when the
 * fit is cheap and the posterior landscape rough, none (warm start and, on a
 * cold start, the prior mode) when each evaluation costs O(n^3). */
size_t bo_gp_restarts(size_t n)
{
    if (n <= 100) return GP_DEFAULT_RESTARTS;
    if (n <= BO_GP_FIT_SUBSET) return 1;
    return 0;
}

static size_t bo_gp_maxeval(size_t n)
{
    if (n <= BO_GP_FIT_SUBSET) return 0; /* default */
    return BO_GP_MAXEVAL_LARGE;
}

typedef struct {
    const gp *g;
    bo_acquisition acq;
    double best;      /* incumbent, maximisation units */
    double beta;
    double var_floor;
} bo_acq_ctx;

static double bo_acq_eval(const double *u, double *grad, void *vctx)
{
    bo_acq_ctx *c = vctx;
    size_t dim = gp_dim(c->g);
    double m, v;
    double *dm = NULL, *dv = NULL;
    if (grad) {
        dm = grad;
        dv = malloc(dim * sizeof(double));
        if (!dv) {
            for (size_t k = 0; k < dim; k++) grad[k] = 0;
            return NAN;
        }
    }
    gp_predict(c->g, u, &m, &v, dm, dv);
    int floored = !(v > c->var_floor);
    double sd = sqrt(floored ? c->var_floor : v);
    double d_m, d_sd, val;
    if (c->acq == BO_ACQ_UCB)
        val = acq_ucb(m, sd, c->beta, &d_m, &d_sd);
    else
        val = acq_log_ei(m, sd, c->best, &d_m, &d_sd);
    if (grad) {
        for (size_t k = 0; k < dim; k++)
            grad[k] = d_m * dm[k] + (floored ? 0 : d_sd * dv[k] / (2 * sd));
        free(dv);
    }
    return val;
}

static void bo_acq_batch(const double *U, size_t m, double *values, void *vctx)
{
    bo_acq_ctx *c = vctx;
    double *mu = malloc(2 * m * sizeof(double));
    if (!mu) {
        for (size_t i = 0; i < m; i++) values[i] = bo_acq_eval(U + i * gp_dim(c->g), NULL, vctx);
        return;
    }
    double *var = mu + m;
    gp_predict_batch(c->g, U, m, mu, var);
    for (size_t i = 0; i < m; i++) {
        double sd = sqrt(var[i] > c->var_floor ? var[i] : c->var_floor);
        values[i] = c->acq == BO_ACQ_UCB ? acq_ucb(mu[i], sd, c->beta, NULL, NULL)
                                         : acq_log_ei(mu[i], sd, c->best, NULL, NULL);
    }
    free(mu);
}

/* Yeo-Johnson transform of one value (Yeo & Johnson 2000). */
static double bo_yj(double y, double lam)
{
    if (y >= 0) {
        if (fabs(lam) < 1e-12) return log1p(y);
        return (pow(y + 1, lam) - 1) / lam;
    }
    if (fabs(lam - 2) < 1e-12) return -log1p(-y);
    return -(pow(1 - y, 2 - lam) - 1) / (2 - lam);
}

/* Output warping as in HEBO: standardise, then the Yeo-Johnson transform
 * whose lambda maximises the Gaussian likelihood of the result (grid over
 * [BO_YJ_MIN, BO_YJ_MAX]). Monotone increasing, so the order of the
 * results, the incumbent and "worse than every feasible" all survive; a
 * skewed objective (a few very bad or very good results) no longer
 * dictates the GP's scale. */
double bo_warp_outputs(double *y, size_t n)
{
    if (n < 3) return NAN;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) v += (y[i] - m) * (y[i] - m);
    v /= (double)n;
    if (!(v > 0)) return NAN;
    double sd = sqrt(v);
    for (size_t i = 0; i < n; i++) y[i] = (y[i] - m) / sd;
    double jac = 0; /* sum sign(y) log(|y| + 1), the Jacobian's lambda - 1 factor */
    for (size_t i = 0; i < n; i++) jac += (y[i] >= 0 ? 1 : -1) * log1p(fabs(y[i]));
    double best_ll = -INFINITY, best_lam = 1;
    for (double lam = BO_YJ_MIN; lam <= BO_YJ_MAX + 1e-9; lam += BO_YJ_STEP) {
        double tm = 0, tv = 0;
        for (size_t i = 0; i < n; i++) tm += bo_yj(y[i], lam);
        tm /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double d = bo_yj(y[i], lam) - tm;
            tv += d * d;
        }
        tv /= (double)n;
        if (!(tv > 0) || !isfinite(tv)) continue;
        double ll = -0.5 * (double)n * log(tv) + (lam - 1) * jac;
        if (ll > best_ll) {
            best_ll = ll;
            best_lam = lam;
        }
    }
    for (size_t i = 0; i < n; i++) y[i] = bo_yj(y[i], best_lam);
    return best_lam;
}

/* The inverse of bo_yj and its derivative (*dydw). */
static double bo_yj_inv(double w, double lam, double *dydw)
{
    double a = w >= 0 ? lam : 2 - lam;
    double x = w >= 0 ? w : -w;
    double y, d;
    if (fabs(a) < 1e-12) {
        y = expm1(x);
        d = exp(x);
    } else {
        double base = x * a + 1;
        if (!(base > 1e-300)) base = 1e-300;
        y = pow(base, 1 / a) - 1;
        d = pow(base, 1 / a - 1);
    }
    *dydw = d;
    return w >= 0 ? y : -y;
}

int bo_tame_outputs(double *y, size_t n)
{
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]) && fabs(y[i]) > big)
            big = fabs(y[i]);
    if (!(big > BO_Y_EXTREME))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]))
            y[i] = copysign(log1p(fabs(y[i])), y[i]);
    return 1;
}

void bo_data_free(bo_data *dt)
{
    free(dt->U);
    free(dt->y);
}

int bo_data_build(const bo_request *req, bo_data *dt)
{
    const space *sp = req->sp;
    size_t p = space_size(sp), dim = space_encoded_dim(sp), n = req->n_obs;
    memset(dt, 0, sizeof(*dt));
    dt->U = malloc((n ? n : 1) * dim * sizeof(double));
    dt->y = malloc((n ? n : 1) * sizeof(double));
    size_t *count = malloc((n ? n : 1) * sizeof(size_t));
    double *yy = malloc((n ? n : 1) * sizeof(double));
    size_t *group = malloc((n ? n : 1) * sizeof(size_t));
    if (!dt->U || !dt->y || !count || !yy || !group) {
        free(count);
        free(yy);
        free(group);
        bo_data_free(dt);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int inf = req->infeasible && req->infeasible[i];
        yy[i] = inf ? NAN : req->maximize ? req->y[i] : -req->y[i];
        dt->n_feasible += !inf;
    }
    /* extreme objectives: the range, the imputation and the warping below
     * would overflow */
    dt->tamed = bo_tame_outputs(yy, n);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(yy[i])) continue;
        if (yy[i] < lo) lo = yy[i];
        if (yy[i] > hi) hi = yy[i];
    }
    if (dt->n_feasible > 0) {
        double range = hi - lo;
        double imputed = lo - (range > 0 ? BO_INFEASIBLE_MARGIN * range : 1.0);
        for (size_t i = 0; i < n; i++)
            if (req->infeasible && req->infeasible[i]) yy[i] = imputed;
    }
    /* merge repeats: O(n^2) comparisons, negligible next to the fit */
    for (size_t i = 0; i < n; i++) {
        const double *c = req->X + i * p;
        size_t gidx = dt->n;
        for (size_t j = 0; j < i; j++)
            if (space_config_equal(sp, c, req->X + j * p)) {
                gidx = group[j];
                break;
            }
        group[i] = gidx;
        if (gidx == dt->n) {
            space_encode(sp, c, dt->U + gidx * dim);
            dt->y[gidx] = 0;
            count[gidx] = 0;
            dt->n++;
        }
        if (dt->n_feasible > 0) {
            dt->y[gidx] += yy[i];
            count[gidx]++;
        }
    }
    for (size_t g = 0; g < dt->n; g++)
        if (count[g] > 0) dt->y[g] /= (double)count[g];
    dt->warp_lambda = NAN;
    if (!req->no_output_warping) {
        /* what bo_warp_outputs standardises with, to undo it in predictions */
        double m = 0, v = 0;
        for (size_t g = 0; g < dt->n; g++) m += dt->y[g];
        m /= (double)(dt->n ? dt->n : 1);
        for (size_t g = 0; g < dt->n; g++) v += (dt->y[g] - m) * (dt->y[g] - m);
        dt->warp_mean = m;
        dt->warp_sd = sqrt(v / (double)(dt->n ? dt->n : 1));
        dt->warp_lambda = bo_warp_outputs(dt->y, dt->n);
    }
    free(count);
    free(yy);
    free(group);
    return 0;
}

void bo_data_unwarp(const bo_data *dt, int maximize, double m, double var, double *mean,
                    double *sd)
{
    double s = sqrt(var > 0 ? var : 0), y = m, dydw = 1;
    if (isfinite(dt->warp_lambda)) {
        y = dt->warp_mean + dt->warp_sd * bo_yj_inv(m, dt->warp_lambda, &dydw);
        dydw *= dt->warp_sd;
    }
    if (dt->tamed) { /* undo sign(y) log1p(|y|) */
        double a = fabs(y);
        dydw *= exp(a);
        y = copysign(expm1(a), y);
    }
    *mean = maximize ? y : -y;
    *sd = s * fabs(dydw);
}

/* Distinct configurations among the observed and pending ones. */
static size_t bo_count_distinct(const bo_request *req, const bo_data *dt)
{
    size_t p = space_size(req->sp), k = dt->n;
    for (size_t i = 0; i < req->n_pending; i++) {
        const double *c = req->pending + i * p;
        int seen = bo_in_list(req->sp, c, req->X, req->n_obs);
        for (size_t j = 0; j < i && !seen; j++)
            if (space_config_equal(req->sp, c, req->pending + j * p)) seen = 1;
        if (!seen) k++;
    }
    return k;
}


void bo_fit_options(uint64_t seed, size_t n, gp_options *o)
{
    gp_options_default(o);
    o->n_restarts = bo_gp_restarts(n);
    o->maxeval = bo_gp_maxeval(n);
    o->max_fit_points = BO_GP_FIT_SUBSET;
    o->seed = rng_stream_seed(seed, (uint64_t)n);
}
/* The GP of the request: the study's (warm start) when its dimension fits,
 * else a new one, kept in the study's state when there is one; *owned is
 * set when the caller must free it. NULL when out of memory. */
static gp *bo_gp_model(const bo_request *req, size_t dim, gp **owned)
{
    *owned = NULL;
    if (req->state && req->state->g && gp_dim(req->state->g) == dim)
        return req->state->g;
    gp *g = gp_new(dim);
    if (!g)
        return NULL;
    if (req->state) {
        gp_free(req->state->g);
        req->state->g = g;
    } else {
        *owned = g;
    }
    return g;
}

/* Kriging believer: the configuration c enters the GP at its posterior mean
 * (which may raise the incumbent *best) and joins the excluded points. u is
 * scratch of the encoded dimension. */
static int bo_gp_believe(gp *g, const space *sp, const double *c, double *u, double *best,
                         double *exclude, size_t *n_ex, char *err, size_t err_len)
{
    size_t dim = space_encoded_dim(sp);
    space_encode(sp, c, u);
    double m;
    gp_predict(g, u, &m, NULL, NULL, NULL);
    if (gp_add_observation(g, u, m, err, err_len) != 0)
        return -1;
    if (m > *best) *best = m;
    memcpy(exclude + *n_ex * dim, u, dim * sizeof(double));
    (*n_ex)++;
    return 0;
}

/* Incumbent and anchors: the best posterior mean at the observed points, and
 * the n_anchor observed points with the best means (partial selection; mu is
 * scratch of dt->n). */
static double bo_gp_incumbent(gp *g, const bo_data *dt, size_t dim, double *mu,
                              double *anchors, size_t n_anchor)
{
    gp_predict_batch(g, dt->U, dt->n, mu, NULL);
    double best = -INFINITY;
    for (size_t i = 0; i < dt->n; i++)
        if (mu[i] > best) best = mu[i];
    for (size_t a = 0; a < n_anchor; a++) {
        size_t bi = 0;
        for (size_t i = 0; i < dt->n; i++)
            if (mu[i] > mu[bi]) bi = i;
        memcpy(anchors + a * dim, dt->U + bi * dim, dim * sizeof(double));
        mu[bi] = -INFINITY;
    }
    return best;
}

/* Proposal k into out + k * p: the acquisition's maximiser, or, when every
 * candidate it saw is taken, any new point. u gets the encoded maximiser. */
static int bo_gp_propose(const bo_request *req, const bo_data *dt, bo_acq_ctx *actx,
                         const double *anchors, size_t n_anchor, const double *exclude,
                         size_t n_ex, double *out, size_t k, double *u, int *from_acq,
                         char *err, size_t err_len)
{
    *from_acq = 0;
    const space *sp = req->sp;
    size_t p = space_size(sp);
    acqopt_options aopt;
    acqopt_options_default(&aopt);
    aopt.has_gradient = 1;
    aopt.seed = rng_stream_seed(req->seed ^ 0x5bd1e995ULL, (uint64_t)(dt->n + k));
    aopt.batch = bo_acq_batch;
    aopt.anchors = anchors;
    aopt.n_anchors = n_anchor;
    double val;
    char aerr[160];
    double *c = out + k * p;
    if (acqopt_maximize(sp, bo_acq_eval, actx, &aopt, exclude, n_ex, u, &val, aerr,
                        sizeof aerr) == 0) {
        space_decode(sp, u, c);
        *from_acq = 1;
    } else {
        /* every candidate the acquisition saw is taken: any new point */
        design *d = design_random_new(p, rng_stream_seed(req->seed, (uint64_t)(dt->n + k)));
        if (!d) {
            bo_errf(err, err_len, "out of memory");
            return -1;
        }
        int src = bo_sample_distinct(req, d, out, k, c, err, err_len);
        design_free(d);
        if (src != 0) return -1;
    }
    if (bo_candidate_rank(req, c, out, k) == 0) {
        bo_errf(err, err_len, "internal error: proposal %zu repeats a pending point", k);
        return -1;
    }
    return 0;
}

/* The space-filling start: Sobol points until n_initial distinct ones are
 * observed. *n_sobol gets how many of out it filled. */
static int bo_gp_initial(const bo_request *req, const bo_data *dt, double *out,
                         size_t *n_sobol, char *err, size_t err_len)
{
    size_t n_initial = req->n_initial ? req->n_initial : bo_default_n_initial(space_size(req->sp));
    size_t n_distinct = bo_count_distinct(req, dt);
    size_t n = req->count;
    if (dt->n_feasible > 0)
        n = n_distinct >= n_initial ? 0 : n_initial - n_distinct;
    if (n > req->count) n = req->count;
    *n_sobol = n;
    if (n == 0)
        return 0;
    bo_request sub = *req;
    sub.count = n;
    return bo_suggest_sampled(&sub, BO_SOBOL, n_distinct, out, 0, err, err_len);
}

static int bo_suggest_gp(const bo_request *req, double *out, char *err, size_t err_len)
{
    const space *sp = req->sp;
    size_t p = space_size(sp), dim = space_encoded_dim(sp);
    bo_data dt;
    if (bo_data_build(req, &dt) != 0) {
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    size_t n_sobol = 0;
    if (bo_gp_initial(req, &dt, out, &n_sobol, err, err_len) != 0) {
        bo_data_free(&dt);
        return -1;
    }
    for (size_t k = 0; req->explain && k < n_sobol; k++)
        req->explain[k].sobol = 1;
    if (n_sobol == req->count) {
        bo_data_free(&dt);
        return 0;
    }

    int rc = -1;
    gp *owned = NULL;
    double *exclude = NULL, *mu = NULL, *anchors = NULL, *u = NULL;
    size_t n_ex = 0;
    gp *g = bo_gp_model(req, dim, &owned);
    if (!g) {
        bo_errf(err, err_len, "out of memory");
        goto done;
    }
    gp_options gopt;
    bo_fit_options(req->seed, dt.n, &gopt);
    double t0 = util_monotonic();
    if (gp_fit(g, dt.U, dt.y, dt.n, &gopt, err, err_len) != 0) goto done;
    double t1 = util_monotonic();
    if (req->timing) req->timing->fit_seconds += t1 - t0;

    mu = malloc(dt.n * sizeof(double));
    size_t n_anchor = dt.n < BO_N_ANCHORS ? dt.n : BO_N_ANCHORS;
    anchors = malloc((n_anchor ? n_anchor : 1) * dim * sizeof(double));
    size_t max_ex = dt.n + req->n_pending + req->count;
    exclude = malloc(max_ex * dim * sizeof(double));
    u = malloc(dim * sizeof(double));
    if (!mu || !anchors || !exclude || !u) {
        bo_errf(err, err_len, "out of memory");
        goto done;
    }
    double best = bo_gp_incumbent(g, &dt, dim, mu, anchors, n_anchor);
    memcpy(exclude, dt.U, dt.n * dim * sizeof(double));
    n_ex = dt.n;

    /* pending points (and the Sobol ones just proposed) enter the GP at
     * their posterior mean */
    size_t n_fant = req->n_pending + n_sobol;
    for (size_t i = 0; i < n_fant; i++) {
        const double *c = i < req->n_pending ? req->pending + i * p
                                             : out + (i - req->n_pending) * p;
        if (bo_gp_believe(g, sp, c, u, &best, exclude, &n_ex, err, err_len) != 0) goto done;
    }

    bo_acq_ctx actx = {g, req->acquisition, best, BO_DEFAULT_UCB_BETA, 0};
    actx.var_floor = 1e-12 * gp_signal_variance(g);
    if (!(actx.var_floor > 0)) actx.var_floor = 1e-300;
    for (size_t k = n_sobol; k < req->count; k++) {
        int from_acq = 0;
        if (bo_gp_propose(req, &dt, &actx, anchors, n_anchor, exclude, n_ex, out, k, u,
                          &from_acq, err, err_len) != 0)
            goto done;
        if (req->explain && from_acq) {
            /* what the GP expected there, before the point joins it */
            bo_explain *x = &req->explain[k];
            double m, var;
            space_encode(sp, out + k * p, u);
            gp_predict(g, u, &m, &var, NULL, NULL);
            x->from_model = 1;
            x->acquisition = bo_acq_eval(u, NULL, &actx);
            bo_data_unwarp(&dt, req->maximize, m, var, &x->mean, &x->sd);
        }
        if (k + 1 < req->count) {
            if (bo_gp_believe(g, sp, out + k * p, u, &best, exclude, &n_ex, err, err_len) != 0)
                goto done;
            actx.best = best;
        }
    }
    if (req->timing) req->timing->acq_seconds += util_monotonic() - t1;
    rc = 0;
done:
    gp_free(owned);
    bo_data_free(&dt);
    free(exclude);
    free(mu);
    free(anchors);
    free(u);
    return rc;
}

int bo_predict(const bo_request *req, const double *configs, size_t m, double *mean, double *sd,
               char *err, size_t err_len)
{
    const space *sp = req->sp;
    size_t p = space_size(sp), dim = space_encoded_dim(sp);
    for (size_t i = 0; i < m; i++)
        if (space_validate(sp, configs + i * p, err, err_len) != 0) return -1;
    bo_data dt;
    if (bo_data_build(req, &dt) != 0) {
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    int rc = -1;
    gp *owned = NULL;
    double *u = malloc(dim * sizeof(double));
    gp *g = u ? bo_gp_model(req, dim, &owned) : NULL;
    if (dt.n < 2 || dt.n_feasible == 0) {
        bo_errf(err, err_len, "the GP needs 2 distinct configurations with a feasible result");
        goto done;
    }
    if (!g) {
        bo_errf(err, err_len, "out of memory");
        goto done;
    }
    gp_options gopt;
    bo_fit_options(req->seed, dt.n, &gopt);
    if (gp_fit(g, dt.U, dt.y, dt.n, &gopt, err, err_len) != 0) goto done;
    for (size_t i = 0; i < m; i++) {
        double mu, var;
        space_encode(sp, configs + i * p, u);
        gp_predict(g, u, &mu, &var, NULL, NULL);
        bo_data_unwarp(&dt, req->maximize, mu, var, &mean[i], &sd[i]);
    }
    rc = 0;
done:
    gp_free(owned);
    bo_data_free(&dt);
    free(u);
    return rc;
}

int bo_suggest(const bo_request *req, double *out, char *err, size_t err_len)
{
    if (bo_validate(req, out, err, err_len) != 0) return -1;
    if (req->count == 0) return 0;
    switch (req->algorithm) {
    case BO_RANDOM:
    case BO_SOBOL:
        return bo_suggest_sampled(req, req->algorithm, req->n_obs + req->n_pending,
                                  out, 0, err, err_len);
    case BO_GP:
        return bo_suggest_gp(req, out, err, err_len);
    }
    return -1;
}
