/*
 * test_study_options.c - tests worker/study_options.c: a study cannot make a
 * worker run a program of its choosing; the program comes from the worker's
 * own command line unless it trusts the study.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "plugins/builtin.h"
#include "plugins/plugin_json.h"
#include "worker/study_options.h"

static json_t *study_of(const char *plugin, const char *options_json)
{
    json_error_t je;
    json_t *opts = json_loads(options_json, 0, &je);
    assert_non_null(opts);
    return json_pack("{s:s, s:s, s:o}", "id", "7", "plugin", plugin, "plugin_options", opts);
}

static const char *get(const plugin_option *o, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(o[i].key, key) == 0)
            return o[i].value;
    return NULL;
}

static void test_command_needs_a_program(void **state)
{
    (void)state;
    json_t *st = study_of("command", "{\"argv\": [\"/bin/sh\", \"-c\", \"id\"], \"cwd\": \"/\"}");
    worker_exec_policy pol = {.objective = "y"};
    plugin_option *o;
    size_t n;
    char err[512];
    assert_int_equal(worker_study_options(&plugin_command, st, &pol, &o, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "-- PROGRAM"));
    assert_non_null(strstr(err, "--trust-study-command"));

    /* The worker's program replaces the study's argv; the study's cwd goes. */
    char *prog[] = {"/usr/bin/bench", "--fast", NULL};
    pol.program = prog;
    assert_int_equal(worker_study_options(&plugin_command, st, &pol, &o, &n, err, sizeof err), 0);
    assert_string_equal(get(o, n, "argv"), "[\"/usr/bin/bench\",\"--fast\"]");
    assert_null(get(o, n, "cwd"));
    assert_string_equal(get(o, n, "objective"), "y");
    plugin_options_free(o, n);

    pol.cwd = "/srv/bench";
    assert_int_equal(worker_study_options(&plugin_command, st, &pol, &o, &n, err, sizeof err), 0);
    assert_string_equal(get(o, n, "cwd"), "/srv/bench");
    plugin_options_free(o, n);

    /* Trusting the study runs its argv in its cwd. */
    worker_exec_policy trust = {.trust_study_command = 1};
    assert_int_equal(worker_study_options(&plugin_command, st, &trust, &o, &n, err, sizeof err),
                     0);
    assert_string_equal(get(o, n, "argv"), "[\"/bin/sh\",\"-c\",\"id\"]");
    assert_string_equal(get(o, n, "cwd"), "/");
    plugin_options_free(o, n);
    json_decref(st);
}

static void test_other_plugins(void **state)
{
    (void)state;
    worker_exec_policy pol = {0};
    plugin_option *o;
    size_t n;
    char err[512];
    /* db_bench names a program: only with trust. */
    json_t *st = study_of("rocksdb", "{\"db_bench\": \"/tmp/evil\", \"num\": 1000}");
    assert_int_equal(worker_study_options(&plugin_rocksdb, st, &pol, &o, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "db_bench"));
    pol.trust_study_command = 1;
    assert_int_equal(worker_study_options(&plugin_rocksdb, st, &pol, &o, &n, err, sizeof err), 0);
    assert_string_equal(get(o, n, "db_bench"), "/tmp/evil");
    plugin_options_free(o, n);
    json_decref(st);

    /* Other options pass; a program is only for the command plugin. */
    pol.trust_study_command = 0;
    st = study_of("rocksdb", "{\"num\": 1000}");
    assert_int_equal(worker_study_options(&plugin_rocksdb, st, &pol, &o, &n, err, sizeof err), 0);
    assert_string_equal(get(o, n, "num"), "1000");
    plugin_options_free(o, n);
    char *prog[] = {"/bin/true", NULL};
    pol.program = prog;
    assert_int_equal(worker_study_options(&plugin_rocksdb, st, &pol, &o, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "command plugin"));
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_needs_a_program),
        cmocka_unit_test(test_other_plugins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
