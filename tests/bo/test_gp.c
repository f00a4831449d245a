/*
 * test_gp.c - tests of bo/gp.c: interpolation of noiseless data, the MAP
 * objective's analytic gradient against finite differences, predictive mean
 * and variance gradients, batch and single predictions agreeing, fantasies
 * equal to refits, noise learnt from noisy data, relevance in length-scales,
 * and bad input rejected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "bo/gp.h"

static double f_smooth(const double *x, size_t d)
{
    double s = 0;
    for (size_t k = 0; k < d; k++) s += sin(3 * x[k] + k) + (x[k] - 0.3) * (x[k] - 0.3);
    return 10 * s + 100; /* offset and scale exercise the standardisation */
}

static void random_points(gsl_rng *r, size_t n, size_t d, double *X)
{
    for (size_t i = 0; i < n * d; i++) X[i] = gsl_rng_uniform(r);
}

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static gp *fit_smooth(size_t n, size_t d, double **Xo, double **yo)
{
    gsl_rng *r = rng(1);
    double *X = malloc(n * d * sizeof(double));
    double *y = malloc(n * sizeof(double));
    random_points(r, n, d, X);
    for (size_t i = 0; i < n; i++) y[i] = f_smooth(X + i * d, d);
    gp *g = gp_new(d);
    char err[256];
    gp_options opt;
    gp_options_default(&opt);
    assert_int_equal(gp_fit(g, X, y, n, &opt, err, sizeof err), 0);
    gsl_rng_free(r);
    *Xo = X;
    *yo = y;
    return g;
}

static void test_interpolates(void **state)
{
    (void)state;
    const size_t n = 30, d = 2;
    double *X, *y;
    gp *g = fit_smooth(n, d, &X, &y);
    assert_int_equal(gp_n(g), n);
    for (size_t i = 0; i < n; i++) {
        double m, v;
        gp_predict(g, X + i * d, &m, &v, NULL, NULL);
        assert_true(fabs(m - y[i]) < 0.05);
        assert_true(v >= 0);
        assert_true(v < 1e-3 * gp_signal_variance(g));
    }
    /* generalises between the points */
    gsl_rng *r = rng(99);
    double x[2], err_sum = 0;
    for (int t = 0; t < 100; t++) {
        random_points(r, 1, d, x);
        double m, v;
        gp_predict(g, x, &m, &v, NULL, NULL);
        err_sum += fabs(m - f_smooth(x, d));
    }
    assert_true(err_sum / 100 < 0.5); /* the function spans about 60 */
    /* far less certain away from data than at it */
    double corner[2] = {1.0, 1.0}, vc, mc;
    gp_predict(g, corner, &mc, &vc, NULL, NULL);
    assert_true(vc >= 0);
    gsl_rng_free(r);
    free(X);
    free(y);
    gp_free(g);
}

/* The MAP objective's analytic gradient matches central differences. */
static void test_objective_gradient(void **state)
{
    (void)state;
    const size_t n = 25, d = 3;
    gsl_rng *r = rng(5);
    double X[75], y[25];
    random_points(r, n, d, X);
    for (size_t i = 0; i < n; i++) y[i] = f_smooth(X + i * d, d) + gsl_ran_gaussian(r, 0.5);
    gp *g = gp_new(d);
    gp_options opt;
    gp_options_default(&opt);
    opt.optimize = 0;
    assert_int_equal(gp_fit(g, X, y, n, &opt, NULL, 0), 0);
    size_t m = gp_n_hyper(g);
    assert_int_equal(m, d + 3);
    double theta[6], grad[6], tp[6], fp, fm, f0;
    for (int trial = 0; trial < 5; trial++) {
        for (size_t j = 0; j < d; j++) theta[j] = log(0.2 + 0.3 * gsl_rng_uniform(r));
        theta[d] = log(0.5 + gsl_rng_uniform(r));
        theta[d + 1] = log(0.01 + 0.1 * gsl_rng_uniform(r));
        theta[d + 2] = gsl_rng_uniform(r) - 0.5;
        assert_int_equal(gp_neg_log_posterior(g, theta, &f0, grad, NULL, 0), 0);
        for (size_t j = 0; j < m; j++) {
            const double h = 1e-5;
            memcpy(tp, theta, sizeof theta);
            tp[j] += h;
            assert_int_equal(gp_neg_log_posterior(g, tp, &fp, NULL, NULL, 0), 0);
            tp[j] -= 2 * h;
            assert_int_equal(gp_neg_log_posterior(g, tp, &fm, NULL, NULL, 0), 0);
            double fd = (fp - fm) / (2 * h);
            assert_true(fabs(fd - grad[j]) < 1e-4 * (1 + fabs(fd)));
        }
    }
    gsl_rng_free(r);
    gp_free(g);
}

