/*
 * fuzz_logs.c - libFuzzer harness for one log parser (logs/): the format is
 * fixed at build time by FUZZ_LOG_FORMAT ("rocksdb", "keyvalue", "jsonl"),
 * the input is the raw log (not NUL-terminated, as the service passes it).
 * Every metric it yields must have a name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "logs/logs.h"

#ifndef FUZZ_LOG_FORMAT
#error "FUZZ_LOG_FORMAT names the parser"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    logs_metrics m;
    logs_metrics_init(&m);
    char err[256];
    if (logs_parse(FUZZ_LOG_FORMAT, (const char *)data, size, &m, err, sizeof err) == 0)
        for (size_t i = 0; i < m.count; i++)
            if (!m.items[i].name)
                abort();
    logs_metrics_free(&m);
    return 0;
}
