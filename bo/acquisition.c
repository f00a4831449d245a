/*
 * acquisition.c - LogEI and UCB on a Gaussian predictive distribution.
 *
 * EI(mean, sd) = sd * h(z), z = (mean - best) / sd, h(z) = phi(z) + z Phi(z).
 * Naive EI underflows to 0 for z below about -38 and loses all relative
 * precision well before, so its gradient vanishes where most of the search
 * space lives. LogEI (Ament et al. 2023) computes log h(z) directly:
 *   z > -1:        log(phi(z) + z Phi(z)), no cancellation to fear;
 *   z <= -1:       h(z) = phi(z) (1 - R(z)), R = |z| sqrt(pi/2) erfcx(|z|/sqrt2),
 *                  so log h = -z^2/2 - log(2 pi)/2 + log(1 - R);
 *   |z| >= 12:     1 - R from the asymptotic series of erfcx,
 *                  1/z^2 - 3/z^4 + 15/z^6 - ..., which has no cancellation;
 *   |z| >= 1e8:    log(1 - R) = -2 log|z| to double precision.
 * d log h / dz = Phi(z) / h(z) = R / (|z| (1 - R)) for z <= -1.
 */
#include "bo/acquisition.h"

#include <math.h>
#include <gsl/gsl_sf_erf.h>

#define ACQ_LOG_SQRT_2PI 0.9189385332046727  /* log(2 pi) / 2 */
#define ACQ_SQRT_PI_2 1.2533141373155003     /* sqrt(pi / 2) */
#define ACQ_INV_SQRT2 0.7071067811865476
#define ACQ_SERIES_Z 12.0
#define ACQ_ASYMPTOTIC_Z 1e8
/* Below this z the value is -inf in double precision anyway (z^2 overflows). */
#define ACQ_MIN_Z -1e150

static double acq_phi(double z) { return exp(-0.5 * z * z - ACQ_LOG_SQRT_2PI); }
static double acq_Phi(double z) { return 0.5 * gsl_sf_erfc(-z * ACQ_INV_SQRT2); }

/* S = 1 - R(z) for z <= -12 from the asymptotic series in 1/z^2; the terms
 * shrink by (2k+1)/z^2 <= 1/5 until k ~ 70, far beyond where we stop. */
static double acq_one_minus_R_series(double z)
{
    double x = 1.0 / (z * z);
    double term = x, sum = 0;
    for (int k = 1; k < 40; k++) {
        sum += term;
        term *= -(2.0 * k + 1.0) * x;
        if (fabs(term) < 1e-17 * fabs(sum)) break;
    }
    return sum;
}

double acq_log_h(double z, double *d_z)
{
    if (isnan(z)) {
        if (d_z) *d_z = NAN;
        return NAN;
    }
    if (z > -1) {
        double Phi = acq_Phi(z);
        double h = acq_phi(z) + z * Phi;
        if (d_z) *d_z = Phi / h;
        return log(h);
    }
    if (z < ACQ_MIN_Z) z = ACQ_MIN_Z;
    double az = -z;
    double log_phi = -0.5 * z * z - ACQ_LOG_SQRT_2PI;
    double S, R;
    if (az >= ACQ_ASYMPTOTIC_Z) {
        if (d_z) *d_z = az + 2.0 / az;
        return log_phi - 2.0 * log(az);
    }
    if (az >= ACQ_SERIES_Z) {
        S = acq_one_minus_R_series(z);
        R = 1.0 - S;
    } else {
        double u = az * ACQ_INV_SQRT2;
        R = az * ACQ_SQRT_PI_2 * exp(u * u) * gsl_sf_erfc(u);
        S = 1.0 - R;
    }
    if (d_z) *d_z = R / (az * S);
    return log_phi + log(S);
}

double acq_log_ei(double mean, double sd, double best, double *d_mean, double *d_sd)
{
    if (!(sd > 0)) {
        /* no uncertainty: EI = max(mean - best, 0) */
        double imp = mean - best;
        if (d_sd) *d_sd = 0;
        if (imp > 0) {
            if (d_mean) *d_mean = 1.0 / imp;
            return log(imp);
        }
        if (d_mean) *d_mean = 0;
        return -INFINITY;
    }
    double z = (mean - best) / sd;
    double dz;
    double v = acq_log_h(z, &dz) + log(sd);
    if (d_mean) *d_mean = dz / sd;
    if (d_sd) *d_sd = (1.0 - z * dz) / sd;
    return v;
}

double acq_ucb(double mean, double sd, double beta, double *d_mean, double *d_sd)
{
    if (d_mean) *d_mean = 1.0;
    if (d_sd) *d_sd = beta;
    return mean + beta * sd;
}
