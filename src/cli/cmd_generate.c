/* cmd_generate.c - gat generate <kind>: synthetic datasets in the dataset layout.
 *
 * One entry per kind in `kinds` below; each takes the arguments after its name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/graphgen.h"
#include "gat/lookupgen.h"
#include "gat/ppigen.h"

/* What every kind shares: its name, its usage text, and --out, --seed, --quiet, --help. */
typedef struct {
    const char *out;
    uint64_t *seed;
    int quiet;
} common_options;

/* One kind's own options: as the gat_opt_* parsers, 1 when argv[*i] was one (and taken), 0 when
 * not, -1 after an error was printed. */
typedef int (*kind_option_fn)(int argc, char **argv, int *i, void *opts);

/* Reads the arguments of `gat generate KIND`. Returns 0 to go on, 1 after --help (printed to
 * stdout: exit 0), 2 after an error (printed: exit 2). */
static int parse_kind(const char *kind, int argc, char **argv, void (*usage)(FILE *), kind_option_fn own,
                      void *opts, common_options *c) {
    for (int i = 0; i < argc; i++) {
        int r;
        int64_t v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 1;
        }
        if ((r = gat_opt_str(argc, argv, &i, "out", &c->out)) == 0 && (r = own(argc, argv, &i, opts)) == 0 &&
            (r = gat_opt_flag(argc, argv, &i, "quiet", &c->quiet)) == 0 &&
            (r = gat_opt_int(argc, argv, &i, "seed", 0, INT64_MAX, &v)) > 0)
            *c->seed = (uint64_t)v;
        if (r < 0) return 2;
        if (r == 0)
            return gat_cli_usage_error("gat generate %s: unknown option '%s' (see 'gat generate %s --help')", kind,
                                       argv[i], kind);
    }
    if (!c->out) return gat_cli_usage_error("gat generate %s: --out DIR is required (see 'gat generate %s --help')",
                                            kind, kind);
    return 0;
}

/* Chains one kind's option parsers: the first that takes argv[*i] (or fails) ends the chain. */
#define TRY(expr) if ((r = (expr)) != 0) return r

static void graph_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat generate graph --out DIR [options]\n\n"
        "Write one synthetic node-classification graph in the dataset layout (features.npz or\n"
        "features.npy, edge_index.npy, labels.npy, train/val/test_index.npy, class_names.txt,\n"
        "generated.json). Power-law degrees, classes with homophily, features informative of the\n"
        "class with noise. The same options and seed give the same files on any thread count.\n"
        "Memory O(nodes); edges and feature rows are streamed to disk (10^7 nodes / 1.5*10^8\n"
        "edges take a few minutes and under 1 GB).\n\n"
        "  --out DIR             the dataset folder to write (created; then 'gat train --data-dir PARENT\n"
        "                        --dataset NAME' reads it)\n"
        "  --nodes N             nodes (default: 10000)\n"
        "  --avg-degree X        mean in-degree = directed edges / nodes (default: 15)\n"
        "  --max-degree N        largest expected degree (default: sqrt(avg-degree * nodes))\n"
        "  --exponent X          power-law exponent of the degree distribution, > 2 (default: 2.5)\n"
        "  --classes N           classes, uniform (default: 16)\n"
        "  --homophily X         share of edges whose ends have the same class (default: 0.8)\n"
        "  --features N          feature columns (default: 300)\n"
        "  --dense               dense float features (features.npy) instead of sparse 0/1 (features.npz)\n"
        "  --density X           sparse: mean share of nonzero columns per row (default: 0.05)\n"
        "  --noise X             sparse: share of a row's nonzeros placed at random instead of in its\n"
        "                        class's columns (default: 0.9); dense: standard deviation of the\n"
        "                        Gaussian noise added to the class's indicator (default: 1)\n"
        "  --train-per-class N   Planetoid-like training split: N nodes per class (default: 20)\n"
        "  --train-size X        instead, X training nodes (a fraction of the nodes when X < 1)\n"
        "  --val-size X          validation nodes, or a fraction when < 1 (default: 500)\n"
        "  --test-size X         test nodes, or a fraction when < 1 (default: 1000)\n"
        "  --seed N              seed (default: 1)\n"
        "  --quiet               print nothing but errors\n"
        "  --help                this text\n");
}

