/*
 * noisy_plugin.c - a fast, noisy third-party plugin for the tests of
 * `bograph tune --remeasure`: ops = 1000 / (1 + (x - 1)^2), maximised, times
 * 1 +- 5% noise drawn from the run's seed, so re-running a configuration
 * gives another figure (as db_bench does) but the test stays reproducible.
 * The option sleep_ms makes each run last that long (honouring cancel), so a
 * test can interrupt a re-measurement.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "plugins/plugin.h"

/* splitmix64: a uniform number in [-1, 1] from the seed. */
static double noisy_unit(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

static int noisy_run(const plugin *p, const plugin_config *cfg, const plugin_run_options *opts,
                     plugin_result *res)
{
    (void)p;
    const char *sleep_ms = plugin_option_get(opts, "sleep_ms");
    long ms = sleep_ms ? strtol(sleep_ms, NULL, 10) : 0;
    for (long t = 0; t < ms; t += 10) {
        if (plugin_cancelled(opts)) {
            res->state = PLUGIN_FAILED;
            return 0;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    const plugin_value *x = plugin_config_find(cfg, "x");
    double ops = 1000.0 / (1.0 + (x->number - 1.0) * (x->number - 1.0));
    if (res->set_metric(res, "ops", ops * (1.0 + 0.05 * noisy_unit(opts->seed))) != 0)
        return -1;
    res->state = PLUGIN_OK;
    return 0;
}

static const plugin_param params[] = {
    {.name = "x", .type = PLUGIN_PARAM_FLOAT, .low = -5, .high = 5},
};
static const plugin_value defaults[] = {{.name = "x", .number = 4}};
static const plugin_option_doc options[] = {
    {.key = "sleep_ms", .default_value = "0", .description = "length of each run in ms"},
};
static const plugin noisy = {
    .abi_version = BOGRAPH_PLUGIN_ABI_VERSION,
    .name = "test-noisy",
    .description = "test plugin: a noisy maximised function",
    .params = params,
    .n_params = 1,
    .defaults = defaults,
    .n_defaults = 1,
    .objective = "ops",
    .goal = PLUGIN_MAXIMIZE,
    .option_docs = options,
    .n_option_docs = 1,
    .run = noisy_run,
};

BOGRAPH_PLUGIN_EXPORT(noisy)
