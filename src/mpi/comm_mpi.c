/* comm_mpi.c - gat_comm over MPI_COMM_WORLD (see comm_mpi.h). */
#include "gat/comm_mpi.h"

#include <limits.h>
#include <stdio.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

static gat_comm mpi_comm;

static int mpi_fail(gat_comm *c, int code, const char *op, gat_error *err) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "MPI error %d", code);
    return gat_error_set(err, GAT_EIO, "rank %d of %d: %s failed: %s", c->rank, c->size, op, msg);
}

/* MPI counts are int: larger buffers go in chunks of at most 2^30 floats. */
#define CHUNK ((size_t)1 << 30)

static int mpi_allgather(gat_comm *c, const float *mine, size_t n, float *all, gat_error *err) {
    if (n <= CHUNK) {
        int rc = MPI_Allgather(mine, (int)n, MPI_FLOAT, all, (int)n, MPI_FLOAT, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "all-gather", err);
    } else {
        float *tmp = malloc(CHUNK * (size_t)c->size * sizeof *tmp);
        if (!tmp) return gat_error_set(err, GAT_ENOMEM, "rank %d: out of memory for an all-gather", c->rank);
        for (size_t off = 0; off < n; off += CHUNK) {
            size_t k = n - off < CHUNK ? n - off : CHUNK;
            int rc = MPI_Allgather(mine + off, (int)k, MPI_FLOAT, tmp, (int)k, MPI_FLOAT, MPI_COMM_WORLD);
            if (rc != MPI_SUCCESS) {
                free(tmp);
                return mpi_fail(c, rc, "all-gather", err);
            }
            for (int r = 0; r < c->size; r++) memcpy(all + (size_t)r * n + off, tmp + (size_t)r * k, k * sizeof *tmp);
        }
        free(tmp);
    }
    c->bytes_sent += (uint64_t)(c->size - 1) * n * sizeof(float);
    return GAT_OK;
}

static int mpi_bcast(gat_comm *c, void *buf, size_t bytes, int root, gat_error *err) {
    for (size_t off = 0; off < bytes || (bytes == 0 && off == 0); off += CHUNK) {
        size_t k = bytes - off < CHUNK ? bytes - off : CHUNK;
        int rc = MPI_Bcast((char *)buf + off, (int)k, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "broadcast", err);
        if (bytes == 0) break;
    }
    if (c->rank == root) c->bytes_sent += (uint64_t)(c->size - 1) * bytes;
    return GAT_OK;
}

static int mpi_agree(gat_comm *c, int status, int *failed_rank, gat_error *err) {
    int *all = malloc((size_t)c->size * sizeof *all);
    if (!all) return gat_error_set(err, GAT_ENOMEM, "rank %d: out of memory", c->rank);
    int rc = MPI_Allgather(&status, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) {
        free(all);
        return mpi_fail(c, rc, "agreement", err);
    }
    int out = GAT_OK, who = -1;
    for (int r = 0; r < c->size && who < 0; r++)
        if (all[r]) out = all[r], who = r;
    free(all);
    if (failed_rank) *failed_rank = who;
    return out;
}

static void mpi_barrier(gat_comm *c) {
    (void)c;
    MPI_Barrier(MPI_COMM_WORLD);
}
static void mpi_abort(gat_comm *c, int code) {
    (void)c;
    MPI_Abort(MPI_COMM_WORLD, code);
}
static void mpi_finalize(gat_comm *c) {
    (void)c;
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
}

static const gat_comm_ops mpi_ops = {mpi_allgather, mpi_bcast, mpi_agree, mpi_barrier, mpi_abort, mpi_finalize};

int gat_comm_mpi_launched(void) {
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

int gat_comm_mpi_init(gat_comm **out, int *argc, char ***argv, gat_error *err) {
    int rc = MPI_Init(argc, argv);
    if (rc != MPI_SUCCESS) return gat_error_set(err, GAT_EIO, "MPI_Init failed (code %d)", rc);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    memset(&mpi_comm, 0, sizeof mpi_comm);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_comm.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_comm.size);
    mpi_comm.ops = &mpi_ops;
    *out = &mpi_comm;
    return GAT_OK;
}
