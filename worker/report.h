/*
 * report.h - the body of a finished trial's report (.../complete or
 * .../fail), fitted to what the service accepts, so that a measured result is
 * never turned into a failure by its own size: the plugin's result as JSON
 * (NUL bytes and non-UTF-8 cleaned by plugin_result_to_json, metrics within
 * BOGRAPH_MAX_METRICS by the plugin host), the objective among the metrics,
 * and a log too large for the request limit cut to its tail with a first
 * line saying so.
 */
#ifndef BOGRAPH_WORKER_REPORT_H
#define BOGRAPH_WORKER_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"

/* The marker line that starts a cut log. */
#define WORKER_REPORT_CUT_MARK "[bograph worker: log truncated"

/* What worker_report_body did to the log. */
typedef struct {
    size_t log_bytes;        /* the log's bytes in the result */
    size_t log_sent;         /* bytes of it in the body (the tail) */
    int log_cut;             /* cut to its tail, marked */
    int log_dropped;         /* sent without a log */
} worker_report_fit;

/* The body for res. objective (may be NULL or "") is added to the metrics
 * from res->objective when the plugin gave it only there. The encoded body
 * (compact JSON) is at most max_body bytes where cutting the log can make it
 * so: the log keeps its tail (from a UTF-8 character boundary) behind a line
 * "[bograph worker: log truncated: ...]"; when not even 1 KiB of it fits, or
 * max_body is 0, the body has no log (nor log_format). fit may be NULL.
 * NULL when out of memory. */
json_t *worker_report_body(const plugin_result *res, const char *objective, size_t max_body,
                           worker_report_fit *fit);

#endif
