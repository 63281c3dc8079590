/* cmd_visualize_model.c - gat visualize attention | entropy | embeddings: pictures of a
 * trained model, from one forward pass without dropout (inspect.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gat/fileio.h"
#include "gat/inspect.h"
#include "gat/npy.h"
#include "gat/ops.h"
#include "gat/tsne.h"
#include "gat/viz_collection.h"
#include "gat/viz_model.h"

enum { PIC_ATTENTION = 1, PIC_ENTROPY = 2, PIC_EMBEDDINGS = 4, PIC_ALL = 7 };

typedef struct {
    int picture;
    const char *model, *dataset, *data_dir, *out, *format, *nodes, *head, *layout, *layer, *dump, *csv, *method,
        *init, *save_vectors;
    int64_t seed, bins, n_top, n_random, iterations, threads, exaggeration_iter, graph, label;
    double scale, perplexity, lr, exaggeration, theta;
    gat_tsne_options tsne;             /* the library's defaults (gat_tsne_options_default), then the options */
    int normalize, no_metrics, quiet;
} vm_args;

static const char *picture_name(int p) {
    return p == PIC_ATTENTION ? "attention" : p == PIC_ENTROPY ? "entropy" : "embeddings";
}

static void vm_usage(FILE *fp, int pic) {
    gat_tsne_options d;
    gat_tsne_options_default(&d);
    fprintf(fp, "usage: gat visualize %s --model FILE [options]\n\n", picture_name(pic));
    if (pic == PIC_ATTENTION)
        fprintf(fp,
            "Draw chosen nodes' neighbourhoods (self loop included) with edge width and opacity by the\n"
            "attention weight of a layer and head, nodes coloured by class; and for each node one figure\n"
            "of all the layer's heads. Prints each node's min and max attention weight.\n\n");
    else if (pic == PIC_ENTROPY)
        fprintf(fp,
            "Per layer, one panel per head: the histogram of each node's attention entropy (bits) over\n"
            "the histogram for uniform attention on the same neighbourhoods.\n\n");
    else
        fprintf(fp,
            "t-SNE of the vectors a layer computes (default: the output logits) to 2-D, coloured by\n"
            "class; also writes the coordinates as CSV and prints how well classes separate.\n\n");
    fprintf(fp,
        "  --model FILE            a model file written by gat train (.safetensors)\n"
        "  --dataset NAME          dataset to run on (default: the one named in the model file)\n"
        "  --data-dir DIR          folder holding the datasets (default: $GAT_DATA_DIR, ./data, ./datasets,\n"
        "                          then gat's own data folder; 'gat --version' lists them)\n"
        "  --normalize_features BOOL  scale feature rows to sum 1 (default: as the model was trained, stored in the\n"
        "                             model file; true for files that do not say)\n"
        "  --out DIR               where the pictures go (default: figures/<dataset>)\n"
        "  --format LIST           png, svg or png,svg (default: png,svg)\n"
        "  --scale X               PNG pixels per point, 0.25..8 (default: 2)\n"
        "  --threads N             worker threads, 0 = all cores (default: 0)\n"
        "  --dump-attention FILE   also save every attention coefficient: FILE.npy (edges x heads of all\n"
        "                          layers) with FILE_edge_index.npy (2 x edges, as the dataset's) and\n"
        "                          FILE_input_edge.npy, or one FILE.npz archive of them\n"
        "  --quiet                 print only the paths written\n"
        "  --graph ID              a collection of graphs (PPI): the graph to look at (default: the first test\n"
        "                          graph%s); node ids are then the graph's own, 0..n-1\n"
        "  --label K               multi-label data: colour nodes by whether they carry label K (default: by\n"
        "                          their number of labels, in ranges of about equal node counts)\n",
        pic == PIC_ENTROPY ? "; entropy: every test graph together" : "");
    if (pic == PIC_ATTENTION)
        fprintf(fp,
            "  --nodes LIST            node ids, e.g. 1358,7,42 (default: the --top highest-degree nodes\n"
            "                          and --random others)\n"
            "  --top N                 default nodes: how many of the highest degree (default: 4)\n"
            "  --random N              default nodes: how many random ones, from --seed (default: 4)\n"
            "  --layer L               layer (default: 0)\n"
            "  --head H                head number, or mean (default: 0)\n"
            "  --layout NAME           rt (Reingold-Tilford circular) or kk (Kamada-Kawai) (default: rt)\n"
            "  --seed N                random nodes and layout seed (default: %llu)\n",
            (unsigned long long)d.seed);
    else if (pic == PIC_ENTROPY)
        fprintf(fp,
            "  --layer L               a layer, or all (default: all)\n"
            "  --bins N                histogram bins (default: 30)\n");
    else
        fprintf(fp,
            "  --layer L               whose outputs to embed; the last layer gives the logits (default: last)\n"
            "  --csv FILE              the 2-D coordinates (default: <out>/<dataset>_tsne_layer<L>.csv)\n"
            "  --perplexity X          effective number of neighbours (default: %g)\n"
            "  --iterations N          gradient descent iterations (default: %d)\n"
            "  --learning-rate X       step size, or 0 for auto = max(N / exaggeration / 4, 50) (default: %g)\n"
            "  --early-exaggeration X  (default: %g)\n"
            "  --exaggeration-iter N   iterations with early exaggeration (default: %d)\n"
            "  --method NAME           auto, exact or bh (Barnes-Hut); auto = exact up to 1000 points (default: %s)\n"
            "  --theta X               Barnes-Hut opening angle, 0..1 (default: %g)\n"
            "  --init NAME             random or pca (default: %s)\n"
            "  --seed N                t-SNE seed (default: %llu)\n"
            "  --no-metrics            skip trustworthiness and kNN class agreement (O(N^2))\n"
            "  --save-vectors FILE     also save the embedded vectors (N x width, float32) as .npy\n",
            d.perplexity, d.n_iter, d.learning_rate > 0 ? d.learning_rate : 0, d.early_exaggeration,
            d.exaggeration_iter,
            d.method == GAT_TSNE_EXACT ? "exact" : d.method == GAT_TSNE_BARNES_HUT ? "bh" : "auto", d.theta,
            d.init == GAT_TSNE_INIT_PCA ? "pca" : "random", (unsigned long long)d.seed);
    fprintf(fp, "  --help                  this text\n");
}

