/*
 * bograph_types.h - the public types of the bograph API and the functions
 * on them (the request and its constraints, the study's state handle, the
 * graph as the service shows it). Callers include structure/bograph.h,
 * which includes this; the module's own files include this alone, so none
 * of them depends on the entry points in bograph.c.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_TYPES_H
#define BOGRAPH_STRUCTURE_BOGRAPH_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include "bo/space.h"
#include "bo/suggest.h"
#include "structure/constraint_op.h"
#include "structure/knowledge.h"

typedef struct {
    const char *metric;   /* a metric name (or the objective's name) */
    constraint_op op;     /* <=, <, >=, > (CONSTRAINT_OP_EQ is refused) */
    double value;
} bograph_constraint;

/* What the graph model expected of one proposal (bograph_request.explain). */
#define BOGRAPH_EXPLAIN_NODES 16
typedef struct {
    char name[96];
    double mean;                  /* predicted value, in the metric's own units */
    double sd;                    /* its spread over the model's samples, same units */
} bograph_node_value;

typedef struct {
    int from_model;               /* 1: the graph model's acquisition chose it (else the
                                   * fallback GP did: see base.explain) */
    double mean, sd;              /* the objective's prediction, in its own units */
    double acquisition;           /* the graph's acquisition there (log scale, with the
                                   * probability of running at all) */
    size_t n_nodes;               /* the metric nodes of the graph in use (at most
                                   * BOGRAPH_EXPLAIN_NODES) */
    bograph_node_value nodes[BOGRAPH_EXPLAIN_NODES];
} bograph_explain;

typedef struct bograph_state bograph_state;
bograph_state *bograph_state_new(void);
void bograph_state_free(bograph_state *st);

typedef struct {
    /* What the flat engine is asked too (bo/suggest.h): the space, the
     * direction, the finished trials (X, y, infeasible, n_obs), the ones
     * running elsewhere (pending, n_pending), count, seed, the acquisition
     * (BO_ACQ_LOGEI, the default, or BO_ACQ_UCB), n_initial (space-filling
     * points of the fallback GP; 0 = default) and the GP's options. The
     * fallback hands base to bo_suggest with algorithm BO_GP and the
     * state's own bo_state: base.algorithm and base.state are not read. */
    bo_request base;
    const char *objective_name;   /* node name of the objective */
    /* The metric table: n_obs x n_metrics, row-major, NAN = missing.
     * metric_names[j] names column j; a column named like the objective or a
     * parameter is ignored. May be empty (n_metrics 0): plain GP. */
    const char *const *metric_names;
    size_t n_metrics;
    const double *metrics;
    const knowledge *kn;          /* may be NULL */
    int kn_checked;               /* 1: the caller checked kn against this space and
                                   * objective (knowledge_validate) when it changed, so
                                   * the request does not check it again */
    const bograph_constraint *constraints;
    size_t n_constraints;
    size_t relearn_every;         /* relearn after this many new trials; 0 = adaptive:
                                   * max(2, trials the graph was learnt on / 5) */
    bograph_state *state;         /* may be NULL */
    /* Refinements (bograph_request_init sets the defaults). */
    size_t min_trials;            /* feasible trials with metrics before the graph; 0 = default */
    size_t max_metrics;           /* top-k metrics kept by preprocessing; 0 = default */
    /* Optional output (NULL: not wanted): explain[k] for proposal k when the
     * graph model chose it (count entries). Points the fallback GP chose are
     * explained in base.explain (when set), base.timing gets the time spent. */
    bograph_explain *explain;
} bograph_request;

/* Zeroes req and sets base.sp and the defaults (bo_request_init's, and
 * base.maximize 1). Call it, then fill the rest. */
void bograph_request_init(bograph_request *req, const space *sp);

/* ---- The graph, for GET /v1/studies/{id}/structure ---- */

typedef enum { BOGRAPH_NODE_PARAM, BOGRAPH_NODE_METRIC, BOGRAPH_NODE_OBJECTIVE } bograph_node_kind;
typedef enum { BOGRAPH_EDGE_LEARNED, BOGRAPH_EDGE_EXPERT } bograph_edge_source;

typedef struct {
    char *name;
    bograph_node_kind kind;
} bograph_node;

typedef struct {
    size_t from, to;              /* indices into nodes */
    double weight;                /* NOTEARS weight (standardised units); 1 for expert edges */
    bograph_edge_source source;
} bograph_edge;

typedef struct {
    bograph_node *nodes;
    size_t n_nodes;
    bograph_edge *edges;
    size_t n_edges;
    size_t learned_at_trial;      /* 0 when no graph has been learnt */
    char algorithm[16];           /* "notears" */
} bograph_graph;

void bograph_graph_free(bograph_graph *g);
const char *bograph_node_kind_name(bograph_node_kind k);      /* "param", "metric", "objective" */
const char *bograph_edge_source_name(bograph_edge_source s);  /* "learned", "expert" */

/* Copies the graph the state holds into out (the caller frees it with
 * bograph_graph_free). learned_at_trial 0 and no nodes when none yet. */
int bograph_state_graph(const bograph_state *st, bograph_graph *out,
                        char *err, size_t err_len);

#endif
