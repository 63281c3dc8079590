/* chart_render.c - drawing a figure with cairo: layout of the panels, axes, ticks,
 * series and legends. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_draw.h"
#include "chart_internal.h"

#define FS_TICK 9.0
#define FS_LABEL 10.5
#define FS_PTITLE 11.5
#define FS_TITLE 15.0
#define FS_SUB 10.0
#define FS_LEGEND 9.0
#define TICK_LEN 3.5
#define MAX_TICKS 40

typedef struct axis {
    double lo, hi;          /* data range shown */
    int log;
    double p0, p1;          /* page coordinates of lo and hi */
    double ticks[MAX_TICKS];
    int nt;
    double step;
    char *const *cat;       /* categorical: tick i is labelled cat[i] */
} axis;

static double ax_f(const axis *a, double v) { return a->log ? log10(v) : v; }

static double ax_map(const axis *a, double v) {
    double l = ax_f(a, a->lo), h = ax_f(a, a->hi);
    return a->p0 + (ax_f(a, v) - l) / (h - l) * (a->p1 - a->p0);
}

static int ok_value(double v, int log) { return isfinite(v) && (!log || v > 0); }

/* ---- tick labels, with "10^k" drawn as a superscript ---- */

static void tick_text(const axis *a, double v, char *buf, size_t size) {
    if (a->cat) {
        snprintf(buf, size, "%s", a->cat[(int)lround(v)]);
        return;
    }
    if (a->log && a->step >= 1 && (v < 1e-3 || v > 1e5)) {
        snprintf(buf, size, "10^%d", (int)lround(log10(v)));
        return;
    }
    if (a->log) {
        snprintf(buf, size, "%g", v);
    } else {
        gat_tick_label(v, a->step, buf, size);
    }
    if (buf[0] == '-' && strlen(buf) + 3 < size) {      /* a real minus sign, U+2212 */
        memmove(buf + 3, buf + 1, strlen(buf));
        memcpy(buf, "\xe2\x88\x92", 3);
    }
}

static double label_width(cairo_t *cr, const char *s) {
    const char *caret = strstr(s, "^");
    if (!caret) return cd_text_width(cr, s);
    char base[16];
    size_t n = (size_t)(caret - s) < sizeof base - 1 ? (size_t)(caret - s) : sizeof base - 1;
    memcpy(base, s, n);
    base[n] = 0;
    double w = cd_text_width(cr, base);
    cairo_save(cr);
    cairo_set_font_size(cr, FS_TICK * 0.72);
    w += cd_text_width(cr, caret + 1);
    cairo_restore(cr);
    return w;
}

static void draw_label(cairo_t *cr, double x, double y, const char *s, double ha, double va) {
    const char *caret = strstr(s, "^");
    if (!caret) { cd_text(cr, x, y, s, ha, va); return; }
    double w = label_width(cr, s);
    char base[16];
    size_t n = (size_t)(caret - s) < sizeof base - 1 ? (size_t)(caret - s) : sizeof base - 1;
    memcpy(base, s, n);
    base[n] = 0;
    double x0 = x - ha * w;
    cd_text(cr, x0, y, base, 0, va);
    double bw = cd_text_width(cr, base);
    cairo_save(cr);
    cairo_set_font_size(cr, FS_TICK * 0.72);
    cd_text(cr, x0 + bw, y - FS_TICK * 0.38, caret + 1, 0, va);
    cairo_restore(cr);
}

/* ---- ranges ---- */

static void data_range(const gat_panel *p, int is_y, int log, double *lo, double *hi, int *bars_only, int *has_bars) {
    double a = INFINITY, b = -INFINITY;
    int any_other = 0;
    *has_bars = 0;
    for (size_t k = 0; k < p->n_series; k++) {
        const chart_series *s = &p->series[k];
        if (s->kind == CHART_KEY) continue;
        if (s->kind == CHART_VLINE) {
            if (!is_y && ok_value(s->x[0], log)) { a = fmin(a, s->x[0]); b = fmax(b, s->x[0]); }
            continue;
        }
        if (s->kind == CHART_BARS) {
            *has_bars = 1;
            if (!is_y) {
                for (size_t i = 0; i <= s->n; i++)
                    if (ok_value(s->x[i], log)) { a = fmin(a, s->x[i]); b = fmax(b, s->x[i]); }
            } else {
                for (size_t i = 0; i < s->n; i++)
                    if (ok_value(s->y[i], log)) { a = fmin(a, s->y[i]); b = fmax(b, s->y[i]); }
                if (!log) { a = fmin(a, 0); b = fmax(b, 0); }
            }
            continue;
        }
        any_other = 1;
        const double *v = is_y ? s->y : s->x;
        for (size_t i = 0; i < s->n; i++)
            if (ok_value(v[i], log) && ok_value(is_y ? s->x[i] : s->y[i], 0)) { a = fmin(a, v[i]); b = fmax(b, v[i]); }
    }
    *bars_only = !any_other;
    *lo = a;
    *hi = b;
}

