/* cmd_train.c - gat train: the command-line face of pytorch-GAT's training script. */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "gat/fileio.h"
#include "gat/memory.h"
#include <malloc.h>
#include "gat/plot_runs.h"
#include "gat/runlog.h"
#include "gat/viz_dataset.h"
#include "gat/train.h"

typedef struct {
    const char *dataset, *data_dir, *models_dir, *logdir;
    gat_train_options train;
    int should_test, enable_tensorboard, should_visualize, plot, normalize, quiet, threads, no_edges;
    int64_t console_log_freq, checkpoint_freq;  /* -1 until set: the defaults depend on the dataset */
    int64_t layers, heads[GAT_MAX_LAYERS], features[GAT_MAX_LAYERS + 1];
    int n_heads, n_features, skip, bias;
    int concat[GAT_MAX_LAYERS], n_concat; /* --concat_heads, 0 values: the default */
    double dropout;
    double feature_dropout, attention_dropout; /* -1: as --dropout */
    int projection_dropout;            /* -1 until set: true full batch, false on sampled mini-batches */
    double max_memory;                 /* bytes; 0 = what the machine has available */
    int64_t batch_size;                /* 0: full batch */
    const char *fanouts_arg;
    int64_t fanouts[GAT_MAX_LAYERS];
    int n_fanouts;
    int attention_impl;                /* gat_attention_impl */
    int node_order;                    /* gat_node_order of full-batch training on one graph */
    int attention_type;                /* gat_attention_type */
    int share_weights;                 /* gatv2: one projection for sources and targets */
    int add_self_loops;                /* one self loop per node (1, the default), or the edges as given */
    double negative_slope;             /* LeakyReLU slope of the attention scores */
} train_args;

/* The defaults printed come from the library's *_default() structs, the ones training uses. */
static void train_usage(FILE *fp) {
    const gat_train_options t = gat_train_options_default();
    const gat_config c = gat_config_default(1, 1);
    char heads[64] = "";
    for (int l = 0, n = 0; l < c.n_layers; l++) n += snprintf(heads + n, sizeof heads - (size_t)n, "%s%lld", l ? "," : "",
                                                              (long long)c.heads[l]);
    fprintf(fp,
        "usage: gat train [options]\n\n"
        "Train a GAT on a dataset, report validation accuracy (micro-F1 for multi-label data) as it\n"
        "goes, save checkpoints and the final model. Options take '-' or '_' alike (--should_test =\n"
        "--should-test).\n\n"
        "Defaults follow pytorch-GAT's two training scripts. For one graph (Cora, transductive) they are\n"
        "the ones listed below. For a multi-label collection of graphs (PPI, inductive) the PPI recipe is\n"
        "the default instead: 3 layers, 4,4,6 heads, 256,256,<labels> features, skip connections, bias,\n"
        "dropout 0, lr 0.005, weight decay 0, 200 epochs, patience 100, batch size 2, console every 10\n"
        "batches, a checkpoint every 5 epochs, features not normalised. Every option given overrides it.\n\n"
        "data:\n"
        "  --dataset_name, --dataset NAME  dataset folder under the data directory (default: cora)\n"
        "  --data-dir DIR                  folder holding the datasets (default: $GAT_DATA_DIR, ./data, ./datasets,\n"
        "                                  then gat's own data folder; 'gat --version' lists them)\n"
        "  --no_edges                      ignore the graph: every node attends to itself only (the baseline\n"
        "                                  that shows what the edges are worth)\n"
        "  --normalize_features BOOL       scale each feature row to sum 1 (default: true; PPI recipe: false)\n"
        );
    fprintf(fp,
        "training:\n"
        "  --num_of_epochs N               at most N epochs (default: %lld)\n"
        "  --patience_period N             stop when neither val accuracy nor val loss improved for N epochs (default: %lld)\n"
        "  --lr X                          Adam learning rate (default: %g)\n"
        "  --weight_decay X                L2 weight decay added to the gradient (default: %g)\n"
        "  --shards S                      split each step into S fixed shards whose gradients are added in order, so\n"
        "                                  that mpirun -np K gives the same model for any K (default: 0 = unsplit;\n"
        "                                  4 under mpirun; collections: one shard per graph of a step; sampled\n"
        "                                  mini-batches: S parts of a step's seeds, each sampled on its own)\n"
        "  --keep_best BOOL                end with the parameters of the best validation epoch, as the paper\n"
        "                                  evaluates; false ends with the last epoch's, as pytorch-GAT (default: %s)\n"
        "  --seed N                        initialisation and dropout seed; same seed, same bits (default: %llu)\n"
        "  --threads N                     worker threads, 0 = all cores (default: 0)\n"
        "model:\n"
        "  --num_of_layers N               GAT layers (default: %d)\n"
        "  --num_heads_per_layer LIST      heads per layer (default: %s; with another --num_of_layers, %lld per\n"
        "                                  hidden layer and %lld in the last)\n"
        "  --num_features_per_layer LIST   features per head per layer; the last is the number of classes; a leading\n"
        "                                  input width is accepted as in pytorch-GAT (1433,8,7) (default: %lld per\n"
        "                                  hidden layer, <classes> in the last)\n"
        "  --add_skip_connection           skip connections (default: %s)\n"
        "  --bias BOOL                     bias in every layer (default: %s)\n"
        "  --dropout P                     dropout on inputs, projections and attention (default: %g)\n"
        "  --concat_heads LIST             per layer, whether the heads are concatenated (width heads x features)\n"
        "                                  or averaged (width features), PyG GATConv's concat: true,false for 2\n"
        "                                  layers (default: true for hidden layers, false for the last)\n"
        "  --feature_dropout P             dropout on each layer's input and projection (default: --dropout)\n"
        "  --attention_dropout P           dropout on the attention coefficients, PyG GATConv's dropout\n"
        "                                  (default: --dropout)\n"
        "  --projection_dropout BOOL       the feature dropout on the projected features too, as pytorch-GAT and\n"
        "                                  the paper; false = only on the layer inputs, as a PyG model with\n"
        "                                  GATConv (default: true; false with sampled mini-batches of one graph,\n"
        "                                  where it learns several times faster)\n"
        "  --negative_slope X              LeakyReLU slope of the attention scores, in [0, 1) (default: %g)\n",
        (long long)t.max_epochs, (long long)t.patience, t.lr, t.weight_decay, t.keep_best ? "true" : "false",
        (unsigned long long)t.seed, c.n_layers, heads, (long long)c.heads[0], (long long)c.heads[c.n_layers - 1],
        (long long)c.features[0], c.skip ? "on" : "off", c.bias ? "true" : "false", (double)c.dropout,
        (double)c.slope);
    fprintf(fp,
        "  --attention_type gat|gatv2      attention scores: gat, LeakyReLU(a_src.Wx_j + a_dst.Wx_i) (Velickovic\n"
        "                                  et al.), or gatv2, a.LeakyReLU(Wx_j + W_dst x_i) (Brody et al. 2022,\n"
        "                                  PyG GATv2Conv: dynamic attention); stored in the model (default: gat)\n"
        "  --share_weights BOOL            gatv2: one projection for sources and targets, W_dst = W (default: false)\n"
        "  --add_self_loops BOOL           one self loop per node, the graph's own dropped (true, the default); false:\n"
        "                                  the edges as given, own self loops kept, a node without in-edges gets\n"
        "                                  only its bias (PyG GATConv add_self_loops=False)\n"
        "  --attention_impl fused|edges|dense  how attention is computed: fused loops (fast), per-edge scatter as\n"
        "                                  PyG, or N x N matrices as the paper's code (at most 5000 nodes); same\n"
        "                                  results, not stored in the model (default: fused). gatv2: fused is one\n"
        "                                  multi-threaded pass per target, edges as for gat, no dense\n"
        "mini-batches (for graphs too big for full-batch training):\n"
        "  --batch_size B                  one graph: train on sampled neighbourhoods of B seed nodes per step, as\n"
        "                                  GraphSAGE / PyG NeighborLoader; 0 = full batch (default: 0). A collection\n"
        "                                  of graphs: B whole training graphs per step, joined into one block-diagonal\n"
        "                                  graph, in an order shuffled every epoch from the seed (default: 2)\n"
        "  --fanouts LIST                  in-neighbours sampled per hop from the seeds, without replacement, one\n"
        "                                  per layer; -1 = all (default: 25,10,10,...)\n"
        "memory:\n"
        "  --node_order locality|input     full batch on one graph: renumber the nodes internally so that neighbours\n"
        "                                  are close (locality: faster on several threads, a renumbered copy of the\n"
        "                                  graph and input), or keep the dataset's order and no copy (input); results\n"
        "                                  are reported in the dataset's order either way (default: locality)\n"
        "  --max-memory SIZE               refuse to start when the estimated peak memory exceeds SIZE (bytes, or\n"
        "                                  with K, M, G, T: 8G) (default: the memory available, MemAvailable or the\n"
        "                                  cgroup limit)\n"
        "output:\n"
        "  --should_test                   evaluate on the test split at the end\n"
        "  --console_log_freq N            print validation accuracy every N epochs, 0 = never (default: 100;\n"
        "                                  collections: training micro-F1 every N batches, validation every epoch)\n"
        "  --checkpoint_freq N             save a checkpoint every N epochs, 0 = never (default: 1000), as\n"
        "                                  DIR/checkpoints/gat_<DATASET>_<NNNNNN>_ckpt_epoch_<N>.safetensors, NNNNNN\n"
        "                                  being the number of the run's final model\n"
        "  --models-dir DIR                checkpoints go to DIR/checkpoints, final models to DIR/binaries as\n"
        "                                  gat_<DATASET>_<NNNNNN>.safetensors, the next free number, reserved when\n"
        "                                  training starts (default: models)\n"
        "  --enable_tensorboard            write TensorBoard event files under --logdir\n"
        "  --logdir DIR                    where runs are logged (default: runs)\n"
        "  --should_visualize              print the network summary and draw the dataset (graph, degrees) into\n"
        "                                  figures/<dataset>/ before training, as 'gat visualize dataset'\n"
        "  --plot                          draw the loss and accuracy curves into the run folder (curves.png, .svg),\n"
        "                                  as 'gat plot RUN'\n"
        "  --quiet                         print only errors and the result, in one line\n"
        "  --help                          this text\n");
}

