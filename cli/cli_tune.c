/*
 * cli_tune.c - `bograph tune PLUGIN`: the whole tuning job on one machine.
 * Runs the service in this process on the SQLite file, creates (or resumes)
 * a study of the plugin, runs a local worker against it over loopback, shows
 * a progress line per trial and the dashboard URL, and ends with a table of
 * the default against the best configuration (for a study of several
 * objectives, the Pareto front and its hypervolume: tune_front.c), the count
 * of trials per model and, for a noisy system, the two re-measured K times
 * (tune_remeasure.c).
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plugins/host.h"
#include "plugins/registry.h"
#include "cli/cli.h"
#include "cli/tune_figures.h"
#include "cli/tune_front.h"
#include "cli/tune_remeasure.h"
#include "cli/tune_space.h"
#include "worker/client.h"
#include "server/service.h"
#include "server/study.h"
#include "worker/worker.h"

static const char tune_usage[] =
    "usage: bograph tune PLUGIN [options]\n"
    "       bograph tune command --space FILE [options] -- PROGRAM [ARGS...]\n"
    "\n"
    "Tunes a target system on this machine: starts the service on the SQLite\n"
    "file, creates a study of PLUGIN (or resumes the one of the same name),\n"
    "runs its trials with a local worker, prints a line per trial and the\n"
    "dashboard URL, and ends with the default against the best configuration\n"
    "and how many trials each model (default, sobol, gp, bograph, ...) proposed.\n"
    "A study of several objectives (e.g. --option objectives=energy,delay for\n"
    "the accelerator) ends with its Pareto front instead, sorted by the first\n"
    "objective, and the hypervolume it dominates, measured from the default's\n"
    "objectives (or, without a completed default, from the front's worst values\n"
    "moved 10% of their range further).\n"
    "A noisy system's default and best are then run again K times each,\n"
    "outside the study, and the improvement is the ratio of the medians with\n"
    "its range (worst-case to best-case ratio).\n"
    "Run it again with the same --db and options to resume an interrupted job.\n"
    "\n"
    "A trial line says the model that proposed the trial, the objective (and a\n"
    "constraint it missed) or why it failed, then the best so far:\n"
    "  trial   3/15  gp       edp 680.865, misses mem_gb 90 > 80  | best 3553.51 (2.49x default)\n"
    "\n"
    "The command plugin tunes any program: FILE holds the study's space as JSON\n"
    "(\"parameters\", \"objective\" or \"objectives\", and optionally \"default\",\n"
    "\"constraints\", \"parameter_constraints\", \"knowledge\", \"log_format\"),\n"
    "and PROGRAM runs once per trial as docs/plugins.md describes: the\n"
    "configuration as JSON on stdin and in BOGRAPH_PARAM_<NAME> variables, the\n"
    "metrics as a JSON object on stdout (its last line may be the object).\n"
    "\n"
    "options:\n"
    "  --space FILE       the space of a command study (command only)\n"
    "  --cwd DIR          PROGRAM's working directory [a fresh temporary one]\n"
    "  --budget N         trials in all, the default configuration first [15]\n"
    "  --algorithm A      bograph, gp, random or sobol [bograph]\n"
    "  --seed S           seed of the study [1]\n"
    "  --db FILE          SQLite database [./bograph.db]\n"
    "  --name NAME        study name [PLUGIN-ALGORITHM-sSEED]\n"
    "  --parallel N       trials run at once [1]\n"
    "  --option KEY=VAL   plugin option (repeatable; see GET /v1/plugins/PLUGIN)\n"
    "  --timeout SEC      limit of one trial [the plugin's default]\n"
    "  --remeasure K      after the budget, run the default and the best\n"
    "                     configuration K times each (0 = off) [3; 0 for a\n"
    "                     plugin that declares itself deterministic, such as\n"
    "                     accelerator and partition]\n"
    "  --host ADDR        address the service listens on [127.0.0.1]\n"
    "  --port N           its port; when taken, any free port [8080]\n"
    "  --token T          require this bearer token; also $BOGRAPH_TOKEN\n"
    "  --plugin-dir DIR   also load third-party plugins (*.so) from DIR\n"
    "  --max-initial-failures N\n"
    "                     stop with exit 1 when the first N trials all fail\n"
    "                     (0 = never) [5]\n"
    "  --keep-serving     after the job, keep the service and dashboard up\n"
    "                     until SIGINT (otherwise they stop with the job)\n"
    "  --verbose          also log every HTTP request (JSON lines on stderr)\n"
    "  --quiet            no request log (the default)\n"
    "  --help             this text\n"
    "\n"
    "Exit codes: 0 when the budget is spent, 1 on failure, interruption, or\n"
    "when the first trials all failed, 2 for bad options.\n";

#define TUNE_MAX_OPTIONS 32
#define TUNE_OUTCOME_WIDTH 46      /* the outcome column of a trial line */
#define TUNE_STR_(x) #x
#define TUNE_STR(x) TUNE_STR_(x)

