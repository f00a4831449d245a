/*
 * test_usecase.c - the use cases of a study (server/usecase.h) without
 * HTTP, against a real SQLite store in a temporary directory: the budget
 * and the default first in suggest, distinct points for pending trials, a
 * worker's own trials handed back, idempotent complete, import, heartbeat
 * of an expired lease, the best trial, deletion, importance on a small
 * study, expert knowledge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/usecase.h"
#include "util/util.h"

#define PARAMS "\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}, " \
               "{\"name\": \"z\", \"type\": \"float\", \"low\": 0, \"high\": 1}]"
#define OBJ "\"objective\": {\"name\": \"y\", \"goal\": \"minimize\"}"

#include "usecase_fixture.h"

/* Creates a study from the creation body's extra fields (after name,
 * parameters, objective); its id. */
static int64_t new_study(fixture *f, const char *name, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, "{\"name\": \"%s\", " PARAMS ", " OBJ "%s%s}", name,
             extra[0] ? ", " : "", extra);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    json_t *spec = NULL, *k = NULL;
    jv_error e;
    if (study_validate(body, &spec, &k, &e) != 0)
        fail_msg("study_validate: %s (%s)", e.message, e.field);
    char *spec_text = json_dumps(spec, JSON_COMPACT);
    char *k_text = k ? json_dumps(k, JSON_COMPACT) : NULL;
    int64_t id = 0;
    char err[256];
    assert_int_equal(store_study_create(f->st, name, spec_text, NULL, k_text, util_now(), &id, err,
                                        sizeof err),
                     STORE_OK);
    free(spec_text);
    free(k_text);
    json_decref(spec);
    json_decref(k);
    json_decref(body);
    return id;
}

static void load(fixture *f, int64_t id, store_study *s, study_def *sd)
{
    jv_error e;
    if (usecase_study_load(&f->env, id, s, sd, &e) != 0)
        fail_msg("usecase_study_load: %s", e.message);
}

/* Completes trial tid with objective y; the use case's return code. */
static int complete(fixture *f, int64_t sid, int64_t tid, double y, jv_error *e)
{
    store_study s;
    study_def sd;
    load(f, sid, &s, &sd);
    const char *names[] = {"y"};
    double values[] = {y};
    char result[64];
    snprintf(result, sizeof result, "{\"metrics\":{\"y\":%g}}", y);
    store_result r = {.state = TRIAL_COMPLETED,
                      .metric_names = names,
                      .metric_values = values,
                      .n_metrics = 1,
                      .has_objective = 1,
                      .objective = y,
                      .logs_bytes = -1,
                      .result = result};
    store_trial t;
    int rc = usecase_trial_finish(&f->env, &s, &sd, tid, &r, "completing the trial", &t, e);
    if (rc == 0) {
        assert_int_equal(t.id, tid);
        assert_int_equal(t.state, TRIAL_COMPLETED);
        assert_true(t.objective == y);
        store_trial_clear(&t);
    }
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

static void suggest_ok(fixture *f, int64_t sid, size_t count, const char *worker,
                       usecase_suggestion *out)
{
    jv_error e;
    if (usecase_suggest(&f->env, sid, count, worker, out, &e) != 0)
        fail_msg("usecase_suggest: %d %s", e.status, e.message);
}

static void test_suggest_budget_and_default(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "b", "\"algorithm\": \"random\", \"budget\": 3, \"seed\": 5, "
                                    "\"default\": {\"x\": 0.25, \"z\": 0.75}");
    usecase_suggestion sug;
    suggest_ok(f, sid, 5, "w1", &sug);
    assert_int_equal(sug.count, 3); /* the budget caps the batch */
    assert_int_equal(sug.done, 0);
    assert_int_equal(sug.trials[0].is_default, 1);
    assert_true(sug.trials[0].config[0] == 0.25 && sug.trials[0].config[1] == 0.75);
    assert_string_equal(sug.trials[0].model, "default");
    assert_int_equal(sug.trials[1].is_default, 0);
    assert_string_equal(sug.trials[1].model, "random");
    int64_t ids[3];
    for (size_t i = 0; i < 3; i++) {
        ids[i] = sug.trials[i].id;
        assert_int_equal(sug.trials[i].state, TRIAL_ACTIVE);
        assert_string_equal(sug.trials[i].worker, "w1");
    }
    usecase_suggestion_free(&sug);

    /* the budget is used up by active trials: nothing new for another worker */
    suggest_ok(f, sid, 2, "w2", &sug);
    assert_int_equal(sug.count, 0);
    assert_int_equal(sug.done, 0);
    usecase_suggestion_free(&sug);

    jv_error e;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(complete(f, sid, ids[i], (double)i, &e), 0);
    suggest_ok(f, sid, 1, "w2", &sug);
    assert_int_equal(sug.count, 0);
    assert_int_equal(sug.done, 1);
    usecase_suggestion_free(&sug);
    store_study s;
    study_def sd;
    load(f, sid, &s, &sd);
    assert_string_equal(s.state, "done");
    study_def_free(&sd);
    store_study_clear(&s);

    /* no study: 404 */
    assert_int_equal(usecase_suggest(&f->env, 9999, 1, NULL, &sug, &e), -1);
    assert_int_equal(e.status, 404);
    assert_string_equal(e.message, "no study 9999");
}

