/*
 * notears.c - NOTEARS with an augmented Lagrangian (see notears.h). The
 * loss uses the sample covariance C = X^T X / n, so an evaluation costs
 * O(d^3) whatever the number of trials: loss = tr((I-W)^T C (I-W)) / 2 and
 * its gradient -C (I - W). The matrix exponential is GSL's
 * gsl_linalg_exponential_ss, restricted to the nodes that can be on a cycle
 * (those with a free edge in and a free edge out among such nodes).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <nlopt.h>

#include "structure/defaults.h"
#include "structure/notears.h"

static void nt_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void nt_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void notears_options_default(notears_options *opt)
{
    opt->lambda1 = NOTEARS_DEFAULT_LAMBDA1;
    opt->w_threshold = NOTEARS_DEFAULT_W_THRESHOLD;
    opt->h_tol = NOTEARS_DEFAULT_H_TOL;
    opt->rho_max = NOTEARS_DEFAULT_RHO_MAX;
    opt->max_iter = NOTEARS_DEFAULT_MAX_ITER;
    opt->max_eval = NOTEARS_DEFAULT_MAX_EVAL;
}

/* h over the sub-matrix of nodes idx[0..m) (the others cannot be on a
 * cycle); grad (d x d) receives the gradient on those entries. */
static double nt_h_sub(const double *W, size_t d, const size_t *idx, size_t m, double *grad,
                       gsl_matrix *A, gsl_matrix *E, int *ok)
{
    *ok = 1;
    if (m == 0)
        return 0;
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++) {
            double w = W[idx[a] * d + idx[b]];
            gsl_matrix_set(A, a, b, w * w);
        }
    int rc = gsl_linalg_exponential_ss(A, E, GSL_PREC_DOUBLE);
    if (rc != GSL_SUCCESS) {
        *ok = 0;
        return INFINITY;
    }
    double tr = 0;
    for (size_t a = 0; a < m; a++)
        tr += gsl_matrix_get(E, a, a);
    if (grad)
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                grad[idx[a] * d + idx[b]] = gsl_matrix_get(E, b, a) * 2 * W[idx[a] * d + idx[b]];
    return tr - (double)m;
}

double notears_h(const double *W, size_t d, double *grad)
{
    size_t *idx = malloc((d ? d : 1) * sizeof *idx);
    gsl_matrix *A = d ? gsl_matrix_alloc(d, d) : NULL;
    gsl_matrix *E = d ? gsl_matrix_alloc(d, d) : NULL;
    double h = NAN;
    int ok;
    if (idx && (d == 0 || (A && E))) {
        for (size_t i = 0; i < d; i++)
            idx[i] = i;
        if (grad)
            memset(grad, 0, d * d * sizeof *grad);
        h = nt_h_sub(W, d, idx, d, grad, A, E, &ok);
    }
    free(idx);
    if (A)
        gsl_matrix_free(A);
    if (E)
        gsl_matrix_free(E);
    return h;
}

typedef struct {
    size_t d, n_free;
    const double *C;        /* d x d covariance */
    const size_t *fi, *fj;  /* free entries */
    const unsigned char *penal; /* per free entry: L1 applies */
    const size_t *cyc;      /* nodes that can be on a cycle */
    size_t n_cyc;
    const size_t *cols;     /* columns with a free entry */
    size_t n_cols;
    double lambda1, rho, alpha;
    double *W, *G, *Gh, *IW;
    gsl_matrix *A, *E;
    int failed;
} nt_ctx;

static void nt_build_w(nt_ctx *c, const double *x)
{
    memset(c->W, 0, c->d * c->d * sizeof *c->W);
    for (size_t k = 0; k < c->n_free; k++)
        c->W[c->fi[k] * c->d + c->fj[k]] = x[k] - x[c->n_free + k];
}

