/*
 * sqlite_trial.c - trials in the SQLite backend: leasing new ones, expiry, finishing
 * (complete / fail / infeasible, idempotent), heartbeats, warm-start imports,
 * and the reads the API and the engine need.
 */
#include "store/sqlite_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static double col_double_or_nan(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN : sqlite3_column_double(s, col);
}

void sqlite_trial_from_row(sqlite3_stmt *s, store_trial *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(s, 0);
    t->study_id = sqlite3_column_int64(s, 1);
    t->number = sqlite3_column_int64(s, 2);
    const char *state = (const char *)sqlite3_column_text(s, 3);
    if (!state || store_state_parse(state, &t->state) != 0)
        t->state = TRIAL_FAILED;
    t->worker = sqlite_col_strdup(s, 4);
    t->params = sqlite_col_strdup(s, 5);
    int nb = sqlite3_column_bytes(s, 6);
    const void *blob = sqlite3_column_blob(s, 6);
    t->n_config = (size_t)nb / sizeof(double);
    if (t->n_config) {
        t->config = malloc(t->n_config * sizeof(double));
        if (t->config)
            memcpy(t->config, blob, t->n_config * sizeof(double));
        else
            t->n_config = 0;
    }
    t->has_objective = sqlite3_column_type(s, 7) != SQLITE_NULL;
    t->objective = t->has_objective ? sqlite3_column_double(s, 7) : NAN;
    t->reason = sqlite_col_strdup(s, 8);
    t->result = sqlite_col_strdup(s, 9);
    t->seq = sqlite3_column_int64(s, 10);
    t->created_at = sqlite3_column_double(s, 11);
    t->finished_at = col_double_or_nan(s, 12);
    t->lease_expires_at = col_double_or_nan(s, 13);
    t->is_default = sqlite3_column_int(s, 14);
    t->logs_bytes = sqlite3_column_type(s, 15) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 15);
    t->logs_truncated = sqlite3_column_int(s, 16);
    t->model = sqlite_col_strdup(s, 17);
    t->model_reason = sqlite_col_strdup(s, 18);
    t->explanation = sqlite_col_strdup(s, 19);
    t->key = sqlite_col_strdup(s, 20);
}

int sqlite_load_metrics(sqlite_conn *c, store_trial *t, char *err, size_t err_len)
{
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIAL_METRICS, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, t->id);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (t->n_metrics == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **names = realloc(t->metric_names, ncap * sizeof *names);
            if (!names)
                break;
            t->metric_names = names;
            double *vals = realloc(t->metric_values, ncap * sizeof *vals);
            if (!vals)
                break;
            t->metric_values = vals;
            cap = ncap;
        }
        char *name = sqlite_col_strdup(s, 0);
        if (!name)
            break;
        t->metric_names[t->n_metrics] = name;
        t->metric_values[t->n_metrics] = sqlite3_column_double(s, 1);
        t->n_metrics++;
    }
    sqlite3_reset(s);
    if (step == SQLITE_ROW)
        return util_err(err, err_len, "out of memory");
    if (step != SQLITE_DONE)
        return sqlite_store_err(c, "reading metrics", err, err_len);
    return STORE_OK;
}

static int metric_push(store_trial *t, size_t *cap, sqlite3_stmt *s, int name_col)
{
    if (t->n_metrics == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        char **names = realloc(t->metric_names, ncap * sizeof *names);
        if (!names)
            return -1;
        t->metric_names = names;
        double *vals = realloc(t->metric_values, ncap * sizeof *vals);
        if (!vals)
            return -1;
        t->metric_values = vals;
        *cap = ncap;
    }
    char *name = sqlite_col_strdup(s, name_col);
    if (!name)
        return -1;
    t->metric_names[t->n_metrics] = name;
    t->metric_values[t->n_metrics] = sqlite3_column_double(s, name_col + 1);
    t->n_metrics++;
    return 0;
}

typedef struct {
    int64_t id;
    size_t index;
} id_index;

