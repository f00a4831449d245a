/*
 * cli_common.c - what the subcommands share: number parsing for options,
 * uniform usage errors, the plugin registry with an optional plugin dir, and
 * a signal thread that turns SIGINT/SIGTERM into a stop flag.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "server/cli.h"

int cli_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                   unsigned long long *out)
{
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

typedef struct {
    atomic_int *stop;
    sigset_t set;
    const char *who;
} cli_signal_watch;

/* Waits for SIGINT/SIGTERM: the first sets *stop, the second exits. */
static void *cli_signal_main(void *arg)
{
    cli_signal_watch *w = arg;
    int sig;
    sigwait(&w->set, &sig);
    fprintf(stderr, "%s: %s received, stopping (cancelling running trials)\n", w->who,
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    atomic_store(w->stop, 1);
    sigwait(&w->set, &sig);
    fprintf(stderr, "%s: second signal, exiting now\n", w->who);
    _exit(CLI_FAILURE);
    return NULL;
}

int cli_signal_watch_start(atomic_int *stop, const char *who)
{
    static cli_signal_watch w;
    w.stop = stop;
    w.who = who;
    sigemptyset(&w.set);
    sigaddset(&w.set, SIGINT);
    sigaddset(&w.set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &w.set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_t t;
    if (pthread_create(&t, NULL, cli_signal_main, &w) != 0)
        return -1;
    pthread_detach(t);
    return 0;
}

