/* model.c - GAT parameters, activations, forward and backward passes (see model.h). */
#include "gat/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/rng.h"
#include "layer.h"
#include "layer_steps.h"

const char *gat_attention_impl_name(int impl) {
    return impl == GAT_ATTENTION_EDGES ? "edges" : impl == GAT_ATTENTION_DENSE ? "dense" : "fused";
}

int gat_attention_impl_parse(const char *name) {
    for (int i = GAT_ATTENTION_FUSED; i <= GAT_ATTENTION_DENSE; i++)
        if (!strcmp(name, gat_attention_impl_name(i))) return i;
    return -1;
}

const char *gat_attention_type_name(int type) { return type == GAT_ATTENTION_GATV2 ? "gatv2" : "gat"; }

int gat_attention_type_parse(const char *name) {
    for (int i = GAT_ATTENTION_GAT; i <= GAT_ATTENTION_GATV2; i++)
        if (!strcmp(name, gat_attention_type_name(i))) return i;
    return -1;
}

gat_config gat_config_default(int64_t n_in, int64_t n_classes) {
    gat_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 2;
    c.n_in = n_in;
    c.heads[0] = 8;
    c.features[0] = 8;
    c.heads[1] = 1;
    c.features[1] = n_classes;
    c.skip = 0;
    c.bias = 1;
    c.dropout = 0.6f;
    c.feature_dropout = c.attention_dropout = -1.0f; /* as dropout */
    c.slope = 0.2f;
    return c;
}

int gat_config_concat(const gat_config *c, int l) {
    const int v = c->concat_heads[l];
    return v == GAT_HEADS_DEFAULT ? l != c->n_layers - 1 : v == GAT_HEADS_CONCAT;
}

void gat_config_concat_format(const gat_config *c, char *buf, size_t size) {
    size_t n = 0;
    if (size) buf[0] = 0;
    for (int l = 0; l < c->n_layers && n < size; l++) {
        int w = snprintf(buf + n, size - n, "%s%s", l ? "," : "", gat_config_concat(c, l) ? "true" : "false");
        if (w < 0) break;
        n += (size_t)w;
    }
}

int gat_config_concat_parse(gat_config *c, const char *s) {
    int l = 0, v[GAT_MAX_LAYERS];
    for (;;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (l == GAT_MAX_LAYERS) return -1;
        if (len == 4 && !strncmp(s, "true", 4)) v[l++] = GAT_HEADS_CONCAT;
        else if (len == 5 && !strncmp(s, "false", 5)) v[l++] = GAT_HEADS_MEAN;
        else return -1;
        if (!end) break;
        s = end + 1;
    }
    if (l != c->n_layers) return -1;
    for (int k = 0; k < l; k++) c->concat_heads[k] = v[k];
    return 0;
}

int64_t gat_config_in_width(const gat_config *c, int l) {
    return l == 0 ? c->n_in : gat_config_out_width(c, l - 1);
}

int64_t gat_config_out_width(const gat_config *c, int l) {
    return gat_config_concat(c, l) ? c->heads[l] * c->features[l] : c->features[l];
}

float gat_config_feature_dropout(const gat_config *c) {
    return c->feature_dropout < 0.0f ? c->dropout : c->feature_dropout;
}

float gat_config_attention_dropout(const gat_config *c) {
    return c->attention_dropout < 0.0f ? c->dropout : c->attention_dropout;
}

int gat_config_skip_identity(const gat_config *c, int l) {
    return c->skip && c->features[l] == gat_config_in_width(c, l);
}

int gat_config_graph_flags(const gat_config *cfg) { return cfg->no_self_loops ? GAT_GRAPH_NO_SELF_LOOPS : 0; }

