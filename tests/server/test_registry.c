/*
 * test_registry.c - the per-study cache of server/registry.c on real SQLite
 * stores: the history is brought up to date by seq and kept while the
 * study's seq has not moved; it is dropped, with the cached answers, when
 * the store holds another study under the same id (another created_at) or
 * the study's seq went back (a database replaced under the service).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/registry.h"

static char dir[64];

/* A store at dir/name with study 1 (created at created) holding n trials. */
static store *make_store(const char *name, double created, int n)
{
    char path[160], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    store *st = NULL;
    assert_int_equal(store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err), 0);
    int64_t id = 0;
    assert_int_equal(store_study_create(st, "s", "{}", NULL, NULL, created, &id, err, sizeof err),
                     STORE_OK);
    assert_int_equal(id, 1);
    for (int i = 0; i < n; i++) {
        double c = i;
        store_new_trial t = {"{}", &c, 1, 0};
        int64_t tid;
        assert_int_equal(store_trials_insert_active(st, 1, &t, 1, "w", 1.0, 2.0, &tid, err,
                                                    sizeof err),
                         STORE_OK);
    }
    return st;
}

static void refresh(registry_entry *e, store *st)
{
    char err[256];
    assert_int_equal(registry_history_refresh(e, st, 1, 0, err, sizeof err), 0);
}

static void test_history_key(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/bograph-registry-XXXXXX");
    assert_non_null(mkdtemp(dir));
    store *a = make_store("a.db", 1000.0, 3);
    store *other = make_store("b.db", 2000.0, 1);   /* another study 1 */
    store *older = make_store("c.db", 1000.0, 2);   /* study 1 with a smaller seq */
    registry *r = registry_new();
    registry_use_store(r, a); /* SQLite: the in-process lock only */
    registry_entry *e = registry_lock(r, 1, NULL, 0);
    assert_non_null(e);
    refresh(e, a);
    assert_int_equal(registry_history(e)->count, 3);
    assert_int_equal(registry_history_seq(e), 3);
    registry_cache_set(e, 3, "answer");

    /* nothing changed: the same history and cache */
    refresh(e, a);
    assert_int_equal(registry_history(e)->count, 3);
    assert_string_equal(registry_cache_get(e, registry_history_seq(e)), "answer");

    /* one more trial: read by seq */
    double c = 9;
    store_new_trial t = {"{}", &c, 1, 0};
    int64_t tid;
    char err[256];
    assert_int_equal(store_trials_insert_active(a, 1, &t, 1, "w", 1.0, 2.0, &tid, err, sizeof err),
                     STORE_OK);
    refresh(e, a);
    assert_int_equal(registry_history(e)->count, 4);
    assert_int_equal(registry_history_seq(e), 4);

    /* another study under the same id: everything is dropped and read again */
    refresh(e, other);
    assert_int_equal(registry_history(e)->count, 1);
    assert_int_equal(registry_history_seq(e), 1);
    assert_null(registry_cache_get(e, 3));

    /* back to a, then a store whose study 1 has gone back in seq */
    refresh(e, a);
    assert_int_equal(registry_history(e)->count, 4);
    registry_cache_set(e, 4, "again");
    refresh(e, older);
    assert_int_equal(registry_history(e)->count, 2);
    assert_int_equal(registry_history_seq(e), 2);
    assert_null(registry_cache_get(e, 4));
    registry_release(r, e);

    registry_free(r);
    store_close(a);
    store_close(other);
    store_close(older);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
