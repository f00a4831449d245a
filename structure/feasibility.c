/*
 * feasibility.c - the probability that a configuration can run, learnt
 * from the trials that could not (see feasibility.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_erf.h>

#include "bo/suggest.h"
#include "structure/defaults.h"
#include "structure/feasibility.h"

int feasibility_fit(feasibility *f, const double *U, const unsigned char *infeasible, size_t n,
                    size_t dim, uint64_t seed, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    f->dim = dim;
    size_t n_bad = 0;
    for (size_t i = 0; i < n; i++)
        n_bad += infeasible && infeasible[i];
    if (n_bad == 0 || n_bad == n)
        return 0;
    double *y = malloc(n * sizeof *y);
    f->g = gp_new(dim);
    if (!y || !f->g) {
        free(y);
        feasibility_free(f);
        if (err && err_len)
            snprintf(err, err_len, "feasibility: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = infeasible[i] ? -1.0 : 1.0;
    gp_options opt;
    gp_options_default(&opt);
    opt.n_restarts = bo_gp_restarts(n);
    opt.seed = seed;
    int rc = gp_fit(f->g, U, y, n, &opt, err, err_len);
    free(y);
    if (rc != 0)
        feasibility_free(f);
    return rc;
}

void feasibility_free(feasibility *f)
{
    gp_free(f->g);
    f->g = NULL;
}

double feasibility_log_prob(const feasibility *f, const double *u, double *grad)
{
    if (!f->g) {
        if (grad)
            memset(grad, 0, f->dim * sizeof *grad);
        return 0;
    }
    double mu, var;
    double *dmu = grad ? malloc(2 * f->dim * sizeof *dmu) : NULL;
    double *dvar = dmu ? dmu + f->dim : NULL;
    if (grad && !dmu) {
        memset(grad, 0, f->dim * sizeof *grad);
        grad = NULL;
    }
    gp_predict(f->g, u, &mu, &var, dmu, dvar);
    int floored = !(var > FEAS_VAR_FLOOR);
    if (floored)
        var = FEAS_VAR_FLOOR;
    double sd = sqrt(var), z = mu / sd;
    /* log Phi(z), stable far into the lower tail, then the floor. */
    double log_phi_cdf = gsl_sf_log_erfc(-z * M_SQRT1_2) - M_LN2;
    double prob = FEAS_EPS + (1 - FEAS_EPS) * exp(log_phi_cdf);
    double lp = log(prob);
    if (grad) {
        /* d lp / dz = (1 - eps) phi(z) / prob */
        double ratio = (1 - FEAS_EPS) * exp(-0.5 * z * z - 0.5 * log(2 * M_PI)) / prob;
        for (size_t k = 0; k < f->dim; k++) {
            double dz = dmu[k] / sd - (floored ? 0 : 0.5 * mu * dvar[k] / (var * sd));
            grad[k] = ratio * dz;
        }
    }
    free(dmu);
    return lp;
}
