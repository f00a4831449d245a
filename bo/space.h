/*
 * space.h - the search space: typed parameters, their validation, and the
 * encoding of a configuration to the unit cube the designs and GPs work in.
 *
 * A configuration ("raw values") is an array of doubles, one per parameter in
 * the order they were added: float and int hold the value, ordinal holds the
 * value itself (one of its `values`), categorical holds the index of the
 * choice. The encoding maps it to space_encoded_dim() numbers in [0,1]:
 * float/int linearly or on a log scale, ordinal by rank, categorical one-hot.
 *
 * Conditional parameters are declared in bo/space_conditions.h: an inactive
 * parameter holds a fixed value, and encoding, decoding, designs and the
 * equality tests below all treat it so.
 *
 * Errors: functions returning int give 0 on success and -1 on failure, with a
 * message naming the parameter written to err (err may be NULL).
 */
#ifndef BOGRAPH_BO_SPACE_H
#define BOGRAPH_BO_SPACE_H

#include <stddef.h>

typedef enum {
    SPACE_FLOAT,
    SPACE_INT,
    SPACE_CATEGORICAL,
    SPACE_ORDINAL
} space_type;

typedef struct space space;

space *space_new(void);
void space_free(space *sp);
space *space_clone(const space *sp);

int space_add_float(space *sp, const char *name, double low, double high,
                    int log_scale, char *err, size_t err_len);
int space_add_int(space *sp, const char *name, double low, double high,
                  int log_scale, char *err, size_t err_len);
int space_add_categorical(space *sp, const char *name,
                          const char *const *choices, size_t n_choices,
                          char *err, size_t err_len);
int space_add_ordinal(space *sp, const char *name, const double *values,
                      size_t n_values, char *err, size_t err_len);

/* Number of parameters, and of encoded (unit-cube) coordinates. */
size_t space_size(const space *sp);
size_t space_encoded_dim(const space *sp);

/* Parameter i's description; -1 from space_index_of when no such name. */
int space_index_of(const space *sp, const char *name);
const char *space_param_name(const space *sp, size_t i);
space_type space_param_type(const space *sp, size_t i);
double space_param_low(const space *sp, size_t i);   /* float/int */
double space_param_high(const space *sp, size_t i);  /* float/int */
int space_param_log(const space *sp, size_t i);      /* float/int */
size_t space_param_n_choices(const space *sp, size_t i); /* categorical: choices, ordinal: values */
const char *space_param_choice(const space *sp, size_t i, size_t k);
double space_param_value(const space *sp, size_t i, size_t k);
/* Index of a categorical choice by name, -1 when it is not one. */
int space_choice_index(const space *sp, size_t i, const char *choice);
/* Encoded coordinates [first, first+count) that parameter i occupies. */
void space_param_encoded_span(const space *sp, size_t i, size_t *first, size_t *count);

/* 0 when config is inside the space (ints integral, ordinals one of their
 * values, categorical indices valid, everything finite); -1 with a message. */
int space_validate(const space *sp, const double *config, char *err, size_t err_len);

/* config (space_size) -> u (space_encoded_dim), and back. Decoding rounds
 * ints, snaps ordinals to the nearest rank and takes the arg-max of a one-hot
 * block, so decode(u) is always a valid configuration. */
void space_encode(const space *sp, const double *config, double *u);
void space_decode(const space *sp, const double *u, double *config);
/* u <- encode(decode(u)): the encoded point of the configuration u stands for. */
void space_snap_encoded(const space *sp, double *u);

/* 1 when the two configurations are the same point of the space (floats
 * within 1e-9 of the range of each other, everything else exactly). */
int space_config_equal(const space *sp, const double *a, const double *b);

/* 1 when two encoded points stand for the same configuration. */
int space_encoded_equal(const space *sp, const double *ua, const double *ub);

/* One coordinate per parameter (space_size) in [0,1] -> a configuration:
 * floats and ints as in decoding, ordinals and categoricals by equal bins.
 * Designs use it so a categorical takes one Sobol coordinate, not k. */
void space_from_unit(const space *sp, const double *v, double *config);

/* Number of distinct configurations; INFINITY when a float parameter exists.
 * With conditions (bo/space_conditions.h) inactive parameters count once. */
double space_cardinality(const space *sp);
/* The number of indices of space_config_at_index: the product of every
 * parameter's values (the cardinality when the space has no condition). */
double space_index_count(const space *sp);
/* The configuration with the given index in 0..space_index_count-1 (mixed
 * radix, first parameter fastest; with conditions several indices give the
 * same configuration); for finite spaces only. */
void space_config_at_index(const space *sp, double index, double *config);

#endif
