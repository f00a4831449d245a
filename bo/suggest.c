/*
 * suggest.c - the engine's entry point: validates a request, then proposes
 * `count` configurations with random sampling, a Sobol sequence, or GP-based
 * Bayesian optimisation (see bo_suggest_gp). Every proposal is valid,
 * distinct from the other proposals and from the pending points, and, where
 * the space has room, from the observed points.
 */
#include "bo/suggest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/defaults.h"
#include "bo/design.h"

struct bo_state {
    int reserved;
};

bo_state *bo_state_new(void)
{
    return calloc(1, sizeof(bo_state));
}

void bo_state_free(bo_state *st)
{
    free(st);
}

static void bo_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void bo_request_init(bo_request *req, const space *sp)
{
    memset(req, 0, sizeof(*req));
    req->sp = sp;
    req->algorithm = BO_GP;
    req->acquisition = BO_ACQ_LOGEI;
    req->count = 1;
}

int bo_algorithm_parse(const char *name, bo_algorithm *out)
{
    if (!name) return -1;
    if (strcmp(name, "random") == 0) *out = BO_RANDOM;
    else if (strcmp(name, "sobol") == 0) *out = BO_SOBOL;
    else if (strcmp(name, "gp") == 0) *out = BO_GP;
    else return -1;
    return 0;
}

const char *bo_algorithm_name(bo_algorithm a)
{
    switch (a) {
    case BO_RANDOM: return "random";
    case BO_SOBOL: return "sobol";
    case BO_GP: return "gp";
    }
    return "unknown";
}

size_t bo_default_n_initial(size_t dim)
{
    size_t n = dim + 1;
    if (n < BO_DEFAULT_N_INITIAL_MIN) n = BO_DEFAULT_N_INITIAL_MIN;
    if (n > BO_DEFAULT_N_INITIAL_MAX) n = BO_DEFAULT_N_INITIAL_MAX;
    return n;
}

static int bo_validate(const bo_request *req, const double *out, char *err, size_t err_len)
{
    char msg[256];
    if (!req || !req->sp) {
        bo_errf(err, err_len, "request has no search space");
        return -1;
    }
    const space *sp = req->sp;
    size_t p = space_size(sp);
    if (p == 0) {
        bo_errf(err, err_len, "the search space has no parameters");
        return -1;
    }
    if (req->count > 0 && !out) {
        bo_errf(err, err_len, "no output buffer");
        return -1;
    }
    if (req->algorithm != BO_RANDOM && req->algorithm != BO_SOBOL && req->algorithm != BO_GP) {
        bo_errf(err, err_len, "unknown algorithm %d", (int)req->algorithm);
        return -1;
    }
    if (req->acquisition != BO_ACQ_LOGEI && req->acquisition != BO_ACQ_UCB) {
        bo_errf(err, err_len, "unknown acquisition %d", (int)req->acquisition);
        return -1;
    }
    if (req->n_obs > 0 && (!req->X || !req->y)) {
        bo_errf(err, err_len, "%zu observations but no X or y array", req->n_obs);
        return -1;
    }
    if (req->n_pending > 0 && !req->pending) {
        bo_errf(err, err_len, "%zu pending points but no array", req->n_pending);
        return -1;
    }
    for (size_t i = 0; i < req->n_obs; i++) {
        if (space_validate(sp, req->X + i * p, msg, sizeof msg) != 0) {
            bo_errf(err, err_len, "observation %zu: %s", i, msg);
            return -1;
        }
        int infeasible = req->infeasible && req->infeasible[i];
        if (!infeasible && !isfinite(req->y[i])) {
            bo_errf(err, err_len, "observation %zu: objective is not a finite number", i);
            return -1;
        }
    }
    for (size_t i = 0; i < req->n_pending; i++) {
        if (space_validate(sp, req->pending + i * p, msg, sizeof msg) != 0) {
            bo_errf(err, err_len, "pending point %zu: %s", i, msg);
            return -1;
        }
    }
    return 0;
}

static int bo_in_list(const space *sp, const double *c, const double *list, size_t n)
{
    size_t p = space_size(sp);
    for (size_t i = 0; i < n; i++)
        if (space_config_equal(sp, c, list + i * p)) return 1;
    return 0;
}

/* 2: new, 1: repeats only an observed point, 0: repeats a pending or an
 * already proposed point (never allowed). */
