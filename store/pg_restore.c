/*
 * pg_restore.c - writing a study and its trials exactly as another database
 * had them (bograph migrate): ids, numbers, seq, states, times, metrics and
 * logs, in one transaction; the id sequences then move past the copied ids.
 */
#include "store/pg_internal.h"

#include <string.h>

#include "util/util.h"

static int restore_trial(pg_conn *c, const store_trial *t, char *err, size_t err_len)
{
    pg_params p = {0};
    pg_p_int(&p, t->id);
    pg_p_int(&p, t->study_id);
    pg_p_int(&p, t->number);
    pg_p_text(&p, store_state_name(t->state));
    pg_p_text(&p, t->worker);
    pg_p_text(&p, t->params ? t->params : "{}");
    pg_p_bytes(&p, t->config, t->n_config * sizeof(double));
    if (t->has_objective)
        pg_p_double(&p, t->objective);
    else
        pg_p_null(&p);
    pg_p_text(&p, t->reason);
    pg_p_text(&p, t->result);
    pg_p_int(&p, t->seq);
    pg_p_double(&p, t->created_at);
    if (t->finished_at == t->finished_at) /* not NAN */
        pg_p_double(&p, t->finished_at);
    else
        pg_p_null(&p);
    if (t->lease_expires_at == t->lease_expires_at)
        pg_p_double(&p, t->lease_expires_at);
    else
        pg_p_null(&p);
    pg_p_int(&p, t->is_default ? 1 : 0);
    if (t->logs_bytes >= 0)
        pg_p_int(&p, t->logs_bytes);
    else
        pg_p_null(&p);
    pg_p_int(&p, t->logs_truncated ? 1 : 0);
    pg_p_text(&p, t->model);
    pg_p_text(&p, t->model_reason);
    pg_p_text(&p, t->explanation);
    pg_p_text(&p, t->key);
    PGresult *r = pg_exec_params(
        c,
        "INSERT INTO trials(id, study_id, number, state, worker, params, config, objective, "
        "reason, result, seq, created_at, finished_at, lease_expires_at, is_default, logs_bytes, "
        "logs_truncated, model, model_reason, explanation, import_key) VALUES($1, $2, $3, $4, "
        "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        &p, "copying a trial", err, err_len);
    if (!r)
        return STORE_ERROR;
    PQclear(r);
    for (size_t i = 0; i < t->n_metrics; i++) {
        pg_params m = {0};
        pg_p_int(&m, t->id);
        pg_p_text(&m, t->metric_names[i]);
        pg_p_double(&m, t->metric_values[i]);
        r = pg_exec(c, PG_METRIC_INSERT, &m, "copying a metric", err, err_len);
        if (!r)
            return STORE_ERROR;
        PQclear(r);
    }
    if (t->logs) {
        pg_params l = {0};
        pg_p_int(&l, t->id);
        pg_p_bytes(&l, t->logs, strlen(t->logs));
        r = pg_exec(c, PG_LOGS_INSERT, &l, "copying logs", err, err_len);
        if (!r)
            return STORE_ERROR;
        PQclear(r);
    }
    return STORE_OK;
}

typedef struct {
    const store_study *s;
    const store_trials *trials;
} restore_args;

static int restore_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    const restore_args *a = ctx;
    const store_study *s = a->s;
    pg_params p = {0};
    pg_p_int(&p, s->id);
    pg_p_text(&p, s->name);
    pg_p_text(&p, s->spec);
    pg_p_text(&p, s->plugin);
    pg_p_text(&p, s->knowledge);
    pg_p_text(&p, s->state ? s->state : "active");
    pg_p_double(&p, s->created_at);
    pg_p_int(&p, s->seq);
    pg_p_int(&p, s->next_number);
    PGresult *r = pg_exec_params(
        c,
        "INSERT INTO studies(id, name, spec, plugin, knowledge, state, created_at, seq, "
        "next_number) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        &p, "copying the study", err, err_len);
    if (!r)
        return STORE_ERROR;
    int inserted = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (!inserted) {
        util_err(err, err_len, "study %lld (\"%s\") is already there", (long long)s->id, s->name);
        return STORE_CONFLICT;
    }
    for (size_t i = 0; i < a->trials->count; i++)
        if (restore_trial(c, &a->trials->items[i], err, err_len) != STORE_OK)
            return STORE_ERROR;
    return pg_exec_sql(c,
                       "SELECT setval('studies_id_seq', (SELECT max(id) FROM studies));"
                       "SELECT setval('trials_id_seq', greatest((SELECT max(id) FROM trials), 1));",
                       err, err_len) == 0
               ? STORE_OK
               : STORE_ERROR;
}

int pg_study_restore(store *st, const store_study *s, const store_trials *trials, char *err,
                     size_t err_len)
{
    restore_args a = {s, trials};
    return pg_run(pg_of(st), PG_TX_WRITE, restore_body, &a, err, err_len);
}
