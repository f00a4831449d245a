/*
 * test_api_workers.c - the plugin endpoints, `bograph worker` and `bograph
 * tune` against a real service on loopback: a worker runs a plugin study to
 * its budget, a worker stopped by SIGINT reports its running trial as failed
 * (never lost), a worker waits while others hold the rest of the budget
 * (retry_after_seconds), tune runs a whole job, prints its summary and resumes, and
 * re-measures a noisy plugin's default and best (and stops cleanly when
 * interrupted doing so).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apitest.h"

static apitest_server srv;

/* Starts BOGRAPH_BIN with args (NULL-terminated), stdout and stderr to out. */
static pid_t spawn_bograph(const char *out, ...)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = BOGRAPH_BIN;
    va_list ap;
    va_start(ap, out);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || dup2(fileno(stdout), 2) < 0)
            _exit(127);
        execv(BOGRAPH_BIN, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Waits for pid up to seconds; its exit code, or -1 (died of a signal, or
 * still running after the wait and killed), said on stderr. */
static int wait_exit(pid_t pid, double seconds)
{
    for (double t = 0; t < seconds; t += 0.05) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            if (WIFEXITED(st))
                return WEXITSTATUS(st);
            fprintf(stderr, "child %d died of signal %d\n", (int)pid, WTERMSIG(st));
            return -1;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "child %d still running after %.0f s: killed\n", (int)pid, seconds);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static long long count_of(const json_t *study, const char *state)
{
    return (long long)json_integer_value(json_object_get(json_object_get(study, "counts"), state));
}

static void test_plugin_endpoints(void **state)
{
    (void)state;
    json_t *list = apitest_expect(&srv, "GET", "/v1/plugins", NULL, 200);
    const char *want[] = {"rocksdb", "accelerator", "partition", "command"};
    for (size_t w = 0; w < 4; w++) {
        int found = 0;
        json_t *p;
        size_t i;
        json_array_foreach(json_object_get(list, "plugins"), i, p)
            found |= strcmp(json_string_value(json_object_get(p, "name")), want[w]) == 0;
        assert_true(found);
    }
    json_decref(list);

    json_t *acc = apitest_expect(&srv, "GET", "/v1/plugins/accelerator", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(acc, "objective"), "name")),
                        "edp");
    assert_true(json_array_size(json_object_get(acc, "parameters")) >= 6);
    json_decref(acc);

    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "GET", "/v1/plugins/nope", NULL, &r), 0);
    assert_int_equal(r.status, 404);
    assert_string_equal(apitest_error_code(&r), "not_found");
    apitest_resp_free(&r);
    assert_int_equal(apitest_call(&srv, "POST", "/v1/plugins", "{}", &r), 0);
    assert_int_equal(r.status, 405);
    apitest_resp_free(&r);

    /* A study naming a plugin gets its space, objective and default. */
    char id[32], path[64];
    apitest_create_study(&srv, "{\"name\": \"acc\", \"plugin\": \"accelerator\", \"budget\": 5}", id,
                         sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(st, "plugin")), "accelerator");
    assert_string_equal(json_string_value(json_object_get(json_object_get(st, "objective"), "goal")),
                        "minimize");
    assert_true(json_array_size(json_object_get(st, "parameters")) >= 6);
    assert_true(json_is_object(json_object_get(st, "default")));
    json_decref(st);

    assert_int_equal(apitest_call(&srv, "POST", "/v1/studies",
                                  "{\"name\": \"x\", \"plugin\": \"no-such-plugin\"}", &r), 0);
    assert_int_equal(r.status, 404);
    apitest_resp_free(&r);
}

static void test_worker_runs_a_study(void **state)
{
    (void)state;
    char id[32], path[128], out[300];
    apitest_create_study(&srv, "{\"name\": \"part\", \"plugin\": \"partition\", \"budget\": 6, "
                               "\"algorithm\": \"random\"}", id, sizeof id);
    snprintf(out, sizeof out, "%s/worker.out", srv.dir);
    pid_t pid = spawn_bograph(out, "worker", "--url", srv.base, "--study", id, "--parallel", "2",
                              NULL);
    int rc = wait_exit(pid, 60);
    char *text = slurp(out);
    if (rc != 0)
        fprintf(stderr, "worker output:\n%s\n", text);
    assert_int_equal(rc, 0);
    free(text);
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(count_of(st, "active"), 0);
    assert_int_equal(count_of(st, "completed") + count_of(st, "infeasible") + count_of(st, "failed"),
                     6);
    assert_true(count_of(st, "completed") >= 1); /* the default plan fits */
    assert_string_equal(json_string_value(json_object_get(st, "state")), "done");
    json_decref(st);

    /* Metrics of the plugin arrived with the completed trials. */
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=completed", id);
    json_t *page = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *t = json_array_get(json_object_get(page, "trials"), 0);
    assert_true(json_object_size(json_object_get(t, "metrics")) >= 3);
    json_decref(page);
}

