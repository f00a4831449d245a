/*
 * test_router.c - route matching: captures, 404, 405 with the Allow list,
 * and paths that must not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "server/router.h"

static int match(const char *method, const char *path, const router_route **r,
                 const char *caps[API_MAX_CAPTURES], char *buf, char *allow)
{
    snprintf(buf, 256, "%s", path);
    return router_match(method, buf, r, caps, allow, 64);
}

static void test_found(void **state)
{
    (void)state;
    const router_route *r;
    const char *caps[API_MAX_CAPTURES] = {0};
    char buf[256], allow[64];
    assert_int_equal(match("POST", "/v1/studies/12/trials/7/complete", &r, caps, buf, allow),
                     ROUTER_FOUND);
    assert_string_equal(r->pattern, "/v1/studies/{}/trials/{}/complete");
    assert_string_equal(caps[0], "12");
    assert_string_equal(caps[1], "7");
    assert_int_equal(match("GET", "/v1/studies/", &r, caps, buf, allow), ROUTER_FOUND);
    assert_string_equal(r->pattern, "/v1/studies");
    assert_int_equal(match("HEAD", "/healthz", &r, caps, buf, allow), ROUTER_FOUND);
    assert_true(r->public_route);
    assert_int_equal(match("POST", "/v1/studies/3/suggest", &r, caps, buf, allow), ROUTER_FOUND);
    assert_true(r->slow);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    const router_route *r;
    const char *caps[API_MAX_CAPTURES] = {0};
    char buf[256], allow[64];
    assert_int_equal(match("GET", "/v1/nothing", &r, caps, buf, allow), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/studies/1/trials/2/complete/x", &r, caps, buf, allow),
                     ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1//trials", &r, caps, buf, allow), ROUTER_NOT_FOUND);
    assert_int_equal(match("PUT", "/v1/studies/1", &r, caps, buf, allow), ROUTER_BAD_METHOD);
    assert_string_equal(allow, "GET, DELETE, PATCH");
    assert_int_equal(match("GET", "/v1/studies/1/suggest", &r, caps, buf, allow),
                     ROUTER_BAD_METHOD);
    assert_string_equal(allow, "POST");
    assert_int_equal(match("DELETE", "/v1/studies", &r, caps, buf, allow), ROUTER_BAD_METHOD);
    assert_string_equal(allow, "GET, POST");
}

/* The OpenAPI document describes every route of the table (a new route
 * needs its entry in server/openapi.json). */
extern const char server_openapi_json[];
extern const size_t server_openapi_json_len;

static void test_openapi_covers_routes(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_loadb(server_openapi_json, server_openapi_json_len, 0, &jerr);
    if (!doc)
        fail_msg("server/openapi.json is not JSON: line %d: %s", jerr.line, jerr.text);
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    static const char *const names[] = {"{id}", "{tid}", "{name}", "{x}"};
    for (size_t r = 0; r < router_n_routes; r++) {
        char path[256] = "";
        const char *p = router_routes[r].pattern;
        int nc = 0;
        while (*p) {
            if (p[0] == '{' && p[1] == '}') {
                /* plugin routes name their capture {name} */
                strcat(path, strncmp(router_routes[r].pattern, "/v1/plugins", 11) == 0
                                 ? names[2]
                                 : names[nc < 2 ? nc : 3]);
                nc++;
                p += 2;
            } else {
                size_t len = strlen(path);
                path[len] = *p++;
                path[len + 1] = '\0';
            }
        }
        json_t *item = json_object_get(paths, path);
        if (!item)
            fail_msg("openapi.json has no path %s", path);
        char method[16];
        size_t i;
        for (i = 0; router_routes[r].method[i] && i < sizeof method - 1; i++)
            method[i] = (char)(router_routes[r].method[i] | 0x20);
        method[i] = '\0';
        if (!json_object_get(item, method))
            fail_msg("openapi.json has no %s %s", method, path);
    }
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_openapi_covers_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
