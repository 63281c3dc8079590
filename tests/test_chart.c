/* test_chart.c - every chart kind writes a valid PNG of the expected size and a
 * well-formed SVG; ticks follow 1-2-5 steps; bad arguments are clear errors. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "gat/chart.h"
#include "gat/fileio.h"
#include "picture_check.h"

static const char *tmp;

static void save_both(gat_figure *fig, const char *name, double w, double h) {
    char path[4096];
    gat_error err = {0};
    snprintf(path, sizeof path, "%s/%s.png", tmp, name);
    CHECK_EQ_INT(gat_figure_save(fig, path, 2.0, &err), GAT_OK);
    CHECK_PNG(path, (uint32_t)ceil(w * 2), (uint32_t)ceil(h * 2));
    snprintf(path, sizeof path, "%s/%s.svg", tmp, name);
    CHECK_EQ_INT(gat_figure_save(fig, path, 1.0, &err), GAT_OK);
    CHECK_SVG(path);
}

static void test_ticks(void) {
    double t[40], step;
    int n = gat_nice_ticks(0, 10, 5, 0, t, 40, &step);
    CHECK_EQ_INT(n, 6);
    CHECK_NEAR(step, 2, 1e-12);
    CHECK_NEAR(t[0], 0, 1e-12);
    CHECK_NEAR(t[5], 10, 1e-12);
    n = gat_nice_ticks(0.13, 0.87, 4, 0, t, 40, &step);
    CHECK_NEAR(step, 0.2, 1e-12);
    CHECK_NEAR(t[0], 0.2, 1e-12);
    CHECK_EQ_INT(n, 4);
    n = gat_nice_ticks(-7, 1234, 6, 0, t, 40, &step);
    CHECK_NEAR(step, 200, 1e-9);
    CHECK_NEAR(t[0], 0, 1e-9);
    n = gat_nice_ticks(0.5, 2000, 6, 1, t, 40, &step);
    CHECK_EQ_INT(n, 4);               /* 1, 10, 100, 1000 */
    CHECK_NEAR(t[3], 1000, 1e-9);
    n = gat_nice_ticks(3, 40, 6, 1, t, 40, &step);
    CHECK_EQ_INT(n, 3);               /* one decade inside: 1-2-5 multiples 5, 10, 20 */
    CHECK_NEAR(t[0], 5, 1e-9);
    CHECK_EQ_INT(gat_nice_ticks(1, 1, 5, 0, t, 40, &step), 0);
    char buf[32];
    gat_tick_label(0.30000000000000004, 0.1, buf, sizeof buf);
    CHECK(!strcmp(buf, "0.3"));
    gat_tick_label(2500, 500, buf, sizeof buf);
    CHECK(!strcmp(buf, "2500"));
    gat_tick_label(0.025, 0.005, buf, sizeof buf);
    CHECK(!strcmp(buf, "0.025"));
}

