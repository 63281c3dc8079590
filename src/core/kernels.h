/* kernels.h - the per-row kernels of a GAT layer, shared by the single ops (ops.c) and the
 * fused layer passes (layer.c). Private to the library.
 *
 * Each kernel computes the outputs of one row (a node, a target, a source) from explicit
 * arrays and dimensions, so it works on any graph or sub-graph given as (n, CSR, arrays).
 * They are plain C loops written so that the compiler keeps the per-head values in vector
 * registers when the shape is known at compile time: GAT_SHAPED() below instantiates a
 * chunk function four times, for 8 heads x 8 features (Cora's hidden layers), for 8
 * features and any number of heads, for one head (the usual output layer) and for any
 * shape. gat_shape_of() is the one place that
 * picks the instance. No intrinsics: the same code builds for any target, and vectorizes
 * for the one the compiler is told about; in a portable build every chunk function is also
 * compiled for AVX2 and AVX-512, picked at load time (GAT_HOT_KERNEL, dispatch.h). */
#ifndef GAT_KERNELS_H
#define GAT_KERNELS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gat/ops.h"
#include "gat/rng.h"
#include "dispatch.h"
#include "pool.h"

#define GAT_INLINE static inline __attribute__((always_inline))

/* Rows per block of the fixed partitions used for reductions and BLAS calls. The blocks
 * never depend on the number of threads, which keeps results bit-identical. */
#define GAT_ROW_BLOCK 256
/* Per-row accumulators live on the stack (in registers for small shapes) up to this width. */
#define GAT_LOCAL_WIDTH 256

/* ---- shapes ---- */
enum { GAT_SHAPE_H8F8, GAT_SHAPE_F8, GAT_SHAPE_H1, GAT_SHAPE_ANY, GAT_N_SHAPES };
static inline int gat_shape_of(int64_t h, int64_t f) {
    return h == 8 && f == 8 ? GAT_SHAPE_H8F8 : h == 1 ? GAT_SHAPE_H1 : f == 8 ? GAT_SHAPE_F8 : GAT_SHAPE_ANY;
}
/* Every argument struct of a shaped kernel starts with this. */
typedef struct gat_shape_args {
    int64_t h, f;
} gat_shape_args;
/* Defines name##_fns[GAT_N_SHAPES], chunk functions that call
 * name##_body(const void *args, begin, end, h, f) with h and f constant where the shape
 * fixes them. Run one with gat_pool_for(count, grain, name##_fns[gat_shape_of(h, f)], &args). */
#define GAT_SHAPED(name)                                                                                     \
    GAT_HOT_KERNEL static void name##_h8f8(void *a, int64_t b, int64_t e) { name##_body(a, b, e, 8, 8); }    \
    GAT_HOT_KERNEL static void name##_f8(void *a, int64_t b, int64_t e) {                                    \
        name##_body(a, b, e, ((gat_shape_args *)a)->h, 8);                                                   \
    }                                                                                                        \
    GAT_HOT_KERNEL static void name##_h1(void *a, int64_t b, int64_t e) {                                    \
        name##_body(a, b, e, 1, ((gat_shape_args *)a)->f);                                                   \
    }                                                                                                        \
    GAT_HOT_KERNEL static void name##_any(void *a, int64_t b, int64_t e) {                                   \
        name##_body(a, b, e, ((gat_shape_args *)a)->h, ((gat_shape_args *)a)->f);                            \
    }                                                                                                        \
    static const gat_pool_fn name##_fns[GAT_N_SHAPES] = {name##_h8f8, name##_f8, name##_h1, name##_any}

/* ---- random keep-bits (dropout) ---- */

static inline uint32_t gat_keep_threshold(float p) {
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}

/* Keep-bits for elements [begin, end) of stream key: one 64-bit hash serves an aligned pair
 * of elements, exactly as gat_rng_u32 defines them. */
static inline void gat_mask_range(uint8_t *restrict mask /* indexed from begin */, uint64_t key, size_t begin, size_t end,
                                  uint32_t thr) {
    size_t i = begin;
    if (i < end && (i & 1)) { mask[0] = gat_rng_u32(key, i) >= thr; i++; }
    for (; i + 1 < end; i += 2) {
        uint64_t r = gat_mix64(key ^ ((uint64_t)(i >> 1) * 0xd1b54a32d192ed03ull));
        mask[i - begin] = (uint32_t)r >= thr;
        mask[i + 1 - begin] = (uint32_t)(r >> 32) >= thr;
    }
    if (i < end) mask[i - begin] = gat_rng_u32(key, i) >= thr;
}

