/*
 * sqlite_migrate.c - the SQLite schema and its migrations: brings a file
 * from whatever version it has to STORE_SCHEMA_VERSION in one transaction,
 * and refuses a file newer than this build understands.
 */
#include "store/sqlite_internal.h"

#include <stdio.h>

#include "util/util.h"

/* Migrations, applied in order; migration i brings the schema to version i+1.
 * Never edit a released one: append a new one. */
static const char *const migrations[] = {
    /* 1: initial schema */
    "CREATE TABLE studies("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL UNIQUE,"
    "  spec TEXT NOT NULL,"
    "  plugin TEXT,"
    "  knowledge TEXT,"
    "  state TEXT NOT NULL DEFAULT 'active',"
    "  created_at REAL NOT NULL,"
    "  seq INTEGER NOT NULL DEFAULT 0,"
    "  next_number INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE trials("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN "
    "    ('active','completed','failed','infeasible','expired')),"
    "  worker TEXT,"
    "  params TEXT NOT NULL,"
    "  config BLOB NOT NULL,"
    "  objective REAL,"
    "  reason TEXT,"
    "  result TEXT,"
    "  seq INTEGER NOT NULL,"
    "  created_at REAL NOT NULL,"
    "  finished_at REAL,"
    "  lease_expires_at REAL,"
    "  is_default INTEGER NOT NULL DEFAULT 0,"
    "  logs_bytes INTEGER,"
    "  logs_truncated INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX trials_study_seq ON trials(study_id, seq);"
    "CREATE INDEX trials_study_state ON trials(study_id, state, worker);"
    "CREATE TABLE trial_metrics("
    "  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value REAL NOT NULL,"
    "  PRIMARY KEY(trial_id, name)) WITHOUT ROWID;"
    "CREATE TABLE trial_logs("
    "  trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,"
    "  text TEXT NOT NULL);",
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

int sqlite_migrate(sqlite_store *sq, sqlite_conn *c, char *err, size_t err_len)
{
    if (sqlite_conn_exec_sql(c->db,
                  "CREATE TABLE IF NOT EXISTS schema_migrations("
                  "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)",
                  err, err_len) != 0)
        return -1;
    pthread_mutex_lock(&sq->write_mu);
    int ok = sqlite_conn_exec_sql(c->db, "BEGIN IMMEDIATE", err, err_len) == 0;
    int version = 0;
    if (ok) {
        sqlite3_stmt *s = NULL;
        ok = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
                                -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW;
        if (ok)
            version = sqlite3_column_int(s, 0);
        else
            sqlite_store_err(c, "reading the schema version", err, err_len);
        sqlite3_finalize(s);
    }
    if (ok && version > (int)N_MIGRATIONS) {
        util_err(err, err_len,
                 "%s has schema version %d, newer than this bograph understands (%d)", sq->path,
                 version, (int)N_MIGRATIONS);
        ok = 0;
    }
    for (int v = version; ok && v < (int)N_MIGRATIONS; v++) {
        ok = sqlite_conn_exec_sql(c->db, migrations[v], err, err_len) == 0;
        if (ok) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO schema_migrations(version, applied_at) VALUES(%d, %.3f)", v + 1,
                     util_now());
            ok = sqlite_conn_exec_sql(c->db, sql, err, err_len) == 0;
        }
    }
    if (ok)
        ok = sqlite_conn_exec_sql(c->db, "COMMIT", err, err_len) == 0;
    if (!ok)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&sq->write_mu);
    if (ok)
        sq->schema_version = (int)N_MIGRATIONS;
    return ok ? 0 : -1;
}
