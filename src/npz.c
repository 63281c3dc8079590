/* npz.c - .npz archives and scipy.sparse CSR matrices (see npy.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/npy.h"
#include "zip.h"

void gat_npz_free(gat_npz *z) {
    if (!z) return;
    for (size_t i = 0; i < z->n; i++) {
        free(z->entries[i].name);
        gat_array_free(&z->entries[i].array);
    }
    free(z->entries);
    memset(z, 0, sizeof *z);
}

int gat_npz_read(const char *path, gat_npz *out, gat_error *err) {
    memset(out, 0, sizeof *out);
    char *buf;
    size_t len;
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    gat_zip_member *m;
    size_t n;
    rc = gat_zip_read((const unsigned char *)buf, len, path, &m, &n, err);
    free(buf);
    if (rc) return rc;
    out->entries = calloc(n ? n : 1, sizeof *out->entries);
    if (!out->entries) {
        gat_zip_members_free(m, n);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n; i++) {
        char name[4600];
        snprintf(name, sizeof name, "%s:%s", path, m[i].name);
        out->entries[i].name = m[i].name;
        m[i].name = NULL;
        out->n = i + 1;
        rc = gat_npy_parse(m[i].data, m[i].size, name, &out->entries[i].array, err);
        if (rc) break;
    }
    gat_zip_members_free(m, n);
    if (rc) gat_npz_free(out);
    return rc;
}

const gat_array *gat_npz_get(const gat_npz *z, const char *name) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < z->n; i++) {
        const char *e = z->entries[i].name;
        if (!strcmp(e, name)) return &z->entries[i].array;
        if (!strncmp(e, name, nl) && !strcmp(e + nl, ".npy")) return &z->entries[i].array;
    }
    return NULL;
}

int gat_npz_write(const char *path, size_t n, const char *const *names, const gat_array *arrays, int deflate,
                  gat_error *err) {
    gat_zip_member *m = calloc(n ? n : 1, sizeof *m);
    if (!m) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    int rc = GAT_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t nl = strlen(names[i]);
        int has_ext = nl > 4 && !strcmp(names[i] + nl - 4, ".npy");
        m[i].name = malloc(nl + 5);
        if (!m[i].name) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); break; }
        snprintf(m[i].name, nl + 5, "%s%s", names[i], has_ext ? "" : ".npy");
        void *buf;
        rc = gat_npy_serialize(&arrays[i], &buf, &m[i].size, err);
        m[i].data = buf;
    }
    if (!rc) rc = gat_zip_write(path, m, n, deflate, err);
    gat_zip_members_free(m, n);
    return rc;
}

void gat_csr_free(gat_csr *m) {
    if (!m) return;
    free(m->row_ptr);
    free(m->col_idx);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* The string held by a 0-d or 1-element unicode array (ASCII only). */
static void unicode_str(const gat_array *a, char *out, size_t size) {
    size_t chars = a->itemsize / 4, k = 0;
    const uint32_t *u = a->data;
    for (size_t i = 0; i < chars && k + 1 < size && u[i]; i++) out[k++] = u[i] < 128 ? (char)u[i] : '?';
    out[k] = 0;
}

