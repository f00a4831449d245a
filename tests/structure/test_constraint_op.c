/*
 * test_constraint_op.c - a constraint's operator: every name parses back to
 * its value, unknown names are refused, and each operator holds exactly
 * where it should (and never for NAN).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "structure/constraint_op.h"

static void test_parse_and_name(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        constraint_op op;
    } table[] = {{"<=", CONSTRAINT_OP_LE}, {"<", CONSTRAINT_OP_LT}, {">=", CONSTRAINT_OP_GE},
                 {">", CONSTRAINT_OP_GT},  {"==", CONSTRAINT_OP_EQ}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        constraint_op op = CONSTRAINT_OP_EQ;
        assert_int_equal(constraint_op_parse(table[i].name, &op), 0);
        assert_int_equal(op, table[i].op);
        assert_string_equal(constraint_op_name(table[i].op), table[i].name);
    }
    constraint_op op;
    assert_int_equal(constraint_op_parse("=>", &op), -1);
    assert_int_equal(constraint_op_parse("", &op), -1);
    assert_int_equal(constraint_op_parse(NULL, &op), -1);
    assert_int_equal(constraint_op_parse("<=", NULL), -1);
    assert_string_equal(constraint_op_name((constraint_op)42), "?");
}

static void test_holds(void **state)
{
    (void)state;
    static const struct {
        constraint_op op;
        int below, equal, above; /* holds for v = 1, 2, 3 against 2 */
        int upper;
    } table[] = {{CONSTRAINT_OP_LE, 1, 1, 0, 1}, {CONSTRAINT_OP_LT, 1, 0, 0, 1},
                 {CONSTRAINT_OP_GE, 0, 1, 1, 0}, {CONSTRAINT_OP_GT, 0, 0, 1, 0},
                 {CONSTRAINT_OP_EQ, 0, 1, 0, 0}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_int_equal(constraint_op_holds(table[i].op, 1, 2), table[i].below);
        assert_int_equal(constraint_op_holds(table[i].op, 2, 2), table[i].equal);
        assert_int_equal(constraint_op_holds(table[i].op, 3, 2), table[i].above);
        assert_false(constraint_op_holds(table[i].op, NAN, 2));
        assert_int_equal(constraint_op_is_upper(table[i].op), table[i].upper);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_name),
        cmocka_unit_test(test_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
