/*
 * test_acquisition.c - tests of bo/acquisition.c: log h(z) against an
 * extended-precision reference down to z = -40, where naive EI in double
 * has long underflowed; monotonicity and finiteness far in the tail; the
 * branches joining continuously; analytic derivatives against finite
 * differences; LogEI against log(EI) where naive EI is accurate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <gsl/gsl_errno.h>

#include "bo/acquisition.h"

/* h(z) = phi(z) + z Phi(z) in long double: 64-bit mantissa and a range to
 * 1e-4951, so the cancellation (a factor ~z^2) still leaves ~1e-16. */
static long double ref_h(long double z)
{
    long double phi = expl(-0.5L * z * z) / sqrtl(2.0L * 3.14159265358979323846264338327950288L);
    long double Phi = 0.5L * erfcl(-z / sqrtl(2.0L));
    return phi + z * Phi;
}

static double naive_ei(double mean, double sd, double best)
{
    double z = (mean - best) / sd;
    double phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
    double Phi = 0.5 * erfc(-z / sqrt(2.0));
    return sd * (phi + z * Phi);
}

static void test_log_h_matches_reference(void **state)
{
    (void)state;
    for (double z = -40.0; z <= 10.0; z += 0.0625) {
        double v = acq_log_h(z, NULL);
        double ref = (double)logl(ref_h((long double)z));
        assert_true(isfinite(v));
        assert_true(fabs(v - ref) <= 1e-11 * fabs(ref) + 1e-13);
    }
    /* naive double EI is zero at z = -40; LogEI is not */
    assert_true(naive_ei(-40.0, 1.0, 0.0) == 0.0);
    assert_true(isfinite(acq_log_ei(-40.0, 1.0, 0.0, NULL, NULL)));
}

static void test_tail_monotone_finite(void **state)
{
    (void)state;
    double prev = -INFINITY;
    for (double z = -1e4; z <= 5; z += (z < -100 ? 1.0 : 0.01)) {
        double dz;
        double v = acq_log_h(z, &dz);
        assert_true(isfinite(v));
        assert_true(v > prev);
        assert_true(dz > 0 && isfinite(dz));
        prev = v;
    }
    /* far tail: -z^2/2 - log(2pi)/2 - 2 log|z| */
    double z = -1e9;
    double v = acq_log_h(z, NULL);
    double asym = -0.5 * z * z - 0.5 * log(2 * M_PI) - 2 * log(-z);
    assert_true(isfinite(v));
    assert_true(fabs(v - asym) <= 1e-12 * fabs(asym));
    assert_true(isfinite(acq_log_h(-1e100, NULL)));
}

static void test_branches_continuous(void **state)
{
    (void)state;
    const double joins[] = {-1.0, -12.0, -1e8};
    for (int j = 0; j < 3; j++) {
        double z = joins[j];
        double eps = 1e-9 * fabs(z);
        double dl, dr;
        double l = acq_log_h(z - eps, &dl), r = acq_log_h(z + eps, &dr);
        assert_true(fabs(l - r) <= 1e-8 * (1 + fabs(l)) + fabs(dl) * 2 * eps * 1.01);
        assert_true(fabs(dl - dr) <= 1e-6 * (1 + fabs(dl)));
    }
}

static void test_log_h_derivative(void **state)
{
    (void)state;
    const double zs[] = {-500, -60, -40, -13, -12.5, -11, -5, -1.5, -1.0, -0.5, 0, 0.7, 3, 8};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        double z = zs[i], dz;
        acq_log_h(z, &dz);
        double h = 1e-6 * fmax(1.0, fabs(z));
        double fd = (acq_log_h(z + h, NULL) - acq_log_h(z - h, NULL)) / (2 * h);
        assert_true(fabs(fd - dz) <= 1e-5 * (1 + fabs(dz)));
    }
}

static void test_log_ei(void **state)
{
    (void)state;
    /* equals log(EI) where EI is comfortably representable */
    const double means[] = {-3, -1, 0, 0.5, 2, 10};
    const double sds[] = {0.1, 1, 3};
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 3; j++) {
            double m = means[i], s = sds[j], best = 0.3;
            double ei = naive_ei(m, s, best);
            if (ei < 1e-200) continue;
            double v = acq_log_ei(m, s, best, NULL, NULL);
            assert_true(fabs(v - log(ei)) <= 1e-9 * (1 + fabs(v)));
        }
    /* derivatives in mean and sd */
    const double pts[][3] = {{0.0, 1.0, 0.0}, {-5.0, 0.2, 1.0}, {3.0, 2.0, 1.0}, {-40.0, 1.0, 0.0}};
    for (int t = 0; t < 4; t++) {
        double m = pts[t][0], s = pts[t][1], best = pts[t][2];
        double dm, ds;
        acq_log_ei(m, s, best, &dm, &ds);
        double h = 1e-6;
        double fdm = (acq_log_ei(m + h, s, best, NULL, NULL) - acq_log_ei(m - h, s, best, NULL, NULL)) / (2 * h);
        double fds = (acq_log_ei(m, s + h, best, NULL, NULL) - acq_log_ei(m, s - h, best, NULL, NULL)) / (2 * h);
        assert_true(fabs(fdm - dm) <= 1e-5 * (1 + fabs(dm)));
        assert_true(fabs(fds - ds) <= 1e-5 * (1 + fabs(ds)));
    }
    /* more uncertainty and a better mean both help */
    assert_true(acq_log_ei(0, 2, 1, NULL, NULL) > acq_log_ei(0, 1, 1, NULL, NULL));
    assert_true(acq_log_ei(0.5, 1, 1, NULL, NULL) > acq_log_ei(0, 1, 1, NULL, NULL));
    /* no uncertainty: log of the plain improvement, or -inf */
    assert_true(fabs(acq_log_ei(3, 0, 1, NULL, NULL) - log(2.0)) < 1e-15);
    assert_true(isinf(acq_log_ei(0, 0, 1, NULL, NULL)));
}

static void test_ucb(void **state)
{
    (void)state;
    double dm, ds;
    assert_true(acq_ucb(1.0, 0.5, 2.0, &dm, &ds) == 2.0);
    assert_true(dm == 1.0 && ds == 2.0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_h_matches_reference),
        cmocka_unit_test(test_tail_monotone_finite),
        cmocka_unit_test(test_branches_continuous),
        cmocka_unit_test(test_log_h_derivative),
        cmocka_unit_test(test_log_ei),
        cmocka_unit_test(test_ucb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
