/*
 * sqlite_study.c - studies in the SQLite backend: create, read, list, delete, state,
 * expert knowledge, and trial counts by state.
 */
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static int study_from_row(sqlite3_stmt *s, store_study *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    out->name = sqlite_col_strdup(s, 1);
    out->spec = sqlite_col_strdup(s, 2);
    out->plugin = sqlite_col_strdup(s, 3);
    out->knowledge = sqlite_col_strdup(s, 4);
    out->state = sqlite_col_strdup(s, 5);
    out->created_at = sqlite3_column_double(s, 6);
    out->seq = sqlite3_column_int64(s, 7);
    out->next_number = sqlite3_column_int64(s, 8);
    if (!out->name || !out->spec || !out->state) {
        store_study_clear(out);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *name, *spec, *plugin, *knowledge;
    double now;
    int64_t *out_id;
} study_create_args;

static int study_create_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_create_args *a = ctx;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_BY_NAME, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *a->out_id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return STORE_CONFLICT;
    }
    sqlite3_reset(s);
    if (step != SQLITE_DONE)
        return sqlite_store_err(c, "looking up the study name", err, err_len);
    s = sqlite_conn_stmt(c, STMT_STUDY_INSERT, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a->spec, -1, SQLITE_STATIC);
    if (a->plugin)
        sqlite3_bind_text(s, 3, a->plugin, -1, SQLITE_STATIC);
    if (a->knowledge)
        sqlite3_bind_text(s, 4, a->knowledge, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 5, a->now);
    int rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, "inserting the study", err, err_len);
    sqlite3_reset(s);
    if (rc == STORE_OK)
        *a->out_id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

int sqlite_study_create(store *st, const char *name, const char *spec, const char *plugin,
                       const char *knowledge, double now, int64_t *out_id, char *err,
                       size_t err_len)
{
    study_create_args a = {name, spec, plugin, knowledge, now, out_id};
    return sqlite_write(st, study_create_body, &a, err, err_len);
}

int sqlite_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = STORE_ERROR;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_GET, err, err_len);
    if (s) {
        sqlite3_bind_int64(s, 1, id);
        int step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            rc = study_from_row(s, out) == 0 ? STORE_OK : util_err(err, err_len, "out of memory");
        } else if (step == SQLITE_DONE) {
            rc = STORE_NOT_FOUND;
        } else {
            rc = sqlite_store_err(c, "reading the study", err, err_len);
        }
        sqlite3_reset(s);
    }
    sqlite_conn_put(st, c);
    return rc;
}

int sqlite_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = STORE_ERROR;
    size_t cap = 0;
    store_study *items = NULL;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_LIST, err, err_len);
    if (s) {
        int step;
        rc = STORE_OK;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            if (*n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                store_study *grown = realloc(items, ncap * sizeof *grown);
                if (!grown) {
                    rc = util_err(err, err_len, "out of memory");
                    break;
                }
                items = grown;
                cap = ncap;
            }
            if (study_from_row(s, &items[*n]) != 0) {
                rc = util_err(err, err_len, "out of memory");
                break;
            }
            (*n)++;
        }
        if (rc == STORE_OK && step != SQLITE_DONE)
            rc = sqlite_store_err(c, "listing studies", err, err_len);
        sqlite3_reset(s);
    }
    sqlite_conn_put(st, c);
    if (rc != STORE_OK) {
        for (size_t i = 0; i < *n; i++)
            store_study_clear(&items[i]);
        free(items);
        *n = 0;
        return rc;
    }
    *out = items;
    return STORE_OK;
}

/* One-statement write keyed by study id, with an optional text argument. */
typedef struct {
    sqlite_stmt_id id;
    int64_t study_id;
    const char *text, *what;
} study_update_args;

static int study_update_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_update_args *a = ctx;
    sqlite3_stmt *s = sqlite_conn_stmt(c, a->id, err, err_len);
    if (!s)
        return STORE_ERROR;
    int rc = STORE_OK;
    sqlite3_bind_int64(s, 1, a->study_id);
    if (a->text)
        sqlite3_bind_text(s, 2, a->text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sqlite_store_err(c, a->what, err, err_len);
    else if (sqlite3_changes(c->db) == 0)
        rc = STORE_NOT_FOUND;
    sqlite3_reset(s);
    return rc;
}

static int study_update(store *st, sqlite_stmt_id id, int64_t study_id, const char *text,
                        const char *what, char *err, size_t err_len)
{
    study_update_args a = {id, study_id, text, what};
    return sqlite_write(st, study_update_body, &a, err, err_len);
}

int sqlite_study_delete(store *st, int64_t id, char *err, size_t err_len)
{
    return study_update(st, STMT_STUDY_DELETE, id, NULL, "deleting the study", err, err_len);
}

int sqlite_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len)
{
    return study_update(st, STMT_STUDY_SET_STATE, id, state, "setting the study state", err,
                        err_len);
}

int sqlite_study_set_knowledge(store *st, int64_t id, const char *knowledge, char *err,
                              size_t err_len)
{
    return study_update(st, STMT_STUDY_SET_KNOWLEDGE, id, knowledge, "setting the knowledge",
                        err, err_len);
}

typedef struct {
    int64_t id;
    const char *name, *spec, *state;
} study_patch_args;

static int study_patch_body(sqlite_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_patch_args *a = ctx;
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_UPDATE, err, err_len);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, a->id);
    sqlite3_bind_text(s, 2, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->spec, -1, SQLITE_STATIC);
    if (a->state)
        sqlite3_bind_text(s, 4, a->state, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    int rc = STORE_OK;
    if ((step & 0xff) == SQLITE_CONSTRAINT)
        rc = STORE_CONFLICT;    /* the name is another study's */
    else if (step != SQLITE_DONE)
        rc = sqlite_store_err(c, "updating the study", err, err_len);
    else if (sqlite3_changes(c->db) == 0)
        rc = STORE_NOT_FOUND;
    sqlite3_reset(s);
    return rc;
}

int sqlite_study_update(store *st, int64_t id, const char *name, const char *spec,
                        const char *state, char *err, size_t err_len)
{
    study_patch_args a = {id, name, spec, state};
    return sqlite_write(st, study_patch_body, &a, err, err_len);
}

static int counts_query(store *st, sqlite_stmt_id id, int64_t study_id,
                        int64_t counts[TRIAL_N_STATES], char *err, size_t err_len)
{
    memset(counts, 0, sizeof(int64_t) * TRIAL_N_STATES);
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = STORE_ERROR;
    sqlite3_stmt *s = sqlite_conn_stmt(c, id, err, err_len);
    if (s) {
        if (id == STMT_STUDY_COUNTS)
            sqlite3_bind_int64(s, 1, study_id);
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            trial_state ts;
            const char *name = (const char *)sqlite3_column_text(s, 0);
            if (name && store_state_parse(name, &ts) == 0)
                counts[ts] = sqlite3_column_int64(s, 1);
        }
        rc = step == SQLITE_DONE ? STORE_OK : sqlite_store_err(c, "counting trials", err, err_len);
        sqlite3_reset(s);
    }
    sqlite_conn_put(st, c);
    return rc;
}

int sqlite_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                       size_t err_len)
{
    return counts_query(st, STMT_STUDY_COUNTS, id, counts, err, err_len);
}

int sqlite_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len)
{
    return counts_query(st, STMT_COUNTS_ALL, 0, counts, err, err_len);
}
