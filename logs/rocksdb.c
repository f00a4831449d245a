/*
 * rocksdb.c - the "rocksdb" parser: db_bench output and RocksDB statistics.
 *
 * What it reads, and the names it gives (all under "rocksdb."):
 *  - benchmark summaries "mixgraph : 8.66 micros/op 115312 ops/sec 0.173
 *    seconds 20000 operations; 44.8 MB/s ( Gets:16581 Puts:2795 ...)":
 *    <bench>.micros_per_op, .ops_per_sec, .seconds, .operations,
 *    .mb_per_sec, .gets, .puts, .seek; and, for the last benchmark of the log,
 *    rocksdb.ops_per_sec, rocksdb.micros_per_op, rocksdb.mb_per_sec;
 *  - db_bench latency histograms ("Microseconds per read:" then Count,
 *    Average, StdDev, Min, Median, Max and Percentiles lines):
 *    <bench>.<op>.micros.count, .avg, .stddev, .min, .median, .max, .p50,
 *    .p75, .p99, .p999, .p9999 (P99.9 -> p999); per-level read latency
 *    histograms ("** Level 0 read latency histogram (micros):") as
 *    level0.read.micros.*;
 *  - --statistics tickers "rocksdb.X COUNT : n" as rocksdb.x and histograms
 *    "rocksdb.X P50 : .. P95 : .. P99 : .. P100 : .. COUNT : .. SUM : .." as
 *    rocksdb.x.p50, .p95, .p99, .p100, .count, .sum;
 *  - the compaction stats table (per level and Sum, cumulative):
 *    compaction.<l0|l1|..|sum>.<column> with the column headers normalised
 *    (files, size_mb, score, read_gb, w_amp, comp_sec, keyin, ...);
 *  - the DB stats lines: uptime_secs.total, flush_gb.cumulative,
 *    cumulative_compaction.gb_write, .mb_s_write, .seconds, ...,
 *    cumulative_writes.writes, .keys, .ingest_gb, ..., cumulative_wal.*,
 *    cumulative_stall.seconds, cumulative_stall.percent, stalls_count.<reason>
 *    (interval figures are skipped: they repeat the cumulative ones);
 *  - the levelstats table: level<k>.files, level<k>.size_mb.
 * Lines it does not recognise are ignored; malformed numbers are skipped.
 */
#include <stdio.h>
#include <string.h>

#include "logs/logs_internal.h"

#define RDB_MAX_COLS 32
#define RDB_PREFIX_MAX 96

typedef struct {
    const char *s;
    size_t n;
} rdb_tok;

typedef enum { RDB_NONE, RDB_COMPACTION, RDB_LEVELSTATS } rdb_table;

typedef struct {
    logs_collect *c;
    char bench[RDB_PREFIX_MAX];      /* last benchmark seen, normalised */
    char hist[RDB_PREFIX_MAX * 2];   /* prefix of the histogram being read, "" none */
    char cf_prefix[RDB_PREFIX_MAX];  /* "compaction" or "cf.<name>.compaction" */
    rdb_table table;
    int expect_header;               /* the compaction table's header comes next */
    char cols[RDB_MAX_COLS][40];     /* normalised column names */
    size_t n_cols;
} rdb_parser;

static int rdb_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int rdb_starts(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && memcmp(s, lit, m) == 0;
}

static void rdb_trim(const char **s, size_t *n)
{
    while (*n > 0 && rdb_space((*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && rdb_space((*s)[*n - 1]))
        (*n)--;
}

static size_t rdb_tokens(const char *s, size_t n, rdb_tok *toks, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && rdb_space(s[i]))
            i++;
        if (i == n)
            break;
        size_t st = i;
        while (i < n && !rdb_space(s[i]))
            i++;
        toks[k].s = s + st;
        toks[k].n = i - st;
        k++;
    }
    return k;
}

/* A whole token that is a number, with an optional K/M/G/T multiplier
 * ("19K"). */
