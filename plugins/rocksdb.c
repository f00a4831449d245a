/*
 * rocksdb.c - the "rocksdb" and "rocksdb-extended" plugins: tune RocksDB
 * options against the real db_bench (Debian's rocksdb-tools).
 *
 * One trial = one db_bench process in a fresh temporary directory (removed
 * afterwards), started with argv (no shell) and killed on timeout or
 * cancellation: fillrandom loads `num` keys, then mixgraph runs `reads`
 * operations of the social-graph workload of Cao et al., "Characterizing,
 * Modeling, and Benchmarking RocksDB Key-Value Workloads at Facebook"
 * (FAST 2020), with the distributions from the paper's example: key access
 * key_dist_a/b = 0.002312/0.3467, key-range hotness keyrange_dist_a..d =
 * 14.18/-2.917/0.0164/-0.08082 over 30 ranges, value sizes value_k/sigma =
 * 0.2615/25.45, scan lengths iter_k/sigma = 2.517/14.236, and the
 * get/put/seek mix 0.83/0.14/0.03, 48-byte keys. The paper's sine-shaped
 * request rate is left off: it caps the offered load, and the objective here
 * is the throughput RocksDB can sustain. The sizes are scaled down (paper:
 * 50M keys, 420M queries) so a trial takes a few seconds; the load uses
 * 400-byte values so the database (~90 MB) outgrows the default 64 MiB
 * memtable and flushes and compactions happen.
 *
 * Objective: rocksdb.mixgraph.ops_per_sec (maximise), read from db_bench's
 * summary line; every other metric comes from the logs/ "rocksdb" parser
 * (--statistics and --histogram are on), and the raw output is the trial's
 * log.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logs/logs.h"
#include "plugins/builtin.h"
#include "plugins/exec.h"
#include "plugins/host.h"
#include "plugins/rocksdb.h"
#include "plugins/sysload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define RDB_DEFAULT_SEED 20200225u   /* FAST '20 opened on 2020-02-25 */
#define RDB_MAX_ARGS 64

static const char *const rdb_compressions[] = {"none", "snappy", "zlib", "lz4", "zstd"};
static const char *const rdb_styles[] = {"level", "universal"};

/* What RocksDB's SanitizeOptions would otherwise correct silently (so the
 * configuration measured would not be the one proposed): the level-0
 * triggers in order (compaction <= slowdown <= stop), and fewer memtables
 * merged than kept (min_write_buffer_number_to_merge is cut to
 * max_write_buffer_number - 1, which is raised to 2). */
static const char *const rdb_param_constraints[] = {
    "level0_file_num_compaction_trigger <= level0_slowdown_writes_trigger",
    "level0_slowdown_writes_trigger <= level0_stop_writes_trigger",
    "min_write_buffer_number_to_merge < max_write_buffer_number",
};

#define RDB_TEN_PARAMS                                                                      \
    {.name = "max_background_compactions", .type = PLUGIN_PARAM_INT, .low = 1, .high = 8,   \
     .description = "concurrent background compactions"},                                    \
    {.name = "max_background_flushes", .type = PLUGIN_PARAM_INT, .low = 1, .high = 8,       \
     .description = "concurrent background flushes"},                                        \
    {.name = "write_buffer_size", .type = PLUGIN_PARAM_INT, .low = 1048576,                 \
     .high = 536870912, .log_scale = 1, .description = "memtable size, bytes"},             \
    {.name = "max_write_buffer_number", .type = PLUGIN_PARAM_INT, .low = 1, .high = 32,     \
     .description = "memtables kept in memory"},                                             \
    {.name = "min_write_buffer_number_to_merge", .type = PLUGIN_PARAM_INT, .low = 1,        \
     .high = 8, .description = "memtables merged before a flush"},                           \
    {.name = "max_bytes_for_level_multiplier", .type = PLUGIN_PARAM_INT, .low = 5,          \
     .high = 20, .description = "size ratio between LSM levels"},                            \
    {.name = "block_size", .type = PLUGIN_PARAM_INT, .low = 1024, .high = 131072,           \
     .log_scale = 1, .description = "SST data block size, bytes"},                           \
    {.name = "level0_file_num_compaction_trigger", .type = PLUGIN_PARAM_INT, .low = 1,      \
     .high = 64, .description = "L0 files that start a compaction"},                         \
    {.name = "level0_slowdown_writes_trigger", .type = PLUGIN_PARAM_INT, .low = 1,          \
     .high = 64, .description = "L0 files that slow writes down"},                           \
    {.name = "level0_stop_writes_trigger", .type = PLUGIN_PARAM_INT, .low = 1, .high = 64,  \
     .description = "L0 files that stop writes"}

