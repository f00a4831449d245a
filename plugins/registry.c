/*
 * registry.c - the plugins a process knows, and loading third-party plugins
 * from shared objects with dlopen.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/host.h"
#include "plugins/registry.h"

typedef struct {
    const plugin *p;
    void *handle;      /* dlopen handle of the object it came from, or NULL */
} plugins_entry;

struct plugins_registry {
    plugins_entry *items;
    size_t count, cap;
};

static void reg_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reg_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

plugins_registry *plugins_registry_new_empty(void)
{
    return calloc(1, sizeof(plugins_registry));
}

plugins_registry *plugins_registry_new(void)
{
    plugins_registry *reg = plugins_registry_new_empty();
    if (!reg)
        return NULL;
    const plugin *const builtins[] = {
        &plugin_rocksdb, &plugin_rocksdb_extended, &plugin_accelerator,
        &plugin_partition, &plugin_command,
    };
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        /* A built-in that fails its own check is a bug caught by the tests;
         * it is left out rather than taking the service down. */
        char err[256];
        if (plugins_register(reg, builtins[i], err, sizeof err) != 0)
            fprintf(stderr, "bograph: built-in plugin left out: %s\n", err);
    }
    return reg;
}

void plugins_registry_free(plugins_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = reg->count; i-- > 0;)
        if (reg->items[i].handle)
            dlclose(reg->items[i].handle);
    free(reg->items);
    free(reg);
}

static int reg_add(plugins_registry *reg, const plugin *p, void *handle, char *err,
                   size_t err_len)
{
    if (plugin_check(p, err, err_len) != 0)
        return -1;
    if (plugins_find(reg, p->name)) {
        reg_err(err, err_len, "a plugin named '%s' is already registered", p->name);
        return -1;
    }
    if (reg->count == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 8;
        plugins_entry *items = realloc(reg->items, cap * sizeof *items);
        if (!items) {
            reg_err(err, err_len, "out of memory");
            return -1;
        }
        reg->items = items;
        reg->cap = cap;
    }
    reg->items[reg->count].p = p;
    reg->items[reg->count].handle = handle;
    reg->count++;
    return 0;
}

int plugins_register(plugins_registry *reg, const plugin *p, char *err, size_t err_len)
{
    if (!reg) {
        reg_err(err, err_len, "no registry");
        return -1;
    }
    return reg_add(reg, p, NULL, err, err_len);
}

const plugin *plugins_find(const plugins_registry *reg, const char *name)
{
    for (size_t i = 0; reg && name && i < reg->count; i++)
        if (strcmp(reg->items[i].p->name, name) == 0)
            return reg->items[i].p;
    return NULL;
}

size_t plugins_count(const plugins_registry *reg)
{
    return reg ? reg->count : 0;
}

const plugin *plugins_at(const plugins_registry *reg, size_t i)
{
    return reg && i < reg->count ? reg->items[i].p : NULL;
}

int plugins_load_file(plugins_registry *reg, const char *path, char *err, size_t err_len)
{
    if (!reg || !path) {
        reg_err(err, err_len, "no registry or path");
        return -1;
    }
    /* RTLD_LOCAL keeps one plugin's symbols from resolving another's. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        reg_err(err, err_len, "plugin %s: cannot load: %s", path, why ? why : "unknown error");
        return -1;
    }
    dlerror();
    /* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
    void *sym = dlsym(h, BOGRAPH_PLUGIN_ENTRY_SYMBOL);
    plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    if (!sym) {
        reg_err(err, err_len, "plugin %s: no exported '%s' function (see plugins/plugin.h)", path,
                BOGRAPH_PLUGIN_ENTRY_SYMBOL);
        dlclose(h);
        return -1;
    }
    int abi = -1;
    const plugin *p = entry(BOGRAPH_PLUGIN_ABI_VERSION, &abi);
    if (abi != BOGRAPH_PLUGIN_ABI_VERSION) {
        reg_err(err, err_len,
                "plugin %s was built for plugin ABI %d, this bograph speaks %d: rebuild it "
                "against this version's plugins/plugin.h",
                path, abi, BOGRAPH_PLUGIN_ABI_VERSION);
        dlclose(h);
        return -1;
    }
    if (!p) {
        reg_err(err, err_len, "plugin %s: %s returned no descriptor", path,
                BOGRAPH_PLUGIN_ENTRY_SYMBOL);
        dlclose(h);
        return -1;
    }
    char why[400];
    if (reg_add(reg, p, h, why, sizeof why) != 0) {
        reg_err(err, err_len, "plugin %s: %s", path, why);
        dlclose(h);
        return -1;
    }
    return 0;
}

static int reg_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugins_load_dir(plugins_registry *reg, const char *dir, char *err, size_t err_len)
{
    if (!reg || !dir) {
        reg_err(err, err_len, "no registry or directory");
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        reg_err(err, err_len, "plugin directory %s: cannot open it", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 16;
            char **nn = realloc(names, c2 * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
            cap = c2;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != 0) {
        reg_err(err, err_len, "plugin directory %s: out of memory", dir);
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return -1;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, reg_cmp);

    size_t used = 0;
    if (err && err_len)
        err[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        char why[600];
        if (!path) {
            snprintf(why, sizeof why, "plugin %s: out of memory", names[i]);
        } else {
            snprintf(path, plen, "%s/%s", dir, names[i]);
            if (plugins_load_file(reg, path, why, sizeof why) == 0) {
                free(path);
                free(names[i]);
                continue;
            }
            free(path);
        }
        rc = -1;
        if (err && used < err_len)
            used += (size_t)snprintf(err + used, err_len - used, "%s%s", used ? "\n" : "", why);
        free(names[i]);
    }
    free(names);
    return rc;
}
