/*
 * test_study_objectives.c - a study's objectives: "objectives" validated
 * through study_validate (fields of every error, the normalised spec with
 * "objective": null), loaded back into study_def (names, goals, the first
 * as objective), a stored spec of one objective as before, and finding
 * every objective among a trial's metrics, naming the first missing one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/study.h"

#define PARAMS "\"name\": \"s\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", " \
               "\"low\": 0, \"high\": 1}]"

/* study_validate of body: its rc, e's field into field (when not NULL). */
static int validate(const char *body_text, json_t **spec, char *field, size_t field_len)
{
    json_error_t je;
    json_t *body = json_loads(body_text, 0, &je), *k = NULL;
    assert_non_null(body);
    jv_error e;
    memset(&e, 0, sizeof e);
    *spec = NULL;
    int rc = study_validate(body, spec, &k, &e);
    if (field)
        snprintf(field, field_len, "%s", e.field);
    json_decref(k);
    json_decref(body);
    return rc;
}

static void expect_field(const char *objectives_part, const char *want)
{
    char body[512], field[300];
    json_t *spec;
    snprintf(body, sizeof body, "{" PARAMS ", %s}", objectives_part);
    assert_int_equal(validate(body, &spec, field, sizeof field), -1);
    assert_null(spec);
    if (strcmp(field, want) != 0)
        fail_msg("%s: field '%s', expected '%s'", objectives_part, field, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_field("\"objective\": {\"name\": \"a\"}, \"objectives\": [{\"name\": \"a\"}, "
                 "{\"name\": \"b\"}]", "objectives");
    expect_field("\"objectives\": [{\"name\": \"a\"}]", "objectives");
    expect_field("\"objectives\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}, "
                 "{\"name\": \"d\"}, {\"name\": \"e\"}]", "objectives");
    expect_field("\"objectives\": \"a,b\"", "objectives");
    expect_field("\"objectives\": [{\"name\": \"a\"}, {\"name\": \"a\"}]", "objectives");
    expect_field("\"objectives\": [{\"name\": \"a\"}, {\"name\": \"b\", \"goal\": \"max\"}]",
                 "objectives[1].goal");
    expect_field("\"objectives\": [{\"name\": \"\"}, {\"name\": \"b\"}]", "objectives[0].name");
    expect_field("\"objectives\": [{\"name\": \"a\"}, 7]", "objectives[1]");
    expect_field("\"objective\": {\"name\": \"a\", \"goal\": \"up\"}", "objective.goal");
    expect_field("\"objectives\": null", "objective");
}

static void test_normalised_and_loaded(void **state)
{
    (void)state;
    json_t *spec;
    assert_int_equal(validate("{" PARAMS ", \"objectives\": [{\"name\": \"lat\"}, "
                              "{\"name\": \"acc\", \"goal\": \"maximize\"}]}",
                              &spec, NULL, 0),
                     0);
    assert_true(json_is_null(json_object_get(spec, "objective")));
    json_t *objs = json_object_get(spec, "objectives");
    assert_int_equal(json_array_size(objs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 0), "goal")),
                        "minimize");
    char *text = json_dumps(spec, JSON_COMPACT);
    json_decref(spec);
    study_def sd;
    char err[256];
    assert_int_equal(study_def_load(text, &sd, err, sizeof err), 0);
    free(text);
    assert_true(study_is_multi(&sd));
    assert_int_equal(sd.n_objectives, 2);
    assert_string_equal(sd.objectives[1], "acc");
    assert_int_equal(sd.maximizes[0], 0);
    assert_int_equal(sd.maximizes[1], 1);
    assert_string_equal(sd.objective, "lat");
    assert_null(study_knowledge_objective(&sd));

    const char *names[] = {"acc", "mem", "lat"};
    const double values[] = {0.9, 3, 12};
    double out[STUDY_MAX_OBJECTIVES];
    const char *missing = NULL;
    assert_int_equal(study_objectives_values(&sd, names, values, 3, out, &missing), 0);
    assert_true(out[0] == 12 && out[1] == 0.9);
    assert_int_equal(study_objectives_values(&sd, names, values, 2, out, &missing), -1);
    assert_string_equal(missing, "lat");
    study_def_free(&sd);

    /* one objective: as before */
    assert_int_equal(validate("{" PARAMS ", \"objective\": {\"name\": \"y\", \"goal\": "
                              "\"maximize\"}}", &spec, NULL, 0), 0);
    assert_null(json_object_get(spec, "objectives"));
    text = json_dumps(spec, JSON_COMPACT);
    json_decref(spec);
    assert_int_equal(study_def_load(text, &sd, err, sizeof err), 0);
    free(text);
    assert_false(study_is_multi(&sd));
    assert_int_equal(sd.n_objectives, 1);
    assert_string_equal(sd.objectives[0], "y");
    assert_int_equal(sd.maximizes[0], 1);
    assert_string_equal(study_knowledge_objective(&sd), "y");
    study_def_free(&sd);
}

static void test_bad_stored(void **state)
{
    (void)state;
    study_def sd;
    char err[256] = "";
    const char *text = "{\"name\": \"s\", \"parameters\": [], \"objective\": null, "
                       "\"objectives\": [{\"name\": \"a\"}], \"algorithm\": \"gp\"}";
    assert_int_equal(study_def_load(text, &sd, err, sizeof err), -1);
    assert_non_null(strstr(err, "objectives"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_normalised_and_loaded),
        cmocka_unit_test(test_bad_stored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
