/*
 * rocksdb.h - pieces of the "rocksdb" plugins that tests reach directly:
 * the db_bench command line built from a configuration, and the throughput
 * read back from db_bench's output.
 */
#ifndef BOGRAPH_PLUGINS_ROCKSDB_H
#define BOGRAPH_PLUGINS_ROCKSDB_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/plugin.h"

/* The workload: how much is loaded and measured, and by whom. */
typedef struct {
    const char *db_bench;   /* path, default /usr/bin/db_bench */
    double num;             /* keys loaded by fillrandom (and key space of mixgraph) */
    double reads;           /* mixgraph operations */
    double value_size;      /* bytes per value in the load phase */
    double threads;         /* mixgraph client threads */
    uint64_t seed;          /* db_bench --seed; 0 is replaced by a fixed seed */
} rocksdb_workload;

/* The defaults (200k keys of 400-byte values, 200k mixgraph operations,
 * one thread) overridden by the run options num, reads, value_size, threads,
 * db_bench and the run's seed. -1 with a message for a bad option. */
int rocksdb_workload_from_options(const plugin_run_options *opts, rocksdb_workload *w,
                                  char *err, size_t err_len);

/* A NULL-terminated argv for db_bench: the workload's fixed flags (FAST 2020
 * mixgraph parameters, --statistics, --histogram) and one flag per
 * configuration value (all ten options; the extended ones when present).
 * Strings are owned by the array; free with rocksdb_argv_free. */
char **rocksdb_argv_new(const plugin_config *cfg, const rocksdb_workload *w, const char *db_path,
                        char *err, size_t err_len);
void rocksdb_argv_free(char **argv);

/* The ops/sec db_bench reported for benchmark bench ("mixgraph") in out:
 * 0 with *ops, -1 when there is no such summary line. */
int rocksdb_parse_ops(const char *out, const char *bench, double *ops);

#endif