static void test_worker_stops_cleanly_on_sigint(void **state)
{
    (void)state;
    char id[32], body[1024], out[300], path[128];
    snprintf(body, sizeof body,
             "{\"name\": \"slow\", \"plugin\": \"command\", \"budget\": 3, \"algorithm\": \"random\","
             " \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
             " \"objective\": {\"name\": \"y\"}}");
    apitest_create_study(&srv, body, id, sizeof id);
    snprintf(out, sizeof out, "%s/worker-sigint.out", srv.dir);
    char prog[300];
    snprintf(prog, sizeof prog, "%s/sleep.sh", SCRIPTS_DIR);
    pid_t pid = spawn_bograph(out, "worker", "--url", srv.base, "--study", id, "--", prog, NULL);
    /* Wait until the worker holds a trial. */
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    long long active = 0;
    for (int i = 0; i < 200 && active == 0; i++) {
        json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
        active = count_of(st, "active");
        json_decref(st);
        if (!active) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(active, 1);
    kill(pid, SIGINT);
    int rc = wait_exit(pid, 60);
    if (rc != 0) {
        char *text = slurp(out);
        fprintf(stderr, "worker output:\n%s\n", text);
        free(text);
    }
    assert_int_equal(rc, 0);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(count_of(st, "active"), 0);
    assert_int_equal(count_of(st, "failed"), 1);
    json_decref(st);
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=failed", id);
    json_t *page = apitest_expect(&srv, "GET", path, NULL, 200);
    const char *reason = json_string_value(
        json_object_get(json_array_get(json_object_get(page, "trials"), 0), "reason"));
    assert_non_null(reason);
    assert_non_null(strstr(reason, "worker stopped"));
    json_decref(page);
}

/* Polls the study until its count of state reaches want (up to ~30 s). */
static long long wait_count(const char *study_path, const char *state, long long want)
{
    long long n = -1;
    for (int i = 0; i < 600; i++) {
        json_t *st = apitest_expect(&srv, "GET", study_path, NULL, 200);
        n = count_of(st, state);
        json_decref(st);
        if (n >= want)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return n;
}

/* While another worker holds the rest of the budget, suggest answers no
 * trial, not done, with retry_after_seconds: the worker waits that long
 * (saying so once) and asks again instead of exiting, and finishes the
 * study once the holder's trial is done. */
static void test_worker_waits_while_budget_is_held(void **state)
{
    (void)state;
    char id[32], body[1024], out[300], path[128], prog[300];
    snprintf(body, sizeof body,
             "{\"name\": \"held\", \"plugin\": \"command\", \"budget\": 2, \"algorithm\": \"random\","
             " \"lease_seconds\": 600,"
             " \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
             " \"objective\": {\"name\": \"y\"}}");
    apitest_create_study(&srv, body, id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    json_t *held = apitest_expect(&srv, "POST", path, "{\"count\": 1, \"worker\": \"holder\"}", 200);
    const char *held_id =
        json_string_value(json_object_get(json_array_get(json_object_get(held, "trials"), 0), "id"));
    assert_non_null(held_id);
    snprintf(out, sizeof out, "%s/worker-held.out", srv.dir);
    snprintf(prog, sizeof prog, "%s/echo_x.sh", SCRIPTS_DIR);
    pid_t pid = spawn_bograph(out, "worker", "--url", srv.base, "--study", id, "--", prog, NULL);
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    assert_int_equal(wait_count(path, "completed", 1), 1);
    /* the worker says it waits the service's retry_after_seconds (2 s here) */
    char *text = NULL;
    for (int i = 0; i < 600; i++) {
        free(text);
        text = slurp(out);
        if (strstr(text, "asking again in"))
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!strstr(text, "asking again in 2 s"))
        fprintf(stderr, "worker output:\n%s\n", text);
    assert_non_null(strstr(text, "asking again in 2 s"));
    free(text);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), 0); /* still there */
    char done_path[256];
    snprintf(done_path, sizeof done_path, "/v1/studies/%s/trials/%s/complete", id, held_id);
    json_decref(apitest_expect(&srv, "POST", done_path, "{\"metrics\": {\"y\": 0.5}}", 200));
    json_decref(held);
    assert_int_equal(wait_exit(pid, 60), 0);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(count_of(st, "completed"), 2);
    assert_string_equal(json_string_value(json_object_get(st, "state")), "done");
    json_decref(st);
}

static void test_worker_usage_errors(void **state)
{
    (void)state;
    char out[300];
    snprintf(out, sizeof out, "%s/worker-usage.out", srv.dir);
    assert_int_equal(wait_exit(spawn_bograph(out, "worker", "--help", NULL), 10), 0);
    assert_int_equal(wait_exit(spawn_bograph(out, "worker", "--study", "1", NULL), 10), 2);
    assert_int_equal(wait_exit(spawn_bograph(out, "worker", "--url", srv.base, "--study", "1",
                                             "--parallel", "0", NULL), 10), 2);
    assert_int_equal(wait_exit(spawn_bograph(out, "worker", "--url", "ftp://x", "--study", "1",
                                             NULL), 10), 1);
    /* An unknown study is a failure with the service's message. */
    assert_int_equal(wait_exit(spawn_bograph(out, "worker", "--url", srv.base, "--study", "999",
                                             NULL), 20), 1);
    char *text = slurp(out);
    assert_non_null(strstr(text, "999"));
    free(text);
}

static void test_tune_runs_and_resumes(void **state)
{
    (void)state;
    char out[300], db[300];
    snprintf(out, sizeof out, "%s/tune.out", srv.dir);
    snprintf(db, sizeof db, "%s/tune.db", srv.dir);
    pid_t pid = spawn_bograph(out, "tune", "accelerator", "--budget", "8", "--algorithm", "random",
                              "--db", db, "--port", "0", "--quiet", NULL);
    int rc = wait_exit(pid, 120);
    char *text = slurp(out);
    if (rc != 0)
        fprintf(stderr, "tune output:\n%s\n", text);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "dashboard at http://127.0.0.1:"));
    assert_non_null(strstr(text, "trial   8/8"));
    assert_non_null(strstr(text, "improvement over the default:"));
    assert_non_null(strstr(text, "trials used: 8"));
    free(text);

    /* The same command again finds the study done and runs nothing more. */
    pid = spawn_bograph(out, "tune", "accelerator", "--budget", "8", "--algorithm", "random",
                        "--db", db, "--port", "0", "--quiet", NULL);
    assert_int_equal(wait_exit(pid, 60), 0);
    text = slurp(out);
    assert_non_null(strstr(text, "resuming it (8 completed"));
    assert_null(strstr(text, "trial   1/8"));
    assert_non_null(strstr(text, "trials used: 8"));
    free(text);

    assert_int_equal(wait_exit(spawn_bograph(out, "tune", "no-such", "--db", db, NULL), 10), 2);
    assert_int_equal(wait_exit(spawn_bograph(out, "tune", NULL), 10), 2);
    assert_int_equal(wait_exit(spawn_bograph(out, "tune", "accelerator", "--algorithm", "magic",
                                             NULL), 10), 2);
}

