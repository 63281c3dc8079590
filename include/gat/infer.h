/* infer.h - exact inference on graphs of any size, layer by layer, in chunks of target rows.
 *
 * gat_infer computes the logits of a model without dropout, one layer at a time over the
 * whole graph (or only over the nodes the outputs at a given set need, see gat_plan), the
 * way DGL's and PyG's layer-wise inference does it. No buffer grows with the number of
 * edges: the attention of each layer is computed for a chunk of target rows at a time
 * (about 2^18 graph entries), so memory is O(N * width) + O(chunk), where a full forward
 * pass (gat_model_forward) keeps O(nnz * heads) attention weights for backward. It runs on
 * a forward-only graph (gat_graph_forward_from_edges) and needs no column index of the input.
 * The logits are bit-identical to gat_model_forward(train = 0) at every requested node:
 * both run the same kernels on the same rows. Used by gat test, gat predict and the
 * validation of sampled training. */
#ifndef GAT_INFER_H
#define GAT_INFER_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The input of a dataset for inference only: no column index is built (in->csc stays empty). */
void gat_input_forward_init(gat_input *in, const gat_dataset *ds);

/* Logits at nodes[0..n_nodes) (NULL: every node) into logits (N, classes); other rows are left
 * as they were. g: any graph of in->n nodes with row_ptr and src (self loops included).
 * GAT_ENOMEM, GAT_ESHAPE (model and input disagree) or GAT_ERANGE (a node out of range). */
int gat_infer(const gat_model *m, const gat_input *in, const gat_graph *g, const int64_t *nodes, int64_t n_nodes,
              float *logits, gat_error *err);
/* The same with chunks of at most chunk_entries graph entries (a row longer than that is a
 * chunk of its own); gat_infer uses 2^18. */
int gat_infer_chunked(const gat_model *m, const gat_input *in, const gat_graph *g, const int64_t *nodes,
                      int64_t n_nodes, float *logits, int64_t chunk_entries, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
