/*
 * fuzz_study.c - libFuzzer harness for study validation (server/study.c):
 * the input is a creation body (POST /v1/studies). A body that validates
 * must load back from its stored spec (what every later request does) and
 * its knowledge, if any, must build.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "server/study.h"
#include "structure/knowledge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object((const char *)data, size, 0, &body, &e) != 0)
        return 0;
    json_t *spec = NULL, *kn = NULL;
    if (study_validate(body, &spec, &kn, &e) == 0) {
        char *text = json_dumps(spec, JSON_COMPACT);
        study_def sd;
        char err[512];
        if (!text || study_def_load(text, &sd, err, sizeof err) != 0)
            abort(); /* accepted, stored, and then unreadable */
        study_def_free(&sd);
        free(text);
        if (kn) {
            knowledge *k = study_knowledge_build(kn, err, sizeof err);
            if (!k)
                abort(); /* checked at creation, refused by the model */
            knowledge_free(k);
        }
    }
    json_decref(spec);
    json_decref(kn);
    json_decref(body);
    return 0;
}
