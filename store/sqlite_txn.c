/*
 * sqlite_txn.c - write transactions of the SQLite backend: the in-process
 * writer lock taken before BEGIN IMMEDIATE (so SQLite's sleeping busy handler
 * stays off the hot path), commit or rollback, and the study's seq counter
 * every trial change takes inside one.
 */
#include "store/sqlite_internal.h"

#include <assert.h>

int sqlite_write_begin(store *st, sqlite_conn *c, char *err, size_t err_len)
{
    assert(st && c);
    sqlite_store *sq = sqlite_of(st);
    pthread_mutex_lock(&sq->write_mu);
    if (sqlite_conn_exec_stmt(c, STMT_BEGIN_IMMEDIATE, err, err_len) != STORE_OK) {
        pthread_mutex_unlock(&sq->write_mu);
        return STORE_ERROR;
    }
    return STORE_OK;
}

int sqlite_write_end(store *st, sqlite_conn *c, int ok, char *err, size_t err_len)
{
    assert(st && c);
    sqlite_store *sq = sqlite_of(st);
    int rc = STORE_OK;
    if (ok) {
        rc = sqlite_conn_exec_stmt(c, STMT_COMMIT, err, err_len);
        if (rc != STORE_OK)
            sqlite_conn_exec_stmt(c, STMT_ROLLBACK, NULL, 0);
    } else {
        sqlite_conn_exec_stmt(c, STMT_ROLLBACK, NULL, 0);
    }
    pthread_mutex_unlock(&sq->write_mu);
    return rc;
}

int sqlite_write(store *st, sqlite_write_fn body, void *ctx, char *err, size_t err_len)
{
    assert(st && body);
    sqlite_conn *c = sqlite_conn_get(st, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = sqlite_write_begin(st, c, err, err_len);
    if (rc == STORE_OK) {
        rc = body(c, ctx, err, err_len);
        int end = sqlite_write_end(st, c, rc == STORE_OK, err, err_len);
        if (rc == STORE_OK)
            rc = end;
    }
    sqlite_conn_put(st, c);
    return rc;
}

int64_t sqlite_next_seq(sqlite_conn *c, int64_t study_id, char *err, size_t err_len)
{
    sqlite3_stmt *s = sqlite_conn_stmt(c, STMT_STUDY_BUMP_SEQ, err, err_len);
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
    sqlite_store_err(c, "next seq", err, err_len);
    return -1;
}
