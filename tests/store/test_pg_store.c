/*
 * test_pg_store.c - what only the PostgreSQL backend has, on the test
 * cluster (scripts/pg_cluster.sh, BOGRAPH_TEST_PG_URI_FILE): clear errors
 * for a wrong URI, database or password; replicas opening a fresh database
 * (or one at schema 2) together migrate it once; a newer schema is refused; the study lock
 * excludes a second holder until released (or until the holder's sessions
 * close); work goes on after the database restarts; a study copied
 * SQLite -> PostgreSQL -> SQLite with store_study_restore comes back equal
 * (explanations and import keys included); and two replicas importing one
 * key at once store one trial.
 */
#include <math.h>
#include <pthread.h>
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

static char base[256];      /* the cluster's maintenance database */
static char uri[384];       /* this test's own database */
static char name[64];
static char dir[64];

static PGresult *admin_exec(const char *on, const char *sql)
{
    PGconn *db = PQconnectdb(on);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(db));
    PQfinish(db);
    return r;
}

static int setup(void **state)
{
    (void)state;
    static int n;
    snprintf(name, sizeof name, "bgpg_%d_%d", (int)getpid(), ++n);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PQclear(admin_exec(base, sql));
    const char *slash = strrchr(base, '/');
    snprintf(uri, sizeof uri, "%.*s/%s", (int)(slash - base), base, name);
    snprintf(dir, sizeof dir, "/tmp/bograph-pgstore-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", name);
    PQclear(admin_exec(base, sql));
    snprintf(sql, sizeof sql, "rm -rf %s", dir);
    return system(sql) == 0 ? 0 : -1;
}

static store *open_uri(const char *u)
{
    store *st = NULL;
    char err[512];
    if (store_open(u, STORE_SYNC_NORMAL, &st, err, sizeof err) != 0)
        fail_msg("store_open %s: %s", u, err);
    return st;
}

/* The message store_open gives for u (which must fail). */
static void open_fails(const char *u, const char *want)
{
    store *st = (store *)1;
    char err[512] = "";
    assert_int_equal(store_open(u, STORE_SYNC_NORMAL, &st, err, sizeof err), -1);
    assert_null(st);
    if (!strstr(err, want))
        fail_msg("opening %s: '%s' does not say '%s'", u, err, want);
    assert_null(strstr(err, "right")); /* a password never shows */
}

static void test_open_errors(void **state)
{
    (void)state;
    const char *hostport = strstr(base, "@") + 1;
    char u[512];
    const char *slash = strrchr(hostport, '/');
    snprintf(u, sizeof u, "postgresql://bograph_pw:wrong@%.*s/postgres",
             (int)(slash - hostport), hostport);
    open_fails(u, "password authentication failed");
    snprintf(u, sizeof u, "postgresql://bograph_pw:right@%.*s/no_such_db",
             (int)(slash - hostport), hostport);
    open_fails(u, "does not exist");
    open_fails("postgresql://127.0.0.1:1/x", "cannot connect to PostgreSQL at postgresql://127.0.0.1:1/x");
    open_fails("postgres://h/db?nonsense=1", "invalid URI query parameter");
    open_fails("postgres:dbname=x", "not a PostgreSQL URI");
    /* the right password opens it, and "postgres://" is the same backend */
    snprintf(u, sizeof u, "postgres://bograph_pw:right@%.*s/%s", (int)(slash - hostport),
             hostport, name);
    store *st = open_uri(u);
    assert_string_equal(store_backend_name(st), "postgres");
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    char err[256];
    assert_int_equal(store_ping(st, err, sizeof err), 0);
    store_close(st);
}

static void *open_thread(void *arg)
{
    (void)arg;
    store *st = NULL;
    char err[512];
    intptr_t ok = store_open(uri, STORE_SYNC_NORMAL, &st, err, sizeof err) == 0;
    if (!ok)
        fprintf(stderr, "open: %s\n", err);
    store_close(st);
    return (void *)ok;
}