/* Options each picture accepts (beyond the common ones). */
typedef struct { const char *name; int pictures; } opt_scope;
static const opt_scope scopes[] = {
    {"nodes", PIC_ATTENTION}, {"top", PIC_ATTENTION}, {"random", PIC_ATTENTION}, {"head", PIC_ATTENTION},
    {"layout", PIC_ATTENTION}, {"bins", PIC_ENTROPY}, {"csv", PIC_EMBEDDINGS}, {"perplexity", PIC_EMBEDDINGS},
    {"iterations", PIC_EMBEDDINGS}, {"learning_rate", PIC_EMBEDDINGS}, {"early_exaggeration", PIC_EMBEDDINGS},
    {"exaggeration_iter", PIC_EMBEDDINGS}, {"method", PIC_EMBEDDINGS}, {"theta", PIC_EMBEDDINGS},
    {"init", PIC_EMBEDDINGS}, {"no_metrics", PIC_EMBEDDINGS}, {"save_vectors", PIC_EMBEDDINGS},
};

/* 0: run, 1: help printed, -1: usage error printed. */
static int parse_vm_args(int argc, char **argv, int pic, vm_args *a) {
    memset(a, 0, sizeof *a);
    a->picture = pic;
    a->format = "png,svg";
    a->normalize = -1; /* not given: as the model file says */
    gat_tsne_options_default(&a->tsne);
    a->seed = (int64_t)a->tsne.seed;   /* one --seed: random nodes and layout too */
    a->bins = 30;
    a->n_top = 4;
    a->n_random = 4;
    a->iterations = a->tsne.n_iter;
    a->exaggeration_iter = a->tsne.exaggeration_iter;
    a->perplexity = a->tsne.perplexity;
    a->lr = a->tsne.learning_rate;
    a->exaggeration = a->tsne.early_exaggeration;
    a->theta = a->tsne.theta;
    a->scale = 2;
    a->graph = -1;
    a->label = -1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            vm_usage(stdout, pic);
            return 1;
        }
        for (size_t s = 0; s < sizeof scopes / sizeof *scopes; s++)
            if (gat_opt_is(argv[i], scopes[s].name) && !(scopes[s].pictures & pic)) {
                gat_cli_usage_error("option --%s does not apply to 'gat visualize %s' (see its --help)",
                                    scopes[s].name, picture_name(pic));
                return -1;
            }
        int r;
