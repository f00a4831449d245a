/*
 * pareto.h - Pareto dominance and the hypervolume indicator for several
 * objectives (2..4 in bograph, any m here), each objective minimised or
 * maximised as its flag says. Pure computation on row-major n x m arrays;
 * rows with a non-finite entry (infeasible or missing results) take no part.
 */
#ifndef BOGRAPH_BO_PARETO_H
#define BOGRAPH_BO_PARETO_H

#include <stddef.h>

/* on_front[i] = 1 when row i of Y (n x m, row-major) is dominated by no other row, with
 * maximize[j] != 0 meaning objective j is maximised. Rows with a non-finite entry are never
 * on the front. Returns how many rows are on the front. Time O(n^2 m): meant for the trials
 * of a study (thousands of rows), not for millions. Equal rows dominate none of each other,
 * so duplicates of a front row are all on the front. */
size_t pareto_front(const double *Y, size_t n, size_t m, const int *maximize, unsigned char *on_front);

/* Hypervolume dominated by the rows of Y relative to the reference point ref (m values, in
 * the objectives' own units and directions: a row counts only where it is better than ref in
 * every objective). Exact for any m, by slicing along the last objective (HSO, While et al.
 * 2006) down to a sweep in two dimensions over the non-dominated rows only: time
 * O(k log k) for m = 2, O(k^2 log k) for m = 3, O(k^3 log k) for m = 4 where k is the size
 * of the front. 0 when no row beats ref, or when ref has a non-finite entry. */
double pareto_hypervolume(const double *Y, size_t n, size_t m, const int *maximize, const double *ref);

/* The reference point bograph uses when the user gives none: for each objective, the worst
 * value among the feasible rows (those with every entry finite), moved 10% of the observed
 * range further towards "worse" (when the range is 0, by 10% of |value|, or 1 when that is
 * 0). Returns 0, or -1 when no row is finite (ref untouched). */
int pareto_default_reference(const double *Y, size_t n, size_t m, const int *maximize, double *ref);

/* In place: keeps the rows of P (k x m, every objective maximised) that no
 * other row dominates, one copy of equal rows, in their order; returns how
 * many are kept. O(k^2 m). */
size_t pareto_filter_max(double *P, size_t k, size_t m);

#endif
