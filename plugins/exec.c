/*
 * exec.c - fork/execve of a plugin's program with captured output, a
 * timeout and cancellation.
 *
 * The child gets its own session (and cgroup, when it can: exec_tree.h) so
 * a timeout kills the program and everything it started. Between fork and
 * execve the child calls only async-signal-safe functions (the parent may be
 * multi-threaded): everything it needs (resolved path, environment, the
 * cgroup's descriptor) is built before the fork. An exec
 * failure is reported to the parent through a close-on-exec pipe.
 */
/* pipe2 and O_CLOEXEC pipes are GNU/Linux. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugins/exec.h"
#include "plugins/exec_tree.h"
#include "util/buf.h"

extern char **environ;

#define EXEC_DEFAULT_MAX_OUTPUT (16u * 1024u * 1024u)
#define EXEC_TICK_MS 50
#define EXEC_TERM_GRACE_S 2.0

static void exec_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void exec_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static double exec_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A captured stream keeping its last cap/2 to cap bytes. */
typedef struct {
    buf b;
    size_t cap;
    int truncated;
    int fd;
} exec_stream;

static int exec_stream_add(exec_stream *s, const char *data, size_t n)
{
    if (n >= s->cap) {
        data += n - s->cap;
        n = s->cap;
        s->b.len = 0;
        s->truncated = 1;
    } else if (s->b.len + n > s->cap) {
        /* Drop down to half the cap at once, so a flood costs linear time. */
        size_t keep = s->cap / 2 > n ? s->cap / 2 - n : 0;
        if (keep > s->b.len)
            keep = s->b.len;
        memmove(s->b.data, s->b.data + s->b.len - keep, keep);
        s->b.len = keep;
        s->truncated = 1;
    }
    buf_append(&s->b, data, n);
    return s->b.failed ? -1 : 0;
}

/* Reads what is available (at most 1 MiB, so a program that floods its
 * output cannot keep the caller from checking its clock); 1 at end of
 * stream, 0 otherwise, -1 on error. */
static int exec_stream_read(exec_stream *s)
{
    char chunk[65536];
    for (int round = 0; round < 16; round++) {
        ssize_t r = read(s->fd, chunk, sizeof chunk);
        if (r > 0) {
            if (exec_stream_add(s, chunk, (size_t)r) != 0)
                return -1;
            continue;
        }
        if (r == 0)
            return 1;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return -1;
    }
    return 0;
}

/* The program's path: as given when it has a '/', else the first executable
 * match in $PATH. Returns a malloc'd string or NULL. */
static char *exec_resolve(const char *prog)
{
    if (!prog || !prog[0])
        return NULL;
    if (strchr(prog, '/'))
        return strdup(prog);
    const char *path = getenv("PATH");
    if (!path || !path[0])
        path = "/usr/local/bin:/usr/bin:/bin";
    size_t plen = strlen(prog);
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        char *cand = malloc(dlen + plen + 3);
        if (!cand)
            return NULL;
        if (dlen == 0)
            snprintf(cand, plen + 3, "./%s", prog);
        else
            snprintf(cand, dlen + plen + 2, "%.*s/%s", (int)dlen, p, prog);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (!end)
            break;
        p = end + 1;
    }
    return NULL;
}

/* environ with extra's entries added, replacing same-named ones, and the
 * run's mark last. The strings are borrowed; only the array is allocated. */
static char **exec_build_env(char *const *extra, char *mark)
{
    size_t n_env = 0, n_extra = 0;
    while (environ && environ[n_env])
        n_env++;
    while (extra && extra[n_extra])
        n_extra++;
    char **env = malloc((n_env + n_extra + 2) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nlen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < n_extra && !replaced; j++)
            replaced = strncmp(extra[j], environ[i], nlen) == 0 && extra[j][nlen] == '=';
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < n_extra; j++)
        env[k++] = extra[j];
    env[k++] = mark;
    env[k] = NULL;
    return env;
}

