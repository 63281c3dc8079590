/* test_dataset_dubious.c - datasets that load but would mislead are refused, each with one
 * line naming the file: overlapping splits, a node listed twice in a split, features.npz
 * and features.npy both present, a blank line inside class_names.txt (a blank line at the
 * end is an editor's extra newline and is ignored: no phantom class); and the messages for
 * row counts that disagree and labels with no class columns name the file that is wrong. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
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

static void expect_fail(const char *dir, const char *needle1, const char *needle2) {
    gat_dataset ds;
    gat_error err = {0};
    int rc = gat_dataset_load(&ds, dir, &err);
    CHECK_MSG(rc != GAT_OK && strstr(err.msg, needle1) && (!needle2 || strstr(err.msg, needle2)),
              "%s: refused (%d) with '%s' and '%s': %s", dir, rc, needle1, needle2 ? needle2 : "", err.msg);
    if (rc == GAT_OK) gat_dataset_free(&ds);
}

static void put_text(const char *dir, const char *file, const char *text) {
    char path[4200];
    gat_error err = {0};
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_write_file(path, text, strlen(text), &err)) abort();
}

int main(void) {
    snprintf(root, sizeof root, "%s", check_tmpdir("test_dataset_dubious"));
    gat_dataset ds;
    gat_error err = {0};
    CHECK_EQ_INT(gat_dataset_load(&ds, variant("valid"), &err), GAT_OK);
    gat_dataset_free(&ds);
    int64_t s2[1] = {2}, s3[1] = {3};

    const char *d = variant("overlap");
    int64_t va[2] = {2, 1};
    write_i64(d, "val_index.npy", 1, s2, va);
    expect_fail(d, "val_index.npy: node 1 is also in train_index.npy", "overlap");
    d = variant("overlap_test");
    int64_t te[2] = {5, 3};
    write_i64(d, "test_index.npy", 1, s2, te);
    expect_fail(d, "test_index.npy: node 3 is also in val_index.npy", NULL);

    d = variant("duplicate");
    int64_t tr[3] = {0, 1, 0};
    write_i64(d, "train_index.npy", 1, s3, tr);
    expect_fail(d, "train_index.npy: entry 2 repeats node 0", NULL);

    d = variant("both_features");
    float xf[6 * 4] = {0};
    int64_t fs[2] = {6, 4};
    write_f32(d, "features.npy", 2, fs, xf);
    expect_fail(d, "both features.npz and features.npy", NULL);

    d = variant("names_trailing_blank");
    put_text(d, "class_names.txt", "Alpha\nBeta\n\n\n");
    CHECK_EQ_INT(gat_dataset_load(&ds, d, &err), GAT_OK);
    CHECK_EQ_INT(ds.n_classes, 2);
    CHECK(ds.class_names && !strcmp(ds.class_names[1], "Beta"));
    gat_dataset_free(&ds);
    d = variant("names_no_newline");
    put_text(d, "class_names.txt", "Alpha\nBeta");
    CHECK_EQ_INT(gat_dataset_load(&ds, d, &err), GAT_OK);
    CHECK_EQ_INT(ds.n_classes, 2);
    gat_dataset_free(&ds);
    d = variant("names_blank_inside");
    put_text(d, "class_names.txt", "Alpha\n\nBeta\n");
    expect_fail(d, "class_names.txt: line 2 is empty", NULL);

    /* features with fewer rows than labels: the labels or the features are named, not edge_index */
    d = variant("fewer_feature_rows");
    float x4[4 * 4] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    int64_t f4[2] = {4, 4};
    char path[4200];
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    write_f32(d, "features.npy", 2, f4, x4);
    expect_fail(d, "labels.npy: 6 rows, but features.npy has 4 rows", NULL);

    d = variant("labels_no_columns");
    int64_t ls[2] = {6, 0};
    write_i64(d, "labels.npy", 2, ls, tr); /* no values */
    expect_fail(d, "labels.npy: shape (6, 0)", "at least one class");
    return check_summary();
}
