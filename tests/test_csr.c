/* test_csr.c - scipy.sparse CSR archives: write -> read round trip, every invariant violation
 * refused with a message naming the file and member, and (when $GAT_DATA_DIR is set) the real
 * Cora features (2708 x 1433, nnz 49216) and edge_index (int64 (2, 10556), Fortran order). */
#include <math.h>
#include <stdint.h>

#include "gat/npy.h"
#include "io_util.h"

static const char *tmp;

/* The 3 x 4 matrix [[0 1.5 0 0] [0 0 0 0] [2 0 0 -3.25]]. */
static int64_t row_ptr[4] = {0, 1, 1, 3};
static int32_t col_idx[3] = {1, 0, 3};
static float val[3] = {1.5f, 2.0f, -3.25f};

static void roundtrip(void) {
    gat_csr m = {3, 4, 3, row_ptr, col_idx, val}, r;
    const char *p = io_path(tmp, "m.npz");
    CHECK_EQ_INT(gat_csr_write_npz(p, &m, &err), GAT_OK);
    CHECK_EQ_INT(gat_csr_read_npz(p, &r, &err), GAT_OK);
    CHECK(r.n_rows == 3 && r.n_cols == 4 && r.nnz == 3);
    CHECK(r.row_ptr && !memcmp(r.row_ptr, row_ptr, sizeof row_ptr));
    CHECK(r.col_idx && !memcmp(r.col_idx, col_idx, sizeof col_idx));
    CHECK(r.val && !memcmp(r.val, val, sizeof val));
    gat_csr_free(&r);
    gat_csr_free(&r);
    /* the archive holds exactly what scipy.sparse.save_npz writes */
    gat_npz z;
    CHECK_EQ_INT(gat_npz_read(p, &z, &err), GAT_OK);
    const gat_array *f = gat_npz_get(&z, "format"), *s = gat_npz_get(&z, "shape");
    CHECK(z.n == 5 && f && f->dtype == GAT_DTYPE_BYTES && f->ndim == 0 && !memcmp(f->data, "csr", 3));
    CHECK(s && s->dtype == GAT_DTYPE_I64 && ((int64_t *)s->data)[1] == 4);
    CHECK(gat_npz_get(&z, "indptr")->dtype == GAT_DTYPE_I32 && gat_npz_get(&z, "indices")->dtype == GAT_DTYPE_I32);
    gat_npz_free(&z);
    /* an empty matrix */
    int64_t rp0[3] = {0, 0, 0};
    gat_csr e = {2, 5, 0, rp0, NULL, NULL};
    CHECK_EQ_INT(gat_csr_write_npz(io_path(tmp, "e.npz"), &e, &err), GAT_OK);
    CHECK_EQ_INT(gat_csr_read_npz(io_path(tmp, "e.npz"), &r, &err), GAT_OK);
    CHECK(r.n_rows == 2 && r.n_cols == 5 && r.nnz == 0 && r.row_ptr[2] == 0);
    gat_csr_free(&r);
    /* the writer refuses a matrix breaking its invariants, and writes nothing */
    int64_t bad_rp[4] = {0, 2, 1, 3};
    gat_csr b = {3, 4, 3, bad_rp, col_idx, val};
    CHECK_FAILS(gat_csr_write_npz(io_path(tmp, "b.npz"), &b, &err), GAT_EINVAL, "b.npz", "row_ptr decreases at row 1");
    float nan_val[3] = {1, NAN, 2};
    gat_csr c = {3, 4, 3, row_ptr, col_idx, nan_val};
    CHECK_FAILS(gat_csr_write_npz(io_path(tmp, "c.npz"), &c, &err), GAT_ERANGE, "c.npz", "not finite");
    CHECK(!gat_path_exists(io_path(tmp, "b.npz")) && !gat_path_exists(io_path(tmp, "c.npz")));
    CHECK_FAILS(gat_csr_write_npz(io_path(tmp, "no/such/m.npz"), &m, &err), GAT_EIO, "no/such/m.npz", "cannot write");
}

