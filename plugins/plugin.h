/*
 * plugin.h - the target-system plugin interface (the ABI a plugin is built
 * against). A plugin is a system to tune: it declares its search space, its
 * default configuration, its objective and constraints, what an expert knows
 * about it, the format of the logs it produces, and knows how to run one
 * trial. Built-in plugins live in plugins/; third-party ones are shared
 * objects loaded by plugins_load_dir() (plugins/registry.h).
 *
 * Everything here is plain data plus one callback, so a plugin needs no host
 * symbol at all: the helpers below are static inline, and a result is filled
 * through the function pointers it carries (res->set_metric, res->append_log).
 *
 * Writing a third-party plugin:
 *
 *     #include "plugins/plugin.h"
 *     static int my_run(const plugin *p, const plugin_config *cfg,
 *                       const plugin_run_options *opts, plugin_result *res)
 *     {
 *         const plugin_value *x = plugin_config_find(cfg, "x");
 *         res->set_metric(res, "y", x->number * x->number);
 *         res->state = PLUGIN_OK;
 *         return 0;
 *     }
 *     static const plugin_param params[] = {
 *         {.name = "x", .type = PLUGIN_PARAM_FLOAT, .low = -5, .high = 5},
 *     };
 *     static const plugin_value defaults[] = {{.name = "x", .number = 1}};
 *     static const plugin my_plugin = {
 *         .abi_version = BOGRAPH_PLUGIN_ABI_VERSION, .name = "square",
 *         .params = params, .n_params = 1, .defaults = defaults,
 *         .n_defaults = 1, .objective = "y", .goal = PLUGIN_MINIMIZE,
 *         .run = my_run,
 *     };
 *     BOGRAPH_PLUGIN_EXPORT(my_plugin)
 *
 * and build it with `cc -shared -fPIC -I<bograph source root> my.c -o my.so`.
 *
 * Threads: a plugin descriptor is immutable; run() may be called from several
 * threads at once (each call with its own config, options and result), so a
 * run keeps its state on its stack or in the result. `state` is for data
 * that is read-only after the descriptor is built.
 */
#ifndef BOGRAPH_PLUGINS_PLUGIN_H
#define BOGRAPH_PLUGINS_PLUGIN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bumped whenever a struct below changes layout or meaning. A shared object
 * built against another version is refused when loaded. */
#define BOGRAPH_PLUGIN_ABI_VERSION 2

/* Sizes of the fixed text fields of a result. */
#define PLUGIN_REASON_MAX 512
#define PLUGIN_FORMAT_MAX 32

/* ---- The search space, as plain data --------------------------------- */

typedef enum {
    PLUGIN_PARAM_FLOAT,       /* low..high, optionally on a log scale */
    PLUGIN_PARAM_INT,         /* integers low..high, optionally log scale */
    PLUGIN_PARAM_CATEGORICAL, /* one of choices (unordered strings) */
    PLUGIN_PARAM_ORDINAL      /* one of values (ordered numbers) */
} plugin_param_type;

/* A conditional parameter's condition: it is active only when the parameter
 * named `parameter` (categorical, ordinal or int) takes one of the listed
 * choices (a categorical parent) or values (an ordinal or int parent). A
 * configuration holds exactly its active parameters. */
typedef struct {
    const char *parameter;
    const char *const *choices;  /* a categorical parent */
    size_t n_choices;
    const double *values;        /* an ordinal or int parent */
    size_t n_values;
} plugin_condition;

typedef struct {
    const char *name;            /* [a-z0-9_], unique within the plugin */
    plugin_param_type type;
    double low, high;            /* float, int */
    int log_scale;               /* float, int: search on a log scale */
    const char *const *choices;  /* categorical */
    size_t n_choices;
    const double *values;        /* ordinal, increasing */
    size_t n_values;
    const char *description;     /* one line, with the unit; may be NULL */
    const plugin_condition *condition; /* NULL: always active (ABI 2) */
} plugin_param;

/* One parameter's value in a configuration: `number` for float, int and
 * ordinal parameters; `choice` (the choice's string) for categorical ones,
 * where number is unused. */
typedef struct {
    const char *name;
    double number;
    const char *choice;
} plugin_value;

