/*
 * bograph_cv.c - cross-validation of a learnt bograph graph against the
 * plain GP: the held-out log predictive density of both models, and the
 * held-out R^2 of each metric node from its parents.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/gp.h"
#include "bo/suggest.h"
#include "structure/blend.h"
#include "structure/bograph_cv.h"
#include "structure/defaults.h"
#include "structure/model.h"
#include "util/rng.h"

/* Fits the graph model (node GPs in gps) and the plain GP (flat) on every
 * usable trial: the hyperparameters the folds keep when the trials are many
 * (bg_cross_validate). 0, or -1. */
static int cv_fit_all(const bograph_request *req, const bg_data *d, bg_graph *gr,
                      const preprocess_metric *pm, const double *Z, gp **gps, gp *flat,
                      double *Ut, double *yt)
{
    model m;
    char sub[256];
    if (model_init(&m, req->base.sp, gr->g, pm, gr->k, (const char *const *)gr->names, req->kn,
                   gps, req->base.maximize, BG_CV_SAMPLES, rng_stream_seed(req->base.seed, 29), sub,
                   sizeof sub) != 0)
        return -1;
    int rc = model_fit(&m, d->U, req->base.X, Z, d->t, d->n,
                       rng_stream_seed(req->base.seed, req->base.n_obs), sub, sizeof sub);
    model_free(&m);
    size_t nt = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->use[i]) {
            memcpy(Ut + nt * d->dim_u, d->U + i * d->dim_u, d->dim_u * sizeof *Ut);
            yt[nt++] = d->t[i];
        }
    gp_options opt;
    gp_options_default(&opt);
    opt.n_restarts = bo_gp_restarts(nt);
    opt.seed = rng_stream_seed(req->base.seed, 37);
    if (rc == 0 && gp_fit(flat, Ut, yt, nt, &opt, sub, sizeof sub) != 0)
        rc = -1;
    return rc;
}

/* Cross-validation of the graph model against the plain GP: K folds of the
 * usable trials; on each, both are fitted to the other folds and predict
 * the held-out objectives from the configurations alone (the graph model
 * through its metrics). The score is the mean log predictive density, so
 * an overconfident model loses as it should. The graph's structure is the
 * one learnt on all trials; only the GPs are refitted. Run once per learnt
 * graph. With BG_CV_KEEP_HYPER_MIN trials or more in a training fold, both
 * models are fitted once on every trial, into the caller's slots (gps: the
 * graph's N nodes; flat), and each fold keeps those hyperparameters and
 * only refactors: the caller's own fit then starts from them. 0, or -1
 * (out of memory or a failed fit: treated as not useful). */
