/*
 * bograph_multi.c - bograph on a study of several objectives (see
 * bograph_multi.h): per objective, its metric table and knowledge (the
 * other objectives and this one's known descendants left out), its graph
 * model through bg_prepare or else its plain GP; then EHVI over their
 * predictions, maximised with acqopt, pending and batch points by kriging
 * believer; the GP path (bo_suggest_multi) when no graph answers or the
 * acquisition finds no point.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/acqopt.h"
#include "bo/defaults.h"
#include "bo/ehvi.h"
#include "bo/pareto.h"
#include "structure/bograph_multi.h"
#include "structure/bograph_run.h"
#include "structure/defaults.h"
#include "util/rng.h"
#include "util/strmap.h"
#include "util/util.h"

/* One objective: its request and either its graph model (run) or its
 * plain GP (dt, g). */
typedef struct {
    int graph;
    bograph_request req;
    double *y;                 /* its column of Y */
    const char **mnames;       /* its metric table */
    double *mtab;
    size_t n_m;
    bograph_constraint *cons;
    knowledge *kn;             /* owned, NULL when none */
    bg_run r;
    bo_data dt;
    gp *g, *owned;
    double var_floor;
    char reason[128];
} bgm_obj;

typedef struct {
    const bograph_multi_request *req;
    size_t m, p, dim, n;
    bgm_obj o[BO_MULTI_MAX_OBJECTIVES];
    const feasibility *feas;   /* of the first objective with a graph */
    model *cons_model;         /* the first graph with constraints on nodes, or NULL */
    double ref[BO_MULTI_MAX_OBJECTIVES];
    double *front;             /* n_front x m, maximised, the models' units */
    size_t n_front;
    ehvi_boxes *boxes;
    double *z;                 /* BO_EHVI_MC_SAMPLES x m normal draws (m >= 3) */
    double *exclude;           /* n_ex x dim */
    size_t n_ex;
    double *anchors;
    size_t n_anchor;
} bgm_model;

void bograph_multi_request_init(bograph_multi_request *req, const space *sp)
{
    memset(req, 0, sizeof *req);
    bograph_request_init(&req->one, sp);
}

/* ---- each objective's request ---- */

static int bgm_in(const strmap *set, const char *s)
{
    return strmap_get(set, s, NULL) == 1;
}

/* Adds child c under parent in the child lists: head maps a parent to its
 * first entry + 1 (strmap keeps a key's first value, so later entries go
 * in right after the first); next[e] is the entry after e, + 1 (0: none).
 * 0, or -1 when out of memory. */
static int bgm_link(strmap *head, size_t *next, const char **child, size_t *n, const char *parent,
                    const char *c)
{
    size_t first = 0;
    int added = strmap_put(head, parent, *n + 1, &first);
    if (added < 0)
        return -1;
    child[*n] = c;
    if (added) {
        next[*n] = 0;
    } else {
        next[*n] = next[first - 1];
        next[first - 1] = *n + 1;
    }
    (*n)++;
    return 0;
}

/* The names left out of objective j's graph, as a set: the objectives, and
 * the metrics the knowledge puts downstream of objective j (through
 * required edges and formulas), by a walk over the knowledge's child lists:
 * linear in the knowledge. NULL when out of memory. */
