/*
 * store.c - the backend-neutral half of the store: choosing a backend from
 * the database string at store_open, handing each call to the backend's
 * table of operations (store_backend.h), and what does not depend on a
 * backend (state names, releasing the result structs).
 *
 * A plain path or "sqlite:<path>" (also "sqlite://<path>") opens the SQLite
 * backend; "postgresql://..." and "postgres://..." (libpq URIs, handed over
 * whole) open the PostgreSQL backend; any other "<scheme>://..." string is
 * refused with "unsupported database".
 */
#include "store/store_backend.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static const char *const state_names[TRIAL_N_STATES] = {
    "active", "completed", "failed", "infeasible", "expired"};

const char *store_state_name(trial_state s)
{
    return (unsigned)s < TRIAL_N_STATES ? state_names[s] : "unknown";
}

int store_state_parse(const char *name, trial_state *out)
{
    assert(name && out);
    for (int i = 0; i < TRIAL_N_STATES; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (trial_state)i;
            return 0;
        }
    }
    return -1;
}

/* The backends this build has, by URI scheme; a plain path is the first's.
 * A new backend is one row here and its own files. whole: the backend takes
 * the database string as given (a URI), else what follows "<scheme>:". */
static const struct {
    const char *scheme;
    int (*open)(const char *path, store_sync sync, store **out, char *err, size_t err_len);
    int whole;
} store_backends[] = {
    {"sqlite", sqlite_store_open, 0},
    {"postgresql", pg_store_open, 1},
    {"postgres", pg_store_open, 1},
};
#define STORE_N_BACKENDS (sizeof store_backends / sizeof store_backends[0])

/* Length of the "<scheme>:" prefix of a URI-like database string (a scheme
 * followed by "://", or one of the database schemes we know), 0 for a plain
 * path. "file:x.db" and "./a:b.db" stay plain paths, as they always were. */
static size_t store_scheme_len(const char *db)
{
    static const char *const known[] = {"sqlite:", "postgres:", "postgresql:"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t n = strlen(known[i]);
        if (strncmp(db, known[i], n) == 0)
            return n;
    }
    if (!isalpha((unsigned char)db[0]))
        return 0;
    size_t n = 1;
    while (isalnum((unsigned char)db[n]) || db[n] == '+' || db[n] == '-' || db[n] == '.')
        n++;
    return strncmp(db + n, "://", 3) == 0 ? n + 1 : 0;
}

int store_open(const char *path, store_sync sync, store **out, char *err, size_t err_len)
{
    assert(out);
    *out = NULL;
    if (!path || !*path)
        return util_err(err, err_len, "no database path");
    size_t scheme = store_scheme_len(path);
    if (scheme == 0)
        return store_backends[0].open(path, sync, out, err, err_len);
    for (size_t i = 0; i < STORE_N_BACKENDS; i++) {
        size_t n = strlen(store_backends[i].scheme);
        if (n + 1 != scheme || strncmp(path, store_backends[i].scheme, n) != 0)
            continue;
        if (store_backends[i].whole)
            return store_backends[i].open(path, sync, out, err, err_len);
        /* The rest is the backend's: for SQLite a path ("sqlite:x.db",
         * "sqlite:///abs/x.db" as well as "sqlite://x.db"). */
        const char *rest = path + scheme;
        if (strncmp(rest, "//", 2) == 0)
            rest += 2;
        if (!*rest)
            return util_err(err, err_len, "no database path in %s", path);
        return store_backends[i].open(rest, sync, out, err, err_len);
    }
    return util_err(err, err_len,
                    "unsupported database \"%.*s\" (this build has: sqlite, postgresql)",
                    (int)(scheme - 1), path);
}

void store_close(store *st)
{
    if (st)
        st->ops->close(st);
}

int store_schema_version(store *st)
{
    assert(st);
    return st->ops->schema_version(st);
}

const char *store_backend_name(store *st)
{
    assert(st);
    return st->ops->name;
}

int store_ping(store *st, char *err, size_t err_len)
{
    assert(st);
    if (st->ops->ping)
        return st->ops->ping(st, err, err_len);
    /* a real read of the database: the trial counts */
    int64_t counts[TRIAL_N_STATES];
    return st->ops->counts_all(st, counts, err, err_len) == STORE_OK ? 0 : -1;
}

void store_stats_get(store *st, store_stats *out)
{
    assert(st && out);
    memset(out, 0, sizeof *out);
    if (st->ops->stats)
        st->ops->stats(st, out);
}

int store_study_lock(store *st, int64_t study_id, store_lock **out, char *err, size_t err_len)
{
    assert(st && out);
    *out = NULL;
    return st->ops->study_lock ? st->ops->study_lock(st, study_id, out, err, err_len) : STORE_OK;
}

void store_study_unlock(store *st, store_lock *lock)
{
    assert(st);
    if (lock && st->ops->study_unlock)
        st->ops->study_unlock(st, lock);
}

int store_study_restore(store *st, const store_study *s, const store_trials *trials, char *err,
                        size_t err_len)
{
    assert(st && s && trials);
    return st->ops->study_restore(st, s, trials, err, err_len);
}

int store_study_create(store *st, const char *name, const char *spec, const char *plugin,
                       const char *knowledge, double now, int64_t *out_id, char *err,
                       size_t err_len)
{
    assert(st && name && spec && out_id);
    return st->ops->study_create(st, name, spec, plugin, knowledge, now, out_id, err, err_len);
}

