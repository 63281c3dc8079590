/* npy.c - NumPy .npy arrays: header parsing and writing, array allocation. */
#include "gat/npy.h"

#include <limits.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libgat's file formats assume a little-endian host"
#endif

static const char NPY_MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

const char *gat_dtype_name(gat_dtype t) {
    switch (t) {
    case GAT_DTYPE_BOOL: return "bool";
    case GAT_DTYPE_I8: return "int8";
    case GAT_DTYPE_I16: return "int16";
    case GAT_DTYPE_I32: return "int32";
    case GAT_DTYPE_I64: return "int64";
    case GAT_DTYPE_U8: return "uint8";
    case GAT_DTYPE_U16: return "uint16";
    case GAT_DTYPE_U32: return "uint32";
    case GAT_DTYPE_U64: return "uint64";
    case GAT_DTYPE_F32: return "float32";
    case GAT_DTYPE_F64: return "float64";
    case GAT_DTYPE_UNICODE: return "str";
    case GAT_DTYPE_BYTES: return "bytes";
    }
    return "?";
}

size_t gat_dtype_size(gat_dtype t) {
    switch (t) {
    case GAT_DTYPE_BOOL: case GAT_DTYPE_I8: case GAT_DTYPE_U8: return 1;
    case GAT_DTYPE_I16: case GAT_DTYPE_U16: return 2;
    case GAT_DTYPE_I32: case GAT_DTYPE_U32: case GAT_DTYPE_F32: return 4;
    case GAT_DTYPE_I64: case GAT_DTYPE_U64: case GAT_DTYPE_F64: return 8;
    case GAT_DTYPE_UNICODE: case GAT_DTYPE_BYTES: return 0;
    }
    return 0;
}

void gat_array_free(gat_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Number of elements of a shape, 0 with *ok = 0 on a negative dim or an overflow of
 * size * itemsize. */
static size_t shape_size(int ndim, const int64_t *shape, size_t itemsize, int *ok) {
    size_t size = 1;
    *ok = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (uint64_t)shape[i] > SIZE_MAX) { *ok = 0; return 0; }
        size_t d = (size_t)shape[i];
        if (d && size > SIZE_MAX / d) { *ok = 0; return 0; }
        size *= d;
    }
    if (itemsize && size > (SIZE_MAX - 64) / itemsize) *ok = 0;
    return size;
}

int gat_array_alloc_items(gat_array *a, gat_dtype t, size_t itemsize, int ndim, const int64_t *shape,
                          gat_error *err) {
    memset(a, 0, sizeof *a);
    if (ndim < 0 || ndim > GAT_NPY_MAX_DIMS)
        return gat_error_set(err, GAT_EINVAL, "array of %d dimensions (at most %d)", ndim, GAT_NPY_MAX_DIMS);
    size_t fixed = gat_dtype_size(t);
    if ((fixed && itemsize != fixed) || itemsize == 0 || (t == GAT_DTYPE_UNICODE && itemsize % 4))
        return gat_error_set(err, GAT_EINVAL, "itemsize %zu does not fit dtype %s", itemsize, gat_dtype_name(t));
    int ok;
    size_t size = shape_size(ndim, shape, itemsize, &ok);
    if (!ok) return gat_error_set(err, GAT_ESHAPE, "array shape is negative or too large");
    a->data = calloc(size ? size : 1, itemsize);
    if (!a->data) return gat_error_set(err, GAT_ENOMEM, "out of memory allocating %zu x %zu bytes", size, itemsize);
    a->dtype = t;
    a->itemsize = itemsize;
    a->ndim = ndim;
    for (int i = 0; i < ndim; i++) a->shape[i] = shape[i];
    a->size = size;
    return GAT_OK;
}

int gat_array_alloc(gat_array *a, gat_dtype t, int ndim, const int64_t *shape, gat_error *err) {
    size_t itemsize = gat_dtype_size(t);
    if (!itemsize) itemsize = t == GAT_DTYPE_UNICODE ? 4 : 1;
    return gat_array_alloc_items(a, t, itemsize, ndim, shape, err);
}