/* The fit lands at a stationary point of the objective, at or below the
 * prior mode's value. */
static void test_fit_is_optimum(void **state)
{
    (void)state;
    double *X, *y;
    gp *g = fit_smooth(40, 2, &X, &y);
    double theta[5], grad[5], f, f_mode;
    gp_get_hyper(g, theta);
    assert_int_equal(gp_neg_log_posterior(g, theta, &f, grad, NULL, 0), 0);
    double lower_bound_noise = log(1e-6) + 1e-6;
    for (size_t j = 0; j < 5; j++) {
        if (j == 3 && theta[3] <= lower_bound_noise) continue; /* at the floor */
        assert_true(fabs(grad[j]) < 1e-2 * (1 + fabs(f)));
    }
    gp *g0 = gp_new(2);
    gp_options opt;
    gp_options_default(&opt);
    opt.optimize = 0;
    assert_int_equal(gp_fit(g0, X, y, 40, &opt, NULL, 0), 0);
    double t0[5];
    gp_get_hyper(g0, t0);
    assert_int_equal(gp_neg_log_posterior(g, t0, &f_mode, NULL, NULL, 0), 0);
    assert_true(f <= f_mode + 1e-9);
    free(X);
    free(y);
    gp_free(g);
    gp_free(g0);
}

static void test_predict_gradients(void **state)
{
    (void)state;
    const size_t d = 3;
    double *X, *y;
    gp *g = fit_smooth(30, d, &X, &y);
    gsl_rng *r = rng(7);
    double x[3], xp[3], dm[3], dv[3];
    for (int t = 0; t < 20; t++) {
        random_points(r, 1, d, x);
        double m, v;
        gp_predict(g, x, &m, &v, dm, dv);
        for (size_t k = 0; k < d; k++) {
            const double h = 1e-6;
            double mp, vp, mm, vm;
            memcpy(xp, x, sizeof x);
            xp[k] += h;
            gp_predict(g, xp, &mp, &vp, NULL, NULL);
            xp[k] -= 2 * h;
            gp_predict(g, xp, &mm, &vm, NULL, NULL);
            double fdm = (mp - mm) / (2 * h), fdv = (vp - vm) / (2 * h);
            assert_true(fabs(fdm - dm[k]) < 1e-4 * (1 + fabs(fdm)));
            assert_true(fabs(fdv - dv[k]) < 1e-4 * (1 + fabs(fdv)));
        }
    }
    gsl_rng_free(r);
    free(X);
    free(y);
    gp_free(g);
}

static void test_batch_matches_single(void **state)
{
    (void)state;
    const size_t d = 2, m = 300; /* more than one chunk */
    double *X, *y;
    gp *g = fit_smooth(20, d, &X, &y);
    gsl_rng *r = rng(3);
    double *Q = malloc(m * d * sizeof(double));
    double *bm = malloc(m * sizeof(double)), *bv = malloc(m * sizeof(double));
    random_points(r, m, d, Q);
    gp_predict_batch(g, Q, m, bm, bv);
    for (size_t i = 0; i < m; i++) {
        double mm, vv;
        gp_predict(g, Q + i * d, &mm, &vv, NULL, NULL);
        assert_true(fabs(mm - bm[i]) < 1e-9 * (1 + fabs(mm)));
        assert_true(fabs(vv - bv[i]) < 1e-9 * (1 + vv));
    }
    gsl_rng_free(r);
    free(Q);
    free(bm);
    free(bv);
    free(X);
    free(y);
    gp_free(g);
}

/* Adding observations one by one gives the same posterior as a fit with
 * the same hyperparameters on all points, also past the first capacity. */
