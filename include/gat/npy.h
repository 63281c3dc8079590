/* npy.h - NumPy .npy arrays and .npz archives (including scipy.sparse CSR matrices).
 *
 * Reads .npy format versions 1.0, 2.0 and 3.0, little-endian or byte-order-free dtypes,
 * C or Fortran order: bool, int8/16/32/64, uint8/16/32/64, float32/64, fixed-width unicode
 * strings ('<U n') and byte strings ('|S n'; scipy's format.npy holds b'csr' as '|S3').
 * Fortran-order arrays (np.save of a transposed array writes them, e.g. the datasets'
 * edge_index.npy) are transposed to C order on reading, as np.load does. Big-endian data and
 * float16 are refused with a message saying how to re-save the array (GAT_EDTYPE).
 * .npz archives are zip files whose
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
    GAT_DTYPE_UNICODE, /* fixed-width UTF-32 strings; itemsize = 4 * chars */
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

/* NumPy's name for a dtype: "float32", "int64", ..., "str", "bytes". */
const char *gat_dtype_name(gat_dtype t);
/* Bytes per element of a fixed-size dtype; 0 for the string dtypes (their size varies). */
size_t gat_dtype_size(gat_dtype t);

/* Parse a whole .npy file held in memory (buf is only read; it need not be aligned). On success
 * *out is a new array (C order, its own copy of the data); on failure *out is zeroed and the
 * status is GAT_EFORMAT (bad magic, version, header, truncated or extra bytes), GAT_EDTYPE
 * (unknown dtype, big-endian, float16, structured), GAT_ESHAPE (overflowing shape) or
 * GAT_ENOMEM. name is used in messages only. Cost O(len). */
int gat_npy_parse(const void *buf, size_t len, const char *name, gat_array *out, gat_error *err);
/* The header only: *out gets dtype, itemsize, ndim, shape, size (data NULL), *fortran_order
 * and *data_offset (where the data starts in buf); the same checks as gat_npy_parse,
 * including that buf holds exactly the data the header announces. */
int gat_npy_parse_header(const void *buf, size_t len, const char *name, gat_array *out, int *fortran_order,
                         size_t *data_offset, gat_error *err);
/* A .npy file mapped into memory (private, copy-on-write) and used in place, without reading
 * or copying it: loading a 10^8-edge edge_index.npy takes milliseconds, and its pages are
 * read from disk as they are used (the page cache, not the heap). */
typedef struct gat_npy_mapping {
    gat_array array;                   /* data points into the mapping, in the file's dtype; do not free */
    void *base;
    size_t len;
    int mapped;                        /* 0: the file's layout does not allow it (Fortran order, misaligned data,
                                          not a regular file): read it with gat_npy_read instead */
} gat_npy_mapping;
/* Map path. The header is checked as gat_npy_read checks it (errors naming path); on success
 * with m->mapped = 0 the caller falls back to reading. The dtype is the file's: the caller
 * checks it is the one it can use in place (native little-endian, as the parser requires). */
int gat_npy_map(const char *path, gat_npy_mapping *m, gat_error *err);
/* Unmap; safe on a zeroed or unmapped struct. */
void gat_npy_unmap(gat_npy_mapping *m);
/* Read a .npy file: gat_npy_parse of its bytes, plus GAT_ENOTFOUND / GAT_EIO naming path. */
int gat_npy_read(const char *path, gat_array *out, gat_error *err);
/* Write a .npy file (format 1.0, or 2.0 when the header needs it), atomically, with the exact
 * header np.save writes (data aligned to 64 bytes). The array is only read. GAT_EINVAL /
 * GAT_ESHAPE for an inconsistent array (nothing written), GAT_EIO naming path. */
int gat_npy_write(const char *path, const gat_array *a, gat_error *err);
/* Serialise to a new malloc'ed buffer of *len bytes, owned by the caller (used for .npz
 * members). Same checks as gat_npy_write. */
int gat_npy_serialize(const gat_array *a, void **buf, size_t *len, gat_error *err);
/* Free data; safe on a zeroed or already-freed array. */
void gat_array_free(gat_array *a);
/* Allocate a zero-filled array of the given dtype and shape (ndim <= GAT_NPY_MAX_DIMS, dims >= 0;
 * ndim 0 is a scalar of one element). String dtypes get one character per element. The array
 * owns data (never NULL on success, even for 0 elements). GAT_EINVAL / GAT_ESHAPE / GAT_ENOMEM. */
int gat_array_alloc(gat_array *a, gat_dtype t, int ndim, const int64_t *shape, gat_error *err);
/* The same with an explicit itemsize (needed for strings: 4 * chars for UNICODE, chars for BYTES;
 * must equal gat_dtype_size(t) for the other dtypes). */
int gat_array_alloc_items(gat_array *a, gat_dtype t, size_t itemsize, int ndim, const int64_t *shape,
                          gat_error *err);

/* Conversions to the two types the model uses, into new malloc'ed buffers of a->size elements
 * (at least one element allocated, owned by the caller; *out is NULL on failure).
 * to_f32 accepts any numeric dtype and fails with GAT_ERANGE on NaN/Inf or a value that does
 * not fit ("<name>: element 17 is NaN"); to_i64 accepts integer and bool dtypes only (a float
 * array of ids is refused) and fails on uint64 values above INT64_MAX. */
