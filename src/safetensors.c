/* safetensors.c - reading and writing .safetensors files (see safetensors.h). */
#include "gat/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/json.h"

static const struct {
    const char *name;
    gat_dtype t;
} st_dtypes[] = {
    {"F64", GAT_DTYPE_F64}, {"F32", GAT_DTYPE_F32}, {"I64", GAT_DTYPE_I64}, {"I32", GAT_DTYPE_I32},
    {"I16", GAT_DTYPE_I16}, {"I8", GAT_DTYPE_I8},   {"U64", GAT_DTYPE_U64}, {"U32", GAT_DTYPE_U32},
    {"U16", GAT_DTYPE_U16}, {"U8", GAT_DTYPE_U8},   {"BOOL", GAT_DTYPE_BOOL},
};

void gat_safetensors_free(gat_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n_tensors; i++) {
        free(st->tensors[i].name);
        gat_array_free(&st->tensors[i].array);
    }
    for (size_t i = 0; i < st->n_meta; i++) {
        free(st->meta[i].key);
        free(st->meta[i].value);
    }
    free(st->tensors);
    free(st->meta);
    memset(st, 0, sizeof *st);
}

static char *dup(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

typedef struct {
    size_t index;
    uint64_t begin, end;
} range;

static int cmp_range(const void *a, const void *b) {
    const range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

int gat_safetensors_read(const char *path, gat_safetensors *out, gat_error *err) {
    memset(out, 0, sizeof *out);
    char *buf;
    size_t len;
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    gat_json h;
    memset(&h, 0, sizeof h);
    range *ranges = NULL;
    const unsigned char *b = (const unsigned char *)buf;
    if (len < 8) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a safetensors file (%zu bytes)", path, len);
        goto done;
    }
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = hl << 8 | b[i];
    if (hl > len - 8 || hl > 100000000) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a safetensors file, or truncated (header of %llu bytes, file of %zu)",
                           path, (unsigned long long)hl, len);
        goto done;
    }
    char name[4200];
    snprintf(name, sizeof name, "%s: header", path);
    if ((rc = gat_json_parse(buf + 8, (size_t)hl, name, &h, err))) goto done;
    if (h.type != GAT_JSON_OBJECT) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: header is not a JSON object", path);
        goto done;
    }
    const size_t data_len = len - 8 - (size_t)hl;
    const unsigned char *data = b + 8 + hl;
    out->tensors = calloc(h.n + 1, sizeof *out->tensors);
    ranges = calloc(h.n + 1, sizeof *ranges);
    if (!out->tensors || !ranges) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
    for (size_t i = 0; i < h.n; i++) {
        const char *key = h.keys[i];
        const gat_json *v = &h.items[i];
        if (!strcmp(key, "__metadata__")) {
            if (v->type != GAT_JSON_OBJECT) { rc = gat_error_set(err, GAT_EFORMAT, "%s: __metadata__ is not an object", path); goto done; }
            out->meta = calloc(v->n + 1, sizeof *out->meta);
            if (!out->meta) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
            for (size_t k = 0; k < v->n; k++) {
                if (v->items[k].type != GAT_JSON_STRING) {
                    rc = gat_error_set(err, GAT_EFORMAT, "%s: metadata '%s' is not a string", path, v->keys[k]);
                    goto done;
                }
                out->meta[k].key = dup(v->keys[k]);
                out->meta[k].value = dup(v->items[k].string);
                out->n_meta = k + 1;
                if (!out->meta[k].key || !out->meta[k].value) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
            }
            continue;
        }
        const gat_json *dt = gat_json_get(v, "dtype"), *shape = gat_json_get(v, "shape"), *offs = gat_json_get(v, "data_offsets");
        if (!dt || dt->type != GAT_JSON_STRING || !shape || shape->type != GAT_JSON_ARRAY || !offs ||
            offs->type != GAT_JSON_ARRAY || offs->n != 2 || offs->items[0].type != GAT_JSON_NUMBER ||
            offs->items[1].type != GAT_JSON_NUMBER) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s' needs dtype, shape and data_offsets", path, key);
            goto done;
        }
        gat_st_tensor *t = &out->tensors[out->n_tensors];
        int found = 0;
        for (size_t k = 0; k < sizeof st_dtypes / sizeof *st_dtypes; k++)
            if (!strcmp(dt->string, st_dtypes[k].name)) {
                int64_t sh[GAT_NPY_MAX_DIMS];
                if (shape->n > GAT_NPY_MAX_DIMS) break;
                for (size_t d = 0; d < shape->n; d++) {
                    double x = shape->items[d].number;
                    if (shape->items[d].type != GAT_JSON_NUMBER || x < 0 || x != floor(x) || x > 1e15) {
                        rc = gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s' has a bad shape", path, key);
                        goto done;
                    }
                    sh[d] = (int64_t)x;
                }
                if ((rc = gat_array_alloc(&t->array, st_dtypes[k].t, (int)shape->n, sh, err))) {
                    gat_error_prefix(err, path);
                    goto done;
                }
                found = 1;
                break;
            }
        if (!found) {
            rc = gat_error_set(err, GAT_EDTYPE, "%s: tensor '%s' has unsupported dtype '%s'", path, key, dt->string);
            goto done;
        }
        t->name = dup(key);
        out->n_tensors++;
        if (!t->name) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
        double ob = offs->items[0].number, oe = offs->items[1].number;
        if (ob < 0 || oe < ob || ob != floor(ob) || oe != floor(oe) || oe > (double)data_len) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s' has data_offsets [%.0f, %.0f] outside the %zu data bytes%s",
                               path, key, ob, oe, data_len, oe > (double)data_len ? " (truncated file?)" : "");
            goto done;
        }
        size_t bytes = t->array.size * t->array.itemsize;
        if ((uint64_t)(oe - ob) != bytes) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: tensor '%s': shape needs %zu bytes, data_offsets give %.0f", path, key,
                               bytes, oe - ob);
            goto done;
        }
        if (bytes) memcpy(t->array.data, data + (size_t)ob, bytes);
        ranges[out->n_tensors - 1] = (range){out->n_tensors - 1, (uint64_t)ob, (uint64_t)oe};
    }
    /* the byte ranges must tile the data section */
    qsort(ranges, out->n_tensors, sizeof *ranges, cmp_range);
    uint64_t pos = 0;
    for (size_t i = 0; i < out->n_tensors; i++) {
        if (ranges[i].begin != pos) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: tensor '%s' data %s at byte %llu", path, out->tensors[ranges[i].index].name,
                               ranges[i].begin < pos ? "overlaps another tensor" : "leaves a gap", (unsigned long long)ranges[i].begin);
            goto done;
        }
        pos = ranges[i].end;
    }
    if (pos != data_len) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: %zu data bytes but tensors cover %llu", path, data_len, (unsigned long long)pos);
        goto done;
    }
