/*
 * accel_model.c - cycles, traffic, energy and area of a systolic-array
 * accelerator running GEMMs.
 *
 * Cycles (SCALE-Sim's analytical model, Samajdar et al., ISPASS 2020): a
 * dataflow maps two GEMM dimensions onto the array (Sr x Sc) and streams the
 * third (T):
 *     OS: Sr = m, Sc = n, T = k     WS: Sr = k, Sc = n, T = m
 *     IS: Sr = k, Sc = m, T = n
 * The GEMM is cut into ceil(Sr/R) * ceil(Sc/C) folds of 2R + C + T - 2 cycles
 * each (fill, stream, drain). Scratchpad bandwidth (banks * port bytes per
 * cycle) stretches that when the array asks for more; DRAM transfers overlap
 * compute (double buffering), so a GEMM takes the larger of the two.
 *
 * Traffic: every operand byte entering the array is a scratchpad read, once
 * per fold that needs it; partial sums of WS/IS go to the accumulator once
 * per fold along k (read-modify-write). DRAM: outputs are kept in the
 * accumulator in a tile_m x tile_n tile (half of it, double-buffered); an
 * operand that fits in a quarter of the scratchpad is read once, otherwise A
 * is read once per column of output tiles and B once per row of them.
 *
 * Energy: per-access costs per level (accel_tech), dynamic ones scaled by
 * (V/Vnom)^2 with a linear voltage-frequency curve, plus leakage power
 * proportional to area over the run time.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plugins/accel.h"

static void accel_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void accel_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void accel_tech_default(accel_tech *t)
{
    memset(t, 0, sizeof *t);
    /* Horowitz, ISSCC 2014, 45 nm at 0.9 V: 8-bit multiply 0.2 pJ, 32-bit
     * add 0.1 pJ; 64-bit SRAM read 10 pJ from 8 KB (20 pJ at 32 KB, 100 pJ
     * at 1 MB: about sqrt(size)); DRAM 1.3-2.6 nJ per 64 bits (the low end). */
    t->e_mac_pj = 0.3;
    t->e_sram_pj_per_byte = 10.0 / 8.0;
    t->sram_ref_kb = 8.0;
    t->e_dram_pj_per_byte = 1300.0 / 8.0;
    /* Eyeriss (Chen et al., ISCA 2016) normalised costs: register file 1x a
     * MAC, PE-to-PE transfer 2x a (16-bit) MAC, i.e. about 1x our int8 MAC
     * per 2 bytes moved one hop. */
    t->e_reg_pj = 0.3;
    t->e_hop_pj = 0.15;
    t->v_nom = 0.9;
    t->v0 = 0.6;
    t->f_nom_mhz = 1000.0;
    t->leak_w_per_mm2 = 0.02;
    /* Horowitz 2014 areas at 45 nm: 8-bit multiplier 282 um^2, 32-bit adder
     * 137 um^2; plus 48 flip-flops (two int8 operands, one int32 sum) at
     * ~4.5 um^2. SRAM: 0.346 um^2 6T cell at ~70% array efficiency. */
    t->a_pe_mm2 = (282.0 + 137.0 + 48 * 4.5) * 1e-6;
    t->a_sram_mm2_per_kb = 8192.0 * 0.346 / 0.7 * 1e-6;
    t->a_bank_mm2 = 0.015;
    t->a_fixed_mm2 = 0.3;
    t->a_dma_mm2_per_byte = 0.002;
    t->dram_gbps = 25.6;          /* one LPDDR4-3200 x64 channel */
    t->bank_port_bytes = 16.0;    /* a 128-bit port per bank */
}

const char *accel_dataflow_name(accel_dataflow df)
{
    switch (df) {
    case ACCEL_OS: return "os";
    case ACCEL_WS: return "ws";
    case ACCEL_IS: return "is";
    }
    return "?";
}

int accel_dataflow_parse(const char *s, accel_dataflow *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "os") == 0)
        *out = ACCEL_OS;
    else if (strcmp(s, "ws") == 0)
        *out = ACCEL_WS;
    else if (strcmp(s, "is") == 0)
        *out = ACCEL_IS;
    else
        return -1;
    return 0;
}

static int accel_posint(double x, double max)
{
    return isfinite(x) && x >= 1 && x <= max && x == floor(x);
}