static double nt_objective(unsigned n, const double *x, double *grad, void *data)
{
    nt_ctx *c = data;
    (void)n;
    size_t d = c->d;
    nt_build_w(c, x);
    /* Per column j with a free entry, v = (I - W) e_j: the loss gains
     * v^T C v / 2 and the gradient column is -C v. Columns without free
     * entries add a constant and are skipped. */
    double loss = 0;
    for (size_t q = 0; q < c->n_cols; q++) {
        size_t j = c->cols[q];
        for (size_t i = 0; i < d; i++)
            c->IW[i] = (i == j ? 1.0 : 0.0) - c->W[i * d + j];
        for (size_t i = 0; i < d; i++) {
            double s = 0;
            const double *Ci = c->C + i * d;
            for (size_t k = 0; k < d; k++)
                s += Ci[k] * c->IW[k];
            c->G[i * d + j] = -s;
            loss += 0.5 * c->IW[i] * s;
        }
    }
    int ok;
    memset(c->Gh, 0, d * d * sizeof *c->Gh);
    double h = nt_h_sub(c->W, d, c->cyc, c->n_cyc, c->Gh, c->A, c->E, &ok);
    if (!ok) {
        c->failed = 1;
        h = 1e10;
    }
    double l1 = 0;
    for (size_t k = 0; k < c->n_free; k++)
        if (c->penal[k])
            l1 += x[k] + x[c->n_free + k];
    double f = loss + 0.5 * c->rho * h * h + c->alpha * h + c->lambda1 * l1;
    if (grad) {
        double s = c->rho * h + c->alpha;
        for (size_t k = 0; k < c->n_free; k++) {
            size_t e = c->fi[k] * d + c->fj[k];
            double g = c->G[e] + s * c->Gh[e];
            double l = c->penal[k] ? c->lambda1 : 0.0;
            grad[k] = g + l;
            grad[c->n_free + k] = -g + l;
        }
    }
    return f;
}

/* Nodes that can lie on a cycle: repeatedly drop nodes with no free edge
 * in from, or out to, the remaining ones. */
static size_t nt_cycle_nodes(const unsigned char *mask, size_t d, size_t *idx)
{
    unsigned char *in = malloc(d ? d : 1);
    if (!in)
        return 0;
    memset(in, 1, d);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t v = 0; v < d; v++) {
            if (!in[v])
                continue;
            int has_in = 0, has_out = 0;
            for (size_t u = 0; u < d; u++) {
                if (!in[u] || u == v)
                    continue;
                if (mask[u * d + v])
                    has_in = 1;
                if (mask[v * d + u])
                    has_out = 1;
            }
            if (!has_in || !has_out) {
                in[v] = 0;
                changed = 1;
            }
        }
    }
    size_t m = 0;
    for (size_t v = 0; v < d; v++)
        if (in[v])
            idx[m++] = v;
    free(in);
    return m;
}

/* The sample covariance C = X^T X / n (C zeroed by the caller). */
static void nt_covariance(const double *X, size_t n, size_t d, double *C)
{
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < d; i++) {
            double xi = X[r * d + i];
            for (size_t j = 0; j < d; j++)
                C[i * d + j] += xi * X[r * d + j];
        }
    for (size_t k = 0; k < d * d; k++)
        C[k] /= (double)n;
}

/* The augmented Lagrangian's dual ascent from xbest: each inner problem
 * solved by nl, the penalty c->rho raised until h falls enough, then the
 * multiplier c->alpha updated, until h <= h_tol or the budget ends. xbest
 * receives the last solution and *h_out its h (c->W is scratch). 0, or -1
 * with a message. */
static int nt_dual_ascent(nlopt_opt nl, nt_ctx *c, const notears_options *opt, double *x,
                          double *xbest, double *h_out, char *err, size_t err_len)
{
    size_t n_free = c->n_free;
    double h = INFINITY;
    int ok;
    int solved = 0;
    for (size_t it = 0; it < opt->max_iter && c->rho < opt->rho_max; it++) {
        double h_new = INFINITY;
        while (c->rho < opt->rho_max) {
            memcpy(x, xbest, 2 * n_free * sizeof *x);
            double f;
            nlopt_result r = nlopt_optimize(nl, x, &f);
            /* Running out of evaluations or round-off still leaves a usable
             * point; only a hard failure with nothing found is an error. */
            if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED && !isfinite(f)) {
                nt_err(err, err_len, "notears: NLopt failed (%d)", (int)r);
                return -1;
            }
            nt_build_w(c, x);
            h_new = nt_h_sub(c->W, c->d, c->cyc, c->n_cyc, NULL, c->A, c->E, &ok);
            if (!ok) {
                nt_err(err, err_len, "notears: matrix exponential failed");
                return -1;
            }
            if (h_new > NOTEARS_H_PROGRESS * h)
                c->rho *= NOTEARS_RHO_GROWTH;
            else
                break;
        }
        memcpy(xbest, x, 2 * n_free * sizeof *x);
        solved = 1;
        h = h_new;
        c->alpha += c->rho * h;
        if (h <= opt->h_tol)
            break;
    }
    if (!solved) {
        nt_err(err, err_len, "notears: no solution");
        return -1;
    }
    *h_out = h;
    return 0;
}

