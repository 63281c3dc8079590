/* viz_attention.c - attention over one node's neighbourhood: a star drawn with an igraph
 * layout (Reingold-Tilford circular or Kamada-Kawai), edge width and opacity by the
 * attention weight; and a summary of all heads of a layer (see viz_model.h). */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_draw.h"
#include "gat/chart.h"
#include "gat/viz_model.h"
#include "viz_internal.h"

#define EDGE_RGB 0x2f3e4eu
#define MARGIN 26.0

/* The neighbourhood: vertex 0 is the node, vertices 1..d its in-neighbours, one per CSR
 * entry other than the self loop (a duplicate input edge is one more vertex). */
typedef struct star {
    const gat_inspection *ins;
    const gat_graph_input *info;
    int64_t node, d;                   /* d neighbours (self loop excluded) */
    int64_t *entry;                    /* (d + 1) CSR entry of each vertex; entry[0] = the self loop */
    int64_t *id;                       /* (d + 1) node id of each vertex */
    double *x, *y;                     /* (d + 1) layout in [-1, 1] */
    int layer;
    gat_star_layout layout;
    int64_t n_links;                   /* edges among neighbours (KK only, drawn faintly) */
    int64_t *links;                    /* (2 * n_links) vertex pairs */
} star;

static void star_free(star *s) {
    free(s->entry);
    free(s->id);
    free(s->x);
    free(s->y);
    free(s->links);
}

static int igraph_fail(gat_error *err, igraph_error_t e, const char *what) {
    return gat_error_set(err, GAT_ENOMEM, "attention picture: igraph %s failed: %s", what, igraph_strerror(e));
}

/* Vertex positions from igraph, scaled into [-1, 1] keeping the aspect ratio, the node at
 * the origin for the circular tree. */
static int star_layout(star *s, uint64_t seed, gat_error *err) {
    const int64_t nv = s->d + 1;
    const gat_graph *g = &s->ins->graph;
    /* edges of the layout graph: the spokes, and (KK) the links among neighbours */
    int64_t *pos = NULL;
    if (s->layout == GAT_STAR_KK && s->d > 0) {
        pos = malloc((size_t)g->n * sizeof *pos);
        s->links = malloc((size_t)(2 * 4 * nv + 2) * sizeof *s->links);
        if (!pos || !s->links) {
            free(pos);
            return gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
        }
        int64_t cap = 4 * nv;
        for (int64_t i = 0; i < g->n; i++) pos[i] = -1;
        for (int64_t v = 1; v < nv; v++)
            if (pos[s->id[v]] < 0) pos[s->id[v]] = v;
        for (int64_t v = 1; v < nv; v++) {
            const int64_t u = s->id[v];
            if (pos[u] != v) continue;   /* a duplicate vertex: links go to the first */
            for (int64_t k = g->row_ptr[u] + 1; k < g->row_ptr[u + 1]; k++) {
                int64_t w = pos[g->src[k]];
                if (w < 1 || w == v) continue;
                if (s->n_links == cap) {
                    int64_t *t = realloc(s->links, (size_t)(4 * cap + 2) * sizeof *t);
                    if (!t) {
                        free(pos);
                        return gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
                    }
                    s->links = t;
                    cap *= 2;
                }
                s->links[2 * s->n_links] = w;
                s->links[2 * s->n_links + 1] = v;
                s->n_links++;
            }
        }
        free(pos);
    }
    const int64_t ne = s->d + s->n_links;
    igraph_vector_int_t ev;
    igraph_error_t e = igraph_vector_int_init(&ev, 2 * ne);
    if (e) return igraph_fail(err, e, "vector");
    for (int64_t v = 1; v < nv; v++) {
        VECTOR(ev)[2 * (v - 1)] = 0;
        VECTOR(ev)[2 * (v - 1) + 1] = v;
    }
    for (int64_t k = 0; k < s->n_links; k++) {
        VECTOR(ev)[2 * (s->d + k)] = s->links[2 * k];
        VECTOR(ev)[2 * (s->d + k) + 1] = s->links[2 * k + 1];
    }
    igraph_t graph;
    e = igraph_create(&graph, &ev, nv, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    if (e) return igraph_fail(err, e, "graph creation");
    igraph_matrix_t res;
    if ((e = igraph_matrix_init(&res, nv, 2))) {
        igraph_destroy(&graph);
        return igraph_fail(err, e, "matrix");
    }
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)seed);
    if (s->layout == GAT_STAR_KK) {
        e = igraph_layout_kamada_kawai(&graph, &res, 0, 50 * nv, 0.0, (double)nv, NULL, NULL, NULL, NULL, NULL);
    } else {
        igraph_vector_int_t roots;
        e = igraph_vector_int_init(&roots, 1);
        if (!e) {
            VECTOR(roots)[0] = 0;
            e = igraph_layout_reingold_tilford_circular(&graph, &res, IGRAPH_ALL, &roots, NULL);
            igraph_vector_int_destroy(&roots);
        }
    }
    if (!e) {
        double cx = MATRIX(res, 0, 0), cy = MATRIX(res, 0, 1), ext = 0;
        for (int64_t v = 0; v < nv; v++) {
            s->x[v] = MATRIX(res, v, 0) - cx;
            s->y[v] = MATRIX(res, v, 1) - cy;
            ext = fmax(ext, fmax(fabs(s->x[v]), fabs(s->y[v])));
        }
        for (int64_t v = 0; v < nv; v++) {
            s->x[v] = ext > 0 ? s->x[v] / ext : 0;
            s->y[v] = ext > 0 ? s->y[v] / ext : 0;
        }
    }
    igraph_matrix_destroy(&res);
    igraph_destroy(&graph);
    return e ? igraph_fail(err, e, "layout") : GAT_OK;
}