int accel_design_check(const accel_design *d, char *err, size_t err_len)
{
    if (!accel_posint(d->rows, 4096) || !accel_posint(d->cols, 4096)) {
        accel_err(err, err_len, "array size %gx%g: rows and cols must be integers in 1..4096",
                  d->rows, d->cols);
        return -1;
    }
    if (!accel_posint(d->banks, 1024)) {
        accel_err(err, err_len, "banks = %g: must be an integer in 1..1024", d->banks);
        return -1;
    }
    if (!(isfinite(d->spad_kb) && d->spad_kb > 0 && d->spad_kb <= 1048576) ||
        !(isfinite(d->acc_kb) && d->acc_kb > 0 && d->acc_kb <= 1048576)) {
        accel_err(err, err_len, "scratchpad and accumulator sizes must be positive KiB");
        return -1;
    }
    if (!(isfinite(d->dma_bytes) && d->dma_bytes >= 1 && d->dma_bytes <= 4096)) {
        accel_err(err, err_len, "dma_bytes = %g: must be 1..4096", d->dma_bytes);
        return -1;
    }
    if (!(isfinite(d->clock_mhz) && d->clock_mhz > 0 && d->clock_mhz <= 10000)) {
        accel_err(err, err_len, "clock %g MHz: must be in (0, 10000]", d->clock_mhz);
        return -1;
    }
    if (d->dataflow != ACCEL_OS && d->dataflow != ACCEL_WS && d->dataflow != ACCEL_IS) {
        accel_err(err, err_len, "unknown dataflow");
        return -1;
    }
    /* One R x C tile of int32 outputs, double-buffered. */
    double acc_need = 2.0 * 4.0 * d->rows * d->cols / 1024.0;
    if (d->acc_kb < acc_need) {
        accel_err(err, err_len,
                  "accumulator of %g KiB cannot hold a double-buffered %gx%g tile of int32 "
                  "outputs (needs %g KiB)",
                  d->acc_kb, d->rows, d->cols, acc_need);
        return -1;
    }
    /* One R x C tile of each int8 operand, double-buffered. */
    double spad_need = 2.0 * 2.0 * d->rows * d->cols / 1024.0;
    if (d->spad_kb < spad_need) {
        accel_err(err, err_len,
                  "scratchpad of %g KiB cannot hold double-buffered %gx%g tiles of both "
                  "operands (needs %g KiB)",
                  d->spad_kb, d->rows, d->cols, spad_need);
        return -1;
    }
    if (d->spad_kb / d->banks < 1.0 || d->acc_kb / d->banks < 1.0) {
        accel_err(err, err_len, "%g banks make banks smaller than 1 KiB", d->banks);
        return -1;
    }
    return 0;
}

double accel_area_mm2(const accel_design *d, const accel_tech *t)
{
    return t->a_pe_mm2 * d->rows * d->cols +
           t->a_sram_mm2_per_kb * (d->spad_kb + d->acc_kb) +
           t->a_bank_mm2 * 2.0 * d->banks +
           t->a_fixed_mm2 + t->a_dma_mm2_per_byte * d->dma_bytes;
}

static double accel_ceil_div(double a, double b)
{
    return ceil(a / b);
}

int accel_gemm_eval(const accel_design *d, const accel_tech *t, const accel_gemm *g,
                    accel_gemm_cost *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (!(g->m >= 1 && g->k >= 1 && g->n >= 1 && isfinite(g->m * g->k * g->n))) {
        accel_err(err, err_len, "GEMM %s: dimensions must be >= 1", g->name ? g->name : "?");
        return -1;
    }
    if (accel_design_check(d, err, err_len) != 0)
        return -1;
    const double R = d->rows, C = d->cols;
    const double m = g->m, k = g->k, n = g->n;
    double sr, sc, T;
    switch (d->dataflow) {
    case ACCEL_OS: sr = m; sc = n; T = k; break;
    case ACCEL_WS: sr = k; sc = n; T = m; break;
    default:       sr = k; sc = m; T = n; break;
    }
    const double fr = accel_ceil_div(sr, R), fc = accel_ceil_div(sc, C);
    out->macs = m * k * n;
    out->folds = fr * fc;
    out->compute_cycles = out->folds * (2.0 * R + C + T - 2.0);

    /* Scratchpad reads into the array, accumulator traffic, PE-to-PE hops. */
    double a_rd, b_rd, acc, hops;
    switch (d->dataflow) {
    case ACCEL_OS:
        a_rd = m * k * fc;                  /* A rows enter once per column fold */
        b_rd = k * n * fr;                  /* B columns once per row fold */
        acc = 8.0 * m * n;                  /* outputs written once, read out once */
        hops = a_rd * C + b_rd * R + 4.0 * m * n * R / 2.0;
        break;
    case ACCEL_WS:
        b_rd = k * n;                       /* weights preloaded once */
        a_rd = m * k * fc;                  /* inputs stream once per column fold */
        acc = 8.0 * m * n * fr;             /* a partial sum per k fold: RMW, read out */
        hops = a_rd * C + 4.0 * m * n * fr * R + b_rd * R / 2.0;
        break;
    default: /* IS */
        a_rd = m * k;                       /* inputs preloaded once */
        b_rd = k * n * fc;                  /* weights stream once per column fold */
        acc = 8.0 * m * n * fr;
        hops = b_rd * C + 4.0 * m * n * fr * R + a_rd * R / 2.0;
        break;
    }
    const double spad_rd = a_rd + b_rd;
    const double supply = d->banks * t->bank_port_bytes;
    const double demand = spad_rd / out->compute_cycles;
    out->sram_stall = demand > supply ? demand / supply : 1.0;

    /* Tiling for DRAM traffic. */
    const double spad_eff = d->spad_kb * 1024.0 / 2.0;      /* double-buffered */
    const double p_elems = d->acc_kb * 1024.0 / 2.0 / 4.0;  /* int32, double-buffered */
    double tn = fmin(n, fmax(C, floor(sqrt(p_elems))));
    double tm = fmin(m, fmax(1.0, floor(p_elems / tn)));
    const double depth = fmin(k, R);
    if ((tm + tn) * depth > spad_eff) {
        double s = spad_eff / ((tm + tn) * depth);
        tm = fmax(1.0, floor(tm * s));
        tn = fmax(1.0, floor(tn * s));
    }
    out->tile_m = tm;
    out->tile_n = tn;
    const double a_dram = (m * k <= spad_eff / 2.0) ? m * k : m * k * accel_ceil_div(n, tn);
    const double b_dram = (k * n <= spad_eff / 2.0) ? k * n : k * n * accel_ceil_div(m, tm);
    const double c_dram = m * n;
    out->dram_bytes = a_dram + b_dram + c_dram;
    const double bytes_per_cycle =
        fmin(d->dma_bytes, t->dram_gbps * 1e9 / (d->clock_mhz * 1e6));
    out->dram_cycles = out->dram_bytes / bytes_per_cycle;

    out->cycles = fmax(out->compute_cycles * out->sram_stall, out->dram_cycles);
    out->spad_bytes = spad_rd + a_dram + b_dram;
    out->acc_bytes = acc;
    out->hop_bytes = hops;
    return 0;
}

