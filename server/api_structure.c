/*
 * api_structure.c - the BoGraph endpoints: GET /v1/studies/{id}/structure
 * (the graph parameters -> metrics -> objective learnt from the trials'
 * metrics, with the expert's edges) and PUT /v1/studies/{id}/knowledge
 * (replaces the expert knowledge; the next suggestion relearns with it),
 * and the study's knowledge as the model reads it.
 *
 * The graph comes from the study's bograph_state in the registry, for every
 * algorithm: a bograph study's suggestions learn and keep it there, and the
 * structure endpoint uses it when it is current (same knowledge, within the
 * relearn schedule) or learns it now and keeps it. A study of another
 * algorithm gets the same graph, learnt on demand from its trials' metrics
 * and kept the same way; its suggestions do not use it. With too few trials
 * that report metrics, the nodes are the parameters and the objective and
 * the edges the expert's, with learned_at_trial 0.
 */
#include "server/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine.h"
#include "util/util.h"

void api_study_model_knowledge(registry_entry *e, const store_study *s, const study_def *sd,
                               const knowledge **out, char *note, size_t note_len)
{
    char err[512] = "";
    const knowledge *kn = NULL;
    *out = NULL;
    if (registry_knowledge(e, s->knowledge, &kn, err, sizeof err) != 0) {
        util_err(note, note_len, "stored knowledge ignored: %s", err);
        return;
    }
    if (!kn)
        return;
    /* Knowledge is checked when it arrives; this catches knowledge stored
     * by an older version that did not check it. */
    size_t p = space_size(sd->sp);
    const char **names = calloc(p + 1, sizeof *names);
    if (!names) {
        util_err(note, note_len, "stored knowledge ignored: out of memory");
        return;
    }
    for (size_t j = 0; j < p; j++)
        names[j] = space_param_name(sd->sp, j);
    int rc = knowledge_validate(kn, NULL, 0, names, p, sd->objective, err, sizeof err);
    free(names);
    if (rc != 0) {
        util_err(note, note_len, "stored knowledge ignored: %s", err);
        return;
    }
    *out = kn;
}

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
    registry_entry *lock = study_id > 0 ? registry_lock(svc->reg, study_id) : NULL;
    store_study s;
    study_def sd;
    if (study_id > 0 && !lock) {
        api_reply_internal(res, "locking the study", "out of memory");
        return;
    }
    if (api_load_study(svc, req, res, &s, &sd) != 0)
        goto unlock;
    char err[512] = "", note[256] = "";
    /* the graph is learnt from the metrics, whatever the algorithm */
    if (registry_history_refresh(lock, svc->st, s.id, 1, err, sizeof err) != 0) {
        api_reply_internal(res, "reading trials", err);
        goto out;
    }
    engine_context ctx = {.bograph = registry_bograph_state(lock)};
    if (!ctx.bograph) {
        api_reply_internal(res, "structure", "out of memory");
        goto out;
    }
    api_study_model_knowledge(lock, &s, &sd, &ctx.kn, note, sizeof note);
    bograph_graph g;
    if (engine_structure(&sd, registry_history(lock), &ctx, &g, err, sizeof err) != 0) {
        api_reply_internal(res, "learning the structure", err);
        goto out;
    }
    json_t *o = graph_json(&g);
    bograph_graph_free(&g);
    if (o && note[0])
        json_object_set_new(o, "note", json_string(note));
    api_reply(res, 200, o);
out:
    study_def_free(&sd);
    store_study_clear(&s);
unlock:
    if (lock)
        registry_release(svc->reg, lock);
}

void api_study_knowledge(service *svc, const api_request *req, api_response *res)
{
    jv_error e;
    json_t *body = NULL, *norm = NULL;
    char *text = NULL;
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
    if (study_knowledge_validate(body, "knowledge", &norm, &e) != 0 ||
        study_knowledge_check(norm, sd.sp, sd.objective, "knowledge", &e) != 0) {
        api_reply_error(res, &e);
        goto out;
    }
    text = json_dumps(norm, JSON_COMPACT);
    if (!text) {
        api_reply_internal(res, "encoding the knowledge", "out of memory");
        goto out;
    }
    char err[512] = "";
    int rc = store_study_set_knowledge(svc->st, s.id, text, err, sizeof err);
    if (rc == STORE_NOT_FOUND) {
        api_reply_errorf(res, 404, "not_found", NULL, "study %lld was deleted", (long long)s.id);
        goto out;
    }
    if (rc != STORE_OK) {
        api_reply_internal(res, "storing the knowledge", err);
        goto out;
    }
    /* the answer shows what is stored now */
    free(s.knowledge);
    s.knowledge = text;
    text = NULL;
    api_reply(res, 200, api_study_json(svc, &s, &sd));
out:
    free(text);
    json_decref(norm);
    study_def_free(&sd);
    store_study_clear(&s);
    json_decref(body);
}
