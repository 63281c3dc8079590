/* chart.c - figures, panels and series: the data model of chart.h and the tick rules.
 * Drawing is in chart_render.c. */
#include "gat/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_internal.h"

static const uint32_t palette[GAT_PALETTE_SIZE] = {
    0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac,
};

uint32_t gat_palette_rgb(int i) {
    if (i < 0) i = -i;
    return palette[i % GAT_PALETTE_SIZE];
}

static char *dup_str(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void set_str(char **dst, const char *s) {
    if (!s) return;
    free(*dst);
    *dst = dup_str(s);
}

int gat_figure_new(gat_figure **out, int rows, int cols, double width, double height, gat_error *err) {
    *out = NULL;
    if (rows < 1 || cols < 1 || rows > 16 || cols > 16)
        return gat_error_set(err, GAT_EINVAL, "figure grid %d x %d: rows and columns must be in 1..16", rows, cols);
    if (!(width >= 50 && height >= 50 && width <= 20000 && height <= 20000))
        return gat_error_set(err, GAT_EINVAL, "figure size %g x %g points: must be in 50..20000", width, height);
    gat_figure *f = calloc(1, sizeof *f);
    if (!f) return gat_error_set(err, GAT_ENOMEM, "figure: out of memory");
    f->rows = rows;
    f->cols = cols;
    f->width = width;
    f->height = height;
    *out = f;
    return GAT_OK;
}

static void panel_free(gat_panel *p) {
    for (size_t i = 0; i < p->n_series; i++) {
        chart_series *s = &p->series[i];
        free(s->x);
        free(s->y);
        free(s->cls);
        free(s->label);
        free(s->text);
    }
    free(p->series);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    for (int i = 0; i < p->n_xcat; i++) free(p->xcat[i]);
    free(p->xcat);
}

void gat_figure_free(gat_figure *fig) {
    if (!fig) return;
    for (int i = 0; i < fig->n_panels; i++) panel_free(&fig->panels[i]);
    free(fig->title);
    free(fig->subtitle);
    free(fig);
}

void gat_figure_title(gat_figure *fig, const char *title) {
    free(fig->title);
    fig->title = dup_str(title);
}

void gat_figure_subtitle(gat_figure *fig, const char *subtitle) {
    free(fig->subtitle);
    fig->subtitle = dup_str(subtitle);
}

gat_panel *gat_figure_panel(gat_figure *fig, int row, int col, int rowspan, int colspan) {
    if (fig->n_panels >= CHART_MAX_PANELS || row < 0 || col < 0 || rowspan < 1 || colspan < 1 ||
        row + rowspan > fig->rows || col + colspan > fig->cols)
        return NULL;
    gat_panel *p = &fig->panels[fig->n_panels++];
    memset(p, 0, sizeof *p);
    p->row = row;
    p->col = col;
    p->rowspan = rowspan;
    p->colspan = colspan;
    p->grid = 1;
    p->xlim[0] = p->xlim[1] = p->ylim[0] = p->ylim[1] = NAN;
    p->legend = GAT_LEGEND_BEST;
    return p;
}

void gat_panel_labels(gat_panel *p, const char *title, const char *xlabel, const char *ylabel) {
    set_str(&p->title, title);
    set_str(&p->xlabel, xlabel);
    set_str(&p->ylabel, ylabel);
}

void gat_panel_log(gat_panel *p, int xlog, int ylog) {
    p->xlog = !!xlog;
    p->ylog = !!ylog;
}

void gat_panel_xlim(gat_panel *p, double lo, double hi) {
    p->xlim[0] = lo;
    p->xlim[1] = hi;
}

void gat_panel_ylim(gat_panel *p, double lo, double hi) {
    p->ylim[0] = lo;
    p->ylim[1] = hi;
}

void gat_panel_grid(gat_panel *p, int on) { p->grid = !!on; }

int gat_panel_xcategories(gat_panel *p, const char *const *labels, int n, gat_error *err) {
    if (n < 0 || n > 32) return gat_error_set(err, GAT_EINVAL, "chart: %d categories (allowed 0..32)", n);
    char **c = n ? calloc((size_t)n, sizeof *c) : NULL;
    if (n && !c) return gat_error_set(err, GAT_ENOMEM, "chart: out of memory");
    for (int i = 0; i < n; i++)
        if (!(c[i] = strdup(labels[i] ? labels[i] : ""))) {
            for (int k = 0; k < i; k++) free(c[k]);
            free(c);
            return gat_error_set(err, GAT_ENOMEM, "chart: out of memory");
        }
    for (int i = 0; i < p->n_xcat; i++) free(p->xcat[i]);
    free(p->xcat);
    p->xcat = c;
    p->n_xcat = n;
    return GAT_OK;
}
void gat_panel_legend(gat_panel *p, gat_legend_pos pos) { p->legend = pos; }

/* Append a series with room for nx x values, ny y values, ncls classes. */
static chart_series *add_series(gat_panel *p, chart_kind kind, const gat_style *st, size_t nx, size_t ny,
                                size_t ncls, gat_error *err) {
    if (p->n_series == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        chart_series *s = realloc(p->series, cap * sizeof *s);
        if (!s) { gat_error_set(err, GAT_ENOMEM, "chart: out of memory"); return NULL; }
        p->series = s;
        p->cap = cap;
    }
    chart_series *s = &p->series[p->n_series];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    if (st) s->style = *st;
    s->style.label = NULL;
    s->x = nx ? malloc(nx * sizeof *s->x) : NULL;
    s->y = ny ? malloc(ny * sizeof *s->y) : NULL;
    s->cls = ncls ? malloc(ncls * sizeof *s->cls) : NULL;
    s->label = st ? dup_str(st->label) : NULL;
    if ((nx && !s->x) || (ny && !s->y) || (ncls && !s->cls) || (st && st->label && !s->label)) {
        free(s->x); free(s->y); free(s->cls); free(s->label);
        gat_error_set(err, GAT_ENOMEM, "chart: out of memory for %zu points", nx > ny ? nx : ny);
        return NULL;
    }
    p->n_series++;
    return s;
}

int gat_panel_line(gat_panel *p, const double *x, const double *y, size_t n, const gat_style *st,
                   gat_error *err) {
    chart_series *s = add_series(p, CHART_LINE, st, n, n, 0, err);
    if (!s) return GAT_ENOMEM;
    for (size_t i = 0; i < n; i++) s->x[i] = x ? x[i] : (double)i;
    if (n) memcpy(s->y, y, n * sizeof *y);
    s->n = n;
    return GAT_OK;
}

int gat_panel_bars(gat_panel *p, const double *edges, const double *counts, size_t nbins,
                   gat_hist_kind kind, const gat_style *st, gat_error *err) {
    chart_series *s = add_series(p, CHART_BARS, st, nbins + 1, nbins ? nbins : 1, 0, err);
    if (!s) return GAT_ENOMEM;
    memcpy(s->x, edges, (nbins + 1) * sizeof *edges);
    if (nbins) memcpy(s->y, counts, nbins * sizeof *counts);
    s->n = nbins;
    s->hist = kind;
    return GAT_OK;
}

int gat_panel_hist(gat_panel *p, const double *values, size_t n, double lo, double hi, int bins,
                   gat_hist_kind kind, const gat_style *st, gat_error *err) {
    if (bins < 1 || bins > 100000) return gat_error_set(err, GAT_EINVAL, "histogram: %d bins (must be 1..100000)", bins);
    if (!(lo <= hi)) return gat_error_set(err, GAT_EINVAL, "histogram: range [%g, %g] is empty", lo, hi);
    if (lo == hi) {
        double a = INFINITY, b = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (isfinite(values[i])) { a = fmin(a, values[i]); b = fmax(b, values[i]); }
        if (a > b) { a = 0; b = 1; }
        if (a == b) { a -= 0.5; b += 0.5; }
        lo = a;
        hi = b;
    }
    double *edges = malloc((size_t)(bins + 1) * sizeof *edges), *counts = calloc((size_t)bins, sizeof *counts);
    if (!edges || !counts) {
        free(edges); free(counts);
        return gat_error_set(err, GAT_ENOMEM, "histogram: out of memory");
    }
    for (int b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!(v >= lo && v <= hi)) continue;
        int b = (int)((v - lo) / (hi - lo) * bins);
        if (b >= bins) b = bins - 1;
        counts[b] += 1;
    }
    int rc = gat_panel_bars(p, edges, counts, (size_t)bins, kind, st, err);
    free(edges);
    free(counts);
    return rc;
}

