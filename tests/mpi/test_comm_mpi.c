/* test_comm_mpi.c - the MPI communicator, run under mpirun with 1, 2 and 3 ranks: the shard
 * sum gives on every rank the bits one process computes, broadcast and agreement work, and
 * a failure on one rank is seen by all. Rank 0 prints the summary; every rank's exit status
 * counts. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/comm_mpi.h"

enum { N = 1000, SHARDS = 12 };

static float part_value(int64_t s, size_t i) {
    uint32_t h = (uint32_t)(s * 2654435761u) ^ (uint32_t)(i * 40503u);
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    float mant = (float)(h & 0xffff) / 65536.0f - 0.5f;
    int e = (int)((h >> 16) % 40) - 20;
    return mant * (float)(1 << (e > 0 ? e : 0)) / (float)(1 << (e < 0 ? -e : 0));
}

int main(int argc, char **argv) {
    gat_comm *c = NULL;
    gat_error err = {0};
    if (!gat_comm_mpi_launched()) {
        printf("not started by mpirun: this test runs as `mpirun -np K test_comm_mpi`\n");
        return 1;
    }
    if (gat_comm_mpi_init(&c, &argc, &argv, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    float *part = calloc((size_t)SHARDS * N, sizeof *part);
    float *scratch = calloc(gat_comm_sum_shards_scratch(c, SHARDS, N), sizeof *scratch);
    float *out = calloc(N, sizeof *out), *expect = calloc(N, sizeof *expect);
    int64_t k = 0;
    for (int64_t s = 0; s < SHARDS; s++) {
        if (!gat_comm_owns_shard(c, s)) continue;
        for (size_t i = 0; i < N; i++) part[k * N + i] = part_value(s, i);
        k++;
    }
    for (size_t i = 0; i < N; i++) {
        expect[i] = part_value(0, i);
        for (int64_t s = 1; s < SHARDS; s++) expect[i] += part_value(s, i);
    }
    CHECK(gat_comm_sum_shards(c, part, SHARDS, N, out, scratch, &err) == GAT_OK);
    CHECK_MSG(!memcmp(out, expect, N * sizeof *out), "rank %d of %d: shard sum differs from one process's", c->rank,
              c->size);
    CHECK(c->size == 1 || c->bytes_sent > 0);

    /* Broadcast from the last rank. */
    int64_t v[3] = {c->rank, c->rank * 7, -1};
    CHECK(gat_comm_bcast(c, v, sizeof v, c->size - 1, &err) == GAT_OK);
    CHECK(v[0] == c->size - 1 && v[1] == 7 * (c->size - 1) && v[2] == -1);

    /* Agreement: all fine, then the last rank fails and every rank learns which. */
    int failed = 99;
    CHECK(gat_comm_agree(c, GAT_OK, &failed, &err) == GAT_OK && failed == -1);
    int mine = c->rank == c->size - 1 ? GAT_EFORMAT : GAT_OK;
    CHECK(gat_comm_agree(c, mine, &failed, &err) == GAT_EFORMAT && failed == c->size - 1);

    gat_comm_barrier(c);
    int rc = check_failed ? 1 : 0;
    if (c->rank == 0) rc = check_summary();
    else if (check_failed) fprintf(stderr, "rank %d: %d checks failed\n", c->rank, check_failed);
    free(part);
    free(scratch);
    free(out);
    free(expect);
    c->ops->finalize(c);
    return rc;
}
