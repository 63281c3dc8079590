/* api.h - graphs in memory and models behind opaque handles: the calls a program that
 * embeds gat needs (the Python package is one), with a small stable ABI.
 *
 * Two handles:
 *   gat_data  a graph with its node features, labels and splits, built from arrays in memory
 *             (or read from a dataset folder). Free with gat_data_free.
 *   gat_net   a GAT: created from gat_net_options, trained, evaluated, asked for predictions
 *             and attention on any gat_data whose feature width fits (inductive use), saved
 *             and loaded as the same .safetensors files as the command line. Free with
 *             gat_net_free.
 * The structs of dataset.h / model.h / train.h stay available to the kernels and tests; this
 * header exposes only handles and the small structs below, whose size bindings can check
 * with gat_api_sizeof.
 *
 * Arrays. Every array is C-contiguous (row-major) in the dtype written next to it. A setter
 * given GAT_BORROW keeps the caller's pointer without copying: the array must stay alive
 * and unchanged until the handle is freed or the same setter is called again. GAT_COPY
 * copies it (O(size)), so the caller may free it at once. Every setter checks its array
 * completely (ids in range, finite values, 0/1 targets) and rejects bad input with GAT_E*
 * and a message naming the argument; a rejected call leaves the handle as it was.
 *
 * Errors. Every call that can fail returns GAT_OK (0) or a negative GAT_E* code (status.h)
 * and fills err (may be NULL) with one line. No call prints, exits or aborts on bad input;
 * NULL handles or pointers where an array is required are GAT_EINVAL.
 *
 * Threads. The handles are not locked: one handle must not be used by two threads at once;
 * different handles may. Worker threads are set process-wide with gat_api_set_threads;
 * results do not depend on the number of threads.
 *
 * Graph collections. A gat_data is one graph today; a collection (many graphs, one graph id
 * per node) will be a further setter on the same handle, so the calls below do not change. */
#ifndef GAT_API_H
#define GAT_API_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_API_VERSION 1              /* bumped when a struct below or a call's meaning changes */
#define GAT_API_MAX_LAYERS 8

typedef struct gat_data gat_data;
typedef struct gat_net gat_net;

/* Ownership of an array given to a setter. */
enum { GAT_BORROW = 0, GAT_COPY = 1 };

/* Splits (same values as gat_split in dataset.h). */
enum { GAT_API_TRAIN = 0, GAT_API_VAL = 1, GAT_API_TEST = 2 };

/* ---- library ---- */

/* GAT_API_VERSION of the library actually loaded; "0.1.0 (commit abc)" in version when not NULL. */
int gat_api_version(const char **version);
/* sizeof of the struct named "gat_net_options", "gat_fit_options", "gat_fit_result",
 * "gat_epoch_info", "gat_data_info", "gat_net_info"; 0 for any other name. Lets a binding
 * (ctypes, cffi) check that its struct layouts match the library it loaded. */
size_t gat_api_sizeof(const char *type_name);
/* Worker threads for every later call (OpenMP, process-wide); 0 = all cores. Returns the
 * number in effect. Results do not depend on it. */
int gat_api_set_threads(int n);

/* ---- datasets ---- */

/* What a gat_data holds (gat_data_get_info). task: 0 single-label, 1 multi-label, -1 no
 * labels yet. features: 0 none yet, 1 dense, 2 CSR. */
typedef struct gat_data_info {
    char name[64];
    int64_t n_nodes, n_edges, n_features, n_classes;
    int task;
    int features;
    int64_t split_size[3];
    int64_t nnz_features;              /* stored feature values: N*F dense, nnz for CSR */
    int borrowed;                      /* how many of its arrays are the caller's (GAT_BORROW, not copied) */
} gat_data_info;

/* A new, empty graph of n_nodes nodes (n_nodes >= 1) named name ("graph" when NULL; at most
 * 63 bytes; used in model files and picture titles). Then set edges, features and, for
 * training, labels and splits. Cost O(1). */
