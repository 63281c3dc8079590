/* status.h - error codes and error messages of libgat.
 *
 * The library never prints and never exits. Every function that can fail returns a
 * status: GAT_OK (0) on success, a negative GAT_E* code otherwise, and, when the caller
 * passes a gat_error, fills it with one line naming the file or option and what is wrong,
 * e.g. "data/cora/labels.npy: truncated: header says 2708 values, file holds 1000".
 * The command line prints that line as "gat: error: <line>" and exits non-zero. */
#ifndef GAT_STATUS_H
#define GAT_STATUS_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    GAT_OK = 0,
    GAT_ENOMEM = -1,    /* an allocation failed */
    GAT_EIO = -2,       /* a file could not be opened, read or written (see errno in the message) */
    GAT_EFORMAT = -3,   /* a file is malformed or truncated */
    GAT_EDTYPE = -4,    /* unsupported dtype or byte order */
    GAT_ESHAPE = -5,    /* shapes that disagree */
    GAT_ERANGE = -6,    /* a value out of range: ids, labels, NaN/Inf */
    GAT_EINVAL = -7,    /* an invalid argument or option */
    GAT_ENOTFOUND = -8, /* a file, dataset or tensor that does not exist */
};

#define GAT_ERROR_LEN 512

/* The message of the last failure. Zero-initialise it; functions only write it on failure. */
typedef struct gat_error {
    int status;
    char msg[GAT_ERROR_LEN];
} gat_error;

/* A short constant name for a status code ("out of memory", "malformed file", ...). */
const char *gat_status_str(int status);

/* Record a failure: formats the message into err (when err is not NULL) and returns status,
 * so callers write `return gat_error_set(err, GAT_EFORMAT, "%s: bad magic", path);`.
 * Control characters in the result (bytes quoted from a hostile file: newlines, escape
 * sequences) are written as \xNN, so a message is always one printable line. */
int gat_error_set(gat_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message with "<prefix>: " (used to add the file name on the way up). */
int gat_error_prefix(gat_error *err, const char *prefix);

/* Internal invariants (bugs, never bad input): print file:line and abort. */
void gat_assert_fail(const char *expr, const char *file, int line);
#define GAT_ASSERT(x) ((x) ? (void)0 : gat_assert_fail(#x, __FILE__, __LINE__))

#ifdef __cplusplus
}
#endif
#endif
