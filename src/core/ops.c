/* ops.c - forward/backward kernels of the GAT layer (see ops.h). */
#include "gat/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gat/rng.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef GAT_HAVE_BLAS
#include <cblas.h>
#endif

/* Rows per block of the fixed partitions used for reductions and BLAS calls. The blocks
 * never depend on the number of threads, which keeps results bit-identical. */
#define ROW_BLOCK 256

int gat_set_threads(int n) {
#ifdef GAT_HAVE_BLAS
    openblas_set_num_threads(1); /* our threads call BLAS on fixed blocks */
#endif
#ifdef _OPENMP
    if (n <= 0) n = omp_get_num_procs();
    omp_set_num_threads(n);
    return n;
#else
    (void)n;
    return 1;
#endif
}

/* ---- dropout ---- */

static inline uint32_t keep_threshold(float p) {
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}

/* Keep-bits for elements [begin, end) of stream key: one 64-bit hash serves an aligned pair
 * of elements, exactly as gat_rng_u32 defines them. */
static void mask_range(uint8_t *mask /* indexed from begin */, uint64_t key, size_t begin, size_t end, uint32_t thr) {
    size_t i = begin;
    if (i < end && (i & 1)) { mask[0] = gat_rng_u32(key, i) >= thr; i++; }
    for (; i + 1 < end; i += 2) {
        uint64_t r = gat_mix64(key ^ ((uint64_t)(i >> 1) * 0xd1b54a32d192ed03ull));
        mask[i - begin] = (uint32_t)r >= thr;
        mask[i + 1 - begin] = (uint32_t)(r >> 32) >= thr;
    }
    if (i < end) mask[i - begin] = gat_rng_u32(key, i) >= thr;
}

/* e^x for the softmax and ELU: Cephes' expf (Cody-Waite reduction, degree-6 polynomial),
 * relative error about 1e-7 over the range used, with no branches so loops over it
 * vectorize (libm's expf does not, without -ffast-math). */
static inline float fast_expf(float x) {
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

void gat_dropout_forward(float *x, uint8_t *mask, size_t n, float p, uint64_t key) {
    if (p <= 0.0f) return;
    const uint32_t thr = keep_threshold(p);
    const float scale = 1.0f / (1.0f - p);
    const size_t block = 4096;
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < (n + block - 1) / block; b++) {
        size_t i0 = b * block, i1 = i0 + block < n ? i0 + block : n;
        mask_range(mask + i0, key, i0, i1, thr);
        for (size_t i = i0; i < i1; i++) x[i] = mask[i] ? x[i] * scale : 0.0f;
    }
}

void gat_dropout_rows_forward(float *x, uint8_t *mask, int64_t rows, int64_t width, float p, uint64_t key,
                              const int64_t *node_ids) {
    if (p <= 0.0f) return;
    if (!node_ids) {
        gat_dropout_forward(x, mask, (size_t)(rows * width), p, key);
        return;
    }
    const uint32_t thr = keep_threshold(p);
    const float scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const size_t g0 = (size_t)node_ids[r] * (size_t)width;
        uint8_t *mk = mask + r * width;
        float *xr = x + r * width;
        mask_range(mk, key, g0, g0 + (size_t)width, thr);
        for (int64_t c = 0; c < width; c++) xr[c] = mk[c] ? xr[c] * scale : 0.0f;
    }
}

void gat_dropout_csr_forward(float *val, uint8_t *mask, const gat_csr *x, float p, uint64_t key,
                             const int64_t *node_ids) {
    if (p <= 0.0f) return;
    const uint32_t thr = keep_threshold(p);
    const float scale = 1.0f / (1.0f - p);
    const uint64_t width = (uint64_t)x->n_cols;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < x->n_rows; r++) {
        const uint64_t g0 = (uint64_t)(node_ids ? node_ids[r] : r) * width;
        for (int64_t q = x->row_ptr[r]; q < x->row_ptr[r + 1]; q++) {
            mask[q] = gat_rng_u32(key, g0 + (uint64_t)x->col_idx[q]) >= thr;
            val[q] = mask[q] ? val[q] * scale : 0.0f;
        }
    }
}

