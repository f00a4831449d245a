/*
 * knowledge.c - expert knowledge: required and forbidden edges and
 * parametric node models. A model's formula is parsed by util/formula.h
 * (muParser): the knowledge keeps its text and its variables, and compiles a
 * formula handle for whoever evaluates it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/formula.h"
#include "structure/knowledge.h"
#include "util/strmap.h"

#define KN_NAME_MAX 256

typedef struct {
    char *from, *to;
} kn_edge;

typedef struct {
    char *node;
    char *formula;     /* as given */
    char **vars;       /* its variables, in order of first appearance */
    size_t n_vars;
} kn_model;

struct knowledge {
    kn_edge *edges;
    size_t n_edges, cap_edges;
    strmap *edge_set;           /* (from, to) -> index, for repeats and lookups */
    kn_edge *forbidden;
    size_t n_forbidden, cap_forbidden;
    strmap *forbidden_set;
    kn_model *models;
    size_t n_models, cap_models;
};

static void kn_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void kn_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

knowledge *knowledge_new(void)
{
    return calloc(1, sizeof(knowledge));
}

static void kn_model_clear(kn_model *m)
{
    free(m->node);
    free(m->formula);
    for (size_t k = 0; k < m->n_vars; k++)
        free(m->vars[k]);
    free(m->vars);
}

void knowledge_free(knowledge *kn)
{
    if (!kn)
        return;
    for (size_t i = 0; i < kn->n_edges; i++) {
        free(kn->edges[i].from);
        free(kn->edges[i].to);
    }
    for (size_t i = 0; i < kn->n_forbidden; i++) {
        free(kn->forbidden[i].from);
        free(kn->forbidden[i].to);
    }
    for (size_t i = 0; i < kn->n_models; i++)
        kn_model_clear(&kn->models[i]);
    free(kn->edges);
    free(kn->forbidden);
    free(kn->models);
    strmap_free(kn->edge_set);
    strmap_free(kn->forbidden_set);
    free(kn);
}

static int kn_check_name(const char *what, const char *name, char *err, size_t err_len)
{
    if (!name || !name[0]) {
        kn_err(err, err_len, "%s: empty node name", what);
        return -1;
    }
    if (strlen(name) > KN_NAME_MAX) {
        kn_err(err, err_len, "%s: node name longer than %d characters", what, KN_NAME_MAX);
        return -1;
    }
    return 0;
}

/* Appends from -> to to an edge list (a repeat is the same knowledge and
 * is not added again), up to max edges. The set indexes the list by
 * (from, to) and borrows the list's strings. */
static int kn_push_edge(kn_edge **arr, size_t *n, size_t *cap, strmap **set, size_t max,
                        const char *what, const char *from, const char *to, char *err,
                        size_t err_len)
{
    if (kn_check_name(what, from, err, err_len) || kn_check_name(what, to, err, err_len))
        return -1;
    if (strcmp(from, to) == 0) {
        kn_err(err, err_len, "%s: self loop on '%s'", what, from);
        return -1;
    }
    if (!*set && !(*set = strmap_new(16))) {
        kn_err(err, err_len, "out of memory");
        return -1;
    }
    if (strmap_get2(*set, from, to, NULL))
        return 0; /* a repeated edge is the same knowledge */
    if (*n >= max) {
        kn_err(err, err_len, "%s: more than %zu of them", what, max);
        return -1;
    }
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        kn_edge *a = realloc(*arr, c * sizeof *a);
        if (!a) {
            kn_err(err, err_len, "out of memory");
            return -1;
        }
        *arr = a;
        *cap = c;
    }
    char *f = strdup(from), *t = strdup(to);
    if (!f || !t || strmap_put2(*set, f, t, *n, NULL) < 0) {
        free(f);
        free(t);
        kn_err(err, err_len, "out of memory");
        return -1;
    }
    (*arr)[*n].from = f;
    (*arr)[*n].to = t;
    (*n)++;
    return 0;
}

