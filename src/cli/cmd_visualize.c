/* cmd_visualize.c - gat visualize <picture>: pictures of datasets and of trained
 * models (attention, entropy, embeddings). Each picture kind is one row of `pictures`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/dataset.h"
#include "gat/graphstats.h"
#include "gat/viz_dataset.h"

static int viz_cmd_dataset(int argc, char **argv);
static int viz_cmd_attention(int argc, char **argv) { return gat_cli_visualize_model(argc, argv, "attention"); }
static int viz_cmd_entropy(int argc, char **argv) { return gat_cli_visualize_model(argc, argv, "entropy"); }
static int viz_cmd_embeddings(int argc, char **argv) { return gat_cli_visualize_model(argc, argv, "embeddings"); }

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} picture_cmd;

static const picture_cmd pictures[] = {
    {"dataset", viz_cmd_dataset, "the whole graph and its degree statistics, and a network summary"},
    {"attention", viz_cmd_attention, "a trained model's attention over chosen nodes' neighbourhoods (--model FILE)"},
    {"entropy", viz_cmd_entropy, "histograms of the entropy of attention, per layer and head, against uniform (--model FILE)"},
    {"embeddings", viz_cmd_embeddings, "t-SNE of a trained model's node embeddings, coloured by class (--model FILE)"},
};
#define N_PICTURES (sizeof pictures / sizeof *pictures)

static void visualize_usage(FILE *fp) {
    fprintf(fp, "usage: gat visualize <picture> [options]\n\npictures:\n");
    for (size_t i = 0; i < N_PICTURES; i++) fprintf(fp, "  %-11s %s\n", pictures[i].name, pictures[i].help);
    fprintf(fp, "\n'gat visualize <picture> --help' lists its options with their defaults.\n");
}

int gat_cmd_visualize(int argc, char **argv) {
    if (argc < 1) {
        visualize_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "help")) {
        visualize_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < N_PICTURES; i++)
        if (!strcmp(argv[0], pictures[i].name)) return pictures[i].run(argc - 1, argv + 1);
    char list[256] = "";
    for (size_t i = 0; i < N_PICTURES; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", pictures[i].name);
    }
    return gat_cli_usage_error("gat visualize: unknown picture '%s' (pictures: %s)", argv[0], list);
}

/* ---- gat visualize dataset ---- */

typedef struct {
    const char *dataset, *data_dir, *out, *layout, *format;
    int64_t seed, max_nodes;
    double scale, dpi;
    int summary_only;
} dataset_args;

static void dataset_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat visualize dataset [options]\n\n"
        "Print a network summary of a dataset and draw it: the whole graph (node area ~ degree,\n"
        "edge width ~ log edge betweenness, colour = class) and its degree statistics, each as\n"
        "PNG and SVG. Options take '-' or '_' alike.\n\n"
        "  --dataset NAME        dataset folder name, e.g. cora, citeseer (default: cora)\n"
        "  --data-dir DIR        folder holding the datasets (default: $GAT_DATA_DIR, ./data, ./datasets,\n"
        "                        then gat's own data folder; 'gat --version' lists them)\n"
        "  --out DIR             where the pictures go (default: figures/<dataset>)\n"
        "  --layout NAME         auto, kk (Kamada-Kawai), drl or fr (Fruchterman-Reingold with a grid);\n"
        "                        auto = kk up to 3000 nodes in the largest component, else fr (default: auto)\n"
        "  --seed N              seed of the layout's random numbers (default: 1)\n"
        "  --format LIST         png, svg or png,svg (default: png,svg)\n"
        "  --scale X             PNG pixels per point, 0.25..8; 2 = high-DPI (default: 2)\n"
        "  --dpi N               PNG resolution in dots per inch, instead of --scale (default: 144)\n"
        "  --max-nodes N         refuse graphs with more nodes than this (default: 50000)\n"
        "  --summary-only        print the summary, draw nothing\n"
        "  --help                this text\n");
}

