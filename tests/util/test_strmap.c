/*
 * test_strmap.c - the string hash table (util/strmap.c): one- and
 * two-string keys, duplicates, growth past the initial size, and pair keys
 * that concatenate alike but differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/strmap.h"

static void keys_values_and_duplicates(void **state)
{
    (void)state;
    strmap *m = strmap_new(0);
    assert_non_null(m);
    size_t v = 99;
    assert_int_equal(strmap_put(m, "alpha", 1, NULL), 1);
    assert_int_equal(strmap_put(m, "beta", 2, NULL), 1);
    assert_int_equal(strmap_put(m, "alpha", 7, &v), 0);
    assert_int_equal(v, 1); /* the first value stays */
    assert_int_equal(strmap_get(m, "beta", &v), 1);
    assert_int_equal(v, 2);
    assert_int_equal(strmap_get(m, "gamma", &v), 0);
    assert_int_equal(strmap_get(m, "", NULL), 0);
    assert_int_equal(strmap_count(m), 2);
    strmap_free(m);
}

static void pairs_are_not_concatenations(void **state)
{
    (void)state;
    strmap *m = strmap_new(4);
    assert_int_equal(strmap_put2(m, "ab", "c", 1, NULL), 1);
    assert_int_equal(strmap_put2(m, "a", "bc", 2, NULL), 1);
    assert_int_equal(strmap_put2(m, "abc", NULL, 3, NULL), 1);
    assert_int_equal(strmap_put2(m, "abc", "", 4, NULL), 1);
    assert_int_equal(strmap_put2(m, "c", "ab", 5, NULL), 1);
    size_t v = 0;
    assert_int_equal(strmap_put2(m, "a", "bc", 9, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(strmap_get2(m, "abc", NULL, &v), 1);
    assert_int_equal(v, 3);
    assert_int_equal(strmap_get2(m, "abc", "", &v), 1);
    assert_int_equal(v, 4);
    assert_int_equal(strmap_get2(m, "ab", NULL, NULL), 0);
    assert_int_equal(strmap_count(m), 5);
    strmap_free(m);
}

static void grows_past_its_size(void **state)
{
    (void)state;
    enum { N = 50000 };
    char (*names)[24] = malloc(N * sizeof *names);
    assert_non_null(names);
    strmap *m = strmap_new(1);
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "n%zu", i);
        assert_int_equal(strmap_put(m, names[i], i, NULL), 1);
    }
    assert_int_equal(strmap_count(m), N);
    for (size_t i = 0; i < N; i += 97) {
        size_t v = 0;
        assert_int_equal(strmap_get(m, names[i], &v), 1);
        assert_int_equal(v, i);
    }
    assert_int_equal(strmap_get(m, "n50000", NULL), 0);
    strmap_free(m);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_values_and_duplicates),
        cmocka_unit_test(pairs_are_not_concatenations),
        cmocka_unit_test(grows_past_its_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
