/*
 * test_partition.c - tests plugins/partition_model.c and partition_plugin.c
 * against hand-computed communication volumes (Megatron tensor parallelism,
 * data-parallel gradient all-reduce), memory per ZeRO stage, activation
 * memory (Korthikanti et al.), the pipeline bubble, the interleaved schedule
 * and its knob declared as active only with a pipeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/host.h"
#include "plugins/partition.h"

/* a equals b to 1e-9 relative. */
static void near_at(double a, double b, int line)
{
    if (!(fabs(a - b) <= 1e-9 * fmax(1e-12, fabs(b))))
        fail_msg("line %d: %.17g != %.17g", line, a, b);
}
#define NEAR(a, b) near_at((a), (b), __LINE__)

/* A tiny model: 2 layers, h = 64, 4 heads, s = 16, V = 128. */
static partition_model_spec tiny_model(double batch)
{
    partition_model_spec m = {.layers = 2, .hidden = 64, .heads = 4, .seq = 16, .vocab = 128,
                              .global_batch = batch};
    return m;
}

/* N devices in one node, 1 us / 1 GB/s links everywhere (inter slower). */
static partition_cluster tiny_cluster(double n)
{
    partition_cluster c;
    partition_cluster_default(&c);
    c.n_devices = n;
    c.node_size = 8;
    c.intra.alpha_s = 1e-6;
    c.intra.bw_bytes_s = 1e9;
    c.inter.alpha_s = 1e-5;
    c.inter.bw_bytes_s = 1e8;
    return c;
}

static void test_collectives(void **state)
{
    (void)state;
    partition_link l = {1e-5, 1e11};
    /* Ring all-reduce of 1 GB on 8 ranks: 2*7*10us + 2*7/8 * 1e9/1e11 s. */
    NEAR(partition_allreduce_s(1e9, 8, l), 1.4e-4 + 0.0175);
    NEAR(partition_allgather_s(1e9, 8, l), 7e-5 + 0.00875);
    NEAR(partition_reducescatter_s(1e9, 8, l), 7e-5 + 0.00875);
    NEAR(partition_p2p_s(1e6, l), 1e-5 + 1e-5);
    assert_true(partition_allreduce_s(1e9, 1, l) == 0.0);
}

static void test_param_count(void **state)
{
    (void)state;
    partition_model_spec m;
    partition_model_default(&m);
    /* GPT-3 6.7B: 32 (12 * 4096^2 + 13 * 4096) + (51200 + 2048) * 4096. */
    NEAR(partition_param_count(&m), 6662258688.0);
    partition_model_spec t = tiny_model(1);
    /* 2 (12 * 4096 + 13 * 64) + (128 + 16) * 64 = 99968 + 9216. */
    NEAR(partition_param_count(&t), 109184.0);
}

/* Korthikanti et al. Table 2 with s = 16, b = 1, h = 64, a = 4, t = 2:
 * sbh = 1024, 5as/h = 5. */
static void test_activation_memory(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(1);
    NEAR(partition_activation_bytes(&m, 1, 2, 0, PARTITION_RC_NONE), 1024 * (10 + 12 + 2.5));
    NEAR(partition_activation_bytes(&m, 1, 2, 1, PARTITION_RC_NONE), 1024 * (34 + 5) / 2.0);
    NEAR(partition_activation_bytes(&m, 1, 2, 0, PARTITION_RC_SELECTIVE), 1024 * 22.0);
    NEAR(partition_activation_bytes(&m, 1, 2, 1, PARTITION_RC_SELECTIVE), 1024 * 34 / 2.0);
    NEAR(partition_activation_bytes(&m, 1, 2, 0, PARTITION_RC_FULL), 2048.0);
    NEAR(partition_activation_bytes(&m, 1, 2, 1, PARTITION_RC_FULL), 1024.0);
    /* Linear in the micro-batch size. */
    NEAR(partition_activation_bytes(&m, 4, 2, 0, PARTITION_RC_NONE), 4 * 1024 * 24.5);
}

/* Megatron TP on 2 devices (tp = 2, dp = pp = 1), one micro-batch of one
 * sequence: per layer 2 all-reduces forward + 2 backward of b s h = 1024
 * values = 2048 bytes: 2 * 1 us + 2 * 1/2 * 2048 B / 1 GB/s = 4.048 us each.
 * 2 layers x 4 = 32.384 us; with full recomputation 2 more per layer. */
