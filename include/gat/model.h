/* model.h - a Graph Attention Network: configuration, parameters, forward and backward.
 *
 * Layer l has heads[l] heads of features[l] features. It concatenates its heads (width
 * heads[l]*features[l]) or averages them (width features[l]), as concat_heads[l] says: by
 * default hidden layers concatenate and the last averages. Its input width is n_in for the
 * first layer and the previous layer's width after; hidden layers apply ELU, the last none
 * (its width is the number of classes). Each layer:
 *   dropout(x) -> z = x W -> dropout(z) -> scores -> masked softmax over incoming edges
 *   -> dropout(attention) -> aggregate -> (+ skip) -> concat/mean -> + bias -> ELU (hidden).
 * The input and projection dropouts use cfg.feature_dropout, the attention dropout
 * cfg.attention_dropout (PyTorch Geometric GATConv's `dropout`); each is cfg.dropout unless set.
 * The dropout of the projections z is pytorch-GAT's (and the paper's); PyTorch Geometric's
 * GATConv has none (its model drops the inputs, GATConv the attention): cfg.no_projection_dropout.
 *
 * Dropout masks are a pure function of (seed, training step, layer, site) and of what they drop:
 *   layer inputs and projections: element (node, column), node = the row's global id
 *     (gat_input.node_ids, identity when NULL), index node * width + column, so sparse and
 *     dense copies of the same features get the same input mask and a batch of any rows in
 *     any order gets, per node, the mask a full pass draws for it;
 *   attention coefficients: (graph entry, head), index entry * H + head, where the entries
 *     are those of the graph passed (CSR by target, each row's self loop first unless the
 *     graph was built without self loops): on the full
 *     graph that is (target node, position within its row, head); a pass on a sub-graph draws
 *     other attention masks.
 *
 * All parameters live in one contiguous float buffer; gradients mirror it. The tensors carry
 * the names and (file) shapes of the PyTorch project pytorch-GAT's state_dict:
 *   gat_net.<l>.linear_proj.weight  (H*F, K)   stored here transposed, as W (K, H*F)
 *   gat_net.<l>.scoring_fn_target   (1, H, F)  a_dst
 *   gat_net.<l>.scoring_fn_source   (1, H, F)  a_src
 *   gat_net.<l>.bias                (H*F) concatenating, (F) averaging when cfg.bias
 *   gat_net.<l>.skip_proj.weight    (H*F, K)   stored transposed      when cfg.skip
 * A GATv2 layer (cfg.attention_type = GAT_ATTENTION_GATV2, PyG GATv2Conv) has instead of the
 * two scoring vectors:
 *   gat_net.<l>.linear_proj.weight         (H*F, K)  W, PyG lin_l: messages and source term
 *   gat_net.<l>.linear_proj_target.weight  (H*F, K)  W_dst, PyG lin_r: target term (absent,
 *                                                    W_dst = W, when cfg.share_weights)
 *   gat_net.<l>.scoring_fn                 (1, H, F) a, PyG att
 * and computes e_ij = a . LeakyReLU(z_j + t_i), z = dropout(x W), t = dropout(x W_dst) (the
 * target projection's mask is a dropout site of its own, GAT_DROPOUT_PROJ_DST). Its
 * activations add t and its mask (N*H*F each), its backward buffers dt (N*H*F): memory stays
 * O(N*F + nnz*H), the per-edge vectors z_j + t_i are recomputed, not stored.
 * With skip connections a layer whose F equals its input width K adds its input unchanged
 * (identity, broadcast over heads); its skip_proj.weight exists for file compatibility but
 * is not used or trained. Such unused tensors sit at the end of the buffer, after the
 * n_trainable floats the optimiser updates.
 *
 * Memory: parameters O(sum K*H*F); activations O(N*(K + H*F) + nnz*H) per layer. */
#ifndef GAT_MODEL_H
#define GAT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/ops.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GAT_MAX_LAYERS 8

/* Floats in a 64-byte cache line. Each parameter tensor starts on one (n_params and
 * n_trainable count the padding), and so does each activation array. */
#define GAT_LINE_FLOATS 16
/* n floats rounded up to whole cache lines */
static inline size_t gat_line_round(size_t n) {
    return (n + GAT_LINE_FLOATS - 1) / GAT_LINE_FLOATS * GAT_LINE_FLOATS;
}

