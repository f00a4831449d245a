/*
 * plugin_param_constraints.h - a plugin's parameter constraints as a study
 * takes them: each "${key}" in a declared constraint is replaced by the
 * study's value of run option key ("plugin_options"), or the option's
 * documented default, so "tp * pp <= ${devices}" follows --option devices=N.
 */
#ifndef BOGRAPH_PLUGINS_PLUGIN_PARAM_CONSTRAINTS_H
#define BOGRAPH_PLUGINS_PLUGIN_PARAM_CONSTRAINTS_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"

/* A JSON array of p's constraints with the options filled in (new
 * reference; [] when p declares none). popts: the study's "plugin_options"
 * object, may be NULL. NULL with a message when a ${key} is not one of p's
 * options, has no value, or its value is not a finite number, or when out
 * of memory. */
json_t *plugin_param_constraints_json(const plugin *p, const json_t *popts, char *err,
                                      size_t err_len);

#endif
