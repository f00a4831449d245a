/*
 * plugin_objectives.h - a plugin's study of several objectives: a plugin
 * that declares the option "objectives" lets a study name, in
 * plugin_options.objectives, two or more of its metrics to tune together
 * (comma-separated) instead of its single objective.
 */
#ifndef BOGRAPH_PLUGINS_PLUGIN_OBJECTIVES_H
#define BOGRAPH_PLUGINS_PLUGIN_OBJECTIVES_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"

/* When body's plugin_options.objectives is given (a string "a,b", for a
 * plugin that declares that option) and body names no objective of its
 * own, sets body's "objectives": each name a metric of the plugin, exactly
 * or as the one metric named "<name>_<unit>" ("energy" for energy_mj),
 * with the plugin's goal. 0 (also when there is nothing to do), or -1 with
 * err naming the option. */
int plugin_objectives_fill(const plugin *p, json_t *body, char *err, size_t err_len);

#endif
