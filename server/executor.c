/*
 * executor.c - job queue and worker threads (mutex + condition variable).
 */
#include "server/executor.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/util.h"

typedef struct job {
    executor_fn fn;
    void *arg;
    struct job *next;
} job;

struct executor {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    int stopping;
    size_t n_threads;
    pthread_t *threads;
};

static void *worker_main(void *p)
{
    executor *ex = p;
    for (;;) {
        pthread_mutex_lock(&ex->mu);
        while (!ex->head && !ex->stopping)
            pthread_cond_wait(&ex->cv, &ex->mu);
        job *j = ex->head;
        if (j) {
            ex->head = j->next;
            if (!ex->head)
                ex->tail = NULL;
        }
        pthread_mutex_unlock(&ex->mu);
        if (!j)
            return NULL; /* stopping and drained */
        j->fn(j->arg);
        free(j);
    }
}

executor *executor_new(size_t n_threads, char *err, size_t err_len)
{
    executor *ex = calloc(1, sizeof *ex);
    if (!ex || !(ex->threads = calloc(n_threads ? n_threads : 1, sizeof(pthread_t)))) {
        free(ex);
        util_err(err, err_len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&ex->mu, NULL);
    pthread_cond_init(&ex->cv, NULL);
    for (size_t i = 0; i < n_threads; i++) {
        if (pthread_create(&ex->threads[i], NULL, worker_main, ex) != 0) {
            util_err(err, err_len, "cannot start worker thread %zu", i);
            executor_free(ex);
            return NULL;
        }
        ex->n_threads++;
    }
    return ex;
}

int executor_submit(executor *ex, executor_fn fn, void *arg)
{
    job *j = malloc(sizeof *j);
    if (!j)
        return -1;
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    pthread_mutex_lock(&ex->mu);
    if (ex->stopping) {
        pthread_mutex_unlock(&ex->mu);
        free(j);
        return -1;
    }
    if (ex->tail)
        ex->tail->next = j;
    else
        ex->head = j;
    ex->tail = j;
    pthread_cond_signal(&ex->cv);
    pthread_mutex_unlock(&ex->mu);
    return 0;
}

void executor_shutdown(executor *ex)
{
    if (!ex)
        return;
    pthread_mutex_lock(&ex->mu);
    int joined = ex->stopping == 2;
    ex->stopping = 1;
    pthread_cond_broadcast(&ex->cv);
    pthread_mutex_unlock(&ex->mu);
    if (joined)
        return;
    for (size_t i = 0; i < ex->n_threads; i++)
        pthread_join(ex->threads[i], NULL);
    pthread_mutex_lock(&ex->mu);
    ex->stopping = 2;
    pthread_mutex_unlock(&ex->mu);
}

void executor_free(executor *ex)
{
    if (!ex)
        return;
    executor_shutdown(ex);
    pthread_mutex_destroy(&ex->mu);
    pthread_cond_destroy(&ex->cv);
    free(ex->threads);
    free(ex);
}
