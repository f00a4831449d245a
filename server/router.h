/*
 * router.h - the route table and matching of a method and path to a handler.
 * Patterns are literal segments and "{}" captures: "/v1/studies/{}/best".
 * A path that matches a pattern with another method gives 405 and the
 * methods that would have matched; no pattern at all gives 404.
 */
#ifndef BOGRAPH_SERVER_ROUTER_H
#define BOGRAPH_SERVER_ROUTER_H

#include <stddef.h>

#include "server/api.h"

typedef struct {
    const char *method;
    const char *pattern;      /* also the route's name in logs and /metrics */
    api_handler handler;
    int slow;                 /* runs on the suggestion threads */
    int public_route;         /* served without the token */
} router_route;

/* The table (routes.c) and its length. */
extern const router_route router_routes[];
extern const size_t router_n_routes;

enum { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = 404, ROUTER_BAD_METHOD = 405 };

/* Matches path (writable copy: captures point into it, '/' replaced by NUL).
 * On ROUTER_FOUND *out is the route and captures are filled; on
 * ROUTER_BAD_METHOD allow lists the methods ("GET, DELETE"). */
int router_match(const char *method, char *path, const router_route **out,
                 const char *captures[API_MAX_CAPTURES], char *allow, size_t allow_len);

#endif
