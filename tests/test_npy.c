/* test_npy.c - .npy and .npz round trips for every dtype, headers written by hand in the
 * ways NumPy versions differ (key order, spacing, trailing comma, 1-tuples, scalars, v2/v3),
 * Fortran order, dtype conversions, and atomic writes into a missing folder. */
#include <math.h>
#include <stdint.h>

#include "gat/npy.h"
#include "io_util.h"

static const char *tmp;

/* Fill an array with a pattern that differs per element and per byte. */
static void fill(gat_array *a) {
    unsigned char *p = a->data;
    for (size_t i = 0; i < a->size * a->itemsize; i++) p[i] = (unsigned char)(i * 37 + 11);
    if (a->dtype == GAT_DTYPE_BOOL)
        for (size_t i = 0; i < a->size; i++) p[i] = (unsigned char)(i % 3 == 0);
    if (a->dtype == GAT_DTYPE_F32)
        for (size_t i = 0; i < a->size; i++) ((float *)a->data)[i] = (float)i * 0.5f - 1.0f;
    if (a->dtype == GAT_DTYPE_F64)
        for (size_t i = 0; i < a->size; i++) ((double *)a->data)[i] = (double)i / 3.0;
}

static int same(const gat_array *a, const gat_array *b) {
    if (a->dtype != b->dtype || a->itemsize != b->itemsize || a->ndim != b->ndim || a->size != b->size) return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return !memcmp(a->data, b->data, a->size * a->itemsize);
}

/* A .npy file with the given version and header text (padded to 64 with '\n'), then data. */
static const char *put_npy(const char *name, int major, const char *header, const void *data, size_t dlen) {
    unsigned char buf[1024];
    size_t prefix = major == 1 ? 10 : 12, hl = strlen(header);
    size_t total = (prefix + hl + 1 + 63) / 64 * 64;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    size_t field = total - prefix;
    for (size_t i = 0; i < prefix - 8; i++) buf[8 + i] = (unsigned char)(field >> (8 * i));
    memcpy(buf + prefix, header, hl);
    memset(buf + prefix + hl, ' ', total - prefix - hl - 1);
    buf[total - 1] = '\n';
    memcpy(buf + total, data, dlen);
    return io_put(tmp, name, buf, total + dlen);
}

static void test_roundtrip_dtypes(void) {
    static const gat_dtype all[] = {GAT_DTYPE_BOOL, GAT_DTYPE_I8,  GAT_DTYPE_I16, GAT_DTYPE_I32, GAT_DTYPE_I64,
                                    GAT_DTYPE_U8,   GAT_DTYPE_U16, GAT_DTYPE_U32, GAT_DTYPE_U64, GAT_DTYPE_F32,
                                    GAT_DTYPE_F64,  GAT_DTYPE_UNICODE, GAT_DTYPE_BYTES};
    const int64_t shapes[4][3] = {{0}, {7}, {3, 5}, {2, 0, 4}};
    const int ndims[4] = {0, 1, 2, 3};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) {
        for (int s = 0; s < 4; s++) {
            gat_array a, b;
            size_t isz = all[t] == GAT_DTYPE_UNICODE ? 12 : all[t] == GAT_DTYPE_BYTES ? 5 : gat_dtype_size(all[t]);
            CHECK_EQ_INT(gat_array_alloc_items(&a, all[t], isz, ndims[s], shapes[s], &err), GAT_OK);
            fill(&a);
            char name[64];
            snprintf(name, sizeof name, "rt_%s_%d.npy", gat_dtype_name(all[t]), s);
            const char *p = io_path(tmp, name);
            CHECK_EQ_INT(gat_npy_write(p, &a, &err), GAT_OK);
            CHECK_EQ_INT(gat_npy_read(p, &b, &err), GAT_OK);
            CHECK_MSG(same(&a, &b), "round trip of %s, shape #%d", name, s);
            /* NumPy's layout: the data starts at a multiple of 64 bytes */
            size_t len;
            unsigned char *raw = io_slurp(p, &len);
            CHECK_EQ_INT((len - a.size * a.itemsize) % 64, 0);
            CHECK(raw[len - a.size * a.itemsize - 1] == '\n');
            free(raw);
            gat_array_free(&a);
            gat_array_free(&b);
            gat_array_free(&b); /* idempotent */
        }
    }
}

