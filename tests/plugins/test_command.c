/*
 * test_command.c - tests plugins/command.c and plugins/exec.c with small
 * real programs (tests/plugins/scripts): metrics from stdout JSON, the
 * configuration on stdin and in the environment, log files through a
 * parser, bad output, failures, infeasible configurations, timeouts,
 * cancellation, stray background processes (also ones that setsid away),
 * log files kept inside the run directory, the metrics limit and clean-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugins/builtin.h"
#include "plugins/exec.h"
#include "plugins/host.h"

static char workdir[512];

static int setup(void **state)
{
    (void)state;
    char err[256];
    return plugin_tempdir_new(NULL, "bograph-test-command-", workdir, sizeof workdir, err,
                              sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    return plugin_remove_tree(workdir);
}

/* 1 when dir has no entries besides . and .. */
static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n == 0;
}

/* Runs the command plugin on {x: 3, mode: fast, buffer-size.kb: 64} with
 * argv ["<scripts>/<script>"] and extra options. */
static int run_script(const char *script, const plugin_option *extra, size_t n_extra,
                      double timeout, const atomic_int *cancel, plugin_result *res)
{
    char argv_json[1024];
    snprintf(argv_json, sizeof argv_json, "[\"%s/%s\"]", SCRIPTS_DIR, script);
    plugin_option opts_arr[8] = {{"argv", argv_json}};
    size_t n = 1;
    for (size_t i = 0; i < n_extra && n < 8; i++)
        opts_arr[n++] = extra[i];
    plugin_value vals[] = {{.name = "x", .number = 3}, {.name = "mode", .choice = "fast"},
                           {.name = "buffer-size.kb", .number = 64}};
    plugin_config cfg = {vals, 3};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = opts_arr;
    opts.n_options = n;
    opts.timeout_seconds = timeout;
    opts.workdir = workdir;
    opts.cancel = cancel;
    opts.seed = 7;
    char err[512];
    return plugin_run(&plugin_command, &cfg, &opts, res, err, sizeof err);
}

static double metric(const plugin_result *r, const char *name)
{
    const double *v = plugin_result_metric(r, name);
    if (!v)
        fail_msg("metric %s missing", name);
    return *v;
}

static void test_metrics_from_stdout(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    plugin_option obj[] = {{"objective", "y"}};
    assert_int_equal(run_script("metrics.sh", obj, 1, 10, NULL, &r), 0);
    if (r.state != PLUGIN_OK)
        fail_msg("state %s: %s", plugin_state_name(r.state), r.reason);
    /* x = 3 from BOGRAPH_PARAM_X; mode from the JSON on stdin; the odd
     * parameter name mapped to BOGRAPH_PARAM_BUFFER_SIZE_KB. */
    assert_true(metric(&r, "y") == 6);
    assert_true(r.has_objective && r.objective == 6);
    assert_true(metric(&r, "fast") == 1);
    assert_true(metric(&r, "b") == 64);
    assert_true(metric(&r, "dir_set") == 1);
    assert_true(metric(&r, "nested.z") == 3);
    assert_null(plugin_result_metric(&r, "label"));
    assert_non_null(strstr(r.log, "warming up"));
    assert_true(dir_empty(workdir));

    /* The objective must be among the metrics. */
    obj[0].value = "latency";
    assert_int_equal(run_script("metrics.sh", obj, 1, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "no metric 'latency'"));
    plugin_result_free(&r);
}

