/*
 * tune_figures.h - the arithmetic of `bograph tune`'s closing figures, kept
 * apart from any I/O so it can be tested: which models proposed the study's
 * trials (counts), and the default against the best configuration re-measured
 * k times each (medians, ranges, the improvement with its range, from the
 * ratios of paired runs when there are any).
 */
#ifndef BOGRAPH_CLI_TUNE_FIGURES_H
#define BOGRAPH_CLI_TUNE_FIGURES_H

#include <jansson.h>
#include <stddef.h>

/* The spread of n measurements of one configuration. */
typedef struct {
    size_t n;
    double median, min, max;   /* NAN when n == 0 */
} tune_spread;

/* Median (mean of the two middle values for even n), min and max of the n
 * finite values of v (non-finite ones are skipped). v is not modified. */
tune_spread tune_spread_of(const double *v, size_t n);

/* The improvement of best over def as a factor > 1 when best is better:
 * best/def when maximize, def/best when minimize. NAN when either is not
 * finite, zero, or their signs differ. The dashboard shows the same figure
 * (web/src/trials.js, improvement), both with two decimals ("10.94x"). */
double tune_ratio(int maximize, double def, double best);

/* The improvement from re-measurements: ratio of the medians, and the range
 * from the worst case (best's worst run against def's best run) to the best
 * case (best's best run against def's worst run). */
typedef struct {
    double median;             /* tune_ratio of the medians */
    double low, high;          /* worst-case and best-case ratio; low <= median <= high */
} tune_improvement_range;

/* 0, or -1 when either side has no measurement or a ratio is undefined (out
 * then holds NANs). */
int tune_improvement_of(int maximize, const tune_spread *def, const tune_spread *best,
                        tune_improvement_range *out);

/* The improvement from paired re-measurements: run i of def and run i of best
 * ran next to each other, so a drift of the machine (another process on the
 * next core, the host) that slows both cancels in their ratio. v[i] is
 * tune_ratio(maximize, def[i], best[i]); a pair with a non-finite value on
 * either side is skipped. out->median is the median of the pair ratios,
 * low and high their min and max; *pairs (may be NULL) how many counted.
 * 0, or -1 when no pair counts (out then holds NANs). */
int tune_improvement_paired(int maximize, const double *def, const double *best, size_t n,
                            tune_improvement_range *out, size_t *pairs);

/* "bograph 9, gp 3, sobol 2, default 1": the trials of a study (a JSON array
 * of trial objects, each with "model"; null or missing counts as
 * "imported") counted by model, most frequent first, ties by name. Writes at
 * most len bytes (truncated with "..."); 0, or -1 when trials is not an
 * array or len is 0. An empty array gives "none". */
int tune_models_format(const json_t *trials, char *buf, size_t len);

#endif
