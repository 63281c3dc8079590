/* cmd_profile.c - gat profile: times the three attention implementations on a dataset, prints
 * a table and draws it (PNG and SVG), as pytorch-GAT's profiling function compares its three. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/ops.h"
#include "gat/profile.h"

static void profile_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat profile [options]\n\n"
        "Time one training step of the default GAT (2 layers, 8 heads x 8 features, then 1 head)\n"
        "with each attention implementation: fused (gat's kernels), edges (per-edge scatter, as\n"
        "PyTorch Geometric) and dense (N x N matrices, as the paper's code). Prints the median\n"
        "forward and backward times of the whole model, of each layer's attention step alone,\n"
        "and the memory the implementation's session holds; draws the same as a bar chart. The\n"
        "repeats are interleaved (one of each implementation in turn). Timings depend on the\n"
        "machine and its load: compare the implementations of one run, as ratios.\n\n"
        "  --dataset NAME      dataset folder under the data directory (default: cora)\n"
        "  --data-dir DIR      folder holding the datasets (default: as gat train)\n"
        "  --impl LIST         implementations to time, in order (default: fused,edges,dense; dense\n"
        "                      is left out, with a note, above %d nodes unless listed)\n"
        "  --repeats N         timed repeats after one warm-up; the median is reported (default: 5)\n"
        "  --threads N         worker threads for the fused kernels and the shared ops; edges and\n"
        "                      dense loop on one thread (default: 1, like for like)\n"
        "  --seed N            model initialisation and dropout seed (default: 1)\n"
        "  --out STEM          the chart, STEM.png and STEM.svg (default: figures/<dataset>/profile)\n"
        "  --format LIST       png, svg or png,svg (default: png,svg)\n"
        "  --help              this text\n",
        GAT_DENSE_MAX_NODES);
}

static const char *const op_names[] = {"forward", "backward", "attention forward", "attention backward"};

/* The four times of r: whole forward and backward, and the attention step summed over layers. */
static void op_times(const gat_profile_result *r, double t[4]) {
    t[0] = r->forward_ms;
    t[1] = r->backward_ms;
    t[2] = t[3] = 0;
    for (int l = 0; l < r->n_layers; l++) {
        t[2] += r->att_forward_ms[l];
        t[3] += r->att_backward_ms[l];
    }
}

static int draw(const gat_profile_result *res, int n, const char *title, const char *subtitle, const char *stem,
                int no_png, int no_svg, char files[2][4200], int *n_files, gat_error *err) {
    gat_figure *fig;
    int rc = gat_figure_new(&fig, 1, 3, 900, 340, err);
    if (rc) return rc;
    gat_figure_title(fig, title);
    gat_figure_subtitle(fig, subtitle);
    gat_panel *pt = gat_figure_panel(fig, 0, 0, 1, 2), *pm = gat_figure_panel(fig, 0, 2, 1, 1);
    gat_panel_labels(pt, "Time of one training step, median", NULL, "milliseconds (log scale)");
    gat_panel_labels(pm, "Memory held by the session", NULL, "MB");
    gat_panel_log(pt, 0, 1);
    gat_panel_ylim(pm, 0, NAN);
    gat_panel_legend(pt, GAT_LEGEND_UPPER_LEFT);
    gat_panel_legend(pm, GAT_LEGEND_NONE);
    const char *impls[3];
    for (int k = 0; k < n; k++) impls[k] = gat_attention_impl_name(res[k].impl);
    rc = gat_panel_xcategories(pt, op_names, 4, err);
    if (!rc) rc = gat_panel_xcategories(pm, impls, n, err);
    const double w = 0.8 / n;
    for (int k = 0; k < n && !rc; k++) {
        double t[4];
        op_times(&res[k], t);
        const int color = res[k].impl; /* the same colour for an implementation in every chart */
        for (int c = 0; c < 4 && !rc; c++) {
            gat_style s = {.label = c == 0 ? impls[k] : NULL, .color = color, .alpha = 0.85};
            double edges[2] = {c - 0.4 + k * w, c - 0.4 + (k + 1) * w}, v[1] = {t[c]};
            rc = gat_panel_bars(pt, edges, v, 1, GAT_HIST_BARS, &s, err);
        }
        gat_style s = {.color = color, .alpha = 0.85};
        double edges[2] = {k - 0.35, k + 0.35}, v[1] = {res[k].memory_bytes / 1e6};
        if (!rc && v[0] > 0) rc = gat_panel_bars(pm, edges, v, 1, GAT_HIST_BARS, &s, err);
    }
    *n_files = 0;
    for (int f = 0; f < 2 && !rc; f++) {
        if (f == 0 ? no_png : no_svg) continue;
        rc = gat_path_join(files[*n_files], sizeof files[0], err, "%s.%s", stem, f == 0 ? "png" : "svg");
        if (!rc) rc = gat_figure_save(fig, files[*n_files], 2.0, err);
        if (!rc) (*n_files)++;
    }
    gat_figure_free(fig);
    return rc;
}

int gat_cmd_profile(int argc, char **argv) {
    const char *dataset = "cora", *data_dir = NULL, *out = NULL, *format = "png,svg", *impl_arg = NULL;
    int64_t repeats = 5, threads = 1, seed = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            profile_usage(stdout);
            return 0;
        }
        int r;
