/*
 * gp.c - Gaussian process regression on the unit cube.
 *
 * Model: y_std ~ GP(c, k) + N(0, noise), k = sv * Matern52(r), with
 * r^2 = sum_k ((x_k - x'_k) / l_k)^2. Outputs are standardised at fit time.
 * Hyperparameters theta = (log l_1..log l_d, log sv, log noise, c) are set
 * by MAP: minimise -log p(y | theta) - log p(theta) with NLopt's L-BFGS on
 * the analytic gradient
 *   d(-log p(y|theta))/d theta = -1/2 tr((alpha alpha^T - K^-1) dK/dtheta),
 * from the warm start (previous fit), the prior mode and random prior draws.
 * Priors (bo/defaults.h) are Normal in log space; the length-scale prior is
 * BoTorch's dimension-scaled LogNormal, whose MAP in l is its mode.
 *
 * The Cholesky factor L of K + noise I lives in a buffer with row stride
 * `cap` so gp_add_observation can append a row in O(n^2) without a refit.
 */
#include "bo/gp.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <nlopt.h>

#include "bo/defaults.h"

#define GP_SQRT5 2.23606797749979
#define GP_LOG_2PI 1.8378770664093453

struct gp {
    size_t dim;
    size_t n, cap;
    double *X;        /* cap x dim */
    double *y;        /* cap, standardised */
    double ymean, ystd;
    double *theta;    /* dim + 3: log ls, log sv, log noise, c */
    int have_theta;   /* theta came from a fit (warm start available) */
    double jitter;    /* added to the diagonal of the current factor */
    double *L;        /* cap x cap, lower triangle: chol(K + (noise+jitter) I) */
    double *alpha;    /* cap: K^-1 (y - c) */
    double *inv_ls2;  /* dim: 1 / l_k^2 of theta */
};

static void gp_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void gp_options_default(gp_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->noise_floor = GP_DEFAULT_NOISE_FLOOR;
    opt->n_restarts = GP_DEFAULT_RESTARTS;
    opt->seed = 0;
    opt->optimize = 1;
    opt->maxeval = 0;
    opt->max_fit_points = 0;
}

/* ---- hyperparameter layout and priors ---- */

static size_t gp_n_theta(size_t dim) { return dim + 3; }

static double gp_ls_prior_mean(size_t dim)
{
    /* mode of LogNormal(mu, s) in l: exp(mu - s^2) */
    return GP_LS_PRIOR_LOC_BASE + 0.5 * log((double)dim) - GP_LS_PRIOR_SCALE * GP_LS_PRIOR_SCALE;
}

static void gp_prior_of(size_t dim, size_t j, double *mean, double *sd)
{
    if (j < dim) {
        *mean = gp_ls_prior_mean(dim);
        *sd = GP_LS_PRIOR_SCALE;
    } else if (j == dim) {
        *mean = GP_SV_PRIOR_MEAN;
        *sd = GP_SV_PRIOR_SD;
    } else if (j == dim + 1) {
        *mean = GP_NOISE_PRIOR_MEAN;
        *sd = GP_NOISE_PRIOR_SD;
    } else {
        *mean = 0;
        *sd = GP_MEAN_PRIOR_SD;
    }
}

static void gp_bounds(size_t dim, double noise_floor, double *lo, double *hi)
{
    for (size_t k = 0; k < dim; k++) {
        lo[k] = log(GP_LS_MIN);
        hi[k] = log(GP_LS_MAX);
    }
    lo[dim] = log(GP_SV_MIN);
    hi[dim] = log(GP_SV_MAX);
    lo[dim + 1] = log(noise_floor);
    hi[dim + 1] = log(GP_NOISE_MAX);
    if (hi[dim + 1] < lo[dim + 1]) hi[dim + 1] = lo[dim + 1];
    lo[dim + 2] = -GP_MEAN_BOUND;
    hi[dim + 2] = GP_MEAN_BOUND;
}

static void gp_clamp(size_t m, const double *lo, const double *hi, double *t)
{
    for (size_t j = 0; j < m; j++) {
        if (t[j] < lo[j]) t[j] = lo[j];
        if (t[j] > hi[j]) t[j] = hi[j];
    }
}

