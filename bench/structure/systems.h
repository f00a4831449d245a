/*
 * systems.h - synthetic target systems for the structure benchmark. Each
 * has typed parameters, intermediate metrics that each depend on a few
 * parameters (some also on another metric), an objective composed from the
 * metrics, and observation noise; one run writes its log text the way a
 * real system would (key=value lines or JSON lines, with percentile
 * families, sum/count pairs, constants and unrelated counters), which the
 * benchmark parses with logs_parse. The true graph is known.
 */
#ifndef BOGRAPH_BENCH_SYSTEMS_H
#define BOGRAPH_BENCH_SYSTEMS_H

#include <stddef.h>
#include <stdint.h>

#include "bo/space.h"

#define SYS_MAX_PARAMS 32
#define SYS_MAX_METRICS 16
#define SYS_MAX_PARENTS 4

typedef enum { SYS_THROUGHPUT, SYS_EDP, SYS_PIPELINE, SYS_HARTMANN6, SYS_HARTMANN6_NOISE } sys_kind;

typedef struct {
    size_t param[SYS_MAX_PARENTS];
    int form[SYS_MAX_PARENTS];
    double centre[SYS_MAX_PARENTS], scale[SYS_MAX_PARENTS];
    size_t n_param;
    int metric_parent;        /* another metric feeding this one, or -1 */
    double metric_coef;
    double base;
    char name[48];            /* metric family name in the logs */
} sys_metric;

typedef struct {
    const char *name;
    sys_kind kind;
    const char *log_format;   /* "keyvalue" or "jsonl"; NULL: no logs */
    int maximize;
    const char *objective;
    size_t p, k;
    size_t n_relevant;        /* parameters 0..n_relevant-1 drive metrics */
    sys_metric metric[SYS_MAX_METRICS];
    double noise;             /* relative observation noise */
    double weight[SYS_MAX_METRICS];
} sys_system;

/* The systems by name: kvstore (20 params, 10 metrics, throughput),
 * accelerator (24, 8, energy-delay product), pipeline (14, 6, stage
 * times with a bottleneck), mlsys (30, 14, additive cost),
 * hartmann6 (no metrics), hartmann6-noise (unrelated metrics). */
int sys_init(sys_system *s, const char *name);
const char *const *sys_names(void);
/* The system's search space (caller frees). */
space *sys_space(const sys_system *s);

/* Runs configuration x (raw values) with noise from *rng: writes the
 * objective to *y and the log text to buf (cap bytes; "" for systems
 * without logs). */
void sys_run(const sys_system *s, const double *x, uint64_t *rng, double *y, char *buf,
             size_t cap);
/* The noiseless objective. */
double sys_true_objective(const sys_system *s, const double *x);

#endif
