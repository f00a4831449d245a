/*
 * bograph_run.h - one call's fitted graph model (internal to
 * structure/bograph*.c): the request's data, the graph in use, the fitted
 * per-node model, the plain GP blended beside it and the feasibility
 * classifier. bograph.c builds it for one objective; bograph_multi.c builds
 * one per objective of a study of several.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_RUN_H
#define BOGRAPH_STRUCTURE_BOGRAPH_RUN_H

#include <stddef.h>

#include "bo/gp.h"
#include "structure/blend.h"
#include "structure/bograph_request.h"
#include "structure/bograph_types.h"
#include "structure/feasibility.h"
#include "structure/graph_state.h"
#include "structure/model.h"
#include "structure/preprocess.h"

/* Everything one call builds: the data, the graph in use and the fitted
 * model. */
typedef struct {
    bg_data d;
    preprocess_result pr;
    bg_graph *gr, *owned;
    double *Z;
    preprocess_metric *pm;
    model m;
    blend bl;
    feasibility feas;
    gp **local_gps;
    gp *local_flat;
} bg_run;

/* Builds the data, the graph and the fitted model for req (validated by
 * bg_validate). Returns 0 when the graph model is ready, 1 when the plain
 * GP must answer (reason says why), -1 on a hard error (err). In every
 * case the caller frees r with bg_run_free. */
int bg_prepare(const bograph_request *req, bg_run *r, char *reason, size_t reason_len,
               char *err, size_t err_len);
void bg_run_free(bg_run *r);

/* Metric node v of a prepared run as an explanation entry: its name, and
 * in raw units the mean vals[v] (model_predict_nodes' output) and the sd
 * over the base samples that call left in r->m.val. */
void bg_explain_node(const bg_run *r, size_t v, const double *vals, bograph_node_value *nv);

#endif
