/* memory.h - how much memory a training run will take, before any of it is spent.
 *
 * gat_memory_estimate adds up every buffer a run allocates and touches, from the sizes alone:
 * the dataset as loaded (features, edge list, labels), the graph structure, the parameters
 * with their gradients and best-epoch copy, Adam's two moments, the forward/backward buffers
 * (of the whole graph in full-batch mode, of one sampled batch in sampled mode, of the largest
 * batch of whole graphs for a collection), the
 * layer-wise inference buffers, and a fixed allowance for the program and its libraries.
 * The peak is the larger of the loading peak (the dataset plus the loader's temporary copies)
 * and the training peak; in sampled mode a batch's buffers are freed before inference runs,
 * so the training peak holds the larger of the two. It is within 20 % of the peak resident
 * memory measured on the benchmark graphs (bench/scale.sh --memory); when the dataset is
 * given (gat_memory_estimate_dataset), full-batch plans are sized from the real receptive
 * fields of the splits, and sampled batches from the graph's degree profile (the expected
 * distinct nodes each hop's draws reach) with inference sized from the evaluation splits'
 * receptive fields.
 *
 * gat_memory_available reads what the machine can give: MemAvailable of /proc/meminfo, or
 * the cgroup's memory limit minus its usage when that is smaller (cgroup v2 memory.max, v1
 * memory.limit_in_bytes). */
#ifndef GAT_MEMORY_H
#define GAT_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "gat/dataset.h"
#include "gat/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_MEMORY_BINS 160

/* The sizes a run depends on. */
typedef struct gat_problem_size {
    int64_t n_nodes, n_edges;          /* input edges (self loops are added on top) */
    int64_t n_features;
    int64_t feature_nnz;               /* nonzeros of sparse features; -1 for dense */
    int64_t n_classes;
    int64_t split_size[3];
    int edges_mapped;                  /* edge_index.npy is memory-mapped (no loader copies) */
    int features_mapped;               /* the features are used in place from their file (no loader copies) */
    /* Nodes computed per layer by the training and validation plans (full-batch mode);
     * 0 = unknown, take every node. targets[l] for l < n_layers, then rows0 at [n_layers]. */
    int64_t train_plan[GAT_MAX_LAYERS + 1], val_plan[GAT_MAX_LAYERS + 1];
    int64_t train_plan_nnz;            /* feature nonzeros of the training plan's rows0 */
    /* Sampled mode: mean in-neighbours a node draws at each hop, from the degree distribution
     * (seeds uniform, later hops reached along edges, so weighted by degree); 0 = unknown,
     * bound by the fanout. Used when there is no degree profile. */
    double hop_draws[GAT_MAX_LAYERS];
    /* Sampled mode: the degree profile of the graph (gat_memory_estimate_dataset fills it):
     * nodes binned by out-degree (exact below 32, then bins 10 % wide), each bin's node count,
     * mean out-degree and mean draws min(in-degree, fanout) per hop for `fanouts`. A batch's
     * nodes per hop follow from it: a draw lands on node i with probability out_degree(i) / E,
     * so after D draws node i is reached with probability 1 - exp(-D out_degree(i) / E). */
    int n_bins;                        /* 0: no profile */
    int64_t profile_fanouts[GAT_MAX_LAYERS];
    double seed_draws;                 /* mean draws of a training node at the first hop */
    double total_out;                  /* sum of the out-degrees (self loops excluded) */
    double bin_count[GAT_MEMORY_BINS], bin_out[GAT_MEMORY_BINS], bin_draws[GAT_MAX_LAYERS][GAT_MEMORY_BINS];
    /* Sampled mode: nodes per layer of the larger evaluation plan (validation or test), in
     * the full graph, as train_plan; 0 = unknown, take every node. */
    int64_t eval_plan[GAT_MAX_LAYERS + 1];
    int multi_label;                   /* targets are (N, C) floats, not (N) labels */
    /* A collection of graphs (n_graphs > 0; gat_problem_size_measure fills the rest): training
     * takes run->graphs_per_batch whole graphs per step and evaluation one graph at a time, so
     * the buffers are those of the largest step batch, not of all N nodes. */
    int64_t n_graphs;
    int64_t split_nodes, split_edges;  /* nodes and edges of the graphs of the three splits */
    int64_t batch_nodes, batch_entries, batch_xnnz; /* the largest training batch (each the sum over
                                        * its largest graphs; entries = edges + self loops) */
    int64_t step_nodes, step_entries, step_xnnz; /* the activations' capacity: the larger of that
                                        * batch and the largest single graph of any split */
} gat_problem_size;