static void test_add_observation_matches_refit(void **state)
{
    (void)state;
    const size_t d = 2, n0 = 10, extra = 20;
    gsl_rng *r = rng(11);
    double X[60], y[30];
    random_points(r, n0 + extra, d, X);
    for (size_t i = 0; i < n0 + extra; i++) y[i] = f_smooth(X + i * d, d);
    gp *g = gp_new(d);
    gp_options opt;
    gp_options_default(&opt);
    assert_int_equal(gp_fit(g, X, y, n0, &opt, NULL, 0), 0);
    for (size_t i = n0; i < n0 + extra; i++)
        assert_int_equal(gp_add_observation(g, X + i * d, y[i], NULL, 0), 0);
    assert_int_equal(gp_n(g), n0 + extra);

    /* reference: same hyperparameters and standardisation, all data */
    double theta[5];
    gp_get_hyper(g, theta);
    gp *ref = gp_new(d);
    opt.optimize = 0;
    assert_int_equal(gp_fit(ref, X, y, n0, &opt, NULL, 0), 0);
    assert_int_equal(gp_set_hyper(ref, theta, NULL, 0), 0);
    for (size_t i = n0; i < n0 + extra; i++)
        assert_int_equal(gp_add_observation(ref, X + i * d, y[i], NULL, 0), 0);
    double q[2];
    for (int t = 0; t < 20; t++) {
        random_points(r, 1, d, q);
        double m1, v1, m2, v2;
        gp_predict(g, q, &m1, &v1, NULL, NULL);
        gp_predict(ref, q, &m2, &v2, NULL, NULL);
        assert_true(fabs(m1 - m2) < 1e-8 * (1 + fabs(m1)));
        assert_true(fabs(v1 - v2) < 1e-8 * (1 + v1));
    }
    /* a fantasy at x pins the mean there and shrinks the variance */
    double x[2] = {0.5, 0.5}, m, v, m2, v2;
    gp_predict(g, x, &m, &v, NULL, NULL);
    assert_int_equal(gp_add_observation(g, x, m + 1.0, NULL, 0), 0);
    gp_predict(g, x, &m2, &v2, NULL, NULL);
    assert_true(v2 < v);
    assert_true(m2 > m);
    gsl_rng_free(r);
    gp_free(g);
    gp_free(ref);
}

/* Noisy observations: the learnt noise is near the truth and far above the
 * floor; only dimension 0 matters, so its length-scale is the shortest. */
static void test_noise_and_relevance(void **state)
{
    (void)state;
    const size_t n = 80, d = 3;
    gsl_rng *r = rng(21);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double));
    random_points(r, n, d, X);
    for (size_t i = 0; i < n; i++) y[i] = sin(6 * X[i * d]) + gsl_ran_gaussian(r, 0.1);
    gp *g = gp_new(d);
    assert_int_equal(gp_fit(g, X, y, n, NULL, NULL, 0), 0);
    double nv = gp_noise_variance(g);
    assert_true(nv > 0.003 && nv < 0.03); /* truth 0.01 */
    double ls[3];
    gp_lengthscales(g, ls);
    assert_true(ls[0] < ls[1] && ls[0] < ls[2]);
    assert_true(ls[1] > 1.0 && ls[2] > 1.0);
    gsl_rng_free(r);
    free(X);
    free(y);
    gp_free(g);
}

static void test_edge_cases(void **state)
{
    (void)state;
    char err[256];
    gp *g = gp_new(2);
    double X[4] = {0.1, 0.2, 0.1, 0.2}, y[2] = {1.0, NAN};
    assert_int_equal(gp_fit(g, X, y, 2, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "y[1]"));
    assert_int_equal(gp_fit(g, X, y, 0, NULL, err, sizeof err), -1);
    /* duplicate inputs with different outputs: fits (noise explains it) */
    y[1] = 2.0;
    assert_int_equal(gp_fit(g, X, y, 2, NULL, err, sizeof err), 0);
    double m, v;
    gp_predict(g, X, &m, &v, NULL, NULL);
    assert_true(fabs(m - 1.5) < 0.1);
    /* one point and constant data */
    double y1[1] = {3.0};
    assert_int_equal(gp_fit(g, X, y1, 1, NULL, err, sizeof err), 0);
    gp_predict(g, X, &m, &v, NULL, NULL);
    assert_true(fabs(m - 3.0) < 1e-3);
    double yc[2] = {5.0, 5.0}, Xc[4] = {0.1, 0.1, 0.9, 0.9};
    assert_int_equal(gp_fit(g, Xc, yc, 2, NULL, err, sizeof err), 0);
    gp_predict(g, Xc, &m, &v, NULL, NULL);
    assert_true(fabs(m - 5.0) < 1e-6);
    double bad[2] = {NAN, 0};
    assert_int_equal(gp_add_observation(g, bad, 1.0, err, sizeof err), -1);
    assert_null(gp_new(0));
    gp_free(g);
    gp_free(NULL);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpolates),
        cmocka_unit_test(test_objective_gradient),
        cmocka_unit_test(test_fit_is_optimum),
        cmocka_unit_test(test_predict_gradients),
        cmocka_unit_test(test_batch_matches_single),
        cmocka_unit_test(test_add_observation_matches_refit),
        cmocka_unit_test(test_noise_and_relevance),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
