/*
 * graph_state.h - what the files of the bograph algorithm share, at the
 * bottom of them: the learnt graph (bg_graph), the study's state kept
 * between calls (struct bograph_state), and two small helpers (bg_err,
 * bg_name_index). Not for callers outside structure/bograph*.c: the public
 * API is structure/bograph.h.
 */
#ifndef BOGRAPH_STRUCTURE_GRAPH_STATE_H
#define BOGRAPH_STRUCTURE_GRAPH_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "bo/gp.h"
#include "bo/suggest.h"
#include "bo/suggest_multi.h"
#include "structure/bograph_types.h"
#include "structure/dag.h"

/* The learnt graph, by node names, as kept between calls. */
typedef struct {
    size_t p, k, N;            /* parameters, metrics, nodes (p + k + 1) */
    char **names;              /* N node names */
    dag *g;
    size_t learned_at;
    uint64_t kn_fp;
    uint64_t cons_fp;
    int wired_all;             /* every parameter is a parent of the objective */
    int checked;               /* cross-validated against the plain GP */
    int useful;                /* ... and predicted at least as well */
    double cv_graph, cv_flat;  /* mean held-out log predictive density */
    double cv_weight;          /* the graph's stacking weight against the plain GP (blend.h) */
    double *cv_r2;             /* per node: held-out R^2 of metrics, NULL until checked */
} bg_graph;

/* Frees gr (NULL is fine). */
void bg_graph_free(bg_graph *gr);

/* One per study (bograph_state_new, bograph_state_free in bograph_types.h). */
struct bograph_state {
    bg_graph *graph;
    gp **gps;                  /* per node of graph, warm-started */
    bo_state *bo;              /* the fallback GP's state */
    gp *flat;                  /* the plain GP blended with the graph, warm-started */
    /* A study of several objectives: each objective's own graph and GPs
     * (bograph_multi.c creates them when first needed). */
    struct bograph_state *objective[BO_MULTI_MAX_OBJECTIVES];
};

/* Frees the per-node GPs (the graph they belong to is about to change). */
void bg_state_drop_gps(bograph_state *st);

/* The state's graph is replaced by next: a node of next with the same name
 * and the same parents, in the same order, as a node of the current graph
 * keeps that node's GP (a warm start for its refit); the other GPs are
 * freed. Then next becomes the state's graph (the old one is freed). 0, or
 * -1 (out of memory: every GP dropped, next still installed). */
int bg_state_replace_graph(bograph_state *st, bg_graph *next);

/* Writes a message to err when it is not NULL (printf format). */
void bg_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Index of s among names[0..n) (NULL entries skipped), or -1. */
int bg_name_index(char *const *names, size_t n, const char *s);

#endif
