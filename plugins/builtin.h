/*
 * builtin.h - the descriptors of the plugins compiled into bograph. A host
 * normally reaches them through plugins_registry_new(); tests use them
 * directly.
 */
#ifndef BOGRAPH_PLUGINS_BUILTIN_H
#define BOGRAPH_PLUGINS_BUILTIN_H

#include "plugins/plugin.h"

extern const plugin plugin_rocksdb;           /* "rocksdb": ten options, db_bench mixgraph */
extern const plugin plugin_rocksdb_extended;  /* "rocksdb-extended": + cache, bloom, compression, compaction style */
extern const plugin plugin_accelerator;       /* "accelerator": systolic-array design, EDP */
extern const plugin plugin_partition;         /* "partition": GPT training parallelism, step time */
extern const plugin plugin_command;           /* "command": any program, space from the study */

#endif
