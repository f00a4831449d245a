/*
 * partition_model.c - step time and memory of a GPT training step under a
 * dp x tp x pp partitioning.
 *
 * Compute (per device, per layer, per micro-batch of b sequences): matmul
 * FLOPs 24 b s h^2 + 4 b s^2 h forward (Narayanan et al., SC 2021), split by
 * tp, on a roofline with the weights, matmul activations and attention
 * scores as memory traffic; element-wise work (layer norms, dropouts,
 * residuals: replicated across TP ranks unless sequence parallelism splits
 * it; GELU and bias: split) is memory-bound. Backward = 2 x forward; full
 * recomputation adds a forward, selective recomputation only the attention
 * core (Korthikanti et al., 2022). The last stage also runs the logits
 * layer, 2 b s h V forward.
 *
 * Communication, ring alpha-beta model (Thakur et al. 2005): all-reduce of n
 * bytes on g ranks 2(g-1) alpha + 2 (g-1)/g n beta, all-gather and
 * reduce-scatter half of that. Megatron TP: 2 all-reduces of b s h values in
 * the forward and 2 in the backward of each layer (2 more with full
 * recomputation); with SP each becomes an all-gather + reduce-scatter of the
 * same volume. PP: each micro-batch sends b s h / tp values forward and
 * back at each stage boundary (scatter-gather optimisation). DP: all-reduce
 * of the fp16 gradients once per step; ZeRO-1 the same volume (reduce-scatter
 * + all-gather); ZeRO-2 reduce-scatters every micro-batch's gradients and
 * all-gathers the parameters once; ZeRO-3 also all-gathers the parameters in
 * each forward and backward (Rajbhandari et al., SC 2020: 1.5x DP volume per
 * micro-batch). Groups are laid out tp innermost, then dp, then pp; a group
 * stays inside a node when size x stride <= node size, else it runs at the
 * inter-node link's speed.
 *
 * Schedule: 1F1B, step = (m + p - 1) x stage time + DP/ZeRO collectives +
 * optimizer (bubble fraction (p-1)/m, Narayanan et al. 2021). Interleaved
 * 1F1B with v model chunks per device (same paper, 2.2.2): the bubble is
 * (p-1)/v x stage time, every micro-batch crosses v times as many stage
 * boundaries, the first stage keeps 1 + (p-1)/(p v) times the activations
 * (Korthikanti et al. 2022, 4.2.3), and Megatron needs m a multiple of p
 * and the layers of a stage a multiple of v.
 *
 * Memory (Rajbhandari et al. 2020, mixed-precision Adam): 2 bytes of fp16
 * weights, 2 of fp16 gradients and 12 of fp32 optimizer state per parameter;
 * ZeRO-1 divides the optimizer state by dp, ZeRO-2 also the gradients,
 * ZeRO-3 also the weights. Activations per layer from Korthikanti et al.
 * Table 2; 1F1B keeps min(m, p) micro-batches in flight on the first stage.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plugins/partition.h"

static void part_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void part_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void partition_model_default(partition_model_spec *m)
{
    /* GPT-3 6.7B (Brown et al. 2020, Table 2.1): 32 layers, d_model 4096,
     * 32 heads, context 2048, batch 2M tokens = 1024 sequences; GPT-2's
     * 50257-token vocabulary padded to 51200 as Megatron does. */
    m->layers = 32;
    m->hidden = 4096;
    m->heads = 32;
    m->seq = 2048;
    m->vocab = 51200;
    m->global_batch = 1024;
}

void partition_cluster_default(partition_cluster *c)
{
    /* 8 nodes of 8 A100-80GB-class devices: 312 TFLOP/s dense bf16, 2 TB/s
     * HBM; NVLink inside a node (~200 GB/s achievable per direction for
     * rings), one 200 Gb/s InfiniBand port per device across nodes. */
    c->n_devices = 64;
    c->peak_flops = 312e12;
    c->matmul_efficiency = 0.7;
    c->hbm_bytes = 80e9;
    c->hbm_bw = 2.0e12;
    c->node_size = 8;
    c->intra.alpha_s = 5e-6;
    c->intra.bw_bytes_s = 200e9;
    c->inter.alpha_s = 10e-6;
    c->inter.bw_bytes_s = 25e9;
    c->reserved_bytes = 2e9;
}

