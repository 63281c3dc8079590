/* train.h - training and evaluating a GAT on a dataset, one batch at a time.
 *
 * An epoch is a sequence of steps. Each step is one forward/backward pass on a *batch*, a
 * local sub-problem (gat_step_batch): the input rows of some nodes, a local graph over them with
 * self loops, the nodes the loss is taken at and their targets, and the map from local to
 * global node ids. The step zeroes the gradients, accumulates d loss / d parameters of its
 * batch into m->grads, then applies one Adam update; the epoch ends with a validation pass
 * over the batches of the validation split (no dropout).
 *   - A single graph (Cora, transductive): one step per epoch on the whole graph, the loss
 *     at the training nodes (gat_step_batch_whole); validation is the same graph with the loss
 *     at the validation nodes. With plans (gat_plan) each pass computes only what its loss
 *     nodes need.
 *   - A collection of graphs (PPI, inductive): each step takes batch_size whole training
 *     graphs, in an order shuffled every epoch from the seed, joined into one block-diagonal
 *     graph (gat_step_batch_graphs); validation and test run over every graph of their split,
 *     one batch per graph, and their metrics count every node of the split.
 *   - Sampled neighbourhoods (one big graph, gat_session_init_sampled): each step takes
 *     batch_size training nodes, in an order shuffled every epoch from the seed, and the
 *     neighbourhoods gat_sample draws for them (sample.h) as one local graph, the loss at the
 *     seeds (gat_step_batch_sampled); validation and test are exact, layer-wise inference over
 *     the whole graph (infer.h). Memory: the dataset, a forward-only graph, the inference
 *     buffers O(N * width) and one batch's buffers, which depend on batch_size, the fanouts
 *     and the widths, not on N (they are released before each validation).
 * Loss and score: softmax cross-entropy and accuracy for single-label data; binary
 * cross-entropy with logits on every (node, label) pair and micro-F1 at logit 0 for
 * multi-label data. The loss of a step is the mean over its batch's loss terms.
 * Early stopping as the PyTorch project pytorch-GAT does it: training stops once neither
 * the validation score nor the validation loss has improved for `patience` epochs. The
 * library reports each epoch (and each step) through callbacks and never prints. */
#ifndef GAT_TRAIN_H
#define GAT_TRAIN_H

#include <stdint.h>

#include "gat/comm.h"
#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/model.h"
#include "gat/sample.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- batches ---- */

/* One step's sub-problem. Local node i is global node node_ids[i] (node_ids NULL: the batch
 * is the whole dataset and local ids are global ones). in holds the local nodes' input rows
 * (in->n == n), g the local graph with one self loop per node (g->n == n), loss the local
 * ids of the n_loss nodes the loss and the metrics are taken at, labels (single-label,
 * (n)) or targets (multi-label, (n, C)) their targets in local rows. A batch either borrows
 * these arrays (gat_step_batch_whole) or owns them (gat_step_batch_graphs); gat_step_batch_free releases
 * what it owns. */
typedef struct gat_step_batch {
    int64_t n;                         /* local nodes */
    const int64_t *node_ids;           /* (n) local -> global node id, or NULL (identity) */
    const gat_input *in;               /* (n, K) */
    const gat_graph *g;                /* local graph, self loops included (unless the model has none) */
    int64_t n_loss;
    const int64_t *loss;               /* (n_loss) local ids, increasing */
    const int64_t *labels;             /* (n) single-label targets, -1 = none; or NULL */
    const float *targets;              /* (n, C) multi-label 0/1 targets; or NULL */
    int64_t n_graphs;                  /* whole graphs of a collection it holds (0: a single-graph batch) */
    const gat_plan *plan;              /* what the loss nodes need (gat_step_batch_plan), or NULL: every node */
    /* owned storage (zero when borrowed) */
    gat_plan plan_own;
    gat_input in_own;
    gat_graph g_own;
    gat_csr x_own;
    float *dense_own, *targets_own;
    int64_t *ids_own, *loss_own, *labels_own;
} gat_step_batch;

/* The whole dataset as one batch, the loss at the nodes of split: borrows in, g and the
 * dataset's arrays, which must outlive it. */
int gat_step_batch_whole(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const gat_graph *g, gat_split split,
                    gat_error *err);
/* The union of whole graphs of a collection (graph ids graphs[0..n_graphs)), as one
 * block-diagonal graph: the nodes of graphs[0] first (in increasing global id), then those
 * of graphs[1], and so on; the loss at every labelled node. Gathers the input rows (from
 * in, the dataset's input), the edges and the targets into storage the batch owns.
 * Cost O(nodes * K + edges) of the batch. */