void gat_dropout_backward(float *dx, const uint8_t *mask, size_t n, float p) {
    if (p <= 0.0f) return;
    const float scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) dx[i] = mask[i] ? dx[i] * scale : 0.0f;
}

/* ---- dense projection ---- */

void gat_matmul_forward(float *z, const float *x, const float *w, int64_t n, int64_t k, int64_t m) {
    int64_t nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; b++) {
        int64_t r0 = b * ROW_BLOCK, rows = n - r0 < ROW_BLOCK ? n - r0 : ROW_BLOCK;
#ifdef GAT_HAVE_BLAS
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)m, (int)k, 1.0f, x + r0 * k, (int)k,
                    w, (int)m, 0.0f, z + r0 * m, (int)m);
#else
        for (int64_t r = r0; r < r0 + rows; r++) {
            float *zr = z + r * m;
            memset(zr, 0, (size_t)m * sizeof *zr);
            for (int64_t q = 0; q < k; q++) {
                float xv = x[r * k + q];
                if (xv == 0.0f) continue;
                const float *wq = w + q * m;
                for (int64_t c = 0; c < m; c++) zr[c] += xv * wq[c];
            }
        }
#endif
    }
}

void gat_matmul_backward(float *dx, float *dw, const float *dz, const float *x, const float *w, int64_t n, int64_t k,
                         int64_t m) {
    /* dw (K, M) += x^T dz: blocks of rows of dw, each a full sum over the nodes. */
    int64_t kb = (k + 63) / 64;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < kb; b++) {
        int64_t q0 = b * 64, qs = k - q0 < 64 ? k - q0 : 64;
#ifdef GAT_HAVE_BLAS
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)qs, (int)m, (int)n, 1.0f, x + q0, (int)k, dz, (int)m,
                    1.0f, dw + q0 * m, (int)m);
#else
        for (int64_t r = 0; r < n; r++)
            for (int64_t q = q0; q < q0 + qs; q++) {
                float xv = x[r * k + q];
                if (xv == 0.0f) continue;
                for (int64_t c = 0; c < m; c++) dw[q * m + c] += xv * dz[r * m + c];
            }
#endif
    }
    if (!dx) return;
    int64_t nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; b++) {
        int64_t r0 = b * ROW_BLOCK, rows = n - r0 < ROW_BLOCK ? n - r0 : ROW_BLOCK;
#ifdef GAT_HAVE_BLAS
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)k, (int)m, 1.0f, dz + r0 * m, (int)m, w,
                    (int)m, 1.0f, dx + r0 * k, (int)k);
#else
        for (int64_t r = r0; r < r0 + rows; r++)
            for (int64_t q = 0; q < k; q++) {
                float s = 0.0f;
                for (int64_t c = 0; c < m; c++) s += dz[r * m + c] * w[q * m + c];
                dx[r * k + q] += s;
            }
#endif
    }
}

/* ---- sparse projection ---- */

void gat_nodeset_free(gat_nodeset *s) {
    if (!s) return;
    free(s->ids);
    free(s->member);
    memset(s, 0, sizeof *s);
}

int gat_csc_index_build(gat_csc_index *t, const gat_csr *x, gat_error *err) {
    return gat_csc_index_build_rows(t, x, NULL, err);
}

int gat_csc_index_build_rows(gat_csc_index *t, const gat_csr *x, const gat_nodeset *rows, gat_error *err) {
    memset(t, 0, sizeof *t);
    t->n_cols = x->n_cols;
    t->col_ptr = calloc((size_t)x->n_cols + 1, sizeof *t->col_ptr);
    t->pos = malloc(((size_t)x->nnz + 1) * sizeof *t->pos);
    t->row = malloc(((size_t)x->nnz + 1) * sizeof *t->row);
    int64_t *fill = malloc(((size_t)x->n_cols + 1) * sizeof *fill);
    if (!t->col_ptr || !t->pos || !t->row || !fill) {
        free(fill);
        gat_csc_index_free(t);
        return gat_error_set(err, GAT_ENOMEM, "features: out of memory for the column index");
    }
    for (int64_t r = 0; r < x->n_rows; r++)
        if (!rows || rows->member[r])
            for (int64_t p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++) t->col_ptr[x->col_idx[p] + 1]++;
    for (int64_t c = 0; c < x->n_cols; c++) t->col_ptr[c + 1] += t->col_ptr[c];
    memcpy(fill, t->col_ptr, (size_t)x->n_cols * sizeof *fill);
    for (int64_t r = 0; r < x->n_rows; r++)
        if (!rows || rows->member[r])
        for (int64_t p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++) {
            int64_t q = fill[x->col_idx[p]]++;
            t->pos[q] = p;
            t->row[q] = r;
        }
    free(fill);
    return GAT_OK;
}