static void test_headers(void) {
    gat_array a;
    int32_t v[3] = {4, -5, 6};
    /* keys in another order, no trailing comma, odd spacing, double quotes */
    const char *p = put_npy("h1.npy", 1, "{ \"shape\" :(3 ,) ,'fortran_order':False,  'descr':'<i4'}", v, sizeof v);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    CHECK(a.ndim == 1 && a.shape[0] == 3 && a.dtype == GAT_DTYPE_I32 && ((int32_t *)a.data)[1] == -5);
    gat_array_free(&a);
    /* Python 2 long suffix, version 2.0 and 3.0 length fields */
    p = put_npy("h2.npy", 2, "{'descr': '<i4', 'fortran_order': False, 'shape': (3L,), }", v, sizeof v);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    CHECK(a.size == 3 && ((int32_t *)a.data)[2] == 6);
    gat_array_free(&a);
    p = put_npy("h3.npy", 3, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 3), }", v, sizeof v);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    CHECK(a.ndim == 2 && a.shape[0] == 1 && a.shape[1] == 3);
    gat_array_free(&a);
    /* a scalar: shape () */
    p = put_npy("h4.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", v, 4);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    CHECK(a.ndim == 0 && a.size == 1 && ((int32_t *)a.data)[0] == 4);
    gat_array_free(&a);
    /* '=' and '|' byte orders for byte-order-free types */
    p = put_npy("h5.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "\x01\xff", 2);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    CHECK(a.dtype == GAT_DTYPE_U8 && ((uint8_t *)a.data)[1] == 255);
    gat_array_free(&a);
    /* Fortran order is transposed into C order: column-major 2x3 of 0..5 */
    int32_t f[6] = {0, 3, 1, 4, 2, 5};
    p = put_npy("h6.npy", 1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", f, sizeof f);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    int ok = a.size == 6;
    for (int i = 0; ok && i < 6; i++) ok = ((int32_t *)a.data)[i] == i;
    CHECK_MSG(ok, "Fortran-order array read back in C order");
    gat_array_free(&a);
    /* a 3-D Fortran array: element (i,j,k) = 100i + 10j + k, shape (2,3,2) */
    int32_t g[12], idx = 0;
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 2; i++) g[idx++] = 100 * i + 10 * j + k;
    p = put_npy("h7.npy", 1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 2), }", g, sizeof g);
    CHECK_EQ_INT(gat_npy_read(p, &a, &err), GAT_OK);
    ok = a.size == 12;
    for (int i = 0, n = 0; ok && i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 2; k++, n++) ok = ok && ((int32_t *)a.data)[n] == 100 * i + 10 * j + k;
    CHECK_MSG(ok, "3-D Fortran-order array read back in C order");
    gat_array_free(&a);
}

static void test_npz_roundtrip(void) {
    gat_array arr[3];
    const int64_t s1[1] = {1000}, s2[2] = {4, 3};
    CHECK_EQ_INT(gat_array_alloc(&arr[0], GAT_DTYPE_F32, 1, s1, &err), GAT_OK);
    CHECK_EQ_INT(gat_array_alloc(&arr[1], GAT_DTYPE_I64, 2, s2, &err), GAT_OK);
    CHECK_EQ_INT(gat_array_alloc(&arr[2], GAT_DTYPE_U8, 0, NULL, &err), GAT_OK);
    for (int i = 0; i < 3; i++) fill(&arr[i]);
    const char *names[3] = {"x", "edge_index.npy", "flag"};
    for (int deflate = 0; deflate <= 1; deflate++) {
        const char *p = io_path(tmp, deflate ? "d.npz" : "s.npz");
        CHECK_EQ_INT(gat_npz_write(p, 3, names, arr, deflate, &err), GAT_OK);
        gat_npz z;
        CHECK_EQ_INT(gat_npz_read(p, &z, &err), GAT_OK);
        CHECK_EQ_INT(z.n, 3);
        CHECK(z.n == 3 && !strcmp(z.entries[0].name, "x.npy") && !strcmp(z.entries[1].name, "edge_index.npy"));
        const gat_array *x = gat_npz_get(&z, "x"), *e = gat_npz_get(&z, "edge_index"), *f = gat_npz_get(&z, "flag.npy");
        CHECK(x && same(x, &arr[0]));
        CHECK(e && same(e, &arr[1]));
        CHECK(f && same(f, &arr[2]));
        CHECK(gat_npz_get(&z, "nope") == NULL);
        gat_npz_free(&z);
        gat_npz_free(&z);
    }
    size_t ls, ld;
    free(io_slurp(io_path(tmp, "s.npz"), &ls));
    free(io_slurp(io_path(tmp, "d.npz"), &ld));
    CHECK_MSG(ld < ls, "deflated archive (%zu bytes) smaller than stored (%zu)", ld, ls);
    /* duplicate member names are refused and nothing is written */
    const char *dup[2] = {"a", "a.npy"};
    CHECK_FAILS(gat_npz_write(io_path(tmp, "dup.npz"), 2, dup, arr, 0, &err), GAT_EINVAL, "dup.npz", "duplicate");
    CHECK(!gat_path_exists(io_path(tmp, "dup.npz")));
    for (int i = 0; i < 3; i++) gat_array_free(&arr[i]);
}