/* A configuration: name -> value. Order does not matter. A configuration
 * built by the library (plugin_config_from_json, plugin_config_copy) owns its
 * strings and is released by plugin_config_free; a static one is not. */
typedef struct {
    plugin_value *values;
    size_t count;
} plugin_config;

/* ---- Objective, constraints, knowledge -------------------------------- */

typedef enum { PLUGIN_MINIMIZE, PLUGIN_MAXIMIZE } plugin_goal;

/* metric op value, op one of "<=", ">=", "<", ">". A trial whose metric
 * breaks a constraint is completed but does not count as a best. */
typedef struct {
    const char *metric;
    const char *op;
    double value;
} plugin_constraint;

/* A directed edge between node names (parameters, metrics, the objective). */
typedef struct {
    const char *from;
    const char *to;
} plugin_edge;

/* A parametric model: node = expr, a formula (util/formula.h syntax) over other
 * node names. The model's variables become the node's parents. */
typedef struct {
    const char *node;
    const char *expr;
} plugin_model;

/* ---- Running a trial --------------------------------------------------- */

/* An extra run option, key=value (e.g. "workload=resnet50"). */
typedef struct {
    const char *key;
    const char *value;
} plugin_option;

/* The options a plugin accepts, for documentation and for refusing typos. */
typedef struct {
    const char *key;
    const char *default_value;   /* as text; NULL when there is none */
    const char *description;
} plugin_option_doc;

typedef struct {
    /* Wall-clock limit of the run in seconds; <= 0 means the plugin's
     * default_timeout_seconds. A run over it is killed and fails. */
    double timeout_seconds;
    /* Directory where the run may create its temporary directory; NULL means
     * $TMPDIR, else /tmp. */
    const char *workdir;
    /* When non-NULL and it becomes non-zero, the run stops as soon as it can
     * and fails with the reason "cancelled". May be set from another thread
     * or a signal handler. */
    const atomic_int *cancel;
    /* Extra options; keys the plugin does not declare are refused. */
    const plugin_option *options;
    size_t n_options;
    /* Seed for anything random in the run (e.g. db_bench's --seed). */
    uint64_t seed;
} plugin_run_options;

typedef enum {
    PLUGIN_OK = 0,         /* ran; metrics hold the outcome */
    PLUGIN_FAILED = 1,     /* the run broke (crash, timeout, bad output); reason says why */
    PLUGIN_INFEASIBLE = 2  /* the configuration cannot run by its nature
                            * (e.g. does not fit in memory); reason says why */
} plugin_state;

typedef struct {
    char *name;
    double value;
} plugin_metric;

typedef struct plugin_result plugin_result;

/* The outcome of one run. Initialised and released by the host
 * (plugin_result_init / plugin_result_free); a plugin writes state, reason,
 * objective and log_format directly and adds metrics and log text through the
 * two function pointers, which return 0 or -1 (out of memory, or a limit). */
struct plugin_result {
    plugin_state state;
    char reason[PLUGIN_REASON_MAX];   /* NUL-terminated; "" when ok */
    int has_objective;                /* objective below is set */
    double objective;
    plugin_metric *metrics;           /* host-owned; read-only for plugins */
    size_t n_metrics, cap_metrics;
    char *log;                        /* raw log text, NUL-terminated, may be NULL */
    size_t log_len, log_cap;
    int log_truncated;                /* the log hit the host's size limit */
    char log_format[PLUGIN_FORMAT_MAX]; /* logs/ parser for log; "" none */
    double elapsed_seconds;           /* wall time of the run, set by plugin_run */
    /* Host services. set_metric replaces an earlier value of the same name;
     * non-finite values are refused. append_log adds text to log. */
    int (*set_metric)(plugin_result *res, const char *name, double value);
    int (*append_log)(plugin_result *res, const char *text, size_t len);
};

/* ---- The plugin -------------------------------------------------------- */

/* The space and objective come from the study, not the plugin (the command
 * plugin): params/defaults/objective may be empty and configurations are not
 * checked against params. */
#define PLUGIN_FLAG_USER_SPACE 0x1u
/* The same configuration always gives the same result (analytic models). */
#define PLUGIN_FLAG_DETERMINISTIC 0x2u

typedef struct plugin plugin;

