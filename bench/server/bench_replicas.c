/*
 * bench_replicas.c - ask/tell throughput of several `bograph serve`
 * replicas on one database: starts --replicas N services on --db (a SQLite
 * file or a PostgreSQL URI, which must hold no study named bench-*), spreads
 * --clients C libcurl threads over them (client i on replica i mod N, one
 * keep-alive connection each) and over --studies K studies (client i on
 * study i mod K), each looping suggest -> complete for --seconds S. Prints
 * completed cycles per second and the mean suggest and complete latencies.
 *
 * Several replicas on one SQLite file run (SQLite's file lock orders their
 * writes) but without the cross-replica study lock: the figure is for
 * comparison only; replicas are a PostgreSQL deployment (docs/scaling.md).
 *
 * usage: bograph-bench-replicas --db DB [--replicas N] [--clients C]
 *        [--studies K] [--seconds S] [--algorithm random|gp|...] [--bin PATH]
 */
#include <curl/curl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/util.h"

#ifndef BOGRAPH_BIN
#define BOGRAPH_BIN "bograph"
#endif

#define MAX_REPLICAS 8
#define MAX_CLIENTS 64
#define MAX_STUDIES 64

static char bases[MAX_REPLICAS][64];
static char study_ids[MAX_STUDIES][32];
static int n_replicas = 1, n_clients = 8, n_studies = 1;
static double seconds = 10.0;
static const char *algorithm = "random";
static volatile int stop_now;

typedef struct {
    int index;
    long cycles, errors;
    double suggest_s, complete_s;
} client_state;

/* libcurl's write callback: the answer into a util/buf.h buffer. */
static size_t on_data(char *p, size_t s, size_t n, void *ud)
{
    buf *b = ud;
    buf_append(b, p, s * n);
    return b->failed ? 0 : s * n;
}