typedef struct {
    client *c;                  /* used under the worker's event lock */
    const char *study_path;
    const tune_objectives *objs; /* several objectives (objs->m > 0), else m == 0 */
    const char *objective;
    int maximize;
    long budget;
    size_t done;
    double default_value;
    int has_default;
} tune_progress;

/* "energy_mj 3.1, delay_ms 12.5" of a study of several objectives, from the
 * run's metrics. */
static void tune_objectives_text(const tune_objectives *o, const worker_event *ev, char *buf,
                                 size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < o->m && at < len; j++) {
        const double *v = ev->result ? plugin_result_metric(ev->result, o->names[j]) : NULL;
        int w = v ? snprintf(buf + at, len - at, "%s%s %.4g", j ? ", " : "", o->names[j], *v)
                  : snprintf(buf + at, len - at, "%s%s -", j ? ", " : "", o->names[j]);
        at += w > 0 ? (size_t)w : 0;
    }
}

/* A trial line of a study of several objectives: its objectives and the
 * size of the front so far. */
static void tune_on_event_multi(tune_progress *p, const worker_event *ev)
{
    char path[300], err[256], outcome[200], objs[160];
    snprintf(path, sizeof path, "%s/best", p->study_path);
    long status;
    json_t *best = NULL;
    long long front = -1;
    if (client_request(p->c, "GET", path, NULL, &status, &best, err, sizeof err) == 0 &&
        status == 200)
        front = (long long)json_array_size(json_object_get(best, "pareto"));
    json_decref(best);
    tune_objectives_text(p->objs, ev, objs, sizeof objs);
    if (ev->state == PLUGIN_OK)
        snprintf(outcome, sizeof outcome, "%s%s%.40s", objs,
                 ev->constraint_missed[0] ? ", misses " : "", ev->constraint_missed);
    else
        snprintf(outcome, sizeof outcome, "%s%s: %.*s", ev->is_default ? "default " : "",
                 plugin_state_name(ev->state), TUNE_OUTCOME_WIDTH - 20, ev->reason);
    printf("trial %3lld/%ld  %-8s %-*s | front %lld  [%.1fs]\n", ev->number, p->budget,
           ev->model[0] ? ev->model : "-", TUNE_OUTCOME_WIDTH, outcome, front < 0 ? 0 : front,
           ev->elapsed_seconds);
    fflush(stdout);
}

static void tune_on_event(void *user, const worker_event *ev)
{
    tune_progress *p = user;
    if (p->objs && p->objs->m) {
        p->done++;
        tune_on_event_multi(p, ev);
        return;
    }
    p->done++;
    char path[300], err[256];
    snprintf(path, sizeof path, "%s/best", p->study_path);
    long status;
    json_t *best = NULL;
    double best_value = NAN;
    if (client_request(p->c, "GET", path, NULL, &status, &best, err, sizeof err) == 0 &&
        status == 200) {
        json_t *b = json_object_get(json_object_get(best, "best"), "objective");
        json_t *d = json_object_get(json_object_get(best, "default"), "objective");
        if (json_is_number(b))
            best_value = json_number_value(b);
        if (json_is_number(d)) {
            p->default_value = json_number_value(d);
            p->has_default = 1;
        }
    }
    json_decref(best);
    char outcome[200];
    if (ev->state == PLUGIN_OK && ev->has_objective && ev->constraint_missed[0])
        snprintf(outcome, sizeof outcome, "%s %.6g, misses %.60s", p->objective, ev->objective,
                 ev->constraint_missed);
    else if (ev->state == PLUGIN_OK && ev->has_objective)
        snprintf(outcome, sizeof outcome, "%s %.6g", p->objective, ev->objective);
    else {
        /* The reason cut to the column, so the best so far stays apart. */
        char head[40];
        int h = snprintf(head, sizeof head, "%s%s: ", ev->is_default ? "default " : "",
                         plugin_state_name(ev->state));
        int room = TUNE_OUTCOME_WIDTH - h;
        int cut = (int)strlen(ev->reason) > room;
        snprintf(outcome, sizeof outcome, "%s%.*s%s", head, cut ? room - 3 : room, ev->reason,
                 cut ? "..." : "");
    }
    char best_text[96] = "best -";
    double imp = p->has_default ? tune_ratio(p->maximize, p->default_value, best_value) : NAN;
    if (isfinite(best_value) && isfinite(imp))
        snprintf(best_text, sizeof best_text, "best %.6g (%.2fx default)", best_value, imp);
    else if (isfinite(best_value))
        snprintf(best_text, sizeof best_text, "best %.6g", best_value);
    printf("trial %3lld/%ld  %-8s %-*s | %s  [%.1fs]\n", ev->number, p->budget,
           ev->model[0] ? ev->model : "-", TUNE_OUTCOME_WIDTH, outcome, best_text,
           ev->elapsed_seconds);
    fflush(stdout);
}

