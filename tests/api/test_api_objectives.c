/*
 * test_api_objectives.c - studies of several objectives over real HTTP
 * against the real `bograph serve`: every 400 of "objectives" at creation,
 * the echo, completions and imports that lack an objective (400 naming it,
 * nothing stored), a trial's "objectives", the Pareto set of /best on a
 * hand-made set (ties, a dominated trial that meets the constraints, a
 * non-dominated one that misses one), CSV columns, predictions, and the
 * models that propose for gp, bograph and random studies (bograph's graphs
 * once the trials report metrics besides the objectives).
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
#include <sys/wait.h>
#include <cmocka.h>

#include "apitest.h"

static apitest_server srv;

#define SPACE2 "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}," \
               "{\"name\": \"y\", \"type\": \"float\", \"low\": 0, \"high\": 1}]"
#define TWO_OBJ "\"objectives\": [{\"name\": \"a\", \"goal\": \"minimize\"}," \
                "{\"name\": \"b\", \"goal\": \"maximize\"}]"

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

/* Calls and checks a 400 with field (NULL: any) and, when given, a message
 * containing text. */
static void expect_400(const char *method, const char *path, const char *body, const char *field,
                       const char *text)
{
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, method, path, body, &r), 0);
    if (r.status != 400 || strcmp(apitest_error_code(&r), "invalid_argument") != 0 ||
        (field && strcmp(apitest_error_field(&r), field) != 0) ||
        (text && !strstr(r.body, text)))
        fail_msg("%s %s %s: got %ld %s, expected 400 field %s with '%s'", method, path, body,
                 r.status, r.body, field ? field : "-", text ? text : "");
    apitest_resp_free(&r);
}

static void create_bad(const char *name, const char *objectives_part, const char *field)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"name\": \"%s\", " SPACE2 ", %s}", name, objectives_part);
    expect_400("POST", "/v1/studies", body, field, NULL);
}

static void test_create_errors(void **state)
{
    (void)state;
    create_bad("both", "\"objective\": {\"name\": \"a\"}, " TWO_OBJ, "objectives");
    create_bad("one", "\"objectives\": [{\"name\": \"a\"}]", "objectives");
    create_bad("five", "\"objectives\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"},"
                       "{\"name\": \"d\"}, {\"name\": \"e\"}]", "objectives");
    create_bad("empty", "\"objectives\": []", "objectives");
    create_bad("notarray", "\"objectives\": {\"name\": \"a\"}", "objectives");
    create_bad("twice", "\"objectives\": [{\"name\": \"a\"}, {\"name\": \"a\", \"goal\": "
                        "\"maximize\"}]", "objectives");
    create_bad("goal", "\"objectives\": [{\"name\": \"a\"}, {\"name\": \"b\", \"goal\": \"up\"}]",
               "objectives[1].goal");
    create_bad("noname", "\"objectives\": [{\"goal\": \"minimize\"}, {\"name\": \"b\"}]",
               "objectives[0].name");
    create_bad("notobj", "\"objectives\": [\"a\", \"b\"]", "objectives[0]");
    create_bad("extra", "\"objectives\": [{\"name\": \"a\", \"unit\": \"ms\"}, {\"name\": \"b\"}]",
               NULL);
    create_bad("none", "\"algorithm\": \"random\"", "objective");
    /* nothing was created */
    json_t *list = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "studies")), 0);
    json_decref(list);
}

