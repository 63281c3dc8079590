/* viz_dataset.h - pictures of a graph dataset: the whole graph laid out with igraph and
 * drawn with cairo, and the degree statistics figure.
 *
 * The graph picture: every connected component laid out on its own (the largest with the
 * chosen layout, the small ones with Kamada-Kawai) and packed: the largest on top, the
 * others in rows below it, sorted by size, at the same edge-length scale. Node area is
 * proportional to degree; edge width and opacity grow with the log of the edge
 * betweenness (normalised to [0, 1], cubed); nodes are coloured by class (Tableau 10),
 * edges inside one class take that class's colour, the rest are grey, all translucent
 * under the nodes; a legend names the classes with their sizes; the node of highest
 * degree is annotated.
 *
 * The degree figure: in-degree and out-degree per node id, the degree histogram and the
 * degree distribution on log-log axes.
 *
 * Both are written as PNG (scale pixels per point, 2 by default) and SVG, atomically. */
#ifndef GAT_VIZ_DATASET_H
#define GAT_VIZ_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graphstats.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GAT_LAYOUT_AUTO = 0,  /* Kamada-Kawai up to 3000 nodes in the largest component, else FR */
    GAT_LAYOUT_KK,        /* Kamada-Kawai (as pytorch-GAT); O(n^2) memory, refused above 5000 */
    GAT_LAYOUT_DRL,       /* DrL (OpenOrd), for large graphs */
    GAT_LAYOUT_FR,        /* Fruchterman-Reingold with a grid, for large graphs */
} gat_layout;

/* "auto", "kk", "drl", "fr" <-> gat_layout. gat_layout_parse returns -1 for an unknown name. */
const char *gat_layout_name(gat_layout l);
int gat_layout_parse(const char *name);

/* A graph to draw, as plain arrays (not copied; must outlive the call). */
typedef struct gat_graph_input {
    const char *name;                  /* dataset name for titles, e.g. "cora" */
    int64_t n_nodes;
    int64_t n_edges;
    const int64_t *edge_src, *edge_dst; /* (n_edges) */
    const int64_t *labels;             /* (n_nodes) class or -1; NULL: one colour */
    int64_t n_classes;
    const char *const *class_names;    /* (n_classes) or NULL: "class 0", ... */
    const char *colour_by;             /* what the colour classes are when not classes ("number of
                                          labels (of 121)", see viz_collection.h), for legends; or NULL */
} gat_graph_input;

/* A dataset as a graph to draw (borrows its arrays): single-label datasets are coloured
 * by class, multi-label ones in one colour. */
gat_graph_input gat_graph_input_from_dataset(const gat_dataset *ds);

/* Options. Zero-initialise: zeros mean the defaults given. */
typedef struct gat_viz_options {
    gat_layout layout;                 /* GAT_LAYOUT_AUTO */
    uint64_t seed;                     /* igraph RNG seed for the layout (0 is a valid seed) */
    double scale;                      /* PNG pixels per point; 0 = 2 (high-DPI) */
    int no_png, no_svg;                /* skip a format (both set is GAT_EINVAL) */
    int64_t max_nodes;                 /* refuse larger graphs; 0 = 50000 */
} gat_viz_options;

#define GAT_VIZ_MAX_FILES 8

/* What was written, and how long it took. */
typedef struct gat_viz_result {
    int n_files;
    char files[GAT_VIZ_MAX_FILES][1024]; /* paths written, in order */
    gat_layout layout_used;
    double seconds_layout;             /* igraph layouts */
    double seconds_betweenness;        /* igraph edge betweenness */
    double seconds_render;             /* drawing and writing the graph picture */
    double seconds_total;              /* everything in the call */
} gat_viz_result;

/* Draw the graph to "<stem>.png" and "<stem>.svg". Checks the input and options before
 * any work: a graph with more than max_nodes nodes is GAT_EINVAL with a message saying
 * how to raise the limit; KK on a component above 5000 nodes is refused likewise.
 * Appends to res (which the caller zero-initialises). Cost: the layout (KK: O(n^2) per
 * sweep) plus edge betweenness O(n m). */
int gat_viz_graph(const gat_graph_input *g, const gat_viz_options *opt, const char *stem,
                  gat_viz_result *res, gat_error *err);

/* Draw the degree figure to "<stem>.png" and "<stem>.svg", from statistics computed by
 * gat_graph_stats_compute on the same graph. Appends to res. Cost O(n). */
int gat_viz_degrees(const gat_graph_input *g, const gat_graph_stats *st, const gat_viz_options *opt,
                    const char *stem, gat_viz_result *res, gat_error *err);

/* Both pictures of a loaded dataset into folder out_dir (created if missing; NULL means
 * "figures/<name>"): <name>_graph.{png,svg} and <name>_degrees.{png,svg}. What
 * `gat visualize dataset` and `gat train --should_visualize` call. Single-label datasets
 * are coloured by class; multi-label ones in one colour. Fills res (zeroed here). */
int gat_viz_dataset(const gat_dataset *ds, const gat_viz_options *opt, const char *out_dir,
                    gat_viz_result *res, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
