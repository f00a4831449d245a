/*
 * pg_trial_write.c - the trial changes of the PostgreSQL backend: leasing
 * new trials, expiry, finishing (idempotent), heartbeats and warm-start
 * imports. Each runs in one transaction that first locks the study's row
 * (pg_txn.c), so changes of one study made by any replica are serialised,
 * take their seq in commit order, and see the trial as it is now: two
 * replicas finishing one trial, or one finishing it while another expires
 * its lease, cannot both win.
 */
#include "store/pg_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

typedef struct {
    int64_t study_id;
    double now;
    int *n_expired;
} expire_args;

static int expire_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    expire_args *a = ctx;
    *a->n_expired = 0;
    int rc = pg_study_lock_row(c, a->study_id, err, err_len);
    if (rc != STORE_OK)
        return rc == STORE_NOT_FOUND ? STORE_OK : rc;
    pg_params p = {0};
    pg_p_int(&p, a->study_id);
    pg_p_double(&p, a->now);
    PGresult *r = pg_exec(c, PG_EXPIRED_IDS, &p, "listing expired leases", err, err_len);
    if (!r)
        return STORE_ERROR;
    for (int i = 0; rc == STORE_OK && i < PQntuples(r); i++) {
        int64_t seq = pg_next_seq(c, a->study_id, err, err_len);
        if (seq <= 0) {
            rc = STORE_ERROR;
            break;
        }
        pg_params q = {0};
        pg_p_int(&q, pg_i64(r, i, 0));
        pg_p_int(&q, seq);
        PGresult *u = pg_exec(c, PG_TRIAL_SET_EXPIRED, &q, "expiring a lease", err, err_len);
        if (!u)
            rc = STORE_ERROR;
        PQclear(u);
        (*a->n_expired)++;
    }
    PQclear(r);
    return rc;
}

typedef struct {
    int64_t study_id;
    double now;
    int any;
} expire_check_args;

static int expire_check_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    expire_check_args *a = ctx;
    pg_params p = {0};
    pg_p_int(&p, a->study_id);
    pg_p_double(&p, a->now);
    PGresult *r = pg_exec(c, PG_EXPIRED_ANY, &p, "checking leases", err, err_len);
    if (!r)
        return STORE_ERROR;
    a->any = PQntuples(r) > 0;
    PQclear(r);
    return STORE_OK;
}

int pg_expire_leases(store *st, int64_t study_id, double now, int *n_expired, char *err,
                     size_t err_len)
{
    int n = 0;
    if (n_expired)
        *n_expired = 0;
    /* The common case, nothing expired, costs one indexed read and no lock. */
    expire_check_args chk = {study_id, now, 0};
    int rc = pg_run(pg_of(st), PG_TX_NONE, expire_check_body, &chk, err, err_len);
    if (rc != STORE_OK || !chk.any)
        return rc;
    expire_args a = {study_id, now, &n};
    rc = pg_run(pg_of(st), PG_TX_WRITE, expire_body, &a, err, err_len);
    if (rc == STORE_OK && n_expired)
        *n_expired = n;
    return rc;
}

/* Inserts one trial row (id: the given one when > 0, else the next) inside
 * the caller's transaction, the study row locked. */
