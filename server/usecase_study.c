/*
 * usecase_study.c - what every use case of a study starts from: loading the
 * study (and expiring its leases, which run out lazily: whoever looks at the
 * study sees them expired), the budget bookkeeping, reading a trial back as
 * stored, and the internal-error message every endpoint shares.
 */
#include "server/usecase.h"

#include <assert.h>
#include <string.h>

#include "util/util.h"

int usecase_fail_internal(jv_error *e, const char *what, const char *err)
{
    return jv_fail(e, 500, "internal", NULL, "%s: %s", what, err && *err ? err : "failed");
}

int usecase_study_load(const usecase_env *env, int64_t id, store_study *s, study_def *sd,
                       jv_error *e)
{
    assert(env && s && sd && e);
    char err[512] = "";
    memset(sd, 0, sizeof *sd);
    int rc = store_study_get(env->st, id, s, err, sizeof err);
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "no study %lld", (long long)id);
    if (rc != STORE_OK)
        return usecase_fail_internal(e, "reading the study", err);
    if (study_def_load(s->spec, sd, err, sizeof err) != 0) {
        store_study_clear(s);
        return usecase_fail_internal(e, "loading the study", err);
    }
    if (store_expire_leases(env->st, id, util_now(), NULL, err, sizeof err) != STORE_OK) {
        study_def_free(sd);
        store_study_clear(s);
        return usecase_fail_internal(e, "expiring leases", err);
    }
    return 0;
}

int64_t usecase_budget_started(const int64_t c[TRIAL_N_STATES])
{
    int64_t n = 0;
    for (int i = 0; i < TRIAL_N_STATES; i++)
        n += c[i];
    return n;
}

int usecase_budget_spent(int64_t budget, const int64_t c[TRIAL_N_STATES])
{
    return budget >= 0 && usecase_budget_started(c) - c[TRIAL_ACTIVE] >= budget;
}

void usecase_budget_update(const usecase_env *env, const store_study *s, const study_def *sd)
{
    assert(env && s && sd);
    if (sd->budget < 0 || strcmp(s->state, "done") == 0)
        return;
    int64_t c[TRIAL_N_STATES];
    char err[256];
    if (store_study_counts(env->st, s->id, c, err, sizeof err) == STORE_OK &&
        usecase_budget_spent(sd->budget, c))
        store_study_set_state(env->st, s->id, "done", err, sizeof err);
}

int usecase_trial_get(const usecase_env *env, int64_t study_id, int64_t tid, int with_logs,
                      store_trial *out, jv_error *e)
{
    assert(env && out && e);
    char err[512] = "";
    int rc = store_trial_get(env->st, study_id, tid, with_logs, out, err, sizeof err);
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "no trial %lld in study %lld", (long long)tid,
                       (long long)study_id);
    if (rc != STORE_OK)
        return usecase_fail_internal(e, "reading the trial", err);
    return 0;
}