/* Formats a parameter value of a trial for the summary table. */
static void tune_format_value(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_number(v))
        snprintf(buf, len, "%.6g", json_number_value(v));
    else
        snprintf(buf, len, "-");
}

/* "models: bograph 9, gp 3, sobol 2, default 1" over every trial of the
 * study, read page by page. */
static void tune_print_models(client *c, const char *study_path)
{
    json_t *all = json_array();
    long long after = 0;
    char err[256] = "";
    int ok = all != NULL;
    while (ok) {
        char path[400];
        snprintf(path, sizeof path, "%s/trials?limit=1000&after_seq=%lld", study_path, after);
        long status;
        json_t *page = NULL;
        ok = client_request(c, "GET", path, NULL, &status, &page, err, sizeof err) == 0 &&
             status == 200;
        const json_t *trials = json_object_get(page, "trials");
        size_t n = json_array_size(trials);
        if (ok)
            json_array_extend(all, (json_t *)trials);
        after = (long long)json_integer_value(json_object_get(page, "next_after_seq"));
        json_decref(page);
        if (n == 0)
            break;
    }
    char line[512];
    if (ok && tune_models_format(all, line, sizeof line) == 0)
        printf("models: %s\n", line);
    else
        fprintf(stderr, "bograph tune: cannot list the trials' models: %s\n", err);
    json_decref(all);
}

/* GET .../best of the study; NULL (and a message naming `what`) when it
 * cannot be read. */
static json_t *tune_get_best(client *c, const char *study_path, const char *what)
{
    char path[300], err[256];
    long status;
    json_t *best = NULL;
    snprintf(path, sizeof path, "%s/best", study_path);
    if (client_request(c, "GET", path, NULL, &status, &best, err, sizeof err) != 0 ||
        status != 200) {
        fprintf(stderr, "bograph tune: cannot read %s: %s\n", what, err);
        json_decref(best);
        return NULL;
    }
    return best;
}

/* The study as it is now (its counts), or NULL. */
static json_t *tune_get_study(client *c, const char *study_path)
{
    char err[256];
    long status;
    json_t *now = NULL;
    if (client_request(c, "GET", study_path, NULL, &status, &now, err, sizeof err) != 0)
        return NULL;
    return now;
}

/* The table of the default against the best, the improvement in the study
 * (one run each; labelled so when a re-measurement follows), the trials used
 * and the models. *best_out gets GET .../best's answer (or NULL). */
static void tune_summary(client *c, const char *study_path, const json_t *study,
                         const char *objective, int maximize, int remeasuring,
                         json_t **best_out)
{
    json_t *best = tune_get_best(c, study_path, "the best trial");
    *best_out = best;
    if (!best)
        return;
    json_t *now = tune_get_study(c, study_path);
    const json_t *b = json_object_get(best, "best"), *d = json_object_get(best, "default");
    const json_t *bp = json_object_get(b, "params"), *dp = json_object_get(d, "params");
    char best_head[64];
    snprintf(best_head, sizeof best_head, "best (trial %lld)",
             (long long)json_integer_value(json_object_get(b, "number")));
    printf("\n%-36s %-20s %-20s\n", "parameter", "default", json_is_object(b) ? best_head : "best");
    const json_t *params = json_object_get(study, "parameters");
    for (size_t i = 0; i < json_array_size(params); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(params, i), "name"));
        if (!name)
            continue;
        char dv[64], bv[64];
        tune_format_value(json_object_get(dp, name), dv, sizeof dv);
        tune_format_value(json_object_get(bp, name), bv, sizeof bv);
        printf("%-36s %-20s %-20s%s\n", name, dv, bv, strcmp(dv, bv) != 0 ? "  *" : "");
    }
    char dv[64], bv[64];
    tune_format_value(json_object_get(d, "objective"), dv, sizeof dv);
    tune_format_value(json_object_get(b, "objective"), bv, sizeof bv);
    printf("%-36s %-20s %-20s\n\n", objective, dv, bv);
    double imp = tune_ratio(maximize, json_number_value(json_object_get(d, "objective")),
                                  json_number_value(json_object_get(b, "objective")));
    const json_t *counts = json_object_get(now, "counts");
    long long used = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)counts, key, val) {
        if (strcmp(key, "expired") != 0)
            used += json_integer_value(val);
    }
    if (isfinite(imp))
        printf("improvement over the default%s: %.2fx (%s %s)\n",
               remeasuring ? " in the study (one run each)" : "", imp,
               maximize ? "higher" : "lower", objective);
    else
        printf("improvement over the default: not known yet (needs the default and a best)\n");
    printf("trials used: %lld (completed %lld, failed %lld, infeasible %lld)\n", used,
           (long long)json_integer_value(json_object_get(counts, "completed")),
           (long long)json_integer_value(json_object_get(counts, "failed")),
           (long long)json_integer_value(json_object_get(counts, "infeasible")));
    tune_print_models(c, study_path);
    json_decref(now);
}