int knowledge_add_edge(knowledge *kn, const char *from, const char *to, char *err, size_t err_len)
{
    return kn_push_edge(&kn->edges, &kn->n_edges, &kn->cap_edges, &kn->edge_set,
                        KNOWLEDGE_MAX_EDGES, "edge", from, to, err, err_len);
}

int knowledge_add_forbidden(knowledge *kn, const char *from, const char *to, char *err,
                            size_t err_len)
{
    return kn_push_edge(&kn->forbidden, &kn->n_forbidden, &kn->cap_forbidden,
                        &kn->forbidden_set, KNOWLEDGE_MAX_FORBIDDEN, "forbidden edge", from, to,
                        err, err_len);
}

/* Copies the variables of a parsed formula into m; 0 or -1 (memory). */
static int kn_model_take_vars(kn_model *m, const formula *parsed)
{
    size_t n = formula_n_vars(parsed);
    m->vars = calloc(n ? n : 1, sizeof *m->vars);
    if (!m->vars)
        return -1;
    for (; m->n_vars < n; m->n_vars++)
        if (!(m->vars[m->n_vars] = strdup(formula_var(parsed, m->n_vars))))
            return -1;
    return 0;
}

int knowledge_add_model(knowledge *kn, const char *node, const char *formula, char *err,
                        size_t err_len)
{
    if (kn_check_name("model", node, err, err_len))
        return -1;
    if (!formula) {
        kn_err(err, err_len, "model %s: no formula", node);
        return -1;
    }
    if (kn->n_models >= KNOWLEDGE_MAX_MODELS) {
        kn_err(err, err_len, "model %s: more than %d models", node, KNOWLEDGE_MAX_MODELS);
        return -1;
    }
    for (size_t i = 0; i < kn->n_models; i++)
        if (strcmp(kn->models[i].node, node) == 0) {
            kn_err(err, err_len, "model %s: given twice", node);
            return -1;
        }
    kn_model m;
    memset(&m, 0, sizeof m);
    char sub[256];
    struct formula *parsed = formula_parse(formula, sub, sizeof sub);
    if (!parsed) {
        kn_err(err, err_len, "model %s: %s", node, sub);
        return -1;
    }
    if (kn_model_take_vars(&m, parsed)) {
        formula_free(parsed);
        kn_err(err, err_len, "out of memory");
        kn_model_clear(&m);
        return -1;
    }
    formula_free(parsed);
    if (m.n_vars == 0) {
        kn_err(err, err_len, "model %s: formula '%s' names no node", node, formula);
        kn_model_clear(&m);
        return -1;
    }
    for (size_t k = 0; k < m.n_vars; k++)
        if (strcmp(m.vars[k], node) == 0) {
            kn_err(err, err_len, "model %s: formula uses the node itself", node);
            kn_model_clear(&m);
            return -1;
        }
    m.node = strdup(node);
    m.formula = strdup(formula);
    if (!m.node || !m.formula) {
        kn_err(err, err_len, "out of memory");
        kn_model_clear(&m);
        return -1;
    }
    if (kn->n_models == kn->cap_models) {
        size_t c = kn->cap_models ? 2 * kn->cap_models : 4;
        kn_model *a = realloc(kn->models, c * sizeof *a);
        if (!a) {
            kn_err(err, err_len, "out of memory");
            kn_model_clear(&m);
            return -1;
        }
        kn->models = a;
        kn->cap_models = c;
    }
    kn->models[kn->n_models++] = m;
    return 0;
}