#define TRY(call) if ((r = (call)) != 0) { if (r < 0) return -1; continue; }
        TRY(gat_opt_str(argc, argv, &i, "model", &a->model));
        TRY(gat_opt_str(argc, argv, &i, "dataset_name", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "dataset", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &a->data_dir));
        TRY(gat_opt_bool(argc, argv, &i, "normalize_features", &a->normalize));
        TRY(gat_opt_str(argc, argv, &i, "out", &a->out));
        TRY(gat_opt_str(argc, argv, &i, "format", &a->format));
        TRY(gat_opt_float(argc, argv, &i, "scale", 0.25, 8, &a->scale));
        TRY(gat_opt_int(argc, argv, &i, "threads", 0, 1024, &a->threads));
        TRY(gat_opt_str(argc, argv, &i, "dump_attention", &a->dump));
        TRY(gat_opt_flag(argc, argv, &i, "quiet", &a->quiet));
        TRY(gat_opt_int(argc, argv, &i, "graph", 0, INT64_MAX, &a->graph));
        TRY(gat_opt_int(argc, argv, &i, "label", 0, INT64_MAX, &a->label));
        TRY(gat_opt_str(argc, argv, &i, "layer", &a->layer));
        TRY(gat_opt_int(argc, argv, &i, "seed", 0, INT64_MAX, &a->seed));
        TRY(gat_opt_str(argc, argv, &i, "nodes", &a->nodes));
        TRY(gat_opt_int(argc, argv, &i, "top", 0, 1000, &a->n_top));
        TRY(gat_opt_int(argc, argv, &i, "random", 0, 1000, &a->n_random));
        TRY(gat_opt_str(argc, argv, &i, "head", &a->head));
        TRY(gat_opt_str(argc, argv, &i, "layout", &a->layout));
        TRY(gat_opt_int(argc, argv, &i, "bins", 1, 1000, &a->bins));
        TRY(gat_opt_str(argc, argv, &i, "csv", &a->csv));
        TRY(gat_opt_float(argc, argv, &i, "perplexity", 1e-3, 1e6, &a->perplexity));
        TRY(gat_opt_int(argc, argv, &i, "iterations", 1, 1000000, &a->iterations));
        TRY(gat_opt_float(argc, argv, &i, "learning_rate", 0, 1e9, &a->lr));
        TRY(gat_opt_float(argc, argv, &i, "early_exaggeration", 1, 1e6, &a->exaggeration));
        TRY(gat_opt_int(argc, argv, &i, "exaggeration_iter", 0, 1000000, &a->exaggeration_iter));
        TRY(gat_opt_str(argc, argv, &i, "method", &a->method));
        TRY(gat_opt_float(argc, argv, &i, "theta", 0, 1, &a->theta));
        TRY(gat_opt_str(argc, argv, &i, "init", &a->init));
        TRY(gat_opt_flag(argc, argv, &i, "no_metrics", &a->no_metrics));
        TRY(gat_opt_str(argc, argv, &i, "save_vectors", &a->save_vectors));
#undef TRY
        if (argv[i][0] != '-' && !a->model) {
            a->model = argv[i];
            continue;
        }
        gat_cli_usage_error("gat visualize %s: unknown option '%s' (see 'gat visualize %s --help')", picture_name(pic),
                            argv[i], picture_name(pic));
        return -1;
    }
    if (!a->model) {
        gat_cli_usage_error("gat visualize %s: --model FILE is required (see 'gat visualize %s --help')",
                            picture_name(pic), picture_name(pic));
        return -1;
    }
    return 0;
}

/* A layer option: "all" (when allowed: -2), "last" (-1 -> n_layers-1) or 0..n_layers-1. */
static int parse_layer(const char *s, int n_layers, int allow_all, int *out, gat_error *err) {
    if (allow_all && !strcmp(s, "all")) { *out = -2; return 0; }
    if (!strcmp(s, "last")) { *out = n_layers - 1; return 0; }
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v >= n_layers)
        return gat_error_set(err, GAT_EINVAL, "option --layer: '%s' is not a layer of this model (0..%d%s)", s,
                             n_layers - 1, allow_all ? ", or all" : ", or last");
    *out = (int)v;
    return 0;
}

typedef struct {
    gat_model m;
    gat_model_meta meta;
    gat_dataset ds;                    /* what the pictures show: the dataset, or the chosen graphs of a collection */
    gat_dataset full;                  /* a collection: all of it (ds holds the chosen graphs) */
    gat_inspection ins;
    gat_graph_input info;
    gat_label_colouring col;           /* multi-label data: the node colours */
    gat_viz_options vo;
    char dir[1024];
    char dname[128];                   /* what is shown, for people ("Cora", "PPI graph 22 (test)") */
    char stem[128];                    /* file names start with it ("cora", "ppi_graph22") */
} vm_ctx;

