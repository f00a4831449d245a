/*
 * usecase_import.c - warm start: trials run elsewhere (by hand, by another
 * tuner) stored as finished, counted against the budget, and recognised as
 * the default when they run the default configuration. A bulk import is all
 * or nothing (one transaction); an item with a key the study already holds
 * is answered with the stored trial, so a retried import stores nothing
 * twice.
 */
#include "server/usecase.h"
#include "server/jsonw.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The store's row of one item: params text (malloc'd into *text). */
static int item_row(const study_def *sd, const usecase_import_item *it, store_new_trial *nt,
                    char **text)
{
    json_t *p = study_params_json(sd, it->config);
    *text = p ? jsonw_dumps(p, NULL) : NULL;
    json_decref(p);
    nt->params = *text;
    nt->config = it->config;
    nt->n_config = space_size(sd->sp);
    nt->is_default = sd->default_config && space_config_equal(sd->sp, it->config, sd->default_config);
    return *text ? 0 : -1;
}

/* Reads the n stored trials back into out->items (as the answer). */
static int read_back(const usecase_env *env, const store_study *s, const int64_t *ids, size_t n,
                     store_trials *out, jv_error *e)
{
    out->items = calloc(n ? n : 1, sizeof *out->items);
    out->count = 0;
    if (!out->items)
        return usecase_fail_internal(e, "importing trials", "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (usecase_trial_get(env, s->id, ids[i], 0, &out->items[i], e) != 0) {
            store_trials_free(out);
            return -1;
        }
        out->count++;
    }
    return 0;
}

int usecase_import_many(const usecase_env *env, const store_study *s, const study_def *sd,
                        const usecase_import_item *items, size_t n, store_trials *out,
                        size_t *n_new, jv_error *e)
{
    assert(env && s && sd && (items || n == 0) && out && e);
    memset(out, 0, sizeof *out);
    if (n_new)
        *n_new = 0;
    for (size_t i = 0; i < n; i++)
        if (usecase_result_check(sd, items[i].r, e) != 0)
            return -1;
    store_new_trial *rows = calloc(n ? n : 1, sizeof *rows);
    store_import *imp = calloc(n ? n : 1, sizeof *imp);
    char **texts = calloc(n ? n : 1, sizeof *texts);
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    unsigned char *existed = calloc(n ? n : 1, 1);
    char err[512] = "";
    int rc = rows && imp && texts && ids && existed ? STORE_OK
                                                    : util_err(err, sizeof err, "out of memory");
    for (size_t i = 0; rc == STORE_OK && i < n; i++) {
        if (item_row(sd, &items[i], &rows[i], &texts[i]) != 0)
            rc = util_err(err, sizeof err, "out of memory");
        imp[i] = (store_import){.trial = &rows[i], .worker = items[i].worker,
                                .res = items[i].r, .key = items[i].key};
    }
    if (rc == STORE_OK)
        rc = store_trials_import(env->st, s->id, imp, n, util_now(), ids, existed, err,
                                 sizeof err);
    int ret;
    if (rc == STORE_OK) {
        for (size_t i = 0; n_new && i < n; i++)
            *n_new += !existed[i];
        ret = read_back(env, s, ids, n, out, e);
        usecase_budget_update(env, s, sd);
    } else if (rc == STORE_NOT_FOUND) {
        ret = jv_fail(e, 404, "not_found", NULL, "study %lld was deleted", (long long)s->id);
    } else {
        ret = usecase_fail_internal(e, "importing trials", err);
    }
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(rows);
    free(imp);
    free(ids);
    free(existed);
    return ret;
}

int usecase_import(const usecase_env *env, const store_study *s, const study_def *sd,
                   const double *config, const char *worker, const store_result *r,
                   store_trial *out, jv_error *e)
{
    assert(env && s && sd && config && r && out && e);
    usecase_import_item it = {.config = config, .worker = worker, .r = r};
    store_trials got;
    if (usecase_import_many(env, s, sd, &it, 1, &got, NULL, e) != 0)
        return -1;
    *out = got.items[0];
    free(got.items);
    return 0;
}
