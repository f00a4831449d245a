/*
 * test_plugin_param_constraints.c - the parameter constraints the built-in
 * plugins declare (plugins/plugin_param_constraints.c): they are present,
 * parse over the plugin's own space, its default meets them, ${option}
 * follows the study's plugin_options (and refuses an unknown option or a
 * value that is not a number); for the partition plugin, every plan they
 * rule out is one the model itself calls infeasible (they never cut a
 * runnable plan) and they rule out most of the infeasible ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bo/space_constraints.h"
#include "plugins/builtin.h"
#include "plugins/partition.h"
#include "plugins/plugin_param_constraints.h"

/* p's space with its constraints (options from popts), and its default. */
static space *plugin_space(const plugin *p, const json_t *popts, double *def)
{
    space *sp = space_new();
    for (size_t i = 0; i < p->n_params; i++) {
        const plugin_param *q = &p->params[i];
        int rc = -1;
        switch (q->type) {
        case PLUGIN_PARAM_FLOAT:
            rc = space_add_float(sp, q->name, q->low, q->high, q->log_scale, NULL, 0);
            break;
        case PLUGIN_PARAM_INT:
            rc = space_add_int(sp, q->name, q->low, q->high, q->log_scale, NULL, 0);
            break;
        case PLUGIN_PARAM_CATEGORICAL:
            rc = space_add_categorical(sp, q->name, q->choices, q->n_choices, NULL, 0);
            break;
        case PLUGIN_PARAM_ORDINAL:
            rc = space_add_ordinal(sp, q->name, q->values, q->n_values, NULL, 0);
            break;
        }
        assert_int_equal(rc, 0);
    }
    for (size_t i = 0; i < p->n_defaults; i++) {
        const plugin_value *v = &p->defaults[i];
        int k = space_index_of(sp, v->name);
        assert_true(k >= 0);
        def[k] = v->choice ? (double)space_choice_index(sp, (size_t)k, v->choice) : v->number;
    }
    char err[256];
    json_t *pc = plugin_param_constraints_json(p, popts, err, sizeof err);
    assert_non_null(pc);
    assert_int_equal(json_array_size(pc), p->n_parameter_constraints);
    for (size_t i = 0; i < json_array_size(pc); i++)
        if (space_constraint_add(sp, json_string_value(json_array_get(pc, i)), err, sizeof err) != 0)
            fail_msg("%s: '%s': %s", p->name, json_string_value(json_array_get(pc, i)), err);
    json_decref(pc);
    return sp;
}

static int has(const plugin *p, const char *text)
{
    for (size_t i = 0; i < p->n_parameter_constraints; i++)
        if (strcmp(p->parameter_constraints[i], text) == 0) return 1;
    return 0;
}

static void test_declared_and_default_meets_them(void **state)
{
    (void)state;
    const plugin *ps[] = {&plugin_partition, &plugin_rocksdb, &plugin_rocksdb_extended};
    for (size_t k = 0; k < 3; k++) {
        double def[32];
        space *sp = plugin_space(ps[k], NULL, def);
        assert_true(space_n_constraints(sp) >= 3);
        for (size_t i = 0; i < space_n_constraints(sp); i++)
            if (!space_constraint_holds(sp, i, def))
                fail_msg("%s: the default breaks '%s'", ps[k]->name, space_constraint_text(sp, i));
        space_free(sp);
    }
    assert_true(has(&plugin_partition, "tp * pp <= ${devices}"));
    assert_true(has(&plugin_partition, "(zero - 1) * (pp - 1) <= 0"));
    assert_true(has(&plugin_rocksdb, "level0_slowdown_writes_trigger <= level0_stop_writes_trigger"));
    assert_true(has(&plugin_rocksdb, "level0_file_num_compaction_trigger <= level0_slowdown_writes_trigger"));
    assert_true(has(&plugin_rocksdb_extended, "min_write_buffer_number_to_merge < max_write_buffer_number"));
}

static void test_options_fill_in(void **state)
{
    (void)state;
    char err[256];
    json_t *popts = json_pack("{s:i, s:s}", "devices", 32, "layers", "24");
    json_t *pc = plugin_param_constraints_json(&plugin_partition, popts, err, sizeof err);
    assert_non_null(pc);
    assert_string_equal(json_string_value(json_array_get(pc, 0)), "tp * pp <= 32");
    assert_string_equal(json_string_value(json_array_get(pc, 4)),
                        "abs(24 / pp - rint(24 / pp)) <= 0");
    json_decref(pc);
    json_decref(popts);
    popts = json_pack("{s:s}", "devices", "many");
    assert_null(plugin_param_constraints_json(&plugin_partition, popts, err, sizeof err));
    assert_non_null(strstr(err, "plugin_options.devices"));
    json_decref(popts);
    static const char *const bad[] = {"x <= ${nope}"};
    plugin p = plugin_partition;
    p.parameter_constraints = bad;
    p.n_parameter_constraints = 1;
    assert_null(plugin_param_constraints_json(&p, NULL, err, sizeof err));
    assert_non_null(strstr(err, "${nope}"));
}

/* Every plan of the partition space: the constraints never rule out one
 * the model can run, and they rule out every layout failure. */
static void test_partition_sound(void **state)
{
    (void)state;
    double def[8];
    space *sp = plugin_space(&plugin_partition, NULL, def);
    partition_model_spec m;
    partition_cluster c;
    partition_model_default(&m);
    partition_cluster_default(&c);
    double card = space_cardinality(sp), cfg[8];
    size_t n_cut = 0, n_infeasible = 0, n_runnable_cut = 0, n_left_layout = 0;
    for (double k = 0; k < card; k++) {
        space_config_at_index(sp, k, cfg);
        partition_plan plan = {.tp = cfg[0], .pp = cfg[1], .micro_batches = cfg[2],
                               .zero = (int)cfg[3], .sp = (int)cfg[4],
                               .recompute = (partition_recompute)(int)cfg[5]};
        partition_result r;
        char err[256];
        assert_int_equal(partition_eval(&m, &c, &plan, &r, err, sizeof err), 0);
        int ok = space_feasible(sp, cfg);
        n_cut += !ok;
        n_infeasible += !r.feasible;
        n_runnable_cut += !ok && r.feasible;
        /* what the constraints leave infeasible is the memory limit only */
        n_left_layout += ok && !r.feasible && !strstr(r.reason, "memory");
    }
    assert_int_equal(n_runnable_cut, 0);
    assert_int_equal(n_left_layout, 0);
    assert_true(n_cut > card / 2);
    assert_true(n_infeasible >= n_cut);
    space_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declared_and_default_meets_them),
        cmocka_unit_test(test_options_fill_in),
        cmocka_unit_test(test_partition_sound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
