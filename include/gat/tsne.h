/* tsne.h - t-SNE embeddings of node vectors to 2-D, and measures of their quality.
 *
 * gat_tsne_run embeds N points of dimension D in the plane with t-SNE (van der Maaten and
 * Hinton, 2008), either exactly (O(N^2) per iteration, for N up to a few thousand) or with
 * the Barnes-Hut approximation (van der Maaten, 2014: sparse input affinities over the
 * 3 * perplexity nearest neighbours, a quadtree for the repulsive forces, O(N log N) per
 * iteration). The optimiser follows the reference implementation and scikit-learn:
 * early exaggeration, momentum 0.5 then 0.8, delta-bar-delta gains, learning rate "auto".
 *
 * Determinism: a seed gives the same bits whatever the number of OpenMP threads. Every
 * per-point quantity (neighbours, sigma, gradient, update) is computed by one thread, and
 * every sum over points (the normaliser Z, KL, norms) is a per-point partial added in
 * point order by one thread. The random start comes from a counter-based generator keyed
 * by (seed, element). Results may differ between compilers or -march flags.
 *
 * Typical use:
 *     gat_tsne_options opt;
 *     gat_tsne_options_default(&opt);
 *     opt.seed = 42;
 *     float *y = malloc(n * 2 * sizeof *y);
 *     gat_tsne_stats st;
 *     if (gat_tsne_run(x, n, d, &opt, y, &st, &err)) ... err.msg ...
 *     gat_tsne_write_csv("tsne.csv", y, n, labels, &err); */
#ifndef GAT_TSNE_H
#define GAT_TSNE_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GAT_TSNE_AUTO = 0,        /* exact when N <= GAT_TSNE_EXACT_MAX_N, Barnes-Hut above */
    GAT_TSNE_EXACT = 1,       /* dense P and Q: O(N^2) memory and time per iteration */
    GAT_TSNE_BARNES_HUT = 2,  /* sparse kNN P, quadtree repulsion: O(N log N) per iteration */
} gat_tsne_method;

#define GAT_TSNE_EXACT_MAX_N 1000

typedef enum {
    GAT_TSNE_INIT_RANDOM = 0, /* Gaussian, standard deviation 1e-4, from the seed */
    GAT_TSNE_INIT_PCA = 1,    /* first two principal components, scaled to std 1e-4 in x */
} gat_tsne_init;

/* Progress report, called by the thread that called gat_tsne_run, every
 * opt->progress_every iterations and after the last one: iteration (1-based), KL divergence
 * of the current embedding (with the true, non-exaggerated P) and gradient norm. */
typedef void (*gat_tsne_progress_fn)(void *user, int iter, double kl, double grad_norm);

typedef struct gat_tsne_options {
    double perplexity;          /* effective number of neighbours, 30; must be < N - 1 */
    int n_iter;                 /* total iterations including exaggeration, 1000 */
    double learning_rate;       /* > 0, or <= 0 for "auto": max(N / early_exaggeration / 4, 50) */
    double early_exaggeration;  /* P is multiplied by this during the first iterations, 12 */
    int exaggeration_iter;      /* iterations with exaggeration and early momentum, 250 */
    double momentum_early;      /* 0.5 */
    double momentum;            /* after the exaggeration phase, 0.8 */
    double min_gain;            /* lower bound of the delta-bar-delta gains, 0.01 */
    double theta;               /* Barnes-Hut opening angle in [0, 1], 0.5; 0 = no approximation */
    gat_tsne_method method;     /* GAT_TSNE_AUTO */
    gat_tsne_init init;         /* GAT_TSNE_INIT_RANDOM */
    uint64_t seed;              /* 1, as gat train's */
    int progress_every;         /* 50; 0 = never call progress */
    gat_tsne_progress_fn progress; /* NULL */
    void *progress_user;        /* passed to progress */
} gat_tsne_options;

