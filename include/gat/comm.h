/* comm.h - communication between the processes of a data-parallel run.
 *
 * The library's training code never calls MPI itself: it talks to a gat_comm, a small table
 * of collective operations. gat_comm_single() is the trivial one-process implementation
 * (every collective is a copy or a no-op); gat_comm_mpi_init() in the optional libgat_mpi
 * (built with -DGAT_MPI=ON, header gat/comm_mpi.h) is the MPI one.
 *
 * Reproducibility: every reduction here is performed in a fixed order that does not depend on
 * the number of processes or on the order in which the network delivers messages. The sums
 * that training needs are over fixed *shards* of a step's work (see gat_comm_sum_shards): each
 * shard's partial result is computed by exactly one rank, all shards are gathered on every
 * rank, and every rank adds them in shard order, so the result is bit-identical for 1, 2 or
 * K ranks.
 *
 * Every collective must be called by all ranks in the same order. Errors: a failure of the
 * transport returns GAT_EIO with a message naming the rank and the operation. */
#ifndef GAT_COMM_H
#define GAT_COMM_H
#include <stddef.h>
#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_comm gat_comm;

/* The operations a transport provides. All are collective. */
typedef struct gat_comm_ops {
    /* Gather n floats from every rank into all (size * n floats, rank r's at r * n) on every
     * rank. */
    int (*allgather)(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err);
    /* Copy bytes bytes from rank root into buf on every rank. */
    int (*bcast)(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err);
    /* Every rank's status in: the lowest-numbered failing rank's status out on every rank
     * (GAT_OK when all succeeded), with *failed_rank set to that rank (or -1). */
    int (*agree)(gat_comm *c, int status, int *failed_rank, gat_error *err);
    void (*barrier)(gat_comm *c);
    /* Leave the group; a failing rank calls abort_all to end every rank at once (a rank that
     * dies otherwise would leave the others waiting). */
    void (*abort_all)(gat_comm *c, int code);
    void (*finalize)(gat_comm *c);
} gat_comm_ops;

struct gat_comm {
    int rank, size;
    const gat_comm_ops *ops;
    void *impl;                        /* the transport's own state */
    uint64_t bytes_sent;               /* payload bytes this rank has sent, for reports */
    int failed_collectively;           /* set when every rank learnt of a failure (and holds its message) */
};

/* The one-process communicator: rank 0 of 1. Static storage, nothing to free. */
gat_comm *gat_comm_single(void);

static inline int gat_comm_is_root(const gat_comm *c) { return !c || c->rank == 0; }

/* Wrappers that accept NULL for the one-process case. */
int gat_comm_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err);
int gat_comm_bcast(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err);
int gat_comm_agree(gat_comm *c, int status, int *failed_rank, gat_error *err);
void gat_comm_barrier(gat_comm *c);

/* Every rank's status in, the same status out on every rank: GAT_OK when all succeeded, else
 * the lowest-numbered failing rank's, with err set on every rank to that rank's message
 * prefixed "rank R of K: " (and c->failed_collectively set, so that a caller knows every rank
 * holds it). One process, or c NULL: rc and err unchanged. Collective. */
int gat_comm_agree_error(gat_comm *c, int rc, gat_error *err);

/* The shards owned by this rank out of n_shards: shard s belongs to rank s % size. */
static inline int gat_comm_owns_shard(const gat_comm *c, int64_t s) {
    return !c || c->size <= 1 || (int)(s % c->size) == c->rank;
}

/* Reproducible sum of n_shards partial results of n floats each. part holds this rank's
 * shards, in increasing shard order (the shards s with gat_comm_owns_shard), n floats each;
 * out (n floats) receives, on every rank, part_0 + part_1 + ... + part_{n_shards-1} added in
 * that order in float, which equals what one process computes with the same shards.
 * scratch holds gat_comm_sum_shards_scratch() floats. out may not alias part or scratch.
 * Cost: each rank sends ceil(n_shards / size) * n floats to every other rank. */
int gat_comm_sum_shards(gat_comm *c, const float *part, int64_t n_shards, size_t n, float *out, float *scratch,
                        gat_error *err);
/* Floats of scratch gat_comm_sum_shards needs. */
size_t gat_comm_sum_shards_scratch(const gat_comm *c, int64_t n_shards, size_t n);

#ifdef __cplusplus
}
#endif
#endif
