/*
 * bograph_multi.h - the "bograph" algorithm on a study of several
 * objectives (2..4): one graph model per objective, each learnt by the
 * single-objective pipeline (preprocessing, NOTEARS with the expert
 * knowledge, held-out checks, the blend with the plain GP) with that
 * objective as the objective node and the same metric table, from which
 * every objective and every metric the knowledge puts downstream of this
 * objective are removed (they are outcomes, not mediators). The acquisition
 * is the expected hypervolume improvement over the per-objective
 * predictions (analytic for two objectives, Monte Carlo for three and
 * four), times the probability that the point runs and meets the
 * constraints. An objective whose graph does not answer (the reasons of
 * bograph.h) is predicted by its plain GP, fitted as bo_suggest_multi fits
 * it; when no objective's graph answers, bo_suggest_multi (the GP path)
 * makes the whole suggestion.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_MULTI_H
#define BOGRAPH_STRUCTURE_BOGRAPH_MULTI_H

#include <stddef.h>

#include "bo/suggest_multi.h"
#include "structure/bograph.h"

typedef struct {
    /* As for one objective (bograph_request): the space, X, infeasible,
     * n_obs, pending, count, seed, n_initial, the metric table (which may
     * hold the objectives' own columns), kn (checked here per objective,
     * whatever kn_checked says), constraints, relearn_every, min_trials,
     * max_metrics and state (the study's; each objective keeps its own graph
     * inside it). one.base.y, one.base.maximize and one.objective_name are
     * not read. Optional outputs: one.explain[k] (when the models chose
     * proposal k: the first objective's prediction in its own units, the
     * log EHVI, the metric nodes of the graphs), one.base.explain[k] (the
     * same prediction and value; the GP path's explanation for points it
     * chose), one.base.timing. */
    bograph_request one;
    size_t n_objectives;              /* BO_MULTI_MIN_OBJECTIVES..BO_MULTI_MAX_OBJECTIVES */
    const char *const *objectives;    /* their names (metric names of the trials) */
    const int *maximize;              /* per objective */
    const double *Y;                  /* n_obs x n_objectives, ignored for infeasible rows */
} bograph_multi_request;

typedef struct {
    char model[32];                   /* BOGRAPH_MODEL_GRAPH when some objective's graph
                                       * answered, else BOGRAPH_MODEL_GP */
    size_t n_graph;                   /* objectives whose graph answered */
    unsigned char graph[BO_MULTI_MAX_OBJECTIVES]; /* per objective: 1 when its graph did */
    char reason[160];                 /* for "gp": why no graph answered */
} bograph_multi_info;

/* Zeroes req and sets one with bograph_request_init. */
void bograph_multi_request_init(bograph_multi_request *req, const space *sp);

/* count proposals (count x space_size() raw values) into out: valid,
 * distinct from each other, from the pending and (where the space allows)
 * from the observed ones, deterministic per request, seed and state. info
 * may be NULL. 0, or -1 with a message for a bad request. */
int bograph_suggest_multi(const bograph_multi_request *req, double *out,
                          bograph_multi_info *info, char *err, size_t err_len);

#endif
