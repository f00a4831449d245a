/*
 * test_api_bad_input.c - a table of malformed requests (truncated JSON,
 * wrong types, NaN/Infinity, huge numbers, unknown and out-of-space
 * parameters, empty names, wrong media types, 10 MB bodies) sent to the real
 * server: each must get its 4xx, the field it names, and change nothing
 * (the studies and every trial read back identical afterwards).
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
#include <cmocka.h>

#include "apitest.h"

static apitest_server srv;
static char sid[32], active_id[32], done_id[32];

#define STUDY "{\"name\": \"bad\", \"algorithm\": \"random\", \"parameters\": [" \
    "{\"name\": \"x\", \"type\": \"float\", \"low\": -5, \"high\": 10}," \
    "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 100}," \
    "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\"]}," \
    "{\"name\": \"o\", \"type\": \"ordinal\", \"values\": [1, 2, 4]}]," \
    "\"objective\": {\"name\": \"y\"}}"
#define P_OK "\"x\": 1, \"n\": 2, \"c\": \"a\", \"o\": 4"

/* Path templates: S = study, A = an active trial, D = a completed trial. */
typedef struct {
    const char *method;
    const char *path;
    const char *body;          /* "@BIG" = 10 MB of JSON */
    const char *content_type;  /* NULL = application/json */
    long status;
    const char *code;
    const char *field;         /* NULL = not checked */
} bad_case;

