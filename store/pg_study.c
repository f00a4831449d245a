/*
 * pg_study.c - studies in the PostgreSQL backend: create, read, list,
 * delete, state, expert knowledge, and trial counts by state.
 */
#include "store/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static int study_from_row(const PGresult *r, int row, store_study *out)
{
    memset(out, 0, sizeof *out);
    out->id = pg_i64(r, row, 0);
    out->name = pg_strdup(r, row, 1);
    out->spec = pg_strdup(r, row, 2);
    out->plugin = pg_strdup(r, row, 3);
    out->knowledge = pg_strdup(r, row, 4);
    out->state = pg_strdup(r, row, 5);
    out->created_at = pg_double(r, row, 6);
    out->seq = pg_i64(r, row, 7);
    out->next_number = pg_i64(r, row, 8);
    if (!out->name || !out->spec || !out->state ||
        (!out->plugin && !pg_null(r, row, 3)) || (!out->knowledge && !pg_null(r, row, 4))) {
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

static int study_create_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_create_args *a = ctx;
    pg_params p = {0};
    pg_p_text(&p, a->name);
    pg_p_text(&p, a->spec);
    pg_p_text(&p, a->plugin);
    pg_p_text(&p, a->knowledge);
    pg_p_double(&p, a->now);
    PGresult *r = pg_exec(c, PG_STUDY_INSERT, &p, "inserting the study", err, err_len);
    if (!r)
        return STORE_ERROR;
    int inserted = PQntuples(r) == 1;
    if (inserted)
        *a->out_id = pg_i64(r, 0, 0);
    PQclear(r);
    if (inserted)
        return STORE_OK;
    /* the name is taken: which study has it */
    pg_params q = {0};
    pg_p_text(&q, a->name);
    r = pg_exec(c, PG_STUDY_BY_NAME, &q, "looking up the study name", err, err_len);
    if (!r)
        return STORE_ERROR;
    if (PQntuples(r) == 1)
        *a->out_id = pg_i64(r, 0, 0);
    PQclear(r);
    return STORE_CONFLICT;
}

int pg_study_create(store *st, const char *name, const char *spec, const char *plugin,
                    const char *knowledge, double now, int64_t *out_id, char *err,
                    size_t err_len)
{
    study_create_args a = {name, spec, plugin, knowledge, now, out_id};
    return pg_run(pg_of(st), PG_TX_WRITE, study_create_body, &a, err, err_len);
}

typedef struct {
    int64_t id;
    store_study *out;
} study_get_args;

static int study_get_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    study_get_args *a = ctx;
    pg_params p = {0};
    pg_p_int(&p, a->id);
    PGresult *r = pg_exec(c, PG_STUDY_GET, &p, "reading the study", err, err_len);
    if (!r)
        return STORE_ERROR;
    int rc = STORE_NOT_FOUND;
    if (PQntuples(r) == 1)
        rc = study_from_row(r, 0, a->out) == 0 ? STORE_OK : util_err(err, err_len, "out of memory");
    PQclear(r);
    return rc;
}

int pg_study_get(store *st, int64_t id, store_study *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    study_get_args a = {id, out};
    return pg_run(pg_of(st), PG_TX_NONE, study_get_body, &a, err, err_len);
}

typedef struct {
    store_study **out;
    size_t *n;
} study_list_args;

static int study_list_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    study_list_args *a = ctx;
    PGresult *r = pg_exec(c, PG_STUDY_LIST, NULL, "listing studies", err, err_len);
    if (!r)
        return STORE_ERROR;
    int rows = PQntuples(r);
    store_study *items = calloc((size_t)rows + 1, sizeof *items);
    int rc = items ? STORE_OK : util_err(err, err_len, "out of memory");
    size_t n = 0;
    for (int i = 0; rc == STORE_OK && i < rows; i++) {
        if (study_from_row(r, i, &items[n]) != 0)
            rc = util_err(err, err_len, "out of memory");
        else
            n++;
    }
    PQclear(r);
    if (rc != STORE_OK) {
        for (size_t i = 0; i < n; i++)
            store_study_clear(&items[i]);
        free(items);
        return rc;
    }
    *a->out = items;
    *a->n = n;
    return STORE_OK;
}