static int star_init(star *s, const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer,
                     gat_star_layout layout, uint64_t seed, gat_error *err) {
    memset(s, 0, sizeof *s);
    s->ins = ins;
    s->info = info;
    s->node = node;
    s->layer = layer;
    s->layout = layout;
    const gat_graph *g = &ins->graph;
    const int64_t b = g->row_ptr[node], e = g->row_ptr[node + 1];
    s->d = e - b - 1;
    const size_t nv = (size_t)(s->d + 1);
    s->entry = malloc(nv * sizeof *s->entry);
    s->id = malloc(nv * sizeof *s->id);
    s->x = malloc(nv * sizeof *s->x);
    s->y = malloc(nv * sizeof *s->y);
    if (!s->entry || !s->id || !s->x || !s->y) {
        star_free(s);
        return gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
    }
    for (int64_t k = b; k < e; k++) {   /* the self loop is first in the row */
        s->entry[k - b] = k;
        s->id[k - b] = g->src[k];
    }
    igraph_error_handler_t *old_err = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
    int rc = star_layout(s, seed, err);
    igraph_set_error_handler(old_err);
    igraph_set_warning_handler(old_warn);
    if (rc) star_free(s);
    return rc;
}

static uint32_t class_rgb(const gat_graph_input *info, int64_t node) {
    if (!info || !info->labels) return gat_palette_rgb(0);
    int64_t c = info->labels[node];
    return c >= 0 && c < info->n_classes ? gat_palette_rgb((int)(c % GAT_PALETTE_SIZE)) : 0xb0b0b0;
}

static void class_label(const gat_graph_input *info, int64_t c, char *buf, size_t size) {
    if (info->class_names && info->class_names[c]) snprintf(buf, size, "%s", info->class_names[c]);
    else snprintf(buf, size, "class %lld", (long long)c);
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
}

/* Node radius for a neighbourhood of nv vertices drawn in a box of half-size R. */
static double node_radius(int64_t nv, double R) {
    double r = 0.55 * R * sin(M_PI / (double)(nv > 2 ? nv : 3));
    return fmax(2.2, fmin(r, 11));
}

/* Draw the star in the square of centre (cx, cy), half-size R; weights att[v] of each
 * vertex (att[0]: the self loop), wmax the weight drawn at full width. */
