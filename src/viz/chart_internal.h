/* chart_internal.h - the figure data model shared by chart.c (building) and
 * chart_render.c (drawing). Private to the library. */
#ifndef GAT_CHART_INTERNAL_H
#define GAT_CHART_INTERNAL_H

#include "gat/chart.h"

#define CHART_MAX_PANELS 16

typedef enum { CHART_LINE, CHART_BARS, CHART_SCATTER, CHART_VLINE, CHART_KEY } chart_kind;

typedef struct chart_series {
    chart_kind kind;
    gat_hist_kind hist;   /* CHART_BARS */
    gat_style style;      /* style.label is unused: see label */
    char *label;          /* legend text or NULL */
    char *text;           /* CHART_VLINE annotation or NULL */
    size_t n;             /* points; bins for CHART_BARS */
    double *x;            /* (n), (n + 1) bin edges for CHART_BARS */
    double *y;            /* (n) */
    int64_t *cls;         /* (n) palette index per point, or NULL */
} chart_series;

struct gat_panel {
    int row, col, rowspan, colspan;
    char *title, *xlabel, *ylabel;
    int xlog, ylog, grid;
    double xlim[2], ylim[2];
    gat_legend_pos legend;
    char **xcat;                       /* categorical x axis: tick i at x = i labelled xcat[i] */
    int n_xcat;
    chart_series *series;
    size_t n_series, cap;
};

struct gat_figure {
    int rows, cols;
    double width, height;
    char *title, *subtitle;
    int n_panels;
    gat_panel panels[CHART_MAX_PANELS];
};

#endif
