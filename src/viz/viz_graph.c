/* viz_graph.c - the whole-graph picture: per-component igraph layouts packed on a page,
 * edge betweenness, and drawing with cairo. */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chart_draw.h"
#include "gat/chart.h"
#include "gat/viz_dataset.h"
#include "gat/dataset.h"
#include "viz_internal.h"

#define KK_MAX_NODES 5000      /* KK keeps an n x n distance matrix */
#define AUTO_KK_NODES 3000
#ifndef KK_ITER_BIG
#define KK_ITER_BIG 15   /* KK sweeps per node above 1000 nodes: 50 (python-igraph) looks the same on Cora at 2.5x the time */
#endif
#define PAGE_W 1000.0
#define MARGIN 24.0
#define LEGEND_W 215.0
#define CAPTION_H 34.0
#define MAX_PAGE_H 1500.0

static const char *layout_names[] = {"auto", "kk", "drl", "fr"};

const char *gat_layout_name(gat_layout l) {
    return l >= 0 && l <= GAT_LAYOUT_FR ? layout_names[l] : "?";
}

int gat_layout_parse(const char *name) {
    for (int i = 0; i <= GAT_LAYOUT_FR; i++)
        if (!strcasecmp(name, layout_names[i])) return i;
    return -1;
}

static const char *layout_long_name(gat_layout l) {
    switch (l) {
    case GAT_LAYOUT_KK: return "Kamada-Kawai";
    case GAT_LAYOUT_DRL: return "DrL";
    case GAT_LAYOUT_FR: return "Fruchterman-Reingold (grid)";
    default: return "auto";
    }
}

double viz_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int viz_add_file(gat_viz_result *res, const char *path) {
    if (res && res->n_files < GAT_VIZ_MAX_FILES) {
        snprintf(res->files[res->n_files], sizeof res->files[0], "%s", path);
        res->n_files++;
    }
    return GAT_OK;
}

int viz_check_options(const gat_viz_options *opt, gat_error *err) {
    if (opt->no_png && opt->no_svg) return gat_error_set(err, GAT_EINVAL, "no picture format selected (png, svg)");
    if (opt->scale != 0 && !(opt->scale >= 0.25 && opt->scale <= 8))
        return gat_error_set(err, GAT_EINVAL, "scale %g is out of range [0.25, 8]", opt->scale);
    if ((int)opt->layout < 0 || opt->layout > GAT_LAYOUT_FR)
        return gat_error_set(err, GAT_EINVAL, "unknown layout %d", (int)opt->layout);
    if (opt->max_nodes < 0) return gat_error_set(err, GAT_EINVAL, "max_nodes %lld is negative", (long long)opt->max_nodes);
    return GAT_OK;
}

/* Write stem.png and/or stem.svg with draw(). */
int viz_render_both(const char *stem, double w, double h, const gat_viz_options *opt, cd_draw_fn draw, void *ctx,
                    gat_viz_result *res, gat_error *err) {
    char path[1024];
    for (int svg = 0; svg < 2; svg++) {
        if (svg ? opt->no_svg : opt->no_png) continue;
        int rc = viz_path_ext(path, sizeof path, stem, svg ? ".svg" : ".png", err);
        if (rc) return rc;
        rc = cd_render_file(path, svg, w, h, opt->scale > 0 ? opt->scale : 2.0, draw, ctx, err);
        if (rc) return rc;
        viz_add_file(res, path);
    }
    return GAT_OK;
}

int viz_path_ext(char *buf, size_t size, const char *stem, const char *ext, gat_error *err) {
    int n = snprintf(buf, size, "%s%s", stem, ext);
    if (n < 0 || (size_t)n >= size) return gat_error_set(err, GAT_EINVAL, "%.64s...: path too long", stem);
    return GAT_OK;
}

/* ---- the picture model ---- */

typedef struct { int64_t a, b; } upair;