static int parse_train_args(int argc, char **argv, train_args *a) {
    memset(a, 0, sizeof *a);
    a->dataset = "cora";
    a->models_dir = "models";
    a->logdir = "runs";
    a->train = gat_train_options_default();   /* seed 1, as the library's default */
    /* -1 / 0: not given; apply_defaults fills them once the dataset is known */
    a->train.max_epochs = a->train.patience = a->train.batch_size = 0;
    a->train.lr = a->train.weight_decay = -1;
    a->normalize = -1;
    a->console_log_freq = -1;
    a->checkpoint_freq = -1;
    a->layers = 0;
    a->skip = -1;
    a->bias = -1;
    a->dropout = -1;
    a->feature_dropout = a->attention_dropout = -1;
    a->projection_dropout = -1;
    a->negative_slope = gat_config_default(1, 1).slope;
    a->add_self_loops = 1;
    for (int i = 0; i < argc; i++) {
        int r = 0, flag;
        int64_t v;
        double d;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            train_usage(stdout);
            exit(0);
        }
#define TRY(expr) if ((r = (expr)) != 0) { if (r < 0) return 2; continue; }
        TRY(gat_opt_str(argc, argv, &i, "dataset_name", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "dataset", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &a->data_dir));
        TRY(gat_opt_str(argc, argv, &i, "models_dir", &a->models_dir));
        TRY(gat_opt_str(argc, argv, &i, "logdir", &a->logdir));
        TRY(gat_opt_int(argc, argv, &i, "num_of_epochs", 1, 10000000, &a->train.max_epochs));
        TRY(gat_opt_int(argc, argv, &i, "patience_period", 1, 10000000, &a->train.patience));
        TRY(gat_opt_float(argc, argv, &i, "lr", 1e-12, 10, &a->train.lr));
        TRY(gat_opt_float(argc, argv, &i, "weight_decay", 0, 0.999, &a->train.weight_decay));
        TRY(gat_opt_int(argc, argv, &i, "console_log_freq", 0, 100000000, &a->console_log_freq));
        TRY(gat_opt_int(argc, argv, &i, "shards", 0, 1000000, &a->train.shards));
        TRY(gat_opt_int(argc, argv, &i, "checkpoint_freq", 0, 100000000, &a->checkpoint_freq));
        if ((r = gat_opt_int(argc, argv, &i, "seed", 0, INT64_MAX, &v)) != 0) {
            if (r < 0) return 2;
            a->train.seed = (uint64_t)v;
            continue;
        }
        if ((r = gat_opt_int(argc, argv, &i, "threads", 0, 1024, &v)) != 0) {
            if (r < 0) return 2;
            a->threads = (int)v;
            continue;
        }
        TRY(gat_opt_int(argc, argv, &i, "num_of_layers", 1, GAT_MAX_LAYERS, &a->layers));
        TRY(gat_opt_int_list(argc, argv, &i, "num_heads_per_layer", GAT_MAX_LAYERS, a->heads, &a->n_heads));
        TRY(gat_opt_int_list(argc, argv, &i, "num_features_per_layer", GAT_MAX_LAYERS + 1, a->features, &a->n_features));
        if ((r = gat_opt_float(argc, argv, &i, "dropout", 0, 0.99, &d)) != 0) {
            if (r < 0) return 2;
            a->dropout = d;
            continue;
        }
        TRY(gat_opt_bool_list(argc, argv, &i, "concat_heads", GAT_MAX_LAYERS, a->concat, &a->n_concat));
        TRY(gat_opt_float(argc, argv, &i, "feature_dropout", 0, 0.99, &a->feature_dropout));
        TRY(gat_opt_float(argc, argv, &i, "attention_dropout", 0, 0.99, &a->attention_dropout));
        if ((r = gat_opt_bool(argc, argv, &i, "keep_best", &flag)) != 0) {
            if (r < 0) return 2;
            a->train.keep_best = flag;
            continue;
        }
        TRY(gat_opt_int(argc, argv, &i, "batch_size", 0, INT64_MAX, &a->batch_size));
        TRY(gat_opt_str(argc, argv, &i, "fanouts", &a->fanouts_arg));
        TRY(gat_opt_float(argc, argv, &i, "negative_slope", 0, 0.999999, &a->negative_slope));
        const char *sv;
        if ((r = gat_opt_str(argc, argv, &i, "attention_impl", &sv)) != 0) {
            if (r < 0) return 2;
            if ((a->attention_impl = gat_attention_impl_parse(sv)) < 0)
                return gat_cli_usage_error("option --attention_impl: '%s' is not fused, edges or dense", sv);
            continue;
        }
        if ((r = gat_opt_str(argc, argv, &i, "node_order", &sv)) != 0) {
            if (r < 0) return 2;
            if ((a->node_order = gat_node_order_parse(sv)) < 0)
                return gat_cli_usage_error("option --node_order: '%s' is not locality or input", sv);
            continue;
        }
        if ((r = gat_opt_str(argc, argv, &i, "attention_type", &sv)) != 0) {
            if (r < 0) return 2;
            if ((a->attention_type = gat_attention_type_parse(sv)) < 0)
                return gat_cli_usage_error("option --attention_type: '%s' is not gat or gatv2", sv);
            continue;
        }
        if ((r = gat_opt_bool(argc, argv, &i, "share_weights", &flag)) != 0) {
            if (r < 0) return 2;
            a->share_weights = flag;
            continue;
        }
        if ((r = gat_opt_bool(argc, argv, &i, "add_self_loops", &flag)) != 0) {
            if (r < 0) return 2;
            a->add_self_loops = flag;
            continue;
        }
        if ((r = gat_opt_str(argc, argv, &i, "max_memory", &sv)) != 0) {
            if (r < 0) return 2;
            if (gat_memory_parse(sv, &a->max_memory) != 0 || a->max_memory <= 0)
                return gat_cli_usage_error("option --max-memory: '%s' is not a size (bytes, or with K, M, G, T: 8G)", sv);
            continue;
        }
        TRY(gat_opt_flag(argc, argv, &i, "add_skip_connection", &a->skip));
        TRY(gat_opt_bool(argc, argv, &i, "bias", &a->bias));
        TRY(gat_opt_bool(argc, argv, &i, "projection_dropout", &a->projection_dropout));
        TRY(gat_opt_bool(argc, argv, &i, "normalize_features", &a->normalize));
        TRY(gat_opt_flag(argc, argv, &i, "no_edges", &a->no_edges));
        TRY(gat_opt_flag(argc, argv, &i, "should_test", &a->should_test));
        TRY(gat_opt_flag(argc, argv, &i, "enable_tensorboard", &a->enable_tensorboard));
        TRY(gat_opt_flag(argc, argv, &i, "should_visualize", &a->should_visualize));
        TRY(gat_opt_flag(argc, argv, &i, "plot", &a->plot));
        TRY(gat_opt_flag(argc, argv, &i, "quiet", &a->quiet));
#undef TRY
        return gat_cli_usage_error("gat train: unknown option '%s' (see 'gat train --help')", argv[i]);
    }
    return 0;
}