static int rdb_tok_number(rdb_tok t, double *out)
{
    size_t used = logs_scan_number(t.s, t.n, out);
    if (used == 0)
        return 0;
    if (used == t.n)
        return 1;
    if (used + 1 == t.n) {
        switch (t.s[used]) {
        case 'K': *out *= 1e3; return 1;
        case 'M': *out *= 1e6; return 1;
        case 'G': *out *= 1e9; return 1;
        case 'T': *out *= 1e12; return 1;
        default: return 0;
        }
    }
    return 0;
}

static void rdb_add(rdb_parser *p, const char *prefix, const char *suffix, size_t suffix_n,
                    double v)
{
    char norm[LOGS_NAME_MAX + 1];
    if (logs_normalize_name(suffix, suffix_n, norm, sizeof norm) == 0)
        return;
    char full[LOGS_NAME_MAX + 2];
    int w = snprintf(full, sizeof full, "rocksdb.%s%s%s", prefix, prefix[0] ? "." : "", norm);
    if (w < 0 || (size_t)w >= sizeof full)
        return;
    logs_collect_add(p->c, full, v);
}

/* "Label: number" pairs anywhere in a line (also "Label : number"): for each
 * ':' the label is the token before it, the value the number after it. */
typedef void (*rdb_pair_fn)(rdb_parser *p, const char *label, size_t label_n, double v,
                            void *ctx);

static void rdb_pairs(rdb_parser *p, const char *s, size_t n, rdb_pair_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ':')
            continue;
        size_t le = i;
        while (le > 0 && rdb_space(s[le - 1]))
            le--;
        size_t ls = le;
        while (ls > 0 && !rdb_space(s[ls - 1]) && s[ls - 1] != ':' && s[ls - 1] != '(' &&
               s[ls - 1] != ',')
            ls--;
        size_t vs = i + 1;
        while (vs < n && rdb_space(s[vs]))
            vs++;
        double v;
        size_t used = logs_scan_number(s + vs, n - vs, &v);
        if (le > ls && used > 0)
            fn(p, s + ls, le - ls, v, ctx);
    }
}

/* Histogram summary labels to names: Average -> avg, P99.9 -> p999. */
static void rdb_hist_pair(rdb_parser *p, const char *label, size_t n, double v, void *ctx)
{
    (void)ctx;
    char name[32];
    size_t k = 0;
    if (n == 7 && memcmp(label, "Average", 7) == 0) {
        rdb_add(p, p->hist, "avg", 3, v);
        return;
    }
    for (size_t i = 0; i < n && k + 1 < sizeof name; i++)
        if (label[i] != '.')
            name[k++] = label[i];
    rdb_add(p, p->hist, name, k, v);
}

static void rdb_stat_pair(rdb_parser *p, const char *label, size_t n, double v, void *ctx)
{
    rdb_add(p, (const char *)ctx, label, n, v);
}

/* In a summary's parenthesis only the counters are taken ("Gets:16581"), not
 * the prose around them ("avg size: 30.6 value"). */
static void rdb_count_pair(rdb_parser *p, const char *label, size_t n, double v, void *ctx)
{
    if (label[0] >= 'A' && label[0] <= 'Z')
        rdb_add(p, (const char *)ctx, label, n, v);
}

/* "rocksdb.X COUNT : n" (ticker) or "rocksdb.X P50 : .. SUM : .." (histogram). */
static void rdb_statistics_line(rdb_parser *p, const char *s, size_t n)
{
    size_t e = 0;
    while (e < n && !rdb_space(s[e]))
        e++;
    char name[LOGS_NAME_MAX + 1];
    /* Drop the "rocksdb." the name starts with; rdb_add puts it back. */
    if (logs_normalize_name(s + 8, e - 8, name, sizeof name) == 0)
        return;
    const char *rest = s + e;
    size_t rn = n - e;
    int histogram = 0;
    for (size_t i = 0; i + 3 < rn; i++)
        if (rest[i] == 'P' && rest[i + 1] >= '0' && rest[i + 1] <= '9') {
            histogram = 1;
            break;
        }
    if (histogram) {
        rdb_pairs(p, rest, rn, rdb_stat_pair, name);
        return;
    }
    rdb_tok t[4];
    size_t k = rdb_tokens(rest, rn, t, 4);
    double v;
    if (k == 3 && t[0].n == 5 && memcmp(t[0].s, "COUNT", 5) == 0 && t[1].n == 1 &&
        t[1].s[0] == ':' && rdb_tok_number(t[2], &v)) {
        char full[LOGS_NAME_MAX + 1];
        int w = snprintf(full, sizeof full, "rocksdb.%s", name);
        if (w > 0 && (size_t)w < sizeof full)
            logs_collect_add(p->c, full, v);
    }
}

