/*
 * main.c - `bograph`: dispatches to a subcommand from the table below.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const cli_command commands[] = {
    {"serve", "run the tuning service (REST API, dashboard, SQLite store)", cli_serve},
    {"tune", "tune a target system on this machine: service, worker and progress in one", cli_tune},
    {"worker", "run trials of a study for a service, on this or another machine", cli_worker},
    {"migrate", "copy every study and trial between SQLite and PostgreSQL", cli_migrate},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: bograph <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`bograph <command> --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("bograph %s\n", BOGRAPH_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "bograph: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
