/*
 * api_importance.c - GET /v1/studies/{id}/importance: model-based parameter
 * importance for the dashboard. A GP (bo/gp.h: Matern-5/2 ARD) is fitted to
 * the completed trials in the unit cube; a parameter's importance is the sum
 * of 1 / length-scale over its encoded coordinates (a categorical's one-hot
 * block), normalised to sum 1: a short length-scale means the objective
 * changes quickly along that parameter. Cached per study until a trial
 * changes. 404 while fewer than API_IMPORTANCE_MIN completed trials exist
 * (the dashboard then ranks parameters itself).
 */
#include "server/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo/gp.h"
#include "server/engine.h"
#include "server/jsonw.h"
#include "util/util.h"

#define API_IMPORTANCE_MIN 5
#define API_IMPORTANCE_MAX_FIT 300

static const char importance_description[] =
    "1 / length-scale of a GP with an ARD Matern-5/2 kernel fitted to the completed trials, "
    "summed over a categorical's one-hot coordinates, normalised to sum 1";

/* Computes the importance JSON text of the study's history, or NULL with a
 * reply set (404 too few trials, 500). */
static char *importance_compute(const study_def *sd, const store_trials *hist, api_response *res)
{
    size_t d = space_size(sd->sp), de = space_encoded_dim(sd->sp);
    size_t n = 0;
    for (size_t i = 0; i < hist->count; i++)
        n += hist->items[i].state == TRIAL_COMPLETED && hist->items[i].has_objective &&
             hist->items[i].n_config == d;
    if (n < API_IMPORTANCE_MIN) {
        api_reply_errorf(res, 404, "not_found", NULL,
                         "no importance yet: %zu completed trials, %d needed", n,
                         API_IMPORTANCE_MIN);
        return NULL;
    }
    double *X = malloc(n * de * sizeof *X), *y = malloc(n * sizeof *y);
    double *ls = malloc(de * sizeof *ls), *imp = calloc(d, sizeof *imp);
    gp *g = gp_new(de);
    char err[256] = "", *out = NULL;
    if (!X || !y || !ls || !imp || !g) {
        api_reply_internal(res, "importance", "out of memory");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < hist->count; i++) {
        const store_trial *t = &hist->items[i];
        if (t->state != TRIAL_COMPLETED || !t->has_objective || t->n_config != d)
            continue;
        space_encode(sd->sp, t->config, X + k * de);
        y[k++] = t->objective;
    }
    gp_options opt;
    gp_options_default(&opt);
    opt.seed = sd->seed;
    opt.max_fit_points = API_IMPORTANCE_MAX_FIT;
    if (gp_fit(g, X, y, n, &opt, err, sizeof err) != 0) {
        api_reply_internal(res, "fitting the GP for importance", err);
        goto done;
    }
    gp_lengthscales(g, ls);
    double total = 0;
    for (size_t p = 0; p < d; p++) {
        size_t first = 0, count = 0;
        space_param_encoded_span(sd->sp, p, &first, &count);
        for (size_t c = first; c < first + count && c < de; c++)
            if (ls[c] > 0 && isfinite(ls[c]))
                imp[p] += 1.0 / ls[c];
        total += imp[p];
    }
    /* by importance, largest first */
    size_t *order = malloc(d * sizeof *order);
    if (!order) {
        api_reply_internal(res, "importance", "out of memory");
        goto done;
    }
    for (size_t p = 0; p < d; p++)
        order[p] = p;
    for (size_t a = 1; a < d; a++)
        for (size_t b = a; b > 0 && imp[order[b]] > imp[order[b - 1]]; b--) {
            size_t tmp = order[b];
            order[b] = order[b - 1];
            order[b - 1] = tmp;
        }
    jsonw w;
    jsonw_init(&w);
    jsonw_lit(&w, "{\"method\":\"gp-ard-lengthscale\",\"description\":");
    jsonw_str(&w, importance_description);
    jsonw_lit(&w, ",\"at_trial\":");
    jsonw_int(&w, (int64_t)n);
    jsonw_lit(&w, ",\"importance\":[");
    for (size_t r = 0; r < d; r++) {
        size_t p = order[r];
        jsonw_lit(&w, r ? ",{\"name\":" : "{\"name\":");
        jsonw_str(&w, space_param_name(sd->sp, p));
        jsonw_lit(&w, ",\"value\":");
        jsonw_double(&w, total > 0 ? imp[p] / total : 1.0 / (double)d);
        jsonw_lit(&w, "}");
    }
    jsonw_lit(&w, "]}\n");
    free(order);
    out = jsonw_finish(&w, NULL);
    if (!out)
        api_reply_internal(res, "importance", "out of memory");
done:
    gp_free(g);
    free(X);
    free(y);
    free(ls);
    free(imp);
    return out;
}

void api_study_importance(service *svc, const api_request *req, api_response *res)
{
    int64_t study_id = api_parse_id(req->captures[0]);
    registry_entry *lock = study_id > 0 ? registry_lock(svc->reg, study_id) : NULL;
    store_study s;
    study_def sd;
    if (study_id > 0 && !lock) {
        api_reply_internal(res, "locking the study", "out of memory");
        return;
    }
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        goto unlock;
    char err[512] = "";
    if (registry_history_refresh(lock, svc->st, s.id, engine_needs_metrics(&sd), err,
                                 sizeof err) != 0) {
        api_reply_internal(res, "reading trials", err);
        goto out;
    }
    int64_t seq = registry_history_seq(lock);
    const char *cached = registry_cache_get(lock, seq);
    char *txt = cached ? strdup(cached) : importance_compute(&sd, registry_history(lock), res);
    if (txt) {
        if (!cached)
            registry_cache_set(lock, seq, txt);
        api_response_clear(res);
        res->status = 200;
        res->text = txt;
        res->text_len = strlen(txt);
        res->content_type = "application/json";
    }
out:
    study_def_free(&sd);
    store_study_clear(&s);
unlock:
    if (lock)
        registry_release(svc->reg, lock);
}
