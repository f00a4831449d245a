/*
 * engine.c - from stored trials to the engine's request, and the choice of
 * algorithm for a study: the flat algorithms through bo_suggest, bograph
 * through bograph_suggest with the trials x metrics table, the study's
 * constraints and its expert knowledge.
 */
#include "server/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine_multi.h"
#include "structure/bograph_multi.h"
#include "bo/space_constraints.h"
#include "server/jsonw.h"
#include "util/strmap.h"
#include "util/util.h"

/* The engine's view of a study's history. */
typedef struct {
    double *X;                 /* n_obs x d */
    double *y;                 /* the objective (the first of several) */
    double *Y;                 /* several objectives: n_obs x n_objectives, else NULL */
    unsigned char *infeasible;
    size_t n_obs;
    double *pending;           /* n_pending x d */
    size_t n_pending;
    /* The trials x metrics table of the observations (n_obs x n_metrics,
     * row-major, NAN where a trial lacks the metric); built only when
     * engine_needs_metrics. */
    char **metric_names;       /* borrowed from the trials */
    size_t n_metrics;
    double *metrics;
} engine_data;

static void data_free(engine_data *D)
{
    free(D->X);
    free(D->y);
    free(D->Y);
    free(D->infeasible);
    free(D->pending);
    free(D->metric_names);
    free(D->metrics);
}

/* The column of metric name, added when new; cols indexes the columns by
 * name (linear in the table, not quadratic). -1 when out of memory. */
static int metric_column(engine_data *D, strmap *cols, char *name, size_t *cap)
{
    size_t j = 0;
    int added = strmap_put(cols, name, D->n_metrics, &j);
    if (added < 0)
        return -1;
    if (added == 0)
        return (int)j;
    if (D->n_metrics == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **grown = realloc(D->metric_names, ncap * sizeof *grown);
        if (!grown)
            return -1;
        D->metric_names = grown;
        *cap = ncap;
    }
    D->metric_names[D->n_metrics] = name;
    return (int)D->n_metrics++;
}

/* Fills the metric table from the observed trials (in the order data_build
 * took them). */
static int metric_table_build(const store_trials *trials, size_t d, engine_data *D, char *err,
                              size_t err_len)
{
    size_t cap = 0;
    strmap *cols = strmap_new(64);
    if (!cols)
        return util_err(err, err_len, "out of memory");
    for (size_t i = 0; i < trials->count; i++) {
        const store_trial *t = &trials->items[i];
        if ((t->state != TRIAL_COMPLETED && t->state != TRIAL_INFEASIBLE) || t->n_config != d)
            continue;
        for (size_t k = 0; k < t->n_metrics; k++)
            if (metric_column(D, cols, t->metric_names[k], &cap) < 0) {
                strmap_free(cols);
                return util_err(err, err_len, "out of memory");
            }
    }
    if (D->n_metrics == 0) {
        strmap_free(cols);
        return 0;
    }
    D->metrics = malloc(D->n_obs * D->n_metrics * sizeof(double) + sizeof(double));
    if (!D->metrics) {
        strmap_free(cols);
        return util_err(err, err_len, "out of memory");
    }
    for (size_t r = 0; r < D->n_obs * D->n_metrics; r++)
        D->metrics[r] = NAN;
    size_t row = 0;
    for (size_t i = 0; i < trials->count; i++) {
        const store_trial *t = &trials->items[i];
        if ((t->state != TRIAL_COMPLETED && t->state != TRIAL_INFEASIBLE) || t->n_config != d)
            continue;
        if (row >= D->n_obs)
            break;
        for (size_t k = 0; k < t->n_metrics; k++) {
            int j = metric_column(D, cols, t->metric_names[k], &cap);
            if (j >= 0)
                D->metrics[row * D->n_metrics + (size_t)j] = t->metric_values[k];
        }
        row++;
    }
    strmap_free(cols);
    return 0;
}