/* The closing figures of a study of several objectives: its Pareto front,
 * the hypervolume, the trials used and the models. */
static void tune_summary_multi(client *c, const char *study_path, const tune_objectives *o)
{
    json_t *best = tune_get_best(c, study_path, "the Pareto front");
    if (!best)
        return;
    tune_front_print(stdout, o, best);
    json_decref(best);
    json_t *now = tune_get_study(c, study_path);
    const json_t *counts = json_object_get(now, "counts");
    printf("trials used: completed %lld, failed %lld, infeasible %lld\n",
           (long long)json_integer_value(json_object_get(counts, "completed")),
           (long long)json_integer_value(json_object_get(counts, "failed")),
           (long long)json_integer_value(json_object_get(counts, "infeasible")));
    json_decref(now);
    tune_print_models(c, study_path);
}

/* Creates the study, or resumes the one of the same name. */
static json_t *tune_create_study(client *c, const char *name, const char *plugin_name,
                                 const char *algorithm, long budget, long long seed,
                                 json_t *plugin_options, const json_t *space, int *resumed,
                                 char *err, size_t err_len)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s}", "name", name, "plugin",
                             plugin_name, "algorithm", algorithm, "budget", (json_int_t)budget,
                             "seed", (json_int_t)seed, "if_exists", "return");
    if (json_object_size(plugin_options) > 0)
        json_object_set(body, "plugin_options", plugin_options);
    if (space && tune_space_apply(space, body) != 0) {
        json_decref(body);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    long status;
    json_t *study = NULL;
    int rc = client_request(c, "POST", "/v1/studies", body, &status, &study, err, err_len);
    json_decref(body);
    if (rc != 0)
        return NULL;
    if (status != 200 && status != 201) {
        snprintf(err, err_len, "creating the study: %s", client_error_message(study));
        json_decref(study);
        return NULL;
    }
    *resumed = status == 200;
    json_t *had = json_object_get(study, "budget");
    if (*resumed && json_is_integer(had) && json_integer_value(had) < budget) {
        /* a larger --budget continues the same study to it */
        json_t *patch = json_pack("{s:I}", "budget", (json_int_t)budget);
        char path[96];
        snprintf(path, sizeof path, "/v1/studies/%s",
                 json_string_value(json_object_get(study, "id")));
        json_t *patched = NULL;
        long pst = 0;
        rc = client_request(c, "PATCH", path, patch, &pst, &patched, err, err_len);
        json_decref(patch);
        if (rc != 0 || pst != 200) {
            if (rc == 0)
                snprintf(err, err_len, "raising the budget: %s", client_error_message(patched));
            json_decref(patched);
            json_decref(study);
            return NULL;
        }
        printf("bograph: study '%s' had budget %lld: raised to %ld\n", name,
               (long long)json_integer_value(had), budget);
        json_decref(study);
        study = patched;
    }
    return study;
}

/* What the command line asked for. */
typedef struct {
    service_options so;
    long budget;
    long long seed;
    const char *algorithm, *name, *plugin_dir, *plugin_name;
    unsigned parallel;
    double timeout;
    int keep_serving, port_given;
    int remeasure;             /* K of --remeasure; -1 = the plugin's default */
    size_t max_initial_failures;
    const char *space_file, *cwd;
    json_t *space;             /* the space file's study members, owned; or NULL */
    char **program;            /* the command's program after --, owned; or NULL */
    json_t *plugin_options;    /* owned */
} tune_args;

