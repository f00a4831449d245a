/*
 * test_api_replicas.c - three `bograph serve` replicas on one PostgreSQL
 * database (the test cluster), a dozen workers spread over them and a
 * poller following the study by after_seq through all three; replica 1 is
 * killed with SIGKILL mid-run and started again. Afterwards: every
 * acknowledged result is stored with its value, no configuration was
 * suggested twice, there is one default trial, the budget is kept exactly
 * (a trial abandoned by a worker expires and, being started, counts
 * against the budget, as docs/api.md says), and the poller
 * saw every change once, in seq order, ending at each trial's final state.
 * And a replica whose database stops answering says so on /healthz (503)
 * and /metrics, answers requests with 503 unavailable (not 500), and serves
 * again once it answers; `bograph worker --url
 * A,B,C` moves on when its replica dies and finishes the study.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "apitest.h"

#define N_REPLICAS 3
#define N_WORKERS 12
#define BUDGET 40
#define MAX_TRIALS 128
#define LEASE_SECONDS 6

static apitest_server rep[N_REPLICAS];
static int rep_down[N_REPLICAS];
static char sid[32];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double acked[MAX_TRIALS];        /* by trial id: the value a 200 acknowledged */
static int is_acked[MAX_TRIALS];
static int n_acked, n_unanswered, restarted, failures, workers_left;
static char first_failure[512];

/* The poller's view: the last (seq, state) seen per trial, and every seq. */
static long seen_seq[MAX_TRIALS];
static char seen_state[MAX_TRIALS][16];
static int repeated_seq, backwards_seq;

static void failure(const char *what, const apitest_resp *r)
{
    pthread_mutex_lock(&mu);
    if (!failures)
        snprintf(first_failure, sizeof first_failure, "%s: %ld %s", what, r ? r->status : 0L,
                 r && r->body ? r->body : "no answer");
    failures++;
    pthread_mutex_unlock(&mu);
}

/* A copy of replica k to call (NULL when it is down). */
static int replica(int k, apitest_server *out)
{
    pthread_mutex_lock(&mu);
    int up = !rep_down[k % N_REPLICAS];
    if (up)
        *out = rep[k % N_REPLICAS];
    pthread_mutex_unlock(&mu);
    return up;
}

/* Calls path on replica *k, moving on to the next replica while the call
 * gets no answer (a replica killed or restarting); 0 with the answer. */
static int call_any(int *k, const char *method, const char *path, const char *body,
                    apitest_resp *r)
{
    for (int attempt = 0; attempt < 600; attempt++, (*k)++) {
        apitest_server s;
        if (replica(*k, &s) && apitest_call(&s, method, path, body, r) == 0)
            return 0;
        pthread_mutex_lock(&mu);
        n_unanswered++;
        pthread_mutex_unlock(&mu);
        usleep(20 * 1000);
    }
    return -1;
}

static double objective(double x)
{
    return (x - 0.37) * (x - 0.37) + 0.1;
}

