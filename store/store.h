/*
 * store.h - the durable state of the service: studies and their trials,
 * behind one interface whatever the database.
 *
 * store_open picks the backend from the database string: a plain path or
 * "sqlite:<path>" opens the embedded SQLite backend (sqlite_*.c: WAL mode,
 * a pool of connections with cached prepared statements, writers serialised
 * in-process); "postgresql://..." or "postgres://..." (any libpq URI) opens
 * the PostgreSQL backend (pg_*.c), which several service replicas can share;
 * other schemes are refused with "unsupported database" (store_backend.h
 * says what a backend provides). Every backend keeps these contracts: every
 * change that touches more than one row runs in one transaction; every trial
 * change takes the next value of its study's `seq` counter, and a study's
 * changes commit in seq order (a reader that sees seq n sees every change
 * below n).
 *
 * Tables (schema version in schema_migrations):
 *   studies(id, name UNIQUE, spec JSON, plugin, knowledge JSON, state,
 *           created_at, seq, next_number)
 *   trials(id, study_id, number, state, worker, params JSON, config BLOB of
 *          raw doubles for the engine, objective, reason, result JSON,
 *          seq, created_at, finished_at, lease_expires_at, is_default,
 *          logs_bytes, logs_truncated, model, model_reason, explanation JSON,
 *          import_key UNIQUE per study when set)
 *   trial_metrics(trial_id, name, value)   long table: trials x metrics
 *   trial_logs(trial_id, text)             raw logs (the tail when capped)
 *
 * Times are seconds since the epoch (double). Functions return 0 on success
 * and -1 on failure with a message in err (err may be NULL), unless they say
 * otherwise. The handle and the pointers a function fills are never NULL
 * (asserted); the handle is safe to share between threads.
 */
#ifndef BOGRAPH_STORE_STORE_H
#define BOGRAPH_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 3

typedef struct store store;

typedef enum {
    STORE_SYNC_NORMAL = 0,   /* WAL + NORMAL: durable against process crashes */
    STORE_SYNC_FULL = 1      /* WAL + FULL: also against power loss (fsync per commit) */
} store_sync;

/* Opens (creating and migrating when needed) the database named by path: a
 * file path, or "sqlite:<path>". *out is released with store_close (NULL is
 * fine there). */
int store_open(const char *path, store_sync sync, store **out, char *err, size_t err_len);
void store_close(store *st);
/* Schema version of the open file. */
int store_schema_version(store *st);
/* The backend's name: "sqlite" or "postgres". */
const char *store_backend_name(store *st);
/* Whether the database answers a query now: 0, or -1 with err. */
int store_ping(store *st, char *err, size_t err_len);

/* Figures of a backend's connection pool and study locks, for /metrics
 * (all zero for a backend without them: SQLite). Times in seconds. */
typedef struct {
    int64_t pool_max;          /* connections the pool may open */
    int64_t pool_open;         /* connections open now */
    int64_t pool_idle;         /* of which idle */
    int64_t pool_waits;        /* times a caller waited for a free connection */
    double pool_wait_seconds;  /* total time spent waiting for one */
    int64_t reconnects;        /* connections dropped as broken and opened again */
    int64_t locks;             /* study locks taken (store_study_lock) */
    double lock_wait_seconds;  /* total time spent waiting for them */
} store_stats;
void store_stats_get(store *st, store_stats *out);

/* The lock that lets one process at a time compute a study's suggestions
 * when several share the database (PostgreSQL: a session advisory lock on
 * the study, released by the database if the process dies). Blocks until
 * the lock is free. *out (NULL when the backend needs no lock: SQLite, whose
 * callers serialise in-process) goes back with store_study_unlock. */
typedef struct store_lock store_lock;
int store_study_lock(store *st, int64_t study_id, store_lock **out, char *err, size_t err_len);
void store_study_unlock(store *st, store_lock *lock);

/* Trial states, in the order of store_counts arrays. */
typedef enum {
    TRIAL_ACTIVE = 0,
    TRIAL_COMPLETED,
    TRIAL_FAILED,
    TRIAL_INFEASIBLE,
    TRIAL_EXPIRED,
    TRIAL_N_STATES
} trial_state;
const char *store_state_name(trial_state s);
/* -1 when name is not a state. */
int store_state_parse(const char *name, trial_state *out);

