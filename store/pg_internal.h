/*
 * pg_internal.h - what the PostgreSQL backend's files share: its handle, the
 * connection pool, the prepared statements, parameter and row helpers, the
 * transaction runner, and the backend's operations. Not for callers outside
 * store/pg_*.c.
 */
#ifndef BOGRAPH_STORE_PG_INTERNAL_H
#define BOGRAPH_STORE_PG_INTERNAL_H

#include <assert.h>
#include <libpq-fe.h>
#include <pthread.h>

#include "store/store_backend.h"

/* The advisory-lock class of bograph's locks (the two-key form): key 0 is
 * the migration lock, a study's suggestion lock is its id. */
#define PG_LOCK_CLASS 1650946672 /* "bgrp" */

typedef enum {
    PG_STUDY_INSERT,
    PG_STUDY_BY_NAME,
    PG_STUDY_GET,
    PG_STUDY_LIST,
    PG_STUDY_DELETE,
    PG_STUDY_SET_STATE,
    PG_STUDY_SET_KNOWLEDGE,
    PG_STUDY_UPDATE,
    PG_STUDY_COUNTS,
    PG_COUNTS_ALL,
    PG_STUDY_LOCK_ROW,
    PG_STUDY_BUMP_SEQ,
    PG_STUDY_TAKE_NUMBERS,
    PG_EXPIRED_ANY,
    PG_EXPIRED_IDS,
    PG_TRIAL_SET_EXPIRED,
    PG_TRIALS_ALL,
    PG_TRIALS_ALL_METRICS,
    PG_TRIALS_ENGINE,
    PG_TRIALS_OF_WORKER,
    PG_TRIALS_PAGE,
    PG_TRIALS_PAGE_STATE,
    PG_TRIAL_GET,
    PG_TRIAL_GET_METRICS,
    PG_METRICS_FOR_IDS,
    PG_TRIAL_LOGS,
    PG_TRIAL_INSERT,
    PG_TRIAL_FINISH,
    PG_TRIAL_HEARTBEAT,
    PG_METRIC_INSERT,
    PG_LOGS_INSERT,
    PG_TRIAL_BY_KEY,
    PG_ADVISORY_LOCK,
    PG_ADVISORY_UNLOCK,
    PG_STMT_COUNT
} pg_stmt_id;

typedef struct pg_conn {
    PGconn *db;
    unsigned char prepared[PG_STMT_COUNT];
    int broken;          /* the connection failed: dropped when it goes back */
    int commit_sent;     /* COMMIT went out: a failure now leaves the outcome unknown */
    int for_lock;        /* counted in pg_store.locking */
    char sqlstate[6];    /* of the last failed statement ("" when none came) */
    struct pg_conn *next;
} pg_conn;

/* The PostgreSQL backend's handle; base first. */
typedef struct pg_store {
    store base;
    char *uri;
    int schema_version;
    int opened;             /* pg_store_open succeeded: connect failures are unavailability */
    pthread_mutex_t mu;     /* the pool and the figures */
    pthread_cond_t freed;   /* a connection went back or closed */
    pg_conn *idle;
    int open, max;
    int locking;            /* of the open ones, those holding a study lock */
    store_stats stats;
} pg_store;

extern const store_ops pg_store_ops;

static inline pg_store *pg_of(store *st)
{
    assert(st && st->ops == &pg_store_ops);
    return (pg_store *)st;
}

/* ---- connections (pg_store.c) ---- */

/* A connection from the pool (waits when max are in use for statements);
 * NULL with err when no connection can be opened. for_lock: it will hold a
 * study lock for a while (until pg_conn_put): it never waits and does not
 * count against max, so lock holders cannot starve the statements they
 * need (there are at most as many as threads computing suggestions). */
pg_conn *pg_conn_get(pg_store *pg, int for_lock, char *err, size_t err_len);
/* Back to the pool: a broken one (or one left inside a transaction) is closed. */
void pg_conn_put(pg_store *pg, pg_conn *c);
/* Opens a new connection to uri, with a clear message when it fails; the
 * message carries STORE_ERR_UNAVAILABLE when unavailable is set (the store
 * is open: the database answered before, so a retry may succeed). */
PGconn *pg_connect(const char *uri, int unavailable, char *err, size_t err_len);

/* ---- statements (pg_exec.c) ---- */

#define PG_MAX_PARAMS 24

/* Parameters of one statement, in text format but for bytes (binary). */
typedef struct {
    int n;
    const char *v[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS];
    int fmt[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][32];
} pg_params;

void pg_p_int(pg_params *p, int64_t v);
void pg_p_double(pg_params *p, double v);
void pg_p_text(pg_params *p, const char *v);       /* NULL: SQL NULL */
void pg_p_bytes(pg_params *p, const void *v, size_t n);
void pg_p_null(pg_params *p);

/* Runs a prepared statement (preparing it on the connection's first use);
 * the result when it succeeded (PQclear it), else NULL with err "what:
 * message" (the connection marked broken when it failed). */
PGresult *pg_exec(pg_conn *c, pg_stmt_id id, const pg_params *p, const char *what, char *err,
                  size_t err_len);