static void test_create_echo(void **state)
{
    (void)state;
    json_t *s = apitest_expect(&srv, "POST", "/v1/studies",
                               "{\"name\": \"echo\", " SPACE2 ", \"objectives\": [{\"name\": "
                               "\"lat\"}, {\"name\": \"energy\", \"goal\": \"minimize\"}, "
                               "{\"name\": \"acc\", \"goal\": \"maximize\"}]}",
                               201);
    json_t *objs = json_object_get(s, "objectives");
    assert_int_equal(json_array_size(objs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 0), "goal")),
                        "minimize");
    assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 2), "name")), "acc");
    assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 2), "goal")),
                        "maximize");
    assert_true(json_is_null(json_object_get(s, "objective")));
    json_decref(s);
    /* a study of one objective is as before: no objectives member */
    s = apitest_expect(&srv, "POST", "/v1/studies",
                       "{\"name\": \"single\", " SPACE2 ", \"objective\": {\"name\": \"a\"}}", 201);
    assert_null(json_object_get(s, "objectives"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s, "objective"), "name")), "a");
    json_decref(s);
}

/* The number of trials of study id. */
static size_t trial_count(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    json_t *t = apitest_expect(&srv, "GET", path, NULL, 200);
    size_t n = json_array_size(json_object_get(t, "trials"));
    json_decref(t);
    return n;
}

static void test_complete_needs_every_objective(void **state)
{
    (void)state;
    char id[32], path[160], tid[32];
    apitest_create_study(&srv, "{\"name\": \"complete\", " SPACE2 ", " TWO_OBJ
                               ", \"algorithm\": \"random\"}", id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    json_t *sug = apitest_expect(&srv, "POST", path, "{}", 200);
    snprintf(tid, sizeof tid, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(sug, "trials"), 0),
                                               "id")));
    json_decref(sug);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, tid);
    expect_400("POST", path, "{\"metrics\": {\"a\": 1, \"c\": 2}}", "metrics", "'b'");
    expect_400("POST", path, "{\"metrics\": {\"b\": 1}}", "metrics", "'a'");
    /* nothing stored: the trial is still active, without metrics */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", id, tid);
    json_t *t = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(t, "state")), "active");
    assert_int_equal(json_object_size(json_object_get(t, "metrics")), 0);
    assert_true(json_is_null(json_object_get(t, "objectives")));
    json_decref(t);
    /* the logs may yield an objective */
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, tid);
    t = apitest_expect(&srv, "POST", path,
                       "{\"metrics\": {\"a\": 1.5}, \"logs\": \"b=2.5\\n\", \"log_format\": "
                       "\"keyvalue\"}",
                       200);
    assert_string_equal(json_string_value(json_object_get(t, "state")), "completed");
    assert_true(json_is_null(json_object_get(t, "objective")));
    json_t *objs = json_object_get(t, "objectives");
    assert_int_equal(json_object_size(objs), 2);
    assert_true(json_number_value(json_object_get(objs, "a")) == 1.5);
    assert_true(json_number_value(json_object_get(objs, "b")) == 2.5);
    json_decref(t);
}

static void test_import_needs_every_objective(void **state)
{
    (void)state;
    char id[32], path[160];
    apitest_create_study(&srv, "{\"name\": \"import\", " SPACE2 ", " TWO_OBJ "}", id, sizeof id);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    expect_400("POST", path, "{\"params\": {\"x\": 0.1, \"y\": 0.2}, \"metrics\": {\"a\": 1}}",
               "metrics", "'b'");
    expect_400("POST", path,
               "{\"trials\": [{\"params\": {\"x\": 0.1, \"y\": 0.2}, \"metrics\": {\"a\": 1, "
               "\"b\": 2}}, {\"params\": {\"x\": 0.3, \"y\": 0.2}, \"metrics\": {\"b\": 2}}]}",
               "trials[1].metrics", "'a'");
    assert_int_equal(trial_count(id), 0);
    /* a failed trial needs no objective; a completed one with both is stored */
    json_t *r = apitest_expect(&srv, "POST", path,
                               "{\"trials\": [{\"params\": {\"x\": 0.1, \"y\": 0.2}, \"state\": "
                               "\"failed\"}, {\"params\": {\"x\": 0.3, \"y\": 0.2}, \"metrics\": "
                               "{\"a\": 1, \"b\": 2, \"c\": 3}}]}",
                               201);
    json_t *done = json_array_get(json_object_get(r, "trials"), 1);
    assert_true(json_number_value(json_object_get(json_object_get(done, "objectives"), "b")) == 2);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r, "trials"), 0),
                                             "objectives")));
    json_decref(r);
    assert_int_equal(trial_count(id), 2);
}

