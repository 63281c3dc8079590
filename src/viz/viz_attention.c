/* viz_attention.c - pictures of one node's attention: its neighbourhood as a star laid out
 * with igraph (Reingold-Tilford circular or Kamada-Kawai), edges as thick and opaque as
 * their weight, drawn with cairo; and the summary of all heads of a layer (a small star
 * per head over one shared layout, and a heatmap heads x neighbours relative to uniform). */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_draw.h"
#include "gat/chart.h"
#include "gat/viz_model.h"
#include "viz_internal.h"

#define KK_MAX_NODES 5000       /* Kamada-Kawai keeps an n x n distance matrix */
#define MARGIN 24.0
#define TOP 74.0                /* below the title and subtitle */
#define ONE_W 824.0             /* the single-head picture: page size */
#define ONE_H 656.0
#define ONE_GRAPH 560.0         /* side of its square graph area */
#define HEADS_W 900.0           /* the all-heads figure: page width */
#define HEADS_TOP 84.0          /* its grid of stars starts here, below two subtitle lines */
#define LEGEND_W 196.0
#define MAX_LEGEND_CLASSES 16
#define EDGE_RGB 0x27496du      /* attention edges and the self loop */
#define LINK_RGB 0xb4b4b4u      /* edges among the neighbours (KK) */
#define UNLABELLED_RGB 0xb0b0b0u
#define NODE_LABELS_MAX 40      /* node ids drawn up to this many nodes */
#define EDGE_LABELS_MAX 15      /* weights drawn up to this many entries */

/* ---- the star: a node, its distinct neighbours, and their layout ---- */

typedef struct star {
    const gat_inspection *ins;
    const gat_graph_input *info;
    int64_t centre, row0, deg;  /* CSR row of the centre: entries row0 .. row0+deg, self loop included */
    int64_t n;                  /* nodes drawn: the centre and its distinct neighbours */
    int64_t *node;              /* (n) node ids; node[0] is the centre */
    int64_t *entry_node;        /* (deg) local index of entry k's source (0: the self loop) */
    int *entry_dup;             /* (deg) 0 for the first entry of a source, 1, 2 ... for duplicates */
    int *mult;                  /* (n) entries per drawn node: 1, or more for duplicate edges */
    double *x, *y;              /* (n) layout: centre at 0, the farthest node at distance 1 */
    int64_t n_links;
    int64_t *link;              /* (2 n_links) local pairs of neighbours joined in the graph (KK) */
    double loop_angle;          /* direction of the self loop: the middle of the widest free angle */
    gat_star_layout layout;
} star;

static void star_free(star *s) {
    free(s->node);
    free(s->entry_node);
    free(s->entry_dup);
    free(s->mult);
    free(s->x);
    free(s->y);
    free(s->link);
    memset(s, 0, sizeof *s);
}

typedef struct { int64_t id, cls; double key; int64_t local; } nb_key;

static int cmp_nb_id(const void *a, const void *b) {
    const nb_key *p = a, *q = b;
    return (p->id > q->id) - (p->id < q->id);
}

/* Class first (colours grouped around the ring, unlabelled last), then the larger key,
 * then the id. */
static int cmp_nb_order(const void *a, const void *b) {
    const nb_key *p = a, *q = b;
    uint64_t cp = (uint64_t)p->cls, cq = (uint64_t)q->cls;   /* -1 sorts last */
    if (cp != cq) return cp < cq ? -1 : 1;
    if (p->key != q->key) return p->key > q->key ? -1 : 1;
    return (p->id > q->id) - (p->id < q->id);
}

static int64_t class_of(const gat_graph_input *info, int64_t id) {
    return info && info->labels ? info->labels[id] : 0;
}

static uint32_t class_rgb(int64_t c) {
    return c >= 0 ? gat_palette_rgb((int)(c % GAT_PALETTE_SIZE)) : UNLABELLED_RGB;
}

static uint32_t node_rgb(const star *s, int64_t local) {
    if (!s->info || !s->info->labels) return gat_palette_rgb(0);
    return class_rgb(s->info->labels[s->node[local]]);
}

static int local_of(const nb_key *by_id, int64_t m, int64_t id) {
    nb_key k = {.id = id};
    const nb_key *f = bsearch(&k, by_id, (size_t)m, sizeof *by_id, cmp_nb_id);
    return f ? (int)f->local : -1;
}

/* Run the igraph layout on the star (and the links for KK) into s->x, s->y. */
static int star_layout(star *s, uint64_t seed, gat_error *err) {
    int64_t n = s->n;
    s->x[0] = s->y[0] = 0;
    if (n == 1) return GAT_OK;
    int64_t ne = (n - 1) + (s->layout == GAT_STAR_KK ? s->n_links : 0);
    igraph_t graph;
    igraph_vector_int_t ev, roots;
    igraph_matrix_t res;
    igraph_error_t e = igraph_vector_int_init(&ev, 2 * ne);
    if (e) return viz_igraph_fail(err, e, "vector");
    for (int64_t i = 1; i < n; i++) {
        VECTOR(ev)[2 * (i - 1)] = 0;
        VECTOR(ev)[2 * (i - 1) + 1] = i;
    }
    for (int64_t l = 0; l < ne - (n - 1); l++) {
        VECTOR(ev)[2 * (n - 1 + l)] = s->link[2 * l];
        VECTOR(ev)[2 * (n - 1 + l) + 1] = s->link[2 * l + 1];
    }
    e = igraph_create(&graph, &ev, n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
    if (e) return viz_igraph_fail(err, e, "graph creation");
    if ((e = igraph_matrix_init(&res, n, 2))) {
        igraph_destroy(&graph);
        return viz_igraph_fail(err, e, "matrix");
    }
    igraph_error_handler_t *old_err = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)seed);
    if (s->layout == GAT_STAR_RT) {
        e = igraph_vector_int_init(&roots, 1);
        if (!e) {
            VECTOR(roots)[0] = 0;
            e = igraph_layout_reingold_tilford_circular(&graph, &res, IGRAPH_ALL, &roots, NULL);
            igraph_vector_int_destroy(&roots);
        }
    } else {
        e = igraph_layout_kamada_kawai(&graph, &res, 0, 50 * n, 0.0, (double)n, NULL, NULL, NULL, NULL, NULL);
    }
    igraph_set_error_handler(old_err);
    igraph_set_warning_handler(old_warn);
    if (!e) {
        /* RT: the centre node at 0, the ring at radius 1. KK: the bounding box centred on 0
         * and fitted in [-1, 1]^2 (the centre node need not be in the middle). */
        double mx = MATRIX(res, 0, 0), my = MATRIX(res, 0, 1), far = 0;
        if (s->layout == GAT_STAR_KK) {
            double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
            for (int64_t i = 0; i < n; i++) {
                x0 = fmin(x0, MATRIX(res, i, 0)); x1 = fmax(x1, MATRIX(res, i, 0));
                y0 = fmin(y0, MATRIX(res, i, 1)); y1 = fmax(y1, MATRIX(res, i, 1));
            }
            mx = (x0 + x1) / 2;
            my = (y0 + y1) / 2;
        }
        for (int64_t i = 0; i < n; i++) {
            s->x[i] = MATRIX(res, i, 0) - mx;
            s->y[i] = MATRIX(res, i, 1) - my;
            if (s->layout == GAT_STAR_KK) far = fmax(far, fmax(fabs(s->x[i]), fabs(s->y[i])));
            else far = fmax(far, hypot(s->x[i], s->y[i]));
        }
        for (int64_t i = 0; i < n; i++) {
            s->x[i] = far > 0 ? s->x[i] / far : 0;
            s->y[i] = far > 0 ? s->y[i] / far : 0;
        }
    }
    igraph_matrix_destroy(&res);
    igraph_destroy(&graph);
    return e ? viz_igraph_fail(err, e, "layout") : GAT_OK;
}