static void vm_free(vm_ctx *c) {
    gat_inspection_free(&c->ins);
    gat_label_colouring_free(&c->col);
    gat_dataset_free(&c->ds);
    gat_dataset_free(&c->full);
    gat_model_free(&c->m);
}

/* A collection: keep the graphs the picture shows (--graph, else the first test graph; for
 * entropy every test graph) as c->ds, the whole collection as c->full. */
static int vm_select_graphs(const vm_args *a, vm_ctx *c, gat_error *err) {
    c->full = c->ds;
    memset(&c->ds, 0, sizeof c->ds);
    const gat_dataset *f = &c->full;
    char dname[64];
    gat_display_dataset_name(f->name, dname, sizeof dname);
    int64_t g = 0;
    const int64_t *graphs = &g, n = 1;
    int rc;
    if (a->graph < 0 && a->picture == PIC_ENTROPY && f->split_n_graphs[GAT_SPLIT_TEST] > 0) {
        graphs = f->split_graphs[GAT_SPLIT_TEST];
        const int64_t k = f->split_n_graphs[GAT_SPLIT_TEST];
        int len = snprintf(c->dname, sizeof c->dname, "%s, test graph%s", dname, k == 1 ? "" : "s");
        for (int64_t t = 0; t < k && len < (int)sizeof c->dname - 8; t++)
            len += snprintf(c->dname + len, sizeof c->dname - (size_t)len, "%s%lld", t ? ", " : " ", (long long)graphs[t]);
        snprintf(c->stem, sizeof c->stem, "%s_test_graphs", f->name);
        rc = gat_dataset_select_graphs(&c->ds, f, graphs, k, err);
    } else {
        if ((rc = gat_cli_collection_graph(f, a->graph, &g, err))) return rc;
        const int s = gat_cli_collection_split(f, g);
        snprintf(c->dname, sizeof c->dname, "%s graph %lld (%s)", dname, (long long)g,
                 s == 0 ? "train" : s == 1 ? "val" : s == 2 ? "test" : "no split");
        snprintf(c->stem, sizeof c->stem, "%s_graph%lld", f->name, (long long)g);
        rc = gat_dataset_select_graphs(&c->ds, f, graphs, n, err);
    }
    if (rc) return rc;
    if (!a->quiet)
        printf("%s: a collection of %lld graphs, %lld nodes; showing %s: %lld nodes, %lld edges\n", dname,
               (long long)f->n_graphs, (long long)f->n_nodes, c->dname, (long long)c->ds.n_nodes, (long long)c->ds.n_edges);
    return GAT_OK;
}

static int vm_open(const vm_args *a, vm_ctx *c, gat_error *err) {
    memset(c, 0, sizeof *c);
    gat_set_threads((int)a->threads);
    int rc = gat_cli_open_model(a->model, a->dataset, a->data_dir, a->normalize, &c->m, &c->meta, &c->ds, err);
    if (rc) return rc;
    if (c->ds.n_graphs > 0) {
        if ((rc = vm_select_graphs(a, c, err))) return rc;
    } else {
        if (a->graph >= 0)
            return gat_error_set(err, GAT_EINVAL, "--graph: %s is one graph, not a collection of graphs", c->ds.name);
        gat_display_dataset_name(c->ds.name, c->dname, sizeof c->dname);
        snprintf(c->stem, sizeof c->stem, "%s", c->ds.name);
    }
    if (a->label >= 0 && c->ds.task != GAT_TASK_MULTI_LABEL)
        return gat_error_set(err, GAT_EINVAL, "--label: %s is not multi-label (its nodes have one class each)", c->ds.name);
    if ((rc = gat_inspect(&c->ins, &c->m, &c->ds, err))) return rc;
    c->info = gat_graph_input_from_dataset(&c->ds);
    if (c->ds.task == GAT_TASK_MULTI_LABEL) {
        if ((rc = gat_label_colouring_init(&c->col, &c->ds, a->label, err))) return rc;
        gat_label_colouring_apply(&c->col, &c->info);
    }
    c->info.name = c->dname;
    c->vo.scale = a->scale;
    c->vo.seed = (uint64_t)a->seed;
    if (a->out) rc = gat_path_join(c->dir, sizeof c->dir, err, "%s", a->out);
    else rc = gat_path_join(c->dir, sizeof c->dir, err, "figures/%s", c->ds.name);
    if (!rc) rc = gat_cli_check_writable_dir(c->dir, err);
    return rc;
}

