/*
 * systems.c - the synthetic systems of the structure benchmark (see
 * systems.h). Structures are fixed per system (drawn from a fixed seed), so
 * every benchmark seed optimises the same system.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "family.h"
#include "systems.h"

enum { FORM_BOWL, FORM_EXP, FORM_LOG, FORM_SIGMOID };

static uint64_t sys_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double sys_unif(uint64_t *s)
{
    return ((double)(sys_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double sys_normal(uint64_t *s)
{
    return sqrt(-2 * log(sys_unif(s))) * cos(6.283185307179586 * sys_unif(s));
}

static const char *const sys_all[] = {"kvstore", "accelerator", "pipeline", "mlsys",
                                      "hartmann6", "hartmann6-noise", NULL};

const char *const *sys_names(void)
{
    return sys_all;
}

/* Random sparse structure: metric j depends on 2-3 of the relevant
 * parameters (each relevant parameter used at least once), the last
 * n_chain metrics also on an earlier metric. */
static void sys_structure(sys_system *s, uint64_t seed, size_t n_chain,
                          const char *const *metric_names)
{
    uint64_t r = seed;
    size_t next_param = 0;
    for (size_t j = 0; j < s->k; j++) {
        sys_metric *m = &s->metric[j];
        m->n_param = 2 + (size_t)(sys_unif(&r) < 0.4);
        for (size_t a = 0; a < m->n_param; a++) {
            size_t q;
            int dup;
            do {
                if (next_param < s->n_relevant)
                    q = next_param++;
                else
                    q = (size_t)(sys_unif(&r) * (double)s->n_relevant);
                dup = 0;
                for (size_t b = 0; b < a; b++)
                    dup |= m->param[b] == q;
            } while (dup);
            m->param[a] = q;
            m->form[a] = (int)(sys_unif(&r) * 4);
            m->centre[a] = 0.15 + 0.7 * sys_unif(&r);
            m->scale[a] = 0.6 + 1.4 * sys_unif(&r);
        }
        m->metric_parent = -1;
        if (j + n_chain >= s->k && j > 0) {
            m->metric_parent = (int)(sys_unif(&r) * (double)j);
            m->metric_coef = 0.3 + 0.4 * sys_unif(&r);
        }
        m->base = 0.5 + sys_unif(&r);
        snprintf(m->name, sizeof m->name, "%s", metric_names[j]);
        s->weight[j] = 0.5 + sys_unif(&r);
    }
}

int sys_init(sys_system *s, const char *name)
{
    uint64_t fseed;
    size_t findex;
    if (family_parse_name(name, &fseed, &findex) == 0)
        return family_generate(fseed, findex, s);
    memset(s, 0, sizeof *s);
    s->noise = 0.03;
    if (strcmp(name, "kvstore") == 0) {
        static const char *const mn[] = {
            "db.get.micros", "db.write.micros", "db.seek.micros", "compaction.micros",
            "flush.micros",  "block.cache.miss", "stall.micros",  "wal.sync.micros",
            "memtable.bytes", "bloom.checks"};
        s->name = "kvstore";
        s->kind = SYS_THROUGHPUT;
        s->log_format = "keyvalue";
        s->maximize = 1;
        s->objective = "throughput";
        s->p = 20;
        s->k = 10;
        s->n_relevant = 14;
        sys_structure(s, 101, 2, mn);
    } else if (strcmp(name, "accelerator") == 0) {
        static const char *const mn[] = {"energy.compute", "energy.memory", "energy.noc",
                                         "cycles.compute", "cycles.memory", "cycles.stall",
                                         "area.logic",     "power.leakage"};
        s->name = "accelerator";
        s->kind = SYS_EDP;
        s->log_format = "jsonl";
        s->maximize = 0;
        s->objective = "edp";
        s->p = 24;
        s->k = 8;
        s->n_relevant = 16;
        sys_structure(s, 202, 2, mn);
    } else if (strcmp(name, "pipeline") == 0) {
        static const char *const mn[] = {"stage.ingest", "stage.parse", "stage.transform",
                                         "stage.join",   "stage.write", "queue.wait"};
        s->name = "pipeline";
        s->kind = SYS_PIPELINE;
        s->log_format = "keyvalue";
        s->maximize = 0;
        s->objective = "runtime";
        s->p = 14;
        s->k = 6;
        s->n_relevant = 10;
        sys_structure(s, 303, 1, mn);
    } else if (strcmp(name, "mlsys") == 0) {
        static const char *const mn[] = {
            "step.forward", "step.backward", "step.optimizer", "comm.allreduce", "comm.p2p",
            "mem.activations", "mem.weights", "io.loader", "io.prefetch", "cache.misses",
            "kernel.launch", "sync.barrier", "gc.pause", "swap.bytes"};
        s->name = "mlsys";
        s->kind = SYS_THROUGHPUT;
        s->log_format = "jsonl";
        s->maximize = 1;
        s->objective = "samples_per_sec";
        s->p = 30;
        s->k = 14;
        s->n_relevant = 22;
        sys_structure(s, 404, 3, mn);
    } else if (strcmp(name, "hartmann6") == 0 || strcmp(name, "hartmann6-noise") == 0) {
        int noisy = strcmp(name, "hartmann6-noise") == 0;
        s->name = noisy ? "hartmann6-noise" : "hartmann6";
        s->kind = noisy ? SYS_HARTMANN6_NOISE : SYS_HARTMANN6;
        s->log_format = noisy ? "keyvalue" : NULL;
        s->maximize = 0;
        s->objective = "value";
        s->p = 6;
        s->k = 0;
        s->noise = 0;
    } else {
        return -1;
    }
    return 0;
}

