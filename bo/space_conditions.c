/*
 * space_conditions.c - the condition tree of a search space: which parameter
 * is active in a configuration, the fixed value of an inactive one, and the
 * number of distinct configurations of a conditional space.
 *
 * The tree is an array parallel to the parameters: parent index (-1 for
 * none) and the sorted raw values of the parent that make the child active.
 * Activity walks the chain of parents (at most space_size steps, no memory).
 */
#include "bo/space_conditions.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/defaults.h"
#include "util/util.h"

typedef struct {
    long parent;        /* -1: unconditional */
    double *values;     /* sorted ascending */
    size_t n_values;
    double fixed;       /* raw value when inactive: the fixed encoding decoded */
} space_cond_entry;

struct space_cond {
    space_cond_entry *e;
    size_t n;           /* entries allocated (grows with the space) */
};

void space_cond_free(space_cond *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) free(c->e[i].values);
    free(c->e);
    free(c);
}

space_cond *space_cond_clone(const space_cond *c)
{
    if (!c) return NULL;
    space_cond *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->e = calloc(c->n ? c->n : 1, sizeof *d->e);
    if (!d->e) {
        free(d);
        return NULL;
    }
    d->n = c->n;
    for (size_t i = 0; i < c->n; i++) {
        d->e[i].parent = c->e[i].parent;
        d->e[i].fixed = c->e[i].fixed;
        if (!c->e[i].n_values) continue;
        d->e[i].values = malloc(c->e[i].n_values * sizeof(double));
        if (!d->e[i].values) {
            space_cond_free(d);
            return NULL;
        }
        memcpy(d->e[i].values, c->e[i].values, c->e[i].n_values * sizeof(double));
        d->e[i].n_values = c->e[i].n_values;
    }
    return d;
}

/* The tree of sp with room for every parameter; NULL when out of memory. */
static space_cond *cond_reserve(space *sp)
{
    size_t n = space_size(sp);
    space_cond *c = space_cond_of(sp);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return NULL;
        space_cond_attach(sp, c);
    }
    if (c->n < n) {
        space_cond_entry *e = realloc(c->e, n * sizeof *e);
        if (!e) return NULL;
        for (size_t i = c->n; i < n; i++) e[i] = (space_cond_entry){-1, NULL, 0, 0};
        c->e = e;
        c->n = n;
    }
    return c;
}

static const space_cond_entry *cond_entry(const space *sp, size_t i)
{
    const space_cond *c = space_cond_of(sp);
    return (c && i < c->n) ? &c->e[i] : NULL;
}

static int cond_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cond_has_value(const space_cond_entry *e, double v)
{
    size_t lo = 0, hi = e->n_values;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->values[mid] < v) lo = mid + 1; else hi = mid;
    }
    return lo < e->n_values && e->values[lo] == v;
}

/* Whether parent can take the raw value v; a message naming it when not. */
static int cond_value_ok(const space *sp, size_t parent, double v, char *err, size_t err_len)
{
    const char *pn = space_param_name(sp, parent);
    switch (space_param_type(sp, parent)) {
    case SPACE_CATEGORICAL:
        if (v == floor(v) && v >= 0 && v < (double)space_param_n_choices(sp, parent)) return 0;
        return util_err(err, err_len, "choice index %g is not a choice of '%s'", v, pn);
    case SPACE_ORDINAL:
        for (size_t k = 0; k < space_param_n_choices(sp, parent); k++)
            if (space_param_value(sp, parent, k) == v) return 0;
        return util_err(err, err_len, "%g is not one of the values of '%s'", v, pn);
    case SPACE_INT:
        if (isfinite(v) && v == floor(v) && v >= space_param_low(sp, parent) &&
            v <= space_param_high(sp, parent))
            return 0;
        return util_err(err, err_len, "%g is not an integer in [%g, %g], the range of '%s'", v,
                         space_param_low(sp, parent), space_param_high(sp, parent), pn);
    default:
        return util_err(err, err_len, "'%s' is a float; a condition's parent must be "
                         "categorical, ordinal or int", pn);
    }
}

