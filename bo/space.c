/*
 * space.c - typed parameters, their validation, and the unit-cube encoding.
 *
 * Encoding (one parameter at a time, in the order added):
 *   float        linear or log between low and high -> [0,1]
 *   int          k = high-low+1 equal bins: value v -> (v-low+0.5)/k, so a
 *                uniform u decodes to every integer with the same chance
 *                (on a log scale the bins are [v-0.5, v+0.5] in log space)
 *   ordinal      rank r of k sorted values -> (r+0.5)/k
 *   categorical  one-hot block of k coordinates
 * Conditional parameters (bo/space_conditions.c): an inactive parameter is
 * held at a fixed value in every function below; without conditions the
 * hooks do nothing.
 */
#include "bo/space.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/space_constraints.h"
#include "bo/space_conditions.h"
#include "util/strmap.h"

typedef struct {
    char *name;
    space_type type;
    double low, high;   /* float/int */
    int log_scale;
    char **choices;     /* categorical */
    double *values;     /* ordinal, sorted ascending */
    size_t n_choices;
    size_t first;       /* first encoded coordinate */
    size_t width;       /* encoded coordinates */
} space_param;

struct space {
    space_param *params;
    size_t n, cap;
    size_t dim;
    space_constraints *cons;   /* parameter constraints (bo/space_constraints.c); NULL: none */
    space_cond *cond;   /* conditions, NULL when none */
};

/* Integers above 2^53 are not all representable as doubles. */
#define SPACE_MAX_INT 9007199254740992.0
/* Encoded float coordinates closer than this count as the same point. */
#define SPACE_FLOAT_EQ_TOL 1e-9

static void space_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

space *space_new(void)
{
    return calloc(1, sizeof(space));
}

static void space_param_clear(space_param *p)
{
    free(p->name);
    if (p->choices) {
        for (size_t k = 0; k < p->n_choices; k++) free(p->choices[k]);
        free(p->choices);
    }
    free(p->values);
}

void space_free(space *sp)
{
    if (!sp) return;
    for (size_t i = 0; i < sp->n; i++) space_param_clear(&sp->params[i]);
    free(sp->params);
    space_constraints_free(sp->cons);
    space_cond_free(sp->cond);
    free(sp);
}

space_constraints *space_constraints_of(const space *sp)
{
    return sp ? sp->cons : NULL;
}

void space_constraints_attach(space *sp, space_constraints *c)
{
    space_constraints_free(sp->cons);
    sp->cons = c;
}

space *space_clone(const space *sp)
{
    if (!sp) return NULL;
    space *c = space_new();
    if (!c) return NULL;
    c->params = calloc(sp->n ? sp->n : 1, sizeof(space_param));
    if (!c->params) goto fail;
    c->cap = sp->n ? sp->n : 1;
    c->dim = sp->dim;
    if (sp->cond && !(c->cond = space_cond_clone(sp->cond))) goto fail;
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *s = &sp->params[i];
        space_param *d = &c->params[i];
        *d = *s;
        d->name = NULL;
        d->choices = NULL;
        d->values = NULL;
        c->n = i + 1;
        d->name = strdup(s->name);
        if (!d->name) goto fail;
        if (s->choices) {
            d->choices = calloc(s->n_choices, sizeof(char *));
            if (!d->choices) goto fail;
            for (size_t k = 0; k < s->n_choices; k++) {
                d->choices[k] = strdup(s->choices[k]);
                if (!d->choices[k]) goto fail;
            }
        }
        if (s->values) {
            d->values = malloc(s->n_choices * sizeof(double));
            if (!d->values) goto fail;
            memcpy(d->values, s->values, s->n_choices * sizeof(double));
        }
    }
    if (sp->cons && !(c->cons = space_constraints_clone(sp->cons))) goto fail;
    return c;
fail:
    space_free(c);
    return NULL;
}

