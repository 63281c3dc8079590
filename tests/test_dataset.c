/* test_dataset.c - loading datasets: a valid one, and every kind of bad input giving one
 * clear message that names the file and the problem. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/graph.h"
#include "gat/npy.h"

static char root[4096];

static void write_i64(const char *dir, const char *file, int ndim, const int64_t *shape, const int64_t *v) {
    gat_array a;
    gat_error err = {0};
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_array_alloc(&a, GAT_DTYPE_I64, ndim, shape, &err)) abort();
    memcpy(a.data, v, a.size * sizeof(int64_t));
    if (gat_npy_write(path, &a, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gat_array_free(&a);
}

static void write_f32(const char *dir, const char *file, int ndim, const int64_t *shape, const float *v) {
    gat_array a;
    gat_error err = {0};
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_array_alloc(&a, GAT_DTYPE_F32, ndim, shape, &err)) abort();
    memcpy(a.data, v, a.size * sizeof(float));
    if (gat_npy_write(path, &a, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gat_array_free(&a);
}

/* A valid 6-node dataset: a ring plus a chord, sparse features, 2 classes. */
static void make_valid(const char *dir) {
    gat_error err = {0};
    gat_mkdirs(dir, &err);
    gat_csr x = {0};
    int64_t rp[7] = {0, 2, 3, 4, 6, 7, 8};
    int32_t ci[8] = {0, 2, 1, 3, 0, 1, 2, 3};
    float val[8] = {1, 1, 2, 1, 1, 3, 1, 1};
    x.n_rows = 6; x.n_cols = 4; x.nnz = 8; x.row_ptr = rp; x.col_idx = ci; x.val = val;
    char path[4200];
    snprintf(path, sizeof path, "%s/features.npz", dir);
    if (gat_csr_write_npz(path, &x, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    int64_t e[2 * 7] = {0, 1, 2, 3, 4, 5, 0, /* -> */ 1, 2, 3, 4, 5, 0, 3};
    int64_t es[2] = {2, 7};
    write_i64(dir, "edge_index.npy", 2, es, e);
    int64_t lab[6] = {0, 1, 0, 1, -1, 1}, ls[1] = {6};
    write_i64(dir, "labels.npy", 1, ls, lab);
    int64_t tr[2] = {0, 1}, va[2] = {2, 3}, te[1] = {5}, s2[1] = {2}, s1[1] = {1};
    write_i64(dir, "train_index.npy", 1, s2, tr);
    write_i64(dir, "val_index.npy", 1, s2, va);
    write_i64(dir, "test_index.npy", 1, s1, te);
    snprintf(path, sizeof path, "%s/class_names.txt", dir);
    gat_write_file(path, "Alpha\nBeta\n", 11, &err);
}

/* Make a fresh copy of the valid dataset called name, return its path. */
static const char *variant(const char *name) {
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    make_valid(dir);
    return dir;
}

static void expect_fail(const char *dir, int status, const char *needle1, const char *needle2) {
    gat_dataset ds;
    gat_error err = {0};
    int rc = gat_dataset_load(&ds, dir, &err);
    CHECK_MSG(rc == status, "%s: status %d (expected %d): %s", dir, rc, status, err.msg);
    CHECK_MSG(strstr(err.msg, needle1) != NULL, "message '%s' names '%s'", err.msg, needle1);
    if (needle2) CHECK_MSG(strstr(err.msg, needle2) != NULL, "message '%s' says '%s'", err.msg, needle2);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "one line: '%s'", err.msg);
    if (rc == GAT_OK) gat_dataset_free(&ds);
}

int main(void) {
    snprintf(root, sizeof root, "%s", check_tmpdir("dataset"));
    gat_error err = {0};

    /* the valid dataset */
    const char *ok = variant("tiny");
    gat_dataset ds;
    CHECK_EQ_INT(gat_dataset_load(&ds, ok, &err), GAT_OK);
    CHECK_EQ_INT(ds.n_nodes, 6);
    CHECK_EQ_INT(ds.n_features, 4);
    CHECK_EQ_INT(ds.n_edges, 7);
    CHECK_EQ_INT(ds.n_classes, 2);
    CHECK_EQ_INT(ds.split_size[GAT_SPLIT_TRAIN], 2);
    CHECK(ds.class_names && !strcmp(ds.class_names[1], "Beta"));
    CHECK(!strcmp(ds.name, "tiny"));
    /* the features are used in place from the archive (stored, aligned: gat_csr_write_npz);
     * indptr is int32 in the file, so it is widened */
    CHECK_EQ_INT(ds.feature_map.borrowed, GAT_CSR_BORROWS_COL_IDX | GAT_CSR_BORROWS_VAL);
    char fpath[4300];
    snprintf(fpath, sizeof fpath, "%s/features.npz", ok);
    char *fbefore = NULL, *fafter = NULL;
    size_t flen0 = 0, flen1 = 0;
    gat_read_file(fpath, &fbefore, &flen0, &err);
    gat_dataset_normalize_rows(&ds);
    CHECK_NEAR(ds.features.val[0] + ds.features.val[1], 1.0, 1e-6);
    gat_read_file(fpath, &fafter, &flen1, &err); /* normalising never writes the file */
    CHECK(fbefore && fafter && flen0 == flen1 && !memcmp(fbefore, fafter, flen0));
    free(fbefore);
    free(fafter);
    CHECK_NEAR(ds.features.val[4], 0.25, 1e-6);
    /* the attention graph: 7 edges + 6 self loops, self loop first in each row */
    gat_graph g;
    CHECK_EQ_INT(gat_graph_from_edges(&g, ds.n_nodes, ds.edge_src, ds.edge_dst, ds.n_edges, &err), GAT_OK);
    CHECK_EQ_INT(g.nnz, 13);
    CHECK_EQ_INT(g.row_ptr[4] - g.row_ptr[3], 3); /* node 3: self, from 2, from 0 */
    CHECK_EQ_INT(g.src[g.row_ptr[3]], 3);
    CHECK_EQ_INT(g.edge_id[g.row_ptr[3]], -1);
    CHECK_EQ_INT(g.src[g.row_ptr[3] + 2], 0);
    CHECK_EQ_INT(g.edge_id[g.row_ptr[3] + 2], 6);
    CHECK_EQ_INT(g.out_ptr[1] - g.out_ptr[0], 3); /* node 0 is a source of: self, 0->1, 0->3 */
    gat_graph_free(&g);
    /* input self loops are dropped, edge ids out of range refused */
    int64_t s2[3] = {0, 1, 1}, d2[3] = {0, 0, 1};
    CHECK_EQ_INT(gat_graph_from_edges(&g, 2, s2, d2, 3, &err), GAT_OK);
    CHECK_EQ_INT(g.nnz, 3);
    gat_graph_free(&g);
    int64_t s3[1] = {5}, d3[1] = {0};
    CHECK_EQ_INT(gat_graph_from_edges(&g, 2, s3, d3, 1, &err), GAT_ERANGE);
    gat_dataset_free(&ds);

    /* opening by name: case-insensitive, and a clear error listing where it looked */
    CHECK_EQ_INT(gat_dataset_open(&ds, "TINY", root, &err), GAT_OK);
    gat_dataset_free(&ds);
    CHECK_EQ_INT(gat_dataset_open(&ds, "nosuch", root, &err), GAT_ENOTFOUND);
    CHECK(strstr(err.msg, "nosuch") && strstr(err.msg, root) && strstr(err.msg, "--data-dir"));

    const char *d;
    int64_t sh2[2] = {2, 2}, sh1[1], sh3[2] = {3, 2};
    /* edges */
    d = variant("edge_out_of_range");
    write_i64(d, "edge_index.npy", 2, sh2, (int64_t[]){0, 1, 1, 6});
    expect_fail(d, GAT_ERANGE, "edge_index.npy", "edge 1");
    d = variant("edge_negative");
    write_i64(d, "edge_index.npy", 2, sh2, (int64_t[]){0, -1, 1, 2});
    expect_fail(d, GAT_ERANGE, "edge_index.npy", "-1");
    d = variant("edge_shape");
    write_i64(d, "edge_index.npy", 2, sh3, (int64_t[]){0, 1, 1, 2, 2, 3});
    expect_fail(d, GAT_ESHAPE, "edge_index.npy", "(2, E)");
    d = variant("edge_float");
    write_f32(d, "edge_index.npy", 2, sh2, (float[]){0, 1, 1, 2});
    expect_fail(d, GAT_EDTYPE, "edge_index.npy", NULL);
    /* labels */
    d = variant("label_bad");
    sh1[0] = 6;
    write_i64(d, "labels.npy", 1, sh1, (int64_t[]){0, 1, -2, 1, 0, 1});
    expect_fail(d, GAT_ERANGE, "labels.npy", "node 2");
    d = variant("label_count");
    sh1[0] = 5;
    write_i64(d, "labels.npy", 1, sh1, (int64_t[]){0, 1, 0, 1, 0});
    expect_fail(d, GAT_ESHAPE, "labels.npy", "features.npz has 6 rows");
    /* splits */
    d = variant("split_empty");
    sh1[0] = 0;
    write_i64(d, "val_index.npy", 1, sh1, (int64_t[]){0});
    expect_fail(d, GAT_ESHAPE, "val_index.npy", "empty");
    d = variant("split_range");
    sh1[0] = 2;
    write_i64(d, "test_index.npy", 1, sh1, (int64_t[]){5, 60});
    expect_fail(d, GAT_ERANGE, "test_index.npy", "node 60");
    d = variant("split_unlabelled");
    write_i64(d, "train_index.npy", 1, sh1, (int64_t[]){0, 4});
    expect_fail(d, GAT_ERANGE, "train_index.npy", "no label");
    /* features: NaN and Inf in dense features, missing files, truncation */
    d = variant("features_nan");
    char path[4300];
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    float fx[6 * 2] = {1, 0, 0, 1, 1, 1, NAN, 0, 1, 0, 0, 1};
    int64_t fs[2] = {6, 2};
    write_f32(d, "features.npy", 2, fs, fx);
    expect_fail(d, GAT_ERANGE, "features.npy", "NaN");
    /* dense float32 features are mapped, float64 ones read and converted: the same values */
    for (int wide = 0; wide < 2; wide++) {
        d = variant(wide ? "features_f64" : "features_f32");
        snprintf(path, sizeof path, "%s/features.npz", d);
        remove(path);
        float fv[6 * 2] = {1, 0, 0, 1, 1, 1, 0.5f, 0, 1, 0, 0, 1};
        if (wide) {
            gat_array a;
            gat_array_alloc(&a, GAT_DTYPE_F64, 2, fs, &err);
            for (int k = 0; k < 12; k++) ((double *)a.data)[k] = fv[k];
            snprintf(path, sizeof path, "%s/features.npy", d);
            CHECK_EQ_INT(gat_npy_write(path, &a, &err), GAT_OK);
            gat_array_free(&a);
        } else {
            write_f32(d, "features.npy", 2, fs, fv);
        }
        gat_dataset dd;
        CHECK_EQ_INT(gat_dataset_load(&dd, d, &err), GAT_OK);
        CHECK(wide ? dd.dense_map_base == NULL : dd.dense_map_base != NULL);
        CHECK(dd.n_features == 2 && !memcmp(dd.dense_features, fv, sizeof fv));
        gat_dataset_normalize_rows(&dd);
        CHECK_NEAR(dd.dense_features[6] + dd.dense_features[7], 1.0, 1e-6);
        gat_dataset_free(&dd);
    }
    d = variant("features_inf");
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    fx[6] = INFINITY;
    write_f32(d, "features.npy", 2, fs, fx);
    expect_fail(d, GAT_ERANGE, "features.npy", NULL);
    d = variant("features_missing");
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    expect_fail(d, GAT_ENOTFOUND, "features", NULL);
    d = variant("labels_missing");
    snprintf(path, sizeof path, "%s/labels.npy", d);
    remove(path);
    expect_fail(d, GAT_ENOTFOUND, "labels.npy", NULL);
    d = variant("edges_truncated");
    snprintf(path, sizeof path, "%s/edge_index.npy", d);
    char *buf;
    size_t len;
    gat_read_file(path, &buf, &len, &err);
    gat_write_file(path, buf, len - 9, &err);
    free(buf);
    expect_fail(d, GAT_EFORMAT, "edge_index.npy", NULL);
    d = variant("class_names_short");
    snprintf(path, sizeof path, "%s/class_names.txt", d);
    gat_write_file(path, "Alpha\n", 6, &err);
    expect_fail(d, GAT_ESHAPE, "class_names.txt", "1 names for 2 classes");
    return check_summary();
}
