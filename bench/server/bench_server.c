/*
 * bench_server.c - throughput of the service over real HTTP: starts the real
 * `bograph serve` (child process, loopback, temporary database) and drives
 * it with libcurl threads, one keep-alive connection each.
 *
 *   ask/tell: clients loop suggest -> complete on one study with algorithm
 *             random (so the model is not what is measured); completed
 *             cycles per second, with 1 and with 8 clients.
 *   list:     GET /v1/studies/{id}/trials?after_seq=R&limit=L on a study of
 *             10,000 trials (R random), requests per second, 8 clients.
 *
 * usage: bograph-bench-server [--seconds S] [--trials N] [--limit L] [--bin PATH]
 *        [--sync normal|full]
 */
#include <curl/curl.h>
#include <fcntl.h>
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

static char base[64];
static double seconds = 5.0;

/* libcurl's write callback: the answer into a util/buf.h buffer. */
static size_t on_data(char *p, size_t s, size_t n, void *ud)
{
    buf *b = ud;
    buf_append(b, p, s * n);
    return b->failed ? 0 : s * n;
}

static long call(CURL *c, buf *b, const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 0L);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    }
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

static pid_t start_server(const char *bin, const char *db, const char *sync)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, "serve", "--db", db, "--port", "0", "--quiet", "--sync", sync, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[512] = "";
    size_t used = 0;
    struct pollfd p = {fds[0], POLLIN, 0};
    while (used < sizeof line - 1 && poll(&p, 1, 15000) > 0) {
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
    snprintf(base, sizeof base, "http://127.0.0.1:%lu", strtoul(at + 17, NULL, 10));
    return pid;
}

static char *create_study(const char *name)
{
    CURL *c = curl_easy_init();
    buf b;
    buf_init(&b);
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"algorithm\": \"random\", \"parameters\": ["
             "{\"name\": \"x\", \"type\": \"float\", \"low\": -5, \"high\": 10},"
             "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 100000, \"log\": true},"
             "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\", \"c\"]}],"
             "\"objective\": {\"name\": \"y\"}}",
             name);
    long st = call(c, &b, "POST", "/v1/studies", body);
    json_t *j = st == 201 ? json_loads(b.data, 0, NULL) : NULL;
    char *id = j ? strdup(json_string_value(json_object_get(j, "id"))) : NULL;
    if (!id)
        fprintf(stderr, "create study: %ld %s\n", st, b.data ? b.data : "");
    json_decref(j);
    buf_free(&b);
    curl_easy_cleanup(c);
    return id;
}

typedef struct {
    const char *study;
    int index;
    int mode;            /* 0 ask/tell, 1 list, 2 import */
    long limit;
    long n_import;       /* mode 2: trials to add */
    double deadline;
    long done;
    long errors;
    unsigned seed;
} job;

static long max_after = 10000;

static void *run(void *p)
{
    job *j = p;
    CURL *c = curl_easy_init();
    buf b;
    buf_init(&b);
    char path[256], body[256];
    if (j->mode == 2) {
        for (long i = 0; i < j->n_import; i++) {
            snprintf(path, sizeof path, "/v1/studies/%s/trials", j->study);
            double x = -5.0 + 15.0 * (double)rand_r(&j->seed) / RAND_MAX;
            snprintf(body, sizeof body,
                     "{\"params\": {\"x\": %.6f, \"n\": %d, \"c\": \"b\"}, \"metrics\": "
                     "{\"y\": %.6f, \"mem\": %ld}}",
                     x, 1 + rand_r(&j->seed) % 100000, x * x, i);
            if (call(c, &b, "POST", path, body) == 201)
                j->done++;
            else
                j->errors++;
        }
    } else {
        snprintf(body, sizeof body, "{\"count\": 1, \"worker\": \"bench-%d\"}", j->index);
        while (util_monotonic() < j->deadline) {
            if (j->mode == 1) {
                long after = rand_r(&j->seed) % max_after;
                snprintf(path, sizeof path, "/v1/studies/%s/trials?after_seq=%ld&limit=%ld",
                         j->study, after, j->limit);
                if (call(c, &b, "GET", path, NULL) == 200)
                    j->done++;
                else
                    j->errors++;
                continue;
            }
            snprintf(path, sizeof path, "/v1/studies/%s/suggest", j->study);
            if (call(c, &b, "POST", path, body) != 200) {
                j->errors++;
                continue;
            }
            /* the trial id: "id":"123" is the first field of the trial */
            const char *at = strstr(b.data, "\"id\":\"");
            const char *xat = strstr(b.data, "\"x\":");
            if (!at || !xat) {
                j->errors++;
                continue;
            }
            long id = strtol(at + 6, NULL, 10);
            double x = strtod(xat + 4, NULL);
            snprintf(path, sizeof path, "/v1/studies/%s/trials/%ld/complete", j->study, id);
            snprintf(body, sizeof body, "{\"metrics\": {\"y\": %.9g}}", (x - 2) * (x - 2));
            if (call(c, &b, "POST", path, body) == 200)
                j->done++;
            else
                j->errors++;
            snprintf(body, sizeof body, "{\"count\": 1, \"worker\": \"bench-%d\"}", j->index);
        }
    }
    buf_free(&b);
    curl_easy_cleanup(c);
    return NULL;
}

