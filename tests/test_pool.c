/* test_pool.c - the worker pool (src/core/pool.c) runs every chunk of every job exactly
 * once, with that job's function, argument and bounds, however the jobs follow each other.
 *
 * Many small jobs of changing sizes and grains run back to back on more threads than there
 * are cores (the case where a worker is preempted between reading the state of a job and
 * claiming a chunk of it). Each chunk checks that its bounds lie on its own job's grain and
 * inside its own job, and counts its items; after each job every item must have been
 * counted once. A worker that claimed a chunk past the end of a finished job, with the
 * next job's fields, shows up as an item counted twice, a chunk out of bounds or a crash. */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../src/core/pool.h"
#include "check.h"
#include "gat/rng.h"

#define MAX_ITEMS 512

typedef struct {
    int64_t n, grain;
    _Atomic int count[MAX_ITEMS];
    _Atomic int bad;                   /* chunks whose bounds do not belong to this job */
} job;

static void run_chunk(void *v, int64_t b, int64_t e) {
    job *j = v;
    if (b < 0 || e > j->n || b >= e || b % j->grain || (e - b != j->grain && e != j->n)) {
        atomic_fetch_add(&j->bad, 1);
        return;
    }
    for (int64_t i = b; i < e; i++) atomic_fetch_add_explicit(&j->count[i], 1, memory_order_relaxed);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
    /* two jobs alternate, so a stale worker of one job meets the other's fields */
    static job jobs[2];
    const int threads[] = {2, 4};
    for (int t = 0; t < 2; t++) {
        gat_pool_set_threads(threads[t]);
        int64_t runs = 0, wrong_items = 0, bad_chunks = 0;
        const double t0 = now();
        for (uint64_t k = 0; k < 3000000 && now() - t0 < 3.0; k++) {
            job *j = &jobs[k & 1];
            const uint64_t r = gat_mix64(k * 7 + (uint64_t)t);
            j->n = 2 + (int64_t)(r % 63);
            j->grain = 1 + (int64_t)((r >> 20) % 16);
            for (int64_t i = 0; i < j->n; i++) atomic_store_explicit(&j->count[i], 0, memory_order_relaxed);
            atomic_store(&j->bad, 0);
            gat_pool_for(j->n, j->grain, run_chunk, j);
            for (int64_t i = 0; i < j->n; i++) wrong_items += atomic_load(&j->count[i]) != 1;
            bad_chunks += atomic_load(&j->bad);
            runs++;
        }
        printf("%d threads: %lld jobs in %.2f s\n", threads[t], (long long)runs, now() - t0);
        CHECK_MSG(runs > 1000, "%d threads: only %lld jobs ran", threads[t], (long long)runs);
        CHECK_MSG(wrong_items == 0, "%d threads: %lld items not run exactly once", threads[t], (long long)wrong_items);
        CHECK_MSG(bad_chunks == 0, "%d threads: %lld chunks with another job's bounds", threads[t], (long long)bad_chunks);
    }
    return check_summary();
}
