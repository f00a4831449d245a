/*
 * usecase_suggest.c - leasing trials to a worker: its own active trials
 * first, then new points within the study's budget, the default
 * configuration first until a live trial runs it, the rest from the study's
 * algorithm (engine.c) given the pending points, with the seed mixed from
 * the study's seed and its trial count.
 *
 * Order for one study: take the study's lock (registry), expire leases,
 * hand the worker its own active trials first, read the trials (a short
 * read transaction), compute the proposals with no transaction open, then
 * insert them in one write transaction. Other studies, and every read,
 * proceed meanwhile.
 */
#include "server/usecase.h"
#include "server/jsonw.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine.h"
#include "util/rng.h"
#include "util/strmap.h"
#include "util/util.h"

/* The new points of one suggestion, the arrays the store takes. */
typedef struct {
    size_t want, d;
    int with_default;           /* configs[0] is the default */
    double *configs;            /* want x d */
    store_new_trial *news;
    store_trial_origin *origins;
    char **params_text;
    int64_t *ids;
    engine_info info;
} suggest_batch;

static void batch_free(suggest_batch *b)
{
    for (size_t i = 0; b->params_text && i < b->want; i++)
        free(b->params_text[i]);
    free(b->params_text);
    free(b->news);
    free(b->origins);
    free(b->configs);
    free(b->ids);
    engine_info_free(&b->info);
}

void usecase_suggestion_free(usecase_suggestion *s)
{
    for (size_t i = 0; s->trials && i < s->count; i++)
        store_trial_clear(&s->trials[i]);
    free(s->trials);
    memset(s, 0, sizeof *s);
}

/* How many new points the budget allows out of want; sets done (and the
 * study's state) when the budget is spent. */
static int budget_allows(const usecase_env *env, const store_study *s, const study_def *sd,
                         size_t want, size_t *allowed, int *done, jv_error *e)
{
    int64_t c[TRIAL_N_STATES];
    char err[512] = "";
    if (store_study_counts(env->st, s->id, c, err, sizeof err) != STORE_OK)
        return usecase_fail_internal(e, "counting trials", err);
    *done = 0;
    *allowed = want;
    if (sd->budget < 0)
        return 0;
    if (usecase_budget_spent(sd->budget, c)) {
        *done = 1;
        if (strcmp(s->state, "done") != 0)
            store_study_set_state(env->st, s->id, "done", err, sizeof err);
    }
    int64_t left = sd->budget - usecase_budget_started(c);
    if (left < 0)
        left = 0;
    if ((int64_t)want > left)
        *allowed = (size_t)left;
    return 0;
}

/* The default configuration goes first, until a live trial runs it. */
static int default_first(const study_def *sd, const store_trials *hist)
{
    size_t d = space_size(sd->sp);
    if (!sd->default_config)
        return 0;
    for (size_t i = 0; i < hist->count; i++) {
        const store_trial *t = &hist->items[i];
        if (t->state != TRIAL_EXPIRED &&
            (t->is_default || (t->state == TRIAL_ACTIVE && t->n_config == d &&
                               space_config_equal(sd->sp, t->config, sd->default_config))))
            return 0;
    }
    return 1;
}

/* When the study's model cannot answer (model_err says why), the points
 * after the default come from the study's Sobol sequence instead, and the
 * trials say so (model "sobol", the reason, an explanation without a
 * prediction). Stored data that was accepted must never make suggest fail. */
static int batch_space_filling(const study_def *sd, const store_trials *hist, suggest_batch *b,
                               uint64_t seed, const char *model_err, jv_error *e)
{
    size_t first = b->with_default ? 1 : 0;
    study_def flat = *sd; /* a shallow copy: only the algorithm differs */
    flat.algorithm = STUDY_ALG_SOBOL;
    char err[512] = "";
    engine_info_free(&b->info);
    if (engine_suggest(&flat, hist, b->with_default ? sd->default_config : NULL, first,
                       b->want - first, seed, NULL, b->configs + first * b->d, &b->info, err,
                       sizeof err) != 0)
        return usecase_fail_internal(e, "computing suggestions", err);
    snprintf(b->info.reason, sizeof b->info.reason, "the %s model could not answer: %.100s",
             study_algorithm_name(sd->algorithm), model_err);
    if (engine_explain_space_filling(&b->info, b->want - first, err, sizeof err) != 0)
        return usecase_fail_internal(e, "computing suggestions", err);
    return 0;
}

