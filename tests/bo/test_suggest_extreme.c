/*
 * test_suggest_extreme.c - bo/suggest.c with extreme but finite objectives:
 * y = 3, 1, 2, then 1e308 and an infeasible trial (the imputation and the
 * output warping used to overflow into "y[0] is not a finite number"),
 * -1e308 when maximising, two values near the largest double,
 * bo_tame_outputs leaving ordinary values exactly as they are, and
 * bo_predict answering in the objective's units on such values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "bo/suggest.h"

/* A gp request over two floats with the observations y (infeasible where
 * inf[i]); asks count points and checks they are valid. */
static void suggest_with(const double *y, const unsigned char *inf, size_t n, int maximize)
{
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x1", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "x2", 0, 1, 0, NULL, 0), 0);
    double X[2 * 8];
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = (double)(i + 1) / (double)(n + 2);
        X[2 * i + 1] = fmod(0.37 * (double)(i + 1), 1.0);
    }
    for (int algo_warp = 0; algo_warp < 2; algo_warp++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = BO_GP;
        req.maximize = maximize;
        req.X = X;
        req.y = y;
        req.infeasible = inf;
        req.n_obs = n;
        req.n_initial = 3;
        req.count = 2;
        req.seed = 5;
        req.no_output_warping = algo_warp;
        double out[4];
        char err[256] = "";
        int rc = bo_suggest(&req, out, err, sizeof err);
        if (rc != 0)
            fail_msg("bo_suggest: %s", err);
        for (size_t k = 0; k < 2; k++)
            assert_int_equal(space_validate(sp, out + 2 * k, err, sizeof err), 0);
    }
    space_free(sp);
}

static void test_huge_then_infeasible(void **state)
{
    (void)state;
    const double y[] = {3, 1, 2, 1e308, 0};
    const unsigned char inf[] = {0, 0, 0, 0, 1};
    suggest_with(y, inf, 5, 0);
    const double yneg[] = {3, 1, 2, -1e308, 0};
    suggest_with(yneg, inf, 5, 1);
    const double both[] = {3, -DBL_MAX, 2, DBL_MAX, 0, 1};
    const unsigned char inf2[] = {0, 0, 0, 0, 1, 0};
    suggest_with(both, inf2, 6, 0);
    suggest_with(both, NULL, 4, 1);
}

static void test_tame_keeps_ordinary_values(void **state)
{
    (void)state;
    double y[] = {3, -1e99, 2.5e-300, NAN, 7};
    double copy[5];
    memcpy(copy, y, sizeof y);
    assert_int_equal(bo_tame_outputs(y, 5), 0);
    assert_memory_equal(y, copy, sizeof y);
    double z[] = {3, 1, NAN, 1e308, -2e200};
    assert_int_equal(bo_tame_outputs(z, 5), 1);
    assert_true(isnan(z[2]));
    /* monotone: the order stays, every value is small now */
    assert_true(z[1] < z[0] && z[0] < z[3] && z[4] < z[1]);
    assert_true(fabs(z[3]) < 710 && fabs(z[4]) < 710);
    assert_true(fabs(z[0] - log1p(3.0)) < 1e-15);
}

/* bo_predict on extreme objectives (fitted as sign(y) log1p(|y|)) answers
 * in the objective's own units, the compression undone: near 3e200 at the
 * configuration that measured 3e200, not its logarithm. */
static void test_predict_undoes_the_compression(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    const double X[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    const double y[] = {1e200, 2e200, 3e200, 4e200, 5e200};
    for (int maximize = 0; maximize < 2; maximize++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = BO_GP;
        req.maximize = maximize;
        req.X = X;
        req.y = y;
        req.n_obs = 5;
        req.seed = 5;
        double mean = 0, sd = -1;
        char err[256] = "";
        if (bo_predict(&req, &X[2], 1, &mean, &sd, err, sizeof err) != 0)
            fail_msg("bo_predict: %s", err);
        assert_true(mean > 1e199 && mean < 1e202);
        assert_true(sd >= 0);
    }
    space_free(sp);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_then_infeasible),
        cmocka_unit_test(test_tame_keeps_ordinary_values),
        cmocka_unit_test(test_predict_undoes_the_compression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