/* The self loop goes where the neighbours leave the widest angle free (up when alone). */
static int star_loop_angle(star *s) {
    s->loop_angle = -M_PI / 2;
    if (s->n < 2) return GAT_OK;
    double *a = malloc((size_t)(s->n - 1) * sizeof *a);
    if (!a) return GAT_ENOMEM;
    for (int64_t i = 1; i < s->n; i++) a[i - 1] = atan2(s->y[i] - s->y[0], s->x[i] - s->x[0]);
    qsort(a, (size_t)(s->n - 1), sizeof *a, viz_cmp_double);
    double best = -1;
    for (int64_t i = 0; i < s->n - 1; i++) {
        double lo = a[i], hi = i + 1 < s->n - 1 ? a[i + 1] : a[0] + 2 * M_PI;
        if (hi - lo > best + 1e-9) {
            best = hi - lo;
            s->loop_angle = (lo + hi) / 2;
        }
    }
    free(a);
    return GAT_OK;
}

/* Build the star of node `node`: distinct neighbours ordered by (class, key desc, id), where
 * key (deg, may be NULL) is a weight per CSR entry, summed over duplicate entries; links
 * among neighbours for KK; the layout. */
static int star_build(star *s, const gat_inspection *ins, const gat_graph_input *info, int64_t node,
                      const double *key, gat_star_layout layout, uint64_t seed, gat_error *err) {
    const gat_graph *g = &ins->graph;
    memset(s, 0, sizeof *s);
    s->ins = ins;
    s->info = info;
    s->centre = node;
    s->layout = layout;
    s->row0 = g->row_ptr[node];
    s->deg = g->row_ptr[node + 1] - s->row0;
    int rc = GAT_OK;
    int64_t deg = s->deg, m = 0;
    nb_key *nb = malloc((size_t)(deg > 0 ? deg : 1) * sizeof *nb);
    s->entry_node = malloc((size_t)(deg > 0 ? deg : 1) * sizeof *s->entry_node);
    s->entry_dup = calloc((size_t)(deg > 0 ? deg : 1), sizeof *s->entry_dup);
    if (!nb || !s->entry_node || !s->entry_dup) goto nomem;
    for (int64_t k = 0; k < deg; k++) {
        int64_t j = g->src[s->row0 + k];
        if (j == node) continue;
        nb[m++] = (nb_key){.id = j, .cls = class_of(info, j), .key = key ? key[k] : 0};
    }
    qsort(nb, (size_t)m, sizeof *nb, cmp_nb_id);
    int64_t u = 0;
    for (int64_t i = 0; i < m; i++) {
        if (u > 0 && nb[u - 1].id == nb[i].id) nb[u - 1].key += nb[i].key;
        else nb[u++] = nb[i];
    }
    m = u;
    qsort(nb, (size_t)m, sizeof *nb, cmp_nb_order);
    s->n = m + 1;
    s->node = malloc((size_t)s->n * sizeof *s->node);
    s->x = calloc((size_t)s->n, sizeof *s->x);
    s->y = calloc((size_t)s->n, sizeof *s->y);
    s->mult = calloc((size_t)s->n, sizeof *s->mult);
    if (!s->node || !s->x || !s->y || !s->mult) goto nomem;
    s->node[0] = node;
    for (int64_t i = 0; i < m; i++) {
        s->node[i + 1] = nb[i].id;
        nb[i].local = i + 1;
    }
    qsort(nb, (size_t)m, sizeof *nb, cmp_nb_id);   /* by id again, for lookups */
    for (int64_t k = 0; k < deg; k++) {
        int64_t j = g->src[s->row0 + k];
        int loc = j == node ? 0 : local_of(nb, m, j);
        GAT_ASSERT(loc >= 0);
        s->entry_node[k] = loc;
        s->entry_dup[k] = s->mult[loc]++;
    }
    if (layout == GAT_STAR_KK) {
        /* Links: for each neighbour, the sources of its row that are also neighbours. */
        int64_t cap = 64;
        s->link = malloc((size_t)(2 * cap) * sizeof *s->link);
        if (!s->link) goto nomem;
        for (int64_t i = 1; i < s->n; i++) {
            int64_t j = s->node[i];
            for (int64_t k = g->row_ptr[j]; k < g->row_ptr[j + 1]; k++) {
                int64_t t = g->src[k];
                if (t == j || t == node) continue;
                int loc = local_of(nb, m, t);
                if (loc < 0 || loc == i) continue;
                int64_t a = loc < i ? loc : i, b = loc < i ? i : loc;
                int dup = 0;   /* the same pair from the other row or a duplicate entry */
                for (int64_t l = s->n_links - 1; l >= 0 && !dup; l--)
                    if (s->link[2 * l] == a && s->link[2 * l + 1] == b) dup = 1;
                if (dup) continue;
                if (s->n_links == cap) {
                    int64_t *nl = realloc(s->link, (size_t)(4 * cap) * sizeof *nl);
                    if (!nl) goto nomem;
                    s->link = nl;
                    cap *= 2;
                }
                s->link[2 * s->n_links] = a;
                s->link[2 * s->n_links + 1] = b;
                s->n_links++;
            }
        }
    }
    if ((rc = star_layout(s, seed, err))) goto done;
    if (star_loop_angle(s)) goto nomem;
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "node %lld: out of memory for the attention picture", (long long)node);
done:
    free(nb);
    if (rc) star_free(s);
    return rc;
}

/* ---- drawing a star ---- */

typedef struct star_style {
    double cx, cy, R;           /* page position of the centre, radius of the unit circle */
    double r, rc;               /* node radii: neighbours, centre */
    double wmax;                /* edge width at weight = scale */
    double scale;               /* weights are drawn as t = w / scale */
    int node_labels, edge_labels, centre_label;
} star_style;

/* Two significant digits, without an exponent down to 1e-6: 0.26, 0.0049, 0.00082. */
static void fmt_weight(double w, char *buf, size_t size) {
    if (w >= 0.0995 || w == 0) {
        snprintf(buf, size, "%.2f", w);
        return;
    }
    int dec = (int)ceil(-log10(w)) + 1;
    if (dec > 7) snprintf(buf, size, "%.1e", w);
    else snprintf(buf, size, "%.*f", dec, w);
}

/* Text with a white rounded backdrop, centred on (x, y). */
static void text_boxed(cairo_t *cr, double x, double y, const char *s, double fs, uint32_t rgb) {
    double w = cd_text_width(cr, s), h = fs * 0.95, p = 2.2;
    double x0 = x - w / 2 - p, y0 = y - h / 2 - p / 2, bw = w + 2 * p, bh = h + p, rr = 2.5;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x0 + bw - rr, y0 + rr, rr, -M_PI / 2, 0);
    cairo_arc(cr, x0 + bw - rr, y0 + bh - rr, rr, 0, M_PI / 2);
    cairo_arc(cr, x0 + rr, y0 + bh - rr, rr, M_PI / 2, M_PI);
    cairo_arc(cr, x0 + rr, y0 + rr, rr, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_fill(cr);
    cd_rgb(cr, rgb, 1);
    cd_text(cr, x, y, s, 0.5, 0.5);
}

