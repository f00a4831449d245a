/*
 * test_api_endpoints.c - every endpoint of the API over real HTTP against
 * the real `bograph serve`: studies, the trial lifecycle (default first,
 * distinct suggestions, own trials back, idempotent completion, 409s,
 * failures, heartbeats, lease expiry), paging by seq, budgets, best under
 * constraints, logs parsing and capping, the dashboard files, the service
 * endpoints, and auth on and off.
 */
#include <curl/curl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>


#include "apitest.h"

static apitest_server srv;

#define SPACE4 "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": -5, \"high\": 10}," \
               "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 1024, \"log\": true}," \
               "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\", \"c\"]}," \
               "{\"name\": \"o\", \"type\": \"ordinal\", \"values\": [4096, 8192, 16384]}]"
#define DEFAULT4 "{\"x\": 0.5, \"n\": 64, \"c\": \"b\", \"o\": 8192}"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(srv.dir, sizeof srv.dir, "/tmp/bograph-api-XXXXXX");
    if (!mkdtemp(srv.dir))
        return -1;
    snprintf(srv.db, sizeof srv.db, "%s/test.db", srv.dir);
    char web[200], p[300];
    snprintf(web, sizeof web, "%s/web", srv.dir);
    mkdir(web, 0755);
    snprintf(p, sizeof p, "%s/index.html", web);
    write_file(p, "<!doctype html><title>dash</title>INDEX");
    snprintf(p, sizeof p, "%s/app.js", web);
    write_file(p, "console.log('app');");
    snprintf(p, sizeof p, "%s/secret.txt", srv.dir);
    write_file(p, "SECRET");
    const char *args[] = {"--web-dir", web, "--max-log-bytes", "64", NULL};
    return apitest_start(&srv, args);
}

static int group_teardown(void **state)
{
    (void)state;
    int status = apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    /* a clean stop exits 0 */
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void expect_error(const char *method, const char *path, const char *body, long status,
                         const char *code, const char *field)
{
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, method, path, body, &r), 0);
    if (r.status != status || strcmp(apitest_error_code(&r), code) != 0 ||
        (field && strcmp(apitest_error_field(&r), field) != 0))
        fail_msg("%s %s %s: got %ld %s, expected %ld %s field %s", method, path,
                 body ? body : "", r.status, r.body, status, code, field ? field : "-");
    apitest_resp_free(&r);
}