/* The engine's view of trials; the metric table is built when with_metrics. */
static int data_build(const study_def *sd, const store_trials *trials, const double *extra,
                      size_t n_extra, int with_metrics, engine_data *D, char *err,
                      size_t err_len)
{
    memset(D, 0, sizeof *D);
    size_t d = space_size(sd->sp), n = trials->count + n_extra;
    D->X = malloc((n ? n : 1) * d * sizeof(double));
    D->y = malloc((n ? n : 1) * sizeof(double));
    D->infeasible = malloc(n ? n : 1);
    D->pending = malloc((n ? n : 1) * d * sizeof(double));
    size_t m = sd->n_objectives;
    if (study_is_multi(sd))
        D->Y = malloc((n ? n : 1) * m * sizeof(double));
    if (!D->X || !D->y || !D->infeasible || !D->pending || (study_is_multi(sd) && !D->Y)) {
        data_free(D);
        return util_err(err, err_len, "out of memory");
    }
    if (n_extra) {
        memcpy(D->pending, extra, n_extra * d * sizeof(double));
        D->n_pending = n_extra;
    }
    for (size_t i = 0; i < trials->count; i++) {
        const store_trial *t = &trials->items[i];
        if (t->n_config != d)
            continue; /* cannot happen for trials written by this study */
        if (t->state == TRIAL_ACTIVE) {
            memcpy(D->pending + D->n_pending * d, t->config, d * sizeof(double));
            D->n_pending++;
        } else if (t->state == TRIAL_COMPLETED || t->state == TRIAL_INFEASIBLE) {
            /* several objectives: every one among the metrics, the first as y */
            double *row = D->Y ? D->Y + D->n_obs * m : NULL;
            int bad = t->state == TRIAL_INFEASIBLE ||
                      (row ? study_objectives_values(sd, (const char *const *)t->metric_names,
                                                     t->metric_values, t->n_metrics, row,
                                                     NULL) != 0
                           : !t->has_objective);
            if (!bad && sd->n_constraints && t->metric_names)
                bad = !study_constraints_met(sd, (const char *const *)t->metric_names,
                                             t->metric_values, t->n_metrics);
            for (size_t j = 0; row && j < m; j++)
                row[j] = bad ? 0.0 : row[j];
            memcpy(D->X + D->n_obs * d, t->config, d * sizeof(double));
            D->y[D->n_obs] = bad ? 0.0 : row ? row[0] : t->objective;
            D->infeasible[D->n_obs] = (unsigned char)bad;
            D->n_obs++;
        }
    }
    if (with_metrics && metric_table_build(trials, d, D, err, err_len) != 0) {
        data_free(D);
        return -1;
    }
    return 0;
}

int engine_needs_metrics(const study_def *sd)
{
    /* Constraints are checked on metrics; bograph learns from them; several
     * objectives are metrics. */
    return sd->n_constraints > 0 || sd->algorithm == STUDY_ALG_BOGRAPH || study_is_multi(sd);
}

/* The bo/ algorithm of a flat study; -1 for bograph and unknown ones. */
static int flat_algorithm(study_algorithm a, bo_algorithm *out)
{
    switch (a) {
    case STUDY_ALG_RANDOM: *out = BO_RANDOM; return 0;
    case STUDY_ALG_SOBOL: *out = BO_SOBOL; return 0;
    case STUDY_ALG_GP: *out = BO_GP; return 0;
    default: return -1;
    }
}

void engine_info_free(engine_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; info->explanation && i < info->n_explanation; i++)
        free(info->explanation[i]);
    free(info->explanation);
    free(info->sobol);
    info->explanation = NULL;
    info->sobol = NULL;
    info->n_explanation = 0;
}

/* The explanations a suggestion asks the engine for, and its timing. */
typedef struct {
    bo_explain *bo;             /* count */
    bograph_explain *graph;     /* count, bograph studies only */
    bo_timing timing;
    const char *acquisition;    /* its name: "log_ei", or "log_ehvi" for several objectives */
} engine_explain;

static void write_prediction(jsonw *w, double mean, double sd)
{
    jsonw_lit(w, "{\"mean\":");
    jsonw_double(w, mean);
    jsonw_lit(w, ",\"sd\":");
    jsonw_double(w, sd);
    jsonw_lit(w, "}");
}

/* The notes of explanations without a prediction. */
#define ENGINE_NOTE_INITIAL \
    "a space-filling point: the GP proposes after its initial design, or found no new point"
#define ENGINE_NOTE_FALLBACK \
    "a space-filling point: the study's model could not answer (model_reason says why)"

