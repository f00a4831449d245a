/*
 * executor.h - a fixed pool of threads running queued jobs. The HTTP layer
 * hands slow requests (suggestions, which may fit a model) to it so that the
 * HTTP threads keep serving other connections meanwhile.
 */
#ifndef BOGRAPH_SERVER_EXECUTOR_H
#define BOGRAPH_SERVER_EXECUTOR_H

#include <stddef.h>

typedef struct executor executor;
typedef void (*executor_fn)(void *arg);

executor *executor_new(size_t n_threads, char *err, size_t err_len);
/* Queues fn(arg). 0, or -1 when stopping or out of memory. */
int executor_submit(executor *ex, executor_fn fn, void *arg);
/* Runs every queued job and joins the threads; later submissions fail (the
 * caller runs the job itself). Idempotent. */
void executor_shutdown(executor *ex);
/* Shuts down (if not yet) and frees the pool. */
void executor_free(executor *ex);

#endif
