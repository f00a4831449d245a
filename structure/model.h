/*
 * model.h - the probabilistic graph model of BoGraph: one GP per
 * non-parameter node over its parents only (inputs: the encoded parameters
 * and the parent metrics scaled to [0,1]), a parametric node as its expert
 * formula plus a GP on the residual (BOAT), and the objective's distribution
 * at a configuration by propagating fixed base samples through the graph in
 * topological order. The acquisition is a Monte-Carlo LogEI: for each base
 * sample of the metrics, the objective's GP gives a Gaussian, whose EI is
 * computed in closed form through acq_log_h and averaged by log-sum-exp, so
 * the surface is smooth and deterministic; UCB uses the mixture's mean and
 * spread. Constraints on nodes multiply in their probability, per sample.
 */
#ifndef BOGRAPH_STRUCTURE_MODEL_H
#define BOGRAPH_STRUCTURE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "bo/gp.h"
#include "bo/space.h"
#include "bo/suggest.h"
#include "structure/constraint_op.h"
#include "structure/dag.h"
#include "structure/knowledge.h"
#include "structure/preprocess.h"

typedef struct {
    size_t node;        /* constrained node (metric or objective) */
    constraint_op op;   /* <=, <, >=, > */
    double threshold;   /* in the node's modelled units (z for metrics, maximisation units for the objective) */
    int never, always;  /* threshold outside what the transform can reach */
} model_constraint;

typedef struct {
    int kind;                 /* DAG_PARAM, DAG_METRIC, DAG_OBJECTIVE */
    size_t param;             /* parameter index, for DAG_PARAM */
    preprocess_metric pm;     /* transform, for DAG_METRIC (name not owned) */
    /* Non-parameter nodes: */
    size_t n_par, *par;       /* parents (node indices) */
    int metric_parents;       /* any parent that is not a parameter */
    size_t dim;               /* GP input dimension */
    gp *g;                    /* not owned: the caller keeps the handles */
    double *lo, *hi;          /* per parent: input scaling of metric parents */
    knowledge_formula *f;     /* owned; NULL when not parametric */
    size_t *fvar, n_fvar;     /* formula variable k -> node index */
    double *beta;             /* linear mean: intercept then dim slopes; NULL: none */
    double *lin_cov, *lin_xm; /* its slopes' posterior covariance, input centre */
    size_t *lin_act, n_act;   /* the inputs with a slope (the others' rows of lin_cov are 0) */
    double noise_sd;          /* observation noise, for sampling metric values */
    double zmin;              /* smallest observed value (invalid formula outputs) */
} model_node;

typedef struct {
    const space *sp;
    size_t p, dim_u;          /* parameters, encoded dimension */
    size_t n_nodes;
    model_node *nodes;
    size_t *order, n_order;   /* alive non-parameter nodes, topological */
    size_t obj;               /* objective node */
    double sign;              /* +1 maximise, -1 minimise (objective units -> maximisation) */
    size_t S;                 /* base samples */
    double *eps;              /* S x n_nodes standard normal draws */
    model_constraint *cons;
    size_t n_cons;
    bo_acquisition acq;
    double beta;
    double best;              /* incumbent, maximisation units */
    int sample_noise;         /* metric samples include their observation noise
                               * (model_init sets it; see there why) */
    int has_best;             /* some observed trial meets the constraints */
    int keep_hyper;           /* model_fit keeps the hyperparameters of node GPs
                               * fitted before and only refactors (0 by default) */
    /* scratch for batch evaluation */
    size_t chunk;
    double *val, *mean, *var, *in, *raw;
} model;

/* Builds the model's nodes from a post-processed graph g whose nodes are the
 * p parameters (0..p-1, in space order), the metrics pm[0..k) (p..p+k-1) and
 * the objective (p+k). gps[v] holds the GP handle of node v (created here
 * when NULL or of the wrong dimension; the caller frees them). kn may be
 * NULL; its models name nodes by names[]. 0, or -1 with a message. */
int model_init(model *m, const space *sp, const dag *g, const preprocess_metric *pm,
               size_t k, const char *const *names, const knowledge *kn, gp **gps,
               int maximize, size_t n_samples, uint64_t seed, char *err, size_t err_len);
void model_free(model *m);

/* Fits every node's GP (with m->keep_hyper, a GP fitted before keeps its
 * hyperparameters and is only refactored on the new rows). U: n x dim_u encoded configurations, Xraw: n x p raw
 * ones, Z: n x k standardised metrics (NAN missing), t: the objective in
 * maximisation units (NAN when unusable). 0, or -1 with a message. */
int model_fit(model *m, const double *U, const double *Xraw, const double *Z, const double *t,
              size_t n, uint64_t seed, char *err, size_t err_len);

/* Adds the constraint "node op value" (value in the node's raw units, the
 * objective's as reported). 0, or -1 (not a metric or objective node, out of
 * memory). */
int model_add_constraint(model *m, size_t node, constraint_op op, double value);

/* Acquisition value at m_pts encoded points (U: m_pts x dim_u). */
void model_acq_batch(model *m, const double *U, size_t m_pts, double *values);
double model_acq(model *m, const double *u);
/* The same value at one point with its gradient (dim_u), by forward-mode
 * differentiation through the graph; only when model_has_gradient (no
 * parametric node: formulas are evaluated, not differentiated). */
int model_has_gradient(const model *m);
double model_acq_grad(model *m, const double *u, double *grad);

/* The objective's predictive mean and variance (maximisation units: the
 * mixture over the base samples, as UCB uses it) at m_pts encoded points,
 * and, when log_cons is not NULL, the log probability of meeting the
 * constraints on nodes (0 without constraints). */
void model_moments_batch(model *m, const double *U, size_t m_pts, double *mean, double *var,
                         double *log_cons);

/* Mean over the base samples of every node's value at u (metrics in z,
 * the objective in maximisation units; NAN for parameters), and when
 * obj_mean and obj_var are not NULL the objective's predictive mean and
 * variance there (as model_moments_batch gives them), from the same pass. */
void model_predict_nodes(model *m, const double *u, double *out, double *obj_mean,
                         double *obj_var);

/* Predicted mean of every node at u, propagated through the graph, and
 * added to each node's GP as an observation at that mean (kriging
 * believer), for pending points and points of a batch. Also returns the
 * objective's mean in *obj_mean (maximisation units) when not NULL. */
int model_add_fantasy(model *m, const double *u, double *obj_mean, char *err, size_t err_len);

#endif
