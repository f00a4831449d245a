/*
 * cli.h - the `bograph` command line: a table of subcommands (main.c) and
 * each subcommand's entry point. A subcommand gets argv from its own name
 * on (argv[0] = "serve") and returns the process exit code: 0 ok, 1 failure,
 * 2 usage error (CLI_* below). Each answers `--help` with its usage on stdout.
 *
 * Adding a subcommand: write int cli_NAME(int, char **) in cli/cli_NAME.c,
 * declare it here, add one row to the table in main.c and the file to the
 * list in cli/CMakeLists.txt.
 */
#ifndef BOGRAPH_CLI_CLI_H
#define BOGRAPH_CLI_CLI_H

#include <getopt.h>
#include <stdatomic.h>
#include <stddef.h>

#include "plugins/registry.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

typedef struct {
    const char *name;
    const char *summary;               /* one line for `bograph --help` */
    int (*run)(int argc, char **argv);
} cli_command;

int cli_serve(int argc, char **argv);
int cli_tune(int argc, char **argv);
int cli_worker(int argc, char **argv);
int cli_migrate(int argc, char **argv);

/* ---- Shared by the subcommands (cli_common.c) ---- */

/* A decimal number in [min, max]; 0, or -1 when it is not one. */
int cli_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                   unsigned long long *out);
int cli_parse_double(const char *s, double min, double max, double *out);
/* Print the usage error and return CLI_USAGE. opt ':' means a missing value. */
int cli_bad_value(const char *command, const char *value, const char *option);
int cli_bad_option(const char *command, int opt, const char *option);
/* The same for the long option longopts[idx] (the index getopt_long gave):
 * "bad value '0' for --budget (expected)". expected may be NULL. */
int cli_bad_long_value(const char *command, const char *value, const struct option *longopts,
                       int idx, const char *expected);
/* Splits argv at a "--": *opt_argc is the count before it (argc without
 * one) and *program what follows it (NULL when there is no "--"; an empty
 * array when nothing follows). */
void cli_split_program(int argc, char **argv, int *opt_argc, char ***program);
/* A copy of program (NULL-terminated) whose argv[0], when it holds a '/'
 * but is relative, is made absolute (the program runs in another
 * directory). NULL after printing why (no such file). Free with free(). */
char **cli_program_argv(const char *command, char **program);
/* The built-in plugins plus those of plugin_dir (may be NULL); NULL after
 * printing why. */
plugins_registry *cli_plugins_open(const char *plugin_dir, const char *command, char *err,
                                   size_t err_len);
/* Installs SIGINT/SIGTERM handlers: the first signal sets *stop (may be
 * NULL) and wakes cli_signals_wait; the second exits the process at once.
 * SIGPIPE is ignored. 0, or -1. */
int cli_signals_install(atomic_int *stop);
/* Blocks until the first SIGINT/SIGTERM. */
void cli_signals_wait(void);

#endif
