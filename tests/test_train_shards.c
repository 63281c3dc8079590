/* test_train_shards.c - sharded training (gat_train_options.shards, .comm) gives the same
 * parameters whatever the number of ranks: one process with 4 shards, and 1, 2 and 3
 * simulated ranks (threads standing in for processes, with an in-memory communicator), all
 * bit-identical; the shards of a step are the same work split, so the result stays close to
 * the unsharded one; bad shard counts are refused with a message naming the option. Runs in
 * the default (MPI-free) build; tests/mpi/ does the same with mpirun. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "synthetic.h"
#include "gat/comm.h"
#include "gat/train.h"

enum { MAXK = 3, EPOCHS = 12, SHARDS = 4, SAMPLED_EPOCHS = 3, BATCH = 40 };

static void make_synthetic(gat_dataset *ds) { synthetic_communities(ds, 300, 16, 6, 1.0f, 7); }

/* An in-memory group of threads: all-gather, agreement and broadcast. */
typedef struct {
    pthread_barrier_t bar;
    const void *bufs[MAXK];
    int status[MAXK];
} group;

static int t_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err) {
    (void)err;
    group *g = c->impl;
    g->bufs[c->rank] = mine;
    pthread_barrier_wait(&g->bar);
    for (int r = 0; r < c->size; r++) memcpy(all + (size_t)r * n, g->bufs[r], n * sizeof *all);
    c->bytes_sent += (uint64_t)(c->size - 1) * n * sizeof *all;
    pthread_barrier_wait(&g->bar);
    return GAT_OK;
}
static int t_bcast(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err) {
    (void)err;
    group *g = c->impl;
    if (c->rank == root) g->bufs[root] = buf;
    pthread_barrier_wait(&g->bar);
    if (c->rank != root) memcpy(buf, g->bufs[root], bytes);
    pthread_barrier_wait(&g->bar);
    return GAT_OK;
}
static int t_agree(gat_comm *c, int status, int *failed_rank, gat_error *err) {
    (void)err;
    group *g = c->impl;
    g->status[c->rank] = status;
    pthread_barrier_wait(&g->bar);
    int out = GAT_OK;
    *failed_rank = -1;
    for (int r = 0; r < c->size; r++)
        if (g->status[r] != GAT_OK) {
            out = g->status[r];
            *failed_rank = r;
            break;
        }
    pthread_barrier_wait(&g->bar);
    return out;
}
static void t_barrier(gat_comm *c) { pthread_barrier_wait(&((group *)c->impl)->bar); }
static const gat_comm_ops thread_ops = {t_allgather, t_bcast, t_agree, t_barrier, NULL, NULL};

typedef struct {
    const gat_dataset *ds;
    gat_comm *comm;                    /* NULL: one process */
    int64_t shards;
    int64_t batch_size;                /* > 0: sampled mini-batches of this many seeds */
    int eval_test;                     /* evaluate the test split across the ranks after training */
    int no_dropout;
    float *params;                     /* out */
    size_t n_params;
    double best_val_loss;
    gat_metrics test;
    int rc;
    char msg[GAT_ERROR_LEN];
} job;

static void *run(void *arg) {
    job *j = arg;
    gat_error err = {0};
    gat_config cfg = gat_config_default(j->ds->n_features, j->ds->n_classes);
    if (j->no_dropout) cfg.dropout = 0;
    gat_model m;
    gat_session s;
    memset(&m, 0, sizeof m);
    memset(&s, 0, sizeof s);
    gat_train_options o = gat_train_options_default();
    o.max_epochs = EPOCHS;
    o.seed = 3;
    o.shards = j->shards;
    o.comm = j->comm;
    gat_train_result res;
    const int64_t fanouts[2] = {4, j->no_dropout ? 4 : 3};
    j->rc = gat_model_init(&m, &cfg, 3, &err);
    if (j->batch_size > 0) {
        o.batch_size = j->batch_size;
        o.max_epochs = SAMPLED_EPOCHS;
        if (!j->rc) j->rc = gat_session_init_sampled(&s, j->ds, &m, fanouts, &err);
    } else if (!j->rc) {
        j->rc = gat_session_init(&s, j->ds, &m, &err);
    }
    if (!j->rc) j->rc = gat_train(&m, &s, &o, NULL, NULL, &res, &err);
    if (!j->rc && j->eval_test) j->rc = gat_evaluate_split_comm(&m, &s, GAT_SPLIT_TEST, j->comm, &j->test, &err);
    if (!j->rc) {
        j->n_params = m.n_params;
        j->params = malloc(m.n_params * sizeof *j->params);
        memcpy(j->params, m.params, m.n_params * sizeof *j->params);
        j->best_val_loss = res.best_val.loss;
    }
    memcpy(j->msg, err.msg, sizeof j->msg);
    gat_session_free(&s);
    gat_model_free(&m);
    return NULL;
}

