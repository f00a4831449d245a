/*
 * service_internal.h - the parts of a running service (struct service):
 * what service.c builds and tears down, and what the HTTP layer and the
 * handlers reach (the store, the registry of model state, the statistics).
 * Only server/ includes it; the public interface is service.h.
 */
#ifndef BOGRAPH_SERVER_SERVICE_INTERNAL_H
#define BOGRAPH_SERVER_SERVICE_INTERNAL_H

#include <pthread.h>

#include "server/registry.h"
#include "server/service.h"
#include "server/stats.h"
#include "store/store.h"

struct executor;
struct MHD_Daemon;

/* The service's parts; service.c owns them all. */
struct service {
    service_options opts;
    char *db_path, *host, *token, *web_dir;   /* owned copies of the option strings */
    store *st;
    registry *reg;
    stats *stats;
    struct executor *exec;
    struct MHD_Daemon *daemon;
    unsigned port;
    double started_at;
    /* requests between their first byte and their completion */
    int in_flight;
    pthread_mutex_t in_flight_mu;
};

#endif
