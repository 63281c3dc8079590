/* chart_draw.h - private drawing helpers shared by the charts and the graph pictures:
 * writing a cairo drawing to PNG/SVG atomically, text, colours and legend boxes. */
#ifndef GAT_CHART_DRAW_H
#define GAT_CHART_DRAW_H

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#define CD_FONT "DejaVu Sans"
#define CD_TEXT_RGB 0x262626u   /* near-black for text */
#define CD_AXIS_RGB 0x4d4d4du   /* axes and ticks */
#define CD_GRID_RGB 0xe3e3e3u   /* grid lines */

typedef void (*cd_draw_fn)(cairo_t *cr, void *ctx);

/* Draw with draw(cr, ctx) on a white width x height (points) page and write it to path,
 * as SVG when svg is set, else as PNG with scale pixels per point. Atomic. */
int cd_render_file(const char *path, int svg, double width, double height, double scale,
                   cd_draw_fn draw, void *ctx, gat_error *err);
/* 1 if path ends in ".svg", 0 if in ".png", -1 otherwise (case-insensitive). */
int cd_format_of(const char *path);

void cd_rgb(cairo_t *cr, uint32_t rgb, double alpha);
/* Mix rgb with white (t > 0) or black (t < 0) by |t|. */
uint32_t cd_tint(uint32_t rgb, double t);
void cd_font(cairo_t *cr, double size, int bold);
double cd_text_width(cairo_t *cr, const char *s);
/* Text anchored at (x, y): ha 0 left, 0.5 centre, 1 right; va 0 top, 0.5 middle, 1 baseline. */
void cd_text(cairo_t *cr, double x, double y, const char *s, double ha, double va);
/* Text rotated by -90 degrees (reading upwards), centred on (x, y). */
void cd_text_vertical(cairo_t *cr, double x, double y, const char *s);

typedef enum { CD_KEY_LINE, CD_KEY_PATCH, CD_KEY_DISC } cd_key_kind;
typedef struct cd_legend_item {
    const char *label;
    uint32_t rgb;
    double alpha;
    cd_key_kind kind;
    int dashed;
    double size;        /* disc diameter (0 = default) */
} cd_legend_item;

/* Size in points of a legend box (font size fs) holding n items. */
void cd_legend_size(cairo_t *cr, const cd_legend_item *items, size_t n, double fs, double *w, double *h);
/* Draw it with its top-left corner at (x, y): white translucent box, thin frame. */
void cd_legend_draw(cairo_t *cr, double x, double y, const cd_legend_item *items, size_t n, double fs);

/* Draw a gat_figure (passed as ctx) on a page of its size: a cd_draw_fn. */
void chart_draw_figure(cairo_t *cr, void *fig);

#endif
