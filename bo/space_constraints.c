/*
 * space_constraints.c - parameter constraints: parsing "lhs OP rhs" into two
 * util/formula.h handles over the space's numeric parameters, evaluating
 * them on configurations (exactly) and on encoded points (relaxed, for the
 * local refinement), and probing how much of the space is feasible.
 */
#include "bo/space_constraints.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/design.h"
#include "util/formula.h"
#include "util/util.h"

typedef enum { SC_LE, SC_GE, SC_LT, SC_GT } sc_op;

typedef struct {
    char *text;          /* as given */
    char *side[2];       /* lhs, rhs texts */
    formula *f[2];
    size_t *idx[2];      /* variable k of side s -> parameter index */
    double *vals[2];     /* the values handed to formula_eval */
    sc_op op;
} sc_item;

struct space_constraints {
    sc_item *items;
    size_t n, cap;
    pthread_mutex_t lock;   /* formula_eval is not reentrant on one handle */
};

static void sc_item_clear(sc_item *it)
{
    free(it->text);
    for (int s = 0; s < 2; s++) {
        free(it->side[s]);
        formula_free(it->f[s]);
        free(it->idx[s]);
        free(it->vals[s]);
    }
    memset(it, 0, sizeof *it);
}

static space_constraints *sc_new(void)
{
    space_constraints *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void space_constraints_free(space_constraints *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        sc_item_clear(&c->items[i]);
    free(c->items);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Splits text at its one comparison into it->side[0..1] and it->op. */
static int sc_split(const char *text, sc_item *it, char *err, size_t err_len)
{
    size_t n = strlen(text), at = 0, count = 0;
    for (size_t k = 0; k < n; k++)
        if (text[k] == '<' || text[k] == '>') {
            count++;
            at = k;
        }
    if (count != 1)
        return util_err(err, err_len, "must compare two expressions with exactly one of <=, >=, <, >");
    size_t oplen = text[at + 1] == '=' ? 2 : 1;
    it->op = text[at] == '<' ? (oplen == 2 ? SC_LE : SC_LT) : (oplen == 2 ? SC_GE : SC_GT);
    it->side[0] = strndup(text, at);
    it->side[1] = strdup(text + at + oplen);
    if (!it->side[0] || !it->side[1])
        return util_err(err, err_len, "out of memory");
    for (int s = 0; s < 2; s++)
        if (strpbrk(it->side[s], "=!&|?:"))
            return util_err(err, err_len, "must compare two arithmetic expressions with one of "
                           "<=, >=, <, > (no =, !, &, |, ?, :)");
    return 0;
}

/* Parses side s of it and maps its variables to numeric parameters of sp. */
static int sc_compile_side(const space *sp, sc_item *it, int s, char *err, size_t err_len)
{
    char ferr[256];
    it->f[s] = formula_parse(it->side[s], ferr, sizeof ferr);
    if (!it->f[s])
        return util_err(err, err_len, "%s side: %s", s == 0 ? "left" : "right", ferr);
    size_t nv = formula_n_vars(it->f[s]);
    it->idx[s] = malloc((nv ? nv : 1) * sizeof(size_t));
    it->vals[s] = malloc((nv ? nv : 1) * sizeof(double));
    if (!it->idx[s] || !it->vals[s])
        return util_err(err, err_len, "out of memory");
    for (size_t k = 0; k < nv; k++) {
        const char *name = formula_var(it->f[s], k);
        int i = space_index_of(sp, name);
        if (i < 0)
            return util_err(err, err_len, "names '%s', which is not a parameter", name);
        if (space_param_type(sp, (size_t)i) == SPACE_CATEGORICAL)
            return util_err(err, err_len, "names '%s', a categorical parameter: only float, "
                           "int and ordinal parameters may appear", name);
        it->idx[s][k] = (size_t)i;
    }
    return 0;
}

static int sc_compile(const space *sp, const char *text, sc_item *it, char *err, size_t err_len)
{
    memset(it, 0, sizeof *it);
    if (!text || !text[0] || strlen(text) > SPACE_CONSTRAINT_MAX_LEN)
        return util_err(err, err_len, "must be a non-empty string of at most %d characters",
                       SPACE_CONSTRAINT_MAX_LEN);
    it->text = strdup(text);
    if (!it->text)
        return util_err(err, err_len, "out of memory");
    if (sc_split(text, it, err, err_len) != 0 || sc_compile_side(sp, it, 0, err, err_len) != 0 ||
        sc_compile_side(sp, it, 1, err, err_len) != 0)
        return -1;
    if (formula_n_vars(it->f[0]) + formula_n_vars(it->f[1]) == 0)
        return util_err(err, err_len, "names no parameter");
    return 0;
}

static int sc_push(space_constraints *c, sc_item *it)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 4;
        sc_item *items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return -1;
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = *it;
    return 0;
}

int space_constraint_add(space *sp, const char *text, char *err, size_t err_len)
{
    assert(sp);
    sc_item it;
    if (sc_compile(sp, text, &it, err, err_len) != 0) {
        sc_item_clear(&it);
        return -1;
    }
    space_constraints *c = space_constraints_of(sp);
    if (!c) {
        c = sc_new();
        if (!c) {
            sc_item_clear(&it);
            return util_err(err, err_len, "out of memory");
        }
        space_constraints_attach(sp, c);
    }
    if (sc_push(c, &it) != 0) {
        sc_item_clear(&it);
        return util_err(err, err_len, "out of memory");
    }
    return 0;
}

space_constraints *space_constraints_clone(const space_constraints *c)
{
    if (!c)
        return NULL;
    space_constraints *d = sc_new();
    if (!d)
        return NULL;
    for (size_t i = 0; i < c->n; i++) {
        const sc_item *s = &c->items[i];
        sc_item it = {.op = s->op};
        int ok = (it.text = strdup(s->text)) != NULL;
        for (int k = 0; ok && k < 2; k++) {
            size_t nv = formula_n_vars(s->f[k]);
            it.side[k] = strdup(s->side[k]);
            it.f[k] = it.side[k] ? formula_parse(it.side[k], NULL, 0) : NULL;
            it.idx[k] = malloc((nv ? nv : 1) * sizeof(size_t));
            it.vals[k] = malloc((nv ? nv : 1) * sizeof(double));
            ok = it.f[k] && it.idx[k] && it.vals[k];
            if (ok)
                memcpy(it.idx[k], s->idx[k], nv * sizeof(size_t));
        }
        if (!ok || sc_push(d, &it) != 0) {
            sc_item_clear(&it);
            space_constraints_free(d);
            return NULL;
        }
    }
    return d;
}

size_t space_n_constraints(const space *sp)
{
    const space_constraints *c = space_constraints_of(sp);
    return c ? c->n : 0;
}

const char *space_constraint_text(const space *sp, size_t i)
{
    const space_constraints *c = space_constraints_of(sp);
    assert(c && i < c->n);
    return c->items[i].text;
}

/* The two sides of item it at config; the caller holds the lock. */
static void sc_sides(sc_item *it, const double *config, double *lhs, double *rhs)
{
    double out[2];
    for (int s = 0; s < 2; s++) {
        size_t nv = formula_n_vars(it->f[s]);
        for (size_t k = 0; k < nv; k++)
            it->vals[s][k] = config[it->idx[s][k]];
        out[s] = formula_eval(it->f[s], it->vals[s]);
    }
    *lhs = out[0];
    *rhs = out[1];
}

static int sc_holds(const sc_item *it, double l, double r)
{
    if (!isfinite(l) || !isfinite(r))
        return 0;
    switch (it->op) {
    case SC_LE: return l <= r;
    case SC_GE: return l >= r;
    case SC_LT: return l < r;
    case SC_GT: return l > r;
    }
    return 0;
}

int space_constraint_holds(const space *sp, size_t i, const double *config)
{
    space_constraints *c = space_constraints_of(sp);
    assert(c && i < c->n && config);
    double l, r;
    pthread_mutex_lock(&c->lock);
    sc_sides(&c->items[i], config, &l, &r);
    pthread_mutex_unlock(&c->lock);
    return sc_holds(&c->items[i], l, r);
}

int space_feasible(const space *sp, const double *config)
{
    space_constraints *c = space_constraints_of(sp);
    if (!c || c->n == 0)
        return 1;
    int ok = 1;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; ok && i < c->n; i++) {
        double l, r;
        sc_sides(&c->items[i], config, &l, &r);
        ok = sc_holds(&c->items[i], l, r);
    }
    pthread_mutex_unlock(&c->lock);
    return ok;
}

