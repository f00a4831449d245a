/*
 * usecase_best.c - a study's best trial (completed, with an objective, and
 * meeting every constraint; ties keep the earlier trial) and the trial that
 * ran its default configuration (completed over active over failed or
 * infeasible; the later among equals); for a study of several objectives
 * the Pareto set instead of a best (bo/pareto.h); and deleting a study with
 * its model state.
 */
#include "server/usecase.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/pareto.h"
#include "util/util.h"

/* 1 when t counts for the best: completed, meeting every constraint. */
static int best_candidate(const study_def *sd, const store_trial *t)
{
    return t->state == TRIAL_COMPLETED &&
           (sd->n_constraints == 0 ||
            study_constraints_met(sd, (const char *const *)t->metric_names, t->metric_values,
                                  t->n_metrics));
}

/* Ids of the best and the default trial in all (0: none). */
static void best_pick(const study_def *sd, const store_trials *all, int64_t *best, int64_t *def)
{
    double best_y = 0;
    int def_rank = 0; /* completed 3 > active 2 > failed/infeasible 1 */
    *best = *def = 0;
    for (size_t i = 0; i < all->count; i++) {
        const store_trial *t = &all->items[i];
        if (t->has_objective && best_candidate(sd, t)) {
            if (!*best || (sd->maximize ? t->objective > best_y : t->objective < best_y)) {
                *best = t->id;
                best_y = t->objective;
            }
        }
        if (t->is_default && t->state != TRIAL_EXPIRED) {
            int rank = t->state == TRIAL_COMPLETED ? 3 : t->state == TRIAL_ACTIVE ? 2 : 1;
            if (rank >= def_rank) {
                *def = t->id;
                def_rank = rank;
            }
        }
    }
}

/* Reads trial id into *t (*has 1) unless id is 0 or it vanished; -1 on a store error. */
static int read_optional(const usecase_env *env, int64_t study_id, int64_t id, store_trial *t,
                         int *has, char *err, size_t err_len)
{
    *has = 0;
    if (id <= 0)
        return 0;
    int rc = store_trial_get(env->st, study_id, id, 0, t, err, err_len);
    if (rc == STORE_OK)
        *has = 1;
    return rc == STORE_OK || rc == STORE_NOT_FOUND ? 0 : -1;
}

/* Moves the Pareto set of all (several objectives) into out->pareto: the
 * candidates' objective rows, their front, then the front's trials taken
 * out of all. */
static int pareto_pick(const study_def *sd, store_trials *all, usecase_best *out, char *err,
                       size_t err_len)
{
    size_t n = all->count, m = sd->n_objectives;
    double *Y = malloc((n ? n : 1) * m * sizeof *Y);
    unsigned char *on = malloc(n ? n : 1);
    int maximize[STUDY_MAX_OBJECTIVES];
    if (!Y || !on) {
        free(Y);
        free(on);
        return util_err(err, err_len, "out of memory");
    }
    for (size_t j = 0; j < m; j++)
        maximize[j] = sd->maximizes[j];
    for (size_t i = 0; i < n; i++) {
        const store_trial *t = &all->items[i];
        /* a row that is not a candidate is all NAN: never on the front */
        if (!best_candidate(sd, t) ||
            study_objectives_values(sd, (const char *const *)t->metric_names, t->metric_values,
                                    t->n_metrics, Y + i * m, NULL) != 0)
            for (size_t j = 0; j < m; j++)
                Y[i * m + j] = NAN;
    }
    size_t k = pareto_front(Y, n, m, maximize, on);
    free(Y);
    out->pareto = calloc(k ? k : 1, sizeof *out->pareto);
    if (!out->pareto) {
        free(on);
        return util_err(err, err_len, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (on[i]) {
            /* taken over: the slot left empty is freed as nothing */
            out->pareto[out->n_pareto++] = all->items[i];
            memset(&all->items[i], 0, sizeof all->items[i]);
        }
    free(on);
    return 0;
}

void usecase_best_free(usecase_best *b)
{
    for (size_t i = 0; i < b->n_pareto; i++)
        store_trial_clear(&b->pareto[i]);
    free(b->pareto);
    if (b->has_best)
        store_trial_clear(&b->best);
    if (b->has_default)
        store_trial_clear(&b->def);
    memset(b, 0, sizeof *b);
}

int usecase_best_trials(const usecase_env *env, const store_study *s, const study_def *sd,
                        usecase_best *out, jv_error *e)
{
    assert(env && s && sd && out && e);
    memset(out, 0, sizeof *out);
    char err[512] = "";
    store_trials all;
    int multi = study_is_multi(sd);
    if (store_trials_all(env->st, s->id, sd->n_constraints > 0 || multi, &all, err,
                         sizeof err) != STORE_OK)
        return usecase_fail_internal(e, "reading trials", err);
    int64_t best, def;
    best_pick(sd, &all, &best, &def);
    if (multi && pareto_pick(sd, &all, out, err, sizeof err) != 0) {
        store_trials_free(&all);
        usecase_best_free(out);
        return usecase_fail_internal(e, "finding the Pareto set", err);
    }
    store_trials_free(&all);
    int failed = read_optional(env, s->id, best, &out->best, &out->has_best, err, sizeof err);
    failed |= read_optional(env, s->id, def, &out->def, &out->has_default, err, sizeof err);
    if (failed) {
        usecase_best_free(out);
        return usecase_fail_internal(e, "reading the best trial", err);
    }
    return 0;
}

int usecase_study_delete(const usecase_env *env, int64_t id, const char *as_given, jv_error *e)
{
    assert(env && as_given && e);
    char err[512] = "";
    int rc = id < 0 ? STORE_NOT_FOUND : store_study_delete(env->st, id, err, sizeof err);
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "no study '%s'", as_given);
    if (rc != STORE_OK)
        return usecase_fail_internal(e, "deleting the study", err);
    registry_forget(env->reg, id);
    return 0;
}