static void test_pending_get_different_points(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "p", "\"algorithm\": \"sobol\", \"seed\": 11");
    usecase_suggestion a, b;
    suggest_ok(f, sid, 3, "w1", &a);
    suggest_ok(f, sid, 3, "w2", &b);
    assert_int_equal(a.count, 3);
    assert_int_equal(b.count, 3);
    for (size_t i = 0; i < 6; i++) {
        const store_trial *t = i < 3 ? &a.trials[i] : &b.trials[i - 3];
        assert_int_equal(t->n_config, 2);
        for (size_t j = 0; j < i; j++) {
            const store_trial *u = j < 3 ? &a.trials[j] : &b.trials[j - 3];
            assert_false(t->config[0] == u->config[0] && t->config[1] == u->config[1]);
            assert_true(t->id != u->id);
        }
    }
    /* a worker asking again gets its own active trials back first */
    usecase_suggestion again;
    suggest_ok(f, sid, 2, "w1", &again);
    assert_int_equal(again.count, 2);
    assert_int_equal(again.trials[0].id, a.trials[0].id);
    assert_int_equal(again.trials[1].id, a.trials[1].id);
    usecase_suggestion_free(&again);
    usecase_suggestion_free(&a);
    usecase_suggestion_free(&b);
}

static void test_complete_is_idempotent(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "c", "\"algorithm\": \"random\"");
    usecase_suggestion sug;
    suggest_ok(f, sid, 1, NULL, &sug);
    assert_int_equal(sug.count, 1);
    int64_t tid = sug.trials[0].id;
    usecase_suggestion_free(&sug);
    jv_error e;
    assert_int_equal(complete(f, sid, tid, 1.5, &e), 0);
    assert_int_equal(complete(f, sid, tid, 1.5, &e), 0); /* the same again: fine */
    assert_int_equal(complete(f, sid, tid, 2.5, &e), -1);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.code, "conflict");
    assert_int_equal(complete(f, sid, tid + 100, 1.5, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_import_counts_as_default(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "i", "\"algorithm\": \"random\", \"budget\": 2, "
                                    "\"default\": {\"x\": 0.5, \"z\": 0.5}");
    store_study s;
    study_def sd;
    load(f, sid, &s, &sd);
    const char *names[] = {"y"};
    double values[] = {3.0};
    store_result r = {.state = TRIAL_COMPLETED,
                      .metric_names = names,
                      .metric_values = values,
                      .n_metrics = 1,
                      .has_objective = 1,
                      .objective = 3.0,
                      .logs_bytes = -1,
                      .result = "{}"};
    double config[] = {0.5, 0.5};
    store_trial t;
    jv_error e;
    assert_int_equal(usecase_import(&f->env, &s, &sd, config, "elsewhere", &r, &t, &e), 0);
    assert_int_equal(t.state, TRIAL_COMPLETED);
    assert_int_equal(t.is_default, 1);
    assert_string_equal(t.params, "{\"x\":0.5,\"z\":0.5}");
    store_trial_clear(&t);
    double other[] = {0.1, 0.9};
    r.state = TRIAL_FAILED;
    r.has_objective = 0;
    r.reason = "crashed";
    assert_int_equal(usecase_import(&f->env, &s, &sd, other, NULL, &r, &t, &e), 0);
    assert_int_equal(t.state, TRIAL_FAILED);
    assert_int_equal(t.is_default, 0);
    store_trial_clear(&t);
    study_def_free(&sd);
    store_study_clear(&s);

    /* the default ran and the budget of 2 is spent */
    load(f, sid, &s, &sd);
    assert_string_equal(s.state, "done");
    study_def_free(&sd);
    store_study_clear(&s);
    usecase_suggestion sug;
    suggest_ok(f, sid, 1, NULL, &sug);
    assert_int_equal(sug.count, 0);
    assert_int_equal(sug.done, 1);
    usecase_suggestion_free(&sug);
}

static void test_heartbeat_of_expired_lease(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "h", "\"algorithm\": \"random\", \"lease_seconds\": 30");
    usecase_suggestion sug;
    suggest_ok(f, sid, 1, "w", &sug);
    int64_t tid = sug.trials[0].id;
    double until = sug.trials[0].lease_expires_at;
    usecase_suggestion_free(&sug);

    store_study s;
    study_def sd;
    load(f, sid, &s, &sd);
    store_trial t;
    jv_error e;
    assert_int_equal(usecase_heartbeat(&f->env, &s, &sd, tid, &t, &e), 0);
    assert_true(t.lease_expires_at >= until);
    assert_int_equal(t.state, TRIAL_ACTIVE);
    store_trial_clear(&t);

    /* the lease runs out (as seen an hour later): the heartbeat is refused */
    char err[256];
    assert_int_equal(store_expire_leases(f->st, sid, util_now() + 3600, NULL, err, sizeof err),
                     STORE_OK);
    assert_int_equal(usecase_heartbeat(&f->env, &s, &sd, tid, &t, &e), -1);
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.message, "not active"));
    assert_int_equal(usecase_heartbeat(&f->env, &s, &sd, tid + 50, &t, &e), -1);
    assert_int_equal(e.status, 404);
    study_def_free(&sd);
    store_study_clear(&s);
}