static void draw_star(cairo_t *cr, const star *s, const double *att, double wmax, double cx, double cy, double R,
                      int labels, int weights, double scale_w) {
    const int64_t nv = s->d + 1;
    const double r = node_radius(nv, R), rc = fmax(r * 1.7, 6.5);
    const double inner = R - r - (labels ? 14 : 2);
    /* the widest spoke: 5.2 points, less when spokes crowd (a fraction of their spacing on
     * the outer circle), so a large neighbourhood does not fill in */
    const double wfull = fmin(5.2, fmax(0.7, 0.3 * 2 * M_PI * inner / (double)(nv > 1 ? nv - 1 : 1)));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    /* links among neighbours (KK), faint */
    cd_rgb(cr, 0x9aa5b1, 0.35);
    cairo_set_line_width(cr, 0.5 * scale_w);
    for (int64_t k = 0; k < s->n_links; k++) {
        int64_t a = s->links[2 * k], b = s->links[2 * k + 1];
        cairo_move_to(cr, cx + inner * s->x[a], cy - inner * s->y[a]);
        cairo_line_to(cr, cx + inner * s->x[b], cy - inner * s->y[b]);
        cairo_stroke(cr);
    }
    /* spokes: weakest first so strong ones are on top */
    int64_t *order = malloc((size_t)nv * sizeof *order);
    if (!order) return;
    int64_t no = 0;
    for (int64_t v = 1; v < nv; v++) order[no++] = v;
    for (int64_t i = 1; i < no; i++) {   /* insertion sort by weight (d is small) */
        int64_t v = order[i], j = i;
        while (j > 0 && att[order[j - 1]] > att[v]) { order[j] = order[j - 1]; j--; }
        order[j] = v;
    }
    for (int64_t i = 0; i < no; i++) {
        int64_t v = order[i];
        double t = wmax > 0 ? att[v] / wmax : 0;
        cd_rgb(cr, EDGE_RGB, 0.12 + 0.78 * t);
        cairo_set_line_width(cr, (0.3 + (wfull - 0.3) * t) * scale_w);
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, cx + inner * s->x[v], cy - inner * s->y[v]);
        cairo_stroke(cr);
    }
    /* the self loop: a ring around the node */
    double t0 = wmax > 0 ? att[0] / wmax : 0, lw0 = (0.3 + 4.9 * t0) * scale_w;
    cd_rgb(cr, EDGE_RGB, 0.12 + 0.78 * t0);
    cairo_set_line_width(cr, lw0);
    cairo_arc(cr, cx, cy, rc + 2.5 + lw0 / 2, 0, 2 * M_PI);
    cairo_stroke(cr);
    /* neighbours, then the node */
    for (int64_t v = 1; v < nv; v++) {
        cairo_arc(cr, cx + inner * s->x[v], cy - inner * s->y[v], r, 0, 2 * M_PI);
        cd_rgb(cr, class_rgb(s->info, s->id[v]), 1);
        cairo_fill_preserve(cr);
        cd_rgb(cr, 0xffffff, 1);
        cairo_set_line_width(cr, fmin(1.0, 0.3 * r));
        cairo_stroke(cr);
    }
    cairo_arc(cr, cx, cy, rc, 0, 2 * M_PI);
    cd_rgb(cr, class_rgb(s->info, s->node), 1);
    cairo_fill_preserve(cr);
    cd_rgb(cr, 0x1a1a1a, 1);
    cairo_set_line_width(cr, 1.4);
    cairo_stroke(cr);
    char buf[64];
    if (weights) {   /* the weight at the middle of each spoke, on a white chip */
        cd_font(cr, 8, 0);
        for (int64_t v = 1; v < nv; v++) {
            double mx = cx + 0.55 * inner * s->x[v], my = cy - 0.55 * inner * s->y[v];
            snprintf(buf, sizeof buf, "%.3f", att[v]);
            double w = cd_text_width(cr, buf);
            cairo_rectangle(cr, mx - w / 2 - 2, my - 5.5, w + 4, 11);
            cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
            cairo_fill(cr);
            cd_rgb(cr, CD_TEXT_RGB, 1);
            cd_text(cr, mx, my, buf, 0.5, 0.5);
        }
        snprintf(buf, sizeof buf, "self %.3f", att[0]);
        double w = cd_text_width(cr, buf);
        cairo_rectangle(cr, cx - w / 2 - 2, cy + rc + lw0 + 4, w + 4, 11);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_fill(cr);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, cx, cy + rc + lw0 + 9.5, buf, 0.5, 0.5);
    }
    if (labels) {    /* node ids outside the ring */
        cd_font(cr, nv > 24 ? 7.5 : 8.5, 0);
        cd_rgb(cr, 0x555555, 1);
        for (int64_t v = 1; v < nv; v++) {
            double dx = s->x[v], dy = -s->y[v], n = hypot(dx, dy);
            if (n == 0) { dx = 1; n = 1; }
            double px = cx + inner * s->x[v] + (r + 3) * dx / n, py = cy - inner * s->y[v] + (r + 3) * dy / n;
            snprintf(buf, sizeof buf, "%lld", (long long)s->id[v]);
            cd_text(cr, px, py, buf, dx / n > 0.3 ? 0 : dx / n < -0.3 ? 1 : 0.5, dy / n > 0.3 ? 0 : dy / n < -0.3 ? 1 : 0.5);
        }
    }
    free(order);
}

