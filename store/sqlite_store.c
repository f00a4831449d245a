/*
 * sqlite_store.c - the SQLite backend's handle: opening the file, the
 * connection pool with cached prepared statements, and the table of
 * operations store.c dispatches to. The schema is in sqlite_migrate.c, the
 * write transactions in sqlite_txn.c.
 *
 * SQLite runs in WAL mode with a busy timeout. Connections come from a pool
 * (one per concurrently running request, created on demand, each with its
 * own cache of prepared statements), so readers never block each other or
 * the writer. Writers are serialised in-process by a mutex before they take
 * SQLite's write lock, which keeps "database is locked" away from clients and
 * avoids SQLite's sleeping busy handler on the hot path.
 *
 * Durability choice: WAL with synchronous=NORMAL by default. In WAL mode a
 * commit appends the transaction to the -wal file with write() before the
 * 2xx is sent; the bytes sit in the OS page cache, which survives the death
 * of this process (kill -9, crash), so an acknowledged change is never lost
 * to a process crash. Only a power loss or kernel crash can lose the last
 * commits under NORMAL (the database itself stays consistent). Operators who
 * need that too run `--sync full`: WAL + FULL fsyncs the WAL on every commit.
 */
#include "store/sqlite_internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#define TRIAL_COLS \
    "id, study_id, number, state, worker, params, config, objective, reason, result, seq, " \
    "created_at, finished_at, lease_expires_at, is_default, logs_bytes, logs_truncated, model, " \
    "model_reason, explanation, import_key"
#define STUDY_COLS "id, name, spec, plugin, knowledge, state, created_at, seq, next_number"

const char *const sqlite_stmt_sql[STMT_COUNT] = {
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
    [STMT_STUDY_UPDATE] =
        "UPDATE studies SET name = ?2, spec = ?3, state = coalesce(?4, state) WHERE id = ?1",
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
        "logs_truncated, model, model_reason, explanation, import_key) VALUES(?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    [STMT_TRIAL_FINISH] =
        "UPDATE trials SET state = ?3, objective = ?4, reason = ?5, result = ?6, seq = ?7, "
        "finished_at = ?8, lease_expires_at = CASE WHEN state = 'expired' THEN lease_expires_at END, "
        "logs_bytes = ?9, logs_truncated = ?10 "
        "WHERE id = ?1 AND study_id = ?2",
    [STMT_TRIAL_HEARTBEAT] =
        "UPDATE trials SET lease_expires_at = ?3, seq = ?4 WHERE id = ?1 AND study_id = ?2",
    [STMT_METRIC_INSERT] =
        "INSERT OR REPLACE INTO trial_metrics(trial_id, name, value) VALUES(?1, ?2, ?3)",
    [STMT_LOGS_INSERT] = "INSERT OR REPLACE INTO trial_logs(trial_id, text) VALUES(?1, ?2)",
    [STMT_TRIAL_BY_KEY] = "SELECT id FROM trials WHERE study_id = ?1 AND import_key = ?2",
};

/* STORE_ERR_UNAVAILABLE and a separator when db's last error is a full
 * disk or an I/O error (a retry may succeed), else "". */
static const char *unavailable_prefix(sqlite3 *db)
{
    int code = db ? sqlite3_extended_errcode(db) & 0xff : SQLITE_OK;
    return code == SQLITE_FULL || code == SQLITE_IOERR ? STORE_ERR_UNAVAILABLE ": " : "";
}

int sqlite_store_err(sqlite_conn *c, const char *what, char *err, size_t err_len)
{
    util_err(err, err_len, "%s: %s%s", what, c ? unavailable_prefix(c->db) : "",
             c && c->db ? sqlite3_errmsg(c->db) : "no connection");
    return STORE_ERROR;
}

