/*
 * tune_figures.c - the closing figures of `bograph tune` as plain arithmetic:
 * model counts over a study's trials, and medians and ranges of re-measured
 * runs with the improvement they support (see tune_figures.h).
 */
#include "cli/tune_figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tune_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

tune_spread tune_spread_of(const double *v, size_t n)
{
    tune_spread s = {.n = 0, .median = NAN, .min = NAN, .max = NAN};
    double *w = n ? malloc(n * sizeof *w) : NULL;
    if (!w)
        return s;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            w[s.n++] = v[i];
    if (s.n > 0) {
        qsort(w, s.n, sizeof *w, tune_cmp_double);
        s.min = w[0];
        s.max = w[s.n - 1];
        s.median = s.n % 2 ? w[s.n / 2] : (w[s.n / 2 - 1] + w[s.n / 2]) / 2.0;
    }
    free(w);
    return s;
}

double tune_ratio(int maximize, double def, double best)
{
    if (!isfinite(def) || !isfinite(best) || def == 0 || best == 0 || (def > 0) != (best > 0))
        return NAN;
    return maximize ? best / def : def / best;
}

int tune_improvement_of(int maximize, const tune_spread *def, const tune_spread *best,
                        tune_improvement_range *out)
{
    out->median = out->low = out->high = NAN;
    if (def->n == 0 || best->n == 0)
        return -1;
    /* The worst case pairs best's worst run with def's best run: for a
     * maximised objective best.min against def.max, for a minimised one
     * best.max against def.min. */
    double med = tune_ratio(maximize, def->median, best->median);
    double low = maximize ? tune_ratio(1, def->max, best->min) : tune_ratio(0, def->min, best->max);
    double high = maximize ? tune_ratio(1, def->min, best->max) : tune_ratio(0, def->max, best->min);
    if (!isfinite(med) || !isfinite(low) || !isfinite(high))
        return -1;
    out->median = med;
    out->low = low;
    out->high = high;
    return 0;
}

int tune_improvement_paired(int maximize, const double *def, const double *best, size_t n,
                            tune_improvement_range *out, size_t *pairs)
{
    out->median = out->low = out->high = NAN;
    if (pairs)
        *pairs = 0;
    double *r = n ? malloc(n * sizeof *r) : NULL;
    if (!r)
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = tune_ratio(maximize, def[i], best[i]);
    tune_spread s = tune_spread_of(r, n);
    free(r);
    if (pairs)
        *pairs = s.n;
    if (s.n == 0)
        return -1;
    out->median = s.median;
    out->low = s.min;
    out->high = s.max;
    return 0;
}

typedef struct {
    const char *model;
    size_t count;
} tune_model_count;

static int tune_cmp_count(const void *a, const void *b)
{
    const tune_model_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->model, y->model);
}

int tune_models_format(const json_t *trials, char *buf, size_t len)
{
    if (!json_is_array(trials) || len == 0)
        return -1;
    size_t n = json_array_size(trials), k = 0;
    tune_model_count *counts = n ? calloc(n, sizeof *counts) : NULL;
    if (n && !counts)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *m = json_string_value(json_object_get(json_array_get(trials, i), "model"));
        if (!m)
            m = "imported";
        size_t j = 0;
        while (j < k && strcmp(counts[j].model, m) != 0)
            j++;
        if (j == k)
            counts[k++].model = m;
        counts[j].count++;
    }
    if (k > 1)
        qsort(counts, k, sizeof *counts, tune_cmp_count);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < k && used < len; j++) {
        int w = snprintf(buf + used, len - used, "%s%s %zu", j ? ", " : "", counts[j].model,
                         counts[j].count);
        used += w > 0 ? (size_t)w : 0;
    }
    if (used >= len && len > 4)
        memcpy(buf + len - 4, "...", 4);
    if (k == 0)
        snprintf(buf, len, "none");
    free(counts);
    return 0;
}