/* Dropout of n elements in place whose stream indices start at index0 (mask generated). */
GAT_INLINE void gat_dropout_row(float *restrict x, uint8_t *restrict mask, size_t index0, size_t n, uint64_t key,
                                uint32_t thr, float scale) {
    gat_mask_range(mask, key, index0, index0 + n, thr);
    for (size_t i = 0; i < n; i++) x[i] = mask[i] ? x[i] * scale : 0.0f;
}

/* c ? a : b by masking bits, without a branch: in the scalar loops of one-head layers the
 * compilers make a branch of the plain conditional, and on a random sign or dropout mask it
 * mispredicts about half the time (a mispredict costs more than an edge's arithmetic). The
 * same value as the conditional, bit for bit. */
static inline float gat_selectf(int c, float a, float b) {
    uint32_t ua, ub;
    const uint32_t m = 0u - (uint32_t)(c != 0);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    ua = (ua & m) | (ub & ~m);
    memcpy(&a, &ua, sizeof a);
    return a;
}

/* e^x for the softmax and ELU: Cephes' expf (Cody-Waite reduction, degree-6 polynomial),
 * relative error about 1e-7 over the range used, with no branches so loops over it
 * vectorize (libm's expf does not, without -ffast-math). */
static inline float gat_expf(float x) {
    x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

/* One- and two-head rows up to this width replace the products of an edge that adds nothing
 * by +0 rather than skipping it by a branch (gat_selectf); wider rows skip it. */
#define GAT_SKIP_WIDTH 16

/* ---- scores: s_src[hh] = z[hh,:].a_src[hh,:], s_dst likewise, for one row ---- */
GAT_INLINE void gat_scores_row_loops(float *restrict s_src /* (H) */, float *restrict s_dst /* (H) */,
                               const float *restrict z /* (H, F) */, const float *restrict a_src /* (H, F) */,
                               const float *restrict a_dst /* (H, F) */, int64_t h, int64_t f) {
    for (int64_t hh = 0; hh < h; hh++) {
        float a = 0.0f, b = 0.0f;
        for (int64_t c = 0; c < f; c++) {
            a += z[hh * f + c] * a_src[hh * f + c];
            b += z[hh * f + c] * a_dst[hh * f + c];
        }
        s_src[hh] = a;
        s_dst[hh] = b;
    }
}

/* ---- attention forward for target i ----
 * Two sweeps over the node's edges: logits and their maximum; then exponentials, their sum,
 * the dropout mask and the (unnormalised) aggregation together. The softmax is normalised
 * once at the end, on the node's contiguous slice of att and on the aggregate. A node without
 * incoming edges (possible only in a graph built without self loops) gets a zero aggregate;
 * its backward then has no entry to visit. */
typedef struct gat_att_fwd {
    const int64_t *row_ptr, *src;      /* target-keyed CSR of the graph */
    const float *s_src, *s_dst;        /* (N, H) */
    const float *z;                    /* (N, H, F) */
    float *att;                        /* (nnz, H) softmax before dropout */
    uint8_t *att_mask;                 /* (nnz, H), used when p > 0 */
    float slope, p, scale;
    uint32_t thr;
    uint64_t key;
} gat_att_fwd;

GAT_INLINE void gat_attention_row_loops(const gat_att_fwd *A, int64_t i, float *restrict out /* (H, F) */, int64_t h,
                                        int64_t f) {
    const int64_t m = h * f, p0 = A->row_ptr[i], p1 = A->row_ptr[i + 1];
    const int64_t *restrict src = A->src;
    const float *restrict s_src = A->s_src, *restrict sd = A->s_dst + i * h, *restrict z = A->z;
    float *restrict att = A->att;
    const float slope = A->slope, scale = A->scale;
    const int drop = A->p > 0.0f;
    float mx[GAT_MAX_HEADS], sum[GAT_MAX_HEADS], coef[GAT_MAX_HEADS], loc[GAT_LOCAL_WIDTH];
    float *restrict acc = m <= GAT_LOCAL_WIDTH ? loc : out;
    if (p0 == p1) { /* no incoming edge (a graph without added self loops): an empty softmax, zero */
        for (int64_t c = 0; c < m; c++) out[c] = 0.0f;
        return;
    }
    for (int64_t hh = 0; hh < h; hh++) { mx[hh] = -INFINITY; sum[hh] = 0.0f; }
    for (int64_t q = p0; q < p1; q++) {
        const float *restrict ss = s_src + src[q] * h;
        float *restrict e = att + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float v = ss[hh] + sd[hh];
            v = gat_selectf(v > 0.0f, v, slope * v);
            e[hh] = v;
            mx[hh] = v > mx[hh] ? v : mx[hh];
        }
    }
    uint8_t *restrict mask = drop ? A->att_mask + p0 * h : NULL;
    if (drop) gat_mask_range(mask, A->key, (size_t)(p0 * h), (size_t)(p1 * h), A->thr);
    for (int64_t c = 0; c < m; c++) acc[c] = 0.0f;
    if (h == 1) { /* one head: the exponentials of all the edges, in vectors across edges */
        float *restrict e = att + p0;
        const float m0 = mx[0];
        for (int64_t q = 0; q < p1 - p0; q++) e[q] = gat_expf(e[q] - m0);
    }
    for (int64_t q = p0; q < p1; q++) {
        float *restrict e = att + q * h;
        /* one vector op per step across the heads: keep each loop simple */
        for (int64_t hh = 0; hh < h; hh++) {
            float v = h == 1 ? e[hh] : gat_expf(e[hh] - mx[hh]);
            e[hh] = v;
            sum[hh] += v;
        }
        if (drop) {
            const uint8_t *restrict mq = mask + (q - p0) * h;
            for (int64_t hh = 0; hh < h; hh++) coef[hh] = gat_selectf(mq[hh], e[hh] * scale, 0.0f);
        } else {
            for (int64_t hh = 0; hh < h; hh++) coef[hh] = e[hh];
        }
        const float *restrict zs = z + src[q] * m;
        if (h <= 2) { /* one or two heads: an edge every head dropped adds nothing */
            int any = 0;
            for (int64_t hh = 0; hh < h; hh++) any |= coef[hh] != 0.0f;
            if (f > GAT_SKIP_WIDTH) {
                if (!any) continue;
            } else { /* narrow rows: its products replaced by +0, which leaves every sum as it is */
                for (int64_t hh = 0; hh < h; hh++)
                    for (int64_t c = 0; c < f; c++)
                        acc[hh * f + c] += gat_selectf(any, coef[hh] * zs[hh * f + c], 0.0f);
                continue;
            }
        }
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) acc[hh * f + c] += coef[hh] * zs[hh * f + c];
    }
    for (int64_t hh = 0; hh < h; hh++) sum[hh] = 1.0f / sum[hh];
    for (int64_t q = p0; q < p1; q++)
        for (int64_t hh = 0; hh < h; hh++) att[q * h + hh] *= sum[hh];
    for (int64_t hh = 0; hh < h; hh++)
        for (int64_t c = 0; c < f; c++) out[hh * f + c] = acc[hh * f + c] * sum[hh];
}