int space_feasible_encoded(const space *sp, const double *u)
{
    if (space_n_constraints(sp) == 0)
        return 1;
    size_t p = space_size(sp);
    double stackbuf[64];
    double *cfg = p <= 64 ? stackbuf : malloc(p * sizeof *cfg);
    if (!cfg)
        return 0;
    space_decode(sp, u, cfg);
    int ok = space_feasible(sp, cfg);
    if (cfg != stackbuf)
        free(cfg);
    return ok;
}

/* Relaxed value of int or ordinal parameter i at encoded u: the decoded
 * value moved towards its neighbour in the direction of u, in proportion
 * to how far u is between their encodings. cfg holds decode(u); tmp and
 * eu are scratch (space_size and space_encoded_dim). */
static double sc_relax_param(const space *sp, size_t i, const double *u, const double *cfg,
                             double *tmp, double *eu)
{
    size_t first, count;
    space_param_encoded_span(sp, i, &first, &count);
    double v0 = cfg[i];
    space_encode(sp, cfg, eu);
    double e0 = eu[first];
    int dir = u[first] >= e0 ? 1 : -1;
    double v1;
    if (space_param_type(sp, i) == SPACE_INT) {
        v1 = v0 + dir;
        if (v1 < space_param_low(sp, i) || v1 > space_param_high(sp, i))
            return v0;
    } else {
        size_t n = space_param_n_choices(sp, i), r = 0;
        while (r < n && space_param_value(sp, i, r) != v0)
            r++;
        if (r == n || (dir < 0 && r == 0) || (dir > 0 && r + 1 == n))
            return v0;
        v1 = space_param_value(sp, i, dir > 0 ? r + 1 : r - 1);
    }
    memcpy(tmp, cfg, space_size(sp) * sizeof *tmp);
    tmp[i] = v1;
    space_encode(sp, tmp, eu);
    double e1 = eu[first];
    if (e1 == e0)
        return v0;
    double t = (u[first] - e0) / (e1 - e0);
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    return v0 + t * (v1 - v0);
}

