/*
 * test_buf.c - the growable buffer (util/buf.c) and the seed mixer (util/rng.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/rng.h"

static void appends_grow_and_stay_terminated(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_int_equal(b.data[b.len], '\0');
    buf_puts(&b, "end");
    buf_append(&b, "xyz", 0);
    size_t len = 0;
    char *s = buf_finish(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, 2003);
    assert_string_equal(s + 1990, "5,6,7,8,9,end");
    assert_null(b.data);
    free(s);
}

static void empty_finish_gives_empty_string(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    size_t len = 7;
    char *s = buf_finish(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);
}

static void failed_buffer_finishes_null(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "abc");
    assert_int_equal(buf_reserve(&b, (size_t)-1), -1);
    assert_true(b.failed);
    buf_puts(&b, "more");
    assert_int_equal(b.len, 3);
    assert_null(buf_finish(&b, NULL));
}

static void splitmix_matches_reference(void **state)
{
    (void)state;
    /* First outputs of splitmix64 seeded with 0 (the published sequence). */
    uint64_t s = 0;
    assert_true(rng_next(&s) == 0xe220a8397b1dcdafULL);
    assert_true(rng_next(&s) == 0x6e789e6aa1b965f4ULL);
    double u = rng_unit(&s);
    assert_true(u > 0.0 && u < 1.0);
    assert_true(rng_mix(1, 2) != rng_mix(1, 3));
    assert_true(rng_stream_seed(5, 0) != rng_stream_seed(5, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends_grow_and_stay_terminated),
        cmocka_unit_test(empty_finish_gives_empty_string),
        cmocka_unit_test(failed_buffer_finishes_null),
        cmocka_unit_test(splitmix_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
