/*
 * test_api_conditions.c - conditional parameters over real HTTP: every
 * refused condition is a 400 naming the parameter's condition, a study
 * echoes its conditions, the suggestions of every algorithm (random, sobol,
 * gp, bograph) hold exactly their active parameters, an import or a
 * prediction with an inactive parameter (or without an active one) is a 400
 * and stores nothing, and the CSV export leaves inactive cells empty.
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

static apitest_server srv;

/* algo picks an optimiser; lr for sgd and adam, momentum for sgd, beta1 for
 * adam, history for lbfgs; depth is shared; wide when depth is 3 or 4;
 * wide_mult (nested) when wide is 64. */
#define PARAMS \
    "[{\"name\": \"algo\", \"type\": \"categorical\", \"choices\": [\"sgd\", \"adam\", \"lbfgs\"]}," \
    "{\"name\": \"lr\", \"type\": \"float\", \"low\": 0.0001, \"high\": 1, \"log\": true," \
    " \"condition\": {\"parameter\": \"algo\", \"values\": [\"sgd\", \"adam\"]}}," \
    "{\"name\": \"momentum\", \"type\": \"float\", \"low\": 0, \"high\": 0.99," \
    " \"condition\": {\"parameter\": \"algo\", \"values\": [\"sgd\"]}}," \
    "{\"name\": \"beta1\", \"type\": \"float\", \"low\": 0.5, \"high\": 0.999," \
    " \"condition\": {\"parameter\": \"algo\", \"values\": [\"adam\"]}}," \
    "{\"name\": \"history\", \"type\": \"int\", \"low\": 2, \"high\": 50," \
    " \"condition\": {\"parameter\": \"algo\", \"values\": [\"lbfgs\"]}}," \
    "{\"name\": \"depth\", \"type\": \"int\", \"low\": 1, \"high\": 4}," \
    "{\"name\": \"wide\", \"type\": \"ordinal\", \"values\": [16, 32, 64]," \
    " \"condition\": {\"parameter\": \"depth\", \"values\": [3, 4]}}," \
    "{\"name\": \"wide_mult\", \"type\": \"float\", \"low\": 1, \"high\": 2," \
    " \"condition\": {\"parameter\": \"wide\", \"values\": [64]}}]"

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
    int status = apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void expect_error(const char *method, const char *path, const char *body,
                         const char *field)
{
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, method, path, body, &r), 0);
    if (r.status != 400 || strcmp(apitest_error_code(&r), "invalid_argument") != 0 ||
        strcmp(apitest_error_field(&r), field) != 0)
        fail_msg("%s %s: want 400 on %s, got %ld %s", method, path, field, r.status, r.body);
    apitest_resp_free(&r);
}

/* A study body with the parameters given and an optional extra member. */
static char *study_body(const char *name, const char *algorithm, const char *params,
                        const char *extra)
{
    size_t n = strlen(params) + (extra ? strlen(extra) : 0) + 512;
    char *b = malloc(n);
    assert_non_null(b);
    snprintf(b, n,
             "{\"name\": \"%s\", \"algorithm\": \"%s\", \"parameters\": %s, "
             "\"objective\": {\"name\": \"loss\"}%s%s}",
             name, algorithm, params, extra ? ", " : "", extra ? extra : "");
    return b;
}

typedef struct {
    const char *params;
    const char *extra;
    const char *field;
} bad_study;

#define P_ALGO "{\"name\": \"algo\", \"type\": \"categorical\", \"choices\": [\"sgd\", \"adam\"]}"
#define P_N "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 8}"
#define P_O "{\"name\": \"o\", \"type\": \"ordinal\", \"values\": [1, 2, 4]}"
#define P_F "{\"name\": \"f\", \"type\": \"float\", \"low\": 0, \"high\": 1}"
#define COND(p, v) ", \"condition\": {\"parameter\": \"" p "\", \"values\": [" v "]}}"
#define P_X(cond) "{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1" cond

