/*
 * blend.h - the plain GP beside the graph model in one acquisition. The
 * graph and the plain GP each give the objective a predictive distribution;
 * their mixture, weighted by how well each predicted held-out trials
 * (stacking: the weight that maximises the mixture's held-out log density),
 * has an expected improvement that is the weighted sum of theirs. So a graph
 * that predicts about as well as the plain GP shares the decision with it
 * instead of a hard switch flipping between the two as trials arrive.
 * Internal to structure/bograph*.c.
 */
#ifndef BOGRAPH_STRUCTURE_BLEND_H
#define BOGRAPH_STRUCTURE_BLEND_H

#include <stddef.h>
#include <stdint.h>

#include "bo/gp.h"

/* The stacking weight of model a against model b: the w in [0,1] that
 * maximises sum_i log(w exp(la[i]) + (1 - w) exp(lb[i])), from the held-out
 * log densities la, lb of n trials (the sum is concave in w). 1 when n is 0. */
double blend_stacking_weight(const double *la, const double *lb, size_t n);

typedef struct {
    double w;          /* weight of the graph model; 1: the plain GP is not used */
    gp *g;             /* the plain GP on the objective (not owned) */
    double best;       /* incumbent, the units of the fit */
    size_t dim;
    double *dm, *dv;   /* scratch: gradients of the GP's mean and variance */
} blend;

/* Fits g (warm-started when fitted before) to the n rows of U (dim columns)
 * whose use[i] is set, with objective t (maximisation units), for weight w
 * and incumbent best. With w >= 1 nothing is fitted. 0, or -1 with a message. */
int blend_init(blend *b, gp *g, double w, double best, const double *U, const double *t,
               const unsigned char *use, size_t n, size_t dim, uint64_t seed, char *err,
               size_t err_len);
void blend_free(blend *b);

/* Whether the plain GP takes part (0 < w < 1 and fitted). */
int blend_active(const blend *b);

/* The mixture's log expected improvement at u from the graph's own lg (and,
 * when grad is not NULL, its gradient grad_g, dim values): the value, and
 * the mixture's gradient in grad. grad and grad_g may be the same array. */
double blend_log_acq(blend *b, const double *u, double lg, const double *grad_g, double *grad);

/* The same for m points of U, values holding the graph's lg on entry. */
void blend_log_acq_batch(blend *b, const double *U, size_t m, double *values);

/* A pending or batch point: the plain GP believes its own mean there, as the
 * graph model does (model_add_fantasy). 0, or -1 with a message. */
int blend_add_fantasy(blend *b, const double *u, char *err, size_t err_len);

#endif
