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

/* The bytes of file path (malloc'ed), *len set. */
static unsigned char *slurp(const char *path, size_t *len) {
    char *buf = NULL;
    if (gat_read_file(path, &buf, len, &err) != GAT_OK) return NULL;
    return (unsigned char *)buf;
}

static void spit(const char *path, const unsigned char *buf, size_t len) {
    FILE *fp = fopen(path, "wb");
    CHECK(fp && fwrite(buf, 1, len, fp) == len);
    if (fp) fclose(fp);
}

/* Offset of the first occurrence of needle in buf, or -1. */
static long find(const unsigned char *buf, size_t len, const void *needle, size_t n) {
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(buf + i, needle, n)) return (long)i;
    return -1;
}

/* Used in place from a mapping: stored, aligned members with gat_csr's dtypes are borrowed,
 * every check still made, writes never reach the file; other layouts are converted. */
static void mapped(void) {
    int64_t rp[4] = {0, 1, 1, 3};
    int32_t ci[3] = {1, 0, 3};
    float v[3] = {1.5f, 2.0f, -3.25f};
    gat_csr m = {3, 4, 3, rp, ci, v}, r;
    gat_csr_mapping map;
    const char *p = io_path(tmp, "map.npz");
    CHECK_EQ_INT(gat_csr_write_npz(p, &m, &err), GAT_OK);
    size_t len0;
    unsigned char *before = slurp(p, &len0);
    CHECK_EQ_INT(gat_csr_map_npz(p, &r, &map, &err), GAT_OK);
    /* indices (int32) and data (float32) in place; indptr is int32 in the file, widened */
    CHECK_EQ_INT(map.borrowed, GAT_CSR_BORROWS_COL_IDX | GAT_CSR_BORROWS_VAL);
    CHECK(map.base && (unsigned char *)r.val > (unsigned char *)map.base &&
          (unsigned char *)r.val < (unsigned char *)map.base + map.len);
    CHECK(r.n_rows == 3 && r.n_cols == 4 && r.nnz == 3 && !memcmp(r.row_ptr, rp, sizeof rp) &&
          !memcmp(r.col_idx, ci, sizeof ci) && !memcmp(r.val, v, sizeof v));
    r.val[0] = 99.0f; /* copy-on-write: the file keeps its bytes */
    gat_csr_unmap(&r, &map);
    CHECK(!map.base && !r.val);
    size_t len1;
    unsigned char *after = slurp(p, &len1);
    CHECK(before && after && len0 == len1 && !memcmp(before, after, len0));
    free(after);
    /* a column index out of range, a NaN and a bit flip, written into the stored bytes: the
     * same messages as the reading path */
    const int32_t big = 7;
    const float nan_v = NAN;
    long at = find(before, len0, ci, sizeof ci) + 8;
    CHECK(at > 8);
    unsigned char *bad = malloc(len0);
    memcpy(bad, before, len0);
    memcpy(bad + at, &big, 4);
    spit(io_path(tmp, "bad_idx.npz"), bad, len0);
    CHECK_FAILS(gat_csr_map_npz(io_path(tmp, "bad_idx.npz"), &r, &map, &err), GAT_EFORMAT, "bad_idx.npz", "CRC-32 mismatch");
    CHECK(!map.base && !r.col_idx);
    memcpy(bad, before, len0);
    at = find(before, len0, v, sizeof v) + 8;
    CHECK(at > 8);
    memcpy(bad + at, &nan_v, 4);
    spit(io_path(tmp, "bad_val.npz"), bad, len0);
    CHECK_FAILS(gat_csr_map_npz(io_path(tmp, "bad_val.npz"), &r, &map, &err), GAT_EFORMAT, "bad_val.npz", "CRC-32");
    free(bad);
    free(before);
    /* the checks on the borrowed arrays themselves (valid archives holding bad values) */
    int32_t ci_bad[3] = {1, 0, 4};
    gat_array a[5] = {
        {GAT_DTYPE_I32, 4, 1, {3}, 3, ci_bad},
        {GAT_DTYPE_I64, 8, 1, {4}, 4, rp},
        {GAT_DTYPE_BYTES, 3, 0, {0}, 1, "csr"},
        {GAT_DTYPE_I64, 8, 1, {2}, 2, (int64_t[]){3, 4}},
        {GAT_DTYPE_F32, 4, 1, {3}, 3, v},
    };
    static const char *const names[5] = {"indices", "indptr", "format", "shape", "data"};
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "range.npz"), 5, names, a, 0, &err), GAT_OK);
    CHECK_FAILS(gat_csr_map_npz(io_path(tmp, "range.npz"), &r, &map, &err), GAT_ERANGE, "range.npz:indices.npy",
                "column index 4 at position 2 is out of range [0, 4)");
    CHECK_FAILS(gat_csr_read_npz(io_path(tmp, "range.npz"), &r, &err), GAT_ERANGE, "range.npz:indices.npy",
                "column index 4 at position 2 is out of range [0, 4)");
    float v_inf[3] = {1.5f, INFINITY, 0};
    a[0].data = ci;
    a[4].data = v_inf;
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "inf.npz"), 5, names, a, 0, &err), GAT_OK);
    CHECK_FAILS(gat_csr_map_npz(io_path(tmp, "inf.npz"), &r, &map, &err), GAT_ERANGE, "inf.npz:data.npy",
                "element 1 is infinite");
    /* with an int64 indptr all three are borrowed */
    a[4].data = v;
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "wide.npz"), 5, names, a, 0, &err), GAT_OK);
    CHECK_EQ_INT(gat_csr_map_npz(io_path(tmp, "wide.npz"), &r, &map, &err), GAT_OK);
    CHECK_EQ_INT(map.borrowed, GAT_CSR_BORROWS_ROW_PTR | GAT_CSR_BORROWS_COL_IDX | GAT_CSR_BORROWS_VAL);
    CHECK(!memcmp(r.row_ptr, rp, sizeof rp) && !memcmp(r.val, v, sizeof v));
    gat_csr_unmap(&r, &map);
    /* compressed, or float64 data: converted, nothing borrowed, the same matrix */
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "z.npz"), 5, names, a, 1, &err), GAT_OK);
    CHECK_EQ_INT(gat_csr_map_npz(io_path(tmp, "z.npz"), &r, &map, &err), GAT_OK);
    CHECK(map.borrowed == 0 && !map.base && !memcmp(r.val, v, sizeof v) && !memcmp(r.col_idx, ci, sizeof ci));
    gat_csr_unmap(&r, &map);
    double v64[3] = {1.5, 2.0, -3.25};
    a[4] = (gat_array){GAT_DTYPE_F64, 8, 1, {3}, 3, v64};
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "f64.npz"), 5, names, a, 0, &err), GAT_OK);
    CHECK_EQ_INT(gat_csr_map_npz(io_path(tmp, "f64.npz"), &r, &map, &err), GAT_OK);
    CHECK_EQ_INT(map.borrowed, GAT_CSR_BORROWS_ROW_PTR | GAT_CSR_BORROWS_COL_IDX);
    CHECK(!memcmp(r.val, v, sizeof v));
    gat_csr_unmap(&r, &map);
    CHECK_FAILS(gat_csr_map_npz(io_path(tmp, "none.npz"), &r, &map, &err), GAT_ENOTFOUND, "none.npz", "cannot open");
    /* every stored member's data starts at a multiple of 64 bytes in the file */
    size_t len;
    unsigned char *buf = slurp(io_path(tmp, "wide.npz"), &len);
    int members = 0;
    for (size_t o = 0; buf && o + 30 <= len; o++)
        if (buf[o] == 'P' && buf[o + 1] == 'K' && buf[o + 2] == 3 && buf[o + 3] == 4) {
            size_t start = o + 30 + (size_t)(buf[o + 26] | buf[o + 27] << 8) + (size_t)(buf[o + 28] | buf[o + 29] << 8);
            CHECK_MSG(start % 64 == 0, "member at %zu: data at %zu", o, start);
            CHECK(!memcmp(buf + start, "\x93NUMPY", 6));
            members++;
        }
    CHECK_EQ_INT(members, 5);
    free(buf);
}

int main(void) {
    tmp = check_tmpdir("csr");
    roundtrip();
    mapped();
    bad();
    real_data();
    return check_summary();
}
