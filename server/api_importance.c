/*
 * api_importance.c - GET /v1/studies/{id}/importance: model-based parameter
 * importance for the dashboard (usecase_importance.c fits the GP and caches
 * the answer), rendered here. 404 while fewer than USECASE_IMPORTANCE_MIN
 * completed trials exist (the dashboard then ranks parameters itself).
 */
#include "server/api.h"

#include <string.h>

#include "server/jsonw.h"


static const char importance_description[] =
    "1 / length-scale of a GP with an ARD Matern-5/2 kernel fitted to the completed trials, "
    "summed over a categorical's one-hot coordinates, normalised to sum 1";

/* The answer's text of an importance (a usecase_importance_render). */
static char *importance_render(const usecase_importance *imp)
{
    jsonw w;
    jsonw_init(&w);
    jsonw_lit(&w, "{\"method\":\"gp-ard-lengthscale\",\"description\":");
    jsonw_str(&w, importance_description);
    jsonw_lit(&w, ",\"at_trial\":");
    jsonw_int(&w, (int64_t)imp->at_trial);
    jsonw_lit(&w, ",\"importance\":[");
    for (size_t r = 0; r < imp->n; r++) {
        jsonw_lit(&w, r ? ",{\"name\":" : "{\"name\":");
        jsonw_str(&w, imp->names[r]);
        jsonw_lit(&w, ",\"value\":");
        jsonw_double(&w, imp->values[r]);
        jsonw_lit(&w, "}");
    }
    jsonw_lit(&w, "]}\n");
    return jsonw_finish(&w, NULL);
}

void api_study_importance(service *svc, const api_request *req, api_response *res)
{
    int64_t study_id = api_parse_id(req->captures[0]);
    if (study_id < 0) {
        api_reply_errorf(res, 404, "not_found", NULL, "no study '%s'", req->captures[0]);
        return;
    }
    usecase_env env = api_env(svc);
    jv_error e;
    char *txt = NULL;
    if (usecase_importance_text(&env, study_id, importance_render, &txt, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    api_response_clear(res);
    res->status = 200;
    res->text = txt;
    res->text_len = strlen(txt);
    res->content_type = "application/json";
}
