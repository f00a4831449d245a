/*
 * test_formula.c - expert formulas (util/formula.c): the syntax the
 * docs promise (libmatheval's functions and constants, dotted names,
 * numbers with exponents), what is refused (syntax errors, assignments,
 * lists, strings, over-long text), NAN where undefined, and parsing and
 * evaluating on several threads at once without a lock. Under the
 * sanitizer build the rejected formulas must not leak (libmatheval did).
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/formula.h"

static double eval1(const char *text, double x)
{
    char err[256];
    formula *f = formula_parse(text, err, sizeof err);
    if (!f)
        fail_msg("%s: %s", text, err);
    assert_true(formula_n_vars(f) <= 1);
    double v = formula_eval(f, &x);
    formula_free(f);
    return v;
}

static void test_syntax(void **state)
{
    (void)state;
    assert_true(fabs(eval1("2*x + 1", 3) - 7) < 1e-15);
    assert_true(fabs(eval1("-x^2", 3) + 9) < 1e-15);
    assert_true(fabs(eval1("x^-1", 4) - 0.25) < 1e-15);
    assert_true(fabs(eval1("2^3^x", 2) - 512) < 1e-12); /* right associative */
    assert_true(fabs(eval1("log(x)", M_E) - 1) < 1e-15); /* natural log */
    assert_true(fabs(eval1("log10(x)", 1000) - 3) < 1e-15);
    assert_true(fabs(eval1("e * pi * x", 1) - M_E * M_PI) < 1e-15);
    assert_true(fabs(eval1("pi_2 + pi_4 + sqrt2 + sqrt1_2 + ln2 + ln10 + log2e + log10e + x", 0) -
                     (M_PI_2 + M_PI_4 + M_SQRT2 + M_SQRT1_2 + M_LN2 + M_LN10 + M_LOG2E +
                      M_LOG10E)) < 1e-14);
    assert_true(fabs(eval1("cot(x) * tan(x)", 0.7) - 1) < 1e-14);
    assert_true(fabs(eval1("sec(x) * cos(x) + csc(x) * sin(x)", 0.7) - 2) < 1e-14);
    assert_true(fabs(eval1("coth(x) * tanh(x) + sech(x) * cosh(x) + csch(x) * sinh(x)", 0.7) - 3) <
                1e-14);
    assert_true(fabs(eval1("acot(x) + asec(1/x) + acsc(1/x) + acoth(1/x)", 0.5) -
                     (atan(2) + acos(0.5) + asin(0.5) + atanh(0.5))) < 1e-14);
    assert_true(fabs(eval1("asech(x) + acsch(x)", 0.5) - (acosh(2) + asinh(2))) < 1e-14);
    assert_true(fabs(eval1("erf(x) + abs(-x) + sqrt(x) + exp(x)", 1) -
                     (erf(1) + 1 + 1 + M_E)) < 1e-14);
    assert_true(eval1("step(x)", -1) == 0 && eval1("step(x)", 0) == 1);
    assert_true(eval1("delta(x)", 1) == 0 && isnan(eval1("delta(x)", 0)));
    assert_true(eval1("nandelta(x)", 1) == 0 && isnan(eval1("nandelta(x)", 0)));
    /* undefined or not finite: NAN */
    assert_true(isnan(eval1("log(x)", -1)));
    assert_true(isnan(eval1("1 / x", 0)));
}

static void test_names(void **state)
{
    (void)state;
    char err[256];
    formula *f = formula_parse("1e6 / rocksdb.db.get.micros.p95 + 2.5E-1*sqrt(x_1) + e3 - "
                               "rocksdb.db.get.micros.p95 * 0",
                               err, sizeof err);
    assert_non_null(f);
    assert_int_equal(formula_n_vars(f), 3);
    assert_string_equal(formula_var(f, 0), "rocksdb.db.get.micros.p95");
    assert_string_equal(formula_var(f, 1), "x_1");
    assert_string_equal(formula_var(f, 2), "e3");
    double v[3] = {4.0, 16.0, 5.0};
    assert_true(fabs(formula_eval(f, v) - (250000.0 + 1.0 + 5.0)) < 1e-9);
    formula_free(f);
    /* a number only */
    f = formula_parse("2 + 3", err, sizeof err);
    assert_non_null(f);
    assert_int_equal(formula_n_vars(f), 0);
    assert_true(formula_eval(f, NULL) == 5.0);
    formula_free(f);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "energy *", "(a", "a)", "a b", "foo(a)", "sqrt()", "a = 3", "a, b", "\"a\"", "1.2.3",
        "a +* b", "", "   ", "2e", "x^", NULL};
    char err[256];
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        formula *f = formula_parse(bad[i], err, sizeof err);
        if (f)
            fail_msg("'%s' was accepted", bad[i]);
        assert_true(err[0] != '\0');
    }
    assert_null(formula_parse(NULL, err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    char *huge = malloc(FORMULA_MAX_LEN + 2);
    assert_non_null(huge);
    memset(huge, 'a', FORMULA_MAX_LEN + 1);
    huge[FORMULA_MAX_LEN + 1] = '\0';
    assert_null(formula_parse(huge, err, sizeof err));
    huge[FORMULA_NAME_MAX + 1] = '\0';
    assert_null(formula_parse(huge, err, sizeof err)); /* a name over the limit */
    free(huge);
    /* comparisons are not assignments */
    assert_true(eval1("(x == 2) + (x <= 2) + (x >= 2) + (x != 2)", 2) == 3);
}

/* Parsing and evaluation need no lock: each thread has its own handles. */
static void *formula_thread(void *arg)
{
    long id = (long)(size_t)arg;
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        char err[128];
        formula *f = formula_parse("a * b.c + log(a) - 1e-3 * b.c ^ 2", err, sizeof err);
        formula *g = formula_parse("a * (", err, sizeof err);
        double v[2] = {1.0 + (double)id, 2.0 + (double)i};
        double want = v[0] * v[1] + log(v[0]) - 1e-3 * v[1] * v[1];
        if (!f || g || fabs(formula_eval(f, v) - want) > 1e-12 * fabs(want))
            bad++;
        formula_free(f);
        formula_free(g);
    }
    return (void *)(size_t)bad;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, formula_thread, (void *)(size_t)i), 0);
    for (int i = 0; i < 4; i++) {
        void *bad = NULL;
        pthread_join(th[i], &bad);
        assert_int_equal((size_t)bad, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