void gat_csc_index_free(gat_csc_index *t) {
    if (!t) return;
    free(t->col_ptr);
    free(t->pos);
    free(t->row);
    memset(t, 0, sizeof *t);
}

void gat_spmm_forward(float *z, const gat_csr *x, const float *val, const float *w, int64_t m,
                      const gat_nodeset *rows) {
    const int64_t count = rows ? rows->n : x->n_rows;
#pragma omp parallel for schedule(dynamic, 64)
    for (int64_t k = 0; k < count; k++) {
        const int64_t r = rows ? rows->ids[k] : k;
        float *restrict zr = z + r * m;
        memset(zr, 0, (size_t)m * sizeof *zr);
        for (int64_t p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++) {
            float v = val[p];
            if (v == 0.0f) continue;
            const float *restrict wr = w + (int64_t)x->col_idx[p] * m;
            for (int64_t c = 0; c < m; c++) zr[c] += v * wr[c];
        }
    }
}

void gat_spmm_backward(float *dw, const gat_csc_index *t, const float *val, const float *dz, int64_t m) {
#pragma omp parallel for schedule(dynamic, 32)
    for (int64_t col = 0; col < t->n_cols; col++) {
        float *restrict dwc = dw + col * m;
        for (int64_t q = t->col_ptr[col]; q < t->col_ptr[col + 1]; q++) {
            float v = val[t->pos[q]];
            if (v == 0.0f) continue;
            const float *restrict dzr = dz + t->row[q] * m;
            for (int64_t c = 0; c < m; c++) dwc[c] += v * dzr[c];
        }
    }
}

/* ---- attention scores ---- */

void gat_scores_forward(float *s_src, float *s_dst, const float *z, const float *a_src, const float *a_dst, int64_t n,
                        int64_t h, int64_t f) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t hh = 0; hh < h; hh++) {
            const float *zr = z + (r * h + hh) * f;
            float a = 0.0f, b = 0.0f;
            for (int64_t c = 0; c < f; c++) {
                a += zr[c] * a_src[hh * f + c];
                b += zr[c] * a_dst[hh * f + c];
            }
            s_src[r * h + hh] = a;
            s_dst[r * h + hh] = b;
        }
}

void gat_scores_backward(float *dz, float *da_src, float *da_dst, const float *ds_src, const float *ds_dst,
                         const float *z, const float *a_src, const float *a_dst, int64_t n, int64_t h, int64_t f) {
    const int64_t m = h * f, nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    float *part = calloc((size_t)(nb * 2 * m), sizeof *part);
    GAT_ASSERT(part != NULL);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; b++) {
        float *ps = part + b * 2 * m, *pd = ps + m;
        int64_t r1 = (b + 1) * ROW_BLOCK < n ? (b + 1) * ROW_BLOCK : n;
        for (int64_t r = b * ROW_BLOCK; r < r1; r++)
            for (int64_t hh = 0; hh < h; hh++) {
                float gs = ds_src[r * h + hh], gd = ds_dst[r * h + hh];
                const float *zr = z + r * m + hh * f;
                float *dzr = dz + r * m + hh * f;
                for (int64_t c = 0; c < f; c++) {
                    dzr[c] += gs * a_src[hh * f + c] + gd * a_dst[hh * f + c];
                    ps[hh * f + c] += gs * zr[c];
                    pd[hh * f + c] += gd * zr[c];
                }
            }
    }
    for (int64_t b = 0; b < nb; b++)
        for (int64_t c = 0; c < m; c++) {
            da_src[c] += part[b * 2 * m + c];
            da_dst[c] += part[b * 2 * m + m + c];
        }
    free(part);
}

/* ---- attention ---- */

