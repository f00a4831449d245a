/*
 * defaults.h - every default of the engine, named in one place (as limbo
 * does), so docs/engine.md and the code cannot drift apart. Units: encoded
 * unit cube for inputs, standardised units for outputs unless said.
 */
#ifndef BOGRAPH_BO_DEFAULTS_H
#define BOGRAPH_BO_DEFAULTS_H

/* ---- suggest.c ---- */
/* Space-filling Sobol points before the GP: clamp(d + 1, MIN, MAX). */
#define BO_DEFAULT_N_INITIAL_MIN 5
#define BO_DEFAULT_N_INITIAL_MAX 10
/* Most proposals one bo_suggest call makes. */
#define BO_MAX_COUNT 1000
/* UCB exploration weight: mean + beta * sd. */
#define BO_DEFAULT_UCB_BETA 2.0
/* Infeasible trials are imputed this fraction of the feasible range below
 * the worst feasible result (or 1 standardised unit when the range is 0). */
#define BO_INFEASIBLE_MARGIN 0.1
/* Objectives larger than this in magnitude (finite, accepted, but whose
 * sums and squares overflow a double) are fitted as sign(y) log1p(|y|);
 * below it the values are fitted as they are. */
#define BO_Y_EXTREME 1e100
/* Candidate draws tried before a random/Sobol suggestion gives up on being
 * distinct from the observed points. */
#define BO_DISTINCT_TRIES 2000
/* Finite spaces up to this many configurations are enumerated when the
 * samplers cannot find a new configuration. */
#define BO_ENUMERATE_MAX 1000000.0
/* Above this many distinct observations the GP hyperparameters are fitted
 * on a seeded random subset of this size (the posterior uses every point),
 * from the warm start only, with at most BO_GP_MAXEVAL_LARGE evaluations. */
#define BO_GP_FIT_SUBSET 300
#define BO_GP_MAXEVAL_LARGE 60
/* Output warping: Yeo-Johnson lambda searched on this grid. */
#define BO_YJ_MIN -2.0
#define BO_YJ_MAX 4.0
#define BO_YJ_STEP 0.05
/* Anchors handed to acqopt: best observed points by posterior mean. */
#define BO_N_ANCHORS 5

/* ---- suggest_multi.c ---- */
/* Fixed quasi-random normal draws of the Monte-Carlo EHVI (3-4 objectives). */
#define BO_EHVI_MC_SAMPLES 128
/* ParEGO's augmentation weight rho (Knowles 2006). */
#define BO_PAREGO_RHO 0.05

/* ---- gp.c ---- */
/* Lower bound on the noise variance, standardised units. */
#define GP_DEFAULT_NOISE_FLOOR 1e-6
/* Random restarts of the MAP optimisation besides the warm start and the
 * prior mode; suggest.c lowers them as n grows (see bo_gp_restarts). */
#define GP_DEFAULT_RESTARTS 3
/* L-BFGS budget per start (evaluations of the log posterior). */
#define GP_MAXEVAL 200
#define GP_FTOL_REL 1e-7
/* Jitter added to the diagonal when Cholesky fails: first value, growth
 * factor and number of tries (relative to the signal variance). */
#define GP_JITTER_FIRST 1e-9
#define GP_JITTER_GROWTH 10.0
#define GP_JITTER_TRIES 7
/* Log-space priors (Normal on the log of each hyperparameter):
 * length-scale: dimension-scaled as in BoTorch (Hvarfner et al. 2024):
 *   LogNormal(sqrt(2) + log(d)/2, sqrt(3)) on l; its mode, the MAP target
 *   in l, is exp(mu - sigma^2), so in log l the prior is centred there. */
#define GP_LS_PRIOR_LOC_BASE 1.4142135623730951
#define GP_LS_PRIOR_SCALE 1.7320508075688772
/* signal variance (standardised outputs, so about 1). */
#define GP_SV_PRIOR_MEAN 0.0
#define GP_SV_PRIOR_SD 1.5
/* noise variance: weak, centred at 1e-3 (log = -6.9), sd 3 in log. */
#define GP_NOISE_PRIOR_MEAN -6.907755278982137
#define GP_NOISE_PRIOR_SD 3.0
/* constant mean (standardised units). */
#define GP_MEAN_PRIOR_SD 2.0
/* Bounds of the search, in the hyperparameters themselves. */
#define GP_LS_MIN 1e-3
#define GP_LS_MAX 1e3
#define GP_SV_MIN 1e-3
#define GP_SV_MAX 1e3
#define GP_NOISE_MAX 10.0
#define GP_MEAN_BOUND 10.0

/* ---- acqopt.c ---- */
/* Raw Sobol samples: BASE + PER_DIM * encoded dim, capped at MAX. */
#define ACQOPT_RAW_BASE 256
#define ACQOPT_RAW_PER_DIM 64
#define ACQOPT_RAW_MAX 4096
/* Best raw samples refined locally. */
#define ACQOPT_N_LOCAL 5
/* Local optimiser budget per start, and its tolerance. */
#define ACQOPT_LOCAL_MAXEVAL 150
#define ACQOPT_LOCAL_XTOL 1e-7
/* Fraction of the raw samples drawn around the anchors (best points), and
 * the standard deviation of those perturbations in the unit cube. */
#define ACQOPT_ANCHOR_FRACTION 0.25
#define ACQOPT_ANCHOR_SD 0.05
/* Parameter constraints: raw Sobol draws per wanted feasible raw sample
 * (at most), tries per feasible perturbation of an anchor, and the halving
 * steps that pull a local result that snaps infeasible back towards its
 * (feasible) start. */
#define ACQOPT_FEASIBLE_DRAWS_PER_SAMPLE 64
#define ACQOPT_ANCHOR_TRIES 8
#define ACQOPT_PULLBACK_STEPS 12

/* ---- design_feasible.c ---- */
/* Draws of a design per feasible point before a suggestion gives up: a
 * region of 1 in 10,000 (the smallest a study may declare) is met ~20
 * times on average, so a miss has odds of about e^-20. */
#define DESIGN_FEASIBLE_MAX_DRAWS 200000

/* ---- space_conditions.c ---- */
/* The encoded coordinate of an inactive float, int or ordinal parameter:
 * the middle of its range, the least committal value (at 0, the edge, the
 * GP read a branch's results as evidence about the other branch's knobs at
 * their lowest values; on bench/conditional the median best at 15 trials
 * was 0.112 (gp) and 0.123 (bograph) at 0, 0.084 and 0.086 at 0.5). */
#define SPACE_COND_INACTIVE_U 0.5

#endif
