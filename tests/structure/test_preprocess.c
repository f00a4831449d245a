/*
 * test_preprocess.c - metric selection: sum/count to averages, missing and
 * constant metrics dropped, family representatives, duplicates, top-k by
 * relevance, forced and excluded names, standardisation and its inverse.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "structure/preprocess.h"

#define N 40

static double urand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static int has(const preprocess_result *r, const char *name)
{
    for (size_t j = 0; j < r->k; j++)
        if (strcmp(r->metrics[j].name, name) == 0)
            return (int)j + 1;
    return 0;
}

enum {
    C_GET_SUM, C_GET_COUNT, C_LAT_P50, C_LAT_P95, C_LAT_AVG, C_CONST, C_MISSING, C_NOISE,
    C_COPY, C_WEAK, C_THROUGHPUT, C_X, C_DUP, C_BYTES, N_COLS
};

static const char *const names[N_COLS] = {
    "db.get.micros.sum", "db.get.micros.count", "lat.p50", "lat.p95", "lat.avg",
    "version", "sometimes", "noise", "objective_copy", "weak", "throughput", "x",
    "lat_copy", "bytes.written"};

static void make_table(double *M, double *y, unsigned char *use)
{
    uint64_t s = 42;
    for (size_t i = 0; i < N; i++) {
        double a = urand(&s), b = urand(&s), e = urand(&s) - 0.5;
        double get_avg = 2 + 10 * a;
        double lat = 5 + 3 * b + 0.2 * e;
        y[i] = -get_avg - 2 * lat + 0.1 * e;
        double *r = M + i * N_COLS;
        r[C_GET_COUNT] = 100 + (double)(i % 7);
        r[C_GET_SUM] = get_avg * r[C_GET_COUNT];
        r[C_LAT_P50] = lat - 1;
        r[C_LAT_P95] = lat + 0.01 * urand(&s);
        r[C_LAT_AVG] = lat * 0.9;
        r[C_CONST] = 7.8;
        r[C_MISSING] = i % 3 == 0 ? 1.0 + urand(&s) : NAN;
        r[C_NOISE] = urand(&s);
        r[C_COPY] = 3 * y[i] + 1;
        r[C_WEAK] = 0.05 * get_avg + urand(&s);
        r[C_THROUGHPUT] = y[i]; /* named like the objective: excluded */
        r[C_X] = a;             /* named like a parameter: excluded */
        r[C_DUP] = 2 * r[C_LAT_P95] + 1;
        r[C_BYTES] = exp(8 * urand(&s)); /* positive, spans decades: log scale */
        use[i] = i != 5;
    }
    y[7] = NAN; /* rows without an objective are not used */
}

static void test_selection(void **state)
{
    (void)state;
    double M[N * N_COLS], y[N];
    unsigned char use[N];
    make_table(M, y, use);
    const char *excluded[] = {"throughput", "x"};
    preprocess_options opt;
    preprocess_options_default(&opt);
    preprocess_result r;
    char err[256];
    assert_int_equal(preprocess_run(names, N_COLS, M, N, y, use, NULL, 0, excluded, 2, &opt, &r,
                                    err, sizeof err),
                     0);
    /* sum/count -> avg; the pair itself is gone. */
    int avg = has(&r, "db.get.micros.avg");
    assert_true(avg);
    assert_int_equal(r.metrics[avg - 1].source, PREPROCESS_RATIO);
    assert_false(has(&r, "db.get.micros.sum"));
    assert_false(has(&r, "db.get.micros.count"));
    /* One per family, p95 preferred. */
    assert_true(has(&r, "lat.p95"));
    assert_false(has(&r, "lat.p50"));
    assert_false(has(&r, "lat.avg"));
    /* Constant, mostly missing, copies of the objective or of a kept metric,
     * excluded names: dropped. */
    assert_false(has(&r, "version"));
    assert_false(has(&r, "sometimes"));
    assert_false(has(&r, "objective_copy"));
    assert_false(has(&r, "lat_copy"));
    assert_false(has(&r, "throughput"));
    assert_false(has(&r, "x"));
    int bytes = has(&r, "bytes.written");
    assert_true(bytes);
    assert_true(r.metrics[bytes - 1].log_scale);
    assert_false(r.metrics[has(&r, "lat.p95") - 1].log_scale);
    /* Ordered by relevance: the two drivers of the objective first. */
    assert_true(r.metrics[0].relevance >= r.metrics[1].relevance);
    assert_true(r.metrics[1].relevance >= r.metrics[r.k - 1].relevance);
    assert_true(avg <= 3 && has(&r, "lat.p95") <= 3);

    /* Standardised: mean 0, sd 1 over the used rows; the inverse is exact. */
    for (size_t j = 0; j < r.k; j++) {
        double s = 0, ss = 0;
        size_t n = 0;
        for (size_t i = 0; i < N; i++) {
            if (!use[i] || !isfinite(y[i]))
                continue;
            double z = r.Z[i * r.k + j];
            if (!isfinite(z))
                continue;
            s += z;
            ss += z * z;
            n++;
        }
        assert_true(fabs(s / (double)n) < 1e-9);
        assert_true(fabs(ss / (double)(n - 1) - 1) < 1e-9);
        double raw = preprocess_raw_value(&r.metrics[j], M, N_COLS, 3);
        double z = preprocess_to_std(&r.metrics[j], raw);
        assert_true(fabs(preprocess_from_std(&r.metrics[j], z) - raw) < 1e-9 * fmax(1, fabs(raw)));
    }
    preprocess_result_free(&r);

    /* top_k = 2 keeps the two most relevant; forcing keeps a weak one. */
    opt.top_k = 2;
    const char *forced[] = {"noise", "sometimes"};
    assert_int_equal(preprocess_run(names, N_COLS, M, N, y, use, forced, 2, excluded, 2, &opt, &r,
                                    err, sizeof err),
                     0);
    assert_int_equal(r.k, 4);
    assert_true(has(&r, "db.get.micros.avg"));
    assert_true(has(&r, "lat.p95"));
    assert_true(has(&r, "noise"));
    assert_true(has(&r, "sometimes"));
    assert_true(r.metrics[has(&r, "noise") - 1].forced);
    preprocess_result_free(&r);
}

