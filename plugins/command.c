/*
 * command.c - the "command" plugin: any program is a target system. The
 * study gives the space and the objective; the run options give the
 * program:
 *
 *   argv        JSON array of strings, required: ["./bench", "--fast"]
 *   cwd         working directory; default a fresh temporary directory
 *               (removed after the run)
 *   log_file    a file the program writes, a relative path inside the
 *               working directory (no leading '/', no '..', not a
 *               symbolic link), read after it exits and returned as the log
 *   log_format  the logs/ parser for the log ("rocksdb", "keyvalue",
 *               "jsonl"); the log is stdout when there is no log_file
 *   objective   the metric that is the objective (set by the worker from
 *               the study)
 *
 * The configuration reaches the program as a JSON object on stdin and as
 * environment variables BOGRAPH_PARAM_<NAME> (the name upper-cased, other
 * characters as '_'); BOGRAPH_TRIAL_DIR names the temporary directory and
 * BOGRAPH_SEED the run's seed. The program runs from argv directly (no
 * shell), under the run's timeout; on timeout or cancellation it and every
 * process it started are killed, also those that left its process group
 * (plugins/exec.h).
 *
 * Metrics beyond the service's limit (BOGRAPH_MAX_METRICS) are dropped,
 * the objective kept first; a worker takes argv and cwd from a study only
 * when told to trust it (worker/study_options.h).
 *
 * Metrics: without log_format, stdout must hold a JSON object (the whole
 * output, or its last line that is one): numeric members (nested objects
 * flattened with dots) are the metrics; "state": "infeasible" or "failed"
 * with "reason" reports a configuration that cannot run. With log_format,
 * the log is parsed by that logs/ parser (and stdout may still hold such an
 * object). A non-zero exit status is a failed trial unless the program said
 * the configuration is infeasible.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "logs/logs.h"
#include "plugins/builtin.h"
#include "plugins/exec.h"
#include "plugins/host.h"
#include "plugins/plugin_json.h"
#include "util/buf.h"

#define CMD_MAX_ARGS 256
#define CMD_MAX_LOG_FILE (16u * 1024u * 1024u)

static const plugin_option_doc cmd_options[] = {
    {"argv", NULL, "the program and its arguments, a JSON array of strings (required)"},
    {"cwd", NULL, "working directory (default: a fresh temporary directory)"},
    {"log_file", NULL, "file the program writes, read as the log after it exits (a relative "
                       "path inside the working directory)"},
    {"log_format", NULL, "logs/ parser for the log: rocksdb, keyvalue or jsonl"},
};

static void cmd_free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* argv from the JSON array text. */
static char **cmd_parse_argv(const char *text, char *err, size_t err_len)
{
    json_error_t je;
    json_t *a = json_loads(text, 0, &je);
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) >= CMD_MAX_ARGS) {
        snprintf(err, err_len, "option argv must be a JSON array of 1..%d strings, e.g. "
                 "[\"./bench\", \"--fast\"]", CMD_MAX_ARGS - 1);
        json_decref(a);
        return NULL;
    }
    size_t n = json_array_size(a);
    char **argv = calloc(n + 1, sizeof *argv);
    for (size_t i = 0; argv && i < n; i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_string(s) || (i == 0 && json_string_length(s) == 0) ||
            strlen(json_string_value(s)) != json_string_length(s)) {
            snprintf(err, err_len, "option argv[%zu] must be a string without NUL bytes%s", i,
                     i == 0 ? " and not empty" : "");
            cmd_free_strv(argv);
            json_decref(a);
            return NULL;
        }
        if (!(argv[i] = strdup(json_string_value(s)))) {
            cmd_free_strv(argv);
            argv = NULL;
        }
    }
    json_decref(a);
    if (!argv)
        snprintf(err, err_len, "out of memory");
    return argv;
}

