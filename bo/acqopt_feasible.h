/*
 * acqopt_feasible.h - what bo/acqopt.c does for a space with parameter
 * constraints (bo/space_constraints.h), so that the constraint is inside
 * the optimisation and not only a filter afterwards:
 *   - raw samples: Sobol points are drawn until enough of them are feasible
 *     (rejection), perturbations of anchors are redrawn until feasible;
 *   - local refinement: each constraint, on the continuous relaxation of the
 *     encoded point, is an NLopt inequality constraint (SLSQP with the
 *     acquisition's gradient, COBYLA without), with finite-difference
 *     gradients;
 *   - the snapped result of a local run that breaks a constraint (rounding
 *     an int or ordinal can) is pulled back along the segment to its
 *     feasible start until its configuration is feasible.
 * Internal to bo/acqopt.c.
 */
#ifndef BOGRAPH_BO_ACQOPT_FEASIBLE_H
#define BOGRAPH_BO_ACQOPT_FEASIBLE_H

#include <stddef.h>

#include <nlopt.h>

#include "bo/design.h"
#include "bo/space.h"

/* Fills U (n_want x space_encoded_dim) with snapped feasible points of d,
 * drawing at most ACQOPT_FEASIBLE_DRAWS_PER_SAMPLE * n_want; returns how
 * many it filled (n_want without constraints). */
size_t acqopt_feasible_raw(const space *sp, design *d, double *U, size_t n_want);

/* The NLopt inequality constraints of sp's parameter constraints. */
typedef struct acqopt_feasible acqopt_feasible;
/* NULL when sp has no constraints, or when out of memory (*oom set). */
acqopt_feasible *acqopt_feasible_new(const space *sp, int *oom);
void acqopt_feasible_free(acqopt_feasible *af);
/* Adds one inequality constraint per parameter constraint to nl; -1 when
 * NLopt refuses. */
int acqopt_feasible_add(acqopt_feasible *af, nlopt_opt nl);

/* cand (snapped, encoded) is made feasible: unchanged when it is; else the
 * snapped point of u0 + t (cand - u0) for the largest t found by halving
 * (ACQOPT_PULLBACK_STEPS) whose configuration is feasible, and u0 (feasible,
 * snapped) when none is. Returns 1 when cand is feasible at the end. */
int acqopt_feasible_pullback(const space *sp, const double *u0, double *cand, double *scratch);

#endif
