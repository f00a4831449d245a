/*
 * test_blend.c - the plain GP beside the graph model: the stacking weight
 * goes to the model that predicts held-out trials better (1 and 0 at the
 * extremes, strictly between when each wins on some trials), the mixture's
 * log EI lies between log w + lg and the log of the sum, its gradient
 * matches central differences, and weight 1 leaves the graph's value alone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "structure/blend.h"

static void test_weight_extremes(void **state)
{
    (void)state;
    double a[4] = {-0.5, -0.2, -0.4, -0.3}, b[4] = {-2.0, -1.5, -3.0, -2.5};
    assert_true(blend_stacking_weight(a, b, 4) == 1.0);
    assert_true(blend_stacking_weight(b, a, 4) == 0.0);
    assert_true(blend_stacking_weight(a, b, 0) == 1.0);
}

static void test_weight_between(void **state)
{
    (void)state;
    /* each model is far better on half the trials: both are needed */
    double a[4] = {-0.1, -0.1, -6.0, -6.0}, b[4] = {-6.0, -6.0, -0.1, -0.1};
    double w = blend_stacking_weight(a, b, 4);
    assert_true(fabs(w - 0.5) < 1e-6);
    /* a better on three trials of four: weight above one half */
    double c[4] = {-0.1, -0.1, -0.1, -6.0}, d[4] = {-6.0, -6.0, -6.0, -0.1};
    double w2 = blend_stacking_weight(c, d, 4);
    assert_true(w2 > 0.6 && w2 < 1.0);
}

#define N 12
#define D 2

static void data(double *U, double *t, unsigned char *use)
{
    uint64_t s = 11;
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < D; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            U[i * D + k] = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
        }
        t[i] = -(U[i * D] - 0.3) * (U[i * D] - 0.3) - 0.5 * U[i * D + 1];
        use[i] = 1;
    }
}

static void test_mixture_value_and_gradient(void **state)
{
    (void)state;
    double U[N * D], t[N];
    unsigned char use[N];
    data(U, t, use);
    double best = -INFINITY;
    for (size_t i = 0; i < N; i++)
        best = fmax(best, t[i]);
    gp *g = gp_new(D);
    blend b;
    assert_int_equal(blend_init(&b, g, 0.4, best, U, t, use, N, D, 5, NULL, 0), 0);
    assert_true(blend_active(&b));
    double u[D] = {0.35, 0.2}, gg[D] = {0.7, -1.3}, grad[D];
    double lg = -3.0;
    double v = blend_log_acq(&b, u, lg, gg, grad);
    /* the mixture is at least the graph's weighted share */
    assert_true(v >= log(0.4) + lg - 1e-12);
    double h = 1e-5;
    for (size_t k = 0; k < D; k++) {
        double up[D], dn[D];
        memcpy(up, u, sizeof up);
        memcpy(dn, u, sizeof dn);
        up[k] += h;
        dn[k] -= h;
        /* the graph's value moves with its own gradient */
        double vu = blend_log_acq(&b, up, lg + gg[k] * h, NULL, NULL);
        double vd = blend_log_acq(&b, dn, lg - gg[k] * h, NULL, NULL);
        double fd = (vu - vd) / (2 * h);
        assert_true(fabs(fd - grad[k]) < 1e-4 * (1 + fabs(fd)));
    }
    /* batch agrees with the point value */
    double vb = lg;
    blend_log_acq_batch(&b, u, 1, &vb);
    assert_true(fabs(vb - v) < 1e-12);
    blend_free(&b);
    gp_free(g);
}

static void test_weight_one_is_the_graph(void **state)
{
    (void)state;
    double U[N * D], t[N];
    unsigned char use[N];
    data(U, t, use);
    gp *g = gp_new(D);
    blend b;
    assert_int_equal(blend_init(&b, g, 1.0, 0.0, U, t, use, N, D, 5, NULL, 0), 0);
    assert_false(blend_active(&b));
    double u[D] = {0.5, 0.5}, gg[D] = {0.25, 0.5}, grad[D];
    assert_true(blend_log_acq(&b, u, -2.0, gg, grad) == -2.0);
    assert_true(grad[0] == 0.25 && grad[1] == 0.5);
    assert_int_equal(blend_add_fantasy(&b, u, NULL, 0), 0);
    blend_free(&b);
    gp_free(g);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_extremes),
        cmocka_unit_test(test_weight_between),
        cmocka_unit_test(test_mixture_value_and_gradient),
        cmocka_unit_test(test_weight_one_is_the_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
