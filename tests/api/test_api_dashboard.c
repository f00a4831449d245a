/*
 * test_api_dashboard.c - what the dashboard asks of the service beyond the
 * v1 reads, over real HTTP: a study's notes (PATCH sets and clears them, the
 * study object echoes them, they survive a restart of the service, bad notes
 * are 400s that change nothing) and PUT .../knowledge?dry_run=true (the same
 * 400s as a real PUT, the normalised knowledge on success, nothing stored).
 */
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
static char study_id[32];

static int start(void)
{
    const char *args[] = {"--quiet", NULL};
    return apitest_start(&srv, args);
}

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    snprintf(srv.dir, sizeof srv.dir, "/tmp/bograph-api-XXXXXX");
    if (!mkdtemp(srv.dir))
        return -1;
    snprintf(srv.db, sizeof srv.db, "%s/test.db", srv.dir);
    if (start() != 0)
        return -1;
    apitest_create_study(&srv,
                         "{\"name\": \"dash\", \"algorithm\": \"random\", \"parameters\": ["
                         "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
                         "{\"name\": \"x2\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                         "\"objective\": {\"name\": \"edp\", \"goal\": \"minimize\"},"
                         "\"knowledge\": {\"edges\": [[\"x1\", \"lat\"]]}}",
                         study_id, sizeof study_id);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int status = apitest_stop(&srv, SIGTERM);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    apitest_cleanup(&srv);
    return ok ? 0 : -1;
}

static json_t *get_study(void)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/studies/%s", study_id);
    return apitest_expect(&srv, "GET", path, NULL, 200);
}

static void expect_400(const char *method, const char *path, const char *body, const char *field)
{
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, method, path, body, &r), 0);
    if (r.status != 400 || strcmp(apitest_error_code(&r), "invalid_argument") != 0 ||
        (field && strcmp(apitest_error_field(&r), field) != 0))
        fail_msg("%s %s %.80s: got %ld %s, expected 400 field %s", method, path, body, r.status,
                 r.body, field ? field : "-");
    apitest_resp_free(&r);
}

/* {"notes": "aaa..."} with len letters (the caller frees it). */
static char *notes_body(size_t len)
{
    char *b = malloc(len + 16);
    assert_non_null(b);
    memcpy(b, "{\"notes\": \"", 11);
    memset(b + 11, 'a', len);
    strcpy(b + 11 + len, "\"}");
    return b;
}

/* Notes: null before any PATCH, set, echoed by GET and the list, kept
 * across a restart, cleared with null; bad notes change nothing. */
static void test_notes(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "/v1/studies/%s", study_id);
    json_t *s = get_study();
    assert_true(json_is_null(json_object_get(s, "notes")));
    json_decref(s);

    const char *text = "tried zstd first; \\\"block_size\\\" 4k is the \\u00e9vidence\\nline 2";
    char body[256];
    snprintf(body, sizeof body, "{\"notes\": \"%s\"}", text);
    s = apitest_expect(&srv, "PATCH", path, body, 200);
    const char *want = "tried zstd first; \"block_size\" 4k is the \xc3\xa9vidence\nline 2";
    assert_string_equal(json_string_value(json_object_get(s, "notes")), want);
    assert_string_equal(json_string_value(json_object_get(s, "name")), "dash");
    json_decref(s);

    /* other fields leave the notes alone */
    json_decref(apitest_expect(&srv, "PATCH", path, "{\"name\": \"dash-2\"}", 200));
    json_t *list = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    json_t *first = json_array_get(json_object_get(list, "studies"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "notes")), want);
    json_decref(list);

    /* bad notes: 400 naming notes, nothing changed */
    expect_400("PATCH", path, "{\"notes\": 42}", "notes");
    expect_400("PATCH", path, "{\"notes\": [\"a\"]}", "notes");
    char *huge = notes_body(20001);
    expect_400("PATCH", path, huge, "notes");
    free(huge);
    huge = notes_body(20000); /* the limit itself is fine */
    s = apitest_expect(&srv, "PATCH", path, huge, 200);
    assert_int_equal(strlen(json_string_value(json_object_get(s, "notes"))), 20000);
    json_decref(s);
    free(huge);
    json_decref(apitest_expect(&srv, "PATCH", path, body, 200));
    s = get_study();
    assert_string_equal(json_string_value(json_object_get(s, "notes")), want);
    json_decref(s);

    /* stored with the study: a restarted service shows them */
    int status = apitest_stop(&srv, SIGTERM);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(start(), 0);
    s = get_study();
    assert_string_equal(json_string_value(json_object_get(s, "notes")), want);
    json_decref(s);

    /* null clears them */
    s = apitest_expect(&srv, "PATCH", path, "{\"notes\": null}", 200);
    assert_true(json_is_null(json_object_get(s, "notes")));
    json_decref(s);
    s = get_study();
    assert_true(json_is_null(json_object_get(s, "notes")));
    json_decref(s);
}

