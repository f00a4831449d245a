/*
 * jsonl.c - the "jsonl" parser: one JSON object a line (jansson), numeric
 * leaves flattened into dotted names ({"db": {"get": {"p95": 1.5}}} gives
 * "db.get.p95"), true/false as 1/0, array elements by index (arrays longer
 * than JSONL_MAX_ARRAY are skipped: a latency trace is not a metric). Lines
 * that do not start with '{' are not records and are skipped (programs mix
 * text with their JSON); a line that starts with '{' but is not valid JSON is
 * an error naming the line. Later records override earlier values.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "logs/logs_internal.h"

#define JSONL_MAX_ARRAY 64

static void jsonl_flatten(logs_collect *c, const char *prefix, json_t *v)
{
    char name[LOGS_NAME_MAX + 1];
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child) {
            char norm[LOGS_NAME_MAX + 1];
            if (logs_normalize_name(key, strlen(key), norm, sizeof norm) == 0)
                continue;
            int w = prefix[0] ? snprintf(name, sizeof name, "%s.%s", prefix, norm)
                              : snprintf(name, sizeof name, "%s", norm);
            if (w < 0 || (size_t)w >= sizeof name)
                continue;
            jsonl_flatten(c, name, child);
        }
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if (n > JSONL_MAX_ARRAY || !prefix[0])
            return;
        for (size_t i = 0; i < n; i++) {
            int w = snprintf(name, sizeof name, "%s.%zu", prefix, i);
            if (w < 0 || (size_t)w >= sizeof name)
                continue;
            jsonl_flatten(c, name, json_array_get(v, i));
        }
    } else if (json_is_number(v)) {
        logs_collect_add(c, prefix, json_number_value(v));
    } else if (json_is_boolean(v)) {
        logs_collect_add(c, prefix, json_is_true(v) ? 1.0 : 0.0);
    }
}

int logs_parse_jsonl(const char *text, size_t len, logs_collect *c, char *err, size_t err_len)
{
    size_t pos = 0, lineno = 0;
    const char *line;
    size_t n;
    while (logs_next_line(text, len, &pos, &line, &n)) {
        lineno++;
        size_t i = 0;
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == n || line[i] != '{')
            continue;
        json_error_t jerr;
        json_t *root = json_loadb(line + i, n - i, 0, &jerr);
        if (!root) {
            logs_set_err(err, err_len, "jsonl line %zu: %s (column %d)", lineno, jerr.text,
                         jerr.column);
            return -1;
        }
        jsonl_flatten(c, "", root);
        json_decref(root);
        if (c->oom || c->overflow)
            break;
    }
    return 0;
}