int notears_fit(const double *X, size_t n, size_t d, const unsigned char *mask,
                const notears_options *opt_in, double *W, double *h_out,
                char *err, size_t err_len)
{
    notears_options opt;
    if (opt_in)
        opt = *opt_in;
    else
        notears_options_default(&opt);
    if (d == 0) {
        if (h_out)
            *h_out = 0;
        return 0;
    }
    if (!X || !mask || !W || n == 0) {
        nt_err(err, err_len, "notears: no data");
        return -1;
    }
    size_t n_free = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            if (i != j && mask[i * d + j])
                n_free++;
    memset(W, 0, d * d * sizeof *W);
    if (h_out)
        *h_out = 0;
    if (n_free == 0)
        return 0;

    int rc = -1;
    double *C = calloc(d * d, sizeof *C);
    size_t *fi = malloc(n_free * sizeof *fi), *fj = malloc(n_free * sizeof *fj);
    unsigned char *penal = malloc(n_free);
    size_t *cyc = malloc(d * sizeof *cyc), *cols = malloc(d * sizeof *cols);
    double *x = calloc(2 * n_free, sizeof *x), *xbest = calloc(2 * n_free, sizeof *xbest);
    double *lb = calloc(2 * n_free, sizeof *lb), *ub = malloc(2 * n_free * sizeof *ub);
    double *Wt = calloc(d * d, sizeof *Wt), *G = calloc(d * d, sizeof *G);
    double *Gh = calloc(d * d, sizeof *Gh), *IW = calloc(d * d, sizeof *IW);
    gsl_matrix *A = NULL, *E = NULL;
    nlopt_opt nl = NULL;
    if (!C || !fi || !fj || !penal || !cyc || !cols || !x || !xbest || !lb || !ub || !Wt || !G || !Gh ||
        !IW) {
        nt_err(err, err_len, "notears: out of memory");
        goto done;
    }
    nt_covariance(X, n, d, C);
    size_t k = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            if (i != j && mask[i * d + j]) {
                fi[k] = i;
                fj[k] = j;
                penal[k] = mask[i * d + j] != NOTEARS_REQUIRED;
                k++;
            }
    for (size_t q = 0; q < 2 * n_free; q++)
        ub[q] = HUGE_VAL;
    size_t n_cyc = nt_cycle_nodes(mask, d, cyc);
    size_t n_cols = 0;
    for (size_t j = 0; j < d; j++) {
        int any = 0;
        for (size_t i = 0; i < d; i++)
            any |= i != j && mask[i * d + j];
        if (any)
            cols[n_cols++] = j;
    }
    if (n_cyc) {
        A = gsl_matrix_alloc(n_cyc, n_cyc);
        E = gsl_matrix_alloc(n_cyc, n_cyc);
        if (!A || !E) {
            nt_err(err, err_len, "notears: out of memory");
            goto done;
        }
    }
    nt_ctx c = {.d = d, .n_free = n_free, .C = C, .fi = fi, .fj = fj, .penal = penal,
                .cyc = cyc, .n_cyc = n_cyc, .cols = cols, .n_cols = n_cols, .lambda1 = opt.lambda1, .rho = 1.0, .alpha = 0.0,
                .W = Wt, .G = G, .Gh = Gh, .IW = IW, .A = A, .E = E, .failed = 0};
    nl = nlopt_create(NLOPT_LD_LBFGS, (unsigned)(2 * n_free));
    if (!nl || nlopt_set_lower_bounds(nl, lb) < 0 || nlopt_set_upper_bounds(nl, ub) < 0 ||
        nlopt_set_min_objective(nl, nt_objective, &c) < 0 ||
        nlopt_set_ftol_rel(nl, NOTEARS_FTOL_REL) < 0 || nlopt_set_xtol_rel(nl, NOTEARS_XTOL_REL) < 0 ||
        nlopt_set_maxeval(nl, (int)opt.max_eval) < 0) {
        nt_err(err, err_len, "notears: cannot set up NLopt");
        goto done;
    }
    double h;
    if (nt_dual_ascent(nl, &c, &opt, x, xbest, &h, err, err_len) != 0)
        goto done;
    nt_build_w(&c, xbest);
    for (size_t q = 0; q < n_free; q++) {
        size_t e = fi[q] * d + fj[q];
        double w = Wt[e];
        /* Required edges stay whatever their weight. */
        W[e] = (fabs(w) >= opt.w_threshold || !penal[q]) ? w : 0.0;
    }
    if (h_out)
        *h_out = h;
    rc = 0;
done:
    if (nl)
        nlopt_destroy(nl);
    if (A)
        gsl_matrix_free(A);
    if (E)
        gsl_matrix_free(E);
    free(C);
    free(fi);
    free(fj);
    free(penal);
    free(cyc);
    free(cols);
    free(x);
    free(xbest);
    free(lb);
    free(ub);
    free(Wt);
    free(G);
    free(Gh);
    free(IW);
    return rc;
}