/* What a run did and how long it took. */
typedef struct gat_tsne_stats {
    gat_tsne_method method;     /* the method used (never AUTO) */
    double kl;                  /* final KL(P || Q); for Barnes-Hut over the sparse P, with Z from the tree */
    double grad_norm;           /* gradient norm at the last iteration */
    double learning_rate;       /* the learning rate used */
    int n_iter;                 /* iterations run */
    int64_t n_neighbors;        /* neighbours per point in P (N - 1 for exact) */
    double seconds_affinities;  /* neighbours + sigma search + symmetrisation */
    double seconds_optimize;    /* gradient descent */
} gat_tsne_stats;

/* Fill opt with the defaults listed above. Cost O(1). */
void gat_tsne_options_default(gat_tsne_options *opt);

/* Embed x (N, D), row-major float32, in the plane; writes y (N, 2), allocated by the caller.
 * opt may be NULL (defaults); stats_out may be NULL. Nothing is kept after the call: the
 * caller owns x, y, opt and stats_out, and the function frees all it allocates.
 * Errors, checked before any work: n < 2, d < 1, perplexity <= 0 or >= N - 1, a bad
 * option: GAT_EINVAL; NaN or Inf in x: GAT_ERANGE naming the row and column; GAT_ENOMEM.
 * On error y is left unspecified.
 * Cost: exact: O(N^2 D) once + O(N^2) per iteration, 8 N^2 bytes.
 *       Barnes-Hut: brute-force kNN O(N^2 D) once (parallel over points), then
 *       O(N (log N + k)) per iteration, O(N k) memory with k = min(N - 1, 3 perplexity + 1).
 *       Cora (2708 x 50, Barnes-Hut): 2.5 s on 2 threads, 4.6 s on one, see docs/tsne.md. */
int gat_tsne_run(const float *x /* (N, D) */, int64_t n, int64_t d, const gat_tsne_options *opt,
                 float *y /* (N, 2) out */, gat_tsne_stats *stats_out, gat_error *err);

/* Write "node,x,y" or, when labels is not NULL, "node,x,y,label" (header line then one row
 * per node, node = 0..N-1, coordinates printed with 9 significant digits) atomically to
 * path. Non-finite coordinates are GAT_ERANGE naming the node; I/O failures GAT_EIO.
 * Cost O(N). */
int gat_tsne_write_csv(const char *path, const float *y /* (N, 2) */, int64_t n,
                       const int64_t *labels /* (N) or NULL */, gat_error *err);

/* The fraction of k nearest neighbours (Euclidean in the dim-dimensional y, excluding the
 * point itself, ties broken by lower index) that share the point's class, averaged over
 * the points whose label is >= 0 (points with label -1 take part as neighbours and never
 * agree). Writes the fraction in [0, 1] to *out. Errors: n < 2, dim < 1, k < 1 or k >= N,
 * no labelled point: GAT_EINVAL. Cost O(N^2 dim), parallel over points, no allocation
 * beyond O(threads * k). */
int gat_knn_class_agreement(const float *y /* (N, dim) */, int64_t n, int64_t dim,
                            const int64_t *labels /* (N) */, int k, double *out, gat_error *err);

/* Trustworthiness T(k) of the embedding y (N, dim_y) of x (N, dim_x) (Venna and Kaski
 * 2001, as sklearn.manifold.trustworthiness with the Euclidean metric):
 *   T = 1 - 2 / (N k (2N - 3k - 1)) * sum_i sum_{j in U_i} (r(i, j) - k)
 * where U_i are the k nearest neighbours of i in y that are not among its k nearest in x,
 * and r(i, j) the rank of j by distance to i in x (1 = nearest). Writes T in [0, 1] to
 * *out. Errors: n < 2, dims < 1, k < 1 or k >= N / 2: GAT_EINVAL; GAT_ENOMEM.
 * Cost O(N^2 (dim_x + dim_y + k)), parallel over points; O(threads * N) memory. */
int gat_trustworthiness(const float *x /* (N, dim_x) */, int64_t dim_x,
                        const float *y /* (N, dim_y) */, int64_t dim_y, int64_t n, int k,
                        double *out, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