/* Title and subtitle at the top left of the page. */
static void draw_heading(cairo_t *cr, const char *title, const char *sub) {
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 16, 1);
    cd_text(cr, MARGIN, 18, title, 0, 0);
    cd_rgb(cr, 0x666666, 1);
    cd_font(cr, 9.5, 0);
    cd_text(cr, MARGIN, 42, sub, 0, 0);
}

/* ---- one head (or the mean) ---- */

typedef struct {
    const star *s;
    int head;
    double *att;                       /* (d + 1) */
    double wmin, wmax;
    gat_figure *bars;                  /* the sorted weights, drawn under the star */
    double W, H;
} single_ctx;

#define S_DRAW 600.0
#define S_LEGEND 230.0
#define S_BARS_H 190.0

static void draw_classes_legend(cairo_t *cr, const star *s, double x, double y, double *y_end) {
    const gat_graph_input *info = s->info;
    if (!info || !info->labels) { *y_end = y; return; }
    int64_t *count = calloc((size_t)info->n_classes + 1, sizeof *count);
    if (!count) { *y_end = y; return; }
    int64_t none = 0;
    for (int64_t v = 0; v <= s->d; v++) {
        int64_t c = info->labels[s->id[v]];
        if (c >= 0 && c < info->n_classes) count[c]++;
        else none++;
    }
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Class (nodes here)", 0, 0);
    y += 20;
    cd_font(cr, 9.5, 0);
    char buf[160];
    for (int64_t c = 0; c < info->n_classes && c < 40; c++) {
        if (!count[c]) continue;
        cairo_arc(cr, x + 6, y + 5, 5, 0, 2 * M_PI);
        cd_rgb(cr, gat_palette_rgb((int)(c % GAT_PALETTE_SIZE)), 1);
        cairo_fill(cr);
        class_label(info, c, buf, sizeof buf);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, x + 18, y + 5, buf, 0, 0.5);
        snprintf(buf, sizeof buf, "%lld", (long long)count[c]);
        cd_rgb(cr, 0x777777, 1);
        cd_text(cr, x + S_LEGEND - 24, y + 5, buf, 1, 0.5);
        y += 17;
    }
    if (none) {
        cairo_arc(cr, x + 6, y + 5, 5, 0, 2 * M_PI);
        cd_rgb(cr, 0xb0b0b0, 1);
        cairo_fill(cr);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, x + 18, y + 5, "no label", 0, 0.5);
        snprintf(buf, sizeof buf, "%lld", (long long)none);
        cd_rgb(cr, 0x777777, 1);
        cd_text(cr, x + S_LEGEND - 24, y + 5, buf, 1, 0.5);
        y += 17;
    }
    free(count);
    *y_end = y;
}