/* Asks the study's algorithm for the points after the default, the
 * knowledge's note (when the stored knowledge could not be used) appended
 * to the model's reason. */
static int batch_compute(stats *env_stats, registry_entry *lock, const store_study *s,
                         const study_def *sd, const store_trials *hist, suggest_batch *b,
                         jv_error *e)
{
    size_t first = b->with_default ? 1 : 0;
    if (b->want <= first)
        return 0;
    engine_info *info = &b->info;
    char err[512] = "";
    uint64_t seed = rng_mix(sd->seed, (uint64_t)s->next_number);
    engine_context ctx = {.bo = registry_state(lock)};
    if (sd->algorithm == STUDY_ALG_BOGRAPH) {
        ctx.bograph = registry_bograph_state(lock);
        usecase_model_knowledge(lock, s, sd, &ctx.kn, info->reason, sizeof info->reason);
    }
    char note[sizeof info->reason];
    snprintf(note, sizeof note, "%s", info->reason);
    if (engine_suggest(sd, hist, b->with_default ? sd->default_config : NULL, first,
                       b->want - first, seed, &ctx, b->configs + first * b->d, info, err,
                       sizeof err) != 0 &&
        batch_space_filling(sd, hist, b, seed, err, e) != 0)
        return -1;
    if (env_stats) {
        /* the GP's Sobol design points count as model "sobol" (batch_rows) */
        size_t n = b->want - first, n_sobol = 0;
        for (size_t k = 0; info->sobol && k < n && k < info->n_explanation; k++)
            n_sobol += info->sobol[k];
        if (n_sobol)
            stats_record_model(env_stats, "sobol", "", n_sobol, 0, 0);
        if (n > n_sobol)
            stats_record_model(env_stats, info->model, info->reason, n - n_sobol,
                               info->fit_seconds, info->acq_seconds);
    }
    if (note[0]) { /* the stored knowledge could not be used */
        char both[2 * sizeof info->reason + 4];
        snprintf(both, sizeof both, "%s%s%s", info->reason, info->reason[0] ? "; " : "", note);
        both[sizeof info->reason - 1] = '\0';
        memcpy(info->reason, both, sizeof info->reason);
    }
    return 0;
}

/* The store's rows of the batch: parameters' JSON text and origins. */
static int batch_rows(const study_def *sd, suggest_batch *b, jv_error *e)
{
    for (size_t i = 0; i < b->want; i++) {
        json_t *p = study_params_json(sd, b->configs + i * b->d);
        b->params_text[i] = p ? jsonw_dumps(p, NULL) : NULL;
        json_decref(p);
        if (!b->params_text[i])
            return usecase_fail_internal(e, "encoding parameters", "out of memory");
        b->news[i].params = b->params_text[i];
        b->news[i].config = b->configs + i * b->d;
        b->news[i].n_config = b->d;
        b->news[i].is_default = b->with_default && i == 0;
        size_t k = i - (b->with_default ? 1 : 0);
        int sobol = !b->news[i].is_default && b->info.sobol && k < b->info.n_explanation &&
                    b->info.sobol[k];
        b->origins[i].model = b->news[i].is_default ? "default" : sobol ? "sobol" : b->info.model;
        b->origins[i].model_reason =
            !b->news[i].is_default && b->info.reason[0] ? b->info.reason : NULL;
        if (!b->news[i].is_default && k < b->info.n_explanation)
            b->origins[i].explanation = b->info.explanation[k];
    }
    return 0;
}

