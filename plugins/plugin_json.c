/*
 * plugin_json.c - plugin descriptors, configurations, options and results
 * to and from the REST API's JSON (jansson).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "plugins/plugin_objectives.h"
#include "plugins/plugin_param_constraints.h"

static void pj_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void pj_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Integral values that doubles hold exactly become JSON integers. */
static json_t *pj_number(double x)
{
    if (isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0)
        return json_integer((json_int_t)x);
    return json_real(x);
}

/* Adds to obj, taking the reference; -1 when value is NULL or setting fails. */
static int pj_set(json_t *obj, const char *key, json_t *value)
{
    if (!value)
        return -1;
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

static int pj_append(json_t *arr, json_t *value)
{
    if (!value)
        return -1;
    return json_array_append_new(arr, value) == 0 ? 0 : -1;
}

static json_t *pj_str(const char *s)
{
    return json_string(s ? s : "");
}

/* {"parameter": P, "values": [...]}: the choices of a categorical parent or
 * the values of an ordinal or int one. */
static json_t *pj_condition(const plugin_condition *c)
{
    json_t *o = json_object(), *v = json_array();
    int bad = !o || !v || pj_set(o, "parameter", pj_str(c->parameter)) || pj_set(o, "values", v);
    for (size_t k = 0; !bad && k < c->n_choices; k++)
        bad = pj_append(v, pj_str(c->choices[k]));
    for (size_t k = 0; !bad && k < c->n_values; k++)
        bad = pj_append(v, pj_number(c->values[k]));
    if (bad) {
        json_decref(o);
        if (!o)
            json_decref(v);
        return NULL;
    }
    return o;
}

static json_t *pj_param(const plugin_param *q, int with_description)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = pj_set(o, "name", pj_str(q->name)) ||
              pj_set(o, "type", json_string(plugin_param_type_name(q->type)));
    switch (q->type) {
    case PLUGIN_PARAM_FLOAT:
    case PLUGIN_PARAM_INT:
        bad = bad || pj_set(o, "low", pj_number(q->low)) || pj_set(o, "high", pj_number(q->high));
        if (q->log_scale)
            bad = bad || pj_set(o, "log", json_true());
        break;
    case PLUGIN_PARAM_CATEGORICAL: {
        json_t *c = json_array();
        bad = bad || pj_set(o, "choices", c);
        for (size_t k = 0; !bad && k < q->n_choices; k++)
            bad = pj_append(c, pj_str(q->choices[k]));
        break;
    }
    case PLUGIN_PARAM_ORDINAL: {
        json_t *v = json_array();
        bad = bad || pj_set(o, "values", v);
        for (size_t k = 0; !bad && k < q->n_values; k++)
            bad = pj_append(v, pj_number(q->values[k]));
        break;
    }
    }
    if (!bad && q->condition)
        bad = pj_set(o, "condition", pj_condition(q->condition));
    if (!bad && with_description && q->description)
        bad = pj_set(o, "description", pj_str(q->description));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The parameters; a study body takes no descriptions. */
static json_t *pj_params(const plugin *p, int with_description)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->n_params; i++) {
        if (pj_append(a, pj_param(&p->params[i], with_description)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *pj_objective(const plugin *p)
{
    if (!p->objective)
        return json_null();
    return json_pack("{s:s, s:s}", "name", p->objective, "goal", plugin_goal_name(p->goal));
}

static json_t *pj_constraints(const plugin *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->n_constraints; i++) {
        const plugin_constraint *c = &p->constraints[i];
        json_t *o = json_pack("{s:s, s:s, s:o}", "metric", c->metric, "op", c->op, "value",
                              pj_number(c->value));
        if (pj_append(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *pj_edges(const plugin_edge *e, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (pj_append(a, json_pack("[s, s]", e[i].from, e[i].to)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *pj_knowledge(const plugin *p)
{
    json_t *models = json_object();
    for (size_t i = 0; models && i < p->n_models; i++) {
        if (pj_set(models, p->models[i].node, pj_str(p->models[i].expr)) != 0) {
            json_decref(models);
            return NULL;
        }
    }
    if (!models)
        return NULL;
    return json_pack("{s:o, s:o, s:o}", "edges", pj_edges(p->edges, p->n_edges), "forbidden",
                     pj_edges(p->forbidden, p->n_forbidden), "models", models);
}

json_t *plugin_config_to_json(const plugin_config *cfg)
{
    json_t *o = json_object();
    for (size_t i = 0; o && cfg && i < cfg->count; i++) {
        const plugin_value *v = &cfg->values[i];
        if (pj_set(o, v->name, v->choice ? pj_str(v->choice) : pj_number(v->number)) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *plugin_to_json(const plugin *p)
{
    plugin_config def = plugin_default_config(p);
    json_t *metrics = json_array();
    for (size_t i = 0; metrics && i < p->n_metric_names; i++) {
        if (pj_append(metrics, pj_str(p->metric_names[i])) != 0) {
            json_decref(metrics);
            metrics = NULL;
        }
    }
    json_t *options = json_array();
    for (size_t i = 0; options && i < p->n_option_docs; i++) {
        const plugin_option_doc *d = &p->option_docs[i];
        json_t *o = json_pack("{s:s, s:o, s:s}", "key", d->key, "default",
                              d->default_value ? json_string(d->default_value) : json_null(),
                              "description", d->description ? d->description : "");
        if (pj_append(options, o) != 0) {
            json_decref(options);
            options = NULL;
        }
    }
    json_t *out = json_object();
    int bad = !out || !metrics || !options;
    bad = bad || pj_set(out, "name", pj_str(p->name)) ||
          pj_set(out, "description", pj_str(p->description)) ||
          pj_set(out, "parameters", pj_params(p, 1)) || pj_set(out, "objective", pj_objective(p)) ||
          pj_set(out, "constraints", pj_constraints(p)) ||
          pj_set(out, "parameter_constraints", plugin_param_constraints_json(p, NULL, NULL, 0)) ||
          pj_set(out, "default", plugin_config_to_json(&def)) ||
          pj_set(out, "knowledge", pj_knowledge(p)) ||
          pj_set(out, "log_format",
                 p->log_format && p->log_format[0] ? json_string(p->log_format) : json_null()) ||
          pj_set(out, "metrics", json_incref(metrics)) ||
          pj_set(out, "options", json_incref(options)) ||
          pj_set(out, "user_space", json_boolean(p->flags & PLUGIN_FLAG_USER_SPACE)) ||
          pj_set(out, "deterministic", json_boolean(p->flags & PLUGIN_FLAG_DETERMINISTIC)) ||
          pj_set(out, "max_parallel", json_integer(p->max_parallel)) ||
          pj_set(out, "timeout_seconds", pj_number(p->default_timeout_seconds));
    json_decref(metrics);
    json_decref(options);
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static int pj_fill(json_t *body, const char *key, json_t *value, char *err, size_t err_len)
{
    if (json_object_get(body, key)) {
        json_decref(value);
        return 0;
    }
    if (pj_set(body, key, value) != 0) {
        pj_err(err, err_len, "out of memory");
        return -1;
    }
    return 0;
}

int plugin_fill_study(const plugin *p, json_t *body, char *err, size_t err_len)
{
    if (!p || !json_is_object(body)) {
        pj_err(err, err_len, "study body must be a JSON object");
        return -1;
    }
    const json_t *popts = json_object_get(body, "plugin_options");
    if (popts && !json_is_null(popts)) {
        if (!json_is_object(popts)) {
            pj_err(err, err_len, "plugin_options must be an object");
            return -1;
        }
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)popts, key, val) {
            int known = (p->flags & PLUGIN_FLAG_USER_SPACE) && strcmp(key, "objective") == 0;
            for (size_t k = 0; !known && k < p->n_option_docs; k++)
                known = strcmp(p->option_docs[k].key, key) == 0;
            if (!known) {
                pj_err(err, err_len, "plugin_options.%s: plugin '%s' has no such option", key,
                       p->name);
                return -1;
            }
        }
    }
    if (p->flags & PLUGIN_FLAG_USER_SPACE) {
        /* "objectives" is the study validation's to judge. */
        if (!json_object_get(body, "parameters") ||
            (!json_object_get(body, "objective") && !json_object_get(body, "objectives"))) {
            /* The service puts "plugin 'NAME': " before this. */
            pj_err(err, err_len, "the study must give its own \"parameters\" and "
                   "\"objective\"");
            return -1;
        }
    }
    int own_params = json_object_get(body, "parameters") != NULL;
    plugin_config def = plugin_default_config(p);
    if (pj_fill(body, "plugin", json_string(p->name), err, err_len) != 0)
        return -1;
    if (!(p->flags & PLUGIN_FLAG_USER_SPACE)) {
        /* plugin_options.objectives: several of its metrics instead of its objective */
        if (plugin_objectives_fill(p, body, err, err_len) != 0 ||
            pj_fill(body, "parameters", pj_params(p, 0), err, err_len) != 0 ||
            (!json_object_get(body, "objectives") &&
             pj_fill(body, "objective", pj_objective(p), err, err_len) != 0))
            return -1;
        if (!own_params && pj_fill(body, "default", plugin_config_to_json(&def), err, err_len) != 0)
            return -1;
    }
    if (p->n_constraints &&
        pj_fill(body, "constraints", pj_constraints(p), err, err_len) != 0)
        return -1;
    /* a study's own parameters may not have the plugin's names: as for the default */
    if (p->n_parameter_constraints && !own_params &&
        !json_object_get(body, "parameter_constraints")) {
        json_t *pc = plugin_param_constraints_json(p, popts, err, err_len);
        if (!pc || pj_fill(body, "parameter_constraints", pc, err, err_len) != 0)
            return -1;
    }
    if ((p->n_edges || p->n_forbidden || p->n_models) &&
        pj_fill(body, "knowledge", pj_knowledge(p), err, err_len) != 0)
        return -1;
    if (p->log_format && p->log_format[0] &&
        pj_fill(body, "log_format", json_string(p->log_format), err, err_len) != 0)
        return -1;
    return 0;
}

int plugins_study_hook(void *registry, const char *name, json_t *body, char *err,
                       size_t err_len)
{
    const plugin *p = plugins_find((const plugins_registry *)registry, name);
    if (!p) {
        pj_err(err, err_len, "no plugin named '%s'", name ? name : "");
        return 1;
    }
    return plugin_fill_study(p, body, err, err_len);
}

json_t *plugins_list_json(const plugins_registry *reg)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < plugins_count(reg); i++) {
        if (pj_append(arr, plugin_to_json(plugins_at(reg, i))) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    if (!arr)
        return NULL;
    return json_pack("{s:o}", "plugins", arr);
}

int plugin_config_from_json(const json_t *obj, plugin_config *out, char *err, size_t err_len)
{
    plugin_config cfg = {NULL, 0};
    if (!json_is_object(obj)) {
        pj_err(err, err_len, "configuration must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        int rc;
        if (json_is_string(val))
            rc = plugin_config_set(&cfg, key, 0.0, json_string_value(val));
        else if (json_is_number(val))
            rc = plugin_config_set(&cfg, key, json_number_value(val), NULL);
        else if (json_is_boolean(val))
            rc = plugin_config_set(&cfg, key, json_is_true(val) ? 1.0 : 0.0, NULL);
        else {
            pj_err(err, err_len, "parameter '%s': needs a number or a string", key);
            plugin_config_free(&cfg);
            return -1;
        }
        if (rc != 0) {
            pj_err(err, err_len, "out of memory");
            plugin_config_free(&cfg);
            return -1;
        }
    }
    *out = cfg;
    return 0;
}

void plugin_options_free(plugin_option *opts, size_t n)
{
    for (size_t i = 0; opts && i < n; i++) {
        free((char *)opts[i].key);
        free((char *)opts[i].value);
    }
    free(opts);
}

int plugin_options_from_json(const json_t *obj, plugin_option **out, size_t *n, char *err,
                             size_t err_len)
{
    *out = NULL;
    *n = 0;
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj)) {
        pj_err(err, err_len, "plugin_options must be an object");
        return -1;
    }
    size_t count = json_object_size(obj), i = 0;
    plugin_option *opts = calloc(count ? count : 1, sizeof *opts);
    if (!opts) {
        pj_err(err, err_len, "out of memory");
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        char *text = NULL;
        if (json_is_string(val)) {
            text = strdup(json_string_value(val));
        } else if (json_is_integer(val)) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(val));
            text = strdup(buf);
        } else if (json_is_real(val)) {
            char buf[40];
            snprintf(buf, sizeof buf, "%.17g", json_real_value(val));
            text = strdup(buf);
        } else if (json_is_boolean(val)) {
            text = strdup(json_is_true(val) ? "1" : "0");
        } else if (json_is_array(val) || json_is_object(val)) {
            text = json_dumps(val, JSON_COMPACT);
        } else {
            pj_err(err, err_len, "plugin_options.%s: null is not a value", key);
            plugin_options_free(opts, i);
            return -1;
        }
        char *k = strdup(key);
        if (!text || !k) {
            free(text);
            free(k);
            plugin_options_free(opts, i);
            pj_err(err, err_len, "out of memory");
            return -1;
        }
        opts[i].key = k;
        opts[i].value = text;
        i++;
    }
    *out = opts;
    *n = i;
    return 0;
}

/* Text a program printed as a JSON string the service takes: bytes as they
 * are when they are UTF-8 without NUL; otherwise a copy with each NUL byte
 * and (when the text is not UTF-8) each byte >= 0x80 as '?'. */
json_t *plugin_json_text(const char *text, size_t len)
{
    if (!text)
        return json_string("");
    json_t *s = memchr(text, '\0', len) ? NULL : json_stringn(text, len);
    if (s)
        return s;
    char *clean = malloc(len + 1);
    if (!clean)
        return NULL;
    for (size_t i = 0; i < len; i++)
        clean[i] = text[i] ? text[i] : '?';
    s = json_stringn(clean, len);
    for (size_t i = 0; !s && i < len; i++)
        if ((unsigned char)clean[i] >= 0x80)
            clean[i] = '?';
    if (!s)
        s = json_stringn(clean, len);
    free(clean);
    return s;
}

json_t *plugin_result_metrics_json(const plugin_result *res)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < res->n_metrics; i++) {
        const char *name = res->metrics[i].name;
        int rc = json_object_set_new(o, name, json_real(res->metrics[i].value));
        if (rc != 0) {
            /* not UTF-8: the name as plugin_json_text cleans it */
            json_t *clean = plugin_json_text(name, strlen(name));
            rc = clean ? json_object_set_new(o, json_string_value(clean),
                                             json_real(res->metrics[i].value))
                       : -1;
            json_decref(clean);
        }
        if (rc != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *plugin_result_to_json(const plugin_result *res)
{
    if (res->state != PLUGIN_OK) {
        json_t *o = json_object();
        if (!o || pj_set(o, "reason", plugin_json_text(res->reason, strlen(res->reason))) != 0 ||
            pj_set(o, "infeasible", json_boolean(res->state == PLUGIN_INFEASIBLE)) != 0) {
            json_decref(o);
            return NULL;
        }
        return o;
    }
    json_t *o = json_object();
    if (!o || pj_set(o, "metrics", plugin_result_metrics_json(res)) != 0) {
        json_decref(o);
        return NULL;
    }
    if (res->log && res->log_len) {
        /* Programs print bytes: NUL and non-UTF-8 would make the service
         * refuse the whole report. */
        if (pj_set(o, "logs", plugin_json_text(res->log, res->log_len)) != 0) {
            json_decref(o);
            return NULL;
        }
        if (res->log_format[0] && pj_set(o, "log_format", json_string(res->log_format)) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