/* RocksDB 7.8's defaults (options.h; db_bench's flags default to them).
 * max_background_compactions/flushes default to -1, which RocksDB resolves
 * from max_background_jobs = 2 to one flush and one compaction thread: the
 * values given here. */
#define RDB_TEN_DEFAULTS                                          \
    {.name = "max_background_compactions", .number = 1},          \
    {.name = "max_background_flushes", .number = 1},              \
    {.name = "write_buffer_size", .number = 67108864},            \
    {.name = "max_write_buffer_number", .number = 2},             \
    {.name = "min_write_buffer_number_to_merge", .number = 1},    \
    {.name = "max_bytes_for_level_multiplier", .number = 10},     \
    {.name = "block_size", .number = 4096},                       \
    {.name = "level0_file_num_compaction_trigger", .number = 4},  \
    {.name = "level0_slowdown_writes_trigger", .number = 20},     \
    {.name = "level0_stop_writes_trigger", .number = 36}

static const plugin_param rdb_params[] = {RDB_TEN_PARAMS};
static const plugin_value rdb_defaults[] = {RDB_TEN_DEFAULTS};

/* universal compaction's own options, active only with that style */
static const char *const rdb_universal[] = {"universal"};
static const plugin_condition rdb_if_universal = {.parameter = "compaction_style",
                                                  .choices = rdb_universal, .n_choices = 1};

static const plugin_param rdb_ext_params[] = {
    RDB_TEN_PARAMS,
    {.name = "cache_size", .type = PLUGIN_PARAM_INT, .low = 1048576, .high = 1073741824,
     .log_scale = 1, .description = "block cache, bytes"},
    {.name = "bloom_bits", .type = PLUGIN_PARAM_INT, .low = 0, .high = 20,
     .description = "bloom filter bits per key (0: no filter)"},
    {.name = "compression_type", .type = PLUGIN_PARAM_CATEGORICAL, .choices = rdb_compressions,
     .n_choices = N_OF(rdb_compressions), .description = "block compression"},
    {.name = "compaction_style", .type = PLUGIN_PARAM_CATEGORICAL, .choices = rdb_styles,
     .n_choices = N_OF(rdb_styles), .description = "leveled or universal compaction"},
    {.name = "universal_size_ratio", .type = PLUGIN_PARAM_INT, .low = 1, .high = 20,
     .description = "universal: percent a run may exceed the next and still merge with it",
     .condition = &rdb_if_universal},
    {.name = "universal_min_merge_width", .type = PLUGIN_PARAM_INT, .low = 2, .high = 16,
     .description = "universal: fewest sorted runs one compaction merges",
     .condition = &rdb_if_universal},
    {.name = "universal_max_size_amplification_percent", .type = PLUGIN_PARAM_INT, .low = 25,
     .high = 400, .description = "universal: space amplification, percent, that forces a full "
     "compaction", .condition = &rdb_if_universal},
};
/* db_bench: 8 MiB cache, bloom_bits -1 (no filter policy, as 0), snappy,
 * leveled compaction. */
static const plugin_value rdb_ext_defaults[] = {
    RDB_TEN_DEFAULTS,
    {.name = "cache_size", .number = 8388608},
    {.name = "bloom_bits", .number = 0},
    {.name = "compression_type", .choice = "snappy"},
    {.name = "compaction_style", .choice = "level"},
};

#define RDB_OBJECTIVE "rocksdb.mixgraph.ops_per_sec"
#define RDB_WRITE "rocksdb.db.write.micros.p95"
#define RDB_GET "rocksdb.db.get.micros.p95"
#define RDB_COMPACT "rocksdb.compaction.times.micros.p95"

