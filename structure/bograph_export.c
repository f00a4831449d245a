/*
 * bograph_export.c - the graph as the service shows it: the names of node
 * and edge kinds, the learnt graph (or, before one, the parameters, the
 * objective and the expert edges) as a bograph_graph, the state's graph,
 * and freeing a bograph_graph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structure/bograph_export.h"
#include "structure/dag.h"
#include "structure/knowledge.h"

const char *bograph_node_kind_name(bograph_node_kind k)
{
    switch (k) {
    case BOGRAPH_NODE_PARAM: return "param";
    case BOGRAPH_NODE_METRIC: return "metric";
    case BOGRAPH_NODE_OBJECTIVE: return "objective";
    }
    return "?";
}

const char *bograph_edge_source_name(bograph_edge_source s)
{
    return s == BOGRAPH_EDGE_EXPERT ? "expert" : "learned";
}

void bograph_graph_free(bograph_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_nodes; i++)
        free(g->nodes[i].name);
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

int bg_export(const bg_graph *gr, const bograph_request *req, bograph_graph *out, char *err,
              size_t err_len)
{
    memset(out, 0, sizeof *out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    if (!gr) {
        /* No graph yet: the parameters, the objective and the expert edges
         * between them. */
        size_t p = space_size(req->base.sp);
        out->nodes = calloc(p + 1, sizeof *out->nodes);
        if (!out->nodes)
            goto oom;
        for (size_t j = 0; j < p; j++) {
            out->nodes[j].name = strdup(space_param_name(req->base.sp, j));
            out->nodes[j].kind = BOGRAPH_NODE_PARAM;
            out->n_nodes++;
            if (!out->nodes[j].name)
                goto oom;
        }
        out->nodes[p].name = strdup(req->objective_name ? req->objective_name : "objective");
        out->nodes[p].kind = BOGRAPH_NODE_OBJECTIVE;
        out->n_nodes++;
        if (!out->nodes[p].name)
            goto oom;
        size_t ne = knowledge_n_edges(req->kn);
        out->edges = calloc(ne ? ne : 1, sizeof *out->edges);
        if (!out->edges)
            goto oom;
        for (size_t e = 0; e < ne; e++) {
            const char *fn, *tn;
            knowledge_edge(req->kn, e, &fn, &tn);
            size_t fi = out->n_nodes, ti = out->n_nodes;
            for (size_t v = 0; v < out->n_nodes; v++) {
                if (strcmp(out->nodes[v].name, fn) == 0)
                    fi = v;
                if (strcmp(out->nodes[v].name, tn) == 0)
                    ti = v;
            }
            if (fi < out->n_nodes && ti < out->n_nodes) {
                out->edges[out->n_edges].from = fi;
                out->edges[out->n_edges].to = ti;
                out->edges[out->n_edges].weight = 1.0;
                out->edges[out->n_edges].source = BOGRAPH_EDGE_EXPERT;
                out->n_edges++;
            }
        }
        return 0;
    }
    const dag *g = gr->g;
    size_t *idx = malloc(gr->N * sizeof *idx);
    out->nodes = calloc(gr->N, sizeof *out->nodes);
    out->edges = calloc(gr->N * gr->N, sizeof *out->edges);
    if (!idx || !out->nodes || !out->edges) {
        free(idx);
        goto oom;
    }
    for (size_t v = 0; v < gr->N; v++) {
        idx[v] = gr->N;
        if (!g->alive[v])
            continue;
        idx[v] = out->n_nodes;
        bograph_node *nd = &out->nodes[out->n_nodes++];
        nd->name = strdup(gr->names[v]);
        nd->kind = g->kind[v] == DAG_PARAM    ? BOGRAPH_NODE_PARAM
                 : g->kind[v] == DAG_METRIC   ? BOGRAPH_NODE_METRIC
                                              : BOGRAPH_NODE_OBJECTIVE;
        if (!nd->name) {
            free(idx);
            goto oom;
        }
    }
    for (size_t a = 0; a < gr->N; a++)
        for (size_t b = 0; b < gr->N; b++) {
            if (!dag_has_edge(g, a, b))
                continue;
            bograph_edge *e = &out->edges[out->n_edges++];
            e->from = idx[a];
            e->to = idx[b];
            e->weight = g->w[a * gr->N + b];
            e->source = g->src[a * gr->N + b] == DAG_EXPERT ? BOGRAPH_EDGE_EXPERT
                                                            : BOGRAPH_EDGE_LEARNED;
        }
    out->learned_at_trial = gr->learned_at;
    free(idx);
    return 0;
oom:
    bograph_graph_free(out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    bg_err(err, err_len, "out of memory");
    return -1;
}

int bograph_state_graph(const bograph_state *st, bograph_graph *out, char *err, size_t err_len)
{
    if (!out) {
        bg_err(err, err_len, "bograph: no output graph");
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    if (!st || !st->graph)
        return 0;
    bograph_request dummy;
    memset(&dummy, 0, sizeof dummy);
    return bg_export(st->graph, &dummy, out, err, err_len);
}
