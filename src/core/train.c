/* train.c - Adam, the training loop with early stopping, evaluation (see train.h). */
#include "gat/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/infer.h"
#include "gat/minibatch.h"
#include "gat/rng.h"
#include "dispatch.h"
#include "pool.h"
#include "train_shard.h"

gat_train_options gat_train_options_default(void) {
    gat_train_options o;
    memset(&o, 0, sizeof o);
    o.max_epochs = 10000;
    o.patience = 1000;
    o.lr = 5e-3;
    o.weight_decay = 5e-4;
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.eps = 1e-8;
    o.seed = 1;                        /* as gat train --seed */
    o.keep_best = 1;
    o.use_plans = 1;
    o.batch_size = 2;
    return o;
}

int gat_train_options_check(const gat_train_options *o, gat_error *err) {
    if (o->shards < 0) return gat_error_set(err, GAT_EINVAL, "train.shards: %lld is negative", (long long)o->shards);
    if (o->max_epochs < 1) return gat_error_set(err, GAT_EINVAL, "train.max_epochs: must be at least 1");
    if (o->patience < 1) return gat_error_set(err, GAT_EINVAL, "train.patience: must be at least 1");
    if (!(o->lr > 0 && o->lr < 10)) return gat_error_set(err, GAT_EINVAL, "train.lr: %g must be in (0, 10)", o->lr);
    if (!(o->weight_decay >= 0 && o->weight_decay < 1))
        return gat_error_set(err, GAT_EINVAL, "train.weight_decay: %g must be in [0, 1)", o->weight_decay);
    if (!(o->beta1 >= 0 && o->beta1 < 1 && o->beta2 >= 0 && o->beta2 < 1 && o->eps > 0))
        return gat_error_set(err, GAT_EINVAL, "train.beta1, train.beta2, train.eps: Adam's betas must be in [0, 1) and eps positive");
    if (o->batch_size < 1) return gat_error_set(err, GAT_EINVAL, "train.batch_size: must be at least 1");
    return GAT_OK;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- batches ---- */

void gat_step_batch_free(gat_step_batch *b) {
    if (!b) return;
    gat_plan_free(&b->plan_own);
    gat_input_free(&b->in_own);
    gat_graph_free(&b->g_own);
    gat_csr_free(&b->x_own);
    free(b->dense_own);
    free(b->targets_own);
    free(b->ids_own);
    free(b->loss_own);
    free(b->labels_own);
    memset(b, 0, sizeof *b);
}

int gat_step_batch_whole(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const gat_graph *g, gat_split split,
                    gat_error *err) {
    memset(b, 0, sizeof *b);
    if (in->n != ds->n_nodes || g->n != ds->n_nodes)
        return gat_error_set(err, GAT_ESHAPE, "batch: the input or graph does not cover the %lld nodes of '%s'",
                             (long long)ds->n_nodes, ds->name);
    b->n = ds->n_nodes;
    b->in = in;
    b->g = g;
    b->n_loss = ds->split_size[split];
    b->loss = ds->split[split];
    b->labels = ds->labels;
    b->targets = ds->targets;
    return GAT_OK;
}

int gat_step_batch_graphs(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const int64_t *graphs, int64_t n_graphs,
                     gat_error *err) {
    return gat_step_batch_graphs_flags(b, ds, in, graphs, n_graphs, 0, err);
}

int gat_step_batch_graphs_flags(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, const int64_t *graphs,
                                int64_t n_graphs, int graph_flags, gat_error *err) {
    memset(b, 0, sizeof *b);
    if (ds->n_graphs < 1) return gat_error_set(err, GAT_EINVAL, "batch: dataset '%s' is not a collection of graphs", ds->name);
    if (n_graphs < 1) return gat_error_set(err, GAT_EINVAL, "batch: no graphs");
    int64_t n = 0, e = 0;
    for (int64_t t = 0; t < n_graphs; t++) {
        int64_t gi = graphs[t];
        if (gi < 0 || gi >= ds->n_graphs)
            return gat_error_set(err, GAT_ERANGE, "batch: graph %lld is outside [0, %lld)", (long long)gi,
                                 (long long)ds->n_graphs);
        n += ds->graph_node_ptr[gi + 1] - ds->graph_node_ptr[gi];
        e += ds->graph_edge_ptr[gi + 1] - ds->graph_edge_ptr[gi];
    }
    const int64_t k = ds->n_features, C = ds->n_classes;
    int64_t *src = malloc(((size_t)e + 1) * sizeof *src), *dst = malloc(((size_t)e + 1) * sizeof *dst);
    b->ids_own = malloc(((size_t)n + 1) * sizeof *b->ids_own);
    b->loss_own = malloc(((size_t)n + 1) * sizeof *b->loss_own);
    int rc = GAT_OK;
    if (!src || !dst || !b->ids_own || !b->loss_own) goto nomem;
    /* nodes graph by graph; edges renumbered through each node's position in its graph */
    int64_t off = 0, ne = 0;
    for (int64_t t = 0; t < n_graphs; t++) {
        int64_t gi = graphs[t], n0 = ds->graph_node_ptr[gi], cnt = ds->graph_node_ptr[gi + 1] - n0;
        memcpy(b->ids_own + off, ds->graph_nodes + n0, (size_t)cnt * sizeof *b->ids_own);
        for (int64_t q = ds->graph_edge_ptr[gi]; q < ds->graph_edge_ptr[gi + 1]; q++) {
            int64_t eid = ds->graph_edges[q];
            src[ne] = off + ds->graph_node_pos[ds->edge_src[eid]];
            dst[ne++] = off + ds->graph_node_pos[ds->edge_dst[eid]];
        }
        off += cnt;
    }
    b->n = n;
    b->n_graphs = n_graphs;
    b->node_ids = b->ids_own;
    if ((rc = gat_graph_build(&b->g_own, n, src, dst, e, graph_flags & GAT_GRAPH_NO_SELF_LOOPS, err))) goto fail;
    b->g = &b->g_own;
    /* input rows */
    if (in->dense) {
        b->dense_own = malloc(((size_t)(n * k) + 1) * sizeof *b->dense_own);
        if (!b->dense_own) goto nomem;
        for (int64_t i = 0; i < n; i++)
            memcpy(b->dense_own + i * k, in->dense + b->ids_own[i] * k, (size_t)k * sizeof *b->dense_own);
        b->in_own.n = n;
        b->in_own.k = k;
        b->in_own.dense = b->dense_own;
        b->in_own.node_ids = b->ids_own; /* dropout masks keyed by global node id */
    } else {
        const gat_csr *x = in->sparse;
        int64_t nnz = 0;
        for (int64_t i = 0; i < n; i++) nnz += x->row_ptr[b->ids_own[i] + 1] - x->row_ptr[b->ids_own[i]];
        gat_csr *y = &b->x_own;
        y->n_rows = n;
        y->n_cols = x->n_cols;
        y->nnz = nnz;
        y->row_ptr = malloc(((size_t)n + 1) * sizeof *y->row_ptr);
        y->col_idx = malloc(((size_t)nnz + 1) * sizeof *y->col_idx);
        y->val = malloc(((size_t)nnz + 1) * sizeof *y->val);
        if (!y->row_ptr || !y->col_idx || !y->val) goto nomem;
        y->row_ptr[0] = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t r0 = x->row_ptr[b->ids_own[i]], r1 = x->row_ptr[b->ids_own[i] + 1];
            memcpy(y->col_idx + y->row_ptr[i], x->col_idx + r0, (size_t)(r1 - r0) * sizeof *y->col_idx);
            memcpy(y->val + y->row_ptr[i], x->val + r0, (size_t)(r1 - r0) * sizeof *y->val);
            y->row_ptr[i + 1] = y->row_ptr[i] + (r1 - r0);
        }
        b->in_own.n = n;
        b->in_own.k = k;
        b->in_own.sparse = y;
        b->in_own.node_ids = b->ids_own;
        if ((rc = gat_csc_index_build(&b->in_own.csc, y, err))) goto fail;
    }
    b->in = &b->in_own;
    /* targets and the loss nodes: every labelled node */
    if (ds->task == GAT_TASK_MULTI_LABEL) {
        b->targets_own = malloc(((size_t)(n * C) + 1) * sizeof *b->targets_own);
        if (!b->targets_own) goto nomem;
        for (int64_t i = 0; i < n; i++)
            memcpy(b->targets_own + i * C, ds->targets + b->ids_own[i] * C, (size_t)C * sizeof *b->targets_own);
        b->targets = b->targets_own;
        for (int64_t i = 0; i < n; i++) b->loss_own[b->n_loss++] = i;
    } else {
        b->labels_own = malloc(((size_t)n + 1) * sizeof *b->labels_own);
        if (!b->labels_own) goto nomem;
        for (int64_t i = 0; i < n; i++) {
            b->labels_own[i] = ds->labels[b->ids_own[i]];
            if (b->labels_own[i] >= 0) b->loss_own[b->n_loss++] = i;
        }
        b->labels = b->labels_own;
    }
    b->loss = b->loss_own;
    free(src);
    free(dst);
    return GAT_OK;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "batch: out of memory for %lld nodes and %lld edges", (long long)n, (long long)e);