/* ---- header parsing: the Python dict literal NumPy writes ---- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int eat(cursor *c, char ch) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted Python string ('..' or ".."), copied into out (cap bytes). -1 on error. */
static int py_string(cursor *c, char *out, size_t cap) {
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\') c->p++;
        if (c->p >= c->end || n + 1 >= cap) return -1;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    out[n] = 0;
    return 0;
}

static int py_word(cursor *c, const char *w) {
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, w, n)) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* A shape tuple: (), (5,), (2, 3), trailing comma allowed, Python 2 'L' suffixes allowed. */
static int py_shape(cursor *c, int64_t *shape, int *ndim) {
    if (!eat(c, '(')) return -1;
    *ndim = 0;
    for (;;) {
        if (eat(c, ')')) return 0;
        skip_ws(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') return -1;
        if (*ndim >= GAT_NPY_MAX_DIMS) return -2;
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (INT64_MAX - 9) / 10) return -3;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') c->p++;
        shape[(*ndim)++] = v;
        if (eat(c, ',')) continue;
        if (eat(c, ')')) return 0;
        return -1;
    }
}

/* Map a descr such as '<f4', '|b1', '<U3' to a dtype; refusals are GAT_EDTYPE. */
static int parse_descr(const char *d, const char *name, gat_dtype *t, size_t *itemsize, gat_error *err) {
    const char *p = d;
    char bo = '=';
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=') bo = *p++;
    char kind = *p ? *p++ : 0;
    size_t n = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && n < 100000000) {
        n = n * 10 + (size_t)(*p++ - '0');
        digits++;
    }
    if (*p || !digits || n == 0) goto unknown;
    switch (kind) {
    case 'b': if (n != 1) goto unknown; *t = GAT_DTYPE_BOOL; break;
    case 'i':
        if (n == 1) *t = GAT_DTYPE_I8; else if (n == 2) *t = GAT_DTYPE_I16;
        else if (n == 4) *t = GAT_DTYPE_I32; else if (n == 8) *t = GAT_DTYPE_I64; else goto unknown;
        break;
    case 'u':
        if (n == 1) *t = GAT_DTYPE_U8; else if (n == 2) *t = GAT_DTYPE_U16;
        else if (n == 4) *t = GAT_DTYPE_U32; else if (n == 8) *t = GAT_DTYPE_U64; else goto unknown;
        break;
    case 'f':
        if (n == 2)
            return gat_error_set(err, GAT_EDTYPE, "%s: dtype '%s' (float16) is not supported; re-save with a.astype('<f4')",
                                 name, d);
        if (n == 4) *t = GAT_DTYPE_F32; else if (n == 8) *t = GAT_DTYPE_F64; else goto unknown;
        break;
    case 'U': *t = GAT_DTYPE_UNICODE; n *= 4; break;
    case 'S': *t = GAT_DTYPE_BYTES; break;
    default: goto unknown;
    }
    if (bo == '>' && n > 1 && *t != GAT_DTYPE_BYTES)
        return gat_error_set(err, GAT_EDTYPE, "%s: big-endian dtype '%s' is not supported; re-save with a.astype('<%s')",
                             name, d, d + 1);
    *itemsize = n;
    return GAT_OK;
unknown:
    return gat_error_set(err, GAT_EDTYPE, "%s: unknown or unsupported dtype '%s'", name, d);
}

