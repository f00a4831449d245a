/*
 * bograph.c - the "bograph" algorithm's entry points: the fallback to the
 * plain GP, bg_prepare (the data, the graph in use, its held-out checks on
 * first use, the fitted graph model with its constraints and incumbent),
 * and bograph_suggest, bograph_predict and bograph_structure. It sits on
 * top of the module's other files, which never call back into it:
 *
 * graph_state.c holds the learnt graph, the study's state and the small
 * helpers the others share; bograph_request.c checks the request and
 * builds its data, bograph_current.c keeps or
 * relearns the graph, bograph_learn.c learns one, bograph_cv.c
 * cross-validates it against the plain GP, and bograph_export.c turns it
 * into the graph the service shows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/acqopt.h"
#include "bo/suggest.h"
#include "structure/blend.h"
#include "structure/bograph.h"
#include "structure/bograph_current.h"
#include "structure/bograph_cv.h"
#include "structure/bograph_export.h"
#include "structure/bograph_request.h"
#include "structure/bograph_run.h"
#include "structure/defaults.h"
#include "structure/dag.h"
#include "structure/feasibility.h"
#include "structure/graph_state.h"
#include "structure/model.h"
#include "structure/preprocess.h"
#include "util/rng.h"
#include "util/util.h"

/* ---- fallback ---- */

static int bg_fallback(const bograph_request *req, double *out, bograph_info *info,
                       const char *reason, char *err, size_t err_len)
{
    bo_request br = req->base;
    br.algorithm = BO_GP;
    br.state = req->state ? req->state->bo : NULL;
    if (info) {
        snprintf(info->model, sizeof info->model, "%s", BOGRAPH_MODEL_GP);
        info->learned_at_trial = 0;
        snprintf(info->reason, sizeof info->reason, "%s", reason);
    }
    return bo_suggest(&br, out, err, err_len);
}

/* ---- the suggestion ---- */

/* The acquisition: the graph model's log acquisition plus the log
 * probability that the configuration runs at all. */
typedef struct {
    model *m;
    blend *bl;                 /* the plain GP's share of the acquisition */
    const feasibility *feas;
    double *grad2;             /* scratch: the feasibility term's gradient */
} bg_acq_ctx;

static double bg_acq_fn(const double *u, double *grad, void *ctx)
{
    bg_acq_ctx *c = ctx;
    if (!grad)
        return blend_log_acq(c->bl, u, model_acq(c->m, u), NULL, NULL) +
               feasibility_log_prob(c->feas, u, NULL);
    double v = model_acq_grad(c->m, u, grad);
    v = blend_log_acq(c->bl, u, v, grad, grad);
    v += feasibility_log_prob(c->feas, u, c->grad2);
    for (size_t k = 0; k < c->m->dim_u; k++)
        grad[k] += c->grad2[k];
    return v;
}

static void bg_acq_batch(const double *U, size_t m, double *values, void *ctx)
{
    bg_acq_ctx *c = ctx;
    model_acq_batch(c->m, U, m, values);
    blend_log_acq_batch(c->bl, U, m, values);
    if (c->feas->g)
        for (size_t i = 0; i < m; i++)
            values[i] += feasibility_log_prob(c->feas, U + i * c->m->dim_u, NULL);
}

/* Whether some metric node lies between the parameters and the objective. */
static int bg_graph_useful(const bg_graph *gr)
{
    for (size_t v = gr->p; v < gr->p + gr->k; v++)
        if (gr->g->alive[v])
            return 1;
    return 0;
}

void bg_run_free(bg_run *r)
{
    model_free(&r->m);
    blend_free(&r->bl);
    gp_free(r->local_flat);
    feasibility_free(&r->feas);
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
        return req->min_trials < BG_MIN_TRIALS_FLOOR ? BG_MIN_TRIALS_FLOOR : req->min_trials;
    size_t n = req->base.n_initial ? req->base.n_initial : bo_default_n_initial(p);
    return n < BG_MIN_TRIALS_DEFAULT ? BG_MIN_TRIALS_DEFAULT : n;
}

