/*
 * test_bograph_multi.c - bograph on two objectives (bograph_multi.h), on a
 * small system whose objectives share their metrics: parameters a..d in
 * [0, 1]; each trial reports queue_ms = 2a + noise (sd 0.05) and
 * lock_ms = 5 (b - 0.3)^2; latency = queue_ms + lock_ms + 0.2 c and
 * energy = (2 - queue_ms)^2 / 2 + lock_ms + 0.2 (1 - c), both minimised
 * (a and c trade one against the other); d does nothing. Like the engine,
 * the metric table carries the objectives too, edp = latency * energy and
 * slack_ms = 3 - latency, which the knowledge gives as formulas of them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "structure/bograph_multi.h"
#include "structure/graph_state.h"
#include "util/rng.h"

#define P 4
#define NM 6
#define BUDGET 30
#define FIRST_MODEL_TRIAL 12

static const char *const metric_names[NM] = {"queue_ms", "lock_ms", "latency", "energy", "edp",
                                                "slack_ms"};
static const char *const objectives[2] = {"latency", "energy"};
static const int maximize[2] = {0, 0};

typedef struct {
    double X[BUDGET * P], Y[BUDGET * 2], M[BUDGET * NM];
    size_t n;
    uint64_t noise;
} history;

static void run_trial(history *h)
{
    const double *x = h->X + h->n * P;
    double queue = 2 * x[0] + 0.05 * rng_normal(&h->noise);
    double lock = 5 * (x[1] - 0.3) * (x[1] - 0.3);
    double lat = queue + lock + 0.2 * x[2];
    double en = (2 - queue) * (2 - queue) / 2 + lock + 0.2 * (1 - x[2]);
    double *m = h->M + h->n * NM;
    m[0] = queue;
    m[1] = lock;
    m[2] = lat;
    m[3] = en;
    m[4] = lat * en;
    m[5] = 3 - lat;
    h->Y[h->n * 2] = lat;
    h->Y[h->n * 2 + 1] = en;
    h->n++;
}

static space *make_space(void)
{
    space *sp = space_new();
    const char *names[P] = {"a", "b", "c", "d"};
    for (int j = 0; j < P; j++)
        assert_int_equal(space_add_float(sp, names[j], 0, 1, 0, NULL, 0), 0);
    return sp;
}

static knowledge *make_knowledge(void)
{
    char err[160];
    knowledge *kn = knowledge_new();
    assert_non_null(kn);
    assert_int_equal(knowledge_add_model(kn, "edp", "latency * energy", err, sizeof err), 0);
    assert_int_equal(knowledge_add_model(kn, "slack_ms", "3 - latency", err, sizeof err), 0);
    return kn;
}

static void fill(bograph_multi_request *req, const space *sp, const history *h, uint64_t seed,
                 const knowledge *kn, bograph_state *st)
{
    bograph_multi_request_init(req, sp);
    req->one.base.X = h->X;
    req->one.base.n_obs = h->n;
    req->one.base.seed = seed;
    req->one.metric_names = metric_names;
    req->one.n_metrics = NM;
    req->one.metrics = h->M;
    req->one.kn = kn;
    req->one.state = st;
    req->n_objectives = 2;
    req->objectives = objectives;
    req->maximize = maximize;
    req->Y = h->Y;
}

/* A tuning run of BUDGET trials; returns how many suggestions after
 * FIRST_MODEL_TRIAL the graphs answered. Every proposal is valid and new. */