static void test_tensor_parallel_volume(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(1);
    partition_cluster c = tiny_cluster(2);
    partition_plan p = {.tp = 2, .pp = 1, .micro_batches = 1, .zero = 0, .sp = 0,
                        .recompute = PARTITION_RC_NONE};
    partition_result r;
    char err[256];
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    assert_true(r.feasible);
    NEAR(r.dp, 1);
    NEAR(r.tp_comm_s, 2 * 4 * 4.048e-6);
    NEAR(r.dp_comm_s, 0);
    NEAR(r.pp_comm_s, 0);
    NEAR(r.bubble_s, 0);
    /* SP swaps each all-reduce for an all-gather + reduce-scatter: same time. */
    p.sp = 1;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.tp_comm_s, 2 * 4 * 4.048e-6);
    p.sp = 0;
    p.recompute = PARTITION_RC_FULL;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.tp_comm_s, 2 * 6 * 4.048e-6);
    /* Two micro-batches: twice the TP traffic. */
    m.global_batch = 2;
    p.micro_batches = 2;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.micro_batch_size, 1);
    NEAR(r.tp_comm_s, 2 * 2 * 6 * 4.048e-6);
}

/* DP on 4 devices: the fp16 gradients (2 x 109184 bytes) all-reduced once:
 * 2 * 3 * 1 us + 2 * 3/4 * 218368 B / 1 GB/s. ZeRO-1: same. ZeRO-2 with m
 * micro-batches: m reduce-scatters + 1 all-gather. ZeRO-3: m x (RS + 2 AG). */
static void test_data_parallel_volume(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(8);
    partition_cluster c = tiny_cluster(4);
    partition_plan p = {.tp = 1, .pp = 1, .micro_batches = 2, .zero = 0, .sp = 0,
                        .recompute = PARTITION_RC_NONE};
    partition_result r;
    char err[256];
    const double bytes = 2.0 * 109184.0;
    const double ar = 6e-6 + 1.5 * bytes / 1e9, half = 3e-6 + 0.75 * bytes / 1e9;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.dp, 4);
    NEAR(r.micro_batch_size, 1);
    NEAR(r.dp_comm_s, ar);
    p.zero = 1;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.dp_comm_s, ar);
    p.zero = 2;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.dp_comm_s, 2 * half + half);
    p.zero = 3;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.dp_comm_s, 2 * (half + 2 * half));
    /* A DP group spanning nodes runs at the inter-node link. */
    c = tiny_cluster(4);
    c.node_size = 2;
    p.zero = 0;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.dp_comm_s, 6e-5 + 1.5 * bytes / 1e8);
}

/* Memory per ZeRO stage (Rajbhandari et al.): 2 + 2 + 12 bytes per
 * parameter, dividing by dp the optimizer state (stage 1), the gradients
 * too (stage 2) and the weights too (stage 3). */
static void test_zero_memory(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(8);
    partition_cluster c = tiny_cluster(4);
    partition_plan p = {.tp = 1, .pp = 1, .micro_batches = 1, .zero = 0, .sp = 0,
                        .recompute = PARTITION_RC_NONE};
    partition_result r;
    char err[256];
    const double psi = 109184.0, layer = 12.0 * 64 * 64 + 13 * 64;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.weights_bytes, 2 * psi);
    NEAR(r.grads_bytes, 2 * psi);
    NEAR(r.optimizer_bytes, 12 * psi);
    /* Activations: b = 2 sequences, 2 layers, no TP: 2 x sbh(34 + 5as/h)
     * + fp16 logits and fp32 softmax 6 b s V. */
    const double act = 2 * (16.0 * 2 * 64 * (34 + 5)) + 6.0 * 2 * 16 * 128;
    NEAR(r.activations_bytes, act);
    NEAR(r.peak_memory_bytes, 16 * psi + act + c.reserved_bytes);
    p.zero = 1;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.optimizer_bytes, 12 * psi / 4);
    NEAR(r.grads_bytes, 2 * psi);
    p.zero = 2;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    NEAR(r.grads_bytes, 2 * psi / 4);
    NEAR(r.weights_bytes, 2 * psi);
    p.zero = 3;
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    /* Sharded weights plus two gathered layers in flight. */
    NEAR(r.weights_bytes, 2 * psi / 4 + 4 * layer);
    NEAR(r.peak_memory_bytes - c.reserved_bytes - r.activations_bytes,
         2 * psi / 4 + 4 * layer + 2 * psi / 4 + 12 * psi / 4);
}

/* 1F1B: step = (m + p - 1) x stage + DP + optimizer; bubble / (m x stage)
 * = (p - 1) / m. */
