/* minibatch.c - sampled neighbour mini-batch training (see minibatch.h). */
#include "gat/minibatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/infer.h"
#include "gat/ops.h"
#include "gat/rng.h"

#define STREAM_ORDER GAT_STREAM_BATCH_ORDER
#define STREAM_STEP GAT_STREAM_BATCH_STEP

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gat_csr_gather_rows(gat_csr *out, const gat_csr *x, const int64_t *rows, int64_t n, gat_error *err) {
    memset(out, 0, sizeof *out);
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; i++) {
        if (rows[i] < 0 || rows[i] >= x->n_rows)
            return gat_error_set(err, GAT_ERANGE, "gather: row %lld out of range [0, %lld)", (long long)rows[i],
                                 (long long)x->n_rows);
        nnz += x->row_ptr[rows[i] + 1] - x->row_ptr[rows[i]];
    }
    out->n_rows = n;
    out->n_cols = x->n_cols;
    out->nnz = nnz;
    out->row_ptr = malloc(((size_t)n + 1) * sizeof *out->row_ptr);
    out->col_idx = malloc(((size_t)nnz + 1) * sizeof *out->col_idx);
    out->val = malloc(((size_t)nnz + 1) * sizeof *out->val);
    if (!out->row_ptr || !out->col_idx || !out->val) {
        gat_csr_free(out);
        return gat_error_set(err, GAT_ENOMEM, "gather: out of memory for %lld rows", (long long)n);
    }
    out->row_ptr[0] = 0;
    for (int64_t i = 0; i < n; i++) out->row_ptr[i + 1] = out->row_ptr[i] + x->row_ptr[rows[i] + 1] - x->row_ptr[rows[i]];
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t i = 0; i < n; i++) {
        const int64_t p0 = x->row_ptr[rows[i]], d = x->row_ptr[rows[i] + 1] - p0, q = out->row_ptr[i];
        memcpy(out->col_idx + q, x->col_idx + p0, (size_t)d * sizeof *out->col_idx);
        memcpy(out->val + q, x->val + p0, (size_t)d * sizeof *out->val);
    }
    return GAT_OK;
}

int gat_sampled_session_init(gat_sampled_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err) {
    memset(s, 0, sizeof *s);
    s->ds = ds;
    int64_t classes = gat_config_out_width(&m->cfg, m->cfg.n_layers - 1);
    if (classes != ds->n_classes)
        return gat_error_set(err, GAT_ESHAPE, "model outputs %lld classes but dataset '%s' has %lld", (long long)classes,
                             ds->name, (long long)ds->n_classes);
    int rc = gat_graph_forward_from_edges(&s->g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges, err);
    if (rc) return rc;
    gat_input_forward_init(&s->in, ds);
    s->logits = calloc((size_t)(ds->n_nodes * classes) + 1, sizeof *s->logits);
    if (!s->logits) {
        gat_sampled_session_free(s);
        return gat_error_set(err, GAT_ENOMEM, "out of memory for the logits of %lld nodes", (long long)ds->n_nodes);
    }
    return GAT_OK;
}

void gat_sampled_session_free(gat_sampled_session *s) {
    if (!s) return;
    gat_graph_free(&s->g);
    free(s->logits);
    memset(s, 0, sizeof *s);
}

int gat_minibatch_options_check(const gat_minibatch_options *mb, const gat_model *m, gat_error *err) {
    if (mb->batch_size < 1) return gat_error_set(err, GAT_EINVAL, "--batch_size: must be at least 1");
    for (int l = 0; l < m->cfg.n_layers; l++)
        if (mb->fanouts[l] < 1 && mb->fanouts[l] != -1)
            return gat_error_set(err, GAT_EINVAL, "--fanouts: needs one positive value (or -1 = all) per layer, %d in all",
                                 m->cfg.n_layers);
    return GAT_OK;
}

static gat_metrics metrics_at(const gat_dataset *ds, const float *logits, gat_split split) {
    gat_session tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.ds = ds;
    return gat_split_metrics(&tmp, logits, split, NULL);
}

int gat_evaluate_exact(gat_model *m, gat_sampled_session *s, gat_split split, gat_metrics *out, gat_error *err) {
    const gat_dataset *ds = s->ds;
    int rc = gat_infer(m, &s->in, &s->g, ds->split[split], ds->split_size[split], s->logits, err);
    if (!rc && out) *out = metrics_at(ds, s->logits, split);
    return rc;
}

