/*
 * space_constraints.h - parameter constraints of a search space: inequalities
 * ("tp * pp <= 64", "stop >= slowdown + 4") between two arithmetic
 * expressions over the space's numeric parameters (float, int, ordinal; an
 * ordinal by its value). A space owns its constraints (space_clone copies
 * them, space_free releases them); a configuration that breaks one is never
 * proposed: the designs sample the feasible region by rejection
 * (bo/design_feasible.h), the acquisition optimisation keeps its raw samples
 * and its local refinement feasible (bo/acqopt.c), and the caller checks the
 * final configurations with space_constraints_check.
 *
 * The two sides are parsed and evaluated by util/formula.h (muParser), the
 * same library as the expert knowledge's formulas. bo/ may not depend on
 * structure/, so the formula library lives in util/; a callback from the
 * caller would have kept muParser out of bo/ but left every bo/ caller and
 * test to bring its own evaluator, and a space could not validate or clone
 * its constraints by itself.
 *
 * Threads: evaluating a muParser handle is not reentrant, so evaluation takes
 * a lock owned by the space's constraint set; a space may be read by several
 * threads at once as before.
 */
#ifndef BOGRAPH_BO_SPACE_CONSTRAINTS_H
#define BOGRAPH_BO_SPACE_CONSTRAINTS_H

#include <stddef.h>
#include <stdint.h>

#include "bo/space.h"

/* Random configurations drawn to judge at creation whether the feasible
 * region can be sampled, and the fewest of them that must be feasible:
 * a region below 1 in 10,000 of the space is refused. */
#define SPACE_CONSTRAINTS_PROBE_DRAWS 100000
#define SPACE_CONSTRAINTS_PROBE_MIN_FEASIBLE 10

/* Longest constraint text accepted. */
#define SPACE_CONSTRAINT_MAX_LEN 1024

/* The set a space owns (opaque). */
typedef struct space_constraints space_constraints;

/* Parses text ("lhs OP rhs", OP one of <=, >=, <, >, exactly once) and adds
 * it to sp. -1 with a message ("cannot parse 'tp *'", "names 'foo', which is
 * not a parameter", "names 'sp', a categorical parameter: only float, int and
 * ordinal parameters may appear") when it does not parse, names no
 * parameter, names an unknown or a categorical parameter. */
int space_constraint_add(space *sp, const char *text, char *err, size_t err_len);

size_t space_n_constraints(const space *sp);
/* Constraint i's text as given. */
const char *space_constraint_text(const space *sp, size_t i);

/* 1 when configuration config (space_size raw values) meets constraint i
 * (an undefined side, e.g. a division by zero, does not). */
int space_constraint_holds(const space *sp, size_t i, const double *config);
/* 1 when config meets every constraint (always with none). */
int space_feasible(const space *sp, const double *config);
/* 1 when the configuration encoded point u stands for meets every constraint. */
int space_feasible_encoded(const space *sp, const double *u);

/* Constraint i on the continuous relaxation of encoded point u (ints and
 * ordinals interpolated between their neighbouring values, categoricals as
 * decoded): <= 0 where it holds, scaled by the size of its sides. For the
 * local refinement's inequality constraints; NAN-free (an undefined side
 * gives 1). scratch holds 2 * space_size + space_encoded_dim doubles. */
double space_constraint_relaxed(const space *sp, size_t i, const double *u, double *scratch);

/* 0 when each of the n configurations (n x space_size) meets every
 * constraint; -1 naming the first that does not ("configuration 2 breaks
 * the parameter constraint 'tp * pp <= 64'"). */
int space_constraints_check(const space *sp, const double *configs, size_t n, char *err,
                            size_t err_len);

/* How many of the first k constraints (k <= space_n_constraints) the given
 * draws meet: draws random configurations (seeded, SPACE_CONSTRAINTS_PROBE_DRAWS
 * of them, or every configuration of a smaller finite space) and returns
 * through feasible[j] (j < k) how many meet constraints 0..j, and through
 * *n_drawn the draws. With stop_at > 0 it stops as soon as stop_at draws
 * meet all k (every feasible[j] is then at least stop_at). -1 when out of
 * memory. */
int space_constraints_probe(const space *sp, size_t k, uint64_t seed, size_t stop_at,
                            size_t *feasible, size_t *n_drawn);

/* For space.c: copy and release a set (NULL stays NULL); NULL from the copy
 * when out of memory. */
space_constraints *space_constraints_clone(const space_constraints *c);
void space_constraints_free(space_constraints *c);
/* Defined in space.c, which owns the slot: the set of sp (NULL when none),
 * and replacing it (sp takes ownership; the old set is released). */
space_constraints *space_constraints_of(const space *sp);
void space_constraints_attach(space *sp, space_constraints *c);

#endif
