/* train.c - Adam, the training loop with early stopping, evaluation (see train.h). */
#include "gat/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/rng.h"
#include "dispatch.h"
#include "pool.h"

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
    return o;
}

int gat_train_options_check(const gat_train_options *o, gat_error *err) {
    if (o->max_epochs < 1) return gat_error_set(err, GAT_EINVAL, "train.max_epochs: must be at least 1");
    if (o->patience < 1) return gat_error_set(err, GAT_EINVAL, "train.patience: must be at least 1");
    if (!(o->lr > 0 && o->lr < 10)) return gat_error_set(err, GAT_EINVAL, "train.lr: %g must be in (0, 10)", o->lr);
    if (!(o->weight_decay >= 0 && o->weight_decay < 1))
        return gat_error_set(err, GAT_EINVAL, "train.weight_decay: %g must be in [0, 1)", o->weight_decay);
    if (!(o->beta1 >= 0 && o->beta1 < 1 && o->beta2 >= 0 && o->beta2 < 1 && o->eps > 0))
        return gat_error_set(err, GAT_EINVAL, "train.beta1, train.beta2, train.eps: Adam's betas must be in [0, 1) and eps positive");
    return GAT_OK;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gat_session_init(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err) {
    memset(s, 0, sizeof *s);
    s->ds = ds;
    int64_t classes = gat_config_out_width(&m->cfg, m->cfg.n_layers - 1);
    if (classes != ds->n_classes) {
        return gat_error_set(err, GAT_ESHAPE, "model outputs %lld classes but dataset '%s' has %lld", (long long)classes,
                             ds->name, (long long)ds->n_classes);
    }
    int rc = gat_graph_from_edges(&s->g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges, err);
    if (!rc) rc = gat_input_init(&s->in, ds, err);
    if (!rc) rc = gat_acts_init(&s->acts, m, &s->in, &s->g, err);
    if (!rc) {
        s->dlogits = calloc((size_t)(ds->n_nodes * classes) + 1, sizeof *s->dlogits);
        if (!s->dlogits) rc = gat_error_set(err, GAT_ENOMEM, "out of memory");
    }
    if (rc) gat_session_free(s);
    return rc;
}

void gat_session_free(gat_session *s) {
    if (!s) return;
    gat_acts_free(&s->acts);
    gat_input_free(&s->in);
    gat_graph_free(&s->g);
    free(s->dlogits);
    memset(s, 0, sizeof *s);
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

const float *gat_evaluate(gat_model *m, gat_session *s, gat_split split, gat_metrics *out) {
    const float *logits = gat_model_forward(m, &s->acts, &s->in, &s->g, 0, 0);
    if (out) *out = gat_split_metrics(s, logits, split, NULL);
    return logits;
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

int gat_train(gat_model *m, gat_session *s, const gat_train_options *opt, gat_epoch_fn cb, void *user,
              gat_train_result *res, gat_error *err) {
    int rc = gat_train_options_check(opt, err);
    if (rc) return rc;
    memset(res, 0, sizeof *res);
    const size_t np = m->n_trainable;
    float *m1 = calloc(np + 1, sizeof *m1), *m2 = calloc(np + 1, sizeof *m2), *best = NULL;
    /* Each step computes only what the training loss needs, each validation pass only what
     * the validation nodes need (bit-identical to full passes, see gat_plan). */
    gat_plan train_plan, val_plan;
    memset(&train_plan, 0, sizeof train_plan);
    memset(&val_plan, 0, sizeof val_plan);
    const gat_dataset *ds = s->ds;
    if (opt->use_plans &&
        ((rc = gat_plan_build(&train_plan, m, &s->g, &s->in, ds->split[GAT_SPLIT_TRAIN], ds->split_size[GAT_SPLIT_TRAIN], err)) ||
         (rc = gat_plan_build(&val_plan, m, &s->g, &s->in, ds->split[GAT_SPLIT_VAL], ds->split_size[GAT_SPLIT_VAL], err))))
        goto done;
    const gat_plan *tp = opt->use_plans ? &train_plan : NULL, *vp = opt->use_plans ? &val_plan : NULL;
    if (opt->keep_best) best = malloc((m->n_params + 1) * sizeof *best);
    if (!m1 || !m2 || (opt->keep_best && !best)) {
        rc = gat_error_set(err, GAT_ENOMEM, "training: out of memory for optimizer state");
        goto done;
    }
    gat_early_stop es;
    gat_early_stop_init(&es, opt->patience);
    const double t0 = now_seconds();
    res->reason = GAT_STOP_MAX_EPOCHS;
    for (int64_t epoch = 1; epoch <= opt->max_epochs; epoch++) {
        gat_epoch_report r;
        memset(&r, 0, sizeof r);
        r.epoch = epoch;
        const uint64_t key = gat_rng_key(opt->seed, GAT_STREAM_STEP, (uint64_t)epoch, 0);
        const float *logits = gat_model_forward_plan(m, &s->acts, &s->in, &s->g, 1, key, tp);
        r.train = gat_split_metrics(s, logits, GAT_SPLIT_TRAIN, s->dlogits);
        if (!isfinite(r.train.loss)) {
            rc = gat_error_set(err, GAT_ERANGE, "training diverged at epoch %lld (loss is %g); try a smaller --lr",
                               (long long)epoch, r.train.loss);
            goto done;
        }
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        gat_model_backward_plan(m, &s->acts, &s->in, &s->g, s->dlogits, tp);
        gat_adam_step(m, m1, m2, epoch, opt);
        logits = gat_model_forward_plan(m, &s->acts, &s->in, &s->g, 0, 0, vp);
        r.val = gat_split_metrics(s, logits, GAT_SPLIT_VAL, NULL);
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
    gat_plan_free(&train_plan);
    gat_plan_free(&val_plan);
    free(m1);
    free(m2);
    free(best);
    return rc;
}
