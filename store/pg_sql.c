/*
 * pg_sql.c - the SQL text of the PostgreSQL backend's prepared statements:
 * the same queries as the SQLite backend's, in PostgreSQL's dialect ($n
 * parameters, bytea configurations, ON CONFLICT, = ANY over an array).
 */
#include "store/pg_internal.h"

#define TRIAL_COLS \
    "id, study_id, number, state, worker, params, config, objective, reason, result, seq, " \
    "created_at, finished_at, lease_expires_at, is_default, logs_bytes, logs_truncated, model, " \
    "model_reason, explanation, import_key"
#define TRIAL_COLS_T \
    "t.id, t.study_id, t.number, t.state, t.worker, t.params, t.config, t.objective, " \
    "t.reason, t.result, t.seq, t.created_at, t.finished_at, t.lease_expires_at, " \
    "t.is_default, t.logs_bytes, t.logs_truncated, t.model, t.model_reason, t.explanation, " \
    "t.import_key"
/* trials with their metrics in one statement (one row per metric) */
#define WITH_METRICS " LEFT JOIN trial_metrics m ON m.trial_id = t.id"
#define STUDY_COLS "id, name, spec, plugin, knowledge, state, created_at, seq, next_number"

const char *const pg_stmt_sql[PG_STMT_COUNT] = {
    [PG_STUDY_INSERT] =
        "INSERT INTO studies(name, spec, plugin, knowledge, state, created_at) "
        "VALUES($1, $2, $3, $4, 'active', $5) ON CONFLICT (name) DO NOTHING RETURNING id",
    [PG_STUDY_BY_NAME] = "SELECT id FROM studies WHERE name = $1",
    [PG_STUDY_GET] = "SELECT " STUDY_COLS " FROM studies WHERE id = $1",
    [PG_STUDY_LIST] = "SELECT " STUDY_COLS " FROM studies ORDER BY id",
    [PG_STUDY_DELETE] = "DELETE FROM studies WHERE id = $1",
    [PG_STUDY_SET_STATE] = "UPDATE studies SET state = $2 WHERE id = $1",
    [PG_STUDY_SET_KNOWLEDGE] = "UPDATE studies SET knowledge = $2 WHERE id = $1",
    [PG_STUDY_UPDATE] =
        "UPDATE studies SET name = $2, spec = $3, state = coalesce($4, state) WHERE id = $1",
    [PG_STUDY_COUNTS] = "SELECT state, count(*) FROM trials WHERE study_id = $1 GROUP BY state",
    [PG_COUNTS_ALL] = "SELECT state, count(*) FROM trials GROUP BY state",
    [PG_STUDY_LOCK_ROW] = "SELECT seq FROM studies WHERE id = $1 FOR UPDATE",
    [PG_STUDY_BUMP_SEQ] = "UPDATE studies SET seq = seq + 1 WHERE id = $1 RETURNING seq",
    [PG_STUDY_TAKE_NUMBERS] =
        "UPDATE studies SET next_number = next_number + $2 WHERE id = $1 "
        "RETURNING next_number - $2",
    [PG_EXPIRED_ANY] =
        "SELECT 1 FROM trials WHERE study_id = $1 AND state = 'active' "
        "AND lease_expires_at < $2 LIMIT 1",
    [PG_EXPIRED_IDS] =
        "SELECT id FROM trials WHERE study_id = $1 AND state = 'active' "
        "AND lease_expires_at < $2 ORDER BY id",
    [PG_TRIAL_SET_EXPIRED] =
        "UPDATE trials SET state = 'expired', seq = $2 WHERE id = $1 AND state = 'active'",
    [PG_TRIALS_ALL] = "SELECT " TRIAL_COLS " FROM trials WHERE study_id = $1 ORDER BY id",
    [PG_TRIALS_ENGINE] =
        "SELECT id, state, config, objective, is_default, seq FROM trials "
        "WHERE study_id = $1 AND seq > $2 ORDER BY id",
    [PG_TRIALS_ALL_METRICS] =
        "SELECT " TRIAL_COLS_T ", m.name, m.value FROM trials t" WITH_METRICS
        " WHERE t.study_id = $1 ORDER BY t.id, m.name",
    [PG_TRIALS_OF_WORKER] =
        "SELECT " TRIAL_COLS_T ", m.name, m.value FROM trials t" WITH_METRICS
        " WHERE t.study_id = $1 AND t.state = 'active' AND t.worker = $2 ORDER BY t.id, m.name",
    [PG_TRIALS_PAGE] =
        "WITH t AS (SELECT " TRIAL_COLS " FROM trials WHERE study_id = $1 AND seq > $2 "
        "ORDER BY seq LIMIT $3) SELECT " TRIAL_COLS_T ", m.name, m.value FROM t" WITH_METRICS
        " ORDER BY t.seq, m.name",
    [PG_TRIALS_PAGE_STATE] =
        "WITH t AS (SELECT " TRIAL_COLS " FROM trials WHERE study_id = $1 AND seq > $2 "
        "AND state = $4 ORDER BY seq LIMIT $3) SELECT " TRIAL_COLS_T ", m.name, m.value FROM t"
        WITH_METRICS " ORDER BY t.seq, m.name",
    [PG_TRIAL_GET] = "SELECT " TRIAL_COLS " FROM trials WHERE id = $2 AND study_id = $1",
    [PG_TRIAL_GET_METRICS] =
        "SELECT " TRIAL_COLS_T ", m.name, m.value FROM trials t" WITH_METRICS
        " WHERE t.id = $2 AND t.study_id = $1 ORDER BY m.name",
    [PG_METRICS_FOR_IDS] =
        "SELECT trial_id, name, value FROM trial_metrics "
        "WHERE trial_id = ANY($1::bigint[]) ORDER BY trial_id, name",
    [PG_TRIAL_LOGS] = "SELECT text FROM trial_logs WHERE trial_id = $1",
    [PG_TRIAL_INSERT] =
        "INSERT INTO trials(study_id, number, state, worker, params, config, objective, reason, "
        "result, seq, created_at, finished_at, lease_expires_at, is_default, logs_bytes, "
        "logs_truncated, model, model_reason, explanation, import_key, id) VALUES($1, $2, $3, $4, "
        "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
        "coalesce($21, nextval('trials_id_seq'))) RETURNING id",
    [PG_TRIAL_FINISH] =
        "UPDATE trials SET state = $3, objective = $4, reason = $5, result = $6, seq = $7, "
        "finished_at = $8, lease_expires_at = CASE WHEN state = 'expired' THEN lease_expires_at END, "
        "logs_bytes = $9, logs_truncated = $10 WHERE id = $1 AND study_id = $2",
    [PG_TRIAL_HEARTBEAT] =
        "UPDATE trials SET lease_expires_at = $3, seq = $4 WHERE id = $1 AND study_id = $2",
    [PG_METRIC_INSERT] =
        "INSERT INTO trial_metrics(trial_id, name, value) VALUES($1, $2, $3) "
        "ON CONFLICT (trial_id, name) DO UPDATE SET value = excluded.value",
    [PG_LOGS_INSERT] =
        "INSERT INTO trial_logs(trial_id, text) VALUES($1, $2) "
        "ON CONFLICT (trial_id) DO UPDATE SET text = excluded.text",
    [PG_TRIAL_BY_KEY] = "SELECT id FROM trials WHERE study_id = $1 AND import_key = $2",
    [PG_ADVISORY_LOCK] = "SELECT pg_advisory_lock($1::int, $2::int)",
    [PG_ADVISORY_UNLOCK] = "SELECT pg_advisory_unlock($1::int, $2::int)",
};