static int insert_trial(pg_conn *c, int64_t study_id, int64_t number, trial_state state,
                        const char *worker, const store_new_trial *t,
                        const store_trial_origin *origin, const store_result *res, double now,
                        double lease_until, const char *key, int64_t *out_id, char *err,
                        size_t err_len)
{
    int64_t seq = pg_next_seq(c, study_id, err, err_len);
    if (seq < 0)
        return STORE_ERROR;
    if (seq == 0)
        return STORE_NOT_FOUND;
    pg_params p = {0};
    pg_p_int(&p, study_id);
    pg_p_int(&p, number);
    pg_p_text(&p, store_state_name(state));
    pg_p_text(&p, worker);
    pg_p_text(&p, t->params);
    pg_p_bytes(&p, t->config, t->n_config * sizeof(double));
    if (res && res->has_objective)
        pg_p_double(&p, res->objective);
    else
        pg_p_null(&p);
    pg_p_text(&p, res ? res->reason : NULL);
    pg_p_text(&p, res ? res->result : NULL);
    pg_p_int(&p, seq);
    pg_p_double(&p, now);
    if (res) {
        pg_p_double(&p, now);
        pg_p_null(&p);
    } else {
        pg_p_null(&p);
        pg_p_double(&p, lease_until);
    }
    pg_p_int(&p, t->is_default ? 1 : 0);
    if (res && res->logs_bytes >= 0)
        pg_p_int(&p, res->logs_bytes);
    else
        pg_p_null(&p);
    pg_p_int(&p, res && res->logs_truncated ? 1 : 0);
    pg_p_text(&p, origin ? origin->model : NULL);
    pg_p_text(&p, origin ? origin->model_reason : NULL);
    pg_p_text(&p, origin ? origin->explanation : NULL);
    pg_p_text(&p, key);
    pg_p_null(&p); /* id: the next */
    PGresult *r = pg_exec(c, PG_TRIAL_INSERT, &p, "inserting a trial", err, err_len);
    if (!r)
        return STORE_ERROR;
    *out_id = pg_i64(r, 0, 0);
    PQclear(r);
    return STORE_OK;
}

/* Takes n consecutive trial numbers (locking the study row); 0 when the study is gone. */
static int64_t take_numbers(pg_conn *c, int64_t study_id, size_t n, char *err, size_t err_len)
{
    pg_params p = {0};
    pg_p_int(&p, study_id);
    pg_p_int(&p, (int64_t)n);
    PGresult *r = pg_exec(c, PG_STUDY_TAKE_NUMBERS, &p, "numbering trials", err, err_len);
    if (!r)
        return -1;
    int64_t first = PQntuples(r) == 1 ? pg_i64(r, 0, 0) : 0;
    PQclear(r);
    return first;
}

/* Metrics and logs of a finished trial, inside the caller's transaction. */
static int write_result_rows(pg_conn *c, int64_t trial_id, const store_result *res, char *err,
                             size_t err_len)
{
    for (size_t i = 0; i < res->n_metrics; i++) {
        pg_params p = {0};
        pg_p_int(&p, trial_id);
        pg_p_text(&p, res->metric_names[i]);
        pg_p_double(&p, res->metric_values[i]);
        PGresult *r = pg_exec(c, PG_METRIC_INSERT, &p, "storing a metric", err, err_len);
        if (!r)
            return STORE_ERROR;
        PQclear(r);
    }
    if (res->logs) {
        pg_params p = {0};
        pg_p_int(&p, trial_id);
        pg_p_bytes(&p, res->logs, res->logs_len);
        PGresult *r = pg_exec(c, PG_LOGS_INSERT, &p, "storing logs", err, err_len);
        if (!r)
            return STORE_ERROR;
        PQclear(r);
    }
    return STORE_OK;
}

typedef struct {
    int64_t study_id;
    const store_new_trial *trials;
    const store_trial_origin *origins;
    size_t n;
    const char *worker;
    double now, lease_until;
    int64_t *out_ids;
} insert_args;

static int insert_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const insert_args *a = ctx;
    int64_t first = take_numbers(c, a->study_id, a->n, err, err_len);
    if (first < 0)
        return STORE_ERROR;
    if (first == 0)
        return STORE_NOT_FOUND;
    int rc = STORE_OK;
    for (size_t i = 0; rc == STORE_OK && i < a->n; i++)
        rc = insert_trial(c, a->study_id, first + (int64_t)i, TRIAL_ACTIVE, a->worker,
                          &a->trials[i], a->origins ? &a->origins[i] : NULL, NULL, a->now,
                          a->lease_until, NULL, &a->out_ids[i], err, err_len);
    return rc;
}

