/*
 * test_api_migrate.c - `bograph migrate` round trip SQLite -> PostgreSQL ->
 * SQLite: a service on a SQLite file runs two studies (completed, failed,
 * infeasible, active and imported trials, an import key, logs, knowledge);
 * after each copy a service on the copy answers every study and trial (logs
 * included) as the original did, ids and seq preserved; a copy into a
 * database that holds studies is refused; new trials on the copy get new
 * ids, and the copied import key still answers with its trial.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "apitest.h"

static int run_migrate(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' migrate '%s' '%s' >/dev/null 2>&1", BOGRAPH_BIN, from, to);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void post(const apitest_server *s, const char *path, const char *body, long status)
{
    json_decref(apitest_expect(s, "POST", path, body, status));
}

/* An import with an idempotency key (trial 5 of study 1). */
#define KEYED_IMPORT \
    "{\"params\": {\"x\": 0.125, \"m\": \"b\"}, \"metrics\": {\"lat\": 1.25}, \"key\": \"run-1\"}"

/* Two studies with trials in every state. */
static void fill(const apitest_server *s)
{
    char id[32], path[128];
    apitest_create_study(s,
                         "{\"name\": \"one\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}, {\"name\": \"m\", \"type\": "
                         "\"categorical\", \"choices\": [\"a\", \"b\"]}], \"objective\": "
                         "{\"name\": \"lat\"}, \"default\": {\"x\": 0.5, \"m\": \"a\"}, "
                         "\"algorithm\": \"random\", \"budget\": 20, \"log_format\": \"keyvalue\", "
                         "\"knowledge\": {\"edges\": [[\"x\", \"lat\"]]}}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    post(s, path, "{\"count\": 4, \"worker\": \"w\"}", 200);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/1/complete", id);
    post(s, path, "{\"logs\": \"lat=3.5\\nmem=2\\n\"}", 200);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/2/fail", id);
    post(s, path, "{\"reason\": \"oom\", \"infeasible\": true}", 200);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/3/fail", id);
    post(s, path, "{\"reason\": \"node rebooted\"}", 200);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    post(s, path, KEYED_IMPORT, 201);
    apitest_create_study(s,
                         "{\"name\": \"two\", \"parameters\": [{\"name\": \"n\", \"type\": \"int\", "
                         "\"low\": 1, \"high\": 9}], \"objective\": {\"name\": \"y\", \"goal\": "
                         "\"maximize\"}, \"algorithm\": \"sobol\"}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    post(s, path, "{\"count\": 2}", 200);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/6/complete", id);
    post(s, path, "{\"metrics\": {\"y\": 7}}", 200);
}

/* Everything a client can read: the studies, and each trial in full. */
static json_t *snapshot(const apitest_server *s)
{
    json_t *all = json_object();
    json_t *studies = apitest_expect(s, "GET", "/v1/studies", NULL, 200);
    json_object_set_new(all, "studies", studies);
    json_t *list = json_object_get(studies, "studies");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));
        char path[128];
        snprintf(path, sizeof path, "/v1/studies/%s/trials?limit=1000", id);
        json_t *page = apitest_expect(s, "GET", path, NULL, 200);
        json_t *trials = json_object_get(page, "trials");
        for (size_t k = 0; k < json_array_size(trials); k++) {
            const char *tid = json_string_value(json_object_get(json_array_get(trials, k), "id"));
            snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", id, tid);
            json_object_set_new(all, path, apitest_expect(s, "GET", path, NULL, 200));
        }
        snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
        json_object_set_new(all, path, page);
    }
    return all;
}

static void serve_and_compare(apitest_server *s, const json_t *want)
{
    assert_int_equal(apitest_start(s, NULL), 0);
    json_t *got = snapshot(s);
    if (!json_equal(got, want)) {
        char *a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
        char *b = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
        fail_msg("the copy differs:\nwant %s\ngot  %s", a, b);
    }
    json_decref(got);
}

static void test_round_trip(void **state)
{
    (void)state;
    apitest_server a, b, c;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    snprintf(a.dir, sizeof a.dir, "/tmp/bograph-api-XXXXXX");
    assert_non_null(mkdtemp(a.dir));
    snprintf(a.db, sizeof a.db, "%s/a.db", a.dir);
    a.own_db = 1;
    assert_int_equal(apitest_start(&a, NULL), 0);
    fill(&a);
    json_t *want = snapshot(&a);
    apitest_stop(&a, SIGTERM);

    /* SQLite -> PostgreSQL */
    snprintf(b.dir, sizeof b.dir, "/tmp/bograph-api-XXXXXX");
    assert_non_null(mkdtemp(b.dir));
    assert_int_equal(apitest_pg_create(b.db, sizeof b.db, b.pgdb, sizeof b.pgdb), 0);
    assert_int_equal(run_migrate(a.db, b.db), 0);
    assert_int_equal(run_migrate(a.db, b.db), 1); /* it holds studies now */
    serve_and_compare(&b, want);

    /* PostgreSQL -> SQLite */
    snprintf(c.dir, sizeof c.dir, "/tmp/bograph-api-XXXXXX");
    assert_non_null(mkdtemp(c.dir));
    snprintf(c.db, sizeof c.db, "sqlite:%s/c.db", c.dir);
    c.own_db = 1;
    apitest_stop(&b, SIGTERM);
    assert_int_equal(run_migrate(b.db, c.db), 0);
    serve_and_compare(&c, want);

    /* the copies go on: new trials after the copied ids */
    assert_int_equal(apitest_start(&b, NULL), 0);
    json_t *r = apitest_expect(&b, "POST", "/v1/studies/2/suggest", "{\"count\": 1}", 200);
    const char *tid = json_string_value(json_object_get(json_array_get(json_object_get(r, "trials"), 0), "id"));
    assert_string_equal(tid, "8");
    json_decref(r);
    /* the import key came along: sending the import again stores nothing */
    r = apitest_expect(&b, "POST", "/v1/studies/1/trials", KEYED_IMPORT, 200);
    assert_string_equal(json_string_value(json_object_get(r, "id")), "5");
    json_decref(r);
    json_decref(want);

    assert_int_equal(run_migrate("/nonexistent/x.db", c.db), 1);
    assert_int_equal(run_migrate(a.db, "postgresql://127.0.0.1:1/none"), 1);
    assert_int_equal(run_migrate(a.db, ""), 1); /* an empty TO names no database */
    apitest_cleanup(&a);
    apitest_cleanup(&b);
    apitest_cleanup(&c);
}

int main(void)
{
    if (!apitest_pg_uri()) {
        fprintf(stderr, "test_api_migrate needs the test cluster (BOGRAPH_TEST_PG_URI_FILE)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
