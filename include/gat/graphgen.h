/* graphgen.h - synthetic node-classification graphs of any size, in the dataset layout.
 *
 * gat_graphgen_write writes one graph (dataset.h layout: features.npz or features.npy,
 * edge_index.npy, labels.npy, train/val/test_index.npy, class_names.txt, plus
 * generated.json recording the options and what came out) into a folder. Everything is a
 * pure function of the options and the seed (counter-based random numbers keyed by node),
 * so the same options give the same bytes on any number of threads.
 *
 * The model:
 *   class    c_u uniform over C classes;
 *   weight   w_u from a power law P(w) ~ w^-exponent on [w_min, max_degree], w_min chosen so
 *            that the mean weight is avg_degree (clipped Pareto, solved by bisection);
 *   edges    node u draws round(w_u / 2) undirected partners (stochastic rounding): the
 *            partner's class is c_u with probability `homophily`, otherwise one of the other
 *            classes uniformly; the partner itself is drawn within that class proportionally
 *            to its weight (Vose alias table). A node's expected degree is then ~w_u (what
 *            it draws plus what draws it). Self loops and repeats within u's draws are
 *            dropped; both directions of every pair are written (first all u->v, then v->u).
 *            A pair drawn from both of its ends appears twice, as in a Chung-Lu multigraph
 *            (1-2 % of the edges at 10^3-10^4 nodes, fewer on larger graphs); each copy is
 *            one more term of the attention softmax, as in PyG or DGL;
 *   features sparse: about density*F nonzeros per row (0.5x..1.5x, mean density*F), each a
 *            column of the class's own block of F/C columns with probability 1 - noise, any
 *            column otherwise, value 1 (a bag-of-words); dense: the class's block indicator
 *            plus Gaussian noise of standard deviation `noise`;
 *   splits   Planetoid-like by default: train_per_class nodes of each class, then val_size,
 *            then test_size other nodes, in a seeded random order (each written sorted).
 *
 * Memory is O(N) (weights, classes, alias tables, per-node offsets), never O(E): edges and
 * feature rows are generated twice (once to count, once to write at known offsets) and
 * written with positioned writes, in parallel blocks of nodes. Cost O(N + E + nnz(X)). */
#ifndef GAT_GRAPHGEN_H
#define GAT_GRAPHGEN_H

#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_graphgen_options {
    int64_t n_nodes;                   /* 10000 */
    double avg_degree;                 /* 15: mean number of (directed) in-edges per node */
    int64_t max_degree;                /* 0: sqrt(avg_degree * n_nodes), the natural cutoff */
    double exponent;                   /* 2.5: power-law exponent of the degrees, > 2 */
    int64_t n_classes;                 /* 16 */
    double homophily;                  /* 0.8: share of edges inside a class */
    int64_t n_features;                /* 300 */
    int dense;                         /* 0: sparse features.npz; 1: dense features.npy */
    double density;                    /* 0.05: sparse nonzeros per row / n_features */
    double noise;                      /* sparse: share of random nonzeros (0.9); dense: noise std (1.0) */
    int64_t train_per_class;           /* 20 (Planetoid), used when train_size is 0 */
    double train_size, val_size, test_size; /* counts, or fractions of N when < 1; 0, 500, 1000 */
    uint64_t seed;                     /* 1 */
} gat_graphgen_options;

/* What was written. */
typedef struct gat_graphgen_stats {
    int64_t n_edges;                   /* directed edges in edge_index.npy */
    int64_t max_degree;                /* largest in-degree */
    double homophily;                  /* measured share of edges inside a class */
    int64_t feature_nnz;               /* nonzeros of the sparse features (N*F when dense) */
    int64_t split_size[3];
    double seconds;
} gat_graphgen_stats;

gat_graphgen_options gat_graphgen_options_default(void);
/* Check options; messages name the option ("--avg-degree: ..."). */
int gat_graphgen_options_check(const gat_graphgen_options *o, gat_error *err);
/* Write the graph into folder dir (created if missing; files written atomically). */
int gat_graphgen_write(const char *dir, const gat_graphgen_options *o, gat_graphgen_stats *st, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
