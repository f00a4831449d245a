/*
 * cli_worker.c - `bograph worker`: serves one study from any machine that can
 * reach the service: asks for configurations, runs them with a plugin, and
 * reports the results, until the budget is spent, the first trials all
 * failed, or SIGINT/SIGTERM. A study of the command plugin runs the program
 * given after "--" (or, with --trust-study-command, the one the study names).
 */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/registry.h"
#include "cli/cli.h"
#include "worker/worker.h"

static const char worker_usage[] =
    "usage: bograph worker --url URL --study ID [options] [-- PROGRAM [ARGS...]]\n"
    "\n"
    "Runs trials of a study: asks the service for a configuration, runs it with\n"
    "the study's plugin (heartbeats keep its lease while it runs), reports the\n"
    "metrics and raw logs, or the failure and its reason, and asks again until\n"
    "the budget is spent. Transient HTTP failures are retried (each retry is\n"
    "said). Many workers on many machines can serve one study.\n"
    "\n"
    "What runs is decided here, not by whoever created the study: a study of\n"
    "the command plugin runs PROGRAM with ARGS (as the command plugin runs a\n"
    "program: configuration as JSON on stdin and BOGRAPH_PARAM_* variables,\n"
    "metrics as a JSON object on stdout; see docs/plugins.md). The study's\n"
    "own argv and cwd, and a rocksdb study's db_bench, are used only with\n"
    "--trust-study-command.\n"
    "\n"
    "options:\n"
    "  --url URL[,URL..]  the service, e.g. http://10.0.0.5:8080 (required); several\n"
    "                     replicas of one service: it moves to the next when one fails\n"
    "  --study ID         the study to serve (required)\n"
    "  --plugin NAME      run trials with this plugin [the study's plugin]\n"
    "  --parallel N       trials run at once, each under its own worker id [1];\n"
    "                     a plugin that runs one trial per machine (rocksdb)\n"
    "                     caps it, and says so\n"
    "  --token T          bearer token; also read from $BOGRAPH_TOKEN\n"
    "  --timeout SEC      limit of one trial [the plugin's default]\n"
    "  --max-trials N     stop after exactly N trials [until the study is done]\n"
    "  --max-initial-failures N\n"
    "                     stop with exit 1 when the first N trials all fail\n"
    "                     (0 = never) [5]\n"
    "  --cwd DIR          working directory of PROGRAM [a fresh temporary one]\n"
    "  --trust-study-command\n"
    "                     run the argv/cwd (command) or db_bench (rocksdb)\n"
    "                     the study names\n"
    "  --name NAME        worker id shown in the trials [<hostname>-<pid>]\n"
    "  --workdir DIR      where runs make their temporary directories [$TMPDIR]\n"
    "  --plugin-dir DIR   also load third-party plugins (*.so) from DIR\n"
    "  --quiet            no line per trial on stderr\n"
    "  --help             this text\n"
    "\n"
    "SIGINT or SIGTERM stops it: running trials are cancelled and reported as\n"
    "failed with the reason, so none is lost; a second signal exits at once\n"
    "(the service then offers those configurations again when their lease\n"
    "expires). Exit codes: 0 done or stopped, 1 failure (also when the first\n"
    "trials all failed), 2 bad options.\n";

/* The options into o. -1 when the worker should run; otherwise the exit
 * code (help printed, or a usage error reported). */