static double edge_t(const star_style *st, double w) {
    double t = st->scale > 0 ? w / st->scale : 0;
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static void edge_pen(cairo_t *cr, const star_style *st, double t) {
    cd_rgb(cr, EDGE_RGB, fmax(0.14, 0.92 * t));
    cairo_set_line_width(cr, fmax(0.35, st->wmax * t));
}

/* Page position of drawn node i. */
static void node_pos(const star *s, const star_style *st, int64_t i, double *px, double *py) {
    *px = st->cx + st->R * s->x[i];
    *py = st->cy + st->R * s->y[i];
}

/* Quadratic Bezier control point of entry k: the midpoint (a straight edge) for a single
 * entry, bent symmetrically to both sides when one neighbour has several entries. */
static void entry_ctrl(const star *s, const star_style *st, int64_t k, double *qx, double *qy) {
    int64_t i = s->entry_node[k];
    double x0, y0, x1, y1;
    node_pos(s, st, 0, &x0, &y0);
    node_pos(s, st, i, &x1, &y1);
    double mx = (x0 + x1) / 2, my = (y0 + y1) / 2, len = hypot(x1 - x0, y1 - y0);
    double off = (s->entry_dup[k] - (s->mult[i] - 1) / 2.0) * fmax(0.16 * len, 2.2 * st->r);
    double nx = len > 0 ? -(y1 - y0) / len : 0, ny = len > 0 ? (x1 - x0) / len : 0;
    *qx = mx + off * nx;
    *qy = my + off * ny;
}

/* Loop geometry: a teardrop from the centre in direction loop_angle; (*ax, *ay) its tip. */
static void loop_path(cairo_t *cr, const star *s, const star_style *st, double *ax, double *ay) {
    double ux = cos(s->loop_angle), uy = sin(s->loop_angle), vx = -uy, vy = ux;
    double a = 0.5, reach = st->rc + fmax(16, 1.6 * st->rc);
    double L = reach / (0.75 * cos(a));
    double x, y;
    node_pos(s, st, 0, &x, &y);
    cairo_move_to(cr, x, y);
    cairo_curve_to(cr, x + L * (ux * cos(a) + vx * sin(a)), y + L * (uy * cos(a) + vy * sin(a)),
                   x + L * (ux * cos(a) - vx * sin(a)), y + L * (uy * cos(a) - vy * sin(a)), x, y);
    *ax = x + ux * reach;
    *ay = y + uy * reach;
}

/* Draw the star with weights w (deg) and, when order is given (deg entries by weight
 * ascending), strong edges on top. */
static void draw_star(cairo_t *cr, const star *s, const double *w, const int64_t *order, const star_style *st) {
    double x0, y0, xi, yi, xj, yj;
    node_pos(s, st, 0, &x0, &y0);
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    /* Edges among the neighbours (KK): thin and light, under everything. */
    cd_rgb(cr, LINK_RGB, 0.7);
    cairo_set_line_width(cr, 0.5);
    for (int64_t l = 0; l < s->n_links; l++) {
        node_pos(s, st, s->link[2 * l], &xi, &yi);
        node_pos(s, st, s->link[2 * l + 1], &xj, &yj);
        cairo_move_to(cr, xi, yi);
        cairo_line_to(cr, xj, yj);
    }
    cairo_stroke(cr);
    /* Attention edges, weakest first (a quadratic curve written as a cubic). */
    int64_t self_k = -1;
    for (int64_t o = 0; o < s->deg; o++) {
        int64_t k = order ? order[o] : o, i = s->entry_node[k];
        if (i == 0) { self_k = k; continue; }
        double qx, qy;
        entry_ctrl(s, st, k, &qx, &qy);
        node_pos(s, st, i, &xi, &yi);
        edge_pen(cr, st, edge_t(st, w[k]));
        cairo_move_to(cr, x0, y0);
        cairo_curve_to(cr, x0 + (qx - x0) * 2 / 3, y0 + (qy - y0) * 2 / 3, xi + (qx - xi) * 2 / 3,
                       yi + (qy - yi) * 2 / 3, xi, yi);
        cairo_stroke(cr);
    }
    /* The self loop, on a white halo so it reads above the spokes. */
    double lx = x0, ly = y0;
    if (self_k >= 0) {
        double t = edge_t(st, w[self_k]);
        loop_path(cr, s, st, &lx, &ly);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_set_line_width(cr, fmax(0.35, st->wmax * t) + 2.4);
        cairo_stroke(cr);
        loop_path(cr, s, st, &lx, &ly);
        edge_pen(cr, st, t);
        cairo_stroke(cr);
    }
    /* Nodes: neighbours, then the centre, larger, with a dark outline. */
    for (int64_t i = 1; i < s->n; i++) {
        node_pos(s, st, i, &xi, &yi);
        cairo_arc(cr, xi, yi, st->r, 0, 2 * M_PI);
        cd_rgb(cr, node_rgb(s, i), 0.95);
        cairo_fill_preserve(cr);
        cd_rgb(cr, 0xffffff, 0.95);
        cairo_set_line_width(cr, fmin(0.9, 0.25 * st->r));
        cairo_stroke(cr);
    }
    double ring = fmax(1.2, 0.14 * st->rc);
    cairo_arc(cr, x0, y0, st->rc, 0, 2 * M_PI);
    cd_rgb(cr, node_rgb(s, 0), 1);
    cairo_fill_preserve(cr);
    cd_rgb(cr, 0x1e1e1e, 1);
    cairo_set_line_width(cr, ring);
    cairo_stroke(cr);
    cairo_arc(cr, x0, y0, st->rc - ring, 0, 2 * M_PI);
    cd_rgb(cr, 0xffffff, 0.9);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);

    char buf[48];
    if (st->edge_labels) {
        cd_font(cr, 8.5, 0);
        for (int64_t k = 0; k < s->deg; k++) {
            int64_t i = s->entry_node[k];
            double px, py;
            fmt_weight(w[k], buf, sizeof buf);
            if (i == 0) {
                px = lx + cos(s->loop_angle) * 11;
                py = ly + sin(s->loop_angle) * 9;
            } else {   /* on the curve at t = 0.58, staggered for duplicates */
                double qx, qy, t = 0.58 + 0.12 * (s->entry_dup[k] - (s->mult[i] - 1) / 2.0);
                entry_ctrl(s, st, k, &qx, &qy);
                node_pos(s, st, i, &xi, &yi);
                px = (1 - t) * (1 - t) * x0 + 2 * t * (1 - t) * qx + t * t * xi;
                py = (1 - t) * (1 - t) * y0 + 2 * t * (1 - t) * qy + t * t * yi;
            }
            text_boxed(cr, px, py, buf, 8.5, EDGE_RGB);
        }
    }
    if (st->node_labels) {   /* outwards: away from the middle of the layout (or the centre node) */
        cd_font(cr, 8.5, 0);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        for (int64_t i = 1; i < s->n; i++) {
            double dx = s->x[i], dy = s->y[i], d = hypot(dx, dy);
            if (d < 0.15) { dx = s->x[i] - s->x[0]; dy = s->y[i] - s->y[0]; d = hypot(dx, dy); }
            double ux = d > 0 ? dx / d : 0, uy = d > 0 ? dy / d : 1;
            node_pos(s, st, i, &xi, &yi);
            snprintf(buf, sizeof buf, "%lld", (long long)s->node[i]);
            cd_text(cr, xi + ux * (st->r + 3), yi + uy * (st->r + 3), buf, (1 - ux) / 2, (1 - uy) / 2);
        }
    }
    if (st->centre_label) {   /* opposite the loop, just outside the centre node */
        double ux = -cos(s->loop_angle), uy = -sin(s->loop_angle);
        snprintf(buf, sizeof buf, "%lld", (long long)s->centre);
        cd_font(cr, 9.5, 1);
        text_boxed(cr, x0 + ux * (st->rc + 10), y0 + uy * (st->rc + 9), buf, 9.5, CD_TEXT_RGB);
    }
    cairo_restore(cr);
}

