/*
 * test_api_structure.c - the BoGraph model through the real service: a
 * bograph study of a small synthetic system (three parameters drive three
 * metrics, two of which make the objective) tuned over HTTP with suggest and
 * complete; which model proposed each trial (the trials' `model`, in the
 * list, one trial and suggest's answer); GET /structure (parameter, metric
 * and objective nodes, learned and expert edges); the plain-GP fallback of a
 * study whose trials report no metrics; the structure of a study of another
 * algorithm; PUT /knowledge (valid, then every kind of bad knowledge, which
 * changes nothing); knowledge checked at creation; 404s and 405s.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "apitest.h"

static apitest_server srv;
/* the bograph study of the synthetic system, tuned by test_bograph_study */
static char sys_id[32];

#define SPACE3 "\"parameters\": [" \
    "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1}," \
    "{\"name\": \"x2\", \"type\": \"float\", \"low\": 0, \"high\": 1}," \
    "{\"name\": \"x3\", \"type\": \"float\", \"low\": 0, \"high\": 1}]"

#define N_TRIALS 26

/* Small deterministic noise in [-a, a]. */
static double noise(uint64_t *s, double a)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return a * (2.0 * (double)(*s >> 11) / 9007199254740992.0 - 1.0);
}

/* The synthetic system: x1 -> lat, x2 -> energy, x3 -> cache (which the
 * objective ignores); edp = lat * energy is the objective (minimised), and
 * the study's knowledge gives that formula. (With bowls and weak side
 * effects instead of straight lines, 10-18 trials of three parameters were
 * too few for the graph to predict held-out trials as well as the plain
 * GP, and the service rightly answered with the GP throughout.) */
static void system_run(const double *x, uint64_t *rng, double *lat, double *energy,
                       double *cache, double *edp)
{
    *lat = 1.0 + 2.0 * x[0] + noise(rng, 0.01);
    *energy = 2.0 + 3.0 * (1.0 - x[1]) + noise(rng, 0.01);
    *cache = 0.5 + 0.4 * x[2] + noise(rng, 0.01);
    *edp = *lat * *energy;
}

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    snprintf(srv.dir, sizeof srv.dir, "/tmp/bograph-api-XXXXXX");
    if (!mkdtemp(srv.dir))
        return -1;
    snprintf(srv.db, sizeof srv.db, "%s/test.db", srv.dir);
    const char *args[] = {"--quiet", NULL};
    return apitest_start(&srv, args);
}

