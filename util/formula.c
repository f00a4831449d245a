/*
 * formula.c - expert formulas parsed and evaluated by muParser.
 *
 * Node names may contain dots ("db.write.micros.p95"), which muParser's
 * identifiers cannot, so a formula is rewritten before parsing: every
 * variable (an identifier of letters, digits, '_' and '.', not followed by
 * '(' and not one of the constants) becomes "_v<k>", k in order of first
 * appearance; the original names are kept in that order. The functions and
 * constants the formulas had under libmatheval (the syntax docs/api.md
 * documents) that muParser lacks are defined on each handle. An assignment
 * ('=') and a list of several expressions (',' outside a call) are refused:
 * a formula is one value.
 */
#include "util/formula.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <muParserDLL.h>

struct formula {
    muParserHandle_t h;
    char *rewritten; /* variables renamed _v<k> */
    char **vars;     /* original names */
    size_t n_vars;
    double *vals;    /* the values muParser reads, one per variable */
};

static const char *const fm_constant_names[] = {"e",  "log2e", "log10e", "ln2",   "ln10",
                                                "pi", "pi_2",  "pi_4",   "sqrt2", "sqrt1_2"};
static const double fm_constant_values[] = {M_E,  M_LOG2E, M_LOG10E, M_LN2,   M_LN10,
                                            M_PI, M_PI_2,  M_PI_4,   M_SQRT2, M_SQRT1_2};

static void fm_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fm_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* libmatheval's functions that muParser does not have. */
static double fm_cot(double x) { return 1.0 / tan(x); }
static double fm_sec(double x) { return 1.0 / cos(x); }
static double fm_csc(double x) { return 1.0 / sin(x); }
static double fm_acot(double x) { return atan(1.0 / x); }
static double fm_asec(double x) { return acos(1.0 / x); }
static double fm_acsc(double x) { return asin(1.0 / x); }
static double fm_coth(double x) { return 1.0 / tanh(x); }
static double fm_sech(double x) { return 1.0 / cosh(x); }
static double fm_csch(double x) { return 1.0 / sinh(x); }
static double fm_acoth(double x) { return atanh(1.0 / x); }
static double fm_asech(double x) { return acosh(1.0 / x); }
static double fm_acsch(double x) { return asinh(1.0 / x); }
static double fm_erf(double x) { return erf(x); }
static double fm_step(double x) { return x < 0 ? 0.0 : 1.0; }
static double fm_delta(double x) { return x == 0 ? INFINITY : 0.0; }
static double fm_nandelta(double x) { return x == 0 ? NAN : 0.0; }

static void fm_define_compat(muParserHandle_t h)
{
    static const struct {
        const char *name;
        muFun1_t fn;
    } funs[] = {{"cot", fm_cot},     {"sec", fm_sec},     {"csc", fm_csc},
                {"acot", fm_acot},   {"asec", fm_asec},   {"acsc", fm_acsc},
                {"coth", fm_coth},   {"sech", fm_sech},   {"csch", fm_csch},
                {"acoth", fm_acoth}, {"asech", fm_asech}, {"acsch", fm_acsch},
                {"erf", fm_erf},     {"step", fm_step},   {"delta", fm_delta},
                {"nandelta", fm_nandelta}};
    for (size_t i = 0; i < sizeof funs / sizeof funs[0]; i++)
        mupDefineFun1(h, funs[i].name, funs[i].fn, 1);
    for (size_t i = 0; i < sizeof fm_constant_names / sizeof fm_constant_names[0]; i++)
        mupDefineConst(h, fm_constant_names[i], fm_constant_values[i]);
}

static int fm_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int fm_ident_char(char c)
{
    return fm_ident_start(c) || (c >= '0' && c <= '9');
}

static int fm_is_constant(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof fm_constant_names / sizeof fm_constant_names[0]; i++)
        if (strlen(fm_constant_names[i]) == n && memcmp(fm_constant_names[i], s, n) == 0)
            return 1;
    return 0;
}

/* End of the number starting at s[i], with its exponent: "1e3" is not the
 * variable e3. */
static size_t fm_number_end(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
        j++;
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < len && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k < len && s[k] >= '0' && s[k] <= '9') {
            while (k < len && s[k] >= '0' && s[k] <= '9')
                k++;
            j = k;
        }
    }
    return j;
}

/* Index of the variable s[0..n), added when new; -1 on error. */
static long fm_var_index(formula *f, const char *s, size_t n, char *err, size_t err_len)
{
    for (size_t v = 0; v < f->n_vars; v++)
        if (strlen(f->vars[v]) == n && memcmp(f->vars[v], s, n) == 0)
            return (long)v;
    if (n > FORMULA_NAME_MAX) {
        fm_err(err, err_len, "name longer than %d characters", FORMULA_NAME_MAX);
        return -1;
    }
    char **vars = realloc(f->vars, (f->n_vars + 1) * sizeof *vars);
    if (!vars) {
        fm_err(err, err_len, "out of memory");
        return -1;
    }
    f->vars = vars;
    if (!(f->vars[f->n_vars] = strndup(s, n))) {
        fm_err(err, err_len, "out of memory");
        return -1;
    }
    return (long)f->n_vars++;
}

