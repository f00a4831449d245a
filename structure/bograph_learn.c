/*
 * bograph_learn.c - structure learning for bograph: the graph's nodes, the
 * parameter features, screening the parameters per node (orthogonal
 * matching pursuit), NOTEARS under the knowledge's forbidden and required
 * edges, thresholding, the expert edges, post-processing and the wiring of
 * parameters to the objective.
 *
 * NOTEARS is linear, but a parameter often acts on a metric through a bowl
 * (a best buffer size in the middle of its range), which no linear weight
 * sees. So each numeric parameter enters structure learning as two source
 * columns, u and (u - 1/2)^2 of its encoded value (a categorical one as its
 * one-hot columns); the parameter's edge weight is the largest of its
 * columns'. Parameters have no parents, so these columns never enter the
 * acyclicity term and cost almost nothing.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "structure/bograph_learn.h"
#include "structure/bograph_prune.h"
#include "structure/dag.h"
#include "structure/defaults.h"
#include "structure/knowledge.h"
#include "structure/notears.h"
#include "structure/preprocess.h"

/* Standardises column j of the n x D matrix A in place; 0 when it has no
 * spread (then it is zeroed). */
static int bg_standardise(double *A, size_t n, size_t D, size_t j)
{
    double s = 0, ss = 0;
    for (size_t r = 0; r < n; r++)
        s += A[r * D + j];
    double m = s / (double)n;
    for (size_t r = 0; r < n; r++)
        ss += (A[r * D + j] - m) * (A[r * D + j] - m);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    for (size_t r = 0; r < n; r++)
        A[r * D + j] = sd > BG_STANDARDISE_MIN_SD ? (A[r * D + j] - m) / sd : 0;
    return sd > BG_STANDARDISE_MIN_SD;
}

/* Screens the parameters for column b of A (n x D, standardised; the
 * first n_feat columns are parameter features, feat_param[a] the parameter
 * of feature a): greedy forward selection (orthogonal matching pursuit),
 * each step taking the parameter whose feature best correlates with what
 * the parameters chosen so far leave unexplained, so a parent hidden behind
 * a stronger one is still found. Sets chosen[j] for at most keep
 * parameters. 0, or -1 (out of memory). */
static int bg_screen(const double *A, size_t n, size_t D, size_t n_feat, const size_t *feat_param,
                     size_t p, size_t b, size_t keep, unsigned char *chosen)
{
    memset(chosen, 0, p ? p : 1);
    if (n < 3 || keep == 0)
        return 0;
    double *r = malloc(n * sizeof *r), *col = malloc(n * sizeof *col);
    size_t *sel = malloc(n_feat * sizeof *sel);
    gsl_matrix *G = gsl_matrix_alloc(n_feat ? n_feat : 1, n_feat ? n_feat : 1);
    gsl_vector *rhs = gsl_vector_alloc(n_feat ? n_feat : 1);
    gsl_vector *sol = gsl_vector_alloc(n_feat ? n_feat : 1);
    int rc = -1;
    if (!r || !col || !sel || !G || !rhs || !sol)
        goto done;
    for (size_t i = 0; i < n; i++)
        r[i] = A[i * D + b];
    size_t n_sel = 0;
    for (size_t step = 0; step < keep && step < p; step++) {
        size_t best_j = p;
        double best = 0;
        for (size_t a = 0; a < n_feat; a++) {
            if (chosen[feat_param[a]])
                continue;
            for (size_t i = 0; i < n; i++)
                col[i] = A[i * D + a];
            double c = fabs(preprocess_pearson(col, r, n));
            if (c > best) {
                best = c;
                best_j = feat_param[a];
            }
        }
        if (best_j == p)
            break;
        chosen[best_j] = 1;
        for (size_t a = 0; a < n_feat; a++)
            if (feat_param[a] == best_j)
                sel[n_sel++] = a;
        /* r = column b minus its least-squares fit on the selected
         * features (a small ridge keeps it defined with few trials). */
        gsl_matrix_view Gv = gsl_matrix_submatrix(G, 0, 0, n_sel, n_sel);
        gsl_vector_view rv = gsl_vector_subvector(rhs, 0, n_sel);
        gsl_vector_view sv = gsl_vector_subvector(sol, 0, n_sel);
        for (size_t q = 0; q < n_sel; q++) {
            double t = 0;
            for (size_t i = 0; i < n; i++)
                t += A[i * D + sel[q]] * A[i * D + b];
            gsl_vector_set(&rv.vector, q, t);
            for (size_t q2 = 0; q2 < n_sel; q2++) {
                double g = 0;
                for (size_t i = 0; i < n; i++)
                    g += A[i * D + sel[q]] * A[i * D + sel[q2]];
                gsl_matrix_set(&Gv.matrix, q, q2, g + (q == q2 ? BG_SCREEN_RIDGE * (double)n : 0));
            }
        }
        if (gsl_linalg_cholesky_decomp1(&Gv.matrix) != GSL_SUCCESS ||
            gsl_linalg_cholesky_solve(&Gv.matrix, &rv.vector, &sv.vector) != GSL_SUCCESS)
            break;
        for (size_t i = 0; i < n; i++) {
            double f = 0;
            for (size_t q = 0; q < n_sel; q++)
                f += A[i * D + sel[q]] * gsl_vector_get(&sv.vector, q);
            r[i] = A[i * D + b] - f;
        }
    }
    rc = 0;
done:
    free(r);
    free(col);
    free(sel);
    if (G)
        gsl_matrix_free(G);
    if (rhs)
        gsl_vector_free(rhs);
    if (sol)
        gsl_vector_free(sol);
    return rc;
}