static const char *sget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_service_endpoints(void **state)
{
    (void)state;
    json_t *j = apitest_expect(&srv, "GET", "/healthz", NULL, 200);
    assert_string_equal(sget(j, "status"), "ok");
    assert_string_equal(sget(j, "database"), "ok");
    assert_string_equal(sget(j, "backend"), apitest_pg_uri() ? "postgres" : "sqlite");
    json_decref(j);

    j = apitest_expect(&srv, "GET", "/v1/openapi.json", NULL, 200);
    assert_true(strncmp(sget(j, "openapi"), "3.", 2) == 0);
    json_t *paths = json_object_get(j, "paths");
    static const char *const want[] = {
        "/v1/studies", "/v1/studies/{id}", "/v1/studies/{id}/suggest",
        "/v1/studies/{id}/trials", "/v1/studies/{id}/trials/{tid}",
        "/v1/studies/{id}/trials/{tid}/complete", "/v1/studies/{id}/trials/{tid}/fail",
        "/v1/studies/{id}/trials/{tid}/heartbeat", "/v1/studies/{id}/best", "/healthz",
        "/metrics", "/v1/openapi.json"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!json_object_get(paths, want[i]))
            fail_msg("openapi.json lacks %s", want[i]);
    json_decref(j);

    expect_error("GET", "/v1/nothing", NULL, 404, "not_found", NULL);
    expect_error("PUT", "/v1/studies", "{}", 405, "method_not_allowed", NULL);
    expect_error("GET", "/v1/studies/1/suggest", NULL, 405, "method_not_allowed", NULL);

    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "GET", "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.content_type, "text/plain", 10) == 0);
    assert_non_null(strstr(r.body, "bograph_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"));
    assert_non_null(strstr(r.body, "bograph_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "bograph_trials{state=\"active\"}"));
    assert_non_null(strstr(r.body, apitest_pg_uri() ? "bograph_database_up{backend=\"postgres\"} 1"
                                                    : "bograph_database_up{backend=\"sqlite\"} 1"));
    if (apitest_pg_uri()) {
        assert_non_null(strstr(r.body, "bograph_db_pool_connections{state=\"open\"}"));
        assert_non_null(strstr(r.body, "bograph_study_lock_wait_seconds_total"));
    }
    apitest_resp_free(&r);
}

static void test_studies(void **state)
{
    (void)state;
    char id[32];
    apitest_create_study(&srv,
                         "{\"name\": \"crud\", " SPACE4 ", \"objective\": {\"name\": \"y\"}, "
                         "\"knowledge\": {\"edges\": [[\"n\", \"lat\"]]}, \"plugin\": \"command\","
                         " \"budget\": 10, \"seed\": 3}",
                         id, sizeof id);
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *j = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(sget(j, "name"), "crud");
    assert_string_equal(sget(j, "state"), "active");
    assert_string_equal(sget(j, "algorithm"), "bograph");
    assert_string_equal(sget(j, "plugin"), "command");
    assert_string_equal(sget(json_object_get(j, "objective"), "goal"), "minimize");
    assert_int_equal(json_integer_value(json_object_get(j, "budget")), 10);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "knowledge"), "edges")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "active")), 0);
    assert_non_null(sget(j, "created_at"));
    json_decref(j);

    expect_error("POST", "/v1/studies",
                 "{\"name\": \"crud\", " SPACE4 ", \"objective\": {\"name\": \"y\"}}", 409,
                 "conflict", "name");
    j = apitest_expect(&srv, "POST", "/v1/studies",
                       "{\"name\": \"crud\", " SPACE4 ", \"objective\": {\"name\": \"y\"}, "
                       "\"if_exists\": \"return\"}",
                       200);
    assert_string_equal(sget(j, "id"), id);
    json_decref(j);
    /* a plugin the service does not have */
    expect_error("POST", "/v1/studies", "{\"name\": \"p\", \"plugin\": \"no-such\"}", 404,
                 "not_found", "plugin");

    j = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    json_t *list = json_object_get(j, "studies");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        seen += strcmp(sget(json_array_get(list, i), "id"), id) == 0;
    assert_int_equal(seen, 1);
    json_decref(j);

    expect_error("GET", "/v1/studies/999999", NULL, 404, "not_found", NULL);
    expect_error("GET", "/v1/studies/abc", NULL, 404, "not_found", NULL);
    j = apitest_expect(&srv, "DELETE", path, NULL, 200);
    json_decref(j);
    expect_error("GET", path, NULL, 404, "not_found", NULL);
    expect_error("DELETE", path, NULL, 404, "not_found", NULL);
}

static json_t *suggest(const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    return apitest_expect(&srv, "POST", path, body, 200);
}