static int id_index_cmp(const void *a, const void *b)
{
    int64_t x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
    return x < y ? -1 : x > y;
}

int sqlite_load_metrics_many(sqlite_conn *c, store_trials *ts, char *err, size_t err_len)
{
    if (ts->count == 0)
        return STORE_OK;
    if (ts->count == 1)
        return sqlite_load_metrics(c, &ts->items[0], err, err_len);
    /* the ids as a JSON array for json_each, and an id -> index table */
    id_index *map = malloc(ts->count * sizeof *map);
    size_t cap = ts->count * 21 + 3;
    char *ids = malloc(cap);
    size_t *mcap = calloc(ts->count, sizeof *mcap);
    if (!map || !ids || !mcap) {
        free(map);
        free(ids);
        free(mcap);
        return util_err(err, err_len, "out of memory");
    }
    size_t o = 0;
    ids[o++] = '[';
    for (size_t i = 0; i < ts->count; i++) {
        map[i].id = ts->items[i].id;
        map[i].index = i;
        o += (size_t)snprintf(ids + o, cap - o, i ? ",%lld" : "%lld", (long long)map[i].id);
    }
    ids[o++] = ']';
    ids[o] = '\0';
    qsort(map, ts->count, sizeof *map, id_index_cmp);
    int rc = STORE_OK;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_METRICS_FOR_IDS, err, err_len);
    if (!s) {
        rc = STORE_ERROR;
    } else {
        sqlite3_bind_text(s, 1, ids, (int)o, SQLITE_STATIC);
        int step;
        size_t at = 0;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(s, 0);
            /* rows come by trial id, so the matching entry moves forward */
            while (at < ts->count && map[at].id < id)
                at++;
            if (at == ts->count || map[at].id != id)
                continue;
            store_trial *t = &ts->items[map[at].index];
            if (metric_push(t, &mcap[map[at].index], s, 1) != 0) {
                rc = util_err(err, err_len, "out of memory");
                break;
            }
        }
        if (rc == STORE_OK && step != SQLITE_DONE)
            rc = sqlite_store_err(c, "reading metrics", err, err_len);
        sqlite3_reset(s);
    }
    free(map);
    free(ids);
    free(mcap);
    return rc;
}

/* Room for one more trial in out (capacity *cap, doubled as needed). */
static int trials_room(store_trials *out, size_t *cap, char *err, size_t err_len)
{
    if (out->count < *cap)
        return STORE_OK;
    size_t ncap = *cap ? *cap * 2 : 32;
    store_trial *grown = realloc(out->items, ncap * sizeof *grown);
    if (!grown) {
        util_err(err, err_len, "out of memory");
        return STORE_ERROR;
    }
    out->items = grown;
    *cap = ncap;
    return STORE_OK;
}

/* Reads every row of a prepared, bound statement into out. */
static int collect_trials(sqlite_conn *c, sqlite3_stmt *s, int with_metrics, store_trials *out,
                          char *err, size_t err_len)
{
    size_t cap = 0;
    int step;
    int rc = STORE_OK;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (trials_room(out, &cap, err, err_len) != STORE_OK) {
            rc = STORE_ERROR;
            break;
        }
        sqlite_trial_from_row(s, &out->items[out->count++]);
    }
    if (rc == STORE_OK && step != SQLITE_DONE)
        rc = sqlite_store_err(c, "reading trials", err, err_len);
    sqlite3_reset(s);
    if (rc == STORE_OK && with_metrics)
        rc = sqlite_load_metrics_many(c, out, err, err_len);
    if (rc != STORE_OK)
        store_trials_free(out);
    return rc;
}

/* Runs a read of several statements in one snapshot. */
static int read_begin(sqlite_conn *c, char *err, size_t err_len)
{
    return sqlite_conn_exec_stmt(c, STMT_BEGIN, err, err_len);
}

static void read_end(sqlite_conn *c)
{
    sqlite_conn_exec_stmt(c, STMT_COMMIT, NULL, 0);
}

