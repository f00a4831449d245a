/*
 * test_api_parameter_constraints.c - a study's "parameter_constraints" over
 * real HTTP: each way a constraint is refused at creation is a 400 naming
 * parameter_constraints[i] (does not parse, unknown or categorical
 * parameter, broken by the default, region too small to sample, not a
 * string); the study echoes them; gp and bograph studies driven through
 * their model phase in batches (pending points) never suggest a violating
 * configuration; the partition plugin's study carries its constraints; an
 * imported trial may break them.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "apitest.h"

static apitest_server srv;

#define SPACE "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}," \
              "{\"name\": \"y\", \"type\": \"float\", \"low\": 0, \"high\": 1}," \
              "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 32}," \
              "{\"name\": \"tp\", \"type\": \"ordinal\", \"values\": [1, 2, 4, 8, 16, 32, 64]}," \
              "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\"]}]"
#define DEFAULT "\"default\": {\"x\": 0.1, \"y\": 0.1, \"n\": 2, \"tp\": 4, \"c\": \"a\"}"
#define CONS "[\"x + y <= 0.4\", \"n * tp <= 32\", \"n >= 10 * x\"]"

static int group_setup(void **state)
{
    (void)state;
    return apitest_start(&srv, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    int status = apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void expect_field(const char *cons, const char *extra, const char *field, const char *words)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"name\": \"bad\", " SPACE ", \"objective\": {\"name\": \"v\"}, %s, "
             "\"parameter_constraints\": %s}",
             extra ? extra : DEFAULT, cons);
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "POST", "/v1/studies", body, &r), 0);
    if (r.status != 400 || strcmp(apitest_error_field(&r), field) != 0 ||
        strcmp(apitest_error_code(&r), "invalid_argument") != 0 || !strstr(r.body, words))
        fail_msg("%s: got %ld %s; expected 400 field %s with '%s'", cons, r.status, r.body, field,
                 words);
    apitest_resp_free(&r);
}

static void test_refused_at_creation(void **state)
{
    (void)state;
    expect_field("[\"x + y <= 1\", \"x * <= 2\"]", NULL, "parameter_constraints[1]", "cannot parse");
    expect_field("[\"foo <= 2\"]", NULL, "parameter_constraints[0]", "not a parameter");
    expect_field("[\"x <= 1\", \"c <= 1\"]", NULL, "parameter_constraints[1]", "categorical");
    expect_field("[\"x <= 1\", \"x + y <= 0.1\"]", NULL, "parameter_constraints[1]",
                 "default configuration breaks it");
    expect_field("[\"x <= 1\", 3]", NULL, "parameter_constraints[1]", "must be a string");
    expect_field("[\"x == y\"]", NULL, "parameter_constraints[0]", "exactly one of");
    /* 1 in 2e8 of the square: refused at creation, not at the first suggestion */
    expect_field("[\"x <= 0.5\", \"x + y <= 0.0001\"]",
                 "\"default\": {\"x\": 0, \"y\": 0, \"n\": 2, \"tp\": 4, \"c\": \"a\"}",
                 "parameter_constraints[1]", "too small a region");
    /* the whole list has the wrong shape */
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "POST", "/v1/studies",
                                  "{\"name\": \"bad\", " SPACE ", \"objective\": {\"name\": \"v\"}, "
                                  "\"parameter_constraints\": \"x <= 1\"}", &r), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_error_field(&r), "parameter_constraints");
    apitest_resp_free(&r);
    /* nothing was stored */
    json_t *j = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    for (size_t i = 0; i < json_array_size(json_object_get(j, "studies")); i++)
        assert_string_not_equal(
            json_string_value(json_object_get(json_array_get(json_object_get(j, "studies"), i), "name")),
            "bad");
    json_decref(j);
}

static double num(json_t *params, const char *name)
{
    return json_number_value(json_object_get(params, name));
}

/* Drives a study of the given algorithm for `rounds` suggestions of 3 (each
 * batch of 3 proposes with the others pending), checking every one. */