/* The explanation of point k as JSON text (malloc'd; NULL when no model
 * chose it and the algorithm has none). */
static char *explain_text(const engine_explain *x, size_t k, int has_model)
{
    jsonw w;
    jsonw_init(&w);
    const bograph_explain *g = x->graph ? &x->graph[k] : NULL;
    const bo_explain *b = x->bo ? &x->bo[k] : NULL;
    if (g && g->from_model) {
        jsonw_lit(&w, "{\"model\":\"bograph\",\"predicted\":");
        write_prediction(&w, g->mean, g->sd);
        jsonw_lit(&w, ",\"acquisition\":");
        jsonw_double(&w, g->acquisition);
        jsonw_lit(&w, ",\"acquisition_function\":");
        jsonw_str(&w, x->acquisition ? x->acquisition : "log_ei");
        jsonw_lit(&w, ",\"metrics\":{");
        for (size_t i = 0; i < g->n_nodes; i++) {
            if (i)
                jsonw_raw(&w, ",", 1);
            jsonw_str(&w, g->nodes[i].name);
            jsonw_raw(&w, ":", 1);
            write_prediction(&w, g->nodes[i].mean, g->nodes[i].sd);
        }
        jsonw_lit(&w, "}}");
    } else if (b && b->from_model) {
        jsonw_lit(&w, "{\"model\":\"gp\",\"predicted\":");
        write_prediction(&w, b->mean, b->sd);
        jsonw_lit(&w, ",\"acquisition\":");
        jsonw_double(&w, b->acquisition);
        jsonw_lit(&w, ",\"acquisition_function\":");
        jsonw_str(&w, x->acquisition ? x->acquisition : "log_ei");
        jsonw_lit(&w, "}");
    } else if (has_model) {
        jsonw_lit(&w, "{\"model\":null,\"predicted\":null,\"acquisition\":null,\"note\":");
        jsonw_str(&w, ENGINE_NOTE_INITIAL);
        jsonw_lit(&w, "}");
    } else {
        jsonw_free(&w);
        return NULL;
    }
    return jsonw_finish(&w, NULL);
}

/* Fills info's explanations and timing from x. */
static int explain_finish(const engine_explain *x, size_t count, int has_model,
                          engine_info *info, char *err, size_t err_len)
{
    info->fit_seconds = x->timing.fit_seconds;
    info->acq_seconds = x->timing.acq_seconds;
    info->explanation = calloc(count ? count : 1, sizeof *info->explanation);
    if (!info->explanation)
        return util_err(err, err_len, "out of memory");
    info->n_explanation = count;
    info->sobol = calloc(count ? count : 1, sizeof *info->sobol);
    if (!info->sobol)
        return util_err(err, err_len, "out of memory");
    for (size_t k = 0; has_model && k < count; k++) {
        if (!(info->explanation[k] = explain_text(x, k, has_model)))
            return util_err(err, err_len, "out of memory");
        info->sobol[k] = x->bo && !x->bo[k].from_model && x->bo[k].sobol &&
                         !(x->graph && x->graph[k].from_model);
    }
    return 0;
}

int engine_explain_space_filling(engine_info *info, size_t count, char *err, size_t err_len)
{
    engine_info_free(info);
    info->explanation = calloc(count ? count : 1, sizeof *info->explanation);
    if (!info->explanation)
        return util_err(err, err_len, "out of memory");
    info->n_explanation = count;
    for (size_t k = 0; k < count; k++) {
        jsonw w;
        jsonw_init(&w);
        jsonw_lit(&w, "{\"model\":null,\"predicted\":null,\"acquisition\":null,\"note\":");
        jsonw_str(&w, ENGINE_NOTE_FALLBACK);
        jsonw_lit(&w, "}");
        if (!(info->explanation[k] = jsonw_finish(&w, NULL)))
            return util_err(err, err_len, "out of memory");
    }
    return 0;
}

/* The engine's request for a flat algorithm over D's finished trials. */
static void engine_bo_request(const study_def *sd, const engine_data *D, bo_algorithm alg,
                              uint64_t seed, bo_state *state, bo_request *req)
{
    bo_request_init(req, sd->sp);
    req->algorithm = alg;
    req->maximize = sd->maximize;
    req->X = D->X;
    req->y = D->y;
    req->infeasible = D->infeasible;
    req->n_obs = D->n_obs;
    req->seed = seed;
    req->state = state;
}

