/* npy.c - NumPy .npy arrays: parse, serialise, convert (see npy.h). */
#include "gat/npy.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"

static const struct {
    gat_dtype t;
    char kind;
    size_t size;
    const char *name;
} dtypes[] = {
    {GAT_DTYPE_BOOL, 'b', 1, "bool"},    {GAT_DTYPE_I8, 'i', 1, "int8"},       {GAT_DTYPE_I16, 'i', 2, "int16"},
    {GAT_DTYPE_I32, 'i', 4, "int32"},    {GAT_DTYPE_I64, 'i', 8, "int64"},     {GAT_DTYPE_U8, 'u', 1, "uint8"},
    {GAT_DTYPE_U16, 'u', 2, "uint16"},   {GAT_DTYPE_U32, 'u', 4, "uint32"},    {GAT_DTYPE_U64, 'u', 8, "uint64"},
    {GAT_DTYPE_F32, 'f', 4, "float32"},  {GAT_DTYPE_F64, 'f', 8, "float64"},
};

const char *gat_dtype_name(gat_dtype t) {
    if (t == GAT_DTYPE_UNICODE) return "unicode";
    if (t == GAT_DTYPE_BYTES) return "bytes";
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].t == t) return dtypes[i].name;
    return "unknown";
}

static size_t dtype_size(gat_dtype t) {
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].t == t) return dtypes[i].size;
    return 0;
}

void gat_array_free(gat_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Product of the shape with overflow checks; -1 on overflow or a negative dimension. */
static int64_t shape_size(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (shape[i] && n > INT64_MAX / shape[i]) return -1;
        n *= shape[i];
    }
    return n;
}

int gat_array_alloc(gat_array *a, gat_dtype t, int ndim, const int64_t *shape, gat_error *err) {
    memset(a, 0, sizeof *a);
    if (ndim < 0 || ndim > GAT_NPY_MAX_DIMS) return gat_error_set(err, GAT_EINVAL, "array: %d dimensions", ndim);
    int64_t n = shape_size(ndim, shape);
    size_t isz = dtype_size(t);
    if (n < 0 || isz == 0 || (uint64_t)n > SIZE_MAX / isz / 2) return gat_error_set(err, GAT_EINVAL, "array: bad shape or dtype");
    a->dtype = t;
    a->itemsize = isz;
    a->ndim = ndim;
    for (int i = 0; i < ndim; i++) a->shape[i] = shape[i];
    a->size = (size_t)n;
    a->data = calloc(a->size ? a->size : 1, isz);
    if (!a->data) return gat_error_set(err, GAT_ENOMEM, "array: out of memory for %zu elements", a->size);
    return GAT_OK;
}

/* ---- header parsing: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } ---- */

static const char *skip_sp(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *find_key(const char *h, const char *e, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = h; p + kl + 2 <= e; p++)
        if ((*p == '\'' || *p == '"') && p[kl + 1] == *p && !memcmp(p + 1, key, kl)) {
            const char *q = skip_sp(p + kl + 2, e);
            if (q < e && *q == ':') return skip_sp(q + 1, e);
        }
    return NULL;
}

static int parse_descr(const char *descr, const char *name, gat_array *a, gat_error *err) {
    char order = descr[0], kind = descr[1];
    if (!order || !kind) return gat_error_set(err, GAT_EFORMAT, "%s: bad dtype '%s'", name, descr);
    if (order == '>' && !(kind == 'b' || (descr[2] == '1' && descr[3] == 0)))
        return gat_error_set(err, GAT_EDTYPE, "%s: big-endian dtype '%s' is not supported; re-save with "
                             "a.astype(a.dtype.newbyteorder('<'))", name, descr);
    if (order != '<' && order != '|' && order != '=' && order != '>')
        return gat_error_set(err, GAT_EDTYPE, "%s: unsupported dtype '%s'", name, descr);
    char *end;
    long sz = strtol(descr + 2, &end, 10);
    if (end == descr + 2 || *end || sz <= 0) return gat_error_set(err, GAT_EDTYPE, "%s: unsupported dtype '%s'", name, descr);
    if (kind == 'U') {
        a->dtype = GAT_DTYPE_UNICODE;
        a->itemsize = (size_t)sz * 4;
        return GAT_OK;
    }
    if (kind == 'S') {
        a->dtype = GAT_DTYPE_BYTES;
        a->itemsize = (size_t)sz;
        return GAT_OK;
    }
    if (kind == '?') kind = 'b';
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].kind == kind && dtypes[i].size == (size_t)sz) {
            a->dtype = dtypes[i].t;
            a->itemsize = dtypes[i].size;
            return GAT_OK;
        }
    return gat_error_set(err, GAT_EDTYPE, "%s: unsupported dtype '%s' (supported: bool, int8-64, uint8-64, "
                         "float32, float64)", name, descr);
}

