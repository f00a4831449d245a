/*
 * test_ehvi.c - tests of bo/ehvi.c: the box decomposition gives exactly the
 * hypervolume improvement that bo/pareto.c computes independently (2, 3, 4
 * objectives); the analytic EHVI agrees with Monte Carlo on fixed inputs;
 * a certain, dominated prediction has no improvement; far in the tail the
 * log EHVI stays finite and still orders the points.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/ehvi.h"
#include "bo/pareto.h"
#include "util/rng.h"

static const int MAX4[4] = {1, 1, 1, 1};

static void test_boxes_two(void **state)
{
    (void)state;
    double F[] = {1, 3, 2, 2, 3, 1, 1.5, 1.5 /* dominated */, -1, 5 /* below ref */};
    double ref[2] = {0, 0};
    ehvi_boxes *b = ehvi_boxes_new(F, 5, 2, ref);
    assert_non_null(b);
    assert_int_equal(ehvi_boxes_count(b), 4);
    /* (2.5, 2.5) adds x in [1, 2] from 2 to 2.5 (0.5) and x in [2, 2.5] from 1 to 2.5 (0.75) */
    double y[2] = {2.5, 2.5};
    assert_true(fabs(ehvi_improvement(b, y) - 1.25) < 1e-12);
    /* a dominated point adds nothing; a point beyond everything adds a lot */
    double d[2] = {1.9, 1.9};
    assert_true(ehvi_improvement(b, d) == 0);
    double far[2] = {4, 4};
    assert_true(fabs(ehvi_improvement(b, far) - (16 - 6)) < 1e-12);
    ehvi_boxes_free(b);
    /* an empty front: one box, the improvement is the volume above ref */
    b = ehvi_boxes_new(F, 0, 2, ref);
    assert_int_equal(ehvi_boxes_count(b), 1);
    assert_true(fabs(ehvi_improvement(b, y) - 6.25) < 1e-12);
    ehvi_boxes_free(b);
}

/* HVI from the boxes equals HV(F + y) - HV(F) by bo/pareto.c. */
static void test_improvement_matches_hypervolume(void **state)
{
    (void)state;
    uint64_t s = 3;
    double ref[4] = {0, 0, 0, 0};
    for (size_t m = 2; m <= 4; m++)
        for (int rep = 0; rep < 25; rep++) {
            size_t k = 1 + rng_next(&s) % 9;
            double F[10 * 4];
            for (size_t i = 0; i < k * m; i++) F[i] = rng_unit(&s) * 2 - 0.2;
            ehvi_boxes *b = ehvi_boxes_new(F, k, m, ref);
            assert_non_null(b);
            double base = pareto_hypervolume(F, k, m, MAX4, ref);
            for (int t = 0; t < 10; t++) {
                double *y = F + k * m;
                for (size_t j = 0; j < m; j++) y[j] = rng_unit(&s) * 2.2 - 0.1;
                double want = pareto_hypervolume(F, k + 1, m, MAX4, ref) - base;
                assert_true(fabs(ehvi_improvement(b, y) - want) < 1e-9);
            }
            ehvi_boxes_free(b);
        }
}

static void test_analytic_vs_monte_carlo(void **state)
{
    (void)state;
    enum { N = 8192 };
    double *z = malloc(N * 4 * sizeof(double));
    assert_non_null(z);
    /* 4 rows of m values (16 numbers for m = 4, the first 4m otherwise) */
    double F[] = {1, 3, 0.5, 2, 2, 1, 3, 1, 0.8, 1.5, 2.5, 0.6, 2.2, 0.7, 1.1, 1.4};
    double ref[4] = {0, 0, 0, 0};
    double mean[4] = {1.8, 1.9, 0.9, 0.5}, sd[4] = {0.6, 0.3, 0.5, 0.4};
    for (size_t m = 2; m <= 4; m++) {
        assert_int_equal(ehvi_normal_draws(m, N, 17, z), 0);
        ehvi_boxes *b = ehvi_boxes_new(F, 4, m, ref);
        double exact = exp(ehvi_log_analytic(b, mean, sd));
        double mc = ehvi_mc(b, mean, sd, z, N);
        assert_true(exact > 0.01);
        assert_true(fabs(exact - mc) < 0.02 * exact);
        ehvi_boxes_free(b);
    }
    free(z);
}

static void test_certain_dominated_is_zero(void **state)
{
    (void)state;
    double F[] = {1, 3, 2, 2, 3, 1};
    double ref[2] = {0, 0};
    ehvi_boxes *b = ehvi_boxes_new(F, 3, 2, ref);
    double z[64 * 2];
    assert_int_equal(ehvi_normal_draws(2, 64, 5, z), 0);
    double sd0[2] = {0, 0};
    double dom[2] = {1.5, 1.5};
    assert_true(ehvi_log_analytic(b, dom, sd0) == -INFINITY);
    assert_true(ehvi_mc(b, dom, sd0, z, 64) == 0);
    /* on the front itself: still nothing to gain */
    double on[2] = {2, 2};
    assert_true(ehvi_log_analytic(b, on, sd0) == -INFINITY);
    /* certain and beyond the front: exactly its improvement */
    double out[2] = {2.5, 2.5};
    assert_true(fabs(ehvi_log_analytic(b, out, sd0) - log(1.25)) < 1e-12);
    /* nearly certain and dominated: tiny but finite, and larger for the
     * point nearer the front */
    double sd[2] = {0.01, 0.01};
    double nearer[2] = {1.8, 1.8};
    double a = ehvi_log_analytic(b, dom, sd), c = ehvi_log_analytic(b, nearer, sd);
    assert_true(isfinite(a) && isfinite(c));
    assert_true(a < -100);
    assert_true(c > a);
    ehvi_boxes_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boxes_two),
        cmocka_unit_test(test_improvement_matches_hypervolume),
        cmocka_unit_test(test_analytic_vs_monte_carlo),
        cmocka_unit_test(test_certain_dominated_is_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
