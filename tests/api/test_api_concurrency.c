/*
 * test_api_concurrency.c - 8 workers in parallel run 200 ask/tell cycles on
 * one study of a small discrete space (400 configurations): no suggestion
 * duplicates a configuration another worker holds, every acknowledged
 * completion is in the store afterwards with its value, and no request
 * fails (no "database is locked" or any other error reaches a client).
 */
#include <curl/curl.h>
#include <pthread.h>
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

#define N_WORKERS 8
#define N_TRIALS 200

static apitest_server srv;
static char sid[32];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *active[N_TRIALS];          /* params of trials held right now */
static long done_ids[N_TRIALS];
static double done_y[N_TRIALS];
static int n_done, n_claimed;
static int duplicates, failures;
static char first_failure[512];

static void record_failure(const char *what, const apitest_resp *r)
{
    pthread_mutex_lock(&mu);
    if (!failures)
        snprintf(first_failure, sizeof first_failure, "%s: %ld %s", what, r ? r->status : 0L,
                 r && r->body ? r->body : "no answer");
    failures++;
    pthread_mutex_unlock(&mu);
}

static void *worker(void *p)
{
    int w = (int)(long)p;
    char body[128], path[256];
    snprintf(body, sizeof body, "{\"count\": 1, \"worker\": \"w%d\"}", w);
    for (;;) {
        pthread_mutex_lock(&mu);
        int mine = n_claimed < N_TRIALS ? n_claimed++ : -1;
        pthread_mutex_unlock(&mu);
        if (mine < 0)
            break;
        apitest_resp r;
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
        if (apitest_call(&srv, "POST", path, body, &r) != 0 || r.status != 200 || !r.json) {
            record_failure("suggest", &r);
            apitest_resp_free(&r);
            break;
        }
        json_t *t = json_array_get(json_object_get(r.json, "trials"), 0);
        if (!t) {
            record_failure("suggest gave no trial", &r);
            apitest_resp_free(&r);
            break;
        }
        char *params = json_dumps(json_object_get(t, "params"), JSON_SORT_KEYS | JSON_COMPACT);
        long id = strtol(json_string_value(json_object_get(t, "id")), NULL, 10);
        json_t *pa = json_object_get(t, "params");
        double a = json_number_value(json_object_get(pa, "a"));
        double b = json_number_value(json_object_get(pa, "b"));
        apitest_resp_free(&r);

        int slot = -1;
        pthread_mutex_lock(&mu);
        for (int i = 0; i < N_TRIALS; i++) {
            if (active[i] && strcmp(active[i], params) == 0)
                duplicates++;
            if (!active[i] && slot < 0)
                slot = i;
        }
        active[slot] = params;
        pthread_mutex_unlock(&mu);

        double y = (a - 7) * (a - 7) + (b - 3) * (b - 3) + 0.25 * w;
        char res[128];
        snprintf(res, sizeof res, "{\"metrics\": {\"y\": %.17g, \"worker\": %d}}", y, w);
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%ld/complete", sid, id);
        /* Release the claim before the completion is acknowledged: from
         * then on the server may hand the configuration out again only if
         * the space runs out (it does not here). */
        pthread_mutex_lock(&mu);
        active[slot] = NULL;
        pthread_mutex_unlock(&mu);
        if (apitest_call(&srv, "POST", path, res, &r) != 0 || r.status != 200) {
            record_failure("complete", &r);
            apitest_resp_free(&r);
            free(params);
            break;
        }
        apitest_resp_free(&r);
        free(params);
        pthread_mutex_lock(&mu);
        done_ids[n_done] = id;
        done_y[n_done] = y;
        n_done++;
        pthread_mutex_unlock(&mu);
    }
    apitest_thread_done();
    return NULL;
}

static void test_parallel_workers(void **state)
{
    (void)state;
    apitest_create_study(&srv,
                         "{\"name\": \"parallel\", \"algorithm\": \"random\", \"parameters\": ["
                         "{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 19},"
                         "{\"name\": \"b\", \"type\": \"int\", \"low\": 0, \"high\": 19}],"
                         "\"objective\": {\"name\": \"y\"}, \"budget\": 200}",
                         sid, sizeof sid);
    pthread_t th[N_WORKERS];
    for (long i = 0; i < N_WORKERS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(th[i], NULL);
    if (failures)
        fail_msg("%d requests failed; first: %s", failures, first_failure);
    assert_int_equal(duplicates, 0);
    assert_int_equal(n_done, N_TRIALS);

    /* every acknowledged completion is stored, with its value */
    char path[256];
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=completed&limit=1000", sid);
    json_t *j = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *ts = json_object_get(j, "trials");
    assert_int_equal(json_array_size(ts), N_TRIALS);
    int matched = 0;
    char **seen = calloc(N_TRIALS, sizeof *seen);
    for (size_t i = 0; i < json_array_size(ts); i++) {
        json_t *t = json_array_get(ts, i);
        long id = strtol(json_string_value(json_object_get(t, "id")), NULL, 10);
        for (int k = 0; k < N_TRIALS; k++) {
            if (done_ids[k] == id) {
                assert_true(json_number_value(json_object_get(t, "objective")) == done_y[k]);
                matched++;
            }
        }
        /* the space has room, so no configuration ran twice */
        seen[i] = json_dumps(json_object_get(t, "params"), JSON_SORT_KEYS | JSON_COMPACT);
        for (size_t k = 0; k < i; k++)
            if (strcmp(seen[k], seen[i]) == 0)
                fail_msg("configuration %s ran twice", seen[i]);
    }
    for (int i = 0; i < N_TRIALS; i++)
        free(seen[i]);
    free(seen);
    assert_int_equal(matched, N_TRIALS);
    json_decref(j);
    /* the budget is spent */
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
    j = apitest_expect(&srv, "POST", path, "{\"worker\": \"late\"}", 200);
    assert_true(json_is_true(json_object_get(j, "done")));
    json_decref(j);
}

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    const char *args[] = {"--quiet", NULL};
    return apitest_start(&srv, args);
}

static int teardown(void **state)
{
    (void)state;
    /* a clean stop exits 0 (under ASan: no leaks either) */
    int status = apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_parallel_workers)};
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