static void test_bad_output_and_failures(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    assert_int_equal(run_script("bad_json.sh", NULL, 0, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "JSON"));

    assert_int_equal(run_script("exit3.sh", NULL, 0, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "exit status 3"));
    assert_non_null(strstr(r.reason, "oops: disk full"));

    assert_int_equal(run_script("infeasible.sh", NULL, 0, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_INFEASIBLE);
    assert_string_equal(r.reason, "does not fit in 16 GB");

    assert_int_equal(run_script("no_such_script.sh", NULL, 0, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "not found"));

    /* argv must be a JSON array of strings. */
    plugin_option bad[] = {{"argv", "./bench --fast"}};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = bad;
    opts.n_options = 1;
    opts.workdir = workdir;
    plugin_config none = {NULL, 0};
    char err[256];
    assert_int_equal(plugin_run(&plugin_command, &none, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "JSON array"));
    opts.n_options = 0;
    assert_int_equal(plugin_run(&plugin_command, &none, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "needs the option argv"));
    assert_true(dir_empty(workdir));
    plugin_result_free(&r);
}

static void test_log_file_with_parser(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    plugin_option o[] = {{"log_file", "out.log"}, {"log_format", "keyvalue"}};
    assert_int_equal(run_script("logfile.sh", o, 2, 10, NULL, &r), 0);
    if (r.state != PLUGIN_OK)
        fail_msg("state %s: %s", plugin_state_name(r.state), r.reason);
    assert_true(metric(&r, "latency_ms") == 12.5);
    assert_true(metric(&r, "throughput") == 300);
    assert_true(metric(&r, "queue") == 4);
    assert_string_equal(r.log_format, "keyvalue");
    assert_non_null(strstr(r.log, "latency_ms=12.5"));

    o[0].value = "missing.log";
    assert_int_equal(run_script("logfile.sh", o, 2, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "missing.log"));

    o[0].value = "out.log";
    o[1].value = "yaml";
    assert_int_equal(run_script("logfile.sh", o, 2, 10, NULL, &r), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "'yaml' is not a known parser"));
    assert_true(dir_empty(workdir));
    plugin_result_free(&r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_timeout_kills(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    double t0 = now_s();
    assert_int_equal(run_script("sleep.sh", NULL, 0, 0.5, NULL, &r), 0);
    double took = now_s() - t0;
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "timed out after 0.5 s"));
    /* Killed, not waited for: far less than the script's 30 s. */
    assert_true(took < 10.0);
    assert_true(dir_empty(workdir));
    plugin_result_free(&r);
}

/* A program flooding its output still times out, and only the tail of its
 * output is kept. */
static void test_flood_times_out(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    double t0 = now_s();
    assert_int_equal(run_script("flood.sh", NULL, 0, 0.5, NULL, &r), 0);
    double took = now_s() - t0;
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "timed out"));
    assert_true(took < 10.0);
    assert_true(r.log_len <= 16u * 1024u * 1024u);
    plugin_result_free(&r);
}

static void *cancel_later(void *arg)
{
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store((atomic_int *)arg, 1);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    atomic_int cancel = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, &cancel), 0);
    double t0 = now_s();
    assert_int_equal(run_script("sleep.sh", NULL, 0, 60, &cancel, &r), 0);
    double took = now_s() - t0;
    pthread_join(th, NULL);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_string_equal(r.reason, "cancelled");
    assert_true(took < 10.0);
    plugin_result_free(&r);
}

/* 1 while pid runs: gone, or a zombie waiting for a reaper, is not running
 * (waits up to a second for the kill to land). */