static void test_refused_conditions(void **state)
{
    (void)state;
    static const bad_study cases[] = {
        /* unknown parent, itself, a float parent */
        {"[" P_ALGO ", " P_X(COND("nope", "1")) "]", NULL, "parameters[1].condition.parameter"},
        {"[" P_ALGO ", " P_X(COND("x", "1")) "]", NULL, "parameters[1].condition.parameter"},
        {"[" P_F ", " P_X(COND("f", "1")) "]", NULL, "parameters[1].condition.parameter"},
        /* values a parent cannot take */
        {"[" P_ALGO ", " P_X(COND("algo", "\"sgd\", \"rmsprop\"")) "]", NULL,
         "parameters[1].condition.values[1]"},
        {"[" P_ALGO ", " P_X(COND("algo", "0")) "]", NULL, "parameters[1].condition.values[0]"},
        {"[" P_N ", " P_X(COND("n", "9")) "]", NULL, "parameters[1].condition.values[0]"},
        {"[" P_N ", " P_X(COND("n", "2.5")) "]", NULL, "parameters[1].condition.values[0]"},
        {"[" P_O ", " P_X(COND("o", "3")) "]", NULL, "parameters[1].condition.values[0]"},
        /* shape */
        {"[" P_ALGO ", " P_X(", \"condition\": \"algo\"}") "]", NULL, "parameters[1].condition"},
        {"[" P_ALGO ", " P_X(COND("algo", "")) "]", NULL, "parameters[1].condition.values"},
        {"[" P_ALGO ", " P_X(", \"condition\": {\"parameter\": \"algo\"}}") "]", NULL,
         "parameters[1].condition.values"},
        {"[" P_ALGO ", " P_X(", \"condition\": {\"parameter\": \"algo\", \"values\": [\"sgd\"], \"when\": 1}}") "]",
         NULL, "parameters[1].condition.when"},
        /* a cycle: a under b, b under a */
        {"[{\"name\": \"a\", \"type\": \"int\", \"low\": 1, \"high\": 3" COND("b", "1") ", "
         "{\"name\": \"b\", \"type\": \"int\", \"low\": 1, \"high\": 3" COND("a", "1") "]",
         NULL, "parameters[1].condition"},
        /* the default follows the rule: an inactive one present, an active one missing */
        {"[" P_ALGO ", " P_X(COND("algo", "\"sgd\"")) "]",
         "\"default\": {\"algo\": \"adam\", \"x\": 0.5}", "default.x"},
        {"[" P_ALGO ", " P_X(COND("algo", "\"sgd\"")) "]", "\"default\": {\"algo\": \"sgd\"}",
         "default.x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *b = study_body("bad", "random", cases[i].params, cases[i].extra);
        expect_error("POST", "/v1/studies", b, cases[i].field);
        free(b);
    }
    /* nothing was created */
    json_t *list = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    json_t *studies = json_object_get(list, "studies");
    for (size_t i = 0; i < json_array_size(studies); i++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(studies, i), "name")), "bad");
    json_decref(list);
}

/* 1 when params hold exactly the parameters active under its own values. */
static int exactly_active(json_t *params)
{
    const char *algo = json_string_value(json_object_get(params, "algo"));
    json_t *depth = json_object_get(params, "depth"), *wide = json_object_get(params, "wide");
    if (!algo || !json_is_integer(depth))
        return 0;
    int sgd = strcmp(algo, "sgd") == 0, adam = strcmp(algo, "adam") == 0;
    int deep = json_integer_value(depth) >= 3;
    int want_wide_mult = wide && json_number_value(wide) == 64;
    const struct {
        const char *name;
        int want;
    } rule[] = {{"lr", sgd || adam}, {"momentum", sgd}, {"beta1", adam}, {"history", !sgd && !adam},
                {"wide", deep}, {"wide_mult", want_wide_mult}};
    size_t n = 2;
    for (size_t k = 0; k < sizeof rule / sizeof rule[0]; k++) {
        if ((json_object_get(params, rule[k].name) != NULL) != rule[k].want)
            return 0;
        n += (size_t)rule[k].want;
    }
    return json_object_size(params) == n;
}

static double loss_of(json_t *p)
{
    const char *algo = json_string_value(json_object_get(p, "algo"));
    double y = (double)json_integer_value(json_object_get(p, "depth"));
    if (strcmp(algo, "sgd") == 0)
        y += 3 * json_number_value(json_object_get(p, "momentum"));
    else if (strcmp(algo, "adam") == 0)
        y += 2 * json_number_value(json_object_get(p, "beta1"));
    else
        y += json_number_value(json_object_get(p, "history")) / 25.0;
    if (json_object_get(p, "wide_mult"))
        y -= json_number_value(json_object_get(p, "wide_mult"));
    return y;
}

/* Runs n trials of a study in batches of 3, completing each. */
static void run_trials(const char *sid, int n)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
    for (int done = 0; done < n; done += 3) {
        json_t *ans = apitest_expect(&srv, "POST", path, "{\"count\": 3}", 200);
        json_t *trials = json_object_get(ans, "trials");
        assert_int_equal(json_array_size(trials), 3);
        for (size_t k = 0; k < 3; k++) {
            json_t *t = json_array_get(trials, k);
            json_t *params = json_object_get(t, "params");
            if (!exactly_active(params))
                fail_msg("trial %s holds %s", json_string_value(json_object_get(t, "id")),
                         json_dumps(params, JSON_COMPACT));
            char cpath[128], body[96];
            snprintf(cpath, sizeof cpath, "/v1/studies/%s/trials/%s/complete", sid,
                     json_string_value(json_object_get(t, "id")));
            snprintf(body, sizeof body, "{\"metrics\": {\"loss\": %.6f}}", loss_of(params));
            json_decref(apitest_expect(&srv, "POST", cpath, body, 200));
        }
        json_decref(ans);
    }
}