/* Neighbour radius for a star of n nodes on a circle of radius R (points), at most rmax. */
static double neighbour_radius(const star *s, double R, double rmax) {
    if (s->n < 2) return rmax;
    double spacing = 2 * M_PI * R / (double)(s->n - 1);
    if (s->layout == GAT_STAR_KK && s->n <= 3000) {   /* the closest pair of nodes */
        double dmin = INFINITY;
        for (int64_t i = 0; i < s->n; i++)
            for (int64_t j = i + 1; j < s->n; j++) dmin = fmin(dmin, hypot(s->x[i] - s->x[j], s->y[i] - s->y[j]));
        spacing = fmin(spacing, fmax(dmin * R, 0.3 * spacing));
    }
    return fmin(rmax, fmax(1.6, 0.36 * spacing));
}

/* ---- shared text ---- */

static void head_text(const gat_inspection *ins, int layer, int head, char *buf, size_t size) {
    if (head == GAT_HEAD_MEAN && ins->heads[layer] == 1) snprintf(buf, size, "head 0 of 1");
    else if (head == GAT_HEAD_MEAN) snprintf(buf, size, "mean of %lld heads", (long long)ins->heads[layer]);
    else snprintf(buf, size, "head %d", head);
}

static const char *star_layout_name(gat_star_layout l) {
    return l == GAT_STAR_KK ? "Kamada-Kawai layout (igraph), edges among the neighbours in grey"
                            : "Circular tree layout (igraph Reingold-Tilford)";
}

/* "168 neighbours + self loop", or "200 neighbours over 203 edges + self loop" with
 * duplicate edges. */
static void neighbours_text(const star *s, char *buf, size_t size) {
    const int64_t own = s->deg > 0 ? s->mult[0] : 0; /* entries of the centre's self loop: 1 unless none is added */
    int64_t nn = s->n - 1, ne = s->deg - own;
    int l = snprintf(buf, size, "%lld neighbour%s", (long long)nn, nn == 1 ? "" : "s");
    if (ne != nn && l > 0 && (size_t)l < size) l += snprintf(buf + l, size - (size_t)l, " over %lld edges", (long long)ne);
    if (l > 0 && (size_t)l < size)
        snprintf(buf + l, size - (size_t)l, own == 1 ? " + self loop" : own ? " + %lld self loops" : ", no self loop",
                 (long long)own);
}

/* The title and two subtitle lines at the top left of a page. */
static void draw_heading(cairo_t *cr, const char *title, const char *line1, const char *line2) {
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 17, 1);
    cd_text(cr, MARGIN, 20, title, 0, 0);
    cd_rgb(cr, 0x666666, 1);
    cd_font(cr, 10, 0);
    cd_text(cr, MARGIN, 42, line1, 0, 0);
    cd_text(cr, MARGIN, 56, line2, 0, 0);
}

/* Entropy in bits of the weights w (n). */
static double entropy_bits(const double *w, int64_t n) {
    double h = 0;
    for (int64_t k = 0; k < n; k++)
        if (w[k] > 0) h -= w[k] * log2(w[k]);
    return h;
}

/* Class legend: the centre's class and the neighbours per class. Returns the y below it. */
static double draw_class_legend(cairo_t *cr, const star *s, double x, double y, double width) {
    char buf[160], num[32];
    const gat_graph_input *info = s->info;
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Centre node", 0, 0);
    y += 19;
    cairo_arc(cr, x + 7, y + 5, 6.5, 0, 2 * M_PI);
    cd_rgb(cr, node_rgb(s, 0), 1);
    cairo_fill_preserve(cr);
    cd_rgb(cr, 0x1e1e1e, 1);
    cairo_set_line_width(cr, 1.3);
    cairo_stroke(cr);
    cd_font(cr, 9.5, 0);
    cd_rgb(cr, CD_TEXT_RGB, 1);
    if (info && info->labels) {
        viz_class_name(info, info->labels[s->centre], num, sizeof num);
        snprintf(buf, sizeof buf, "node %lld \xc2\xb7 %s", (long long)s->centre, num);
    } else {
        snprintf(buf, sizeof buf, "node %lld", (long long)s->centre);
    }
    cd_text(cr, x + 20, y + 5, buf, 0, 0.5);
    y += 26;
    if (!info || !info->labels || s->n < 2) return y;
    cd_font(cr, 11, 1);
    cd_rgb(cr, CD_TEXT_RGB, 1);
    if (info->colour_by) {
        snprintf(buf, sizeof buf, "Neighbours by %s", info->colour_by);
        cd_text(cr, x, y, buf, 0, 0);
    } else {
        cd_text(cr, x, y, "Neighbours by class", 0, 0);
    }
    y += 20;
    cd_font(cr, 9.5, 0);
    int64_t shown = 0, hidden = 0;
    for (int64_t i = 1; i < s->n;) {   /* neighbours are ordered by class: runs */
        int64_t c = info->labels[s->node[i]], j = i;
        while (j < s->n && info->labels[s->node[j]] == c) j++;
        if (shown < MAX_LEGEND_CLASSES) {
            cairo_arc(cr, x + 7, y + 5, 5, 0, 2 * M_PI);
            cd_rgb(cr, class_rgb(c), 1);
            cairo_fill(cr);
            cd_rgb(cr, CD_TEXT_RGB, 1);
            viz_class_name(info, c, buf, sizeof buf);
            cd_text(cr, x + 20, y + 5, buf, 0, 0.5);
            snprintf(num, sizeof num, "%lld", (long long)(j - i));
            cd_rgb(cr, 0x777777, 1);
            cd_text(cr, x + width, y + 5, num, 1, 0.5);
            y += 16;
            shown++;
        } else {
            hidden++;
        }
        i = j;
    }
    if (hidden) {
        snprintf(buf, sizeof buf, "and %lld more classes", (long long)hidden);
        cd_rgb(cr, 0x777777, 1);
        cd_text(cr, x + 20, y + 5, buf, 0, 0.5);
        y += 16;
    }
    return y + 12;
}

/* Edge key: widths at 100%, 50%, 10% of the scale, labelled with their weights. */
static double draw_edge_key(cairo_t *cr, const star_style *st, double x, double y, const char *title,
                            const char *note) {
    char buf[64], wt[32];
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, title, 0, 0);
    y += 21;
    static const double ts[3] = {1.0, 0.5, 0.1};
    cd_font(cr, 9.5, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int k = 0; k < 3; k++) {
        edge_pen(cr, st, ts[k]);
        cairo_move_to(cr, x + 3, y);
        cairo_line_to(cr, x + 46, y);
        cairo_stroke(cr);
        fmt_weight(ts[k] * st->scale, wt, sizeof wt);
        snprintf(buf, sizeof buf, "%s%s", wt, k == 0 ? " (largest)" : "");
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, x + 58, y, buf, 0, 0.5);
        y += 16;
    }
    if (note) {
        cd_rgb(cr, 0x777777, 1);
        cd_font(cr, 8.5, 0);
        for (const char *p = note; *p;) {   /* lines split at '\n' */
            const char *e = strchr(p, '\n');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            snprintf(buf, sizeof buf, "%.*s", (int)l, p);
            cd_text(cr, x, y, buf, 0, 0);
            y += 12;
            p += l + (e ? 1 : 0);
        }
    }
    return y + 12;
}