/* Train on k simulated ranks; jobs[r] holds rank r's result. */
/* last_ds: the dataset of the last rank (ds when NULL), to make one rank fail */
static void run_ranks_on(const gat_dataset *ds, const gat_dataset *last_ds, int k, int64_t shards, int64_t batch_size,
                         job *jobs) {
    group g;
    memset(&g, 0, sizeof g);
    pthread_barrier_init(&g.bar, NULL, (unsigned)k);
    gat_comm comms[MAXK];
    pthread_t th[MAXK];
    for (int r = 0; r < k; r++) {
        comms[r] = (gat_comm){r, k, &thread_ops, &g, 0, 0};
        memset(&jobs[r], 0, sizeof jobs[r]);
        jobs[r] = (job){.ds = r == k - 1 && last_ds ? last_ds : ds, .comm = &comms[r], .shards = shards,
                        .batch_size = batch_size, .eval_test = 1};
        pthread_create(&th[r], NULL, run, &jobs[r]);
    }
    for (int r = 0; r < k; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&g.bar);
}
static void run_ranks_sampled(const gat_dataset *ds, int k, int64_t shards, int64_t batch_size, job *jobs) {
    run_ranks_on(ds, NULL, k, shards, batch_size, jobs);
}
static void run_ranks(const gat_dataset *ds, int k, int64_t shards, job *jobs) { run_ranks_sampled(ds, k, shards, 0, jobs); }

/* Sampled mini-batches: the seeds of a step in fixed parts, each sampled on its own. One
 * process with 4 shards and 1, 2, 3 ranks give the same parameters, validation losses and
 * test metrics; one shard is the unsplit step itself; 4 shards stay close to it without
 * dropout; bad counts are refused. */
static void check_sampled(const gat_dataset *ds) {
    job one = {.ds = ds, .shards = SHARDS, .batch_size = BATCH, .eval_test = 1};
    job plain = {.ds = ds, .batch_size = BATCH, .eval_test = 1}, single = {.ds = ds, .shards = 1, .batch_size = BATCH};
    run(&one);
    run(&plain);
    run(&single);
    CHECK_MSG(one.rc == GAT_OK && plain.rc == GAT_OK && single.rc == GAT_OK, "sampled: one process trains (%s%s%s)",
              one.msg, plain.msg, single.msg);
    if (one.rc || plain.rc || single.rc) return;
    CHECK_MSG(!memcmp(single.params, plain.params, plain.n_params * sizeof *plain.params),
              "sampled: 1 shard is bit-identical to the unsplit step");
    int differ = 0;
    for (size_t i = 0; i < one.n_params; i++) differ |= one.params[i] != plain.params[i];
    CHECK_MSG(differ, "sampled: 4 shards are other batches than the unsplit step's (the test can tell them apart)");
    for (int k = 1; k <= MAXK; k++) {
        job jobs[MAXK];
        run_ranks_sampled(ds, k, SHARDS, BATCH, jobs);
        for (int r = 0; r < k; r++) {
            CHECK_MSG(jobs[r].rc == GAT_OK, "sampled, %d ranks: rank %d trains (%s)", k, r, jobs[r].msg);
            CHECK_MSG(jobs[r].params && jobs[r].n_params == one.n_params &&
                          !memcmp(jobs[r].params, one.params, one.n_params * sizeof *one.params),
                      "sampled, %d ranks: rank %d's parameters are bit-identical to one process with %d shards", k, r,
                      SHARDS);
            CHECK_MSG(jobs[r].best_val_loss == one.best_val_loss, "sampled, %d ranks: the same best validation loss", k);
            CHECK_MSG(jobs[r].test.loss == one.test.loss && jobs[r].test.score == one.test.score,
                      "sampled, %d ranks: rank %d's test metrics are one process's (%.17g %.17g vs %.17g %.17g)", k, r,
                      jobs[r].test.loss, jobs[r].test.score, one.test.loss, one.test.score);
            free(jobs[r].params);
        }
    }
    /* without dropout and with one fanout for every hop, a node draws the same in-neighbours
     * in a part as in the whole batch, so the parts compute the step's own loss (each part's
     * weighted by its share of the seeds), up to the order of additions */
    job one0 = {.ds = ds, .shards = SHARDS, .batch_size = BATCH, .no_dropout = 1};
    job plain0 = {.ds = ds, .batch_size = BATCH, .no_dropout = 1};
    run(&one0);
    run(&plain0);
    CHECK_MSG(one0.rc == GAT_OK && plain0.rc == GAT_OK, "sampled without dropout trains (%s%s)", one0.msg, plain0.msg);
    if (!one0.rc && !plain0.rc) {
        double worst = 0;
        for (size_t i = 0; i < one0.n_params; i++)
            worst = fmax(worst, fabs((double)one0.params[i] - (double)plain0.params[i]));
    CHECK_MSG(worst < 1e-5, "sampled without dropout: 4 shards and the unsplit step agree to %g", worst);
    }
    free(one0.params);
    free(plain0.params);
    /* 3 ranks, 2 shards; more shards than seeds per step */
    job jobs[MAXK];
    run_ranks_sampled(ds, 3, 2, BATCH, jobs);
    for (int r = 0; r < 3; r++) {
        CHECK_MSG(jobs[r].rc == GAT_EINVAL && strstr(jobs[r].msg, "use --shards 3 or more"),
                  "sampled, 3 ranks, 2 shards: refused on rank %d (%s)", r, jobs[r].msg);
        free(jobs[r].params);
    }
    /* a rank whose sampling fails (its training nodes out of range) ends every rank, each
     * with the failing rank's message */
    gat_dataset bad;
    make_synthetic(&bad);
    for (int64_t i = 0; i < bad.split_size[GAT_SPLIT_TRAIN]; i++) bad.split[GAT_SPLIT_TRAIN][i] = bad.n_nodes + i;
    run_ranks_on(ds, &bad, 2, SHARDS, BATCH, jobs);
    for (int r = 0; r < 2; r++) {
        CHECK_MSG(jobs[r].rc == GAT_ERANGE && strstr(jobs[r].msg, "rank 1 of 2: sampler: seed node"),
                  "sampled, rank 1 fails to sample: rank %d ends with its message (%s)", r, jobs[r].msg);
        free(jobs[r].params);
    }
    gat_dataset_free(&bad);
    job many = {.ds = ds, .shards = BATCH + 1, .batch_size = BATCH};
    run(&many);
    CHECK_MSG(many.rc == GAT_EINVAL && strstr(many.msg, "train.shards: 41 is more than the 40 seed nodes of a step"),
              "sampled, 41 shards of 40 seeds: %s", many.msg);
    free(one.params);
    free(plain.params);
    free(single.params);
}

