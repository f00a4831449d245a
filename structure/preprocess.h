/*
 * preprocess.h - from the raw trials x metrics table to the few standardised
 * metrics the graph is learnt on (BoGraph's preprocessing): sum/count pairs
 * become averages, mostly-missing and near-constant metrics are dropped, one
 * representative is kept per metric family (p95 > p50 > median > avg > sum >
 * ...), duplicates (of the objective or of a kept metric) are dropped, the
 * top-k most relevant to the objective (|Spearman|) are kept, and each is
 * standardised, on a log scale when it is positive and spans more than a
 * decade (latencies, byte counts).
 */
#ifndef BOGRAPH_STRUCTURE_PREPROCESS_H
#define BOGRAPH_STRUCTURE_PREPROCESS_H

#include <stddef.h>

typedef enum { PREPROCESS_COLUMN, PREPROCESS_RATIO } preprocess_source;

typedef struct {
    char *name;              /* node name: the column's, or "<family>.avg" */
    preprocess_source source;
    size_t col, col2;        /* the column, or sum and count columns of a ratio */
    int log_scale;           /* standardised on log(value + shift) */
    double shift;            /* on a log scale: the lower decile of the values; else 0 */
    double mean, sd;         /* z = (t(value) - mean) / sd */
    double relevance;        /* |Spearman| with the objective */
    int forced;              /* kept because named by knowledge or a constraint */
} preprocess_metric;

typedef struct {
    double max_missing;      /* drop a metric missing in more than this fraction of rows */
    double max_same;         /* near-constant: one value in more than this fraction */
    double dup_corr;         /* |Pearson| above this with the objective, or |Pearson| or
                              * |Spearman| with a kept metric: a duplicate */
    double dup_rank;         /* |Spearman| above this with the objective: a restatement of it */
    size_t top_k;            /* metrics kept besides the forced ones */
} preprocess_options;

void preprocess_options_default(preprocess_options *opt);

typedef struct {
    preprocess_metric *metrics;
    size_t k;
    double *Z;               /* n_obs x k standardised values, NAN where missing */
    size_t n_obs;
} preprocess_result;

/* metrics: n_obs x n_metrics row-major, NAN = missing. y: the objective;
 * use_row[i] != 0 marks the rows to learn from (feasible, finite y; NULL:
 * all). forced: names kept whenever they have data; excluded: names never
 * kept (parameters, the objective). 0, or -1 with a message (out of memory,
 * bad arguments). A result with k = 0 is not an error. */
int preprocess_run(const char *const *names, size_t n_metrics, const double *metrics,
                   size_t n_obs, const double *y, const unsigned char *use_row,
                   const char *const *forced, size_t n_forced,
                   const char *const *excluded, size_t n_excluded,
                   const preprocess_options *opt, preprocess_result *out,
                   char *err, size_t err_len);
void preprocess_result_free(preprocess_result *r);

/* The value of metric m in row i of the raw table (a ratio computed), NAN
 * when missing or undefined. */
double preprocess_raw_value(const preprocess_metric *m, const double *metrics,
                            size_t n_metrics, size_t i);
/* Raw value -> standardised, and back. NAN in, NAN out. */
double preprocess_to_std(const preprocess_metric *m, double raw);
double preprocess_from_std(const preprocess_metric *m, double z);

/* Statistics used here and by the model; NAN pairs are skipped. */
double preprocess_spearman(const double *a, const double *b, size_t n);
double preprocess_pearson(const double *a, const double *b, size_t n);

#endif