static void exec_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static int exec_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the child: closes every descriptor from `from` up, except keep. */
static void exec_child_close_from(int from, int keep, long max_fd)
{
#ifdef SYS_close_range
    if (keep > from) {
        if (syscall(SYS_close_range, (unsigned)from, (unsigned)(keep - 1), 0u) == 0 &&
            syscall(SYS_close_range, (unsigned)(keep + 1), ~0u, 0u) == 0)
            return;
    } else if (syscall(SYS_close_range, (unsigned)from, ~0u, 0u) == 0) {
        return;
    }
#endif
    for (long fd = from; fd < max_fd; fd++)
        if (fd != keep)
            close((int)fd);
}

void plugin_exec_result_free(plugin_exec_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err);
    memset(res, 0, sizeof *res);
}

int plugin_exec_ok(const plugin_exec_result *res)
{
    return res && res->exited && res->exit_code == 0 && !res->timed_out && !res->cancelled;
}

/* One run of plugin_exec_run: what its steps share. */
typedef struct {
    const plugin_exec_spec *spec;
    char *path;                /* resolved program */
    char **env;
    long max_fd;
    exec_stream out, errs;
    int p_out[2], p_err[2], p_in[2], p_fail[2];
    int devnull;
    int in_fd;                 /* our end of the program's stdin, -1 when closed */
    size_t in_off;             /* bytes of stdin_data written */
    pid_t pid;
    exec_tree tree;            /* every process of the run */
    double t0;
    sigset_t pipe_set, old_set;
    int child_errno, status, reaped, exited_seen, killed, io_error;
    double kill_at, exit_seen_at;
} exec_run;

static void exec_run_init(exec_run *r, const plugin_exec_spec *spec)
{
    memset(r, 0, sizeof *r);
    r->spec = spec;
    size_t cap = spec->max_output ? spec->max_output : EXEC_DEFAULT_MAX_OUTPUT;
    buf_init(&r->out.b);
    buf_init(&r->errs.b);
    r->out.cap = r->errs.cap = cap;
    r->out.fd = r->errs.fd = -1;
    for (int i = 0; i < 2; i++)
        r->p_out[i] = r->p_err[i] = r->p_in[i] = r->p_fail[i] = -1;
    r->devnull = -1;
    r->in_fd = -1;
    r->pid = -1;
    r->tree.procs_fd = -1;
}

/* Step 1: the program's path, that it is executable, its environment. */
static int exec_prepare(exec_run *r, char *err, size_t err_len)
{
    const plugin_exec_spec *spec = r->spec;
    const char *prog = spec->path ? spec->path : spec->argv[0];
    r->path = exec_resolve(prog);
    if (!r->path) {
        exec_err(err, err_len, "program '%s' not found%s", prog,
                 strchr(prog, '/') ? "" : " in PATH");
        return -1;
    }
    if (access(r->path, X_OK) != 0) {
        if (errno == ENOENT)
            exec_err(err, err_len, "program '%s' not found", r->path);
        else
            exec_err(err, err_len, "program '%s' is not executable: %s", r->path,
                     strerror(errno));
        return -1;
    }
    exec_tree_open(&r->tree, !spec->no_cgroup);
    r->env = exec_build_env(spec->env_extra, r->tree.mark);
    if (!r->env) {
        exec_err(err, err_len, "out of memory");
        return -1;
    }
    r->max_fd = sysconf(_SC_OPEN_MAX);
    if (r->max_fd < 0 || r->max_fd > 65536)
        r->max_fd = 65536;
    return 0;
}

/* Step 2: the pipes (all close-on-exec) and /dev/null for a program without
 * stdin data. */
