/*
 * ehvi.c - box decomposition of the non-dominated region, and EHVI on it:
 * exact (log space) for independent normals, Monte Carlo for draws.
 */
#include "bo/ehvi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "bo/acquisition.h"
#include "bo/design.h"
#include "bo/pareto.h"

struct ehvi_boxes {
    size_t m, n;
    double *lo, *hi; /* n x m each */
};

void ehvi_boxes_free(ehvi_boxes *b)
{
    if (!b) return;
    free(b->lo);
    free(b->hi);
    free(b);
}

int ehvi_boxes_replace(ehvi_boxes **boxes, const double *front, size_t k, size_t m,
                       const double *ref)
{
    ehvi_boxes_free(*boxes);
    *boxes = ehvi_boxes_new(front, k, m, ref);
    return *boxes ? 0 : -1;
}

size_t ehvi_boxes_count(const ehvi_boxes *b) { return b->n; }
size_t ehvi_boxes_dim(const ehvi_boxes *b) { return b->m; }

static int ehvi_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Keeps the rows of F (copied to P) that are finite, above ref everywhere
 * and dominated by no other kept row (one copy of equal rows). */
static size_t ehvi_front(const double *F, size_t k, size_t m, const double *ref, double *P)
{
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        int ok = 1;
        for (size_t j = 0; j < m && ok; j++)
            if (!isfinite(F[i * m + j]) || !(F[i * m + j] > ref[j])) ok = 0;
        if (ok) memcpy(P + (n++) * m, F + i * m, m * sizeof(double));
    }
    return pareto_filter_max(P, n, m);
}

/* Sorted distinct breakpoints of objective j: ref_j, then the front's
 * values (all above ref_j); returns how many. Cell t is [bp[t], bp[t+1]),
 * the last one reaching infinity. tmp is scratch of k. */
static size_t ehvi_breaks(const double *P, size_t k, size_t m, size_t j, double ref, double *tmp,
                          double *bp)
{
    for (size_t i = 0; i < k; i++) tmp[i] = P[i * m + j];
    qsort(tmp, k, sizeof(double), ehvi_cmp_double);
    size_t n = 0;
    bp[n++] = ref;
    for (size_t i = 0; i < k; i++)
        if (tmp[i] > bp[n - 1]) bp[n++] = tmp[i];
    return n;
}

static int ehvi_push(ehvi_boxes *b, size_t *cap, const double *lo, const double *hi)
{
    if (b->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        double *l = realloc(b->lo, nc * b->m * sizeof(double));
        if (!l) return -1;
        b->lo = l;
        double *h = realloc(b->hi, nc * b->m * sizeof(double));
        if (!h) return -1;
        b->hi = h;
        *cap = nc;
    }
    memcpy(b->lo + b->n * b->m, lo, b->m * sizeof(double));
    memcpy(b->hi + b->n * b->m, hi, b->m * sizeof(double));
    b->n++;
    return 0;
}

/* Height of the dominated part of the column whose cell in objective j < m-1
 * ends at hi[j]: the best last objective among the points at or beyond
 * every hi[j], or ref_last when none. */
static double ehvi_height(const double *P, size_t k, size_t m, const double *hi, double ref_last)
{
    double h = ref_last;
    for (size_t i = 0; i < k; i++) {
        const double *p = P + i * m;
        int covers = 1;
        for (size_t j = 0; j + 1 < m && covers; j++)
            if (!(p[j] >= hi[j])) covers = 0;
        if (covers && p[m - 1] > h) h = p[m - 1];
    }
    return h;
}

/* Breakpoints of the first m - 1 objectives: bp + j * (k + 1), nb[j] of them. */
typedef struct {
    const double *P;
    size_t k, m;
    const double *ref;
    double *bp;
    size_t nb[EHVI_MAX_OBJECTIVES];
} ehvi_grid;

static double ehvi_cell_hi(const ehvi_grid *g, size_t j, size_t t)
{
    return t + 1 < g->nb[j] ? g->bp[j * (g->k + 1) + t + 1] : INFINITY;
}

