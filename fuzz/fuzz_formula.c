/*
 * fuzz_formula.c - libFuzzer harness for expert formulas
 * (util/formula.h): the input is the formula text. A formula that
 * parses is evaluated at a few points; its variables must be non-empty
 * names, and a parsed formula must parse again (what knowledge_clone does).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/formula.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FORMULA_MAX_LEN + 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char err[256];
    formula *f = formula_parse(text, err, sizeof err);
    if (f) {
        size_t n = formula_n_vars(f);
        double *v = calloc(n ? n : 1, sizeof *v);
        if (v) {
            static const double points[] = {0.0, 1.0, -2.5, 1e300};
            for (size_t p = 0; p < sizeof points / sizeof points[0]; p++) {
                for (size_t k = 0; k < n; k++)
                    v[k] = points[p] + (double)k;
                (void)formula_eval(f, v);
            }
        }
        for (size_t k = 0; k < n; k++)
            if (!formula_var(f, k)[0])
                abort();
        formula *again = formula_parse(text, err, sizeof err);
        if (!again)
            abort();
        formula_free(again);
        free(v);
        formula_free(f);
    }
    free(text);
    return 0;
}
