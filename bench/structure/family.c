/*
 * family.c - the generated systems of the structure benchmark (family.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"

enum { SHAPE_MONOTONE, SHAPE_SATURATING, SHAPE_BOWL, SHAPE_THRESHOLD, N_SHAPES };

static uint64_t fam_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double fam_unif(uint64_t *s)
{
    return ((double)(fam_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double fam_normal(uint64_t *s)
{
    return sqrt(-2 * log(fam_unif(s))) * cos(6.283185307179586 * fam_unif(s));
}

/* Integer in [lo, hi]. */
static size_t fam_int(uint64_t *s, size_t lo, size_t hi)
{
    return lo + (size_t)(fam_unif(s) * (double)(hi - lo + 1));
}

typedef struct {
    const char *name;
    const char *metrics[15];
} fam_theme;

static const fam_theme themes[] = {
    {"lsm-like",
     {"db.get.micros", "db.write.micros", "compaction.micros", "flush.micros", "stall.micros",
      "wal.sync.micros", "block.cache.miss", "bloom.checks", "memtable.micros", "l0.slowdown.micros",
      "db.seek.micros", "compression.micros", "table.open.micros", "iter.next.micros",
      "manifest.sync.micros"}},
    {"web-like",
     {"handler.ms", "db.query.ms", "cache.miss", "tls.handshake.ms", "queue.wait.ms", "gc.pause.ms",
      "render.ms", "upstream.ms", "pool.acquire.ms", "serialize.ms", "auth.ms", "log.flush.ms",
      "lock.wait.ms", "dns.ms", "retry.count"}},
    {"ml-like",
     {"step.forward", "step.backward", "optimizer.step", "comm.allreduce", "io.loader",
      "mem.activations", "kernel.launch", "sync.barrier", "cache.misses", "swap.bytes",
      "prefetch.wait", "h2d.copy", "grad.clip", "eval.step", "ckpt.write"}},
    {"accel-like",
     {"energy.compute", "energy.memory", "energy.noc", "cycles.compute", "cycles.memory",
      "cycles.stall", "power.leakage", "area.logic", "sram.reads", "dram.reads", "noc.hops",
      "pe.idle", "tile.refill", "bank.conflicts", "clock.skew"}},
    {"stream-like",
     {"stage.ingest", "stage.parse", "stage.transform", "stage.join", "stage.write", "queue.wait",
      "shuffle.bytes", "spill.bytes", "checkpoint.ms", "backpressure.ms", "serde.ms",
      "watermark.lag", "gc.ms", "network.ms", "commit.ms"}},
    {"compiler-like",
     {"compile.ms", "link.ms", "icache.misses", "branch.miss", "binary.kb", "inline.cost",
      "reg.spills", "vector.loss", "alloc.ms", "page.faults", "tlb.misses", "lto.ms", "passes.ms",
      "startup.ms", "jit.ms"}},
};
#define N_THEMES (sizeof themes / sizeof themes[0])

static const char *const unrelated_names[] = {
    "threads",        "version",      "pid",          "heap.mb",       "rss.mb",
    "open.files",     "net.rx.bytes", "net.tx.bytes", "disk.iops",     "ctx.switches",
    "minor.faults",   "cpu.temp",     "boot.epoch",   "build.id",      "fd.count",
    "sockets",        "workers",      "log.lines",    "config.reloads", "host.load1",
    "host.load5",     "swap.free.mb", "numa.nodes",   "irq.count",     "dentry.cache",
    "inode.count",    "kernel.major", "hugepages",    "random.seed",   "cron.jobs",
    "tz.offset",      "locale.id",    "mount.count",  "user.count",    "env.vars",
    "shm.segments",   "pipes.open",   "signals.rcvd", "timers.armed",  "clock.drift.us"};
#define N_UNRELATED (sizeof unrelated_names / sizeof unrelated_names[0])

static const char *const compose_names[] = {"sum", "recip", "max", "prod"};

