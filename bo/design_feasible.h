/*
 * design_feasible.h - a design restricted to the feasible region of a space
 * with parameter constraints (bo/space_constraints.h), by rejection: the
 * design's points are drawn in order and those whose configuration
 * (space_from_unit) breaks a constraint are passed over. Without constraints
 * it is exactly design_next + space_from_unit (one draw per point).
 */
#ifndef BOGRAPH_BO_DESIGN_FEASIBLE_H
#define BOGRAPH_BO_DESIGN_FEASIBLE_H

#include <stddef.h>

#include "bo/design.h"
#include "bo/space.h"

/* The next feasible point: v (design_dim = space_size coordinates) and its
 * configuration config. -1 with a message when DESIGN_FEASIBLE_MAX_DRAWS
 * draws gave none ("the parameter constraints leave too small a region:
 * none of 200000 random configurations meets them"). */
int design_next_feasible(design *d, const space *sp, double *v, double *config, char *err,
                         size_t err_len);

/* Passes over the next n feasible points (design_skip without
 * constraints); -1 with a message as design_next_feasible. */
int design_skip_feasible(design *d, const space *sp, size_t n, char *err, size_t err_len);

#endif
