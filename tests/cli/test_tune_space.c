/*
 * test_tune_space.c - tests cli/tune_space.c: the space file of `bograph tune
 * command` holds the study's space members and nothing else, and they reach
 * the study creation body as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cli/tune_space.h"

static json_t *parse(const char *text, char *err, size_t len)
{
    return tune_space_parse("space.json", text, strlen(text), err, len);
}

static void test_space_members(void **state)
{
    (void)state;
    char err[512];
    json_t *s = parse("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
                      "\"high\": 1}], \"objective\": {\"name\": \"y\"}, \"default\": {\"x\": 0.5},"
                      " \"constraints\": [], \"parameter_constraints\": [\"x <= 1\"],"
                      " \"knowledge\": {\"edges\": []}}", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    json_t *body = json_pack("{s:s}", "name", "n");
    assert_int_equal(tune_space_apply(s, body), 0);
    assert_non_null(json_object_get(body, "parameters"));
    assert_non_null(json_object_get(body, "parameter_constraints"));
    assert_non_null(json_object_get(body, "knowledge"));
    assert_string_equal(json_string_value(json_object_get(body, "name")), "n");
    json_decref(body);
    json_decref(s);
    /* "objectives" in place of "objective" is passed on for the service to judge. */
    s = parse("{\"parameters\": [], \"objectives\": [{\"name\": \"a\"}]}", err, sizeof err);
    assert_non_null(s);
    json_decref(s);
}

static void test_space_errors(void **state)
{
    (void)state;
    char err[512];
    assert_null(parse("{\"parameters\": [], \"objective\": {}, \"argv\": [\"sh\"]}", err,
                      sizeof err));
    assert_non_null(strstr(err, "unknown member 'argv'"));
    assert_null(parse("{\"objective\": {\"name\": \"y\"}}", err, sizeof err));
    assert_non_null(strstr(err, "\"parameters\""));
    assert_null(parse("{\"parameters\": []}", err, sizeof err));
    assert_non_null(strstr(err, "\"objective\""));
    assert_null(parse("[1]", err, sizeof err));
    assert_non_null(strstr(err, "JSON object"));
    assert_null(parse("{\"parameters\": [], ", err, sizeof err));
    assert_non_null(strstr(err, "space.json:"));
    assert_null(parse("{\"parameters\": [], \"parameters\": [], \"objective\": {}}", err,
                      sizeof err));
    assert_null(tune_space_load("/nonexistent/space.json", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/space.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_members),
        cmocka_unit_test(test_space_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