/* The edge key: three widths with their weights. */
static void draw_edge_key(cairo_t *cr, double x, double y, double wmin, double wmax, double uniform, double *y_end) {
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Edge: attention weight", 0, 0);
    y += 22;
    cd_font(cr, 9, 0);
    double ws[3] = {wmax, (wmin + wmax) / 2, wmin};
    char buf[64];
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int k = 0; k < 3; k++) {
        double t = wmax > 0 ? ws[k] / wmax : 0;
        cd_rgb(cr, EDGE_RGB, 0.12 + 0.78 * t);
        cairo_set_line_width(cr, 0.3 + 5.2 * t);
        cairo_move_to(cr, x + 3, y + 14 * k);
        cairo_line_to(cr, x + 46, y + 14 * k);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.4f%s", ws[k], k == 0 ? " (max)" : k == 2 ? " (min)" : "");
        cd_rgb(cr, 0x555555, 1);
        cd_text(cr, x + 56, y + 14 * k, buf, 0, 0.5);
    }
    y += 44;
    cd_rgb(cr, 0x777777, 1);
    cd_font(cr, 8.5, 0);
    snprintf(buf, sizeof buf, "uniform would be %.4f everywhere", uniform);
    cd_text(cr, x, y, "width and opacity \xe2\x88\x9d weight / max;", 0, 0);
    cd_text(cr, x, y + 12, "the ring around the node is its self loop;", 0, 0);
    cd_text(cr, x, y + 24, buf, 0, 0);
    *y_end = y + 36;
}

static void draw_single(cairo_t *cr, void *ctx) {
    const single_ctx *c = ctx;
    const star *s = c->s;
    const gat_graph_input *info = s->info;
    char title[256], sub[400], hname[32];
    if (c->head == GAT_HEAD_MEAN) snprintf(hname, sizeof hname, "mean of %lld heads", (long long)s->ins->heads[s->layer]);
    else snprintf(hname, sizeof hname, "head %d", c->head);
    snprintf(title, sizeof title, "%s: attention of node %lld (layer %d, %s)", info && info->name ? info->name : "graph",
             (long long)s->node, s->layer, hname);
    const double uniform = 1.0 / (double)(s->d + 1);
    snprintf(sub, sizeof sub,
             "%lld neighbour%s + self loop \xc2\xb7 weights from %.4f to %.4f (max/min %.2f) \xc2\xb7 uniform 1/%lld = %.4f \xc2\xb7 %s layout",
             (long long)s->d, s->d == 1 ? "" : "s", c->wmin, c->wmax, c->wmin > 0 ? c->wmax / c->wmin : INFINITY,
             (long long)(s->d + 1), uniform, s->layout == GAT_STAR_KK ? "Kamada-Kawai" : "Reingold-Tilford circular");
    draw_heading(cr, title, sub);
    const double top = 62;
    draw_star(cr, s, c->att, c->wmax, MARGIN + S_DRAW / 2, top + S_DRAW / 2, S_DRAW / 2 - 6, s->d + 1 <= 40,
              s->d <= 15, 1.0);
    double y;
    const double lx = MARGIN + S_DRAW + 24;
    draw_classes_legend(cr, s, lx, top + 6, &y);
    draw_edge_key(cr, lx, y + 14, c->wmin, c->wmax, uniform, &y);
    if (c->bars) {
        cairo_save(cr);
        cairo_translate(cr, MARGIN - 6, top + S_DRAW + 6);
        chart_draw_figure(cr, c->bars);
        cairo_restore(cr);
    }
}

static int check_args(const gat_inspection *ins, int64_t node, int layer, int head, int any_head,
                      const gat_viz_options *opt, gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (layer < 0 || layer >= ins->n_layers)
        return gat_error_set(err, GAT_EINVAL, "--layer %d: out of range, the model has %d layers (0..%d)", layer,
                             ins->n_layers, ins->n_layers - 1);
    if (node < 0 || node >= ins->n_nodes)
        return gat_error_set(err, GAT_EINVAL, "--nodes %lld: out of range, the graph has %lld nodes (0..%lld)",
                             (long long)node, (long long)ins->n_nodes, (long long)ins->n_nodes - 1);
    if (!any_head && head != GAT_HEAD_MEAN && (head < 0 || head >= ins->heads[layer]))
        return gat_error_set(err, GAT_EINVAL, "--head %d: out of range, layer %d has %lld heads (0..%lld, or mean)", head,
                             layer, (long long)ins->heads[layer], (long long)ins->heads[layer] - 1);
    return GAT_OK;
}

