/*
 * model.c - the graph model: per-node GPs, fixed-sample propagation, the
 * Monte-Carlo LogEI / UCB acquisition with constraint probabilities, and
 * kriging-believer fantasies (see model.h).
 *
 * Units: a metric node's value is its standardised z (preprocess.h), the
 * objective's is in maximisation units (sign * y). A parametric node's GP
 * models the residual of its formula in raw units; its value is turned back
 * into z for its children.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_erf.h>

#include "bo/acquisition.h"
#include "bo/suggest.h"
#include "structure/defaults.h"
#include "structure/model.h"
#include "util/rng.h"

static void model_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void model_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void model_free(model *m)
{
    if (!m)
        return;
    if (m->nodes)
        for (size_t v = 0; v < m->n_nodes; v++) {
            model_node *nd = &m->nodes[v];
            free(nd->par);
            free(nd->lo);
            free(nd->hi);
            free(nd->fvar);
            free(nd->beta);
            free(nd->lin_cov);
            free(nd->lin_xm);
            free(nd->lin_act);
            knowledge_formula_free(nd->f);
        }
    free(m->nodes);
    free(m->order);
    free(m->eps);
    free(m->cons);
    free(m->val);
    free(m->mean);
    free(m->var);
    free(m->in);
    free(m->raw);
    memset(m, 0, sizeof *m);
}

static size_t model_param_width(const model *m, size_t j)
{
    size_t first, count;
    space_param_encoded_span(m->sp, j, &first, &count);
    return count;
}

/* Node v's parents, GP input layout, GP handle (gps[v], replaced when of
 * the wrong dimension) and expert formula. 0, or -1 with a message. */
static int model_init_node(model *m, const dag *g, size_t v, const char *const *names,
                           const knowledge *kn, gp **gps, char *err, size_t err_len)
{
    size_t p = m->p, N = m->n_nodes;
    model_node *nd = &m->nodes[v];
    nd->par = malloc(N * sizeof *nd->par);
    nd->lo = malloc(N * sizeof *nd->lo);
    nd->hi = malloc(N * sizeof *nd->hi);
    if (!nd->par || !nd->lo || !nd->hi)
        goto oom;
    nd->n_par = dag_parents(g, v, nd->par);
    if (nd->n_par == 0) {
        /* A node nothing was learnt about: it may depend on anything. */
        for (size_t j = 0; j < p; j++)
            nd->par[nd->n_par++] = j;
    }
    nd->dim = 0;
    for (size_t a = 0; a < nd->n_par; a++) {
        size_t u = nd->par[a];
        if (u < p) {
            nd->dim += model_param_width(m, u);
        } else {
            nd->dim += 1;
            nd->metric_parents = 1;
        }
        nd->lo[a] = 0;
        nd->hi[a] = 1;
    }
    if (gps[v] && gp_dim(gps[v]) != nd->dim) {
        gp_free(gps[v]);
        gps[v] = NULL;
    }
    if (!gps[v])
        gps[v] = gp_new(nd->dim);
    if (!gps[v])
        goto oom;
    nd->g = gps[v];
    int mi = knowledge_model_index(kn, names[v]);
    if (mi < 0)
        return 0;
    size_t nv = knowledge_model_n_vars(kn, (size_t)mi);
    nd->fvar = malloc((nv ? nv : 1) * sizeof *nd->fvar);
    if (!nd->fvar)
        goto oom;
    nd->n_fvar = nv;
    int ok = 1;
    for (size_t q = 0; q < nv && ok; q++) {
        const char *vn = knowledge_model_var(kn, (size_t)mi, q);
        size_t found = N;
        for (size_t a = 0; a < nd->n_par; a++)
            if (strcmp(names[nd->par[a]], vn) == 0)
                found = nd->par[a];
        ok = found < N;
        nd->fvar[q] = found;
    }
    /* A formula whose inputs are not all parents here (a metric not
     * reported, or pruned) is not used; the GP models the node. */
    if (ok) {
        nd->f = knowledge_formula_new(kn, (size_t)mi, err, err_len);
        if (!nd->f)
            return -1;
    }
    return 0;
oom:
    model_err(err, err_len, "model: out of memory");
    return -1;
}

