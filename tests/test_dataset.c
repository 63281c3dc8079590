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

#include "dataset_util.h"

static char root[4096];

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
    const char *ok = ds_variant(root, "tiny");
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
    d = ds_variant(root, "edge_out_of_range");
    ds_write_i64(d, "edge_index.npy", 2, sh2, (int64_t[]){0, 1, 1, 6});
    expect_fail(d, GAT_ERANGE, "edge_index.npy", "edge 1");
    d = ds_variant(root, "edge_negative");
    ds_write_i64(d, "edge_index.npy", 2, sh2, (int64_t[]){0, -1, 1, 2});
    expect_fail(d, GAT_ERANGE, "edge_index.npy", "-1");
    d = ds_variant(root, "edge_shape");
    ds_write_i64(d, "edge_index.npy", 2, sh3, (int64_t[]){0, 1, 1, 2, 2, 3});
    expect_fail(d, GAT_ESHAPE, "edge_index.npy", "(2, E)");
    d = ds_variant(root, "edge_float");
    ds_write_f32(d, "edge_index.npy", 2, sh2, (float[]){0, 1, 1, 2});
    expect_fail(d, GAT_EDTYPE, "edge_index.npy", NULL);
    /* labels */
    d = ds_variant(root, "label_bad");
    sh1[0] = 6;
    ds_write_i64(d, "labels.npy", 1, sh1, (int64_t[]){0, 1, -2, 1, 0, 1});
    expect_fail(d, GAT_ERANGE, "labels.npy", "node 2");
    d = ds_variant(root, "label_count");
    sh1[0] = 5;
    ds_write_i64(d, "labels.npy", 1, sh1, (int64_t[]){0, 1, 0, 1, 0});
    expect_fail(d, GAT_ESHAPE, "labels.npy", "features.npz has 6 rows");
    /* splits */
    d = ds_variant(root, "split_empty");
    sh1[0] = 0;
    ds_write_i64(d, "val_index.npy", 1, sh1, (int64_t[]){0});
    expect_fail(d, GAT_ESHAPE, "val_index.npy", "empty");
    d = ds_variant(root, "split_range");
    sh1[0] = 2;
    ds_write_i64(d, "test_index.npy", 1, sh1, (int64_t[]){5, 60});
    expect_fail(d, GAT_ERANGE, "test_index.npy", "node 60");
    d = ds_variant(root, "split_unlabelled");
    ds_write_i64(d, "train_index.npy", 1, sh1, (int64_t[]){0, 4});
    expect_fail(d, GAT_ERANGE, "train_index.npy", "no label");
    /* features: NaN and Inf in dense features, missing files, truncation */
    d = ds_variant(root, "features_nan");
    char path[4300];
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    float fx[6 * 2] = {1, 0, 0, 1, 1, 1, NAN, 0, 1, 0, 0, 1};
    int64_t fs[2] = {6, 2};
    ds_write_f32(d, "features.npy", 2, fs, fx);
    expect_fail(d, GAT_ERANGE, "features.npy", "NaN");
    /* dense float32 features are mapped, float64 ones read and converted: the same values */
    for (int wide = 0; wide < 2; wide++) {
        d = ds_variant(root, wide ? "features_f64" : "features_f32");
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
            ds_write_f32(d, "features.npy", 2, fs, fv);
        }
        gat_dataset dd;
        CHECK_EQ_INT(gat_dataset_load(&dd, d, &err), GAT_OK);
        CHECK(wide ? dd.dense_map_base == NULL : dd.dense_map_base != NULL);
        CHECK(dd.n_features == 2 && !memcmp(dd.dense_features, fv, sizeof fv));
        gat_dataset_normalize_rows(&dd);
        CHECK_NEAR(dd.dense_features[6] + dd.dense_features[7], 1.0, 1e-6);
        gat_dataset_free(&dd);
    }
    d = ds_variant(root, "features_inf");
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    fx[6] = INFINITY;
    ds_write_f32(d, "features.npy", 2, fs, fx);
    expect_fail(d, GAT_ERANGE, "features.npy", NULL);
    d = ds_variant(root, "features_missing");
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    expect_fail(d, GAT_ENOTFOUND, "features", NULL);
    d = ds_variant(root, "labels_missing");
    snprintf(path, sizeof path, "%s/labels.npy", d);
    remove(path);
    expect_fail(d, GAT_ENOTFOUND, "labels.npy", NULL);
    d = ds_variant(root, "edges_truncated");
    snprintf(path, sizeof path, "%s/edge_index.npy", d);
    char *buf;
    size_t len;
    gat_read_file(path, &buf, &len, &err);
    gat_write_file(path, buf, len - 9, &err);
    free(buf);
    expect_fail(d, GAT_EFORMAT, "edge_index.npy", NULL);
    d = ds_variant(root, "class_names_short");
    snprintf(path, sizeof path, "%s/class_names.txt", d);
    gat_write_file(path, "Alpha\n", 6, &err);
    expect_fail(d, GAT_ESHAPE, "class_names.txt", "1 names for 2 classes");
    return check_summary();
}
