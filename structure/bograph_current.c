/*
 * bograph_current.c - the graph a bograph request uses: the state's while
 * it is current (same knowledge, constraints and parameters, not due for
 * relearning), else one learnt afresh; with the preprocessing that picks
 * the metrics (or keeps a reused graph's), and the preprocessed metrics
 * reordered to the graph's metric order.
 */
#include <stdlib.h>
#include <string.h>

#include "structure/bograph_current.h"
#include "structure/bograph_learn.h"
#include "structure/defaults.h"
#include "structure/knowledge.h"
#include "structure/preprocess.h"
#include "util/strmap.h"

/* Metric names the model must keep: those named by knowledge or by a
 * constraint (and present in the table), each once (a hash set: linear in
 * the knowledge). */
static size_t bg_forced(const bograph_request *req, const char **out, size_t cap)
{
    size_t n = 0;
    const knowledge *kn = req->kn;
    strmap *seen = strmap_new(cap);
    if (!seen)
        return 0;
#define BG_FORCE(name)                                                                     \
    do {                                                                                   \
        const char *s_ = (name);                                                           \
        if (n < cap && strmap_put(seen, s_, n, NULL) == 1)                                 \
            out[n++] = s_;                                                                 \
    } while (0)
    for (size_t i = 0; i < knowledge_n_edges(kn); i++) {
        const char *f, *t;
        knowledge_edge(kn, i, &f, &t);
        BG_FORCE(f);
        BG_FORCE(t);
    }
    for (size_t i = 0; i < knowledge_n_models(kn); i++) {
        const char *node, *formula;
        knowledge_model(kn, i, &node, &formula);
        BG_FORCE(node);
        for (size_t q = 0; q < knowledge_model_n_vars(kn, i); q++)
            BG_FORCE(knowledge_model_var(kn, i, q));
    }
    for (size_t c = 0; c < req->n_constraints; c++)
        BG_FORCE(req->constraints[c].metric);
#undef BG_FORCE
    strmap_free(seen);
    return n;
}

/* Runs preprocessing. When keep is not NULL (a graph being reused), only
 * those metric names are kept (forced), else the top-k are chosen. */
static int bg_preprocess(const bograph_request *req, const bg_data *d, char *const *keep,
                         size_t n_keep, preprocess_result *pr, char *err, size_t err_len)
{
    size_t p = d->p;
    const char **excluded = malloc((p + 1) * sizeof *excluded);
    const char **forced = malloc((n_keep + 4 * (knowledge_n_edges(req->kn) +
                                                knowledge_n_models(req->kn) + 16) +
                                  req->n_constraints + 16) *
                                 sizeof *forced);
    if (!excluded || !forced) {
        free(excluded);
        free(forced);
        bg_err(err, err_len, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < p; j++)
        excluded[j] = space_param_name(req->base.sp, j);
    size_t n_ex = p;
    if (req->objective_name)
        excluded[n_ex++] = req->objective_name;
    size_t n_forced;
    preprocess_options opt;
    preprocess_options_default(&opt);
    if (req->max_metrics)
        opt.top_k = req->max_metrics;
    if (keep) {
        for (size_t i = 0; i < n_keep; i++)
            forced[i] = keep[i];
        n_forced = n_keep;
        opt.top_k = 0;
    } else {
        n_forced = bg_forced(req, forced, 4 * (knowledge_n_edges(req->kn) +
                                               knowledge_n_models(req->kn) + 16) +
                                              req->n_constraints + 16);
    }
    int rc = preprocess_run(req->metric_names, req->n_metrics, req->metrics, req->base.n_obs, d->t,
                            d->use, forced, n_forced, excluded, n_ex, &opt, pr, err, err_len);
    free(excluded);
    free(forced);
    return rc;
}

/* The preprocessing result reordered to the graph's metric order: pm[j] and
 * Z[:, j] for graph metric j. -1 when a graph metric has no data now. */
static int bg_align(const bg_graph *gr, const preprocess_result *pr, size_t n,
                    preprocess_metric *pm, double *Z)
{
    for (size_t j = 0; j < gr->k; j++) {
        size_t found = pr->k;
        for (size_t q = 0; q < pr->k; q++)
            if (strcmp(pr->metrics[q].name, gr->names[gr->p + j]) == 0)
                found = q;
        if (found == pr->k)
            return -1;
        pm[j] = pr->metrics[found];
        for (size_t i = 0; i < n; i++)
            Z[i * gr->k + j] = pr->Z[i * pr->k + found];
    }
    return 0;
}

/* The graph to use for this request: the state's when current, else a new
 * one (stored in the state when there is one). *owned receives a graph the
 * caller must free (no state). NULL with a reason when none can be had. */
bg_graph *bg_current_graph(const bograph_request *req, const bg_data *d, preprocess_result *pr,
                           bg_graph **owned, double **Z_out, preprocess_metric **pm_out,
                           char *reason, size_t reason_len, int *hard_error, char *err,
                           size_t err_len)
{
    bograph_state *st = req->state;
    bg_graph *gr = st ? st->graph : NULL;
    /* Default schedule: a young graph is relearnt often (every 2 trials
     * at first), an established one every fifth of the trials it was
     * learnt on (every 10 at 50 trials, 20 at 100). */
    size_t relearn = req->relearn_every;
    if (relearn == 0 && gr) {
        relearn = gr->learned_at / BG_RELEARN_FRACTION;
        if (relearn < BG_RELEARN_MIN)
            relearn = BG_RELEARN_MIN;
    }
    *owned = NULL;
    *hard_error = 0;
    if (gr && (req->base.n_obs >= gr->learned_at + relearn || req->base.n_obs < gr->learned_at ||
               gr->kn_fp != knowledge_fingerprint(req->kn) || gr->cons_fp != bg_cons_fp(req) ||
               gr->p != d->p))
        gr = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (gr) {
            if (bg_preprocess(req, d, gr->names + gr->p, gr->k, pr, err, err_len) != 0) {
                *hard_error = 1;
                return NULL;
            }
        } else {
            if (bg_preprocess(req, d, NULL, 0, pr, err, err_len) != 0) {
                *hard_error = 1;
                return NULL;
            }
            if (pr->k == 0) {
                bg_err(reason, reason_len, "no metric passed preprocessing");
                return NULL;
            }
            char sub[256];
            gr = bg_learn(req, d, pr, sub, sizeof sub);
            if (!gr) {
                bg_err(reason, reason_len, "%s", sub);
                return NULL;
            }
            if (st) {
                /* Nodes whose parents did not change keep their GPs as
                 * warm starts (an out-of-memory there only loses them). */
                (void)bg_state_replace_graph(st, gr);
            } else {
                *owned = gr;
            }
        }
        double *Z = malloc((d->n * gr->k > 0 ? d->n * gr->k : 1) * sizeof *Z);
        preprocess_metric *pm = malloc((gr->k ? gr->k : 1) * sizeof *pm);
        if (!Z || !pm) {
            free(Z);
            free(pm);
            bg_err(err, err_len, "out of memory");
            *hard_error = 1;
            return NULL;
        }
        if (bg_align(gr, pr, d->n, pm, Z) == 0) {
            *Z_out = Z;
            *pm_out = pm;
            return gr;
        }
        /* A metric of the kept graph has no data any more: learn again. */
        free(Z);
        free(pm);
        preprocess_result_free(pr);
        if (*owned) {
            bg_graph_free(*owned);
            *owned = NULL;
        }
        gr = NULL;
    }
    bg_err(reason, reason_len, "the graph's metrics have no data");
    return NULL;
}
