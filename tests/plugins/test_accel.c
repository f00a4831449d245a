/*
 * test_accel.c - tests plugins/accel_model.c, accel_workload.c and
 * accel_plugin.c against cases computed by hand (the arithmetic is in the
 * comments), and checks that the knowledge the plugin declares holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "plugins/accel.h"
#include "plugins/builtin.h"
#include "plugins/host.h"

/* a equals b to 1e-9 relative. */
static void near_at(double a, double b, int line)
{
    if (!(fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b))))
        fail_msg("line %d: %.17g != %.17g", line, a, b);
}
#define NEAR(a, b) near_at((a), (b), __LINE__)

static accel_design small_design(accel_dataflow df)
{
    accel_design d = {.rows = 4, .cols = 4, .dataflow = df, .spad_kb = 64, .acc_kb = 64,
                      .banks = 4, .dma_bytes = 16, .clock_mhz = 1000};
    return d;
}

/* GEMM m=8, k=3, n=4 on a 4x4 array.
 * OS: Sr=m=8, Sc=n=4, T=k=3: 2 x 1 folds of 2*4+4+3-2 = 13 -> 26 cycles.
 * WS: Sr=k=3, Sc=n=4, T=m=8: 1 fold of 8+4+8-2 = 18 cycles.
 * IS: Sr=k=3, Sc=m=8, T=n=4: 1 x 2 folds of 8+4+4-2 = 14 -> 28 cycles. */
static void test_fold_model(void **state)
{
    (void)state;
    accel_tech t;
    accel_tech_default(&t);
    accel_gemm g = {"g", 8, 3, 4, 1};
    accel_gemm_cost c;
    accel_design d = small_design(ACCEL_OS);
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.folds, 2);
    NEAR(c.compute_cycles, 26);
    NEAR(c.macs, 96);
    /* Reads into the array: A once per column fold (8*3*1), B once per row
     * fold (3*4*2); fills from DRAM: A 24 + B 12 (both fit). */
    NEAR(c.spad_bytes, 24 + 24 + 24 + 12);
    /* DRAM: A 24 + B 12 + C 32 bytes; accumulator 8 bytes per output. */
    NEAR(c.dram_bytes, 68);
    NEAR(c.acc_bytes, 8 * 32);
    NEAR(c.sram_stall, 1);
    /* DRAM at 16 B/cycle: 4.25 cycles < 26. */
    NEAR(c.cycles, 26);

    d = small_design(ACCEL_WS);
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.compute_cycles, 18);
    /* Weights once (12), inputs once per column fold (24). */
    NEAR(c.spad_bytes, 12 + 24 + 36);
    NEAR(c.acc_bytes, 8 * 32 * 1);

    d = small_design(ACCEL_IS);
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.compute_cycles, 28);
    /* Inputs once (24), weights once per column fold of m (12 * 2). */
    NEAR(c.spad_bytes, 24 + 24 + 36);
}

/* 64x64 OS array, one bank, GEMM 64x64x64: one fold of 128+64+64-2 = 254
 * cycles reading 4096 + 4096 bytes: 32.25 B/cycle against 16 -> stall
 * 2.016; DRAM 3 * 4096 bytes at min(16, 25.6) B/cycle = 768 cycles, which
 * wins. */
static void test_stalls_and_dram_bound(void **state)
{
    (void)state;
    accel_tech t;
    accel_tech_default(&t);
    accel_design d = {.rows = 64, .cols = 64, .dataflow = ACCEL_OS, .spad_kb = 64,
                      .acc_kb = 64, .banks = 1, .dma_bytes = 16, .clock_mhz = 1000};
    accel_gemm g = {"g", 64, 64, 64, 1};
    accel_gemm_cost c;
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.compute_cycles, 254);
    NEAR(c.sram_stall, 8192.0 / 254.0 / 16.0);
    NEAR(c.dram_bytes, 3 * 4096);
    NEAR(c.dram_cycles, 768);
    NEAR(c.cycles, 768);
    /* A wider DMA at 2 GHz is capped by DRAM: 25.6 GB/s / 2 GHz = 12.8 B/cycle. */
    d.dma_bytes = 64;
    d.clock_mhz = 2000;
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.dram_cycles, 12288.0 / 12.8);
}

/* Operands that do not fit: 4x4 array, 16 KiB scratchpad (8192 usable, an
 * operand stays resident under 4096), 16 KiB accumulator (2048 int32
 * outputs usable). GEMM 256x64x256: tile_n = min(256, max(4, floor(sqrt(2048))
 * = 45)) = 45, tile_m = floor(2048/45) = 45; A (16384 B) is read
 * ceil(256/45) = 6 times, B (16384 B) 6 times, C written once (65536 B). */
