/*
 * result_limits.h - what the service accepts in one trial's report, shared by
 * the service (server/api_trials.c, server/service.c), the plugin host
 * (plugins/host.c) and the worker (worker/report.c), so that a result a
 * plugin measured is a result the service takes: one constant each, one home.
 */
#ifndef BOGRAPH_UTIL_RESULT_LIMITS_H
#define BOGRAPH_UTIL_RESULT_LIMITS_H

/* Metrics in one result: the service refuses a report with more (400) and
 * the plugin host keeps no more than this many. */
#define BOGRAPH_MAX_METRICS 10000
/* Longest metric name, in bytes (the service refuses longer ones). */
#define BOGRAPH_MAX_METRIC_NAME 200
/* The service's default request body limit (`serve --max-body`); the worker
 * fits its reports under it (logs tail-truncated) unless told otherwise. */
#define BOGRAPH_DEFAULT_MAX_BODY (8u * 1024u * 1024u)

#endif