/* Outcome codes of operations that can fail in a way the API reports. */
enum {
    STORE_OK = 0,
    STORE_ERROR = -1,       /* database or memory failure: err says what */
    STORE_NOT_FOUND = 1,    /* no such study/trial (in that study) */
    STORE_CONFLICT = 2,     /* name taken / trial finished differently / not active */
    STORE_SAME = 3          /* idempotent repeat: nothing changed */
};

/* Every backend puts this text in err when the storage is full or failing
 * (disk full, I/O error), which a later retry may get past: the service
 * answers such failures with 503 and Retry-After instead of 500. */
#define STORE_ERR_UNAVAILABLE "storage unavailable"

typedef struct {
    int64_t id;
    char *name;
    char *spec;         /* JSON text of the validated creation body */
    char *plugin;       /* may be NULL */
    char *knowledge;    /* JSON text, may be NULL */
    char *state;        /* "active" | "done" */
    double created_at;
    int64_t seq;
    int64_t next_number;
} store_study;
void store_study_clear(store_study *s);

typedef struct {
    int64_t id;
    int64_t study_id;
    int64_t number;
    trial_state state;
    char *worker;       /* NULL when none */
    char *params;       /* JSON object text */
    double *config;     /* raw configuration, n_config doubles */
    size_t n_config;
    int has_objective;
    double objective;
    char *reason;       /* NULL when none */
    char *result;       /* canonical JSON of the finishing request, NULL when none */
    int64_t seq;
    double created_at;
    double finished_at;        /* NAN when not finished */
    double lease_expires_at;   /* NAN when not leased; kept by a late result */
    int is_default;
    int64_t logs_bytes;        /* size of the logs reported, -1 when none */
    int logs_truncated;
    char *logs;                /* only when asked for (store_trial_get with_logs) */
    char *model;               /* which model proposed it ("gp", "bograph", "default", ...);
                                * NULL for imported trials and those of older versions */
    char *model_reason;        /* why that model (e.g. the bograph fallback's reason), or NULL */
    char *explanation;         /* JSON object text: what the model expected of it, or NULL */
    char *key;                 /* the import's idempotency key, or NULL */
    size_t n_metrics;
    char **metric_names;
    double *metric_values;
} store_trial;
void store_trial_clear(store_trial *t);

typedef struct {
    store_trial *items;
    size_t count;
} store_trials;
void store_trials_free(store_trials *ts);

/* ---- studies ---- */

/* Creates a study. STORE_CONFLICT with *out_id set to the existing study when
 * the name is taken. */
int store_study_create(store *st, const char *name, const char *spec, const char *plugin,
                       const char *knowledge, double now, int64_t *out_id,
                       char *err, size_t err_len);
/* STORE_OK / STORE_NOT_FOUND / STORE_ERROR. out is cleared by the caller with
 * store_study_clear. */
int store_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len);
/* All studies in id order; *out is an array of *n, free each with store_study_clear then free(). */
int store_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len);
int store_study_delete(store *st, int64_t id, char *err, size_t err_len);
int store_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len);
/* Replaces the study's name and spec (the validated JSON text) and, when
 * state is not NULL, its state, in one write. STORE_CONFLICT when another
 * study has the name, STORE_NOT_FOUND. */
int store_study_update(store *st, int64_t id, const char *name, const char *spec,
                       const char *state, char *err, size_t err_len);
/* Replaces the expert knowledge (JSON text, NULL to clear). */
int store_study_set_knowledge(store *st, int64_t id, const char *knowledge,
                              char *err, size_t err_len);
/* Number of trials in each state. */
int store_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES],
                       char *err, size_t err_len);
/* Trials in each state over all studies (for /metrics). */
int store_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len);

/* ---- trials ---- */

/* Marks active trials of the study whose lease ended before now as expired;
 * *n_expired (may be NULL) says how many. Cheap when nothing has expired. */
int store_expire_leases(store *st, int64_t study_id, double now, int *n_expired,
                        char *err, size_t err_len);

/* Every trial of the study, in id order, without metrics or logs unless
 * with_metrics. For the engine. */
int store_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out,
                     char *err, size_t err_len);
