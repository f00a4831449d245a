/*
 * pg_exec.c - running the PostgreSQL backend's statements: parameters (text,
 * but bytes in binary), preparing each statement once per connection, error
 * messages, and reading the cells of a result.
 */
#include "store/pg_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static int p_slot(pg_params *p)
{
    assert(p->n < PG_MAX_PARAMS);
    int i = p->n++;
    p->v[i] = NULL;
    p->len[i] = 0;
    p->fmt[i] = 0;
    return i;
}

void pg_p_int(pg_params *p, int64_t v)
{
    int i = p_slot(p);
    snprintf(p->num[i], sizeof p->num[i], "%" PRId64, v);
    p->v[i] = p->num[i];
}

void pg_p_double(pg_params *p, double v)
{
    int i = p_slot(p);
    if (isnan(v))
        snprintf(p->num[i], sizeof p->num[i], "NaN");
    else if (isinf(v))
        snprintf(p->num[i], sizeof p->num[i], "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(p->num[i], sizeof p->num[i], "%.17g", v);
    p->v[i] = p->num[i];
}

void pg_p_text(pg_params *p, const char *v)
{
    int i = p_slot(p);
    p->v[i] = v;
}

void pg_p_bytes(pg_params *p, const void *v, size_t n)
{
    int i = p_slot(p);
    /* binary format: libpq sends the bytes as they are (never NULL) */
    p->v[i] = n ? (const char *)v : "";
    p->len[i] = (int)n;
    p->fmt[i] = 1;
}

void pg_p_null(pg_params *p)
{
    p_slot(p);
}

/* STORE_ERR_UNAVAILABLE and a separator when the failure means the database
 * cannot serve now but a later retry may: the connection is lost, or the
 * SQLSTATE is of class 08 (connection exception), 53 (insufficient
 * resources: disk full 53100, out of memory, too many connections), 57P
 * (shutting down, cannot connect now) or 58 (system error: I/O); else "". */
static const char *unavailable_prefix(const pg_conn *c, const PGresult *r)
{
    if (PQstatus(c->db) != CONNECTION_OK)
        return STORE_ERR_UNAVAILABLE ": ";
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
                  strncmp(state, "57P", 3) == 0 || strncmp(state, "58", 2) == 0))
        return STORE_ERR_UNAVAILABLE ": ";
    return "";
}

/* err <- "what: postgres: first line of the server's message", with the
 * STORE_ERR_UNAVAILABLE marker when it applies; marks a dead connection. */
static void exec_error(pg_conn *c, const PGresult *r, const char *what, char *err,
                       size_t err_len)
{
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(c->db);
    size_t n = strcspn(msg, "\n");
    util_err(err, err_len, "%s: postgres: %s%.*s", what, unavailable_prefix(c, r), (int)n, msg);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
    if (PQstatus(c->db) != CONNECTION_OK)
        c->broken = 1;
}

static PGresult *result_ok(pg_conn *c, PGresult *r, const char *what, char *err, size_t err_len)
{
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return r;
    exec_error(c, r, what, err, err_len);
    PQclear(r);
    return NULL;
}

PGresult *pg_exec(pg_conn *c, pg_stmt_id id, const pg_params *p, const char *what, char *err,
                  size_t err_len)
{
    static const pg_params none = {0};
    if (!p)
        p = &none;
    char name[16];
    snprintf(name, sizeof name, "bg%d", (int)id);
    if (!c->prepared[id]) {
        PGresult *r = result_ok(c, PQprepare(c->db, name, pg_stmt_sql[id], 0, NULL), what, err,
                                err_len);
        if (!r)
            return NULL;
        PQclear(r);
        c->prepared[id] = 1;
    }
    return result_ok(c,
                     PQexecPrepared(c->db, name, p->n, p->v, p->len, p->fmt, 0),
                     what, err, err_len);
}

PGresult *pg_exec_params(pg_conn *c, const char *sql, const pg_params *p, const char *what,
                         char *err, size_t err_len)
{
    return result_ok(c, PQexecParams(c->db, sql, p->n, NULL, p->v, p->len, p->fmt, 0), what,
                     err, err_len);
}

int pg_exec_sql(pg_conn *c, const char *sql, char *err, size_t err_len)
{
    PGresult *r = result_ok(c, PQexec(c->db, sql), "sql", err, err_len);
    PQclear(r);
    return r ? 0 : -1;
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_double(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NAN : strtod(PQgetvalue(r, row, col), NULL);
}

char *pg_strdup(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

int pg_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

unsigned char *pg_bytes(const PGresult *r, int row, int col, size_t *n)
{
    *n = 0;
    if (PQgetisnull(r, row, col))
        return NULL;
    size_t len = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &len);
    if (!raw) {
        *n = (size_t)-1;
        return NULL;
    }
    unsigned char *out = malloc(len + 1);
    if (out) {
        memcpy(out, raw, len);
        out[len] = '\0';
        *n = len;
    } else {
        *n = (size_t)-1;
    }
    PQfreemem(raw);
    return out;
}