/* Columns of the parameter features: per parameter its one-hot columns, or
 * u and (u - 1/2)^2. */
static size_t bg_n_features(const space *sp, size_t p)
{
    size_t n_feat = 0;
    for (size_t j = 0; j < p; j++) {
        size_t first, count;
        space_param_encoded_span(sp, j, &first, &count);
        n_feat += space_param_type(sp, j) == SPACE_CATEGORICAL ? count : 2;
    }
    return n_feat;
}

/* A graph with no edge yet over the p parameters, the metrics pr keeps and
 * the objective, by name. NULL (out of memory). */
static bg_graph *bg_graph_new(const bograph_request *req, size_t p, const preprocess_result *pr)
{
    size_t k = pr->k, N = p + k + 1;
    bg_graph *gr = calloc(1, sizeof *gr);
    if (!gr)
        return NULL;
    gr->p = p;
    gr->k = k;
    gr->N = N;
    gr->names = calloc(N, sizeof *gr->names);
    gr->g = dag_new(N);
    if (!gr->names || !gr->g) {
        bg_graph_free(gr);
        return NULL;
    }
    for (size_t j = 0; j < p; j++)
        gr->names[j] = strdup(space_param_name(req->base.sp, j));
    for (size_t j = 0; j < k; j++)
        gr->names[p + j] = strdup(pr->metrics[j].name);
    gr->names[p + k] = strdup(req->objective_name ? req->objective_name : "objective");
    for (size_t v = 0; v < N; v++)
        if (!gr->names[v]) {
            bg_graph_free(gr);
            return NULL;
        }
    return gr;
}

/* The d->n_use x D matrix structure learning sees, each column
 * standardised: per usable trial the parameter features (feat_param[a]
 * receives the parameter of feature column a), the metrics pr keeps
 * (missing: their mean) and the objective. */
static void bg_features(const bograph_request *req, const bg_data *d, const preprocess_result *pr,
                        size_t D, double *A, size_t *feat_param)
{
    const space *sp = req->base.sp;
    size_t p = d->p, k = pr->k, n_feat = D - k - 1;
    size_t r = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!d->use[i])
            continue;
        double *row = A + r * D;
        const double *u = d->U + i * d->dim_u;
        size_t f = 0;
        for (size_t j = 0; j < p; j++) {
            size_t first, count;
            space_param_encoded_span(sp, j, &first, &count);
            if (space_param_type(sp, j) == SPACE_CATEGORICAL) {
                for (size_t c = 0; c < count; c++) {
                    feat_param[f] = j;
                    row[f++] = u[first + c];
                }
            } else {
                feat_param[f] = j;
                row[f++] = u[first];
                feat_param[f] = j;
                row[f++] = (u[first] - 0.5) * (u[first] - 0.5);
            }
        }
        for (size_t j = 0; j < k; j++) {
            double z = pr->Z[i * k + j];
            row[n_feat + j] = isfinite(z) ? z : 0; /* missing: the mean */
        }
        row[n_feat + k] = d->t[i];
        r++;
    }
    for (size_t j = 0; j < D; j++)
        bg_standardise(A, d->n_use, D, j);
}

/* The candidate edges, as NOTEARS' mask (D x D over A's columns). Metrics
 * and the objective may take any metric as a parent; parameters are
 * screened first (preliminary neighbourhood selection, as CAM does before
 * its search): parameters are set by a design, independent of each other,
 * so their marginal association with a node is a fair score, and only the
 * best few per node enter NOTEARS. With fewer trials than columns, this is
 * what keeps the search well posed. Then the knowledge: forbidden edges
 * fixed at zero, required ones kept. 0, or -1 (out of memory). */
