/* plot_runs.c - training curves of runs (see plot_runs.h). */
#include "gat/plot_runs.h"
#include "gat/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/json.h"

#define MAX_RUNS 10

/* The score a run was trained on: multi-label runs (PPI) log micro-F1 where single-label
 * runs log accuracy. Returns the column suffix ("acc" or "micro_f1"). */
static const char *score_key(const gat_metrics_csv *m) {
    return gat_metrics_csv_column(m, "val_micro_f1") || gat_metrics_csv_column(m, "training_micro_f1") ? "micro_f1"
                                                                                                           : "acc";
}

void gat_run_best_epoch(const gat_metrics_csv *m, int64_t *epoch, double *val_acc, double *val_loss) {
    char col[32];
    snprintf(col, sizeof col, "val_%s", score_key(m));
    const double *ep = gat_metrics_csv_column(m, "epoch"), *acc = gat_metrics_csv_column(m, col),
                 *loss = gat_metrics_csv_column(m, "val_loss");
    *epoch = -1;
    *val_acc = *val_loss = NAN;
    if (!ep || !acc) return;
    for (size_t r = 0; r < m->n_rows; r++) {
        if (!isfinite(acc[r])) continue;
        double l = loss ? loss[r] : NAN;
        if (*epoch < 0 || acc[r] > *val_acc || (acc[r] == *val_acc && l < *val_loss)) {
            *epoch = (int64_t)ep[r];
            *val_acc = acc[r];
            *val_loss = l;
        }
    }
}

