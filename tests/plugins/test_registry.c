/*
 * test_registry.c - tests plugins/registry.c (built-ins, registration,
 * dlopen loading and ABI refusal) and plugins/host.c (descriptor and
 * configuration checks, plugin_run), plus the consistency of every
 * built-in's declared knowledge with its parameters and metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/builtin.h"
#include "plugins/exec.h"
#include "plugins/host.h"
#include "plugins/registry.h"

static void test_builtins_registered(void **state)
{
    (void)state;
    plugins_registry *reg = plugins_registry_new();
    assert_non_null(reg);
    assert_int_equal(plugins_count(reg), 5);
    const char *names[] = {"rocksdb", "rocksdb-extended", "accelerator", "partition", "command"};
    for (size_t i = 0; i < 5; i++) {
        const plugin *p = plugins_find(reg, names[i]);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
        assert_ptr_equal(plugins_at(reg, i), p);
        char err[256] = "";
        assert_int_equal(plugin_check(p, err, sizeof err), 0);
    }
    assert_null(plugins_find(reg, "nope"));
    assert_null(plugins_find(reg, NULL));
    assert_null(plugins_at(reg, 5));
    char err[256];
    assert_int_equal(plugins_register(reg, &plugin_accelerator, err, sizeof err), -1);
    assert_non_null(strstr(err, "already registered"));
    plugins_registry_free(reg);
}

/* 1 when name is a parameter, a declared metric or the objective. */
static int known_node(const plugin *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < p->n_metric_names; i++)
        if (strcmp(p->metric_names[i], name) == 0)
            return 1;
    return p->objective && strcmp(p->objective, name) == 0;
}

static int is_param(const plugin *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return 1;
    return 0;
}

/* Knowledge must only name known nodes, never point into a parameter or
 * out of the objective, and model formulas may only use known names. */
static void test_builtin_knowledge_consistent(void **state)
{
    (void)state;
    const plugin *all[] = {&plugin_rocksdb, &plugin_rocksdb_extended, &plugin_accelerator,
                           &plugin_partition};
    for (size_t k = 0; k < 4; k++) {
        const plugin *p = all[k];
        assert_true(known_node(p, p->objective));
        for (size_t i = 0; i < p->n_edges; i++) {
            assert_true(known_node(p, p->edges[i].from));
            assert_true(known_node(p, p->edges[i].to));
            assert_false(is_param(p, p->edges[i].to));
            assert_string_not_equal(p->edges[i].from, p->objective);
        }
        for (size_t i = 0; i < p->n_forbidden; i++) {
            assert_true(known_node(p, p->forbidden[i].from));
            assert_true(known_node(p, p->forbidden[i].to));
        }
        for (size_t i = 0; i < p->n_constraints; i++)
            assert_true(known_node(p, p->constraints[i].metric));
        for (size_t i = 0; i < p->n_models; i++) {
            assert_true(known_node(p, p->models[i].node));
            const char *e = p->models[i].expr;
            while (*e) {
                if (isalpha((unsigned char)*e) || *e == '_') {
                    char id[128];
                    size_t n = 0;
                    while ((isalnum((unsigned char)*e) || *e == '_') && n + 1 < sizeof id)
                        id[n++] = *e++;
                    id[n] = '\0';
                    if (!known_node(p, id))
                        fail_msg("%s: model %s uses unknown name '%s'", p->name,
                                 p->models[i].node, id);
                } else if (isdigit((unsigned char)*e) || *e == '.') {
                    /* A number, possibly with an exponent. */
                    while (isalnum((unsigned char)*e) || *e == '.' ||
                           ((*e == '-' || *e == '+') && (e[-1] == 'e' || e[-1] == 'E')))
                        e++;
                } else {
                    e++;
                }
            }
        }
    }
}

