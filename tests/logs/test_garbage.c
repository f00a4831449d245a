/*
 * test_garbage.c - every parser on hostile input: random bytes, random
 * mutations and truncations of the real db_bench fixture and of valid
 * keyvalue/jsonl text, long lines, NUL bytes. Each parse must return 0 or -1
 * with a message, and every metric it yields must be finite with a clean
 * name. Run under ASan+UBSan in CI, this is the memory-safety check.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs/logs.h"
#include "util/rng.h"

static void check_parse(const char *format, const char *text, size_t len)
{
    logs_metrics m;
    logs_metrics_init(&m);
    char err[256];
    err[0] = '\0';
    int rc = logs_parse(format, text, len, &m, err, sizeof err);
    assert_true(rc == 0 || rc == -1);
    if (rc == -1) {
        assert_true(err[0] != '\0');
        assert_int_equal(m.count, 0);
    }
    for (size_t i = 0; i < m.count; i++) {
        const char *s = m.items[i].name;
        assert_true(s[0] != '\0');
        assert_true(strlen(s) <= 250);
        assert_true(isfinite(m.items[i].value));
        for (const char *p = s; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                        *p == '_');
    }
    logs_metrics_free(&m);
}

static char *read_fixture(size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/db_bench_mixgraph.txt", LOGS_FIXTURES);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *const formats[] = {"rocksdb", "keyvalue", "jsonl"};

static void test_random_bytes(void **state)
{
    (void)state;
    uint64_t s = 1;
    char buf[4096];
    for (int round = 0; round < 300; round++) {
        size_t len = rng_next(&s) % sizeof buf;
        /* Half fully random, half from an alphabet that hits the parsers'
         * separators often. */
        static const char alphabet[] = "rocksdb.:= \n{}[]\",0123456789.eE+-PKMGB/()*%#\t";
        for (size_t i = 0; i < len; i++)
            buf[i] = (round & 1) ? (char)rng_next(&s)
                                 : alphabet[rng_next(&s) % (sizeof alphabet - 1)];
        /* The buffer is exactly len bytes: ASan catches a read past it. */
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, buf, len);
        for (size_t f = 0; f < 3; f++)
            check_parse(formats[f], exact, len);
        free(exact);
    }
}

static void test_mutated_fixture(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture(&len);
    uint64_t s = 7;
    for (int round = 0; round < 60; round++) {
        size_t cut = rng_next(&s) % (len + 1);
        char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, text, cut);
        size_t flips = rng_next(&s) % 40;
        for (size_t k = 0; k < flips && cut > 0; k++)
            copy[rng_next(&s) % cut] = (char)rng_next(&s);
        for (size_t f = 0; f < 3; f++)
            check_parse(formats[f], copy, cut);
        free(copy);
    }
    free(text);
}

static void test_mutated_records(void **state)
{
    (void)state;
    const char *seed_text =
        "{\"a\": {\"b\": [1, 2, {\"c\": 3.5e2}]}, \"d\": true, \"e\": \"x\"}\n"
        "x=1 y = 2, z: 3\n"
        "rocksdb.db.get.micros P50 : 1.5 P95 : 2.5 COUNT : 10 SUM : 20\n"
        "Stalls(count): 0 level0_slowdown, 2 memtable_compaction, interval 2 total count\n"
        "Cumulative stall: 00:00:0.010 H:M:S, 2.6 percent\n";
    size_t len = strlen(seed_text);
    uint64_t s = 11;
    for (int round = 0; round < 400; round++) {
        char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, seed_text, len);
        size_t flips = 1 + rng_next(&s) % 6;
        for (size_t k = 0; k < flips; k++)
            copy[rng_next(&s) % len] = "{}[]:,=\"\n .0-e\\"[rng_next(&s) % 15];
        size_t cut = rng_next(&s) % (len + 1);
        for (size_t f = 0; f < 3; f++)
            check_parse(formats[f], copy, cut);
        free(copy);
    }
}

static void test_long_lines(void **state)
{
    (void)state;
    size_t len = 200000;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, 'a', len);
    for (size_t f = 0; f < 3; f++)
        check_parse(formats[f], text, len);
    /* A long run of digits is not a number a log reports. */
    memset(text, '9', len);
    text[0] = 'k';
    text[1] = '=';
    for (size_t f = 0; f < 3; f++)
        check_parse(formats[f], text, len);
    /* Very many distinct keys: refused past the limit, with a message. */
    size_t n = 0;
    for (int i = 0; n + 32 < len / 2; i++)
        n += (size_t)snprintf(text + n, len - n, "k%d=1\n", i);
    logs_metrics m;
    logs_metrics_init(&m);
    char err[256];
    assert_int_equal(logs_parse("keyvalue", text, n, &m, err, sizeof err), 0);
    size_t many = (size_t)(n / 8); /* ~ lines, at least a few thousand */
    assert_true(m.count > 1000 && m.count <= many + 1);
    logs_metrics_free(&m);
    free(text);

    char *huge = malloc(4000000);
    assert_non_null(huge);
    n = 0;
    for (int i = 0; n + 32 < 4000000; i++)
        n += (size_t)snprintf(huge + n, 4000000 - n, "k%d=1\n", i);
    logs_metrics_init(&m);
    err[0] = '\0';
    assert_int_equal(logs_parse("keyvalue", huge, n, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
    assert_int_equal(m.count, 0);
    logs_metrics_free(&m);
    free(huge);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    const char text[] = "a=1\n\0b=2\nc\0=3\nd=4";
    logs_metrics m;
    logs_metrics_init(&m);
    assert_int_equal(logs_parse("keyvalue", text, sizeof text - 1, &m, NULL, 0), 0);
    assert_non_null(logs_metrics_get(&m, "a"));
    assert_non_null(logs_metrics_get(&m, "d"));
    logs_metrics_free(&m);
    check_parse("jsonl", "{\"a\":\0 1}\n", 10);
    check_parse("rocksdb", "rocksdb.x\0 COUNT : 1\n", 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_mutated_fixture),
        cmocka_unit_test(test_mutated_records),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
