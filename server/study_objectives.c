/*
 * study_objectives.c - a study's objective or objectives: validating
 * "objective" / "objectives" of a creation body, loading them from a stored
 * spec, and finding every objective's value among a trial's metrics.
 */
#include "server/study.h"

#include <assert.h>
#include <string.h>

#define STUDY_OBJ_MAX_NAME 200

/* {name, goal} at field pre: *name and *goal (minimize when absent). */
static int objective_parse(json_t *o, const char *pre, const char **name, const char **goal,
                           jv_error *e)
{
    static const char *const keys[] = {"name", "goal", NULL};
    char f[64];
    *goal = "minimize";
    if (!json_is_object(o))
        return jv_invalid(e, pre, "%s must be an object {name, goal}", pre);
    if (jv_only_keys(o, keys, pre, e) != 0 ||
        jv_get_string(o, "name", pre, 1, 1, name, NULL, e) != 0 ||
        jv_get_string(o, "goal", pre, 0, 1, goal, NULL, e) != 0)
        return -1;
    if (strlen(*name) > STUDY_OBJ_MAX_NAME)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "name"), "%s is longer than %d characters",
                          f, STUDY_OBJ_MAX_NAME);
    if (strcmp(*goal, "minimize") != 0 && strcmp(*goal, "maximize") != 0)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "goal"), "%s must be minimize or maximize",
                          f);
    return 0;
}

/* "objectives": 2..STUDY_MAX_OBJECTIVES distinct objectives, normalised into *out. */
static int objectives_parse(json_t *list, const char **first, const char **goal, json_t **out,
                            jv_error *e)
{
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if (n < 2 || n > STUDY_MAX_OBJECTIVES)
        return jv_invalid(e, "objectives",
                          "objectives must be an array of 2 to %d objectives {name, goal} "
                          "(one objective goes in objective)",
                          STUDY_MAX_OBJECTIVES);
    const char *names[STUDY_MAX_OBJECTIVES];
    json_t *norm = json_array();
    if (!norm)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char pre[32];
        const char *g = NULL;
        snprintf(pre, sizeof pre, "objectives[%zu]", i);
        if (objective_parse(json_array_get(list, i), pre, &names[i], &g, e) != 0) {
            json_decref(norm);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(names[k], names[i]) == 0) {
                json_decref(norm);
                return jv_invalid(e, "objectives", "objective '%s' appears twice in objectives",
                                  names[i]);
            }
        if (i == 0) {
            *first = names[0];
            *goal = g;
        }
        if (json_array_append_new(norm, json_pack("{s:s, s:s}", "name", names[i], "goal", g)) !=
            0) {
            json_decref(norm);
            return jv_fail(e, 500, "internal", NULL, "out of memory");
        }
    }
    *out = norm;
    return 0;
}

int study_objectives_validate(json_t *body, const char **first, const char **goal,
                              json_t **objectives, jv_error *e)
{
    assert(body && first && goal && objectives && e);
    *objectives = NULL;
    json_t *one = json_object_get(body, "objective"), *many = json_object_get(body, "objectives");
    int has_one = one && !json_is_null(one), has_many = many && !json_is_null(many);
    if (has_one && has_many)
        return jv_invalid(e, "objectives", "give objective or objectives, not both");
    if (has_many)
        return objectives_parse(many, first, goal, objectives, e);
    if (!has_one)
        return jv_invalid(e, "objective", "objective is required (or a plugin that gives it)");
    return objective_parse(one, "objective", first, goal, e);
}

int study_objectives_load(study_def *sd, char *err, size_t err_len)
{
    json_t *many = json_object_get(sd->spec, "objectives");
    if (!many || json_is_null(many)) {
        sd->n_objectives = 1;
        sd->objectives[0] = sd->objective;
        sd->maximizes[0] = sd->maximize;
        return 0;
    }
    size_t n = json_array_size(many);
    if (n < 2 || n > STUDY_MAX_OBJECTIVES) {
        snprintf(err, err_len, "stored study spec: objectives has %zu entries", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(many, i);
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *goal = json_string_value(json_object_get(o, "goal"));
        if (!name) {
            snprintf(err, err_len, "stored study spec: objectives[%zu] has no name", i);
            return -1;
        }
        sd->objectives[i] = name;
        sd->maximizes[i] = goal && strcmp(goal, "maximize") == 0;
    }
    sd->n_objectives = n;
    sd->objective = sd->objectives[0];
    sd->maximize = sd->maximizes[0];
    return 0;
}

int study_is_multi(const study_def *sd)
{
    return sd->n_objectives > 1;
}

const char *study_knowledge_objective(const study_def *sd)
{
    return study_is_multi(sd) ? NULL : sd->objective;
}

int study_objectives_values(const study_def *sd, const char *const *names,
                            const double *values, size_t n, double *out,
                            const char **missing)
{
    for (size_t j = 0; j < sd->n_objectives; j++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], sd->objectives[j]) != 0)
            i++;
        if (i == n) {
            if (missing)
                *missing = sd->objectives[j];
            return -1;
        }
        out[j] = values[i];
    }
    return 0;
}
