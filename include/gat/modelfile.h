/* modelfile.h - saving and loading models as .safetensors.
 *
 * A model file holds the tensors of model.h under pytorch-GAT's state_dict names and shapes
 * (float32, linear weights as (out, in)), so it loads as it is into that project's PyTorch
 * model (see reference/load_in_pytorch.py), and a __metadata__ map of strings:
 *   format "gat-model", format_version "2", dataset, epochs, best_epoch, val_accuracy,
 *   test_accuracy ("" when not tested), layers, heads ("8,1"), features ("8,7"),
 *   num_features_per_layer ("1433,8,7", pytorch-GAT's form), num_heads_per_layer ("8,1"),
 *   n_in, classes, skip, bias, dropout, projection_dropout ("false" when the projections were not
 *   dropped, else absent), leaky_relu_slope, attention ("gat" or "gatv2"),
 *   share_weights ("true"/"false", gatv2 only), add_self_loops ("true": one self loop
 *   per node, the graph's own dropped; "false": the graph's edges as given, cfg.no_self_loops;
 *   gat before this setting refuses "false"), normalize_features ("true"/"false", when known), task ("single-label" /
 *   "multi-label", when known), run (the run folder, when known), seed, git_commit, created
 *   (UTC, ISO 8601).
 * Everything that changes what the model computes is there, so a model file is evaluated as
 * it was trained. Version 1 files lack leaky_relu_slope (0.2), attention, add_self_loops,
 * normalize_features and task.
 * A file without the attention key is gat (as older versions wrote); a GATv2 file is known by
 * its tensors (scoring_fn, linear_proj_target) too, and a key that contradicts them is refused.
 * Loading infers the architecture from the tensors themselves (so files written by other
 * tools, with no metadata, load too), then validates every metadata key it knows (a value
 * that does not parse, a format other than gat-model, a format_version newer than
 * GAT_MODEL_FORMAT_VERSION, an attention this build does not compute)
 * and cross-checks layers, n_in, classes, skip, bias and the per-layer lists against the
 * tensors: each is refused with a message naming the file and the key. Keys it does not know
 * are ignored. Files with missing, extra, misshapen or non-finite tensors are refused with a
 * message naming the tensor. */
#ifndef GAT_MODELFILE_H
#define GAT_MODELFILE_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_MODEL_FORMAT_VERSION 2

/* How the features were prepared for the model (0 = not recorded, as in version 1 files). */
typedef enum { GAT_NORMALIZE_UNKNOWN = 0, GAT_NORMALIZE_ROWS = 1, GAT_NORMALIZE_NONE = 2 } gat_normalize;

typedef struct gat_model_meta {
    char dataset[64];                  /* "" when unknown */
    int64_t epochs, best_epoch;
    double val_accuracy, test_accuracy; /* NAN when unknown */
    uint64_t seed;
    gat_normalize normalize;           /* feature rows scaled to sum 1 before the first layer */
    int task;                          /* gat_task + 1; 0 = not recorded */
    int format_version;                /* read: the file's version (1 when it names none); ignored when saving */
    char run[256];                     /* the training run's folder, "" when unknown */
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
