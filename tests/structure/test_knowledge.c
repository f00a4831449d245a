/*
 * test_knowledge.c - expert knowledge: building from arrays, formula parsing
 * and evaluation (names with dots, functions, constants, numbers with
 * exponents), the errors a user can make, validation against a study, and
 * the fingerprint.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "structure/knowledge.h"

static void test_from_arrays(void **state)
{
    (void)state;
    const char *edges[] = {"write_buffer_size", "db.write.micros.p95", "a", "b"};
    const char *forb[] = {"block_size", "compaction.micros"};
    const char *nodes[] = {"edp"};
    const char *formulas[] = {"energy * latency"};
    char err[256];
    knowledge *kn = knowledge_from_arrays(edges, 2, forb, 1, nodes, formulas, 1, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_n_edges(kn), 2);
    const char *f, *t;
    knowledge_edge(kn, 0, &f, &t);
    assert_string_equal(f, "write_buffer_size");
    assert_string_equal(t, "db.write.micros.p95");
    assert_int_equal(knowledge_n_forbidden(kn), 1);
    knowledge_forbidden(kn, 0, &f, &t);
    assert_string_equal(t, "compaction.micros");
    assert_int_equal(knowledge_n_models(kn), 1);
    assert_int_equal(knowledge_model_index(kn, "edp"), 0);
    assert_int_equal(knowledge_model_index(kn, "nope"), -1);
    assert_int_equal(knowledge_model_n_vars(kn, 0), 2);
    assert_string_equal(knowledge_model_var(kn, 0, 0), "energy");
    assert_string_equal(knowledge_model_var(kn, 0, 1), "latency");
    knowledge_formula *fm = knowledge_formula_new(kn, 0, err, sizeof err);
    assert_non_null(fm);
    double v[2] = {3.0, 2.5};
    assert_true(fabs(knowledge_formula_eval(fm, v) - 7.5) < 1e-12);
    knowledge_formula_free(fm);

    knowledge *c = knowledge_clone(kn);
    assert_non_null(c);
    assert_true(knowledge_fingerprint(c) == knowledge_fingerprint(kn));
    assert_int_equal(knowledge_add_edge(c, "x", "y", err, sizeof err), 0);
    assert_true(knowledge_fingerprint(c) != knowledge_fingerprint(kn));
    knowledge_free(c);
    knowledge_free(kn);
    /* Empty knowledge: all counts 0, NULL handle reads as empty. */
    kn = knowledge_from_arrays(NULL, 0, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_n_edges(kn), 0);
    assert_true(knowledge_fingerprint(kn) != knowledge_fingerprint(NULL));
    knowledge_free(kn);
    assert_int_equal(knowledge_n_models(NULL), 0);
}

static void test_formulas(void **state)
{
    (void)state;
    knowledge *kn = knowledge_new();
    char err[256];
    assert_int_equal(knowledge_add_model(kn, "throughput",
                                         "1e6 / rocksdb.db.get.micros.p95 + 2.5E-1*sqrt(x_1) - pi*0",
                                         err, sizeof err),
                     0);
    assert_int_equal(knowledge_model_n_vars(kn, 0), 2);
    assert_string_equal(knowledge_model_var(kn, 0, 0), "rocksdb.db.get.micros.p95");
    assert_string_equal(knowledge_model_var(kn, 0, 1), "x_1");
    knowledge_formula *f = knowledge_formula_new(kn, 0, err, sizeof err);
    assert_non_null(f);
    double v[2] = {4.0, 16.0};
    assert_true(fabs(knowledge_formula_eval(f, v) - (250000.0 + 1.0)) < 1e-9);
    /* Undefined points give NAN, not a crash. */
    double z[2] = {0.0, -1.0};
    assert_true(isnan(knowledge_formula_eval(f, z)));
    knowledge_formula_free(f);
    /* The same variable twice is one input. */
    assert_int_equal(knowledge_add_model(kn, "sq", "a.b * a.b + exp(c)", err, sizeof err), 0);
    assert_int_equal(knowledge_model_n_vars(kn, 1), 2);
    knowledge_free(kn);
}

