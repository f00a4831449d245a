/*
 * api_export.c - the trials of a study as CSV (GET .../trials?format=csv):
 * a header row (number, state, each parameter, the objective or each of a
 * study's several objectives, each other metric
 * any of the trials reported, model, created_at, finished_at), then one row
 * per trial. Numbers are written as in JSON (shortest round-trip form),
 * a field holding a comma, a quote or a line break is quoted.
 */
#include "server/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static void csv_field(jsonw *w, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        jsonw_lit(w, s);
        return;
    }
    jsonw_raw(w, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            jsonw_raw(w, "\"", 1);
        jsonw_raw(w, p, 1);
    }
    jsonw_raw(w, "\"", 1);
}

static void csv_time(jsonw *w, double t)
{
    if (isnan(t))
        return;
    char buf[40];
    util_iso8601(t, 1, buf, sizeof buf);
    jsonw_lit(w, buf);
}

/* A parameter's value as CSV text: numbers as in JSON, strings as they are. */
static void csv_value(jsonw *w, json_t *v)
{
    if (json_is_string(v))
        csv_field(w, json_string_value(v));
    else if (json_is_integer(v))
        jsonw_int(w, (int64_t)json_integer_value(v));
    else if (json_is_real(v))
        jsonw_double(w, json_real_value(v));
}

/* 1 when m is an objective of sd. */
static int is_objective(const study_def *sd, const char *m)
{
    for (size_t j = 0; j < sd->n_objectives; j++)
        if (strcmp(m, sd->objectives[j]) == 0)
            return 1;
    return 0;
}

/* The metric names of ts other than the objectives, in first-seen order
 * (borrowed from the trials). */
static const char **metric_columns(const study_def *sd, const store_trials *ts, size_t *n)
{
    size_t cap = 16;
    const char **names = malloc(cap * sizeof *names);
    *n = 0;
    for (size_t i = 0; names && i < ts->count; i++) {
        const store_trial *t = &ts->items[i];
        for (size_t k = 0; k < t->n_metrics; k++) {
            const char *m = t->metric_names[k];
            int seen = is_objective(sd, m);
            for (size_t j = 0; !seen && j < *n; j++)
                seen = strcmp(names[j], m) == 0;
            if (seen)
                continue;
            if (*n == cap) {
                const char **grown = realloc(names, 2 * cap * sizeof *names);
                if (!grown) {
                    free(names);
                    return NULL;
                }
                names = grown;
                cap *= 2;
            }
            names[(*n)++] = m;
        }
    }
    return names;
}

static void csv_row(jsonw *w, const study_def *sd, const store_trial *t, const char **cols,
                    size_t n_cols)
{
    jsonw_int(w, t->number);
    jsonw_raw(w, ",", 1);
    jsonw_lit(w, store_state_name(t->state));
    json_t *params = t->params ? json_loads(t->params, 0, NULL) : NULL;
    for (size_t j = 0; j < space_size(sd->sp); j++) {
        jsonw_raw(w, ",", 1);
        csv_value(w, json_object_get(params, space_param_name(sd->sp, j)));
    }
    json_decref(params);
    if (study_is_multi(sd)) {
        /* a column per objective, from the metrics */
        for (size_t j = 0; j < sd->n_objectives; j++) {
            jsonw_raw(w, ",", 1);
            for (size_t k = 0; k < t->n_metrics; k++)
                if (strcmp(t->metric_names[k], sd->objectives[j]) == 0) {
                    jsonw_double(w, t->metric_values[k]);
                    break;
                }
        }
    } else {
        jsonw_raw(w, ",", 1);
        if (t->has_objective)
            jsonw_double(w, t->objective);
    }
    for (size_t j = 0; j < n_cols; j++) {
        jsonw_raw(w, ",", 1);
        for (size_t k = 0; k < t->n_metrics; k++)
            if (strcmp(t->metric_names[k], cols[j]) == 0) {
                jsonw_double(w, t->metric_values[k]);
                break;
            }
    }
    jsonw_raw(w, ",", 1);
    if (t->model)
        csv_field(w, t->model);
    jsonw_raw(w, ",", 1);
    csv_time(w, t->created_at);
    jsonw_raw(w, ",", 1);
    csv_time(w, t->finished_at);
    jsonw_raw(w, "\n", 1);
}

void api_trials_csv(const study_def *sd, const store_trials *ts, api_response *res)
{
    size_t n_cols = 0;
    const char **cols = metric_columns(sd, ts, &n_cols);
    if (!cols) {
        api_reply_internal(res, "exporting trials", "out of memory");
        return;
    }
    jsonw w;
    jsonw_init(&w);
    jsonw_lit(&w, "number,state");
    for (size_t j = 0; j < space_size(sd->sp); j++) {
        jsonw_raw(&w, ",", 1);
        csv_field(&w, space_param_name(sd->sp, j));
    }
    for (size_t j = 0; j < sd->n_objectives; j++) {
        jsonw_raw(&w, ",", 1);
        csv_field(&w, sd->objectives[j]);
    }
    for (size_t j = 0; j < n_cols; j++) {
        jsonw_raw(&w, ",", 1);
        csv_field(&w, cols[j]);
    }
    jsonw_lit(&w, ",model,created_at,finished_at\n");
    for (size_t i = 0; i < ts->count; i++)
        csv_row(&w, sd, &ts->items[i], cols, n_cols);
    free(cols);
    size_t len = 0;
    char *txt = jsonw_finish(&w, &len);
    if (!txt) {
        api_reply_internal(res, "exporting trials", "out of memory");
        return;
    }
    api_response_clear(res);
    res->status = 200;
    res->text = txt;
    res->text_len = len;
    res->content_type = "text/csv; charset=utf-8";
}