/* '=' alone is muParser's assignment; ==, <=, >= and != are comparisons. */
static int fm_is_assignment(const char *s, size_t len, size_t i)
{
    if (s[i] != '=')
        return 0;
    if (i + 1 < len && s[i + 1] == '=')
        return 0;
    return !(i > 0 && strchr("<>!=", s[i - 1]));
}

/* Rewrites text into f->rewritten and f->vars. 0 or -1. */
static int fm_rewrite(formula *f, const char *text, char *err, size_t err_len)
{
    size_t len = strlen(text);
    /* "_v<k>" per variable of at least one character: at most 4x + room */
    size_t cap = 4 * len + 64, o = 0;
    char *out = f->rewritten = malloc(cap);
    if (!out) {
        fm_err(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < len;) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            size_t j = fm_number_end(text, len, i);
            memcpy(out + o, text + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        if (!fm_ident_start(c)) {
            if (fm_is_assignment(text, len, i)) {
                fm_err(err, err_len, "cannot parse formula '%s' (no assignments)", text);
                return -1;
            }
            out[o++] = c;
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && (fm_ident_char(text[j]) ||
                           (text[j] == '.' && j + 1 < len && fm_ident_char(text[j + 1]))))
            j++;
        size_t k = j;
        while (k < len && (text[k] == ' ' || text[k] == '\t'))
            k++;
        if ((k < len && text[k] == '(') || fm_is_constant(text + i, j - i)) {
            memcpy(out + o, text + i, j - i); /* a function or a constant */
            o += j - i;
        } else {
            long idx = fm_var_index(f, text + i, j - i, err, err_len);
            if (idx < 0)
                return -1;
            o += (size_t)snprintf(out + o, cap - o, "_v%ld", idx);
        }
        i = j;
    }
    out[o] = '\0';
    return 0;
}

/* Compiles f->rewritten with a variable per name; 0 or -1. */
static int fm_compile(formula *f, const char *text, char *err, size_t err_len)
{
    f->vals = calloc(f->n_vars ? f->n_vars : 1, sizeof *f->vals);
    f->h = mupCreate(muBASETYPE_FLOAT);
    if (!f->vals || !f->h) {
        fm_err(err, err_len, "out of memory");
        return -1;
    }
    fm_define_compat(f->h);
    for (size_t k = 0; k < f->n_vars; k++) {
        char name[32];
        snprintf(name, sizeof name, "_v%zu", k);
        f->vals[k] = 1.0;
        mupDefineVar(f->h, name, &f->vals[k]);
    }
    int n_results = 0;
    if (!mupError(f->h)) {
        mupSetExpr(f->h, f->rewritten);
        if (!mupError(f->h)) {
            mupEvalMulti(f->h, &n_results); /* muParser parses on first use */
            if (mupError(f->h))
                n_results = 0;
        }
    }
    if (n_results != 1) {
        fm_err(err, err_len, "cannot parse formula '%s'", text);
        return -1;
    }
    return 0;
}

formula *formula_parse(const char *text, char *err, size_t err_len)
{
    if (!text || !text[0] || strlen(text) > FORMULA_MAX_LEN) {
        fm_err(err, err_len, "formula is empty or longer than %d characters", FORMULA_MAX_LEN);
        return NULL;
    }
    if (strchr(text, '"')) {
        /* muParser's string arguments: no formula here takes one */
        fm_err(err, err_len, "cannot parse formula '%s'", text);
        return NULL;
    }
    formula *f = calloc(1, sizeof *f);
    if (!f) {
        fm_err(err, err_len, "out of memory");
        return NULL;
    }
    if (fm_rewrite(f, text, err, err_len) || fm_compile(f, text, err, err_len)) {
        formula_free(f);
        return NULL;
    }
    return f;
}

void formula_free(formula *f)
{
    if (!f)
        return;
    if (f->h)
        mupRelease(f->h);
    for (size_t k = 0; k < f->n_vars; k++)
        free(f->vars[k]);
    free(f->vars);
    free(f->vals);
    free(f->rewritten);
    free(f);
}

size_t formula_n_vars(const formula *f)
{
    return f->n_vars;
}

const char *formula_var(const formula *f, size_t k)
{
    return f->vars[k];
}

double formula_eval(formula *f, const double *values)
{
    if (f->n_vars)
        memcpy(f->vals, values, f->n_vars * sizeof *values);
    double v = mupEval(f->h);
    if (mupError(f->h))
        return NAN;
    return isfinite(v) ? v : NAN;
}
