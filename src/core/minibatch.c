/* minibatch.c - gathering a sampled batch's input rows (see minibatch.h). */
#include "gat/minibatch.h"

#include <stdlib.h>
#include <string.h>

int gat_csr_gather_rows(gat_csr *out, const gat_csr *x, const int64_t *rows, int64_t n, gat_error *err) {
    memset(out, 0, sizeof *out);
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; i++) {
        if (rows[i] < 0 || rows[i] >= x->n_rows)
            return gat_error_set(err, GAT_ERANGE, "gather: row %lld out of range [0, %lld)", (long long)rows[i],
                                 (long long)x->n_rows);
        nnz += x->row_ptr[rows[i] + 1] - x->row_ptr[rows[i]];
    }
    out->n_rows = n;
    out->n_cols = x->n_cols;
    out->nnz = nnz;
    out->row_ptr = malloc(((size_t)n + 1) * sizeof *out->row_ptr);
    out->col_idx = malloc(((size_t)nnz + 1) * sizeof *out->col_idx);
    out->val = malloc(((size_t)nnz + 1) * sizeof *out->val);
    if (!out->row_ptr || !out->col_idx || !out->val) {
        gat_csr_free(out);
        return gat_error_set(err, GAT_ENOMEM, "gather: out of memory for %lld rows", (long long)n);
    }
    out->row_ptr[0] = 0;
    for (int64_t i = 0; i < n; i++) out->row_ptr[i + 1] = out->row_ptr[i] + x->row_ptr[rows[i] + 1] - x->row_ptr[rows[i]];
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < n; i++) {
        const int64_t p0 = x->row_ptr[rows[i]], d = x->row_ptr[rows[i] + 1] - p0, q = out->row_ptr[i];
        memcpy(out->col_idx + q, x->col_idx + p0, (size_t)d * sizeof *out->col_idx);
        memcpy(out->val + q, x->val + p0, (size_t)d * sizeof *out->val);
    }
    return GAT_OK;
}
