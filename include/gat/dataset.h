/* dataset.h - graph datasets in the NumPy layout.
 *
 * A dataset is a folder holding:
 *   features.npz   scipy.sparse CSR (N, F), or features.npy dense (N, F), any float/int dtype
 *   edge_index.npy integer (2, E): edge_index[0][k] -> edge_index[1][k]
 *   labels.npy     integer (N,) class ids 0..C-1, -1 for "no label"; or (N, C) 0/1 multi-label
 *   train_index.npy, val_index.npy, test_index.npy   integer (k,) node ids
 *   class_names.txt  optional, one class name a line
 * An int64 C-order edge_index.npy is memory-mapped and used in place (its ids still checked,
 * in one pass); so are a float32 C-order features.npy and the members of a features.npz that
 * are stored uncompressed with gat_csr's dtypes and aligned, as gat generate graph writes
 * them (every value still checked); other layouts are read and converted.
 * gat_dataset_load checks everything before any training starts: shapes that agree, ids in
 * range, labels in range, finite features, non-empty splits whose nodes carry labels. */
#ifndef GAT_DATASET_H
#define GAT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "gat/npy.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GAT_SPLIT_TRAIN = 0, GAT_SPLIT_VAL = 1, GAT_SPLIT_TEST = 2 } gat_split;

typedef enum {
    GAT_TASK_SINGLE_LABEL = 0,         /* one class per node: softmax + cross-entropy, accuracy */
    GAT_TASK_MULTI_LABEL = 1,          /* C independent 0/1 labels: sigmoid + BCE, micro-F1 */
} gat_task;

typedef struct gat_dataset {
    char name[64];                     /* folder name, e.g. "cora" */
    char *path;                        /* the folder it was read from */
    gat_task task;
    int64_t n_nodes, n_features, n_classes;
    /* Features: exactly one of these is set. */
    gat_csr features;                  /* sparse (N, F), when features.npz was given */
    float *dense_features;             /* (N, F), when features.npy was given */
    int64_t n_edges;                   /* input edges (both directions of an undirected graph) */
    int64_t *edge_src, *edge_dst;      /* (n_edges) */
    int edges_mapped;                  /* edge_src/edge_dst point into a private mapping of edge_index.npy
                                          (int64, C order): loading copies nothing */
    void *edge_map_base;
    size_t edge_map_len;
    /* Features used in place from a private mapping of their file (gat_csr_map_npz for
     * features.npz, gat_npy_map for a float32 C-order features.npy): loading copies nothing
     * of what is borrowed; writing them (row normalisation) copies only the pages written. */
    gat_csr_mapping feature_map;       /* sparse: which arrays of `features` are borrowed */
    void *dense_map_base;              /* dense: dense_features points into this mapping */
    size_t dense_map_len;
    int64_t *labels;                   /* single-label: (N) class or -1 */
    float *targets;                    /* multi-label: (N, C) in {0, 1} */
    int64_t *split[3];                 /* node ids per gat_split */
    int64_t split_size[3];
    char **class_names;                /* (n_classes) or NULL */
    /* A collection of graphs (n_graphs > 0): every node belongs to one graph, every edge
     * joins two nodes of the same graph, and each split is made of whole graphs (its node
     * list is every node of its graphs, increasing). */
    int64_t n_graphs;
    int64_t *graph_id;                 /* (N) graph of each node, 0..n_graphs-1 */
    int64_t *graph_node_ptr;           /* (n_graphs + 1) */
    int64_t *graph_nodes;              /* (N) nodes of graph g: graph_nodes[graph_node_ptr[g] .. [g+1]), increasing */
    int64_t *graph_node_pos;           /* (N) position of each node in its graph's node list */
    int64_t *graph_edge_ptr;           /* (n_graphs + 1) */
    int64_t *graph_edges;              /* (E) edges of graph g (indices into edge_src/edge_dst), increasing */
    int64_t *split_graphs[3];          /* graph ids per gat_split, increasing */
    int64_t split_n_graphs[3];
} gat_dataset;

