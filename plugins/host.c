/*
 * host.c - the host side of the plugin interface: result storage, descriptor
 * and configuration checks, configuration copies, and plugin_run().
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/host.h"
#include "util/buf.h"

static void host_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void host_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* ---- results ----------------------------------------------------------- */

static int host_set_metric(plugin_result *res, const char *name, double value)
{
    if (!res || !name || !name[0] || strlen(name) > BOGRAPH_MAX_METRIC_NAME ||
        !isfinite(value))
        return -1;
    for (size_t i = 0; i < res->n_metrics; i++) {
        if (strcmp(res->metrics[i].name, name) == 0) {
            res->metrics[i].value = value;
            return 0;
        }
    }
    if (res->n_metrics >= PLUGIN_MAX_METRICS)
        return -1;
    if (res->n_metrics == res->cap_metrics) {
        size_t cap = res->cap_metrics ? res->cap_metrics * 2 : 32;
        plugin_metric *m = realloc(res->metrics, cap * sizeof *m);
        if (!m)
            return -1;
        res->metrics = m;
        res->cap_metrics = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    res->metrics[res->n_metrics].name = copy;
    res->metrics[res->n_metrics].value = value;
    res->n_metrics++;
    return 0;
}

static int host_append_log(plugin_result *res, const char *text, size_t len)
{
    if (!res || (!text && len))
        return -1;
    if (len == 0)
        return 0;
    int truncated = 0;
    if (res->log_len + len > PLUGIN_MAX_LOG_BYTES) {
        len = PLUGIN_MAX_LOG_BYTES - res->log_len;
        truncated = 1;
    }
    /* The log's fields are part of the plugin ABI (plugin.h), so the buffer
     * is a view on them rather than a member. */
    buf b = {.data = res->log, .len = res->log_len, .cap = res->log_cap, .failed = 0};
    if (len > 0)
        buf_append(&b, text, len);
    if (b.failed)
        return -1;
    res->log = b.data;
    res->log_len = b.len;
    res->log_cap = b.cap;
    if (truncated) {
        res->log_truncated = 1;
        return -1;
    }
    return 0;
}

void plugin_result_init(plugin_result *res)
{
    memset(res, 0, sizeof *res);
    res->state = PLUGIN_OK;
    res->set_metric = host_set_metric;
    res->append_log = host_append_log;
}

void plugin_result_free(plugin_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_metrics; i++)
        free(res->metrics[i].name);
    free(res->metrics);
    free(res->log);
    plugin_result_init(res);
}

const double *plugin_result_metric(const plugin_result *res, const char *name)
{
    for (size_t i = 0; res && name && i < res->n_metrics; i++)
        if (strcmp(res->metrics[i].name, name) == 0)
            return &res->metrics[i].value;
    return NULL;
}

void plugin_result_set(plugin_result *res, plugin_state state, const char *fmt, ...)
{
    res->state = state;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
}

const char *plugin_state_name(plugin_state st)
{
    switch (st) {
    case PLUGIN_OK: return "ok";
    case PLUGIN_FAILED: return "failed";
    case PLUGIN_INFEASIBLE: return "infeasible";
    }
    return "unknown";
}

const char *plugin_param_type_name(plugin_param_type t)
{
    switch (t) {
    case PLUGIN_PARAM_FLOAT: return "float";
    case PLUGIN_PARAM_INT: return "int";
    case PLUGIN_PARAM_CATEGORICAL: return "categorical";
    case PLUGIN_PARAM_ORDINAL: return "ordinal";
    }
    return "unknown";
}

const char *plugin_goal_name(plugin_goal g)
{
    return g == PLUGIN_MAXIMIZE ? "maximize" : "minimize";
}

/* ---- descriptor checks -------------------------------------------------- */

static const plugin_param *host_param(const plugin *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return &p->params[i];
    return NULL;
}

static int host_name_ok(const char *s, const char *extra)
{
    if (!s || !s[0] || strlen(s) > 100)
        return 0;
    for (const char *c = s; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                 (extra && strchr(extra, *c));
        if (!ok)
            return 0;
    }
    return 1;
}

