/*
 * test_report.c - tests worker/report.c: a report body always fits the
 * request limit (a log over it cut to its tail behind a marker line, or left
 * out), NUL bytes never reach the body, the objective is among the metrics,
 * and small results pass unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"
#include "util/result_limits.h"
#include "worker/report.h"

static size_t body_size(const json_t *body)
{
    return json_dumpb(body, NULL, 0, JSON_COMPACT);
}

/* A log of n bytes that JSON escaping enlarges (quotes, tabs, control
 * characters), ending in "THE END\n". */
static void fill_log(plugin_result *res, size_t n)
{
    char *log = malloc(n);
    assert_non_null(log);
    static const char pattern[] = "\"\\\t\001x";
    for (size_t i = 0; i < n; i++)
        log[i] = pattern[i % 5];
    memcpy(log + n - 8, "THE END\n", 8);
    assert_int_equal(res->append_log(res, log, n), 0);
    free(log);
}

static void test_small_result_unchanged(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    res.set_metric(&res, "lat", 2);
    res.has_objective = 1;
    res.objective = 5;
    res.append_log(&res, "lat=2\n", 6);
    snprintf(res.log_format, sizeof res.log_format, "keyvalue");
    worker_report_fit fit;
    json_t *b = worker_report_body(&res, "y", BOGRAPH_DEFAULT_MAX_BODY, &fit);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "logs")), "lat=2\n");
    assert_string_equal(json_string_value(json_object_get(b, "log_format")), "keyvalue");
    assert_true(json_number_value(json_object_get(json_object_get(b, "metrics"), "y")) == 5);
    assert_false(fit.log_cut);
    assert_false(fit.log_dropped);
    json_decref(b);
    plugin_result_free(&res);
}

/* 9 MiB of output that escapes to ~23 MiB: the body fits 8 MiB, the log's
 * tail is kept behind the marker. */
static void test_large_log_cut_to_fit(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    res.set_metric(&res, "y", 3);
    fill_log(&res, 9u << 20);
    worker_report_fit fit;
    json_t *b = worker_report_body(&res, "y", BOGRAPH_DEFAULT_MAX_BODY, &fit);
    assert_non_null(b);
    assert_true(body_size(b) <= BOGRAPH_DEFAULT_MAX_BODY);
    assert_true(fit.log_cut);
    assert_false(fit.log_dropped);
    assert_int_equal(fit.log_bytes, 9u << 20);
    assert_true(fit.log_sent > 1u << 20);
    const char *logs = json_string_value(json_object_get(b, "logs"));
    size_t len = json_string_length(json_object_get(b, "logs"));
    assert_int_equal(strncmp(logs, WORKER_REPORT_CUT_MARK, strlen(WORKER_REPORT_CUT_MARK)), 0);
    assert_int_equal(memcmp(logs + len - 8, "THE END\n", 8), 0);
    assert_true(json_number_value(json_object_get(json_object_get(b, "metrics"), "y")) == 3);
    json_decref(b);

    /* A smaller limit (a service started with --max-body) is met too. */
    b = worker_report_body(&res, "y", 100000, &fit);
    assert_true(body_size(b) <= 100000);
    assert_true(fit.log_cut);
    json_decref(b);
    /* No room for a log at all: none, and no log_format. */
    b = worker_report_body(&res, "y", 0, &fit);
    assert_null(json_object_get(b, "logs"));
    assert_null(json_object_get(b, "log_format"));
    assert_true(fit.log_dropped);
    json_decref(b);
    plugin_result_free(&res);
}

static void test_nul_replaced(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    res.set_metric(&res, "y", 1);
    res.append_log(&res, "x\0y", 3);
    json_t *b = worker_report_body(&res, "y", BOGRAPH_DEFAULT_MAX_BODY, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "logs")), "x?y");
    json_decref(b);
    plugin_result_free(&res);
}

/* The host keeps no more metrics than the service takes. */
static void test_metrics_capped_by_host(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    char name[32];
    for (int i = 0; i < BOGRAPH_MAX_METRICS + 50; i++) {
        snprintf(name, sizeof name, "m%d", i);
        res.set_metric(&res, name, i);
    }
    char longname[BOGRAPH_MAX_METRIC_NAME + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(res.set_metric(&res, longname, 1), -1);
    json_t *b = worker_report_body(&res, NULL, BOGRAPH_DEFAULT_MAX_BODY, NULL);
    assert_int_equal(json_object_size(json_object_get(b, "metrics")), BOGRAPH_MAX_METRICS);
    json_decref(b);
    plugin_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_result_unchanged),
        cmocka_unit_test(test_large_log_cut_to_fit),
        cmocka_unit_test(test_nul_replaced),
        cmocka_unit_test(test_metrics_capped_by_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
