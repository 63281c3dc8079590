/* csr.c - scipy.sparse CSR matrices in .npz archives (scipy.sparse.save_npz / load_npz). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gat/npy.h"

void gat_csr_free(gat_csr *m) {
    if (!m) return;
    free(m->row_ptr);
    free(m->col_idx);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* The ASCII text of a scalar string array ('|S3' or '<U3'), or -1 when it is not one. */
static int scalar_text(const gat_array *a, char *out, size_t cap) {
    if (a->size != 1 || (a->dtype != GAT_DTYPE_BYTES && a->dtype != GAT_DTYPE_UNICODE)) return -1;
    size_t n = a->dtype == GAT_DTYPE_BYTES ? a->itemsize : a->itemsize / 4, k;
    for (k = 0; k < n && k + 1 < cap; k++) {
        uint32_t c;
        if (a->dtype == GAT_DTYPE_BYTES) c = ((const unsigned char *)a->data)[k];
        else memcpy(&c, (const unsigned char *)a->data + 4 * k, 4);
        if (c == 0) break;
        out[k] = c < 128 ? (char)c : '?';
    }
    out[k] = 0;
    return 0;
}

/* A required 1-D member of the archive. */
static int member_1d(const gat_npz *z, const char *path, const char *name, const gat_array **out, gat_error *err) {
    *out = gat_npz_get(z, name);
    if (!*out)
        return gat_error_set(err, GAT_EFORMAT, "%s: not a scipy.sparse CSR archive: member '%s.npy' is missing", path, name);
    if ((*out)->ndim != 1)
        return gat_error_set(err, GAT_ESHAPE, "%s:%s.npy: expected a 1-D array, got %d dimensions", path, name,
                             (*out)->ndim);
    return GAT_OK;
}

static int csr_from_npz(const char *path, gat_npz z, gat_csr *out, unsigned *borrowed, gat_error *err);

/* Whether member name of z is used in place with dtype t. */
static int borrowable(const gat_npz *z, const char *name, gat_dtype t) {
    size_t n = strlen(name);
    for (size_t i = 0; i < z->n; i++) {
        const char *e = z->entries[i].name;
        if (!strcmp(e, name) || (strlen(e) == n + 4 && !strncmp(e, name, n) && !strcmp(e + n, ".npy")))
            return z->entries[i].borrowed && z->entries[i].array.dtype == t;
    }
    return 0;
}

int gat_csr_read_npz(const char *path, gat_csr *out, gat_error *err) {
    gat_npz z = {0};
    memset(out, 0, sizeof *out);
    int rc = gat_npz_read(path, &z, err);
    if (rc) return rc;
    return csr_from_npz(path, z, out, NULL, err);
}

void gat_csr_unmap(gat_csr *m, gat_csr_mapping *map) {
    if (m) {
        const unsigned b = map ? map->borrowed : 0;
        if (!(b & GAT_CSR_BORROWS_ROW_PTR)) free(m->row_ptr);
        if (!(b & GAT_CSR_BORROWS_COL_IDX)) free(m->col_idx);
        if (!(b & GAT_CSR_BORROWS_VAL)) free(m->val);
        memset(m, 0, sizeof *m);
    }
    if (map) {
        if (map->base) munmap(map->base, map->len);
        memset(map, 0, sizeof *map);
    }
}

