/*
 * dag.c - graph storage (dense n x n, graphs here have tens of nodes),
 * post-processing, topological order, parameter groups and SHD.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structure/dag.h"

static void dag_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void dag_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

dag *dag_new(size_t n)
{
    dag *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->n = n;
    size_t nn = n ? n : 1;
    g->kind = calloc(nn, sizeof *g->kind);
    g->alive = malloc(nn);
    g->protect = calloc(nn, 1);
    g->w = calloc(nn * nn, sizeof *g->w);
    g->src = calloc(nn * nn, 1);
    g->forbid = calloc(nn * nn, 1);
    if (!g->kind || !g->alive || !g->protect || !g->w || !g->src || !g->forbid) {
        dag_free(g);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        g->kind[i] = DAG_METRIC;
    memset(g->alive, 1, nn);
    return g;
}

void dag_free(dag *g)
{
    if (!g)
        return;
    free(g->kind);
    free(g->alive);
    free(g->protect);
    free(g->w);
    free(g->src);
    free(g->forbid);
    free(g);
}

dag *dag_clone(const dag *g)
{
    dag *c = dag_new(g->n);
    if (!c)
        return NULL;
    size_t n = g->n;
    memcpy(c->kind, g->kind, n * sizeof *c->kind);
    memcpy(c->alive, g->alive, n);
    memcpy(c->protect, g->protect, n);
    memcpy(c->w, g->w, n * n * sizeof *c->w);
    memcpy(c->src, g->src, n * n);
    memcpy(c->forbid, g->forbid, n * n);
    return c;
}

void dag_set_edge(dag *g, size_t from, size_t to, double w, int src)
{
    g->w[from * g->n + to] = w;
    g->src[from * g->n + to] = (unsigned char)src;
}

void dag_remove_edge(dag *g, size_t from, size_t to)
{
    g->w[from * g->n + to] = 0;
    g->src[from * g->n + to] = DAG_NONE;
}

int dag_has_edge(const dag *g, size_t from, size_t to)
{
    return g->src[from * g->n + to] != DAG_NONE && g->alive[from] && g->alive[to];
}

size_t dag_parents(const dag *g, size_t v, size_t *out)
{
    size_t k = 0;
    for (size_t u = 0; u < g->n; u++)
        if (dag_has_edge(g, u, v))
            out[k++] = u;
    return k;
}

int dag_topo_order(const dag *g, size_t *order, size_t *n_order)
{
    size_t n = g->n, k = 0, alive = 0;
    size_t *indeg = calloc(n ? n : 1, sizeof *indeg);
    if (!indeg)
        return -1;
    for (size_t v = 0; v < n; v++) {
        if (!g->alive[v])
            continue;
        alive++;
        for (size_t u = 0; u < n; u++)
            if (dag_has_edge(g, u, v))
                indeg[v]++;
    }
    /* Kahn's algorithm, taking the lowest ready index first so the order
     * is deterministic. */
    unsigned char *done = calloc(n ? n : 1, 1);
    if (!done) {
        free(indeg);
        return -1;
    }
    while (k < alive) {
        size_t v = n;
        for (size_t c = 0; c < n; c++)
            if (g->alive[c] && !done[c] && indeg[c] == 0) {
                v = c;
                break;
            }
        if (v == n)
            break;
        done[v] = 1;
        order[k++] = v;
        for (size_t w = 0; w < n; w++)
            if (dag_has_edge(g, v, w))
                indeg[w]--;
    }
    free(indeg);
    free(done);
    if (n_order)
        *n_order = k;
    return k == alive ? 0 : -1;
}

/* Finds a cycle by depth-first search; writes its nodes to cyc (in order)
 * and returns its length, 0 when acyclic. */
static size_t dag_find_cycle(const dag *g, size_t *cyc)
{
    size_t n = g->n;
    unsigned char *state = calloc(n ? n : 1, 1);
    size_t *stack = malloc((n ? n : 1) * sizeof *stack);
    size_t *next = calloc(n ? n : 1, sizeof *next);
    size_t found = 0;
    if (!state || !stack || !next)
        goto out;
    for (size_t s = 0; s < n && !found; s++) {
        if (!g->alive[s] || state[s])
            continue;
        size_t top = 0;
        stack[top++] = s;
        state[s] = 1;
        next[s] = 0;
        while (top > 0 && !found) {
            size_t v = stack[top - 1];
            if (next[v] >= n) {
                state[v] = 2;
                top--;
                continue;
            }
            size_t w = next[v]++;
            if (!dag_has_edge(g, v, w))
                continue;
            if (state[w] == 1) {
                size_t start = top;
                while (start > 0 && stack[start - 1] != w)
                    start--;
                for (size_t i = start - 1; i < top; i++)
                    cyc[found++] = stack[i];
            } else if (state[w] == 0) {
                state[w] = 1;
                next[w] = 0;
                stack[top++] = w;
            }
        }
    }
out:
    free(state);
    free(stack);
    free(next);
    return found;
}

