/*
 * test_rocksdb.c - tests plugins/rocksdb.c: the db_bench command line,
 * reading ops/sec back, and real (short) db_bench runs: a full trial whose
 * metrics include every node the expert knowledge names, a timeout and a
 * missing program, each leaving no temporary directory behind; a trial
 * beside a busy process reporting the CPUs others used; and the
 * universal compaction options of rocksdb-extended declared as conditional
 * on compaction_style.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/builtin.h"
#include "plugins/exec.h"
#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "plugins/rocksdb.h"
#include "plugins/sysload.h"

static char workdir[512];

static int setup(void **state)
{
    (void)state;
    char err[256];
    return plugin_tempdir_new(NULL, "bograph-test-rocksdb-", workdir, sizeof workdir, err,
                              sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    return plugin_remove_tree(workdir);
}

static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n == 0;
}

static int has_arg(char **argv, const char *arg)
{
    for (size_t i = 0; argv[i]; i++)
        if (strcmp(argv[i], arg) == 0)
            return 1;
    return 0;
}

static void test_argv(void **state)
{
    (void)state;
    rocksdb_workload w;
    char err[256];
    assert_int_equal(rocksdb_workload_from_options(NULL, &w, err, sizeof err), 0);
    plugin_config def = plugin_default_config(&plugin_rocksdb);
    char **argv = rocksdb_argv_new(&def, &w, "/tmp/x/db", err, sizeof err);
    assert_non_null(argv);
    assert_string_equal(argv[0], "/usr/bin/db_bench");
    assert_true(has_arg(argv, "--db=/tmp/x/db"));
    assert_true(has_arg(argv, "--benchmarks=fillrandom,mixgraph,stats,levelstats"));
    /* The FAST 2020 workload, statistics on. */
    assert_true(has_arg(argv, "--mix_get_ratio=0.83"));
    assert_true(has_arg(argv, "--mix_put_ratio=0.14"));
    assert_true(has_arg(argv, "--mix_seek_ratio=0.03"));
    assert_true(has_arg(argv, "--keyrange_dist_a=14.18"));
    assert_true(has_arg(argv, "--value_k=0.2615"));
    assert_true(has_arg(argv, "--iter_sigma=14.236"));
    assert_true(has_arg(argv, "--statistics=1"));
    assert_true(has_arg(argv, "--histogram=1"));
    assert_true(has_arg(argv, "--num=200000"));
    /* RocksDB's defaults. */
    assert_true(has_arg(argv, "--write_buffer_size=67108864"));
    assert_true(has_arg(argv, "--level0_stop_writes_trigger=36"));
    assert_true(has_arg(argv, "--max_background_compactions=1"));
    assert_false(has_arg(argv, "--compression_type=snappy"));
    rocksdb_argv_free(argv);

    plugin_config ext = plugin_default_config(&plugin_rocksdb_extended);
    argv = rocksdb_argv_new(&ext, &w, "/tmp/x/db", err, sizeof err);
    assert_non_null(argv);
    assert_true(has_arg(argv, "--compression_type=snappy"));
    assert_true(has_arg(argv, "--compaction_style=0"));
    assert_true(has_arg(argv, "--bloom_bits=0"));
    assert_true(has_arg(argv, "--cache_size=8388608"));
    rocksdb_argv_free(argv);

    plugin_config cfg;
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    plugin_config_set(&cfg, "block_size", 0, NULL);
    assert_null(rocksdb_argv_new(&cfg, &w, "/tmp/x/db", err, sizeof err));
    assert_non_null(strstr(err, "block_size"));
    plugin_config_set(&cfg, "block_size", 1.5, NULL);
    assert_null(rocksdb_argv_new(&cfg, &w, "/tmp/x/db", err, sizeof err));
    plugin_config_free(&cfg);

    plugin_option o[] = {{"num", "1e3"}, {"reads", "abc"}};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = o;
    opts.n_options = 2;
    opts.seed = 99;
    assert_int_equal(rocksdb_workload_from_options(&opts, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "reads"));
    opts.n_options = 1;
    assert_int_equal(rocksdb_workload_from_options(&opts, &w, err, sizeof err), 0);
    assert_true(w.num == 1000);
    assert_true(w.seed == 99);
}

/* rocksdb-extended: the universal-only options carry a condition on
 * compaction_style = universal, in the descriptor and in the study body the
 * plugin fills; the default (level) gives none of them, a configuration must
 * give exactly the active ones, and the command line passes them when set. */