/* ---- checks ---- */

static int check_args(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer, int head,
                      int any_head, gat_star_layout layout, const gat_viz_options *opt, gat_error *err) {
    const char *name = info && info->name && *info->name ? info->name : "the graph";
    int64_t n = ins->graph.n;
    if (node < 0 || node >= n)
        return gat_error_set(err, GAT_EINVAL, "--nodes: node %lld is out of range, %s has %lld nodes (0..%lld)",
                             (long long)node, name, (long long)n, (long long)n - 1);
    if (layer < 0 || layer >= ins->n_layers)
        return gat_error_set(err, GAT_EINVAL, "--layer %d: out of range, the model has %d layers (0..%d)", layer,
                             ins->n_layers, ins->n_layers - 1);
    if (!any_head && head != GAT_HEAD_MEAN && (head < 0 || head >= ins->heads[layer]))
        return gat_error_set(err, GAT_EINVAL, "--head %d: out of range, layer %d has %lld heads (0..%lld, or the mean)",
                             head, layer, (long long)ins->heads[layer], (long long)ins->heads[layer] - 1);
    if (layout != GAT_STAR_RT && layout != GAT_STAR_KK)
        return gat_error_set(err, GAT_EINVAL, "--layout: unknown star layout %d", (int)layout);
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (!ins->att[layer] || ins->heads[layer] < 1)
        return gat_error_set(err, GAT_EINVAL, "--layer %d: the inspection holds no attention for this layer", layer);
    int64_t deg = ins->graph.row_ptr[node + 1] - ins->graph.row_ptr[node];
    if (deg == 0)
        return gat_error_set(err, GAT_EINVAL, "--nodes: node %lld has no incoming edge (the model adds no self loops): "
                             "no attention to draw", (long long)node);
    if (layout == GAT_STAR_KK && deg > KK_MAX_NODES)
        return gat_error_set(err, GAT_EINVAL, "--layout kk: node %lld has %lld neighbours, Kamada-Kawai is limited to %d "
                             "(use the circular layout)", (long long)node, (long long)deg, KK_MAX_NODES);
    if (info && info->labels) {
        if (info->n_nodes != n)
            return gat_error_set(err, GAT_ESHAPE, "%s: labels for %lld nodes, the inspection has %lld", name,
                                 (long long)info->n_nodes, (long long)n);
        const gat_graph *g = &ins->graph;
        for (int64_t k = g->row_ptr[node]; k < g->row_ptr[node + 1]; k++) {
            int64_t c = info->labels[g->src[k]];
            if (c < -1 || c >= info->n_classes)
                return gat_error_set(err, GAT_ERANGE, "%s: node %lld has label %lld, outside 0..%lld", name,
                                     (long long)g->src[k], (long long)c, (long long)info->n_classes - 1);
        }
    }
    return GAT_OK;
}

typedef struct { double w; int64_t k; } wk;

static int cmp_wk_asc(const void *a, const void *b) {
    const wk *p = a, *q = b;
    if (p->w != q->w) return p->w < q->w ? -1 : 1;
    return (p->k > q->k) - (p->k < q->k);
}

/* order (n) = entries by weight ascending. */
static int order_by_weight(const double *w, int64_t n, int64_t *order) {
    wk *t = malloc((size_t)(n > 0 ? n : 1) * sizeof *t);
    if (!t) return GAT_ENOMEM;
    for (int64_t k = 0; k < n; k++) t[k] = (wk){w[k], k};
    qsort(t, (size_t)n, sizeof *t, cmp_wk_asc);
    for (int64_t k = 0; k < n; k++) order[k] = t[k].k;
    free(t);
    return GAT_OK;
}

/* ---- one head ---- */

typedef struct one_pic {
    star s;
    const gat_inspection *ins;
    int layer, head;
    double *w;                  /* (deg) weights of the row */
    int64_t *order;             /* (deg) by weight ascending */
    double *sorted;             /* (deg) weights, descending */
    double wmin, wmax_w;
    star_style st;
} one_pic;

static void draw_sorted_weights(cairo_t *cr, const one_pic *p, double x, double y, double w, double h) {
    int64_t d = p->s.deg;
    char buf[64], wt[32];
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    cd_text(cr, x, y, "Weights, largest first", 0, 0);
    y += 20;
    double top = fmax(p->wmax_w, 1.0 / (double)d) * 1.08;
    /* a y axis of attention weights on the left, two or three ticks from 0 */
    const double axis_w = 30;
    double ticks[8], step;
    int nt = gat_nice_ticks(0, top, 3, 0, ticks, 8, &step);
    cd_font(cr, 8, 0);
    cd_rgb(cr, CD_AXIS_RGB, 1);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x + axis_w, y);
    cairo_line_to(cr, x + axis_w, y + h);
    cairo_stroke(cr);
    for (int k = 0; k < nt; k++) {
        double ty = y + h - h * ticks[k] / top;
        cairo_move_to(cr, x + axis_w - 3, ty);
        cairo_line_to(cr, x + axis_w, ty);
        cairo_stroke(cr);
        snprintf(wt, sizeof wt, "%g", ticks[k]);
        cd_text(cr, x + axis_w - 5, ty, wt, 1, 0.5);
    }
    x += axis_w;
    w -= axis_w;
    double bw = w / (double)d;
    cd_rgb(cr, 0xf4f4f4, 1);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
    cd_rgb(cr, EDGE_RGB, 0.85);
    for (int64_t k = 0; k < d; k++) {
        double bh = h * p->sorted[k] / top;
        cairo_rectangle(cr, x + k * bw, y + h - bh, bw > 3 ? bw - 0.8 : bw + 0.25, bh);
    }
    cairo_fill(cr);
    double uy = y + h - h * (1.0 / (double)d) / top;
    double dash[2] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    cd_rgb(cr, 0xd62728, 1);
    cairo_set_line_width(cr, 1.1);
    cairo_move_to(cr, x, uy);
    cairo_line_to(cr, x + w, uy);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cd_rgb(cr, CD_AXIS_RGB, 1);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x, y + h);
    cairo_line_to(cr, x + w, y + h);
    cairo_stroke(cr);
    cd_font(cr, 8.5, 0);
    fmt_weight(1.0 / (double)d, wt, sizeof wt);
    snprintf(buf, sizeof buf, "uniform 1/%lld = %s", (long long)d, wt);
    cd_rgb(cr, 0xd62728, 1);
    cd_text(cr, x, y + h + 5, buf, 0, 0);
    const double uw = cd_text_width(cr, buf);
    cd_rgb(cr, 0x777777, 1);
    snprintf(buf, sizeof buf, "%lld entr%s", (long long)d, d == 1 ? "y" : "ies");
    /* beside the uniform label when both fit on the line, else under it */
    const int below = uw + 8 + cd_text_width(cr, buf) > w;
    cd_text(cr, x + w, y + h + 5 + (below ? 11 : 0), buf, 1, 0);
}

