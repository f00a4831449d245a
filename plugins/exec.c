/*
 * exec.c - fork/execve of a plugin's program with captured output, a
 * timeout and cancellation.
 *
 * The child gets its own process group so a timeout kills the program and
 * everything it started. Between fork and execve the child calls only
 * async-signal-safe functions (the parent may be multi-threaded): everything
 * it needs (resolved path, environment) is built before the fork. An exec
 * failure is reported to the parent through a close-on-exec pipe.
 */
/* pipe2 and O_CLOEXEC pipes are GNU/Linux. */
#define _GNU_SOURCE
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
    char *buf;
    size_t len, alloc, cap;
    int truncated;
    int fd;
} exec_stream;

static int exec_stream_add(exec_stream *s, const char *data, size_t n)
{
    if (n >= s->cap) {
        data += n - s->cap;
        n = s->cap;
        s->len = 0;
        s->truncated = 1;
    } else if (s->len + n > s->cap) {
        /* Drop down to half the cap at once, so a flood costs linear time. */
        size_t keep = s->cap / 2 > n ? s->cap / 2 - n : 0;
        if (keep > s->len)
            keep = s->len;
        memmove(s->buf, s->buf + s->len - keep, keep);
        s->len = keep;
        s->truncated = 1;
    }
    if (s->len + n + 1 > s->alloc) {
        size_t a = s->alloc ? s->alloc : 4096;
        while (a < s->len + n + 1)
            a *= 2;
        char *b = realloc(s->buf, a);
        if (!b)
            return -1;
        s->buf = b;
        s->alloc = a;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return 0;
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

/* environ with extra's entries added, replacing same-named ones. The strings
 * are borrowed; only the array is allocated. */
static char **exec_build_env(char *const *extra)
{
    size_t n_env = 0, n_extra = 0;
    while (environ && environ[n_env])
        n_env++;
    while (extra && extra[n_extra])
        n_extra++;
    char **env = malloc((n_env + n_extra + 1) * sizeof *env);
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

int plugin_exec_run(const plugin_exec_spec *spec, plugin_exec_result *res, char *err,
                    size_t err_len)
{
    memset(res, 0, sizeof *res);
    if (!spec || !spec->argv || !spec->argv[0]) {
        exec_err(err, err_len, "no program to run");
        return -1;
    }
    const char *prog = spec->path ? spec->path : spec->argv[0];
    char *path = exec_resolve(prog);
    if (!path) {
        exec_err(err, err_len, "program '%s' not found%s", prog,
                 strchr(prog, '/') ? "" : " in PATH");
        return -1;
    }
    if (access(path, X_OK) != 0) {
        if (errno == ENOENT)
            exec_err(err, err_len, "program '%s' not found", path);
        else
            exec_err(err, err_len, "program '%s' is not executable: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    char **env = exec_build_env(spec->env_extra);
    if (!env) {
        free(path);
        exec_err(err, err_len, "out of memory");
        return -1;
    }
    long max_fd = sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 65536)
        max_fd = 65536;

    size_t cap = spec->max_output ? spec->max_output : EXEC_DEFAULT_MAX_OUTPUT;
    exec_stream out = {.cap = cap, .fd = -1}, errs = {.cap = cap, .fd = -1};
    int p_out[2] = {-1, -1}, p_err[2] = {-1, -1}, p_in[2] = {-1, -1}, p_fail[2] = {-1, -1};
    int rc = -1;
    pid_t pid = -1;

    if (pipe2(p_out, O_CLOEXEC) != 0 || pipe2(p_err, O_CLOEXEC) != 0 ||
        pipe2(p_fail, O_CLOEXEC) != 0 || (spec->stdin_data && pipe2(p_in, O_CLOEXEC) != 0)) {
        exec_err(err, err_len, "cannot create pipes: %s", strerror(errno));
        goto done;
    }
    int devnull = -1;
    if (!spec->stdin_data && (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        exec_err(err, err_len, "cannot open /dev/null: %s", strerror(errno));
        goto done;
    }

    /* SIGPIPE from writing stdin to a program that stopped reading must not
     * kill the host: block it in this thread while the program runs. */
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

    double t0 = exec_now();
    pid = fork();
    if (pid < 0) {
        exec_err(err, err_len, "fork failed: %s", strerror(errno));
        pthread_sigmask(SIG_SETMASK, &old_set, NULL);
        if (devnull >= 0)
            close(devnull);
        goto done;
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only. */
        sigset_t none;
        sigemptyset(&none);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGPIPE, &dfl, NULL);
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        int in_fd = spec->stdin_data ? p_in[0] : devnull;
        if (dup2(in_fd, 0) < 0 || dup2(p_out[1], 1) < 0 || dup2(p_err[1], 2) < 0)
            goto child_fail;
        if (spec->cwd && chdir(spec->cwd) != 0)
            goto child_fail;
        exec_child_close_from(3, p_fail[1], max_fd);
        execve(path, spec->argv, env);
    child_fail:;
        int e = errno;
        ssize_t w = write(p_fail[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }

    /* Parent. */
    setpgid(pid, pid); /* also done by the child; whichever runs first wins */
    if (devnull >= 0)
        close(devnull);
    exec_close(&p_out[1]);
    exec_close(&p_err[1]);
    exec_close(&p_fail[1]);
    exec_close(&p_in[0]);

    int child_errno = 0;
    {
        ssize_t r;
        do {
            r = read(p_fail[0], &child_errno, sizeof child_errno);
        } while (r < 0 && errno == EINTR);
        if (r != (ssize_t)sizeof child_errno)
            child_errno = 0;
    }
    exec_close(&p_fail[0]);

    out.fd = p_out[0];
    errs.fd = p_err[0];
    p_out[0] = p_err[0] = -1;
    exec_nonblock(out.fd);
    exec_nonblock(errs.fd);
    int in_fd = p_in[1];
    p_in[1] = -1;
    size_t in_off = 0;
    if (in_fd >= 0) {
        exec_nonblock(in_fd);
        if (spec->stdin_len == 0)
            exec_close(&in_fd);
    }

    int status = 0, reaped = 0, exited_seen = 0, killed = 0;
    double kill_at = 0, exit_seen_at = 0;
    int io_error = 0;
    for (;;) {
        struct pollfd pf[3];
        int np = 0, i_out = -1, i_err = -1, i_in = -1;
        if (out.fd >= 0) {
            pf[np].fd = out.fd;
            pf[np].events = POLLIN;
            i_out = np++;
        }
        if (errs.fd >= 0) {
            pf[np].fd = errs.fd;
            pf[np].events = POLLIN;
            i_err = np++;
        }
        if (in_fd >= 0) {
            pf[np].fd = in_fd;
            pf[np].events = POLLOUT;
            i_in = np++;
        }
        if (np > 0) {
            int pr = poll(pf, (nfds_t)np, EXEC_TICK_MS);
            if (pr < 0 && errno != EINTR) {
                io_error = 1;
                break;
            }
            if (pr > 0) {
                if (i_out >= 0 && (pf[i_out].revents & (POLLIN | POLLHUP | POLLERR))) {
                    int s = exec_stream_read(&out);
                    if (s != 0)
                        exec_close(&out.fd);
                    if (s < 0)
                        io_error = 1;
                }
                if (i_err >= 0 && (pf[i_err].revents & (POLLIN | POLLHUP | POLLERR))) {
                    int s = exec_stream_read(&errs);
                    if (s != 0)
                        exec_close(&errs.fd);
                    if (s < 0)
                        io_error = 1;
                }
                if (i_in >= 0 && (pf[i_in].revents & (POLLOUT | POLLHUP | POLLERR))) {
                    ssize_t w = write(in_fd, spec->stdin_data + in_off, spec->stdin_len - in_off);
                    if (w > 0)
                        in_off += (size_t)w;
                    if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= spec->stdin_len)
                        exec_close(&in_fd);
                }
            }
        } else if (!exited_seen) {
            struct timespec ts = {0, EXEC_TICK_MS * 1000000L};
            nanosleep(&ts, NULL);
        }

        double now = exec_now();
        /* Has the program ended? Peek without reaping, so its pid (and the
         * process group id) stays reserved while stragglers are killed. */
        if (!exited_seen) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
                exited_seen = 1;
                exit_seen_at = now;
            }
        }
        if (!exited_seen && !killed) {
            int why = 0;
            if (spec->timeout_seconds > 0 && now - t0 > spec->timeout_seconds)
                why = 1;
            else if (spec->cancel && atomic_load(spec->cancel))
                why = 2;
            if (why) {
                res->timed_out = why == 1;
                res->cancelled = why == 2;
                kill(-pid, SIGTERM);
                kill(pid, SIGTERM);
                killed = 1;
                kill_at = now;
            }
        }
        if (killed && !exited_seen && now - kill_at > EXEC_TERM_GRACE_S) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
        if (exited_seen) {
            /* Read what is left for a short while; a background process that
             * keeps the pipes open is killed with the group. */
            if ((out.fd < 0 && errs.fd < 0) || now - exit_seen_at > 1.0) {
                kill(-pid, SIGKILL);
                break;
            }
        }
    }
    if (io_error && !exited_seen) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    /* Drain what is buffered after the kill. */
    if (out.fd >= 0)
        exec_stream_read(&out);
    if (errs.fd >= 0)
        exec_stream_read(&errs);
    while (!reaped) {
        struct rusage ru;
        pid_t w = wait4(pid, &status, 0, &ru);
        if (w == pid) {
            reaped = 1;
            res->user_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
            res->sys_seconds = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
            res->max_rss_kb = (double)ru.ru_maxrss;
        } else if (w < 0 && errno != EINTR) {
            break;
        }
    }
    res->seconds = exec_now() - t0;

    /* Consume a SIGPIPE raised by our writes before unblocking it. */
    {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {
        }
        pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    }
    exec_close(&in_fd);

    if (child_errno) {
        exec_err(err, err_len, "cannot start '%s': %s", path, strerror(child_errno));
        goto done;
    }
    if (reaped) {
        if (WIFEXITED(status)) {
            res->exited = 1;
            res->exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            res->signaled = 1;
            res->term_signal = WTERMSIG(status);
        }
    }
    if (io_error && !res->timed_out && !res->cancelled) {
        exec_err(err, err_len, "reading the output of '%s' failed", path);
        goto done;
    }
    rc = 0;

done:
    exec_close(&out.fd);
    exec_close(&errs.fd);
    exec_close(&p_out[0]);
    exec_close(&p_out[1]);
    exec_close(&p_err[0]);
    exec_close(&p_err[1]);
    exec_close(&p_in[0]);
    exec_close(&p_in[1]);
    exec_close(&p_fail[0]);
    exec_close(&p_fail[1]);
    if (rc == 0) {
        res->out = out.buf ? out.buf : strdup("");
        res->out_len = out.len;
        res->out_truncated = out.truncated;
        res->err = errs.buf ? errs.buf : strdup("");
        res->err_len = errs.len;
        res->err_truncated = errs.truncated;
        if (!res->out || !res->err) {
            plugin_exec_result_free(res);
            exec_err(err, err_len, "out of memory");
            rc = -1;
        }
    } else {
        free(out.buf);
        free(errs.buf);
    }
    free(env);
    free(path);
    return rc;
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
