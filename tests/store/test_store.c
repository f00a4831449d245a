/*
 * test_store.c - the SQLite store on a real temporary file: choosing the
 * backend from the database string, schema and
 * migrations, studies, trial leases, seq, idempotent finishing, expiry,
 * paging, metrics and logs, and concurrent writers through the pool.
 * Run as test_store_pg (BOGRAPH_TEST_PG_URI_FILE names the test cluster's
 * URI), the backend-neutral tests run on a fresh PostgreSQL database each.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>

#include "store/store.h"

#define STORE_FIXTURE_TAG "store"
#include "store_fixture.h"

static store *open_store(void)
{
    store *st = NULL;
    char err[256];
    int rc = store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err);
    if (rc != 0)
        fail_msg("store_open: %s", err);
    return st;
}

static int64_t new_study(store *st, const char *name)
{
    int64_t id = 0;
    char err[256];
    assert_int_equal(store_study_create(st, name, "{\"name\":\"x\"}", NULL, NULL, 1000.0, &id, err,
                                        sizeof err),
                     STORE_OK);
    assert_true(id > 0);
    return id;
}

static void lease(store *st, int64_t sid, size_t n, const char *worker, double now, double until,
                  int64_t *ids)
{
    store_new_trial t[8];
    double cfg[8];
    char *params[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        cfg[i] = (double)i + now;
        params[i] = malloc(32);
        snprintf(params[i], 32, "{\"x\":%g}", cfg[i]);
        t[i] = (store_new_trial){params[i], &cfg[i], 1, 0};
    }
    char err[256];
    int rc = store_trials_insert_active(st, sid, t, n, worker, now, until, ids, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        free(params[i]);
    assert_int_equal(rc, STORE_OK);
}

static void test_schema_and_reopen(void **state)
{
    (void)state;
    store *st = open_store();
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    int64_t id = new_study(st, "s");
    store_close(st);
    st = open_store();
    store_study s;
    char err[256];
    assert_int_equal(store_study_get(st, id, &s, err, sizeof err), STORE_OK);
    assert_string_equal(s.name, "s");
    assert_string_equal(s.state, "active");
    store_study_clear(&s);
    store_close(st);

    /* WAL mode and the migrations table are really there */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    /* a newer schema is refused, not misread */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES(99, 0)", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st = NULL;
    assert_int_equal(store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err), -1);
    assert_null(st);
    assert_non_null(strstr(err, "newer"));
}

static void test_study_lifecycle(void **state)
{
    (void)state;
    store *st = open_store();
    char err[256];
    int64_t a = new_study(st, "a"), b = new_study(st, "b"), again = 0;
    assert_int_equal(store_study_create(st, "a", "{}", NULL, NULL, 1.0, &again, err, sizeof err),
                     STORE_CONFLICT);
    assert_int_equal(again, a);
    store_study *list;
    size_t n;
    assert_int_equal(store_study_list(st, &list, &n, err, sizeof err), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, a);
    assert_int_equal(list[1].id, b);
    for (size_t i = 0; i < n; i++)
        store_study_clear(&list[i]);
    free(list);
    assert_int_equal(store_study_set_knowledge(st, a, "{\"edges\":[]}", err, sizeof err), STORE_OK);
    assert_int_equal(store_study_set_state(st, a, "done", err, sizeof err), STORE_OK);
    store_study s;
    assert_int_equal(store_study_get(st, a, &s, err, sizeof err), STORE_OK);
    assert_string_equal(s.knowledge, "{\"edges\":[]}");
    assert_string_equal(s.state, "done");
    store_study_clear(&s);

    int64_t ids[2];
    lease(st, b, 2, "w", 10.0, 20.0, ids);
    assert_int_equal(store_study_delete(st, b, err, sizeof err), STORE_OK);
    assert_int_equal(store_study_get(st, b, &s, err, sizeof err), STORE_NOT_FOUND);
    store_trial t;
    assert_int_equal(store_trial_get(st, b, ids[0], 0, &t, err, sizeof err), STORE_NOT_FOUND);
    assert_int_equal(store_study_delete(st, b, err, sizeof err), STORE_NOT_FOUND);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts_all(st, counts, err, sizeof err), STORE_OK);
    assert_int_equal(counts[TRIAL_ACTIVE], 0); /* cascaded */
    store_close(st);
}