/* "fillrandom : 9.631 micros/op 103811 ops/sec 0.193 seconds 20000
 * operations; 11.5 MB/s (...)". 1 when the line was one. */
static int rdb_summary_line(rdb_parser *p, const char *s, size_t n)
{
    rdb_tok t[48];
    size_t k = rdb_tokens(s, n, t, 48);
    double v;
    if (k < 5 || t[1].n != 1 || t[1].s[0] != ':' || !rdb_tok_number(t[2], &v) ||
        !(t[3].n == 9 && memcmp(t[3].s, "micros/op", 9) == 0))
        return 0;
    char bench[RDB_PREFIX_MAX];
    if (logs_normalize_name(t[0].s, t[0].n, bench, sizeof bench) == 0)
        return 0;
    snprintf(p->bench, sizeof p->bench, "%s", bench);
    p->hist[0] = '\0';
    static const struct {
        const char *unit, *name;
        int alias;
    } units[] = {
        {"micros/op", "micros_per_op", 1}, {"ops/sec", "ops_per_sec", 1},
        {"seconds", "seconds", 0},          {"operations;", "operations", 0},
        {"operations", "operations", 0},    {"MB/s", "mb_per_sec", 1},
    };
    for (size_t i = 2; i + 1 < k; i++) {
        if (t[i].s[0] == '(')
            break;
        if (!rdb_tok_number(t[i], &v))
            continue;
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            if (t[i + 1].n == strlen(units[u].unit) &&
                memcmp(t[i + 1].s, units[u].unit, t[i + 1].n) == 0) {
                rdb_add(p, bench, units[u].name, strlen(units[u].name), v);
                if (units[u].alias)
                    rdb_add(p, "", units[u].name, strlen(units[u].name), v);
                break;
            }
        }
    }
    /* "( Gets:16581 Puts:2795 Seek:624, ...)" */
    const char *paren = memchr(s, '(', n);
    if (paren)
        rdb_pairs(p, paren, n - (size_t)(paren - s), rdb_count_pair, bench);
    return 1;
}

/* Comma-separated pieces "22K writes", "ingest: 0.00 GB", "cumulative 0.001":
 * the words around the number name it; pieces about the interval are
 * skipped. */
static void rdb_pieces(rdb_parser *p, const char *prefix, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != ',')
            e++;
        rdb_tok t[16];
        size_t k = rdb_tokens(s + i, e - i, t, 16);
        char words[LOGS_NAME_MAX + 1];
        size_t wn = 0;
        int have = 0, skip = 0;
        double v = 0;
        for (size_t j = 0; j < k; j++) {
            double x;
            if (!have && rdb_tok_number(t[j], &x)) {
                v = x;
                have = 1;
                continue;
            }
            if (t[j].n == 8 && memcmp(t[j].s, "interval", 8) == 0)
                skip = 1;
            if (wn + t[j].n + 2 < sizeof words) {
                if (wn)
                    words[wn++] = ' ';
                memcpy(words + wn, t[j].s, t[j].n);
                wn += t[j].n;
            }
        }
        if (have && !skip && wn > 0)
            rdb_add(p, prefix, words, wn, v);
        i = e + 1;
    }
}

