/*
 * study_parameter_constraints.h - a study's "parameter_constraints": the
 * creation body's list validated into the spec (each parses, names only
 * numeric parameters, the default meets it, the region they leave can be
 * sampled), and the stored list attached to a loaded study's space
 * (bo/space_constraints.h), where every algorithm honours it.
 */
#ifndef BOGRAPH_SERVER_STUDY_PARAMETER_CONSTRAINTS_H
#define BOGRAPH_SERVER_STUDY_PARAMETER_CONSTRAINTS_H

#include <jansson.h>
#include <stddef.h>

#include "bo/space.h"
#include "server/jsonv.h"

/* Most constraints a study may declare. */
#define STUDY_MAX_PARAMETER_CONSTRAINTS 64

/* Validates body's "parameter_constraints" (absent or null: none) against sp
 * (the space just built; the constraints are added to it) and spec's
 * normalised "default", and sets spec's "parameter_constraints" (an array
 * of the strings, [] when none). A 400 whose field is
 * "parameter_constraints[i]" when constraint i does not parse, names an
 * unknown or categorical parameter, is broken by the default, or (with the
 * ones before it) leaves less than 1 in 10,000 of the space. */
int study_pcons_validate(json_t *body, space *sp, json_t *spec, jv_error *e);

/* Adds spec's stored "parameter_constraints" to sp (setting [] in spec when
 * a study stored before them has none). -1 with err. */
int study_pcons_load(json_t *spec, space *sp, char *err, size_t err_len);

#endif