/* Six replicas start together on a fresh database: one migrates, all open. */
static void test_migrate_once(void **state)
{
    (void)state;
    pthread_t th[6];
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, open_thread, NULL);
    for (int i = 0; i < 6; i++) {
        void *ok = NULL;
        pthread_join(th[i], &ok);
        assert_true(ok != NULL);
    }
    PGresult *r = admin_exec(uri, "SELECT count(*), max(version) FROM schema_migrations");
    assert_int_equal(atoi(PQgetvalue(r, 0, 0)), STORE_SCHEMA_VERSION); /* each once */
    assert_int_equal(atoi(PQgetvalue(r, 0, 1)), STORE_SCHEMA_VERSION);
    PQclear(r);
    /* a newer schema than this build knows is refused */
    PQclear(admin_exec(uri, "INSERT INTO schema_migrations VALUES(99, 0)"));
    open_fails(uri, "newer than this bograph understands");
}

/* A database at schema 2 with a trial (schema 3's columns dropped again):
 * six replicas opening it together apply migration 3 once, and the old
 * trial reads with neither explanation nor key. */
static void test_upgrade_from_v2(void **state)
{
    (void)state;
    store *st = open_uri(uri);
    char err[256];
    int64_t sid = 0, id = 0;
    assert_int_equal(store_study_create(st, "old", "{}", NULL, NULL, 1.0, &sid, err, sizeof err),
                     STORE_OK);
    double c = 1;
    store_new_trial t = {"{\"x\":1}", &c, 1, 0};
    assert_int_equal(store_trials_insert_active(st, sid, &t, 1, "w", 1.0, 2.0, &id, err,
                                                sizeof err),
                     STORE_OK);
    store_close(st);
    PQclear(admin_exec(uri, "ALTER TABLE trials DROP COLUMN explanation, DROP COLUMN import_key;"
                            "DELETE FROM schema_migrations WHERE version = 3"));
    pthread_t th[6];
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, open_thread, NULL);
    for (int i = 0; i < 6; i++) {
        void *ok = NULL;
        pthread_join(th[i], &ok);
        assert_true(ok != NULL);
    }
    PGresult *r = admin_exec(uri, "SELECT count(*) FROM schema_migrations WHERE version = 3");
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    st = open_uri(uri);
    store_trial got;
    assert_int_equal(store_trial_get(st, sid, id, 0, &got, err, sizeof err), STORE_OK);
    assert_null(got.explanation);
    assert_null(got.key);
    store_trial_clear(&got);
    store_close(st);
}

typedef struct {
    store *st;
    int64_t study;
    volatile int held;
} locker;

static void *lock_thread(void *arg)
{
    locker *l = arg;
    store_lock *lk = NULL;
    char err[256];
    assert_int_equal(store_study_lock(l->st, l->study, &lk, err, sizeof err), STORE_OK);
    l->held = 1;
    store_study_unlock(l->st, lk);
    return NULL;
}

/* Waits (up to a minute) until a session waits for an advisory lock. */
static void wait_for_waiter(void)
{
    for (int i = 0; i < 600; i++) {
        PGresult *r = admin_exec(uri, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                      "AND NOT granted");
        int waiting = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (waiting > 0)
            return;
        usleep(100 * 1000);
    }
    fail_msg("nobody waits for the study lock");
}

/* Two replicas (two handles): the second waits for the first's study lock,
 * gets it once released, and gets it when the first handle closes. A lock
 * on another study does not wait. */
static void test_study_lock(void **state)
{
    (void)state;
    store *a = open_uri(uri), *b = open_uri(uri);
    char err[256];
    store_lock *la = NULL, *other = NULL;
    assert_int_equal(store_study_lock(a, 7, &la, err, sizeof err), STORE_OK);
    assert_non_null(la);
    assert_int_equal(store_study_lock(b, 8, &other, err, sizeof err), STORE_OK);
    store_study_unlock(b, other);
    locker l = {b, 7, 0};
    pthread_t th;
    pthread_create(&th, NULL, lock_thread, &l);
    wait_for_waiter();
    assert_int_equal(l.held, 0);
    store_study_unlock(a, la);
    pthread_join(th, NULL);
    assert_int_equal(l.held, 1);

    /* a replica that goes away takes its locks with it */
    assert_int_equal(store_study_lock(a, 7, &la, err, sizeof err), STORE_OK);
    l.held = 0;
    pthread_create(&th, NULL, lock_thread, &l);
    wait_for_waiter();
    PQclear(admin_exec(base, "SELECT pg_terminate_backend(pid) FROM pg_locks "
                             "WHERE locktype = 'advisory' AND granted"));
    pthread_join(th, NULL);
    assert_int_equal(l.held, 1);
    store_study_unlock(a, la); /* its session is gone: nothing to release, no harm */
    store_stats s;
    store_stats_get(b, &s);
    assert_true(s.locks >= 2);
    assert_true(s.pool_open >= 1 && s.pool_open <= s.pool_max);
    store_close(a);
    store_close(b);
}