static size_t tune(const space *sp, uint64_t seed, history *h, bograph_state *st)
{
    knowledge *kn = make_knowledge();
    memset(h, 0, sizeof *h);
    h->noise = seed * 7 + 1;
    size_t from_graph = 0;
    for (size_t t = 0; t < BUDGET; t++) {
        bograph_multi_request req;
        fill(&req, sp, h, seed, kn, st);
        bograph_multi_info info;
        char err[256];
        double *x = h->X + h->n * P;
        if (bograph_suggest_multi(&req, x, &info, err, sizeof err) != 0)
            fail_msg("trial %zu: %s", t, err);
        assert_int_equal(space_validate(sp, x, err, sizeof err), 0);
        for (size_t i = 0; i < h->n; i++)
            assert_false(space_config_equal(sp, x, h->X + i * P));
        if (strcmp(info.model, BOGRAPH_MODEL_GRAPH) == 0) {
            assert_true(info.n_graph >= 1);
            assert_string_equal(info.reason, "");
            if (t >= FIRST_MODEL_TRIAL)
                from_graph++;
        } else {
            assert_string_equal(info.model, BOGRAPH_MODEL_GP);
            assert_true(info.reason[0] != '\0');
        }
        if (t >= 1 && t < 5) /* before a graph can be learnt, the GP path says why */
            assert_non_null(strstr(info.reason, "needed with metrics"));
        run_trial(h);
    }
    knowledge_free(kn);
    return from_graph;
}

static void graphs_answer_and_leave_out_outcomes(void **state)
{
    (void)state;
    space *sp = make_space();
    bograph_state *st = bograph_state_new();
    history h;
    size_t from_graph = tune(sp, 5, &h, st);
    printf("the graphs answered %zu of %d suggestions\n", from_graph,
           BUDGET - FIRST_MODEL_TRIAL);
    assert_true(2 * from_graph > BUDGET - FIRST_MODEL_TRIAL);
    /* each objective's graph leaves out the other objective and the
     * knowledge's descendants of its own objective (edp, slack_ms) */
    for (size_t j = 0; j < 2; j++) {
        assert_non_null(st->objective[j]);
        bograph_graph g;
        char err[160];
        assert_int_equal(bograph_state_graph(st->objective[j], &g, err, sizeof err), 0);
        assert_true(g.learned_at_trial > 0);
        int has_own = 0;
        for (size_t v = 0; v < g.n_nodes; v++) {
            assert_string_not_equal(g.nodes[v].name, objectives[1 - j]);
            assert_string_not_equal(g.nodes[v].name, "edp");
            if (j == 0) /* a known descendant of latency, no mediator of it */
                assert_string_not_equal(g.nodes[v].name, "slack_ms");
            has_own |= g.nodes[v].kind == BOGRAPH_NODE_OBJECTIVE &&
                       strcmp(g.nodes[v].name, objectives[j]) == 0;
        }
        assert_true(has_own);
        bograph_graph_free(&g);
    }
    bograph_state_free(st);
    space_free(sp);
}

/* A batch with a pending point: distinct proposals, none pending or
 * observed, the same for the same seed (fresh states), another seed
 * proposes otherwise. */
static void batch_distinct_and_deterministic(void **state)
{
    (void)state;
    space *sp = make_space();
    bograph_state *st0 = bograph_state_new();
    history h;
    tune(sp, 2, &h, st0);
    bograph_state_free(st0);
    knowledge *kn = make_knowledge();
    double pending[P] = {0.1, 0.3, 0.5, 0.5};
    double out[3][3 * P];
    bograph_explain ex[3];
    bo_explain bx[3];
    uint64_t seeds[3] = {11, 11, 12};
    for (int r = 0; r < 3; r++) {
        bograph_state *st = bograph_state_new();
        bograph_multi_request req;
        fill(&req, sp, &h, seeds[r], kn, st);
        req.one.base.pending = pending;
        req.one.base.n_pending = 1;
        req.one.base.count = 3;
        req.one.explain = ex;
        req.one.base.explain = bx;
        memset(ex, 0, sizeof ex);
        memset(bx, 0, sizeof bx);
        bograph_multi_info info;
        char err[256];
        if (bograph_suggest_multi(&req, out[r], &info, err, sizeof err) != 0)
            fail_msg("%s", err);
        assert_string_equal(info.model, BOGRAPH_MODEL_GRAPH);
        for (int k = 0; k < 3; k++) {
            const double *x = out[r] + k * P;
            assert_int_equal(space_validate(sp, x, err, sizeof err), 0);
            assert_false(space_config_equal(sp, x, pending));
            for (int q = 0; q < k; q++)
                assert_false(space_config_equal(sp, x, out[r] + q * P));
            for (size_t i = 0; i < h.n; i++)
                assert_false(space_config_equal(sp, x, h.X + i * P));
            assert_true(ex[k].from_model);
            assert_true(isfinite(ex[k].mean) && ex[k].sd >= 0);
            assert_true(ex[k].n_nodes >= 1);
            assert_true(bx[k].from_model && bx[k].mean == ex[k].mean);
        }
        bograph_state_free(st);
    }
    assert_memory_equal(out[0], out[1], sizeof out[0]);
    assert_memory_not_equal(out[0], out[2], sizeof out[0]);
    knowledge_free(kn);
    space_free(sp);
}

