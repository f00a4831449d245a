/*
 * accel.h - the analytic model behind the "accelerator" plugin: a
 * Gemmini-style systolic array (rows x cols of int8 MAC units, one dataflow,
 * a scratchpad for operands and an accumulator for int32 outputs, banked
 * SRAM, a DMA engine to DRAM, one clock) running the GEMMs of real networks.
 *
 * Pure computation, deterministic, no global state. Every constant lives in
 * accel_tech (accel_tech_default gives the documented values; docs/plugins.md
 * lists their sources).
 */
#ifndef BOGRAPH_PLUGINS_ACCEL_H
#define BOGRAPH_PLUGINS_ACCEL_H

#include <stddef.h>

typedef enum { ACCEL_OS, ACCEL_WS, ACCEL_IS } accel_dataflow;

typedef struct {
    double rows, cols;        /* PE array */
    accel_dataflow dataflow;
    double spad_kb;           /* scratchpad (int8 operands), KiB */
    double acc_kb;            /* accumulator (int32 outputs), KiB */
    double banks;             /* banks of each SRAM */
    double dma_bytes;         /* DMA bus width, bytes per cycle */
    double clock_mhz;
} accel_design;

/* C[m x n] = A[m x k] * B[k x n], run `count` times. For a convolution
 * lowered by im2col: m = output pixels, k = C_in * R * S, n = C_out. */
typedef struct {
    const char *name;
    double m, k, n;
    double count;
} accel_gemm;

typedef struct {
    /* Energy, picojoules, at the nominal voltage. */
    double e_mac_pj;            /* one int8 multiply + int32 add */
    double e_reg_pj;            /* PE register traffic per MAC */
    double e_hop_pj;            /* moving one byte to the neighbouring PE */
    double e_sram_pj_per_byte;  /* per byte from an 8 KiB SRAM bank */
    double sram_ref_kb;         /* the bank size e_sram refers to (8) */
    double e_dram_pj_per_byte;
    /* Voltage-frequency: V(f) = v_nom * (v0 + (1 - v0) * f / f_nom);
     * dynamic energy scales with (V/v_nom)^2, leakage power with V/v_nom. */
    double v_nom, v0, f_nom_mhz;
    double leak_w_per_mm2;      /* leakage power density at v_nom */
    /* Area, mm^2. */
    double a_pe_mm2;            /* one PE: multiplier, adder, registers */
    double a_sram_mm2_per_kb;
    double a_bank_mm2;          /* periphery of one SRAM bank */
    double a_fixed_mm2;         /* controller, DMA engine */
    double a_dma_mm2_per_byte;  /* DMA/bus width */
    /* Memory system. */
    double dram_gbps;           /* off-chip bandwidth, GB/s */
    double bank_port_bytes;     /* bytes one SRAM bank delivers per cycle */
} accel_tech;

void accel_tech_default(accel_tech *t);

/* The cost of one GEMM (a single run, count ignored). */
typedef struct {
    double macs;
    double folds;               /* array tiles the GEMM is cut into */
    double compute_cycles;      /* fold model, before SRAM stalls */
    double sram_stall;          /* >= 1: demand / supply of scratchpad bandwidth */
    double dram_cycles;         /* DRAM bytes / DMA bytes per cycle */
    double cycles;              /* max(compute_cycles * sram_stall, dram_cycles) */
    double spad_bytes;          /* scratchpad reads into the array + fills from DRAM */
    double acc_bytes;           /* accumulator reads and writes */
    double dram_bytes;          /* A + B reads, C writes */
    double hop_bytes;           /* byte-hops between PEs */
    double tile_m, tile_n;      /* output tile held in the accumulator */
} accel_gemm_cost;

/* The whole workload on one design. */
typedef struct {
    double macs;
    double cycles, compute_cycles, stall_cycles;
    double utilization;         /* macs / (rows * cols * cycles) */
    double spad_bytes, acc_bytes, dram_bytes;
    double delay_ms;
    /* Energy, millijoules. */
    double e_mac_mj, e_reg_mj, e_array_mj, e_spad_mj, e_acc_mj, e_dram_mj, e_leak_mj;
    double energy_mj;
    double edp;                 /* energy_mj * delay_ms */
    double area_mm2;
    double voltage;
    double power_w;
} accel_metrics;

/* Checks the design is physically sensible (positive sizes, at least one
 * array tile fits in the buffers). 0, or -1 with the reason (an infeasible
 * design, not a bug). */
int accel_design_check(const accel_design *d, char *err, size_t err_len);

int accel_gemm_eval(const accel_design *d, const accel_tech *t, const accel_gemm *g,
                    accel_gemm_cost *out, char *err, size_t err_len);
int accel_eval(const accel_design *d, const accel_tech *t, const accel_gemm *gemms, size_t n,
               accel_metrics *out, char *err, size_t err_len);

/* Area of the design alone (mm^2). */
double accel_area_mm2(const accel_design *d, const accel_tech *t);

/* The named workloads: "resnet50" (ResNet-50 v1.5 convolutions and the
 * classifier at batch 1, im2col), "bert128" and "bert512" (the 12 encoder
 * layers of BERT-base at sequence 128 or 512, batch 1). Writes at most cap
 * GEMMs to out and returns how many the workload has (so a call with
 * cap 0 sizes it); 0 for an unknown name. */
size_t accel_workload(const char *name, accel_gemm *out, size_t cap);
/* The known workload names, NULL-terminated. */
const char *const *accel_workload_names(void);

const char *accel_dataflow_name(accel_dataflow df);   /* "os", "ws", "is" */
int accel_dataflow_parse(const char *s, accel_dataflow *out);

#endif