static int teardown(void **state)
{
    (void)state;
    /* a clean stop exits 0 (under ASan: no leaks either) */
    int status = apitest_stop(&srv, SIGTERM);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        /* show why (e.g. the sanitizer's report) */
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

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Checks a trial's model fields and returns its model. */
static const char *trial_model(json_t *t)
{
    json_t *m = json_object_get(t, "model");
    if (!m || !json_is_object(t) || !json_object_get(t, "model_reason"))
        fail_msg("trial without model/model_reason: %s", json_dumps(t, JSON_COMPACT));
    return json_is_string(m) ? json_string_value(m) : "(null)";
}

/* The node of the structure named name, or NULL. */
static json_t *node_named(json_t *st, const char *name)
{
    json_t *nodes = json_object_get(st, "nodes");
    for (size_t i = 0; i < json_array_size(nodes); i++)
        if (strcmp(str_of(json_array_get(nodes, i), "name"), name) == 0)
            return json_array_get(nodes, i);
    return NULL;
}

/* The edge from -> to of the structure, or NULL. */
static json_t *edge_of(json_t *st, const char *from, const char *to)
{
    json_t *edges = json_object_get(st, "edges");
    for (size_t i = 0; i < json_array_size(edges); i++) {
        json_t *e = json_array_get(edges, i);
        if (strcmp(str_of(e, "from"), from) == 0 && strcmp(str_of(e, "to"), to) == 0)
            return e;
    }
    return NULL;
}

static size_t count_kind(json_t *st, const char *kind)
{
    size_t n = 0;
    json_t *nodes = json_object_get(st, "nodes");
    for (size_t i = 0; i < json_array_size(nodes); i++)
        n += strcmp(str_of(json_array_get(nodes, i), "kind"), kind) == 0;
    return n;
}

static size_t count_source(json_t *st, const char *source)
{
    size_t n = 0;
    json_t *edges = json_object_get(st, "edges");
    for (size_t i = 0; i < json_array_size(edges); i++)
        n += strcmp(str_of(json_array_get(edges, i), "source"), source) == 0;
    return n;
}

/* Every edge names nodes of the structure, has a known source and a finite
 * weight; no edge goes into a parameter or out of the objective. */
static void check_edges(json_t *st)
{
    json_t *edges = json_object_get(st, "edges");
    assert_true(json_is_array(edges));
    for (size_t i = 0; i < json_array_size(edges); i++) {
        json_t *e = json_array_get(edges, i);
        json_t *from = node_named(st, str_of(e, "from")), *to = node_named(st, str_of(e, "to"));
        if (!from || !to)
            fail_msg("edge %zu names an unknown node: %s", i, json_dumps(e, JSON_COMPACT));
        assert_string_not_equal(str_of(to, "kind"), "param");
        assert_string_not_equal(str_of(from, "kind"), "objective");
        const char *src = str_of(e, "source");
        assert_true(strcmp(src, "learned") == 0 || strcmp(src, "expert") == 0);
        assert_true(json_is_number(json_object_get(e, "weight")));
        assert_true(isfinite(json_number_value(json_object_get(e, "weight"))));
    }
}

static json_t *get_structure(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/structure", id);
    json_t *st = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(str_of(st, "algorithm"), "notears");
    assert_true(json_is_integer(json_object_get(st, "learned_at_trial")));
    check_edges(st);
    return st;
}

/* Tunes the synthetic system for N_TRIALS trials; the structured model
 * takes over from the GP once trials carry metrics. */
static void test_bograph_study(void **state)
{
    (void)state;
    apitest_create_study(
        &srv,
        "{\"name\": \"sys\", \"algorithm\": \"bograph\", \"seed\": 11, \"relearn_every\": 8, "
        SPACE3 ", \"objective\": {\"name\": \"edp\", \"goal\": \"minimize\"}, "
        "\"default\": {\"x1\": 0.9, \"x2\": 0.1, \"x3\": 0.5}, "
        "\"knowledge\": {\"edges\": [[\"x1\", \"lat\"]], "
        "\"models\": {\"edp\": \"lat * energy\"}}}",
        sys_id, sizeof sys_id);
    char path[160];
    snprintf(path, sizeof path, "/v1/studies/%s", sys_id);
    json_t *study = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(study, "relearn_every")), 8);
    json_decref(study);

    double X[N_TRIALS + 4][3];
    size_t n = 0, n_bograph = 0, n_gp = 0;
    uint64_t rng = 5;
    char models[N_TRIALS + 4][32];
    char ids[N_TRIALS + 4][32];
    while (n < N_TRIALS) {
        /* mostly one at a time, and a batch of two now and then */
        size_t want = (n % 9 == 4) ? 2 : 1;
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", sys_id);
        char body[64];
        snprintf(body, sizeof body, "{\"count\": %zu}", want);
        json_t *r = apitest_expect(&srv, "POST", path, body, 200);
        json_t *ts = json_object_get(r, "trials");
        assert_int_equal(json_array_size(ts), want);
        size_t first = n;
        for (size_t k = 0; k < want; k++) {
            json_t *t = json_array_get(ts, k);
            json_t *p = json_object_get(t, "params");
            const char *names[3] = {"x1", "x2", "x3"};
            for (int j = 0; j < 3; j++) {
                json_t *v = json_object_get(p, names[j]);
                assert_true(json_is_number(v));
                X[n][j] = json_number_value(v);
                assert_true(X[n][j] >= 0.0 && X[n][j] <= 1.0);
            }
            for (size_t q = 0; q < n; q++)
                if (X[q][0] == X[n][0] && X[q][1] == X[n][1] && X[q][2] == X[n][2])
                    fail_msg("trial %zu repeats trial %zu", n, q);
            const char *m = trial_model(t);
            snprintf(models[n], sizeof models[n], "%s", m);
            snprintf(ids[n], sizeof ids[n], "%s", str_of(t, "id"));
            if (n == 0) {
                assert_string_equal(m, "default");
                assert_true(json_is_true(json_object_get(t, "is_default")));
            } else if (strcmp(m, "bograph") == 0) {
                n_bograph++;
                assert_true(json_is_null(json_object_get(t, "model_reason")));
            } else if (strcmp(m, "gp") == 0 || strcmp(m, "sobol") == 0) {
                n_gp++;
                /* the fallback (the GP, or its Sobol design first) says why */
                assert_true(strlen(str_of(t, "model_reason")) > 0);
            } else {
                fail_msg("trial %zu: unexpected model '%s'", n, m);
            }
            n++;
        }
        json_decref(r);
        for (size_t i = first; i < n; i++) {
            double lat, energy, cache, edp;
            system_run(X[i], &rng, &lat, &energy, &cache, &edp);
            snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", sys_id, ids[i]);
            char res[256];
            snprintf(res, sizeof res,
                     "{\"metrics\": {\"edp\": %.17g, \"lat\": %.17g, \"energy\": %.17g, "
                     "\"cache\": %.17g}}",
                     edp, lat, energy, cache);
            json_decref(apitest_expect(&srv, "POST", path, res, 200));
        }
    }
    print_message("models: %zu bograph, %zu gp or sobol of %zu trials\n", n_bograph, n_gp, n);
    assert_true(n_gp >= 1);      /* the first trials: too few with metrics */
    assert_true(n_bograph >= 1); /* then the graph */

    /* the model is in the list (the text writer) and in one trial */
    snprintf(path, sizeof path, "/v1/studies/%s/trials?limit=1000", sys_id);
    json_t *list = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *items = json_object_get(list, "trials");
    assert_int_equal(json_array_size(items), n);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *t = json_array_get(items, i);
        size_t k;
        for (k = 0; k < n && strcmp(ids[k], str_of(t, "id")) != 0; k++)
            ;
        assert_true(k < n);
        assert_string_equal(trial_model(t), models[k]);
    }
    json_decref(list);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s", sys_id, ids[n - 1]);
    json_t *one = apitest_expect(&srv, "GET", path, NULL, 200);
    assert_string_equal(trial_model(one), models[n - 1]);
    json_decref(one);

    /* the graph: parameters, metrics, the objective; learned and expert edges */
    json_t *st = get_structure(sys_id);
    assert_true(json_integer_value(json_object_get(st, "learned_at_trial")) > 0);
    assert_true(json_integer_value(json_object_get(st, "learned_at_trial")) <= N_TRIALS);
    assert_int_equal(count_kind(st, "param"), 3);
    assert_true(count_kind(st, "metric") >= 1);
    assert_int_equal(count_kind(st, "objective"), 1);
    assert_non_null(node_named(st, "edp"));
    assert_string_equal(str_of(node_named(st, "edp"), "kind"), "objective");
    assert_non_null(node_named(st, "lat"));
    assert_string_equal(str_of(node_named(st, "lat"), "kind"), "metric");
    json_t *e = edge_of(st, "x1", "lat");
    assert_non_null(e);
    assert_string_equal(str_of(e, "source"), "expert");
    assert_true(count_source(st, "learned") >= 1);
    /* asked again, the same graph (kept in the study's state) */
    json_t *again = get_structure(sys_id);
    assert_true(json_equal(st, again));
    json_decref(again);
    json_decref(st);
}