/* The expert graph of the BoGraph RocksDB study (memtable options -> write
 * latency -> throughput; L0 triggers, level sizing and background threads ->
 * compaction time -> throughput), with block size acting on reads. */
#define RDB_TEN_EDGES                                              \
    {"write_buffer_size", RDB_WRITE},                              \
    {"max_write_buffer_number", RDB_WRITE},                        \
    {"min_write_buffer_number_to_merge", RDB_WRITE},               \
    {"block_size", RDB_GET},                                       \
    {"level0_file_num_compaction_trigger", RDB_COMPACT},           \
    {"level0_slowdown_writes_trigger", RDB_COMPACT},               \
    {"level0_stop_writes_trigger", RDB_COMPACT},                   \
    {"max_bytes_for_level_multiplier", RDB_COMPACT},               \
    {"max_background_compactions", RDB_COMPACT},                   \
    {"max_background_flushes", RDB_COMPACT},                       \
    {RDB_WRITE, RDB_OBJECTIVE},                                    \
    {RDB_GET, RDB_OBJECTIVE},                                      \
    {RDB_COMPACT, RDB_OBJECTIVE},                                  \
    {"write_buffer_size", RDB_OBJECTIVE}

static const plugin_edge rdb_edges[] = {RDB_TEN_EDGES};
static const plugin_edge rdb_ext_edges[] = {
    RDB_TEN_EDGES,
    {"cache_size", RDB_GET},
    {"bloom_bits", RDB_GET},
    {"compression_type", RDB_COMPACT},
    {"compaction_style", RDB_COMPACT},
};

static const char *const rdb_metric_names[] = {
    RDB_OBJECTIVE, RDB_WRITE, RDB_GET, RDB_COMPACT,
    "rocksdb.fillrandom.ops_per_sec", "rocksdb.stall.micros",
    "rocksdb.db.seek.micros.p95", "rocksdb.bytes.written",
    "rocksdb.trial.wall_seconds", "rocksdb.trial.cpu_user_seconds",
    "rocksdb.trial.cpu_sys_seconds", "rocksdb.trial.max_rss_mb", "rocksdb.trial.other_cpus",
};

static const plugin_option_doc rdb_options[] = {
    {"db_bench", "/usr/bin/db_bench", "path of the db_bench program"},
    {"num", "200000", "keys loaded by fillrandom (the key space)"},
    {"reads", "200000", "mixgraph operations measured"},
    {"value_size", "400", "value bytes in the load phase"},
    {"threads", "1", "mixgraph client threads"},
};

/* ---- workload and argv ------------------------------------------------- */

