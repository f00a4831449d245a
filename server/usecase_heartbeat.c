/*
 * usecase_heartbeat.c - a worker's heartbeat: the trial's lease runs the
 * study's lease_seconds from now, as long as the trial is still active.
 */
#include "server/usecase.h"

#include <assert.h>

#include "util/util.h"

int usecase_heartbeat(const usecase_env *env, const store_study *s, const study_def *sd,
                      int64_t tid, store_trial *out, jv_error *e)
{
    assert(env && s && sd && out && e);
    char err[512] = "";
    int rc = store_trial_heartbeat(env->st, s->id, tid, util_now() + sd->lease_seconds, err,
                                   sizeof err);
    if (rc == STORE_OK)
        return usecase_trial_get(env, s->id, tid, 0, out, e);
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "no trial %lld in study %lld", (long long)tid,
                       (long long)s->id);
    if (rc == STORE_CONFLICT)
        return jv_fail(e, 409, "conflict", NULL,
                       "trial %lld is not active (finished, or its lease expired)",
                       (long long)tid);
    return usecase_fail_internal(e, "extending the lease", err);
}