/* PUT /knowledge on the tuned study: stored, shown by GET study and by the
 * structure's expert edges; bad knowledge is a 400 naming the entry and
 * changes nothing. */
static void test_knowledge_put(void **state)
{
    (void)state;
    assert_true(sys_id[0]);
    char path[160], spath[160];
    snprintf(path, sizeof path, "/v1/studies/%s/knowledge", sys_id);
    snprintf(spath, sizeof spath, "/v1/studies/%s", sys_id);
    json_t *r = apitest_expect(&srv, "PUT", path,
                               "{\"edges\": [[\"x1\", \"lat\"], [\"x2\", \"energy\"]], "
                               "\"forbidden\": [[\"x3\", \"edp\"]]}",
                               200);
    json_t *k = json_object_get(r, "knowledge");
    assert_int_equal(json_array_size(json_object_get(k, "edges")), 2);
    assert_int_equal(json_array_size(json_object_get(k, "forbidden")), 1);
    assert_true(json_is_object(json_object_get(k, "models")));
    assert_string_equal(str_of(r, "id"), sys_id);
    json_decref(r);
    json_t *study = apitest_expect(&srv, "GET", spath, NULL, 200);
    k = json_object_get(study, "knowledge");
    json_t *e1 = json_array_get(json_object_get(k, "edges"), 1);
    assert_string_equal(json_string_value(json_array_get(e1, 0)), "x2");
    assert_string_equal(json_string_value(json_array_get(e1, 1)), "energy");
    char *before = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(study);

    /* the graph is relearnt with it: both expert edges, and not the forbidden one */
    json_t *st = get_structure(sys_id);
    json_t *e = edge_of(st, "x2", "energy");
    assert_non_null(e);
    assert_string_equal(str_of(e, "source"), "expert");
    assert_non_null(edge_of(st, "x1", "lat"));
    assert_null(edge_of(st, "x3", "edp"));
    json_decref(st);
    /* and the next suggestion runs with it */
    snprintf(spath, sizeof spath, "/v1/studies/%s/suggest", sys_id);
    json_t *s = apitest_expect(&srv, "POST", spath, "{}", 200);
    assert_int_equal(json_array_size(json_object_get(s, "trials")), 1);
    json_decref(s);

    static const struct {
        const char *body;
        const char *field;
    } bad[] = {
        {"{\"models\": {\"edp\": \"lat * (energy\"}}", "knowledge.models.edp"},
        {"{\"models\": {\"edp\": \"lat * / energy\"}}", "knowledge.models.edp"},
        {"{\"models\": {\"edp\": \"42\"}}", "knowledge.models.edp"},
        {"{\"edges\": [[\"x1\", \"lat\"], [\"lat\", \"x2\"]]}", "knowledge.edges[1]"},
        {"{\"edges\": [[\"edp\", \"lat\"]]}", "knowledge.edges[0]"},
        {"{\"edges\": [[\"x2\", \"lat\"]], \"forbidden\": [[\"x2\", \"lat\"]]}",
         "knowledge.edges[0]"},
        {"{\"edges\": [[\"lat\", \"lat\"]]}", "knowledge.edges[0]"},
        {"{\"models\": {\"x1\": \"lat + 1\"}}", "knowledge.models.x1"},
        {"{\"edges\": [[\"lat\", \"energy\"], [\"energy\", \"cache\"], [\"cache\", \"lat\"]]}",
         "knowledge"},
        {"{\"edges\": [[\"x1\"]]}", "knowledge.edges[0]"},
        {"{\"edges\": [[\"x1\", 3]]}", "knowledge.edges[0]"},
        {"{\"forbidden\": \"x1\"}", "knowledge.forbidden"},
        {"{\"models\": {\"edp\": 3}}", "knowledge.models.edp"},
        {"{\"hints\": []}", "knowledge.hints"},
        {"[]", NULL},
        {"{\"edges\": ", NULL},
    };
    snprintf(spath, sizeof spath, "/v1/studies/%s", sys_id);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apitest_resp rr;
        assert_int_equal(apitest_call(&srv, "PUT", path, bad[i].body, &rr), 0);
        const char *field = apitest_error_field(&rr);
        if (rr.status != 400 || strcmp(apitest_error_code(&rr), "invalid_argument") != 0 ||
            (bad[i].field && strcmp(field, bad[i].field) != 0))
            fail_msg("bad knowledge %zu %s: got %ld %s, expected 400 field %s", i, bad[i].body,
                     rr.status, rr.body, bad[i].field ? bad[i].field : "-");
        apitest_resp_free(&rr);
        study = apitest_expect(&srv, "GET", spath, NULL, 200);
        char *now = json_dumps(json_object_get(study, "knowledge"), JSON_SORT_KEYS | JSON_COMPACT);
        if (strcmp(before, now) != 0)
            fail_msg("bad knowledge %zu changed the study's knowledge to %s", i, now);
        free(now);
        json_decref(study);
    }
    free(before);

    /* an empty object clears it */
    r = apitest_expect(&srv, "PUT", path, "{}", 200);
    k = json_object_get(r, "knowledge");
    assert_int_equal(json_array_size(json_object_get(k, "edges")), 0);
    json_decref(r);

    /* unknown study, wrong verbs */
    expect_error("PUT", "/v1/studies/999999/knowledge", "{}", 404, "not_found", NULL);
    expect_error("PUT", "/v1/studies/nope/knowledge", "{}", 404, "not_found", NULL);
    expect_error("GET", "/v1/studies/999999/structure", NULL, 404, "not_found", NULL);
    expect_error("GET", "/v1/studies/nope/structure", NULL, 404, "not_found", NULL);
    expect_error("GET", path, NULL, 405, "method_not_allowed", NULL);
    expect_error("POST", path, "{}", 405, "method_not_allowed", NULL);
    snprintf(path, sizeof path, "/v1/studies/%s/structure", sys_id);
    expect_error("POST", path, "{}", 405, "method_not_allowed", NULL);
    expect_error("PUT", path, "{}", 405, "method_not_allowed", NULL);
}