int gat_panel_scatter(gat_panel *p, const double *x, const double *y, const int64_t *cls, size_t n,
                      const gat_style *st, gat_error *err) {
    chart_series *s = add_series(p, CHART_SCATTER, st, n, n, cls ? n : 0, err);
    if (!s) return GAT_ENOMEM;
    if (n) {
        memcpy(s->x, x, n * sizeof *x);
        memcpy(s->y, y, n * sizeof *y);
        if (cls) memcpy(s->cls, cls, n * sizeof *cls);
    }
    s->n = n;
    return GAT_OK;
}

int gat_panel_vline(gat_panel *p, double x, const char *text, const gat_style *st, gat_error *err) {
    chart_series *s = add_series(p, CHART_VLINE, st, 1, 0, 0, err);
    if (!s) return GAT_ENOMEM;
    s->x[0] = x;
    s->n = 1;
    if (text && !(s->text = dup_str(text))) {
        p->n_series--;
        free(s->x); free(s->label);
        return gat_error_set(err, GAT_ENOMEM, "chart: out of memory");
    }
    return GAT_OK;
}

int gat_panel_legend_entry(gat_panel *p, const char *label, int color, gat_error *err) {
    gat_style st = {.label = label, .color = color};
    chart_series *s = add_series(p, CHART_KEY, &st, 0, 0, 0, err);
    return s ? GAT_OK : GAT_ENOMEM;
}

