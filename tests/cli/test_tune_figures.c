/*
 * test_tune_figures.c - cli/tune_figures.c: medians and ranges of re-measured
 * runs, the improvement and its worst/best-case range for a minimised and a
 * maximised objective, the improvement from paired runs (a machine drift
 * cancels), and the models line.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cli/tune_figures.h"

static void test_spread_odd_even_and_non_finite(void **state)
{
    (void)state;
    const double odd[] = {3, 1, 2};
    tune_spread s = tune_spread_of(odd, 3);
    assert_int_equal(s.n, 3);
    assert_true(s.median == 2 && s.min == 1 && s.max == 3);
    const double even[] = {10, 4, NAN, 6, 8};
    s = tune_spread_of(even, 5);
    assert_int_equal(s.n, 4);
    assert_true(s.median == 7 && s.min == 4 && s.max == 10);
    assert_true(even[0] == 10);                 /* the input is not sorted in place */
    s = tune_spread_of(NULL, 0);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.median) && isnan(s.min) && isnan(s.max));
}

static void test_ratio(void **state)
{
    (void)state;
    assert_true(tune_ratio(1, 100, 150) == 1.5);      /* maximise: best / default */
    assert_true(tune_ratio(0, 150, 100) == 1.5);      /* minimise: default / best */
    assert_true(isnan(tune_ratio(0, 0, 1)));
    assert_true(isnan(tune_ratio(1, -1, 1)));
    assert_true(isnan(tune_ratio(1, INFINITY, 1)));
}

static void test_improvement_maximize(void **state)
{
    (void)state;
    const double d[] = {100, 90, 110}, b[] = {130, 121, 140};
    tune_spread sd = tune_spread_of(d, 3), sb = tune_spread_of(b, 3);
    tune_improvement_range r;
    assert_int_equal(tune_improvement_of(1, &sd, &sb, &r), 0);
    assert_float_equal(r.median, 1.30, 1e-12);        /* 130 / 100 */
    assert_float_equal(r.low, 1.10, 1e-12);           /* best's worst 121 / default's best 110 */
    assert_float_equal(r.high, 140.0 / 90.0, 1e-12);  /* best's best / default's worst */
    assert_true(r.low <= r.median && r.median <= r.high);
}

static void test_improvement_minimize(void **state)
{
    (void)state;
    const double d[] = {10, 12, 8}, b[] = {5, 4, 6, 5};
    tune_spread sd = tune_spread_of(d, 3), sb = tune_spread_of(b, 4);
    tune_improvement_range r;
    assert_int_equal(tune_improvement_of(0, &sd, &sb, &r), 0);
    assert_float_equal(r.median, 2.0, 1e-12);         /* 10 / 5 */
    assert_float_equal(r.low, 8.0 / 6.0, 1e-12);      /* default's best 8 / best's worst 6 */
    assert_float_equal(r.high, 3.0, 1e-12);           /* default's worst 12 / best's best 4 */
}

static void test_improvement_overlapping_and_missing(void **state)
{
    (void)state;
    /* Noise larger than the gain: the range spans 1x, below and above. */
    const double d[] = {100, 80, 120}, b[] = {105, 95, 115};
    tune_spread sd = tune_spread_of(d, 3), sb = tune_spread_of(b, 3);
    tune_improvement_range r;
    assert_int_equal(tune_improvement_of(1, &sd, &sb, &r), 0);
    assert_true(r.low < 1.0 && r.high > 1.0);
    tune_spread none = tune_spread_of(NULL, 0);
    assert_int_equal(tune_improvement_of(1, &sd, &none, &r), -1);
    assert_true(isnan(r.median) && isnan(r.low) && isnan(r.high));
}

/* One configuration measured as both sides, pair by pair, while the machine
 * drifted (ops/s of the rocksdb plugin's default on this machine, db on disk
 * and on tmpfs, run after run): the medians' worst/best case spans 0.5x-2x,
 * the pair ratios stay near 1x. */
static void test_improvement_paired_cancels_drift(void **state)
{
    (void)state;
    const double d[] = {40168, 39164, 60120, 78083, 59230, 44747};
    const double b[] = {40101, 43131, 56697, 79013, 55525, 45929};
    tune_spread sd = tune_spread_of(d, 6), sb = tune_spread_of(b, 6);
    tune_improvement_range wide, r;
    assert_int_equal(tune_improvement_of(1, &sd, &sb, &wide), 0);
    assert_true(wide.low < 0.55 && wide.high > 1.9);
    size_t pairs = 0;
    assert_int_equal(tune_improvement_paired(1, d, b, 6, &r, &pairs), 0);
    assert_int_equal(pairs, 6);
    assert_float_equal(r.low, 55525.0 / 59230.0, 1e-12);
    assert_float_equal(r.high, 43131.0 / 39164.0, 1e-12);
    /* median of the six ratios: the mean of the 3rd and 4th smallest */
    assert_float_equal(r.median, (40101.0 / 40168.0 + 79013.0 / 78083.0) / 2, 1e-12);
    assert_true(r.low > 0.9 && r.high < 1.11);
}

static void test_improvement_paired_minimize_and_failed(void **state)
{
    (void)state;
    /* minimise: default / best per pair; the pair with a failed run (NAN)
     * and the one with a zero are left out */
    const double d[] = {10, 20, NAN, 12, 5}, b[] = {5, 8, 4, 6, 0};
    tune_improvement_range r;
    size_t pairs = 9;
    assert_int_equal(tune_improvement_paired(0, d, b, 5, &r, &pairs), 0);
    assert_int_equal(pairs, 3);
    assert_float_equal(r.median, 2.0, 1e-12);
    assert_float_equal(r.low, 2.0, 1e-12);
    assert_float_equal(r.high, 2.5, 1e-12);
    const double none[] = {NAN, NAN};
    assert_int_equal(tune_improvement_paired(0, none, b, 2, &r, &pairs), -1);
    assert_int_equal(pairs, 0);
    assert_true(isnan(r.median) && isnan(r.low) && isnan(r.high));
    assert_int_equal(tune_improvement_paired(1, NULL, NULL, 0, &r, NULL), -1);
}

static void test_models_line(void **state)
{
    (void)state;
    json_t *trials = json_loads("[{\"model\":\"default\"},{\"model\":\"sobol\"},"
                                "{\"model\":\"bograph\"},{\"model\":\"gp\"},{\"model\":\"sobol\"},"
                                "{\"model\":\"bograph\"},{\"model\":null},{\"model\":\"bograph\"}]",
                                0, NULL);
    assert_non_null(trials);
    char line[128];
    assert_int_equal(tune_models_format(trials, line, sizeof line), 0);
    assert_string_equal(line, "bograph 3, sobol 2, default 1, gp 1, imported 1");
    char small[12];
    assert_int_equal(tune_models_format(trials, small, sizeof small), 0);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small + sizeof small - 4, "...");
    json_decref(trials);
    json_t *empty = json_array();
    assert_int_equal(tune_models_format(empty, line, sizeof line), 0);
    assert_string_equal(line, "none");
    assert_int_equal(tune_models_format(NULL, line, sizeof line), -1);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_odd_even_and_non_finite),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_improvement_maximize),
        cmocka_unit_test(test_improvement_minimize),
        cmocka_unit_test(test_improvement_overlapping_and_missing),
        cmocka_unit_test(test_improvement_paired_cancels_drift),
        cmocka_unit_test(test_improvement_paired_minimize_and_failed),
        cmocka_unit_test(test_models_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
