/*
 * plugin_json.h - plugins in the REST API's JSON shapes (jansson): the
 * description GET /v1/plugins/{name} answers, filling a study creation body
 * from a plugin (the service's plugin hook), configurations and run options
 * from a trial's JSON, and a result as the body of .../complete or .../fail.
 *
 * Returned json_t values are new references (json_decref them); NULL means
 * out of memory. Errors: 0, or -1 with a message in err (may be NULL).
 */
#ifndef BOGRAPH_PLUGINS_PLUGIN_JSON_H
#define BOGRAPH_PLUGINS_PLUGIN_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"
#include "plugins/registry.h"

/* {"name", "description", "parameters": [{"name","type","low","high","log",
 * "choices","values","description"}], "objective": {"name","goal"} (null for
 * a user-space plugin), "constraints": [{"metric","op","value"}],
 * "default": {name: value}, "knowledge": {"edges": [[from,to]],
 * "forbidden": [[from,to]], "models": {node: formula}}, "log_format",
 * "metrics": [names], "options": [{"key","default","description"}],
 * "user_space", "deterministic", "max_parallel", "timeout_seconds"}.
 * The parameter (less "description"), objective, constraint, default and
 * knowledge members have exactly the shape of a study creation body. */
json_t *plugin_to_json(const plugin *p);

/* The service's plugin hook: fills into body (a study creation request) what
 * p declares and body leaves out: "parameters", "objective", "default",
 * "constraints", "knowledge", "log_format" (parameters without their
 * descriptions, which a study body does not take). Fields given explicitly win
 * (a given "parameters" also suppresses the plugin's "default", which may not
 * fit it). "plugin_options" (an object), when present, is checked against the
 * plugin's options. A user-space plugin (command) requires body to give
 * "parameters" and "objective" (or "objectives", which the study validation
 * judges). Sets body "plugin" to p's name. */
int plugin_fill_study(const plugin *p, json_t *body, char *err, size_t err_len);

/* The service's plugin hook as server/service.h declares it
 * (service_plugin_hook), with the registry as its user pointer:
 *     o.plugin_hook = plugins_study_hook; o.plugin_hook_user = registry;
 * 1 when no plugin has that name, else what plugin_fill_study returns. */
int plugins_study_hook(void *registry, const char *name, json_t *body, char *err,
                       size_t err_len);

/* GET /v1/plugins: {"plugins": [plugin_to_json of each, in registry order]}. */
json_t *plugins_list_json(const plugins_registry *reg);

/* {name: number | "choice"} <-> configuration. Integers stay integers in
 * JSON. from_json accepts numbers and strings (and true/false as 1/0) and
 * builds an owned configuration (plugin_config_free). */
int plugin_config_from_json(const json_t *obj, plugin_config *out, char *err, size_t err_len);
json_t *plugin_config_to_json(const plugin_config *cfg);

/* A study's "plugin_options" object as run options: strings kept, numbers as
 * text, arrays and objects as compact JSON text (e.g. the command plugin's
 * argv). *out is an array of n options owning their strings; release with
 * plugin_options_free. An empty or NULL object gives n = 0. */
int plugin_options_from_json(const json_t *obj, plugin_option **out, size_t *n, char *err,
                             size_t err_len);
void plugin_options_free(plugin_option *opts, size_t n);

/* text (len bytes, may hold NUL or be no UTF-8) as a JSON string the
 * service accepts: NUL bytes become '?', and so does every byte >= 0x80 when
 * the text is not UTF-8. */
json_t *plugin_json_text(const char *text, size_t len);
/* The metrics of a result as {name: value} (a name that is not UTF-8 is
 * cleaned as plugin_json_text does). */
json_t *plugin_result_metrics_json(const plugin_result *res);
/* The body to send for a finished trial: state ok -> the .../complete body
 * {"metrics": {...}, "logs": "...", "log_format": "..."} (logs and
 * log_format only when there is a log; the log cleaned as plugin_json_text
 * does); otherwise the .../fail body
 * {"reason": "...", "infeasible": true|false}. */
json_t *plugin_result_to_json(const plugin_result *res);

#endif