int gat_config_check(const gat_config *c, gat_error *err) {
    if (c->n_layers < 1 || c->n_layers > GAT_MAX_LAYERS)
        return gat_error_set(err, GAT_EINVAL, "config.n_layers: %d is out of range [1, %d]", c->n_layers, GAT_MAX_LAYERS);
    if (c->n_in < 1) return gat_error_set(err, GAT_EINVAL, "model: the input has no features");
    for (int l = 0; l < c->n_layers; l++) {
        if (c->heads[l] < 1 || c->heads[l] > GAT_MAX_HEADS)
            return gat_error_set(err, GAT_EINVAL, "config.heads: layer %d has %lld heads (allowed 1..%d)", l,
                                 (long long)c->heads[l], GAT_MAX_HEADS);
        if (c->features[l] < 1 || c->features[l] > 65536)
            return gat_error_set(err, GAT_EINVAL, "config.features: layer %d has %lld features (allowed 1..65536)",
                                 l, (long long)c->features[l]);
        if (c->concat_heads[l] < GAT_HEADS_MEAN || c->concat_heads[l] > GAT_HEADS_CONCAT)
            return gat_error_set(err, GAT_EINVAL, "config.concat_heads: layer %d has %d (allowed: -1 mean, 0 default, "
                                 "1 concatenate)", l, c->concat_heads[l]);
        if (c->heads[l] * c->features[l] > 65536)
            return gat_error_set(err, GAT_EINVAL, "config.heads, config.features: layer %d has %lld heads x %lld features, wider than 65536", l,
                                 (long long)c->heads[l], (long long)c->features[l]);
    }
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return gat_error_set(err, GAT_EINVAL, "config.dropout: %g is out of range [0, 1)", (double)c->dropout);
    if (!(c->feature_dropout < 1.0f)) /* negative: as dropout */
        return gat_error_set(err, GAT_EINVAL, "config.feature_dropout: %g is out of range [0, 1)", (double)c->feature_dropout);
    if (!(c->attention_dropout < 1.0f))
        return gat_error_set(err, GAT_EINVAL, "config.attention_dropout: %g is out of range [0, 1)",
                             (double)c->attention_dropout);
    if (!(c->slope >= 0.0f && c->slope < 1.0f))
        return gat_error_set(err, GAT_EINVAL, "config.slope: the LeakyReLU slope %g is out of range [0, 1)", (double)c->slope);
    if (c->attention_impl < GAT_ATTENTION_FUSED || c->attention_impl > GAT_ATTENTION_DENSE)
        return gat_error_set(err, GAT_EINVAL, "config.attention_impl: %d is not fused (0), edges (1) or dense (2)",
                             c->attention_impl);
    if (c->attention_type != GAT_ATTENTION_GAT && c->attention_type != GAT_ATTENTION_GATV2)
        return gat_error_set(err, GAT_EINVAL, "config.attention_type: %d is not gat (0) or gatv2 (1)", c->attention_type);
    if (c->share_weights && c->attention_type != GAT_ATTENTION_GATV2)
        return gat_error_set(err, GAT_EINVAL, "config.share_weights: shared source and target projections are a "
                             "gatv2 setting (gat has one projection)");
    if (c->no_self_loops != 0 && c->no_self_loops != 1)
        return gat_error_set(err, GAT_EINVAL, "config.no_self_loops: %d is not 0 (add self loops) or 1 (edges as given)",
                             c->no_self_loops);
    if (c->attention_type == GAT_ATTENTION_GATV2 && c->attention_impl == GAT_ATTENTION_DENSE)
        return gat_error_set(err, GAT_EINVAL, "config.attention_impl: dense is not available for gatv2 (its N x N "
                             "scores need an F-wide vector per node pair); use fused or edges");
    return GAT_OK;
}

/* ---- parameters ---- */

static void add_tensor(gat_model *m, size_t *off, const char *name, int l, int ndim, int64_t d0, int64_t d1,
                       int64_t d2, int transposed, int trainable) {
    gat_tensor *t = &m->tensors[m->n_tensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "gat_net.%d.%s", l, name);
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->shape[2] = d2;
    t->size = (size_t)d0 * (size_t)(ndim > 1 ? d1 : 1) * (size_t)(ndim > 2 ? d2 : 1);
    t->transposed = transposed;
    t->trainable = trainable;
    t->offset = *off;
    *off += gat_line_round(t->size);
    if (trainable) m->n_weights += t->size;
}