/* --dump-attention, after the pictures (so that bad picture options write nothing). */
static int dump_attention(const vm_args *a, vm_ctx *c, gat_error *err) {
    char extra[2][1024];
    int rc = gat_attention_save(&c->ins, a->dump, extra, err);
    if (rc) return rc;
    if (!a->quiet) {
        printf("Attention of %lld edges (%s) saved to %s", (long long)c->ins.graph.nnz,
               c->ins.graph.no_self_loops ? "the graph's own, no self loop added" : "self loops included", a->dump);
        if (extra[0][0]) {
            printf(" (columns:");
            for (int l = 0; l < c->ins.n_layers; l++)
                printf(" layer %d heads 0..%lld%s", l, (long long)c->ins.heads[l] - 1, l + 1 < c->ins.n_layers ? "," : ")");
            printf(", the edges (2, %lld) in %s and their input edge index (-1 for a self loop) in %s",
                   (long long)c->ins.graph.nnz, extra[0], extra[1]);
        }
        printf("\n");
    } else {
        printf("%s\n", a->dump);
        for (int k = 0; k < 2; k++)
            if (extra[k][0]) printf("%s\n", extra[k]);
    }
    return GAT_OK;
}

static void print_files(const gat_viz_result *res) {
    for (int k = 0; k < res->n_files; k++) printf("  %s\n", res->files[k]);
}

static const char *class_name(const vm_ctx *c, int64_t node, char *buf, size_t size) {
    int64_t y = c->info.labels ? c->info.labels[node] : -1;
    if (c->ds.task == GAT_TASK_MULTI_LABEL && c->ds.targets) { /* its labels, and its colour with --label */
        int64_t k = 0;
        for (int64_t j = 0; j < c->ds.n_classes; j++) k += c->ds.targets[node * c->ds.n_classes + j] > 0.5f;
        int len = snprintf(buf, size, "%lld label%s", (long long)k, k == 1 ? "" : "s");
        if (c->col.n_classes == 2 && y >= 0 && len > 0 && (size_t)len < size)
            snprintf(buf + len, size - (size_t)len, ", %s", c->col.names[y]);
        return buf;
    }
    if (y < 0) snprintf(buf, size, "no label");
    else if (c->info.class_names) gat_display_class_name(c->info.class_names[y], buf, size);
    else snprintf(buf, size, "class %lld", (long long)y);
    return buf;
}