int gat_array_to_f32(const gat_array *a, const char *name, float **out, gat_error *err);
int gat_array_to_i64(const gat_array *a, const char *name, int64_t **out, gat_error *err);

/* .npz archives. */
typedef struct gat_npz_entry {
    char *name;                        /* member name, e.g. "data.npy" */
    gat_array array;
    int borrowed;                      /* array.data points into the archive's bytes (gat_npz_view) */
} gat_npz_entry;

typedef struct gat_npz {
    size_t n;
    gat_npz_entry *entries;
} gat_npz;

/* Read every member of an .npz archive (stored or deflated entries; CRC-32 checked), in archive
 * order, into *out (which owns names and arrays; free with gat_npz_free; zeroed on failure).
 * Messages name the archive and the member ("features.npz:data.npy: ..."). */
int gat_npz_read(const char *path, gat_npz *out, gat_error *err);
/* The same for an archive held in memory (buf[0..len), only read); name is used in messages. */
int gat_npz_parse(const void *buf, size_t len, const char *name, gat_npz *out, gat_error *err);
/* The same, using the archive's bytes in place where they allow it: a stored member whose
 * array is in C order and aligned for its dtype in memory gets array.data pointing into buf
 * (borrowed = 1; valid while buf is, writable when buf is, e.g. a private mapping); other
 * members are copied or inflated as gat_npz_parse does. Every check is the same. */
int gat_npz_view(const void *buf, size_t len, const char *name, gat_npz *out, gat_error *err);
/* The member called name (with or without ".npy"), or NULL. Borrowed: valid until gat_npz_free. */
const gat_array *gat_npz_get(const gat_npz *z, const char *name);
/* Write an archive of n arrays, atomically, like np.savez (deflate = 0) or np.savez_compressed
 * (deflate = 1). ".npy" is appended to names that lack it; duplicates are GAT_EINVAL. Arrays are
 * only read. Nothing is left behind on failure. */
int gat_npz_write(const char *path, size_t n, const char *const *names, const gat_array *arrays,
                  int deflate, gat_error *err);
/* Free every member and zero z; safe on a zeroed or already-freed archive. */
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

/* Read a matrix saved by scipy.sparse.save_npz, compressed or not (format "csr" as '|S3' or
 * '<U3'; "csc" and the other formats are refused with a message saying to convert with
 * m.tocsr()). indptr/indices may be any integer dtype, data any numeric dtype (converted to
 * float32). Checks every invariant above and that values are finite: GAT_EFORMAT (missing
 * member, indptr not starting at 0, not monotone or not ending at nnz), GAT_ERANGE (column
 * index out of [0, n_cols), NaN/Inf), GAT_ESHAPE (sizes that disagree). *out owns its three
 * arrays (free with gat_csr_free) and is zeroed on failure. */
int gat_csr_read_npz(const char *path, gat_csr *out, gat_error *err);
/* The same for an archive held in memory (buf[0..len), only read); name is used in messages. */
int gat_csr_parse_npz(const void *buf, size_t len, const char *name, gat_csr *out, gat_error *err);
/* Write a CSR matrix the way scipy.sparse.save_npz(compressed=False) does: members indices
 * (int32), indptr (int32, int64 past 2^31 values), format (b'csr'), shape (int64), data
 * (float32), stored. The matrix is checked first (GAT_EINVAL / GAT_ERANGE, nothing written). */
int gat_csr_write_npz(const char *path, const gat_csr *m, gat_error *err);
/* Free the three arrays and zero m; safe on a zeroed or already-freed matrix. */
void gat_csr_free(gat_csr *m);

/* A CSR matrix used in place from a private (copy-on-write) mapping of its .npz archive. */
enum { GAT_CSR_BORROWS_ROW_PTR = 1, GAT_CSR_BORROWS_COL_IDX = 2, GAT_CSR_BORROWS_VAL = 4 };
typedef struct gat_csr_mapping {
    void *base;
    size_t len;
    unsigned borrowed;                 /* GAT_CSR_BORROWS_*: which arrays point into the mapping */
} gat_csr_mapping;
/* gat_csr_read_npz without copying what the archive's layout allows: the file is mapped, and
 * an array stored (not deflated) with the dtype of gat_csr (indptr int64, indices int32, data
 * float32, little-endian) and aligned in the file (gat_csr_write_npz and gat generate graph
 * write them so) points into the mapping; the others are converted as gat_csr_read_npz does.
 * Every check is the same (CRC-32, ranges, finite values), in one pass over the mapped
 * bytes. Writing the arrays is allowed (copy-on-write: the file never changes). map->borrowed
 * is 0 when nothing could be used in place (the mapping is then already released). Free with
 * gat_csr_unmap. */
int gat_csr_map_npz(const char *path, gat_csr *out, gat_csr_mapping *map, gat_error *err);
/* Free m's own arrays, release the mapping, zero both; safe on zeroed structs. */
void gat_csr_unmap(gat_csr *m, gat_csr_mapping *map);

#ifdef __cplusplus
}
#endif
#endif
