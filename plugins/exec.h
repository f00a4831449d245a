/*
 * exec.h - runs a program for a plugin: argv straight to execve (never a
 * shell), optional stdin text, stdout and stderr captured, a wall-clock
 * timeout and a cancel flag, both of which kill the program and every
 * process it started, also one that left its process group or session
 * (plugins/exec_tree.h: a cgroup of its own, else its session and an
 * environment mark BOGRAPH_RUN_MARK). When the program exits, what it left
 * running is killed too. Safe to call from several threads at once.
 */
#ifndef BOGRAPH_PLUGINS_EXEC_H
#define BOGRAPH_PLUGINS_EXEC_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    const char *path;            /* program; without a '/', searched in $PATH */
    char *const *argv;           /* argv[0] included, NULL-terminated */
    char *const *env_extra;      /* "NAME=value" entries added to (or replacing in)
                                  * the environment, NULL-terminated; may be NULL */
    const char *cwd;             /* working directory; NULL keeps the caller's */
    const char *stdin_data;      /* written to the program's stdin, then closed; */
    size_t stdin_len;            /* NULL: stdin is /dev/null */
    double timeout_seconds;      /* <= 0: no limit */
    const atomic_int *cancel;    /* may be NULL */
    size_t max_output;           /* per stream, the tail is kept: at least half of
                                  * this and at most this many bytes; 0: 16 MiB */
    int no_cgroup;               /* 1: no cgroup, the /proc walk only */
} plugin_exec_spec;

typedef struct {
    int exited;          /* exited normally with exit_code */
    int exit_code;
    int signaled;        /* killed by term_signal */
    int term_signal;
    int timed_out;       /* killed because of the timeout */
    int cancelled;       /* killed because of the cancel flag */
    char *out;           /* NUL-terminated captured stdout (tail when truncated) */
    size_t out_len;
    int out_truncated;
    char *err;           /* the same for stderr */
    size_t err_len;
    int err_truncated;
    double seconds;      /* wall time */
    double user_seconds; /* CPU time of the program (and its waited-for children) */
    double sys_seconds;
    double max_rss_kb;   /* peak resident set of the largest process */
} plugin_exec_result;

/* Starts the program and waits for it. 0 when it ran (whatever its exit
 * status: see res); -1 when it could not be started (not found, not
 * executable, fork failed), with a message. res is always initialised and
 * must be released with plugin_exec_result_free. */
int plugin_exec_run(const plugin_exec_spec *spec, plugin_exec_result *res, char *err,
                    size_t err_len);
void plugin_exec_result_free(plugin_exec_result *res);

/* 1 when the program exited with status 0. */
int plugin_exec_ok(const plugin_exec_result *res);
/* "exit status 3", "killed by signal 11 (Segmentation fault)", "timed out
 * after 10 s", "cancelled", followed by the last line of stderr, if any. */
void plugin_exec_describe(const plugin_exec_result *res, double timeout_seconds, char *buf,
                          size_t len);

/* Creates a fresh directory base/<prefix>XXXXXX (base NULL: $TMPDIR, else
 * /tmp) and writes its path to out. 0, or -1 with a message. */
int plugin_tempdir_new(const char *base, const char *prefix, char *out, size_t out_len,
                       char *err, size_t err_len);
/* Removes dir and everything below it (symbolic links are not followed).
 * 0, or -1 when something could not be removed. */
int plugin_remove_tree(const char *dir);

#endif
