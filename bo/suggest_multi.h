/*
 * suggest_multi.h - the engine's entry point for studies with several
 * objectives (2..4): a Sobol design first, then expected hypervolume
 * improvement on one GP per objective, or ParEGO (a random Chebyshev
 * scalarisation handed to the single-objective GP) where EHVI cannot be
 * computed. Same contract as bo_suggest: pure computation, valid and
 * distinct proposals, deterministic per seed.
 */
#ifndef BOGRAPH_BO_SUGGEST_MULTI_H
#define BOGRAPH_BO_SUGGEST_MULTI_H

#include <stddef.h>
#include <stdint.h>
#include "bo/space.h"
#include "bo/suggest.h"

/* Fewest and most objectives a multi-objective request may have. */
#define BO_MULTI_MIN_OBJECTIVES 2
#define BO_MULTI_MAX_OBJECTIVES 4

typedef struct {
    const space *sp;
    size_t n_objectives;          /* 2..4 */
    const int *maximize;          /* n_objectives flags */
    const double *X;              /* n_obs x space_size() raw configurations */
    const double *Y;              /* n_obs x n_objectives, row-major */
    const unsigned char *infeasible; /* NULL = none; infeasible rows: Y ignored, worse than all */
    size_t n_obs;
    const double *pending;        /* n_pending x space_size() */
    size_t n_pending;
    size_t count;
    uint64_t seed;
    size_t n_initial;             /* 0 = bo_default_n_initial */
    bo_state *state;              /* may be NULL */
    bo_explain *explain;          /* may be NULL; mean/sd = first objective's; acquisition = log EHVI */
    bo_timing *timing;            /* may be NULL */
} bo_multi_request;

void bo_multi_request_init(bo_multi_request *req, const space *sp);

/* Same contract as bo_suggest (valid, distinct, deterministic per seed): Sobol design for the
 * first n_initial, then EHVI (analytic for 2 objectives, Monte Carlo for 3-4) on one GP per
 * objective, pending points by kriging believer; ParEGO (random Chebyshev scalarisation)
 * where EHVI cannot be computed. */
int bo_suggest_multi(const bo_multi_request *req, double *out, char *err, size_t err_len);

/* Per-objective predictive mean and sd (m configs x n_objectives each), in the objectives'
 * own units. -1 with a message when fewer than 2 distinct configurations have a feasible
 * result, or on a bad configuration. */
int bo_predict_multi(const bo_multi_request *req, const double *configs, size_t m,
                     double *mean, double *sd, char *err, size_t err_len);

/* Objective j's data and plain GP, fitted as bo_suggest_multi fits them:
 * col (n_obs) receives the objective's column of Y, *dt its data (free with
 * bo_data_free), *g the GP kept in req->state for objective j or, without a
 * state, a new one also written to *owned (the caller frees it), and
 * *var_floor the smallest predictive variance to use. 0, or -1 with err. */
int bo_multi_fit_objective(const bo_multi_request *req, size_t j, double *col, bo_data *dt,
                           gp **g, gp **owned, double *var_floor, char *err, size_t err_len);

#endif
