/* ppigen.h - synthetic collections of graphs shaped like PPI, in the PPI folder format.
 *
 * gat_ppigen_write writes {train,valid,test}_graph.json (NetworkX node-link JSON, node ids
 * 0..NS-1 per split, each undirected edge once), {split}_feats.npy float32 (NS, F),
 * {split}_labels.npy int64 0/1 (NS, C), {split}_graph_id.npy int64 (NS,) (graphs numbered
 * from 1 across the splits, as in DGL's copy) and generated.json (options and what came out)
 * into a folder: what gat_dataset_load reads as a PPI folder (dataset.h). Everything is a
 * pure function of the options and the seed.
 *
 * Shape at scale 1, as PPI: 24 graphs (20 train, 2 valid, 2 test) of about 2,400 nodes each
 * (sizes spread 0.5x..1.5x, their mean exact), about 28 directed edges per node, 50 features, 121 labels.
 * The model behind it, which makes the labels a function of a node's neighbourhood:
 *   communities  each graph has 2 + nodes/400 communities; node u joins one uniformly;
 *                community c of graph g has a centre m_gc ~ N(0, I_D), D = 16;
 *   latent       h_u = m_c(u) + 0.7 N(0, I_D);
 *   edges        node u draws k_u partners, k_u lognormal with mean avg_degree/2 (sigma
 *                0.8): within its community with probability `homophily` (0.85), else
 *                anywhere in its graph; pairs are kept once (an undirected simple graph,
 *                as networkx writes PPI), so a node's degree is ~ what it draws plus what
 *                draws it; 0.5 % of the nodes get a self loop, as some PPI nodes have;
 *   features     a share `zero_share` (0.42) of the nodes have all-zero features, as in PPI;
 *                the others x_u = A h_u + 0.5 N(0, I_F), A (F, D) ~ N(0, 1/D) shared by all
 *                graphs;
 *   labels       label k of node u is 1 when w_k . mean(h_v : v in N(u) and u) + 0.3 N(0,1)
 *                exceeds the label's threshold, the (1 - p_k) quantile over all nodes, p_k
 *                spread uniformly over [0.5, 1.5] x `positive` (0.30).
 * A node's own features are noisy (and absent for 42 % of the nodes); its labels follow its
 * neighbourhood's latent mean, which its neighbours' features reveal: a model that uses the
 * edges scores clearly higher than one that does not. Memory O(N * (D + C) + E). */
#ifndef GAT_PPIGEN_H
#define GAT_PPIGEN_H

#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_ppigen_options {
    double scale;                      /* 1: nodes per graph x scale (at least 8 per graph) */
    int64_t graphs[3];                 /* 20, 2, 2: graphs of train, valid, test */
    int64_t nodes_per_graph;           /* 2373 at scale 1 (PPI: 56,944 nodes / 24 graphs) */
    double avg_degree;                 /* 28: directed edges per node */
    double homophily;                  /* 0.85: share of drawn partners inside the community */
    int64_t n_features;                /* 50 */
    double zero_share;                 /* 0.42: nodes whose features are all zero */
    int64_t n_labels;                  /* 121 */
    double positive;                   /* 0.30: mean share of positive (node, label) pairs */
    uint64_t seed;                     /* 1 */
} gat_ppigen_options;

typedef struct gat_ppigen_stats {
    int64_t n_graphs, n_nodes, n_links;  /* links = undirected edges written (self loops included) */
    int64_t split_nodes[3];
    double positive;                   /* measured share of positive labels */
    double zero_share;                 /* measured share of all-zero feature rows */
    double seconds;
} gat_ppigen_stats;

gat_ppigen_options gat_ppigen_options_default(void);
/* Check options; messages name the option ("--scale: ..."). */
int gat_ppigen_options_check(const gat_ppigen_options *o, gat_error *err);
/* Write the collection into folder dir (created if missing; each file written atomically). */
int gat_ppigen_write(const char *dir, const gat_ppigen_options *o, gat_ppigen_stats *st, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
