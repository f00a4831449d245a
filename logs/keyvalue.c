/*
 * keyvalue.c - the "keyvalue" parser: lines of `key=value` pairs (several a
 * line, logfmt style, separated by spaces, commas or semicolons; spaces
 * around '=' allowed) and `key: value` lines. A value is a number,
 * optionally followed by a unit word ("12.5 ms", "80%"); anything else
 * ("2026-11-22", "7.8.3", "fast") is not a metric and is skipped. Keys are
 * normalised (lower case, other characters to '_'); the last value of a key
 * wins.
 */
#include <string.h>

#include "logs/logs_internal.h"

static int kv_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int kv_is_sep(char ch)
{
    return kv_is_space(ch) || ch == ',' || ch == ';';
}

static int kv_is_unit_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '%' || ch == '/';
}

/* A number at v[0..n), optionally followed by spaces and one unit word, and
 * nothing else. 1 with the value, or 0. */
static int kv_value(const char *v, size_t n, double *out)
{
    size_t i = 0;
    while (i < n && kv_is_space(v[i]))
        i++;
    size_t used = logs_scan_number(v + i, n - i, out);
    if (used == 0)
        return 0;
    i += used;
    while (i < n && kv_is_space(v[i]))
        i++;
    while (i < n && kv_is_unit_char(v[i]))
        i++;
    while (i < n && kv_is_space(v[i]))
        i++;
    return i == n;
}

static void kv_add(logs_collect *c, const char *k, size_t kn, const char *v, size_t vn)
{
    char name[LOGS_NAME_MAX + 1];
    double value;
    if (!kv_value(v, vn, &value))
        return;
    if (logs_normalize_name(k, kn, name, sizeof name) == 0)
        return;
    logs_collect_add(c, name, value);
}

/* key=value pairs: for each '=', the key is the token before it and the
 * value the token after it. */
static void kv_line_pairs(logs_collect *c, const char *s, size_t n)
{
    for (size_t p = 0; p < n; p++) {
        if (s[p] != '=')
            continue;
        size_t ke = p;
        while (ke > 0 && kv_is_space(s[ke - 1]))
            ke--;
        size_t ks = ke;
        while (ks > 0 && !kv_is_sep(s[ks - 1]) && s[ks - 1] != '=')
            ks--;
        size_t vs = p + 1;
        while (vs < n && kv_is_space(s[vs]))
            vs++;
        size_t ve = vs;
        while (ve < n && !kv_is_sep(s[ve]) && s[ve] != '=')
            ve++;
        if (ke > ks && ve > vs)
            kv_add(c, s + ks, ke - ks, s + vs, ve - vs);
    }
}

int logs_parse_keyvalue(const char *text, size_t len, logs_collect *c, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    size_t pos = 0;
    const char *line;
    size_t n;
    while (logs_next_line(text, len, &pos, &line, &n)) {
        size_t i = 0;
        while (i < n && kv_is_space(line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        const char *eq = memchr(line + i, '=', n - i);
        if (eq) {
            kv_line_pairs(c, line + i, n - i);
            continue;
        }
        const char *colon = memchr(line + i, ':', n - i);
        if (colon) {
            size_t kn = (size_t)(colon - (line + i));
            size_t vs = kn + 1;
            kv_add(c, line + i, kn, line + i + vs, n - i - vs);
        }
    }
    return 0;
}
