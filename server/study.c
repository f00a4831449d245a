/*
 * study.c - study specs: validation of the creation body with a precise
 * field for every error, the normalised form that is stored, loading it back
 * into a bo/ search space, parameter JSON <-> raw configurations.
 */
#include "server/study.h"
#include "server/study_parameter_constraints.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bo/space_conditions.h"
#include "server/study_conditions.h"
#include "util/rng.h"
#include "util/strmap.h"
#include "util/util.h"

#define STUDY_MAX_PARAMS 1000
#define STUDY_MAX_CHOICES 10000
#define STUDY_MAX_NAME 200
#define STUDY_MAX_DESCRIPTION 4096
#define STUDY_MAX_LEASE 31536000.0
/* Room for "BOGRAPH_PARAM_" and a name of STUDY_MAX_NAME bytes. */
#define STUDY_ENV_MAX (STUDY_MAX_NAME + 32)


int study_algorithm_parse(const char *name, study_algorithm *out)
{
    static const struct {
        const char *name;
        study_algorithm alg;
    } table[] = {{"bograph", STUDY_ALG_BOGRAPH},
                 {"gp", STUDY_ALG_GP},
                 {"random", STUDY_ALG_RANDOM},
                 {"sobol", STUDY_ALG_SOBOL}};
    assert(out);
    for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) == 0) {
            *out = table[i].alg;
            return 0;
        }
    }
    return -1;
}

const char *study_algorithm_name(study_algorithm a)
{
    switch (a) {
    case STUDY_ALG_RANDOM: return "random";
    case STUDY_ALG_SOBOL: return "sobol";
    case STUDY_ALG_GP: return "gp";
    case STUDY_ALG_BOGRAPH: return "bograph";
    default: return "unknown";
    }
}

static int one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

static int check_name(const char *name, const char *field, jv_error *e)
{
    if (strlen(name) > STUDY_MAX_NAME)
        return jv_invalid(e, field, "%s is longer than %d characters", field, STUDY_MAX_NAME);
    return 0;
}

/* A float or int parameter: low, high, log. */
static int validate_numeric(json_t *p, const char *pre, const char *name, const char *type,
                            space *sp, json_t *norm, jv_error *e)
{
    char f[256], serr[256];
    int rc = 0;
    int is_int = type[0] == 'i';
    double low = 0, high = 0;
    int log_scale = 0;
    if (json_object_get(p, "choices") || json_object_get(p, "values")) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, json_object_get(p, "choices") ? "choices" : "values"),
                        "a %s parameter takes low and high, not choices or values", type);
    } else if (jv_get_number(p, "low", pre, 1, &low, NULL, e) != 0 ||
               jv_get_number(p, "high", pre, 1, &high, NULL, e) != 0 ||
               jv_get_bool(p, "log", pre, 0, &log_scale, NULL, e) != 0) {
        rc = -1;
    } else if (is_int && !jv_is_integral(json_object_get(p, "low"))) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "low"), "%s must be an integer", f);
    } else if (is_int && !jv_is_integral(json_object_get(p, "high"))) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "high"), "%s must be an integer", f);
    } else if (!(high > low)) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "high"), "%s must be greater than low",
                        f);
    } else if (!isfinite(high - low)) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "high"),
                        "the range of '%s', high - low, is wider than a number can hold", name);
    } else if (log_scale && !(low > 0)) {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "low"),
                        "%s must be positive on a log scale", f);
    } else {
        int arc = is_int ? space_add_int(sp, name, low, high, log_scale, serr, sizeof serr)
                         : space_add_float(sp, name, low, high, log_scale, serr, sizeof serr);
        if (arc != 0)
            rc = jv_invalid(e, pre, "%s: %s", pre, serr);
        else if (is_int)
            json_object_set_new(norm, "low", json_integer((json_int_t)low)),
                json_object_set_new(norm, "high", json_integer((json_int_t)high));
        else
            json_object_set_new(norm, "low", json_real(low)),
                json_object_set_new(norm, "high", json_real(high));
        json_object_set_new(norm, "log", json_boolean(log_scale));
    }
    return rc;
}