/* Binds the parameters of a trial-list statement. */
typedef void (*trials_bind_fn)(sqlite3_stmt *s, const void *args);

/* Runs one trial-list statement in a read snapshot of its own. */
static int read_trials(store *st, sqlite_stmt_id id, trials_bind_fn bind, const void *args,
                       int with_metrics, store_trials *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = read_begin(c, err, err_len);
    if (rc == STORE_OK) {
        sqlite3_stmt *s = sqlite_conn_stmt(c, id, err, err_len);
        if (!s) {
            rc = STORE_ERROR;
        } else {
            bind(s, args);
            rc = collect_trials(c, s, with_metrics, out, err, err_len);
        }
        read_end(c);
    }
    sqlite_conn_put(st, c);
    return rc;
}

typedef struct {
    int64_t study_id;
    const char *worker;
    int state;
    int64_t after_seq;
    size_t limit;
} trials_query;

static void bind_study(sqlite3_stmt *s, const void *args)
{
    sqlite3_bind_int64(s, 1, ((const trials_query *)args)->study_id);
}

int sqlite_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out,
                     char *err, size_t err_len)
{
    trials_query q = {.study_id = study_id};
    return read_trials(st, STMT_TRIALS_ALL, bind_study, &q, with_metrics, out, err, err_len);
}

int sqlite_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                        store_trials *out, int64_t *max_seq, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *max_seq = after_seq;
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = read_begin(c, err, err_len);
    if (rc == STORE_OK) {
        sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIALS_ENGINE, err, err_len);
        size_t cap = 0;
        int step = SQLITE_DONE;
        if (!s)
            rc = STORE_ERROR;
        else
            sqlite3_bind_int64(s, 1, study_id), sqlite3_bind_int64(s, 2, after_seq);
        while (rc == STORE_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
            if (trials_room(out, &cap, err, err_len) != STORE_OK) {
                rc = STORE_ERROR;
                break;
            }
            store_trial *t = &out->items[out->count++];
            memset(t, 0, sizeof *t);
            t->id = sqlite3_column_int64(s, 0);
            t->study_id = study_id;
            const char *state = (const char *)sqlite3_column_text(s, 1);
            if (!state || store_state_parse(state, &t->state) != 0)
                t->state = TRIAL_FAILED;
            int nb = sqlite3_column_bytes(s, 2);
            const void *blob = sqlite3_column_blob(s, 2);
            t->n_config = (size_t)nb / sizeof(double);
            if (t->n_config) {
                t->config = malloc(t->n_config * sizeof(double));
                if (!t->config) {
                    rc = util_err(err, err_len, "out of memory");
                    break;
                }
                memcpy(t->config, blob, t->n_config * sizeof(double));
            }
            t->has_objective = sqlite3_column_type(s, 3) != SQLITE_NULL;
            t->objective = t->has_objective ? sqlite3_column_double(s, 3) : NAN;
            t->is_default = sqlite3_column_int(s, 4);
            t->seq = sqlite3_column_int64(s, 5);
            if (t->seq > *max_seq)
                *max_seq = t->seq;
            t->finished_at = t->lease_expires_at = NAN;
            t->logs_bytes = -1;
        }
        if (rc == STORE_OK && step != SQLITE_DONE)
            rc = sqlite_store_err(c, "reading trials", err, err_len);
        if (s)
            sqlite3_reset(s);
        if (rc == STORE_OK && with_metrics)
            rc = sqlite_load_metrics_many(c, out, err, err_len);
        if (rc != STORE_OK)
            store_trials_free(out);
        read_end(c);
    }
    sqlite_conn_put(st, c);
    return rc;
}

static void bind_worker(sqlite3_stmt *s, const void *args)
{
    const trials_query *q = args;
    sqlite3_bind_int64(s, 1, q->study_id);
    sqlite3_bind_text(s, 2, q->worker, -1, SQLITE_STATIC);
}

