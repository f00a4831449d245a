/*
 * usecase_fixture.h - the cmocka fixture of the use-case tests: a store in
 * a fresh temporary directory, a registry and the use cases' environment
 * over them; teardown removes the directory. Header-only, for the tests in
 * tests/server that drive server/usecase_*.c directly.
 */
#ifndef BOGRAPH_TESTS_USECASE_FIXTURE_H
#define BOGRAPH_TESTS_USECASE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "server/usecase.h"

typedef struct {
    char dir[64];
    store *st;
    registry *reg;
    usecase_env env;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/bograph-usecase-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    if (store_open(path, STORE_SYNC_NORMAL, &f->st, err, sizeof err) != 0)
        return -1;
    f->reg = registry_new();
    if (!f->reg)
        return -1;
    f->env = (usecase_env){.st = f->st, .reg = f->reg};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    registry_free(f->reg);
    store_close(f->st);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

#endif