static int space_check_name(const space *sp, const char *name, char *err, size_t err_len)
{
    if (!sp) {
        space_errf(err, err_len, "no search space");
        return -1;
    }
    if (!name || !name[0]) {
        space_errf(err, err_len, "parameter %zu: name is empty", sp->n);
        return -1;
    }
    if (space_index_of(sp, name) >= 0) {
        space_errf(err, err_len, "parameter '%s': name is used twice", name);
        return -1;
    }
    return 0;
}

/* Reserves a slot for a checked name; returns it zeroed, or NULL. */
static space_param *space_reserve(space *sp, const char *name, char *err, size_t err_len)
{
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 8;
        space_param *p = realloc(sp->params, cap * sizeof(space_param));
        if (!p) {
            space_errf(err, err_len, "parameter '%s': out of memory", name);
            return NULL;
        }
        sp->params = p;
        sp->cap = cap;
    }
    space_param *p = &sp->params[sp->n];
    memset(p, 0, sizeof(*p));
    p->name = strdup(name);
    if (!p->name) {
        space_errf(err, err_len, "parameter '%s': out of memory", name);
        return NULL;
    }
    return p;
}

static void space_commit(space *sp, space_param *p, size_t width)
{
    p->first = sp->dim;
    p->width = width;
    sp->dim += width;
    sp->n++;
}

static int space_check_range(const char *kind, const char *name, double low,
                             double high, int log_scale, char *err, size_t err_len)
{
    if (!isfinite(low) || !isfinite(high)) {
        space_errf(err, err_len, "parameter '%s': bounds must be finite numbers", name);
        return -1;
    }
    if (low > high || (low == high && kind[0] == 'f')) {
        space_errf(err, err_len, "parameter '%s': low (%g) must be %s high (%g)",
                   name, low, kind[0] == 'f' ? "less than" : "at most", high);
        return -1;
    }
    if (log_scale && low <= 0) {
        space_errf(err, err_len, "parameter '%s': a log-scale %s needs low > 0 (got %g)",
                   name, kind, low);
        return -1;
    }
    return 0;
}

int space_add_float(space *sp, const char *name, double low, double high,
                    int log_scale, char *err, size_t err_len)
{
    if (space_check_name(sp, name, err, err_len) != 0) return -1;
    if (space_check_range("float", name, low, high, log_scale, err, err_len) != 0)
        return -1;
    space_param *p = space_reserve(sp, name, err, err_len);
    if (!p) return -1;
    p->type = SPACE_FLOAT;
    p->low = low;
    p->high = high;
    p->log_scale = log_scale ? 1 : 0;
    space_commit(sp, p, 1);
    return 0;
}

int space_add_int(space *sp, const char *name, double low, double high,
                  int log_scale, char *err, size_t err_len)
{
    if (space_check_name(sp, name, err, err_len) != 0) return -1;
    {
        if (space_check_range("int", name, low, high, log_scale, err, err_len) != 0)
            return -1;
        if (low != floor(low) || high != floor(high)) {
            space_errf(err, err_len, "parameter '%s': int bounds must be integers (got %g, %g)",
                       name, low, high);
            return -1;
        }
        if (fabs(low) > SPACE_MAX_INT || fabs(high) > SPACE_MAX_INT) {
            space_errf(err, err_len, "parameter '%s': int bounds must be within +-2^53", name);
            return -1;
        }
    }
    space_param *p = space_reserve(sp, name, err, err_len);
    if (!p) return -1;
    p->type = SPACE_INT;
    p->low = low;
    p->high = high;
    p->log_scale = log_scale ? 1 : 0;
    space_commit(sp, p, 1);
    return 0;
}