int family_parse_name(const char *name, uint64_t *family_seed, size_t *index)
{
    if (name[0] != 'f' || name[1] < '0' || name[1] > '9')
        return -1;
    char *end;
    unsigned long long fs = strtoull(name + 1, &end, 10);
    if (*end != '-' || end[1] < '0' || end[1] > '9')
        return -1;
    unsigned long long ix = strtoull(end + 1, &end, 10);
    if (*end != '\0' && *end != '-')
        return -1;
    if (fs == 0 || ix > 100000)
        return -1;
    *family_seed = fs;
    *index = (size_t)ix;
    return 0;
}

static void fam_param(sys_param *q, uint64_t *r)
{
    double t = fam_unif(r);
    memset(q, 0, sizeof *q);
    if (t < 0.35) {
        static const double his[] = {1, 10, 100, 1000};
        q->type = SPACE_FLOAT;
        q->lo = 0;
        q->hi = his[fam_int(r, 0, 3)];
    } else if (t < 0.50) {
        q->type = SPACE_FLOAT;
        q->log = 1;
        q->lo = pow(10, -3 + (double)fam_int(r, 0, 4));
        q->hi = q->lo * pow(10, 2 + (double)fam_int(r, 0, 2));
    } else if (t < 0.60) {
        q->type = SPACE_INT;
        q->lo = (double)fam_int(r, 0, 4);
        q->hi = q->lo + (double)fam_int(r, 8, 200);
    } else if (t < 0.70) {
        q->type = SPACE_INT;
        q->log = 1;
        q->lo = 1;
        q->hi = pow(2, (double)fam_int(r, 6, 16));
    } else if (t < 0.85) {
        q->type = SPACE_ORDINAL;
        q->n = fam_int(r, 4, SYS_MAX_CHOICES);
        double v = pow(2, (double)fam_int(r, 0, 6));
        for (size_t k = 0; k < q->n; k++, v *= 2)
            q->values[k] = v;
    } else {
        q->type = SPACE_CATEGORICAL;
        q->n = fam_int(r, 2, 5);
        for (size_t k = 0; k < q->n; k++)
            q->cat_u[k] = fam_unif(r);
    }
}

