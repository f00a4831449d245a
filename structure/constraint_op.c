/*
 * constraint_op.c - a constraint's operator: parsing, naming and checking
 * (see constraint_op.h).
 */
#include <stddef.h>
#include <string.h>

#include "structure/constraint_op.h"

static const char *const constraint_op_names[] = {"<=", "<", ">=", ">", "=="};
#define CONSTRAINT_OP_COUNT (sizeof constraint_op_names / sizeof constraint_op_names[0])

int constraint_op_parse(const char *s, constraint_op *op)
{
    if (!s || !op)
        return -1;
    for (size_t i = 0; i < CONSTRAINT_OP_COUNT; i++)
        if (strcmp(s, constraint_op_names[i]) == 0) {
            *op = (constraint_op)i;
            return 0;
        }
    return -1;
}

const char *constraint_op_name(constraint_op op)
{
    return (size_t)op < CONSTRAINT_OP_COUNT ? constraint_op_names[op] : "?";
}

int constraint_op_holds(constraint_op op, double v, double value)
{
    switch (op) {
    case CONSTRAINT_OP_LE: return v <= value;
    case CONSTRAINT_OP_LT: return v < value;
    case CONSTRAINT_OP_GE: return v >= value;
    case CONSTRAINT_OP_GT: return v > value;
    case CONSTRAINT_OP_EQ: return v == value;
    }
    return 0;
}

int constraint_op_is_upper(constraint_op op)
{
    return op == CONSTRAINT_OP_LE || op == CONSTRAINT_OP_LT;
}