int sqlite_trials_of_worker(store *st, int64_t study_id, const char *worker, store_trials *out,
                           char *err, size_t err_len)
{
    trials_query q = {.study_id = study_id, .worker = worker};
    return read_trials(st, STMT_TRIALS_OF_WORKER, bind_worker, &q, 1, out, err, err_len);
}

static void bind_page(sqlite3_stmt *s, const void *args)
{
    const trials_query *q = args;
    sqlite3_bind_int64(s, 1, q->study_id);
    sqlite3_bind_int64(s, 2, q->after_seq);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)q->limit);
    if (q->state >= 0)
        sqlite3_bind_text(s, 4, store_state_name((trial_state)q->state), -1, SQLITE_STATIC);
}

int sqlite_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                      store_trials *out, char *err, size_t err_len)
{
    trials_query q = {.study_id = study_id, .state = state, .after_seq = after_seq,
                      .limit = limit};
    return read_trials(st, state >= 0 ? STMT_TRIALS_PAGE_STATE : STMT_TRIALS_PAGE, bind_page, &q,
                       1, out, err, err_len);
}

/* Reads one trial with the connection's current transaction (if any). */
static int trial_get_conn(sqlite_conn *c, int64_t study_id, int64_t trial_id, store_trial *out,
                          char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIAL_GET, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, study_id);
    sqlite3_bind_int64(s, 2, trial_id);
    int step = sqlite3_step(s);
    int rc;
    if (step == SQLITE_ROW) {
        sqlite_trial_from_row(s, out);
        rc = STORE_OK;
    } else if (step == SQLITE_DONE) {
        rc = STORE_NOT_FOUND;
    } else {
        rc = sqlite_store_err(c, "reading the trial", err, err_len);
    }
    sqlite3_reset(s);
    return rc;
}

int sqlite_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                    store_trial *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = read_begin(c, err, err_len);
    if (rc == STORE_OK) {
        rc = trial_get_conn(c, study_id, trial_id, out, err, err_len);
        if (rc == STORE_OK)
            rc = sqlite_load_metrics(c, out, err, err_len);
        if (rc == STORE_OK && with_logs) {
            sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIAL_LOGS, err, err_len);
            if (!s) {
                rc = STORE_ERROR;
            } else {
                sqlite3_bind_int64(s, 1, trial_id);
                int step = sqlite3_step(s);
                if (step == SQLITE_ROW)
                    out->logs = sqlite_col_strdup(s, 0);
                else if (step != SQLITE_DONE)
                    rc = sqlite_store_err(c, "reading logs", err, err_len);
                sqlite3_reset(s);
            }
        }
        if (rc != STORE_OK && rc != STORE_NOT_FOUND)
            store_trial_clear(out);
        read_end(c);
    }
    sqlite_conn_put(st, c);
    return rc;
}