/* Checks a condition before it is set: -1 with a message when refused. */
static int cond_check(const space *sp, size_t child, size_t parent, const double *values,
                      size_t n_values, char *err, size_t err_len)
{
    size_t n = space_size(sp);
    if (child >= n || parent >= n)
        return util_err(err, err_len, "no such parameter");
    const char *cn = space_param_name(sp, child);
    if (child == parent)
        return util_err(err, err_len, "'%s' cannot be conditional on itself", cn);
    if (space_param_parent(sp, child) >= 0)
        return util_err(err, err_len, "'%s' already has a condition", cn);
    if (!values || n_values == 0)
        return util_err(err, err_len, "the condition of '%s' needs at least one value", cn);
    for (size_t k = 0; k < n_values; k++)
        if (cond_value_ok(sp, parent, values[k], err, err_len) != 0) return -1;
    /* a cycle: child is an ancestor of parent */
    long a = (long)parent;
    for (size_t steps = 0; a >= 0 && steps <= n; steps++) {
        if ((size_t)a == child)
            return util_err(err, err_len, "the conditions of '%s' and '%s' form a cycle", cn,
                             space_param_name(sp, parent));
        a = space_param_parent(sp, (size_t)a);
    }
    return 0;
}

/* The fixed encoded coordinates of parameter i when inactive, into u. */
static void cond_fixed_encoding(const space *sp, size_t i, double *u)
{
    size_t first, count;
    space_param_encoded_span(sp, i, &first, &count);
    double fill = space_param_type(sp, i) == SPACE_CATEGORICAL ? 0 : SPACE_COND_INACTIVE_U;
    for (size_t k = first; k < first + count; k++) u[k] = fill;
}

/* The raw value of an inactive parameter i: its fixed encoding decoded (the
 * middle of a float or int range, the middle ordinal value, a categorical's
 * first choice), so decoding and encoding agree on it. */
static double cond_fixed_raw(const space *sp, size_t i)
{
    size_t first, count;
    space_param_encoded_span(sp, i, &first, &count);
    double *u = malloc((first + count) * sizeof *u);
    if (!u) return NAN;
    cond_fixed_encoding(sp, i, u);
    double v = space_decode_param(sp, u, i);
    free(u);
    return v;
}

int space_set_condition(space *sp, size_t child, size_t parent, const double *values,
                        size_t n_values, char *err, size_t err_len)
{
    if (!sp) return util_err(err, err_len, "no search space");
    if (cond_check(sp, child, parent, values, n_values, err, err_len) != 0) return -1;
    double *v = malloc(n_values * sizeof(double));
    space_cond *c = v ? cond_reserve(sp) : NULL;
    if (!c) {
        free(v);
        return util_err(err, err_len, "out of memory");
    }
    double fixed = cond_fixed_raw(sp, child);
    if (isnan(fixed)) {
        free(v);
        return util_err(err, err_len, "out of memory");
    }
    memcpy(v, values, n_values * sizeof(double));
    qsort(v, n_values, sizeof(double), cond_cmp_double);
    size_t m = 0; /* duplicates dropped */
    for (size_t k = 0; k < n_values; k++)
        if (m == 0 || v[k] != v[m - 1]) v[m++] = v[k];
    c->e[child] = (space_cond_entry){(long)parent, v, m, fixed};
    return 0;
}

int space_has_conditions(const space *sp)
{
    return space_cond_of(sp) != NULL;
}

int space_param_parent(const space *sp, size_t i)
{
    const space_cond_entry *e = cond_entry(sp, i);
    return e ? (int)e->parent : -1;
}

size_t space_param_condition_values(const space *sp, size_t i, const double **values)
{
    const space_cond_entry *e = cond_entry(sp, i);
    if (values) *values = e ? e->values : NULL;
    return e && e->parent >= 0 ? e->n_values : 0;
}

/* Activity along the chain of parents; the parent's raw value from config,
 * or decoded from u when config is NULL. */
static int cond_active(const space *sp, const double *config, const double *u, size_t i)
{
    const space_cond *c = space_cond_of(sp);
    if (!c) return 1;
    for (size_t steps = 0; i < c->n && c->e[i].parent >= 0 && steps <= c->n; steps++) {
        size_t p = (size_t)c->e[i].parent;
        double v = config ? config[p] : space_decode_param(sp, u, p);
        if (!cond_has_value(&c->e[i], v)) return 0;
        i = p;
    }
    return 1;
}