/* The numbers of the trials of /best's pareto, as a bit set. */
static unsigned pareto_numbers(const char *id, json_t **best_out)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/studies/%s/best", id);
    json_t *best = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_null(json_object_get(best, "best"));
    unsigned set = 0;
    json_t *front = json_object_get(best, "pareto");
    assert_true(json_is_array(front));
    for (size_t i = 0; i < json_array_size(front); i++)
        set |= 1u << json_integer_value(json_object_get(json_array_get(front, i), "number"));
    *best_out = best;
    return set;
}

static void test_pareto(void **state)
{
    (void)state;
    char id[32], path[160];
    /* a minimised, b maximised, c <= 10 */
    apitest_create_study(&srv, "{\"name\": \"pareto\", " SPACE2 ", " TWO_OBJ
                               ", \"constraints\": [{\"metric\": \"c\", \"op\": \"<=\", \"value\": "
                               "10}], \"default\": {\"x\": 0.5, \"y\": 0.5}}",
                         id, sizeof id);
    json_t *best = NULL;
    assert_int_equal(pareto_numbers(id, &best), 0);
    assert_true(json_is_null(json_object_get(best, "default")));
    json_decref(best);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    json_decref(apitest_expect(
        &srv, "POST", path,
        "{\"trials\": ["
        /* 1: the default, on the front */
        "{\"params\": {\"x\": 0.5, \"y\": 0.5}, \"metrics\": {\"a\": 1, \"b\": 1, \"c\": 0}},"
        /* 2 and 3: equal, both on the front */
        "{\"params\": {\"x\": 0.1, \"y\": 0.1}, \"metrics\": {\"a\": 2, \"b\": 3, \"c\": 0}},"
        "{\"params\": {\"x\": 0.2, \"y\": 0.1}, \"metrics\": {\"a\": 2, \"b\": 3, \"c\": 1}},"
        /* 4: meets the constraint, dominated by 2 */
        "{\"params\": {\"x\": 0.3, \"y\": 0.1}, \"metrics\": {\"a\": 3, \"b\": 2, \"c\": 0}},"
        /* 5: would dominate every one, misses the constraint */
        "{\"params\": {\"x\": 0.4, \"y\": 0.1}, \"metrics\": {\"a\": 0, \"b\": 10, \"c\": 20}},"
        /* 6: failed */
        "{\"params\": {\"x\": 0.6, \"y\": 0.1}, \"state\": \"failed\"},"
        /* 7: worse a, better b than 2: on the front */
        "{\"params\": {\"x\": 0.7, \"y\": 0.1}, \"metrics\": {\"a\": 5, \"b\": 5, \"c\": 5}},"
        /* 8: infeasible with great values */
        "{\"params\": {\"x\": 0.8, \"y\": 0.1}, \"state\": \"infeasible\", \"metrics\": "
        "{\"a\": -1, \"b\": 99, \"c\": 0}},"
        /* 9: lacks the constraint's metric */
        "{\"params\": {\"x\": 0.9, \"y\": 0.1}, \"metrics\": {\"a\": -5, \"b\": 50}}"
        "]}",
        201));
    unsigned set = pareto_numbers(id, &best);
    assert_int_equal(set, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 7));
    json_t *front = json_object_get(best, "pareto");
    /* in trial order, each with its objectives */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(front, 0), "number")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(front, 3), "number")), 7);
    json_t *t7 = json_array_get(front, 3);
    assert_true(json_number_value(json_object_get(json_object_get(t7, "objectives"), "a")) == 5);
    assert_true(json_is_null(json_object_get(t7, "objective")));
    json_t *def = json_object_get(best, "default");
    assert_int_equal(json_integer_value(json_object_get(def, "number")), 1);
    assert_true(json_is_true(json_object_get(def, "is_default")));
    json_decref(best);

    /* the CSV export: one column per objective, the other metric once */
    apitest_resp r;
    snprintf(path, sizeof path, "/v1/studies/%s/trials?format=csv", id);
    assert_int_equal(apitest_call(&srv, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "number,state,x,y,a,b,c,model,created_at,finished_at\n",
                        strlen("number,state,x,y,a,b,c,model,created_at,finished_at\n")) == 0);
    if (!strstr(r.body, "\n7,completed,0.7,0.1,5.0,5.0,5.0,,"))
        fail_msg("row 7 not found in %s", r.body);
    apitest_resp_free(&r);

    /* predictions: each objective's mean and sd */
    snprintf(path, sizeof path, "/v1/studies/%s/predict", id);
    json_t *p = apitest_expect(&srv, "POST", path, "{\"params\": {\"x\": 0.2, \"y\": 0.1}}", 200);
    json_t *pred = json_array_get(json_object_get(p, "predictions"), 0);
    assert_true(json_is_null(json_object_get(pred, "objective")));
    json_t *pa = json_object_get(json_object_get(pred, "objectives"), "a");
    json_t *pb = json_object_get(json_object_get(pred, "objectives"), "b");
    assert_true(json_is_number(json_object_get(pa, "mean")));
    assert_true(json_number_value(json_object_get(pb, "sd")) >= 0);
    assert_true(isfinite(json_number_value(json_object_get(pb, "mean"))));
    assert_string_equal(json_string_value(json_object_get(pred, "model")), "gp");
    json_decref(p);
}

