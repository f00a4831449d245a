/*
 * bograph_prune.h - parameter parents of a metric that must earn their
 * place: backward elimination by the leave-one-out error of a ridge
 * regression on the parents' features.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_PRUNE_H
#define BOGRAPH_STRUCTURE_BOGRAPH_PRUNE_H

#include <stddef.h>

#include "structure/dag.h"

/* A is n x D, standardised; its first n_feat columns are parameter
 * features (feat_param[a]: the parameter of column a), then one column per
 * metric (node p + j is column n_feat + j), then the objective. For metric
 * node `to` (column bcol), while dropping one of its learnt parameter
 * parents costs less than BG_PRUNE_GAIN of the held-out error (plus
 * BG_PRUNE_FLOOR, in standardised units), the cheapest is dropped from g.
 * Metric parents and expert edges always stay. 0, or -1 (out of memory). */
int bg_prune_param_parents(dag *g, const double *A, size_t n, size_t D, size_t n_feat,
                           const size_t *feat_param, size_t p, size_t to, size_t bcol);

#endif
