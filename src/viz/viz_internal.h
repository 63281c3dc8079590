/* viz_internal.h - helpers shared by the picture modules (private). */
#ifndef GAT_VIZ_INTERNAL_H
#define GAT_VIZ_INTERNAL_H

#include "chart_draw.h"
#include "gat/viz_dataset.h"

double viz_now(void);
int viz_add_file(gat_viz_result *res, const char *path);
/* Options and graph checks done before any work (sizes, labels, limits). */
int viz_check_graph(const gat_graph_input *g, const gat_viz_options *opt, gat_error *err);
int viz_check_options(const gat_viz_options *opt, gat_error *err);
/* "<stem>.png" / "<stem>.svg" into buf. */
int viz_path_ext(char *buf, size_t size, const char *stem, const char *ext, gat_error *err);
/* Draw into stem.png and stem.svg (unless disabled in opt); records the paths in res. */
int viz_render_both(const char *stem, double w, double h, const gat_viz_options *opt, cd_draw_fn draw, void *ctx,
                    gat_viz_result *res, gat_error *err);

/* An igraph failure as a gat error naming the step (GAT_ENOMEM for igraph's out of memory). */
int viz_igraph_fail(gat_error *err, int igraph_error, const char *what);
/* qsort comparator for doubles, ascending. */
int viz_cmp_double(const void *x, const void *y);
/* The dataset name for titles with a capital first letter ("Cora"); "Graph" when unnamed. */
void viz_capitalised(const char *name, char *buf, size_t size);
/* The name of class c for legends: class_names[c] with '_' as spaces, "class <c>" without
 * names, "unlabelled" for c < 0. */
void viz_class_name(const gat_graph_input *g, int64_t c, char *buf, size_t size);

#endif
