/* pool.h - the worker threads the kernels run on (private to the library).
 *
 * gat_pool_for(n, grain, fn, arg) splits [0, n) into chunks of `grain` items, calls
 * fn(arg, begin, end) once per chunk, and returns when every chunk is done. The calling
 * thread works too. Chunks are claimed one at a time from a shared counter, and the caller
 * waits only for chunks that have been claimed: a worker that has not woken up (because
 * another program holds its core) is simply not waited for, and the caller does its share.
 * So more threads never cost more than the chunk a preempted worker holds, unlike a
 * fork-join team whose every member must reach the barrier of every loop.
 *
 * Idle workers spin for a few microseconds (the gap between two loops of a pass) and then
 * sleep on a condition variable, so they leave a busy core to the program that needs it.
 *
 * fn must make each item's result independent of how items are grouped into chunks and of
 * which thread runs them; every kernel in ops.c does (reductions go through fixed blocks),
 * so results are bit-identical for any number of threads. A loop of a single chunk, a call
 * from inside a chunk, and a call while another thread uses the pool run serially in the
 * caller. */
#ifndef GAT_POOL_H
#define GAT_POOL_H

#include <stdint.h>

typedef void (*gat_pool_fn)(void *arg, int64_t begin, int64_t end);

void gat_pool_for(int64_t n, int64_t grain, gat_pool_fn fn, void *arg);
/* Threads a loop may use (the caller included), as last set by gat_set_threads. */
int gat_pool_threads(void);
/* Set the number of threads (>= 1); workers are started on first use. */
void gat_pool_set_threads(int n);
/* Number of CPUs this process may run on. */
int gat_pool_cpus(void);

#endif
