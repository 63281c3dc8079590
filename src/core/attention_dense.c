/* attention_dense.c - the attention step with N x N matrices, as the paper's own code and
 * pytorch-GAT's first implementation compute it (see layer_steps.h for what it computes).
 *
 * For each head, the scores of every pair of nodes form an N x N matrix (row i = target,
 * column j = source):
 *   S[i][j] = LeakyReLU(s_dst[i] + s_src[j])          for all i, j
 * then the graph masks it: pairs that are not an edge get -infinity (the paper's code adds a
 * "bias matrix" of -1e9), so the row softmax gives them exactly 0:
 *   P[i][j] = C[i][j] exp(S[i][j] - max_j S[i][j]) / sum_j C[i][j] exp(...)
 * C is the adjacency matrix of the graph's entries (self loops included); it counts an edge given twice twice, so that
 * duplicated edges weigh as in the edge list (P[i][j] is then the attention of all the
 * entries j -> i together, each having P[i][j] / C[i][j]). The aggregation is a dense
 * matrix product, out[:,h,:] = P z[:,h,:], which touches every pair.
 *
 * Simple to read and to check, and hopeless beyond a few thousand nodes: O(N^2) memory
 * (four N x N float matrices: 117 MB for Cora's 2708 nodes) and O(N^2 F) time per head, on
 * one thread (the products through OpenBLAS when gat is built with it). gat_acts_init refuses
 * more than GAT_DENSE_MAX_NODES nodes. The backward pass recomputes each head's P instead of
 * keeping H of them. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "gat/rng.h"
#include "layer_steps.h"

#ifdef GAT_HAVE_BLAS
#include <cblas.h>
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_serial(void) { openblas_set_num_threads(1); } /* same bits on any thread count */
#endif

/* c (rows, cols) = beta c + op(a) op(b), row-major with leading dimensions lda, ldb, ldc;
 * op(a) = a, or its transpose when ta (likewise b): the one matrix product this file needs. */
static void matmul(int ta, int tb, int64_t rows, int64_t cols, int64_t inner, const float *a, int64_t lda,
                   const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
#ifdef GAT_HAVE_BLAS
    pthread_once(&blas_once, blas_serial);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)rows, (int)cols,
                (int)inner, 1.0f, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
#else
    for (int64_t r = 0; r < rows; r++)
        for (int64_t q = 0; q < cols; q++) {
            float s = 0.0f;
            for (int64_t t = 0; t < inner; t++) s += (ta ? a[t * lda + r] : a[r * lda + t]) * (tb ? b[q * ldb + t] : b[t * ldb + q]);
            c[r * ldc + q] = beta * c[r * ldc + q] + s;
        }
#endif
}

typedef struct dense_mats {
    int64_t n;
    float *C;                          /* (N, N) entries j -> i: the graph's adjacency */
    float *P;                          /* (N, N) attention of one head */
    float *R;                          /* (N, N) what dropout keeps of P: kept entries / C / (1 - p) */
    float *G;                          /* (N, N) backward: d loss / d P */
} dense_mats;

static dense_mats dense_setup(const gat_graph *g, float *work) {
    const int64_t n = g->n;
    dense_mats d = {n, work, work + n * n, work + 2 * n * n, work + 3 * n * n};
    memset(d.C, 0, (size_t)(n * n) * sizeof *d.C);
    for (int64_t k = 0; k < g->nnz; k++) d.C[g->dst[k] * n + g->src[k]] += 1.0f;
    return d;
}

static float leaky_relu(float v, float slope) { return v > 0.0f ? v : slope * v; }

/* P = the masked row softmax of the scores of head hh. */
static void head_softmax(const dense_mats *d, const float *s_src, const float *s_dst, int64_t hh, int64_t h,
                         float slope) {
    const int64_t n = d->n;
    float *src = d->G; /* the sources' scores of this head, contiguous (G is free until the backward uses it) */
    for (int64_t j = 0; j < n; j++) src[j] = s_src[j * h + hh];
    for (int64_t i = 0; i < n; i++) {
        float *Pi = d->P + i * n;
        const float *Ci = d->C + i * n;
        const float si = s_dst[i * h + hh];
        float mx = -INFINITY, sum = 0.0f;
        for (int64_t j = 0; j < n; j++) { /* the scores, masked: -infinity where there is no edge */
            Pi[j] = Ci[j] > 0.0f ? leaky_relu(si + src[j], slope) : -INFINITY;
            mx = Pi[j] > mx ? Pi[j] : mx;
        }
        for (int64_t j = 0; j < n; j++) { /* exp(-infinity) = 0: the mask */
            Pi[j] = Ci[j] > 0.0f ? Ci[j] * expf(Pi[j] - mx) : 0.0f;
            sum += Pi[j];
        }
        const float inv = sum > 0.0f ? 1.0f / sum : 0.0f; /* a row without edges (no self loops): all 0 */
        for (int64_t j = 0; j < n; j++) Pi[j] *= inv;
    }
}

