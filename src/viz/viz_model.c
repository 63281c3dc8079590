/* viz_model.c - entropy histograms of attention and t-SNE scatter plots (see viz_model.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/chart.h"
#include "gat/dataset.h"
#include "gat/viz_model.h"
#include "viz_internal.h"

int gat_viz_entropy(const gat_inspection *ins, const char *dataset_name, int layer, int bins,
                    const gat_viz_options *opt, const char *stem, gat_viz_result *res, gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (layer < 0 || layer >= ins->n_layers)
        return gat_error_set(err, GAT_EINVAL, "--layer %d: out of range, the model has %d layers (0..%d)", layer,
                             ins->n_layers, ins->n_layers - 1);
    if (bins == 0) bins = 30;
    if (bins < 1 || bins > 1000) return gat_error_set(err, GAT_EINVAL, "--bins %d: not in 1..1000", bins);
    const int64_t n = ins->n_nodes, heads = ins->heads[layer];
    int cols = heads <= 1 ? 1 : heads <= 4 ? (int)heads : heads <= 9 ? (int)((heads + 1) / 2) : 4;
    int64_t shown = heads > 16 ? 16 : heads;
    int rows = (int)((shown + cols - 1) / cols);
    /* h: each shown head's per-node entropies, computed once for the range and the panels */
    double *h = malloc((size_t)(shown * n) * sizeof *h), *u = malloc((size_t)n * sizeof *u);
    gat_figure *fig = NULL;
    if (!h || !u) {
        rc = gat_error_set(err, GAT_ENOMEM, "entropy histograms: out of memory");
        goto done;
    }
    double pw = heads == 1 ? 760 : 330, ph = heads == 1 ? 460 : 260;
    if ((rc = gat_figure_new(&fig, rows, cols, pw * cols, ph * rows + 70, err))) goto done;
    /* one range for every panel of the figure, so panels compare */
    gat_attention_entropy(ins, layer, GAT_HEAD_MEAN, NULL, u);
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < n; i++) { lo = fmin(lo, u[i]); hi = fmax(hi, u[i]); }
    for (int64_t hd = 0; hd < shown; hd++) {
        double *hh = h + hd * n;
        gat_attention_entropy(ins, layer, (int)hd, hh, NULL);
        for (int64_t i = 0; i < n; i++) { lo = fmin(lo, hh[i]); hi = fmax(hi, hh[i]); }
    }
    lo = fmin(lo, 0);
    if (!(hi > lo)) hi = lo + 1;
    /* Uniform entropies are exactly log2(k); shift the bin edges by a third of a bin so
     * that a learned entropy a hair below log2(k) does not land in the bin below. */
    double w0 = (hi - lo) / bins;
    lo -= w0 / 3;
    hi += w0 * 2 / 3;
    double worst = 0;
    for (int64_t hd = 0; hd < shown; hd++) {
        const double *hh = h + hd * n;
        double gap = 0, mh = 0, mu = 0;
        for (int64_t i = 0; i < n; i++) {
            gap += fabs(hh[i] - u[i]);
            mh += hh[i];
            mu += u[i];
        }
        gap /= (double)n;
        mh /= (double)n;
        mu /= (double)n;
        worst = fmax(worst, gap);
        gat_panel *p = gat_figure_panel(fig, (int)(hd / cols), (int)(hd % cols), 1, 1);
        char title[160];
        snprintf(title, sizeof title, "head %lld: mean %.3f bits (uniform %.3f)", (long long)hd, mh, mu);
        int last_row = hd + cols >= shown, first_col = hd % cols == 0;   /* nothing below it */
        gat_panel_labels(p, title, last_row ? "entropy (bits)" : NULL, first_col ? "number of nodes" : NULL);
        /* uniform as light filled bars, learned as an unfilled outline on top: nothing is
         * blended, so where the two coincide (Cora) the outline traces the tops of the
         * bars, and where they differ the outline leaves them, both readable */
        gat_style su = {.label = hd == 0 ? "uniform attention (bars)" : NULL, .color = 1, .alpha = 0.35};
        gat_style so = {.label = hd == 0 ? "learned attention (outline)" : NULL, .color = 0, .width = 1.6};
        if ((rc = gat_panel_hist(p, u, (size_t)n, lo, hi, bins, GAT_HIST_BARS, &su, err))) goto done;
        if ((rc = gat_panel_hist(p, hh, (size_t)n, lo, hi, bins, GAT_HIST_STEP, &so, err))) goto done;
        gat_panel_legend(p, hd == 0 ? GAT_LEGEND_UPPER_RIGHT : GAT_LEGEND_NONE);
        gat_panel_xlim(p, lo, hi);
    }
    char title[256], sub[320], dname[64];
    gat_display_dataset_name(dataset_name, dname, sizeof dname);
    snprintf(title, sizeof title, "%s: entropy of attention, layer %d (%lld head%s)", dname,
             layer, (long long)heads, heads == 1 ? "" : "s");
    snprintf(sub, sizeof sub, "each node's attention over its neighbourhood (self loop included); %lld nodes, %d bins; "
             "mean |learned - uniform| %s %.4f bits%s",
             (long long)n, bins, heads > 1 ? "\xe2\x89\xa4" : "=", worst, heads > shown ? "; first 16 heads" : "");
    gat_figure_title(fig, title);
    gat_figure_subtitle(fig, sub);
    rc = viz_render_both(stem, pw * cols, ph * rows + 70, opt, chart_draw_figure, fig, res, err);