int space_add_categorical(space *sp, const char *name,
                          const char *const *choices, size_t n_choices,
                          char *err, size_t err_len)
{
    if (space_check_name(sp, name, err, err_len) != 0) return -1;
    {
        if (!choices || n_choices == 0) {
            space_errf(err, err_len, "parameter '%s': a categorical needs at least one choice", name);
            return -1;
        }
        /* duplicates by hashing: linear in the choices */
        strmap *seen = strmap_new(n_choices);
        if (!seen) {
            space_errf(err, err_len, "parameter '%s': out of memory", name);
            return -1;
        }
        for (size_t k = 0; k < n_choices; k++) {
            if (!choices[k] || !choices[k][0]) {
                space_errf(err, err_len, "parameter '%s': choice %zu is empty", name, k);
                strmap_free(seen);
                return -1;
            }
            int added = strmap_put(seen, choices[k], k, NULL);
            if (added <= 0) {
                if (added == 0)
                    space_errf(err, err_len, "parameter '%s': choice '%s' is listed twice", name,
                               choices[k]);
                else
                    space_errf(err, err_len, "parameter '%s': out of memory", name);
                strmap_free(seen);
                return -1;
            }
        }
        strmap_free(seen);
    }
    space_param *p = space_reserve(sp, name, err, err_len);
    if (!p) return -1;
    p->type = SPACE_CATEGORICAL;
    p->choices = calloc(n_choices, sizeof(char *));
    if (!p->choices) goto oom;
    p->n_choices = n_choices;
    for (size_t k = 0; k < n_choices; k++) {
        p->choices[k] = strdup(choices[k]);
        if (!p->choices[k]) goto oom;
    }
    space_commit(sp, p, n_choices);
    return 0;
oom:
    space_errf(err, err_len, "parameter '%s': out of memory", name);
    space_param_clear(p);
    return -1;
}

static int space_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int space_add_ordinal(space *sp, const char *name, const double *values,
                      size_t n_values, char *err, size_t err_len)
{
    double *v = NULL;
    if (space_check_name(sp, name, err, err_len) != 0) return -1;
    {
        if (!values || n_values == 0) {
            space_errf(err, err_len, "parameter '%s': an ordinal needs at least one value", name);
            return -1;
        }
        for (size_t k = 0; k < n_values; k++)
            if (!isfinite(values[k])) {
                space_errf(err, err_len, "parameter '%s': value %zu is not a finite number", name, k);
                return -1;
            }
        v = malloc(n_values * sizeof(double));
        if (!v) {
            space_errf(err, err_len, "parameter '%s': out of memory", name);
            return -1;
        }
        memcpy(v, values, n_values * sizeof(double));
        qsort(v, n_values, sizeof(double), space_cmp_double);
        for (size_t k = 1; k < n_values; k++)
            if (v[k] == v[k - 1]) {
                space_errf(err, err_len, "parameter '%s': value %g is listed twice", name, v[k]);
                free(v);
                return -1;
            }
    }
    space_param *p = space_reserve(sp, name, err, err_len);
    if (!p) {
        free(v);
        return -1;
    }
    p->type = SPACE_ORDINAL;
    p->values = v;
    p->n_choices = n_values;
    space_commit(sp, p, 1);
    return 0;
}

size_t space_size(const space *sp) { return sp ? sp->n : 0; }
size_t space_encoded_dim(const space *sp) { return sp ? sp->dim : 0; }

int space_index_of(const space *sp, const char *name)
{
    if (!sp || !name) return -1;
    for (size_t i = 0; i < sp->n; i++)
        if (strcmp(sp->params[i].name, name) == 0) return (int)i;
    return -1;
}

/* Accessors tolerate a bad index (NULL, NAN or 0) rather than crash. */
#define SPACE_OK(sp, i) ((sp) && (i) < (sp)->n)

const char *space_param_name(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].name : NULL;
}
space_type space_param_type(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].type : SPACE_FLOAT;
}
double space_param_low(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].low : NAN;
}
double space_param_high(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].high : NAN;
}
int space_param_log(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].log_scale : 0;
}
size_t space_param_n_choices(const space *sp, size_t i)
{
    return SPACE_OK(sp, i) ? sp->params[i].n_choices : 0;
}

