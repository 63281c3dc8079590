/* graphstats.h - what a graph dataset holds: edge counts, self loops, duplicates,
 * isolated nodes, connected components, degrees, and labels per class and per split.
 *
 * Works on plain arrays (an edge list src[k] -> dst[k] and a label vector), so it can be
 * used on any graph, not only a loaded gat_dataset. Nothing is printed: the command line
 * prints the structs. Degrees:
 *   out_degree[i] / in_degree[i]  edges listed from / to i, as given (duplicates and self
 *                                 loops count);
 *   degree[i]                     distinct neighbours of i in the undirected simple graph
 *                                 (self loops and duplicates dropped, u->v and v->u are one
 *                                 edge). For Cora, node 1358 has degree 168.
 * Components are those of that undirected graph (weakly connected for a directed one). */
#ifndef GAT_GRAPHSTATS_H
#define GAT_GRAPHSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_graph_stats {
    int64_t n_nodes, n_edges;          /* as given: directed edge-list entries */
    int64_t n_self_loops;              /* entries i -> i */
    int64_t n_duplicate_edges;         /* entries repeating an earlier u -> v (u != v) */
    int64_t n_unreciprocated;          /* distinct u -> v (u != v) whose v -> u is absent */
    int64_t n_undirected_edges;        /* distinct pairs {u, v}, u != v */
    int64_t n_isolated;                /* nodes with no neighbour but themselves */
    int64_t n_components;              /* connected components, isolated nodes included */
    int64_t largest_component;         /* nodes in the largest one */
    int64_t min_degree, max_degree;    /* over degree[] */
    int64_t max_degree_node;           /* lowest id with degree max_degree (-1 if no nodes) */
    double mean_degree;
    int64_t *in_degree, *out_degree;   /* (n_nodes) */
    int64_t *degree;                   /* (n_nodes) distinct neighbours */
    int64_t *component;                /* (n_nodes) component id, 0 = the largest, then by size */
} gat_graph_stats;

/* Compute the statistics of the graph with n_nodes nodes and edges src[k] -> dst[k].
 * Ids outside [0, n_nodes) are GAT_ERANGE, naming the edge. The struct is the caller's,
 * the arrays inside are allocated here: release them with gat_graph_stats_free.
 * Cost: O(n_nodes + n_edges log n_edges) time, O(n_nodes + n_edges) memory. */
int gat_graph_stats_compute(gat_graph_stats *st, int64_t n_nodes, const int64_t *src, const int64_t *dst,
                            int64_t n_edges, gat_error *err);
void gat_graph_stats_free(gat_graph_stats *st);

typedef struct gat_label_stats {
    int64_t n_classes;
    int64_t n_unlabelled;              /* nodes with label -1 */
    int64_t *class_count;              /* (n_classes) nodes per class */
    int64_t split_size[3];             /* train, val, test (0 when not given) */
    int64_t *split_class_count[3];     /* (n_classes) per split, or NULL when not given */
    int64_t split_unlabelled[3];       /* split nodes with label -1 */
} gat_label_stats;

/* Count labels (each in [0, n_classes) or -1) per class, and per split when split[s] is not
 * NULL (split[s] holds split_size[s] node ids). Out-of-range labels or ids are GAT_ERANGE.
 * Free with gat_label_stats_free. Cost O(n_nodes + split sizes). */
int gat_label_stats_compute(gat_label_stats *ls, int64_t n_nodes, const int64_t *labels, int64_t n_classes,
                            const int64_t *const split[3], const int64_t split_size[3], gat_error *err);
void gat_label_stats_free(gat_label_stats *ls);

#ifdef __cplusplus
}
#endif
#endif