/* A categorical parameter: its choices. */
static int validate_categorical(json_t *p, const char *pre, const char *name, space *sp, json_t *norm,
                                jv_error *e)
{
    char f[256], serr[256];
    int rc = 0;
    json_t *choices = json_object_get(p, "choices");
    jv_field(f, sizeof f, pre, "choices");
    size_t n = json_is_array(choices) ? json_array_size(choices) : 0;
    const char **names = NULL;
    if (json_object_get(p, "low") || json_object_get(p, "high") || json_object_get(p, "values"))
        rc = jv_invalid(e, pre, "a categorical parameter takes choices only");
    else if (!choices)
        rc = jv_invalid(e, f, "%s is required", f);
    else if (!json_is_array(choices) || n == 0)
        rc = jv_invalid(e, f, "%s must be a non-empty array of strings", f);
    else if (n > STUDY_MAX_CHOICES)
        rc = jv_invalid(e, f, "%s has more than %d entries", f, STUDY_MAX_CHOICES);
    else if (!(names = calloc(n, sizeof *names)))
        rc = jv_fail(e, 500, "internal", NULL, "out of memory");
    strmap *seen = rc == 0 ? strmap_new(n) : NULL;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        json_t *c = json_array_get(choices, k);
        char cf[300];
        snprintf(cf, sizeof cf, "%s[%zu]", f, k);
        if (!json_is_string(c) || json_string_length(c) == 0 ||
            strlen(json_string_value(c)) != json_string_length(c)) {
            rc = jv_invalid(e, cf, "%s must be a non-empty string", cf);
            break;
        }
        names[k] = json_string_value(c);
        int added = seen ? strmap_put(seen, names[k], k, NULL) : -1;
        if (added < 0)
            rc = jv_fail(e, 500, "internal", NULL, "out of memory");
        else if (added == 0)
            rc = jv_invalid(e, cf, "choice '%s' appears twice", names[k]);
    }
    if (rc == 0 && space_add_categorical(sp, name, names, n, serr, sizeof serr) != 0)
        rc = jv_invalid(e, pre, "%s: %s", pre, serr);
    if (rc == 0)
        json_object_set(norm, "choices", choices);
    strmap_free(seen);
    free(names);
    return rc;
}

/* An ordinal parameter: its numeric values. */
static int validate_ordinal(json_t *p, const char *pre, const char *name, space *sp, json_t *norm,
                            jv_error *e)
{
    char f[256], serr[256];
    int rc = 0;
    json_t *values = json_object_get(p, "values");
    jv_field(f, sizeof f, pre, "values");
    size_t n = json_is_array(values) ? json_array_size(values) : 0;
    double *vals = NULL;
    if (json_object_get(p, "low") || json_object_get(p, "high") || json_object_get(p, "choices"))
        rc = jv_invalid(e, pre, "an ordinal parameter takes values only");
    else if (!values)
        rc = jv_invalid(e, f, "%s is required", f);
    else if (!json_is_array(values) || n == 0)
        rc = jv_invalid(e, f, "%s must be a non-empty array of numbers", f);
    else if (n > STUDY_MAX_CHOICES)
        rc = jv_invalid(e, f, "%s has more than %d entries", f, STUDY_MAX_CHOICES);
    else if (!(vals = calloc(n, sizeof *vals)))
        rc = jv_fail(e, 500, "internal", NULL, "out of memory");
    /* duplicates found by hashing each value's bytes (as hex text) */
    char *keys = rc == 0 ? malloc(n * 17) : NULL;
    strmap *seen = keys ? strmap_new(n) : NULL;
    if (rc == 0 && !seen)
        rc = jv_fail(e, 500, "internal", NULL, "out of memory");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char cf[300];
        snprintf(cf, sizeof cf, "%s[%zu]", f, k);
        if (jv_number_value(json_array_get(values, k), &vals[k]) != 0) {
            rc = jv_invalid(e, cf, "%s must be a finite number", cf);
            break;
        }
        if (vals[k] == 0)
            vals[k] = 0; /* -0 and 0 are the same value */
        char *key = keys + k * 17;
        const unsigned char *bytes = (const unsigned char *)&vals[k];
        for (size_t j = 0; j < sizeof(double); j++)
            snprintf(key + 2 * j, 3, "%02x", bytes[j]);
        int added = strmap_put(seen, key, k, NULL);
        if (added < 0)
            rc = jv_fail(e, 500, "internal", NULL, "out of memory");
        else if (added == 0)
            rc = jv_invalid(e, cf, "value %g appears twice", vals[k]);
    }
    if (rc == 0 && space_add_ordinal(sp, name, vals, n, serr, sizeof serr) != 0)
        rc = jv_invalid(e, pre, "%s: %s", pre, serr);
    if (rc == 0)
        json_object_set(norm, "values", values);
    strmap_free(seen);
    free(keys);
    free(vals);
    return rc;
}

/* Validates parameters[i] and appends its normalised form to out, adding it
 * to sp so the space itself confirms it. */
