/* attention_v2.c - the attention step of GATv2 (Brody, Alon and Yahav, "How Attentive are
 * Graph Attention Networks?", ICLR 2022; PyTorch Geometric's GATv2Conv), in two forms (see
 * layer_steps.h for what they compute):
 *
 *   e[k,h] = sum over q of a[h,q] LeakyReLU(z[j,h,q] + t[i,h,q])      for entry k: j -> i
 *
 * z = x W are the messages (PyG lin_l), t = x W_dst the target term (lin_r). GAT scores
 * LeakyReLU(a_src . z_j + a_dst . z_i) rank the sources the same way for every target
 * (static attention); here the LeakyReLU sits between the two projections and the attention
 * vector, so the ranking can depend on the target (dynamic attention). The per-edge vector
 * z_j + t_i (F wide) is never stored: the backward pass recomputes it from z and t, so
 * memory stays O(N*H*F + nnz*H), as for GAT.
 *
 * gat_attention_v2_edges_*: per-edge loops and scatters, one thread (teaching code, as
 * attention_edges.c, whose softmax and aggregation it shares).
 * gat_attention_v2_*: one pass per target (scores, softmax, dropout and aggregation of
 * its row at once), and in the backward pass one per target then one per source, each
 * gathering its own entries in a fixed order: multi-threaded, and bit-identical for any
 * number of threads (the sum for d a goes through fixed blocks of targets). */
#include <math.h>
#include <string.h>

#include "gat/rng.h"
#include "layer.h"
#include "layer_steps.h"
#include "pool.h"

static inline float leaky_relu(float v, float slope) { return v > 0.0f ? v : slope * v; }
static inline float leaky_relu_grad(float pre, float slope) { return pre > 0.0f ? 1.0f : slope; }

static uint32_t keep_threshold(float p) {
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}

/* e = a[h,:] . LeakyReLU(zj[h,:] + ti[h,:]) for one head (F values). */
static inline float v2_score(const float *restrict zj, const float *restrict ti, const float *restrict a, int64_t f,
                             float slope) {
    float e = 0.0f;
    for (int64_t q = 0; q < f; q++) e += a[q] * leaky_relu(zj[q] + ti[q], slope);
    return e;
}

/* ---- edge lists (one thread) ---- */

void gat_attention_v2_edges_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *z,
                                    const float *t, const float *a, int64_t h, int64_t f, float slope, float p,
                                    uint64_t key, float *work) {
    const int64_t m = h * f;
    /* 1. per-edge scores, recomputing z_j + t_i per edge and head */
    for (int64_t k = 0; k < g->nnz; k++) {
        const float *zj = z + g->src[k] * m, *ti = t + g->dst[k] * m;
        for (int64_t hh = 0; hh < h; hh++) att[k * h + hh] = v2_score(zj + hh * f, ti + hh * f, a + hh * f, f, slope);
    }
    /* 2.-6. as GAT: scatter softmax, dropout, scatter-add of the messages z_j */
    gat_edges_softmax_aggregate(out, att, att_mask, g, z, h, f, p, key, work);
}

void gat_attention_v2_edges_backward(float *dz, float *dt, float *da, float *scratch, const float *dout,
                                     const gat_graph *g, const float *att, const uint8_t *att_mask, const float *z,
                                     const float *t, const float *a, int64_t h, int64_t f, float slope, float p,
                                     float *work) {
    const int64_t m = h * f;
    /* 6.-2. aggregation (into dz) and softmax: scratch = d loss / d e */
    gat_edges_softmax_aggregate_backward(dz, scratch, dout, g, att, att_mask, z, h, f, p, work);
    /* 1. the scores: with u = z_j + t_i, de/du = a * LeakyReLU'(u), into both ends; de/da = LeakyReLU(u) */
    for (int64_t k = 0; k < g->nnz; k++) {
        const int64_t j = g->src[k], i = g->dst[k];
        for (int64_t hh = 0; hh < h; hh++) {
            const float de = scratch[k * h + hh];
            for (int64_t q = 0; q < f; q++) {
                const int64_t c = hh * f + q;
                const float u = z[j * m + c] + t[i * m + c], du = de * a[c] * leaky_relu_grad(u, slope);
                dz[j * m + c] += du;
                dt[i * m + c] += du;
                da[c] += de * leaky_relu(u, slope);
            }
        }
    }
}

/* ---- per target, multi-threaded ---- */

typedef struct {
    const gat_graph *g;
    const float *z, *t, *a;            /* (N, H*F), (rows, H*F), (H, F) */
    float *out, *att;                  /* (rows, H*F), (nnz, H) */
    uint8_t *att_mask;
    int64_t h, f;
    float slope, p, scale;
    uint32_t thr;
    uint64_t key;
    /* backward */
    const float *dout;                 /* (rows, H*F) */
    float *dz, *dt, *de, *partial;     /* (N, H*F), (rows, H*F), (nnz, H), (blocks, H*F) */
    int64_t rblk;
} v2_args;