static void test_universal_conditions(void **state)
{
    (void)state;
    const plugin *p = &plugin_rocksdb_extended;
    char err[256];
    assert_int_equal(plugin_check(p, err, sizeof err), 0);
    size_t n_cond = 0;
    for (size_t i = 0; i < p->n_params; i++) {
        const plugin_condition *c = p->params[i].condition;
        int universal = strncmp(p->params[i].name, "universal_", 10) == 0;
        assert_int_equal(c != NULL, universal);
        if (!c)
            continue;
        n_cond++;
        assert_string_equal(c->parameter, "compaction_style");
        assert_int_equal(c->n_choices, 1);
        assert_string_equal(c->choices[0], "universal");
        for (size_t k = 0; k < p->n_defaults; k++)
            assert_string_not_equal(p->defaults[k].name, p->params[i].name);
    }
    assert_int_equal(n_cond, 3);
    for (size_t i = 0; i < plugin_rocksdb.n_params; i++)
        assert_null(plugin_rocksdb.params[i].condition);

    json_t *body = json_object();
    assert_int_equal(plugin_fill_study(p, body, err, sizeof err), 0);
    json_t *params = json_object_get(body, "parameters");
    size_t seen = 0;
    for (size_t i = 0; i < json_array_size(params); i++) {
        json_t *c = json_object_get(json_array_get(params, i), "condition");
        if (!c)
            continue;
        seen++;
        assert_string_equal(json_string_value(json_object_get(c, "parameter")), "compaction_style");
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "values"), 0)),
                            "universal");
    }
    assert_int_equal(seen, 3);
    assert_null(json_object_get(json_object_get(body, "default"), "universal_size_ratio"));
    json_decref(body);

    rocksdb_workload w;
    assert_int_equal(rocksdb_workload_from_options(NULL, &w, err, sizeof err), 0);
    plugin_config def = plugin_default_config(p), cfg;
    assert_int_equal(plugin_config_check(p, &def, err, sizeof err), 0);
    char **argv = rocksdb_argv_new(&def, &w, "/tmp/x/db", err, sizeof err);
    assert_non_null(argv);
    for (size_t i = 0; argv[i]; i++)
        assert_null(strstr(argv[i], "universal"));
    rocksdb_argv_free(argv);
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    plugin_config_set(&cfg, "compaction_style", 0, "universal");
    /* universal without its options: they are active, so missing */
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "universal_size_ratio"));
    plugin_config_set(&cfg, "universal_size_ratio", 5, NULL);
    plugin_config_set(&cfg, "universal_min_merge_width", 4, NULL);
    plugin_config_set(&cfg, "universal_max_size_amplification_percent", 150, NULL);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), 0);
    argv = rocksdb_argv_new(&cfg, &w, "/tmp/x/db", err, sizeof err);
    assert_non_null(argv);
    assert_true(has_arg(argv, "--compaction_style=1"));
    assert_true(has_arg(argv, "--universal_size_ratio=5"));
    assert_true(has_arg(argv, "--universal_min_merge_width=4"));
    assert_true(has_arg(argv, "--universal_max_size_amplification_percent=150"));
    rocksdb_argv_free(argv);
    /* back to level: the universal options are no longer active */
    plugin_config_set(&cfg, "compaction_style", 0, "level");
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "not active"));
    plugin_config_free(&cfg);
}

static void test_parse_ops(void **state)
{
    (void)state;
    const char *out =
        "fillrandom   :       8.351 micros/op 119724 ops/sec 1.670 seconds 200000 operations;\n"
        "mixgraph     :       9.352 micros/op 106908 ops/sec 1.871 seconds 200000 operations;"
        "  131.6 MB/s ( Gets:166273 Puts:27646 Seek:6081)\n";
    double ops = 0;
    assert_int_equal(rocksdb_parse_ops(out, "mixgraph", &ops), 0);
    assert_true(ops == 106908);
    assert_int_equal(rocksdb_parse_ops(out, "fillrandom", &ops), 0);
    assert_true(ops == 119724);
    assert_int_equal(rocksdb_parse_ops(out, "readrandom", &ops), -1);
    assert_int_equal(rocksdb_parse_ops("mixgraph : garbage ops/sec\n", "mixgraph", &ops), -1);
    assert_int_equal(rocksdb_parse_ops("", "mixgraph", &ops), -1);
}

static plugin_run_options small_run(plugin_option *o, size_t n)
{
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = o;
    opts.n_options = n;
    opts.workdir = workdir;
    opts.timeout_seconds = 60;
    return opts;
}

