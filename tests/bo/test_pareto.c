/*
 * test_pareto.c - tests of bo/pareto.c: fronts with ties, duplicates,
 * maximised objectives and non-finite rows; the hypervolume against values
 * computed by hand for 2, 3 and 4 objectives and against counting unit
 * cells on integer points; the default reference point.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "bo/pareto.h"
#include "util/rng.h"

/* |a - b| <= tol (this cmocka has no assert_double_equal) */
#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static const int MIN2[2] = {0, 0};
static const int MAX4[4] = {1, 1, 1, 1};

static void test_front_ties_duplicates(void **state)
{
    (void)state;
    /* minimise both: (1,2) twice, (1,3) dominated by it (tie in the first),
     * (2,1) on the front, (3,3) dominated */
    double Y[] = {1, 2, 1, 3, 2, 1, 1, 2, 3, 3};
    unsigned char on[5];
    assert_int_equal(pareto_front(Y, 5, 2, MIN2, on), 3);
    assert_int_equal(on[0], 1);
    assert_int_equal(on[1], 0);
    assert_int_equal(on[2], 1);
    assert_int_equal(on[3], 1);
    assert_int_equal(on[4], 0);
}

static void test_front_maximize_flags(void **state)
{
    (void)state;
    double Y[] = {1, 2, 1, 3, 2, 1, 3, 3};
    unsigned char on[4];
    int mx[2] = {1, 1};
    /* maximising both: (3,3) dominates everything */
    assert_int_equal(pareto_front(Y, 4, 2, mx, on), 1);
    assert_int_equal(on[3], 1);
    /* maximise the first, minimise the second: (2,1) and (3,3) */
    int mixed[2] = {1, 0};
    assert_int_equal(pareto_front(Y, 4, 2, mixed, on), 2);
    assert_int_equal(on[0], 0);
    assert_int_equal(on[1], 0);
    assert_int_equal(on[2], 1);
    assert_int_equal(on[3], 1);
}

static void test_front_non_finite(void **state)
{
    (void)state;
    /* a NaN or infinite row is never on the front and hides nothing */
    double Y[] = {NAN, 0, 2, 2, -INFINITY, -INFINITY, 3, 1};
    unsigned char on[4];
    assert_int_equal(pareto_front(Y, 4, 2, MIN2, on), 2);
    assert_int_equal(on[0], 0);
    assert_int_equal(on[1], 1);
    assert_int_equal(on[2], 0);
    assert_int_equal(on[3], 1);
    assert_int_equal(pareto_front(Y, 0, 2, MIN2, on), 0);
}

static void test_hv_two(void **state)
{
    (void)state;
    double ref[2] = {4, 4};
    /* staircase 3 + 2 + 1 */
    double Y[] = {1, 3, 2, 2, 3, 1};
    assert_near(pareto_hypervolume(Y, 3, 2, MIN2, ref), 6.0, 1e-12);
    /* a duplicate, a dominated row, a NaN row and one worse than ref in an
     * objective change nothing */
    double Z[] = {1, 3, 2, 2, 3, 1, 2, 2, 3, 3, NAN, 0, 5, 0};
    assert_near(pareto_hypervolume(Z, 7, 2, MIN2, ref), 6.0, 1e-12);
    /* a row equal to ref in one objective adds nothing */
    double E[] = {4, 0};
    assert_near(pareto_hypervolume(E, 1, 2, MIN2, ref), 0.0, 0);
    /* maximised first objective: 2-(-1) = 3 wide, 4-1 = 3 high */
    int mixed[2] = {1, 0};
    double rm[2] = {-1, 4};
    double M[] = {2, 1};
    assert_near(pareto_hypervolume(M, 1, 2, mixed, rm), 9.0, 1e-12);
    /* a non-finite reference point: 0 */
    double rn[2] = {NAN, 4};
    assert_near(pareto_hypervolume(Y, 3, 2, MIN2, rn), 0.0, 0);
}

