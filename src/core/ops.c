/* ops.c - forward/backward kernels of the GAT layer (see ops.h), one op at a time.
 *
 * Every loop runs on the worker pool (pool.h) over fixed chunks, and the per-row work is
 * the shared kernels of kernels.h, the same ones the fused layer passes (layer.c) use. */
#include "gat/ops.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gat/rng.h"
#include "kernels.h"
#include "pool.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef GAT_HAVE_BLAS
#include <cblas.h>
#endif

#define ROW_BLOCK GAT_ROW_BLOCK

#ifdef GAT_HAVE_BLAS
/* Our threads call BLAS on fixed blocks, so OpenBLAS itself must stay on one thread: its own
 * threads would split a product by the core count and change its bits. Set before the first
 * product even when gat_set_threads is never called. */
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_serial(void) { openblas_set_num_threads(1); }
#define BLAS_SERIAL() pthread_once(&blas_once, blas_serial)
#endif

const char *gat_blas_coretype_hint(void) {
#if defined(GAT_HAVE_BLAS) && (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    if (getenv("OPENBLAS_CORETYPE")) return NULL;
    const char *core = openblas_get_corename();
    /* the targets OpenBLAS falls back to for an unknown x86 CPU */
    static const char *const generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai",
                                          "Coppermine", "Northwood", "Banias", "Atom"};
    int fallback = 0;
    for (size_t i = 0; core && i < sizeof generic / sizeof *generic; i++) fallback |= !strcmp(core, generic[i]);
    if (!fallback) return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

void gat_blas_reexec_if_generic(char **argv) {
#ifdef __linux__
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) return; /* valgrind */
    const char *core = gat_blas_coretype_hint();
    if (!core || setenv("OPENBLAS_CORETYPE", core, 1)) return;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* not re-executed: say nothing, keep the loaded kernels */
#else
    (void)argv;
#endif
}

int gat_set_threads(int n) {
#ifdef GAT_HAVE_BLAS
    openblas_set_num_threads(1); /* our threads call BLAS on fixed blocks */
#endif
    if (n <= 0) n = gat_pool_cpus();
    gat_pool_set_threads(n);
#ifdef _OPENMP
    omp_set_num_threads(n); /* t-SNE's loops */
#endif
    return n;
}

/* ---- dropout ---- */

#define DROPOUT_BLOCK 4096

typedef struct {
    float *x;
    uint8_t *mask;
    size_t n;
    uint64_t key;
    uint32_t thr;
    float scale;
} dropout_args;

GAT_HOT_KERNEL static void dropout_fwd_chunk(void *v, int64_t b, int64_t e) {
    const dropout_args *a = v;
    gat_dropout_row(a->x + b, a->mask + b, (size_t)b, (size_t)(e - b), a->key, a->thr, a->scale);
}

GAT_HOT_KERNEL static void dropout_bwd_chunk(void *v, int64_t b, int64_t e) {
    const dropout_args *a = v;
    for (int64_t i = b; i < e; i++) a->x[i] = a->mask[i] ? a->x[i] * a->scale : 0.0f;
}

void gat_dropout_forward(float *x, uint8_t *mask, size_t n, float p, uint64_t key) {
    if (p <= 0.0f) return;
    dropout_args a = {x, mask, n, key, gat_keep_threshold(p), 1.0f / (1.0f - p)};
    gat_pool_for((int64_t)n, DROPOUT_BLOCK, dropout_fwd_chunk, &a);
}

typedef struct {
    float *x;
    uint8_t *mask;
    const gat_csr *csr;
    int64_t width;
    uint64_t key;
    uint32_t thr;
    float scale;
    const int64_t *node_ids;
} dropout_rows_args;

GAT_HOT_KERNEL static void dropout_rows_chunk(void *v, int64_t b, int64_t e) {
    const dropout_rows_args *a = v;
    const int64_t w = a->width;
    for (int64_t r = b; r < e; r++) {
        const size_t g0 = (size_t)a->node_ids[r] * (size_t)w;
        gat_dropout_row(a->x + r * w, a->mask + r * w, g0, (size_t)w, a->key, a->thr, a->scale);
    }
}