/* The database restarts under an open store: the next calls work. */
static void test_reconnect(void **state)
{
    (void)state;
    store *st = open_uri(uri);
    int64_t id = 0;
    char err[512];
    assert_int_equal(store_study_create(st, "r", "{}", NULL, NULL, 1.0, &id, err, sizeof err),
                     STORE_OK);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "bash %s restart %s", getenv("BOGRAPH_PG_CLUSTER_SCRIPT"),
             getenv("BOGRAPH_PG_CLUSTER_DIR"));
    assert_int_equal(system(cmd), 0);
    store_study s;
    int rc = store_study_get(st, id, &s, err, sizeof err);
    if (rc != STORE_OK)
        fail_msg("after the restart: %s", err);
    assert_string_equal(s.name, "r");
    store_study_clear(&s);
    assert_int_equal(store_ping(st, err, sizeof err), 0);
    store_stats stats;
    store_stats_get(st, &stats);
    assert_true(stats.reconnects >= 1);
    store_close(st);
}

/* A study with every kind of trial, in st. */
static int64_t fill(store *st)
{
    char err[256];
    int64_t sid = 0, ids[3], imp = 0;
    assert_int_equal(store_study_create(st, "copy", "{\"name\":\"copy\"}", "rocksdb",
                                        "{\"edges\":[]}", 100.5, &sid, err, sizeof err),
                     STORE_OK);
    double cfg[3] = {0.25, -1.5, 1e-300};
    store_new_trial t[3] = {{"{\"x\":0.25}", &cfg[0], 1, 1},
                            {"{\"x\":-1.5}", &cfg[1], 1, 0},
                            {"{\"x\":1e-300}", &cfg[2], 1, 0}};
    store_trial_origin o[3] = {{"default", NULL, NULL},
                               {"bograph", "fell back: few trials", "{\"lat\":{\"mean\":2}}"},
                               {"gp", NULL, NULL}};
    assert_int_equal(store_trials_insert_suggested(st, sid, t, o, 3, "w1", 101.0, 701.0, ids, err,
                                                   sizeof err),
                     STORE_OK);
    const char *names[] = {"lat", "mem"};
    double vals[] = {3.25, 1e10};
    store_result done = {TRIAL_COMPLETED, names, vals, 2, 1, 3.25, NULL, "line 1\nlatency 3.25\n",
                         20, 20, 0, "{\"metrics\":{\"lat\":3.25}}"};
    assert_int_equal(store_trial_finish(st, sid, ids[0], &done, 102.0, err, sizeof err), STORE_OK);
    store_result bad = {TRIAL_INFEASIBLE, NULL, NULL, 0, 0, NAN, "oom", NULL, 0, -1, 0,
                        "{\"reason\":\"oom\"}"};
    assert_int_equal(store_trial_finish(st, sid, ids[1], &bad, 103.0, err, sizeof err), STORE_OK);
    double icfg = 9.0;
    store_new_trial it = {"{\"x\":9}", &icfg, 1, 0};
    assert_int_equal(store_trial_import(st, sid, &it, NULL, &done, 104.0, &imp, err, sizeof err),
                     STORE_OK);
    store_import keyed = {&it, "w2", &done, "run-7"};
    unsigned char existed = 0;
    assert_int_equal(store_trials_import(st, sid, &keyed, 1, 105.0, &imp, &existed, err,
                                         sizeof err),
                     STORE_OK);
    return sid;
}

