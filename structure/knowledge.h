/*
 * knowledge.h - what an expert knows about a study's system, as the BoGraph
 * model uses it: required edges (always in the graph), forbidden edges
 * (never learnt), and parametric models, a node given as a formula of other
 * nodes (e.g. "edp" = "energy * latency"), parsed by util/formula.h. A
 * parametric node is modelled as the formula (its mean) plus a GP on the
 * residual, as in BOAT.
 *
 * Names are node names: parameter names, metric names and the objective's
 * name. They are checked against the known names by knowledge_validate (the
 * service calls it when knowledge arrives, so a typo is a 400, not a silently
 * ignored edge); bograph_suggest validates again against the study.
 *
 * A knowledge handle is immutable once built and may then be read by several
 * threads at once. Building one (knowledge_add_*) is single-threaded.
 */
#ifndef BOGRAPH_STRUCTURE_KNOWLEDGE_H
#define BOGRAPH_STRUCTURE_KNOWLEDGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct knowledge knowledge;

/* The most a handle holds (docs/api.md): beyond them adding is an error.
 * Checks and lookups are linear in these (hash sets, an iterative cycle
 * check), so the caps bound the work of one request. */
#define KNOWLEDGE_MAX_EDGES 50000
#define KNOWLEDGE_MAX_FORBIDDEN 200000
#define KNOWLEDGE_MAX_MODELS 1000

knowledge *knowledge_new(void);
void knowledge_free(knowledge *kn);
knowledge *knowledge_clone(const knowledge *kn);

/* A required edge from -> to. Self loops, empty names and more than
 * KNOWLEDGE_MAX_EDGES edges are errors (a repeat is not added again).
 * 0, or -1 with a message. */
int knowledge_add_edge(knowledge *kn, const char *from, const char *to,
                       char *err, size_t err_len);
/* A forbidden edge from -> to (at most KNOWLEDGE_MAX_FORBIDDEN). */
int knowledge_add_forbidden(knowledge *kn, const char *from, const char *to,
                            char *err, size_t err_len);
/* node = formula. The formula is parsed now: a syntax error, a formula with
 * no variable, one that names node itself, or a second model for the same
 * node is an error. Its variables become node's parents (expert edges). */
int knowledge_add_model(knowledge *kn, const char *node, const char *formula,
                        char *err, size_t err_len);

/* Builds a handle from C arrays, the shape of the REST body:
 * edges and forbidden hold pairs (from0, to0, from1, to1, ...), n_edges and
 * n_forbidden count pairs; model_nodes[i] = model_formulas[i]. Any array may
 * be NULL when its count is 0. NULL with a message on error; the message
 * names the offending entry, e.g. "edges[1]: ..." or "models.edp: ...". */
knowledge *knowledge_from_arrays(const char *const *edges, size_t n_edges,
                                 const char *const *forbidden, size_t n_forbidden,
                                 const char *const *model_nodes,
                                 const char *const *model_formulas, size_t n_models,
                                 char *err, size_t err_len);

/* Checks the handle against a study: an edge that is both required and
 * forbidden, a required edge or model into a parameter (param_names, may be
 * NULL), the objective as a parent (objective may be NULL), and required
 * edges and models that form a cycle are errors. When names is not NULL,
 * every name must also be one of names[0..n_names) (parameters, metrics,
 * objective). The service cannot know metric names before trials report
 * them, so at PUT time it passes names = NULL; bograph_suggest ignores
 * entries naming nodes it does not have yet. 0, or -1 with a message naming
 * the entry ("edges[0]: unknown node 'foo'"). Linear in the knowledge and
 * the names; the cycle check is iterative, so a chain of any length is fine
 * on any stack. */
int knowledge_validate(const knowledge *kn, const char *const *names, size_t n_names,
                       const char *const *param_names, size_t n_params,
                       const char *objective, char *err, size_t err_len);

/* Read access, for the model and for the service's GET answers. */
size_t knowledge_n_edges(const knowledge *kn);
void knowledge_edge(const knowledge *kn, size_t i, const char **from, const char **to);
size_t knowledge_n_forbidden(const knowledge *kn);
void knowledge_forbidden(const knowledge *kn, size_t i, const char **from, const char **to);
size_t knowledge_n_models(const knowledge *kn);
void knowledge_model(const knowledge *kn, size_t i, const char **node, const char **formula);
/* The variables (parent node names) of model i, in a stable order. */
size_t knowledge_model_n_vars(const knowledge *kn, size_t i);
const char *knowledge_model_var(const knowledge *kn, size_t i, size_t k);
/* Index of the model for node, -1 when none. */
int knowledge_model_index(const knowledge *kn, const char *node);

/* A hash of the content: equal knowledge gives equal fingerprints, so the
 * model notices changed knowledge even when the handle is rebuilt per call. */
uint64_t knowledge_fingerprint(const knowledge *kn);

/* A compiled formula (util/formula.h), for evaluation. One per thread:
 * evaluation is not reentrant on one handle. vars are the model's variables
 * in the order of knowledge_model_var. */
typedef struct formula knowledge_formula;
knowledge_formula *knowledge_formula_new(const knowledge *kn, size_t model,
                                         char *err, size_t err_len);
void knowledge_formula_free(knowledge_formula *f);
/* Value at values[k] for variable k; NAN when undefined there (e.g. log of a
 * negative number). */
double knowledge_formula_eval(knowledge_formula *f, const double *values);

#endif