static int validate_param(json_t *p, size_t i, space *sp, json_t *out, jv_error *e)
{
    char pre[64], f[256];
    snprintf(pre, sizeof pre, "parameters[%zu]", i);
    if (!json_is_object(p))
        return jv_invalid(e, pre, "%s must be an object", pre);
    static const char *const keys[] = {"name", "type", "low", "high", "log", "choices", "values",
                                       "description", "condition", NULL};
    if (jv_only_keys(p, keys, pre, e) != 0)
        return -1;
    /* a plugin's parameters come with a description: kept as given */
    const char *description = NULL;
    if (jv_get_string(p, "description", pre, 0, 0, &description, NULL, e) != 0)
        return -1;
    if (description && strlen(description) > STUDY_MAX_DESCRIPTION)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "description"),
                          "%s is longer than %d characters", f, STUDY_MAX_DESCRIPTION);
    const char *name = NULL, *type = NULL;
    if (jv_get_string(p, "name", pre, 1, 1, &name, NULL, e) != 0 ||
        check_name(name, jv_field(f, sizeof f, pre, "name"), e) != 0)
        return -1;
    if (space_index_of(sp, name) >= 0)
        return jv_invalid(e, jv_field(f, sizeof f, pre, "name"), "parameter '%s' appears twice",
                          name);
    if (jv_get_string(p, "type", pre, 1, 1, &type, NULL, e) != 0)
        return -1;
    json_t *norm = json_pack("{s:s, s:s}", "name", name, "type", type);
    if (!norm)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    int rc;
    if (strcmp(type, "float") == 0 || strcmp(type, "int") == 0) {
        rc = validate_numeric(p, pre, name, type, sp, norm, e);
    } else if (strcmp(type, "categorical") == 0) {
        rc = validate_categorical(p, pre, name, sp, norm, e);
    } else if (strcmp(type, "ordinal") == 0) {
        rc = validate_ordinal(p, pre, name, sp, norm, e);
    } else {
        rc = jv_invalid(e, jv_field(f, sizeof f, pre, "type"),
                        "%s must be float, int, categorical or ordinal", f);
    }
    if (rc == 0 && description)
        json_object_set_new(norm, "description", json_string(description));
    if (rc == 0)
        json_array_append(out, norm);
    json_decref(norm);
    return rc;
}

/* The environment variable a parameter reaches a `command` program as
 * (plugins/command.c): BOGRAPH_PARAM_ and the name with ASCII letters
 * upper-cased, digits kept and every other byte as '_'. */
static void param_env_name(const char *name, char *out, size_t out_len)
{
    size_t o = (size_t)snprintf(out, out_len, "BOGRAPH_PARAM_");
    for (const unsigned char *c = (const unsigned char *)name; *c && o + 1 < out_len; c++) {
        int alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
        out[o++] = !alnum ? '_' : (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : (char)*c;
    }
    out[o] = '\0';
}

/* Parameters whose names become the same environment variable (a-b and
 * a_b are both BOGRAPH_PARAM_A_B): a 400 naming both. envs maps the names
 * seen so far; env_text holds space for one name per parameter. */
static int check_env_clash(json_t *params, size_t i, strmap *envs, char *env_text, jv_error *e)
{
    const char *name = json_string_value(json_object_get(json_array_get(params, i), "name"));
    char *env = env_text + i * STUDY_ENV_MAX;
    param_env_name(name, env, STUDY_ENV_MAX);
    size_t prev = 0;
    int added = strmap_put(envs, env, i, &prev);
    if (added < 0)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    if (added == 0) {
        char f[64];
        snprintf(f, sizeof f, "parameters[%zu].name", i);
        return jv_invalid(e, f, "parameters '%s' and '%s' both become the environment variable %s",
                          json_string_value(json_object_get(json_array_get(params, prev), "name")),
                          name, env);
    }
    return 0;
}

static int validate_pair_list(json_t *list, const char *field, json_t **out, jv_error *e)
{
    if (!list) {
        *out = json_array();
        return 0;
    }
    if (!json_is_array(list))
        return jv_invalid(e, field, "%s must be an array of [from, to] pairs", field);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *pair = json_array_get(list, i);
        char f[300];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_string(json_array_get(pair, 0)) || !json_is_string(json_array_get(pair, 1)) ||
            json_string_length(json_array_get(pair, 0)) == 0 ||
            json_string_length(json_array_get(pair, 1)) == 0)
            return jv_invalid(e, f, "%s must be a pair of non-empty names [from, to]", f);
    }
    *out = json_deep_copy(list);
    return 0;
}

/* The names of a list of [from, to] pairs, flattened (from0, to0, ...);
 * NULL when out of memory. */
static const char **pair_names(json_t *list, size_t *n_pairs)
{
    size_t n = json_array_size(list);
    const char **out = calloc(2 * n + 1, sizeof *out);
    *n_pairs = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(list, i);
        out[2 * i] = json_string_value(json_array_get(pair, 0));
        out[2 * i + 1] = json_string_value(json_array_get(pair, 1));
    }
    *n_pairs = n;
    return out;
}

