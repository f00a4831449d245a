/*
 * test_sqlite_store.c - the SQLite backend's files and failures: a new
 * database and its -wal and -shm files are private to their owner (0600)
 * whatever the umask, an existing file keeps its mode, and a full disk
 * (here the file size limit, RLIMIT_FSIZE, in a child process) is reported
 * with STORE_ERR_UNAVAILABLE in the message, not as an anonymous failure.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/bograph-sqlite-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static unsigned file_mode(const char *path, const char *suffix)
{
    char p[256];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    struct stat sb;
    if (stat(p, &sb) != 0)
        fail_msg("no file %s", p);
    return (unsigned)(sb.st_mode & 0777);
}

static void test_files_private(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/new.db", dir);
    mode_t old = umask(022);
    store *st = NULL;
    assert_int_equal(store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err), 0);
    int64_t id = 0;
    assert_int_equal(store_study_create(st, "s", "{}", NULL, NULL, 1.0, &id, err, sizeof err),
                     STORE_OK);
    assert_int_equal(file_mode(path, ""), 0600);
    assert_int_equal(file_mode(path, "-wal"), 0600);
    assert_int_equal(file_mode(path, "-shm"), 0600);
    store_close(st);
    /* an existing database keeps the mode its owner gave it */
    snprintf(path, sizeof path, "%s/shared.db", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err), 0);
    assert_int_equal(file_mode(path, ""), 0640);
    store_close(st);
    umask(old);
}

/* In a child limited to max_bytes per file: writes studies until one fails.
 * Exit 0 when the failure said STORE_ERR_UNAVAILABLE, 1 when it said
 * something else, 2 when nothing failed. */
static int fill_until_full(const char *path, rlim_t max_bytes)
{
    signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead */
    struct rlimit rl = {max_bytes, max_bytes};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 3;
    store *st = NULL;
    char err[512];
    if (store_open(path, STORE_SYNC_NORMAL, &st, err, sizeof err) != 0)
        return strstr(err, STORE_ERR_UNAVAILABLE) ? 0 : 1;
    static char spec[16384];
    memset(spec, 'x', sizeof spec - 3);
    spec[0] = '"';
    spec[sizeof spec - 3] = '"';
    for (int i = 0; i < 10000; i++) {
        char name[32];
        snprintf(name, sizeof name, "s%d", i);
        int64_t id = 0;
        if (store_study_create(st, name, spec, NULL, NULL, 1.0, &id, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "after %d studies: %s\n", i, err);
            return strstr(err, STORE_ERR_UNAVAILABLE) ? 0 : 1;
        }
    }
    return 2;
}

static void test_full_disk(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/full.db", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fill_until_full(path, 256 * 1024));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
