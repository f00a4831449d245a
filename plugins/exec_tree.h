/*
 * exec_tree.h - every process a plugin's program starts, so that a timeout
 * or a cancellation kills all of them, also those that left its process
 * group or session (`setsid`, double forks). The program runs in a cgroup
 * of its own when the cgroup v2 hierarchy is writable (killed with
 * cgroup.kill, or process by process on kernels without it); otherwise it is
 * a session leader (setsid) and carries a mark in its environment, and a
 * kill walks /proc for the processes of its session, its process group, or
 * with the mark. The fallback misses only a process that both left the
 * session and cleared its environment.
 *
 * Used by exec.c only: open before fork, enter in the child, kill from the
 * parent, close after the program is reaped.
 */
#ifndef BOGRAPH_PLUGINS_EXEC_TREE_H
#define BOGRAPH_PLUGINS_EXEC_TREE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char cgroup[512];        /* the run's cgroup directory; "" when none */
    int procs_fd;            /* its cgroup.procs, open for the child; -1 when none */
    char mark[96];           /* "BOGRAPH_RUN_MARK=<unique>", for the environment */
} exec_tree;

/* Prepares the tree of one run: a fresh cgroup when allow_cgroup and the
 * hierarchy lets us, and the environment mark. Never fails: without a
 * cgroup the fallback applies. */
void exec_tree_open(exec_tree *t, int allow_cgroup);
/* In the child, between fork and execve (async-signal-safe): joins the
 * cgroup, or else starts a session of its own. */
void exec_tree_child_enter(const exec_tree *t);
/* Sends sig to every process of the run: the cgroup's members, or the
 * processes of leader's session or group and those with the mark. */
void exec_tree_kill(const exec_tree *t, pid_t leader, int sig);
/* After the program was reaped: kills what is left, waits briefly for the
 * cgroup to empty and removes it. */
void exec_tree_close(exec_tree *t);

#endif