static int graph_option(int argc, char **argv, int *i, void *opts) {
    gat_graphgen_options *o = opts;
    int r;
    TRY(gat_opt_int(argc, argv, i, "nodes", 2, (int64_t)1 << 40, &o->n_nodes));
    TRY(gat_opt_float(argc, argv, i, "avg_degree", 0, 1e6, &o->avg_degree));
    TRY(gat_opt_int(argc, argv, i, "max_degree", 1, (int64_t)1 << 40, &o->max_degree));
    TRY(gat_opt_float(argc, argv, i, "exponent", 2.000001, 10, &o->exponent));
    TRY(gat_opt_int(argc, argv, i, "classes", 1, 65536, &o->n_classes));
    TRY(gat_opt_float(argc, argv, i, "homophily", 0, 1, &o->homophily));
    TRY(gat_opt_int(argc, argv, i, "features", 1, 1000000, &o->n_features));
    TRY(gat_opt_flag(argc, argv, i, "dense", &o->dense));
    TRY(gat_opt_float(argc, argv, i, "density", 1e-9, 1, &o->density));
    TRY(gat_opt_float(argc, argv, i, "noise", 0, 1e6, &o->noise));
    TRY(gat_opt_int(argc, argv, i, "train_per_class", 1, (int64_t)1 << 40, &o->train_per_class));
    TRY(gat_opt_float(argc, argv, i, "train_size", 1e-12, 1e12, &o->train_size));
    TRY(gat_opt_float(argc, argv, i, "val_size", 1e-12, 1e12, &o->val_size));
    TRY(gat_opt_float(argc, argv, i, "test_size", 1e-12, 1e12, &o->test_size));
    return 0;
}

static int generate_graph(int argc, char **argv) {
    gat_graphgen_options o = gat_graphgen_options_default();
    common_options c = {.seed = &o.seed};
    int rc = parse_kind("graph", argc, argv, graph_usage, graph_option, &o, &c);
    if (rc) return rc == 1 ? 0 : rc;
    const char *out = c.out;
    const int quiet = c.quiet;
    gat_error err = {0};
    gat_graphgen_stats st;
    rc = gat_graphgen_write(out, &o, &st, &err);
    if (rc) return gat_cli_fail(&err);
    if (!quiet)
        printf("Wrote %s: %lld nodes, %lld edges (max in-degree %lld, homophily %.3f), %lld %s features (%lld nonzeros), "
               "%lld classes; train/val/test %lld/%lld/%lld; %.2f s\n",
               out, (long long)o.n_nodes, (long long)st.n_edges, (long long)st.max_degree, st.homophily,
               (long long)o.n_features, o.dense ? "dense" : "sparse", (long long)st.feature_nnz, (long long)o.n_classes,
               (long long)st.split_size[0], (long long)st.split_size[1], (long long)st.split_size[2], st.seconds);
    return 0;
}