knowledge *knowledge_clone(const knowledge *kn)
{
    if (!kn)
        return NULL;
    knowledge *c = knowledge_new();
    if (!c)
        return NULL;
    for (size_t i = 0; i < kn->n_edges; i++)
        if (knowledge_add_edge(c, kn->edges[i].from, kn->edges[i].to, NULL, 0))
            goto fail;
    for (size_t i = 0; i < kn->n_forbidden; i++)
        if (knowledge_add_forbidden(c, kn->forbidden[i].from, kn->forbidden[i].to, NULL, 0))
            goto fail;
    for (size_t i = 0; i < kn->n_models; i++)
        if (knowledge_add_model(c, kn->models[i].node, kn->models[i].formula, NULL, 0))
            goto fail;
    return c;
fail:
    knowledge_free(c);
    return NULL;
}

knowledge *knowledge_from_arrays(const char *const *edges, size_t n_edges,
                                 const char *const *forbidden, size_t n_forbidden,
                                 const char *const *model_nodes,
                                 const char *const *model_formulas, size_t n_models,
                                 char *err, size_t err_len)
{
    knowledge *kn = knowledge_new();
    char sub[256];
    if (!kn) {
        kn_err(err, err_len, "out of memory");
        return NULL;
    }
    if ((n_edges && !edges) || (n_forbidden && !forbidden) ||
        (n_models && (!model_nodes || !model_formulas))) {
        kn_err(err, err_len, "knowledge: array missing for a non-zero count");
        goto fail;
    }
    for (size_t i = 0; i < n_edges; i++)
        if (knowledge_add_edge(kn, edges[2 * i], edges[2 * i + 1], sub, sizeof sub)) {
            kn_err(err, err_len, "edges[%zu]: %s", i, sub);
            goto fail;
        }
    for (size_t i = 0; i < n_forbidden; i++)
        if (knowledge_add_forbidden(kn, forbidden[2 * i], forbidden[2 * i + 1], sub,
                                    sizeof sub)) {
            kn_err(err, err_len, "forbidden[%zu]: %s", i, sub);
            goto fail;
        }
    for (size_t i = 0; i < n_models; i++)
        if (knowledge_add_model(kn, model_nodes[i], model_formulas[i], sub, sizeof sub)) {
            kn_err(err, err_len, "models.%s: %s", model_nodes[i] ? model_nodes[i] : "?", sub);
            goto fail;
        }
    return kn;
fail:
    knowledge_free(kn);
    return NULL;
}

/* A set of the n strings of names (NULL entries skipped); NULL when out
 * of memory. */
static strmap *kn_set_of(const char *const *names, size_t n)
{
    strmap *m = strmap_new(n);
    for (size_t i = 0; m && names && i < n; i++)
        if (names[i] && strmap_put(m, names[i], i, NULL) < 0) {
            strmap_free(m);
            return NULL;
        }
    return m;
}

/* The graph of required edges and model inputs, for the cycle check: nodes
 * numbered through a name map, arcs in compressed rows (out[first[v] ..
 * first[v + 1]) are v's successors). */
typedef struct {
    size_t n_nodes, n_arcs;
    const char **name;   /* per node */
    size_t *first;       /* n_nodes + 1 */
    size_t *out;         /* n_arcs */
    size_t *from, *to;   /* per arc, in input order */
} kn_graph;

static void kn_graph_free(kn_graph *g)
{
    free(g->name);
    free(g->first);
    free(g->out);
    free(g->from);
    free(g->to);
}

/* Node id of s, added when new; (size_t)-1 when out of memory. */
static size_t kn_node(strmap *ids, kn_graph *g, const char *s)
{
    size_t id = g->n_nodes;
    int added = strmap_put(ids, s, id, &id);
    if (added < 0)
        return (size_t)-1;
    if (added)
        g->name[g->n_nodes++] = s;
    return id;
}

