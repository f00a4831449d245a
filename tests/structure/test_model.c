/*
 * test_model.c - the graph model on a small known system (p0, p1 -> m0;
 * p2 -> m1; m0, m1 -> objective): fitted node GPs predict the metrics,
 * propagation gives a sensible objective, the analytic gradient of the
 * Monte-Carlo LogEI and UCB (with and without a constraint, with the
 * linear mean) matches central differences, fantasies change the model,
 * and a parametric node uses its formula.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "structure/constraint_op.h"
#include "structure/model.h"

#define P 3
#define K 2
#define NN (P + K + 1)
#define NOBS 40

static uint64_t rng = 99;

static double urand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double f_m0(const double *x)
{
    return 1 + (x[0] - 0.3) * (x[0] - 0.3) * 4 + x[1];
}

static double f_m1(const double *x)
{
    return 2 + sin(3 * x[2]);
}

typedef struct {
    space *sp;
    dag *g;
    preprocess_metric pm[K];
    double X[NOBS * P], U[NOBS * P], Z[NOBS * K], t[NOBS], raw[NOBS * K];
    gp *gps[NN];
    const char *names[NN];
} fixture;

static void setup(fixture *f, int with_formula)
{
    memset(f, 0, sizeof *f);
    f->sp = space_new();
    assert_int_equal(space_add_float(f->sp, "p0", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(f->sp, "p1", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(f->sp, "p2", 0, 1, 0, NULL, 0), 0);
    f->g = dag_new(NN);
    for (size_t v = 0; v < P; v++)
        f->g->kind[v] = DAG_PARAM;
    f->g->kind[NN - 1] = DAG_OBJECTIVE;
    dag_set_edge(f->g, 0, 3, 1, DAG_LEARNED);
    dag_set_edge(f->g, 1, 3, 1, DAG_LEARNED);
    dag_set_edge(f->g, 2, 4, 1, DAG_LEARNED);
    dag_set_edge(f->g, 3, 5, 1, with_formula ? DAG_EXPERT : DAG_LEARNED);
    dag_set_edge(f->g, 4, 5, 1, with_formula ? DAG_EXPERT : DAG_LEARNED);
    const char *names[NN] = {"p0", "p1", "p2", "m0", "m1", "obj"};
    memcpy(f->names, names, sizeof names);
    for (size_t i = 0; i < NOBS; i++) {
        double *x = f->X + i * P;
        for (size_t j = 0; j < P; j++)
            x[j] = urand();
        space_encode(f->sp, x, f->U + i * P);
        f->raw[i * K] = f_m0(x) * (1 + 0.01 * (urand() - 0.5));
        f->raw[i * K + 1] = f_m1(x) * (1 + 0.01 * (urand() - 0.5));
        /* maximise -(m0 * m1) */
        f->t[i] = -(f_m0(x) * f_m1(x));
    }
    for (size_t j = 0; j < K; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < NOBS; i++)
            s += f->raw[i * K + j];
        double m = s / NOBS;
        for (size_t i = 0; i < NOBS; i++)
            ss += (f->raw[i * K + j] - m) * (f->raw[i * K + j] - m);
        f->pm[j].name = (char *)names[P + j];
        f->pm[j].mean = m;
        f->pm[j].sd = sqrt(ss / (NOBS - 1));
        for (size_t i = 0; i < NOBS; i++)
            f->Z[i * K + j] = preprocess_to_std(&f->pm[j], f->raw[i * K + j]);
    }
}

static void teardown(fixture *f)
{
    for (size_t v = 0; v < NN; v++)
        gp_free(f->gps[v]);
    dag_free(f->g);
    space_free(f->sp);
}

static void check_gradient(model *m, const double *u)
{
    double g[P], v[P];
    double val = model_acq_grad(m, u, g);
    double plain = model_acq(m, u);
    assert_true(fabs(val - plain) < 1e-8 * fmax(1, fabs(val)));
    for (size_t k = 0; k < P; k++) {
        memcpy(v, u, sizeof v);
        double h = 1e-6;
        v[k] = u[k] + h;
        double fp = model_acq(m, v);
        v[k] = u[k] - h;
        double fm = model_acq(m, v);
        double fd = (fp - fm) / (2 * h);
        if (fabs(fd - g[k]) > 1e-4 * fmax(1, fabs(fd)))
            fail_msg("d/du%zu: analytic %.8g, differences %.8g", k, g[k], fd);
    }
}

