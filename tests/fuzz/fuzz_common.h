/* fuzz_common.h - what every libFuzzer harness of tests/fuzz checks besides "no crash".
 *
 * A parser given hostile bytes must either succeed with a result that satisfies its
 * documented invariants, or fail with a GAT_E* status and a one-line message. Anything else
 * (a crash, a sanitizer report, a leak, a failure without a message, a status outside the
 * documented set) is a finding: FUZZ_CHECK aborts, which libFuzzer records as a crash and
 * saves the input. */
#ifndef GAT_FUZZ_COMMON_H
#define GAT_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/status.h"

#define FUZZ_CHECK(x)                                                                 \
    do {                                                                              \
        if (!(x)) {                                                                   \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #x); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* A failed parse: a known negative status, recorded in err, with a non-empty message that
 * is one line (the CLI prints it after "gat: error: "). */
static inline void fuzz_check_failure(int rc, const gat_error *err) {
    FUZZ_CHECK(rc < 0 && rc >= GAT_ENOTFOUND);
    FUZZ_CHECK(err->msg[0] != 0);
    FUZZ_CHECK(memchr(err->msg, 0, sizeof err->msg) && !strchr(err->msg, '\n'));
}

/* Read every byte of a result, so a short allocation or uninitialised length shows up
 * under AddressSanitizer; the sum is kept in a volatile so the reads are not removed. */
static volatile unsigned fuzz_sink;
static inline void fuzz_touch(const void *p, size_t n) {
    const unsigned char *b = p;
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s += b[i];
    fuzz_sink += s;
}

#endif
