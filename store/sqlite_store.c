/*
 * store.c - opening the SQLite file, the schema and its migrations, the
 * connection pool with cached prepared statements, write transactions.
 *
 * Durability choice: WAL with synchronous=NORMAL by default. In WAL mode a
 * commit appends the transaction to the -wal file with write() before the
 * 2xx is sent; the bytes sit in the OS page cache, which survives the death
 * of this process (kill -9, crash), so an acknowledged change is never lost
 * to a process crash. Only a power loss or kernel crash can lose the last
 * commits under NORMAL (the database itself stays consistent). Operators who
 * need that too run `--sync full`: WAL + FULL fsyncs the WAL on every commit.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define TRIAL_COLS \
    "id, study_id, number, state, worker, params, config, objective, reason, result, seq, " \
    "created_at, finished_at, lease_expires_at, is_default, logs_bytes, logs_truncated, model, " \
    "model_reason"
#define STUDY_COLS "id, name, spec, plugin, knowledge, state, created_at, seq, next_number"

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [STMT_BEGIN] = "BEGIN",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_STUDY_INSERT] =
        "INSERT INTO studies(name, spec, plugin, knowledge, state, created_at) "
        "VALUES(?1, ?2, ?3, ?4, 'active', ?5)",
    [STMT_STUDY_BY_NAME] = "SELECT id FROM studies WHERE name = ?1",
    [STMT_STUDY_GET] = "SELECT " STUDY_COLS " FROM studies WHERE id = ?1",
    [STMT_STUDY_LIST] = "SELECT " STUDY_COLS " FROM studies ORDER BY id",
    [STMT_STUDY_DELETE] = "DELETE FROM studies WHERE id = ?1",
    [STMT_STUDY_SET_STATE] = "UPDATE studies SET state = ?2 WHERE id = ?1",
    [STMT_STUDY_SET_KNOWLEDGE] = "UPDATE studies SET knowledge = ?2 WHERE id = ?1",
    [STMT_STUDY_COUNTS] = "SELECT state, count(*) FROM trials WHERE study_id = ?1 GROUP BY state",
    [STMT_COUNTS_ALL] = "SELECT state, count(*) FROM trials GROUP BY state",
    [STMT_STUDY_BUMP_SEQ] = "UPDATE studies SET seq = seq + 1 WHERE id = ?1 RETURNING seq",
    [STMT_STUDY_TAKE_NUMBERS] =
        "UPDATE studies SET next_number = next_number + ?2 WHERE id = ?1 "
        "RETURNING next_number - ?2",
    [STMT_EXPIRED_ANY] =
        "SELECT 1 FROM trials WHERE study_id = ?1 AND state = 'active' "
        "AND lease_expires_at < ?2 LIMIT 1",
    [STMT_EXPIRED_IDS] =
        "SELECT id FROM trials WHERE study_id = ?1 AND state = 'active' "
        "AND lease_expires_at < ?2 ORDER BY id",
    [STMT_TRIAL_SET_EXPIRED] =
        "UPDATE trials SET state = 'expired', seq = ?2 WHERE id = ?1 AND state = 'active'",
    [STMT_TRIALS_ALL] = "SELECT " TRIAL_COLS " FROM trials WHERE study_id = ?1 ORDER BY id",
    [STMT_TRIALS_ENGINE] =
        "SELECT id, state, config, objective, is_default, seq FROM trials "
        "WHERE study_id = ?1 AND seq > ?2 ORDER BY id",
    [STMT_TRIALS_OF_WORKER] =
        "SELECT " TRIAL_COLS " FROM trials WHERE study_id = ?1 AND state = 'active' "
        "AND worker = ?2 ORDER BY id",
    [STMT_TRIALS_PAGE] =
        "SELECT " TRIAL_COLS " FROM trials WHERE study_id = ?1 AND seq > ?2 "
        "ORDER BY seq LIMIT ?3",
    [STMT_TRIALS_PAGE_STATE] =
        "SELECT " TRIAL_COLS " FROM trials WHERE study_id = ?1 AND seq > ?2 AND state = ?4 "
        "ORDER BY seq LIMIT ?3",
    [STMT_TRIAL_GET] = "SELECT " TRIAL_COLS " FROM trials WHERE id = ?2 AND study_id = ?1",
    [STMT_TRIAL_METRICS] = "SELECT name, value FROM trial_metrics WHERE trial_id = ?1 ORDER BY name",
    [STMT_METRICS_FOR_IDS] =
        "SELECT trial_id, name, value FROM trial_metrics "
        "WHERE trial_id IN (SELECT value FROM json_each(?1)) ORDER BY trial_id, name",
    [STMT_TRIAL_LOGS] = "SELECT text FROM trial_logs WHERE trial_id = ?1",
    [STMT_TRIAL_INSERT] =
        "INSERT INTO trials(study_id, number, state, worker, params, config, objective, reason, "
        "result, seq, created_at, finished_at, lease_expires_at, is_default, logs_bytes, "
        "logs_truncated, model, model_reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    [STMT_TRIAL_FINISH] =
        "UPDATE trials SET state = ?3, objective = ?4, reason = ?5, result = ?6, seq = ?7, "
        "finished_at = ?8, lease_expires_at = NULL, logs_bytes = ?9, logs_truncated = ?10 "
        "WHERE id = ?1 AND study_id = ?2",
    [STMT_TRIAL_HEARTBEAT] =
        "UPDATE trials SET lease_expires_at = ?3, seq = ?4 WHERE id = ?1 AND study_id = ?2",
    [STMT_METRIC_INSERT] =
        "INSERT OR REPLACE INTO trial_metrics(trial_id, name, value) VALUES(?1, ?2, ?3)",
    [STMT_LOGS_INSERT] = "INSERT OR REPLACE INTO trial_logs(trial_id, text) VALUES(?1, ?2)",
};

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
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

static const char *const state_names[TRIAL_N_STATES] = {
    "active", "completed", "failed", "infeasible", "expired"};

const char *store_state_name(trial_state s)
{
    return (unsigned)s < TRIAL_N_STATES ? state_names[s] : "unknown";
}

int store_state_parse(const char *name, trial_state *out)
{
    for (int i = 0; i < TRIAL_N_STATES; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (trial_state)i;
            return 0;
        }
    }
    return -1;
}

int store_sqlerr(store_conn *c, const char *what, char *err, size_t err_len)
{
    util_err(err, err_len, "%s: %s", what, c && c->db ? sqlite3_errmsg(c->db) : "no connection");
    return STORE_ERROR;
}

static int conn_exec(sqlite3 *db, const char *sql, char *err, size_t err_len)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        util_err(err, err_len, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void conn_free(store_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static store_conn *conn_open(store *st, char *err, size_t err_len)
{
    store_conn *c = calloc(1, sizeof *c);
    if (!c) {
        util_err(err, err_len, "out of memory");
        return NULL;
    }
    /* NOMUTEX: a pooled connection is used by one thread at a time. */
    int rc = sqlite3_open_v2(st->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        util_err(err, err_len, "cannot open %s: %s", st->path,
                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        conn_free(c);
        return NULL;
    }
    sqlite3_extended_result_codes(c->db, 1);
    /* A generous busy timeout: writers are serialised in-process, so SQLite
     * only waits here for another process or a checkpoint. */
    sqlite3_busy_timeout(c->db, 30000);
    const char *pragmas = st->sync == STORE_SYNC_FULL
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                "PRAGMA foreign_keys=ON;";
    if (conn_exec(c->db, pragmas, err, err_len) != 0) {
        conn_free(c);
        return NULL;
    }
    return c;
}

