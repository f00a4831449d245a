/*
 * sysload.c - the machine's CPU time from /proc/stat, and the share of it
 * other processes used while a run went on (sysload.h).
 */
#include "plugins/sysload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSLOAD_FIELDS 8   /* user nice system idle iowait irq softirq steal */
#define SYSLOAD_TEXT_MAX 65536

/* The tick counts after "cpu" on one line; how many were read. */
static int sysload_fields(const char *p, unsigned long long *v)
{
    int n = 0;
    while (n < SYSLOAD_FIELDS) {
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            break;
        char *end = NULL;
        v[n++] = strtoull(p, &end, 10);
        p = end;
    }
    return n;
}

int sysload_parse(const char *text, double ticks_per_second, sysload_sample *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !(ticks_per_second > 0))
        return -1;
    int have_total = 0;
    for (const char *line = text; line && *line;) {
        if (strncmp(line, "cpu", 3) == 0) {
            if (line[3] == ' ' && !have_total) {
                unsigned long long v[SYSLOAD_FIELDS] = {0};
                int n = sysload_fields(line + 3, v);
                if (n < 4)
                    return -1;
                /* guest time is already inside user and nice */
                unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
                out->busy_seconds = (double)busy / ticks_per_second;
                out->total_seconds = (double)(busy + v[3] + v[4]) / ticks_per_second;
                have_total = 1;
            } else if (line[3] >= '0' && line[3] <= '9') {
                out->cpus++;
            }
        }
        const char *eol = strchr(line, '\n');
        line = eol ? eol + 1 : NULL;
    }
    if (!have_total)
        return -1;
    out->ok = 1;
    return 0;
}

int sysload_read(sysload_sample *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    char *buf = malloc(SYSLOAD_TEXT_MAX);
    size_t n = buf ? fread(buf, 1, SYSLOAD_TEXT_MAX - 1, f) : 0;
    fclose(f);
    if (!buf)
        return -1;
    buf[n] = '\0';
    long hz = sysconf(_SC_CLK_TCK);
    int rc = sysload_parse(buf, hz > 0 ? (double)hz : 0, out);
    free(buf);
    return rc;
}

double sysload_other_cpus(const sysload_sample *a, const sysload_sample *b,
                          double own_cpu_seconds, double wall_seconds)
{
    if (!a->ok || !b->ok || !(wall_seconds > 0) || !isfinite(own_cpu_seconds) ||
        own_cpu_seconds < 0)
        return NAN;
    double other = (b->busy_seconds - a->busy_seconds - own_cpu_seconds) / wall_seconds;
    return other > 0 ? other : 0;
}