/* Knowledge is checked the same way at creation; relearn_every too. */
static void test_create_checks(void **state)
{
    (void)state;
    static const struct {
        const char *extra;
        const char *field;
    } bad[] = {
        {"\"knowledge\": {\"models\": {\"edp\": \"lat *\"}}", "knowledge.models.edp"},
        {"\"knowledge\": {\"edges\": [[\"lat\", \"x1\"]]}", "knowledge.edges[0]"},
        {"\"knowledge\": {\"edges\": [[\"a\", \"b\"], [\"b\", \"a\"]]}", "knowledge"},
        {"\"relearn_every\": 0", "relearn_every"},
        {"\"relearn_every\": \"5\"", "relearn_every"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"name\": \"bad-%zu\", " SPACE3 ", \"objective\": {\"name\": \"edp\"}, %s}", i,
                 bad[i].extra);
        expect_error("POST", "/v1/studies", body, 400, "invalid_argument", bad[i].field);
    }
    /* none of them was created */
    json_t *list = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    json_t *studies = json_object_get(list, "studies");
    for (size_t i = 0; i < json_array_size(studies); i++)
        assert_int_not_equal(strncmp(str_of(json_array_get(studies, i), "name"), "bad-", 4), 0);
    json_decref(list);
}

/* A bograph study whose trials report only the objective stays on the
 * plain GP, and its structure is the parameters and the objective. */
