/*
 * sysload.h - how busy the machine's CPUs were while a run went on, from
 * Linux's /proc/stat: the CPU time every process used, less the run's own,
 * over the wall time ("other processes used 0.98 CPUs"). A trial that
 * measures wall-clock throughput is only as good as the machine is quiet;
 * this says whether other programs ran beside it. (A slowdown from outside
 * a virtual machine does not show here: docs/plugins.md, the rocksdb
 * section's "Measurement noise".)
 */
#ifndef BOGRAPH_PLUGINS_SYSLOAD_H
#define BOGRAPH_PLUGINS_SYSLOAD_H

/* The machine's CPU time so far. */
typedef struct {
    int ok;                 /* 1 when read and parsed */
    double busy_seconds;    /* all CPUs: user, nice, system, irq, softirq, steal */
    double total_seconds;   /* the same plus idle and iowait */
    unsigned cpus;          /* "cpuN" lines */
} sysload_sample;

/* Parses the text of /proc/stat (its aggregate "cpu" line and the per-CPU
 * lines), tick counts converted with ticks_per_second. 0, or -1 when the
 * text holds no aggregate line of at least the four first fields or
 * ticks_per_second is not positive (out->ok is then 0). */
int sysload_parse(const char *text, double ticks_per_second, sysload_sample *out);

/* Reads /proc/stat now. 0, or -1 when it cannot be read (not Linux). */
int sysload_read(sysload_sample *out);

/* CPUs' worth of time that other processes used between a and b, on
 * average: (busy(b) - busy(a) - own_cpu_seconds) / wall_seconds, at least
 * 0 (the kernel counts in ticks, the run's own time is exact). NAN when a
 * sample is not ok, wall_seconds is not positive, or own_cpu_seconds is
 * negative or not finite. */
double sysload_other_cpus(const sysload_sample *a, const sysload_sample *b,
                          double own_cpu_seconds, double wall_seconds);

#endif
