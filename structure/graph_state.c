/*
 * graph_state.c - the learnt graph's and the study's state's lifetimes, and
 * the small helpers the bograph files share (see graph_state.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structure/bograph_types.h"
#include "structure/graph_state.h"
#include "util/strmap.h"

void bg_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

int bg_name_index(char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

void bg_graph_free(bg_graph *gr)
{
    if (!gr)
        return;
    if (gr->names)
        for (size_t v = 0; v < gr->N; v++)
            free(gr->names[v]);
    free(gr->names);
    dag_free(gr->g);
    free(gr->cv_r2);
    free(gr);
}

void bg_state_drop_gps(bograph_state *st)
{
    if (st->gps && st->graph)
        for (size_t v = 0; v < st->graph->N; v++)
            gp_free(st->gps[v]);
    free(st->gps);
    st->gps = NULL;
}

/* 1 when node v of a and node w of b have the same parents by name, in
 * the same order (so the same GP input layout); pa, pb scratch of N each. */
static int bg_same_parents(const bg_graph *a, size_t v, const bg_graph *b, size_t w, size_t *pa,
                           size_t *pb)
{
    size_t na = dag_parents(a->g, v, pa), nb = dag_parents(b->g, w, pb);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a->names[pa[i]], b->names[pb[i]]) != 0)
            return 0;
    return 1;
}

int bg_state_replace_graph(bograph_state *st, bg_graph *next)
{
    bg_graph *old = st->graph;
    gp **gps = calloc(next->N, sizeof *gps);
    size_t *pa = malloc(next->N * sizeof *pa);
    size_t *pb = malloc((old ? old->N : 1) * sizeof *pb);
    int rc = gps && pa && pb ? 0 : -1;
    if (rc == 0 && old && st->gps && old->p == next->p) {
        strmap *idx = strmap_new(old->N);
        for (size_t w = old->p; idx && w < old->N; w++)
            if (strmap_put(idx, old->names[w], w, NULL) < 0)
                break;
        for (size_t v = next->p; idx && v < next->N; v++) {
            size_t w;
            if (strmap_get(idx, next->names[v], &w) && st->gps[w] &&
                bg_same_parents(next, v, old, w, pa, pb)) {
                gps[v] = st->gps[w];
                st->gps[w] = NULL;
            }
        }
        strmap_free(idx);
    }
    bg_state_drop_gps(st);
    bg_graph_free(old);
    st->graph = next;
    st->gps = rc == 0 ? gps : NULL;
    if (rc != 0)
        free(gps);
    free(pa);
    free(pb);
    return rc;
}

bograph_state *bograph_state_new(void)
{
    bograph_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->bo = bo_state_new();
    if (!st->bo) {
        free(st);
        return NULL;
    }
    return st;
}

void bograph_state_free(bograph_state *st)
{
    if (!st)
        return;
    bg_state_drop_gps(st);
    bg_graph_free(st->graph);
    bo_state_free(st->bo);
    gp_free(st->flat);
    for (size_t j = 0; j < BO_MULTI_MAX_OBJECTIVES; j++)
        bograph_state_free(st->objective[j]);
    free(st);
}