typedef struct picture {
    const gat_graph_input *g;
    gat_layout layout;
    int64_t n, m;              /* nodes, distinct undirected edges */
    upair *edges;              /* (m) */
    double *t;                 /* (m) log edge betweenness normalised to [0, 1] */
    int64_t *edge_order;       /* (m) by t ascending */
    int64_t *node_order;       /* (n) by degree descending */
    double *x, *y, *r;         /* (n) page coordinates and radius */
    int64_t *class_count;      /* (n_classes) */
    gat_graph_stats st;
    double width, height, graph_w, strip_y;
    int64_t strip_nodes;
} picture;

static int cmp_upair(const void *x, const void *y) {
    const upair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static const double *sort_key;
static int cmp_by_key(const void *x, const void *y) {
    double a = sort_key[*(const int64_t *)x], b = sort_key[*(const int64_t *)y];
    if (a != b) return a < b ? -1 : 1;
    return (*(const int64_t *)x > *(const int64_t *)y) - (*(const int64_t *)x < *(const int64_t *)y);
}

static void picture_free(picture *p) {
    free(p->edges);
    free(p->t);
    free(p->edge_order);
    free(p->node_order);
    free(p->x);
    free(p->y);
    free(p->r);
    free(p->class_count);
    gat_graph_stats_free(&p->st);
}

int viz_igraph_fail(gat_error *err, int e, const char *what) {
    return gat_error_set(err, e == IGRAPH_ENOMEM ? GAT_ENOMEM : GAT_EINVAL, "igraph %s failed: %s", what,
                         igraph_strerror((igraph_error_t)e));
}

int viz_cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

void viz_capitalised(const char *name, char *buf, size_t size) { gat_display_dataset_name(name, buf, size); }

void viz_class_name(const gat_graph_input *g, int64_t c, char *buf, size_t size) {
    if (c < 0) snprintf(buf, size, "unlabelled");
    else if (g && g->class_names && g->class_names[c]) gat_display_class_name(g->class_names[c], buf, size);
    else snprintf(buf, size, "class %lld", (long long)c);
}

/* Lay out one component (k nodes, local edge list el of 2*ke ids) into lx, ly. */
static int layout_one(int64_t k, const igraph_integer_t *el, int64_t ke, gat_layout lay, double *lx, double *ly,
                      gat_error *err) {
    if (k == 1) { lx[0] = ly[0] = 0; return GAT_OK; }
    if (k == 2) { lx[0] = -0.5; lx[1] = 0.5; ly[0] = ly[1] = 0; return GAT_OK; }
    igraph_t graph;
    igraph_vector_int_t ev;
    igraph_matrix_t res;
    igraph_error_t e = igraph_vector_int_init(&ev, 2 * ke);
    if (e) return viz_igraph_fail(err, e, "vector");
    memcpy(VECTOR(ev), el, (size_t)(2 * ke) * sizeof *el);
    e = igraph_create(&graph, &ev, k, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    if (e) return viz_igraph_fail(err, e, "graph creation");
    if ((e = igraph_matrix_init(&res, k, 2))) {
        igraph_destroy(&graph);
        return viz_igraph_fail(err, e, "matrix");
    }
    if (lay == GAT_LAYOUT_KK || k < 100) {
        e = igraph_layout_kamada_kawai(&graph, &res, 0, (k > 1000 ? KK_ITER_BIG : 50) * k, 0.0, (double)k, NULL, NULL, NULL, NULL, NULL);
    } else if (lay == GAT_LAYOUT_DRL) {
        igraph_layout_drl_options_t o;
        e = igraph_layout_drl_options_init(&o, IGRAPH_LAYOUT_DRL_DEFAULT);
        if (!e) e = igraph_layout_drl(&graph, &res, 0, &o, NULL);
    } else {
        e = igraph_layout_fruchterman_reingold(&graph, &res, 0, 500, sqrt((double)k) / 10, IGRAPH_LAYOUT_GRID, NULL,
                                               NULL, NULL, NULL, NULL);
    }
    if (!e)
        for (int64_t i = 0; i < k; i++) {
            lx[i] = MATRIX(res, i, 0);
            ly[i] = MATRIX(res, i, 1);
        }
    igraph_matrix_destroy(&res);
    igraph_destroy(&graph);
    return e ? viz_igraph_fail(err, e, "layout") : GAT_OK;
}

/* A few nodes flung far out (leaves the layout did not settle) would shrink everything
 * else: move nodes beyond 1.15 x the 99th-percentile distance from the centroid onto that
 * circle. tmp holds k doubles. */
static void pull_in_outliers(double *x, double *y, int64_t k, double *tmp) {
    double mx = 0, my = 0;
    for (int64_t i = 0; i < k; i++) { mx += x[i]; my += y[i]; }
    mx /= (double)k;
    my /= (double)k;
    for (int64_t i = 0; i < k; i++) tmp[i] = hypot(x[i] - mx, y[i] - my);
    qsort(tmp, (size_t)k, sizeof *tmp, viz_cmp_double);
    double R = 1.15 * tmp[(k * 99) / 100];
    for (int64_t i = 0; i < k; i++) {
        double d = hypot(x[i] - mx, y[i] - my);
        if (d > R && d > 0) {
            x[i] = mx + (x[i] - mx) * R / d;
            y[i] = my + (y[i] - my) * R / d;
        }
    }
}

/* Lay out every component, scale each to a median edge length of 1, and pack them: the
 * largest on top, the others in rows below. Positions in layout units into p->x, p->y;
 * *W, *H the packed size, *strip the y where the rows of small components start. */
static int layout_all(picture *p, double *W, double *H, double *strip, gat_error *err) {
    int64_t n = p->n, nc = p->st.n_components;
    int rc = GAT_OK;
    int64_t *start = calloc((size_t)nc + 1, sizeof *start), *members = malloc((size_t)n * sizeof *members);
    int64_t *loc = malloc((size_t)n * sizeof *loc), *estart = calloc((size_t)nc + 1, sizeof *estart);
    igraph_integer_t *el = malloc((size_t)(2 * p->m + 2) * sizeof *el);
    double *lx = malloc((size_t)n * sizeof *lx), *ly = malloc((size_t)n * sizeof *ly);
    double *len = malloc((size_t)(p->m + 1) * sizeof *len);
    double *bw = malloc((size_t)nc * sizeof *bw), *bh = malloc((size_t)nc * sizeof *bh);
    if (!start || !members || !loc || !estart || !el || !lx || !ly || !len || !bw || !bh) {
        rc = gat_error_set(err, GAT_ENOMEM, "graph layout: out of memory");
        goto done;
    }
    const int64_t *comp = p->st.component;
    for (int64_t i = 0; i < n; i++) start[comp[i] + 1]++;
    for (int64_t c = 0; c < nc; c++) start[c + 1] += start[c];
    for (int64_t i = 0; i < n; i++) {   /* estart serves as a per-component cursor here */
        loc[i] = start[comp[i]] + estart[comp[i]]++;
        members[loc[i]] = i;
    }
    for (int64_t c = 0; c < nc; c++) estart[c] = 0;
    for (int64_t k = 0; k < p->m; k++) estart[comp[p->edges[k].a] + 1]++;
    for (int64_t c = 0; c < nc; c++) estart[c + 1] += estart[c];
    {
        int64_t *cur = calloc((size_t)nc, sizeof *cur);
        if (!cur) { rc = gat_error_set(err, GAT_ENOMEM, "graph layout: out of memory"); goto done; }
        for (int64_t k = 0; k < p->m; k++) {
            int64_t c = comp[p->edges[k].a], pos = estart[c] + cur[c]++;
            el[2 * pos] = loc[p->edges[k].a] - start[c];
            el[2 * pos + 1] = loc[p->edges[k].b] - start[c];
        }
        free(cur);
    }
    double pad = 1.6, rowx = 0, rowy = 0, rowh = 0, width = 0;
    for (int64_t c = 0; c < nc; c++) {
        int64_t k = start[c + 1] - start[c], ke = estart[c + 1] - estart[c];
        const igraph_integer_t *cel = el + 2 * estart[c];
        double *cx = lx + start[c], *cy = ly + start[c];
        rc = layout_one(k, cel, ke, c == 0 ? p->layout : GAT_LAYOUT_KK, cx, cy, err);
        if (rc) goto done;
        for (int64_t e = 0; e < ke; e++)
            len[e] = hypot(cx[cel[2 * e]] - cx[cel[2 * e + 1]], cy[cel[2 * e]] - cy[cel[2 * e + 1]]);
        double med = 1;
        if (ke > 0) {
            qsort(len, (size_t)ke, sizeof *len, viz_cmp_double);
            med = len[ke / 2] > 1e-9 ? len[ke / 2] : 1;
        }
        for (int64_t i = 0; i < k; i++) {
            cx[i] /= med;
            cy[i] /= med;
        }
        if (k >= 50) pull_in_outliers(cx, cy, k, len);
        double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
        for (int64_t i = 0; i < k; i++) {
            x0 = fmin(x0, cx[i]); x1 = fmax(x1, cx[i]);
            y0 = fmin(y0, cy[i]); y1 = fmax(y1, cy[i]);
        }
        for (int64_t i = 0; i < k; i++) { cx[i] -= x0; cy[i] -= y0; }
        bw[c] = x1 - x0;
        bh[c] = y1 - y0;
    }
    /* Small components at the node density of the largest: side ~ sqrt(nodes). */
    double u0 = sqrt(fmax(bw[0] * bh[0], 1.0) / (double)(start[1] - start[0]));
    if (nc > 1 && start[1] - start[0] > 2) {
        pad = 1.6 * u0;
        for (int64_t c = 1; c < nc; c++) {
            int64_t k = start[c + 1] - start[c];
            double side = fmax(bw[c], bh[c]), target = 1.3 * u0 * sqrt((double)k);
            double f = side > 0 ? target / side : 1;
            for (int64_t i = start[c]; i < start[c + 1]; i++) { lx[i] *= f; ly[i] *= f; }
            bw[c] *= f;
            bh[c] *= f;
        }
    }
    /* Row width: the largest component's, but wide enough for the rest in a few rows. */
    double rest_area = 0;
    for (int64_t c = 1; c < nc; c++) rest_area += (bw[c] + pad) * (bh[c] + pad);
    width = fmax(bw[0], sqrt(rest_area) * 1.5);
    double ox = (width - bw[0]) / 2;
    for (int64_t i = start[0]; i < start[1]; i++) {
        p->x[members[i]] = lx[i] + ox;
        p->y[members[i]] = ly[i];
    }
    *strip = bh[0] + pad;
    rowy = *strip;
    for (int64_t c = 1; c < nc; c++) {
        if (rowx > 0 && rowx + bw[c] > width) {
            rowx = 0;
            rowy += rowh + pad;
            rowh = 0;
        }
        for (int64_t i = start[c]; i < start[c + 1]; i++) {
            p->x[members[i]] = lx[i] + rowx;
            p->y[members[i]] = ly[i] + rowy;
        }
        rowx += bw[c] + pad;
        rowh = fmax(rowh, bh[c]);
    }
    *W = width;
    *H = nc > 1 ? rowy + rowh : bh[0];
    p->strip_nodes = nc > 1 ? n - (start[1] - start[0]) : 0;
done:
    free(start); free(members); free(loc); free(estart); free(el);
    free(lx); free(ly); free(len); free(bw); free(bh);
    return rc;
}

static int betweenness(picture *p, gat_error *err) {
    igraph_t graph;
    igraph_vector_int_t ev;
    igraph_vector_t res;
    igraph_error_t e = igraph_vector_int_init(&ev, 2 * p->m);
    if (e) return viz_igraph_fail(err, e, "vector");
    for (int64_t k = 0; k < p->m; k++) {
        VECTOR(ev)[2 * k] = p->edges[k].a;
        VECTOR(ev)[2 * k + 1] = p->edges[k].b;
    }
    e = igraph_create(&graph, &ev, p->n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    if (e) return viz_igraph_fail(err, e, "graph creation");
    if ((e = igraph_vector_init(&res, p->m))) {
        igraph_destroy(&graph);
        return viz_igraph_fail(err, e, "vector");
    }
    /* Exact betweenness is O(n m): cut paths longer than 6 on big graphs. */
    if ((double)p->n * (double)p->m > 2e9) e = igraph_edge_betweenness_cutoff(&graph, &res, 0, NULL, 6);
    else e = igraph_edge_betweenness(&graph, &res, 0, NULL);
    if (!e) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t k = 0; k < p->m; k++) {
            p->t[k] = log1p(VECTOR(res)[k]);
            lo = fmin(lo, p->t[k]);
            hi = fmax(hi, p->t[k]);
        }
        for (int64_t k = 0; k < p->m; k++) p->t[k] = hi > lo ? (p->t[k] - lo) / (hi - lo) : 0.5;
    }
    igraph_vector_destroy(&res);
    igraph_destroy(&graph);
    return e ? viz_igraph_fail(err, e, "edge betweenness") : GAT_OK;
}

/* ---- drawing ---- */

static uint32_t node_rgb(const picture *p, int64_t i) {
    const gat_graph_input *g = p->g;
    if (!g->labels) return gat_palette_rgb(0);
    return g->labels[i] >= 0 ? gat_palette_rgb((int)g->labels[i]) : 0xb0b0b0;
}

static void fmt_count(int64_t v, char *buf, size_t size) {
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v), j = 0;
    for (int i = 0; i < n && (size_t)j + 2 < size; i++) {
        if (i > 0 && tmp[i - 1] != '-' && (n - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = 0;
}

static void draw_legend_column(cairo_t *cr, const picture *p, double x, double y) {
    const gat_graph_input *g = p->g;
    char buf[256], num[32];
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    if (g->labels) {
        if (g->colour_by) {
            snprintf(buf, sizeof buf, "Colour: %s", g->colour_by);
            cd_text(cr, x, y, buf, 0, 0);
        } else {
            cd_text(cr, x, y, "Classes (nodes)", 0, 0);
        }
        y += 20;
        cd_font(cr, 9.5, 0);
        for (int64_t c = 0; c < g->n_classes && c < 40; c++) {
            cairo_arc(cr, x + 6, y + 5, 5, 0, 2 * M_PI);
            cd_rgb(cr, gat_palette_rgb((int)c), 1);
            cairo_fill(cr);
            cd_rgb(cr, CD_TEXT_RGB, 1);
            fmt_count(p->class_count[c], num, sizeof num);
            viz_class_name(g, c, buf, sizeof buf);
            cd_text(cr, x + 18, y + 5, buf, 0, 0.5);
            cd_rgb(cr, 0x777777, 1);
            cd_text(cr, x + LEGEND_W - 20, y + 5, num, 1, 0.5);
            y += 17;
        }
        y += 14;
    }
    /* Node size key: degrees 1, 10, 100 ... up to the maximum. */
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Node area: degree", 0, 0);
    y += 18;
    double rmax = p->r[p->st.max_degree_node >= 0 ? p->st.max_degree_node : 0];
    int64_t keys[4];
    int nk = 0;
    for (int64_t d = 1; d <= p->st.max_degree && nk < 3; d *= 10) keys[nk++] = d;
    if (nk == 0 || p->st.max_degree > keys[nk - 1]) keys[nk++] = p->st.max_degree; /* no edges: a key "0" */
    double cx = x + 6;
    cd_font(cr, 9, 0);
    for (int k = 0; k < nk; k++) {
        double r = p->st.max_degree > 0 ? fmax(1.6, rmax * sqrt((double)keys[k] / (double)p->st.max_degree)) : 2;
        r = fmin(r, 22);
        cairo_arc(cr, cx + r, y + 24 - r, r, 0, 2 * M_PI);
        cd_rgb(cr, 0x9a9a9a, 0.9);
        cairo_fill_preserve(cr);
        cd_rgb(cr, 0xffffff, 1);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%lld", (long long)keys[k]);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, cx + r, y + 36, buf, 0.5, 0);
        cx += 2 * r + 18;
    }
    y += 58;
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Edge width: betweenness", 0, 0);
    y += 20;
    cd_font(cr, 9, 0);
    static const double ts[3] = {0.1, 0.55, 1.0};
    static const char *tl[3] = {"low", "", "high"};
    for (int k = 0; k < 3; k++) {
        double t = ts[k];
        cd_rgb(cr, 0x555555, 0.25 + 0.6 * t * t);
        cairo_set_line_width(cr, 0.35 + 2.6 * t * t * t);
        cairo_move_to(cr, x, y + k * 12);
        cairo_line_to(cr, x + 40, y + k * 12);
        cairo_stroke(cr);
        cd_rgb(cr, 0x666666, 1);
        cd_text(cr, x + 48, y + k * 12, tl[k], 0, 0.5);
    }
    y += 44;
    cd_rgb(cr, 0x777777, 1);
    cd_font(cr, 8.5, 0);
    cd_text(cr, x, y, "log(1 + edge betweenness), scaled to", 0, 0);
    cd_text(cr, x, y + 12, "[0, 1] and cubed; edges inside a class", 0, 0);
    cd_text(cr, x, y + 24, "take its colour, other edges are grey", 0, 0);
}

static void draw_graph(cairo_t *cr, void *ctx) {
    const picture *p = ctx;
    const gat_graph_input *g = p->g;
    char title[256], sub[512], a[32], b[32], c[32];
    fmt_count(p->n, a, sizeof a);
    fmt_count(p->m, b, sizeof b);
    char name[64];
    viz_capitalised(g->name, name, sizeof name);
    snprintf(title, sizeof title, "%s: %s nodes, %s edges", name, a, b);
    if (g->labels && !g->colour_by) {
        size_t l = strlen(title);
        snprintf(title + l, sizeof title - l, ", %lld classes", (long long)g->n_classes);
    }
    fmt_count(p->st.largest_component, c, sizeof c);
    snprintf(sub, sizeof sub, "%s layout \xc2\xb7 %lld connected components, the largest has %s nodes \xc2\xb7 "
             "node area \xe2\x88\x9d degree \xc2\xb7 edge width \xe2\x88\x9d log edge betweenness",
             layout_long_name(p->layout), (long long)p->st.n_components, c);
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 17, 1);
    cd_text(cr, MARGIN, 20, title, 0, 0);
    cd_rgb(cr, 0x666666, 1);
    cd_font(cr, 10, 0);
    cd_text(cr, MARGIN, 44, sub, 0, 0);

    if (p->strip_nodes > 0) {
        cd_rgb(cr, 0xdddddd, 1);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, MARGIN, p->strip_y - CAPTION_H + 6);
        cairo_line_to(cr, MARGIN + p->graph_w, p->strip_y - CAPTION_H + 6);
        cairo_stroke(cr);
        fmt_count(p->strip_nodes, a, sizeof a);
        snprintf(sub, sizeof sub, "the other %lld components (%s nodes), largest first",
                 (long long)p->st.n_components - 1, a);
        cd_rgb(cr, 0x888888, 1);
        cd_font(cr, 9, 0);
        cd_text(cr, MARGIN, p->strip_y - CAPTION_H + 12, sub, 0, 0);
    }

    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int64_t k = 0; k < p->m; k++) {
        int64_t e = p->edge_order[k];
        double t = p->t[e];
        int64_t u = p->edges[e].a, v = p->edges[e].b;
        uint32_t cu = node_rgb(p, u), cv = node_rgb(p, v);
        uint32_t rgb = g->labels && cu == cv ? cd_tint(cu, -0.15) : 0x707070;
        cd_rgb(cr, rgb, 0.18 + 0.6 * t * t);
        cairo_set_line_width(cr, 0.35 + 2.6 * t * t * t);
        cairo_move_to(cr, p->x[u], p->y[u]);
        cairo_line_to(cr, p->x[v], p->y[v]);
        cairo_stroke(cr);
    }
    for (int64_t k = 0; k < p->n; k++) {
        int64_t i = p->node_order[k];
        cairo_arc(cr, p->x[i], p->y[i], p->r[i], 0, 2 * M_PI);
        cd_rgb(cr, node_rgb(p, i), 0.95);
        cairo_fill_preserve(cr);
        cd_rgb(cr, 0xffffff, 0.9);
        cairo_set_line_width(cr, fmin(0.8, 0.25 * p->r[i]));
        cairo_stroke(cr);
    }
    /* Annotate the node of highest degree. */
    int64_t h = p->st.max_degree_node;
    if (h >= 0 && p->st.max_degree > 0) {
        snprintf(sub, sizeof sub, "node %lld \xc2\xb7 degree %lld", (long long)h, (long long)p->st.max_degree);
        cd_font(cr, 9.5, 1);
        double tw = cd_text_width(cr, sub);
        double d = p->r[h] * 0.7071;
        double ax = p->x[h] + d, ay = p->y[h] - d;
        double tx = ax + 26, ty = ay - 26;
        if (tx + tw > MARGIN + p->graph_w) { tx = p->x[h] - d - 26 - tw; ax = p->x[h] - d; }
        cd_rgb(cr, 0x333333, 0.9);
        cairo_set_line_width(cr, 0.9);
        cairo_move_to(cr, ax, ay);
        cairo_line_to(cr, tx < ax ? tx + tw + 2 : tx - 2, ty);
        cairo_stroke(cr);
        cairo_rectangle(cr, tx - 3, ty - 8, tw + 6, 15);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_fill(cr);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, tx, ty, sub, 0, 0.5);
    }
    draw_legend_column(cr, p, PAGE_W - MARGIN - LEGEND_W + 12, 80);
}

