/* train_shard.c - a training step split into fixed shards, for data-parallel runs whose
 * results do not depend on the number of ranks (see comm.h and docs/distributed.md).
 *
 * A step's gradient is the sum of its shards' gradients, each computed by one rank and
 * added by every rank in shard order; the loss of each shard is scaled by its share of the
 * step's loss terms, so that the sum is the gradient of the step's mean loss. Validation
 * passes are split the same way and their tallies added in shard order. */
#include "train_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tally's numbers as they travel: the loss sum's bits and the counts. */
enum { TALLY_WORDS = 14 }; /* 7 x 8 bytes, as floats */

static void tally_pack(float *w, const gat_tally *t) {
    int64_t v[7];
    memcpy(&v[0], &t->loss_sum, sizeof(double));
    v[1] = t->terms, v[2] = t->nodes, v[3] = t->correct, v[4] = t->tp, v[5] = t->fp, v[6] = t->fn;
    memcpy(w, v, sizeof v);
}
static void tally_add_packed(gat_tally *t, const float *w) {
    int64_t v[7];
    double loss;
    memcpy(v, w, sizeof v);
    memcpy(&loss, &v[0], sizeof loss);
    t->batches++;
    t->loss_sum += loss;
    t->last_loss = v[1] ? loss / (double)v[1] : 0;
    t->terms += v[1], t->nodes += v[2], t->correct += v[3], t->tp += v[4], t->fp += v[5], t->fn += v[6];
}

/* Gather every shard's packed tally and add them into t in shard order. */
static int gather_tallies(gat_comm *c, const float *mine, int64_t n_shards, float *buf, gat_tally *t, gat_error *err) {
    int size = c ? c->size : 1, rank = c ? c->rank : 0;
    int64_t per = (n_shards + size - 1) / size;
    const float *all = mine;
    if (size > 1) {
        int rc = gat_comm_allgather(c, mine, (size_t)per * TALLY_WORDS, buf, err);
        if (rc) return rc;
        all = buf;
    }
    (void)rank;
    for (int64_t s = 0; s < n_shards; s++)
        tally_add_packed(t, all + ((size_t)(s % size) * (size_t)per + (size_t)(s / size)) * TALLY_WORDS);
    return GAT_OK;
}

/* Loss terms of a batch: its loss nodes, times the labels for multi-label data. */
static int64_t batch_terms(const gat_step_batch *b, gat_task task, int64_t C) {
    return task == GAT_TASK_MULTI_LABEL ? b->n_loss * C : b->n_loss;
}

/* Contiguous, near-equal groups of a batch's loss nodes, as batches of their own (each
 * with its plan); they borrow the whole batch's arrays. */
static int split_loss(gat_step_batch *out, int64_t n_shards, const gat_step_batch *whole, const gat_model *m, int use_plans,
                      gat_error *err) {
    for (int64_t s = 0; s < n_shards; s++) {
        int64_t lo = whole->n_loss * s / n_shards, hi = whole->n_loss * (s + 1) / n_shards;
        gat_step_batch *b = &out[s];
        memset(b, 0, sizeof *b);
        b->n = whole->n;
        b->node_ids = whole->node_ids;
        b->in = whole->in;
        b->g = whole->g;
        b->loss = whole->loss + lo;
        b->n_loss = hi - lo;
        b->labels = whole->labels;
        b->targets = whole->targets;
        if (use_plans && b->n_loss > 0) {
            int rc = gat_step_batch_plan(b, m, err);
            if (rc) return rc;
        }
    }
    return GAT_OK;
}

/* Every rank learns whether any failed; the failing rank's message reaches all. */
static int agree(gat_shards *sh, int rc, gat_error *err) { return gat_comm_agree_error(sh->comm, rc, err); }

static int shards_init(gat_shards *sh, gat_session *s, const gat_model *m, const gat_train_options *o, gat_error *err);

int gat_shards_init(gat_shards *sh, gat_session *s, const gat_model *m, const gat_train_options *o, gat_error *err) {
    int rc = shards_init(sh, s, m, o, err);
    sh->comm = o->comm;
    return agree(sh, rc, err);
}

