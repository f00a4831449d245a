/*
 * defaults.h - every tuning constant of the graph model (BoGraph), named in
 * one place as bo/defaults.h does for the engine, each with the reason for
 * its value. Units: encoded unit cube for parameters, standardised units
 * (z) for metrics and NOTEARS weights, nats for log densities, unless said.
 */
#ifndef BOGRAPH_STRUCTURE_DEFAULTS_H
#define BOGRAPH_STRUCTURE_DEFAULTS_H

/* ---- bograph.c: when the graph answers ---- */
/* A positive objective whose largest value is more than this many times its
 * smallest is modelled as its log (bograph_request.c): heavy tails and
 * products of costs become sums the node GPs fit well. */
#define BG_LOG_SPAN 10.0
/* Trials with metrics before a graph, by default at least this many: with
 * fewer, 5-fold cross-validation holds out one or two trials per fold and
 * unrelated metrics pass it by chance. */
#define BG_MIN_TRIALS_DEFAULT 10
/* The least a caller's min_trials may ask: a GP per node needs 3 points. */
#define BG_MIN_TRIALS_FLOOR 3
/* The graph and the plain GP share the acquisition by the graph's stacking
 * weight on held-out trials (blend.h); below this weight the graph adds
 * nothing a suggestion would show and the plain GP, with its own (larger)
 * acquisition search, answers alone. Replaced a hard switch (the graph
 * alone unless its held-out log density was 0.15 nats per trial below the
 * GP's): over 10 seeds the blend's median beat the plain GP's at 30 trials
 * on 21 of 24 structured systems of the development family (the switch:
 * 18) and on 23 of 24 of a family never used while developing (19). */
#define BG_BLEND_MIN_WEIGHT 0.05
/* A graph learnt on fewer than this many times min_trials is young: the
 * strict R^2 bar below. */
#define BG_YOUNG_MULT 2
/* Held-out R^2 a metric must exceed, from its parents, to stay a mediator:
 * while every parameter is also a parent of the objective, a weak mediator
 * cuts nothing off, so it must only beat its mean ... */
#define BG_MIN_R2_WIRED 0.0
/* ... once parameters reach the objective through metrics alone, a wrong
 * mediator leaves them unoptimised: unrelated counters reached 0.31 held-out
 * R^2 on the benchmark ... */
#define BG_MIN_R2_MEDIATOR 0.3
/* ... and 0.47 with 10-12 trials (5 folds of 2-3 trials), hence the young
 * graph's bar. */
#define BG_MIN_R2_YOUNG 0.5
/* Monte-Carlo base samples of the acquisition: a smooth, deterministic
 * surface at a cost linear in the samples. 32 keep a suggestion at 200
 * trials within half a second on two cores (64 took 2.6 s with the raw and
 * local counts of the plain GP). */
#define BG_MC_SAMPLES 32
/* The graph's acquisition optimisation: at most this many raw points, and
 * this many local runs from the best of them (the plain GP uses
 * acqopt_default_raw(dim) and ACQOPT_N_LOCAL). */
#define BG_ACQ_RAW_MAX 512
#define BG_ACQ_N_LOCAL 2
/* Anchors handed to acqopt: the best observed points, as the engine does
 * (BO_N_ANCHORS). */
#define BG_N_ANCHORS 5

/* ---- bograph_current.c: relearning ---- */
/* Default schedule: relearn every max(MIN, learnt-on / FRACTION) new
 * trials, so a young graph is relearnt often (every 2 trials at first), an
 * established one every fifth of its trials (every 10 at 50 trials). */
#define BG_RELEARN_FRACTION 5
#define BG_RELEARN_MIN 2

/* ---- bograph_cv.c: the held-out check against the plain GP ---- */
/* Folds: enough held-out trials per fold for a score at 10 trials. */
#define BG_CV_FOLDS 5
/* Base samples of the graph model during cross-validation: half the
 * suggestion's, as only a mean and a spread are needed. */
#define BG_CV_SAMPLES 32
/* With at least this many trials in a training fold, the folds keep the
 * hyperparameters fitted on every trial and only refactor: hyperparameters
 * from 80% of 100+ trials differ little from those of all of them, both
 * models are treated alike, and refitting 5 folds with restarts was 60% of
 * a suggestion that relearns the graph at 200 trials (0.59 of 0.99 s). */
#define BG_CV_KEEP_HYPER_MIN 100

/* ---- bograph_learn.c: structure learning ---- */
/* Parameters screened into NOTEARS per metric and for the objective: with
 * fewer trials than columns, screening is what keeps the search well posed. */
#define BG_SCREEN_METRIC 4
#define BG_SCREEN_OBJECTIVE 3
/* Ridge of the screening's least squares, times the trials: keeps the fit
 * defined with few trials. */
#define BG_SCREEN_RIDGE 1e-2
/* A feature column whose standard deviation is below this has no spread. */
#define BG_STANDARDISE_MIN_SD 1e-12
/* Edge thresholds on NOTEARS weights: edges into a metric, and into the
 * objective (whose metric parents preprocessing already chose for their
 * relevance, so a weaker edge is kept). */
#define BG_THRESHOLD_METRIC 0.15
#define BG_THRESHOLD_OBJECTIVE 0.05
/* NOTEARS' own threshold, below both: the edge thresholds above decide. */
#define BG_THRESHOLD_NOTEARS 0.02
/* While the trials are fewer than this many times the parameters, every
 * parameter stays a parent of the objective: structure learning misses
 * parents at 10 trials (fewer than half of them on the benchmark), and a
 * parameter cut off the objective is not optimised at all. */