int sqlite_expire_leases(store *st, int64_t study_id, double now, int *n_expired, char *err,
                        size_t err_len)
{
    if (n_expired)
        *n_expired = 0;
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    /* The common case, nothing expired, costs one indexed read and no lock. */
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_EXPIRED_ANY, err, err_len);
    int rc = STORE_ERROR;
    if (s) {
        sqlite3_bind_int64(s, 1, study_id);
        sqlite3_bind_double(s, 2, now);
        int step = sqlite3_step(s);
        sqlite3_reset(s);
        if (step == SQLITE_DONE)
            rc = STORE_OK;
        else if (step != SQLITE_ROW)
            rc = sqlite_store_err(c, "checking leases", err, err_len);
        else
            rc = 1; /* something to expire */
    }
    if (rc != 1) {
        sqlite_conn_put(st, c);
        return rc;
    }
    rc = sqlite_write_begin(st, c, err, err_len);
    if (rc != STORE_OK) {
        sqlite_conn_put(st, c);
        return rc;
    }
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    s = sqlite_conn_stmt(c, STMT_EXPIRED_IDS, err, err_len);
    if (!s) {
        rc = STORE_ERROR;
    } else {
        sqlite3_bind_int64(s, 1, study_id);
        sqlite3_bind_double(s, 2, now);
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                int64_t *grown = realloc(ids, ncap * sizeof *grown);
                if (!grown) {
                    rc = util_err(err, err_len, "out of memory");
                    break;
                }
                ids = grown;
                cap = ncap;
            }
            ids[n++] = sqlite3_column_int64(s, 0);
        }
        if (rc == STORE_OK && step != SQLITE_DONE)
            rc = sqlite_store_err(c, "listing expired leases", err, err_len);
        sqlite3_reset(s);
    }
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        int64_t seq = sqlite_next_seq(c, study_id, err, err_len);
        if (seq <= 0) {
            rc = STORE_ERROR;
            break;
        }
        s = sqlite_conn_stmt(c, STMT_TRIAL_SET_EXPIRED, err, err_len);
        if (!s) {
            rc = STORE_ERROR;
            break;
        }
        sqlite3_bind_int64(s, 1, ids[i]);
        sqlite3_bind_int64(s, 2, seq);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = sqlite_store_err(c, "expiring a lease", err, err_len);
        sqlite3_reset(s);
    }
    free(ids);
    int end = sqlite_write_end(st, c, rc == STORE_OK, err, err_len);
    if (rc == STORE_OK)
        rc = end;
    if (rc == STORE_OK && n_expired)
        *n_expired = (int)n;
    sqlite_conn_put(st, c);
    return rc;
}

/* Inserts one trial row inside the caller's write transaction. */
static int insert_trial(sqlite_conn *c, int64_t study_id, int64_t number, trial_state state,
                        const char *worker, const store_new_trial *t,
                        const store_trial_origin *origin, const store_result *res, double now,
                        double lease_until, const char *key, int64_t *out_id, char *err,
                        size_t err_len)
{
    int64_t seq = sqlite_next_seq(c, study_id, err, err_len);
    if (seq < 0)
        return STORE_ERROR;
    if (seq == 0)
        return STORE_NOT_FOUND;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIAL_INSERT, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, study_id);
    sqlite3_bind_int64(s, 2, number);
    sqlite3_bind_text(s, 3, store_state_name(state), -1, SQLITE_STATIC);
    if (worker)
        sqlite3_bind_text(s, 4, worker, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, t->params, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, t->config, (int)(t->n_config * sizeof(double)), SQLITE_STATIC);
    if (res && res->has_objective)
        sqlite3_bind_double(s, 7, res->objective);
    if (res && res->reason)
        sqlite3_bind_text(s, 8, res->reason, -1, SQLITE_STATIC);
    if (res && res->result)
        sqlite3_bind_text(s, 9, res->result, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 10, seq);
    sqlite3_bind_double(s, 11, now);
    if (res)
        sqlite3_bind_double(s, 12, now);
    else
        sqlite3_bind_double(s, 13, lease_until);
    sqlite3_bind_int(s, 14, t->is_default ? 1 : 0);
    if (res && res->logs_bytes >= 0)
        sqlite3_bind_int64(s, 15, res->logs_bytes);
    sqlite3_bind_int(s, 16, res && res->logs_truncated ? 1 : 0);
    if (origin && origin->model)
        sqlite3_bind_text(s, 17, origin->model, -1, SQLITE_STATIC);
    if (origin && origin->model_reason)
        sqlite3_bind_text(s, 18, origin->model_reason, -1, SQLITE_STATIC);
    if (origin && origin->explanation)
        sqlite3_bind_text(s, 19, origin->explanation, -1, SQLITE_STATIC);
    if (key)
        sqlite3_bind_text(s, 20, key, -1, SQLITE_STATIC);
    int rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, "inserting a trial", err, err_len);
    sqlite3_reset(s);
    if (rc == STORE_OK)
        *out_id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