int gat_csr_map_npz(const char *path, gat_csr *out, gat_csr_mapping *map, gat_error *err) {
    memset(out, 0, sizeof *out);
    memset(map, 0, sizeof *map);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        return gat_error_set(err, e == ENOENT ? GAT_ENOTFOUND : GAT_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    void *base = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return gat_csr_read_npz(path, out, err); /* not a plain file: read it */
    gat_npz z = {0};
    int rc = gat_npz_view(base, (size_t)st.st_size, path, &z, err);
    unsigned borrowed = 0;
    if (!rc) rc = csr_from_npz(path, z, out, &borrowed, err);
    if (rc || !borrowed) {
        munmap(base, (size_t)st.st_size);
        return rc;
    }
    map->base = base;
    map->len = (size_t)st.st_size;
    map->borrowed = borrowed;
    return GAT_OK;
}

int gat_csr_parse_npz(const void *buf, size_t len, const char *name, gat_csr *out, gat_error *err) {
    gat_npz z = {0};
    memset(out, 0, sizeof *out);
    int rc = gat_npz_parse(buf, len, name, &z, err);
    if (rc) return rc;
    return csr_from_npz(name, z, out, NULL, err);
}

/* Check and convert the members of z (owned: freed here). With borrowed non-NULL, members z
 * holds in place with gat_csr's dtypes are checked where they are and used as they are
 * (*borrowed gets the GAT_CSR_BORROWS_* of those). */
static int csr_from_npz(const char *path, gat_npz z, gat_csr *out, unsigned *borrowed, gat_error *err) {
    int64_t *shape = NULL, *indptr = NULL, *indices = NULL;
    unsigned use = 0;
    if (borrowed) {
        *borrowed = 0;
        use |= borrowable(&z, "indptr", GAT_DTYPE_I64) ? GAT_CSR_BORROWS_ROW_PTR : 0;
        use |= borrowable(&z, "indices", GAT_DTYPE_I32) ? GAT_CSR_BORROWS_COL_IDX : 0;
        use |= borrowable(&z, "data", GAT_DTYPE_F32) ? GAT_CSR_BORROWS_VAL : 0;
    }
    const gat_array *fmt, *shp, *ip, *ix, *dat;
    char text[32], mname[1100];
    int rc = GAT_OK;
    fmt = gat_npz_get(&z, "format");
    if (!fmt) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a scipy.sparse archive (no format.npy member)", path);
        goto fail;
    }
    if (scalar_text(fmt, text, sizeof text) != 0) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s:format.npy: expected a string scalar, got %s", path,
                           gat_dtype_name(fmt->dtype));
        goto fail;
    }
    if (strcmp(text, "csr") != 0) {
        rc = gat_error_set(err, GAT_EFORMAT,
                           "%s: sparse format '%s' is not supported, only 'csr'; convert with m.tocsr() before save_npz",
                           path, text);
        goto fail;
    }
    if ((rc = member_1d(&z, path, "shape", &shp, err)) || (rc = member_1d(&z, path, "indptr", &ip, err)) ||
        (rc = member_1d(&z, path, "indices", &ix, err)) || (rc = member_1d(&z, path, "data", &dat, err)))
        goto fail;
    snprintf(mname, sizeof mname, "%.1000s:shape.npy", path);
    if ((rc = gat_array_to_i64(shp, mname, &shape, err))) goto fail;
    if (shp->size != 2 || shape[0] < 0 || shape[1] < 0 || shape[1] > INT32_MAX) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: shape must be two sizes (rows, cols < 2^31)", mname);
        goto fail;
    }
    out->n_rows = shape[0];
    out->n_cols = shape[1];
    out->nnz = (int64_t)ix->size;
    if (ip->size != (size_t)out->n_rows + 1) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s:indptr.npy: %zu entries for %lld rows (expected rows + 1)", path,
                           ip->size, (long long)out->n_rows);
        goto fail;
    }
    if (dat->size != ix->size) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: data.npy holds %zu values but indices.npy %zu", path, dat->size,
                           ix->size);
        goto fail;
    }
    snprintf(mname, sizeof mname, "%.1000s:indptr.npy", path);
    if (use & GAT_CSR_BORROWS_ROW_PTR) indptr = ip->data;
    else if ((rc = gat_array_to_i64(ip, mname, &indptr, err))) goto fail;
    if (indptr[0] != 0) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: starts at %lld, not 0", mname, (long long)indptr[0]);
        goto fail;
    }
    for (int64_t r = 0; r < out->n_rows; r++) {
        if (indptr[r + 1] < indptr[r]) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: not monotone: row %lld ends at %lld before it starts at %lld",
                               mname, (long long)r, (long long)indptr[r + 1], (long long)indptr[r]);
            goto fail;
        }
    }
    if (indptr[out->n_rows] != out->nnz) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: ends at %lld, but the matrix holds nnz = %lld values", mname,
                           (long long)indptr[out->n_rows], (long long)out->nnz);
        goto fail;
    }
    snprintf(mname, sizeof mname, "%.1000s:indices.npy", path);
    if (use & GAT_CSR_BORROWS_COL_IDX) {
        /* int32 in place: one pass for the range, the first bad one reported */
        const int32_t *ci = ix->data;
        const int64_t nnz = (int64_t)ix->size, nc = out->n_cols;
        int64_t bad = nnz;
#pragma omp parallel for schedule(static) reduction(min : bad)
        for (int64_t k = 0; k < nnz; k++)
            if (ci[k] < 0 || ci[k] >= nc) bad = k < bad ? k : bad;
        if (bad < nnz) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: column index %lld at position %lld is out of range [0, %lld)", mname,
                               (long long)ci[bad], (long long)bad, (long long)nc);
            goto fail;
        }
        out->col_idx = (int32_t *)ix->data;
        goto indices_done;
    }
    if ((rc = gat_array_to_i64(ix, mname, &indices, err))) goto fail;
    out->col_idx = malloc((ix->size ? ix->size : 1) * sizeof *out->col_idx);
    if (!out->col_idx) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t k = 0; k < ix->size; k++) {
        if (indices[k] < 0 || indices[k] >= out->n_cols) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: column index %lld at position %zu is out of range [0, %lld)", mname,
                               (long long)indices[k], k, (long long)out->n_cols);
            goto fail;
        }
        out->col_idx[k] = (int32_t)indices[k];
    }
