/*
 * partition_plugin.c - the "partition" plugin: how to split a GPT training
 * step over N accelerators (tensor, pipeline and data parallel degrees,
 * micro-batches, ZeRO stage, sequence parallelism, recomputation), evaluated
 * by partition_model.c. Objective: step time in seconds, minimised; a plan
 * that does not fit in HBM (or cannot be laid out) is infeasible.
 *
 * The space keeps tp and pp as powers of two and derives dp = N / (tp pp);
 * a plan whose degrees or batch do not divide evenly is infeasible with the
 * reason, so the optimiser learns the region instead of hitting errors.
 *
 * The default is a common Megatron-LM starting point for GPT-3 6.7B on 8
 * nodes of 8: tp = 8 inside a node, no pipeline, dp = 8, micro-batches of
 * one sequence (128 accumulation steps), ZeRO-1, no sequence parallelism,
 * full recomputation.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/host.h"
#include "plugins/partition.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const double part_degrees[] = {1, 2, 4, 8, 16, 32, 64};
static const double part_micro[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
static const char *const part_onoff[] = {"off", "on"};
static const char *const part_rc[] = {"none", "selective", "full"};
static const double part_chunks[] = {1, 2, 4};
/* the interleaved schedule only exists with a pipeline */
static const double part_pipelined[] = {2, 4, 8, 16, 32, 64};
static const plugin_condition part_if_pipeline = {.parameter = "pp", .values = part_pipelined,
                                                   .n_values = N_OF(part_pipelined)};

static const plugin_param part_params[] = {
    {.name = "tp", .type = PLUGIN_PARAM_ORDINAL, .values = part_degrees,
     .n_values = N_OF(part_degrees), .description = "tensor-parallel degree"},
    {.name = "pp", .type = PLUGIN_PARAM_ORDINAL, .values = part_degrees,
     .n_values = N_OF(part_degrees), .description = "pipeline-parallel degree (dp = N / (tp pp))"},
    {.name = "micro_batches", .type = PLUGIN_PARAM_ORDINAL, .values = part_micro,
     .n_values = N_OF(part_micro), .description = "micro-batches per step per pipeline"},
    {.name = "zero", .type = PLUGIN_PARAM_INT, .low = 0, .high = 3,
     .description = "ZeRO stage (0: plain data parallelism)"},
    {.name = "sp", .type = PLUGIN_PARAM_CATEGORICAL, .choices = part_onoff,
     .n_choices = N_OF(part_onoff), .description = "sequence parallelism"},
    {.name = "recompute", .type = PLUGIN_PARAM_CATEGORICAL, .choices = part_rc,
     .n_choices = N_OF(part_rc), .description = "activation recomputation"},
    {.name = "virtual_stages", .type = PLUGIN_PARAM_ORDINAL, .values = part_chunks,
     .n_values = N_OF(part_chunks),
     .description = "model chunks per device, interleaved 1F1B (1: plain 1F1B); only with pp > 1",
     .condition = &part_if_pipeline},
};

static const plugin_value part_defaults[] = {
    {.name = "tp", .number = 8},
    {.name = "pp", .number = 1},
    {.name = "micro_batches", .number = 128},
    {.name = "zero", .number = 1},
    {.name = "sp", .choice = "off"},
    {.name = "recompute", .choice = "full"},
};

static const plugin_constraint part_constraints[] = {
    {.metric = "peak_memory_gb", .op = "<=", .value = 80},
};

/* The layout rules of partition_model.c's part_layout that an inequality
 * can say, with the model's sizes as run options (${devices}, ...). "b
 * divides a" is written abs(a / b - rint(a / b)) <= 0: the degrees are
 * powers of two, so the quotients are exact. What is left to the run is the
 * memory limit, which needs the model. */
static const char *const part_param_constraints[] = {
    "tp * pp <= ${devices}",
    "abs(${devices} / (tp * pp) - rint(${devices} / (tp * pp))) <= 0",
    "abs(${heads} / tp - rint(${heads} / tp)) <= 0",
    "abs(${hidden} / tp - rint(${hidden} / tp)) <= 0",
    "abs(${layers} / pp - rint(${layers} / pp)) <= 0",
    "${devices} / (tp * pp) * micro_batches <= ${global_batch}",
    /* one literal: clang's -Wstring-concatenation takes two for a missing comma */
    "abs(${global_batch} / (${devices} / (tp * pp) * micro_batches) - rint(${global_batch} / (${devices} / (tp * pp) * micro_batches))) <= 0",
    "(zero - 1) * (pp - 1) <= 0",
};