static void test_best_and_delete(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "best", "\"algorithm\": \"random\", "
                                       "\"default\": {\"x\": 0.5, \"z\": 0.5}");
    store_study s;
    study_def sd;
    jv_error e;
    usecase_best b;
    load(f, sid, &s, &sd);
    assert_int_equal(usecase_best_trials(&f->env, &s, &sd, &b, &e), 0);
    assert_int_equal(b.has_best, 0);
    assert_int_equal(b.has_default, 0);
    usecase_suggestion sug;
    suggest_ok(f, sid, 3, NULL, &sug);
    assert_int_equal(sug.count, 3);
    const double ys[] = {5, 1, 3};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(complete(f, sid, sug.trials[i].id, ys[i], &e), 0);
    assert_int_equal(usecase_best_trials(&f->env, &s, &sd, &b, &e), 0);
    assert_int_equal(b.has_best, 1);
    assert_int_equal(b.best.id, sug.trials[1].id); /* minimised */
    assert_int_equal(b.has_default, 1);
    assert_int_equal(b.def.id, sug.trials[0].id);
    assert_int_equal(b.def.is_default, 1);
    usecase_best_free(&b);
    usecase_suggestion_free(&sug);
    study_def_free(&sd);
    store_study_clear(&s);

    assert_int_equal(usecase_study_delete(&f->env, sid, "x", &e), 0);
    assert_int_equal(usecase_study_load(&f->env, sid, &s, &sd, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(usecase_study_delete(&f->env, sid, "7", &e), -1);
    assert_int_equal(e.status, 404);
    assert_string_equal(e.message, "no study '7'");
    assert_int_equal(usecase_study_delete(&f->env, -1, "abc", &e), -1);
    assert_string_equal(e.message, "no study 'abc'");
}

static char *render_names(const usecase_importance *imp)
{
    char *out = malloc(256);
    if (!out)
        return NULL;
    snprintf(out, 256, "%zu:%s=%.3f,%s=%.3f", imp->at_trial, imp->names[0], imp->values[0],
             imp->names[1], imp->values[1]);
    return out;
}

static void test_importance_small_study(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "imp", "\"algorithm\": \"random\", \"seed\": 3");
    char *text = NULL;
    jv_error e;
    assert_int_equal(usecase_importance_text(&f->env, sid, render_names, &text, &e), -1);
    assert_int_equal(e.status, 404);
    assert_string_equal(e.message, "no importance yet: 0 completed trials, 5 needed");

    /* y depends on x only */
    usecase_suggestion sug;
    suggest_ok(f, sid, 12, NULL, &sug);
    assert_int_equal(sug.count, 12);
    for (size_t i = 0; i < sug.count; i++) {
        double x = sug.trials[i].config[0];
        assert_int_equal(complete(f, sid, sug.trials[i].id, 10 * (x - 0.3) * (x - 0.3), &e), 0);
    }
    usecase_suggestion_free(&sug);
    if (usecase_importance_text(&f->env, sid, render_names, &text, &e) != 0)
        fail_msg("importance: %s", e.message);
    assert_int_equal(strncmp(text, "12:x=", 5), 0);
    double vx = 0, vz = 0;
    assert_int_equal(sscanf(strchr(text, '=') + 1, "%lf", &vx), 1);
    assert_int_equal(sscanf(strrchr(text, '=') + 1, "%lf", &vz), 1);
    assert_true(vx > vz);
    assert_true(vx + vz > 0.999 && vx + vz < 1.001);
    /* the second time from the cache: the same text */
    char *again = NULL;
    assert_int_equal(usecase_importance_text(&f->env, sid, render_names, &again, &e), 0);
    assert_string_equal(again, text);
    free(again);
    free(text);
}

