/*
 * logs.h - turns the raw logs a trial reports into named metrics. A parser
 * is chosen by name ("rocksdb", "keyvalue", "jsonl"); metric names are
 * stable, dotted and lower case (e.g. "rocksdb.db.get.micros.p95"). Parsers
 * read untrusted text: garbage gives metrics or an error, never a crash.
 */
#ifndef BOGRAPH_LOGS_LOGS_H
#define BOGRAPH_LOGS_LOGS_H

#include <stddef.h>

typedef struct {
    char *name;
    double value;
} logs_metric;

typedef struct {
    logs_metric *items;
    size_t count;
    size_t cap;
} logs_metrics;

void logs_metrics_init(logs_metrics *m);
void logs_metrics_free(logs_metrics *m);
/* Sets name to value, replacing an earlier value of the same name. 0 or -1 (out of memory). */
int logs_metrics_set(logs_metrics *m, const char *name, double value);
/* The value of name, or NULL when absent. */
const double *logs_metrics_get(const logs_metrics *m, const char *name);

/* Appends the metrics found in text (len bytes, need not be NUL-terminated)
 * to out. Returns 0, or -1 with a message (unknown format, out of memory). */
int logs_parse(const char *format, const char *text, size_t len,
               logs_metrics *out, char *err, size_t err_len);

/* 1 when a parser of that name exists. */
int logs_format_known(const char *format);
/* The registered parser names, NULL-terminated. */
const char *const *logs_format_names(void);

#endif