int gat_csr_read_npz(const char *path, gat_csr *out, gat_error *err) {
    memset(out, 0, sizeof *out);
    gat_npz z;
    int rc = gat_npz_read(path, &z, err);
    if (rc) return rc;
    const gat_array *data = gat_npz_get(&z, "data"), *indices = gat_npz_get(&z, "indices"),
                    *indptr = gat_npz_get(&z, "indptr"), *shape = gat_npz_get(&z, "shape"),
                    *format = gat_npz_get(&z, "format");
    int64_t *sh = NULL, *ptr = NULL, *idx = NULL;
    if (!data || !indices || !indptr || !shape) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a scipy.sparse matrix (needs data, indices, indptr, shape; "
                           "write it with scipy.sparse.save_npz)", path);
        goto done;
    }
    if (format) {
        char f[16] = "";
        if (format->dtype == GAT_DTYPE_UNICODE && format->size == 1) unicode_str(format, f, sizeof f);
        else if (format->dtype == GAT_DTYPE_BYTES && format->size == 1)
            snprintf(f, sizeof f, "%.*s", (int)(format->itemsize < 15 ? format->itemsize : 15), (const char *)format->data);
        if (strcmp(f, "csr") != 0) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: sparse format '%s' is not supported; save X.tocsr()", path, f);
            goto done;
        }
    }
    char name[4200];
    snprintf(name, sizeof name, "%s:shape.npy", path);
    if (shape->ndim != 1 || shape->size != 2) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: expected 2 values", name);
        goto done;
    }
    if ((rc = gat_array_to_i64(shape, name, &sh, err))) goto done;
    if (sh[0] < 0 || sh[1] < 0 || sh[1] > INT32_MAX) {
        rc = gat_error_set(err, GAT_ERANGE, "%s: bad matrix shape (%lld, %lld)", name, (long long)sh[0], (long long)sh[1]);
        goto done;
    }
    snprintf(name, sizeof name, "%s:indptr.npy", path);
    if (indptr->ndim != 1 || indptr->size != (size_t)sh[0] + 1) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: expected %lld row pointers, got %zu", name, (long long)sh[0] + 1, indptr->size);
        goto done;
    }
    if ((rc = gat_array_to_i64(indptr, name, &ptr, err))) goto done;
    snprintf(name, sizeof name, "%s:indices.npy", path);
    if (indices->ndim != 1 || data->ndim != 1 || indices->size != data->size) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: %zu column indices for %zu values", name, indices->size, data->size);
        goto done;
    }
    if ((rc = gat_array_to_i64(indices, name, &idx, err))) goto done;
    const int64_t nnz = (int64_t)data->size;
    if (ptr[0] != 0 || ptr[sh[0]] != nnz) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s:indptr.npy: must start at 0 and end at nnz = %lld (got %lld .. %lld)", path,
                           (long long)nnz, (long long)ptr[0], (long long)ptr[sh[0]]);
        goto done;
    }
    for (int64_t r = 0; r < sh[0]; r++)
        if (ptr[r + 1] < ptr[r]) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:indptr.npy: decreases at row %lld", path, (long long)r);
            goto done;
        }
    for (int64_t k = 0; k < nnz; k++)
        if (idx[k] < 0 || idx[k] >= sh[1]) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: column index %lld at entry %lld is outside [0, %lld)", name,
                               (long long)idx[k], (long long)k, (long long)sh[1]);
            goto done;
        }
    snprintf(name, sizeof name, "%s:data.npy", path);
    if ((rc = gat_array_to_f32(data, name, &out->val, err))) goto done;
    out->col_idx = malloc(((size_t)nnz + 1) * sizeof *out->col_idx);
    if (!out->col_idx) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (int64_t k = 0; k < nnz; k++) out->col_idx[k] = (int32_t)idx[k];
    out->row_ptr = ptr;
    ptr = NULL;
    out->n_rows = sh[0];
    out->n_cols = sh[1];
    out->nnz = nnz;
done:
    free(sh);
    free(ptr);
    free(idx);
    gat_npz_free(&z);
    if (rc) gat_csr_free(out);
    return rc;
}

int gat_csr_write_npz(const char *path, const gat_csr *m, gat_error *err) {
    gat_array a[5];
    memset(a, 0, sizeof a);
    int64_t s1[1], s2[1] = {2};
    int rc;
    s1[0] = m->nnz;
    if ((rc = gat_array_alloc(&a[0], GAT_DTYPE_I32, 1, s1, err))) goto done;
    memcpy(a[0].data, m->col_idx, (size_t)m->nnz * sizeof(int32_t));
    s1[0] = m->n_rows + 1;
    int big = m->nnz > INT32_MAX;
    if ((rc = gat_array_alloc(&a[1], big ? GAT_DTYPE_I64 : GAT_DTYPE_I32, 1, s1, err))) goto done;
    for (int64_t r = 0; r <= m->n_rows; r++) {
        if (big) ((int64_t *)a[1].data)[r] = m->row_ptr[r];
        else ((int32_t *)a[1].data)[r] = (int32_t)m->row_ptr[r];
    }
    /* 'csr' as a 0-d '<U3' array, as scipy writes it */
    a[2].dtype = GAT_DTYPE_UNICODE;
    a[2].itemsize = 12;
    a[2].ndim = 0;
    a[2].size = 1;
    a[2].data = calloc(3, sizeof(uint32_t));
    if (!a[2].data) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
    ((uint32_t *)a[2].data)[0] = 'c';
    ((uint32_t *)a[2].data)[1] = 's';
    ((uint32_t *)a[2].data)[2] = 'r';
    if ((rc = gat_array_alloc(&a[3], GAT_DTYPE_I64, 1, s2, err))) goto done;
    ((int64_t *)a[3].data)[0] = m->n_rows;
    ((int64_t *)a[3].data)[1] = m->n_cols;
    s1[0] = m->nnz;
    if ((rc = gat_array_alloc(&a[4], GAT_DTYPE_F32, 1, s1, err))) goto done;
    memcpy(a[4].data, m->val, (size_t)m->nnz * sizeof(float));
    const char *names[5] = {"indices", "indptr", "format", "shape", "data"};
    rc = gat_npz_write(path, 5, names, a, 0, err);
done:
    for (int i = 0; i < 5; i++) gat_array_free(&a[i]);
    return rc;
}