/* How the layers compute attention: a run-time choice that changes the speed and the memory,
 * not the values (the three agree to float rounding) nor the model file, which does not
 * record it. */
typedef enum {
    GAT_ATTENTION_FUSED = 0,           /* fused loops per target over the CSR graph (layer.c, kernels.h):
                                          the default, O(N*F + nnz*H) memory, multi-threaded */
    GAT_ATTENTION_EDGES = 1,           /* per-edge scores, scatter softmax and scatter-add, as PyTorch
                                          Geometric does it (attention_edges.c); teaching code, one thread */
    GAT_ATTENTION_DENSE = 2            /* an N x N masked score matrix per head, as the paper's own code
                                          (attention_dense.c); teaching code, O(N^2) memory and time */
} gat_attention_impl;
/* The dense implementation holds 4 N x N float matrices; it refuses more nodes than this. */
#define GAT_DENSE_MAX_NODES 5000
/* "fused", "edges", "dense"; parse returns -1 for anything else. */
const char *gat_attention_impl_name(int impl);
int gat_attention_impl_parse(const char *name);

/* How a layer combines its heads (gat_config.concat_heads). */
#define GAT_HEADS_DEFAULT 0
#define GAT_HEADS_CONCAT 1
#define GAT_HEADS_MEAN (-1)

/* What the attention scores are: part of the model (model files record it as metadata
 * "attention"). */
typedef enum {
    GAT_ATTENTION_GAT = 0,             /* Velickovic et al. 2018: e_ij = LeakyReLU(a_src . z_j + a_dst . z_i),
                                          static attention (the ranking of the sources is the same for
                                          every target) */
    GAT_ATTENTION_GATV2 = 1            /* Brody, Alon, Yahav 2022 (PyG GATv2Conv):
                                          e_ij = a . LeakyReLU(z_j + t_i), z = x W (lin_l, the messages),
                                          t = x W_dst (lin_r): dynamic attention */
} gat_attention_type;
/* "gat", "gatv2"; parse returns -1 for anything else. */
const char *gat_attention_type_name(int type);
int gat_attention_type_parse(const char *name);

typedef struct gat_config {
    int n_layers;
    int64_t n_in;                      /* input features */
    int64_t heads[GAT_MAX_LAYERS];
    int64_t features[GAT_MAX_LAYERS];  /* per head; features[n_layers-1] = classes */
    int skip;                          /* skip connections */
    int bias;
    float dropout;                     /* probability, on inputs, projections and attention */
    float feature_dropout;             /* on inputs and projections only; < 0: dropout (the default) */
    float attention_dropout;           /* on attention coefficients only; < 0: dropout (the default) */
    int no_projection_dropout;         /* 1: no dropout on the projections z (PyG GATConv's recipe) */
    float slope;                       /* LeakyReLU negative slope (0.2) */
    int concat_heads[GAT_MAX_LAYERS];  /* GAT_HEADS_CONCAT or GAT_HEADS_MEAN; 0 = the default for the
                                          layer's place: hidden layers concatenate, the last averages */
    int attention_impl;                /* gat_attention_impl (GAT_ATTENTION_FUSED); not part of the model */
    int attention_type;                /* gat_attention_type (GAT_ATTENTION_GAT) */
    int share_weights;                 /* gatv2: W_dst is W (PyG share_weights=True); no tensor of its own */
    int no_self_loops;                 /* 1: the graph's edges as given, no self loop added (PyG
                                          add_self_loops=False; graph.h GAT_GRAPH_NO_SELF_LOOPS); 0: one
                                          self loop per node, the input's own dropped (the default) */
} gat_config;

/* The default Cora architecture of the paper: 2 layers, 8 heads x 8 features, then 1 head x
 * n_classes; no skip, bias, dropout 0.6. */
gat_config gat_config_default(int64_t n_in, int64_t n_classes);
/* Check a configuration; messages start with the field they are about ("config.heads: layer 1 has
 * 0 heads (allowed 1..64)"), which a program can map to its own option names. */
int gat_config_check(const gat_config *cfg, gat_error *err);
/* 1 when layer l concatenates its heads, 0 when it averages them. */
int gat_config_concat(const gat_config *cfg, int l);
/* Every layer's choice as "true,true,false" (the form gat train --concat_heads and the model
 * file's concat_heads take) into buf; parse reads it back into cfg->concat_heads for
 * cfg->n_layers layers and returns 0, or -1 when s is not such a list of n_layers values. */
