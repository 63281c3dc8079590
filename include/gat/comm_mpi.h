/* comm_mpi.h - the MPI communicator (libgat_mpi, built with -DGAT_MPI=ON).
 *
 * One process per rank of MPI_COMM_WORLD. Errors of MPI calls are returned, not fatal, with
 * the rank and the operation in the message. */
#ifndef GAT_COMM_MPI_H
#define GAT_COMM_MPI_H
#include "gat/comm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this process was started by an MPI launcher (mpirun, srun, ...). */
int gat_comm_mpi_launched(void);
/* MPI_Init and a communicator over MPI_COMM_WORLD; release with c->ops->finalize(c). */
int gat_comm_mpi_init(gat_comm **out, int *argc, char ***argv, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
