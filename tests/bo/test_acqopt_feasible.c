/*
 * test_acqopt_feasible.c - parameter constraints inside the acquisition's
 * optimisation (bo/acqopt_feasible.c through acqopt_maximize): with an
 * acquisition that grows towards infeasible corners, the answer is feasible
 * and close to the boundary (so the local refinement moved along the
 * constraint, not only filtered), with and without gradients, over many
 * seeds, and with ints and ordinals that the snapping could push over it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bo/acqopt.h"
#include "bo/space_constraints.h"

/* sum of the encoded coordinates: best at the all-ones corner */
static double rising(const double *u, double *grad, void *ctx)
{
    size_t d = *(size_t *)ctx;
    double s = 0;
    for (size_t k = 0; k < d; k++) {
        s += u[k];
        if (grad) grad[k] = 1;
    }
    return s;
}

static void test_float_boundary(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "y", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "x + 2 * y <= 0.3", NULL, 0), 0);
    size_t d = 2;
    for (int grad = 0; grad <= 1; grad++)
        for (uint64_t seed = 1; seed <= 30; seed++) {
            acqopt_options opt;
            acqopt_options_default(&opt);
            opt.has_gradient = grad;
            opt.seed = seed;
            double u[2], v, c[2];
            char err[128];
            assert_int_equal(acqopt_maximize(sp, rising, &d, &opt, NULL, 0, u, &v, err, sizeof err), 0);
            space_decode(sp, u, c);
            assert_true(space_feasible(sp, c));
            /* the maximum of x + y on the region is 0.3 (y = 0) */
            if (!(u[0] + u[1] > 0.29))
                fail_msg("seed %llu grad %d: x %g y %g is far from the boundary",
                         (unsigned long long)seed, grad, c[0], c[1]);
        }
    space_free(sp);
}

static void test_discrete_snapping(void **state)
{
    (void)state;
    static const double degrees[] = {1, 2, 4, 8, 16, 32, 64};
    space *sp = space_new();
    assert_int_equal(space_add_ordinal(sp, "tp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "pp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "n", 1, 100, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "tp * pp <= 64", NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "n + 50 * x <= 37.5", NULL, 0), 0);
    size_t d = space_encoded_dim(sp);
    for (int grad = 0; grad <= 1; grad++)
        for (uint64_t seed = 1; seed <= 30; seed++) {
            acqopt_options opt;
            acqopt_options_default(&opt);
            opt.has_gradient = grad;
            opt.seed = seed;
            opt.n_raw = 64;
            double u[4], v, c[4];
            assert_int_equal(acqopt_maximize(sp, rising, &d, &opt, NULL, 0, u, &v, NULL, 0), 0);
            space_decode(sp, u, c);
            if (!space_feasible(sp, c))
                fail_msg("seed %llu: tp %g pp %g n %g x %g", (unsigned long long)seed, c[0], c[1],
                         c[2], c[3]);
        }
    space_free(sp);
}

/* a categorical (held during the local runs) beside constrained floats */
static void test_with_categorical(void **state)
{
    (void)state;
    static const char *const modes[] = {"a", "b", "c"};
    space *sp = space_new();
    assert_int_equal(space_add_categorical(sp, "mode", modes, 3, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "y", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "x * y <= 0.1", NULL, 0), 0);
    size_t d = space_encoded_dim(sp);
    for (int grad = 0; grad <= 1; grad++)
        for (uint64_t seed = 1; seed <= 10; seed++) {
            acqopt_options opt;
            acqopt_options_default(&opt);
            opt.has_gradient = grad;
            opt.seed = seed;
            double u[5], v, c[3];
            char err[128] = "";
            if (acqopt_maximize(sp, rising, &d, &opt, NULL, 0, u, &v, err, sizeof err) != 0)
                fail_msg("seed %llu grad %d: %s", (unsigned long long)seed, grad, err);
            space_decode(sp, u, c);
            assert_true(space_feasible(sp, c));
            if (!(c[1] + c[2] > 1.05)) /* near the best, 1.1 at (1, 0.1) or (0.1, 1) */
                fail_msg("seed %llu grad %d: x %g y %g", (unsigned long long)seed, grad, c[1], c[2]);
        }
    space_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_boundary),
        cmocka_unit_test(test_discrete_snapping),
        cmocka_unit_test(test_with_categorical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
