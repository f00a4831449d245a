/*
 * store_fixture.h - the cmocka fixture of the store tests, for either
 * backend: each test gets a fresh SQLite file in a temporary directory, or,
 * on a PostgreSQL run (pg_base holds the test cluster's URI), a fresh
 * database on the cluster, dropped afterwards. path is what store_open
 * takes. Define STORE_FIXTURE_TAG (a short name) before including, so that
 * the directories and databases of two test programs never meet.
 * Header-only, for tests/store.
 */
#ifndef BOGRAPH_TESTS_STORE_FIXTURE_H
#define BOGRAPH_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#ifndef STORE_FIXTURE_TAG
#error "define STORE_FIXTURE_TAG before including store_fixture.h"
#endif

static char dir[64], path[384];
static char pg_base[256];   /* the test cluster's URI on PostgreSQL runs, else "" */
static char pg_name[64];

/* Runs one statement on the cluster's maintenance database: 0 or -1. */
static int pg_admin(const char *sql)
{
    PGconn *db = PQconnectdb(pg_base);
    PGresult *r = PQstatus(db) == CONNECTION_OK ? PQexec(db, sql) : NULL;
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(db));
    PQclear(r);
    PQfinish(db);
    return ok ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/bograph-" STORE_FIXTURE_TAG "-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (pg_base[0]) {
        static int n;
        char sql[128];
        snprintf(pg_name, sizeof pg_name, "bg" STORE_FIXTURE_TAG "_%d_%d", (int)getpid(), ++n);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_name);
        if (pg_admin(sql) != 0)
            return -1;
        const char *slash = strrchr(pg_base, '/');
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - pg_base), pg_base, pg_name);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    if (pg_base[0]) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE %s WITH (FORCE)", pg_name);
        if (pg_admin(cmd) != 0)
            return -1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
