/* sample.h - sampled neighbourhoods for mini-batch training (GraphSAGE / PyG NeighborLoader).
 *
 * gat_sample expands a batch of seed nodes hop by hop: each seed draws fanouts[0] of its
 * in-neighbours, each node first reached at hop 1 draws fanouts[1] of its own, and so on
 * for as many hops as the model has layers; a node is expanded once, when it is first
 * reached. Draws are WITHOUT replacement (a node with fewer in-neighbours than the fanout
 * keeps them all; fanout -1 = all), as PyG's NeighborLoader and DGL's sample_neighbors do
 * by default. The result is the union of the sampled edges as one local graph (PyG's
 * style): local ids number the seeds first, then each hop's new nodes in the order they are
 * reached. Training runs the model on it with a gat_plan for the seeds, so layer l computes
 * only the nodes within L-1-l hops of the seeds: this is the same computation as DGL's
 * per-layer bipartite blocks (the targets of layer l attend over their sampled sources,
 * self loop included), except that a node reached by several hops is computed once with
 * all of its sampled in-edges. On a graph built without self loops (GAT_GRAPH_NO_SELF_LOOPS,
 * PyG add_self_loops=False) every entry of a row is a candidate, the node's own self loops
 * among them, and the batch graph adds none: a sampled target attends over its draws only.
 *
 * Every draw is a pure function of (seed, epoch, batch, node): the per-node draws run in
 * parallel and the numbering is done in a fixed order, so a batch is bit-identical for any
 * number of threads. Cost O(sum of the draws + sampled nodes); the sampler keeps one int64 per
 * graph node (global -> local map), reset after each batch. */
#ifndef GAT_SAMPLE_H
#define GAT_SAMPLE_H

#include <stdint.h>

#include "gat/graph.h"
#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_sampler {
    const gat_graph *g;                /* in-neighbours: row_ptr, src, self loop first unless g->no_self_loops
                                          (any gat_graph) */
    int n_hops;
    int64_t fanouts[GAT_MAX_LAYERS];   /* per hop from the seeds; -1 = all */
    uint64_t seed;
    int64_t *local;                    /* (N) global -> local id, -1 outside the current batch */
} gat_sampler;

typedef struct gat_batch {
    int64_t n_nodes, n_seeds;          /* local nodes; the seeds are local 0 .. n_seeds-1 */
    int64_t *global;                   /* (n_nodes) local -> global id */
    int64_t hop_end[GAT_MAX_LAYERS + 1]; /* nodes first reached at hop h: [hop_end[h-1], hop_end[h]), hop_end[-1] = 0 */
    int64_t n_edges;
    int64_t *src, *dst;                /* (n_edges) sampled edges src -> dst in local ids, grouped by dst */
} gat_batch;

/* fanouts[0..n_hops): positive, or -1 for all. GAT_EINVAL naming --fanouts. */
int gat_sampler_init(gat_sampler *s, const gat_graph *g, int n_hops, const int64_t *fanouts, uint64_t seed,
                     gat_error *err);
void gat_sampler_free(gat_sampler *s);
/* Sample the neighbourhood of seeds[0..n_seeds) (repeated seeds count once) for training step
 * (epoch, batch) into *b (replaced; free with gat_batch_free). GAT_ERANGE for a seed outside
 * the graph, GAT_ENOMEM. Not reentrant on one sampler (it uses s->local). */
int gat_sample(gat_sampler *s, const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t batch, gat_batch *b,
               gat_error *err);
void gat_batch_free(gat_batch *b);
/* Parse "25,10" or "-1,10" into fanouts (count must equal n); 0 and -1 or a usage message. */
int gat_fanouts_parse(const char *s, int64_t *fanouts, int max, int *n, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