static strmap *bgm_excluded(const bograph_multi_request *req, size_t j)
{
    const knowledge *kn = req->one.kn;
    size_t ne = kn ? knowledge_n_edges(kn) : 0, nm = kn ? knowledge_n_models(kn) : 0, nt = ne;
    for (size_t i = 0; i < nm; i++)
        nt += knowledge_model_n_vars(kn, i);
    strmap *set = strmap_new(req->n_objectives + nt + 1);
    strmap *head = strmap_new(nt + 1);
    size_t *next = malloc((nt + 1) * sizeof *next);
    const char **child = malloc((nt + 1) * sizeof *child);
    const char **queue = malloc((nt + 2) * sizeof *queue);
    int ok = set && head && next && child && queue;
    size_t n = 0;
    for (size_t e = 0; ok && e < ne; e++) {
        const char *a, *b;
        knowledge_edge(kn, e, &a, &b);
        ok = bgm_link(head, next, child, &n, a, b) == 0;
    }
    for (size_t i = 0; ok && i < nm; i++) {
        const char *node, *f;
        knowledge_model(kn, i, &node, &f);
        for (size_t v = 0; ok && v < knowledge_model_n_vars(kn, i); v++)
            ok = bgm_link(head, next, child, &n, knowledge_model_var(kn, i, v), node) == 0;
    }
    for (size_t k = 0; ok && k < req->n_objectives; k++)
        ok = strmap_put(set, req->objectives[k], 1, NULL) >= 0;
    /* from objective j, never through another objective */
    size_t qh = 0, qt = 0;
    if (ok)
        queue[qt++] = req->objectives[j];
    while (ok && qh < qt) {
        size_t at = 0;
        if (strmap_get(head, queue[qh++], &at) != 1)
            continue;
        for (size_t e = at; ok && e > 0; e = next[e - 1]) {
            int added = strmap_put(set, child[e - 1], 1, NULL);
            ok = added >= 0;
            if (added == 1)
                queue[qt++] = child[e - 1];
        }
    }
    strmap_free(head);
    free(next);
    free(child);
    free(queue);
    if (!ok) {
        strmap_free(set);
        return NULL;
    }
    return set;
}

/* Objective j's knowledge: the entries that name no excluded node (other
 * than objective j as a child). NULL when none is left or it does not
 * hold with j as the objective node. */
static knowledge *bgm_knowledge(const bograph_multi_request *req, size_t j, const strmap *ex)
{
    const knowledge *kn = req->one.kn;
    if (!kn)
        return NULL;
    const char *obj = req->objectives[j];
    knowledge *out = knowledge_new();
    int rc = out ? 0 : -1;
#define BGM_OUT(s) (bgm_in(ex, (s)) && strcmp((s), obj) != 0)
    for (size_t e = 0; rc == 0 && e < knowledge_n_edges(kn); e++) {
        const char *a, *b;
        knowledge_edge(kn, e, &a, &b);
        if (strcmp(a, obj) != 0 && !BGM_OUT(a) && !BGM_OUT(b))
            rc = knowledge_add_edge(out, a, b, NULL, 0);
    }
    for (size_t e = 0; rc == 0 && e < knowledge_n_forbidden(kn); e++) {
        const char *a, *b;
        knowledge_forbidden(kn, e, &a, &b);
        if (strcmp(a, obj) != 0 && !BGM_OUT(a) && !BGM_OUT(b))
            rc = knowledge_add_forbidden(out, a, b, NULL, 0);
    }
    for (size_t i = 0; rc == 0 && i < knowledge_n_models(kn); i++) {
        const char *node, *f;
        knowledge_model(kn, i, &node, &f);
        int keep = !BGM_OUT(node);
        for (size_t v = 0; keep && v < knowledge_model_n_vars(kn, i); v++) {
            const char *a = knowledge_model_var(kn, i, v);
            keep = strcmp(a, obj) != 0 && !BGM_OUT(a);
        }
        if (keep)
            rc = knowledge_add_model(out, node, f, NULL, 0);
    }
#undef BGM_OUT
    size_t p = space_size(req->one.base.sp);
    const char **pn = malloc(p * sizeof *pn);
    for (size_t k = 0; rc == 0 && pn && k < p; k++)
        pn[k] = space_param_name(req->one.base.sp, k);
    if (rc != 0 || !pn || knowledge_validate(out, NULL, 0, pn, p, obj, NULL, 0) != 0) {
        knowledge_free(out);
        out = NULL;
    }
    free(pn);
    return out;
}

/* Objective j's request: its column, its metric table, knowledge and
 * constraints (those on names it keeps), its state inside the study's. */
