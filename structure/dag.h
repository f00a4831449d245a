/*
 * dag.h - the graph over parameters, metrics and the objective, and
 * BoGraph's post-processing of a learnt one: edges between parameters
 * dropped, edges into a parameter or out of the objective reversed, cycles
 * broken at their weakest learnt edge, metrics that lead nowhere (sinks other
 * than the objective) or come from nowhere (no parents) pruned unless
 * protected (named by knowledge or a constraint), parameters left without
 * children wired straight to the objective (unless that edge is forbidden). Also topological order and the
 * groups of parameters d-separated from each other given the objective.
 */
#ifndef BOGRAPH_STRUCTURE_DAG_H
#define BOGRAPH_STRUCTURE_DAG_H

#include <stddef.h>

enum { DAG_PARAM = 0, DAG_METRIC = 1, DAG_OBJECTIVE = 2 };
enum { DAG_NONE = 0, DAG_LEARNED = 1, DAG_EXPERT = 2 };

typedef struct {
    size_t n;
    int *kind;                /* DAG_PARAM, DAG_METRIC, DAG_OBJECTIVE */
    unsigned char *alive;     /* node still in the graph */
    unsigned char *protect;   /* never pruned */
    double *w;                /* n x n edge weights */
    unsigned char *src;       /* n x n: DAG_NONE, DAG_LEARNED, DAG_EXPERT */
    unsigned char *forbid;    /* n x n: edges the expert forbade, never wired */
} dag;

/* n nodes, all alive metrics without edges; NULL when out of memory. */
dag *dag_new(size_t n);
void dag_free(dag *g);
dag *dag_clone(const dag *g);

void dag_set_edge(dag *g, size_t from, size_t to, double w, int src);
void dag_remove_edge(dag *g, size_t from, size_t to);
/* 1 when from -> to is an edge between alive nodes. */
int dag_has_edge(const dag *g, size_t from, size_t to);

/* Applies the rules above in that order. 0, or -1 with a message when the
 * result is still cyclic (cannot happen unless expert edges alone form a
 * cycle, which knowledge_validate refuses) or there is no objective. */
int dag_postprocess(dag *g, char *err, size_t err_len);

/* Alive nodes in topological order (parents first). Returns 0 and the count
 * in *n_order, or -1 when there is a cycle. */
int dag_topo_order(const dag *g, size_t *order, size_t *n_order);

/* Alive parents of v in index order; returns their number. */
size_t dag_parents(const dag *g, size_t v, size_t *out);

/* Parameters connected through metrics other than the objective share a
 * group; given the objective's parents' values, different groups act on
 * different metrics. group[v] is the group of parameter v (0-based) and -1
 * for other nodes. Returns the number of groups. */
size_t dag_param_groups(const dag *g, int *group);

/* Structural Hamming distance between the edge sets of two graphs over the
 * same nodes: additions + deletions + reversals (a reversal counts once). */
size_t dag_shd(const dag *a, const dag *b);

#endif