static int process_running(pid_t pid)
{
    int running = 0;
    for (int i = 0; i < 50; i++) {
        char path[64], buf[512] = "";
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *close_paren = strrchr(buf, ')');
        running = !(close_paren && (close_paren[2] == 'Z' || close_paren[2] == 'X'));
        if (!running)
            return 0;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return running;
}

/* A background process holding stdout open neither hangs the run nor
 * survives it. */
static void test_background_process_killed(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    double t0 = now_s();
    assert_int_equal(run_script("background.sh", NULL, 0, 20, NULL, &r), 0);
    double took = now_s() - t0;
    assert_int_equal(r.state, PLUGIN_OK);
    assert_true(took < 10.0);
    pid_t bg = (pid_t)metric(&r, "bg");
    assert_true(bg > 1);
    assert_false(process_running(bg));
    plugin_result_free(&r);
}

/* Runs setsid_sleeper.sh through exec.c with a 0.5 s timeout (with or
 * without a cgroup): the sleeper it started in a session of its own must be
 * gone after the run. */
static void check_setsid_sleeper_killed(int no_cgroup)
{
    char prog[600];
    snprintf(prog, sizeof prog, "%s/setsid_sleeper.sh", SCRIPTS_DIR);
    char *argv[] = {prog, NULL};
    plugin_exec_spec spec = {.argv = argv, .timeout_seconds = 0.5, .no_cgroup = no_cgroup};
    plugin_exec_result er;
    char err[256];
    assert_int_equal(plugin_exec_run(&spec, &er, err, sizeof err), 0);
    assert_true(er.timed_out);
    const char *bg_text = strstr(er.out, "\"bg\": ");
    assert_non_null(bg_text);
    pid_t bg = (pid_t)atol(bg_text + 6);
    assert_true(bg > 1);
    /* It was alive and had left the program's session when the run began. */
    assert_false(process_running(bg));
    plugin_exec_result_free(&er);
}

static void test_setsid_grandchild_killed(void **state)
{
    (void)state;
    check_setsid_sleeper_killed(0);
}

static void test_setsid_grandchild_killed_without_cgroup(void **state)
{
    (void)state;
    check_setsid_sleeper_killed(1);
}

/* log_file stays inside the run directory. */
static void test_log_file_inside_run_dir(void **state)
{
    (void)state;
    const char *bad[] = {"/etc/passwd", "../out.log", "sub/../../out.log", ".."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        plugin_result r;
        plugin_result_init(&r);
        plugin_option o[] = {{"log_file", bad[i]}, {"log_format", "keyvalue"}};
        run_script("logfile.sh", o, 2, 10, NULL, &r);
        assert_int_equal(r.state, PLUGIN_FAILED);
        if (!strstr(r.reason, "inside the run directory"))
            fail_msg("log_file %s: %s", bad[i], r.reason);
        plugin_result_free(&r);
    }
    /* A relative path with "." and a name holding ".." is fine. */
    plugin_result r;
    plugin_result_init(&r);
    plugin_option o[] = {{"log_file", "./out.log"}, {"log_format", "keyvalue"}};
    run_script("logfile.sh", o, 2, 10, NULL, &r);
    if (r.state != PLUGIN_OK)
        fail_msg("state %s: %s", plugin_state_name(r.state), r.reason);
    plugin_result_free(&r);
}

/* More metrics than the service takes: the result keeps BOGRAPH_MAX_METRICS
 * of them, the objective among them, and stays ok. */
static void test_metrics_within_the_service_limit(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    plugin_option o[] = {{"objective", "y"}};
    assert_int_equal(run_script("many_metrics.sh", o, 1, 30, NULL, &r), 0);
    if (r.state != PLUGIN_OK)
        fail_msg("state %s: %s", plugin_state_name(r.state), r.reason);
    assert_int_equal(r.n_metrics, BOGRAPH_MAX_METRICS);
    assert_true(metric(&r, "y") == 7);
    assert_true(r.has_objective && r.objective == 7);
    plugin_result_free(&r);
}

/* exec.c directly: stdin larger than a pipe buffer to a program that never
 * reads it does not block or kill the host with SIGPIPE. */
static void test_exec_unread_stdin(void **state)
{
    (void)state;
    static char big[1 << 20];
    memset(big, 'a', sizeof big);
    char *const argv[] = {"/bin/sh", "-c", "exit 0", NULL};
    plugin_exec_spec spec = {.argv = argv, .stdin_data = big, .stdin_len = sizeof big,
                             .timeout_seconds = 10};
    plugin_exec_result er;
    char err[256];
    assert_int_equal(plugin_exec_run(&spec, &er, err, sizeof err), 0);
    assert_true(plugin_exec_ok(&er));
    plugin_exec_result_free(&er);

    char *const cat[] = {"cat", NULL};
    spec.argv = cat;
    assert_int_equal(plugin_exec_run(&spec, &er, err, sizeof err), 0);
    assert_true(plugin_exec_ok(&er));
    assert_int_equal(er.out_len, sizeof big);
    plugin_exec_result_free(&er);

    /* Output beyond the cap keeps the tail: between half the cap and the cap. */
    spec.max_output = 1000;
    assert_int_equal(plugin_exec_run(&spec, &er, err, sizeof err), 0);
    assert_true(er.out_len >= 500 && er.out_len <= 1000);
    assert_int_equal(strlen(er.out), er.out_len);
    assert_true(er.out_truncated);
    plugin_exec_result_free(&er);

    char *const crash[] = {"/bin/sh", "-c", "kill -SEGV $$", NULL};
    spec.argv = crash;
    spec.stdin_data = NULL;
    assert_int_equal(plugin_exec_run(&spec, &er, err, sizeof err), 0);
    assert_true(er.signaled);
    char d[256];
    plugin_exec_describe(&er, 10, d, sizeof d);
    assert_non_null(strstr(d, "signal 11"));
    plugin_exec_result_free(&er);
}

int main(void)
{
    /* SIGPIPE keeps its default (fatal) disposition here on purpose: writing
     * stdin to a program that exits must not kill the host. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_from_stdout),
        cmocka_unit_test(test_bad_output_and_failures),
        cmocka_unit_test(test_log_file_with_parser),
        cmocka_unit_test(test_timeout_kills),
        cmocka_unit_test(test_flood_times_out),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_background_process_killed),
        cmocka_unit_test(test_setsid_grandchild_killed),
        cmocka_unit_test(test_setsid_grandchild_killed_without_cgroup),
        cmocka_unit_test(test_log_file_inside_run_dir),
        cmocka_unit_test(test_metrics_within_the_service_limit),
        cmocka_unit_test(test_exec_unread_stdin),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