int bg_cross_validate(const bograph_request *req, const bg_data *d, bg_graph *gr,
                      const preprocess_metric *pm, const double *Z, gp **slots, gp **flat_slot)
{
    size_t n = d->n, k = gr->k, dim = d->dim_u, N = gr->N;
    size_t K = BG_CV_FOLDS;
    double *t = malloc((n ? n : 1) * sizeof *t), *Zf = malloc((n * k > 0 ? n * k : 1) * sizeof *Zf);
    double *Ut = malloc((n ? n : 1) * dim * sizeof *Ut), *yt = malloc((n ? n : 1) * sizeof *yt);
    size_t n_use = 0;
    for (size_t i = 0; i < n; i++)
        n_use += d->use[i] != 0;
    int keep_hyper = slots && flat_slot && n_use - (n_use + K - 1) / K >= BG_CV_KEEP_HYPER_MIN;
    gp **gps = keep_hyper ? slots : calloc(N, sizeof *gps);
    if (keep_hyper && *flat_slot && gp_dim(*flat_slot) != dim) {
        gp_free(*flat_slot);
        *flat_slot = NULL;
    }
    if (keep_hyper && !*flat_slot)
        *flat_slot = gp_new(dim);
    gp *flat = keep_hyper ? *flat_slot : gp_new(dim);
    double *nodev = malloc(N * sizeof *nodev), *sse = calloc(N, sizeof *sse);
    double *sst = calloc(N, sizeof *sst);
    double *lg = malloc((n ? n : 1) * sizeof *lg), *lf = malloc((n ? n : 1) * sizeof *lf);
    double sg = 0, sf = 0;
    size_t cnt = 0;
    int rc = -1;
    if (!gr->cv_r2)
        gr->cv_r2 = malloc(N * sizeof *gr->cv_r2);
    if (!t || !Zf || !Ut || !yt || !gps || !flat || !nodev || !sse || !sst || !lg || !lf ||
        !gr->cv_r2)
        goto done;
    if (keep_hyper && cv_fit_all(req, d, gr, pm, Z, gps, flat, Ut, yt) != 0)
        goto done;
    for (size_t f = 0; f < K; f++) {
        size_t nt = 0, q = 0;
        for (size_t i = 0; i < n; i++) {
            int held = d->use[i] && (q++ % K) == f;
            t[i] = held ? NAN : d->t[i];
            for (size_t j = 0; j < k; j++)
                Zf[i * k + j] = held ? NAN : Z[i * k + j];
            if (!held && d->use[i]) {
                memcpy(Ut + nt * dim, d->U + i * dim, dim * sizeof *Ut);
                yt[nt++] = d->t[i];
            }
        }
        if (nt < 3)
            continue;
        model m;
        char sub[256];
        if (model_init(&m, req->base.sp, gr->g, pm, k, (const char *const *)gr->names, req->kn, gps,
                       req->base.maximize, BG_CV_SAMPLES, rng_stream_seed(req->base.seed, 29 + f), sub,
                       sizeof sub) != 0)
            goto done;
        m.keep_hyper = keep_hyper;
        if (model_fit(&m, d->U, req->base.X, Zf, t, n, rng_stream_seed(req->base.seed, 31 + f), sub,
                      sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        gp_options opt;
        gp_options_default(&opt);
        opt.n_restarts = bo_gp_restarts(nt);
        opt.seed = rng_stream_seed(req->base.seed, 37 + f);
        opt.optimize = !keep_hyper;
        if (gp_fit(flat, Ut, yt, nt, &opt, sub, sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        double obj_noise = gp_noise_variance(m.nodes[m.obj].g);
        q = 0;
        for (size_t i = 0; i < n; i++) {
            if (!(d->use[i] && (q++ % K) == f))
                continue;
            const double *u = d->U + i * dim;
            double mu, vo;
            model_predict_nodes(&m, u, nodev, &mu, &vo);
            for (size_t j = 0; j < k; j++) {
                double z = Z[i * k + j];
                if (isfinite(z) && isfinite(nodev[gr->p + j])) {
                    sse[gr->p + j] += (z - nodev[gr->p + j]) * (z - nodev[gr->p + j]);
                    sst[gr->p + j] += z * z; /* standardised: mean 0 */
                }
            }
            double vg = vo + obj_noise;
            double fm, fv;
            gp_predict(flat, u, &fm, &fv, NULL, NULL);
            fv = (fv > 0 ? fv : 0) + gp_noise_variance(flat);
            double eg = d->t[i] - mu, ef = d->t[i] - fm;
            lg[cnt] = -0.5 * log(2 * M_PI * vg) - 0.5 * eg * eg / vg;
            lf[cnt] = -0.5 * log(2 * M_PI * fv) - 0.5 * ef * ef / fv;
            sg += lg[cnt];
            sf += lf[cnt];
            cnt++;
        }
        model_free(&m);
    }
    if (cnt == 0)
        goto done;
    gr->cv_graph = sg / (double)cnt;
    gr->cv_flat = sf / (double)cnt;
    gr->cv_weight = blend_stacking_weight(lg, lf, cnt);
    for (size_t v = 0; v < N; v++)
        gr->cv_r2[v] = sst[v] > 0 ? 1 - sse[v] / sst[v] : NAN;
    rc = 0;
done:
    free(nodev);
    free(lg);
    free(lf);
    free(sse);
    free(sst);
    if (!keep_hyper) {
        if (gps)
            for (size_t v = 0; v < N; v++)
                gp_free(gps[v]);
        free(gps);
        gp_free(flat);
    }
    free(t);
    free(Zf);
    free(Ut);
    free(yt);
    return rc;
}
