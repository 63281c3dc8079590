/* train_shard.h - training steps and validation passes split into fixed shards (private to
 * src/core; see train_shard.c). */
#ifndef GAT_TRAIN_SHARD_H
#define GAT_TRAIN_SHARD_H
#include "gat/comm.h"
#include "gat/sample.h"
#include "gat/train.h"

typedef struct gat_shards {
    gat_comm *comm;
    int64_t n;                         /* shards of a step (collections: at most, one per graph) */
    gat_step_batch *train, *val;            /* a single graph: the n shards of the training and validation nodes */
    float *part;                       /* (own shards, n_trainable) gradients */
    float *scratch;                    /* gat_comm_sum_shards' */
    float *tallies;                    /* packed tallies: own, then every rank's */
    size_t tally_cap;                  /* shard slots tallies holds */
} gat_shards;

int gat_shards_init(gat_shards *sh, gat_session *s, const gat_model *m, const gat_train_options *o, gat_error *err);
void gat_shards_free(gat_shards *sh);
/* One step: sets m->grads (trainable part) to the gradient of the step's mean loss, the
 * sum of its shards' in shard order, and adds the step's tally into t. graphs: the step's
 * graphs of a collection (one shard each), or NULL for a single graph. */
int gat_shards_step(gat_shards *sh, gat_model *m, gat_session *s, const gat_train_options *o, const int64_t *graphs,
                    int64_t n_graphs, uint64_t key, gat_tally *t, gat_error *err);
/* One sampled step: the seeds[0..n_seeds) of the step in sh->n contiguous parts, each part's
 * neighbourhood sampled from smp with keys of (epoch, step) and its global node ids, its
 * loss scaled by its share of the step's seeds; m->grads as for gat_shards_step. key: the
 * step's dropout key. */
int gat_shards_step_sampled(gat_shards *sh, gat_model *m, gat_session *s, const gat_train_options *o, gat_sampler *smp,
                            const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t step, uint64_t key,
                            gat_tally *t, gat_error *err);
/* A validation (or, for collections, any split's) pass, its tally added into t. */
int gat_shards_eval(gat_shards *sh, gat_model *m, gat_session *s, gat_split split, int use_plans, gat_tally *t,
                    gat_error *err);
#endif