static void test_hv_three_four(void **state)
{
    (void)state;
    double ref[4] = {0, 0, 0, 0};
    /* three boxes of volume 2 overlapping pairwise and all in a unit cube:
     * 6 - 3 + 1 */
    double A[] = {2, 1, 1, 1, 2, 1, 1, 1, 2};
    assert_near(pareto_hypervolume(A, 3, 3, MAX4, ref), 4.0, 1e-12);
    /* 3 + 3 + 8 - 1 - 2 - 2 + 1 */
    double B[] = {3, 1, 1, 1, 3, 1, 2, 2, 2};
    assert_near(pareto_hypervolume(B, 3, 3, MAX4, ref), 10.0, 1e-12);
    /* four boxes of volume 2 in four dimensions: 8 - 6 + 4 - 1 */
    double C[] = {2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2};
    assert_near(pareto_hypervolume(C, 4, 4, MAX4, ref), 5.0, 1e-12);
    double D[] = {1, 2, 3, 4};
    assert_near(pareto_hypervolume(D, 1, 4, MAX4, ref), 24.0, 1e-12);
    /* minimised: the same boxes seen from ref (3,3,3) */
    int min3[3] = {0, 0, 0};
    double r3[3] = {3, 3, 3};
    double Am[] = {1, 2, 2, 2, 1, 2, 2, 2, 1};
    assert_near(pareto_hypervolume(Am, 3, 3, min3, r3), 4.0, 1e-12);
}

/* Unit cells [c, c+1]^m with c < every coordinate of some row: the exact
 * hypervolume of integer gains. */
static double count_cells(const double *Y, size_t n, size_t m, int side)
{
    size_t cells = 1;
    for (size_t j = 0; j < m; j++) cells *= (size_t)side;
    double count = 0;
    for (size_t c = 0; c < cells; c++) {
        size_t rest = c;
        int idx[4];
        for (size_t j = 0; j < m; j++) {
            idx[j] = (int)(rest % (size_t)side);
            rest /= (size_t)side;
        }
        for (size_t i = 0; i < n; i++) {
            int in = 1;
            for (size_t j = 0; j < m && in; j++)
                if (!(idx[j] + 1 <= Y[i * m + j])) in = 0;
            if (in) {
                count++;
                break;
            }
        }
    }
    return count;
}

static void test_hv_against_cells(void **state)
{
    (void)state;
    double ref[4] = {0, 0, 0, 0};
    uint64_t s = 7;
    for (size_t m = 2; m <= 4; m++)
        for (int rep = 0; rep < 20; rep++) {
            size_t n = 1 + rng_next(&s) % 12;
            double Y[12 * 4];
            for (size_t i = 0; i < n * m; i++) Y[i] = (double)(1 + rng_next(&s) % 6);
            double want = count_cells(Y, n, m, 6);
            assert_near(pareto_hypervolume(Y, n, m, MAX4, ref), want, 1e-9);
        }
}

static void test_default_reference(void **state)
{
    (void)state;
    double ref[2];
    double Y[] = {1, 10, 3, 20, NAN, 0};
    assert_int_equal(pareto_default_reference(Y, 3, 2, MIN2, ref), 0);
    assert_near(ref[0], 3.2, 1e-12);
    assert_near(ref[1], 21.0, 1e-12);
    int mx[2] = {1, 0};
    assert_int_equal(pareto_default_reference(Y, 3, 2, mx, ref), 0);
    assert_near(ref[0], 0.8, 1e-12);
    /* a constant objective moves by 10% of its value, or 1 at 0 */
    double C[] = {5, 0, 5, 0};
    assert_int_equal(pareto_default_reference(C, 2, 2, MIN2, ref), 0);
    assert_near(ref[0], 5.5, 1e-12);
    assert_near(ref[1], 1.0, 1e-12);
    double N[] = {NAN, 1, 2, INFINITY};
    ref[0] = ref[1] = 42;
    assert_int_equal(pareto_default_reference(N, 2, 2, MIN2, ref), -1);
    assert_near(ref[0], 42, 0);
    /* every row beats the default reference */
    assert_true(pareto_hypervolume(Y, 3, 2, MIN2, (double[]){3.2, 21.0}) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_ties_duplicates),
        cmocka_unit_test(test_front_maximize_flags),
        cmocka_unit_test(test_front_non_finite),
        cmocka_unit_test(test_hv_two),
        cmocka_unit_test(test_hv_three_four),
        cmocka_unit_test(test_hv_against_cells),
        cmocka_unit_test(test_default_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
