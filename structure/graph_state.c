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
