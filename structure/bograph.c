/*
 * bograph.c - the "bograph" algorithm: request checking, the fallback to
 * the plain GP, learning the graph (preprocessing, NOTEARS with parameter
 * basis features, post-processing, expert edges), keeping it in the study's
 * state, fitting the graph model and maximising its acquisition, and the
 * graph as the service shows it.
 *
 * NOTEARS is linear, but a parameter often acts on a metric through a bowl
 * (a best buffer size in the middle of its range), which no linear weight
 * sees. So each numeric parameter enters structure learning as two source
 * columns, u and (u - 1/2)^2 of its encoded value (a categorical one as its
 * one-hot columns); the parameter's edge weight is the largest of its
 * columns'. Parameters have no parents, so these columns never enter the
 * acyclicity term and cost almost nothing.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "bo/acqopt.h"
#include "bo/suggest.h"
#include "structure/bograph.h"
#include "structure/dag.h"
#include "structure/model.h"
#include "structure/notears.h"
#include "structure/preprocess.h"

#define BG_RELEARN_FRACTION 5
/* Cross-validation of a new graph against the plain GP. */
#define BG_CV_FOLDS 5
#define BG_CV_SAMPLES 32
/* The graph is kept unless it predicts held-out trials worse than the plain
 * GP by more than this (mean log density, nats per trial): the estimate from
 * a few folds is noisy, and a tie goes to the structured model. Unrelated
 * metrics lose by 0.6-1.7 nats on the benchmark; useful graphs are within
 * 0.15 of the GP even when the GP is ahead. A young graph (learnt on fewer
 * than BG_YOUNG_MULT times min_trials) gets no tolerance: its first
 * suggestions were worse than the plain GP's on the benchmark (the GP's
 * first model step after 10 space-filling trials is a strong one), so a
 * tie goes to the GP. */
#define BG_CV_TOLERANCE 0.15
#define BG_YOUNG_MULT 2
/* Held-out R^2 a metric must exceed, from its parents, to stay a mediator.
 * While every parameter is also a parent of the objective, a weak mediator
 * cuts nothing off: it must only predict better than its mean. Once
 * parameters reach the objective through metrics alone, a wrong mediator
 * leaves them unoptimised, so it needs real evidence: unrelated counters
 * reached 0.31 held-out R^2 on the benchmark, and 0.47 with 10-12 trials
 * (5 folds of 2-3 trials). */
#define BG_MIN_R2_WIRED 0.0
#define BG_MIN_R2_MEDIATOR 0.3
#define BG_MIN_R2_YOUNG 0.5
/* Trials with metrics before a graph, at least: with fewer, 5-fold
 * cross-validation holds out one or two trials per fold and unrelated
 * metrics pass it by chance. */
#define BG_MIN_TRIALS_DEFAULT 10
#define BG_RELEARN_MIN 2
#define BG_MC_SAMPLES 64
#define BG_N_ANCHORS 5
/* Parameters screened into structure learning per metric and for the
 * objective (see bg_learn). */
#define BG_SCREEN_METRIC 4
#define BG_SCREEN_OBJECTIVE 3
/* Edge thresholds on NOTEARS weights (standardised units): edges into a
 * metric, and into the objective, whose metric parents preprocessing has
 * already chosen for their relevance. */
#define BG_THRESHOLD_METRIC 0.15
#define BG_THRESHOLD_OBJECTIVE 0.05
#define BG_THRESHOLD_NOTEARS 0.02
/* While the trials are fewer than this many times the parameters, every
 * parameter stays a parent of the objective (see bg_learn). */
#define BG_WIRE_ALL_MULT 1.5

/* The learnt graph, by node names, as kept between calls. */
typedef struct {
    size_t p, k, N;            /* parameters, metrics, nodes (p + k + 1) */
    char **names;              /* N node names */
    dag *g;
    size_t learned_at;
    uint64_t kn_fp;
    uint64_t cons_fp;
    int wired_all;             /* every parameter is a parent of the objective */
    int checked;               /* cross-validated against the plain GP */
    int useful;                /* ... and predicted at least as well */
    double cv_graph, cv_flat;  /* mean held-out log predictive density */
    double *cv_r2;             /* per node: held-out R^2 of metrics, NULL until checked */
} bg_graph;

struct bograph_state {
    bg_graph *graph;
    gp **gps;                  /* per node of graph, warm-started */
    bo_state *bo;              /* the fallback GP's state */
};

static void bg_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bg_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static uint64_t bg_mix(uint64_t seed, uint64_t n)
{
    uint64_t z = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 29);
}

/* ---- small public helpers ---- */

int bograph_constraint_op_parse(const char *s, int *op)
{
    static const char *const ops[] = {"<=", "<", ">=", ">"};
    static const int vals[] = {BOGRAPH_LE, BOGRAPH_LT, BOGRAPH_GE, BOGRAPH_GT};
    if (!s || !op)
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(s, ops[i]) == 0) {
            *op = vals[i];
            return 0;
        }
    return -1;
}

const char *bograph_constraint_op_name(int op)
{
    switch (op) {
    case BOGRAPH_LE: return "<=";
    case BOGRAPH_LT: return "<";
    case BOGRAPH_GE: return ">=";
    case BOGRAPH_GT: return ">";
    }
    return "?";
}

const char *bograph_node_kind_name(bograph_node_kind k)
{
    switch (k) {
    case BOGRAPH_NODE_PARAM: return "param";
    case BOGRAPH_NODE_METRIC: return "metric";
    case BOGRAPH_NODE_OBJECTIVE: return "objective";
    }
    return "?";
}

const char *bograph_edge_source_name(bograph_edge_source s)
{
    return s == BOGRAPH_EDGE_EXPERT ? "expert" : "learned";
}

void bograph_request_init(bograph_request *req, const space *sp)
{
    memset(req, 0, sizeof *req);
    req->sp = sp;
    req->maximize = 1;
    req->count = 1;
    req->acquisition = BO_ACQ_LOGEI;
}