void gat_dropout_rows_forward(float *x, uint8_t *mask, int64_t rows, int64_t width, float p, uint64_t key,
                              const int64_t *node_ids) {
    if (p <= 0.0f) return;
    if (!node_ids) {
        gat_dropout_forward(x, mask, (size_t)(rows * width), p, key);
        return;
    }
    dropout_rows_args a = {.x = x, .mask = mask, .width = width, .key = key, .thr = gat_keep_threshold(p),
                           .scale = 1.0f / (1.0f - p), .node_ids = node_ids};
    gat_pool_for(rows, 64, dropout_rows_chunk, &a);
}

GAT_HOT_KERNEL static void dropout_csr_chunk(void *v, int64_t b, int64_t e) {
    const dropout_rows_args *a = v;
    const gat_csr *x = a->csr;
    const uint64_t width = (uint64_t)x->n_cols;
    for (int64_t r = b; r < e; r++) {
        const uint64_t g0 = (uint64_t)(a->node_ids ? a->node_ids[r] : r) * width;
        for (int64_t q = x->row_ptr[r]; q < x->row_ptr[r + 1]; q++) {
            a->mask[q] = gat_rng_u32(a->key, g0 + (uint64_t)x->col_idx[q]) >= a->thr;
            a->x[q] = a->mask[q] ? a->x[q] * a->scale : 0.0f;
        }
    }
}

void gat_dropout_csr_forward(float *val, uint8_t *mask, const gat_csr *x, float p, uint64_t key,
                             const int64_t *node_ids) {
    if (p <= 0.0f) return;
    dropout_rows_args a = {.x = val, .mask = mask, .csr = x, .key = key, .thr = gat_keep_threshold(p),
                           .scale = 1.0f / (1.0f - p), .node_ids = node_ids};
    gat_pool_for(x->n_rows, 64, dropout_csr_chunk, &a);
}

void gat_dropout_backward(float *dx, const uint8_t *mask, size_t n, float p) {
    if (p <= 0.0f) return;
    dropout_args a = {dx, (uint8_t *)mask, n, 0, 0, 1.0f / (1.0f - p)};
    gat_pool_for((int64_t)n, DROPOUT_BLOCK, dropout_bwd_chunk, &a);
}

/* ---- dense projection ---- */

/* z[r0 .. r0+rows) = x[r0 .. r0+rows) w, or += when beta is 1 (no BLAS: plain loops). */
void gat_gemm_rows(float *z, const float *x, const float *w, int64_t rows, int64_t k, int64_t m, float beta) {
#ifdef GAT_HAVE_BLAS
    BLAS_SERIAL();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)m, (int)k, 1.0f, x, (int)k, w, (int)m,
                beta, z, (int)m);
#else
    for (int64_t r = 0; r < rows; r++) {
        float *zr = z + r * m;
        if (beta == 0.0f) memset(zr, 0, (size_t)m * sizeof *zr);
        for (int64_t q = 0; q < k; q++) {
            float xv = x[r * k + q];
            if (xv == 0.0f) continue;
            const float *wq = w + q * m;
            for (int64_t c = 0; c < m; c++) zr[c] += xv * wq[c];
        }
    }
#endif
}

/* dw[q0 .. q0+qs) (K rows) += x[:, q0 .. q0+qs)^T dz over all n rows. */
void gat_gemm_tn_cols(float *dw, const float *x, const float *dz, int64_t n, int64_t k, int64_t m, int64_t q0,
                      int64_t qs) {
#ifdef GAT_HAVE_BLAS
    BLAS_SERIAL();
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

/* dx[rows] += dz[rows] w^T. */
void gat_gemm_nt_rows(float *dx, const float *dz, const float *w, int64_t rows, int64_t k, int64_t m) {
#ifdef GAT_HAVE_BLAS
    BLAS_SERIAL();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)k, (int)m, 1.0f, dz, (int)m, w, (int)m, 1.0f,
                dx, (int)k);
