/*
 * preprocess.c - metric selection and standardisation before structure
 * learning (see preprocess.h for the rules and their order).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structure/defaults.h"
#include "structure/preprocess.h"

/* Statistic suffixes that make a metric a member of a family, best first. */
static const char *const pre_suffixes[] = {
    "p95", "p50", "median", "avg",  "mean", "average", "sum", "p99",   "p90",
    "p75", "p999", "p9999", "p100", "max",  "min",     "count", "stddev", "std",
};
#define PRE_N_SUFFIXES (sizeof pre_suffixes / sizeof pre_suffixes[0])

static void pre_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void pre_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void preprocess_options_default(preprocess_options *opt)
{
    opt->max_missing = PREPROCESS_DEFAULT_MAX_MISSING;
    opt->max_same = PREPROCESS_DEFAULT_MAX_SAME;
    opt->dup_corr = PREPROCESS_DEFAULT_DUP_CORR;
    opt->dup_rank = PREPROCESS_DEFAULT_DUP_RANK;
    opt->top_k = PREPROCESS_DEFAULT_TOP_K;
}

/* Rank of the suffix of name in pre_suffixes, or -1; *family_len receives the
 * length of the family prefix (without the dot). */
static int pre_suffix_rank(const char *name, size_t *family_len)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return -1;
    for (size_t i = 0; i < PRE_N_SUFFIXES; i++)
        if (strcmp(dot + 1, pre_suffixes[i]) == 0) {
            *family_len = (size_t)(dot - name);
            return (int)i;
        }
    return -1;
}

static int pre_in(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return 1;
    return 0;
}

static int pre_find(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

double preprocess_raw_value(const preprocess_metric *m, const double *metrics,
                            size_t n_metrics, size_t i)
{
    double a = metrics[i * n_metrics + m->col];
    if (m->source == PREPROCESS_COLUMN)
        return isfinite(a) ? a : NAN;
    double c = metrics[i * n_metrics + m->col2];
    if (!isfinite(a) || !isfinite(c) || c <= 0)
        return NAN;
    return a / c;
}

double preprocess_to_std(const preprocess_metric *m, double raw)
{
    if (!isfinite(raw))
        return NAN;
    double t = raw;
    if (m->log_scale) {
        if (!(raw + m->shift > 0))
            return NAN;
        t = log(raw + m->shift);
    }
    return (t - m->mean) / m->sd;
}

double preprocess_from_std(const preprocess_metric *m, double z)
{
    if (!isfinite(z))
        return NAN;
    double t = m->mean + m->sd * z;
    return m->log_scale ? exp(fmin(t, 700.0)) - m->shift : t;
}

typedef struct {
    double v;
    size_t i;
} pre_pair;

static int pre_pair_cmp(const void *a, const void *b)
{
    const pre_pair *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* Average ranks (ties share their mean rank). */
static void pre_ranks(pre_pair *p, size_t n, double *rank)
{
    qsort(p, n, sizeof *p, pre_pair_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        double r = 0.5 * ((double)i + (double)j);
        for (size_t k = i; k <= j; k++)
            rank[p[k].i] = r;
        i = j + 1;
    }
}

double preprocess_pearson(const double *a, const double *b, size_t n)
{
    double sa = 0, sb = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            sa += a[i];
            sb += b[i];
            m++;
        }
    if (m < 3)
        return 0;
    double ma = sa / (double)m, mb = sb / (double)m, cab = 0, caa = 0, cbb = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            cab += (a[i] - ma) * (b[i] - mb);
            caa += (a[i] - ma) * (a[i] - ma);
            cbb += (b[i] - mb) * (b[i] - mb);
        }
    if (caa <= 0 || cbb <= 0)
        return 0;
    return cab / sqrt(caa * cbb);
}

double preprocess_spearman(const double *a, const double *b, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            m++;
    if (m < 3)
        return 0;
    pre_pair *pa = malloc(m * sizeof *pa), *pb = malloc(m * sizeof *pb);
    double *ra = malloc(m * sizeof *ra), *rb = malloc(m * sizeof *rb);
    double r = 0;
    if (pa && pb && ra && rb) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(a[i]) && isfinite(b[i])) {
                pa[k].v = a[i];
                pa[k].i = k;
                pb[k].v = b[i];
                pb[k].i = k;
                k++;
            }
        pre_ranks(pa, m, ra);
        pre_ranks(pb, m, rb);
        r = preprocess_pearson(ra, rb, m);
    }
    free(pa);
    free(pb);
    free(ra);
    free(rb);
    return r;
}