int store_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len)
{
    assert(st && out);
    return st->ops->study_get(st, id, out, err, err_len);
}

int store_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len)
{
    assert(st && out && n);
    return st->ops->study_list(st, out, n, err, err_len);
}

int store_study_delete(store *st, int64_t id, char *err, size_t err_len)
{
    assert(st);
    return st->ops->study_delete(st, id, err, err_len);
}

int store_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len)
{
    assert(st && state);
    return st->ops->study_set_state(st, id, state, err, err_len);
}

int store_study_update(store *st, int64_t id, const char *name, const char *spec,
                       const char *state, char *err, size_t err_len)
{
    assert(st && name && spec);
    return st->ops->study_update(st, id, name, spec, state, err, err_len);
}

int store_study_set_knowledge(store *st, int64_t id, const char *knowledge, char *err,
                              size_t err_len)
{
    assert(st);
    return st->ops->study_set_knowledge(st, id, knowledge, err, err_len);
}

int store_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                       size_t err_len)
{
    assert(st && counts);
    return st->ops->study_counts(st, id, counts, err, err_len);
}

int store_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len)
{
    assert(st && counts);
    return st->ops->counts_all(st, counts, err, err_len);
}

int store_expire_leases(store *st, int64_t study_id, double now, int *n_expired, char *err,
                        size_t err_len)
{
    assert(st);
    return st->ops->expire_leases(st, study_id, now, n_expired, err, err_len);
}

int store_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out,
                     char *err, size_t err_len)
{
    assert(st && out);
    return st->ops->trials_all(st, study_id, with_metrics, out, err, err_len);
}

int store_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                        store_trials *out, int64_t *max_seq, char *err, size_t err_len)
{
    assert(st && out && max_seq);
    return st->ops->trials_engine(st, study_id, after_seq, with_metrics, out, max_seq, err, err_len);
}

int store_trials_of_worker(store *st, int64_t study_id, const char *worker,
                           store_trials *out, char *err, size_t err_len)
{
    assert(st && worker && out);
    return st->ops->trials_of_worker(st, study_id, worker, out, err, err_len);
}

int store_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                      store_trials *out, char *err, size_t err_len)
{
    assert(st && out);
    return st->ops->trials_page(st, study_id, state, after_seq, limit, out, err, err_len);
}

int store_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                    store_trial *out, char *err, size_t err_len)
{
    assert(st && out);
    return st->ops->trial_get(st, study_id, trial_id, with_logs, out, err, err_len);
}

int store_trials_insert_active(store *st, int64_t study_id, const store_new_trial *trials,
                               size_t n, const char *worker, double now, double lease_until,
                               int64_t *out_ids, char *err, size_t err_len)
{
    assert(st);
    assert(n == 0 || (trials && out_ids));
    return st->ops->trials_insert_suggested(st, study_id, trials, NULL, n, worker, now, lease_until, out_ids,
                                          err, err_len);
}

int store_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                                  const store_trial_origin *origins, size_t n,
                                  const char *worker, double now, double lease_until,
                                  int64_t *out_ids, char *err, size_t err_len)
{
    assert(st);
    assert(n == 0 || (trials && out_ids));
    return st->ops->trials_insert_suggested(st, study_id, trials, origins, n, worker, now, lease_until,
                                          out_ids, err, err_len);
}

int store_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                       double now, char *err, size_t err_len)
{
    assert(st && res);
    return st->ops->trial_finish(st, study_id, trial_id, res, now, err, err_len);
}

int store_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                          char *err, size_t err_len)
{
    assert(st);
    return st->ops->trial_heartbeat(st, study_id, trial_id, lease_until, err, err_len);
}

int store_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                       const char *worker, const store_result *res, double now,
                       int64_t *out_id, char *err, size_t err_len)
{
    assert(st && trial && res && out_id);
    return st->ops->trial_import(st, study_id, trial, worker, res, now, out_id, err, err_len);
}

int store_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                        double now, int64_t *out_ids, unsigned char *existed, char *err,
                        size_t err_len)
{
    assert(st && (items || n == 0) && (out_ids || n == 0) && (existed || n == 0));
    for (size_t i = 0; i < n; i++)
        assert(items[i].trial && items[i].res);
    return st->ops->trials_import(st, study_id, items, n, now, out_ids, existed, err, err_len);
}

void store_study_clear(store_study *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->spec);
    free(s->plugin);
    free(s->knowledge);
    free(s->state);
    memset(s, 0, sizeof *s);
}

void store_trial_clear(store_trial *t)
{
    if (!t)
        return;
    free(t->worker);
    free(t->params);
    free(t->config);
    free(t->reason);
    free(t->result);
    free(t->logs);
    free(t->model);
    free(t->model_reason);
    free(t->explanation);
    free(t->key);
    for (size_t i = 0; i < t->n_metrics; i++)
        free(t->metric_names[i]);
    free(t->metric_names);
    free(t->metric_values);
    memset(t, 0, sizeof *t);
}

void store_trials_free(store_trials *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->count; i++)
        store_trial_clear(&ts->items[i]);
    free(ts->items);
    ts->items = NULL;
    ts->count = 0;
}
