/*
 * fuzz_study_def.h - what the harnesses that need a study share: its
 * definition loaded once from a JSON spec through the service's own
 * validation (study_validate, study_def_load). Header-only; a spec the
 * service refuses is a bug in the harness, so it aborts.
 */
#ifndef BOGRAPH_FUZZ_STUDY_DEF_H
#define BOGRAPH_FUZZ_STUDY_DEF_H

#include <stdlib.h>

#include <jansson.h>

#include "server/jsonv.h"
#include "server/study.h"

static void fuzz_study_def_load(const char *spec_text, study_def *sd)
{
    char err[512];
    json_t *body = json_loads(spec_text, 0, NULL), *spec = NULL, *kn = NULL;
    jv_error e;
    if (!body || study_validate(body, &spec, &kn, &e) != 0)
        abort();
    char *text = json_dumps(spec, JSON_COMPACT);
    if (!text || study_def_load(text, sd, err, sizeof err) != 0)
        abort();
    free(text);
    json_decref(spec);
    json_decref(kn);
    json_decref(body);
}

#endif