static const bad_case cases[] = {
    /* study creation */
    {"POST", "/v1/studies", "{\"name\": \"x\", \"parameters\": [", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "[1, 2]", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "{\"name\": 3}", NULL, 400, "invalid_argument", "name"},
    {"POST", "/v1/studies", "{\"name\": \"\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", "name"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": {\"x\": 1}, \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", "parameters"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", "parameters[0].name"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0, \"high\": 1}, {\"name\": \"b\", \"type\": \"float\", \"low\": 0, \"high\": 1}, {\"name\": \"c\", \"type\": \"float\", \"low\": 5, \"high\": 1}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", "parameters[2].high"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0, \"high\": 1e400}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 123456789012345678901234567890}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": NaN, \"high\": 1}], \"objective\": {\"name\": \"y\"}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"name\": \"r\"}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, \"budgett\": 3}", NULL, 400, "invalid_argument", "budgett"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, \"budget\": \"10\"}", NULL, 400, "invalid_argument", "budget"},
    {"POST", "/v1/studies", "{\"name\": \"q\", \"parameters\": [{\"name\": \"a\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, \"default\": {\"a\": 2}}", NULL, 400, "invalid_argument", "default.a"},
    {"POST", "/v1/studies", "{\"name\": \"q\"}", "text/plain", 415, "unsupported_media_type", NULL},
    {"POST", "/v1/studies", "name=q", "application/x-www-form-urlencoded", 415, "unsupported_media_type", NULL},
    {"POST", "/v1/studies", "@BIG", NULL, 413, "too_large", NULL},
    /* suggest */
    {"POST", "/v1/studies/S/suggest", "{\"count\": \"3\"}", NULL, 400, "invalid_argument", "count"},
    {"POST", "/v1/studies/S/suggest", "{\"count\": 0}", NULL, 400, "invalid_argument", "count"},
    {"POST", "/v1/studies/S/suggest", "{\"count\": 1001}", NULL, 400, "invalid_argument", "count"},
    {"POST", "/v1/studies/S/suggest", "{\"count\": 2.5}", NULL, 400, "invalid_argument", "count"},
    {"POST", "/v1/studies/S/suggest", "{\"count\": 1e400}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/suggest", "{\"worker\": \"\"}", NULL, 400, "invalid_argument", "worker"},
    {"POST", "/v1/studies/S/suggest", "{\"workers\": \"a\"}", NULL, 400, "invalid_argument", "workers"},
    {"POST", "/v1/studies/S/suggest", "{\"count\": 1", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/suggest", "@BIG", NULL, 413, "too_large", NULL},
    {"POST", "/v1/studies/999999/suggest", "{}", NULL, 404, "not_found", NULL},
    /* complete */
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": NaN}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": Infinity}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": -Infinity}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1e999}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": -1e999}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 99999999999999999999999999}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": \"1.5\"}}", NULL, 400, "invalid_argument", "metrics.y"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": null}}", NULL, 400, "invalid_argument", "metrics.y"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": [1, 2]}", NULL, 400, "invalid_argument", "metrics"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1, \"\": 2}}", NULL, 400, "invalid_argument", "metrics"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"mem\": 1}}", NULL, 400, "invalid_argument", "metrics"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1}, \"logs\": 12}", NULL, 400, "invalid_argument", "logs"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1}, \"note\": \"x\"}", NULL, 400, "invalid_argument", "note"},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1}, \"logs\": \"a\", \"log_format\": \"nope\"}", NULL, 400, "invalid_argument", "log_format"},
    {"POST", "/v1/studies/S/trials/A/complete", "", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "{\"metrics\": {\"y\": 1}}", "text/plain", 415, "unsupported_media_type", NULL},
    {"POST", "/v1/studies/S/trials/A/complete", "@BIG", NULL, 413, "too_large", NULL},
    {"POST", "/v1/studies/S/trials/D/complete", "{\"metrics\": {\"y\": 7}}", NULL, 409, "conflict", NULL},
    {"POST", "/v1/studies/S/trials/999999/complete", "{\"metrics\": {\"y\": 7}}", NULL, 404, "not_found", NULL},
    /* fail, heartbeat */
    {"POST", "/v1/studies/S/trials/A/fail", "{\"reason\": 3}", NULL, 400, "invalid_argument", "reason"},
    {"POST", "/v1/studies/S/trials/A/fail", "{\"infeasible\": \"yes\"}", NULL, 400, "invalid_argument", "infeasible"},
    {"POST", "/v1/studies/S/trials/A/fail", "{\"why\": \"x\"}", NULL, 400, "invalid_argument", "why"},
    {"POST", "/v1/studies/S/trials/D/fail", "{\"reason\": \"x\"}", NULL, 409, "conflict", NULL},
    {"POST", "/v1/studies/S/trials/A/heartbeat", "{\"extend\": 5}", NULL, 400, "invalid_argument", "extend"},
    {"POST", "/v1/studies/S/trials/D/heartbeat", NULL, NULL, 409, "conflict", NULL},
    /* warm start */
    {"POST", "/v1/studies/S/trials", "{\"params\": {" P_OK ", \"zz\": 1}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.zz"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {" P_OK ", \"\": 1}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params."},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 11, \"n\": 2, \"c\": \"a\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.x"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1e308, \"n\": 2, \"c\": \"a\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.x"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": \"1\", \"n\": 2, \"c\": \"a\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.x"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 2.5, \"c\": \"a\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.n"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 101, \"c\": \"a\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.n"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 2, \"c\": \"z\", \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.c"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 2, \"c\": 0, \"o\": 4}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.c"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 2, \"c\": \"a\", \"o\": 3}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.o"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {\"x\": 1, \"n\": 2, \"c\": \"a\"}, \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params.o"},
    {"POST", "/v1/studies/S/trials", "{\"params\": [1, 2], \"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params"},
    {"POST", "/v1/studies/S/trials", "{\"metrics\": {\"y\": 1}}", NULL, 400, "invalid_argument", "params"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {" P_OK "}}", NULL, 400, "invalid_argument", "metrics"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {" P_OK "}, \"metrics\": {\"y\": 1}, \"state\": \"active\"}", NULL, 400, "invalid_argument", "state"},
    {"POST", "/v1/studies/S/trials", "{\"params\": {" P_OK "}, \"metrics\": {\"y\": NaN}}", NULL, 400, "invalid_argument", NULL},
    {"POST", "/v1/studies/S/trials", "@BIG", NULL, 413, "too_large", NULL},
    /* queries */
    {"GET", "/v1/studies/S/trials?limit=-1", NULL, NULL, 400, "invalid_argument", "limit"},
    {"GET", "/v1/studies/S/trials?after_seq=1e3", NULL, NULL, 400, "invalid_argument", "after_seq"},
    {"GET", "/v1/studies/S/trials?state=done", NULL, NULL, 400, "invalid_argument", "state"},
};

