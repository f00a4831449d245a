/*
 * pg_store.c - the PostgreSQL backend's handle: opening it on a libpq URI
 * (with a clear message for a wrong URI, host or password), the connection
 * pool, the study locks, the health and pool figures, and the table of
 * operations store.c dispatches to.
 *
 * Pool: connections are opened on demand up to a maximum (16, or
 * BOGRAPH_PG_POOL_SIZE) for statements, each preparing its statements on
 * first use; a caller finding all of them busy waits for one (counted in
 * the figures). A connection holding a study lock is outside that count.
 * A connection that failed (the database restarted, the network broke) is
 * closed when it goes back and a new one is opened next time; pg_run
 * (pg_txn.c) repeats an interrupted transaction once on a new connection.
 *
 * Study locks: a session advisory lock pg_advisory_lock(class, study id)
 * held on a connection of its own for as long as the study's suggestion
 * runs; several replicas on one database compute a study's suggestions one
 * at a time, and a replica that dies loses its locks with its sessions.
 */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

#define PG_POOL_DEFAULT 16

/* The URI without its password, for messages. */
static void uri_masked(const char *uri, char *out, size_t out_len)
{
    const char *scheme = strstr(uri, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (at && (!slash || at < slash) && colon && colon < at)
        snprintf(out, out_len, "%.*s:***%s", (int)(colon - uri), uri, at);
    else
        snprintf(out, out_len, "%s", uri);
}

/* The server's notices ("already exists, skipping") are not for the log. */
static void pg_notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *pg_connect(const char *uri, int unavailable, char *err, size_t err_len)
{
    /* Earlier keywords are defaults the URI may override. */
    const char *keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          NULL};
    const char *vals[] = {"10", "bograph", "UTF8", uri, NULL};
    PGconn *db = PQconnectdbParams(keys, vals, 1);
    if (db && PQstatus(db) == CONNECTION_OK) {
        PQsetNoticeProcessor(db, pg_notice_quiet, NULL);
        return db;
    }
    char shown[256];
    uri_masked(uri, shown, sizeof shown);
    const char *msg = db ? PQerrorMessage(db) : "out of memory";
    /* libpq's message may run over several lines: keep them on one */
    char one[512];
    size_t o = 0;
    for (const char *p = msg; *p && o + 1 < sizeof one; p++)
        one[o++] = (*p == '\n' || *p == '\t') ? ' ' : *p;
    while (o > 0 && one[o - 1] == ' ')
        o--;
    one[o] = '\0';
    util_err(err, err_len, "cannot connect to PostgreSQL at %s: %s%s", shown,
             unavailable ? STORE_ERR_UNAVAILABLE ": " : "", one);
    PQfinish(db);
    return NULL;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

pg_conn *pg_conn_get(pg_store *pg, int for_lock, char *err, size_t err_len)
{
    pthread_mutex_lock(&pg->mu);
    double waited_from = 0;
    while (!for_lock && !pg->idle && pg->open - pg->locking >= pg->max) {
        if (waited_from == 0) {
            waited_from = mono_now();
            pg->stats.pool_waits++;
        }
        pthread_cond_wait(&pg->freed, &pg->mu);
    }
    if (waited_from != 0)
        pg->stats.pool_wait_seconds += mono_now() - waited_from;
    if (for_lock)
        pg->locking++;
    pg_conn *c = pg->idle;
    if (c) {
        pg->idle = c->next;
        c->next = NULL;
        c->for_lock = for_lock;
        pthread_mutex_unlock(&pg->mu);
        return c;
    }
    pg->open++; /* reserved while connecting */
    pthread_mutex_unlock(&pg->mu);
    c = calloc(1, sizeof *c);
    if (c)
        c->db = pg_connect(pg->uri, pg->opened, err, err_len);
    else
        util_err(err, err_len, "out of memory");
    if (!c || !c->db) {
        free(c);
        pthread_mutex_lock(&pg->mu);
        pg->open--;
        if (for_lock)
            pg->locking--;
        pthread_cond_signal(&pg->freed);
        pthread_mutex_unlock(&pg->mu);
        return NULL;
    }
    c->for_lock = for_lock;
    return c;
}

static void conn_close(pg_conn *c)
{
    if (c) {
        PQfinish(c->db);
        free(c);
    }
}

void pg_conn_put(pg_store *pg, pg_conn *c)
{
    if (!c)
        return;
    if (!c->broken && PQtransactionStatus(c->db) != PQTRANS_IDLE)
        c->broken = 1; /* never hand out a connection inside a transaction */
    c->commit_sent = 0;
    pthread_mutex_lock(&pg->mu);
    if (c->for_lock) {
        pg->locking--;
        c->for_lock = 0;
    }
    if (c->broken) {
        pg->open--;
        pg->stats.reconnects++;
        /* The database probably restarted: the idle connections are dead
         * too, close them now rather than fail a request on each. */
        pg_conn *dead = pg->idle;
        pg->idle = NULL;
        while (dead) {
            pg_conn *next = dead->next;
            pg->open--;
            conn_close(dead);
            dead = next;
        }
        pthread_cond_broadcast(&pg->freed);
        pthread_mutex_unlock(&pg->mu);
        conn_close(c);
        return;
    }
    c->next = pg->idle;
    pg->idle = c;
    pthread_cond_signal(&pg->freed);
    pthread_mutex_unlock(&pg->mu);
}

static void pg_store_close(store *base)
{
    if (!base)
        return;
    pg_store *pg = pg_of(base);
    pg_conn *c = pg->idle;
    while (c) {
        pg_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    pthread_mutex_destroy(&pg->mu);
    pthread_cond_destroy(&pg->freed);
    free(pg->uri);
    free(pg);
}

static int pg_store_schema_version(store *base)
{
    return pg_of(base)->schema_version;
}

static int ping_body(pg_conn *c, void *ctx, char *err, size_t err_len)
{
    (void)ctx;
    return pg_exec_sql(c, "SELECT 1", err, err_len) == 0 ? STORE_OK : STORE_ERROR;
}

static int pg_store_ping(store *base, char *err, size_t err_len)
{
    return pg_run(pg_of(base), PG_TX_NONE, ping_body, NULL, err, err_len) == STORE_OK ? 0 : -1;
}

static void pg_store_stats(store *base, store_stats *out)
{
    pg_store *pg = pg_of(base);
    pthread_mutex_lock(&pg->mu);
    *out = pg->stats;
    out->pool_max = pg->max;
    out->pool_open = pg->open;
    out->pool_idle = 0;
    for (pg_conn *c = pg->idle; c; c = c->next)
        out->pool_idle++;
    pthread_mutex_unlock(&pg->mu);
}

/* A held study lock: the connection whose session holds it. */
struct store_lock {
    pg_conn *c;
    int64_t study_id;
};

static void lock_params(pg_params *p, int64_t study_id)
{
    memset(p, 0, sizeof *p);
    pg_p_int(p, PG_LOCK_CLASS);
    pg_p_int(p, (int32_t)study_id); /* ids past 2^31 share keys: more waiting, never less */
}

int pg_study_lock(store *base, int64_t study_id, store_lock **out, char *err, size_t err_len)
{
    pg_store *pg = pg_of(base);
    store_lock *lk = calloc(1, sizeof *lk);
    if (!lk)
        return util_err(err, err_len, "out of memory");
    lk->study_id = study_id;
    for (int attempt = 0; attempt < 2; attempt++) {
        lk->c = pg_conn_get(pg, 1, err, err_len);
        if (!lk->c)
            break;
        pg_params p;
        lock_params(&p, study_id);
        double t0 = mono_now();
        PGresult *r = pg_exec(lk->c, PG_ADVISORY_LOCK, &p, "locking the study", err, err_len);
        if (r) {
            PQclear(r);
            pthread_mutex_lock(&pg->mu);
            pg->stats.locks++;
            pg->stats.lock_wait_seconds += mono_now() - t0;
            pthread_mutex_unlock(&pg->mu);
            *out = lk;
            return STORE_OK;
        }
        int retry = lk->c->broken;
        pg_conn_put(pg, lk->c);
        lk->c = NULL;
        if (!retry)
            break;
    }
    free(lk);
    return STORE_ERROR;
}

void pg_study_unlock(store *base, store_lock *lk)
{
    pg_store *pg = pg_of(base);
    pg_params p;
    lock_params(&p, lk->study_id);
    PGresult *r = pg_exec(lk->c, PG_ADVISORY_UNLOCK, &p, "unlocking the study", NULL, 0);
    if (!r || PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "t") != 0)
        lk->c->broken = 1; /* closing the session releases whatever it holds */
    PQclear(r);
    pg_conn_put(pg, lk->c);
    free(lk);
}

const store_ops pg_store_ops = {
    .name = "postgres",
    .close = pg_store_close,
    .schema_version = pg_store_schema_version,
    .study_create = pg_study_create,
    .study_get = pg_study_get,
    .study_list = pg_study_list,
    .study_delete = pg_study_delete,
    .study_set_state = pg_study_set_state,
    .study_set_knowledge = pg_study_set_knowledge,
    .study_update = pg_study_update,
    .study_counts = pg_study_counts,
    .counts_all = pg_counts_all,
    .expire_leases = pg_expire_leases,
    .trials_all = pg_trials_all,
    .trials_engine = pg_trials_engine,
    .trials_of_worker = pg_trials_of_worker,
    .trials_page = pg_trials_page,
    .trial_get = pg_trial_get,
    .trials_insert_suggested = pg_trials_insert_suggested,
    .trial_finish = pg_trial_finish,
    .trial_heartbeat = pg_trial_heartbeat,
    .trial_import = pg_trial_import,
    .trials_import = pg_trials_import,
    .study_restore = pg_study_restore,
    .ping = pg_store_ping,
    .stats = pg_store_stats,
    .study_lock = pg_study_lock,
    .study_unlock = pg_study_unlock,
};

static int pool_size(void)
{
    const char *env = getenv("BOGRAPH_PG_POOL_SIZE");
    long n = env && *env ? strtol(env, NULL, 10) : PG_POOL_DEFAULT;
    return n >= 2 && n <= 1000 ? (int)n : PG_POOL_DEFAULT;
}

int pg_store_open(const char *uri, store_sync sync, store **out, char *err, size_t err_len)
{
    assert(uri && out);
    (void)sync; /* durability is the server's (synchronous_commit) */
    *out = NULL;
    if (strncmp(uri, "postgresql://", 13) != 0 && strncmp(uri, "postgres://", 11) != 0)
        return util_err(err, err_len,
                        "not a PostgreSQL URI: \"%s\" (expected postgresql://user@host:port/db)",
                        uri);
    pg_store *pg = calloc(1, sizeof *pg);
    if (!pg)
        return util_err(err, err_len, "out of memory");
    pg->base.ops = &pg_store_ops;
    pg->uri = strdup(uri);
    pg->max = pool_size();
    pthread_mutex_init(&pg->mu, NULL);
    pthread_cond_init(&pg->freed, NULL);
    if (!pg->uri) {
        pg_store_close(&pg->base);
        return util_err(err, err_len, "out of memory");
    }
    pg_conn *c = pg_conn_get(pg, 0, err, err_len);
    if (!c) {
        pg_store_close(&pg->base);
        return -1;
    }
    if (pg_migrate(pg, c, err, err_len) != 0) {
        c->broken = 1;
        pg_conn_put(pg, c);
        pg->stats.reconnects = 0;
        pg_store_close(&pg->base);
        return -1;
    }
    pg_conn_put(pg, c);
    pg->opened = 1;
    *out = &pg->base;
    return 0;
}