int pg_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                               const store_trial_origin *origins, size_t n, const char *worker,
                               double now, double lease_until, int64_t *out_ids, char *err,
                               size_t err_len)
{
    if (n == 0)
        return STORE_OK;
    insert_args a = {study_id, trials, origins, n, worker, now, lease_until, out_ids};
    return pg_run(pg_of(st), PG_TX_WRITE, insert_body, &a, err, err_len);
}

typedef struct {
    int64_t study_id;
    const store_new_trial *trial;
    const char *worker;
    const store_result *res;
    double now;
    int64_t *out_id;
} import_args;

static int import_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const import_args *a = ctx;
    int64_t number = take_numbers(c, a->study_id, 1, err, err_len);
    if (number < 0)
        return STORE_ERROR;
    if (number == 0)
        return STORE_NOT_FOUND;
    int rc = insert_trial(c, a->study_id, number, a->res->state, a->worker, a->trial, NULL,
                          a->res, a->now, NAN, NULL, a->out_id, err, err_len);
    if (rc == STORE_OK)
        rc = write_result_rows(c, *a->out_id, a->res, err, err_len);
    return rc;
}

int pg_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                    const char *worker, const store_result *res, double now, int64_t *out_id,
                    char *err, size_t err_len)
{
    import_args a = {study_id, trial, worker, res, now, out_id};
    return pg_run(pg_of(st), PG_TX_WRITE, import_body, &a, err, err_len);
}

typedef struct {
    int64_t study_id;
    const store_import *items;
    size_t n;
    double now;
    int64_t *out_ids;
    unsigned char *existed;
} import_many_args;

/* The id of the study's trial with key: 0 when none, -1 on error. */
static int64_t trial_by_key(pg_conn *c, int64_t study_id, const char *key, char *err,
                            size_t err_len)
{
    pg_params p = {0};
    pg_p_int(&p, study_id);
    pg_p_text(&p, key);
    PGresult *r = pg_exec(c, PG_TRIAL_BY_KEY, &p, "looking up an import key", err, err_len);
    if (!r)
        return -1;
    int64_t id = PQntuples(r) == 1 ? pg_i64(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

/* The study row is locked first: imports of one study, from any replica,
 * run one at a time, and each statement after the lock (READ COMMITTED)
 * sees the keys the one before committed, so a key is stored once. */
static int import_many_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const import_many_args *a = ctx;
    int rc = pg_study_lock_row(c, a->study_id, err, err_len);
    for (size_t i = 0; rc == STORE_OK && i < a->n; i++) {
        const store_import *it = &a->items[i];
        a->existed[i] = 0;
        if (it->key) {
            int64_t id = trial_by_key(c, a->study_id, it->key, err, err_len);
            if (id < 0)
                return STORE_ERROR;
            if (id > 0) {
                a->out_ids[i] = id;
                a->existed[i] = 1;
                continue;
            }
        }
        int64_t number = take_numbers(c, a->study_id, 1, err, err_len);
        if (number <= 0)
            return number < 0 ? STORE_ERROR : STORE_NOT_FOUND;
        rc = insert_trial(c, a->study_id, number, it->res->state, it->worker, it->trial, NULL,
                          it->res, a->now, NAN, it->key, &a->out_ids[i], err, err_len);
        if (rc == STORE_OK)
            rc = write_result_rows(c, a->out_ids[i], it->res, err, err_len);
    }
    return rc;
}

int pg_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                     double now, int64_t *out_ids, unsigned char *existed, char *err,
                     size_t err_len)
{
    import_many_args a = {study_id, items, n, now, out_ids, existed};
    return pg_run(pg_of(st), PG_TX_WRITE, import_many_body, &a, err, err_len);
}

static int same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A change to one trial: act runs on the trial as it is now, read after the
 * study row was locked; its status decides the commit. */
typedef int (*trial_action)(pg_conn *c, const store_trial *cur, void *ctx, char *err,
                            size_t err_len);

typedef struct {
    int64_t study_id, trial_id;
    trial_action act;
    void *ctx;
} trial_change;

