/*
 * partition.h - the analytic model behind the "partition" plugin: one
 * training step of a GPT-style transformer on N accelerators split into
 * data (dp) x tensor (tp) x pipeline (pp) parallel groups, with
 * micro-batching (1F1B pipeline schedule), ZeRO stages 0-3, sequence
 * parallelism and activation recomputation.
 *
 * Pure computation, deterministic, no global state. Formulas and sources are
 * in partition_model.c and docs/plugins.md.
 */
#ifndef BOGRAPH_PLUGINS_PARTITION_H
#define BOGRAPH_PLUGINS_PARTITION_H

#include <stddef.h>

typedef struct {
    double layers, hidden, heads, seq, vocab;
    double global_batch;         /* sequences per step */
} partition_model_spec;

typedef struct {
    double alpha_s;              /* per-message latency, seconds */
    double bw_bytes_s;           /* per-direction bandwidth, bytes/s (beta = 1/bw) */
} partition_link;

typedef struct {
    double n_devices;
    double peak_flops;           /* per device, FLOP/s (16-bit matmuls) */
    double matmul_efficiency;    /* achievable fraction of peak in large GEMMs */
    double hbm_bytes;            /* per device */
    double hbm_bw;               /* bytes/s */
    double node_size;            /* devices per node (inner mesh axis) */
    partition_link intra;        /* inside a node (e.g. NVLink) */
    partition_link inter;        /* between nodes (e.g. InfiniBand) */
    double reserved_bytes;       /* runtime, workspace, fragmentation */
} partition_cluster;

typedef enum { PARTITION_RC_NONE, PARTITION_RC_SELECTIVE, PARTITION_RC_FULL } partition_recompute;

typedef struct {
    double tp, pp, micro_batches;
    double virtual_stages;       /* interleaved 1F1B: model chunks per device (pp > 1); 0 or 1: plain 1F1B */
    int zero;                    /* 0..3 */
    int sp;                      /* sequence parallelism on */
    partition_recompute recompute;
} partition_plan;

typedef struct {
    int feasible;                /* 0: see reason */
    char reason[256];
    double dp, micro_batch_size;
    double params_total;         /* model parameters */
    /* Time, seconds per step. */
    double step_time_s;
    double compute_s;            /* m x the compute part of a stage's micro-batch */
    double tp_comm_s;            /* m x the TP/SP collectives of a stage */
    double pp_comm_s;            /* m x the stage-to-stage sends */
    double bubble_s;             /* (pp - 1) x a micro-batch's stage time */
    double dp_comm_s;            /* gradient/parameter collectives (DP and ZeRO) */
    double optimizer_s;          /* the Adam update */
    double stage_time_s;         /* one micro-batch through the slowest stage */
    /* Memory, bytes on the fullest device. */
    double weights_bytes, grads_bytes, optimizer_bytes, activations_bytes;
    double peak_memory_bytes;
    double mfu;                  /* model FLOPs / (N * peak * step time) */
} partition_result;

void partition_model_default(partition_model_spec *m);   /* GPT-3 6.7B */
void partition_cluster_default(partition_cluster *c);   /* 64 x A100-80GB-class */

/* Ring collectives on g ranks, n bytes being the full buffer (all-reduce:
 * the buffer on each rank; all-gather: the gathered result; reduce-scatter:
 * the input on each rank). 0 for g <= 1. */
double partition_allreduce_s(double n, double g, partition_link l);
double partition_allgather_s(double n, double g, partition_link l);
double partition_reducescatter_s(double n, double g, partition_link l);
double partition_p2p_s(double n, partition_link l);

/* Parameters of the whole model: L (12 h^2 + 13 h) + (V + s) h. */
double partition_param_count(const partition_model_spec *m);
/* Activation bytes one layer keeps for one micro-batch of b sequences
 * (Korthikanti et al. 2022, Table 2). */
double partition_activation_bytes(const partition_model_spec *m, double b, double tp, int sp,
                                  partition_recompute rc);
/* The link a group uses: size g, its ranks stride apart (tp is innermost,
 * then dp, then pp). */
partition_link partition_group_link(const partition_cluster *c, double g, double stride);

/* Evaluates a plan. Returns 0 with out filled (out->feasible says whether
 * the plan can run); -1 for nonsense input (non-positive sizes), with a
 * message. */
int partition_eval(const partition_model_spec *m, const partition_cluster *c,
                   const partition_plan *p, partition_result *out, char *err, size_t err_len);

const char *partition_recompute_name(partition_recompute rc);
int partition_recompute_parse(const char *s, partition_recompute *out);

#endif