/* Every study of from, with trials (metrics and logs), restored into to. */
static void copy_all(store *from, store *to)
{
    char err[256];
    store_study *list;
    size_t n;
    assert_int_equal(store_study_list(from, &list, &n, err, sizeof err), STORE_OK);
    for (size_t i = 0; i < n; i++) {
        store_trials ts;
        assert_int_equal(store_trials_all(from, list[i].id, 1, &ts, err, sizeof err), STORE_OK);
        for (size_t k = 0; k < ts.count; k++) {
            store_trial full;
            assert_int_equal(store_trial_get(from, list[i].id, ts.items[k].id, 1, &full, err,
                                             sizeof err),
                             STORE_OK);
            ts.items[k].logs = full.logs;
            full.logs = NULL;
            store_trial_clear(&full);
        }
        if (store_study_restore(to, &list[i], &ts, err, sizeof err) != STORE_OK)
            fail_msg("restore: %s", err);
        /* a second copy is refused */
        assert_int_equal(store_study_restore(to, &list[i], &ts, err, sizeof err), STORE_CONFLICT);
        store_trials_free(&ts);
        store_study_clear(&list[i]);
    }
    free(list);
}

static void same_text(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void same_double(double a, double b)
{
    if (isnan(a))
        assert_true(isnan(b));
    else
        assert_true(a == b);
}

static void same_study(store *x, store *y, int64_t sid)
{
    char err[256];
    store_study a, b;
    assert_int_equal(store_study_get(x, sid, &a, err, sizeof err), STORE_OK);
    assert_int_equal(store_study_get(y, sid, &b, err, sizeof err), STORE_OK);
    assert_string_equal(a.name, b.name);
    assert_string_equal(a.spec, b.spec);
    same_text(a.plugin, b.plugin);
    same_text(a.knowledge, b.knowledge);
    assert_string_equal(a.state, b.state);
    assert_true(a.created_at == b.created_at);
    assert_int_equal(a.seq, b.seq);
    assert_int_equal(a.next_number, b.next_number);
    store_study_clear(&a);
    store_study_clear(&b);
    store_trials ta, tb;
    assert_int_equal(store_trials_all(x, sid, 1, &ta, err, sizeof err), STORE_OK);
    assert_int_equal(store_trials_all(y, sid, 1, &tb, err, sizeof err), STORE_OK);
    assert_int_equal(ta.count, 5);
    assert_int_equal(ta.count, tb.count);
    for (size_t i = 0; i < ta.count; i++) {
        const store_trial *p = &ta.items[i], *q = &tb.items[i];
        assert_int_equal(p->id, q->id);
        assert_int_equal(p->number, q->number);
        assert_int_equal(p->state, q->state);
        assert_int_equal(p->seq, q->seq);
        same_text(p->worker, q->worker);
        same_text(p->params, q->params);
        same_text(p->reason, q->reason);
        same_text(p->result, q->result);
        same_text(p->model, q->model);
        same_text(p->model_reason, q->model_reason);
        same_text(p->explanation, q->explanation);
        same_text(p->key, q->key);
        assert_int_equal(p->n_config, q->n_config);
        assert_memory_equal(p->config, q->config, p->n_config * sizeof(double));
        assert_int_equal(p->has_objective, q->has_objective);
        same_double(p->objective, q->objective);
        same_double(p->finished_at, q->finished_at);
        same_double(p->lease_expires_at, q->lease_expires_at);
        assert_true(p->created_at == q->created_at);
        assert_int_equal(p->is_default, q->is_default);
        assert_int_equal(p->logs_bytes, q->logs_bytes);
        assert_int_equal(p->n_metrics, q->n_metrics);
        for (size_t k = 0; k < p->n_metrics; k++) {
            assert_string_equal(p->metric_names[k], q->metric_names[k]);
            assert_true(p->metric_values[k] == q->metric_values[k]);
        }
        store_trial la, lb;
        assert_int_equal(store_trial_get(x, sid, p->id, 1, &la, err, sizeof err), STORE_OK);
        assert_int_equal(store_trial_get(y, sid, p->id, 1, &lb, err, sizeof err), STORE_OK);
        same_text(la.logs, lb.logs);
        store_trial_clear(&la);
        store_trial_clear(&lb);
    }
    store_trials_free(&ta);
    store_trials_free(&tb);
}

typedef struct {
    store *st;
    int64_t study, id;
    int rc;
} key_racer;

static void *import_thread(void *arg)
{
    key_racer *k = arg;
    char err[256];
    double c = 0.5;
    store_new_trial t = {"{\"x\":0.5}", &c, 1, 0};
    store_result res = {.state = TRIAL_COMPLETED, .has_objective = 1, .objective = 1.0,
                        .logs_bytes = -1, .result = "{}"};
    store_import item = {&t, "w", &res, "once"};
    unsigned char existed = 0;
    k->rc = store_trials_import(k->st, k->study, &item, 1, 1.0, &k->id, &existed, err,
                                sizeof err);
    if (k->rc != STORE_OK)
        fprintf(stderr, "import: %s\n", err);
    return NULL;
}

/* Two replicas (two handles) import the same key at once, four threads
 * each: one trial is stored and every import answers with its id (without
 * the study row lock taken first, the later ones hit the unique index). */
static void test_import_key_replicas(void **state)
{
    (void)state;
    store *a = open_uri(uri), *b = open_uri(uri);
    char err[256];
    int64_t sid = 0;
    assert_int_equal(store_study_create(a, "k", "{}", NULL, NULL, 1.0, &sid, err, sizeof err),
                     STORE_OK);
    pthread_t th[8];
    key_racer k[8];
    for (int i = 0; i < 8; i++) {
        k[i] = (key_racer){i % 2 ? b : a, sid, 0, -1};
        pthread_create(&th[i], NULL, import_thread, &k[i]);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(k[i].rc, STORE_OK);
        assert_int_equal(k[i].id, k[0].id);
    }
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_study_counts(b, sid, counts, err, sizeof err), STORE_OK);
    assert_int_equal(counts[TRIAL_COMPLETED], 1);
    store_close(a);
    store_close(b);
}