static int kn_graph_build(const knowledge *kn, kn_graph *g)
{
    memset(g, 0, sizeof *g);
    size_t n = kn->n_edges;
    for (size_t i = 0; i < kn->n_models; i++)
        n += kn->models[i].n_vars;
    g->name = malloc((2 * n + 1) * sizeof *g->name);
    g->first = calloc(2 * n + 2, sizeof *g->first);
    g->out = malloc((n + 1) * sizeof *g->out);
    g->from = malloc((n + 1) * sizeof *g->from);
    g->to = malloc((n + 1) * sizeof *g->to);
    strmap *ids = strmap_new(2 * n);
    int rc = -1;
    if (!g->name || !g->first || !g->out || !g->from || !g->to || !ids)
        goto out;
    for (size_t i = 0; i < kn->n_edges; i++, g->n_arcs++) {
        g->from[g->n_arcs] = kn_node(ids, g, kn->edges[i].from);
        g->to[g->n_arcs] = kn_node(ids, g, kn->edges[i].to);
        if (g->from[g->n_arcs] == (size_t)-1 || g->to[g->n_arcs] == (size_t)-1)
            goto out;
    }
    for (size_t i = 0; i < kn->n_models; i++)
        for (size_t v = 0; v < kn->models[i].n_vars; v++, g->n_arcs++) {
            g->from[g->n_arcs] = kn_node(ids, g, kn->models[i].vars[v]);
            g->to[g->n_arcs] = kn_node(ids, g, kn->models[i].node);
            if (g->from[g->n_arcs] == (size_t)-1 || g->to[g->n_arcs] == (size_t)-1)
                goto out;
        }
    /* counting sort of the arcs by their tail */
    for (size_t a = 0; a < g->n_arcs; a++)
        g->first[g->from[a] + 1]++;
    for (size_t v = 0; v < g->n_nodes; v++)
        g->first[v + 1] += g->first[v];
    size_t *fill = malloc((g->n_nodes + 1) * sizeof *fill);
    if (!fill)
        goto out;
    memcpy(fill, g->first, (g->n_nodes + 1) * sizeof *fill);
    for (size_t a = 0; a < g->n_arcs; a++)
        g->out[fill[g->from[a]]++] = g->to[a];
    free(fill);
    rc = 0;
out:
    strmap_free(ids);
    return rc;
}

/* Whether the graph has a cycle, by Kahn's algorithm (iterative, linear in
 * nodes and arcs: no recursion however long a chain is). When it has one,
 * *at names a node on it: every node left over has a left-over
 * predecessor, so walking back n_nodes steps from any of them ends on a
 * cycle. -1 when out of memory. */
static int kn_graph_cycle(const kn_graph *g, const char **at)
{
    size_t n = g->n_nodes;
    size_t *indeg = calloc(n + 1, sizeof *indeg), *queue = malloc((n + 1) * sizeof *queue);
    size_t *pred = malloc((n + 1) * sizeof *pred);
    int rc = -1;
    if (!indeg || !queue || !pred)
        goto out;
    for (size_t a = 0; a < g->n_arcs; a++)
        indeg[g->to[a]]++;
    size_t head = 0, tail = 0;
    for (size_t v = 0; v < n; v++)
        if (indeg[v] == 0)
            queue[tail++] = v;
    while (head < tail) {
        size_t v = queue[head++];
        for (size_t k = g->first[v]; k < g->first[v + 1]; k++)
            if (--indeg[g->out[k]] == 0)
                queue[tail++] = g->out[k];
    }
    rc = tail < n;
    if (!rc)
        goto out;
    size_t start = n;
    for (size_t a = 0; a < g->n_arcs; a++)
        if (indeg[g->from[a]] > 0 && indeg[g->to[a]] > 0) {
            pred[g->to[a]] = g->from[a];
            start = g->to[a];
        }
    for (size_t step = 0; step < n; step++)
        start = pred[start];
    *at = g->name[start];
out:
    free(indeg);
    free(queue);
    free(pred);
    return rc;
}

/* Required edges and models that form a cycle: 0, or -1 with a message. */
static int kn_check_acyclic(const knowledge *kn, char *err, size_t err_len)
{
    kn_graph g;
    const char *at = NULL;
    int cyc = kn_graph_build(kn, &g) == 0 ? kn_graph_cycle(&g, &at) : -1;
    if (cyc < 0)
        kn_err(err, err_len, "out of memory");
    else if (cyc)
        kn_err(err, err_len, "edges and models form a cycle through '%s'", at);
    kn_graph_free(&g);
    return cyc ? -1 : 0;
}