int family_generate(uint64_t family_seed, size_t index, sys_system *s)
{
    if (family_seed == 0)
        return -1;
    memset(s, 0, sizeof *s);
    uint64_t r = family_seed * 0xd1342543de82ef95ULL + (uint64_t)index * 0x9e3779b97f4a7c15ULL;
    fam_next(&r);
    s->kind = SYS_FAMILY;
    s->typed = 1;
    s->family_seed = family_seed;
    s->family_index = index;
    const fam_theme *th = &themes[fam_int(&r, 0, N_THEMES - 1)];
    snprintf(s->theme, sizeof s->theme, "%s", th->name);

    /* Parameters: a third to a half irrelevant, at random positions. */
    s->p = fam_int(&r, 8, SYS_MAX_PARAMS);
    size_t irr = fam_int(&r, (s->p + 2) / 3, s->p / 2);
    s->n_relevant = s->p - irr;
    for (size_t j = 0; j < s->p; j++)
        fam_param(&s->param[j], &r);
    size_t perm[SYS_MAX_PARAMS];
    for (size_t j = 0; j < s->p; j++)
        perm[j] = j;
    for (size_t j = s->p - 1; j > 0; j--) {
        size_t k = fam_int(&r, 0, j);
        size_t t = perm[j];
        perm[j] = perm[k];
        perm[k] = t;
    }
    for (size_t a = 0; a < s->n_relevant; a++)
        s->param[perm[a]].relevant = 1;

    /* Metrics: 3-15, each relevant parameter used at least once. */
    size_t kmin = (s->n_relevant + 3) / 4;
    if (kmin < 3)
        kmin = 3;
    s->k = fam_int(&r, kmin, SYS_MAX_METRICS - 1);
    s->compose = (int)fam_int(&r, 0, 3);
    s->n_groups = s->compose == FAMILY_PRODUCT ? 2 : fam_int(&r, 2, 3);
    int heavy_system = fam_unif(&r) < 0.45;
    /* Metric names: a random selection from the theme, in random order. */
    size_t order[15];
    for (size_t j = 0; j < 15; j++)
        order[j] = j;
    for (size_t j = 14; j > 0; j--) {
        size_t k = fam_int(&r, 0, j);
        size_t t = order[j];
        order[j] = order[k];
        order[k] = t;
    }
    size_t next = 0;
    for (size_t j = 0; j < s->k; j++) {
        sys_metric *m = &s->metric[j];
        size_t left = s->n_relevant - next, slots = 4 * (s->k - j);
        size_t need = left > 0 ? (left + (s->k - j) - 1) / (s->k - j) : 0;
        m->n_param = fam_int(&r, 1, 4);
        if (m->n_param < need)
            m->n_param = need;
        if (m->n_param > s->n_relevant)
            m->n_param = s->n_relevant;
        (void)slots;
        for (size_t a = 0; a < m->n_param; a++) {
            size_t q;
            int dup;
            do {
                q = next < s->n_relevant ? next++ : fam_int(&r, 0, s->n_relevant - 1);
                dup = 0;
                for (size_t b = 0; b < a; b++)
                    dup |= m->param[b] == perm[q];
            } while (dup);
            m->param[a] = perm[q];
            m->form[a] = (int)fam_int(&r, 0, N_SHAPES - 1);
            m->dir[a] = fam_unif(&r) < 0.5;
            m->centre[a] = 0.1 + 0.8 * fam_unif(&r);
            m->gamma[a] = 0.5 + 1.5 * fam_unif(&r);
            m->scale[a] = 0.5 + fam_unif(&r);
        }
        m->interact = m->n_param >= 2 && fam_unif(&r) < 0.3;
        m->metric_parent = -1;
        if (j > 0 && fam_unif(&r) < 0.25) {
            m->metric_parent = (int)fam_int(&r, 0, j - 1);
            m->metric_coef = 0.2 + 0.5 * fam_unif(&r);
        }
        m->decades = heavy_system && fam_unif(&r) < 0.5 ? 2 + 2 * fam_unif(&r) : 0;
        m->amp = 1 + 3 * fam_unif(&r);
        m->base = pow(10, -1 + 3 * fam_unif(&r));
        m->missing = fam_unif(&r) < 0.15 ? 0.1 + 0.25 * fam_unif(&r) : 0;
        m->group = (int)(j % s->n_groups);
        snprintf(m->name, sizeof m->name, "%s", th->metrics[order[j]]);
        /* Weights put the metrics on comparable footing at a typical point. */
        s->weight[j] = (0.5 + fam_unif(&r)) / m->base;
    }
    if (heavy_system) {
        int any = 0;
        for (size_t j = 0; j < s->k; j++)
            any |= s->metric[j].decades > 0;
        if (!any)
            s->metric[0].decades = 3;
    }
    s->noise = 0.01 + 0.04 * fam_unif(&r);
    s->obj_scale = pow(10, (double)fam_int(&r, 0, 4));

    /* Structure and logs. */
    s->structure = FAMILY_STRUCTURED;
    if (index % 6 == 5)
        s->structure = (index / 6) % 2 == 0 ? FAMILY_NO_LOGS : FAMILY_UNRELATED_ONLY;
    static const char *const formats[] = {"keyvalue", "jsonl", "rocksdb"};
    s->log_format = strcmp(th->name, "lsm-like") == 0 && fam_unif(&r) < 0.6
                        ? "rocksdb"
                        : formats[fam_int(&r, 0, 2)];
    if (s->structure == FAMILY_NO_LOGS)
        s->log_format = NULL;
    s->restate = (unsigned)fam_int(&r, 0, 7);
    s->runtime_counter = fam_unif(&r) < 0.7;
    s->n_unrelated = fam_int(&r, 20, SYS_MAX_UNRELATED - 10);
    size_t up[N_UNRELATED];
    for (size_t j = 0; j < N_UNRELATED; j++)
        up[j] = j;
    for (size_t j = N_UNRELATED - 1; j > 0; j--) {
        size_t k = fam_int(&r, 0, j);
        size_t t = up[j];
        up[j] = up[k];
        up[k] = t;
    }
    for (size_t j = 0; j < s->n_unrelated; j++)
        s->unrelated[j] = (unsigned char)up[j];

    s->maximize = s->compose == FAMILY_RECIPROCAL;
    static const char *const objs[] = {"cost", "throughput", "runtime", "edp"};
    snprintf(s->objbuf, sizeof s->objbuf, "%s%s",
             s->log_format && strcmp(s->log_format, "rocksdb") == 0 ? "rocksdb." : "",
             objs[s->compose]);
    s->objective = s->objbuf;
    char m_part[16];
    if (s->structure == FAMILY_STRUCTURED)
        snprintf(m_part, sizeof m_part, "m%zu", s->k);
    else
        snprintf(m_part, sizeof m_part, "%s", s->structure == FAMILY_NO_LOGS ? "nologs" : "junk");
    snprintf(s->namebuf, sizeof s->namebuf, "f%llu-%02zu-%s-p%zu-%s-%s",
             (unsigned long long)family_seed, index, th->name, s->p, m_part,
             compose_names[s->compose]);
    s->name = s->namebuf;
    return 0;
}

