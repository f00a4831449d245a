/*
 * test_notears.c - NOTEARS: the acyclicity function and its gradient, and
 * structure recovery on a noisy linear system with a known DAG (parameters
 * -> metrics -> objective) under the BoGraph constraints; the structural
 * Hamming distance is reported and must be far below a random graph's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "structure/dag.h"
#include "structure/notears.h"

static uint64_t rng = 12345;

static double urand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double nrand(void)
{
    return sqrt(-2 * log(urand())) * cos(6.283185307179586 * urand());
}

static void test_h(void **state)
{
    (void)state;
    /* A DAG has h = 0, a 2-cycle h > 0. */
    double dagw[9] = {0, 1.5, 0, 0, 0, -2, 0, 0, 0};
    assert_true(fabs(notears_h(dagw, 3, NULL)) < 1e-9);
    double cyc[9] = {0, 1, 0, 0, 0, 1, 0.5, 0, 0};
    double g[9];
    double h = notears_h(cyc, 3, g);
    assert_true(h > 1e-3);
    /* Gradient against central differences. */
    for (size_t k = 0; k < 9; k++) {
        double w[9];
        memcpy(w, cyc, sizeof w);
        w[k] += 1e-6;
        double hp = notears_h(w, 3, NULL);
        w[k] -= 2e-6;
        double hm = notears_h(w, 3, NULL);
        assert_true(fabs((hp - hm) / 2e-6 - g[k]) < 1e-5);
    }
}

/* Nodes: 0..5 params, 6..10 metrics, 11 objective. */
#define NP 6
#define NM 5
#define D (NP + NM + 1)
#define OBJ (D - 1)

static const int true_edges[][2] = {
    {0, 6}, {1, 6}, {2, 7}, {3, 7}, {4, 8}, {6, 9}, {5, 9}, {7, 10}, {8, OBJ}, {9, OBJ}, {10, OBJ},
};
#define N_TRUE (sizeof true_edges / sizeof true_edges[0])

static void simulate(double *X, size_t n)
{
    double coef[N_TRUE];
    for (size_t e = 0; e < N_TRUE; e++)
        coef[e] = (urand() < 0.5 ? -1 : 1) * (0.8 + 0.7 * urand());
    for (size_t r = 0; r < n; r++) {
        double *x = X + r * D;
        for (size_t i = 0; i < NP; i++)
            x[i] = urand();
        for (size_t v = NP; v < D; v++) {
            x[v] = 0.3 * nrand();
            for (size_t e = 0; e < N_TRUE; e++)
                if (true_edges[e][1] == (int)v)
                    x[v] += coef[e] * x[true_edges[e][0]];
        }
    }
    /* Standardise the columns. */
    for (size_t j = 0; j < D; j++) {
        double s = 0, ss = 0;
        for (size_t r = 0; r < n; r++)
            s += X[r * D + j];
        double m = s / (double)n;
        for (size_t r = 0; r < n; r++)
            ss += (X[r * D + j] - m) * (X[r * D + j] - m);
        double sd = sqrt(ss / (double)(n - 1));
        for (size_t r = 0; r < n; r++)
            X[r * D + j] = (X[r * D + j] - m) / sd;
    }
}

static void bograph_mask(unsigned char *mask)
{
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            mask[i * D + j] = (i != j && j >= NP && i != OBJ) ? NOTEARS_FREE : NOTEARS_FIXED_ZERO;
}

static dag *truth(void)
{
    dag *g = dag_new(D);
    for (size_t e = 0; e < N_TRUE; e++)
        dag_set_edge(g, (size_t)true_edges[e][0], (size_t)true_edges[e][1], 1, DAG_LEARNED);
    return g;
}

static dag *from_w(const double *W)
{
    dag *g = dag_new(D);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            if (W[i * D + j] != 0)
                dag_set_edge(g, i, j, W[i * D + j], DAG_LEARNED);
    return g;
}

/* Mean SHD of random graphs with as many edges, under the same mask. */
static double random_shd(const unsigned char *mask, const dag *t, size_t n_edges)
{
    double total = 0;
    for (int rep = 0; rep < 50; rep++) {
        dag *g = dag_new(D);
        size_t k = 0;
        while (k < n_edges) {
            size_t i = (size_t)(urand() * D), j = (size_t)(urand() * D);
            if (mask[i * D + j] && !dag_has_edge(g, i, j) && !dag_has_edge(g, j, i)) {
                dag_set_edge(g, i, j, 1, DAG_LEARNED);
                k++;
            }
        }
        total += (double)dag_shd(g, t);
        dag_free(g);
    }
    return total / 50;
}

static void test_recovery(void **state)
{
    (void)state;
    size_t n = 200;
    double *X = malloc(n * D * sizeof *X);
    assert_non_null(X);
    unsigned char mask[D * D];
    bograph_mask(mask);
    dag *t = truth();
    double total_shd = 0, total_random = 0;
    for (int rep = 0; rep < 3; rep++) {
        simulate(X, n);
        double W[D * D], h;
        char err[256];
        notears_options opt;
        notears_options_default(&opt);
        assert_int_equal(notears_fit(X, n, D, mask, &opt, W, &h, err, sizeof err), 0);
        assert_true(h < 1e-6);
        for (size_t i = 0; i < D; i++)
            for (size_t j = 0; j < D; j++)
                if (!mask[i * D + j])
                    assert_true(W[i * D + j] == 0);
        dag *g = from_w(W);
        size_t order[D], n_order;
        assert_int_equal(dag_topo_order(g, order, &n_order), 0);
        size_t shd = dag_shd(g, t);
        double rnd = random_shd(mask, t, N_TRUE);
        printf("notears recovery rep %d: SHD %zu (random graphs: %.1f), %zu true edges\n", rep,
               shd, rnd, N_TRUE);
        total_shd += (double)shd;
        total_random += rnd;
        assert_true(shd <= 4);
        dag_free(g);
    }
    assert_true(total_shd < total_random / 4);
    dag_free(t);
    free(X);
}

static void test_constraints(void **state)
{
    (void)state;
    size_t n = 150;
    double *X = malloc(n * D * sizeof *X);
    assert_non_null(X);
    simulate(X, n);
    unsigned char mask[D * D];
    bograph_mask(mask);
    /* Forbid a true edge, require an edge with no signal behind it. */
    mask[0 * D + 6] = NOTEARS_FIXED_ZERO;
    mask[5 * D + 7] = NOTEARS_REQUIRED;
    double W[D * D];
    char err[256];
    assert_int_equal(notears_fit(X, n, D, mask, NULL, W, NULL, err, sizeof err), 0);
    assert_true(W[0 * D + 6] == 0);
    assert_true(W[5 * D + 7] != 0);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            if (!mask[i * D + j])
                assert_true(W[i * D + j] == 0);
    /* No free entry at all: an empty graph. */
    memset(mask, 0, sizeof mask);
    assert_int_equal(notears_fit(X, n, D, mask, NULL, W, NULL, err, sizeof err), 0);
    for (size_t k = 0; k < D * D; k++)
        assert_true(W[k] == 0);
    assert_int_equal(notears_fit(NULL, n, D, mask, NULL, W, NULL, err, sizeof err), -1);
    free(X);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_constraints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