int gat_step_batch_graphs(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const int64_t *graphs, int64_t n_graphs,
                     gat_error *err);
/* The same with the gat_graph_build flags of the model (gat_config_graph_flags; only
 * GAT_GRAPH_NO_SELF_LOOPS counts): gat_step_batch_graphs adds self loops. */
int gat_step_batch_graphs_flags(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const int64_t *graphs,
                                int64_t n_graphs, int graph_flags, gat_error *err);
/* The neighbourhood of seeds[0..n_seeds) that smp draws for training step (epoch, batch)
 * (gat_sample): local nodes in the sampler's numbering, the seeds first; the input rows
 * gathered from in (the dataset's input; dropout masks keyed by global node id); the sampled
 * edges as a local graph with self loops; the loss at the seeds. Owns its storage. The input's
 * column index is not built (a plan carries its own; gat_csc_index_build it for full passes). */
int gat_step_batch_sampled(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, gat_sampler *smp,
                           const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t batch, gat_error *err);
/* Restrict the batch's passes to what its loss nodes need (gat_plan; bit-identical
 * results). Does nothing when the loss is taken at every node. */
int gat_step_batch_plan(gat_step_batch *b, const gat_model *m, gat_error *err);
void gat_step_batch_free(gat_step_batch *b);

/* Loss and score of a split: accuracy for single-label data, micro-F1 for multi-label. */
typedef struct gat_metrics {
    double loss;
    double score;
} gat_metrics;

/* Counts a split's metrics are made of, summed over its batches (in a fixed order). */
typedef struct gat_tally {
    int64_t batches;
    double loss_sum;                   /* sum over batches of (mean loss x loss terms) */
    double last_loss;                  /* the mean loss of the last batch (exact for one batch) */
    int64_t terms;                     /* loss terms: nodes, or (node, label) pairs */
    int64_t nodes, correct;            /* single-label: nodes scored, argmax hits */
    int64_t tp, fp, fn;                /* multi-label: at logit 0 */
} gat_tally;
/* Metrics of a tally: the loss is the mean over every term; the score accuracy or micro-F1
 * (2 tp / (2 tp + fp + fn), 0 when nothing is positive, as scikit-learn's f1_score
 * average="micro" with zero_division=0). */
gat_metrics gat_tally_metrics(const gat_tally *t, gat_task task);

/* Forward pass on a batch (train = 1: dropout from key). Returns the local logits (n, C),
 * owned by a; with a plan only the loss nodes' rows are computed. */
const float *gat_step_batch_forward(gat_model *m, gat_acts *a, const gat_step_batch *b, int train, uint64_t key);
/* Loss at the batch's loss nodes, added into t (t may be NULL); when dlogits is not NULL,
 * its loss rows are SET to d (mean loss of the batch) / d logits, other rows untouched. */
void gat_step_batch_loss(const gat_step_batch *b, gat_task task, int64_t classes, const float *logits, float *dlogits, gat_tally *t);
/* Backward pass after a training forward on the same batch: ADDS into m->grads. dlogits
 * (n, C) must be zero outside the loss rows. */
void gat_step_batch_backward(gat_model *m, gat_acts *a, const gat_step_batch *b, const float *dlogits);

/* ---- training ---- */

typedef struct gat_step_report {
    int64_t epoch;                     /* 1-based */
    int64_t step;                      /* 1-based within the epoch */
    int64_t steps;                     /* steps per epoch */
    int64_t global_step;               /* 1-based over the run (Adam's t) */
    const gat_step_batch *batch;
    gat_metrics train;                 /* of this step's batch, before the update */
    double elapsed;                    /* seconds since training started */
} gat_step_report;
/* Called after every step; return non-zero to stop training with that status. */
typedef int (*gat_step_fn)(const gat_step_report *r, const gat_model *m, void *user, gat_error *err);

/* Shards of a single graph's step when a communicator is given without a count. Every shard
 * costs about one pass today (parts of a pass are over all nodes), so few: 4 splits evenly
 * over 1, 2 or 4 ranks. */
#define GAT_DEFAULT_SHARDS 4

