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

#include <gsl/gsl_errno.h>

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

    req.X = X;
    req.count = 100000;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "count"));

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

/* ---- the gp algorithm ---- */

static double bowl(const double *x)
{
    return (x[0] - 0.3) * (x[0] - 0.3) + (x[1] - 0.7) * (x[1] - 0.7);
}

/* Runs `budget` sequential gp suggestions on bowl (sign flipped when
 * maximising); returns the best bowl value found. */
static double run_bowl(int maximize, size_t budget, uint64_t seed)
{
    space *sp = float_space(2);
    double X[2 * 40], y[40], best = INFINITY;
    char err[256];
    bo_state *st = bo_state_new();
    for (size_t t = 0; t < budget; t++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.X = X;
        req.y = y;
        req.n_obs = t;
        req.maximize = maximize;
        req.seed = seed;
        req.state = st;
        assert_int_equal(bo_suggest(&req, X + 2 * t, err, sizeof err), 0);
        double f = bowl(X + 2 * t);
        y[t] = maximize ? -f : f;
        if (f < best) best = f;
    }
    bo_state_free(st);
    space_free(sp);
    return best;
}

static void test_gp_minimize_maximize(void **state)
{
    (void)state;
    assert_true(run_bowl(0, 20, 1) < 1e-4);
    assert_true(run_bowl(1, 20, 1) < 1e-4);
}

/* Before n_initial distinct points exist, gp hands out the Sobol sequence. */
static void test_gp_initial_design_is_sobol(void **state)
{
    (void)state;
    space *sp = float_space(3);
    bo_request req;
    bo_request_init(&req, sp);
    req.count = 3;
    req.seed = 8;
    double a[9], b[9];
    assert_int_equal(bo_suggest(&req, a, NULL, 0), 0);
    req.algorithm = BO_SOBOL;
    assert_int_equal(bo_suggest(&req, b, NULL, 0), 0);
    assert_memory_equal(a, b, sizeof a);
    space_free(sp);
}

static void sobol_observations(const space *sp, size_t n, uint64_t seed, double *X, double *y)
{
    bo_request req;
    bo_request_init(&req, sp);
    req.algorithm = BO_SOBOL;
    req.count = n;
    req.seed = seed;
    assert_int_equal(bo_suggest(&req, X, NULL, 0), 0);
    for (size_t i = 0; i < n; i++) y[i] = bowl(X + 2 * i);
}

static double dist2(const double *a, const double *b)
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]));
}

/* A batch of 6 and 2 pending points: all distinct, valid, not observed,
 * and spread out rather than piled on the predicted optimum. Deterministic
 * for a seed. */
static void test_gp_batch_pending(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X[24], y[12];
    sobol_observations(sp, 12, 4, X, y);
    double pend[4] = {0.3, 0.7, 0.31, 0.69}; /* at the optimum */
    bo_request req;
    bo_request_init(&req, sp);
    req.X = X;
    req.y = y;
    req.n_obs = 12;
    req.pending = pend;
    req.n_pending = 2;
    req.count = 6;
    req.seed = 9;
    double out[12], again[12];
    char err[256];
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
    assert_all_distinct_valid(sp, out, 6);
    for (size_t i = 0; i < 6; i++) {
        for (size_t j = 0; j < 12; j++) assert_false(space_config_equal(sp, out + 2 * i, X + 2 * j));
        for (size_t j = 0; j < 2; j++) assert_true(dist2(out + 2 * i, pend + 2 * j) > 1e-3);
        for (size_t j = 0; j < i; j++) assert_true(dist2(out + 2 * i, out + 2 * j) > 1e-3);
    }
    assert_int_equal(bo_suggest(&req, again, err, sizeof err), 0);
    assert_memory_equal(out, again, sizeof out);
    space_free(sp);
}

/* Minimise x0 where x0 < 0.3 cannot run: the infeasible trials (whose y is
 * garbage) must count as worse than every feasible one, keeping the next
 * proposal out of the infeasible corner. */