int space_param_active(const space *sp, const double *config, size_t i)
{
    return cond_active(sp, config, NULL, i);
}

int space_param_active_encoded(const space *sp, const double *u, size_t i)
{
    return cond_active(sp, NULL, u, i);
}

/* Changing an inactive parameter's value never changes what is active: the
 * topmost failing condition of its chain reads an active parent. */
void space_cond_fix_config(const space *sp, double *config)
{
    if (!space_cond_of(sp)) return;
    for (size_t i = 0; i < space_size(sp); i++)
        if (!cond_active(sp, config, NULL, i)) config[i] = space_cond_of(sp)->e[i].fixed;
}

void space_cond_fix_encoded(const space *sp, const double *config, double *u)
{
    if (!space_cond_of(sp)) return;
    for (size_t i = 0; i < space_size(sp); i++) {
        if (!cond_active(sp, config, NULL, i)) cond_fixed_encoding(sp, i, u);
    }
}

void space_cond_hold_bounds(const space *sp, const double *u, double *lo, double *hi)
{
    const space_cond *c = space_cond_of(sp);
    if (!c) return;
    size_t n = space_size(sp);
    for (size_t i = 0; i < n; i++) {
        int hold = !cond_active(sp, NULL, u, i);
        for (size_t j = 0; j < c->n && !hold; j++)
            hold = c->e[j].parent == (long)i;
        if (!hold) continue;
        size_t first, count;
        space_param_encoded_span(sp, i, &first, &count);
        for (size_t k = first; k < first + count; k++) lo[k] = hi[k] = u[k];
    }
}

/* Distinct values of parameter i alone. */
static double cond_param_count(const space *sp, size_t i)
{
    switch (space_param_type(sp, i)) {
    case SPACE_FLOAT: return INFINITY;
    case SPACE_INT: return space_param_high(sp, i) - space_param_low(sp, i) + 1;
    default: return (double)space_param_n_choices(sp, i);
    }
}

typedef struct {
    double value, count;
} cond_pair;

static int cond_cmp_pair(const void *a, const void *b)
{
    return cond_cmp_double(&((const cond_pair *)a)->value, &((const cond_pair *)b)->value);
}

/* Configurations of the subtree under i: each value of i times the
 * configurations of the children it activates. NAN when out of memory. */
static double cond_subtree(const space *sp, const space_cond *c, size_t i)
{
    size_t n_pairs = 0;
    for (size_t j = 0; j < c->n; j++)
        if (c->e[j].parent == (long)i) n_pairs += c->e[j].n_values;
    double own = cond_param_count(sp, i);
    if (n_pairs == 0) return own;
    cond_pair *pr = malloc(n_pairs * sizeof *pr);
    if (!pr) return NAN;
    size_t m = 0;
    for (size_t j = 0; j < c->n; j++) {
        if (c->e[j].parent != (long)i) continue;
        double sub = cond_subtree(sp, c, j);
        for (size_t k = 0; k < c->e[j].n_values; k++) pr[m++] = (cond_pair){c->e[j].values[k], sub};
    }
    qsort(pr, m, sizeof *pr, cond_cmp_pair);
    /* values no child names count once; the others the product of their children */
    double total = own;
    for (size_t k = 0; k < m;) {
        double prod = 1;
        size_t g = k;
        for (; g < m && pr[g].value == pr[k].value; g++) prod *= pr[g].count;
        total += prod - 1;
        k = g;
    }
    free(pr);
    return total;
}

double space_cond_cardinality(const space *sp)
{
    const space_cond *c = space_cond_of(sp);
    size_t n = space_size(sp);
    for (size_t i = 0; i < n; i++)
        if (space_param_type(sp, i) == SPACE_FLOAT) return INFINITY;
    double total = 1;
    for (size_t i = 0; i < n; i++)
        if (!c || i >= c->n || c->e[i].parent < 0) total *= c ? cond_subtree(sp, c, i) : cond_param_count(sp, i);
    return total;
}