static void test_trial_lifecycle(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"life\", " SPACE4 ", \"objective\": {\"name\": \"y\"}, "
                         "\"default\": " DEFAULT4 ", \"algorithm\": \"random\", \"seed\": 1}",
                         id, sizeof id);
    /* the default configuration comes first */
    json_t *j = suggest(id, "{\"count\": 3, \"worker\": \"A\"}");
    json_t *ts = json_object_get(j, "trials");
    assert_int_equal(json_array_size(ts), 3);
    assert_true(json_is_false(json_object_get(j, "done")));
    json_t *first = json_array_get(ts, 0);
    assert_true(json_is_true(json_object_get(first, "is_default")));
    json_t *def = json_loads(DEFAULT4, 0, NULL);
    assert_true(json_equal(json_object_get(first, "params"), def));
    json_decref(def);
    char ids[3][32];
    for (size_t i = 0; i < 3; i++) {
        json_t *t = json_array_get(ts, i);
        snprintf(ids[i], sizeof ids[i], "%s", sget(t, "id"));
        assert_string_equal(sget(t, "state"), "active");
        assert_string_equal(sget(t, "worker"), "A");
        assert_non_null(sget(t, "lease_expires_at"));
        for (size_t k = 0; k < i; k++)
            assert_false(json_equal(json_object_get(json_array_get(ts, k), "params"),
                                    json_object_get(t, "params")));
    }
    /* A asks again: its own trials come back first, then one new */
    json_t *again = suggest(id, "{\"count\": 4, \"worker\": \"A\"}");
    json_t *ts2 = json_object_get(again, "trials");
    assert_int_equal(json_array_size(ts2), 4);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(sget(json_array_get(ts2, i), "id"), ids[i]);
    /* B gets new, distinct ones */
    json_t *b = suggest(id, "{\"count\": 2, \"worker\": \"B\"}");
    json_t *tb = json_object_get(b, "trials");
    assert_int_equal(json_array_size(tb), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_true(json_is_false(json_object_get(json_array_get(tb, i), "is_default")));
        for (size_t k = 0; k < 4; k++)
            assert_false(json_equal(json_object_get(json_array_get(tb, i), "params"),
                                    json_object_get(json_array_get(ts2, k), "params")));
    }
    json_decref(again);
    json_decref(b);

    /* complete: idempotent with the same result, 409 with another */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, ids[0]);
    const char *res = "{\"metrics\": {\"y\": 1.25, \"mem\": 3}}";
    json_t *c1 = apitest_expect(&srv, "POST", path, res, 200);
    assert_string_equal(sget(c1, "state"), "completed");
    assert_true(json_real_value(json_object_get(c1, "objective")) == 1.25);
    assert_true(json_is_null(json_object_get(c1, "lease_expires_at")));
    json_t *c2 = apitest_expect(&srv, "POST", path, "{\"metrics\": {\"mem\": 3, \"y\": 1.25}}", 200);
    assert_int_equal(json_integer_value(json_object_get(c1, "seq")),
                     json_integer_value(json_object_get(c2, "seq"))); /* nothing changed */
    json_decref(c1);
    json_decref(c2);
    expect_error("POST", path, "{\"metrics\": {\"y\": 2}}", 409, "conflict", NULL);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/fail", id, ids[0]);
    expect_error("POST", path, "{\"reason\": \"late\"}", 409, "conflict", NULL);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/heartbeat", id, ids[0]);
    expect_error("POST", path, NULL, 409, "conflict", NULL);
    /* objective missing */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, ids[1]);
    expect_error("POST", path, "{\"metrics\": {\"mem\": 3}}", 400, "invalid_argument", "metrics");

    /* heartbeat extends the lease of an active trial */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/heartbeat", id, ids[1]);
    json_t *h = apitest_expect(&srv, "POST", path, NULL, 200);
    assert_string_equal(sget(h, "state"), "active");
    json_decref(h);
    /* fail and infeasible */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/fail", id, ids[1]);
    json_t *f = apitest_expect(&srv, "POST", path, "{\"reason\": \"crashed\"}", 200);
    assert_string_equal(sget(f, "state"), "failed");
    assert_string_equal(sget(f, "reason"), "crashed");
    json_decref(f);
    json_decref(apitest_expect(&srv, "POST", path, "{\"reason\": \"crashed\"}", 200));
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/fail", id, ids[2]);
    f = apitest_expect(&srv, "POST", path, "{\"reason\": \"out of memory\", \"infeasible\": true}",
                       200);
    assert_string_equal(sget(f, "state"), "infeasible");
    json_decref(f);

    /* one trial, with its logs */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", id, ids[0]);
    json_t *g = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_true(json_real_value(json_object_get(json_object_get(g, "metrics"), "mem")) == 3.0);
    assert_true(json_is_null(json_object_get(g, "logs")));
    json_decref(g);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/999999", id);
    expect_error("GET", path, NULL, 404, "not_found", NULL);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/999999/complete", id);
    expect_error("POST", path, "{\"metrics\": {\"y\": 1}}", 404, "not_found", NULL);

    /* counts */
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *counts = json_object_get(st, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "completed")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "failed")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "infeasible")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "active")), 3);
    json_decref(st);
    /* a trial id of this study under another study is not found */
    char other[32];
    apitest_create_study(&srv,
                         "{\"name\": \"other\", " SPACE4 ", \"objective\": {\"name\": \"y\"}}",
                         other, sizeof other);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", other, ids[0]);
    expect_error("GET", path, NULL, 404, "not_found", NULL);
    json_decref(j);
}