static int run_attention(const vm_args *a, vm_ctx *c, gat_error *err) {
    int layer = 0, head = 0, rc0;
    if (a->layer && (rc0 = parse_layer(a->layer, c->ins.n_layers, 0, &layer, err))) return rc0;
    if (a->head) {
        char *end;
        long v = strtol(a->head, &end, 10);
        if (!strcmp(a->head, "mean")) head = GAT_HEAD_MEAN;
        else if (end == a->head || *end || v < 0 || v >= c->ins.heads[layer])
            return gat_error_set(err, GAT_EINVAL, "option --head: '%s' is not a head of layer %d (0..%lld, or mean)",
                                 a->head, layer, (long long)c->ins.heads[layer] - 1);
        else head = (int)v;
    }
    gat_star_layout lay = GAT_STAR_RT;
    if (a->layout) {
        if (!strcmp(a->layout, "kk")) lay = GAT_STAR_KK;
        else if (strcmp(a->layout, "rt")) return gat_error_set(err, GAT_EINVAL, "option --layout: '%s' is not rt or kk", a->layout);
    }
    int64_t nodes[1024], n_nodes = 0;
    if (a->nodes) {
        char buf[8192];
        snprintf(buf, sizeof buf, "%s", a->nodes);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char *end;
            long long v = strtoll(t, &end, 10);
            if (end == t || *end)
                return gat_error_set(err, GAT_EINVAL, "option --nodes: '%s' is not a node id", t);
            if (v < 0 || v >= c->ins.n_nodes)
                return gat_error_set(err, GAT_EINVAL, "option --nodes: node %lld is out of range, %s has %lld nodes (0..%lld)",
                                     v, c->full.n_graphs ? c->dname : c->ds.name, (long long)c->ins.n_nodes, (long long)c->ins.n_nodes - 1);
            if (n_nodes == 1024) return gat_error_set(err, GAT_EINVAL, "option --nodes: at most 1024 nodes");
            nodes[n_nodes++] = v;
        }
        if (!n_nodes) return gat_error_set(err, GAT_EINVAL, "option --nodes: no node ids in '%s'", a->nodes);
    } else {
        if (a->n_top + a->n_random == 0) return gat_error_set(err, GAT_EINVAL, "options --top and --random: both 0, no nodes to draw");
        n_nodes = gat_inspect_default_nodes(&c->ins.graph, a->n_top, a->n_random, (uint64_t)a->seed, nodes);
    }
    const gat_graph *g = &c->ins.graph;
    char hname[16];
    if (head == GAT_HEAD_MEAN) snprintf(hname, sizeof hname, "mean");
    else snprintf(hname, sizeof hname, "%d", head);
    if (!a->quiet)
        printf("%s: attention of layer %d, head %s (%lld head%s), %lld node%s\n", c->dname, layer, hname,
               (long long)c->ins.heads[layer], c->ins.heads[layer] == 1 ? "" : "s", (long long)n_nodes,
               n_nodes == 1 ? "" : "s");
    for (int64_t t = 0; t < n_nodes; t++) {
        const int64_t v = nodes[t], b = g->row_ptr[v], e = g->row_ptr[v + 1];
        double mn = INFINITY, mx = -INFINITY;
        for (int64_t k = b; k < e; k++) {
            double w = gat_inspect_att(&c->ins, layer, head, k);
            mn = fmin(mn, w);
            mx = fmax(mx, w);
        }
        char cls[128], stem[1400], loops[32];
        int64_t own = 0; /* entries of the node's own self loop(s): exactly one unless the model adds none */
        for (int64_t k = b; k < e; k++) own += g->src[k] == v;
        snprintf(loops, sizeof loops, own == 1 ? " + self loop" : own ? " + %lld self loops" : ", no self loop",
                 (long long)own);
        if (e == b) { /* possible without self loops: nothing to draw, the other nodes are */
            if (!a->quiet)
                printf("  node %lld (%s): no incoming edge, no attention to draw\n", (long long)v,
                       class_name(c, v, cls, sizeof cls));
            continue;
        }
        if (!a->quiet)
            printf("  node %lld (%s, %lld neighbour%s%s): min %.4f, max %.4f, uniform %.4f\n", (long long)v,
                   class_name(c, v, cls, sizeof cls), (long long)(e - b - own), e - b - own == 1 ? "" : "s", loops, mn, mx,
                   1.0 / (double)(e - b));
        gat_viz_result res;   /* this node's files */
        memset(&res, 0, sizeof res);
        int rc = gat_path_join(stem, sizeof stem, err, "%s/%s_attention_node%lld_layer%d_head%s", c->dir, c->stem,
                               (long long)v, layer, hname);
        if (!rc) rc = gat_viz_attention(&c->ins, &c->info, v, layer, head, lay, &c->vo, stem, &res, err);
        if (!rc && c->ins.heads[layer] > 1) {
            rc = gat_path_join(stem, sizeof stem, err, "%s/%s_attention_node%lld_layer%d_heads", c->dir, c->stem,
                               (long long)v, layer);
            if (!rc) rc = gat_viz_attention_heads(&c->ins, &c->info, v, layer, lay, &c->vo, stem, &res, err);
        }
        if (rc) return rc;
        print_files(&res);
    }
    return GAT_OK;
}

