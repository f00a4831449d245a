/*
 * test_sysload.c - tests plugins/sysload.c: /proc/stat text parsed into busy
 * and total CPU seconds and a CPU count, malformed text refused, the share
 * other processes used between two samples (the run's own time taken off,
 * clamped at 0, NAN without samples), and a real read on this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "plugins/sysload.h"

static const char stat_a[] =
    "cpu  1000 50 300 5000 20 0 30 0 0 0\n"
    "cpu0 500 25 150 2500 10 0 15 0 0 0\n"
    "cpu1 500 25 150 2500 10 0 15 0 0 0\n"
    "intr 123 0 0\n"
    "ctxt 456\n";

static void test_parse(void **state)
{
    (void)state;
    sysload_sample s;
    assert_int_equal(sysload_parse(stat_a, 100, &s), 0);
    assert_true(s.ok);
    assert_int_equal(s.cpus, 2);
    /* busy: user 1000 + nice 50 + system 300 + irq 0 + softirq 30 = 1380 ticks */
    assert_float_equal(s.busy_seconds, 13.8, 1e-12);
    /* total: busy + idle 5000 + iowait 20 */
    assert_float_equal(s.total_seconds, 64.0, 1e-12);
    /* an old kernel's four fields: user nice system idle */
    assert_int_equal(sysload_parse("cpu  10 0 10 80\ncpu0 10 0 10 80\n", 10, &s), 0);
    assert_float_equal(s.busy_seconds, 2.0, 1e-12);
    assert_int_equal(s.cpus, 1);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    sysload_sample s;
    assert_int_equal(sysload_parse("cpu0 1 2 3 4\nintr 5\n", 100, &s), -1);   /* no total */
    assert_false(s.ok);
    assert_int_equal(sysload_parse("cpu  1 2 3\n", 100, &s), -1);             /* 3 fields */
    assert_int_equal(sysload_parse("cpu  x y z w\n", 100, &s), -1);
    assert_int_equal(sysload_parse(stat_a, 0, &s), -1);
    assert_int_equal(sysload_parse(NULL, 100, &s), -1);
    assert_int_equal(sysload_parse("", 100, &s), -1);
}

static void test_other_cpus(void **state)
{
    (void)state;
    sysload_sample a, b;
    assert_int_equal(sysload_parse(stat_a, 100, &a), 0);
    /* 4 s later: 700 more busy ticks (7 s); the run itself used 3 s of CPU,
     * so others used 4 s in 4 s: one CPU's worth. */
    assert_int_equal(sysload_parse("cpu  1600 50 380 5100 20 0 50 0 0 0\n", 100, &b), 0);
    assert_float_equal(sysload_other_cpus(&a, &b, 3.0, 4.0), 1.0, 1e-12);
    /* the run's exact time above the ticks counted: 0, not negative */
    assert_float_equal(sysload_other_cpus(&a, &b, 7.5, 4.0), 0.0, 0);
    assert_true(isnan(sysload_other_cpus(&a, &b, 3.0, 0)));
    assert_true(isnan(sysload_other_cpus(&a, &b, -1.0, 4.0)));
    assert_true(isnan(sysload_other_cpus(&a, &b, NAN, 4.0)));
    sysload_sample none = {0};
    assert_true(isnan(sysload_other_cpus(&none, &b, 3.0, 4.0)));
    assert_true(isnan(sysload_other_cpus(&a, &none, 3.0, 4.0)));
}

/* This machine is Linux: /proc/stat reads, time only goes forward. */
static void test_read(void **state)
{
    (void)state;
    sysload_sample a, b;
    assert_int_equal(sysload_read(&a), 0);
    assert_true(a.ok && a.cpus >= 1);
    assert_true(a.busy_seconds > 0 && a.total_seconds >= a.busy_seconds);
    volatile double x = 0;
    for (long i = 0; i < 20000000; i++)
        x += 1e-9 * (double)i;
    assert_int_equal(sysload_read(&b), 0);
    assert_true(b.busy_seconds >= a.busy_seconds && b.total_seconds >= a.total_seconds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_other_cpus),
        cmocka_unit_test(test_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
