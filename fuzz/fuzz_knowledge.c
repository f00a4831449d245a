/*
 * fuzz_knowledge.c - libFuzzer harness for knowledge validation
 * (PUT /v1/studies/{id}/knowledge): the input is the knowledge body, checked
 * against a fixed study of three parameters and the objective "edp". What
 * the checks accept must build into the model's handle and pass
 * knowledge_validate there too.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "server/study.h"
#include "structure/knowledge.h"

#include "fuzz_study_def.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_spec[] =
    "{\"name\": \"k\", \"algorithm\": \"bograph\", \"parameters\": ["
    "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
    "{\"name\": \"x2\", \"type\": \"int\", \"low\": 1, \"high\": 8},"
    "{\"name\": \"x3\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\"]}],"
    "\"objective\": {\"name\": \"edp\", \"goal\": \"minimize\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static study_def sd;
    static int loaded;
    char err[512];
    if (!loaded) {
        fuzz_study_def_load(fuzz_spec, &sd);
        loaded = 1;
    }
    jv_error e;
    json_t *body = NULL, *norm = NULL;
    if (jv_parse_object((const char *)data, size, 1, &body, &e) != 0)
        return 0;
    if (study_knowledge_validate(body, "knowledge", &norm, &e) == 0 &&
        study_knowledge_check(norm, sd.sp, sd.objective, "knowledge", &e) == 0) {
        knowledge *k = study_knowledge_build(norm, err, sizeof err);
        if (!k)
            abort();
        const char *params[] = {"x1", "x2", "x3"};
        if (knowledge_validate(k, NULL, 0, params, 3, sd.objective, err, sizeof err) != 0)
            abort();
        knowledge_free(k);
    }
    json_decref(norm);
    json_decref(body);
    return 0;
}