static void test_knowledge(void **state)
{
    fixture *f = *state;
    int64_t sid = new_study(f, "k", "\"algorithm\": \"bograph\"");
    store_study s;
    study_def sd;
    load(f, sid, &s, &sd);
    jv_error e;
    static const struct {
        const char *k;
        const char *field;
    } bad[] = {
        {"{\"edges\": [[\"lat\", \"x\"]]}", "knowledge.edges[0]"},   /* into a parameter */
        {"{\"edges\": [[\"y\", \"lat\"]]}", "knowledge.edges[0]"},   /* out of the objective */
        {"{\"colour\": 1}", "knowledge.colour"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *k = json_loads(bad[i].k, 0, NULL);
        assert_non_null(k);
        assert_int_equal(usecase_knowledge_put(&f->env, &s, &sd, k, &e), -1);
        assert_int_equal(e.status, 400);
        if (strcmp(e.field, bad[i].field) != 0)
            fail_msg("case %zu: field '%s' (%s), expected '%s'", i, e.field, e.message,
                     bad[i].field);
        json_decref(k);
    }
    assert_null(s.knowledge);
    json_t *k = json_loads("{\"edges\": [[\"x\", \"lat\"], [\"lat\", \"y\"]]}", 0, NULL);
    assert_int_equal(usecase_knowledge_put(&f->env, &s, &sd, k, &e), 0);
    json_decref(k);
    assert_non_null(s.knowledge);
    assert_non_null(strstr(s.knowledge, "\"lat\""));

    /* the model reads it */
    registry_entry *lock = registry_lock(f->reg, sid, NULL, 0);
    assert_non_null(lock);
    const knowledge *kn = NULL;
    char note[256] = "";
    usecase_model_knowledge(lock, &s, &sd, &kn, note, sizeof note);
    assert_non_null(kn);
    assert_string_equal(note, "");
    /* knowledge stored by an older version that does not fit: ignored, with a note */
    free(s.knowledge);
    s.knowledge = strdup("{\"edges\": [[\"lat\", \"x\"]], \"forbidden\": [], \"models\": {}}");
    usecase_model_knowledge(lock, &s, &sd, &kn, note, sizeof note);
    assert_null(kn);
    assert_int_equal(strncmp(note, "stored knowledge ignored: ", 26), 0);
    registry_release(f->reg, lock);

    /* the study vanished meanwhile: 404 */
    char err[256];
    assert_int_equal(store_study_delete(f->st, sid, err, sizeof err), STORE_OK);
    k = json_loads("{}", 0, NULL);
    assert_int_equal(usecase_knowledge_put(&f->env, &s, &sd, k, &e), -1);
    assert_int_equal(e.status, 404);
    json_decref(k);
    study_def_free(&sd);
    store_study_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_suggest_budget_and_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_get_different_points, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_counts_as_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_of_expired_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_best_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_importance_small_study, setup, teardown),
        cmocka_unit_test_setup_teardown(test_knowledge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
