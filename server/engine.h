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
 * study's algorithm: random, sobol and gp through bo_suggest; `bograph` is
 * where the structured (BoGraph) model plugs in, see engine_bograph in
 * engine.c; until it exists it runs the plain GP.
 */
#ifndef BOGRAPH_SERVER_ENGINE_H
#define BOGRAPH_SERVER_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "bo/suggest.h"
#include "server/store.h"
#include "server/study.h"

/* 1 when the algorithm needs each trial's metrics (the trials x metrics
 * table), so the caller loads them with the trials. */
int engine_needs_metrics(const study_def *sd);

/* Proposes count configurations (count x space_size() raw values in out),
 * distinct from each other and from the active trials. state is the study's
 * model state (may be NULL), used under the caller's per-study lock. */
int engine_suggest(const study_def *sd, const store_trials *trials, size_t count, uint64_t seed,
                   bo_state *state, double *out, char *err, size_t err_len);
/* The same, with n_extra more pending configurations (n_extra x
 * space_size()) that are about to be leased alongside (e.g. the default). */
int engine_suggest_with(const study_def *sd, const store_trials *trials,
                        const double *extra_pending, size_t n_extra, size_t count,
                        uint64_t seed, bo_state *state, double *out, char *err, size_t err_len);

#endif
