/*
 * suggest_multi.c - proposals for studies with several objectives, one at a
 * time (each earlier proposal is pending for the next, so a batch is
 * distinct):
 *  - until n_initial distinct configurations exist and one is feasible, the
 *    Sobol design (through bo_suggest, as for one objective);
 *  - then expected hypervolume improvement on one GP per objective, each
 *    fitted to bo_data_build's data (repeats merged, maximised, infeasible
 *    trials imputed below the worst, output warping), in the GPs' warped
 *    space: the reference point is pareto_default_reference of the feasible
 *    configurations' values there, the front the posterior means at those
 *    configurations; EHVI analytic for 2 objectives, Monte Carlo over fixed
 *    quasi-random normals for 3-4 (bo/ehvi.h), maximised by acqopt;
 *    pending points and the batch enter every GP at their posterior mean
 *    and join the front (kriging believer);
 *  - ParEGO (Knowles 2006) where no point has a positive EHVI: the
 *    objectives normalised to [0, 1] over the feasible trials, a weight
 *    vector drawn from the simplex per proposal (seeded), the augmented
 *    Chebyshev scalarisation max_j w_j (1 - f_j) + rho sum_j w_j (1 - f_j)
 *    minimised by the single-objective gp algorithm.
 */
#include "bo/suggest_multi.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/acqopt.h"
#include "bo/defaults.h"
#include "bo/ehvi.h"
#include "bo/gp.h"
#include "bo/pareto.h"
#include "util/util.h"
#include "util/rng.h"

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
        util_err(err, err_len, "request has no search space");
        return -1;
    }
    size_t p = space_size(req->sp), m = req->n_objectives;
    if (p == 0) {
        util_err(err, err_len, "the search space has no parameters");
        return -1;
    }
    if (m < BO_MULTI_MIN_OBJECTIVES || m > BO_MULTI_MAX_OBJECTIVES) {
        util_err(err, err_len, "%zu objectives: between %d and %d are supported", m,
                      BO_MULTI_MIN_OBJECTIVES, BO_MULTI_MAX_OBJECTIVES);
        return -1;
    }
    if (!req->maximize) {
        util_err(err, err_len, "no maximize flags for the objectives");
        return -1;
    }
    if (req->count > BO_MAX_COUNT) {
        util_err(err, err_len, "count %zu is more than %d proposals per call", req->count,
                      BO_MAX_COUNT);
        return -1;
    }
    if (req->count > 0 && !out) {
        util_err(err, err_len, "no output buffer");
        return -1;
    }
    if (req->n_obs > 0 && (!req->X || !req->Y)) {
        util_err(err, err_len, "%zu observations but no X or Y array", req->n_obs);
        return -1;
    }
    if (req->n_pending > 0 && !req->pending) {
        util_err(err, err_len, "%zu pending points but no array", req->n_pending);
        return -1;
    }
    for (size_t i = 0; i < req->n_obs; i++) {
        if (space_validate(req->sp, req->X + i * p, msg, sizeof msg) != 0) {
            util_err(err, err_len, "observation %zu: %s", i, msg);
            return -1;
        }
        if (req->infeasible && req->infeasible[i]) continue;
        for (size_t j = 0; j < m; j++)
            if (!isfinite(req->Y[i * m + j])) {
                util_err(err, err_len, "observation %zu: objective %zu is not a finite number",
                              i, j);
                return -1;
            }
    }
    for (size_t i = 0; i < req->n_pending; i++)
        if (space_validate(req->sp, req->pending + i * p, msg, sizeof msg) != 0) {
            util_err(err, err_len, "pending point %zu: %s", i, msg);
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

/* ---- EHVI on one GP per objective ---- */

/* The model of the EHVI phase: each objective's data (bo_data_build: merged,
 * maximised, infeasible imputed, warped) and GP, in the GPs' (warped,
 * maximised) space the reference point, the front (posterior means at the
 * feasible configurations, then the believed points) and its boxes. */
typedef struct {
    const bo_multi_request *req;
    size_t m, dim;
    bo_data dt[BO_MULTI_MAX_OBJECTIVES];
    gp *g[BO_MULTI_MAX_OBJECTIVES], *owned[BO_MULTI_MAX_OBJECTIVES];
    double var_floor[BO_MULTI_MAX_OBJECTIVES];
    double ref[BO_MULTI_MAX_OBJECTIVES];
    double *front;         /* n_front x m */
    size_t n_front;
    ehvi_boxes *boxes;
    double *z;             /* BO_EHVI_MC_SAMPLES x m normal draws (m >= 3) */
    double *exclude;       /* n_ex x dim encoded: observed, pending, proposed */
    size_t n_ex;
    double *anchors;       /* n_anchor x dim: configurations on the front */
    size_t n_anchor;
} bo_mo_model;

static void bo_mo_free(bo_mo_model *md)
{
    for (size_t j = 0; j < md->m; j++) {
        bo_data_free(&md->dt[j]);
        gp_free(md->owned[j]);
    }
    free(md->front);
    ehvi_boxes_free(md->boxes);
    free(md->z);
    free(md->exclude);
    free(md->anchors);
}

/* feasible[g] = 1 when distinct configuration g (in bo_data_build's order
 * of first appearance) has a feasible trial. */
static void bo_mo_feasible_groups(const bo_multi_request *req, size_t n_groups,
                                  unsigned char *feasible, size_t *first)
{
    size_t p = space_size(req->sp), ng = 0;
    memset(feasible, 0, n_groups);
    for (size_t i = 0; i < req->n_obs; i++) {
        size_t g = ng;
        for (size_t t = 0; t < ng; t++)
            if (space_config_equal(req->sp, req->X + i * p, req->X + first[t] * p)) {
                g = t;
                break;
            }
        if (g == ng && ng < n_groups) first[ng++] = i;
        if (g < n_groups && !(req->infeasible && req->infeasible[i])) feasible[g] = 1;
    }
}

/* The single-objective request of objective j: col (n_obs) receives its
 * column of Y. */
static void bo_mo_objective_request(const bo_multi_request *req, size_t j, double *col,
                                    bo_request *one)
{
    size_t q = req->n_objectives;
    for (size_t i = 0; i < req->n_obs; i++) col[i] = req->Y[i * q + j];
    bo_request_init(one, req->sp);
    one->maximize = req->maximize[j];
    one->X = req->X;
    one->y = col;
    one->infeasible = req->infeasible;
    one->n_obs = req->n_obs;
    one->seed = req->seed;
}

int bo_multi_fit_objective(const bo_multi_request *req, size_t j, double *col, bo_data *dt,
                           gp **g, gp **owned, double *var_floor, char *err, size_t err_len)
{
    size_t dim = space_encoded_dim(req->sp);
    bo_request one;
    bo_mo_objective_request(req, j, col, &one);
    if (bo_data_build(&one, dt) != 0)
        return util_err(err, err_len, "out of memory");
    *g = bo_state_objective_gp(req->state, j, dim);
    if (!*g) *g = *owned = gp_new(dim);
    if (!*g)
        return util_err(err, err_len, "out of memory");
    gp_options gopt;
    bo_fit_options(rng_mix(req->seed, (uint64_t)j), dt->n, &gopt);
    if (gp_fit(*g, dt->U, dt->y, dt->n, &gopt, err, err_len) != 0)
        return -1;
    *var_floor = 1e-12 * gp_signal_variance(*g);
    if (!(*var_floor > 0)) *var_floor = 1e-300;
    return 0;
}

/* Each objective's data and fitted GP. */
static int bo_mo_fit(bo_mo_model *md, double *col, char *err, size_t err_len)
{
    for (size_t j = 0; j < md->m; j++)
        if (bo_multi_fit_objective(md->req, j, col, &md->dt[j], &md->g[j], &md->owned[j],
                                   &md->var_floor[j], err, err_len) != 0)
            return -1;
    return 0;
}

/* The reference point (pareto_default_reference of the feasible
 * configurations' fitted values), the front of their posterior means, the
 * anchors (configurations on it) and the excluded points. */
static int bo_mo_front(bo_mo_model *md)
{
    const bo_multi_request *req = md->req;
    size_t n = md->dt[0].n, m = md->m, dim = md->dim;
    unsigned char *feasible = malloc(n);
    size_t *first = malloc(n * sizeof(size_t));
    double *Yf = malloc(n * m * sizeof(double));
    double *mu = malloc(n * sizeof(double));
    unsigned char *on = malloc(n);
    size_t cap = n + req->n_pending + req->count;
    md->front = malloc(cap * m * sizeof(double));
    md->exclude = malloc(cap * dim * sizeof(double));
    md->anchors = malloc(BO_N_ANCHORS * dim * sizeof(double));
    int rc = -1;
    if (!feasible || !first || !Yf || !mu || !on || !md->front || !md->exclude || !md->anchors)
        goto done;
    bo_mo_feasible_groups(req, n, feasible, first);
    size_t nf = 0;
    for (size_t g = 0; g < n; g++)
        if (feasible[g]) {
            for (size_t j = 0; j < m; j++) Yf[nf * m + j] = md->dt[j].y[g];
            first[nf++] = g;
        }
    int all_max[BO_MULTI_MAX_OBJECTIVES] = {1, 1, 1, 1};
    if (pareto_default_reference(Yf, nf, m, all_max, md->ref) != 0) goto done;
    for (size_t j = 0; j < m; j++) {
        gp_predict_batch(md->g[j], md->dt[j].U, n, mu, NULL);
        for (size_t t = 0; t < nf; t++) md->front[t * m + j] = mu[first[t]];
    }
    md->n_front = nf;
    pareto_front(md->front, nf, m, all_max, on);
    for (size_t t = 0; t < nf && md->n_anchor < BO_N_ANCHORS; t++)
        if (on[t])
            memcpy(md->anchors + (md->n_anchor++) * dim, md->dt[0].U + first[t] * dim,
                   dim * sizeof(double));
    memcpy(md->exclude, md->dt[0].U, n * dim * sizeof(double));
    md->n_ex = n;
    rc = ehvi_boxes_replace(&md->boxes, md->front, md->n_front, md->m, md->ref);
done:
    free(feasible);
    free(first);
    free(Yf);
    free(mu);
    free(on);
    return rc;
}

/* Kriging believer: configuration c enters every GP at its posterior mean,
 * the mean joins the front and c the excluded points. */
static int bo_mo_believe(bo_mo_model *md, const double *c, char *err, size_t err_len)
{
    double *u = md->exclude + md->n_ex * md->dim;
    space_encode(md->req->sp, c, u);
    double *f = md->front + md->n_front * md->m;
    for (size_t j = 0; j < md->m; j++) {
        gp_predict(md->g[j], u, &f[j], NULL, NULL, NULL);
        if (gp_add_observation(md->g[j], u, f[j], err, err_len) != 0) return -1;
    }
    md->n_ex++;
    md->n_front++;
    if (ehvi_boxes_replace(&md->boxes, md->front, md->n_front, md->m, md->ref) != 0) {
        util_err(err, err_len, "out of memory");
        return -1;
    }
    return 0;
}

/* log EHVI from the objectives' means and latent variances. */
static double bo_mo_log_ehvi(const bo_mo_model *md, const double *mean, const double *var)
{
    double sd[BO_MULTI_MAX_OBJECTIVES];
    for (size_t j = 0; j < md->m; j++)
        sd[j] = sqrt(var[j] > md->var_floor[j] ? var[j] : md->var_floor[j]);
    if (md->m == 2) return ehvi_log_analytic(md->boxes, mean, sd);
    double e = ehvi_mc(md->boxes, mean, sd, md->z, BO_EHVI_MC_SAMPLES);
    return e > 0 ? log(e) : -INFINITY;
}

static double bo_mo_acq(const double *u, double *grad, void *ctx)
{
    (void)grad; /* no gradient: acqopt refines with BOBYQA */
    const bo_mo_model *md = ctx;
    double mean[BO_MULTI_MAX_OBJECTIVES], var[BO_MULTI_MAX_OBJECTIVES];
    for (size_t j = 0; j < md->m; j++) gp_predict(md->g[j], u, &mean[j], &var[j], NULL, NULL);
    return bo_mo_log_ehvi(md, mean, var);
}

static void bo_mo_acq_batch(const double *U, size_t n, double *values, void *ctx)
{
    const bo_mo_model *md = ctx;
    size_t m = md->m;
    double *mv = malloc(2 * m * n * sizeof(double));
    if (!mv) {
        for (size_t i = 0; i < n; i++) values[i] = bo_mo_acq(U + i * md->dim, NULL, ctx);
        return;
    }
    for (size_t j = 0; j < m; j++) gp_predict_batch(md->g[j], U, n, mv + 2 * j * n, mv + (2 * j + 1) * n);
    for (size_t i = 0; i < n; i++) {
        double mean[BO_MULTI_MAX_OBJECTIVES], var[BO_MULTI_MAX_OBJECTIVES];
        for (size_t j = 0; j < m; j++) {
            mean[j] = mv[2 * j * n + i];
            var[j] = mv[(2 * j + 1) * n + i];
        }
        values[i] = bo_mo_log_ehvi(md, mean, var);
    }
    free(mv);
}

/* Fits the model and believes the pending points and the first k proposals. */
static int bo_mo_build(bo_mo_model *md, const double *out, size_t k, char *err, size_t err_len)
{
    const bo_multi_request *req = md->req;
    size_t p = space_size(req->sp);
    double *col = malloc((req->n_obs ? req->n_obs : 1) * sizeof(double));
    if (!col) {
        util_err(err, err_len, "out of memory");
        return -1;
    }
    double t0 = util_monotonic();
    int rc = bo_mo_fit(md, col, err, err_len);
    free(col);
    if (rc != 0) return -1;
    if (req->timing) req->timing->fit_seconds += util_monotonic() - t0;
    if (bo_mo_front(md) != 0) {
        util_err(err, err_len, "out of memory");
        return -1;
    }
    if (md->m > 2) {
        md->z = malloc(BO_EHVI_MC_SAMPLES * md->m * sizeof(double));
        if (!md->z || ehvi_normal_draws(md->m, BO_EHVI_MC_SAMPLES, rng_mix(req->seed, 0xe4f1ULL), md->z) != 0) {
            util_err(err, err_len, "out of memory");
            return -1;
        }
    }
    for (size_t i = 0; i < req->n_pending + k; i++) {
        const double *c = i < req->n_pending ? req->pending + i * p : out + (i - req->n_pending) * p;
        if (bo_mo_believe(md, c, err, err_len) != 0) return -1;
    }
    return 0;
}

/* Proposal k by EHVI; *done = 0 (and nothing written) when the acquisition
 * found no point with a positive EHVI, so the caller falls back to ParEGO. */
static int bo_mo_propose(bo_mo_model *md, double *out, size_t k, int *done, char *err,
                         size_t err_len)
{
    const bo_multi_request *req = md->req;
    size_t p = space_size(req->sp);
    *done = 0;
    double t0 = util_monotonic();
    acqopt_options aopt;
    acqopt_options_default(&aopt);
    aopt.seed = rng_stream_seed(req->seed ^ 0x5bd1e995ULL, (uint64_t)(md->dt[0].n + k));
    aopt.batch = bo_mo_acq_batch;
    aopt.anchors = md->n_anchor ? md->anchors : NULL;
    aopt.n_anchors = md->n_anchor;
    double *u = malloc(md->dim * sizeof(double));
    if (!u) {
        util_err(err, err_len, "out of memory");
        return -1;
    }
    double val = -INFINITY;
    char aerr[160];
    if (acqopt_maximize(req->sp, bo_mo_acq, md, &aopt, md->exclude, md->n_ex, u, &val, aerr,
                        sizeof aerr) == 0 && val > -INFINITY) {
        space_decode(req->sp, u, out + k * p);
        *done = 1;
        if (req->explain) {
            bo_explain *x = &req->explain[k];
            double mu, var;
            gp_predict(md->g[0], u, &mu, &var, NULL, NULL);
            x->from_model = 1;
            x->sobol = 0;
            x->acquisition = val;
            bo_data_unwarp(&md->dt[0], req->maximize[0], mu, var, &x->mean, &x->sd);
        }
    }
    free(u);
    if (req->timing) req->timing->acq_seconds += util_monotonic() - t0;
    return 0;
}

/* Distinct configurations among the observed and pending ones. */
static size_t bo_mo_count_distinct(const bo_multi_request *req)
{
    size_t p = space_size(req->sp), n = 0;
    size_t total = req->n_obs + req->n_pending;
    for (size_t i = 0; i < total; i++) {
        const double *c = i < req->n_obs ? req->X + i * p : req->pending + (i - req->n_obs) * p;
        int seen = 0;
        for (size_t t = 0; t < i && !seen; t++) {
            const double *d = t < req->n_obs ? req->X + t * p : req->pending + (t - req->n_obs) * p;
            seen = space_config_equal(req->sp, c, d);
        }
        n += (size_t)!seen;
    }
    return n;
}

int bo_predict_multi(const bo_multi_request *req, const double *configs, size_t m,
                     double *mean, double *sd, char *err, size_t err_len)
{
    bo_multi_request chk = *req;
    chk.count = 0;
    if (bo_multi_validate(&chk, NULL, err, err_len) != 0) return -1;
    if (m > 0 && (!configs || !mean || !sd)) {
        util_err(err, err_len, "no configurations or output arrays");
        return -1;
    }
    size_t n = req->n_obs, q = req->n_objectives;
    double *y = malloc((n ? n : 1) * sizeof(double));
    double *mu = malloc((m ? m : 1) * 2 * sizeof(double));
    if (!y || !mu) {
        free(y);
        free(mu);
        util_err(err, err_len, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t j = 0; j < q && rc == 0; j++) {
        bo_request one;
        bo_mo_objective_request(req, j, y, &one);
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
    size_t n_initial = req->n_initial ? req->n_initial : bo_default_n_initial(p);
    size_t n_feasible = 0;
    for (size_t i = 0; i < req->n_obs; i++) n_feasible += !(req->infeasible && req->infeasible[i]);
    size_t n_distinct = bo_mo_count_distinct(req);
    double *s = malloc((req->n_obs ? req->n_obs : 1) * sizeof(double));
    double *pending = malloc((req->n_pending + req->count) * p * sizeof(double));
    bo_mo_model md;
    memset(&md, 0, sizeof md);
    md.req = req;
    md.m = req->n_objectives;
    md.dim = space_encoded_dim(req->sp);
    int rc = 0, built = 0;
    if (!s || !pending) {
        util_err(err, err_len, "out of memory");
        rc = -1;
    }
    for (size_t k = 0; k < req->count && rc == 0; k++) {
        int done = 0;
        /* the design until n_initial configurations exist and one is feasible */
        int design = n_feasible == 0 || n_distinct + k < n_initial;
        if (!design && !built) {
            rc = bo_mo_build(&md, out, k, err, err_len);
            built = 1;
        }
        if (rc == 0 && built) rc = bo_mo_propose(&md, out, k, &done, err, err_len);
        if (rc == 0 && !done) rc = bo_parego_propose(req, out, k, s, pending, err, err_len);
        if (rc == 0 && built && k + 1 < req->count) rc = bo_mo_believe(&md, out + k * p, err, err_len);
    }
    bo_mo_free(&md);
    free(s);
    free(pending);
    return rc;
}