static int run_flat(const study_def *sd, bo_algorithm alg, const engine_data *D, size_t count,
                    uint64_t seed, bo_state *state, engine_explain *x, double *out, char *err,
                    size_t err_len)
{
    bo_request req;
    engine_bo_request(sd, D, alg, seed, state, &req);
    req.pending = D->pending;
    req.n_pending = D->n_pending;
    req.count = count;
    req.explain = x ? x->bo : NULL;
    req.timing = x ? &x->timing : NULL;
    return bo_suggest(&req, out, err, err_len);
}

/* The bograph request of a study's data. *cons gets the constraints array
 * the request points to (the caller frees it). */
static int bograph_request_fill(const study_def *sd, const engine_data *D,
                                const engine_context *ctx, size_t count, uint64_t seed,
                                bograph_request *req, bograph_constraint **cons, char *err,
                                size_t err_len)
{
    bograph_request_init(req, sd->sp);
    *cons = calloc(sd->n_constraints + 1, sizeof **cons);
    if (!*cons)
        return util_err(err, err_len, "out of memory");
    size_t nc = 0;
    for (size_t c = 0; c < sd->n_constraints; c++) {
        const study_constraint *k = &sd->constraints[c];
        /* `==` has no probability-of-feasibility counterpart in the model;
         * data_build still marks the trials that miss it infeasible. */
        if (k->op == CONSTRAINT_OP_EQ)
            continue;
        (*cons)[nc].metric = k->metric;
        (*cons)[nc].op = k->op;
        (*cons)[nc].value = k->value;
        nc++;
    }
    req->base.maximize = sd->maximize;
    req->base.X = D->X;
    req->base.y = D->y;
    req->base.infeasible = D->infeasible;
    req->base.n_obs = D->n_obs;
    req->base.pending = D->pending;
    req->base.n_pending = D->n_pending;
    req->base.count = count;
    req->base.seed = seed;
    req->objective_name = sd->objective;
    req->metric_names = (const char *const *)D->metric_names;
    req->n_metrics = D->n_metrics;
    req->metrics = D->metrics;
    req->kn = ctx ? ctx->kn : NULL;
    req->kn_checked = req->kn != NULL; /* checked once per change, by the caller */
    req->constraints = *cons;
    req->n_constraints = nc;
    req->relearn_every = sd->relearn_every;
    req->state = ctx ? ctx->bograph : NULL;
    return 0;
}

/*
 * The structured model: D carries the observations, the pending points and
 * the trials x metrics table (loaded because engine_needs_metrics says so);
 * bograph_suggest learns the DAG with the study's expert knowledge (kept in
 * ctx->bograph and relearnt on its schedule or when the knowledge changes),
 * fits the per-node models and maximises the acquisition, or falls back to
 * the plain GP, saying why.
 */
static int engine_bograph(const study_def *sd, const engine_data *D, const engine_context *ctx,
                          size_t count, uint64_t seed, engine_explain *x, double *out,
                          engine_info *info, char *err, size_t err_len)
{
    bograph_request req;
    bograph_constraint *cons = NULL;
    if (bograph_request_fill(sd, D, ctx, count, seed, &req, &cons, err, err_len) != 0)
        return -1;
    req.explain = x->graph;
    req.base.explain = x->bo;
    req.base.timing = &x->timing;
    bograph_info bi;
    memset(&bi, 0, sizeof bi);
    int rc = bograph_suggest(&req, out, &bi, err, err_len);
    free(cons);
    if (rc == 0 && info) {
        snprintf(info->model, sizeof info->model, "%s", bi.model[0] ? bi.model : BOGRAPH_MODEL_GRAPH);
        snprintf(info->reason, sizeof info->reason, "%s", bi.reason);
    }
    return rc;
}

/*
 * A bograph study of several objectives: one graph model per objective on
 * the shared metric table, EHVI over their predictions
 * (structure/bograph_multi.h), or the GP's EHVI when no graph answers.
 */
