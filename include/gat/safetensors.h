/* safetensors.h - reading and writing .safetensors files.
 *
 * Layout (https://github.com/huggingface/safetensors): an unsigned little-endian 64-bit
 * header length N, N bytes of UTF-8 JSON, then the raw tensor bytes. The JSON maps each
 * tensor name to {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} (offsets
 * relative to the end of the header) and may hold "__metadata__", a flat map of string
 * to string. Tensors are little-endian, C order, and their byte ranges tile the data
 * section without gaps or overlaps. The writer pads the header with spaces to a multiple
 * of 8 bytes, sorts nothing (tensors are written in the order given), and writes atomically.
 *
 * The reader checks everything: header length within the file, valid JSON, known dtypes,
 * shapes matching byte ranges, ranges inside the file and non-overlapping, metadata values
 * that are strings. Messages name the file and the tensor. */
#ifndef GAT_SAFETENSORS_H
#define GAT_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "gat/npy.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_st_tensor {
    char *name;
    gat_array array;                   /* F32, F64, I32, I64, U8, BOOL ... as stored */
} gat_st_tensor;

typedef struct gat_st_meta {
    char *key;
    char *value;
} gat_st_meta;

typedef struct gat_safetensors {
    size_t n_tensors;
    gat_st_tensor *tensors;
    size_t n_meta;
    gat_st_meta *meta;
} gat_safetensors;

/* Read a whole file into *out: tensors in header order, each with its own copy of the data,
 * metadata in header order. *out owns everything (free with gat_safetensors_free) and is
 * zeroed on failure. Dtypes BOOL U8 I8 U16 I16 U32 I32 U64 I64 F32 F64 are read; F16, BF16
 * and F8_* are refused (GAT_EDTYPE, "convert it to F32"). Statuses: GAT_EFORMAT (length,
 * JSON, entries, gaps, overlaps, trailing bytes, non-string metadata), GAT_ESHAPE (shape vs
 * byte range), GAT_EDTYPE, GAT_ENOTFOUND / GAT_EIO / GAT_ENOMEM. Shape [] (a scalar) and
 * empty tensors are allowed; keys other than dtype/shape/data_offsets in a tensor entry and
 * duplicate names are refused. Cost O(file size). */
int gat_safetensors_read(const char *path, gat_safetensors *out, gat_error *err);
/* The same for a file held in memory (buf[0..len), only read; it need not be aligned or
 * NUL-terminated); name is used in messages. */
int gat_safetensors_parse(const void *buf, size_t len, const char *name, gat_safetensors *out, gat_error *err);
/* Write tensors (in the given order, contiguous from offset 0) and metadata (may be NULL/0),
 * atomically. Inputs are only read. Refused before writing anything: empty, duplicate or
 * reserved ("__metadata__") names, duplicate metadata keys (GAT_EINVAL), string dtypes
 * (GAT_EDTYPE), sizes that disagree with shapes (GAT_ESHAPE). GAT_EIO names path. */
int gat_safetensors_write(const char *path, const gat_st_tensor *tensors, size_t n_tensors,
                          const gat_st_meta *meta, size_t n_meta, gat_error *err);
/* Lookups: NULL when absent; borrowed pointers valid until gat_safetensors_free. Linear. */
const gat_st_tensor *gat_safetensors_get(const gat_safetensors *st, const char *name);
const char *gat_safetensors_meta(const gat_safetensors *st, const char *key);
/* Free everything inside st and zero it; safe on a zeroed or already-freed struct. */
void gat_safetensors_free(gat_safetensors *st);

#ifdef __cplusplus
}
#endif
#endif
