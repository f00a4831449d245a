/*
 * logs.c - the parser registry: logs_parse picks a parser by name and merges
 * what it finds into the caller's metric set, all or nothing.
 */
#include <string.h>

#include "logs/logs_internal.h"

typedef int (*logs_parser_fn)(const char *, size_t, logs_collect *, char *, size_t);

typedef struct {
    const char *name;
    logs_parser_fn fn;
} logs_parser;

static const logs_parser logs_parsers[] = {
    {"rocksdb", logs_parse_rocksdb},
    {"keyvalue", logs_parse_keyvalue},
    {"jsonl", logs_parse_jsonl},
};

static const char *const logs_names[] = {"rocksdb", "keyvalue", "jsonl", NULL};

#define LOGS_N_PARSERS (sizeof logs_parsers / sizeof logs_parsers[0])

static const logs_parser *logs_find(const char *format)
{
    if (!format)
        return NULL;
    for (size_t i = 0; i < LOGS_N_PARSERS; i++)
        if (strcmp(logs_parsers[i].name, format) == 0)
            return &logs_parsers[i];
    return NULL;
}

int logs_format_known(const char *format)
{
    return logs_find(format) != NULL;
}

const char *const *logs_format_names(void)
{
    return logs_names;
}

int logs_parse(const char *format, const char *text, size_t len,
               logs_metrics *out, char *err, size_t err_len)
{
    const logs_parser *p = logs_find(format);
    if (!p) {
        logs_set_err(err, err_len, "unknown log format '%s' (known: rocksdb, keyvalue, jsonl)",
                     format ? format : "(null)");
        return -1;
    }
    if (!out || (!text && len > 0)) {
        logs_set_err(err, err_len, "logs_parse: no text or no output");
        return -1;
    }
    logs_collect c;
    logs_collect_init(&c);
    int rc = p->fn(text ? text : "", len, &c, err, err_len);
    if (rc == 0)
        rc = logs_collect_finish(&c, out, err, err_len);
    logs_collect_free(&c);
    return rc;
}
