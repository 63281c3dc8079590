/* npy.h - NumPy .npy arrays and .npz archives (including scipy.sparse CSR matrices).
 *
 * Reads .npy format versions 1.0, 2.0 and 3.0, little-endian or byte-order-free dtypes,
 * C order: bool, int8/16/32/64, uint8/16/32/64, float32/64 and fixed-width unicode
 * and byte strings ('<U n', '|S n': scipy's format.npy is one or the other). Fortran-order
 * arrays are reordered to C order on reading. Big-endian data is refused with a message
 * saying how to re-save the array. .npz archives are zip files whose
 * entries are stored or deflated (zlib); zip64 is not needed for the sizes involved but
 * the end-of-central-directory record is located robustly (comments allowed).
 *
 * Every reader validates the header against the bytes present: a truncated file, a
 * shape whose product overflows, a dtype we do not know, a header that is not the
 * Python-literal dict NumPy writes: each is GAT_EFORMAT/GAT_EDTYPE with a message
 * naming the file (and the archive member, as "features.npz:data.npy"). */
#ifndef GAT_NPY_H
#define GAT_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GAT_DTYPE_BOOL, GAT_DTYPE_I8, GAT_DTYPE_I16, GAT_DTYPE_I32, GAT_DTYPE_I64,
    GAT_DTYPE_U8, GAT_DTYPE_U16, GAT_DTYPE_U32, GAT_DTYPE_U64,
    GAT_DTYPE_F32, GAT_DTYPE_F64,
    GAT_DTYPE_UNICODE, /* fixed-width UTF-32 strings ('<U n'); itemsize = 4 * chars */
    GAT_DTYPE_BYTES,   /* fixed-width byte strings ('|S n'); itemsize = n */
} gat_dtype;

#define GAT_NPY_MAX_DIMS 8

/* A dense n-dimensional array in native byte order, C order. The caller owns the struct,
 * the array owns data. */
typedef struct gat_array {
    gat_dtype dtype;
    size_t itemsize;                   /* bytes per element */
    int ndim;                          /* 0 for a scalar */
    int64_t shape[GAT_NPY_MAX_DIMS];
    size_t size;                       /* number of elements (product of shape, 1 for a scalar) */
    void *data;                        /* size * itemsize bytes */
} gat_array;

/* NumPy's name for a dtype: "float32", "int64", ... */
const char *gat_dtype_name(gat_dtype t);

/* Parse a whole .npy file held in memory. name is used in messages only. */
int gat_npy_parse(const void *buf, size_t len, const char *name, gat_array *out, gat_error *err);
/* Read a .npy file. */
int gat_npy_read(const char *path, gat_array *out, gat_error *err);
/* Write a .npy file (format 1.0, or 2.0 when the header needs it), atomically. */
int gat_npy_write(const char *path, const gat_array *a, gat_error *err);
/* Serialise to a new malloc'ed buffer (used for .npz members). */
int gat_npy_serialize(const gat_array *a, void **buf, size_t *len, gat_error *err);
/* Free data; safe on a zeroed or already-freed array. */
void gat_array_free(gat_array *a);
/* Allocate a zero-filled array of the given dtype and shape. */
int gat_array_alloc(gat_array *a, gat_dtype t, int ndim, const int64_t *shape, gat_error *err);

/* Conversions to the two types the model uses, into new malloc'ed buffers of a->size elements.
 * to_f32 accepts any numeric dtype and fails with GAT_ERANGE on NaN/Inf or a value that does
 * not fit ("<name>: element 17 is NaN"); to_i64 accepts integer and bool dtypes only (a float
 * array of ids is refused) and fails on uint64 values above INT64_MAX. */
int gat_array_to_f32(const gat_array *a, const char *name, float **out, gat_error *err);
int gat_array_to_i64(const gat_array *a, const char *name, int64_t **out, gat_error *err);

/* .npz archives. */
typedef struct gat_npz_entry {
    char *name;                        /* member name, e.g. "data.npy" */
    gat_array array;
} gat_npz_entry;

typedef struct gat_npz {
    size_t n;
    gat_npz_entry *entries;
} gat_npz;

/* Read every member of an .npz archive (stored or deflated entries; CRC-32 checked). */
int gat_npz_read(const char *path, gat_npz *out, gat_error *err);
/* The member called name (with or without ".npy"), or NULL. */
const gat_array *gat_npz_get(const gat_npz *z, const char *name);
/* Write an archive, atomically; deflate chooses deflated (1) or stored (0) entries. */
int gat_npz_write(const char *path, size_t n, const char *const *names, const gat_array *arrays,
                  int deflate, gat_error *err);
void gat_npz_free(gat_npz *z);

/* A sparse float32 matrix in compressed sparse row form.
 * Invariants: row_ptr[0] = 0, row_ptr is non-decreasing, row_ptr[n_rows] = nnz, and
 * 0 <= col_idx[k] < n_cols. Column indices within a row may be in any order; duplicates
 * are allowed (they add up, as in scipy). */
typedef struct gat_csr {
    int64_t n_rows, n_cols, nnz;
    int64_t *row_ptr;                  /* (n_rows + 1) */
    int32_t *col_idx;                  /* (nnz) */
    float *val;                        /* (nnz) */
} gat_csr;

/* Read a matrix saved by scipy.sparse.save_npz (format "csr"; "csc" is refused with a
 * message). Checks every invariant above and that values are finite. */
int gat_csr_read_npz(const char *path, gat_csr *out, gat_error *err);
/* Write a CSR matrix the way scipy.sparse.save_npz(compressed=False) does. */
int gat_csr_write_npz(const char *path, const gat_csr *m, gat_error *err);
void gat_csr_free(gat_csr *m);

#ifdef __cplusplus
}
#endif
#endif
