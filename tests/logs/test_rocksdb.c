/*
 * test_rocksdb.c - the "rocksdb" parser on real db_bench 7.8.3 output
 * (fillrandom, mixgraph, stats, levelstats with --statistics --histogram),
 * saved in fixtures/, and on hand-written variants.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs/logs.h"

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LOGS_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void expect(const logs_metrics *m, const char *name, double value)
{
    const double *v = logs_metrics_get(m, name);
    if (!v)
        fail_msg("missing metric %s", name);
    if (fabs(*v - value) > 1e-9 * fmax(1.0, fabs(value)))
        fail_msg("%s = %.10g, expected %.10g", name, *v, value);
}

static void test_db_bench_fixture(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("db_bench_mixgraph.txt", &len);
    logs_metrics m;
    logs_metrics_init(&m);
    char err[256];
    assert_int_equal(logs_parse("rocksdb", text, len, &m, err, sizeof err), 0);

    /* Summary lines, per benchmark and for the last one. */
    expect(&m, "rocksdb.fillrandom.micros_per_op", 9.631);
    expect(&m, "rocksdb.fillrandom.ops_per_sec", 103811);
    expect(&m, "rocksdb.fillrandom.seconds", 0.193);
    expect(&m, "rocksdb.fillrandom.operations", 20000);
    expect(&m, "rocksdb.fillrandom.mb_per_sec", 11.5);
    expect(&m, "rocksdb.mixgraph.ops_per_sec", 115312);
    expect(&m, "rocksdb.mixgraph.gets", 16581);
    expect(&m, "rocksdb.mixgraph.puts", 2795);
    expect(&m, "rocksdb.mixgraph.seek", 624);
    expect(&m, "rocksdb.ops_per_sec", 115312);
    expect(&m, "rocksdb.micros_per_op", 8.66);
    expect(&m, "rocksdb.mb_per_sec", 44.8);
    assert_null(logs_metrics_get(&m, "rocksdb.mixgraph.size"));

    /* db_bench latency histograms, attributed to their benchmark. */
    expect(&m, "rocksdb.fillrandom.write.micros.count", 20000);
    expect(&m, "rocksdb.fillrandom.write.micros.avg", 9.6507);
    expect(&m, "rocksdb.fillrandom.write.micros.p50", 4.94);
    expect(&m, "rocksdb.fillrandom.write.micros.p9999", 4400.00);
    expect(&m, "rocksdb.mixgraph.write.micros.p99", 14.13);
    expect(&m, "rocksdb.mixgraph.read.micros.stddev", 66.56);
    expect(&m, "rocksdb.mixgraph.read.micros.min", 2);
    expect(&m, "rocksdb.mixgraph.read.micros.median", 3.8140);
    expect(&m, "rocksdb.mixgraph.read.micros.max", 8518);
    expect(&m, "rocksdb.mixgraph.read.micros.p999", 102.78);
    expect(&m, "rocksdb.mixgraph.seek.micros.p75", 30.05);
    expect(&m, "rocksdb.level1.read.micros.p999", 81.60);

    /* --statistics tickers and histograms. */
    expect(&m, "rocksdb.block.cache.miss", 8281);
    expect(&m, "rocksdb.memtable.hit", 528);
    expect(&m, "rocksdb.bytes.written", 2792034);
    expect(&m, "rocksdb.db.get.micros.p50", 1.604028);
    expect(&m, "rocksdb.db.get.micros.p95", 13.543613);
    expect(&m, "rocksdb.db.get.micros.p100", 266);
    expect(&m, "rocksdb.db.get.micros.count", 16581);
    expect(&m, "rocksdb.db.get.micros.sum", 75379);
    expect(&m, "rocksdb.compaction.outfile.sync.micros.sum", 32677);

    /* Compaction stats table (Int rows skipped) and DB stats. */
    expect(&m, "rocksdb.compaction.l0.files", 4);
    expect(&m, "rocksdb.compaction.l0.size_mb", 438.90 / 1024);
    expect(&m, "rocksdb.compaction.l1.keyin", 19000);
    expect(&m, "rocksdb.compaction.l1.keydrop", 3419);
    expect(&m, "rocksdb.compaction.sum.w_amp", 1.8);
    expect(&m, "rocksdb.compaction.sum.comp_cnt", 14);
    expect(&m, "rocksdb.compaction.sum.wr_mb_s", 17.8);
    assert_null(logs_metrics_get(&m, "rocksdb.compaction.int.w_amp"));
    expect(&m, "rocksdb.stalls_count.memtable_compaction", 2);
    expect(&m, "rocksdb.stalls_count.level0_slowdown", 0);
    expect(&m, "rocksdb.cumulative_stall.seconds", 0.010);
    expect(&m, "rocksdb.cumulative_stall.percent", 2.6);
    expect(&m, "rocksdb.cumulative_writes.writes", 22000);
    expect(&m, "rocksdb.cumulative_writes.writes_per_commit_group", 1.0);
    expect(&m, "rocksdb.cumulative_compaction.mb_s_write", 6.11);
    expect(&m, "rocksdb.uptime_secs.total", 0.4);
    expect(&m, "rocksdb.flush_gb.cumulative", 0.001);
    expect(&m, "rocksdb.level0.files", 4);
    expect(&m, "rocksdb.level1.files", 3);
    expect(&m, "rocksdb.level1.size_mb", 1);

    /* Every name stable: lower case, dotted, no empty component. */
    assert_true(m.count > 300);
    for (size_t i = 0; i < m.count; i++) {
        const char *s = m.items[i].name;
        size_t n = strlen(s);
        assert_true(n > 0);
        assert_true(strncmp(s, "rocksdb.", 8) == 0);
        assert_true(s[n - 1] != '.');
        assert_null(strstr(s, ".."));
        for (size_t k = 0; k < n; k++)
            assert_true((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') ||
                        s[k] == '.' || s[k] == '_');
        assert_true(isfinite(m.items[i].value));
    }
    logs_metrics_free(&m);
    free(text);
}

