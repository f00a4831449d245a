/*
 * test_usecase_suggest.c - suggest (server/usecase_suggest.c) when the
 * study's model cannot answer, against a real SQLite store: the points come
 * from the study's Sobol sequence and say why (model "sobol", the reason,
 * an explanation without a prediction), never a 500; and the retry hint
 * of an empty answer while the rest of the budget is leased to another
 * worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/usecase.h"
#include "util/util.h"

#include "usecase_fixture.h"

/* A stored spec whose algorithm no model answers (as a newer version or a
 * damaged row might hold): the engine refuses it. */
static void test_model_failure_falls_back(void **state)
{
    fixture *f = *state;
    const char *spec =
        "{\"name\": \"odd\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
        "\"high\": 1, \"log\": false}], \"objective\": {\"name\": \"y\", \"goal\": \"minimize\"}, "
        "\"constraints\": [], \"algorithm\": \"annealing\", \"lease_seconds\": 600.0, "
        "\"plugin\": null, \"budget\": null, \"relearn_every\": null, \"seed\": 3, "
        "\"log_format\": null, \"default\": null}";
    int64_t id = 0;
    char err[256];
    assert_int_equal(store_study_create(f->st, "odd", spec, NULL, NULL, util_now(), &id, err,
                                        sizeof err),
                     STORE_OK);
    usecase_suggestion sug;
    jv_error e;
    if (usecase_suggest(&f->env, id, 3, "w", &sug, &e) != 0)
        fail_msg("usecase_suggest: %d %s", e.status, e.message);
    assert_int_equal(sug.count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(sug.trials[i].model, "sobol");
        assert_non_null(sug.trials[i].model_reason);
        assert_non_null(strstr(sug.trials[i].model_reason, "could not answer"));
        assert_non_null(strstr(sug.trials[i].model_reason, "unknown algorithm"));
        /* explained as a space-filling point: no model, no prediction */
        const char *x = sug.trials[i].explanation;
        assert_non_null(x);
        assert_non_null(strstr(x, "\"model\":null"));
        assert_non_null(strstr(x, "\"predicted\":null"));
        assert_non_null(strstr(x, "could not answer"));
    }
    assert_int_equal(sug.retry_after_seconds, 0);
    usecase_suggestion_free(&sug);
}

static void test_retry_hint_while_budget_leased(void **state)
{
    fixture *f = *state;
    const char *spec =
        "{\"name\": \"b1\", \"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, "
        "\"high\": 1, \"log\": false}], \"objective\": {\"name\": \"y\", \"goal\": \"minimize\"}, "
        "\"constraints\": [], \"algorithm\": \"random\", \"lease_seconds\": 600.0, "
        "\"plugin\": null, \"budget\": 1, \"relearn_every\": null, \"seed\": 3, "
        "\"log_format\": null, \"default\": null}";
    int64_t id = 0;
    char err[256];
    assert_int_equal(store_study_create(f->st, "b1", spec, NULL, NULL, util_now(), &id, err,
                                        sizeof err),
                     STORE_OK);
    usecase_suggestion a, b;
    jv_error e;
    assert_int_equal(usecase_suggest(&f->env, id, 2, "a", &a, &e), 0);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.retry_after_seconds, 0);
    assert_int_equal(usecase_suggest(&f->env, id, 2, "b", &b, &e), 0);
    assert_int_equal(b.count, 0);
    assert_false(b.done);
    assert_int_equal(b.retry_after_seconds, USECASE_RETRY_SECONDS);
    usecase_suggestion_free(&a);
    usecase_suggestion_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_failure_falls_back),
        cmocka_unit_test(test_retry_hint_while_budget_leased),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
