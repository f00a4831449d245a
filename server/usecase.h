/*
 * usecase.h - the use cases of a study, without HTTP: what a handler calls
 * once it has parsed a request, and what it renders afterwards. Suggest
 * (budget, default first, pending points, seed mixing), finish a trial
 * (complete, fail, infeasible), import, heartbeat, importance, the expert
 * knowledge and the graph. Only the use cases and the engine adapter
 * (engine.c) reach into bo/ and structure/.
 *
 * Errors are the API's (jv_error: status, code, message, field), so a
 * handler renders them as they are: 404 not_found, 409 conflict, 400
 * invalid_argument, 500 internal with "<what>: <message>".
 */
#ifndef BOGRAPH_SERVER_USECASE_H
#define BOGRAPH_SERVER_USECASE_H

#include <stddef.h>
#include <stdint.h>

#include "server/jsonv.h"
#include "server/engine.h"
#include "server/registry.h"
#include "server/stats.h"
#include "server/study.h"
#include "store/store.h"
#include "structure/bograph.h"
#include "structure/knowledge.h"

/* What the use cases work on; borrowed, st and reg not NULL. */
typedef struct {
    store *st;
    registry *reg;
    stats *stats;       /* model figures for /metrics; may be NULL */
} usecase_env;

/* 500 internal "<what>: <err>" (err "" or NULL: "failed"); returns -1. */
int usecase_fail_internal(jv_error *e, const char *what, const char *err);

/* Loads study id and its definition: 404 "no study <id>", 500 otherwise.
 * On success the caller frees both (store_study_clear, study_def_free). */
int usecase_study_load(const usecase_env *env, int64_t id, store_study *s, study_def *sd,
                       jv_error *e);

/* The budget rule, one for suggest, completions, imports and PATCH: the
 * budget counts trials started, whatever became of them (an expired trial
 * too: its result may still arrive, late). */
int64_t usecase_budget_started(const int64_t c[TRIAL_N_STATES]);
/* 1 when budget (>= 0; -1 is unlimited, never spent) is spent: the trials
 * started but not active reach it, so with no more started than the budget,
 * budget trials started and none of them is active. */
int usecase_budget_spent(int64_t budget, const int64_t c[TRIAL_N_STATES]);

/* Marks the study done when its budget is spent (usecase_budget_spent). */
void usecase_budget_update(const usecase_env *env, const store_study *s, const study_def *sd);

/* ---- changing a study (usecase_patch.c) ---- */

/* What PATCH /v1/studies/{id} changes; a field not given stays. */
typedef struct {
    int has_budget;
    int64_t budget;             /* -1: unlimited */
    const char *name;           /* NULL: unchanged */
    const char *state;          /* "active", "done" or NULL (then "done" exactly when a new
                                 * budget is spent, usecase_budget_spent, "active"
                                 * otherwise) */
    int has_notes;              /* notes given: a string, or null to clear them */
    const char *notes;          /* NULL with has_notes: cleared */
} usecase_patch;

/* Applies p to study id under its lock: 400 (field budget) for a budget
 * below the trials already started (every state, expired included),
 * 409 when the name is another study's, 404, 500. */
int usecase_study_patch(const usecase_env *env, int64_t id, const usecase_patch *p, jv_error *e);

/* ---- the best trial, deleting a study (usecase_best.c) ---- */

/* The study's best trial and the one that ran its default, as stored; for
 * a study of several objectives, its Pareto set instead of a best. */
typedef struct {
    store_trial best, def;
    int has_best, has_default;  /* 0: none (then the trial is not set) */
    store_trial *pareto;        /* several objectives: the Pareto set, in trial order */
    size_t n_pareto;
} usecase_best;

void usecase_best_free(usecase_best *b);
/* The best trial (completed, meeting the constraints) and the default's
 * trial of the study; for a study of several objectives, no best but the
 * Pareto set: exactly the completed trials that meet the constraints and
 * that no other such trial dominates (equal ones dominate none of each
 * other). 500 on a store error. */
int usecase_best_trials(const usecase_env *env, const store_study *s, const study_def *sd,
                        usecase_best *out, jv_error *e);

/* Deletes study id and drops its model state. 404 "no study '<as_given>'"
 * (as_given: the id as the request spelt it; id < 0 when it is not one), 500. */
int usecase_study_delete(const usecase_env *env, int64_t id, const char *as_given, jv_error *e);

/* ---- suggest (usecase_suggest.c) ---- */

/* Most trials one suggest leases (docs/api.md): each costs an acquisition
 * maximisation on a suggestion thread. */
#define USECASE_MAX_COUNT 100
/* The retry hint of an answer with no trials that is not done: this many
 * seconds, or the study's lease_seconds (rounded up) when shorter. */
#define USECASE_RETRY_SECONDS 2

/* Trials handed to a worker: first its own active ones, then new ones (as
 * stored). Free with usecase_suggestion_free. */
typedef struct {
    store_trial *trials;
    size_t count;
    int done;               /* the budget is spent */
    /* > 0 when there are no trials and the study is not done (the rest of
     * the budget, or every configuration of a small space, is leased to
     * others): seconds to wait before asking again; 0 otherwise */
    int retry_after_seconds;
} usecase_suggestion;

void usecase_suggestion_free(usecase_suggestion *s);

/* Leases up to count (1..USECASE_MAX_COUNT) trials of study study_id to
 * worker (may be NULL): the worker's own active trials first, then new
 * points within the budget (which counts every trial started, expired ones
 * too), the study's default configuration first until a live trial runs
 * it, distinct from the pending ones; fewer when a finite space has fewer
 * configurations that no active trial runs. When the model cannot answer,
 * the points come from the study's Sobol sequence and say why. Takes the
 * study's lock. 0, or -1 with e (404 no study / deleted, 500). */