static void test_trial_lifecycle(void **state)
{
    (void)state;
    store *st = open_store();
    char err[256];
    int64_t sid = new_study(st, "t");
    int64_t ids[3];
    lease(st, sid, 3, "w1", 100.0, 200.0, ids);
    store_trial t;
    assert_int_equal(store_trial_get(st, sid, ids[2], 0, &t, err, sizeof err), STORE_OK);
    assert_int_equal(t.number, 3);
    assert_int_equal(t.seq, 3);
    assert_int_equal(t.state, TRIAL_ACTIVE);
    assert_string_equal(t.worker, "w1");
    assert_int_equal(t.n_config, 1);
    assert_true(t.config[0] == 102.0);
    assert_true(t.lease_expires_at == 200.0);
    store_trial_clear(&t);

    const char *names[] = {"y", "mem"};
    double vals[] = {1.5, 3.0};
    store_result r = {.state = TRIAL_COMPLETED, .metric_names = names, .metric_values = vals,
                      .n_metrics = 2, .has_objective = 1, .objective = 1.5, .logs = "tail",
                      .logs_len = 4, .logs_bytes = 10, .logs_truncated = 1, .result = "R1"};
    assert_int_equal(store_trial_finish(st, sid, ids[0], &r, 150.0, err, sizeof err), STORE_OK);
    assert_int_equal(store_trial_finish(st, sid, ids[0], &r, 151.0, err, sizeof err), STORE_SAME);
    store_result r2 = r;
    r2.result = "R2";
    assert_int_equal(store_trial_finish(st, sid, ids[0], &r2, 152.0, err, sizeof err),
                     STORE_CONFLICT);
    assert_int_equal(store_trial_finish(st, sid, 9999, &r, 152.0, err, sizeof err),
                     STORE_NOT_FOUND);
    assert_int_equal(store_trial_heartbeat(st, sid, ids[0], 300.0, err, sizeof err),
                     STORE_CONFLICT);
    assert_int_equal(store_trial_get(st, sid, ids[0], 1, &t, err, sizeof err), STORE_OK);
    assert_int_equal(t.state, TRIAL_COMPLETED);
    assert_int_equal(t.seq, 4);
    assert_int_equal(t.n_metrics, 2);
    assert_string_equal(t.metric_names[0], "mem"); /* by name */
    assert_true(t.metric_values[1] == 1.5);
    assert_string_equal(t.logs, "tail");
    assert_int_equal(t.logs_bytes, 10);
    assert_int_equal(t.logs_truncated, 1);
    assert_true(t.finished_at == 150.0);
    store_trial_clear(&t);

    /* heartbeat moves the lease and the seq */
    assert_int_equal(store_trial_heartbeat(st, sid, ids[1], 500.0, err, sizeof err), STORE_OK);
    /* expiry: ids[2] (lease 200) expires at 250, ids[1] (500) does not */
    int n = -1;
    assert_int_equal(store_expire_leases(st, sid, 250.0, &n, err, sizeof err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_expire_leases(st, sid, 250.0, &n, err, sizeof err), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_trial_get(st, sid, ids[2], 0, &t, err, sizeof err), STORE_OK);
    assert_int_equal(t.state, TRIAL_EXPIRED);
    assert_int_equal(t.seq, 6);
    store_trial_clear(&t);
    /* a late result of an expired trial is still kept */
    store_result f = {.state = TRIAL_INFEASIBLE, .reason = "oom", .logs_bytes = -1, .result = "F"};
    assert_int_equal(store_trial_finish(st, sid, ids[2], &f, 260.0, err, sizeof err), STORE_OK);

    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_study_counts(st, sid, counts, err, sizeof err), STORE_OK);
    assert_int_equal(counts[TRIAL_COMPLETED], 1);
    assert_int_equal(counts[TRIAL_ACTIVE], 1);
    assert_int_equal(counts[TRIAL_INFEASIBLE], 1);

    /* paging by seq: every change moved a trial to the end */
    store_trials page;
    assert_int_equal(store_trials_page(st, sid, -1, 0, 2, &page, err, sizeof err), STORE_OK);
    assert_int_equal(page.count, 2);
    assert_int_equal(page.items[0].id, ids[0]); /* seq 4 */
    assert_int_equal(page.items[1].id, ids[1]); /* seq 5 */
    int64_t next = page.items[1].seq;
    store_trials_free(&page);
    assert_int_equal(store_trials_page(st, sid, -1, next, 10, &page, err, sizeof err), STORE_OK);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.items[0].id, ids[2]);
    store_trials_free(&page);
    assert_int_equal(store_trials_page(st, sid, TRIAL_ACTIVE, 0, 10, &page, err, sizeof err),
                     STORE_OK);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.items[0].id, ids[1]);
    store_trials_free(&page);

    store_trials mine;
    assert_int_equal(store_trials_of_worker(st, sid, "w1", &mine, err, sizeof err), STORE_OK);
    assert_int_equal(mine.count, 1);
    store_trials_free(&mine);
    assert_int_equal(store_trials_of_worker(st, sid, "other", &mine, err, sizeof err), STORE_OK);
    assert_int_equal(mine.count, 0);
    store_trials_free(&mine);

    /* the engine's incremental read: everything, then only what changed */
    store_trials eng;
    int64_t max_seq = -1;
    assert_int_equal(store_trials_engine(st, sid, 0, 1, &eng, &max_seq, err, sizeof err), STORE_OK);
    assert_int_equal(eng.count, 3);
    assert_int_equal(max_seq, 7);
    assert_int_equal(eng.items[0].n_metrics, 2);
    assert_true(eng.items[0].objective == 1.5);
    store_trials_free(&eng);
    assert_int_equal(store_trials_engine(st, sid, 5, 0, &eng, &max_seq, err, sizeof err), STORE_OK);
    assert_int_equal(eng.count, 1);
    assert_int_equal(eng.items[0].id, ids[2]);
    assert_int_equal(eng.items[0].state, TRIAL_INFEASIBLE);
    store_trials_free(&eng);
    assert_int_equal(store_trials_engine(st, sid, 7, 0, &eng, &max_seq, err, sizeof err), STORE_OK);
    assert_int_equal(eng.count, 0);
    assert_int_equal(max_seq, 7);
    store_trials_free(&eng);

    /* import */
    double cfg = 42;
    store_new_trial nt = {"{\"x\":42}", &cfg, 1, 1};
    int64_t iid;
    assert_int_equal(store_trial_import(st, sid, &nt, NULL, &r, 300.0, &iid, err, sizeof err),
                     STORE_OK);
    assert_int_equal(store_trial_get(st, sid, iid, 0, &t, err, sizeof err), STORE_OK);
    assert_int_equal(t.state, TRIAL_COMPLETED);
    assert_int_equal(t.is_default, 1);
    assert_int_equal(t.number, 4);
    assert_true(isnan(t.lease_expires_at));
    store_trial_clear(&t);
    assert_int_equal(store_trial_import(st, 777, &nt, NULL, &r, 300.0, &iid, err, sizeof err),
                     STORE_NOT_FOUND);
    store_close(st);
}