static int engine_multi_graph(const study_def *sd, const engine_data *D,
                              const engine_context *ctx, size_t count, uint64_t seed,
                              engine_explain *x, double *out, engine_info *info, char *err,
                              size_t err_len)
{
    bograph_multi_request req;
    bograph_multi_request_init(&req, sd->sp);
    bograph_constraint *cons = NULL;
    if (bograph_request_fill(sd, D, ctx, count, seed, &req.one, &cons, err, err_len) != 0)
        return -1;
    int maximize[STUDY_MAX_OBJECTIVES];
    for (size_t j = 0; j < sd->n_objectives; j++)
        maximize[j] = sd->maximizes[j];
    req.n_objectives = sd->n_objectives;
    req.objectives = sd->objectives;
    req.maximize = maximize;
    req.Y = D->Y;
    req.one.explain = x->graph;
    req.one.base.explain = x->bo;
    req.one.base.timing = &x->timing;
    x->acquisition = "log_ehvi";
    bograph_multi_info bi;
    int rc = bograph_suggest_multi(&req, out, &bi, err, err_len);
    free(cons);
    if (rc == 0 && info) {
        snprintf(info->model, sizeof info->model, "%s", bi.model);
        snprintf(info->reason, sizeof info->reason, "%s", bi.reason);
    }
    return rc;
}

/* gp studies of several objectives: the GP's EHVI (bo_suggest_multi). */
static int engine_multi(const study_def *sd, const engine_data *D, const engine_context *ctx,
                        size_t count, uint64_t seed, engine_explain *x, double *out,
                        engine_info *info, char *err, size_t err_len)
{
    if (sd->algorithm == STUDY_ALG_BOGRAPH)
        return engine_multi_graph(sd, D, ctx, count, seed, x, out, info, err, err_len);
    engine_multi_data md = {.X = D->X, .Y = D->Y, .infeasible = D->infeasible,
                            .n_obs = D->n_obs, .pending = D->pending, .n_pending = D->n_pending};
    x->acquisition = "log_ehvi";
    int rc = engine_multi_suggest(sd, &md, count, seed, ctx ? ctx->bo : NULL, x->bo, &x->timing,
                                  out, err, err_len);
    if (rc == 0 && info)
        snprintf(info->model, sizeof info->model, "%s", "gp");
    return rc;
}

int engine_suggest(const study_def *sd, const store_trials *trials,
                   const double *extra_pending, size_t n_extra, size_t count, uint64_t seed,
                   const engine_context *ctx, double *out, engine_info *info, char *err,
                   size_t err_len)
{
    if (info)
        memset(info, 0, sizeof *info);
    engine_data D;
    if (data_build(sd, trials, extra_pending, n_extra, engine_needs_metrics(sd), &D, err,
                   err_len) != 0)
        return -1;
    int rc;
    bo_algorithm alg;
    int multi = study_is_multi(sd) &&
                (sd->algorithm == STUDY_ALG_GP || sd->algorithm == STUDY_ALG_BOGRAPH);
    int graph = sd->algorithm == STUDY_ALG_BOGRAPH && !multi;
    engine_explain x = {.bo = calloc(count ? count : 1, sizeof *x.bo),
                        .graph = sd->algorithm == STUDY_ALG_BOGRAPH
                                     ? calloc(count ? count : 1, sizeof *x.graph) : NULL};
    if (!x.bo || (sd->algorithm == STUDY_ALG_BOGRAPH && !x.graph)) {
        rc = util_err(err, err_len, "out of memory");
    } else if (multi) {
        rc = engine_multi(sd, &D, ctx, count, seed, &x, out, info, err, err_len);
    } else if (graph) {
        rc = engine_bograph(sd, &D, ctx, count, seed, &x, out, info, err, err_len);
    } else if (flat_algorithm(sd->algorithm, &alg) == 0) {
        rc = run_flat(sd, alg, &D, count, seed, ctx ? ctx->bo : NULL, &x, out, err, err_len);
        if (rc == 0 && info)
            snprintf(info->model, sizeof info->model, "%s", bo_algorithm_name(alg));
    } else {
        rc = util_err(err, err_len, "unknown algorithm '%s'", sd->algorithm_name);
    }
    if (rc == 0) /* the last word on the parameter constraints (bo/space_constraints.h) */
        rc = space_constraints_check(sd->sp, out, count, err, err_len);
    int has_model = graph || multi ||
                    (rc == 0 && flat_algorithm(sd->algorithm, &alg) == 0 && alg == BO_GP);
    if (rc == 0 && info && explain_finish(&x, count, has_model, info, err, err_len) != 0) {
        engine_info_free(info);
        rc = -1;
    }
    free(x.bo);
    free(x.graph);
    data_free(&D);
    return rc;
}

