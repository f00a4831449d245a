/*
 * design_feasible.c - rejection sampling of a design's feasible points.
 */
#include "bo/design_feasible.h"

#include <stdio.h>
#include <stdlib.h>

#include "bo/defaults.h"
#include "bo/space_constraints.h"

int design_next_feasible(design *d, const space *sp, double *v, double *config, char *err,
                         size_t err_len)
{
    int constrained = space_n_constraints(sp) > 0;
    for (size_t t = 0; t < (constrained ? DESIGN_FEASIBLE_MAX_DRAWS : 1); t++) {
        design_next(d, v);
        space_from_unit(sp, v, config);
        if (space_feasible(sp, config))
            return 0;
    }
    if (err && err_len)
        snprintf(err, err_len, "the parameter constraints leave too small a region to sample: "
                 "none of %d random configurations meets them", DESIGN_FEASIBLE_MAX_DRAWS);
    return -1;
}

int design_skip_feasible(design *d, const space *sp, size_t n, char *err, size_t err_len)
{
    if (space_n_constraints(sp) == 0) {
        design_skip(d, n);
        return 0;
    }
    size_t p = space_size(sp);
    double *v = malloc(2 * (p ? p : 1) * sizeof *v);
    if (!v) {
        if (err && err_len) snprintf(err, err_len, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = design_next_feasible(d, sp, v, v + p, err, err_len);
    free(v);
    return rc;
}
