/*
 * design.h - space-filling and random designs in the unit cube: scrambled
 * (randomly shifted) Sobol sequences from GSL's qrng, and seeded uniform
 * random points. Deterministic for a given seed; no global state.
 */
#ifndef BOGRAPH_BO_DESIGN_H
#define BOGRAPH_BO_DESIGN_H

#include <stddef.h>
#include <stdint.h>

typedef struct design design;

/* A Sobol design of dimension dim (any dim; beyond the Sobol tables it falls
 * back to Halton, then to random), shifted by a seeded random vector. */
design *design_sobol_new(size_t dim, uint64_t seed);
/* Seeded uniform random points. */
design *design_random_new(size_t dim, uint64_t seed);
void design_free(design *d);
size_t design_dim(const design *d);

/* Next point in [0,1)^dim. */
void design_next(design *d, double *u);
/* Advance past n points without returning them. */
void design_skip(design *d, size_t n);

#endif
