/* cmd_visualize.c - gat visualize <picture>: pictures of datasets and of trained
 * models (attention, entropy, embeddings). Each picture kind is one row of `pictures`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/graphstats.h"
#include "gat/viz_collection.h"
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
    int64_t seed, max_nodes, graph, label;
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
        "  --graph ID            a collection of graphs (PPI): the graph to draw (default: the first test\n"
        "                        graph); the summary covers the whole collection and that graph, and a\n"
        "                        collection figure (<dataset>_collection) shows every graph and the labels\n"
        "  --label K             multi-label data: colour nodes by whether they carry label K (default:\n"
        "                        by their number of labels, in ranges of about equal node counts)\n"
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
    a->graph = -1;
    a->label = -1;
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
        TRY(gat_opt_int(argc, argv, &i, "graph", 0, INT64_MAX, &a->graph));
        TRY(gat_opt_int(argc, argv, &i, "label", 0, INT64_MAX, &a->label));
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

static void print_summary(const gat_dataset *ds, const gat_graph_stats *st, const gat_label_stats *ls,
                          const char *title) {
    char dname[64];
    gat_display_dataset_name(ds->name, dname, sizeof dname);
    printf("%s: network summary\n", title ? title : dname);
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
    const int flags = a.summary_only ? GAT_CLI_VIZ_SUMMARY_ONLY : 0;
    int rc;
    if (ds.n_graphs > 0) {
        rc = gat_cli_visualize_collection(&ds, &opt, a.out, flags, a.graph, a.label, &err);
    } else if (a.graph >= 0) {
        rc = gat_error_set(&err, GAT_EINVAL, "--graph: %s is one graph, not a collection of graphs", ds.name);
    } else if (a.label >= 0) {
        rc = gat_error_set(&err, GAT_EINVAL, "--label: %s is not multi-label (its nodes have one class each)", ds.name);
    } else {
        rc = gat_cli_visualize_dataset(&ds, &opt, a.out, flags, &err);
    }
    gat_dataset_free(&ds);
    return rc ? gat_cli_fail(&err) : 0;
}

int gat_cli_visualize_dataset(const gat_dataset *ds, const gat_viz_options *opt, const char *out_dir, int flags,
                              gat_error *err) {
    if (ds->n_graphs > 0) return gat_cli_visualize_collection(ds, opt, out_dir, flags, -1, -1, err);
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
    if (!(flags & GAT_CLI_VIZ_QUIET)) print_summary(ds, &st, have_labels ? &ls : NULL, NULL);
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

/* ---- collections of graphs ---- */

static const char *split_word(int s) { return s == 0 ? "train" : s == 1 ? "val" : s == 2 ? "test" : "none"; }