int model_init(model *m, const space *sp, const dag *g, const preprocess_metric *pm,
               size_t k, const char *const *names, const knowledge *kn, gp **gps,
               int maximize, size_t n_samples, uint64_t seed, char *err, size_t err_len)
{
    memset(m, 0, sizeof *m);
    size_t p = space_size(sp), N = p + k + 1;
    if (g->n != N) {
        model_err(err, err_len, "model: graph has %zu nodes, expected %zu", g->n, N);
        return -1;
    }
    m->sp = sp;
    m->p = p;
    m->dim_u = space_encoded_dim(sp);
    m->n_nodes = N;
    m->obj = p + k;
    m->sign = maximize ? 1.0 : -1.0;
    m->S = n_samples ? n_samples : MODEL_DEFAULT_SAMPLES;
    m->acq = BO_ACQ_LOGEI;
    m->beta = MODEL_DEFAULT_UCB_BETA;
    m->nodes = calloc(N, sizeof *m->nodes);
    m->order = malloc(N * sizeof *m->order);
    m->eps = malloc(m->S * N * sizeof *m->eps);
    size_t *topo = malloc(N * sizeof *topo);
    if (!m->nodes || !m->order || !m->eps || !topo) {
        free(topo);
        model_err(err, err_len, "model: out of memory");
        model_free(m);
        return -1;
    }
    size_t n_topo;
    if (dag_topo_order(g, topo, &n_topo) != 0) {
        free(topo);
        model_err(err, err_len, "model: graph is cyclic");
        model_free(m);
        return -1;
    }
    for (size_t v = 0; v < N; v++) {
        model_node *nd = &m->nodes[v];
        nd->kind = v < p ? DAG_PARAM : (v == m->obj ? DAG_OBJECTIVE : DAG_METRIC);
        nd->param = v;
        if (nd->kind == DAG_METRIC)
            nd->pm = pm[v - p];
    }
    size_t maxdim = 1;
    for (size_t t = 0; t < n_topo; t++) {
        size_t v = topo[t];
        model_node *nd = &m->nodes[v];
        if (nd->kind == DAG_PARAM)
            continue;
        m->order[m->n_order++] = v;
        if (model_init_node(m, g, v, names, kn, gps, err, err_len) != 0) {
            free(topo);
            model_free(m);
            return -1;
        }
        if (nd->dim > maxdim)
            maxdim = nd->dim;
    }
    free(topo);
    topo = NULL; /* the oom path below frees it too */
    /* Every child node is fitted on its parents' values as measured, noise
     * and all, and a metric's run-to-run variation (a queue that was
     * longer this run) reaches the objective measured in the same run. So
     * the samples carry each metric's noise, whether the objective is a
     * formula or a GP. Leaving it out made the graph overconfident exactly
     * where the objective is a near-exact function of its metrics (its GP
     * then learns almost no noise of its own): held-out trials fell outside
     * its predictions and cross-validation switched it off. */
    m->sample_noise = 1;
    uint64_t s = seed ^ 0x2545f4914f6cdd1dULL;
    for (size_t q = 0; q < m->S * N; q++)
        m->eps[q] = rng_normal(&s);
    m->chunk = MODEL_CHUNK;
    size_t rows = m->chunk * m->S;
    m->val = malloc(rows * N * sizeof *m->val);
    m->mean = malloc(rows * N * sizeof *m->mean);
    m->var = malloc(rows * N * sizeof *m->var);
    m->in = malloc(rows * maxdim * sizeof *m->in);
    m->raw = malloc((N + 1) * sizeof *m->raw);
    if (!m->val || !m->mean || !m->var || !m->in || !m->raw)
        goto oom;
    return 0;
oom:
    free(topo);
    model_err(err, err_len, "model: out of memory");
    model_free(m);
    return -1;
}

/* GP input of node v for encoded configuration u and node values val
 * (metric z per node). */
static void model_input(const model *m, const model_node *nd, const double *u,
                        const double *val, double *x)
{
    size_t o = 0;
    for (size_t a = 0; a < nd->n_par; a++) {
        size_t w = nd->par[a];
        if (w < m->p) {
            size_t first, count;
            space_param_encoded_span(m->sp, w, &first, &count);
            memcpy(x + o, u + first, count * sizeof *x);
            o += count;
        } else {
            x[o++] = (val[w] - nd->lo[a]) / (nd->hi[a] - nd->lo[a]);
        }
    }
}

/* The raw value of node w for a formula: the parameter's raw value, a
 * metric's value back in its units. */
static double model_raw_of(const model *m, size_t w, const double *xraw, const double *val)
{
    if (w < m->p)
        return xraw[w];
    return preprocess_from_std(&m->nodes[w].pm, val[w]);
}

/* The formula of nd in raw units; NAN when undefined. */
static double model_formula(model *m, const model_node *nd, const double *xraw,
                            const double *val)
{
    for (size_t q = 0; q < nd->n_fvar; q++)
        m->raw[q] = model_raw_of(m, nd->fvar[q], xraw, val);
    return knowledge_formula_eval(nd->f, m->raw);
}

static double model_log_phi(double z)
{
    /* log Phi(z) = log(erfc(-z / sqrt 2) / 2), stable far into the tail. */
    return gsl_sf_log_erfc(-z * M_SQRT1_2) - M_LN2;
}

/* Node value (z for metrics) from the node's own modelled quantity: for a
 * parametric metric, base (the formula, raw units) + residual. */
static double model_to_value(const model_node *nd, double modelled)
{
    if (nd->kind != DAG_METRIC || !nd->f)
        return modelled;
    double z = preprocess_to_std(&nd->pm, modelled);
    return isfinite(z) ? z : nd->zmin;
}

/* The linear part of a node's mean: Bayesian linear regression of y on the
 * rows of X (inputs in about [0,1]) with a prior N(0, tau^2) on each slope,
 * tau = 2 sd(y) (the whole input range may move y by two standard
 * deviations), and noise sigma^2 = var(y) / 10. Its posterior mean sets the
 * trend the GP's residual is taken from; its posterior covariance adds to
 * the node's predictive variance, so directions the data do not pin down
 * (fewer trials than inputs) keep the prior's uncertainty instead of an
 * overconfident extrapolation. beta[0] is the intercept; only the input
 * columns marked in active get a slope (the others' slopes and their
 * covariance are 0). 0, or -1. */
