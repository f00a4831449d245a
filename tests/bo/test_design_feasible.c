/*
 * test_design_feasible.c - parameter constraints in the designs and in
 * bo_suggest (bo/design_feasible.c, bo/suggest.c): a constraint that cuts
 * away 98% of the space is met by every point of every algorithm (random,
 * sobol, gp) over many seeds, in batches and with pending points; a
 * region too small to sample is a clear error; without constraints the
 * design is unchanged.
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

#include "bo/design_feasible.h"
#include "bo/space_constraints.h"
#include "bo/suggest.h"

static const double degrees[] = {1, 2, 4, 8, 16, 32, 64};

/* x, y float [0,1], tp and pp ordinal, n int [1,20]:
 * x + y <= 0.2 (2% of the square), tp * pp <= 16, n <= 4 * x + 2. */
static space *narrow(void)
{
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "y", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "tp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "pp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "n", 1, 20, 0, NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "x + y <= 0.2", NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "tp * pp <= 16", NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "n <= 4 * x + 2", NULL, 0), 0);
    return sp;
}

/* A smooth objective whose unconstrained minimum (x = y = 1, tp = pp = 64,
 * n = 20) is far outside the feasible region. */
static double objective(const double *c)
{
    return -(c[0] + c[1]) - 0.01 * log2(c[2] * c[3]) - 0.01 * c[4];
}

static void assert_all_feasible(const space *sp, const double *pts, size_t n, const char *what)
{
    size_t p = space_size(sp);
    for (size_t k = 0; k < n; k++)
        if (!space_feasible(sp, pts + k * p))
            fail_msg("%s: point %zu (x %g y %g tp %g pp %g n %g) breaks a constraint", what, k,
                     pts[k * p], pts[k * p + 1], pts[k * p + 2], pts[k * p + 3], pts[k * p + 4]);
}

static void test_sampled_designs(void **state)
{
    (void)state;
    space *sp = narrow();
    double out[16 * 5], pending[2 * 5] = {0.05, 0.05, 1, 1, 1, 0.1, 0.02, 2, 4, 2};
    char err[256];
    for (int alg = 0; alg < 2; alg++)
        for (uint64_t seed = 1; seed <= 40; seed++) {
            bo_request req;
            bo_request_init(&req, sp);
            req.algorithm = alg ? BO_SOBOL : BO_RANDOM;
            req.count = 16;
            req.seed = seed;
            req.pending = pending;
            req.n_pending = 2;
            if (bo_suggest(&req, out, err, sizeof err) != 0)
                fail_msg("%s", err);
            assert_all_feasible(sp, out, 16, alg ? "sobol" : "random");
        }
    space_free(sp);
}

static void test_gp_batches_with_pending(void **state)
{
    (void)state;
    space *sp = narrow();
    size_t p = space_size(sp);
    enum { N_OBS = 12, COUNT = 4 };
    double X[N_OBS * 5], y[N_OBS], out[COUNT * 5], pending[5] = {0.1, 0.1, 2, 2, 2};
    char err[256];
    for (uint64_t seed = 1; seed <= 6; seed++) {
        /* observations: feasible Sobol points of the space */
        bo_request init;
        bo_request_init(&init, sp);
        init.algorithm = BO_SOBOL;
        init.count = N_OBS;
        init.seed = seed;
        if (bo_suggest(&init, X, err, sizeof err) != 0)
            fail_msg("%s", err);
        for (size_t i = 0; i < N_OBS; i++)
            y[i] = objective(X + i * p);
        bo_request req;
        bo_request_init(&req, sp);
        req.algorithm = BO_GP;
        req.X = X;
        req.y = y;
        req.n_obs = N_OBS;
        req.n_initial = 5;
        req.pending = pending;
        req.n_pending = 1;
        req.count = COUNT;
        req.seed = seed;
        if (bo_suggest(&req, out, err, sizeof err) != 0)
            fail_msg("%s", err);
        assert_all_feasible(sp, out, COUNT, "gp");
        /* the optimum is on the boundary x + y = 0.2: the model gets near it */
        double best = 0;
        for (size_t k = 0; k < COUNT; k++)
            if (out[k * p] + out[k * p + 1] > best) best = out[k * p] + out[k * p + 1];
        assert_true(best > 0.15);
    }
    space_free(sp);
}

static void test_too_small_region(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "y", 0, 1, 0, NULL, 0), 0);
    /* 5e-13 of the square */
    assert_int_equal(space_constraint_add(sp, "x + y <= 0.000001", NULL, 0), 0);
    bo_request req;
    bo_request_init(&req, sp);
    req.algorithm = BO_RANDOM;
    req.count = 1;
    req.seed = 3;
    double out[2];
    char err[256] = "";
    assert_int_equal(bo_suggest(&req, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "too small a region"));
    space_free(sp);
}

static void test_unconstrained_design_unchanged(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "n", 1, 9, 0, NULL, 0), 0);
    design *a = design_sobol_new(2, 11), *b = design_sobol_new(2, 11);
    double va[2], vb[2], ca[2], cb[2];
    design_skip(a, 3);
    assert_int_equal(design_skip_feasible(b, sp, 3, NULL, 0), 0);
    for (int k = 0; k < 20; k++) {
        design_next(a, va);
        space_from_unit(sp, va, ca);
        assert_int_equal(design_next_feasible(b, sp, vb, cb, NULL, 0), 0);
        assert_memory_equal(ca, cb, sizeof ca);
    }
    design_free(a);
    design_free(b);
    space_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampled_designs),
        cmocka_unit_test(test_gp_batches_with_pending),
        cmocka_unit_test(test_too_small_region),
        cmocka_unit_test(test_unconstrained_design_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