static void test_tiling_traffic(void **state)
{
    (void)state;
    accel_tech t;
    accel_tech_default(&t);
    accel_design d = {.rows = 4, .cols = 4, .dataflow = ACCEL_OS, .spad_kb = 16, .acc_kb = 16,
                      .banks = 2, .dma_bytes = 16, .clock_mhz = 1000};
    accel_gemm g = {"g", 256, 64, 256, 1};
    accel_gemm_cost c;
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.tile_n, 45);
    NEAR(c.tile_m, 45);
    NEAR(c.dram_bytes, 16384.0 * 6 + 16384.0 * 6 + 65536.0);
    /* A bigger scratchpad keeps both operands resident: read once. */
    d.spad_kb = 256;
    assert_int_equal(accel_gemm_eval(&d, &t, &g, &c, NULL, 0), 0);
    NEAR(c.dram_bytes, 16384.0 + 16384.0 + 65536.0);
}

/* Energy per level and area, from the documented constants. */
static void test_energy_and_area(void **state)
{
    (void)state;
    accel_tech t;
    accel_tech_default(&t);
    accel_design d = {.rows = 64, .cols = 64, .dataflow = ACCEL_OS, .spad_kb = 64,
                      .acc_kb = 64, .banks = 1, .dma_bytes = 16, .clock_mhz = 1000};
    accel_gemm g = {"g", 64, 64, 64, 1};
    accel_metrics m;
    assert_int_equal(accel_eval(&d, &t, &g, 1, &m, NULL, 0), 0);
    /* 262144 MACs x 0.3 pJ = 78643.2 pJ = 7.86432e-5 mJ. */
    NEAR(m.e_mac_mj, 7.86432e-5);
    NEAR(m.e_reg_mj, 7.86432e-5);
    /* DRAM: 12288 B x 162.5 pJ. */
    NEAR(m.e_dram_mj, 12288 * 162.5e-9);
    /* One 64 KiB bank: 1.25 pJ/B x sqrt(64/8). Scratchpad: 8192 reads + 8192
     * fills. Accumulator: 8 B per output. */
    NEAR(m.e_spad_mj, 16384 * 1.25 * sqrt(8.0) * 1e-9);
    NEAR(m.e_acc_mj, 8 * 4096 * 1.25 * sqrt(8.0) * 1e-9);
    /* Hops: A 4096 x 64 columns, B 4096 x 64 rows, outputs 4 B x 64/2 rows. */
    NEAR(m.e_array_mj, (4096.0 * 64 + 4096.0 * 64 + 4.0 * 4096 * 32) * 0.15e-9);
    /* Area: 4096 PEs x 635 um^2 + 128 KiB SRAM + 2 banks + fixed + DMA. */
    double area = 4096 * 635e-6 + 128 * 8192 * 0.346 / 0.7 * 1e-6 + 2 * 0.015 + 0.3 + 16 * 0.002;
    NEAR(m.area_mm2, area);
    /* 768 cycles at 1 GHz: 7.68e-4 ms; leakage 0.02 W/mm^2. */
    NEAR(m.delay_ms, 7.68e-4);
    NEAR(m.e_leak_mj, 0.02 * area * 7.68e-7 * 1e3);
    NEAR(m.edp, m.energy_mj * m.delay_ms);
    NEAR(m.utilization, 262144.0 / (4096.0 * 768.0));

    /* At 500 MHz: V/Vnom = 0.6 + 0.4 * 0.5 = 0.8, dynamic energy x 0.64. */
    accel_metrics slow;
    d.clock_mhz = 500;
    assert_int_equal(accel_eval(&d, &t, &g, 1, &slow, NULL, 0), 0);
    NEAR(slow.e_mac_mj, m.e_mac_mj * 0.64);
    NEAR(slow.e_dram_mj, m.e_dram_mj);
    NEAR(slow.voltage, 0.72);
}

static void test_workloads(void **state)
{
    (void)state;
    accel_gemm g[64];
    size_t n = accel_workload("resnet50", g, 64);
    assert_int_equal(n, 30);
    double macs = 0, weights = 0;
    for (size_t i = 0; i < n; i++) {
        macs += g[i].m * g[i].k * g[i].n * g[i].count;
        weights += g[i].k * g[i].n * g[i].count;
    }
    /* ResNet-50: 4.09 GMACs, 25.5 M weights in convolutions and the classifier. */
    NEAR(macs, 4089184256.0);
    NEAR(weights, 25502912.0);
    /* BERT-base, sequence 128, 12 layers: 12 x (128 x 768 x (2304 + 768 +
     * 2 x 3072) + 12 heads x 2 x 128 x 64 x 128). */
    n = accel_workload("bert128", g, 64);
    assert_int_equal(n, 6);
    macs = 0;
    for (size_t i = 0; i < n; i++)
        macs += g[i].m * g[i].k * g[i].n * g[i].count;
    NEAR(macs, 12.0 * (128.0 * 768 * (2304 + 768 + 2 * 3072) + 12.0 * 2 * 128 * 64 * 128));
    assert_int_equal(accel_workload("bert512", NULL, 0), 6);
    assert_int_equal(accel_workload("vgg", g, 64), 0);
    assert_int_equal(accel_workload(NULL, g, 64), 0);
}