static void test_degenerate(void **state)
{
    (void)state;
    preprocess_result r;
    char err[256];
    /* No metrics, no rows. */
    assert_int_equal(preprocess_run(NULL, 0, NULL, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, &r, err,
                                    sizeof err),
                     0);
    assert_int_equal(r.k, 0);
    preprocess_result_free(&r);
    /* All missing. */
    const char *nm[] = {"a", "b"};
    double M[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    double y[3] = {1, 2, 3};
    assert_int_equal(preprocess_run(nm, 2, M, 3, y, NULL, NULL, 0, NULL, 0, NULL, &r, err,
                                    sizeof err),
                     0);
    assert_int_equal(r.k, 0);
    preprocess_result_free(&r);
    /* Bad arguments are an error, not a crash. */
    assert_int_equal(preprocess_run(nm, 2, NULL, 3, y, NULL, NULL, 0, NULL, 0, NULL, &r, err,
                                    sizeof err),
                     -1);
}

static void test_statistics(void **state)
{
    (void)state;
    double a[6] = {1, 2, 3, 4, 5, NAN};
    double b[6] = {1, 4, 9, 16, 25, 0};
    double c[6] = {5, 4, 3, 2, 1, 0};
    assert_true(fabs(preprocess_spearman(a, b, 6) - 1) < 1e-12);
    assert_true(fabs(preprocess_spearman(a, c, 6) + 1) < 1e-12);
    assert_true(preprocess_pearson(a, b, 6) < 1 - 1e-3);
    double t[4] = {1, 1, 2, 2}, u[4] = {1, 2, 3, 4};
    assert_true(fabs(preprocess_spearman(t, u, 4) - 0.894427191) < 1e-6);
    assert_true(preprocess_spearman(t, u, 2) == 0);
}

/* Restatements of the objective (a reciprocal, a run-time counter) are
 * found by rank and dropped, a real mediator kept; a metric that comes close
 * to zero goes on a log scale shifted by its lower decile, and back. */
static void test_restatements_and_shifted_log(void **state)
{
    (void)state;
    enum { R_RECIP, R_RUNTIME, R_WAIT, R_NEAR_ZERO, R_COLS };
    const char *rnames[R_COLS] = {"ms_per_op", "uptime_secs", "wait_ms", "lock_ms"};
    double M[N * R_COLS], y[N];
    uint64_t s = 9;
    for (size_t i = 0; i < N; i++) {
        double a = urand(&s), b = urand(&s), e = urand(&s) - 0.5;
        double wait = 1 + 4 * a;
        double lock = 5 * (b - 0.3) * (b - 0.3);
        y[i] = 1000 / (wait + lock + 0.3 * e); /* throughput */
        M[i * R_COLS + R_RECIP] = 1000 / y[i];
        M[i * R_COLS + R_RUNTIME] = 5e6 / y[i];
        M[i * R_COLS + R_WAIT] = wait;
        M[i * R_COLS + R_NEAR_ZERO] = lock;
    }
    preprocess_options opt;
    preprocess_options_default(&opt);
    preprocess_result r;
    char err[128];
    assert_int_equal(preprocess_run(rnames, R_COLS, M, N, y, NULL, NULL, 0, NULL, 0, &opt, &r,
                                    err, sizeof err),
                     0);
    assert_false(has(&r, "ms_per_op"));
    assert_false(has(&r, "uptime_secs"));
    assert_true(has(&r, "wait_ms"));
    int j = has(&r, "lock_ms");
    assert_true(j);
    const preprocess_metric *m = &r.metrics[j - 1];
    assert_true(m->log_scale);
    assert_true(m->shift > 0);
    for (size_t i = 0; i < N; i++) {
        double raw = M[i * R_COLS + R_NEAR_ZERO];
        assert_true(fabs(preprocess_from_std(m, preprocess_to_std(m, raw)) - raw) < 1e-9);
    }
    /* the smallest values are not stretched apart: their standardised
     * spread stays within a few units */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < N; i++) {
        double z = r.Z[i * r.k + (size_t)(j - 1)];
        lo = fmin(lo, z);
        hi = fmax(hi, z);
    }
    assert_true(hi - lo < 6);
    preprocess_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_statistics),
        cmocka_unit_test(test_restatements_and_shifted_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
