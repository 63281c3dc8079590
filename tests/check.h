/* check.h - the test harness: checks that count, a summary line, and a failing exit code.
 *
 * Every test program calls CHECK*(...) any number of times and ends with
 * `return check_summary();`, which prints "N passed, N failed" and returns 1 on any
 * failure (with GAT_CHECK_FAIL_FAST=1 in the environment: exit 1 at the first failed check,
 * as the mutation drill wants). check_skip() prints why and returns 77, which CTest reports
 * as skipped (and CI counts as a failure): a test never passes while leaving some of its
 * checks out. */
#ifndef GAT_TEST_CHECK_H
#define GAT_TEST_CHECK_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

extern int check_passed, check_failed;

void check_report(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int check_summary(void);
int check_skip(const char *why);
/* The folder holding cora/ and citeseer/: $GAT_DATA_DIR when it has them, else the
 * repository's data/ ($GAT_REPO_DATA, set by CTest). Never NULL: when neither has them it
 * prints why and exits, 77 (skipped) if every check so far passed, 1 otherwise. */
const char *check_data_dir(void);
/* A fresh scratch folder for this test program: $GAT_TEST_TMP/<name>, created empty. */
const char *check_tmpdir(const char *name);
/* How many entries folder dir holds, not counting names that start with '.' (0 if it
 * cannot be read): to check that no temporary or half-written file is left behind. */
int check_count_entries(const char *dir);
/* Compare two float arrays with |a - b| <= atol + rtol |ref|; reports the worst element. */
int check_close_f32(const float *got, const float *ref, size_t n, double atol, double rtol,
                    const char *what, const char *file, int line);

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define CHECK_MSG(cond, ...) check_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    check_report(a_ == b_, __FILE__, __LINE__, "%s == %s (%lld vs %lld)", #a, #b, a_, b_); } while (0)
#define CHECK_NEAR(a, b, tol) do { double a_ = (double)(a), b_ = (double)(b); \
    check_report(fabs(a_ - b_) <= (tol), __FILE__, __LINE__, "%s ~ %s (%.9g vs %.9g, tol %g)", #a, #b, a_, b_, (double)(tol)); } while (0)
#define CHECK_CLOSE(got, ref, n, atol, rtol) check_close_f32(got, ref, n, atol, rtol, #got, __FILE__, __LINE__)

#endif
