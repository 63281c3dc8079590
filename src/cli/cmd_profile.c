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
        "PyTorch Geometric) and dense (N x N matrices, as the paper's code), for GAT, GATv2 or\n"
        "both. Prints the median forward and backward times of the whole model, of each layer's\n"
        "attention step alone, and the memory the implementation's session holds; draws the same\n"
        "as a bar chart. The repeats are interleaved (one of each column in turn). Timings depend\n"
        "on the machine and its load: compare the columns of one run, as ratios.\n\n"
        "  --dataset NAME      dataset folder under the data directory (default: cora)\n"
        "  --data-dir DIR      folder holding the datasets (default: as gat train)\n"
        "  --attention_type LIST  gat, gatv2, or gat,gatv2 for both in one table and chart (default:\n"
        "                      gat); GATv2 has no dense form: its column says n/a, and why\n"
        "  --share_weights BOOL   gatv2: one projection for sources and targets (default: false)\n"
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

/* One column of the table: an attention type and implementation, measured (res) or not
 * available for that type (why, from the library's configuration check). */
typedef struct {
    int type, impl;
    int available;
    char label[32];                    /* "fused", or "gatv2 fused" when both types are shown */
    char why[512];                     /* !available: the reason (a gat_error message) */
    gat_profile_result res;
} column;

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

/* The same colour for a column in every chart: GAT's implementations blue, orange, red;
 * GATv2's teal, green, yellow; not available grey. */
static int column_color(const column *c) {
    return !c->available ? 9 : c->impl + (c->type == GAT_ATTENTION_GATV2 ? 3 : 0);
}

