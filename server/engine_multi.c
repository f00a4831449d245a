/*
 * engine_multi.c - a study of several objectives through bo/suggest_multi.h:
 * the request built from the study's history, proposals and predictions.
 */
#include "server/engine_multi.h"

#include <stdlib.h>

#include "bo/suggest_multi.h"
#include "util/util.h"

static void multi_request(const study_def *sd, const engine_multi_data *md, const int *maximize,
                          bo_multi_request *req)
{
    bo_multi_request_init(req, sd->sp);
    req->n_objectives = sd->n_objectives;
    req->maximize = maximize;
    req->X = md->X;
    req->Y = md->Y;
    req->infeasible = md->infeasible;
    req->n_obs = md->n_obs;
    req->pending = md->pending;
    req->n_pending = md->n_pending;
}

int engine_multi_suggest(const study_def *sd, const engine_multi_data *md, size_t count,
                         uint64_t seed, bo_state *state, bo_explain *explain, bo_timing *timing,
                         double *out, char *err, size_t err_len)
{
    int maximize[STUDY_MAX_OBJECTIVES];
    for (size_t j = 0; j < sd->n_objectives; j++)
        maximize[j] = sd->maximizes[j];
    bo_multi_request req;
    multi_request(sd, md, maximize, &req);
    req.count = count;
    req.seed = seed;
    req.state = state;
    req.explain = explain;
    req.timing = timing;
    return bo_suggest_multi(&req, out, err, err_len);
}

int engine_multi_predict(const study_def *sd, const engine_multi_data *md,
                         const double *configs, size_t m, engine_prediction *out, char *err,
                         size_t err_len)
{
    int maximize[STUDY_MAX_OBJECTIVES];
    for (size_t j = 0; j < sd->n_objectives; j++)
        maximize[j] = sd->maximizes[j];
    bo_multi_request req;
    multi_request(sd, md, maximize, &req);
    req.seed = sd->seed;
    size_t k = sd->n_objectives;
    double *mean = malloc(2 * (m ? m : 1) * k * sizeof *mean);
    if (!mean)
        return util_err(err, err_len, "out of memory");
    double *sdv = mean + (m ? m : 1) * k;
    int rc = bo_predict_multi(&req, configs, m, mean, sdv, err, err_len);
    for (size_t i = 0; rc == 0 && i < m; i++) {
        for (size_t j = 0; j < k; j++) {
            out[i].obj_mean[j] = mean[i * k + j];
            out[i].obj_sd[j] = sdv[i * k + j];
        }
        out[i].mean = out[i].obj_mean[0];
        out[i].sd = out[i].obj_sd[0];
    }
    free(mean);
    return rc;
}