static void print_collection_summary(const gat_dataset *ds, const gat_collection_stats *cs) {
    char dname[64];
    gat_display_dataset_name(ds->name, dname, sizeof dname);
    const int64_t G = cs->n_graphs, N = ds->n_nodes;
    int64_t nmin = INT64_MAX, nmax = 0, emin = INT64_MAX, emax = 0;
    for (int64_t g = 0; g < G; g++) {
        if (cs->graph_nodes[g] < nmin) nmin = cs->graph_nodes[g];
        if (cs->graph_nodes[g] > nmax) nmax = cs->graph_nodes[g];
        if (cs->graph_edges[g] < emin) emin = cs->graph_edges[g];
        if (cs->graph_edges[g] > emax) emax = cs->graph_edges[g];
    }
    printf("%s: a collection of %lld graphs (train/val/test %lld/%lld/%lld), summary\n", dname, (long long)G,
           (long long)ds->split_n_graphs[0], (long long)ds->split_n_graphs[1], (long long)ds->split_n_graphs[2]);
    printf("  nodes                  %lld (train/val/test %lld/%lld/%lld); per graph min %lld, mean %.1f, max %lld\n",
           (long long)N, (long long)ds->split_size[0], (long long)ds->split_size[1], (long long)ds->split_size[2],
           (long long)nmin, (double)N / (double)G, (long long)nmax);
    printf("  edge-list entries      %lld; per graph min %lld, mean %.1f, max %lld; %.2f per node\n",
           (long long)ds->n_edges, (long long)emin, (double)ds->n_edges / (double)G, (long long)emax,
           N ? (double)ds->n_edges / (double)N : 0.0);
    printf("  features               %lld per node; %lld nodes (%.1f %%) all zero\n", (long long)ds->n_features,
           (long long)cs->zero_feature_nodes, N ? 100.0 * (double)cs->zero_feature_nodes / (double)N : 0.0);
    if (cs->n_labels) {
        const int64_t C = cs->n_labels;
        int64_t kmin = INT64_MAX, kmax = 0, none = 0;
        double mean = 0, smin = 1, smax = 0;
        for (int64_t i = 0; i < N; i++) {
            int64_t k = cs->labels_per_node[i];
            mean += (double)k;
            if (k < kmin) kmin = k;
            if (k > kmax) kmax = k;
            none += k == 0;
        }
        for (int64_t j = 0; j < C; j++) {
            smin = fmin(smin, cs->label_share[j]);
            smax = fmax(smax, cs->label_share[j]);
        }
        printf("  labels                 %lld per node (multi-label): a node has %lld to %lld, mean %.1f (%.1f %% "
               "positive); %lld nodes have none\n", (long long)C, (long long)kmin, (long long)kmax,
               N ? mean / (double)N : 0.0, N ? 100.0 * mean / (double)N / (double)C : 0.0, (long long)none);
        printf("  label frequency        %.1f %% to %.1f %% of nodes\n", 100.0 * smin, 100.0 * smax);
    } else {
        printf("  classes                %lld (one per node)\n", (long long)ds->n_classes);
    }
    printf("    %-5s %-5s %7s %9s %8s%s\n", "graph", "split", "nodes", "edges", "degree", cs->n_labels ? " labels/node" : "");
    for (int64_t g = 0; g < G; g++) {
        printf("    %-5lld %-5s %7lld %9lld %8.2f", (long long)g, split_word(cs->graph_split[g]), (long long)cs->graph_nodes[g],
               (long long)cs->graph_edges[g], cs->graph_nodes[g] ? (double)cs->graph_edges[g] / (double)cs->graph_nodes[g] : 0.0);
        if (cs->n_labels) printf(" %11.1f", cs->graph_labels[g]);
        printf("\n");
    }
}

int gat_cli_collection_graph(const gat_dataset *ds, int64_t graph, int64_t *out, gat_error *err) {
    if (graph >= ds->n_graphs)
        return gat_error_set(err, GAT_EINVAL, "--graph: %lld is not a graph of %s (0..%lld)", (long long)graph, ds->name,
                             (long long)ds->n_graphs - 1);
    if (graph >= 0) *out = graph;
    else if (ds->split_n_graphs[GAT_SPLIT_TEST]) *out = ds->split_graphs[GAT_SPLIT_TEST][0];
    else *out = 0;
    return GAT_OK;
}

int gat_cli_collection_split(const gat_dataset *ds, int64_t graph) {
    for (int s = 0; s < 3; s++)
        for (int64_t t = 0; t < ds->split_n_graphs[s]; t++)
            if (ds->split_graphs[s][t] == graph) return s;
    return -1;
}

