/*
 * test_bograph_prune.c - a metric's parameter parents earn their place by
 * held-out prediction (structure/bograph_prune.c): a companion parameter
 * that the search moved together with the real parent is dropped, the real
 * parent stays, and so does a second parent that matters.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "structure/bograph_prune.h"
#include "structure/dag.h"
#include "util/rng.h"

#define N 30
#define P 3
#define NF (2 * P)
#define D (NF + 2)

/* Column j of A standardised in place. */
static void standardise(double *A, size_t j)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < N; i++)
        m += A[i * D + j] / N;
    for (size_t i = 0; i < N; i++)
        v += (A[i * D + j] - m) * (A[i * D + j] - m) / (N - 1);
    for (size_t i = 0; i < N; i++)
        A[i * D + j] = (A[i * D + j] - m) / sqrt(v);
}

/* Parameters u0..u2 (u1 follows u0 closely, as after a search that moved
 * them together); the metric is a bowl in u0, plus c2 * u2. */
static void make(double *A, size_t *feat_param, double c2)
{
    uint64_t s = 5;
    for (size_t i = 0; i < N; i++) {
        double u[P];
        u[0] = rng_unit(&s);
        u[1] = fmin(1, fmax(0, u[0] + 0.05 * (rng_unit(&s) - 0.5)));
        u[2] = rng_unit(&s);
        for (size_t j = 0; j < P; j++) {
            A[i * D + 2 * j] = u[j];
            A[i * D + 2 * j + 1] = (u[j] - 0.5) * (u[j] - 0.5);
        }
        A[i * D + NF] = 5 * (u[0] - 0.3) * (u[0] - 0.3) + c2 * u[2] + 0.01 * (rng_unit(&s) - 0.5);
        A[i * D + NF + 1] = A[i * D + NF];
    }
    for (size_t j = 0; j < D; j++)
        standardise(A, j);
    for (size_t a = 0; a < NF; a++)
        feat_param[a] = a / 2;
}

static dag *graph_with_all_parents(void)
{
    dag *g = dag_new(P + 2);
    assert_non_null(g);
    for (size_t v = 0; v < P; v++)
        g->kind[v] = DAG_PARAM;
    g->kind[P] = DAG_METRIC;
    g->kind[P + 1] = DAG_OBJECTIVE;
    for (size_t j = 0; j < P; j++)
        dag_set_edge(g, j, P, 0.5, DAG_LEARNED);
    dag_set_edge(g, P, P + 1, 0.9, DAG_LEARNED);
    return g;
}

static void companion_dropped_real_parents_kept(void **state)
{
    (void)state;
    double A[N * D];
    size_t feat_param[NF];
    make(A, feat_param, 2.0);
    dag *g = graph_with_all_parents();
    assert_int_equal(bg_prune_param_parents(g, A, N, D, NF, feat_param, P, P, NF), 0);
    assert_true(dag_has_edge(g, 0, P));
    assert_false(dag_has_edge(g, 1, P));
    assert_true(dag_has_edge(g, 2, P));
    assert_true(dag_has_edge(g, P, P + 1));
    dag_free(g);
}

static void irrelevant_parent_dropped(void **state)
{
    (void)state;
    double A[N * D];
    size_t feat_param[NF];
    make(A, feat_param, 0.0);
    dag *g = graph_with_all_parents();
    assert_int_equal(bg_prune_param_parents(g, A, N, D, NF, feat_param, P, P, NF), 0);
    assert_false(dag_has_edge(g, 2, P));
    /* one of the pair u0/u1 carries the bowl; the other is gone */
    assert_true(dag_has_edge(g, 0, P) != dag_has_edge(g, 1, P));
    dag_free(g);
}

static void expert_edges_stay(void **state)
{
    (void)state;
    double A[N * D];
    size_t feat_param[NF];
    make(A, feat_param, 0.0);
    dag *g = graph_with_all_parents();
    dag_set_edge(g, 2, P, 1.0, DAG_EXPERT);
    assert_int_equal(bg_prune_param_parents(g, A, N, D, NF, feat_param, P, P, NF), 0);
    assert_true(dag_has_edge(g, 2, P));
    dag_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(companion_dropped_real_parents_kept),
        cmocka_unit_test(irrelevant_parent_dropped),
        cmocka_unit_test(expert_edges_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
