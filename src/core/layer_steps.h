/* layer_steps.h - one GAT layer as a plain sequence of the ops of ops.h, with the attention
 * step done by the edge-list (attention_edges.c) or the dense (attention_dense.c)
 * implementation (private). Teaching code: each step of the layer is one call, in the order
 * the paper writes them; the fused passes of layer.c compute the same values faster.
 *
 * The dropout masks are those of the fused layer (same streams, same indices, model.h), so
 * a training step gives the same loss and gradients whichever implementation runs it, up to
 * float rounding. */
#ifndef GAT_LAYER_STEPS_H
#define GAT_LAYER_STEPS_H

#include "gat/model.h"
#include "layer.h"

/* Forward of layer l over all nodes (see gat_layer_forward). */
void gat_layer_steps_forward(const gat_model *m, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                             const float *prev, float pf, float pa, gat_layer_keys keys);
/* Backward of layer l after a training forward (see gat_layer_backward); plan (or NULL) only
 * chooses the sparse input's column index, as the forward pass computed every node. */
void gat_layer_steps_backward(gat_model *m, gat_acts *a, int l, const gat_input *in, const gat_graph *g, float *dy,
                              float *dx, float pf, float pa, const gat_plan *plan);

/* ---- the attention step: LeakyReLU, masked softmax, attention dropout, aggregation ----
 * For every graph entry k (source j = g->src[k] -> target i = g->dst[k], self loops included):
 *   e[k,h] = LeakyReLU_slope(s_src[j,h] + s_dst[i,h])
 *   att[k,h] = exp(e[k,h]) / sum of exp(e[k',h]) over the entries k' into i      (softmax)
 *   out[i,h,:] = sum over the entries k into i of dropout(att)[k,h] z[j,h,:]
 * att keeps the softmax before dropout; the dropout keep-bit of (k, h) is stream key's
 * element k*H + h, written to att_mask (p > 0). work is the implementation's buffer:
 * edges (2, N, H) floats, dense (4, N, N). The backward functions ADD into dz, ds_src and
 * ds_dst; scratch holds (nnz, H) floats. */
void gat_attention_edges_forward(float *out /* (N, H, F) */, float *att /* (nnz, H) */, uint8_t *att_mask,
                                 const gat_graph *g, const float *s_src /* (N, H) */, const float *s_dst /* (N, H) */,
                                 const float *z /* (N, H, F) */, int64_t h, int64_t f, float slope, float p,
                                 uint64_t key, float *work);
void gat_attention_edges_backward(float *dz /* (N, H, F) */, float *ds_src /* (N, H) */, float *ds_dst /* (N, H) */,
                                  float *scratch /* (nnz, H) */, const float *dout /* (N, H, F) */, const gat_graph *g,
                                  const float *att, const uint8_t *att_mask, const float *s_src, const float *s_dst,
                                  const float *z, int64_t h, int64_t f, float slope, float p, float *work);
void gat_attention_dense_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src,
                                 const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                 uint64_t key, float *work);
void gat_attention_dense_backward(float *dz, float *ds_src, float *ds_dst, float *scratch, const float *dout,
                                  const gat_graph *g, const float *att, const uint8_t *att_mask, const float *s_src,
                                  const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                  float *work);

/* The softmax, dropout and aggregation steps of gat_attention_edges_forward, shared with
 * GATv2: att holds the scores e (nnz, H) on entry and the softmax on return. The backward
 * adds the aggregation's gradient into dz and leaves d loss / d e in scratch (nnz, H). */
void gat_edges_softmax_aggregate(float *out /* (N, H, F) */, float *att /* (nnz, H) */, uint8_t *att_mask,
                                 const gat_graph *g, const float *z /* (N, H, F) */, int64_t h, int64_t f, float p,
                                 uint64_t key, float *work /* (2, N, H) */);
void gat_edges_softmax_aggregate_backward(float *dz /* (N, H, F) */, float *scratch /* (nnz, H) out */,
                                          const float *dout /* (N, H, F) */, const gat_graph *g, const float *att,
                                          const uint8_t *att_mask, const float *z, int64_t h, int64_t f, float p,
                                          float *work /* (N, H) */);

/* ---- GATv2 attention (attention_v2.c) ----
 * For every graph entry k (j = g->src[k] -> i = g->dst[k]):
 *   e[k,h] = sum over q of a[h,q] LeakyReLU_slope(z[j,h,q] + t[i,h,q])
 * then softmax, dropout and aggregation of the messages z[j] as for GAT. z = x W (N, H, F),
 * t = x W_dst (rows of g, H, F), a (H, F). The backward functions add into dz and da; dt is
 * added to by the edges form and SET (every row) by the per-target form. The per-target form
 * is multi-threaded and deterministic; its forward reads only g->row_ptr and g->src (so it
 * also serves chunked inference, with t holding the chunk's target rows), its backward also
 * g->dst, out_ptr and out_pos; partial holds (blocks of gat_reduce_block(N) targets, H*F). */
void gat_attention_v2_edges_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *z,
                                    const float *t, const float *a, int64_t h, int64_t f, float slope, float p,
                                    uint64_t key, float *work /* (2, N, H) */);
void gat_attention_v2_edges_backward(float *dz, float *dt, float *da, float *scratch, const float *dout,
                                     const gat_graph *g, const float *att, const uint8_t *att_mask, const float *z,
                                     const float *t, const float *a, int64_t h, int64_t f, float slope, float p,
                                     float *work /* (N, H) */);
void gat_attention_v2_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *z,
                              const float *t, const float *a, int64_t h, int64_t f, float slope, float p, uint64_t key);
void gat_attention_v2_backward(float *dz, float *dt, float *da, float *scratch, float *partial, const float *dout,
                               const gat_graph *g, const float *att, const uint8_t *att_mask, const float *z,
                               const float *t, const float *a, int64_t h, int64_t f, float slope, float p);

#endif