/* Write an archive with the five scipy members, each overridable. */
static const char *put_csr(const char *name, const char *format, const int32_t *indptr, size_t n_indptr,
                           const int32_t *indices, size_t nnz, const float *data, size_t n_data, const int64_t *shape) {
    gat_array a[5] = {
        {GAT_DTYPE_I32, 4, 1, {(int64_t)nnz}, nnz, (void *)indices},
        {GAT_DTYPE_I32, 4, 1, {(int64_t)n_indptr}, n_indptr, (void *)indptr},
        {GAT_DTYPE_BYTES, strlen(format), 0, {0}, 1, (void *)format},
        {GAT_DTYPE_I64, 8, 1, {2}, 2, (void *)shape},
        {GAT_DTYPE_F32, 4, 1, {(int64_t)n_data}, n_data, (void *)data},
    };
    static const char *const names[5] = {"indices", "indptr", "format", "shape", "data"};
    const char *p = io_path(tmp, name);
    gat_error e = {0};
    if (gat_npz_write(p, 5, names, a, 0, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    return p;
}

static void bad(void) {
    gat_csr m;
    const int64_t shape[2] = {3, 4};
    const int32_t ip[4] = {0, 1, 1, 3}, ix[3] = {1, 0, 3};
    const float d[3] = {1.5f, 2.0f, -3.25f};
    const char *p = put_csr("ok.npz", "csr", ip, 4, ix, 3, d, 3, shape);
    CHECK_EQ_INT(gat_csr_read_npz(p, &m, &err), GAT_OK);
    gat_csr_free(&m);

    const int32_t ix_hi[3] = {1, 0, 4}, ix_neg[3] = {1, -1, 3};
    p = put_csr("range.npz", "csr", ip, 4, ix_hi, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ERANGE, "range.npz:indices.npy", "column index 4 at position 2 is out of range [0, 4)");
    p = put_csr("negative.npz", "csr", ip, 4, ix_neg, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ERANGE, "negative.npz:indices.npy", "column index -1");
    const int32_t ip_dec[4] = {0, 2, 1, 3}, ip_end[4] = {0, 1, 1, 2}, ip_start[4] = {1, 1, 1, 3};
    p = put_csr("monotone.npz", "csr", ip_dec, 4, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_EFORMAT, "monotone.npz:indptr.npy", "not monotone: row 1");
    p = put_csr("end.npz", "csr", ip_end, 4, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_EFORMAT, "end.npz:indptr.npy", "ends at 2, but the matrix holds nnz = 3");
    p = put_csr("start.npz", "csr", ip_start, 4, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_EFORMAT, "start.npz:indptr.npy", "starts at 1");
    p = put_csr("csc.npz", "csc", ip, 4, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_EFORMAT, "csc.npz", "sparse format 'csc' is not supported");
    p = put_csr("coo.npz", "coo", ip, 4, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_EFORMAT, "coo.npz", "'coo'");
    const float d_nan[3] = {1.5f, NAN, 1.0f}, d_inf[3] = {INFINITY, 0, 1};
    p = put_csr("nan.npz", "csr", ip, 4, ix, 3, d_nan, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ERANGE, "nan.npz:data.npy", "element 1 is NaN");
    p = put_csr("inf.npz", "csr", ip, 4, ix, 3, d_inf, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ERANGE, "inf.npz:data.npy", "element 0 is infinite");
    p = put_csr("rows.npz", "csr", ip, 3, ix, 3, d, 3, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ESHAPE, "rows.npz:indptr.npy", "3 entries for 3 rows");
    p = put_csr("ndata.npz", "csr", ip, 4, ix, 3, d, 2, shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ESHAPE, "ndata.npz", "data.npy holds 2 values but indices.npy 3");
    const int64_t neg_shape[2] = {3, -4};
    p = put_csr("shape.npz", "csr", ip, 4, ix, 3, d, 3, neg_shape);
    CHECK_FAILS(gat_csr_read_npz(p, &m, &err), GAT_ESHAPE, "shape.npz:shape.npy", "shape must be two sizes");
    /* a plain npz (no format member) */
    gat_array a;
    gat_array_alloc(&a, GAT_DTYPE_F32, 0, NULL, &err);
    const char *names[1] = {"x"};
    gat_npz_write(io_path(tmp, "plain.npz"), 1, names, &a, 0, &err);
    CHECK_FAILS(gat_csr_read_npz(io_path(tmp, "plain.npz"), &m, &err), GAT_EFORMAT, "plain.npz", "no format.npy member");
    gat_array_free(&a);
    CHECK(m.row_ptr == NULL && m.col_idx == NULL && m.val == NULL); /* failures leave nothing */
}

static void real_data(void) {
    const char *dir = check_data_dir();
    char path[4096];
    gat_csr m;
    snprintf(path, sizeof path, "%s/cora/features.npz", dir);
    CHECK_EQ_INT(gat_csr_read_npz(path, &m, &err), GAT_OK);
    CHECK_EQ_INT(m.n_rows, 2708);
    CHECK_EQ_INT(m.n_cols, 1433);
    CHECK_EQ_INT(m.nnz, 49216);
    double sum = 0;
    for (int64_t k = 0; k < m.nnz; k++) sum += m.val[k];
    CHECK_NEAR(sum, 49216.0, 0); /* binary bag of words: every stored value is 1 */
    gat_csr_free(&m);
    gat_array e;
    snprintf(path, sizeof path, "%s/cora/edge_index.npy", dir);
    CHECK_EQ_INT(gat_npy_read(path, &e, &err), GAT_OK);
    CHECK(e.dtype == GAT_DTYPE_I64 && e.ndim == 2);
    CHECK_EQ_INT(e.shape[0], 2);
    CHECK_EQ_INT(e.shape[1], 10556);
    /* stored in Fortran order; values checked against np.load: e[0,:2] = [0 0], e[1,0] = 633 */
    const int64_t *v = e.data;
    CHECK(v && v[0] == 0 && v[1] == 0 && v[10556] == 633);
    gat_array_free(&e);
}

int main(void) {
    tmp = check_tmpdir("csr");
    roundtrip();
    bad();
    real_data();
    return check_summary();
}