int main(void) {
    gat_dataset ds;
    make_synthetic(&ds);
    gat_set_threads(1);

    job one = {.ds = &ds, .shards = SHARDS}, plain = {.ds = &ds, .shards = 0};
    run(&one);
    run(&plain);
    CHECK_MSG(one.rc == GAT_OK && plain.rc == GAT_OK, "one process trains (%s%s)", one.msg, plain.msg);
    if (one.rc || plain.rc) return check_summary();
    /* the shards split the same step: the parameters stay close to the unsharded run's (only
     * the order of the additions differs) */
    double worst = 0;
    int differ = 0;
    for (size_t i = 0; i < one.n_params; i++) {
        worst = fmax(worst, fabs((double)one.params[i] - (double)plain.params[i]));
        differ |= one.params[i] != plain.params[i];
    }
    CHECK_MSG(worst < 1e-3, "sharded and unsharded training agree to %g", worst);
    (void)differ;

    for (int k = 1; k <= MAXK; k++) {
        job jobs[MAXK];
        run_ranks(&ds, k, SHARDS, jobs);
        for (int r = 0; r < k; r++) {
            CHECK_MSG(jobs[r].rc == GAT_OK, "%d ranks: rank %d trains (%s)", k, r, jobs[r].msg);
            CHECK_MSG(jobs[r].params && jobs[r].n_params == one.n_params &&
                          !memcmp(jobs[r].params, one.params, one.n_params * sizeof *one.params),
                      "%d ranks: rank %d's parameters are bit-identical to one process with %d shards", k, r, SHARDS);
            CHECK_MSG(jobs[r].best_val_loss == one.best_val_loss, "%d ranks: the same best validation loss", k);
            free(jobs[r].params);
        }
    }
    /* a communicator without a shard count: GAT_DEFAULT_SHARDS */
    {
        job jobs[MAXK];
        run_ranks(&ds, 2, 0, jobs);
        for (int r = 0; r < 2; r++) {
            CHECK_MSG(jobs[r].rc == GAT_OK && !memcmp(jobs[r].params, one.params, one.n_params * sizeof *one.params),
                      "2 ranks without --shards: %d shards, the same parameters (%s)", GAT_DEFAULT_SHARDS, jobs[r].msg);
            free(jobs[r].params);
        }
    }
    /* more ranks than shards: refused on every rank, naming the option */
    {
        job jobs[MAXK];
        run_ranks(&ds, 3, 2, jobs);
        for (int r = 0; r < 3; r++) {
            CHECK_MSG(jobs[r].rc == GAT_EINVAL && strstr(jobs[r].msg, "use --shards 3 or more"),
                      "3 ranks, 2 shards: refused on rank %d (%s)", r, jobs[r].msg);
            free(jobs[r].params);
        }
    }
    /* more shards than training nodes; a negative count */
    job many = {.ds = &ds, .shards = 1000}, neg = {.ds = &ds, .shards = -1};
    run(&many);
    run(&neg);
    CHECK_MSG(many.rc == GAT_EINVAL && strstr(many.msg, "train.shards: 1000 is more than"), "1000 shards: %s", many.msg);
    CHECK_MSG(neg.rc == GAT_EINVAL && strstr(neg.msg, "train.shards: -1"), "-1 shards: %s", neg.msg);
    free(one.params);
    free(plain.params);
    check_sampled(&ds);
    gat_dataset_free(&ds);
    return check_summary();
}