/* The plain GP's share of the acquisition (blend.h): the graph's stacking
 * weight from its cross-validation, for LogEI with an incumbent and no
 * constraint on a metric (whose probabilities only the graph models). The
 * plain GP is warm-started from the state. Always 0: without the plain GP
 * the graph answers alone. */
static int bg_prepare_blend(const bograph_request *req, bg_run *r)
{
    double w = r->gr->checked ? r->gr->cv_weight : 1;
    if (r->m.acq != BO_ACQ_LOGEI || r->m.n_cons > 0 || !r->m.has_best || !(w < 1)) {
        blend_init(&r->bl, NULL, 1, r->m.best, NULL, NULL, NULL, 0, r->d.dim_u, 0, NULL, 0);
        return 0;
    }
    gp **slot = req->state ? &req->state->flat : &r->local_flat;
    if (*slot && gp_dim(*slot) != r->d.dim_u) {
        gp_free(*slot);
        *slot = NULL;
    }
    if (!*slot)
        *slot = gp_new(r->d.dim_u);
    if (!*slot || blend_init(&r->bl, *slot, w, r->m.best, r->d.U, r->d.t, r->d.use, r->d.n,
                             r->d.dim_u, rng_stream_seed(req->base.seed, 43), NULL, 0) != 0)
        blend_init(&r->bl, NULL, 1, r->m.best, NULL, NULL, NULL, 0, r->d.dim_u, 0, NULL, 0);
    return 0;
}

int bg_prepare(const bograph_request *req, bg_run *r, char *reason, size_t reason_len,
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
    gp **flat_slot = req->state ? &req->state->flat : &r->local_flat;
    if (!r->gr->checked) {
        /* First pass: metrics the parameters do not predict on held-out
         * trials (R^2 above the bar of BG_MIN_R2_*) are no mediators
         * (unrelated counters, or parents not found yet): they leave the
         * graph and their parameters go back to the objective. Second
         * pass: the graph against the plain GP, by the stacking weight
         * that blends the two (blend.h). */
        bg_graph *gr = r->gr;
        gr->checked = 1;
        gr->useful = 0;
        if (bg_cross_validate(req, &r->d, gr, r->pm, r->Z, gps, flat_slot) == 0) {
            int young = req->base.n_obs < BG_YOUNG_MULT * min_trials;
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
            gr->useful = (!pruned || bg_cross_validate(req, &r->d, gr, r->pm, r->Z, gps, flat_slot) == 0) &&
                         gr->cv_weight >= BG_BLEND_MIN_WEIGHT;
        }
    }
    if (!bg_graph_useful(r->gr)) {
        bg_err(reason, reason_len, "no metric is predicted by the parameters on held-out trials");
        return 1;
    }
    if (r->gr->checked && !r->gr->useful) {
        bg_err(reason, reason_len,
               "the graph adds nothing to the plain GP on held-out trials "
               "(weight %.2f; log density %.3g vs %.3g)",
               r->gr->cv_weight, r->gr->cv_graph, r->gr->cv_flat);
        return 1;
    }
    char sub[256];
    if (model_init(&r->m, req->base.sp, r->gr->g, r->pm, r->gr->k, (const char *const *)r->gr->names,
                   req->kn, gps, req->base.maximize, BG_MC_SAMPLES, rng_stream_seed(req->base.seed, 17), sub,
                   sizeof sub) != 0 ||
        model_fit(&r->m, r->d.U, req->base.X, r->Z, r->d.t, r->d.n, rng_stream_seed(req->base.seed, req->base.n_obs),
                  sub, sizeof sub) != 0) {
        bg_err(reason, reason_len, "%s", sub);
        return 1;
    }
    r->m.acq = req->base.acquisition;
    for (size_t c = 0; c < req->n_constraints; c++) {
        int v = bg_name_index(r->gr->names, r->gr->N, req->constraints[c].metric);
        if (v >= 0 && (size_t)v >= p && r->gr->g->alive[v])
            model_add_constraint(&r->m, (size_t)v, req->constraints[c].op,
                                 req->constraints[c].value);
    }
    /* Incumbent: the best observed objective among trials meeting the
     * constraints. */
    if (feasibility_fit(&r->feas, r->d.U, req->base.infeasible, r->d.n, r->d.dim_u,
                        rng_stream_seed(req->base.seed, 41), sub, sizeof sub) != 0) {
        bg_err(reason, reason_len, "%s", sub);
        return 1;
    }
    r->m.has_best = 0;
    r->m.best = -INFINITY;
    for (size_t i = 0; i < r->d.n; i++)
        if (r->d.use[i] && bg_row_feasible(req, i) && r->d.t[i] > r->m.best) {
            r->m.best = r->d.t[i];
            r->m.has_best = 1;
        }
    return bg_prepare_blend(req, r);
}

