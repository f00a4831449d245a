/*
 * bograph_request.h - checking a bograph request and the data built from it
 * (internal to structure/bograph*.c; the request type itself is public, in
 * bograph.h).
 */
#ifndef BOGRAPH_STRUCTURE_BOGRAPH_REQUEST_H
#define BOGRAPH_STRUCTURE_BOGRAPH_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "structure/bograph_types.h"

/* The request's data. */
typedef struct {
    size_t n, p, dim_u;
    double *U;                 /* n x dim_u encoded configurations */
    double *t;                 /* objective, maximisation units; NAN when unusable */
    unsigned char *use;        /* feasible, finite objective */
    size_t n_use;              /* rows usable */
    size_t n_with_metrics;     /* usable rows with at least one metric */
    int log_objective;         /* t is log(y) or -log(y) (a positive objective over a decade) */
    int tamed;                 /* t is sign(t) log1p(|t|) (bo_tame_outputs: extreme objectives) */
} bg_data;

/* 0, or -1 with a message for a bad request (see bograph_suggest). */
int bg_validate(const bograph_request *req, const double *out, char *err, size_t err_len);
/* Builds d from a validated req; 0, or -1 (out of memory: d is still freed
 * by bg_data_free). */
int bg_data_build(const bograph_request *req, bg_data *d);
void bg_data_free(bg_data *d);
/* A model value mu in t's units back in the objective's own units (the
 * compression of extreme objectives and the log scale undone); *s (may be
 * NULL), a spread around mu, is carried along by the delta method. */
double bg_data_own(const bg_data *d, int maximize, double mu, double *s);
/* Fingerprint of the constrained metrics' names. */
uint64_t bg_cons_fp(const bograph_request *req);
/* Whether observed row i meets the constraints (metrics as reported). */
int bg_row_feasible(const bograph_request *req, size_t i);

#endif