static int host_check_param(const plugin_param *q, char *err, size_t err_len)
{
    switch (q->type) {
    case PLUGIN_PARAM_FLOAT:
    case PLUGIN_PARAM_INT:
        if (!isfinite(q->low) || !isfinite(q->high) || !(q->low < q->high)) {
            host_err(err, err_len, "parameter '%s': needs low < high", q->name);
            return -1;
        }
        if (q->log_scale && q->low <= 0) {
            host_err(err, err_len, "parameter '%s': a log scale needs low > 0", q->name);
            return -1;
        }
        if (q->type == PLUGIN_PARAM_INT && (q->low != floor(q->low) || q->high != floor(q->high))) {
            host_err(err, err_len, "parameter '%s': int bounds must be integers", q->name);
            return -1;
        }
        return 0;
    case PLUGIN_PARAM_CATEGORICAL:
        if (!q->choices || q->n_choices < 1) {
            host_err(err, err_len, "parameter '%s': no choices", q->name);
            return -1;
        }
        for (size_t k = 0; k < q->n_choices; k++) {
            if (!q->choices[k] || !q->choices[k][0]) {
                host_err(err, err_len, "parameter '%s': empty choice %zu", q->name, k);
                return -1;
            }
            for (size_t j = 0; j < k; j++)
                if (strcmp(q->choices[j], q->choices[k]) == 0) {
                    host_err(err, err_len, "parameter '%s': choice '%s' twice", q->name,
                             q->choices[k]);
                    return -1;
                }
        }
        return 0;
    case PLUGIN_PARAM_ORDINAL:
        if (!q->values || q->n_values < 1) {
            host_err(err, err_len, "parameter '%s': no values", q->name);
            return -1;
        }
        for (size_t k = 0; k < q->n_values; k++) {
            if (!isfinite(q->values[k]) || (k > 0 && !(q->values[k] > q->values[k - 1]))) {
                host_err(err, err_len, "parameter '%s': values must be finite and increasing",
                         q->name);
                return -1;
            }
        }
        return 0;
    }
    host_err(err, err_len, "parameter '%s': unknown type", q->name);
    return -1;
}

/* 1 when v is a point of q's declared space. */
static int host_value_in_space(const plugin_param *q, const plugin_value *v)
{
    switch (q->type) {
    case PLUGIN_PARAM_FLOAT:
        return isfinite(v->number) && v->number >= q->low && v->number <= q->high;
    case PLUGIN_PARAM_INT:
        return isfinite(v->number) && v->number == floor(v->number) && v->number >= q->low &&
               v->number <= q->high;
    case PLUGIN_PARAM_ORDINAL:
        for (size_t k = 0; k < q->n_values; k++)
            if (q->values[k] == v->number)
                return 1;
        return 0;
    case PLUGIN_PARAM_CATEGORICAL:
        for (size_t k = 0; v->choice && k < q->n_choices; k++)
            if (strcmp(q->choices[k], v->choice) == 0)
                return 1;
        return 0;
    }
    return 0;
}

static int host_edges_ok(const plugin_edge *e, size_t n, const char *what, char *err,
                         size_t err_len)
{
    if (n && !e) {
        host_err(err, err_len, "%s: NULL array", what);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!e[i].from || !e[i].from[0] || !e[i].to || !e[i].to[0] ||
            strcmp(e[i].from, e[i].to) == 0) {
            host_err(err, err_len, "%s[%zu]: needs two different node names", what, i);
            return -1;
        }
    }
    return 0;
}

/* 0 when the default gives every unconditional parameter and no more
 * values than there are parameters. */
static int host_defaults_cover(const plugin *p)
{
    if (p->n_defaults > p->n_params || (p->n_params && !p->defaults))
        return -1;
    for (size_t i = 0; i < p->n_params; i++) {
        if (p->params[i].condition)
            continue;
        size_t j = 0;
        while (j < p->n_defaults && (!p->defaults[j].name ||
                                     strcmp(p->defaults[j].name, p->params[i].name) != 0))
            j++;
        if (j == p->n_defaults)
            return -1;
    }
    return 0;
}

