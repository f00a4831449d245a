/*
 * test_knowledge.c - the expert knowledge every built-in plugin declares is
 * accepted by structure/knowledge.h as the service will use it: edges and
 * forbidden edges between known nodes, no edge into a parameter or out of
 * the objective, no cycle, and formulas that parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "plugins/builtin.h"
#include "structure/knowledge.h"

static void check_plugin(const plugin *p)
{
    size_t n_names = p->n_params + p->n_metric_names + 1;
    const char **edges = calloc(2 * p->n_edges + 1, sizeof *edges);
    const char **forb = calloc(2 * p->n_forbidden + 1, sizeof *forb);
    const char **mnode = calloc(p->n_models + 1, sizeof *mnode);
    const char **mexpr = calloc(p->n_models + 1, sizeof *mexpr);
    const char **names = calloc(n_names, sizeof *names);
    const char **params = calloc(p->n_params, sizeof *params);
    assert_true(edges && forb && mnode && mexpr && names && params);
    for (size_t i = 0; i < p->n_edges; i++) {
        edges[2 * i] = p->edges[i].from;
        edges[2 * i + 1] = p->edges[i].to;
    }
    for (size_t i = 0; i < p->n_forbidden; i++) {
        forb[2 * i] = p->forbidden[i].from;
        forb[2 * i + 1] = p->forbidden[i].to;
    }
    for (size_t i = 0; i < p->n_models; i++) {
        mnode[i] = p->models[i].node;
        mexpr[i] = p->models[i].expr;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->n_params; i++)
        names[k++] = params[i] = p->params[i].name;
    for (size_t i = 0; i < p->n_metric_names; i++)
        names[k++] = p->metric_names[i];
    names[k++] = p->objective;
    char err[512] = "";
    knowledge *kn = knowledge_from_arrays(edges, p->n_edges, forb, p->n_forbidden, mnode, mexpr,
                                          p->n_models, err, sizeof err);
    if (!kn)
        fail_msg("%s: %s", p->name, err);
    if (knowledge_validate(kn, names, k, params, p->n_params, p->objective, err, sizeof err) != 0)
        fail_msg("%s: %s", p->name, err);
    assert_int_equal(knowledge_n_edges(kn), p->n_edges);
    assert_int_equal(knowledge_n_models(kn), p->n_models);
    knowledge_free(kn);
    free(edges);
    free(forb);
    free(mnode);
    free(mexpr);
    free(names);
    free(params);
}

static void test_builtin_knowledge_validates(void **state)
{
    (void)state;
    check_plugin(&plugin_rocksdb);
    check_plugin(&plugin_rocksdb_extended);
    check_plugin(&plugin_accelerator);
    check_plugin(&plugin_partition);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_knowledge_validates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