knowledge *study_knowledge_build(json_t *norm, char *err, size_t err_len)
{
    if (!json_is_object(norm)) {
        util_err(err, err_len, "knowledge is not an object");
        return NULL;
    }
    size_t n_edges = 0, n_forbidden = 0, n_models = 0;
    const char **edges = pair_names(json_object_get(norm, "edges"), &n_edges);
    const char **forbidden = pair_names(json_object_get(norm, "forbidden"), &n_forbidden);
    json_t *models = json_object_get(norm, "models");
    size_t cap = json_object_size(models) + 1;
    const char **nodes = calloc(cap, sizeof *nodes), **formulas = calloc(cap, sizeof *formulas);
    knowledge *kn = NULL;
    if (!edges || !forbidden || !nodes || !formulas) {
        util_err(err, err_len, "out of memory");
    } else {
        const char *key;
        json_t *val;
        json_object_foreach(models, key, val) {
            nodes[n_models] = key;
            formulas[n_models] = json_string_value(val);
            n_models++;
        }
        kn = knowledge_from_arrays(edges, n_edges, forbidden, n_forbidden, nodes, formulas,
                                   n_models, err, err_len);
    }
    free(edges);
    free(forbidden);
    free(nodes);
    free(formulas);
    return kn;
}

/* A knowledge message "edges[1]: ..." or "models.edp: ..." as a 400 whose
 * field is "<field>.edges[1]" / "<field>.models.edp". */
static int knowledge_error(const char *msg, const char *field, jv_error *e)
{
    char f[256];
    const char *colon = strstr(msg, ": ");
    size_t n = colon ? (size_t)(colon - msg) : 0;
    if (n && n < 200 &&
        (strncmp(msg, "edges[", 6) == 0 || strncmp(msg, "forbidden[", 10) == 0 ||
         strncmp(msg, "models.", 7) == 0))
        snprintf(f, sizeof f, "%s.%.*s", field, (int)n, msg);
    else
        snprintf(f, sizeof f, "%s", field);
    return jv_invalid(e, f, "%s: %s", field, msg);
}

int study_knowledge_check(json_t *norm, const space *sp, const char *objective,
                          const char *field, jv_error *e)
{
    char err[512] = "";
    knowledge *kn = study_knowledge_build(norm, err, sizeof err);
    if (!kn)
        return knowledge_error(err, field, e);
    size_t p = space_size(sp);
    const char **names = calloc(p + 1, sizeof *names);
    if (!names) {
        knowledge_free(kn);
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    }
    for (size_t j = 0; j < p; j++)
        names[j] = space_param_name(sp, j);
    int rc = knowledge_validate(kn, NULL, 0, names, p, objective, err, sizeof err);
    free(names);
    knowledge_free(kn);
    return rc == 0 ? 0 : knowledge_error(err, field, e);
}

int study_knowledge_validate(json_t *k, const char *field, json_t **out, jv_error *e)
{
    *out = NULL;
    if (!json_is_object(k))
        return jv_invalid(e, field, "%s must be an object with edges, forbidden and models", field);
    static const char *const keys[] = {"edges", "forbidden", "models", NULL};
    if (jv_only_keys(k, keys, field, e) != 0)
        return -1;
    char f[256];
    /* the caps (structure/knowledge.h) bound the work of every later check */
    static const struct {
        const char *key, *what;
        size_t max;
    } caps[] = {{"edges", "required edges", KNOWLEDGE_MAX_EDGES},
                {"forbidden", "forbidden edges", KNOWLEDGE_MAX_FORBIDDEN},
                {"models", "models", KNOWLEDGE_MAX_MODELS}};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        json_t *part = json_object_get(k, caps[c].key);
        size_t n = json_is_array(part) ? json_array_size(part) : json_object_size(part);
        if (n > caps[c].max)
            return jv_invalid(e, jv_field(f, sizeof f, field, caps[c].key),
                              "%s: at most %zu %s (%zu given)", f, caps[c].max, caps[c].what, n);
    }
    json_t *edges = NULL, *forbidden = NULL;
    if (validate_pair_list(json_object_get(k, "edges"), jv_field(f, sizeof f, field, "edges"),
                           &edges, e) != 0)
        return -1;
    if (validate_pair_list(json_object_get(k, "forbidden"),
                           jv_field(f, sizeof f, field, "forbidden"), &forbidden, e) != 0) {
        json_decref(edges);
        return -1;
    }
    json_t *models = json_object_get(k, "models");
    jv_field(f, sizeof f, field, "models");
    if (models && !json_is_object(models)) {
        json_decref(edges);
        json_decref(forbidden);
        return jv_invalid(e, f, "%s must be an object of name: formula strings", f);
    }
    const char *key;
    json_t *val;
    json_object_foreach(models, key, val) {
        if (!json_is_string(val) || json_string_length(val) == 0 || key[0] == '\0') {
            char mf[300];
            snprintf(mf, sizeof mf, "%s.%s", f, key);
            json_decref(edges);
            json_decref(forbidden);
            return jv_invalid(e, mf, "%s must be a non-empty formula string", mf);
        }
    }
    *out = json_pack("{s:o, s:o, s:o}", "edges", edges, "forbidden", forbidden, "models",
                     models ? json_deep_copy(models) : json_object());
    if (!*out)
        return jv_fail(e, 500, "internal", NULL, "out of memory");
    return 0;
}