/* The run's folder name (the last path component, a trailing '/' ignored). */
static void folder_name(const char *run, char *out, size_t size) {
    size_t n = strlen(run);
    while (n > 1 && run[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && run[b - 1] != '/') b--;
    snprintf(out, size, "%.*s", (int)(n - b), run + b);
}

/* The "config" object of the run's config.json in *j (zeroed and 0 returned when there is
 * none or it does not parse: the run is then named by its folder). */
static const gat_json *read_config(const char *run, gat_json *j) {
    char path[4200], *text;
    size_t len;
    gat_error err = {0};
    memset(j, 0, sizeof *j);
    snprintf(path, sizeof path, "%s/config.json", run);
    if (gat_read_file(path, &text, &len, &err)) return NULL;
    int rc = gat_json_parse(text, len, path, j, &err);
    free(text);
    if (rc) return NULL;
    const gat_json *c = gat_json_get(j, "config");
    return c && c->type == GAT_JSON_OBJECT ? c : NULL;
}

/* A config value as a label shows it: 0.005, true, 8,1, cora. */
static void value_text(const gat_json *v, char *out, size_t size) {
    size_t l = 0;
    out[0] = 0;
    if (!v) snprintf(out, size, "-");
    else if (v->type == GAT_JSON_NUMBER) snprintf(out, size, "%.6g", v->number);
    else if (v->type == GAT_JSON_BOOL) snprintf(out, size, "%s", v->boolean ? "true" : "false");
    else if (v->type == GAT_JSON_STRING) snprintf(out, size, "%s", v->string);
    else if (v->type == GAT_JSON_ARRAY)
        for (size_t i = 0; i < v->n && l < size; i++) {
            char item[64];
            value_text(&v->items[i], item, sizeof item);
            l += (size_t)snprintf(out + l, size - l, "%s%s", i ? "," : "", item);
        }
    else snprintf(out, size, "null");
}

/* Settings that do not change what a run computes (or follow from another one), left out
 * of the labels: the same seed gives the same bits on any thread count. */
static int label_ignores(const char *key) {
    static const char *const keys[] = {"dataset_path", "threads", "num_input_features", "console_log_freq",
                                       "checkpoint_freq", "models_dir", "model_path", "enable_tensorboard",
                                       "should_test", "should_visualize", "plot", "logdir", "quiet"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(key, keys[i])) return 1;
    return 0;
}

/* Each run's legend label: the --label given; else, for several runs, the settings of
 * config.json that differ between them ("lr=0.01, seed=2"; the dataset by its name); else
 * (one run) "<Dataset>, seed <N>"; else the folder's name. Labels that would still be equal
 * get their folder's name added. */
void gat_plot_run_labels(const char *const *runs, int n_runs, const gat_plot_options *opt, char labels[][256]) {
    gat_plot_options none = {0};
    const gat_plot_options *o = opt ? opt : &none;
    if (n_runs < 1) return;
    if (n_runs > MAX_RUNS) n_runs = MAX_RUNS;
    gat_json j[MAX_RUNS];
    const gat_json *c[MAX_RUNS];
    int with_config = 0;
    for (int r = 0; r < n_runs; r++) {
        folder_name(runs[r], labels[r], 256);
        c[r] = read_config(runs[r], &j[r]);
        with_config += c[r] != NULL;
    }
    if (n_runs == 1 && c[0]) {
        const gat_json *ds = gat_json_get(c[0], "dataset_name"), *seed = gat_json_get(c[0], "seed");
        if (ds && ds->type == GAT_JSON_STRING && seed && seed->type == GAT_JSON_NUMBER) {
            char dname[64];
            gat_display_dataset_name(ds->string, dname, sizeof dname);
            snprintf(labels[0], 256, "%s, seed %.0f", dname, seed->number);
        }
    } else if (with_config > 1) {
        /* the keys of every run's config, in the order they first appear */
        for (int r = 0; r < n_runs; r++) {
            if (!c[r]) continue;
            size_t len = 0;
            char text[256] = "";
            for (int q = 0; q < n_runs; q++) {
                if (!c[q]) continue;
                for (size_t k = 0; k < c[q]->n; k++) {
                    const char *key = c[q]->keys[k];
                    int seen = 0; /* listed already by an earlier run's config */
                    for (int p = 0; p < q && !seen; p++) seen = c[p] && gat_json_get(c[p], key) != NULL;
                    if (seen || label_ignores(key)) continue;
                    char mine[96], other[96];
                    value_text(gat_json_get(c[r], key), mine, sizeof mine);
                    int differs = 0;
                    for (int p = 0; p < n_runs && !differs; p++) {
                        if (!c[p]) continue;
                        value_text(gat_json_get(c[p], key), other, sizeof other);
                        differs = strcmp(mine, other) != 0;
                    }
                    if (!differs || len >= sizeof text) continue;
                    if (!strcmp(key, "dataset_name")) {
                        char dname[64];
                        gat_display_dataset_name(mine, dname, sizeof dname);
                        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", len ? ", " : "", dname);
                    } else {
                        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s=%s", len ? ", " : "", key, mine);
                    }
                }
            }
            if (len) snprintf(labels[r], 256, "%s", text);
        }
    }
    for (int r = 0; r < n_runs; r++) gat_json_free(&j[r]);
    for (int r = 0; r < n_runs && o->labels; r++)
        if (r < o->n_labels && o->labels[r] && o->labels[r][0]) snprintf(labels[r], 256, "%s", o->labels[r]);
    /* still equal: tell them apart by folder */
    int dup[MAX_RUNS] = {0};
    for (int r = 0; r < n_runs; r++)
        for (int q = 0; q < n_runs; q++)
            if (q != r && !strcmp(labels[r], labels[q])) dup[r] = 1;
    for (int r = 0; r < n_runs; r++) {
        if (!dup[r]) continue;
        char folder[256], both[256];
        folder_name(runs[r], folder, sizeof folder);
        if (strcmp(folder, labels[r])) {
            snprintf(both, sizeof both, "%.120s (%.120s)", labels[r], folder);
            snprintf(labels[r], 256, "%s", both);
        }
    }
}

/* The test accuracy in the run's results.json (gat train writes it there), NaN when absent. */
static double results_test_score(const char *run, const char *key) {
    char path[4200], *text;
    size_t len;
    gat_error err = {0};
    double t = NAN;
    snprintf(path, sizeof path, "%s/results.json", run);
    if (gat_read_file(path, &text, &len, &err)) return t;
    gat_json j;
    if (gat_json_parse(text, len, path, &j, &err) == GAT_OK) {
        const gat_json *v = gat_json_get(gat_json_get(&j, "results"), key);
        if (v && v->type == GAT_JSON_NUMBER) t = v->number;
        gat_json_free(&j);
    }
    free(text);
    return t;
}

/* y smoothed as TensorBoard does: debiased exponential moving average. */
static void smooth(double *out, const double *y, size_t n, double w) {
    double last = 0, weight = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i])) { out[i] = NAN; continue; }
        last = last * w + (1 - w) * y[i];
        weight = weight * w + (1 - w);
        out[i] = last / weight;
    }
}

