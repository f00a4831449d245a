/*
 * space_text.h - a search space as text lines, for the benchmarks' Python
 * peers (bench/optuna_space.py reads them): "param NAME TYPE ..." a line,
 * floats and ints with their bounds and log flag, ordinals with their
 * values, categoricals with their number of choices.
 */
#ifndef BOGRAPH_BENCH_SPACE_TEXT_H
#define BOGRAPH_BENCH_SPACE_TEXT_H

#include <stdio.h>
#include "bo/space.h"

void bench_space_print(FILE *out, const space *sp);

#endif
