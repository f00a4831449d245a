/*
 * good_plugin.c - a minimal third-party plugin, built as a shared object
 * by the tests: y = (x - 1)^2 + (mode == "b"), built against this ABI.
 */
#include "plugins/plugin.h"

static int square_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
                      plugin_result *res)
{
    (void)p;
    (void)opts;
    const plugin_value *x = plugin_config_find(cfg, "x");
    const plugin_value *mode = plugin_config_find(cfg, "mode");
    double y = (x->number - 1.0) * (x->number - 1.0) +
               (mode->choice && mode->choice[0] == 'b' ? 1.0 : 0.0);
    if (res->set_metric(res, "y", y) != 0)
        return -1;
    res->state = PLUGIN_OK;
    return 0;
}

static const char *const modes[] = {"a", "b"};
static const plugin_param params[] = {
    {.name = "x", .type = PLUGIN_PARAM_FLOAT, .low = -5, .high = 5},
    {.name = "mode", .type = PLUGIN_PARAM_CATEGORICAL, .choices = modes, .n_choices = 2},
};
static const plugin_value defaults[] = {{.name = "x", .number = 3}, {.name = "mode", .choice = "b"}};
static const plugin square = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "test-square",
    .description = "test plugin",
    .params = params,
    .n_params = 2,
    .defaults = defaults,
    .n_defaults = 2,
    .objective = "y",
    .goal = PLUGIN_MINIMIZE,
    .run = square_run,
};

BOGRAPH_PLUGIN_EXPORT(square)
