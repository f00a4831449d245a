/*
 * design.c - seeded space-filling and random designs in [0,1)^dim.
 *
 * Sobol points come from GSL's qrng and are randomised by a digital shift:
 * the first 31 binary digits of every coordinate are XOR-ed with a seeded
 * random mask, which keeps the (t,m,s)-net structure of the sequence (a
 * plain additive shift would not), then a seeded jitter below 2^-31 fills
 * the grid. GSL's Sobol tables stop at 40 dimensions; beyond that the design
 * is a randomly shifted (Cranley-Patterson) Halton sequence, and beyond
 * Halton's 1229 dimensions plain seeded random points.
 */
#include "bo/design.h"

#include <assert.h>
#include <stdlib.h>
#include <math.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "util/rng.h"

/* Dimension limits of GSL's generators (GSL manual, "Quasi-Random Sequences"). */
#define DESIGN_SOBOL_MAX_DIM 40
#define DESIGN_HALTON_MAX_DIM 1229
#define DESIGN_BITS 31

typedef enum { DESIGN_KIND_SOBOL, DESIGN_KIND_HALTON, DESIGN_KIND_RANDOM } design_kind;

struct design {
    size_t dim;
    design_kind kind;
    gsl_qrng *q;
    gsl_rng *rng;
    uint32_t *mask;     /* Sobol digital shift */
    double *shift;      /* Halton additive shift */
    int started;        /* Sobol: the origin, which GSL skips, was given */
};

/* The first splitmix64 output of the seed, folded to the 32 bits mt19937
 * takes. */
static unsigned long design_mix_seed(uint64_t seed)
{
    uint64_t z = rng_finalise(seed + RNG_GOLDEN);
    return (unsigned long)((z ^ (z >> 32)) & 0xffffffffUL);
}

static design *design_alloc(size_t dim, uint64_t seed)
{
    if (dim == 0) return NULL;
    design *d = calloc(1, sizeof(design));
    if (!d) return NULL;
    d->dim = dim;
    d->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!d->rng) {
        free(d);
        return NULL;
    }
    gsl_rng_set(d->rng, design_mix_seed(seed));
    return d;
}

design *design_random_new(size_t dim, uint64_t seed)
{
    design *d = design_alloc(dim, seed);
    if (d) d->kind = DESIGN_KIND_RANDOM;
    return d;
}

design *design_sobol_new(size_t dim, uint64_t seed)
{
    design *d = design_alloc(dim, seed);
    if (!d) return NULL;
    if (dim <= DESIGN_SOBOL_MAX_DIM) {
        d->kind = DESIGN_KIND_SOBOL;
        d->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)dim);
        d->mask = malloc(dim * sizeof(uint32_t));
        if (!d->q || !d->mask) goto fail;
        for (size_t j = 0; j < dim; j++)
            d->mask[j] = (uint32_t)(gsl_rng_get(d->rng) & ((1UL << DESIGN_BITS) - 1));
    } else if (dim <= DESIGN_HALTON_MAX_DIM) {
        d->kind = DESIGN_KIND_HALTON;
        d->q = gsl_qrng_alloc(gsl_qrng_halton, (unsigned int)dim);
        d->shift = malloc(dim * sizeof(double));
        if (!d->q || !d->shift) goto fail;
        for (size_t j = 0; j < dim; j++) d->shift[j] = gsl_rng_uniform(d->rng);
    } else {
        d->kind = DESIGN_KIND_RANDOM;
    }
    return d;
fail:
    design_free(d);
    return NULL;
}

void design_free(design *d)
{
    if (!d) return;
    if (d->q) gsl_qrng_free(d->q);
    if (d->rng) gsl_rng_free(d->rng);
    free(d->mask);
    free(d->shift);
    free(d);
}

size_t design_dim(const design *d)
{
    assert(d);
    return d->dim;
}

void design_next(design *d, double *u)
{
    assert(d && u);
    const double scale = (double)(1UL << DESIGN_BITS);
    switch (d->kind) {
    case DESIGN_KIND_SOBOL:
        if (!d->started) {
            /* GSL starts at the second point of the sequence; without the
             * origin the first 2^m points would not form a net. */
            d->started = 1;
            for (size_t j = 0; j < d->dim; j++) u[j] = 0;
        } else if (gsl_qrng_get(d->q, u) != 0) { /* sequence exhausted (2^30 points) */
            for (size_t j = 0; j < d->dim; j++) u[j] = gsl_rng_uniform(d->rng);
            return;
        }
        for (size_t j = 0; j < d->dim; j++) {
            uint32_t bits = (uint32_t)floor(u[j] * scale);
            bits ^= d->mask[j];
            u[j] = ((double)bits + gsl_rng_uniform(d->rng)) / scale;
            if (u[j] >= 1.0) u[j] = nextafter(1.0, 0.0);
        }
        return;
    case DESIGN_KIND_HALTON:
        if (gsl_qrng_get(d->q, u) != 0) {
            for (size_t j = 0; j < d->dim; j++) u[j] = gsl_rng_uniform(d->rng);
            return;
        }
        for (size_t j = 0; j < d->dim; j++) {
            u[j] += d->shift[j];
            if (u[j] >= 1.0) u[j] -= 1.0;
        }
        return;
    case DESIGN_KIND_RANDOM:
        for (size_t j = 0; j < d->dim; j++) u[j] = gsl_rng_uniform(d->rng);
        return;
    }
}

void design_skip(design *d, size_t n)
{
    assert(d);
    double *u = malloc(d->dim * sizeof(double));
    if (!u) return;
    for (size_t i = 0; i < n; i++) design_next(d, u);
    free(u);
}