static void test_conversions(void) {
    gat_array a;
    const int64_t n4[1] = {4};
    float *f;
    int64_t *ids;
    CHECK_EQ_INT(gat_array_alloc(&a, GAT_DTYPE_F64, 1, n4, &err), GAT_OK);
    double *d = a.data;
    d[0] = 1.5; d[1] = -2; d[2] = 1e30; d[3] = 0;
    CHECK_EQ_INT(gat_array_to_f32(&a, "x.npy", &f, &err), GAT_OK);
    CHECK(f[0] == 1.5f && f[1] == -2.0f && f[2] == 1e30f);
    free(f);
    d[3] = NAN;
    CHECK_FAILS(gat_array_to_f32(&a, "x.npy", &f, &err), GAT_ERANGE, "x.npy", "element 3 is NaN");
    d[3] = -INFINITY;
    CHECK_FAILS(gat_array_to_f32(&a, "x.npy", &f, &err), GAT_ERANGE, "x.npy", "element 3 is infinite");
    d[3] = 1e300;
    CHECK_FAILS(gat_array_to_f32(&a, "x.npy", &f, &err), GAT_ERANGE, "x.npy", "does not fit in float32");
    CHECK_FAILS(gat_array_to_i64(&a, "x.npy", &ids, &err), GAT_EDTYPE, "x.npy", "float64 cannot be used as integers");
    gat_array_free(&a);

    CHECK_EQ_INT(gat_array_alloc(&a, GAT_DTYPE_U64, 1, n4, &err), GAT_OK);
    uint64_t *u = a.data;
    u[0] = 0; u[1] = 7; u[2] = (uint64_t)INT64_MAX; u[3] = 1;
    CHECK_EQ_INT(gat_array_to_i64(&a, "ids.npy", &ids, &err), GAT_OK);
    CHECK(ids[1] == 7 && ids[2] == INT64_MAX);
    free(ids);
    u[3] = (uint64_t)INT64_MAX + 1;
    CHECK_FAILS(gat_array_to_i64(&a, "ids.npy", &ids, &err), GAT_ERANGE, "ids.npy", "element 3");
    gat_array_free(&a);

    static const gat_dtype ints[] = {GAT_DTYPE_BOOL, GAT_DTYPE_I8, GAT_DTYPE_I16, GAT_DTYPE_I32, GAT_DTYPE_I64,
                                     GAT_DTYPE_U8, GAT_DTYPE_U16, GAT_DTYPE_U32};
    for (size_t t = 0; t < sizeof ints / sizeof ints[0]; t++) {
        CHECK_EQ_INT(gat_array_alloc(&a, ints[t], 1, n4, &err), GAT_OK);
        unsigned char *p = a.data;
        memset(p, 0xff, a.itemsize); /* -1, or the maximum of unsigned types, or true */
        p[a.itemsize] = 1;           /* 1 */
        int is_signed = ints[t] >= GAT_DTYPE_I8 && ints[t] <= GAT_DTYPE_I64;
        double first = ints[t] == GAT_DTYPE_BOOL ? 1 : is_signed ? -1 : ldexp(1, 8 * (int)a.itemsize) - 1;
        CHECK_EQ_INT(gat_array_to_i64(&a, "t", &ids, &err), GAT_OK);
        CHECK_MSG(ids[0] == (int64_t)first && ids[1] == 1 && ids[2] == 0, "to_i64 of %s", gat_dtype_name(ints[t]));
        free(ids);
        CHECK_EQ_INT(gat_array_to_f32(&a, "t", &f, &err), GAT_OK);
        CHECK_MSG(f[0] == (float)first && f[1] == 1.0f, "to_f32 of %s", gat_dtype_name(ints[t]));
        free(f);
        gat_array_free(&a);
    }
    CHECK_EQ_INT(gat_array_alloc(&a, GAT_DTYPE_UNICODE, 0, NULL, &err), GAT_OK);
    CHECK_FAILS(gat_array_to_f32(&a, "s.npy", &f, &err), GAT_EDTYPE, "s.npy", "not numeric");
    gat_array_free(&a);
}

static void test_write_errors(void) {
    gat_array a;
    const int64_t n[1] = {3};
    CHECK_EQ_INT(gat_array_alloc(&a, GAT_DTYPE_F32, 1, n, &err), GAT_OK);
    const char *p = io_path(tmp, "missing/dir/a.npy");
    CHECK_FAILS(gat_npy_write(p, &a, &err), GAT_EIO, "missing/dir/a.npy", "cannot write");
    const char *names[1] = {"a"};
    p = io_path(tmp, "missing/dir/a.npz");
    CHECK_FAILS(gat_npz_write(p, 1, names, &a, 1, &err), GAT_EIO, "missing/dir/a.npz", "cannot write");
    /* an inconsistent array is refused before anything is written */
    a.size = 4;
    p = io_path(tmp, "bad.npy");
    CHECK_FAILS(gat_npy_write(p, &a, &err), GAT_ESHAPE, "bad.npy", "does not match its shape");
    CHECK(!gat_path_exists(p));
    a.size = 3;
    gat_array_free(&a);
    const int64_t neg[1] = {-1};
    CHECK_FAILS(gat_array_alloc(&a, GAT_DTYPE_F32, 1, neg, &err), GAT_ESHAPE, "shape", "negative");
}

int main(void) {
    tmp = check_tmpdir("npy");
    test_roundtrip_dtypes();
    test_headers();
    test_npz_roundtrip();
    test_conversions();
    test_write_errors();
    return check_summary();
}
