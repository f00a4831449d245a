/*
 * study_parameter_constraints.c - validation and loading of a study's
 * parameter constraints (see study_parameter_constraints.h).
 */
#include "server/study_parameter_constraints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/space_constraints.h"
#include "server/study.h"
#include "util/util.h"

/* Fixed seed of the creation-time probe: the same body gets the same answer. */
#define PCONS_PROBE_SEED 0x5eedc0de5eedc0deULL

/* The default configuration of spec (NULL when none) against every constraint. */
static int pcons_check_default(json_t *spec, space *sp, jv_error *e)
{
    json_t *def = json_object_get(spec, "default");
    if (!json_is_object(def))
        return 0;
    study_def tmp = {0};
    tmp.sp = sp;
    double *cfg = malloc((space_size(sp) ? space_size(sp) : 1) * sizeof *cfg);
    if (!cfg)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    int rc = study_params_parse(&tmp, def, "default", cfg, e);
    char field[64];
    for (size_t i = 0; rc == 0 && i < space_n_constraints(sp); i++) {
        if (space_constraint_holds(sp, i, cfg))
            continue;
        snprintf(field, sizeof field, "parameter_constraints[%zu]", i);
        rc = jv_invalid(e, field, "%s '%s': the default configuration breaks it", field,
                        space_constraint_text(sp, i));
    }
    free(cfg);
    return rc;
}

/* The region the constraints leave must be sampleable by rejection. */
static int pcons_check_region(space *sp, jv_error *e)
{
    size_t n = space_n_constraints(sp), drawn = 0;
    size_t *feasible = malloc((n ? n : 1) * sizeof *feasible);
    /* stopping once MIN_FEASIBLE draws meet them all decides the same: the
     * full count could only be larger */
    if (!feasible || space_constraints_probe(sp, n, PCONS_PROBE_SEED,
                                             SPACE_CONSTRAINTS_PROBE_MIN_FEASIBLE, feasible,
                                             &drawn) != 0) {
        free(feasible);
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    }
    int rc = 0;
    char field[64];
    for (size_t j = 0; j < n && rc == 0; j++) {
        /* below 1 in 10,000: fewer than MIN_FEASIBLE of PROBE_DRAWS draws
         * (of a smaller finite space: the same share) */
        double card = space_cardinality(sp);
        double total = card < (double)SPACE_CONSTRAINTS_PROBE_DRAWS ? card
                                                                    : SPACE_CONSTRAINTS_PROBE_DRAWS;
        double need = (double)SPACE_CONSTRAINTS_PROBE_MIN_FEASIBLE * total /
                      (double)SPACE_CONSTRAINTS_PROBE_DRAWS;
        if (feasible[j] > 0 && (double)feasible[j] >= need)
            continue;
        snprintf(field, sizeof field, "parameter_constraints[%zu]", j);
        rc = jv_invalid(e, field,
                        "%s '%s' (with the constraints before it) leaves too small a region to "
                        "sample: %zu of %zu configurations meet them, at least 1 in 10000 must",
                        field, space_constraint_text(sp, j), feasible[j], drawn);
    }
    free(feasible);
    return rc;
}

int study_pcons_validate(json_t *body, space *sp, json_t *spec, jv_error *e)
{
    json_t *list = json_object_get(body, "parameter_constraints");
    json_t *norm = json_array();
    if (!norm)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    json_object_set_new(spec, "parameter_constraints", norm);
    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return jv_invalid(e, "parameter_constraints",
                          "parameter_constraints must be an array of strings");
    if (json_array_size(list) > STUDY_MAX_PARAMETER_CONSTRAINTS)
        return jv_invalid(e, "parameter_constraints", "at most %d parameter constraints",
                          STUDY_MAX_PARAMETER_CONSTRAINTS);
    char field[64], msg[300];
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *c = json_array_get(list, i);
        snprintf(field, sizeof field, "parameter_constraints[%zu]", i);
        if (!json_is_string(c))
            return jv_invalid(e, field, "%s must be a string such as \"tp * pp <= 64\"", field);
        if (space_constraint_add(sp, json_string_value(c), msg, sizeof msg) != 0)
            return jv_invalid(e, field, "%s '%s': %s", field, json_string_value(c), msg);
        if (json_array_append(norm, c) != 0)
            return jv_fail(e, 500, "internal", NULL, "out of memory");
    }
    if (pcons_check_default(spec, sp, e) != 0)
        return -1;
    return space_n_constraints(sp) ? pcons_check_region(sp, e) : 0;
}

int study_pcons_load(json_t *spec, space *sp, char *err, size_t err_len)
{
    json_t *list = json_object_get(spec, "parameter_constraints");
    if (!list) {
        json_object_set_new(spec, "parameter_constraints", json_array());
        return 0;
    }
    char msg[300];
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *text = json_string_value(json_array_get(list, i));
        if (!text || space_constraint_add(sp, text, msg, sizeof msg) != 0)
            return util_err(err, err_len, "stored study spec: parameter_constraints[%zu]: %s", i,
                            text ? msg : "not a string");
    }
    return 0;
}