static void dag_reverse(dag *g, size_t i, size_t j)
{
    size_t n = g->n;
    double w = g->w[i * n + j];
    int src = g->src[i * n + j];
    dag_remove_edge(g, i, j);
    if (g->src[j * n + i] == DAG_NONE)
        dag_set_edge(g, j, i, w, src);
}

int dag_postprocess(dag *g, char *err, size_t err_len)
{
    size_t n = g->n;
    size_t obj = n;
    for (size_t v = 0; v < n; v++)
        if (g->kind[v] == DAG_OBJECTIVE && g->alive[v])
            obj = v;
    if (obj == n) {
        dag_err(err, err_len, "graph has no objective node");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        dag_remove_edge(g, i, i);
        for (size_t j = 0; j < n; j++) {
            if (g->src[i * n + j] == DAG_NONE)
                continue;
            if (g->kind[i] == DAG_PARAM && g->kind[j] == DAG_PARAM)
                dag_remove_edge(g, i, j);
            else if (g->kind[j] == DAG_PARAM || g->kind[i] == DAG_OBJECTIVE)
                dag_reverse(g, i, j);
        }
    }
    size_t *cyc = malloc((n ? n : 1) * sizeof *cyc);
    if (!cyc) {
        dag_err(err, err_len, "out of memory");
        return -1;
    }
    size_t len;
    while ((len = dag_find_cycle(g, cyc)) > 0) {
        /* Drop the weakest edge of the cycle, learnt edges before expert. */
        size_t bi = 0, bj = 0;
        double best = INFINITY;
        int best_expert = 1;
        for (size_t k = 0; k < len; k++) {
            size_t i = cyc[k], j = cyc[(k + 1) % len];
            int expert = g->src[i * n + j] == DAG_EXPERT;
            double w = fabs(g->w[i * n + j]);
            if ((best_expert && !expert) || (expert == best_expert && w < best)) {
                best = w;
                best_expert = expert;
                bi = i;
                bj = j;
            }
        }
        dag_remove_edge(g, bi, bj);
    }
    free(cyc);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t v = 0; v < n; v++) {
            if (!g->alive[v] || g->kind[v] != DAG_METRIC || g->protect[v])
                continue;
            int has_child = 0, has_parent = 0;
            for (size_t u = 0; u < n; u++) {
                has_child |= dag_has_edge(g, v, u);
                has_parent |= dag_has_edge(g, u, v);
            }
            if (!has_child || !has_parent) {
                g->alive[v] = 0;
                changed = 1;
            }
        }
    }
    for (size_t v = 0; v < n; v++) {
        if (!g->alive[v] || g->kind[v] != DAG_PARAM)
            continue;
        int has_child = 0;
        for (size_t u = 0; u < n; u++)
            has_child |= dag_has_edge(g, v, u);
        if (!has_child && !g->forbid[v * n + obj])
            dag_set_edge(g, v, obj, g->w[v * n + obj], DAG_LEARNED);
    }
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        dag_err(err, err_len, "out of memory");
        return -1;
    }
    int rc = dag_topo_order(g, order, NULL);
    free(order);
    if (rc) {
        dag_err(err, err_len, "graph is still cyclic after post-processing");
        return -1;
    }
    return 0;
}

static int dag_find_root(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

size_t dag_param_groups(const dag *g, int *group)
{
    size_t n = g->n;
    int *parent = malloc((n ? n : 1) * sizeof *parent);
    if (!parent)
        return 0;
    for (size_t v = 0; v < n; v++)
        parent[v] = (int)v;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (!dag_has_edge(g, i, j) || g->kind[i] == DAG_OBJECTIVE ||
                g->kind[j] == DAG_OBJECTIVE)
                continue;
            int a = dag_find_root(parent, (int)i), b = dag_find_root(parent, (int)j);
            if (a != b)
                parent[a > b ? a : b] = a < b ? a : b;
        }
    size_t n_groups = 0;
    int *id = malloc((n ? n : 1) * sizeof *id);
    if (!id) {
        free(parent);
        return 0;
    }
    for (size_t v = 0; v < n; v++)
        id[v] = -1;
    for (size_t v = 0; v < n; v++) {
        group[v] = -1;
        if (!g->alive[v] || g->kind[v] != DAG_PARAM)
            continue;
        int r = dag_find_root(parent, (int)v);
        if (id[r] < 0)
            id[r] = (int)n_groups++;
        group[v] = id[r];
    }
    free(id);
    free(parent);
    return n_groups;
}

size_t dag_shd(const dag *a, const dag *b)
{
    size_t n = a->n < b->n ? a->n : b->n, d = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int a1 = dag_has_edge(a, i, j), a2 = dag_has_edge(a, j, i);
            int b1 = dag_has_edge(b, i, j), b2 = dag_has_edge(b, j, i);
            if (a1 != b1 || a2 != b2)
                d++;
        }
    return d;
}
