/*
 * test_space.c - tests of bo/space.c: validation messages, the unit-cube
 * encoding and its inverse, snapping, equality and enumeration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bo/space.h"

static space *mixed_space(void)
{
    space *sp = space_new();
    const char *algos[] = {"lz4", "zstd", "none"};
    const double blocks[] = {16, 4, 64, 8};
    assert_int_equal(space_add_float(sp, "rate", 0.0, 2.0, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "lr", 1e-4, 1.0, 1, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "threads", 1, 8, 0, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "codec", algos, 3, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "block", blocks, 4, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "cache", 1, 1024, 1, NULL, 0), 0);
    return sp;
}

static void test_shape(void **state)
{
    (void)state;
    space *sp = mixed_space();
    assert_int_equal(space_size(sp), 6);
    assert_int_equal(space_encoded_dim(sp), 8); /* codec takes 3 */
    assert_int_equal(space_index_of(sp, "codec"), 3);
    assert_int_equal(space_index_of(sp, "nope"), -1);
    size_t first, count;
    space_param_encoded_span(sp, 3, &first, &count);
    assert_int_equal(first, 3);
    assert_int_equal(count, 3);
    space_param_encoded_span(sp, 4, &first, &count);
    assert_int_equal(first, 6);
    assert_int_equal(count, 1);
    assert_int_equal(space_param_type(sp, 4), SPACE_ORDINAL);
    /* ordinal values are kept sorted */
    assert_true(space_param_value(sp, 4, 0) == 4);
    assert_true(space_param_value(sp, 4, 3) == 64);
    assert_string_equal(space_param_choice(sp, 3, 1), "zstd");
    assert_int_equal(space_choice_index(sp, 3, "none"), 2);
    assert_int_equal(space_choice_index(sp, 3, "gzip"), -1);
    assert_true(space_param_log(sp, 1));
    /* a bad index is not a crash */
    assert_null(space_param_name(sp, 6));
    assert_null(space_param_choice(sp, 99, 0));
    assert_true(isnan(space_param_value(sp, 99, 0)));
    assert_int_equal(space_choice_index(sp, 99, "lz4"), -1);
    space_free(sp);
}

static void expect_add_error(int rc, const char *err, const char *name, const char *what)
{
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, name));
    assert_non_null(strstr(err, what));
}

