/*
 * bograph_cv.h - cross-validation of a learnt graph against the plain GP
 * (internal to structure/bograph*.c).
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_CV_H
#define BOGRAPH_STRUCTURE_BOGRAPH_CV_H

#include "bo/gp.h"
#include "structure/bograph_request.h"
#include "structure/graph_state.h"
#include "structure/preprocess.h"

/* Sets gr->cv_graph, gr->cv_flat, gr->cv_weight and gr->cv_r2. slots (gr->N
 * GP handles of the graph's nodes) and flat_slot (the plain GP's), both
 * the caller's, may be NULL; with many trials both models are fitted on
 * every trial into them (see bograph_cv.c). 0, or -1 (out of memory or a
 * failed fit: treated as not useful). */
int bg_cross_validate(const bograph_request *req, const bg_data *d, bg_graph *gr,
                      const preprocess_metric *pm, const double *Z, gp **slots, gp **flat_slot);

#endif
