/*
 * pg_migrate.c - the PostgreSQL schema and its migrations: the same tables
 * and schema versions as the SQLite backend (sqlite_migrate.c), in
 * PostgreSQL's types (bigserial ids, double precision times, bytea
 * configurations and logs). Applied under an advisory lock, so replicas that
 * start together migrate once: the first applies, the others wait and find
 * the schema current. A database newer than this build is refused.
 */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"

/* Migration i brings the schema to version i+1. Never edit a released one. */
static const char *const migrations[] = {
    /* 1: initial schema */
    "CREATE TABLE studies("
    "  id BIGSERIAL PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  spec TEXT NOT NULL,"
    "  plugin TEXT,"
    "  knowledge TEXT,"
    "  state TEXT NOT NULL DEFAULT 'active',"
    "  created_at DOUBLE PRECISION NOT NULL,"
    "  seq BIGINT NOT NULL DEFAULT 0,"
    "  next_number BIGINT NOT NULL DEFAULT 1);"
    "CREATE TABLE trials("
    "  id BIGSERIAL PRIMARY KEY,"
    "  study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number BIGINT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN "
    "    ('active','completed','failed','infeasible','expired')),"
    "  worker TEXT,"
    "  params TEXT NOT NULL,"
    "  config BYTEA NOT NULL,"
    "  objective DOUBLE PRECISION,"
    "  reason TEXT,"
    "  result TEXT,"
    "  seq BIGINT NOT NULL,"
    "  created_at DOUBLE PRECISION NOT NULL,"
    "  finished_at DOUBLE PRECISION,"
    "  lease_expires_at DOUBLE PRECISION,"
    "  is_default INTEGER NOT NULL DEFAULT 0,"
    "  logs_bytes BIGINT,"
    "  logs_truncated INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX trials_study_seq ON trials(study_id, seq);"
    "CREATE INDEX trials_study_state ON trials(study_id, state, worker);"
    "CREATE TABLE trial_metrics("
    "  trial_id BIGINT NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY(trial_id, name));"
    "CREATE TABLE trial_logs("
    "  trial_id BIGINT PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,"
    "  text BYTEA NOT NULL);",
    /* 2: which model proposed each trial (NULL for imported ones) */
    "ALTER TABLE trials ADD COLUMN model TEXT;"
    "ALTER TABLE trials ADD COLUMN model_reason TEXT;",
    /* 3: what the model expected of each trial; idempotency keys of imports */
    "ALTER TABLE trials ADD COLUMN explanation TEXT;"
    "ALTER TABLE trials ADD COLUMN import_key TEXT;"
    "CREATE UNIQUE INDEX trials_study_key ON trials(study_id, import_key) "
    "WHERE import_key IS NOT NULL;",
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

/* The migrations from the current version, in one transaction. */
static int migrate_locked(pg_store *pg, pg_conn *c, char *err, size_t err_len)
{
    if (pg_exec_sql(c,
                    "CREATE TABLE IF NOT EXISTS schema_migrations("
                    "version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                    err, err_len) != 0 ||
        pg_exec_sql(c, "BEGIN", err, err_len) != 0)
        return -1;
    PGresult *r = PQexec(c->db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    int version = ok ? (int)pg_i64(r, 0, 0) : 0;
    if (!ok)
        util_err(err, err_len, "reading the schema version: %s", PQerrorMessage(c->db));
    PQclear(r);
    if (ok && version > (int)N_MIGRATIONS) {
        util_err(err, err_len,
                 "the database has schema version %d, newer than this bograph understands (%d)",
                 version, (int)N_MIGRATIONS);
        ok = 0;
    }
    for (int v = version; ok && v < (int)N_MIGRATIONS; v++) {
        ok = pg_exec_sql(c, migrations[v], err, err_len) == 0;
        if (ok) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO schema_migrations(version, applied_at) VALUES(%d, %.3f)", v + 1,
                     util_now());
            ok = pg_exec_sql(c, sql, err, err_len) == 0;
        }
    }
    if (ok)
        ok = pg_exec_sql(c, "COMMIT", err, err_len) == 0;
    else
        pg_exec_sql(c, "ROLLBACK", NULL, 0);
    if (ok)
        pg->schema_version = (int)N_MIGRATIONS;
    return ok ? 0 : -1;
}

int pg_migrate(pg_store *pg, pg_conn *c, char *err, size_t err_len)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%d, 0)", PG_LOCK_CLASS);
    if (pg_exec_sql(c, sql, err, err_len) != 0)
        return -1;
    int rc = migrate_locked(pg, c, err, err_len);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%d, 0)", PG_LOCK_CLASS);
    if (pg_exec_sql(c, sql, rc == 0 ? err : NULL, rc == 0 ? err_len : 0) != 0)
        rc = -1;
    return rc;
}