#define BG_WIRE_ALL_MULT 1.5
/* Parent pruning (bograph_prune.c): the ridge of its leave-one-out
 * regressions (times n), and what a parameter parent must save of the
 * held-out error to stay: a relative share and an absolute floor in
 * standardised units, so a metric that one parent predicts almost exactly
 * does not keep a second one for a rounding difference. */
#define BG_PRUNE_RIDGE 1e-3
#define BG_PRUNE_GAIN 0.02
#define BG_PRUNE_FLOOR 0.01

/* ---- model.c: the graph model ---- */
/* Candidates propagated together in model_acq_batch (scratch size). */
#define MODEL_CHUNK 16
/* Base samples when model_init is given 0. */
#define MODEL_DEFAULT_SAMPLES 64
/* UCB exploration weight: mean + beta * sd, as the engine's. */
#define MODEL_DEFAULT_UCB_BETA 2.0
/* Variance floor of the objective's Gaussian in the LogEI. */
#define MODEL_VAR_FLOOR 1e-12
/* Standard deviation floor of a constrained node's Gaussian. */
#define MODEL_SD_FLOOR 1e-12
/* Log probability of a constraint the transform can never meet. */
#define MODEL_LOG_NEVER -1e6
/* A metric parent's observed range is at least this wide before it scales
 * the GP input to [0,1]. */
#define MODEL_MIN_PARENT_SPAN 1e-9
/* A linear trend is fitted where the data pin it down: at least this many
 * times as many trials as its slopes plus one. */
#define MODEL_LINEAR_MIN_RATIO 2.0
/* A node GP kept from the previous suggestion (the graph unchanged) refits
 * from its own hyperparameters alone, with the usual random restarts only
 * when the trials reach a multiple of this: most of a suggestion's fitting
 * time at 200 trials went to restarts that landed where the warm start was. */
#define MODEL_RESTART_EVERY 5
/* Prior sd of each slope of the linear trend, in sd(y): the whole input
 * range may move the node by two standard deviations. */
#define MODEL_SLOPE_PRIOR_SD 2
/* Noise variance of the linear trend's regression, as a fraction of
 * var(y): the GP on the residual takes the rest. */
#define MODEL_LINEAR_NOISE_FRACTION 0.1

/* ---- feasibility.c: the probability that a configuration runs ---- */
/* Variance floor of the label GP's prediction, in label units squared. */
#define FEAS_VAR_FLOOR 1e-6
/* The probability used is FEAS_EPS + (1 - FEAS_EPS) Phi(z): the label GP is
 * sure of itself a short way from the failed trials, and a region ruled out
 * wrongly would never be tried again, so no region is made more than
 * 1/FEAS_EPS times less attractive. */
#define FEAS_EPS 1e-3

/* ---- preprocess.c: which metrics the graph is learnt on ---- */
/* Drop a metric missing in more than this fraction of the rows. */
#define PREPROCESS_DEFAULT_MAX_MISSING 0.5
/* Near-constant: one value in more than this fraction of the rows. */
#define PREPROCESS_DEFAULT_MAX_SAME 0.9
/* |Pearson| above this with the objective or a kept metric: a duplicate
 * that adds a node and no information. */
#define PREPROCESS_DEFAULT_DUP_CORR 0.995
/* A metric whose ranks follow the objective's this closely is a restatement
 * of it (a reciprocal, a unit change, a run-time counter), not a mediator:
 * computed from the same run, it carries the objective's own noise. */
#define PREPROCESS_DEFAULT_DUP_RANK 0.98
/* Metrics kept besides the forced ones: NOTEARS' cost grows with d^3 and
 * few trials pin down few edges. */
#define PREPROCESS_DEFAULT_TOP_K 10
/* A positive metric is standardised on a log scale when its largest value
 * is more than this many times its smallest (latencies, byte counts). */
#define PREPROCESS_LOG_SPAN 10
/* ... shifted by its lower decile when its smallest value is below this
 * fraction of its median: it comes close to zero, where a plain log
 * stretches the noise of the smallest values apart. */
#define PREPROCESS_NEAR_ZERO 0.01

/* ---- notears.c: the structure learner's defaults ---- */
/* L1 weight on the standardised data. */
#define NOTEARS_DEFAULT_LAMBDA1 0.05
/* |W| below this is no edge (the NOTEARS paper's 0.3). */
#define NOTEARS_DEFAULT_W_THRESHOLD 0.3
/* Acyclicity tolerance on h(W), the paper's. */
#define NOTEARS_DEFAULT_H_TOL 1e-8
/* Penalty ceiling of the augmented Lagrangian, the paper's. */
#define NOTEARS_DEFAULT_RHO_MAX 1e16
/* Dual ascent steps, and L-BFGS evaluations per inner solve. */
#define NOTEARS_DEFAULT_MAX_ITER 100
#define NOTEARS_DEFAULT_MAX_EVAL 400
/* Tolerances of each inner L-BFGS solve. */
#define NOTEARS_FTOL_REL 1e-10
#define NOTEARS_XTOL_REL 1e-8
/* The penalty grows by RHO_GROWTH until h falls below H_PROGRESS times its
 * previous value (the paper's 10 and 1/4). */
#define NOTEARS_RHO_GROWTH 10
#define NOTEARS_H_PROGRESS 0.25

#endif
