/*
 * study_options.c - a study's plugin_options as run options, with the
 * program and its directory decided by the worker (see study_options.h).
 */
#include "worker/study_options.h"

#include <stdio.h>
#include <string.h>

#include "plugins/plugin_json.h"

static const char *const worker_exec_keys[] = WORKER_EXEC_OPTIONS;
#define WORKER_N_EXEC_KEYS (sizeof worker_exec_keys / sizeof worker_exec_keys[0])

/* The first key of opts that chooses what runs, or NULL. */
static const char *worker_exec_key_in(const json_t *opts)
{
    for (size_t i = 0; i < WORKER_N_EXEC_KEYS; i++)
        if (json_object_get(opts, worker_exec_keys[i]))
            return worker_exec_keys[i];
    return NULL;
}

/* The command plugin's argv from the worker's own command line. */
static int worker_set_program(json_t *opts, const worker_exec_policy *pol, char *err,
                              size_t err_len)
{
    json_t *argv = json_array();
    for (size_t i = 0; argv && pol->program[i]; i++)
        if (json_array_append_new(argv, json_string(pol->program[i])) != 0) {
            json_decref(argv);
            argv = NULL;
        }
    if (!argv || json_array_size(argv) == 0 || json_object_set_new(opts, "argv", argv) != 0 ||
        (pol->cwd && json_object_set_new(opts, "cwd", json_string(pol->cwd)) != 0)) {
        snprintf(err, err_len, "the program's arguments must be UTF-8 text");
        return -1;
    }
    return 0;
}

/* Applies the policy to opts (a copy of the study's plugin_options). */
static int worker_apply_policy(const plugin *plug, json_t *opts, const worker_exec_policy *pol,
                               const char *study_id, char *err, size_t err_len)
{
    int is_command = strcmp(plug->name, "command") == 0;
    if (pol->program && !is_command) {
        snprintf(err, err_len, "study %s uses the plugin '%s': a program after -- is only for "
                 "studies of the command plugin", study_id, plug->name);
        return -1;
    }
    if (pol->trust_study_command) {
        if (pol->program)
            return worker_set_program(opts, pol, err, err_len);
        if (pol->cwd && is_command)
            return json_object_set_new(opts, "cwd", json_string(pol->cwd)) == 0 ? 0 : -1;
        return 0;
    }
    if (is_command) {
        if (!pol->program) {
            snprintf(err, err_len, "study %s runs the command plugin: give the program on this "
                     "worker's command line (`bograph worker ... -- PROGRAM [ARGS...]`), or "
                     "pass --trust-study-command to run the argv the study names%s", study_id,
                     json_object_get(opts, "argv") ? "" : " (it names none)");
            return -1;
        }
        json_object_del(opts, "argv");
        json_object_del(opts, "cwd");
        return worker_set_program(opts, pol, err, err_len);
    }
    const char *key = worker_exec_key_in(opts);
    if (key) {
        snprintf(err, err_len, "study %s sets the plugin option '%s', which chooses what this "
                 "machine runs: start the worker with --trust-study-command to accept it",
                 study_id, key);
        return -1;
    }
    return 0;
}

int worker_study_options(const plugin *plug, const json_t *study, const worker_exec_policy *pol,
                         plugin_option **out, size_t *n, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    const char *id = json_string_value(json_object_get(study, "id"));
    json_t *opts = json_deep_copy(json_object_get(study, "plugin_options"));
    if (!json_is_object(opts)) {
        json_decref(opts);
        opts = json_object();
    }
    if (!opts) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int rc = worker_apply_policy(plug, opts, pol, id ? id : "?", err, err_len);
    if (rc == 0 && (plug->flags & PLUGIN_FLAG_USER_SPACE) && pol->objective &&
        pol->objective[0] && !json_object_get(opts, "objective"))
        json_object_set_new(opts, "objective", json_string(pol->objective));
    if (rc == 0)
        rc = plugin_options_from_json(opts, out, n, err, err_len);
    json_decref(opts);
    return rc;
}