static void test_gp_infeasible(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X[2 * 20], y[20];
    unsigned char inf[20];
    bo_request req;
    bo_request_init(&req, sp);
    req.algorithm = BO_SOBOL;
    req.count = 20;
    req.seed = 2;
    assert_int_equal(bo_suggest(&req, X, NULL, 0), 0);
    size_t n_inf = 0;
    for (size_t i = 0; i < 20; i++) {
        inf[i] = X[2 * i] < 0.3;
        n_inf += inf[i];
        y[i] = inf[i] ? -1e9 : X[2 * i]; /* a reported value that must be ignored */
    }
    assert_true(n_inf >= 3);
    bo_request_init(&req, sp);
    req.X = X;
    req.y = y;
    req.infeasible = inf;
    req.n_obs = 20;
    req.seed = 3;
    double out[2];
    assert_int_equal(bo_suggest(&req, out, NULL, 0), 0);
    assert_true(out[0] > 0.2);
    /* all infeasible: no model to fit, still valid space-filling points */
    memset(inf, 1, sizeof inf);
    req.count = 1;
    assert_int_equal(bo_suggest(&req, out, NULL, 0), 0);
    assert_int_equal(space_validate(sp, out, NULL, 0), 0);
    space_free(sp);
}

/* Mixed space: threads (int), codec (categorical), block (ordinal), ratio
 * (float). The optimum is threads 6, codec "zstd", block 64, ratio 0.25. */
static double mixed_cost(const double *c)
{
    double t = c[0] - 6, r = c[3] - 0.25;
    return 0.1 * t * t + (c[1] == 1 ? 0 : 2) + (c[2] == 64 ? 0 : 1) + 4 * r * r;
}

static void test_gp_mixed_space(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *codecs[] = {"lz4", "zstd", "none"};
    const double blocks[] = {4, 16, 64};
    assert_int_equal(space_add_int(sp, "threads", 1, 16, 0, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "codec", codecs, 3, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "block", blocks, 3, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "ratio", 0, 1, 0, NULL, 0), 0);
    double X[4 * 30], y[30], best = INFINITY;
    char err[256];
    bo_state *st = bo_state_new();
    for (size_t t = 0; t < 30; t++) {
        bo_request req;
        bo_request_init(&req, sp);
        req.X = X;
        req.y = y;
        req.n_obs = t;
        req.seed = 12;
        req.state = st;
        assert_int_equal(bo_suggest(&req, X + 4 * t, err, sizeof err), 0);
        assert_int_equal(space_validate(sp, X + 4 * t, err, sizeof err), 0);
        for (size_t j = 0; j < t; j++) assert_false(space_config_equal(sp, X + 4 * t, X + 4 * j));
        y[t] = mixed_cost(X + 4 * t);
        if (y[t] < best) best = y[t];
    }
    assert_true(best < 0.05); /* right codec, block and threads, ratio close */
    bo_state_free(st);
    space_free(sp);
}

/* Six configurations, five observed: one new one, then repeats of observed
 * ones, never of the pending one. */
static void test_gp_finite_space(void **state)
{
    (void)state;
    space *sp = small_finite_space();
    double X[] = {1, 0, 2, 0, 3, 0, 1, 1, 2, 1};
    double y[] = {5, 4, 3, 2, 1};
    double pend[] = {3, 1};
    bo_request req;
    bo_request_init(&req, sp);
    req.X = X;
    req.y = y;
    req.n_obs = 5;
    req.n_initial = 2;
    req.count = 1;
    double out[2 * 5];
    char err[256];
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
    assert_true(out[0] == 3 && out[1] == 1);
    req.pending = pend;
    req.n_pending = 1;
    req.count = 5;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
    assert_all_distinct_valid(sp, out, 5);
    for (int i = 0; i < 5; i++) assert_false(space_config_equal(sp, out + 2 * i, pend));
    req.count = 6;
    double big[12];
    assert_int_equal(bo_suggest(&req, big, err, sizeof err), -1);
    space_free(sp);
}