/* One worker: suggest, complete, through replicas in turn, until done. */
static void *worker(void *p)
{
    int w = (int)(long)p, k = w;
    char body[128], path[256];
    snprintf(body, sizeof body, "{\"count\": 1, \"worker\": \"w%d\"}", w);
    for (;;) {
        apitest_resp r;
        snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
        if (call_any(&k, "POST", path, body, &r) != 0 || r.status != 200 || !r.json) {
            failure("suggest", &r);
            apitest_resp_free(&r);
            break;
        }
        json_t *trials = json_object_get(r.json, "trials");
        int done = json_is_true(json_object_get(r.json, "done"));
        if (json_array_size(trials) == 0) {
            apitest_resp_free(&r);
            if (done)
                break;
            usleep(100 * 1000); /* the rest of the budget is leased elsewhere */
            continue;
        }
        json_t *t = json_array_get(trials, 0);
        long id = strtol(json_string_value(json_object_get(t, "id")), NULL, 10);
        double x = json_real_value(json_object_get(json_object_get(t, "params"), "x"));
        apitest_resp_free(&r);
        double y = objective(x);
        char done_body[128];
        snprintf(done_body, sizeof done_body, "{\"metrics\": {\"y\": %.17g}}", y);
        snprintf(path, sizeof path, "/v1/studies/%s/trials/%ld/complete", sid, id);
        k++; /* complete through another replica than the one that leased it */
        if (call_any(&k, "POST", path, done_body, &r) != 0 || r.status != 200) {
            failure("complete", &r);
            apitest_resp_free(&r);
            break;
        }
        apitest_resp_free(&r);
        pthread_mutex_lock(&mu);
        if (id > 0 && id < MAX_TRIALS) {
            acked[id] = y;
            is_acked[id] = 1;
        }
        n_acked++;
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    workers_left--;
    pthread_mutex_unlock(&mu);
    apitest_thread_done();
    return NULL;
}

/* One page of changes after *after, through replica *k; 1 when it was
 * empty. */
static int poll_once(int *k, long *after)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/studies/%s/trials?after_seq=%ld&limit=7", sid, *after);
    apitest_resp r;
    (*k)++;
    if (call_any(k, "GET", path, NULL, &r) != 0 || r.status != 200 || !r.json) {
        failure("poll", &r);
        apitest_resp_free(&r);
        return 1;
    }
    json_t *trials = json_object_get(r.json, "trials");
    size_t n = json_array_size(trials);
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(trials, i);
        long id = strtol(json_string_value(json_object_get(t, "id")), NULL, 10);
        long seq = (long)json_integer_value(json_object_get(t, "seq"));
        if (seq == *after)
            repeated_seq++;
        else if (seq < *after)
            backwards_seq++;
        *after = seq;
        if (id > 0 && id < MAX_TRIALS) {
            seen_seq[id] = seq;
            snprintf(seen_state[id], sizeof seen_state[id], "%s",
                     json_string_value(json_object_get(t, "state")));
        }
    }
    pthread_mutex_unlock(&mu);
    apitest_resp_free(&r);
    return n == 0;
}

static void *poller(void *p)
{
    (void)p;
    int k = 0;
    long after = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        int running = workers_left > 0;
        pthread_mutex_unlock(&mu);
        if (poll_once(&k, &after) && !running)
            break;
        usleep(20 * 1000);
    }
    apitest_thread_done();
    return NULL;
}

static const char *const args[] = {"--quiet", NULL};

/* Kills replica 1 with SIGKILL once a dozen results are in, and starts it again. */
static void kill_and_restart(void)
{
    for (int i = 0; i < 3000; i++) {
        pthread_mutex_lock(&mu);
        int go = n_acked >= 12 || workers_left == 0;
        pthread_mutex_unlock(&mu);
        if (go)
            break;
        usleep(10 * 1000);
    }
    pthread_mutex_lock(&mu);
    rep_down[1] = 1;
    pid_t pid = rep[1].pid;
    pthread_mutex_unlock(&mu);
    kill(pid, SIGKILL);
    apitest_server again = rep[1];
    apitest_stop(&again, SIGKILL);
    assert_int_equal(apitest_start(&again, args), 0);
    pthread_mutex_lock(&mu);
    rep[1] = again;
    rep_down[1] = 0;
    restarted++;
    pthread_mutex_unlock(&mu);
}

/* The final trials, by id, through replica 2. */
static json_t *all_trials(void)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/trials?limit=1000", sid);
    json_t *j = apitest_expect(&rep[2], "GET", path, NULL, 200);
    json_t *trials = json_incref(json_object_get(j, "trials"));
    json_decref(j);
    return trials;
}

static void check_final(json_t *trials)
{
    size_t n = json_array_size(trials), n_default = 0, n_finished = 0, n_expired = 0;
    double xs[MAX_TRIALS];
    size_t n_xs = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(trials, i);
        long id = strtol(json_string_value(json_object_get(t, "id")), NULL, 10);
        const char *state = json_string_value(json_object_get(t, "state"));
        long seq = (long)json_integer_value(json_object_get(t, "seq"));
        double x = json_real_value(json_object_get(json_object_get(t, "params"), "x"));
        assert_true(id > 0 && id < MAX_TRIALS);
        n_default += json_is_true(json_object_get(t, "is_default"));
        if (strcmp(state, "expired") == 0) {
            n_expired++;
        } else {
            assert_string_equal(state, "completed");
            n_finished++;
            for (size_t j = 0; j < n_xs; j++)
                if (xs[j] == x)
                    fail_msg("x = %.17g suggested twice", x);
            xs[n_xs++] = x;
        }
        if (is_acked[id])
            assert_true(json_real_value(json_object_get(t, "objective")) == acked[id]);
        /* the poller ended at this trial's final change */
        if (seen_seq[id] != seq || strcmp(seen_state[id], state) != 0)
            fail_msg("trial %ld: poller saw seq %ld %s, final seq %ld %s", id, seen_seq[id],
                     seen_state[id], seq, state);
    }
    assert_int_equal(n_default, 1);
    assert_int_equal(n_finished, BUDGET - 1);
    assert_int_equal(n_expired, 1); /* the abandoned one, started: part of the budget */
    for (long id = 1; id < MAX_TRIALS; id++)
        if (is_acked[id]) {
            int found = 0;
            for (size_t i = 0; i < n && !found; i++)
                found = strtol(json_string_value(json_object_get(json_array_get(trials, i), "id")),
                               NULL, 10) == id;
            if (!found)
                fail_msg("acknowledged trial %ld is missing", id);
        }
}