static char *big_body;

static void expand(const char *tmpl, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 32 < len; p++) {
        const char *sub = NULL;
        if ((p[0] == 'S' || p[0] == 'A' || p[0] == 'D') && p[-1] == '/' &&
            (p[1] == '/' || p[1] == '\0'))
            sub = p[0] == 'S' ? sid : p[0] == 'A' ? active_id : done_id;
        if (sub) {
            o += (size_t)snprintf(out + o, len - o, "%s", sub);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

/* Everything a client can read about the store. */
static char *snapshot(void)
{
    json_t *studies = apitest_expect(&srv, "GET", "/v1/studies", NULL, 200);
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/trials?limit=1000", sid);
    json_t *trials = apitest_expect(&srv, "GET", path, NULL, 200);
    json_t *all = json_pack("{s:o, s:o}", "studies", studies, "trials", trials);
    char *txt = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(all);
    return txt;
}

static int setup(void **state)
{
    (void)state;
    memset(&srv, 0, sizeof srv);
    const char *args[] = {"--quiet", NULL};
    if (apitest_start(&srv, args) != 0)
        return -1;
    apitest_create_study(&srv, STUDY, sid, sizeof sid);
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
    json_t *s = apitest_expect(&srv, "POST", path, "{\"count\": 2, \"worker\": \"w\"}", 200);
    json_t *ts = json_object_get(s, "trials");
    snprintf(active_id, sizeof active_id, "%s", json_string_value(json_object_get(json_array_get(ts, 0), "id")));
    snprintf(done_id, sizeof done_id, "%s", json_string_value(json_object_get(json_array_get(ts, 1), "id")));
    json_decref(s);
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", sid, done_id);
    json_decref(apitest_expect(&srv, "POST", path, "{\"metrics\": {\"y\": 3}}", 200));
    /* 10 MB of valid JSON: a metric object with a long log string */
    size_t n = 10u << 20;
    big_body = malloc(n + 64);
    if (!big_body)
        return -1;
    size_t o = (size_t)sprintf(big_body, "{\"metrics\": {\"y\": 1}, \"logs\": \"");
    memset(big_body + o, 'a', n);
    o += n;
    strcpy(big_body + o, "\"}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(big_body);
    /* a clean stop exits 0 (under ASan: no leaks either) */
    int status = apitest_stop(&srv, SIGTERM);
    apitest_cleanup(&srv);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void test_bad_inputs(void **state)
{
    (void)state;
    char *before = snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        char path[256];
        expand(c->path, path, sizeof path);
        const char *body = c->body;
        size_t len = body ? strlen(body) : 0;
        if (body && strcmp(body, "@BIG") == 0) {
            body = big_body;
            len = strlen(big_body);
        }
        apitest_resp r;
        if (apitest_call_ex(&srv, c->method, path, body, len, c->content_type, NULL, &r) != 0)
            fail_msg("case %zu: %s %s: no answer", i, c->method, path);
        if (r.status != c->status || strcmp(apitest_error_code(&r), c->code) != 0 ||
            (c->field && strcmp(apitest_error_field(&r), c->field) != 0))
            fail_msg("case %zu: %s %s %.80s: got %ld %s; expected %ld %s field %s", i, c->method,
                     path, c->body ? c->body : "", r.status, r.body, c->status, c->code,
                     c->field ? c->field : "-");
        apitest_resp_free(&r);
        char *after = snapshot();
        if (strcmp(before, after) != 0)
            fail_msg("case %zu (%s %s) changed the store", i, c->method, path);
        free(after);
    }
    free(before);
    /* and the server is still serving normally */
    json_decref(apitest_expect(&srv, "GET", "/healthz", NULL, 200));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_inputs)};
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    apitest_thread_done();
    curl_global_cleanup();
    return rc;
}
