/*
 * test_suggest_multi.c - tests of bo/suggest_multi.c: request validation,
 * valid and distinct proposals deterministic per seed (design and model
 * phases, batches with pending points, infeasible rows), and the
 * per-objective predictions.
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

#include "bo/pareto.h"
#include "bo/suggest_multi.h"

/* |a - b| <= tol (this cmocka has no assert_double_equal) */
#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

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

static void assert_all_distinct_valid(const space *sp, const double *pts, size_t n,
                                      const double *other, size_t n_other)
{
    size_t p = space_size(sp);
    char err[256];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(space_validate(sp, pts + i * p, err, sizeof err), 0);
        for (size_t j = 0; j < i; j++)
            assert_false(space_config_equal(sp, pts + i * p, pts + j * p));
        for (size_t j = 0; j < n_other; j++)
            assert_false(space_config_equal(sp, pts + i * p, other + j * p));
    }
}

/* ZDT1 on the unit square (both minimised). */
static void zdt1(const double *x, size_t d, double *f)
{
    double g = 0;
    for (size_t i = 1; i < d; i++) g += x[i];
    g = 1 + 9 * g / (double)(d > 1 ? d - 1 : 1);
    f[0] = x[0];
    f[1] = g * (1 - sqrt(x[0] / g));
}

static const int MIN2[2] = {0, 0};

static void test_validation(void **state)
{
    (void)state;
    char err[256];
    space *sp = float_space(2);
    bo_multi_request req;
    bo_multi_request_init(&req, sp);
    double out[4];
    /* no maximize flags */
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "maximize"));
    req.maximize = MIN2;
    req.n_objectives = 5;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "5 objectives"));
    req.n_objectives = 1;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    req.n_objectives = 2;
    double X[] = {0.1, 0.2, 0.3, 0.4};
    double Y[] = {1, 2, 3, NAN};
    req.X = X;
    req.Y = Y;
    req.n_obs = 2;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "observation 1: objective 1"));
    unsigned char inf[] = {0, 1};
    req.infeasible = inf;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), 0);
    X[0] = 2;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "observation 0"));
    X[0] = 0.1;
    req.count = 100000;
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "count"));
    assert_int_equal(bo_suggest_multi(NULL, out, err, sizeof err), -1);
    space_free(sp);
}

/* A study run from scratch: n trials of ZDT1 proposed `batch` at a time. */
static void run_zdt1(const space *sp, uint64_t seed, size_t n, size_t batch, double *X, double *Y)
{
    size_t d = space_size(sp);
    bo_multi_request req;
    bo_multi_request_init(&req, sp);
    req.maximize = MIN2;
    req.X = X;
    req.Y = Y;
    req.seed = seed;
    char err[256];
    for (size_t k = 0; k < n; k += batch) {
        req.n_obs = k;
        req.count = k + batch <= n ? batch : n - k;
        int rc = bo_suggest_multi(&req, X + k * d, err, sizeof err);
        if (rc != 0) fail_msg("%s", err);
        assert_all_distinct_valid(sp, X + k * d, req.count, X, k);
        for (size_t i = 0; i < req.count; i++) zdt1(X + (k + i) * d, d, Y + (k + i) * 2);
    }
}

static void test_distinct_deterministic(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X1[16 * 2], Y1[16 * 2], X2[16 * 2], Y2[16 * 2], X3[16 * 2], Y3[16 * 2];
    run_zdt1(sp, 3, 16, 3, X1, Y1);
    run_zdt1(sp, 3, 16, 3, X2, Y2);
    assert_memory_equal(X1, X2, sizeof X1);
    run_zdt1(sp, 4, 16, 3, X3, Y3);
    assert_memory_not_equal(X1, X3, sizeof X1);
    space_free(sp);
}

