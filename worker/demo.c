/*
 * demo.c - the demo study and its worker thread, a client of the service's
 * own HTTP API.
 */
#include "worker/demo.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "worker/client.h"
#include "util/util.h"

struct demo {
    client *c;              /* used by the demo thread only, once started */
    char study[32];
    double delay;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int started;
};

#define DEMO_STR_(x) #x
#define DEMO_STR(x) DEMO_STR_(x)

static const char demo_body[] =
    "{\"name\": \"demo\", \"algorithm\": \"bograph\", \"budget\": " DEMO_STR(DEMO_BUDGET) ","
    " \"seed\": 1,"
    " \"if_exists\": \"return\","
    " \"parameters\": ["
    "  {\"name\": \"freq_ghz\", \"type\": \"float\", \"low\": 0.8, \"high\": 3.6},"
    "  {\"name\": \"cores\", \"type\": \"int\", \"low\": 1, \"high\": 32, \"log\": true},"
    "  {\"name\": \"cache_mb\", \"type\": \"ordinal\", \"values\": [2, 4, 8, 16, 32, 64]},"
    "  {\"name\": \"policy\", \"type\": \"categorical\", \"choices\": [\"lru\", \"lfu\", \"fifo\"]}],"
    " \"objective\": {\"name\": \"edp\", \"goal\": \"minimize\"},"
    " \"constraints\": [{\"metric\": \"latency_ms\", \"op\": \"<=\", \"value\": 100}],"
    " \"default\": {\"freq_ghz\": 2.0, \"cores\": 4, \"cache_mb\": 8, \"policy\": \"lru\"},"
    " \"knowledge\": {\"edges\": [[\"cache_mb\", \"hit_rate\"]], \"forbidden\": [],"
    "  \"models\": {\"edp\": \"energy_j * latency_ms\"}}}";

double demo_system(double freq, double cores, double cache_mb, int policy, double *latency_ms,
                   double *energy_j, double *hit_rate)
{
    /* hit rate grows with the cache and depends on the policy */
    static const double policy_gain[] = {0.0, 0.06, -0.08};
    double hit = 0.55 + 0.1 * log2(cache_mb) / 6.0 * 3.0 + policy_gain[policy % 3];
    if (hit > 0.99)
        hit = 0.99;
    /* work splits over cores with a serial part (Amdahl), misses cost time */
    double work = 400.0 / freq * (0.15 + 0.85 / cores);
    double lat = work * (1.0 + 2.5 * (1.0 - hit)) + 0.4 * cores;
    /* dynamic power ~ f^2 per core, plus static power of the cache */
    double power = cores * 0.6 * freq * freq + 0.05 * cache_mb + 2.0;
    double energy = power * lat / 1000.0;
    *latency_ms = lat;
    *energy_j = energy;
    *hit_rate = hit;
    return energy * lat;
}

/* POST path body (JSON text); returns the parsed answer when the status is 2xx. */
static json_t *post(client *c, const char *path, const char *body, long *status, char *err,
                    size_t err_len)
{
    json_t *req = json_loads(body, 0, NULL);
    json_t *ans = NULL;
    int rc = req ? client_request(c, "POST", path, req, status, &ans, err, err_len) : -1;
    json_decref(req);
    if (rc != 0)
        return NULL;
    if (*status / 100 != 2 || !ans) {
        util_err(err, err_len, "%s: %ld %s", path, *status, client_error_message(ans));
        json_decref(ans);
        return NULL;
    }
    return ans;
}

/* Waits up to secs; 1 when asked to stop. */
static int pause_or_stop(demo *d, double secs)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double until = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + secs;
    ts.tv_sec = (time_t)until;
    ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
    pthread_mutex_lock(&d->mu);
    while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0)
        ;
    int stop = d->stop;
    pthread_mutex_unlock(&d->mu);
    return stop;
}

static void *demo_main(void *p)
{
    demo *d = p;
    client *c = d->c;
    char path[128], err[512];
    snprintf(path, sizeof path, "/v1/studies/%s/suggest", d->study);
    unsigned seed = 12345;
    while (!pause_or_stop(d, d->delay)) {
        long status;
        json_t *ans = post(c, path, "{\"count\": 1, \"worker\": \"demo\"}", &status, err,
                           sizeof err);
        if (!ans) {
            fprintf(stderr, "bograph demo: %s\n", err);
            if (pause_or_stop(d, 5.0))
                break;
            continue;
        }
        json_t *t = json_array_get(json_object_get(ans, "trials"), 0);
        if (json_is_true(json_object_get(ans, "done")) || !t) {
            int done = json_is_true(json_object_get(ans, "done"));
            json_decref(ans);
            if (done) {
                fprintf(stderr, "bograph demo: the demo study's budget is spent; the dashboard "
                                "stays up until Ctrl-C\n");
                break;
            }
            continue;
        }
        json_t *pa = json_object_get(t, "params");
        const char *pol = json_string_value(json_object_get(pa, "policy"));
        int policy = pol && strcmp(pol, "lfu") == 0 ? 1 : pol && strcmp(pol, "fifo") == 0 ? 2 : 0;
        double lat, energy, hit;
        double edp = demo_system(json_number_value(json_object_get(pa, "freq_ghz")),
                                 json_number_value(json_object_get(pa, "cores")),
                                 json_number_value(json_object_get(pa, "cache_mb")), policy, &lat,
                                 &energy, &hit);
        /* a little measurement noise, as on a real machine */
        double noise = 1.0 + 0.02 * ((double)rand_r(&seed) / RAND_MAX - 0.5);
        char body[512], done_path[160];
        snprintf(body, sizeof body,
                 "{\"metrics\": {\"edp\": %.9g, \"latency_ms\": %.9g, \"energy_j\": %.9g, "
                 "\"hit_rate\": %.6f}}",
                 edp * noise, lat * noise, energy, hit);
        snprintf(done_path, sizeof done_path, "/v1/studies/%s/trials/%s/complete", d->study,
                 json_string_value(json_object_get(t, "id")));
        json_t *r = post(c, done_path, body, &status, err, sizeof err);
        if (!r)
            fprintf(stderr, "bograph demo: %s\n", err);
        json_decref(r);
        json_decref(ans);
    }
    return NULL;
}

int demo_start(const char *base_url, const char *token, double delay, demo **out,
               char *study_id, char *err, size_t err_len)
{
    *out = NULL;
    demo *d = calloc(1, sizeof *d);
    if (!d)
        return util_err(err, err_len, "out of memory");
    d->delay = delay > 0 ? delay : 1.0;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->c = client_new(base_url, token, err, err_len);
    long status = 0;
    json_t *st = d->c ? post(d->c, "/v1/studies", demo_body, &status, err, err_len) : NULL;
    const char *id = json_string_value(json_object_get(st, "id"));
    if (!id) {
        if (st)
            util_err(err, err_len, "the demo study has no id");
        json_decref(st);
        demo_stop(d);
        return -1;
    }
    snprintf(d->study, sizeof d->study, "%s", id);
    snprintf(study_id, 32, "%s", id);
    json_decref(st);
    if (pthread_create(&d->thread, NULL, demo_main, d) != 0) {
        demo_stop(d);
        return util_err(err, err_len, "cannot start the demo worker");
    }
    d->started = 1;
    *out = d;
    return 0;
}

void demo_stop(demo *d)
{
    if (!d)
        return;
    if (d->started) {
        pthread_mutex_lock(&d->mu);
        d->stop = 1;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->thread, NULL);
    }
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    client_free(d->c);
    free(d);
}
