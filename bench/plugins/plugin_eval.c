/*
 * plugin_eval.c - evaluation mode of bograph-bench-plugins: a plugin's
 * space as JSON, and one run of the plugin per configuration line on stdin,
 * so an outside optimiser (Optuna's TPE in bench/plugins/tpe_plugin.py)
 * sees exactly the figures `bograph tune` sees: the same plugin_run, the
 * same configuration parsing as a worker, the same constraints.
 */
#include "plugin_eval.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin_json.h"

#define PLUGIN_EVAL_MAX_OPTIONS 32

static int plugin_eval_over(const char *op, double v, double limit)
{
    if (!strcmp(op, "<="))
        return !(v <= limit);
    if (!strcmp(op, "<"))
        return !(v < limit);
    if (!strcmp(op, ">="))
        return !(v >= limit);
    if (!strcmp(op, ">"))
        return !(v > limit);
    return 0;
}

int plugin_eval_meets(const plugin *p, const plugin_result *res, double *violation)
{
    double sum = 0;
    int ok = 1;
    for (size_t i = 0; i < p->n_constraints; i++) {
        const plugin_constraint *c = &p->constraints[i];
        const double *v = plugin_result_metric(res, c->metric);
        if (!v) {
            ok = 0;
            sum += 1.0;
        } else if (plugin_eval_over(c->op, *v, c->value)) {
            ok = 0;
            double scale = fabs(c->value) > 0 ? fabs(c->value) : 1.0;
            /* Strictly positive even exactly at the limit of a strict op. */
            sum += fmax(fabs(*v - c->value) / scale, 1e-9);
        }
    }
    if (violation)
        *violation = sum;
    return ok;
}

int plugin_eval_space(const plugins_registry *reg, const char *name)
{
    const plugin *p = plugins_find(reg, name);
    if (!p) {
        fprintf(stderr, "no plugin named '%s'\n", name);
        return 2;
    }
    json_t *j = plugin_to_json(p);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return 1;
    printf("%s\n", s);
    free(s);
    return 0;
}

/* The options after NAME into *opts (a JSON object of strings, as `bograph
 * tune --option` builds it) and *seed. 0, or 2 on bad usage. */
static int plugin_eval_args(int argc, char **argv, json_t *opts, uint64_t *seed)
{
    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--option")) {
            const char *kv = argv[++i], *eq = strchr(kv, '=');
            if (!eq || eq == kv || json_object_size(opts) >= PLUGIN_EVAL_MAX_OPTIONS) {
                fprintf(stderr, "--option wants KEY=VALUE, got '%s'\n", kv);
                return 2;
            }
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
            json_object_set_new(opts, key, json_string(eq + 1));
        } else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
            *seed = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "--eval PLUGIN [--option K=V]... [--seed S]: bad '%s'\n", argv[i]);
            return 2;
        }
    }
    return 0;
}

/* Runs one configuration line through the plugin and prints the answer. */
static void plugin_eval_line(const plugin *p, const char *line, const plugin_run_options *ro,
                             plugin_result *res)
{
    char err[512] = "";
    json_error_t jerr;
    plugin_config cfg = {0};
    json_t *obj = json_loads(line, 0, &jerr);
    plugin_result_free(res);
    plugin_result_init(res);
    if (!json_is_object(obj))
        plugin_result_set(res, PLUGIN_FAILED, "not a JSON object: %s", jerr.text);
    else if (plugin_config_from_json(obj, &cfg, err, sizeof err) != 0)
        plugin_result_set(res, PLUGIN_FAILED, "configuration: %s", err);
    else if (plugin_run(p, &cfg, ro, res, err, sizeof err) != 0 && res->state == PLUGIN_OK)
        plugin_result_set(res, PLUGIN_FAILED, "%s", err);
    json_decref(obj);
    plugin_config_free(&cfg);

    double violation = 0;
    int ran = res->state == PLUGIN_OK && res->has_objective;
    int meets = ran && plugin_eval_meets(p, res, &violation);
    json_t *out = json_pack("{s:s, s:o, s:b, s:f, s:s}", "state", plugin_state_name(res->state),
                            "objective", ran ? json_real(res->objective) : json_null(), "meets",
                            meets, "violation", ran ? violation : 0.0, "reason", res->reason);
    /* every metric, for several objectives (bench/plugins/mo_plugin.py) */
    json_t *metrics = out ? plugin_result_metrics_json(res) : NULL;
    if (out && json_object_set_new(out, "metrics", metrics ? metrics : json_object()) != 0) {
        json_decref(out);
        out = NULL;
    }
    char *s = out ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    printf("%s\n", s ? s : "{\"state\": \"failed\", \"objective\": null, \"meets\": false}");
    fflush(stdout);
    free(s);
    json_decref(out);
}

int plugin_eval_run(const plugins_registry *reg, const char *name, int argc, char **argv)
{
    const plugin *p = plugins_find(reg, name);
    if (!p) {
        fprintf(stderr, "no plugin named '%s'\n", name);
        return 2;
    }
    json_t *jopts = json_object();
    uint64_t seed = 0;
    plugin_option *opts = NULL;
    size_t n_opts = 0;
    char err[512];
    int rc = plugin_eval_args(argc, argv, jopts, &seed);
    if (rc == 0 && plugin_options_from_json(jopts, &opts, &n_opts, err, sizeof err) != 0) {
        fprintf(stderr, "options: %s\n", err);
        rc = 2;
    }
    json_decref(jopts);
    if (rc != 0)
        return rc;
    plugin_result res;
    plugin_result_init(&res);
    char *line = NULL;
    size_t cap = 0;
    for (uint64_t i = 0; getline(&line, &cap, stdin) > 0; i++) {
        plugin_run_options ro;
        plugin_run_options_init(&ro);
        ro.options = opts;
        ro.n_options = n_opts;
        ro.seed = seed + i;
        plugin_eval_line(p, line, &ro, &res);
    }
    free(line);
    plugin_result_free(&res);
    plugin_options_free(opts, n_opts);
    return 0;
}
