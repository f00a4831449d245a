/*
 * stats.c - a short list of (route, method, status) counters and per-route
 * latency histograms behind one mutex; rendering in Prometheus text format.
 */
#include "server/stats.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

typedef struct counter {
    char route[96];          /* copies: the caller's strings may be per-request */
    char method[16];
    int status;
    uint64_t count;
    struct counter *next;
} counter;

typedef struct histo {
    char route[96];
    uint64_t bucket[N_BUCKETS];   /* cumulative on output, per-bucket here */
    uint64_t count;
    double sum;
    struct histo *next;
} histo;

struct stats {
    pthread_mutex_t mu;
    counter *counters;
    histo *histos;
};

stats *stats_new(void)
{
    stats *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void stats_free(stats *s)
{
    if (!s)
        return;
    for (counter *c = s->counters, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    for (histo *h = s->histos, *n; h; h = n) {
        n = h->next;
        free(h);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void stats_record(stats *s, const char *route, const char *method, int status, double seconds)
{
    pthread_mutex_lock(&s->mu);
    counter *c = s->counters;
    while (c && !(c->status == status && strncmp(c->route, route, sizeof c->route - 1) == 0 &&
                  strncmp(c->method, method, sizeof c->method - 1) == 0))
        c = c->next;
    if (!c && (c = calloc(1, sizeof *c))) {
        snprintf(c->route, sizeof c->route, "%s", route);
        snprintf(c->method, sizeof c->method, "%s", method);
        c->status = status;
        c->next = s->counters;
        s->counters = c;
    }
    if (c)
        c->count++;
    histo *h = s->histos;
    while (h && strncmp(h->route, route, sizeof h->route - 1) != 0)
        h = h->next;
    if (!h && (h = calloc(1, sizeof *h))) {
        snprintf(h->route, sizeof h->route, "%s", route);
        h->next = s->histos;
        s->histos = h;
    }
    if (h) {
        for (size_t b = 0; b < N_BUCKETS; b++) {
            if (seconds <= buckets[b]) {
                h->bucket[b]++;
                break;
            }
        }
        h->count++;
        h->sum += seconds;
    }
    pthread_mutex_unlock(&s->mu);
}

char *stats_render(stats *s)
{
    assert(s);
    buf b;
    buf_init(&b);
    pthread_mutex_lock(&s->mu);
    buf_printf(&b, "# HELP bograph_http_requests_total HTTP requests by route, method and status.\n"
                  "# TYPE bograph_http_requests_total counter\n");
    for (counter *c = s->counters; c; c = c->next)
        buf_printf(&b,
                  "bograph_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                  c->route, c->method, c->status, (unsigned long long)c->count);
    buf_printf(&b, "# HELP bograph_http_request_duration_seconds Time from the first byte of a "
                  "request to the end of its response.\n"
                  "# TYPE bograph_http_request_duration_seconds histogram\n");
    for (histo *h = s->histos; h; h = h->next) {
        uint64_t cum = 0;
        for (size_t i = 0; i < N_BUCKETS; i++) {
            cum += h->bucket[i];
            buf_printf(&b, "bograph_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      h->route, buckets[i], (unsigned long long)cum);
        }
        buf_printf(&b, "bograph_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                  h->route, (unsigned long long)h->count);
        buf_printf(&b, "bograph_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", h->route,
                  h->sum);
        buf_printf(&b, "bograph_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  h->route, (unsigned long long)h->count);
    }
    pthread_mutex_unlock(&s->mu);
    return buf_finish(&b, NULL);
}
