/*
 * test_plugin_objectives.c - plugin_options.objectives into a study's
 * "objectives" through plugin_fill_study: the accelerator's energy,delay
 * (names without their unit), full metric names, an unknown or ambiguous
 * name refused naming the option, a study's own objective kept, and a
 * plugin that does not declare the option left as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "plugins/builtin.h"
#include "plugins/plugin_json.h"
#include "plugins/plugin_objectives.h"

static json_t *fill(const plugin *p, const char *body_text, int want_rc, char *err,
                    size_t err_len)
{
    json_error_t je;
    json_t *body = json_loads(body_text, 0, &je);
    assert_non_null(body);
    assert_int_equal(plugin_fill_study(p, body, err, err_len), want_rc);
    return body;
}

static const char *objective_name(const json_t *body, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(body, "objectives"), i), "name"));
}

static void test_energy_delay(void **state)
{
    (void)state;
    char err[256] = "";
    json_t *body = fill(&plugin_accelerator,
                        "{\"name\": \"s\", \"plugin_options\": {\"objectives\": \"energy,delay\"}}",
                        0, err, sizeof err);
    assert_int_equal(json_array_size(json_object_get(body, "objectives")), 2);
    assert_string_equal(objective_name(body, 0), "energy_mj");
    assert_string_equal(objective_name(body, 1), "delay_ms");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(body, "objectives"), 1), "goal")),
                        "minimize");
    /* the plugin's own objective is not added beside them */
    assert_null(json_object_get(body, "objective"));
    /* the rest of the plugin's study is filled as usual */
    assert_non_null(json_object_get(body, "parameters"));
    assert_non_null(json_object_get(body, "constraints"));
    json_decref(body);

    body = fill(&plugin_accelerator,
                "{\"plugin_options\": {\"objectives\": \"energy_mj,delay_ms,area_mm2\"}}", 0, err,
                sizeof err);
    assert_int_equal(json_array_size(json_object_get(body, "objectives")), 3);
    assert_string_equal(objective_name(body, 2), "area_mm2");
    json_decref(body);
}

static void test_refused(void **state)
{
    (void)state;
    char err[256] = "";
    json_t *body = fill(&plugin_accelerator,
                        "{\"plugin_options\": {\"objectives\": \"energy,speed\"}}", -1, err,
                        sizeof err);
    assert_non_null(strstr(err, "plugin_options.objectives"));
    assert_non_null(strstr(err, "'speed'"));
    json_decref(body);
    /* "e" names several metrics (e_mac_mj, e_reg_mj, ...): not one */
    body = fill(&plugin_accelerator, "{\"plugin_options\": {\"objectives\": \"e,delay\"}}", -1,
                err, sizeof err);
    assert_non_null(strstr(err, "'e'"));
    json_decref(body);
    body = fill(&plugin_accelerator, "{\"plugin_options\": {\"objectives\": \"energy,,delay\"}}",
                -1, err, sizeof err);
    json_decref(body);
    body = fill(&plugin_accelerator, "{\"plugin_options\": {\"objectives\": 3}}", -1, err,
                sizeof err);
    json_decref(body);
}

static void test_own_objective_kept(void **state)
{
    (void)state;
    char err[256] = "";
    json_t *body = fill(&plugin_accelerator,
                        "{\"objective\": {\"name\": \"edp\"}, \"plugin_options\": "
                        "{\"objectives\": \"energy,delay\"}}",
                        0, err, sizeof err);
    assert_null(json_object_get(body, "objectives"));
    json_decref(body);
    /* without the option the plugin's objective fills in */
    body = fill(&plugin_accelerator, "{\"name\": \"s\"}", 0, err, sizeof err);
    assert_null(json_object_get(body, "objectives"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(body, "objective"), "name")), "edp");
    json_decref(body);
    /* a plugin that does not declare the option refuses it as any unknown option */
    body = fill(&plugin_partition, "{\"plugin_options\": {\"objectives\": \"a,b\"}}", -1, err,
                sizeof err);
    assert_non_null(strstr(err, "plugin_options.objectives"));
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy_delay),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_own_objective_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