fail:
    free(src);
    free(dst);
    gat_step_batch_free(b);
    return rc;
}

/* A batch's own copy of what its nodes b->ids_own[0 .. b->n) hold: the input rows (keyed for
 * dropout by those ids; with_csc, sparse rows also get their column index), and the targets
 * (multi-label) or labels of the first `targets` of them, when the dataset has them (data
 * bound for inference may not). */
static int batch_gather_rows(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, int with_csc,
                             int64_t targets, gat_error *err) {
    const int64_t n = b->n, k = ds->n_features, C = ds->n_classes;
    int rc;
    b->in_own.n = n;
    b->in_own.k = k;
    b->in_own.node_ids = b->ids_own; /* each node draws its own dropout masks, as in a full-batch pass */
    if (in->dense) {
        b->dense_own = malloc(((size_t)(n * k) + 1) * sizeof *b->dense_own);
        if (!b->dense_own) goto nomem;
        for (int64_t i = 0; i < n; i++)
            memcpy(b->dense_own + i * k, in->dense + b->ids_own[i] * k, (size_t)k * sizeof *b->dense_own);
        b->in_own.dense = b->dense_own;
    } else {
        if ((rc = gat_csr_gather_rows(&b->x_own, in->sparse, b->ids_own, n, err))) return rc;
        b->in_own.sparse = &b->x_own;
        if (with_csc && (rc = gat_csc_index_build(&b->in_own.csc, &b->x_own, err))) return rc;
    }
    b->in = &b->in_own;
    if (ds->task == GAT_TASK_MULTI_LABEL && ds->targets) {
        b->targets_own = malloc(((size_t)(targets * C) + 1) * sizeof *b->targets_own);
        if (!b->targets_own) goto nomem;
        for (int64_t i = 0; i < targets; i++)
            memcpy(b->targets_own + i * C, ds->targets + b->ids_own[i] * C, (size_t)C * sizeof *b->targets_own);
        b->targets = b->targets_own;
    } else if (ds->task != GAT_TASK_MULTI_LABEL && ds->labels) {
        b->labels_own = malloc(((size_t)targets + 1) * sizeof *b->labels_own);
        if (!b->labels_own) goto nomem;
        for (int64_t i = 0; i < targets; i++) b->labels_own[i] = ds->labels[b->ids_own[i]];
        b->labels = b->labels_own;
    }
    return GAT_OK;
nomem:
    return gat_error_set(err, GAT_ENOMEM, "training: out of memory for a batch of %lld nodes", (long long)n);
}

