/*
 * usecase_patch.c - changing a study after its creation: its budget (raising
 * the budget of a finished study makes it active again; a budget below the
 * trials already started is refused), its name, its state and its notes
 * (kept in the study's spec, so the study object echoes them). Runs under the
 * study's lock so a suggestion in flight sees the old budget or the new one,
 * never half of a change.
 */
#include "server/usecase.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "server/jsonw.h"

/* The state after the patch: the one asked for, else "done" exactly when
 * the (new) budget is spent (the rule suggest and completions follow). */
static const char *next_state(const usecase_patch *p, const int64_t c[TRIAL_N_STATES],
                              const char *now)
{
    if (p->state)
        return p->state;
    if (!p->has_budget)
        return now;
    return usecase_budget_spent(p->budget, c) ? "done" : "active";
}

static int patch_locked(const usecase_env *env, int64_t id, const usecase_patch *p, jv_error *e)
{
    store_study s;
    study_def sd;
    if (usecase_study_load(env, id, &s, &sd, e) != 0)
        return -1;
    int rc = -1;
    char err[512] = "";
    int64_t c[TRIAL_N_STATES];
    char *spec_text = NULL;
    if (store_study_counts(env->st, id, c, err, sizeof err) != STORE_OK) {
        usecase_fail_internal(e, "counting trials", err);
        goto out;
    }
    if (p->has_budget && p->budget >= 0 && p->budget < usecase_budget_started(c)) {
        jv_invalid(e, "budget",
                   "budget %lld is below the %lld trials already started (the budget counts "
                   "every trial started, expired ones included)",
                   (long long)p->budget, (long long)usecase_budget_started(c));
        goto out;
    }
    if (p->has_budget)
        json_object_set_new(sd.spec, "budget",
                            p->budget >= 0 ? json_integer((json_int_t)p->budget) : json_null());
    if (p->name)
        json_object_set_new(sd.spec, "name", json_string(p->name));
    if (p->has_notes && p->notes)
        json_object_set_new(sd.spec, "notes", json_string(p->notes));
    else if (p->has_notes)
        json_object_del(sd.spec, "notes");
    spec_text = jsonw_dumps(sd.spec, NULL);
    if (!spec_text) {
        usecase_fail_internal(e, "updating the study", "out of memory");
        goto out;
    }
    const char *name = p->name ? p->name : s.name;
    int src = store_study_update(env->st, id, name, spec_text, next_state(p, c, s.state),
                                 err, sizeof err);
    if (src == STORE_CONFLICT)
        jv_fail(e, 409, "conflict", "name", "a study named '%s' exists", name);
    else if (src == STORE_NOT_FOUND)
        jv_fail(e, 404, "not_found", NULL, "no study %lld", (long long)id);
    else if (src != STORE_OK)
        usecase_fail_internal(e, "updating the study", err);
    else
        rc = 0;
out:
    free(spec_text);
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

int usecase_study_patch(const usecase_env *env, int64_t id, const usecase_patch *p, jv_error *e)
{
    assert(env && p && e);
    char why[512] = "";
    registry_entry *lock = registry_lock(env->reg, id, why, sizeof why);
    if (!lock)
        return usecase_fail_internal(e, "locking the study", why);
    int rc = patch_locked(env, id, p, e);
    registry_release(env->reg, lock);
    return rc;
}