static int model_fit_linear(model_node *nd, const double *X, const double *y, size_t n,
                            const unsigned char *active)
{
    size_t dim = nd->dim;
    double ym = 0;
    for (size_t i = 0; i < n; i++)
        ym += y[i];
    ym /= (double)n;
    double yv = 0;
    for (size_t i = 0; i < n; i++)
        yv += (y[i] - ym) * (y[i] - ym);
    yv /= (double)n;
    if (!(yv > 0))
        return -1;
    double *xm = calloc(dim, sizeof *xm);
    gsl_matrix *A = gsl_matrix_calloc(dim, dim);
    gsl_vector *b = gsl_vector_calloc(dim), *sol = gsl_vector_alloc(dim);
    nd->beta = malloc((dim + 1) * sizeof *nd->beta);
    nd->lin_cov = malloc(dim * dim * sizeof *nd->lin_cov);
    nd->lin_xm = malloc(dim * sizeof *nd->lin_xm);
    nd->lin_act = malloc((dim ? dim : 1) * sizeof *nd->lin_act);
    nd->n_act = 0;
    int rc = -1;
    if (!xm || !A || !b || !sol || !nd->beta || !nd->lin_cov || !nd->lin_xm || !nd->lin_act)
        goto done;
    for (size_t a = 0; a < dim; a++)
        if (active[a])
            nd->lin_act[nd->n_act++] = a;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < dim; a++)
            xm[a] += X[i * dim + a] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < dim; a++) {
            if (!active[a])
                continue;
            double xa = X[i * dim + a] - xm[a];
            b->data[a] += xa * (y[i] - ym);
            for (size_t c = 0; c <= a; c++)
                if (active[c])
                    A->data[a * dim + c] += xa * (X[i * dim + c] - xm[c]);
        }
    double sigma2 = MODEL_LINEAR_NOISE_FRACTION * yv,
           tau2 = MODEL_SLOPE_PRIOR_SD * MODEL_SLOPE_PRIOR_SD * yv;
    for (size_t a = 0; a < dim; a++) {
        for (size_t c = 0; c < a; c++)
            A->data[c * dim + a] = A->data[a * dim + c];
        A->data[a * dim + a] += sigma2 / tau2;
    }
    if (gsl_linalg_cholesky_decomp1(A) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(A, b, sol) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(A) != GSL_SUCCESS)
        goto done;
    nd->beta[0] = ym;
    for (size_t a = 0; a < dim; a++) {
        nd->beta[1 + a] = active[a] ? sol->data[a] : 0;
        nd->beta[0] -= nd->beta[1 + a] * xm[a];
        nd->lin_xm[a] = xm[a];
        for (size_t c = 0; c < dim; c++)
            nd->lin_cov[a * dim + c] =
                active[a] && active[c] ? sigma2 * gsl_matrix_get(A, a, c) : 0;
    }
    rc = 0;
done:
    free(xm);
    if (A)
        gsl_matrix_free(A);
    if (b)
        gsl_vector_free(b);
    if (sol)
        gsl_vector_free(sol);
    if (rc) {
        free(nd->beta);
        free(nd->lin_cov);
        free(nd->lin_xm);
        free(nd->lin_act);
        nd->beta = nd->lin_cov = nd->lin_xm = NULL;
        nd->lin_act = NULL;
        nd->n_act = 0;
    }
    return rc;
}

static double model_linear(const model_node *nd, const double *x)
{
    if (!nd->beta)
        return 0;
    double s = nd->beta[0];
    for (size_t a = 0; a < nd->dim; a++)
        s += nd->beta[1 + a] * x[a];
    return s;
}

/* Variance of the linear part at x, (x - xm)' cov (x - xm), over the inputs
 * with a slope (the others' terms are zero); sc[i] receives
 * (cov (x - xm)) at the i-th of them, half the variance's gradient. */
static double model_linear_var_sc(const model_node *nd, const double *x, double *sc)
{
    double v = 0;
    for (size_t i = 0; i < nd->n_act; i++) {
        size_t a = nd->lin_act[i];
        sc[i] = 0;
        for (size_t j = 0; j < nd->n_act; j++) {
            size_t c = nd->lin_act[j];
            sc[i] += nd->lin_cov[a * nd->dim + c] * (x[c] - nd->lin_xm[c]);
        }
        v += (x[a] - nd->lin_xm[a]) * sc[i];
    }
    return v > 0 ? v : 0;
}

/* Variance of the linear part at x (0 without one). */
static double model_linear_var(const model_node *nd, const double *x)
{
    if (!nd->beta)
        return 0;
    double sc[nd->n_act ? nd->n_act : 1];
    return model_linear_var_sc(nd, x, sc);
}

/* Input scaling of nd's metric parents: their observed range in Z. */
static void model_fit_scaling(const model *m, model_node *nd, const double *Z, size_t n)
{
    size_t p = m->p, k = m->n_nodes - p - 1;
    for (size_t a = 0; a < nd->n_par; a++) {
        size_t w = nd->par[a];
        if (w < p)
            continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double z = Z[i * k + (w - p)];
            if (isfinite(z)) {
                lo = fmin(lo, z);
                hi = fmax(hi, z);
            }
        }
        if (!isfinite(lo)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < MODEL_MIN_PARENT_SPAN)
            hi = lo + 1;
        nd->lo[a] = lo;
        nd->hi[a] = hi;
    }
}

/* Node v's training rows into X (rows x dim) and y: the trials where the
 * node and its metric parents were observed, the target less the formula
 * when the node has one (val: scratch, N). Returns how many. */
static size_t model_fit_rows(model *m, size_t v, const double *U, const double *Xraw,
                             const double *Z, const double *t, size_t n, double *val, double *X,
                             double *y)
{
    size_t p = m->p, k = m->n_nodes - p - 1;
    model_node *nd = &m->nodes[v];
    nd->zmin = INFINITY;
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        double target = v == m->obj ? t[i] : Z[i * k + (v - p)];
        if (!isfinite(target))
            continue;
        int ok = 1;
        for (size_t a = 0; a < nd->n_par && ok; a++) {
            size_t w = nd->par[a];
            if (w >= p) {
                val[w] = Z[i * k + (w - p)];
                ok = isfinite(val[w]);
            }
        }
        if (!ok)
            continue;
        if (nd->kind == DAG_METRIC)
            nd->zmin = fmin(nd->zmin, target);
        if (nd->f) {
            double base = model_formula(m, nd, Xraw + i * p, val);
            if (nd->kind == DAG_METRIC) {
                target = preprocess_from_std(&nd->pm, target);
            } else {
                base *= m->sign;
            }
            if (!isfinite(base) || !isfinite(target))
                continue;
            target -= base;
        }
        model_input(m, nd, U + i * m->dim_u, val, X + rows * nd->dim);
        y[rows++] = target;
    }
    return rows;
}

