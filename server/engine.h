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
 * endpoint.
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
} engine_info;

/* Proposes count configurations (count x space_size() raw values in out),
 * distinct from each other, from the active trials and from the n_extra
 * configurations in extra_pending (n_extra x space_size(), may be NULL when
 * 0: e.g. the default about to be leased alongside). ctx may be NULL; info
 * (may be NULL) says which model answered. */
int engine_suggest(const study_def *sd, const store_trials *trials,
                   const double *extra_pending, size_t n_extra, size_t count, uint64_t seed,
                   const engine_context *ctx, double *out, engine_info *info, char *err,
                   size_t err_len);

/* The BoGraph graph of the study's trials (they must carry their metrics)
 * and knowledge, for any algorithm: the graph in ctx->bograph when it is
 * current, else learnt now and kept there (bograph_structure). The caller
 * frees out with bograph_graph_free. */
int engine_structure(const study_def *sd, const store_trials *trials, const engine_context *ctx,
                     bograph_graph *out, char *err, size_t err_len);

#endif