/* A worker that takes two trials, completes the default and walks away
 * from the other, whose lease then expires. */
static void abandon_one(void)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", sid);
    json_t *j = apitest_expect(&rep[0], "POST", path, "{\"count\": 2, \"worker\": \"ghost\"}", 200);
    json_t *trials = json_object_get(j, "trials");
    assert_int_equal(json_array_size(trials), 2);
    json_t *def = json_array_get(trials, 0);
    assert_true(json_is_true(json_object_get(def, "is_default")));
    long id = strtol(json_string_value(json_object_get(def, "id")), NULL, 10);
    double y = objective(json_real_value(json_object_get(json_object_get(def, "params"), "x")));
    char body[128];
    snprintf(path, sizeof path, "/v1/studies/%s/trials/%ld/complete", sid, id);
    snprintf(body, sizeof body, "{\"metrics\": {\"y\": %.17g}}", y);
    json_decref(apitest_expect(&rep[1], "POST", path, body, 200));
    acked[id] = y;
    is_acked[id] = 1;
    json_decref(j);
}

static void test_replicas(void **state)
{
    (void)state;
    for (int i = 0; i < N_REPLICAS; i++) {
        memset(&rep[i], 0, sizeof rep[i]);
        if (i > 0) {
            /* the others on the first one's database */
            snprintf(rep[i].dir, sizeof rep[i].dir, "/tmp/bograph-api-XXXXXX");
            assert_non_null(mkdtemp(rep[i].dir));
            snprintf(rep[i].db, sizeof rep[i].db, "%s", rep[0].db);
            snprintf(rep[i].pgdb, sizeof rep[i].pgdb, "%s", rep[0].pgdb);
        }
        assert_int_equal(apitest_start(&rep[i], args), 0);
    }
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\": \"replicated\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", "
             "\"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}, \"default\": "
             "{\"x\": 0.5}, \"algorithm\": \"gp\", \"budget\": %d, \"lease_seconds\": %d, "
             "\"seed\": 3}",
             BUDGET, LEASE_SECONDS);
    apitest_create_study(&rep[1], body, sid, sizeof sid);
    abandon_one();

    workers_left = N_WORKERS;
    pthread_t th[N_WORKERS], poll_th;
    pthread_create(&poll_th, NULL, poller, NULL);
    for (long i = 0; i < N_WORKERS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    kill_and_restart();
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(th[i], NULL);
    pthread_join(poll_th, NULL);
    if (failures)
        fail_msg("%d failures, first: %s", failures, first_failure);
    assert_int_equal(restarted, 1);
    assert_int_equal(repeated_seq, 0);
    assert_int_equal(backwards_seq, 0);
    json_t *trials = all_trials();
    check_final(trials);
    json_decref(trials);
    /* the restarted replica answers like the others */
    char path[128];
    snprintf(path, sizeof path, "/v1/studies/%s", sid);
    json_t *st = apitest_expect(&rep[1], "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(st, "state")), "done");
    json_decref(st);
    print_message("acknowledged %d results, %d calls went unanswered while replica 1 was down\n",
                  n_acked, n_unanswered);
    for (int i = N_REPLICAS - 1; i >= 0; i--)
        apitest_cleanup(&rep[i]);
}

/* Runs sql on the cluster's maintenance database. */
static void admin(const char *sql)
{
    apitest_server m;
    memset(&m, 0, sizeof m);
    snprintf(m.db, sizeof m.db, "%s", apitest_pg_uri());
    snprintf(m.pgdb, sizeof m.pgdb, "postgres");
    assert_int_equal(apitest_sql(&m, sql), 0);
}

static void test_database_outage(void **state)
{
    (void)state;
    apitest_server s;
    memset(&s, 0, sizeof s);
    assert_int_equal(apitest_start(&s, args), 0);
    char id[32], sql[256];
    apitest_create_study(&s,
                         "{\"name\": \"o\", \"parameters\": [{\"name\": \"x\", \"type\": "
                         "\"float\", \"low\": 0, \"high\": 1}], \"objective\": {\"name\": \"y\"}}",
                         id, sizeof id);
    /* the database refuses connections and drops the open ones */
    snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS false", s.pgdb);
    admin(sql);
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'",
             s.pgdb);
    admin(sql);
    json_t *h = apitest_expect(&s, "GET", "/healthz", NULL, 503);
    assert_string_equal(json_string_value(json_object_get(h, "database")), "unavailable");
    assert_string_equal(json_string_value(json_object_get(h, "backend")), "postgres");
    json_decref(h);
    apitest_resp r;
    assert_int_equal(apitest_call(&s, "GET", "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "bograph_database_up{backend=\"postgres\"} 0"));
    apitest_resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    assert_int_equal(apitest_call(&s, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 503);
    assert_string_equal(apitest_error_code(&r), "unavailable");
    apitest_resp_free(&r);
    /* back: the same replica serves again, without a restart */
    snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS true", s.pgdb);
    admin(sql);
    json_decref(apitest_expect(&s, "GET", "/healthz", NULL, 200));
    json_decref(apitest_expect(&s, "GET", path, NULL, 200));
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", id);
    json_decref(apitest_expect(&s, "POST", path, "{\"count\": 1}", 200));
    apitest_cleanup(&s);
}

/* The counts of study id through s. */
static long finished(const apitest_server *s, const char *id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/studies/%s", id);
    json_t *st = apitest_expect(s, "GET", path, NULL, 200);
    json_t *c = json_object_get(st, "counts");
    long n = (long)(json_integer_value(json_object_get(c, "completed")) +
                    json_integer_value(json_object_get(c, "failed")) +
                    json_integer_value(json_object_get(c, "infeasible")));
    json_decref(st);
    return n;
}

static void test_worker_failover(void **state)
{
    (void)state;
    apitest_server a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(apitest_start(&a, args), 0);
    snprintf(b.dir, sizeof b.dir, "/tmp/bograph-api-XXXXXX");
    assert_non_null(mkdtemp(b.dir));
    snprintf(b.db, sizeof b.db, "%s", a.db);
    snprintf(b.pgdb, sizeof b.pgdb, "%s", a.pgdb);
    assert_int_equal(apitest_start(&b, args), 0);
    char id[32], urls[256], out[200];
    apitest_create_study(&b, "{\"name\": \"fo\", \"plugin\": \"partition\", \"budget\": 40, "
                             "\"algorithm\": \"random\"}", id, sizeof id);
    /* a dead address first, then the replica to kill, then the survivor */
    snprintf(urls, sizeof urls, "http://127.0.0.1:1,%s,%s", a.base, b.base);
    snprintf(out, sizeof out, "%s/worker.out", b.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen(out, "w", stdout);
        if (!f || !freopen(out, "a", stderr))
            _exit(127);
        execl(BOGRAPH_BIN, BOGRAPH_BIN, "worker", "--url", urls, "--study", id, "--name", "fo1",
              (char *)NULL);
        _exit(127);
    }
    /* early: under a loaded machine the poll may lag several trials */
    for (int i = 0; i < 3000 && finished(&b, id) < 2; i++)
        usleep(10 * 1000);
    apitest_stop(&a, SIGKILL);
    long at_kill = finished(&b, id);
    int status = -1;
    for (int i = 0; i < 1200; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        usleep(100 * 1000);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        kill(pid, SIGKILL);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "cat %s >&2", out);
        if (system(cmd) != 0)
            fprintf(stderr, "no worker output\n");
        fail_msg("the worker did not finish after its replica died");
    }
    assert_int_equal(finished(&b, id), 40);
    print_message("the replica died with %ld of 40 trials finished\n", at_kill);
    assert_true(at_kill < 40); /* the worker had work left when it lost its replica */
    apitest_cleanup(&b);
    apitest_cleanup(&a);
}

int main(void)
{
    if (!apitest_pg_uri()) {
        fprintf(stderr, "test_api_replicas needs the test cluster (BOGRAPH_TEST_PG_URI_FILE)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replicas),
        cmocka_unit_test(test_database_outage),
        cmocka_unit_test(test_worker_failover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