int engine_structure(const study_def *sd, const store_trials *trials, const engine_context *ctx,
                     bograph_graph *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    engine_data D;
    if (data_build(sd, trials, NULL, 0, 1, &D, err, err_len) != 0)
        return -1;
    bograph_request req;
    bograph_constraint *cons = NULL;
    int rc = bograph_request_fill(sd, &D, ctx, 1, sd->seed, &req, &cons, err, err_len);
    if (rc == 0)
        rc = bograph_structure(&req, out, err, err_len);
    free(cons);
    data_free(&D);
    return rc;
}

/* The GP's prediction of D's study at configs. */
static int predict_gp(const study_def *sd, const engine_data *D, const double *configs, size_t m,
                      bo_state *state, engine_prediction *out, char *err, size_t err_len)
{
    bo_request req;
    engine_bo_request(sd, D, BO_GP, sd->seed, state, &req);
    double *mean = malloc(2 * (m ? m : 1) * sizeof *mean);
    if (!mean)
        return util_err(err, err_len, "out of memory");
    int rc = bo_predict(&req, configs, m, mean, mean + m, err, err_len);
    for (size_t i = 0; rc == 0 && i < m; i++) {
        out[i].mean = mean[i];
        out[i].sd = mean[m + i];
    }
    free(mean);
    return rc;
}

/* The graph model's prediction at configs: 1 when it would not answer (then
 * the GP does), 0 with out filled, -1 on a hard error. */
static int predict_graph(const study_def *sd, const engine_data *D, const double *configs,
                         size_t m, const engine_context *ctx, engine_prediction *out, char *err,
                         size_t err_len)
{
    bograph_request req;
    bograph_constraint *cons = NULL;
    if (bograph_request_fill(sd, D, ctx, 1, sd->seed, &req, &cons, err, err_len) != 0)
        return -1;
    bograph_explain *x = calloc(m ? m : 1, sizeof *x);
    int rc = x ? bograph_explain_at(&req, configs, m, x, err, err_len)
               : util_err(err, err_len, "out of memory");
    for (size_t i = 0; rc == 0 && i < m; i++) {
        out[i].mean = x[i].mean;
        out[i].sd = x[i].sd;
        out[i].n_nodes = x[i].n_nodes;
        memcpy(out[i].nodes, x[i].nodes, sizeof out[i].nodes);
    }
    free(x);
    free(cons);
    if (rc != 0 && strncmp(err, "no graph model", 14) == 0)
        return 1;
    return rc;
}

int engine_predict(const study_def *sd, const store_trials *trials, const double *configs,
                   size_t m, const engine_context *ctx, engine_prediction *out, char *model,
                   size_t model_len, char *err, size_t err_len)
{
    memset(out, 0, m * sizeof *out);
    engine_data D;
    if (data_build(sd, trials, NULL, 0, engine_needs_metrics(sd), &D, err, err_len) != 0)
        return -1;
    int rc = 1;
    if (study_is_multi(sd)) {
        /* several objectives: one GP per objective, whatever the algorithm */
        engine_multi_data md = {.X = D.X, .Y = D.Y, .infeasible = D.infeasible, .n_obs = D.n_obs};
        rc = engine_multi_predict(sd, &md, configs, m, out, err, err_len);
        if (rc == 0)
            snprintf(model, model_len, "%s", "gp");
        data_free(&D);
        return rc;
    }
    if (sd->algorithm == STUDY_ALG_BOGRAPH) {
        rc = predict_graph(sd, &D, configs, m, ctx, out, err, err_len);
        if (rc == 0)
            snprintf(model, model_len, "%s", BOGRAPH_MODEL_GRAPH);
    }
    if (rc == 1) {
        rc = predict_gp(sd, &D, configs, m, ctx ? ctx->bo : NULL, out, err, err_len);
        if (rc == 0)
            snprintf(model, model_len, "%s", "gp");
    }
    data_free(&D);
    return rc;
}