typedef struct gat_train_options {
    int64_t max_epochs;                /* 10000 */
    int64_t patience;                  /* 1000 */
    double lr;                         /* 5e-3 */
    double weight_decay;               /* 5e-4, added to the gradient as in torch.optim.Adam */
    double beta1, beta2, eps;          /* 0.9, 0.999, 1e-8 */
    uint64_t seed;                     /* 1, as gat train: dropout streams and the order of the batches (the
                                          model carries its own init) */
    int keep_best;                     /* 1 (default): end with the parameters of the epoch of best validation
                                          score (lowest loss on ties), as the GAT paper evaluates; 0: the
                                          last epoch's, as pytorch-GAT does */
    int use_plans;                     /* 1 (default): compute only what the loss and validation need
                                          (gat_plan; same bits, less work); 0: full passes */
    int64_t batch_size;                /* collections: training graphs per step (default 2, as pytorch-GAT);
                                          sampled sessions: seed nodes per step; ignored for a single graph */
    int64_t shards;                    /* 0 (default): one pass per step. S > 0: each step's gradient is the
                                          sum, in a fixed order, of S shards of its loss nodes (a collection:
                                          one shard per graph of the step; a sampled session: S contiguous
                                          parts of the step's seeds, each part's neighbourhood sampled on its
                                          own), and validation likewise, so that results are the same for
                                          any number of ranks of comm */
    gat_comm *comm;                    /* NULL: one process; else the ranks share each step's shards (a
                                          communicator always shards: 4 shards when shards is 0) */
    gat_step_fn on_step;               /* optional, called after every step */
    void *step_user;
} gat_train_options;

gat_train_options gat_train_options_default(void);
int gat_train_options_check(const gat_train_options *o, gat_error *err);

typedef struct gat_epoch_report {
    int64_t epoch;                     /* 1-based */
    int64_t steps;                     /* steps this epoch */
    gat_metrics train, val;            /* train: over the epoch's steps (each before its update) */
    double elapsed;                    /* seconds since training started */
    int improved;                      /* val score or loss improved this epoch */
} gat_epoch_report;

/* Called after every epoch; return non-zero to stop training with that status (the callback
 * fills err). */
typedef int (*gat_epoch_fn)(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err);

typedef enum { GAT_STOP_MAX_EPOCHS, GAT_STOP_PATIENCE } gat_stop_reason;

typedef struct gat_train_result {
    int64_t epochs;                    /* epochs run */
    int64_t steps;                     /* steps run */
    int64_t best_epoch;                /* epoch of the best validation score (ties: lowest loss) */
    gat_metrics best_val;
    gat_stop_reason reason;
    double seconds;
} gat_train_result;

/* Early stopping and the best epoch, as gat_train decides them (usable by loops of one's own).
 * After each epoch's validation, gat_early_stop_update records the metrics and returns flags:
 *   GAT_ES_IMPROVED  validation score above every earlier score, or loss below every earlier
 *                    loss (either resets the patience count);
 *   GAT_ES_BEST      this epoch is the new best: the highest validation score so far, the
 *                    lowest loss among epochs of that score (keep its parameters);
 *   GAT_ES_STOP      `patience` epochs in a row without improvement: stop after this one. */
typedef struct gat_early_stop {
    int64_t patience;
    double best_score, best_loss;      /* best of each so far, on its own */
    int64_t since_improved;            /* epochs since the last improvement */
    int64_t best_epoch;                /* 0 before the first update */
    gat_metrics best_val;              /* metrics of best_epoch */
} gat_early_stop;
enum { GAT_ES_IMPROVED = 1, GAT_ES_BEST = 2, GAT_ES_STOP = 4 };
void gat_early_stop_init(gat_early_stop *s, int64_t patience);
int gat_early_stop_update(gat_early_stop *s, int64_t epoch, gat_metrics val);

/* How a single-graph session numbers the nodes of its split batches (what it trains and
 * evaluates on). LOCALITY renumbers them in gat_graph_locality_order: the rows each thread
 * computes then gather mostly rows of their own, and two threads run an epoch about 10 % faster,
 * at the cost of a renumbered copy of the graph and the input (about 20 % more peak memory
 * on a graph of 10^5 nodes). INPUT keeps the dataset's numbering and no copy. Inside only:
 * dropout masks stay keyed by the dataset's node ids and evaluation returns logits in its
 * order; the two give the same evaluation bits for the same parameters, and training runs that
 * differ in the attention dropout masks (keyed by graph entry) and in the order of sums. */
typedef enum gat_node_order { GAT_NODE_ORDER_LOCALITY = 0, GAT_NODE_ORDER_INPUT = 1 } gat_node_order;
const char *gat_node_order_name(gat_node_order o);
/* "locality" or "input"; -1 for anything else. */
int gat_node_order_parse(const char *s);