/* The checks of one required edge i. */
static int kn_check_edge(const knowledge *kn, size_t i, const strmap *names,
                         const strmap *params, const char *objective, char *err,
                         size_t err_len)
{
    const kn_edge *e = &kn->edges[i];
    if (names && !strmap_get(names, e->from, NULL)) {
        kn_err(err, err_len, "edges[%zu]: unknown node '%s'", i, e->from);
        return -1;
    }
    if (names && !strmap_get(names, e->to, NULL)) {
        kn_err(err, err_len, "edges[%zu]: unknown node '%s'", i, e->to);
        return -1;
    }
    if (strmap_get(params, e->to, NULL)) {
        kn_err(err, err_len, "edges[%zu]: '%s' is a parameter and cannot have parents", i, e->to);
        return -1;
    }
    if (objective && strcmp(e->from, objective) == 0) {
        kn_err(err, err_len, "edges[%zu]: the objective '%s' cannot have children", i,
               objective);
        return -1;
    }
    if (strmap_get2(kn->forbidden_set, e->from, e->to, NULL)) {
        kn_err(err, err_len, "edges[%zu]: %s -> %s is also forbidden", i, e->from, e->to);
        return -1;
    }
    return 0;
}

/* The checks of model i. */
static int kn_check_model(const knowledge *kn, size_t i, const strmap *names,
                          const strmap *params, const char *objective, char *err,
                          size_t err_len)
{
    const kn_model *m = &kn->models[i];
    if (names && !strmap_get(names, m->node, NULL)) {
        kn_err(err, err_len, "models.%s: unknown node '%s'", m->node, m->node);
        return -1;
    }
    if (strmap_get(params, m->node, NULL)) {
        kn_err(err, err_len, "models.%s: '%s' is a parameter, it cannot have a model", m->node,
               m->node);
        return -1;
    }
    for (size_t v = 0; v < m->n_vars; v++) {
        if (names && !strmap_get(names, m->vars[v], NULL)) {
            kn_err(err, err_len, "models.%s: unknown node '%s' in formula '%s'", m->node,
                   m->vars[v], m->formula);
            return -1;
        }
        if (objective && strcmp(m->vars[v], objective) == 0) {
            kn_err(err, err_len, "models.%s: the objective '%s' cannot be an input", m->node,
                   objective);
            return -1;
        }
        if (strmap_get2(kn->forbidden_set, m->vars[v], m->node, NULL)) {
            kn_err(err, err_len, "models.%s: uses '%s', but %s -> %s is forbidden", m->node,
                   m->vars[v], m->vars[v], m->node);
            return -1;
        }
    }
    return 0;
}

/* Every check but the cycle one, with names and params as hash sets. */
static int kn_check_entries(const knowledge *kn, const strmap *names, const strmap *params,
                            const char *objective, char *err, size_t err_len)
{
    for (size_t i = 0; i < kn->n_edges; i++)
        if (kn_check_edge(kn, i, names, params, objective, err, err_len) != 0)
            return -1;
    for (size_t i = 0; names && i < kn->n_forbidden; i++) {
        const kn_edge *e = &kn->forbidden[i];
        const char *unknown = !strmap_get(names, e->from, NULL) ? e->from
                              : !strmap_get(names, e->to, NULL) ? e->to
                                                                  : NULL;
        if (unknown) {
            kn_err(err, err_len, "forbidden[%zu]: unknown node '%s'", i, unknown);
            return -1;
        }
    }
    for (size_t i = 0; i < kn->n_models; i++)
        if (kn_check_model(kn, i, names, params, objective, err, err_len) != 0)
            return -1;
    return 0;
}