int gat_step_batch_sampled(gat_step_batch *b, const gat_dataset *ds, const gat_input *in, gat_sampler *smp,
                           const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t batch, gat_error *err) {
    memset(b, 0, sizeof *b);
    gat_batch sb;
    int rc = gat_sample(smp, seeds, n_seeds, epoch, batch, &sb, err);
    if (rc) return rc;
    const int64_t n = sb.n_nodes, ns = sb.n_seeds;
    b->n = n;
    b->ids_own = sb.global; /* the batch takes the sampler's local -> global map */
    sb.global = NULL;
    b->node_ids = b->ids_own;
    /* the sampled edges as they were drawn; the self loops added again when the graph has them */
    if ((rc = gat_graph_build(&b->g_own, n, sb.src, sb.dst, sb.n_edges,
                              smp->g->no_self_loops ? GAT_GRAPH_NO_SELF_LOOPS : 0, err)))
        goto fail;
    b->g = &b->g_own;
    /* the loss at the seeds, local 0 .. ns-1: their targets only */
    b->loss_own = malloc(((size_t)ns + 1) * sizeof *b->loss_own);
    if (!b->loss_own) goto nomem;
    for (int64_t i = 0; i < ns; i++) b->loss_own[i] = i;
    b->n_loss = ns;
    b->loss = b->loss_own;
    if ((rc = batch_gather_rows(b, ds, in, 0, ns, err))) goto fail;
    gat_batch_free(&sb);
    return GAT_OK;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory for a batch of %lld nodes", (long long)n);
fail:
    gat_batch_free(&sb);
    gat_step_batch_free(b);
    return rc;
}

int gat_step_batch_plan(gat_step_batch *b, const gat_model *m, gat_error *err) {
    if (b->plan || b->n_loss == b->n) return GAT_OK;
    int rc = gat_plan_build(&b->plan_own, m, b->g, b->in, b->loss, b->n_loss, err);
    if (!rc) b->plan = &b->plan_own;
    return rc;
}

gat_metrics gat_tally_metrics(const gat_tally *t, gat_task task) {
    gat_metrics r;
    if (t->batches == 1) r.loss = t->last_loss;
    else r.loss = t->terms ? t->loss_sum / (double)t->terms : 0.0;
    if (task == GAT_TASK_MULTI_LABEL) r.score = t->tp ? 2.0 * (double)t->tp / (double)(2 * t->tp + t->fp + t->fn) : 0.0;
    else r.score = t->nodes ? (double)t->correct / (double)t->nodes : 0.0;
    return r;
}

const float *gat_step_batch_forward(gat_model *m, gat_acts *a, const gat_step_batch *b, int train, uint64_t key) {
    return gat_model_forward_plan(m, a, b->in, b->g, train, key, b->plan);
}

void gat_step_batch_backward(gat_model *m, gat_acts *a, const gat_step_batch *b, const float *dlogits) {
    gat_model_backward_plan(m, a, b->in, b->g, dlogits, b->plan);
}

void gat_step_batch_loss(const gat_step_batch *b, gat_task task, int64_t classes, const float *logits, float *dlogits, gat_tally *t) {
    double loss;
    int64_t terms;
    gat_tally one;
    memset(&one, 0, sizeof one);
    if (task == GAT_TASK_MULTI_LABEL) {
        loss = gat_sigmoid_bce(logits, classes, b->targets, b->loss, b->n_loss, dlogits, &one.tp, &one.fp, &one.fn);
        terms = b->n_loss * classes;
    } else {
        loss = gat_softmax_xent(logits, classes, b->labels, b->loss, b->n_loss, dlogits, &one.correct);
        terms = b->n_loss;
        one.nodes = b->n_loss;
    }
    if (!t) return;
    t->batches++;
    t->last_loss = loss;
    t->loss_sum += loss * (double)terms;
    t->terms += terms;
    t->nodes += one.nodes;
    t->correct += one.correct;
    t->tp += one.tp;
    t->fp += one.fp;
    t->fn += one.fn;
}

/* ---- sessions ---- */

void gat_session_free(gat_session *s) {
    if (!s) return;
    for (int sp = 0; sp < 3; sp++) {
        for (int64_t i = 0; s->eval[sp] && i < s->n_eval[sp]; i++) gat_step_batch_free(&s->eval[sp][i]);
        free(s->eval[sp]);
    }
    gat_acts_free(&s->acts);
    gat_input_free(&s->in);
    gat_graph_free(&s->g);
    free(s->dlogits);
    free(s->logits);
    memset(s, 0, sizeof *s);
}

int gat_session_reserve(gat_session *s, const gat_model *m, int64_t n, int64_t nnz, int64_t x_nnz, gat_error *err) {
    if (n <= s->cap_n && nnz <= s->cap_nnz && x_nnz <= s->cap_xnnz) return GAT_OK;
    n = n > s->cap_n ? n : s->cap_n;
    nnz = nnz > s->cap_nnz ? nnz : s->cap_nnz;
    x_nnz = x_nnz > s->cap_xnnz ? x_nnz : s->cap_xnnz;
    gat_acts_free(&s->acts);
    free(s->dlogits);
    s->dlogits = NULL;
    s->cap_n = s->cap_nnz = s->cap_xnnz = 0;
    int rc = gat_acts_init_capacity(&s->acts, m, &s->in, n, nnz, x_nnz, err);
    if (rc) return rc;
    s->dlogits = calloc((size_t)(n * s->ds->n_classes) + 1, sizeof *s->dlogits);
    if (!s->dlogits) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    s->cap_n = n;
    s->cap_nnz = nnz;
    s->cap_xnnz = x_nnz;
    return GAT_OK;
}

static int64_t batch_x_nnz(const gat_step_batch *b) { return b->in->sparse ? b->in->sparse->nnz : 0; }

/* A single graph's three split batches: one copy of the graph, the input and the targets
 * with the nodes renumbered in a locality order (gat_graph_locality_order), which eval[0]
 * owns and the others borrow; each owns its loss nodes. Why: the threads of a pass take
 * contiguous ranges of rows, and in this order the rows a range gathers (its neighbours)
 * are mostly its own, in its own core's cache, instead of half of them from the other
 * cores'. The renumbering is internal: dropout masks stay keyed by the original node ids
 * (node_ids), and evaluation scatters the logits back to them. */