/* A candidate metric while selecting. */
typedef struct {
    preprocess_metric m;
    double *v;        /* raw values per used row */
    double *t;        /* transformed values per used row */
    int alive;
} pre_cand;

static int pre_cand_cmp(const void *a, const void *b)
{
    const pre_cand *x = *(pre_cand *const *)a, *y = *(pre_cand *const *)b;
    if (x->m.forced != y->m.forced)
        return y->m.forced - x->m.forced;
    if (x->m.relevance != y->m.relevance)
        return (x->m.relevance < y->m.relevance) - (x->m.relevance > y->m.relevance);
    return strcmp(x->m.name, y->m.name); /* deterministic */
}

void preprocess_result_free(preprocess_result *r)
{
    if (!r)
        return;
    for (size_t j = 0; j < r->k; j++)
        free(r->metrics[j].name);
    free(r->metrics);
    free(r->Z);
    memset(r, 0, sizeof *r);
}

/* Drops c when mostly missing or near-constant (forced ones only when they
 * have fewer than 3 values or no spread at all). */
static void pre_filter(pre_cand *c, size_t n_rows, const preprocess_options *opt)
{
    size_t have = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < n_rows; r++)
        if (isfinite(c->v[r])) {
            have++;
            lo = fmin(lo, c->v[r]);
            hi = fmax(hi, c->v[r]);
        }
    if (have < 3 || !(hi - lo > 1e-12 * fmax(1.0, fmax(fabs(lo), fabs(hi))))) {
        c->alive = 0;
        return;
    }
    if (c->m.forced)
        return;
    if ((double)(n_rows - have) > opt->max_missing * (double)n_rows) {
        c->alive = 0;
        return;
    }
    /* The most frequent value. */
    double *s = malloc(have * sizeof *s);
    if (!s)
        return;
    size_t k = 0;
    for (size_t r = 0; r < n_rows; r++)
        if (isfinite(c->v[r]))
            s[k++] = c->v[r];
    pre_pair *p = malloc(have * sizeof *p);
    if (p) {
        for (size_t i = 0; i < have; i++) {
            p[i].v = s[i];
            p[i].i = i;
        }
        qsort(p, have, sizeof *p, pre_pair_cmp);
        size_t best = 1, run = 1;
        for (size_t i = 1; i < have; i++) {
            run = p[i].v == p[i - 1].v ? run + 1 : 1;
            if (run > best)
                best = run;
        }
        if ((double)best > opt->max_same * (double)have)
            c->alive = 0;
        free(p);
    }
    free(s);
}

static int pre_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The shift of a log-scaled metric: its lower decile when its smallest
 * value comes within PREPROCESS_NEAR_ZERO of zero relative to its median
 * (a wait that vanishes at the best setting, whose smallest values are
 * mostly noise), else 0 (latencies, energies and byte counts keep their
 * multiplicative scale). */
static double pre_log_shift(const double *v, size_t n_rows)
{
    double *w = malloc((n_rows ? n_rows : 1) * sizeof *w);
    if (!w)
        return 0;
    size_t n = 0;
    for (size_t r = 0; r < n_rows; r++)
        if (isfinite(v[r]))
            w[n++] = v[r];
    double shift = 0;
    if (n) {
        qsort(w, n, sizeof *w, pre_cmp_double);
        if (w[0] < PREPROCESS_NEAR_ZERO * w[(n - 1) / 2])
            shift = w[(n - 1) / 10];
    }
    free(w);
    return shift;
}

/* Log scale for positive metrics spanning more than a decade; then the mean
 * and standard deviation of the transformed values. */
static void pre_transform(pre_cand *c, size_t n_rows)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < n_rows; r++)
        if (isfinite(c->v[r])) {
            lo = fmin(lo, c->v[r]);
            hi = fmax(hi, c->v[r]);
        }
    /* Shifted only when it comes close to zero (pre_log_shift). */
    c->m.log_scale = lo > 0 && hi > PREPROCESS_LOG_SPAN * lo;
    c->m.shift = c->m.log_scale ? pre_log_shift(c->v, n_rows) : 0;
    double s = 0, ss = 0;
    size_t n = 0;
    for (size_t r = 0; r < n_rows; r++) {
        double v = c->v[r];
        c->t[r] = isfinite(v) ? (c->m.log_scale ? log(v + c->m.shift) : v) : NAN;
        if (isfinite(c->t[r])) {
            s += c->t[r];
            n++;
        }
    }
    double mean = n ? s / (double)n : 0;
    for (size_t r = 0; r < n_rows; r++)
        if (isfinite(c->t[r]))
            ss += (c->t[r] - mean) * (c->t[r] - mean);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 1;
    c->m.mean = mean;
    c->m.sd = sd > 0 ? sd : 1;
}