static int bgm_request(const bograph_multi_request *req, size_t j, bgm_obj *o, char *err,
                       size_t err_len)
{
    const bograph_request *one = &req->one;
    size_t n = one->base.n_obs, q = req->n_objectives, nm = one->n_metrics;
    strmap *ex = bgm_excluded(req, j);
    o->y = malloc((n ? n : 1) * sizeof *o->y);
    o->mnames = malloc((nm ? nm : 1) * sizeof *o->mnames);
    o->mtab = malloc((n && nm ? n * nm : 1) * sizeof *o->mtab);
    o->cons = malloc((one->n_constraints ? one->n_constraints : 1) * sizeof *o->cons);
    if (!ex || !o->y || !o->mnames || !o->mtab || !o->cons) {
        strmap_free(ex);
        return util_err(err, err_len, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        o->y[i] = req->Y[i * q + j];
    for (size_t c = 0; c < nm; c++) {
        if (bgm_in(ex, one->metric_names[c]))
            continue;
        o->mnames[o->n_m] = one->metric_names[c];
        for (size_t i = 0; i < n; i++)
            o->mtab[i * nm + o->n_m] = one->metrics[i * nm + c];
        o->n_m++;
    }
    /* compact the rows to n_m columns */
    for (size_t i = 1; i < n && o->n_m < nm; i++)
        memmove(o->mtab + i * o->n_m, o->mtab + i * nm, o->n_m * sizeof *o->mtab);
    o->kn = bgm_knowledge(req, j, ex);
    o->req = *one;
    o->req.n_constraints = 0;
    for (size_t c = 0; c < one->n_constraints; c++)
        if (strcmp(one->constraints[c].metric, req->objectives[j]) == 0 ||
            !bgm_in(ex, one->constraints[c].metric))
            o->cons[o->req.n_constraints++] = one->constraints[c];
    strmap_free(ex);
    o->req.constraints = o->cons;
    o->req.base.y = o->y;
    o->req.base.maximize = req->maximize[j];
    o->req.base.explain = NULL;
    o->req.explain = NULL;
    o->req.base.timing = NULL;
    o->req.objective_name = req->objectives[j];
    o->req.metric_names = o->mnames;
    o->req.metrics = o->mtab;
    o->req.n_metrics = o->n_m;
    o->req.kn = o->kn;
    o->req.kn_checked = 1;
    o->req.state = NULL;
    if (one->state) {
        if (!one->state->objective[j])
            one->state->objective[j] = bograph_state_new();
        if (!one->state->objective[j])
            return util_err(err, err_len, "out of memory");
        o->req.state = one->state->objective[j];
    }
    return 0;
}

/* Objective j's plain GP, fitted as bo_suggest_multi fits it. */
static int bgm_fit_gp(const bograph_multi_request *req, size_t j, bgm_obj *o, char *err,
                      size_t err_len)
{
    bo_multi_request mr;
    bo_multi_request_init(&mr, req->one.base.sp);
    mr.n_objectives = req->n_objectives;
    mr.maximize = req->maximize;
    mr.X = req->one.base.X;
    mr.Y = req->Y;
    mr.infeasible = req->one.base.infeasible;
    mr.n_obs = req->one.base.n_obs;
    mr.seed = req->one.base.seed;
    mr.state = req->one.state ? req->one.state->bo : NULL;
    return bo_multi_fit_objective(&mr, j, o->y, &o->dt, &o->g, &o->owned, &o->var_floor, err,
                                  err_len);
}

static void bgm_obj_free(bgm_obj *o)
{
    bg_run_free(&o->r);
    bo_data_free(&o->dt);
    gp_free(o->owned);
    knowledge_free(o->kn);
    free(o->y);
    free(o->mnames);
    free(o->mtab);
    free(o->cons);
}

static void bgm_free(bgm_model *md)
{
    for (size_t j = 0; j < md->m; j++)
        bgm_obj_free(&md->o[j]);
    free(md->front);
    ehvi_boxes_free(md->boxes);
    free(md->z);
    free(md->exclude);
    free(md->anchors);
}

/* ---- the objectives' predictions and the acquisition ---- */

/* Objective j's predictive mean and variance at n encoded points, in its
 * model's units (maximised): the graph blended with its plain GP (the
 * mixture's moments), or the plain GP. lc (may be NULL) gets the graph's
 * log probability of meeting the constraints. */
static void bgm_moments(bgm_model *md, size_t j, const double *U, size_t n, double *mean,
                        double *var, double *lc)
{
    bgm_obj *o = &md->o[j];
    if (!o->graph) {
        gp_predict_batch(o->g, U, n, mean, var);
    } else {
        model_moments_batch(&o->r.m, U, n, mean, var, lc);
        if (blend_active(&o->r.bl)) {
            double *fm = malloc(2 * n * sizeof *fm);
            if (fm) {
                double *fv = fm + n, w = o->r.bl.w;
                gp_predict_batch(o->r.bl.g, U, n, fm, fv);
                for (size_t i = 0; i < n; i++) {
                    double mu = w * mean[i] + (1 - w) * fm[i];
                    double m2 = w * (var[i] + mean[i] * mean[i]) +
                                (1 - w) * (fmax(fv[i], 0) + fm[i] * fm[i]);
                    mean[i] = mu;
                    var[i] = fmax(m2 - mu * mu, 0);
                }
                free(fm);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!(var[i] > o->var_floor))
            var[i] = o->var_floor;
}

static void bgm_acq_batch(const double *U, size_t n, double *values, void *ctx)
{
    bgm_model *md = ctx;
    size_t m = md->m;
    double *mv = malloc((2 * m + 1) * n * sizeof *mv);
    if (!mv) {
        for (size_t i = 0; i < n; i++)
            values[i] = -INFINITY;
        return;
    }
    double *lc = mv + 2 * m * n;
    for (size_t i = 0; i < n; i++)
        lc[i] = 0;
    for (size_t j = 0; j < m; j++)
        bgm_moments(md, j, U, n, mv + 2 * j * n, mv + (2 * j + 1) * n,
                    md->o[j].graph && &md->o[j].r.m == md->cons_model ? lc : NULL);
    for (size_t i = 0; i < n; i++) {
        double mean[BO_MULTI_MAX_OBJECTIVES], sd[BO_MULTI_MAX_OBJECTIVES];
        for (size_t j = 0; j < m; j++) {
            mean[j] = mv[2 * j * n + i];
            sd[j] = sqrt(mv[(2 * j + 1) * n + i]);
        }
        double v;
        if (m == 2) {
            v = ehvi_log_analytic(md->boxes, mean, sd);
        } else {
            double e = ehvi_mc(md->boxes, mean, sd, md->z, BO_EHVI_MC_SAMPLES);
            v = e > 0 ? log(e) : -INFINITY;
        }
        v += lc[i] + feasibility_log_prob(md->feas, U + i * md->dim, NULL);
        values[i] = v;
    }
    free(mv);
}

static double bgm_acq(const double *u, double *grad, void *ctx)
{
    (void)grad; /* no gradient: acqopt refines with BOBYQA */
    double v;
    bgm_acq_batch(u, 1, &v, ctx);
    return v;
}

/* The front: every objective's predicted mean at the feasible observed
 * configurations; the reference point from them (pareto_default_reference),
 * the anchors (configurations on the front), the observed points excluded. */
static int bgm_front(bgm_model *md)
{
    const bograph_multi_request *req = md->req;
    size_t n = md->n, m = md->m, dim = md->dim;
    size_t cap = n + req->one.base.n_pending + req->one.base.count;
    double *Uf = malloc((n ? n : 1) * dim * sizeof *Uf);
    double *mv = malloc(2 * (n ? n : 1) * sizeof *mv);
    unsigned char *on = malloc(n ? n : 1);
    md->front = malloc(cap * m * sizeof *md->front);
    md->exclude = malloc(cap * dim * sizeof *md->exclude);
    md->anchors = malloc(BG_N_ANCHORS * dim * sizeof *md->anchors);
    int rc = -1;
    if (!Uf || !mv || !on || !md->front || !md->exclude || !md->anchors)
        goto done;
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        space_encode(req->one.base.sp, req->one.base.X + i * md->p, md->exclude + i * dim);
        int ok = !(req->one.base.infeasible && req->one.base.infeasible[i]);
        for (size_t j = 0; ok && j < m; j++)
            ok = isfinite(req->Y[i * m + j]);
        if (ok)
            memcpy(Uf + (nf++) * dim, md->exclude + i * dim, dim * sizeof *Uf);
    }
    md->n_ex = n;
    for (size_t j = 0; j < m; j++) {
        bgm_moments(md, j, Uf, nf, mv, mv + nf, NULL);
        for (size_t t = 0; t < nf; t++)
            md->front[t * m + j] = mv[t];
    }
    md->n_front = nf;
    int all_max[BO_MULTI_MAX_OBJECTIVES] = {1, 1, 1, 1};
    if (pareto_default_reference(md->front, nf, m, all_max, md->ref) != 0)
        goto done;
    pareto_front(md->front, nf, m, all_max, on);
    for (size_t t = 0; t < nf && md->n_anchor < BG_N_ANCHORS; t++)
        if (on[t])
            memcpy(md->anchors + (md->n_anchor++) * dim, Uf + t * dim, dim * sizeof *Uf);
    rc = ehvi_boxes_replace(&md->boxes, md->front, md->n_front, md->m, md->ref);
done:
    free(Uf);
    free(mv);
    free(on);
    return rc;
}

/* Kriging believer: encoded point u enters every objective's models at
 * their predicted mean, which joins the front; u joins the excluded. */
static int bgm_believe(bgm_model *md, const double *u, char *err, size_t err_len)
{
    double *f = md->front + md->n_front * md->m;
    for (size_t j = 0; j < md->m; j++) {
        bgm_obj *o = &md->o[j];
        double var;
        bgm_moments(md, j, u, 1, &f[j], &var, NULL);
        char sub[160];
        int rc = o->graph ? (model_add_fantasy(&o->r.m, u, NULL, sub, sizeof sub) != 0 ||
                             blend_add_fantasy(&o->r.bl, u, sub, sizeof sub) != 0)
                          : gp_add_observation(o->g, u, f[j], sub, sizeof sub);
        if (rc != 0)
            return util_err(err, err_len, "%s: %s", md->req->objectives[j], sub);
    }
    memcpy(md->exclude + md->n_ex * md->dim, u, md->dim * sizeof *u);
    md->n_ex++;
    md->n_front++;
    if (ehvi_boxes_replace(&md->boxes, md->front, md->n_front, md->m, md->ref) != 0)
        return util_err(err, err_len, "out of memory");
    return 0;
}

/* ---- the suggestion ---- */

/* Every objective's model; md->o[j].graph says which answered. 0, or -1. */
static int bgm_prepare(bgm_model *md, char *err, size_t err_len)
{
    const bograph_multi_request *req = md->req;
    for (size_t j = 0; j < md->m; j++) {
        bgm_obj *o = &md->o[j];
        if (bgm_request(req, j, o, err, err_len) != 0)
            return -1;
        if (bg_validate(&o->req, o->y, err, err_len) != 0)
            return -1;
        int prc = bg_prepare(&o->req, &o->r, o->reason, sizeof o->reason, err, err_len);
        if (prc < 0)
            return -1;
        o->graph = prc == 0;
        if (o->graph) {
            if (!md->feas)
                md->feas = &o->r.feas;
            if (!md->cons_model && o->r.m.n_cons > 0)
                md->cons_model = &o->r.m;
            o->var_floor = 1e-300;
        }
    }
    return 0;
}

/* The models' answers, count - k of them from proposal k, by the GP path
 * (bo_suggest_multi) with the first k proposals pending. */
static int bgm_gp_path(const bograph_multi_request *req, double *out, size_t k, char *err,
                       size_t err_len)
{
    const bograph_request *one = &req->one;
    size_t p = space_size(one->base.sp), np = one->base.n_pending + k;
    double *pend = malloc((np ? np : 1) * p * sizeof *pend);
    if (!pend)
        return util_err(err, err_len, "out of memory");
    if (one->base.n_pending)
        memcpy(pend, one->base.pending, one->base.n_pending * p * sizeof *pend);
    memcpy(pend + one->base.n_pending * p, out, k * p * sizeof *pend);
    bo_multi_request mr;
    bo_multi_request_init(&mr, one->base.sp);
    mr.n_objectives = req->n_objectives;
    mr.maximize = req->maximize;
    mr.X = one->base.X;
    mr.Y = req->Y;
    mr.infeasible = one->base.infeasible;
    mr.n_obs = one->base.n_obs;
    mr.pending = pend;
    mr.n_pending = np;
    mr.count = one->base.count - k;
    mr.seed = one->base.seed;
    mr.n_initial = one->base.n_initial;
    mr.state = one->state ? one->state->bo : NULL;
    mr.explain = one->base.explain ? one->base.explain + k : NULL;
    mr.timing = one->base.timing;
    int rc = bo_suggest_multi(&mr, out + k * p, err, err_len);
    free(pend);
    return rc;
}

/* The reasons no graph answered: one when they agree, else per objective. */
static void bgm_reasons(const bgm_model *md, char *out, size_t len)
{
    int same = 1;
    for (size_t j = 1; j < md->m; j++)
        same = same && strcmp(md->o[j].reason, md->o[0].reason) == 0;
    if (same) {
        snprintf(out, len, "%s", md->o[0].reason);
        return;
    }
    size_t at = 0;
    out[0] = '\0';
    for (size_t j = 0; j < md->m && at + 1 < len; j++) {
        int w = snprintf(out + at, len - at, "%s%s: %s", j ? "; " : "", md->req->objectives[j],
                         md->o[j].reason);
        at = w < 0 ? len : at + (size_t)w;
    }
}

/* What the models expect at encoded u: the first objective's prediction
 * (its own units), the acquisition, the graphs' metric nodes. */
static void bgm_explain(bgm_model *md, const double *u, double acq, size_t k)
{
    const bograph_multi_request *req = md->req;
    bgm_obj *o = &md->o[0];
    double mu, var, own, s;
    bgm_moments(md, 0, u, 1, &mu, &var, NULL);
    if (o->graph) {
        s = sqrt(var);
        own = bg_data_own(&o->r.d, req->maximize[0], mu, &s);
    } else {
        bo_data_unwarp(&o->dt, req->maximize[0], mu, var, &own, &s);
    }
    if (req->one.base.explain) {
        bo_explain *b = &req->one.base.explain[k];
        b->from_model = 1;
        b->sobol = 0;
        b->mean = own;
        b->sd = s;
        b->acquisition = acq;
    }
    bograph_explain *x = req->one.explain ? &req->one.explain[k] : NULL;
    if (!x)
        return;
    memset(x, 0, sizeof *x);
    x->from_model = 1;
    x->mean = own;
    x->sd = s;
    x->acquisition = acq;
    for (size_t j = 0; j < md->m; j++) {
        bg_run *r = &md->o[j].r;
        if (!md->o[j].graph)
            continue;
        double *vals = malloc(r->gr->N * sizeof *vals);
        if (!vals)
            return;
        model_predict_nodes(&r->m, u, vals, NULL, NULL); /* leaves the samples in m.val */
        for (size_t v = r->gr->p; v < r->gr->p + r->gr->k && x->n_nodes < BOGRAPH_EXPLAIN_NODES; v++) {
            if (!r->gr->g->alive[v] || !r->gr->names[v])
                continue;
            int seen = 0;
            for (size_t t = 0; t < x->n_nodes && !seen; t++)
                seen = strcmp(x->nodes[t].name, r->gr->names[v]) == 0;
            if (seen)
                continue;
            bg_explain_node(r, v, vals, &x->nodes[x->n_nodes++]);
        }
        free(vals);
    }
}

/* The front, the draws and the believed pending points, once some
 * objective's graph answered. */
static int bgm_build(bgm_model *md, char *err, size_t err_len)
{
    const bograph_multi_request *req = md->req;
    for (size_t j = 0; j < md->m; j++)
        if (!md->o[j].graph && bgm_fit_gp(req, j, &md->o[j], err, err_len) != 0)
            return -1;
    if (bgm_front(md) != 0)
        return util_err(err, err_len, "out of memory");
    if (md->m > 2) {
        md->z = malloc(BO_EHVI_MC_SAMPLES * md->m * sizeof *md->z);
        if (!md->z || ehvi_normal_draws(md->m, BO_EHVI_MC_SAMPLES,
                                        rng_mix(req->one.base.seed, 0xe4f1ULL), md->z) != 0)
            return util_err(err, err_len, "out of memory");
    }
    double *u = malloc(md->dim * sizeof *u);
    if (!u)
        return util_err(err, err_len, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < req->one.base.n_pending && rc == 0; i++) {
        space_encode(req->one.base.sp, req->one.base.pending + i * md->p, u);
        rc = bgm_believe(md, u, err, err_len);
    }
    free(u);
    return rc;
}

/* The proposals from the models; *k_done gets how many were made before
 * the acquisition found no point (then the GP path makes the rest). */
static int bgm_propose(bgm_model *md, double *out, size_t *k_done, char *err, size_t err_len)
{
    const bograph_multi_request *req = md->req;
    size_t count = req->one.base.count, dim = md->dim, p = md->p;
    double *u = malloc(dim * sizeof *u);
    if (!u)
        return util_err(err, err_len, "out of memory");
    size_t raw = acqopt_default_raw(dim);
    int rc = 0;
    *k_done = 0;
    for (size_t k = 0; k < count && rc == 0; k++) {
        acqopt_options aopt;
        acqopt_options_default(&aopt);
        aopt.seed = rng_stream_seed(req->one.base.seed ^ 0x5bd1e995ULL, md->n + k);
        aopt.batch = bgm_acq_batch;
        aopt.n_raw = raw < BG_ACQ_RAW_MAX ? raw : BG_ACQ_RAW_MAX;
        aopt.n_local = BG_ACQ_N_LOCAL;
        aopt.anchors = md->n_anchor ? md->anchors : NULL;
        aopt.n_anchors = md->n_anchor;
        double val = -INFINITY;
        char aerr[160];
        if (acqopt_maximize(req->one.base.sp, bgm_acq, md, &aopt, md->exclude, md->n_ex, u,
                            &val, aerr, sizeof aerr) != 0 || !(val > -INFINITY))
            break;
        space_decode(req->one.base.sp, u, out + k * p);
        space_encode(req->one.base.sp, out + k * p, u);
        bgm_explain(md, u, val, k);
        *k_done = k + 1;
        if (k + 1 < count)
            rc = bgm_believe(md, u, err, err_len);
    }
    free(u);
    return rc;
}

int bograph_suggest_multi(const bograph_multi_request *req, double *out,
                          bograph_multi_info *info, char *err, size_t err_len)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!req || !out || !req->one.base.sp)
        return util_err(err, err_len, "bograph: missing request, space or output");
    if (req->n_objectives < BO_MULTI_MIN_OBJECTIVES ||
        req->n_objectives > BO_MULTI_MAX_OBJECTIVES || !req->objectives || !req->maximize ||
        (req->one.base.n_obs && !req->Y))
        return util_err(err, err_len, "bograph: %zu objectives, %d to %d with names, goals and values",
                        req->n_objectives, BO_MULTI_MIN_OBJECTIVES, BO_MULTI_MAX_OBJECTIVES);
    if (req->one.base.count == 0)
        return 0;
    bgm_model md;
    memset(&md, 0, sizeof md);
    md.req = req;
    md.m = req->n_objectives;
    md.p = space_size(req->one.base.sp);
    md.dim = space_encoded_dim(req->one.base.sp);
    md.n = req->one.base.n_obs;
    double t0 = util_monotonic();
    int rc = bgm_prepare(&md, err, err_len);
    size_t n_graph = 0, k_done = 0;
    for (size_t j = 0; j < md.m; j++)
        n_graph += (size_t)md.o[j].graph;
    if (rc == 0 && n_graph > 0)
        rc = bgm_build(&md, err, err_len);
    double t1 = util_monotonic();
    if (req->one.base.timing)
        req->one.base.timing->fit_seconds += t1 - t0;
    if (rc == 0 && n_graph > 0) {
        rc = bgm_propose(&md, out, &k_done, err, err_len);
        if (req->one.base.timing)
            req->one.base.timing->acq_seconds += util_monotonic() - t1;
    }
    if (rc == 0 && k_done < req->one.base.count)
        rc = bgm_gp_path(req, out, k_done, err, err_len);
    if (rc == 0 && info) {
        int graph = n_graph > 0 && k_done > 0;
        snprintf(info->model, sizeof info->model, "%s", graph ? BOGRAPH_MODEL_GRAPH : BOGRAPH_MODEL_GP);
        for (size_t j = 0; graph && j < md.m; j++)
            info->graph[j] = (unsigned char)md.o[j].graph;
        info->n_graph = graph ? n_graph : 0;
        if (n_graph == 0)
            bgm_reasons(&md, info->reason, sizeof info->reason);
        else if (!graph)
            snprintf(info->reason, sizeof info->reason, "%s",
                     "the graphs' hypervolume improvement found no point");
    }
    bgm_free(&md);
    return rc;
}
