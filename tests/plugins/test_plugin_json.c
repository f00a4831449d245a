/*
 * test_plugin_json.c - tests plugins/plugin_json.c: the plugin description
 * in the API's shape, filling a study body from a plugin, configurations,
 * options and results to and from JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/host.h"
#include "plugins/plugin_json.h"

static void test_describe_accelerator(void **state)
{
    (void)state;
    json_t *j = plugin_to_json(&plugin_accelerator);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "accelerator");
    json_t *params = json_object_get(j, "parameters");
    assert_int_equal(json_array_size(params), plugin_accelerator.n_params);
    /* rows: ordinal with its values; dataflow: categorical with choices;
     * clock_mhz: int with bounds. */
    json_t *rows = json_array_get(params, 0);
    assert_string_equal(json_string_value(json_object_get(rows, "description")), "PE array rows");
    assert_string_equal(json_string_value(json_object_get(rows, "type")), "ordinal");
    assert_int_equal(json_array_size(json_object_get(rows, "values")), 6);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(rows, "values"), 0)), 4);
    json_t *flow = json_array_get(params, 2);
    assert_string_equal(json_string_value(json_object_get(flow, "type")), "categorical");
    assert_string_equal(json_string_value(json_array_get(json_object_get(flow, "choices"), 1)),
                        "ws");
    json_t *clock = json_array_get(params, 7);
    assert_string_equal(json_string_value(json_object_get(clock, "type")), "int");
    assert_int_equal(json_integer_value(json_object_get(clock, "low")), 200);
    json_t *obj = json_object_get(j, "objective");
    assert_string_equal(json_string_value(json_object_get(obj, "name")), "edp");
    assert_string_equal(json_string_value(json_object_get(obj, "goal")), "minimize");
    json_t *def = json_object_get(j, "default");
    assert_string_equal(json_string_value(json_object_get(def, "dataflow")), "ws");
    assert_int_equal(json_integer_value(json_object_get(def, "spad_kb")), 256);
    json_t *kn = json_object_get(j, "knowledge");
    assert_int_equal(json_array_size(json_object_get(kn, "edges")), plugin_accelerator.n_edges);
    assert_string_equal(json_string_value(json_object_get(json_object_get(kn, "models"), "edp")),
                        "energy_mj * delay_ms");
    json_t *c = json_array_get(json_object_get(j, "constraints"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "metric")), "area_mm2");
    assert_string_equal(json_string_value(json_object_get(j, "log_format")), "keyvalue");
    assert_true(json_is_true(json_object_get(j, "deterministic")));
    json_decref(j);
}

static void test_describe_all_builtins(void **state)
{
    (void)state;
    const plugin *all[] = {&plugin_rocksdb, &plugin_rocksdb_extended, &plugin_accelerator,
                           &plugin_partition, &plugin_command};
    for (size_t i = 0; i < 5; i++) {
        json_t *j = plugin_to_json(all[i]);
        assert_non_null(j);
        char *s = json_dumps(j, 0);
        assert_non_null(s);
        free(s);
        json_decref(j);
    }
    json_t *cmd = plugin_to_json(&plugin_command);
    assert_true(json_is_null(json_object_get(cmd, "objective")));
    assert_true(json_is_true(json_object_get(cmd, "user_space")));
    json_decref(cmd);
    json_t *rdb = plugin_to_json(&plugin_rocksdb);
    json_t *wbs = json_array_get(json_object_get(rdb, "parameters"), 2);
    assert_string_equal(json_string_value(json_object_get(wbs, "name")), "write_buffer_size");
    assert_true(json_is_true(json_object_get(wbs, "log")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(rdb, "objective"), "goal")),
                        "maximize");
    json_decref(rdb);
}