int viz_check_graph(const gat_graph_input *g, const gat_viz_options *opt, gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    int64_t limit = opt->max_nodes > 0 ? opt->max_nodes : 50000;
    if (g->n_nodes < 1) return gat_error_set(err, GAT_EINVAL, "%s: the graph has no nodes to draw", g->name);
    if (g->n_nodes > limit)
        return gat_error_set(err, GAT_EINVAL,
                             "%s: %lld nodes are too many to draw legibly (limit %lld; raise it with --max-nodes, "
                             "expect minutes of layout time)", g->name, (long long)g->n_nodes, (long long)limit);
    if (g->n_edges > 40 * limit)
        return gat_error_set(err, GAT_EINVAL, "%s: %lld edges are too many to draw (limit %lld)", g->name,
                             (long long)g->n_edges, (long long)(40 * limit));
    if (g->labels) {
        if (g->n_classes < 1) return gat_error_set(err, GAT_EINVAL, "%s: labels given but no classes", g->name);
        for (int64_t i = 0; i < g->n_nodes; i++)
            if (g->labels[i] < -1 || g->labels[i] >= g->n_classes)
                return gat_error_set(err, GAT_ERANGE, "%s: node %lld has label %lld, outside 0..%lld", g->name,
                                     (long long)i, (long long)g->labels[i], (long long)g->n_classes - 1);
    }
    return GAT_OK;
}