indices_done:
    snprintf(mname, sizeof mname, "%.1000s:data.npy", path);
    if (use & GAT_CSR_BORROWS_VAL) {
        const float *v = dat->data;
        const int64_t nnz = (int64_t)dat->size;
        int64_t bad = nnz;
#pragma omp parallel for schedule(static) reduction(min : bad)
        for (int64_t k = 0; k < nnz; k++)
            if (!isfinite(v[k])) bad = k < bad ? k : bad;
        if (bad < nnz) {
            rc = gat_error_set(err, GAT_ERANGE, isnan(v[bad]) ? "%s: element %lld is NaN" : "%s: element %lld is infinite",
                               mname, (long long)bad);
            goto fail;
        }
        out->val = (float *)dat->data;
    } else if ((rc = gat_array_to_f32(dat, mname, &out->val, err))) {
        goto fail;
    }
    out->row_ptr = indptr;
    indptr = NULL;
    if (borrowed) *borrowed = use;
fail:
    free(shape);
    if (!(use & GAT_CSR_BORROWS_ROW_PTR)) free(indptr);
    free(indices);
    gat_npz_free(&z);
    if (rc) {
        if (!(use & GAT_CSR_BORROWS_ROW_PTR)) free(out->row_ptr);
        if (!(use & GAT_CSR_BORROWS_COL_IDX)) free(out->col_idx);
        if (!(use & GAT_CSR_BORROWS_VAL)) free(out->val);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Check the invariants documented in npy.h before writing. */
static int csr_check(const char *path, const gat_csr *m, gat_error *err) {
    if (m->n_rows < 0 || m->n_cols < 0 || m->n_cols > INT32_MAX || m->nnz < 0 || !m->row_ptr ||
        (m->nnz && (!m->col_idx || !m->val)))
        return gat_error_set(err, GAT_EINVAL, "%s: invalid CSR matrix (sizes or missing arrays)", path);
    if (m->row_ptr[0] != 0 || m->row_ptr[m->n_rows] != m->nnz)
        return gat_error_set(err, GAT_EINVAL, "%s: invalid CSR matrix: row_ptr must run from 0 to nnz", path);
    for (int64_t r = 0; r < m->n_rows; r++)
        if (m->row_ptr[r + 1] < m->row_ptr[r])
            return gat_error_set(err, GAT_EINVAL, "%s: invalid CSR matrix: row_ptr decreases at row %lld", path, (long long)r);
    for (int64_t k = 0; k < m->nnz; k++) {
        if (m->col_idx[k] < 0 || m->col_idx[k] >= m->n_cols)
            return gat_error_set(err, GAT_EINVAL, "%s: invalid CSR matrix: column index %d out of range", path,
                                 (int)m->col_idx[k]);
        if (!isfinite(m->val[k]))
            return gat_error_set(err, GAT_ERANGE, "%s: value %lld is not finite", path, (long long)k);
    }
    return GAT_OK;
}

int gat_csr_write_npz(const char *path, const gat_csr *m, gat_error *err) {
    int rc = csr_check(path, m, err);
    if (rc) return rc;
    int narrow = m->nnz <= INT32_MAX;
    int32_t *ptr32 = NULL;
    if (narrow) {
        ptr32 = malloc((size_t)(m->n_rows + 1) * sizeof *ptr32);
        if (!ptr32) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        for (int64_t r = 0; r <= m->n_rows; r++) ptr32[r] = (int32_t)m->row_ptr[r];
    }
    int64_t shape[2] = {m->n_rows, m->n_cols};
    gat_array a[5] = {
        {.dtype = GAT_DTYPE_I32, .itemsize = 4, .ndim = 1, .shape = {m->nnz}, .size = (size_t)m->nnz,
         .data = m->col_idx},
        {.dtype = narrow ? GAT_DTYPE_I32 : GAT_DTYPE_I64, .itemsize = narrow ? 4 : 8, .ndim = 1,
         .shape = {m->n_rows + 1}, .size = (size_t)m->n_rows + 1,
         .data = narrow ? (void *)ptr32 : (void *)m->row_ptr},
        {.dtype = GAT_DTYPE_BYTES, .itemsize = 3, .ndim = 0, .size = 1, .data = "csr"},
        {.dtype = GAT_DTYPE_I64, .itemsize = 8, .ndim = 1, .shape = {2}, .size = 2, .data = shape},
        {.dtype = GAT_DTYPE_F32, .itemsize = 4, .ndim = 1, .shape = {m->nnz}, .size = (size_t)m->nnz, .data = m->val},
    };
    static const char *const names[5] = {"indices", "indptr", "format", "shape", "data"};
    rc = gat_npz_write(path, 5, names, a, 0, err);
    free(ptr32);
    return rc;
}