static long post(CURL *c, buf *b, const char *base, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

static pid_t start_server(const char *bin, const char *db, char *base, size_t base_len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, "serve", "--db", db, "--port", "0", "--quiet", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[512] = "";
    size_t used = 0;
    struct pollfd p = {fds[0], POLLIN, 0};
    while (used < sizeof line - 1 && poll(&p, 1, 30000) > 0) {
        ssize_t r = read(fds[0], line + used, sizeof line - 1 - used);
        if (r <= 0)
            break;
        used += (size_t)r;
        line[used] = '\0';
        if (strchr(line, '\n'))
            break;
    }
    close(fds[0]);
    const char *at = strstr(line, "http://127.0.0.1:");
    if (!at) {
        fprintf(stderr, "server did not start: %s\n", line);
        kill(pid, SIGKILL);
        return -1;
    }
    snprintf(base, base_len, "http://127.0.0.1:%lu", strtoul(at + 17, NULL, 10));
    return pid;
}

static void *client_run(void *p)
{
    client_state *cs = p;
    CURL *c = curl_easy_init();
    buf b;
    buf_init(&b);
    const char *base = bases[cs->index % n_replicas];
    const char *sid = study_ids[cs->index % n_studies];
    char path[128], body[96];
    snprintf(body, sizeof body, "{\"count\": 1, \"worker\": \"bench-%d\"}", cs->index);
    while (!stop_now) {
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
        double t0 = util_monotonic();
        long st = post(c, &b, base, path, body);
        double t1 = util_monotonic();
        json_t *j = st == 200 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
        json_t *t = json_array_get(json_object_get(j, "trials"), 0);
        const char *tid = json_string_value(json_object_get(t, "id"));
        double x = json_real_value(json_object_get(json_object_get(t, "params"), "x"));
        if (!tid) {
            cs->errors++;
            json_decref(j);
            continue;
        }
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%s/complete", sid, tid);
        json_decref(j);
        char done[96];
        snprintf(done, sizeof done, "{\"metrics\": {\"y\": %.6f}}", (x - 0.3) * (x - 0.3));
        st = post(c, &b, base, path, done);
        double t2 = util_monotonic();
        if (st != 200) {
            cs->errors++;
            continue;
        }
        cs->cycles++;
        cs->suggest_s += t1 - t0;
        cs->complete_s += t2 - t1;
    }
    buf_free(&b);
    curl_easy_cleanup(c);
    return NULL;
}

static int create_studies(void)
{
    CURL *c = curl_easy_init();
    buf b;
    buf_init(&b);
    char body[512];
    int ok = 1;
    long tag = (long)time(NULL) ^ (long)getpid();
    for (int i = 0; i < n_studies && ok; i++) {
        snprintf(body, sizeof body,
                 "{\"name\": \"bench-%ld-%d\", \"parameters\": [{\"name\": \"x\", \"type\": "
                 "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, "
                 "\"algorithm\": \"%s\"}",
                 tag, i, algorithm);
        json_t *j = post(c, &b, bases[0], "/v1/studies", body) == 201
                        ? json_loadb(b.data, b.len, 0, NULL)
                        : NULL;
        const char *id = json_string_value(json_object_get(j, "id"));
        if (id)
            snprintf(study_ids[i], sizeof study_ids[i], "%s", id);
        else
            ok = 0, fprintf(stderr, "creating a study: %s\n", b.data ? b.data : "no answer");
        json_decref(j);
    }
    buf_free(&b);
    curl_easy_cleanup(c);
    return ok ? 0 : -1;
}

static int parse_args(int argc, char **argv, const char **db, const char **bin)
{
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--db") == 0 && v)
            *db = v;
        else if (strcmp(argv[i], "--replicas") == 0 && v)
            n_replicas = atoi(v);
        else if (strcmp(argv[i], "--clients") == 0 && v)
            n_clients = atoi(v);
        else if (strcmp(argv[i], "--studies") == 0 && v)
            n_studies = atoi(v);
        else if (strcmp(argv[i], "--seconds") == 0 && v)
            seconds = atof(v);
        else if (strcmp(argv[i], "--algorithm") == 0 && v)
            algorithm = v;
        else if (strcmp(argv[i], "--bin") == 0 && v)
            *bin = v;
        else
            return -1;
        i++;
    }
    return *db && n_replicas >= 1 && n_replicas <= MAX_REPLICAS && n_clients >= 1 &&
                   n_clients <= MAX_CLIENTS && n_studies >= 1 && n_studies <= MAX_STUDIES &&
                   seconds > 0
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *bin = BOGRAPH_BIN;
    if (parse_args(argc, argv, &db, &bin) != 0) {
        fprintf(stderr, "usage: %s --db DB [--replicas N] [--clients C] [--studies K] "
                        "[--seconds S] [--algorithm A] [--bin PATH]\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pid_t pids[MAX_REPLICAS];
    int rc = 0, started = 0;
    for (; started < n_replicas; started++) {
        pids[started] = start_server(bin, db, bases[started], sizeof bases[started]);
        if (pids[started] < 0) {
            rc = 1;
            break;
        }
    }
    if (rc == 0 && create_studies() != 0)
        rc = 1;
    if (rc == 0) {
        pthread_t th[MAX_CLIENTS];
        client_state cs[MAX_CLIENTS];
        memset(cs, 0, sizeof cs);
        double t0 = util_monotonic();
        for (int i = 0; i < n_clients; i++) {
            cs[i].index = i;
            pthread_create(&th[i], NULL, client_run, &cs[i]);
        }
        struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
        nanosleep(&ts, NULL);
        stop_now = 1;
        long cycles = 0, errors = 0;
        double sug = 0, com = 0;
        for (int i = 0; i < n_clients; i++) {
            pthread_join(th[i], NULL);
            cycles += cs[i].cycles;
            errors += cs[i].errors;
            sug += cs[i].suggest_s;
            com += cs[i].complete_s;
        }
        double el = util_monotonic() - t0;
        printf("replicas=%d clients=%d studies=%d algorithm=%s: %.0f cycles/s, suggest %.1f ms, "
               "complete %.1f ms (mean), %ld errors\n",
               n_replicas, n_clients, n_studies, algorithm, (double)cycles / el,
               cycles ? 1e3 * sug / (double)cycles : 0.0, cycles ? 1e3 * com / (double)cycles : 0.0,
               errors);
    }
    for (int i = 0; i < started; i++) {
        kill(pids[i], SIGTERM);
        waitpid(pids[i], NULL, 0);
    }
    curl_global_cleanup();
    return rc;
}
