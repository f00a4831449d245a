/*
 * test_space_conditions.c - tests of bo/space_conditions.c: which conditions
 * are refused, activity along nested conditions, the fixed value of inactive
 * parameters in encoding, snapping and equality, the cardinality of a
 * conditional space, and that designs, the GP's acquisition optimisation and
 * enumeration propose configurations whose inactive parameters are fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/space.h"
#include "bo/space_conditions.h"
#include "bo/suggest.h"

/* algo in {sgd, adam, lbfgs}; lr (sgd, adam); momentum (sgd); beta1 (adam);
 * history (lbfgs, int); depth (int 1..4) shared; wide (ordinal) when depth
 * is 3 or 4; wide_mult (float) when wide is 64 - nested under depth. */
enum { ALGO, LR, MOMENTUM, BETA1, HISTORY, DEPTH, WIDE, WIDE_MULT, N_PARAMS };

static space *tree_space(void)
{
    space *sp = space_new();
    const char *algos[] = {"sgd", "adam", "lbfgs"};
    const double widths[] = {16, 32, 64};
    assert_int_equal(space_add_categorical(sp, "algo", algos, 3, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "lr", 1e-4, 1, 1, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "momentum", 0, 0.99, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "beta1", 0.5, 0.999, 0, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "history", 2, 50, 0, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "depth", 1, 4, 0, NULL, 0), 0);
    assert_int_equal(space_add_ordinal(sp, "wide", widths, 3, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "wide_mult", 1, 2, 0, NULL, 0), 0);
    const double sgd_adam[] = {0, 1}, sgd[] = {0}, adam[] = {1}, lbfgs[] = {2};
    const double deep[] = {3, 4}, w64[] = {64};
    char err[200];
    assert_int_equal(space_set_condition(sp, LR, ALGO, sgd_adam, 2, err, sizeof err), 0);
    assert_int_equal(space_set_condition(sp, MOMENTUM, ALGO, sgd, 1, err, sizeof err), 0);
    assert_int_equal(space_set_condition(sp, BETA1, ALGO, adam, 1, err, sizeof err), 0);
    assert_int_equal(space_set_condition(sp, HISTORY, ALGO, lbfgs, 1, err, sizeof err), 0);
    assert_int_equal(space_set_condition(sp, WIDE, DEPTH, deep, 2, err, sizeof err), 0);
    assert_int_equal(space_set_condition(sp, WIDE_MULT, WIDE, w64, 1, err, sizeof err), 0);
    return sp;
}