/* The candidate metrics, appended to cand (*n_cand counts them, also on
 * failure): sum/count pairs become averages (the pair's columns are
 * consumed unless forced), then every other column that is not excluded.
 * 0, or -1 (out of memory). */
static int pre_candidates(const char *const *names, size_t n_metrics,
                          const char *const *forced, size_t n_forced,
                          const char *const *excluded, size_t n_excluded, pre_cand *cand,
                          unsigned char *consumed, size_t *n_cand)
{
    for (size_t j = 0; j < n_metrics; j++) {
        const char *nm = names[j];
        size_t len = nm ? strlen(nm) : 0;
        if (len < 5 || strcmp(nm + len - 4, ".sum") != 0 || pre_in(excluded, n_excluded, nm))
            continue;
        char buf[512];
        if (len + 8 > sizeof buf)
            continue;
        memcpy(buf, nm, len - 4);
        strcpy(buf + len - 4, ".count");
        int jc = pre_find(names, n_metrics, buf);
        if (jc < 0 || pre_in(excluded, n_excluded, buf))
            continue;
        strcpy(buf + len - 4, ".avg");
        if (pre_find(names, n_metrics, buf) >= 0)
            continue;
        pre_cand *c = &cand[(*n_cand)++];
        c->m.name = strdup(buf);
        if (!c->m.name)
            return -1;
        c->m.source = PREPROCESS_RATIO;
        c->m.col = j;
        c->m.col2 = (size_t)jc;
        c->m.forced = pre_in(forced, n_forced, buf);
        if (!pre_in(forced, n_forced, nm))
            consumed[j] = 1;
        if (!pre_in(forced, n_forced, names[jc]))
            consumed[jc] = 1;
    }
    for (size_t j = 0; j < n_metrics; j++) {
        if (!names[j] || consumed[j] || pre_in(excluded, n_excluded, names[j]))
            continue;
        int dup = 0;
        for (size_t k = 0; k < *n_cand && !dup; k++)
            dup = strcmp(cand[k].m.name, names[j]) == 0;
        if (dup)
            continue;
        pre_cand *c = &cand[(*n_cand)++];
        c->m.name = strdup(names[j]);
        if (!c->m.name)
            return -1;
        c->m.source = PREPROCESS_COLUMN;
        c->m.col = j;
        c->m.forced = pre_in(forced, n_forced, names[j]);
    }
    return 0;
}

/* One representative per family among the surviving candidates. */
static void pre_one_per_family(pre_cand *cand, size_t n_cand)
{
    for (size_t k = 0; k < n_cand; k++) {
        size_t fl;
        int rank = pre_suffix_rank(cand[k].m.name, &fl);
        if (!cand[k].alive || rank < 0)
            continue;
        for (size_t l = 0; l < n_cand; l++) {
            size_t fl2;
            if (l == k || !cand[l].alive)
                continue;
            int rank2 = pre_suffix_rank(cand[l].m.name, &fl2);
            if (rank2 < 0 || fl2 != fl || strncmp(cand[k].m.name, cand[l].m.name, fl) != 0)
                continue;
            if (rank2 < rank && !cand[k].m.forced) {
                cand[k].alive = 0;
                break;
            }
        }
    }
}

/* The survivors' transforms and relevance to the objective yr (copies of
 * it dropped), into order[], most relevant first. Returns how many. */
static size_t pre_rank_candidates(pre_cand *cand, size_t n_cand, const double *yr,
                                  size_t n_rows, const preprocess_options *opt,
                                  pre_cand **order)
{
    size_t n_alive = 0;
    for (size_t k = 0; k < n_cand; k++) {
        if (!cand[k].alive)
            continue;
        pre_transform(&cand[k], n_rows);
        double rho = preprocess_spearman(cand[k].t, yr, n_rows);
        cand[k].m.relevance = fabs(rho);
        /* A copy of the objective tells the model nothing new, nor does a
         * restatement of it (a reciprocal, a unit change, a counter of the
         * run's time): a monotone function of the objective, found by rank. */
        if (!cand[k].m.forced && (fabs(preprocess_pearson(cand[k].t, yr, n_rows)) > opt->dup_corr ||
                                  fabs(rho) > opt->dup_rank)) {
            cand[k].alive = 0;
            continue;
        }
        order[n_alive++] = &cand[k];
    }
    qsort(order, n_alive, sizeof *order, pre_cand_cmp);
    return n_alive;
}