/* SQLite -> PostgreSQL -> SQLite: the same study, ids, seq and all; and new
 * ids in the copy continue after the copied ones. */
static void test_restore_round_trip(void **state)
{
    (void)state;
    char p1[128], p2[128], err[256];
    snprintf(p1, sizeof p1, "%s/a.db", dir);
    snprintf(p2, sizeof p2, "%s/b.db", dir);
    store *s1 = open_uri(p1), *pg = open_uri(uri), *s2 = open_uri(p2);
    int64_t sid = fill(s1);
    copy_all(s1, pg);
    copy_all(pg, s2);
    same_study(s1, pg, sid);
    same_study(pg, s2, sid);
    int64_t next = 0, ids[1];
    assert_int_equal(store_study_create(pg, "after", "{}", NULL, NULL, 1.0, &next, err, sizeof err),
                     STORE_OK);
    assert_true(next > sid);
    double c = 1;
    store_new_trial t = {"{\"x\":1}", &c, 1, 0};
    assert_int_equal(store_trials_insert_active(pg, sid, &t, 1, "w", 1.0, 2.0, ids, err, sizeof err),
                     STORE_OK);
    assert_int_equal(ids[0], 6);
    /* the key came along: importing it again finds the copied trial */
    store_import again = {&t, NULL, &(store_result){.state = TRIAL_COMPLETED, .logs_bytes = -1},
                          "run-7"};
    unsigned char existed = 0;
    assert_int_equal(store_trials_import(pg, sid, &again, 1, 3.0, ids, &existed, err, sizeof err),
                     STORE_OK);
    assert_int_equal(existed, 1);
    assert_int_equal(ids[0], 5);
    store_close(s1);
    store_close(pg);
    store_close(s2);
}

int main(void)
{
    const char *file = getenv("BOGRAPH_TEST_PG_URI_FILE");
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f || !fgets(base, sizeof base, f)) {
        fprintf(stderr, "test_pg_store needs the test cluster (BOGRAPH_TEST_PG_URI_FILE)\n");
        return 1;
    }
    fclose(f);
    base[strcspn(base, "\r\n")] = '\0';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_study_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_key_replicas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