static int whole_batches_ordered(gat_session *s, gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t n = ds->n_nodes;
    gat_step_batch *b = s->eval[0];
    int64_t *pos = malloc(((size_t)n + 1) * sizeof *pos), *src = NULL, *dst = NULL;
    uint8_t *in_split = NULL;
    b->ids_own = malloc(((size_t)n + 1) * sizeof *b->ids_own);
    int rc = GAT_OK;
    if (!pos || !b->ids_own) goto nomem;
    if ((rc = gat_graph_locality_order(&s->g, b->ids_own, err))) goto fail;
    for (int64_t i = 0; i < n; i++) pos[b->ids_own[i]] = i;
    b->n = n;
    b->node_ids = b->ids_own;
    /* the edges in their input order, renumbered: each row keeps its entries' order */
    src = malloc(((size_t)ds->n_edges + 1) * sizeof *src);
    dst = malloc(((size_t)ds->n_edges + 1) * sizeof *dst);
    if (!src || !dst) goto nomem;
    for (int64_t e = 0; e < ds->n_edges; e++) {
        src[e] = pos[ds->edge_src[e]];
        dst[e] = pos[ds->edge_dst[e]];
    }
    if ((rc = gat_graph_build(&b->g_own, n, src, dst, ds->n_edges, s->graph_flags, err))) goto fail;
    b->g = &b->g_own;
    if ((rc = batch_gather_rows(b, ds, &s->in, 1, n, err))) goto fail;
    /* each split's nodes as local ids, increasing (flags over the local order, cleared after) */
    if (!(in_split = calloc((size_t)n + 1, 1))) goto nomem;
    for (int sp = 0; sp < 3; sp++) {
        gat_step_batch *t = s->eval[sp];
        if (sp > 0) {
            t->n = n;
            t->node_ids = b->node_ids;
            t->in = b->in;
            t->g = b->g;
            t->labels = b->labels;
            t->targets = b->targets;
        }
        const int64_t ns = ds->split_size[sp];
        t->loss_own = malloc(((size_t)ns + 1) * sizeof *t->loss_own);
        if (!t->loss_own) goto nomem;
        for (int64_t q = 0; q < ns; q++) in_split[pos[ds->split[sp][q]]] = 1;
        t->n_loss = 0;
        for (int64_t i = 0; i < n; i++)
            if (in_split[i]) t->loss_own[t->n_loss++] = i;
        for (int64_t q = 0; q < ns; q++) in_split[pos[ds->split[sp][q]]] = 0;
        t->loss = t->loss_own;
    }
    free(in_split);
    free(pos);
    free(src);
    free(dst);
    return GAT_OK;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "out of memory for the batches of %lld nodes", (long long)n);
fail:
    free(in_split);
    free(pos);
    free(src);
    free(dst);
    return rc;
}

const char *gat_node_order_name(gat_node_order o) { return o == GAT_NODE_ORDER_INPUT ? "input" : "locality"; }

int gat_node_order_parse(const char *s) {
    if (!strcmp(s, "locality")) return GAT_NODE_ORDER_LOCALITY;
    if (!strcmp(s, "input")) return GAT_NODE_ORDER_INPUT;
    return -1;
}

int gat_session_init(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err) {
    return gat_session_init_order(s, ds, m, GAT_NODE_ORDER_LOCALITY, err);
}

int gat_session_init_order(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_node_order order,
                           gat_error *err) {
    memset(s, 0, sizeof *s);
    if (order != GAT_NODE_ORDER_LOCALITY && order != GAT_NODE_ORDER_INPUT)
        return gat_error_set(err, GAT_EINVAL, "session: node order %d is not locality or input", (int)order);
    s->ds = ds;
    s->graph_flags = gat_config_graph_flags(&m->cfg);
    int64_t classes = gat_config_out_width(&m->cfg, m->cfg.n_layers - 1);
    if (classes != ds->n_classes) {
        return gat_error_set(err, GAT_ESHAPE, "model outputs %lld classes but dataset '%s' has %lld", (long long)classes,
                             ds->name, (long long)ds->n_classes);
    }
    int rc = gat_input_init(&s->in, ds, err);
    if (!rc && ds->n_graphs == 0) {
        /* one graph: the whole of it is every split's batch, renumbered unless order is INPUT
         * (each batch counted at once, so that a failure frees what it holds) */
        rc = gat_graph_build(&s->g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges, s->graph_flags, err);
        for (int sp = 0; sp < 3 && !rc; sp++) {
            s->eval[sp] = calloc(1, sizeof *s->eval[sp]);
            if (!s->eval[sp]) rc = gat_error_set(err, GAT_ENOMEM, "out of memory");
            else s->n_eval[sp] = 1;
        }
        if (!rc && order == GAT_NODE_ORDER_LOCALITY) rc = whole_batches_ordered(s, err);
        for (int sp = 0; sp < 3 && !rc && order == GAT_NODE_ORDER_INPUT; sp++)
            rc = gat_step_batch_whole(s->eval[sp], ds, &s->in, &s->g, (gat_split)sp, err);
        if (!rc) rc = gat_session_reserve(s, m, ds->n_nodes, s->g.nnz, batch_x_nnz(s->eval[0]), err);
        if (!rc && order == GAT_NODE_ORDER_LOCALITY) {
            s->logits = calloc((size_t)(ds->n_nodes * classes) + 1, sizeof *s->logits);
            if (!s->logits) rc = gat_error_set(err, GAT_ENOMEM, "out of memory");
        }
    } else if (!rc) {
        /* a collection: one batch per graph of each split */
        for (int sp = 0; sp < 3 && !rc; sp++) {
            s->eval[sp] = calloc((size_t)ds->split_n_graphs[sp] + 1, sizeof *s->eval[sp]);
            if (!s->eval[sp]) rc = gat_error_set(err, GAT_ENOMEM, "out of memory");
            for (int64_t i = 0; !rc && i < ds->split_n_graphs[sp]; i++) {
                gat_step_batch *b = &s->eval[sp][i];
                rc = gat_step_batch_graphs_flags(b, ds, &s->in, &ds->split_graphs[sp][i], 1, s->graph_flags, err);
                if (!rc) s->n_eval[sp] = i + 1;
                if (!rc) rc = gat_session_reserve(s, m, b->n, b->g->nnz, batch_x_nnz(b), err);
            }
        }
        if (!rc) {
            s->logits = calloc((size_t)(ds->n_nodes * classes) + 1, sizeof *s->logits);
            if (!s->logits) rc = gat_error_set(err, GAT_ENOMEM, "out of memory");
        }
    }
    if (rc) gat_session_free(s);
    return rc;
}