/* --option KEY=VAL into a->plugin_options; 0, or -1 when malformed or one
 * too many. */
static int tune_add_option(tune_args *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || json_object_size(a->plugin_options) >= TUNE_MAX_OPTIONS)
        return -1;
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    return json_object_set_new(a->plugin_options, key, json_string(eq + 1));
}

/* Step 1: the options into a. -1 when the job should run; otherwise the exit
 * code (help printed, or a usage error reported). */
static int tune_parse_args(int argc, char **argv, tune_args *a)
{
    enum { OPT_BUDGET = 1, OPT_ALGORITHM, OPT_SEED, OPT_DB, OPT_NAME, OPT_PARALLEL, OPT_OPTION,
           OPT_TIMEOUT, OPT_HOST, OPT_PORT, OPT_TOKEN, OPT_PLUGIN_DIR, OPT_KEEP, OPT_QUIET,
           OPT_VERBOSE, OPT_REMEASURE, OPT_SPACE, OPT_CWD, OPT_MAX_FAILURES, OPT_HELP };
    static const struct option longopts[] = {
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"algorithm", required_argument, NULL, OPT_ALGORITHM},
        {"seed", required_argument, NULL, OPT_SEED},
        {"db", required_argument, NULL, OPT_DB},
        {"name", required_argument, NULL, OPT_NAME},
        {"parallel", required_argument, NULL, OPT_PARALLEL},
        {"option", required_argument, NULL, OPT_OPTION},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"remeasure", required_argument, NULL, OPT_REMEASURE},
        {"host", required_argument, NULL, OPT_HOST},
        {"port", required_argument, NULL, OPT_PORT},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
        {"keep-serving", no_argument, NULL, OPT_KEEP},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"space", required_argument, NULL, OPT_SPACE},
        {"cwd", required_argument, NULL, OPT_CWD},
        {"max-initial-failures", required_argument, NULL, OPT_MAX_FAILURES},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt, idx;
    unsigned long long v;
    double d;
    const char *expected = NULL;
    while ((idx = -1, opt = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        switch (opt) {
        case OPT_ALGORITHM:
            expected = "bograph, gp, random or sobol";
            if (study_algorithm_parse(optarg, &(study_algorithm){0}) != 0)
                goto bad_value;
            a->algorithm = optarg;
            break;
        case OPT_DB: a->so.db_path = optarg; break;
        case OPT_NAME: a->name = optarg; break;
        case OPT_HOST: a->so.host = optarg; break;
        case OPT_TOKEN: a->so.token = optarg; break;
        case OPT_PLUGIN_DIR: a->plugin_dir = optarg; break;
        case OPT_KEEP: a->keep_serving = 1; break;
        case OPT_QUIET: a->so.request_log = 0; break;
        case OPT_VERBOSE: a->so.request_log = 1; break;
        case OPT_SPACE: a->space_file = optarg; break;
        case OPT_CWD: a->cwd = optarg; break;
        case OPT_MAX_FAILURES:
            expected = "a whole number, 0 = never";
            if (cli_parse_uint(optarg, 0, 1000000000, &v) != 0)
                goto bad_value;
            a->max_initial_failures = (size_t)v;
            break;
        case OPT_BUDGET:
            expected = "a whole number from 1 to 1000000";
            if (cli_parse_uint(optarg, 1, 1000000, &v) != 0)
                goto bad_value;
            a->budget = (long)v;
            break;
        case OPT_SEED:
            expected = "a whole number from 0 to 2^53";
            if (cli_parse_uint(optarg, 0, 1ULL << 53, &v) != 0)
                goto bad_value;
            a->seed = (long long)v;
            break;
        case OPT_PARALLEL:
            expected = "1 to 256";
            if (cli_parse_uint(optarg, 1, 256, &v) != 0)
                goto bad_value;
            a->parallel = (unsigned)v;
            break;
        case OPT_PORT:
            expected = "0 to 65535";
            if (cli_parse_uint(optarg, 0, 65535, &v) != 0)
                goto bad_value;
            a->so.port = (unsigned)v;
            a->port_given = 1;
            break;
        case OPT_REMEASURE:
            expected = "0 to " TUNE_STR(TUNE_REMEASURE_MAX);
            if (cli_parse_uint(optarg, 0, TUNE_REMEASURE_MAX, &v) != 0)
                goto bad_value;
            a->remeasure = (int)v;
            break;
        case OPT_TIMEOUT:
            expected = "seconds, 0.001 to 1e7";
            if (cli_parse_double(optarg, 0.001, 1e7, &d) != 0)
                goto bad_value;
            a->timeout = d;
            break;
        case OPT_OPTION:
            expected = "KEY=VALUE, at most 32";
            if (tune_add_option(a, optarg) != 0)
                goto bad_value;
            break;
        case 'h':
        case OPT_HELP:
            fputs(tune_usage, stdout);
            return CLI_OK;
        default:
            return cli_bad_option("tune", opt, argv[optind - 1]);
        }
        continue;
    bad_value:
        return cli_bad_long_value("tune", optarg, longopts, idx, expected);
    }
    if (optind != argc - 1) {
        fprintf(stderr, "bograph tune: name one plugin, e.g. `bograph tune rocksdb`%s\n"
                        "try `bograph tune --help`\n",
                optind < argc - 1 ? " (a program goes after --)" : "");
        return CLI_USAGE;
    }
    a->plugin_name = argv[optind];
    return -1;
}

