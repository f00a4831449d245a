/*
 * bad_abi_plugin.c - a shared object claiming a future plugin ABI: the
 * loader must refuse it without reading its descriptor (which is garbage
 * on purpose).
 */
#include <stddef.h>

struct plugin;

__attribute__((visibility("default"))) const struct plugin *
bograph_plugin_entry(int host_abi_version, int *plugin_abi_version);

static const char garbage[64] = "not a plugin descriptor of this ABI";

const struct plugin *bograph_plugin_entry(int host_abi_version, int *plugin_abi_version)
{
    (void)host_abi_version;
    *plugin_abi_version = 999;
    return (const struct plugin *)(const void *)garbage;
}
