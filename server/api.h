/*
 * api.h - what the API handlers share: the request and response they see
 * (independent of libmicrohttpd) and reply helpers. The service's parts they
 * reach are in service_internal.h. Handlers live in api_*.c and are listed
 * in routes.c.
 */
#ifndef BOGRAPH_SERVER_API_H
#define BOGRAPH_SERVER_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "server/jsonv.h"
#include "server/service_internal.h"
#include "store/store.h"

#define API_MAX_CAPTURES 4
/* Query arguments a request may carry; more is a 414 (server/http.c). */
#define API_MAX_QUERY 64

typedef struct {
    const char *method;
    const char *path;                         /* decoded, without the query */
    const char *captures[API_MAX_CAPTURES];   /* the {} parts of the route */
    const char *body;
    size_t body_len;
    size_t n_query;
    const char *query_keys[API_MAX_QUERY];
    const char *query_values[API_MAX_QUERY];  /* NULL when "?key" has no value */
} api_request;

typedef struct {
    int status;
    json_t *json;               /* JSON body (owned) */
    char *text;                 /* or a raw body (malloc'd, owned) */
    size_t text_len;
    int fd;                     /* or a file body (owned), -1 when none */
    size_t fd_size;
    const char *content_type;   /* for text/fd bodies (static string) */
    char allow[64];             /* Allow header of a 405 */
} api_response;

void api_response_init(api_response *r);
void api_response_clear(api_response *r);

/* Sets a JSON reply (takes the reference). */
void api_reply(api_response *r, int status, json_t *body);
void api_reply_error(api_response *r, const jv_error *e);
void api_reply_errorf(api_response *r, int status, const char *code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 500 with the store's message. */
void api_reply_internal(api_response *r, const char *what, const char *err);

/* The value of a query parameter; NULL when absent. present (may be NULL)
 * is set to 1 when the key appears, even without a value. */
const char *api_query(const api_request *req, const char *key, int *present);

/* Parses a {id} capture as a positive integer id; -1 when it is not one. */
int64_t api_parse_id(const char *s);

typedef void (*api_handler)(service *svc, const api_request *req, api_response *res);

/* Handlers (routes.c maps them). */
void api_healthz(service *svc, const api_request *req, api_response *res);
void api_metrics(service *svc, const api_request *req, api_response *res);
void api_openapi(service *svc, const api_request *req, api_response *res);
void api_study_create(service *svc, const api_request *req, api_response *res);
void api_study_list(service *svc, const api_request *req, api_response *res);
void api_study_get(service *svc, const api_request *req, api_response *res);
void api_study_delete(service *svc, const api_request *req, api_response *res);
void api_study_patch(service *svc, const api_request *req, api_response *res);
void api_trial_predict(service *svc, const api_request *req, api_response *res);
void api_study_best(service *svc, const api_request *req, api_response *res);
void api_study_importance(service *svc, const api_request *req, api_response *res);
void api_study_structure(service *svc, const api_request *req, api_response *res);
void api_study_knowledge(service *svc, const api_request *req, api_response *res);
void api_suggest(service *svc, const api_request *req, api_response *res);
void api_trial_list(service *svc, const api_request *req, api_response *res);
void api_trial_get(service *svc, const api_request *req, api_response *res);
void api_trial_import(service *svc, const api_request *req, api_response *res);
void api_trial_complete(service *svc, const api_request *req, api_response *res);
void api_trial_fail(service *svc, const api_request *req, api_response *res);
void api_trial_heartbeat(service *svc, const api_request *req, api_response *res);
void api_plugin_list(service *svc, const api_request *req, api_response *res);
void api_plugin_get(service *svc, const api_request *req, api_response *res);

/* Static dashboard files for GET under / (not /v1). */
void static_serve(service *svc, const char *path, api_response *res);

/* Shared by the study and trial handlers (api_common.c). */
#include "server/study.h"
#include "server/usecase.h"
/* What the use cases work on, from the service. */
static inline usecase_env api_env(service *svc)
{
    return (usecase_env){.st = svc->st, .reg = svc->reg, .stats = svc->stats};
}
/* Sets the reply of a use case's trial (takes it: cleared here). sd (may be
 * NULL) is its study, for the objectives of a study of several. */
void api_reply_trial(api_response *res, int status, store_trial *t, const study_def *sd,
                     int with_logs);
/* Loads study {id} (captures[0]) and its definition; on failure the reply is
 * set (404/500) and -1 returned. */
int api_load_study(service *svc, const api_request *req, api_response *res, store_study *st,
                   study_def *sd);
/* The study object of the API. New reference, NULL when out of memory. */
json_t *api_study_json(service *svc, const store_study *s, const study_def *sd);
/* The trial object of the API. New reference. For a study sd of several
 * objectives it has "objectives" (name -> value from its metrics, or null
 * while it lacks one); sd NULL (a suggestion's new trials, which have no
 * result yet) leaves that member out. */
json_t *api_trial_json(const store_trial *t, const study_def *sd, int with_logs);
/* The same object written as text (the one definition of a trial's JSON). */
#include "server/jsonw.h"
void api_trial_write(jsonw *w, const store_trial *t, const study_def *sd, int with_logs);
/* Replies with the trials as CSV (api_export.c). */
void api_trials_csv(const study_def *sd, const store_trials *ts, api_response *res);

#endif