/* Three objectives (the third: lock_ms + d, minimised): the graphs answer
 * through the Monte-Carlo EHVI, a batch of two distinct new points. */
static void three_objectives_monte_carlo(void **state)
{
    (void)state;
    space *sp = make_space();
    bograph_state *st0 = bograph_state_new();
    history h;
    tune(sp, 3, &h, st0);
    bograph_state_free(st0);
    static const char *const names3[3] = {"latency", "energy", "lock_d"};
    static const int max3[3] = {0, 0, 0};
    double Y3[BUDGET * 3];
    for (size_t i = 0; i < h.n; i++) {
        Y3[i * 3] = h.Y[i * 2];
        Y3[i * 3 + 1] = h.Y[i * 2 + 1];
        Y3[i * 3 + 2] = h.M[i * NM + 1] + h.X[i * P + 3];
    }
    bograph_state *st = bograph_state_new();
    bograph_multi_request req;
    fill(&req, sp, &h, 8, NULL, st);
    req.n_objectives = 3;
    req.objectives = names3;
    req.maximize = max3;
    req.Y = Y3;
    req.one.base.count = 2;
    double out[2 * P];
    bograph_multi_info info;
    char err[256];
    if (bograph_suggest_multi(&req, out, &info, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_string_equal(info.model, BOGRAPH_MODEL_GRAPH);
    assert_true(info.n_graph >= 1);
    assert_false(space_config_equal(sp, out, out + P));
    for (int k = 0; k < 2; k++) {
        assert_int_equal(space_validate(sp, out + k * P, err, sizeof err), 0);
        for (size_t i = 0; i < h.n; i++)
            assert_false(space_config_equal(sp, out + k * P, h.X + i * P));
    }
    bograph_state_free(st);
    space_free(sp);
}

/* Too few trials, or no metric besides the objectives: the GP path,
 * saying why. */
static void gp_path_with_reason(void **state)
{
    (void)state;
    space *sp = make_space();
    history h;
    memset(&h, 0, sizeof h);
    h.noise = 3;
    uint64_t s = 9;
    for (int i = 0; i < 14; i++) {
        for (int j = 0; j < P; j++)
            h.X[h.n * P + j] = rng_unit(&s);
        run_trial(&h);
    }
    bograph_multi_request req;
    fill(&req, sp, &h, 4, NULL, NULL);
    req.one.n_metrics = 2;
    static const char *const only_objectives[2] = {"latency", "energy"};
    double tab[14 * 2];
    for (int i = 0; i < 14; i++) {
        tab[i * 2] = h.Y[i * 2];
        tab[i * 2 + 1] = h.Y[i * 2 + 1];
    }
    req.one.metric_names = only_objectives;
    req.one.metrics = tab;
    double out[P];
    bograph_multi_info info;
    char err[256];
    assert_int_equal(bograph_suggest_multi(&req, out, &info, err, sizeof err), 0);
    assert_string_equal(info.model, BOGRAPH_MODEL_GP);
    assert_string_equal(info.reason, "the trials report no metrics");
    assert_int_equal(space_validate(sp, out, err, sizeof err), 0);
    /* one objective is not a study of several */
    req.n_objectives = 1;
    assert_int_equal(bograph_suggest_multi(&req, out, &info, err, sizeof err), -1);
    space_free(sp);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(graphs_answer_and_leave_out_outcomes),
        cmocka_unit_test(batch_distinct_and_deterministic),
        cmocka_unit_test(three_objectives_monte_carlo),
        cmocka_unit_test(gp_path_with_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
