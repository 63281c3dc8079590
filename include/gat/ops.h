/* ops.h - the operations a GAT is made of, each a forward/backward pair.
 *
 * Plain functions over float arrays with explicit dimensions; the shape of every array is
 * in a comment beside it. Backward functions ADD into gradients (+=), so callers zero them
 * once per step; the exceptions say so beside them: gat_dropout_backward and
 * gat_elu_backward transform a gradient in place (SET), the losses SET dlogits, and
 * gat_attention_backward overwrites its scratch. No backward function may allocate per call
 * in new code: buffers belong with the activations (model.h), so training cannot fail on
 * memory mid-run (gat_scores_backward and gat_bias_backward still allocate their per-block
 * partial sums). Every op is parallel over rows (OpenMP) and deterministic: each output
 * element is computed by one loop iteration, and every sum over nodes is done in fixed
 * chunks added in a fixed order, so results are bit-identical for any number of threads.
 *
 * Notation: N nodes, H heads, F features per head, K input width, M = H*F, nnz graph
 * entries (edges plus self loops, see graph.h). */
#ifndef GAT_OPS_H
#define GAT_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "gat/graph.h"
#include "gat/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_MAX_HEADS 64

/* A subset of the nodes: ids in increasing order and a membership flag per node. Kernels
 * that take one compute only those rows; NULL means every node. */
typedef struct gat_nodeset {
    int64_t n;
    int64_t *ids;                      /* (n) */
    uint8_t *member;                   /* (N) 1 for members */
} gat_nodeset;
void gat_nodeset_free(gat_nodeset *s);

/* ---- dropout (inverted: kept elements are scaled by 1/(1-p)) ----
 * mask[i] = 1 when element i is kept; drawn from stream key (rng.h), so the mask depends
 * only on (key, i). p == 0 keeps everything and leaves mask untouched (may be NULL). */
void gat_dropout_forward(float *x /* (n) in place */, uint8_t *mask /* (n) out */, size_t n, float p, uint64_t key);
/* SETS dx[i] = mask[i] ? dx[i] / (1 - p) : 0, in place (not an accumulation). */
void gat_dropout_backward(float *dx /* (n) in place */, const uint8_t *mask /* (n) */, size_t n, float p);
/* Dropout on a (rows, width) matrix whose row r is global node node_ids[r] (node_ids NULL:
 * row r is node r). Element (r, c) is keyed by (key, node_ids[r] * width + c): the mask of a
 * node does not depend on which other rows are in the batch or in what order, and with
 * node_ids NULL it is exactly gat_dropout_forward over rows * width elements. */
void gat_dropout_rows_forward(float *x /* (rows, width) in place */, uint8_t *mask /* (rows, width) out */,
                              int64_t rows, int64_t width, float p, uint64_t key, const int64_t *node_ids);
/* Dropout on the stored values of a CSR matrix x with x->n_cols columns: stored entry q at
 * (row r, column c) is keyed by (key, node_ids[r] * n_cols + c), the index the dense matrix
 * would give that element, so a sparse and a dense copy of the same data get the same mask.
 * Duplicated (r, c) entries share one draw. */
void gat_dropout_csr_forward(float *val /* (nnz) in place */, uint8_t *mask /* (nnz) out */, const gat_csr *x,
                             float p, uint64_t key, const int64_t *node_ids);

/* ---- dense projection z = x w ---- */
void gat_matmul_forward(float *z /* (N, M) */, const float *x /* (N, K) */, const float *w /* (K, M) */,
                        int64_t n, int64_t k, int64_t m);
/* dw += x^T dz; dx += dz w^T (dx may be NULL). */
void gat_matmul_backward(float *dx /* (N, K) or NULL */, float *dw /* (K, M) */, const float *dz /* (N, M) */,
                         const float *x /* (N, K) */, const float *w /* (K, M) */, int64_t n, int64_t k, int64_t m);

/* ---- sparse projection z = X w for a CSR input whose values are val (e.g. after dropout) ---- */
/* Column index of a CSR matrix: for column c, the entries pos[col_ptr[c] .. col_ptr[c+1])
 * (positions into the CSR arrays) and their rows. Built once per dataset. */
typedef struct gat_csc_index {
    int64_t n_cols;
    int64_t *col_ptr;                  /* (n_cols + 1) */
    int64_t *pos;                      /* (nnz) */
    int64_t *row;                      /* (nnz) */
} gat_csc_index;
int gat_csc_index_build(gat_csc_index *t, const gat_csr *x, gat_error *err);
/* The same for the rows in `rows` only (NULL: all rows). */
int gat_csc_index_build_rows(gat_csc_index *t, const gat_csr *x, const gat_nodeset *rows, gat_error *err);
void gat_csc_index_free(gat_csc_index *t);

void gat_spmm_forward(float *z /* (N, M) */, const gat_csr *x, const float *val /* (nnz) */,
                      const float *w /* (K, M) */, int64_t m, const gat_nodeset *rows /* or NULL */);
/* dw += X^T dz, gathered column by column through t. */
void gat_spmm_backward(float *dw /* (K, M) */, const gat_csc_index *t, const float *val /* (nnz) */,
                       const float *dz /* (N, M) */, int64_t m);

/* ---- attention scores s_src[n,h] = z[n,h,:].a_src[h,:], s_dst likewise ---- */
void gat_scores_forward(float *s_src /* (N, H) */, float *s_dst /* (N, H) */, const float *z /* (N, H, F) */,
                        const float *a_src /* (H, F) */, const float *a_dst /* (H, F) */, int64_t n, int64_t h, int64_t f);
