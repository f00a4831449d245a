/*
 * diagnostics.c - the oracle knowledge (the true parameter parents of a
 * generated system's metrics) and the per-run dump of the trials, for
 * bograph-bench-structure --oracle-parents and --dump-trials.
 */
#include "diagnostics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The logged name standing for true metric mt, or -1. */
static int diag_logged_name(const sys_metric *mt, char *const *names, size_t n_names)
{
    for (size_t q = 0; q < n_names; q++)
        if (strstr(names[q], mt->name) && !strstr(names[q], "count"))
            return (int)q;
    return -1;
}

knowledge *diag_oracle_knowledge(const sys_system *s, const space *sp, char *const *names,
                                 size_t n_names)
{
    if (s->kind != SYS_FAMILY)
        return NULL;
    knowledge *kn = knowledge_new();
    if (!kn)
        return NULL;
    char err[128];
    for (size_t j = 0; j < s->k; j++) {
        const sys_metric *mt = &s->metric[j];
        int q = diag_logged_name(mt, names, n_names);
        if (q < 0)
            continue;
        for (size_t pp = 0; pp < s->p; pp++) {
            int parent = 0;
            for (size_t a = 0; a < mt->n_param; a++)
                parent |= mt->param[a] == pp;
            int rc = parent ? knowledge_add_edge(kn, space_param_name(sp, pp), names[q], err, sizeof err)
                            : knowledge_add_forbidden(kn, space_param_name(sp, pp), names[q], err,
                                                      sizeof err);
            if (rc != 0) {
                knowledge_free(kn);
                return NULL;
            }
        }
    }
    return kn;
}

int diag_dump_trials(const char *dir, const sys_system *s, const space *sp, uint64_t seed,
                     const double *X, size_t n, char *const *names, size_t n_names,
                     const double *M, size_t cap_names, const double *y)
{
    char fn[512];
    snprintf(fn, sizeof fn, "%s/%s-%llu.txt", dir, s->name, (unsigned long long)seed);
    FILE *f = fopen(fn, "w");
    size_t du = space_encoded_dim(sp);
    double *u = malloc((du ? du : 1) * sizeof *u);
    if (!f || !u) {
        if (f)
            fclose(f);
        free(u);
        return -1;
    }
    fprintf(f, "%zu %zu %zu %zu %d\n", s->p, du, n, n_names, s->maximize);
    for (size_t j = 0; j < s->p; j++) {
        size_t first, count;
        space_param_encoded_span(sp, j, &first, &count);
        fprintf(f, "%zu %zu%s", first, count, j + 1 < s->p ? " " : "\n");
    }
    for (size_t i = 0; i < n; i++) {
        space_encode(sp, X + i * s->p, u);
        for (size_t j = 0; j < du; j++)
            fprintf(f, "%.10g%s", u[j], j + 1 < du ? " " : "\n");
    }
    for (size_t j = 0; j < n_names; j++)
        fprintf(f, "%s%s", names[j], j + 1 < n_names ? "\t" : "");
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n_names; j++)
            fprintf(f, "%.10g%s", M[i * cap_names + j], j + 1 < n_names ? " " : "");
        fprintf(f, "\n");
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.10g%s", y[i], i + 1 < n ? " " : "\n");
    for (size_t j = 0; j < s->k; j++) {
        const sys_metric *mt = &s->metric[j];
        fprintf(f, "%s\t%d\t%g\t", mt->name, mt->metric_parent, s->weight[j]);
        for (size_t a = 0; a < mt->n_param; a++)
            fprintf(f, "%zu%s", mt->param[a], a + 1 < mt->n_param ? "," : "\n");
    }
    free(u);
    return fclose(f) == 0 ? 0 : -1;
}