/* o[hh*f + c] += coef[hh] * z[hh*f + c]: one neighbour's contribution to every head. */
static inline __attribute__((always_inline)) void axpy_heads(float *restrict o, const float *restrict z,
                                                             const float *restrict coef, int64_t h, int64_t f) {
    for (int64_t hh = 0; hh < h; hh++)
        for (int64_t c = 0; c < f; c++) o[hh * f + c] += coef[hh] * z[hh * f + c];
}

/* out[hh] = sum_c a[hh*f + c] * b[hh*f + c]: per-head inner products. */
static inline __attribute__((always_inline)) void dot_heads(float *restrict out, const float *restrict a,
                                                            const float *restrict b, int64_t h, int64_t f) {
    for (int64_t hh = 0; hh < h; hh++) {
        float s = 0.0f;
        for (int64_t c = 0; c < f; c++) s += a[hh * f + c] * b[hh * f + c];
        out[hh] = s;
    }
}

/* Softmax, dropout and aggregation for target node i. Inlined into callers that fix f at
 * compile time (f = 8 is the common case), so the feature loops become single vector ops. */
static inline __attribute__((always_inline)) void attention_node(
    int64_t i, float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src, const float *s_dst,
    const float *z, int64_t h, int64_t f, float slope, float p, uint32_t thr, float scale, uint64_t key) {
    float mx[GAT_MAX_HEADS], sum[GAT_MAX_HEADS];
    const int64_t m = h * f, p0 = g->row_ptr[i], p1 = g->row_ptr[i + 1];
    const float *sd = s_dst + i * h;
    for (int64_t hh = 0; hh < h; hh++) { mx[hh] = -INFINITY; sum[hh] = 0.0f; }
    for (int64_t q = p0; q < p1; q++) {
        const float *ss = s_src + g->src[q] * h;
        float *e = att + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float v = ss[hh] + sd[hh];
            v = v > 0.0f ? v : slope * v;
            e[hh] = v;
            mx[hh] = v > mx[hh] ? v : mx[hh];
        }
    }
    for (int64_t q = p0; q < p1; q++) {
        float *e = att + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float v = fast_expf(e[hh] - mx[hh]);
            e[hh] = v;
            sum[hh] += v;
        }
    }
    for (int64_t hh = 0; hh < h; hh++) sum[hh] = 1.0f / sum[hh];
    for (int64_t q = p0; q < p1; q++)
        for (int64_t hh = 0; hh < h; hh++) att[q * h + hh] *= sum[hh];
    if (p > 0.0f) mask_range(att_mask + p0 * h, key, (size_t)(p0 * h), (size_t)(p1 * h), thr);
    float *o = out + i * m, coef[GAT_MAX_HEADS];
    for (int64_t c = 0; c < m; c++) o[c] = 0.0f;
    for (int64_t q = p0; q < p1; q++) {
        for (int64_t hh = 0; hh < h; hh++) {
            float a = att[q * h + hh];
            coef[hh] = p > 0.0f ? (att_mask[q * h + hh] ? a * scale : 0.0f) : a;
        }
        axpy_heads(o, z + g->src[q] * m, coef, h, f);
    }
}

void gat_attention_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src,
                           const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                           uint64_t key, const gat_nodeset *targets) {
    const int64_t count = targets ? targets->n : g->n;
    GAT_ASSERT(h <= GAT_MAX_HEADS);
    const uint32_t thr = p > 0.0f ? keep_threshold(p) : 0;
    const float scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f;
    if (h == 8 && f == 8) {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_node(targets ? targets->ids[k] : k, out, att, att_mask, g, s_src, s_dst, z, 8, 8, slope, p, thr, scale, key);
    } else if (f == 8) {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_node(targets ? targets->ids[k] : k, out, att, att_mask, g, s_src, s_dst, z, h, 8, slope, p, thr, scale, key);
    } else {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_node(targets ? targets->ids[k] : k, out, att, att_mask, g, s_src, s_dst, z, h, f, slope, p, thr, scale, key);
    }
}