int gat_data_new(gat_data **out, const char *name, int64_t n_nodes, gat_error *err);
/* Read dataset `name` from a folder (dataset.h layout) under data_dir; when data_dir is
 * NULL, under $GAT_DATA_DIR, then ./data, then ./datasets (as gat_dataset_open). The handle
 * owns everything. Cost: reading the files. */
int gat_data_open(gat_data **out, const char *name, const char *data_dir, gat_error *err);
/* Free the handle and what it owns (never borrowed arrays). NULL is a no-op. */
void gat_data_free(gat_data *d);
int gat_data_get_info(const gat_data *d, gat_data_info *out);

/* Directed edges edge_index[0][k] -> edge_index[1][k]: int64 (2, n_edges), the layout of
 * PyTorch Geometric's edge_index (an undirected graph lists both directions). n_edges may be
 * 0 (edge_index NULL): each node then attends to itself only. Input self loops are dropped
 * (the model adds one per node), unless the model was made with no_self_loops: then the
 * edges are used exactly as given, own self loops included, and a node without incoming
 * edges gets its bias only; duplicate edges are kept either way. Ids outside [0, n_nodes) are
 * GAT_ERANGE naming the edge. Cost O(n_edges) to check (plus the copy for GAT_COPY). */
int gat_data_set_edges(gat_data *d, const int64_t *edge_index, int64_t n_edges, int ownership, gat_error *err);
/* Dense node features: float32 (n_nodes, n_features). NaN or Inf is GAT_ERANGE naming the
 * node and feature. Replaces any features set before. Cost O(N*F). */
int gat_data_set_features(gat_data *d, const float *x, int64_t n_features, int ownership, gat_error *err);
/* Sparse node features in CSR form (as scipy.sparse.csr_matrix): indptr int64 (n_nodes + 1),
 * indices int32 (nnz) in [0, n_features), values float32 (nnz), nnz = indptr[n_nodes].
 * indptr must start at 0 and never decrease; values must be finite. Column indices need not
 * be sorted. Cost O(N + nnz). */
int gat_data_set_features_csr(gat_data *d, const int64_t *indptr, const int32_t *indices, const float *values,
                              int64_t n_features, int ownership, gat_error *err);
/* Single-label classes: int64 (n_nodes), each in [0, n_classes) or -1 for "no label".
 * n_classes 0 means max label + 1. At least one node must carry a label. Cost O(N). */
int gat_data_set_labels(gat_data *d, const int64_t *labels, int64_t n_classes, int ownership, gat_error *err);
/* Multi-label targets: float32 (n_nodes, n_classes), every value 0 or 1. Cost O(N*C). */
int gat_data_set_targets(gat_data *d, const float *targets, int64_t n_classes, int ownership, gat_error *err);
/* The node ids of one split (GAT_API_TRAIN, _VAL or _TEST): int64 (n), each in [0, n_nodes).
 * n = 0 clears the split. Whether the nodes carry labels is checked when a call needs
 * them (training needs train and val, evaluation the split it scores). Cost O(n). */
int gat_data_set_split(gat_data *d, int split, const int64_t *ids, int64_t n, int ownership, gat_error *err);
/* Class names for pictures and summaries: n strings, copied (n must equal n_classes once
 * labels are set). Cost O(total length). */
int gat_data_set_class_names(gat_data *d, const char *const *names, int64_t n, gat_error *err);
/* Scale every feature row to sum 1 (rows summing to 0 stay), as the GAT recipe and the
 * command line do by default. Borrowed features are copied first: the caller's array is
 * never written. Cost O(N*F) dense, O(nnz) CSR. */
int gat_data_normalize_rows(gat_data *d, gat_error *err);

/* ---- models ---- */

/* Architecture. n_in and n_classes are the input width and the number of classes; layer l
 * has heads[l] heads of features[l] features each, the last layer features[n_layers-1] =
 * n_classes. gat_net_options_default fills the paper's Cora architecture. */