space *sys_space(const sys_system *s)
{
    if (s->kind == SYS_FAMILY)
        return family_space(s);
    space *sp = space_new();
    if (!sp)
        return NULL;
    for (size_t j = 0; j < s->p; j++) {
        char name[32];
        snprintf(name, sizeof name, "x%02zu", j);
        if (space_add_float(sp, name, 0.0, 1.0, 0, NULL, 0) != 0) {
            space_free(sp);
            return NULL;
        }
    }
    return sp;
}

static double sys_form(int form, double x, double c, double sc)
{
    switch (form) {
    case FORM_BOWL: return 2.5 * sc * (x - c) * (x - c);
    case FORM_EXP: return sc * (exp(1.5 * (x - c)) - exp(-1.5 * c)) / 2;
    case FORM_LOG: return sc * log1p(4 * fabs(x - c));
    default: return sc / (1 + exp(-8 * (x - c)));
    }
}

static void sys_metrics(const sys_system *s, const double *x, double *m)
{
    for (size_t j = 0; j < s->k; j++) {
        const sys_metric *mt = &s->metric[j];
        double v = mt->base;
        for (size_t a = 0; a < mt->n_param; a++)
            v += sys_form(mt->form[a], x[mt->param[a]], mt->centre[a], mt->scale[a]);
        if (mt->metric_parent >= 0)
            v += mt->metric_coef * m[mt->metric_parent];
        m[j] = v;
    }
}

static double sys_hartmann6(const double *x)
{
    static const double a[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double f = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 6; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        f -= a[i] * exp(-e);
    }
    return f;
}

static double sys_compose(const sys_system *s, const double *m)
{
    double acc = 0;
    switch (s->kind) {
    case SYS_THROUGHPUT:
        for (size_t j = 0; j < s->k; j++)
            acc += s->weight[j] * m[j];
        return 1e4 / acc;
    case SYS_EDP: {
        /* energy = sum of energy-like metrics, delay = the rest */
        double e = 0, d = 0;
        for (size_t j = 0; j < s->k; j++) {
            if (j < 3 || j == 7)
                e += s->weight[j] * m[j];
            else
                d += s->weight[j] * m[j];
        }
        return e * d;
    }
    case SYS_PIPELINE:
        /* ingest and parse run in parallel: the slower one counts */
        acc = fmax(m[0], m[1]);
        for (size_t j = 2; j < s->k; j++)
            acc += s->weight[j] * m[j];
        return acc;
    default:
        return 0;
    }
}

double sys_true_objective(const sys_system *s, const double *x)
{
    if (s->kind == SYS_FAMILY)
        return family_true_objective(s, x);
    if (s->kind == SYS_HARTMANN6 || s->kind == SYS_HARTMANN6_NOISE)
        return sys_hartmann6(x);
    double m[SYS_MAX_METRICS];
    sys_metrics(s, x, m);
    return sys_compose(s, m);
}

static size_t sys_printf(char *buf, size_t cap, size_t o, const char *fmt, double a, double b)
{
    if (o >= cap)
        return o;
    int w = snprintf(buf + o, cap - o, fmt, a, b);
    return w > 0 ? o + (size_t)w : o;
}

