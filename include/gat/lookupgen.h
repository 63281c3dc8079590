/* lookupgen.h - the DictionaryLookup task of Brody, Alon and Yahav ("How Attentive are Graph
 * Attention Networks?", ICLR 2022, section 4.1), a node-classification graph on which static
 * attention (GAT) cannot succeed and dynamic attention (GATv2) can.
 *
 * The graph holds `instances` disjoint copies of a complete bipartite graph: k key nodes and
 * k query nodes, an edge from every key to every query of the same instance (k^2 directed
 * edges per instance; gat adds the self loops). Key i of instance g has the id i and the value
 * pi_g(i), pi_g a random permutation of 0 .. k-1 drawn from (seed, g); query i has the id i. A
 * node's features (dense, 2k wide) are the one-hot id (columns 0 .. k-1) and, for a key, the
 * one-hot value (columns k .. 2k-1; zero for a query). Labels: a key's value, and for query i
 * the value of key i, pi_g(i) (k classes). Only queries are in the splits: the queries of the
 * first instances train, the next validate, the last test (fractions of the instances).
 *
 * Each query must attend to the one key that has its own id. GAT's score of key j at query
 * q is LeakyReLU(a_src . W x_j + a_dst . W x_q), increasing in a_src . W x_j for every q: all
 * queries rank the keys alike, so at most one query per instance finds its key by attention.
 * GATv2's a . LeakyReLU(W x_j + W_dst x_q) can rank the keys differently for every query.
 *
 * Files as gat_graphgen_write (dataset.h layout): features.npy, edge_index.npy, labels.npy,
 * train/val/test_index.npy, class_names.txt, generated.json. Deterministic for a seed. */
#ifndef GAT_LOOKUPGEN_H
#define GAT_LOOKUPGEN_H

#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_lookupgen_options {
    int64_t keys;                      /* k: keys (= queries = classes) per instance, 10 */
    int64_t instances;                 /* 200 */
    double val_fraction, test_fraction; /* of the instances: 0.2, 0.2 (the rest train) */
    uint64_t seed;                     /* 1 */
} gat_lookupgen_options;

typedef struct gat_lookupgen_stats {
    int64_t n_nodes, n_edges, split_size[3];
} gat_lookupgen_stats;

gat_lookupgen_options gat_lookupgen_options_default(void);
/* Messages name the option ("--keys: ..."). */
int gat_lookupgen_options_check(const gat_lookupgen_options *o, gat_error *err);
/* Write the dataset into folder dir (created if missing; each file written atomically).
 * Memory and time O(instances * k^2). */
int gat_lookupgen_write(const char *dir, const gat_lookupgen_options *o, gat_lookupgen_stats *st, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
