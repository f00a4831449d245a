/*
 * registry.c - a small table of per-study locks and model states, guarded by
 * one mutex that is only held to find an entry, never during a suggestion.
 * An entry's in-process mutex comes first, then the store's study lock (one
 * connection per study waiting, not one per request).
 */
#include "server/registry.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/study.h"
#include "util/util.h"

struct registry_entry {
    int64_t study_id;
    pthread_mutex_t mu;     /* held for the whole suggestion */
    bo_state *state;
    bograph_state *bograph;
    knowledge *kn;          /* parsed from kn_text, NULL when it failed */
    char *kn_text;
    char *kn_error;         /* why kn_text could not be parsed */
    int kn_checked;         /* registry_knowledge_checked */
    char *kn_check_error;
    store_trials history;   /* by id */
    int64_t history_seq;
    int history_metrics;    /* the history carries the trials' metrics */
    char *cache;            /* registry_cache_* */
    int64_t cache_seq;
    double study_created_at; /* of the study the history was read from (0: none yet) */
    store_lock *db_lock;    /* the store's study lock while locked */
    int users;              /* holders and waiters; the entry stays while > 0 */
    struct registry_entry *next;
};

struct registry {
    pthread_mutex_t mu;
    registry_entry *head;
    store *st;              /* NULL: in-process locks only */
};

/* Drops everything the entry holds but its lock. */
static void entry_clear(registry_entry *e)
{
    bo_state_free(e->state);
    e->state = NULL;
    bograph_state_free(e->bograph);
    e->bograph = NULL;
    knowledge_free(e->kn);
    e->kn = NULL;
    free(e->kn_text);
    e->kn_text = NULL;
    free(e->kn_error);
    e->kn_error = NULL;
    e->kn_checked = 0;
    free(e->kn_check_error);
    e->kn_check_error = NULL;
    store_trials_free(&e->history);
    e->history_seq = 0;
    e->history_metrics = 0;
    free(e->cache);
    e->cache = NULL;
    e->study_created_at = 0;
}

registry *registry_new(void)
{
    registry *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

void registry_use_store(registry *r, store *st)
{
    assert(r);
    r->st = st;
}

void registry_free(registry *r)
{
    if (!r)
        return;
    registry_entry *e = r->head;
    while (e) {
        registry_entry *next = e->next;
        entry_clear(e);
        pthread_mutex_destroy(&e->mu);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
}

registry_entry *registry_lock(registry *r, int64_t study_id, char *err, size_t err_len)
{
    assert(r);
    pthread_mutex_lock(&r->mu);
    registry_entry *e = r->head;
    while (e && e->study_id != study_id)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) {
            pthread_mutex_unlock(&r->mu);
            util_err(err, err_len, "out of memory");
            return NULL;
        }
        e->study_id = study_id;
        pthread_mutex_init(&e->mu, NULL);
        e->next = r->head;
        r->head = e;
    }
    e->users++;
    pthread_mutex_unlock(&r->mu);
    pthread_mutex_lock(&e->mu);
    if (r->st && store_study_lock(r->st, study_id, &e->db_lock, err, err_len) != STORE_OK) {
        e->db_lock = NULL;
        registry_release(r, e);
        return NULL;
    }
    return e;
}

void registry_release(registry *r, registry_entry *e)
{
    assert(r && e);
    if (e->db_lock) {
        store_study_unlock(r->st, e->db_lock);
        e->db_lock = NULL;
    }
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_lock(&r->mu);
    e->users--;
    pthread_mutex_unlock(&r->mu);
}

bo_state *registry_state(registry_entry *e)
{
    assert(e);
    if (!e->state)
        e->state = bo_state_new();
    return e->state;
}

bograph_state *registry_bograph_state(registry_entry *e)
{
    assert(e);
    if (!e->bograph)
        e->bograph = bograph_state_new();
    return e->bograph;
}

int registry_knowledge(registry_entry *e, const char *text, const knowledge **out, char *err,
                       size_t err_len)
{
    assert(e && out);
    *out = NULL;
    if (!text)
        return 0;
    if (e->kn_text && strcmp(e->kn_text, text) == 0) {
        /* parsed before (a failure too: not parsed again on every call) */
        *out = e->kn;
        return e->kn ? 0 : util_err(err, err_len, "%s", e->kn_error ? e->kn_error : "unusable");
    }
    char *copy = strdup(text);
    if (!copy)
        return util_err(err, err_len, "out of memory");
    char kerr[300] = "";
    knowledge *kn = NULL;
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j) {
        snprintf(kerr, sizeof kerr, "stored knowledge is not JSON: %s", jerr.text);
    } else {
        char sub[256] = "";
        kn = study_knowledge_build(j, sub, sizeof sub);
        json_decref(j);
        if (!kn)
            snprintf(kerr, sizeof kerr, "stored knowledge: %s", sub);
    }
    knowledge_free(e->kn);
    free(e->kn_text);
    free(e->kn_error);
    free(e->kn_check_error);
    e->kn_check_error = NULL;
    e->kn_checked = 0;
    e->kn = kn;
    e->kn_text = copy;
    e->kn_error = kn ? NULL : strdup(kerr);
    *out = kn;
    return kn ? 0 : util_err(err, err_len, "%s", kerr);
}