int gat_cli_visualize_collection(const gat_dataset *ds, const gat_viz_options *opt, const char *out_dir, int flags,
                                 int64_t graph, int64_t label, gat_error *err) {
    int64_t g;
    int rc = gat_cli_collection_graph(ds, graph, &g, err);
    if (rc) return rc;
    const int multi = ds->task == GAT_TASK_MULTI_LABEL;
    if (label >= 0 && !multi)
        return gat_error_set(err, GAT_EINVAL, "--label: %s is not multi-label (its nodes have one class each)", ds->name);
    if (label >= ds->n_classes)
        return gat_error_set(err, GAT_EINVAL, "--label: %lld is not a label of %s (0..%lld)", (long long)label, ds->name,
                             (long long)ds->n_classes - 1);
    gat_collection_stats cs;
    gat_dataset sub;
    gat_graph_stats st;
    gat_label_colouring col;
    memset(&sub, 0, sizeof sub);
    memset(&st, 0, sizeof st);
    memset(&col, 0, sizeof col);
    if ((rc = gat_collection_stats_compute(&cs, ds, err))) return rc;
    if ((rc = gat_dataset_select_graphs(&sub, ds, &g, 1, err))) goto done;
    if ((rc = gat_graph_stats_compute(&st, sub.n_nodes, sub.edge_src, sub.edge_dst, sub.n_edges, err))) goto done;
    if (multi && (rc = gat_label_colouring_init(&col, &sub, label, err))) goto done;
    const int split = gat_cli_collection_split(ds, g);
    char dname[64], gname[128];
    gat_display_dataset_name(ds->name, dname, sizeof dname);
    snprintf(gname, sizeof gname, "%s graph %lld (%s)", dname, (long long)g, split_word(split));
    if (!(flags & GAT_CLI_VIZ_QUIET)) {
        print_collection_summary(ds, &cs);
        printf("\n");
        /* the chosen graph, as a dataset of its own */
        gat_label_stats ls;
        memset(&ls, 0, sizeof ls);
        int have = !multi && sub.labels;
        if (have) {
            const int64_t *sp[3] = {NULL, NULL, sub.split[2]};
            int64_t ss[3] = {0, 0, sub.split_size[2]};
            if ((rc = gat_label_stats_compute(&ls, sub.n_nodes, sub.labels, sub.n_classes, sp, ss, err))) goto done;
        }
        print_summary(&sub, &st, have ? &ls : NULL, gname);
        gat_label_stats_free(&ls);
        if (multi) {
            printf("  colours                %s:", col.what);
            int64_t *cnt = calloc((size_t)col.n_classes + 1, sizeof *cnt);
            if (!cnt) { rc = gat_error_set(err, GAT_ENOMEM, "out of memory"); goto done; }
            for (int64_t i = 0; i < col.n; i++) cnt[col.cls[i]]++;
            for (int64_t k = 0; k < col.n_classes; k++)
                printf("%s %s %lld", k ? "," : "", col.names[k], (long long)cnt[k]);
            printf("\n");
            free(cnt);
        }
    }
    if (flags & GAT_CLI_VIZ_SUMMARY_ONLY) goto done;
    char dir[1024], stem[1200];
    if (out_dir) rc = gat_path_join(dir, sizeof dir, err, "%s", out_dir);
    else rc = gat_path_join(dir, sizeof dir, err, "figures/%s", ds->name);
    if (rc || (rc = gat_mkdirs(dir, err))) goto done;
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    gat_graph_input gi = gat_graph_input_from_dataset(&sub);
    gi.name = gname;
    if (multi) gat_label_colouring_apply(&col, &gi);
    if ((rc = gat_path_join(stem, sizeof stem, err, "%s/%s_collection", dir, ds->name))) goto done;
    if ((rc = gat_viz_collection(ds, &cs, opt, stem, &res, err))) goto done;
    if ((rc = gat_path_join(stem, sizeof stem, err, "%s/%s_graph%lld", dir, ds->name, (long long)g))) goto done;
    if ((rc = gat_viz_graph(&gi, opt, stem, &res, err))) goto done;
    if ((rc = gat_path_join(stem, sizeof stem, err, "%s/%s_graph%lld_degrees", dir, ds->name, (long long)g))) goto done;
    if ((rc = gat_viz_degrees(&gi, &st, opt, stem, &res, err))) goto done;
    if (!(flags & GAT_CLI_VIZ_QUIET)) printf("pictures:\n");
    for (int i = 0; i < res.n_files; i++) printf("  %s\n", res.files[i]);
    if (!(flags & GAT_CLI_VIZ_QUIET))
        printf("time: layout %.2f s (%s), edge betweenness %.2f s, drawing %.2f s\n", res.seconds_layout,
               gat_layout_name(res.layout_used), res.seconds_betweenness, res.seconds_render);
    fflush(stdout);
done:
    gat_label_colouring_free(&col);
    gat_graph_stats_free(&st);
    gat_dataset_free(&sub);
    gat_collection_stats_free(&cs);
    return rc;
}
