/*
 * http.h - libmicrohttpd callbacks of the service (internal to server/).
 */
#ifndef BOGRAPH_SERVER_HTTP_H
#define BOGRAPH_SERVER_HTTP_H

#include <microhttpd.h>

#include <stddef.h>

/* MHD_OPTION_URI_LOG_CALLBACK: makes the request's context (the *con_cls of
 * the other two) when the request line arrives, and answers at once a URL
 * over the limits. */
void *http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn);
enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe);

#endif
