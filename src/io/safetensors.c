/* safetensors.c - reading and writing .safetensors files. */
#include "gat/safetensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/json.h"

#define ST_MAX_HEADER 100000000u /* the reference implementation's limit */

static const struct {
    const char *name;
    gat_dtype dtype;
} ST_DTYPES[] = {
    {"BOOL", GAT_DTYPE_BOOL}, {"U8", GAT_DTYPE_U8},   {"I8", GAT_DTYPE_I8},   {"U16", GAT_DTYPE_U16},
    {"I16", GAT_DTYPE_I16},   {"U32", GAT_DTYPE_U32}, {"I32", GAT_DTYPE_I32}, {"U64", GAT_DTYPE_U64},
    {"I64", GAT_DTYPE_I64},   {"F32", GAT_DTYPE_F32}, {"F64", GAT_DTYPE_F64},
};
#define N_ST_DTYPES (sizeof ST_DTYPES / sizeof ST_DTYPES[0])

static const char *st_dtype_name(gat_dtype t) {
    for (size_t i = 0; i < N_ST_DTYPES; i++)
        if (ST_DTYPES[i].dtype == t) return ST_DTYPES[i].name;
    return NULL;
}

void gat_safetensors_free(gat_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; st->tensors && i < st->n_tensors; i++) {
        free(st->tensors[i].name);
        gat_array_free(&st->tensors[i].array);
    }
    for (size_t i = 0; st->meta && i < st->n_meta; i++) {
        free(st->meta[i].key);
        free(st->meta[i].value);
    }
    free(st->tensors);
    free(st->meta);
    memset(st, 0, sizeof *st);
}

const gat_st_tensor *gat_safetensors_get(const gat_safetensors *st, const char *name) {
    for (size_t i = 0; i < st->n_tensors; i++)
        if (!strcmp(st->tensors[i].name, name)) return &st->tensors[i];
    return NULL;
}

const char *gat_safetensors_meta(const gat_safetensors *st, const char *key) {
    for (size_t i = 0; i < st->n_meta; i++)
        if (!strcmp(st->meta[i].key, key)) return st->meta[i].value;
    return NULL;
}

/* A JSON number that is a whole number in [0, 2^53]. */
static int json_uint(const gat_json *v, uint64_t *out) {
    if (!v || v->type != GAT_JSON_NUMBER || v->number < 0 || v->number > 9007199254740992.0 ||
        v->number != floor(v->number))
        return -1;
    *out = (uint64_t)v->number;
    return 0;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* One tensor entry: {"dtype": .., "shape": [..], "data_offsets": [b, e]}; fills a (no data yet)
 * and off. */
static int tensor_info(const char *path, const char *tname, const gat_json *v, gat_array *a, uint64_t off[2],
                       gat_error *err) {
    if (v->type != GAT_JSON_OBJECT)
        return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': header entry is not an object", path, tname);
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], "dtype") && strcmp(v->keys[i], "shape") && strcmp(v->keys[i], "data_offsets"))
            return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': unexpected key '%s'", path, tname, v->keys[i]);
    const gat_json *dt = gat_json_get(v, "dtype"), *sh = gat_json_get(v, "shape"), *of = gat_json_get(v, "data_offsets");
    if (!dt || dt->type != GAT_JSON_STRING)
        return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': missing or non-string \"dtype\"", path, tname);
    size_t k;
    for (k = 0; k < N_ST_DTYPES && strcmp(ST_DTYPES[k].name, dt->string); k++) {}
    if (k == N_ST_DTYPES) {
        if (!strcmp(dt->string, "F16") || !strcmp(dt->string, "BF16") || !strncmp(dt->string, "F8_", 3))
            return gat_error_set(err, GAT_EDTYPE, "%s: tensor '%s': dtype %s is not supported; convert it to F32 before saving",
                                 path, tname, dt->string);
        return gat_error_set(err, GAT_EDTYPE, "%s: tensor '%s': unknown dtype '%.40s'", path, tname, dt->string);
    }
    a->dtype = ST_DTYPES[k].dtype;
    a->itemsize = gat_dtype_size(a->dtype);
    if (!sh || sh->type != GAT_JSON_ARRAY || sh->n > GAT_NPY_MAX_DIMS)
        return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': \"shape\" must be a list of at most %d sizes", path,
                             tname, GAT_NPY_MAX_DIMS);
    a->ndim = (int)sh->n;
    uint64_t bytes = a->itemsize;
    a->size = 1;
    for (size_t i = 0; i < sh->n; i++) {
        uint64_t d;
        if (json_uint(&sh->items[i], &d))
            return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': shape entry %zu is not a non-negative integer", path,
                                 tname, i);
        if (d && bytes > UINT64_MAX / d)
            return gat_error_set(err, GAT_ESHAPE, "%s: tensor '%s': shape product overflows", path, tname);
        bytes *= d;
        a->size *= (size_t)d;
        a->shape[i] = (int64_t)d;
    }
    if (!of || of->type != GAT_JSON_ARRAY || of->n != 2 || json_uint(&of->items[0], &off[0]) ||
        json_uint(&of->items[1], &off[1]) || off[0] > off[1])
        return gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s': \"data_offsets\" must be [begin, end] with begin <= end",
                             path, tname);
    if (off[1] - off[0] != bytes)
        return gat_error_set(err, GAT_ESHAPE,
                             "%s: tensor '%s': shape of %zu %s values needs %llu bytes, but data_offsets [%llu, %llu] span %llu",
                             path, tname, a->size, dt->string, (unsigned long long)bytes, (unsigned long long)off[0],
                             (unsigned long long)off[1], (unsigned long long)(off[1] - off[0]));
    return GAT_OK;
}