static int worker_parse_args(int argc, char **argv, worker_options *o, const char **plugin_dir)
{
    enum { OPT_URL = 1, OPT_STUDY, OPT_PLUGIN, OPT_PARALLEL, OPT_TOKEN, OPT_TIMEOUT,
           OPT_MAX_TRIALS, OPT_MAX_FAILURES, OPT_CWD, OPT_TRUST, OPT_NAME, OPT_WORKDIR,
           OPT_PLUGIN_DIR, OPT_QUIET, OPT_HELP };
    static const struct option longopts[] = {
        {"url", required_argument, NULL, OPT_URL},
        {"study", required_argument, NULL, OPT_STUDY},
        {"plugin", required_argument, NULL, OPT_PLUGIN},
        {"parallel", required_argument, NULL, OPT_PARALLEL},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"max-trials", required_argument, NULL, OPT_MAX_TRIALS},
        {"max-initial-failures", required_argument, NULL, OPT_MAX_FAILURES},
        {"cwd", required_argument, NULL, OPT_CWD},
        {"trust-study-command", no_argument, NULL, OPT_TRUST},
        {"name", required_argument, NULL, OPT_NAME},
        {"workdir", required_argument, NULL, OPT_WORKDIR},
        {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt, idx;
    unsigned long long v;
    double d;
    while ((idx = -1, opt = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        switch (opt) {
        case OPT_URL: o->url = optarg; break;
        case OPT_STUDY: o->study_id = optarg; break;
        case OPT_PLUGIN: o->plugin_name = optarg; break;
        case OPT_TOKEN: o->token = optarg; break;
        case OPT_NAME: o->worker_name = optarg; break;
        case OPT_WORKDIR: o->workdir = optarg; break;
        case OPT_CWD: o->program_cwd = optarg; break;
        case OPT_TRUST: o->trust_study_command = 1; break;
        case OPT_PLUGIN_DIR: *plugin_dir = optarg; break;
        case OPT_QUIET: o->verbose = 0; break;
        case OPT_PARALLEL:
            if (cli_parse_uint(optarg, 1, 256, &v) != 0)
                return cli_bad_long_value("worker", optarg, longopts, idx, "1 to 256");
            o->parallel = (unsigned)v;
            break;
        case OPT_MAX_TRIALS:
            if (cli_parse_uint(optarg, 1, 1000000000, &v) != 0)
                return cli_bad_long_value("worker", optarg, longopts, idx, "a whole number >= 1");
            o->max_trials = (size_t)v;
            break;
        case OPT_MAX_FAILURES:
            if (cli_parse_uint(optarg, 0, 1000000000, &v) != 0)
                return cli_bad_long_value("worker", optarg, longopts, idx,
                                          "a whole number, 0 = never");
            o->max_initial_failures = (size_t)v;
            break;
        case OPT_TIMEOUT:
            if (cli_parse_double(optarg, 0.001, 1e7, &d) != 0)
                return cli_bad_long_value("worker", optarg, longopts, idx,
                                          "seconds, 0.001 to 1e7");
            o->timeout_seconds = d;
            break;
        case 'h':
        case OPT_HELP:
            fputs(worker_usage, stdout);
            return CLI_OK;
        default:
            return cli_bad_option("worker", opt, argv[optind - 1]);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "bograph worker: unexpected argument '%s' (a program goes after --)\n"
                        "try `bograph worker --help`\n", argv[optind]);
        return CLI_USAGE;
    }
    if (!o->url || !o->study_id) {
        fprintf(stderr, "bograph worker: --url and --study are required\n"
                        "try `bograph worker --help`\n");
        return CLI_USAGE;
    }
    return -1;
}

int cli_worker(int argc, char **argv)
{
    worker_options o;
    worker_options_init(&o);
    o.token = getenv("BOGRAPH_TOKEN");
    o.verbose = 1;
    const char *plugin_dir = NULL;
    int opt_argc;
    char **program;
    cli_split_program(argc, argv, &opt_argc, &program);
    int rc = worker_parse_args(opt_argc, argv, &o, &plugin_dir);
    if (rc >= 0)
        return rc;
    if (program && !program[0]) {
        fprintf(stderr, "bograph worker: no program after --\ntry `bograph worker --help`\n");
        return CLI_USAGE;
    }
    char **prog_argv = program ? cli_program_argv("worker", program) : NULL;
    if (program && !prog_argv)
        return CLI_USAGE;
    o.program = prog_argv;

    char err[2048];
    plugins_registry *reg = cli_plugins_open(plugin_dir, "worker", err, sizeof err);
    if (!reg) {
        free(prog_argv);
        return CLI_FAILURE;
    }
    o.reg = reg;
    static atomic_int stop;
    atomic_init(&stop, 0);
    o.stop = &stop;
    if (cli_signals_install(&stop) != 0) {
        fprintf(stderr, "bograph worker: cannot install signal handlers\n");
        plugins_registry_free(reg);
        free(prog_argv);
        return CLI_FAILURE;
    }
    worker_summary sum;
    rc = worker_run(&o, &sum, err, sizeof err);
    plugins_registry_free(reg);
    free(prog_argv);
    fprintf(stderr, "bograph worker: %zu completed, %zu failed, %zu infeasible%s%s\n",
            sum.completed, sum.failed, sum.infeasible,
            sum.unreported ? ", some results not acknowledged (see above)" : "",
            sum.interrupted ? " (stopped by signal)" : "");
    if (rc != 0) {
        fprintf(stderr, "bograph worker: %s\n", err);
        return CLI_FAILURE;
    }
    return CLI_OK;
}
