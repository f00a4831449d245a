/*
 * api_studies.c - study endpoints: create (with the plugin hook), list, get,
 * delete, and the best trial under the study's constraints.
 */
#include "server/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BOGRAPH_HAVE_LOGS
#include "logs/logs.h"
#endif
#include "util/util.h"

/* Runs the plugin hook for a body naming a plugin. 0 to go on; -1 with the
 * reply set. */
static int apply_plugin(service *svc, json_t *body, api_response *res)
{
    json_t *p = json_object_get(body, "plugin");
    if (!p || json_is_null(p))
        return 0;
    if (!json_is_string(p) || json_string_length(p) == 0) {
        api_reply_errorf(res, 400, "invalid_argument", "plugin", "plugin must be a non-empty string");
        return -1;
    }
    const char *name = json_string_value(p);
    if (!svc->opts.plugin_hook) {
        if (!json_object_get(body, "parameters") ||
            (!json_object_get(body, "objective") && !json_object_get(body, "objectives"))) {
            api_reply_errorf(res, 404, "not_found", "plugin",
                             "no plugin '%s' (this service has no plugins: give parameters and "
                             "objective)",
                             name);
            return -1;
        }
        return 0;
    }
    char err[512] = "";
    int rc = svc->opts.plugin_hook(svc->opts.plugin_hook_user, name, body, err, sizeof err);
    if (rc == 1) {
        api_reply_errorf(res, 404, "not_found", "plugin", "no plugin '%s'", name);
        return -1;
    }
    if (rc != 0) {
        api_reply_errorf(res, 400, "invalid_argument", "plugin", "plugin '%s': %s", name,
                         err[0] ? err : "failed");
        return -1;
    }
    return 0;
}

/* Replies with the study object of id. */
static void reply_study(service *svc, int64_t id, int status, api_response *res)
{
    char err[512] = "";
    store_study s;
    study_def sd;
    int rc = store_study_get(svc->st, id, &s, err, sizeof err);
    if (rc == STORE_NOT_FOUND) {
        api_reply_errorf(res, 404, "not_found", NULL, "no study %lld", (long long)id);
        return;
    }
    if (rc != STORE_OK) {
        api_reply_internal(res, "reading the study", err);
        return;
    }
    if (study_def_load(s.spec, &sd, err, sizeof err) != 0) {
        store_study_clear(&s);
        api_reply_internal(res, "loading the study", err);
        return;
    }
    api_reply(res, status, api_study_json(svc, &s, &sd));
    study_def_free(&sd);
    store_study_clear(&s);
}

void api_study_create(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL, *spec = NULL, *knowledge = NULL;
    char *spec_text = NULL, *knowledge_text = NULL;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    if (apply_plugin(svc, body, res) != 0)
        goto out;
    if (study_validate(body, &spec, &knowledge, &e) != 0) {
        api_reply_error(res, &e);
        goto out;
    }
    const char *log_format = json_string_value(json_object_get(spec, "log_format"));
#ifdef BOGRAPH_HAVE_LOGS
    if (log_format && !logs_format_known(log_format)) {
        api_reply_errorf(res, 400, "invalid_argument", "log_format", "unknown log format '%s'",
                         log_format);
        goto out;
    }
#else
    (void)log_format;
#endif
    const char *if_exists = json_string_value(json_object_get(body, "if_exists"));
    spec_text = json_dumps(spec, JSON_COMPACT);
    knowledge_text = knowledge ? json_dumps(knowledge, JSON_COMPACT) : NULL;
    if (!spec_text || (knowledge && !knowledge_text)) {
        api_reply_internal(res, "encoding the study", "out of memory");
        goto out;
    }
    char err[512] = "";
    int64_t id = 0;
    const char *name = json_string_value(json_object_get(spec, "name"));
    int rc = store_study_create(svc->st, name, spec_text,
                                json_string_value(json_object_get(spec, "plugin")), knowledge_text,
                                util_now(), &id, err, sizeof err);
    if (rc == STORE_CONFLICT) {
        if (if_exists && strcmp(if_exists, "return") == 0)
            reply_study(svc, id, 200, res);
        else
            api_reply_errorf(res, 409, "conflict", "name",
                             "a study named '%s' exists (id %lld); if_exists: \"return\" returns it",
                             name, (long long)id);
        goto out;
    }
    if (rc != STORE_OK) {
        api_reply_internal(res, "creating the study", err);
        goto out;
    }
    reply_study(svc, id, 201, res);
out:
    free(spec_text);
    free(knowledge_text);
    json_decref(spec);
    json_decref(knowledge);
    json_decref(body);
}