static void draw_one(cairo_t *cr, void *ctx) {
    const one_pic *p = ctx;
    const star *s = &p->s;
    const gat_graph_input *info = s->info;
    char title[256], sub[512], ht[64], name[64], a[32], b[32], u[32], nb[96];
    viz_capitalised(info ? info->name : NULL, name, sizeof name);
    head_text(p->ins, p->layer, p->head, ht, sizeof ht);
    snprintf(title, sizeof title, "%s: attention of node %lld (layer %d, %s)", name, (long long)s->centre, p->layer, ht);
    fmt_weight(p->wmin, a, sizeof a);
    fmt_weight(p->wmax_w, b, sizeof b);
    fmt_weight(1.0 / (double)s->deg, u, sizeof u);
    neighbours_text(s, nb, sizeof nb);
    snprintf(sub, sizeof sub, "%s \xc2\xb7 weight min %s, max %s \xc2\xb7 uniform 1/%lld = %s "
             "\xc2\xb7 entropy %.2f of %.2f bits", nb, a, b, (long long)s->deg, u, entropy_bits(p->w, s->deg),
             log2((double)s->deg));
    draw_heading(cr, title, sub, star_layout_name(s->layout));

    draw_star(cr, s, p->w, p->order, &p->st);

    double x = ONE_W - MARGIN - LEGEND_W + 10, y = TOP + 6;
    y = draw_class_legend(cr, s, x, y, LEGEND_W - 14);
    const int has_loop = s->deg > 0 && s->mult[0] > 0; /* none without --add_self_loops unless the graph has one */
    y = draw_edge_key(cr, &p->st, x, y, "Attention weight",
                      has_loop ? "width and opacity \xe2\x88\x9d weight / largest;\nthe loop at the centre is the\n"
                                 "node's attention to itself"
                               : "width and opacity \xe2\x88\x9d weight / largest;\nno self loop: the node does\n"
                                 "not attend to itself");
    double h = fmin(80, ONE_H - MARGIN - 40 - (y + 20));
    if (h >= 30) draw_sorted_weights(cr, p, x, y, LEGEND_W - 20, h);
}

int gat_viz_attention(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer, int head,
                      gat_star_layout layout, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                      gat_error *err) {
    double t0 = viz_now();
    int rc = check_args(ins, info, node, layer, head, 0, layout, opt, err);
    if (rc) return rc;
    one_pic p;
    memset(&p, 0, sizeof p);
    p.ins = ins;
    p.layer = layer;
    p.head = head;
    int64_t row0 = ins->graph.row_ptr[node], deg = ins->graph.row_ptr[node + 1] - row0;
    p.w = malloc((size_t)deg * sizeof *p.w);
    p.sorted = malloc((size_t)deg * sizeof *p.sorted);
    p.order = malloc((size_t)deg * sizeof *p.order);
    if (!p.w || !p.sorted || !p.order) {
        rc = gat_error_set(err, GAT_ENOMEM, "node %lld: out of memory for the attention picture", (long long)node);
        goto done;
    }
    p.wmin = INFINITY;
    p.wmax_w = 0;
    for (int64_t k = 0; k < deg; k++) {
        p.w[k] = (double)gat_inspect_att(ins, layer, head, row0 + k);
        p.sorted[k] = p.w[k];
        p.wmin = fmin(p.wmin, p.w[k]);
        p.wmax_w = fmax(p.wmax_w, p.w[k]);
    }
    qsort(p.sorted, (size_t)deg, sizeof *p.sorted, viz_cmp_double);
    for (int64_t k = 0; k < deg / 2; k++) {
        double t = p.sorted[k];
        p.sorted[k] = p.sorted[deg - 1 - k];
        p.sorted[deg - 1 - k] = t;
    }
    if ((rc = order_by_weight(p.w, deg, p.order)) ||
        (rc = star_build(&p.s, ins, info, node, p.w, layout, opt->seed, err))) {
        if (rc == GAT_ENOMEM) gat_error_set(err, rc, "node %lld: out of memory for the attention picture", (long long)node);
        goto done;
    }
    double t1 = viz_now();
    int labels = p.s.n <= NODE_LABELS_MAX;
    double area = ONE_GRAPH, inner = (labels ? 34 : 12) + 9;
    p.st.cx = MARGIN + area / 2;
    p.st.cy = TOP + area / 2;
    p.st.R = area / 2 - inner;
    p.st.r = neighbour_radius(&p.s, p.st.R, 11);
    p.st.rc = fmax(1.8 * p.st.r, 11);
    p.st.wmax = fmin(7, fmax(1.4, 0.25 * 2 * M_PI * p.st.R / (double)(p.s.n > 1 ? p.s.n - 1 : 1)));
    p.st.scale = p.wmax_w;
    p.st.node_labels = labels;
    p.st.centre_label = labels;
    p.st.edge_labels = deg <= EDGE_LABELS_MAX;
    rc = viz_render_both(stem, ONE_W, ONE_H, opt, draw_one, &p, res, err);
    if (res) {
        res->seconds_layout += t1 - t0;
        res->seconds_render += viz_now() - t1;
        res->seconds_total += viz_now() - t0;
    }
done:
    star_free(&p.s);
    free(p.w);
    free(p.sorted);
    free(p.order);
    return rc;
}

/* ---- all heads of a layer ---- */

typedef struct heads_pic {
    star s;
    const gat_inspection *ins;
    int layer;
    int64_t H, deg;
    double *w;                  /* (H + 1, deg) weights per head, the last row the mean */
    int64_t *order;             /* (H + 1, deg) each row's entries by weight ascending */
    int64_t *cols;              /* (deg) heatmap columns: entries by mean weight descending */
    double *hmax, *hent;        /* (H + 1) largest weight and entropy in bits per row */
    double lmax;                /* colour range: log2(weight x deg) in [-lmax, lmax] */
    double tv_heads, tv_uniform;
    int grid_cols, grid_rows;
    double cell, cell_h, grid_x, heat_y, row_h, height;
    star_style st;              /* for every small star; cx, cy set per cell */
} heads_pic;

#define CAPTION_H 28.0
#define ROW_LABEL_W 58.0

static void heads_free(heads_pic *p) {
    star_free(&p->s);
    free(p->w);
    free(p->order);
    free(p->cols);
    free(p->hmax);
    free(p->hent);
}

/* Diverging colour for v in [-1, 1]: blue (below uniform), near white (uniform), red (above). */
static uint32_t diverging_rgb(double v) {
    static const uint32_t stops[7] = {0x053061, 0x4393c3, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xd6604d, 0x67001f};
    static const double at[7] = {-1, -0.6, -0.2, 0, 0.2, 0.6, 1};
    v = v < -1 ? -1 : v > 1 ? 1 : v;
    int i = 0;
    while (i < 5 && v > at[i + 1]) i++;
    double f = (v - at[i]) / (at[i + 1] - at[i]);
    uint32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double a = (stops[i] >> sh) & 255, b = (stops[i + 1] >> sh) & 255;
        out |= (uint32_t)lround(a + (b - a) * f) << sh;
    }
    return out;
}

static double heat_value(const heads_pic *p, double w) {
    if (!(w > 0)) return -1;
    return log2(w * (double)p->deg) / p->lmax;
}

