/* tsne_internal.h - private pieces shared by tsne.c (affinities, optimiser) and
 * tsne_bh.c (the Barnes-Hut quadtree). Not installed, not part of the API. */
#ifndef GAT_TSNE_INTERNAL_H
#define GAT_TSNE_INTERNAL_H

#include <stdint.h>

#include "gat/status.h"

/* Symmetric joint probabilities in CSR form: row_ptr[0] = 0, row i holds columns
 * col[row_ptr[i] .. row_ptr[i+1]) in increasing order, none equal to i, values val > 0
 * summing to 1 over the whole matrix, val(i, j) == val(j, i). */
typedef struct tsne_sparse {
    int64_t n, nnz;
    int64_t *row_ptr;                  /* (n + 1) */
    int64_t *col;                      /* (nnz) */
    double *val;                       /* (nnz) */
} tsne_sparse;

/* A region quadtree over the 2-D points, rebuilt every iteration. Nodes live in one
 * array; an internal node's four children are consecutive from `child`. */
typedef struct tsne_node {
    double cx, cy, hw;                 /* box centre and half width */
    double mx, my;                     /* centre of mass of the points below */
    int64_t count;                     /* points below (duplicates included) */
    int64_t child;                     /* first of 4 children, -1 for a leaf */
} tsne_node;

typedef struct tsne_tree {
    tsne_node *nodes;
    int64_t n_nodes, cap;
} tsne_tree;

void tsne_tree_free(tsne_tree *t);

/* Per-point force terms, the same for both methods. For point i, with
 * q_ij = 1 / (1 + |y_i - y_j|^2) (unnormalised):
 *   pos[i]  = sum_j p_ij q_ij (y_i - y_j)         (2)
 *   neg[i]  = sum_j q_ij^2 (y_i - y_j)            (2)
 *   sq[i]   = sum_j q_ij                          (the row's share of Z)
 *   klp[i]  = sum_j p_ij (log p_ij - log q_ij)    (only when klp != NULL)
 * so that grad_i = 4 (exaggeration pos[i] - neg[i] / Z) with Z = sum_i sq[i] and
 * KL = sum_i klp[i] + log Z. Barnes-Hut replaces the sums over j in neg and sq by the
 * quadtree's cell summaries. */
typedef struct tsne_forces {
    double *pos, *neg;                 /* (N, 2) */
    double *sq, *klp;                  /* (N) */
} tsne_forces;

/* Exact terms from the dense P (N, N) (diagonal ignored). Cost O(N^2). */
void tsne_forces_exact(const double *y /* (N, 2) */, int64_t n, const double *p /* (N, N) */,
                       tsne_forces *f, int want_kl);

/* Barnes-Hut terms: exact attractive terms over the sparse P, repulsion from the tree.
 * Builds the tree into t (grown as needed, kept across calls). GAT_ENOMEM on failure. */
int tsne_forces_bh(const double *y /* (N, 2) */, int64_t n, const tsne_sparse *p, double theta,
                   tsne_tree *t, tsne_forces *f, int want_kl, gat_error *err);

/* Squared Euclidean distance of two float vectors of length d, summed in double. */
double tsne_sqdist(const float *a, const float *b, int64_t d);
/* (distance, index) order: nearer first, lower index on ties. */
int tsne_nb_less(double da, int64_t ia, double db, int64_t ib);
/* The k nearest neighbours of point i among the other rows of x (N, D), brute force,
 * ascending in tsne_nb_less order: idx (k), dist (k) squared. 1 <= k <= N - 1. O(N D). */
void tsne_knn_row(const float *x, int64_t n, int64_t d, int64_t i, int64_t k, int64_t *idx, double *dist);

#endif