double partition_allreduce_s(double n, double g, partition_link l)
{
    if (g <= 1)
        return 0.0;
    return 2.0 * (g - 1.0) * l.alpha_s + 2.0 * (g - 1.0) / g * n / l.bw_bytes_s;
}

double partition_allgather_s(double n, double g, partition_link l)
{
    if (g <= 1)
        return 0.0;
    return (g - 1.0) * l.alpha_s + (g - 1.0) / g * n / l.bw_bytes_s;
}

double partition_reducescatter_s(double n, double g, partition_link l)
{
    return partition_allgather_s(n, g, l);
}

double partition_p2p_s(double n, partition_link l)
{
    return l.alpha_s + n / l.bw_bytes_s;
}

double partition_param_count(const partition_model_spec *m)
{
    const double h = m->hidden;
    return m->layers * (12.0 * h * h + 13.0 * h) + (m->vocab + m->seq) * h;
}

double partition_activation_bytes(const partition_model_spec *m, double b, double tp, int sp,
                                  partition_recompute rc)
{
    const double sbh = m->seq * b * m->hidden;
    const double attn = 5.0 * m->heads * m->seq / m->hidden;
    switch (rc) {
    case PARTITION_RC_FULL:
        return sp ? 2.0 * sbh / tp : 2.0 * sbh;
    case PARTITION_RC_SELECTIVE:
        return sp ? sbh * 34.0 / tp : sbh * (10.0 + 24.0 / tp);
    default:
        return sp ? sbh * (34.0 + attn) / tp : sbh * (10.0 + 24.0 / tp + attn / tp);
    }
}

partition_link partition_group_link(const partition_cluster *c, double g, double stride)
{
    return g * stride <= c->node_size ? c->intra : c->inter;
}

const char *partition_recompute_name(partition_recompute rc)
{
    switch (rc) {
    case PARTITION_RC_NONE: return "none";
    case PARTITION_RC_SELECTIVE: return "selective";
    case PARTITION_RC_FULL: return "full";
    }
    return "?";
}

int partition_recompute_parse(const char *s, partition_recompute *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "none") == 0)
        *out = PARTITION_RC_NONE;
    else if (strcmp(s, "selective") == 0)
        *out = PARTITION_RC_SELECTIVE;
    else if (strcmp(s, "full") == 0)
        *out = PARTITION_RC_FULL;
    else
        return -1;
    return 0;
}

static int part_posint(double x)
{
    return isfinite(x) && x >= 1 && x == floor(x) && x <= 1e15;
}

/* x divides y, both positive integers. */
static int part_divides(double x, double y)
{
    return fmod(y, x) == 0.0;
}