static void gp_prior_mode(size_t dim, double *t)
{
    for (size_t j = 0; j < gp_n_theta(dim); j++) {
        double m, s;
        gp_prior_of(dim, j, &m, &s);
        t[j] = m;
    }
}

/* ---- handle ---- */

gp *gp_new(size_t dim)
{
    if (dim == 0) return NULL;
    gp *g = calloc(1, sizeof(gp));
    if (!g) return NULL;
    g->dim = dim;
    g->ystd = 1;
    g->theta = malloc(gp_n_theta(dim) * sizeof(double));
    g->inv_ls2 = malloc(dim * sizeof(double));
    if (!g->theta || !g->inv_ls2) {
        gp_free(g);
        return NULL;
    }
    gp_prior_mode(dim, g->theta);
    for (size_t k = 0; k < dim; k++) g->inv_ls2[k] = exp(-2 * g->theta[k]);
    return g;
}

void gp_free(gp *g)
{
    if (!g) return;
    free(g->X);
    free(g->y);
    free(g->theta);
    free(g->L);
    free(g->alpha);
    free(g->inv_ls2);
    free(g);
}

size_t gp_dim(const gp *g) { return g->dim; }
size_t gp_n(const gp *g) { return g->n; }

/* Grows the buffers to hold cap points, keeping the first n (L re-strided). */
static int gp_reserve(gp *g, size_t cap)
{
    if (cap <= g->cap) return 0;
    double *X = realloc(g->X, cap * g->dim * sizeof(double));
    if (!X) return -1;
    g->X = X;
    double *y = realloc(g->y, cap * sizeof(double));
    if (!y) return -1;
    g->y = y;
    double *a = realloc(g->alpha, cap * sizeof(double));
    if (!a) return -1;
    g->alpha = a;
    double *L = malloc(cap * cap * sizeof(double));
    if (!L) return -1;
    for (size_t i = 0; i < g->n; i++)
        memcpy(L + i * cap, g->L + i * g->cap, (i + 1) * sizeof(double));
    free(g->L);
    g->L = L;
    g->cap = cap;
    return 0;
}

/* ---- kernel ---- */

/* Matern-5/2 of r (without sv) and the factor q(r) = 5/3 (1 + sqrt5 r) e^{-sqrt5 r},
 * so that dk/d log l_k = sv q (dx_k / l_k)^2 and dk/dx_k = -sv q dx_k / l_k^2. */
static inline double gp_m52(double r2, double *q)
{
    double r = sqrt(r2);
    double s = GP_SQRT5 * r;
    double e = exp(-s);
    if (q) *q = (5.0 / 3.0) * (1 + s) * e;
    return (1 + s + (5.0 / 3.0) * r2) * e;
}

static inline double gp_r2(const double *a, const double *b, const double *inv_ls2, size_t dim)
{
    double r2 = 0;
    for (size_t k = 0; k < dim; k++) {
        double d = a[k] - b[k];
        r2 += d * d * inv_ls2[k];
    }
    return r2;
}

/* ---- the MAP objective ---- */

typedef struct {
    size_t dim, n;
    const double *X;   /* n x dim */
    const double *y;   /* n, standardised */
    double *K;         /* n x n work: factor, then inverse */
    double *E;         /* n x n, strict lower triangle: sv * q(r_ij) */
    double *r;         /* n: y - c, then alpha */
    double *acc;       /* dim */
    double *inv_ls2;   /* dim */
    double *Z;         /* n x dim: centred inputs / length-scales */
    double *s;         /* n: |z_i|^2 */
    double *zmean;     /* dim */
    /* best point seen over all evaluations */
    double best_f;
    double *best_theta;
    size_t evals;
} gp_obj;

/* Fills K (lower) with the kernel matrix plus diagonal `diag`, E as above.
 * Row-wise writes only: this loop and the gradient's dominate a fit. */