int knowledge_validate(const knowledge *kn, const char *const *names, size_t n_names,
                       const char *const *param_names, size_t n_params,
                       const char *objective, char *err, size_t err_len)
{
    if (!kn)
        return 0;
    strmap *name_set = names ? kn_set_of(names, n_names) : NULL;
    strmap *param_set = kn_set_of(param_names, param_names ? n_params : 0);
    int rc = -1;
    if ((names && !name_set) || !param_set)
        kn_err(err, err_len, "out of memory");
    else if (kn_check_entries(kn, name_set, param_set, objective, err, err_len) == 0)
        rc = kn_check_acyclic(kn, err, err_len);
    strmap_free(name_set);
    strmap_free(param_set);
    return rc;
}

size_t knowledge_n_edges(const knowledge *kn)
{
    return kn ? kn->n_edges : 0;
}

void knowledge_edge(const knowledge *kn, size_t i, const char **from, const char **to)
{
    *from = kn->edges[i].from;
    *to = kn->edges[i].to;
}

size_t knowledge_n_forbidden(const knowledge *kn)
{
    return kn ? kn->n_forbidden : 0;
}

void knowledge_forbidden(const knowledge *kn, size_t i, const char **from, const char **to)
{
    *from = kn->forbidden[i].from;
    *to = kn->forbidden[i].to;
}

size_t knowledge_n_models(const knowledge *kn)
{
    return kn ? kn->n_models : 0;
}

void knowledge_model(const knowledge *kn, size_t i, const char **node, const char **formula)
{
    *node = kn->models[i].node;
    *formula = kn->models[i].formula;
}

size_t knowledge_model_n_vars(const knowledge *kn, size_t i)
{
    return kn->models[i].n_vars;
}

const char *knowledge_model_var(const knowledge *kn, size_t i, size_t k)
{
    return kn->models[i].vars[k];
}

int knowledge_model_index(const knowledge *kn, const char *node)
{
    if (!kn || !node)
        return -1;
    for (size_t i = 0; i < kn->n_models; i++)
        if (strcmp(kn->models[i].node, node) == 0)
            return (int)i;
    return -1;
}

static uint64_t kn_hash_str(uint64_t h, const char *s)
{
    /* FNV-1a, with the terminating NUL so "ab","c" differs from "a","bc". */
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
        if (!*p)
            break;
    }
    return h;
}

uint64_t knowledge_fingerprint(const knowledge *kn)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    if (!kn)
        return h;
    h = kn_hash_str(h, "edges");
    for (size_t i = 0; i < kn->n_edges; i++) {
        h = kn_hash_str(h, kn->edges[i].from);
        h = kn_hash_str(h, kn->edges[i].to);
    }
    h = kn_hash_str(h, "forbidden");
    for (size_t i = 0; i < kn->n_forbidden; i++) {
        h = kn_hash_str(h, kn->forbidden[i].from);
        h = kn_hash_str(h, kn->forbidden[i].to);
    }
    h = kn_hash_str(h, "models");
    for (size_t i = 0; i < kn->n_models; i++) {
        h = kn_hash_str(h, kn->models[i].node);
        h = kn_hash_str(h, kn->models[i].formula);
    }
    return h;
}

knowledge_formula *knowledge_formula_new(const knowledge *kn, size_t model, char *err,
                                         size_t err_len)
{
    if (!kn || model >= kn->n_models) {
        kn_err(err, err_len, "no model %zu", model);
        return NULL;
    }
    const kn_model *m = &kn->models[model];
    char sub[256];
    formula *f = formula_parse(m->formula, sub, sizeof sub);
    if (!f)
        kn_err(err, err_len, "model %s: %s", m->node, sub);
    return f;
}

void knowledge_formula_free(knowledge_formula *f)
{
    formula_free(f);
}

double knowledge_formula_eval(knowledge_formula *f, const double *values)
{
    return formula_eval(f, values);
}
