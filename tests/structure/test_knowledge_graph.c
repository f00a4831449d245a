/*
 * test_knowledge_graph.c - the graph side of expert knowledge at scale
 * (structure/knowledge.c): a chain of 20,000 required edges is checked on a
 * thread with a 512 KiB stack (a recursive cycle search overflowed it), a
 * cycle closed at the end of such a chain is found and named, repeated
 * edges are one edge, the caps on edges, forbidden edges and models, and
 * checks against many forbidden edges and names.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "structure/knowledge.h"

#define CHAIN 20000

/* Names n0 .. n<count-1>, as one array of pointers into one buffer. */
static const char **names_make(size_t count, char **text)
{
    *text = malloc(count * 24);
    const char **names = malloc(count * sizeof *names);
    assert_non_null(*text);
    assert_non_null(names);
    for (size_t i = 0; i < count; i++) {
        snprintf(*text + 24 * i, 24, "n%zu", i);
        names[i] = *text + 24 * i;
    }
    return names;
}

/* The chain n0 -> n1 -> ... -> n<len> as from/to pairs. */
static const char **chain_pairs(const char **names, size_t len)
{
    const char **pairs = malloc(2 * len * sizeof *pairs);
    assert_non_null(pairs);
    for (size_t i = 0; i < len; i++) {
        pairs[2 * i] = names[i];
        pairs[2 * i + 1] = names[i + 1];
    }
    return pairs;
}

typedef struct {
    const knowledge *kn;
    int rc;
    char err[256];
} validate_job;

static void *validate_thread(void *arg)
{
    validate_job *j = arg;
    j->rc = knowledge_validate(j->kn, NULL, 0, NULL, 0, "objective", j->err, sizeof j->err);
    return NULL;
}

/* knowledge_validate on a thread with a small stack, as a server thread. */
static int validate_small_stack(const knowledge *kn, char *err, size_t err_len)
{
    validate_job job = {kn, -2, ""};
    pthread_attr_t attr;
    pthread_t th;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
    assert_int_equal(pthread_create(&th, &attr, validate_thread, &job), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
    snprintf(err, err_len, "%s", job.err);
    return job.rc;
}

static void test_long_chain(void **state)
{
    (void)state;
    char *text, err[256] = "";
    const char **names = names_make(CHAIN + 1, &text);
    const char **pairs = chain_pairs(names, CHAIN);
    knowledge *kn = knowledge_from_arrays(pairs, CHAIN, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_n_edges(kn), CHAIN);
    assert_int_equal(validate_small_stack(kn, err, sizeof err), 0);
    /* the names check too */
    assert_int_equal(knowledge_validate(kn, names, CHAIN + 1, NULL, 0, NULL, err, sizeof err), 0);
    assert_int_equal(knowledge_validate(kn, names, CHAIN, NULL, 0, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown node 'n20000'"));
    knowledge_free(kn);
    /* the same chain closed by a model: the cycle is found and named */
    const char *node[] = {"n0"}, *formula[] = {"n20000 * 2"};
    kn = knowledge_from_arrays(pairs, CHAIN, NULL, 0, node, formula, 1, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(validate_small_stack(kn, err, sizeof err), -1);
    assert_non_null(strstr(err, "cycle through 'n"));
    knowledge_free(kn);
    free(pairs);
    free(names);
    free(text);
}

static void test_cycle_named_on_it(void **state)
{
    (void)state;
    /* a -> b -> c -> b, and c -> d -> e downstream: the node named is on the cycle */
    const char *edges[] = {"a", "b", "b", "c", "c", "b", "c", "d", "d", "e"};
    char err[256];
    knowledge *kn = knowledge_from_arrays(edges, 5, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_validate(kn, NULL, 0, NULL, 0, NULL, err, sizeof err), -1);
    assert_true(strstr(err, "through 'b'") || strstr(err, "through 'c'"));
    knowledge_free(kn);
}

static void test_repeats_and_caps(void **state)
{
    (void)state;
    char err[256];
    const char *edges[] = {"a", "b", "a", "b", "b", "a"};
    knowledge *kn = knowledge_from_arrays(edges, 3, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_n_edges(kn), 2); /* a->b once, and b->a */
    assert_int_equal(knowledge_validate(kn, NULL, 0, NULL, 0, NULL, err, sizeof err), -1);
    knowledge_free(kn);

    char *text;
    size_t n = KNOWLEDGE_MAX_EDGES + 1;
    const char **names = names_make(n + 1, &text);
    const char **pairs = chain_pairs(names, n);
    kn = knowledge_from_arrays(pairs, n, NULL, 0, NULL, NULL, 0, err, sizeof err);
    assert_null(kn);
    assert_non_null(strstr(err, "edges[50000]"));
    /* forbidden edges: the cap is larger */
    kn = knowledge_from_arrays(NULL, 0, pairs, n, NULL, NULL, 0, err, sizeof err);
    assert_non_null(kn);
    assert_int_equal(knowledge_n_forbidden(kn), n);
    /* an edge both required and forbidden, at the end of many forbidden ones */
    assert_int_equal(knowledge_add_edge(kn, "n50000", "n50001", err, sizeof err), 0);
    assert_int_equal(knowledge_validate(kn, NULL, 0, NULL, 0, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "also forbidden"));
    knowledge_free(kn);
    free(pairs);
    free(names);
    free(text);

    kn = knowledge_new();
    char node[32];
    for (int i = 0; i < KNOWLEDGE_MAX_MODELS; i++) {
        snprintf(node, sizeof node, "m%d", i);
        assert_int_equal(knowledge_add_model(kn, node, "x + 1", err, sizeof err), 0);
    }
    assert_int_equal(knowledge_add_model(kn, "one_more", "x + 1", err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
    knowledge_free(kn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_cycle_named_on_it),
        cmocka_unit_test(test_repeats_and_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