static const plugin_edge part_edges[] = {
    {"tp", "tp_comm_s"},
    {"tp", "compute_s"},
    {"recompute", "compute_s"},
    {"sp", "compute_s"},
    {"pp", "bubble_s"},
    {"micro_batches", "bubble_s"},
    {"pp", "pp_comm_s"},
    {"virtual_stages", "bubble_s"},
    {"virtual_stages", "pp_comm_s"},
    {"zero", "dp_comm_s"},
    {"zero", "peak_memory_gb"},
    {"recompute", "peak_memory_gb"},
    {"sp", "peak_memory_gb"},
};

static const plugin_edge part_forbidden[] = {
    {"sp", "dp_comm_s"},
    {"recompute", "dp_comm_s"},
    {"recompute", "pp_comm_s"},
    {"zero", "tp_comm_s"},
    {"zero", "pp_comm_s"},
    {"zero", "compute_s"},
};

static const plugin_model part_models[] = {
    {"step_time_s", "compute_s + tp_comm_s + pp_comm_s + bubble_s + dp_comm_s + optimizer_s"},
};

static const char *const part_metric_names[] = {
    "step_time_s", "compute_s", "tp_comm_s", "pp_comm_s", "bubble_s", "dp_comm_s",
    "optimizer_s", "stage_time_s", "peak_memory_gb", "weights_gb", "grads_gb",
    "optimizer_gb", "activations_gb", "mfu", "dp", "micro_batch_size",
};

static const plugin_option_doc part_options[] = {
    {"layers", "32", "transformer layers"},
    {"hidden", "4096", "hidden size"},
    {"heads", "32", "attention heads"},
    {"seq", "2048", "sequence length"},
    {"vocab", "51200", "vocabulary size"},
    {"global_batch", "1024", "sequences per step"},
    {"devices", "64", "accelerators N"},
    {"peak_tflops", "312", "peak 16-bit TFLOP/s per device"},
    {"matmul_efficiency", "0.7", "achievable fraction of peak in large GEMMs"},
    {"hbm_gb", "80", "HBM per device, GB"},
    {"hbm_gbps", "2000", "HBM bandwidth, GB/s"},
    {"node_size", "8", "devices per node (inner mesh axis)"},
    {"intra_alpha_us", "5", "latency inside a node, microseconds"},
    {"intra_gbps", "200", "bandwidth inside a node, GB/s per direction"},
    {"inter_alpha_us", "10", "latency between nodes, microseconds"},
    {"inter_gbps", "25", "bandwidth between nodes, GB/s per direction per device"},
};

/* Reads option key as a positive number into *out (unchanged when absent). */
static int part_opt(const plugin_run_options *opts, const char *key, double scale, double *out,
                    char *err, size_t err_len)
{
    const char *v = plugin_option_get(opts, key);
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end != '\0' || !isfinite(x) || x <= 0) {
        snprintf(err, err_len, "option %s = '%s': needs a positive number", key, v);
        return -1;
    }
    *out = x * scale;
    return 0;
}

static int part_read(const plugin_config *cfg, const plugin_run_options *opts,
                     partition_model_spec *m, partition_cluster *c, partition_plan *p, char *err,
                     size_t err_len)
{
    partition_model_default(m);
    partition_cluster_default(c);
    const struct {
        const char *key;
        double scale;
        double *dst;
    } map[] = {
        {"layers", 1, &m->layers}, {"hidden", 1, &m->hidden}, {"heads", 1, &m->heads},
        {"seq", 1, &m->seq}, {"vocab", 1, &m->vocab}, {"global_batch", 1, &m->global_batch},
        {"devices", 1, &c->n_devices}, {"peak_tflops", 1e12, &c->peak_flops},
        {"matmul_efficiency", 1, &c->matmul_efficiency}, {"hbm_gb", 1e9, &c->hbm_bytes},
        {"hbm_gbps", 1e9, &c->hbm_bw}, {"node_size", 1, &c->node_size},
        {"intra_alpha_us", 1e-6, &c->intra.alpha_s}, {"intra_gbps", 1e9, &c->intra.bw_bytes_s},
        {"inter_alpha_us", 1e-6, &c->inter.alpha_s}, {"inter_gbps", 1e9, &c->inter.bw_bytes_s},
    };
    for (size_t i = 0; i < N_OF(map); i++)
        if (part_opt(opts, map[i].key, map[i].scale, map[i].dst, err, err_len) != 0)
            return -1;

    const plugin_value *v;
    memset(p, 0, sizeof *p);
    if (!(v = plugin_config_find(cfg, "tp")) || v->choice)
        goto missing;
    p->tp = v->number;
    if (!(v = plugin_config_find(cfg, "pp")) || v->choice)
        goto missing;
    p->pp = v->number;
    if (!(v = plugin_config_find(cfg, "micro_batches")) || v->choice)
        goto missing;
    p->micro_batches = v->number;
    v = plugin_config_find(cfg, "virtual_stages"); /* active only with pp > 1 */
    p->virtual_stages = v && !v->choice ? v->number : 1;
    if (!(v = plugin_config_find(cfg, "zero")) || v->choice)
        goto missing;
    if (!(v->number >= 0 && v->number <= 3 && v->number == floor(v->number))) {
        snprintf(err, err_len, "zero = %g: must be 0, 1, 2 or 3", v->number);
        return -1;
    }
    p->zero = (int)v->number;
    if (!(v = plugin_config_find(cfg, "sp")) || !v->choice)
        goto missing;
    if (strcmp(v->choice, "on") != 0 && strcmp(v->choice, "off") != 0) {
        snprintf(err, err_len, "sp must be on or off");
        return -1;
    }
    p->sp = strcmp(v->choice, "on") == 0;
    if (!(v = plugin_config_find(cfg, "recompute")) || !v->choice ||
        partition_recompute_parse(v->choice, &p->recompute) != 0) {
        snprintf(err, err_len, "recompute must be none, selective or full");
        return -1;
    }
    return 0;
missing:
    snprintf(err, err_len, "tp, pp, micro_batches, zero (numbers), sp and recompute (choices) "
             "are all needed");
    return -1;
}

