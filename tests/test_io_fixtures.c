/* test_io_fixtures.c - interop with the reference writers: reads the files NumPy, SciPy and
 * the safetensors package wrote (tests/fixtures/make_io_fixtures.py -> tests/fixtures/io/)
 * and checks every value. It also writes the same content with our writers into
 * <tmp>/io_fixtures/written/ for tests/fixtures/check_io_written.py (run by hand: CI has no numpy). */
#include <math.h>
#include <stdint.h>

#include "gat/npy.h"
#include "gat/safetensors.h"
#include "io_util.h"

static char fixtures[4096];

static const char *fx(const char *name) { return io_path(fixtures, name); }

/* Read a fixture .npy and check dtype and shape. */
static int load(const char *name, gat_array *a, gat_dtype t, int ndim, int64_t d0, int64_t d1) {
    memset(&err, 0, sizeof err);
    int rc = gat_npy_read(fx(name), a, &err);
    int ok = rc == GAT_OK && a->dtype == t && a->ndim == ndim && (ndim < 1 || a->shape[0] == d0) &&
             (ndim < 2 || a->shape[1] == d1);
    CHECK_MSG(ok, "%s: rc %d (%s), dtype %s ndim %d", name, rc, err.msg, gat_dtype_name(a->dtype), a->ndim);
    return ok;
}

static void npy_files(void) {
    gat_array a;
    if (load("v1_f32_2x3.npy", &a, GAT_DTYPE_F32, 2, 2, 3)) {
        const float ref[6] = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f};
        CHECK_CLOSE((float *)a.data, ref, 6, 0, 0);
    }
    gat_array_free(&a);
    if (load("v2_i64_4.npy", &a, GAT_DTYPE_I64, 1, 4, 0)) {
        const int64_t *v = a.data;
        CHECK(v[0] == -3 && v[1] == 0 && v[2] == 7 && v[3] == (int64_t)1 << 40);
    }
    gat_array_free(&a);
    if (load("v3_u16_2x2.npy", &a, GAT_DTYPE_U16, 2, 2, 2)) {
        const uint16_t *v = a.data;
        CHECK(v[0] == 1 && v[1] == 65535 && v[2] == 256 && v[3] == 0);
    }
    gat_array_free(&a);
    if (load("scalar_f64.npy", &a, GAT_DTYPE_F64, 0, 0, 0)) CHECK(a.size == 1 && *(double *)a.data == 3.5);
    gat_array_free(&a);
    if (load("str_u3.npy", &a, GAT_DTYPE_UNICODE, 0, 0, 0)) {
        const uint32_t *c = a.data;
        CHECK(a.itemsize == 12 && c[0] == 'c' && c[1] == 's' && c[2] == 'r');
    }
    gat_array_free(&a);
    if (load("bytes_s3.npy", &a, GAT_DTYPE_BYTES, 0, 0, 0)) CHECK(a.itemsize == 3 && !memcmp(a.data, "csr", 3));
    gat_array_free(&a);
    if (load("bool_3.npy", &a, GAT_DTYPE_BOOL, 1, 3, 0)) {
        const uint8_t *v = a.data;
        CHECK(v[0] == 1 && v[1] == 0 && v[2] == 1);
    }
    gat_array_free(&a);
    if (load("empty_f32_0x4.npy", &a, GAT_DTYPE_F32, 2, 0, 4)) CHECK(a.size == 0 && a.data != NULL);
    gat_array_free(&a);
    if (load("fortran_i32_2x3.npy", &a, GAT_DTYPE_I32, 2, 2, 3)) {
        const int32_t *v = a.data;
        int ok = 1;
        for (int i = 0; i < 6; i++) ok = ok && v[i] == i;
        CHECK_MSG(ok, "Fortran-order file written by NumPy reads back in C order");
    }
    gat_array_free(&a);
    CHECK_FAILS(gat_npy_read(fx("bigendian_f4.npy"), &a, &err), GAT_EDTYPE, "bigendian_f4.npy",
                "big-endian dtype '>f4' is not supported; re-save with a.astype('<f4')");
}

