/* attention_edges.c - the attention step on an edge list: per-edge scores, a scatter
 * softmax and a scatter-add, as PyTorch Geometric's GATConv and pytorch-GAT's third
 * implementation compute it (see layer_steps.h for what it computes).
 *
 * Every loop below runs over the graph's entries k = 0 .. nnz-1, each an edge
 * j = src[k] -> i = dst[k] (the graph's self loops included). A "scatter" writes the value
 * of edge k into the row of its target i (or of its source j): several edges meet in one
 * row, which is why these loops run on one thread here. A parallel scatter needs atomic
 * adds, whose order (and so the float sum) changes from run to run; the fused
 * implementation (layer.c) instead loops over targets and gathers, which is deterministic
 * and much faster. Memory: O(nnz * H) for the per-edge arrays, O(N * H) per node.
 *
 * Plain libm expf, no tricks: this file is meant to be read. */
#include <math.h>
#include <string.h>

#include "gat/rng.h"
#include "layer_steps.h"

/* LeakyReLU and its derivative. */
static float leaky_relu(float v, float slope) { return v > 0.0f ? v : slope * v; }
static float leaky_relu_grad(float pre, float slope) { return pre > 0.0f ? 1.0f : slope; }

/* Keep-bit threshold of dropout p: element i is kept when its 32 random bits are >= it. */
static uint32_t keep_threshold(float p) {
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}

void gat_attention_edges_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src,
                                 const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                 uint64_t key, float *work) {
    /* 1. per-edge scores e[k,h] = LeakyReLU(s_src[j,h] + s_dst[i,h]), kept in att for now */
    for (int64_t k = 0; k < g->nnz; k++)
        for (int64_t hh = 0; hh < h; hh++)
            att[k * h + hh] = leaky_relu(s_src[g->src[k] * h + hh] + s_dst[g->dst[k] * h + hh], slope);
    gat_edges_softmax_aggregate(out, att, att_mask, g, z, h, f, p, key, work);
}

void gat_edges_softmax_aggregate(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *z,
                                 int64_t h, int64_t f, float p, uint64_t key, float *work) {
    const int64_t n = g->n, nnz = g->nnz, m = h * f;
    float *node_max = work, *node_sum = work + n * h; /* (N, H) each */

    /* 2. scatter max: the largest score into each target (softmax is shift-invariant, and
     *    exp of (score - max) cannot overflow) */
    for (int64_t e = 0; e < n * h; e++) node_max[e] = -INFINITY;
    for (int64_t k = 0; k < nnz; k++)
        for (int64_t hh = 0; hh < h; hh++) {
            float *mx = &node_max[g->dst[k] * h + hh];
            if (att[k * h + hh] > *mx) *mx = att[k * h + hh];
        }

    /* 3. exponentials and their scatter sum per target, 4. normalise: att = softmax */
    memset(node_sum, 0, (size_t)(n * h) * sizeof *node_sum);
    for (int64_t k = 0; k < nnz; k++)
        for (int64_t hh = 0; hh < h; hh++) {
            const int64_t t = g->dst[k] * h + hh;
            att[k * h + hh] = expf(att[k * h + hh] - node_max[t]);
            node_sum[t] += att[k * h + hh];
        }
    for (int64_t k = 0; k < nnz; k++)
        for (int64_t hh = 0; hh < h; hh++) att[k * h + hh] /= node_sum[g->dst[k] * h + hh];

    /* 5. attention dropout: the coefficient used is att / (1 - p) or 0 (att itself is kept) */
    const uint32_t thr = keep_threshold(p);
    const float scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f;
    if (p > 0.0f)
        for (int64_t q = 0; q < nnz * h; q++) att_mask[q] = gat_rng_u32(key, (uint64_t)q) >= thr;

    /* 6. scatter-add of the messages: out[i,h,:] += coefficient * z[j,h,:] */
    memset(out, 0, (size_t)(n * m) * sizeof *out);
    for (int64_t k = 0; k < nnz; k++) {
        const float *zj = z + g->src[k] * m;
        float *oi = out + g->dst[k] * m;
        for (int64_t hh = 0; hh < h; hh++) {
            const float c = p > 0.0f ? (att_mask[k * h + hh] ? att[k * h + hh] * scale : 0.0f) : att[k * h + hh];
            for (int64_t q = 0; q < f; q++) oi[hh * f + q] += c * zj[hh * f + q];
        }
    }
}

void gat_attention_edges_backward(float *dz, float *ds_src, float *ds_dst, float *scratch, const float *dout,
                                  const gat_graph *g, const float *att, const uint8_t *att_mask, const float *s_src,
                                  const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                  float *work) {
    gat_edges_softmax_aggregate_backward(dz, scratch, dout, g, att, att_mask, z, h, f, p, work);
    /* 1. the LeakyReLU, and the scatter of de into both ends */
    for (int64_t k = 0; k < g->nnz; k++) {
        const int64_t j = g->src[k], i = g->dst[k];
        for (int64_t hh = 0; hh < h; hh++) {
            const float de = scratch[k * h + hh] * leaky_relu_grad(s_src[j * h + hh] + s_dst[i * h + hh], slope);
            ds_src[j * h + hh] += de;
            ds_dst[i * h + hh] += de;
        }
    }
}

void gat_edges_softmax_aggregate_backward(float *dz, float *scratch, const float *dout, const gat_graph *g,
                                          const float *att, const uint8_t *att_mask, const float *z, int64_t h,
                                          int64_t f, float p, float *work) {
    const int64_t n = g->n, nnz = g->nnz, m = h * f;
    const float scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f;
    float *datt = scratch;    /* (nnz, H) d loss / d att, then d loss / d e */
    float *node_dot = work;   /* (N, H) sum over a target's edges of att * datt */

    /* 6. scatter-add backward: for edge k, d coefficient = dout[i,h,:] . z[j,h,:], and
     *    dz[j,h,:] += coefficient * dout[i,h,:]; 5. dropout backward on d coefficient */
    for (int64_t k = 0; k < nnz; k++) {
        const int64_t j = g->src[k], i = g->dst[k];
        for (int64_t hh = 0; hh < h; hh++) {
            const float *di = dout + i * m + hh * f, *zj = z + j * m + hh * f;
            const int kept = p > 0.0f ? att_mask[k * h + hh] : 1;
            const float c = kept ? att[k * h + hh] * scale : 0.0f;
            float dc = 0.0f;
            for (int64_t q = 0; q < f; q++) {
                dc += di[q] * zj[q];
                dz[j * m + hh * f + q] += c * di[q];
            }
            datt[k * h + hh] = kept ? dc * scale : 0.0f;
        }
    }
    /* 4.-2. softmax backward, per target: de[k] = att[k] (datt[k] - sum over the target's
     *    edges of att * datt) */
    memset(node_dot, 0, (size_t)(n * h) * sizeof *node_dot);
    for (int64_t k = 0; k < nnz; k++)
        for (int64_t hh = 0; hh < h; hh++) node_dot[g->dst[k] * h + hh] += att[k * h + hh] * datt[k * h + hh];
    for (int64_t k = 0; k < nnz; k++)
        for (int64_t hh = 0; hh < h; hh++)
            datt[k * h + hh] = att[k * h + hh] * (datt[k * h + hh] - node_dot[g->dst[k] * h + hh]);
}