static int read_metadata(const char *path, const gat_json *m, gat_safetensors *out, gat_error *err) {
    if (m->type != GAT_JSON_OBJECT)
        return gat_error_set(err, GAT_EFORMAT, "%s: \"__metadata__\" is not an object of strings", path);
    out->meta = calloc(m->n ? m->n : 1, sizeof *out->meta);
    if (!out->meta) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < m->n; i++) {
        if (m->items[i].type != GAT_JSON_STRING)
            return gat_error_set(err, GAT_EFORMAT, "%s: metadata value for '%s' is not a string", path, m->keys[i]);
        out->meta[i].key = dup_str(m->keys[i]);
        out->meta[i].value = dup_str(m->items[i].string);
        out->n_meta = i + 1;
        if (!out->meta[i].key || !out->meta[i].value) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    return GAT_OK;
}

typedef struct range {
    uint64_t begin, end;
    size_t tensor;
} range;

static int cmp_range(const void *x, const void *y) {
    const range *a = x, *b = y;
    if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return 0;
}

/* Sorted by offset, the ranges must tile [0, data_len) exactly. */
static int check_tiling(const char *path, range *r, size_t n, uint64_t data_len, const gat_safetensors *st,
                        gat_error *err) {
    qsort(r, n, sizeof *r, cmp_range);
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = st->tensors[r[i].tensor].name;
        if (r[i].end > data_len)
            return gat_error_set(err, GAT_EFORMAT,
                                 "%s: tensor '%s': data_offsets [%llu, %llu] run past the end of the file (data section holds %llu bytes)",
                                 path, name, (unsigned long long)r[i].begin, (unsigned long long)r[i].end,
                                 (unsigned long long)data_len);
        if (r[i].begin > pos)
            return gat_error_set(err, GAT_EFORMAT, "%s: gap in the data: no tensor covers bytes [%llu, %llu) before tensor '%s'",
                                 path, (unsigned long long)pos, (unsigned long long)r[i].begin, name);
        if (r[i].begin < pos)
            return gat_error_set(err, GAT_EFORMAT, "%s: tensors '%s' and '%s' overlap (data_offsets from %llu and %llu)", path,
                                 st->tensors[r[i - 1].tensor].name, name, (unsigned long long)r[i - 1].begin,
                                 (unsigned long long)r[i].begin);
        pos = r[i].end;
    }
    if (pos != data_len)
        return gat_error_set(err, GAT_EFORMAT, "%s: %llu bytes after the last tensor are not covered by any tensor", path,
                             (unsigned long long)(data_len - pos));
    return GAT_OK;
}

