/*
 * test_dag.c - post-processing rules on hand-made graphs: parameter edges,
 * reversals, cycle breaking, pruning of sinks and sourceless metrics,
 * protected nodes, wiring of disconnected parameters (never along a
 * forbidden edge), topological order,
 * parameter groups and SHD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "structure/dag.h"

/* p0 p1 p2 p3 (params), m4 m5 m6 m7 (metrics), o8 (objective). */
static dag *make(void)
{
    dag *g = dag_new(9);
    for (size_t v = 0; v < 4; v++)
        g->kind[v] = DAG_PARAM;
    g->kind[8] = DAG_OBJECTIVE;
    return g;
}

static void test_rules(void **state)
{
    (void)state;
    dag *g = make();
    dag_set_edge(g, 0, 1, 0.9, DAG_LEARNED);  /* param -> param: dropped */
    dag_set_edge(g, 4, 0, 0.7, DAG_LEARNED);  /* metric -> param: reversed */
    dag_set_edge(g, 4, 8, 0.5, DAG_LEARNED);
    dag_set_edge(g, 8, 5, 0.6, DAG_LEARNED);  /* objective -> metric: reversed */
    dag_set_edge(g, 1, 5, 0.8, DAG_LEARNED);
    dag_set_edge(g, 2, 6, 0.8, DAG_LEARNED);  /* m6 is a sink: pruned */
    dag_set_edge(g, 7, 8, 0.8, DAG_LEARNED);  /* m7 has no parent: pruned */
    char err[128];
    assert_int_equal(dag_postprocess(g, err, sizeof err), 0);
    assert_false(dag_has_edge(g, 0, 1));
    assert_true(dag_has_edge(g, 0, 4));
    assert_false(dag_has_edge(g, 4, 0));
    assert_true(dag_has_edge(g, 5, 8));
    assert_false(dag_has_edge(g, 8, 5));
    assert_false(g->alive[6]);
    assert_false(g->alive[7]);
    /* p2 lost its only child, p3 never had one: both go to the objective. */
    assert_true(dag_has_edge(g, 2, 8));
    assert_true(dag_has_edge(g, 3, 8));
    assert_false(dag_has_edge(g, 0, 8));
    assert_false(dag_has_edge(g, 1, 8));
    size_t order[9], n;
    assert_int_equal(dag_topo_order(g, order, &n), 0);
    assert_int_equal(n, 7);
    size_t pos[9];
    for (size_t k = 0; k < n; k++)
        pos[order[k]] = k;
    for (size_t i = 0; i < 9; i++)
        for (size_t j = 0; j < 9; j++)
            if (dag_has_edge(g, i, j))
                assert_true(pos[i] < pos[j]);
    size_t parents[9];
    assert_int_equal(dag_parents(g, 8, parents), 4);
    /* Groups: {p0} via m4, {p1} via m5, {p2}, {p3}. */
    int group[9];
    assert_int_equal(dag_param_groups(g, group), 4);
    assert_int_equal(group[8], -1);
    dag_free(g);
}

/* A parameter without children is wired to the objective, unless the
 * expert forbade that edge; a clone keeps the forbidden edges. */
static void test_forbidden_not_wired(void **state)
{
    (void)state;
    dag *g = make();
    dag_set_edge(g, 0, 4, 0.8, DAG_LEARNED);
    dag_set_edge(g, 4, 8, 0.8, DAG_LEARNED);
    g->forbid[3 * 9 + 8] = 1;
    dag *c = dag_clone(g);
    assert_non_null(c);
    char err[128];
    assert_int_equal(dag_postprocess(g, err, sizeof err), 0);
    assert_int_equal(dag_postprocess(c, err, sizeof err), 0);
    assert_true(dag_has_edge(g, 1, 8));
    assert_true(dag_has_edge(g, 2, 8));
    assert_false(dag_has_edge(g, 3, 8));
    assert_false(dag_has_edge(c, 3, 8));
    assert_true(dag_has_edge(c, 2, 8));
    dag_free(c);
    dag_free(g);
}

static void test_cycles_and_protection(void **state)
{
    (void)state;
    dag *g = make();
    /* m4 -> m5 -> m6 -> m4, weakest learnt edge m5 -> m6 goes; the expert
     * edge m6 -> m4 stays even though it is weaker. */
    dag_set_edge(g, 0, 4, 1, DAG_LEARNED);
    dag_set_edge(g, 4, 5, 0.9, DAG_LEARNED);
    dag_set_edge(g, 5, 6, 0.4, DAG_LEARNED);
    dag_set_edge(g, 6, 4, 0.1, DAG_EXPERT);
    dag_set_edge(g, 5, 8, 1, DAG_LEARNED);
    dag_set_edge(g, 6, 8, 1, DAG_LEARNED);
    /* m7 is a sink but protected (a constraint names it). */
    g->protect[7] = 1;
    dag_set_edge(g, 1, 7, 1, DAG_LEARNED);
    char err[128];
    assert_int_equal(dag_postprocess(g, err, sizeof err), 0);
    assert_false(dag_has_edge(g, 5, 6));
    assert_int_equal(g->src[6 * 9 + 4], DAG_EXPERT);
    assert_true(dag_has_edge(g, 4, 5));
    /* m6 lost its parent: pruned, and its expert edge with it. */
    assert_false(g->alive[6]);
    assert_false(dag_has_edge(g, 6, 4));
    assert_true(g->alive[7]);
    assert_true(dag_has_edge(g, 1, 7));
    size_t order[9], n;
    assert_int_equal(dag_topo_order(g, order, &n), 0);
    /* p0 and p1 share nothing but the objective; m7 links nobody. */
    int group[9];
    size_t ng = dag_param_groups(g, group);
    assert_int_equal(ng, 4);
    dag_free(g);

    /* No objective: an error. */
    g = dag_new(3);
    assert_int_equal(dag_postprocess(g, err, sizeof err), -1);
    dag_free(g);
}

static void test_groups_and_shd(void **state)
{
    (void)state;
    dag *a = make();
    dag_set_edge(a, 0, 4, 1, DAG_LEARNED);
    dag_set_edge(a, 1, 4, 1, DAG_LEARNED);
    dag_set_edge(a, 2, 5, 1, DAG_LEARNED);
    dag_set_edge(a, 4, 8, 1, DAG_LEARNED);
    dag_set_edge(a, 5, 8, 1, DAG_LEARNED);
    dag_set_edge(a, 3, 8, 1, DAG_LEARNED);
    int group[9];
    assert_int_equal(dag_param_groups(a, group), 3);
    assert_int_equal(group[0], group[1]);
    assert_true(group[0] != group[2]);
    assert_true(group[3] != group[2] && group[3] != group[0]);
    dag *b = dag_clone(a);
    assert_int_equal(dag_shd(a, b), 0);
    dag_remove_edge(b, 0, 4);               /* deletion */
    dag_set_edge(b, 6, 8, 1, DAG_LEARNED);  /* addition */
    dag_remove_edge(b, 5, 8);
    dag_set_edge(b, 8, 5, 1, DAG_LEARNED);  /* reversal */
    assert_int_equal(dag_shd(a, b), 3);
    dag_free(a);
    dag_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_forbidden_not_wired),
        cmocka_unit_test(test_cycles_and_protection),
        cmocka_unit_test(test_groups_and_shd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