static void test_no_metrics_fallback(void **state)
{
    (void)state;
    char id[32], path[160];
    apitest_create_study(&srv,
                         "{\"name\": \"flat\", \"algorithm\": \"bograph\", \"seed\": 3, " SPACE3
                         ", \"objective\": {\"name\": \"y\"}, "
                         "\"knowledge\": {\"edges\": [[\"x1\", \"y\"]]}}",
                         id, sizeof id);
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
        json_t *r = apitest_expect(&srv, "POST", path, "{}", 200);
        json_t *t = json_array_get(json_object_get(r, "trials"), 0);
        /* the GP's Sobol design first, then the GP itself */
        assert_string_equal(trial_model(t), i < 5 ? "sobol" : "gp");
        assert_true(strlen(str_of(t, "model_reason")) > 0);
        json_t *p = json_object_get(t, "params");
        double x1 = json_number_value(json_object_get(p, "x1"));
        double x2 = json_number_value(json_object_get(p, "x2"));
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, str_of(t, "id"));
        char res[128];
        snprintf(res, sizeof res, "{\"metrics\": {\"y\": %.17g}}",
                 (x1 - 0.4) * (x1 - 0.4) + (x2 - 0.6) * (x2 - 0.6));
        json_decref(apitest_expect(&srv, "POST", path, res, 200));
        json_decref(r);
    }
    json_t *st = get_structure(id);
    assert_int_equal(json_integer_value(json_object_get(st, "learned_at_trial")), 0);
    assert_int_equal(count_kind(st, "param"), 3);
    assert_int_equal(count_kind(st, "metric"), 0);
    assert_int_equal(count_kind(st, "objective"), 1);
    assert_string_equal(str_of(node_named(st, "y"), "kind"), "objective");
    json_t *e = edge_of(st, "x1", "y");
    assert_non_null(e);
    assert_string_equal(str_of(e, "source"), "expert");
    assert_int_equal(count_source(st, "learned"), 0);
    json_decref(st);

    /* imported trials have no model */
    snprintf(path, sizeof path, "/v1/studies/%s/trials", id);
    json_t *imp = apitest_expect(&srv, "POST", path,
                                 "{\"params\": {\"x1\": 0.5, \"x2\": 0.5, \"x3\": 0.5}, "
                                 "\"metrics\": {\"y\": 0.02}}",
                                 201);
    assert_string_equal(trial_model(imp), "(null)");
    json_decref(imp);
}

