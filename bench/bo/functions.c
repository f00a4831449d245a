/*
 * functions.c - the benchmark's test functions (definitions as in the
 * Virtual Library of Simulation Experiments, Surjanovic & Bingham, and as
 * used by BoTorch's test problems).
 */
#include "functions.h"

#include <math.h>
#include <string.h>

static double branin(const double *x, size_t dim)
{
    (void)dim;
    const double a = 1, b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, r = 6, s = 10,
                 t = 1 / (8 * M_PI);
    double u = x[1] - b * x[0] * x[0] + c * x[0] - r;
    return a * u * u + s * (1 - t) * cos(x[0]) + s;
}

static double hartmann6(const double *x, size_t dim)
{
    (void)dim;
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double s = 0;
    for (int i = 0; i < 4; i++) {
        double in = 0;
        for (int j = 0; j < 6; j++) in += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        s += alpha[i] * exp(-in);
    }
    return -s;
}

static double ackley(const double *x, size_t dim)
{
    double s1 = 0, s2 = 0;
    for (size_t k = 0; k < dim; k++) {
        s1 += x[k] * x[k];
        s2 += cos(2 * M_PI * x[k]);
    }
    double d = (double)dim;
    return -20 * exp(-0.2 * sqrt(s1 / d)) - exp(s2 / d) + 20 + M_E;
}

static double levy(const double *x, size_t dim)
{
    double w1 = 1 + (x[0] - 1) / 4, wd = 1 + (x[dim - 1] - 1) / 4;
    double s = sin(M_PI * w1) * sin(M_PI * w1);
    for (size_t k = 0; k + 1 < dim; k++) {
        double w = 1 + (x[k] - 1) / 4;
        double sn = sin(M_PI * w + 1);
        s += (w - 1) * (w - 1) * (1 + 10 * sn * sn);
    }
    double sl = sin(2 * M_PI * wd);
    s += (wd - 1) * (wd - 1) * (1 + sl * sl);
    return s;
}

static double rosenbrock(const double *x, size_t dim)
{
    double s = 0;
    for (size_t k = 0; k + 1 < dim; k++) {
        double a = x[k + 1] - x[k] * x[k], b = 1 - x[k];
        s += 100 * a * a + b * b;
    }
    return s;
}

/* Styblinski-Tang on coordinates 3, 7, 12 and 17 of a 20-d box; the other
 * 16 do nothing. Minimum 4 * -39.16616570377142 at x = -2.903534. */
static double styblinski_tang_4_in_20(const double *x, size_t dim)
{
    (void)dim;
    static const size_t active[4] = {3, 7, 12, 17};
    double s = 0;
    for (int i = 0; i < 4; i++) {
        double v = x[active[i]];
        s += v * v * v * v - 16 * v * v + 5 * v;
    }
    return 0.5 * s;
}

static const double branin_lo[2] = {-5, 0}, branin_hi[2] = {10, 15};

const bench_function bench_functions[] = {
    {"branin", 2, 0, 0, branin_lo, branin_hi, 0.397887357729739, branin},
    {"hartmann6", 6, 0, 1, NULL, NULL, -3.32236801141551, hartmann6},
    {"ackley10", 10, -32.768, 32.768, NULL, NULL, 0, ackley},
    {"levy10", 10, -10, 10, NULL, NULL, 0, levy},
    {"rosenbrock6", 6, -5, 10, NULL, NULL, 0, rosenbrock},
    {"styblinski4in20", 20, -5, 5, NULL, NULL, -156.66466281508568, styblinski_tang_4_in_20},
    {NULL, 0, 0, 0, NULL, NULL, 0, NULL},
};

double bench_function_eval_levy(const double *x, size_t dim)
{
    return levy(x, dim);
}

const bench_function *bench_function_find(const char *name)
{
    for (const bench_function *f = bench_functions; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}