/* ---- attention backward ---- */
typedef struct gat_att_bwd {
    const int64_t *row_ptr, *src, *dst, *out_ptr, *out_pos;
    const float *att;                  /* (nnz, H) */
    const uint8_t *att_mask;           /* (nnz, H), read when p > 0 */
    const float *s_src, *s_dst;        /* (N, H) */
    const float *z;                    /* (N, H, F) */
    const float *dout;                 /* (N, H, F) */
    float *scratch;                    /* (nnz, H) d loss / d logits */
    const uint8_t *active;             /* (N) targets whose output is needed, or NULL */
    float slope, p, scale;
} gat_att_bwd;

/* Pass 1 for target i: d loss / d logits of its edges into scratch; ds_dst[i,:] set (add = 0)
 * or added to (add = 1). */
GAT_INLINE void gat_attention_grad_target_loops(const gat_att_bwd *B, int64_t i, float *restrict ds_dst /* (H) */,
                                                int add, int64_t h, int64_t f) {
    const int64_t m = h * f, p0 = B->row_ptr[i], p1 = B->row_ptr[i + 1];
    const int64_t *restrict src = B->src;
    const float *restrict di = B->dout + i * m, *restrict z = B->z, *restrict att = B->att;
    const float *restrict s_src = B->s_src, *restrict sd = B->s_dst + i * h;
    float *restrict scratch = B->scratch;
    const uint8_t *restrict att_mask = B->att_mask;
    const int drop = B->p > 0.0f;
    const float scale = B->scale, slope = B->slope;
    float dot[GAT_MAX_HEADS], dloc[GAT_LOCAL_WIDTH];
    const float *restrict dd = di;
    if (m <= GAT_LOCAL_WIDTH) { /* the target's gradient row stays in registers for small shapes */
        for (int64_t c = 0; c < m; c++) dloc[c] = di[c];
        dd = dloc;
    }
    for (int64_t hh = 0; hh < h; hh++) dot[hh] = 0.0f;
    for (int64_t q = p0; q < p1; q++) {
        const float *restrict zs = z + src[q] * m;
        float *restrict dq = scratch + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float s = 0.0f;
            for (int64_t c = 0; c < f; c++) s += dd[hh * f + c] * zs[hh * f + c];
            if (drop) s = gat_selectf(att_mask[q * h + hh], s * scale, 0.0f);
            dq[hh] = s; /* d loss / d att (before dropout) */
            dot[hh] += s * att[q * h + hh];
        }
    }
    float gd[GAT_MAX_HEADS];
    for (int64_t hh = 0; hh < h; hh++) gd[hh] = 0.0f;
    for (int64_t q = p0; q < p1; q++) {
        const float *restrict ss = s_src + src[q] * h;
        float *restrict dq = scratch + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float de = att[q * h + hh] * (dq[hh] - dot[hh]);
            float pre = ss[hh] + sd[hh];
            de = gat_selectf(pre > 0.0f, de, slope * de);
            dq[hh] = de;
            gd[hh] += de;
        }
    }
    for (int64_t hh = 0; hh < h; hh++) ds_dst[hh] = add ? ds_dst[hh] + gd[hh] : gd[hh];
}