int sqlite_conn_exec_sql(sqlite3 *db, const char *sql, char *err, size_t err_len)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        util_err(err, err_len, "sqlite: %s%s", unavailable_prefix(db),
                 msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void conn_free(sqlite_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static sqlite_conn *conn_open(sqlite_store *st, char *err, size_t err_len)
{
    sqlite_conn *c = calloc(1, sizeof *c);
    if (!c) {
        util_err(err, err_len, "out of memory");
        return NULL;
    }
    /* NOMUTEX: a pooled connection is used by one thread at a time. */
    int rc = sqlite3_open_v2(st->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        util_err(err, err_len, "cannot open %s: %s%s", st->path, unavailable_prefix(c->db),
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
    if (sqlite_conn_exec_sql(c->db, pragmas, err, err_len) != 0) {
        conn_free(c);
        return NULL;
    }
    return c;
}

sqlite_conn *sqlite_conn_get(store *base, char *err, size_t err_len)
{
    assert(base);
    sqlite_store *st = sqlite_of(base);
    pthread_mutex_lock(&st->pool_mu);
    sqlite_conn *c = st->pool;
    if (c)
        st->pool = c->next;
    pthread_mutex_unlock(&st->pool_mu);
    if (c) {
        c->next = NULL;
        return c;
    }
    return conn_open(st, err, err_len);
}

void sqlite_conn_put(store *base, sqlite_conn *c)
{
    assert(base);
    if (!c)
        return;
    sqlite_store *st = sqlite_of(base);
    /* A connection must go back idle: no open transaction. */
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_lock(&st->pool_mu);
    c->next = st->pool;
    st->pool = c;
    pthread_mutex_unlock(&st->pool_mu);
}

sqlite3_stmt *sqlite_conn_stmt(sqlite_conn *c, sqlite_stmt_id id, char *err, size_t err_len)
{
    sqlite3_stmt *s = c->stmt[id];
    if (!s) {
        if (sqlite3_prepare_v3(c->db, sqlite_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
            SQLITE_OK) {
            sqlite_store_err(c, "prepare", err, err_len);
            return NULL;
        }
        c->stmt[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

int sqlite_conn_exec_stmt(sqlite_conn *c, sqlite_stmt_id id, char *err, size_t err_len)
{
    sqlite3_stmt *s = sqlite_conn_stmt(c, id, err, err_len);
    if (!s)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sqlite_store_err(c, sqlite_stmt_sql[id], err, err_len);
    return STORE_OK;
}

char *sqlite_col_strdup(sqlite3_stmt *s, int col)
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

static void sqlite_store_close(store *base)
{
    if (!base)
        return;
    sqlite_store *st = sqlite_of(base);
    sqlite_conn *c = st->pool;
    while (c) {
        sqlite_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_mutex_destroy(&st->pool_mu);
    pthread_mutex_destroy(&st->write_mu);
    free(st->path);
    free(st);
}

static int sqlite_store_schema_version(store *base)
{
    return sqlite_of(base)->schema_version;
}

const store_ops sqlite_store_ops = {
    .name = "sqlite",
    .close = sqlite_store_close,
    .schema_version = sqlite_store_schema_version,
    .study_create = sqlite_study_create,
    .study_get = sqlite_study_get,
    .study_list = sqlite_study_list,
    .study_delete = sqlite_study_delete,
    .study_set_state = sqlite_study_set_state,
    .study_update = sqlite_study_update,
    .study_set_knowledge = sqlite_study_set_knowledge,
    .study_counts = sqlite_study_counts,
    .counts_all = sqlite_counts_all,
    .expire_leases = sqlite_expire_leases,
    .trials_all = sqlite_trials_all,
    .trials_engine = sqlite_trials_engine,
    .trials_of_worker = sqlite_trials_of_worker,
    .trials_page = sqlite_trials_page,
    .trial_get = sqlite_trial_get,
    .trials_insert_suggested = sqlite_trials_insert_suggested,
    .trial_finish = sqlite_trial_finish,
    .trial_heartbeat = sqlite_trial_heartbeat,
    .trial_import = sqlite_trial_import,
    .study_restore = sqlite_study_restore,
    .trials_import = sqlite_trials_import,
};

/* Creates a missing database file readable by its owner only (0600): SQLite
 * would create it 0644, and it gives the -wal and -shm files the mode of the
 * database file. An existing file keeps its mode; ":memory:" and "file:"
 * URIs are left to SQLite. 0, or -1 with a message. */
static int create_private(const char *path, char *err, size_t err_len)
{
    if (!path[0] || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return close(fd) == 0 ? 0 : util_err(err, err_len, "cannot create %s: %s", path,
                                             strerror(errno));
    if (errno == EEXIST)
        return 0;
    return util_err(err, err_len, "cannot create %s: %s", path, strerror(errno));
}

int sqlite_store_open(const char *path, store_sync sync, store **out, char *err,
                      size_t err_len)
{
    assert(path && out);
    *out = NULL;
    sqlite_store *st = calloc(1, sizeof *st);
    if (!st)
        return util_err(err, err_len, "out of memory");
    st->base.ops = &sqlite_store_ops;
    st->path = strdup(path);
    st->sync = sync;
    pthread_mutex_init(&st->pool_mu, NULL);
    pthread_mutex_init(&st->write_mu, NULL);
    if (!st->path) {
        sqlite_store_close(&st->base);
        return util_err(err, err_len, "out of memory");
    }
    if (create_private(st->path, err, err_len) != 0) {
        sqlite_store_close(&st->base);
        return -1;
    }
    sqlite_conn *c = conn_open(st, err, err_len);
    if (!c) {
        sqlite_store_close(&st->base);
        return -1;
    }
    if (sqlite_migrate(st, c, err, err_len) != 0) {
        conn_free(c);
        sqlite_store_close(&st->base);
        return -1;
    }
    sqlite_conn_put(&st->base, c);
    *out = &st->base;
    return 0;
}