int gat_viz_graph(const gat_graph_input *g, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                  gat_error *err) {
    double t0 = viz_now();
    int rc = viz_check_graph(g, opt, err);
    if (rc) return rc;
    picture p;
    memset(&p, 0, sizeof p);
    p.g = g;
    p.n = g->n_nodes;
    rc = gat_graph_stats_compute(&p.st, g->n_nodes, g->edge_src, g->edge_dst, g->n_edges, err);
    if (rc) return rc;
    p.layout = opt->layout;
    if (p.layout == GAT_LAYOUT_AUTO) p.layout = p.st.largest_component <= AUTO_KK_NODES ? GAT_LAYOUT_KK : GAT_LAYOUT_FR;
    if (p.layout == GAT_LAYOUT_KK && p.st.largest_component > KK_MAX_NODES) {
        rc = gat_error_set(err, GAT_EINVAL, "%s: Kamada-Kawai needs an n x n matrix; the largest component has %lld "
                           "nodes (limit %d): use --layout fr or drl", g->name, (long long)p.st.largest_component,
                           KK_MAX_NODES);
        goto done;
    }
    size_t ne = (size_t)(g->n_edges ? g->n_edges : 1), nn = (size_t)p.n;
    p.edges = malloc(ne * sizeof *p.edges);
    p.x = calloc(nn, sizeof *p.x);
    p.y = calloc(nn, sizeof *p.y);
    p.r = calloc(nn, sizeof *p.r);
    p.node_order = malloc(nn * sizeof *p.node_order);
    p.class_count = calloc((size_t)(g->n_classes > 0 ? g->n_classes : 1), sizeof *p.class_count);
    if (!p.edges || !p.x || !p.y || !p.r || !p.node_order || !p.class_count) goto nomem;
    for (int64_t k = 0; k < g->n_edges; k++) {
        int64_t u = g->edge_src[k], v = g->edge_dst[k];
        if (u == v) continue;
        p.edges[p.m].a = u < v ? u : v;
        p.edges[p.m].b = u < v ? v : u;
        p.m++;
    }
    qsort(p.edges, (size_t)p.m, sizeof *p.edges, cmp_upair);
    int64_t m = 0;
    for (int64_t k = 0; k < p.m; k++)
        if (!m || cmp_upair(&p.edges[m - 1], &p.edges[k])) p.edges[m++] = p.edges[k];
    p.m = m;
    p.t = malloc((size_t)(m ? m : 1) * sizeof *p.t);
    p.edge_order = malloc((size_t)(m ? m : 1) * sizeof *p.edge_order);
    if (!p.t || !p.edge_order) goto nomem;
    if (g->labels)
        for (int64_t i = 0; i < p.n; i++)
            if (g->labels[i] >= 0) p.class_count[g->labels[i]]++;

    igraph_error_handler_t *old_err = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)opt->seed);
    double t1 = viz_now();
    double W = 0, H = 0, strip = 0;
    rc = layout_all(&p, &W, &H, &strip, err);
    double t2 = viz_now();
    if (!rc) rc = betweenness(&p, err);
    double t3 = viz_now();
    igraph_set_error_handler(old_err);
    igraph_set_warning_handler(old_warn);
    if (rc) goto done;

    /* Page geometry: graph area left, legend column right. */
    double top = 74, aw = PAGE_W - 2 * MARGIN - LEGEND_W;
    double s = aw / fmax(W, 1e-9);
    double extra = p.strip_nodes > 0 ? CAPTION_H : 0;
    double rmax = fmin(26, fmax(6, 0.024 * aw * sqrt(2000.0 / (double)(p.n > 2000 ? p.n : 2000))));
    double margin_in = rmax * 0.6 + 4;
    s = (aw - 2 * margin_in) / fmax(W, 1e-9);
    if (top + s * H + extra + 2 * margin_in + MARGIN > MAX_PAGE_H) s = (MAX_PAGE_H - top - extra - 2 * margin_in - MARGIN) / fmax(H, 1e-9);
    p.graph_w = aw;
    double ox = MARGIN + (aw - s * W) / 2;
    p.strip_y = top + margin_in + s * strip + extra;
    for (int64_t i = 0; i < p.n; i++) {
        p.x[i] = ox + s * p.x[i];
        int small = p.st.component[i] != 0;
        p.y[i] = top + margin_in + s * p.y[i] + (small ? extra : 0);
        double d = (double)p.st.degree[i], dm = (double)(p.st.max_degree > 0 ? p.st.max_degree : 1);
        p.r[i] = fmax(1.7, rmax * sqrt(d / dm));
        p.node_order[i] = i;
    }
    p.width = PAGE_W;
    p.height = fmax(top + s * H + extra + 2 * margin_in + MARGIN, 560);
    sort_key = p.r;
    qsort(p.node_order, nn, sizeof *p.node_order, cmp_by_key);
    for (size_t i = 0; i < nn / 2; i++) {   /* largest first */
        int64_t t = p.node_order[i];
        p.node_order[i] = p.node_order[nn - 1 - i];
        p.node_order[nn - 1 - i] = t;
    }
    for (int64_t k = 0; k < m; k++) p.edge_order[k] = k;
    sort_key = p.t;
    qsort(p.edge_order, (size_t)m, sizeof *p.edge_order, cmp_by_key);
    sort_key = NULL;

    rc = viz_render_both(stem, p.width, p.height, opt, draw_graph, &p, res, err);
    if (res) {
        res->layout_used = p.layout;
        res->seconds_layout += t2 - t1;
        res->seconds_betweenness += t3 - t2;
        res->seconds_render += viz_now() - t3;
        res->seconds_total += viz_now() - t0;
    }
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory for the graph picture", g->name);
done:
    picture_free(&p);
    return rc;
}