static void gp_build(gp_obj *o, const double *theta, double diag)
{
    size_t n = o->n, dim = o->dim;
    double sv = exp(theta[dim]);
    for (size_t k = 0; k < dim; k++) o->inv_ls2[k] = exp(-2 * theta[k]);
    /* r_ij^2 = s_i + s_j - 2 z_i.z_j with z the centred, scaled inputs: one
     * BLAS dsyrk instead of n^2 d scalar operations. Centring keeps |z| and
     * hence the cancellation small (below 1e-9 relative to the kernel). */
    for (size_t k = 0; k < dim; k++) o->zmean[k] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < dim; k++) o->zmean[k] += o->X[i * dim + k];
    for (size_t k = 0; k < dim; k++) o->zmean[k] /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double ss = 0;
        for (size_t k = 0; k < dim; k++) {
            double z = (o->X[i * dim + k] - o->zmean[k]) * sqrt(o->inv_ls2[k]);
            o->Z[i * dim + k] = z;
            ss += z * z;
        }
        o->s[i] = ss;
    }
    gsl_matrix_const_view Zv = gsl_matrix_const_view_array(o->Z, n, dim);
    gsl_matrix_view Kv = gsl_matrix_view_array(o->K, n, n);
    int st = gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, &Zv.matrix, 0.0, &Kv.matrix);
    for (size_t i = 0; i < n; i++) {
        double *Ki = o->K + i * n, *Ei = o->E + i * n;
        const double *xi = o->X + i * dim;
        for (size_t j = 0; j < i; j++) {
            double q;
            double r2 = st == GSL_SUCCESS ? o->s[i] + o->s[j] - 2 * Ki[j]
                                          : gp_r2(xi, o->X + j * dim, o->inv_ls2, dim);
            if (r2 < 0) r2 = 0;
            Ki[j] = sv * gp_m52(r2, &q);
            Ei[j] = sv * q;
        }
        Ki[i] = sv + diag;
    }
}

/* Cholesky of the lower triangle of K in place; retries with growing jitter
 * (K rebuilt each time). Writes the jitter used; returns 0, or -1 on failure. */
static int gp_factor(gp_obj *o, const double *theta, double noise, double *jitter_out)
{
    size_t n = o->n;
    double sv = exp(theta[o->dim]);
    double jitter = 0;
    for (int t = 0; t <= GP_JITTER_TRIES; t++) {
        if (t > 0) jitter = sv * GP_JITTER_FIRST * pow(GP_JITTER_GROWTH, t - 1);
        gp_build(o, theta, noise + jitter);
        gsl_matrix_view Kv = gsl_matrix_view_array(o->K, n, n);
        if (gsl_linalg_cholesky_decomp1(&Kv.matrix) == GSL_SUCCESS) {
            if (jitter_out) *jitter_out = jitter;
            return 0;
        }
    }
    return -1;
}