static void ppi_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat generate ppi-like --out DIR [options]\n\n"
        "Write a synthetic collection of graphs shaped like PPI, in the PPI folder format of DGL and\n"
        "pytorch-GAT ({train,valid,test}_graph.json node-link JSON, _feats.npy, _labels.npy,\n"
        "_graph_id.npy, plus generated.json): 24 graphs (20/2/2) of about 2,400 nodes at scale 1,\n"
        "about 28 directed edges per node, 50 features (42 %% of the nodes all-zero), 121 labels\n"
        "(30 %% positive). Labels follow each node's neighbourhood (latent communities), so a\n"
        "GAT that uses the edges beats a model that does not. The same options give the same files.\n"
        "Then: gat train --data-dir PARENT --dataset NAME (NAME = the folder's name).\n\n"
        "  --out DIR               the dataset folder to write (created)\n"
        "  --scale X               nodes per graph x X, at least 8 (default: 1, ~57,000 nodes)\n"
        "  --graphs A,B,C          graphs of train, valid, test (default: 20,2,2)\n"
        "  --avg-degree X          directed edges per node (default: 28)\n"
        "  --homophily X           share of edges inside a latent community (default: 0.85)\n"
        "  --features N            feature columns (default: 50)\n"
        "  --zero-share X          share of nodes with all-zero features (default: 0.42)\n"
        "  --labels N              labels per node (default: 121)\n"
        "  --positive X            mean share of positive labels (default: 0.30)\n"
        "  --seed N                seed (default: 1)\n"
        "  --quiet                 print nothing but errors\n"
        "  --help                  this text\n");
}

static int ppi_option(int argc, char **argv, int *i, void *opts) {
    gat_ppigen_options *o = opts;
    int r, n;
    int64_t g[3];
    TRY(gat_opt_float(argc, argv, i, "scale", 1e-6, 1000, &o->scale));
    TRY(gat_opt_float(argc, argv, i, "avg_degree", 0, 10000, &o->avg_degree));
    TRY(gat_opt_float(argc, argv, i, "homophily", 0, 1, &o->homophily));
    TRY(gat_opt_int(argc, argv, i, "features", 1, 100000, &o->n_features));
    TRY(gat_opt_float(argc, argv, i, "zero_share", 0, 0.999, &o->zero_share));
    TRY(gat_opt_int(argc, argv, i, "labels", 1, 100000, &o->n_labels));
    TRY(gat_opt_float(argc, argv, i, "positive", 1e-6, 0.66, &o->positive));
    if ((r = gat_opt_int_list(argc, argv, i, "graphs", 3, g, &n)) <= 0) return r;
    if (n != 3) {
        gat_cli_usage_error("--graphs: three counts (train,valid,test), got %d", n);
        return -1;
    }
    for (int s = 0; s < 3; s++) o->graphs[s] = g[s];
    return 1;
}

static int generate_ppi(int argc, char **argv) {
    gat_ppigen_options o = gat_ppigen_options_default();
    common_options c = {.seed = &o.seed};
    int rc = parse_kind("ppi-like", argc, argv, ppi_usage, ppi_option, &o, &c);
    if (rc) return rc == 1 ? 0 : rc;
    const char *out = c.out;
    const int quiet = c.quiet;
    gat_error err = {0};
    gat_ppigen_stats st;
    rc = gat_ppigen_write(out, &o, &st, &err);
    if (rc) return gat_cli_fail(&err);
    if (!quiet)
        printf("Wrote %s: %lld graphs, %lld nodes (train/valid/test %lld/%lld/%lld), %lld undirected links "
               "(%.1f directed edges per node), %lld features (%.1f %% of nodes all-zero), %lld labels (%.1f %% positive); "
               "%.2f s\n",
               out, (long long)st.n_graphs, (long long)st.n_nodes, (long long)st.split_nodes[0],
               (long long)st.split_nodes[1], (long long)st.split_nodes[2], (long long)st.n_links,
               2.0 * (double)st.n_links / (double)st.n_nodes, (long long)o.n_features, 100 * st.zero_share,
               (long long)o.n_labels, 100 * st.positive, st.seconds);
    return 0;
}