/* The sorted-weights bar chart under the star. */
static int weights_chart(const star *s, const double *att, double width, gat_figure **out, gat_error *err) {
    const int64_t nv = s->d + 1;
    double *edges = malloc((size_t)(nv + 1) * sizeof *edges), *h = malloc((size_t)nv * sizeof *h);
    int rc = GAT_OK;
    if (!edges || !h) {
        rc = gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
        goto done;
    }
    for (int64_t v = 0; v < nv; v++) h[v] = att[v];
    for (int64_t i = 1; i < nv; i++) {   /* descending */
        double t = h[i];
        int64_t j = i;
        while (j > 0 && h[j - 1] < t) { h[j] = h[j - 1]; j--; }
        h[j] = t;
    }
    for (int64_t v = 0; v <= nv; v++) edges[v] = (double)v + 0.5;
    if ((rc = gat_figure_new(out, 1, 1, width, S_BARS_H, err))) goto done;
    gat_panel *p = gat_figure_panel(*out, 0, 0, 1, 1);
    gat_panel_labels(p, NULL, "neighbours (self loop included), by weight", "attention weight");
    gat_style sb = {.color = -1, .rgb = EDGE_RGB, .alpha = 0.75};
    if ((rc = gat_panel_bars(p, edges, h, (size_t)nv, GAT_HIST_BARS, &sb, err))) goto done;
    double ux[2] = {0.5, (double)nv + 0.5}, uy[2] = {1.0 / (double)nv, 1.0 / (double)nv};
    gat_style su = {.label = "uniform 1/degree", .color = 1, .width = 1.6, .dashed = 1};
    if ((rc = gat_panel_line(p, ux, uy, 2, &su, err))) goto done;
    gat_panel_ylim(p, 0, NAN);
    gat_panel_xlim(p, 0.5, (double)nv + 0.5);
    gat_panel_legend(p, GAT_LEGEND_UPPER_RIGHT);
done:
    free(edges);
    free(h);
    return rc;
}

int gat_viz_attention(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer, int head,
                      gat_star_layout layout, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                      gat_error *err) {
    int rc = check_args(ins, node, layer, head, 0, opt, err);
    if (rc) return rc;
    star s;
    if ((rc = star_init(&s, ins, info, node, layer, layout, opt->seed, err))) return rc;
    single_ctx c = {.s = &s, .head = head};
    c.att = malloc((size_t)(s.d + 1) * sizeof *c.att);
    if (!c.att) {
        rc = gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
        goto done;
    }
    c.wmin = INFINITY;
    c.wmax = 0;
    for (int64_t v = 0; v <= s.d; v++) {
        c.att[v] = gat_inspect_att(ins, layer, head, s.entry[v]);
        c.wmin = fmin(c.wmin, c.att[v]);
        c.wmax = fmax(c.wmax, c.att[v]);
    }
    c.W = MARGIN + S_DRAW + 24 + S_LEGEND + MARGIN;
    if ((rc = weights_chart(&s, c.att, S_DRAW + 12, &c.bars, err))) goto done;
    c.H = 62 + S_DRAW + 6 + S_BARS_H + 10;
    rc = viz_render_both(stem, c.W, c.H, opt, draw_single, &c, res, err);
done:
    gat_figure_free(c.bars);
    free(c.att);
    star_free(&s);
    return rc;
}

/* ---- all heads of a layer ---- */

typedef struct {
    const star *s;
    int64_t heads;
    double *att;                       /* (heads, d + 1) */
    double wmax;                       /* over all heads: one scale for every star */
    int64_t *col;                      /* (d + 1) vertices by mean weight, descending */
    int cols, rows;
    double cell, W, H, heat_y, heat_h;
} heads_ctx;

/* white -> dark blue, t in [0, 1] */
static uint32_t heat_rgb(double t) {
    t = fmin(1, fmax(0, t));
    const double a[3] = {0xf7, 0xfb, 0xff}, m[3] = {0x6b, 0xae, 0xd6}, b[3] = {0x08, 0x30, 0x6b};
    uint32_t out = 0;
    for (int k = 0; k < 3; k++) {
        double v = t < 0.5 ? a[k] + (m[k] - a[k]) * t * 2 : m[k] + (b[k] - m[k]) * (t - 0.5) * 2;
        out = out << 8 | (uint32_t)lround(v);
    }
    return out;
}