static double gp_objective_eval(gp_obj *o, const double *theta, double *grad)
{
    size_t n = o->n, dim = o->dim, m = gp_n_theta(dim);
    double noise = exp(theta[dim + 1]);
    double c = theta[dim + 2];
    double f = 0;

    for (size_t j = 0; j < m; j++)
        if (!isfinite(theta[j])) return HUGE_VAL;
    double jitter = 0;
    if (gp_factor(o, theta, noise, &jitter) < 0) goto bad;

    gsl_matrix_view Kv = gsl_matrix_view_array(o->K, n, n);
    for (size_t i = 0; i < n; i++) o->r[i] = o->y[i] - c;
    gsl_vector_view rv = gsl_vector_view_array(o->r, n);
    if (gsl_linalg_cholesky_svx(&Kv.matrix, &rv.vector) != GSL_SUCCESS) goto bad;
    /* alpha = o->r now */
    double quad = 0, logdet = 0;
    for (size_t i = 0; i < n; i++) {
        quad += (o->y[i] - c) * o->r[i];
        logdet += log(o->K[i * n + i]);
    }
    f = 0.5 * quad + logdet + 0.5 * (double)n * GP_LOG_2PI;

    if (grad) {
        if (gsl_linalg_cholesky_invert(&Kv.matrix) != GSL_SUCCESS) goto bad;
        const double *a = o->r;
        double tr_w = 0, g_c = 0;
        for (size_t k = 0; k < dim; k++) o->acc[k] = 0;
        for (size_t i = 0; i < n; i++) {
            const double *xi = o->X + i * dim;
            const double *Ki = o->K + i * n, *Ei = o->E + i * n;
            double ai = a[i];
            for (size_t j = 0; j < i; j++) {
                double wq = (ai * a[j] - Ki[j]) * Ei[j];
                const double *xj = o->X + j * dim;
                for (size_t k = 0; k < dim; k++) {
                    double d = xi[k] - xj[k];
                    o->acc[k] += wq * d * d;
                }
            }
            tr_w += ai * ai - Ki[i];
            g_c += ai;
        }
        /* d f / d theta = -1/2 tr(W dK/dtheta), W = alpha alpha^T - K^-1.
         * For sv, dK/dlog sv = K - (noise + jitter) I, and tr(alpha alpha^T K)
         * = alpha^T (y - c), tr(K^-1 K) = n: no pass over the matrix. */
        double tr_wk = quad - (double)n;
        for (size_t k = 0; k < dim; k++) grad[k] = -o->acc[k] * o->inv_ls2[k];
        grad[dim] = -0.5 * (tr_wk - (noise + jitter) * tr_w);
        grad[dim + 1] = -0.5 * noise * tr_w;
        grad[dim + 2] = -g_c;
    }

    for (size_t j = 0; j < m; j++) {
        double pm, ps;
        gp_prior_of(dim, j, &pm, &ps);
        double z = (theta[j] - pm) / ps;
        f += 0.5 * z * z;
        if (grad) grad[j] += z / ps;
    }
    if (!isfinite(f)) goto bad;
    if (f < o->best_f) {
        o->best_f = f;
        memcpy(o->best_theta, theta, m * sizeof(double));
    }
    return f;
bad:
    if (grad)
        for (size_t j = 0; j < m; j++) grad[j] = 0;
    return HUGE_VAL;
}

static double gp_nlopt_f(unsigned m, const double *theta, double *grad, void *data)
{
    (void)m;
    gp_obj *o = data;
    o->evals++;
    return gp_objective_eval(o, theta, grad);
}

static void gp_obj_free(gp_obj *o)
{
    free(o->K);
    free(o->E);
    free(o->r);
    free(o->acc);
    free(o->inv_ls2);
    free(o->best_theta);
    free(o->Z);
    free(o->s);
    free(o->zmean);
}

static int gp_obj_init(gp_obj *o, size_t dim, const double *X, const double *y, size_t n)
{
    memset(o, 0, sizeof(*o));
    o->dim = dim;
    o->n = n;
    o->X = X;
    o->y = y;
    o->K = malloc(n * n * sizeof(double));
    o->E = malloc(n * n * sizeof(double));
    o->r = malloc(n * sizeof(double));
    o->acc = malloc(dim * sizeof(double));
    o->inv_ls2 = malloc(dim * sizeof(double));
    o->best_theta = malloc(gp_n_theta(dim) * sizeof(double));
    o->Z = malloc(n * dim * sizeof(double));
    o->s = malloc(n * sizeof(double));
    o->zmean = malloc(dim * sizeof(double));
    o->best_f = HUGE_VAL;
    if (!o->K || !o->E || !o->r || !o->acc || !o->inv_ls2 || !o->best_theta || !o->Z ||
        !o->s || !o->zmean) {
        gp_obj_free(o);
        return -1;
    }
    return 0;
}

/* ---- fitting ---- */