static void test_fill_study(void **state)
{
    (void)state;
    char err[256];
    json_error_t je;
    json_t *body = json_loads("{\"name\": \"s\", \"objective\": {\"name\": \"energy_mj\", "
                              "\"goal\": \"minimize\"}}", 0, &je);
    assert_int_equal(plugin_fill_study(&plugin_accelerator, body, err, sizeof err), 0);
    /* Given objective kept; the rest filled in. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "objective"),
                                                          "name")), "energy_mj");
    assert_int_equal(json_array_size(json_object_get(body, "parameters")), 8);
    /* The study shape: no descriptions (the description endpoint has them). */
    assert_null(json_object_get(json_array_get(json_object_get(body, "parameters"), 0),
                                "description"));
    assert_non_null(json_object_get(body, "default"));
    assert_non_null(json_object_get(body, "knowledge"));
    assert_non_null(json_object_get(body, "constraints"));
    assert_string_equal(json_string_value(json_object_get(body, "log_format")), "keyvalue");
    assert_string_equal(json_string_value(json_object_get(body, "plugin")), "accelerator");
    json_decref(body);

    /* Own parameters: the plugin's default no longer applies. */
    body = json_loads("{\"parameters\": [{\"name\": \"rows\", \"type\": \"int\", \"low\": 4, "
                      "\"high\": 64}]}", 0, &je);
    assert_int_equal(plugin_fill_study(&plugin_accelerator, body, err, sizeof err), 0);
    assert_null(json_object_get(body, "default"));
    assert_int_equal(json_array_size(json_object_get(body, "parameters")), 1);
    json_decref(body);

    /* The command plugin needs the study's space and objective. */
    body = json_loads("{\"name\": \"c\"}", 0, &je);
    assert_int_equal(plugin_fill_study(&plugin_command, body, err, sizeof err), -1);
    assert_non_null(strstr(err, "own \"parameters\" and \"objective\""));
    /* It does not name the plugin: the service puts "plugin 'command': " first. */
    assert_null(strstr(err, "command"));
    json_decref(body);
    body = json_loads("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
                      "\"high\": 1}], \"objective\": {\"name\": \"y\", \"goal\": \"minimize\"},"
                      "\"plugin_options\": {\"argv\": [\"./run\"], \"log_format\": \"jsonl\"}}",
                      0, &je);
    assert_int_equal(plugin_fill_study(&plugin_command, body, err, sizeof err), 0);
    json_decref(body);

    /* Unknown plugin options are refused. */
    body = json_loads("{\"plugin_options\": {\"workloads\": \"resnet50\"}}", 0, &je);
    assert_int_equal(plugin_fill_study(&plugin_accelerator, body, err, sizeof err), -1);
    assert_non_null(strstr(err, "plugin_options.workloads"));
    json_decref(body);
    body = json_loads("[1]", 0, &je);
    assert_int_equal(plugin_fill_study(&plugin_accelerator, body, err, sizeof err), -1);
    json_decref(body);
}

static void test_hook_and_list(void **state)
{
    (void)state;
    plugins_registry *reg = plugins_registry_new();
    char err[256];
    json_error_t je;
    json_t *body = json_loads("{\"name\": \"p\"}", 0, &je);
    assert_int_equal(plugins_study_hook(reg, "nope", body, err, sizeof err), 1);
    assert_non_null(strstr(err, "no plugin named 'nope'"));
    assert_int_equal(plugins_study_hook(reg, "partition", body, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "objective"),
                                                          "name")), "step_time_s");
    json_decref(body);
    json_t *list = plugins_list_json(reg);
    assert_int_equal(json_array_size(json_object_get(list, "plugins")), plugins_count(reg));
    json_decref(list);
    plugins_registry_free(reg);
}

static void test_config_json_roundtrip(void **state)
{
    (void)state;
    json_error_t je;
    char err[256];
    json_t *in = json_loads("{\"rows\": 32, \"cols\": 8, \"dataflow\": \"os\", \"spad_kb\": 512,"
                            "\"acc_kb\": 128, \"banks\": 8, \"dma_bytes\": 32, \"clock_mhz\": 700.0}",
                            0, &je);
    plugin_config cfg;
    assert_int_equal(plugin_config_from_json(in, &cfg, err, sizeof err), 0);
    assert_int_equal(cfg.count, 8);
    assert_int_equal(plugin_config_check(&plugin_accelerator, &cfg, err, sizeof err), 0);
    assert_string_equal(plugin_config_find(&cfg, "dataflow")->choice, "os");
    assert_true(plugin_config_find(&cfg, "clock_mhz")->number == 700.0);
    json_t *out = plugin_config_to_json(&cfg);
    /* Integral numbers come back as JSON integers. */
    assert_true(json_is_integer(json_object_get(out, "clock_mhz")));
    assert_true(json_equal(json_object_get(out, "dataflow"), json_object_get(in, "dataflow")));
    json_decref(out);
    plugin_config_free(&cfg);
    json_decref(in);

    in = json_loads("{\"x\": [1, 2]}", 0, &je);
    assert_int_equal(plugin_config_from_json(in, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "'x'"));
    json_decref(in);
    in = json_loads("[]", 0, &je);
    assert_int_equal(plugin_config_from_json(in, &cfg, err, sizeof err), -1);
    json_decref(in);
}