int plugin_check(const plugin *p, char *err, size_t err_len)
{
    if (!p) {
        host_err(err, err_len, "no plugin descriptor");
        return -1;
    }
    if (p->abi_version != BOGRAPH_PLUGIN_ABI_VERSION) {
        host_err(err, err_len, "plugin ABI version %d, this bograph speaks %d", p->abi_version,
                 BOGRAPH_PLUGIN_ABI_VERSION);
        return -1;
    }
    if (!host_name_ok(p->name, "-")) {
        host_err(err, err_len, "plugin name must be 1-100 characters of [a-z0-9_-]");
        return -1;
    }
    if (!p->run) {
        host_err(err, err_len, "plugin '%s': no run callback", p->name);
        return -1;
    }
    if (p->n_params && !p->params) {
        host_err(err, err_len, "plugin '%s': parameters missing", p->name);
        return -1;
    }
    for (size_t i = 0; i < p->n_params; i++) {
        const plugin_param *q = &p->params[i];
        if (!host_name_ok(q->name, NULL)) {
            host_err(err, err_len, "plugin '%s': parameter %zu: name must be [a-z0-9_]", p->name, i);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->params[j].name, q->name) == 0) {
                host_err(err, err_len, "plugin '%s': parameter '%s' declared twice", p->name,
                         q->name);
                return -1;
            }
        if (host_check_param(q, err, err_len) != 0)
            return -1;
    }
    if (!(p->flags & PLUGIN_FLAG_USER_SPACE)) {
        if (p->n_params == 0) {
            host_err(err, err_len, "plugin '%s': no parameters", p->name);
            return -1;
        }
        if (!p->objective || !p->objective[0]) {
            host_err(err, err_len, "plugin '%s': no objective", p->name);
            return -1;
        }
        if (host_defaults_cover(p) != 0) {
            host_err(err, err_len, "plugin '%s': the default must give every parameter once "
                     "(a conditional one only when active: the service checks which)", p->name);
            return -1;
        }
    }
    if (p->goal != PLUGIN_MINIMIZE && p->goal != PLUGIN_MAXIMIZE) {
        host_err(err, err_len, "plugin '%s': goal must be minimize or maximize", p->name);
        return -1;
    }
    for (size_t i = 0; i < p->n_defaults; i++) {
        const plugin_value *v = &p->defaults[i];
        const plugin_param *q = v->name ? host_param(p, v->name) : NULL;
        if (!q) {
            host_err(err, err_len, "plugin '%s': default names unknown parameter '%s'", p->name,
                     v->name ? v->name : "(null)");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->defaults[j].name, v->name) == 0) {
                host_err(err, err_len, "plugin '%s': default gives '%s' twice", p->name, v->name);
                return -1;
            }
        if (!host_value_in_space(q, v)) {
            host_err(err, err_len, "plugin '%s': default of '%s' is outside its space", p->name,
                     v->name);
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_constraints; i++) {
        const plugin_constraint *c = &p->constraints[i];
        const char *op = c->op ? c->op : "";
        if (!c->metric || !c->metric[0] || !isfinite(c->value) ||
            (strcmp(op, "<=") && strcmp(op, ">=") && strcmp(op, "<") && strcmp(op, ">"))) {
            host_err(err, err_len, "plugin '%s': constraint %zu needs a metric, an op "
                     "(<=, >=, <, >) and a finite value", p->name, i);
            return -1;
        }
    }
    if (host_edges_ok(p->edges, p->n_edges, "edges", err, err_len) != 0 ||
        host_edges_ok(p->forbidden, p->n_forbidden, "forbidden", err, err_len) != 0)
        return -1;
    for (size_t i = 0; i < p->n_models; i++) {
        if (!p->models[i].node || !p->models[i].node[0] || !p->models[i].expr ||
            !p->models[i].expr[0]) {
            host_err(err, err_len, "plugin '%s': model %zu needs a node and a formula", p->name, i);
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_parameter_constraints; i++) {
        if (!p->parameter_constraints || !p->parameter_constraints[i] ||
            !p->parameter_constraints[i][0]) {
            host_err(err, err_len, "plugin '%s': parameter constraint %zu is empty", p->name, i);
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_option_docs; i++) {
        if (!p->option_docs[i].key || !p->option_docs[i].key[0]) {
            host_err(err, err_len, "plugin '%s': option %zu has no key", p->name, i);
            return -1;
        }
    }
    if (p->log_format && strlen(p->log_format) >= PLUGIN_FORMAT_MAX) {
        host_err(err, err_len, "plugin '%s': log format name too long", p->name);
        return -1;
    }
    return 0;
}

plugin_config plugin_default_config(const plugin *p)
{
    /* The descriptor's array is const; the config type is shared with owned
     * configurations, which is why the cast. Callers never write through it. */
    plugin_config c = {(plugin_value *)p->defaults, p->n_defaults};
    return c;
}

/* 1 when every condition on q's chain of parents holds in cfg. */
static int host_param_active(const plugin *p, const plugin_config *cfg, const plugin_param *q)
{
    for (size_t steps = 0; q && q->condition && steps <= p->n_params; steps++) {
        const plugin_condition *c = q->condition;
        const plugin_value *v = c->parameter ? plugin_config_find(cfg, c->parameter) : NULL;
        int hit = 0;
        for (size_t k = 0; v && v->choice && k < c->n_choices; k++)
            hit |= c->choices[k] && strcmp(c->choices[k], v->choice) == 0;
        for (size_t k = 0; v && !v->choice && k < c->n_values; k++)
            hit |= c->values[k] == v->number;
        if (!hit)
            return 0;
        q = host_param(p, c->parameter);
    }
    return 1;
}

int plugin_config_check(const plugin *p, const plugin_config *cfg, char *err, size_t err_len)
{
    if (!cfg || (cfg->count && !cfg->values)) {
        host_err(err, err_len, "no configuration");
        return -1;
    }
    for (size_t i = 0; i < cfg->count; i++) {
        const plugin_value *v = &cfg->values[i];
        if (!v->name || !v->name[0]) {
            host_err(err, err_len, "configuration value %zu has no name", i);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->values[j].name, v->name) == 0) {
                host_err(err, err_len, "parameter '%s' given twice", v->name);
                return -1;
            }
        if (!v->choice && !isfinite(v->number)) {
            host_err(err, err_len, "parameter '%s': value is not a finite number", v->name);
            return -1;
        }
        if (p->flags & PLUGIN_FLAG_USER_SPACE)
            continue;
        const plugin_param *q = host_param(p, v->name);
        if (!q) {
            host_err(err, err_len, "plugin '%s' has no parameter '%s'", p->name, v->name);
            return -1;
        }
        if (q->type == PLUGIN_PARAM_CATEGORICAL) {
            if (!v->choice || !host_value_in_space(q, v)) {
                char list[256] = "";
                size_t used = 0;
                for (size_t k = 0; k < q->n_choices && used < sizeof list; k++)
                    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                             k ? ", " : "", q->choices[k]);
                host_err(err, err_len, "parameter '%s': '%s' is not one of %s", v->name,
                         v->choice ? v->choice : "(a number)", list);
                return -1;
            }
        } else {
            if (v->choice) {
                host_err(err, err_len, "parameter '%s': needs a number, not '%s'", v->name,
                         v->choice);
                return -1;
            }
            if (q->type == PLUGIN_PARAM_INT && v->number != floor(v->number)) {
                host_err(err, err_len, "parameter '%s': %g is not an integer", v->name, v->number);
                return -1;
            }
        }
    }
    if (!(p->flags & PLUGIN_FLAG_USER_SPACE)) {
        for (size_t i = 0; i < p->n_params; i++) {
            int given = plugin_config_find(cfg, p->params[i].name) != NULL;
            int active = host_param_active(p, cfg, &p->params[i]);
            if (given != active) {
                host_err(err, err_len, given ? "parameter '%s' is given but not active"
                                             : "parameter '%s' missing", p->params[i].name);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- owned configurations ---------------------------------------------- */

int plugin_config_set(plugin_config *cfg, const char *name, double number, const char *choice)
{
    char *c = NULL;
    if (choice && !(c = strdup(choice)))
        return -1;
    for (size_t i = 0; i < cfg->count; i++) {
        if (strcmp(cfg->values[i].name, name) == 0) {
            free((char *)cfg->values[i].choice);
            cfg->values[i].choice = c;
            cfg->values[i].number = c ? 0.0 : number;
            return 0;
        }
    }
    char *n = strdup(name);
    plugin_value *vals = n ? realloc(cfg->values, (cfg->count + 1) * sizeof *vals) : NULL;
    if (!vals) {
        free(n);
        free(c);
        return -1;
    }
    cfg->values = vals;
    vals[cfg->count].name = n;
    vals[cfg->count].number = c ? 0.0 : number;
    vals[cfg->count].choice = c;
    cfg->count++;
    return 0;
}

int plugin_config_copy(const plugin_config *src, plugin_config *dst)
{
    plugin_config out = {NULL, 0};
    for (size_t i = 0; src && i < src->count; i++) {
        if (plugin_config_set(&out, src->values[i].name, src->values[i].number,
                              src->values[i].choice) != 0) {
            plugin_config_free(&out);
            return -1;
        }
    }
    *dst = out;
    return 0;
}

void plugin_config_free(plugin_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->count; i++) {
        free((char *)cfg->values[i].name);
        free((char *)cfg->values[i].choice);
    }
    free(cfg->values);
    cfg->values = NULL;
    cfg->count = 0;
}

/* ---- running ----------------------------------------------------------- */

void plugin_run_options_init(plugin_run_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

static double host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int host_check_options(const plugin *p, const plugin_run_options *opts, char *err,
                              size_t err_len)
{
    for (size_t i = 0; opts && i < opts->n_options; i++) {
        const plugin_option *o = &opts->options[i];
        if (!o->key || !o->value) {
            host_err(err, err_len, "option %zu needs a key and a value", i);
            return -1;
        }
        int known = strcmp(o->key, "objective") == 0 && (p->flags & PLUGIN_FLAG_USER_SPACE);
        for (size_t k = 0; !known && k < p->n_option_docs; k++)
            known = strcmp(p->option_docs[k].key, o->key) == 0;
        if (!known) {
            char list[400] = "";
            size_t used = 0;
            for (size_t k = 0; k < p->n_option_docs && used < sizeof list; k++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                         p->option_docs[k].key);
            host_err(err, err_len, "plugin '%s' has no option '%s' (it has: %s)", p->name, o->key,
                     used ? list : "none");
            return -1;
        }
    }
    return 0;
}

int plugin_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
               plugin_result *res, char *err, size_t err_len)
{
    assert(res);
    char msg[PLUGIN_REASON_MAX];
    plugin_result_free(res);
    plugin_run_options none;
    if (!opts) {
        plugin_run_options_init(&none);
        opts = &none;
    }
    if (!p) {
        plugin_result_set(res, PLUGIN_FAILED, "no plugin");
        host_err(err, err_len, "no plugin");
        return -1;
    }
    if (plugin_config_check(p, cfg, msg, sizeof msg) != 0 ||
        host_check_options(p, opts, msg, sizeof msg) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", msg);
        host_err(err, err_len, "%s", msg);
        return -1;
    }
    if (p->log_format)
        snprintf(res->log_format, sizeof res->log_format, "%s", p->log_format);

    double t0 = host_now();
    int rc = p->run(p, cfg, opts, res);
    res->elapsed_seconds = host_now() - t0;

    if (res->state != PLUGIN_OK && res->state != PLUGIN_FAILED && res->state != PLUGIN_INFEASIBLE)
        plugin_result_set(res, PLUGIN_FAILED, "plugin '%s' returned an unknown state", p->name);
    if (rc != 0 && res->state == PLUGIN_OK) {
        if (!res->reason[0])
            snprintf(res->reason, sizeof res->reason, "plugin '%s' could not run", p->name);
        res->state = PLUGIN_FAILED;
    }
    /* A cancelled run's outcome is "cancelled", whatever broke on the way. */
    if (plugin_cancelled(opts) && res->state != PLUGIN_INFEASIBLE)
        plugin_result_set(res, PLUGIN_FAILED, "cancelled");
    if (res->state == PLUGIN_OK) {
        res->reason[0] = '\0';
        const char *obj = p->objective;
        const char *o = plugin_option_get(opts, "objective");
        if ((p->flags & PLUGIN_FLAG_USER_SPACE) && o)
            obj = o;
        if (!res->has_objective && obj) {
            const double *v = plugin_result_metric(res, obj);
            if (v) {
                res->objective = *v;
                res->has_objective = 1;
            }
        }
        if (res->has_objective && !isfinite(res->objective))
            res->has_objective = 0;
    } else if (!res->reason[0]) {
        snprintf(res->reason, sizeof res->reason, "%s without a reason",
                 plugin_state_name(res->state));
    }
    return 0;
}