/* The defaults of whatever was not given: pytorch-GAT's PPI recipe for a multi-label
 * collection of graphs, its Cora recipe otherwise. */
static void apply_defaults(train_args *a, const gat_dataset *ds) {
    const int ppi = ds->n_graphs > 0 && ds->task == GAT_TASK_MULTI_LABEL;
    const gat_train_options d = gat_train_options_default();
    const gat_config cd = gat_config_default(ds->n_features, ds->n_classes);
    if (!a->train.max_epochs) a->train.max_epochs = ppi ? 200 : d.max_epochs;
    if (!a->train.patience) a->train.patience = ppi ? 100 : d.patience;
    if (ds->n_graphs > 0) { /* --batch_size counts whole graphs; no neighbour sampling */
        a->train.batch_size = a->batch_size > 0 ? a->batch_size : d.batch_size;
        a->batch_size = 0;
    } else {
        a->train.batch_size = d.batch_size;
    }
    if (a->train.lr < 0) a->train.lr = d.lr;
    if (a->train.weight_decay < 0) a->train.weight_decay = ppi ? 0.0 : d.weight_decay;
    if (a->console_log_freq < 0) a->console_log_freq = ppi ? 10 : 100;
    if (a->checkpoint_freq < 0) a->checkpoint_freq = ppi ? 5 : 1000;
    if (!a->layers) a->layers = ppi ? 3 : cd.n_layers;
    if (a->skip < 0) a->skip = ppi ? 1 : cd.skip;
    if (a->bias < 0) a->bias = cd.bias;
    if (a->dropout < 0) a->dropout = ppi ? 0.0 : cd.dropout;
    /* sampled mini-batches: PyG GATConv's dropout (inputs and attention), as NeighborLoader users
     * train; dropping the projections too slows sampled training several times (README) */
    if (a->projection_dropout < 0) a->projection_dropout = !(ds->n_graphs == 0 && a->batch_size > 0);
    if (ppi && !a->n_heads && a->layers == 3) {
        a->heads[0] = 4, a->heads[1] = 4, a->heads[2] = 6;
        a->n_heads = 3;
    }
    if (ppi && !a->n_features && a->layers == 3) {
        a->features[0] = 256, a->features[1] = 256, a->features[2] = ds->n_classes;
        a->n_features = 3;
    }
}

/* The architecture from the options, checked against the dataset. */
static int build_config(const train_args *a, const gat_dataset *ds, gat_config *c, gat_error *err) {
    *c = gat_config_default(ds->n_features, ds->n_classes);
    const gat_config d = *c; /* the library's defaults: hidden layers as its first, the last as its last */
    c->n_layers = (int)a->layers;
    c->skip = a->skip;
    c->bias = a->bias;
    c->dropout = (float)a->dropout;
    c->feature_dropout = (float)a->feature_dropout;
    c->attention_dropout = (float)a->attention_dropout;
    c->no_projection_dropout = !a->projection_dropout;
    c->attention_impl = a->attention_impl;
    c->attention_type = a->attention_type;
    c->share_weights = a->share_weights;
    c->no_self_loops = !a->add_self_loops;
    c->slope = (float)a->negative_slope;
    if (a->n_heads) {
        if (a->n_heads != c->n_layers)
            return gat_error_set(err, GAT_EINVAL, "--num_heads_per_layer: %d values for %d layers", a->n_heads, c->n_layers);
        for (int l = 0; l < c->n_layers; l++) c->heads[l] = a->heads[l];
    } else {
        for (int l = 0; l < c->n_layers; l++) c->heads[l] = l == c->n_layers - 1 ? d.heads[d.n_layers - 1] : d.heads[0];
    }
    if (a->n_concat) {
        if (a->n_concat != c->n_layers)
            return gat_error_set(err, GAT_EINVAL, "--concat_heads: %d values for %d layers", a->n_concat, c->n_layers);
        for (int l = 0; l < c->n_layers; l++) c->concat_heads[l] = a->concat[l] ? GAT_HEADS_CONCAT : GAT_HEADS_MEAN;
    }
    if (a->n_features) {
        const int64_t *f = a->features;
        int n = a->n_features;
        if (n == c->n_layers + 1) { /* pytorch-GAT's form, input width first */
            if (f[0] != ds->n_features)
                return gat_error_set(err, GAT_EINVAL, "--num_features_per_layer: starts with %lld but dataset '%s' has %lld "
                                     "input features", (long long)f[0], ds->name, (long long)ds->n_features);
            f++;
            n--;
        }
        if (n != c->n_layers)
            return gat_error_set(err, GAT_EINVAL, "--num_features_per_layer: %d values for %d layers", a->n_features,
                                 c->n_layers);
        for (int l = 0; l < c->n_layers; l++) c->features[l] = f[l];
    } else {
        for (int l = 0; l < c->n_layers; l++) c->features[l] = l == c->n_layers - 1 ? ds->n_classes : d.features[0];
    }
    const int last = c->n_layers - 1;
    if (gat_config_concat(c, last) && c->heads[last] > 1 && gat_config_out_width(c, last) != ds->n_classes)
        return gat_error_set(err, GAT_EINVAL, "--concat_heads: the last layer concatenates %lld heads of %lld features, "
                             "%lld outputs, but dataset '%s' has %lld classes (average its heads, give it 1 head, or "
                             "heads x features = %lld with --num_features_per_layer)", (long long)c->heads[last],
                             (long long)c->features[last], (long long)gat_config_out_width(c, last), ds->name,
                             (long long)ds->n_classes, (long long)ds->n_classes);
    if (gat_config_out_width(c, last) != ds->n_classes)
        return gat_error_set(err, GAT_EINVAL, "--num_features_per_layer: the last layer has %lld features but dataset "
                             "'%s' has %lld classes", (long long)c->features[last], ds->name,
                             (long long)ds->n_classes);
    return gat_config_check(c, err);
}