/* Distinct configurations among the active trials of hist: each raw
 * configuration written as hex text (its doubles' bytes, -0 as 0) into one
 * hash set, so the count is linear in the trials. (size_t)-1 when out of
 * memory. */
static size_t active_distinct(const study_def *sd, const store_trials *hist)
{
    size_t d = space_size(sd->sp), n_active = 0, klen = 16 * d + 1;
    for (size_t i = 0; i < hist->count; i++)
        n_active += hist->items[i].state == TRIAL_ACTIVE && hist->items[i].n_config == d;
    char *keys = malloc(n_active * klen + 1);
    strmap *set = strmap_new(n_active);
    size_t k = 0, distinct = (size_t)-1;
    if (!keys || !set)
        goto out;
    for (size_t i = 0; i < hist->count; i++) {
        const store_trial *t = &hist->items[i];
        if (t->state != TRIAL_ACTIVE || t->n_config != d)
            continue;
        char *key = keys + k++ * klen;
        for (size_t p = 0; p < d; p++) {
            double v = t->config[p] == 0 ? 0.0 : t->config[p]; /* -0 is 0 */
            const unsigned char *bytes = (const unsigned char *)&v;
            for (size_t j = 0; j < sizeof v; j++)
                snprintf(key + 2 * (p * sizeof v + j), 3, "%02x", bytes[j]);
        }
        if (strmap_put(set, key, i, NULL) < 0)
            goto out;
    }
    distinct = strmap_count(set);
out:
    strmap_free(set);
    free(keys);
    return distinct;
}

/* How many of want new configurations the space still has free: a finite
 * space smaller than the active trials plus want holds only its
 * configurations that no active trial runs (observed ones may be measured
 * again). */
static size_t free_configurations(const study_def *sd, const store_trials *hist, size_t want)
{
    double card = space_cardinality(sd->sp);
    size_t n_active = 0;
    for (size_t i = 0; i < hist->count; i++)
        n_active += hist->items[i].state == TRIAL_ACTIVE;
    if (!(card <= (double)(n_active + want)))
        return want;
    size_t held = active_distinct(sd, hist);
    if (held == (size_t)-1)
        return want; /* out of memory: the engine will say so */
    double left = card - (double)held;
    return left <= 0 ? 0 : left < (double)want ? (size_t)left : want;
}

/* Computes want new points (fewer when the space has fewer free) and stores
 * them leased to worker; their ids in b->ids. */
static int suggest_new(const usecase_env *env, registry_entry *lock, const store_study *s,
                       const study_def *sd, const char *worker, suggest_batch *b, jv_error *e)
{
    char err[512] = "";
    b->d = space_size(sd->sp);
    if (registry_history_refresh(lock, env->st, s->id, engine_needs_metrics(sd), err,
                                 sizeof err) != 0)
        return usecase_fail_internal(e, "reading trials", err);
    const store_trials *hist = registry_history(lock);
    b->want = free_configurations(sd, hist, b->want);
    if (b->want == 0) /* others hold every configuration: ask again later */
        return 0;
    b->configs = calloc(b->want * b->d + 1, sizeof *b->configs);
    b->news = calloc(b->want, sizeof *b->news);
    b->origins = calloc(b->want, sizeof *b->origins);
    b->params_text = calloc(b->want, sizeof *b->params_text);
    b->ids = calloc(b->want, sizeof *b->ids);
    if (!b->configs || !b->news || !b->origins || !b->params_text || !b->ids)
        return usecase_fail_internal(e, "suggest", "out of memory");
    b->with_default = default_first(sd, hist);
    if (b->with_default)
        memcpy(b->configs, sd->default_config, b->d * sizeof(double));
    if (batch_compute(env->stats, lock, s, sd, hist, b, e) != 0 || batch_rows(sd, b, e) != 0)
        return -1;
    double now = util_now();
    int rc = store_trials_insert_suggested(env->st, s->id, b->news, b->origins, b->want, worker,
                                           now, now + sd->lease_seconds, b->ids, err, sizeof err);
    if (rc == STORE_NOT_FOUND)
        return jv_fail(e, 404, "not_found", NULL, "study %lld was deleted", (long long)s->id);
    if (rc != STORE_OK)
        return usecase_fail_internal(e, "storing suggestions", err);
    return 0;
}

