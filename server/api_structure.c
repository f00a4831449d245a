/*
 * api_structure.c - the BoGraph endpoints: GET /v1/studies/{id}/structure
 * (the graph parameters -> metrics -> objective learnt from the trials'
 * metrics, with the expert's edges; usecase_structure) and PUT
 * /v1/studies/{id}/knowledge (replaces the expert knowledge; the next
 * suggestion relearns with it; usecase_knowledge_put).
 */
#include "server/api.h"

#include <math.h>

static json_t *graph_json(const bograph_graph *g)
{
    json_t *nodes = json_array(), *edges = json_array();
    json_t *o = json_pack("{s:o, s:o, s:I, s:s}", "nodes", nodes, "edges", edges,
                          "learned_at_trial", (json_int_t)g->learned_at_trial, "algorithm",
                          g->algorithm[0] ? g->algorithm : "notears");
    if (!o)
        return NULL;
    for (size_t i = 0; i < g->n_nodes; i++) {
        json_t *n = json_pack("{s:s, s:s}", "name", g->nodes[i].name ? g->nodes[i].name : "",
                              "kind", bograph_node_kind_name(g->nodes[i].kind));
        if (!n || json_array_append_new(nodes, n) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    for (size_t i = 0; i < g->n_edges; i++) {
        const bograph_edge *ed = &g->edges[i];
        if (ed->from >= g->n_nodes || ed->to >= g->n_nodes)
            continue;
        json_t *w = isfinite(ed->weight) ? json_real(ed->weight) : json_null();
        json_t *x = json_pack("{s:s, s:s, s:o, s:s}", "from", g->nodes[ed->from].name, "to",
                              g->nodes[ed->to].name, "weight", w, "source",
                              bograph_edge_source_name(ed->source));
        if (!x || json_array_append_new(edges, x) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

void api_study_structure(service *svc, const api_request *req, api_response *res)
{
    int64_t study_id = api_parse_id(req->captures[0]);
    if (study_id < 0) {
        api_reply_errorf(res, 404, "not_found", NULL, "no study '%s'", req->captures[0]);
        return;
    }
    usecase_env env = api_env(svc);
    jv_error e;
    char note[256] = "";
    bograph_graph g;
    if (usecase_structure(&env, study_id, &g, note, sizeof note, &e) != 0) {
        api_reply_error(res, &e);
        return;
    }
    json_t *o = graph_json(&g);
    bograph_graph_free(&g);
    if (o && note[0])
        json_object_set_new(o, "note", json_string(note));
    api_reply(res, 200, o);
}

/* ?dry_run=true (or 1, or bare ?dry_run): 1; false/0 or absent: 0; else -1. */
static int dry_run_query(const api_request *req)
{
    int present = 0;
    const char *v = api_query(req, "dry_run", &present);
    if (!present || (v && (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)))
        return 0;
    if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        return 1;
    return -1;
}

/* PUT .../knowledge?dry_run=true: the same checks and 400s, nothing stored;
 * 200 {"valid": true, "knowledge": what would be stored}. */
static void knowledge_dry_run(const study_def *sd, json_t *body, api_response *res)
{
    jv_error e;
    json_t *norm = NULL;
    if (usecase_knowledge_check(sd, body, &norm, &e) != 0)
        api_reply_error(res, &e);
    else
        api_reply(res, 200, json_pack("{s:b, s:o}", "valid", 1, "knowledge", norm));
}

void api_study_knowledge(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL;
    int dry = dry_run_query(req);
    if (dry < 0) {
        api_reply_errorf(res, 400, "invalid_argument", "dry_run", "dry_run must be true or false");
        return;
    }
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
    usecase_env env = api_env(svc);
    if (dry)
        knowledge_dry_run(&sd, body, res);
    else if (usecase_knowledge_put(&env, &s, &sd, body, &e) != 0)
        api_reply_error(res, &e);
    else /* the answer shows what is stored now */
        api_reply(res, 200, api_study_json(svc, &s, &sd));
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}
