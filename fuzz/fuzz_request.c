/*
 * fuzz_request.c - libFuzzer harness for JSON request bodies: the input is a
 * body as the service receives it; it goes through jv_parse_object (every
 * handler's first step) and, when it is an object, its "params" through
 * study_params_parse against a fixed study of every parameter type (what
 * suggest, complete and import do with configurations). An accepted
 * configuration must render back to JSON and parse again to the same
 * values.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bo/space.h"
#include "server/study.h"

#include "fuzz_study_def.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_spec[] =
    "{\"name\": \"r\", \"algorithm\": \"random\", \"parameters\": ["
    "{\"name\": \"x\", \"type\": \"float\", \"low\": -5, \"high\": 10},"
    "{\"name\": \"n\", \"type\": \"int\", \"low\": 1, \"high\": 65536, \"log\": true},"
    "{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [\"a\", \"b\"]},"
    "{\"name\": \"o\", \"type\": \"ordinal\", \"values\": [1, 2, 4]}],"
    "\"objective\": {\"name\": \"y\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static study_def sd;
    static int loaded;
    if (!loaded) {
        fuzz_study_def_load(fuzz_spec, &sd);
        loaded = 1;
    }
    jv_error e;
    json_t *body = NULL;
    if (jv_parse_object((const char *)data, size, 1, &body, &e) != 0)
        return 0;
    json_t *params = json_object_get(body, "params");
    size_t d = space_size(sd.sp);
    double config[16], again[16];
    if (params && d <= 16 && study_params_parse(&sd, params, "params", config, &e) == 0) {
        json_t *back = study_params_json(&sd, config);
        if (!back || study_params_parse(&sd, back, "params", again, &e) != 0)
            abort();
        for (size_t k = 0; k < d; k++)
            if (config[k] != again[k])
                abort();
        json_decref(back);
    }
    json_decref(body);
    return 0;
}
