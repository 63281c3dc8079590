/* io_util.h - helpers shared by the file-format tests: write raw bytes into the test's
 * scratch folder, and check that a call fails with a given status and a message naming
 * what it should (the file and the problem). */
#ifndef GAT_TEST_IO_UTIL_H
#define GAT_TEST_IO_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/fileio.h"
#include "gat/status.h"

/* The error filled by the call under test (tests pass &err). */
static gat_error err;

/* "<dir>/<name>" in one of 8 rotating static buffers. */
__attribute__((unused)) static const char *io_path(const char *dir, const char *name) {
    static char bufs[8][4096];
    static int k;
    char *b = bufs[k++ % 8];
    int n = snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof bufs[0]) {
        fprintf(stderr, "path too long: %s/%s\n", dir, name);
        exit(1);
    }
    return b;
}

/* Write len bytes to dir/name and return the path (aborts the test program on failure). */
__attribute__((unused)) static const char *io_put(const char *dir, const char *name, const void *data, size_t len) {
    const char *p = io_path(dir, name);
    gat_error e = {0};
    if (gat_write_file(p, data, len, &e)) {
        fprintf(stderr, "cannot write fixture %s: %s\n", p, e.msg);
        exit(1);
    }
    return p;
}

/* Read a whole file (aborts on failure); caller frees. */
__attribute__((unused)) static unsigned char *io_slurp(const char *path, size_t *len) {
    char *d;
    gat_error e = {0};
    if (gat_read_file(path, &d, len, &e)) {
        fprintf(stderr, "cannot read %s: %s\n", path, e.msg);
        exit(1);
    }
    return (unsigned char *)d;
}

/* expr (which writes err) must return code, and err.msg must contain s1 and s2. */
#define CHECK_FAILS(expr, code, s1, s2) do { \
        memset(&err, 0, sizeof err); \
        int rc_ = (expr); \
        check_report(rc_ == (code) && strstr(err.msg, (s1)) && strstr(err.msg, (s2)), __FILE__, __LINE__, \
                     "%s -> %d (want %d), message \"%s\" should contain \"%s\" and \"%s\"", \
                     #expr, rc_, (int)(code), err.msg, (s1), (s2)); \
    } while (0)

#endif