static void bg_graph_free(bg_graph *gr)
{
    if (!gr)
        return;
    if (gr->names)
        for (size_t v = 0; v < gr->N; v++)
            free(gr->names[v]);
    free(gr->names);
    dag_free(gr->g);
    free(gr->cv_r2);
    free(gr);
}

static void bg_state_drop_gps(bograph_state *st)
{
    if (st->gps && st->graph)
        for (size_t v = 0; v < st->graph->N; v++)
            gp_free(st->gps[v]);
    free(st->gps);
    st->gps = NULL;
}

bograph_state *bograph_state_new(void)
{
    bograph_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->bo = bo_state_new();
    if (!st->bo) {
        free(st);
        return NULL;
    }
    return st;
}

void bograph_state_free(bograph_state *st)
{
    if (!st)
        return;
    bg_state_drop_gps(st);
    bg_graph_free(st->graph);
    bo_state_free(st->bo);
    free(st);
}

void bograph_graph_free(bograph_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_nodes; i++)
        free(g->nodes[i].name);
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

/* ---- the request's data ---- */

typedef struct {
    size_t n, p, dim_u;
    double *U;                 /* n x dim_u encoded configurations */
    double *t;                 /* objective, maximisation units; NAN when unusable */
    unsigned char *use;        /* feasible, finite objective */
    size_t n_use;              /* rows usable */
    size_t n_with_metrics;     /* usable rows with at least one metric */
} bg_data;

static void bg_data_free(bg_data *d)
{
    free(d->U);
    free(d->t);
    free(d->use);
}

static int bg_data_build(const bograph_request *req, bg_data *d)
{
    memset(d, 0, sizeof *d);
    d->n = req->n_obs;
    d->p = space_size(req->sp);
    d->dim_u = space_encoded_dim(req->sp);
    size_t n = d->n ? d->n : 1;
    d->U = malloc(n * d->dim_u * sizeof *d->U);
    d->t = malloc(n * sizeof *d->t);
    d->use = calloc(n, 1);
    if (!d->U || !d->t || !d->use)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        space_encode(req->sp, req->X + i * d->p, d->U + i * d->dim_u);
        int inf = req->infeasible && req->infeasible[i];
        double y = req->y[i];
        d->t[i] = (!inf && isfinite(y)) ? (req->maximize ? y : -y) : NAN;
        d->use[i] = isfinite(d->t[i]);
        if (!d->use[i])
            continue;
        d->n_use++;
        for (size_t j = 0; j < req->n_metrics; j++)
            if (isfinite(req->metrics[i * req->n_metrics + j])) {
                d->n_with_metrics++;
                break;
            }
    }
    return 0;
}