/* The kept metrics into out->metrics (out->k): the forced ones and the
 * top_k most relevant others that duplicate no metric kept before them.
 * 0, or -1 (out of memory). */
static int pre_keep(pre_cand **order, size_t n_alive, size_t n_rows,
                    const preprocess_options *opt, preprocess_result *out)
{
    out->metrics = calloc(n_alive + 1, sizeof *out->metrics);
    if (!out->metrics)
        return -1;
    size_t kept_free = 0;
    for (size_t a = 0; a < n_alive; a++) {
        pre_cand *c = order[a];
        if (!c->m.forced) {
            if (kept_free >= opt->top_k)
                continue;
            /* order[0..a) that were kept are compacted at the front. */
            int dup = 0;
            for (size_t b = 0; b < out->k && !dup; b++)
                dup = fabs(preprocess_pearson(c->t, order[b]->t, n_rows)) > opt->dup_corr ||
                      fabs(preprocess_spearman(c->t, order[b]->t, n_rows)) > opt->dup_corr;
            if (dup)
                continue;
            kept_free++;
        }
        order[out->k] = c;
        out->metrics[out->k] = c->m;
        out->metrics[out->k].name = strdup(c->m.name);
        if (!out->metrics[out->k].name)
            return -1;
        out->k++;
    }
    return 0;
}

int preprocess_run(const char *const *names, size_t n_metrics, const double *metrics,
                   size_t n_obs, const double *y, const unsigned char *use_row,
                   const char *const *forced, size_t n_forced,
                   const char *const *excluded, size_t n_excluded,
                   const preprocess_options *opt_in, preprocess_result *out,
                   char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->n_obs = n_obs;
    if ((n_metrics && (!names || !metrics)) || (n_obs && !y)) {
        pre_err(err, err_len, "preprocess: missing names, metrics or objective");
        return -1;
    }
    preprocess_options opt;
    if (opt_in)
        opt = *opt_in;
    else
        preprocess_options_default(&opt);

    size_t *rows = malloc((n_obs ? n_obs : 1) * sizeof *rows);
    double *yr = malloc((n_obs ? n_obs : 1) * sizeof *yr);
    /* At most one candidate per column plus one ratio per sum column. */
    pre_cand *cand = calloc(2 * n_metrics + 1, sizeof *cand);
    pre_cand **order = calloc(2 * n_metrics + 1, sizeof *order);
    unsigned char *consumed = calloc(n_metrics + 1, 1);
    size_t n_cand = 0, n_rows = 0;
    int rc = -1;
    if (!rows || !yr || !cand || !order || !consumed)
        goto oom;
    for (size_t i = 0; i < n_obs; i++)
        if ((!use_row || use_row[i]) && isfinite(y[i])) {
            rows[n_rows] = i;
            yr[n_rows++] = y[i];
        }
    if (pre_candidates(names, n_metrics, forced, n_forced, excluded, n_excluded, cand, consumed,
                       &n_cand) != 0)
        goto oom;
    for (size_t k = 0; k < n_cand; k++) {
        pre_cand *c = &cand[k];
        c->v = malloc((n_rows ? n_rows : 1) * sizeof *c->v);
        c->t = malloc((n_rows ? n_rows : 1) * sizeof *c->t);
        if (!c->v || !c->t)
            goto oom;
        for (size_t r = 0; r < n_rows; r++)
            c->v[r] = preprocess_raw_value(&c->m, metrics, n_metrics, rows[r]);
        c->alive = 1;
        pre_filter(c, n_rows, &opt);
    }
    pre_one_per_family(cand, n_cand);
    size_t n_alive = pre_rank_candidates(cand, n_cand, yr, n_rows, &opt, order);
    if (pre_keep(order, n_alive, n_rows, &opt, out) != 0)
        goto oom;

    out->Z = malloc((n_obs * out->k > 0 ? n_obs * out->k : 1) * sizeof *out->Z);
    if (!out->Z)
        goto oom;
    for (size_t i = 0; i < n_obs; i++)
        for (size_t j = 0; j < out->k; j++)
            out->Z[i * out->k + j] = preprocess_to_std(
                &out->metrics[j], preprocess_raw_value(&out->metrics[j], metrics, n_metrics, i));
    rc = 0;
    goto done;
oom:
    pre_err(err, err_len, "preprocess: out of memory");
    preprocess_result_free(out);
done:
    if (cand)
        for (size_t k = 0; k < n_cand; k++) {
            free(cand[k].m.name);
            free(cand[k].v);
            free(cand[k].t);
        }
    free(cand);
    free(order);
    free(consumed);
    free(rows);
    free(yr);
    return rc;
}
