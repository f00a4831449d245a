/*
 * sqlite_restore.c - writing a study and its trials exactly as another
 * database had them (bograph migrate) into a SQLite file: ids, numbers,
 * seq, states, times, metrics and logs, in one write transaction.
 */
#include "store/sqlite_internal.h"

#include <math.h>
#include <string.h>

#include "util/util.h"

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void bind_double_or_null(sqlite3_stmt *s, int i, double v)
{
    if (!isnan(v))
        sqlite3_bind_double(s, i, v);
}

/* Prepares sql on the connection (statements that run once per study). */
static sqlite3_stmt *prepare(sqlite_conn *c, const char *sql, char *err, size_t err_len)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite_store_err(c, "prepare", err, err_len);
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

static int restore_trial(sqlite_conn *c, sqlite3_stmt *s, const store_trial *t, char *err,
                         size_t err_len)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, t->id);
    sqlite3_bind_int64(s, 2, t->study_id);
    sqlite3_bind_int64(s, 3, t->number);
    sqlite3_bind_text(s, 4, store_state_name(t->state), -1, SQLITE_STATIC);
    bind_text_or_null(s, 5, t->worker);
    sqlite3_bind_text(s, 6, t->params ? t->params : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, t->config ? (const void *)t->config : (const void *)"",
                      (int)(t->n_config * sizeof(double)), SQLITE_STATIC);
    if (t->has_objective)
        sqlite3_bind_double(s, 8, t->objective);
    bind_text_or_null(s, 9, t->reason);
    bind_text_or_null(s, 10, t->result);
    sqlite3_bind_int64(s, 11, t->seq);
    sqlite3_bind_double(s, 12, t->created_at);
    bind_double_or_null(s, 13, t->finished_at);
    bind_double_or_null(s, 14, t->lease_expires_at);
    sqlite3_bind_int(s, 15, t->is_default ? 1 : 0);
    if (t->logs_bytes >= 0)
        sqlite3_bind_int64(s, 16, t->logs_bytes);
    sqlite3_bind_int(s, 17, t->logs_truncated ? 1 : 0);
    bind_text_or_null(s, 18, t->model);
    bind_text_or_null(s, 19, t->model_reason);
    bind_text_or_null(s, 20, t->explanation);
    bind_text_or_null(s, 21, t->key);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlite_store_err(c, "copying a trial", err, err_len);
    for (size_t i = 0; i < t->n_metrics; i++) {
        sqlite3_stmt *m = sqlite_conn_stmt(c, STMT_METRIC_INSERT, err, err_len);
        if (!m)
            return STORE_ERROR;
        sqlite3_bind_int64(m, 1, t->id);
        sqlite3_bind_text(m, 2, t->metric_names[i], -1, SQLITE_STATIC);
        sqlite3_bind_double(m, 3, t->metric_values[i]);
        int step = sqlite3_step(m);
        sqlite3_reset(m);
        if (step != SQLITE_DONE)
            return sqlite_store_err(c, "copying a metric", err, err_len);
    }
    if (t->logs) {
        sqlite3_stmt *l = sqlite_conn_stmt(c, STMT_LOGS_INSERT, err, err_len);
        if (!l)
            return STORE_ERROR;
        sqlite3_bind_int64(l, 1, t->id);
        sqlite3_bind_text(l, 2, t->logs, -1, SQLITE_STATIC);
        int step = sqlite3_step(l);
        sqlite3_reset(l);
        if (step != SQLITE_DONE)
            return sqlite_store_err(c, "copying logs", err, err_len);
    }
    return STORE_OK;
}

typedef struct {
    const store_study *s;
    const store_trials *trials;
} restore_args;

static int restore_study_row(sqlite_conn *c, const store_study *st, char *err, size_t err_len)
{
    sqlite3_stmt *s = prepare(c,
                              "INSERT OR IGNORE INTO studies(id, name, spec, plugin, knowledge, "
                              "state, created_at, seq, next_number) "
                              "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                              err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, st->id);
    sqlite3_bind_text(s, 2, st->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, st->spec, -1, SQLITE_STATIC);
    bind_text_or_null(s, 4, st->plugin);
    bind_text_or_null(s, 5, st->knowledge);
    sqlite3_bind_text(s, 6, st->state ? st->state : "active", -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 7, st->created_at);
    sqlite3_bind_int64(s, 8, st->seq);
    sqlite3_bind_int64(s, 9, st->next_number);
    int rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, "copying the study", err, err_len);
    else if (sqlite3_changes(c->db) == 0)
        rc = STORE_CONFLICT, util_err(err, err_len, "study %lld (\"%s\") is already there",
                                      (long long)st->id, st->name);
    sqlite3_finalize(s);
    return rc;
}

static int restore_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const restore_args *a = ctx;
    int rc = restore_study_row(c, a->s, err, err_len);
    if (rc != STORE_OK)
        return rc;
    sqlite3_stmt *s = prepare(
        c,
        "INSERT INTO trials(id, study_id, number, state, worker, params, config, objective, "
        "reason, result, seq, created_at, finished_at, lease_expires_at, is_default, logs_bytes, "
        "logs_truncated, model, model_reason, explanation, import_key) VALUES(?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        err, err_len);
    if (!s)
        return STORE_ERROR;
    for (size_t i = 0; rc == STORE_OK && i < a->trials->count; i++)
        rc = restore_trial(c, s, &a->trials->items[i], err, err_len);
    sqlite3_finalize(s);
    return rc;
}

int sqlite_study_restore(store *st, const store_study *s, const store_trials *trials, char *err,
                         size_t err_len)
{
    restore_args a = {s, trials};
    return sqlite_write(st, restore_body, &a, err, err_len);
}
