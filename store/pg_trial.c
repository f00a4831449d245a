/*
 * pg_trial.c - the trial reads of the PostgreSQL backend: rows to trials,
 * trials joined with their metrics in one statement (one round trip for a
 * trial or a page), and the reads the API and the engine need (a read of
 * several statements runs in one snapshot).
 */
#include "store/pg_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The configuration bytes as doubles; 0, or -1 when out of memory. */
static int config_from_cell(const PGresult *r, int row, int col, store_trial *t)
{
    size_t nb = 0;
    unsigned char *raw = pg_bytes(r, row, col, &nb);
    if (nb == (size_t)-1)
        return -1;
    t->n_config = nb / sizeof(double);
    if (t->n_config) {
        t->config = malloc(t->n_config * sizeof(double));
        if (!t->config) {
            free(raw);
            t->n_config = 0;
            return -1;
        }
        memcpy(t->config, raw, t->n_config * sizeof(double));
    }
    free(raw);
    return 0;
}

int pg_trial_from_row(const PGresult *r, int row, store_trial *t)
{
    memset(t, 0, sizeof *t);
    t->id = pg_i64(r, row, 0);
    t->study_id = pg_i64(r, row, 1);
    t->number = pg_i64(r, row, 2);
    if (store_state_parse(PQgetvalue(r, row, 3), &t->state) != 0)
        t->state = TRIAL_FAILED;
    t->worker = pg_strdup(r, row, 4);
    t->params = pg_strdup(r, row, 5);
    int ok = config_from_cell(r, row, 6, t) == 0;
    t->has_objective = !pg_null(r, row, 7);
    t->objective = pg_double(r, row, 7);
    t->reason = pg_strdup(r, row, 8);
    t->result = pg_strdup(r, row, 9);
    t->seq = pg_i64(r, row, 10);
    t->created_at = pg_double(r, row, 11);
    t->finished_at = pg_double(r, row, 12);
    t->lease_expires_at = pg_double(r, row, 13);
    t->is_default = (int)pg_i64(r, row, 14);
    t->logs_bytes = pg_null(r, row, 15) ? -1 : pg_i64(r, row, 15);
    t->logs_truncated = (int)pg_i64(r, row, 16);
    t->model = pg_strdup(r, row, 17);
    t->model_reason = pg_strdup(r, row, 18);
    t->explanation = pg_strdup(r, row, 19);
    t->key = pg_strdup(r, row, 20);
    static const int text_cols[] = {4, 5, 8, 9, 17, 18, 19, 20};
    char *const texts[] = {t->worker, t->params, t->reason, t->result,
                           t->model,  t->model_reason, t->explanation, t->key};
    for (size_t i = 0; i < sizeof text_cols / sizeof text_cols[0]; i++)
        if (!texts[i] && !pg_null(r, row, text_cols[i]))
            ok = 0;
    if (!ok) {
        store_trial_clear(t);
        return -1;
    }
    return 0;
}

/* Appends the metric of row (name in column col, value in col + 1) to t. */
static int metric_push(store_trial *t, size_t *cap, const PGresult *r, int row, int col)
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
    char *name = pg_strdup(r, row, col);
    if (!name)
        return -1;
    t->metric_names[t->n_metrics] = name;
    t->metric_values[t->n_metrics] = pg_double(r, row, col + 1);
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

/* The ids of ts as a PostgreSQL array literal, and an id -> index table sorted by id. */
static char *ids_literal(const store_trials *ts, id_index *map)
{
    size_t cap = ts->count * 21 + 3, o = 0;
    char *ids = malloc(cap);
    if (!ids)
        return NULL;
    ids[o++] = '{';
    for (size_t i = 0; i < ts->count; i++) {
        map[i].id = ts->items[i].id;
        map[i].index = i;
        o += (size_t)snprintf(ids + o, cap - o, i ? ",%lld" : "%lld", (long long)map[i].id);
    }
    ids[o++] = '}';
    ids[o] = '\0';
    qsort(map, ts->count, sizeof *map, id_index_cmp);
    return ids;
}

