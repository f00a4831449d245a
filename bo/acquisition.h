/*
 * acquisition.h - acquisition functions for maximisation, on a Gaussian
 * predictive distribution: LogEI, the logarithm of expected improvement,
 * computed stably far into the tail (Ament et al. 2023, "Unexpected
 * Improvements to Expected Improvement"), and UCB. Each returns the value
 * and its derivatives with respect to the predictive mean and standard
 * deviation, so callers chain them with the GP's gradients.
 */
#ifndef BOGRAPH_BO_ACQUISITION_H
#define BOGRAPH_BO_ACQUISITION_H

/* log E[max(f - best, 0)] for f ~ N(mean, sd^2), sd > 0. */
double acq_log_ei(double mean, double sd, double best, double *d_mean, double *d_sd);

/* mean + beta * sd. */
double acq_ucb(double mean, double sd, double beta, double *d_mean, double *d_sd);

/* log h(z) = log(phi(z) + z Phi(z)), the stable core of LogEI; exposed for
 * the Monte-Carlo and structured variants and for tests. */
double acq_log_h(double z, double *d_z);

#endif