/* Takes n consecutive trial numbers; 0 when the study is gone. */
static int64_t take_numbers(sqlite_conn *c, int64_t study_id, size_t n, char *err, size_t err_len)
{
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_TAKE_NUMBERS, err, err_len);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, study_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)n);
    int step = sqlite3_step(s);
    int64_t first = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        sqlite_store_err(c, "numbering trials", err, err_len);
        return -1;
    }
    return first;
}

/* Metrics and logs of a finished trial, inside the caller's transaction. */
static int write_result_rows(sqlite_conn *c, int64_t trial_id, const store_result *res,
                             char *err, size_t err_len)
{
    for (size_t i = 0; i < res->n_metrics; i++) {
        sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_METRIC_INSERT, err, err_len);
        if (!s)
            return STORE_ERROR;
        sqlite3_bind_int64(s, 1, trial_id);
        sqlite3_bind_text(s, 2, res->metric_names[i], -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 3, res->metric_values[i]);
        int step = sqlite3_step(s);
        sqlite3_reset(s);
        if (step != SQLITE_DONE)
            return sqlite_store_err(c, "storing a metric", err, err_len);
    }
    if (res->logs) {
        sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_LOGS_INSERT, err, err_len);
        if (!s)
            return STORE_ERROR;
        sqlite3_bind_int64(s, 1, trial_id);
        sqlite3_bind_text(s, 2, res->logs, (int)res->logs_len, SQLITE_STATIC);
        int step = sqlite3_step(s);
        sqlite3_reset(s);
        if (step != SQLITE_DONE)
            return sqlite_store_err(c, "storing logs", err, err_len);
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

static int insert_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
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

int sqlite_trials_insert_suggested(store *st, int64_t study_id, const store_new_trial *trials,
                                  const store_trial_origin *origins, size_t n,
                                  const char *worker, double now, double lease_until,
                                  int64_t *out_ids, char *err, size_t err_len)
{
    if (n == 0)
        return STORE_OK;
    insert_args a = {study_id, trials, origins, n, worker, now, lease_until, out_ids};
    return sqlite_write(st, insert_body, &a, err, err_len);
}

typedef struct {
    int64_t study_id;
    const store_new_trial *trial;
    const char *worker;
    const store_result *res;
    double now;
    int64_t *out_id;
} import_args;

static int import_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
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

int sqlite_trial_import(store *st, int64_t study_id, const store_new_trial *trial,
                       const char *worker, const store_result *res, double now, int64_t *out_id,
                       char *err, size_t err_len)
{
    import_args a = {study_id, trial, worker, res, now, out_id};
    return sqlite_write(st, import_body, &a, err, err_len);
}

typedef struct {
    int64_t study_id;
    const store_import *items;
    size_t n;
    double now;
    int64_t *out_ids;
    unsigned char *existed;
} import_many_args;

/* The id of the study's trial with key (0 when none, -1 on error). */
static int64_t trial_by_key(sqlite_conn *c, int64_t study_id, const char *key, char *err,
                            size_t err_len)
{
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_TRIAL_BY_KEY, err, err_len);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, study_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        sqlite_store_err(c, "looking up an import key", err, err_len);
        return -1;
    }
    return id;
}

static int import_many_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const import_many_args *a = ctx;
    for (size_t i = 0; i < a->n; i++) {
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
        if (number < 0)
            return STORE_ERROR;
        if (number == 0)
            return STORE_NOT_FOUND;
        int rc = insert_trial(c, a->study_id, number, it->res->state, it->worker, it->trial, NULL,
                              it->res, a->now, NAN, it->key, &a->out_ids[i], err, err_len);
        if (rc == STORE_OK)
            rc = write_result_rows(c, a->out_ids[i], it->res, err, err_len);
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_OK;
}

int sqlite_trials_import(store *st, int64_t study_id, const store_import *items, size_t n,
                         double now, int64_t *out_ids, unsigned char *existed, char *err,
                         size_t err_len)
{
    import_many_args a = {study_id, items, n, now, out_ids, existed};
    return sqlite_write(st, import_many_body, &a, err, err_len);
}