static int run_entropy(const vm_args *a, vm_ctx *c, gat_error *err) {
    int layer = -2, rc0;
    if (a->layer && (rc0 = parse_layer(a->layer, c->ins.n_layers, 1, &layer, err))) return rc0;
    const int64_t n = c->ins.n_nodes;
    double *h = malloc((size_t)n * sizeof *h), *u = malloc((size_t)n * sizeof *u);
    if (!h || !u) {
        free(h);
        free(u);
        return gat_error_set(err, GAT_ENOMEM, "out of memory");
    }
    int rc = GAT_OK;
    for (int l = 0; l < c->ins.n_layers && !rc; l++) {
        if (layer != -2 && l != layer) continue;
        if (!a->quiet) {
            printf("%s: attention entropy, layer %d (bits; mean over %lld nodes)\n", c->dname, l, (long long)n);
            gat_attention_entropy(&c->ins, l, 0, NULL, u);
            double mu = 0;
            for (int64_t i = 0; i < n; i++) mu += u[i];
            printf("  uniform attention  %.4f\n", mu / (double)n);
            for (int64_t hd = 0; hd < c->ins.heads[l]; hd++) {
                gat_attention_entropy(&c->ins, l, (int)hd, h, NULL);
                double mh = 0, gap = 0;
                for (int64_t i = 0; i < n; i++) {
                    mh += h[i];
                    gap += u[i] - h[i];
                }
                printf("  head %-3lld          %.4f (%.4f below uniform)\n", (long long)hd, mh / (double)n,
                       gap / (double)n);
            }
        }
        char stem[1400];
        gat_viz_result res;
        memset(&res, 0, sizeof res);
        rc = gat_path_join(stem, sizeof stem, err, "%s/%s_entropy_layer%d", c->dir, c->stem, l);
        if (!rc) rc = gat_viz_entropy(&c->ins, c->dname, l, (int)a->bins, &c->vo, stem, &res, err);
        if (!rc) print_files(&res);
    }
    free(h);
    free(u);
    return rc;
}

/* The folder an output file goes to exists and is writable (checked before long work). */
static int check_parent(const char *option, const char *path, gat_error *err) {
    char dir[1400];
    gat_cli_dirname(path, dir, sizeof dir);
    if (access(dir, W_OK) != 0)
        return gat_error_set(err, GAT_EIO, "option %s: %s: folder %s is missing or not writable: %s", option, path, dir,
                             strerror(errno));
    return GAT_OK;
}

