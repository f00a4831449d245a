/*
 * metrics.c - the named-metric set of logs.h and the bounded collector the
 * parsers fill, merged into the caller's set only when a parse succeeds.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs_internal.h"

void logs_metrics_init(logs_metrics *m)
{
    assert(m);
    m->items = NULL;
    m->count = 0;
    m->cap = 0;
}

void logs_metrics_free(logs_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->items[i].name);
    free(m->items);
    logs_metrics_init(m);
}

static int metrics_append(logs_metrics *m, const char *name, double value)
{
    if (m->count == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        logs_metric *items = realloc(m->items, cap * sizeof *items);
        if (!items)
            return -1;
        m->items = items;
        m->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    m->items[m->count].name = copy;
    m->items[m->count].value = value;
    m->count++;
    return 0;
}

int logs_metrics_set(logs_metrics *m, const char *name, double value)
{
    if (!m || !name)
        return -1;
    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->items[i].name, name) == 0) {
            m->items[i].value = value;
            return 0;
        }
    }
    return metrics_append(m, name, value);
}

const double *logs_metrics_get(const logs_metrics *m, const char *name)
{
    if (!m || !name)
        return NULL;
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->items[i].name, name) == 0)
            return &m->items[i].value;
    return NULL;
}

void logs_set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void logs_collect_init(logs_collect *c)
{
    memset(c, 0, sizeof *c);
}

void logs_collect_free(logs_collect *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->items[i].name);
    free(c->items);
    logs_collect_init(c);
}

void logs_collect_add(logs_collect *c, const char *name, double value)
{
    if (c->oom || c->overflow || !name || !name[0] || !isfinite(value))
        return;
    if (strlen(name) > LOGS_NAME_MAX)
        return;
    if (c->count >= LOGS_MAX_METRICS) {
        c->overflow = 1;
        return;
    }
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        logs_metric *items = realloc(c->items, cap * sizeof *items);
        if (!items) {
            c->oom = 1;
            return;
        }
        c->items = items;
        c->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        c->oom = 1;
        return;
    }
    c->items[c->count].name = copy;
    c->items[c->count].value = value;
    c->count++;
}

void logs_collect_add2(logs_collect *c, const char *prefix, const char *suffix, double value)
{
    char norm[LOGS_NAME_MAX + 1];
    char full[2 * LOGS_NAME_MAX + 2];
    size_t n = logs_normalize_name(suffix, strlen(suffix), norm, sizeof norm);
    if (n == 0)
        return;
    snprintf(full, sizeof full, "%s.%s", prefix, norm);
    logs_collect_add(c, full, value);
}

/* Sort key: the name, then the order of arrival, so the last of equal names
 * is the one kept. */
typedef struct {
    const logs_metric *m;
    size_t seq;
} collect_ref;

static int collect_ref_cmp(const void *a, const void *b)
{
    const collect_ref *x = a, *y = b;
    int c = strcmp(x->m->name, y->m->name);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

int logs_collect_finish(logs_collect *c, logs_metrics *out, char *err, size_t err_len)
{
    if (c->oom) {
        logs_set_err(err, err_len, "out of memory while parsing logs");
        return -1;
    }
    if (c->overflow) {
        logs_set_err(err, err_len, "logs hold more than %d metrics", LOGS_MAX_METRICS);
        return -1;
    }
    if (c->count == 0)
        return 0;
    collect_ref *refs = malloc(c->count * sizeof *refs);
    if (!refs) {
        logs_set_err(err, err_len, "out of memory while parsing logs");
        return -1;
    }
    for (size_t i = 0; i < c->count; i++) {
        refs[i].m = &c->items[i];
        refs[i].seq = i;
    }
    qsort(refs, c->count, sizeof *refs, collect_ref_cmp);
    /* An empty target needs no search per name: names are unique here. */
    int fresh = out->count == 0;
    int rc = 0;
    for (size_t i = 0; i < c->count && rc == 0; i++) {
        if (i + 1 < c->count && strcmp(refs[i].m->name, refs[i + 1].m->name) == 0)
            continue;
        rc = fresh ? metrics_append(out, refs[i].m->name, refs[i].m->value)
                   : logs_metrics_set(out, refs[i].m->name, refs[i].m->value);
    }
    free(refs);
    if (rc) {
        logs_set_err(err, err_len, "out of memory while storing metrics");
        return -1;
    }
    return 0;
}
