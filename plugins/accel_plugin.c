/*
 * accel_plugin.c - the "accelerator" plugin: the design space of a
 * Gemmini-style systolic-array accelerator, evaluated by the analytic model
 * of accel_model.c on ResNet-50 and BERT-base GEMMs. Objective: energy x
 * delay (EDP, mJ * ms), minimised, under an area budget; or, with the
 * option objectives=energy,delay, energy and delay as two objectives, both
 * minimised (plugin_objectives.h).
 *
 * The default is Gemmini's default configuration (Genc et al., DAC 2021):
 * a 16x16 array, weight-stationary, 256 KiB scratchpad in 4 banks, 64 KiB
 * accumulator, a 128-bit DMA bus, 1 GHz.
 */
#include <stdio.h>
#include <string.h>

#include "plugins/accel.h"
#include "plugins/builtin.h"
#include "plugins/host.h"

#define ACCEL_AREA_BUDGET_MM2 4.0
#define ACCEL_MAX_GEMMS 128

static const double accel_dims[] = {4, 8, 16, 32, 64, 128};
static const double accel_spad[] = {16, 32, 64, 128, 256, 512, 1024, 2048};
static const double accel_acc[] = {16, 32, 64, 128, 256, 512, 1024};
static const double accel_banks[] = {1, 2, 4, 8, 16, 32};
static const double accel_dma[] = {4, 8, 16, 32, 64, 128};
static const char *const accel_flows[] = {"os", "ws", "is"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const plugin_param accel_params[] = {
    {.name = "rows", .type = PLUGIN_PARAM_ORDINAL, .values = accel_dims,
     .n_values = N_OF(accel_dims), .description = "PE array rows"},
    {.name = "cols", .type = PLUGIN_PARAM_ORDINAL, .values = accel_dims,
     .n_values = N_OF(accel_dims), .description = "PE array columns"},
    {.name = "dataflow", .type = PLUGIN_PARAM_CATEGORICAL, .choices = accel_flows,
     .n_choices = N_OF(accel_flows),
     .description = "output-, weight- or input-stationary"},
    {.name = "spad_kb", .type = PLUGIN_PARAM_ORDINAL, .values = accel_spad,
     .n_values = N_OF(accel_spad), .description = "scratchpad for int8 operands, KiB"},
    {.name = "acc_kb", .type = PLUGIN_PARAM_ORDINAL, .values = accel_acc,
     .n_values = N_OF(accel_acc), .description = "accumulator for int32 outputs, KiB"},
    {.name = "banks", .type = PLUGIN_PARAM_ORDINAL, .values = accel_banks,
     .n_values = N_OF(accel_banks), .description = "banks per SRAM (16-byte port each)"},
    {.name = "dma_bytes", .type = PLUGIN_PARAM_ORDINAL, .values = accel_dma,
     .n_values = N_OF(accel_dma), .description = "DMA bus width, bytes per cycle"},
    {.name = "clock_mhz", .type = PLUGIN_PARAM_INT, .low = 200, .high = 1600,
     .description = "clock, MHz (voltage follows frequency)"},
};

static const plugin_value accel_defaults[] = {
    {.name = "rows", .number = 16},
    {.name = "cols", .number = 16},
    {.name = "dataflow", .choice = "ws"},
    {.name = "spad_kb", .number = 256},
    {.name = "acc_kb", .number = 64},
    {.name = "banks", .number = 4},
    {.name = "dma_bytes", .number = 16},
    {.name = "clock_mhz", .number = 1000},
};

static const plugin_constraint accel_constraints[] = {
    {.metric = "area_mm2", .op = "<=", .value = ACCEL_AREA_BUDGET_MM2},
};

static const plugin_edge accel_edges[] = {
    {"rows", "compute_cycles"},
    {"cols", "compute_cycles"},
    {"dataflow", "compute_cycles"},
    {"spad_kb", "dram_bytes"},
    {"acc_kb", "dram_bytes"},
    {"banks", "stall_cycles"},
    {"dma_bytes", "stall_cycles"},
    {"compute_cycles", "cycles"},
    {"stall_cycles", "cycles"},
    {"rows", "area_mm2"},
    {"cols", "area_mm2"},
    {"spad_kb", "area_mm2"},
    {"acc_kb", "area_mm2"},
};

/* What the model rules out, stated so the learner cannot invent it. */
static const plugin_edge accel_forbidden[] = {
    {"clock_mhz", "dram_bytes"},
    {"clock_mhz", "spad_bytes"},
    {"clock_mhz", "compute_cycles"},
    {"dma_bytes", "dram_bytes"},
    {"banks", "dram_bytes"},
    {"clock_mhz", "area_mm2"},
};

static const plugin_model accel_models[] = {
    {"delay_ms", "cycles / (clock_mhz * 1000)"},
    {"e_dram_mj", "dram_bytes * 1.625e-7"},
    {"energy_mj", "e_mac_mj + e_reg_mj + e_array_mj + e_spad_mj + e_acc_mj + e_dram_mj + e_leak_mj"},
    {"edp", "energy_mj * delay_ms"},
};

static const char *const accel_metric_names[] = {
    "edp", "energy_mj", "delay_ms", "cycles", "compute_cycles", "stall_cycles",
    "utilization", "macs", "spad_bytes", "acc_bytes", "dram_bytes", "e_mac_mj",
    "e_reg_mj", "e_array_mj", "e_spad_mj", "e_acc_mj", "e_dram_mj", "e_leak_mj",
    "area_mm2", "power_w", "voltage",
};

static const plugin_option_doc accel_options[] = {
    {"workload", "resnet50+bert128",
     "GEMMs to run, '+'-joined: resnet50, bert128, bert512"},
    {"objectives", NULL,
     "energy,delay: a study of two objectives, energy_mj and delay_ms, both minimised, "
     "instead of their product edp (any 2-4 metrics, ','-joined; a name may leave out "
     "its unit)"},
};

/* Reads the design from a checked configuration. */
static int accel_read_design(const plugin_config *cfg, accel_design *d, char *err, size_t err_len)
{
    const plugin_value *v;
    memset(d, 0, sizeof *d);
#define ACCEL_NUM(field, key)                              \
    if (!(v = plugin_config_find(cfg, key)) || v->choice) {  \
        snprintf(err, err_len, "parameter '%s' missing", key); \
        return -1;                                         \
    }                                                      \
    d->field = v->number;
    ACCEL_NUM(rows, "rows")
    ACCEL_NUM(cols, "cols")
    ACCEL_NUM(spad_kb, "spad_kb")
    ACCEL_NUM(acc_kb, "acc_kb")
    ACCEL_NUM(banks, "banks")
    ACCEL_NUM(dma_bytes, "dma_bytes")
    ACCEL_NUM(clock_mhz, "clock_mhz")
#undef ACCEL_NUM
    v = plugin_config_find(cfg, "dataflow");
    if (!v || !v->choice || accel_dataflow_parse(v->choice, &d->dataflow) != 0) {
        snprintf(err, err_len, "dataflow must be os, ws or is");
        return -1;
    }
    return 0;
}

/* Fills gemms from a '+'-joined list of workload names. */
static size_t accel_read_workload(const char *spec, accel_gemm *gemms, size_t cap, char *err,
                                  size_t err_len)
{
    size_t n = 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, '+');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[32];
        if (len == 0 || len >= sizeof name) {
            snprintf(err, err_len, "workload '%s': empty or over-long name", spec);
            return 0;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        size_t need = accel_workload(name, NULL, 0);
        if (need == 0) {
            snprintf(err, err_len, "workload '%s': unknown name '%s' (known: resnet50, "
                     "bert128, bert512)", spec, name);
            return 0;
        }
        if (n + need > cap) {
            snprintf(err, err_len, "workload '%s': too many GEMMs", spec);
            return 0;
        }
        n += accel_workload(name, gemms + n, cap - n);
        if (!end)
            break;
        p = end + 1;
    }
    if (n == 0)
        snprintf(err, err_len, "empty workload");
    return n;
}