/* "BOGRAPH_PARAM_<NAME>=value" for each value, plus the trial dir and seed. */
static char **cmd_env(const plugin_config *cfg, const char *dir, unsigned long long seed)
{
    char **env = calloc(cfg->count + 3, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && i < cfg->count; i++) {
        const plugin_value *v = &cfg->values[i];
        char value[64];
        const char *text = v->choice;
        if (!text) {
            snprintf(value, sizeof value, "%.17g", v->number);
            text = value;
        }
        size_t nlen = strlen(v->name);
        size_t len = strlen("BOGRAPH_PARAM_") + nlen + 1 + strlen(text) + 1;
        char *e = malloc(len);
        if (!e) {
            cmd_free_strv(env);
            return NULL;
        }
        char *w = e + sprintf(e, "BOGRAPH_PARAM_");
        for (size_t c = 0; c < nlen; c++) {
            unsigned char ch = (unsigned char)v->name[c];
            *w++ = isalnum(ch) ? (char)toupper(ch) : '_';
        }
        sprintf(w, "=%s", text);
        env[k++] = e;
    }
    if (!env)
        return NULL;
    size_t dlen = strlen(dir) + 32;
    env[k] = malloc(dlen);
    if (env[k])
        snprintf(env[k], dlen, "BOGRAPH_TRIAL_DIR=%s", dir);
    k++;
    env[k] = malloc(48);
    if (env[k])
        snprintf(env[k], 48, "BOGRAPH_SEED=%llu", seed);
    if (!env[k - 1] || !env[k]) {
        cmd_free_strv(env);
        return NULL;
    }
    return env;
}

/* Adds numeric members of v (flattened with dots) as metrics; only the one
 * named only when that is not NULL. */
static void cmd_add_metrics(plugin_result *res, const char *prefix, json_t *v, int depth,
                            const char *only)
{
    if (depth > 8)
        return;
    const char *key;
    json_t *child;
    json_object_foreach(v, key, child) {
        char name[256];
        if (prefix[0])
            snprintf(name, sizeof name, "%s.%s", prefix, key);
        else
            snprintf(name, sizeof name, "%s", key);
        if (json_is_object(child))
            cmd_add_metrics(res, name, child, depth + 1, only);
        else if (only && strcmp(name, only) != 0)
            continue;
        else if (json_is_number(child))
            res->set_metric(res, name, json_number_value(child));
        else if (json_is_boolean(child))
            res->set_metric(res, name, json_is_true(child) ? 1.0 : 0.0);
    }
}

/* The JSON object in out: all of it, or else its last line that is one.
 * NULL with a message. */
static json_t *cmd_stdout_json(const char *out, size_t len, char *err, size_t err_len)
{
    json_error_t je;
    json_t *v = json_loadb(out, len, 0, &je);
    if (json_is_object(v))
        return v;
    json_decref(v);
    char first_err[200];
    snprintf(first_err, sizeof first_err, "%s", je.text);
    size_t end = len;
    while (end > 0) {
        while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r' || out[end - 1] == ' '))
            end--;
        size_t start = end;
        while (start > 0 && out[start - 1] != '\n')
            start--;
        size_t s = start;
        while (s < end && (out[s] == ' ' || out[s] == '\t'))
            s++;
        if (s < end && out[s] == '{') {
            v = json_loadb(out + s, end - s, 0, &je);
            if (json_is_object(v))
                return v;
            json_decref(v);
            snprintf(err, err_len, "the last JSON line of stdout does not parse: %s", je.text);
            return NULL;
        }
        end = start;
    }
    if (len == 0)
        snprintf(err, err_len, "stdout is empty; expected a JSON object of metrics");
    else
        snprintf(err, err_len, "stdout holds no JSON object of metrics (%s)", first_err);
    return NULL;
}

static int cmd_read_file(const char *path, char **text, size_t *len, char *err, size_t err_len)
{
    /* Not through a symbolic link the program left in place of the file. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        snprintf(err, err_len, "log file %.300s: %s", path,
                 errno == ELOOP ? "is a symbolic link" : strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    /* Chunks of 64 KiB up to CMD_MAX_LOG_FILE bytes; the rest is not read. */
    buf b;
    buf_init(&b);
    while (b.len < CMD_MAX_LOG_FILE) {
        size_t want = CMD_MAX_LOG_FILE - b.len < 65536 ? CMD_MAX_LOG_FILE - b.len : 65536;
        if (buf_reserve(&b, want) != 0)
            break;
        size_t r = fread(b.data + b.len, 1, want, f);
        b.len += r;
        b.data[b.len] = '\0';
        if (r == 0)
            break;
    }
    fclose(f);
    char *out = buf_finish(&b, len);
    if (!out) {
        snprintf(err, err_len, "out of memory reading %.300s", path);
        return -1;
    }
    *text = out;
    return 0;
}