int pg_load_metrics_many(pg_conn *c, store_trials *ts, char *err, size_t err_len)
{
    if (ts->count == 0)
        return STORE_OK;
    id_index *map = malloc(ts->count * sizeof *map);
    size_t *mcap = calloc(ts->count, sizeof *mcap);
    char *ids = map && mcap ? ids_literal(ts, map) : NULL;
    int rc = ids ? STORE_OK : util_err(err, err_len, "out of memory");
    PGresult *r = NULL;
    if (rc == STORE_OK) {
        pg_params p = {0};
        pg_p_text(&p, ids);
        r = pg_exec(c, PG_METRICS_FOR_IDS, &p, "reading metrics", err, err_len);
        if (!r)
            rc = STORE_ERROR;
    }
    size_t at = 0;
    for (int row = 0; r && rc == STORE_OK && row < PQntuples(r); row++) {
        int64_t id = pg_i64(r, row, 0);
        /* rows come by trial id, so the matching entry moves forward */
        while (at < ts->count && map[at].id < id)
            at++;
        if (at == ts->count || map[at].id != id)
            continue;
        if (metric_push(&ts->items[map[at].index], &mcap[map[at].index], r, row, 1) != 0)
            rc = util_err(err, err_len, "out of memory");
    }
    PQclear(r);
    free(map);
    free(ids);
    free(mcap);
    return rc;
}

/* A read of trials: statement, parameters, metrics wanted, and the output. */
typedef struct {
    pg_stmt_id id;
    pg_params p;
    int with_metrics;
    store_trials *out;
} trials_read;

/* The trials of a result, with their metrics when the statement joined
 * them (one row per metric, a trial's rows together). */
static int trials_from_result(const PGresult *r, int joined, store_trials *out, char *err,
                              size_t err_len)
{
    int rows = PQntuples(r);
    out->items = calloc((size_t)rows + 1, sizeof *out->items);
    if (!out->items)
        return util_err(err, err_len, "out of memory");
    size_t mcap = 0;
    for (int i = 0; i < rows; i++) {
        store_trial *last = out->count ? &out->items[out->count - 1] : NULL;
        if (!joined || !last || last->id != pg_i64(r, i, 0)) {
            if (pg_trial_from_row(r, i, &out->items[out->count]) != 0)
                return util_err(err, err_len, "out of memory");
            last = &out->items[out->count++];
            mcap = 0;
        }
        if (joined && !pg_null(r, i, PG_METRIC_COL) &&
            metric_push(last, &mcap, r, i, PG_METRIC_COL) != 0)
            return util_err(err, err_len, "out of memory");
    }
    return STORE_OK;
}

static int trials_read_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    trials_read *a = ctx;
    store_trials_free(a->out);
    PGresult *r = pg_exec(c, a->id, &a->p, "reading trials", err, err_len);
    if (!r)
        return STORE_ERROR;
    int rc = trials_from_result(r, a->with_metrics, a->out, err, err_len);
    PQclear(r);
    if (rc != STORE_OK)
        store_trials_free(a->out);
    return rc;
}

/* One statement (metrics joined): no transaction needed for one snapshot. */
static int trials_read_run(store *st, trials_read *a, char *err, size_t err_len)
{
    memset(a->out, 0, sizeof *a->out);
    return pg_run(pg_of(st), PG_TX_NONE, trials_read_body, a, err, err_len);
}

int pg_trials_all(store *st, int64_t study_id, int with_metrics, store_trials *out, char *err,
                  size_t err_len)
{
    trials_read a = {.id = with_metrics ? PG_TRIALS_ALL_METRICS : PG_TRIALS_ALL,
                     .with_metrics = with_metrics, .out = out};
    pg_p_int(&a.p, study_id);
    return trials_read_run(st, &a, err, err_len);
}

int pg_trials_of_worker(store *st, int64_t study_id, const char *worker, store_trials *out,
                        char *err, size_t err_len)
{
    trials_read a = {.id = PG_TRIALS_OF_WORKER, .with_metrics = 1, .out = out};
    pg_p_int(&a.p, study_id);
    pg_p_text(&a.p, worker);
    return trials_read_run(st, &a, err, err_len);
}

int pg_trials_page(store *st, int64_t study_id, int state, int64_t after_seq, size_t limit,
                   store_trials *out, char *err, size_t err_len)
{
    trials_read a = {.id = state >= 0 ? PG_TRIALS_PAGE_STATE : PG_TRIALS_PAGE,
                     .with_metrics = 1, .out = out};
    pg_p_int(&a.p, study_id);
    pg_p_int(&a.p, after_seq);
    pg_p_int(&a.p, (int64_t)limit);
    if (state >= 0)
        pg_p_text(&a.p, store_state_name((trial_state)state));
    return trials_read_run(st, &a, err, err_len);
}

