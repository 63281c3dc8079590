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

#endif
