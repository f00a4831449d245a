/*
 * api_predict.c - POST /v1/studies/{id}/predict: what the study's model
 * expects at one configuration ("params") or several ("params_list"),
 * validated as an import's parameters are.
 */
#include "server/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_MAX_PREDICT 1000

/* A study of several objectives: "objectives" maps each to its mean and sd,
 * "objective" is null. */
static json_t *prediction_multi_json(const engine_prediction *p, const study_def *sd,
                                     const char *model)
{
    json_t *objs = json_object();
    for (size_t j = 0; objs && j < sd->n_objectives; j++)
        if (json_object_set_new(objs, sd->objectives[j],
                                json_pack("{s:f, s:f}", "mean", p->obj_mean[j], "sd",
                                          p->obj_sd[j])) != 0) {
            json_decref(objs);
            objs = NULL;
        }
    return objs ? json_pack("{s:n, s:n, s:o, s:{}, s:s}", "objective", "objective_name",
                            "objectives", objs, "metrics", "model", model)
                : NULL;
}

static json_t *prediction_json(const engine_prediction *p, const study_def *sd,
                               const char *model)
{
    if (study_is_multi(sd))
        return prediction_multi_json(p, sd, model);
    const char *objective = sd->objective;
    json_t *metrics = json_object();
    for (size_t i = 0; metrics && i < p->n_nodes; i++)
        json_object_set_new(metrics, p->nodes[i].name,
                            json_pack("{s:f, s:f}", "mean", p->nodes[i].mean, "sd",
                                      p->nodes[i].sd));
    return json_pack("{s:{s:f, s:f}, s:s, s:o, s:s}", "objective", "mean", p->mean, "sd", p->sd,
                     "objective_name", objective, "metrics", metrics ? metrics : json_object(),
                     "model", model);
}

/* Parses params / params_list into m configurations (*configs, malloc'd). */
static int parse_configs(const study_def *sd, json_t *body, double **configs, size_t *m,
                         jv_error *e)
{
    static const char *const keys[] = {"params", "params_list", NULL};
    if (jv_only_keys(body, keys, "", e) != 0)
        return -1;
    json_t *one = json_object_get(body, "params"), *list = json_object_get(body, "params_list");
    if ((one != NULL) == (list != NULL))
        return jv_invalid(e, "params", "give params (one configuration) or params_list");
    if (list && (!json_is_array(list) || json_array_size(list) == 0 ||
                 json_array_size(list) > API_MAX_PREDICT))
        return jv_invalid(e, "params_list", "params_list must be an array of 1 to %d objects",
                          API_MAX_PREDICT);
    *m = list ? json_array_size(list) : 1;
    size_t d = space_size(sd->sp);
    *configs = calloc(*m * d + 1, sizeof **configs);
    if (!*configs)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    for (size_t i = 0; i < *m; i++) {
        char prefix[48];
        snprintf(prefix, sizeof prefix, list ? "params_list[%zu]" : "params", i);
        json_t *p = list ? json_array_get(list, i) : one;
        if (!json_is_object(p))
            return jv_invalid(e, prefix, "%s must be an object of parameter values", prefix);
        if (study_params_parse(sd, p, prefix, *configs + i * d, e) != 0)
            return -1;
    }
    return 0;
}

void api_trial_predict(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) != 0) {
        json_decref(body);
        return;
    }
    double *configs = NULL;
    size_t m = 0;
    engine_prediction *out = NULL;
    char model[32] = "";
    usecase_env env = api_env(svc);
    if (parse_configs(&sd, body, &configs, &m, &e) != 0) {
        api_reply_error(res, &e);
    } else if (!(out = calloc(m, sizeof *out))) {
        api_reply_internal(res, "predicting", "out of memory");
    } else if (usecase_predict(&env, s.id, configs, m, out, model, sizeof model, &e) != 0) {
        api_reply_error(res, &e);
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < m; i++)
            if (json_array_append_new(arr, prediction_json(&out[i], &sd, model)) != 0) {
                json_decref(arr);
                arr = NULL;
            }
        api_reply(res, 200, arr ? json_pack("{s:o}", "predictions", arr) : NULL);
    }
    free(out);
    free(configs);
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}