void api_study_list(service *svc, const api_request *req, api_response *res)
{
    (void)req;
    char err[512] = "";
    store_study *items = NULL;
    size_t n = 0;
    if (store_study_list(svc->st, &items, &n, err, sizeof err) != STORE_OK) {
        api_reply_internal(res, "listing studies", err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n && arr; i++) {
        study_def sd;
        if (study_def_load(items[i].spec, &sd, err, sizeof err) == 0) {
            json_t *o = api_study_json(svc, &items[i], &sd);
            if (o)
                json_array_append_new(arr, o);
            study_def_free(&sd);
        }
    }
    for (size_t i = 0; i < n; i++)
        store_study_clear(&items[i]);
    free(items);
    api_reply(res, 200, arr ? json_pack("{s:o}", "studies", arr) : NULL);
}

void api_study_get(service *svc, const api_request *req, api_response *res)
{
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        return;
    api_reply(res, 200, api_study_json(svc, &s, &sd));
    study_def_free(&sd);
    store_study_clear(&s);
}

void api_study_delete(service *svc, const api_request *req, api_response *res)
{
    usecase_env env = api_env(svc);
    jv_error e;
    if (usecase_study_delete(&env, api_parse_id(req->captures[0]), req->captures[0], &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    api_reply(res, 200, json_pack("{s:s, s:b}", "id", req->captures[0], "deleted", 1));
}

/* The trial's JSON, or JSON null when there is none. */
static json_t *trial_or_null(const store_trial *t, const study_def *sd, int has)
{
    return has ? api_trial_json(t, sd, 0) : json_null();
}

/* {"pareto": [...], "default": ...} of a study of several objectives. */
static json_t *pareto_json(const usecase_best *b, const study_def *sd)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < b->n_pareto; i++)
        if (json_array_append_new(arr, api_trial_json(&b->pareto[i], sd, 0)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    return arr ? json_pack("{s:o, s:o}", "pareto", arr, "default",
                           trial_or_null(&b->def, sd, b->has_default))
               : NULL;
}

void api_study_best(service *svc, const api_request *req, api_response *res)
{
    store_study s;
    study_def sd;
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        return;
    usecase_env env = api_env(svc);
    jv_error e;
    usecase_best b;
    if (usecase_best_trials(&env, &s, &sd, &b, &e) != 0) {
        api_reply_error(res, &e);
    } else if (study_is_multi(&sd)) {
        api_reply(res, 200, pareto_json(&b, &sd));
        usecase_best_free(&b);
    } else {
        api_reply(res, 200, json_pack("{s:o, s:o}", "best", trial_or_null(&b.best, &sd, b.has_best),
                                      "default", trial_or_null(&b.def, &sd, b.has_default)));
        usecase_best_free(&b);
    }
    study_def_free(&sd);
    store_study_clear(&s);
}

/* The study's notes: free text for the people who run it (the dashboard's
 * notes field), a string of at most API_NOTES_MAX bytes, or null to clear. */
#define API_NOTES_MAX 20000

static int api_patch_notes(json_t *body, usecase_patch *p, jv_error *e)
{
    json_t *n = json_object_get(body, "notes");
    p->has_notes = n != NULL;
    if (!n || json_is_null(n))
        return 0;
    if (!json_is_string(n))
        return jv_invalid(e, "notes", "notes must be a string or null");
    if (json_string_length(n) > API_NOTES_MAX)
        return jv_invalid(e, "notes", "notes are longer than %d bytes", API_NOTES_MAX);
    p->notes = json_string_value(n);
    return 0;
}

void api_study_patch(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object(req->body, req->body_len, 0, &body, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    static const char *const keys[] = {"budget", "name", "state", "notes", NULL};
    usecase_patch p = {0};
    json_t *jb = json_object_get(body, "budget");
    p.has_budget = jb != NULL;
    p.budget = -1;
    if (jv_only_keys(body, keys, "", &e) != 0 ||
        (jb && !json_is_null(jb) &&
         jv_get_int(body, "budget", "", 1, 1, 1000000000, &p.budget, NULL, &e) != 0) ||
        jv_get_string(body, "name", "", 0, 1, &p.name, NULL, &e) != 0 ||
        jv_get_string(body, "state", "", 0, 1, &p.state, NULL, &e) != 0 ||
        api_patch_notes(body, &p, &e) != 0) {
        api_reply_error(res, &e);
    } else if (p.name && strlen(p.name) > 200) {
        api_reply_errorf(res, 400, "invalid_argument", "name", "name is longer than 200 characters");
    } else if (p.state && strcmp(p.state, "active") != 0 && strcmp(p.state, "done") != 0) {
        api_reply_errorf(res, 400, "invalid_argument", "state", "state must be active or done");
    } else {
        int64_t id = api_parse_id(req->captures[0]);
        usecase_env env = api_env(svc);
        if (id < 0)
            api_reply_errorf(res, 404, "not_found", NULL, "no study '%s'", req->captures[0]);
        else if (usecase_study_patch(&env, id, &p, &e) != 0)
            api_reply_error(res, &e);
        else
            reply_study(svc, id, 200, res);
    }
    json_decref(body);
}
