/*
 * pareto.c - Pareto fronts, exact hypervolume and the default reference
 * point. The hypervolume works on "gains": each finite row that beats the
 * reference point in every objective becomes the box [0, g] with
 * g_j = (y_j - ref_j) for a maximised objective and (ref_j - y_j) for a
 * minimised one; the indicator is the volume of the union of those boxes,
 * computed by slicing along the last coordinate (HSO) down to a sweep in two
 * dimensions, keeping only non-dominated rows at each level.
 */
#include "bo/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int pareto_row_finite(const double *y, size_t m)
{
    for (size_t j = 0; j < m; j++)
        if (!isfinite(y[j])) return 0;
    return 1;
}

/* 1 when a dominates b: no worse everywhere and better somewhere. */
static int pareto_dominates(const double *a, const double *b, size_t m, const int *maximize)
{
    int better = 0;
    for (size_t j = 0; j < m; j++) {
        int mx = maximize && maximize[j];
        double d = mx ? a[j] - b[j] : b[j] - a[j];
        if (d < 0) return 0;
        if (d > 0) better = 1;
    }
    return better;
}

size_t pareto_front(const double *Y, size_t n, size_t m, const int *maximize, unsigned char *on_front)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const double *yi = Y + i * m;
        int ok = pareto_row_finite(yi, m);
        for (size_t k = 0; k < n && ok; k++) {
            const double *yk = Y + k * m;
            if (k != i && pareto_row_finite(yk, m) && pareto_dominates(yk, yi, m, maximize))
                ok = 0;
        }
        on_front[i] = (unsigned char)ok;
        count += (size_t)ok;
    }
    return count;
}

/* ---- hypervolume of gains (all coordinates > 0, maximised) ---- */


typedef struct {
    const double *row;
    size_t col;
} pareto_key;

static int pareto_key_desc(const void *a, const void *b)
{
    const pareto_key *ka = a, *kb = b;
    double x = ka->row[ka->col], y = kb->row[kb->col];
    return (x < y) - (x > y);
}

/* Rows of P (k x m) sorted by column col, descending, written to out. */
static int pareto_sorted(const double *P, size_t k, size_t m, size_t col, double *out)
{
    pareto_key *keys = malloc((k ? k : 1) * sizeof(pareto_key));
    if (!keys) return -1;
    for (size_t i = 0; i < k; i++) {
        keys[i].row = P + i * m;
        keys[i].col = col;
    }
    qsort(keys, k, sizeof(pareto_key), pareto_key_desc);
    for (size_t i = 0; i < k; i++) memcpy(out + i * m, keys[i].row, m * sizeof(double));
    free(keys);
    return 0;
}

/* Keeps the rows of P (k x m, maximised) that no other row dominates, one
 * copy of equal rows; returns the new count. */
size_t pareto_filter_max(double *P, size_t k, size_t m)
{
    size_t kept = 0;
    for (size_t i = 0; i < k; i++) {
        const double *pi = P + i * m;
        int ok = 1;
        for (size_t t = 0; t < k && ok; t++) {
            if (t == i) continue;
            const double *pt = P + t * m;
            int ge = 1, gt = 0;
            for (size_t j = 0; j < m && ge; j++) {
                if (pt[j] < pi[j]) ge = 0;
                else if (pt[j] > pi[j]) gt = 1;
            }
            if (ge && (gt || t < i)) ok = 0; /* dominated, or an equal row kept earlier */
        }
        if (ok) {
            if (kept != i) memmove(P + kept * m, pi, m * sizeof(double));
            kept++;
        }
    }
    return kept;
}

/* Volume of the union of the boxes [0, P_i], P k x m with m >= 1; P may be
 * reordered. NAN when out of memory. */
static double pareto_hv_gains(double *P, size_t k, size_t m)
{
    if (k == 0) return 0;
    if (m == 1) {
        double best = 0;
        for (size_t i = 0; i < k; i++) if (P[i] > best) best = P[i];
        return best;
    }
    double *S = malloc(k * m * sizeof(double));
    if (!S || pareto_sorted(P, k, m, m - 1, S) != 0) {
        free(S);
        return NAN;
    }
    double vol = 0;
    if (m == 2) {
        /* sorted by the second coordinate descending: each row adds the strip
         * of its first coordinate beyond the widest so far */
        double widest = 0;
        for (size_t i = 0; i < k; i++) {
            double a = S[i * 2], b = S[i * 2 + 1];
            if (a > widest) {
                vol += (a - widest) * b;
                widest = a;
            }
        }
        free(S);
        return vol;
    }
    double *proj = malloc(k * (m - 1) * sizeof(double));
    if (!proj) {
        free(S);
        return NAN;
    }
    for (size_t i = 0; i < k; i++) {
        double z = S[i * m + m - 1];
        double next = i + 1 < k ? S[(i + 1) * m + m - 1] : 0;
        if (!(z > next)) continue;
        /* the slab (next, z] of the last coordinate is covered by rows 0..i */
        for (size_t t = 0; t <= i; t++) memcpy(proj + t * (m - 1), S + t * m, (m - 1) * sizeof(double));
        size_t kk = m - 1 > 2 ? pareto_filter_max(proj, i + 1, m - 1) : i + 1;
        double area = pareto_hv_gains(proj, kk, m - 1);
        if (isnan(area)) {
            vol = NAN;
            break;
        }
        vol += (z - next) * area;
    }
    free(proj);
    free(S);
    return vol;
}

double pareto_hypervolume(const double *Y, size_t n, size_t m, const int *maximize, const double *ref)
{
    if (n == 0 || m == 0 || !pareto_row_finite(ref, m)) return 0;
    double *G = malloc(n * m * sizeof(double));
    if (!G) return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const double *y = Y + i * m;
        if (!pareto_row_finite(y, m)) continue;
        int beats = 1;
        for (size_t j = 0; j < m && beats; j++) {
            double g = maximize && maximize[j] ? y[j] - ref[j] : ref[j] - y[j];
            if (!(g > 0)) beats = 0;
            G[k * m + j] = g;
        }
        k += (size_t)beats;
    }
    k = pareto_filter_max(G, k, m);
    double hv = pareto_hv_gains(G, k, m);
    free(G);
    return hv;
}

int pareto_default_reference(const double *Y, size_t n, size_t m, const int *maximize, double *ref)
{
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) seen += (size_t)pareto_row_finite(Y + i * m, m);
    if (seen == 0) return -1;
    for (size_t j = 0; j < m; j++) {
        int mx = maximize && maximize[j];
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const double *y = Y + i * m;
            if (!pareto_row_finite(y, m)) continue;
            if (y[j] < lo) lo = y[j];
            if (y[j] > hi) hi = y[j];
        }
        double worst = mx ? lo : hi;
        double range = hi - lo;
        double step = range > 0 && isfinite(range) ? 0.1 * range : 0.1 * fabs(worst);
        if (!(step > 0)) step = 1;
        ref[j] = mx ? worst - step : worst + step;
    }
    return 0;
}
