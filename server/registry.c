/*
 * registry.c - a small table of per-study locks and model states, guarded by
 * one mutex that is only held to find an entry, never during a suggestion.
 */
#include "server/registry.h"

#include <pthread.h>
#include <stdlib.h>

struct registry_entry {
    int64_t study_id;
    pthread_mutex_t mu;     /* held for the whole suggestion */
    bo_state *state;
    int users;              /* holders and waiters; the entry stays while > 0 */
    struct registry_entry *next;
};

struct registry {
    pthread_mutex_t mu;
    registry_entry *head;
};

registry *registry_new(void)
{
    registry *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

void registry_free(registry *r)
{
    if (!r)
        return;
    registry_entry *e = r->head;
    while (e) {
        registry_entry *next = e->next;
        bo_state_free(e->state);
        pthread_mutex_destroy(&e->mu);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
}

registry_entry *registry_lock(registry *r, int64_t study_id)
{
    pthread_mutex_lock(&r->mu);
    registry_entry *e = r->head;
    while (e && e->study_id != study_id)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) {
            pthread_mutex_unlock(&r->mu);
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
    return e;
}

void registry_release(registry *r, registry_entry *e)
{
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_lock(&r->mu);
    e->users--;
    pthread_mutex_unlock(&r->mu);
}

bo_state *registry_state(registry_entry *e)
{
    if (!e->state)
        e->state = bo_state_new();
    return e->state;
}

void registry_forget(registry *r, int64_t study_id)
{
    registry_entry *e = registry_lock(r, study_id);
    if (!e)
        return;
    bo_state_free(e->state);
    e->state = NULL;
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
