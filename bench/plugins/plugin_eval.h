/*
 * plugin_eval.h - the plugin benchmark's line protocol for outside
 * optimisers (bench/plugins/tpe_plugin.py): print a plugin's space, and
 * evaluate configurations read from stdin with the plugin's own run.
 */
#ifndef BOGRAPH_BENCH_PLUGIN_EVAL_H
#define BOGRAPH_BENCH_PLUGIN_EVAL_H

#include "plugins/host.h"
#include "plugins/registry.h"

/* 1 when res meets every constraint of p, else 0 (a missing constraint
 * metric does not meet it). *violation (may be NULL) gets the sum over the
 * constraints of the relative excess, (value - limit) / |limit| past the
 * limit in the wrong direction; 0 when all are met, 1 per missing metric. */
int plugin_eval_meets(const plugin *p, const plugin_result *res, double *violation);

/* --space NAME: prints plugin_to_json of the plugin (parameters, default,
 * objective, constraints, ...) as one line of JSON. Exit status. */
int plugin_eval_space(const plugins_registry *reg, const char *name);

/* --eval NAME [--option K=V]... [--seed S]: for each line of stdin, a JSON
 * object {parameter: value} as the plugin's space declares, runs the
 * plugin once (plugin_run, as a worker of `bograph tune` does, run seed
 * S + the line's 0-based index) and prints one line of JSON:
 *   {"state": "ok"|"infeasible"|"failed", "objective": x|null,
 *    "meets": true|false, "violation": v, "reason": "..."}
 * A line that is not a configuration of the plugin gives state "failed"
 * with the reason. argv holds the options after NAME. Exit status. */
int plugin_eval_run(const plugins_registry *reg, const char *name, int argc, char **argv);

#endif