/* R: the dropout ratio of each pair for head hh (1 for every edge when p = 0). */
static void head_dropout(const dense_mats *d, const gat_graph *g, const uint8_t *att_mask, int64_t hh, int64_t h,
                         float p) {
    const int64_t n = d->n;
    if (p <= 0.0f) {
        for (int64_t e = 0; e < n * n; e++) d->R[e] = d->C[e] > 0.0f ? 1.0f : 0.0f;
        return;
    }
    memset(d->R, 0, (size_t)(n * n) * sizeof *d->R);
    for (int64_t k = 0; k < g->nnz; k++) /* count the kept entries of each pair */
        if (att_mask[k * h + hh]) d->R[g->dst[k] * n + g->src[k]] += 1.0f;
    const float scale = 1.0f / (1.0f - p);
    for (int64_t e = 0; e < n * n; e++)
        if (d->C[e] > 0.0f) d->R[e] *= scale / d->C[e];
}

static uint32_t keep_threshold(float p) {
    double t = (double)p * 4294967296.0;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}

void gat_attention_dense_forward(float *out, float *att, uint8_t *att_mask, const gat_graph *g, const float *s_src,
                                 const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                 uint64_t key, float *work) {
    const dense_mats d = dense_setup(g, work);
    const int64_t n = g->n, m = h * f;
    if (p > 0.0f) { /* the keep-bit of each graph entry and head, as the other implementations draw it */
        const uint32_t thr = keep_threshold(p);
        for (int64_t q = 0; q < g->nnz * h; q++) att_mask[q] = gat_rng_u32(key, (uint64_t)q) >= thr;
    }
    for (int64_t hh = 0; hh < h; hh++) {
        head_softmax(&d, s_src, s_dst, hh, h, slope);
        for (int64_t k = 0; k < g->nnz; k++) { /* each entry's share, for the pictures and the tests */
            const int64_t e = g->dst[k] * n + g->src[k];
            att[k * h + hh] = d.P[e] / d.C[e];
        }
        head_dropout(&d, g, att_mask, hh, h, p);
        /* A = P R, the coefficients after dropout (into R), and out[:,hh,:] = A z[:,hh,:]: a dense
         * (N x N) (N x F) product */
        for (int64_t e = 0; e < n * n; e++) d.R[e] *= d.P[e];
        matmul(0, 0, n, f, n, d.R, n, z + hh * f, m, 0.0f, out + hh * f, m);
    }
}

void gat_attention_dense_backward(float *dz, float *ds_src, float *ds_dst, float *scratch, const float *dout,
                                  const gat_graph *g, const float *att, const uint8_t *att_mask, const float *s_src,
                                  const float *s_dst, const float *z, int64_t h, int64_t f, float slope, float p,
                                  float *work) {
    (void)scratch;
    (void)att;
    const dense_mats d = dense_setup(g, work);
    const int64_t n = g->n, m = h * f;
    for (int64_t hh = 0; hh < h; hh++) {
        head_softmax(&d, s_src, s_dst, hh, h, slope);
        head_dropout(&d, g, att_mask, hh, h, p);
        /* the product's backward: G = dout z^T (N x N) is d loss / d A; through the dropout,
         * d loss / d P = G R; and dz[:,hh,:] += A^T dout with A = P R (into R) */
        matmul(0, 1, n, n, f, dout + hh * f, m, z + hh * f, m, 0.0f, d.G, n);
        for (int64_t e = 0; e < n * n; e++) {
            d.G[e] *= d.R[e];
            d.R[e] *= d.P[e];
        }
        matmul(1, 0, n, f, n, d.R, n, dout + hh * f, m, 1.0f, dz + hh * f, m);
        /* the row softmax's backward, dS = P (G - rowsum(P G)), then the LeakyReLU's; each
         * score is s_dst[i] + s_src[j], so its gradient adds to both */
        for (int64_t i = 0; i < n; i++) {
            const float *Pi = d.P + i * n, *Gi = d.G + i * n;
            float dot = 0.0f, row = 0.0f;
            for (int64_t j = 0; j < n; j++) dot += Pi[j] * Gi[j];
            for (int64_t j = 0; j < n; j++) {
                const float pre = s_dst[i * h + hh] + s_src[j * h + hh];
                const float dS = Pi[j] * (Gi[j] - dot) * (pre > 0.0f ? 1.0f : slope);
                row += dS;
                ds_src[j * h + hh] += dS;
            }
            ds_dst[i * h + hh] += row;
        }
    }
}