int gat_npy_parse(const void *buf, size_t len, const char *name, gat_array *out, gat_error *err) {
    memset(out, 0, sizeof *out);
    const unsigned char *b = buf;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return gat_error_set(err, GAT_EFORMAT, "%s: not a .npy file (bad magic)", name);
    int major = b[6];
    size_t hlen, hoff;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        hoff = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return gat_error_set(err, GAT_EFORMAT, "%s: truncated header", name);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        hoff = 12;
    } else {
        return gat_error_set(err, GAT_EFORMAT, "%s: unsupported .npy format version %d.%d", name, major, b[7]);
    }
    if (hlen > len - hoff) return gat_error_set(err, GAT_EFORMAT, "%s: truncated: header of %zu bytes, file of %zu", name, hlen, len);
    const char *h = (const char *)b + hoff, *he = h + hlen;
    /* descr */
    const char *p = find_key(h, he, "descr");
    if (!p || (*p != '\'' && *p != '"')) return gat_error_set(err, GAT_EFORMAT, "%s: header has no 'descr'", name);
    char q = *p++;
    char descr[32];
    size_t dl = 0;
    while (p < he && *p != q && dl < sizeof descr - 1) descr[dl++] = *p++;
    descr[dl] = 0;
    if (p >= he || *p != q) {
        if (p < he && *p == '[') return gat_error_set(err, GAT_EDTYPE, "%s: structured dtypes are not supported", name);
        return gat_error_set(err, GAT_EFORMAT, "%s: bad 'descr' in header", name);
    }
    int rc = parse_descr(descr, name, out, err);
    if (rc) return rc;
    /* fortran_order */
    p = find_key(h, he, "fortran_order");
    if (!p) return gat_error_set(err, GAT_EFORMAT, "%s: header has no 'fortran_order'", name);
    int fortran = (size_t)(he - p) >= 4 && !memcmp(p, "True", 4);
    if (!fortran && ((size_t)(he - p) < 5 || memcmp(p, "False", 5)))
        return gat_error_set(err, GAT_EFORMAT, "%s: bad 'fortran_order'", name);
    /* shape */
    p = find_key(h, he, "shape");
    if (!p || *p != '(') return gat_error_set(err, GAT_EFORMAT, "%s: header has no 'shape' tuple", name);
    p++;
    for (;;) {
        p = skip_sp(p, he);
        if (p < he && *p == ')') break;
        if (out->ndim == GAT_NPY_MAX_DIMS) return gat_error_set(err, GAT_EFORMAT, "%s: more than %d dimensions", name, GAT_NPY_MAX_DIMS);
        if (p >= he || !isdigit((unsigned char)*p)) return gat_error_set(err, GAT_EFORMAT, "%s: bad 'shape' in header", name);
        int64_t v = 0;
        while (p < he && isdigit((unsigned char)*p)) {
            if (v > (INT64_MAX - 9) / 10) return gat_error_set(err, GAT_EFORMAT, "%s: shape too large", name);
            v = v * 10 + (*p++ - '0');
        }
        while (p < he && (*p == 'L' || *p == 'l')) p++;
        out->shape[out->ndim++] = v;
        p = skip_sp(p, he);
        if (p < he && *p == ',') p++;
        else if (p < he && *p == ')') break;
        else return gat_error_set(err, GAT_EFORMAT, "%s: bad 'shape' in header", name);
    }
    int64_t n = shape_size(out->ndim, out->shape);
    if (n < 0 || (uint64_t)n > SIZE_MAX / (out->itemsize ? out->itemsize : 1) / 2)
        return gat_error_set(err, GAT_EFORMAT, "%s: shape too large", name);
    out->size = (size_t)n;
    size_t bytes = out->size * out->itemsize, doff = hoff + hlen;
    if (len - doff < bytes)
        return gat_error_set(err, GAT_EFORMAT, "%s: truncated: shape needs %zu bytes of data, file holds %zu", name, bytes,
                             len - doff);
    out->data = malloc(bytes ? bytes : 1);
    if (!out->data) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %zu bytes", name, bytes);
    if (!fortran || out->ndim < 2) {
        memcpy(out->data, b + doff, bytes);
        return GAT_OK;
    }
    /* Fortran order: element (i0, .., ik) sits at i0 + s0 (i1 + s1 (i2 ...)); copy it to its
     * C-order place, walking the C index like an odometer. */
    int64_t idx[GAT_NPY_MAX_DIMS] = {0}, fstride[GAT_NPY_MAX_DIMS];
    fstride[0] = 1;
    for (int d = 1; d < out->ndim; d++) fstride[d] = fstride[d - 1] * out->shape[d - 1];
    const unsigned char *src = b + doff;
    unsigned char *dst = out->data;
    for (size_t c = 0; c < out->size; c++) {
        int64_t f = 0;
        for (int d = 0; d < out->ndim; d++) f += idx[d] * fstride[d];
        memcpy(dst + c * out->itemsize, src + (size_t)f * out->itemsize, out->itemsize);
        for (int d = out->ndim - 1; d >= 0; d--) {
            if (++idx[d] < out->shape[d]) break;
            idx[d] = 0;
        }
    }
    return GAT_OK;
}