static void test_refused(void **state)
{
    (void)state;
    space *sp = tree_space();
    char err[200];
    const double one[] = {1}, bad_choice[] = {3}, half[] = {0.5}, out_of_range[] = {9};
    const double not_a_value[] = {48};
    /* on itself, twice, from a float, bad values, a cycle */
    assert_int_equal(space_set_condition(sp, DEPTH, DEPTH, one, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "itself"));
    assert_int_equal(space_set_condition(sp, LR, DEPTH, one, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "already"));
    assert_int_equal(space_set_condition(sp, DEPTH, LR, one, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "float"));
    assert_int_equal(space_set_condition(sp, DEPTH, ALGO, bad_choice, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a choice"));
    assert_int_equal(space_set_condition(sp, ALGO, DEPTH, half, 1, err, sizeof err), -1);
    assert_int_equal(space_set_condition(sp, ALGO, DEPTH, out_of_range, 1, err, sizeof err), -1);
    assert_int_equal(space_set_condition(sp, ALGO, WIDE, not_a_value, 1, err, sizeof err), -1);
    assert_int_equal(space_set_condition(sp, ALGO, DEPTH, one, 0, err, sizeof err), -1);
    /* depth under wide: wide is already under depth */
    const double w16[] = {16};
    assert_int_equal(space_set_condition(sp, DEPTH, WIDE, w16, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "cycle"));
    /* nothing refused changed the tree */
    assert_int_equal(space_param_parent(sp, DEPTH), -1);
    assert_int_equal(space_param_parent(sp, ALGO), -1);
    assert_int_equal(space_param_parent(sp, WIDE_MULT), WIDE);
    const double *v;
    assert_int_equal(space_param_condition_values(sp, LR, &v), 2);
    assert_true(v[0] == 0 && v[1] == 1);
    space_free(sp);
}

static void test_activity_nested(void **state)
{
    (void)state;
    space *sp = tree_space();
    /* adam, depth 4, wide 64: wide_mult active; momentum, history inactive */
    double c[N_PARAMS] = {1, 0.01, 0, 0.9, 2, 4, 64, 1.5};
    const int want[N_PARAMS] = {1, 1, 0, 1, 0, 1, 1, 1};
    for (size_t i = 0; i < N_PARAMS; i++) assert_int_equal(space_param_active(sp, c, i), want[i]);
    c[DEPTH] = 2; /* wide inactive, and so wide_mult although wide still reads 64 */
    assert_false(space_param_active(sp, c, WIDE));
    assert_false(space_param_active(sp, c, WIDE_MULT));
    space_cond_fix_config(sp, c);
    /* the middle of each range: ordinal 32 of 16, 32, 64; int 26 of 2..50 */
    assert_true(c[WIDE] == 32 && c[WIDE_MULT] == 1.5 && c[HISTORY] == 26);
    assert_true(fabs(c[MOMENTUM] - 0.495) < 1e-12);
    assert_true(c[LR] == 0.01 && c[BETA1] == 0.9);
    space_free(sp);
}

/* Configurations that differ only in inactive parameters encode to the same
 * point, compare equal, and their inactive coordinates are fixed: 0.5 (a
 * categorical's block 0). */
static void test_encoding_ignores_inactive(void **state)
{
    (void)state;
    space *sp = tree_space();
    size_t dim = space_encoded_dim(sp);
    double a[N_PARAMS] = {2, 0.3, 0.5, 0.7, 17, 1, 32, 1.9};
    double b[N_PARAMS] = {2, 0.001, 0.1, 0.6, 17, 1, 64, 1.2};
    double ua[16], ub[16], back[N_PARAMS];
    space_encode(sp, a, ua);
    space_encode(sp, b, ub);
    assert_memory_equal(ua, ub, dim * sizeof(double));
    assert_true(space_config_equal(sp, a, b));
    assert_true(space_encoded_equal(sp, ua, ub));
    for (size_t i = 0; i < N_PARAMS; i++) {
        if (space_param_active(sp, a, i)) continue;
        size_t first, count;
        space_param_encoded_span(sp, i, &first, &count);
        for (size_t k = first; k < first + count; k++) assert_true(ua[k] == 0.5);
    }
    /* decoding gives the fixed values; an active difference still counts */
    space_decode(sp, ua, back);
    assert_true(back[HISTORY] == 17 && fabs(back[LR] - 1e-2) < 1e-12 && back[WIDE] == 32);
    assert_int_equal(space_validate(sp, back, NULL, 0), 0);
    b[HISTORY] = 18;
    assert_false(space_config_equal(sp, a, b));
    space_encode(sp, b, ub);
    assert_false(space_encoded_equal(sp, ua, ub));
    /* a different branch is a different point even where values agree */
    b[HISTORY] = 17;
    b[ALGO] = 1;
    assert_false(space_config_equal(sp, a, b));
    /* snapping an arbitrary point zeroes what it leaves inactive */
    double u[16];
    for (size_t k = 0; k < dim; k++) u[k] = 0.61;
    u[0] = 0.9; /* sgd */
    space_snap_encoded(sp, u);
    space_decode(sp, u, back);
    double again[16];
    space_encode(sp, back, again);
    assert_memory_equal(u, again, dim * sizeof(double));
    assert_true(back[ALGO] == 0 && back[HISTORY] == 26 && fabs(back[BETA1] - 0.7495) < 1e-12);
    space_free(sp);
}

static void test_cardinality(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *ab[] = {"a", "b"};
    assert_int_equal(space_add_categorical(sp, "kind", ab, 2, NULL, 0), 0);
    assert_int_equal(space_add_int(sp, "n", 1, 3, 0, NULL, 0), 0);      /* when a */
    assert_int_equal(space_add_int(sp, "m", 1, 4, 0, NULL, 0), 0);      /* when n = 3 */
    assert_int_equal(space_add_int(sp, "shared", 0, 1, 0, NULL, 0), 0);
    const double a[] = {0}, three[] = {3};
    assert_int_equal(space_set_condition(sp, 1, 0, a, 1, NULL, 0), 0);
    assert_int_equal(space_set_condition(sp, 2, 1, three, 1, NULL, 0), 0);
    /* (a: n in 1,2 -> 2, n = 3 -> 4 m; b: 1) x shared 2 = (6 + 1) * 2 */
    assert_true(space_cardinality(sp) == 14);
    assert_true(space_index_count(sp) == 2 * 3 * 4 * 2);
    /* enumeration covers exactly the 14 distinct configurations */
    double all[48 * 4];
    size_t distinct = 0;
    for (double k = 0; k < space_index_count(sp); k++) {
        double *c = all + distinct * 4;
        space_config_at_index(sp, k, c);
        int seen = 0;
        for (size_t j = 0; j < distinct && !seen; j++) seen = space_config_equal(sp, c, all + j * 4);
        distinct += !seen;
    }
    assert_int_equal(distinct, 14);
    space_free(sp);
}

/* Every inactive parameter of c holds its fixed value, and c is valid. */
static void assert_fixed(const space *sp, const double *c)
{
    assert_int_equal(space_validate(sp, c, NULL, 0), 0);
    double f[N_PARAMS];
    memcpy(f, c, sizeof f);
    space_cond_fix_config(sp, f);
    assert_memory_equal(f, c, sizeof f);
}

static double tree_objective(const double *c)
{
    double y = c[DEPTH];
    if (c[ALGO] == 0) y += 10 * c[MOMENTUM];
    if (c[ALGO] == 1) y += 5 * (c[BETA1] - 0.8) * (c[BETA1] - 0.8) + log(c[LR]);
    if (c[ALGO] == 2) y += c[HISTORY] / 10.0;
    return y;
}

/* random, sobol and gp (its designs, then the acquisition with pending
 * points) propose configurations with fixed inactive parameters, distinct
 * from each other and from the pending ones. */
static void test_suggest_respects_tree(void **state)
{
    (void)state;
    space *sp = tree_space();
    const bo_algorithm algos[] = {BO_RANDOM, BO_SOBOL, BO_GP};
    for (size_t a = 0; a < 3; a++) {
        double X[40 * N_PARAMS], y[40];
        size_t n = 0;
        while (n < 24) {
            bo_request req;
            bo_request_init(&req, sp);
            req.algorithm = algos[a];
            req.X = X;
            req.y = y;
            req.n_obs = n;
            req.pending = n >= 2 ? X : NULL; /* the first two also pending */
            req.n_pending = n >= 2 ? 2 : 0;
            req.count = 4;
            req.seed = 100 + a;
            double out[4 * N_PARAMS];
            char err[200];
            assert_int_equal(bo_suggest(&req, out, err, sizeof err), 0);
            for (size_t k = 0; k < 4; k++) {
                const double *c = out + k * N_PARAMS;
                assert_fixed(sp, c);
                for (size_t j = 0; j < k; j++) assert_false(space_config_equal(sp, c, out + j * N_PARAMS));
                for (size_t j = 0; j < req.n_pending; j++) assert_false(space_config_equal(sp, c, X + j * N_PARAMS));
                memcpy(X + n * N_PARAMS, c, sizeof(double) * N_PARAMS);
                y[n] = tree_objective(c);
                n++;
            }
        }
        /* gp: the model predicts equal values for points equal up to inactive parameters */
        if (algos[a] == BO_GP) {
            bo_request req;
            bo_request_init(&req, sp);
            req.algorithm = BO_GP;
            req.X = X;
            req.y = y;
            req.n_obs = n;
            double q[2 * N_PARAMS] = {2, 0.3, 0.5, 0.7, 17, 1, 32, 1.9,
                                      2, 0.001, 0.1, 0.6, 17, 1, 64, 1.2};
            double mean[2], sd[2];
            char err[200];
            assert_int_equal(bo_predict(&req, q, 2, mean, sd, err, sizeof err), 0);
            assert_true(mean[0] == mean[1] && sd[0] == sd[1]);
        }
    }
    space_free(sp);
}

/* An inactive categorical: its one-hot block is all 0 (no active choice
 * looks so), it decodes to its first choice, and snapping keeps it so. */
static void test_inactive_categorical(void **state)
{
    (void)state;
    space *sp = space_new();
    const char *learners[] = {"tree", "net"}, *opts[] = {"sgd", "adam", "rmsprop"};
    assert_int_equal(space_add_categorical(sp, "learner", learners, 2, NULL, 0), 0);
    assert_int_equal(space_add_categorical(sp, "opt", opts, 3, NULL, 0), 0);
    const double net[] = {1};
    assert_int_equal(space_set_condition(sp, 1, 0, net, 1, NULL, 0), 0);
    double tree_adam[2] = {0, 1}, tree_sgd[2] = {0, 0}, u[5], v[5], back[2];
    space_encode(sp, tree_adam, u);
    space_encode(sp, tree_sgd, v);
    const double want[5] = {1, 0, 0, 0, 0};
    assert_memory_equal(u, want, sizeof want);
    assert_memory_equal(v, want, sizeof want);
    space_decode(sp, u, back);
    assert_true(back[0] == 0 && back[1] == 0);
    double net_adam[2] = {1, 1};
    space_encode(sp, net_adam, u);
    assert_true(u[3] == 1 && u[2] == 0 && u[4] == 0);
    assert_false(space_config_equal(sp, net_adam, tree_adam));
    assert_true(space_config_equal(sp, tree_sgd, tree_adam));
    assert_true(space_cardinality(sp) == 1 + 3);
    space_free(sp);
}

/* The clone keeps the tree. */
static void test_clone(void **state)
{
    (void)state;
    space *sp = tree_space();
    space *c = space_clone(sp);
    space_free(sp);
    assert_true(space_has_conditions(c));
    assert_int_equal(space_param_parent(c, WIDE_MULT), WIDE);
    double cfg[N_PARAMS] = {0, 0.1, 0.5, 0.7, 17, 1, 32, 1.9};
    assert_false(space_param_active(c, cfg, HISTORY));
    space_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_activity_nested),
        cmocka_unit_test(test_encoding_ignores_inactive),
        cmocka_unit_test(test_cardinality),
        cmocka_unit_test(test_suggest_respects_tree),
        cmocka_unit_test(test_inactive_categorical),
        cmocka_unit_test(test_clone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