#define TRY(call) if ((r = (call)) != 0) { if (r < 0) return 2; continue; }
        TRY(gat_opt_str(argc, argv, &i, "dataset", &dataset));
        TRY(gat_opt_str(argc, argv, &i, "dataset_name", &dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &data_dir));
        TRY(gat_opt_str(argc, argv, &i, "impl", &impl_arg));
        TRY(gat_opt_int(argc, argv, &i, "repeats", 1, 10000, &repeats));
        TRY(gat_opt_int(argc, argv, &i, "threads", 0, 1024, &threads));
        TRY(gat_opt_int(argc, argv, &i, "seed", 0, INT64_MAX, &seed));
        TRY(gat_opt_str(argc, argv, &i, "out", &out));
        TRY(gat_opt_str(argc, argv, &i, "format", &format));
#undef TRY
        return gat_cli_usage_error("gat profile: unknown option '%s' (see 'gat profile --help')", argv[i]);
    }
    int no_png = 0, no_svg = 0;
    if (gat_cli_parse_formats(format, &no_png, &no_svg)) return 2;
    int impls[3], n_impls = 0, explicit_dense = 0;
    if (impl_arg) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", impl_arg);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int v = gat_attention_impl_parse(tok);
            if (v < 0) return gat_cli_usage_error("option --impl: '%s' is not fused, edges or dense", tok);
            for (int k = 0; k < n_impls; k++)
                if (impls[k] == v) return gat_cli_usage_error("option --impl: '%s' is listed twice", tok);
            impls[n_impls++] = v;
            explicit_dense |= v == GAT_ATTENTION_DENSE;
        }
        if (!n_impls) return gat_cli_usage_error("option --impl: give at least one of fused, edges, dense");
    } else {
        for (int k = 0; k < 3; k++) impls[n_impls++] = k;
    }

    gat_error err = {0};
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    if (gat_cli_open_dataset(&ds, dataset, data_dir, 1, &err)) return gat_cli_fail(&err);
    if (!explicit_dense && ds.n_nodes > GAT_DENSE_MAX_NODES) {
        int k2 = 0;
        for (int k = 0; k < n_impls; k++)
            if (impls[k] != GAT_ATTENTION_DENSE) impls[k2++] = impls[k];
        if (k2 < n_impls)
            printf("note: dense left out: %s has %lld nodes, above the %d its N x N matrices accept\n", ds.name,
                   (long long)ds.n_nodes, GAT_DENSE_MAX_NODES);
        n_impls = k2;
    }
    char stem[4096], dir[4096];
    int rc = out ? gat_path_join(stem, sizeof stem, &err, "%s", out)
                 : gat_path_join(stem, sizeof stem, &err, "figures/%s/profile", ds.name);
    if (!rc) {
        gat_cli_dirname(stem, dir, sizeof dir);
        rc = gat_cli_check_writable_dir(dir, &err);
    }
    const int nthreads = gat_set_threads((int)threads);
    gat_profile_result res[3];
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    if (!rc) rc = gat_profile_run(&ds, &cfg, impls, n_impls, (int)repeats, (uint64_t)seed, res, &err);
    if (rc) {
        gat_dataset_free(&ds);
        return gat_cli_fail(&err);
    }
    /* the table: one row per op, one column per implementation */
    char title[256], subtitle[256], dname[128];
    gat_display_dataset_name(ds.name, dname, sizeof dname);
    snprintf(title, sizeof title, "Attention implementations on %s", dname);
    snprintf(subtitle, sizeof subtitle, "%lld nodes, %lld edges + self loops; GAT 8x8, 1x%lld heads x features; "
             "dropout %.1f; %d thread%s; median of %lld", (long long)ds.n_nodes, (long long)ds.n_edges,
             (long long)ds.n_classes, (double)cfg.dropout, nthreads, nthreads == 1 ? "" : "s", (long long)repeats);
    printf("%s: %s\n\n", title, subtitle);
    printf("%-28s", "op (ms, median)");
    for (int k = 0; k < n_impls; k++) printf(" %12s", gat_attention_impl_name(res[k].impl));
    printf("\n");
    for (int c = 0; c < 2 + 2 * cfg.n_layers; c++) {
        char name[64];
        if (c < 2) snprintf(name, sizeof name, "%s", op_names[c]);
        else snprintf(name, sizeof name, "  layer %d attention %s", (c - 2) / 2, (c - 2) % 2 ? "backward" : "forward");
        printf("%-28s", name);
        for (int k = 0; k < n_impls; k++) {
            const gat_profile_result *r = &res[k];
            double v = c == 0 ? r->forward_ms : c == 1 ? r->backward_ms
                     : (c - 2) % 2 ? r->att_backward_ms[(c - 2) / 2] : r->att_forward_ms[(c - 2) / 2];
            printf(" %12.3f", v);
        }
        printf("\n");
    }
    printf("%-28s", "step (forward + backward)");
    for (int k = 0; k < n_impls; k++) printf(" %12.3f", res[k].forward_ms + res[k].backward_ms);
    char rel[64];
    snprintf(rel, sizeof rel, "  x %s", gat_attention_impl_name(res[0].impl));
    printf("\n%-28s", rel);
    for (int k = 0; k < n_impls; k++)
        printf(" %12.1f", (res[k].forward_ms + res[k].backward_ms) / (res[0].forward_ms + res[0].backward_ms));
    printf("\n%-28s", "memory (MB)");
    for (int k = 0; k < n_impls; k++) printf(" %12.1f", res[k].memory_bytes / 1e6);
    printf("\n");
    char files[2][4200];
    int n_files = 0;
    rc = draw(res, n_impls, title, subtitle, stem, no_png, no_svg, files, &n_files, &err);
    gat_dataset_free(&ds);
    if (rc) return gat_cli_fail(&err);
    printf("\n");
    for (int k = 0; k < n_files; k++) printf("%s\n", files[k]);
    return 0;
}
