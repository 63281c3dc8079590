/* graph.h - the graph the attention layers run on.
 *
 * A GAT layer needs, for every target node i, the list of its incoming edges j -> i,
 * self loop included. gat_graph holds exactly that, in compressed sparse row form keyed
 * by target:
 *   row_ptr[0] = 0 <= row_ptr[i] <= row_ptr[i+1], row_ptr[n] = nnz,
 *   src[row_ptr[i] .. row_ptr[i+1]) are the sources of the edges into node i, each in [0, n),
 *   every node has exactly one self loop, in first position of its row.
 * Duplicate input edges are kept as given (each is one more term in the softmax, as in
 * an edge-list implementation). edge_id[k] is the index in the input edge list of CSR
 * entry k, or -1 for an added self loop: it maps attention weights back to input edges.
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
    int64_t nnz;                       /* edges including the n self loops */
    int64_t *row_ptr;                  /* (n + 1) */
    int64_t *src;                      /* (nnz) source node of each incoming edge */
    int64_t *edge_id;                  /* (nnz) input edge index, -1 for self loops */
    int64_t *dst;                      /* (nnz) target node of each entry */
    int64_t *out_ptr;                  /* (n + 1) */
    int64_t *out_pos;                  /* (nnz) entries grouped by source */
} gat_graph;

/* Build from an edge list src[k] -> dst[k], k < n_edges. Input self loops are dropped
 * (the model adds exactly one per node). Ids outside [0, n) are GAT_ERANGE, naming the
 * edge. Cost O(n + n_edges). */
int gat_graph_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst,
                         int64_t n_edges, gat_error *err);
/* The same rows (self loop first, then the input edges into each node in input order) with
 * row_ptr and src only: edge_id, dst, out_ptr and out_pos stay NULL. Enough for inference
 * (gat_infer) and neighbour sampling (gat_sample), not for gat_model_backward; 16 bytes per
 * entry fewer than half of gat_graph_from_edges. Same checks and errors. */
int gat_graph_forward_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges,
                                 gat_error *err);
void gat_graph_free(gat_graph *g);

#ifdef __cplusplus
}
#endif
#endif