/* dz += ds_src a_src + ds_dst a_dst; da_src += sum_n ds_src z; da_dst likewise. */
void gat_scores_backward(float *dz /* (N, H, F) */, float *da_src /* (H, F) */, float *da_dst /* (H, F) */,
                         const float *ds_src /* (N, H) */, const float *ds_dst /* (N, H) */, const float *z /* (N, H, F) */,
                         const float *a_src /* (H, F) */, const float *a_dst /* (H, F) */, int64_t n, int64_t h, int64_t f);

/* ---- masked softmax over each node's incoming edges, attention dropout, aggregation ----
 * e[k,h] = LeakyReLU_slope(s_src[src_k,h] + s_dst[dst_k,h]); att = softmax of e over the
 * entries of each target; attd = dropout(att); out[i,h,:] = sum_k attd[k,h] z[src_k,h,:].
 * att keeps the softmax before dropout (needed by backward); att_mask the dropout mask
 * (NULL when p == 0). */
void gat_attention_forward(float *out /* (N, H, F) */, float *att /* (nnz, H) */, uint8_t *att_mask /* (nnz, H) */,
                           const gat_graph *g, const float *s_src /* (N, H) */, const float *s_dst /* (N, H) */,
                           const float *z /* (N, H, F) */, int64_t h, int64_t f, float slope, float p, uint64_t key,
                           const gat_nodeset *targets /* or NULL */);
/* dz += d out/d z; ds_src, ds_dst += gradients of the scores. scratch holds (nnz, H) floats.
 * With targets, only those rows of dout are read (the others may hold anything). */
void gat_attention_backward(float *dz /* (N, H, F) */, float *ds_src /* (N, H) */, float *ds_dst /* (N, H) */,
                            float *scratch /* (nnz, H) */, const float *dout /* (N, H, F) */, const gat_graph *g,
                            const float *att /* (nnz, H) */, const uint8_t *att_mask /* (nnz, H) */,
                            const float *s_src /* (N, H) */, const float *s_dst /* (N, H) */, const float *z /* (N, H, F) */,
                            int64_t h, int64_t f, float slope, float p, const gat_nodeset *targets /* or NULL */);

/* ---- heads: mean over heads (output layer) ---- */
void gat_head_mean_forward(float *y /* (N, F) */, const float *x /* (N, H, F) */, int64_t n, int64_t h, int64_t f);
void gat_head_mean_backward(float *dx /* (N, H, F) */, const float *dy /* (N, F) */, int64_t n, int64_t h, int64_t f);

/* ---- identity skip: out[n,h,:] += x[n,:] (x has F columns) ---- */
void gat_skip_identity_forward(float *out /* (N, H, F) */, const float *x /* (N, F) */, int64_t n, int64_t h, int64_t f);
void gat_skip_identity_backward(float *dx /* (N, F) */, const float *dout /* (N, H, F) */, int64_t n, int64_t h, int64_t f);

/* ---- bias ---- */
void gat_bias_forward(float *y /* (N, M) */, const float *b /* (M) */, int64_t n, int64_t m);
void gat_bias_backward(float *db /* (M) */, const float *dy /* (N, M) */, int64_t n, int64_t m);

/* ---- ELU (alpha = 1) ---- */
void gat_elu_forward(float *y /* (n) */, const float *x /* (n), may alias y */, size_t n);
/* SETS dx = dy * elu'(x), computed from the output y; dx may alias dy. */
void gat_elu_backward(float *dx /* (n) */, const float *dy /* (n) */, const float *y /* (n) */, size_t n);

/* ---- losses over the nodes idx[0..n_idx) ----
 * Softmax cross-entropy with integer labels: returns the mean loss; *n_correct counts argmax
 * hits; dlogits (may be NULL) is SET (not added) to d loss / d logits at those rows and
 * left untouched elsewhere. */
double gat_softmax_xent(const float *logits /* (N, C) */, int64_t c, const int64_t *labels /* (N) */,
                        const int64_t *idx, int64_t n_idx, float *dlogits /* (N, C) */, int64_t *n_correct);
/* Sigmoid binary cross-entropy with 0/1 targets, mean over n_idx*C terms; counts true/false
 * positives and false negatives at threshold 0 (for micro-F1). */
double gat_sigmoid_bce(const float *logits /* (N, C) */, int64_t c, const float *targets /* (N, C) */,
                       const int64_t *idx, int64_t n_idx, float *dlogits /* (N, C) */,
                       int64_t *tp, int64_t *fp, int64_t *fn);

/* Threads used by the ops (OpenMP); 0 = all cores. Returns the number in effect. */
int gat_set_threads(int n);

/* OpenBLAS chooses its kernels for the CPU model when it is loaded, and gives a model newer
 * than itself its generic SSE3 kernels (Debian 12's OpenBLAS 0.3.21 on Intel's family 6
 * model 207 Xeons: dense layers three times slower). Returns the OPENBLAS_CORETYPE to ask
 * for when that has happened on a CPU with AVX-512 ("SkylakeX") or AVX2 ("Haswell"), NULL
 * when the kernels loaded are right, OPENBLAS_CORETYPE is already set, or there is no
 * OpenBLAS. The variable is read only when OpenBLAS loads: a program sets it and re-executes
 * itself (gat and bench_cora do), or its user sets it. */
const char *gat_blas_coretype_hint(void);
/* For a program's main, before anything else: when gat_blas_coretype_hint() names a core
 * type, sets OPENBLAS_CORETYPE to it and executes the program again (argv as given to
 * main), so that OpenBLAS loads the right kernels; returns if there is nothing to do, or
 * under valgrind (whose CPU lacks AVX-512 and which would not follow the new program), or
 * when the exec fails (the program then goes on with the kernels it has). */
void gat_blas_reexec_if_generic(char **argv);

#ifdef __cplusplus
}
#endif
#endif