int gat_session_init_sampled(gat_session *s, const gat_dataset *ds, const gat_model *m, const int64_t *fanouts,
                             gat_error *err) {
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->sampled = 1;
    s->graph_flags = gat_config_graph_flags(&m->cfg);
    const int L = m->cfg.n_layers;
    const int64_t classes = gat_config_out_width(&m->cfg, L - 1);
    if (classes != ds->n_classes)
        return gat_error_set(err, GAT_ESHAPE, "model outputs %lld classes but dataset '%s' has %lld", (long long)classes,
                             ds->name, (long long)ds->n_classes);
    if (ds->n_graphs > 0)
        return gat_error_set(err, GAT_EINVAL, "--batch_size: dataset '%s' is a collection of graphs; its batches are "
                             "whole graphs, not sampled neighbourhoods", ds->name);
    for (int l = 0; l < L; l++) {
        if (fanouts[l] < 1 && fanouts[l] != -1)
            return gat_error_set(err, GAT_EINVAL, "--fanouts: needs one positive value (or -1 = all) per layer, %d in all",
                                 L);
        s->fanouts[l] = fanouts[l];
    }
    int rc = gat_graph_build(&s->g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges,
                             s->graph_flags | GAT_GRAPH_FORWARD_ONLY, err);
    if (rc) return rc;
    gat_input_forward_init(&s->in, ds);
    s->logits = calloc((size_t)(ds->n_nodes * classes) + 1, sizeof *s->logits);
    if (!s->logits) {
        gat_session_free(s);
        return gat_error_set(err, GAT_ENOMEM, "out of memory for the logits of %lld nodes", (long long)ds->n_nodes);
    }
    return GAT_OK;
}

/* Release the activations (a sampled session's training buffers, before inference runs). */
static void session_release(gat_session *s) {
    gat_acts_free(&s->acts);
    free(s->dlogits);
    s->dlogits = NULL;
    s->cap_n = s->cap_nnz = s->cap_xnnz = 0;
}

gat_metrics gat_split_metrics(const gat_session *s, const float *logits, gat_split split, float *dlogits) {
    const gat_dataset *ds = s->ds;
    gat_metrics r;
    const int64_t *idx = ds->split[split], n = ds->split_size[split];
    if (ds->task == GAT_TASK_MULTI_LABEL) {
        int64_t tp, fp, fn;
        r.loss = gat_sigmoid_bce(logits, ds->n_classes, ds->targets, idx, n, dlogits, &tp, &fp, &fn);
        r.score = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
    } else {
        int64_t correct;
        r.loss = gat_softmax_xent(logits, ds->n_classes, ds->labels, idx, n, dlogits, &correct);
        r.score = n ? (double)correct / (double)n : 0.0;
    }
    return r;
}

/* Copy a batch's logits into the dataset-wide (N, C) array. */
static void scatter_logits(float *dst, const gat_step_batch *b, const float *logits, int64_t C) {
    for (int64_t i = 0; i < b->n; i++)
        memcpy(dst + b->node_ids[i] * C, logits + i * C, (size_t)C * sizeof *dst);
}

/* An evaluation pass over a split's batches (plans used when use_plans and built). */
static gat_metrics eval_split(gat_model *m, gat_session *s, gat_split split, int use_plans, int keep_logits,
                              const float **last) {
    gat_tally t;
    memset(&t, 0, sizeof t);
    const int64_t C = s->ds->n_classes;
    for (int64_t i = 0; i < s->n_eval[split]; i++) {
        gat_step_batch *b = &s->eval[split][i];
        gat_step_batch view = *b;
        if (!use_plans) view.plan = NULL;
        const float *logits = gat_step_batch_forward(m, &s->acts, &view, 0, 0);
        gat_step_batch_loss(&view, s->ds->task, C, logits, NULL, &t);
        if (keep_logits && b->node_ids) scatter_logits(s->logits, b, logits, C);
        if (last) *last = logits;
    }
    return gat_tally_metrics(&t, s->ds->task);
}

/* A sampled session's split: exact layer-wise inference at its nodes into s->logits. With
 * several ranks each infers a contiguous part of the split's nodes and the parts' logits are
 * gathered: the logits at a node do not depend on which other nodes are inferred with it
 * (gat_infer), so every rank ends with the bits of one process and computes the same metrics. */
static int eval_exact(gat_model *m, gat_session *s, gat_split split, gat_comm *comm, gat_metrics *out, gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t *idx = ds->split[split], n = ds->split_size[split], C = ds->n_classes;
    int rc;
    if (!comm || comm->size <= 1) {
        rc = gat_infer(m, &s->in, &s->g, idx, n, s->logits, err);
    } else {
        const int K = comm->size;
        const int64_t per = (n + K - 1) / K, lo = per * comm->rank < n ? per * comm->rank : n,
                      hi = lo + per < n ? lo + per : n;
        float *mine = malloc(((size_t)(per * C) + 1) * sizeof *mine);
        float *all = malloc(((size_t)(per * C) * (size_t)K + 1) * sizeof *all);
        if (!mine || !all) rc = gat_error_set(err, GAT_ENOMEM, "inference: out of memory for the logits of %lld nodes",
                                              (long long)n);
        else rc = hi > lo ? gat_infer(m, &s->in, &s->g, idx + lo, hi - lo, s->logits, err) : GAT_OK;
        if (!rc) {
            memset(mine, 0, (size_t)(per * C) * sizeof *mine);
            for (int64_t i = lo; i < hi; i++) memcpy(mine + (i - lo) * C, s->logits + idx[i] * C, (size_t)C * sizeof *mine);
        }
        rc = gat_comm_agree_error(comm, rc, err);
        if (!rc) rc = gat_comm_allgather(comm, mine, (size_t)(per * C), all, err);
        for (int r = 0; !rc && r < K; r++)
            for (int64_t i = per * r; i < per * (r + 1) && i < n; i++)
                memcpy(s->logits + idx[i] * C, all + ((size_t)r * (size_t)per + (size_t)(i - per * r)) * (size_t)C,
                       (size_t)C * sizeof *all);
        free(mine);
        free(all);
    }
    if (!rc && out) *out = gat_split_metrics(s, s->logits, split, NULL);
    return rc;
}

int gat_evaluate_split(gat_model *m, gat_session *s, gat_split split, gat_metrics *out, gat_error *err) {
    return gat_evaluate_split_comm(m, s, split, NULL, out, err);
}