/* n zeroed floats starting on a cache line (freed with free) */
static float *zalloc_lines(size_t n) {
    void *p = NULL;
    if (n > SIZE_MAX / sizeof(float) - 1 || posix_memalign(&p, GAT_LINE_FLOATS * sizeof(float), (n + 1) * sizeof(float)))
        return NULL;
    memset(p, 0, (n + 1) * sizeof(float));
    return p;
}

/* Lay out every tensor: trainable ones first, then identity-skip weights kept only so model
 * files have pytorch-GAT's state_dict. */
static void layout(gat_model *m) {
    const gat_config *c = &m->cfg;
    size_t off = 0;
    m->n_tensors = 0;
    m->n_weights = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int l = 0; l < c->n_layers; l++) {
            int64_t k = gat_config_in_width(c, l), h = c->heads[l], f = c->features[l];
            if (pass == 0 && c->attention_type == GAT_ATTENTION_GATV2) {
                /* PyG GATv2Conv: lin_l (messages and source term), lin_r (target term), att */
                add_tensor(m, &off, "linear_proj.weight", l, 2, h * f, k, 0, 1, 1);
                if (!c->share_weights) add_tensor(m, &off, "linear_proj_target.weight", l, 2, h * f, k, 0, 1, 1);
                add_tensor(m, &off, "scoring_fn", l, 3, 1, h, f, 0, 1);
            } else if (pass == 0) {
                add_tensor(m, &off, "linear_proj.weight", l, 2, h * f, k, 0, 1, 1);
                add_tensor(m, &off, "scoring_fn_target", l, 3, 1, h, f, 0, 1);
                add_tensor(m, &off, "scoring_fn_source", l, 3, 1, h, f, 0, 1);
            }
            if (pass == 0) {
                if (c->bias) add_tensor(m, &off, "bias", l, 1, gat_config_out_width(c, l), 0, 0, 0, 1);
                if (c->skip && !gat_config_skip_identity(c, l))
                    add_tensor(m, &off, "skip_proj.weight", l, 2, h * f, k, 0, 1, 1);
            } else if (gat_config_skip_identity(c, l)) {
                add_tensor(m, &off, "skip_proj.weight", l, 2, h * f, k, 0, 1, 0);
            }
        }
        if (pass == 0) m->n_trainable = off;
    }
    m->n_params = off;
}

static float *view(gat_model *m, float *base, int l, const char *what) {
    char name[64];
    snprintf(name, sizeof name, "gat_net.%d.%s", l, what);
    const gat_tensor *t = gat_model_tensor(m, name);
    return t ? base + t->offset : NULL;
}

const gat_tensor *gat_model_tensor(const gat_model *m, const char *name) {
    for (int i = 0; i < m->n_tensors; i++)
        if (!strcmp(m->tensors[i].name, name)) return &m->tensors[i];
    return NULL;
}