/* Pass 2 for source j: dz[j] from the aggregation and ds_src[j], set (add = 0) or added to
 * (add = 1). */
GAT_INLINE void gat_attention_grad_source_loops(const gat_att_bwd *B, int64_t j, float *restrict dz /* (H, F) */,
                                                float *restrict ds_src /* (H) */, int add, int64_t h, int64_t f) {
    const int64_t m = h * f;
    const int64_t *restrict out_pos = B->out_pos, *restrict dst = B->dst;
    const float *restrict att = B->att, *restrict scratch = B->scratch, *restrict dout = B->dout;
    const uint8_t *restrict att_mask = B->att_mask, *restrict active = B->active;
    const int drop = B->p > 0.0f;
    const float scale = B->scale;
    float coef[GAT_MAX_HEADS], gs[GAT_MAX_HEADS], loc[GAT_LOCAL_WIDTH];
    float *restrict acc = m <= GAT_LOCAL_WIDTH ? loc : dz; /* wide rows accumulate in place */
    if (acc != dz || !add)
        for (int64_t c = 0; c < m; c++) acc[c] = 0.0f;
    for (int64_t hh = 0; hh < h; hh++) gs[hh] = 0.0f;
    for (int64_t t = B->out_ptr[j]; t < B->out_ptr[j + 1]; t++) {
        const int64_t q = out_pos[t], d = dst[q];
        /* a target whose output nothing needs (with a plan's out-edge index, never) */
        if (active && !active[d]) continue;
        const float *restrict aq = att + q * h, *restrict sq = scratch + q * h;
        if (drop) {
            const uint8_t *restrict mq = att_mask + q * h;
            for (int64_t hh = 0; hh < h; hh++) coef[hh] = gat_selectf(mq[hh], aq[hh] * scale, 0.0f);
        } else {
            for (int64_t hh = 0; hh < h; hh++) coef[hh] = aq[hh];
        }
        for (int64_t hh = 0; hh < h; hh++) gs[hh] += sq[hh];
        const float *restrict dd = dout + d * m;
        if (h <= 2) { /* one or two heads: an edge every head dropped adds nothing */
            int any = 0;
            for (int64_t hh = 0; hh < h; hh++) any |= coef[hh] != 0.0f;
            if (f > GAT_SKIP_WIDTH) {
                if (!any) continue;
            } else { /* narrow rows: its products replaced by +0, which leaves every sum as it is */
                for (int64_t hh = 0; hh < h; hh++)
                    for (int64_t c = 0; c < f; c++)
                        acc[hh * f + c] += gat_selectf(any, coef[hh] * dd[hh * f + c], 0.0f);
                continue;
            }
        }
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) acc[hh * f + c] += coef[hh] * dd[hh * f + c];
    }
    if (acc != dz)
        for (int64_t c = 0; c < m; c++) dz[c] = add ? dz[c] + acc[c] : acc[c];
    for (int64_t hh = 0; hh < h; hh++) ds_src[hh] = add ? ds_src[hh] + gs[hh] : gs[hh];
}