/* One training step on a sampled batch; adds the seeds' loss and hits into *loss_sum, *hits. */
static int train_step(gat_model *m, gat_sampled_session *s, gat_sampler *smp, const int64_t *seeds, int64_t ns,
                      uint64_t epoch, uint64_t bi, uint64_t seed, double *loss_sum, double *hits, int64_t *count,
                      gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t C = ds->n_classes;
    gat_batch b;
    gat_csr lx;
    gat_graph lg;
    gat_acts acts;
    gat_plan plan;
    memset(&lx, 0, sizeof lx);
    memset(&lg, 0, sizeof lg);
    memset(&acts, 0, sizeof acts);
    memset(&plan, 0, sizeof plan);
    float *dense = NULL, *dlogits = NULL, *targets = NULL;
    int64_t *labels = NULL, *idx = NULL;
    int rc = gat_sample(smp, seeds, ns, epoch, bi, &b, err);
    if (rc) return rc;
    const int64_t n = b.n_nodes;
    gat_input lin;
    memset(&lin, 0, sizeof lin);
    lin.n = n;
    lin.k = ds->n_features;
    lin.node_ids = b.global; /* each node draws its own dropout masks, as in a full-batch pass */
    if (ds->dense_features) {
        dense = malloc(((size_t)(n * lin.k) + 1) * sizeof *dense);
        if (!dense) goto nomem;
        for (int64_t i = 0; i < n; i++)
            memcpy(dense + i * lin.k, ds->dense_features + b.global[i] * lin.k, (size_t)lin.k * sizeof *dense);
        lin.dense = dense;
    } else {
        if ((rc = gat_csr_gather_rows(&lx, &ds->features, b.global, n, err))) goto done;
        lin.sparse = &lx;
    }
    if ((rc = gat_graph_from_edges(&lg, n, b.src, b.dst, b.n_edges, err))) goto done;
    if ((rc = gat_acts_init(&acts, m, &lin, &lg, err))) goto done;
    idx = malloc(((size_t)b.n_seeds + 1) * sizeof *idx);
    dlogits = calloc((size_t)(n * C) + 1, sizeof *dlogits);
    if (!idx || !dlogits) goto nomem;
    for (int64_t i = 0; i < b.n_seeds; i++) idx[i] = i;
    if ((rc = gat_plan_build(&plan, m, &lg, &lin, idx, b.n_seeds, err))) goto done;
    const uint64_t key = gat_rng_key(seed, STREAM_STEP, epoch, bi);
    const float *logits = gat_model_forward_plan(m, &acts, &lin, &lg, 1, key, &plan);
    double loss;
    if (ds->task == GAT_TASK_MULTI_LABEL) {
        targets = malloc(((size_t)(b.n_seeds * C) + 1) * sizeof *targets);
        if (!targets) goto nomem;
        for (int64_t i = 0; i < b.n_seeds; i++) memcpy(targets + i * C, ds->targets + b.global[i] * C, (size_t)C * sizeof *targets);
        int64_t tp, fp, fn;
        loss = gat_sigmoid_bce(logits, C, targets, idx, b.n_seeds, dlogits, &tp, &fp, &fn);
        *hits += tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) * (double)b.n_seeds : 0.0;
    } else {
        labels = malloc(((size_t)b.n_seeds + 1) * sizeof *labels);
        if (!labels) goto nomem;
        for (int64_t i = 0; i < b.n_seeds; i++) labels[i] = ds->labels[b.global[i]];
        int64_t correct;
        loss = gat_softmax_xent(logits, C, labels, idx, b.n_seeds, dlogits, &correct);
        *hits += (double)correct;
    }
    if (!isfinite(loss)) {
        rc = gat_error_set(err, GAT_ERANGE, "training diverged at epoch %lld (loss is %g); try a smaller --lr",
                           (long long)epoch, loss);
        goto done;
    }
    *loss_sum += loss * (double)b.n_seeds;
    *count += b.n_seeds;
    memset(m->grads, 0, m->n_params * sizeof *m->grads);
    gat_model_backward_plan(m, &acts, &lin, &lg, dlogits, &plan);
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory for a batch of %lld nodes", (long long)n);
done:
    gat_plan_free(&plan);
    gat_acts_free(&acts);
    gat_graph_free(&lg);
    gat_csr_free(&lx);
    gat_batch_free(&b);
    free(dense);
    free(dlogits);
    free(targets);
    free(labels);
    free(idx);
    return rc;
}

