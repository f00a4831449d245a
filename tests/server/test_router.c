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
    assert_string_equal(allow, "GET, DELETE");
    assert_int_equal(match("GET", "/v1/studies/1/suggest", &r, caps, buf, allow),
                     ROUTER_BAD_METHOD);
    assert_string_equal(allow, "POST");
    assert_int_equal(match("DELETE", "/v1/studies", &r, caps, buf, allow), ROUTER_BAD_METHOD);
    assert_string_equal(allow, "GET, POST");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_not_found_and_method),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
