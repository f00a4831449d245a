/*
 * test_bograph_conditions.c - the graph model on a space with conditional
 * parameters: an inactive parameter is a constant column wherever its
 * branch is not taken (every column of one branch is constant while only
 * the other branch was tried), and nothing may divide by its zero variance.
 * Suggestions stay valid with their inactive parameters at the fixed value,
 * predictions are finite (also for the untried branch) and equal for
 * configurations that differ only in inactive parameters.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "bo/space_conditions.h"
#include "structure/bograph.h"

/* kind (a, b); x0 shared; a1, a2 only for a; b1 only for b. */
enum { KIND, X0, A1, A2, B1, P };
#define NM 3
#define MAXN 64

static const char *const metric_names[NM] = {"lat", "branch_cost", "noise_counter"};

typedef struct {
    space *sp;
    size_t n;
    double X[MAXN * P], y[MAXN], M[MAXN * NM];
} study;

static void run(study *s, const double *x)
{
    size_t i = s->n++;
    memcpy(s->X + i * P, x, P * sizeof *x);
    double *m = s->M + i * NM;
    m[0] = 1 + 4 * (x[X0] - 0.3) * (x[X0] - 0.3);
    m[1] = x[KIND] == 0 ? 2 + (x[A1] - 0.7) * (x[A1] - 0.7) + 0.5 * x[A2]
                        : 1.5 + 3 * (x[B1] - 0.2) * (x[B1] - 0.2);
    m[2] = 5; /* constant */
    s->y[i] = m[0] + m[1];
}

static space *tree(void)
{
    space *sp = space_new();
    const char *kinds[] = {"a", "b"};
    assert_int_equal(space_add_categorical(sp, "kind", kinds, 2, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "x0", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "a1", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "a2", 0, 1, 0, NULL, 0), 0);
    assert_int_equal(space_add_float(sp, "b1", 0, 1, 0, NULL, 0), 0);
    const double a[] = {0}, b[] = {1};
    assert_int_equal(space_set_condition(sp, A1, KIND, a, 1, NULL, 0), 0);
    assert_int_equal(space_set_condition(sp, A2, KIND, a, 1, NULL, 0), 0);
    assert_int_equal(space_set_condition(sp, B1, KIND, b, 1, NULL, 0), 0);
    return sp;
}

static void request(study *s, bograph_request *req, bograph_state *st)
{
    bograph_request_init(req, s->sp);
    req->objective_name = "runtime";
    req->base.X = s->X;
    req->base.y = s->y;
    req->base.n_obs = s->n;
    req->metric_names = metric_names;
    req->n_metrics = NM;
    req->metrics = s->M;
    req->base.seed = 5;
    req->state = st;
}

/* Valid, the inactive parameters at their fixed value. */
static void assert_fixed(const space *sp, const double *c)
{
    assert_int_equal(space_validate(sp, c, NULL, 0), 0);
    double f[P];
    memcpy(f, c, sizeof f);
    space_cond_fix_config(sp, f);
    assert_memory_equal(f, c, sizeof f);
}

static void test_one_branch_then_both(void **state)
{
    (void)state;
    study s = {.sp = tree()};
    /* 14 trials of branch a only: b1 is the same constant in every row */
    for (int i = 0; i < 14; i++) {
        double x[P] = {0, (i % 7) / 6.0, ((i * 3) % 7) / 6.0, ((i * 5) % 7) / 6.0, 0};
        space_cond_fix_config(s.sp, x);
        run(&s, x);
    }
    bograph_state *st = bograph_state_new();
    bograph_request req;
    char err[256];
    /* a point of branch b twice (a1, a2 inactive, different), one of a */
    double q[3 * P] = {1, 0.3, 0.1, 0.9, 0.2,
                       1, 0.3, 0.8, 0.4, 0.2,
                       0, 0.3, 0.7, 0.0, 0.6};
    int graph_used = 0, predicted = 0;
    for (int round = 0; round < 8; round++) {
        request(&s, &req, st);
        req.base.count = 2;
        double out[2 * P];
        bograph_info info;
        assert_int_equal(bograph_suggest(&req, out, &info, err, sizeof err), 0);
        graph_used |= strcmp(info.model, "bograph") == 0;
        /* the graph model's predictions where it has one: finite, also in the
         * untried branch, equal up to inactive parameters */
        double mean[3], sd[3];
        if (bograph_predict(&req, q, 3, mean, sd, err, sizeof err) == 0) {
            predicted++;
            for (int k = 0; k < 3; k++)
                assert_true(isfinite(mean[k]) && isfinite(sd[k]) && sd[k] >= 0);
            assert_true(mean[0] == mean[1] && sd[0] == sd[1]);
        }
        for (int k = 0; k < 2; k++) {
            assert_fixed(s.sp, out + k * P);
            run(&s, out + k * P);
        }
    }
    assert_true(graph_used);
    assert_true(predicted > 0);
    bograph_state_free(st);
    space_free(s.sp);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_branch_then_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
