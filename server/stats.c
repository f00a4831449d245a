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
    /* model figures (stats_record_model): counters keyed by route = the
     * model or the fallback reason, histograms by model */
    counter *models, *fallbacks;
    histo *fit, *acq;
    size_t n_fallbacks;
};

/* Distinct fallback reasons kept; later ones count as "other". */
#define STATS_MAX_REASONS 32

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
    counter *lists[] = {s->models, s->fallbacks};
    for (size_t i = 0; i < 2; i++)
        for (counter *c = lists[i], *n; c; c = n) {
            n = c->next;
            free(c);
        }
    histo *hl[] = {s->histos, s->fit, s->acq};
    for (size_t i = 0; i < 3; i++)
        for (histo *h = hl[i], *n; h; h = n) {
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

/* The histogram labelled key in *list (created when new; NULL when out of memory). */
static histo *histo_of(histo **list, const char *key)
{
    histo *h = *list;
    while (h && strncmp(h->route, key, sizeof h->route - 1) != 0)
        h = h->next;
    if (!h && (h = calloc(1, sizeof *h))) {
        snprintf(h->route, sizeof h->route, "%s", key);
        h->next = *list;
        *list = h;
    }
    return h;
}

static void histo_add(histo *h, double seconds)
{
    if (!h)
        return;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        if (seconds <= buckets[b]) {
            h->bucket[b]++;
            break;
        }
    }
    h->count++;
    h->sum += seconds;
}

static counter *counter_find(counter *c, const char *key)
{
    while (c && strncmp(c->route, key, sizeof c->route - 1) != 0)
        c = c->next;
    return c;
}

/* Adds n to the counter labelled key in *list; a new key past max keys
 * (when n_keys is given) counts as "other". */
static void counter_add(counter **list, const char *key, uint64_t n, size_t *n_keys, size_t max)
{
    counter *c = counter_find(*list, key);
    if (!c && n_keys && *n_keys >= max)
        c = counter_find(*list, key = "other");
    if (!c && (c = calloc(1, sizeof *c))) {
        snprintf(c->route, sizeof c->route, "%s", key);
        c->next = *list;
        *list = c;
        if (n_keys)
            (*n_keys)++;
    }
    if (c)
        c->count += n;
}

/* A fallback reason without its figures and details: digit runs become
 * "N", the text stops at the first '(', ':' or ';', quotes are dropped. */
static void reason_key(const char *reason, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = reason; *p && o + 2 < len; p++) {
        if (*p == '(' || *p == ':' || *p == ';')
            break;
        if (*p >= '0' && *p <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            out[o++] = 'N';
        } else if (*p != '"' && *p != '\\' && *p != '\n') {
            out[o++] = *p;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

void stats_record_model(stats *s, const char *model, const char *reason, size_t n,
                        double fit_seconds, double acq_seconds)
{
    assert(s && model && reason);
    char key[96];
    reason_key(reason, key, sizeof key);
    pthread_mutex_lock(&s->mu);
    counter_add(&s->models, model, n, NULL, 0);
    if (key[0])
        counter_add(&s->fallbacks, key, 1, &s->n_fallbacks, STATS_MAX_REASONS);
    histo_add(histo_of(&s->fit, model), fit_seconds);
    histo_add(histo_of(&s->acq, model), acq_seconds);
    pthread_mutex_unlock(&s->mu);
}

static void render_histos(buf *b, const char *name, const char *label, const histo *list)
{
    for (const histo *h = list; h; h = h->next) {
        uint64_t cum = 0;
        for (size_t i = 0; i < N_BUCKETS; i++) {
            cum += h->bucket[i];
            buf_printf(b, "%s_bucket{%s=\"%s\",le=\"%g\"} %llu\n", name, label, h->route,
                       buckets[i], (unsigned long long)cum);
        }
        buf_printf(b, "%s_bucket{%s=\"%s\",le=\"+Inf\"} %llu\n", name, label, h->route,
                   (unsigned long long)h->count);
        buf_printf(b, "%s_sum{%s=\"%s\"} %.6f\n", name, label, h->route, h->sum);
        buf_printf(b, "%s_count{%s=\"%s\"} %llu\n", name, label, h->route,
                   (unsigned long long)h->count);
    }
}

/* The model figures, under the caller's lock. */
static void render_models(buf *b, const stats *s)
{
    buf_printf(b, "# HELP bograph_suggestions_total Configurations proposed, by the model that "
                  "proposed them.\n# TYPE bograph_suggestions_total counter\n");
    for (const counter *c = s->models; c; c = c->next)
        buf_printf(b, "bograph_suggestions_total{model=\"%s\"} %llu\n", c->route,
                   (unsigned long long)c->count);
    buf_printf(b, "# HELP bograph_model_fallbacks_total Suggestions where the graph model gave "
                  "way to the plain GP, by reason.\n"
                  "# TYPE bograph_model_fallbacks_total counter\n");
    for (const counter *c = s->fallbacks; c; c = c->next)
        buf_printf(b, "bograph_model_fallbacks_total{reason=\"%s\"} %llu\n", c->route,
                   (unsigned long long)c->count);
    buf_printf(b, "# HELP bograph_model_fit_seconds Time fitting the model of one suggestion.\n"
                  "# TYPE bograph_model_fit_seconds histogram\n");
    render_histos(b, "bograph_model_fit_seconds", "model", s->fit);
    buf_printf(b, "# HELP bograph_acquisition_seconds Time maximising the acquisition of one "
                  "suggestion.\n# TYPE bograph_acquisition_seconds histogram\n");
    render_histos(b, "bograph_acquisition_seconds", "model", s->acq);
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
    render_models(&b, s);
    pthread_mutex_unlock(&s->mu);
    return buf_finish(&b, NULL);
}