/* ---- ticks ---- */

static double nice_step(double span, int target) {
    double raw = span / (target > 1 ? target : 1);
    double mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    double m = r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10;
    return m * mag;
}

int gat_nice_ticks(double lo, double hi, int target, int log, double *out, int max, double *step) {
    int n = 0;
    *step = 0;
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi) || max < 1) return 0;
    if (log) {
        if (lo <= 0) return 0;
        double a = log10(lo), b = log10(hi);
        double eps = 1e-9 * (b - a + 1);
        int d0 = (int)ceil(a - eps), d1 = (int)floor(b + eps);
        if (d1 - d0 + 1 >= 2) {
            int every = (d1 - d0 + 1 + target - 1) / (target > 0 ? target : 1);
            if (every < 1) every = 1;
            for (int d = d0; d <= d1 && n < max; d++)
                if ((d - d0) % every == 0) out[n++] = pow(10, d);
            *step = every;
            return n;
        }
        /* Less than two decades inside: 1-2-5 multiples, then plain linear ticks. */
        static const double m125[] = {1, 2, 5};
        for (int d = (int)floor(a) - 1; d <= (int)ceil(b) && n < max; d++)
            for (int k = 0; k < 3 && n < max; k++) {
                double v = m125[k] * pow(10, d);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out[n++] = v;
            }
        if (n >= 2) { *step = 0; return n; }
        n = 0;
    }
    double st = nice_step(hi - lo, target);
    double first = ceil(lo / st - 1e-9) * st;
    for (double v = first; v <= hi + 1e-9 * st && n < max; v = first + n * st) {
        out[n++] = fabs(v) < 1e-12 * st ? 0 : v;
    }
    *step = st;
    return n;
}

void gat_tick_label(double v, double step, char *buf, size_t size) {
    if (v == 0) { snprintf(buf, size, "0"); return; }
    double a = fabs(v);
    if (a >= 1e6 || a < 1e-4) {
        snprintf(buf, size, "%.3g", v);
        return;
    }
    int dec = 0;
    if (step > 0 && step < 1) dec = (int)ceil(-log10(step) - 1e-9);
    else if (step <= 0) dec = a < 1 ? (int)ceil(-log10(a) - 1e-9) : 0;
    if (dec > 6) dec = 6;
    snprintf(buf, size, "%.*f", dec, v);
}
