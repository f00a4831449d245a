/*
 * routes.c - the API's route table. Adding an endpoint is one row here and a
 * handler in an api_*.c file (and its entry in openapi.json).
 * Columns: method, pattern, handler, slow (runs on the suggestion threads),
 * public (no token needed).
 */
#include "server/router.h"

const router_route router_routes[] = {
    {"GET", "/healthz", api_healthz, 0, 1},
    {"GET", "/metrics", api_metrics, 0, 0},
    {"GET", "/v1/openapi.json", api_openapi, 0, 0},
    {"GET", "/v1/studies", api_study_list, 0, 0},
    {"POST", "/v1/studies", api_study_create, 0, 0},
    {"GET", "/v1/studies/{}", api_study_get, 0, 0},
    {"DELETE", "/v1/studies/{}", api_study_delete, 0, 0},
    {"PATCH", "/v1/studies/{}", api_study_patch, 0, 0},
    {"POST", "/v1/studies/{}/predict", api_trial_predict, 1, 0},
    {"GET", "/v1/studies/{}/best", api_study_best, 0, 0},
    {"GET", "/v1/studies/{}/importance", api_study_importance, 1, 0},
    {"GET", "/v1/studies/{}/structure", api_study_structure, 1, 0},
    {"PUT", "/v1/studies/{}/knowledge", api_study_knowledge, 0, 0},
    {"POST", "/v1/studies/{}/suggest", api_suggest, 1, 0},
    {"GET", "/v1/studies/{}/trials", api_trial_list, 0, 0},
    {"POST", "/v1/studies/{}/trials", api_trial_import, 0, 0},
    {"GET", "/v1/studies/{}/trials/{}", api_trial_get, 0, 0},
    {"POST", "/v1/studies/{}/trials/{}/complete", api_trial_complete, 0, 0},
    {"POST", "/v1/studies/{}/trials/{}/fail", api_trial_fail, 0, 0},
    {"POST", "/v1/studies/{}/trials/{}/heartbeat", api_trial_heartbeat, 0, 0},
    {"GET", "/v1/plugins", api_plugin_list, 0, 0},
    {"GET", "/v1/plugins/{}", api_plugin_get, 0, 0},
};
const size_t router_n_routes = sizeof router_routes / sizeof router_routes[0];
