/* npz.c - .npz archives: a zip of .npy members. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/npy.h"
#include "zip.h"

void gat_npz_free(gat_npz *z) {
    if (!z) return;
    for (size_t i = 0; i < z->n; i++) {
        free(z->entries[i].name);
        if (!z->entries[i].borrowed) gat_array_free(&z->entries[i].array);
    }
    free(z->entries);
    memset(z, 0, sizeof *z);
}

const gat_array *gat_npz_get(const gat_npz *z, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < z->n; i++) {
        const char *e = z->entries[i].name;
        if (!strcmp(e, name) || (strlen(e) == n + 4 && !strncmp(e, name, n) && !strcmp(e + n, ".npy")))
            return &z->entries[i].array;
    }
    return NULL;
}

int gat_npz_read(const char *path, gat_npz *out, gat_error *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    rc = gat_npz_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

static int npz_parse(const void *buf, size_t len, const char *path, int view, gat_npz *out, gat_error *err);

int gat_npz_parse(const void *buf, size_t len, const char *path, gat_npz *out, gat_error *err) {
    return npz_parse(buf, len, path, 0, out, err);
}

int gat_npz_view(const void *buf, size_t len, const char *path, gat_npz *out, gat_error *err) {
    return npz_parse(buf, len, path, 1, out, err);
}

/* A borrowed member used in place: C order (or one dimension) and data aligned for its dtype. */
static int view_member(const gat_zip_member *m, const char *mpath, gat_array *a, int *used, gat_error *err) {
    int fortran;
    size_t off;
    *used = 0;
    int rc = gat_npy_parse_header(m->data, m->len, mpath, a, &fortran, &off, err);
    if (rc) return rc;
    const size_t isz = a->itemsize;
    if ((fortran && a->ndim > 1) || !(isz == 1 || isz == 2 || isz == 4 || isz == 8) ||
        (uintptr_t)(m->data + off) % isz != 0)
        return GAT_OK;
    a->data = m->data + off;
    *used = 1;
    return GAT_OK;
}

static int npz_parse(const void *buf, size_t len, const char *path, int view, gat_npz *out, gat_error *err) {
    char *mpath = NULL;
    size_t nm = 0;
    gat_zip_member *ms = NULL;
    memset(out, 0, sizeof *out);
    int rc = view ? gat_zip_view((const unsigned char *)buf, len, path, &ms, &nm, err)
                  : gat_zip_read((const unsigned char *)buf, len, path, &ms, &nm, err);
    if (rc) goto fail;
    out->entries = calloc(nm ? nm : 1, sizeof *out->entries);
    mpath = malloc(strlen(path) + 2 + 65536);
    if (!out->entries || !mpath) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < nm; i++) {
        sprintf(mpath, "%s:%s", path, ms[i].name); /* names are at most 65535 bytes */
        int used = 0;
        if (ms[i].borrowed && (rc = view_member(&ms[i], mpath, &out->entries[i].array, &used, err))) goto fail;
        out->entries[i].borrowed = used;
        if (!used && (rc = gat_npy_parse(ms[i].data, ms[i].len, mpath, &out->entries[i].array, err))) goto fail;
        out->entries[i].name = ms[i].name;
        ms[i].name = NULL;
        out->n = i + 1;
    }
    free(mpath);
    gat_zip_members_free(ms, nm);
    return GAT_OK;
fail:
    free(mpath);
    gat_zip_members_free(ms, nm);
    gat_npz_free(out);
    return rc;
}

int gat_npz_write(const char *path, size_t n, const char *const *names, const gat_array *arrays, int deflate,
                  gat_error *err) {
    int rc = GAT_OK;
    gat_outfile f = {0};
    void **bufs = calloc(n ? n : 1, sizeof *bufs);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    char **full = calloc(n ? n : 1, sizeof *full);
    if (!bufs || !lens || !full) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(names[i]);
        int has_ext = k >= 4 && !strcmp(names[i] + k - 4, ".npy");
        full[i] = malloc(k + 5);
        if (!full[i]) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        memcpy(full[i], names[i], k + 1);
        if (!has_ext) strcat(full[i], ".npy");
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(full[i], full[j])) {
                rc = gat_error_set(err, GAT_EINVAL, "%s: duplicate member '%s'", path, full[i]);
                goto fail;
            }
        }
        rc = gat_npy_serialize(&arrays[i], &bufs[i], &lens[i], err);
        if (rc) {
            char prefix[300];
            snprintf(prefix, sizeof prefix, "%s:%s", path, full[i]);
            gat_error_prefix(err, prefix);
            goto fail;
        }
    }
    rc = gat_outfile_open(&f, path, err);
    if (rc) goto fail;
    rc = gat_zip_write(f.fp, path, n, (const char *const *)full, (const void *const *)bufs, lens, deflate, err);
    if (rc) goto fail;
    rc = gat_outfile_commit(&f, err);
fail:
    gat_outfile_abort(&f);
    for (size_t i = 0; bufs && full && i < n; i++) {
        free(bufs[i]);
        free(full[i]);
    }
    free(bufs);
    free(lens);
    free(full);
    return rc;
}
