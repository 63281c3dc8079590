/* make_corpus.c - writes the generated part of the fuzz seed corpora (tests/fuzz/corpus).
 *
 *   make_corpus <corpus dir> <cora dataset dir>
 *
 * Small real files, written by the library's own writers: slices of Cora (labels, edges,
 * 12 rows of the sparse features), tiny model files (with and without skip projections and
 * bias), and a short run folder (config.json, metrics.csv, TensorBoard events). Run by
 * tests/fuzz/make-corpus.sh, which also copies the reader fixtures of tests/fixtures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/model.h"
#include "gat/modelfile.h"
#include "gat/npy.h"
#include "gat/runlog.h"

#define TRY(x)                                                        \
    do {                                                              \
        if ((x) != GAT_OK) {                                          \
            fprintf(stderr, "make_corpus: %s\n", err.msg);            \
            exit(1);                                                  \
        }                                                             \
    } while (0)

static gat_error err;
static const char *out;

static void path(char *buf, const char *target, const char *name) {
    snprintf(buf, 4096, "%s/%s", out, target);
    TRY(gat_mkdirs(buf, &err));
    snprintf(buf, 4096, "%s/%s/%s", out, target, name);
}

static void write_i64(const char *target, const char *name, int ndim, const int64_t *shape, const int64_t *v) {
    gat_array a;
    char p[4096];
    TRY(gat_array_alloc(&a, GAT_DTYPE_I64, ndim, shape, &err));
    memcpy(a.data, v, a.size * sizeof *v);
    path(p, target, name);
    TRY(gat_npy_write(p, &a, &err));
    gat_array_free(&a);
}

static void tiny_model(const char *target, const char *name, int skip, int bias, int layers) {
    gat_config c = {.n_layers = layers, .n_in = 5, .skip = skip, .bias = bias, .dropout = 0.6f, .slope = 0.2f,
                    .feature_dropout = -1.0f, .attention_dropout = -1.0f};
    for (int l = 0; l < layers; l++) {
        c.heads[l] = l == layers - 1 ? 1 : 2;
        c.features[l] = l == layers - 1 ? 3 : 2;
    }
    gat_model m;
    TRY(gat_model_init(&m, &c, 7, &err));
    gat_model_meta meta = {.epochs = 3, .best_epoch = 2, .val_accuracy = 0.5, .test_accuracy = NAN, .seed = 7};
    snprintf(meta.dataset, sizeof meta.dataset, "tiny");
    snprintf(meta.git_commit, sizeof meta.git_commit, "0123456789ab");
    snprintf(meta.created, sizeof meta.created, "2026-01-01T00:00:00Z");
    char p[4096];
    path(p, target, name);
    TRY(gat_model_save(p, &m, &meta, &err));
    gat_model_free(&m);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: make_corpus <corpus dir> <cora dataset dir>\n");
        return 2;
    }
    out = argv[1];
    gat_dataset ds;
    TRY(gat_dataset_load(&ds, argv[2], &err));
    char p[4096];

    /* npy: Cora slices in the dataset's own dtypes and layouts */
    int64_t s16 = 16, s2x20[2] = {2, 20}, e[40];
    write_i64("npy", "cora_labels_16.npy", 1, &s16, ds.labels);
    write_i64("npy", "cora_train_index_16.npy", 1, &s16, ds.split[GAT_SPLIT_TRAIN]);
    for (int k = 0; k < 20; k++) e[k] = ds.edge_src[k], e[20 + k] = ds.edge_dst[k];
    write_i64("npy", "cora_edge_index_2x20.npy", 2, s2x20, e);

    /* csr / npz: the first 12 rows of Cora's features, stored and compressed */
    gat_csr sub = {.n_rows = 12, .n_cols = ds.features.n_cols, .nnz = ds.features.row_ptr[12]};
    sub.row_ptr = ds.features.row_ptr;
    sub.col_idx = ds.features.col_idx;
    sub.val = ds.features.val;
    path(p, "csr", "cora_features_12_rows.npz");
    TRY(gat_csr_write_npz(p, &sub, &err));
    path(p, "npz", "cora_features_12_rows.npz");
    TRY(gat_csr_write_npz(p, &sub, &err));
    {
        gat_array a[2];
        int64_t sh = 12;
        TRY(gat_array_alloc(&a[0], GAT_DTYPE_I64, 1, &sh, &err));
        memcpy(a[0].data, ds.labels, 12 * sizeof(int64_t));
        TRY(gat_array_alloc(&a[1], GAT_DTYPE_F32, 1, &sh, &err));
        for (int i = 0; i < 12; i++) ((float *)a[1].data)[i] = (float)i / 3.0f;
        const char *names[2] = {"labels", "weights"};
        path(p, "npz", "two_members_deflated.npz");
        TRY(gat_npz_write(p, 2, names, a, 1, &err));
        path(p, "csr", "not_csr_deflated.npz");
        TRY(gat_npz_write(p, 2, names, a, 1, &err));
        gat_array_free(&a[0]);
        gat_array_free(&a[1]);
    }

    /* model / safetensors: tiny GATs */
    tiny_model("model", "tiny_2_layers.safetensors", 0, 1, 2);
    tiny_model("model", "tiny_skip_nobias.safetensors", 1, 0, 2);
    tiny_model("model", "tiny_3_layers_skip.safetensors", 1, 1, 3);
    tiny_model("safetensors", "tiny_2_layers.safetensors", 0, 1, 2);

    /* run / tfevents / json: a three-epoch run folder */
    const char *metrics[] = {"training_loss", "training_acc", "val_loss", "val_acc", "test_acc"};
    gat_param params[] = {
        {.key = "dataset_name", .type = GAT_PARAM_STRING, .s = "cora"},
        {.key = "seed", .type = GAT_PARAM_INT, .i = 1},
        {.key = "lr", .type = GAT_PARAM_FLOAT, .f = 0.005},
        {.key = "num_heads_per_layer", .type = GAT_PARAM_STRING, .s = "8,1"},
        {.key = "add_skip_connection", .type = GAT_PARAM_BOOL, .i = 0},
    };
    char logdir[4096];
    snprintf(logdir, sizeof logdir, "%s/.run.tmp", out);
    gat_runlog_options o = {.logdir = logdir, .tensorboard = 1, .metrics = metrics, .n_metrics = 5,
                            .params = params, .n_params = 5, .flush_secs = -1};
    gat_runlog log = {0};
    TRY(gat_runlog_open(&log, &o, &err));
    for (int ep = 0; ep < 3; ep++) {
        double v[5] = {1.9 - 0.2 * ep, 0.3 + 0.1 * ep, 1.95 - 0.1 * ep, 0.25 + 0.1 * ep, NAN};
        if (ep == 2) v[4] = 0.71;
        TRY(gat_runlog_write_epoch(&log, ep, v, &err));
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", log.dir);
    TRY(gat_runlog_close(&log, &err));

    char *cfg, *csv;
    size_t cfg_len, csv_len;
    snprintf(p, sizeof p, "%s/config.json", dir);
    TRY(gat_read_file(p, &cfg, &cfg_len, &err));
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    TRY(gat_read_file(p, &csv, &csv_len, &err));
    path(p, "json", "config.json");
    TRY(gat_write_file(p, cfg, cfg_len, &err));
    path(p, "metrics_csv", "metrics.csv");
    TRY(gat_write_file(p, csv, csv_len, &err));
    {
        size_t n = cfg_len + csv_len + 64;
        char *both = malloc(n);
        int len = snprintf(both, n, "%s\n=== metrics.csv ===\n%s", cfg, csv);
        path(p, "run", "run_with_config");
        TRY(gat_write_file(p, both, (size_t)len, &err));
        free(both);
        path(p, "run", "run_metrics_only");
        TRY(gat_write_file(p, csv, csv_len, &err));
    }
    free(cfg);
    free(csv);
    printf("%s\n", dir); /* the shell script copies the events file and removes the folder */
    gat_dataset_free(&ds);
    return 0;
}