static void test_every_algorithm_exactly_active(void **state)
{
    (void)state;
    const char *algos[] = {"random", "sobol", "gp", "bograph"};
    for (size_t a = 0; a < 4; a++) {
        char name[32], sid[32];
        snprintf(name, sizeof name, "cond-%s", algos[a]);
        char *b = study_body(name, algos[a], PARAMS,
                             "\"default\": {\"algo\": \"adam\", \"lr\": 0.01, \"beta1\": 0.9, \"depth\": 2}");
        apitest_create_study(&srv, b, sid, sizeof sid);
        free(b);
        /* the study echoes its conditions and the default holds only active ones */
        char path[96];
        snprintf(path, sizeof path, "/v1/studies/%s", sid);
        json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
        json_t *ps = json_object_get(st, "parameters");
        json_t *c = json_object_get(json_array_get(ps, 7), "condition");
        assert_string_equal(json_string_value(json_object_get(c, "parameter")), "wide");
        assert_true(json_number_value(json_array_get(json_object_get(c, "values"), 0)) == 64);
        assert_null(json_object_get(json_array_get(ps, 0), "condition"));
        json_t *c4 = json_object_get(json_array_get(ps, 4), "condition");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c4, "values"), 0)), "lbfgs");
        assert_true(exactly_active(json_object_get(st, "default")));
        json_decref(st);
        run_trials(sid, 24);
    }
}

static void test_import_predict_export(void **state)
{
    (void)state;
    char sid[32], path[96];
    char *b = study_body("cond-import", "gp", PARAMS, NULL);
    apitest_create_study(&srv, b, sid, sizeof sid);
    free(b);
    snprintf(path, sizeof path, "/v1/studies/%s/trials", sid);
    /* an inactive one present: momentum under adam; wide_mult when wide is 32 */
    expect_error("POST", path,
                 "{\"params\": {\"algo\": \"adam\", \"lr\": 0.1, \"beta1\": 0.9, \"momentum\": 0.5,"
                 " \"depth\": 1}, \"metrics\": {\"loss\": 1}}",
                 "params.momentum");
    expect_error("POST", path,
                 "{\"params\": {\"algo\": \"lbfgs\", \"history\": 5, \"depth\": 3, \"wide\": 32,"
                 " \"wide_mult\": 1.5}, \"metrics\": {\"loss\": 1}}",
                 "params.wide_mult");
    /* an active one missing */
    expect_error("POST", path,
                 "{\"params\": {\"algo\": \"sgd\", \"lr\": 0.1, \"depth\": 1}, \"metrics\": {\"loss\": 1}}",
                 "params.momentum");
    expect_error("POST", path,
                 "{\"params\": {\"algo\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.1, \"depth\": 4},"
                 " \"metrics\": {\"loss\": 1}}",
                 "params.wide");
    /* one bad trial of a bulk import: nothing stored */
    expect_error("POST", path,
                 "{\"trials\": [{\"params\": {\"algo\": \"lbfgs\", \"history\": 5, \"depth\": 1},"
                 " \"metrics\": {\"loss\": 1}}, {\"params\": {\"algo\": \"lbfgs\", \"history\": 5,"
                 " \"lr\": 0.1, \"depth\": 1}, \"metrics\": {\"loss\": 1}}]}",
                 "trials[1].params.lr");
    json_t *ts = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(ts, "trials")), 0);
    json_decref(ts);
    /* good imports: stored with exactly the parameters given */
    json_t *t = apitest_expect(&srv, "POST", path,
                               "{\"params\": {\"algo\": \"lbfgs\", \"history\": 5, \"depth\": 4,"
                               " \"wide\": 64, \"wide_mult\": 1.5}, \"metrics\": {\"loss\": 2}}",
                               201);
    assert_true(exactly_active(json_object_get(t, "params")));
    json_decref(t);
    json_decref(apitest_expect(&srv, "POST", path,
                               "{\"params\": {\"algo\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.3,"
                               " \"depth\": 2}, \"metrics\": {\"loss\": 3}}",
                               201));
    /* predict: validated as an import */
    char ppath[96];
    snprintf(ppath, sizeof ppath, "/v1/studies/%s/predict", sid);
    expect_error("POST", ppath,
                 "{\"params\": {\"algo\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.3, \"beta1\": 0.6,"
                 " \"depth\": 2}}",
                 "params.beta1");
    /* CSV: inactive cells empty. Columns: number,state,algo,lr,momentum,beta1,history,depth,wide,wide_mult,... */
    char cpath[128];
    snprintf(cpath, sizeof cpath, "/v1/studies/%s/trials?format=csv", sid);
    apitest_resp r;
    assert_int_equal(apitest_call(&srv, "GET", cpath, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\n1,completed,lbfgs,,,,5,4,64,1.5,2"));
    assert_non_null(strstr(r.body, "\n2,completed,sgd,0.1,0.3,,,2,,,3"));
    apitest_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_conditions),
        cmocka_unit_test(test_every_algorithm_exactly_active),
        cmocka_unit_test(test_import_predict_export),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