static uint64_t fresh_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    /* splitmix64 finaliser, so nearby times give unrelated seeds */
    return rng_finalise(x + RNG_GOLDEN) & 0x7fffffffffffffULL; /* fits a JSON integer */
}

/* The constraints [{metric, op, value}] of a creation body, normalised into norm_cons. */
static int validate_constraints(json_t *body, json_t *norm_cons, jv_error *e)
{
    json_t *constraints = json_object_get(body, "constraints");
    if (!constraints || json_is_null(constraints))
        return 0;
    if (!json_is_array(constraints))
        return jv_invalid(e, "constraints", "constraints must be an array");
    for (size_t i = 0; i < json_array_size(constraints); i++) {
        json_t *c = json_array_get(constraints, i);
        char pre[64];
        snprintf(pre, sizeof pre, "constraints[%zu]", i);
        static const char *const ckeys[] = {"metric", "op", "value", NULL};
        const char *metric = NULL, *op = NULL;
        double value = 0;
        constraint_op sop;
        if (!json_is_object(c))
            return jv_invalid(e, pre, "%s must be an object {metric, op, value}", pre);
        if (jv_only_keys(c, ckeys, pre, e) != 0 ||
            jv_get_string(c, "metric", pre, 1, 1, &metric, NULL, e) != 0 ||
            jv_get_string(c, "op", pre, 1, 1, &op, NULL, e) != 0 ||
            jv_get_number(c, "value", pre, 1, &value, NULL, e) != 0)
            return -1;
        if (constraint_op_parse(op, &sop) != 0) {
            char f[128];
            return jv_invalid(e, jv_field(f, sizeof f, pre, "op"),
                              "%s must be one of <=, <, >=, >, ==", f);
        }
        json_array_append_new(norm_cons, json_pack("{s:s, s:s, s:f}", "metric", metric, "op", op,
                                                   "value", value));
    }
    return 0;
}

/* The default of a creation body, parsed against the space just built, into spec. */
static int validate_default(json_t *body, space *sp, json_t *spec, jv_error *e)
{
    json_t *def = json_object_get(body, "default");
    if (!def || json_is_null(def)) {
        json_object_set_new(spec, "default", json_null());
        return 0;
    }
    study_def tmp = {0};
    tmp.sp = sp;
    int rc;
    double *cfg = malloc((space_size(sp) ? space_size(sp) : 1) * sizeof *cfg);
    if (!cfg)
        rc = jv_fail(e, 500, "internal", NULL, "out of memory");
    else if (!json_is_object(def))
        rc = jv_invalid(e, "default", "default must be an object of parameter values");
    else
        rc = study_params_parse(&tmp, def, "default", cfg, e);
    if (rc == 0)
        json_object_set_new(spec, "default", study_params_json(&tmp, cfg));
    free(cfg);
    return rc;
}

