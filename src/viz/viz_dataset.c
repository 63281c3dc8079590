/* viz_dataset.c - the degree figure, and both dataset pictures for a loaded dataset. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/viz_dataset.h"
#include "viz_internal.h"

int gat_viz_degrees(const gat_graph_input *g, const gat_graph_stats *st, const gat_viz_options *opt,
                    const char *stem, gat_viz_result *res, gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (st->n_nodes != g->n_nodes || st->n_nodes < 1)
        return gat_error_set(err, GAT_EINVAL, "degree figure: statistics for %lld nodes, graph has %lld",
                             (long long)st->n_nodes, (long long)g->n_nodes);
    int64_t n = st->n_nodes, dmax = st->max_degree;
    double *in = malloc((size_t)n * sizeof *in), *out = malloc((size_t)n * sizeof *out);
    double *edges = malloc((size_t)(dmax + 2) * sizeof *edges), *count = calloc((size_t)(dmax + 1), sizeof *count);
    double *kx = malloc((size_t)(dmax + 1) * sizeof *kx), *ky = malloc((size_t)(dmax + 1) * sizeof *ky);
    gat_figure *fig = NULL;
    if (!in || !out || !edges || !count || !kx || !ky) {
        rc = gat_error_set(err, GAT_ENOMEM, "degree figure: out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        in[i] = (double)st->in_degree[i];
        out[i] = (double)st->out_degree[i];
        count[st->degree[i]] += 1;
    }
    for (int64_t d = 0; d <= dmax + 1; d++) edges[d] = (double)d - 0.5;
    int64_t nk = 0;
    for (int64_t d = 1; d <= dmax; d++)
        if (count[d] > 0) { kx[nk] = (double)d; ky[nk] = count[d]; nk++; }
    /* Cut the linear histogram at the 99.5th percentile of the degree: the tail is on the
     * log-log panel. */
    int64_t cut = dmax, acc = 0;
    for (int64_t d = 0; d <= dmax; d++) {
        acc += (int64_t)count[d];
        if ((double)acc >= 0.995 * (double)n) { cut = d; break; }
    }
    if (cut < 10) cut = dmax < 10 ? dmax : 10;

    if ((rc = gat_figure_new(&fig, 3, 2, 900, 780, err))) goto done;
    char name[64], buf[256];
    viz_capitalised(g->name, name, sizeof name);
    snprintf(buf, sizeof buf, "%s: degree statistics", name);
    gat_figure_title(fig, buf);
    snprintf(buf, sizeof buf, "%lld nodes \xc2\xb7 %lld edge-list entries \xc2\xb7 mean degree %.2f \xc2\xb7 "
             "node %lld has the highest degree, %lld", (long long)n, (long long)st->n_edges, st->mean_degree,
             (long long)st->max_degree_node, (long long)dmax);
    gat_figure_subtitle(fig, buf);
    char mark[96];
    snprintf(mark, sizeof mark, "node %lld (%lld)", (long long)st->max_degree_node, (long long)dmax);
    gat_style gray = {.color = -1, .rgb = 0x999999, .alpha = 0.8, .width = 1};

    gat_panel *p = gat_figure_panel(fig, 0, 0, 1, 2);
    gat_panel_labels(p, "In-degree per node id", "node id", "in-degree");
    gat_style s = {.color = 0, .width = 0.8};
    if ((rc = gat_panel_line(p, NULL, in, (size_t)n, &s, err))) goto done;
    if ((rc = gat_panel_vline(p, (double)st->max_degree_node, mark, &gray, err))) goto done;
    gat_panel_ylim(p, 0, NAN);

    p = gat_figure_panel(fig, 1, 0, 1, 2);
    gat_panel_labels(p, "Out-degree per node id", "node id", "out-degree");
    s.color = 1;
    if ((rc = gat_panel_line(p, NULL, out, (size_t)n, &s, err))) goto done;
    if ((rc = gat_panel_vline(p, (double)st->max_degree_node, mark, &gray, err))) goto done;
    gat_panel_ylim(p, 0, NAN);

    p = gat_figure_panel(fig, 2, 0, 1, 1);
    snprintf(buf, sizeof buf, "Degree histogram (degree \xe2\x89\xa4 %lld)", (long long)cut);
    gat_panel_labels(p, buf, "degree (distinct neighbours)", "number of nodes");
    gat_style sb = {.color = 3, .alpha = 0.85};
    if ((rc = gat_panel_bars(p, edges, count, (size_t)(cut + 1), GAT_HIST_BARS, &sb, err))) goto done;
    snprintf(buf, sizeof buf, "mean %.2f", st->mean_degree);
    gat_style sm = {.color = 2, .width = 1.2, .label = buf};
    if ((rc = gat_panel_vline(p, st->mean_degree, NULL, &sm, err))) goto done;
    gat_panel_legend(p, GAT_LEGEND_UPPER_RIGHT);

    p = gat_figure_panel(fig, 2, 1, 1, 1);
    gat_panel_labels(p, "Degree distribution, log-log", "degree", "number of nodes");
    gat_panel_log(p, 1, 1);
    gat_style sl = {.color = 4, .size = 5.5, .alpha = 0.85};
    if ((rc = gat_panel_scatter(p, kx, ky, NULL, (size_t)nk, &sl, err))) goto done;

    rc = viz_render_both(stem, 900, 780, opt, chart_draw_figure, fig, res, err);
done:
    gat_figure_free(fig);
    free(in); free(out); free(edges); free(count); free(kx); free(ky);
    return rc;
}

gat_graph_input gat_graph_input_from_dataset(const gat_dataset *ds) {
    return (gat_graph_input){
        .name = ds->name, .n_nodes = ds->n_nodes, .n_edges = ds->n_edges,
        .edge_src = ds->edge_src, .edge_dst = ds->edge_dst,
        .labels = ds->task == GAT_TASK_SINGLE_LABEL ? ds->labels : NULL,
        .n_classes = ds->n_classes, .class_names = (const char *const *)ds->class_names,
    };
}

int gat_viz_dataset(const gat_dataset *ds, const gat_viz_options *opt, const char *out_dir, gat_viz_result *res,
                    gat_error *err) {
    memset(res, 0, sizeof *res);
    double t0 = viz_now();
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    gat_graph_input g = gat_graph_input_from_dataset(ds);
    if ((rc = viz_check_graph(&g, opt, err))) return rc;
    char dir[1024], stem[1100];
    if (out_dir) rc = gat_path_join(dir, sizeof dir, err, "%s", out_dir);
    else rc = gat_path_join(dir, sizeof dir, err, "figures/%s", ds->name);
    if (rc || (rc = gat_mkdirs(dir, err))) return rc;
    if ((rc = gat_path_join(stem, sizeof stem, err, "%s/%s_graph", dir, ds->name))) return rc;
    if ((rc = gat_viz_graph(&g, opt, stem, res, err))) return rc;
    gat_graph_stats st;
    if ((rc = gat_graph_stats_compute(&st, g.n_nodes, g.edge_src, g.edge_dst, g.n_edges, err))) return rc;
    if (!(rc = gat_path_join(stem, sizeof stem, err, "%s/%s_degrees", dir, ds->name)))
        rc = gat_viz_degrees(&g, &st, opt, stem, res, err);
    gat_graph_stats_free(&st);
    res->seconds_total = viz_now() - t0;
    return rc;
}
