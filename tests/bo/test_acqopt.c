/*
 * test_acqopt.c - tests of bo/acqopt.c: finding the maximiser of known
 * functions with and without gradients, snapping in mixed spaces (with and
 * without gradients), never
 * returning an excluded point, failing cleanly when all are excluded, and
 * determinism per seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>

#include "bo/acqopt.h"

static const double target[4] = {0.31, 0.77, 0.12, 0.5};

/* A smooth bump with its peak at `target`, plus a weaker bump elsewhere. */
static double bump(const double *u, double *grad, void *ctx)
{
    size_t d = *(size_t *)ctx;
    double s1 = 0, s2 = 0;
    for (size_t k = 0; k < d; k++) {
        s1 += (u[k] - target[k]) * (u[k] - target[k]);
        s2 += (u[k] - 0.9) * (u[k] - 0.9);
    }
    double e1 = exp(-20 * s1), e2 = 0.5 * exp(-50 * s2);
    if (grad)
        for (size_t k = 0; k < d; k++)
            grad[k] = -40 * (u[k] - target[k]) * e1 - 100 * (u[k] - 0.9) * e2;
    return e1 + e2;
}

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

static void test_finds_peak(void **state)
{
    (void)state;
    for (size_t d = 1; d <= 4; d++) {
        space *sp = float_space(d);
        for (int with_grad = 0; with_grad <= 1; with_grad++) {
            acqopt_options opt;
            acqopt_options_default(&opt);
            opt.has_gradient = with_grad;
            opt.seed = 3;
            double u[4], v;
            char err[128];
            assert_int_equal(acqopt_maximize(sp, bump, &d, &opt, NULL, 0, u, &v, err, sizeof err), 0);
            for (size_t k = 0; k < d; k++) assert_true(fabs(u[k] - target[k]) < 1e-3);
            assert_true(v > 0.999);
        }
        space_free(sp);
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    size_t d = 3;
    space *sp = float_space(d);
    acqopt_options opt;
    acqopt_options_default(&opt);
    opt.seed = 17;
    opt.n_local = 1;
    opt.n_raw = 64;
    double a[3], b[3], v;
    assert_int_equal(acqopt_maximize(sp, bump, &d, &opt, NULL, 0, a, &v, NULL, 0), 0);
    assert_int_equal(acqopt_maximize(sp, bump, &d, &opt, NULL, 0, b, &v, NULL, 0), 0);
    assert_memory_equal(a, b, sizeof a);
    space_free(sp);
}

/* Mixed space: int k in 0..9 (best 7), categorical c (best "b"), float x
 * (best 0.4). The answer is a snapped, valid configuration at the optimum. */
static double mixed_f(const double *u, double *grad, void *ctx)
{
    const space *sp = ctx;
    (void)sp;
    /* encoded: u[0] = k bin, u[1..3] = one-hot c, u[4] = x */
    double kc = (7 + 0.5) / 10.0;
    double v = -(u[0] - kc) * (u[0] - kc) * 4 + 2 * u[2] + u[1] * 0.5 - (u[4] - 0.4) * (u[4] - 0.4);
    if (grad) {
        grad[0] = -8 * (u[0] - kc);
        grad[1] = 0.5;
        grad[2] = 2;
        grad[3] = 0;
        grad[4] = -2 * (u[4] - 0.4);
    }
    return v;
}

static space *mixed_space(void)
{
    space *sp = space_new();
    const char *ch[] = {"a", "b", "c"};
    assert_int_equal(space_add_int(sp, "k", 0, 9, 0, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "c", ch, 3, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    return sp;
}

static void test_mixed_snapped(void **state)
{
    (void)state;
    space *sp = mixed_space();
    acqopt_options opt;
    acqopt_options_default(&opt);
    /* Without gradients (BOBYQA), a categorical's one-hot columns are
     * fixed during the local refinement: that must work too. */
    opt.has_gradient = 0;
    double u[5], snapped[5], cfg[3], v;
    char err[128] = "";
    if (acqopt_maximize(sp, mixed_f, sp, &opt, NULL, 0, u, &v, err, sizeof err) != 0)
        fail_msg("derivative-free, mixed space: %s", err);
    space_decode(sp, u, cfg);
    assert_true(cfg[0] == 7);
    assert_true(cfg[1] == 1);
    assert_true(fabs(cfg[2] - 0.4) < 1e-2);
    opt.has_gradient = 1;
    assert_int_equal(acqopt_maximize(sp, mixed_f, sp, &opt, NULL, 0, u, &v, NULL, 0), 0);
    memcpy(snapped, u, sizeof u);
    space_snap_encoded(sp, snapped);
    assert_memory_equal(u, snapped, sizeof u);
    space_decode(sp, u, cfg);
    assert_int_equal(space_validate(sp, cfg, NULL, 0), 0);
    assert_true(cfg[0] == 7);
    assert_true(cfg[1] == 1);
    assert_true(fabs(cfg[2] - 0.4) < 1e-3);

    /* exclude the optimum's configuration: the answer moves, never onto it */
    double ex[5];
    memcpy(ex, u, sizeof ex);
    double u2[5], cfg2[3];
    assert_int_equal(acqopt_maximize(sp, mixed_f, sp, &opt, ex, 1, u2, &v, NULL, 0), 0);
    assert_false(space_encoded_equal(sp, u2, ex));
    space_decode(sp, u2, cfg2);
    assert_int_equal(space_validate(sp, cfg2, NULL, 0), 0);
    space_free(sp);
}

static double cat_f(const double *u, double *grad, void *ctx)
{
    (void)grad;
    (void)ctx;
    return u[0] * 3 + u[1] * 2 + u[2];
}

/* A space of 3 configurations: each exclusion pushes the answer to the next
 * best; with all excluded the call fails with a message. */
static void test_exclusion_finite(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *ch[] = {"a", "b", "c"};
    assert_int_equal(space_add_categorical(sp, "c", ch, 3, NULL, 0), 0);
    acqopt_options opt;
    acqopt_options_default(&opt);
    double ex[9], u[3], v, cfg;
    char err[160];
    for (int k = 0; k < 3; k++) {
        assert_int_equal(acqopt_maximize(sp, cat_f, NULL, &opt, ex, (size_t)k, u, &v, err, sizeof err), 0);
        space_decode(sp, u, &cfg);
        assert_true(cfg == (double)k);
        memcpy(ex + 3 * k, u, sizeof u);
    }
    assert_int_equal(acqopt_maximize(sp, cat_f, NULL, &opt, ex, 3, u, &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "already observed or pending"));
    space_free(sp);
}

static int batch_calls;
static void bump_batch(const double *U, size_t m, double *values, void *ctx)
{
    size_t d = *(size_t *)ctx;
    batch_calls++;
    for (size_t i = 0; i < m; i++) values[i] = bump(U + i * d, NULL, ctx);
}

static void test_batch_and_anchors(void **state)
{
    (void)state;
    size_t d = 2;
    space *sp = float_space(d);
    acqopt_options opt;
    acqopt_options_default(&opt);
    opt.batch = bump_batch;
    opt.has_gradient = 1;
    double anchor[2] = {0.3, 0.75};
    opt.anchors = anchor;
    opt.n_anchors = 1;
    opt.n_raw = 16; /* few raw points: the anchors carry the search */
    double u[2], v;
    batch_calls = 0;
    assert_int_equal(acqopt_maximize(sp, bump, &d, &opt, NULL, 0, u, &v, NULL, 0), 0);
    assert_int_equal(batch_calls, 1);
    assert_true(fabs(u[0] - target[0]) < 1e-3 && fabs(u[1] - target[1]) < 1e-3);
    assert_int_equal(acqopt_maximize(NULL, bump, &d, &opt, NULL, 0, u, &v, NULL, 0), -1);
    space_free(sp);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_peak),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_mixed_snapped),
        cmocka_unit_test(test_exclusion_finite),
        cmocka_unit_test(test_batch_and_anchors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
