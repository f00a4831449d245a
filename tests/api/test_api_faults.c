/*
 * test_api_faults.c - faults found by attacking the service, each
 * reproduced over real HTTP: extreme but accepted objectives (1e308 with an
 * infeasible trial, a missed constraint, -1e308 when maximising) must not
 * break a gp or bograph study; `count` beyond the free configurations of a
 * small space answers the free ones, then an empty answer with a retry hint;
 * ranges of infinite width and parameter names that clash as environment
 * variables are 400s; knowledge beyond its caps is a 400 and a long chain of
 * required edges is accepted without a crash; the budget counts trials
 * started, and a result arriving after its lease expired is kept and
 * flagged `late`.
 */
#include <curl/curl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "apitest.h"

static apitest_server srv;

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    const char *args[] = {"--quiet", "--max-body", "33554432", NULL};
    return apitest_start(&srv, args);
}

static int teardown(void **state)
{
    (void)state;
    int status = apitest_stop(&srv, SIGTERM);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        char log[300], line[512];
        snprintf(log, sizeof log, "%s/server.log", srv.dir);
        FILE *f = fopen(log, "r");
        for (int i = 0; f && i < 200 && fgets(line, sizeof line, f); i++)
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    apitest_cleanup(&srv);
    return ok ? 0 : -1;
}

static json_t *post(const char *path_fmt, const char *id, const char *body, long status)
{
    char path[256];
    snprintf(path, sizeof path, path_fmt, id);
    return apitest_expect(&srv, "POST", path, body, status);
}

/* Leases one trial of study id; its id into tid. */
static json_t *suggest_one(const char *id, char *tid, size_t tid_len)
{
    json_t *j = post("/v1/studies/%s/suggest", id, "{\"count\": 1, \"worker\": \"w\"}", 200);
    json_t *t = json_array_get(json_object_get(j, "trials"), 0);
    assert_non_null(t);
    snprintf(tid, tid_len, "%s", json_string_value(json_object_get(t, "id")));
    return j;
}

/* Leases one trial and finishes it: body for complete, or NULL to fail it as
 * infeasible. */
static void run_trial(const char *id, const char *complete_body)
{
    char tid[32], path[256];
    json_decref(suggest_one(id, tid, sizeof tid));
    if (complete_body) {
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, tid);
        json_decref(apitest_expect(&srv, "POST", path, complete_body, 200));
    } else {
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/fail", id, tid);
        json_decref(apitest_expect(&srv, "POST", path,
                                   "{\"reason\": \"cannot run\", \"infeasible\": true}", 200));
    }
}

/* A study of algorithm alg and goal; y = 3, 1, 2, then extreme, then the
 * last trial (NULL: infeasible): every later suggest still answers. */
static void extreme_case(const char *name, const char *alg, const char *goal,
                         const char *constraint, const char *extreme, const char *last)
{
    char body[1024], id[32], m[256];
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"algorithm\": \"%s\", \"seed\": 3, \"parameters\": ["
             "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
             "{\"name\": \"x2\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
             "\"objective\": {\"name\": \"y\", \"goal\": \"%s\"}%s}",
             name, alg, goal, constraint);
    apitest_create_study(&srv, body, id, sizeof id);
    static const char *const ys[] = {"3", "1", "2"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(m, sizeof m, "{\"metrics\": {\"y\": %s, \"lat\": %zu, \"mem\": 1}}", ys[i], i);
        run_trial(id, m);
    }
    snprintf(m, sizeof m, "{\"metrics\": {\"y\": %s, \"lat\": 7, \"mem\": 1}}", extreme);
    run_trial(id, m);
    run_trial(id, last);
    for (int k = 0; k < 3; k++) {
        char tid[32];
        json_t *j = suggest_one(id, tid, sizeof tid);
        json_t *t = json_array_get(json_object_get(j, "trials"), 0);
        const char *model = json_string_value(json_object_get(t, "model"));
        assert_non_null(model);
        json_decref(j);
        snprintf(m, sizeof m, "{\"metrics\": {\"y\": %d, \"lat\": 1, \"mem\": 1}}", 4 + k);
        char path[256];
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, tid);
        json_decref(apitest_expect(&srv, "POST", path, m, 200));
    }
    /* and after a restart */
    assert_true(WIFEXITED(apitest_stop(&srv, SIGTERM)));
    const char *args[] = {"--quiet", "--max-body", "33554432", NULL};
    assert_int_equal(apitest_start(&srv, args), 0);
    json_decref(post("/v1/studies/%s/suggest", id, "{\"count\": 2}", 200));
}

