/*
 * test_http_log.c - the request log line (server/http_log.c): whatever
 * bytes the method and path hold (quotes, backslashes, control characters,
 * bytes >= 0x80 that are not UTF-8), the line parses as JSON and says them
 * as %XX; a path longer than the buffer is cut, still valid.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "server/http_log.h"

static json_t *parse_line(const char *line)
{
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    if (!j)
        fail_msg("not JSON (%s): %s", jerr.text, line);
    return j;
}

static void test_escape(void **state)
{
    (void)state;
    char out[64];
    http_log_escape("/v1/a\"b\\c\x01\x7f\xc3\xa9\xff", out, sizeof out);
    assert_string_equal(out, "/v1/a\\\"b\\\\c%01%7F%C3%A9%FF");
    http_log_escape("abcdefghijklmnop", out, 8); /* cut, terminated */
    assert_true(strlen(out) < 8);
    http_log_escape("\x80\x80\x80\x80", out, 8); /* never half an escape */
    assert_string_equal(out, "%80%80");
    http_log_escape(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_line(void **state)
{
    (void)state;
    char line[2048];
    size_t n = http_log_line(line, sizeof line, "2026-01-01T00:00:00.000Z", "G\xc9T\"",
                             "unmatched", "/v1/\xe9t\xe9\n\"x\\", 404, 0.25);
    assert_true(n > 0 && line[n - 1] == '\n');
    json_t *j = parse_line(line);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "G%C9T\"");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/v1/%E9t%E9%0A\"x\\");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
    json_decref(j);
    /* a path of 5,000 bytes >= 0x80: cut, still one valid line */
    char path[5001];
    memset(path, 0xfe, 5000);
    path[5000] = '\0';
    n = http_log_line(line, sizeof line, "t", "GET", "r", path, 200, 1.0);
    assert_true(n > 0);
    j = parse_line(line);
    assert_true(strlen(json_string_value(json_object_get(j, "path"))) < 1024);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