static void test_add_errors(void **state)
{
    (void)state;
    char err[256];
    space *sp = space_new();
    assert_int_equal(space_add_float(sp, "a", 0, 1, 0, err, sizeof err), 0);
    expect_add_error(space_add_float(sp, "a", 0, 1, 0, err, sizeof err), err, "'a'", "twice");
    expect_add_error(space_add_float(sp, "b", 1, 1, 0, err, sizeof err), err, "'b'", "less than");
    expect_add_error(space_add_float(sp, "c", 0, NAN, 0, err, sizeof err), err, "'c'", "finite");
    expect_add_error(space_add_float(sp, "d", 0, 10, 1, err, sizeof err), err, "'d'", "low > 0");
    expect_add_error(space_add_int(sp, "e", 0.5, 3, 0, err, sizeof err), err, "'e'", "integers");
    expect_add_error(space_add_int(sp, "f", 5, 3, 0, err, sizeof err), err, "'f'", "at most");
    const char *dup[] = {"x", "y", "x"};
    expect_add_error(space_add_categorical(sp, "g", dup, 3, err, sizeof err), err, "'g'", "'x' is listed twice");
    expect_add_error(space_add_categorical(sp, "h", dup, 0, err, sizeof err), err, "'h'", "at least one");
    const double vals[] = {1, 2, 2};
    expect_add_error(space_add_ordinal(sp, "i", vals, 3, err, sizeof err), err, "'i'", "twice");
    assert_int_equal(space_add_float(sp, "", 0, 1, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(space_add_float(sp, NULL, 0, 1, 0, NULL, 0), -1);
    /* failed additions leave the space as it was */
    assert_int_equal(space_size(sp), 1);
    assert_int_equal(space_encoded_dim(sp), 1);
    space_free(sp);
}

static void test_validate(void **state)
{
    (void)state;
    char err[256];
    space *sp = mixed_space();
    double ok[] = {1.5, 0.01, 3, 2, 16, 100};
    assert_int_equal(space_validate(sp, ok, err, sizeof err), 0);

    double c[6];
    memcpy(c, ok, sizeof c);
    c[0] = 2.5;
    assert_int_equal(space_validate(sp, c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'rate'"));
    assert_non_null(strstr(err, "outside"));

    memcpy(c, ok, sizeof c);
    c[2] = 3.5;
    assert_int_equal(space_validate(sp, c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'threads'"));
    assert_non_null(strstr(err, "not an integer"));

    memcpy(c, ok, sizeof c);
    c[3] = 3;
    assert_int_equal(space_validate(sp, c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'codec'"));

    memcpy(c, ok, sizeof c);
    c[4] = 32;
    assert_int_equal(space_validate(sp, c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'block'"));
    assert_non_null(strstr(err, "not one of"));

    memcpy(c, ok, sizeof c);
    c[1] = INFINITY;
    assert_int_equal(space_validate(sp, c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'lr'"));
    space_free(sp);
}

static void test_roundtrip(void **state)
{
    (void)state;
    space *sp = mixed_space();
    double c[] = {0.25, 0.001, 8, 1, 64, 17};
    double u[8], back[6];
    space_encode(sp, c, u);
    for (size_t j = 0; j < 8; j++) {
        assert_true(u[j] >= 0 && u[j] <= 1);
    }
    assert_true(fabs(u[0] - 0.125) < 1e-12);
    assert_true(fabs(u[1] - 0.25) < 1e-12); /* log10: -3 in [-4, 0] */
    assert_true(u[3] == 0 && u[4] == 1 && u[5] == 0);
    assert_true(fabs(u[6] - 0.875) < 1e-12); /* rank 3 of 4 */
    space_decode(sp, u, back);
    assert_true(space_config_equal(sp, c, back));
    assert_true(fabs(back[1] - 0.001) < 1e-15);
    assert_true(back[2] == 8 && back[3] == 1 && back[4] == 64 && back[5] == 17);
    space_free(sp);
}

/* Any point of the cube decodes to a valid configuration, and snapping is
 * idempotent and agrees with decode. */
static void test_decode_always_valid(void **state)
{
    (void)state;
    space *sp = mixed_space();
    double u[8], s[8], c[6], c2[6];
    char err[256];
    unsigned x = 12345;
    for (int t = 0; t < 2000; t++) {
        for (size_t j = 0; j < 8; j++) {
            x = x * 1103515245u + 12345u;
            u[j] = (double)(x >> 8) / (double)(1u << 24) * 1.2 - 0.1; /* a bit outside too */
        }
        space_decode(sp, u, c);
        assert_int_equal(space_validate(sp, c, err, sizeof err), 0);
        memcpy(s, u, sizeof s);
        space_snap_encoded(sp, s);
        space_decode(sp, s, c2);
        assert_true(space_config_equal(sp, c, c2));
        assert_true(space_encoded_equal(sp, u, s));
        double s2[8];
        memcpy(s2, s, sizeof s);
        space_snap_encoded(sp, s2);
        assert_memory_equal(s, s2, sizeof s);
    }
    space_free(sp);
}

/* Uniform u gives every integer of an int parameter the same share. */
static void test_int_bins_uniform(void **state)
{
    (void)state;
    space *sp = space_new();
    assert_int_equal(space_add_int(sp, "k", 0, 3, 0, NULL, 0), 0);
    int counts[4] = {0};
    for (int i = 0; i < 4000; i++) {
        double u = (i + 0.5) / 4000.0, c;
        space_decode(sp, &u, &c);
        counts[(int)c]++;
    }
    for (int k = 0; k < 4; k++) assert_int_equal(counts[k], 1000);
    /* from_unit uses the same bins; categoricals by equal bins too */
    space_free(sp);
}

static void test_from_unit_categorical(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *ch[] = {"a", "b", "c", "d", "e"};
    assert_int_equal(space_add_categorical(sp, "cat", ch, 5, NULL, 0), 0);
    int counts[5] = {0};
    for (int i = 0; i < 500; i++) {
        double v = (i + 0.5) / 500.0, c;
        space_from_unit(sp, &v, &c);
        counts[(int)c]++;
    }
    for (int k = 0; k < 5; k++) assert_int_equal(counts[k], 100);
    double one = 1.0, c;
    space_from_unit(sp, &one, &c);
    assert_true(c == 4);
    space_free(sp);
}

static void test_equal_and_clone(void **state)
{
    (void)state;
    space *sp = mixed_space();
    double a[] = {1.0, 0.5, 2, 0, 4, 10};
    double b[] = {1.0 + 1e-13, 0.5, 2, 0, 4, 10};
    double c[] = {1.01, 0.5, 2, 0, 4, 10};
    double d[] = {1.0, 0.5, 2, 1, 4, 10};
    assert_true(space_config_equal(sp, a, b));
    assert_false(space_config_equal(sp, a, c));
    assert_false(space_config_equal(sp, a, d));

    space *cl = space_clone(sp);
    assert_non_null(cl);
    space_free(sp); /* the clone owns its own strings */
    assert_int_equal(space_size(cl), 6);
    assert_string_equal(space_param_name(cl, 3), "codec");
    assert_string_equal(space_param_choice(cl, 3, 2), "none");
    assert_true(space_param_value(cl, 4, 1) == 8);
    assert_int_equal(space_encoded_dim(cl), 8);
    space_free(cl);
}

static void test_cardinality_enumeration(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *ch[] = {"x", "y", "z"};
    const double vals[] = {1, 10};
    assert_int_equal(space_add_int(sp, "n", 2, 5, 0, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "c", ch, 3, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "o", vals, 2, NULL, 0), 0);
    assert_true(space_cardinality(sp) == 24);
    double all[24][3];
    for (int i = 0; i < 24; i++) {
        space_config_at_index(sp, i, all[i]);
        assert_int_equal(space_validate(sp, all[i], NULL, 0), 0);
        for (int j = 0; j < i; j++) assert_false(space_config_equal(sp, all[i], all[j]));
    }
    assert_int_equal(space_add_float(sp, "f", 0, 1, 0, NULL, 0), 0);
    assert_true(isinf(space_cardinality(sp)));
    space_free(sp);
}

/* A range whose width is not a finite number (every suggestion was the
 * upper bound): the service refuses new ones, but a stored study with one
 * still loads, and the encoding spans the whole range. */
static void test_infinite_width(void **state)
{
    (void)state;
    space *sp = space_new();
    char err[256] = "";
    assert_int_equal(space_add_float(sp, "w", -1.7e308, 1.7e308, 0, err, sizeof err), 0);
    double c[1], u[1];
    const double us[] = {0, 0.25, 0.5, 0.9, 1};
    for (size_t i = 0; i < 5; i++) {
        u[0] = us[i];
        space_decode(sp, u, c);
        assert_true(isfinite(c[0]) && c[0] >= -1.7e308 && c[0] <= 1.7e308);
        double back[1];
        space_encode(sp, c, back);
        assert_true(fabs(back[0] - us[i]) < 1e-12);
    }
    u[0] = 0.25;
    space_decode(sp, u, c);
    assert_true(c[0] < -1e307); /* not the upper bound */
    space_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_infinite_width),
        cmocka_unit_test(test_add_errors),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_decode_always_valid),
        cmocka_unit_test(test_int_bins_uniform),
        cmocka_unit_test(test_from_unit_categorical),
        cmocka_unit_test(test_equal_and_clone),
        cmocka_unit_test(test_cardinality_enumeration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