static void test_errors(void **state)
{
    (void)state;
    knowledge *kn = knowledge_new();
    char err[256];
    assert_int_equal(knowledge_add_model(kn, "edp", "energy *", err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot parse"));
    assert_int_equal(knowledge_add_model(kn, "edp", "2 + 3", err, sizeof err), -1);
    assert_non_null(strstr(err, "names no node"));
    assert_int_equal(knowledge_add_model(kn, "edp", "edp * 2", err, sizeof err), -1);
    assert_non_null(strstr(err, "itself"));
    assert_int_equal(knowledge_add_model(kn, "edp", "", err, sizeof err), -1);
    assert_int_equal(knowledge_add_model(kn, "edp", NULL, err, sizeof err), -1);
    assert_int_equal(knowledge_add_model(kn, "", "a", err, sizeof err), -1);
    assert_int_equal(knowledge_add_model(kn, "edp", "a * b", err, sizeof err), 0);
    assert_int_equal(knowledge_add_model(kn, "edp", "a + b", err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(knowledge_add_edge(kn, "a", "a", err, sizeof err), -1);
    assert_non_null(strstr(err, "self loop"));
    assert_int_equal(knowledge_add_edge(kn, "", "a", err, sizeof err), -1);
    assert_int_equal(knowledge_add_edge(kn, NULL, "a", err, sizeof err), -1);
    assert_int_equal(knowledge_add_forbidden(kn, "a", "a", err, sizeof err), -1);
    knowledge_free(kn);

    const char *edges[] = {"a", "b", "c", "c"};
    kn = knowledge_from_arrays(edges, 2, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_null(kn);
    assert_non_null(strstr(err, "edges[1]"));
    const char *nodes[] = {"good", "bad"};
    const char *formulas[] = {"x + y", "x +* y"};
    kn = knowledge_from_arrays(NULL, 0, NULL, 0, nodes, formulas, 2, err, sizeof err);
    assert_null(kn);
    assert_non_null(strstr(err, "models.bad"));
    kn = knowledge_from_arrays(NULL, 1, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_null(kn);
}

static void test_validate(void **state)
{
    (void)state;
    const char *names[] = {"x", "z", "lat", "edp", "energy"};
    const char *params[] = {"x", "z"};
    char err[256];
    const char *ok_edges[] = {"x", "lat"};
    const char *nodes[] = {"edp"};
    const char *formulas[] = {"energy * lat"};
    knowledge *kn = knowledge_from_arrays(ok_edges, 1, NULL, 0, nodes, formulas, 1, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_validate(kn, names, 5, params, 2, "edp", err, sizeof err), 0);
    /* Unknown names only matter when names are given. */
    assert_int_equal(knowledge_validate(kn, names, 4, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown node 'energy'"));
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), 0);
    knowledge_free(kn);

    const char *into_param[] = {"lat", "x"};
    kn = knowledge_from_arrays(into_param, 1, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "parameter"));
    knowledge_free(kn);

    const char *from_obj[] = {"edp", "lat"};
    kn = knowledge_from_arrays(from_obj, 1, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "objective"));
    knowledge_free(kn);

    const char *both[] = {"x", "lat"};
    kn = knowledge_from_arrays(both, 1, both, 1, NULL, NULL, 0, err, sizeof err);
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "also forbidden"));
    knowledge_free(kn);

    /* lat -> energy (edge) and energy -> lat (through a model): a cycle. */
    const char *cyc[] = {"lat", "energy"};
    const char *mn[] = {"lat"};
    const char *mf[] = {"2 * energy"};
    kn = knowledge_from_arrays(cyc, 1, NULL, 0, mn, mf, 1, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "cycle"));
    knowledge_free(kn);

    const char *pm[] = {"x"};
    const char *pf[] = {"2 * lat"};
    kn = knowledge_from_arrays(NULL, 0, NULL, 0, pm, pf, 1, err, sizeof err);
    assert_int_equal(knowledge_validate(kn, NULL, 0, params, 2, "edp", err, sizeof err), -1);
    assert_non_null(strstr(err, "parameter"));
    knowledge_free(kn);
    assert_int_equal(knowledge_validate(NULL, NULL, 0, NULL, 0, NULL, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_arrays),
        cmocka_unit_test(test_formulas),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
