/*
 * host.h - what the host (service, worker, tests) does around a plugin:
 * results, configurations, checking a descriptor, and plugin_run(), the one
 * way to run a trial (validates, times, enforces cancellation, fills the
 * objective from the metrics).
 *
 * Errors: functions returning int give 0 on success and -1 on failure with a
 * message in err (err may be NULL).
 */
#ifndef BOGRAPH_PLUGINS_HOST_H
#define BOGRAPH_PLUGINS_HOST_H

#include <stdarg.h>
#include <stddef.h>

#include "plugins/plugin.h"
#include "util/result_limits.h"

/* Limits the host puts on one result: the metrics are those the service
 * accepts in one report (util/result_limits.h): at most BOGRAPH_MAX_METRICS,
 * names of at most BOGRAPH_MAX_METRIC_NAME bytes; set_metric refuses the
 * rest (returns -1) and the result keeps what it has. */
#define PLUGIN_MAX_METRICS BOGRAPH_MAX_METRICS
#define PLUGIN_MAX_LOG_BYTES (32u * 1024u * 1024u)

/* A fresh, empty result (state ok, no metrics, no log) with the host's
 * set_metric/append_log wired in. Release with plugin_result_free. */
void plugin_result_init(plugin_result *res);
void plugin_result_free(plugin_result *res);
/* The value of metric name, or NULL. */
const double *plugin_result_metric(const plugin_result *res, const char *name);
/* Sets state and a formatted reason (truncated to PLUGIN_REASON_MAX). */
void plugin_result_set(plugin_result *res, plugin_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *plugin_state_name(plugin_state st);   /* "ok", "failed", "infeasible" */
const char *plugin_param_type_name(plugin_param_type t); /* "float", "int", ... */
const char *plugin_goal_name(plugin_goal g);      /* "minimize", "maximize" */

/* Checks a descriptor is usable: ABI version, a name, a run callback,
 * well-formed parameters (unique names, low < high, log scales positive,
 * non-empty choices and increasing values), defaults that name every
 * parameter once and lie in the space, an objective unless USER_SPACE,
 * constraint operators, knowledge entries naming something. */
int plugin_check(const plugin *p, char *err, size_t err_len);

/* The plugin's default configuration as a configuration (borrowed: valid as
 * long as the descriptor; never pass it to plugin_config_free). */
plugin_config plugin_default_config(const plugin *p);

/* Checks cfg against the plugin's parameters: every parameter present once,
 * no unknown names, categorical values one of the choices, numbers finite,
 * int parameters integral. Ranges are not enforced here: a study may widen
 * a range, and the plugin refuses what it cannot run. Plugins with
 * PLUGIN_FLAG_USER_SPACE accept any names (values must still be finite or
 * strings). */
int plugin_config_check(const plugin *p, const plugin_config *cfg,
                        char *err, size_t err_len);

/* Deep copy (owns its strings). 0 or -1 (out of memory). */
int plugin_config_copy(const plugin_config *src, plugin_config *dst);
/* Adds or replaces one value in an owned configuration; choice NULL for a
 * number. 0 or -1 (out of memory). */
int plugin_config_set(plugin_config *cfg, const char *name, double number,
                      const char *choice);
/* Releases an owned configuration and zeroes it. */
void plugin_config_free(plugin_config *cfg);

/* Runs one trial of p on cfg: checks the configuration and the option keys,
 * resets res, calls the plugin, records elapsed_seconds, turns a cancelled
 * run (not infeasible) into failed with the reason "cancelled", and sets
 * res->objective from the metric named by the plugin's objective (or by the
 * run option "objective", for USER_SPACE plugins) when the plugin did not
 * set it. res must have been initialised with plugin_result_init.
 *
 * Returns 0 when res holds an outcome (state ok, failed or infeasible);
 * -1 when the trial could not be attempted because the call is wrong
 * (configuration or options do not fit the plugin): err says why and res is
 * set to failed with the same reason. */
int plugin_run(const plugin *p, const plugin_config *cfg,
               const plugin_run_options *opts, plugin_result *res,
               char *err, size_t err_len);

/* Options with defaults: no timeout override, no workdir, no cancel flag,
 * no options, seed 0. */
void plugin_run_options_init(plugin_run_options *opts);

#endif
