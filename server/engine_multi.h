/*
 * engine_multi.h - the engine for a study of several objectives (inside
 * server/, used by engine.c): gp studies propose through
 * bo_suggest_multi (expected hypervolume improvement on one GP per
 * objective; bograph studies go through structure/bograph_multi.h, which
 * falls back to it); every study of several predicts through
 * bo_predict_multi.
 */
#ifndef BOGRAPH_SERVER_ENGINE_MULTI_H
#define BOGRAPH_SERVER_ENGINE_MULTI_H

#include <stddef.h>
#include <stdint.h>

#include "bo/suggest.h"
#include "server/engine.h"
#include "server/study.h"

/* A study's history with its objectives: row i of Y (n_obs x
 * sd->n_objectives) holds observation i's objectives (ignored when
 * infeasible). All borrowed. */
typedef struct {
    const double *X, *Y;
    const unsigned char *infeasible;
    size_t n_obs;
    const double *pending;
    size_t n_pending;
} engine_multi_data;

/* count proposals in out through bo_suggest_multi; explain (count, may be
 * NULL) gets the first objective's prediction and the log EHVI. */
int engine_multi_suggest(const study_def *sd, const engine_multi_data *md, size_t count,
                         uint64_t seed, bo_state *state, bo_explain *explain, bo_timing *timing,
                         double *out, char *err, size_t err_len);

/* Each objective's mean and sd at m configurations (out[i].obj_mean/obj_sd;
 * mean and sd the first one's). -1 while too few trials. */
int engine_multi_predict(const study_def *sd, const engine_multi_data *md,
                         const double *configs, size_t m, engine_prediction *out, char *err,
                         size_t err_len);

#endif