int gat_evaluate_split_comm(gat_model *m, gat_session *s, gat_split split, gat_comm *comm, gat_metrics *out,
                            gat_error *err) {
    if (s->sampled) return eval_exact(m, s, split, comm, out, err);
    gat_evaluate(m, s, split, out);
    return GAT_OK;
}

const float *gat_evaluate(gat_model *m, gat_session *s, gat_split split, gat_metrics *out) {
    if (s->sampled) {
        gat_error err = {0};
        return eval_exact(m, s, split, NULL, out, &err) ? NULL : s->logits;
    }
    const float *logits = NULL;
    gat_metrics r = eval_split(m, s, split, 0, 1, &logits);
    if (out) *out = r;
    return s->ds->n_graphs || s->eval[split][0].node_ids ? s->logits : logits;
}

int gat_predict_all(gat_model *m, gat_session *s, const float **logits, gat_error *err) {
    const gat_dataset *ds = s->ds;
    if (s->sampled) {
        int rc = gat_infer(m, &s->in, &s->g, NULL, 0, s->logits, err);
        *logits = rc ? NULL : s->logits;
        return rc;
    }
    if (!ds->n_graphs) {
        *logits = gat_model_forward(m, &s->acts, &s->in, &s->g, 0, 0);
        return GAT_OK;
    }
    const int64_t C = ds->n_classes;
    for (int64_t gi = 0; gi < ds->n_graphs; gi++) {
        gat_step_batch b;
        int rc = gat_step_batch_graphs_flags(&b, ds, &s->in, &gi, 1, s->graph_flags, err);
        if (!rc) rc = gat_session_reserve(s, m, b.n, b.g->nnz, batch_x_nnz(&b), err);
        if (rc) {
            gat_step_batch_free(&b);
            return rc;
        }
        scatter_logits(s->logits, &b, gat_step_batch_forward(m, &s->acts, &b, 0, 0), C);
        gat_step_batch_free(&b);
    }
    *logits = s->logits;
    return GAT_OK;
}

void gat_early_stop_init(gat_early_stop *s, int64_t patience) {
    memset(s, 0, sizeof *s);
    s->patience = patience;
    s->best_score = -INFINITY;
    s->best_loss = INFINITY;
}

int gat_early_stop_update(gat_early_stop *s, int64_t epoch, gat_metrics val) {
    int flags = 0;
    /* the best epoch: highest validation score, the lower loss on ties (NaN never wins) */
    if (s->best_epoch == 0 || val.score > s->best_val.score ||
        (val.score == s->best_val.score && val.loss < s->best_val.loss)) {
        s->best_epoch = epoch;
        s->best_val = val;
        flags |= GAT_ES_BEST;
    }
    if (val.score > s->best_score || val.loss < s->best_loss) {
        s->best_score = fmax(s->best_score, val.score);
        s->best_loss = fmin(s->best_loss, val.loss);
        s->since_improved = 0;
        flags |= GAT_ES_IMPROVED;
    } else {
        s->since_improved++;
    }
    if (s->since_improved >= s->patience) flags |= GAT_ES_STOP;
    return flags;
}

typedef struct {
    float *p, *m1, *m2;
    const float *g;
    float b1, b2, wd, eps, step, bc2;
} adam_args;

GAT_HOT_KERNEL static void adam_chunk(void *v, int64_t b, int64_t e) {
    const adam_args *a = v;
    float *restrict p = a->p, *restrict m1 = a->m1, *restrict m2 = a->m2;
    const float *restrict g = a->g;
    for (int64_t i = b; i < e; i++) {
        float gi = g[i] + a->wd * p[i];
        m1[i] = a->b1 * m1[i] + (1.0f - a->b1) * gi;
        m2[i] = a->b2 * m2[i] + (1.0f - a->b2) * gi * gi;
        p[i] -= a->step * m1[i] / (sqrtf(m2[i]) / a->bc2 + a->eps);
    }
}

void gat_adam_step(gat_model *m, float *m1, float *m2, int64_t t, const gat_train_options *o) {
    adam_args a = {.p = m->params, .m1 = m1, .m2 = m2, .g = m->grads, .b1 = (float)o->beta1, .b2 = (float)o->beta2,
                   .wd = (float)o->weight_decay, .eps = (float)o->eps,
                   .step = (float)(o->lr / (1.0 - pow(o->beta1, (double)t))),
                   .bc2 = (float)sqrt(1.0 - pow(o->beta2, (double)t))};
    gat_pool_for((int64_t)m->n_trainable, 8192, adam_chunk, &a);
}

/* Fisher-Yates shuffle of one epoch's training order (graphs of a collection, or seed
 * nodes of sampled batches, each with its own stream), from the seed. */