static void test_pending_and_infeasible(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X[12 * 2], Y[12 * 2];
    run_zdt1(sp, 9, 12, 4, X, Y);
    unsigned char inf[12] = {0};
    inf[2] = inf[7] = 1;
    Y[2 * 2] = NAN;
    Y[7 * 2 + 1] = INFINITY;
    bo_multi_request req;
    bo_multi_request_init(&req, sp);
    req.maximize = MIN2;
    req.X = X;
    req.Y = Y;
    req.infeasible = inf;
    req.n_obs = 10;
    req.pending = X + 10 * 2;
    req.n_pending = 2;
    req.count = 3;
    req.seed = 1;
    bo_explain ex[3];
    memset(ex, 0, sizeof ex);
    req.explain = ex;
    double out[3 * 2];
    char err[256];
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), 0);
    assert_all_distinct_valid(sp, out, 3, X, 12);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ex[k].from_model, 1);
        assert_true(isfinite(ex[k].mean) && ex[k].sd >= 0);
    }
    space_free(sp);
}

static void test_predict(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X[12 * 2], Y[12 * 2];
    run_zdt1(sp, 5, 12, 12, X, Y);
    bo_multi_request req;
    bo_multi_request_init(&req, sp);
    req.maximize = MIN2;
    req.X = X;
    req.Y = Y;
    req.n_obs = 12;
    double mean[2 * 2], sd[2 * 2];
    char err[256];
    assert_int_equal(bo_predict_multi(&req, X, 2, mean, sd, err, sizeof err), 0);
    /* near-interpolation at observed points, in the objectives' units */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            assert_near(mean[i * 2 + j], Y[i * 2 + j], 0.05 * (1 + fabs(Y[i * 2 + j])));
            assert_true(sd[i * 2 + j] >= 0);
        }
    req.n_obs = 1;
    assert_int_equal(bo_predict_multi(&req, X, 1, mean, sd, err, sizeof err), -1);
    assert_non_null(strstr(err, "2 distinct"));
    space_free(sp);
}

/* ZDT1 with 2 parameters, 30 trials one at a time from seed 1: the
 * hypervolume (reference (1.1, 1.1)) beats 30 uniform random points of the
 * same seed's stream. */
static void test_zdt1_beats_random(void **state)
{
    (void)state;
    space *sp = float_space(2);
    double X[30 * 2], Y[30 * 2];
    run_zdt1(sp, 1, 30, 1, X, Y);
    double ref[2] = {1.1, 1.1};
    double hv = pareto_hypervolume(Y, 30, 2, MIN2, ref);
    bo_request rnd;
    bo_request_init(&rnd, sp);
    rnd.algorithm = BO_RANDOM;
    rnd.count = 30;
    rnd.seed = 1;
    double Xr[30 * 2], Yr[30 * 2];
    assert_int_equal(bo_suggest(&rnd, Xr, NULL, 0), 0);
    for (int i = 0; i < 30; i++) zdt1(Xr + i * 2, 2, Yr + i * 2);
    double hv_random = pareto_hypervolume(Yr, 30, 2, MIN2, ref);
    print_message("ZDT1 hypervolume after 30: bograph %.4f, random %.4f (max 0.8767)\n", hv, hv_random);
    assert_true(hv > hv_random);
    space_free(sp);
}

/* DTLZ2-like, m objectives on 3 parameters (all minimised): x0, x1 place
 * the point on the sphere (x1 serving twice for m = 4), x2 its distance. */
static void dtlz2(const double *x, size_t m, double *f)
{
    double g = (x[2] - 0.5) * (x[2] - 0.5);
    for (size_t j = 0; j < m; j++) {
        double v = 1 + g;
        for (size_t t = 0; t + j + 1 < m; t++) v *= cos(x[t < 2 ? t : 1] * M_PI / 2);
        if (j > 0) v *= sin(x[m - j - 1 < 2 ? m - j - 1 : 1] * M_PI / 2);
        f[j] = v;
    }
}

/* Three and four objectives (the Monte-Carlo EHVI): valid, distinct,
 * deterministic batches after the design, with a maximised objective. */