#else
    for (int64_t r = 0; r < rows; r++)
        for (int64_t q = 0; q < k; q++) {
            float s = 0.0f;
            for (int64_t c = 0; c < m; c++) s += dz[r * m + c] * w[q * m + c];
            dx[r * k + q] += s;
        }
#endif
}

typedef struct {
    float *z, *dx, *dw;
    const float *x, *w, *dz;
    int64_t n, k, m;
} matmul_args;

GAT_HOT_KERNEL static void matmul_fwd_chunk(void *v, int64_t b, int64_t e) {
    const matmul_args *a = v;
    gat_gemm_rows(a->z + b * a->m, a->x + b * a->k, a->w, e - b, a->k, a->m, 0.0f);
}

GAT_HOT_KERNEL static void matmul_dw_chunk(void *v, int64_t b, int64_t e) {
    const matmul_args *a = v;
    gat_gemm_tn_cols(a->dw, a->x, a->dz, a->n, a->k, a->m, b, e - b);
}

GAT_HOT_KERNEL static void matmul_dx_chunk(void *v, int64_t b, int64_t e) {
    const matmul_args *a = v;
    gat_gemm_nt_rows(a->dx + b * a->k, a->dz + b * a->m, a->w, e - b, a->k, a->m);
}

void gat_matmul_forward(float *z, const float *x, const float *w, int64_t n, int64_t k, int64_t m) {
    matmul_args a = {.z = z, .x = x, .w = w, .n = n, .k = k, .m = m};
    gat_pool_for(n, ROW_BLOCK, matmul_fwd_chunk, &a);
}

void gat_matmul_backward(float *dx, float *dw, const float *dz, const float *x, const float *w, int64_t n, int64_t k,
                         int64_t m) {
    /* dw (K, M) += x^T dz: blocks of 64 rows of dw, each a full sum over the nodes. */
    matmul_args a = {.dx = dx, .dw = dw, .x = x, .w = w, .dz = dz, .n = n, .k = k, .m = m};
    gat_pool_for(k, 64, matmul_dw_chunk, &a);
    if (dx) gat_pool_for(n, ROW_BLOCK, matmul_dx_chunk, &a);
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

typedef struct {
    float *z, *dw;
    const gat_csr *x;
    const gat_csc_index *t;
    const float *val, *w, *dz;
    int64_t m;
    const gat_nodeset *rows;
} spmm_args;

GAT_HOT_KERNEL static void spmm_fwd_chunk(void *v, int64_t b, int64_t e) {
    const spmm_args *a = v;
    const int64_t m = a->m;
    for (int64_t k = b; k < e; k++) {
        const int64_t r = a->rows ? a->rows->ids[k] : k;
        float *restrict zr = a->z + r * m;
        memset(zr, 0, (size_t)m * sizeof *zr);
        for (int64_t p = a->x->row_ptr[r]; p < a->x->row_ptr[r + 1]; p++) {
            float v = a->val[p];
            if (v == 0.0f) continue;
            const float *restrict wr = a->w + (int64_t)a->x->col_idx[p] * m;
            for (int64_t c = 0; c < m; c++) zr[c] += v * wr[c];
        }
    }
}

/* dw[col] += sum over the column's entries of val * dz[row]; dropped (zero) entries cost nothing. */
void gat_spmm_dw_cols(float *dw, const gat_csc_index *t, const float *val, const float *dz, int64_t m, int64_t c0,
                      int64_t c1) {
    gat_spmm_dw_cols_inline(dw, t, val, dz, m, c0, c1);
}

GAT_HOT_KERNEL static void spmm_bwd_chunk(void *v, int64_t b, int64_t e) {
    const spmm_args *a = v;
    gat_spmm_dw_cols_inline(a->dw, a->t, a->val, a->dz, a->m, b, e);
}

void gat_spmm_forward(float *z, const gat_csr *x, const float *val, const float *w, int64_t m,
                      const gat_nodeset *rows) {
    spmm_args a = {.z = z, .x = x, .val = val, .w = w, .m = m, .rows = rows};
    gat_pool_for(rows ? rows->n : x->n_rows, 64, spmm_fwd_chunk, &a);
}

void gat_spmm_backward(float *dw, const gat_csc_index *t, const float *val, const float *dz, int64_t m) {
    spmm_args a = {.dw = dw, .t = t, .val = val, .dz = dz, .m = m};
    gat_pool_for(t->n_cols, 32, spmm_bwd_chunk, &a);
}

/* ---- attention scores ---- */

typedef struct {
    int64_t h, f;
    float *s_src, *s_dst, *dz, *part;
    const float *z, *a_src, *a_dst, *ds_src, *ds_dst;
    int64_t n;
} scores_args;

GAT_INLINE void scores_fwd_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const scores_args *a = v;
    for (int64_t r = b; r < e; r++)
        gat_scores_row(a->s_src + r * h, a->s_dst + r * h, a->z + r * h * f, a->a_src, a->a_dst, h, f);
}
GAT_SHAPED(scores_fwd);