/* ---- scores backward for source row j (after its attention backward) ----
 * dz (H, F) += gs[hh] a_src[hh,:] + gd[hh] a_dst[hh,:]; the block sums ps (H, F) += gs[hh] z[hh,:]
 * and pd (H, F) += gd[hh] z[hh,:]; then the projection dropout's backward on dz (mask given). */
GAT_INLINE void gat_scores_grad_row_loops(float *restrict dz, float *restrict ps, float *restrict pd,
                                          const float *restrict gs /* (H) */, const float *restrict gd /* (H) */,
                                          const float *restrict z, const float *restrict a_src,
                                          const float *restrict a_dst, const uint8_t *restrict mask /* or NULL */,
                                          float scale, int64_t h, int64_t f) {
    for (int64_t hh = 0; hh < h; hh++)
        for (int64_t q = 0; q < f; q++) {
            dz[hh * f + q] += gs[hh] * a_src[hh * f + q] + gd[hh] * a_dst[hh * f + q];
            ps[hh * f + q] += gs[hh] * z[hh * f + q];
            pd[hh * f + q] += gd[hh] * z[hh * f + q];
        }
    if (mask)
        for (int64_t q = 0; q < h * f; q++) dz[q] = mask[q] ? dz[q] * scale : 0.0f;
}

/* ---- the kernels called: vectors for 8 heads x 8 features, the loops otherwise ---- */
#include "kernels_h8f8.h"

GAT_INLINE void gat_scores_row(float *restrict s_src /* (H) */, float *restrict s_dst /* (H) */,
                               const float *restrict z /* (H, F) */, const float *restrict a_src /* (H, F) */,
                               const float *restrict a_dst /* (H, F) */, int64_t h, int64_t f) {
    if (h == 8 && f == 8) gat_scores_row_h8f8(s_src, s_dst, z, a_src, a_dst);
    else gat_scores_row_loops(s_src, s_dst, z, a_src, a_dst, h, f);
}
GAT_INLINE void gat_attention_row(const gat_att_fwd *A, int64_t i, float *restrict out /* (H, F) */, int64_t h,
                                  int64_t f) {
    if (h == 8 && f == 8) gat_attention_row_h8f8(A, i, out);
    else gat_attention_row_loops(A, i, out, h, f);
}
GAT_INLINE void gat_attention_grad_target(const gat_att_bwd *B, int64_t i, float *restrict ds_dst /* (H) */,
                                          int add, int64_t h, int64_t f) {
    if (h == 8 && f == 8) gat_attention_grad_target_h8f8(B, i, ds_dst, add);
    else gat_attention_grad_target_loops(B, i, ds_dst, add, h, f);
}
GAT_INLINE void gat_attention_grad_source(const gat_att_bwd *B, int64_t j, float *restrict dz /* (H, F) */,
                                          float *restrict ds_src /* (H) */, int add, int64_t h, int64_t f) {
    if (h == 8 && f == 8) gat_attention_grad_source_h8f8(B, j, dz, ds_src, add);
    else gat_attention_grad_source_loops(B, j, dz, ds_src, add, h, f);
}
GAT_INLINE void gat_scores_grad_row(float *restrict dz, float *restrict ps, float *restrict pd,
                                    const float *restrict gs, const float *restrict gd, const float *restrict z,
                                    const float *restrict a_src, const float *restrict a_dst,
                                    const uint8_t *restrict mask, float scale, int64_t h, int64_t f) {
    if (h == 8 && f == 8) gat_scores_grad_row_h8f8(dz, ps, pd, gs, gd, z, a_src, a_dst, mask, scale);
    else gat_scores_grad_row_loops(dz, ps, pd, gs, gd, z, a_src, a_dst, mask, scale, h, f);
}

