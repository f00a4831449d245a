/*
 * engine.h - the suggest path's one decision point: which algorithm proposes
 * a study's next configurations, fed from the store's trials.
 *
 * engine_suggest turns the study's trials into the engine's inputs:
 * completed trials are observations (one that misses a constraint counts as
 * infeasible, i.e. worse than every feasible result), infeasible trials are
 * infeasible observations, active trials are pending points, failed and
 * expired trials are left out (a failed run says nothing about the
 * configuration; an expired one may be proposed again). Then it runs the
 * study's algorithm: random, sobol and gp through bo_suggest; `bograph`
 * through bograph_suggest (structure/bograph.h), which learns the graph
 * parameters -> metrics -> objective from the trials' metrics and the
 * study's expert knowledge, and falls back to the plain GP when the graph
 * cannot help yet. engine_structure gives that graph for the structure
 * endpoint. A study of several objectives takes them from the trials'
 * metrics: random and sobol as for one; gp through the GP's expected
 * hypervolume improvement (engine_multi.h); bograph through one graph per
 * objective and the EHVI of their predictions (structure/bograph_multi.h;
 * model "bograph", or "gp" with the reason when no graph answers).
 */
#ifndef BOGRAPH_SERVER_ENGINE_H
#define BOGRAPH_SERVER_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "bo/suggest.h"
#include "store/store.h"
#include "server/study.h"
#include "structure/bograph.h"
#include "structure/knowledge.h"

/* 1 when the algorithm needs each trial's metrics (the trials x metrics
 * table), so the caller loads them with the trials. */
int engine_needs_metrics(const study_def *sd);

/* What a study's model carries between calls, all owned by the caller (the
 * registry entry) and used under its per-study lock. Any may be NULL. */
typedef struct {
    bo_state *bo;               /* the flat algorithms' state */
    bograph_state *bograph;     /* the BoGraph model's state (its graph) */
    const knowledge *kn;        /* the study's expert knowledge, checked against the
                                 * study (usecase_model_knowledge gives only such) */
} engine_context;

/* Which model produced a suggestion. */
typedef struct {
    char model[32];             /* "random", "sobol", "gp" or "bograph" */
    char reason[160];           /* why ("" when nothing to say): bograph's fallback reason */
    /* What the model expected of each point: n_explanation (= count) JSON
     * object texts, malloc'd, NULL for a point of an algorithm without a
     * model (random, sobol); engine_info_free releases them. */
    char **explanation;
    size_t n_explanation;
    /* Per point (n_explanation of them, or NULL): 1 when it is a point of
     * the Sobol design the GP starts with, so its trial's model is "sobol"
     * rather than the algorithm's. */
    unsigned char *sobol;
    double fit_seconds;         /* time fitting the model, 0 without one */
    double acq_seconds;         /* time maximising the acquisition */
} engine_info;

void engine_info_free(engine_info *info);

/* Replaces info's explanations by count ones of space-filling points that
 * stand in for a model that could not answer: no model, predicted null,
 * acquisition null, a note (docs/api.md). -1 when out of memory. */
int engine_explain_space_filling(engine_info *info, size_t count, char *err, size_t err_len);

/* Proposes count configurations (count x space_size() raw values in out),
 * distinct from each other, from the active trials and from the n_extra
 * configurations in extra_pending (n_extra x space_size(), may be NULL when
 * 0: e.g. the default about to be leased alongside). ctx may be NULL; info
 * (may be NULL) says which model answered. */
int engine_suggest(const study_def *sd, const store_trials *trials,
                   const double *extra_pending, size_t n_extra, size_t count, uint64_t seed,
                   const engine_context *ctx, double *out, engine_info *info, char *err,
                   size_t err_len);

/* A model's prediction at one configuration: the objective's mean and sd
 * (own units) and, for the graph model, its metric nodes' means; for a
 * study of several objectives each objective's mean and sd instead (mean
 * and sd are then the first one's). */
typedef struct {
    double mean, sd;
    double obj_mean[STUDY_MAX_OBJECTIVES], obj_sd[STUDY_MAX_OBJECTIVES];
    size_t n_nodes;
    bograph_node_value nodes[BOGRAPH_EXPLAIN_NODES];
} engine_prediction;

/* Predicts at m configurations (m x space_size() raw values) with the model
 * that would answer the study's next suggestion: the graph model for a
 * bograph study when it answers, else the GP (model says which: "bograph"
 * or "gp"). -1 with a message when no model can be fitted yet (too few
 * trials). */
int engine_predict(const study_def *sd, const store_trials *trials, const double *configs,
                   size_t m, const engine_context *ctx, engine_prediction *out, char *model,
                   size_t model_len, char *err, size_t err_len);

/* The BoGraph graph of the study's trials (they must carry their metrics)
 * and knowledge, for any algorithm: the graph in ctx->bograph when it is
 * current, else learnt now and kept there (bograph_structure). The caller
 * frees out with bograph_graph_free. */
int engine_structure(const study_def *sd, const store_trials *trials, const engine_context *ctx,
                     bograph_graph *out, char *err, size_t err_len);

#endif
