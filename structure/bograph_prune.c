/*
 * bograph_prune.c - pruning a metric's parameter parents by held-out
 * prediction. The trials an optimiser chose are no design: the parameters
 * it moved together look related to whatever one of them drives, and
 * NOTEARS' thresholds keep such companions (a metric driven by b alone got
 * a and c as parents once the search had settled near the best b). A
 * parent stays only if leaving it out makes the metric clearly harder to
 * predict on held-out trials.
 */
#include "structure/bograph_prune.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

#include "structure/defaults.h"

/* Leave-one-out mean squared error (PRESS / n, in closed form) of a ridge
 * regression of column b of A on columns cols[0..nc) and an intercept.
 * INFINITY when the solve fails or a row has leverage 1. */
static double prune_loo_mse(const double *A, size_t n, size_t D, const size_t *cols, size_t nc,
                            size_t b)
{
    size_t m = nc + 1;
    gsl_matrix *G = gsl_matrix_calloc(m, m);
    gsl_vector *rhs = gsl_vector_calloc(m), *sol = gsl_vector_alloc(m);
    gsl_vector *xi = gsl_vector_alloc(m), *hx = gsl_vector_alloc(m);
    double out = INFINITY;
    if (!G || !rhs || !sol || !xi || !hx)
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < m; q++) {
            double a = q < nc ? A[i * D + cols[q]] : 1.0;
            *gsl_vector_ptr(rhs, q) += a * A[i * D + b];
            for (size_t q2 = 0; q2 < m; q2++)
                *gsl_matrix_ptr(G, q, q2) += a * (q2 < nc ? A[i * D + cols[q2]] : 1.0);
        }
    for (size_t q = 0; q < nc; q++)
        *gsl_matrix_ptr(G, q, q) += BG_PRUNE_RIDGE * (double)n;
    *gsl_matrix_ptr(G, nc, nc) += BG_PRUNE_RIDGE;
    if (gsl_linalg_cholesky_decomp1(G) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(G, rhs, sol) != GSL_SUCCESS)
        goto done;
    double press = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t q = 0; q < m; q++)
            gsl_vector_set(xi, q, q < nc ? A[i * D + cols[q]] : 1.0);
        double f, h;
        gsl_blas_ddot(xi, sol, &f);
        if (gsl_linalg_cholesky_solve(G, xi, hx) != GSL_SUCCESS)
            goto done;
        gsl_blas_ddot(xi, hx, &h);
        if (!(h < 1 - 1e-9))
            goto done;
        double e = (A[i * D + b] - f) / (1 - h);
        press += e * e;
    }
    out = press / (double)n;
done:
    if (G) gsl_matrix_free(G);
    if (rhs) gsl_vector_free(rhs);
    if (sol) gsl_vector_free(sol);
    if (xi) gsl_vector_free(xi);
    if (hx) gsl_vector_free(hx);
    return out;
}

/* The columns of A feeding node `to` (its metric parents, and the features
 * of its parameter parents except `without` and those dropped), into cols;
 * returns their number. n_par gets the number of parameter parents. */
static size_t prune_columns(const dag *g, size_t D, size_t n_feat, const size_t *feat_param,
                            size_t p, size_t to, const unsigned char *dropped, size_t without,
                            size_t *cols, size_t *n_par)
{
    size_t nc = 0;
    *n_par = 0;
    for (size_t a = 0; a + 1 < D; a++) {
        size_t from = a < n_feat ? feat_param[a] : a - n_feat + p;
        if (from == to || !dag_has_edge(g, from, to))
            continue;
        if (from < p && (dropped[from] || from == without))
            continue;
        if (from >= p && g->kind[from] != DAG_METRIC)
            continue;
        cols[nc++] = a;
        if (from < p && (a == 0 || feat_param[a - 1] != from))
            (*n_par)++;
    }
    return nc;
}

int bg_prune_param_parents(dag *g, const double *A, size_t n, size_t D, size_t n_feat,
                           const size_t *feat_param, size_t p, size_t to, size_t bcol)
{
    assert(g && A && feat_param && to < g->n && bcol < D);
    size_t *cols = malloc(D * sizeof *cols);
    unsigned char *dropped = calloc(p ? p : 1, 1);
    if (!cols || !dropped) {
        free(cols);
        free(dropped);
        return -1;
    }
    for (;;) {
        size_t n_par;
        size_t nc = prune_columns(g, D, n_feat, feat_param, p, to, dropped, p, cols, &n_par);
        if (n_par <= 1 || n < nc + 3)
            break;
        double full = prune_loo_mse(A, n, D, cols, nc, bcol);
        size_t best_j = p;
        double best = INFINITY;
        for (size_t j = 0; j < p; j++) {
            if (dropped[j] || !dag_has_edge(g, j, to) || g->src[j * g->n + to] != DAG_LEARNED)
                continue;
            size_t n2, nc2 = prune_columns(g, D, n_feat, feat_param, p, to, dropped, j, cols, &n2);
            double without = prune_loo_mse(A, n, D, cols, nc2, bcol);
            if (without < best) {
                best = without;
                best_j = j;
            }
        }
        if (best_j == p || !(best <= full * (1 + BG_PRUNE_GAIN) + BG_PRUNE_FLOOR))
            break;
        dropped[best_j] = 1;
        dag_remove_edge(g, best_j, to);
    }
    free(cols);
    free(dropped);
    return 0;
}
