/*
 * usecase_complete.c - finishing a trial: completed (with its metrics and
 * logs), failed or infeasible, in one store write that is idempotent when a
 * worker repeats the same result; then the budget is brought up to date.
 */
#include "server/usecase.h"

#include <assert.h>

#include "util/util.h"

int usecase_result_check(const study_def *sd, const store_result *r, jv_error *e)
{
    if (r->state != TRIAL_COMPLETED || !study_is_multi(sd))
        return 0;
    double v[STUDY_MAX_OBJECTIVES];
    const char *missing = "";
    if (r->has_objective ||
        study_objectives_values(sd, r->metric_names, r->metric_values, r->n_metrics, v,
                                &missing) != 0)
        return jv_invalid(e, "metrics",
                          "metrics must contain the objective '%s' (every objective of the study)",
                          missing);
    return 0;
}

int usecase_trial_finish(const usecase_env *env, const store_study *s, const study_def *sd,
                         int64_t tid, const store_result *r, const char *what, store_trial *out,
                         jv_error *e)
{
    assert(env && s && sd && r && what && out && e);
    if (usecase_result_check(sd, r, e) != 0)
        return -1;
    char err[512] = "";
    int rc = store_trial_finish(env->st, s->id, tid, r, util_now(), err, sizeof err);
    if (rc == STORE_OK || rc == STORE_SAME) {
        int got = usecase_trial_get(env, s->id, tid, 0, out, e);
        if (rc == STORE_OK)
            usecase_budget_update(env, s, sd);
        return got;
    }
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "no trial %lld in study %lld", (long long)tid,
                       (long long)s->id);
    if (rc == STORE_CONFLICT)
        return jv_fail(e, 409, "conflict", NULL,
                       "trial %lld already finished with a different result", (long long)tid);
    return usecase_fail_internal(e, what, err);
}
