/* test_comm.c - the one-process communicator and the shard sum: one process adding its
 * shards gives the plain left-to-right sum, and a simulated K-rank group (threads standing in
 * for ranks, with an in-memory all-gather) gives the same bits for K = 1..4. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/comm.h"

enum { N = 37, SHARDS = 7, MAXK = 4 };

/* Shard s's partial result: values of very different magnitudes, so that the order of the
 * additions shows in the bits. */
static float part_value(int64_t s, size_t i) {
    uint32_t h = (uint32_t)(s * 2654435761u) ^ (uint32_t)(i * 40503u);
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    float mant = (float)(h & 0xffff) / 65536.0f - 0.5f;
    int e = (int)((h >> 16) % 40) - 20;
    return mant * (float)(1 << (e > 0 ? e : 0)) / (float)(1 << (e < 0 ? -e : 0));
}

/* An in-memory all-gather between threads. */
typedef struct {
    pthread_barrier_t bar;
    const float *bufs[MAXK];
} group;

static int thread_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err) {
    (void)err;
    group *g = c->impl;
    g->bufs[c->rank] = mine;
    pthread_barrier_wait(&g->bar);
    for (int r = 0; r < c->size; r++) memcpy(all + (size_t)r * n, g->bufs[r], n * sizeof *all);
    pthread_barrier_wait(&g->bar);
    return GAT_OK;
}
static const gat_comm_ops thread_ops = {thread_allgather, NULL, NULL, NULL, NULL, NULL};

typedef struct {
    gat_comm comm;
    float out[N];
    int rc;
} rank_job;

static void *run_rank(void *arg) {
    rank_job *j = arg;
    gat_comm *c = &j->comm;
    float *part = calloc((size_t)SHARDS * N, sizeof *part);
    float *scratch = calloc(gat_comm_sum_shards_scratch(c, SHARDS, N), sizeof *scratch);
    int64_t k = 0;
    for (int64_t s = 0; s < SHARDS; s++) {
        if (!gat_comm_owns_shard(c, s)) continue;
        for (size_t i = 0; i < N; i++) part[k * N + i] = part_value(s, i);
        k++;
    }
    gat_error err = {0};
    j->rc = gat_comm_sum_shards(c, part, SHARDS, N, j->out, scratch, &err);
    free(part);
    free(scratch);
    return NULL;
}

int main(void) {
    /* One process: the plain sum in shard order. */
    float part[SHARDS * N], expect[N], out[N];
    for (int64_t s = 0; s < SHARDS; s++)
        for (size_t i = 0; i < N; i++) part[s * N + i] = part_value(s, i);
    for (size_t i = 0; i < N; i++) {
        expect[i] = part[i];
        for (int64_t s = 1; s < SHARDS; s++) expect[i] += part[s * N + i];
    }
    gat_error err = {0};
    float scratch[SHARDS * N * 2];
    CHECK(gat_comm_sum_shards(NULL, part, SHARDS, N, out, scratch, &err) == GAT_OK);
    CHECK(!memcmp(out, expect, sizeof out));
    CHECK(gat_comm_sum_shards(gat_comm_single(), part, SHARDS, N, out, scratch, &err) == GAT_OK);
    CHECK(!memcmp(out, expect, sizeof out));
    /* The order matters for these values: a reversed sum differs somewhere, so the test
     * above can fail. */
    int differs = 0;
    for (size_t i = 0; i < N; i++) {
        float r = part[(SHARDS - 1) * N + i];
        for (int64_t s = SHARDS - 2; s >= 0; s--) r += part[s * N + i];
        differs |= memcmp(&r, &expect[i], sizeof r) != 0;
    }
    CHECK(differs);

    /* K simulated ranks: the same bits on every rank. */
    for (int k = 1; k <= MAXK; k++) {
        group g;
        pthread_barrier_init(&g.bar, NULL, (unsigned)k);
        rank_job jobs[MAXK];
        pthread_t th[MAXK];
        for (int r = 0; r < k; r++) {
            memset(&jobs[r], 0, sizeof jobs[r]);
            jobs[r].comm = (gat_comm){r, k, &thread_ops, &g, 0, 0};
            pthread_create(&th[r], NULL, run_rank, &jobs[r]);
        }
        for (int r = 0; r < k; r++) pthread_join(th[r], NULL);
        for (int r = 0; r < k; r++) {
            CHECK(jobs[r].rc == GAT_OK);
            CHECK_MSG(!memcmp(jobs[r].out, expect, sizeof expect), "%d ranks: rank %d's sum differs", k, r);
        }
        pthread_barrier_destroy(&g.bar);
    }

    /* Collectives of the one-process communicator. */
    int failed = 5;
    CHECK(gat_comm_agree(NULL, GAT_OK, &failed, &err) == GAT_OK && failed == -1);
    CHECK(gat_comm_agree(NULL, GAT_EIO, &failed, &err) == GAT_EIO && failed == 0);
    CHECK(gat_comm_bcast(NULL, out, sizeof out, 1, &err) == GAT_EINVAL);
    CHECK(gat_comm_is_root(NULL) && gat_comm_owns_shard(NULL, 3));
    return check_summary();
}
