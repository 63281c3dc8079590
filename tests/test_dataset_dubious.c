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

#include "dataset_util.h"

static char root[4096];

static void expect_fail(const char *dir, const char *needle1, const char *needle2) {
    gat_dataset ds;
    gat_error err = {0};
    int rc = gat_dataset_load(&ds, dir, &err);
    CHECK_MSG(rc != GAT_OK && strstr(err.msg, needle1) && (!needle2 || strstr(err.msg, needle2)),
              "%s: refused (%d) with '%s' and '%s': %s", dir, rc, needle1, needle2 ? needle2 : "", err.msg);
    if (rc == GAT_OK) gat_dataset_free(&ds);
}

int main(void) {
    snprintf(root, sizeof root, "%s", check_tmpdir("test_dataset_dubious"));
    gat_dataset ds;
    gat_error err = {0};
    CHECK_EQ_INT(gat_dataset_load(&ds, ds_variant(root, "valid"), &err), GAT_OK);
    gat_dataset_free(&ds);
    int64_t s2[1] = {2}, s3[1] = {3};

    const char *d = ds_variant(root, "overlap");
    int64_t va[2] = {2, 1};
    ds_write_i64(d, "val_index.npy", 1, s2, va);
    expect_fail(d, "val_index.npy: node 1 is also in train_index.npy", "overlap");
    d = ds_variant(root, "overlap_test");
    int64_t te[2] = {5, 3};
    ds_write_i64(d, "test_index.npy", 1, s2, te);
    expect_fail(d, "test_index.npy: node 3 is also in val_index.npy", NULL);

    d = ds_variant(root, "duplicate");
    int64_t tr[3] = {0, 1, 0};
    ds_write_i64(d, "train_index.npy", 1, s3, tr);
    expect_fail(d, "train_index.npy: entry 2 repeats node 0", NULL);

    d = ds_variant(root, "both_features");
    float xf[6 * 4] = {0};
    int64_t fs[2] = {6, 4};
    ds_write_f32(d, "features.npy", 2, fs, xf);
    expect_fail(d, "both features.npz and features.npy", NULL);

    d = ds_variant(root, "names_trailing_blank");
    ds_put_text(d, "class_names.txt", "Alpha\nBeta\n\n\n");
    CHECK_EQ_INT(gat_dataset_load(&ds, d, &err), GAT_OK);
    CHECK_EQ_INT(ds.n_classes, 2);
    CHECK(ds.class_names && !strcmp(ds.class_names[1], "Beta"));
    gat_dataset_free(&ds);
    d = ds_variant(root, "names_no_newline");
    ds_put_text(d, "class_names.txt", "Alpha\nBeta");
    CHECK_EQ_INT(gat_dataset_load(&ds, d, &err), GAT_OK);
    CHECK_EQ_INT(ds.n_classes, 2);
    gat_dataset_free(&ds);
    d = ds_variant(root, "names_blank_inside");
    ds_put_text(d, "class_names.txt", "Alpha\n\nBeta\n");
    expect_fail(d, "class_names.txt: line 2 is empty", NULL);

    /* features with fewer rows than labels: the labels or the features are named, not edge_index */
    d = ds_variant(root, "fewer_feature_rows");
    float x4[4 * 4] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    int64_t f4[2] = {4, 4};
    char path[4200];
    snprintf(path, sizeof path, "%s/features.npz", d);
    remove(path);
    ds_write_f32(d, "features.npy", 2, f4, x4);
    expect_fail(d, "labels.npy: 6 rows, but features.npy has 4 rows", NULL);

    d = ds_variant(root, "labels_no_columns");
    int64_t ls[2] = {6, 0};
    ds_write_i64(d, "labels.npy", 2, ls, tr); /* no values */
    expect_fail(d, "labels.npy: shape (6, 0)", "at least one class");
    return check_summary();
}