int gat_safetensors_read(const char *path, gat_safetensors *out, gat_error *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    rc = gat_safetensors_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* What a file that is not a safetensors file is, from its first bytes ("a PyTorch file
 * (torch.save's zip archive)"), or NULL when it is nothing recognised; *torch = 1 for
 * PyTorch's formats. */
static const char *foreign_kind(const unsigned char *b, size_t len, int *torch) {
    *torch = 0;
    if (len >= 30 && !memcmp(b, "PK\3\4", 4)) {
        /* a zip archive: its first member's name tells torch.save's from NumPy's */
        size_t n = (size_t)b[26] | (size_t)b[27] << 8;
        const char *name = (const char *)b + 30;
        if (30 + n > len) n = len - 30;
        for (size_t i = 0; i + 8 <= n; i++)
            if (!memcmp(name + i, "data.pkl", 8) || !memcmp(name + i, "/version", 8)) {
                *torch = 1;
                return "a PyTorch file (torch.save's zip archive of a pickle)";
            }
        if (n >= 4 && !memcmp(name + n - 4, ".npy", 4)) return "a NumPy .npz archive";
        return "a zip archive";
    }
    if (len >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5) {
        *torch = 1;
        return "a Python pickle (PyTorch's legacy torch.save format, or another pickle)";
    }
    if (len >= 6 && !memcmp(b, "\x93NUMPY", 6)) return "a NumPy .npy array";
    if (len >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return "a PNG image";
    if (len >= 8 && !memcmp(b, "\x89HDF\r\n\x1a\n", 8)) return "an HDF5 file";
    if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) return "a gzip-compressed file";
    if (len >= 4 && !memcmp(b, "\x7f" "ELF", 4)) return "a program (ELF)";
    if (len >= 4 && !memcmp(b, "%PDF", 4)) return "a PDF document";
    /* text: nothing but printable ASCII, whitespace and UTF-8 in the first bytes */
    size_t n = len < 512 ? len : 512, i;
    for (i = 0; i < n; i++)
        if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') break;
    if (i == n && n >= 8) return "a text file";
    return NULL;
}

int gat_safetensors_parse(const void *file, size_t len, const char *path, gat_safetensors *out, gat_error *err) {
    const char *buf = file;
    char *hname = NULL;
    gat_json h = {0};
    range *ranges = NULL;
    int rc = GAT_OK;
    memset(out, 0, sizeof *out);
    if (len < 8) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: truncated: %zu bytes is too short for a safetensors header", path, len);
        goto fail;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | (unsigned char)buf[i];
    /* a header is JSON starting with '{' at byte 8: else say what the file is instead */
    const int header_like = len > 8 && buf[8] == '{';
    int torch = 0;
    const char *kind = header_like ? NULL : foreign_kind((const unsigned char *)buf, len, &torch);
    if (kind) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: %s, not a safetensors file; %s", path, kind,
                           torch ? "convert its state_dict in Python with safetensors.torch.save_file (see the README, "
                                   "'Model files')"
                                 : "gat reads the .safetensors model files gat train writes");
        goto fail;
    }
    if (!header_like && hlen > len - 8) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a safetensors file (no 8-byte header length followed by a JSON "
                           "header); gat reads the .safetensors model files gat train writes", path);
        goto fail;
    }
    if (hlen > len - 8) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: header length %llu runs past the end of the file (%zu bytes)", path,
                           (unsigned long long)hlen, len);
        goto fail;
    }
    if (hlen > ST_MAX_HEADER) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: header of %llu bytes is too large", path, (unsigned long long)hlen);
        goto fail;
    }
    hname = malloc(strlen(path) + 16);
    if (!hname) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    sprintf(hname, "%s: header", path);
    if ((rc = gat_json_parse(buf + 8, (size_t)hlen, hname, &h, err))) goto fail;
    if (h.type != GAT_JSON_OBJECT) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: header is not a JSON object", path);
        goto fail;
    }
    out->tensors = calloc(h.n ? h.n : 1, sizeof *out->tensors);
    ranges = calloc(h.n ? h.n : 1, sizeof *ranges);
    if (!out->tensors || !ranges) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < h.n; i++) {
        if (!strcmp(h.keys[i], "__metadata__")) {
            if ((rc = read_metadata(path, &h.items[i], out, err))) goto fail;
            continue;
        }
        gat_st_tensor *t = &out->tensors[out->n_tensors];
        uint64_t off[2] = {0, 0};
        if ((rc = tensor_info(path, h.keys[i], &h.items[i], &t->array, off, err))) goto fail;
        t->array.data = NULL; /* filled once the ranges are known to be valid */
        if (!(t->name = dup_str(h.keys[i]))) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        ranges[out->n_tensors] = (range){off[0], off[1], out->n_tensors};
        out->n_tensors++;
    }
    const unsigned char *data = (const unsigned char *)buf + 8 + hlen;
    if ((rc = check_tiling(path, ranges, out->n_tensors, len - 8 - hlen, out, err))) goto fail;
    for (size_t i = 0; i < out->n_tensors; i++) {
        gat_array *a = &out->tensors[ranges[i].tensor].array;
        size_t nb = (size_t)(ranges[i].end - ranges[i].begin);
        if (!(a->data = malloc(nb ? nb : 1))) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %zu bytes", path, nb);
            goto fail;
        }
        if (nb) memcpy(a->data, data + ranges[i].begin, nb);
    }
fail:
    free(ranges);
    free(hname);
    gat_json_free(&h);
    if (rc) gat_safetensors_free(out);
    return rc;
}

/* ---- writing ---- */