/* 0: run, 1: help printed, -1: usage error printed. */
static int parse_dataset_args(int argc, char **argv, dataset_args *a) {
    memset(a, 0, sizeof *a);
    a->dataset = "cora";
    a->layout = "auto";
    a->format = "png,svg";
    a->seed = 1;
    a->max_nodes = 50000;
    a->scale = 0;
    a->dpi = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            dataset_usage(stdout);
            return 1;
        }
        int r;
#define TRY(call) if ((r = (call)) != 0) { if (r < 0) return -1; continue; }
        TRY(gat_opt_str(argc, argv, &i, "dataset", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &a->data_dir));
        TRY(gat_opt_str(argc, argv, &i, "out", &a->out));
        TRY(gat_opt_str(argc, argv, &i, "layout", &a->layout));
        TRY(gat_opt_str(argc, argv, &i, "format", &a->format));
        TRY(gat_opt_int(argc, argv, &i, "seed", 0, INT64_MAX, &a->seed));
        TRY(gat_opt_int(argc, argv, &i, "max_nodes", 1, 10000000, &a->max_nodes));
        TRY(gat_opt_float(argc, argv, &i, "scale", 0.25, 8, &a->scale));
        TRY(gat_opt_float(argc, argv, &i, "dpi", 18, 576, &a->dpi));
        TRY(gat_opt_flag(argc, argv, &i, "summary_only", &a->summary_only));
#undef TRY
        gat_cli_usage_error("gat visualize dataset: unknown option '%s' (see 'gat visualize dataset --help')", argv[i]);
        return -1;
    }
    if (a->scale > 0 && a->dpi > 0) {
        gat_cli_usage_error("options --scale and --dpi say the same thing: give one");
        return -1;
    }
    return 0;
}

static void print_summary(const gat_dataset *ds, const gat_graph_stats *st, const gat_label_stats *ls) {
    char dname[64];
    gat_display_dataset_name(ds->name, dname, sizeof dname);
    printf("%s: network summary\n", dname);
    printf("  nodes                  %lld\n", (long long)st->n_nodes);
    printf("  edge-list entries      %lld (%lld distinct undirected edges; %s)\n", (long long)st->n_edges,
           (long long)st->n_undirected_edges,
           st->n_unreciprocated == 0 ? "every edge is listed both ways" : "directed: some edges one way only");
    if (st->n_unreciprocated) printf("  one-way edges          %lld\n", (long long)st->n_unreciprocated);
    printf("  self loops             %lld\n", (long long)st->n_self_loops);
    printf("  duplicate edges        %lld\n", (long long)st->n_duplicate_edges);
    printf("  isolated nodes         %lld\n", (long long)st->n_isolated);
    printf("  connected components   %lld (the largest has %lld nodes, %.1f%%)\n", (long long)st->n_components,
           (long long)st->largest_component,
           st->n_nodes ? 100.0 * (double)st->largest_component / (double)st->n_nodes : 0.0);
    printf("  degree                 min %lld, mean %.2f, max %lld (node %lld has %lld neighbours)\n",
           (long long)st->min_degree, st->mean_degree, (long long)st->max_degree, (long long)st->max_degree_node,
           (long long)st->max_degree);
    printf("  features               %lld per node\n", (long long)ds->n_features);
    if (!ls) {
        printf("  labels                 %lld per node (multi-label)\n", (long long)ds->n_classes);
    } else {
        printf("  classes                %lld%s\n", (long long)ls->n_classes,
               ls->n_unlabelled ? "" : ", every node labelled");
        printf("    %-3s %-24s %7s %7s %7s %7s\n", "id", "name", "nodes", "train", "val", "test");
        for (int64_t c = 0; c < ls->n_classes; c++) {
            char cname[128] = "-";
            if (ds->class_names) gat_display_class_name(ds->class_names[c], cname, sizeof cname);
            printf("    %-3lld %-24s %7lld", (long long)c, cname, (long long)ls->class_count[c]);
            for (int s = 0; s < 3; s++)
                printf(" %7lld", ls->split_class_count[s] ? (long long)ls->split_class_count[s][c] : 0LL);
            printf("\n");
        }
        if (ls->n_unlabelled) {
            printf("    %-3s %-24s %7lld", "-", "(no label)", (long long)ls->n_unlabelled);
            for (int s = 0; s < 3; s++) printf(" %7lld", (long long)ls->split_unlabelled[s]);
            printf("\n");
        }
        printf("    %-3s %-24s %7lld %7lld %7lld %7lld\n", "", "total", (long long)st->n_nodes,
               (long long)ls->split_size[0], (long long)ls->split_size[1], (long long)ls->split_size[2]);
    }
}

