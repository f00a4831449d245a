/*
 * usecase_predict.c - what the study's model expects at given
 * configurations: the model that would answer the next suggestion (the graph
 * model of a bograph study when it answers, else the GP), fitted to the
 * trials as they are now, under the study's lock (it shares the model state
 * the suggestions keep).
 */
#include "server/usecase.h"

#include <assert.h>
#include <string.h>

#include "server/engine.h"

static int predict_locked(const usecase_env *env, registry_entry *lock, int64_t study_id,
                          const double *configs, size_t m, engine_prediction *out, char *model,
                          size_t model_len, jv_error *e)
{
    store_study s;
    study_def sd;
    if (usecase_study_load(env, study_id, &s, &sd, e) != 0)
        return -1;
    char err[512] = "", note[160] = "";
    int rc = -1;
    if (registry_history_refresh(lock, env->st, s.id, engine_needs_metrics(&sd), err,
                                 sizeof err) != 0) {
        usecase_fail_internal(e, "reading trials", err);
        goto out;
    }
    engine_context ctx = {.bo = registry_state(lock)};
    if (sd.algorithm == STUDY_ALG_BOGRAPH) {
        ctx.bograph = registry_bograph_state(lock);
        usecase_model_knowledge(lock, &s, &sd, &ctx.kn, note, sizeof note);
    }
    if (engine_predict(&sd, registry_history(lock), configs, m, &ctx, out, model, model_len, err,
                       sizeof err) != 0)
        jv_fail(e, 409, "conflict", NULL, "no model to predict with yet: %s", err);
    else
        rc = 0;
out:
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

int usecase_predict(const usecase_env *env, int64_t study_id, const double *configs, size_t m,
                    engine_prediction *out, char *model, size_t model_len, jv_error *e)
{
    assert(env && (configs || m == 0) && (out || m == 0) && model && e);
    char why[512] = "";
    registry_entry *lock = registry_lock(env->reg, study_id, why, sizeof why);
    if (!lock)
        return usecase_fail_internal(e, "locking the study", why);
    int rc = predict_locked(env, lock, study_id, configs, m, out, model, model_len, e);
    registry_release(env->reg, lock);
    return rc;
}