const char *family_structure_name(const sys_system *s)
{
    if (s->kind == SYS_FAMILY)
        return s->structure == FAMILY_STRUCTURED ? "structured"
               : s->structure == FAMILY_NO_LOGS  ? "nologs"
                                                 : "unrelated";
    if (s->kind == SYS_HARTMANN6)
        return "nologs";
    if (s->kind == SYS_HARTMANN6_NOISE)
        return "unrelated";
    return "structured";
}

static void app(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
    if (*o >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *o, cap - *o, fmt, ap);
    va_end(ap);
    if (w > 0)
        *o += (size_t)w < cap - *o ? (size_t)w : cap - *o;
}

void family_describe(const sys_system *s, char *buf, size_t cap)
{
    size_t o = 0;
    if (s->kind != SYS_FAMILY) {
        app(buf, cap, &o, "built-in: %zu float params, %zu metrics, %s %s, logs: %s", s->p,
            s->kind == SYS_HARTMANN6_NOISE ? (size_t)8 : s->k,
            s->maximize ? "maximise" : "minimise", s->objective,
            s->log_format ? s->log_format : "none");
        if (s->kind == SYS_HARTMANN6_NOISE)
            app(buf, cap, &o, " (unrelated to the objective)");
        return;
    }
    size_t nt[4] = {0}, nlog = 0;
    for (size_t j = 0; j < s->p; j++) {
        nt[s->param[j].type]++;
        nlog += s->param[j].log;
    }
    size_t heavy = 0, inter = 0, chain = 0, miss = 0;
    for (size_t j = 0; j < s->k; j++) {
        heavy += s->metric[j].decades > 0;
        inter += s->metric[j].interact;
        chain += s->metric[j].metric_parent >= 0;
        miss += s->metric[j].missing > 0;
    }
    static const char *const cdesc[] = {"sum of costs", "reciprocal of a weighted cost",
                                        "bottleneck: max over stage sums",
                                        "product of two cost sums"};
    app(buf, cap, &o,
        "%zu params (%zu relevant; %zu float, %zu int, %zu ordinal, %zu categorical, %zu log); "
        "%zu metrics (%zu heavy-tailed, %zu interacting, %zu chained, %zu sometimes missing)%s; "
        "%s %s = %s; noise %.1f%%; ",
        s->p, s->n_relevant, nt[SPACE_FLOAT], nt[SPACE_INT], nt[SPACE_ORDINAL],
        nt[SPACE_CATEGORICAL], nlog, s->k, heavy, inter, chain, miss,
        s->structure == FAMILY_STRUCTURED ? "" : " NOT LOGGED", s->maximize ? "maximise" : "minimise",
        s->objective, cdesc[s->compose], 100 * s->noise);
    if (!s->log_format) {
        app(buf, cap, &o, "no logs");
        return;
    }
    app(buf, cap, &o, "logs: %s, %zu unrelated counters", s->log_format, s->n_unrelated);
    if (s->structure == FAMILY_STRUCTURED) {
        if (s->restate)
            app(buf, cap, &o, ", restated objective:%s%s%s",
                s->restate & FAMILY_RESTATE_RECIPROCAL ? " reciprocal" : "",
                s->restate & FAMILY_RESTATE_SCALED ? " scaled" : "",
                s->restate & FAMILY_RESTATE_UNITS ? " units" : "");
        if (s->runtime_counter)
            app(buf, cap, &o, ", run-time counters");
    }
}

