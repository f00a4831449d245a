/*
 * gp.h - a Gaussian process regressor on the unit cube: constant mean,
 * Matern-5/2 ARD kernel, outputs standardised internally, learned noise with
 * a floor, hyperparameters by MAP (log-space priors) maximised with NLopt's
 * L-BFGS on analytic gradients from several starts, warm-started from the
 * previous fit of the same handle. Cholesky factor computed once per fit and
 * reused by every prediction.
 *
 * Predictions are in the units of the y given to gp_fit. gp_predict and
 * gp_predict_batch only read the handle, so several threads may predict from
 * one fitted GP at once.
 */
#ifndef BOGRAPH_BO_GP_H
#define BOGRAPH_BO_GP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double noise_floor;   /* lower bound of the noise variance, standardised units */
    size_t n_restarts;    /* random starts in addition to the warm start */
    uint64_t seed;        /* for the random starts */
    int optimize;         /* 0: keep the current hyperparameters, only refactor */
    size_t maxeval;       /* L-BFGS evaluations per start; 0 = default */
    size_t max_fit_points;/* > 0: fit hyperparameters on a seeded random subset
                           * of this many points when n is larger (the
                           * posterior still uses all); 0 = all points */
} gp_options;

/* Starts of the MAP optimisation: the handle's previous hyperparameters when
 * it was fitted before (warm start), then n_restarts more: the prior mode
 * first, then random draws from the prior. With no warm start and
 * n_restarts = 0 the prior mode is still tried. n < 2 skips optimisation.
 *
 * Cholesky failures are handled by jitter retries and reported as statuses;
 * the program must have switched GSL's abort handler off
 * (gsl_set_error_handler_off()) as docs/CONVENTIONS.md requires. */

void gp_options_default(gp_options *opt);

typedef struct gp gp;

gp *gp_new(size_t dim);
void gp_free(gp *g);
size_t gp_dim(const gp *g);
size_t gp_n(const gp *g);

/* Fits to n points: X row-major n x dim in [0,1]^dim, y finite. Needs n >= 1.
 * Returns 0, or -1 with a message (non-finite data, Cholesky failure after
 * jitter retries, optimiser failure with no usable hyperparameters). */
int gp_fit(gp *g, const double *X, const double *y, size_t n,
           const gp_options *opt, char *err, size_t err_len);

/* Adds one observation without re-optimising the hyperparameters (used for
 * fantasies of pending points); the standardisation stays that of the fit. */
int gp_add_observation(gp *g, const double *x, double y, char *err, size_t err_len);

/* Posterior mean and latent variance (no observation noise) at x; dmean and
 * dvar (dim each) receive their gradients with respect to x when not NULL. */
void gp_predict(const gp *g, const double *x, double *mean, double *var,
                double *dmean, double *dvar);
void gp_predict_batch(const gp *g, const double *X, size_t m, double *mean,
                      double *var);

/* Fitted hyperparameters: length-scales (dim, unit-cube units), signal
 * variance and noise variance in the units of y. */
void gp_lengthscales(const gp *g, double *out);
double gp_signal_variance(const gp *g);
double gp_noise_variance(const gp *g);

/* Hyperparameters in the optimiser's coordinates, gp_n_hyper() = dim + 3
 * numbers: log length-scales (dim), log signal variance, log noise variance
 * (both in standardised units), constant mean (standardised units). */
size_t gp_n_hyper(const gp *g);
void gp_get_hyper(const gp *g, double *theta);
/* Sets them (the next gp_fit warm-starts there) and refactors the data held. */
int gp_set_hyper(gp *g, const double *theta, char *err, size_t err_len);
/* The MAP objective -log p(y|theta) - log p(theta) on the data held, and its
 * gradient when grad is not NULL; for tests and diagnostics. */
int gp_neg_log_posterior(const gp *g, const double *theta, double *value, double *grad,
                         char *err, size_t err_len);

#endif