static void drive(const char *algorithm, int rounds)
{
    char body[2048], id[32], path[256];
    snprintf(body, sizeof body,
             "{\"name\": \"pc-%s\", " SPACE ", \"objective\": {\"name\": \"v\"}, " DEFAULT ", "
             "\"algorithm\": \"%s\", \"seed\": 5, \"parameter_constraints\": " CONS "}",
             algorithm, algorithm);
    apitest_create_study(&srv, body, id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *echo = json_object_get(st, "parameter_constraints");
    assert_int_equal(json_array_size(echo), 3);
    assert_string_equal(json_string_value(json_array_get(echo, 1)), "n * tp <= 32");
    json_decref(st);
    int from_model = 0;
    for (int r = 0; r < rounds; r++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
        json_t *j = apitest_expect(&srv, "POST", path, "{\"count\": 3, \"worker\": \"w\"}", 200);
        json_t *ts = json_object_get(j, "trials");
        assert_int_equal(json_array_size(ts), 3);
        for (size_t k = 0; k < 3; k++) {
            json_t *t = json_array_get(ts, k);
            json_t *p = json_object_get(t, "params");
            double x = num(p, "x"), y = num(p, "y"), n = num(p, "n"), tp = num(p, "tp");
            if (!(x + y <= 0.4 && n * tp <= 32 && n >= 10 * x))
                fail_msg("%s round %d: x %g y %g n %g tp %g breaks a constraint", algorithm, r, x,
                         y, n, tp);
            const char *model = json_string_value(json_object_get(t, "model"));
            from_model += model && strcmp(model, algorithm) == 0;
            /* minimise: wants x + y and n * tp large, i.e. the boundary */
            char res[256];
            snprintf(res, sizeof res, "{\"metrics\": {\"v\": %.17g, \"m\": %.17g}}",
                     -(x + y) - 0.01 * n * tp, x * 3);
            char cpath[256];
            snprintf(cpath, sizeof cpath, "/v1/studies/%s/trials/%s/complete", id,
                     json_string_value(json_object_get(t, "id")));
            json_decref(apitest_expect(&srv, "POST", cpath, res, 200));
        }
        json_decref(j);
    }
    /* the model's own proposals were among them, not only the design's */
    assert_true(from_model > 0);
}

static void test_gp_never_violates(void **state)
{
    (void)state;
    drive("gp", 7);
}

static void test_bograph_never_violates(void **state)
{
    (void)state;
    drive("bograph", 7);
}

static void test_import_may_violate(void **state)
{
    (void)state;
    char id[32], path[256];
    apitest_create_study(&srv,
                         "{\"name\": \"pc-import\", " SPACE ", \"objective\": {\"name\": \"v\"}, "
                         DEFAULT ", \"algorithm\": \"random\", \"parameter_constraints\": " CONS "}",
                         id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    json_t *t = apitest_expect(&srv, "POST", path,
                               "{\"params\": {\"x\": 0.9, \"y\": 0.9, \"n\": 32, \"tp\": 64, "
                               "\"c\": \"b\"}, \"metrics\": {\"v\": 1}}",
                               201);
    json_decref(t);
}

static void test_partition_plugin(void **state)
{
    (void)state;
    json_t *j = apitest_expect(&srv, "POST", "/v1/studies",
                               "{\"name\": \"pc-part\", \"plugin\": \"partition\", "
                               "\"plugin_options\": {\"devices\": 32}}",
                               201);
    json_t *pc = json_object_get(j, "parameter_constraints");
    assert_true(json_array_size(pc) >= 1);
    int seen = 0;
    for (size_t i = 0; i < json_array_size(pc); i++)
        seen += strcmp(json_string_value(json_array_get(pc, i)), "tp * pp <= 32") == 0;
    assert_int_equal(seen, 1); /* the devices option is in it */
    json_decref(j);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_at_creation),
        cmocka_unit_test(test_gp_never_violates),
        cmocka_unit_test(test_bograph_never_violates),
        cmocka_unit_test(test_import_may_violate),
        cmocka_unit_test(test_partition_plugin),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    apitest_thread_done();
    curl_global_cleanup();
    return rc;
}