const char *space_param_choice(const space *sp, size_t i, size_t k)
{
    if (!SPACE_OK(sp, i)) return NULL;
    const space_param *p = &sp->params[i];
    if (p->type != SPACE_CATEGORICAL || k >= p->n_choices) return NULL;
    return p->choices[k];
}

double space_param_value(const space *sp, size_t i, size_t k)
{
    if (!SPACE_OK(sp, i)) return NAN;
    const space_param *p = &sp->params[i];
    if (p->type != SPACE_ORDINAL || k >= p->n_choices) return NAN;
    return p->values[k];
}

int space_choice_index(const space *sp, size_t i, const char *choice)
{
    if (!SPACE_OK(sp, i)) return -1;
    const space_param *p = &sp->params[i];
    if (p->type != SPACE_CATEGORICAL || !choice) return -1;
    for (size_t k = 0; k < p->n_choices; k++)
        if (strcmp(p->choices[k], choice) == 0) return (int)k;
    return -1;
}

void space_param_encoded_span(const space *sp, size_t i, size_t *first, size_t *count)
{
    if (first) *first = SPACE_OK(sp, i) ? sp->params[i].first : 0;
    if (count) *count = SPACE_OK(sp, i) ? sp->params[i].width : 0;
}

space_cond *space_cond_of(const space *sp) { return sp ? sp->cond : NULL; }

void space_cond_attach(space *sp, space_cond *c)
{
    if (sp->cond != c) space_cond_free(sp->cond);
    sp->cond = c;
}

/* Rank of an ordinal value, -1 when it is not one of the values. */
static long space_ordinal_rank(const space_param *p, double v)
{
    size_t lo = 0, hi = p->n_choices;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->values[mid] < v) lo = mid + 1; else hi = mid;
    }
    if (lo < p->n_choices && p->values[lo] == v) return (long)lo;
    return -1;
}

int space_validate(const space *sp, const double *config, char *err, size_t err_len)
{
    if (!sp || !config) {
        space_errf(err, err_len, "no search space or configuration");
        return -1;
    }
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        double v = config[i];
        if (!isfinite(v)) {
            space_errf(err, err_len, "parameter '%s': value is not a finite number", p->name);
            return -1;
        }
        switch (p->type) {
        case SPACE_INT:
            if (v != floor(v)) {
                space_errf(err, err_len, "parameter '%s': value %g is not an integer", p->name, v);
                return -1;
            }
            /* fall through */
        case SPACE_FLOAT:
            if (v < p->low || v > p->high) {
                space_errf(err, err_len, "parameter '%s': value %g is outside [%g, %g]",
                           p->name, v, p->low, p->high);
                return -1;
            }
            break;
        case SPACE_ORDINAL:
            if (space_ordinal_rank(p, v) < 0) {
                space_errf(err, err_len, "parameter '%s': value %g is not one of its %zu values",
                           p->name, v, p->n_choices);
                return -1;
            }
            break;
        case SPACE_CATEGORICAL:
            if (v != floor(v) || v < 0 || v >= (double)p->n_choices) {
                space_errf(err, err_len, "parameter '%s': choice index %g is not in 0..%zu",
                           p->name, v, p->n_choices - 1);
                return -1;
            }
            break;
        }
    }
    return 0;
}

static double space_clamp01(double u)
{
    if (!(u >= 0)) return 0; /* also catches NaN */
    if (u > 1) return 1;
    return u;
}

/* Encoded coordinate of a float/int value. */
static double space_encode_numeric(const space_param *p, double v)
{
    double lo = p->low, hi = p->high;
    if (p->type == SPACE_INT) {
        lo -= 0.5;
        hi += 0.5;
    }
    if (p->log_scale) {
        if (v < lo) v = lo;
        return space_clamp01((log(v) - log(lo)) / (log(hi) - log(lo)));
    }
    if (!isfinite(hi - lo)) /* a range wider than a double (the service refuses new ones) */
        return space_clamp01((v / 2 - lo / 2) / (hi / 2 - lo / 2));
    return space_clamp01((v - lo) / (hi - lo));
}