/* The boxes of one column group: the cells idx[1..m-2] fixed, swept along
 * the first objective with runs of equal height merged. */
static int ehvi_sweep(const ehvi_grid *g, const size_t *idx, ehvi_boxes *b, size_t *cap,
                      double *lo, double *hi)
{
    size_t m = g->m;
    for (size_t j = 1; j + 1 < m; j++) {
        lo[j] = g->bp[j * (g->k + 1) + idx[j]];
        hi[j] = ehvi_cell_hi(g, j, idx[j]);
    }
    hi[m - 1] = INFINITY;
    size_t start = 0;
    double run_h = NAN;
    for (size_t t = 0; t < g->nb[0]; t++) {
        hi[0] = ehvi_cell_hi(g, 0, t);
        double h = ehvi_height(g->P, g->k, m, hi, g->ref[m - 1]);
        if (t > 0 && h != run_h) {
            lo[0] = g->bp[start];
            hi[0] = g->bp[t];
            lo[m - 1] = run_h;
            if (ehvi_push(b, cap, lo, hi) != 0) return -1;
            start = t;
        }
        run_h = h;
    }
    lo[0] = g->bp[start];
    hi[0] = INFINITY;
    lo[m - 1] = run_h;
    return ehvi_push(b, cap, lo, hi);
}

ehvi_boxes *ehvi_boxes_new(const double *F, size_t k, size_t m, const double *ref)
{
    if (m == 0 || m > EHVI_MAX_OBJECTIVES) return NULL;
    ehvi_boxes *b = calloc(1, sizeof(ehvi_boxes));
    double *P = malloc((k ? k : 1) * m * sizeof(double));
    double *tmp = malloc((k ? k : 1) * sizeof(double));
    double *bp = malloc((k + 1) * m * sizeof(double));
    double *lo = malloc(2 * m * sizeof(double));
    size_t idx[EHVI_MAX_OBJECTIVES] = {0}, cap = 0;
    int ok = b && P && tmp && bp && lo;
    if (ok) {
        b->m = m;
        ehvi_grid g = {P, ehvi_front(F, k, m, ref, P), m, ref, bp, {0}};
        for (size_t j = 0; j + 1 < m; j++)
            g.nb[j] = ehvi_breaks(P, g.k, m, j, ref[j], tmp, bp + j * (g.k + 1));
        if (m == 1) {
            lo[0] = g.k ? P[0] : ref[0];
            lo[1] = INFINITY;
            ok = ehvi_push(b, &cap, lo, lo + 1) == 0;
        }
        /* every column group: mixed radix over the cells of objectives 1..m-2 */
        while (ok && m > 1) {
            if (ehvi_sweep(&g, idx, b, &cap, lo, lo + m) != 0) ok = 0;
            size_t j = 1;
            while (j + 1 < m && ++idx[j] == g.nb[j]) idx[j++] = 0;
            if (j + 1 >= m) break;
        }
    }
    free(P);
    free(tmp);
    free(bp);
    free(lo);
    if (!ok) {
        ehvi_boxes_free(b);
        return NULL;
    }
    return b;
}

/* The part of box i that y dominates: prod_j (min(y_j, hi_ij) - lo_ij)^+. */
static double ehvi_box_gain(const ehvi_boxes *b, size_t i, const double *y)
{
    size_t m = b->m;
    const double *lo = b->lo + i * m, *hi = b->hi + i * m;
    double v = 1;
    for (size_t j = 0; j < m && v > 0; j++) {
        double top = y[j] < hi[j] ? y[j] : hi[j];
        v *= top > lo[j] ? top - lo[j] : 0;
    }
    return v;
}

double ehvi_improvement(const ehvi_boxes *b, const double *y)
{
    double total = 0;
    for (size_t i = 0; i < b->n; i++)
        total += ehvi_box_gain(b, i, y);
    return total;
}