/* "Cumulative stall: 00:00:0.010 H:M:S, 2.6 percent" */
static void rdb_stall_line(rdb_parser *p, const char *s, size_t n)
{
    rdb_tok t[8];
    size_t k = rdb_tokens(s, n, t, 8);
    if (k < 3)
        return;
    double h, m, sec;
    const char *x = t[2].s;
    size_t xn = t[2].n, a, b, c2;
    if ((a = logs_scan_number(x, xn, &h)) && a < xn && x[a] == ':' &&
        (b = logs_scan_number(x + a + 1, xn - a - 1, &m)) && a + 1 + b < xn &&
        x[a + 1 + b] == ':' &&
        (c2 = logs_scan_number(x + a + 2 + b, xn - a - 2 - b, &sec)) && a + 2 + b + c2 == xn)
        rdb_add(p, "cumulative_stall", "seconds", 7, h * 3600 + m * 60 + sec);
    const char *comma = memchr(s, ',', n);
    if (comma)
        rdb_pieces(p, "cumulative_stall", comma + 1, n - (size_t)(comma + 1 - s));
}

/* The compaction table's header: column names after "Level". */
static void rdb_compaction_header(rdb_parser *p, const char *s, size_t n)
{
    rdb_tok t[RDB_MAX_COLS];
    size_t k = rdb_tokens(s, n, t, RDB_MAX_COLS);
    p->n_cols = 0;
    for (size_t i = 0; i < k; i++) {
        if (logs_normalize_name(t[i].s, t[i].n, p->cols[i], sizeof p->cols[i]) == 0)
            snprintf(p->cols[i], sizeof p->cols[i], "col%zu", i);
        p->n_cols++;
    }
    /* "Size" is printed with a unit; it is stored in MB. */
    for (size_t i = 0; i < p->n_cols; i++)
        if (strcmp(p->cols[i], "size") == 0)
            snprintf(p->cols[i], sizeof p->cols[i], "size_mb");
    p->table = RDB_COMPACTION;
}