/* 1 when log_file is a path inside the run directory: relative, without a
 * ".." component. */
static int cmd_log_file_ok(const char *log_file)
{
    if (log_file[0] == '/')
        return 0;
    for (const char *p = log_file; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n;
        while (*p == '/')
            p++;
    }
    return 1;
}

/* The log file the program wrote (relative to its working directory), or
 * NULL with why in log_err. */
static char *cmd_read_log(const char *work, const char *log_file, size_t *log_len,
                          char *log_err, size_t log_err_len)
{
    char path[8300];
    char *text = NULL;
    snprintf(path, sizeof path, "%s/%s", work, log_file);
    if (cmd_read_file(path, &text, log_len, log_err, log_err_len) != 0)
        return NULL;
    return text;
}

/* The trial's state from what the program said (stdout's JSON object,
 * required without a log format), how it ended, and the parsed log; the
 * metrics of stdout and the log into res. */
static void cmd_verdict(plugin_result *res, const plugin_run_options *opts,
                        const plugin_exec_result *er, const char *argv_text, double timeout,
                        const char *log_format, const char *log_file, const char *log_text,
                        const char *log_err)
{
    char why[PLUGIN_REASON_MAX];
    char json_err[300] = "";
    json_t *obj = cmd_stdout_json(er->out, er->out_len, json_err, sizeof json_err);
    const char *said_state = NULL, *said_reason = NULL;
    if (obj) {
        json_t *st = json_object_get(obj, "state");
        json_t *rs = json_object_get(obj, "reason");
        said_state = json_is_string(st) ? json_string_value(st) : NULL;
        said_reason = json_is_string(rs) ? json_string_value(rs) : NULL;
        /* The objective first: the host keeps at most PLUGIN_MAX_METRICS. */
        const char *objective = plugin_option_get(opts, "objective");
        if (objective)
            cmd_add_metrics(res, "", obj, 0, objective);
        cmd_add_metrics(res, "", obj, 0, NULL);
    }
    if (said_state && strcmp(said_state, "infeasible") == 0) {
        plugin_result_set(res, PLUGIN_INFEASIBLE, "%s",
                          said_reason ? said_reason : "the program says the configuration is "
                                                      "infeasible");
    } else if (!plugin_exec_ok(er)) {
        char d[400];
        plugin_exec_describe(er, timeout, d, sizeof d);
        plugin_result_set(res, PLUGIN_FAILED, "%s %s", argv_text, d);
    } else if (said_state && strcmp(said_state, "failed") == 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", said_reason ? said_reason : "the program "
                                                                                 "says it failed");
    } else if (said_state && strcmp(said_state, "ok") != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "stdout: unknown state '%s' (ok, failed or "
                          "infeasible)", said_state);
    } else if (log_file && log_file[0] && !log_text) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", log_err);
    } else if (log_format) {
        logs_metrics lm;
        logs_metrics_init(&lm);
        if (logs_parse(log_format, res->log ? res->log : "", res->log_len, &lm, why,
                       sizeof why) != 0) {
            plugin_result_set(res, PLUGIN_FAILED, "the %s parser refused the log: %s", log_format,
                              why);
        } else {
            const char *objective = plugin_option_get(opts, "objective");
            for (size_t i = 0; objective && i < lm.count; i++)
                if (strcmp(lm.items[i].name, objective) == 0)
                    res->set_metric(res, lm.items[i].name, lm.items[i].value);
            for (size_t i = 0; i < lm.count; i++)
                res->set_metric(res, lm.items[i].name, lm.items[i].value);
            res->state = PLUGIN_OK;
        }
        logs_metrics_free(&lm);
    } else if (!obj) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", json_err);
    } else {
        res->state = PLUGIN_OK;
    }
    if (res->state == PLUGIN_OK) {
        const char *objective = plugin_option_get(opts, "objective");
        if (objective && !plugin_result_metric(res, objective))
            plugin_result_set(res, PLUGIN_FAILED, "the program reported no metric '%s' (the "
                              "objective)", objective);
    }
    json_decref(obj);
}

