/*
 * report.c - a trial's report body under the service's request limit: the
 * plugin's result as JSON, the objective among the metrics, and a log cut to
 * the tail that fits (see report.h).
 */
#include "worker/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin_json.h"

/* Room kept for the members around the log ("logs", quotes, the marker). */
#define REPORT_SLACK 512
/* Less room than this for the log: send none. */
#define REPORT_MIN_LOG 1024

static size_t report_size(const json_t *body)
{
    return json_dumpb(body, NULL, 0, JSON_COMPACT);
}

/* Bytes of c once escaped by jansson's compact dump. */
static size_t report_escaped(unsigned char c)
{
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
        return 2;
    return c < 0x20 ? 6 : 1;
}

/* The start of the longest tail of s[0, len) whose escaped size is at most
 * room, moved forward to a UTF-8 character boundary. */
static size_t report_tail_start(const char *s, size_t len, size_t room)
{
    size_t start = len, used = 0;
    while (start > 0) {
        size_t c = report_escaped((unsigned char)s[start - 1]);
        if (used + c > room)
            break;
        used += c;
        start--;
    }
    while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
        start++;
    return start;
}

/* Replaces body's log by its tail that fits room escaped bytes, behind the
 * marker line. 0, or -1 when out of memory. */
static int report_cut_log(json_t *body, size_t room, worker_report_fit *fit)
{
    json_t *logs = json_object_get(body, "logs");
    const char *s = json_string_value(logs);
    size_t len = json_string_length(logs);
    size_t start = report_tail_start(s, len, room);
    char mark[256];
    int m = snprintf(mark, sizeof mark, "%s: its first %zu of %zu bytes were dropped to fit the "
                     "service's request limit]\n", WORKER_REPORT_CUT_MARK, start, len);
    size_t mlen = m > 0 && (size_t)m < sizeof mark ? (size_t)m : 0;
    size_t total = mlen + (len - start);
    char *text = malloc(total + 1);
    if (!text)
        return -1;
    memcpy(text, mark, mlen);
    memcpy(text + mlen, s + start, len - start);
    json_t *cut = json_stringn(text, total);
    free(text);
    if (!cut || json_object_set_new(body, "logs", cut) != 0)
        return -1;
    fit->log_sent = len - start;
    fit->log_cut = 1;
    return 0;
}

static void report_drop_log(json_t *body, worker_report_fit *fit)
{
    json_object_del(body, "logs");
    json_object_del(body, "log_format");
    fit->log_sent = 0;
    fit->log_dropped = 1;
}

json_t *worker_report_body(const plugin_result *res, const char *objective, size_t max_body,
                           worker_report_fit *fit)
{
    worker_report_fit none;
    if (!fit)
        fit = &none;
    memset(fit, 0, sizeof *fit);
    json_t *body = plugin_result_to_json(res);
    if (!body || res->state != PLUGIN_OK)
        return body;
    json_t *metrics = json_object_get(body, "metrics");
    if (res->has_objective && objective && objective[0] && json_is_object(metrics) &&
        !json_object_get(metrics, objective) &&
        json_object_set_new(metrics, objective, json_real(res->objective)) != 0) {
        json_decref(body);
        return NULL;
    }
    json_t *logs = json_object_get(body, "logs");
    if (!logs)
        return body;
    fit->log_bytes = fit->log_sent = json_string_length(logs);
    if (max_body == 0) {
        report_drop_log(body, fit);
        return body;
    }
    /* A cut may still be a little over when the estimate of the escaping was
     * short: cut again with less room. */
    for (int round = 0; round < 4 && report_size(body) > max_body; round++) {
        json_t *keep = json_incref(json_object_get(body, "logs"));
        json_object_del(body, "logs");
        size_t base = report_size(body) + REPORT_SLACK * (size_t)(1 + round * 4);
        json_object_set_new(body, "logs", keep);
        if (base + REPORT_MIN_LOG > max_body) {
            report_drop_log(body, fit);
            break;
        }
        /* Always cut the original log, not an earlier cut. */
        if (round > 0) {
            json_t *orig = plugin_json_text(res->log, res->log_len);
            if (!orig || json_object_set_new(body, "logs", orig) != 0) {
                json_decref(body);
                return NULL;
            }
        }
        if (report_cut_log(body, max_body - base, fit) != 0) {
            json_decref(body);
            return NULL;
        }
    }
    if (report_size(body) > max_body)
        report_drop_log(body, fit);
    return body;
}