static int viz_cmd_dataset(int argc, char **argv) {
    dataset_args a;
    int r = parse_dataset_args(argc, argv, &a);
    if (r) return r > 0 ? 0 : 2;
    gat_viz_options opt = {0};
    int lay = gat_layout_parse(a.layout);
    if (lay < 0) return gat_cli_usage_error("option --layout: '%s' is not auto, kk, drl or fr", a.layout);
    opt.layout = (gat_layout)lay;
    if (gat_cli_parse_formats(a.format, &opt.no_png, &opt.no_svg)) return 2;
    opt.seed = (uint64_t)a.seed;
    opt.scale = a.dpi > 0 ? a.dpi / 72.0 : a.scale > 0 ? a.scale : 2.0;
    opt.max_nodes = a.max_nodes;

    gat_dataset ds;
    gat_error err = {0};
    memset(&ds, 0, sizeof ds);
    if (gat_dataset_open(&ds, a.dataset, a.data_dir, &err)) return gat_cli_fail(&err);
    int rc = gat_cli_visualize_dataset(&ds, &opt, a.out, a.summary_only ? GAT_CLI_VIZ_SUMMARY_ONLY : 0, &err);
    gat_dataset_free(&ds);
    return rc ? gat_cli_fail(&err) : 0;
}

int gat_cli_visualize_dataset(const gat_dataset *ds, const gat_viz_options *opt, const char *out_dir, int flags,
                              gat_error *err) {
    gat_graph_stats st;
    gat_label_stats ls;
    memset(&ls, 0, sizeof ls);
    int have_labels = ds->task == GAT_TASK_SINGLE_LABEL && ds->labels;
    int rc = gat_graph_stats_compute(&st, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges, err);
    if (!rc && have_labels) {
        const int64_t *split[3] = {ds->split[0], ds->split[1], ds->split[2]};
        rc = gat_label_stats_compute(&ls, ds->n_nodes, ds->labels, ds->n_classes, split, ds->split_size, err);
    }
    if (rc) {
        gat_graph_stats_free(&st);
        return rc;
    }
    if (!(flags & GAT_CLI_VIZ_QUIET)) print_summary(ds, &st, have_labels ? &ls : NULL);
    gat_graph_stats_free(&st);
    gat_label_stats_free(&ls);
    if (flags & GAT_CLI_VIZ_SUMMARY_ONLY) return 0;
    char out[1024];
    if (out_dir) snprintf(out, sizeof out, "%s", out_dir);
    else snprintf(out, sizeof out, "figures/%s", ds->name);
    gat_viz_result res;
    rc = gat_viz_dataset(ds, opt, out, &res, err);
    if (rc) return rc;
    if (!(flags & GAT_CLI_VIZ_QUIET)) printf("pictures:\n");
    for (int i = 0; i < res.n_files; i++) printf("  %s\n", res.files[i]);
    if (!(flags & GAT_CLI_VIZ_QUIET))
        printf("time: layout %.2f s (%s), edge betweenness %.2f s, drawing %.2f s, total %.2f s\n", res.seconds_layout,
           gat_layout_name(res.layout_used), res.seconds_betweenness, res.seconds_render, res.seconds_total);
    fflush(stdout);
    return 0;
}
