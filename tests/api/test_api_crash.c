/*
 * test_api_crash.c - durability and recovery: completions are acknowledged,
 * the server is killed with SIGKILL, restarted on the same file, and every
 * acknowledged completion is there; the leases of the workers that died
 * with it expire, and their configurations are suggested again.
 */
#include <curl/curl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "apitest.h"

#define N_BULK 60

static apitest_server srv;

static char *params_of(json_t *t)
{
    return json_dumps(json_object_get(t, "params"), JSON_SORT_KEYS | JSON_COMPACT);
}

static void test_kill9_and_restart(void **state)
{
    (void)state;
    const char *args[] = {"--quiet", NULL};
    assert_int_equal(apitest_start(&srv, args), 0);
    char small[32], bulk[32], path[256];
    /* six configurations in all */
    apitest_create_study(&srv,
                         "{\"name\": \"six\", \"algorithm\": \"random\", \"lease_seconds\": 1.5, "
                         "\"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", "
                         "\"choices\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]}], "
                         "\"objective\": {\"name\": \"y\"}}",
                         small, sizeof small);
    apitest_create_study(&srv,
                         "{\"name\": \"bulk\", \"algorithm\": \"random\", \"parameters\": "
                         "[{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}], "
                         "\"objective\": {\"name\": \"y\"}}",
                         bulk, sizeof bulk);
    /* a live worker finishes three configurations */
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", small);
    json_t *live = apitest_expect(&srv, "POST", path, "{\"count\": 3, \"worker\": \"live\"}", 200);
    json_t *lt = json_object_get(live, "trials");
    for (size_t i = 0; i < 3; i++) {
        char res[64];
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", small,
                 json_string_value(json_object_get(json_array_get(lt, i), "id")));
        snprintf(res, sizeof res, "{\"metrics\": {\"y\": %zu.5}}", i);
        json_decref(apitest_expect(&srv, "POST", path, res, 200));
    }
    /* a worker that will die holds the other three */
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", small);
    json_t *dead = apitest_expect(&srv, "POST", path, "{\"count\": 3, \"worker\": \"dead\"}", 200);
    json_t *dt = json_object_get(dead, "trials");
    assert_int_equal(json_array_size(dt), 3);
    /* a burst of acknowledged ask/tell cycles right before the crash */
    double ys[N_BULK];
    for (int i = 0; i < N_BULK; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", bulk);
        json_t *s = apitest_expect(&srv, "POST", path, "{}", 200);
        const char *id = json_string_value(json_object_get(json_array_get(json_object_get(s, "trials"), 0), "id"));
        char res[96];
        ys[i] = i * 1.25;
        snprintf(res, sizeof res, "{\"metrics\": {\"y\": %.17g}}", ys[i]);
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", bulk, id);
        json_decref(apitest_expect(&srv, "POST", path, res, 200));
        json_decref(s);
    }
    int status = apitest_stop(&srv, SIGKILL);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    /* restart on the same file */
    assert_int_equal(apitest_start(&srv, args), 0);
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=completed&limit=1000", bulk);
    json_t *j = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *ts = json_object_get(j, "trials");
    assert_int_equal(json_array_size(ts), N_BULK);
    for (int i = 0; i < N_BULK; i++)
        assert_true(json_number_value(json_object_get(json_array_get(ts, i), "objective")) == ys[i]);
    json_decref(j);
    snprintf(path, sizeof path, "/v1/studies/%s", small);
    j = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *counts = json_object_get(j, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "completed")), 3);
    json_decref(j);

    /* the dead worker's leases run out; its configurations come back */
    usleep(1700 * 1000);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", small);
    json_t *again = apitest_expect(&srv, "POST", path, "{\"count\": 3, \"worker\": \"new\"}", 200);
    json_t *at = json_object_get(again, "trials");
    assert_int_equal(json_array_size(at), 3);
    for (size_t i = 0; i < 3; i++) {
        char *p = params_of(json_array_get(at, i));
        int found = 0;
        for (size_t k = 0; k < 3; k++) {
            char *q = params_of(json_array_get(dt, k));
            found += strcmp(p, q) == 0;
            free(q);
        }
        if (found != 1)
            fail_msg("configuration %s was not one the dead worker held", p);
        free(p);
        /* numbering goes on after the restart */
        assert_true(json_integer_value(json_object_get(json_array_get(at, i), "number")) > 6);
    }
    snprintf(path, sizeof path, "/v1/studies/%s/trials?state=expired", small);
    j = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "trials")), 3);
    json_decref(j);
    json_decref(again);
    json_decref(live);
    json_decref(dead);
}

static int teardown(void **state)
{
    (void)state;
    apitest_cleanup(&srv);
    return 0;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    memset(&srv, 0, sizeof srv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill9_and_restart)};
    int rc = cmocka_run_group_tests(tests, NULL, teardown);
    apitest_thread_done();
    curl_global_cleanup();
    return rc;
}