static void lookup_usage(FILE *fp) {
    const gat_lookupgen_options d = gat_lookupgen_options_default();
    fprintf(fp,
        "usage: gat generate dictionary-lookup --out DIR [options]\n\n"
        "Write the DictionaryLookup task of Brody, Alon and Yahav (ICLR 2022), where attention must\n"
        "be dynamic: INSTANCES disjoint complete bipartite graphs, K keys -> K queries each. Key i has\n"
        "the id i and a value (a random permutation of 0..K-1 per instance); query i has the id i and\n"
        "the label of key i's value (K classes). Features (dense, 2K): one-hot id, and for keys the\n"
        "one-hot value. Only queries are in the splits: the first instances train, then validation,\n"
        "then test. GAT ranks the keys alike for every query and cannot solve it; GATv2 can\n"
        "(gat train --attention_type gatv2). The same options and seed give the same files.\n\n"
        "  --out DIR             the dataset folder to write (created)\n"
        "  --keys K              keys (= queries = classes) per instance (default: %lld)\n"
        "  --instances N         instances (default: %lld)\n"
        "  --val-fraction X      share of the instances for validation (default: %g)\n"
        "  --test-fraction X     share of the instances for test (default: %g)\n"
        "  --seed N              seed of the value permutations (default: %llu)\n"
        "  --quiet               print nothing but errors\n"
        "  --help                this text\n",
        (long long)d.keys, (long long)d.instances, d.val_fraction, d.test_fraction, (unsigned long long)d.seed);
}

static int lookup_option(int argc, char **argv, int *i, void *opts) {
    gat_lookupgen_options *o = opts;
    int r;
    TRY(gat_opt_int(argc, argv, i, "keys", 2, 1000, &o->keys));
    TRY(gat_opt_int(argc, argv, i, "instances", 3, 10000000, &o->instances));
    TRY(gat_opt_float(argc, argv, i, "val_fraction", 1e-9, 0.999999, &o->val_fraction));
    TRY(gat_opt_float(argc, argv, i, "test_fraction", 1e-9, 0.999999, &o->test_fraction));
    return 0;
}

static int generate_lookup(int argc, char **argv) {
    gat_lookupgen_options o = gat_lookupgen_options_default();
    common_options c = {.seed = &o.seed};
    int rc = parse_kind("dictionary-lookup", argc, argv, lookup_usage, lookup_option, &o, &c);
    if (rc) return rc == 1 ? 0 : rc;
    const char *out = c.out;
    const int quiet = c.quiet;
    gat_error err = {0};
    gat_lookupgen_stats st;
    if (gat_lookupgen_write(out, &o, &st, &err)) return gat_cli_fail(&err);
    if (!quiet)
        printf("Wrote %s: %lld instances of %lld keys and %lld queries, %lld nodes, %lld edges, %lld classes; "
               "train/val/test %lld/%lld/%lld queries\n", out, (long long)o.instances, (long long)o.keys,
               (long long)o.keys, (long long)st.n_nodes, (long long)st.n_edges, (long long)o.keys,
               (long long)st.split_size[0], (long long)st.split_size[1], (long long)st.split_size[2]);
    return 0;
}

#undef TRY

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} generate_kind;

static const generate_kind kinds[] = {
    {"graph", generate_graph, "one large graph: power-law degrees, classes with homophily, informative features"},
    {"ppi-like", generate_ppi, "a collection of graphs shaped like PPI (multi-label), in the PPI folder format"},
    {"dictionary-lookup", generate_lookup, "keys and queries where attention must be dynamic (GATv2 vs GAT)"},
};

static void usage(FILE *fp) {
    fprintf(fp, "usage: gat generate <kind> [options]\n\nWrite a synthetic dataset in the dataset layout.\n\nkinds:\n");
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) fprintf(fp, "  %-18s %s\n", kinds[i].name, kinds[i].help);
    fprintf(fp, "\n'gat generate <kind> --help' lists its options with their defaults.\n");
}

int gat_cmd_generate(int argc, char **argv) {
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(argv[0], kinds[i].name)) return kinds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "gat: error: gat generate: unknown kind '%s' (kinds:", argv[0]);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) fprintf(stderr, " %s", kinds[i].name);
    fprintf(stderr, "; see 'gat generate --help')\n");
    return 2;
}