/* One series: raw (faint, behind) when smoothing, then the curve itself. */
static int add_curve(gat_panel *p, const double *x, const double *y, size_t n, const char *label, int color, int dashed,
                     double w, double *tmp, gat_error *err) {
    gat_style s = {.label = label, .color = color, .dashed = dashed, .width = dashed ? 1.2 : 1.8};
    if (w > 0) {
        gat_style raw = {.color = color, .alpha = 0.18, .width = 1.0, .dashed = dashed};
        int rc = gat_panel_line(p, x, y, n, &raw, err);
        if (rc) return rc;
        smooth(tmp, y, n, w);
        return gat_panel_line(p, x, tmp, n, &s, err);
    }
    return gat_panel_line(p, x, y, n, &s, err);
}

int gat_plot_runs(const char *const *runs, int n_runs, const char *out_stem, const gat_plot_options *opt,
                  char files[2][1024], int *n_files, gat_error *err) {
    gat_plot_options o = {0};
    if (opt) o = *opt;
    *n_files = 0;
    if (n_runs < 1 || n_runs > MAX_RUNS) return gat_error_set(err, GAT_EINVAL, "gat plot: give 1 to %d run folders", MAX_RUNS);
    if (!(o.smooth >= 0 && o.smooth < 1)) return gat_error_set(err, GAT_EINVAL, "--smooth: %g is not in [0, 1)", o.smooth);
    if (o.no_png && o.no_svg) return gat_error_set(err, GAT_EINVAL, "--format: nothing to write");
    gat_metrics_csv m[MAX_RUNS];
    memset(m, 0, sizeof m);
    gat_figure *fig = NULL;
    double *tmp = NULL;
    int rc = GAT_OK;
    for (int r = 0; r < n_runs; r++) {
        if ((rc = gat_metrics_csv_read(runs[r], &m[r], err))) goto done;
        if (!gat_metrics_csv_column(&m[r], "epoch") || m[r].n_rows == 0) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: metrics.csv has no epochs yet", runs[r]);
            goto done;
        }
    }
    if ((rc = gat_figure_new(&fig, 1, 2, 960, 400, err))) goto done;
    gat_panel *pl = gat_figure_panel(fig, 0, 0, 1, 1), *pa = gat_figure_panel(fig, 0, 1, 1, 1);
    /* the score panel says what the runs were scored by: accuracy, micro-F1 (multi-label), or both */
    int n_f1 = 0;
    for (int r = 0; r < n_runs; r++) n_f1 += strcmp(score_key(&m[r]), "micro_f1") == 0;
    const char *score_title = n_f1 == 0 ? "Accuracy" : n_f1 == n_runs ? "Micro-F1" : "Accuracy / micro-F1";
    gat_panel_labels(pl, "Loss", "epoch",
                     n_f1 == 0 ? "cross-entropy loss" : n_f1 == n_runs ? "binary cross-entropy loss" : "loss");
    gat_panel_labels(pa, score_title, "epoch", n_f1 == 0 ? "accuracy" : n_f1 == n_runs ? "micro-F1" : "score");
    gat_panel_log(pl, o.logx, 0);
    gat_panel_log(pa, o.logx, 0);
    gat_panel_legend(pa, GAT_LEGEND_LOWER_RIGHT);
    gat_panel_legend(pl, GAT_LEGEND_UPPER_RIGHT);
    char title[512], sub[512] = "";
    snprintf(title, sizeof title, "Training curves of %d runs", n_runs);
    size_t sl = 0;
    char labels[MAX_RUNS][256];
    gat_plot_run_labels(runs, n_runs, &o, labels);
    for (int r = 0; r < n_runs; r++) {
        char name[300];
        const char *label = labels[r];
        const size_t n = m[r].n_rows;
        free(tmp);
        tmp = malloc((n + 1) * sizeof *tmp);
        if (!tmp) { rc = gat_error_set(err, GAT_ENOMEM, "out of memory"); goto done; }
        const double *ep = gat_metrics_csv_column(&m[r], "epoch");
        const char *key = score_key(&m[r]), *score_name = strcmp(key, "acc") ? "micro-F1" : "acc";
        char val_col[32], train_col[32], test_col[32];
        snprintf(val_col, sizeof val_col, "val_%s", key);
        snprintf(train_col, sizeof train_col, "training_%s", key);
        snprintf(test_col, sizeof test_col, "test_%s", key);
        const char *cols[4] = {"val_loss", "training_loss", val_col, train_col};
        for (int k = 0; k < 4; k++) {
            const double *y = gat_metrics_csv_column(&m[r], cols[k]);
            if (!y) continue;
            snprintf(name, sizeof name, "%s", k % 2 ? "training" : "validation");
            if (n_runs > 1) snprintf(name, sizeof name, "%s (%s)", label, k % 2 ? "train" : "val");
            /* one run: validation and training in two colours; several: a colour per run */
            int color = n_runs == 1 ? k % 2 : r;
            if ((rc = add_curve(k < 2 ? pl : pa, ep, y, n, name, color, k % 2, o.smooth, tmp, err))) goto done;
        }
        int64_t best;
        double acc, loss;
        gat_run_best_epoch(&m[r], &best, &acc, &loss);
        const double *test = gat_metrics_csv_column(&m[r], test_col);
        double t = results_test_score(runs[r], test_col);
        /* runs written before results.json carried it in a last metrics.csv row */
        for (size_t i = 0; test && !isfinite(t) && i < n; i++)
            if (isfinite(test[i])) t = test[i];
        if (best >= 0) {
            /* the best epoch as a dashed marker in both panels, named in the accuracy legend */
            char text[400];
            snprintf(text, sizeof text, "%s%sbest val %s %.3f @ epoch %lld", n_runs > 1 ? label : "",
                     n_runs > 1 ? ": " : "", score_name, acc, (long long)best);
            gat_style vs = {.color = -1, .rgb = gat_palette_rgb(r), .alpha = 0.8};
            if ((rc = gat_panel_vline(pa, (double)best, NULL, &vs, err))) goto done;
            double bx = (double)best, by = acc;
            gat_style dot = {.label = text, .color = r, .size = 7, .alpha = 1};
            if ((rc = gat_panel_scatter(pa, &bx, &by, NULL, 1, &dot, err))) goto done;
            gat_style vl = {.color = -1, .rgb = gat_palette_rgb(r), .alpha = 0.5};
            if ((rc = gat_panel_vline(pl, (double)best, NULL, &vl, err))) goto done;
        }
        /* one run: the title names it already */
        if (n_runs == 1) sl += (size_t)snprintf(sub + sl, sizeof sub - sl, "%lld epochs", (long long)ep[n - 1]);
        else sl += (size_t)snprintf(sub + sl, sizeof sub - sl, "%s%s: %lld epochs", sl ? "  |  " : "", label,
                                    (long long)ep[n - 1]);
        if (isfinite(t) && sl < sizeof sub) sl += (size_t)snprintf(sub + sl, sizeof sub - sl, ", test %s %.3f", score_name, t);
        if (r == 0 && n_runs == 1) snprintf(title, sizeof title, "Training curves: %.400s", label);
        if (sl >= sizeof sub) sl = sizeof sub - 1;
    }
    if (o.smooth > 0 && sl < sizeof sub) snprintf(sub + sl, sizeof sub - sl, "  |  smoothed %.2f (raw curves faint)", o.smooth);
    gat_figure_title(fig, o.title ? o.title : title);
    gat_figure_subtitle(fig, sub);
    if (!o.no_png) {
        if ((rc = gat_path_join(files[*n_files], 1024, err, "%s.png", out_stem))) goto done;
        if ((rc = gat_figure_save_png(fig, files[*n_files], o.scale > 0 ? o.scale : 2.0, err))) goto done;
        (*n_files)++;
    }
    if (!o.no_svg) {
        if ((rc = gat_path_join(files[*n_files], 1024, err, "%s.svg", out_stem))) goto done;
        if ((rc = gat_figure_save_svg(fig, files[*n_files], err))) goto done;
        (*n_files)++;
    }
done:
    free(tmp);
    gat_figure_free(fig);
    for (int r = 0; r < n_runs; r++) gat_metrics_csv_free(&m[r]);
    return rc;
}