static void test_three_four_objectives(void **state)
{
    (void)state;
    space *sp = float_space(3);
    for (size_t m = 3; m <= 4; m++) {
        int mx[4] = {0, 1, 0, 0};
        double X[16 * 3], Y[16 * 4];
        bo_multi_request req;
        bo_multi_request_init(&req, sp);
        req.n_objectives = m;
        req.maximize = mx;
        req.X = X;
        req.Y = Y;
        req.seed = 21;
        char err[256];
        for (size_t k = 0; k < 12; k += 4) {
            req.n_obs = k;
            req.count = 4;
            bo_explain ex[4];
            memset(ex, 0, sizeof ex);
            req.explain = ex;
            assert_int_equal(bo_suggest_multi(&req, X + k * 3, err, sizeof err), 0);
            assert_all_distinct_valid(sp, X + k * 3, 4, X, k);
            for (size_t i = k; i < k + 4; i++) {
                dtlz2(X + i * 3, m, Y + i * m);
                Y[i * m + 1] = -Y[i * m + 1]; /* maximising -f is minimising f */
            }
            if (k == 8)
                for (int i = 0; i < 4; i++) {
                    assert_int_equal(ex[i].from_model, 1);
                    assert_true(isfinite(ex[i].acquisition));
                }
        }
        double again[4 * 3];
        req.n_obs = 12;
        req.explain = NULL;
        assert_int_equal(bo_suggest_multi(&req, X + 12 * 3, err, sizeof err), 0);
        assert_int_equal(bo_suggest_multi(&req, again, err, sizeof err), 0);
        assert_memory_equal(again, X + 12 * 3, sizeof again);
        assert_all_distinct_valid(sp, X + 12 * 3, 4, X, 12);
    }
    space_free(sp);
}

/* ZDT1 on 2 parameters where x0 > 0.6 cannot run: after the design, the
 * model's proposals mostly stay where trials run (random would put 40% in
 * the failing region); with every trial infeasible the design goes on. */
static void test_avoids_infeasible_region(void **state)
{
    (void)state;
    space *sp = float_space(2);
    enum { N = 30 };
    double X[N * 2], Y[N * 2];
    unsigned char inf[N] = {0};
    bo_multi_request req;
    bo_multi_request_init(&req, sp);
    req.maximize = MIN2;
    req.X = X;
    req.Y = Y;
    req.infeasible = inf;
    req.seed = 8;
    char err[256];
    size_t model_in_bad = 0, model_total = 0;
    for (size_t k = 0; k < N; k++) {
        bo_explain ex;
        memset(&ex, 0, sizeof ex);
        req.n_obs = k;
        req.explain = &ex;
        int rc = bo_suggest_multi(&req, X + k * 2, err, sizeof err);
        if (rc != 0) fail_msg("%s", err);
        inf[k] = X[k * 2] > 0.6;
        if (inf[k]) Y[k * 2] = Y[k * 2 + 1] = NAN;
        else zdt1(X + k * 2, 2, Y + k * 2);
        if (k >= 10) {
            model_total++;
            model_in_bad += inf[k];
        }
    }
    print_message("proposals 10..29 in the failing region: %zu of %zu\n", model_in_bad, model_total);
    assert_true(model_in_bad * 5 < model_total);
    /* nothing feasible yet: the Sobol design continues */
    memset(inf, 1, sizeof inf);
    bo_explain ex[2];
    memset(ex, 0, sizeof ex);
    req.n_obs = 6;
    req.count = 2;
    req.explain = ex;
    double out[2 * 2];
    assert_int_equal(bo_suggest_multi(&req, out, err, sizeof err), 0);
    assert_all_distinct_valid(sp, out, 2, X, 6);
    assert_int_equal(ex[0].sobol, 1);
    assert_int_equal(ex[1].sobol, 1);
    space_free(sp);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_distinct_deterministic),
        cmocka_unit_test(test_pending_and_infeasible),
        cmocka_unit_test(test_predict),
        cmocka_unit_test(test_zdt1_beats_random),
        cmocka_unit_test(test_three_four_objectives),
        cmocka_unit_test(test_avoids_infeasible_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
