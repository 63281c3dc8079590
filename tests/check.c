/* check.c - the test harness. */
#include "check.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gat/fileio.h"

int check_passed, check_failed;

void check_report(int ok, const char *file, int line, const char *fmt, ...) {
    if (ok) {
        check_passed++;
        return;
    }
    check_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    /* the mutation drill (tests/mutants) needs only the first failure */
    const char *ff = getenv("GAT_CHECK_FAIL_FAST");
    if (ff && *ff && *ff != '0') {
        fprintf(stderr, "GAT_CHECK_FAIL_FAST: stopping at the first failure\n");
        exit(1);
    }
}

int check_summary(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

int check_skip(const char *why) {
    printf("skipped: %s\n", why);
    return 77;
}

static int has_datasets(const char *dir) {
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/cora/features.npz", dir);
    if (stat(p, &st) != 0) return 0;
    snprintf(p, sizeof p, "%s/citeseer/features.npz", dir);
    return stat(p, &st) == 0;
}

const char *check_data_dir(void) {
    const char *env = getenv("GAT_DATA_DIR"), *repo = getenv("GAT_REPO_DATA");
    if (env && *env && has_datasets(env)) return env;
    if (repo && *repo && has_datasets(repo)) {
        if (env && *env) printf("note: GAT_DATA_DIR=%s has no cora/ and citeseer/; using %s\n", env, repo);
        return repo;
    }
    printf("skipped: Cora and Citeseer not found in GAT_DATA_DIR (%s) nor in the repository's data/ (GAT_REPO_DATA=%s)\n",
           env && *env ? env : "unset", repo && *repo ? repo : "unset");
    if (check_failed) exit(check_summary());
    printf("(%d checks passed before the skip)\n", check_passed);
    exit(77);
}

const char *check_tmpdir(const char *name) {
    static char buf[4096];
    const char *base = getenv("GAT_TEST_TMP");
    if (!base || !*base) base = "/tmp/gat-tests";
    snprintf(buf, sizeof buf, "%s/%s", base, name);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", buf);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not clear %s\n", buf);
    gat_error err = {0};
    if (gat_mkdirs(buf, &err)) {
        fprintf(stderr, "cannot create %s: %s\n", buf, err.msg);
        exit(1);
    }
    return buf;
}

int check_close_f32(const float *got, const float *ref, size_t n, double atol, double rtol,
                    const char *what, const char *file, int line) {
    size_t worst = 0, bad = 0;
    double worst_excess = -1;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]);
        double tol = atol + rtol * fabs((double)ref[i]);
        double excess = (d != d) ? INFINITY : d - tol;
        if (excess > 0) bad++;
        if (excess > worst_excess) { worst_excess = excess; worst = i; }
    }
    if (n == 0) { check_report(1, file, line, "%s", what); return 1; }
    check_report(bad == 0, file, line, "%s: %zu of %zu elements differ; worst [%zu] %.9g vs ref %.9g (atol %g rtol %g)",
                 what, bad, n, worst, (double)got[worst], (double)ref[worst], atol, rtol);
    return bad == 0;
}

int check_count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