static double space_decode_numeric(const space_param *p, double u)
{
    double lo = p->low, hi = p->high, v;
    u = space_clamp01(u);
    if (p->type == SPACE_INT) {
        lo -= 0.5;
        hi += 0.5;
    }
    if (p->log_scale)
        v = exp(log(lo) + u * (log(hi) - log(lo)));
    else if (!isfinite(hi - lo))
        v = lo * (1 - u) + hi * u; /* no overflow: lo < 0 < hi */
    else
        v = lo + u * (hi - lo);
    if (p->type == SPACE_INT) v = floor(v + 0.5);
    if (v < p->low) v = p->low;
    if (v > p->high) v = p->high;
    return v;
}

/* Index of the bin of k equal bins that u falls in. */
static size_t space_bin(double u, size_t k)
{
    double b = floor(space_clamp01(u) * (double)k);
    if (b >= (double)k) b = (double)k - 1;
    return (size_t)b;
}

void space_encode(const space *sp, const double *config, double *u)
{
    assert(sp && config && u);
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        double v = config[i];
        switch (p->type) {
        case SPACE_FLOAT:
        case SPACE_INT:
            u[p->first] = space_encode_numeric(p, v);
            break;
        case SPACE_ORDINAL: {
            long r = space_ordinal_rank(p, v);
            if (r < 0) { /* not a value: nearest one */
                r = 0;
                for (size_t k = 1; k < p->n_choices; k++)
                    if (fabs(p->values[k] - v) < fabs(p->values[r] - v)) r = (long)k;
            }
            u[p->first] = ((double)r + 0.5) / (double)p->n_choices;
            break;
        }
        case SPACE_CATEGORICAL: {
            double c = floor(v);
            for (size_t k = 0; k < p->width; k++)
                u[p->first + k] = (c == (double)k) ? 1.0 : 0.0;
            break;
        }
        }
    }
    space_cond_fix_encoded(sp, config, u);
}

double space_decode_param(const space *sp, const double *u, size_t i)
{
    const space_param *p = &sp->params[i];
    switch (p->type) {
    case SPACE_FLOAT:
    case SPACE_INT:
        return space_decode_numeric(p, u[p->first]);
    case SPACE_ORDINAL:
        return p->values[space_bin(u[p->first], p->n_choices)];
    case SPACE_CATEGORICAL:
    default: {
        size_t best = 0;
        for (size_t k = 1; k < p->width; k++)
            if (u[p->first + k] > u[p->first + best]) best = k;
        return (double)best;
    }
    }
}

void space_decode(const space *sp, const double *u, double *config)
{
    assert(sp && u && config);
    for (size_t i = 0; i < sp->n; i++) config[i] = space_decode_param(sp, u, i);
    space_cond_fix_config(sp, config);
}

void space_snap_encoded(const space *sp, double *u)
{
    if (sp->cond) { /* through the configuration, whose inactive parameters are fixed */
        double *c = malloc(sp->n * sizeof(double));
        if (c) {
            space_decode(sp, u, c);
            space_encode(sp, c, u);
            free(c);
            return;
        }
    }
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        double c;
        switch (p->type) {
        case SPACE_FLOAT:
            u[p->first] = space_clamp01(u[p->first]);
            break;
        case SPACE_INT:
            c = space_decode_numeric(p, u[p->first]);
            u[p->first] = space_encode_numeric(p, c);
            break;
        case SPACE_ORDINAL:
            u[p->first] = ((double)space_bin(u[p->first], p->n_choices) + 0.5) / (double)p->n_choices;
            break;
        case SPACE_CATEGORICAL: {
            size_t best = 0;
            for (size_t k = 1; k < p->width; k++)
                if (u[p->first + k] > u[p->first + best]) best = k;
            for (size_t k = 0; k < p->width; k++) u[p->first + k] = (k == best) ? 1.0 : 0.0;
            break;
        }
        }
    }
}