double space_constraint_relaxed(const space *sp, size_t i, const double *u, double *scratch)
{
    space_constraints *c = space_constraints_of(sp);
    assert(c && i < c->n && u && scratch);
    size_t p = space_size(sp);
    double *cfg = scratch, *relaxed = scratch + p, *eu = scratch + 2 * p;
    space_decode(sp, u, cfg);
    memcpy(relaxed, cfg, p * sizeof *cfg);
    sc_item *it = &c->items[i];
    /* only the parameters the constraint names are relaxed (relaxed[] is
     * sc_relax_param's scratch); it->vals is shared, hence the lock */
    pthread_mutex_lock(&c->lock);
    for (int s = 0; s < 2; s++)
        for (size_t k = 0; k < formula_n_vars(it->f[s]); k++) {
            size_t j = it->idx[s][k];
            space_type t = space_param_type(sp, j);
            if (t == SPACE_INT || t == SPACE_ORDINAL)
                it->vals[s][k] = sc_relax_param(sp, j, u, cfg, relaxed, eu);
            else
                it->vals[s][k] = cfg[j];
        }
    double l = formula_eval(it->f[0], it->vals[0]);
    double r = formula_eval(it->f[1], it->vals[1]);
    pthread_mutex_unlock(&c->lock);
    if (!isfinite(l) || !isfinite(r))
        return 1;
    double g = (it->op == SC_LE || it->op == SC_LT) ? l - r : r - l;
    return g / (1.0 + fabs(l) + fabs(r));
}

int space_constraints_check(const space *sp, const double *configs, size_t n, char *err,
                            size_t err_len)
{
    size_t p = space_size(sp), nc = space_n_constraints(sp);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < nc; i++)
            if (!space_constraint_holds(sp, i, configs + k * p))
                return util_err(err, err_len, "configuration %zu breaks the parameter constraint '%s'",
                               k, space_constraint_text(sp, i));
    return 0;
}

int space_constraints_probe(const space *sp, size_t k, uint64_t seed, size_t stop_at,
                            size_t *feasible, size_t *n_drawn)
{
    assert(k <= space_n_constraints(sp) && feasible && n_drawn);
    size_t p = space_size(sp);
    double card = space_cardinality(sp);
    int enumerate = card <= (double)SPACE_CONSTRAINTS_PROBE_DRAWS;
    size_t draws = enumerate ? (size_t)card : SPACE_CONSTRAINTS_PROBE_DRAWS;
    double *v = malloc(2 * (p ? p : 1) * sizeof *v);
    design *d = enumerate ? NULL : design_random_new(p, seed);
    if (!v || (!enumerate && !d)) {
        free(v);
        design_free(d);
        return -1;
    }
    double *cfg = v + p;
    memset(feasible, 0, k * sizeof *feasible);
    size_t t = 0;
    for (; t < draws && !(stop_at && k && feasible[k - 1] >= stop_at); t++) {
        if (enumerate) {
            space_config_at_index(sp, (double)t, cfg);
        } else {
            design_next(d, v);
            space_from_unit(sp, v, cfg);
        }
        for (size_t j = 0; j < k && space_constraint_holds(sp, j, cfg); j++)
            feasible[j]++;
    }
    *n_drawn = t;
    free(v);
    design_free(d);
    return 0;
}