/* Backward pass 1 for target i: gradient of the attention logits into scratch, and ds_dst. */
static inline __attribute__((always_inline)) void attention_grad_target(
    int64_t i, float *ds_dst, float *scratch, const float *dout, const gat_graph *g, const float *att,
    const uint8_t *att_mask, const float *s_src, const float *s_dst, const float *z, int64_t h, int64_t f, float slope,
    float p, float scale) {
    float dot[GAT_MAX_HEADS];
    const int64_t m = h * f, p0 = g->row_ptr[i], p1 = g->row_ptr[i + 1];
    const float *di = dout + i * m;
    for (int64_t hh = 0; hh < h; hh++) dot[hh] = 0.0f;
    for (int64_t q = p0; q < p1; q++) {
        float *dq = scratch + q * h;
        dot_heads(dq, di, z + g->src[q] * m, h, f);
        for (int64_t hh = 0; hh < h; hh++) {
            float s = dq[hh];
            if (p > 0.0f) s = att_mask[q * h + hh] ? s * scale : 0.0f;
            dq[hh] = s; /* d loss / d att (before dropout) */
            dot[hh] += s * att[q * h + hh];
        }
    }
    const float *sd = s_dst + i * h;
    for (int64_t q = p0; q < p1; q++) {
        const float *ss = s_src + g->src[q] * h;
        float *dq = scratch + q * h;
        for (int64_t hh = 0; hh < h; hh++) {
            float de = att[q * h + hh] * (dq[hh] - dot[hh]);
            float pre = ss[hh] + sd[hh];
            de = pre > 0.0f ? de : slope * de;
            dq[hh] = de;
            ds_dst[i * h + hh] += de;
        }
    }
}

/* Backward pass 2 for source j: dz from the aggregation, and ds_src. */
static inline __attribute__((always_inline)) void attention_grad_source(
    int64_t j, float *dz, float *ds_src, const float *scratch, const float *dout, const gat_graph *g,
    const float *att, const uint8_t *att_mask, const uint8_t *active, int64_t h, int64_t f, float p, float scale) {
    const int64_t m = h * f;
    float coef[GAT_MAX_HEADS];
    for (int64_t t = g->out_ptr[j]; t < g->out_ptr[j + 1]; t++) {
        const int64_t q = g->out_pos[t];
        if (active && !active[g->dst[q]]) continue; /* a target whose output nothing needs */
        for (int64_t hh = 0; hh < h; hh++) {
            float a = att[q * h + hh];
            coef[hh] = p > 0.0f ? (att_mask[q * h + hh] ? a * scale : 0.0f) : a;
            ds_src[j * h + hh] += scratch[q * h + hh];
        }
        axpy_heads(dz + j * m, dout + g->dst[q] * m, coef, h, f);
    }
}

void gat_attention_backward(float *dz, float *ds_src, float *ds_dst, float *scratch, const float *dout,
                            const gat_graph *g, const float *att, const uint8_t *att_mask, const float *s_src,
                            const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                            const gat_nodeset *targets) {
    const int64_t count = targets ? targets->n : g->n;
    const uint8_t *active = targets ? targets->member : NULL;
    GAT_ASSERT(h <= GAT_MAX_HEADS);
    const float scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f;
    if (h == 8 && f == 8) {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_grad_target(targets ? targets->ids[k] : k, ds_dst, scratch, dout, g, att, att_mask, s_src, s_dst, z, 8, 8, slope, p, scale);
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t j = 0; j < g->n; j++)
            attention_grad_source(j, dz, ds_src, scratch, dout, g, att, att_mask, active, 8, 8, p, scale);
    } else if (f == 8) {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_grad_target(targets ? targets->ids[k] : k, ds_dst, scratch, dout, g, att, att_mask, s_src, s_dst, z, h, 8, slope, p, scale);
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t j = 0; j < g->n; j++)
            attention_grad_source(j, dz, ds_src, scratch, dout, g, att, att_mask, active, h, 8, p, scale);
    } else {
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < count; k++)
            attention_grad_target(targets ? targets->ids[k] : k, ds_dst, scratch, dout, g, att, att_mask, s_src, s_dst, z, h, f, slope, p, scale);
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t j = 0; j < g->n; j++)
            attention_grad_source(j, dz, ds_src, scratch, dout, g, att, att_mask, active, h, f, p, scale);
    }
}

/* ---- heads, skip, bias, ELU ---- */