/* Dense projections of width M at most this are row kernels in the fused passes (layer.c). */
#define GAT_NARROW 32
/* z (n, M) = x (n, K) w (K, M) exactly as the fused forward pass projects a dense layer's
 * input without dropout: row kernels when M <= GAT_NARROW, BLAS blocks otherwise. */
void gat_dense_projection(float *z, const float *x, const float *w, int64_t n, int64_t k, int64_t m);

/* ---- products on row blocks (OpenBLAS, or plain loops without it; ops.c) ---- */
/* z (rows, M) = x (rows, K) w (K, M) when beta is 0, z += x w when beta is 1. */
void gat_gemm_rows(float *z, const float *x, const float *w, int64_t rows, int64_t k, int64_t m, float beta);
/* dw[q0 .. q0+qs) += x[:, q0 .. q0+qs)^T dz, over all n rows of x (N, K) and dz (N, M). */
void gat_gemm_tn_cols(float *dw, const float *x, const float *dz, int64_t n, int64_t k, int64_t m, int64_t q0,
                      int64_t qs);
/* dx (rows, K) += dz (rows, M) w^T. */
void gat_gemm_nt_rows(float *dx, const float *dz, const float *w, int64_t rows, int64_t k, int64_t m);
/* dw[c] += sum of val * dz[row] over the entries of columns [c0, c1) of t, in the column's
 * order; zero values (dropped entries) skipped. The kept entries of a run are gathered first
 * without branches (the dropout mask is random: a branch per entry mispredicts half the time),
 * then summed into the row of dw held in registers (whole vectors when m is 64). Inline, so
 * every dispatch clone (dispatch.h) has its own copy; gat_spmm_dw_cols (ops.c) calls it. */
#define GAT_DW_RUN 128
GAT_INLINE void gat_spmm_dw_cols_m(float *restrict dw, const gat_csc_index *t, const float *restrict val,
                                   const float *restrict dz, int64_t m, int64_t c0, int64_t c1) {
    const int64_t *restrict col_ptr = t->col_ptr, *restrict pos = t->pos, *restrict row = t->row;
    float kv[GAT_DW_RUN], acc[GAT_LOCAL_WIDTH];
    int64_t kr[GAT_DW_RUN];
    for (int64_t col = c0; col < c1; col++) {
        float *restrict dwc = dw + col * m;
        float *restrict a = m <= GAT_LOCAL_WIDTH ? acc : dwc;
        int any = 0;
        for (int64_t q0 = col_ptr[col]; q0 < col_ptr[col + 1]; q0 += GAT_DW_RUN) {
            const int64_t q1 = q0 + GAT_DW_RUN < col_ptr[col + 1] ? q0 + GAT_DW_RUN : col_ptr[col + 1];
            int nk = 0;
            for (int64_t q = q0; q < q1; q++) {
                const float v = val[pos[q]];
                kv[nk] = v;
                kr[nk] = row[q];
                nk += v != 0.0f;
            }
            if (nk && !any && a != dwc) {
                for (int64_t c = 0; c < m; c++) a[c] = dwc[c];
                any = 1;
            }
            for (int k = 0; k < nk; k++) {
                const float v = kv[k];
                const float *restrict dzr = dz + kr[k] * m;
                if (k + 4 < nk)
                    for (int64_t c = 0; c < m; c += 16) __builtin_prefetch(dz + kr[k + 4] * m + c);
                for (int64_t c = 0; c < m; c++) a[c] += v * dzr[c];
            }
        }
        if (any)
            for (int64_t c = 0; c < m; c++) dwc[c] = a[c];
    }
}
GAT_INLINE void gat_spmm_dw_cols_inline(float *dw, const gat_csc_index *t, const float *val, const float *dz, int64_t m,
                                        int64_t c0, int64_t c1) {
    if (m == 64) gat_spmm_dw_cols_m(dw, t, val, dz, 64, c0, c1);
    else gat_spmm_dw_cols_m(dw, t, val, dz, m, c0, c1);
}
void gat_spmm_dw_cols(float *dw, const gat_csc_index *t, const float *val, const float *dz, int64_t m, int64_t c0,
                      int64_t c1);

#endif