static void test_pagination(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"pages\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 100}], \"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    for (int i = 0; i < 25; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"params\": {\"x\": %d}, \"metrics\": {\"y\": %d}}", i, i * i);
        json_t *t = apitest_expect(&srv, "POST", path, body, 201);
        assert_string_equal(sget(t, "state"), "completed");
        json_decref(t);
    }
    long after = 0, last_seq = 0;
    int total = 0;
    for (int page = 0; page < 10; page++) {
        char q[256];
        snprintf(q, sizeof q, "/v1/studies/%s/trials?after_seq=%ld&limit=10", id, after);
        json_t *j = apitest_expect(&srv, "GET", q, NULL, 200);
        json_t *ts = json_object_get(j, "trials");
        size_t n = json_array_size(ts);
        for (size_t i = 0; i < n; i++) {
            long seq = (long)json_integer_value(json_object_get(json_array_get(ts, i), "seq"));
            assert_true(seq > last_seq);
            last_seq = seq;
            double x = json_number_value(json_object_get(json_object_get(json_array_get(ts, i), "params"), "x"));
            assert_true(x == (double)total);
            total++;
        }
        long next = (long)json_integer_value(json_object_get(j, "next_after_seq"));
        json_decref(j);
        if (n == 0) {
            assert_int_equal(next, after);
            break;
        }
        assert_int_equal(next, last_seq);
        after = next;
    }
    assert_int_equal(total, 25);
    /* state filter */
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=completed&limit=1000", id);
    json_t *j = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "trials")), 25);
    json_decref(j);
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=active", id);
    j = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "trials")), 0);
    json_decref(j);
    static const struct {
        const char *q, *field;
    } bad[] = {{"limit=0", "limit"}, {"limit=abc", "limit"}, {"limit=100000", "limit"},
               {"after_seq=-1", "after_seq"}, {"state=bogus", "state"}, {"state", "state"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/trials?%s", id, bad[i].q);
        expect_error("GET", path, NULL, 400, "invalid_argument", bad[i].field);
    }
}

static void test_leases(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"lease\", \"parameters\": [{\"name\": \"c\", \"type\": "
                         "\"categorical\", \"choices\": [\"a\", \"b\", \"c\", \"d\"]}], "
                         "\"objective\": {\"name\": \"y\"}, \"algorithm\": \"sobol\", "
                         "\"lease_seconds\": 0.5}",
                         id, sizeof id);
    json_t *j = suggest(id, "{\"count\": 2, \"worker\": \"dead\"}");
    json_t *ts = json_object_get(j, "trials");
    assert_int_equal(json_array_size(ts), 2);
    usleep(800 * 1000);
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=expired", id);
    json_t *exp = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(exp, "trials")), 2);
    json_decref(exp);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/heartbeat", id,
             json_string_value(json_object_get(json_array_get(ts, 0), "id")));
    expect_error("POST", path, NULL, 409, "conflict", NULL);
    /* a late result of an expired trial is kept */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
             json_string_value(json_object_get(json_array_get(ts, 0), "id")));
    json_t *late = apitest_expect(&srv, "POST", path, "{\"metrics\": {\"y\": 1}}", 200);
    assert_string_equal(sget(late, "state"), "completed");
    json_decref(late);
    /* the other expired configuration can be suggested again: all three
     * configurations not completed come back */
    json_t *s2 = suggest(id, "{\"count\": 3, \"worker\": \"w\"}");
    json_t *t2 = json_object_get(s2, "trials");
    assert_int_equal(json_array_size(t2), 3);
    char *expired = json_dumps(json_object_get(json_array_get(ts, 1), "params"), JSON_SORT_KEYS);
    int back = 0;
    for (size_t i = 0; i < 3; i++) {
        char *p = json_dumps(json_object_get(json_array_get(t2, i), "params"), JSON_SORT_KEYS);
        back += strcmp(p, expired) == 0;
        free(p);
    }
    free(expired);
    assert_int_equal(back, 1);
    json_decref(s2);
    json_decref(j);
}