static void axis_range(const gat_panel *p, int is_y, axis *ax) {
    int log = is_y ? p->ylog : p->xlog;
    const double *lim = is_y ? p->ylim : p->xlim;
    double lo, hi;
    int bars_only, has_bars;
    data_range(p, is_y, log, &lo, &hi, &bars_only, &has_bars);
    if (!(lo <= hi)) { lo = log ? 1 : 0; hi = log ? 10 : 1; }
    if (lo == hi) {
        if (log) { lo /= 3.16; hi *= 3.16; }
        else { double d = fabs(lo) > 0 ? fabs(lo) * 0.5 : 1; lo -= d; hi += d; }
    }
    /* Margins: 3% on x (none for pure histograms), 5% on y (none below a bar baseline at 0). */
    double fl = log ? log10(lo) : lo, fh = log ? log10(hi) : hi, span = fh - fl;
    double pl = is_y ? 0.05 : (bars_only ? 0 : 0.03), ph = pl;
    if (is_y && has_bars && !log && lo == 0) pl = 0;
    if (is_y && has_bars && log) pl = 0.02;
    fl -= pl * span;
    fh += ph * span;
    lo = log ? pow(10, fl) : fl;
    hi = log ? pow(10, fh) : fh;
    if (!is_y && p->n_xcat) { lo = -0.5; hi = p->n_xcat - 0.5; log = 0; }
    if (isfinite(lim[0]) && ok_value(lim[0], log)) lo = lim[0];
    if (isfinite(lim[1]) && ok_value(lim[1], log)) hi = lim[1];
    if (!(lo < hi)) hi = log ? lo * 10 : lo + 1;
    ax->lo = lo;
    ax->hi = hi;
    ax->log = log;
}

static void make_ticks(axis *ax, int target) {
    if (ax->cat) return; /* categorical ticks are set once */
    if (target < 2) target = 2;
    ax->nt = gat_nice_ticks(ax->lo, ax->hi, target, ax->log, ax->ticks, MAX_TICKS, &ax->step);
}

/* ---- series ---- */

static uint32_t style_rgb(const gat_style *s) { return s->color < 0 ? s->rgb : gat_palette_rgb(s->color); }

static void draw_bars(cairo_t *cr, const chart_series *s, const axis *xa, const axis *ya) {
    uint32_t rgb = style_rgb(&s->style);
    double alpha = s->style.alpha > 0 ? s->style.alpha : (s->hist == GAT_HIST_STEP ? 1 : 0.6);
    double base = ya->log ? ya->p0 : ax_map(ya, 0);
    if (s->hist == GAT_HIST_STEP) {
        int open = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!ok_value(s->x[i], xa->log) || !ok_value(s->x[i + 1], xa->log)) continue;
            double top = ok_value(s->y[i], ya->log) ? ax_map(ya, s->y[i]) : base;
            double x0 = ax_map(xa, s->x[i]), x1 = ax_map(xa, s->x[i + 1]);
            if (!open) { cairo_move_to(cr, x0, base); open = 1; }
            cairo_line_to(cr, x0, top);
            cairo_line_to(cr, x1, top);
            if (i + 1 == s->n) cairo_line_to(cr, x1, base);
        }
        cd_rgb(cr, rgb, alpha);
        cairo_set_line_width(cr, s->style.width > 0 ? s->style.width : 1.5);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
        cairo_stroke(cr);
        return;
    }
    double minw = INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        if (!ok_value(s->x[i], xa->log) || !ok_value(s->x[i + 1], xa->log) || !ok_value(s->y[i], ya->log)) continue;
        double x0 = ax_map(xa, s->x[i]), x1 = ax_map(xa, s->x[i + 1]);
        minw = fmin(minw, fabs(x1 - x0));
        cairo_rectangle(cr, x0, ax_map(ya, s->y[i]), x1 - x0, base - ax_map(ya, s->y[i]));
    }
    cd_rgb(cr, rgb, alpha);
    if (minw >= 3) {
        cairo_fill_preserve(cr);
        cd_rgb(cr, cd_tint(rgb, -0.25), fmin(1, alpha + 0.3));
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
    } else {
        cairo_fill(cr);
    }
}