/* Runs n suggest/complete rounds on study id with a two-objective function
 * of x, y; returns the last trial (owned). */
static json_t *run_rounds(const char *id, int n)
{
    char path[160];
    json_t *last = NULL;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
        json_t *sug = apitest_expect(&srv, "POST", path, "{}", 200);
        json_t *t = json_array_get(json_object_get(sug, "trials"), 0);
        assert_non_null(t);
        double x = json_number_value(json_object_get(json_object_get(t, "params"), "x"));
        double y = json_number_value(json_object_get(json_object_get(t, "params"), "y"));
        char body[256];
        snprintf(body, sizeof body, "{\"metrics\": {\"a\": %.17g, \"b\": %.17g}}", x * x + y,
                 (1 - x) * (1 - x) + y);
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
                 json_string_value(json_object_get(t, "id")));
        json_decref(last);
        last = apitest_expect(&srv, "POST", path, body, 200);
        json_decref(sug);
    }
    return last;
}

static void test_models(void **state)
{
    (void)state;
    static const char *const algs[] = {"gp", "bograph", "random"};
    for (size_t k = 0; k < 3; k++) {
        char id[32], body[512];
        snprintf(body, sizeof body,
                 "{\"name\": \"models-%s\", " SPACE2 ", \"objectives\": [{\"name\": \"a\"}, "
                 "{\"name\": \"b\"}], \"algorithm\": \"%s\", \"seed\": 3}",
                 algs[k], algs[k]);
        apitest_create_study(&srv, body, id, sizeof id);
        json_t *last = run_rounds(id, 12);
        const char *model = json_string_value(json_object_get(last, "model"));
        if (k == 2) {
            assert_string_equal(model, "random");
        } else {
            /* past the initial design the GP's EHVI answers (for bograph too:
             * no metric but the objectives) */
            assert_string_equal(model, "gp");
            json_t *x = json_object_get(last, "explanation");
            assert_string_equal(json_string_value(json_object_get(x, "acquisition_function")),
                                "log_ehvi");
            const char *why = json_string_value(json_object_get(last, "model_reason"));
            if (k == 1) /* the objectives are its only metrics: no graph to learn */
                assert_non_null(why && strstr(why, "the trials report no metrics") ? why : NULL);
        }
        assert_int_equal(json_object_size(json_object_get(last, "objectives")), 2);
        json_decref(last);
        json_t *best = NULL;
        assert_true(pareto_numbers(id, &best) != 0);
        json_decref(best);
        /* importance: of the first objective, from the metrics */
        char path[160];
        snprintf(path, sizeof path, "/v1/studies/%s/importance", id);
        json_t *imp = apitest_expect(&srv, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(imp, "at_trial")), 12);
        json_decref(imp);
    }
}