static int draw(const column *col, int n, const char *title, const char *subtitle, const char *stem, int no_png,
                int no_svg, char files[2][4200], int *n_files, gat_error *err) {
    gat_figure *fig;
    int rc = gat_figure_new(&fig, 1, 3, n > 3 ? 1200 : 900, 340, err);
    if (rc) return rc;
    gat_figure_title(fig, title);
    gat_figure_subtitle(fig, subtitle);
    gat_panel *pt = gat_figure_panel(fig, 0, 0, 1, 2), *pm = gat_figure_panel(fig, 0, 2, 1, 1);
    gat_panel_labels(pt, "Time of one training step, median", NULL, "milliseconds (log scale)");
    gat_panel_labels(pm, "Memory held by the session", NULL, "MB");
    gat_panel_log(pt, 0, 1);
    gat_panel_ylim(pm, 0, NAN);
    gat_panel_legend(pt, n > 3 ? GAT_LEGEND_OUTSIDE : GAT_LEGEND_UPPER_LEFT);
    gat_panel_legend(pm, GAT_LEGEND_NONE);
    /* the memory panel has a bar for each measured column only */
    const char *labels[GAT_PROFILE_MAX];
    int n_avail = 0;
    for (int k = 0; k < n; k++)
        if (col[k].available) labels[n_avail++] = col[k].label;
    rc = gat_panel_xcategories(pt, op_names, 4, err);
    if (!rc) rc = gat_panel_xcategories(pm, labels, n_avail, err);
    const double w = 0.8 / n;
    for (int k = 0, m = 0; k < n && !rc; k++) {
        const int color = column_color(&col[k]);
        if (!col[k].available) {
            /* no bars: a legend entry says so (the table prints the reason) */
            char text[64];
            snprintf(text, sizeof text, "%s: not available", col[k].label);
            rc = gat_panel_legend_entry(pt, text, color, err);
            continue;
        }
        double t[4];
        op_times(&col[k].res, t);
        for (int c = 0; c < 4 && !rc; c++) {
            gat_style s = {.label = c == 0 ? col[k].label : NULL, .color = color, .alpha = 0.85};
            double edges[2] = {c - 0.4 + k * w, c - 0.4 + (k + 1) * w}, v[1] = {t[c]};
            rc = gat_panel_bars(pt, edges, v, 1, GAT_HIST_BARS, &s, err);
        }
        gat_style s = {.color = color, .alpha = 0.85};
        double edges[2] = {m - 0.35, m + 0.35}, v[1] = {col[k].res.memory_bytes / 1e6};
        if (!rc && v[0] > 0) rc = gat_panel_bars(pm, edges, v, 1, GAT_HIST_BARS, &s, err);
        m++;
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

/* A comma-separated list of names into values (parse returns < 0 for an unknown name), each
 * at most once; returns the count, or -1 after printing the error. */
static int parse_list(const char *arg, const char *option, const char *choices, int (*parse)(const char *),
                      int *out, int max) {
    char buf[256];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", arg);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        const int v = parse(tok);
        if (v < 0) {
            gat_cli_usage_error("option --%s: '%s' is not %s", option, tok, choices);
            return -1;
        }
        for (int k = 0; k < n; k++)
            if (out[k] == v) {
                gat_cli_usage_error("option --%s: '%s' is listed twice", option, tok);
                return -1;
            }
        if (n == max) break;
        out[n++] = v;
    }
    if (!n) gat_cli_usage_error("option --%s: give at least one of %s", option, choices);
    return n ? n : -1;
}

static void print_row(const char *name, const column *col, int n, const double *v, const char *fmt) {
    printf("%-28s", name);
    for (int k = 0; k < n; k++) {
        if (col[k].available) printf(fmt, v[k]);
        else printf(" %12s", "n/a");
    }
    printf("\n");
}

int gat_cmd_profile(int argc, char **argv) {
    const char *dataset = "cora", *data_dir = NULL, *out = NULL, *format = "png,svg", *impl_arg = NULL;
    const char *type_arg = "gat";
    int64_t repeats = 5, threads = 1, seed = 1;
    int share_weights = 0, share_given = 0;
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
        TRY(gat_opt_str(argc, argv, &i, "attention_type", &type_arg));
        if ((r = gat_opt_bool(argc, argv, &i, "share_weights", &share_weights)) != 0) {
            if (r < 0) return 2;
            share_given = 1;
            continue;
        }
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
    int impls[3], n_impls = 3, types[2], n_types;
    for (int k = 0; k < 3; k++) impls[k] = k;
    if (impl_arg && (n_impls = parse_list(impl_arg, "impl", "fused, edges or dense", gat_attention_impl_parse, impls, 3)) < 0)
        return 2;
    if ((n_types = parse_list(type_arg, "attention_type", "gat or gatv2", gat_attention_type_parse, types, 2)) < 0)
        return 2;
    int has_v2 = 0, explicit_dense = 0;
    for (int t = 0; t < n_types; t++) has_v2 |= types[t] == GAT_ATTENTION_GATV2;
    for (int k = 0; impl_arg && k < n_impls; k++) explicit_dense |= impls[k] == GAT_ATTENTION_DENSE;
    if (share_given && share_weights && !has_v2)
        return gat_cli_usage_error("option --share_weights: a gatv2 setting (gat has one projection); add "
                                   "--attention_type gatv2");

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
    /* the columns: every implementation of every type; those the type has no form of are
     * shown as not available, with the library's reason */
    column col[GAT_PROFILE_MAX];
    gat_config cfgs[GAT_PROFILE_MAX];
    int n_col = 0, n_run = 0, run_col[GAT_PROFILE_MAX];
    memset(col, 0, sizeof col);
    for (int t = 0; t < n_types; t++)
        for (int k = 0; k < n_impls; k++) {
            column *c = &col[n_col];
            c->type = types[t];
            c->impl = impls[k];
            if (n_types > 1) snprintf(c->label, sizeof c->label, "%s %s", gat_attention_type_name(c->type),
                                      gat_attention_impl_name(c->impl));
            else snprintf(c->label, sizeof c->label, "%s", gat_attention_impl_name(c->impl));
            gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
            cfg.attention_type = c->type;
            cfg.attention_impl = c->impl;
            cfg.share_weights = c->type == GAT_ATTENTION_GATV2 && share_weights;
            gat_error why = {0};
            if (gat_config_check(&cfg, &why)) {
                const char *msg = why.msg, *colon = strstr(msg, ": ");
                snprintf(c->why, sizeof c->why, "%s", colon ? colon + 2 : msg);
            } else {
                c->available = 1;
                run_col[n_run] = n_col;
                cfgs[n_run++] = cfg;
            }
            n_col++;
        }
    if (!n_run) {
        gat_dataset_free(&ds);
        return gat_cli_usage_error("option --impl: %s", col[0].why);
    }
    char stem[4096], dir[4096];
    int rc = out ? gat_path_join(stem, sizeof stem, &err, "%s", out)
                 : gat_path_join(stem, sizeof stem, &err, "figures/%s/profile", ds.name);
    if (!rc) {
        gat_cli_dirname(stem, dir, sizeof dir);
        rc = gat_cli_check_writable_dir(dir, &err);
    }
    const int nthreads = gat_set_threads((int)threads);
    gat_profile_result res[GAT_PROFILE_MAX];
    if (!rc) rc = gat_profile_run(&ds, cfgs, n_run, (int)repeats, (uint64_t)seed, res, &err);
    if (rc) {
        gat_dataset_free(&ds);
        return gat_cli_fail(&err);
    }
    for (int q = 0; q < n_run; q++) col[run_col[q]].res = res[q];
    /* the table: one row per op, one column per type and implementation */
    const gat_config *cfg = &cfgs[0];
    char title[256], subtitle[320], dname[128];
    gat_display_dataset_name(ds.name, dname, sizeof dname);
    snprintf(title, sizeof title, "Attention implementations on %s", dname);
    snprintf(subtitle, sizeof subtitle, "%lld nodes, %lld edges + self loops; %s 8x8, 1x%lld heads x features; "
             "dropout %.1f; %d thread%s; median of %lld", (long long)ds.n_nodes, (long long)ds.n_edges,
             n_types > 1 ? "GAT and GATv2" : types[0] == GAT_ATTENTION_GATV2 ? "GATv2" : "GAT",
             (long long)ds.n_classes, (double)cfg->dropout, nthreads, nthreads == 1 ? "" : "s", (long long)repeats);
    printf("%s: %s\n\n", title, subtitle);
    if (n_types > 1) {
        printf("%-28s", "attention");
        for (int k = 0; k < n_col; k++) printf(" %12s", gat_attention_type_name(col[k].type));
        printf("\n");
    }
    printf("%-28s", "op (ms, median)");
    for (int k = 0; k < n_col; k++) printf(" %12s", gat_attention_impl_name(col[k].impl));
    printf("\n");
    double v[GAT_PROFILE_MAX];
    for (int c = 0; c < 2 + 2 * cfg->n_layers; c++) {
        char name[64];
        if (c < 2) snprintf(name, sizeof name, "%s", op_names[c]);
        else snprintf(name, sizeof name, "  layer %d attention %s", (c - 2) / 2, (c - 2) % 2 ? "backward" : "forward");
        for (int k = 0; k < n_col; k++) {
            const gat_profile_result *r = &col[k].res;
            v[k] = c == 0 ? r->forward_ms : c == 1 ? r->backward_ms
                 : (c - 2) % 2 ? r->att_backward_ms[(c - 2) / 2] : r->att_forward_ms[(c - 2) / 2];
        }
        print_row(name, col, n_col, v, " %12.3f");
    }
    for (int k = 0; k < n_col; k++) v[k] = col[k].res.forward_ms + col[k].res.backward_ms;
    print_row("step (forward + backward)", col, n_col, v, " %12.3f");
    const column *base = &col[run_col[0]];
    const double base_ms = base->res.forward_ms + base->res.backward_ms;
    char rel[64];
    snprintf(rel, sizeof rel, "  x %s", base->label);
    for (int k = 0; k < n_col; k++) v[k] = (col[k].res.forward_ms + col[k].res.backward_ms) / base_ms;
    print_row(rel, col, n_col, v, " %12.1f");
    for (int k = 0; k < n_col; k++) v[k] = col[k].res.memory_bytes / 1e6;
    print_row("memory (MB)", col, n_col, v, " %12.1f");
    for (int k = 0; k < n_col; k++)
        if (!col[k].available) printf("n/a: %s %s: %s\n", gat_attention_type_name(col[k].type),
                                      gat_attention_impl_name(col[k].impl), col[k].why);
    char files[2][4200];
    int n_files = 0;
    rc = draw(col, n_col, title, subtitle, stem, no_png, no_svg, files, &n_files, &err);
    gat_dataset_free(&ds);
    if (rc) return gat_cli_fail(&err);
    printf("\n");
    for (int k = 0; k < n_files; k++) printf("%s\n", files[k]);
    return 0;
}
