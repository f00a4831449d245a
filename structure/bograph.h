/*
 * bograph.h - the structured optimiser (algorithm "bograph"), the entry point
 * the service calls. From the finished trials' metrics it selects and
 * standardises metrics, learns a DAG parameters -> metrics -> objective with
 * NOTEARS under the expert knowledge, fits one GP per non-parameter node over
 * its parents only (a parametric node: the expert formula plus a GP on the
 * residual), propagates fixed base samples through the DAG to get the
 * objective's distribution, and maximises a Monte-Carlo LogEI (or UCB) of it,
 * times the probability of meeting the constraints on metric nodes.
 *
 * Fallback: before min_trials finished trials carry metrics (default: the
 * GP's space-filling design size, at least 10), when the trials report no
 * metrics but the objective, when preprocessing keeps no metric, when no
 * metric ends up between the parameters and the objective, when the
 * parameters predict no metric on held-out trials, when the graph predicts
 * held-out objectives clearly worse than the plain GP (5-fold
 * cross-validation, once per learnt graph; a graph learnt on fewer than
 * twice min_trials must do at least as well), or when learning or fitting
 * fails, the suggestion comes from the plain GP (bo_suggest, BO_GP, sharing
 * the state's warm start) and info->model says "gp" with the reason in
 * info->reason.
 *
 * The learned graph is kept in a bograph_state, one per study, carried
 * between calls; it is relearnt every relearn_every new trials (by default
 * often while the graph is young: max(2, n/5) after learning on n trials),
 * and when the knowledge or the constraints change (by content:
 * knowledge_fingerprint, so a handle rebuilt per call is fine). Without a
 * state (NULL) every call learns afresh. A state is used by one thread at a
 * time: the caller serialises calls of one study. Constraints naming a
 * metric no trial has reported yet are ignored until one does.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_H
#define BOGRAPH_STRUCTURE_BOGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "bo/space.h"
#include "bo/suggest.h"
#include "structure/bograph_types.h"

/* bograph_info.model: the graph model answered, or the plain GP (fallback). */
#define BOGRAPH_MODEL_GRAPH "bograph"
#define BOGRAPH_MODEL_GP "gp"

typedef struct {
    char model[32];               /* BOGRAPH_MODEL_GRAPH or BOGRAPH_MODEL_GP */
    size_t learned_at_trial;      /* n_obs when the graph in use was learnt; 0 for "gp" */
    char reason[128];             /* why the fallback, "" for "bograph" */
} bograph_info;

/* Writes count x space_size() raw configurations to out, each valid and
 * distinct from each other, from the pending ones and (where the space
 * allows) from the observed ones. info may be NULL. Deterministic for a given
 * request, seed and state. 0, or -1 with a message for a bad request (a
 * constraint with an unknown operator or a non-finite value, knowledge with
 * an edge into a parameter or out of the objective, missing arrays, ...).
 * Knowledge naming metrics no trial has reported is not an error: those
 * entries wait until the metric appears. */
int bograph_suggest(const bograph_request *req, double *out, bograph_info *info,
                    char *err, size_t err_len);

/* The graph model's predictive mean and standard deviation of the
 * objective (in its own units) at m configurations (m x space_size() raw
 * values), for diagnostics and tests. -1 with a message when the request
 * would fall back to the plain GP (no graph model) or on a bad argument. */
int bograph_predict(const bograph_request *req, const double *configs, size_t m,
                    double *mean, double *sd, char *err, size_t err_len);

/* What the graph model expects at m configurations (m x space_size() raw
 * values): out[i] as bograph_suggest's explanation of a proposal there
 * (the objective's mean and sd, the acquisition, the metric nodes). -1
 * with a message "no graph model: <reason>" when the request would fall
 * back to the plain GP, or on a bad argument. */
int bograph_explain_at(const bograph_request *req, const double *configs, size_t m,
                       bograph_explain *out, char *err, size_t err_len);

/* The graph for a request without suggesting: the state's graph when it is
 * current, else learnt now (and stored in req->state when there is one).
 * With too few trials with metrics, the nodes are the parameters and the
 * objective, the edges the expert ones, learned_at_trial 0. */
int bograph_structure(const bograph_request *req, bograph_graph *out,
                      char *err, size_t err_len);

#endif