static void test_options_from_json(void **state)
{
    (void)state;
    json_error_t je;
    char err[256];
    json_t *in = json_loads("{\"argv\": [\"./bench\", \"--fast\"], \"threads\": 4, "
                            "\"ratio\": 0.5, \"log_format\": \"jsonl\", \"flag\": true}", 0, &je);
    plugin_option *o;
    size_t n;
    assert_int_equal(plugin_options_from_json(in, &o, &n, err, sizeof err), 0);
    assert_int_equal(n, 5);
    plugin_run_options ro;
    plugin_run_options_init(&ro);
    ro.options = o;
    ro.n_options = n;
    assert_string_equal(plugin_option_get(&ro, "argv"), "[\"./bench\",\"--fast\"]");
    assert_string_equal(plugin_option_get(&ro, "threads"), "4");
    assert_string_equal(plugin_option_get(&ro, "ratio"), "0.5");
    assert_string_equal(plugin_option_get(&ro, "log_format"), "jsonl");
    assert_string_equal(plugin_option_get(&ro, "flag"), "1");
    plugin_options_free(o, n);
    json_decref(in);

    assert_int_equal(plugin_options_from_json(NULL, &o, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    in = json_loads("{\"a\": null}", 0, &je);
    assert_int_equal(plugin_options_from_json(in, &o, &n, err, sizeof err), -1);
    json_decref(in);
}

static void test_result_json(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    res.set_metric(&res, "edp", 12.5);
    res.append_log(&res, "edp=12.5\n\xff\n", 11);
    snprintf(res.log_format, sizeof res.log_format, "keyvalue");
    json_t *j = plugin_result_to_json(&res);
    assert_non_null(j);
    assert_true(json_real_value(json_object_get(json_object_get(j, "metrics"), "edp")) == 12.5);
    /* Invalid UTF-8 in a log is replaced, not a reason to lose the log. */
    assert_string_equal(json_string_value(json_object_get(j, "logs")), "edp=12.5\n?\n");
    assert_string_equal(json_string_value(json_object_get(j, "log_format")), "keyvalue");
    json_decref(j);

    plugin_result_set(&res, PLUGIN_INFEASIBLE, "too big: %d GB", 90);
    j = plugin_result_to_json(&res);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "too big: 90 GB");
    assert_true(json_is_true(json_object_get(j, "infeasible")));
    assert_null(json_object_get(j, "metrics"));
    json_decref(j);
    plugin_result_set(&res, PLUGIN_FAILED, "crashed");
    j = plugin_result_to_json(&res);
    assert_true(json_is_false(json_object_get(j, "infeasible")));
    json_decref(j);
    plugin_result_free(&res);
}

/* A NUL byte in a log (which the service's JSON parser refuses) becomes '?',
 * UTF-8 around it is kept; a reason and a metric name that are not UTF-8
 * still make a body. */
static void test_result_json_nul_and_bytes(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    res.set_metric(&res, "y", 1);
    res.set_metric(&res, "caf\xe9", 2);
    res.append_log(&res, "a\0b \xc3\xa9\n", 7);
    json_t *j = plugin_result_to_json(&res);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "logs")), "a?b \xc3\xa9\n");
    assert_non_null(json_object_get(json_object_get(j, "metrics"), "caf?"));
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    assert_null(strstr(text, "\\u0000"));
    free(text);
    json_decref(j);
    plugin_result_set(&res, PLUGIN_FAILED, "bad byte \xff in stderr");
    j = plugin_result_to_json(&res);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "bad byte ? in stderr");
    json_decref(j);
    plugin_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_accelerator),
        cmocka_unit_test(test_describe_all_builtins),
        cmocka_unit_test(test_fill_study),
        cmocka_unit_test(test_hook_and_list),
        cmocka_unit_test(test_config_json_roundtrip),
        cmocka_unit_test(test_options_from_json),
        cmocka_unit_test(test_result_json),
        cmocka_unit_test(test_result_json_nul_and_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