space *family_space(const sys_system *s)
{
    space *sp = space_new();
    if (!sp)
        return NULL;
    for (size_t j = 0; j < s->p; j++) {
        const sys_param *q = &s->param[j];
        char name[32];
        static const char *const tn[] = {"f", "i", "c", "o"};
        snprintf(name, sizeof name, "p%02zu_%s%s", j, tn[q->type], q->log ? "log" : "");
        int rc;
        switch (q->type) {
        case SPACE_FLOAT: rc = space_add_float(sp, name, q->lo, q->hi, q->log, NULL, 0); break;
        case SPACE_INT: rc = space_add_int(sp, name, q->lo, q->hi, q->log, NULL, 0); break;
        case SPACE_ORDINAL: rc = space_add_ordinal(sp, name, q->values, q->n, NULL, 0); break;
        default: {
            char cn[SYS_MAX_CHOICES][24]; /* "opt" and any size_t */
            const char *cp[SYS_MAX_CHOICES];
            for (size_t k = 0; k < q->n; k++) {
                snprintf(cn[k], sizeof cn[k], "opt%zu", k);
                cp[k] = cn[k];
            }
            rc = space_add_categorical(sp, name, cp, q->n, NULL, 0);
        }
        }
        if (rc != 0) {
            space_free(sp);
            return NULL;
        }
    }
    return sp;
}

