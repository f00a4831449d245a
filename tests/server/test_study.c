/*
 * test_study.c - study specs: a table of invalid creation bodies with the
 * field each error must name, normalisation of a valid body, parameters
 * JSON <-> raw configuration, constraints and expert knowledge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/study.h"

#define P4 "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": -5, \"high\": 10}, " \
           "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 1024, \"log\": true}, " \
           "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\"]}, " \
           "{\"name\": \"o\", \"type\": \"ordinal\", \"values\": [4096, 8192]}]"
#define OBJ "\"objective\": {\"name\": \"y\", \"goal\": \"maximize\"}"

static void test_invalid_bodies(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *field;
    } cases[] = {
        {"{" P4 "," OBJ "}", "name"},
        {"{\"name\": \"\"," P4 "," OBJ "}", "name"},
        {"{\"name\": 3," P4 "," OBJ "}", "name"},
        {"{\"name\": \"s\"," OBJ "}", "parameters"},
        {"{\"name\": \"s\", \"parameters\": []," OBJ "}", "parameters"},
        {"{\"name\": \"s\"," P4 "}", "objective"},
        {"{\"name\": \"s\"," P4 ", \"objective\": {\"name\": \"y\", \"goal\": \"up\"}}",
         "objective.goal"},
        {"{\"name\": \"s\"," P4 ", \"objective\": {\"name\": \"\"}}", "objective.name"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"colour\": 1}", "colour"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 1, "
         "\"high\": 0}]," OBJ "}", "parameters[0].high"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
         "\"high\": 1}, {\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}]," OBJ "}",
         "parameters[1].name"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
         "\"high\": 1, \"log\": true}]," OBJ "}", "parameters[0].low"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0.5, "
         "\"high\": 1}]," OBJ "}", "parameters[0].low"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": \"0\", "
         "\"high\": 1}]," OBJ "}", "parameters[0].low"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"complex\"}]," OBJ "}",
         "parameters[0].type"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", "
         "\"choices\": [\"a\", \"\"]}]," OBJ "}", "parameters[0].choices[1]"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", "
         "\"choices\": [\"a\", \"a\"]}]," OBJ "}", "parameters[0].choices[1]"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"o\", \"type\": \"ordinal\", "
         "\"values\": []}]," OBJ "}", "parameters[0].values"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"\", \"type\": \"float\", \"low\": 0, "
         "\"high\": 1}]," OBJ "}", "parameters[0].name"},
        {"{\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
         "\"high\": 1, \"step\": 2}]," OBJ "}", "parameters[0].step"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"algorithm\": \"magic\"}", "algorithm"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"budget\": 0}", "budget"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"budget\": 2.5}", "budget"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"lease_seconds\": -1}", "lease_seconds"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"seed\": -3}", "seed"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"if_exists\": \"maybe\"}", "if_exists"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"constraints\": [{\"metric\": \"m\", \"op\": \"!=\", "
         "\"value\": 1}]}", "constraints[0].op"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"constraints\": [{\"metric\": \"m\", \"op\": \"<=\"}]}",
         "constraints[0].value"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0, \"n\": 1, \"c\": \"a\"}}",
         "default.o"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 11, \"n\": 1, \"c\": \"a\", "
         "\"o\": 4096}}", "default.x"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0, \"n\": 1, \"c\": \"z\", "
         "\"o\": 4096}}", "default.c"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0, \"n\": 1, \"c\": \"a\", "
         "\"o\": 4097}}", "default.o"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0, \"n\": 1.5, \"c\": \"a\", "
         "\"o\": 4096}}", "default.n"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0, \"n\": 1, \"c\": \"a\", "
         "\"o\": 4096, \"q\": 1}}", "default.q"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"knowledge\": {\"edges\": [[\"x\"]]}}",
         "knowledge.edges[0]"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"knowledge\": {\"forbidden\": [[\"x\", 3]]}}",
         "knowledge.forbidden[0]"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"knowledge\": {\"models\": {\"edp\": 3}}}",
         "knowledge.models.edp"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"knowledge\": {\"hints\": []}}", "knowledge.hints"},
        {"{\"name\": \"s\"," P4 "," OBJ ", \"knowledge\": []}", "knowledge"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t jerr;
        json_t *body = json_loads(cases[i].body, 0, &jerr);
        if (!body)
            fail_msg("case %zu is not JSON: %s", i, jerr.text);
        json_t *spec = NULL, *k = NULL;
        jv_error e;
        memset(&e, 0, sizeof e);
        int rc = study_validate(body, &spec, &k, &e);
        if (rc != -1 || strcmp(e.field, cases[i].field) != 0)
            fail_msg("case %zu: rc %d field '%s' (%s), expected '%s'", i, rc, e.field, e.message,
                     cases[i].field);
        assert_int_equal(e.status, 400);
        assert_null(spec);
        json_decref(body);
    }
}

static void test_valid_roundtrip(void **state)
{
    (void)state;
    json_t *body = json_loads(
        "{\"name\": \"s\"," P4 "," OBJ ", \"default\": {\"x\": 0.5, \"n\": 64, \"c\": \"b\", "
        "\"o\": 8192}, \"constraints\": [{\"metric\": \"mem\", \"op\": \"<=\", \"value\": 80}], "
        "\"knowledge\": {\"edges\": [[\"n\", \"lat\"]], \"models\": {\"edp\": \"e * l\"}}, "
        "\"budget\": 20, \"seed\": 7, \"if_exists\": \"return\"}",
        0, NULL);
    assert_non_null(body);
    json_t *spec = NULL, *k = NULL;
    jv_error e;
    assert_int_equal(study_validate(body, &spec, &k, &e), 0);
    assert_null(json_object_get(spec, "if_exists"));
    assert_null(json_object_get(spec, "knowledge"));
    assert_int_equal(json_array_size(json_object_get(k, "forbidden")), 0);
    assert_string_equal(json_string_value(json_object_get(spec, "algorithm")), "bograph");
    char *txt = json_dumps(spec, 0);
    study_def sd;
    char err[256];
    assert_int_equal(study_def_load(txt, &sd, err, sizeof err), 0);
    free(txt);
    assert_int_equal(space_size(sd.sp), 4);
    assert_int_equal(sd.maximize, 1);
    assert_int_equal(sd.budget, 20);
    assert_int_equal(sd.seed, 7);
    assert_true(sd.lease_seconds == STUDY_DEFAULT_LEASE_SECONDS);
    assert_non_null(sd.default_config);
    assert_true(sd.default_config[0] == 0.5);
    assert_true(sd.default_config[2] == 1.0); /* "b" is choice 1 */

    json_t *p = study_params_json(&sd, sd.default_config);
    char *ptxt = json_dumps(p, JSON_COMPACT);
    assert_string_equal(ptxt, "{\"x\":0.5,\"n\":64,\"c\":\"b\",\"o\":8192}");
    free(ptxt);
    double cfg[4];
    assert_int_equal(study_params_parse(&sd, p, "params", cfg, &e), 0);
    assert_memory_equal(cfg, sd.default_config, sizeof cfg);
    json_decref(p);

    const char *names[] = {"mem", "y"};
    double ok[] = {80, 1}, bad[] = {81, 1};
    assert_int_equal(study_constraints_met(&sd, names, ok, 2), 1);
    assert_int_equal(study_constraints_met(&sd, names, bad, 2), 0);
    assert_int_equal(study_constraints_met(&sd, names + 1, ok + 1, 1), 0); /* missing metric */
    study_def_free(&sd);
    json_decref(spec);
    json_decref(k);
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_bodies),
        cmocka_unit_test(test_valid_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