void bg_explain_node(const bg_run *r, size_t v, const double *vals, bograph_node_value *nv)
{
    size_t N = r->m.n_nodes, S = r->m.S;
    snprintf(nv->name, sizeof nv->name, "%s", r->gr->names[v]);
    const preprocess_metric *pm = &r->pm[v - r->gr->p];
    nv->mean = preprocess_from_std(pm, vals[v]);
    double sum = 0, sum2 = 0;
    for (size_t s = 0; s < S; s++) {
        double raw = preprocess_from_std(pm, r->m.val[s * N + v]);
        sum += raw;
        sum2 += raw * raw;
    }
    double var = S > 1 ? (sum2 - sum * sum / (double)S) / (double)(S - 1) : 0;
    nv->sd = var > 0 ? sqrt(var) : 0;
}

/* What the model expects at u (encoded), the acquisition value there: the
 * objective's mean and sd (as bograph_predict gives them) and the graph's
 * metric nodes. */
static void bg_explain_point(bg_run *r, const double *u, double acq, int maximize,
                             bograph_explain *x)
{
    model *m = &r->m;
    double *vals = malloc(r->gr->N * sizeof *vals);
    if (!vals)
        return;
    /* model_predict_nodes leaves the point's samples in m->val (S x N) */
    double mu, var;
    model_predict_nodes(m, u, vals, &mu, &var);
    double s = sqrt(var);
    double own = bg_data_own(&r->d, maximize, mu, &s);
    x->from_model = 1;
    x->mean = own;
    x->sd = s;
    x->acquisition = acq;
    x->n_nodes = 0;
    for (size_t v = r->gr->p; v < r->gr->p + r->gr->k && x->n_nodes < BOGRAPH_EXPLAIN_NODES; v++) {
        if (!r->gr->g->alive[v] || !r->gr->names[v])
            continue;
        bg_explain_node(r, v, vals, &x->nodes[x->n_nodes++]);
    }
    free(vals);
}

/* The n_best encoded configurations with the best objective (t scratch of
 * d->n values) into best, best first: the anchors of the acquisition
 * optimisation. */
static void bg_best_points(const bg_data *d, size_t n_best, double *t, double *best)
{
    size_t dim = d->dim_u;
    memcpy(t, d->t, d->n * sizeof *t);
    for (size_t a = 0; a < n_best; a++) {
        size_t bi = d->n;
        for (size_t i = 0; i < d->n; i++)
            if (isfinite(t[i]) && (bi == d->n || t[i] > t[bi]))
                bi = i;
        memcpy(best + a * dim, d->U + bi * dim, dim * sizeof *best);
        t[bi] = NAN;
    }
}

/* How the graph's acquisition is maximised for the k-th point of a batch.
 * Each value costs a propagation of every sample through the graph, so
 * fewer raw points and local runs than the plain GP's. */
static void bg_acq_options(const bg_run *r, uint64_t seed, size_t k, const double *anchors,
                           size_t n_anchor, acqopt_options *aopt)
{
    size_t raw = acqopt_default_raw(r->d.dim_u);
    acqopt_options_default(aopt);
    aopt->has_gradient = model_has_gradient(&r->m);
    aopt->seed = rng_stream_seed(seed ^ 0x5bd1e995ULL, r->d.n + k);
    aopt->batch = bg_acq_batch;
    aopt->n_raw = raw < BG_ACQ_RAW_MAX ? raw : BG_ACQ_RAW_MAX;
    aopt->n_local = BG_ACQ_N_LOCAL;
    aopt->anchors = anchors;
    aopt->n_anchors = n_anchor;
}