static void test_extreme_objective(void **state)
{
    (void)state;
    extreme_case("gp-max-value", "gp", "minimize", "", "1e308", NULL);
    extreme_case("bograph-max-value", "bograph", "minimize", "", "1e308", NULL);
    extreme_case("gp-neg", "gp", "maximize", "", "-1e308", NULL);
    extreme_case("bograph-neg", "bograph", "maximize", "", "-1e308", NULL);
    /* a completed trial that misses a constraint counts as infeasible */
    extreme_case("gp-cons", "gp", "minimize",
                 ", \"constraints\": [{\"metric\": \"mem\", \"op\": \"<=\", \"value\": 2}]",
                 "1e308", "{\"metrics\": {\"y\": 1, \"lat\": 1, \"mem\": 5}}");
    extreme_case("bograph-cons", "bograph", "minimize",
                 ", \"constraints\": [{\"metric\": \"mem\", \"op\": \"<=\", \"value\": 2}]",
                 "1.7e308", "{\"metrics\": {\"y\": 1, \"lat\": 1, \"mem\": 5}}");
    extreme_case("gp-two-huge", "gp", "minimize", "", "-1.7e308",
                 "{\"metrics\": {\"y\": 1.7e308, \"lat\": 1, \"mem\": 1}}");
}

/* The params of the trials of an answer, as sorted JSON texts. */
static size_t distinct_params(json_t *ts)
{
    size_t n = json_array_size(ts), distinct = 0;
    for (size_t i = 0; i < n; i++) {
        char *a = json_dumps(json_object_get(json_array_get(ts, i), "params"), JSON_SORT_KEYS);
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++) {
            char *b = json_dumps(json_object_get(json_array_get(ts, k), "params"),
                                 JSON_SORT_KEYS);
            seen = strcmp(a, b) == 0;
            free(b);
        }
        distinct += !seen;
        free(a);
    }
    return distinct;
}