static void test_design_check(void **state)
{
    (void)state;
    char err[256];
    accel_design d = {.rows = 128, .cols = 128, .dataflow = ACCEL_WS, .spad_kb = 2048,
                      .acc_kb = 64, .banks = 4, .dma_bytes = 16, .clock_mhz = 1000};
    /* 128 x 128 x 4 B x 2 = 128 KiB of accumulator needed. */
    assert_int_equal(accel_design_check(&d, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs 128 KiB"));
    d.acc_kb = 128;
    assert_int_equal(accel_design_check(&d, err, sizeof err), 0);
    d.spad_kb = 32; /* needs 64 KiB */
    assert_int_equal(accel_design_check(&d, err, sizeof err), -1);
    assert_non_null(strstr(err, "scratchpad"));
    d.spad_kb = 64;
    d.rows = 0;
    assert_int_equal(accel_design_check(&d, err, sizeof err), -1);
    d.rows = 4.5;
    assert_int_equal(accel_design_check(&d, err, sizeof err), -1);
    d.rows = 4;
    d.clock_mhz = NAN;
    assert_int_equal(accel_design_check(&d, err, sizeof err), -1);
}

static double metric(const plugin_result *r, const char *name)
{
    const double *v = plugin_result_metric(r, name);
    if (!v)
        fail_msg("metric %s missing", name);
    return *v;
}

static void test_plugin_runs_and_knowledge_holds(void **state)
{
    (void)state;
    const plugin *p = &plugin_accelerator;
    plugin_config def = plugin_default_config(p);
    plugin_result r, r2;
    plugin_result_init(&r);
    plugin_result_init(&r2);
    char err[256];
    assert_int_equal(plugin_run(p, &def, NULL, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_OK);
    assert_true(r.has_objective);
    NEAR(r.objective, metric(&r, "edp"));
    for (size_t i = 0; i < p->n_metric_names; i++)
        (void)metric(&r, p->metric_names[i]);
    /* The models of the declared knowledge hold exactly. */
    NEAR(metric(&r, "delay_ms"), metric(&r, "cycles") / (1000.0 * 1000.0));
    NEAR(metric(&r, "e_dram_mj"), metric(&r, "dram_bytes") * 1.625e-7);
    NEAR(metric(&r, "energy_mj"),
         metric(&r, "e_mac_mj") + metric(&r, "e_reg_mj") + metric(&r, "e_array_mj") +
             metric(&r, "e_spad_mj") + metric(&r, "e_acc_mj") + metric(&r, "e_dram_mj") +
             metric(&r, "e_leak_mj"));
    NEAR(metric(&r, "edp"), metric(&r, "energy_mj") * metric(&r, "delay_ms"));
    /* The default (Gemmini's) fits the area budget with room to grow. */
    assert_true(metric(&r, "area_mm2") < 0.6 * p->constraints[0].value);
    assert_non_null(strstr(r.log, "edp="));
    /* Deterministic. */
    assert_int_equal(plugin_run(p, &def, NULL, &r2, err, sizeof err), 0);
    assert_true(r.objective == r2.objective);

    /* Only ResNet-50: fewer MACs than with BERT added. */
    plugin_option o[] = {{"workload", "resnet50"}};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = o;
    opts.n_options = 1;
    assert_int_equal(plugin_run(p, &def, &opts, &r2, err, sizeof err), 0);
    NEAR(metric(&r2, "macs"), 4089184256.0);
    o[0].value = "resnet50+gpt";
    assert_int_equal(plugin_run(p, &def, &opts, &r2, err, sizeof err), 0);
    assert_int_equal(r2.state, PLUGIN_FAILED);
    assert_non_null(strstr(r2.reason, "unknown name 'gpt'"));

    /* An infeasible design is infeasible with the reason, not failed. */
    plugin_config cfg;
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    plugin_config_set(&cfg, "rows", 128, NULL);
    plugin_config_set(&cfg, "cols", 128, NULL);
    assert_int_equal(plugin_run(p, &cfg, NULL, &r2, err, sizeof err), 0);
    assert_int_equal(r2.state, PLUGIN_INFEASIBLE);
    assert_non_null(strstr(r2.reason, "accumulator"));
    assert_false(r2.has_objective);
    plugin_config_free(&cfg);
    plugin_result_free(&r);
    plugin_result_free(&r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_model),
        cmocka_unit_test(test_stalls_and_dram_bound),
        cmocka_unit_test(test_tiling_traffic),
        cmocka_unit_test(test_energy_and_area),
        cmocka_unit_test(test_workloads),
        cmocka_unit_test(test_design_check),
        cmocka_unit_test(test_plugin_runs_and_knowledge_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