/* Parse the header dict text[0..len): descr, fortran_order and shape, each exactly once. */
static int parse_header(const char *text, size_t len, const char *name, gat_array *a, int *fortran, gat_error *err) {
    cursor c = {text, text + len};
    char key[32], descr[64] = {0};
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0, ndim = 0;
    int64_t shape[GAT_NPY_MAX_DIMS];
    if (!eat(&c, '{')) goto bad;
    for (;;) {
        if (eat(&c, '}')) break;
        if (py_string(&c, key, sizeof key) != 0 || !eat(&c, ':')) goto bad;
        if (!strcmp(key, "descr")) {
            if (seen_descr++) goto dup;
            skip_ws(&c);
            if (c.p < c.end && *c.p == '[')
                return gat_error_set(err, GAT_EDTYPE, "%s: structured dtypes are not supported", name);
            if (py_string(&c, descr, sizeof descr) != 0) goto bad;
        } else if (!strcmp(key, "fortran_order")) {
            if (seen_fortran++) goto dup;
            if (py_word(&c, "True")) *fortran = 1;
            else if (py_word(&c, "False")) *fortran = 0;
            else goto bad;
        } else if (!strcmp(key, "shape")) {
            if (seen_shape++) goto dup;
            int r = py_shape(&c, shape, &ndim);
            if (r == -2) return gat_error_set(err, GAT_ESHAPE, "%s: more than %d dimensions", name, GAT_NPY_MAX_DIMS);
            if (r == -3) return gat_error_set(err, GAT_ESHAPE, "%s: a dimension of the shape overflows int64", name);
            if (r) goto bad;
        } else {
            return gat_error_set(err, GAT_EFORMAT, "%s: bad .npy header: unexpected key '%s'", name, key);
        }
        if (eat(&c, ',')) continue;
        if (eat(&c, '}')) break;
        goto bad;
    }
    skip_ws(&c);
    if (c.p != c.end) goto bad;
    if (!seen_descr || !seen_fortran || !seen_shape)
        return gat_error_set(err, GAT_EFORMAT, "%s: bad .npy header: missing '%s'", name,
                             !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
    int rc = parse_descr(descr, name, &a->dtype, &a->itemsize, err);
    if (rc) return rc;
    int ok;
    a->size = shape_size(ndim, shape, a->itemsize, &ok);
    if (!ok)
        return gat_error_set(err, GAT_ESHAPE, "%s: shape product overflows (the header is corrupt)", name);
    a->ndim = ndim;
    memcpy(a->shape, shape, sizeof shape[0] * (size_t)ndim);
    return GAT_OK;
dup:
    return gat_error_set(err, GAT_EFORMAT, "%s: bad .npy header: key '%s' appears twice", name, key);
bad:
    return gat_error_set(err, GAT_EFORMAT, "%s: bad .npy header: not a Python dict literal near byte %zu: %.*s", name,
                         (size_t)(c.p - text), (int)(len < 60 ? len : 60), text);
}

/* Copy a Fortran-ordered (column-major) buffer into C order. */
static void fortran_to_c(const unsigned char *src, unsigned char *dst, const gat_array *a) {
    size_t idx[GAT_NPY_MAX_DIMS] = {0}, fstride[GAT_NPY_MAX_DIMS];
    size_t s = 1;
    for (int k = 0; k < a->ndim; k++) {
        fstride[k] = s;
        s *= (size_t)a->shape[k];
    }
    size_t f = 0;
    for (size_t i = 0; i < a->size; i++) {
        memcpy(dst + i * a->itemsize, src + f * a->itemsize, a->itemsize);
        for (int k = a->ndim - 1; k >= 0; k--) { /* odometer, last axis fastest */
            idx[k]++;
            f += fstride[k];
            if (idx[k] < (size_t)a->shape[k]) break;
            f -= fstride[k] * idx[k];
            idx[k] = 0;
        }
    }
}

int gat_npy_expected_len(const void *buf, size_t len, size_t *total) {
    const unsigned char *b = buf;
    if (len < 12 || memcmp(b, NPY_MAGIC, sizeof NPY_MAGIC) != 0) return 0;
    size_t start = b[6] == 1 ? 10 : 12;
    size_t hlen = (size_t)b[8] | ((size_t)b[9] << 8);
    if (b[6] != 1) hlen |= ((size_t)b[10] << 16) | ((size_t)b[11] << 24);
    if (hlen > len - start) return 0;
    gat_array a;
    memset(&a, 0, sizeof a);
    int fortran = 0;
    gat_error ignored = {0};
    if (parse_header((const char *)b + start, hlen, "", &a, &fortran, &ignored)) return 0;
    if (a.itemsize && a.size > (SIZE_MAX - start - hlen) / a.itemsize) return 0;
    *total = start + hlen + a.size * a.itemsize;
    return 1;
}

int gat_npy_parse_header(const void *buf, size_t len, const char *name, gat_array *out, int *fortran_order,
                         size_t *data_offset, gat_error *err) {
    const unsigned char *b = buf;
    gat_array a;
    memset(&a, 0, sizeof a);
    memset(out, 0, sizeof *out);
    if (len < 10)
        return gat_error_set(err, GAT_EFORMAT, "%s: truncated: %zu bytes is too short for a .npy header", name, len);
    if (memcmp(b, NPY_MAGIC, sizeof NPY_MAGIC) != 0)
        return gat_error_set(err, GAT_EFORMAT, "%s: not a .npy file (bad magic)", name);
    unsigned major = b[6], minor = b[7];
    size_t start, hlen;
    if (major == 1 && minor == 0) {
        hlen = (size_t)b[8] | ((size_t)b[9] << 8);
        start = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (len < 12)
            return gat_error_set(err, GAT_EFORMAT, "%s: truncated: %zu bytes is too short for a .npy header", name, len);
        hlen = (size_t)b[8] | ((size_t)b[9] << 8) | ((size_t)b[10] << 16) | ((size_t)b[11] << 24);
        start = 12;
    } else {
        return gat_error_set(err, GAT_EFORMAT, "%s: unsupported .npy format version %u.%u", name, major, minor);
    }
    if (hlen > len - start)
        return gat_error_set(err, GAT_EFORMAT, "%s: truncated: header length %zu runs past the end of the file (%zu bytes)",
                             name, hlen, len);
    int fortran = 0;
    int rc = parse_header((const char *)b + start, hlen, name, &a, &fortran, err);
    if (rc) return rc;
    size_t need = a.size * a.itemsize, have = len - start - hlen;
    if (have < need)
        return gat_error_set(err, GAT_EFORMAT, "%s: truncated: header says %zu values (%zu bytes), file holds %zu bytes of data",
                             name, a.size, need, have);
    if (have > need)
        return gat_error_set(err, GAT_EFORMAT, "%s: %zu unexpected bytes after the %zu values of the array", name,
                             have - need, a.size);
    *out = a;
    *fortran_order = fortran;
    *data_offset = start + hlen;
    return GAT_OK;
}

int gat_npy_parse(const void *buf, size_t len, const char *name, gat_array *out, gat_error *err) {
    const unsigned char *b = buf;
    gat_array a;
    int fortran;
    size_t off;
    memset(out, 0, sizeof *out);
    int rc = gat_npy_parse_header(buf, len, name, &a, &fortran, &off, err);
    if (rc) return rc;
    const size_t need = a.size * a.itemsize, start = 0, hlen = off;
    a.data = malloc(need ? need : 1);
    if (!a.data) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %zu bytes", name, need);
    const unsigned char *src = b + start + hlen;
    if (fortran && a.ndim > 1) fortran_to_c(src, a.data, &a);
    else if (need) memcpy(a.data, src, need);
    *out = a;
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

/* ---- writing ---- */

static int check_array(const gat_array *a, gat_error *err) {
    size_t fixed = gat_dtype_size(a->dtype);
    if ((unsigned)a->dtype > GAT_DTYPE_BYTES || a->ndim < 0 || a->ndim > GAT_NPY_MAX_DIMS || a->itemsize == 0 ||
        (fixed && a->itemsize != fixed) || (a->dtype == GAT_DTYPE_UNICODE && a->itemsize % 4))
        return gat_error_set(err, GAT_EINVAL, "invalid array (dtype %d, itemsize %zu, ndim %d)", (int)a->dtype,
                             a->itemsize, a->ndim);
    int ok;
    size_t size = shape_size(a->ndim, a->shape, a->itemsize, &ok);
    if (!ok || size != a->size)
        return gat_error_set(err, GAT_ESHAPE, "array size %zu does not match its shape", a->size);
    if (!a->data && a->size) return gat_error_set(err, GAT_EINVAL, "array has no data");
    return GAT_OK;
}

/* The NumPy descr string of an array ("<f4", "|b1", "<U3"). */
static void descr_of(const gat_array *a, char *out, size_t cap) {
    static const char kinds[] = {'b', 'i', 'i', 'i', 'i', 'u', 'u', 'u', 'u', 'f', 'f', 'U', 'S'};
    size_t n = a->dtype == GAT_DTYPE_UNICODE ? a->itemsize / 4 : a->itemsize;
    char bo = a->itemsize == 1 || a->dtype == GAT_DTYPE_BYTES ? '|' : '<';
    snprintf(out, cap, "%c%c%zu", bo, kinds[a->dtype], n);
}

int gat_npy_serialize(const gat_array *a, void **buf, size_t *len, gat_error *err) {
    *buf = NULL;
    *len = 0;
    int rc = check_array(a, err);
    if (rc) return rc;
    char descr[32], shape[GAT_NPY_MAX_DIMS * 24 + 4] = "", dict[512];
    descr_of(a, descr, sizeof descr);
    size_t sl = 0;
    for (int i = 0; i < a->ndim; i++)
        sl += (size_t)snprintf(shape + sl, sizeof shape - sl, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
    if (a->ndim == 1) strcat(shape, ",");
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape);
    /* magic + version + length field + dict + '\n', padded with spaces to a multiple of 64 */
    size_t prefix = 10, total = prefix + (size_t)dl + 1;
    total = (total + 63) / 64 * 64;
    if (total - prefix > 65535) {
        prefix = 12;
        total = (prefix + (size_t)dl + 1 + 63) / 64 * 64;
    }
    size_t data_len = a->size * a->itemsize;
    unsigned char *b = malloc(total + data_len);
    if (!b) return gat_error_set(err, GAT_ENOMEM, "out of memory serialising %zu bytes", total + data_len);
    size_t hlen = total - prefix;
    memcpy(b, NPY_MAGIC, 6);
    b[6] = prefix == 10 ? 1 : 2;
    b[7] = 0;
    b[8] = (unsigned char)hlen;
    b[9] = (unsigned char)(hlen >> 8);
    if (prefix == 12) {
        b[10] = (unsigned char)(hlen >> 16);
        b[11] = (unsigned char)(hlen >> 24);
    }
    memcpy(b + prefix, dict, (size_t)dl);
    memset(b + prefix + dl, ' ', total - prefix - (size_t)dl - 1);
    b[total - 1] = '\n';
    if (data_len) memcpy(b + total, a->data, data_len);
    *buf = b;
    *len = total + data_len;
    return GAT_OK;
}

int gat_npy_write(const char *path, const gat_array *a, gat_error *err) {
    void *buf;
    size_t len;
    int rc = gat_npy_serialize(a, &buf, &len, err);
    if (rc) {
        gat_error_prefix(err, path);
        return rc;
    }
    rc = gat_write_file(path, buf, len, err);
    free(buf);
    return rc;
}

/* ---- memory mapping ---- */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int gat_npy_map(const char *path, gat_npy_mapping *m, gat_error *err) {
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        return gat_error_set(err, e == ENOENT ? GAT_ENOTFOUND : GAT_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        close(fd);
        return GAT_OK; /* not a plain file: the caller reads it */
    }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return GAT_OK;
    int fortran;
    size_t off;
    gat_array a;
    int rc = gat_npy_parse_header(base, (size_t)st.st_size, path, &a, &fortran, &off, err);
    if (rc) {
        munmap(base, (size_t)st.st_size);
        return rc;
    }
    if ((fortran && a.ndim > 1) || off % 8 != 0) { /* needs a transpose, or misaligned: read instead */
        munmap(base, (size_t)st.st_size);
        return GAT_OK;
    }
    a.data = (unsigned char *)base + off;
    m->array = a;
    m->base = base;
    m->len = (size_t)st.st_size;
    m->mapped = 1;
    return GAT_OK;
}

void gat_npy_unmap(gat_npy_mapping *m) {
    if (!m) return;
    if (m->mapped) munmap(m->base, m->len);
    memset(m, 0, sizeof *m);
}