done:
    gat_figure_free(fig);
    free(h);
    free(u);
    return rc;
}

int gat_viz_embeddings(const float *y, int64_t n, const gat_graph_input *info, const char *title,
                       const char *subtitle, const gat_viz_options *opt, const char *stem, gat_viz_result *res,
                       gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (n < 1) return gat_error_set(err, GAT_EINVAL, "embedding picture: no points");
    double *x = malloc((size_t)n * sizeof *x), *yy = malloc((size_t)n * sizeof *yy);
    int64_t *cls = NULL;
    gat_figure *fig = NULL;
    if (!x || !yy) {
        rc = gat_error_set(err, GAT_ENOMEM, "embedding picture: out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        x[i] = y[2 * i];
        yy[i] = y[2 * i + 1];
    }
    const int64_t nc = info && info->labels ? info->n_classes : 0;
    const double W = 760 + (nc ? 190 : 0), H = 700;
    if ((rc = gat_figure_new(&fig, 1, 1, W, H, err))) goto done;
    gat_panel *p = gat_figure_panel(fig, 0, 0, 1, 1);
    gat_panel_labels(p, NULL, "t-SNE 1", "t-SNE 2");
    gat_panel_grid(p, 0);
    gat_style s = {.color = -1, .rgb = gat_palette_rgb(GAT_PALETTE_SIZE - 1), .size = 4.2, .alpha = 0.8};
    if (nc) {
        cls = malloc((size_t)n * sizeof *cls);
        if (!cls) {
            rc = gat_error_set(err, GAT_ENOMEM, "embedding picture: out of memory");
            goto done;
        }
        int64_t *count = calloc((size_t)nc + 1, sizeof *count), none = 0;
        if (!count) {
            rc = gat_error_set(err, GAT_ENOMEM, "embedding picture: out of memory");
            goto done;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t c = info->labels[i];
            cls[i] = c >= 0 && c < nc ? c % GAT_PALETTE_SIZE : -1;
            if (c >= 0 && c < nc) count[c]++;
            else none++;
        }
        for (int64_t c = 0; c < nc && !rc; c++) {
            char name[128], cname[96];
            gat_display_class_name(info->class_names ? info->class_names[c] : NULL, cname, sizeof cname);
            if (info->class_names) snprintf(name, sizeof name, "%s (%lld)", cname, (long long)count[c]);
            else snprintf(name, sizeof name, "class %lld (%lld)", (long long)c, (long long)count[c]);
            rc = gat_panel_legend_entry(p, name, (int)(c % GAT_PALETTE_SIZE), err);
        }
        if (!rc && none) {   /* unlabelled nodes, in the style's grey */
            char name[64];
            snprintf(name, sizeof name, "no label (%lld)", (long long)none);
            rc = gat_panel_legend_entry(p, name, GAT_PALETTE_SIZE - 1, err);
        }
        free(count);
        if (rc) goto done;
        gat_panel_legend(p, GAT_LEGEND_OUTSIDE);
    } else {
        gat_panel_legend(p, GAT_LEGEND_NONE);
    }
    if ((rc = gat_panel_scatter(p, x, yy, cls, (size_t)n, &s, err))) goto done;
    gat_figure_title(fig, title ? title : "t-SNE");
    if (subtitle) gat_figure_subtitle(fig, subtitle);
    rc = viz_render_both(stem, W, H, opt, chart_draw_figure, fig, res, err);
done:
    gat_figure_free(fig);
    free(x);
    free(yy);
    free(cls);
    return rc;
}