static int rdb_opt_num(const plugin_run_options *opts, const char *key, double lo, double hi,
                       double *out, char *err, size_t err_len)
{
    const char *v = plugin_option_get(opts, key);
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= lo && x <= hi) || x != floor(x)) {
        snprintf(err, err_len, "option %s = '%s': needs an integer in %g..%g", key, v, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

int rocksdb_workload_from_options(const plugin_run_options *opts, rocksdb_workload *w, char *err,
                                  size_t err_len)
{
    w->db_bench = "/usr/bin/db_bench";
    w->num = 200000;
    w->reads = 200000;
    w->value_size = 400;
    w->threads = 1;
    w->seed = opts && opts->seed ? opts->seed : RDB_DEFAULT_SEED;
    const char *path = plugin_option_get(opts, "db_bench");
    if (path) {
        if (!path[0]) {
            snprintf(err, err_len, "option db_bench: empty path");
            return -1;
        }
        w->db_bench = path;
    }
    if (rdb_opt_num(opts, "num", 1, 1e10, &w->num, err, err_len) != 0 ||
        rdb_opt_num(opts, "reads", 1, 1e12, &w->reads, err, err_len) != 0 ||
        rdb_opt_num(opts, "value_size", 1, 1048576, &w->value_size, err, err_len) != 0 ||
        rdb_opt_num(opts, "threads", 1, 256, &w->threads, err, err_len) != 0)
        return -1;
    return 0;
}

void rocksdb_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

static int rdb_push(char **argv, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rdb_push(char **argv, size_t *n, const char *fmt, ...)
{
    if (*n + 1 >= RDB_MAX_ARGS)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s)
        return -1;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    argv[(*n)++] = s;
    argv[*n] = NULL;
    return 0;
}

/* Flags taken straight from configuration values, in a fixed order. */
static const char *const rdb_int_flags[] = {
    "max_background_compactions", "max_background_flushes", "write_buffer_size",
    "max_write_buffer_number", "min_write_buffer_number_to_merge",
    "max_bytes_for_level_multiplier", "block_size", "level0_file_num_compaction_trigger",
    "level0_slowdown_writes_trigger", "level0_stop_writes_trigger", "cache_size", "bloom_bits",
    "universal_size_ratio", "universal_min_merge_width",
    "universal_max_size_amplification_percent",
};

char **rocksdb_argv_new(const plugin_config *cfg, const rocksdb_workload *w, const char *db_path,
                        char *err, size_t err_len)
{
    char **argv = calloc(RDB_MAX_ARGS, sizeof *argv);
    size_t n = 0;
    if (!argv)
        goto oom;
    /* The workload (fixed across trials). */
    if (rdb_push(argv, &n, "%s", w->db_bench) || rdb_push(argv, &n, "--db=%s", db_path) ||
        rdb_push(argv, &n, "--benchmarks=fillrandom,mixgraph,stats,levelstats") ||
        rdb_push(argv, &n, "--num=%.0f", w->num) || rdb_push(argv, &n, "--reads=%.0f", w->reads) ||
        rdb_push(argv, &n, "--value_size=%.0f", w->value_size) ||
        rdb_push(argv, &n, "--threads=%.0f", w->threads) ||
        rdb_push(argv, &n, "--seed=%llu", (unsigned long long)w->seed) ||
        rdb_push(argv, &n, "--key_size=48") ||
        rdb_push(argv, &n, "--key_dist_a=0.002312") || rdb_push(argv, &n, "--key_dist_b=0.3467") ||
        rdb_push(argv, &n, "--keyrange_dist_a=14.18") ||
        rdb_push(argv, &n, "--keyrange_dist_b=-2.917") ||
        rdb_push(argv, &n, "--keyrange_dist_c=0.0164") ||
        rdb_push(argv, &n, "--keyrange_dist_d=-0.08082") ||
        rdb_push(argv, &n, "--keyrange_num=30") || rdb_push(argv, &n, "--value_k=0.2615") ||
        rdb_push(argv, &n, "--value_sigma=25.45") || rdb_push(argv, &n, "--iter_k=2.517") ||
        rdb_push(argv, &n, "--iter_sigma=14.236") || rdb_push(argv, &n, "--mix_get_ratio=0.83") ||
        rdb_push(argv, &n, "--mix_put_ratio=0.14") || rdb_push(argv, &n, "--mix_seek_ratio=0.03") ||
        rdb_push(argv, &n, "--statistics=1") || rdb_push(argv, &n, "--histogram=1") ||
        rdb_push(argv, &n, "--progress_reports=0"))
        goto oom;
    /* The configuration. */
    for (size_t i = 0; i < N_OF(rdb_int_flags); i++) {
        const plugin_value *v = plugin_config_find(cfg, rdb_int_flags[i]);
        if (!v)
            continue;
        if (v->choice || !isfinite(v->number) || v->number != floor(v->number) ||
            v->number < 0 || v->number > 1099511627776.0) {
            snprintf(err, err_len, "%s: needs a non-negative integer", rdb_int_flags[i]);
            rocksdb_argv_free(argv);
            return NULL;
        }
        if (v->number < 1 && strcmp(rdb_int_flags[i], "bloom_bits") != 0) {
            snprintf(err, err_len, "%s: must be at least 1", rdb_int_flags[i]);
            rocksdb_argv_free(argv);
            return NULL;
        }
        if (rdb_push(argv, &n, "--%s=%.0f", rdb_int_flags[i], v->number))
            goto oom;
    }
    const plugin_value *v = plugin_config_find(cfg, "compression_type");
    if (v) {
        int ok = 0;
        for (size_t k = 0; v->choice && k < N_OF(rdb_compressions); k++)
            ok |= strcmp(v->choice, rdb_compressions[k]) == 0;
        if (!ok) {
            snprintf(err, err_len, "compression_type must be none, snappy, zlib, lz4 or zstd");
            rocksdb_argv_free(argv);
            return NULL;
        }
        if (rdb_push(argv, &n, "--compression_type=%s", v->choice))
            goto oom;
    }
    v = plugin_config_find(cfg, "compaction_style");
    if (v) {
        int style = v->choice && strcmp(v->choice, "level") == 0       ? 0
                    : v->choice && strcmp(v->choice, "universal") == 0 ? 1
                                                                        : -1;
        if (style < 0) {
            snprintf(err, err_len, "compaction_style must be level or universal");
            rocksdb_argv_free(argv);
            return NULL;
        }
        if (rdb_push(argv, &n, "--compaction_style=%d", style))
            goto oom;
    }
    return argv;
oom:
    snprintf(err, err_len, "out of memory building the db_bench command");
    rocksdb_argv_free(argv);
    return NULL;
}

int rocksdb_parse_ops(const char *out, const char *bench, double *ops)
{
    size_t blen = strlen(bench);
    const char *line = out;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > blen && strncmp(line, bench, blen) == 0 &&
            (line[blen] == ' ' || line[blen] == ':')) {
            /* "mixgraph     :       9.352 micros/op 106908 ops/sec ..." */
            const char *tag = NULL;
            for (const char *p = line; p + 7 <= line + len; p++)
                if (strncmp(p, "ops/sec", 7) == 0) {
                    tag = p;
                    break;
                }
            if (tag) {
                const char *start = tag;
                while (start > line && start[-1] == ' ')
                    start--;
                while (start > line && start[-1] != ' ')
                    start--;
                char *end = NULL;
                double x = strtod(start, &end);
                if (end && end > start && isfinite(x) && x >= 0) {
                    *ops = x;
                    return 0;
                }
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return -1;
}

/* ---- the run ----------------------------------------------------------- */

static int rdb_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
                   plugin_result *res)
{
    char why[PLUGIN_REASON_MAX];
    rocksdb_workload w;
    if (rocksdb_workload_from_options(opts, &w, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    char dir[4096];
    if (plugin_tempdir_new(opts->workdir, "bograph-rocksdb-", dir, sizeof dir, why,
                           sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    char db_path[4200];
    snprintf(db_path, sizeof db_path, "%s/db", dir);
    char **argv = rocksdb_argv_new(cfg, &w, db_path, why, sizeof why);
    if (!argv) {
        plugin_remove_tree(dir);
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }

    double timeout = opts->timeout_seconds > 0 ? opts->timeout_seconds : p->default_timeout_seconds;
    plugin_exec_spec spec = {
        .path = w.db_bench,
        .argv = argv,
        .cwd = dir,
        .timeout_seconds = timeout,
        .cancel = opts->cancel,
    };
    plugin_exec_result er;
    sysload_sample load0, load1;
    sysload_read(&load0);
    int rc = plugin_exec_run(&spec, &er, why, sizeof why);
    sysload_read(&load1);
    rocksdb_argv_free(argv);
    int rm = plugin_remove_tree(dir);
    if (rc != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "db_bench: %s", why);
        return 0;
    }
    /* The measured output is the log; stderr only adds warnings. */
    res->append_log(res, er.out, er.out_len);
    if (er.err_len) {
        static const char sep[] = "\n# stderr\n";
        res->append_log(res, sep, sizeof sep - 1);
        res->append_log(res, er.err, er.err_len);
    }
    if (!plugin_exec_ok(&er)) {
        char d[400];
        plugin_exec_describe(&er, timeout, d, sizeof d);
        plugin_result_set(res, PLUGIN_FAILED, "db_bench %s", d);
        plugin_exec_result_free(&er);
        return 0;
    }
    res->set_metric(res, "rocksdb.trial.wall_seconds", er.seconds);
    res->set_metric(res, "rocksdb.trial.cpu_user_seconds", er.user_seconds);
    res->set_metric(res, "rocksdb.trial.cpu_sys_seconds", er.sys_seconds);
    res->set_metric(res, "rocksdb.trial.max_rss_mb", er.max_rss_kb / 1024.0);
    /* Whether db_bench had the machine to itself: the CPUs other processes
     * used meanwhile. (A slowdown from shared caches and memory, or from
     * outside a virtual machine, grows db_bench's CPU time along with its
     * wall time, so CPU against wall time does not show a busy machine.) */
    double other = sysload_other_cpus(&load0, &load1, er.user_seconds + er.sys_seconds,
                                      er.seconds);
    if (isfinite(other))
        res->set_metric(res, "rocksdb.trial.other_cpus", other);
    double ops = 0;
    if (rocksdb_parse_ops(er.out, "mixgraph", &ops) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "db_bench printed no mixgraph ops/sec line");
        plugin_exec_result_free(&er);
        return 0;
    }
    /* Everything else the rocksdb parser finds, as numbers the service can
     * use even before it parses the log itself. */
    logs_metrics lm;
    logs_metrics_init(&lm);
    if (logs_parse("rocksdb", er.out, er.out_len, &lm, why, sizeof why) == 0) {
        for (size_t i = 0; i < lm.count; i++)
            res->set_metric(res, lm.items[i].name, lm.items[i].value);
    }
    logs_metrics_free(&lm);
    plugin_exec_result_free(&er);
    res->set_metric(res, RDB_OBJECTIVE, ops);
    res->objective = ops;
    res->has_objective = 1;
    res->state = PLUGIN_OK;
    if (rm != 0)
        fprintf(stderr, "bograph: rocksdb plugin: could not remove %s\n", dir);
    return 0;
}

#define RDB_DESCRIPTION_TAIL                                                                \
    " via the real db_bench: fillrandom load, then the FAST 2020 social-graph mixgraph "   \
    "workload (get/put/seek 0.83/0.14/0.03); maximise mixgraph ops/sec"

const plugin plugin_rocksdb = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "rocksdb",
    .description = "RocksDB: the ten flush/compaction/memtable options of the RocksDB BO study"
        RDB_DESCRIPTION_TAIL,
    .params = rdb_params,
    .n_params = N_OF(rdb_params),
    .defaults = rdb_defaults,
    .n_defaults = N_OF(rdb_defaults),
    .objective = RDB_OBJECTIVE,
    .goal = PLUGIN_MAXIMIZE,
    .edges = rdb_edges,
    .n_edges = N_OF(rdb_edges),
    .metric_names = rdb_metric_names,
    .n_metric_names = N_OF(rdb_metric_names),
    .log_format = "rocksdb",
    .option_docs = rdb_options,
    .n_option_docs = N_OF(rdb_options),
    .parameter_constraints = rdb_param_constraints,
    .n_parameter_constraints = N_OF(rdb_param_constraints),
    .default_timeout_seconds = 120,
    .max_parallel = 1,
    .run = rdb_run,
};

const plugin plugin_rocksdb_extended = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "rocksdb-extended",
    .description = "RocksDB: the ten options plus block cache size, bloom filter bits, "
                   "compression and compaction style" RDB_DESCRIPTION_TAIL,
    .params = rdb_ext_params,
    .n_params = N_OF(rdb_ext_params),
    .defaults = rdb_ext_defaults,
    .n_defaults = N_OF(rdb_ext_defaults),
    .objective = RDB_OBJECTIVE,
    .goal = PLUGIN_MAXIMIZE,
    .edges = rdb_ext_edges,
    .n_edges = N_OF(rdb_ext_edges),
    .metric_names = rdb_metric_names,
    .n_metric_names = N_OF(rdb_metric_names),
    .log_format = "rocksdb",
    .option_docs = rdb_options,
    .n_option_docs = N_OF(rdb_options),
    .parameter_constraints = rdb_param_constraints,
    .n_parameter_constraints = N_OF(rdb_param_constraints),
    .default_timeout_seconds = 120,
    .max_parallel = 1,
    .run = rdb_run,
};
