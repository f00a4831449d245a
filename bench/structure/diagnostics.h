/*
 * diagnostics.h - what the family benchmark can show besides medians: the
 * graph model given the true parents (a ceiling for structure learning),
 * and each run's trials written out for offline study of the learner.
 */
#ifndef BOGRAPH_BENCH_STRUCTURE_DIAGNOSTICS_H
#define BOGRAPH_BENCH_STRUCTURE_DIAGNOSTICS_H

#include <stddef.h>
#include <stdint.h>

#include "bo/space.h"
#include "structure/knowledge.h"
#include "systems.h"

/* Knowledge naming, for each true metric of a generated system, its true
 * parameter parents as required edges and every other parameter as a
 * forbidden one. The metric is the first logged name (names[0..n_names))
 * containing the true metric's name that is not a count. NULL for a
 * built-in system or when out of memory. */
knowledge *diag_oracle_knowledge(const sys_system *s, const space *sp, char *const *names,
                                 size_t n_names);

/* Writes dir/<system>-<seed>.txt: a header "p dim_u n n_names maximize",
 * each parameter's encoded span, the n encoded configurations, the metric
 * names (tab-separated), the n x n_names metric table (row stride
 * cap_names, nan when missing), the n objectives, then one line per true
 * metric: name, metric parent (-1 none), weight, parameter parents. 0, or
 * -1 (the file could not be written). */
int diag_dump_trials(const char *dir, const sys_system *s, const space *sp, uint64_t seed,
                     const double *X, size_t n, char *const *names, size_t n_names,
                     const double *M, size_t cap_names, const double *y);

#endif
