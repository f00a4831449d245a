/*
 * plugin_param_constraints.c - ${option} substitution in a plugin's
 * parameter constraints.
 */
#include "plugins/plugin_param_constraints.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* The text of option key (n bytes at key) for the study: plugin_options,
 * else the documented default; NULL with err when it has none or is not a number. */
static const char *ppc_value(const plugin *p, const json_t *popts, const char *key, size_t n,
                             char *num, size_t num_len, char *err, size_t err_len)
{
    const plugin_option_doc *doc = NULL;
    for (size_t k = 0; k < p->n_option_docs && !doc; k++)
        if (strlen(p->option_docs[k].key) == n && strncmp(p->option_docs[k].key, key, n) == 0)
            doc = &p->option_docs[k];
    if (!doc) {
        snprintf(err, err_len, "parameter constraint names ${%.*s}, which is not an option of "
                 "plugin '%s'", (int)n, key, p->name);
        return NULL;
    }
    const json_t *v = popts ? json_object_get(popts, doc->key) : NULL;
    const char *text = doc->default_value;
    if (v && json_is_number(v)) {
        snprintf(num, num_len, "%.17g", json_number_value(v));
        text = num;
    } else if (v && json_is_string(v)) {
        text = json_string_value(v);
    }
    char *end = NULL;
    errno = 0;
    double x = text ? strtod(text, &end) : NAN;
    if (!text || errno || end == text || *end != '\0' || !isfinite(x)) {
        snprintf(err, err_len, "plugin_options.%s: needs a number (the parameter constraints "
                 "use it)", doc->key);
        return NULL;
    }
    return text;
}

/* One constraint with its ${key}s replaced, appended to b. */
static int ppc_expand(const plugin *p, const json_t *popts, const char *tmpl, buf *b, char *err,
                      size_t err_len)
{
    char num[64];
    for (const char *s = tmpl; *s;) {
        const char *open = strstr(s, "${");
        if (!open) {
            buf_puts(b, s);
            return 0;
        }
        const char *close = strchr(open + 2, '}');
        if (!close) {
            snprintf(err, err_len, "parameter constraint '%s': ${ without }", tmpl);
            return -1;
        }
        const char *v = ppc_value(p, popts, open + 2, (size_t)(close - open - 2), num, sizeof num,
                                  err, err_len);
        if (!v)
            return -1;
        buf_append(b, s, (size_t)(open - s));
        buf_puts(b, v);
        s = close + 1;
    }
    return 0;
}

json_t *plugin_param_constraints_json(const plugin *p, const json_t *popts, char *err,
                                      size_t err_len)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->n_parameter_constraints; i++) {
        buf b;
        buf_init(&b);
        int rc = ppc_expand(p, popts, p->parameter_constraints[i], &b, err, err_len);
        char *text = rc == 0 ? buf_finish(&b, NULL) : NULL;
        if (rc == 0 && !text)
            snprintf(err, err_len, "out of memory");
        buf_free(&b);
        if (!text || json_array_append_new(a, json_string(text)) != 0) {
            free(text);
            json_decref(a);
            return NULL;
        }
        free(text);
    }
    return a;
}