static void draw_heatmap(cairo_t *cr, const heads_pic *p) {
    const star *s = &p->s;
    int64_t H = p->H, d = p->deg;
    double x0 = MARGIN + ROW_LABEL_W, x1 = HEADS_W - MARGIN, cw = (x1 - x0) / (double)d;
    double y = p->heat_y;
    char buf[160], wt[32];
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 11, 1);
    fmt_weight(1.0 / (double)d, wt, sizeof wt);
    snprintf(buf, sizeof buf, "Each neighbour's weight per head, relative to uniform 1/%lld = %s", (long long)d, wt);
    cd_text(cr, MARGIN, y, buf, 0, 0);
    cd_rgb(cr, 0x777777, 1);
    cd_font(cr, 9, 0);
    cd_text(cr, MARGIN, y + 16, "columns: the centre's incoming edges (self loop included), sorted by the mean weight "
            "over heads, largest left \xc2\xb7 top strip: the neighbour's class", 0, 0);
    y += 36;
    /* Self-loop marker and the class strip. */
    for (int64_t c = 0; c < d; c++) {
        int64_t k = p->cols[c], i = s->entry_node[k];
        double cx = x0 + c * cw;
        cd_rgb(cr, node_rgb(s, i), 1);
        cairo_rectangle(cr, cx, y, cw + (cw < 6 ? 0.3 : -0.6), 6);
        cairo_fill(cr);
        if (i == 0) {
            double mx = cx + cw / 2;
            cd_rgb(cr, 0x1e1e1e, 1);
            cairo_move_to(cr, mx - 3.5, y - 7);
            cairo_line_to(cr, mx + 3.5, y - 7);
            cairo_line_to(cr, mx, y - 1.5);
            cairo_close_path(cr);
            cairo_fill(cr);
        }
    }
    y += 9;
    int cell_text = d <= EDGE_LABELS_MAX && cw >= 30 && p->row_h >= 11;
    for (int64_t r = 0; r <= H; r++) {
        double ry = y + r * p->row_h + (r == H ? 5 : 0);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_font(cr, 9, r == H);
        if (r < H) snprintf(buf, sizeof buf, "head %lld", (long long)r);
        else snprintf(buf, sizeof buf, "mean");
        cd_text(cr, x0 - 6, ry + p->row_h / 2, buf, 1, 0.5);
        for (int64_t c = 0; c < d; c++) {
            double w = p->w[r * d + p->cols[c]];
            uint32_t rgb = diverging_rgb(heat_value(p, w));
            cd_rgb(cr, rgb, 1);
            cairo_rectangle(cr, x0 + c * cw, ry, cw + (cw < 6 ? 0.3 : -0.6), p->row_h - (p->row_h > 8 ? 0.6 : 0));
            cairo_fill(cr);
            if (cell_text) {
                double lum = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                fmt_weight(w, wt, sizeof wt);
                cd_font(cr, 8, 0);
                cd_rgb(cr, lum < 120 ? 0xffffff : CD_TEXT_RGB, 1);
                cd_text(cr, x0 + c * cw + cw / 2, ry + p->row_h / 2, wt, 0.5, 0.5);
            }
        }
    }
    y += (double)(H + 1) * p->row_h + 5 + 6;
    /* Column labels (node ids) when they fit. */
    if (d <= 60 && cw >= 8) {
        cd_font(cr, 7.5, 0);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        for (int64_t c = 0; c < d; c++) {
            int64_t k = p->cols[c], i = s->entry_node[k];
            if (i == 0) snprintf(buf, sizeof buf, "self");
            else snprintf(buf, sizeof buf, "%lld", (long long)s->node[i]);
            double tw = cd_text_width(cr, buf);
            if (cw >= tw + 4) {
                cd_text(cr, x0 + c * cw + cw / 2, y, buf, 0.5, 0);
            } else {
                cairo_save(cr);
                cairo_translate(cr, x0 + c * cw + cw / 2, y);
                cairo_rotate(cr, -M_PI / 2);
                cd_text(cr, -tw, 0, buf, 0, 0.5);
                cairo_restore(cr);
            }
        }
        y += 34;
    } else {
        cd_font(cr, 8.5, 0);
        cd_rgb(cr, 0x777777, 1);
        cd_text(cr, x0, y, "\xe2\x96\xbc self loop", 0, 0);
        snprintf(buf, sizeof buf, "%lld entries, largest mean weight left \xe2\x86\x92 smallest right", (long long)d);
        cd_text(cr, x1, y, buf, 1, 0);
        y += 22;
    }
    /* Colour bar with ticks at powers of 2. */
    double bw = 300, bx = x0, bh = 9;
    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, 9, 0);
    cd_text(cr, bx + bw + 12, y + bh / 2, "weight \xc3\x97 in-degree (1 = uniform attention; "
            "blue: below uniform, red: above)", 0, 0.5);
    int steps = 120;
    for (int i = 0; i < steps; i++) {
        cd_rgb(cr, diverging_rgb(-1 + 2 * (i + 0.5) / steps), 1);
        cairo_rectangle(cr, bx + bw * i / steps, y, bw / steps + 0.3, bh);
        cairo_fill(cr);
    }
    cd_rgb(cr, CD_AXIS_RGB, 1);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, bx, y, bw, bh);
    cairo_stroke(cr);
    int L = (int)lround(p->lmax), every = L > 4 ? 2 : 1;
    cd_font(cr, 8, 0);
    for (int e = -L; e <= L; e++) {
        if (e % every) continue;
        double tx = bx + bw * (e + p->lmax) / (2 * p->lmax);
        cairo_move_to(cr, tx, y + bh);
        cairo_line_to(cr, tx, y + bh + 3);
        cairo_stroke(cr);
        if (e >= 0) snprintf(buf, sizeof buf, "%d", 1 << e);
        else snprintf(buf, sizeof buf, "1/%d", 1 << -e);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, tx, y + bh + 5, buf, 0.5, 0);
        cd_rgb(cr, CD_AXIS_RGB, 1);
    }
}

static void draw_heads(cairo_t *cr, void *ctx) {
    const heads_pic *p = ctx;
    const star *s = &p->s;
    const gat_graph_input *info = s->info;
    char title[256], sub[512], name[64], a[32], nb[96];
    viz_capitalised(info ? info->name : NULL, name, sizeof name);
    snprintf(title, sizeof title, "%s: attention of node %lld in layer %d, %lld head%s", name, (long long)s->centre,
             p->layer, (long long)p->H, p->H == 1 ? "" : "s");
    neighbours_text(s, nb, sizeof nb);
    fmt_weight(1.0 / (double)p->deg, a, sizeof a);
    snprintf(sub, sizeof sub, "%s \xc2\xb7 uniform weight 1/%lld = %s, entropy %.2f bits \xc2\xb7 %s", nb,
             (long long)p->deg, a, log2((double)p->deg), star_layout_name(s->layout));
    char sub2[256];
    if (p->H > 1)
        snprintf(sub2, sizeof sub2, "Mean total-variation distance (0 = the same weights, 1 = disjoint): "
                 "between two heads %.2f, from a head to uniform %.2f", p->tv_heads, p->tv_uniform);
    else
        snprintf(sub2, sizeof sub2, "Total-variation distance from uniform (0 = uniform, 1 = disjoint): %.2f",
                 p->tv_uniform);
    draw_heading(cr, title, sub, sub2);

    for (int64_t h = 0; h < p->H; h++) {
        int gr = (int)(h / p->grid_cols), gc = (int)(h % p->grid_cols);
        double x = p->grid_x + gc * p->cell, y = HEADS_TOP + gr * p->cell_h;
        star_style st = p->st;
        st.cx = x + p->cell / 2;
        st.cy = y + CAPTION_H + p->cell / 2;
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_font(cr, 10.5, 1);
        snprintf(title, sizeof title, "head %lld", (long long)h);
        cd_text(cr, st.cx, y + 2, title, 0.5, 0);
        fmt_weight(p->hmax[h], a, sizeof a);
        snprintf(sub, sizeof sub, "max %s \xc2\xb7 entropy %.2f bits", a, p->hent[h]);
        cd_rgb(cr, 0x666666, 1);
        cd_font(cr, 8.5, 0);
        cd_text(cr, st.cx, y + 16, sub, 0.5, 0);
        draw_star(cr, s, p->w + h * p->deg, p->order + h * p->deg, &st);
    }
    double x = HEADS_W - MARGIN - LEGEND_W + 10, y = HEADS_TOP + 4;
    y = draw_class_legend(cr, s, x, y, LEGEND_W - 14);
    draw_edge_key(cr, &p->st, x, y, "Attention weight",
                  "width and opacity \xe2\x88\x9d weight, on one\nscale for all heads (the largest\nweight of any head)");
    /* A thin rule between the stars and the heatmap. */
    cd_rgb(cr, 0xdddddd, 1);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, p->heat_y - 12);
    cairo_line_to(cr, HEADS_W - MARGIN, p->heat_y - 12);
    cairo_stroke(cr);
    draw_heatmap(cr, p);
}