void gat_scores_forward(float *s_src, float *s_dst, const float *z, const float *a_src, const float *a_dst, int64_t n,
                        int64_t h, int64_t f) {
    scores_args a = {.h = h, .f = f, .s_src = s_src, .s_dst = s_dst, .z = z, .a_src = a_src, .a_dst = a_dst, .n = n};
    gat_pool_for(n, 64, scores_fwd_fns[gat_shape_of(h, f)], &a);
}

/* One block of rows: dz += ds_src a_src + ds_dst a_dst, the block's partial da sums. */
GAT_INLINE void scores_bwd_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const scores_args *a = v;
    const int64_t m = h * f;
    float *ps = a->part + (b / ROW_BLOCK) * 2 * m, *pd = ps + m;
    for (int64_t r = b; r < e; r++)
        for (int64_t hh = 0; hh < h; hh++) {
            float gs = a->ds_src[r * h + hh], gd = a->ds_dst[r * h + hh];
            const float *zr = a->z + r * m + hh * f;
            float *dzr = a->dz + r * m + hh * f;
            for (int64_t c = 0; c < f; c++) {
                dzr[c] += gs * a->a_src[hh * f + c] + gd * a->a_dst[hh * f + c];
                ps[hh * f + c] += gs * zr[c];
                pd[hh * f + c] += gd * zr[c];
            }
        }
}
GAT_SHAPED(scores_bwd);

void gat_scores_backward(float *dz, float *da_src, float *da_dst, const float *ds_src, const float *ds_dst,
                         const float *z, const float *a_src, const float *a_dst, int64_t n, int64_t h, int64_t f) {
    const int64_t m = h * f, nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    float *part = calloc((size_t)(nb * 2 * m), sizeof *part);
    GAT_ASSERT(part != NULL);
    scores_args a = {.h = h, .f = f, .dz = dz, .part = part, .z = z, .a_src = a_src, .a_dst = a_dst,
                     .ds_src = ds_src, .ds_dst = ds_dst, .n = n};
    gat_pool_for(n, ROW_BLOCK, scores_bwd_fns[gat_shape_of(h, f)], &a);
    for (int64_t b = 0; b < nb; b++)
        for (int64_t c = 0; c < m; c++) {
            da_src[c] += part[b * 2 * m + c];
            da_dst[c] += part[b * 2 * m + m + c];
        }
    free(part);
}

/* ---- attention ---- */

typedef struct {
    int64_t h, f;
    gat_att_fwd A;
    gat_att_bwd B;
    float *out, *dz, *ds_src, *ds_dst;
    const int64_t *ids;                /* targets or NULL */
} att_args;