/* Step 1b: what the command plugin needs and only it takes: the space file
 * and the program after --. -1 when fine; otherwise the exit code. */
static int tune_check_command(tune_args *a, char **program)
{
    int is_command = strcmp(a->plugin_name, "command") == 0;
    if (!is_command && (a->space_file || program || a->cwd)) {
        fprintf(stderr, "bograph tune: --space, --cwd and a program after -- are for the "
                        "command plugin (`bograph tune command --space FILE -- PROGRAM`)\n");
        return CLI_USAGE;
    }
    if (!is_command)
        return -1;
    if (!a->space_file || !program || !program[0]) {
        fprintf(stderr, "bograph tune: the command plugin needs %s: `bograph tune command "
                        "--space FILE [options] -- PROGRAM [ARGS...]`\ntry `bograph tune "
                        "--help`\n", !a->space_file ? "--space FILE" : "a program after --");
        return CLI_USAGE;
    }
    char err[1024];
    a->space = tune_space_load(a->space_file, err, sizeof err);
    if (!a->space) {
        fprintf(stderr, "bograph tune: --space %s\n", err);
        return CLI_USAGE;
    }
    a->program = cli_program_argv("tune", program);
    if (!a->program)
        return CLI_USAGE;
    json_t *argv_json = json_array();
    for (size_t i = 0; argv_json && a->program[i]; i++)
        json_array_append_new(argv_json, json_string(a->program[i]));
    if (json_array_size(argv_json) == 0 ||
        json_object_set_new(a->plugin_options, "argv", argv_json) != 0) {
        fprintf(stderr, "bograph tune: the program and its arguments must be UTF-8 text\n");
        return CLI_USAGE;
    }
    return -1;
}

/* Step 2: the service in this process; on a taken port (not one the user
 * chose) any free port. 0, or -1 after printing why. */
static int tune_start_service(tune_args *a, service **svc, char *err, size_t err_len)
{
    if (service_start(&a->so, svc, err, err_len) == 0)
        return 0;
    if (a->port_given) {
        fprintf(stderr, "bograph tune: %s\n", err);
        return -1;
    }
    fprintf(stderr, "bograph tune: port %u is taken (%s); using any free port\n", a->so.port,
            err);
    a->so.port = 0;
    if (service_start(&a->so, svc, err, err_len) != 0) {
        fprintf(stderr, "bograph tune: %s\n", err);
        return -1;
    }
    return 0;
}

/* The study being tuned, as the service describes it. */
typedef struct {
    json_t *json;              /* owned */
    const char *id;            /* in json */
    const char *objective;     /* in json, may be NULL */
    int maximize;
    tune_objectives objs;      /* a study of several objectives: objs.m > 0 */
    long budget;
    char path[200];            /* /v1/studies/ID */
} tune_study;

/* Step 3: creates or resumes the study and prints what is tuned and where
 * the dashboard is. 0, or -1 with err. */