static int cmd_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
                   plugin_result *res)
{
    char why[PLUGIN_REASON_MAX];
    const char *argv_text = plugin_option_get(opts, "argv");
    const char *log_file = plugin_option_get(opts, "log_file");
    const char *log_format = plugin_option_get(opts, "log_format");
    const char *cwd = plugin_option_get(opts, "cwd");
    if (!argv_text) {
        plugin_result_set(res, PLUGIN_FAILED, "the command plugin needs the option argv "
                          "(a JSON array: the program and its arguments)");
        return -1;
    }
    if (log_format && log_format[0] && !logs_format_known(log_format)) {
        plugin_result_set(res, PLUGIN_FAILED, "log_format '%s' is not a known parser", log_format);
        return -1;
    }
    if (log_format && !log_format[0])
        log_format = NULL;
    if (log_file && log_file[0] && !cmd_log_file_ok(log_file)) {
        plugin_result_set(res, PLUGIN_FAILED, "log_file '%.200s' must stay inside the run "
                          "directory: a relative path without '..'", log_file);
        return -1;
    }
    char **argv = cmd_parse_argv(argv_text, why, sizeof why);
    if (!argv) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return -1;
    }
    char dir[4096];
    if (plugin_tempdir_new(opts->workdir, "bograph-command-", dir, sizeof dir, why,
                           sizeof why) != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        cmd_free_strv(argv);
        return -1;
    }
    char **env = cmd_env(cfg, dir, (unsigned long long)opts->seed);
    json_t *cfg_json = plugin_config_to_json(cfg);
    char *stdin_text = cfg_json ? json_dumps(cfg_json, JSON_COMPACT) : NULL;
    json_decref(cfg_json);
    if (!env || !stdin_text) {
        plugin_result_set(res, PLUGIN_FAILED, "out of memory");
        cmd_free_strv(argv);
        cmd_free_strv(env);
        free(stdin_text);
        plugin_remove_tree(dir);
        return -1;
    }
    const char *work = cwd && cwd[0] ? cwd : dir;
    double timeout = opts->timeout_seconds > 0 ? opts->timeout_seconds : p->default_timeout_seconds;
    plugin_exec_spec spec = {
        .argv = argv,
        .env_extra = env,
        .cwd = work,
        .stdin_data = stdin_text,
        .stdin_len = strlen(stdin_text),
        .timeout_seconds = timeout,
        .cancel = opts->cancel,
    };
    plugin_exec_result er;
    int rc = plugin_exec_run(&spec, &er, why, sizeof why);
    free(stdin_text);
    cmd_free_strv(env);
    cmd_free_strv(argv);

    char *log_text = NULL;
    size_t log_len = 0;
    char log_err[PLUGIN_REASON_MAX] = "";
    if (rc == 0 && log_file && log_file[0])
        log_text = cmd_read_log(work, log_file, &log_len, log_err, sizeof log_err);
    plugin_remove_tree(dir);
    if (rc != 0) {
        plugin_result_set(res, PLUGIN_FAILED, "%s", why);
        return 0;
    }

    /* The log: the log file, or stdout. */
    if (log_text) {
        res->append_log(res, log_text, log_len);
    } else {
        res->append_log(res, er.out, er.out_len);
    }
    if (log_format)
        snprintf(res->log_format, sizeof res->log_format, "%s", log_format);

    cmd_verdict(res, opts, &er, argv_text, timeout, log_format, log_file, log_text, log_err);
    free(log_text);
    plugin_exec_result_free(&er);
    return 0;
}

const plugin plugin_command = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "command",
    .description = "any program: runs argv (no shell) with the configuration as JSON on stdin "
                   "and BOGRAPH_PARAM_* variables, reads metrics from a JSON object on stdout "
                   "or from a log parsed by a named parser; space and objective come from the "
                   "study",
    .flags = PLUGIN_FLAG_USER_SPACE,
    .goal = PLUGIN_MINIMIZE,
    .option_docs = cmd_options,
    .n_option_docs = sizeof cmd_options / sizeof cmd_options[0],
    .default_timeout_seconds = 600,
    .max_parallel = 0,
    .run = cmd_run,
};
