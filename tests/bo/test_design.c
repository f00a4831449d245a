/*
 * test_design.c - tests of bo/design.c: determinism per seed, the net
 * property of the shifted Sobol points, skipping, and high dimensions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/design.h"

static void draw(design *d, size_t n, size_t dim, double *out)
{
    for (size_t i = 0; i < n; i++) design_next(d, out + i * dim);
}

static void test_deterministic(void **state)
{
    (void)state;
    const size_t dim = 5, n = 64;
    double a[320], b[320], c[320];
    for (int kind = 0; kind < 2; kind++) {
        design *d1 = kind ? design_random_new(dim, 42) : design_sobol_new(dim, 42);
        design *d2 = kind ? design_random_new(dim, 42) : design_sobol_new(dim, 42);
        design *d3 = kind ? design_random_new(dim, 43) : design_sobol_new(dim, 43);
        draw(d1, n, dim, a);
        draw(d2, n, dim, b);
        draw(d3, n, dim, c);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_not_equal(a, c, sizeof a);
        for (size_t i = 0; i < n * dim; i++) assert_true(a[i] >= 0 && a[i] < 1);
        design_free(d1);
        design_free(d2);
        design_free(d3);
    }
}

/* The digital shift keeps Sobol's (0,m,2)-net property in the first two
 * coordinates: 2^m points put exactly one point in every 2^-a x 2^-(m-a) box. */
static void test_sobol_net(void **state)
{
    (void)state;
    const int m = 6;
    const size_t n = 1u << m;
    double pts[64 * 2];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        design *d = design_sobol_new(2, seed);
        draw(d, n, 2, pts);
        for (int a = 0; a <= m; a++) {
            int nx = 1 << a, ny = 1 << (m - a);
            int *count = calloc(n, sizeof(int));
            for (size_t i = 0; i < n; i++) {
                int bx = (int)floor(pts[2 * i] * nx);
                int by = (int)floor(pts[2 * i + 1] * ny);
                count[bx * ny + by]++;
            }
            for (size_t b = 0; b < n; b++) assert_int_equal(count[b], 1);
            free(count);
        }
        design_free(d);
    }
}

/* A uniform random design does not have that property (almost surely). */
static void test_random_not_net(void **state)
{
    (void)state;
    double pts[64];
    design *d = design_random_new(1, 7);
    draw(d, 64, 1, pts);
    int count[64] = {0};
    for (int i = 0; i < 64; i++) count[(int)floor(pts[i] * 64)]++;
    int empty = 0;
    for (int b = 0; b < 64; b++) empty += count[b] == 0;
    assert_true(empty > 0);
    design_free(d);
}

static void test_skip(void **state)
{
    (void)state;
    const size_t dim = 3;
    double all[11 * 3], u[3];
    design *d = design_sobol_new(dim, 9);
    draw(d, 11, dim, all);
    design_free(d);
    d = design_sobol_new(dim, 9);
    design_skip(d, 10);
    design_next(d, u);
    assert_memory_equal(u, all + 10 * dim, sizeof u);
    design_free(d);
}

static void test_high_dims(void **state)
{
    (void)state;
    size_t dims[] = {40, 41, 300, 2000};
    for (size_t t = 0; t < 4; t++) {
        size_t dim = dims[t];
        design *d = design_sobol_new(dim, 3);
        assert_non_null(d);
        assert_int_equal(design_dim(d), dim);
        double *u = malloc(dim * 16 * sizeof(double));
        draw(d, 16, dim, u);
        double mean = 0;
        for (size_t i = 0; i < dim * 16; i++) {
            assert_true(u[i] >= 0 && u[i] < 1);
            mean += u[i];
        }
        mean /= (double)(dim * 16);
        assert_true(fabs(mean - 0.5) < 0.1);
        /* no two points equal */
        for (size_t i = 1; i < 16; i++)
            assert_memory_not_equal(u, u + i * dim, dim * sizeof(double));
        free(u);
        design_free(d);
    }
    assert_null(design_sobol_new(0, 1));
    assert_null(design_random_new(0, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_sobol_net),
        cmocka_unit_test(test_random_not_net),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_high_dims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