static void draw_heads(cairo_t *cr, void *ctx) {
    const heads_ctx *c = ctx;
    const star *s = c->s;
    const gat_graph_input *info = s->info;
    const int64_t nv = s->d + 1;
    char title[256], sub[400], buf[96];
    snprintf(title, sizeof title, "%s: attention of node %lld, all %lld heads of layer %d",
             info && info->name ? info->name : "graph", (long long)s->node, (long long)c->heads, s->layer);
    /* how far the heads are from uniform and from each other */
    double dev = 0, spread = 0;
    for (int64_t v = 0; v < nv; v++) {
        double mean = 0;
        for (int64_t h = 0; h < c->heads; h++) mean += c->att[h * nv + v];
        mean /= (double)c->heads;
        for (int64_t h = 0; h < c->heads; h++) {
            dev = fmax(dev, fabs(c->att[h * nv + v] - 1.0 / (double)nv));
            spread = fmax(spread, fabs(c->att[h * nv + v] - mean));
        }
    }
    snprintf(sub, sizeof sub,
             "%lld neighbour%s + self loop \xc2\xb7 one width scale for all heads (max weight %.4f) \xc2\xb7 largest "
             "distance from uniform 1/%lld: %.4f \xc2\xb7 largest distance from the heads' mean: %.4f",
             (long long)s->d, s->d == 1 ? "" : "s", c->wmax, (long long)nv, dev, spread);
    draw_heading(cr, title, sub);
    const double top = 62;
    for (int64_t h = 0; h < c->heads; h++) {
        double x0 = MARGIN + (double)(h % c->cols) * c->cell, y0 = top + (double)(h / c->cols) * c->cell;
        double mn = INFINITY, mx = 0;
        for (int64_t v = 0; v < nv; v++) {
            mn = fmin(mn, c->att[h * nv + v]);
            mx = fmax(mx, c->att[h * nv + v]);
        }
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_font(cr, 10, 1);
        snprintf(buf, sizeof buf, "head %lld", (long long)h);
        cd_text(cr, x0 + c->cell / 2, y0 + 4, buf, 0.5, 0);
        cd_font(cr, 8, 0);
        cd_rgb(cr, 0x777777, 1);
        snprintf(buf, sizeof buf, "%.4f .. %.4f", mn, mx);
        cd_text(cr, x0 + c->cell / 2, y0 + 17, buf, 0.5, 0);
        draw_star(cr, s, c->att + h * nv, c->wmax, x0 + c->cell / 2, y0 + 28 + (c->cell - 34) / 2,
                  (c->cell - 34) / 2, 0, 0, 0.6);
    }
    /* the heatmap: heads x neighbours (by mean weight), class strip on top, colour bar */
    const double hx = MARGIN + 58, hw = c->W - 2 * MARGIN - 58 - 90, hy = c->heat_y, hh = c->heat_h;
    const double cw = hw / (double)nv, rh = hh / (double)c->heads;
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, MARGIN, hy - 34, "Weight per head and neighbour (columns by mean weight; top strip: class)", 0, 0);
    for (int64_t j = 0; j < nv; j++) {
        int64_t v = c->col[j];
        cairo_rectangle(cr, hx + cw * (double)j, hy - 12, cw + 0.05, 8);
        cd_rgb(cr, class_rgb(info, s->id[v]), 1);
        cairo_fill(cr);
        for (int64_t h = 0; h < c->heads; h++) {
            cairo_rectangle(cr, hx + cw * (double)j, hy + rh * (double)h, cw + 0.05, rh + 0.05);
            cd_rgb(cr, heat_rgb(c->wmax > 0 ? c->att[h * nv + v] / c->wmax : 0), 1);
            cairo_fill(cr);
        }
    }
    cd_font(cr, 8.5, 0);
    cd_rgb(cr, 0x555555, 1);
    for (int64_t h = 0; h < c->heads; h++) {
        snprintf(buf, sizeof buf, "head %lld", (long long)h);
        cd_text(cr, hx - 6, hy + rh * ((double)h + 0.5), buf, 1, 0.5);
    }
    if (nv <= 40) {
        cd_font(cr, 7, 0);
        for (int64_t j = 0; j < nv; j++) {
            snprintf(buf, sizeof buf, "%lld", (long long)s->id[c->col[j]]);
            cd_text(cr, hx + cw * ((double)j + 0.5), hy + hh + 3, buf, 0.5, 0);
        }
    } else {
        cd_font(cr, 8.5, 0);
        cd_text(cr, hx, hy + hh + 3, "highest mean weight", 0, 0);
        cd_text(cr, hx + hw, hy + hh + 3, "lowest", 1, 0);
    }
    /* colour bar with the uniform weight marked */
    const double bx = hx + hw + 24, bw = 12;
    for (int k = 0; k < 64; k++) {
        cairo_rectangle(cr, bx, hy + hh - hh * (k + 1) / 64.0, bw, hh / 64.0 + 0.1);
        cd_rgb(cr, heat_rgb((k + 0.5) / 64.0), 1);
        cairo_fill(cr);
    }
    cd_rgb(cr, CD_AXIS_RGB, 1);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, bx, hy, bw, hh);
    cairo_stroke(cr);
    cd_font(cr, 8, 0);
    snprintf(buf, sizeof buf, "%.4f", c->wmax);
    cd_text(cr, bx + bw + 4, hy, buf, 0, 0.5);
    cd_text(cr, bx + bw + 4, hy + hh, "0", 0, 0.5);
    double uy = hy + hh - hh * (1.0 / (double)nv) / (c->wmax > 0 ? c->wmax : 1);
    if (uy >= hy && uy <= hy + hh) {
        cd_rgb(cr, gat_palette_rgb(1), 1);
        cairo_set_line_width(cr, 1.5);
        cairo_move_to(cr, bx - 3, uy);
        cairo_line_to(cr, bx + bw + 3, uy);
        cairo_stroke(cr);
        /* keep the label clear of the 0 and max labels at the ends of the bar */
        double ly = uy - hy < 11 ? uy + 10 : hy + hh - uy < 11 ? uy - 10 : uy;
        cd_text(cr, bx + bw + 4, ly, "uniform", 0, 0.5);
    }
}