static int run_embeddings(const vm_args *a, vm_ctx *c, gat_error *err) {
    int layer = c->ins.n_layers - 1, rc0;
    if (a->layer && (rc0 = parse_layer(a->layer, c->ins.n_layers, 0, &layer, err))) return rc0;
    /* outputs checked before the minutes t-SNE may take */
    if (a->csv && (rc0 = check_parent("--csv", a->csv, err))) return rc0;
    if (a->save_vectors && (rc0 = check_parent("--save-vectors", a->save_vectors, err))) return rc0;
    gat_tsne_options o = a->tsne;
    o.perplexity = a->perplexity;
    o.n_iter = (int)a->iterations;
    o.learning_rate = a->lr;
    o.early_exaggeration = a->exaggeration;
    o.exaggeration_iter = (int)a->exaggeration_iter;
    o.theta = a->theta;
    o.seed = (uint64_t)a->seed;
    if (a->method) {
        if (!strcmp(a->method, "auto")) o.method = GAT_TSNE_AUTO;
        else if (!strcmp(a->method, "exact")) o.method = GAT_TSNE_EXACT;
        else if (!strcmp(a->method, "bh") || !strcmp(a->method, "barnes-hut")) o.method = GAT_TSNE_BARNES_HUT;
        else return gat_error_set(err, GAT_EINVAL, "option --method: '%s' is not auto, exact or bh", a->method);
    }
    if (a->init) {
        if (!strcmp(a->init, "random")) o.init = GAT_TSNE_INIT_RANDOM;
        else if (!strcmp(a->init, "pca")) o.init = GAT_TSNE_INIT_PCA;
        else return gat_error_set(err, GAT_EINVAL, "option --init: '%s' is not random or pca", a->init);
    }
    const int64_t n = c->ins.n_nodes, d = c->ins.width[layer];
    if (!(o.perplexity < (double)(n - 1)))
        return gat_error_set(err, GAT_EINVAL, "option --perplexity: %g must be below the number of nodes - 1 (%lld)",
                             o.perplexity, (long long)(n - 1));
    const float *x = c->ins.out[layer];
    if (a->save_vectors) {
        gat_array v = {0};
        int64_t shape[2] = {n, d};
        int rc = gat_array_alloc(&v, GAT_DTYPE_F32, 2, shape, err);
        if (!rc) {
            memcpy(v.data, x, (size_t)(n * d) * sizeof(float));
            rc = gat_npy_write(a->save_vectors, &v, err);
        }
        gat_array_free(&v);
        if (rc) return rc;
        printf("  %s\n", a->save_vectors);
    }
    float *y = malloc((size_t)(2 * n) * sizeof *y + 1);
    if (!y) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    gat_tsne_stats st;
    const char *what = layer == c->ins.n_layers - 1 ? "output logits" : "hidden features";
    if (!a->quiet)
        printf("%s: t-SNE of the %s of layer %d (%lld x %lld), perplexity %g, %d iterations\n", c->dname, what, layer,
               (long long)n, (long long)d, o.perplexity, o.n_iter);
    int rc = gat_tsne_run(x, n, d, &o, y, &st, err);
    if (rc) goto done;
    double agree = NAN, trust = NAN;
    if (!a->no_metrics) {
        const int64_t *labels = c->info.labels;
        if (n > 21 && (rc = gat_trustworthiness(x, d, y, 2, n, 10, &trust, err))) goto done;
        if (labels && n > 11 && (!c->col.n_classes || a->label >= 0) && (rc = gat_knn_class_agreement(y, n, 2, labels, 10, &agree, err))) goto done;
    }
    if (!a->quiet) {
        printf("  %s, %d iterations in %.2f s (affinities %.2f s), KL %.4f\n",
               st.method == GAT_TSNE_EXACT ? "exact" : "Barnes-Hut", st.n_iter,
               st.seconds_affinities + st.seconds_optimize, st.seconds_affinities, st.kl);
        if (isfinite(trust)) printf("  trustworthiness@10 %.4f\n", trust);
        if (isfinite(agree)) printf("  kNN class agreement@10 %.4f (fraction of the 10 nearest points in 2-D of the same class)\n", agree);
    }
    char csv[1400], stem[1400], title[256], sub[320];
    if (a->csv) rc = gat_path_join(csv, sizeof csv, err, "%s", a->csv);
    else rc = gat_path_join(csv, sizeof csv, err, "%s/%s_tsne_layer%d.csv", c->dir, c->stem, layer);
    if (!rc) rc = gat_tsne_write_csv(csv, y, n, c->info.labels, err);
    if (rc) goto done;
    printf("  %s\n", csv);
    snprintf(title, sizeof title, "%s: t-SNE of the %s (layer %d, %lld nodes)", c->dname, what, layer, (long long)n);
    int sl = snprintf(sub, sizeof sub, "%s t-SNE, perplexity %g, %d iterations, seed %llu",
                      st.method == GAT_TSNE_EXACT ? "exact" : "Barnes-Hut", o.perplexity, st.n_iter,
                      (unsigned long long)o.seed);
    if (isfinite(trust)) sl += snprintf(sub + sl, sizeof sub - (size_t)sl, "; trustworthiness@10 %.3f", trust);
    if (isfinite(agree)) sl += snprintf(sub + sl, sizeof sub - (size_t)sl, "; kNN class agreement@10 %.3f", agree);
    if (c->col.n_classes && sl > 0 && (size_t)sl < sizeof sub)
        snprintf(sub + sl, sizeof sub - (size_t)sl, "; colour: %s", c->col.what);
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    rc = gat_path_join(stem, sizeof stem, err, "%s/%s_tsne_layer%d", c->dir, c->stem, layer);
    if (!rc) rc = gat_viz_embeddings(y, n, &c->info, title, sub, &c->vo, stem, &res, err);
    if (!rc) print_files(&res);
done:
    free(y);
    return rc;
}

int gat_cli_visualize_model(int argc, char **argv, const char *picture) {
    int pic = !strcmp(picture, "attention") ? PIC_ATTENTION : !strcmp(picture, "entropy") ? PIC_ENTROPY : PIC_EMBEDDINGS;
    vm_args a;
    int r = parse_vm_args(argc, argv, pic, &a);
    if (r) return r > 0 ? 0 : 2;
    vm_ctx c;
    memset(&c, 0, sizeof c);
    if (gat_cli_parse_formats(a.format, &c.vo.no_png, &c.vo.no_svg)) return 2;
    gat_viz_options formats = c.vo;
    gat_error err = {0};
    int rc = vm_open(&a, &c, &err);
    if (!rc && a.dump) rc = check_parent("--dump-attention", a.dump, &err);
    c.vo.no_png = formats.no_png;
    c.vo.no_svg = formats.no_svg;
    if (!rc) {
        if (pic == PIC_ATTENTION) rc = run_attention(&a, &c, &err);
        else if (pic == PIC_ENTROPY) rc = run_entropy(&a, &c, &err);
        else rc = run_embeddings(&a, &c, &err);
    }
    if (!rc && a.dump) rc = dump_attention(&a, &c, &err);
    vm_free(&c);
    return rc ? gat_cli_fail(&err) : 0;
}