/* Runs n threads of mode on study; returns the total completed operations. */
static long phase(const char *study, int mode, int n, long limit, long per_thread, double *secs,
                  long *errors)
{
    pthread_t th[64];
    job jobs[64];
    double t0 = util_monotonic();
    for (int i = 0; i < n; i++) {
        jobs[i] = (job){study, i, mode, limit, per_thread, t0 + seconds, 0, 0, (unsigned)(i * 7919 + 1)};
        pthread_create(&th[i], NULL, run, &jobs[i]);
    }
    long total = 0;
    *errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += jobs[i].done;
        *errors += jobs[i].errors;
    }
    *secs = util_monotonic() - t0;
    return total;
}

int main(int argc, char **argv)
{
    const char *bin = BOGRAPH_BIN, *sync = "normal";
    long n_trials = 10000, limit = 100;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--trials") == 0 && i + 1 < argc)
            n_trials = atol(argv[++i]);
        else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
            limit = atol(argv[++i]);
        else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
            bin = argv[++i];
        else if (strcmp(argv[i], "--sync") == 0 && i + 1 < argc)
            sync = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--seconds S] [--trials N] [--limit L] [--bin PATH] "
                            "[--sync normal|full]\n", argv[0]);
            return 2;
        }
    }
    if (seconds <= 0 || n_trials < 1 || limit < 1 || limit > 1000) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    char dir[] = "/tmp/bograph-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char db[128];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pid_t pid = start_server(bin, db, sync);
    if (pid < 0)
        return 1;
    printf("bograph service benchmark: %s, %.0f s per phase, sync=%s\n", base, seconds, sync);
    int rc = 0;
    double secs;
    long errors;
    int clients[] = {1, 8};
    double cycles[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "asktell-%d", clients[k]);
        char *study = create_study(name);
        if (!study) {
            rc = 1;
            break;
        }
        long n = phase(study, 0, clients[k], 0, 0, &secs, &errors);
        cycles[k] = n / secs;
        printf("ask/tell, algorithm random, %d client%s: %ld cycles in %.2f s = %.0f cycles/s "
               "(%ld errors)\n",
               clients[k], clients[k] > 1 ? "s" : "", n, secs, cycles[k], errors);
        if (errors)
            rc = 1;
        free(study);
    }
    char *study = rc == 0 ? create_study("list") : NULL;
    double list_rate = 0;
    if (study) {
        long n = phase(study, 2, 8, 0, (n_trials + 7) / 8, &secs, &errors);
        printf("import: %ld trials in %.2f s (%.0f/s, %ld errors)\n", n, secs, n / secs, errors);
        max_after = n;
        n = phase(study, 1, 8, limit, 0, &secs, &errors);
        list_rate = n / secs;
        printf("GET /v1/studies/{id}/trials?limit=%ld, %ld trials in the study, 8 clients: "
               "%ld requests in %.2f s = %.0f requests/s (%ld errors)\n",
               limit, max_after, n, secs, list_rate, errors);
        if (errors)
            rc = 1;
        free(study);
    }
    printf("{\"asktell_1\": %.1f, \"asktell_8\": %.1f, \"list_8\": %.1f, \"list_limit\": %ld}\n",
           cycles[0], cycles[1], list_rate, limit);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    curl_global_cleanup();
    return rc;
}
