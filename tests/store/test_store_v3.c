/*
 * test_store_v3.c - the store operations of schema 3 on a real temporary
 * SQLite file: store_study_update (name, spec, state; a taken name is a
 * conflict) and store_trials_import (all or nothing, idempotency keys unique
 * per study, within one batch too), and the explanation stored with a
 * suggested trial. Run as test_store_v3_pg (BOGRAPH_TEST_PG_URI_FILE names
 * the test cluster's URI), each test runs on a fresh PostgreSQL database.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store.h"

#define STORE_FIXTURE_TAG "store3"
#include "store_fixture.h"

static store *open_store(int64_t *study)
{
    store *st = NULL;
    char err[256];
    if (store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err) != 0)
        fail_msg("store_open: %s", err);
    assert_int_equal(store_schema_version(st), 3);
    assert_int_equal(store_study_create(st, "a", "{\"name\":\"a\"}", NULL, NULL, 1.0, study, err,
                                        sizeof err),
                     STORE_OK);
    return st;
}

static void test_study_update(void **state)
{
    (void)state;
    int64_t a, b;
    store *st = open_store(&a);
    char err[256];
    assert_int_equal(store_study_create(st, "b", "{}", NULL, NULL, 1.0, &b, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_study_update(st, a, "a2", "{\"name\":\"a2\",\"budget\":9}", "done", err,
                                        sizeof err),
                     STORE_OK);
    store_study s;
    assert_int_equal(store_study_get(st, a, &s, err, sizeof err), STORE_OK);
    assert_string_equal(s.name, "a2");
    assert_string_equal(s.spec, "{\"name\":\"a2\",\"budget\":9}");
    assert_string_equal(s.state, "done");
    store_study_clear(&s);
    /* NULL state keeps it; a taken name conflicts and changes nothing */
    assert_int_equal(store_study_update(st, a, "a3", "{}", NULL, err, sizeof err), STORE_OK);
    assert_int_equal(store_study_update(st, a, "b", "{\"x\":1}", "active", err, sizeof err),
                     STORE_CONFLICT);
    assert_int_equal(store_study_get(st, a, &s, err, sizeof err), STORE_OK);
    assert_string_equal(s.name, "a3");
    assert_string_equal(s.spec, "{}");
    assert_string_equal(s.state, "done");
    store_study_clear(&s);
    assert_int_equal(store_study_update(st, 999, "z", "{}", NULL, err, sizeof err),
                     STORE_NOT_FOUND);
    store_close(st);
}

static void test_import_keys(void **state)
{
    (void)state;
    int64_t sid;
    store *st = open_store(&sid);
    char err[256];
    double cfg[3] = {0.1, 0.2, 0.3};
    store_new_trial nt[3];
    store_result res[3];
    const char *names[] = {"y"};
    double vals[3] = {1.5, 2.5, 3.5};
    store_import items[3];
    const char *keys[] = {"k1", NULL, "k1"};   /* the third repeats the first's key */
    for (int i = 0; i < 3; i++) {
        nt[i] = (store_new_trial){.params = "{\"x\":1}", .config = &cfg[i], .n_config = 1};
        res[i] = (store_result){.state = TRIAL_COMPLETED, .metric_names = names,
                                .metric_values = &vals[i], .n_metrics = 1, .has_objective = 1,
                                .objective = vals[i], .logs_bytes = -1, .result = "{}"};
        items[i] = (store_import){.trial = &nt[i], .res = &res[i], .key = keys[i]};
    }
    int64_t ids[3];
    unsigned char existed[3];
    assert_int_equal(store_trials_import(st, sid, items, 3, 10.0, ids, existed, err, sizeof err),
                     STORE_OK);
    assert_int_equal(existed[0], 0);
    assert_int_equal(existed[1], 0);
    assert_int_equal(existed[2], 1);
    assert_true(ids[2] == ids[0]);
    int64_t c[TRIAL_N_STATES];
    assert_int_equal(store_study_counts(st, sid, c, err, sizeof err), STORE_OK);
    assert_int_equal(c[TRIAL_COMPLETED], 2);
    /* again: nothing new for the keyed one, a new trial for the unkeyed one */
    int64_t ids2[3];
    assert_int_equal(store_trials_import(st, sid, items, 3, 11.0, ids2, existed, err, sizeof err),
                     STORE_OK);
    assert_true(ids2[0] == ids[0] && existed[0] == 1 && existed[1] == 0);
    assert_int_equal(store_study_counts(st, sid, c, err, sizeof err), STORE_OK);
    assert_int_equal(c[TRIAL_COMPLETED], 3);
    store_trial t;
    assert_int_equal(store_trial_get(st, sid, ids[0], 0, &t, err, sizeof err), STORE_OK);
    assert_string_equal(t.key, "k1");
    assert_null(t.explanation);
    assert_int_equal(t.n_metrics, 1);
    store_trial_clear(&t);
    /* the same key in another study is another trial */
    int64_t other;
    assert_int_equal(store_study_create(st, "o", "{}", NULL, NULL, 1.0, &other, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_trials_import(st, other, items, 1, 12.0, ids2, existed, err, sizeof err),
                     STORE_OK);
    assert_int_equal(existed[0], 0);
    /* a study that does not exist: nothing stored */
    assert_int_equal(store_trials_import(st, 999, items, 2, 12.0, ids2, existed, err, sizeof err),
                     STORE_NOT_FOUND);
    store_close(st);
}

static void test_explanation_stored(void **state)
{
    (void)state;
    int64_t sid;
    store *st = open_store(&sid);
    char err[256];
    double cfg = 0.5;
    store_new_trial nt = {.params = "{\"x\":0.5}", .config = &cfg, .n_config = 1};
    store_trial_origin o = {.model = "gp", .explanation = "{\"acquisition\":1.5}"};
    int64_t id;
    assert_int_equal(store_trials_insert_suggested(st, sid, &nt, &o, 1, "w", 1.0, 100.0, &id, err,
                                                   sizeof err),
                     STORE_OK);
    store_trial t;
    assert_int_equal(store_trial_get(st, sid, id, 0, &t, err, sizeof err), STORE_OK);
    assert_string_equal(t.explanation, "{\"acquisition\":1.5}");
    assert_null(t.key);
    store_trial_clear(&t);
    store_close(st);
}

int main(void)
{
    const char *file = getenv("BOGRAPH_TEST_PG_URI_FILE");
    if (file && *file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(pg_base, sizeof pg_base, f)) {
            fprintf(stderr, "cannot read the cluster URI from %s\n", file);
            return 1;
        }
        fclose(f);
        pg_base[strcspn(pg_base, "\r\n")] = '\0';
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_study_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explanation_stored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
