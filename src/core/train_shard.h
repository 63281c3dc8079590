/* train_shard.h - training steps and validation passes split into fixed shards (private to
 * src/core; see train_shard.c). */
#ifndef GAT_TRAIN_SHARD_H
#define GAT_TRAIN_SHARD_H
#include "gat/comm.h"
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
/* A validation (or, for collections, any split's) pass, its tally added into t. */
int gat_shards_eval(gat_shards *sh, gat_model *m, gat_session *s, gat_split split, int use_plans, gat_tally *t,
                    gat_error *err);
#endif
