/* inspect.h - look inside a trained model: attention coefficients, their entropy, and the
 * vectors each layer computes, from one forward pass without dropout.
 *
 * Attention is indexed like the graph the model runs on (graph.h): entry k of the
 * target-keyed CSR is the edge graph.src[k] -> graph.dst[k] (self loops included, first in
 * each row), and att[l][k * heads[l] + h] is the softmax weight alpha_ij of layer l, head
 * h, for i = graph.dst[k], j = graph.src[k]. Node i's attention over its neighbourhood is
 * att[l] over rows graph.row_ptr[i] .. graph.row_ptr[i+1]); the weights of one row sum to 1.
 *
 * Typical use:
 *     gat_inspection ins;
 *     if (gat_inspect(&ins, &model, &dataset, &err)) ... err.msg ...
 *     double *h = malloc(ins.n_nodes * sizeof *h), *u = malloc(...);
 *     gat_attention_entropy(&ins, 0, 3, h, u);      // layer 0, head 3
 *     gat_inspection_free(&ins); */
#ifndef GAT_INSPECT_H
#define GAT_INSPECT_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* head argument meaning "the mean over the layer's heads". */
#define GAT_HEAD_MEAN (-1)

typedef struct gat_inspection {
    int n_layers;
    int64_t n_nodes, n_classes;
    gat_graph graph;                     /* the graph the model ran on (self loops added); owned */
    int64_t heads[GAT_MAX_LAYERS];       /* heads per layer */
    int64_t width[GAT_MAX_LAYERS];       /* output width per layer: H*F hidden, classes last */
    float *att[GAT_MAX_LAYERS];          /* (graph.nnz, heads[l]) attention weights */
    float *out[GAT_MAX_LAYERS];          /* (N, width[l]) layer outputs; the last are the logits */
    float *prob;                         /* (N, classes) softmax of the logits; multi-label: sigmoid */
    int64_t *pred;                       /* (N) argmax class */
} gat_inspection;

/* Run m forward on ds without dropout and keep every layer's attention and output.
 * The dataset's features must be prepared as for training (row-normalised when the model
 * was trained so). Errors: a model whose input width or class count does not fit ds
 * (GAT_ESHAPE), GAT_ENOMEM. Cost: one inference pass; memory O(N sum width + nnz sum H). */
int gat_inspect(gat_inspection *ins, const gat_model *m, const gat_dataset *ds, gat_error *err);
void gat_inspection_free(gat_inspection *ins);

/* Attention weight of entry k in layer l for head h, or the mean over heads for
 * GAT_HEAD_MEAN. No bounds checks. */
float gat_inspect_att(const gat_inspection *ins, int layer, int head, int64_t k);

/* Per node, the entropy in bits of its attention distribution over its neighbourhood
 * (self loop included) in layer l, head h (or GAT_HEAD_MEAN: of the mean over heads), and
 * the entropy of uniform attention over the same neighbourhood, log2(in-degree + 1) (its
 * number of entries; both 0 for a node without incoming edges, possible in a graph without
 * self loops).
 * entropy and uniform are (N) arrays the caller allocates; either may be NULL.
 * Terms with alpha = 0 count 0. Cost O(nnz * H). */
void gat_attention_entropy(const gat_inspection *ins, int layer, int head, double *entropy, double *uniform);

/* The nodes to show by default: the n_top nodes with the largest neighbourhoods (ties: the
 * lower id), then n_random distinct other nodes drawn from seed; never a node without
 * incoming edges (possible in a graph without self loops). Writes at most
 * n_top + n_random ids to out and returns how many (fewer on small graphs). */
int64_t gat_inspect_default_nodes(const gat_graph *g, int64_t n_top, int64_t n_random, uint64_t seed, int64_t *out);

/* Save every attention coefficient for people's own tools, edges in the datasets' own
 * convention (edge_index.npy is (2, E): edge_index[0][k] -> edge_index[1][k]):
 *   path ending in .npz: one archive (np.load gives a dict) with
 *     "edge_index" int64 (2, nnz): row 0 the source node, row 1 the target node of each edge
 *                  the model attends over (the dataset's edges, then the self loops it adds)
 *     "input_edge" int64 (nnz): the column of the dataset's edge_index.npy each edge is, -1
 *                  for an added self loop
 *     "layer_<l>"  float32 (nnz, heads[l]) per layer: attention of edge k's target to its source
 *   any other path (normally att.npy): path holds float32 (nnz, sum of heads), the columns
 *     layer by layer (layer 0's heads first), beside <stem>_edge_index.npy (2, nnz) and
 *     <stem>_input_edge.npy (nnz) as above.
 * Files are written atomically. The two extra paths written (or "" for .npz) are returned in
 * extra_paths when not NULL. */
int gat_attention_save(const gat_inspection *ins, const char *path, char extra_paths[2][1024], gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
