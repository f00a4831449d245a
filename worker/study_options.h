/*
 * study_options.h - the run options a worker gives a study's plugin, under
 * the worker's own rule on what runs on its machine: whoever can create a
 * study must not decide what a worker executes.
 *
 * The options that choose a program or where it runs (WORKER_EXEC_OPTIONS:
 * the command plugin's argv and cwd, the rocksdb plugin's db_bench) are
 * taken from the study's plugin_options only when the worker was started
 * with --trust-study-command. Otherwise the command plugin runs the program
 * given on the worker's own command line (`bograph worker ... -- PROGRAM
 * ARGS`), in the directory given there (--cwd) or a fresh temporary one; a
 * study that sets such an option for another plugin is refused with what to
 * do. User-space plugins also get the study's objective as "objective".
 */
#ifndef BOGRAPH_WORKER_STUDY_OPTIONS_H
#define BOGRAPH_WORKER_STUDY_OPTIONS_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"

/* Option keys that name a program to run or where it runs. */
#define WORKER_EXEC_OPTIONS {"argv", "cwd", "db_bench"}

typedef struct {
    char *const *program;      /* argv of the program (NULL-terminated), or NULL */
    const char *cwd;           /* its working directory, or NULL */
    int trust_study_command;   /* take argv/cwd/db_bench from the study */
    const char *objective;     /* the study's objective, or NULL */
} worker_exec_policy;

/* The run options of plug for study (its GET answer) into *out (n of them,
 * owned; plugin_options_free). 0, or -1 with a message saying how to run the
 * study (e.g. "give the program after --"). */
int worker_study_options(const plugin *plug, const json_t *study, const worker_exec_policy *pol,
                         plugin_option **out, size_t *n, char *err, size_t err_len);

#endif
