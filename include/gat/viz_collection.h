/* viz_collection.h - pictures of collections of graphs (PPI and the like): how nodes that
 * carry many labels are coloured, a summary of the whole collection, and its figure.
 *
 * Colouring a multi-label node: by its number of labels, binned into at most
 * GAT_LABEL_BINS ranges of about equal node counts ("0 labels", "1-17 labels", ...), or by
 * one chosen label (two classes: "without label K", "with label K"). The result plugs into
 * a gat_graph_input as its labels, n_classes and class_names, so every picture of a graph
 * (the graph drawing, attention stars, t-SNE) colours and names nodes the same way. */
#ifndef GAT_VIZ_COLLECTION_H
#define GAT_VIZ_COLLECTION_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/status.h"
#include "gat/viz_dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_LABEL_BINS 6

typedef struct gat_label_colouring {
    int64_t n;                         /* nodes */
    int64_t *cls;                      /* (n) colour class of each node, 0..n_classes-1 */
    int64_t n_classes;
    char **names;                      /* (n_classes) legend names, e.g. "18-35 labels" */
    char what[160];                    /* what the colours mean, for legends and titles: "labels per
                                          node", "label 7" (or the label's name) */
} gat_label_colouring;

/* Colour the nodes of a multi-label dataset (ds->targets (N, C) 0/1): label < 0 by the
 * number of labels of each node, else by whether a node has label `label` (0..C-1; its
 * name from ds->class_names when there are some). Errors: a single-label dataset or a
 * label out of range (GAT_EINVAL, naming --label), GAT_ENOMEM. Cost O(N C). */
int gat_label_colouring_init(gat_label_colouring *c, const gat_dataset *ds, int64_t label, gat_error *err);
void gat_label_colouring_free(gat_label_colouring *c);
/* Point a graph input's colours at c (labels, n_classes, class_names, colour_by). */
void gat_label_colouring_apply(const gat_label_colouring *c, gat_graph_input *g);

/* Per-graph and per-label statistics of a collection (ds->n_graphs > 0). */
typedef struct gat_collection_stats {
    int64_t n_graphs;
    int64_t *graph_nodes, *graph_edges;   /* (n_graphs) nodes and directed edges of each graph */
    int *graph_split;                     /* (n_graphs) gat_split of each graph, -1 in none */
    double *graph_labels;                 /* (n_graphs) mean labels per node (multi-label; else NaN) */
    int64_t n_labels;                     /* C for multi-label data, else 0 */
    double *label_share;                  /* (n_labels) share of nodes carrying each label */
    int64_t *labels_per_node;             /* (N) labels of each node (multi-label), else NULL */
    int64_t zero_feature_nodes;           /* nodes whose features are all zero */
} gat_collection_stats;
int gat_collection_stats_compute(gat_collection_stats *st, const gat_dataset *ds, gat_error *err);
void gat_collection_stats_free(gat_collection_stats *st);

/* The collection figure "<stem>.png/.svg": nodes of each graph as bars coloured by split
 * (train / val / test), the histogram of labels per node, and the share of nodes that carry
 * each label, most frequent first. Appends to res. */
int gat_viz_collection(const gat_dataset *ds, const gat_collection_stats *st, const gat_viz_options *opt,
                       const char *stem, gat_viz_result *res, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