int registry_knowledge_checked(registry_entry *e, const char **why)
{
    assert(e && why);
    *why = e->kn_check_error ? e->kn_check_error : "unusable";
    return e->kn_checked;
}

void registry_knowledge_set_checked(registry_entry *e, const char *why)
{
    assert(e);
    free(e->kn_check_error);
    e->kn_check_error = why ? strdup(why) : NULL;
    e->kn_checked = why ? -1 : 1;
}

void registry_forget(registry *r, int64_t study_id)
{
    registry_entry *e = registry_lock(r, study_id, NULL, 0);
    if (!e)
        return;
    entry_clear(e);
    if (e->db_lock) {
        store_study_unlock(r->st, e->db_lock);
        e->db_lock = NULL;
    }
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_lock(&r->mu);
    e->users--;
    if (e->users == 0) {
        registry_entry **pp = &r->head;
        while (*pp && *pp != e)
            pp = &(*pp)->next;
        if (*pp)
            *pp = e->next;
        pthread_mutex_destroy(&e->mu);
        free(e);
    }
    pthread_mutex_unlock(&r->mu);
}

const store_trials *registry_history(registry_entry *e)
{
    assert(e);
    return &e->history;
}

static store_trial *find_by_id(store_trials *h, int64_t id)
{
    size_t lo = 0, hi = h->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->items[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < h->count && h->items[lo].id == id ? &h->items[lo] : NULL;
}

/* Whether the entry still describes the study in the store: drops it all
 * when not (another study, or a seq that went back); *current set when the
 * store has no change past the history. */
static int history_check(registry_entry *e, store *st, int64_t study_id, int *current,
                         char *err, size_t err_len)
{
    store_study s;
    *current = 0;
    int rc = store_study_get(st, study_id, &s, err, err_len);
    if (rc == STORE_NOT_FOUND)
        return 0; /* deleted meanwhile: the caller finds out when it writes */
    if (rc != STORE_OK)
        return -1;
    if (e->study_created_at != 0 &&
        (s.created_at != e->study_created_at || s.seq < e->history_seq)) {
        int metrics = e->history_metrics;
        entry_clear(e);
        e->history_metrics = metrics;
    }
    e->study_created_at = s.created_at;
    *current = e->history_seq > 0 && s.seq == e->history_seq;
    store_study_clear(&s);
    return 0;
}

int registry_history_refresh(registry_entry *e, store *st, int64_t study_id, int with_metrics,
                             char *err, size_t err_len)
{
    assert(e && st);
    int current = 0;
    if (history_check(e, st, study_id, &current, err, err_len) != 0)
        return -1;
    if (current && (!with_metrics || e->history_metrics))
        return 0;
    if (with_metrics && !e->history_metrics) {
        /* read again, whole, with the metrics */
        store_trials_free(&e->history);
        e->history_seq = 0;
        e->history_metrics = 1;
    }
    with_metrics = e->history_metrics;
    store_trials delta;
    int64_t max_seq = e->history_seq;
    if (store_trials_engine(st, study_id, e->history_seq, with_metrics, &delta, &max_seq, err,
                            err_len) != STORE_OK)
        return -1;
    store_trials *h = &e->history;
    /* room for every new row */
    store_trial *grown = realloc(h->items, (h->count + delta.count + 1) * sizeof *grown);
    if (!grown) {
        store_trials_free(&delta);
        return util_err(err, err_len, "out of memory");
    }
    h->items = grown;
    for (size_t i = 0; i < delta.count; i++) {
        store_trial *old = find_by_id(h, delta.items[i].id);
        if (old) {
            store_trial_clear(old);
            *old = delta.items[i];
        } else {
            /* Trial ids only grow, so a trial not seen yet is newer than
             * every one kept: appending keeps the order by id. */
            h->items[h->count++] = delta.items[i];
        }
    }
    free(delta.items); /* the rows moved into the history */
    e->history_seq = max_seq;
    return 0;
}

const char *registry_cache_get(registry_entry *e, int64_t seq)
{
    assert(e);
    return e->cache && e->cache_seq == seq ? e->cache : NULL;
}

void registry_cache_set(registry_entry *e, int64_t seq, const char *text)
{
    assert(e);
    free(e->cache);
    e->cache = text ? strdup(text) : NULL;
    e->cache_seq = seq;
}

int64_t registry_history_seq(registry_entry *e)
{
    assert(e);
    return e->history_seq;
}