static int tune_open_study(client *c, const tune_args *a, const char *url, tune_study *ts,
                           char *err, size_t err_len)
{
    int resumed = 0;
    ts->json = tune_create_study(c, a->name, a->plugin_name, a->algorithm, a->budget, a->seed,
                                 a->plugin_options, a->space, &resumed, err, err_len);
    if (!ts->json)
        return -1;
    const json_t *study = ts->json;
    ts->id = json_string_value(json_object_get(study, "id"));
    const json_t *objective = json_object_get(study, "objective");
    ts->objective = json_string_value(json_object_get(objective, "name"));
    ts->maximize = json_is_string(json_object_get(objective, "goal")) &&
                   strcmp(json_string_value(json_object_get(objective, "goal")), "maximize") == 0;
    ts->budget = (long)json_integer_value(json_object_get(study, "budget"));
    if (ts->budget <= 0)
        ts->budget = a->budget;
    snprintf(ts->path, sizeof ts->path, "/v1/studies/%s", ts->id ? ts->id : "");
    char what[300] = "";
    if (tune_objectives_of(study, &ts->objs) == 0) {
        size_t at = 0;
        for (size_t j = 0; j < ts->objs.m && at < sizeof what; j++) {
            int w = snprintf(what + at, sizeof what - at, "%s%s %s", j ? ", " : "",
                             ts->objs.maximize[j] ? "maximize" : "minimize", ts->objs.names[j]);
            at += w > 0 ? (size_t)w : 0;
        }
    } else {
        snprintf(what, sizeof what, "%s %s", ts->maximize ? "maximize" : "minimize",
                 ts->objective ? ts->objective : "?");
    }
    printf("bograph: tuning %s (%s, study '%s', id %s, budget %ld, %s)\n", a->plugin_name,
           a->algorithm, a->name, ts->id, ts->budget, what);
    if (resumed) {
        const json_t *counts = json_object_get(study, "counts");
        printf("bograph: study '%s' exists in %s: resuming it (%lld completed, %lld active); "
               "its own budget and algorithm apply\n", a->name, a->so.db_path,
               (long long)json_integer_value(json_object_get(counts, "completed")),
               (long long)json_integer_value(json_object_get(counts, "active")));
    }
    printf("bograph: dashboard at %s/#/studies/%s  (db %s)\n", url, ts->id, a->so.db_path);
    fflush(stdout);
    return 0;
}

/* Step 5: the default and the best trial of the study (from GET .../best)
 * re-measured k times each. What tune_remeasure returns; 0 (after saying
 * why) when there is nothing to compare. */
static int tune_remeasure_best(const plugin *plug, const tune_study *ts, const tune_args *a,
                               const json_t *best, unsigned k, atomic_int *stop)
{
    const json_t *b = json_object_get(best, "best"), *d = json_object_get(best, "default");
    const json_t *bp = json_object_get(b, "params"), *dp = json_object_get(d, "params");
    if (!json_is_object(bp) || !json_is_object(dp)) {
        printf("\nnot re-measured: the study has no %s trial\n",
               json_is_object(dp) ? "best" : "completed default");
        return 0;
    }
    if (json_equal((json_t *)bp, (json_t *)dp)) {
        printf("\nnot re-measured: the best configuration is the default\n");
        return 0;
    }
    worker_exec_policy pol = {.program = a->program, .cwd = a->cwd};
    tune_remeasure_options ro = {.plug = plug, .study = ts->json, .k = k,
                                 .timeout_seconds = a->timeout, .stop = stop, .policy = &pol};
    return tune_remeasure(&ro, dp, (long long)json_integer_value(json_object_get(d, "number")),
                          bp, (long long)json_integer_value(json_object_get(b, "number")));
}

/* Step 4: runs the trials with a local worker, prints the summary, keeps
 * serving when asked. The exit code. */
static int tune_run_trials(client *c, const tune_args *a, const char *url, const tune_study *ts,
                           plugins_registry *reg, atomic_int *stop)
{
    char err[1024];
    tune_progress progress = {.c = c, .study_path = ts->path, .objs = &ts->objs,
                              .objective = ts->objective ? ts->objective : "objective",
                              .maximize = ts->maximize, .budget = ts->budget};
    worker_options wo;
    worker_options_init(&wo);
    wo.url = url;
    wo.token = a->so.token;
    wo.study_id = ts->id;
    wo.reg = reg;
    wo.parallel = a->parallel;
    wo.timeout_seconds = a->timeout;
    wo.stop = stop;
    wo.worker_name = "tune";
    wo.program = a->program;
    wo.program_cwd = a->cwd;
    wo.max_initial_failures = a->max_initial_failures;
    wo.on_event = tune_on_event;
    wo.user = &progress;
    worker_summary sum;
    int wrc = worker_run(&wo, &sum, err, sizeof err);
    const plugin *plug = plugins_find(reg, a->plugin_name);
    unsigned k = a->remeasure >= 0 ? (unsigned)a->remeasure : tune_remeasure_default_k(plug);
    if (wrc != 0 || sum.interrupted || ts->objs.m)
        k = 0; /* several objectives have a front, not one best to re-measure */
    json_t *best = NULL;
    if (ts->objs.m)
        tune_summary_multi(c, ts->path, &ts->objs);
    else
        tune_summary(c, ts->path, ts->json, progress.objective, ts->maximize, k > 0, &best);
    int rrc = k > 0 ? tune_remeasure_best(plug, ts, a, best, k, stop) : 0;
    json_decref(best);
    if (wrc != 0) {
        fprintf(stderr, "bograph tune: %s\n", err);
        return CLI_FAILURE;
    }
    if (sum.interrupted) {
        fprintf(stderr, "bograph tune: interrupted; run the same command again to resume\n");
        return CLI_FAILURE;
    }
    if (rrc == 1) {
        fprintf(stderr, "bograph tune: re-measurement interrupted (the study is complete)\n");
        return CLI_FAILURE;
    }
    if (rrc != 0)
        return CLI_FAILURE;
    if (a->keep_serving) {
        printf("bograph: the dashboard stays at %s/#/studies/%s; Ctrl-C to stop\n", url, ts->id);
        fflush(stdout);
        if (!atomic_load(stop))
            cli_signals_wait();
    } else {
        printf("bograph: done; the dashboard stops with this job (--keep-serving keeps it up, "
               "or `bograph serve --db %s` shows the study later)\n", a->so.db_path);
    }
    return CLI_OK;
}