void gat_head_mean_forward(float *y, const float *x, int64_t n, int64_t h, int64_t f) {
    const float inv = 1.0f / (float)h;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t c = 0; c < f; c++) {
            float s = 0.0f;
            for (int64_t hh = 0; hh < h; hh++) s += x[(r * h + hh) * f + c];
            y[r * f + c] = s * inv;
        }
}

void gat_head_mean_backward(float *dx, const float *dy, int64_t n, int64_t h, int64_t f) {
    const float inv = 1.0f / (float)h;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) dx[(r * h + hh) * f + c] += dy[r * f + c] * inv;
}

void gat_skip_identity_forward(float *out, const float *x, int64_t n, int64_t h, int64_t f) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) out[(r * h + hh) * f + c] += x[r * f + c];
}

void gat_skip_identity_backward(float *dx, const float *dout, int64_t n, int64_t h, int64_t f) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) dx[r * f + c] += dout[(r * h + hh) * f + c];
}

void gat_bias_forward(float *y, const float *b, int64_t n, int64_t m) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n; r++)
        for (int64_t c = 0; c < m; c++) y[r * m + c] += b[c];
}

void gat_bias_backward(float *db, const float *dy, int64_t n, int64_t m) {
    const int64_t nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    float *part = calloc((size_t)(nb * m), sizeof *part);
    GAT_ASSERT(part != NULL);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; b++) {
        int64_t r1 = (b + 1) * ROW_BLOCK < n ? (b + 1) * ROW_BLOCK : n;
        for (int64_t r = b * ROW_BLOCK; r < r1; r++)
            for (int64_t c = 0; c < m; c++) part[b * m + c] += dy[r * m + c];
    }
    for (int64_t b = 0; b < nb; b++)
        for (int64_t c = 0; c < m; c++) db[c] += part[b * m + c];
    free(part);
}

void gat_elu_forward(float *y, const float *x, size_t n) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        float v = x[i], e = fast_expf(v) - 1.0f;
        y[i] = v > 0.0f ? v : e;
    }
}

void gat_elu_backward(float *dx, const float *dy, const float *y, size_t n) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + 1.0f);
}

/* ---- losses ---- */

double gat_softmax_xent(const float *logits, int64_t c, const int64_t *labels, const int64_t *idx, int64_t n_idx,
                        float *dlogits, int64_t *n_correct) {
    double loss = 0.0;
    int64_t correct = 0;
    for (int64_t t = 0; t < n_idx; t++) {
        const int64_t r = idx[t];
        const float *l = logits + r * c;
        int64_t best = 0;
        for (int64_t k = 1; k < c; k++)
            if (l[k] > l[best]) best = k;
        double mx = l[best], s = 0.0;
        for (int64_t k = 0; k < c; k++) s += exp((double)l[k] - mx);
        double lse = mx + log(s);
        loss += lse - (double)l[labels[r]];
        correct += best == labels[r];
        if (dlogits)
            for (int64_t k = 0; k < c; k++)
                dlogits[r * c + k] = (float)((exp((double)l[k] - lse) - (k == labels[r])) / (double)n_idx);
    }
    if (n_correct) *n_correct = correct;
    return n_idx ? loss / (double)n_idx : 0.0;
}

double gat_sigmoid_bce(const float *logits, int64_t c, const float *targets, const int64_t *idx, int64_t n_idx,
                       float *dlogits, int64_t *tp, int64_t *fp, int64_t *fn) {
    double loss = 0.0;
    int64_t a = 0, b = 0, d = 0;
    const double denom = (double)n_idx * (double)c;
    for (int64_t t = 0; t < n_idx; t++) {
        const int64_t r = idx[t];
        for (int64_t k = 0; k < c; k++) {
            double x = logits[r * c + k], y = targets[r * c + k];
            /* log(1 + exp(-|x|)) + max(x, 0) - x y: stable for any x */
            loss += fmax(x, 0.0) - x * y + log1p(exp(-fabs(x)));
            int pred = x > 0.0, truth = y > 0.5;
            a += pred && truth;
            b += pred && !truth;
            d += !pred && truth;
            if (dlogits) dlogits[r * c + k] = (float)((1.0 / (1.0 + exp(-x)) - y) / denom);
        }
    }
    if (tp) *tp = a;
    if (fp) *fp = b;
    if (fn) *fn = d;
    return denom > 0 ? loss / denom : 0.0;
}
