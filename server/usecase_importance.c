/*
 * usecase_importance.c - model-based parameter importance. A GP (bo/gp.h:
 * Matern-5/2 ARD) is fitted to the completed trials in the unit cube; a
 * parameter's importance is the sum of 1 / length-scale over its encoded
 * coordinates (a categorical's one-hot block), normalised to sum 1: a short
 * length-scale means the objective changes quickly along that parameter.
 * A study of several objectives has the importance for its first one. The
 * rendered answer is cached per study until a trial changes.
 */
#include "server/usecase.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/gp.h"
#include "server/engine.h"

#define USECASE_IMPORTANCE_MAX_FIT 300

/* 1 for a completed trial with an objective in the study's space, *y (may
 * be NULL) that objective: for a study of several, the first one, among the
 * metrics. */
static int usable(const study_def *sd, const store_trial *t, size_t d, double *y)
{
    double v[STUDY_MAX_OBJECTIVES];
    if (t->state != TRIAL_COMPLETED || t->n_config != d)
        return 0;
    if (!study_is_multi(sd)) {
        if (y)
            *y = t->objective;
        return t->has_objective;
    }
    if (study_objectives_values(sd, (const char *const *)t->metric_names, t->metric_values,
                                t->n_metrics, v, NULL) != 0)
        return 0;
    if (y)
        *y = v[0];
    return 1;
}

/* Fits the GP to the n usable trials and sums 1 / length-scale per
 * parameter into imp (d values); *total is their sum. */
static int importance_fit(const study_def *sd, const store_trials *hist, size_t n, double *imp,
                          double *total, jv_error *e)
{
    size_t d = space_size(sd->sp), de = space_encoded_dim(sd->sp);
    double *X = malloc(n * de * sizeof *X), *y = malloc(n * sizeof *y);
    double *ls = malloc(de * sizeof *ls);
    gp *g = gp_new(de);
    char err[256] = "";
    int rc = -1;
    if (!X || !y || !ls || !g) {
        usecase_fail_internal(e, "importance", "out of memory");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < hist->count; i++) {
        const store_trial *t = &hist->items[i];
        if (!usable(sd, t, d, &y[k]))
            continue;
        space_encode(sd->sp, t->config, X + k * de);
        k++;
    }
    gp_options opt;
    gp_options_default(&opt);
    opt.seed = sd->seed;
    opt.max_fit_points = USECASE_IMPORTANCE_MAX_FIT;
    if (gp_fit(g, X, y, n, &opt, err, sizeof err) != 0) {
        usecase_fail_internal(e, "fitting the GP for importance", err);
        goto done;
    }
    gp_lengthscales(g, ls);
    *total = 0;
    for (size_t p = 0; p < d; p++) {
        size_t first = 0, count = 0;
        space_param_encoded_span(sd->sp, p, &first, &count);
        for (size_t c = first; c < first + count && c < de; c++)
            if (ls[c] > 0 && isfinite(ls[c]))
                imp[p] += 1.0 / ls[c];
        *total += imp[p];
    }
    rc = 0;
done:
    gp_free(g);
    free(X);
    free(y);
    free(ls);
    return rc;
}

/* Ranks the parameters by importance, largest first, into out. */
static int importance_rank(const study_def *sd, size_t n, const double *imp, double total,
                           usecase_importance *out, jv_error *e)
{
    size_t d = space_size(sd->sp);
    size_t *order = malloc(d * sizeof *order);
    out->names = malloc(d * sizeof *out->names);
    out->values = malloc(d * sizeof *out->values);
    if (!order || !out->names || !out->values) {
        free(order);
        return usecase_fail_internal(e, "importance", "out of memory");
    }
    for (size_t p = 0; p < d; p++)
        order[p] = p;
    for (size_t a = 1; a < d; a++)
        for (size_t b = a; b > 0 && imp[order[b]] > imp[order[b - 1]]; b--) {
            size_t tmp = order[b];
            order[b] = order[b - 1];
            order[b - 1] = tmp;
        }
    for (size_t r = 0; r < d; r++) {
        out->names[r] = space_param_name(sd->sp, order[r]);
        out->values[r] = total > 0 ? imp[order[r]] / total : 1.0 / (double)d;
    }
    out->n = d;
    out->at_trial = n;
    free(order);
    return 0;
}

/* Computes and renders the importance of the study's history. */
static char *importance_compute(const study_def *sd, const store_trials *hist,
                                usecase_importance_render render, jv_error *e)
{
    size_t d = space_size(sd->sp);
    size_t n = 0;
    for (size_t i = 0; i < hist->count; i++)
        n += usable(sd, &hist->items[i], d, NULL);
    if (n < USECASE_IMPORTANCE_MIN) {
        jv_fail(e, 404, "not_found", NULL, "no importance yet: %zu completed trials, %d needed",
                n, USECASE_IMPORTANCE_MIN);
        return NULL;
    }
    double *imp = calloc(d, sizeof *imp), total = 0;
    usecase_importance out;
    memset(&out, 0, sizeof out);
    char *text = NULL;
    if (!imp) {
        usecase_fail_internal(e, "importance", "out of memory");
    } else if (importance_fit(sd, hist, n, imp, &total, e) == 0 &&
               importance_rank(sd, n, imp, total, &out, e) == 0) {
        text = render(&out);
        if (!text)
            usecase_fail_internal(e, "importance", "out of memory");
    }
    free(out.names);
    free(out.values);
    free(imp);
    return text;
}

static int importance_locked(const usecase_env *env, registry_entry *lock, int64_t study_id,
                             usecase_importance_render render, char **text, jv_error *e)
{
    store_study s;
    study_def sd;
    if (usecase_study_load(env, study_id, &s, &sd, e) != 0)
        return -1;
    char err[512] = "";
    int rc = -1;
    if (registry_history_refresh(lock, env->st, s.id, engine_needs_metrics(&sd), err,
                                 sizeof err) != 0) {
        usecase_fail_internal(e, "reading trials", err);
        goto out;
    }
    int64_t seq = registry_history_seq(lock);
    const char *cached = registry_cache_get(lock, seq);
    *text = cached ? strdup(cached) : importance_compute(&sd, registry_history(lock), render, e);
    if (*text) {
        if (!cached)
            registry_cache_set(lock, seq, *text);
        rc = 0;
    } else if (cached) {
        usecase_fail_internal(e, "importance", "out of memory");
    }
out:
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

int usecase_importance_text(const usecase_env *env, int64_t study_id,
                            usecase_importance_render render, char **text, jv_error *e)
{
    assert(env && render && text && e);
    *text = NULL;
    char why[512] = "";
    registry_entry *lock = registry_lock(env->reg, study_id, why, sizeof why);
    if (!lock)
        return usecase_fail_internal(e, "locking the study", why);
    int rc = importance_locked(env, lock, study_id, render, text, e);
    registry_release(env->reg, lock);
    return rc;
}
