/*
 * functions.h - standard test functions for the engine's benchmark, all to
 * be minimised, with their domains and known minima.
 */
#ifndef BOGRAPH_BENCH_FUNCTIONS_H
#define BOGRAPH_BENCH_FUNCTIONS_H

#include <stddef.h>

typedef struct {
    const char *name;
    size_t dim;
    double low, high;       /* the same box on every coordinate... */
    const double *lows, *highs; /* ...unless these give one per coordinate */
    double fmin;            /* known global minimum */
    double (*f)(const double *x, size_t dim);
} bench_function;

/* NULL-terminated by name == NULL. */
extern const bench_function bench_functions[];
const bench_function *bench_function_find(const char *name);
/* Levy in any dimension (used by the latency table). */
double bench_function_eval_levy(const double *x, size_t dim);

#endif
