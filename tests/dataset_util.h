/* dataset_util.h - helpers shared by the dataset-loading tests: write .npy arrays and a
 * small valid dataset folder (which a test then spoils one file at a time). Every helper
 * aborts the test program when it cannot write its fixture. */
#ifndef GAT_TEST_DATASET_UTIL_H
#define GAT_TEST_DATASET_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/npy.h"

/* dir/file as an int64 .npy array of the given shape. */
__attribute__((unused)) static void ds_write_i64(const char *dir, const char *file, int ndim, const int64_t *shape,
                                                 const int64_t *v) {
    gat_array a;
    gat_error e = {0};
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_array_alloc(&a, GAT_DTYPE_I64, ndim, shape, &e)) abort();
    memcpy(a.data, v, a.size * sizeof(int64_t));
    if (gat_npy_write(path, &a, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    gat_array_free(&a);
}

/* dir/file as a float32 .npy array of the given shape. */
__attribute__((unused)) static void ds_write_f32(const char *dir, const char *file, int ndim, const int64_t *shape,
                                                 const float *v) {
    gat_array a;
    gat_error e = {0};
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_array_alloc(&a, GAT_DTYPE_F32, ndim, shape, &e)) abort();
    memcpy(a.data, v, a.size * sizeof(float));
    if (gat_npy_write(path, &a, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    gat_array_free(&a);
}

/* dir/file holding text. */
__attribute__((unused)) static void ds_put_text(const char *dir, const char *file, const char *text) {
    char path[4200];
    gat_error e = {0};
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (gat_write_file(path, text, strlen(text), &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
}

/* A valid 6-node dataset in dir (created): a ring plus a chord, sparse features (4 columns,
 * features.npz), 2 classes named Alpha and Beta, node 4 unlabelled (-1), splits {0, 1},
 * {2, 3}, {5}. */
__attribute__((unused)) static void ds_make_valid(const char *dir) {
    gat_error e = {0};
    gat_mkdirs(dir, &e);
    gat_csr x = {0};
    int64_t rp[7] = {0, 2, 3, 4, 6, 7, 8};
    int32_t ci[8] = {0, 2, 1, 3, 0, 1, 2, 3};
    float val[8] = {1, 1, 2, 1, 1, 3, 1, 1};
    x.n_rows = 6; x.n_cols = 4; x.nnz = 8; x.row_ptr = rp; x.col_idx = ci; x.val = val;
    char path[4200];
    snprintf(path, sizeof path, "%s/features.npz", dir);
    if (gat_csr_write_npz(path, &x, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    int64_t edges[2 * 7] = {0, 1, 2, 3, 4, 5, 0, /* -> */ 1, 2, 3, 4, 5, 0, 3};
    int64_t es[2] = {2, 7};
    ds_write_i64(dir, "edge_index.npy", 2, es, edges);
    int64_t lab[6] = {0, 1, 0, 1, -1, 1}, ls[1] = {6};
    ds_write_i64(dir, "labels.npy", 1, ls, lab);
    int64_t tr[2] = {0, 1}, va[2] = {2, 3}, te[1] = {5}, s2[1] = {2}, s1[1] = {1};
    ds_write_i64(dir, "train_index.npy", 1, s2, tr);
    ds_write_i64(dir, "val_index.npy", 1, s2, va);
    ds_write_i64(dir, "test_index.npy", 1, s1, te);
    ds_put_text(dir, "class_names.txt", "Alpha\nBeta\n");
}

/* A fresh copy of the valid dataset at root/name; returns its path (a static buffer,
 * overwritten by the next call). */
__attribute__((unused)) static const char *ds_variant(const char *root, const char *name) {
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    ds_make_valid(dir);
    return dir;
}

#endif