static void test_config_check(void **state)
{
    (void)state;
    const plugin *p = &plugin_accelerator;
    plugin_config cfg = {NULL, 0};
    plugin_config def = plugin_default_config(p);
    char err[256];
    assert_int_equal(plugin_config_copy(&def, &cfg), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), 0);

    /* Out of the declared range but physically fine: accepted here. */
    assert_int_equal(plugin_config_set(&cfg, "rows", 24, NULL), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), 0);

    assert_int_equal(plugin_config_set(&cfg, "dataflow", 0, "diagonal"), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "not one of os, ws, is"));
    assert_int_equal(plugin_config_set(&cfg, "dataflow", 0, "os"), 0);

    assert_int_equal(plugin_config_set(&cfg, "clock_mhz", 800.5, NULL), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "not an integer"));
    assert_int_equal(plugin_config_set(&cfg, "clock_mhz", 800, NULL), 0);

    assert_int_equal(plugin_config_set(&cfg, "banks", 0, "four"), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs a number"));
    assert_int_equal(plugin_config_set(&cfg, "banks", 4, NULL), 0);

    assert_int_equal(plugin_config_set(&cfg, "colour", 1, NULL), 0);
    assert_int_equal(plugin_config_check(p, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "no parameter 'colour'"));
    plugin_config_free(&cfg);

    plugin_value some[] = {{.name = "rows", .number = 16}};
    plugin_config partial = {some, 1};
    assert_int_equal(plugin_config_check(p, &partial, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing"));
}

static void test_run_refuses_bad_calls(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    plugin_config def = plugin_default_config(&plugin_accelerator);
    plugin_option o[] = {{"workload_typo", "resnet50"}};
    plugin_run_options opts;
    plugin_run_options_init(&opts);
    opts.options = o;
    opts.n_options = 1;
    char err[512];
    assert_int_equal(plugin_run(&plugin_accelerator, &def, &opts, &res, err, sizeof err), -1);
    assert_non_null(strstr(err, "no option 'workload_typo'"));
    assert_non_null(strstr(err, "workload"));
    assert_int_equal(res.state, PLUGIN_FAILED);
    assert_string_equal(res.reason, err);

    /* A cancelled run is failed "cancelled", whatever the plugin did. */
    atomic_int cancel = 1;
    plugin_run_options_init(&opts);
    opts.cancel = &cancel;
    assert_int_equal(plugin_run(&plugin_accelerator, &def, &opts, &res, err, sizeof err), 0);
    assert_int_equal(res.state, PLUGIN_FAILED);
    assert_string_equal(res.reason, "cancelled");
    plugin_result_free(&res);
}

static void test_result_limits(void **state)
{
    (void)state;
    plugin_result res;
    plugin_result_init(&res);
    assert_int_equal(res.set_metric(&res, "a", 1.0), 0);
    assert_int_equal(res.set_metric(&res, "a", 2.0), 0);
    assert_int_equal(res.n_metrics, 1);
    assert_true(*plugin_result_metric(&res, "a") == 2.0);
    assert_int_equal(res.set_metric(&res, "b", NAN), -1);
    assert_int_equal(res.set_metric(&res, "", 1.0), -1);
    assert_int_equal(res.append_log(&res, "abc", 3), 0);
    assert_int_equal(res.append_log(&res, "de", 2), 0);
    assert_string_equal(res.log, "abcde");
    assert_null(plugin_result_metric(&res, "zz"));
    plugin_result_free(&res);
    assert_int_equal(res.n_metrics, 0);
    assert_null(res.log);
}

/* A descriptor that breaks a rule is refused with the rule named. */
static void test_check_refuses_bad_descriptors(void **state)
{
    (void)state;
    plugin bad = plugin_accelerator;
    char err[256];
    bad.abi_version = BOGRAPH_PLUGIN_ABI_VERSION + 1;
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "ABI"));
    bad = plugin_accelerator;
    bad.n_parameter_constraints = 1; /* but no array */
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "parameter constraint 0"));
    bad = plugin_accelerator;
    bad.name = "Bad Name";
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    bad = plugin_accelerator;
    bad.run = NULL;
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    bad = plugin_accelerator;
    plugin_value defs[8];
    memcpy(defs, plugin_accelerator.defaults, sizeof defs);
    defs[0].number = 7; /* rows: not one of the ordinal values */
    bad.defaults = defs;
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "outside its space"));
    bad = plugin_accelerator;
    plugin_constraint c = {"area_mm2", "=<", 1};
    bad.constraints = &c;
    bad.n_constraints = 1;
    assert_int_equal(plugin_check(&bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "constraint"));
}

/* ---- shared objects ---------------------------------------------------- */