static void test_pipeline_bubble(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(4);
    partition_cluster c = tiny_cluster(2);
    partition_plan p = {.tp = 1, .pp = 2, .micro_batches = 4, .zero = 1, .sp = 0,
                        .recompute = PARTITION_RC_NONE};
    partition_result r;
    char err[256];
    assert_int_equal(partition_eval(&m, &c, &p, &r, err, sizeof err), 0);
    assert_true(r.feasible);
    NEAR(r.bubble_s, r.stage_time_s);
    NEAR(r.bubble_s / (4 * r.stage_time_s), 1.0 / 4.0);
    NEAR(r.step_time_s, 5 * r.stage_time_s + r.dp_comm_s + r.optimizer_s);
    /* Per micro-batch, one send forward and one back of b s h fp16 values. */
    NEAR(r.pp_comm_s, 4 * 2 * (1e-6 + 2.0 * 16 * 64 / 1e9));
    NEAR(r.step_time_s,
         r.compute_s + r.tp_comm_s + r.pp_comm_s + r.bubble_s + r.dp_comm_s + r.optimizer_s);
}

/* Interleaved 1F1B: v chunks per device divide the bubble by v, multiply
 * the stage-boundary sends by v, keep more activations in flight, and need
 * m a multiple of pp and the layers of a stage a multiple of v. */
static void test_interleaved_schedule(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(4);
    m.layers = 4;
    partition_cluster c = tiny_cluster(2);
    partition_plan p = {.tp = 1, .pp = 2, .micro_batches = 4, .zero = 1, .sp = 0,
                        .recompute = PARTITION_RC_NONE, .virtual_stages = 1};
    partition_result r1, r2;
    char err[256];
    assert_int_equal(partition_eval(&m, &c, &p, &r1, err, sizeof err), 0);
    p.virtual_stages = 2;
    assert_int_equal(partition_eval(&m, &c, &p, &r2, err, sizeof err), 0);
    assert_true(r1.feasible && r2.feasible);
    NEAR(r2.pp_comm_s, 2 * r1.pp_comm_s);
    NEAR(r2.bubble_s, r2.stage_time_s / 2);
    NEAR(r2.compute_s, r1.compute_s);
    assert_true(r2.activations_bytes >= r1.activations_bytes);
    NEAR(r2.step_time_s,
         r2.compute_s + r2.tp_comm_s + r2.pp_comm_s + r2.bubble_s + r2.dp_comm_s + r2.optimizer_s);
    /* 4 chunks do not split a stage of 2 layers; 3 micro-batches are not a multiple of pp */
    p.virtual_stages = 4;
    assert_int_equal(partition_eval(&m, &c, &p, &r2, err, sizeof err), 0);
    assert_false(r2.feasible);
    assert_non_null(strstr(r2.reason, "interleaved"));
    m.global_batch = 3;
    p.virtual_stages = 2;
    p.micro_batches = 3;
    assert_int_equal(partition_eval(&m, &c, &p, &r2, err, sizeof err), 0);
    assert_false(r2.feasible);
    p.virtual_stages = 1.5;
    assert_int_equal(partition_eval(&m, &c, &p, &r2, err, sizeof err), -1);
}

