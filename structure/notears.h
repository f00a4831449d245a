/*
 * notears.h - linear structure learning with NOTEARS (Zheng, Aragam,
 * Ravikumar, Xing, NeurIPS 2018): minimise 1/(2n) ||X - XW||_F^2 +
 * lambda1 ||W||_1 subject to h(W) = tr(exp(W o W)) - d = 0, by the augmented
 * Lagrangian; each inner problem is solved by NLopt's L-BFGS on W = W+ - W-
 * with W+, W- >= 0, the standard way to make the L1 term smooth.
 *
 * Constraints are given as a mask: entries fixed at zero (parameters have
 * no parents, the objective no children, forbidden edges) are not variables
 * at all; required entries are free and not penalised. Only nodes that can
 * lie on a cycle enter the matrix exponential.
 */
#ifndef BOGRAPH_STRUCTURE_NOTEARS_H
#define BOGRAPH_STRUCTURE_NOTEARS_H

#include <stddef.h>

enum { NOTEARS_FIXED_ZERO = 0, NOTEARS_FREE = 1, NOTEARS_REQUIRED = 2 };

typedef struct {
    double lambda1;      /* L1 weight (standardised data) */
    double w_threshold;  /* |W| below this is no edge */
    double h_tol;        /* acyclicity tolerance */
    double rho_max;      /* penalty ceiling */
    size_t max_iter;     /* dual ascent steps */
    size_t max_eval;     /* L-BFGS evaluations per inner solve */
} notears_options;

void notears_options_default(notears_options *opt);

/* X: n x d row-major, columns standardised (no NAN). mask: d x d, mask[i*d+j]
 * says what W[i][j] (edge i -> j) may be. Writes the thresholded W (d x d)
 * and, when h_out is not NULL, h of the unthresholded solution. 0, or -1
 * with a message (NLopt failure with no usable point, out of memory). */
int notears_fit(const double *X, size_t n, size_t d, const unsigned char *mask,
                const notears_options *opt, double *W, double *h_out,
                char *err, size_t err_len);

/* h(W) = tr(exp(W o W)) - d and, when grad is not NULL, its gradient
 * exp(W o W)^T o 2W (d x d). Exposed for tests. */
double notears_h(const double *W, size_t d, double *grad);

#endif