/* The sum of the counts of "models: bograph 3, gp 2, default 1", or -1. */
static long models_total(const char *text)
{
    const char *m = strstr(text, "\nmodels: ");
    if (!m)
        return -1;
    m += strlen("\nmodels: ");
    long total = 0;
    while (*m && *m != '\n') {
        const char *sp = strchr(m, ' ');
        if (!sp)
            return -1;
        char *end;
        long n = strtol(sp + 1, &end, 10);
        if (end == sp + 1 || n <= 0)
            return -1;
        total += n;
        m = *end == ',' ? end + 2 : end;
    }
    return total;
}

/* The figures of "improvement over the default: 1.31x (median of 3 pairs of
 * runs; pairs 1.22x-1.40x"; 0, or -1 when the line is not there. */
static int remeasured_improvement(const char *text, double *med, int *runs, double *low,
                                  double *high)
{
    const char *line = strstr(text, "\nimprovement over the default: ");
    if (!line)
        return -1;
    return sscanf(line, "\nimprovement over the default: %lfx (median of %d pairs of runs; "
                        "pairs %lfx-%lfx", med, runs, low, high) == 4 ? 0 : -1;
}

static void test_tune_remeasures_a_noisy_plugin(void **state)
{
    (void)state;
    char out[300], db[300];
    snprintf(out, sizeof out, "%s/noisy.out", srv.dir);
    snprintf(db, sizeof db, "%s/noisy.db", srv.dir);
    /* No --remeasure: a plugin that does not declare itself deterministic
     * is re-measured 3 times by default. */
    pid_t pid = spawn_bograph(out, "tune", "test-noisy", "--plugin-dir", NOISY_PLUGIN_DIR,
                              "--budget", "6", "--algorithm", "sobol", "--db", db, "--port", "0",
                              "--quiet", NULL);
    int rc = wait_exit(pid, 120);
    char *text = slurp(out);
    if (rc != 0)
        fprintf(stderr, "tune output:\n%s\n", text);
    assert_int_equal(rc, 0);
    assert_int_equal(models_total(text), 6);
    assert_non_null(strstr(text, "\nmodels: sobol 5, default 1\n"));
    assert_non_null(strstr(text, "improvement over the default in the study (one run each): "));
    assert_non_null(strstr(text, "re-measuring default 3/3 ... ops "));
    assert_non_null(strstr(text, "re-measuring best    3/3 ... ops "));
    assert_null(strstr(text, "re-measuring default 4/"));
    assert_non_null(strstr(text, "default (trial 1): ops median "));
    double med, low, high;
    int runs;
    assert_int_equal(remeasured_improvement(text, &med, &runs, &low, &high), 0);
    assert_int_equal(runs, 3);
    /* Pairs: default and best alternate which runs first, and run i of both
     * has the same seed. The test plugin draws its 5% noise from the seed,
     * so the noise is the same in both runs of a pair, as a drift of the
     * machine is: every pair's ratio is the same, the range a point (to the
     * two decimals printed), while each side's own runs spread. */
    assert_non_null(strstr(text, "re-measuring default 1/3 ... ops "));
    const char *b2 = strstr(text, "re-measuring best    2/3 ... ops ");
    const char *d2 = strstr(text, "re-measuring default 2/3 ... ops ");
    assert_true(b2 && d2 && b2 < d2);
    assert_true(med > 0);
    assert_true(low == med && med == high);
    double dmin, dmax;
    const char *dl = strstr(text, "default (trial 1): ops median ");
    assert_non_null(dl);
    assert_int_equal(sscanf(dl, "default (trial 1): ops median %*f (min %lf, max %lf)", &dmin,
                            &dmax), 2);
    assert_true(dmin < dmax);
    /* and what other processes used of the machine meanwhile */
    const char *load = strstr(text, "\nother processes used ");
    assert_non_null(load);
    double other = -1;
    unsigned cpus = 0;
    assert_int_equal(sscanf(load, "\nother processes used %lf of %u CPUs on average while "
                                  "re-measuring", &other, &cpus), 2);
    assert_true(cpus >= 1 && other >= 0 && other <= cpus);
    free(text);
}