static void test_summary_variants(void **state)
{
    (void)state;
    const char *text =
        "readrandom   :       4.153 micros/op 240797 ops/sec 2.002 seconds 481999 operations;"
        "   26.6 MB/s (481999 of 481999 found)\n"
        "\n"
        "Microseconds per read:\n"
        "Count: 481999 Average: 4.1606  StdDev: 21.27\n"
        "Min: 0  Median: 3.0347  Max: 5024\n"
        "Percentiles: P50: 3.03 P75: 3.86 P99: 11.12 P99.9: 71.73 P99.99: 188.29\n"
        "------------------------------------------------------\n"
        "[       0,       1 ]     1567   0.325%   0.325% \n"
        "** Compaction Stats [users] **\n"
        "Level    Files   Size     Score Read(GB)\n"
        "---------------------------------------\n"
        "  L2      1/0   2.50 GB   0.9      1.5\n"
        "\n"
        "rocksdb.stall.micros COUNT : 1234\n"
        "rocksdb.db.get.micros P50 : 1.5 P95 : 2.5 P99 : 3.5 P100 : 9 COUNT : 10 SUM : 20\n";
    logs_metrics m;
    logs_metrics_init(&m);
    assert_int_equal(logs_parse("rocksdb", text, strlen(text), &m, NULL, 0), 0);
    expect(&m, "rocksdb.readrandom.ops_per_sec", 240797);
    expect(&m, "rocksdb.readrandom.read.micros.p99", 11.12);
    expect(&m, "rocksdb.readrandom.read.micros.p9999", 188.29);
    expect(&m, "rocksdb.readrandom.read.micros.min", 0);
    expect(&m, "rocksdb.cf.users.compaction.l2.size_mb", 2.5 * 1024);
    expect(&m, "rocksdb.cf.users.compaction.l2.score", 0.9);
    expect(&m, "rocksdb.cf.users.compaction.l2.read_gb", 1.5);
    expect(&m, "rocksdb.stall.micros", 1234);
    expect(&m, "rocksdb.db.get.micros.p95", 2.5);
    expect(&m, "rocksdb.db.get.micros.sum", 20);
    logs_metrics_free(&m);
}

static void test_merge_keeps_earlier_metrics(void **state)
{
    (void)state;
    logs_metrics m;
    logs_metrics_init(&m);
    assert_int_equal(logs_metrics_set(&m, "throughput", 5.0), 0);
    assert_int_equal(logs_metrics_set(&m, "rocksdb.ops_per_sec", 1.0), 0);
    const char *text = "fillseq : 1.0 micros/op 1000000 ops/sec 1.0 seconds 1000000 operations;\n";
    assert_int_equal(logs_parse("rocksdb", text, strlen(text), &m, NULL, 0), 0);
    expect(&m, "throughput", 5.0);
    expect(&m, "rocksdb.ops_per_sec", 1000000);
    expect(&m, "rocksdb.fillseq.ops_per_sec", 1000000);
    assert_int_equal(m.count, 7);
    logs_metrics_free(&m);
}

static void test_registry(void **state)
{
    (void)state;
    assert_true(logs_format_known("rocksdb"));
    assert_true(logs_format_known("keyvalue"));
    assert_true(logs_format_known("jsonl"));
    assert_false(logs_format_known("xml"));
    assert_false(logs_format_known(NULL));
    const char *const *names = logs_format_names();
    size_t n = 0;
    while (names[n])
        assert_true(logs_format_known(names[n++]));
    assert_int_equal(n, 3);
    logs_metrics m;
    logs_metrics_init(&m);
    char err[128] = "";
    assert_int_equal(logs_parse("xml", "<a/>", 4, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown log format 'xml'"));
    assert_int_equal(m.count, 0);
    logs_metrics_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_bench_fixture),
        cmocka_unit_test(test_summary_variants),
        cmocka_unit_test(test_merge_keeps_earlier_metrics),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