static void test_fit_predict_gradient(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 0);
    model m;
    char err[256];
    assert_int_equal(model_init(&m, f.sp, f.g, f.pm, K, f.names, NULL, f.gps, 1, 32, 7, err,
                                sizeof err),
                     0);
    assert_int_equal(model_fit(&m, f.U, f.X, f.Z, f.t, NOBS, 3, err, sizeof err), 0);
    assert_true(model_has_gradient(&m));
    /* The metric node (linear trend plus GP) predicts m0 at a new point. */
    double x[P] = {0.8, 0.2, 0.5}, u[P], nodes[NN];
    space_encode(f.sp, x, u);
    double obj_mean, obj_var;
    model_predict_nodes(&m, u, nodes, &obj_mean, &obj_var);
    assert_true(fabs(preprocess_from_std(&f.pm[0], nodes[3]) - f_m0(x)) < 0.1);
    /* UCB with beta 0 is the propagated mean: close to the truth. */
    m.acq = BO_ACQ_UCB;
    m.beta = 0;
    double mean = model_acq(&m, u);
    assert_true(fabs(mean - (-(f_m0(x) * f_m1(x)))) < 0.5);
    /* The objective's moments from model_predict_nodes are UCB's (and
     * model_moments_batch's) at the same point. */
    m.beta = 1;
    double upper = model_acq(&m, u), bmean, bvar;
    model_moments_batch(&m, u, 1, &bmean, &bvar, NULL);
    assert_true(obj_var > 0);
    assert_true(fabs(obj_mean - mean) <= 1e-12 * fmax(1, fabs(mean)));
    assert_true(fabs(obj_mean + sqrt(obj_var) - upper) <= 1e-9 * fmax(1, fabs(upper)));
    assert_true(fabs(obj_mean - bmean) <= 1e-12 * fmax(1, fabs(bmean)));
    assert_true(fabs(obj_var - bvar) <= 1e-12 * fmax(1, bvar));
    m.beta = 0;
    /* Better where the truth is better. */
    double good[P] = {0.3, 0.0, 0.99}, bad[P] = {0.99, 1.0, 0.5}, ug[P], ub[P];
    space_encode(f.sp, good, ug);
    space_encode(f.sp, bad, ub);
    assert_true(model_acq(&m, ug) > model_acq(&m, ub));

    double pts[3][P] = {{0.2, 0.4, 0.7}, {0.9, 0.1, 0.3}, {0.5, 0.5, 0.5}};
    m.beta = 2;
    for (int i = 0; i < 3; i++)
        check_gradient(&m, pts[i]);
    m.acq = BO_ACQ_LOGEI;
    m.has_best = 1;
    m.best = -3.0;
    for (int i = 0; i < 3; i++)
        check_gradient(&m, pts[i]);
    /* A constraint on m1 (m1 <= 2.5) multiplies in its probability. */
    double before = model_acq(&m, pts[0]);
    assert_int_equal(model_add_constraint(&m, 4, CONSTRAINT_OP_LE, 2.5), 0);
    for (int i = 0; i < 3; i++)
        check_gradient(&m, pts[i]);
    assert_true(model_acq(&m, pts[0]) <= before + 1e-12);
    /* Batch and single evaluation agree. */
    double vals[3];
    model_acq_batch(&m, &pts[0][0], 3, vals);
    for (int i = 0; i < 3; i++)
        assert_true(fabs(vals[i] - model_acq(&m, pts[i])) < 1e-9 * fmax(1, fabs(vals[i])));
    /* A fantasy at a point shrinks the objective's uncertainty there. */
    m.acq = BO_ACQ_UCB;
    m.n_cons = 0;
    m.beta = 0;
    double mean0 = model_acq(&m, pts[2]);
    m.beta = 1;
    double sd0 = model_acq(&m, pts[2]) - mean0;
    double fm;
    assert_int_equal(model_add_fantasy(&m, pts[2], &fm, err, sizeof err), 0);
    assert_true(fabs(fm - mean0) < 0.2 * fmax(1, fabs(mean0)));
    m.beta = 0;
    double mean1 = model_acq(&m, pts[2]);
    m.beta = 1;
    double sd1 = model_acq(&m, pts[2]) - mean1;
    assert_true(sd1 < sd0);
    model_free(&m);
    teardown(&f);
}

