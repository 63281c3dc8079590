/* chart.h - figures with panels of line, histogram and scatter plots, drawn with cairo.
 *
 * A figure is a grid of panels (subplots). Each panel has axes with 1-2-5 ticks (or
 * decade ticks on log axes), tick labels, axis labels, a title, a legend, and any number
 * of series: lines, bar or step histograms, scatter points, vertical marker lines. A
 * figure records its series (the data is copied) and is drawn only when saved, so the
 * same figure can be written to PNG and to SVG:
 *
 *     gat_figure *fig;
 *     if (gat_figure_new(&fig, 1, 1, 640, 400, &err)) return err.status;
 *     gat_panel *p = gat_figure_panel(fig, 0, 0, 1, 1);
 *     gat_panel_labels(p, "Validation loss", "epoch", "loss");
 *     gat_style s = {.label = "val", .color = 0};
 *     gat_panel_line(p, x, y, n, &s, &err);
 *     gat_figure_save(fig, "loss.png", 2.0, &err);   // 1280 x 800 pixels
 *     gat_figure_save(fig, "loss.svg", 1.0, &err);
 *     gat_figure_free(fig);
 *
 * Sizes are in points (1/72 inch); a PNG is width*scale x height*scale pixels. Text is
 * DejaVu Sans (through fontconfig), everything anti-aliased. Files are written
 * atomically (temporary name, then rename). Colours come from the Tableau-10 palette.
 * Nothing here prints; every fallible function returns GAT_OK or a negative status with
 * a message in err. */
#ifndef GAT_CHART_H
#define GAT_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The categorical palette (Tableau 10): blue, orange, red, teal, green, yellow, purple,
 * pink, brown, grey. Index i wraps modulo GAT_PALETTE_SIZE. */
#define GAT_PALETTE_SIZE 10
/* 0xRRGGBB of palette entry i (any i >= 0; wraps). */
uint32_t gat_palette_rgb(int i);

/* How a series looks. Zero-initialise and set what you need: zero fields take defaults. */
typedef struct gat_style {
    const char *label;   /* legend text, or NULL for no legend entry (copied) */
    int color;           /* palette index (default 0), or -1 to use rgb */
    uint32_t rgb;        /* 0xRRGGBB when color == -1 */
    double alpha;        /* opacity in (0, 1]; 0 = default (1 for lines, 0.6 bars, 0.75 points) */
    double width;        /* line width in points; 0 = 1.5 */
    double size;         /* scatter/marker diameter in points; 0 = 4 */
    int markers;         /* lines: also draw a marker at each point */
    int dashed;          /* lines and vertical markers: dashed */
} gat_style;

typedef enum {
    GAT_HIST_BARS = 0,   /* filled bars with a thin darker outline (alpha for overlays) */
    GAT_HIST_STEP = 1,   /* an outline only, as a step line */
} gat_hist_kind;

typedef enum {
    GAT_LEGEND_BEST = 0, /* the inside corner that covers the fewest data points */
    GAT_LEGEND_UPPER_RIGHT, GAT_LEGEND_UPPER_LEFT, GAT_LEGEND_LOWER_LEFT, GAT_LEGEND_LOWER_RIGHT,
    GAT_LEGEND_OUTSIDE,  /* to the right of the plot area (the panel's plot shrinks) */
    GAT_LEGEND_NONE,
} gat_legend_pos;

typedef struct gat_figure gat_figure;   /* opaque; owns its panels */
typedef struct gat_panel gat_panel;     /* opaque; owned by its figure */

/* A figure of rows x cols grid cells, width x height points. *out is NULL on failure. */
int gat_figure_new(gat_figure **out, int rows, int cols, double width, double height, gat_error *err);
/* Free a figure, its panels and their data. NULL is allowed. */
void gat_figure_free(gat_figure *fig);
/* The title above all panels (copied; NULL removes it). */
void gat_figure_title(gat_figure *fig, const char *title);
/* A second, smaller line under the title. */
void gat_figure_subtitle(gat_figure *fig, const char *subtitle);

/* A new panel covering grid cells [row, row+rowspan) x [col, col+colspan). Returns NULL only
 * when the cells are outside the grid or the figure holds its maximum of 16 panels. */
gat_panel *gat_figure_panel(gat_figure *fig, int row, int col, int rowspan, int colspan);