static int shards_init(gat_shards *sh, gat_session *s, const gat_model *m, const gat_train_options *o, gat_error *err) {
    memset(sh, 0, sizeof *sh);
    gat_comm *c = o->comm;
    const gat_dataset *ds = s->ds;
    sh->comm = c;
    int size = c ? c->size : 1;
    if (ds->n_graphs > 0) {
        sh->n = o->batch_size;  /* one shard per graph of a step */
        if (size > o->batch_size)
            return gat_error_set(err, GAT_EINVAL,
                                 "%d processes but batches of %lld graphs: each process needs a graph of every step "
                                 "(use at most %lld processes, or a larger batch size)",
                                 size, (long long)o->batch_size, (long long)o->batch_size);
        int64_t nv = s->n_eval[GAT_SPLIT_VAL];
        if (size > nv)
            return gat_error_set(err, GAT_EINVAL, "%d processes but %lld validation graphs", size, (long long)nv);
    } else if (s->sampled) {
        /* the seed nodes of a step in sh->n contiguous parts, each sampled on its own */
        sh->n = o->shards > 0 ? o->shards : GAT_DEFAULT_SHARDS;
        int64_t nt = ds->split_size[GAT_SPLIT_TRAIN], bs = o->batch_size < nt ? o->batch_size : nt;
        if (sh->n > bs)
            return gat_error_set(err, GAT_EINVAL, "train.shards: %lld is more than the %lld seed nodes of a step "
                                 "(each shard needs some: use a larger batch size or fewer shards)",
                                 (long long)sh->n, (long long)bs);
    } else {
        sh->n = o->shards > 0 ? o->shards : GAT_DEFAULT_SHARDS;
        int64_t nt = ds->split_size[GAT_SPLIT_TRAIN], nv = ds->split_size[GAT_SPLIT_VAL];
        if (sh->n > nt || sh->n > nv)
            return gat_error_set(err, GAT_EINVAL, "train.shards: %lld is more than the %lld training or %lld validation nodes",
                                 (long long)sh->n, (long long)nt, (long long)nv);
        sh->train = calloc((size_t)sh->n, sizeof *sh->train);
        sh->val = calloc((size_t)sh->n, sizeof *sh->val);
        if (!sh->train || !sh->val) goto nomem;
        int rc = split_loss(sh->train, sh->n, &s->eval[GAT_SPLIT_TRAIN][0], m, o->use_plans, err);
        if (!rc) rc = split_loss(sh->val, sh->n, &s->eval[GAT_SPLIT_VAL][0], m, o->use_plans, err);
        if (rc) {
            gat_shards_free(sh);
            return rc;
        }
    }
    if (size > sh->n)
        return gat_error_set(err, GAT_EINVAL, "%d processes but %lld shards per step: use --shards %d or more", size,
                             (long long)sh->n, size);
    int64_t per = (sh->n + size - 1) / size;
    sh->part = malloc(((size_t)per * m->n_trainable + 1) * sizeof *sh->part);
    sh->scratch = malloc((gat_comm_sum_shards_scratch(c, sh->n, m->n_trainable) + 1) * sizeof *sh->scratch);
    int64_t most = sh->n;
    for (int sp = 0; sp < 3; sp++)
        if (ds->n_graphs > 0 && s->n_eval[sp] > most) most = s->n_eval[sp];
    sh->tally_cap = (size_t)(size + 1) * (size_t)((most + size - 1) / size);
    sh->tallies = malloc(sh->tally_cap * TALLY_WORDS * sizeof *sh->tallies);
    if (!sh->part || !sh->scratch || !sh->tallies) goto nomem;
    return GAT_OK;
nomem:
    gat_shards_free(sh);
    return gat_error_set(err, GAT_ENOMEM, "training: out of memory for the shards' gradients");
}

void gat_shards_free(gat_shards *sh) {
    if (!sh) return;
    for (int64_t i = 0; sh->train && i < sh->n; i++) gat_step_batch_free(&sh->train[i]);
    for (int64_t i = 0; sh->val && i < sh->n; i++) gat_step_batch_free(&sh->val[i]);
    free(sh->train);
    free(sh->val);
    free(sh->part);
    free(sh->scratch);
    free(sh->tallies);
    memset(sh, 0, sizeof *sh);
}