static int exec_open_pipes(exec_run *r, char *err, size_t err_len)
{
    const plugin_exec_spec *spec = r->spec;
    if (pipe2(r->p_out, O_CLOEXEC) != 0 || pipe2(r->p_err, O_CLOEXEC) != 0 ||
        pipe2(r->p_fail, O_CLOEXEC) != 0 || (spec->stdin_data && pipe2(r->p_in, O_CLOEXEC) != 0)) {
        exec_err(err, err_len, "cannot create pipes: %s", strerror(errno));
        return -1;
    }
    if (!spec->stdin_data && (r->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        exec_err(err, err_len, "cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Step 3, in the child: async-signal-safe calls only; never returns. */
static void exec_child(const exec_run *r)
{
    const plugin_exec_spec *spec = r->spec;
    sigset_t none;
    sigemptyset(&none);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    exec_tree_child_enter(&r->tree);
    int in_fd = spec->stdin_data ? r->p_in[0] : r->devnull;
    if (dup2(in_fd, 0) < 0 || dup2(r->p_out[1], 1) < 0 || dup2(r->p_err[1], 2) < 0)
        goto child_fail;
    if (spec->cwd && chdir(spec->cwd) != 0)
        goto child_fail;
    exec_child_close_from(3, r->p_fail[1], r->max_fd);
    /* (the cgroup.procs descriptor is close-on-exec and already written) */
    execve(r->path, spec->argv, r->env);
child_fail:;
    int e = errno;
    ssize_t w = write(r->p_fail[1], &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Step 4, in the parent: close the child's ends, learn whether execve
 * failed, make our ends non-blocking. */
static void exec_parent_setup(exec_run *r)
{
    /* No setpgid here: the child's setsid would fail on a group leader. The
     * read below waits for its execve, after its setsid. */
    exec_close(&r->devnull);
    exec_close(&r->p_out[1]);
    exec_close(&r->p_err[1]);
    exec_close(&r->p_fail[1]);
    exec_close(&r->p_in[0]);

    ssize_t n;
    do {
        n = read(r->p_fail[0], &r->child_errno, sizeof r->child_errno);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof r->child_errno)
        r->child_errno = 0;
    exec_close(&r->p_fail[0]);

    r->out.fd = r->p_out[0];
    r->errs.fd = r->p_err[0];
    r->p_out[0] = r->p_err[0] = -1;
    exec_nonblock(r->out.fd);
    exec_nonblock(r->errs.fd);
    r->in_fd = r->p_in[1];
    r->p_in[1] = -1;
    if (r->in_fd >= 0) {
        exec_nonblock(r->in_fd);
        if (r->spec->stdin_len == 0)
            exec_close(&r->in_fd);
    }
}

/* Reads a ready stream, closing it at its end or on error. */
static void exec_pump_stream(exec_run *r, exec_stream *s)
{
    int st = exec_stream_read(s);
    if (st != 0)
        exec_close(&s->fd);
    if (st < 0)
        r->io_error = 1;
}

/* Step 5a: one poll of the pipes (or a tick's sleep when none is open):
 * reads output, writes stdin. -1 when poll itself failed. */
static int exec_pump(exec_run *r)
{
    const plugin_exec_spec *spec = r->spec;
    struct pollfd pf[3];
    int np = 0, i_out = -1, i_err = -1, i_in = -1;
    if (r->out.fd >= 0) {
        pf[np].fd = r->out.fd;
        pf[np].events = POLLIN;
        i_out = np++;
    }
    if (r->errs.fd >= 0) {
        pf[np].fd = r->errs.fd;
        pf[np].events = POLLIN;
        i_err = np++;
    }
    if (r->in_fd >= 0) {
        pf[np].fd = r->in_fd;
        pf[np].events = POLLOUT;
        i_in = np++;
    }
    if (np == 0) {
        if (!r->exited_seen) {
            struct timespec ts = {0, EXEC_TICK_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
        return 0;
    }
    int pr = poll(pf, (nfds_t)np, EXEC_TICK_MS);
    if (pr < 0 && errno != EINTR)
        return -1;
    if (pr <= 0)
        return 0;
    if (i_out >= 0 && (pf[i_out].revents & (POLLIN | POLLHUP | POLLERR)))
        exec_pump_stream(r, &r->out);
    if (i_err >= 0 && (pf[i_err].revents & (POLLIN | POLLHUP | POLLERR)))
        exec_pump_stream(r, &r->errs);
    if (i_in >= 0 && (pf[i_in].revents & (POLLOUT | POLLHUP | POLLERR))) {
        ssize_t w = write(r->in_fd, spec->stdin_data + r->in_off, spec->stdin_len - r->in_off);
        if (w > 0)
            r->in_off += (size_t)w;
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || r->in_off >= spec->stdin_len)
            exec_close(&r->in_fd);
    }
    return 0;
}

/* Step 5b: the clock and the program's state after a poll: notices its end,
 * enforces the timeout and the cancel flag (TERM, then KILL after a grace).
 * 1 when the run is over. */
static int exec_watch(exec_run *r, plugin_exec_result *res)
{
    const plugin_exec_spec *spec = r->spec;
    double now = exec_now();
    /* Has the program ended? Peek without reaping, so its pid (and the
     * process group id) stays reserved while stragglers are killed. */
    if (!r->exited_seen) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid == r->pid) {
            r->exited_seen = 1;
            r->exit_seen_at = now;
        }
    }
    if (!r->exited_seen && !r->killed) {
        int why = 0;
        if (spec->timeout_seconds > 0 && now - r->t0 > spec->timeout_seconds)
            why = 1;
        else if (spec->cancel && atomic_load(spec->cancel))
            why = 2;
        if (why) {
            res->timed_out = why == 1;
            res->cancelled = why == 2;
            exec_tree_kill(&r->tree, r->pid, SIGTERM);
            r->killed = 1;
            r->kill_at = now;
        }
    }
    if (r->killed && !r->exited_seen && now - r->kill_at > EXEC_TERM_GRACE_S)
        exec_tree_kill(&r->tree, r->pid, SIGKILL);
    /* After the end, read what is left for a short while; a background
     * process that keeps the pipes open is killed with the group. */
    if (r->exited_seen && ((r->out.fd < 0 && r->errs.fd < 0) || now - r->exit_seen_at > 1.0)) {
        exec_tree_kill(&r->tree, r->pid, SIGKILL);
        return 1;
    }
    return 0;
}

/* Step 6: drain what is buffered, reap the program with its resource usage,
 * take back the SIGPIPE mask. */
static void exec_reap(exec_run *r, plugin_exec_result *res)
{
    if (r->io_error && !r->exited_seen)
        exec_tree_kill(&r->tree, r->pid, SIGKILL);
    if (r->out.fd >= 0)
        exec_stream_read(&r->out);
    if (r->errs.fd >= 0)
        exec_stream_read(&r->errs);
    while (!r->reaped) {
        struct rusage ru;
        pid_t w = wait4(r->pid, &r->status, 0, &ru);
        if (w == r->pid) {
            r->reaped = 1;
            res->user_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
            res->sys_seconds = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
            res->max_rss_kb = (double)ru.ru_maxrss;
        } else if (w < 0 && errno != EINTR) {
            break;
        }
    }
    res->seconds = exec_now() - r->t0;

    /* Consume a SIGPIPE raised by our writes before unblocking it. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&r->pipe_set, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &r->old_set, NULL);
    exec_close(&r->in_fd);
}

/* Step 7: the program's fate into res; -1 when it never started or its
 * output could not be read. */
static int exec_outcome(const exec_run *r, plugin_exec_result *res, char *err, size_t err_len)
{
    if (r->child_errno) {
        exec_err(err, err_len, "cannot start '%s': %s", r->path, strerror(r->child_errno));
        return -1;
    }
    if (r->reaped) {
        if (WIFEXITED(r->status)) {
            res->exited = 1;
            res->exit_code = WEXITSTATUS(r->status);
        } else if (WIFSIGNALED(r->status)) {
            res->signaled = 1;
            res->term_signal = WTERMSIG(r->status);
        }
    }
    if (r->io_error && !res->timed_out && !res->cancelled) {
        exec_err(err, err_len, "reading the output of '%s' failed", r->path);
        return -1;
    }
    return 0;
}

/* Step 8: closes every descriptor left, hands the output to res when rc is
 * 0, frees the rest; returns the final status. */
static int exec_release(exec_run *r, int rc, plugin_exec_result *res, char *err,
                        size_t err_len)
{
    exec_close(&r->out.fd);
    exec_close(&r->errs.fd);
    exec_close(&r->devnull);
    exec_close(&r->in_fd);
    for (int i = 0; i < 2; i++) {
        exec_close(&r->p_out[i]);
        exec_close(&r->p_err[i]);
        exec_close(&r->p_in[i]);
        exec_close(&r->p_fail[i]);
    }
    if (rc == 0) {
        res->out_truncated = r->out.truncated;
        res->err_truncated = r->errs.truncated;
        res->out = buf_finish(&r->out.b, &res->out_len);
        res->err = buf_finish(&r->errs.b, &res->err_len);
        if (!res->out || !res->err) {
            plugin_exec_result_free(res);
            exec_err(err, err_len, "out of memory");
            rc = -1;
        }
    } else {
        buf_free(&r->out.b);
        buf_free(&r->errs.b);
    }
    exec_tree_close(&r->tree);
    free(r->env);
    free(r->path);
    return rc;
}

int plugin_exec_run(const plugin_exec_spec *spec, plugin_exec_result *res, char *err,
                    size_t err_len)
{
    assert(res);
    memset(res, 0, sizeof *res);
    if (!spec || !spec->argv || !spec->argv[0]) {
        exec_err(err, err_len, "no program to run");
        return -1;
    }
    exec_run r;
    exec_run_init(&r, spec);
    if (exec_prepare(&r, err, err_len) != 0 || exec_open_pipes(&r, err, err_len) != 0)
        return exec_release(&r, -1, res, err, err_len);

    /* SIGPIPE from writing stdin to a program that stopped reading must not
     * kill the host: block it in this thread while the program runs. */
    sigemptyset(&r.pipe_set);
    sigaddset(&r.pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &r.pipe_set, &r.old_set);

    r.t0 = exec_now();
    r.pid = fork();
    if (r.pid < 0) {
        exec_err(err, err_len, "fork failed: %s", strerror(errno));
        pthread_sigmask(SIG_SETMASK, &r.old_set, NULL);
        return exec_release(&r, -1, res, err, err_len);
    }
    if (r.pid == 0)
        exec_child(&r);

    exec_parent_setup(&r);
    for (;;) {
        if (exec_pump(&r) != 0) {
            r.io_error = 1;
            break;
        }
        if (exec_watch(&r, res))
            break;
    }
    exec_reap(&r, res);
    int rc = exec_outcome(&r, res, err, err_len);
    return exec_release(&r, rc, res, err, err_len);
}

void plugin_exec_describe(const plugin_exec_result *res, double timeout_seconds, char *buf,
                          size_t len)
{
    if (!buf || len == 0)
        return;
    size_t used;
    if (res->cancelled)
        used = (size_t)snprintf(buf, len, "cancelled");
    else if (res->timed_out)
        used = (size_t)snprintf(buf, len, "timed out after %g s", timeout_seconds);
    else if (res->signaled)
        used = (size_t)snprintf(buf, len, "killed by signal %d (%s)", res->term_signal,
                                strsignal(res->term_signal));
    else if (res->exited)
        used = (size_t)snprintf(buf, len, "exit status %d", res->exit_code);
    else
        used = (size_t)snprintf(buf, len, "ended in an unknown way");
    if (used >= len)
        return;
    /* The last non-empty line of stderr says most about a failure. */
    if (res->err && res->err_len) {
        size_t e = res->err_len;
        while (e > 0 && (res->err[e - 1] == '\n' || res->err[e - 1] == '\r' ||
                         res->err[e - 1] == ' '))
            e--;
        size_t s = e;
        while (s > 0 && res->err[s - 1] != '\n' && res->err[s - 1] != '\r')
            s--;
        if (e > s) {
            size_t n = e - s;
            if (n > 300) {
                s = e - 300;
                n = 300;
            }
            snprintf(buf + used, len - used, ": %.*s", (int)n, res->err + s);
        }
    }
}

int plugin_tempdir_new(const char *base, const char *prefix, char *out, size_t out_len,
                       char *err, size_t err_len)
{
    if (!base)
        base = getenv("TMPDIR");
    if (!base || !base[0])
        base = "/tmp";
    int n = snprintf(out, out_len, "%s/%sXXXXXX", base, prefix);
    if (n < 0 || (size_t)n >= out_len) {
        exec_err(err, err_len, "temporary directory path too long under %s", base);
        return -1;
    }
    if (!mkdtemp(out)) {
        exec_err(err, err_len, "cannot create a temporary directory in %s: %s", base,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static int exec_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

int plugin_remove_tree(const char *dir)
{
    return nftw(dir, exec_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
