/*
 * bograph_current.h - the graph a bograph request uses, kept or relearnt
 * (internal to structure/bograph*.c).
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_CURRENT_H
#define BOGRAPH_STRUCTURE_BOGRAPH_CURRENT_H

#include <stddef.h>

#include "structure/bograph_request.h"
#include "structure/graph_state.h"
#include "structure/preprocess.h"

/* The graph to use for this request: the state's when current, else a new
 * one (stored in the state when there is one). *owned receives a graph the
 * caller must free (no state); *Z_out and *pm_out the metrics in the
 * graph's order (the caller frees them), pr the preprocessing (the caller
 * frees it). NULL with a reason when none can be had, and *hard_error set
 * with err on a hard error. */
bg_graph *bg_current_graph(const bograph_request *req, const bg_data *d, preprocess_result *pr,
                           bg_graph **owned, double **Z_out, preprocess_metric **pm_out,
                           char *reason, size_t reason_len, int *hard_error, char *err,
                           size_t err_len);

#endif