/* A study of another algorithm records its own model and still answers
 * /structure, learnt from its trials' metrics. */
static void test_other_algorithm(void **state)
{
    (void)state;
    char id[32], path[160];
    apitest_create_study(&srv,
                         "{\"name\": \"rand\", \"algorithm\": \"random\", \"seed\": 5, " SPACE3
                         ", \"objective\": {\"name\": \"edp\", \"goal\": \"minimize\"}}",
                         id, sizeof id);
    uint64_t rng = 9;
    for (int i = 0; i < 14; i++) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
        json_t *r = apitest_expect(&srv, "POST", path, "{}", 200);
        json_t *t = json_array_get(json_object_get(r, "trials"), 0);
        assert_string_equal(trial_model(t), "random");
        json_t *p = json_object_get(t, "params");
        double x[3] = {json_number_value(json_object_get(p, "x1")),
                       json_number_value(json_object_get(p, "x2")),
                       json_number_value(json_object_get(p, "x3"))};
        double lat, energy, cache, edp;
        system_run(x, &rng, &lat, &energy, &cache, &edp);
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", id, str_of(t, "id"));
        char res[256];
        snprintf(res, sizeof res,
                 "{\"metrics\": {\"edp\": %.17g, \"lat\": %.17g, \"energy\": %.17g, "
                 "\"cache\": %.17g}}",
                 edp, lat, energy, cache);
        json_decref(apitest_expect(&srv, "POST", path, res, 200));
        json_decref(r);
    }
    json_t *st = get_structure(id);
    assert_true(json_integer_value(json_object_get(st, "learned_at_trial")) > 0);
    assert_int_equal(count_kind(st, "param"), 3);
    assert_true(count_kind(st, "metric") >= 1);
    assert_int_equal(count_kind(st, "objective"), 1);
    assert_true(count_source(st, "learned") >= 1);
    assert_int_equal(count_source(st, "expert"), 0);
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bograph_study),
        cmocka_unit_test(test_knowledge_put),
        cmocka_unit_test(test_create_checks),
        cmocka_unit_test(test_no_metrics_fallback),
        cmocka_unit_test(test_other_algorithm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
