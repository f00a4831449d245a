/*
 * store_internal.h - what the store's files share: the connection pool, the
 * cached prepared statements and the transaction helpers. Not for callers
 * outside server/store*.c.
 */
#ifndef BOGRAPH_STORE_STORE_INTERNAL_H
#define BOGRAPH_STORE_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

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
    STMT_COUNT
} store_stmt_id;

typedef struct store_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];
    struct store_conn *next;
} store_conn;

struct store {
    char *path;
    store_sync sync;
    int schema_version;
    pthread_mutex_t pool_mu;
    store_conn *pool;          /* idle connections */
    pthread_mutex_t write_mu;  /* one writer at a time inside the process */
};

store_conn *store_conn_get(store *st, char *err, size_t err_len);
void store_conn_put(store *st, store_conn *c);
/* The cached statement, reset and unbound; NULL with err on failure. */
sqlite3_stmt *store_stmt(store_conn *c, store_stmt_id id, char *err, size_t err_len);
/* err <- "what: sqlite message"; returns STORE_ERROR. */
int store_sqlerr(store_conn *c, const char *what, char *err, size_t err_len);
/* Run a statement that returns no rows (BEGIN/COMMIT/UPDATE...). */
int store_exec_stmt(store_conn *c, store_stmt_id id, char *err, size_t err_len);

/* Write transactions: take the in-process writer lock, then BEGIN IMMEDIATE.
 * store_write_end commits when ok, else rolls back; always unlocks. */
int store_write_begin(store *st, store_conn *c, char *err, size_t err_len);
int store_write_end(store *st, store_conn *c, int ok, char *err, size_t err_len);

/* Runs body(c, ctx, ...) in a write transaction on a pooled connection:
 * committed when it returns STORE_OK, rolled back otherwise. Returns the
 * body's status, or the commit's failure. */
typedef int (*store_write_fn)(store_conn *c, void *ctx, char *err, size_t err_len);
int store_write(store *st, store_write_fn body, void *ctx, char *err, size_t err_len);

/* Next seq of the study inside a write transaction; -1 on error, 0 when the
 * study does not exist. */
int64_t store_next_seq(store_conn *c, int64_t study_id, char *err, size_t err_len);

/* Row -> struct helpers. */
char *store_col_strdup(sqlite3_stmt *s, int col);
int store_load_metrics(store_conn *c, store_trial *t, char *err, size_t err_len);
/* The metrics of every trial of ts in one query. */
int store_load_metrics_many(store_conn *c, store_trials *ts, char *err, size_t err_len);
void store_trial_from_row(sqlite3_stmt *s, store_trial *t);

#endif
