/*
 * tune_front.c - the Pareto front table and its hypervolume for `bograph
 * tune` on a study of several objectives (bo/pareto.h computes it).
 */
#include "cli/tune_front.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo/pareto.h"

int tune_objectives_of(const json_t *study, tune_objectives *out)
{
    memset(out, 0, sizeof *out);
    const json_t *list = json_object_get(study, "objectives");
    size_t m = json_array_size(list);
    if (m < 2 || m > TUNE_FRONT_MAX_OBJECTIVES)
        return -1;
    for (size_t j = 0; j < m; j++) {
        const json_t *o = json_array_get(list, j);
        const char *goal = json_string_value(json_object_get(o, "goal"));
        out->names[j] = json_string_value(json_object_get(o, "name"));
        out->maximize[j] = goal && strcmp(goal, "maximize") == 0;
        if (!out->names[j])
            return -1;
    }
    out->m = m;
    return 0;
}

/* The objectives of trial t into row: 0, or -1 when it lacks one. */
static int trial_row(const tune_objectives *o, const json_t *t, double *row)
{
    const json_t *objs = json_object_get(t, "objectives");
    for (size_t j = 0; j < o->m; j++) {
        const json_t *v = json_object_get(objs, o->names[j]);
        if (!json_is_number(v))
            return -1;
        row[j] = json_number_value(v);
    }
    return 0;
}

/* The front's rows (n x m, malloc'd; NULL when empty or out of memory). */
static double *front_rows(const tune_objectives *o, const json_t *best, size_t *n)
{
    const json_t *front = json_object_get(best, "pareto");
    size_t k = json_array_size(front);
    double *Y = k ? malloc(k * o->m * sizeof *Y) : NULL;
    *n = 0;
    for (size_t i = 0; Y && i < k; i++)
        if (trial_row(o, json_array_get(front, i), Y + *n * o->m) == 0)
            (*n)++;
    if (Y && *n == 0) {
        free(Y);
        Y = NULL;
    }
    return Y;
}

int tune_front_hypervolume(const tune_objectives *o, const json_t *best, double *ref,
                           int *from_default, double *hv)
{
    size_t n = 0;
    double *Y = front_rows(o, best, &n);
    if (!Y)
        return -1;
    *from_default = trial_row(o, json_object_get(best, "default"), ref) == 0;
    if (!*from_default && pareto_default_reference(Y, n, o->m, o->maximize, ref) != 0) {
        free(Y);
        return -1;
    }
    *hv = pareto_hypervolume(Y, n, o->m, o->maximize, ref);
    free(Y);
    return 0;
}

/* Sorting the front's rows by the first objective, best first. */
typedef struct {
    const json_t *trial;
    double key;
} front_entry;

static int front_cmp(const void *a, const void *b)
{
    double x = ((const front_entry *)a)->key, y = ((const front_entry *)b)->key;
    return (x > y) - (x < y);
}

void tune_front_print(FILE *f, const tune_objectives *o, const json_t *best)
{
    const json_t *front = json_object_get(best, "pareto");
    size_t k = json_array_size(front), n = 0;
    front_entry *rows = calloc(k ? k : 1, sizeof *rows);
    for (size_t i = 0; rows && i < k; i++) {
        double row[TUNE_FRONT_MAX_OBJECTIVES];
        const json_t *t = json_array_get(front, i);
        if (trial_row(o, t, row) == 0)
            rows[n++] = (front_entry){t, o->maximize[0] ? -row[0] : row[0]};
    }
    fprintf(f, "\nPareto front: %zu trial%s, sorted by %s\n%-8s", n, n == 1 ? "" : "s",
            o->names[0], "trial");
    for (size_t j = 0; j < o->m; j++)
        fprintf(f, " %-20s", o->names[j]);
    fprintf(f, "\n");
    if (rows)
        qsort(rows, n, sizeof *rows, front_cmp);
    for (size_t i = 0; i < n; i++) {
        double row[TUNE_FRONT_MAX_OBJECTIVES];
        trial_row(o, rows[i].trial, row);
        fprintf(f, "%-8lld", (long long)json_integer_value(json_object_get(rows[i].trial, "number")));
        for (size_t j = 0; j < o->m; j++)
            fprintf(f, " %-20.6g", row[j]);
        fprintf(f, "%s\n", json_is_true(json_object_get(rows[i].trial, "is_default")) ? "  (default)" : "");
    }
    free(rows);
    double ref[TUNE_FRONT_MAX_OBJECTIVES], hv = NAN;
    int from_default = 0;
    if (tune_front_hypervolume(o, best, ref, &from_default, &hv) != 0) {
        fprintf(f, "hypervolume: none (no completed trial meets the constraints)\n");
        return;
    }
    fprintf(f, "hypervolume: %.6g (reference point: %s", hv,
            from_default ? "the default's" : "the front's worst values moved 10% of its range;");
    for (size_t j = 0; j < o->m; j++)
        fprintf(f, "%s %s %.6g", j ? "," : "", o->names[j], ref[j]);
    fprintf(f, ")\n");
}