static int build_header(const char *path, const gat_st_tensor *tensors, size_t n, const gat_st_meta *meta,
                        size_t n_meta, char **hdr, size_t *hlen, gat_error *err) {
    char *b = NULL;
    size_t len = 0, cap = 0;
    int bad = gat_json_appendf(&b, &len, &cap, "{");
    if (n_meta) {
        bad |= gat_json_appendf(&b, &len, &cap, "\"__metadata__\":{");
        for (size_t i = 0; i < n_meta; i++) {
            bad |= gat_json_appendf(&b, &len, &cap, "%s", i ? "," : "");
            bad |= gat_json_append_string(&b, &len, &cap, meta[i].key);
            bad |= gat_json_appendf(&b, &len, &cap, ":");
            bad |= gat_json_append_string(&b, &len, &cap, meta[i].value);
        }
        bad |= gat_json_appendf(&b, &len, &cap, "}%s", n ? "," : "");
    }
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const gat_array *a = &tensors[i].array;
        bad |= gat_json_appendf(&b, &len, &cap, "%s", i ? "," : "");
        bad |= gat_json_append_string(&b, &len, &cap, tensors[i].name);
        bad |= gat_json_appendf(&b, &len, &cap, ":{\"dtype\":\"%s\",\"shape\":[", st_dtype_name(a->dtype));
        for (int d = 0; d < a->ndim; d++)
            bad |= gat_json_appendf(&b, &len, &cap, "%s%lld", d ? "," : "", (long long)a->shape[d]);
        uint64_t nb = (uint64_t)a->size * a->itemsize;
        bad |= gat_json_appendf(&b, &len, &cap, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                                (unsigned long long)(off + nb));
        off += nb;
    }
    bad |= gat_json_appendf(&b, &len, &cap, "}");
    while (!bad && len % 8) bad |= gat_json_appendf(&b, &len, &cap, " ");
    if (bad) {
        free(b);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    *hdr = b;
    *hlen = len;
    return GAT_OK;
}

/* Refuse what the reader would refuse: bad names, duplicates, unsupported dtypes, bad shapes. */
static int check_input(const char *path, const gat_st_tensor *tensors, size_t n, const gat_st_meta *meta, size_t n_meta,
                       gat_error *err) {
    for (size_t i = 0; i < n; i++) {
        const gat_array *a = &tensors[i].array;
        const char *name = tensors[i].name;
        if (!name || !*name || !strcmp(name, "__metadata__"))
            return gat_error_set(err, GAT_EINVAL, "%s: tensor %zu has an empty or reserved name", path, i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(tensors[j].name, name))
                return gat_error_set(err, GAT_EINVAL, "%s: duplicate tensor name '%s'", path, name);
        if (!st_dtype_name(a->dtype) || a->itemsize != gat_dtype_size(a->dtype))
            return gat_error_set(err, GAT_EDTYPE, "%s: tensor '%s': dtype %s cannot be stored in safetensors", path, name,
                                 gat_dtype_name(a->dtype));
        size_t size = 1;
        if (a->ndim < 0 || a->ndim > GAT_NPY_MAX_DIMS)
            return gat_error_set(err, GAT_EINVAL, "%s: tensor '%s': bad number of dimensions", path, name);
        for (int d = 0; d < a->ndim; d++) {
            if (a->shape[d] < 0) return gat_error_set(err, GAT_ESHAPE, "%s: tensor '%s': negative size", path, name);
            size *= (size_t)a->shape[d];
        }
        if (size != a->size || (size && !a->data))
            return gat_error_set(err, GAT_ESHAPE, "%s: tensor '%s': size %zu does not match its shape", path, name, a->size);
    }
    for (size_t i = 0; i < n_meta; i++) {
        if (!meta[i].key || !meta[i].value)
            return gat_error_set(err, GAT_EINVAL, "%s: metadata entry %zu has no key or value", path, i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(meta[j].key, meta[i].key))
                return gat_error_set(err, GAT_EINVAL, "%s: duplicate metadata key '%s'", path, meta[i].key);
    }
    return GAT_OK;
}

int gat_safetensors_write(const char *path, const gat_st_tensor *tensors, size_t n_tensors, const gat_st_meta *meta,
                          size_t n_meta, gat_error *err) {
    char *hdr = NULL;
    size_t hlen = 0;
    gat_outfile f = {0};
    int rc = check_input(path, tensors, n_tensors, meta, n_meta, err);
    if (rc) return rc;
    if ((rc = build_header(path, tensors, n_tensors, meta, n_meta, &hdr, &hlen, err))) return rc;
    if ((rc = gat_outfile_open(&f, path, err))) goto fail;
    unsigned char lenbuf[8];
    for (int i = 0; i < 8; i++) lenbuf[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
    fwrite(lenbuf, 1, 8, f.fp);
    fwrite(hdr, 1, hlen, f.fp);
    for (size_t i = 0; i < n_tensors; i++) {
        size_t nb = tensors[i].array.size * tensors[i].array.itemsize;
        if (nb) fwrite(tensors[i].array.data, 1, nb, f.fp);
    }
    rc = gat_outfile_commit(&f, err);
fail:
    gat_outfile_abort(&f);
    free(hdr);
    return rc;
}