int accel_eval(const accel_design *d, const accel_tech *t, const accel_gemm *gemms, size_t n,
               accel_metrics *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || !gemms) {
        accel_err(err, err_len, "empty workload");
        return -1;
    }
    double hops = 0;
    for (size_t i = 0; i < n; i++) {
        accel_gemm_cost c;
        if (accel_gemm_eval(d, t, &gemms[i], &c, err, err_len) != 0)
            return -1;
        const double w = gemms[i].count;
        if (!(w >= 0 && isfinite(w))) {
            accel_err(err, err_len, "GEMM %s: bad count", gemms[i].name ? gemms[i].name : "?");
            return -1;
        }
        out->macs += w * c.macs;
        out->cycles += w * c.cycles;
        out->compute_cycles += w * c.compute_cycles;
        out->spad_bytes += w * c.spad_bytes;
        out->acc_bytes += w * c.acc_bytes;
        out->dram_bytes += w * c.dram_bytes;
        hops += w * c.hop_bytes;
    }
    out->stall_cycles = out->cycles - out->compute_cycles;
    out->utilization = out->macs / (d->rows * d->cols * out->cycles);

    const double vs = t->v0 + (1.0 - t->v0) * d->clock_mhz / t->f_nom_mhz; /* V / Vnom */
    const double dyn = vs * vs;
    out->voltage = t->v_nom * vs;
    const double pj_to_mj = 1e-9;
    const double spad_bank_kb = d->spad_kb / d->banks, acc_bank_kb = d->acc_kb / d->banks;
    const double e_spad = t->e_sram_pj_per_byte * sqrt(spad_bank_kb / t->sram_ref_kb);
    const double e_acc = t->e_sram_pj_per_byte * sqrt(acc_bank_kb / t->sram_ref_kb);
    out->e_mac_mj = out->macs * t->e_mac_pj * dyn * pj_to_mj;
    out->e_reg_mj = out->macs * t->e_reg_pj * dyn * pj_to_mj;
    out->e_array_mj = hops * t->e_hop_pj * dyn * pj_to_mj;
    out->e_spad_mj = out->spad_bytes * e_spad * dyn * pj_to_mj;
    out->e_acc_mj = out->acc_bytes * e_acc * dyn * pj_to_mj;
    out->e_dram_mj = out->dram_bytes * t->e_dram_pj_per_byte * pj_to_mj;

    const double delay_s = out->cycles / (d->clock_mhz * 1e6);
    out->delay_ms = delay_s * 1e3;
    out->area_mm2 = accel_area_mm2(d, t);
    const double leak_w = t->leak_w_per_mm2 * out->area_mm2 * vs;
    out->e_leak_mj = leak_w * delay_s * 1e3;
    out->energy_mj = out->e_mac_mj + out->e_reg_mj + out->e_array_mj + out->e_spad_mj +
                     out->e_acc_mj + out->e_dram_mj + out->e_leak_mj;
    out->edp = out->energy_mj * out->delay_ms;
    out->power_w = out->energy_mj / out->delay_ms;  /* mJ / ms = W */
    return 0;
}
