/*
 * space_conditions.h - conditional parameters: a parameter may be active only
 * when a parent parameter (categorical, ordinal or int) takes one of a set of
 * values. Conditions nest (the parent may be conditional itself) and form a
 * forest: every parameter has at most one parent and no cycle is accepted.
 *
 * A parameter is active when every condition on its chain of parents holds.
 * An inactive parameter has a fixed value, so two configurations that differ
 * only in inactive parameters are the same point:
 *   encoded  SPACE_COND_INACTIVE_U (0.5, bo/defaults.h: the middle of the
 *            range) for a float, int or ordinal; 0 on every coordinate of a
 *            categorical (a one-hot block no active choice has);
 *   raw      that encoding decoded: the middle of a float or int range (in
 *            log for a log scale), the middle ordinal value, a categorical's
 *            first choice.
 * The kernel sees the branch through the parent's own coordinates (a
 * categorical parent's one-hot block, an int or ordinal parent's position)
 * and through the inactive child's jump to its fixed value.
 * space.c applies this in encoding, decoding, snapping, designs and equality
 * through the functions below; without conditions they change nothing.
 *
 * Errors: 0 on success, -1 with a message in err (err may be NULL).
 */
#ifndef BOGRAPH_BO_SPACE_CONDITIONS_H
#define BOGRAPH_BO_SPACE_CONDITIONS_H

#include <stddef.h>

#include "bo/space.h"

/* The condition tree a space owns (space.c keeps the pointer). */
typedef struct space_cond space_cond;

space_cond *space_cond_clone(const space_cond *c);
void space_cond_free(space_cond *c);

/* Makes parameter child active only when parameter parent takes one of
 * values (raw values: a categorical's choice index, an ordinal's value, an
 * int's value). Refused: child or parent out of range, a condition on itself,
 * a child that already has one, a float parent, an empty list, a value the
 * parent cannot take, a cycle through the parents. */
int space_set_condition(space *sp, size_t child, size_t parent, const double *values,
                        size_t n_values, char *err, size_t err_len);

/* 1 when the space has at least one condition. */
int space_has_conditions(const space *sp);
/* Parameter i's parent, -1 when i is unconditional. */
int space_param_parent(const space *sp, size_t i);
/* Parameter i's condition values (sorted ascending); 0 when unconditional. */
size_t space_param_condition_values(const space *sp, size_t i, const double **values);

/* 1 when parameter i is active in the raw configuration config. */
int space_param_active(const space *sp, const double *config, size_t i);
/* The same for an encoded point (the parents decoded from u). */
int space_param_active_encoded(const space *sp, const double *u, size_t i);

/* Inactive parameters of a raw configuration set to their fixed raw value. */
void space_cond_fix_config(const space *sp, double *config);
/* Inactive parameters' coordinates of u set to 0; activity from config (the
 * configuration u encodes). */
void space_cond_fix_encoded(const space *sp, const double *config, double *u);
/* Local search bounds of an acquisition optimiser started at the encoded
 * point u: every parent of a condition and every inactive parameter held at
 * its value in u (lo = hi), so a local run stays on one branch of the tree. */
void space_cond_hold_bounds(const space *sp, const double *u, double *lo, double *hi);

/* Distinct configurations of a space with conditions (inactive parameters
 * counted once); INFINITY when a float parameter exists. */
double space_cond_cardinality(const space *sp);

/* For space.c and space_conditions.c only: the space's tree (NULL when it has
 * no condition), attaching one (the space takes ownership), and one
 * parameter's raw value decoded from an encoded point. */
space_cond *space_cond_of(const space *sp);
void space_cond_attach(space *sp, space_cond *c);
double space_decode_param(const space *sp, const double *u, size_t i);

#endif
