/*
 * cli_common.c - what the subcommands share: number parsing for options,
 * uniform usage errors, the plugin registry with an optional plugin dir, and
 * a signal thread that turns SIGINT/SIGTERM into a stop flag.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                   unsigned long long *out)
{
    assert(out);
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    assert(out);
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_bad_value(const char *command, const char *value, const char *option)
{
    fprintf(stderr, "bograph %s: bad value '%s' for %s\n", command, value, option);
    return CLI_USAGE;
}

int cli_bad_option(const char *command, int opt, const char *option)
{
    if (opt == ':')
        fprintf(stderr, "bograph %s: %s needs a value\n", command, option);
    else
        fprintf(stderr, "bograph %s: unknown option '%s'\n", command, option);
    fprintf(stderr, "try `bograph %s --help`\n", command);
    return CLI_USAGE;
}

int cli_bad_long_value(const char *command, const char *value, const struct option *longopts,
                       int idx, const char *expected)
{
    fprintf(stderr, "bograph %s: bad value '%s' for --%s%s%s%s\n", command, value,
            idx >= 0 ? longopts[idx].name : "?", expected ? " (" : "", expected ? expected : "",
            expected ? ")" : "");
    fprintf(stderr, "try `bograph %s --help`\n", command);
    return CLI_USAGE;
}

void cli_split_program(int argc, char **argv, int *opt_argc, char ***program)
{
    *opt_argc = argc;
    *program = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            *opt_argc = i;
            *program = argv + i + 1;
            return;
        }
    }
}

char **cli_program_argv(const char *command, char **program)
{
    size_t n = 0;
    while (program[n])
        n++;
    /* argv[0] made absolute lives in the same block, after the array. */
    char **out = malloc((n + 1) * sizeof *out + PATH_MAX);
    if (!out) {
        fprintf(stderr, "bograph %s: out of memory\n", command);
        return NULL;
    }
    memcpy(out, program, (n + 1) * sizeof *out);
    if (n > 0 && strchr(program[0], '/') && program[0][0] != '/') {
        char *abs = (char *)(out + n + 1);
        if (!realpath(program[0], abs)) {
            fprintf(stderr, "bograph %s: program '%s': %s\n", command, program[0],
                    strerror(errno));
            free(out);
            return NULL;
        }
        out[0] = abs;
    }
    return out;
}

plugins_registry *cli_plugins_open(const char *plugin_dir, const char *command, char *err,
                                   size_t err_len)
{
    plugins_registry *reg = plugins_registry_new();
    if (!reg) {
        fprintf(stderr, "bograph %s: out of memory\n", command);
        return NULL;
    }
    if (plugin_dir && plugins_load_dir(reg, plugin_dir, err, err_len) != 0) {
        fprintf(stderr, "bograph %s: plugin dir %s:\n%s\n", command, plugin_dir, err);
        plugins_registry_free(reg);
        return NULL;
    }
    return reg;
}

/*
 * SIGINT/SIGTERM. A handler, not sigwait: libraries start threads before
 * main (OpenBLAS's pool), and a process-directed signal may land on any
 * thread that does not block it, which would kill the process outright.
 * The handler runs wherever the signal lands and only does what is
 * async-signal-safe: set the stop flag, wake the waiter through a pipe, and
 * on the second signal exit at once.
 */
static atomic_int *cli_stop_flag;
static volatile sig_atomic_t cli_signals_seen;
static int cli_signal_pipe[2] = {-1, -1};

static void cli_on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (cli_signals_seen++ > 0) {
        static const char msg[] = "bograph: second signal, exiting now\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(CLI_FAILURE);
    }
    if (cli_stop_flag)
        atomic_store(cli_stop_flag, 1);
    static const char msg[] = "bograph: signal received, stopping (a second one exits at once)\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    char c = 1;
    w = write(cli_signal_pipe[1], &c, 1);
    (void)w;
    errno = saved;
}

int cli_signals_install(atomic_int *stop)
{
    cli_stop_flag = stop;
    if (cli_signal_pipe[0] < 0 && pipe(cli_signal_pipe) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

void cli_signals_wait(void)
{
    char c;
    while (read(cli_signal_pipe[0], &c, 1) < 0 && errno == EINTR)
        ;
}