/* Factorises the stored data under g->theta into g->L and g->alpha. */
static int gp_refactor(gp *g, char *err, size_t err_len)
{
    size_t n = g->n, dim = g->dim;
    gp_obj o;
    if (gp_obj_init(&o, dim, g->X, g->y, n) != 0) {
        gp_errf(err, err_len, "gp: out of memory for %zu points", n);
        return -1;
    }
    double noise = exp(g->theta[dim + 1]);
    double jitter = 0;
    if (gp_factor(&o, g->theta, noise, &jitter) != 0) {
        gp_obj_free(&o);
        gp_errf(err, err_len, "gp: the kernel matrix is not positive definite even with jitter");
        return -1;
    }
    gsl_matrix_view Kv = gsl_matrix_view_array(o.K, n, n);
    double c = g->theta[dim + 2];
    for (size_t i = 0; i < n; i++) g->alpha[i] = g->y[i] - c;
    gsl_vector_view av = gsl_vector_view_array(g->alpha, n);
    int st = gsl_linalg_cholesky_svx(&Kv.matrix, &av.vector);
    if (st != GSL_SUCCESS) {
        gp_obj_free(&o);
        gp_errf(err, err_len, "gp: Cholesky solve failed: %s", gsl_strerror(st));
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(g->L + i * g->cap, o.K + i * n, (i + 1) * sizeof(double));
    g->jitter = jitter;
    for (size_t k = 0; k < dim; k++) g->inv_ls2[k] = exp(-2 * g->theta[k]);
    gp_obj_free(&o);
    return 0;
}

/* Runs L-BFGS from each start; the best value seen anywhere wins (so a
 * start that ends in a roundoff or failure status still counts). */
static int gp_optimize(gp *g, const gp_options *opt, char *err, size_t err_len)
{
    size_t dim = g->dim, m = gp_n_theta(dim);
    double *lo = malloc(m * sizeof(double));
    double *hi = malloc(m * sizeof(double));
    double *t = malloc(m * sizeof(double));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gp_obj o;
    int obj_ok = 0, rc = -1;
    nlopt_opt nl = nlopt_create(NLOPT_LD_LBFGS, (unsigned)m);
    /* Large n: the hyperparameters are fitted on a seeded random subset
     * (each evaluation is O(n^3)); the final factor uses every point. */
    size_t n = g->n, nf = n;
    double *Xs = NULL, *ys = NULL;
    size_t *idx = NULL;
    if (opt->max_fit_points && n > opt->max_fit_points) nf = opt->max_fit_points;
    if (!lo || !hi || !t || !rng || !nl) {
        gp_errf(err, err_len, "gp: out of memory for %zu points", g->n);
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)(opt->seed ^ (opt->seed >> 32)));
    if (nf < n) {
        Xs = malloc(nf * dim * sizeof(double));
        ys = malloc(nf * sizeof(double));
        idx = malloc(n * sizeof(size_t));
        if (!Xs || !ys || !idx) {
            gp_errf(err, err_len, "gp: out of memory for %zu points", g->n);
            goto done;
        }
        for (size_t i = 0; i < n; i++) idx[i] = i;
        for (size_t i = 0; i < nf; i++) { /* partial Fisher-Yates */
            size_t j = i + (size_t)gsl_rng_uniform_int(rng, (unsigned long)(n - i));
            size_t tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
            memcpy(Xs + i * dim, g->X + idx[i] * dim, dim * sizeof(double));
            ys[i] = g->y[idx[i]];
        }
    }
    obj_ok = gp_obj_init(&o, dim, Xs ? Xs : g->X, ys ? ys : g->y, nf) == 0;
    if (!obj_ok) {
        gp_errf(err, err_len, "gp: out of memory for %zu points", g->n);
        goto done;
    }
    gp_bounds(dim, opt->noise_floor, lo, hi);
    if (nlopt_set_lower_bounds(nl, lo) < 0 || nlopt_set_upper_bounds(nl, hi) < 0 ||
        nlopt_set_min_objective(nl, gp_nlopt_f, &o) < 0 ||
        nlopt_set_maxeval(nl, opt->maxeval ? (int)opt->maxeval : GP_MAXEVAL) < 0 ||
        nlopt_set_ftol_rel(nl, GP_FTOL_REL) < 0) {
        gp_errf(err, err_len, "gp: cannot configure NLopt");
        goto done;
    }

    size_t n_starts = (g->have_theta ? 1 : 0) + opt->n_restarts;
    if (n_starts == 0) n_starts = 1;
    for (size_t s = 0; s < n_starts; s++) {
        size_t kind = g->have_theta ? s : s + 1; /* 0 warm, 1 prior mode, 2+ random */
        if (kind == 0) {
            memcpy(t, g->theta, m * sizeof(double));
        } else {
            gp_prior_mode(dim, t);
            if (kind >= 2) {
                for (size_t j = 0; j < m; j++) {
                    double pm, ps;
                    gp_prior_of(dim, j, &pm, &ps);
                    t[j] = pm + ps * gsl_ran_gaussian_ziggurat(rng, 1.0);
                }
                t[dim + 2] = 0;
            }
        }
        gp_clamp(m, lo, hi, t);
        double f;
        nlopt_result r = nlopt_optimize(nl, t, &f);
        (void)r; /* any status: the best point seen is tracked in o */
    }
    if (!isfinite(o.best_f)) {
        gp_errf(err, err_len, "gp: no hyperparameters gave a positive definite kernel matrix");
        goto done;
    }
    memcpy(g->theta, o.best_theta, m * sizeof(double));
    g->have_theta = 1;
    rc = 0;
done:
    if (nl) nlopt_destroy(nl);
    if (obj_ok) gp_obj_free(&o);
    if (rng) gsl_rng_free(rng);
    free(Xs);
    free(ys);
    free(idx);
    free(lo);
    free(hi);
    free(t);
    return rc;
}