int pg_study_list(store *st, store_study **out, size_t *n, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    study_list_args a = {out, n};
    return pg_run(pg_of(st), PG_TX_NONE, study_list_body, &a, err, err_len);
}

/* One-statement write keyed by study id, with an optional text argument. */
typedef struct {
    pg_stmt_id id;
    int64_t study_id;
    const char *text, *what;
    int with_text;
} study_update_args;

static int study_update_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_update_args *a = ctx;
    pg_params p = {0};
    pg_p_int(&p, a->study_id);
    if (a->with_text)
        pg_p_text(&p, a->text);
    PGresult *r = pg_exec(c, a->id, &p, a->what, err, err_len);
    if (!r)
        return STORE_ERROR;
    int changed = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return changed ? STORE_OK : STORE_NOT_FOUND;
}

static int study_update(store *st, pg_stmt_id id, int64_t study_id, const char *text,
                        int with_text, const char *what, char *err, size_t err_len)
{
    study_update_args a = {id, study_id, text, what, with_text};
    /* a transaction, so a dead connection is only retried before COMMIT */
    return pg_run(pg_of(st), PG_TX_WRITE, study_update_body, &a, err, err_len);
}

int pg_study_delete(store *st, int64_t id, char *err, size_t err_len)
{
    return study_update(st, PG_STUDY_DELETE, id, NULL, 0, "deleting the study", err, err_len);
}

int pg_study_set_state(store *st, int64_t id, const char *state, char *err, size_t err_len)
{
    return study_update(st, PG_STUDY_SET_STATE, id, state, 1, "setting the study state", err,
                        err_len);
}

int pg_study_set_knowledge(store *st, int64_t id, const char *knowledge, char *err,
                           size_t err_len)
{
    return study_update(st, PG_STUDY_SET_KNOWLEDGE, id, knowledge, 1, "setting the knowledge",
                        err, err_len);
}

typedef struct {
    int all;
    int64_t study_id;
    int64_t *counts;
} counts_args;

static int counts_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    counts_args *a = ctx;
    memset(a->counts, 0, sizeof(int64_t) * TRIAL_N_STATES);
    pg_params p = {0};
    if (!a->all)
        pg_p_int(&p, a->study_id);
    PGresult *r = pg_exec(c, a->all ? PG_COUNTS_ALL : PG_STUDY_COUNTS, &p, "counting trials",
                          err, err_len);
    if (!r)
        return STORE_ERROR;
    for (int i = 0; i < PQntuples(r); i++) {
        trial_state ts;
        if (store_state_parse(PQgetvalue(r, i, 0), &ts) == 0)
            a->counts[ts] = pg_i64(r, i, 1);
    }
    PQclear(r);
    return STORE_OK;
}

int pg_study_counts(store *st, int64_t id, int64_t counts[TRIAL_N_STATES], char *err,
                    size_t err_len)
{
    counts_args a = {0, id, counts};
    return pg_run(pg_of(st), PG_TX_NONE, counts_body, &a, err, err_len);
}

int pg_counts_all(store *st, int64_t counts[TRIAL_N_STATES], char *err, size_t err_len)
{
    counts_args a = {1, 0, counts};
    return pg_run(pg_of(st), PG_TX_NONE, counts_body, &a, err, err_len);
}

typedef struct {
    int64_t id;
    const char *name, *spec, *state;
} study_patch_args;

static int study_patch_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const study_patch_args *a = ctx;
    pg_params p = {0};
    pg_p_int(&p, a->id);
    pg_p_text(&p, a->name);
    pg_p_text(&p, a->spec);
    pg_p_text(&p, a->state);
    PGresult *r = pg_exec(c, PG_STUDY_UPDATE, &p, "updating the study", err, err_len);
    if (!r) /* unique_violation: the name is another study's */
        return strcmp(c->sqlstate, "23505") == 0 ? STORE_CONFLICT : STORE_ERROR;
    int changed = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return changed ? STORE_OK : STORE_NOT_FOUND;
}

int pg_study_update(store *st, int64_t id, const char *name, const char *spec,
                    const char *state, char *err, size_t err_len)
{
    study_patch_args a = {id, name, spec, state};
    return pg_run(pg_of(st), PG_TX_WRITE, study_patch_body, &a, err, err_len);
}
