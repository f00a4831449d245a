/*
 * test_space_constraints.c - tests of bo/space_constraints.c: parsing the
 * four inequalities over float, int and ordinal parameters (ordinals by
 * value), what is refused (no comparison, two, an equality, a side that
 * does not parse, an unknown or categorical parameter, no parameter at
 * all), undefined sides, copies through space_clone, the relaxation the
 * local refinement sees, the check of final configurations and the probe
 * of the feasible fraction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bo/space_constraints.h"

static const double degrees[] = {1, 2, 4, 8, 16, 32, 64};
static const char *const onoff[] = {"off", "on"};

/* x float [0,1], n int [1,10], tp and pp ordinal powers of two, sp categorical. */
static space *mixed(void)
{
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "n", 1, 10, 0, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "tp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "pp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "sp", onoff, 2, NULL, 0), 0);
    return sp;
}

static void test_operators(void **state)
{
    (void)state;
    space *sp = mixed();
    char err[256];
    assert_int_equal(space_constraint_add(sp, "tp * pp <= 64", err, sizeof err), 0);
    assert_int_equal(space_constraint_add(sp, "n >= 2 * x", err, sizeof err), 0);
    assert_int_equal(space_constraint_add(sp, "x < 0.5", err, sizeof err), 0);
    assert_int_equal(space_constraint_add(sp, "n > 1", err, sizeof err), 0);
    assert_int_equal(space_n_constraints(sp), 4);
    assert_string_equal(space_constraint_text(sp, 0), "tp * pp <= 64");
    /* x, n, tp, pp, sp */
    double c[5] = {0.25, 3, 8, 8, 1};
    assert_true(space_feasible(sp, c));
    c[2] = 16; /* 128 > 64 */
    assert_false(space_constraint_holds(sp, 0, c));
    assert_false(space_feasible(sp, c));
    c[2] = 8;
    c[0] = 0.5; /* x < 0.5 is strict */
    assert_false(space_constraint_holds(sp, 2, c));
    assert_true(space_constraint_holds(sp, 1, c));
    c[0] = 0.25;
    c[1] = 1; /* n > 1 is strict */
    assert_false(space_constraint_holds(sp, 3, c));
    c[1] = 2;
    assert_true(space_feasible(sp, c));
    char msg[256];
    assert_int_equal(space_constraints_check(sp, c, 1, msg, sizeof msg), 0);
    double two[10] = {0.25, 2, 8, 8, 0, 0.25, 2, 64, 2, 0};
    assert_int_equal(space_constraints_check(sp, two, 2, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "configuration 1"));
    assert_non_null(strstr(msg, "tp * pp <= 64"));
    space_free(sp);
}

static void test_refused(void **state)
{
    (void)state;
    space *sp = mixed();
    const struct {
        const char *text, *want;
    } bad[] = {
        {"x + n", "exactly one of"},
        {"x <= n <= 3", "exactly one of"},
        {"x <= n >= 3", "exactly one of"},
        {"x == n", "exactly one of"},
        {"x <= (n == 2)", "no ="},
        {"x * <= 3", "left side"},
        {"x <= 3 +", "right side"},
        {"foo <= 3", "'foo', which is not a parameter"},
        {"sp <= 1", "'sp', a categorical parameter"},
        {"1 <= 2", "names no parameter"},
        {"", "non-empty"},
    };
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(space_constraint_add(sp, bad[i].text, err, sizeof err), -1);
        if (!strstr(err, bad[i].want))
            fail_msg("'%s': got '%s', wanted '%s'", bad[i].text, err, bad[i].want);
    }
    assert_int_equal(space_n_constraints(sp), 0);
    space_free(sp);
}

static void test_undefined_side_breaks(void **state)
{
    (void)state;
    space *sp = mixed();
    assert_int_equal(space_constraint_add(sp, "1 / x <= 100", NULL, 0), 0);
    double c[5] = {0, 3, 1, 1, 0};
    assert_false(space_feasible(sp, c)); /* 1/0 */
    c[0] = 0.5;
    assert_true(space_feasible(sp, c));
    space_free(sp);
}

static void test_clone_keeps_them(void **state)
{
    (void)state;
    space *sp = mixed();
    assert_int_equal(space_constraint_add(sp, "tp * pp <= 16", NULL, 0), 0);
    space *cp = space_clone(sp);
    space_free(sp);
    assert_non_null(cp);
    assert_int_equal(space_n_constraints(cp), 1);
    assert_string_equal(space_constraint_text(cp, 0), "tp * pp <= 16");
    double c[5] = {0.5, 3, 4, 8, 0};
    assert_false(space_feasible(cp, c));
    c[3] = 4;
    assert_true(space_feasible(cp, c));
    space_free(cp);
}

static void test_relaxation(void **state)
{
    (void)state;
    space *sp = mixed();
    assert_int_equal(space_constraint_add(sp, "n <= 5", NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "tp <= 8", NULL, 0), 0);
    size_t dim = space_encoded_dim(sp);
    double c[5] = {0.5, 5, 8, 1, 0}, u[16], scratch[64];
    space_encode(sp, c, u);
    assert_true(space_constraint_relaxed(sp, 0, u, scratch) <= 0);
    assert_true(space_constraint_relaxed(sp, 1, u, scratch) <= 0);
    /* between n = 5 and n = 6 the relaxation grows continuously */
    double c6[5] = {0.5, 6, 16, 1, 0}, u6[16];
    space_encode(sp, c6, u6);
    double um[16];
    memcpy(um, u, dim * sizeof *um);
    um[1] = 0.5 * (u[1] + u6[1]);
    double g5 = space_constraint_relaxed(sp, 0, u, scratch);
    double gm = space_constraint_relaxed(sp, 0, um, scratch);
    double g6 = space_constraint_relaxed(sp, 0, u6, scratch);
    assert_true(g5 < gm && gm < g6);
    assert_true(g6 > 0);
    assert_true(space_constraint_relaxed(sp, 1, u6, scratch) > 0);
    space_free(sp);
}

static void test_probe(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "x", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "y", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "x <= 0.5", NULL, 0), 0);
    assert_int_equal(space_constraint_add(sp, "x + y <= 0.001", NULL, 0), 0);
    size_t feas[2], n;
    assert_int_equal(space_constraints_probe(sp, 2, 7, 0, feas, &n), 0);
    assert_int_equal(n, SPACE_CONSTRAINTS_PROBE_DRAWS);
    assert_true(feas[0] > 0.45 * n && feas[0] < 0.55 * n);
    /* 5e-7 of the square */
    assert_true(feas[1] < SPACE_CONSTRAINTS_PROBE_MIN_FEASIBLE);
    /* stopping early: only as far as 10 draws meet the first one */
    assert_int_equal(space_constraints_probe(sp, 1, 7, 10, feas, &n), 0);
    assert_int_equal(feas[0], 10);
    assert_true(n >= 10 && n < 100);
    space_free(sp);

    /* a finite space is counted exactly */
    space *fin = space_new();
    assert_int_equal(space_add_ordinal(fin, "tp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(fin, "pp", degrees, 7, NULL, 0), 0);
    assert_int_equal(space_constraint_add(fin, "tp * pp <= 64", NULL, 0), 0);
    assert_int_equal(space_constraints_probe(fin, 1, 7, 0, feas, &n), 0);
    assert_int_equal(n, 49);
    assert_int_equal(feas[0], 28); /* exponents a + b <= 6 */
    space_free(fin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_undefined_side_breaks),
        cmocka_unit_test(test_clone_keeps_them),
        cmocka_unit_test(test_relaxation),
        cmocka_unit_test(test_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
