/*
 * text.c - the low-level text handling the parsers share: lines of a buffer
 * that may lack a terminating NUL, strict decimal numbers (strtod alone would
 * take "inf", "nan" and hex), and metric name normalisation.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs_internal.h"

int logs_next_line(const char *text, size_t len, size_t *pos,
                   const char **line, size_t *line_len)
{
    if (*pos >= len)
        return 0;
    size_t start = *pos, end = start;
    while (end < len && text[end] != '\n')
        end++;
    *pos = end < len ? end + 1 : end;
    size_t n = end - start;
    if (n > 0 && text[start + n - 1] == '\r')
        n--;
    *line = text + start;
    *line_len = n;
    return 1;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

size_t logs_scan_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t int_digits = 0, frac_digits = 0;
    while (i < len && is_digit(s[i])) {
        i++;
        int_digits++;
    }
    if (i < len && s[i] == '.') {
        size_t j = i + 1;
        while (j < len && is_digit(s[j])) {
            j++;
            frac_digits++;
        }
        if (int_digits + frac_digits > 0)
            i = j;
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t exp_digits = 0;
        while (j < len && is_digit(s[j])) {
            j++;
            exp_digits++;
        }
        if (exp_digits > 0)
            i = j;
    }
    /* Numbers longer than this are not numbers a log reports. */
    char buf[128];
    if (i >= sizeof buf)
        return 0;
    memcpy(buf, s, i);
    buf[i] = '\0';
    *out = strtod(buf, NULL);
    return i;
}

size_t logs_normalize_name(const char *s, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = 0;
    int pending_us = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || is_digit(ch)) {
            if (pending_us && n > 0 && out[n - 1] != '.') {
                if (n + 1 >= cap)
                    return 0;
                out[n++] = '_';
            }
            pending_us = 0;
            if (n + 1 >= cap)
                return 0;
            out[n++] = ch;
        } else if (ch == '.') {
            pending_us = 0;
            if (n > 0 && out[n - 1] != '.') {
                if (n + 1 >= cap)
                    return 0;
                out[n++] = '.';
            }
        } else {
            pending_us = 1;
        }
    }
    while (n > 0 && out[n - 1] == '.')
        n--;
    out[n] = '\0';
    return n;
}
