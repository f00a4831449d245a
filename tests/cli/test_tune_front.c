/*
 * test_tune_front.c - the closing figures of `bograph tune` for a study of
 * several objectives: the objectives of a study object, the hypervolume of
 * /best's front from the default's objectives (or, without a default, from
 * the front's own reference point), and the printed table sorted by the
 * first objective with the reference point stated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/tune_front.h"

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad JSON in the test: %s", je.text);
    return j;
}

#define STUDY "{\"objectives\": [{\"name\": \"e\", \"goal\": \"minimize\"}, " \
              "{\"name\": \"d\", \"goal\": \"minimize\"}], \"objective\": null}"
/* a front of two trials; the default (10, 10) is not on it */
#define BEST "{\"pareto\": [{\"number\": 4, \"objectives\": {\"e\": 6, \"d\": 2}}, " \
             "{\"number\": 2, \"objectives\": {\"e\": 2, \"d\": 8}}], " \
             "\"default\": {\"number\": 1, \"is_default\": true, " \
             "\"objectives\": {\"e\": 10, \"d\": 10}}}"

static void test_objectives_of(void **state)
{
    (void)state;
    json_t *s = load(STUDY);
    tune_objectives o;
    assert_int_equal(tune_objectives_of(s, &o), 0);
    assert_int_equal(o.m, 2);
    assert_string_equal(o.names[1], "d");
    json_decref(s);
    s = load("{\"objective\": {\"name\": \"y\"}}");
    assert_int_equal(tune_objectives_of(s, &o), -1);
    assert_int_equal(o.m, 0);
    json_decref(s);
}

static void test_hypervolume(void **state)
{
    (void)state;
    json_t *s = load(STUDY), *b = load(BEST);
    tune_objectives o;
    assert_int_equal(tune_objectives_of(s, &o), 0);
    double ref[4], hv = 0;
    int from_default = 0;
    assert_int_equal(tune_front_hypervolume(&o, b, ref, &from_default, &hv), 0);
    assert_true(from_default);
    assert_true(ref[0] == 10 && ref[1] == 10);
    /* (10-6)(10-2) + (6-2)(10-8) = 32 + 8 */
    assert_true(hv == 40);
    /* without a default: the front's worst values moved 10% of the range */
    json_object_set_new(b, "default", json_null());
    assert_int_equal(tune_front_hypervolume(&o, b, ref, &from_default, &hv), 0);
    assert_false(from_default);
    assert_true(ref[0] == 6.4 && ref[1] == 8.6);
    assert_true(hv > 0);
    /* an empty front has none */
    json_object_set_new(b, "pareto", json_array());
    assert_int_equal(tune_front_hypervolume(&o, b, ref, &from_default, &hv), -1);
    json_decref(s);
    json_decref(b);
}

static void test_print(void **state)
{
    (void)state;
    json_t *s = load(STUDY), *b = load(BEST);
    tune_objectives o;
    assert_int_equal(tune_objectives_of(s, &o), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    tune_front_print(f, &o, b);
    fclose(f);
    /* sorted by e: trial 2 (e 2) before trial 4 (e 6) */
    char *t2 = strstr(text, "\n2 "), *t4 = strstr(text, "\n4 ");
    if (!t2 || !t4 || t2 > t4)
        fail_msg("front not sorted by the first objective:\n%s", text);
    assert_non_null(strstr(text, "Pareto front: 2 trials, sorted by e"));
    assert_non_null(strstr(text, "hypervolume: 40 (reference point: the default's e 10, d 10)"));
    free(text);
    json_decref(s);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objectives_of),
        cmocka_unit_test(test_hypervolume),
        cmocka_unit_test(test_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