static int bo_candidate_rank(const bo_request *req, const double *c, const double *out, size_t n_out)
{
    const space *sp = req->sp;
    if (bo_in_list(sp, c, out, n_out)) return 0;
    if (bo_in_list(sp, c, req->pending, req->n_pending)) return 0;
    if (bo_in_list(sp, c, req->X, req->n_obs)) return 1;
    return 2;
}

/* Finite spaces: the first configuration, from a seeded offset, of the best
 * rank available. Writes it to c; returns the rank found (0: none). */
static int bo_enumerate(const bo_request *req, const double *out, size_t n_out,
                        uint64_t seed, double *c)
{
    double card = space_cardinality(req->sp);
    if (!(card <= BO_ENUMERATE_MAX)) return 0;
    double offset = fmod((double)(seed % 1000003ULL), card);
    int best_rank = 0;
    double best_index = 0;
    for (double k = 0; k < card; k++) {
        double idx = fmod(offset + k, card);
        space_config_at_index(req->sp, idx, c);
        int r = bo_candidate_rank(req, c, out, n_out);
        if (r > best_rank) {
            best_rank = r;
            best_index = idx;
            if (r == 2) break;
        }
    }
    if (best_rank > 0) space_config_at_index(req->sp, best_index, c);
    return best_rank;
}

static int bo_sample_distinct(const bo_request *req, design *d, const double *out,
                       size_t n_out, double *c, char *err, size_t err_len)
{
    const space *sp = req->sp;
    size_t p = space_size(sp);
    double *v = malloc(p * sizeof(double));
    double *fallback = malloc(p * sizeof(double));
    if (!v || !fallback) {
        free(v);
        free(fallback);
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    int have_fallback = 0, rc = -1;
    for (size_t t = 0; t < BO_DISTINCT_TRIES; t++) {
        design_next(d, v);
        space_from_unit(sp, v, c);
        int r = bo_candidate_rank(req, c, out, n_out);
        if (r == 2) {
            rc = 0;
            goto done;
        }
        if (r == 1 && !have_fallback) {
            memcpy(fallback, c, p * sizeof(double));
            have_fallback = 1;
        }
    }
    int r = bo_enumerate(req, out, n_out, (uint64_t)n_out + req->seed, c);
    if (r == 2 || (r == 1 && !have_fallback)) {
        rc = 0;
        goto done;
    }
    if (have_fallback) {
        memcpy(c, fallback, p * sizeof(double));
        rc = 0;
        goto done;
    }
    bo_errf(err, err_len, "no configuration left that is not pending or already proposed");
done:
    free(v);
    free(fallback);
    return rc;
}

/* Seed of a request's random stream: the caller's seed mixed with how far
 * the study has come, so successive calls with one seed differ. */
static uint64_t bo_stream_seed(uint64_t seed, size_t n)
{
    uint64_t z = seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(n + 1));
    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
    return z ^ (z >> 29);
}

/* Random or Sobol proposals for out[first..count). Sobol takes the points of
 * the study's sequence (fixed by the seed) after the first `position`. */
static int bo_suggest_sampled(const bo_request *req, bo_algorithm kind, size_t position,
                       double *out, size_t first, char *err, size_t err_len)
{
    size_t p = space_size(req->sp);
    design *d = kind == BO_SOBOL ? design_sobol_new(p, req->seed)
                                 : design_random_new(p, bo_stream_seed(req->seed, position));
    if (!d) {
        bo_errf(err, err_len, "out of memory");
        return -1;
    }
    if (kind == BO_SOBOL) design_skip(d, position);
    int rc = 0;
    for (size_t k = first; k < req->count && rc == 0; k++)
        rc = bo_sample_distinct(req, d, out, k, out + k * p, err, err_len);
    design_free(d);
    return rc;
}

int bo_suggest(const bo_request *req, double *out, char *err, size_t err_len)
{
    if (bo_validate(req, out, err, err_len) != 0) return -1;
    if (req->count == 0) return 0;
    switch (req->algorithm) {
    case BO_RANDOM:
    case BO_SOBOL:
        return bo_suggest_sampled(req, req->algorithm, req->n_obs + req->n_pending,
                                  out, 0, err, err_len);
    case BO_GP:
        bo_errf(err, err_len, "the gp algorithm is not available yet");
        return -1;
    }
    return -1;
}
