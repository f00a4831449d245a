/*
 * service.c - starting and stopping the service: options, the store, the
 * libmicrohttpd daemon (thread pool, suspend/resume for the suggestion
 * threads), and a graceful stop that lets running requests finish.
 */
#include "server/service.h"

#include <arpa/inet.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "plugins/plugin_json.h"
#include "server/executor.h"
#include "server/http.h"
#include "server/service_internal.h"
#include "util/result_limits.h"
#include "util/util.h"

/* Connections: an idle one is closed after SERVICE_IDLE_TIMEOUT seconds (a
 * suspended one, waiting for a suggestion, is not idle); one address holds
 * at most SERVICE_MAX_CONNECTIONS_PER_IP of the SERVICE_MAX_CONNECTIONS, so
 * idle connections from one client cannot lock the others out (at 1,000
 * idle connections from one address and a 120 s timeout, they did). */
#define SERVICE_IDLE_TIMEOUT 30
#define SERVICE_MAX_CONNECTIONS 1000
#define SERVICE_MAX_CONNECTIONS_PER_IP 64
/* Memory per connection (libmicrohttpd's pool, touched only as used): the
 * request line and headers must fit in it with room to answer, so the
 * service's own limits (server/http.c: 8 KiB URL, 16 KiB headers) answer
 * JSON before libmicrohttpd's would answer HTML. */
#define SERVICE_CONNECTION_MEMORY (64u << 10)

#ifndef BOGRAPH_WEB_DIR
#define BOGRAPH_WEB_DIR ""
#endif

void service_options_init(service_options *o)
{
    memset(o, 0, sizeof *o);
    o->db_path = "bograph.db";
    o->host = "127.0.0.1";
    o->port = 8080;
    o->max_body = BOGRAPH_DEFAULT_MAX_BODY;
    o->max_log_bytes = 1u << 20;
    o->web_dir = NULL;
    o->threads = 4;
    o->suggest_threads = 4;
    o->sync = STORE_SYNC_NORMAL;
    o->request_log = 1;
}

/* From OpenBLAS (GSL's CBLAS here); its cblas.h clashes with GSL's. */
void openblas_set_num_threads(int n);

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void service_free(service *svc)
{
    if (!svc)
        return;
    executor_free(svc->exec);
    registry_free(svc->reg);
    stats_free(svc->stats);
    store_close(svc->st);
    pthread_mutex_destroy(&svc->in_flight_mu);
    free(svc->db_path);
    free(svc->host);
    free(svc->token);
    free(svc->web_dir);
    free(svc);
}

/* Resolves host:port into addr. */
static int resolve(const char *host, unsigned port, struct sockaddr_storage *addr,
                   socklen_t *addr_len, char *err, size_t err_len)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%u", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0 || !res)
        return util_err(err, err_len, "cannot resolve host '%s': %s", host, gai_strerror(rc));
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int service_start(const service_options *o, service **out, char *err, size_t err_len)
{
    *out = NULL;
    if (o->port > 65535)
        return util_err(err, err_len, "port %u is out of range", o->port);
    if (o->max_body < 1024)
        return util_err(err, err_len, "max body must be at least 1024 bytes");
    /* The engine checks every GSL status itself: GSL must not abort the
     * process on a numerical error (docs/CONVENTIONS.md). */
    gsl_set_error_handler_off();
    /* Suggestions run on their own threads; OpenBLAS threads on top of them
     * only contend for the cores (measured 5-10x slower fits under load). */
    openblas_set_num_threads(1);
    service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return util_err(err, err_len, "out of memory");
    pthread_mutex_init(&svc->in_flight_mu, NULL);
    svc->opts = *o;
    svc->db_path = dup_or_null(o->db_path ? o->db_path : "bograph.db");
    svc->host = dup_or_null(o->host ? o->host : "127.0.0.1");
    svc->token = o->token && *o->token ? strdup(o->token) : NULL;
    if (!svc->db_path || !svc->host || (o->token && *o->token && !svc->token)) {
        service_free(svc);
        return util_err(err, err_len, "out of memory");
    }
    if (!svc->opts.plugin_hook && svc->opts.plugins) {
        svc->opts.plugin_hook = plugins_study_hook;
        svc->opts.plugin_hook_user = (void *)svc->opts.plugins;
    }
    svc->opts.db_path = svc->db_path;
    svc->opts.host = svc->host;
    svc->opts.token = svc->token;
    if (svc->opts.threads == 0)
        svc->opts.threads = 4;
    if (svc->opts.suggest_threads == 0)
        svc->opts.suggest_threads = 4;
    if (svc->opts.max_log_bytes == 0)
        svc->opts.max_log_bytes = 1u << 20;
    const char *web = o->web_dir ? o->web_dir : BOGRAPH_WEB_DIR;
    char real[PATH_MAX];
    if (web && *web && realpath(web, real))
        svc->web_dir = strdup(real); /* NULL (no dashboard) when missing */
    svc->opts.web_dir = svc->web_dir;

    if (store_open(svc->db_path, o->sync, &svc->st, err, err_len) != 0) {
        service_free(svc);
        return -1;
    }
    svc->reg = registry_new();
    if (svc->reg)
        registry_use_store(svc->reg, svc->st);
    svc->stats = stats_new();
    svc->exec = executor_new(svc->opts.suggest_threads, err, err_len);
    if (!svc->reg || !svc->stats || !svc->exec) {
        if (!svc->reg || !svc->stats) /* else err says what failed for the executor */
            util_err(err, err_len, "out of memory");
        service_free(svc);
        return -1;
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (resolve(svc->host, o->port, &addr, &addr_len, err, err_len) != 0) {
        service_free(svc);
        return -1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    svc->started_at = util_now();
    svc->daemon = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, http_access, svc, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)svc->opts.threads,
        MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, svc, MHD_OPTION_NOTIFY_COMPLETED,
        http_completed, svc, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVICE_IDLE_TIMEOUT,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVICE_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVICE_MAX_CONNECTIONS_PER_IP,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVICE_CONNECTION_MEMORY, MHD_OPTION_END);
    if (!svc->daemon) {
        util_err(err, err_len, "cannot listen on %s:%u (in use, or not an address of this host)",
                 svc->host, o->port);
        service_free(svc);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(svc->daemon, MHD_DAEMON_INFO_BIND_PORT);
    svc->port = info ? info->port : o->port;
    *out = svc;
    return 0;
}

unsigned service_port(const service *svc)
{
    return svc->port;
}

store *service_store(service *svc)
{
    return svc->st;
}

void service_stop(service *svc)
{
    if (!svc)
        return;
    if (svc->daemon) {
        /* Stop accepting, give running requests up to 10 s to finish. */
        MHD_socket lsock = MHD_quiesce_daemon(svc->daemon);
        for (int i = 0; i < 1000; i++) {
            pthread_mutex_lock(&svc->in_flight_mu);
            int busy = svc->in_flight;
            pthread_mutex_unlock(&svc->in_flight_mu);
            if (!busy)
                break;
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        /* Suggestions still running finish and resume their connections
         * before the daemon goes away. */
        executor_shutdown(svc->exec);
        MHD_stop_daemon(svc->daemon);
        if (lsock != MHD_INVALID_SOCKET)
            close(lsock);
    }
    service_free(svc);
}
