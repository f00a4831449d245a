/*
 * store_backend.h - what a storage backend provides: a table of operations
 * behind the store handle of store.h. A new backend (PostgreSQL next) is a
 * new set of files that fills a store_ops and an open function listed in
 * store.c; callers of store.h do not change. Not for callers outside store/.
 *
 * Every operation has the contract of the store.h function of the same name;
 * store.c has checked the handle and the pointer arguments the header
 * requires before it calls one.
 */
#ifndef BOGRAPH_STORE_STORE_BACKEND_H
#define BOGRAPH_STORE_STORE_BACKEND_H

#include "store/store.h"

typedef struct store_ops {
    const char *name;   /* "sqlite", "postgres": shown in messages and /healthz */
    void (*close)(store *st);
    int (*schema_version)(store *st);

    int (*study_create)(store *st, const char *name, const char *spec, const char *plugin,
                        const char *knowledge, double now, int64_t *out_id, char *err,
                        size_t err_len);
    int (*study_get)(store *st, int64_t id, store_study *out, char *err, size_t err_len);
    int (*study_list)(store *st, store_study **out, size_t *n, char *err, size_t err_len);
    int (*study_delete)(store *st, int64_t id, char *err, size_t err_len);
    int (*study_set_state)(store *st, int64_t id, const char *state, char *err, size_t err_len);
    int (*study_update)(store *st, int64_t id, const char *name, const char *spec,
                        const char *state, char *err, size_t err_len);
    int (*study_set_knowledge)(store *st, int64_t id, const char *knowledge, char *err,
                               size_t err_len);
    int (*study_counts)(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                        size_t err_len);
    int (*counts_all)(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len);

    int (*expire_leases)(store *st, int64_t study_id, double now, int *n_expired, char *err,
                         size_t err_len);
    int (*trials_all)(store *st, int64_t study_id, int with_metrics, store_trials *out,
                      char *err, size_t err_len);
    int (*trials_engine)(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                         store_trials *out, int64_t *max_seq, char *err, size_t err_len);
    int (*trials_of_worker)(store *st, int64_t study_id, const char *worker, store_trials *out,
                            char *err, size_t err_len);
    int (*trials_page)(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                       store_trials *out, char *err, size_t err_len);
    int (*trial_get)(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                     store_trial *out, char *err, size_t err_len);
    int (*trials_insert_suggested)(store *st, int64_t study_id, const store_new_trial *trials,
                                   const store_trial_origin *origins, size_t n,
                                   const char *worker, double now, double lease_until,
                                   int64_t *out_ids, char *err, size_t err_len);
    int (*trial_finish)(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                        double now, char *err, size_t err_len);
    int (*trial_heartbeat)(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                           char *err, size_t err_len);
    int (*trial_import)(store *st, int64_t study_id, const store_new_trial *trial,
                        const char *worker, const store_result *res, double now,
                        int64_t *out_id, char *err, size_t err_len);
    int (*trials_import)(store *st, int64_t study_id, const store_import *items, size_t n,
                         double now, int64_t *out_ids, unsigned char *existed, char *err,
                         size_t err_len);
    int (*study_restore)(store *st, const store_study *s, const store_trials *trials,
                         char *err, size_t err_len);

    /* Optional (NULL: the backend has none; store.c answers for it). */
    int (*ping)(store *st, char *err, size_t err_len);
    void (*stats)(store *st, store_stats *out);
    int (*study_lock)(store *st, int64_t study_id, store_lock **out, char *err, size_t err_len);
    void (*study_unlock)(store *st, store_lock *lock);
} store_ops;

/* The head of every backend's handle: a backend's own struct starts with a
 * struct store, so a store * is also a pointer to the backend's handle. */
struct store {
    const store_ops *ops;
};

/* Opens the SQLite backend on a file path (sqlite_store.c). */
int sqlite_store_open(const char *path, store_sync sync, store **out, char *err,
                      size_t err_len);
/* Opens the PostgreSQL backend on a libpq URI, scheme included (pg_store.c). */
int pg_store_open(const char *uri, store_sync sync, store **out, char *err, size_t err_len);

#endif