int gat_train_sampled(gat_model *m, gat_sampled_session *s, const gat_train_options *opt,
                      const gat_minibatch_options *mb, gat_epoch_fn cb, void *user, gat_train_result *res,
                      gat_error *err) {
    int rc = gat_train_options_check(opt, err);
    if (!rc) rc = gat_minibatch_options_check(mb, m, err);
    if (rc) return rc;
    /* sampled steps are not split into shards: one process only */
    if (opt->comm && opt->comm->size > 1)
        return gat_error_set(err, GAT_EINVAL, "train.comm: sampled mini-batches train in one process, not %d",
                             opt->comm->size);
    if (opt->shards > 0)
        return gat_error_set(err, GAT_EINVAL, "train.shards: not used with sampled mini-batches");
    memset(res, 0, sizeof *res);
    const gat_dataset *ds = s->ds;
    const int64_t nt = ds->split_size[GAT_SPLIT_TRAIN], B = mb->batch_size;
    const size_t np = m->n_trainable;
    float *m1 = calloc(np + 1, sizeof *m1), *m2 = calloc(np + 1, sizeof *m2), *best = NULL;
    int64_t *order = malloc(((size_t)nt + 1) * sizeof *order);
    gat_sampler smp;
    memset(&smp, 0, sizeof smp);
    if (opt->keep_best) best = malloc((m->n_params + 1) * sizeof *best);
    if (!m1 || !m2 || !order || (opt->keep_best && !best)) {
        rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory for optimizer state");
        goto done;
    }
    if ((rc = gat_sampler_init(&smp, &s->g, m->cfg.n_layers, mb->fanouts, opt->seed, err))) goto done;
    double best_score = -INFINITY, best_loss = INFINITY;
    int64_t since_improved = 0, step = 0;
    const double t0 = now_seconds();
    res->reason = GAT_STOP_MAX_EPOCHS;
    for (int64_t epoch = 1; epoch <= opt->max_epochs; epoch++) {
        gat_epoch_report r;
        memset(&r, 0, sizeof r);
        r.epoch = epoch;
        /* this epoch's order of the training nodes (Fisher-Yates from the seed) */
        memcpy(order, ds->split[GAT_SPLIT_TRAIN], (size_t)nt * sizeof *order);
        const uint64_t ko = gat_rng_key(opt->seed, STREAM_ORDER, (uint64_t)epoch, 0);
        for (int64_t i = nt - 1; i > 0; i--) {
            int64_t j = (int64_t)(gat_rng_uniform64(ko, (uint64_t)i) * (double)(i + 1));
            if (j > i) j = i;
            int64_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double loss_sum = 0, hits = 0;
        int64_t count = 0;
        for (int64_t bi = 0; bi * B < nt; bi++) {
            const int64_t ns = nt - bi * B < B ? nt - bi * B : B;
            if ((rc = train_step(m, s, &smp, order + bi * B, ns, (uint64_t)epoch, (uint64_t)bi, opt->seed, &loss_sum,
                                 &hits, &count, err)))
                goto done;
            gat_adam_step(m, m1, m2, ++step, opt);
        }
        r.train.loss = count ? loss_sum / (double)count : 0.0;
        r.train.score = count ? hits / (double)count : 0.0;
        if ((rc = gat_evaluate_exact(m, s, GAT_SPLIT_VAL, &r.val, err))) goto done;
        r.elapsed = now_seconds() - t0;
        res->epochs = epoch;
        if (r.val.score > best_score || r.val.loss < best_loss) {
            if (r.val.score > res->best_val.score || epoch == 1 ||
                (r.val.score == res->best_val.score && r.val.loss < res->best_val.loss)) {
                res->best_epoch = epoch;
                res->best_val = r.val;
                if (best) memcpy(best, m->params, m->n_params * sizeof *best);
            }
            best_score = fmax(best_score, r.val.score);
            best_loss = fmin(best_loss, r.val.loss);
            since_improved = 0;
            r.improved = 1;
        } else {
            since_improved++;
        }
        if (cb && (rc = cb(&r, m, user, err)) != 0) goto done;
        if (since_improved >= opt->patience) {
            res->reason = GAT_STOP_PATIENCE;
            break;
        }
    }
    if (best) memcpy(m->params, best, m->n_params * sizeof *best);
    res->seconds = now_seconds() - t0;
done:
    gat_sampler_free(&smp);
    free(m1);
    free(m2);
    free(best);
    free(order);
    return rc;
}