static int rdb_size_unit(rdb_tok t, double *scale_mb)
{
    static const struct {
        const char *u;
        double mb;
    } units[] = {{"B", 1.0 / 1048576}, {"KB", 1.0 / 1024}, {"MB", 1}, {"GB", 1024}, {"TB", 1048576}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (t.n == strlen(units[i].u) && memcmp(t.s, units[i].u, t.n) == 0) {
            *scale_mb = units[i].mb;
            return 1;
        }
    return 0;
}

static void rdb_compaction_row(rdb_parser *p, const char *s, size_t n)
{
    rdb_tok t[RDB_MAX_COLS + 8];
    size_t k = rdb_tokens(s, n, t, RDB_MAX_COLS + 8);
    if (k < 2 || p->n_cols < 2)
        return;
    char row[16];
    if (logs_normalize_name(t[0].s, t[0].n, row, sizeof row) == 0)
        return;
    if (strcmp(row, "int") == 0)
        return; /* the interval row repeats Sum for one dump */
    char prefix[RDB_PREFIX_MAX + 20];
    snprintf(prefix, sizeof prefix, "%s.%s", p->cf_prefix, row);
    size_t col = 1;
    for (size_t i = 1; i < k && col < p->n_cols; i++, col++) {
        double v, scale;
        /* "4/4": files, of which being compacted */
        const char *slash = memchr(t[i].s, '/', t[i].n);
        if (slash && strcmp(p->cols[col], "files") == 0) {
            rdb_tok a = {t[i].s, (size_t)(slash - t[i].s)};
            if (rdb_tok_number(a, &v))
                rdb_add(p, prefix, "files", 5, v);
            continue;
        }
        if (!rdb_tok_number(t[i], &v))
            continue;
        if (i + 1 < k && rdb_size_unit(t[i + 1], &scale)) {
            v *= scale;
            i++;
        }
        rdb_add(p, prefix, p->cols[col], strlen(p->cols[col]), v);
    }
}

static void rdb_levelstats_row(rdb_parser *p, const char *s, size_t n)
{
    rdb_tok t[4];
    size_t k = rdb_tokens(s, n, t, 4);
    double lv, files, size;
    if (k != 3 || !rdb_tok_number(t[0], &lv) || !rdb_tok_number(t[1], &files) ||
        !rdb_tok_number(t[2], &size) || lv < 0 || lv > 99) {
        if (!(k == 1 && t[0].s[0] == '-'))
            p->table = RDB_NONE;
        return;
    }
    char prefix[16];
    snprintf(prefix, sizeof prefix, "level%d", (int)lv);
    rdb_add(p, prefix, "files", 5, files);
    rdb_add(p, prefix, "size_mb", 7, size);
}

static void rdb_line(rdb_parser *p, const char *s, size_t n)
{
    rdb_trim(&s, &n);
    if (n == 0) {
        p->table = RDB_NONE;
        p->expect_header = 0;
        return;
    }
    if (p->expect_header) {
        p->expect_header = 0;
        if (rdb_starts(s, n, "Level ")) {
            rdb_compaction_header(p, s, n);
            return;
        }
    }
    if (p->table == RDB_COMPACTION) {
        if (s[0] != '-')
            rdb_compaction_row(p, s, n);
        return;
    }
    if (p->table == RDB_LEVELSTATS) {
        rdb_levelstats_row(p, s, n);
        if (p->table == RDB_LEVELSTATS)
            return;
    }
    if (rdb_starts(s, n, "rocksdb.")) {
        rdb_statistics_line(p, s, n);
        return;
    }
    if (rdb_starts(s, n, "** Compaction Stats [")) {
        const char *cf = s + 21;
        const char *close = memchr(cf, ']', n - 21);
        char cfn[RDB_PREFIX_MAX / 2];
        if (close && close > cf &&
            logs_normalize_name(cf, (size_t)(close - cf), cfn, sizeof cfn) > 0 &&
            strcmp(cfn, "default") != 0)
            snprintf(p->cf_prefix, sizeof p->cf_prefix, "cf.%s.compaction", cfn);
        else
            snprintf(p->cf_prefix, sizeof p->cf_prefix, "compaction");
        p->expect_header = 1;
        p->hist[0] = '\0';
        return;
    }
    if (rdb_starts(s, n, "Microseconds per ")) {
        const char *op = s + 17;
        size_t on = n - 17;
        if (on > 0 && op[on - 1] == ':')
            on--;
        char opn[32];
        if (logs_normalize_name(op, on, opn, sizeof opn) == 0)
            return;
        snprintf(p->hist, sizeof p->hist, "%s%s%s.micros", p->bench, p->bench[0] ? "." : "", opn);
        return;
    }
    if (rdb_starts(s, n, "** Level ")) {
        double lv;
        size_t used = logs_scan_number(s + 9, n - 9, &lv);
        if (used > 0 && lv >= 0 && lv <= 99)
            snprintf(p->hist, sizeof p->hist, "level%d.read.micros", (int)lv);
        return;
    }
    if (p->hist[0] && (rdb_starts(s, n, "Count:") || rdb_starts(s, n, "Min:") ||
                       rdb_starts(s, n, "Percentiles:"))) {
        rdb_pairs(p, s, n, rdb_hist_pair, NULL);
        return;
    }
    if (rdb_starts(s, n, "Level Files Size(MB)")) {
        p->table = RDB_LEVELSTATS;
        return;
    }
    if (rdb_starts(s, n, "Cumulative stall:")) {
        rdb_stall_line(p, s, n);
        return;
    }
    static const char *const labelled[] = {
        "Uptime(secs):",         "Flush(GB):",       "Cumulative compaction:",
        "Cumulative writes:",    "Cumulative WAL:",  "Stalls(count):",
    };
    for (size_t i = 0; i < sizeof labelled / sizeof labelled[0]; i++) {
        if (rdb_starts(s, n, labelled[i])) {
            size_t ln = strlen(labelled[i]);
            char prefix[64];
            if (logs_normalize_name(labelled[i], ln - 1, prefix, sizeof prefix) == 0)
                return;
            rdb_pieces(p, prefix, s + ln, n - ln);
            return;
        }
    }
    if (rdb_summary_line(p, s, n))
        return;
}

int logs_parse_rocksdb(const char *text, size_t len, logs_collect *c, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    rdb_parser p;
    memset(&p, 0, sizeof p);
    p.c = c;
    snprintf(p.cf_prefix, sizeof p.cf_prefix, "compaction");
    size_t pos = 0;
    const char *line;
    size_t n;
    while (logs_next_line(text, len, &pos, &line, &n)) {
        rdb_line(&p, line, n);
        if (c->oom || c->overflow)
            break;
    }
    return 0;
}