/* Title and axis labels (each copied; NULL leaves it unchanged). */
void gat_panel_labels(gat_panel *p, const char *title, const char *xlabel, const char *ylabel);
/* Logarithmic axes (base 10). Points with a coordinate <= 0 on a log axis are skipped. */
void gat_panel_log(gat_panel *p, int xlog, int ylog);
/* Fix the range of an axis; NAN for a bound computed from the data (the default). */
void gat_panel_xlim(gat_panel *p, double lo, double hi);
void gat_panel_ylim(gat_panel *p, double lo, double hi);
/* A categorical x axis: ticks at x = 0, 1, ..., n-1 labelled labels[i] (copied), for bar
 * charts of named things (place bar i over [i - w/2, i + w/2]); n = 0 goes back to numbers.
 * Sets the x range to [-0.5, n - 0.5] unless gat_panel_xlim fixed it. At most 32 labels. */
int gat_panel_xcategories(gat_panel *p, const char *const *labels, int n, gat_error *err);
/* Light grid lines at the major ticks (on by default). */
void gat_panel_grid(gat_panel *p, int on);
/* Where the legend goes (default GAT_LEGEND_BEST); drawn when some series has a label. */
void gat_panel_legend(gat_panel *p, gat_legend_pos pos);

/* A line through (x[i], y[i]), i < n; x may be NULL for 0, 1, ..., n-1. Non-finite
 * points break the line. Copies the data: O(n). */
int gat_panel_line(gat_panel *p, const double *x, const double *y, size_t n, const gat_style *s,
                   gat_error *err);
/* A histogram of n values in `bins` equal bins over [lo, hi] (lo == hi: the data range);
 * values outside are ignored. */
int gat_panel_hist(gat_panel *p, const double *values, size_t n, double lo, double hi, int bins,
                   gat_hist_kind kind, const gat_style *s, gat_error *err);
/* Precomputed bars: bar i spans [edges[i], edges[i+1]) with height counts[i], i < nbins. */
int gat_panel_bars(gat_panel *p, const double *edges, const double *counts, size_t nbins,
                   gat_hist_kind kind, const gat_style *s, gat_error *err);
/* Points (x[i], y[i]). cls, when not NULL, gives each point's palette index (negative:
 * the style's colour); otherwise every point takes the style's colour. */
int gat_panel_scatter(gat_panel *p, const double *x, const double *y, const int64_t *cls, size_t n,
                      const gat_style *s, gat_error *err);
/* A vertical line across the panel at x, with an optional text label beside its top. */
int gat_panel_vline(gat_panel *p, double x, const char *text, const gat_style *s, gat_error *err);
/* A legend entry with no data (e.g. one per class for a scatter drawn in one call):
 * a filled disc in palette colour `color` named `label`. */
int gat_panel_legend_entry(gat_panel *p, const char *label, int color, gat_error *err);

/* Draw and write the figure. gat_figure_save picks the format from the extension (.png
 * or .svg); scale multiplies the pixel size of a PNG (2 = high-DPI) and is ignored for
 * SVG. The file is replaced atomically. Cost: proportional to the data points. */
int gat_figure_save(const gat_figure *fig, const char *path, double scale, gat_error *err);
int gat_figure_save_png(const gat_figure *fig, const char *path, double scale, gat_error *err);
int gat_figure_save_svg(const gat_figure *fig, const char *path, gat_error *err);

/* Release the font caches cairo and fontconfig keep for the life of the process (the
 * toy text API loads DejaVu Sans once). Optional: call it at exit so leak checkers (ASan,
 * valgrind) see no leaks. Drawing again afterwards reloads the fonts. */
void gat_chart_shutdown(void);

/* Tick positions for the range [lo, hi]: about `target` ticks at 1-2-5 multiples of a power
 * of ten (or at powers of ten when log is set), all inside [lo, hi]. Writes at most max
 * ticks to out and returns how many; *step receives the step (the decade step for log). */
int gat_nice_ticks(double lo, double hi, int target, int log, double *out, int max, double *step);
/* The format of a tick label for value v with tick step `step`: "%g" with just enough
 * decimals, thousands without exponent up to 1e6. Writes into buf (size bytes). */
void gat_tick_label(double v, double step, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