/* log E[(min(Y, hi) - lo)^+] for Y ~ N(mean, sd^2). */
static double ehvi_log_factor(double mean, double sd, double lo, double hi)
{
    if (!(sd > 0)) {
        double top = mean < hi ? mean : hi;
        return top > lo ? log(top - lo) : -INFINITY;
    }
    double ll = acq_log_h((mean - lo) / sd, NULL);
    if (isinf(hi)) return log(sd) + ll;
    double d = acq_log_h((mean - hi) / sd, NULL) - ll;
    if (!(d < 0)) return -INFINITY;
    return log(sd) + ll + log(-expm1(d));
}

double ehvi_log_analytic(const ehvi_boxes *b, const double *mean, const double *sd)
{
    size_t m = b->m;
    double mx = -INFINITY, sum = 0;
    for (size_t i = 0; i < b->n; i++) {
        const double *lo = b->lo + i * m, *hi = b->hi + i * m;
        double t = 0;
        for (size_t j = 0; j < m && t > -INFINITY; j++)
            t += ehvi_log_factor(mean[j], sd[j], lo[j], hi[j]);
        if (!(t > -INFINITY)) continue;
        if (t > mx) {
            sum = sum * exp(mx - t) + 1;
            mx = t;
        } else {
            sum += exp(t - mx);
        }
    }
    return mx > -INFINITY ? mx + log(sum) : -INFINITY;
}

/* The improvement of y over the boxes listed in idx (n_idx of them). */
static double ehvi_improvement_of(const ehvi_boxes *b, const size_t *idx, size_t n_idx,
                                  const double *y)
{
    double total = 0;
    for (size_t t = 0; t < n_idx; t++)
        total += ehvi_box_gain(b, idx[t], y);
    return total;
}

double ehvi_mc(const ehvi_boxes *b, const double *mean, const double *sd, const double *z,
               size_t n)
{
    size_t m = b->m;
    double y[EHVI_MAX_OBJECTIVES], top[EHVI_MAX_OBJECTIVES], total = 0;
    /* only the boxes that some draw reaches in every objective */
    for (size_t j = 0; j < m; j++) top[j] = -INFINITY;
    for (size_t s = 0; s < n; s++)
        for (size_t j = 0; j < m; j++) {
            double v = mean[j] + sd[j] * z[s * m + j];
            if (v > top[j]) top[j] = v;
        }
    size_t *idx = malloc((b->n ? b->n : 1) * sizeof(size_t)), n_idx = 0;
    if (!idx) return NAN;
    for (size_t i = 0; i < b->n; i++) {
        int reach = 1;
        for (size_t j = 0; j < m && reach; j++)
            if (!(top[j] > b->lo[i * m + j])) reach = 0;
        if (reach) idx[n_idx++] = i;
    }
    for (size_t s = 0; s < n && n_idx > 0; s++) {
        for (size_t j = 0; j < m; j++) y[j] = mean[j] + sd[j] * z[s * m + j];
        total += ehvi_improvement_of(b, idx, n_idx, y);
    }
    free(idx);
    return n ? total / (double)n : 0;
}

double ehvi_mc_samples(const ehvi_boxes *b, const double *Y, size_t n)
{
    double total = 0;
    for (size_t s = 0; s < n; s++) total += ehvi_improvement(b, Y + s * b->m);
    return n ? total / (double)n : 0;
}

int ehvi_normal_draws(size_t m, size_t n, uint64_t seed, double *z)
{
    if (m == 0 || m > EHVI_MAX_OBJECTIVES) return -1;
    design *d = design_sobol_new(m, seed);
    if (!d) return -1;
    double u[EHVI_MAX_OBJECTIVES];
    for (size_t s = 0; s < n; s++) {
        design_next(d, u);
        for (size_t j = 0; j < m; j++) {
            double v = u[j] < 1e-12 ? 1e-12 : (u[j] > 1 - 1e-12 ? 1 - 1e-12 : u[j]);
            z[s * m + j] = gsl_cdf_ugaussian_Pinv(v);
        }
    }
    design_free(d);
    return 0;
}