int model_fit(model *m, const double *U, const double *Xraw, const double *Z, const double *t,
              size_t n, uint64_t seed, char *err, size_t err_len)
{
    size_t N = m->n_nodes, p = m->p;
    size_t maxdim = 1;
    for (size_t q = 0; q < m->n_order; q++)
        if (m->nodes[m->order[q]].dim > maxdim)
            maxdim = m->nodes[m->order[q]].dim;
    double *X = malloc((n ? n : 1) * maxdim * sizeof *X);
    double *y = malloc((n ? n : 1) * sizeof *y);
    double *val = malloc(N * sizeof *val);
    if (!X || !y || !val) {
        free(X);
        free(y);
        free(val);
        model_err(err, err_len, "model: out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t q = 0; q < m->n_order && rc == 0; q++) {
        size_t v = m->order[q];
        model_node *nd = &m->nodes[v];
        model_fit_scaling(m, nd, Z, n);
        size_t rows = model_fit_rows(m, v, U, Xraw, Z, t, n, val, X, y);
        if (rows < 2) {
            model_err(err, err_len, "model: node %zu has %zu usable trials", v, rows);
            rc = -1;
            break;
        }
        free(nd->beta);
        free(nd->lin_cov);
        free(nd->lin_xm);
        free(nd->lin_act);
        nd->beta = nd->lin_cov = nd->lin_xm = NULL;
        nd->lin_act = NULL;
        nd->n_act = 0;
        /* A linear trend where the data pin it down (at least twice as
         * many trials as its slopes plus one). A metric's trend is over
         * all its inputs: with 10 trials in 20-30 dimensions, a GP alone
         * reverts to its mean a short way from the data, and the graph
         * then saw no direction to move in (its first suggestions were
         * worse than the plain GP's on the benchmark). The objective's
         * trend is over its metric parents only: it lets the objective
         * extrapolate in metric space (better metrics than any seen)
         * while its parameter inputs (all parameters, while trials are
         * few) stay with the GP. Slopes on those too would need twice as
         * many trials as parameters, and fitted early they extrapolated
         * confidently and wrongly. */
        unsigned char active[nd->dim ? nd->dim : 1];
        size_t n_active = 0;
        for (size_t a = 0, o = 0; a < nd->n_par; a++) {
            size_t w = nd->par[a];
            size_t width = w < p ? model_param_width(m, w) : 1;
            for (size_t c = 0; c < width; c++, o++) {
                active[o] = v != m->obj || w >= p;
                n_active += active[o];
            }
        }
        if (n_active > 0 && (double)rows >= MODEL_LINEAR_MIN_RATIO * (double)(n_active + 1)) {
            if (model_fit_linear(nd, X, y, rows, active) == 0)
                for (size_t i = 0; i < rows; i++)
                    y[i] -= model_linear(nd, X + i * nd->dim);
        }
        gp_options opt;
        gp_options_default(&opt);
        /* A node GP kept from the previous call starts from its own
         * hyperparameters; random restarts only every few trials (staggered
         * over the nodes, so no one suggestion pays for all of them). */
        int warm = gp_n(nd->g) > 0 && (rows + v) % MODEL_RESTART_EVERY != 0;
        opt.n_restarts = warm ? 0 : bo_gp_restarts(rows);
        opt.optimize = !(m->keep_hyper && gp_n(nd->g) > 0);
        opt.seed = seed + 7919 * (uint64_t)v;
        char sub[200];
        if (gp_fit(nd->g, X, y, rows, &opt, sub, sizeof sub) != 0) {
            model_err(err, err_len, "model: node %zu: %s", v, sub);
            rc = -1;
            break;
        }
        nd->noise_sd = sqrt(fmax(gp_noise_variance(nd->g), 0));

    }
    free(X);
    free(y);
    free(val);
    return rc;
}

/* Propagates the fixed samples for mc candidates (U, decoded Xraw) through
 * the graph: m->val gets node values, m->mean and m->var the conditional
 * Gaussian of every node's modelled quantity, per (candidate, sample). */
static void model_propagate(model *m, const double *U, const double *Xraw, size_t mc)
{
    size_t N = m->n_nodes, S = m->S, p = m->p;
    for (size_t q = 0; q < m->n_order; q++) {
        size_t v = m->order[q];
        model_node *nd = &m->nodes[v];
        size_t rows = nd->metric_parents ? mc * S : mc;
        for (size_t r = 0; r < rows; r++) {
            size_t c = nd->metric_parents ? r / S : r;
            size_t s = nd->metric_parents ? r % S : 0;
            model_input(m, nd, U + c * m->dim_u, m->val + (c * S + s) * N, m->in + r * nd->dim);
        }
        /* Scratch for the GP outputs: the node's own column is free now. */
        double *mu = malloc(2 * rows * sizeof *mu);
        if (!mu) {
            for (size_t r = 0; r < mc * S; r++) {
                m->mean[r * N + v] = 0;
                m->var[r * N + v] = 1e6;
                m->val[r * N + v] = 0;
            }
            continue;
        }
        double *vr = mu + rows;
        gp_predict_batch(nd->g, m->in, rows, mu, vr);
        for (size_t c = 0; c < mc; c++)
            for (size_t s = 0; s < S; s++) {
                size_t r = nd->metric_parents ? c * S + s : c;
                size_t cell = (c * S + s) * N + v;
                double mean = mu[r] + model_linear(nd, m->in + r * nd->dim);
                double var = (vr[r] > 0 ? vr[r] : 0) + model_linear_var(nd, m->in + r * nd->dim);
                if (nd->f) {
                    double base = model_formula(m, nd, Xraw + c * p, m->val + (c * S + s) * N);
                    if (nd->kind == DAG_OBJECTIVE)
                        base *= m->sign;
                    mean += isfinite(base) ? base : 0;
                }
                m->mean[cell] = mean;
                m->var[cell] = var;
                if (nd->kind == DAG_METRIC) {
                    double sd = sqrt(var + (m->sample_noise ? nd->noise_sd * nd->noise_sd : 0));
                    m->val[cell] = model_to_value(nd, mean + sd * m->eps[s * N + v]);
                } else {
                    m->val[cell] = mean;
                }
            }
        free(mu);
    }
}

static double model_log_feasible(const model *m, size_t cell_base)
{
    double lp = 0;
    for (size_t q = 0; q < m->n_cons; q++) {
        const model_constraint *c = &m->cons[q];
        if (c->always)
            continue;
        if (c->never)
            return MODEL_LOG_NEVER;
        const model_node *nd = &m->nodes[c->node];
        double mean = m->mean[cell_base + c->node];
        double sd = sqrt(m->var[cell_base + c->node] + nd->noise_sd * nd->noise_sd);
        if (!(sd > MODEL_SD_FLOOR))
            sd = MODEL_SD_FLOOR;
        double z = (c->threshold - mean) / sd;
        lp += constraint_op_is_upper(c->op) ? model_log_phi(z) : model_log_phi(-z);
    }
    return lp;
}

/* The objective's predictive mean and variance at propagated candidate c
 * (m->mean, m->var after model_propagate): the mixture over the base
 * samples of their Gaussians, the variance clamped at 0. */
static void model_obj_moments(const model *m, size_t c, double *mean, double *var)
{
    size_t N = m->n_nodes, S = m->S;
    double s1 = 0, s2 = 0;
    for (size_t s = 0; s < S; s++) {
        size_t cell = (c * S + s) * N + m->obj;
        s1 += m->mean[cell];
        s2 += m->var[cell] + m->mean[cell] * m->mean[cell];
    }
    double mu = s1 / (double)S, v = s2 / (double)S - mu * mu;
    *mean = mu;
    *var = v > 0 ? v : 0;
}

void model_acq_batch(model *m, const double *U, size_t m_pts, double *values)
{
    size_t N = m->n_nodes, S = m->S, p = m->p;
    double *xraw = malloc(m->chunk * (p ? p : 1) * sizeof *xraw);
    double *terms = malloc(S * sizeof *terms);
    if (!xraw || !terms) {
        free(xraw);
        free(terms);
        for (size_t i = 0; i < m_pts; i++)
            values[i] = -INFINITY;
        return;
    }
    for (size_t c0 = 0; c0 < m_pts; c0 += m->chunk) {
        size_t mc = m_pts - c0 < m->chunk ? m_pts - c0 : m->chunk;
        for (size_t c = 0; c < mc; c++)
            space_decode(m->sp, U + (c0 + c) * m->dim_u, xraw + c * p);
        model_propagate(m, U + c0 * m->dim_u, xraw, mc);
        for (size_t c = 0; c < mc; c++) {
            double value;
            if (m->acq == BO_ACQ_UCB && m->n_cons == 0) {
                double mean, var;
                model_obj_moments(m, c, &mean, &var);
                value = mean + m->beta * sqrt(var);
            } else {
                double mx = -INFINITY;
                for (size_t s = 0; s < S; s++) {
                    size_t base = (c * S + s) * N;
                    double term = model_log_feasible(m, base);
                    if (m->has_best) {
                        double mean = m->mean[base + m->obj];
                        double sd = sqrt(fmax(m->var[base + m->obj], MODEL_VAR_FLOOR));
                        term += log(sd) + acq_log_h((mean - m->best) / sd, NULL);
                    }
                    terms[s] = term;
                    if (term > mx)
                        mx = term;
                }
                if (!isfinite(mx)) {
                    value = -1e300;
                } else {
                    double acc = 0;
                    for (size_t s = 0; s < S; s++)
                        acc += exp(terms[s] - mx);
                    value = mx + log(acc / (double)S);
                }
            }
            values[c0 + c] = isfinite(value) ? value : -1e300;
        }
    }
    free(xraw);
    free(terms);
}

double model_acq(model *m, const double *u)
{
    double v;
    model_acq_batch(m, u, 1, &v);
    return v;
}

void model_moments_batch(model *m, const double *U, size_t m_pts, double *mean, double *var,
                         double *log_cons)
{
    size_t N = m->n_nodes, S = m->S, p = m->p;
    double *xraw = malloc(m->chunk * (p ? p : 1) * sizeof *xraw);
    for (size_t c0 = 0; c0 < m_pts; c0 += m->chunk) {
        size_t mc = m_pts - c0 < m->chunk ? m_pts - c0 : m->chunk;
        if (!xraw) {
            for (size_t c = c0; c < c0 + mc; c++) {
                mean[c] = 0;
                var[c] = INFINITY;
                if (log_cons)
                    log_cons[c] = 0;
            }
            continue;
        }
        for (size_t c = 0; c < mc; c++)
            space_decode(m->sp, U + (c0 + c) * m->dim_u, xraw + c * p);
        model_propagate(m, U + c0 * m->dim_u, xraw, mc);
        for (size_t c = 0; c < mc; c++) {
            double mx = -INFINITY, acc = 0;
            model_obj_moments(m, c, &mean[c0 + c], &var[c0 + c]);
            if (!log_cons)
                continue;
            /* log of the mean probability over the samples, by log-sum-exp */
            for (size_t s = 0; s < S; s++)
                mx = fmax(mx, model_log_feasible(m, (c * S + s) * N));
            for (size_t s = 0; s < S && isfinite(mx); s++)
                acc += exp(model_log_feasible(m, (c * S + s) * N) - mx);
            log_cons[c0 + c] = isfinite(mx) ? mx + log(acc / (double)S) : MODEL_LOG_NEVER;
        }
    }
    free(xraw);
}

int model_add_fantasy(model *m, const double *u, double *obj_mean, char *err, size_t err_len)
{
    size_t N = m->n_nodes, p = m->p;
    double *val = calloc(N, sizeof *val), *xraw = malloc((p ? p : 1) * sizeof *xraw);
    size_t maxdim = 1;
    for (size_t q = 0; q < m->n_order; q++)
        if (m->nodes[m->order[q]].dim > maxdim)
            maxdim = m->nodes[m->order[q]].dim;
    double *x = malloc(maxdim * sizeof *x);
    if (!val || !xraw || !x) {
        free(val);
        free(xraw);
        free(x);
        model_err(err, err_len, "model: out of memory");
        return -1;
    }
    space_decode(m->sp, u, xraw);
    int rc = 0;
    for (size_t q = 0; q < m->n_order && rc == 0; q++) {
        size_t v = m->order[q];
        model_node *nd = &m->nodes[v];
        model_input(m, nd, u, val, x);
        double mu;
        gp_predict(nd->g, x, &mu, NULL, NULL, NULL);
        rc = gp_add_observation(nd->g, x, mu, err, err_len);
        double modelled = mu + model_linear(nd, x);
        if (nd->f) {
            double base = model_formula(m, nd, xraw, val);
            if (nd->kind == DAG_OBJECTIVE)
                base *= m->sign;
            modelled += isfinite(base) ? base : 0;
        }
        val[v] = model_to_value(nd, modelled);
    }
    if (obj_mean)
        *obj_mean = val[m->obj];
    free(val);
    free(xraw);
    free(x);
    return rc;
}

int model_add_constraint(model *m, size_t node, constraint_op op, double value)
{
    if (node >= m->n_nodes || m->nodes[node].kind == DAG_PARAM)
        return -1;
    model_constraint *c = realloc(m->cons, (m->n_cons + 1) * sizeof *c);
    if (!c)
        return -1;
    m->cons = c;
    model_constraint *k = &m->cons[m->n_cons++];
    memset(k, 0, sizeof *k);
    k->node = node;
    k->op = op;
    const model_node *nd = &m->nodes[node];
    int upper = constraint_op_is_upper(op);
    if (nd->kind == DAG_OBJECTIVE) {
        k->threshold = m->sign * value;
        if (m->sign < 0)
            k->op = upper ? CONSTRAINT_OP_GE : CONSTRAINT_OP_LE;
    } else if (nd->f) {
        k->threshold = value;
    } else {
        k->threshold = preprocess_to_std(&nd->pm, value);
        if (!isfinite(k->threshold)) {
            /* A log-scale metric is positive: "<= 0" never holds, ">= 0"
             * always does. */
            if (upper)
                k->never = 1;
            else
                k->always = 1;
        }
    }
    return 0;
}

int model_has_gradient(const model *m)
{
    for (size_t q = 0; q < m->n_order; q++)
        if (m->nodes[m->order[q]].f)
            return 0;
    return 1;
}

/* d/dz log Phi(z) = phi(z) / Phi(z), stable in both tails. */
static double model_dlog_phi(double z)
{
    return gsl_sf_hazard(-z);
}

/* Scratch of model_acq_grad: per sample and node, the value and its
 * gradient, the conditional mean and variance of the node's modelled
 * quantity and their gradients; one node's input, its Jacobian and the
 * GP's gradients; per sample the log term and its gradient. */
typedef struct {
    size_t S, N, D;
    double *val, *gval, *mean, *var, *gmean, *gvar;
    double *x, *dx, *dm, *dv;
    double *terms, *gterm;
} model_grad_ws;

static void model_grad_ws_free(model_grad_ws *w)
{
    free(w->val);
    free(w->gval);
    free(w->mean);
    free(w->var);
    free(w->gmean);
    free(w->gvar);
    free(w->x);
    free(w->dx);
    free(w->dm);
    free(w->dv);
    free(w->terms);
    free(w->gterm);
}

/* 0, or -1 (out of memory; w is still freed by model_grad_ws_free). */
static int model_grad_ws_alloc(const model *m, model_grad_ws *w)
{
    size_t N = m->n_nodes, S = m->S, D = m->dim_u;
    size_t maxdim = 1;
    for (size_t q = 0; q < m->n_order; q++)
        if (m->nodes[m->order[q]].dim > maxdim)
            maxdim = m->nodes[m->order[q]].dim;
    w->S = S;
    w->N = N;
    w->D = D;
    w->val = calloc(S * N, sizeof *w->val);
    w->gval = calloc(S * N * D, sizeof *w->gval);
    w->mean = calloc(S * N, sizeof *w->mean);
    w->var = calloc(S * N, sizeof *w->var);
    w->gmean = calloc(S * N * D, sizeof *w->gmean);
    w->gvar = calloc(S * N * D, sizeof *w->gvar);
    w->x = malloc(maxdim * sizeof *w->x);
    w->dx = malloc(maxdim * D * sizeof *w->dx);
    w->dm = malloc(maxdim * sizeof *w->dm);
    w->dv = malloc(maxdim * sizeof *w->dv);
    w->terms = malloc(S * sizeof *w->terms);
    w->gterm = malloc(S * D * sizeof *w->gterm);
    return w->val && w->gval && w->mean && w->var && w->gmean && w->gvar && w->x && w->dx &&
                   w->dm && w->dv && w->terms && w->gterm
               ? 0
               : -1;
}

/* Node v's conditional mean and variance, with their gradients, in sample
 * row r: its input and the input's Jacobian with respect to u, the GP's
 * prediction by the chain rule, plus the linear part. */
static void model_grad_node(const model *m, model_grad_ws *w, size_t v, size_t r, const double *u)
{
    const model_node *nd = &m->nodes[v];
    size_t N = w->N, D = w->D, p = m->p;
    double *x = w->x, *dx = w->dx, *dm = w->dm, *dv = w->dv;
    memset(dx, 0, nd->dim * D * sizeof *dx);
    size_t o = 0;
    for (size_t a = 0; a < nd->n_par; a++) {
        size_t wn = nd->par[a];
        if (wn < p) {
            size_t first, count;
            space_param_encoded_span(m->sp, wn, &first, &count);
            for (size_t c = 0; c < count; c++) {
                x[o] = u[first + c];
                dx[o * D + first + c] = 1;
                o++;
            }
        } else {
            double span = nd->hi[a] - nd->lo[a];
            x[o] = (w->val[r * N + wn] - nd->lo[a]) / span;
            for (size_t k = 0; k < D; k++)
                dx[o * D + k] = w->gval[(r * N + wn) * D + k] / span;
            o++;
        }
    }
    double mu, vr;
    gp_predict(nd->g, x, &mu, &vr, dm, dv);
    double *gm = w->gmean + (r * N + v) * D, *gv = w->gvar + (r * N + v) * D;
    for (size_t k = 0; k < D; k++) {
        double a1 = 0, a2 = 0;
        for (size_t a = 0; a < nd->dim; a++) {
            a1 += dm[a] * dx[a * D + k];
            a2 += dv[a] * dx[a * D + k];
        }
        gm[k] = a1;
        gv[k] = vr > 0 ? a2 : 0;
    }
    if (vr < 0)
        vr = 0;
    if (nd->beta) {
        mu += model_linear(nd, x);
        /* d var / d x_a = 2 (cov (x - xm))_a, nonzero on the inputs with a
         * slope only: computed once with the variance, not per coordinate
         * of u. */
        double sc[nd->n_act ? nd->n_act : 1];
        vr += model_linear_var_sc(nd, x, sc);
        for (size_t k = 0; k < D; k++) {
            double a1 = 0, a2 = 0;
            for (size_t a = 0; a < nd->dim; a++)
                a1 += nd->beta[1 + a] * dx[a * D + k];
            for (size_t i = 0; i < nd->n_act; i++)
                a2 += 2 * sc[i] * dx[nd->lin_act[i] * D + k];
            gm[k] += a1;
            gv[k] += a2;
        }
    }
    w->mean[r * N + v] = mu;
    w->var[r * N + v] = vr;
}

/* Forward-mode propagation of the fixed samples through the graph at u:
 * every node's mean and variance per sample, and each metric's sampled
 * value, all with their gradients. */
static void model_grad_propagate(const model *m, model_grad_ws *w, const double *u)
{
    size_t N = w->N, S = w->S, D = w->D;
    for (size_t q = 0; q < m->n_order; q++) {
        size_t v = m->order[q];
        const model_node *nd = &m->nodes[v];
        size_t rows = nd->metric_parents ? S : 1;
        for (size_t r = 0; r < rows; r++)
            model_grad_node(m, w, v, r, u);
        /* Nodes without metric parents: one prediction for all samples. */
        if (!nd->metric_parents)
            for (size_t s2 = 1; s2 < S; s2++) {
                w->mean[s2 * N + v] = w->mean[v];
                w->var[s2 * N + v] = w->var[v];
                memcpy(w->gmean + (s2 * N + v) * D, w->gmean + v * D, D * sizeof *w->gmean);
                memcpy(w->gvar + (s2 * N + v) * D, w->gvar + v * D, D * sizeof *w->gvar);
            }
        if (nd->kind != DAG_METRIC)
            continue;
        double noise2 = m->sample_noise ? nd->noise_sd * nd->noise_sd : 0;
        for (size_t s2 = 0; s2 < S; s2++) {
            size_t cell = s2 * N + v;
            double sd = sqrt(w->var[cell] + noise2);
            double e = m->eps[s2 * N + v];
            w->val[cell] = w->mean[cell] + sd * e;
            for (size_t k = 0; k < D; k++)
                w->gval[cell * D + k] =
                    w->gmean[cell * D + k] +
                    (sd > 1e-12 ? e * w->gvar[cell * D + k] / (2 * sd) : 0);
        }
    }
}

/* UCB of the objective's mixture over the samples, and its gradient. */
static double model_grad_ucb(const model *m, const model_grad_ws *w, double *grad)
{
    size_t N = w->N, S = w->S, D = w->D, o = m->obj;
    const double *mean = w->mean, *var = w->var, *gmean = w->gmean, *gvar = w->gvar;
    double s1 = 0, s2v = 0;
    for (size_t s2 = 0; s2 < S; s2++) {
        s1 += mean[s2 * N + o];
        s2v += var[s2 * N + o] + mean[s2 * N + o] * mean[s2 * N + o];
    }
    double M = s1 / (double)S, V = s2v / (double)S - M * M;
    double sdv = sqrt(V > 0 ? V : 0);
    double value = M + m->beta * sdv;
    for (size_t k = 0; k < D; k++) {
        double dM = 0, dV = 0;
        for (size_t s2 = 0; s2 < S; s2++) {
            size_t cell = s2 * N + o;
            dM += gmean[cell * D + k];
            dV += gvar[cell * D + k] + 2 * mean[cell] * gmean[cell * D + k];
        }
        dM /= (double)S;
        dV = dV / (double)S - 2 * M * dM;
        grad[k] = dM + (sdv > 1e-12 ? m->beta * dV / (2 * sdv) : 0);
    }
    return value;
}

/* Sample s2's log term: the constraints' log probabilities plus, with an
 * incumbent, the objective's log EI; its gradient into gt (D). */
static double model_grad_sample_term(const model *m, const model_grad_ws *w, size_t s2,
                                     double *gt)
{
    size_t N = w->N, D = w->D, o = m->obj;
    const double *mean = w->mean, *var = w->var, *gmean = w->gmean, *gvar = w->gvar;
    double term = 0;
    memset(gt, 0, D * sizeof *gt);
    for (size_t c = 0; c < m->n_cons; c++) {
        const model_constraint *k = &m->cons[c];
        if (k->always)
            continue;
        if (k->never) {
            term += MODEL_LOG_NEVER;
            continue;
        }
        const model_node *nd = &m->nodes[k->node];
        size_t cell = s2 * N + k->node;
        double sd = sqrt(var[cell] + nd->noise_sd * nd->noise_sd);
        if (!(sd > MODEL_SD_FLOOR))
            sd = MODEL_SD_FLOOR;
        double z = (k->threshold - mean[cell]) / sd;
        double sign = constraint_op_is_upper(k->op) ? 1 : -1;
        term += model_log_phi(sign * z);
        double dl = model_dlog_phi(sign * z) * sign;
        for (size_t q = 0; q < D; q++) {
            double dsd = gvar[cell * D + q] / (2 * sd);
            gt[q] += dl * (-gmean[cell * D + q] / sd - z * dsd / sd);
        }
    }
    if (m->has_best) {
        size_t cell = s2 * N + o;
        double vv = var[cell];
        int floored = !(vv > MODEL_VAR_FLOOR);
        double sd = sqrt(floored ? MODEL_VAR_FLOOR : vv);
        double z = (mean[cell] - m->best) / sd, dz;
        term += log(sd) + acq_log_h(z, &dz);
        for (size_t q = 0; q < D; q++) {
            double dsd = floored ? 0 : gvar[cell * D + q] / (2 * sd);
            gt[q] += dsd / sd + dz * (gmean[cell * D + q] / sd - z * dsd / sd);
        }
    }
    return term;
}

/* Monte-Carlo LogEI times the constraints' probability: the log-sum-exp
 * of the samples' terms, and its gradient. -1e300 (gradient 0) when no
 * sample has a finite term. */
static double model_grad_logei(const model *m, model_grad_ws *w, double *grad)
{
    size_t S = w->S, D = w->D;
    double mx = -INFINITY;
    for (size_t s2 = 0; s2 < S; s2++) {
        double term = model_grad_sample_term(m, w, s2, w->gterm + s2 * D);
        w->terms[s2] = term;
        if (term > mx)
            mx = term;
    }
    if (!isfinite(mx)) {
        for (size_t k = 0; k < D; k++)
            grad[k] = 0;
        return -1e300;
    }
    double acc = 0;
    for (size_t s2 = 0; s2 < S; s2++)
        acc += exp(w->terms[s2] - mx);
    double value = mx + log(acc / (double)S);
    for (size_t k = 0; k < D; k++) {
        double g = 0;
        for (size_t s2 = 0; s2 < S; s2++)
            g += exp(w->terms[s2] - mx) / acc * w->gterm[s2 * D + k];
        grad[k] = isfinite(g) ? g : 0;
    }
    return value;
}

double model_acq_grad(model *m, const double *u, double *grad)
{
    assert(m && u && grad && model_has_gradient(m));
    model_grad_ws w;
    memset(&w, 0, sizeof w);
    double value = -1e300;
    if (model_grad_ws_alloc(m, &w) != 0) {
        for (size_t k = 0; k < m->dim_u; k++)
            grad[k] = 0;
    } else {
        model_grad_propagate(m, &w, u);
        if (m->acq == BO_ACQ_UCB && m->n_cons == 0)
            value = model_grad_ucb(m, &w, grad);
        else
            value = model_grad_logei(m, &w, grad);
    }
    model_grad_ws_free(&w);
    return isfinite(value) ? value : -1e300;
}

void model_predict_nodes(model *m, const double *u, double *out, double *obj_mean,
                         double *obj_var)
{
    size_t N = m->n_nodes, S = m->S, p = m->p;
    double *xraw = malloc((p ? p : 1) * sizeof *xraw);
    if (!xraw) {
        for (size_t v = 0; v < N; v++)
            out[v] = NAN;
        if (obj_mean && obj_var)
            *obj_mean = *obj_var = NAN;
        return;
    }
    space_decode(m->sp, u, xraw);
    model_propagate(m, u, xraw, 1);
    for (size_t v = 0; v < N; v++) {
        double acc = 0;
        for (size_t s = 0; s < S; s++)
            acc += m->val[s * N + v];
        out[v] = m->nodes[v].kind == DAG_PARAM ? NAN : acc / (double)S;
    }
    if (obj_mean && obj_var)
        model_obj_moments(m, 0, obj_mean, obj_var);
    free(xraw);
}
