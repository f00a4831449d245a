/*
 * suggest.h - the engine's entry point: given the search space, the finished
 * trials and the pending ones, propose `count` new configurations with one
 * of the flat algorithms (random, sobol, gp). Pending points are handled by
 * fantasies (kriging believer), so a batch is distinct and spread out.
 * Pure computation: the caller (server/) loads and stores the trials.
 */
#ifndef BOGRAPH_BO_SUGGEST_H
#define BOGRAPH_BO_SUGGEST_H

#include <stddef.h>
#include <stdint.h>
#include "bo/gp.h"
#include "bo/space.h"

typedef enum { BO_RANDOM, BO_SOBOL, BO_GP } bo_algorithm;
typedef enum { BO_ACQ_LOGEI, BO_ACQ_UCB } bo_acquisition;

/* Model state carried between calls of one study (warm-started GP
 * hyperparameters). Optional; one per study, not shared between threads. */
typedef struct bo_state bo_state;
bo_state *bo_state_new(void);
void bo_state_free(bo_state *st);
/* The study's GP of objective `slot` for bo_suggest_multi (separate from
 * bo_suggest's), created anew when absent or of another dimension; owned by
 * the state. NULL when st is NULL, slot >= BO_STATE_OBJECTIVES or out of memory. */
#define BO_STATE_OBJECTIVES 4
gp *bo_state_objective_gp(bo_state *st, size_t slot, size_t dim);

/* What the model expected of one proposal (bo_request.explain). */
typedef struct {
    int from_model;             /* 1: the GP's acquisition chose it; 0: a space-filling or
                                 * random point (the other fields are then 0) */
    int sobol;                  /* 1: a point of the Sobol design the GP starts with */
    double mean, sd;            /* the GP's prediction of the objective, in its own units */
    double acquisition;         /* the acquisition there (log EI or UCB, the model's scale) */
} bo_explain;

/* Where a suggestion's time went (bo_request.timing); bo_suggest adds to it. */
typedef struct {
    double fit_seconds;         /* fitting the model */
    double acq_seconds;         /* maximising the acquisition */
} bo_timing;

typedef struct {
    const space *sp;
    bo_algorithm algorithm;
    bo_acquisition acquisition;
    int maximize;               /* 1: larger objective is better */
    /* Finished trials: X is n_obs x space_size() raw configurations, y their
     * objective. infeasible[i] != 0 marks a configuration that could not run:
     * it counts as worse than every feasible result (y[i] is ignored). NULL
     * means none is infeasible. */
    const double *X;
    const double *y;
    const unsigned char *infeasible;
    size_t n_obs;
    /* Configurations running elsewhere (n_pending x space_size()). */
    const double *pending;
    size_t n_pending;
    size_t count;               /* how many to propose */
    uint64_t seed;
    size_t n_initial;           /* space-filling points before the GP; 0 = default */
    bo_state *state;            /* may be NULL */
    /* gp: 1 turns off the output warping (standardise + Yeo-Johnson with
     * the lambda of maximum likelihood, as HEBO does) applied before the fit. */
    int no_output_warping;
    /* Optional outputs (NULL: not wanted): explain[k] for proposal k (count
     * entries, left untouched for points no model chose), and timing. */
    bo_explain *explain;
    bo_timing *timing;
} bo_request;

void bo_request_init(bo_request *req, const space *sp);

/* Writes count x space_size() raw configurations to out, each valid, distinct
 * from each other, from the pending ones and (where the space allows) from
 * the observed ones. Deterministic for a given request and seed. */
int bo_suggest(const bo_request *req, double *out, char *err, size_t err_len);

/* The GP's predictive mean and standard deviation of the objective (in
 * its own units: the output warping undone, sd by the delta method) at m
 * raw configurations, fitted as bo_suggest's gp would be (warm-started from
 * req->state). -1 with a message when fewer than 2 distinct configurations
 * have a feasible result, or on a bad configuration. */
int bo_predict(const bo_request *req, const double *configs, size_t m, double *mean, double *sd,
               char *err, size_t err_len);

/* The default number of space-filling points before the GP starts, for a
 * space with `dim` parameters: clamp(dim + 1, 5, 10) (bo/defaults.h). */
size_t bo_default_n_initial(size_t dim);

/* The output warping of the gp algorithm, in place: y is standardised,
 * then Yeo-Johnson transformed with the lambda (grid over [-2, 4]) that
 * maximises the Gaussian likelihood. Monotone increasing. Returns lambda,
 * or NAN (y left unchanged or only standardised) when n < 3 or y is constant. */
double bo_warp_outputs(double *y, size_t n);

/* Objectives so large that the fit would overflow (any finite |y[i]| above
 * BO_Y_EXTREME) are replaced, all of them, by sign(y) log1p(|y|): monotone,
 * so their order, the incumbent and "worse than every feasible" survive,
 * and every later sum and square is finite. Non-finite entries (rows left
 * out) stay as they are; otherwise y is left unchanged. Returns 1 when it
 * transformed. */
int bo_tame_outputs(double *y, size_t n);

/* Random restarts of the GP hyperparameter fit used for n observations. */
size_t bo_gp_restarts(size_t n);

/* The data the gp algorithm fits, from a request's trials: configurations
 * merged by equality (repeats averaged), encoded; the objective turned to
 * maximisation, tamed when extreme (bo_tame_outputs), infeasible trials
 * imputed BO_INFEASIBLE_MARGIN of the feasible range below the worst, then
 * warped (bo_warp_outputs) unless req->no_output_warping. Also the basis
 * of bo_suggest_multi's one GP per objective. */
typedef struct {
    size_t n;          /* distinct observed configurations */
    double *U;         /* n x dim encoded */
    double *y;         /* n */
    size_t n_feasible; /* feasible trials (not configurations) */
    double warp_mean, warp_sd, warp_lambda; /* the output warping (lambda NAN: none) */
    int tamed;         /* y was fitted as sign(y) log1p(|y|) (bo_tame_outputs) */
} bo_data;
/* 0, or -1 when out of memory. */
int bo_data_build(const bo_request *req, bo_data *dt);
void bo_data_free(bo_data *dt);
/* A GP prediction (mean m, latent variance var) on dt's fitted scale back in
 * the objective's own units (maximize: its direction), sd by the delta method. */
void bo_data_unwarp(const bo_data *dt, int maximize, double m, double var, double *mean,
                    double *sd);

/* The GP fit options of the gp algorithm for n distinct configurations:
 * restarts and evaluations that shrink as n grows, hyperparameters on a
 * subset beyond BO_GP_FIT_SUBSET points, random starts from seed and n. */
void bo_fit_options(uint64_t seed, size_t n, gp_options *o);

/* Parses "random", "sobol", "gp"; -1 when unknown. */
int bo_algorithm_parse(const char *name, bo_algorithm *out);
const char *bo_algorithm_name(bo_algorithm a);

#endif