int gat_model_init(gat_model *m, const gat_config *cfg, uint64_t seed, gat_error *err) {
    memset(m, 0, sizeof *m);
    int rc = gat_config_check(cfg, err);
    if (rc) return rc;
    m->cfg = *cfg;
    layout(m);
    m->params = zalloc_lines(m->n_params);
    m->grads = zalloc_lines(m->n_params);
    if (!m->params || !m->grads) {
        size_t np = m->n_params;
        gat_model_free(m);
        return gat_error_set(err, GAT_ENOMEM, "model: out of memory for %zu parameters", np);
    }
    for (int l = 0; l < cfg->n_layers; l++) {
        for (int which = 0; which < 2; which++) {
            float *base = which ? m->grads : m->params;
            gat_layer_params *lp = which ? &m->g[l] : &m->p[l];
            lp->w = view(m, base, l, "linear_proj.weight");
            lp->a_src = view(m, base, l, "scoring_fn_source");
            lp->a_dst = view(m, base, l, "scoring_fn_target");
            lp->att = view(m, base, l, "scoring_fn");
            lp->w_dst = cfg->attention_type != GAT_ATTENTION_GATV2 ? NULL
                        : cfg->share_weights ? lp->w : view(m, base, l, "linear_proj_target.weight");
            lp->bias = view(m, base, l, "bias");
            lp->w_skip = gat_config_skip_identity(cfg, l) ? NULL : view(m, base, l, "skip_proj.weight");
        }
    }
    /* Initialisation, one random stream per tensor. */
    for (int i = 0; i < m->n_tensors; i++) {
        const gat_tensor *t = &m->tensors[i];
        float *x = m->params + t->offset;
        double bound = 0.0;
        if (strstr(t->name, "linear_proj")) /* Xavier uniform over (fan_out, fan_in) */
            bound = sqrt(6.0 / (double)(t->shape[0] + t->shape[1]));
        else if (strstr(t->name, "scoring_fn")) /* Xavier on (1, H, F): fan_in H*F, fan_out F */
            bound = sqrt(6.0 / (double)(t->shape[1] * t->shape[2] + t->shape[2]));
        else if (strstr(t->name, "skip_proj")) /* nn.Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
            bound = 1.0 / sqrt((double)t->shape[1]);
        uint64_t key = gat_rng_key(seed, GAT_STREAM_INIT, (uint64_t)i, 0);
        for (size_t e = 0; e < t->size; e++) x[e] = (float)((2.0 * gat_rng_uniform64(key, e) - 1.0) * bound);
    }
    return GAT_OK;
}

void gat_model_free(gat_model *m) {
    if (!m) return;
    free(m->params);
    free(m->grads);
    memset(m, 0, sizeof *m);
}

/* ---- input ---- */

int gat_input_init(gat_input *in, const gat_dataset *ds, gat_error *err) {
    memset(in, 0, sizeof *in);
    in->n = ds->n_nodes;
    in->k = ds->n_features;
    if (ds->dense_features) {
        in->dense = ds->dense_features;
        return GAT_OK;
    }
    in->sparse = &ds->features;
    return gat_csc_index_build(&in->csc, &ds->features, err);
}

void gat_input_free(gat_input *in) {
    if (!in) return;
    gat_csc_index_free(&in->csc);
    memset(in, 0, sizeof *in);
}

/* ---- activations ---- */

void gat_acts_free(gat_acts *a) {
    if (!a) return;
    free(a->block);
    memset(a, 0, sizeof *a);
}

int gat_acts_init(gat_acts *a, const gat_model *m, const gat_input *in, const gat_graph *g, gat_error *err) {
    memset(a, 0, sizeof *a);
    if (in->n != g->n)
        return gat_error_set(err, GAT_ESHAPE, "model: %lld feature rows but %lld graph nodes", (long long)in->n,
                             (long long)g->n);
    return gat_acts_init_capacity(a, m, in, in->n, g->nnz, in->sparse ? in->sparse->nnz : 0, err);
}

int gat_acts_init_capacity(gat_acts *a, const gat_model *m, const gat_input *in, int64_t n_nodes, int64_t n_entries,
                           int64_t x_nnz, gat_error *err) {
    memset(a, 0, sizeof *a);
    const gat_config *c = &m->cfg;
    const size_t n = (size_t)n_nodes, nnz = (size_t)n_entries;
    if (in->k != c->n_in)
        return gat_error_set(err, GAT_ESHAPE, "model: expects %lld input features, the data has %lld", (long long)c->n_in,
                             (long long)in->k);
    if (in->sparse && gat_config_skip_identity(c, 0))
        return gat_error_set(err, GAT_EINVAL, "model: an identity skip connection on sparse input features is not "
                             "supported (choose a first-layer width other than %lld)", (long long)c->n_in);
    if (c->attention_impl == GAT_ATTENTION_DENSE && in->n > GAT_DENSE_MAX_NODES)
        return gat_error_set(err, GAT_EINVAL, "config.attention_impl: dense attention holds 4 N x N matrices (%.1f GB "
                             "for %lld nodes) and accepts at most %d nodes; use edges or fused",
                             4.0 * 4.0 * (double)in->n * (double)in->n / 1e9, (long long)in->n, GAT_DENSE_MAX_NODES);
    a->n_layers = c->n_layers;
    a->n = n_nodes;
    /* One zeroed block holds every array, each starting on a cache line, so that a row of 16
     * floats (a 64-float row of 8 x 8 heads: four) never straddles two lines. Zeroed: rows a
     * planned pass skips keep finite values (zeros or an earlier pass's); calloc hands large
     * blocks over as untouched pages, so what no pass reads costs no memory. The first round
     * sizes the block, the second places the arrays in it. */
    const size_t line = GAT_LINE_FLOATS * sizeof(float);
    size_t off = 0, wmax = 0, hmax = 0, mwmax = 0; /* widest layer input or output; widest projection; most heads */
    int ok = 1;
    char *base = NULL;
    for (int round = 0; round < 2; round++) {
        off = wmax = hmax = mwmax = 0;
#define ALLOC(p, count)                                                                                              \
    do {                                                                                                             \
        const size_t cnt_ = (size_t)(count) + 1;                                                                     \
        if (cnt_ > (SIZE_MAX / 4 - off) / sizeof *(p)) ok = 0;                                                       \
        else {                                                                                                       \
            if (base) (p) = (void *)(base + off);                                                                    \
            off += (cnt_ * sizeof *(p) + line - 1) / line * line;                                                    \
        }                                                                                                            \
    } while (0)
        for (int l = 0; l < c->n_layers; l++) {
            gat_layer_acts *L = &a->l[l];
            size_t k = (size_t)gat_config_in_width(c, l), h = (size_t)c->heads[l], mw = h * (size_t)c->features[l];
            size_t ow = (size_t)gat_config_out_width(c, l);
            if (l == 0 && in->sparse) {
                ALLOC(L->xval, x_nnz);
                ALLOC(L->x_mask, x_nnz);
            } else {
                ALLOC(L->x, n * k);
                ALLOC(L->x_mask, n * k);
            }
            ALLOC(L->z, n * mw);
            ALLOC(L->z_mask, n * mw);
            ALLOC(L->s_src, n * h);
            ALLOC(L->s_dst, n * h);
            if (c->attention_type == GAT_ATTENTION_GATV2) {
                ALLOC(L->t, n * mw);
                ALLOC(L->t_mask, n * mw);
            }
            ALLOC(L->att, nnz * h);
            ALLOC(L->att_mask, nnz * h);
            ALLOC(L->out, n * mw);
            if (!gat_config_concat(c, l)) ALLOC(L->y, n * ow);
            else L->y = L->out;
            wmax = k > wmax ? k : wmax;
            wmax = mw > wmax ? mw : wmax;
            mwmax = mw > mwmax ? mw : mwmax;
            hmax = h > hmax ? h : hmax;
        }
        ALLOC(a->tmp, n * wmax);
        ALLOC(a->dy, n * wmax);
        ALLOC(a->dx, n * wmax);
        ALLOC(a->dz, n * wmax);
        ALLOC(a->dout, n * wmax);
        ALLOC(a->ds_src, n * hmax);
        ALLOC(a->ds_dst, n * hmax);
        if (c->attention_type == GAT_ATTENTION_GATV2) ALLOC(a->dt, n * mwmax); /* (N, H*F) of one layer at a time */
        ALLOC(a->scratch, nnz * hmax);
        ALLOC(a->partial, (size_t)((in->n + gat_reduce_block(in->n) - 1) / gat_reduce_block(in->n)) * 2 * wmax);
        if (c->attention_impl == GAT_ATTENTION_EDGES) ALLOC(a->att_work, 2 * n * hmax);
        if (c->attention_impl == GAT_ATTENTION_DENSE) ALLOC(a->att_work, 4 * n * n);
#undef ALLOC
        if (round == 0 && ok) {
            a->block = calloc(off + line, 1);
            ok = a->block != NULL;
            if (ok) base = (char *)a->block + (line - (uintptr_t)a->block % line) % line;
        }
        if (!ok) break;
    }
    if (!ok) {
        gat_acts_free(a);
        return gat_error_set(err, GAT_ENOMEM, "model: out of memory for activations (%zu nodes, %zu edges)", n, nnz);
    }
    return GAT_OK;
}

/* ---- forward ---- */

const float *gat_model_forward(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, int train,
                               uint64_t key) {
    return gat_model_forward_plan(m, a, in, g, train, key, NULL);
}

const float *gat_model_forward_plan(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, int train,
                                    uint64_t key, const gat_plan *plan) {
    const gat_config *c = &m->cfg;
    GAT_ASSERT(g->no_self_loops == (c->no_self_loops != 0)); /* the graph the model was configured for */
    a->fwd_done = 1;
    a->fwd_train = train != 0;
    a->fwd_plan = plan;
    const float pf = train ? gat_config_feature_dropout(c) : 0.0f, pa = train ? gat_config_attention_dropout(c) : 0.0f;
    const float *prev = in->dense;
    for (int l = 0; l < c->n_layers; l++) {
        const gat_layer_keys keys = {gat_rng_key(key, (uint64_t)l, GAT_DROPOUT_INPUT, 0),
                                     gat_rng_key(key, (uint64_t)l, GAT_DROPOUT_PROJ, 0),
                                     gat_rng_key(key, (uint64_t)l, GAT_DROPOUT_ATT, 0),
                                     gat_rng_key(key, (uint64_t)l, GAT_DROPOUT_PROJ_DST, 0)};
        if (c->attention_impl == GAT_ATTENTION_FUSED && c->attention_type == GAT_ATTENTION_GAT)
            gat_layer_forward(m, a, l, in, g, prev, pf, pa, keys, plan);
        else gat_layer_steps_forward(m, a, l, in, g, prev, pf, pa, keys);
        prev = a->l[l].y;
    }
    return a->l[c->n_layers - 1].y;
}

/* ---- backward ---- */

void gat_model_backward(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, const float *dlogits) {
    gat_model_backward_plan(m, a, in, g, dlogits, NULL);
}

void gat_model_backward_plan(gat_model *m, gat_acts *a, const gat_input *in, const gat_graph *g, const float *dlogits,
                             const gat_plan *plan) {
    GAT_ASSERT(a->fwd_done && a->fwd_train); /* backward needs a training forward's masks */
    GAT_ASSERT(a->fwd_plan == plan);          /* ... over the same nodes */
    const gat_config *c = &m->cfg;
    float *dy = a->dy, *dx = a->dx;
    const int64_t classes = gat_config_out_width(c, c->n_layers - 1);
    memcpy(dy, dlogits, (size_t)(in->n * classes) * sizeof *dy);
    const float pf = gat_config_feature_dropout(c), pa = gat_config_attention_dropout(c);
    for (int l = c->n_layers - 1; l >= 0; l--) {
        if (c->attention_impl == GAT_ATTENTION_FUSED && c->attention_type == GAT_ATTENTION_GAT)
            gat_layer_backward(m, a, l, in, g, dy, dx, pf, pa, plan);
        else gat_layer_steps_backward(m, a, l, in, g, dy, dx, pf, pa, plan);
        float *t = dy;
        dy = dx;
        dx = t;
    }
}

/* ---- plans ---- */

static int nodeset_from_flags(gat_nodeset *s, uint8_t *member, int64_t n, gat_error *err) {
    s->member = member;
    s->n = 0;
    for (int64_t i = 0; i < n; i++) s->n += member[i] != 0;
    s->ids = malloc(((size_t)s->n + 1) * sizeof *s->ids);
    if (!s->ids) return gat_error_set(err, GAT_ENOMEM, "plan: out of memory");
    for (int64_t i = 0, k = 0; i < n; i++)
        if (member[i]) s->ids[k++] = i;
    return GAT_OK;
}

/* Flags of the sources of every edge into a member of t. */
static uint8_t *sources_of(const gat_graph *g, const gat_nodeset *t) {
    uint8_t *f = calloc((size_t)g->n + 1, 1);
    if (!f) return NULL;
    for (int64_t k = 0; k < t->n; k++)
        for (int64_t q = g->row_ptr[t->ids[k]]; q < g->row_ptr[t->ids[k] + 1]; q++) f[g->src[q]] = 1;
    return f;
}

/* plan->out_ptr[l], out_pos[l]: the graph's out-edge index kept to the edges into layer l's
 * targets, in its order. */
static int plan_out_edges(gat_plan *plan, const gat_graph *g, int l, gat_error *err) {
    const uint8_t *live = plan->targets[l].member;
    int64_t k = 0;
    for (int64_t t = 0; t < g->out_ptr[g->n]; t++) k += live[g->dst[g->out_pos[t]]] != 0;
    int64_t *ptr = malloc(((size_t)g->n + 1) * sizeof *ptr), *pos = malloc(((size_t)k + 1) * sizeof *pos);
    if (!ptr || !pos) {
        free(ptr);
        free(pos);
        return gat_error_set(err, GAT_ENOMEM, "plan: out of memory");
    }
    k = 0;
    for (int64_t j = 0; j < g->n; j++) {
        ptr[j] = k;
        for (int64_t t = g->out_ptr[j]; t < g->out_ptr[j + 1]; t++)
            if (live[g->dst[g->out_pos[t]]]) pos[k++] = g->out_pos[t];
    }
    ptr[g->n] = k;
    plan->out_ptr[l] = ptr;
    plan->out_pos[l] = pos;
    return GAT_OK;
}

int gat_plan_build(gat_plan *plan, const gat_model *m, const gat_graph *g, const gat_input *in, const int64_t *nodes,
                   int64_t n_nodes, gat_error *err) {
    memset(plan, 0, sizeof *plan);
    const int L = m->cfg.n_layers;
    plan->n_layers = L;
    int rc = GAT_OK;
    uint8_t *f = calloc((size_t)g->n + 1, 1);
    if (!f) return gat_error_set(err, GAT_ENOMEM, "plan: out of memory");
    for (int64_t k = 0; k < n_nodes; k++) {
        if (nodes[k] < 0 || nodes[k] >= g->n) {
            free(f);
            return gat_error_set(err, GAT_ERANGE, "plan: node %lld out of range", (long long)nodes[k]);
        }
        f[nodes[k]] = 1;
    }
    for (int l = L - 1; l >= 0 && !rc; l--) {
        rc = nodeset_from_flags(&plan->targets[l], f, g->n, err);
        if (rc) break;
        f = sources_of(g, &plan->targets[l]);
        if (!f) rc = gat_error_set(err, GAT_ENOMEM, "plan: out of memory");
    }
    if (!rc) rc = nodeset_from_flags(&plan->rows0, f, g->n, err);
    else free(f);
    for (int l = 0; l < L && !rc && g->out_ptr; l++) rc = plan_out_edges(plan, g, l, err);
    if (!rc && in->sparse) rc = gat_csc_index_build_rows(&plan->csc0, in->sparse, &plan->rows0, err);
    if (rc) gat_plan_free(plan);
    return rc;
}

void gat_plan_free(gat_plan *plan) {
    if (!plan) return;
    for (int l = 0; l < GAT_MAX_LAYERS; l++) {
        gat_nodeset_free(&plan->targets[l]);
        free(plan->out_ptr[l]);
        free(plan->out_pos[l]);
    }
    gat_nodeset_free(&plan->rows0);
    gat_csc_index_free(&plan->csc0);
    memset(plan, 0, sizeof *plan);
}
