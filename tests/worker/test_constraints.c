/*
 * test_constraints.c - tests worker/constraints.c: which constraint of a
 * study a result misses, as the trial lines say it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugins/host.h"
#include "worker/constraints.h"

static void test_missed(void **state)
{
    (void)state;
    json_error_t je;
    json_t *c = json_loads("[{\"metric\": \"mem\", \"op\": \"<=\", \"value\": 80},"
                           " {\"metric\": \"tput\", \"op\": \">\", \"value\": 10}]", 0, &je);
    assert_non_null(c);
    plugin_result r;
    plugin_result_init(&r);
    char buf[128];
    r.set_metric(&r, "mem", 80);
    r.set_metric(&r, "tput", 11);
    assert_int_equal(worker_constraint_missed(c, &r, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    r.set_metric(&r, "mem", 90);
    assert_int_equal(worker_constraint_missed(c, &r, buf, sizeof buf), 1);
    assert_string_equal(buf, "mem 90 > 80");
    r.set_metric(&r, "mem", 1);
    r.set_metric(&r, "tput", 10);
    assert_int_equal(worker_constraint_missed(c, &r, buf, sizeof buf), 1);
    assert_string_equal(buf, "tput 10 <= 10");
    plugin_result_free(&r);
    plugin_result_init(&r);
    assert_int_equal(worker_constraint_missed(c, &r, buf, sizeof buf), 1);
    assert_string_equal(buf, "mem missing (<= 80)");
    assert_int_equal(worker_constraint_missed(NULL, &r, buf, sizeof buf), 0);
    plugin_result_free(&r);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
