/* array_conv.c - converting arrays of any numeric dtype to float32 and int64, checked. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gat/npy.h"

/* Element i of a numeric array as a double (exact for every integer up to 2^53). */
static double elem_f64(const gat_array *a, size_t i) {
    const unsigned char *p = (const unsigned char *)a->data + i * a->itemsize;
    switch (a->dtype) {
    case GAT_DTYPE_BOOL: return *p ? 1.0 : 0.0;
    case GAT_DTYPE_I8: return (double)*(const int8_t *)p;
    case GAT_DTYPE_U8: return (double)*p;
    case GAT_DTYPE_I16: { int16_t v; memcpy(&v, p, 2); return v; }
    case GAT_DTYPE_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case GAT_DTYPE_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case GAT_DTYPE_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case GAT_DTYPE_I64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case GAT_DTYPE_U64: { uint64_t v; memcpy(&v, p, 8); return (double)v; }
    case GAT_DTYPE_F32: { float v; memcpy(&v, p, 4); return v; }
    case GAT_DTYPE_F64: { double v; memcpy(&v, p, 8); return v; }
    default: return 0;
    }
}

int gat_array_to_f32(const gat_array *a, const char *name, float **out, gat_error *err) {
    *out = NULL;
    if (a->dtype == GAT_DTYPE_UNICODE || a->dtype == GAT_DTYPE_BYTES)
        return gat_error_set(err, GAT_EDTYPE, "%s: a %s array is not numeric", name, gat_dtype_name(a->dtype));
    float *f = malloc((a->size ? a->size : 1) * sizeof *f);
    if (!f) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %zu floats", name, a->size);
    for (size_t i = 0; i < a->size; i++) {
        double v = elem_f64(a, i);
        if (isnan(v) || isinf(v) || fabs(v) > FLT_MAX) {
            gat_error_set(err, GAT_ERANGE, isnan(v) ? "%s: element %zu is NaN" : isinf(v) ? "%s: element %zu is infinite"
                                                                               : "%s: element %zu does not fit in float32",
                          name, i);
            free(f);
            return GAT_ERANGE;
        }
        f[i] = (float)v;
    }
    *out = f;
    return GAT_OK;
}

int gat_array_to_i64(const gat_array *a, const char *name, int64_t **out, gat_error *err) {
    *out = NULL;
    if (a->dtype == GAT_DTYPE_F32 || a->dtype == GAT_DTYPE_F64 || a->dtype == GAT_DTYPE_UNICODE ||
        a->dtype == GAT_DTYPE_BYTES)
        return gat_error_set(err, GAT_EDTYPE, "%s: dtype %s cannot be used as integers (ids, labels); re-save with a.astype('<i8')",
                             name, gat_dtype_name(a->dtype));
    int64_t *r = malloc((a->size ? a->size : 1) * sizeof *r);
    if (!r) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %zu integers", name, a->size);
    const unsigned char *p = a->data;
    for (size_t i = 0; i < a->size; i++, p += a->itemsize) {
        switch (a->dtype) {
        case GAT_DTYPE_I64: memcpy(&r[i], p, 8); break;
        case GAT_DTYPE_U64: {
            uint64_t v;
            memcpy(&v, p, 8);
            if (v > (uint64_t)INT64_MAX) {
                gat_error_set(err, GAT_ERANGE, "%s: element %zu = %llu does not fit in int64", name, i,
                              (unsigned long long)v);
                free(r);
                return GAT_ERANGE;
            }
            r[i] = (int64_t)v;
            break;
        }
        default: r[i] = (int64_t)elem_f64(a, i); break; /* exact for every type up to 32 bits */
        }
    }
    *out = r;
    return GAT_OK;
}