static double fam_unit(const sys_param *q, double x)
{
    double u;
    switch (q->type) {
    case SPACE_FLOAT:
    case SPACE_INT:
        u = q->log ? log(x / q->lo) / log(q->hi / q->lo) : (x - q->lo) / (q->hi - q->lo);
        break;
    case SPACE_ORDINAL: {
        size_t best = 0;
        for (size_t k = 1; k < q->n; k++)
            if (fabs(q->values[k] - x) < fabs(q->values[best] - x))
                best = k;
        u = (double)best / (double)(q->n - 1);
        break;
    }
    default: {
        long k = lround(x);
        u = k >= 0 && (size_t)k < q->n ? q->cat_u[k] : 0.5;
    }
    }
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

/* Shapes map a position in [0,1] to a cost contribution in [0,1]. */
static double fam_shape(const sys_metric *m, size_t a, double u)
{
    double v = m->dir[a] ? u : 1 - u, c = m->centre[a];
    switch (m->form[a]) {
    case SHAPE_MONOTONE: return pow(v, m->gamma[a]);
    case SHAPE_SATURATING: {
        double k = 2 + 4 * m->gamma[a];
        return (1 - exp(-k * v)) / (1 - exp(-k));
    }
    case SHAPE_BOWL: {
        double d = (u - c) / fmax(c, 1 - c);
        return d * d;
    }
    default: return 1 / (1 + exp(-25 * (v - c)));
    }
}

static void fam_metrics(const sys_system *s, const double *x, double *mv)
{
    double u[SYS_MAX_PARAMS];
    for (size_t j = 0; j < s->p; j++)
        u[j] = fam_unit(&s->param[j], x[j]);
    for (size_t j = 0; j < s->k; j++) {
        const sys_metric *m = &s->metric[j];
        double f[SYS_MAX_PARENTS], wsum = 0, acc = 0;
        for (size_t a = 0; a < m->n_param; a++) {
            f[a] = fam_shape(m, a, u[m->param[a]]);
            wsum += m->scale[a];
        }
        size_t a0 = 0;
        if (m->interact) {
            /* the first two parents matter together: a product term */
            acc += (m->scale[0] + m->scale[1]) * f[0] * f[1];
            a0 = 2;
        }
        for (size_t a = a0; a < m->n_param; a++)
            acc += m->scale[a] * f[a];
        double sv = acc / wsum;
        double v = m->decades > 0 ? m->base * pow(10, m->decades * sv)
                                  : m->base * (0.2 + m->amp * sv);
        if (m->metric_parent >= 0)
            v += m->metric_coef * mv[m->metric_parent] * m->base /
                 s->metric[m->metric_parent].base;
        mv[j] = v;
    }
}

static double fam_compose(const sys_system *s, const double *mv)
{
    double g[3] = {0, 0, 0}, tot = 0;
    for (size_t j = 0; j < s->k; j++) {
        double c = s->weight[j] * mv[j];
        tot += c;
        g[s->metric[j].group] += c;
    }
    switch (s->compose) {
    case FAMILY_SUM: return s->obj_scale * tot / (double)s->k;
    case FAMILY_RECIPROCAL: return s->obj_scale * (double)s->k / tot;
    case FAMILY_BOTTLENECK: {
        double mx = fmax(g[0], g[1]);
        if (s->n_groups > 2)
            mx = fmax(mx, g[2]);
        return s->obj_scale * mx / (double)s->k;
    }
    default: return s->obj_scale * g[0] * g[1] / ((double)s->k * (double)s->k);
    }
}

double family_true_objective(const sys_system *s, const double *x)
{
    double mv[SYS_MAX_METRICS];
    fam_metrics(s, x, mv);
    return fam_compose(s, mv);
}

/* A counter unrelated to anything: constant, uniform, noisy level or
 * integer, by its index. */
static double fam_unrelated(size_t idx, uint64_t *r)
{
    double level = 1 + (double)((idx * 2654435761u) % 5000);
    switch (idx % 4) {
    case 0: return level;
    case 1: return level * fam_unif(r);
    case 2: return level * (1 + 0.1 * fam_normal(r));
    default: return floor(level * (1 + fam_unif(r)));
    }
}

void family_run(const sys_system *s, const double *x, uint64_t *rng, double *y, char *buf,
                size_t cap)
{
    uint64_t r = fam_next(rng); /* the trial's own stream */
    double mv[SYS_MAX_METRICS], obs[SYS_MAX_METRICS];
    int present[SYS_MAX_METRICS];
    fam_metrics(s, x, mv);
    for (size_t j = 0; j < s->k; j++) {
        obs[j] = mv[j] * (1 + s->noise * fam_normal(&r));
        present[j] = fam_unif(&r) >= s->metric[j].missing;
    }
    *y = fam_compose(s, mv) * (1 + s->noise * fam_normal(&r));
    buf[0] = '\0';
    if (!s->log_format)
        return;
    int fmt = strcmp(s->log_format, "keyvalue") == 0 ? 0
              : strcmp(s->log_format, "jsonl") == 0  ? 1
                                                     : 2;
    int logged = s->structure == FAMILY_STRUCTURED;
    size_t o = 0;
    /* Run time: what the objective costs in seconds (time-like objectives
     * directly, throughputs through their reciprocal). */
    double runtime = (s->maximize ? 1e3 / *y : *y) * (1 + 0.01 * fam_normal(&r));
    if (fmt == 2) {
        double ops = 1e5;
        double secs = logged && s->runtime_counter ? runtime : 0.2 + 0.01 * fam_unif(&r);
        if (s->maximize && logged && (s->restate & FAMILY_RESTATE_RECIPROCAL))
            app(buf, cap, &o,
                "mixgraph : %.3f micros/op %.0f ops/sec %.3f seconds %.0f operations; %.1f MB/s\n",
                1e6 / *y, *y, secs, ops, 0.0001 * *y);
        else
            app(buf, cap, &o, "mixgraph : %.3f micros/op %.0f ops/sec %.3f seconds %.0f operations;\n",
                1e6 * secs / ops, ops / secs, secs, ops);
        app(buf, cap, &o, "STATISTICS:\n");
        for (size_t j = 0; j < s->n_unrelated; j++)
            app(buf, cap, &o, "rocksdb.%s COUNT : %.0f\n", unrelated_names[s->unrelated[j]],
                fam_unrelated(s->unrelated[j], &r));
        for (size_t j = 0; logged && j < s->k; j++) {
            double v = obs[j], count = 1000 + (double)(fam_next(&r) % 50);
            if (present[j])
                app(buf, cap, &o,
                    "rocksdb.%s P50 : %.4f P95 : %.4f P99 : %.4f P100 : %.4f COUNT : %.0f SUM : "
                    "%.0f\n",
                    s->metric[j].name, 0.8 * v * (1 + 0.01 * fam_normal(&r)), v, 1.3 * v,
                    2 * v, count, 0.85 * v * count);
        }
        app(buf, cap, &o, "%s COUNT : %.6g\n", s->objective, *y);
        if (logged && (s->restate & FAMILY_RESTATE_SCALED))
            app(buf, cap, &o, "rocksdb.report.total COUNT : %.6g\n", 60 * *y);
        if (logged && (s->restate & FAMILY_RESTATE_UNITS))
            app(buf, cap, &o, "rocksdb.report.converted COUNT : %.6g\n",
                s->maximize ? *y / 1000 : *y * 1000);
        if (logged && !s->maximize && (s->restate & FAMILY_RESTATE_RECIPROCAL))
            app(buf, cap, &o, "rocksdb.report.per_unit COUNT : %.6g\n", 1 / *y);
        if (logged && s->runtime_counter)
            app(buf, cap, &o, "rocksdb.cpu.ticks COUNT : %.0f\n",
                1e4 * runtime * (1 + 0.02 * fam_normal(&r)));
        return;
    }
    const char *kv = fmt == 0 ? "%s=%.6g\n" : "{\"%s\": %.6g}\n";
    if (fmt == 0)
        app(buf, cap, &o, "# run start\n");
    for (size_t j = 0; j < s->n_unrelated; j++) {
        if (j == s->n_unrelated / 2) {
            /* a text line among the numbers, as programs print */
            app(buf, cap, &o, fmt == 0 ? "status: warming up\n" : "warming up\n");
        }
        app(buf, cap, &o, kv, unrelated_names[s->unrelated[j]],
            fam_unrelated(s->unrelated[j], &r));
    }
    for (size_t j = 0; logged && j < s->k; j++) {
        const char *n = s->metric[j].name;
        double v = obs[j], count = 1000 + (double)(fam_next(&r) % 50);
        double p50 = 0.8 * v * (1 + 0.01 * fam_normal(&r));
        if (!present[j])
            continue;
        if (fmt == 0)
            app(buf, cap, &o, "%s.p50=%.5g %s.p95=%.5g\n%s.sum: %.6g\n%s.count: %.0f\n", n, p50,
                n, v, n, 0.85 * v * count, n, count);
        else
            app(buf, cap, &o,
                "{\"%s\": {\"p50\": %.5g, \"p95\": %.5g, \"sum\": %.6g, \"count\": %.0f}}\n", n,
                p50, v, 0.85 * v * count, count);
    }
    app(buf, cap, &o, kv, s->objective, *y);
    if (logged && (s->restate & FAMILY_RESTATE_RECIPROCAL))
        app(buf, cap, &o, kv, "report.per_unit", s->maximize ? 1e6 / *y : 1 / *y);
    if (logged && (s->restate & FAMILY_RESTATE_SCALED))
        app(buf, cap, &o, kv, "report.total", 60 * *y);
    if (logged && (s->restate & FAMILY_RESTATE_UNITS))
        app(buf, cap, &o, kv, "report.converted", s->maximize ? *y / 1000 : *y * 1000);
    if (logged && s->runtime_counter) {
        app(buf, cap, &o, kv, "elapsed.s", runtime);
        app(buf, cap, &o, kv, "cpu.ticks", 1e4 * runtime * (1 + 0.02 * fam_normal(&r)));
    }
}