void sys_run(const sys_system *s, const double *x, uint64_t *rng, double *y, char *buf,
             size_t cap)
{
    if (s->kind == SYS_FAMILY) {
        family_run(s, x, rng, y, buf, cap);
        return;
    }
    buf[0] = '\0';
    if (s->kind == SYS_HARTMANN6 || s->kind == SYS_HARTMANN6_NOISE) {
        *y = sys_hartmann6(x);
        if (s->kind == SYS_HARTMANN6_NOISE) {
            /* Metrics a system reports that have nothing to do with the
             * objective. */
            size_t o = 0;
            o = sys_printf(buf, cap, o, "gc.pause.p95=%.4f\ngc.pause.p50=%.4f\n",
                           1 + sys_unif(rng), 0.5 + sys_unif(rng));
            o = sys_printf(buf, cap, o, "threads=%.0f\nheap.mb=%.2f\n", 8, 100 + 50 * sys_unif(rng));
            o = sys_printf(buf, cap, o, "net.bytes=%.0f\ndisk.iops=%.1f\n",
                           1e6 * (1 + sys_unif(rng)), 500 + 100 * sys_normal(rng));
            sys_printf(buf, cap, o, "version=%.0f\nuptime.s=%.3f\n", 7, 10 + sys_unif(rng));
        }
        return;
    }
    double m[SYS_MAX_METRICS];
    sys_metrics(s, x, m);
    /* Each metric observed with multiplicative noise; the objective is
     * composed from the true metrics, then observed with noise too. */
    double obs[SYS_MAX_METRICS];
    for (size_t j = 0; j < s->k; j++)
        obs[j] = m[j] * (1 + s->noise * sys_normal(rng));
    *y = sys_compose(s, m) * (1 + s->noise * sys_normal(rng));
    size_t o = 0;
    int json = strcmp(s->log_format, "jsonl") == 0;
    if (json) {
        o = sys_printf(buf, cap, o, "{\"event\": \"start\", \"threads\": %.0f, \"epoch\": %.0f}\n",
                       16, 1);
        for (size_t j = 0; j < s->k; j++) {
            const char *name = s->metric[j].name;
            double v = obs[j];
            /* {"energy": {"compute": {"p50": .., "p95": .., "sum": .., "count": ..}}} */
            char key[64];
            snprintf(key, sizeof key, "%s", name);
            char *dot = strchr(key, '.');
            const char *leaf = dot ? dot + 1 : "value";
            if (dot)
                *dot = '\0';
            double count = 1000 + (double)(sys_next(rng) % 50);
            if (o < cap) {
                int w = snprintf(buf + o, cap - o,
                                 "{\"%s\": {\"%s\": {\"p50\": %.5g, \"p95\": %.5g, \"sum\": %.6g, "
                                 "\"count\": %.0f}}}\n",
                                 key, leaf, 0.8 * v * (1 + 0.01 * sys_normal(rng)), v,
                                 0.85 * v * count, count);
                o += w > 0 ? (size_t)w : 0;
            }
        }
        if (o < cap) {
            int w = snprintf(buf + o, cap - o, "{\"%s\": %.6g, \"wallclock\": %.3f}\n",
                             s->objective, *y, 30 + sys_unif(rng));
            o += w > 0 ? (size_t)w : 0;
        }
        sys_printf(buf, cap, o, "{\"rss_mb\": %.1f, \"version\": %.0f}\n",
                   900 + 100 * sys_unif(rng), 3);
    } else {
        o = sys_printf(buf, cap, o, "# run start\nthreads=%.0f version=%.0f\n", 16, 7);
        for (size_t j = 0; j < s->k; j++) {
            const char *name = s->metric[j].name;
            double v = obs[j];
            double count = 1000 + (double)(sys_next(rng) % 50);
            if (o < cap) {
                int w = snprintf(buf + o, cap - o,
                                 "%s.p50=%.5g %s.p95=%.5g\n%s.sum: %.6g\n%s.count: %.0f\n", name,
                                 0.8 * v * (1 + 0.01 * sys_normal(rng)), name, v, name,
                                 0.85 * v * count, name, count);
                o += w > 0 ? (size_t)w : 0;
            }
        }
        if (o < cap) {
            int w = snprintf(buf + o, cap - o, "%s=%.6g\nuptime.s=%.3f\nrss.mb=%.1f\n",
                             s->objective, *y, 30 + sys_unif(rng), 900 + 100 * sys_unif(rng));
            o += w > 0 ? (size_t)w : 0;
        }
    }
}