void space_from_unit(const space *sp, const double *v, double *config)
{
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        switch (p->type) {
        case SPACE_FLOAT:
        case SPACE_INT:
            config[i] = space_decode_numeric(p, v[i]);
            break;
        case SPACE_ORDINAL:
            config[i] = p->values[space_bin(v[i], p->n_choices)];
            break;
        case SPACE_CATEGORICAL:
            config[i] = (double)space_bin(v[i], p->n_choices);
            break;
        }
    }
    space_cond_fix_config(sp, config);
}

int space_config_equal(const space *sp, const double *a, const double *b)
{
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        if (sp->cond) { /* inactive parameters do not count */
            int act = space_param_active(sp, a, i);
            if (act != space_param_active(sp, b, i)) return 0;
            if (!act) continue;
        }
        if (p->type == SPACE_FLOAT) {
            if (fabs(space_encode_numeric(p, a[i]) - space_encode_numeric(p, b[i])) > SPACE_FLOAT_EQ_TOL)
                return 0;
        } else if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

int space_encoded_equal(const space *sp, const double *ua, const double *ub)
{
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        if (sp->cond) { /* inactive parameters do not count */
            int act = space_param_active_encoded(sp, ua, i);
            if (act != space_param_active_encoded(sp, ub, i)) return 0;
            if (!act) continue;
        }
        switch (p->type) {
        case SPACE_FLOAT:
            if (fabs(space_clamp01(ua[p->first]) - space_clamp01(ub[p->first])) > SPACE_FLOAT_EQ_TOL)
                return 0;
            break;
        case SPACE_INT:
            if (space_decode_numeric(p, ua[p->first]) != space_decode_numeric(p, ub[p->first]))
                return 0;
            break;
        case SPACE_ORDINAL:
            if (space_bin(ua[p->first], p->n_choices) != space_bin(ub[p->first], p->n_choices))
                return 0;
            break;
        case SPACE_CATEGORICAL: {
            size_t ba = 0, bb = 0;
            for (size_t k = 1; k < p->width; k++) {
                if (ua[p->first + k] > ua[p->first + ba]) ba = k;
                if (ub[p->first + k] > ub[p->first + bb]) bb = k;
            }
            if (ba != bb) return 0;
            break;
        }
        }
    }
    return 1;
}

double space_cardinality(const space *sp)
{
    return sp->cond ? space_cond_cardinality(sp) : space_index_count(sp);
}

double space_index_count(const space *sp)
{
    double c = 1;
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        switch (p->type) {
        case SPACE_FLOAT:
            return INFINITY;
        case SPACE_INT:
            c *= p->high - p->low + 1;
            break;
        case SPACE_ORDINAL:
        case SPACE_CATEGORICAL:
            c *= (double)p->n_choices;
            break;
        }
    }
    return c;
}

void space_config_at_index(const space *sp, double index, double *config)
{
    for (size_t i = 0; i < sp->n; i++) {
        const space_param *p = &sp->params[i];
        double k;
        switch (p->type) {
        case SPACE_FLOAT:
            config[i] = 0.5 * (p->low + p->high);
            break;
        case SPACE_INT:
            k = p->high - p->low + 1;
            config[i] = p->low + fmod(index, k);
            index = floor(index / k);
            break;
        case SPACE_ORDINAL:
        case SPACE_CATEGORICAL:
            k = (double)p->n_choices;
            {
                size_t r = (size_t)fmod(index, k);
                config[i] = p->type == SPACE_ORDINAL ? p->values[r] : (double)r;
            }
            index = floor(index / k);
            break;
        }
    }
    space_cond_fix_config(sp, config);
}
