/*
 * cli_migrate.c - `bograph migrate FROM TO`: copies every study, trial
 * (metrics and logs included) and piece of expert knowledge from one
 * database to another, SQLite file or PostgreSQL URI either way, keeping
 * ids, trial numbers and seq, so clients polling with after_seq and links to
 * trials go on working. Refuses a target that already holds studies; each
 * study is copied in one transaction (store_study_restore).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"

static void migrate_usage(FILE *f)
{
    fprintf(f,
            "usage: bograph migrate FROM TO\n"
            "\n"
            "Copies every study with its trials, metrics, logs and expert knowledge from\n"
            "the database FROM to the database TO, ids and seq preserved. Each is a SQLite\n"
            "file (or sqlite:PATH) or a PostgreSQL URI (postgresql://user@host:port/db).\n"
            "TO is created and migrated to the current schema when needed and must hold\n"
            "no study. Stop the services on FROM first: what they write meanwhile is not\n"
            "copied.\n"
            "\n"
            "Exit codes: 0 copied, 1 failure (nothing is half-copied: each study is one\n"
            "transaction), 2 bad options.\n");
}

/* A SQLite FROM must exist: opening would create it empty. */
static int source_exists(const char *from)
{
    if (strncmp(from, "postgres", 8) == 0)
        return 1;
    const char *path = from;
    if (strncmp(path, "sqlite:", 7) == 0) {
        path += 7;
        if (strncmp(path, "//", 2) == 0)
            path += 2;
    }
    return access(path, F_OK) == 0;
}

/* The study's trials with their metrics and logs, as restore wants them. */
static int read_study(store *from, int64_t sid, store_trials *ts, char *err, size_t err_len)
{
    if (store_trials_all(from, sid, 1, ts, err, err_len) != STORE_OK)
        return -1;
    for (size_t i = 0; i < ts->count; i++) {
        if (ts->items[i].logs_bytes < 0)
            continue;
        store_trial full;
        if (store_trial_get(from, sid, ts->items[i].id, 1, &full, err, err_len) != STORE_OK) {
            store_trials_free(ts);
            return -1;
        }
        ts->items[i].logs = full.logs;
        full.logs = NULL;
        store_trial_clear(&full);
    }
    return 0;
}

static int copy_all(store *from, store *to, const char *to_name)
{
    char err[512];
    store_study *list = NULL, *there = NULL;
    size_t n = 0, n_there = 0;
    if (store_study_list(to, &there, &n_there, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "bograph migrate: reading %s: %s\n", to_name, err);
        return CLI_FAILURE;
    }
    for (size_t i = 0; i < n_there; i++)
        store_study_clear(&there[i]);
    free(there);
    if (n_there > 0) {
        fprintf(stderr,
                "bograph migrate: %s already holds %zu stud%s; migrate copies into an empty "
                "database\n",
                to_name, n_there, n_there == 1 ? "y" : "ies");
        return CLI_FAILURE;
    }
    if (store_study_list(from, &list, &n, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "bograph migrate: listing studies: %s\n", err);
        return CLI_FAILURE;
    }
    int rc = CLI_OK;
    size_t trials = 0;
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        store_trials ts = {0};
        if (read_study(from, list[i].id, &ts, err, sizeof err) != 0 ||
            store_study_restore(to, &list[i], &ts, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "bograph migrate: study %lld \"%s\": %s\n", (long long)list[i].id,
                    list[i].name, err);
            rc = CLI_FAILURE;
        } else {
            printf("study %lld \"%s\": %zu trials\n", (long long)list[i].id, list[i].name,
                   ts.count);
            trials += ts.count;
        }
        store_trials_free(&ts);
    }
    for (size_t i = 0; i < n; i++)
        store_study_clear(&list[i]);
    free(list);
    if (rc == CLI_OK)
        printf("copied %zu stud%s and %zu trials\n", n, n == 1 ? "y" : "ies", trials);
    return rc;
}

int cli_migrate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            migrate_usage(stdout);
            return CLI_OK;
        }
        migrate_usage(stderr);
        return CLI_USAGE;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "bograph migrate: wants FROM and TO\n\n");
        migrate_usage(stderr);
        return CLI_USAGE;
    }
    const char *from_name = argv[optind], *to_name = argv[optind + 1];
    if (!source_exists(from_name)) {
        fprintf(stderr, "bograph migrate: %s: no such database file\n", from_name);
        return CLI_FAILURE;
    }
    char err[512];
    store *from = NULL, *to = NULL;
    if (store_open(from_name, STORE_SYNC_NORMAL, &from, err, sizeof err) != 0) {
        fprintf(stderr, "bograph migrate: %s\n", err);
        return CLI_FAILURE;
    }
    if (store_open(to_name, STORE_SYNC_FULL, &to, err, sizeof err) != 0) {
        fprintf(stderr, "bograph migrate: %s\n", err);
        store_close(from);
        return CLI_FAILURE;
    }
    int rc = copy_all(from, to, to_name);
    store_close(from);
    store_close(to);
    return rc;
}
