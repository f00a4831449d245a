/*
 * test_jsonw.c - the JSON text writer and the ISO 8601 time formatter of the
 * trial lists: escaping, numbers that read back to the same double, and
 * dates against gmtime_r over a spread of times.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "server/jsonw.h"
#include "util/util.h"

static void test_strings_and_ints(void **state)
{
    (void)state;
    jsonw w;
    jsonw_init(&w);
    jsonw_lit(&w, "[");
    jsonw_str(&w, "plain");
    jsonw_lit(&w, ",");
    jsonw_strn(&w, "q\"b\\n\nt\tc\x01\x7f\xc3\xa9", 13);
    jsonw_lit(&w, ",");
    jsonw_int(&w, 0);
    jsonw_lit(&w, ",");
    jsonw_int(&w, -42);
    jsonw_lit(&w, ",");
    jsonw_int(&w, INT64_MIN);
    jsonw_lit(&w, ",");
    jsonw_int(&w, INT64_MAX);
    jsonw_lit(&w, "]");
    size_t len;
    char *txt = jsonw_finish(&w, &len);
    assert_non_null(txt);
    assert_int_equal(strlen(txt), len);
    json_error_t jerr;
    json_t *v = json_loads(txt, 0, &jerr);
    if (!v)
        fail_msg("not JSON: %s: %s", txt, jerr.text);
    assert_string_equal(json_string_value(json_array_get(v, 0)), "plain");
    assert_string_equal(json_string_value(json_array_get(v, 1)), "q\"b\\n\nt\tc\x01\x7f\xc3\xa9");
    assert_int_equal(json_integer_value(json_array_get(v, 2)), 0);
    assert_int_equal(json_integer_value(json_array_get(v, 3)), -42);
    assert_true(json_integer_value(json_array_get(v, 4)) == INT64_MIN);
    assert_true(json_integer_value(json_array_get(v, 5)) == INT64_MAX);
    json_decref(v);
    free(txt);
}

static void test_doubles_round_trip(void **state)
{
    (void)state;
    const double vals[] = {0.0, 1.0, -3.0, 0.1, 1.5, 1e-300, 1e300, 123456789012345.0,
                           1e15, 2.5e-7, -2.9068608093075454, 1.0 / 3.0, 51234.0, 4503599627370497.0};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        jsonw w;
        jsonw_init(&w);
        jsonw_double(&w, vals[i]);
        char *txt = jsonw_finish(&w, NULL);
        assert_non_null(txt);
        /* always a JSON real: a '.' or an exponent */
        assert_non_null(strpbrk(txt, ".e"));
        if (strtod(txt, NULL) != vals[i])
            fail_msg("%.17g written as %s", vals[i], txt);
        free(txt);
    }
    jsonw w;
    jsonw_init(&w);
    jsonw_double(&w, NAN);
    jsonw_double(&w, INFINITY);
    char *txt = jsonw_finish(&w, NULL);
    assert_string_equal(txt, "nullnull");
    free(txt);
    jsonw_init(&w);
    jsonw_double(&w, 0.1);
    txt = jsonw_finish(&w, NULL);
    assert_string_equal(txt, "0.1"); /* shortest form */
    free(txt);
}

static void test_iso8601(void **state)
{
    (void)state;
    char buf[40], want[96];
    util_iso8601(0, 0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    util_iso8601(951782400.25, 1, buf, sizeof buf); /* leap day 2000 */
    assert_string_equal(buf, "2000-02-29T00:00:00.250Z");
    srand(7);
    for (int i = 0; i < 20000; i++) {
        double t = (double)rand() / RAND_MAX * 7.0e9 + (double)(rand() % 1000) / 1000.0;
        util_iso8601(t, 1, buf, sizeof buf);
        time_t s = (time_t)floor(t);
        struct tm tm;
        gmtime_r(&s, &tm);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)((t - floor(t)) * 1000.0));
        if (strcmp(buf, want) != 0)
            fail_msg("%.3f: %s, expected %s", t, buf, want);
    }
}

/* A jansson tree as text: key order kept, reals in their shortest form
 * (json_dumps writes 9.1 as 9.0999999999999996), every kind of value. */
static void test_value_shortest(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:f, s:f, s:f, s:I, s:[b, b, n], s:s, s:{}}", "x", 9.1, "y", 0.1 + 0.2,
                          "z", 1e-7, "n", (json_int_t)-3, "a", 1, 0, "s", "q\"", "o");
    assert_non_null(v);
    size_t len = 0;
    char *txt = jsonw_dumps(v, &len);
    assert_non_null(txt);
    assert_string_equal(txt, "{\"x\":9.1,\"y\":0.30000000000000004,\"z\":1e-07,\"n\":-3,"
                             "\"a\":[true,false,null],\"s\":\"q\\\"\",\"o\":{}}");
    assert_int_equal(len, strlen(txt));
    /* and it reads back to the same tree */
    json_t *back = json_loads(txt, 0, NULL);
    assert_true(json_equal(v, back));
    json_decref(back);
    free(txt);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_and_ints),
        cmocka_unit_test(test_doubles_round_trip),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_value_shortest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