static void tune_args_free(tune_args *a)
{
    json_decref(a->plugin_options);
    json_decref(a->space);
    free(a->program);
}

int cli_tune(int argc, char **argv)
{
    tune_args a = {.budget = 15, .seed = 1, .algorithm = "bograph", .parallel = 1,
                   .remeasure = -1, .max_initial_failures = 5};
    service_options_init(&a.so);
    a.so.token = getenv("BOGRAPH_TOKEN");
    a.so.request_log = 0;
    a.plugin_options = json_object();
    int opt_argc;
    char **program;
    cli_split_program(argc, argv, &opt_argc, &program);
    int rc = tune_parse_args(opt_argc, argv, &a);
    if (rc < 0)
        rc = tune_check_command(&a, program);
    if (rc >= 0) {
        tune_args_free(&a);
        return rc;
    }

    char err[2048];
    plugins_registry *reg = cli_plugins_open(a.plugin_dir, "tune", err, sizeof err);
    if (!reg) {
        tune_args_free(&a);
        return CLI_FAILURE;
    }
    if (!plugins_find(reg, a.plugin_name)) {
        fprintf(stderr, "bograph tune: no plugin '%s'; there are:", a.plugin_name);
        for (size_t i = 0; i < plugins_count(reg); i++)
            fprintf(stderr, " %s", plugins_at(reg, i)->name);
        fprintf(stderr, "\n");
        plugins_registry_free(reg);
        tune_args_free(&a);
        return CLI_USAGE;
    }
    a.so.plugins = reg;

    static atomic_int stop;
    atomic_init(&stop, 0);
    if (cli_signals_install(&stop) != 0) {
        fprintf(stderr, "bograph tune: cannot install signal handlers\n");
        plugins_registry_free(reg);
        tune_args_free(&a);
        return CLI_FAILURE;
    }

    service *svc = NULL;
    client *c = NULL;
    tune_study ts = {0};
    rc = CLI_FAILURE;
    if (tune_start_service(&a, &svc, err, sizeof err) != 0)
        goto out;
    char url[300];
    int v6 = strchr(a.so.host, ':') != NULL;
    snprintf(url, sizeof url, "http://%s%s%s:%u", v6 ? "[" : "", a.so.host, v6 ? "]" : "",
             service_port(svc));
    c = client_new(url, a.so.token, err, sizeof err);
    if (!c) {
        fprintf(stderr, "bograph tune: %s\n", err);
        goto out;
    }
    char default_name[256];
    if (!a.name) {
        /* A command study is named after its program. */
        const char *what = a.plugin_name;
        if (a.program) {
            const char *slash = strrchr(a.program[0], '/');
            what = slash ? slash + 1 : a.program[0];
        }
        snprintf(default_name, sizeof default_name, "%.100s-%s-s%lld", what, a.algorithm,
                 a.seed);
        a.name = default_name;
    }
    if (tune_open_study(c, &a, url, &ts, err, sizeof err) != 0) {
        fprintf(stderr, "bograph tune: %s\n", err);
        goto out;
    }
    rc = tune_run_trials(c, &a, url, &ts, reg, &stop);
out:
    json_decref(ts.json);
    client_free(c);
    service_stop(svc);
    plugins_registry_free(reg);
    tune_args_free(&a);
    return rc;
}
