/*
 * registry.h - per-study runtime state shared by the request threads: the
 * lock that serialises a study's suggestions (different studies proceed in
 * parallel) and the study's model state carried between suggestions: the
 * flat GP's bo_state, the BoGraph model's bograph_state (its learnt graph)
 * and the parsed expert knowledge.
 *
 * With a store (registry_use_store), locking a study also takes the store's
 * study lock, so replicas of the service sharing one PostgreSQL database
 * compute a study's suggestions one at a time. What an entry keeps is a
 * cache, never the truth: its history is brought up to date from the store
 * by seq before each use, and the whole entry (history, model state, cached
 * answers) is dropped when the study in the store is not the one it was
 * built from (another created_at) or its seq went back (the database was
 * replaced or restored), so a model state is only ever reused on a history
 * that extends the one it was fitted on.
 */
#ifndef BOGRAPH_SERVER_REGISTRY_H
#define BOGRAPH_SERVER_REGISTRY_H

#include <stdint.h>

#include "bo/suggest.h"
#include "store/store.h"
#include "structure/bograph.h"
#include "structure/knowledge.h"

typedef struct registry registry;
typedef struct registry_entry registry_entry;

registry *registry_new(void);
void registry_free(registry *r);
/* Makes registry_lock take st's study lock as well (cross-process). */
void registry_use_store(registry *r, store *st);

/* Locks the study's entry (creating it on first use), then the store's
 * study lock when there is a store, and returns it; NULL with err when out
 * of memory or when the store's lock cannot be had (the store's message:
 * the database does not answer). Release with registry_release. */
registry_entry *registry_lock(registry *r, int64_t study_id, char *err, size_t err_len);
void registry_release(registry *r, registry_entry *e);
/* The study's model state (created on first use; may be NULL when out of
 * memory). Only valid while the entry is locked. */
bo_state *registry_state(registry_entry *e);
/* The study's BoGraph state (the learnt graph, created on first use; NULL
 * when out of memory). Only valid while the entry is locked. */
bograph_state *registry_bograph_state(registry_entry *e);
/* The study's expert knowledge as the model's handle, parsed from the
 * stored JSON text (store_study.knowledge, NULL: none) and kept until the
 * text changes. 0 with *out set (NULL when there is no knowledge), or -1
 * with a message. The handle is only valid while the entry is locked. */
int registry_knowledge(registry_entry *e, const char *text, const knowledge **out, char *err,
                       size_t err_len);
/* The check of that handle against the study, cached with it until the
 * text changes: 1 passed, -1 failed (*why says why), 0 not checked yet;
 * registry_knowledge_set_checked records a result (why NULL: passed).
 * Locked entry only. */
int registry_knowledge_checked(registry_entry *e, const char **why);
void registry_knowledge_set_checked(registry_entry *e, const char *why);
/* The study's trial history as the engine sees it, kept in memory and
 * brought up to date from the store by seq (registry_history_refresh), so a
 * suggestion reads only the trials that changed since the last one. Only
 * valid while the entry is locked. Once a refresh asked for metrics, the
 * history keeps them (a history read without metrics is read again whole
 * the first time they are wanted). */
const store_trials *registry_history(registry_entry *e);
int registry_history_refresh(registry_entry *e, store *st, int64_t study_id, int with_metrics,
                             char *err, size_t err_len);
/* A per-study cache of a computed answer (e.g. the importance JSON) valid
 * for one history seq: registry_cache_get gives the text when it was stored
 * for seq, else NULL; registry_cache_set copies text. Locked entry only. */
const char *registry_cache_get(registry_entry *e, int64_t seq);
void registry_cache_set(registry_entry *e, int64_t seq, const char *text);
/* The seq the history was last brought up to. */
int64_t registry_history_seq(registry_entry *e);
/* Drops the model state of a deleted study (waits for a running suggestion). */
void registry_forget(registry *r, int64_t study_id);

#endif
