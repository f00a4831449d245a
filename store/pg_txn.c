/*
 * pg_txn.c - transactions of the PostgreSQL backend: the runner that wraps
 * a body in BEGIN/COMMIT and repeats it once on a new connection when the
 * old one died before COMMIT went out, and the study row lock and seq
 * counter every trial change takes.
 *
 * seq: every trial change of a study first locks the study's row (SELECT
 * ... FOR UPDATE) and takes studies.seq + 1 under that lock, which it holds
 * to its COMMIT. Two changes of one study therefore commit in the order of
 * their seq, and a reader that sees seq n also sees every change below n:
 * an after_seq poller never misses a change that committed late, whichever
 * replica made it. The price is that a study's writes are serialised (as in
 * SQLite); different studies write in parallel.
 */
#include "store/pg_internal.h"

#include <string.h>

#include "util/util.h"

static const char *const begin_sql[] = {
    [PG_TX_NONE] = NULL,
    [PG_TX_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [PG_TX_WRITE] = "BEGIN",
};

/* One attempt; *retry set when it failed on a dead connection before COMMIT. */
static int run_once(pg_store *pg, pg_tx_mode mode, pg_body body, void *ctx, int *retry,
                    char *err, size_t err_len)
{
    *retry = 0;
    pg_conn *c = pg_conn_get(pg, 0, err, err_len);
    if (!c)
        return STORE_ERROR;
    int rc = STORE_OK;
    if (begin_sql[mode] && pg_exec_sql(c, begin_sql[mode], err, err_len) != 0)
        rc = STORE_ERROR;
    if (rc == STORE_OK)
        rc = body(c, ctx, err, err_len);
    if (begin_sql[mode] && !c->broken) {
        if (rc == STORE_OK) {
            c->commit_sent = 1;
            if (pg_exec_sql(c, "COMMIT", err, err_len) != 0) {
                rc = STORE_ERROR;
                /* not "unavailable" (a 503 promises nothing was written) */
                if (c->broken)
                    util_err(err, err_len, "committing: postgres: the connection was lost "
                                           "after COMMIT went out: the outcome is unknown");
            }
        } else {
            pg_exec_sql(c, "ROLLBACK", NULL, 0);
        }
    }
    *retry = c->broken && !c->commit_sent && rc == STORE_ERROR;
    pg_conn_put(pg, c);
    return rc;
}

int pg_run(pg_store *pg, pg_tx_mode mode, pg_body body, void *ctx, char *err, size_t err_len)
{
    int retry = 0;
    int rc = run_once(pg, mode, body, ctx, &retry, err, err_len);
    if (retry)
        rc = run_once(pg, mode, body, ctx, &retry, err, err_len);
    return rc;
}

int pg_study_lock_row(pg_conn *c, int64_t study_id, char *err, size_t err_len)
{
    pg_params p = {0};
    pg_p_int(&p, study_id);
    PGresult *r = pg_exec(c, PG_STUDY_LOCK_ROW, &p, "locking the study row", err, err_len);
    if (!r)
        return STORE_ERROR;
    int found = PQntuples(r) == 1;
    PQclear(r);
    return found ? STORE_OK : STORE_NOT_FOUND;
}

int64_t pg_next_seq(pg_conn *c, int64_t study_id, char *err, size_t err_len)
{
    pg_params p = {0};
    pg_p_int(&p, study_id);
    PGresult *r = pg_exec(c, PG_STUDY_BUMP_SEQ, &p, "next seq", err, err_len);
    if (!r)
        return -1;
    int64_t seq = PQntuples(r) == 1 ? pg_i64(r, 0, 0) : 0;
    PQclear(r);
    return seq;
}
