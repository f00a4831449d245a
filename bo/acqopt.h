/*
 * acqopt.h - maximisation of an acquisition over the search space: many
 * scrambled-Sobol raw samples (scaled with the dimension), the best few
 * refined locally with NLopt (L-BFGS with gradients, BOBYQA without), the
 * result snapped to a valid configuration (ints rounded, ordinals snapped,
 * categoricals one-hot) that duplicates none of the excluded points and
 * meets the space's parameter constraints (bo/space_constraints.h).
 * Callers: bo/suggest.c for the plain GP, structure/ for the graph model.
 */
#ifndef BOGRAPH_BO_ACQOPT_H
#define BOGRAPH_BO_ACQOPT_H

#include <stddef.h>
#include <stdint.h>
#include "bo/space.h"

/* Acquisition value at encoded point u (space_encoded_dim coordinates);
 * when grad is not NULL and the function has gradients, it fills them. */
typedef double (*acqopt_fn)(const double *u, double *grad, void *ctx);

/* Optional: values of m encoded points U (m x dim) at once, for scoring the
 * raw samples (e.g. through gp_predict_batch); same ctx as the acqopt_fn. */
typedef void (*acqopt_batch_fn)(const double *U, size_t m, double *values, void *ctx);

typedef struct {
    size_t n_raw;       /* raw samples; 0 = default scaled with dimension */
    size_t n_local;     /* best raw samples refined locally; 0 = default */
    int has_gradient;   /* f fills grad */
    uint64_t seed;
    acqopt_batch_fn batch;  /* may be NULL */
    /* Encoded points (n_anchors x dim) to draw extra raw samples around,
     * e.g. the best observed ones; may be NULL. */
    const double *anchors;
    size_t n_anchors;
} acqopt_options;

/* Zero/NULL everywhere: every count takes its default (bo/defaults.h). */
void acqopt_options_default(acqopt_options *opt);
/* Default raw Sobol samples for an encoded dimension. */
size_t acqopt_default_raw(size_t dim);

/* Writes the best encoded point to best_u (snapped) and its value to
 * best_value. exclude holds n_exclude encoded points (observed and pending)
 * that the answer must not equal. Returns 0, or -1 with a message when no
 * admissible point exists (e.g. every configuration of a finite space is
 * excluded). */
int acqopt_maximize(const space *sp, acqopt_fn f, void *ctx,
                    const acqopt_options *opt, const double *exclude,
                    size_t n_exclude, double *best_u, double *best_value,
                    char *err, size_t err_len);

#endif