/* A bograph study of two objectives whose trials report the metrics both
 * depend on (four parameters; queue = 2 x1, lock = 5 (x2 - 0.3)^2,
 * a = queue + lock + 0.2 x3, b = (2 - queue)^2 / 2 + lock + 0.2 (1 - x3)):
 * past the design its suggestions come from the graphs (one objective node
 * per objective), with the log EHVI. */
static void test_models_graph(void **state)
{
    (void)state;
    char id[32], path[160], body[900];
    size_t at = (size_t)snprintf(body, sizeof body, "{\"name\": \"models-graph\", \"parameters\": [");
    for (int j = 1; j <= 4; j++)
        at += (size_t)snprintf(body + at, sizeof body - at,
                               "%s{\"name\": \"x%d\", \"type\": \"float\", \"low\": 0, \"high\": 1}",
                               j > 1 ? ", " : "", j);
    snprintf(body + at, sizeof body - at,
             "], \"objectives\": [{\"name\": \"a\"}, {\"name\": \"b\"}], "
             "\"algorithm\": \"bograph\", \"seed\": 3}");
    apitest_create_study(&srv, body, id, sizeof id);
    int from_graph = 0;
    for (int i = 0; i < 22; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
        json_t *sug = apitest_expect(&srv, "POST", path, "{}", 200);
        json_t *t = json_array_get(json_object_get(sug, "trials"), 0);
        assert_non_null(t);
        const char *model = json_string_value(json_object_get(t, "model"));
        if (i >= 14 && strcmp(model, "bograph") == 0) {
            from_graph++;
            json_t *x = json_object_get(t, "explanation");
            assert_string_equal(json_string_value(json_object_get(x, "model")), "bograph");
            assert_string_equal(json_string_value(json_object_get(x, "acquisition_function")),
                                "log_ehvi");
            assert_true(json_object_size(json_object_get(x, "metrics")) >= 1);
        }
        json_t *params = json_object_get(t, "params");
        double x1 = json_number_value(json_object_get(params, "x1"));
        double x2 = json_number_value(json_object_get(params, "x2"));
        double x3 = json_number_value(json_object_get(params, "x3"));
        double queue = 2 * x1, lock = 5 * (x2 - 0.3) * (x2 - 0.3);
        snprintf(body, sizeof body,
                 "{\"metrics\": {\"queue\": %.17g, \"lock\": %.17g, \"a\": %.17g, \"b\": %.17g}}",
                 queue, lock, queue + lock + 0.2 * x3,
                 (2 - queue) * (2 - queue) / 2 + lock + 0.2 * (1 - x3));
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id,
                 json_string_value(json_object_get(t, "id")));
        json_decref(apitest_expect(&srv, "POST", path, body, 200));
        json_decref(sug);
    }
    printf("the graphs answered %d of 8 suggestions\n", from_graph);
    assert_true(from_graph >= 4);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_create_echo),
        cmocka_unit_test(test_complete_needs_every_objective),
        cmocka_unit_test(test_import_needs_every_objective),
        cmocka_unit_test(test_pareto),
        cmocka_unit_test(test_models),
        cmocka_unit_test(test_models_graph),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    apitest_thread_done();
    curl_global_cleanup();
    return rc;
}
