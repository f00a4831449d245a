/*
 * usecase_import.c - warm start: a trial run elsewhere (by hand, by another
 * tuner) stored as finished, counted against the budget, and recognised as
 * the default when it runs the default configuration.
 */
#include "server/usecase.h"

#include <assert.h>
#include <stdlib.h>

#include "util/util.h"

int usecase_import(const usecase_env *env, const store_study *s, const study_def *sd,
                   const double *config, const char *worker, const store_result *r,
                   store_trial *out, jv_error *e)
{
    assert(env && s && sd && config && r && out && e);
    json_t *p = study_params_json(sd, config);
    char *params_text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    store_new_trial nt = {.params = params_text,
                          .config = config,
                          .n_config = space_size(sd->sp),
                          .is_default = sd->default_config &&
                                        space_config_equal(sd->sp, config, sd->default_config)};
    char err[512] = "";
    int64_t id = 0;
    int rc = params_text ? store_trial_import(env->st, s->id, &nt, worker, r, util_now(), &id, err,
                                              sizeof err)
                         : util_err(err, sizeof err, "out of memory");
    free(params_text);
    if (rc == STORE_OK) {
        int got = usecase_trial_get(env, s->id, id, 0, out, e);
        usecase_budget_update(env, s, sd);
        return got;
    }
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "study %lld was deleted", (long long)s->id);
    return usecase_fail_internal(e, "importing the trial", err);
}