static void test_count_beyond_free(void **state)
{
    (void)state;
    static const char *const algs[] = {"random", "sobol", "gp", "bograph"};
    for (size_t a = 0; a < 4; a++) {
        char body[512], id[32];
        snprintf(body, sizeof body,
                 "{\"name\": \"three-%s\", \"algorithm\": \"%s\", \"parameters\": ["
                 "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\", \"c\"]}],"
                 "\"objective\": {\"name\": \"y\"}}",
                 algs[a], algs[a]);
        apitest_create_study(&srv, body, id, sizeof id);
        /* count 4 of 3 configurations: the 3 distinct ones */
        json_t *j = post("/v1/studies/%s/suggest", id, "{\"count\": 4, \"worker\": \"a\"}", 200);
        json_t *ts = json_object_get(j, "trials");
        assert_int_equal(json_array_size(ts), 3);
        assert_int_equal(distinct_params(ts), 3);
        assert_false(json_is_true(json_object_get(j, "done")));
        json_decref(j);
        /* none free: empty, not done, with a retry hint */
        j = post("/v1/studies/%s/suggest", id, "{\"count\": 2, \"worker\": \"b\"}", 200);
        assert_int_equal(json_array_size(json_object_get(j, "trials")), 0);
        assert_false(json_is_true(json_object_get(j, "done")));
        json_t *retry = json_object_get(j, "retry_after_seconds");
        assert_true(json_is_number(retry) && json_number_value(retry) > 0);
        json_decref(j);
    }
    /* two clients asking 2 each of 3 configurations: 2, then the 1 left */
    char id[32];
    apitest_create_study(&srv,
                         "{\"name\": \"three-two\", \"algorithm\": \"gp\", \"parameters\": ["
                         "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\", \"c\"]}],"
                         "\"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    json_t *a = post("/v1/studies/%s/suggest", id, "{\"count\": 2, \"worker\": \"a\"}", 200);
    json_t *b = post("/v1/studies/%s/suggest", id, "{\"count\": 2, \"worker\": \"b\"}", 200);
    assert_int_equal(json_array_size(json_object_get(a, "trials")), 2);
    assert_int_equal(json_array_size(json_object_get(b, "trials")), 1);
    json_t *all = json_array();
    json_array_extend(all, json_object_get(a, "trials"));
    json_array_extend(all, json_object_get(b, "trials"));
    assert_int_equal(distinct_params(all), 3);
    /* once they finish, the configurations may be measured again */
    for (size_t i = 0; i < 3; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
                 json_string_value(json_object_get(json_array_get(all, i), "id")));
        char m[64];
        snprintf(m, sizeof m, "{\"metrics\": {\"y\": %zu}}", i);
        json_decref(apitest_expect(&srv, "POST", path, m, 200));
    }
    json_t *c = post("/v1/studies/%s/suggest", id, "{\"count\": 4, \"worker\": \"c\"}", 200);
    assert_int_equal(json_array_size(json_object_get(c, "trials")), 3);
    assert_null(json_object_get(c, "retry_after_seconds"));
    json_decref(c);
    json_decref(all);
    json_decref(a);
    json_decref(b);
}

static void expect_400(const char *path, const char *body, const char *field, const char *needle)
{
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "POST", path, body, &r), 0);
    if (r.status != 400)
        fail_msg("%s: status %ld: %s", path, r.status, r.body);
    assert_string_equal(apitest_error_code(&r), "invalid_argument");
    if (field)
        assert_string_equal(apitest_error_field(&r), field);
    if (needle && !strstr(r.body, needle))
        fail_msg("'%s' not in %s", needle, r.body);
    apitest_resp_free(&r);
}

static void test_bad_spaces(void **state)
{
    (void)state;
    /* a range whose width overflows */
    expect_400("/v1/studies",
               "{\"name\": \"wide\", \"parameters\": [{\"name\": \"ok\", \"type\": \"float\", "
               "\"low\": 0, \"high\": 1}, {\"name\": \"w\", \"type\": \"float\", \"low\": "
               "-1.7e308, \"high\": 1.7e308}], \"objective\": {\"name\": \"y\"}}",
               "parameters[1].high", "'w'");
    /* names that become the same environment variable */
    expect_400("/v1/studies",
               "{\"name\": \"clash\", \"parameters\": [{\"name\": \"a-b\", \"type\": \"float\", "
               "\"low\": 0, \"high\": 1}, {\"name\": \"a_b\", \"type\": \"float\", \"low\": 0, "
               "\"high\": 1}], \"objective\": {\"name\": \"y\"}}",
               "parameters[1].name", "BOGRAPH_PARAM_A_B");
    expect_400("/v1/studies",
               "{\"name\": \"clash2\", \"parameters\": [{\"name\": \"Lr\", \"type\": \"float\", "
               "\"low\": 0, \"high\": 1}, {\"name\": \"lr\", \"type\": \"float\", \"low\": 0, "
               "\"high\": 1}], \"objective\": {\"name\": \"y\"}}",
               "parameters[1].name", "'Lr'");
    /* suggest's count beyond its documented maximum */
    char id[32];
    apitest_create_study(&srv,
                         "{\"name\": \"cnt\", \"algorithm\": \"random\", \"parameters\": [{\"name\": "
                         "\"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}], "
                         "\"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    expect_400(path, "{\"count\": 101}", "count", NULL);
    json_t *j = post("/v1/studies/%s/suggest", id, "{\"count\": 100}", 200);
    assert_int_equal(json_array_size(json_object_get(j, "trials")), 100);
    json_decref(j);
}

/* A knowledge body of n chained required edges n0 -> n1 -> ... -> nn. */
static char *chain_knowledge(size_t n, const char *extra)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"edges\": [");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s[\"n%zu\", \"n%zu\"]", i ? ", " : "", i, i + 1);
    buf_printf(&b, "]%s}", extra);
    return buf_finish(&b, NULL);
}