int study_validate(json_t *body, json_t **spec_out, json_t **knowledge_out, jv_error *e)
{
    assert(body && spec_out && knowledge_out && e);
    *spec_out = NULL;
    *knowledge_out = NULL;
    static const char *const keys[] = {"name", "plugin", "parameters", "objective", "objectives",
                                       "constraints", "default", "algorithm", "knowledge", "budget",
                                       "lease_seconds", "seed", "if_exists", "log_format",
                                       "plugin_options", "relearn_every",
                                       "parameter_constraints", NULL};
    if (jv_only_keys(body, keys, "", e) != 0)
        return -1;
    const char *name = NULL, *plugin = NULL, *algorithm = "bograph", *if_exists = "error",
               *log_format = NULL;
    if (jv_get_string(body, "name", "", 1, 1, &name, NULL, e) != 0 ||
        check_name(name, "name", e) != 0 ||
        jv_get_string(body, "plugin", "", 0, 1, &plugin, NULL, e) != 0 ||
        jv_get_string(body, "algorithm", "", 0, 1, &algorithm, NULL, e) != 0 ||
        jv_get_string(body, "if_exists", "", 0, 1, &if_exists, NULL, e) != 0 ||
        jv_get_string(body, "log_format", "", 0, 1, &log_format, NULL, e) != 0)
        return -1;
    study_algorithm alg;
    if (study_algorithm_parse(algorithm, &alg) != 0)
        return jv_invalid(e, "algorithm", "algorithm must be bograph, gp, random or sobol");
    static const char *const if_exists_values[] = {"error", "return", NULL};
    if (!one_of(if_exists, if_exists_values))
        return jv_invalid(e, "if_exists", "if_exists must be error or return");
    int64_t budget = -1, seed = -1, relearn = 0;
    double lease = STUDY_DEFAULT_LEASE_SECONDS;
    int has_seed = 0;
    if (jv_get_int(body, "budget", "", 0, 1, 1000000000, &budget, NULL, e) != 0 ||
        jv_get_int(body, "relearn_every", "", 0, 1, 1000000, &relearn, NULL, e) != 0 ||
        jv_get_number(body, "lease_seconds", "", 0, &lease, NULL, e) != 0 ||
        jv_get_int(body, "seed", "", 0, 0, 9007199254740991LL, &seed, &has_seed, e) != 0)
        return -1;
    if (!(lease > 0) || lease > STUDY_MAX_LEASE)
        return jv_invalid(e, "lease_seconds", "lease_seconds must be > 0 and at most a year");
    /* run options of the study's plugin (checked by the plugin hook), kept as given */
    json_t *popts = json_object_get(body, "plugin_options");
    if (popts && !json_is_null(popts) && !json_is_object(popts))
        return jv_invalid(e, "plugin_options", "plugin_options must be an object");

    json_t *params = json_object_get(body, "parameters");
    if (!params || json_is_null(params))
        return jv_invalid(e, "parameters", "parameters is required (or a plugin that gives them)");
    if (!json_is_array(params) || json_array_size(params) == 0)
        return jv_invalid(e, "parameters", "parameters must be a non-empty array");
    if (json_array_size(params) > STUDY_MAX_PARAMS)
        return jv_invalid(e, "parameters", "at most %d parameters", STUDY_MAX_PARAMS);
    space *sp = space_new();
    json_t *norm_params = json_array();
    json_t *spec = NULL, *knowledge = NULL;
    strmap *envs = strmap_new(json_array_size(params));
    char *env_text = malloc(json_array_size(params) * STUDY_ENV_MAX);
    int rc = (sp && norm_params && envs && env_text)
                 ? 0
                 : jv_fail(e, 500, "internal", NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < json_array_size(params); i++) {
        rc = validate_param(json_array_get(params, i), i, sp, norm_params, e);
        if (rc == 0)
            rc = check_env_clash(params, i, envs, env_text, e);
    }
    if (rc == 0)
        rc = study_conditions_validate(params, sp, norm_params, e);

    const char *obj_name = NULL, *goal = "minimize";
    json_t *objectives = NULL; /* several objectives: study_objectives.c */
    if (rc == 0)
        rc = study_objectives_validate(body, &obj_name, &goal, &objectives, e);

    json_t *norm_cons = json_array();
    if (rc == 0)
        rc = validate_constraints(body, norm_cons, e);

    /* knowledge */
    json_t *k = json_object_get(body, "knowledge");
    if (rc == 0 && k && !json_is_null(k)) {
        rc = study_knowledge_validate(k, "knowledge", &knowledge, e);
        if (rc == 0)
            rc = study_knowledge_check(knowledge, sp, objectives ? NULL : obj_name, "knowledge",
                                       e);
    }

    if (rc == 0) {
        spec = json_pack("{s:s, s:o, s:{s:s, s:s}, s:O, s:s, s:f}", "name", name, "parameters",
                         json_incref(norm_params), "objective", "name", obj_name, "goal", goal,
                         "constraints", norm_cons, "algorithm", algorithm, "lease_seconds", lease);
        if (!spec) {
            rc = jv_fail(e, 500, "internal", NULL, "out of memory");
        } else {
            json_object_set_new(spec, "plugin", plugin ? json_string(plugin) : json_null());
            json_object_set_new(spec, "budget", budget > 0 ? json_integer(budget) : json_null());
            json_object_set_new(spec, "relearn_every",
                                relearn > 0 ? json_integer(relearn) : json_null());
            json_object_set_new(spec, "seed",
                                json_integer(has_seed ? (json_int_t)seed : (json_int_t)fresh_seed()));
            json_object_set_new(spec, "log_format", log_format ? json_string(log_format) : json_null());
            if (objectives)
                json_object_set_new(spec, "objective", json_null()),
                    json_object_set(spec, "objectives", objectives);
            if (popts && json_is_object(popts))
                json_object_set(spec, "plugin_options", popts);
        }
    }

    if (rc == 0)
        rc = validate_default(body, sp, spec, e);
    if (rc == 0)
        rc = study_pcons_validate(body, sp, spec, e);
    json_decref(norm_params);
    json_decref(norm_cons);
    json_decref(objectives);
    strmap_free(envs);
    free(env_text);
    space_free(sp);
    if (rc != 0) {
        json_decref(spec);
        json_decref(knowledge);
        return -1;
    }
    *spec_out = spec;
    *knowledge_out = knowledge;
    return 0;
}

