/*
 * study_conditions.h - conditional parameters of a study: the "condition"
 * of a parameter in the creation body ({"parameter": P, "values": [...]}),
 * its stored form, and the rule that a trial's params hold exactly the
 * active parameters.
 */
#ifndef BOGRAPH_SERVER_STUDY_CONDITIONS_H
#define BOGRAPH_SERVER_STUDY_CONDITIONS_H

#include <jansson.h>
#include <stddef.h>

#include "bo/space.h"
#include "server/jsonv.h"

/* Validates the "condition" of every parameters[i] of a creation body whose
 * parameters are all in sp already, sets each on sp and copies its
 * normalised form into norm_params[i]. A 400 names the field:
 * "parameters[i].condition" (its shape, a cycle),
 * "parameters[i].condition.parameter" (unknown, itself, a float),
 * "parameters[i].condition.values[k]" (a value the parent cannot take). */
int study_conditions_validate(json_t *params, space *sp, json_t *norm_params, jv_error *e);

/* Sets the conditions of a stored spec's parameters on sp. 0, or -1 with err. */
int study_conditions_load(json_t *params, space *sp, char *err, size_t err_len);

/* After study_params_parse read the values present (a missing one is NAN in
 * config): every active parameter must be present ("<prefix>.<name> is
 * missing") and no inactive one ("<prefix>.<name> is not active"); inactive
 * parameters then get their fixed value. */
int study_conditions_check_params(const space *sp, const char *prefix, double *config,
                                  jv_error *e);

#endif
