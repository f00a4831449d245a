/*
 * test_feasibility.c - the probability that a configuration runs: learnt
 * from trials of which those with u0 > 0.6 could not run, it is high where
 * they ran and low (but not below 1e-3) where they did not, its gradient
 * matches central
 * differences, and with no failed trial it is exactly 1.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "structure/feasibility.h"

#define N 30
#define D 2

static void make(double *U, unsigned char *bad)
{
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < D; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            U[i * D + k] = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
        }
        bad[i] = U[i * D] > 0.6;
    }
}

static void test_learns_the_region(void **state)
{
    (void)state;
    double U[N * D];
    unsigned char bad[N];
    make(U, bad);
    feasibility f;
    char err[200];
    assert_int_equal(feasibility_fit(&f, U, bad, N, D, 3, err, sizeof err), 0);
    assert_non_null(f.g);
    const double ok[D] = {0.2, 0.5}, no[D] = {0.9, 0.5};
    double lp_ok = feasibility_log_prob(&f, ok, NULL);
    double lp_no = feasibility_log_prob(&f, no, NULL);
    assert_true(lp_ok > log(0.8));
    assert_true(lp_no < log(0.2));
    assert_true(lp_no >= log(1e-3) - 1e-9); /* never ruled out for good */
    /* The gradient, where it is not flat. */
    const double mid[D] = {0.6, 0.5};
    double g[D];
    double v = feasibility_log_prob(&f, mid, g);
    assert_true(fabs(v - feasibility_log_prob(&f, mid, NULL)) < 1e-12);
    for (size_t k = 0; k < D; k++) {
        double a[D], b[D], h = 1e-6;
        memcpy(a, mid, sizeof a);
        memcpy(b, mid, sizeof b);
        a[k] += h;
        b[k] -= h;
        double fd = (feasibility_log_prob(&f, a, NULL) - feasibility_log_prob(&f, b, NULL)) / (2 * h);
        if (fabs(fd - g[k]) > 1e-4 * fmax(1, fabs(fd)))
            fail_msg("d/du%zu: analytic %.8g, differences %.8g", k, g[k], fd);
    }
    assert_true(g[0] < 0); /* towards the failing side, less likely to run */
    feasibility_free(&f);
}

static void test_nothing_to_learn(void **state)
{
    (void)state;
    double U[N * D];
    unsigned char bad[N];
    make(U, bad);
    memset(bad, 0, sizeof bad);
    feasibility f;
    assert_int_equal(feasibility_fit(&f, U, bad, N, D, 3, NULL, 0), 0);
    assert_null(f.g);
    double g[D] = {1, 1};
    const double u[D] = {0.9, 0.9};
    assert_true(feasibility_log_prob(&f, u, g) == 0);
    assert_true(g[0] == 0 && g[1] == 0);
    assert_int_equal(feasibility_fit(&f, U, NULL, N, D, 3, NULL, 0), 0);
    assert_null(f.g);
    feasibility_free(&f);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learns_the_region),
        cmocka_unit_test(test_nothing_to_learn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