typedef struct gat_net_options {
    int n_layers;
    int64_t n_in, n_classes;
    int64_t heads[GAT_API_MAX_LAYERS];
    int64_t features[GAT_API_MAX_LAYERS];
    int skip;                          /* skip connections (0/1) */
    int bias;                          /* bias in every layer (0/1) */
    double dropout;                    /* [0, 1): on inputs, projections and attention */
    double slope;                      /* LeakyReLU negative slope, 0.2 */
    int attention_type;                /* 0 gat, 1 gatv2 (model.h gat_attention_type) */
    int share_weights;                 /* gatv2: one projection for sources and targets (0/1) */
    int no_self_loops;                 /* 1: the graph's edges as given, no self loop added (PyG
                                          add_self_loops=False; gat train --add_self_loops false);
                                          0: one self loop per node, the graph's own dropped */
} gat_net_options;

/* 2 layers, heads 8,1, features 8,n_classes, bias, no skip, dropout 0.6, slope 0.2 (as
 * `gat train`). */
gat_net_options gat_net_options_default(int64_t n_in, int64_t n_classes);

/* What a gat_net is (gat_net_get_info), and what its model file records. */
typedef struct gat_net_info {
    gat_net_options options;
    int64_t n_params;                  /* trainable parameters */
    char dataset[64];                  /* dataset it was trained on ("" when unknown) */
    int64_t epochs, best_epoch;
    double val_score, test_score;      /* NAN when unknown */
    uint64_t seed;
} gat_net_info;

/* A new model for options, initialised from seed (Xavier-uniform, as `gat train --seed`).
 * Bad options are GAT_EINVAL naming the option. Cost O(parameters). */
int gat_net_new(gat_net **out, const gat_net_options *options, uint64_t seed, gat_error *err);
/* Read a model file written by gat_net_save or `gat train` (modelfile.h). */
int gat_net_load(gat_net **out, const char *path, gat_error *err);
/* Write the model file atomically (temp + rename), with the metadata of the last training
 * (dataset, epochs, best epoch, validation score, seed). Cost O(parameters). */
int gat_net_save(const gat_net *net, const char *path, gat_error *err);
/* Free the model and what it keeps for the last graph it ran on. NULL is a no-op. */
void gat_net_free(gat_net *net);
int gat_net_get_info(const gat_net *net, gat_net_info *out);

/* The parameters in model-file layout: tensor i (0 <= i < count) has a pytorch-GAT name
 * ("gat_net.0.linear_proj.weight"), ndim <= 3 and shape. gat_net_tensor copies tensor i
 * into out (float32, out_len >= its size, else GAT_ESHAPE). Returns the tensor count, or a
 * negative status for a bad i. */
int gat_net_tensor_count(const gat_net *net);
int gat_net_tensor_info(const gat_net *net, int i, const char **name, int *ndim, int64_t shape[3]);
int gat_net_tensor(const gat_net *net, int i, float *out, int64_t out_len, gat_error *err);

/* ---- training ---- */

typedef struct gat_fit_options {
    int64_t max_epochs;                /* 10000 */
    int64_t patience;                  /* 1000: stop when neither val score nor loss improved for this many epochs */
    double lr;                         /* 0.005 (Adam) */
    double weight_decay;               /* 0.0005 */
    uint64_t seed;                     /* 1: dropout streams (as `gat train --seed`) */
    int keep_best;                     /* 1: end with the best validation epoch's parameters */
} gat_fit_options;

gat_fit_options gat_fit_options_default(void);

/* One epoch, for the callback. score = accuracy (single-label) or micro-F1 (multi-label). */
typedef struct gat_epoch_info {
    int64_t epoch;                     /* 1-based */
    double train_loss, train_score, val_loss, val_score;
    double seconds;                    /* since training started */
    int improved;                      /* val score or loss improved this epoch */
    int64_t best_epoch;
} gat_epoch_info;