int gp_fit(gp *g, const double *X, const double *y, size_t n,
           const gp_options *opt, char *err, size_t err_len)
{
    gp_options dflt;
    if (!opt) {
        gp_options_default(&dflt);
        opt = &dflt;
    }
    if (!g || !X || !y || n == 0) {
        gp_errf(err, err_len, "gp: no data to fit");
        return -1;
    }
    if (!(opt->noise_floor > 0)) {
        gp_errf(err, err_len, "gp: noise floor must be positive");
        return -1;
    }
    size_t dim = g->dim;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            gp_errf(err, err_len, "gp: y[%zu] is not a finite number", i);
            return -1;
        }
        for (size_t k = 0; k < dim; k++)
            if (!isfinite(X[i * dim + k])) {
                gp_errf(err, err_len, "gp: X[%zu][%zu] is not a finite number", i, k);
                return -1;
            }
    }
    g->n = 0; /* the old factor is dropped, nothing to re-stride */
    if (gp_reserve(g, n + 8) != 0) {
        gp_errf(err, err_len, "gp: out of memory for %zu points", n);
        return -1;
    }
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) var += (y[i] - mean) * (y[i] - mean);
    double sd = n > 1 ? sqrt(var / (double)(n - 1)) : 0;
    if (!(sd > 1e-12 * fmax(1.0, fabs(mean)))) sd = 1; /* constant data */
    g->ymean = mean;
    g->ystd = sd;
    memcpy(g->X, X, n * dim * sizeof(double));
    for (size_t i = 0; i < n; i++) g->y[i] = (y[i] - mean) / sd;
    g->n = n;

    /* the noise floor may have changed since the warm start */
    if (g->theta[dim + 1] < log(opt->noise_floor)) g->theta[dim + 1] = log(opt->noise_floor);
    if (opt->optimize && n >= 2) {
        if (gp_optimize(g, opt, err, err_len) != 0) {
            g->n = 0;
            return -1;
        }
    }
    if (gp_refactor(g, err, err_len) != 0) {
        g->n = 0;
        return -1;
    }
    return 0;
}

int gp_add_observation(gp *g, const double *x, double y, char *err, size_t err_len)
{
    if (!g || !x || !isfinite(y)) {
        gp_errf(err, err_len, "gp: observation is missing or not finite");
        return -1;
    }
    size_t dim = g->dim, n = g->n;
    for (size_t k = 0; k < dim; k++)
        if (!isfinite(x[k])) {
            gp_errf(err, err_len, "gp: x[%zu] is not a finite number", k);
            return -1;
        }
    if (n == g->cap && gp_reserve(g, g->cap ? 2 * g->cap : 8) != 0) {
        gp_errf(err, err_len, "gp: out of memory");
        return -1;
    }
    double sv = exp(g->theta[dim]);
    double noise = exp(g->theta[dim + 1]);
    size_t cap = g->cap;
    double *row = g->L + n * cap;
    for (size_t i = 0; i < n; i++)
        row[i] = sv * gp_m52(gp_r2(x, g->X + i * dim, g->inv_ls2, dim), NULL);
    if (n > 0) {
        gsl_matrix_view Lv = gsl_matrix_view_array_with_tda(g->L, n, n, cap);
        gsl_vector_view rv = gsl_vector_view_array(row, n);
        if (gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &rv.vector) != GSL_SUCCESS) {
            gp_errf(err, err_len, "gp: triangular solve failed");
            return -1;
        }
    }
    double d2 = sv + noise + g->jitter;
    for (size_t i = 0; i < n; i++) d2 -= row[i] * row[i];
    /* Rounding can eat the noise of a point on top of an observed one. */
    double floor2 = 1e-12 * sv;
    if (!(d2 > floor2)) d2 = floor2;
    row[n] = sqrt(d2);
    memcpy(g->X + n * dim, x, dim * sizeof(double));
    g->y[n] = (y - g->ymean) / g->ystd;
    g->n = n + 1;

    double c = g->theta[dim + 2];
    for (size_t i = 0; i <= n; i++) g->alpha[i] = g->y[i] - c;
    gsl_matrix_view Lv = gsl_matrix_view_array_with_tda(g->L, n + 1, n + 1, cap);
    gsl_vector_view av = gsl_vector_view_array(g->alpha, n + 1);
    if (gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &av.vector) != GSL_SUCCESS ||
        gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Lv.matrix, &av.vector) != GSL_SUCCESS) {
        gp_errf(err, err_len, "gp: triangular solve failed");
        return -1;
    }
    return 0;
}