static void shuffle_order(int64_t *order, int64_t n, uint64_t seed, uint64_t stream, int64_t epoch) {
    const uint64_t key = gat_rng_key(seed, stream, (uint64_t)epoch, 0);
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(gat_rng_uniform64(key, (uint64_t)i) * (double)(i + 1));
        if (j > i) j = i;
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* The largest sum of k values of v[0..n) (n small: the graphs of a split). */
static int64_t sum_of_largest(const int64_t *v, int64_t n, int64_t k, int64_t *tmp) {
    memcpy(tmp, v, (size_t)n * sizeof *tmp);
    int64_t sum = 0;
    for (int64_t t = 0; t < k && t < n; t++) {
        int64_t best = t;
        for (int64_t i = t + 1; i < n; i++)
            if (tmp[i] > tmp[best]) best = i;
        int64_t x = tmp[t];
        tmp[t] = tmp[best];
        tmp[best] = x;
        sum += tmp[t];
    }
    return sum;
}

/* Size the session for the largest training batch of a collection. */
static int reserve_for_training(gat_session *s, const gat_model *m, int64_t bs, gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t ng = ds->split_n_graphs[GAT_SPLIT_TRAIN];
    int64_t *v = malloc(((size_t)ng * 4 + 1) * sizeof *v);
    if (!v) return gat_error_set(err, GAT_ENOMEM, "training: out of memory");
    int64_t *nodes = v, *entries = v + ng, *xnnz = v + 2 * ng, *tmp = v + 3 * ng;
    for (int64_t i = 0; i < ng; i++) {
        int64_t gi = ds->split_graphs[GAT_SPLIT_TRAIN][i];
        nodes[i] = ds->graph_node_ptr[gi + 1] - ds->graph_node_ptr[gi];
        /* every edge plus one self loop per node bounds the graph's entries (with or without them) */
        entries[i] = ds->graph_edge_ptr[gi + 1] - ds->graph_edge_ptr[gi] + nodes[i];
        xnnz[i] = 0;
        if (s->in.sparse)
            for (int64_t q = ds->graph_node_ptr[gi]; q < ds->graph_node_ptr[gi + 1]; q++) {
                int64_t u = ds->graph_nodes[q];
                xnnz[i] += s->in.sparse->row_ptr[u + 1] - s->in.sparse->row_ptr[u];
            }
    }
    int rc = gat_session_reserve(s, m, sum_of_largest(nodes, ng, bs, tmp), sum_of_largest(entries, ng, bs, tmp),
                                 sum_of_largest(xnnz, ng, bs, tmp), err);
    free(v);
    return rc;
}

static void tally_add(gat_tally *t, const gat_tally *st) {
    t->batches++;
    t->last_loss = st->last_loss;
    t->loss_sum += st->loss_sum;
    t->terms += st->terms;
    t->nodes += st->nodes;
    t->correct += st->correct;
    t->tp += st->tp;
    t->fp += st->fp;
    t->fn += st->fn;
}

int gat_train(gat_model *m, gat_session *s, const gat_train_options *opt, gat_epoch_fn cb, void *user,
              gat_train_result *res, gat_error *err) {
    int rc = gat_train_options_check(opt, err);
    if (rc) return rc;
    memset(res, 0, sizeof *res);
    const gat_dataset *ds = s->ds;
    const int collection = ds->n_graphs > 0;
    const int64_t C = ds->n_classes;
    const size_t np = m->n_trainable;
    float *m1 = calloc(np + 1, sizeof *m1), *m2 = calloc(np + 1, sizeof *m2), *best = NULL;
    int64_t *order = NULL;
    gat_step_batch batch;
    memset(&batch, 0, sizeof batch);
    gat_shards shards;
    memset(&shards, 0, sizeof shards);
    gat_sampler smp;
    memset(&smp, 0, sizeof smp);
    const int sampled = s->sampled;
    if (opt->keep_best) best = malloc((m->n_params + 1) * sizeof *best);
    if (!m1 || !m2 || (opt->keep_best && !best)) {
        rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory for optimizer state");
        goto done;
    }
    /* A single graph: one step per epoch on the whole graph (the session's train batch);
     * with plans each step computes only what the training loss needs, each validation
     * pass only what the validation nodes need (bit-identical to full passes, see gat_plan).
     * A collection: batch_size graphs per step. */
    int64_t n_train = 1, bs = 1, steps = 1;
    if (sampled) {
        /* sampled neighbourhoods: batch_size seed nodes per step */
        n_train = ds->split_size[GAT_SPLIT_TRAIN];
        bs = opt->batch_size < n_train ? opt->batch_size : n_train;
        steps = (n_train + bs - 1) / bs;
        order = malloc(((size_t)n_train + 1) * sizeof *order);
        if (!order) {
            rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory");
            goto done;
        }
        if ((rc = gat_sampler_init(&smp, &s->g, m->cfg.n_layers, s->fanouts, opt->seed, err))) goto done;
    } else if (collection) {
        n_train = ds->split_n_graphs[GAT_SPLIT_TRAIN];
        bs = opt->batch_size < n_train ? opt->batch_size : n_train;
        steps = (n_train + bs - 1) / bs;
        order = malloc(((size_t)n_train + 1) * sizeof *order);
        if (!order) {
            rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory");
            goto done;
        }
        if ((rc = reserve_for_training(s, m, bs, err))) goto done;
    }
    if (opt->use_plans)
        for (int sp = 0; sp < 2; sp++)
            for (int64_t i = 0; i < s->n_eval[sp]; i++)
                if ((rc = gat_step_batch_plan(&s->eval[sp][i], m, err))) goto done;
    /* Sharded steps (opt->shards > 0, or any communicator): see train_shard.h. */
    const int sharded = opt->shards > 0 || opt->comm;
    if (sharded && (rc = gat_shards_init(&shards, s, m, opt, err))) goto done;
    int64_t t_step = 0;
    gat_early_stop es;
    gat_early_stop_init(&es, opt->patience);
    const double t0 = now_seconds();
    res->reason = GAT_STOP_MAX_EPOCHS;
    for (int64_t epoch = 1; epoch <= opt->max_epochs; epoch++) {
        gat_epoch_report r;
        memset(&r, 0, sizeof r);
        r.epoch = epoch;
        r.steps = steps;
        gat_tally train_tally;
        memset(&train_tally, 0, sizeof train_tally);
        if (sampled) {
            memcpy(order, ds->split[GAT_SPLIT_TRAIN], (size_t)n_train * sizeof *order);
            shuffle_order(order, n_train, opt->seed, GAT_STREAM_BATCH_ORDER, epoch);
        } else if (collection) {
            memcpy(order, ds->split_graphs[GAT_SPLIT_TRAIN], (size_t)n_train * sizeof *order);
            shuffle_order(order, n_train, opt->seed, GAT_STREAM_SHUFFLE, epoch);
        }
        for (int64_t step = 0; step < steps; step++) {
            const gat_step_batch *b = sampled ? NULL : &s->eval[GAT_SPLIT_TRAIN][0];
            if (sharded) {
                /* the step's gradient as a sum of fixed shards, the same for any number of ranks */
                int64_t first = step * bs, k = collection ? (n_train - first < bs ? n_train - first : bs) : 0;
                const uint64_t key = gat_rng_key(opt->seed, GAT_STREAM_STEP, (uint64_t)epoch, (uint64_t)step);
                gat_tally st;
                memset(&st, 0, sizeof st);
                if (sampled) {
                    /* the step's seeds in fixed parts, each sampled and computed by one rank */
                    const int64_t ks = n_train - first < bs ? n_train - first : bs;
                    const uint64_t bkey = gat_rng_key(opt->seed, GAT_STREAM_BATCH_STEP, (uint64_t)epoch, (uint64_t)step);
                    rc = gat_shards_step_sampled(&shards, m, s, opt, &smp, order + first, ks, (uint64_t)epoch,
                                                 (uint64_t)step, bkey, &st, err);
                } else {
                    rc = gat_shards_step(&shards, m, s, opt, collection ? order + first : NULL, k, key, &st, err);
                }
                if (rc) goto done;
                gat_metrics sm = gat_tally_metrics(&st, ds->task);
                if (!isfinite(sm.loss)) {
                    rc = gat_error_set(err, GAT_ERANGE, "training diverged at epoch %lld (loss is %g); try a smaller --lr",
                                       (long long)epoch, sm.loss);
                    goto done;
                }
                tally_add(&train_tally, &st);
                gat_adam_step(m, m1, m2, ++t_step, opt);
                if (opt->on_step) {
                    gat_step_report sr = {.epoch = epoch, .step = step + 1, .steps = steps, .global_step = t_step,
                                          .batch = NULL, .train = sm, .elapsed = now_seconds() - t0};
                    if ((rc = opt->on_step(&sr, m, opt->step_user, err)) != 0) goto done;
                }
                continue;
            }
            if (sampled) {
                gat_step_batch_free(&batch);
                int64_t first = step * bs, k = n_train - first < bs ? n_train - first : bs;
                if ((rc = gat_step_batch_sampled(&batch, ds, &s->in, &smp, order + first, k, (uint64_t)epoch,
                                                 (uint64_t)step, err)))
                    goto done;
                if (opt->use_plans) rc = gat_step_batch_plan(&batch, m, err);
                else if (batch.in_own.sparse) rc = gat_csc_index_build(&batch.in_own.csc, batch.in_own.sparse, err);
                if (!rc) rc = gat_session_reserve(s, m, batch.n, batch.g->nnz, batch_x_nnz(&batch), err);
                if (rc) goto done;
                b = &batch;
            } else if (collection) {
                gat_step_batch_free(&batch);
                int64_t first = step * bs, k = n_train - first < bs ? n_train - first : bs;
                if ((rc = gat_step_batch_graphs_flags(&batch, ds, &s->in, order + first, k, s->graph_flags, err)))
                    goto done;
                if (opt->use_plans && (rc = gat_step_batch_plan(&batch, m, err))) goto done;
                b = &batch;
            }
            gat_step_batch view = *b;
            if (!opt->use_plans) view.plan = NULL;
            const uint64_t key = gat_rng_key(opt->seed, sampled ? GAT_STREAM_BATCH_STEP : GAT_STREAM_STEP, (uint64_t)epoch,
                                             (uint64_t)step);
            const float *logits = gat_step_batch_forward(m, &s->acts, &view, 1, key);
            gat_tally st;
            memset(&st, 0, sizeof st);
            gat_step_batch_loss(&view, ds->task, C, logits, s->dlogits, &st);
            gat_metrics sm = gat_tally_metrics(&st, ds->task);
            if (!isfinite(sm.loss)) {
                rc = gat_error_set(err, GAT_ERANGE, "training diverged at epoch %lld (loss is %g); try a smaller --lr",
                                   (long long)epoch, sm.loss);
                goto done;
            }
            train_tally.batches++;
            train_tally.last_loss = st.last_loss;
            train_tally.loss_sum += st.loss_sum;
            train_tally.terms += st.terms;
            train_tally.nodes += st.nodes;
            train_tally.correct += st.correct;
            train_tally.tp += st.tp;
            train_tally.fp += st.fp;
            train_tally.fn += st.fn;
            /* the step's gradient: zeroed, accumulated over its batch, applied once */
            memset(m->grads, 0, m->n_params * sizeof *m->grads);
            gat_step_batch_backward(m, &s->acts, &view, s->dlogits);
            gat_adam_step(m, m1, m2, ++t_step, opt);
            if (collection || sampled) /* the next batch's rows must start from zero outside its loss rows */
                memset(s->dlogits, 0, (size_t)(view.n * C) * sizeof *s->dlogits);
            if (opt->on_step) {
                gat_step_report sr = {.epoch = epoch, .step = step + 1, .steps = steps, .global_step = t_step,
                                      .batch = b, .train = sm, .elapsed = now_seconds() - t0};
                if ((rc = opt->on_step(&sr, m, opt->step_user, err)) != 0) goto done;
            }
        }
        res->steps = t_step;
        r.train = gat_tally_metrics(&train_tally, ds->task);
        if (sampled) {
            /* a batch's buffers are not held while inference runs; the ranks share its nodes */
            gat_step_batch_free(&batch);
            session_release(s);
            if ((rc = eval_exact(m, s, GAT_SPLIT_VAL, opt->comm, &r.val, err))) goto done;
        } else if (sharded) {
            gat_tally vt;
            memset(&vt, 0, sizeof vt);
            if ((rc = gat_shards_eval(&shards, m, s, GAT_SPLIT_VAL, opt->use_plans, &vt, err))) goto done;
            r.val = gat_tally_metrics(&vt, ds->task);
        } else {
            r.val = eval_split(m, s, GAT_SPLIT_VAL, opt->use_plans, 0, NULL);
        }
        r.elapsed = now_seconds() - t0;
        res->epochs = epoch;
        const int flags = gat_early_stop_update(&es, epoch, r.val);
        if (flags & GAT_ES_BEST) {
            res->best_epoch = epoch;
            res->best_val = r.val;
            if (best) memcpy(best, m->params, m->n_params * sizeof *best);
        }
        r.improved = (flags & GAT_ES_IMPROVED) != 0;
        if (cb && (rc = cb(&r, m, user, err)) != 0) goto done;
        if (flags & GAT_ES_STOP) {
            res->reason = GAT_STOP_PATIENCE;
            break;
        }
    }
    if (best) memcpy(m->params, best, m->n_params * sizeof *best);
    res->seconds = now_seconds() - t0;
done:
    gat_shards_free(&shards);
    gat_step_batch_free(&batch);
    gat_sampler_free(&smp);
    if (sampled) session_release(s);
    free(order);
    free(m1);
    free(m2);
    free(best);
    return rc;
}
