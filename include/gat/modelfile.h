/* modelfile.h - saving and loading models as .safetensors.
 *
 * A model file holds the tensors of model.h under pytorch-GAT's state_dict names and shapes
 * (float32, linear weights as (out, in)), so it loads as it is into that project's PyTorch
 * model (see reference/load_in_pytorch.py), and a __metadata__ map of strings:
 *   format "gat-model", format_version "1", dataset, epochs, best_epoch, val_accuracy,
 *   test_accuracy ("" when not tested), layers, heads ("8,1"), features ("8,7"),
 *   num_features_per_layer ("1433,8,7", pytorch-GAT's form), num_heads_per_layer ("8,1"),
 *   n_in, classes, skip, bias, dropout, seed, git_commit, created (UTC, ISO 8601).
 * Loading infers the architecture from the tensors themselves (so files written by other
 * tools load too), checks it against the metadata when present, and rejects files with
 * missing, extra, misshapen or non-finite tensors with a message naming the tensor. */
#ifndef GAT_MODELFILE_H
#define GAT_MODELFILE_H

#include <stdint.h>

#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_model_meta {
    char dataset[64];                  /* "" when unknown */
    int64_t epochs, best_epoch;
    double val_accuracy, test_accuracy; /* NAN when unknown */
    uint64_t seed;
    char git_commit[48];
    char created[32];
} gat_model_meta;

/* Write m and meta to path atomically (temp file + rename). */
int gat_model_save(const char *path, const gat_model *m, const gat_model_meta *meta, gat_error *err);
/* Read a model file into a freshly allocated m (free with gat_model_free); meta may be NULL. */
int gat_model_load(const char *path, gat_model *m, gat_model_meta *meta, gat_error *err);
/* The same for a model file held in memory (buf[0..len), only read); name is used in messages. */
int gat_model_parse(const void *buf, size_t len, const char *name, gat_model *m, gat_model_meta *meta,
                    gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
