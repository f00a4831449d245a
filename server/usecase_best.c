/*
 * usecase_best.c - a study's best trial (completed, with an objective, and
 * meeting every constraint; ties keep the earlier trial) and the trial that
 * ran its default configuration (completed over active over failed or
 * infeasible; the later among equals); and deleting a study with its model
 * state.
 */
#include "server/usecase.h"

#include <assert.h>
#include <string.h>

/* Ids of the best and the default trial in all (0: none). */
static void best_pick(const study_def *sd, const store_trials *all, int64_t *best, int64_t *def)
{
    double best_y = 0;
    int def_rank = 0; /* completed 3 > active 2 > failed/infeasible 1 */
    *best = *def = 0;
    for (size_t i = 0; i < all->count; i++) {
        const store_trial *t = &all->items[i];
        if (t->state == TRIAL_COMPLETED && t->has_objective &&
            (sd->n_constraints == 0 ||
             study_constraints_met(sd, (const char *const *)t->metric_names, t->metric_values,
                                   t->n_metrics))) {
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

void usecase_best_free(usecase_best *b)
{
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
    if (store_trials_all(env->st, s->id, sd->n_constraints > 0, &all, err, sizeof err) !=
        STORE_OK)
        return usecase_fail_internal(e, "reading trials", err);
    int64_t best, def;
    best_pick(sd, &all, &best, &def);
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