/* How a dataset and a class are named to people, the same in every picture and console
 * line: the dataset's folder name with a capital first letter ("cora" -> "Cora", NULL or ""
 * -> "Graph"; the acronyms "ppi" -> "PPI" and "pubmed" -> "PubMed" as they are written), a class name with '_' written as a space ("Reinforcement_Learning" ->
 * "Reinforcement Learning"). Files read by programs (CSV headers, JSON, model metadata) keep
 * the raw names. buf gets at most size - 1 bytes and a NUL. */
void gat_display_dataset_name(const char *name, char *buf, size_t size);
void gat_display_class_name(const char *name, char *buf, size_t size);
/* Load the dataset in folder dir: the layout above, a collection of graphs (graph_id.npy,
 * see below) or a PPI folder (train_graph.json, see below). */
int gat_dataset_load(gat_dataset *ds, const char *dir, gat_error *err);

/* ---- collections of graphs (collection.c) ----
 * NumPy layout: the files above, with edges inside graphs only, plus
 *   graph_id.npy   integer (N,) the graph of each node, 0..G-1, every graph non-empty
 *   train_graphs.npy, val_graphs.npy, test_graphs.npy   integer (k,) graph ids, disjoint
 * instead of the *_index.npy node splits (a split is every node of its graphs).
 * PPI layout (ppi.zip of DGL / pytorch-GAT, unpacked), for each split S of train, valid, test:
 *   S_graph.json     NetworkX node-link JSON, ids 0..NS-1 (rows of the arrays below),
 *                    undirected (each link read in both directions) unless "directed": true
 *   S_feats.npy      (NS, F) features
 *   S_labels.npy     (NS, C) 0/1 labels
 *   S_graph_id.npy   (NS,) integer graph of each node (any values; one graph per value)
 * read as one dataset: the train nodes first, then valid, then test; graphs numbered in
 * that order by increasing graph_id value. */
int gat_dataset_load_graph_splits(gat_dataset *ds, const char *dir, gat_error *err);
int gat_dataset_load_ppi(gat_dataset *ds, const char *dir, gat_error *err);
/* Build the per-graph indexes (graph_node_ptr, ..., the node splits) of a dataset whose
 * graph_id, n_graphs and split_graphs are set. Checks that every graph has a node, that
 * edges stay inside their graph and that no graph is in two splits. */
int gat_dataset_index_graphs(gat_dataset *ds, const char *name, gat_error *err);
/* A new dataset holding the graphs graphs[0..n) of a collection as a collection (nodes
 * renumbered graph by graph, edges and features copied), every graph in the test split:
 * for looking at one graph. */
/* Forget every edge (each node then attends to itself only): the no-edges baseline. */
void gat_dataset_drop_edges(gat_dataset *ds);
int gat_dataset_select_graphs(gat_dataset *out, const gat_dataset *ds, const int64_t *graphs, int64_t n,
                              gat_error *err);
/* Find and load dataset `name` (case-insensitive, "cora" or "CORA") under data_dir; when
 * data_dir is NULL, under the default folders (gat_dataset_default_dirs). The error for a
 * missing dataset lists every folder tried and how to point gat at the data. */
int gat_dataset_open(gat_dataset *ds, const char *name, const char *data_dir, gat_error *err);
/* The default data folders in search order, at most max of them into dirs (static or
 * environment strings, not to be freed); returns how many: $GAT_DATA_DIR (when set),
 * ./data, ./datasets, then for a program running from gat's build tree the source tree's
 * data/, then the installed <prefix>/share/gat/data (Cora and Citeseer ship in both). */
int gat_dataset_default_dirs(const char *dirs[], int max);
/* Scale every feature row to sum 1 (rows summing to 0 are left as they are). */
void gat_dataset_normalize_rows(gat_dataset *ds);
void gat_dataset_free(gat_dataset *ds);

#ifdef __cplusplus
}
#endif
#endif