static int part_infeasible(partition_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int part_infeasible(partition_result *out, const char *fmt, ...)
{
    out->feasible = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
    return 0;
}

/* Model chunks per device: the interleaved schedule's virtual stages (1:
 * plain 1F1B). */
static double part_chunks(const partition_plan *p)
{
    return p->virtual_stages > 1 ? p->virtual_stages : 1.0;
}

/* The sizes of a plan that its time and memory figures share. */
typedef struct {
    double N, tp, pp, mb;               /* devices, tensor/pipeline degrees, micro-batches */
    double L, h, a, s, V;               /* layers, hidden, heads, sequence, vocabulary */
    double dp, b, lps;                  /* data-parallel degree, micro-batch size, layers per stage */
    double layer_params, psi_first, psi_last;   /* parameters per layer, per first/last stage device */
} part_shape;

/* Inputs a caller got wrong (not a plan that does not fit): -1 with err. */
static int part_check(const partition_model_spec *m, const partition_cluster *c,
                      const partition_plan *p, char *err, size_t err_len)
{
    if (!part_posint(m->layers) || !part_posint(m->hidden) || !part_posint(m->heads) ||
        !part_posint(m->seq) || !part_posint(m->vocab) || !part_posint(m->global_batch)) {
        part_err(err, err_len, "model sizes must be positive integers");
        return -1;
    }
    if (!part_posint(c->n_devices) || !(c->peak_flops > 0) || !(c->hbm_bytes > 0) ||
        !(c->hbm_bw > 0) || !(c->node_size >= 1) || !(c->matmul_efficiency > 0) ||
        !(c->matmul_efficiency <= 1) || !(c->intra.bw_bytes_s > 0) ||
        !(c->inter.bw_bytes_s > 0) || !(c->intra.alpha_s >= 0) || !(c->inter.alpha_s >= 0) ||
        !(c->reserved_bytes >= 0)) {
        part_err(err, err_len, "cluster figures must be positive");
        return -1;
    }
    if (!(p->virtual_stages == 0 || part_posint(p->virtual_stages))) {
        part_err(err, err_len, "virtual_stages must be a positive integer");
        return -1;
    }
    if (!part_posint(p->tp) || !part_posint(p->pp) || !part_posint(p->micro_batches)) {
        part_err(err, err_len, "tp, pp and micro_batches must be positive integers");
        return -1;
    }
    if (p->zero < 0 || p->zero > 3) {
        part_err(err, err_len, "zero stage %d: must be 0..3", p->zero);
        return -1;
    }
    if (p->recompute != PARTITION_RC_NONE && p->recompute != PARTITION_RC_SELECTIVE &&
        p->recompute != PARTITION_RC_FULL) {
        part_err(err, err_len, "unknown recomputation");
        return -1;
    }
    return 0;
}

/* Whether the plan's degrees divide the devices, heads, layers and batch;
 * out->feasible cleared with the reason when not. Fills sh. */
static void part_layout(const partition_model_spec *m, const partition_cluster *c,
                        const partition_plan *p, partition_result *out, part_shape *sh)
{
    const double N = c->n_devices, tp = p->tp, pp = p->pp, mb = p->micro_batches;
    const double L = m->layers, h = m->hidden, a = m->heads, s = m->seq, V = m->vocab;
    *sh = (part_shape){.N = N, .tp = tp, .pp = pp, .mb = mb, .L = L, .h = h, .a = a, .s = s,
                       .V = V};
    if (tp * pp > N) {
        part_infeasible(out, "tp x pp = %g exceeds the %g devices", tp * pp, N);
        return;
    }
    if (!part_divides(tp * pp, N)) {
        part_infeasible(out, "tp x pp = %g does not divide the %g devices", tp * pp, N);
        return;
    }
    const double dp = N / (tp * pp);
    out->dp = dp;
    if (!part_divides(tp, a) || !part_divides(tp, h)) {
        part_infeasible(out, "tp = %g does not divide the %g heads and hidden size %g", tp, a, h);
        return;
    }
    if (!part_divides(pp, L)) {
        part_infeasible(out, "pp = %g does not divide the %g layers", pp, L);
        return;
    }
    if (!part_divides(dp * mb, m->global_batch)) {
        part_infeasible(out,
                        "the global batch of %g sequences does not split into dp = %g "
                        "x %g micro-batches",
                        m->global_batch, dp, mb);
        return;
    }
    const double v = part_chunks(p);
    if (v > 1 && (pp == 1 || !part_divides(pp, mb) || !part_divides(v, m->layers / pp))) {
        part_infeasible(out, "the interleaved schedule needs pp > 1, micro-batches (%g) a "
                        "multiple of pp (%g) and layers per stage (%g) a multiple of the %g "
                        "virtual stages", mb, pp, m->layers / pp, v);
        return;
    }
    if (p->zero >= 2 && pp > 1) {
        part_infeasible(out, "ZeRO-%d does not combine with pipeline parallelism "
                        "(DeepSpeed supports ZeRO-0/1 with pp > 1)", p->zero);
        return;
    }
    const double b = m->global_batch / (dp * mb);
    out->micro_batch_size = b;
    sh->dp = dp;
    sh->b = b;
    sh->lps = L / pp;
    /* Parameters on the fullest device: the first stage also holds the
     * embeddings (word + position), the last the output layer. */
    sh->layer_params = 12.0 * h * h + 13.0 * h;
    sh->psi_first = (sh->lps * sh->layer_params + (V + s) * h) / tp;
    sh->psi_last = pp > 1 ? (sh->lps * sh->layer_params + V * h) / tp : sh->psi_first;
}

/* Time of one pipeline stage for one micro-batch, and the step's compute,
 * tensor- and pipeline-parallel communication and bubble. */
static void part_stage_time(const partition_cluster *c, const partition_plan *p,
                            const part_shape *sh, partition_result *out)
{
    const double tp = sh->tp, pp = sh->pp, mb = sh->mb, h = sh->h, a = sh->a, s = sh->s;
    const double V = sh->V, dp = sh->dp, b = sh->b, lps = sh->lps;
    const double pe = c->peak_flops * c->matmul_efficiency;
    const double bw = c->hbm_bw;
    const double t_sp = p->sp ? tp : 1.0;

    /* One layer, one micro-batch, one device. */
    const double f_mm = (24.0 * b * s * h * h + 4.0 * b * s * s * h) / tp;
    const double w_bytes = 2.0 * 12.0 * h * h / tp;
    const double act_mm_bytes = 2.0 * 20.0 * b * s * h / tp;
    const double attn_bytes = 2.0 * 4.0 * a * s * s * b / tp;
    const double t_mm = fmax(f_mm / pe, (w_bytes + act_mm_bytes + attn_bytes) / bw);
    const double t_ew = 2.0 * b * s * h * (12.0 / t_sp + 8.0 / tp) / bw;
    const double t_f = t_mm + t_ew;
    const double t_b = 2.0 * t_f;
    double t_rc = 0.0;
    if (p->recompute == PARTITION_RC_FULL)
        t_rc = t_f;
    else if (p->recompute == PARTITION_RC_SELECTIVE)
        t_rc = fmax(4.0 * b * s * s * h / tp / pe, attn_bytes / bw);

    const partition_link l_tp = partition_group_link(c, tp, 1.0);
    const partition_link l_pp = partition_group_link(c, pp, tp * dp);
    const double n_tp_msgs = p->recompute == PARTITION_RC_FULL ? 6.0 : 4.0;
    const double t_tp_layer = n_tp_msgs * partition_allreduce_s(2.0 * b * s * h, tp, l_tp);

    /* The logits layer on the last stage: forward + backward. */
    const double f_logit = 2.0 * b * s * h * V / tp;
    const double logit_bytes = (2.0 * h * V + 8.0 * b * s * V) / tp;
    const double t_logit = 3.0 * fmax(f_logit / pe, logit_bytes / bw);

    const double stage_comp = lps * (t_f + t_b + t_rc) + t_logit;
    const double stage_tp = lps * t_tp_layer;
    const double v = part_chunks(p);
    const double stage_pp = pp > 1 ? 2.0 * v * partition_p2p_s(2.0 * b * s * h / tp, l_pp) : 0.0;
    const double stage = stage_comp + stage_tp + stage_pp;
    out->stage_time_s = stage;
    out->compute_s = mb * stage_comp;
    out->tp_comm_s = mb * stage_tp;
    out->pp_comm_s = mb * stage_pp;
    out->bubble_s = (pp - 1.0) * stage / v;
}

/* The step: the stages, the bubble, the data-parallel gradient exchange (by
 * ZeRO stage) and the optimizer. */
static void part_step_time(const partition_cluster *c, const partition_plan *p,
                           const part_shape *sh, partition_result *out)
{
    const double dp = sh->dp, mb = sh->mb;
    const partition_link l_dp = partition_group_link(c, dp, sh->tp);
    const double psi = fmax(sh->psi_first, sh->psi_last);
    const double grad_bytes = 2.0 * psi;
    switch (p->zero) {
    case 0:
    case 1:
        out->dp_comm_s = partition_allreduce_s(grad_bytes, dp, l_dp);
        break;
    case 2:
        out->dp_comm_s = mb * partition_reducescatter_s(grad_bytes, dp, l_dp) +
                         partition_allgather_s(grad_bytes, dp, l_dp);
        break;
    default:
        out->dp_comm_s = mb * (partition_reducescatter_s(grad_bytes, dp, l_dp) +
                               2.0 * partition_allgather_s(grad_bytes, dp, l_dp));
        break;
    }
    const double psi_opt = p->zero >= 1 ? psi / dp : psi;
    out->optimizer_s = 28.0 * psi_opt / c->hbm_bw;
    out->step_time_s = mb * out->stage_time_s + out->bubble_s + out->dp_comm_s + out->optimizer_s;
}

/* Memory of the first and the last stage given their parameter counts and
 * activations; the fuller one is the plan's peak. */
static void part_memory(const partition_model_spec *m, const partition_cluster *c,
                        const partition_plan *p, const part_shape *sh, partition_result *out)
{
    const double tp = sh->tp, pp = sh->pp, mb = sh->mb, s = sh->s, V = sh->V, dp = sh->dp;
    const double b = sh->b, lps = sh->lps;
    const double act_layer = partition_activation_bytes(m, b, tp, p->sp, p->recompute);
    const double rc_work = p->recompute == PARTITION_RC_FULL
                               ? partition_activation_bytes(m, b, tp, p->sp, PARTITION_RC_NONE)
                               : 0.0;
    const double logits_mem = 6.0 * b * s * V / tp;   /* fp16 logits + fp32 softmax */
    const double v = part_chunks(p);
    const double in_flight = fmin(mb, pp) * (v > 1 ? 1.0 + (pp - 1.0) / (pp * v) : 1.0);
    double act_first = in_flight * lps * act_layer + rc_work;
    double act_last = lps * act_layer + rc_work + logits_mem;
    if (pp == 1)
        act_first = act_last;
    double st_first[3], st_last[3];
    const double psis[2] = {sh->psi_first, sh->psi_last};
    for (int k = 0; k < 2; k++) {
        double *st = k == 0 ? st_first : st_last;
        const double q = psis[k];
        st[0] = p->zero >= 3 ? 2.0 * q / dp + 2.0 * 2.0 * sh->layer_params / tp : 2.0 * q;
        st[1] = p->zero >= 2 ? 2.0 * q / dp : 2.0 * q;
        st[2] = p->zero >= 1 ? 12.0 * q / dp : 12.0 * q;
    }
    const double mem_first = st_first[0] + st_first[1] + st_first[2] + act_first;
    const double mem_last = st_last[0] + st_last[1] + st_last[2] + act_last;
    const int first_is_peak = mem_first >= mem_last;
    const double *st = first_is_peak ? st_first : st_last;
    out->weights_bytes = st[0];
    out->grads_bytes = st[1];
    out->optimizer_bytes = st[2];
    out->activations_bytes = first_is_peak ? act_first : act_last;
    out->peak_memory_bytes = fmax(mem_first, mem_last) + c->reserved_bytes;
}

int partition_eval(const partition_model_spec *m, const partition_cluster *c,
                   const partition_plan *p, partition_result *out, char *err, size_t err_len)
{
    assert(m && c && p && out);
    memset(out, 0, sizeof *out);
    if (part_check(m, c, p, err, err_len) != 0)
        return -1;
    out->feasible = 1;
    out->params_total = partition_param_count(m);

    part_shape sh;
    part_layout(m, c, p, out, &sh);
    if (!out->feasible)
        return 0;
    part_stage_time(c, p, &sh, out);
    part_step_time(c, p, &sh, out);
    part_memory(m, c, p, &sh, out);

    const double s = sh.s, h = sh.h;
    const double model_flops =
        3.0 * m->global_batch * (sh.L * (24.0 * s * h * h + 4.0 * s * s * h) + 2.0 * s * h * sh.V);
    out->mfu = model_flops / (sh.N * c->peak_flops * out->step_time_s);

    if (out->peak_memory_bytes > c->hbm_bytes)
        return part_infeasible(out, "peak memory %.1f GB exceeds the %.0f GB of HBM",
                               out->peak_memory_bytes / 1e9, c->hbm_bytes / 1e9);
    return 0;
}