/* Loss terms of graph gi of a collection (every labelled node; times C when multi-label). */
static int64_t graph_terms(const gat_dataset *ds, int64_t gi) {
    int64_t n = 0;
    for (int64_t q = ds->graph_node_ptr[gi]; q < ds->graph_node_ptr[gi + 1]; q++)
        n += ds->task == GAT_TASK_MULTI_LABEL || ds->labels[ds->graph_nodes[q]] >= 0;
    return ds->task == GAT_TASK_MULTI_LABEL ? n * ds->n_classes : n;
}

/* One shard's part of a step: forward over batch b, its loss scaled by b's share of the
 * step's total loss terms (so the shards' gradients add up to the step's mean), backward
 * into m->grads; the shard's tally into *one. s->dlogits keeps b's loss rows: the caller
 * clears them for the next shard. */
static void shard_gradient(gat_model *m, gat_session *s, int use_plans, const gat_step_batch *b, int64_t total,
                           uint64_t key, gat_tally *one) {
    const gat_dataset *ds = s->ds;
    const int64_t C = ds->n_classes;
    gat_step_batch view = *b;
    if (!use_plans) view.plan = NULL;
    const float *logits = gat_step_batch_forward(m, &s->acts, &view, 1, key);
    gat_step_batch_loss(&view, ds->task, C, logits, s->dlogits, one);
    const float share = (float)((double)batch_terms(b, ds->task, C) / (double)total);
    for (int64_t i = 0; i < b->n_loss; i++)
        for (int64_t c = 0; c < C; c++) s->dlogits[b->loss[i] * C + c] *= share;
    gat_step_batch_backward(m, &s->acts, &view, s->dlogits);
}

int gat_shards_step(gat_shards *sh, gat_model *m, gat_session *s, const gat_train_options *o, const int64_t *graphs,
                    int64_t n_graphs, uint64_t key, gat_tally *t, gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t C = ds->n_classes, n_sh = graphs ? n_graphs : sh->n;
    const size_t np = m->n_trainable;
    int64_t total = 0;
    for (int64_t j = 0; j < n_sh; j++)
        total += graphs ? graph_terms(ds, graphs[j]) : batch_terms(&sh->train[j], ds->task, C);
    int size = sh->comm ? sh->comm->size : 1;
    int64_t per = (n_sh + size - 1) / size, k = 0;
    float *mine = sh->tallies, *gathered = sh->tallies + (size_t)per * TALLY_WORDS;
    memset(mine, 0, (size_t)per * TALLY_WORDS * sizeof *mine);
    int rc = GAT_OK;
    for (int64_t j = 0; j < n_sh && !rc; j++) {
        if (!gat_comm_owns_shard(sh->comm, j)) continue;
        gat_step_batch gb;
        memset(&gb, 0, sizeof gb);
        const gat_step_batch *b = graphs ? &gb : &sh->train[j];
        if (graphs) {
            rc = gat_step_batch_graphs_flags(&gb, ds, &s->in, graphs + j, 1, s->graph_flags, err);
            if (!rc && o->use_plans) rc = gat_step_batch_plan(&gb, m, err);
            if (rc) break;
        }
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        gat_tally one;
        memset(&one, 0, sizeof one);
        if (b->n_loss > 0) {
            shard_gradient(m, s, o->use_plans, b, total, key, &one);
            for (int64_t i = 0; i < b->n_loss; i++) memset(s->dlogits + b->loss[i] * C, 0, (size_t)C * sizeof(float));
        }
        memcpy(sh->part + (size_t)k * np, m->grads, np * sizeof *m->grads);
        tally_pack(mine + k * TALLY_WORDS, &one);
        k++;
        if (graphs) gat_step_batch_free(&gb);
    }
    if ((rc = agree(sh, rc, err))) return rc;
    if ((rc = gat_comm_sum_shards(sh->comm, sh->part, n_sh, np, m->grads, sh->scratch, err))) return rc;
    return gather_tallies(sh->comm, mine, n_sh, gathered, t, err);
}