/* Runs SQL text with parameters, unprepared (statements run once). */
PGresult *pg_exec_params(pg_conn *c, const char *sql, const pg_params *p, const char *what,
                         char *err, size_t err_len);
/* Runs plain SQL text (no parameters, several statements allowed): 0 or -1. */
int pg_exec_sql(pg_conn *c, const char *sql, char *err, size_t err_len);

/* Cells of a result row. */
int64_t pg_i64(const PGresult *r, int row, int col);
double pg_double(const PGresult *r, int row, int col);  /* NAN when NULL */
char *pg_strdup(const PGresult *r, int row, int col);   /* NULL when NULL */
int pg_null(const PGresult *r, int row, int col);
/* A bytea cell (text format) decoded, NUL-terminated; *n its size. NULL
 * with *n = 0 when NULL; (size_t)-1 in *n when out of memory. */
unsigned char *pg_bytes(const PGresult *r, int row, int col, size_t *n);

/* ---- transactions (pg_txn.c) ---- */

typedef enum {
    PG_TX_NONE,    /* one statement, autocommit */
    PG_TX_READ,    /* REPEATABLE READ READ ONLY: several reads see one snapshot */
    PG_TX_WRITE    /* READ COMMITTED; committed when the body returns STORE_OK */
} pg_tx_mode;

typedef int (*pg_body)(pg_conn *c, void *ctx, char *err, size_t err_len);
/* Runs body on a pooled connection in the mode's transaction. When the
 * connection turns out broken (the database restarted) before COMMIT went
 * out, it runs once more on a new connection, so a restart costs callers
 * nothing; the body must start from scratch each time. */
int pg_run(pg_store *pg, pg_tx_mode mode, pg_body body, void *ctx, char *err, size_t err_len);

/* Locks the study's row for the rest of the write transaction (every trial
 * change of the study is serialised by it, which makes seq follow commit
 * order). STORE_NOT_FOUND when there is no such study. */
int pg_study_lock_row(pg_conn *c, int64_t study_id, char *err, size_t err_len);
/* Next seq of the study (row locked); -1 on error, 0 when the study is gone. */
int64_t pg_next_seq(pg_conn *c, int64_t study_id, char *err, size_t err_len);

/* Brings the schema to STORE_SCHEMA_VERSION under the migration lock (pg_migrate.c). */
int pg_migrate(pg_store *pg, pg_conn *c, char *err, size_t err_len);

/* Row -> trial (the TRIAL_COLS order of pg_sql.c). 0, or -1 when out of memory.
 * The *_METRICS statements add each metric's name and value (columns
 * PG_METRIC_COL and after, NULL without metrics): one row per metric, the
 * rows of a trial together, its metrics by name. */
#define PG_METRIC_COL 21
int pg_trial_from_row(const PGresult *r, int row, store_trial *t);
/* The metrics of every trial of ts in one query. */
int pg_load_metrics_many(pg_conn *c, store_trials *ts, char *err, size_t err_len);

/* The SQL text of each statement (pg_sql.c). */
extern const char *const pg_stmt_sql[PG_STMT_COUNT];

/* ---- the operations (pg_study.c, pg_trial.c, pg_trial_write.c, pg_restore.c) ---- */
int pg_study_create(store *st, const char *name, const char *spec, const char *plugin,
                    const char *knowledge, double now, int64_t *out_id, char *err,
                    size_t err_len);
int pg_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len);
int pg_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len);
int pg_study_delete(store *st, int64_t id, char *err, size_t err_len);
int pg_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len);
int pg_study_set_knowledge(store *st, int64_t id, const char *knowledge, char *err,
                           size_t err_len);
int pg_study_update(store *st, int64_t id, const char *name, const char *spec,
                    const char *state, char *err, size_t err_len);
int pg_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                    size_t err_len);
int pg_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len);
int pg_expire_leases(store *st, int64_t study_id, double now, int *n_expired, char *err,
                     size_t err_len);
int pg_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out, char *err,
                  size_t err_len);
int pg_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                     store_trials *out, int64_t *max_seq, char *err, size_t err_len);
int pg_trials_of_worker(store *st, int64_t study_id, const char *worker, store_trials *out,
                        char *err, size_t err_len);
int pg_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                   store_trials *out, char *err, size_t err_len);
int pg_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                 store_trial *out, char *err, size_t err_len);
int pg_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                               const store_trial_origin *origins, size_t n, const char *worker,
                               double now, double lease_until, int64_t *out_ids, char *err,
                               size_t err_len);
int pg_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                    double now, char *err, size_t err_len);
int pg_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                       char *err, size_t err_len);
int pg_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                    const char *worker, const store_result *res, double now, int64_t *out_id,
                    char *err, size_t err_len);
int pg_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                     double now, int64_t *out_ids, unsigned char *existed, char *err,
                     size_t err_len);
int pg_study_restore(store *st, const store_study *s, const store_trials *trials, char *err,
                     size_t err_len);
int pg_study_lock(store *st, int64_t study_id, store_lock **out, char *err, size_t err_len);
void pg_study_unlock(store *st, store_lock *lock);

#endif
