/*
 * test_graph_state.c - bg_state_replace_graph: a relearnt graph keeps the
 * GPs of the nodes whose parents did not change (by name and order), and
 * drops the others.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo/gp.h"
#include "structure/bograph_types.h"
#include "structure/graph_state.h"

/* Parameters a, b; metrics named by m0 and m1; objective y. */
static bg_graph *graph(const char *m0, const char *m1)
{
    const char *names[5] = {"a", "b", m0, m1, "y"};
    bg_graph *gr = calloc(1, sizeof *gr);
    assert_non_null(gr);
    gr->p = 2;
    gr->k = 2;
    gr->N = 5;
    gr->names = calloc(5, sizeof *gr->names);
    for (size_t v = 0; v < 5; v++)
        gr->names[v] = strdup(names[v]);
    gr->g = dag_new(5);
    assert_non_null(gr->g);
    return gr;
}

static void unchanged_nodes_keep_their_gps(void **state)
{
    (void)state;
    bograph_state *st = bograph_state_new();
    assert_non_null(st);
    /* old: a -> m, b -> q, m -> y, q -> y */
    bg_graph *old = graph("m", "q");
    dag_set_edge(old->g, 0, 2, 1, DAG_LEARNED);
    dag_set_edge(old->g, 1, 3, 1, DAG_LEARNED);
    dag_set_edge(old->g, 2, 4, 1, DAG_LEARNED);
    dag_set_edge(old->g, 3, 4, 1, DAG_LEARNED);
    st->graph = old;
    st->gps = calloc(5, sizeof *st->gps);
    gp *gm = gp_new(1), *gq = gp_new(1), *gy = gp_new(2);
    st->gps[2] = gm;
    st->gps[3] = gq;
    st->gps[4] = gy;
    /* next: the metrics in the other order; q gains a parent; y keeps
     * its parents m and q (by name, in node order: q then m now). */
    bg_graph *next = graph("q", "m");
    dag_set_edge(next->g, 0, 3, 1, DAG_LEARNED);
    dag_set_edge(next->g, 0, 2, 1, DAG_LEARNED);
    dag_set_edge(next->g, 1, 2, 1, DAG_LEARNED);
    dag_set_edge(next->g, 2, 4, 1, DAG_LEARNED);
    dag_set_edge(next->g, 3, 4, 1, DAG_LEARNED);
    assert_int_equal(bg_state_replace_graph(st, next), 0);
    assert_ptr_equal(st->graph, next);
    assert_ptr_equal(st->gps[3], gm);   /* m: still a alone */
    assert_null(st->gps[2]);            /* q: a and b now */
    assert_null(st->gps[4]);            /* y: parents q, m in that order, not m, q */
    bograph_state_free(st);
}

static void a_first_graph_starts_without_gps(void **state)
{
    (void)state;
    bograph_state *st = bograph_state_new();
    assert_non_null(st);
    bg_graph *next = graph("m", "q");
    dag_set_edge(next->g, 0, 2, 1, DAG_LEARNED);
    assert_int_equal(bg_state_replace_graph(st, next), 0);
    assert_ptr_equal(st->graph, next);
    assert_non_null(st->gps);
    for (size_t v = 0; v < 5; v++)
        assert_null(st->gps[v]);
    bograph_state_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unchanged_nodes_keep_their_gps),
        cmocka_unit_test(a_first_graph_starts_without_gps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