static void test_budget(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"budget\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, "
                         "\"algorithm\": \"random\", \"budget\": 3}",
                         id, sizeof id);
    json_t *s1 = suggest(id, "{\"count\": 2, \"worker\": \"a\"}");
    json_t *t1 = json_object_get(s1, "trials");
    assert_int_equal(json_array_size(t1), 2);
    /* one slot left */
    json_t *s2 = suggest(id, "{\"count\": 5, \"worker\": \"b\"}");
    json_t *t2 = json_object_get(s2, "trials");
    assert_int_equal(json_array_size(t2), 1);
    assert_true(json_is_false(json_object_get(s2, "done")));
    /* all of it leased: nothing now, but not done either */
    json_t *s3 = suggest(id, "{\"count\": 1, \"worker\": \"c\"}");
    assert_int_equal(json_array_size(json_object_get(s3, "trials")), 0);
    assert_true(json_is_false(json_object_get(s3, "done")));
    json_decref(s3);
    json_t *all[3] = {json_array_get(t1, 0), json_array_get(t1, 1), json_array_get(t2, 0)};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/%s", id,
                 json_string_value(json_object_get(all[i], "id")), i == 2 ? "fail" : "complete");
        json_decref(apitest_expect(&srv, "POST", path,
                                   i == 2 ? "{\"reason\": \"broke\"}" : "{\"metrics\": {\"y\": 2}}",
                                   200));
    }
    json_t *s4 = suggest(id, "{\"count\": 1, \"worker\": \"c\"}");
    assert_int_equal(json_array_size(json_object_get(s4, "trials")), 0);
    assert_true(json_is_true(json_object_get(s4, "done")));
    json_decref(s4);
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(sget(st, "state"), "done");
    json_decref(st);
    json_decref(s1);
    json_decref(s2);
}

static void test_best_with_constraints(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"best\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 10}], \"objective\": {\"name\": \"y\", "
                         "\"goal\": \"maximize\"}, \"default\": {\"x\": 5}, \"constraints\": "
                         "[{\"metric\": \"mem\", \"op\": \"<=\", \"value\": 10}]}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/best", id);
    json_t *b = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_true(json_is_null(json_object_get(b, "best")));
    assert_true(json_is_null(json_object_get(b, "default")));
    json_decref(b);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    const char *bodies[] = {
        "{\"params\": {\"x\": 1}, \"metrics\": {\"y\": 5, \"mem\": 1}}",
        "{\"params\": {\"x\": 2}, \"metrics\": {\"y\": 9, \"mem\": 20}}",  /* violates */
        "{\"params\": {\"x\": 3}, \"metrics\": {\"y\": 7, \"mem\": 10}}",  /* best */
        "{\"params\": {\"x\": 4}, \"metrics\": {\"y\": 8}}",               /* no mem */
        "{\"params\": {\"x\": 5}, \"metrics\": {\"y\": 6, \"mem\": 2}}",   /* the default */
        "{\"params\": {\"x\": 6}, \"state\": \"infeasible\", \"reason\": \"oom\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        json_decref(apitest_expect(&srv, "POST", path, bodies[i], 201));
    snprintf(path, sizeof path, "/v1/studies/%s/best", id);
    b = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *best = json_object_get(b, "best");
    assert_true(json_number_value(json_object_get(best, "objective")) == 7.0);
    json_t *def = json_object_get(b, "default");
    assert_true(json_number_value(json_object_get(json_object_get(def, "params"), "x")) == 5.0);
    assert_true(json_is_true(json_object_get(def, "is_default")));
    json_decref(b);
    /* the default ran (imported), so suggestions do not repeat it */
    json_t *s = suggest(id, "{\"count\": 1}");
    assert_true(json_is_false(json_object_get(json_array_get(json_object_get(s, "trials"), 0),
                                              "is_default")));
    json_decref(s);
}