static void test_knowledge_size(void **state)
{
    (void)state;
    char id[32], path[128];
    apitest_create_study(&srv,
                         "{\"name\": \"kn\", \"algorithm\": \"bograph\", \"parameters\": [{\"name\": "
                         "\"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}], "
                         "\"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/knowledge", id);
    /* a chain of 20,000 required edges: accepted, and suggest still works */
    char *k = chain_knowledge(20000, "");
    json_decref(apitest_expect(&srv, "PUT", path, k, 200));
    free(k);
    json_decref(post("/v1/studies/%s/suggest", id, "{\"count\": 1}", 200));
    /* a cycle at the end of a long chain is found */
    k = chain_knowledge(20000, ", \"forbidden\": [], \"models\": {\"n0\": \"n20000 + 1\"}");
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "PUT", path, k, &r), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "cycle"));
    apitest_resp_free(&r);
    free(k);
    /* beyond the cap */
    k = chain_knowledge(50001, "");
    assert_int_equal(apitest_call(&srv, "PUT", path, k, &r), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_error_field(&r), "knowledge.edges");
    apitest_resp_free(&r);
    free(k);
}

static void test_budget_counts_started(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"late\", \"algorithm\": \"random\", \"budget\": 3, "
                         "\"lease_seconds\": 0.5, \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    json_t *j = post("/v1/studies/%s/suggest", id, "{\"count\": 3, \"worker\": \"slow\"}", 200);
    json_t *ts = json_object_get(j, "trials");
    assert_int_equal(json_array_size(ts), 3);
    usleep(900 * 1000);
    /* the leases ran out: the budget was spent on them, nothing new is leased */
    json_t *again = post("/v1/studies/%s/suggest", id, "{\"count\": 3, \"worker\": \"fast\"}", 200);
    assert_int_equal(json_array_size(json_object_get(again, "trials")), 0);
    assert_true(json_is_true(json_object_get(again, "done")));
    json_decref(again);
    /* the late results are kept, flagged, and the study stays within budget */
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
                 json_string_value(json_object_get(json_array_get(ts, i), "id")));
        json_t *t = apitest_expect(&srv, "POST", path, "{\"metrics\": {\"y\": 1}}", 200);
        assert_string_equal(json_string_value(json_object_get(t, "state")), "completed");
        assert_true(json_is_true(json_object_get(t, "late")));
        json_decref(t);
    }
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *s = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "counts"),
                                                        "completed")), 3);
    assert_string_equal(json_string_value(json_object_get(s, "state")), "done");
    json_decref(s);
    json_decref(j);
    /* a result in time is not late */
    apitest_create_study(&srv,
                         "{\"name\": \"intime\", \"algorithm\": \"random\", \"budget\": 1, "
                         "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
                         "\"high\": 1}], \"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    char tid[32];
    json_decref(suggest_one(id, tid, sizeof tid));
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, tid);
    json_t *t = apitest_expect(&srv, "POST", path, "{\"metrics\": {\"y\": 1}}", 200);
    assert_false(json_is_true(json_object_get(t, "late")));
    json_decref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extreme_objective),
        cmocka_unit_test(test_count_beyond_free),
        cmocka_unit_test(test_bad_spaces),
        cmocka_unit_test(test_knowledge_size),
        cmocka_unit_test(test_budget_counts_started),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
