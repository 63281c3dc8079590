/* graph.h - the graph the attention layers run on.
 *
 * A GAT layer needs, for every target node i, the list of its incoming edges j -> i,
 * self loop included. gat_graph holds exactly that, in compressed sparse row form keyed
 * by target:
 *   row_ptr[0] = 0 <= row_ptr[i] <= row_ptr[i+1], row_ptr[n] = nnz,
 *   src[row_ptr[i] .. row_ptr[i+1]) are the sources of the edges into node i, each in [0, n),
 *   by default (no_self_loops = 0) every node has exactly one self loop, in first position of
 *   its row, and the input's own self loops are dropped (PyTorch Geometric's GATConv with
 *   add_self_loops=True: remove_self_loops, then add_self_loops);
 *   built with GAT_GRAPH_NO_SELF_LOOPS (no_self_loops = 1) the rows are the input edges exactly
 *   as given (GATConv(add_self_loops=False)): an input self loop is an ordinary entry, none
 *   is added, and a node without incoming edges has an empty row (its attention is an empty
 *   softmax: the layer's aggregation there is zero, its output the bias).
 * Duplicate input edges are kept as given, in both modes (each is one more term in the
 * softmax, as in an edge-list implementation and in PyG, which does not coalesce
 * edge_index). edge_id[k] is the index in the input edge list of CSR entry k, or -1 for an
 * added self loop: it maps attention weights back to input edges.
 *
 * For the backward pass the same edges are also indexed by source: the entries with
 * src == j are out_pos[out_ptr[j] .. out_ptr[j+1]) (positions into the target-keyed arrays,
 * increasing), and dst[k] is the target of entry k. Gathering by source instead of
 * scattering keeps every gradient sum in a fixed order, whatever the number of threads. */
#ifndef GAT_GRAPH_H
#define GAT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_graph {
    int64_t n;                         /* nodes */
    int64_t nnz;                       /* entries: input edges (own self loops dropped) + n self loops,
                                          or the input edges as given (no_self_loops) */
    int no_self_loops;                 /* 0: each row starts with an added self loop; 1: rows are the
                                          input edges as given (GAT_GRAPH_NO_SELF_LOOPS) */
    int64_t *row_ptr;                  /* (n + 1) */
    int64_t *src;                      /* (nnz) source node of each incoming edge */
    int64_t *edge_id;                  /* (nnz) input edge index, -1 for self loops */
    int64_t *dst;                      /* (nnz) target node of each entry */
    int64_t *out_ptr;                  /* (n + 1) */
    int64_t *out_pos;                  /* (nnz) entries grouped by source */
} gat_graph;

/* Flags of gat_graph_build. */
#define GAT_GRAPH_NO_SELF_LOOPS 1      /* the input edges as given: no self loop added, own ones kept */
#define GAT_GRAPH_FORWARD_ONLY 2       /* row_ptr and src only (see gat_graph_forward_from_edges) */
/* Build from an edge list src[k] -> dst[k], k < n_edges, as flags say. Ids outside [0, n)
 * are GAT_ERANGE, naming the edge. Cost O(n + n_edges). A model runs on the graph its
 * configuration asks for: gat_config.no_self_loops = 1 needs GAT_GRAPH_NO_SELF_LOOPS. */
int gat_graph_build(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges, int flags,
                    gat_error *err);
/* gat_graph_build with flags 0: input self loops are dropped and the graph adds exactly one
 * per node. */
int gat_graph_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst,
                         int64_t n_edges, gat_error *err);
/* The same rows (self loop first, then the input edges into each node in input order) with
 * row_ptr and src only (gat_graph_build with GAT_GRAPH_FORWARD_ONLY): edge_id, dst, out_ptr and out_pos stay NULL. Enough for inference
 * (gat_infer) and neighbour sampling (gat_sample), not for gat_model_backward; 16 bytes per
 * entry fewer than half of gat_graph_from_edges. Same checks and errors. */
int gat_graph_forward_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges,
                                 gat_error *err);
/* A locality order of g's nodes: order[0 .. n) lists every node once, breadth-first over in-
 * and out-edges, each connected component from a node at its edge. Neighbours end up close
 * in the order, so a range of it touches few rows outside itself. Cost O(n + nnz). */
int gat_graph_locality_order(const gat_graph *g, int64_t *order, gat_error *err);
void gat_graph_free(gat_graph *g);

#ifdef __cplusplus
}
#endif
#endif
