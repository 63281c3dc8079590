/* minibatch.h - training on sampled neighbour mini-batches, for graphs whose full-batch
 * activations do not fit in memory.
 *
 * Sampled training is a case of gat_train (train.h): a session from gat_session_init_sampled
 * and gat_train_options.batch_size seed nodes per step. An epoch shuffles the training nodes
 * (from the seed and the epoch, GAT_STREAM_BATCH_ORDER) and cuts them into batches of
 * batch_size seeds. Each batch is one step: gat_sample draws the seeds' neighbourhoods
 * (sample.h), gat_step_batch_sampled gathers the batch's feature rows into a local input and
 * makes the sampled edges a local gat_graph with self loops, and the model runs forward and
 * backward on it with a gat_plan for the seeds (only what their loss needs), then Adam steps.
 * Dropout masks are keyed by (seed, epoch, batch) (GAT_STREAM_BATCH_STEP). Validation after
 * every epoch, and gat_evaluate_split on the session, are exact: layer-wise inference over the
 * full graph (infer.h). Early stopping (gat_early_stop), keep_best and the callbacks are
 * gat_train's, so logs, TensorBoard, checkpoints and model files are the same as full-batch
 * runs.
 *
 * Memory: the dataset, a forward-only graph (row_ptr, src), one int64 per node for the
 * sampler and the inference buffers O(N * width), plus one batch's local problem, which
 * depends on batch_size, the fanouts and the widths, not on N. */
#ifndef GAT_MINIBATCH_H
#define GAT_MINIBATCH_H

#include <stdint.h>

#include "gat/npy.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rows rows[0..n) of x as a new CSR matrix (same columns), owned by out. O(n + their nonzeros). */
int gat_csr_gather_rows(gat_csr *out, const gat_csr *x, const int64_t *rows, int64_t n, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