/* Called after every epoch. Return 0 to go on, 1 to stop cleanly (the result says
 * GAT_FIT_STOPPED and, with keep_best, the best epoch's parameters are restored), or a
 * negative status to abort training with that status (the callback may fill err). */
typedef int (*gat_epoch_callback)(const gat_epoch_info *epoch, void *user, gat_error *err);

enum { GAT_FIT_MAX_EPOCHS = 0, GAT_FIT_PATIENCE = 1, GAT_FIT_STOPPED = 2 };

typedef struct gat_fit_result {
    int64_t epochs, best_epoch;
    double best_val_loss, best_val_score;
    double val_loss, val_score;        /* of the final parameters */
    double seconds;
    int stop;                          /* GAT_FIT_* */
} gat_fit_result;

/* Train net on d (full batch: one step on the train split, then a validation pass, per
 * epoch). d needs features of width n_in, labels with n_classes classes, and labelled
 * train and val splits. The bits depend only on the net's initial parameters and
 * options->seed, never on the thread count. res and cb may be NULL. On an error the
 * parameters are those of the last epoch run. Cost per epoch O(nnz(X) K + E H F) with
 * O(N*F + E*H) memory, kept in net between calls for the same d. */
int gat_net_fit(gat_net *net, gat_data *d, const gat_fit_options *options, gat_epoch_callback cb, void *user,
                gat_fit_result *res, gat_error *err);
/* Loss and score on one split of d, without dropout. Cost: one inference pass. */
int gat_net_evaluate(gat_net *net, gat_data *d, int split, double *loss, double *score, gat_error *err);

/* ---- inference (any graph with features of width n_in; labels not needed) ---- */

enum { GAT_OUT_LOGITS = 0, GAT_OUT_SOFTMAX = 1, GAT_OUT_SIGMOID = 2 };

/* The model's outputs for every node of d, float32 (n_nodes, n_classes) into out
 * (out_len >= n_nodes * n_classes, else GAT_ESHAPE): logits, softmax probabilities
 * (single-label models) or sigmoid probabilities (multi-label). Cost: one inference pass. */
int gat_net_predict(gat_net *net, gat_data *d, int output, float *out, int64_t out_len, gat_error *err);
/* The number of edges the model runs on in d (input edges without self loops, plus one
 * self loop per node; the input edges as given for a no_self_loops model) and the heads of
 * layer `layer`. */
int gat_net_attention_size(gat_net *net, gat_data *d, int layer, int64_t *n_entries, int64_t *heads, gat_error *err);
/* The attention coefficients of layer `layer`, without dropout: for entry k, the edge
 * edge_index[0][k] (source j) -> edge_index[1][k] (target i), int64 (2, n_entries); the
 * index of the input edge it came from in edge_id[k] (-1 for an added self loop; edge_id
 * may be NULL); and alpha_ij per head in weights, float32 (n_entries, heads). Entries are
 * grouped by target, self loop first (no_self_loops: the input edges into the target in
 * input order); each target's weights sum to 1 per head (a target without entries has none). Lengths are
 * checked (GAT_ESHAPE). Cost: one inference pass, O(E * sum of heads) memory. */
int gat_net_attention(gat_net *net, gat_data *d, int layer, int64_t *edge_index, int64_t edge_index_len,
                      int64_t *edge_id, float *weights, int64_t weights_len, gat_error *err);

/* ---- pictures ---- */

/* Draw node `node`'s attention in layer `layer` to <stem>.png and/or <stem>.svg (formats:
 * 1 PNG, 2 SVG, 3 both): head >= 0 one head, -1 the mean over heads, -2 every head in one
 * figure. Nodes are coloured by d's labels when set. paths (size bytes, may be NULL)
 * receives the files written, one a line. Cost: one inference pass plus the drawing. */
int gat_net_draw_attention(gat_net *net, gat_data *d, int64_t node, int layer, int head, const char *stem,
                           int formats, char *paths, size_t size, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