typedef struct gat_run_shape {
    int keep_best;                     /* a copy of the best parameters is kept */
    int64_t batch_size;                /* 0: full batch; otherwise seed nodes per sampled batch */
    int64_t fanouts[GAT_MAX_LAYERS];   /* per hop, from the seeds outwards; -1 = all */
    int64_t graphs_per_batch;          /* a collection of graphs: whole graphs per training step (0: gat_train's
                                        * default, 2) */
    int input_order;                   /* full batch: the nodes kept in the dataset's order (GAT_NODE_ORDER_INPUT),
                                        * so no renumbered copy of the graph and input */
} gat_run_shape;

/* Bytes, per part, and the peak. */
typedef struct gat_memory_estimate {
    double parameters;                 /* parameters, gradients, best copy */
    double optimizer;                  /* Adam moments */
    double activations;                /* forward/backward buffers (whole graph, or the largest batch) */
    double inference;                  /* layer-wise inference buffers (sampled mode); a batch's buffers
                                        * are freed before inference runs, so the peak takes the larger */
    double graph;                      /* graph structure (and the sampler's node map) */
    double dataset;                    /* features, edge list, labels and splits as loaded */
    double loading;                    /* peak while loading (dataset + temporary copies) */
    double overhead;                   /* the program and its libraries */
    double total;                      /* the estimated peak */
    int64_t batch_nodes, batch_edges;  /* sampled mode: expected nodes and edges of a full batch */
} gat_memory_estimate;

/* Estimate from sizes. cfg must have passed gat_config_check. */
void gat_memory_estimate_sizes(const gat_config *cfg, const gat_problem_size *ps, const gat_run_shape *run,
                               gat_memory_estimate *out);
/* The same for a loaded dataset: the sizes are read from it, and in full-batch mode the
 * plans' receptive fields are computed from its edge list (O(layers * E) time, O(N) bytes). */
int gat_memory_estimate_dataset(const gat_config *cfg, const gat_dataset *ds, const gat_run_shape *run,
                                gat_memory_estimate *out, gat_error *err);
/* The sizes of a loaded dataset for a run (gat_problem_size_of), with what
 * gat_memory_estimate_dataset measures: the full-batch plans' receptive fields, or in
 * sampled mode the degree profile for the run's fanouts and the evaluation plans. */
int gat_problem_size_measure(const gat_config *cfg, const gat_dataset *ds, const gat_run_shape *run,
                             gat_problem_size *out, gat_error *err);
/* Bytes this process can still allocate; -1 when unknown. */
int64_t gat_memory_available(void);
/* The largest sampled batch size (a power of two, 64..65536) whose estimate is at most budget
 * bytes, with the run's fanouts (or 10 per hop when run has none); 0 when none fits. */
int64_t gat_memory_suggest_batch(const gat_config *cfg, const gat_problem_size *ps, const gat_run_shape *run,
                                 double budget);
/* "1.23 GB", "456 MB", "12 kB" (powers of 1000). */
void gat_memory_format(double bytes, char *buf, size_t size);
/* Parse a size: bytes, or with a suffix k/K, M, G, T (powers of 1024: "8G", "512M", "1.5G").
 * Returns 0 and sets *out, or -1. */
int gat_memory_parse(const char *s, double *out);
/* Fill ps from a loaded dataset (no plans). */
void gat_problem_size_of(const gat_dataset *ds, gat_problem_size *ps);

#ifdef __cplusplus
}
#endif
#endif
