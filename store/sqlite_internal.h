/*
 * sqlite_internal.h - what the SQLite backend's files share: its handle, the
 * connection pool, the cached prepared statements, the transaction helpers
 * and the backend's operations. Not for callers outside store/sqlite_*.c.
 */
#ifndef BOGRAPH_STORE_SQLITE_INTERNAL_H
#define BOGRAPH_STORE_SQLITE_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>

#include "store/store_backend.h"

typedef enum {
    STMT_BEGIN_IMMEDIATE,
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_STUDY_INSERT,
    STMT_STUDY_BY_NAME,
    STMT_STUDY_GET,
    STMT_STUDY_LIST,
    STMT_STUDY_DELETE,
    STMT_STUDY_SET_STATE,
    STMT_STUDY_SET_KNOWLEDGE,
    STMT_STUDY_UPDATE,
    STMT_STUDY_COUNTS,
    STMT_COUNTS_ALL,
    STMT_STUDY_BUMP_SEQ,
    STMT_STUDY_TAKE_NUMBERS,
    STMT_EXPIRED_ANY,
    STMT_EXPIRED_IDS,
    STMT_TRIAL_SET_EXPIRED,
    STMT_TRIALS_ALL,
    STMT_TRIALS_ENGINE,
    STMT_TRIALS_OF_WORKER,
    STMT_TRIALS_PAGE,
    STMT_TRIALS_PAGE_STATE,
    STMT_TRIAL_GET,
    STMT_TRIAL_METRICS,
    STMT_METRICS_FOR_IDS,
    STMT_TRIAL_LOGS,
    STMT_TRIAL_INSERT,
    STMT_TRIAL_FINISH,
    STMT_TRIAL_HEARTBEAT,
    STMT_METRIC_INSERT,
    STMT_LOGS_INSERT,
    STMT_TRIAL_BY_KEY,
    STMT_COUNT
} sqlite_stmt_id;

typedef struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];
    struct sqlite_conn *next;
} sqlite_conn;

/* The SQLite backend's handle; base first, so a store * of this backend is
 * a sqlite_store *. */
typedef struct sqlite_store {
    store base;
    char *path;
    store_sync sync;
    int schema_version;
    pthread_mutex_t pool_mu;
    sqlite_conn *pool;          /* idle connections */
    pthread_mutex_t write_mu;  /* one writer at a time inside the process */
} sqlite_store;

extern const store_ops sqlite_store_ops;

/* The SQLite handle behind st, which must be one of this backend's. */
static inline sqlite_store *sqlite_of(store *st)
{
    assert(st && st->ops == &sqlite_store_ops);
    return (sqlite_store *)st;
}

/* The SQL text of each cached statement (sqlite_store.c). */
extern const char *const sqlite_stmt_sql[STMT_COUNT];
/* Runs SQL text (several statements allowed); -1 with err on failure. */
int sqlite_conn_exec_sql(sqlite3 *db, const char *sql, char *err, size_t err_len);
/* Brings the file's schema to STORE_SCHEMA_VERSION (sqlite_migrate.c). */
int sqlite_migrate(sqlite_store *sq, sqlite_conn *c, char *err, size_t err_len);

sqlite_conn *sqlite_conn_get(store *st, char *err, size_t err_len);
void sqlite_conn_put(store *st, sqlite_conn *c);
/* The cached statement, reset and unbound; NULL with err on failure. */
sqlite3_stmt *sqlite_conn_stmt(sqlite_conn *c, sqlite_stmt_id id, char *err, size_t err_len);
/* err <- "what: sqlite message"; returns STORE_ERROR. */
int sqlite_store_err(sqlite_conn *c, const char *what, char *err, size_t err_len);
/* Run a statement that returns no rows (BEGIN/COMMIT/UPDATE...). */
int sqlite_conn_exec_stmt(sqlite_conn *c, sqlite_stmt_id id, char *err, size_t err_len);

/* Write transactions: take the in-process writer lock, then BEGIN IMMEDIATE.
 * sqlite_write_end commits when ok, else rolls back; always unlocks. */
int sqlite_write_begin(store *st, sqlite_conn *c, char *err, size_t err_len);
int sqlite_write_end(store *st, sqlite_conn *c, int ok, char *err, size_t err_len);

/* Runs body(c, ctx, ...) in a write transaction on a pooled connection:
 * committed when it returns STORE_OK, rolled back otherwise. Returns the
 * body's status, or the commit's failure. */
typedef int (*sqlite_write_fn)(sqlite_conn *c, void *ctx, char *err, size_t err_len);
int sqlite_write(store *st, sqlite_write_fn body, void *ctx, char *err, size_t err_len);

/* Next seq of the study inside a write transaction; -1 on error, 0 when the
 * study does not exist. */
int64_t sqlite_next_seq(sqlite_conn *c, int64_t study_id, char *err, size_t err_len);

/* Row -> struct helpers. */
char *sqlite_col_strdup(sqlite3_stmt *s, int col);
int sqlite_load_metrics(sqlite_conn *c, store_trial *t, char *err, size_t err_len);
/* The metrics of every trial of ts in one query. */
int sqlite_load_metrics_many(sqlite_conn *c, store_trials *ts, char *err, size_t err_len);
void sqlite_trial_from_row(sqlite3_stmt *s, store_trial *t);

/* The backend's operations (sqlite_study.c, sqlite_trial.c): the contracts
 * of the store.h functions of the same name. */
int sqlite_study_create(store *st, const char *name, const char *spec, const char *plugin,
                        const char *knowledge, double now, int64_t *out_id, char *err,
                        size_t err_len);
int sqlite_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len);
int sqlite_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len);
int sqlite_study_delete(store *st, int64_t id, char *err, size_t err_len);
int sqlite_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len);
int sqlite_study_update(store *st, int64_t id, const char *name, const char *spec,
                        const char *state, char *err, size_t err_len);
int sqlite_study_set_knowledge(store *st, int64_t id, const char *knowledge, char *err,
                               size_t err_len);
int sqlite_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                        size_t err_len);
int sqlite_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len);
int sqlite_expire_leases(store *st, int64_t study_id, double now, int *n_expired, char *err,
                         size_t err_len);
int sqlite_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out,
                      char *err, size_t err_len);
int sqlite_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                         store_trials *out, int64_t *max_seq, char *err, size_t err_len);
int sqlite_trials_of_worker(store *st, int64_t study_id, const char *worker,
                            store_trials *out, char *err, size_t err_len);
int sqlite_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                       store_trials *out, char *err, size_t err_len);
int sqlite_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                     store_trial *out, char *err, size_t err_len);
int sqlite_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                                   const store_trial_origin *origins, size_t n,
                                   const char *worker, double now, double lease_until,
                                   int64_t *out_ids, char *err, size_t err_len);
int sqlite_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                        double now, char *err, size_t err_len);
int sqlite_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                           char *err, size_t err_len);
int sqlite_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                        const char *worker, const store_result *res, double now,
                        int64_t *out_id, char *err, size_t err_len);
int sqlite_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                         double now, int64_t *out_ids, unsigned char *existed, char *err,
                         size_t err_len);
/* sqlite_restore.c */
int sqlite_study_restore(store *st, const store_study *s, const store_trials *trials, char *err,
                         size_t err_len);

#endif
