/*
 * service.h - the tuning service as a library: start the HTTP API on a
 * SQLite file inside the calling process, ask which port it listens on, stop
 * it. `bograph serve` is a thin wrapper around this; `bograph tune` runs the
 * service in its own process the same way.
 *
 *     service_options o;
 *     service_options_init(&o);
 *     o.db_path = "bograph.db";
 *     o.port = 0;                       // 0: any free port
 *     service *svc;
 *     char err[256];
 *     if (service_start(&o, &svc, err, sizeof err) != 0) { ...err... }
 *     printf("http://%s:%u/\n", o.host, service_port(svc));
 *     ...
 *     service_stop(svc);                // graceful: finishes running requests
 *
 * Threads: libmicrohttpd's thread pool serves connections; suggestions (which
 * may fit a model) run on a separate pool so other requests keep flowing.
 * The options are copied by service_start; the caller keeps ownership of its
 * strings.
 */
#ifndef BOGRAPH_SERVER_SERVICE_H
#define BOGRAPH_SERVER_SERVICE_H

#include <jansson.h>
#include <stddef.h>

#include "plugins/registry.h"
#include "store/store.h"

typedef struct service service;

/*
 * Plugin hook: called when a study is created with "plugin": name. It fills
 * into body (the creation request, a JSON object it may modify) what the
 * plugin provides and the request left out: parameters, objective, default,
 * knowledge, log_format, ... (fields given explicitly win). Return 0 when
 * done, 1 when no plugin has that name (the API answers 404), -1 with a
 * message in err for any other problem (400). Without a hook, a study naming
 * a plugin must give its parameters and objective itself.
 */
typedef int (*service_plugin_hook)(void *user, const char *plugin, json_t *body, char *err,
                                   size_t err_len);

typedef struct {
    const char *db_path;        /* SQLite file; created when missing. Default "bograph.db" */
    const char *host;           /* address to bind. Default "127.0.0.1" */
    unsigned port;              /* 0: any free port. Default 8080 */
    const char *token;          /* when set, the API (/v1/...) and /metrics need
                                 * "Authorization: Bearer <token>" (or ?access_token=);
                                 * /healthz and the dashboard's static files do not */
    size_t max_body;            /* request body limit in bytes. Default 8 MiB */
    size_t max_log_bytes;       /* raw logs kept per trial; the tail is kept beyond it
                                 * and the trial says logs_truncated. Default 1 MiB */
    const char *web_dir;        /* dashboard files served under /. Default: the build's
                                 * web/dist (BOGRAPH_WEB_DIR) */
    unsigned threads;           /* HTTP threads. Default 4 */
    unsigned suggest_threads;   /* threads computing suggestions. Default 4 */
    store_sync sync;            /* Default STORE_SYNC_NORMAL (see store.c) */
    int request_log;            /* one line per request on stderr. Default 1 */
    /* The target systems: GET /v1/plugins answers from it, and a study naming
     * a plugin is filled from it (unless plugin_hook is set). May be NULL. */
    const plugins_registry *plugins;
    service_plugin_hook plugin_hook;   /* may be NULL */
    void *plugin_hook_user;
} service_options;

void service_options_init(service_options *o);

/* Opens (or creates and migrates) the database and starts listening. 0, or
 * -1 with a message (cannot open the file, port in use, ...). */
int service_start(const service_options *o, service **out, char *err, size_t err_len);
/* The port it listens on (the chosen one when started with port 0). */
unsigned service_port(const service *svc);
/* The open store, for in-process callers that read results directly. */
store *service_store(service *svc);
/* Stops accepting connections, lets running requests finish (bounded wait),
 * stops the threads, closes the database, frees svc. NULL is fine. */
void service_stop(service *svc);

#endif