GAT_INLINE void att_fwd_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const att_args *a = v;
    for (int64_t k = b; k < e; k++) {
        const int64_t i = a->ids ? a->ids[k] : k;
        gat_attention_row(&a->A, i, a->out + i * h * f, h, f);
    }
}
GAT_SHAPED(att_fwd);

void gat_attention_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src,
                           const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                           uint64_t key, const gat_nodeset *targets) {
    GAT_ASSERT(h <= GAT_MAX_HEADS);
    att_args a = {.h = h, .f = f, .out = out, .ids = targets ? targets->ids : NULL};
    a.A = (gat_att_fwd){.row_ptr = g->row_ptr, .src = g->src, .s_src = s_src, .s_dst = s_dst, .z = z, .att = att,
                        .att_mask = att_mask, .slope = slope, .p = p > 0.0f ? p : 0.0f,
                        .scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f, .thr = p > 0.0f ? gat_keep_threshold(p) : 0,
                        .key = key};
    gat_pool_for(targets ? targets->n : g->n, 64, att_fwd_fns[gat_shape_of(h, f)], &a);
}

GAT_INLINE void att_bwd_target_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const att_args *a = v;
    for (int64_t k = b; k < e; k++) {
        const int64_t i = a->ids ? a->ids[k] : k;
        gat_attention_grad_target(&a->B, i, a->ds_dst + i * h, 1, h, f);
    }
}
GAT_SHAPED(att_bwd_target);

GAT_INLINE void att_bwd_source_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const att_args *a = v;
    for (int64_t j = b; j < e; j++) gat_attention_grad_source(&a->B, j, a->dz + j * h * f, a->ds_src + j * h, 1, h, f);
}
GAT_SHAPED(att_bwd_source);

void gat_attention_backward(float *dz, float *ds_src, float *ds_dst, float *scratch, const float *dout,
                            const gat_graph *g, const float *att, const uint8_t *att_mask, const float *s_src,
                            const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                            const gat_nodeset *targets) {
    GAT_ASSERT(h <= GAT_MAX_HEADS);
    att_args a = {.h = h, .f = f, .dz = dz, .ds_src = ds_src, .ds_dst = ds_dst, .ids = targets ? targets->ids : NULL};
    a.B = (gat_att_bwd){.row_ptr = g->row_ptr, .src = g->src, .dst = g->dst, .out_ptr = g->out_ptr,
                        .out_pos = g->out_pos, .att = att, .att_mask = att_mask, .s_src = s_src, .s_dst = s_dst,
                        .z = z, .dout = dout, .scratch = scratch, .active = targets ? targets->member : NULL,
                        .slope = slope, .p = p > 0.0f ? p : 0.0f, .scale = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f};
    const int shape = gat_shape_of(h, f);
    gat_pool_for(targets ? targets->n : g->n, 64, att_bwd_target_fns[shape], &a);
    gat_pool_for(g->n, 64, att_bwd_source_fns[shape], &a);
}

/* ---- heads, skip, bias, ELU ---- */

typedef struct {
    float *y;
    const float *x, *b;
    int64_t h, f, m;
    float *part;
} rows_args;

GAT_HOT_KERNEL static void head_mean_fwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    const int64_t h = a->h, f = a->f;
    const float inv = 1.0f / (float)h;
    for (int64_t r = b; r < e; r++)
        for (int64_t c = 0; c < f; c++) {
            float s = 0.0f;
            for (int64_t hh = 0; hh < h; hh++) s += a->x[(r * h + hh) * f + c];
            a->y[r * f + c] = s * inv;
        }
}

GAT_HOT_KERNEL static void head_mean_bwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    const int64_t h = a->h, f = a->f;
    const float inv = 1.0f / (float)h;
    for (int64_t r = b; r < e; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) a->y[(r * h + hh) * f + c] += a->x[r * f + c] * inv;
}

void gat_head_mean_forward(float *y, const float *x, int64_t n, int64_t h, int64_t f) {
    rows_args a = {.y = y, .x = x, .h = h, .f = f};
    gat_pool_for(n, ROW_BLOCK, head_mean_fwd_chunk, &a);
}

