/*
 * blend.c - the plain GP beside the graph model in one acquisition: the
 * stacking weight from held-out densities, and the log expected improvement
 * of the two models' mixture (see blend.h).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/acquisition.h"
#include "bo/suggest.h"
#include "structure/blend.h"
#include "structure/graph_state.h"

/* d/dw of the stacking objective, with a[i], b[i] the two densities scaled
 * by a common factor per trial (which the derivative's sign ignores). */
static double blend_slope(const double *a, const double *b, size_t n, double w)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double mix = w * a[i] + (1 - w) * b[i];
        if (mix > 0)
            s += (a[i] - b[i]) / mix;
    }
    return s;
}

double blend_stacking_weight(const double *la, const double *lb, size_t n)
{
    if (n == 0)
        return 1;
    double *a = malloc(2 * n * sizeof *a);
    if (!a)
        return 1;
    double *b = a + n;
    for (size_t i = 0; i < n; i++) {
        double c = fmax(la[i], lb[i]);
        a[i] = isfinite(c) ? exp(la[i] - c) : 0;
        b[i] = isfinite(c) ? exp(lb[i] - c) : 0;
    }
    double w;
    if (blend_slope(a, b, n, 1) >= 0) {
        w = 1;
    } else if (blend_slope(a, b, n, 0) <= 0) {
        w = 0;
    } else {
        /* concave: the slope falls from positive to negative; bisect it */
        double lo = 0, hi = 1;
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (lo + hi);
            if (blend_slope(a, b, n, mid) > 0)
                lo = mid;
            else
                hi = mid;
        }
        w = 0.5 * (lo + hi);
    }
    free(a);
    return w;
}

int blend_init(blend *b, gp *g, double w, double best, const double *U, const double *t,
               const unsigned char *use, size_t n, size_t dim, uint64_t seed, char *err,
               size_t err_len)
{
    memset(b, 0, sizeof *b);
    b->w = w < 0 ? 0 : w > 1 ? 1 : w;
    b->best = best;
    b->dim = dim;
    if (b->w >= 1 || !g || !isfinite(best))
        return 0;
    double *Ut = malloc((n ? n : 1) * dim * sizeof *Ut), *yt = malloc((n ? n : 1) * sizeof *yt);
    b->dm = malloc(2 * dim * sizeof *b->dm);
    if (!Ut || !yt || !b->dm) {
        free(Ut);
        free(yt);
        blend_free(b);
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    b->dv = b->dm + dim;
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i] && isfinite(t[i])) {
            memcpy(Ut + nt * dim, U + i * dim, dim * sizeof *Ut);
            yt[nt++] = t[i];
        }
    gp_options opt;
    gp_options_default(&opt);
    opt.n_restarts = bo_gp_restarts(nt);
    opt.seed = seed;
    int rc = nt >= 2 ? gp_fit(g, Ut, yt, nt, &opt, err, err_len) : -1;
    free(Ut);
    free(yt);
    if (rc != 0) {
        blend_free(b);
        b->w = 1;
        if (nt < 2)
            bg_err(err, err_len, "too few trials for the plain GP");
        return -1;
    }
    b->g = g;
    return 0;
}

void blend_free(blend *b)
{
    free(b->dm);
    b->dm = b->dv = NULL;
    b->g = NULL;
}

int blend_active(const blend *b)
{
    return b->g && b->w > 0 && b->w < 1;
}

/* The plain GP's predictive sd from its latent variance, floored so that
 * LogEI stays defined at observed points. */
static double blend_sd(double var)
{
    return sqrt(var > 1e-18 ? var : 1e-18);
}

/* log(w e^lg + (1 - w) e^lf) and the graph's share of the sum. */
static double blend_mix(double w, double lg, double lf, double *share)
{
    double a = log(w) + lg, c = log1p(-w) + lf;
    double hi = fmax(a, c);
    if (!isfinite(hi)) {
        *share = w;
        return hi;
    }
    double ea = exp(a - hi), ec = exp(c - hi);
    *share = ea / (ea + ec);
    return hi + log(ea + ec);
}

double blend_log_acq(blend *b, const double *u, double lg, const double *grad_g, double *grad)
{
    if (!blend_active(b)) {
        if (grad && grad != grad_g)
            memcpy(grad, grad_g, b->dim * sizeof *grad);
        return lg;
    }
    double mean, var, share;
    gp_predict(b->g, u, &mean, &var, grad ? b->dm : NULL, grad ? b->dv : NULL);
    double sd = blend_sd(var);
    double d_mean, d_sd;
    double lf = acq_log_ei(mean, sd, b->best, &d_mean, &d_sd);
    double v = blend_mix(b->w, lg, lf, &share);
    if (grad)
        for (size_t k = 0; k < b->dim; k++) {
            double gf = d_mean * b->dm[k] + d_sd * b->dv[k] / (2 * sd);
            grad[k] = share * grad_g[k] + (1 - share) * gf;
        }
    return v;
}

void blend_log_acq_batch(blend *b, const double *U, size_t m, double *values)
{
    if (!blend_active(b) || m == 0)
        return;
    double *mean = malloc(2 * m * sizeof *mean);
    if (!mean) { /* one point at a time */
        for (size_t i = 0; i < m; i++)
            values[i] = blend_log_acq(b, U + i * b->dim, values[i], NULL, NULL);
        return;
    }
    double *var = mean + m;
    gp_predict_batch(b->g, U, m, mean, var);
    for (size_t i = 0; i < m; i++) {
        double share;
        double lf = acq_log_ei(mean[i], blend_sd(var[i]), b->best, NULL, NULL);
        values[i] = blend_mix(b->w, values[i], lf, &share);
    }
    free(mean);
}

int blend_add_fantasy(blend *b, const double *u, char *err, size_t err_len)
{
    if (!blend_active(b))
        return 0;
    double mean, var;
    gp_predict(b->g, u, &mean, &var, NULL, NULL);
    return gp_add_observation(b->g, u, mean, err, err_len);
}