static void v2_fwd_chunk(void *v, int64_t b, int64_t e) {
    const v2_args *A = v;
    const gat_graph *g = A->g;
    const int64_t h = A->h, f = A->f, m = h * f;
    for (int64_t i = b; i < e; i++) {
        const int64_t p0 = g->row_ptr[i], p1 = g->row_ptr[i + 1];
        const float *ti = A->t + i * m;
        float *oi = A->out + i * m;
        for (int64_t q = 0; q < m; q++) oi[q] = 0.0f;
        for (int64_t hh = 0; hh < h; hh++) {
            float mx = -INFINITY, sum = 0.0f;
            for (int64_t k = p0; k < p1; k++) {
                const float s = v2_score(A->z + g->src[k] * m + hh * f, ti + hh * f, A->a + hh * f, f, A->slope);
                A->att[k * h + hh] = s;
                mx = s > mx ? s : mx;
            }
            for (int64_t k = p0; k < p1; k++) {
                const float x = expf(A->att[k * h + hh] - mx);
                A->att[k * h + hh] = x;
                sum += x;
            }
            for (int64_t k = p0; k < p1; k++) {
                const float w = A->att[k * h + hh] / sum;
                A->att[k * h + hh] = w;
                float c = w;
                if (A->p > 0.0f) {
                    const uint8_t keep = gat_rng_u32(A->key, (uint64_t)(k * h + hh)) >= A->thr;
                    A->att_mask[k * h + hh] = keep;
                    c = keep ? w * A->scale : 0.0f;
                }
                const float *zj = A->z + g->src[k] * m + hh * f;
                for (int64_t q = 0; q < f; q++) oi[hh * f + q] += c * zj[q];
            }
        }
    }
}

void gat_attention_v2_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *z,
                              const float *t, const float *a, int64_t h, int64_t f, float slope, float p, uint64_t key) {
    v2_args A = {.g = g, .z = z, .t = t, .a = a, .out = out, .att = att, .att_mask = att_mask, .h = h, .f = f,
                 .slope = slope, .p = p, .scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f, .thr = keep_threshold(p),
                 .key = key};
    gat_pool_for(g->n, 32, v2_fwd_chunk, &A);
}

/* Targets of one block: de of their entries, dt of their rows (set), the block's sum for d a. */
static void v2_bwd_target_chunk(void *v, int64_t b, int64_t e) {
    const v2_args *A = v;
    const gat_graph *g = A->g;
    const int64_t h = A->h, f = A->f, m = h * f;
    float *restrict part = A->partial + (b / A->rblk) * m;
    for (int64_t q = 0; q < m; q++) part[q] = 0.0f;
    for (int64_t i = b; i < e; i++) {
        const int64_t p0 = g->row_ptr[i], p1 = g->row_ptr[i + 1];
        const float *ti = A->t + i * m, *di = A->dout + i * m;
        float *dti = A->dt + i * m;
        for (int64_t q = 0; q < m; q++) dti[q] = 0.0f;
        for (int64_t hh = 0; hh < h; hh++) {
            float dot = 0.0f;
            for (int64_t k = p0; k < p1; k++) {
                const float *zj = A->z + g->src[k] * m + hh * f;
                const int kept = A->p > 0.0f ? A->att_mask[k * h + hh] : 1;
                float dc = 0.0f;
                for (int64_t q = 0; q < f; q++) dc += di[hh * f + q] * zj[q];
                const float datt = kept ? dc * A->scale : 0.0f;
                A->de[k * h + hh] = datt;
                dot += A->att[k * h + hh] * datt;
            }
            for (int64_t k = p0; k < p1; k++) {
                const float de = A->att[k * h + hh] * (A->de[k * h + hh] - dot);
                A->de[k * h + hh] = de;
                const float *zj = A->z + g->src[k] * m + hh * f;
                for (int64_t q = 0; q < f; q++) {
                    const float u = zj[q] + ti[hh * f + q];
                    dti[hh * f + q] += de * A->a[hh * f + q] * leaky_relu_grad(u, A->slope);
                    part[hh * f + q] += de * leaky_relu(u, A->slope);
                }
            }
        }
    }
}

/* Sources: dz[j] += over j's outgoing entries (in entry order) coefficient * dout[i] + de * a * LeakyReLU'(u). */
static void v2_bwd_source_chunk(void *v, int64_t b, int64_t e) {
    const v2_args *A = v;
    const gat_graph *g = A->g;
    const int64_t h = A->h, f = A->f, m = h * f;
    for (int64_t j = b; j < e; j++) {
        float *dzj = A->dz + j * m;
        const float *zj = A->z + j * m;
        for (int64_t r = g->out_ptr[j]; r < g->out_ptr[j + 1]; r++) {
            const int64_t k = g->out_pos[r], i = g->dst[k];
            const float *ti = A->t + i * m, *di = A->dout + i * m;
            for (int64_t hh = 0; hh < h; hh++) {
                const int kept = A->p > 0.0f ? A->att_mask[k * h + hh] : 1;
                const float c = kept ? A->att[k * h + hh] * A->scale : 0.0f, de = A->de[k * h + hh];
                for (int64_t q = 0; q < f; q++) {
                    const int64_t x = hh * f + q;
                    dzj[x] += c * di[x] + de * A->a[x] * leaky_relu_grad(zj[x] + ti[x], A->slope);
                }
            }
        }
    }
}

void gat_attention_v2_backward(float *dz, float *dt, float *da, float *scratch, float *partial, const float *dout,
                               const gat_graph *g, const float *att, const uint8_t *att_mask, const float *z,
                               const float *t, const float *a, int64_t h, int64_t f, float slope, float p) {
    const int64_t m = h * f, rblk = gat_reduce_block(g->n), nb = (g->n + rblk - 1) / rblk;
    v2_args A = {.g = g, .z = z, .t = t, .a = a, .att = (float *)att, .att_mask = (uint8_t *)att_mask, .h = h,
                 .f = f, .slope = slope, .p = p, .scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f, .dout = dout,
                 .dz = dz, .dt = dt, .de = scratch, .partial = partial, .rblk = rblk};
    gat_pool_for(g->n, rblk, v2_bwd_target_chunk, &A);
    gat_pool_for(g->n, 64, v2_bwd_source_chunk, &A);
    for (int64_t blk = 0; blk < nb; blk++)
        for (int64_t q = 0; q < m; q++) da[q] += partial[blk * m + q];
}
