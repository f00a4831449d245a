/*
 * tune_space.h - the space file of `bograph tune command --space FILE`: a
 * JSON object with the members of a study creation body that describe what
 * is tuned: "parameters" and "objective" (or "objectives") required,
 * "default", "constraints", "parameter_constraints", "knowledge" and
 * "log_format" optional. They go to the service as they are, so its
 * validation answers for their contents (docs/api.md).
 */
#ifndef BOGRAPH_CLI_TUNE_SPACE_H
#define BOGRAPH_CLI_TUNE_SPACE_H

#include <jansson.h>
#include <stddef.h>

/* The members a space file may hold, NULL-terminated. */
extern const char *const tune_space_members[];

/* Parses text (len bytes, named path in messages) into a new object; NULL
 * with a message (not JSON, not an object, an unknown member, parameters or
 * the objective missing). */
json_t *tune_space_parse(const char *path, const char *text, size_t len, char *err,
                         size_t err_len);
/* Reads and parses the file; NULL with a message. */
json_t *tune_space_load(const char *path, char *err, size_t err_len);
/* Copies the space's members into a study creation body. 0, or -1 (out of
 * memory). */
int tune_space_apply(const json_t *space, json_t *body);

#endif
