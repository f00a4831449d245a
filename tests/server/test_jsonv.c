/*
 * test_jsonv.c - request parsing and field validation: what is rejected,
 * which field the error names, and the error object's shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/jsonv.h"

static void test_parse_object(void **state)
{
    (void)state;
    jv_error e;
    json_t *v = NULL;
    static const char *const bad[] = {
        "{\"a\": 1",               /* truncated */
        "[1, 2]",                  /* not an object */
        "{\"a\": NaN}",            /* not JSON */
        "{\"a\": Infinity}",
        "{\"a\": -Infinity}",
        "{\"a\": 1e999}",          /* overflows a double */
        "{\"a\": 99999999999999999999999}", /* overflows int64 */
        "{\"a\": 1, \"a\": 2}",    /* duplicate key */
        "\"text\"",
        "{'a': 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(jv_parse_object(bad[i], strlen(bad[i]), 0, &v, &e), -1);
        assert_null(v);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.code, "invalid_argument");
    }
    assert_int_equal(jv_parse_object("  ", 2, 0, &v, &e), -1);
    assert_int_equal(jv_parse_object("  ", 2, 1, &v, &e), 0);
    assert_true(json_is_object(v) && json_object_size(v) == 0);
    json_decref(v);
    assert_int_equal(jv_parse_object("{\"a\": 1}", 8, 0, &v, &e), 0);
    json_decref(v);
}

static void test_getters(void **state)
{
    (void)state;
    jv_error e;
    json_t *o = json_loads("{\"s\": \"x\", \"e\": \"\", \"n\": 1.5, \"i\": 3, \"r\": 4.0, "
                           "\"b\": true, \"nul\": null, \"big\": 1e300}",
                           0, NULL);
    const char *s = NULL;
    double d = 0;
    int64_t i = 0;
    int b = 0, present = -1;
    assert_int_equal(jv_get_string(o, "s", "", 1, 1, &s, NULL, &e), 0);
    assert_string_equal(s, "x");
    assert_int_equal(jv_get_string(o, "e", "p", 1, 1, &s, NULL, &e), -1);
    assert_string_equal(e.field, "p.e");
    assert_int_equal(jv_get_string(o, "n", "", 1, 0, &s, NULL, &e), -1);
    assert_string_equal(e.field, "n");
    assert_int_equal(jv_get_string(o, "missing", "", 1, 0, &s, NULL, &e), -1);
    assert_int_equal(jv_get_string(o, "nul", "", 0, 0, &s, &present, &e), 0);
    assert_int_equal(present, 0);
    assert_int_equal(jv_get_number(o, "i", "", 1, &d, NULL, &e), 0);
    assert_true(d == 3.0);
    assert_int_equal(jv_get_number(o, "s", "", 1, &d, NULL, &e), -1);
    assert_int_equal(jv_get_int(o, "r", "", 1, 0, 10, &i, NULL, &e), 0); /* 4.0 is integral */
    assert_int_equal(i, 4);
    assert_int_equal(jv_get_int(o, "n", "", 1, 0, 10, &i, NULL, &e), -1);
    assert_int_equal(jv_get_int(o, "i", "", 1, 5, 10, &i, NULL, &e), -1);
    assert_int_equal(jv_get_int(o, "big", "", 1, 0, INT64_MAX, &i, NULL, &e), -1);
    assert_int_equal(jv_get_bool(o, "b", "", 1, &b, NULL, &e), 0);
    assert_int_equal(b, 1);
    assert_int_equal(jv_get_bool(o, "i", "", 1, &b, NULL, &e), -1);
    static const char *const allowed[] = {"s", "e", "n", "i", "r", "b", "nul", NULL};
    assert_int_equal(jv_only_keys(o, allowed, "body", &e), -1);
    assert_string_equal(e.field, "body.big");
    json_decref(o);
}

static void test_error_json_and_canonical(void **state)
{
    (void)state;
    jv_error e;
    jv_invalid(&e, "parameters[2].high", "parameters[2].high must be greater than low");
    json_t *j = jv_error_json(&e);
    char *txt = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(txt, "{\"error\":{\"code\":\"invalid_argument\",\"field\":"
                             "\"parameters[2].high\",\"message\":\"parameters[2].high must be "
                             "greater than low\"}}");
    free(txt);
    json_decref(j);
    jv_fail(&e, 404, "not_found", NULL, "no study %d", 3);
    j = jv_error_json(&e);
    assert_null(json_object_get(json_object_get(j, "error"), "field"));
    json_decref(j);

    json_t *a = json_loads("{\"b\": 1, \"a\": [0.1, 2]}", 0, NULL);
    json_t *b = json_loads("{\"a\": [0.1, 2], \"b\": 1}", 0, NULL);
    char *ca = jv_dump_canonical(a), *cb = jv_dump_canonical(b);
    assert_string_equal(ca, cb);
    free(ca);
    free(cb);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_object),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_error_json_and_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