static int same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A change to one trial: act(c, &cur, ctx, ...) runs on the trial as it is
 * now (loaded inside the write transaction), and its status decides the
 * commit. */
typedef int (*trial_action)(sqlite_conn *c, const store_trial *cur, void *ctx, char *err,
                            size_t err_len);

typedef struct {
    int64_t study_id, trial_id;
    trial_action act;
    void *ctx;
} trial_change;

static int trial_change_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const trial_change *tc = ctx;
    store_trial cur;
    int rc = trial_get_conn(c, tc->study_id, tc->trial_id, &cur, err, err_len);
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
    return sqlite_write(st, trial_change_body, &tc, err, err_len);
}

typedef struct {
    const store_result *res;
    double now;
} finish_args;

static int finish_act(sqlite_conn *c, const store_trial *cur, void *ctx, char *err,
                      size_t err_len)
{
    const finish_args *a = ctx;
    const store_result *res = a->res;
    if (cur->state != TRIAL_ACTIVE && cur->state != TRIAL_EXPIRED)
        return cur->state == res->state && same_text(cur->result, res->result) ? STORE_SAME
                                                                               : STORE_CONFLICT;
    int64_t seq = sqlite_next_seq(c, cur->study_id, err, err_len);
    sqlite3_stmt *s = seq > 0 ? sqlite_conn_stmt(c, STMT_TRIAL_FINISH, err, err_len) : NULL;
    if (!s)
        return STORE_ERROR;
    int rc = STORE_OK;
    sqlite3_bind_int64(s, 1, cur->id);
    sqlite3_bind_int64(s, 2, cur->study_id);
    sqlite3_bind_text(s, 3, store_state_name(res->state), -1, SQLITE_STATIC);
    if (res->has_objective)
        sqlite3_bind_double(s, 4, res->objective);
    if (res->reason)
        sqlite3_bind_text(s, 5, res->reason, -1, SQLITE_STATIC);
    if (res->result)
        sqlite3_bind_text(s, 6, res->result, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, seq);
    sqlite3_bind_double(s, 8, a->now);
    if (res->logs_bytes >= 0)
        sqlite3_bind_int64(s, 9, res->logs_bytes);
    sqlite3_bind_int(s, 10, res->logs_truncated ? 1 : 0);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, "finishing the trial", err, err_len);
    sqlite3_reset(s);
    if (rc == STORE_OK)
        rc = write_result_rows(c, cur->id, res, err, err_len);
    return rc;
}

int sqlite_trial_finish(store *st, int64_t study_id, int64_t trial_id, const store_result *res,
                       double now, char *err, size_t err_len)
{
    finish_args a = {res, now};
    return trial_change_run(st, study_id, trial_id, finish_act, &a, err, err_len);
}

static int heartbeat_act(sqlite_conn *c, const store_trial *cur, void *ctx, char *err,
                         size_t err_len)
{
    if (cur->state != TRIAL_ACTIVE)
        return STORE_CONFLICT;
    int64_t seq = sqlite_next_seq(c, cur->study_id, err, err_len);
    sqlite3_stmt *s = seq > 0 ? sqlite_conn_stmt(c, STMT_TRIAL_HEARTBEAT, err, err_len) : NULL;
    if (!s)
        return STORE_ERROR;
    int rc = STORE_OK;
    sqlite3_bind_int64(s, 1, cur->id);
    sqlite3_bind_int64(s, 2, cur->study_id);
    sqlite3_bind_double(s, 3, *(const double *)ctx);
    sqlite3_bind_int64(s, 4, seq);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, "extending the lease", err, err_len);
    sqlite3_reset(s);
    return rc;
}

int sqlite_trial_heartbeat(store *st, int64_t study_id, int64_t trial_id, double lease_until,
                          char *err, size_t err_len)
{
    return trial_change_run(st, study_id, trial_id, heartbeat_act, &lease_until, err, err_len);
}