int study_def_load(const char *spec_text, study_def *out, char *err, size_t err_len)
{
    assert(spec_text && out);
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    out->spec = json_loads(spec_text, 0, &jerr);
    if (!out->spec)
        return util_err(err, err_len, "stored study spec is not JSON: %s", jerr.text);
    json_t *spec = out->spec;
    out->sp = space_new();
    if (!out->sp) {
        study_def_free(out);
        return util_err(err, err_len, "out of memory");
    }
    out->name = json_string_value(json_object_get(spec, "name"));
    out->plugin = json_string_value(json_object_get(spec, "plugin"));
    out->objective = json_string_value(json_object_get(json_object_get(spec, "objective"), "name"));
    const char *goal = json_string_value(json_object_get(json_object_get(spec, "objective"), "goal"));
    out->maximize = goal && strcmp(goal, "maximize") == 0;
    out->algorithm_name = json_string_value(json_object_get(spec, "algorithm"));
    if (study_algorithm_parse(out->algorithm_name, &out->algorithm) != 0)
        out->algorithm = STUDY_ALG_UNKNOWN;
    out->log_format = json_string_value(json_object_get(spec, "log_format"));
    json_t *budget = json_object_get(spec, "budget");
    out->budget = json_is_integer(budget) ? (int64_t)json_integer_value(budget) : -1;
    out->lease_seconds = json_number_value(json_object_get(spec, "lease_seconds"));
    if (!(out->lease_seconds > 0))
        out->lease_seconds = STUDY_DEFAULT_LEASE_SECONDS;
    out->seed = (uint64_t)json_integer_value(json_object_get(spec, "seed"));
    json_t *relearn = json_object_get(spec, "relearn_every");
    out->relearn_every = json_is_integer(relearn) && json_integer_value(relearn) > 0
                             ? (size_t)json_integer_value(relearn)
                             : 0;
    if (study_objectives_load(out, err, err_len) != 0) {
        study_def_free(out);
        return -1;
    }
    if (!out->name || !out->objective || !out->algorithm_name) {
        study_def_free(out);
        return util_err(err, err_len, "stored study spec lacks name, objective or algorithm");
    }
    json_t *params = json_object_get(spec, "parameters");
    char serr[256];
    for (size_t i = 0; i < json_array_size(params); i++) {
        json_t *p = json_array_get(params, i);
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *type = json_string_value(json_object_get(p, "type"));
        int rc = -1;
        if (!name || !type) {
            snprintf(serr, sizeof serr, "parameter without name or type");
        } else if (strcmp(type, "float") == 0 || strcmp(type, "int") == 0) {
            double low = json_number_value(json_object_get(p, "low"));
            double high = json_number_value(json_object_get(p, "high"));
            int lg = json_is_true(json_object_get(p, "log"));
            rc = type[0] == 'f' ? space_add_float(out->sp, name, low, high, lg, serr, sizeof serr)
                                : space_add_int(out->sp, name, low, high, lg, serr, sizeof serr);
        } else if (strcmp(type, "categorical") == 0) {
            json_t *ch = json_object_get(p, "choices");
            size_t n = json_array_size(ch);
            const char **names = calloc(n ? n : 1, sizeof *names);
            if (names) {
                for (size_t k = 0; k < n; k++)
                    names[k] = json_string_value(json_array_get(ch, k));
                rc = space_add_categorical(out->sp, name, names, n, serr, sizeof serr);
                free(names);
            }
        } else if (strcmp(type, "ordinal") == 0) {
            json_t *vs = json_object_get(p, "values");
            size_t n = json_array_size(vs);
            double *vals = calloc(n ? n : 1, sizeof *vals);
            if (vals) {
                for (size_t k = 0; k < n; k++)
                    vals[k] = json_number_value(json_array_get(vs, k));
                rc = space_add_ordinal(out->sp, name, vals, n, serr, sizeof serr);
                free(vals);
            }
        } else {
            snprintf(serr, sizeof serr, "unknown type %s", type);
        }
        if (rc != 0) {
            study_def_free(out);
            return util_err(err, err_len, "stored study spec: parameter %zu: %s", i, serr);
        }
    }
    if (study_pcons_load(spec, out->sp, err, err_len) != 0) {
        study_def_free(out);
        return -1;
    }
    if (study_conditions_load(params, out->sp, err, err_len) != 0) {
        study_def_free(out);
        return -1;
    }
    json_t *cons = json_object_get(spec, "constraints");
    out->n_constraints = json_array_size(cons);
    if (out->n_constraints) {
        out->constraints = calloc(out->n_constraints, sizeof *out->constraints);
        if (!out->constraints) {
            study_def_free(out);
            return util_err(err, err_len, "out of memory");
        }
        for (size_t i = 0; i < out->n_constraints; i++) {
            json_t *c = json_array_get(cons, i);
            out->constraints[i].metric = json_string_value(json_object_get(c, "metric"));
            out->constraints[i].value = json_number_value(json_object_get(c, "value"));
            const char *op = json_string_value(json_object_get(c, "op"));
            if (!out->constraints[i].metric || !op ||
                constraint_op_parse(op, &out->constraints[i].op) != 0) {
                study_def_free(out);
                return util_err(err, err_len, "stored study spec: bad constraint %zu", i);
            }
        }
    }
    json_t *def = json_object_get(spec, "default");
    if (json_is_object(def)) {
        jv_error e;
        out->default_config = malloc((space_size(out->sp) + 1) * sizeof(double));
        if (!out->default_config ||
            study_params_parse(out, def, "default", out->default_config, &e) != 0) {
            util_err(err, err_len, "stored study spec: default: %s",
                     out->default_config ? e.message : "out of memory");
            study_def_free(out);
            return -1;
        }
    }
    return 0;
}