/* The study's knowledge as stored, compact with sorted keys. */
static char *stored_knowledge(void)
{
    json_t *s = get_study();
    char *k = json_dumps(json_object_get(s, "knowledge"), JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(s);
    return k;
}

/* dry_run: good knowledge answers valid with its normalised form, bad
 * knowledge the same 400 as a real PUT; neither stores anything. */
static void test_knowledge_dry_run(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/knowledge?dry_run=true", study_id);
    char *before = stored_knowledge();
    json_t *r = apitest_expect(&srv, "PUT", path,
                               "{\"edges\": [[\"x2\", \"energy\"]], \"models\": "
                               "{\"edp\": \"lat * energy\"}}",
                               200);
    assert_true(json_is_true(json_object_get(r, "valid")));
    json_t *k = json_object_get(r, "knowledge");
    assert_int_equal(json_array_size(json_object_get(k, "edges")), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(k, "models"), "edp")),
                        "lat * energy");
    assert_true(json_is_array(json_object_get(k, "forbidden")));
    json_decref(r);
    char *now = stored_knowledge();
    assert_string_equal(before, now);
    free(now);

    static const struct {
        const char *body;
        const char *field;
    } bad[] = {
        {"{\"models\": {\"edp\": \"lat * (energy\"}}", "knowledge.models.edp"},
        {"{\"models\": {\"x1\": \"lat + 1\"}}", "knowledge.models.x1"},
        {"{\"edges\": [[\"edp\", \"lat\"]]}", "knowledge.edges[0]"},
        {"{\"edges\": [[\"lat\", \"energy\"], [\"energy\", \"lat\"]]}", "knowledge"},
        {"{\"hints\": []}", "knowledge.hints"},
    };
    char put[128];
    snprintf(put, sizeof put, "/v1/studies/%s/knowledge", study_id);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apitest_resp a, b;
        assert_int_equal(apitest_call(&srv, "PUT", path, bad[i].body, &a), 0);
        assert_int_equal(apitest_call(&srv, "PUT", put, bad[i].body, &b), 0);
        /* the very answer a real PUT gives */
        if (a.status != 400 || b.status != 400 || strcmp(a.body, b.body) != 0 ||
            strcmp(apitest_error_field(&a), bad[i].field) != 0)
            fail_msg("dry run %zu: %ld %s vs PUT %ld %s", i, a.status, a.body, b.status, b.body);
        apitest_resp_free(&a);
        apitest_resp_free(&b);
    }
    now = stored_knowledge();
    assert_string_equal(before, now);
    free(now);

    /* dry_run=false is a real PUT; another value is a 400 */
    snprintf(path, sizeof path, "/v1/studies/%s/knowledge?dry_run=maybe", study_id);
    expect_400("PUT", path, "{}", "dry_run");
    snprintf(path, sizeof path, "/v1/studies/%s/knowledge?dry_run=false", study_id);
    json_decref(apitest_expect(&srv, "PUT", path, "{\"edges\": [[\"x2\", \"energy\"]]}", 200));
    now = stored_knowledge();
    assert_non_null(strstr(now, "energy"));
    assert_string_not_equal(before, now);
    free(now);
    free(before);
    apitest_resp r404;
    assert_int_equal(apitest_call(&srv, "PUT", "/v1/studies/999999/knowledge?dry_run=true", "{}",
                                  &r404),
                     0);
    assert_int_equal(r404.status, 404);
    apitest_resp_free(&r404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_knowledge_dry_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
