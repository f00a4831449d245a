/*
 * ehvi.h - expected hypervolume improvement (EHVI) of a prediction over a
 * Pareto front, every objective maximised (callers turn minimised ones
 * around). The region above the reference point that the front does not
 * dominate is cut once per front into disjoint boxes [lo, hi) (hi may be
 * infinite); the improvement of a point y is then
 *     HVI(y) = sum_b prod_j (min(y_j, hi_bj) - lo_bj)^+,
 * and for independent Gaussian objectives its expectation factorises per box
 * into E[(min(Y_j, hi) - lo)^+] = sd (h(z_lo) - h(z_hi)), h(z) = phi(z) + z Phi(z):
 * the exact formula of Emmerich et al. 2006 / Yang et al. 2019, computed in
 * log space with the stable log h of acquisition.h so it never underflows
 * to a flat 0. The Monte-Carlo estimate averages HVI over fixed draws
 * (quasi-random normals, or joint samples of a model whose objectives are
 * correlated).
 */
#ifndef BOGRAPH_BO_EHVI_H
#define BOGRAPH_BO_EHVI_H

#include <stddef.h>
#include <stdint.h>

/* Most objectives these functions take. */
#define EHVI_MAX_OBJECTIVES 8

typedef struct ehvi_boxes ehvi_boxes;

/* The boxes for front F (k x m, maximised; rows that are non-finite, not
 * above ref in every objective or dominated are ignored) and reference point
 * ref (m finite values). The non-dominated region is cut on the grid of the
 * front's coordinates in the first m - 1 objectives, with runs of equal
 * height merged along the first: k + 1 boxes for m = 2, at most (k + 1)^(m-1)
 * in general. NULL when out of memory or m is 0 or above
 * EHVI_MAX_OBJECTIVES. */
ehvi_boxes *ehvi_boxes_new(const double *F, size_t k, size_t m, const double *ref);
void ehvi_boxes_free(ehvi_boxes *b);
/* *boxes <- the boxes of a new front (the old ones freed); -1 (and *boxes
 * NULL) when out of memory. */
int ehvi_boxes_replace(ehvi_boxes **boxes, const double *front, size_t k, size_t m,
                       const double *ref);
size_t ehvi_boxes_count(const ehvi_boxes *b);
size_t ehvi_boxes_dim(const ehvi_boxes *b);

/* HVI(y): the hypervolume that adding y (m values) to the front adds. */
double ehvi_improvement(const ehvi_boxes *b, const double *y);

/* log EHVI for independent normal objectives N(mean_j, sd_j^2); sd_j = 0
 * means a certain value. -INFINITY when no improvement is possible. */
double ehvi_log_analytic(const ehvi_boxes *b, const double *mean, const double *sd);

/* EHVI estimated with standard normal draws z (n x m): the mean of
 * HVI(mean + sd * z_s). */
double ehvi_mc(const ehvi_boxes *b, const double *mean, const double *sd, const double *z,
               size_t n);

/* The mean of HVI over n joint samples Y (n x m) of a model's prediction. */
double ehvi_mc_samples(const ehvi_boxes *b, const double *Y, size_t n);

/* n fixed quasi-random standard normal draws (n x m) for ehvi_mc: a
 * scrambled Sobol sequence (seeded) through the inverse normal CDF.
 * 0, or -1 when out of memory or m > EHVI_MAX_OBJECTIVES. */
int ehvi_normal_draws(size_t m, size_t n, uint64_t seed, double *z);

#endif