int bograph_suggest(const bograph_request *req, double *out, bograph_info *info, char *err,
                    size_t err_len)
{
    if (bg_validate(req, out, err, err_len) != 0)
        return -1;
    if (info)
        memset(info, 0, sizeof *info);
    if (req->base.count == 0)
        return 0;
    bg_run r;
    char reason[128], gp_reason[256] = "";
    int n_from_gp_first = 0;
    double t0 = util_monotonic();
    int prc = bg_prepare(req, &r, reason, sizeof reason, err, err_len);
    double t1 = util_monotonic();
    if (req->base.timing)
        req->base.timing->fit_seconds += t1 - t0;
    if (prc != 0) {
        bg_run_free(&r);
        return prc < 0 ? -1 : bg_fallback(req, out, info, reason, err, err_len);
    }
    int rc = -1;
    size_t p = r.d.p, dim = r.d.dim_u;
    double *exclude = NULL, *anchors = NULL, *u = NULL, *tsort = NULL;
    char sub[256];
    size_t n_anchor = r.d.n_use < BG_N_ANCHORS ? r.d.n_use : BG_N_ANCHORS;
    size_t max_ex = r.d.n + req->base.n_pending + req->base.count;
    exclude = malloc(max_ex * dim * sizeof *exclude);
    anchors = malloc((n_anchor ? n_anchor : 1) * dim * sizeof *anchors);
    u = malloc(dim * sizeof *u);
    tsort = malloc((r.d.n ? r.d.n : 1) * sizeof *tsort);
    bg_acq_ctx actx = {.m = &r.m, .bl = &r.bl, .feas = &r.feas, .grad2 = malloc(dim * sizeof *actx.grad2)};
    if (!exclude || !anchors || !u || !tsort || !actx.grad2) {
        bg_err(err, err_len, "out of memory");
        goto done;
    }
    bg_best_points(&r.d, n_anchor, tsort, anchors);
    memcpy(exclude, r.d.U, r.d.n * dim * sizeof *exclude);
    size_t n_ex = r.d.n;
    for (size_t i = 0; i < req->base.n_pending; i++) {
        space_encode(req->base.sp, req->base.pending + i * p, u);
        if (model_add_fantasy(&r.m, u, NULL, sub, sizeof sub) != 0 ||
            blend_add_fantasy(&r.bl, u, sub, sizeof sub) != 0) {
            bg_err(err, err_len, "pending point %zu: %s", i, sub);
            goto done;
        }
        memcpy(exclude + n_ex * dim, u, dim * sizeof *u);
        n_ex++;
    }
    for (size_t k = 0; k < req->base.count; k++) {
        acqopt_options aopt;
        bg_acq_options(&r, req->base.seed, k, anchors, n_anchor, &aopt);
        double val;
        char aerr[160];
        if (acqopt_maximize(req->base.sp, bg_acq_fn, &actx, &aopt, exclude, n_ex, u, &val, aerr,
                            sizeof aerr) != 0) {
            /* Nothing admissible left for the model: the plain GP (which
             * falls back to distinct random points) does the rest, with
             * what was chosen so far as pending. */
            bograph_request sub_req = *req;
            size_t n_pend = req->base.n_pending + k;
            double *pend = malloc((n_pend ? n_pend : 1) * p * sizeof *pend);
            if (!pend) {
                bg_err(err, err_len, "out of memory");
                goto done;
            }
            if (req->base.n_pending)
                memcpy(pend, req->base.pending, req->base.n_pending * p * sizeof *pend);
            memcpy(pend + req->base.n_pending * p, out, k * p * sizeof *pend);
            sub_req.base.pending = pend;
            sub_req.base.n_pending = n_pend;
            sub_req.base.explain = req->base.explain ? req->base.explain + k : NULL;
            sub_req.base.count = req->base.count - k;
            int frc = bg_fallback(&sub_req, out + k * p, NULL, "", err, err_len);
            free(pend);
            if (frc != 0)
                goto done;
            if (k == 0)
                n_from_gp_first = 1;
            snprintf(gp_reason, sizeof gp_reason, "the graph's acquisition found no point: %s",
                     aerr);
            break;
        }
        space_decode(req->base.sp, u, out + k * p);
        space_encode(req->base.sp, out + k * p, u);
        if (req->explain)
            bg_explain_point(&r, u, bg_acq_fn(u, NULL, &actx), req->base.maximize,
                             &req->explain[k]);
        memcpy(exclude + n_ex * dim, u, dim * sizeof *u);
        n_ex++;
        if (k + 1 < req->base.count && (model_add_fantasy(&r.m, u, NULL, sub, sizeof sub) != 0 ||
                                         blend_add_fantasy(&r.bl, u, sub, sizeof sub) != 0)) {
            bg_err(err, err_len, "batch point %zu: %s", k, sub);
            goto done;
        }
    }
    if (req->base.timing)
        req->base.timing->acq_seconds += util_monotonic() - t1;
    if (info && n_from_gp_first) {
        /* The GP answered the first point (and so the rest): say so. */
        snprintf(info->model, sizeof info->model, "%s", BOGRAPH_MODEL_GP);
        info->learned_at_trial = 0;
        snprintf(info->reason, sizeof info->reason, "%.*s", (int)sizeof info->reason - 1,
                 gp_reason);
    } else if (info) {
        snprintf(info->model, sizeof info->model, "%s", BOGRAPH_MODEL_GRAPH);
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
    free(actx.grad2);
    return rc;
}

/* What bograph_predict and bograph_explain_at share: the request checked,
 * then the graph model prepared in *r (freed here on failure). 0, or -1
 * with a message (no graph model: the reason the plain GP would answer). */
static int bg_open_model(const bograph_request *req, const double *configs, size_t m_pts,
                         const void *out, const char *fname, bg_run *r, char *err,
                         size_t err_len)
{
    double dummy = 0;
    if (bg_validate(req, &dummy, err, err_len) != 0)
        return -1;
    if (m_pts && (!configs || !out)) {
        bg_err(err, err_len, "%s: no configurations or output", fname);
        return -1;
    }
    char reason[128];
    int prc = bg_prepare(req, r, reason, sizeof reason, err, err_len);
    if (prc != 0) {
        if (prc > 0)
            bg_err(err, err_len, "no graph model: %s", reason);
        bg_run_free(r);
        return -1;
    }
    return 0;
}

int bograph_predict(const bograph_request *req, const double *configs, size_t m_pts,
                    double *mean, double *sd, char *err, size_t err_len)
{
    bg_run r;
    if (bg_open_model(req, configs, m_pts, mean, "bograph_predict", &r, err, err_len) != 0)
        return -1;
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
        if (space_validate(req->base.sp, configs + i * p, err, err_len) != 0) {
            rc = -1;
            break;
        }
        space_encode(req->base.sp, configs + i * p, u);
        r.m.beta = 0;
        double mu = model_acq(&r.m, u);
        double s = 0;
        if (sd) {
            r.m.beta = 1;
            s = model_acq(&r.m, u) - mu;
        }
        mean[i] = bg_data_own(&r.d, req->base.maximize, mu, &s);
        if (sd)
            sd[i] = s;
    }
    free(u);
    bg_run_free(&r);
    return rc;
}

int bograph_explain_at(const bograph_request *req, const double *configs, size_t m_pts,
                       bograph_explain *out, char *err, size_t err_len)
{
    bg_run r;
    if (bg_open_model(req, configs, m_pts, out, "bograph_explain_at", &r, err, err_len) != 0)
        return -1;
    double *u = malloc(r.d.dim_u * sizeof *u);
    int rc = u ? 0 : -1;
    if (!u)
        bg_err(err, err_len, "out of memory");
    bg_acq_ctx actx = {.m = &r.m, .bl = &r.bl, .feas = &r.feas, .grad2 = NULL};
    for (size_t i = 0; i < m_pts && rc == 0; i++) {
        if (space_validate(req->base.sp, configs + i * r.d.p, err, err_len) != 0) {
            rc = -1;
            break;
        }
        space_encode(req->base.sp, configs + i * r.d.p, u);
        bg_explain_point(&r, u, bg_acq_fn(u, NULL, &actx), req->base.maximize, &out[i]);
    }
    free(u);
    bg_run_free(&r);
    return rc;
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
