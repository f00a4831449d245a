/*
 * cli.h - the `bograph` command line: a table of subcommands (main.c) and
 * each subcommand's entry point. A subcommand gets argv from its own name
 * on (argv[0] = "serve") and returns the process exit code: 0 ok, 1 failure,
 * 2 usage error (CLI_* below). Each answers `--help` with its usage on stdout.
 *
 * Adding a subcommand: write int cli_NAME(int, char **) in server/cli_NAME.c,
 * declare it here, add one row to the table in main.c and the file to the
 * list in server/CMakeLists.txt.
 */
#ifndef BOGRAPH_SERVER_CLI_H
#define BOGRAPH_SERVER_CLI_H

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

typedef struct {
    const char *name;
    const char *summary;               /* one line for `bograph --help` */
    int (*run)(int argc, char **argv);
} cli_command;

int cli_serve(int argc, char **argv);

#endif
