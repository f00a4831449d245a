/*
 * family.h - a seeded generator of structured systems for the structure
 * benchmark, so that the benchmark cannot be over-fitted to a few hand-made
 * systems. family_generate(family_seed, index) is deterministic: family
 * seed 1 is the development set, any other seed gives systems built the
 * same way that nobody has seen.
 *
 * Axes a system varies along (all drawn from the seed):
 *  - 8-40 parameters: float, log float, int (some log), ordinal (powers of
 *    two), categorical (2-5 choices, unordered effect); a third to a half
 *    irrelevant, at random positions;
 *  - 3-15 intermediate metrics (costs), each driven by 1-4 parameters
 *    through monotone, saturating, bowl and threshold shapes, some with the
 *    first two parents interacting (product), some also fed by an earlier
 *    metric, some heavy-tailed (base * 10^(2-4 decades * s));
 *  - the objective: a sum of costs, a reciprocal throughput, a bottleneck
 *    (maximum over 2-3 stages of stage sums) or a product (energy x delay);
 *  - 1-5% multiplicative noise on the metrics and the objective;
 *  - log artefacts: restatements of the objective (reciprocal, scaled,
 *    unit-converted), counters tracking run time, 20-40 counters unrelated
 *    to anything, metrics missing in some trials; logs as keyvalue, jsonl
 *    or RocksDB statistics (the formats logs/ parses).
 * Every sixth system (index % 6 == 5) has no useful structure: its metrics
 * exist but are never logged (alternately no logs at all, or only the
 * unrelated counters and the objective).
 */
#ifndef BOGRAPH_BENCH_FAMILY_H
#define BOGRAPH_BENCH_FAMILY_H

#include <stddef.h>
#include <stdint.h>

#include "systems.h"

enum { FAMILY_SUM, FAMILY_RECIPROCAL, FAMILY_BOTTLENECK, FAMILY_PRODUCT };
enum { FAMILY_STRUCTURED, FAMILY_NO_LOGS, FAMILY_UNRELATED_ONLY };
enum { FAMILY_RESTATE_RECIPROCAL = 1, FAMILY_RESTATE_SCALED = 2, FAMILY_RESTATE_UNITS = 4 };

/* Generates system index of family family_seed into *s (its name points
 * into s: do not copy the struct). 0, or -1 for family_seed 0. */
int family_generate(uint64_t family_seed, size_t index, sys_system *s);

/* Parses "f<seed>-<index>" with an optional "-..." tail. 0 or -1. */
int family_parse_name(const char *name, uint64_t *family_seed, size_t *index);

/* One line describing a generated system (or a built-in one). */
void family_describe(const sys_system *s, char *buf, size_t cap);

/* "structured", "nologs", "unrelated" (generated and built-in systems). */
const char *family_structure_name(const sys_system *s);

/* For sys_space / sys_run / sys_true_objective on SYS_FAMILY systems.
 * family_run draws exactly one number from *rng per call (the trial's own
 * stream), so trial t gets the same noise whatever was run before. */
space *family_space(const sys_system *s);
double family_true_objective(const sys_system *s, const double *x);
void family_run(const sys_system *s, const double *x, uint64_t *rng, double *y, char *buf,
                size_t cap);

#endif