void study_def_free(study_def *sd)
{
    if (!sd)
        return;
    json_decref(sd->spec);
    space_free(sd->sp);
    free(sd->constraints);
    free(sd->default_config);
    memset(sd, 0, sizeof *sd);
}

int study_params_parse(const study_def *sd, json_t *params, const char *prefix, double *config,
                       jv_error *e)
{
    const space *sp = sd->sp;
    if (!json_is_object(params))
        return jv_invalid(e, prefix, "%s must be an object of parameter values", prefix);
    const char *key;
    json_t *val;
    char f[300];
    json_object_foreach(params, key, val) {
        if (space_index_of(sp, key) < 0)
            return jv_invalid(e, jv_field(f, sizeof f, prefix, key), "unknown parameter '%s'",
                              key);
    }
    size_t n = space_size(sp);
    for (size_t i = 0; i < n; i++) {
        const char *name = space_param_name(sp, i);
        jv_field(f, sizeof f, prefix, name);
        json_t *v = json_object_get(params, name);
        if (!v && space_has_conditions(sp)) {
            config[i] = NAN; /* study_conditions_check_params says whether it may be */
            continue;
        }
        if (!v)
            return jv_invalid(e, f, "parameter '%s' is missing", name);
        space_type t = space_param_type(sp, i);
        if (t == SPACE_CATEGORICAL) {
            if (!json_is_string(v))
                return jv_invalid(e, f, "%s must be one of the choices (a string)", f);
            int idx = space_choice_index(sp, i, json_string_value(v));
            if (idx < 0)
                return jv_invalid(e, f, "'%s' is not a choice of %s", json_string_value(v), name);
            config[i] = idx;
            continue;
        }
        double d;
        if (jv_number_value(v, &d) != 0)
            return jv_invalid(e, f, "%s must be a finite number", f);
        if (t == SPACE_ORDINAL) {
            size_t k, nv = space_param_n_choices(sp, i);
            for (k = 0; k < nv; k++)
                if (space_param_value(sp, i, k) == d)
                    break;
            if (k == nv)
                return jv_invalid(e, f, "%g is not one of the values of %s", d, name);
        } else {
            if (t == SPACE_INT && !jv_is_integral(v))
                return jv_invalid(e, f, "%s must be an integer", f);
            double low = space_param_low(sp, i), high = space_param_high(sp, i);
            if (d < low || d > high)
                return jv_invalid(e, f, "%s = %g is outside [%g, %g]", f, d, low, high);
        }
        config[i] = d;
    }
    if (space_has_conditions(sp) && study_conditions_check_params(sp, prefix, config, e) != 0)
        return -1;
    char serr[256];
    if (space_validate(sp, config, serr, sizeof serr) != 0)
        return jv_invalid(e, prefix, "%s: %s", prefix, serr);
    return 0;
}

json_t *study_params_json(const study_def *sd, const double *config)
{
    const space *sp = sd->sp;
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < space_size(sp); i++) {
        const char *name = space_param_name(sp, i);
        json_t *v;
        if (!space_param_active(sp, config, i))
            continue; /* params hold exactly the active parameters */
        switch (space_param_type(sp, i)) {
        case SPACE_CATEGORICAL:
            v = json_string(space_param_choice(sp, i, (size_t)config[i]));
            break;
        case SPACE_INT:
            v = json_integer((json_int_t)llround(config[i]));
            break;
        case SPACE_ORDINAL:
            v = (floor(config[i]) == config[i] && fabs(config[i]) < 9e15)
                    ? json_integer((json_int_t)config[i])
                    : json_real(config[i]);
            break;
        default:
            v = json_real(config[i]);
            break;
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

int study_constraints_met(const study_def *sd, const char *const *names, const double *values,
                          size_t n)
{
    for (size_t c = 0; c < sd->n_constraints; c++) {
        const study_constraint *k = &sd->constraints[c];
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(names[i], k->metric) == 0)
                break;
        if (i == n)
            return 0;
        double v = values[i];
        if (!constraint_op_holds(k->op, v, k->value))
            return 0;
    }
    return 1;
}