int gat_shards_step_sampled(gat_shards *sh, gat_model *m, gat_session *s, const gat_train_options *o, gat_sampler *smp,
                            const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t step, uint64_t key,
                            gat_tally *t, gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int64_t C = ds->n_classes, n_sh = sh->n;
    const size_t np = m->n_trainable;
    /* the step's loss terms: its seeds (distinct training nodes), times C when multi-label */
    const int64_t total = ds->task == GAT_TASK_MULTI_LABEL ? n_seeds * C : n_seeds;
    int size = sh->comm ? sh->comm->size : 1;
    int64_t per = (n_sh + size - 1) / size, k = 0;
    float *mine = sh->tallies, *gathered = sh->tallies + (size_t)per * TALLY_WORDS;
    memset(mine, 0, (size_t)per * TALLY_WORDS * sizeof *mine);
    int rc = GAT_OK;
    for (int64_t j = 0; j < n_sh && !rc; j++) {
        if (!gat_comm_owns_shard(sh->comm, j)) continue;
        const int64_t lo = n_seeds * j / n_sh, hi = n_seeds * (j + 1) / n_sh;
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        gat_tally one;
        memset(&one, 0, sizeof one);
        if (hi > lo) {
            /* the part's own neighbourhood: draws keyed by (seed, epoch, step, node), as an
             * unsplit batch's, so a part samples the same wherever it is computed */
            gat_step_batch b;
            rc = gat_step_batch_sampled(&b, ds, &s->in, smp, seeds + lo, hi - lo, epoch, step, err);
            if (rc) break;
            if (o->use_plans) rc = gat_step_batch_plan(&b, m, err);
            else if (b.in_own.sparse) rc = gat_csc_index_build(&b.in_own.csc, b.in_own.sparse, err);
            if (!rc) rc = gat_session_reserve(s, m, b.n, b.g->nnz, b.in->sparse ? b.in->sparse->nnz : 0, err);
            if (!rc) {
                shard_gradient(m, s, o->use_plans, &b, total, key, &one);
                /* the next part's rows start from zero outside its loss rows */
                memset(s->dlogits, 0, (size_t)(b.n * C) * sizeof *s->dlogits);
            }
            gat_step_batch_free(&b);
            if (rc) break;
        }
        memcpy(sh->part + (size_t)k * np, m->grads, np * sizeof *m->grads);
        tally_pack(mine + k * TALLY_WORDS, &one);
        k++;
    }
    if ((rc = agree(sh, rc, err))) return rc;
    if ((rc = gat_comm_sum_shards(sh->comm, sh->part, n_sh, np, m->grads, sh->scratch, err))) return rc;
    return gather_tallies(sh->comm, mine, n_sh, gathered, t, err);
}

int gat_shards_eval(gat_shards *sh, gat_model *m, gat_session *s, gat_split split, int use_plans, gat_tally *t,
                    gat_error *err) {
    const gat_dataset *ds = s->ds;
    const int collection = ds->n_graphs > 0;
    const int64_t C = ds->n_classes, n_sh = collection ? s->n_eval[split] : sh->n;
    GAT_ASSERT(collection || split == GAT_SPLIT_VAL);
    int size = sh->comm ? sh->comm->size : 1;
    int64_t per = (n_sh + size - 1) / size, k = 0;
    float *mine = sh->tallies, *gathered = sh->tallies + (size_t)per * TALLY_WORDS;
    GAT_ASSERT((size_t)(size + 1) * (size_t)per <= sh->tally_cap);
    memset(mine, 0, (size_t)per * TALLY_WORDS * sizeof *mine);
    for (int64_t j = 0; j < n_sh; j++) {
        if (!gat_comm_owns_shard(sh->comm, j)) continue;
        gat_step_batch view = collection ? s->eval[split][j] : sh->val[j];
        if (!use_plans) view.plan = NULL;
        gat_tally one;
        memset(&one, 0, sizeof one);
        if (view.n_loss > 0) {
            const float *logits = gat_step_batch_forward(m, &s->acts, &view, 0, 0);
            gat_step_batch_loss(&view, ds->task, C, logits, NULL, &one);
        }
        tally_pack(mine + k * TALLY_WORDS, &one);
        k++;
    }
    return gather_tallies(sh->comm, mine, n_sh, gathered, t, err);
}