/* Appends the stored trials ids to out (re-read so the answer is what is stored). */
static int append_stored(const usecase_env *env, int64_t study_id, const int64_t *ids, size_t n,
                         usecase_suggestion *out, jv_error *e)
{
    char err[512] = "";
    for (size_t i = 0; i < n; i++) {
        int rc = store_trial_get(env->st, study_id, ids[i], 0, &out->trials[out->count], err,
                                 sizeof err);
        if (rc != STORE_OK)
            return usecase_fail_internal(e, "reading suggestions",
                                         rc == STORE_NOT_FOUND ? "trial vanished" : err);
        out->count++;
    }
    return 0;
}

/* Moves the worker's own active trials (at most count) into out. */
static int take_own(const usecase_env *env, int64_t study_id, const char *worker, size_t count,
                    usecase_suggestion *out, jv_error *e)
{
    store_trials own = {0};
    char err[512] = "";
    if (worker &&
        store_trials_of_worker(env->st, study_id, worker, &own, err, sizeof err) != STORE_OK)
        return usecase_fail_internal(e, "reading the worker's trials", err);
    size_t n_own = own.count < count ? own.count : count;
    for (size_t i = 0; i < n_own; i++) {
        out->trials[out->count++] = own.items[i];
        memset(&own.items[i], 0, sizeof own.items[i]);
    }
    store_trials_free(&own);
    return 0;
}

/* Nothing to hand out and not done: other workers hold the rest of the
 * budget, or every configuration of a small space. The answer only changes
 * when one of their trials finishes or a lease runs out, so ask again after
 * USECASE_RETRY_SECONDS, or the lease (rounded up) when shorter. */
static int retry_after(const study_def *sd)
{
    if (sd->lease_seconds < USECASE_RETRY_SECONDS) {
        double r = ceil(sd->lease_seconds);
        return r < 1 ? 1 : (int)r;
    }
    return USECASE_RETRY_SECONDS;
}

static int suggest_locked(const usecase_env *env, registry_entry *lock, int64_t study_id,
                          size_t count, const char *worker, usecase_suggestion *out, jv_error *e)
{
    store_study s;
    study_def sd;
    if (usecase_study_load(env, study_id, &s, &sd, e) != 0)
        return -1;
    suggest_batch b;
    memset(&b, 0, sizeof b);
    int rc = -1;
    out->trials = calloc(count, sizeof *out->trials);
    if (!out->trials) {
        usecase_fail_internal(e, "suggest", "out of memory");
        goto out;
    }
    if (take_own(env, s.id, worker, count, out, e) != 0 ||
        budget_allows(env, &s, &sd, count - out->count, &b.want, &out->done, e) != 0)
        goto out;
    if (b.want > 0 && (suggest_new(env, lock, &s, &sd, worker, &b, e) != 0 ||
                       append_stored(env, s.id, b.ids, b.want, out, e) != 0))
        goto out;
    if (out->count == 0 && !out->done)
        out->retry_after_seconds = retry_after(&sd);
    rc = 0;
out:
    batch_free(&b);
    study_def_free(&sd);
    store_study_clear(&s);
    return rc;
}

int usecase_suggest(const usecase_env *env, int64_t study_id, size_t count, const char *worker,
                    usecase_suggestion *out, jv_error *e)
{
    assert(env && out && e);
    assert(count >= 1 && count <= USECASE_MAX_COUNT);
    memset(out, 0, sizeof *out);
    char why[512] = "";
    registry_entry *lock = registry_lock(env->reg, study_id, why, sizeof why);
    if (!lock)
        return usecase_fail_internal(e, "locking the study", why);
    int rc = suggest_locked(env, lock, study_id, count, worker, out, e);
    registry_release(env->reg, lock);
    if (rc != 0)
        usecase_suggestion_free(out);
    return rc;
}
