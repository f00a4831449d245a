/*
 * cli_serve.c - `bograph serve`: parses the options, starts the service and
 * runs until SIGINT or SIGTERM, then stops it gracefully.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "worker/demo.h"
#include "server/service.h"

static const char serve_usage[] =
    "usage: bograph serve [options]\n"
    "\n"
    "Runs the tuning service: the REST API under /v1, the dashboard under /,\n"
    "/healthz and /metrics, with every study kept in a SQLite file or a\n"
    "PostgreSQL database (which several replicas may share).\n"
    "\n"
    "options:\n"
    "  --db FILE|URI       SQLite database file (created when missing), or a\n"
    "                      PostgreSQL URI postgresql://user:pw@host:port/db\n"
    "                      (the password also from $PGPASSWORD) [./bograph.db]\n"
    "  --host ADDR         address to listen on [127.0.0.1]\n"
    "  --port N            TCP port, 0 for any free one [8080]\n"
    "  --token T           require \"Authorization: Bearer T\" on /v1 and /metrics\n"
    "                      (not /healthz, not the dashboard files); also read\n"
    "                      from $BOGRAPH_TOKEN, which unlike --token other users\n"
    "                      cannot see in ps\n"
    "  --token-file F      the token is the first line of file F (wins over\n"
    "                      --token and $BOGRAPH_TOKEN)\n"
    "  --max-body BYTES    largest request body accepted [8388608]\n"
    "  --max-log-bytes N   raw logs kept per trial, the tail beyond [1048576]\n"
    "  --web-dir DIR       dashboard files [the build's web/dist]\n"
    "  --threads N         HTTP threads [4]\n"
    "  --suggest-threads N threads computing suggestions [4]\n"
    "  --sync MODE         normal (survives process crashes) or full (also power\n"
    "                      loss, fsync per commit) [normal]\n"
    "  --quiet             no request log on stderr\n"
    "  --plugin-dir DIR    also load third-party plugins (*.so) from DIR\n"
    "  --demo              also create the study \"demo\" (a synthetic system) and\n"
    "                      tune it in the background, a trial a second, so the\n"
    "                      dashboard has something live to show\n"
    "  --help              this text\n"
    "\n"
    "Prints the URL on stdout once listening. Exit codes: 0 after a clean stop\n"
    "(SIGINT/SIGTERM), 1 when the service cannot start, 2 for bad options.\n";

/* Step 1: the options into o, *plugin_dir and *with_demo. -1 when the
 * service should start; otherwise the exit code (help, or a usage error). */
