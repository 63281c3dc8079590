/* test_mmap.c - edge_index.npy used in place from a mapping: int64 C order maps, other layouts
 * are read as before and give the same dataset; bad ids and truncated files are still refused
 * with the reader's messages. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/graphgen.h"
#include "gat/npy.h"

static void write_edges(const char *dir, gat_dtype t, int fortran, const int64_t *src, const int64_t *dst, int64_t e) {
    gat_array a;
    gat_error err = {0};
    int64_t shape[2] = {2, e};
    gat_array_alloc(&a, t, 2, shape, &err);
    for (int64_t k = 0; k < e; k++) {
        if (t == GAT_DTYPE_I64) {
            ((int64_t *)a.data)[k] = src[k];
            ((int64_t *)a.data)[e + k] = dst[k];
        } else {
            ((int32_t *)a.data)[k] = (int32_t)src[k];
            ((int32_t *)a.data)[e + k] = (int32_t)dst[k];
        }
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/edge_index.npy", dir);
    gat_npy_write(path, &a, &err);
    gat_array_free(&a);
    if (fortran) { /* rewrite as the (E, 2) transpose saved in Fortran order: same logical array */
        char *buf;
        size_t len;
        gat_read_file(path, &buf, &len, &err);
        char *f = strstr(buf + 10, "'fortran_order': False");
        if (f) memcpy(f, "'fortran_order': True ", 22);
        /* Fortran order of a (2, E) array is [s0, d0, s1, d1, ...] */
        size_t off = (size_t)((char *)memchr(buf, '\n', len) - buf) + 1;
        int64_t *v = (int64_t *)(buf + off);
        for (int64_t k = 0; k < e; k++) {
            v[2 * k] = src[k];
            v[2 * k + 1] = dst[k];
        }
        gat_write_file(path, buf, len, &err);
        free(buf);
    }
}

int main(void) {
    const char *root = check_tmpdir("mmap");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/g", root);
    gat_graphgen_options o = gat_graphgen_options_default();
    o.n_nodes = 2000;
    o.n_classes = 3;
    o.n_features = 20;
    o.density = 0.2;
    gat_graphgen_stats st;
    gat_error err = {0};
    CHECK_EQ_INT(gat_graphgen_write(dir, &o, &st, &err), GAT_OK);
    gat_dataset ds;
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
    CHECK_EQ_INT(ds.edges_mapped, 1);
    const int64_t e = ds.n_edges;
    int64_t *src = malloc((size_t)e * sizeof *src), *dst = malloc((size_t)e * sizeof *dst);
    memcpy(src, ds.edge_src, (size_t)e * sizeof *src);
    memcpy(dst, ds.edge_dst, (size_t)e * sizeof *dst);
    /* the mapping is private: writing to it changes neither the file nor a later load */
    ds.edge_src[0] = ds.edge_dst[0];
    gat_dataset_free(&ds);
    gat_array ref;
    char path[4200];
    snprintf(path, sizeof path, "%s/edge_index.npy", dir);
    CHECK_EQ_INT(gat_npy_read(path, &ref, &err), GAT_OK);
    CHECK(!memcmp(ref.data, src, (size_t)e * sizeof *src));
    CHECK(!memcmp((int64_t *)ref.data + e, dst, (size_t)e * sizeof *dst));
    gat_array_free(&ref);
    /* int32 and Fortran order are read, not mapped, and give the same edges */
    for (int variant = 0; variant < 2; variant++) {
        write_edges(dir, variant ? GAT_DTYPE_I64 : GAT_DTYPE_I32, variant, src, dst, e);
        CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
        CHECK_EQ_INT(ds.edges_mapped, 0);
        CHECK_EQ_INT(ds.n_edges, e);
        CHECK(ds.edge_src && !memcmp(ds.edge_src, src, (size_t)e * sizeof *src));
        CHECK(ds.edge_dst && !memcmp(ds.edge_dst, dst, (size_t)e * sizeof *dst));
        gat_dataset_free(&ds);
    }
    /* a bad id in a mapped file: the reader's message, naming the first bad edge */
    int64_t keep = dst[7];
    dst[7] = 2000;
    dst[9] = -1;
    write_edges(dir, GAT_DTYPE_I64, 0, src, dst, e);
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_ERANGE);
    CHECK_MSG(strstr(err.msg, "edge_index.npy: edge 7 (") && strstr(err.msg, "-> 2000) has a node id outside [0, 2000)"),
              "message: %s", err.msg);
    dst[7] = keep;
    /* a truncated mapped file */
    write_edges(dir, GAT_DTYPE_I64, 0, src, dst, e);
    char *buf;
    size_t len;
    gat_read_file(path, &buf, &len, &err);
    gat_write_file(path, buf, len - 8, &err);
    free(buf);
    err.msg[0] = 0;
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "edge_index.npy: truncated") != NULL, "message: %s", err.msg);
    gat_npy_mapping mp;
    CHECK_EQ_INT(gat_npy_map(path, &mp, &err), GAT_EFORMAT);
    CHECK_EQ_INT(mp.mapped, 0);
    snprintf(path, sizeof path, "%s/nosuch.npy", dir);
    CHECK_EQ_INT(gat_npy_map(path, &mp, &err), GAT_ENOTFOUND);
    gat_npy_unmap(&mp);
    free(src);
    free(dst);
    return check_summary();
}