static int part_run(const plugin *pl, const plugin_config *cfg, const plugin_run_options *opts,
                    plugin_result *res)
{
    (void)pl;
    partition_model_spec m;
    partition_cluster c;
    partition_plan p;
    char why[PLUGIN_REASON_MAX];
    if (part_read(cfg, opts, &m, &c, &p, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    partition_result r;
    if (partition_eval(&m, &c, &p, &r, why, sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return 0;
    }
    if (r.dp > 0)
        res->set_metric(res, "dp", r.dp);
    if (r.micro_batch_size > 0)
        res->set_metric(res, "micro_batch_size", r.micro_batch_size);
    if (r.peak_memory_bytes > 0) {
        const struct {
            const char *name;
            double v;
        } out[] = {
            {"step_time_s", r.step_time_s}, {"compute_s", r.compute_s},
            {"tp_comm_s", r.tp_comm_s}, {"pp_comm_s", r.pp_comm_s}, {"bubble_s", r.bubble_s},
            {"dp_comm_s", r.dp_comm_s}, {"optimizer_s", r.optimizer_s},
            {"stage_time_s", r.stage_time_s}, {"peak_memory_gb", r.peak_memory_bytes / 1e9},
            {"weights_gb", r.weights_bytes / 1e9}, {"grads_gb", r.grads_bytes / 1e9},
            {"optimizer_gb", r.optimizer_bytes / 1e9},
            {"activations_gb", r.activations_bytes / 1e9}, {"mfu", r.mfu},
        };
        char line[128];
        for (size_t i = 0; i < N_OF(out); i++) {
            if (res->set_metric(res, out[i].name, out[i].v) != 0) {
                plugin_result_set(res, PLUGIN_FAILED, "metric %s: not a finite number",
                                  out[i].name);
                return 0;
            }
            int len = snprintf(line, sizeof line, "%s=%.17g\n", out[i].name, out[i].v);
            res->append_log(res, line, (size_t)len);
        }
    }
    if (!r.feasible) {
        plugin_result_set(res, PLUGIN_INFEASIBLE, "%s", r.reason);
        return 0;
    }
    res->objective = r.step_time_s;
    res->has_objective = 1;
    res->state = PLUGIN_OK;
    return 0;
}

const plugin plugin_partition = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "partition",
    .description = "GPT training step on N accelerators: tensor/pipeline/data parallel "
                   "degrees, micro-batches, ZeRO stage, sequence parallelism, recomputation; "
                   "analytic roofline + alpha-beta collectives + 1F1B bubble + memory model; "
                   "minimise step time, infeasible when it does not fit in HBM",
    .flags = PLUGIN_FLAG_DETERMINISTIC,
    .params = part_params,
    .n_params = N_OF(part_params),
    .defaults = part_defaults,
    .n_defaults = N_OF(part_defaults),
    .objective = "step_time_s",
    .goal = PLUGIN_MINIMIZE,
    .constraints = part_constraints,
    .n_constraints = N_OF(part_constraints),
    .parameter_constraints = part_param_constraints,
    .n_parameter_constraints = N_OF(part_param_constraints),
    .edges = part_edges,
    .n_edges = N_OF(part_edges),
    .forbidden = part_forbidden,
    .n_forbidden = N_OF(part_forbidden),
    .models = part_models,
    .n_models = N_OF(part_models),
    .metric_names = part_metric_names,
    .n_metric_names = N_OF(part_metric_names),
    .log_format = "keyvalue",
    .option_docs = part_options,
    .n_option_docs = N_OF(part_options),
    .default_timeout_seconds = 10,
    .max_parallel = 0,
    .run = part_run,
};
