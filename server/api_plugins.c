/*
 * api_plugins.c - plugin endpoints: GET /v1/plugins lists the target systems
 * the service knows, GET /v1/plugins/{name} describes one (space, default,
 * objective, constraints, knowledge, log format, options).
 */
#include "server/api.h"

#include "plugins/plugin_json.h"

void api_plugin_list(service *svc, const api_request *req, api_response *res)
{
    (void)req;
    if (!svc->opts.plugins) {
        api_reply(res, 200, json_pack("{s:[]}", "plugins"));
        return;
    }
    json_t *list = plugins_list_json(svc->opts.plugins);
    if (!list) {
        api_reply_internal(res, "listing plugins", "out of memory");
        return;
    }
    api_reply(res, 200, list);
}

void api_plugin_get(service *svc, const api_request *req, api_response *res)
{
    const char *name = req->captures[0];
    const plugin *p = svc->opts.plugins ? plugins_find(svc->opts.plugins, name) : NULL;
    if (!p) {
        api_reply_errorf(res, 404, "not_found", NULL, "no plugin '%s'", name);
        return;
    }
    json_t *o = plugin_to_json(p);
    if (!o) {
        api_reply_internal(res, "describing the plugin", "out of memory");
        return;
    }
    api_reply(res, 200, o);
}
