/*
 * usecase_knowledge.c - the study's expert knowledge (replacing it, reading
 * it the way the model does) and the BoGraph graph learnt from its trials.
 *
 * The graph comes from the study's bograph_state in the registry, for every
 * algorithm: a bograph study's suggestions learn and keep it there, and the
 * structure use case takes it when it is current (same knowledge, within the
 * relearn schedule) or learns it now and keeps it. A study of another
 * algorithm gets the same graph, learnt on demand from its trials' metrics
 * and kept the same way; its suggestions do not use it. With too few trials
 * that report metrics, the nodes are the parameters and the objective and
 * the edges the expert's, with learned_at_trial 0.
 */
#include "server/usecase.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine.h"
#include "util/util.h"

void usecase_model_knowledge(registry_entry *e, const store_study *s, const study_def *sd,
                             const knowledge **out, char *note, size_t note_len)
{
    assert(e && s && sd && out);
    char err[512] = "";
    const knowledge *kn = NULL;
    *out = NULL;
    if (registry_knowledge(e, s->knowledge, &kn, err, sizeof err) != 0) {
        util_err(note, note_len, "stored knowledge ignored: %s", err);
        return;
    }
    if (!kn)
        return;
    const char *why = NULL;
    int checked = registry_knowledge_checked(e, &why);
    if (checked < 0) {
        util_err(note, note_len, "stored knowledge ignored: %s", why);
        return;
    }
    if (checked > 0) {
        *out = kn;
        return;
    }
    /* Knowledge is checked when it arrives; this catches knowledge stored
     * by an older version that did not check it. Once per change of the
     * knowledge: the registry keeps the outcome. */
    size_t p = space_size(sd->sp);
    const char **names = calloc(p + 1, sizeof *names);
    if (!names) {
        util_err(note, note_len, "stored knowledge ignored: out of memory");
        return;
    }
    for (size_t j = 0; j < p; j++)
        names[j] = space_param_name(sd->sp, j);
    int rc = knowledge_validate(kn, NULL, 0, names, p, study_knowledge_objective(sd), err,
                                sizeof err);
    free(names);
    registry_knowledge_set_checked(e, rc != 0 ? err : NULL);
    if (rc != 0) {
        util_err(note, note_len, "stored knowledge ignored: %s", err);
        return;
    }
    *out = kn;
}

int usecase_knowledge_check(const study_def *sd, json_t *k, json_t **norm, jv_error *e)
{
    assert(sd && k && norm && e);
    *norm = NULL;
    if (study_knowledge_validate(k, "knowledge", norm, e) != 0 ||
        study_knowledge_check(*norm, sd->sp, study_knowledge_objective(sd), "knowledge", e) != 0) {
        json_decref(*norm);
        *norm = NULL;
        return -1;
    }
    return 0;
}

int usecase_knowledge_put(const usecase_env *env, store_study *s, const study_def *sd, json_t *k,
                          jv_error *e)
{
    assert(env && s && sd && k && e);
    json_t *norm = NULL;
    if (usecase_knowledge_check(sd, k, &norm, e) != 0)
        return -1;
    char *text = json_dumps(norm, JSON_COMPACT);
    json_decref(norm);
    if (!text)
        return usecase_fail_internal(e, "encoding the knowledge", "out of memory");
    char err[512] = "";
    int rc = store_study_set_knowledge(env->st, s->id, text, err, sizeof err);
    if (rc != STORE_OK) {
        free(text);
        if (rc == STORE_NOT_FOUND)
            return jv_fail(e, 404, "not_found", NULL, "study %lld was deleted",
                           (long long)s->id);
        return usecase_fail_internal(e, "storing the knowledge", err);
    }
    /* the study now shows what is stored */
    free(s->knowledge);
    s->knowledge = text;
    return 0;
}

static int structure_locked(const usecase_env *env, registry_entry *lock, int64_t study_id,
                            bograph_graph *out, char *note, size_t note_len, jv_error *e)
{
    store_study s;
    study_def sd;
    if (usecase_study_load(env, study_id, &s, &sd, e) != 0)
        return -1;
    char err[512] = "";
    int rc = -1;
    /* the graph is learnt from the metrics, whatever the algorithm */
    if (registry_history_refresh(lock, env->st, s.id, 1, err, sizeof err) != 0) {
        usecase_fail_internal(e, "reading trials", err);
        goto out;
    }
    engine_context ctx = {.bograph = registry_bograph_state(lock)};
    if (!ctx.bograph) {
        usecase_fail_internal(e, "structure", "out of memory");
        goto out;
    }
    usecase_model_knowledge(lock, &s, &sd, &ctx.kn, note, note_len);
    if (engine_structure(&sd, registry_history(lock), &ctx, out, err, sizeof err) != 0) {
        usecase_fail_internal(e, "learning the structure", err);
        goto out;
    }
    rc = 0;
out:
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

int usecase_structure(const usecase_env *env, int64_t study_id, bograph_graph *out, char *note,
                      size_t note_len, jv_error *e)
{
    assert(env && out && note && note_len > 0 && e);
    memset(out, 0, sizeof *out);
    note[0] = '\0';
    char why[512] = "";
    registry_entry *lock = registry_lock(env->reg, study_id, why, sizeof why);
    if (!lock)
        return usecase_fail_internal(e, "locking the study", why);
    int rc = structure_locked(env, lock, study_id, out, note, note_len, e);
    registry_release(env->reg, lock);
    return rc;
}