static void test_infeasible_plans(void **state)
{
    (void)state;
    partition_model_spec m = tiny_model(8);
    partition_cluster c = tiny_cluster(8);
    partition_result r;
    char err[256];
    struct {
        partition_plan p;
        const char *why;
    } cases[] = {
        {{.tp = 4, .pp = 4, .micro_batches = 1}, "exceeds"},
        {{.tp = 8, .pp = 1, .micro_batches = 1}, "heads"},
        {{.tp = 1, .pp = 8, .micro_batches = 1}, "layers"},
        {{.tp = 1, .pp = 1, .micro_batches = 4}, "global batch"},
        {{.tp = 1, .pp = 2, .micro_batches = 1, .zero = 2}, "ZeRO-2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(partition_eval(&m, &c, &cases[i].p, &r, err, sizeof err), 0);
        assert_false(r.feasible);
        if (!strstr(r.reason, cases[i].why))
            fail_msg("case %zu: reason '%s' lacks '%s'", i, r.reason, cases[i].why);
    }
    /* Out of memory. */
    c.hbm_bytes = 1e6;
    partition_plan ok = {.tp = 1, .pp = 1, .micro_batches = 1};
    assert_int_equal(partition_eval(&m, &c, &ok, &r, err, sizeof err), 0);
    assert_false(r.feasible);
    assert_non_null(strstr(r.reason, "exceeds the"));
    assert_true(r.peak_memory_bytes > 1e6);
    /* Nonsense is an error, not an infeasible plan. */
    partition_plan bad = {.tp = 0, .pp = 1, .micro_batches = 1};
    assert_int_equal(partition_eval(&m, &c, &bad, &r, err, sizeof err), -1);
    bad.tp = 1;
    bad.zero = 4;
    assert_int_equal(partition_eval(&m, &c, &bad, &r, err, sizeof err), -1);
}

static double metric(const plugin_result *r, const char *name)
{
    const double *v = plugin_result_metric(r, name);
    if (!v)
        fail_msg("metric %s missing", name);
    return *v;
}

static void test_plugin(void **state)
{
    (void)state;
    const plugin *p = &plugin_partition;
    plugin_config def = plugin_default_config(p);
    plugin_result r;
    plugin_result_init(&r);
    char err[256];
    assert_int_equal(plugin_run(p, &def, NULL, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_OK);
    NEAR(r.objective, metric(&r, "step_time_s"));
    /* The declared model of the objective holds. */
    NEAR(metric(&r, "step_time_s"),
         metric(&r, "compute_s") + metric(&r, "tp_comm_s") + metric(&r, "pp_comm_s") +
             metric(&r, "bubble_s") + metric(&r, "dp_comm_s") + metric(&r, "optimizer_s"));
    NEAR(metric(&r, "dp"), 8);
    NEAR(metric(&r, "micro_batch_size"), 1);
    assert_true(metric(&r, "peak_memory_gb") < 80);
    assert_true(metric(&r, "mfu") > 0.1 && metric(&r, "mfu") < 0.7);

    /* No sharding, no recomputation, big micro-batches: does not fit. */
    plugin_config cfg;
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    plugin_config_set(&cfg, "tp", 1, NULL);
    plugin_config_set(&cfg, "zero", 0, NULL);
    plugin_config_set(&cfg, "recompute", 0, "none");
    plugin_config_set(&cfg, "micro_batches", 1, NULL);
    assert_int_equal(plugin_run(p, &cfg, NULL, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_INFEASIBLE);
    assert_non_null(strstr(r.reason, "HBM"));
    assert_true(metric(&r, "peak_memory_gb") > 80);

    /* Options change the model: a smaller one fits. */
    plugin_option o[] = {{"layers", "4"}, {"hidden", "1024"}, {"heads", "16"}};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = o;
    opts.n_options = 3;
    assert_int_equal(plugin_run(p, &cfg, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_OK);
    o[0].value = "-4";
    assert_int_equal(plugin_run(p, &cfg, &opts, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_FAILED);
    assert_non_null(strstr(r.reason, "layers"));
    plugin_config_free(&cfg);

    /* virtual_stages is declared active only with a pipeline (pp > 1) */
    const plugin_param *vs = NULL;
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, "virtual_stages") == 0)
            vs = &p->params[i];
    assert_non_null(vs);
    assert_non_null(vs->condition);
    assert_string_equal(vs->condition->parameter, "pp");
    assert_int_equal(vs->condition->n_values, 6);
    assert_true(vs->condition->values[0] == 2 && vs->condition->values[5] == 64);
    for (size_t i = 0; i < p->n_params; i++)
        assert_true(p->params[i].condition == NULL || &p->params[i] == vs);
    assert_null(plugin_config_find(&def, "virtual_stages")); /* the default has pp 1 */
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    plugin_config_set(&cfg, "tp", 4, NULL);
    plugin_config_set(&cfg, "pp", 2, NULL);
    assert_int_equal(plugin_run(p, &cfg, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "virtual_stages"));
    plugin_config_set(&cfg, "virtual_stages", 2, NULL);
    assert_int_equal(plugin_run(p, &cfg, NULL, &r, err, sizeof err), 0);
    assert_int_equal(r.state, PLUGIN_OK);
    double bubble2 = metric(&r, "bubble_s");
    plugin_config_set(&cfg, "virtual_stages", 1, NULL);
    assert_int_equal(plugin_run(p, &cfg, NULL, &r, err, sizeof err), 0);
    assert_true(bubble2 < metric(&r, "bubble_s"));
    plugin_config_free(&cfg);
    plugin_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collectives),
        cmocka_unit_test(test_param_count),
        cmocka_unit_test(test_activation_memory),
        cmocka_unit_test(test_tensor_parallel_volume),
        cmocka_unit_test(test_data_parallel_volume),
        cmocka_unit_test(test_zero_memory),
        cmocka_unit_test(test_pipeline_bubble),
        cmocka_unit_test(test_interleaved_schedule),
        cmocka_unit_test(test_infeasible_plans),
        cmocka_unit_test(test_plugin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