/* Repeated noisy observations of one configuration are merged; a state
 * fitted on another space is replaced rather than misused. */
static void test_gp_repeats_and_state_reuse(void **state)
{
    (void)state;
    space *sp2 = float_space(2), *sp3 = float_space(3);
    double X[2 * 12], y[12];
    sobol_observations(sp2, 8, 6, X, y);
    for (size_t i = 8; i < 12; i++) {
        X[2 * i] = X[0];
        X[2 * i + 1] = X[1];
        y[i] = y[0] + 0.01 * (double)(i - 9);
    }
    bo_state *st = bo_state_new();
    bo_request req;
    bo_request_init(&req, sp2);
    req.X = X;
    req.y = y;
    req.n_obs = 12;
    req.state = st;
    double out[3];
    char err[256];
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
    double X3[3 * 8], y3[8];
    for (size_t i = 0; i < 8; i++) {
        X3[3 * i] = X[2 * i];
        X3[3 * i + 1] = X[2 * i + 1];
        X3[3 * i + 2] = 0.5;
        y3[i] = y[i];
    }
    bo_request_init(&req, sp3);
    req.X = X3;
    req.y = y3;
    req.n_obs = 8;
    req.n_initial = 5;
    req.state = st;
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
    assert_int_equal(space_validate(sp3, out, NULL, 0), 0);
    bo_state_free(st);
    space_free(sp2);
    space_free(sp3);
}

static double skewness(const double *y, size_t n)
{
    double m = 0, m2 = 0, m3 = 0;
    for (size_t i = 0; i < n; i++) m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = y[i] - m;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    return m3 / pow(m2, 1.5);
}

/* Output warping keeps the order, tames skew, and leaves normal-looking
 * data nearly linear. */
static void test_output_warping(void **state)
{
    (void)state;
    enum { N = 200 };
    double y[N], w[N];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < N; i++) {
        /* sum of 12 uniforms - 6: close to a standard normal */
        double s = 0;
        for (int k = 0; k < 12; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s += (double)(x >> 11) / 9007199254740992.0;
        }
        y[i] = s - 6;
    }
    memcpy(w, y, sizeof w);
    double lam = bo_warp_outputs(w, N);
    assert_true(fabs(lam - 1) < 0.5);
    /* a heavy right tail (exp of normal, as a cost with rare huge values) */
    for (size_t i = 0; i < N; i++) w[i] = exp(2 * y[i]);
    double before = skewness(w, N);
    memcpy(y, w, sizeof w);
    lam = bo_warp_outputs(w, N);
    assert_true(lam < 1);
    assert_true(fabs(skewness(w, N)) < 0.5 * fabs(before));
    for (size_t i = 0; i < N; i++) {
        assert_true(isfinite(w[i]));
        for (size_t j = 0; j < N; j++)
            if (y[i] < y[j]) assert_true(w[i] < w[j]);
    }
    double c[3] = {2, 2, 2};
    assert_true(isnan(bo_warp_outputs(c, 3)));
    assert_true(c[0] == 2 && c[2] == 2);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_validation_messages),
        cmocka_unit_test(test_samplers_distinct_deterministic),
        cmocka_unit_test(test_sobol_sequence_continues),
        cmocka_unit_test(test_finite_space),
        cmocka_unit_test(test_gp_minimize_maximize),
        cmocka_unit_test(test_gp_initial_design_is_sobol),
        cmocka_unit_test(test_gp_batch_pending),
        cmocka_unit_test(test_gp_infeasible),
        cmocka_unit_test(test_gp_mixed_space),
        cmocka_unit_test(test_gp_finite_space),
        cmocka_unit_test(test_gp_repeats_and_state_reuse),
        cmocka_unit_test(test_output_warping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
