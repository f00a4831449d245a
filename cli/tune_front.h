/*
 * tune_front.h - the closing figures of `bograph tune` for a study of
 * several objectives, apart from any I/O but printing: the Pareto set of
 * GET .../best as a table sorted by the first objective, and the
 * hypervolume it dominates with the reference point it is measured from.
 */
#ifndef BOGRAPH_CLI_TUNE_FRONT_H
#define BOGRAPH_CLI_TUNE_FRONT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define TUNE_FRONT_MAX_OBJECTIVES 4

/* A study's objectives (its "objectives" member) and a /best answer's front. */
typedef struct {
    size_t m;                                   /* objectives, 2..4; 0: not such a study */
    const char *names[TUNE_FRONT_MAX_OBJECTIVES]; /* borrowed from the study */
    int maximize[TUNE_FRONT_MAX_OBJECTIVES];
} tune_objectives;

/* The objectives of a study object: 0, or -1 when it has not 2..4 of them. */
int tune_objectives_of(const json_t *study, tune_objectives *out);

/* The hypervolume of the front of best ({"pareto": [...], "default": ...}):
 * *hv, and ref (m values) the reference point: the default trial's
 * objectives when it has them (*from_default 1: the region of trade-offs
 * better than the default in every objective), else pareto_default_reference
 * of the front (the worst value on it moved 10% of its range further).
 * 0, or -1 when the front is empty. */
int tune_front_hypervolume(const tune_objectives *o, const json_t *best, double *ref,
                           int *from_default, double *hv);

/* Prints the front (one row per trial: number, each objective, sorted by
 * the first objective, best first) and the hypervolume line to f. */
void tune_front_print(FILE *f, const tune_objectives *o, const json_t *best);

#endif
