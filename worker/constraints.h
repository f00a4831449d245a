/*
 * constraints.h - whether a finished trial meets its study's constraints
 * ({"metric", "op", "value"} with op <=, >=, < or >), for the worker's and
 * tune's trial lines; the service decides the same for the best trial.
 */
#ifndef BOGRAPH_WORKER_CONSTRAINTS_H
#define BOGRAPH_WORKER_CONSTRAINTS_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/plugin.h"

/* The first constraint of constraints (a JSON array; NULL or empty: none)
 * that res's metrics miss, as "mem_gb 90 > 80" or "mem_gb missing (<= 80)",
 * into buf. 1 when one is missed, 0 when all are met (buf ""). */
int worker_constraint_missed(const json_t *constraints, const plugin_result *res, char *buf,
                             size_t len);

#endif
