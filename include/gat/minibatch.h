/* minibatch.h - training on sampled neighbour mini-batches, for graphs whose full-batch
 * activations do not fit in memory.
 *
 * An epoch shuffles the training nodes (from the seed and the epoch) and cuts them into
 * batches of batch_size seed nodes. Each batch is one step: gat_sample draws the seeds'
 * neighbourhoods (sample.h), the batch's feature rows are gathered into a local input, the
 * sampled edges become a local gat_graph with self loops, and the model runs forward and
 * backward on it with a gat_plan for the seeds (only what their loss needs), then Adam
 * steps. Dropout masks are keyed by (seed, epoch, batch). Validation after every epoch, and
 * gat_evaluate_exact, are exact: layer-wise inference over the full graph (infer.h).
 * Early stopping, keep_best and the per-epoch callback are those of gat_train, so logs,
 * TensorBoard, checkpoints and model files are the same as full-batch runs.
 *
 * Memory: the dataset, a forward-only graph (row_ptr, src), one int64 per node for the
 * sampler and the inference buffers O(N * width), plus one batch's local problem, which
 * depends on batch_size, the fanouts and the widths, not on N. */
#ifndef GAT_MINIBATCH_H
#define GAT_MINIBATCH_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/model.h"
#include "gat/sample.h"
#include "gat/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_minibatch_options {
    int64_t batch_size;                /* seed nodes per step */
    int64_t fanouts[GAT_MAX_LAYERS];   /* per hop from the seeds (one per layer); -1 = all in-neighbours */
} gat_minibatch_options;

typedef struct gat_sampled_session {
    const gat_dataset *ds;
    gat_graph g;                       /* forward-only graph (row_ptr, src) of the whole dataset */
    gat_input in;                      /* the whole input, for inference */
    float *logits;                     /* (N, C) inference output */
} gat_sampled_session;

int gat_sampled_session_init(gat_sampled_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err);
void gat_sampled_session_free(gat_sampled_session *s);

/* Check options against the model (one fanout per layer, batch_size >= 1); messages name
 * --batch_size / --fanouts. */
int gat_minibatch_options_check(const gat_minibatch_options *mb, const gat_model *m, gat_error *err);

/* Train m in place on sampled mini-batches; the report's train metrics are the means over
 * the epoch's batches (weighted by seeds). */
int gat_train_sampled(gat_model *m, gat_sampled_session *s, const gat_train_options *opt,
                      const gat_minibatch_options *mb, gat_epoch_fn cb, void *user, gat_train_result *res,
                      gat_error *err);
/* Exact metrics of a split by layer-wise inference over the whole graph (no dropout). */
int gat_evaluate_exact(gat_model *m, gat_sampled_session *s, gat_split split, gat_metrics *out, gat_error *err);

/* Rows rows[0..n) of x as a new CSR matrix (same columns), owned by out. O(n + their nonzeros). */
int gat_csr_gather_rows(gat_csr *out, const gat_csr *x, const int64_t *rows, int64_t n, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