static int bg_candidates(const bograph_request *req, const bg_graph *gr, const double *A,
                         size_t n, size_t D, size_t n_feat, const size_t *feat_param,
                         unsigned char *mask)
{
    size_t p = gr->p, N = gr->N;
    for (size_t a = n_feat; a < D - 1; a++)
        for (size_t b = n_feat; b < D; b++)
            if (a != b)
                mask[a * D + b] = NOTEARS_FREE;
    unsigned char *chosen = malloc(p ? p : 1);
    if (!chosen)
        return -1;
    for (size_t b = n_feat; b < D; b++) {
        size_t keep = b == D - 1 ? BG_SCREEN_OBJECTIVE : BG_SCREEN_METRIC;
        if (bg_screen(A, n, D, n_feat, feat_param, p, b, keep, chosen) != 0) {
            free(chosen);
            return -1;
        }
        for (size_t a = 0; a < n_feat; a++)
            if (chosen[feat_param[a]])
                mask[a * D + b] = NOTEARS_FREE;
    }
    free(chosen);
    const knowledge *kn = req->kn;
    for (int pass = 0; pass < 2; pass++) {
        size_t ne = pass == 0 ? knowledge_n_forbidden(kn) : knowledge_n_edges(kn);
        for (size_t e = 0; e < ne; e++) {
            const char *fn, *tn;
            if (pass == 0)
                knowledge_forbidden(kn, e, &fn, &tn);
            else
                knowledge_edge(kn, e, &fn, &tn);
            int fv = bg_name_index(gr->names, N, fn), tv = bg_name_index(gr->names, N, tn);
            if (fv < 0 || tv < 0 || (size_t)tv < p)
                continue;
            size_t bcol = (size_t)tv - p + n_feat;
            for (size_t a = 0; a < D; a++) {
                size_t node = a < n_feat ? feat_param[a] : a - n_feat + p;
                if (node != (size_t)fv || a == bcol)
                    continue;
                if (pass == 0)
                    mask[a * D + bcol] = NOTEARS_FIXED_ZERO;
                else if (a >= n_feat || a == 0 || feat_param[a - 1] != node)
                    mask[a * D + bcol] = NOTEARS_REQUIRED; /* first column of the node */
            }
        }
    }
    return 0;
}

/* The learnt edges: NOTEARS' weights W (over A's columns) above the edge
 * thresholds, or required; a parameter's edge takes the largest weight of
 * its feature columns. Also sets the nodes' kinds. */
static void bg_learnt_edges(bg_graph *gr, const double *W, const unsigned char *mask, size_t D,
                            size_t n_feat, const size_t *feat_param)
{
    size_t p = gr->p, N = gr->N, obj = gr->p + gr->k;
    dag *g = gr->g;
    for (size_t v = 0; v < N; v++)
        g->kind[v] = v < p ? DAG_PARAM : (v == obj ? DAG_OBJECTIVE : DAG_METRIC);
    double thr_metric = BG_THRESHOLD_METRIC, thr_obj = BG_THRESHOLD_OBJECTIVE;
    for (size_t a = 0; a < D; a++) {
        size_t from = a < n_feat ? feat_param[a] : a - n_feat + p;
        for (size_t b = n_feat; b < D; b++) {
            size_t to = b - n_feat + p;
            double w = W[a * D + b];
            if (w == 0 || from == to)
                continue;
            if (mask[a * D + b] != NOTEARS_REQUIRED &&
                fabs(w) < (to == obj ? thr_obj : thr_metric))
                continue;
            if (fabs(w) > fabs(g->w[from * N + to]))
                dag_set_edge(g, from, to, w, DAG_LEARNED);
        }
    }
}

/* What the expert said: forbidden edges are remembered (so no rule wires
 * them later); required edges and the inputs of formulas become expert
 * edges; their nodes and the constrained ones are protected from pruning. */
