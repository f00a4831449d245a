/*
 * formula.h - an expert's formula of named nodes ("energy * latency",
 * "1e6 / rocksdb.db.get.micros.p95"): parsing, its variables, evaluation.
 * Parsed and evaluated by muParser (Debian's libmuparser-dev, through its C
 * API); every handle is independent, so parsing needs no lock and two
 * threads may each evaluate their own handle at the same time.
 *
 * Syntax: numbers (1, .5, 2.5E-1), variables (node names: letters, digits,
 * '_' and '.' between them, not starting with a digit), + - * / ^ (right
 * associative: 2^3^2 = 512), unary minus, parentheses, the functions exp
 * log (natural) log2 log10 sqrt abs sin cos tan cot sec csc asin acos atan
 * acot asec acsc sinh cosh tanh coth sech csch asinh acosh atanh acoth
 * asech acsch erf step delta nandelta sign rint min max sum avg, and the
 * constants e log2e log10e ln2 ln10 pi pi_2 pi_4 sqrt2 sqrt1_2.
 */
#ifndef BOGRAPH_UTIL_FORMULA_H
#define BOGRAPH_UTIL_FORMULA_H

#include <stddef.h>

/* Longest formula text accepted, and longest variable name. */
#define FORMULA_MAX_LEN 4096
#define FORMULA_NAME_MAX 256

typedef struct formula formula;

/* Parses text. NULL with a message ("cannot parse formula 'energy *'",
 * "formula is empty or longer than 4096 characters") on error. A formula
 * with no variable parses; whether that is allowed is the caller's rule. */
formula *formula_parse(const char *text, char *err, size_t err_len);
void formula_free(formula *f);

/* The variables in order of first appearance. */
size_t formula_n_vars(const formula *f);
const char *formula_var(const formula *f, size_t k);

/* Value with variable k = values[k]; NAN where the formula is undefined or
 * not finite (log of a negative number, division by zero). Not reentrant on
 * one handle: one handle per thread. */
double formula_eval(formula *f, const double *values);

#endif
