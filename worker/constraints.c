/*
 * constraints.c - a finished trial against its study's constraints (see
 * constraints.h).
 */
#include "worker/constraints.h"

#include <stdio.h>
#include <string.h>

#include "plugins/host.h"

/* 1 when v op bound holds; -1 for an unknown operator. */
static int worker_constraint_holds(double v, const char *op, double bound)
{
    if (strcmp(op, "<=") == 0)
        return v <= bound;
    if (strcmp(op, ">=") == 0)
        return v >= bound;
    if (strcmp(op, "<") == 0)
        return v < bound;
    if (strcmp(op, ">") == 0)
        return v > bound;
    return -1;
}

/* The operator that says how v misses "op bound". */
static const char *worker_constraint_opposite(const char *op)
{
    if (strcmp(op, "<=") == 0)
        return ">";
    if (strcmp(op, ">=") == 0)
        return "<";
    if (strcmp(op, "<") == 0)
        return ">=";
    return "<=";
}

int worker_constraint_missed(const json_t *constraints, const plugin_result *res, char *buf,
                             size_t len)
{
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < json_array_size(constraints); i++) {
        const json_t *c = json_array_get(constraints, i);
        const char *metric = json_string_value(json_object_get(c, "metric"));
        const char *op = json_string_value(json_object_get(c, "op"));
        const json_t *bound = json_object_get(c, "value");
        if (!metric || !op || !json_is_number(bound))
            continue;
        double b = json_number_value(bound);
        const double *v = plugin_result_metric(res, metric);
        if (!v) {
            snprintf(buf, len, "%s missing (%s %g)", metric, op, b);
            return 1;
        }
        if (worker_constraint_holds(*v, op, b) == 0) {
            snprintf(buf, len, "%s %g %s %g", metric, *v, worker_constraint_opposite(op), b);
            return 1;
        }
    }
    return 0;
}