/* Expected values of the dtypes*.npz members, element 0 and 1, as doubles / int64. */
static void check_dtypes_npz(const char *name) {
    gat_npz z;
    memset(&err, 0, sizeof err);
    CHECK_MSG(gat_npz_read(fx(name), &z, &err) == GAT_OK, "%s: %s", name, err.msg);
    CHECK_EQ_INT(z.n, 11);
    static const struct { const char *key; gat_dtype t; int64_t lo, hi; } ints[] = {
        {"b", GAT_DTYPE_BOOL, 1, 0},           {"i1", GAT_DTYPE_I8, -128, 127},
        {"u1", GAT_DTYPE_U8, 0, 255},          {"i2", GAT_DTYPE_I16, -32768, 32767},
        {"u2", GAT_DTYPE_U16, 0, 65535},       {"i4", GAT_DTYPE_I32, INT32_MIN, INT32_MAX},
        {"u4", GAT_DTYPE_U32, 0, 4294967295LL}, {"i8", GAT_DTYPE_I64, INT64_MIN, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        const gat_array *a = gat_npz_get(&z, ints[i].key);
        int64_t *v = NULL;
        int ok = a && a->dtype == ints[i].t && a->size == 2 && gat_array_to_i64(a, ints[i].key, &v, &err) == GAT_OK &&
                 v[0] == ints[i].lo && v[1] == ints[i].hi;
        CHECK_MSG(ok, "%s: member %s", name, ints[i].key);
        free(v);
    }
    const gat_array *u8 = gat_npz_get(&z, "u8"), *f4 = gat_npz_get(&z, "f4"), *f8 = gat_npz_get(&z, "f8");
    CHECK(u8 && u8->dtype == GAT_DTYPE_U64 && ((uint64_t *)u8->data)[1] == UINT64_MAX);
    CHECK(f4 && f4->dtype == GAT_DTYPE_F32 && ((float *)f4->data)[0] == -1.5f && ((float *)f4->data)[1] == 1e30f);
    CHECK(f8 && f8->dtype == GAT_DTYPE_F64 && ((double *)f8->data)[0] == -2.25 && ((double *)f8->data)[1] == 1e300);
    gat_npz_free(&z);
}

static void csr_files(void) {
    const char *names[2] = {"csr_stored.npz", "csr_deflated.npz"};
    for (int k = 0; k < 2; k++) {
        gat_csr m;
        memset(&err, 0, sizeof err);
        int rc = gat_csr_read_npz(fx(names[k]), &m, &err);
        CHECK_MSG(rc == GAT_OK, "%s: %s", names[k], err.msg);
        if (rc) continue;
        const int64_t rp[4] = {0, 1, 1, 3};
        const int32_t ci[3] = {1, 0, 3};
        const float v[3] = {1.5f, 2, -3.25f};
        CHECK(m.n_rows == 3 && m.n_cols == 4 && m.nnz == 3);
        CHECK(!memcmp(m.row_ptr, rp, sizeof rp) && !memcmp(m.col_idx, ci, sizeof ci) && !memcmp(m.val, v, sizeof v));
        gat_csr_free(&m);
    }
}

static void safetensors_file(void) {
    gat_safetensors st;
    memset(&err, 0, sizeof err);
    int rc = gat_safetensors_read(fx("model.safetensors"), &st, &err);
    CHECK_MSG(rc == GAT_OK, "model.safetensors: %s", err.msg);
    if (rc) return;
    CHECK_EQ_INT(st.n_tensors, 10);
    CHECK(gat_safetensors_meta(&st, "format") && !strcmp(gat_safetensors_meta(&st, "format"), "gat"));
    CHECK(gat_safetensors_meta(&st, "note") && !strcmp(gat_safetensors_meta(&st, "note"), "caf\xc3\xa9 \"quoted\""));
    const gat_st_tensor *w = gat_safetensors_get(&st, "weight"), *b = gat_safetensors_get(&st, "bias"),
                        *ids = gat_safetensors_get(&st, "ids"), *i32 = gat_safetensors_get(&st, "i32"),
                        *i16 = gat_safetensors_get(&st, "i16"), *i8 = gat_safetensors_get(&st, "i8"),
                        *u8 = gat_safetensors_get(&st, "u8"), *mask = gat_safetensors_get(&st, "mask"),
                        *step = gat_safetensors_get(&st, "step"), *empty = gat_safetensors_get(&st, "empty");
    if (w && w->array.dtype == GAT_DTYPE_F32 && w->array.ndim == 2 && w->array.shape[0] == 2 && w->array.shape[1] == 3) {
        const float ref[6] = {-2, -1, 0, 1, 2, 3};
        CHECK_CLOSE((float *)w->array.data, ref, 6, 0, 0);
    } else {
        CHECK_MSG(0, "weight: F32 (2, 3)");
    }
    CHECK(b && b->array.dtype == GAT_DTYPE_F64 && ((double *)b->array.data)[2] == 1e-3);
    CHECK(ids && ids->array.dtype == GAT_DTYPE_I64 && ((int64_t *)ids->array.data)[1] == -2 &&
          ((int64_t *)ids->array.data)[3] == (int64_t)1 << 40);
    CHECK(i32 && i32->array.dtype == GAT_DTYPE_I32 && i32->array.ndim == 2 && ((int32_t *)i32->array.data)[1] == -7);
    CHECK(i16 && i16->array.dtype == GAT_DTYPE_I16 && ((int16_t *)i16->array.data)[0] == -300);
    CHECK(i8 && i8->array.dtype == GAT_DTYPE_I8 && ((int8_t *)i8->array.data)[0] == -5);
    CHECK(u8 && u8->array.dtype == GAT_DTYPE_U8 && ((uint8_t *)u8->array.data)[1] == 200);
    CHECK(mask && mask->array.dtype == GAT_DTYPE_BOOL && ((uint8_t *)mask->array.data)[0] == 1 &&
          ((uint8_t *)mask->array.data)[1] == 0);
    CHECK(step && step->array.ndim == 0 && step->array.size == 1 && *(int64_t *)step->array.data == 42);
    CHECK(empty && empty->array.ndim == 2 && empty->array.shape[0] == 0 && empty->array.shape[1] == 3 &&
          empty->array.size == 0);
    gat_safetensors_free(&st);
}

/* Our writers, for check_io_written.py: one .npy per dtype, two .npz, a CSR, a safetensors. */
static void write_for_python(const char *dir) {
    static const gat_dtype all[] = {GAT_DTYPE_BOOL, GAT_DTYPE_I8,  GAT_DTYPE_I16, GAT_DTYPE_I32, GAT_DTYPE_I64,
                                    GAT_DTYPE_U8,   GAT_DTYPE_U16, GAT_DTYPE_U32, GAT_DTYPE_U64, GAT_DTYPE_F32,
                                    GAT_DTYPE_F64};
    enum { N = sizeof all / sizeof all[0] };
    gat_array arr[N];
    const char *names[N];
    const int64_t shape[2] = {2, 3};
    for (int t = 0; t < N; t++) {
        gat_array_alloc(&arr[t], all[t], 2, shape, &err);
        for (size_t i = 0; i < 6; i++) {
            void *p = (char *)arr[t].data + i * arr[t].itemsize;
            int64_t iv = (int64_t)i * 3 - (gat_dtype_size(all[t]) && all[t] >= GAT_DTYPE_I8 && all[t] <= GAT_DTYPE_I64 ? 7 : 0);
            switch (all[t]) {
            case GAT_DTYPE_BOOL: *(uint8_t *)p = i % 2; break;
            case GAT_DTYPE_F32: *(float *)p = (float)i / 8 - 0.25f; break;
            case GAT_DTYPE_F64: *(double *)p = (double)i / 3; break;
            default: memcpy(p, &iv, arr[t].itemsize); break; /* little-endian truncation */
            }
        }
        names[t] = gat_dtype_name(all[t]);
        char file[64];
        snprintf(file, sizeof file, "%s.npy", names[t]);
        CHECK_EQ_INT(gat_npy_write(io_path(dir, file), &arr[t], &err), GAT_OK);
    }
    gat_array s;
    gat_array_alloc_items(&s, GAT_DTYPE_UNICODE, 12, 0, NULL, &err);
    memcpy(s.data, "c\0\0\0s\0\0\0r\0\0\0", 12);
    CHECK_EQ_INT(gat_npy_write(io_path(dir, "unicode.npy"), &s, &err), GAT_OK);
    gat_array_free(&s);
    CHECK_EQ_INT(gat_npz_write(io_path(dir, "stored.npz"), N, names, arr, 0, &err), GAT_OK);
    CHECK_EQ_INT(gat_npz_write(io_path(dir, "deflated.npz"), N, names, arr, 1, &err), GAT_OK);
    int64_t rp[4] = {0, 1, 1, 3};
    int32_t ci[3] = {1, 0, 3};
    float v[3] = {1.5f, 2, -3.25f};
    gat_csr m = {3, 4, 3, rp, ci, v};
    CHECK_EQ_INT(gat_csr_write_npz(io_path(dir, "csr.npz"), &m, &err), GAT_OK);
    gat_st_tensor t[N];
    for (int i = 0; i < N; i++) t[i] = (gat_st_tensor){(char *)names[i], arr[i]};
    gat_st_meta meta[1] = {{"format", "gat"}};
    CHECK_EQ_INT(gat_safetensors_write(io_path(dir, "model.safetensors"), t, N, meta, 1, &err), GAT_OK);
    for (int i = 0; i < N; i++) gat_array_free(&arr[i]);
    printf("our files for tests/fixtures/check_io_written.py: %s\n", dir);
}

int main(void) {
    const char *base = getenv("GAT_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s/io", base && *base ? base : "tests/fixtures");
    npy_files();
    check_dtypes_npz("dtypes_stored.npz");
    check_dtypes_npz("dtypes_deflated.npz");
    csr_files();
    safetensors_file();
    const char *tmp = check_tmpdir("io_fixtures");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/written", tmp);
    gat_mkdirs(dir, &err);
    write_for_python(dir);
    return check_summary();
}
