/*
 * apitest.c - child process management and libcurl calls for the API tests.
 */
#include "apitest.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#ifndef BOGRAPH_BIN
#error "BOGRAPH_BIN must name the bograph executable"
#endif

const char *apitest_pg_uri(void)
{
    static __thread char uri[256];
    const char *file = getenv("BOGRAPH_TEST_PG_URI_FILE");
    if (!file || !*file)
        return NULL;
    FILE *f = fopen(file, "r");
    if (!f || !fgets(uri, sizeof uri, f)) {
        fprintf(stderr, "apitest: cannot read the cluster URI from %s\n", file);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    uri[strcspn(uri, "\r\n")] = '\0';
    return uri;
}

/* Runs one statement on the database at uri: 0 or -1. */
static int pg_run_sql(const char *uri, const char *sql)
{
    PGconn *db = PQconnectdb(uri);
    int ok = PQstatus(db) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(db, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "apitest: %s: %s", sql, PQerrorMessage(db));
    PQfinish(db);
    return ok ? 0 : -1;
}

int apitest_pg_create(char *uri, size_t uri_len, char *name, size_t name_len)
{
    static int counter;
    const char *base = apitest_pg_uri();
    if (!base)
        return -1;
    snprintf(name, name_len, "bgtest_%d_%d_%d", (int)getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST), rand() % 100000);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (pg_run_sql(base, sql) != 0)
        return -1;
    const char *slash = strrchr(base, '/');
    snprintf(uri, uri_len, "%.*s/%s", (int)(slash - base), base, name);
    return 0;
}

void apitest_pg_drop(const char *name)
{
    const char *base = apitest_pg_uri();
    if (!base || !name || !*name)
        return;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_run_sql(base, sql);
}

int apitest_pg_admin_sql(const char *sql)
{
    const char *base = apitest_pg_uri();
    return base ? pg_run_sql(base, sql) : -1;
}

int apitest_sql(const apitest_server *s, const char *sql)
{
    if (s->pgdb[0])
        return pg_run_sql(s->db, sql);
    sqlite3 *db;
    if (sqlite3_open(s->db, &db) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(db, 10000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    sqlite3_close(db);
    return rc;
}

int apitest_start(apitest_server *s, const char *const *extra_args)
{
    if (!s->dir[0]) {
        snprintf(s->dir, sizeof s->dir, "/tmp/bograph-api-XXXXXX");
        if (!mkdtemp(s->dir))
            return -1;
        snprintf(s->db, sizeof s->db, "%s/test.db", s->dir);
    }
    if (apitest_pg_uri() && !s->pgdb[0] && !s->own_db &&
        apitest_pg_create(s->db, sizeof s->db, s->pgdb, sizeof s->pgdb) != 0)
        return -1;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    char log[300];
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* a failed test must not leave its server behind */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0)
            dup2(fd, 2);
        const char *argv[64];
        size_t n = 0;
        argv[n++] = BOGRAPH_BIN;
        argv[n++] = "serve";
        argv[n++] = "--db";
        argv[n++] = s->db;
        argv[n++] = "--port";
        argv[n++] = "0";
        for (size_t i = 0; extra_args && extra_args[i] && n < 62; i++)
            argv[n++] = extra_args[i];
        argv[n] = NULL;
        execv(BOGRAPH_BIN, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    s->pid = pid;
    /* The first line of stdout says where it listens. */
    char line[512];
    size_t used = 0;
    struct pollfd p = {pipefd[0], POLLIN, 0};
    while (used < sizeof line - 1) {
        if (poll(&p, 1, 15000) <= 0)
            break;
        ssize_t r = read(pipefd[0], line + used, sizeof line - 1 - used);
        if (r <= 0)
            break;
        used += (size_t)r;
        line[used] = '\0';
        if (strchr(line, '\n'))
            break;
    }
    line[used] = '\0';
    close(pipefd[0]);
    const char *at = strstr(line, "http://127.0.0.1:");
    if (!at) {
        fprintf(stderr, "server did not start: '%s' (see %s)\n", line, log);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    s->port = (unsigned)strtoul(at + strlen("http://127.0.0.1:"), NULL, 10);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", s->port);
    return 0;
}

int apitest_stop(apitest_server *s, int sig)
{
    int status = 0;
    if (s->pid > 0) {
        kill(s->pid, sig);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
    }
    return status;
}

void apitest_cleanup(apitest_server *s)
{
    if (s->pid > 0)
        apitest_stop(s, SIGKILL);
    if (s->pgdb[0]) {
        apitest_pg_drop(s->pgdb);
        s->pgdb[0] = '\0';
    }
    if (s->dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", s->dir);
        s->dir[0] = '\0';
    }
}

typedef struct {
    char *buf;
    size_t len, cap;
} grow_buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    grow_buf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *g = realloc(b->buf, cap);
        if (!g)
            return 0;
        b->buf = g;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, ptr, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

static __thread CURL *tl_curl;

int apitest_call_ex(const apitest_server *s, const char *method, const char *path,
                    const char *body, size_t body_len, const char *content_type,
                    const char *token, apitest_resp *out)
{
    memset(out, 0, sizeof *out);
    if (!tl_curl)
        tl_curl = curl_easy_init();
    CURL *c = tl_curl;
    curl_easy_reset(c);
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    grow_buf b = {0};
    struct curl_slist *h = NULL;
    char auth[300], ct[200];
    if (body) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/json");
        h = curl_slist_append(h, ct);
        h = curl_slist_append(h, "Expect:");
    }
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
        free(b.buf);
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *type = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
    snprintf(out->content_type, sizeof out->content_type, "%s", type ? type : "");
    out->body = b.buf ? b.buf : strdup("");
    out->len = b.len;
    if (strncmp(out->content_type, "application/json", 16) == 0)
        out->json = json_loadb(out->body, out->len, 0, NULL);
    return 0;
}

void apitest_thread_done(void)
{
    if (tl_curl)
        curl_easy_cleanup(tl_curl);
    tl_curl = NULL;
}

int apitest_call(const apitest_server *s, const char *method, const char *path, const char *body,
                 apitest_resp *out)
{
    return apitest_call_ex(s, method, path, body, body ? strlen(body) : 0, NULL, NULL, out);
}

void apitest_resp_free(apitest_resp *r)
{
    json_decref(r->json);
    free(r->body);
    memset(r, 0, sizeof *r);
}

json_t *apitest_expect(const apitest_server *s, const char *method, const char *path,
                       const char *body, long status)
{
    apitest_resp r;
    if (apitest_call(s, method, path, body, &r) != 0)
        fail_msg("%s %s: no answer", method, path);
    if (r.status != status)
        fail_msg("%s %s: status %ld, expected %ld: %s", method, path, r.status, status, r.body);
    json_t *j = r.json ? json_incref(r.json) : NULL;
    if (!j)
        fail_msg("%s %s: body is not JSON: %s", method, path, r.body);
    apitest_resp_free(&r);
    return j;
}

const char *apitest_error_code(const apitest_resp *r)
{
    const char *c = json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
    return c ? c : "";
}

const char *apitest_error_field(const apitest_resp *r)
{
    const char *c = json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
    return c ? c : "";
}

void apitest_create_study(const apitest_server *s, const char *body, char *id, size_t id_len)
{
    json_t *j = apitest_expect(s, "POST", "/v1/studies", body, 201);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
}