void gat_config_concat_format(const gat_config *cfg, char *buf, size_t size);
int gat_config_concat_parse(gat_config *cfg, const char *s);
/* Layer l's input width (n_in, or layer l-1's output width) and output width (H*F when it
 * concatenates, F when it averages; the last layer's is the number of classes). */
int64_t gat_config_in_width(const gat_config *cfg, int l);
int64_t gat_config_out_width(const gat_config *cfg, int l);
/* The dropout probability of layer inputs and projections, and that of the attention
 * coefficients: feature_dropout / attention_dropout, or dropout where they are < 0. */
float gat_config_feature_dropout(const gat_config *cfg);
float gat_config_attention_dropout(const gat_config *cfg);
/* The gat_graph_build flags of the graph this configuration runs on: GAT_GRAPH_NO_SELF_LOOPS
 * when cfg->no_self_loops, else 0. */
int gat_config_graph_flags(const gat_config *cfg);
/* 1 when layer l uses an identity skip connection. */
int gat_config_skip_identity(const gat_config *cfg, int l);

typedef struct gat_tensor {
    char name[64];                     /* pytorch-GAT state_dict name */
    size_t offset, size;               /* floats, into params / grads */
    int ndim;
    int64_t shape[3];                  /* shape in model files */
    int transposed;                    /* stored here as the (shape[1], shape[0]) transpose */
    int trainable;
} gat_tensor;

typedef struct gat_layer_params {
    float *w;                          /* (K, H*F) */
    float *a_src;                      /* (H, F) gat; NULL for gatv2 */
    float *a_dst;                      /* (H, F) gat; NULL for gatv2 */
    float *w_dst;                      /* (K, H*F) gatv2 target projection (= w when shared); NULL for gat */
    float *att;                        /* (H, F) gatv2 attention vector; NULL for gat */
    float *bias;                       /* (out width) or NULL */
    float *w_skip;                     /* (K, H*F), NULL unless a projected skip is used */
} gat_layer_params;

typedef struct gat_model {
    gat_config cfg;
    size_t n_params, n_trainable;      /* floats, each tensor padded to a whole cache line */
    size_t n_weights;                  /* trainable values, padding aside (the model's size) */
    float *params, *grads;             /* (n_params) each */
    gat_layer_params p[GAT_MAX_LAYERS], g[GAT_MAX_LAYERS]; /* views into params and grads */
    int n_tensors;
    gat_tensor tensors[GAT_MAX_LAYERS * 5];
} gat_model;

/* Allocate a model for cfg and initialise it: Xavier-uniform projections and scoring
 * vectors, zero bias, skip projections as PyTorch's nn.Linear default; all drawn from seed. */
int gat_model_init(gat_model *m, const gat_config *cfg, uint64_t seed, gat_error *err);
void gat_model_free(gat_model *m);
const gat_tensor *gat_model_tensor(const gat_model *m, const char *name);

/* The node features the first layer reads: sparse (CSR, with a column index for the
 * backward pass) or dense. Borrows the dataset's arrays. */
typedef struct gat_input {
    int64_t n, k;
    const gat_csr *sparse;
    const float *dense;                /* (N, K) */
    gat_csc_index csc;
    const int64_t *node_ids;           /* (N) global id of each row, NULL = identity (row i is node i) */
} gat_input;
int gat_input_init(gat_input *in, const gat_dataset *ds, gat_error *err);
void gat_input_free(gat_input *in);

/* What forward keeps for backward, per layer. */
typedef struct gat_layer_acts {
    const float *xin;                  /* (N, K) input the projection read (after dropout) */
    float *x;                          /* (N, K) own copy of the input when dropout applies */
    float *xval;                       /* (nnz) sparse input values after dropout (layer 0) */
    uint8_t *x_mask;                   /* (N*K) or (nnz) */
    float *z;                          /* (N, H*F) projection after dropout */
    uint8_t *z_mask;                   /* (N*H*F) */
    float *s_src, *s_dst;              /* (N, H) gat */
    float *t;                          /* (N, H*F) gatv2: target projection after dropout */
    uint8_t *t_mask;                   /* (N*H*F) gatv2 */
    float *att;                        /* (nnz_graph, H) softmax before dropout */
    uint8_t *att_mask;                 /* (nnz_graph, H) */
    float *out;                        /* (N, H*F) aggregation + skip; concatenating layers: then + bias
                                          (and ELU when hidden) */
    float *y;                          /* (N, out width): the layer's output (aliases out when it
                                          concatenates) */
} gat_layer_acts;