typedef struct {
    int64_t study_id, after_seq;
    int with_metrics;
    store_trials *out;
    int64_t *max_seq;
} engine_args;

static int engine_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    engine_args *a = ctx;
    store_trials_free(a->out);
    *a->max_seq = a->after_seq;
    pg_params p = {0};
    pg_p_int(&p, a->study_id);
    pg_p_int(&p, a->after_seq);
    PGresult *r = pg_exec(c, PG_TRIALS_ENGINE, &p, "reading trials", err, err_len);
    if (!r)
        return STORE_ERROR;
    int rows = PQntuples(r);
    int rc = STORE_OK;
    a->out->items = calloc((size_t)rows + 1, sizeof *a->out->items);
    if (!a->out->items)
        rc = util_err(err, err_len, "out of memory");
    for (int i = 0; rc == STORE_OK && i < rows; i++) {
        store_trial *t = &a->out->items[a->out->count++];
        t->id = pg_i64(r, i, 0);
        t->study_id = a->study_id;
        if (store_state_parse(PQgetvalue(r, i, 1), &t->state) != 0)
            t->state = TRIAL_FAILED;
        if (config_from_cell(r, i, 2, t) != 0)
            rc = util_err(err, err_len, "out of memory");
        t->has_objective = !pg_null(r, i, 3);
        t->objective = pg_double(r, i, 3);
        t->is_default = (int)pg_i64(r, i, 4);
        t->seq = pg_i64(r, i, 5);
        if (t->seq > *a->max_seq)
            *a->max_seq = t->seq;
        t->finished_at = t->lease_expires_at = NAN;
        t->logs_bytes = -1;
    }
    PQclear(r);
    if (rc == STORE_OK && a->with_metrics)
        rc = pg_load_metrics_many(c, a->out, err, err_len);
    if (rc != STORE_OK)
        store_trials_free(a->out);
    return rc;
}

int pg_trials_engine(store *st, int64_t study_id, int64_t after_seq, int with_metrics,
                     store_trials *out, int64_t *max_seq, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    engine_args a = {study_id, after_seq, with_metrics, out, max_seq};
    return pg_run(pg_of(st), with_metrics ? PG_TX_READ : PG_TX_NONE, engine_body, &a, err,
                  err_len);
}

typedef struct {
    int64_t study_id, trial_id;
    int with_logs;
    store_trial *out;
} trial_get_args;

static int trial_get_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    trial_get_args *a = ctx;
    store_trial_clear(a->out);
    pg_params p = {0};
    pg_p_int(&p, a->study_id);
    pg_p_int(&p, a->trial_id);
    PGresult *r = pg_exec(c, PG_TRIAL_GET_METRICS, &p, "reading the trial", err, err_len);
    if (!r)
        return STORE_ERROR;
    store_trials one = {0};
    int rc = PQntuples(r) == 0 ? STORE_NOT_FOUND : trials_from_result(r, 1, &one, err, err_len);
    PQclear(r);
    if (rc == STORE_OK) {
        *a->out = one.items[0];
        free(one.items);
    } else {
        store_trials_free(&one);
        return rc;
    }
    if (a->with_logs) {
        pg_params q = {0};
        pg_p_int(&q, a->trial_id);
        r = pg_exec(c, PG_TRIAL_LOGS, &q, "reading logs", err, err_len);
        if (!r) {
            rc = STORE_ERROR;
        } else if (PQntuples(r) == 1) {
            size_t n = 0;
            a->out->logs = (char *)pg_bytes(r, 0, 0, &n);
            if (n == (size_t)-1)
                rc = util_err(err, err_len, "out of memory");
        }
        PQclear(r);
    }
    if (rc != STORE_OK)
        store_trial_clear(a->out);
    return rc;
}

int pg_trial_get(store *st, int64_t study_id, int64_t trial_id, int with_logs,
                 store_trial *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    trial_get_args a = {study_id, trial_id, with_logs, out};
    /* the trial with its metrics is one statement; its logs a second one */
    return pg_run(pg_of(st), with_logs ? PG_TX_READ : PG_TX_NONE, trial_get_body, &a, err,
                  err_len);
}