void gat_head_mean_backward(float *dx, const float *dy, int64_t n, int64_t h, int64_t f) {
    rows_args a = {.y = dx, .x = dy, .h = h, .f = f};
    gat_pool_for(n, ROW_BLOCK, head_mean_bwd_chunk, &a);
}

GAT_HOT_KERNEL static void skip_fwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    const int64_t h = a->h, f = a->f;
    for (int64_t r = b; r < e; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) a->y[(r * h + hh) * f + c] += a->x[r * f + c];
}

GAT_HOT_KERNEL static void skip_bwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    const int64_t h = a->h, f = a->f;
    for (int64_t r = b; r < e; r++)
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t c = 0; c < f; c++) a->y[r * f + c] += a->x[(r * h + hh) * f + c];
}

void gat_skip_identity_forward(float *out, const float *x, int64_t n, int64_t h, int64_t f) {
    rows_args a = {.y = out, .x = x, .h = h, .f = f};
    gat_pool_for(n, ROW_BLOCK, skip_fwd_chunk, &a);
}

void gat_skip_identity_backward(float *dx, const float *dout, int64_t n, int64_t h, int64_t f) {
    rows_args a = {.y = dx, .x = dout, .h = h, .f = f};
    gat_pool_for(n, ROW_BLOCK, skip_bwd_chunk, &a);
}

GAT_HOT_KERNEL static void bias_fwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    for (int64_t r = b; r < e; r++)
        for (int64_t c = 0; c < a->m; c++) a->y[r * a->m + c] += a->b[c];
}

GAT_HOT_KERNEL static void bias_bwd_chunk(void *v, int64_t b, int64_t e) {
    const rows_args *a = v;
    float *part = a->part + (b / ROW_BLOCK) * a->m;
    for (int64_t r = b; r < e; r++)
        for (int64_t c = 0; c < a->m; c++) part[c] += a->x[r * a->m + c];
}

void gat_bias_forward(float *y, const float *b, int64_t n, int64_t m) {
    rows_args a = {.y = y, .b = b, .m = m};
    gat_pool_for(n, ROW_BLOCK, bias_fwd_chunk, &a);
}

void gat_bias_backward(float *db, const float *dy, int64_t n, int64_t m) {
    const int64_t nb = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    float *part = calloc((size_t)(nb * m), sizeof *part);
    GAT_ASSERT(part != NULL);
    rows_args a = {.x = dy, .m = m, .part = part};
    gat_pool_for(n, ROW_BLOCK, bias_bwd_chunk, &a);
    for (int64_t b = 0; b < nb; b++)
        for (int64_t c = 0; c < m; c++) db[c] += part[b * m + c];
    free(part);
}

typedef struct {
    float *y;
    const float *x, *dy;
} elu_args;

GAT_HOT_KERNEL static void elu_fwd_chunk(void *v, int64_t b, int64_t e) {
    const elu_args *a = v;
    for (int64_t i = b; i < e; i++) {
        float x = a->x[i], ex = gat_expf(x) - 1.0f;
        a->y[i] = x > 0.0f ? x : ex;
    }
}

GAT_HOT_KERNEL static void elu_bwd_chunk(void *v, int64_t b, int64_t e) {
    const elu_args *a = v;
    for (int64_t i = b; i < e; i++) a->y[i] = a->x[i] > 0.0f ? a->dy[i] : a->dy[i] * (a->x[i] + 1.0f);
}

void gat_elu_forward(float *y, const float *x, size_t n) {
    elu_args a = {.y = y, .x = x};
    gat_pool_for((int64_t)n, DROPOUT_BLOCK, elu_fwd_chunk, &a);
}

void gat_elu_backward(float *dx, const float *dy, const float *y, size_t n) {
    elu_args a = {.y = dx, .x = y, .dy = dy};
    gat_pool_for((int64_t)n, DROPOUT_BLOCK, elu_bwd_chunk, &a);
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
