/*
 * demo.h - `bograph serve --demo`: a study of a small synthetic system and a
 * worker thread that tunes it through the service's own REST API (libcurl),
 * a trial every `delay` seconds, so a fresh service shows something live on
 * its dashboard. The system reports intermediate metrics (latency, energy,
 * cache hit rate) besides its objective (energy x delay), as a real target
 * would, so the structured model has something to learn from.
 */
#ifndef BOGRAPH_WORKER_DEMO_H
#define BOGRAPH_WORKER_DEMO_H

#include <stddef.h>

typedef struct demo demo;

/* The demo study's budget and the pause between its trials: with the model's
 * own time, five minutes or more of trials to watch on the dashboard. */
#define DEMO_BUDGET 200
#define DEMO_DELAY_SECONDS 1.5

/* Creates (or finds) the study "demo" on the service at base_url
 * ("http://127.0.0.1:8080") and starts the worker thread. *study_id gets the
 * study's id (a string of at most 31 characters). 0, or -1 with err. */
int demo_start(const char *base_url, const char *token, double delay, demo **out,
               char *study_id, char *err, size_t err_len);
/* Stops the worker (after its current trial) and frees d. NULL is fine. */
void demo_stop(demo *d);

/* The synthetic system: energy-delay product and its intermediate metrics
 * for a configuration (freq_ghz, cores, cache_mb, policy 0..2). Exposed for
 * tests. */
double demo_system(double freq_ghz, double cores, double cache_mb, int policy,
                   double *latency_ms, double *energy_j, double *hit_rate);

#endif