/* Height of the class legend and edge key (as drawn by draw_class_legend + draw_edge_key). */
static double heads_legend_height(const star *s) {
    double h = 45 + 21 + 3 * 16 + 3 * 12 + 12;
    if (s->info && s->info->labels && s->n > 1) {
        int64_t runs = 0;
        for (int64_t i = 1; i < s->n; i++)
            if (i == 1 || s->info->labels[s->node[i]] != s->info->labels[s->node[i - 1]]) runs++;
        h += 20 + 16 * (double)(runs < MAX_LEGEND_CLASSES ? runs : MAX_LEGEND_CLASSES + 1) + 12;
    }
    return h;
}

int gat_viz_attention_heads(const gat_inspection *ins, const gat_graph_input *info, int64_t node, int layer,
                            gat_star_layout layout, const gat_viz_options *opt, const char *stem,
                            gat_viz_result *res, gat_error *err) {
    double t0 = viz_now();
    int rc = check_args(ins, info, node, layer, 0, 1, layout, opt, err);
    if (rc) return rc;
    heads_pic p;
    memset(&p, 0, sizeof p);
    p.ins = ins;
    p.layer = layer;
    p.H = ins->heads[layer];
    int64_t row0 = ins->graph.row_ptr[node], d = ins->graph.row_ptr[node + 1] - row0, H = p.H;
    p.deg = d;
    p.w = malloc((size_t)((H + 1) * d) * sizeof *p.w);
    p.order = malloc((size_t)((H + 1) * d) * sizeof *p.order);
    p.cols = malloc((size_t)d * sizeof *p.cols);
    p.hmax = calloc((size_t)(H + 1), sizeof *p.hmax);
    p.hent = calloc((size_t)(H + 1), sizeof *p.hent);
    if (!p.w || !p.order || !p.cols || !p.hmax || !p.hent) goto nomem;
    double *mean = p.w + H * d, top = 0;
    for (int64_t k = 0; k < d; k++) {
        mean[k] = 0;
        for (int64_t h = 0; h < H; h++) {
            double w = (double)gat_inspect_att(ins, layer, (int)h, row0 + k);
            p.w[h * d + k] = w;
            mean[k] += w / (double)H;
        }
    }
    p.lmax = 1;
    for (int64_t r = 0; r <= H; r++) {
        const double *w = p.w + r * d;
        for (int64_t k = 0; k < d; k++) {
            p.hmax[r] = fmax(p.hmax[r], w[k]);
            if (w[k] > 0) p.lmax = fmax(p.lmax, fabs(log2(w[k] * (double)d)));
        }
        p.hent[r] = entropy_bits(w, d);
        if (r < H) top = fmax(top, p.hmax[r]);
        if (order_by_weight(w, d, p.order + r * d)) goto nomem;
        if (r < H)
            for (int64_t k = 0; k < d; k++) p.tv_uniform += 0.5 * fabs(w[k] - 1.0 / (double)d) / (double)H;
    }
    p.lmax = fmin(8, ceil(p.lmax - 1e-9));
    if (H > 1) {
        double sum = 0;
        for (int64_t a = 0; a < H; a++)
            for (int64_t b = a + 1; b < H; b++)
                for (int64_t k = 0; k < d; k++) sum += 0.5 * fabs(p.w[a * d + k] - p.w[b * d + k]);
        p.tv_heads = sum / (double)(H * (H - 1) / 2);
    }
    {   /* heatmap columns: mean weight descending (reverse of the ascending order) */
        const int64_t *asc = p.order + H * d;
        for (int64_t c = 0; c < d; c++) p.cols[c] = asc[d - 1 - c];
    }
    if ((rc = star_build(&p.s, ins, info, node, mean, layout, opt->seed, err))) goto done;
    double t1 = viz_now();

    /* Geometry: the grid of stars left, the legend right, the heatmap below both. */
    double aw = HEADS_W - 2 * MARGIN - LEGEND_W;
    p.grid_cols = H <= 4 ? (int)H : H <= 8 ? 4 : (int)ceil(sqrt((double)H));
    p.grid_rows = (int)((H + p.grid_cols - 1) / p.grid_cols);
    p.cell = fmin(220, aw / p.grid_cols);
    p.cell_h = p.cell + CAPTION_H + 8;
    p.grid_x = MARGIN + (aw - p.grid_cols * p.cell) / 2;
    int labels = p.s.n <= 16 && p.cell >= 150;
    double inner = labels ? 26 : 0;
    p.st.R = p.cell / 2 - 6 - inner;
    p.st.r = neighbour_radius(&p.s, p.st.R, 6.5);
    if (!labels) p.st.R = p.cell / 2 - p.st.r - 9;
    p.st.rc = fmax(1.9 * p.st.r, 6.5);
    p.st.wmax = fmin(6, fmax(1.0, 0.4 * 2 * M_PI * p.st.R / (double)(p.s.n > 1 ? p.s.n - 1 : 1)));
    p.st.scale = top;
    p.st.node_labels = labels;
    double grid_bottom = HEADS_TOP + p.grid_rows * p.cell_h, legend_bottom = HEADS_TOP + 4 + heads_legend_height(&p.s);
    p.heat_y = fmax(grid_bottom, legend_bottom) + 16;
    p.row_h = fmin(18, fmax(9, 200.0 / (double)(H + 1)));
    double cw = (HEADS_W - 2 * MARGIN - ROW_LABEL_W) / (double)d;
    double labels_h = d <= 60 && cw >= 8 ? 34 : 22;
    p.height = p.heat_y + 45 + (double)(H + 1) * p.row_h + 11 + labels_h + 30 + MARGIN;
    rc = viz_render_both(stem, HEADS_W, p.height, opt, draw_heads, &p, res, err);
    if (res) {
        res->seconds_layout += t1 - t0;
        res->seconds_render += viz_now() - t1;
        res->seconds_total += viz_now() - t0;
    }
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "node %lld: out of memory for the attention picture", (long long)node);
done:
    heads_free(&p);
    return rc;
}