static void test_load_good_plugin(void **state)
{
    (void)state;
    plugins_registry *reg = plugins_registry_new_empty();
    char err[512] = "";
    assert_int_equal(plugins_load_file(reg, GOOD_PLUGIN_PATH, err, sizeof err), 0);
    const plugin *p = plugins_find(reg, "test-square");
    assert_non_null(p);
    plugin_config def = plugin_default_config(p);
    plugin_result res;
    plugin_result_init(&res);
    assert_int_equal(plugin_run(p, &def, NULL, &res, err, sizeof err), 0);
    assert_int_equal(res.state, PLUGIN_OK);
    assert_true(res.has_objective);
    /* (3 - 1)^2 + 1 for mode b. */
    assert_true(res.objective == 5.0);
    plugin_result_free(&res);
    /* Loading it again clashes on the name. */
    assert_int_equal(plugins_load_file(reg, GOOD_PLUGIN_PATH, err, sizeof err), -1);
    assert_non_null(strstr(err, "already registered"));
    plugins_registry_free(reg);
}

static void test_load_refuses_other_abi(void **state)
{
    (void)state;
    plugins_registry *reg = plugins_registry_new_empty();
    char err[512] = "";
    assert_int_equal(plugins_load_file(reg, BAD_ABI_PLUGIN_PATH, err, sizeof err), -1);
    assert_non_null(strstr(err, "built for plugin ABI 999"));
    char speaks[32];
    snprintf(speaks, sizeof speaks, "speaks %d", BOGRAPH_PLUGIN_ABI_VERSION);
    assert_non_null(strstr(err, speaks));
    assert_non_null(strstr(err, "rebuild"));
    assert_int_equal(plugins_count(reg), 0);

    assert_int_equal(plugins_load_file(reg, NO_ENTRY_PLUGIN_PATH, err, sizeof err), -1);
    assert_non_null(strstr(err, "bograph_plugin_entry"));
    assert_int_equal(plugins_load_file(reg, "/nonexistent/x.so", err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot load"));
    assert_int_equal(plugins_count(reg), 0);
    plugins_registry_free(reg);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void test_load_dir(void **state)
{
    (void)state;
    char dir[512], err[1024], path[1024];
    assert_int_equal(plugin_tempdir_new(NULL, "bograph-test-plugins-", dir, sizeof dir, err,
                                        sizeof err), 0);
    snprintf(path, sizeof path, "%s/a_good.so", dir);
    copy_file(GOOD_PLUGIN_PATH, path);
    snprintf(path, sizeof path, "%s/b_bad_abi.so", dir);
    copy_file(BAD_ABI_PLUGIN_PATH, path);
    snprintf(path, sizeof path, "%s/c_no_entry.so", dir);
    copy_file(NO_ENTRY_PLUGIN_PATH, path);
    snprintf(path, sizeof path, "%s/readme.txt", dir);
    copy_file(GOOD_PLUGIN_PATH, path);   /* not *.so: ignored */

    plugins_registry *reg = plugins_registry_new();
    assert_int_equal(plugins_load_dir(reg, dir, err, sizeof err), -1);
    /* The good one is in, each bad one is reported on its own line. */
    assert_int_equal(plugins_count(reg), 6);
    assert_non_null(plugins_find(reg, "test-square"));
    assert_non_null(strstr(err, "b_bad_abi.so was built for plugin ABI 999"));
    assert_non_null(strstr(err, "\n"));
    assert_non_null(strstr(err, "c_no_entry.so"));
    plugins_registry_free(reg);

    reg = plugins_registry_new_empty();
    assert_int_equal(plugins_load_dir(reg, "/nonexistent-dir", err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    plugins_registry_free(reg);
    assert_int_equal(plugin_remove_tree(dir), 0);
    assert_int_not_equal(access(dir, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_registered),
        cmocka_unit_test(test_builtin_knowledge_consistent),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_run_refuses_bad_calls),
        cmocka_unit_test(test_result_limits),
        cmocka_unit_test(test_check_refuses_bad_descriptors),
        cmocka_unit_test(test_load_good_plugin),
        cmocka_unit_test(test_load_refuses_other_abi),
        cmocka_unit_test(test_load_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
