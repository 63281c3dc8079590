/* viz_model.h - pictures of a trained model, from an inspection (inspect.h): attention over
 * a node's neighbourhood, entropy histograms of attention, t-SNE of the embeddings.
 *
 * Every function draws to "<stem>.png" and "<stem>.svg" (as chosen in gat_viz_options:
 * scale, no_png, no_svg), atomically, appends the paths to res (zero-initialised by the
 * caller) and names the file or the argument in errors. Class colours and names come
 * from a gat_graph_input (labels, n_classes, class_names, name); its edge fields are not
 * used. */
#ifndef GAT_VIZ_MODEL_H
#define GAT_VIZ_MODEL_H

#include <stdint.h>

#include "gat/inspect.h"
#include "gat/status.h"
#include "gat/viz_dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GAT_STAR_RT = 0,   /* Reingold-Tilford circular tree rooted at the node (igraph) */
    GAT_STAR_KK = 1,   /* Kamada-Kawai on the neighbourhood, edges among neighbours included (igraph) */
} gat_star_layout;

/* Node `node`'s neighbourhood (its incoming edges, self loop included) in layer `layer`,
 * head `head` (or GAT_HEAD_MEAN): the node at the centre, each neighbour around it, edge
 * width and opacity by the attention weight, nodes coloured by class with a legend, the
 * weights' min, max and the uniform 1/degree in the subtitle. Errors: node, layer or head
 * out of range (GAT_EINVAL naming which). Cost O(degree) plus the layout. */
int gat_viz_attention(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer, int head,
                      gat_star_layout layout, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                      gat_error *err);

/* One figure that summarises node `node` in layer `layer` across all heads: a small star
 * per head (same layout for all, so heads compare at a glance) and a panel of each
 * neighbour's weight per head. Cost O(degree * heads) plus one layout. */
int gat_viz_attention_heads(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer,
                            gat_star_layout layout, const gat_viz_options *opt, const char *stem,
                            gat_viz_result *res, gat_error *err);

/* Entropy histograms of layer `layer`: one panel per head, the histogram (bins bins,
 * 0 = 30) of the per-node attention entropy in bits over the histogram of uniform
 * attention on the same neighbourhoods, overlaid with transparency and a legend. */
int gat_viz_entropy(const gat_inspection *ins, const char *dataset_name, int layer, int bins,
                    const gat_viz_options *opt, const char *stem, gat_viz_result *res, gat_error *err);

/* A 2-D embedding y (N, 2) as a scatter plot coloured by class with a legend, titled
 * title (subtitle: free text, may be NULL). */
int gat_viz_embeddings(const float *y, int64_t n, const gat_graph_input *info, const char *title,
                       const char *subtitle, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                       gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
