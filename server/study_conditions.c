/*
 * study_conditions.c - the "condition" of a study's parameters: validation
 * of the creation body with a field for every error, loading the stored
 * form back into the search space (bo/space_conditions.h), and which
 * parameters a trial's params must and must not hold.
 */
#include "server/study_conditions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/space_conditions.h"
#include "util/strmap.h"
#include "util/util.h"

/* More values than any parent can take (a categorical's choices are capped
 * the same way in study.c). */
#define STUDY_COND_MAX_VALUES 10000

/* values[k] of a condition -> the parent's raw value (a categorical's choice
 * index), or -1 with a message when the parent cannot take it. */
static int cond_raw_value(const space *sp, size_t parent, json_t *v, double *out, char *msg,
                          size_t msg_len)
{
    const char *pn = space_param_name(sp, parent);
    if (space_param_type(sp, parent) == SPACE_CATEGORICAL) {
        int idx = json_is_string(v) ? space_choice_index(sp, parent, json_string_value(v)) : -1;
        if (idx < 0) {
            snprintf(msg, msg_len, "the condition's values must be choices of '%s'", pn);
            return -1;
        }
        *out = idx;
        return 0;
    }
    if (jv_number_value(v, out) != 0) {
        snprintf(msg, msg_len, "the condition's values must be values '%s' can take (numbers)", pn);
        return -1;
    }
    if (space_param_type(sp, parent) == SPACE_INT) {
        double lo = space_param_low(sp, parent), hi = space_param_high(sp, parent);
        if (!jv_is_integral(v) || *out < lo || *out > hi) {
            snprintf(msg, msg_len, "%g is not a value of '%s' (an int in [%g, %g])", *out, pn, lo,
                     hi);
            return -1;
        }
        return 0;
    }
    for (size_t k = 0; k < space_param_n_choices(sp, parent); k++)
        if (space_param_value(sp, parent, k) == *out)
            return 0;
    snprintf(msg, msg_len, "%g is not one of the values of '%s'", *out, pn);
    return -1;
}

/* The condition's shape and its parent's index; -1 with the error set. */
static int cond_parent(json_t *c, const char *pre, const strmap *names, size_t i, size_t *parent,
                       jv_error *e)
{
    char f[128];
    static const char *const keys[] = {"parameter", "values", NULL};
    if (!json_is_object(c))
        return jv_invalid(e, pre, "%s must be an object {\"parameter\": ..., \"values\": [...]}",
                          pre);
    if (jv_only_keys(c, keys, pre, e) != 0)
        return -1;
    const char *pname = NULL;
    if (jv_get_string(c, "parameter", pre, 1, 1, &pname, NULL, e) != 0)
        return -1;
    jv_field(f, sizeof f, pre, "parameter");
    if (strmap_get(names, pname, parent) != 1)
        return jv_invalid(e, f, "%s: no parameter is named '%s'", f, pname);
    if (*parent == i)
        return jv_invalid(e, f, "%s: a parameter cannot be conditional on itself", f);
    json_t *vals = json_object_get(c, "values");
    if (!json_is_array(vals) || json_array_size(vals) == 0 ||
        json_array_size(vals) > STUDY_COND_MAX_VALUES)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "values"),
                          "%s must be a non-empty array of at most %d values", f,
                          STUDY_COND_MAX_VALUES);
    return 0;
}

/* parameters[i].condition -> sp, and its normalised copy into norm. */
static int cond_validate_one(json_t *c, size_t i, const strmap *names, space *sp, json_t *norm,
                             jv_error *e)
{
    char pre[96], f[160], msg[256];
    snprintf(pre, sizeof pre, "parameters[%zu].condition", i);
    size_t parent;
    if (cond_parent(c, pre, names, i, &parent, e) != 0)
        return -1;
    if (space_param_type(sp, parent) == SPACE_FLOAT)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "parameter"),
                          "%s: '%s' is a float; a parent must be categorical, ordinal or int", f,
                          space_param_name(sp, parent));
    json_t *vals = json_object_get(c, "values");
    size_t n = json_array_size(vals);
    double *raw = malloc(n * sizeof *raw);
    json_t *nvals = json_array();
    int rc = raw && nvals ? 0 : jv_fail(e, 500, "internal", NULL, "out of memory");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        json_t *v = json_array_get(vals, k);
        snprintf(f, sizeof f, "%s.values[%zu]", pre, k);
        if (cond_raw_value(sp, parent, v, &raw[k], msg, sizeof msg) != 0)
            rc = jv_invalid(e, f, "%s: %s", f, msg);
        else
            json_array_append_new(nvals, space_param_type(sp, parent) == SPACE_INT
                                             ? json_integer((json_int_t)raw[k])
                                             : json_deep_copy(v));
    }
    if (rc == 0 && space_set_condition(sp, i, parent, raw, n, msg, sizeof msg) != 0)
        rc = jv_invalid(e, pre, "%s: %s", pre, msg);
    if (rc == 0)
        json_object_set_new(norm, "condition",
                            json_pack("{s:s, s:O}", "parameter", space_param_name(sp, parent),
                                      "values", nvals));
    json_decref(nvals);
    free(raw);
    return rc;
}

/* name -> index of every parameter in sp; NULL when out of memory. */
static strmap *cond_names(const space *sp)
{
    strmap *m = strmap_new(space_size(sp));
    for (size_t i = 0; m && i < space_size(sp); i++)
        if (strmap_put(m, space_param_name(sp, i), i, NULL) < 0) {
            strmap_free(m);
            return NULL;
        }
    return m;
}

int study_conditions_validate(json_t *params, space *sp, json_t *norm_params, jv_error *e)
{
    strmap *names = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(params); i++) {
        json_t *c = json_object_get(json_array_get(params, i), "condition");
        if (!c || json_is_null(c))
            continue;
        if (!names && !(names = cond_names(sp)))
            return jv_fail(e, 500, "internal", NULL, "out of memory");
        rc = cond_validate_one(c, i, names, sp, json_array_get(norm_params, i), e);
    }
    strmap_free(names);
    return rc;
}

int study_conditions_load(json_t *params, space *sp, char *err, size_t err_len)
{
    jv_error e;
    json_t *norm = json_array();
    for (size_t i = 0; norm && i < json_array_size(params); i++)
        json_array_append_new(norm, json_object());
    int rc = norm ? study_conditions_validate(params, sp, norm, &e) : -1;
    json_decref(norm);
    if (rc != 0)
        return util_err(err, err_len, "stored study spec: %s", norm ? e.message : "out of memory");
    return 0;
}

int study_conditions_check_params(const space *sp, const char *prefix, double *config,
                                  jv_error *e)
{
    char f[300];
    size_t n = space_size(sp);
    /* first the missing active ones: a missing parent makes its children look inactive */
    for (size_t i = 0; i < n; i++) {
        const char *name = space_param_name(sp, i);
        if (isnan(config[i]) && space_param_active(sp, config, i))
            return jv_invalid(e, jv_field(f, sizeof f, prefix, name), "parameter '%s' is missing",
                              name);
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = space_param_name(sp, i);
        if (isnan(config[i]) || space_param_active(sp, config, i))
            continue;
        return jv_invalid(e, jv_field(f, sizeof f, prefix, name),
                          "parameter '%s' is not active in this configuration (its condition on "
                          "'%s' does not hold): leave it out",
                          name, space_param_name(sp, (size_t)space_param_parent(sp, i)));
    }
    space_cond_fix_config(sp, config);
    return 0;
}
