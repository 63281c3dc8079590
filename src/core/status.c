/* status.c - error codes and messages. */
#include "gat/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gat_status_str(int status) {
    switch (status) {
    case GAT_OK: return "ok";
    case GAT_ENOMEM: return "out of memory";
    case GAT_EIO: return "input/output error";
    case GAT_EFORMAT: return "malformed file";
    case GAT_EDTYPE: return "unsupported dtype";
    case GAT_ESHAPE: return "shape mismatch";
    case GAT_ERANGE: return "value out of range";
    case GAT_EINVAL: return "invalid argument";
    case GAT_ENOTFOUND: return "not found";
    default: return "unknown error";
    }
}

/* Copy src into dst (cap bytes, NUL-terminated) with control characters written as \xNN: a
 * message quotes bytes of hostile files, and must stay one harmless line on a terminal. */
static void copy_one_line(char *dst, size_t cap, const char *src) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (o + 4 >= cap) break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[*p >> 4];
            dst[o++] = hex[*p & 15];
        } else {
            if (o + 1 >= cap) break;
            dst[o++] = (char)*p;
        }
    }
    dst[o] = 0;
}

int gat_error_set(gat_error *err, int status, const char *fmt, ...) {
    if (err) {
        char tmp[GAT_ERROR_LEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        copy_one_line(err->msg, sizeof err->msg, tmp);
        err->status = status;
    }
    return status;
}

int gat_error_prefix(gat_error *err, const char *prefix) {
    if (!err) return 0;
    char tmp[GAT_ERROR_LEN];
    size_t n = strlen(prefix);
    if (n > GAT_ERROR_LEN / 2) n = GAT_ERROR_LEN / 2;
    memcpy(tmp, prefix, n);
    tmp[n] = ':';
    tmp[n + 1] = ' ';
    size_t m = strlen(err->msg);
    if (m > GAT_ERROR_LEN - n - 3) m = GAT_ERROR_LEN - n - 3;
    memcpy(tmp + n + 2, err->msg, m);
    tmp[n + 2 + m] = 0;
    copy_one_line(err->msg, sizeof err->msg, tmp);
    return err->status;
}

void gat_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "gat: internal error: %s:%d: assertion failed: %s\n", file, line, expr);
    abort();
}