/* Importance: 404 until enough trials, then one bar per parameter summing
 * to 1, and the parameter that drives the objective comes first. */
static void test_importance(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"imp\", \"parameters\": [{\"name\": \"big\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}, {\"name\": \"none\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}, {\"name\": \"c\", \"type\": "
                         "\"categorical\", \"choices\": [\"a\", \"b\"]}], \"objective\": "
                         "{\"name\": \"y\"}}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/importance", id);
    expect_error("GET", path, NULL, 404, "not_found", NULL);
    char tpath[128], body[256];
    snprintf(tpath, sizeof tpath, "/v1/studies/%s/trials", id);
    for (int i = 0; i < 24; i++) {
        double big = (i * 7 % 24) / 23.0, none = (i * 5 % 24) / 23.0;
        snprintf(body, sizeof body,
                 "{\"params\": {\"big\": %.6f, \"none\": %.6f, \"c\": \"%s\"}, "
                 "\"metrics\": {\"y\": %.9f}}",
                 big, none, i % 2 ? "a" : "b", 10.0 * sin(6.0 * big));
        json_decref(apitest_expect(&srv, "POST", tpath, body, 201));
    }
    json_t *j = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(sget(j, "method"), "gp-ard-lengthscale");
    assert_int_equal(json_integer_value(json_object_get(j, "at_trial")), 24);
    json_t *imp = json_object_get(j, "importance");
    assert_int_equal(json_array_size(imp), 3);
    double sum = 0;
    for (size_t i = 0; i < 3; i++)
        sum += json_number_value(json_object_get(json_array_get(imp, i), "value"));
    assert_true(fabs(sum - 1.0) < 1e-9);
    assert_string_equal(sget(json_array_get(imp, 0), "name"), "big");
    /* the same answer again (cached until a trial changes) */
    json_t *again = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_true(json_equal(j, again));
    json_decref(again);
    json_decref(j);
}

static void test_logs(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"logs\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 10}], \"objective\": {\"name\": "
                         "\"throughput\", \"goal\": \"maximize\"}, \"algorithm\": \"random\", "
                         "\"log_format\": \"keyvalue\"}",
                         id, sizeof id);
    json_t *s = suggest(id, "{\"count\": 2}");
    json_t *ts = json_object_get(s, "trials");
    /* logs yield the objective; the server keeps only the last 64 bytes */
    char logs[400];
    snprintf(logs, sizeof logs, "%s",
             "starting run 1 with a rather long banner line that pushes us over the cap\\n"
             "latency_ms=12.5 cache_hit=0.75\\nthroughput=51234\\n");
    char body[600];
    snprintf(body, sizeof body, "{\"logs\": \"%s\", \"metrics\": {\"cache_hit\": 0.5}}", logs);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
             sget(json_array_get(ts, 0), "id"));
    json_t *c = apitest_expect(&srv, "POST", path, body, 200);
    assert_true(json_number_value(json_object_get(c, "objective")) == 51234.0);
    json_t *m = json_object_get(c, "metrics");
    assert_true(json_number_value(json_object_get(m, "latency_ms")) == 12.5);
    assert_true(json_number_value(json_object_get(m, "cache_hit")) == 0.5); /* explicit wins */
    assert_true(json_is_true(json_object_get(c, "logs_truncated")));
    assert_true(json_integer_value(json_object_get(c, "logs_bytes")) > 64);
    json_decref(c);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", id, sget(json_array_get(ts, 0), "id"));
    json_t *g = apitest_expect(&srv, "GET", path, NULL, 200);
    const char *kept = sget(g, "logs");
    assert_non_null(kept);
    assert_true(strlen(kept) <= 64);
    assert_non_null(strstr(kept, "throughput=51234"));
    json_decref(g);
    /* an unknown format is a 400 naming log_format */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
             sget(json_array_get(ts, 1), "id"));
    expect_error("POST", path, "{\"logs\": \"a=1\", \"log_format\": \"klingon\"}", 400,
                 "invalid_argument", "log_format");
    json_decref(s);
    expect_error("POST", "/v1/studies",
                 "{\"name\": \"badfmt\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", "
                 "\"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, \"log_format\": "
                 "\"klingon\"}",
                 400, "invalid_argument", "log_format");
}

