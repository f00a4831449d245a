/*
 * plugin_objectives.c - plugin_options.objectives into a study's
 * "objectives": the names resolved against the plugin's metrics.
 */
#include "plugins/plugin_objectives.h"

#include <stdio.h>
#include <string.h>

#define PO_MAX_NAMES 8
#define PO_MAX_NAME 128

/* The metric of p that name means: itself, or the only "<name>_..." one;
 * NULL when none or several. */
static const char *po_metric(const plugin *p, const char *name)
{
    const char *found = NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < p->n_metric_names; i++) {
        const char *m = p->metric_names[i];
        if (strcmp(m, name) == 0)
            return m;
        if (strncmp(m, name, len) == 0 && m[len] == '_') {
            if (found)
                return NULL;
            found = m;
        }
    }
    return found;
}

static int po_declared(const plugin *p)
{
    for (size_t k = 0; k < p->n_option_docs; k++)
        if (strcmp(p->option_docs[k].key, "objectives") == 0)
            return 1;
    return 0;
}

int plugin_objectives_fill(const plugin *p, json_t *body, char *err, size_t err_len)
{
    json_t *v = json_object_get(json_object_get(body, "plugin_options"), "objectives");
    if (!v || !po_declared(p) || json_object_get(body, "objective") ||
        json_object_get(body, "objectives"))
        return 0;
    if (!json_is_string(v)) {
        snprintf(err, err_len, "plugin_options.objectives must be metric names joined by ','");
        return -1;
    }
    const char *s = json_string_value(v);
    json_t *list = json_array();
    const char *goal = p->goal == PLUGIN_MAXIMIZE ? "maximize" : "minimize";
    while (list && *s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char name[PO_MAX_NAME];
        const char *metric = NULL;
        if (len > 0 && len < sizeof name) {
            memcpy(name, s, len);
            name[len] = '\0';
            metric = po_metric(p, name);
        }
        if (!metric || json_array_size(list) >= PO_MAX_NAMES) {
            snprintf(err, err_len, "plugin_options.objectives: '%.*s' is not one metric of "
                     "plugin '%s'", (int)(len < PO_MAX_NAME ? len : PO_MAX_NAME), s, p->name);
            json_decref(list);
            return -1;
        }
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", metric, "goal", goal));
        s = end ? end + 1 : s + len;
    }
    if (!list || json_object_set_new(body, "objectives", list) != 0) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    return 0;
}
