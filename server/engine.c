/*
 * engine.c - from stored trials to the engine's request, and the choice of
 * algorithm for a study.
 */
#include "server/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/util.h"

/* The engine's view of a study's history. */
typedef struct {
    double *X;                 /* n_obs x d */
    double *y;
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
    free(D->infeasible);
    free(D->pending);
    free(D->metric_names);
    free(D->metrics);
}

static int metric_column(engine_data *D, char *name, size_t *cap)
{
    for (size_t j = 0; j < D->n_metrics; j++)
        if (strcmp(D->metric_names[j], name) == 0)
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
static int metric_table_build(const store_trials *trials, engine_data *D, char *err,
                              size_t err_len)
{
    size_t cap = 0;
    for (size_t i = 0; i < trials->count; i++) {
        const store_trial *t = &trials->items[i];
        if (t->state != TRIAL_COMPLETED && t->state != TRIAL_INFEASIBLE)
            continue;
        for (size_t k = 0; k < t->n_metrics; k++)
            if (metric_column(D, t->metric_names[k], &cap) < 0)
                return util_err(err, err_len, "out of memory");
    }
    if (D->n_metrics == 0)
        return 0;
    D->metrics = malloc(D->n_obs * D->n_metrics * sizeof(double) + sizeof(double));
    if (!D->metrics)
        return util_err(err, err_len, "out of memory");
    for (size_t r = 0; r < D->n_obs * D->n_metrics; r++)
        D->metrics[r] = NAN;
    size_t row = 0;
    for (size_t i = 0; i < trials->count; i++) {
        const store_trial *t = &trials->items[i];
        if (t->state != TRIAL_COMPLETED && t->state != TRIAL_INFEASIBLE)
            continue;
        if (row >= D->n_obs)
            break;
        for (size_t k = 0; k < t->n_metrics; k++) {
            int j = metric_column(D, t->metric_names[k], &cap);
            if (j >= 0)
                D->metrics[row * D->n_metrics + (size_t)j] = t->metric_values[k];
        }
        row++;
    }
    return 0;
}

int engine_needs_metrics(const study_def *sd);

static int data_build(const study_def *sd, const store_trials *trials, const double *extra,
                      size_t n_extra, engine_data *D, char *err, size_t err_len)
{
    memset(D, 0, sizeof *D);
    size_t d = space_size(sd->sp), n = trials->count + n_extra;
    D->X = malloc((n ? n : 1) * d * sizeof(double));
    D->y = malloc((n ? n : 1) * sizeof(double));
    D->infeasible = malloc(n ? n : 1);
    D->pending = malloc((n ? n : 1) * d * sizeof(double));
    if (!D->X || !D->y || !D->infeasible || !D->pending) {
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
            int bad = t->state == TRIAL_INFEASIBLE || !t->has_objective;
            if (!bad && sd->n_constraints && t->metric_names)
                bad = !study_constraints_met(sd, (const char *const *)t->metric_names,
                                             t->metric_values, t->n_metrics);
            memcpy(D->X + D->n_obs * d, t->config, d * sizeof(double));
            D->y[D->n_obs] = bad ? 0.0 : t->objective;
            D->infeasible[D->n_obs] = (unsigned char)bad;
            D->n_obs++;
        }
    }
    if (engine_needs_metrics(sd) && metric_table_build(trials, D, err, err_len) != 0) {
        data_free(D);
        return -1;
    }
    return 0;
}

int engine_needs_metrics(const study_def *sd)
{
    /* Constraints are checked on metrics; bograph learns from them. */
    return sd->n_constraints > 0 || strcmp(sd->algorithm, "bograph") == 0;
}

static int run_flat(const study_def *sd, bo_algorithm alg, const engine_data *D, size_t count,
                    uint64_t seed, bo_state *state, double *out, char *err, size_t err_len)
{
    bo_request req;
    bo_request_init(&req, sd->sp);
    req.algorithm = alg;
    req.maximize = sd->maximize;
    req.X = D->X;
    req.y = D->y;
    req.infeasible = D->infeasible;
    req.n_obs = D->n_obs;
    req.pending = D->pending;
    req.n_pending = D->n_pending;
    req.count = count;
    req.seed = seed;
    req.state = state;
    return bo_suggest(&req, out, err, err_len);
}

/*
 * The structured model's entry point. The BoGraph work (structure/) replaces
 * the body: once enough trials exist it reads each trial's metrics (loaded
 * because engine_needs_metrics says so), learns the DAG with the study's
 * expert knowledge, fits the per-node models and maximises the acquisition;
 * it falls back to the plain GP when the graph does not help. D carries the
 * observations, the pending points and the trials x metrics table
 * (D->metric_names, D->metrics), ready for bograph_suggest in
 * structure/bograph.h; the per-study model state belongs in the registry
 * entry next to the bo_state. Until then it is the plain GP.
 */
static int engine_bograph(const study_def *sd, const store_trials *trials, const engine_data *D,
                          size_t count, uint64_t seed, bo_state *state, double *out, char *err,
                          size_t err_len)
{
    (void)trials;
    return run_flat(sd, BO_GP, D, count, seed, state, out, err, err_len);
}

int engine_suggest(const study_def *sd, const store_trials *trials, size_t count, uint64_t seed,
                   bo_state *state, double *out, char *err, size_t err_len)
{
    return engine_suggest_with(sd, trials, NULL, 0, count, seed, state, out, err, err_len);
}

int engine_suggest_with(const study_def *sd, const store_trials *trials,
                        const double *extra_pending, size_t n_extra, size_t count,
                        uint64_t seed, bo_state *state, double *out, char *err, size_t err_len)
{
    engine_data D;
    if (data_build(sd, trials, extra_pending, n_extra, &D, err, err_len) != 0)
        return -1;
    int rc;
    bo_algorithm alg;
    if (strcmp(sd->algorithm, "bograph") == 0)
        rc = engine_bograph(sd, trials, &D, count, seed, state, out, err, err_len);
    else if (bo_algorithm_parse(sd->algorithm, &alg) == 0)
        rc = run_flat(sd, alg, &D, count, seed, state, out, err, err_len);
    else
        rc = util_err(err, err_len, "unknown algorithm '%s'", sd->algorithm);
    data_free(&D);
    return rc;
}