static int bg_validate(const bograph_request *req, const double *out, char *err, size_t err_len)
{
    if (!req || !req->sp || !out) {
        bg_err(err, err_len, "bograph: missing request, space or output");
        return -1;
    }
    if (space_size(req->sp) == 0) {
        bg_err(err, err_len, "bograph: the space has no parameter");
        return -1;
    }
    if (req->n_obs && (!req->X || !req->y)) {
        bg_err(err, err_len, "bograph: %zu observations but no X or y", req->n_obs);
        return -1;
    }
    if (req->n_metrics && (!req->metric_names || (req->n_obs && !req->metrics))) {
        bg_err(err, err_len, "bograph: %zu metrics but no names or table", req->n_metrics);
        return -1;
    }
    for (size_t j = 0; j < req->n_metrics; j++)
        if (!req->metric_names[j]) {
            bg_err(err, err_len, "bograph: metric_names[%zu] is missing", j);
            return -1;
        }
    if (req->n_pending && !req->pending) {
        bg_err(err, err_len, "bograph: %zu pending but no array", req->n_pending);
        return -1;
    }
    if (req->n_constraints && !req->constraints) {
        bg_err(err, err_len, "bograph: %zu constraints but no array", req->n_constraints);
        return -1;
    }
    for (size_t c = 0; c < req->n_constraints; c++) {
        const bograph_constraint *k = &req->constraints[c];
        if (!k->metric || !k->metric[0]) {
            bg_err(err, err_len, "constraints[%zu]: no metric", c);
            return -1;
        }
        if (k->op < BOGRAPH_LE || k->op > BOGRAPH_GT) {
            bg_err(err, err_len, "constraints[%zu]: unknown operator %d", c, k->op);
            return -1;
        }
        if (!isfinite(k->value)) {
            bg_err(err, err_len, "constraints[%zu]: value is not a finite number", c);
            return -1;
        }
    }
    size_t p = space_size(req->sp);
    if (req->kn) {
        const char **pn = malloc(p * sizeof *pn);
        if (!pn) {
            bg_err(err, err_len, "out of memory");
            return -1;
        }
        for (size_t j = 0; j < p; j++)
            pn[j] = space_param_name(req->sp, j);
        int rc = knowledge_validate(req->kn, NULL, 0, pn, p, req->objective_name, err, err_len);
        free(pn);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---- fallback ---- */

static int bg_fallback(const bograph_request *req, double *out, bograph_info *info,
                       const char *reason, char *err, size_t err_len)
{
    bo_request br;
    bo_request_init(&br, req->sp);
    br.algorithm = BO_GP;
    br.acquisition = req->acquisition;
    br.maximize = req->maximize;
    br.X = req->X;
    br.y = req->y;
    br.infeasible = req->infeasible;
    br.n_obs = req->n_obs;
    br.pending = req->pending;
    br.n_pending = req->n_pending;
    br.count = req->count;
    br.seed = req->seed;
    br.n_initial = req->n_initial;
    br.state = req->state ? req->state->bo : NULL;
    if (info) {
        snprintf(info->model, sizeof info->model, "gp");
        info->learned_at_trial = 0;
        snprintf(info->reason, sizeof info->reason, "%s", reason);
    }
    return bo_suggest(&br, out, err, err_len);
}

/* ---- names ---- */

static int bg_name_index(char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

/* Metric names the model must keep: those named by knowledge or by a
 * constraint (and present in the table). */
static size_t bg_forced(const bograph_request *req, const char **out, size_t cap)
{
    size_t n = 0;
    const knowledge *kn = req->kn;
#define BG_FORCE(name)                                                                     \
    do {                                                                                   \
        const char *s_ = (name);                                                           \
        int seen_ = 0;                                                                     \
        for (size_t q_ = 0; q_ < n; q_++)                                                  \
            seen_ |= strcmp(out[q_], s_) == 0;                                             \
        if (!seen_ && n < cap)                                                             \
            out[n++] = s_;                                                                 \
    } while (0)
    for (size_t i = 0; i < knowledge_n_edges(kn); i++) {
        const char *f, *t;
        knowledge_edge(kn, i, &f, &t);
        BG_FORCE(f);
        BG_FORCE(t);
    }
    for (size_t i = 0; i < knowledge_n_models(kn); i++) {
        const char *node, *formula;
        knowledge_model(kn, i, &node, &formula);
        BG_FORCE(node);
        for (size_t q = 0; q < knowledge_model_n_vars(kn, i); q++)
            BG_FORCE(knowledge_model_var(kn, i, q));
    }
    for (size_t c = 0; c < req->n_constraints; c++)
        BG_FORCE(req->constraints[c].metric);
#undef BG_FORCE
    return n;
}

static uint64_t bg_cons_fp(const bograph_request *req)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t c = 0; c < req->n_constraints; c++)
        for (const char *s = req->constraints[c].metric;; s++) {
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
            if (!*s)
                break;
        }
    return h;
}

/* Runs preprocessing. When keep is not NULL (a graph being reused), only
 * those metric names are kept (forced), else the top-k are chosen. */
static int bg_preprocess(const bograph_request *req, const bg_data *d, char *const *keep,
                         size_t n_keep, preprocess_result *pr, char *err, size_t err_len)
{
    size_t p = d->p;
    const char **excluded = malloc((p + 1) * sizeof *excluded);
    const char **forced = malloc((n_keep + 4 * (knowledge_n_edges(req->kn) +
                                                knowledge_n_models(req->kn) + 16) +
                                  req->n_constraints + 16) *
                                 sizeof *forced);
    if (!excluded || !forced) {
        free(excluded);
        free(forced);
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < p; j++)
        excluded[j] = space_param_name(req->sp, j);
    size_t n_ex = p;
    if (req->objective_name)
        excluded[n_ex++] = req->objective_name;
    size_t n_forced;
    preprocess_options opt;
    preprocess_options_default(&opt);
    if (req->max_metrics)
        opt.top_k = req->max_metrics;
    if (keep) {
        for (size_t i = 0; i < n_keep; i++)
            forced[i] = keep[i];
        n_forced = n_keep;
        opt.top_k = 0;
    } else {
        n_forced = bg_forced(req, forced, 4 * (knowledge_n_edges(req->kn) +
                                               knowledge_n_models(req->kn) + 16) +
                                              req->n_constraints + 16);
    }
    int rc = preprocess_run(req->metric_names, req->n_metrics, req->metrics, req->n_obs, d->t,
                            d->use, forced, n_forced, excluded, n_ex, &opt, pr, err, err_len);
    free(excluded);
    free(forced);
    return rc;
}

/* ---- learning ---- */

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
        A[r * D + j] = sd > 1e-12 ? (A[r * D + j] - m) / sd : 0;
    return sd > 1e-12;
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
                gsl_matrix_set(&Gv.matrix, q, q2, g + (q == q2 ? 1e-2 * (double)n : 0));
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

static bg_graph *bg_learn(const bograph_request *req, const bg_data *d,
                          const preprocess_result *pr, char *err, size_t err_len)
{
    const space *sp = req->sp;
    size_t p = d->p, k = pr->k, N = p + k + 1, obj = p + k;
    /* Feature columns: per parameter its one-hot columns, or u and
     * (u - 1/2)^2. */
    size_t n_feat = 0;
    for (size_t j = 0; j < p; j++) {
        size_t first, count;
        space_param_encoded_span(sp, j, &first, &count);
        n_feat += space_param_type(sp, j) == SPACE_CATEGORICAL ? count : 2;
    }
    size_t D = n_feat + k + 1;
    size_t n = d->n_use;
    bg_graph *gr = calloc(1, sizeof *gr);
    double *A = malloc((n ? n : 1) * D * sizeof *A);
    size_t *feat_param = malloc((n_feat ? n_feat : 1) * sizeof *feat_param);
    unsigned char *mask = calloc(D * D, 1);
    double *W = malloc(D * D * sizeof *W);
    if (!gr || !A || !feat_param || !mask || !W)
        goto oom;
    gr->p = p;
    gr->k = k;
    gr->N = N;
    gr->names = calloc(N, sizeof *gr->names);
    gr->g = dag_new(N);
    if (!gr->names || !gr->g)
        goto oom;
    for (size_t j = 0; j < p; j++)
        gr->names[j] = strdup(space_param_name(sp, j));
    for (size_t j = 0; j < k; j++)
        gr->names[p + j] = strdup(pr->metrics[j].name);
    gr->names[obj] = strdup(req->objective_name ? req->objective_name : "objective");
    for (size_t v = 0; v < N; v++)
        if (!gr->names[v])
            goto oom;

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
        bg_standardise(A, n, D, j);

    /* Candidate edges. Metrics and the objective may take any metric as a
     * parent; parameters are screened first (preliminary neighbourhood
     * selection, as CAM does before its search): parameters are set by a
     * design, independent of each other, so their marginal association
     * with a node is a fair score, and only the best few per node enter
     * NOTEARS. With fewer trials than columns, this is what keeps the
     * search well posed. */
    for (size_t a = n_feat; a < D - 1; a++)
        for (size_t b = n_feat; b < D; b++)
            if (a != b)
                mask[a * D + b] = NOTEARS_FREE;
    unsigned char *chosen = malloc(p ? p : 1);
    if (!chosen)
        goto oom;
    for (size_t b = n_feat; b < D; b++) {
        size_t keep = b == D - 1 ? BG_SCREEN_OBJECTIVE : BG_SCREEN_METRIC;
        if (bg_screen(A, n, D, n_feat, feat_param, p, b, keep, chosen) != 0) {
            free(chosen);
            goto oom;
        }
        for (size_t a = 0; a < n_feat; a++)
            if (chosen[feat_param[a]])
                mask[a * D + b] = NOTEARS_FREE;
    }
    free(chosen);
    /* Knowledge: forbidden edges fixed at zero, required ones kept. */
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
    notears_options nopt;
    notears_options_default(&nopt);
    nopt.w_threshold = BG_THRESHOLD_NOTEARS;
    char sub[200];
    if (notears_fit(A, n, D, mask, &nopt, W, NULL, sub, sizeof sub) != 0) {
        bg_err(err, err_len, "structure learning failed: %s", sub);
        goto fail;
    }
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
    /* Expert edges: required ones and the inputs of formulas. */
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
            if (!dag_has_edge(g, j, obj))
                dag_set_edge(g, j, obj, 0, DAG_LEARNED);
    gr->learned_at = req->n_obs;
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

/* The preprocessing result reordered to the graph's metric order: pm[j] and
 * Z[:, j] for graph metric j. -1 when a graph metric has no data now. */
static int bg_align(const bg_graph *gr, const preprocess_result *pr, size_t n,
                    preprocess_metric *pm, double *Z)
{
    for (size_t j = 0; j < gr->k; j++) {
        size_t found = pr->k;
        for (size_t q = 0; q < pr->k; q++)
            if (strcmp(pr->metrics[q].name, gr->names[gr->p + j]) == 0)
                found = q;
        if (found == pr->k)
            return -1;
        pm[j] = pr->metrics[found];
        for (size_t i = 0; i < n; i++)
            Z[i * gr->k + j] = pr->Z[i * pr->k + found];
    }
    return 0;
}

/* Whether some metric node lies between the parameters and the objective. */
static int bg_graph_useful(const bg_graph *gr)
{
    for (size_t v = gr->p; v < gr->p + gr->k; v++)
        if (gr->g->alive[v])
            return 1;
    return 0;
}

/* The graph to use for this request: the state's when current, else a new
 * one (stored in the state when there is one). *owned receives a graph the
 * caller must free (no state). NULL with a reason when none can be had. */
static bg_graph *bg_current_graph(const bograph_request *req, const bg_data *d,
                                  preprocess_result *pr, bg_graph **owned, double **Z_out,
                                  preprocess_metric **pm_out, char *reason, size_t reason_len,
                                  int *hard_error, char *err, size_t err_len)
{
    bograph_state *st = req->state;
    bg_graph *gr = st ? st->graph : NULL;
    /* Default schedule: a young graph is relearnt often (every 2 trials
     * at first), an established one every fifth of the trials it was
     * learnt on (every 10 at 50 trials, 20 at 100). */
    size_t relearn = req->relearn_every;
    if (relearn == 0 && gr) {
        relearn = gr->learned_at / BG_RELEARN_FRACTION;
        if (relearn < BG_RELEARN_MIN)
            relearn = BG_RELEARN_MIN;
    }
    *owned = NULL;
    *hard_error = 0;
    if (gr && (req->n_obs >= gr->learned_at + relearn || req->n_obs < gr->learned_at ||
               gr->kn_fp != knowledge_fingerprint(req->kn) || gr->cons_fp != bg_cons_fp(req) ||
               gr->p != d->p))
        gr = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (gr) {
            if (bg_preprocess(req, d, gr->names + gr->p, gr->k, pr, err, err_len) != 0) {
                *hard_error = 1;
                return NULL;
            }
        } else {
            if (bg_preprocess(req, d, NULL, 0, pr, err, err_len) != 0) {
                *hard_error = 1;
                return NULL;
            }
            if (pr->k == 0) {
                bg_err(reason, reason_len, "no metric passed preprocessing");
                return NULL;
            }
            char sub[256];
            gr = bg_learn(req, d, pr, sub, sizeof sub);
            if (!gr) {
                bg_err(reason, reason_len, "%s", sub);
                return NULL;
            }
            if (st) {
                bg_state_drop_gps(st);
                bg_graph_free(st->graph);
                st->graph = gr;
            } else {
                *owned = gr;
            }
        }
        double *Z = malloc((d->n * gr->k > 0 ? d->n * gr->k : 1) * sizeof *Z);
        preprocess_metric *pm = malloc((gr->k ? gr->k : 1) * sizeof *pm);
        if (!Z || !pm) {
            free(Z);
            free(pm);
            bg_err(err, err_len, "out of memory");
            *hard_error = 1;
            return NULL;
        }
        if (bg_align(gr, pr, d->n, pm, Z) == 0) {
            *Z_out = Z;
            *pm_out = pm;
            return gr;
        }
        /* A metric of the kept graph has no data any more: learn again. */
        free(Z);
        free(pm);
        preprocess_result_free(pr);
        if (*owned) {
            bg_graph_free(*owned);
            *owned = NULL;
        }
        gr = NULL;
    }
    bg_err(reason, reason_len, "the graph's metrics have no data");
    return NULL;
}

/* ---- the suggestion ---- */

static double bg_acq_fn(const double *u, double *grad, void *ctx)
{
    if (grad)
        return model_acq_grad(ctx, u, grad);
    return model_acq(ctx, u);
}

static void bg_acq_batch(const double *U, size_t m, double *values, void *ctx)
{
    model_acq_batch(ctx, U, m, values);
}

/* Whether observed row i meets the constraints (metrics as reported). */
static int bg_row_feasible(const bograph_request *req, size_t i)
{
    for (size_t c = 0; c < req->n_constraints; c++) {
        const bograph_constraint *k = &req->constraints[c];
        double v = NAN;
        if (req->objective_name && strcmp(k->metric, req->objective_name) == 0) {
            v = req->y[i];
        } else {
            for (size_t j = 0; j < req->n_metrics; j++)
                if (strcmp(req->metric_names[j], k->metric) == 0)
                    v = req->metrics[i * req->n_metrics + j];
        }
        if (!isfinite(v))
            return 0;
        int ok = k->op == BOGRAPH_LE ? v <= k->value
               : k->op == BOGRAPH_LT ? v < k->value
               : k->op == BOGRAPH_GE ? v >= k->value
                                     : v > k->value;
        if (!ok)
            return 0;
    }
    return 1;
}

/* Cross-validation of the graph model against the plain GP: K folds of the
 * usable trials; on each, both are fitted to the other folds and predict
 * the held-out objectives from the configurations alone (the graph model
 * through its metrics). The score is the mean log predictive density, so
 * an overconfident model loses as it should. The graph's structure is the
 * one learnt on all trials; only the GPs are refitted. Run once per learnt
 * graph. 0, or -1 (out of memory or a failed fit: treated as not useful). */
static int bg_cross_validate(const bograph_request *req, const bg_data *d, bg_graph *gr,
                             const preprocess_metric *pm, const double *Z)
{
    size_t n = d->n, k = gr->k, dim = d->dim_u, N = gr->N;
    size_t K = BG_CV_FOLDS;
    double *t = malloc((n ? n : 1) * sizeof *t), *Zf = malloc((n * k > 0 ? n * k : 1) * sizeof *Zf);
    double *Ut = malloc((n ? n : 1) * dim * sizeof *Ut), *yt = malloc((n ? n : 1) * sizeof *yt);
    gp **gps = calloc(N, sizeof *gps);
    gp *flat = gp_new(dim);
    double *nodev = malloc(N * sizeof *nodev), *sse = calloc(N, sizeof *sse);
    double *sst = calloc(N, sizeof *sst);
    double sg = 0, sf = 0;
    size_t cnt = 0;
    int rc = -1;
    if (!gr->cv_r2)
        gr->cv_r2 = malloc(N * sizeof *gr->cv_r2);
    if (!t || !Zf || !Ut || !yt || !gps || !flat || !nodev || !sse || !sst || !gr->cv_r2)
        goto done;
    for (size_t f = 0; f < K; f++) {
        size_t nt = 0, q = 0;
        for (size_t i = 0; i < n; i++) {
            int held = d->use[i] && (q++ % K) == f;
            t[i] = held ? NAN : d->t[i];
            for (size_t j = 0; j < k; j++)
                Zf[i * k + j] = held ? NAN : Z[i * k + j];
            if (!held && d->use[i]) {
                memcpy(Ut + nt * dim, d->U + i * dim, dim * sizeof *Ut);
                yt[nt++] = d->t[i];
            }
        }
        if (nt < 3)
            continue;
        model m;
        char sub[256];
        if (model_init(&m, req->sp, gr->g, pm, k, (const char *const *)gr->names, req->kn, gps,
                       req->maximize, BG_CV_SAMPLES, bg_mix(req->seed, 29 + f), sub,
                       sizeof sub) != 0)
            goto done;
        if (model_fit(&m, d->U, req->X, Zf, t, n, bg_mix(req->seed, 31 + f), sub,
                      sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        gp_options opt;
        gp_options_default(&opt);
        opt.n_restarts = bo_gp_restarts(nt);
        opt.seed = bg_mix(req->seed, 37 + f);
        if (gp_fit(flat, Ut, yt, nt, &opt, sub, sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        m.acq = BO_ACQ_UCB;
        double obj_noise = gp_noise_variance(m.nodes[m.obj].g);
        q = 0;
        for (size_t i = 0; i < n; i++) {
            if (!(d->use[i] && (q++ % K) == f))
                continue;
            const double *u = d->U + i * dim;
            model_predict_nodes(&m, u, nodev);
            for (size_t j = 0; j < k; j++) {
                double z = Z[i * k + j];
                if (isfinite(z) && isfinite(nodev[gr->p + j])) {
                    sse[gr->p + j] += (z - nodev[gr->p + j]) * (z - nodev[gr->p + j]);
                    sst[gr->p + j] += z * z; /* standardised: mean 0 */
                }
            }
            m.beta = 0;
            double mu = model_acq(&m, u);
            m.beta = 1;
            double sdg = model_acq(&m, u) - mu;
            double vg = sdg * sdg + obj_noise;
            double fm, fv;
            gp_predict(flat, u, &fm, &fv, NULL, NULL);
            fv = (fv > 0 ? fv : 0) + gp_noise_variance(flat);
            double eg = d->t[i] - mu, ef = d->t[i] - fm;
            sg += -0.5 * log(2 * M_PI * vg) - 0.5 * eg * eg / vg;
            sf += -0.5 * log(2 * M_PI * fv) - 0.5 * ef * ef / fv;
            cnt++;
        }
        model_free(&m);
    }
    if (cnt == 0)
        goto done;
    gr->cv_graph = sg / (double)cnt;
    gr->cv_flat = sf / (double)cnt;
    for (size_t v = 0; v < N; v++)
        gr->cv_r2[v] = sst[v] > 0 ? 1 - sse[v] / sst[v] : NAN;
    rc = 0;
done:
    free(nodev);
    free(sse);
    free(sst);
    if (gps)
        for (size_t v = 0; v < N; v++)
            gp_free(gps[v]);
    free(gps);
    gp_free(flat);
    free(t);
    free(Zf);
    free(Ut);
    free(yt);
    return rc;
}

/* Everything one call builds: the data, the graph in use and the fitted
 * model. */
typedef struct {
    bg_data d;
    preprocess_result pr;
    bg_graph *gr, *owned;
    double *Z;
    preprocess_metric *pm;
    model m;
    gp **local_gps;
} bg_run;

static void bg_run_free(bg_run *r)
{
    model_free(&r->m);
    if (r->local_gps) {
        for (size_t v = 0; r->gr && v < r->gr->N; v++)
            gp_free(r->local_gps[v]);
        free(r->local_gps);
    }
    free(r->Z);
    free(r->pm);
    preprocess_result_free(&r->pr);
    bg_graph_free(r->owned);
    bg_data_free(&r->d);
    memset(r, 0, sizeof *r);
}

/* Feasible trials with metrics before a graph is learnt: req->min_trials,
 * or by default the GP's space-filling design size but at least
 * BG_MIN_TRIALS_DEFAULT. */
static size_t bg_min_trials(const bograph_request *req, size_t p)
{
    if (req->min_trials)
        return req->min_trials < 3 ? 3 : req->min_trials;
    size_t n = req->n_initial ? req->n_initial : bo_default_n_initial(p);
    return n < BG_MIN_TRIALS_DEFAULT ? BG_MIN_TRIALS_DEFAULT : n;
}

/* Builds the data, the graph and the fitted model for req. Returns 0 when
 * the graph model is ready, 1 when the plain GP must answer (reason says
 * why), -1 on a hard error (err). */
static int bg_prepare(const bograph_request *req, bg_run *r, char *reason, size_t reason_len,
                      char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    reason[0] = '\0';
    if (bg_data_build(req, &r->d) != 0) {
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    size_t p = r->d.p;
    size_t min_trials = bg_min_trials(req, p);
    if (req->n_metrics == 0 || r->d.n_with_metrics == 0) {
        bg_err(reason, reason_len, "the trials report no metrics");
        return 1;
    }
    if (r->d.n_with_metrics < min_trials) {
        bg_err(reason, reason_len, "%zu of %zu trials needed with metrics", r->d.n_with_metrics,
               min_trials);
        return 1;
    }
    int hard = 0;
    r->gr = bg_current_graph(req, &r->d, &r->pr, &r->owned, &r->Z, &r->pm, reason, reason_len,
                             &hard, err, err_len);
    if (!r->gr)
        return hard ? -1 : 1;
    if (!bg_graph_useful(r->gr)) {
        bg_err(reason, reason_len, "no metric links the parameters to the objective");
        return 1;
    }
    if (!r->gr->checked) {
        /* First pass: metrics the parameters do not predict on held-out
         * trials (R^2 above the bar of BG_MIN_R2_*) are no mediators
         * (unrelated counters, or parents not found yet): they leave the
         * graph and their parameters go back to the objective. Second
         * pass: the graph against the plain GP. */
        bg_graph *gr = r->gr;
        gr->checked = 1;
        gr->useful = 0;
        if (bg_cross_validate(req, &r->d, gr, r->pm, r->Z) == 0) {
            int young = req->n_obs < BG_YOUNG_MULT * min_trials;
            double min_r2 = gr->wired_all ? BG_MIN_R2_WIRED
                          : young         ? BG_MIN_R2_YOUNG
                                          : BG_MIN_R2_MEDIATOR;
            int pruned = 0;
            for (size_t v = gr->p; v < gr->p + gr->k; v++)
                if (gr->g->alive[v] && !gr->g->protect[v] && !(gr->cv_r2[v] > min_r2)) {
                    gr->g->alive[v] = 0;
                    pruned = 1;
                }
            char sub[160];
            if (pruned && dag_postprocess(gr->g, sub, sizeof sub) != 0) {
                bg_err(reason, reason_len, "%s", sub);
                return 1;
            }
            if (!bg_graph_useful(gr)) {
                bg_err(reason, reason_len,
                       "no metric is predicted by the parameters on held-out trials");
                return 1;
            }
            gr->useful = (!pruned || bg_cross_validate(req, &r->d, gr, r->pm, r->Z) == 0) &&
                         gr->cv_graph >= gr->cv_flat - (young ? 0 : BG_CV_TOLERANCE);
        }
    }
    if (!bg_graph_useful(r->gr)) {
        bg_err(reason, reason_len, "no metric is predicted by the parameters on held-out trials");
        return 1;
    }
    if (r->gr->checked && !r->gr->useful) {
        bg_err(reason, reason_len,
               "the graph predicts held-out trials worse than the plain GP "
               "(log density %.3g vs %.3g)",
               r->gr->cv_graph, r->gr->cv_flat);
        return 1;
    }
    gp **gps;
    if (req->state) {
        if (!req->state->gps)
            req->state->gps = calloc(r->gr->N, sizeof *req->state->gps);
        gps = req->state->gps;
    } else {
        gps = r->local_gps = calloc(r->gr->N, sizeof *r->local_gps);
    }
    if (!gps) {
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    char sub[256];
    if (model_init(&r->m, req->sp, r->gr->g, r->pm, r->gr->k, (const char *const *)r->gr->names,
                   req->kn, gps, req->maximize, BG_MC_SAMPLES, bg_mix(req->seed, 17), sub,
                   sizeof sub) != 0 ||
        model_fit(&r->m, r->d.U, req->X, r->Z, r->d.t, r->d.n, bg_mix(req->seed, req->n_obs),
                  sub, sizeof sub) != 0) {
        bg_err(reason, reason_len, "%s", sub);
        return 1;
    }
    r->m.acq = req->acquisition;
    for (size_t c = 0; c < req->n_constraints; c++) {
        int v = bg_name_index(r->gr->names, r->gr->N, req->constraints[c].metric);
        if (v >= 0 && (size_t)v >= p && r->gr->g->alive[v])
            model_add_constraint(&r->m, (size_t)v, req->constraints[c].op,
                                 req->constraints[c].value);
    }
    /* Incumbent: the best observed objective among trials meeting the
     * constraints. */
    r->m.has_best = 0;
    r->m.best = -INFINITY;
    for (size_t i = 0; i < r->d.n; i++)
        if (r->d.use[i] && bg_row_feasible(req, i) && r->d.t[i] > r->m.best) {
            r->m.best = r->d.t[i];
            r->m.has_best = 1;
        }
    return 0;
}

int bograph_suggest(const bograph_request *req, double *out, bograph_info *info, char *err,
                    size_t err_len)
{
    if (bg_validate(req, out, err, err_len) != 0)
        return -1;
    if (info)
        memset(info, 0, sizeof *info);
    if (req->count == 0)
        return 0;
    bg_run r;
    char reason[128];
    int prc = bg_prepare(req, &r, reason, sizeof reason, err, err_len);
    if (prc != 0) {
        bg_run_free(&r);
        return prc < 0 ? -1 : bg_fallback(req, out, info, reason, err, err_len);
    }
    int rc = -1;
    size_t p = r.d.p, dim = r.d.dim_u;
    double *exclude = NULL, *anchors = NULL, *u = NULL, *tsort = NULL;
    char sub[256];
    size_t n_anchor = r.d.n_use < BG_N_ANCHORS ? r.d.n_use : BG_N_ANCHORS;
    size_t max_ex = r.d.n + req->n_pending + req->count;
    exclude = malloc(max_ex * dim * sizeof *exclude);
    anchors = malloc((n_anchor ? n_anchor : 1) * dim * sizeof *anchors);
    u = malloc(dim * sizeof *u);
    tsort = malloc((r.d.n ? r.d.n : 1) * sizeof *tsort);
    if (!exclude || !anchors || !u || !tsort) {
        bg_err(err, err_len, "out of memory");
        goto done;
    }
    memcpy(tsort, r.d.t, r.d.n * sizeof *tsort);
    for (size_t a = 0; a < n_anchor; a++) {
        size_t bi = r.d.n;
        for (size_t i = 0; i < r.d.n; i++)
            if (isfinite(tsort[i]) && (bi == r.d.n || tsort[i] > tsort[bi]))
                bi = i;
        memcpy(anchors + a * dim, r.d.U + bi * dim, dim * sizeof *anchors);
        tsort[bi] = NAN;
    }
    memcpy(exclude, r.d.U, r.d.n * dim * sizeof *exclude);
    size_t n_ex = r.d.n;
    for (size_t i = 0; i < req->n_pending; i++) {
        space_encode(req->sp, req->pending + i * p, u);
        if (model_add_fantasy(&r.m, u, NULL, sub, sizeof sub) != 0) {
            bg_err(err, err_len, "pending point %zu: %s", i, sub);
            goto done;
        }
        memcpy(exclude + n_ex * dim, u, dim * sizeof *u);
        n_ex++;
    }
    for (size_t k = 0; k < req->count; k++) {
        acqopt_options aopt;
        acqopt_options_default(&aopt);
        aopt.has_gradient = model_has_gradient(&r.m);
        aopt.seed = bg_mix(req->seed ^ 0x5bd1e995ULL, r.d.n + k);
        aopt.batch = bg_acq_batch;
        aopt.anchors = anchors;
        aopt.n_anchors = n_anchor;
        double val;
        char aerr[160];
        if (acqopt_maximize(req->sp, bg_acq_fn, &r.m, &aopt, exclude, n_ex, u, &val, aerr,
                            sizeof aerr) != 0) {
            /* Nothing admissible left for the model: the plain GP (which
             * falls back to distinct random points) does the rest, with
             * what was chosen so far as pending. */
            bograph_request sub_req = *req;
            size_t n_pend = req->n_pending + k;
            double *pend = malloc((n_pend ? n_pend : 1) * p * sizeof *pend);
            if (!pend) {
                bg_err(err, err_len, "out of memory");
                goto done;
            }
            if (req->n_pending)
                memcpy(pend, req->pending, req->n_pending * p * sizeof *pend);
            memcpy(pend + req->n_pending * p, out, k * p * sizeof *pend);
            sub_req.pending = pend;
            sub_req.n_pending = n_pend;
            sub_req.count = req->count - k;
            int frc = bg_fallback(&sub_req, out + k * p, NULL, "", err, err_len);
            free(pend);
            if (frc != 0)
                goto done;
            break;
        }
        space_decode(req->sp, u, out + k * p);
        space_encode(req->sp, out + k * p, u);
        memcpy(exclude + n_ex * dim, u, dim * sizeof *u);
        n_ex++;
        if (k + 1 < req->count && model_add_fantasy(&r.m, u, NULL, sub, sizeof sub) != 0) {
            bg_err(err, err_len, "batch point %zu: %s", k, sub);
            goto done;
        }
    }
    if (info) {
        snprintf(info->model, sizeof info->model, "bograph");
        info->learned_at_trial = r.gr->learned_at;
        info->reason[0] = '\0';
    }
    rc = 0;
done:
    bg_run_free(&r);
    free(exclude);
    free(anchors);
    free(u);
    free(tsort);
    return rc;
}

int bograph_predict(const bograph_request *req, const double *configs, size_t m_pts,
                    double *mean, double *sd, char *err, size_t err_len)
{
    double dummy = 0;
    if (bg_validate(req, &dummy, err, err_len) != 0)
        return -1;
    if (m_pts && (!configs || !mean)) {
        bg_err(err, err_len, "bograph_predict: no configurations or output");
        return -1;
    }
    bg_run r;
    char reason[128];
    int prc = bg_prepare(req, &r, reason, sizeof reason, err, err_len);
    if (prc != 0) {
        if (prc > 0)
            bg_err(err, err_len, "no graph model: %s", reason);
        bg_run_free(&r);
        return -1;
    }
    size_t dim = r.d.dim_u, p = r.d.p;
    double *u = malloc(dim * sizeof *u);
    if (!u) {
        bg_run_free(&r);
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    int rc = 0;
    r.m.acq = BO_ACQ_UCB;
    r.m.n_cons = 0;
    for (size_t i = 0; i < m_pts && rc == 0; i++) {
        if (space_validate(req->sp, configs + i * p, err, err_len) != 0) {
            rc = -1;
            break;
        }
        space_encode(req->sp, configs + i * p, u);
        r.m.beta = 0;
        double mu = model_acq(&r.m, u);
        double s = 0;
        if (sd) {
            r.m.beta = 1;
            s = model_acq(&r.m, u) - mu;
        }
        mean[i] = req->maximize ? mu : -mu;
        if (sd)
            sd[i] = s;
    }
    free(u);
    bg_run_free(&r);
    return rc;
}

/* ---- the graph as the service shows it ---- */

static int bg_export(const bg_graph *gr, const bograph_request *req, bograph_graph *out,
                     char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    if (!gr) {
        /* No graph yet: the parameters, the objective and the expert edges
         * between them. */
        size_t p = space_size(req->sp);
        out->nodes = calloc(p + 1, sizeof *out->nodes);
        if (!out->nodes)
            goto oom;
        for (size_t j = 0; j < p; j++) {
            out->nodes[j].name = strdup(space_param_name(req->sp, j));
            out->nodes[j].kind = BOGRAPH_NODE_PARAM;
            out->n_nodes++;
            if (!out->nodes[j].name)
                goto oom;
        }
        out->nodes[p].name = strdup(req->objective_name ? req->objective_name : "objective");
        out->nodes[p].kind = BOGRAPH_NODE_OBJECTIVE;
        out->n_nodes++;
        if (!out->nodes[p].name)
            goto oom;
        size_t ne = knowledge_n_edges(req->kn);
        out->edges = calloc(ne ? ne : 1, sizeof *out->edges);
        if (!out->edges)
            goto oom;
        for (size_t e = 0; e < ne; e++) {
            const char *fn, *tn;
            knowledge_edge(req->kn, e, &fn, &tn);
            size_t fi = out->n_nodes, ti = out->n_nodes;
            for (size_t v = 0; v < out->n_nodes; v++) {
                if (strcmp(out->nodes[v].name, fn) == 0)
                    fi = v;
                if (strcmp(out->nodes[v].name, tn) == 0)
                    ti = v;
            }
            if (fi < out->n_nodes && ti < out->n_nodes) {
                out->edges[out->n_edges].from = fi;
                out->edges[out->n_edges].to = ti;
                out->edges[out->n_edges].weight = 1.0;
                out->edges[out->n_edges].source = BOGRAPH_EDGE_EXPERT;
                out->n_edges++;
            }
        }
        return 0;
    }
    const dag *g = gr->g;
    size_t *idx = malloc(gr->N * sizeof *idx);
    out->nodes = calloc(gr->N, sizeof *out->nodes);
    out->edges = calloc(gr->N * gr->N, sizeof *out->edges);
    if (!idx || !out->nodes || !out->edges) {
        free(idx);
        goto oom;
    }
    for (size_t v = 0; v < gr->N; v++) {
        idx[v] = gr->N;
        if (!g->alive[v])
            continue;
        idx[v] = out->n_nodes;
        bograph_node *nd = &out->nodes[out->n_nodes++];
        nd->name = strdup(gr->names[v]);
        nd->kind = g->kind[v] == DAG_PARAM    ? BOGRAPH_NODE_PARAM
                 : g->kind[v] == DAG_METRIC   ? BOGRAPH_NODE_METRIC
                                              : BOGRAPH_NODE_OBJECTIVE;
        if (!nd->name) {
            free(idx);
            goto oom;
        }
    }
    for (size_t a = 0; a < gr->N; a++)
        for (size_t b = 0; b < gr->N; b++) {
            if (!dag_has_edge(g, a, b))
                continue;
            bograph_edge *e = &out->edges[out->n_edges++];
            e->from = idx[a];
            e->to = idx[b];
            e->weight = g->w[a * gr->N + b];
            e->source = g->src[a * gr->N + b] == DAG_EXPERT ? BOGRAPH_EDGE_EXPERT
                                                            : BOGRAPH_EDGE_LEARNED;
        }
    out->learned_at_trial = gr->learned_at;
    free(idx);
    return 0;
oom:
    bograph_graph_free(out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    bg_err(err, err_len, "out of memory");
    return -1;
}

int bograph_state_graph(const bograph_state *st, bograph_graph *out, char *err, size_t err_len)
{
    if (!out) {
        bg_err(err, err_len, "bograph: no output graph");
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->algorithm, sizeof out->algorithm, "notears");
    if (!st || !st->graph)
        return 0;
    bograph_request dummy;
    memset(&dummy, 0, sizeof dummy);
    return bg_export(st->graph, &dummy, out, err, err_len);
}

int bograph_structure(const bograph_request *req, bograph_graph *out, char *err, size_t err_len)
{
    if (!out) {
        bg_err(err, err_len, "bograph: no output graph");
        return -1;
    }
    double dummy_out = 0;
    if (bg_validate(req, &dummy_out, err, err_len) != 0)
        return -1;
    bg_data d;
    if (bg_data_build(req, &d) != 0) {
        bg_data_free(&d);
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    size_t min_trials = bg_min_trials(req, d.p);
    bg_graph *gr = NULL, *owned = NULL;
    preprocess_result pr;
    memset(&pr, 0, sizeof pr);
    double *Z = NULL;
    preprocess_metric *pm = NULL;
    if (req->n_metrics > 0 && d.n_with_metrics >= min_trials) {
        char reason[128];
        int hard = 0;
        gr = bg_current_graph(req, &d, &pr, &owned, &Z, &pm, reason, sizeof reason, &hard, err,
                              err_len);
        if (!gr && hard) {
            preprocess_result_free(&pr);
            bg_data_free(&d);
            return -1;
        }
    }
    int rc = bg_export(gr, req, out, err, err_len);
    free(Z);
    free(pm);
    preprocess_result_free(&pr);
    bg_graph_free(owned);
    bg_data_free(&d);
    return rc;
}