/* What the engine needs of the trials changed after after_seq (every trial
 * when 0), in id order: id, study_id, state, config, objective, is_default,
 * seq (and the metrics when with_metrics); the other fields are left empty.
 * *max_seq gets the largest seq seen (after_seq when none). Lets a caller
 * keep a study's history up to date by reading only what changed. */
int store_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                        store_trials *out, int64_t *max_seq, char *err, size_t err_len);
/* The active trials the worker holds, in id order. */
int store_trials_of_worker(store *st, int64_t study_id, const char *worker,
                           store_trials *out, char *err, size_t err_len);
/* Trials with seq > after_seq (state filter when state >= 0), by seq, at most
 * limit, with metrics. */
int store_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                      store_trials *out, char *err, size_t err_len);
/* One trial of the study with metrics (and logs when with_logs). */
int store_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                    store_trial *out, char *err, size_t err_len);

/* A new trial to insert. */
typedef struct {
    const char *params;     /* JSON object text */
    const double *config;
    size_t n_config;
    int is_default;
} store_new_trial;

/* Which model proposed a new trial and what it expected (all may be NULL;
 * explanation is JSON object text). */
typedef struct {
    const char *model;
    const char *model_reason;
    const char *explanation;
} store_trial_origin;

/* Inserts n active trials leased to worker (may be NULL) until lease_until,
 * in one transaction; ids written to out_ids. STORE_NOT_FOUND when the study
 * was deleted meanwhile. */
int store_trials_insert_active(store *st, int64_t study_id, const store_new_trial *trials,
                               size_t n, const char *worker, double now, double lease_until,
                               int64_t *out_ids, char *err, size_t err_len);
/* The same, recording origins[i] (may be NULL: none) as trial i's model. */
int store_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                                  const store_trial_origin *origins, size_t n,
                                  const char *worker, double now, double lease_until,
                                  int64_t *out_ids, char *err, size_t err_len);

/* A trial's result. */
typedef struct {
    trial_state state;          /* COMPLETED, FAILED or INFEASIBLE */
    const char **metric_names;
    const double *metric_values;
    size_t n_metrics;
    int has_objective;
    double objective;
    const char *reason;         /* may be NULL */
    const char *logs;           /* stored as given (caller caps it), may be NULL */
    size_t logs_len;
    int64_t logs_bytes;         /* size reported, -1 without logs */
    int logs_truncated;
    const char *result;         /* canonical JSON of the request, for idempotency */
} store_result;

/* Finishes an active (or expired: its result is still worth keeping) trial.
 * A finished trial keeps lease_expires_at only when it was expired (a late
 * result: finished after its lease ran out); otherwise it is cleared.
 * STORE_SAME when it already finished with an equal result (same state and
 * result text), STORE_CONFLICT when finished differently, STORE_NOT_FOUND. */
int store_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                       double now, char *err, size_t err_len);
/* Extends an active trial's lease. STORE_CONFLICT when it is not active. */
int store_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                          char *err, size_t err_len);
/* Adds an already evaluated trial (warm start); *out_id gets its id. */
int store_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                       const char *worker, const store_result *res, double now,
                       int64_t *out_id, char *err, size_t err_len);

/* One trial of a bulk import. */
typedef struct {
    const store_new_trial *trial;
    const char *worker;         /* may be NULL */
    const store_result *res;
    const char *key;            /* idempotency key, unique per study; may be NULL */
} store_import;

/* Adds n already evaluated trials in one transaction: all or none. An item
 * whose key is already stored in the study (before, or earlier in items) is
 * not stored again: out_ids[i] gets the stored trial's id and existed[i] 1
 * (0 for a new trial). STORE_NOT_FOUND when the study does not exist. */
int store_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                        double now, int64_t *out_ids, unsigned char *existed, char *err,
                        size_t err_len);

/* ---- copying between databases (bograph migrate) ---- */

/* Writes a study and its trials exactly as given (ids, numbers, seq, states,
 * times, metrics and logs: each trial's logs field, NULL when none) in one
 * transaction, as `bograph migrate` copies them from another database.
 * STORE_CONFLICT when the study id or name is taken. */
int store_study_restore(store *st, const store_study *s, const store_trials *trials,
                        char *err, size_t err_len);

#endif
