/* fuzz_csr.c - scipy.sparse CSR matrices in .npz (data/indices/indptr/shape/format members),
 * as features.npz is read (gat_csr_parse_npz); a parsed matrix must satisfy every invariant
 * of npy.h. */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_csr m;
    int rc = gat_csr_parse_npz(data, size, "features.npz", &m, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(m.row_ptr == NULL && m.col_idx == NULL && m.val == NULL);
        return 0;
    }
    FUZZ_CHECK(m.n_rows >= 0 && m.n_cols >= 0 && m.n_cols <= INT32_MAX && m.nnz >= 0);
    FUZZ_CHECK(m.row_ptr[0] == 0 && m.row_ptr[m.n_rows] == m.nnz);
    for (int64_t r = 0; r < m.n_rows; r++) FUZZ_CHECK(m.row_ptr[r] <= m.row_ptr[r + 1]);
    for (int64_t k = 0; k < m.nnz; k++) {
        FUZZ_CHECK(m.col_idx[k] >= 0 && m.col_idx[k] < m.n_cols);
        FUZZ_CHECK(isfinite(m.val[k]));
    }
    gat_csr_free(&m);
    return 0;
}