int usecase_suggest(const usecase_env *env, int64_t study_id, size_t count, const char *worker,
                    usecase_suggestion *out, jv_error *e);

/* ---- finishing a trial (usecase_complete.c) ---- */

/* A completed result of sd must carry every objective of a study of several
 * among its metrics (and no objective of its own): 0, or a 400 naming the
 * missing one. Other results pass. */
int usecase_result_check(const study_def *sd, const store_result *r, jv_error *e);

/* Stores the result of trial tid (completed, failed or infeasible;
 * idempotent when repeated with the same result; usecase_result_check
 * first: a 400 stores nothing), updates the budget and
 * gives the trial as stored (*out, store_trial_clear). 404, 409 when it
 * finished differently, 500 ("<what>: ..."). */
int usecase_trial_finish(const usecase_env *env, const store_study *s, const study_def *sd,
                         int64_t tid, const store_result *r, const char *what, store_trial *out,
                         jv_error *e);

/* The trial as stored (with its logs when asked): 404, 500. */
int usecase_trial_get(const usecase_env *env, int64_t study_id, int64_t tid, int with_logs,
                      store_trial *out, jv_error *e);

/* ---- heartbeat (usecase_heartbeat.c) ---- */

/* Extends trial tid's lease by the study's lease_seconds from now: 404, 409
 * when it is not active (finished, or its lease expired), 500. */
int usecase_heartbeat(const usecase_env *env, const store_study *s, const study_def *sd,
                      int64_t tid, store_trial *out, jv_error *e);

/* ---- import (usecase_import.c) ---- */

/* Stores a finished trial run elsewhere at config (space_size() values, in
 * the space); it counts as the default when it is the default. 404 when the
 * study was deleted, 500. *out is the trial as stored. */
int usecase_import(const usecase_env *env, const store_study *s, const study_def *sd,
                   const double *config, const char *worker, const store_result *r,
                   store_trial *out, jv_error *e);

/* One trial of a bulk import. */
typedef struct {
    const double *config;       /* space_size() values, in the space */
    const char *worker;         /* may be NULL */
    const store_result *r;
    const char *key;            /* idempotency key, may be NULL */
} usecase_import_item;

/* Stores n finished trials in one transaction (all or none: one item
 * failing usecase_result_check is a 400 and stores nothing); an item whose
 * key the study already holds is not stored again. out gets the n trials as
 * stored, in order (store_trials_free); *n_new (may be NULL) how many were
 * new. 404 when the study was deleted, 500. */
int usecase_import_many(const usecase_env *env, const store_study *s, const study_def *sd,
                        const usecase_import_item *items, size_t n, store_trials *out,
                        size_t *n_new, jv_error *e);

/* ---- predictions (usecase_predict.c) ---- */

/* The study's model at m configurations (m x space_size() raw values, in
 * the space): out[i] as engine_predict gives it, model the model's name.
 * Takes the study's lock. 404, 409 while no model can be fitted (too few
 * trials), 500. */
int usecase_predict(const usecase_env *env, int64_t study_id, const double *configs, size_t m,
                    engine_prediction *out, char *model, size_t model_len, jv_error *e);

/* ---- importance (usecase_importance.c) ---- */

#define USECASE_IMPORTANCE_MIN 5

/* The parameters by importance, largest first; names point into the study. */
typedef struct {
    size_t at_trial;            /* completed trials the GP was fitted to */
    size_t n;                   /* parameters */
    const char **names;
    double *values;             /* normalised to sum 1 */
} usecase_importance;

/* Renders an importance as the answer's text (malloc'd, NULL when out of memory). */
typedef char *(*usecase_importance_render)(const usecase_importance *imp);

/* Model-based parameter importance of study study_id as text made by
 * render, cached per study until a trial changes. Takes the study's lock.
 * *text is malloc'd. 404 while fewer than USECASE_IMPORTANCE_MIN trials
 * completed, 500. */
int usecase_importance_text(const usecase_env *env, int64_t study_id,
                            usecase_importance_render render, char **text, jv_error *e);

/* ---- expert knowledge and the graph (usecase_knowledge.c) ---- */

/* The study's expert knowledge as the model reads it, cached in its
 * registry entry (locked by the caller): *out is NULL when there is none,
 * or when the stored knowledge cannot be used (then note says why). */
void usecase_model_knowledge(registry_entry *e, const store_study *s, const study_def *sd,
                             const knowledge **out, char *note, size_t note_len);

/* Replaces the study's expert knowledge with k (a request's JSON object):
 * 400 when it is malformed or does not fit the study, 404 when the study was
 * deleted, 500. s->knowledge then holds the stored text. */
/* Checks knowledge k as usecase_knowledge_put does (the same 400s) without
 * storing it; *norm (the caller frees it) is what would be stored. */
int usecase_knowledge_check(const study_def *sd, json_t *k, json_t **norm, jv_error *e);

int usecase_knowledge_put(const usecase_env *env, store_study *s, const study_def *sd, json_t *k,
                          jv_error *e);

/* The BoGraph graph of study study_id, for any algorithm (bograph_graph_free).
 * note says why the stored knowledge was ignored ("" when it was not). Takes
 * the study's lock. */
int usecase_structure(const usecase_env *env, int64_t study_id, bograph_graph *out, char *note,
                      size_t note_len, jv_error *e);

#endif
