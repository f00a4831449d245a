/*
 * constraint_op.h - the one representation of a constraint's operator
 * ("metric op value"), shared by the study's definition (server/study.h)
 * and the graph model (structure/bograph.h, structure/model.h): the enum,
 * its names as the API writes them, and whether a value meets it.
 */
#ifndef BOGRAPH_STRUCTURE_CONSTRAINT_OP_H
#define BOGRAPH_STRUCTURE_CONSTRAINT_OP_H

/* <=, <, >=, >, ==. The graph model takes the first four only (== has no
 * probability of feasibility); a study may also use ==. */
typedef enum {
    CONSTRAINT_OP_LE,
    CONSTRAINT_OP_LT,
    CONSTRAINT_OP_GE,
    CONSTRAINT_OP_GT,
    CONSTRAINT_OP_EQ
} constraint_op;

/* Parses "<=", "<", ">=", ">", "==" into *op. 0, or -1 when unknown or NULL. */
int constraint_op_parse(const char *s, constraint_op *op);
/* "<=", "<", ">=", ">", "==", or "?" for a value outside the enum. */
const char *constraint_op_name(constraint_op op);
/* Whether v op value holds (false for NAN v). */
int constraint_op_holds(constraint_op op, double v, double value);
/* Whether op bounds from above (<=, <). */
int constraint_op_is_upper(constraint_op op);

#endif
