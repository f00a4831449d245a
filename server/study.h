/*
 * study.h - what a study is: validating the creation body into a normalised
 * spec (stored as JSON), loading a stored spec back into a search space and
 * settings, turning trial parameters between JSON and raw configurations,
 * expert knowledge's shape, and constraint checks.
 */
#ifndef BOGRAPH_SERVER_STUDY_H
#define BOGRAPH_SERVER_STUDY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bo/space.h"
#include "server/jsonv.h"
#include "structure/constraint_op.h"
#include "structure/knowledge.h"

#define STUDY_DEFAULT_LEASE_SECONDS 600.0
/* A study of several objectives has 2 to this many. */
#define STUDY_MAX_OBJECTIVES 4

/* A study's algorithm. The stored spec keeps its name ("bograph", ...). */
typedef enum {
    STUDY_ALG_RANDOM,
    STUDY_ALG_SOBOL,
    STUDY_ALG_GP,
    STUDY_ALG_BOGRAPH,
    STUDY_ALG_UNKNOWN   /* a stored spec naming none of them; the engine refuses it */
} study_algorithm;

/* name -> algorithm: 0, or -1 when name (may be NULL) is none of bograph, gp,
 * random, sobol. */
int study_algorithm_parse(const char *name, study_algorithm *out);
/* algorithm -> its name in the API and the stored spec ("unknown" for
 * STUDY_ALG_UNKNOWN). */
const char *study_algorithm_name(study_algorithm a);

typedef struct {
    const char *metric;     /* points into spec */
    constraint_op op;
    double value;
} study_constraint;

/* A loaded study definition. Strings point into spec; free with study_def_free. */
typedef struct {
    json_t *spec;                /* owned */
    space *sp;                   /* owned */
    const char *name;
    const char *plugin;          /* NULL when none */
    const char *objective;       /* the objective; the first one of a study of several */
    int maximize;                /* its goal */
    /* Every objective: 1, or 2..STUDY_MAX_OBJECTIVES for a study of several
     * ("objectives" in the spec; study_objectives.c). objectives[0] is
     * objective. Such a study's trials store no objective of their own:
     * their objectives are metrics. */
    size_t n_objectives;
    const char *objectives[STUDY_MAX_OBJECTIVES];
    int maximizes[STUDY_MAX_OBJECTIVES];
    study_algorithm algorithm;
    const char *algorithm_name;  /* as stored (differs from the enum's name only when unknown) */
    const char *log_format;      /* NULL when none */
    int64_t budget;              /* -1: unlimited */
    double lease_seconds;
    uint64_t seed;
    study_constraint *constraints;
    size_t n_constraints;
    double *default_config;      /* space_size() values, NULL when no default */
    size_t relearn_every;        /* bograph: relearn the graph every this many trials; 0 = default */
} study_def;

/* Validates a creation body (after any plugin filled its defaults) into the
 * normalised spec to store (*spec_out, new reference; `if_exists` and
 * `knowledge` are not part of it) and the normalised knowledge
 * (*knowledge_out, new reference, NULL when none was given). A
 * "plugin_options" object is kept in the spec as given (the plugin hook
 * checks it against the plugin's options). */
int study_validate(json_t *body, json_t **spec_out, json_t **knowledge_out, jv_error *e);

/* Validates expert knowledge: {"edges": [[from, to], ...], "forbidden":
 * [[from, to], ...], "models": {"name": "formula", ...}}, every part
 * optional. *out gets a normalised copy with all three parts. field names
 * the object in errors ("knowledge"). */
int study_knowledge_validate(json_t *k, const char *field, json_t **out, jv_error *e);

/* Checks normalised knowledge (study_knowledge_validate's output) the way
 * the model reads it: every formula parses, and against the study (sp, the
 * objective's name): no edge or model into a parameter, no edge out of the
 * objective, no edge both required and forbidden, no cycle. Metric names
 * are not checked (trials report them later). The error's field names the
 * entry: "<field>.edges[1]", "<field>.models.edp" ("<field>" for a cycle). */
int study_knowledge_check(json_t *norm, const space *sp, const char *objective,
                          const char *field, jv_error *e);

/* The model's handle of normalised knowledge (JSON object with edges,
 * forbidden and models; missing parts are empty). NULL with a message in err
 * ("edges[1]: ...", "models.edp: ..."). The caller frees it. */
knowledge *study_knowledge_build(json_t *norm, char *err, size_t err_len);

/* Loads a stored spec. 0, or -1 with err. */
int study_def_load(const char *spec_text, study_def *out, char *err, size_t err_len);
void study_def_free(study_def *sd);

/* params (a JSON object naming every parameter) -> raw configuration
 * (space_size() doubles). Unknown, missing, mistyped and out-of-space values
 * are rejected with field "<prefix>.<name>". */
int study_params_parse(const study_def *sd, json_t *params, const char *prefix, double *config,
                       jv_error *e);
/* raw configuration -> JSON object (new reference). */
json_t *study_params_json(const study_def *sd, const double *config);

/* 1 when the metrics meet every constraint (a missing metric does not). */
int study_constraints_met(const study_def *sd, const char *const *names, const double *values,
                          size_t n);

/* ---- several objectives (study_objectives.c) ---- */

/* The objective or objectives of a creation body: exactly one of
 * "objective" ({name, goal}) and "objectives" (2..STUDY_MAX_OBJECTIVES
 * distinct {name, goal}; goal minimize by default). *first and *goal get
 * the (first) objective's name and goal (pointing into body); *objectives
 * the normalised array (new reference) for a study of several, else NULL.
 * 400 with field "objective", "objectives" or "objectives[i].name" ... */
int study_objectives_validate(json_t *body, const char **first, const char **goal,
                              json_t **objectives, jv_error *e);

/* Fills sd's n_objectives, objectives and maximizes from its spec (and, for
 * a study of several, objective and maximize from the first). 0, or -1
 * with err when the stored "objectives" is malformed. */
int study_objectives_load(study_def *sd, char *err, size_t err_len);

/* 1 for a study of several objectives. */
int study_is_multi(const study_def *sd);

/* The node expert knowledge is checked against as the objective (no
 * children, no input to a model): the objective, or NULL for a study of
 * several, whose objectives are metrics like the others. */
const char *study_knowledge_objective(const study_def *sd);

/* The values of every objective of sd among n metrics (out: n_objectives
 * values, in the study's order). 0, or -1 with *missing (may be NULL) the
 * first objective that is not among them. */
int study_objectives_values(const study_def *sd, const char *const *names,
                            const double *values, size_t n, double *out,
                            const char **missing);

#endif
