/*
 * feasibility.h - the probability that a configuration can run at all, for
 * the graph model. Trials that could not run (infeasible: a plan that does
 * not fit, an invalid combination) report no metrics, so no node of the
 * graph learns from them; without this factor the graph model proposed the
 * same impossible region again and again. A GP is fitted to +1 (ran) and
 * -1 (could not run) over the encoded configurations, and the probability
 * of running at u is Phi(mean / sd) (GP regression on the labels, a common
 * stand-in for GP classification), floored at 1e-3 so that a region is
 * never ruled out for good. Its log, with its gradient, is added to the log
 * acquisition.
 */
#ifndef BOGRAPH_STRUCTURE_FEASIBILITY_H
#define BOGRAPH_STRUCTURE_FEASIBILITY_H

#include <stddef.h>
#include <stdint.h>

#include "bo/gp.h"

typedef struct {
    gp *g;          /* NULL: every trial ran, the factor is 1 */
    size_t dim;
} feasibility;

/* Fits the model to n trials (U: n x dim encoded configurations;
 * infeasible[i] != 0 for a trial that could not run). Without both kinds of
 * trial there is nothing to learn and f->g stays NULL. 0, or -1 with a
 * message. */
int feasibility_fit(feasibility *f, const double *U, const unsigned char *infeasible, size_t n,
                    size_t dim, uint64_t seed, char *err, size_t err_len);
void feasibility_free(feasibility *f);

/* log P(the configuration runs) at u, and its gradient (dim) when grad is
 * not NULL. 0 when f->g is NULL. */
double feasibility_log_prob(const feasibility *f, const double *u, double *grad);

#endif
