/*
 * space_text.c - the "param" lines of a search space (space_text.h).
 */
#include "space_text.h"

void bench_space_print(FILE *out, const space *sp)
{
    static const char *const tn[] = {"float", "int", "categorical", "ordinal"};
    for (size_t j = 0; j < space_size(sp); j++) {
        space_type t = space_param_type(sp, j);
        fprintf(out, "param %s %s", space_param_name(sp, j), tn[t]);
        if (t == SPACE_FLOAT || t == SPACE_INT)
            fprintf(out, " %.17g %.17g %d", space_param_low(sp, j), space_param_high(sp, j),
                    space_param_log(sp, j));
        else if (t == SPACE_ORDINAL)
            for (size_t k = 0; k < space_param_n_choices(sp, j); k++)
                fprintf(out, " %.17g", space_param_value(sp, j, k));
        else
            fprintf(out, " %zu", space_param_n_choices(sp, j));
        fprintf(out, "\n");
    }
}