/* One real, small db_bench trial. */
static void test_real_run(void **state)
{
    (void)state;
    if (access("/usr/bin/db_bench", X_OK) != 0)
        fail_msg("/usr/bin/db_bench is missing: install rocksdb-tools (scripts/deps.sh)");
    plugin_option o[] = {{"num", "20000"}, {"reads", "20000"}};
    plugin_run_options opts = small_run(o, 2);
    plugin_config def = plugin_default_config(&plugin_rocksdb_extended);
    plugin_result r;
    plugin_result_init(&r);
    char err[256];
    assert_int_equal(plugin_run(&plugin_rocksdb_extended, &def, &opts, &r, err, sizeof err), 0);
    if (r.state != PLUGIN_OK)
        fail_msg("db_bench trial failed: %s", r.reason);
    assert_true(r.has_objective);
    assert_true(r.objective > 0);
    assert_true(*plugin_result_metric(&r, "rocksdb.mixgraph.ops_per_sec") == r.objective);
    /* The metrics the expert knowledge names come out of a real run. */
    const plugin *p = &plugin_rocksdb_extended;
    for (size_t i = 0; i < p->n_edges; i++) {
        const char *to = p->edges[i].to;
        if (strncmp(to, "rocksdb.", 8) == 0 && !plugin_result_metric(&r, to))
            fail_msg("metric %s (named by the knowledge) missing from a real run", to);
    }
    assert_non_null(plugin_result_metric(&r, "rocksdb.db.get.micros.p95"));
    assert_non_null(plugin_result_metric(&r, "rocksdb.fillrandom.ops_per_sec"));
    /* db_bench used CPU and memory, and took no longer than the whole run. */
    assert_true(*plugin_result_metric(&r, "rocksdb.trial.cpu_user_seconds") > 0);
    assert_true(*plugin_result_metric(&r, "rocksdb.trial.max_rss_mb") > 1);
    assert_true(*plugin_result_metric(&r, "rocksdb.trial.wall_seconds") <= r.elapsed_seconds);
    /* what other processes used meanwhile: between none and every CPU */
    sysload_sample now;
    assert_int_equal(sysload_read(&now), 0);
    const double *other = plugin_result_metric(&r, "rocksdb.trial.other_cpus");
    assert_non_null(other);
    assert_true(*other >= 0 && *other <= now.cpus);
    assert_non_null(strstr(r.log, "mixgraph"));
    assert_non_null(strstr(r.log, "STATISTICS"));
    assert_string_equal(r.log_format, "rocksdb");
    assert_true(dir_empty(workdir));
    plugin_result_free(&r);
}

/* A trial beside a process that spins on the CPU the whole time: the
 * trial's other_cpus counts it (the spinner's share of the machine, however
 * busy the machine is, is well above nothing; db_bench's own time is not
 * counted). */
static void test_real_run_beside_a_busy_process(void **state)
{
    (void)state;
    pid_t spinner = fork();
    assert_true(spinner >= 0);
    if (spinner == 0) {
        volatile unsigned long x = 0;
        for (;;)
            x++;
    }
    plugin_option o[] = {{"num", "20000"}, {"reads", "20000"}};
    plugin_run_options opts = small_run(o, 2);
    plugin_config def = plugin_default_config(&plugin_rocksdb);
    plugin_result r;
    plugin_result_init(&r);
    char err[256];
    int rc = plugin_run(&plugin_rocksdb, &def, &opts, &r, err, sizeof err);
    kill(spinner, SIGKILL);
    waitpid(spinner, NULL, 0);
    assert_int_equal(rc, 0);
    if (r.state != PLUGIN_OK)
        fail_msg("db_bench trial failed: %s", r.reason);
    const double *other = plugin_result_metric(&r, "rocksdb.trial.other_cpus");
    assert_non_null(other);
    assert_true(*other > 0.2);
    plugin_result_free(&r);
}

static void test_timeout_and_missing_program(void **state)
{
    (void)state;
    plugin_result r;
    plugin_result_init(&r);
    char err[256];
    plugin_config def = plugin_default_config(&plugin_rocksdb);
    /* The default workload takes seconds: 0.3 s is not enough. */
    plugin_run_options opts = small_run(NULL, 0);
    opts.timeout_seconds = 0.3;
    assert_int_equal(plugin_run(&plugin_rocksdb, &def, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "timed out after 0.3 s"));
    assert_true(dir_empty(workdir));

    plugin_option o[] = {{"db_bench", "/nonexistent/db_bench"}};
    opts = small_run(o, 1);
    assert_int_equal(plugin_run(&plugin_rocksdb, &def, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "not found"));
    assert_true(dir_empty(workdir));

    /* A bad workload option is a failed trial naming it. */
    plugin_option big[] = {{"num", "1000"}, {"reads", "1000"}, {"threads", "0"}};
    opts = small_run(big, 3);
    assert_int_equal(plugin_run(&plugin_rocksdb, &def, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "threads"));
    plugin_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argv),
        cmocka_unit_test(test_universal_conditions),
        cmocka_unit_test(test_parse_ops),
        cmocka_unit_test(test_real_run),
        cmocka_unit_test(test_real_run_beside_a_busy_process),
        cmocka_unit_test(test_timeout_and_missing_program),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
