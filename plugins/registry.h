/*
 * registry.h - the set of plugins a process knows: the built-ins, plus any
 * third-party plugins loaded from shared objects. A registry is a handle (no
 * global state); once filled it is read-only and may be shared by threads.
 * Loading (plugins_load_*) is single-threaded.
 *
 * Errors: 0 on success, -1 with a message in err (err may be NULL).
 */
#ifndef BOGRAPH_PLUGINS_REGISTRY_H
#define BOGRAPH_PLUGINS_REGISTRY_H

#include <stddef.h>

#include "plugins/plugin.h"

typedef struct plugins_registry plugins_registry;

/* A registry holding the built-in plugins (rocksdb, rocksdb-extended,
 * accelerator, partition, command). NULL when out of memory. */
plugins_registry *plugins_registry_new(void);
/* An empty registry (tests, or a host that wants only its own plugins). */
plugins_registry *plugins_registry_new_empty(void);
/* Frees the registry and unloads the shared objects it loaded: descriptors
 * obtained from it are invalid afterwards. */
void plugins_registry_free(plugins_registry *reg);

/* Adds a descriptor (borrowed: it must outlive the registry). It is checked
 * with plugin_check; a name already registered is an error. */
int plugins_register(plugins_registry *reg, const plugin *p, char *err, size_t err_len);

/* The plugin of that name, or NULL. */
const plugin *plugins_find(const plugins_registry *reg, const char *name);
size_t plugins_count(const plugins_registry *reg);
/* The i-th plugin in registration order (built-ins first). */
const plugin *plugins_at(const plugins_registry *reg, size_t i);

/* Loads one shared object: dlopen, look up bograph_plugin_entry, refuse an
 * ABI version other than BOGRAPH_PLUGIN_ABI_VERSION ("plugin x.so was built
 * for plugin ABI 2, this bograph speaks 1: rebuild it against this
 * version"), check and register the descriptor. On error nothing is kept. */
int plugins_load_file(plugins_registry *reg, const char *path, char *err, size_t err_len);

/* Loads every "*.so" in dir (sorted by name, not recursive). Returns 0 when
 * all loaded; -1 when any failed, with one line per failure in err (the
 * others stay loaded). A missing directory is an error. */
int plugins_load_dir(plugins_registry *reg, const char *dir, char *err, size_t err_len);

#endif
