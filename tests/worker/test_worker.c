/*
 * test_worker.c - tests worker/worker.c against the real `bograph serve` on
 * loopback (tests/api/apitest.h), running real programs with the command
 * plugin: results the service would have refused (9 MiB of output, a NUL
 * byte, 12,000 metrics) are completed, not failed; --max-trials is exact with
 * parallel slots; the first trials all failing stops the worker with the
 * reason; a study's own argv runs only when the worker trusts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "apitest.h"
#include "plugins/registry.h"
#include "worker/worker.h"

static apitest_server srv;
static plugins_registry *reg;

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    reg = plugins_registry_new();
    return reg && apitest_start(&srv, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    plugins_registry_free(reg);
    curl_global_cleanup();
    return 0;
}

/* A command study of x in [0, 1] minimising y, with extra members. */
static void create(const char *name, long budget, const char *extra, char *id, size_t id_len)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"plugin\": \"command\", \"budget\": %ld, \"algorithm\": "
             "\"random\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
             "\"high\": 1}], \"objective\": {\"name\": \"y\"}%s}", name, budget, extra);
    apitest_create_study(&srv, body, id, id_len);
}

/* Runs a worker on study id with SCRIPTS_DIR/script (NULL: none). */
static int run_worker(const char *id, const char *script, worker_options *o,
                      worker_summary *sum, char *err, size_t err_len)
{
    static char prog[512];
    static char *argv[2];
    snprintf(prog, sizeof prog, "%s/%s", SCRIPTS_DIR, script ? script : "");
    argv[0] = prog;
    argv[1] = NULL;
    o->url = srv.base;
    o->study_id = id;
    o->reg = reg;
    o->worker_name = "test";
    if (script)
        o->program = argv;
    return worker_run(o, sum, err, err_len);
}

static json_t *first_trial(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    json_t *page = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *t = json_incref(json_array_get(json_object_get(page, "trials"), 0));
    json_decref(page);
    return t;
}

/* A good run whose report the service would refuse as it stands is
 * completed: the worker fits it. */
static void check_completes(const char *name, const char *script, double y)
{
    char id[32], err[1024];
    create(name, 1, "", id, sizeof id);
    worker_options o;
    worker_options_init(&o);
    worker_summary sum;
    int rc = run_worker(id, script, &o, &sum, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", script, err);
    assert_int_equal(sum.completed, 1);
    assert_int_equal(sum.failed, 0);
    json_t *t = first_trial(id);
    assert_string_equal(json_string_value(json_object_get(t, "state")), "completed");
    assert_true(json_number_value(json_object_get(t, "objective")) == y);
    json_decref(t);
}

static void test_large_output_completes(void **state)
{
    (void)state;
    check_completes("big", "big_stdout.sh", 3);
    char id[32] = "";
    json_t *list = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(list, "studies"), i, s)
        if (strcmp(json_string_value(json_object_get(s, "name")), "big") == 0)
            snprintf(id, sizeof id, "%s", json_string_value(json_object_get(s, "id")));
    json_decref(list);
    json_t *t = first_trial(id);
    /* The log arrived cut, and the trial says its log is truncated. */
    assert_true(json_is_true(json_object_get(t, "logs_truncated")));
    assert_true(json_integer_value(json_object_get(t, "logs_bytes")) > 1 << 20);
    json_decref(t);
}

static void test_nul_output_completes(void **state)
{
    (void)state;
    check_completes("nul", "nul_output.sh", 2);
}

static void test_many_metrics_complete(void **state)
{
    (void)state;
    check_completes("many", "many_metrics.sh", 7);
}

/* --max-trials N with parallel slots runs exactly N. */
static void test_max_trials_exact(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        char id[32], name[32], err[1024], path[64];
        snprintf(name, sizeof name, "max%d", round);
        create(name, 50, "", id, sizeof id);
        worker_options o;
        worker_options_init(&o);
        o.parallel = 4;
        o.max_trials = 5;
        worker_summary sum;
        assert_int_equal(run_worker(id, "echo_x.sh", &o, &sum, err, sizeof err), 0);
        assert_int_equal(sum.completed, 5);
        snprintf(path, sizeof path, "/v1/studies/%s", id);
        json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "counts"),
                                                            "completed")), 5);
        json_decref(st);
    }
}

/* The first trials all failing stop the worker with the reason, naming the
 * default configuration when it failed. */
static void test_fails_fast(void **state)
{
    (void)state;
    char id[32], err[2048];
    create("failing", 30, ", \"default\": {\"x\": 0.5}", id, sizeof id);
    worker_options o;
    worker_options_init(&o);
    o.max_initial_failures = 3;
    worker_summary sum;
    assert_int_equal(run_worker(id, "exit3.sh", &o, &sum, err, sizeof err), -1);
    assert_int_equal(sum.failed, 3);
    assert_true(sum.failed_fast);
    assert_non_null(strstr(err, "first 3 trials all failed"));
    assert_non_null(strstr(err, "default configuration (trial 1) failed"));
    assert_non_null(strstr(err, "oops: disk full"));

    /* A study that ends sooner, every trial failed: also a failure. */
    create("failing-short", 2, "", id, sizeof id);
    worker_options_init(&o);
    assert_int_equal(run_worker(id, "exit3.sh", &o, &sum, err, sizeof err), -1);
    assert_non_null(strstr(err, "all 2 trials"));
}

/* A study's argv runs only when the worker trusts the study. */
static void test_study_argv_needs_trust(void **state)
{
    (void)state;
    char id[32], err[1024], extra[600];
    snprintf(extra, sizeof extra, ", \"plugin_options\": {\"argv\": [\"%s/echo_x.sh\"]}",
             SCRIPTS_DIR);
    create("argv", 2, extra, id, sizeof id);
    worker_options o;
    worker_options_init(&o);
    worker_summary sum;
    assert_int_equal(run_worker(id, NULL, &o, &sum, err, sizeof err), -1);
    assert_non_null(strstr(err, "--trust-study-command"));
    assert_int_equal(sum.completed + sum.failed, 0);
    worker_options_init(&o);
    o.trust_study_command = 1;
    assert_int_equal(run_worker(id, NULL, &o, &sum, err, sizeof err), 0);
    assert_int_equal(sum.completed, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_output_completes),
        cmocka_unit_test(test_nul_output_completes),
        cmocka_unit_test(test_many_metrics_complete),
        cmocka_unit_test(test_max_trials_exact),
        cmocka_unit_test(test_fails_fast),
        cmocka_unit_test(test_study_argv_needs_trust),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
