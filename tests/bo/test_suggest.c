/*
 * test_suggest.c - tests of bo/suggest.c: request validation, distinct and
 * valid proposals, determinism per seed, finite spaces running out, and the
 * GP algorithm finding optima with pending points and batches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/suggest.h"

static space *float_space(size_t d)
{
    space *sp = space_new();
    char name[32];
    for (size_t i = 0; i < d; i++) {
        snprintf(name, sizeof name, "x%zu", i);
        assert_int_equal(space_add_float(sp, name, 0, 1, 0, NULL, 0), 0);
    }
    return sp;
}

static space *small_finite_space(void)
{
    space *sp = space_new();
    const char *ch[] = {"a", "b"};
    assert_int_equal(space_add_int(sp, "n", 1, 3, 0, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "c", ch, 2, NULL, 0), 0);
    return sp; /* 6 configurations */
}

static void assert_all_distinct_valid(const space *sp, const double *pts, size_t n)
{
    size_t p = space_size(sp);
    char err[256];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(space_validate(sp, pts + i * p, err, sizeof err), 0);
        for (size_t j = 0; j < i; j++)
            assert_false(space_config_equal(sp, pts + i * p, pts + j * p));
    }
}

static void test_parse(void **state)
{
    (void)state;
    bo_algorithm a;
    assert_int_equal(bo_algorithm_parse("sobol", &a), 0);
    assert_int_equal(a, BO_SOBOL);
    assert_int_equal(bo_algorithm_parse("gp", &a), 0);
    assert_int_equal(a, BO_GP);
    assert_int_equal(bo_algorithm_parse("random", &a), 0);
    assert_int_equal(a, BO_RANDOM);
    assert_int_equal(bo_algorithm_parse("tpe", &a), -1);
    assert_int_equal(bo_algorithm_parse(NULL, &a), -1);
    assert_string_equal(bo_algorithm_name(BO_GP), "gp");
    assert_string_equal(bo_algorithm_name(BO_SOBOL), "sobol");
    assert_int_equal(bo_default_n_initial(2), 5);
    assert_int_equal(bo_default_n_initial(6), 7);
    assert_int_equal(bo_default_n_initial(30), 10);
}

static void test_validation_messages(void **state)
{
    (void)state;
    char err[256];
    space *sp = float_space(2);
    bo_request req;
    bo_request_init(&req, sp);
    req.algorithm = BO_SOBOL;
    double X[] = {0.5, 0.5, 0.2, 1.7};
    double y[] = {1.0, 2.0};
    double out[2];
    req.X = X;
    req.y = y;
    req.n_obs = 2;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "observation 1"));
    assert_non_null(strstr(err, "'x1'"));

    X[3] = 0.7;
    y[0] = NAN;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "observation 0"));
    assert_non_null(strstr(err, "objective"));

    /* NaN is fine when the trial is infeasible */
    unsigned char inf[] = {1, 0};
    req.infeasible = inf;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);

    double pend[] = {-0.1, 0.5};
    req.pending = pend;
    req.n_pending = 1;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "pending point 0"));
    assert_non_null(strstr(err, "'x0'"));

    req.n_pending = 0;
    req.X = NULL;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no X"));

    bo_request_init(&req, NULL);
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "search space"));
    assert_int_equal(bo_suggest(NULL, out, err, sizeof err), -1);

    space *empty = space_new();
    bo_request_init(&req, empty);
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no parameters"));
    space_free(empty);
    space_free(sp);
}

static void test_samplers_distinct_deterministic(void **state)
{
    (void)state;
    space *sp = float_space(3);
    bo_algorithm algos[] = {BO_RANDOM, BO_SOBOL};
    for (int a = 0; a < 2; a++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = algos[a];
        req.count = 16;
        req.seed = 5;
        double o1[48], o2[48], o3[48];
        assert_int_equal(bo_suggest(&req, o1, NULL, 0), 0);
        assert_int_equal(bo_suggest(&req, o2, NULL, 0), 0);
        assert_memory_equal(o1, o2, sizeof o1);
        assert_all_distinct_valid(sp, o1, 16);
        req.seed = 6;
        assert_int_equal(bo_suggest(&req, o3, NULL, 0), 0);
        assert_memory_not_equal(o1, o3, sizeof o1);
    }
    space_free(sp);
}

/* Sobol continues its sequence: 4 points now then 4 more (with the first 4
 * observed) are the first 8 points of one call. */
static void test_sobol_sequence_continues(void **state)
{
    (void)state;
    space *sp = float_space(2);
    bo_request req;
    bo_request_init(&req, sp);
    req.algorithm = BO_SOBOL;
    req.seed = 11;
    req.count = 8;
    double all[16], part[8];
    assert_int_equal(bo_suggest(&req, all, NULL, 0), 0);
    double y[4] = {1, 2, 3, 4};
    req.X = all;
    req.y = y;
    req.n_obs = 2;
    req.pending = all + 4;
    req.n_pending = 2;
    req.count = 4;
    assert_int_equal(bo_suggest(&req, part, NULL, 0), 0);
    assert_memory_equal(part, all + 8, sizeof part);
    space_free(sp);
}

/* A space of 6 configurations: proposals avoid observed and pending ones
 * while it can, then repeat observed ones, and fail only when every
 * configuration is pending or proposed. */
static void test_finite_space(void **state)
{
    (void)state;
    char err[256];
    space *sp = small_finite_space();
    bo_algorithm algos[] = {BO_RANDOM, BO_SOBOL};
    for (int a = 0; a < 2; a++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = algos[a];
        double X[] = {1, 0, 2, 0};
        double y[] = {0.5, 0.7};
        double pend[] = {3, 1};
        req.X = X;
        req.y = y;
        req.n_obs = 2;
        req.pending = pend;
        req.n_pending = 1;
        req.count = 3;
        double out[5 * 2];
        assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
        assert_all_distinct_valid(sp, out, 3);
        for (int i = 0; i < 3; i++) {
            assert_false(space_config_equal(sp, out + 2 * i, X));
            assert_false(space_config_equal(sp, out + 2 * i, X + 2));
            assert_false(space_config_equal(sp, out + 2 * i, pend));
        }
        /* 5 = 3 new + 2 observed repeats */
        req.count = 5;
        assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
        assert_all_distinct_valid(sp, out, 5);
        for (int i = 0; i < 5; i++) assert_false(space_config_equal(sp, out + 2 * i, pend));
        /* 6 cannot avoid the pending one */
        double big[6 * 2];
        req.count = 6;
        assert_int_equal(bo_suggest(&req, big, err, sizeof err), -1);
        assert_non_null(strstr(err, "pending"));
    }
    space_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_validation_messages),
        cmocka_unit_test(test_samplers_distinct_deterministic),
        cmocka_unit_test(test_sobol_sequence_continues),
        cmocka_unit_test(test_finite_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