static int trial_change_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const trial_change *tc = ctx;
    int rc = pg_study_lock_row(c, tc->study_id, err, err_len);
    if (rc != STORE_OK)
        return rc;
    pg_params p = {0};
    pg_p_int(&p, tc->study_id);
    pg_p_int(&p, tc->trial_id);
    PGresult *r = pg_exec(c, PG_TRIAL_GET, &p, "reading the trial", err, err_len);
    if (!r)
        return STORE_ERROR;
    store_trial cur;
    memset(&cur, 0, sizeof cur);
    if (PQntuples(r) != 1)
        rc = STORE_NOT_FOUND;
    else if (pg_trial_from_row(r, 0, &cur) != 0)
        rc = util_err(err, err_len, "out of memory");
    PQclear(r);
    if (rc != STORE_OK)
        return rc;
    rc = tc->act(c, &cur, tc->ctx, err, err_len);
    store_trial_clear(&cur);
    return rc;
}

static int trial_change_run(store *st, int64_t study_id, int64_t trial_id, trial_action act,
                            void *ctx, char *err, size_t err_len)
{
    trial_change tc = {study_id, trial_id, act, ctx};
    return pg_run(pg_of(st), PG_TX_WRITE, trial_change_body, &tc, err, err_len);
}

typedef struct {
    const store_result *res;
    double now;
} finish_args;

static int finish_act(pg_conn *c, const store_trial *cur, void *ctx, char *err, size_t err_len)
{
    const finish_args *a = ctx;
    const store_result *res = a->res;
    if (cur->state != TRIAL_ACTIVE && cur->state != TRIAL_EXPIRED)
        return cur->state == res->state && same_text(cur->result, res->result) ? STORE_SAME
                                                                               : STORE_CONFLICT;
    int64_t seq = pg_next_seq(c, cur->study_id, err, err_len);
    if (seq <= 0)
        return STORE_ERROR;
    pg_params p = {0};
    pg_p_int(&p, cur->id);
    pg_p_int(&p, cur->study_id);
    pg_p_text(&p, store_state_name(res->state));
    if (res->has_objective)
        pg_p_double(&p, res->objective);
    else
        pg_p_null(&p);
    pg_p_text(&p, res->reason);
    pg_p_text(&p, res->result);
    pg_p_int(&p, seq);
    pg_p_double(&p, a->now);
    if (res->logs_bytes >= 0)
        pg_p_int(&p, res->logs_bytes);
    else
        pg_p_null(&p);
    pg_p_int(&p, res->logs_truncated ? 1 : 0);
    PGresult *r = pg_exec(c, PG_TRIAL_FINISH, &p, "finishing the trial", err, err_len);
    if (!r)
        return STORE_ERROR;
    PQclear(r);
    return write_result_rows(c, cur->id, res, err, err_len);
}

int pg_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                    double now, char *err, size_t err_len)
{
    finish_args a = {res, now};
    return trial_change_run(st, study_id, trial_id, finish_act, &a, err, err_len);
}

static int heartbeat_act(pg_conn *c, const store_trial *cur, void *ctx, char *err,
                         size_t err_len)
{
    if (cur->state != TRIAL_ACTIVE)
        return STORE_CONFLICT;
    int64_t seq = pg_next_seq(c, cur->study_id, err, err_len);
    if (seq <= 0)
        return STORE_ERROR;
    pg_params p = {0};
    pg_p_int(&p, cur->id);
    pg_p_int(&p, cur->study_id);
    pg_p_double(&p, *(const double *)ctx);
    pg_p_int(&p, seq);
    PGresult *r = pg_exec(c, PG_TRIAL_HEARTBEAT, &p, "extending the lease", err, err_len);
    if (!r)
        return STORE_ERROR;
    PQclear(r);
    return STORE_OK;
}

int pg_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                       char *err, size_t err_len)
{
    return trial_change_run(st, study_id, trial_id, heartbeat_act, &lease_until, err, err_len);
}