store_conn *store_conn_get(store *st, char *err, size_t err_len)
{
    pthread_mutex_lock(&st->pool_mu);
    store_conn *c = st->pool;
    if (c)
        st->pool = c->next;
    pthread_mutex_unlock(&st->pool_mu);
    if (c) {
        c->next = NULL;
        return c;
    }
    return conn_open(st, err, err_len);
}

void store_conn_put(store *st, store_conn *c)
{
    if (!c)
        return;
    /* A connection must go back idle: no open transaction. */
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_lock(&st->pool_mu);
    c->next = st->pool;
    st->pool = c;
    pthread_mutex_unlock(&st->pool_mu);
}

sqlite3_stmt *store_stmt(store_conn *c, store_stmt_id id, char *err, size_t err_len)
{
    sqlite3_stmt *s = c->stmt[id];
    if (!s) {
        if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
            SQLITE_OK) {
            store_sqlerr(c, "prepare", err, err_len);
            return NULL;
        }
        c->stmt[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

int store_exec_stmt(store_conn *c, store_stmt_id id, char *err, size_t err_len)
{
    sqlite3_stmt *s = store_stmt(c, id, err, err_len);
    if (!s)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_sqlerr(c, stmt_sql[id], err, err_len);
    return STORE_OK;
}

int store_write_begin(store *st, store_conn *c, char *err, size_t err_len)
{
    pthread_mutex_lock(&st->write_mu);
    if (store_exec_stmt(c, STMT_BEGIN_IMMEDIATE, err, err_len) != STORE_OK) {
        pthread_mutex_unlock(&st->write_mu);
        return STORE_ERROR;
    }
    return STORE_OK;
}

int store_write_end(store *st, store_conn *c, int ok, char *err, size_t err_len)
{
    int rc = STORE_OK;
    if (ok) {
        rc = store_exec_stmt(c, STMT_COMMIT, err, err_len);
        if (rc != STORE_OK)
            store_exec_stmt(c, STMT_ROLLBACK, NULL, 0);
    } else {
        store_exec_stmt(c, STMT_ROLLBACK, NULL, 0);
    }
    pthread_mutex_unlock(&st->write_mu);
    return rc;
}

int store_write(store *st, store_write_fn body, void *ctx, char *err, size_t err_len)
{
    store_conn *c = store_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = store_write_begin(st, c, err, err_len);
    if (rc == STORE_OK) {
        rc = body(c, ctx, err, err_len);
        int end = store_write_end(st, c, rc == STORE_OK, err, err_len);
        if (rc == STORE_OK)
            rc = end;
    }
    store_conn_put(st, c);
    return rc;
}

int64_t store_next_seq(store_conn *c, int64_t study_id, char *err, size_t err_len)
{
    sqlite3_stmt *s = store_stmt(c, STMT_STUDY_BUMP_SEQ, err, err_len);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, study_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return seq;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    store_sqlerr(c, "next seq", err, err_len);
    return -1;
}

char *store_col_strdup(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return NULL;
    const unsigned char *txt = sqlite3_column_text(s, col);
    int n = sqlite3_column_bytes(s, col);
    char *out = malloc((size_t)n + 1);
    if (!out)
        return NULL;
    memcpy(out, txt ? (const char *)txt : "", (size_t)n);
    out[n] = '\0';
    return out;
}

static int migrate(store *st, store_conn *c, char *err, size_t err_len)
{
    if (conn_exec(c->db,
                  "CREATE TABLE IF NOT EXISTS schema_migrations("
                  "version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)",
                  err, err_len) != 0)
        return -1;
    pthread_mutex_lock(&st->write_mu);
    int ok = conn_exec(c->db, "BEGIN IMMEDIATE", err, err_len) == 0;
    int version = 0;
    if (ok) {
        sqlite3_stmt *s = NULL;
        ok = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
                                -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW;
        if (ok)
            version = sqlite3_column_int(s, 0);
        else
            store_sqlerr(c, "reading the schema version", err, err_len);
        sqlite3_finalize(s);
    }
    if (ok && version > (int)N_MIGRATIONS) {
        util_err(err, err_len,
                 "%s has schema version %d, newer than this bograph understands (%d)", st->path,
                 version, (int)N_MIGRATIONS);
        ok = 0;
    }
    for (int v = version; ok && v < (int)N_MIGRATIONS; v++) {
        ok = conn_exec(c->db, migrations[v], err, err_len) == 0;
        if (ok) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO schema_migrations(version, applied_at) VALUES(%d, %.3f)", v + 1,
                     util_now());
            ok = conn_exec(c->db, sql, err, err_len) == 0;
        }
    }
    if (ok)
        ok = conn_exec(c->db, "COMMIT", err, err_len) == 0;
    if (!ok)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->write_mu);
    if (ok)
        st->schema_version = (int)N_MIGRATIONS;
    return ok ? 0 : -1;
}

int store_open(const char *path, store_sync sync, store **out, char *err, size_t err_len)
{
    *out = NULL;
    if (!path || !*path)
        return util_err(err, err_len, "no database path");
    store *st = calloc(1, sizeof *st);
    if (!st)
        return util_err(err, err_len, "out of memory");
    st->path = strdup(path);
    st->sync = sync;
    pthread_mutex_init(&st->pool_mu, NULL);
    pthread_mutex_init(&st->write_mu, NULL);
    if (!st->path) {
        store_close(st);
        return util_err(err, err_len, "out of memory");
    }
    store_conn *c = conn_open(st, err, err_len);
    if (!c) {
        store_close(st);
        return -1;
    }
    if (migrate(st, c, err, err_len) != 0) {
        conn_free(c);
        store_close(st);
        return -1;
    }
    store_conn_put(st, c);
    *out = st;
    return 0;
}

void store_close(store *st)
{
    if (!st)
        return;
    store_conn *c = st->pool;
    while (c) {
        store_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_mutex_destroy(&st->pool_mu);
    pthread_mutex_destroy(&st->write_mu);
    free(st->path);
    free(st);
}

int store_schema_version(store *st)
{
    return st->schema_version;
}