/* Initialises and fits the model of f's graph (16 samples). */
static void fit(fixture *f, model *m)
{
    char err[256];
    if (model_init(m, f->sp, f->g, f->pm, K, f->names, NULL, f->gps, 1, 16, 7, err,
                   sizeof err) != 0 ||
        model_fit(m, f->U, f->X, f->Z, f->t, NOBS, 3, err, sizeof err) != 0)
        fail_msg("model: %s", err);
}

/* The gradient at two points, with an incumbent. */
static void check_two_gradients(model *m)
{
    m->has_best = 1;
    m->best = -4.0;
    double pts[2][P] = {{0.1, 0.9, 0.2}, {0.6, 0.3, 0.8}};
    for (int i = 0; i < 2; i++)
        check_gradient(m, pts[i]);
}

static void test_linear_mean_gradient(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 0);
    model m;
    fit(&f, &m);
    /* 40 trials, 2 inputs: every node has a linear mean. */
    assert_non_null(m.nodes[5].beta);
    assert_non_null(m.nodes[3].beta);
    assert_non_null(m.nodes[4].beta);
    check_two_gradients(&m);
    model_free(&m);
    teardown(&f);
}

/* An objective with parameters and metrics as parents (as while trials
 * are few): its linear trend has slopes on the metric columns only, and
 * the gradient stays exact. */
static void test_objective_trend_on_metrics(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 0);
    for (size_t j = 0; j < P; j++)
        dag_set_edge(f.g, j, 5, 0, DAG_LEARNED);
    model m;
    fit(&f, &m);
    const model_node *obj = &m.nodes[5];
    assert_int_equal(obj->dim, P + K);
    assert_non_null(obj->beta);
    size_t metric_cols = 0;
    for (size_t a = 0, o = 0; a < obj->n_par; a++, o++) {
        if (obj->par[a] < P) {
            assert_true(obj->beta[1 + o] == 0);
            assert_true(obj->lin_cov[o * obj->dim + o] == 0);
        } else {
            assert_true(obj->beta[1 + o] != 0);
            assert_true(obj->lin_cov[o * obj->dim + o] > 0);
            metric_cols++;
        }
    }
    assert_int_equal(metric_cols, K);
    check_two_gradients(&m);
    model_free(&m);
    teardown(&f);
}

static void test_formula_node(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1);
    char err[256];
    const char *nodes[] = {"obj"};
    const char *formulas[] = {"-(m0 * m1)"};
    knowledge *kn = knowledge_from_arrays(NULL, 0, NULL, 0, nodes, formulas, 1, err, sizeof err);
    assert_non_null(kn);
    model m;
    assert_int_equal(model_init(&m, f.sp, f.g, f.pm, K, f.names, kn, f.gps, 1, 32, 7, err,
                                sizeof err),
                     0);
    assert_non_null(m.nodes[5].f);
    assert_false(model_has_gradient(&m));
    assert_int_equal(model_fit(&m, f.U, f.X, f.Z, f.t, NOBS, 3, err, sizeof err), 0);
    /* The formula is exact here: the residual GP is near zero and the
     * propagated mean follows the truth closely. */
    m.acq = BO_ACQ_UCB;
    m.beta = 0;
    double x[P] = {0.7, 0.6, 0.1}, u[P];
    space_encode(f.sp, x, u);
    assert_true(fabs(model_acq(&m, u) - (-(f_m0(x) * f_m1(x)))) < 0.3);
    model_free(&m);
    knowledge_free(kn);
    teardown(&f);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_predict_gradient),
        cmocka_unit_test(test_linear_mean_gradient),
        cmocka_unit_test(test_objective_trend_on_metrics),
        cmocka_unit_test(test_formula_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
