/* chart_draw.c - cairo output to PNG/SVG files, text and legend helpers. */
#define _GNU_SOURCE 1   /* RTLD_DEFAULT */
#include "chart_draw.h"

#include <dlfcn.h>

#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "gat/fileio.h"

static cairo_status_t write_fp(void *closure, const unsigned char *data, unsigned int len) {
    FILE *fp = closure;
    return fwrite(data, 1, len, fp) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

void gat_chart_shutdown(void) {
    cairo_debug_reset_static_data();
    /* FcFini through dlsym: fontconfig is cairo's dependency, not one we link ourselves. */
    void *sym = dlsym(RTLD_DEFAULT, "FcFini");
    void (*fc_fini)(void);
    memcpy(&fc_fini, &sym, sizeof fc_fini);
    if (fc_fini) fc_fini();
}

int cd_format_of(const char *path) {
    size_t n = strlen(path);
    if (n >= 4 && !strcasecmp(path + n - 4, ".svg")) return 1;
    if (n >= 4 && !strcasecmp(path + n - 4, ".png")) return 0;
    return -1;
}

int cd_render_file(const char *path, int svg, double width, double height, double scale,
                   cd_draw_fn draw, void *ctx, gat_error *err) {
    if (!(width > 0 && height > 0 && width < 1e5 && height < 1e5))
        return gat_error_set(err, GAT_EINVAL, "%s: bad picture size %g x %g", path, width, height);
    if (!svg && !(scale > 0 && width * scale <= 32000 && height * scale <= 32000))
        return gat_error_set(err, GAT_EINVAL, "%s: bad scale %g (at most 32000 pixels a side)", path, scale);
    gat_outfile out;
    int rc = gat_outfile_open(&out, path, err);
    if (rc) return rc;
    cairo_surface_t *surf;
    if (svg) {
        surf = cairo_svg_surface_create_for_stream(write_fp, out.fp, width, height);
    } else {
        surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(width * scale),
                                          (int)ceil(height * scale));
    }
    cairo_t *cr = cairo_create(surf);
    if (!svg) cairo_scale(cr, scale, scale);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_BEST);
    draw(cr, ctx);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS && !svg) st = cairo_surface_write_to_png_stream(surf, write_fp, out.fp);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        gat_outfile_abort(&out);
        return gat_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? GAT_ENOMEM : GAT_EIO, "%s: cannot draw: %s",
                             path, cairo_status_to_string(st));
    }
    return gat_outfile_commit(&out, err);
}

void cd_rgb(cairo_t *cr, uint32_t rgb, double alpha) {
    cairo_set_source_rgba(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0, alpha);
}

uint32_t cd_tint(uint32_t rgb, double t) {
    uint32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double c = (rgb >> sh) & 255;
        c = t >= 0 ? c + (255 - c) * t : c * (1 + t);
        out |= (uint32_t)lround(c < 0 ? 0 : c > 255 ? 255 : c) << sh;
    }
    return out;
}

void cd_font(cairo_t *cr, double size, int bold) {
    cairo_select_font_face(cr, CD_FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double cd_text_width(cairo_t *cr, const char *s) {
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

void cd_text(cairo_t *cr, double x, double y, const char *s, double ha, double va) {
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double w = cd_text_width(cr, s);
    /* Cap height of DejaVu Sans is ~0.73 em: centre on it rather than on ascent+descent. */
    double cap = 0.73 * fe.ascent / 0.93;
    double by = va >= 1 ? y : y + cap * (1 - va);
    if (va == 0) by = y + cap;
    cairo_move_to(cr, x - ha * w, by);
    cairo_show_text(cr, s);
    cairo_new_path(cr);
}

void cd_text_vertical(cairo_t *cr, double x, double y, const char *s) {
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -M_PI / 2);
    cd_text(cr, 0, 0, s, 0.5, 0.5);
    cairo_restore(cr);
}

#define KEY_W 1.9   /* key width in font sizes */

void cd_legend_size(cairo_t *cr, const cd_legend_item *items, size_t n, double fs, double *w, double *h) {
    cd_font(cr, fs, 0);
    double tw = 0;
    for (size_t i = 0; i < n; i++) {
        double x = cd_text_width(cr, items[i].label ? items[i].label : "");
        if (x > tw) tw = x;
    }
    *w = 0.7 * fs + KEY_W * fs + 0.5 * fs + tw + 0.7 * fs;
    *h = 0.55 * fs * 2 + n * 1.45 * fs - 0.45 * fs;
}

void cd_legend_draw(cairo_t *cr, double x, double y, const cd_legend_item *items, size_t n, double fs) {
    double w, h;
    cd_legend_size(cr, items, n, fs, &w, &h);
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cd_rgb(cr, 0xcccccc, 1);
    cairo_set_line_width(cr, 0.75);
    cairo_stroke(cr);
    for (size_t i = 0; i < n; i++) {
        const cd_legend_item *it = &items[i];
        double cy = y + 0.55 * fs + i * 1.45 * fs + 0.5 * fs;
        double kx = x + 0.7 * fs, kw = KEY_W * fs;
        cairo_new_path(cr);
        switch (it->kind) {
        case CD_KEY_LINE:
            cd_rgb(cr, it->rgb, it->alpha);
            cairo_set_line_width(cr, 2);
            if (it->dashed) {
                double d[] = {4, 2.5};
                cairo_set_dash(cr, d, 2, 0);
            }
            cairo_move_to(cr, kx, cy);
            cairo_line_to(cr, kx + kw, cy);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
            break;
        case CD_KEY_PATCH:
            cairo_rectangle(cr, kx + 0.1 * kw, cy - 0.4 * fs, 0.8 * kw, 0.8 * fs);
            cd_rgb(cr, it->rgb, it->alpha);
            cairo_fill_preserve(cr);
            cd_rgb(cr, cd_tint(it->rgb, -0.3), 1);
            cairo_set_line_width(cr, 0.75);
            cairo_stroke(cr);
            break;
        case CD_KEY_DISC: {
            double r = it->size > 0 ? it->size / 2 : 0.36 * fs;
            cairo_arc(cr, kx + kw / 2, cy, r, 0, 2 * M_PI);
            cd_rgb(cr, it->rgb, it->alpha);
            cairo_fill_preserve(cr);
            cd_rgb(cr, 0xffffff, 1);
            cairo_set_line_width(cr, 0.6);
            cairo_stroke(cr);
            break;
        }
        }
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_font(cr, fs, 0);
        cd_text(cr, kx + kw + 0.5 * fs, cy, it->label ? it->label : "", 0, 0.5);
    }
    cairo_restore(cr);
}