/* ---- prediction ---- */

void gp_predict(const gp *g, const double *x, double *mean, double *var,
                double *dmean, double *dvar)
{
    assert(g && x);
    size_t dim = g->dim, n = g->n;
    double sv = exp(g->theta[dim]);
    double c = g->theta[dim + 2];
    double mu = c, v = sv;
    if (dmean)
        for (size_t k = 0; k < dim; k++) dmean[k] = 0;
    if (dvar)
        for (size_t k = 0; k < dim; k++) dvar[k] = 0;
    double *kv = n ? malloc(2 * n * sizeof(double)) : NULL;
    if (n && kv) {
        double *q = kv + n;
        for (size_t i = 0; i < n; i++) {
            kv[i] = sv * gp_m52(gp_r2(x, g->X + i * dim, g->inv_ls2, dim), &q[i]);
            q[i] *= sv;
            mu += kv[i] * g->alpha[i];
        }
        if (dmean) {
            for (size_t i = 0; i < n; i++) {
                const double *xi = g->X + i * dim;
                double w = g->alpha[i] * q[i];
                for (size_t k = 0; k < dim; k++)
                    dmean[k] -= w * (x[k] - xi[k]) * g->inv_ls2[k];
            }
        }
        gsl_matrix_const_view Lv = gsl_matrix_const_view_array_with_tda(g->L, n, n, g->cap);
        gsl_vector_view kvv = gsl_vector_view_array(kv, n);
        if (gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &kvv.vector) == GSL_SUCCESS) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += kv[i] * kv[i];
            v = sv - s;
            if (dvar && gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Lv.matrix, &kvv.vector) == GSL_SUCCESS) {
                /* kv = K^-1 k; dvar = -2 (K^-1 k)^T dk/dx */
                for (size_t i = 0; i < n; i++) {
                    const double *xi = g->X + i * dim;
                    double w = kv[i] * q[i];
                    for (size_t k = 0; k < dim; k++)
                        dvar[k] += 2 * w * (x[k] - xi[k]) * g->inv_ls2[k];
                }
            }
        }
    } else if (n) {
        v = NAN; /* out of memory: no prediction */
        mu = NAN;
    }
    free(kv);
    if (v < 0) {
        v = 0;
        if (dvar)
            for (size_t k = 0; k < dim; k++) dvar[k] = 0;
    }
    double s2 = g->ystd * g->ystd;
    if (mean) *mean = g->ymean + g->ystd * mu;
    if (var) *var = v * s2;
    if (dmean)
        for (size_t k = 0; k < dim; k++) dmean[k] *= g->ystd;
    if (dvar)
        for (size_t k = 0; k < dim; k++) dvar[k] *= s2;
}

#define GP_BATCH_CHUNK 256

