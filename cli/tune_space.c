/*
 * tune_space.c - reads the space file of `bograph tune command` (see
 * tune_space.h).
 */
#include "cli/tune_space.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tune_space_members[] = {"parameters", "objective", "objectives", "default",
                                          "constraints", "parameter_constraints", "knowledge",
                                          "log_format", NULL};

static int tune_space_known(const char *key)
{
    for (size_t i = 0; tune_space_members[i]; i++)
        if (strcmp(tune_space_members[i], key) == 0)
            return 1;
    return 0;
}

json_t *tune_space_parse(const char *path, const char *text, size_t len, char *err,
                         size_t err_len)
{
    json_error_t je;
    json_t *space = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!space) {
        snprintf(err, err_len, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(space)) {
        snprintf(err, err_len, "%s: must hold a JSON object with \"parameters\" and "
                 "\"objective\"", path);
        json_decref(space);
        return NULL;
    }
    const char *key;
    json_t *val;
    json_object_foreach(space, key, val) {
        if (!tune_space_known(key)) {
            snprintf(err, err_len, "%s: unknown member '%.100s' (a space file holds parameters, "
                     "objective or objectives, default, constraints, parameter_constraints, "
                     "knowledge, log_format)", path, key);
            json_decref(space);
            return NULL;
        }
    }
    if (!json_object_get(space, "parameters") ||
        (!json_object_get(space, "objective") && !json_object_get(space, "objectives"))) {
        snprintf(err, err_len, "%s: needs \"parameters\" and \"objective\" (or \"objectives\")",
                 path);
        json_decref(space);
        return NULL;
    }
    return space;
}

json_t *tune_space_load(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *space = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!space) {
        snprintf(err, err_len, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return NULL;
    }
    char *text = json_dumps(space, JSON_COMPACT);
    json_decref(space);
    if (!text) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    json_t *out = tune_space_parse(path, text, strlen(text), err, err_len);
    free(text);
    return out;
}

int tune_space_apply(const json_t *space, json_t *body)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)space, key, val) {
        if (json_object_set(body, key, val) != 0)
            return -1;
    }
    return 0;
}