typedef struct {
    store *st;
    int64_t sid;
    int failures;
} worker_arg;

static void *writer(void *p)
{
    worker_arg *a = p;
    char err[256];
    for (int i = 0; i < 50; i++) {
        double cfg = i;
        store_new_trial nt = {"{}", &cfg, 1, 0};
        int64_t id;
        if (store_trials_insert_active(a->st, a->sid, &nt, 1, "w", 1.0, 1e12, &id, err,
                                       sizeof err) != STORE_OK) {
            a->failures++;
            continue;
        }
        const char *names[] = {"y"};
        double vals[] = {(double)i};
        store_result r = {.state = TRIAL_COMPLETED, .metric_names = names,
                          .metric_values = vals, .n_metrics = 1, .has_objective = 1,
                          .objective = i, .logs_bytes = -1, .result = "r"};
        if (store_trial_finish(a->st, a->sid, id, &r, 2.0, err, sizeof err) != STORE_OK)
            a->failures++;
        store_trials all;
        if (store_trials_all(a->st, a->sid, 1, &all, err, sizeof err) != STORE_OK)
            a->failures++;
        else
            store_trials_free(&all);
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    (void)state;
    store *st = open_store();
    int64_t sid = new_study(st, "c");
    pthread_t th[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){st, sid, 0};
        pthread_create(&th[i], NULL, writer, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    char err[256];
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_study_counts(st, sid, counts, err, sizeof err), STORE_OK);
    assert_int_equal(counts[TRIAL_COMPLETED], 200);
    store_study s;
    assert_int_equal(store_study_get(st, sid, &s, err, sizeof err), STORE_OK);
    assert_int_equal(s.seq, 400);           /* one per insert, one per finish */
    assert_int_equal(s.next_number, 201);   /* numbers 1..200, no gaps */
    store_study_clear(&s);
    store_close(st);
}

/* The database string picks the backend: a path or sqlite:<path> opens the
 * same SQLite file; an unknown scheme is refused with a clear message. */
static void test_open_backends(void **state)
{
    (void)state;
    store *st = open_store();
    int64_t id = new_study(st, "by-path");
    store_close(st);

    char uri[512], err[256];
    const char *prefixes[] = {"sqlite:", "sqlite://"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(uri, sizeof uri, "%s%s", prefixes[i], path);
        st = NULL;
        assert_int_equal(store_open(uri, STORE_SYNC_NORMAL, &st, err, sizeof err), 0);
        store_study got;
        assert_int_equal(store_study_get(st, id, &got, err, sizeof err), STORE_OK);
        assert_string_equal(got.name, "by-path");
        store_study_clear(&got);
        store_close(st);
    }

    const char *bad[] = {"mysql://h/db", "oracle://h/db"};
    for (size_t i = 0; i < 2; i++) {
        st = (store *)1;
        err[0] = '\0';
        assert_int_equal(store_open(bad[i], STORE_SYNC_NORMAL, &st, err, sizeof err), -1);
        assert_null(st);
        assert_non_null(strstr(err, "unsupported database"));
    }
    /* postgres schemes go to the PostgreSQL backend, which wants a URI */
    st = (store *)1;
    assert_int_equal(store_open("postgresql:dbname=x", STORE_SYNC_NORMAL, &st, err, sizeof err),
                     -1);
    assert_null(st);
    assert_non_null(strstr(err, "not a PostgreSQL URI"));
    st = (store *)1;
    assert_int_equal(store_open("sqlite:", STORE_SYNC_NORMAL, &st, err, sizeof err), -1);
    assert_null(st);
    assert_int_equal(store_open("", STORE_SYNC_NORMAL, &st, err, sizeof err), -1);
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
        const struct CMUnitTest pg_tests[] = {
            cmocka_unit_test_setup_teardown(test_study_lifecycle, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trial_lifecycle, setup, teardown),
            cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        };
        return cmocka_run_group_tests_name("store on PostgreSQL", pg_tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_backends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_study_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trial_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
