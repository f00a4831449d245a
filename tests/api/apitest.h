/*
 * apitest.h - harness of the API tests: starts the real `bograph serve`
 * binary as a child process on a free loopback port with a temporary
 * database, and makes HTTP calls to it with libcurl.
 *
 * The database is a SQLite file in the test's directory, unless the
 * environment names a PostgreSQL cluster (BOGRAPH_TEST_PG_URI_FILE: a file
 * holding its URI, as scripts/pg_cluster.sh writes it; the ctest runs named
 * *_pg set it): then each server gets a fresh database of its own in that
 * cluster, dropped by apitest_cleanup.
 */
#ifndef BOGRAPH_TESTS_API_APITEST_H
#define BOGRAPH_TESTS_API_APITEST_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    unsigned port;
    char dir[128];       /* temporary directory holding the db and the server log */
    char db[256];
    char base[64];       /* "http://127.0.0.1:PORT" */
    char pgdb[64];       /* the PostgreSQL database made for it ("" with SQLite) */
    int own_db;          /* 1: serve s->db as the test set it, whatever the run's backend */
} apitest_server;

/* The URI of the test cluster when the tests run on PostgreSQL (static
 * buffer), else NULL. */
const char *apitest_pg_uri(void);
/* A fresh PostgreSQL database in the test cluster: its URI in uri, its name
 * in name. 0 or -1. */
int apitest_pg_create(char *uri, size_t uri_len, char *name, size_t name_len);
void apitest_pg_drop(const char *name);
/* Runs SQL on the server's database behind its back (either backend);
 * 0 or -1. */
int apitest_sql(const apitest_server *s, const char *sql);
/* Runs SQL on the PostgreSQL cluster's maintenance database (as a
 * superuser): for what a database cannot do to itself. 0 or -1. */
int apitest_pg_admin_sql(const char *sql);

/* Creates a temp dir (when s->dir is empty) and starts bograph serve on it
 * with the extra arguments (NULL-terminated, may be NULL). On PostgreSQL the
 * first start makes the server's database (s->db becomes its URI); a
 * restart keeps it. 0 or -1. */
int apitest_start(apitest_server *s, const char *const *extra_args);
/* Sends sig (SIGKILL for a crash, SIGTERM for a clean stop) and waits. Returns
 * the exit status as waitpid gives it. */
int apitest_stop(apitest_server *s, int sig);
/* Removes the temp dir. */
void apitest_cleanup(apitest_server *s);

typedef struct {
    long status;
    json_t *json;        /* parsed body when it is JSON, else NULL */
    char *body;          /* raw body, NUL-terminated */
    size_t len;
    char content_type[128];
} apitest_resp;

/* One HTTP call. body may be NULL; it is sent as application/json unless
 * content_type says otherwise. token adds "Authorization: Bearer". Returns 0
 * when an HTTP answer came back (any status). */
int apitest_call_ex(const apitest_server *s, const char *method, const char *path,
                    const char *body, size_t body_len, const char *content_type,
                    const char *token, apitest_resp *out);
int apitest_call(const apitest_server *s, const char *method, const char *path, const char *body,
                 apitest_resp *out);
void apitest_resp_free(apitest_resp *r);
/* Releases the calling thread's connection (call at the end of a thread). */
void apitest_thread_done(void);

/* Calls and checks the status; returns the JSON body (owned by the caller),
 * failing the test otherwise. */
json_t *apitest_expect(const apitest_server *s, const char *method, const char *path,
                       const char *body, long status);
/* The error code of an error reply ("" when none). */
const char *apitest_error_code(const apitest_resp *r);
const char *apitest_error_field(const apitest_resp *r);

/* Creates a study from a JSON body and returns its id (static buffer per call site). */
void apitest_create_study(const apitest_server *s, const char *body, char *id, size_t id_len);

#endif
