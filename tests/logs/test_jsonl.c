/*
 * test_jsonl.c - the "jsonl" parser: flattening, booleans, arrays, text lines
 * mixed in, invalid records reported with their line, all-or-nothing merge.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs/logs.h"

static void expect(const logs_metrics *m, const char *name, double value)
{
    const double *v = logs_metrics_get(m, name);
    if (!v)
        fail_msg("missing metric %s", name);
    if (fabs(*v - value) > 1e-12 * fmax(1.0, fabs(value)))
        fail_msg("%s = %.10g, expected %.10g", name, *v, value);
}

static void test_flatten(void **state)
{
    (void)state;
    const char *text =
        "starting run 3\n"
        "{\"step\": 1, \"db\": {\"get\": {\"P95\": 1.5, \"count\": 10}}, \"ok\": true}\n"
        "  {\"step\": 2, \"name\": \"x\", \"null\": null, \"lat\": [1, 2.5, {\"x\": 3}],"
        " \"Peak Memory\": 7, \"flag\": false}\n"
        "{\"trace\": [" /* a long array is skipped */
        "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,"
        "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9]}\n"
        "done\n";
    logs_metrics m;
    logs_metrics_init(&m);
    char err[128];
    assert_int_equal(logs_parse("jsonl", text, strlen(text), &m, err, sizeof err), 0);
    expect(&m, "step", 2);
    expect(&m, "db.get.p95", 1.5);
    expect(&m, "db.get.count", 10);
    expect(&m, "ok", 1);
    expect(&m, "flag", 0);
    expect(&m, "lat.0", 1);
    expect(&m, "lat.1", 2.5);
    expect(&m, "lat.2.x", 3);
    expect(&m, "peak_memory", 7);
    assert_null(logs_metrics_get(&m, "name"));
    assert_null(logs_metrics_get(&m, "null"));
    assert_null(logs_metrics_get(&m, "trace.0"));
    assert_int_equal(m.count, 9);
    logs_metrics_free(&m);
}

static void test_invalid_record(void **state)
{
    (void)state;
    const char *text = "{\"a\": 1}\n{\"b\": 2\n{\"c\": 3}\n";
    logs_metrics m;
    logs_metrics_init(&m);
    assert_int_equal(logs_metrics_set(&m, "kept", 1), 0);
    char err[256] = "";
    assert_int_equal(logs_parse("jsonl", text, strlen(text), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "jsonl line 2"));
    /* Nothing of a failed parse is merged. */
    assert_int_equal(m.count, 1);
    assert_null(logs_metrics_get(&m, "a"));
    logs_metrics_free(&m);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* Deeper than names may grow: parsed, nothing too long kept, no crash. */
    size_t depth = 3000;
    char *text = malloc(depth * 6 + 16);
    assert_non_null(text);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(text + n, "{\"a\":");
    n += (size_t)sprintf(text + n, "1");
    for (size_t i = 0; i < depth; i++)
        text[n++] = '}';
    logs_metrics m;
    logs_metrics_init(&m);
    char err[256];
    int rc = logs_parse("jsonl", text, n, &m, err, sizeof err);
    /* jansson refuses nesting beyond its limit: an error, not a crash. */
    assert_int_equal(rc, -1);
    assert_int_equal(m.count, 0);
    /* Within the limit but past the name length: no metric. */
    n = 0;
    for (size_t i = 0; i < 150; i++)
        n += (size_t)sprintf(text + n, "{\"a\":");
    n += (size_t)sprintf(text + n, "1");
    for (size_t i = 0; i < 150; i++)
        text[n++] = '}';
    assert_int_equal(logs_parse("jsonl", text, n, &m, err, sizeof err), 0);
    assert_int_equal(m.count, 0);
    logs_metrics_free(&m);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_invalid_record),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
