/*
 * stats.h - request counters and latency histograms for GET /metrics
 * (Prometheus text format), keyed by route pattern and status.
 */
#ifndef BOGRAPH_SERVER_STATS_H
#define BOGRAPH_SERVER_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct stats stats;

stats *stats_new(void);
void stats_free(stats *s);
/* route is a static string (a route pattern, "static" or "unmatched"). */
void stats_record(stats *s, const char *route, const char *method, int status, double seconds);
/* One suggestion computed by a model: n points, the model that answered
 * ("gp", "bograph", ...), the fallback reason ("" when none; digits and
 * details are dropped so reasons stay few), the seconds spent fitting and
 * maximising the acquisition. */
void stats_record_model(stats *s, const char *model, const char *reason, size_t n,
                        double fit_seconds, double acq_seconds);
/* Appends the Prometheus text of the counters to a malloc'd string; the
 * caller adds trial gauges. NULL when out of memory. */
char *stats_render(stats *s);

#endif