static int accel_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
                     plugin_result *res)
{
    (void)p;
    accel_design d;
    char why[PLUGIN_REASON_MAX];
    if (accel_read_design(cfg, &d, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    const char *wl = plugin_option_get(opts, "workload");
    accel_gemm gemms[ACCEL_MAX_GEMMS];
    size_t n = accel_read_workload(wl ? wl : "resnet50+bert128", gemms, ACCEL_MAX_GEMMS, why,
                                   sizeof why);
    if (n == 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    accel_tech t;
    accel_tech_default(&t);
    res->set_metric(res, "area_mm2", accel_area_mm2(&d, &t));
    if (accel_design_check(&d, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_INFEASIBLE, "%s", why);
        return 0;
    }
    accel_metrics m;
    if (accel_eval(&d, &t, gemms, n, &m, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return 0;
    }
    const struct {
        const char *name;
        double v;
    } out[] = {
        {"edp", m.edp}, {"energy_mj", m.energy_mj}, {"delay_ms", m.delay_ms},
        {"cycles", m.cycles}, {"compute_cycles", m.compute_cycles},
        {"stall_cycles", m.stall_cycles}, {"utilization", m.utilization}, {"macs", m.macs},
        {"spad_bytes", m.spad_bytes}, {"acc_bytes", m.acc_bytes}, {"dram_bytes", m.dram_bytes},
        {"e_mac_mj", m.e_mac_mj}, {"e_reg_mj", m.e_reg_mj}, {"e_array_mj", m.e_array_mj},
        {"e_spad_mj", m.e_spad_mj}, {"e_acc_mj", m.e_acc_mj}, {"e_dram_mj", m.e_dram_mj},
        {"e_leak_mj", m.e_leak_mj}, {"area_mm2", m.area_mm2}, {"power_w", m.power_w},
        {"voltage", m.voltage},
    };
    for (size_t i = 0; i < N_OF(out); i++) {
        if (res->set_metric(res, out[i].name, out[i].v) != 0) {
            plugin_result_set(res, PLUGIN_FAILED, "metric %s: not a finite number or out of memory",
                              out[i].name);
            return 0;
        }
    }
    /* A key=value log, so the trial's raw log shows the figures too. */
    char line[128];
    for (size_t i = 0; i < N_OF(out); i++) {
        int len = snprintf(line, sizeof line, "%s=%.17g\n", out[i].name, out[i].v);
        res->append_log(res, line, (size_t)len);
    }
    res->objective = m.edp;
    res->has_objective = 1;
    res->state = PLUGIN_OK;
    return 0;
}

const plugin plugin_accelerator = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "accelerator",
    .description = "Gemmini-style systolic-array accelerator (array shape, dataflow, "
                   "scratchpad, accumulator, banks, DMA width, clock) on ResNet-50 and "
                   "BERT-base GEMMs; analytic SCALE-Sim-style model; minimise energy x delay "
                   "under an area budget",
    .flags = PLUGIN_FLAG_DETERMINISTIC,
    .params = accel_params,
    .n_params = N_OF(accel_params),
    .defaults = accel_defaults,
    .n_defaults = N_OF(accel_defaults),
    .objective = "edp",
    .goal = PLUGIN_MINIMIZE,
    .constraints = accel_constraints,
    .n_constraints = N_OF(accel_constraints),
    .edges = accel_edges,
    .n_edges = N_OF(accel_edges),
    .forbidden = accel_forbidden,
    .n_forbidden = N_OF(accel_forbidden),
    .models = accel_models,
    .n_models = N_OF(accel_models),
    .metric_names = accel_metric_names,
    .n_metric_names = N_OF(accel_metric_names),
    .log_format = "keyvalue",
    .option_docs = accel_options,
    .n_option_docs = N_OF(accel_options),
    .default_timeout_seconds = 10,
    .max_parallel = 0,
    .run = accel_run,
};