/* Everything a training or evaluation run needs besides the model; reused across runs.
 * For a single graph: the graph and input of the whole dataset in its own order (g, in),
 * and one batch per split, which by default share a renumbered copy of them
 * (gat_node_order). For a collection: the dataset's input, one evaluation batch per graph of
 * each split (g is empty). The activations are sized for the largest batch a run needs. */
typedef struct gat_session {
    const gat_dataset *ds;
    gat_input in;                      /* every node's input */
    gat_graph g;                       /* the whole graph (single-graph datasets) */
    gat_acts acts;
    int64_t cap_n, cap_nnz, cap_xnnz;  /* what acts and dlogits are sized for */
    float *dlogits;                    /* (cap_n, C) */
    float *logits;                     /* collections: (N, C) logits gat_evaluate scatters into */
    gat_step_batch *eval[3];                /* evaluation batches of each split */
    int64_t n_eval[3];
    /* sampled sessions: g is forward-only (row_ptr, src), in has no column index, logits
     * (N, C) receive the exact inference of the evaluated nodes, no evaluation batches */
    int sampled;
    int64_t fanouts[GAT_MAX_LAYERS];   /* per hop from the seeds; -1 = all in-neighbours */
    int graph_flags;                   /* gat_graph_build flags of the model's graphs (gat_config_graph_flags) */
} gat_session;

/* Build the graph (with self loops unless m->cfg.no_self_loops), the input, the evaluation batches and the activations
 * for m on ds. ds must outlive the session. */
int gat_session_init(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err);
/* The same with the split batches' node order chosen (gat_session_init: LOCALITY). */
int gat_session_init_order(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_node_order order,
                           gat_error *err);
/* A session for sampled neighbourhood training on a single graph (see the top of this file):
 * fanouts[0..layers) positive or -1 (GAT_EINVAL naming --fanouts otherwise). The activations
 * are sized by the first training step. */
int gat_session_init_sampled(gat_session *s, const gat_dataset *ds, const gat_model *m, const int64_t *fanouts,
                             gat_error *err);
/* Grow the activations to hold a batch of n nodes, nnz graph entries and x_nnz sparse input
 * entries (no-op when they already do). */
int gat_session_reserve(gat_session *s, const gat_model *m, int64_t n, int64_t nnz, int64_t x_nnz, gat_error *err);
void gat_session_free(gat_session *s);

/* One Adam step (t = 1, 2, ...) on m's trainable parameters from m->grads, with the moments
 * m1, m2 (n_trainable floats each, zeroed before the first step). */
void gat_adam_step(gat_model *m, float *m1, float *m2, int64_t t, const gat_train_options *o);

/* Train m in place. */
int gat_train(gat_model *m, gat_session *s, const gat_train_options *opt, gat_epoch_fn cb, void *user,
              gat_train_result *res, gat_error *err);
/* Evaluate without dropout on one split (every batch of it). Returns the logits of the
 * dataset's nodes (N, C), owned by the session: for a single graph every row, for a
 * collection the rows of the split's nodes (others keep earlier values). */
const float *gat_evaluate(gat_model *m, gat_session *s, gat_split split, gat_metrics *out);
/* The same with a status: a sampled session's exact inference allocates (GAT_ENOMEM) and
 * fills the session's logits at the split's nodes; other sessions cannot fail. */
int gat_evaluate_split(gat_model *m, gat_session *s, gat_split split, gat_metrics *out, gat_error *err);
/* The same on every rank of comm (NULL: one process), each rank doing a part of the work: a
 * sampled session's ranks infer contiguous parts of the split's nodes and gather their logits,
 * so every rank holds the split's logits and metrics with the bits of one process (other
 * sessions evaluate the whole split on every rank). Collective; a rank's failure is every
 * rank's, its message naming the rank. */
int gat_evaluate_split_comm(gat_model *m, gat_session *s, gat_split split, gat_comm *comm, gat_metrics *out,
                            gat_error *err);
/* Logits (N, C) of every node of the dataset, without dropout (every graph of a
 * collection, one at a time, whatever its split), into *logits, owned by the session. */
int gat_predict_all(gat_model *m, gat_session *s, const float **logits, gat_error *err);
/* Metrics of given global logits (N, C) on a split (no forward pass); when dlogits is not
 * NULL its split rows are set to the gradient of the mean loss. */
gat_metrics gat_split_metrics(const gat_session *s, const float *logits, gat_split split, float *dlogits);

#ifdef __cplusplus
}
#endif
#endif