int gat_viz_attention_heads(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer,
                            gat_star_layout layout, const gat_viz_options *opt, const char *stem,
                            gat_viz_result *res, gat_error *err) {
    int rc = check_args(ins, node, layer, 0, 1, opt, err);
    if (rc) return rc;
    star s;
    if ((rc = star_init(&s, ins, info, node, layer, layout, opt->seed, err))) return rc;
    heads_ctx c = {.s = &s, .heads = ins->heads[layer]};
    const int64_t nv = s.d + 1;
    c.att = malloc((size_t)(c.heads * nv) * sizeof *c.att);
    c.col = malloc((size_t)nv * sizeof *c.col);
    double *mean = malloc((size_t)nv * sizeof *mean);
    if (!c.att || !c.col || !mean) {
        rc = gat_error_set(err, GAT_ENOMEM, "attention picture: out of memory");
        goto done;
    }
    for (int64_t v = 0; v < nv; v++) {
        mean[v] = 0;
        for (int64_t h = 0; h < c.heads; h++) {
            double w = gat_inspect_att(ins, layer, (int)h, s.entry[v]);
            c.att[h * nv + v] = w;
            c.wmax = fmax(c.wmax, w);
            mean[v] += w;
        }
        c.col[v] = v;
    }
    for (int64_t i = 1; i < nv; i++) {   /* columns by mean weight, descending */
        int64_t v = c.col[i], j = i;
        while (j > 0 && mean[c.col[j - 1]] < mean[v]) { c.col[j] = c.col[j - 1]; j--; }
        c.col[j] = v;
    }
    c.cols = c.heads <= 4 ? (int)c.heads : c.heads <= 8 ? (int)((c.heads + 1) / 2) : 4;
    if (c.heads > 16) c.heads = 16;     /* at most 16 stars and heatmap rows */
    c.rows = (int)((c.heads + c.cols - 1) / c.cols);
    c.cell = c.cols >= 4 ? 230 : 260;
    c.W = fmax(2 * MARGIN + c.cell * c.cols, 760);
    c.heat_y = 62 + c.rows * c.cell + 50;
    c.heat_h = fmin(16 * (double)c.heads, 200);
    c.H = c.heat_y + c.heat_h + 40;
    rc = viz_render_both(stem, c.W, c.H, opt, draw_heads, &c, res, err);
done:
    free(mean);
    free(c.att);
    free(c.col);
    star_free(&s);
    return rc;
}
