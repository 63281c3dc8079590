/* layer.h - one GAT layer's forward and backward pass as a few fused loops (private).
 *
 * Forward: one loop over the rows to project (dropout on the input, projection, dropout on
 * the projection, attention scores), one over the targets (softmax, attention dropout,
 * aggregation, skip, head mean, bias, ELU). Backward: one loop over the rows for the output
 * gradient (ELU, bias, head mean, identity skip), one over the targets and one over the
 * sources for the attention (the second also does the scores' and the projection dropout's
 * backward), and one or two for the weight gradient. Each loop is one job for the worker
 * pool: a layer pass is 2 forward and 4-5 backward jobs instead of a dozen small loops.
 * Results are the same on any number of threads (fixed blocks for every sum). */
#ifndef GAT_LAYER_H
#define GAT_LAYER_H

#include "gat/model.h"

/* Streams of the three dropout sites of a layer. */
typedef struct gat_layer_keys {
    uint64_t input, proj, att;
    uint64_t proj_dst;                 /* gatv2: the target projection t */
} gat_layer_keys;

/* Forward of layer l: prev is the dense input (the previous layer's y, or the dataset's dense
 * features; unused for a sparse first layer). pf is the dropout probability of the input and the
 * projection, pa that of the attention coefficients (both 0 for inference). */
void gat_layer_forward(const gat_model *m, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                       const float *prev, float pf, float pa, gat_layer_keys keys, const gat_plan *plan);
/* Backward of layer l after a training forward: dy (N, out width) is d loss / d y and is
 * overwritten; for l > 0, dx (N, K) is set to d loss / d input. Adds into m->grads. */
void gat_layer_backward(gat_model *m, gat_acts *a, int l, const gat_input *in, const gat_graph *g, float *dy, float *dx,
                        float pf, float pa, const gat_plan *plan);
/* Rows per block of the backward pass's partial sums for n nodes (at most 1024 blocks). */
int64_t gat_reduce_block(int64_t n);

#endif
