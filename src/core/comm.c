/* comm.c - the one-process communicator and the reproducible shard sum (see comm.h). */
#include "gat/comm.h"

#include <stdio.h>
#include <string.h>

static int single_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err) {
    (void)c;
    (void)err;
    if (all != mine && n) memmove(all, mine, n * sizeof *all);
    return GAT_OK;
}
static int single_bcast(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err) {
    (void)c;
    (void)buf;
    (void)bytes;
    if (root != 0) return gat_error_set(err, GAT_EINVAL, "broadcast from rank %d of a 1-process run", root);
    return GAT_OK;
}
static int single_agree(gat_comm *c, int status, int *failed_rank, gat_error *err) {
    (void)c;
    (void)err;
    if (failed_rank) *failed_rank = status ? 0 : -1;
    return status;
}
static void single_barrier(gat_comm *c) { (void)c; }
static void single_abort(gat_comm *c, int code) { (void)c; (void)code; }
static void single_finalize(gat_comm *c) { (void)c; }

static const gat_comm_ops single_ops = {single_allgather, single_bcast,  single_agree,
                                        single_barrier,   single_abort,  single_finalize};
static gat_comm single_comm = {0, 1, &single_ops, NULL, 0, 0};

gat_comm *gat_comm_single(void) { return &single_comm; }

int gat_comm_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err) {
    if (!c) c = &single_comm;
    return c->ops->allgather(c, mine, n, all, err);
}
int gat_comm_bcast(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err) {
    if (!c) c = &single_comm;
    return c->ops->bcast(c, buf, bytes, root, err);
}
int gat_comm_agree(gat_comm *c, int status, int *failed_rank, gat_error *err) {
    if (!c) c = &single_comm;
    return c->ops->agree(c, status, failed_rank, err);
}
void gat_comm_barrier(gat_comm *c) {
    if (c) c->ops->barrier(c);
}

int gat_comm_agree_error(gat_comm *c, int rc, gat_error *err) {
    if (!c || c->size <= 1) return rc;
    int failed = -1;
    gat_error e2 = {0};
    int all = gat_comm_agree(c, rc, &failed, &e2);
    if (all == GAT_OK) return GAT_OK;
    if (failed < 0) { /* the agreement itself failed */
        if (err) *err = e2;
        return all;
    }
    char msg[GAT_ERROR_LEN];
    msg[0] = 0;
    if (err) memcpy(msg, err->msg, sizeof msg);
    if (gat_comm_bcast(c, msg, sizeof msg, failed, &e2)) snprintf(msg, sizeof msg, "(message lost)");
    msg[sizeof msg - 1] = 0;
    c->failed_collectively = 1;
    return gat_error_set(err, all, "rank %d of %d: %s", failed, c->size, msg);
}

/* Shards per rank: rank r owns r, r + size, r + 2 size, ... */
static int64_t shards_per_rank(int size, int64_t n_shards) { return (n_shards + size - 1) / size; }

size_t gat_comm_sum_shards_scratch(const gat_comm *c, int64_t n_shards, size_t n) {
    int size = c ? c->size : 1;
    return (size_t)(size + 1) * (size_t)shards_per_rank(size, n_shards) * n;
}

int gat_comm_sum_shards(gat_comm *c, const float *part, int64_t n_shards, size_t n, float *out, float *scratch,
                        gat_error *err) {
    if (!c) c = &single_comm;
    GAT_ASSERT(n_shards >= 1);
    const float *all = part;
    int64_t m = shards_per_rank(c->size, n_shards);
    if (c->size > 1) {
        /* Pack this rank's shards (zero padding past its last one) and gather every rank's. */
        float *mine = scratch, *gathered = scratch + (size_t)m * n;
        int64_t own = 0;
        for (int64_t s = c->rank; s < n_shards; s += c->size) own++;
        memcpy(mine, part, (size_t)own * n * sizeof *mine);
        memset(mine + (size_t)own * n, 0, (size_t)(m - own) * n * sizeof *mine);
        int rc = c->ops->allgather(c, mine, (size_t)m * n, gathered, err);
        if (rc) return rc;
        all = gathered;
    }
    /* Add in shard order: shard s sits at rank s % size, slot s / size. */
    for (int64_t s = 0; s < n_shards; s++) {
        const float *p = all + ((size_t)(s % c->size) * (size_t)m + (size_t)(s / c->size)) * n;
        if (s == 0) memcpy(out, p, n * sizeof *out);
        else
            for (size_t i = 0; i < n; i++) out[i] += p[i];
    }
    return GAT_OK;
}
