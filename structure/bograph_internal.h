/*
 * bograph_internal.h - what the files of the bograph algorithm share: the
 * learnt graph (bg_graph), the study's state, the request's data (bg_data)
 * and the bg_* functions one file defines and another calls. Not for callers
 * outside structure/bograph*.c: the public API is structure/bograph.h.
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_INTERNAL_H
#define BOGRAPH_STRUCTURE_BOGRAPH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bo/gp.h"
#include "bo/suggest.h"
#include "structure/bograph.h"
#include "structure/dag.h"
#include "structure/preprocess.h"

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
    double *cv_r2;             /* per node: held-out R^2 of metrics, NULL until checked */
} bg_graph;

struct bograph_state {
    bg_graph *graph;
    gp **gps;                  /* per node of graph, warm-started */
    bo_state *bo;              /* the fallback GP's state */
};

/* The request's data. */
typedef struct {
    size_t n, p, dim_u;
    double *U;                 /* n x dim_u encoded configurations */
    double *t;                 /* objective, maximisation units; NAN when unusable */
    unsigned char *use;        /* feasible, finite objective */
    size_t n_use;              /* rows usable */
    size_t n_with_metrics;     /* usable rows with at least one metric */
} bg_data;

/* bograph.c: small helpers and the state. */
void bg_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t bg_mix(uint64_t seed, uint64_t n);
int bg_name_index(char *const *names, size_t n, const char *s);
void bg_state_drop_gps(bograph_state *st);

/* bograph_request.c: request checking and the data. */
int bg_validate(const bograph_request *req, const double *out, char *err, size_t err_len);
int bg_data_build(const bograph_request *req, bg_data *d);
void bg_data_free(bg_data *d);
uint64_t bg_cons_fp(const bograph_request *req);
int bg_row_feasible(const bograph_request *req, size_t i);

/* bograph_current.c: the graph in use. */
bg_graph *bg_current_graph(const bograph_request *req, const bg_data *d, preprocess_result *pr,
                           bg_graph **owned, double **Z_out, preprocess_metric **pm_out,
                           char *reason, size_t reason_len, int *hard_error, char *err,
                           size_t err_len);

/* bograph_learn.c: structure learning. */
bg_graph *bg_learn(const bograph_request *req, const bg_data *d, const preprocess_result *pr,
                   char *err, size_t err_len);
void bg_graph_free(bg_graph *gr);

/* bograph_cv.c: cross-validation against the plain GP. */
int bg_cross_validate(const bograph_request *req, const bg_data *d, bg_graph *gr,
                      const preprocess_metric *pm, const double *Z);

/* bograph_export.c: the graph as the service shows it. */
int bg_export(const bg_graph *gr, const bograph_request *req, bograph_graph *out, char *err,
              size_t err_len);

#endif