typedef struct gat_acts {
    int n_layers;
    int64_t n;
    gat_layer_acts l[GAT_MAX_LAYERS];
    float *tmp;                        /* (N, max H*F): skip projection, backward buffers */
    float *dy, *dx, *dz, *dout;        /* backward buffers, (N, max width) */
    float *ds_src, *ds_dst;            /* (N, max H) */
    float *dt;                         /* (N, max H*F) gatv2: d loss / d t */
    float *scratch;                    /* (nnz_graph, max H) */
    float *partial;                    /* (blocks, 2 * max width): per-block sums of the backward pass */
    float *att_work;                   /* attention_impl edges: (2, N, max H); dense: (4, N, N) */
    void *block;                       /* the one allocation every array above lives in */
    /* what the last forward pass was (backward checks it matches) */
    int fwd_done, fwd_train;
    const struct gat_plan *fwd_plan;
} gat_acts;

int gat_acts_init(gat_acts *a, const gat_model *m, const gat_input *in, const gat_graph *g, gat_error *err);
/* The same sized for any input like in (its width and kind) of at most n nodes, nnz graph
 * entries and x_nnz sparse input entries: one set of activations serves batches of
 * different sizes. */
int gat_acts_init_capacity(gat_acts *a, const gat_model *m, const gat_input *in, int64_t n, int64_t nnz, int64_t x_nnz,
                           gat_error *err);

/* Which nodes a pass must compute so that the outputs at a given set of nodes are exact:
 * the last layer's targets are those nodes; each earlier layer's targets are the sources
 * of the next layer's edges; rows0 are the sources of the first layer's edges. A pass with
 * a plan computes the expensive kernels (first-layer projection, attention, their
 * gradients) for those nodes only; every value it skips has no path to the outputs, so
 * outputs, loss and gradients are bit-identical to a pass over all nodes. For Cora's 140
 * training nodes: 644 layer-0 targets, 1664 projected rows, a third of the edges. */
typedef struct gat_plan gat_plan;
struct gat_plan {
    int n_layers;
    gat_nodeset targets[GAT_MAX_LAYERS];
    gat_nodeset rows0;
    gat_csc_index csc0;                /* the input's column index over rows0 (sparse input) */
    /* per layer, each source's out-edges into that layer's targets only, as the graph's
     * out_ptr / out_pos (NULL when the graph has no out-edge index): the backward pass
     * visits those edges without testing every other one */
    int64_t *out_ptr[GAT_MAX_LAYERS], *out_pos[GAT_MAX_LAYERS];
};

int gat_plan_build(gat_plan *plan, const gat_model *m, const gat_graph *g, const gat_input *in, const int64_t *nodes,
                   int64_t n_nodes, gat_error *err);
void gat_plan_free(gat_plan *plan);
void gat_acts_free(gat_acts *a);

/* Forward pass over all nodes. train = 1 applies dropout with masks drawn from key (one
 * key per training step); train = 0 is deterministic inference. g must be built as the
 * model's configuration says (gat_config_graph_flags: with or without self loops; asserted). Returns the logits
 * (N, classes), owned by a. Cost O(nnz(X) M + N K M + nnz_graph M) per layer. */
const float *gat_model_forward(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, int train,
                               uint64_t key);
/* The same restricted to a plan (NULL: all nodes): only the logits at the plan's nodes are
 * computed. */
const float *gat_model_forward_plan(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, int train,
                                    uint64_t key, const gat_plan *plan);
/* Backward pass after a training forward: adds d loss/d params into m->grads, given
 * dlogits (N, classes). Contract (asserted): the last forward on a was a training pass
 * (train = 1) over the same plan; after an evaluation forward the dropout masks in a are
 * stale, and backward aborts rather than return wrong gradients. Backward allocates
 * nothing: its buffers live in a. */
void gat_model_backward(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, const float *dlogits);
/* The same after gat_model_forward_plan with the same plan; dlogits must be zero outside the
 * plan's nodes. */
void gat_model_backward_plan(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, const float *dlogits,
                             const gat_plan *plan);

#ifdef __cplusplus
}
#endif
#endif
