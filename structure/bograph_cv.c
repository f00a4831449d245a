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

/* Cross-validation of the graph model against the plain GP: K folds of the
 * usable trials; on each, both are fitted to the other folds and predict
 * the held-out objectives from the configurations alone (the graph model
 * through its metrics). The score is the mean log predictive density, so
 * an overconfident model loses as it should. The graph's structure is the
 * one learnt on all trials; only the GPs are refitted. Run once per learnt
 * graph. 0, or -1 (out of memory or a failed fit: treated as not useful). */
int bg_cross_validate(const bograph_request *req, const bg_data *d, bg_graph *gr,
                      const preprocess_metric *pm, const double *Z)
{
    size_t n = d->n, k = gr->k, dim = d->dim_u, N = gr->N;
    size_t K = BG_CV_FOLDS;
    double *t = malloc((n ? n : 1) * sizeof *t), *Zf = malloc((n * k > 0 ? n * k : 1) * sizeof *Zf);
    double *Ut = malloc((n ? n : 1) * dim * sizeof *Ut), *yt = malloc((n ? n : 1) * sizeof *yt);
    gp **gps = calloc(N, sizeof *gps);
    gp *flat = gp_new(dim);
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
        if (model_fit(&m, d->U, req->base.X, Zf, t, n, rng_stream_seed(req->base.seed, 31 + f), sub,
                      sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        gp_options opt;
        gp_options_default(&opt);
        opt.n_restarts = bo_gp_restarts(nt);
        opt.seed = rng_stream_seed(req->base.seed, 37 + f);
        if (gp_fit(flat, Ut, yt, nt, &opt, sub, sizeof sub) != 0) {
            model_free(&m);
            goto done;
        }
        m.acq = BO_ACQ_UCB;
        double obj_noise = gp_noise_variance(m.nodes[m.obj].g);
        q = 0;
        for (size_t i = 0; i < n; i++) {
            if (!(d->use[i] && (q++ % K) == f))
                continue;
            const double *u = d->U + i * dim;
            model_predict_nodes(&m, u, nodev);
            for (size_t j = 0; j < k; j++) {
                double z = Z[i * k + j];
                if (isfinite(z) && isfinite(nodev[gr->p + j])) {
                    sse[gr->p + j] += (z - nodev[gr->p + j]) * (z - nodev[gr->p + j]);
                    sst[gr->p + j] += z * z; /* standardised: mean 0 */
                }
            }
            m.beta = 0;
            double mu = model_acq(&m, u);
            m.beta = 1;
            double sdg = model_acq(&m, u) - mu;
            double vg = sdg * sdg + obj_noise;
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
    if (gps)
        for (size_t v = 0; v < N; v++)
            gp_free(gps[v]);
    free(gps);
    gp_free(flat);
    free(t);
    free(Zf);
    free(Ut);
    free(yt);
    return rc;
}