static void test_tune_remeasure_off_and_interrupted(void **state)
{
    (void)state;
    char out[300], db[300];
    snprintf(out, sizeof out, "%s/noisy2.out", srv.dir);
    snprintf(db, sizeof db, "%s/noisy2.db", srv.dir);
    pid_t pid = spawn_bograph(out, "tune", "test-noisy", "--plugin-dir", NOISY_PLUGIN_DIR,
                              "--budget", "3", "--algorithm", "random", "--remeasure", "0",
                              "--db", db, "--port", "0", "--quiet", NULL);
    assert_int_equal(wait_exit(pid, 60), 0);
    char *text = slurp(out);
    assert_int_equal(models_total(text), 3);
    assert_null(strstr(text, "re-measuring"));
    assert_non_null(strstr(text, "improvement over the default: "));
    free(text);

    /* SIGINT during the re-measurement: it stops, prints what was measured
     * and exits 1; the study stays complete. */
    snprintf(db, sizeof db, "%s/noisy3.db", srv.dir);
    pid = spawn_bograph(out, "tune", "test-noisy", "--plugin-dir", NOISY_PLUGIN_DIR, "--budget",
                        "3", "--algorithm", "random", "--remeasure", "20", "--option",
                        "sleep_ms=200", "--db", db, "--port", "0", "--quiet", NULL);
    int seen = 0;
    for (int i = 0; i < 600 && !seen; i++) {
        text = slurp(out);
        seen = strstr(text, "re-measuring best    2/20 ... ops") != NULL;
        free(text);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(seen);
    kill(pid, SIGINT);
    assert_int_equal(wait_exit(pid, 30), 1);
    text = slurp(out);
    assert_non_null(strstr(text, "re-measured (interrupted; what was measured):"));
    assert_non_null(strstr(text, "re-measurement interrupted (the study is complete)"));
    assert_null(strstr(text, "re-measuring default 20/20"));
    assert_non_null(strstr(text, "default (trial 1): ops median "));
    assert_null(strstr(text, " failed\n"));     /* the cancelled run is not counted */
    free(text);
}

int main(void)
{
    if (apitest_start(&srv, NULL) != 0) {
        fprintf(stderr, "cannot start bograph serve\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugin_endpoints),
        cmocka_unit_test(test_worker_runs_a_study),
        cmocka_unit_test(test_worker_stops_cleanly_on_sigint),
        cmocka_unit_test(test_worker_waits_while_budget_is_held),
        cmocka_unit_test(test_worker_usage_errors),
        cmocka_unit_test(test_tune_runs_and_resumes),
        cmocka_unit_test(test_tune_remeasures_a_noisy_plugin),
        cmocka_unit_test(test_tune_remeasure_off_and_interrupted),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    return failed;
}
