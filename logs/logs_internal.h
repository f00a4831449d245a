/*
 * logs_internal.h - helpers shared by the parsers of logs/: a bounded
 * collector of metrics, line iteration over text that need not be
 * NUL-terminated, strict number scanning and metric name normalisation.
 * Not part of the public interface.
 */
#ifndef BOGRAPH_LOGS_INTERNAL_H
#define BOGRAPH_LOGS_INTERNAL_H

#include <stddef.h>
#include "logs/logs.h"

/* Longest metric name kept; longer names are skipped, not truncated, so two
 * different long keys never collide. */
#define LOGS_NAME_MAX 200
/* Most metrics one parse may produce: beyond it the input is refused. */
#define LOGS_MAX_METRICS 20000

/* Metrics gathered by one parse, merged into the caller's set at the end
 * (last value of a name wins), so a parse that fails leaves out unchanged. */
typedef struct {
    logs_metric *items;
    size_t count, cap;
    int oom;           /* an allocation failed */
    int overflow;      /* more than LOGS_MAX_METRICS */
} logs_collect;

void logs_collect_init(logs_collect *c);
void logs_collect_free(logs_collect *c);
/* Adds name (already normalised) = value. Non-finite values and over-long or
 * empty names are skipped silently; errors are latched in c. */
void logs_collect_add(logs_collect *c, const char *name, double value);
/* Adds prefix + "." + suffix, normalising the suffix. */
void logs_collect_add2(logs_collect *c, const char *prefix, const char *suffix, double value);
/* Merges into out. 0, or -1 with a message (out of memory, too many). */
int logs_collect_finish(logs_collect *c, logs_metrics *out, char *err, size_t err_len);

/* Iterates over lines of text[0..len): sets *line and *line_len (without the
 * end of line) and returns 1, or 0 at the end. *pos starts at 0. */
int logs_next_line(const char *text, size_t len, size_t *pos,
                   const char **line, size_t *line_len);

/* Scans a decimal number (optional sign, digits, optional fraction and
 * exponent; no inf, nan or hex) at s[0..len). Returns the number of bytes
 * used (0 when none) and the value in *out. */
size_t logs_scan_number(const char *s, size_t len, double *out);

/* Writes a normalised name for s[0..len) to out (cap bytes): lower case,
 * runs of characters outside [a-z0-9._] become one '_', leading and trailing
 * '_' and '.' dropped. Returns the length, or 0 when nothing is left or it
 * does not fit. */
size_t logs_normalize_name(const char *s, size_t len, char *out, size_t cap);

void logs_set_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The parsers. Each appends to c and returns 0, or -1 with a message. */
int logs_parse_rocksdb(const char *text, size_t len, logs_collect *c, char *err, size_t err_len);
int logs_parse_keyvalue(const char *text, size_t len, logs_collect *c, char *err, size_t err_len);
int logs_parse_jsonl(const char *text, size_t len, logs_collect *c, char *err, size_t err_len);

#endif
