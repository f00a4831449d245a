/*
 * test_keyvalue.c - the "keyvalue" parser: key=value pairs (several a line),
 * key: value lines, units, values that are not numbers, name normalisation.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

static void test_pairs_and_colons(void **state)
{
    (void)state;
    const char *text =
        "# a comment = 5\n"
        "latency_ms=12.5 throughput = 8000, cache.hit_rate=0.93;errors=0\n"
        "Average latency (ms): 3.25\n"
        "energy: 4.5e-3 J\n"
        "util: 80%\n"
        "Date: Sun Nov 22 15:22:06 2026\n"
        "version: 7.8.3\n"
        "when=2026-11-22\n"
        "mode=fast\n"
        "Peak Memory/GB: -1.5\r\n"
        "  indented.key : +7\n"
        "latency_ms=13.5\n"
        "\n"
        "no separator here\n";
    logs_metrics m;
    logs_metrics_init(&m);
    char err[128];
    assert_int_equal(logs_parse("keyvalue", text, strlen(text), &m, err, sizeof err), 0);
    expect(&m, "latency_ms", 13.5); /* the last value wins */
    expect(&m, "throughput", 8000);
    expect(&m, "cache.hit_rate", 0.93);
    expect(&m, "errors", 0);
    expect(&m, "average_latency_ms", 3.25);
    expect(&m, "energy", 4.5e-3);
    expect(&m, "util", 80);
    expect(&m, "peak_memory_gb", -1.5);
    expect(&m, "indented.key", 7);
    assert_null(logs_metrics_get(&m, "date"));
    assert_null(logs_metrics_get(&m, "version"));
    assert_null(logs_metrics_get(&m, "when"));
    assert_null(logs_metrics_get(&m, "mode"));
    assert_null(logs_metrics_get(&m, "a_comment"));
    assert_int_equal(m.count, 9);
    logs_metrics_free(&m);
}

static void test_no_terminator_and_empty(void **state)
{
    (void)state;
    logs_metrics m;
    logs_metrics_init(&m);
    /* len excludes the trailing "99": the parser must stop at len. */
    const char *text = "a=1\nb=2\nc=399";
    assert_int_equal(logs_parse("keyvalue", text, strlen(text) - 2, &m, NULL, 0), 0);
    expect(&m, "a", 1);
    expect(&m, "b", 2);
    expect(&m, "c", 3);
    assert_int_equal(logs_parse("keyvalue", "", 0, &m, NULL, 0), 0);
    assert_int_equal(logs_parse("keyvalue", NULL, 0, &m, NULL, 0), 0);
    assert_int_equal(m.count, 3);
    logs_metrics_free(&m);
}

static void test_non_finite_and_odd_numbers(void **state)
{
    (void)state;
    const char *text = "a=inf\nb=nan\nc=0x10\nd=1e400\ne=.5\nf=5.\ng=-\nh=1e\n";
    logs_metrics m;
    logs_metrics_init(&m);
    assert_int_equal(logs_parse("keyvalue", text, strlen(text), &m, NULL, 0), 0);
    assert_null(logs_metrics_get(&m, "a"));
    assert_null(logs_metrics_get(&m, "b"));
    assert_null(logs_metrics_get(&m, "c"));
    assert_null(logs_metrics_get(&m, "d")); /* overflows to inf */
    expect(&m, "e", 0.5);
    expect(&m, "f", 5.0);
    assert_null(logs_metrics_get(&m, "g"));
    expect(&m, "h", 1.0); /* "1e" reads as 1 followed by the unit "e" */
    logs_metrics_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_and_colons),
        cmocka_unit_test(test_no_terminator_and_empty),
        cmocka_unit_test(test_non_finite_and_odd_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