int gat_npy_read(const char *path, gat_array *out, gat_error *err) {
    char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    rc = gat_npy_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

static const char *descr_of(const gat_array *a, char *buf, size_t size) {
    if (a->dtype == GAT_DTYPE_UNICODE) {
        snprintf(buf, size, "<U%zu", a->itemsize / 4);
        return buf;
    }
    if (a->dtype == GAT_DTYPE_BYTES) {
        snprintf(buf, size, "|S%zu", a->itemsize);
        return buf;
    }
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].t == a->dtype) {
            char kind = dtypes[i].kind == 'b' ? '?' : dtypes[i].kind;
            snprintf(buf, size, "%c%c%zu", dtypes[i].size == 1 ? '|' : '<', kind, dtypes[i].size);
            return buf;
        }
    return NULL;
}

int gat_npy_serialize(const gat_array *a, void **out, size_t *out_len, gat_error *err) {
    char descr[32], header[512];
    if (!descr_of(a, descr, sizeof descr)) return gat_error_set(err, GAT_EDTYPE, "array: unknown dtype");
    char shape[256] = "";
    size_t sl = 0;
    for (int i = 0; i < a->ndim; i++)
        sl += (size_t)snprintf(shape + sl, sizeof shape - sl, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
    if (a->ndim == 1) snprintf(shape + sl, sizeof shape - sl, ",");
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape);
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    size_t bytes = a->size * a->itemsize;
    unsigned char *buf = malloc(10 + hlen + bytes);
    if (!buf) return gat_error_set(err, GAT_ENOMEM, "array: out of memory");
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, header, (size_t)n);
    memset(buf + 10 + n, ' ', pad);
    buf[10 + hlen - 1] = '\n';
    if (bytes) memcpy(buf + 10 + hlen, a->data, bytes);
    *out = buf;
    *out_len = 10 + hlen + bytes;
    return GAT_OK;
}

int gat_npy_write(const char *path, const gat_array *a, gat_error *err) {
    void *buf;
    size_t len;
    int rc = gat_npy_serialize(a, &buf, &len, err);
    if (rc) return rc;
    rc = gat_write_file(path, buf, len, err);
    free(buf);
    return rc;
}

/* ---- conversions ---- */

static double elem_f64(const gat_array *a, size_t i) {
    const void *d = a->data;
    switch (a->dtype) {
    case GAT_DTYPE_BOOL: return ((const uint8_t *)d)[i] != 0;
    case GAT_DTYPE_I8: return ((const int8_t *)d)[i];
    case GAT_DTYPE_I16: return ((const int16_t *)d)[i];
    case GAT_DTYPE_I32: return ((const int32_t *)d)[i];
    case GAT_DTYPE_I64: return (double)((const int64_t *)d)[i];
    case GAT_DTYPE_U8: return ((const uint8_t *)d)[i];
    case GAT_DTYPE_U16: return ((const uint16_t *)d)[i];
    case GAT_DTYPE_U32: return ((const uint32_t *)d)[i];
    case GAT_DTYPE_U64: return (double)((const uint64_t *)d)[i];
    case GAT_DTYPE_F32: return ((const float *)d)[i];
    case GAT_DTYPE_F64: return ((const double *)d)[i];
    default: return NAN;
    }
}

int gat_array_to_f32(const gat_array *a, const char *name, float **out, gat_error *err) {
    *out = NULL;
    if (a->dtype == GAT_DTYPE_UNICODE || a->dtype == GAT_DTYPE_BYTES)
        return gat_error_set(err, GAT_EDTYPE, "%s: expected numbers, got strings", name);
    float *v = malloc((a->size ? a->size : 1) * sizeof *v);
    if (!v) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < a->size; i++) {
        double x = elem_f64(a, i);
        if (!isfinite(x) || fabs(x) > 3.4e38) {
            free(v);
            return gat_error_set(err, GAT_ERANGE, "%s: element %zu is %s", name, i,
                                 isnan(x) ? "NaN" : isinf(x) ? "infinite" : "too large for float32");
        }
        v[i] = (float)x;
    }
    *out = v;
    return GAT_OK;
}

int gat_array_to_i64(const gat_array *a, const char *name, int64_t **out, gat_error *err) {
    *out = NULL;
    if (a->dtype == GAT_DTYPE_F32 || a->dtype == GAT_DTYPE_F64 || a->dtype == GAT_DTYPE_UNICODE ||
        a->dtype == GAT_DTYPE_BYTES)
        return gat_error_set(err, GAT_EDTYPE, "%s: expected integers, got %s (save ids with .astype(np.int64))", name,
                             gat_dtype_name(a->dtype));
    int64_t *v = malloc((a->size ? a->size : 1) * sizeof *v);
    if (!v) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < a->size; i++) {
        if (a->dtype == GAT_DTYPE_U64) {
            uint64_t x = ((const uint64_t *)a->data)[i];
            if (x > (uint64_t)INT64_MAX) {
                free(v);
                return gat_error_set(err, GAT_ERANGE, "%s: element %zu is too large", name, i);
            }
            v[i] = (int64_t)x;
        } else if (a->dtype == GAT_DTYPE_I64) {
            v[i] = ((const int64_t *)a->data)[i];
        } else {
            v[i] = (int64_t)elem_f64(a, i);
        }
    }
    *out = v;
    return GAT_OK;
}
