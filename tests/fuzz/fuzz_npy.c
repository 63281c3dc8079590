/* fuzz_npy.c - .npy arrays (gat_npy_parse); a parsed array must serialise and parse back
 * to the same dtype, shape and bytes. */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_array a;
    int rc = gat_npy_parse(data, size, "fuzz.npy", &a, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        return 0;
    }
    FUZZ_CHECK(a.data != NULL && a.ndim >= 0 && a.ndim <= GAT_NPY_MAX_DIMS);
    size_t n = 1;
    for (int d = 0; d < a.ndim; d++) {
        FUZZ_CHECK(a.shape[d] >= 0);
        n *= (size_t)a.shape[d];
    }
    FUZZ_CHECK(n == a.size);
    fuzz_touch(a.data, a.size * a.itemsize);
    void *buf = NULL;
    size_t len = 0;
    rc = gat_npy_serialize(&a, &buf, &len, &err);
    FUZZ_CHECK(rc == GAT_OK);
    gat_array b;
    rc = gat_npy_parse(buf, len, "fuzz.npy (written back)", &b, &err);
    FUZZ_CHECK(rc == GAT_OK);
    FUZZ_CHECK(b.dtype == a.dtype && b.itemsize == a.itemsize && b.ndim == a.ndim && b.size == a.size);
    FUZZ_CHECK(memcmp(a.shape, b.shape, sizeof a.shape) == 0);
    FUZZ_CHECK(a.size == 0 || memcmp(a.data, b.data, a.size * a.itemsize) == 0);
    free(buf);
    gat_array_free(&b);
    gat_array_free(&a);
    return 0;
}