done:
    free(ranges);
    gat_json_free(&h);
    free(buf);
    if (rc) gat_safetensors_free(out);
    return rc;
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

static int add(char **buf, size_t *len, size_t *cap, const char *s) {
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        while (c < *len + n + 1) c *= 2;
        char *b = realloc(*buf, c);
        if (!b) return GAT_ENOMEM;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return GAT_OK;
}

int gat_safetensors_write(const char *path, const gat_st_tensor *tensors, size_t n_tensors, const gat_st_meta *meta,
                          size_t n_meta, gat_error *err) {
    char *h = NULL, num[128];
    size_t len = 0, cap = 0;
    int bad = add(&h, &len, &cap, "{");
    if (n_meta) {
        bad |= add(&h, &len, &cap, "\"__metadata__\":{");
        for (size_t i = 0; i < n_meta; i++) {
            if (i) bad |= add(&h, &len, &cap, ",");
            bad |= gat_json_append_string(&h, &len, &cap, meta[i].key);
            bad |= add(&h, &len, &cap, ":");
            bad |= gat_json_append_string(&h, &len, &cap, meta[i].value);
        }
        bad |= add(&h, &len, &cap, "}");
    }
    uint64_t off = 0;
    for (size_t i = 0; i < n_tensors; i++) {
        const gat_array *a = &tensors[i].array;
        const char *dt = NULL;
        for (size_t k = 0; k < sizeof st_dtypes / sizeof *st_dtypes; k++)
            if (st_dtypes[k].t == a->dtype) dt = st_dtypes[k].name;
        if (!dt) {
            free(h);
            return gat_error_set(err, GAT_EDTYPE, "%s: tensor '%s' has a dtype safetensors cannot hold", path, tensors[i].name);
        }
        if (n_meta || i) bad |= add(&h, &len, &cap, ",");
        bad |= gat_json_append_string(&h, &len, &cap, tensors[i].name);
        snprintf(num, sizeof num, ":{\"dtype\":\"%s\",\"shape\":[", dt);
        bad |= add(&h, &len, &cap, num);
        for (int d = 0; d < a->ndim; d++) {
            snprintf(num, sizeof num, "%s%lld", d ? "," : "", (long long)a->shape[d]);
            bad |= add(&h, &len, &cap, num);
        }
        uint64_t bytes = (uint64_t)a->size * a->itemsize;
        snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off, (unsigned long long)(off + bytes));
        bad |= add(&h, &len, &cap, num);
        off += bytes;
    }
    bad |= add(&h, &len, &cap, "}");
    while (!bad && len % 8) bad |= add(&h, &len, &cap, " ");
    if (bad) {
        free(h);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    gat_outfile f;
    int rc = gat_outfile_open(&f, path, err);
    if (rc) {
        free(h);
        return rc;
    }
    unsigned char hl[8];
    for (int i = 0; i < 8; i++) hl[i] = (unsigned char)((uint64_t)len >> (8 * i));
    fwrite(hl, 1, 8, f.fp);
    fwrite(h, 1, len, f.fp);
    for (size_t i = 0; i < n_tensors; i++) {
        const gat_array *a = &tensors[i].array;
        if (a->size) fwrite(a->data, a->itemsize, a->size, f.fp);
    }
    free(h);
    return gat_outfile_commit(&f, err);
}