static void draw_line(cairo_t *cr, const chart_series *s, const axis *xa, const axis *ya) {
    uint32_t rgb = style_rgb(&s->style);
    double alpha = s->style.alpha > 0 ? s->style.alpha : 1;
    int open = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!ok_value(s->x[i], xa->log) || !ok_value(s->y[i], ya->log)) { open = 0; continue; }
        double px = ax_map(xa, s->x[i]), py = ax_map(ya, s->y[i]);
        if (open) cairo_line_to(cr, px, py);
        else cairo_move_to(cr, px, py);
        open = 1;
    }
    cd_rgb(cr, rgb, alpha);
    cairo_set_line_width(cr, s->style.width > 0 ? s->style.width : 1.5);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (s->style.dashed) {
        double d[] = {5, 3};
        cairo_set_dash(cr, d, 2, 0);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    if (s->style.markers) {
        double r = (s->style.size > 0 ? s->style.size : 4) / 2;
        for (size_t i = 0; i < s->n; i++) {
            if (!ok_value(s->x[i], xa->log) || !ok_value(s->y[i], ya->log)) continue;
            cairo_new_sub_path(cr);
            cairo_arc(cr, ax_map(xa, s->x[i]), ax_map(ya, s->y[i]), r, 0, 2 * M_PI);
        }
        cd_rgb(cr, rgb, alpha);
        cairo_fill_preserve(cr);
        cd_rgb(cr, 0xffffff, 1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
}

static void draw_scatter(cairo_t *cr, const chart_series *s, const axis *xa, const axis *ya) {
    double alpha = s->style.alpha > 0 ? s->style.alpha : 0.75;
    double r = (s->style.size > 0 ? s->style.size : 4) / 2;
    uint32_t own = style_rgb(&s->style);
    cairo_set_line_width(cr, fmin(0.6, r * 0.25));
    for (size_t i = 0; i < s->n; i++) {
        if (!ok_value(s->x[i], xa->log) || !ok_value(s->y[i], ya->log)) continue;
        uint32_t rgb = s->cls && s->cls[i] >= 0 ? gat_palette_rgb((int)(s->cls[i] % GAT_PALETTE_SIZE)) : own;
        cairo_arc(cr, ax_map(xa, s->x[i]), ax_map(ya, s->y[i]), r, 0, 2 * M_PI);
        cd_rgb(cr, rgb, alpha);
        cairo_fill_preserve(cr);
        cd_rgb(cr, cd_tint(rgb, -0.35), alpha);
        cairo_stroke(cr);
    }
}

/* row: how many labelled markers were drawn before this one in the panel; labels stack
 * downwards so that markers close together stay readable. */
static void draw_vline(cairo_t *cr, const chart_series *s, const axis *xa, const axis *ya, int row) {
    if (!ok_value(s->x[0], xa->log)) return;
    double x = ax_map(xa, s->x[0]);
    uint32_t rgb = s->style.color == 0 && s->style.rgb == 0 ? 0x333333 : style_rgb(&s->style);
    cd_rgb(cr, rgb, s->style.alpha > 0 ? s->style.alpha : 0.9);
    cairo_set_line_width(cr, s->style.width > 0 ? s->style.width : 1.2);
    double d[] = {4, 2.5};
    cairo_set_dash(cr, d, 2, 0);
    cairo_move_to(cr, x, ya->p0);
    cairo_line_to(cr, x, ya->p1);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    if (s->text) {
        cd_font(cr, FS_TICK, 0);
        double w = cd_text_width(cr, s->text);
        double xr = fmax(xa->p0, xa->p1);
        int left = x + 4 + w > xr;
        double tx = left ? x - 4 - w : x + 4, ty = fmin(ya->p0, ya->p1) + 4 + row * (FS_TICK + 6);
        cairo_rectangle(cr, tx - 2, ty - 1, w + 4, FS_TICK + 3);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_fill(cr);
        cd_rgb(cr, cd_tint(rgb, -0.2), 1);
        cd_text(cr, tx, ty + 0.5, s->text, 0, 0);
    }
}

/* ---- legend ---- */

static size_t legend_items(const gat_panel *p, cd_legend_item *items, size_t max) {
    size_t n = 0;
    for (size_t k = 0; k < p->n_series && n < max; k++) {
        const chart_series *s = &p->series[k];
        if (!s->label) continue;
        cd_legend_item *it = &items[n++];
        memset(it, 0, sizeof *it);
        it->label = s->label;
        it->rgb = s->kind == CHART_VLINE && s->style.color == 0 && s->style.rgb == 0 ? 0x333333 : style_rgb(&s->style);
        it->alpha = 1;
        switch (s->kind) {
        case CHART_LINE: it->kind = CD_KEY_LINE; it->dashed = s->style.dashed; break;
        case CHART_VLINE: it->kind = CD_KEY_LINE; it->dashed = 1; break;
        case CHART_BARS:
            it->kind = s->hist == GAT_HIST_STEP ? CD_KEY_LINE : CD_KEY_PATCH;
            it->alpha = s->style.alpha > 0 ? s->style.alpha : (s->hist == GAT_HIST_STEP ? 1 : 0.6);
            break;
        default: it->kind = CD_KEY_DISC; break;
        }
    }
    return n;
}

/* Data points of the panel that fall in the box (page coordinates). */
static size_t points_in_box(const gat_panel *p, const axis *xa, const axis *ya, double bx0, double by0, double bx1, double by1) {
    size_t c = 0;
    for (size_t k = 0; k < p->n_series; k++) {
        const chart_series *s = &p->series[k];
        if (s->kind == CHART_LINE || s->kind == CHART_SCATTER) {
            for (size_t i = 0; i < s->n; i++) {
                if (!ok_value(s->x[i], xa->log) || !ok_value(s->y[i], ya->log)) continue;
                double px = ax_map(xa, s->x[i]), py = ax_map(ya, s->y[i]);
                c += px >= bx0 && px <= bx1 && py >= by0 && py <= by1;
            }
        } else if (s->kind == CHART_BARS) {
            for (size_t i = 0; i < s->n; i++) {
                if (!ok_value(s->y[i], ya->log) || !ok_value(s->x[i], xa->log) || !ok_value(s->x[i + 1], xa->log)) continue;
                double x0 = ax_map(xa, s->x[i]), x1 = ax_map(xa, s->x[i + 1]), top = ax_map(ya, s->y[i]);
                if (x1 >= bx0 && x0 <= bx1 && top <= by1) c += 3;
            }
        } else if (s->kind == CHART_VLINE && ok_value(s->x[0], xa->log)) {
            double px = ax_map(xa, s->x[0]);
            c += (px >= bx0 && px <= bx1) * 5;
        }
    }
    return c;
}

/* ---- a panel ---- */

typedef struct rect { double x, y, w, h; } rect;

static void draw_panel(cairo_t *cr, const gat_panel *p, rect r) {
    axis xa, ya;
    memset(&xa, 0, sizeof xa);
    memset(&ya, 0, sizeof ya);
    axis_range(p, 0, &xa);
    axis_range(p, 1, &ya);
    cd_legend_item items[64];
    size_t nitems = p->legend == GAT_LEGEND_NONE ? 0 : legend_items(p, items, 64);
    double lw = 0, lh = 0;
    if (nitems) cd_legend_size(cr, items, nitems, FS_LEGEND, &lw, &lh);

    double top = p->title ? FS_PTITLE * 2.0 : 8;
    double bottom = TICK_LEN + 4 + FS_TICK + (p->xlabel ? 6 + FS_LABEL : 0) + 4;
    double right = 14 + (nitems && p->legend == GAT_LEGEND_OUTSIDE ? lw + 8 : 0);
    ya.p0 = r.y + r.h - bottom;
    ya.p1 = r.y + top;
    make_ticks(&ya, (int)((ya.p0 - ya.p1) / 38));
    cd_font(cr, FS_TICK, 0);
    double maxw = 0;
    char buf[64];
    for (int i = 0; i < ya.nt; i++) {
        tick_text(&ya, ya.ticks[i], buf, sizeof buf);
        maxw = fmax(maxw, label_width(cr, buf));
    }
    double left = (p->ylabel ? FS_LABEL * 1.5 : 0) + maxw + TICK_LEN + 8;
    xa.p0 = r.x + left;
    xa.p1 = r.x + r.w - right;
    double plot_w = xa.p1 - xa.p0;
    if (p->n_xcat) {
        xa.cat = p->xcat;
        xa.nt = 0;
        for (int i = 0; i < p->n_xcat && i < MAX_TICKS; i++)
            if (i >= xa.lo && i <= xa.hi) xa.ticks[xa.nt++] = i;
        xa.step = 1;
    }
    for (int target = (int)(plot_w / 60); ; target--) {
        make_ticks(&xa, target);
        double wmax = 0;
        for (int i = 0; i < xa.nt; i++) {
            tick_text(&xa, xa.ticks[i], buf, sizeof buf);
            wmax = fmax(wmax, label_width(cr, buf));
        }
        if (target <= 2 || (wmax + 14) * xa.nt <= plot_w) break;
    }
    double px0 = xa.p0, px1 = xa.p1, py0 = ya.p1, py1 = ya.p0;

    if (p->grid) {
        cd_rgb(cr, CD_GRID_RGB, 1);
        cairo_set_line_width(cr, 0.6);
        for (int i = 0; i < xa.nt; i++) {
            double x = round(ax_map(&xa, xa.ticks[i]) * 2) / 2;
            cairo_move_to(cr, x, py0);
            cairo_line_to(cr, x, py1);
        }
        for (int i = 0; i < ya.nt; i++) {
            double y = ax_map(&ya, ya.ticks[i]);
            cairo_move_to(cr, px0, y);
            cairo_line_to(cr, px1, y);
        }
        cairo_stroke(cr);
    }

    cairo_save(cr);
    cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
    cairo_clip(cr);
    static const chart_kind order[] = {CHART_BARS, CHART_LINE, CHART_SCATTER, CHART_VLINE};
    int vrow = 0;
    for (size_t o = 0; o < sizeof order / sizeof *order; o++)
        for (size_t k = 0; k < p->n_series; k++) {
            const chart_series *s = &p->series[k];
            if (s->kind != order[o]) continue;
            cairo_new_path(cr);
            if (s->kind == CHART_BARS) draw_bars(cr, s, &xa, &ya);
            else if (s->kind == CHART_LINE) draw_line(cr, s, &xa, &ya);
            else if (s->kind == CHART_SCATTER) draw_scatter(cr, s, &xa, &ya);
            else draw_vline(cr, s, &xa, &ya, s->text ? vrow++ : 0);
        }
    cairo_restore(cr);

    /* Axes: left and bottom spines, outward ticks, minor ticks on log axes. */
    cd_rgb(cr, CD_AXIS_RGB, 1);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, px0, py0);
    cairo_line_to(cr, px0, py1);
    cairo_line_to(cr, px1, py1);
    cairo_stroke(cr);
    cd_font(cr, FS_TICK, 0);
    for (int i = 0; i < xa.nt; i++) {
        double x = ax_map(&xa, xa.ticks[i]);
        cairo_move_to(cr, x, py1);
        cairo_line_to(cr, x, py1 + TICK_LEN);
        cairo_stroke(cr);
        tick_text(&xa, xa.ticks[i], buf, sizeof buf);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        draw_label(cr, x, py1 + TICK_LEN + 3, buf, 0.5, 0);
        cd_rgb(cr, CD_AXIS_RGB, 1);
    }
    for (int i = 0; i < ya.nt; i++) {
        double y = ax_map(&ya, ya.ticks[i]);
        cairo_move_to(cr, px0, y);
        cairo_line_to(cr, px0 - TICK_LEN, y);
        cairo_stroke(cr);
        tick_text(&ya, ya.ticks[i], buf, sizeof buf);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        draw_label(cr, px0 - TICK_LEN - 3, y, buf, 1, 0.5);
        cd_rgb(cr, CD_AXIS_RGB, 1);
    }
    for (int a = 0; a < 2; a++) {
        const axis *ax = a ? &ya : &xa;
        if (!ax->log || ax->step > 1) continue;
        if (log10(ax->hi / ax->lo) > 8) continue;
        cairo_set_line_width(cr, 0.6);
        for (int d = (int)floor(log10(ax->lo)); d <= (int)ceil(log10(ax->hi)); d++)
            for (int m = 2; m <= 9; m++) {
                double v = m * pow(10, d);
                if (v < ax->lo || v > ax->hi) continue;
                double t = ax_map(ax, v);
                if (a) { cairo_move_to(cr, px0, t); cairo_line_to(cr, px0 - TICK_LEN * 0.6, t); }
                else { cairo_move_to(cr, t, py1); cairo_line_to(cr, t, py1 + TICK_LEN * 0.6); }
            }
        cairo_stroke(cr);
    }

    cd_rgb(cr, CD_TEXT_RGB, 1);
    cd_font(cr, FS_LABEL, 0);
    if (p->xlabel) cd_text(cr, (px0 + px1) / 2, r.y + r.h - 4, p->xlabel, 0.5, 1);
    if (p->ylabel) cd_text_vertical(cr, r.x + FS_LABEL * 0.6, (py0 + py1) / 2, p->ylabel);
    if (p->title) {
        cd_font(cr, FS_PTITLE, 1);
        cd_text(cr, (px0 + px1) / 2, r.y + FS_PTITLE * 1.25, p->title, 0.5, 1);
    }

    if (nitems) {
        double lx, ly, inset = 8;
        if (p->legend == GAT_LEGEND_OUTSIDE) {
            lx = px1 + 12;
            ly = py0;
        } else {
            double cx[4] = {px1 - inset - lw, px0 + inset, px0 + inset, px1 - inset - lw};
            double cy[4] = {py0 + inset, py0 + inset, py1 - inset - lh, py1 - inset - lh};
            int pick = 0;
            if (p->legend != GAT_LEGEND_BEST) {
                pick = p->legend - GAT_LEGEND_UPPER_RIGHT;
            } else {
                size_t best = (size_t)-1;
                for (int c = 0; c < 4; c++) {
                    size_t n = points_in_box(p, &xa, &ya, cx[c] - 3, cy[c] - 3, cx[c] + lw + 3, cy[c] + lh + 3);
                    if (n < best) { best = n; pick = c; }
                }
            }
            lx = cx[pick];
            ly = cy[pick];
        }
        cd_legend_draw(cr, lx, ly, items, nitems, FS_LEGEND);
    }
}

void chart_draw_figure(cairo_t *cr, void *ctx) {
    const gat_figure *f = ctx;
    double y = 10;
    if (f->title) {
        cd_font(cr, FS_TITLE, 1);
        cd_rgb(cr, CD_TEXT_RGB, 1);
        cd_text(cr, f->width / 2, y + FS_TITLE, f->title, 0.5, 1);
        y += FS_TITLE * 1.5;
    }
    if (f->subtitle) {
        cd_font(cr, FS_SUB, 0);
        cd_rgb(cr, 0x666666, 1);
        cd_text(cr, f->width / 2, y + FS_SUB + 2, f->subtitle, 0.5, 1);
        y += FS_SUB * 1.7;
    }
    if (f->title || f->subtitle) y += 6;
    double x0 = 8, w = f->width - 16, h = f->height - y - 6;
    double cw = w / f->cols, ch = h / f->rows;
    for (int i = 0; i < f->n_panels; i++) {
        const gat_panel *p = &f->panels[i];
        rect r = {x0 + p->col * cw + 4, y + p->row * ch + 2, p->colspan * cw - 8, p->rowspan * ch - 8};
        draw_panel(cr, p, r);
    }
}

int gat_figure_save_png(const gat_figure *fig, const char *path, double scale, gat_error *err) {
    return cd_render_file(path, 0, fig->width, fig->height, scale, chart_draw_figure, (void *)fig, err);
}

int gat_figure_save_svg(const gat_figure *fig, const char *path, gat_error *err) {
    return cd_render_file(path, 1, fig->width, fig->height, 1, chart_draw_figure, (void *)fig, err);
}

int gat_figure_save(const gat_figure *fig, const char *path, double scale, gat_error *err) {
    int fmt = cd_format_of(path);
    if (fmt < 0) return gat_error_set(err, GAT_EINVAL, "%s: unknown picture format (use .png or .svg)", path);
    return fmt ? gat_figure_save_svg(fig, path, err) : gat_figure_save_png(fig, path, scale, err);
}