void gp_predict_batch(const gp *g, const double *X, size_t m, double *mean, double *var)
{
    assert(g && (m == 0 || X));
    size_t dim = g->dim, n = g->n;
    double sv = exp(g->theta[dim]);
    double c = g->theta[dim + 2];
    double s2 = g->ystd * g->ystd;
    if (n == 0) {
        for (size_t i = 0; i < m; i++) {
            if (mean) mean[i] = g->ymean + g->ystd * c;
            if (var) var[i] = sv * s2;
        }
        return;
    }
    size_t chunk = m < GP_BATCH_CHUNK ? m : GP_BATCH_CHUNK;
    double *Ks = malloc(chunk * n * sizeof(double));
    if (!Ks) { /* fall back to one point at a time */
        for (size_t i = 0; i < m; i++)
            gp_predict(g, X + i * dim, mean ? &mean[i] : NULL, var ? &var[i] : NULL, NULL, NULL);
        return;
    }
    for (size_t s = 0; s < m; s += chunk) {
        size_t b = m - s < chunk ? m - s : chunk;
        for (size_t i = 0; i < b; i++) {
            const double *x = X + (s + i) * dim;
            double mu = c;
            for (size_t j = 0; j < n; j++) {
                double kf = sv * gp_m52(gp_r2(x, g->X + j * dim, g->inv_ls2, dim), NULL);
                Ks[i * n + j] = kf;
                mu += kf * g->alpha[j];
            }
            if (mean) mean[s + i] = g->ymean + g->ystd * mu;
        }
        if (!var) continue;
        gsl_matrix_view Kv = gsl_matrix_view_array(Ks, b, n);
        gsl_matrix_const_view Lv = gsl_matrix_const_view_array_with_tda(g->L, n, n, g->cap);
        /* Ks <- Ks L^-T: row i becomes (L^-1 k_i)^T */
        int st = gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0,
                                &Lv.matrix, &Kv.matrix);
        for (size_t i = 0; i < b; i++) {
            double v = NAN;
            if (st == GSL_SUCCESS) {
                double ss = 0;
                for (size_t j = 0; j < n; j++) ss += Ks[i * n + j] * Ks[i * n + j];
                v = sv - ss;
                if (v < 0) v = 0;
            }
            var[s + i] = v * s2;
        }
    }
    free(Ks);
}

/* ---- accessors ---- */

void gp_lengthscales(const gp *g, double *out)
{
    assert(g && out);
    for (size_t k = 0; k < g->dim; k++) out[k] = exp(g->theta[k]);
}

double gp_signal_variance(const gp *g)
{
    return exp(g->theta[g->dim]) * g->ystd * g->ystd;
}

double gp_noise_variance(const gp *g)
{
    return exp(g->theta[g->dim + 1]) * g->ystd * g->ystd;
}

size_t gp_n_hyper(const gp *g)
{
    return gp_n_theta(g->dim);
}

void gp_get_hyper(const gp *g, double *theta)
{
    assert(g && theta);
    memcpy(theta, g->theta, gp_n_theta(g->dim) * sizeof(double));
}

int gp_set_hyper(gp *g, const double *theta, char *err, size_t err_len)
{
    assert(g && theta);
    size_t m = gp_n_theta(g->dim);
    for (size_t j = 0; j < m; j++)
        if (!isfinite(theta[j])) {
            gp_errf(err, err_len, "gp: hyperparameter %zu is not finite", j);
            return -1;
        }
    memcpy(g->theta, theta, m * sizeof(double));
    g->have_theta = 1;
    for (size_t k = 0; k < g->dim; k++) g->inv_ls2[k] = exp(-2 * theta[k]);
    if (g->n > 0) return gp_refactor(g, err, err_len);
    return 0;
}

int gp_neg_log_posterior(const gp *g, const double *theta, double *value, double *grad,
                         char *err, size_t err_len)
{
    assert(g && theta && value);
    if (g->n == 0) {
        gp_errf(err, err_len, "gp: not fitted");
        return -1;
    }
    gp_obj o;
    if (gp_obj_init(&o, g->dim, g->X, g->y, g->n) != 0) {
        gp_errf(err, err_len, "gp: out of memory");
        return -1;
    }
    *value = gp_objective_eval(&o, theta, grad);
    gp_obj_free(&o);
    if (!isfinite(*value)) {
        gp_errf(err, err_len, "gp: kernel matrix not positive definite at these hyperparameters");
        return -1;
    }
    return 0;
}