static int serve_parse_args(int argc, char **argv, service_options *o, const char **plugin_dir,
                            int *with_demo, const char **token_file)
{
    enum { OPT_DB = 1, OPT_HOST, OPT_PORT, OPT_TOKEN, OPT_TOKEN_FILE, OPT_MAX_BODY, OPT_MAX_LOG, OPT_WEB,
           OPT_THREADS, OPT_SUGGEST_THREADS, OPT_SYNC, OPT_QUIET, OPT_DEMO, OPT_PLUGIN_DIR, OPT_HELP };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"host", required_argument, NULL, OPT_HOST},
        {"port", required_argument, NULL, OPT_PORT},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"max-log-bytes", required_argument, NULL, OPT_MAX_LOG},
        {"web-dir", required_argument, NULL, OPT_WEB},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"suggest-threads", required_argument, NULL, OPT_SUGGEST_THREADS},
        {"sync", required_argument, NULL, OPT_SYNC},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt, idx = -1;
    unsigned long long v;
    while ((idx = -1, opt = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        switch (opt) {
        case OPT_DB: o->db_path = optarg; break;
        case OPT_HOST: o->host = optarg; break;
        case OPT_TOKEN: o->token = optarg; break;
        case OPT_TOKEN_FILE: *token_file = optarg; break;
        case OPT_WEB: o->web_dir = optarg; break;
        case OPT_QUIET: o->request_log = 0; break;
        case OPT_DEMO: *with_demo = 1; break;
        case OPT_PLUGIN_DIR: *plugin_dir = optarg; break;
        case OPT_PORT:
            if (cli_parse_uint(optarg, 0, 65535, &v) != 0)
                goto bad_value;
            o->port = (unsigned)v;
            break;
        case OPT_MAX_BODY:
            if (cli_parse_uint(optarg, 1024, 1ULL << 34, &v) != 0)
                goto bad_value;
            o->max_body = (size_t)v;
            break;
        case OPT_MAX_LOG:
            if (cli_parse_uint(optarg, 1, 1ULL << 32, &v) != 0)
                goto bad_value;
            o->max_log_bytes = (size_t)v;
            break;
        case OPT_THREADS:
        case OPT_SUGGEST_THREADS:
            if (cli_parse_uint(optarg, 1, 256, &v) != 0)
                goto bad_value;
            if (opt == OPT_THREADS)
                o->threads = (unsigned)v;
            else
                o->suggest_threads = (unsigned)v;
            break;
        case OPT_SYNC:
            if (strcmp(optarg, "normal") == 0)
                o->sync = STORE_SYNC_NORMAL;
            else if (strcmp(optarg, "full") == 0)
                o->sync = STORE_SYNC_FULL;
            else
                goto bad_value;
            break;
        case 'h':
        case OPT_HELP:
            fputs(serve_usage, stdout);
            return CLI_OK;
        case ':':
            fprintf(stderr, "bograph serve: %s needs a value (try --help)\n", argv[optind - 1]);
            return CLI_USAGE;
        default:
            fprintf(stderr, "bograph serve: unknown option '%s'\n%s", argv[optind - 1],
                    "try `bograph serve --help`\n");
            return CLI_USAGE;
        }
        continue;
    bad_value:
        fprintf(stderr, "bograph serve: bad value '%s' for --%s\n", optarg,
                idx >= 0 ? longopts[idx].name : "?");
        return CLI_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "bograph serve: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    return -1;
}

/* The first line of path into buf, without its line end; 0, or -1 with a
 * message on stderr (unreadable, empty first line, or too long). */
static int serve_read_token(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bograph serve: cannot read --token-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    size_t n = ok ? strcspn(buf, "\r\n") : 0;
    if (!ok || n == 0 || (n == len - 1 && buf[n] == '\0')) {
        fprintf(stderr, "bograph serve: --token-file %s: no token on its first line (or over %zu bytes)\n",
                path, len - 2);
        return -1;
    }
    buf[n] = '\0';
    return 0;
}

/* The URL clients use: a wildcard address is reached on loopback. */
static void serve_url(const char *host, unsigned port, char *url, size_t len)
{
    if (strcmp(host, "0.0.0.0") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    int v6 = strchr(host, ':') != NULL;
    snprintf(url, len, "http://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

int cli_serve(int argc, char **argv)
{
    service_options o;
    service_options_init(&o);
    o.token = getenv("BOGRAPH_TOKEN");
    const char *plugin_dir = NULL, *token_file = NULL;
    int with_demo = 0;
    int rc = serve_parse_args(argc, argv, &o, &plugin_dir, &with_demo, &token_file);
    if (rc >= 0)
        return rc;
    char token[1024];
    if (token_file) {
        if (serve_read_token(token_file, token, sizeof token) != 0)
            return CLI_FAILURE;
        o.token = token;
    }

    if (cli_signals_install(NULL) != 0) {
        fprintf(stderr, "bograph serve: cannot install signal handlers\n");
        return CLI_FAILURE;
    }
    /* Replies of tens of KiB are built and freed on every request; keep
     * glibc from handing that memory back to the kernel (and faulting it in
     * again) each time. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);

    service *svc;
    char err[1024];
    plugins_registry *plugins = cli_plugins_open(plugin_dir, "serve", err, sizeof err);
    if (!plugins)
        return CLI_FAILURE;
    o.plugins = plugins;
    if (service_start(&o, &svc, err, sizeof err) != 0) {
        fprintf(stderr, "bograph serve: %s\n", err);
        plugins_registry_free(plugins);
        return CLI_FAILURE;
    }
    char url[300];
    serve_url(o.host, service_port(svc), url, sizeof url);
    printf("bograph: serving %s on %s/\n", o.db_path, url);
    fflush(stdout);
    demo *dm = NULL;
    if (with_demo) {
        char study[32];
        curl_global_init(CURL_GLOBAL_DEFAULT);
        if (demo_start(url, o.token, DEMO_DELAY_SECONDS, &dm, study, err, sizeof err) != 0) {
            fprintf(stderr, "bograph serve: demo: %s\n", err);
            service_stop(svc);
            plugins_registry_free(plugins);
            curl_global_cleanup();
            return CLI_FAILURE;
        }
        printf("bograph: demo study %s is being tuned, a trial every %.1f s up to %d trials; "
               "watch it at %s/#/studies/%s (Ctrl-C stops)\n", study, DEMO_DELAY_SECONDS,
               DEMO_BUDGET, url, study);
        fflush(stdout);
    }
    cli_signals_wait();
    if (dm) {
        demo_stop(dm);
        curl_global_cleanup();
    }
    service_stop(svc);
    plugins_registry_free(plugins);
    return CLI_OK;
}