int main(void) {
    tmp = check_tmpdir("chart");
    gat_error err = {0};
    test_ticks();

    enum { N = 200 };
    double x[N], y1[N], y2[N], v[4 * N], w[4 * N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        y1[i] = 1.9 * exp(-i / 40.0) + 0.05 * sin(i);
        y2[i] = 2.0 * exp(-i / 60.0) + 0.2;
    }
    for (int i = 0; i < 4 * N; i++) {
        v[i] = 3 + 2 * sin(i * 0.7) * cos(i * 0.13);
        w[i] = 4.5 + 1.2 * cos(i * 1.3);
    }

    /* Lines with a legend, a vertical marker, dashed series. */
    gat_figure *fig;
    CHECK_EQ_INT(gat_figure_new(&fig, 1, 1, 560, 360, &err), GAT_OK);
    gat_figure_title(fig, "Training curves");
    gat_panel *p = gat_figure_panel(fig, 0, 0, 1, 1);
    CHECK(p != NULL);
    gat_panel_labels(p, "Cross-entropy loss", "epoch", "loss");
    gat_style s1 = {.label = "train", .color = 0}, s2 = {.label = "validation", .color = 1, .dashed = 1};
    CHECK_EQ_INT(gat_panel_line(p, x, y1, N, &s1, &err), GAT_OK);
    CHECK_EQ_INT(gat_panel_line(p, x, y2, N, &s2, &err), GAT_OK);
    gat_style sv = {.label = "best epoch"};
    CHECK_EQ_INT(gat_panel_vline(p, 120, "best: epoch 120", &sv, &err), GAT_OK);
    save_both(fig, "lines", 560, 360);
    gat_figure_free(fig);

    /* Overlaid bar histograms with alpha, a step histogram, log axes, scatter by class. */
    CHECK_EQ_INT(gat_figure_new(&fig, 2, 2, 800, 600, &err), GAT_OK);
    gat_figure_title(fig, "Every chart kind");
    gat_figure_subtitle(fig, "bars, steps, log-log, scatter");
    p = gat_figure_panel(fig, 0, 0, 1, 1);
    gat_panel_labels(p, "Entropy histogram", "entropy (bits)", "# nodes");
    gat_style h1 = {.label = "learned", .color = 0}, h2 = {.label = "uniform", .color = 1};
    CHECK_EQ_INT(gat_panel_hist(p, v, 4 * N, 0, 8, 30, GAT_HIST_BARS, &h1, &err), GAT_OK);
    CHECK_EQ_INT(gat_panel_hist(p, w, 4 * N, 0, 8, 30, GAT_HIST_BARS, &h2, &err), GAT_OK);
    p = gat_figure_panel(fig, 0, 1, 1, 1);
    gat_panel_labels(p, "Step histogram", "value", "count");
    CHECK_EQ_INT(gat_panel_hist(p, v, 4 * N, 0, 0, 25, GAT_HIST_STEP, &h1, &err), GAT_OK);
    p = gat_figure_panel(fig, 1, 0, 1, 1);
    gat_panel_labels(p, "Power law", "degree", "# nodes");
    gat_panel_log(p, 1, 1);
    double px[60], py[60];
    for (int i = 0; i < 60; i++) { px[i] = i + 1; py[i] = 3000 * pow(i + 1, -2.1); }
    py[7] = 0;   /* skipped on a log axis */
    gat_style sm = {.label = "Cora", .color = 2, .markers = 1};
    CHECK_EQ_INT(gat_panel_line(p, px, py, 60, &sm, &err), GAT_OK);
    p = gat_figure_panel(fig, 1, 1, 1, 1);
    gat_panel_labels(p, "t-SNE", "dimension 1", "dimension 2");
    double sx[300], sy[300];
    int64_t cls[300];
    for (int i = 0; i < 300; i++) {
        cls[i] = i % 3;
        sx[i] = 10 * cls[i] + 3 * sin(i * 1.7);
        sy[i] = 5 * (cls[i] == 1) + 3 * cos(i * 2.3);
    }
    gat_style ss = {.size = 5};
    CHECK_EQ_INT(gat_panel_scatter(p, sx, sy, cls, 300, &ss, &err), GAT_OK);
    const char *names[3] = {"Theory", "Neural_Networks", "Case_Based"};
    for (int c = 0; c < 3; c++) CHECK_EQ_INT(gat_panel_legend_entry(p, names[c], c, &err), GAT_OK);
    gat_panel_legend(p, GAT_LEGEND_OUTSIDE);
    save_both(fig, "kinds", 800, 600);

    /* Errors: bad extension, missing folder, panel outside the grid, bad figure size. */
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_figure_save(fig, "/tmp/x.jpg", 1, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "x.jpg") != NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/no/such/dir/a.png", tmp);
    CHECK_EQ_INT(gat_figure_save(fig, path, 1, &err), GAT_EIO);
    CHECK(!gat_path_exists(path));
    CHECK(gat_figure_panel(fig, 2, 0, 1, 1) == NULL);
    CHECK_EQ_INT(gat_figure_save_png(fig, "/tmp/never.png", 1000, &err), GAT_EINVAL);
    gat_figure_free(fig);
    gat_figure *bad = (gat_figure *)1;
    CHECK_EQ_INT(gat_figure_new(&bad, 0, 1, 100, 100, &err), GAT_EINVAL);
    CHECK(bad == NULL);
    CHECK_EQ_INT(gat_figure_new(&bad, 1, 1, 1, 100, &err), GAT_EINVAL);
    gat_figure_free(NULL);

    /* A categorical x axis: grouped bars over named ticks; labels replaced, too many refused. */
    {
        gat_figure *cf;
        CHECK_EQ_INT(gat_figure_new(&cf, 1, 1, 400, 300, &err), GAT_OK);
        gat_panel *cp = gat_figure_panel(cf, 0, 0, 1, 1);
        const char *first[] = {"a", "b"}, *names[] = {"forward", "backward", "attention"};
        CHECK_EQ_INT(gat_panel_xcategories(cp, first, 2, &err), GAT_OK);
        CHECK_EQ_INT(gat_panel_xcategories(cp, names, 3, &err), GAT_OK);
        gat_panel_log(cp, 0, 1);
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 2; k++) {
                gat_style st = {.label = c == 0 ? (k ? "two" : "one") : NULL, .color = k};
                double e[2] = {c - 0.4 + 0.4 * k, c + 0.4 * k}, hgt[1] = {pow(10, c + k)};
                CHECK_EQ_INT(gat_panel_bars(cp, e, hgt, 1, GAT_HIST_BARS, &st, &err), GAT_OK);
            }
        char cpath[4200];
        snprintf(cpath, sizeof cpath, "%s/categories.png", tmp);
        CHECK_EQ_INT(gat_figure_save(cf, cpath, 1, &err), GAT_OK);
        snprintf(cpath, sizeof cpath, "%s/categories.svg", tmp);
        CHECK_EQ_INT(gat_figure_save(cf, cpath, 1, &err), GAT_OK);
        const char *many[33];
        for (int i = 0; i < 33; i++) many[i] = "x";
        CHECK_EQ_INT(gat_panel_xcategories(cp, many, 33, &err), GAT_EINVAL);
        CHECK_EQ_INT(gat_panel_xcategories(cp, NULL, 0, &err), GAT_OK); /* back to numbers */
        CHECK_EQ_INT(gat_figure_save(cf, cpath, 1, &err), GAT_OK);
        gat_figure_free(cf);
    }
    gat_chart_shutdown();
    return check_summary();
}