typedef struct {
    const train_args *a;
    const char *upper;
    int collection;
    const char *score_name;            /* "accuracy" or "micro-F1" */
    const char *score_short;           /* "acc" or "micro-F1" */
    int multi;                         /* multi-label: micro-F1 where single-label data has accuracy */
    char ckpt_dir[4096];
    char number[16];                   /* the final model's reserved number, "000003": the run's id */
    gat_model_meta meta;
    gat_runlog log;
    int log_ok;                        /* 0 once the run log failed (warned once, training goes on) */
    int64_t ckpt_failed, ckpt_total;   /* checkpoints that could not be written (warned once) */
    char run_dir[4096];
} train_ctx;

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fputs("gat: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A logging failure (a full disk under --logdir) is reported once; training carries on. */
static void log_failed(train_ctx *t, const gat_error *err) {
    if (t->log_ok)
        warn("%s; training goes on without the run log (the model is still saved)", err->msg);
    t->log_ok = 0;
}

/* metrics.csv columns and TensorBoard tags, as the PyTorch script names them (the test
 * score goes to results.json and to TensorBoard as test_acc or test_micro_f1, not into the
 * per-epoch rows) */
static const char *metric_names[] = {"training_loss", "training_acc", "val_loss", "val_acc"};
static const char *metric_names_f1[] = {"training_loss", "training_micro_f1", "val_loss", "val_micro_f1"};

static int open_runlog(train_ctx *t, const gat_config *c, const gat_dataset *ds, int threads, const char *model_path,
                       gat_error *err) {
    const train_args *a = t->a;
    char concat[8 * GAT_MAX_LAYERS];
    gat_config_concat_format(c, concat, sizeof concat);
    const gat_param params[] = {
        {.key = "dataset_name", .type = GAT_PARAM_STRING, .s = ds->name},
        {.key = "dataset_path", .type = GAT_PARAM_STRING, .s = ds->path},
        {.key = "num_of_epochs", .type = GAT_PARAM_INT, .i = a->train.max_epochs},
        {.key = "patience_period", .type = GAT_PARAM_INT, .i = a->train.patience},
        {.key = "lr", .type = GAT_PARAM_FLOAT, .f = a->train.lr},
        {.key = "weight_decay", .type = GAT_PARAM_FLOAT, .f = a->train.weight_decay},
        {.key = "keep_best", .type = GAT_PARAM_BOOL, .i = a->train.keep_best},
        {.key = "seed", .type = GAT_PARAM_INT, .i = (int64_t)a->train.seed},
        {.key = "threads", .type = GAT_PARAM_INT, .i = threads},
        {.key = "num_of_layers", .type = GAT_PARAM_INT, .i = c->n_layers},
        {.key = "num_heads_per_layer", .type = GAT_PARAM_INT_LIST, .list = c->heads, .n = (size_t)c->n_layers},
        {.key = "num_features_per_layer", .type = GAT_PARAM_INT_LIST, .list = c->features, .n = (size_t)c->n_layers},
        {.key = "num_input_features", .type = GAT_PARAM_INT, .i = c->n_in},
        {.key = "add_skip_connection", .type = GAT_PARAM_BOOL, .i = c->skip},
        {.key = "bias", .type = GAT_PARAM_BOOL, .i = c->bias},
        {.key = "dropout", .type = GAT_PARAM_FLOAT, .f = c->dropout},
        {.key = "concat_heads", .type = GAT_PARAM_STRING, .s = concat},
        {.key = "feature_dropout", .type = GAT_PARAM_FLOAT, .f = gat_config_feature_dropout(c)},
        {.key = "attention_dropout", .type = GAT_PARAM_FLOAT, .f = gat_config_attention_dropout(c)},
        {.key = "projection_dropout", .type = GAT_PARAM_BOOL, .i = !c->no_projection_dropout},
        {.key = "negative_slope", .type = GAT_PARAM_FLOAT, .f = c->slope},
        {.key = "attention_impl", .type = GAT_PARAM_STRING, .s = gat_attention_impl_name(c->attention_impl)},
        {.key = "attention_type", .type = GAT_PARAM_STRING, .s = gat_attention_type_name(c->attention_type)},
        {.key = "node_order", .type = GAT_PARAM_STRING, .s = gat_node_order_name((gat_node_order)a->node_order)},
        {.key = "share_weights", .type = GAT_PARAM_BOOL, .i = c->share_weights},
        {.key = "add_self_loops", .type = GAT_PARAM_BOOL, .i = !c->no_self_loops},
        {.key = "normalize_features", .type = GAT_PARAM_BOOL, .i = a->normalize},
        {.key = "no_edges", .type = GAT_PARAM_BOOL, .i = a->no_edges},
        {.key = "should_test", .type = GAT_PARAM_BOOL, .i = a->should_test},
        {.key = "console_log_freq", .type = GAT_PARAM_INT, .i = a->console_log_freq},
        {.key = "checkpoint_freq", .type = GAT_PARAM_INT, .i = a->checkpoint_freq},
        {.key = "models_dir", .type = GAT_PARAM_STRING, .s = a->models_dir},
        {.key = "model_path", .type = GAT_PARAM_STRING, .s = model_path},
        {.key = "enable_tensorboard", .type = GAT_PARAM_BOOL, .i = a->enable_tensorboard},
        {.key = "batch_size", .type = GAT_PARAM_INT, .i = ds->n_graphs > 0 ? a->train.batch_size : a->batch_size},
        {.key = "fanouts", .type = GAT_PARAM_INT_LIST, .list = a->fanouts, .n = (size_t)a->n_fanouts},
        /* the split of a step that the bits depend on (0: unsplit; a collection: one per graph
         * of a step), and the processes that shared it, which they do not */
        {.key = "shards", .type = GAT_PARAM_INT,
         .i = ds->n_graphs > 0 ? a->train.batch_size
              : a->train.shards > 0 ? a->train.shards : a->train.comm ? GAT_DEFAULT_SHARDS : 0},
        {.key = "ranks", .type = GAT_PARAM_INT, .i = a->train.comm ? a->train.comm->size : 1},
    };
    gat_runlog_options o;
    memset(&o, 0, sizeof o);
    o.logdir = a->logdir;
    o.tensorboard = a->enable_tensorboard;
    o.metrics = ds->task == GAT_TASK_MULTI_LABEL ? metric_names_f1 : metric_names;
    o.n_metrics = (int)(sizeof metric_names / sizeof *metric_names);
    o.params = params;
    o.n_params = sizeof params / sizeof *params;
    o.step_offset = -1; /* TensorBoard steps count epochs from 0, as pytorch-GAT's do */
    return gat_runlog_open(&t->log, &o, err);
}

static int on_epoch(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err) {
    train_ctx *t = user;
    const train_args *a = t->a;
    if (!gat_comm_is_root(a->train.comm)) return GAT_OK; /* rank 0 alone prints, logs and checkpoints */
    if (t->collection) {
        if (!a->quiet && a->console_log_freq > 0)
            printf("GAT validation: time elapsed= %.2f [s] | epoch=%lld | val %s=%.3f | val loss=%.4f | train %s=%.3f\n",
                   r->elapsed, (long long)r->epoch, t->score_name, r->val.score, r->val.loss, t->score_name,
                   r->train.score);
    } else if (!a->quiet && a->console_log_freq > 0 && (r->epoch - 1) % a->console_log_freq == 0) {
        printf("GAT training: time elapsed= %.2f [s] | epoch=%lld | val %s=%.3f | val loss=%.4f | train %s=%.3f\n",
               r->elapsed, (long long)r->epoch, t->score_short, r->val.score, r->val.loss, t->score_short, r->train.score);
    }
    if (a->checkpoint_freq > 0 && r->epoch % a->checkpoint_freq == 0) {
        char path[4300];
        gat_error cerr = {0};
        fflush(stdout);
        int rc = gat_path_join(path, sizeof path, &cerr, "%s/gat_%s_%s_ckpt_epoch_%lld.safetensors", t->ckpt_dir,
                               t->upper, t->number, (long long)r->epoch);
        t->meta.epochs = r->epoch;
        t->meta.val_accuracy = r->val.score;
        if (!rc) rc = gat_model_save(path, m, &t->meta, &cerr);
        t->ckpt_total++;
        if (rc && t->ckpt_failed++ == 0)
            warn("%s; training goes on, later checkpoints are still tried (the final model is still saved)", cerr.msg);
    }
    if (t->log_ok) {
        double values[4] = {r->train.loss, r->train.score, r->val.loss, r->val.score};
        gat_error lerr = {0};
        if (gat_runlog_write_epoch(&t->log, r->epoch, values, &lerr)) log_failed(t, &lerr);
    }
    (void)err;
    return GAT_OK;
}

/* Collections: a training line every console_log_freq batches, as pytorch-GAT's PPI script. */
static int on_step(const gat_step_report *r, const gat_model *m, void *user, gat_error *err) {
    train_ctx *t = user;
    const train_args *a = t->a;
    if (!a->quiet && a->console_log_freq > 0 && (r->step - 1) % a->console_log_freq == 0)
        printf("GAT training: time elapsed= %.2f [s] | epoch=%lld | batch=%lld | train %s=%.3f | train loss=%.4f\n",
               r->elapsed, (long long)r->epoch, (long long)r->step, t->score_name, r->train.score, r->train.loss);
    return GAT_OK;
}

/* Temporaries and reservations left by runs that were killed: in the checkpoint and model
 * folders and in every run folder under logdir. */
static void sweep_stale(const char *ckpt_dir, const char *bin_dir, const char *logdir) {
    gat_sweep_stale_temps(ckpt_dir, NULL);
    gat_sweep_stale_temps(bin_dir, NULL);
    gat_sweep_stale_temps(logdir, NULL);
    DIR *d = opendir(logdir);
    struct dirent *e;
    char path[4400];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (snprintf(path, sizeof path, "%s/%s", logdir, e->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) gat_sweep_stale_temps(path, NULL);
    }
    if (d) closedir(d);
}

/* Resident bytes of this process now (the dataset is already loaded). */
static double resident_now(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    long long size = 0, res = 0;
    if (fp) {
        if (fscanf(fp, "%lld %lld", &size, &res) != 2) res = 0;
        fclose(fp);
    }
    return (double)res * 4096.0;
}

/* The peak resident memory of this process so far (VmHWM), bytes; 0 when unknown. */
static double peak_resident(void) {
    FILE *fp = fopen("/proc/self/status", "r");
    double kb = 0;
    if (fp) {
        char line[256];
        while (fgets(line, sizeof line, fp))
            if (sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
        fclose(fp);
    }
    return kb * 1024.0;
}

/* Estimate the run's peak memory (into *estimate), print it, and refuse with one line when it
 * does not fit. */
static int check_memory(const train_args *a, const gat_config *cfg, const gat_dataset *ds, double *estimate,
                        gat_error *err) {
    gat_run_shape run;
    memset(&run, 0, sizeof run);
    run.keep_best = a->train.keep_best;
    run.batch_size = a->batch_size;
    run.graphs_per_batch = ds->n_graphs > 0 ? a->train.batch_size : 0;
    run.input_order = a->node_order == GAT_NODE_ORDER_INPUT;
    for (int l = 0; l < a->n_fanouts; l++) run.fanouts[l] = a->fanouts[l];
    gat_memory_estimate est;
    int rc = gat_memory_estimate_dataset(cfg, ds, &run, &est, err);
    if (rc) return rc;
    *estimate = est.total;
    const int64_t avail = gat_memory_available();
    /* what is already resident (the dataset) is part of the estimate and no longer available */
    const double limit = a->max_memory > 0 ? a->max_memory : avail >= 0 ? (double)avail + resident_now() : INFINITY;
    char tot[32], par[32], act[32], gr[32], dat[32], lim[32];
    gat_memory_format(est.total, tot, sizeof tot);
    gat_memory_format(est.parameters + est.optimizer, par, sizeof par);
    /* sampled: a batch's buffers and inference's are not held at once */
    gat_memory_format(a->batch_size > 0 ? fmax(est.activations, est.inference) : est.activations, act, sizeof act);
    gat_memory_format(est.graph, gr, sizeof gr);
    gat_memory_format(est.dataset, dat, sizeof dat);
    gat_memory_format(limit, lim, sizeof lim);
    if (!a->quiet) {
        printf("Memory: about %s at peak (parameters and Adam state %s, activations %s, graph %s, dataset %s); %s %s\n",
               tot, par, act, gr, dat, lim, a->max_memory > 0 ? "allowed by --max-memory" : "available");
        fflush(stdout);
    }
    if (est.total <= limit) return GAT_OK;
    char hint[256];
    gat_problem_size *ps = malloc(sizeof *ps);
    if (!ps) return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
    if (a->batch_size > 0 && est.parameters + est.optimizer <= 0.5 * limit) {
        if ((rc = gat_problem_size_measure(cfg, ds, &run, ps, err))) goto done;
        int64_t b = gat_memory_suggest_batch(cfg, ps, &run, 0.9 * limit);
        if (b > 0) snprintf(hint, sizeof hint, "choose a smaller --batch_size (%lld fits) or smaller --fanouts", (long long)b);
        else snprintf(hint, sizeof hint, "even batches of 64 seeds do not fit: the dataset alone takes %s", dat);
    } else if (ds->n_graphs > 0 && est.parameters + est.optimizer <= 0.5 * limit) {
        /* a collection: the most whole graphs per step that fit */
        gat_run_shape r = run;
        gat_memory_estimate e2;
        int64_t fits = 0;
        for (r.graphs_per_batch = run.graphs_per_batch - 1; r.graphs_per_batch >= 1 && !fits; r.graphs_per_batch--) {
            if ((rc = gat_memory_estimate_dataset(cfg, ds, &r, &e2, err))) goto done;
            if (e2.total <= 0.9 * limit) fits = r.graphs_per_batch;
        }
        if (fits > 0) {
            snprintf(hint, sizeof hint, "choose fewer graphs per step (--batch_size %lld fits, now %lld)", (long long)fits,
                     (long long)run.graphs_per_batch);
        } else {
            char m2[32];
            r.graphs_per_batch = 1;
            if ((rc = gat_memory_estimate_dataset(cfg, ds, &r, &e2, err))) goto done;
            gat_memory_format(e2.total, m2, sizeof m2);
            snprintf(hint, sizeof hint, "even one graph per step needs about %s: choose fewer heads or features per "
                     "layer (--num_heads_per_layer, --num_features_per_layer)", m2);
        }
    } else if (est.parameters + est.optimizer > 0.5 * limit) {
        snprintf(hint, sizeof hint, "the parameters alone take %s: choose fewer heads or features per layer "
                 "(--num_heads_per_layer, --num_features_per_layer)", par);
    } else {
        gat_run_shape r = run;
        gat_memory_estimate e2;
        char m2[32];
        /* full batch in the dataset's own order, without the renumbered copy, may fit */
        if (!run.input_order && ds->n_graphs == 0) {
            r.input_order = 1;
            if ((rc = gat_memory_estimate_dataset(cfg, ds, &r, &e2, err))) goto done;
            if (e2.total <= limit) {
                gat_memory_format(e2.total, m2, sizeof m2);
                snprintf(hint, sizeof hint, "keep the dataset's node order instead, --node_order input (about %s, "
                         "without the renumbered copy of the graph and input)", m2);
                goto refuse;
            }
        }
        r.batch_size = 1024;
        for (int l = 0; l < cfg->n_layers; l++) r.fanouts[l] = 10;
        if ((rc = gat_problem_size_measure(cfg, ds, &r, ps, err))) goto done;
        int64_t b = gat_memory_suggest_batch(cfg, ps, &r, 0.8 * limit);
        r.batch_size = b > 0 ? (b > 1024 ? 1024 : b) : 64;
        gat_memory_estimate_sizes(cfg, ps, &r, &e2);
        gat_memory_format(e2.total, m2, sizeof m2);
        if (b > 0)
            snprintf(hint, sizeof hint, "train on sampled mini-batches instead, e.g. --batch_size %lld --fanouts %s "
                     "(about %s)", (long long)r.batch_size, cfg->n_layers == 2 ? "10,10" : "10,...", m2);
        else
            snprintf(hint, sizeof hint, "even sampled mini-batches of 64 nodes would need about %s (the dataset alone "
                     "takes %s)", m2, dat);
    }
refuse:
    rc = gat_error_set(err, GAT_ENOMEM, "%s: this run needs about %s at peak (parameters and Adam state %s, "
                       "activations %s, graph %s, dataset %s) but %s %s; %s",
                       a->max_memory > 0 ? "--max-memory" : "memory", tot, par, act, gr, dat, lim,
                       a->max_memory > 0 ? "are allowed" : "are available", hint);
done:
    free(ps);
    return rc;
}

int gat_cmd_train(int argc, char **argv) {
    train_args a;
    int rc = parse_train_args(argc, argv, &a);
    if (rc) return rc;
    gat_error err = {0};
    gat_dataset ds;
    gat_model m;
    gat_session s;
    memset(&ds, 0, sizeof ds);
    memset(&m, 0, sizeof m);
    memset(&s, 0, sizeof s);
    train_ctx t;
    memset(&t, 0, sizeof t);
    t.a = &a;
    char upper[64], bin_dir[4096], final_path[4300];
    int res_slot = 0, reserved = 0;
    gat_config cfg;
    int threads = gat_set_threads(a.threads);
    a.train.comm = gat_cli_comm();
    const int root = gat_comm_is_root(a.train.comm);

    /* Everything that can be checked is checked before training starts. */
    struct timespec tl0, tl1;
    clock_gettime(CLOCK_MONOTONIC, &tl0);
    if ((rc = gat_cli_open_dataset(&ds, a.dataset, a.data_dir, 0, &err))) goto fail;
    clock_gettime(CLOCK_MONOTONIC, &tl1);
    const double load_s = (double)(tl1.tv_sec - tl0.tv_sec) + 1e-9 * (double)(tl1.tv_nsec - tl0.tv_nsec);
    apply_defaults(&a, &ds);
    if (a.normalize < 0) a.normalize = !(ds.n_graphs > 0 && ds.task == GAT_TASK_MULTI_LABEL);
    if (a.normalize) gat_dataset_normalize_rows(&ds);
    if (a.no_edges) gat_dataset_drop_edges(&ds);
    if ((rc = gat_train_options_check(&a.train, &err))) goto fail;
    t.collection = ds.n_graphs > 0;
    t.score_name = ds.task == GAT_TASK_MULTI_LABEL ? "micro-F1" : "accuracy";
    t.score_short = ds.task == GAT_TASK_MULTI_LABEL ? "micro-F1" : "acc";
    t.multi = ds.task == GAT_TASK_MULTI_LABEL;
    if (t.collection) {
        a.train.on_step = on_step;
        a.train.step_user = &t;
    }
    gat_cli_upper(upper, sizeof upper, ds.name);
    t.upper = upper;
    if ((rc = build_config(&a, &ds, &cfg, &err))) goto fail;
    if (a.fanouts_arg && !a.batch_size) {
        rc = gat_error_set(&err, GAT_EINVAL, "--fanouts: only used with --batch_size B (sampled mini-batches)");
        goto fail;
    }
    if (ds.n_graphs == 0 && a.train.comm && a.train.comm->size > 1) {
        /* one graph: the ranks share the fixed shards of each step; every rank finds this alike,
         * rank 0 alone says so, before anything is written */
        const int64_t S = a.train.shards > 0 ? a.train.shards : GAT_DEFAULT_SHARDS;
        if (a.train.comm->size > S) {
            a.train.comm->failed_collectively = 1;
            rc = gat_error_set(&err, GAT_EINVAL, "%d processes but %lld shards per step: each process needs a shard of "
                               "every step (use --shards %d or more, or at most %lld processes)",
                               a.train.comm->size, (long long)S, a.train.comm->size, (long long)S);
            goto fail;
        }
    }
    if (ds.n_graphs == 0 && a.batch_size > 0 && (a.train.shards > 0 || a.train.comm)) {
        /* sampled: each shard is a part of a step's seeds */
        const int64_t S = a.train.shards > 0 ? a.train.shards : GAT_DEFAULT_SHARDS;
        const int64_t nt = ds.split_size[GAT_SPLIT_TRAIN], bs = a.batch_size < nt ? a.batch_size : nt;
        if (S > bs) {
            if (a.train.comm) a.train.comm->failed_collectively = 1;
            rc = gat_error_set(&err, GAT_EINVAL, "--shards: %lld shards per step but %lld seed nodes per step "
                               "(--batch_size%s): each shard needs seeds", (long long)S, (long long)bs,
                               bs < a.batch_size ? ", capped at the training nodes" : "");
            goto fail;
        }
    }
    if (a.batch_size > 0) {
        if (a.fanouts_arg) {
            if ((rc = gat_fanouts_parse(a.fanouts_arg, a.fanouts, GAT_MAX_LAYERS, &a.n_fanouts, &err))) goto fail;
            if (a.n_fanouts != cfg.n_layers) {
                rc = gat_error_set(&err, GAT_EINVAL, "--fanouts: %d values for %d layers", a.n_fanouts, cfg.n_layers);
                goto fail;
            }
        } else {
            a.n_fanouts = cfg.n_layers;
            for (int l = 0; l < cfg.n_layers; l++) a.fanouts[l] = l == 0 ? 25 : 10;
        }
        /* batches allocate and free their buffers every step: keep freed memory returned to the system */
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    }
    if ((rc = gat_path_join(t.ckpt_dir, sizeof t.ckpt_dir, &err, "%s/checkpoints", a.models_dir))) goto fail;
    if ((rc = gat_path_join(bin_dir, sizeof bin_dir, &err, "%s/binaries", a.models_dir))) goto fail;
    if (a.checkpoint_freq > 0 && (rc = gat_cli_check_writable_dir(t.ckpt_dir, &err))) goto fail;
    if ((rc = gat_cli_check_writable_dir(bin_dir, &err))) goto fail;
    if (root) sweep_stale(t.ckpt_dir, bin_dir, a.logdir);
    if (a.should_visualize && root) {
        gat_viz_options vo;
        memset(&vo, 0, sizeof vo);
        vo.seed = a.train.seed;
        if ((rc = gat_cli_visualize_dataset(&ds, &vo, NULL, a.quiet ? GAT_CLI_VIZ_QUIET : 0, &err))) goto fail;
    }
    double estimate = 0;
    if ((rc = check_memory(&a, &cfg, &ds, &estimate, &err))) goto fail;
    if ((rc = gat_model_init(&m, &cfg, a.train.seed, &err))) goto fail;
    if (a.batch_size > 0) rc = gat_session_init_sampled(&s, &ds, &m, a.fanouts, &err);
    else rc = gat_session_init_order(&s, &ds, &m, (gat_node_order)a.node_order, &err);
    if (rc) goto fail;
    /* The final name is reserved now, so that concurrent runs in the same folders never pick
     * the same one; its number names this run's checkpoints. Under mpirun rank 0 alone
     * reserves, logs, checkpoints and saves. */
    if (root) {
        char prefix[80];
        snprintf(prefix, sizeof prefix, "gat_%s_", upper);
        /* above the numbers of checkpoints too: a run killed before saving its model keeps its checkpoints */
        int64_t first = gat_max_number(t.ckpt_dir, prefix, 6) + 1;
        if ((rc = gat_reserve_name(final_path, sizeof final_path, bin_dir, prefix, ".safetensors", 6, first, &res_slot,
                                   &err)))
            goto fail;
        reserved = 1;
        const char *num = final_path + strlen(final_path) - strlen(".safetensors") - 6;
        snprintf(t.number, sizeof t.number, "%.6s", num);
    }
    if (root) {
        gat_error lerr = {0};
        t.log_ok = 1;
        if (open_runlog(&t, &cfg, &ds, threads, final_path, &lerr)) log_failed(&t, &lerr);
        else snprintf(t.run_dir, sizeof t.run_dir, "%s", t.log.dir);
    }
    snprintf(t.meta.dataset, sizeof t.meta.dataset, "%s", ds.name);
    if (strlen(t.run_dir) < sizeof t.meta.run) memcpy(t.meta.run, t.run_dir, strlen(t.run_dir) + 1);
    t.meta.normalize = a.normalize ? GAT_NORMALIZE_ROWS : GAT_NORMALIZE_NONE;
    t.meta.task = (int)ds.task + 1;
    t.meta.seed = a.train.seed;
    t.meta.test_accuracy = NAN;
    if (!a.quiet) {
        char dname[64];
        gat_display_dataset_name(ds.name, dname, sizeof dname);
        if (t.collection)
            printf("Dataset %s: %lld graphs (train/val/test %lld/%lld/%lld), %lld nodes (%lld/%lld/%lld), %lld edges, "
                   "%lld features (%s), %lld %s; batches of %lld graphs; loaded in %.2f s\n",
                   dname, (long long)ds.n_graphs, (long long)ds.split_n_graphs[0], (long long)ds.split_n_graphs[1],
                   (long long)ds.split_n_graphs[2], (long long)ds.n_nodes, (long long)ds.split_size[0],
                   (long long)ds.split_size[1], (long long)ds.split_size[2], (long long)ds.n_edges,
                   (long long)ds.n_features, ds.dense_features ? "dense" : "sparse", (long long)ds.n_classes,
                   ds.task == GAT_TASK_MULTI_LABEL ? "labels (multi-label)" : "classes", (long long)a.train.batch_size, load_s);
        else
            printf("Dataset %s: %lld nodes, %lld edges, %lld features (%s), %lld %s; train/val/test %lld/%lld/%lld; "
                   "loaded in %.2f s\n",
                   dname, (long long)ds.n_nodes, (long long)ds.n_edges, (long long)ds.n_features,
                   ds.dense_features ? "dense" : "sparse", (long long)ds.n_classes,
                   ds.task == GAT_TASK_MULTI_LABEL ? "labels (multi-label)" : "classes", (long long)ds.split_size[0],
                   (long long)ds.split_size[1], (long long)ds.split_size[2], load_s);
        printf("GAT: %d layers, heads", cfg.n_layers);
        for (int l = 0; l < cfg.n_layers; l++) printf("%s%lld", l ? "," : " ", (long long)cfg.heads[l]);
        printf(", features");
        for (int l = 0; l < cfg.n_layers; l++) printf("%s%lld", l ? "," : " ", (long long)cfg.features[l]);
        printf(", %zu parameters, dropout %g", m.n_weights, (double)cfg.dropout);
        if (gat_config_feature_dropout(&cfg) != cfg.dropout || gat_config_attention_dropout(&cfg) != cfg.dropout)
            printf(" (features %g, attention %g)", (double)gat_config_feature_dropout(&cfg),
                   (double)gat_config_attention_dropout(&cfg));
        if (cfg.no_projection_dropout && gat_config_feature_dropout(&cfg) > 0) printf(" (projections not dropped)");
        if (cfg.no_self_loops) printf(", no self loops added");
        printf(", skip %s, %d thread%s, seed %llu\n", cfg.skip ? "on" : "off", threads, threads == 1 ? "" : "s", (unsigned long long)a.train.seed);
        if (a.batch_size > 0) {
            printf("Sampled mini-batches: %lld seed nodes per step (%lld steps per epoch), fanouts", (long long)a.batch_size,
                   (long long)((ds.split_size[GAT_SPLIT_TRAIN] + a.batch_size - 1) / a.batch_size));
            for (int l = 0; l < a.n_fanouts; l++) printf("%s%lld", l ? "," : " ", (long long)a.fanouts[l]);
            printf(" (without replacement; -1 = all)");
            if (a.train.shards > 0 || a.train.comm)
                printf(", each step's seeds in %lld parts sampled apart",
                       (long long)(a.train.shards > 0 ? a.train.shards : GAT_DEFAULT_SHARDS));
            printf("; validation and test exact (layer-wise inference)\n");
        }
        fflush(stdout);
    }

    gat_train_result res;
    if (a.batch_size > 0) a.train.batch_size = a.batch_size; /* seed nodes per step */
    /* CPU time of the training loop, every thread (beside its wall time: on a shared machine
     * the two differ) */
    struct timespec tc0, tc1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &tc0);
    rc = gat_train(&m, &s, &a.train, on_epoch, &t, &res, &err);
    if (rc) goto fail;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &tc1);
    const double train_cpu = (double)(tc1.tv_sec - tc0.tv_sec) + 1e-9 * (double)(tc1.tv_nsec - tc0.tv_nsec);
    char trained[256];
    snprintf(trained, sizeof trained, "Trained %lld epochs in %.2f s (%.3f ms/epoch); best validation %s %.4f at epoch %lld%s",
             (long long)res.epochs, res.seconds, 1e3 * res.seconds / (double)res.epochs, t.score_name, res.best_val.score,
             (long long)res.best_epoch, a.train.keep_best ? " (kept)" : "");
    if (!a.quiet) {
        if (res.reason == GAT_STOP_PATIENCE)
            printf("Stopping the training at epoch %lld: neither validation %s nor loss improved for %lld epochs.\n",
                   (long long)res.epochs, t.score_name, (long long)a.train.patience);
        else
            printf("Stopping the training: reached the maximum of %lld epochs.\n", (long long)a.train.max_epochs);
        printf("%s\n", trained);
        printf("CPU time of the training: %.2f s (%.3f ms/epoch, all threads)\n", train_cpu,
               1e3 * train_cpu / (double)res.epochs);
    }
    gat_metrics val, test = {.loss = NAN, .score = NAN};
    if ((rc = gat_evaluate_split_comm(&m, &s, GAT_SPLIT_VAL, a.train.comm, &val, &err))) goto fail;
    if (!a.quiet && a.train.comm && res.steps > 0)
        printf("MPI: %d rank%s, %lld shards per step, rank 0 sent %.2f MB per step\n", a.train.comm->size,
               a.train.comm->size == 1 ? "" : "s",
               (long long)(t.collection ? a.train.batch_size : a.train.shards ? a.train.shards : GAT_DEFAULT_SHARDS),
               (double)a.train.comm->bytes_sent / 1e6 / (double)res.steps);
    t.meta.epochs = res.epochs;
    t.meta.best_epoch = res.best_epoch;
    t.meta.val_accuracy = val.score;
    if (a.should_test) {
        if ((rc = gat_evaluate_split_comm(&m, &s, GAT_SPLIT_TEST, a.train.comm, &test, &err))) goto fail;
        t.meta.test_accuracy = test.score;
        if (!a.quiet) printf("Test %s = %.4f\n", t.score_name, test.score);
        gat_error lerr = {0};
        if (t.log_ok && gat_runlog_write_scalar(&t.log, t.multi ? "test_micro_f1" : "test_acc", res.epochs - 1, test.score, &lerr))
            log_failed(&t, &lerr);
    }
    /* the measured peak beside the estimate printed before training */
    const double peak = peak_resident();
    if (!a.quiet && peak > 0) {
        char pk[32], es[32];
        gat_memory_format(peak, pk, sizeof pk);
        gat_memory_format(estimate, es, sizeof es);
        printf("Peak memory: %s resident (estimated %s)\n", pk, es);
    }
    /* --quiet: the result in one line */
    if (a.quiet && a.should_test) printf("%s; test %s %.4f\n", trained, t.score_name, test.score);
    else if (a.quiet) printf("%s\n", trained);
    if (!root) goto done; /* the other ranks have nothing to write */
    /* The model first: nothing after this may lose it. */
    if ((rc = gat_model_save(final_path, &m, &t.meta, &err))) goto fail;
    gat_release_name(final_path, res_slot);
    reserved = 0;
    if (t.ckpt_failed)
        warn("%lld of %lld checkpoints could not be written", (long long)t.ckpt_failed, (long long)t.ckpt_total);
    if (t.log.dir) {
        gat_error lerr = {0};
        if (gat_runlog_close(&t.log, &lerr)) log_failed(&t, &lerr);
    }
    if (t.log_ok) {
        /* what the run ended with, beside its config.json (metrics.csv holds one row per epoch) */
        const gat_param results[] = {
            {.key = "epochs", .type = GAT_PARAM_INT, .i = res.epochs},
            {.key = "stop_reason", .type = GAT_PARAM_STRING,
             .s = res.reason == GAT_STOP_PATIENCE ? "patience" : "max_epochs"},
            {.key = "best_epoch", .type = GAT_PARAM_INT, .i = res.best_epoch},
            {.key = t.multi ? "best_val_micro_f1" : "best_val_acc", .type = GAT_PARAM_FLOAT, .f = res.best_val.score},
            {.key = "best_val_loss", .type = GAT_PARAM_FLOAT, .f = res.best_val.loss},
            {.key = "kept_best", .type = GAT_PARAM_BOOL, .i = a.train.keep_best},
            {.key = t.multi ? "val_micro_f1" : "val_acc", .type = GAT_PARAM_FLOAT, .f = val.score},
            {.key = "val_loss", .type = GAT_PARAM_FLOAT, .f = val.loss},
            {.key = t.multi ? "test_micro_f1" : "test_acc", .type = GAT_PARAM_FLOAT, .f = test.score},
            {.key = "test_loss", .type = GAT_PARAM_FLOAT, .f = test.loss},
            {.key = "train_seconds", .type = GAT_PARAM_FLOAT, .f = res.seconds},
            {.key = "train_cpu_seconds", .type = GAT_PARAM_FLOAT, .f = train_cpu},
            {.key = "peak_memory_bytes", .type = GAT_PARAM_FLOAT, .f = peak},
            {.key = "estimated_memory_bytes", .type = GAT_PARAM_FLOAT, .f = estimate},
            {.key = "model", .type = GAT_PARAM_STRING, .s = final_path},
        };
        gat_error lerr = {0};
        if (gat_run_write_results(t.run_dir, results, sizeof results / sizeof *results, &lerr)) log_failed(&t, &lerr);
    }
    if (!a.quiet && t.log_ok)
        printf("Run logged to %s (metrics.csv, config.json, results.json%s%s)\n", t.run_dir,
               a.enable_tensorboard ? ", TensorBoard events; view with: tensorboard --logdir " : "",
               a.enable_tensorboard ? a.logdir : "");
    if (a.plot && t.log_ok) {
        const char *runs[1] = {t.run_dir};
        char stem[4200], files[2][1024];
        int n_files = 0;
        gat_plot_options po = {.smooth = 0.6};
        gat_error perr = {0};
        if (gat_path_join(stem, sizeof stem, &perr, "%s/curves", t.run_dir) ||
            gat_plot_runs(runs, 1, stem, &po, files, &n_files, &perr))
            warn("%s; no training curves", perr.msg);
        else if (!a.quiet)
            printf("Training curves drawn to %s and %s\n", files[0], files[1]);
    }
    if (!a.quiet) printf("Model saved to %s\n", final_path);
done:
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
    return 0;
fail:
    if (reserved) gat_release_name(final_path, res_slot);
    if (t.log.dir) {
        gat_error ignored = {0};
        gat_runlog_close(&t.log, &ignored);
    }
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
    return gat_cli_fail(&err);
}