static void bg_expert_edges(const bograph_request *req, bg_graph *gr)
{
    const knowledge *kn = req->kn;
    size_t N = gr->N;
    dag *g = gr->g;
    for (size_t e = 0; e < knowledge_n_forbidden(kn); e++) {
        const char *fn, *tn;
        knowledge_forbidden(kn, e, &fn, &tn);
        int fv = bg_name_index(gr->names, N, fn), tv = bg_name_index(gr->names, N, tn);
        if (fv >= 0 && tv >= 0)
            g->forbid[(size_t)fv * N + (size_t)tv] = 1;
    }
    for (size_t e = 0; e < knowledge_n_edges(kn); e++) {
        const char *fn, *tn;
        knowledge_edge(kn, e, &fn, &tn);
        int fv = bg_name_index(gr->names, N, fn), tv = bg_name_index(gr->names, N, tn);
        if (fv < 0 || tv < 0)
            continue;
        double w = g->w[(size_t)fv * N + (size_t)tv];
        dag_set_edge(g, (size_t)fv, (size_t)tv, w != 0 ? w : 1.0, DAG_EXPERT);
        g->protect[fv] = g->protect[tv] = 1;
    }
    for (size_t q = 0; q < knowledge_n_models(kn); q++) {
        const char *node, *formula;
        knowledge_model(kn, q, &node, &formula);
        int tv = bg_name_index(gr->names, N, node);
        if (tv < 0)
            continue;
        g->protect[tv] = 1;
        for (size_t vq = 0; vq < knowledge_model_n_vars(kn, q); vq++) {
            int fv = bg_name_index(gr->names, N, knowledge_model_var(kn, q, vq));
            if (fv < 0)
                continue;
            double w = g->w[(size_t)fv * N + (size_t)tv];
            dag_set_edge(g, (size_t)fv, (size_t)tv, w != 0 ? w : 1.0, DAG_EXPERT);
            g->protect[fv] = 1;
        }
    }
    for (size_t c = 0; c < req->n_constraints; c++) {
        int v = bg_name_index(gr->names, N, req->constraints[c].metric);
        if (v >= 0)
            g->protect[v] = 1;
    }
}

bg_graph *bg_learn(const bograph_request *req, const bg_data *d, const preprocess_result *pr,
                   char *err, size_t err_len)
{
    assert(req && d && pr && d->p == space_size(req->base.sp));
    size_t p = d->p, k = pr->k, N = p + k + 1, obj = p + k;
    size_t n_feat = bg_n_features(req->base.sp, p);
    size_t D = n_feat + k + 1;
    size_t n = d->n_use;
    bg_graph *gr = bg_graph_new(req, p, pr);
    double *A = malloc((n ? n : 1) * D * sizeof *A);
    size_t *feat_param = malloc((n_feat ? n_feat : 1) * sizeof *feat_param);
    unsigned char *mask = calloc(D * D, 1);
    double *W = malloc(D * D * sizeof *W);
    if (!gr || !A || !feat_param || !mask || !W)
        goto oom;
    bg_features(req, d, pr, D, A, feat_param);
    if (bg_candidates(req, gr, A, n, D, n_feat, feat_param, mask) != 0)
        goto oom;
    notears_options nopt;
    notears_options_default(&nopt);
    nopt.w_threshold = BG_THRESHOLD_NOTEARS;
    char sub[200];
    if (notears_fit(A, n, D, mask, &nopt, W, NULL, sub, sizeof sub) != 0) {
        bg_err(err, err_len, "structure learning failed: %s", sub);
        goto fail;
    }
    bg_learnt_edges(gr, W, mask, D, n_feat, feat_param);
    for (size_t b = n_feat; b + 1 < D; b++)
        if (bg_prune_param_parents(gr->g, A, n, D, n_feat, feat_param, p, b - n_feat + p, b) != 0)
            goto oom;
    bg_expert_edges(req, gr);
    dag *g = gr->g;
    if (dag_postprocess(g, sub, sizeof sub) != 0) {
        bg_err(err, err_len, "structure post-processing failed: %s", sub);
        goto fail;
    }
    /* With few trials per parameter, structure learning misses parents
     * (on the benchmark's systems at 10 trials it finds fewer than half
     * of them), and a parameter cut off the objective is then not
     * optimised at all. So while trials are fewer than BG_WIRE_ALL_MULT
     * times the parameters, every parameter stays a parent of the
     * objective and the metrics add what they explain on top: measured,
     * this one-step model beats both the pruned graph and the plain GP
     * there. Afterwards only parameters left without children are wired
     * (DESIGN.md's rule). */
    gr->wired_all = (double)n < BG_WIRE_ALL_MULT * (double)p;
    if (gr->wired_all)
        for (size_t j = 0; j < p; j++)
            if (!dag_has_edge(g, j, obj) && !g->forbid[j * N + obj])
                dag_set_edge(g, j, obj, 0, DAG_LEARNED);
    gr->learned_at = req->base.n_obs;
    gr->kn_fp = knowledge_fingerprint(req->kn);
    gr->cons_fp = bg_cons_fp(req);
    free(A);
    free(feat_param);
    free(mask);
    free(W);
    return gr;
oom:
    bg_err(err, err_len, "out of memory");
fail:
    bg_graph_free(gr);
    free(A);
    free(feat_param);
    free(mask);
    free(W);
    return NULL;
}