struct plugin {
    int abi_version;              /* BOGRAPH_PLUGIN_ABI_VERSION */
    const char *name;             /* [a-z0-9_-], unique in a registry */
    const char *description;      /* a sentence or two */
    unsigned flags;               /* PLUGIN_FLAG_* */

    const plugin_param *params;
    size_t n_params;
    const plugin_value *defaults; /* one per parameter: the baseline */
    size_t n_defaults;

    const char *objective;        /* metric name; NULL with USER_SPACE */
    plugin_goal goal;
    const plugin_constraint *constraints;
    size_t n_constraints;

    /* Expert knowledge. */
    const plugin_edge *edges;      /* required */
    size_t n_edges;
    const plugin_edge *forbidden;  /* never learnt */
    size_t n_forbidden;
    const plugin_model *models;
    size_t n_models;

    /* Metric names the plugin reports (not necessarily all of them), so the
     * service knows the knowledge's node names before the first trial. */
    const char *const *metric_names;
    size_t n_metric_names;

    /* Name of the logs/ parser for result->log ("rocksdb", "keyvalue",
     * "jsonl"); NULL or "" when the metrics come as numbers only. */
    const char *log_format;

    const plugin_option_doc *option_docs;
    size_t n_option_docs;

    double default_timeout_seconds; /* used when the caller gives none */
    int max_parallel;               /* trials one machine should run at once; 0 = any */

    /* Runs one trial: reads cfg and opts, fills res (state, reason, metrics,
     * objective, log). Returns 0 when res holds the outcome, whatever the
     * state; -1 when the run could not be attempted (res->reason says why;
     * the host then marks it failed). Must honour opts->cancel and the
     * timeout, must not call exit() or abort(). */
    int (*run)(const plugin *p, const plugin_config *cfg,
               const plugin_run_options *opts, plugin_result *res);

    void *state;                    /* the plugin's own read-only data */

    /* Parameter constraints (ABI 2): inequalities between expressions of
     * numeric parameters, "tp * pp <= ${devices}"; ${key} stands for the
     * study's value of run option key (its default when not given). No
     * suggested configuration breaks one; the defaults must meet them. */
    const char *const *parameter_constraints;
    size_t n_parameter_constraints;
};

/* ---- Shared objects ----------------------------------------------------- */

/* A shared object exports
 *     const plugin *bograph_plugin_entry(int host_abi_version, int *plugin_abi_version);
 * It writes the ABI version it was built against to *plugin_abi_version and
 * returns its descriptor, which must stay valid until the object is unloaded.
 * The host reads nothing from the descriptor when the versions differ. */
#define BOGRAPH_PLUGIN_ENTRY_SYMBOL "bograph_plugin_entry"
typedef const plugin *(*plugin_entry_fn)(int host_abi_version, int *plugin_abi_version);

#define BOGRAPH_PLUGIN_EXPORT(descriptor)                                        \
    __attribute__((visibility("default"))) const plugin *bograph_plugin_entry(   \
        int host_abi_version, int *plugin_abi_version);                          \
    const plugin *bograph_plugin_entry(int host_abi_version, int *plugin_abi_version) \
    {                                                                            \
        (void)host_abi_version;                                                  \
        *plugin_abi_version = BOGRAPH_PLUGIN_ABI_VERSION;                        \
        return &(descriptor);                                                    \
    }

/* ---- Helpers usable by plugins without host symbols --------------------- */

/* The value of name in cfg, or NULL. */
static inline const plugin_value *plugin_config_find(const plugin_config *cfg,
                                                     const char *name)
{
    for (size_t i = 0; cfg && i < cfg->count; i++)
        if (cfg->values[i].name && strcmp(cfg->values[i].name, name) == 0)
            return &cfg->values[i];
    return NULL;
}

/* The value of option key, or NULL when not given. */
static inline const char *plugin_option_get(const plugin_run_options *opts,
                                            const char *key)
{
    for (size_t i = 0; opts && i < opts->n_options; i++)
        if (opts->options[i].key && strcmp(opts->options[i].key, key) == 0)
            return opts->options[i].value;
    return NULL;
}

/* 1 when the run has been asked to stop. */
static inline int plugin_cancelled(const plugin_run_options *opts)
{
    return opts && opts->cancel && atomic_load(opts->cancel) != 0;
}

#endif
