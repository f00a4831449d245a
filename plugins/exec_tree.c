/*
 * exec_tree.c - the process tree of a plugin's program: a cgroup v2 of its
 * own when possible, else its session and an environment mark found by
 * walking /proc (see exec_tree.h).
 */
#define _GNU_SOURCE
#include "plugins/exec_tree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TREE_MARK_NAME "BOGRAPH_RUN_MARK="
#define TREE_ENVIRON_MAX (1u << 20)
#define TREE_EMPTY_WAIT_MS 1000

/* The cgroup v2 mount point from /proc/self/mountinfo into out; 0 or -1. */
static int tree_cgroup2_mount(char *out, size_t len)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -1;
    char line[4096];
    int found = -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPER */
        char *sep = strstr(line, " - ");
        if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
            continue;
        char root[1024], mnt[1024];
        if (sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) == 2 && strcmp(root, "/") == 0 &&
            strlen(mnt) < len) {
            snprintf(out, len, "%s", mnt);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* This process's cgroup v2 path ("0::/path") into out; 0 or -1. */
static int tree_own_cgroup(char *out, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -1;
    char line[4096];
    int found = -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line + 3) < len) {
            snprintf(out, len, "%s", line + 3);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static void tree_make_cgroup(exec_tree *t, const char *unique)
{
    char mnt[512], own[512];
    if (tree_cgroup2_mount(mnt, sizeof mnt) != 0 || tree_own_cgroup(own, sizeof own) != 0)
        return;
    int n = snprintf(t->cgroup, sizeof t->cgroup, "%s%s%sbograph-run-%s", mnt, own,
                     own[strlen(own) - 1] == '/' ? "" : "/", unique);
    if (n < 0 || (size_t)n >= sizeof t->cgroup || mkdir(t->cgroup, 0755) != 0) {
        t->cgroup[0] = '\0';
        return;
    }
    char procs[600];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", t->cgroup);
    t->procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (t->procs_fd < 0) {
        rmdir(t->cgroup);
        t->cgroup[0] = '\0';
    }
}

void exec_tree_open(exec_tree *t, int allow_cgroup)
{
    memset(t, 0, sizeof *t);
    t->procs_fd = -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char unique[64];
    snprintf(unique, sizeof unique, "%ld-%ld-%lld%09ld", (long)getpid(),
             (long)syscall(SYS_gettid), (long long)ts.tv_sec, ts.tv_nsec);
    snprintf(t->mark, sizeof t->mark, TREE_MARK_NAME "%s", unique);
    if (allow_cgroup)
        tree_make_cgroup(t, unique);
}

void exec_tree_child_enter(const exec_tree *t)
{
    /* A session of its own either way: the program's group and session ids
     * are its pid, which the fallback walks for. */
    setsid();
    if (t->procs_fd >= 0) {
        ssize_t w = write(t->procs_fd, "0", 1);
        (void)w;
    }
}

/* 1 when /proc/<pid>/environ holds the mark. */
static int tree_has_mark(const char *pid, const char *mark)
{
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/environ", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t mlen = strlen(mark), cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    int found = 0;
    while (buf && !found && len < TREE_ENVIRON_MAX) {
        if (len == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    for (size_t i = 0; buf && i + mlen <= len && !found; i++) {
        if ((i == 0 || buf[i - 1] == '\0') && memcmp(buf + i, mark, mlen) == 0 &&
            (i + mlen == len || buf[i + mlen] == '\0'))
            found = 1;
    }
    free(buf);
    close(fd);
    return found;
}

/* The process group and session of /proc/<pid>/stat; 0 or -1. */
static int tree_stat_ids(const char *pid, long *pgrp, long *sid)
{
    char path[300], line[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* "pid (comm) state ppid pgrp session ...": comm may hold anything, so
     * read after its last ')'. */
    char *p = strrchr(line, ')');
    if (!p || sscanf(p + 1, " %*c %*d %ld %ld", pgrp, sid) != 2)
        return -1;
    return 0;
}

/* The fallback: walks /proc for leader's session and group and the mark. */
static void tree_kill_walk(const exec_tree *t, pid_t leader, int sig)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)atol(e->d_name);
        long pgrp, sid;
        if (pid == self || tree_stat_ids(e->d_name, &pgrp, &sid) != 0)
            continue;
        if ((leader > 0 && (sid == leader || pgrp == leader)) || tree_has_mark(e->d_name, t->mark))
            kill(pid, sig);
    }
    closedir(d);
}

/* Sends sig to each process listed in the cgroup. */
static void tree_kill_cgroup(const exec_tree *t, int sig)
{
    char path[600];
    if (sig == SIGKILL) {
        snprintf(path, sizeof path, "%s/cgroup.kill", t->cgroup);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t w = write(fd, "1", 1);
            close(fd);
            if (w == 1)
                return;
        }
    }
    snprintf(path, sizeof path, "%s/cgroup.procs", t->cgroup);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    long pid;
    while (fscanf(f, "%ld", &pid) == 1)
        if (pid > 0 && pid != (long)getpid())
            kill((pid_t)pid, sig);
    fclose(f);
}

void exec_tree_kill(const exec_tree *t, pid_t leader, int sig)
{
    if (leader > 0) {
        kill(-leader, sig);
        kill(leader, sig);
    }
    if (t->cgroup[0])
        tree_kill_cgroup(t, sig);
    else
        tree_kill_walk(t, leader, sig);
}

/* 1 when the cgroup has no process left. */
static int tree_cgroup_empty(const exec_tree *t)
{
    char path[600], buf[256];
    snprintf(path, sizeof path, "%s/cgroup.events", t->cgroup);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strstr(buf, "populated 0") != NULL;
}

void exec_tree_close(exec_tree *t)
{
    if (t->procs_fd >= 0) {
        close(t->procs_fd);
        t->procs_fd = -1;
    }
    if (!t->cgroup[0])
        return;
    for (int ms = 0; ms < TREE_EMPTY_WAIT_MS && !tree_cgroup_empty(t); ms += 10) {
        tree_kill_cgroup(t, SIGKILL);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    rmdir(t->cgroup);
    t->cgroup[0] = '\0';
}