static void test_dashboard_files(void **state)
{
    (void)state;
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "GET", "/", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.content_type, "text/html", 9) == 0);
    assert_non_null(strstr(r.body, "INDEX"));
    apitest_resp_free(&r);
    assert_int_equal(apitest_call(&srv, "GET", "/app.js", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.content_type, "text/javascript", 15) == 0);
    apitest_resp_free(&r);
    /* client-side routes get the index */
    assert_int_equal(apitest_call(&srv, "GET", "/studies/3", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "INDEX"));
    apitest_resp_free(&r);
    static const char *const escapes[] = {"/../secret.txt", "/%2e%2e/secret.txt",
                                          "/..%2fsecret.txt", "/missing.js", "/./app.js"};
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        assert_int_equal(apitest_call(&srv, "GET", escapes[i], NULL, &r), 0);
        if (r.status != 404 || strstr(r.body, "SECRET"))
            fail_msg("%s: %ld %s", escapes[i], r.status, r.body);
        apitest_resp_free(&r);
    }
    expect_error("POST", "/", "{}", 405, "method_not_allowed", NULL);
}

static void test_auth(void **state)
{
    (void)state;
    apitest_server a;
    memset(&a, 0, sizeof a);
    const char *args[] = {"--token", "s3cret", "--quiet", NULL};
    assert_int_equal(apitest_start(&a, args), 0);
    apitest_resp r;
    assert_int_equal(apitest_call(&a, "GET", "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    apitest_resp_free(&r);
    /* the dashboard's files hold no data and load without the token */
    assert_int_equal(apitest_call(&a, "GET", "/", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    apitest_resp_free(&r);
    static const char *const paths[] = {"/v1/studies", "/metrics", "/v1/openapi.json",
                                        "/v1/studies/1/best", "/v1/nothing"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(apitest_call(&a, "GET", paths[i], NULL, &r), 0);
        assert_int_equal(r.status, 401);
        assert_string_equal(apitest_error_code(&r), "unauthenticated");
        apitest_resp_free(&r);
        assert_int_equal(apitest_call_ex(&a, "GET", paths[i], NULL, 0, NULL, "wrong", &r), 0);
        assert_int_equal(r.status, 401);
        apitest_resp_free(&r);
    }
    const char *body = "{\"name\": \"auth\", \"parameters\": [{\"name\": \"x\", \"type\": "
                       "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}";
    assert_int_equal(apitest_call_ex(&a, "POST", "/v1/studies", body, strlen(body), NULL, NULL, &r),
                     0);
    assert_int_equal(r.status, 401);
    apitest_resp_free(&r);
    assert_int_equal(
        apitest_call_ex(&a, "POST", "/v1/studies", body, strlen(body), NULL, "s3cret", &r), 0);
    assert_int_equal(r.status, 201);
    apitest_resp_free(&r);
    assert_int_equal(apitest_call_ex(&a, "GET", "/v1/studies", NULL, 0, NULL, "s3cret", &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "studies")), 1);
    apitest_resp_free(&r);
    assert_int_equal(apitest_call(&a, "GET", "/v1/studies?access_token=s3cret", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    apitest_resp_free(&r);
    apitest_cleanup(&a);
}

/* A 500 is a bug's answer: here a study whose stored spec was damaged
 * behind the server's back. The error says what failed, and the server
 * keeps serving. */
static void test_internal_error(void **state)
{
    (void)state;
    char id[32], sql[256];
    apitest_create_study(&srv,
                         "{\"name\": \"damaged\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    snprintf(sql, sizeof sql, "UPDATE studies SET spec = 'not json' WHERE id = %s", id);
    assert_int_equal(apitest_sql(&srv, sql), 0);
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 500);
    assert_string_equal(apitest_error_code(&r), "internal");
    const char *msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
    assert_non_null(strstr(msg, "not JSON"));
    apitest_resp_free(&r);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    expect_error("POST", path, "{}", 500, "internal", NULL);
    json_decref(apitest_expect(&srv, "GET", "/healthz", NULL, 200));
    /* the broken study can still be deleted */
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_decref(apitest_expect(&srv, "DELETE", path, NULL, 200));
}

/* `bograph serve --demo` tunes its demo study through the API in the
 * background; a restart on the same file goes on with the same study. */
static void test_demo(void **state)
{
    (void)state;
    apitest_server d;
    memset(&d, 0, sizeof d);
    const char *args[] = {"--demo", "--quiet", NULL};
    for (int round = 0; round < 2; round++) {
        assert_int_equal(apitest_start(&d, args), 0);
        long completed = 0;
        json_t *st = NULL;
        for (int i = 0; i < 100 && completed < 2 * (round + 1); i++) {
            usleep(200 * 1000);
            json_decref(st);
            st = apitest_expect(&d, "GET", "/v1/studies/1", NULL, 200);
            completed = (long)json_integer_value(json_object_get(json_object_get(st, "counts"), "completed"));
        }
        assert_true(completed >= 2 * (round + 1));
        assert_string_equal(sget(st, "name"), "demo");
        json_decref(st);
        json_t *studies = apitest_expect(&d, "GET", "/v1/studies", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(studies, "studies")), 1);
        json_decref(studies);
        json_t *page = apitest_expect(&d, "GET", "/v1/studies/1/trials?state=completed&limit=1", NULL, 200);
        json_t *m = json_object_get(json_array_get(json_object_get(page, "trials"), 0), "metrics");
        assert_non_null(json_object_get(m, "latency_ms"));
        assert_non_null(json_object_get(m, "energy_j"));
        assert_non_null(json_object_get(m, "hit_rate"));
        json_decref(page);
        int status = apitest_stop(&d, SIGTERM);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    apitest_cleanup(&d);
}

/* `bograph` exit codes: 0 ok, 2 usage, 1 failure. */
static int run_cli(const char *args)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", BOGRAPH_BIN, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(run_cli("--help"), 0);
    assert_int_equal(run_cli("serve --help"), 0);
    assert_int_equal(run_cli(""), 2);
    assert_int_equal(run_cli("frobnicate"), 2);
    assert_int_equal(run_cli("serve --port x"), 2);
    assert_int_equal(run_cli("serve --port 70000"), 2);
    assert_int_equal(run_cli("serve --max-body 10"), 2);
    assert_int_equal(run_cli("serve --sync sometimes"), 2);
    assert_int_equal(run_cli("serve --db"), 2);
    assert_int_equal(run_cli("serve --nope"), 2);
    assert_int_equal(run_cli("serve stray"), 2);
    assert_int_equal(run_cli("serve --db /nonexistent-dir/x/y.db --port 0"), 1);
    char args[400];
    snprintf(args, sizeof args, "serve --db %s/other.db --port %u", srv.dir, srv.port);
    assert_int_equal(run_cli(args), 1); /* port in use */
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_endpoints),
        cmocka_unit_test(test_studies),
        cmocka_unit_test(test_trial_lifecycle),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_leases),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_best_with_constraints),
        cmocka_unit_test(test_importance),
        cmocka_unit_test(test_logs),
        cmocka_unit_test(test_dashboard_files),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_internal_error),
        cmocka_unit_test(test_cli_exit_codes),
        cmocka_unit_test(test_demo),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    apitest_thread_done();
    curl_global_cleanup();
    return rc;
}
