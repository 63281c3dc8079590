/* pool.c - a small persistent pool of worker threads (see pool.h).
 *
 * One job at a time. The job is published as a 64-bit state word, generation << 32 | next
 * chunk; a thread claims chunk i by a compare-and-swap of (gen, i) to (gen, i + 1), so a
 * worker that wakes up late, after its job is over, can never claim a chunk of a later job:
 * its compare-and-swap fails against the new generation. The job's fields (function,
 * argument, sizes) are read between loading the state and the compare-and-swap; a
 * successful swap proves they belonged to that generation, because they are rewritten only
 * after every chunk of it has been claimed and finished and after the state word has been
 * closed (its index saturated), so no older word can be swapped any more. */
#include "pool.h"

#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_WORKERS 255
/* Polls of the state before an idle worker goes to sleep, and of the completion count
 * before the caller does: each a pause instruction (tens of cycles), so a few tens of
 * microseconds, about the gap between two loops of a pass. */
#define SPIN_POLLS 2000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake, finished;
    _Atomic uint64_t state;            /* gen << 32 | next chunk */
    _Atomic(gat_pool_fn) fn;
    _Atomic(void *) arg;
    _Atomic int64_t n, grain, chunks;
    _Atomic int64_t done;              /* chunks finished in the current job */
    _Atomic int sleepers;              /* workers waiting on wake */
    _Atomic int caller_waiting;        /* the caller waits on finished */
    _Atomic int active;                /* workers allowed to take part: threads - 1 */
    _Atomic int busy;                  /* a caller is using the pool */
    int threads;                       /* 0 = not set yet (all CPUs) */
    int started;                       /* workers created */
    uint32_t gen;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .finished = PTHREAD_COND_INITIALIZER};

static _Thread_local int in_pool;      /* this thread runs a chunk (or is a worker) */

int gat_pool_cpus(void) {
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int c = CPU_COUNT(&set);
        if (c > 0) return c;
    }
#endif
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

void gat_pool_set_threads(int n) {
    if (n < 1) n = 1;
    if (n > MAX_WORKERS + 1) n = MAX_WORKERS + 1;
    pthread_mutex_lock(&P.mu);
    P.threads = n;
    atomic_store(&P.active, n - 1);
    pthread_cond_broadcast(&P.wake); /* workers beyond the new count go back to sleep */
    pthread_mutex_unlock(&P.mu);
}

int gat_pool_threads(void) {
    if (!P.threads) gat_pool_set_threads(gat_pool_cpus());
    return P.threads;
}

/* Claim and run chunks of generation gen until none is left. */
static void run_chunks(uint32_t gen) {
    for (;;) {
        uint64_t s = atomic_load_explicit(&P.state, memory_order_acquire);
        if ((uint32_t)(s >> 32) != gen) return;
        const int64_t i = (int64_t)(uint32_t)s;
        const int64_t chunks = atomic_load_explicit(&P.chunks, memory_order_acquire);
        if (i >= chunks) return;
        const gat_pool_fn fn = atomic_load_explicit(&P.fn, memory_order_acquire);
        void *const arg = atomic_load_explicit(&P.arg, memory_order_acquire);
        const int64_t n = atomic_load_explicit(&P.n, memory_order_acquire);
        const int64_t grain = atomic_load_explicit(&P.grain, memory_order_acquire);
        if (!atomic_compare_exchange_weak_explicit(&P.state, &s, s + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        const int64_t b = i * grain, e = b + grain < n ? b + grain : n;
        fn(arg, b, e);
        if (atomic_fetch_add(&P.done, 1) + 1 == chunks && atomic_load(&P.caller_waiting)) {
            pthread_mutex_lock(&P.mu);
            pthread_cond_broadcast(&P.finished);
            pthread_mutex_unlock(&P.mu);
        }
    }
}

static void *worker_main(void *p) {
    const int id = (int)(intptr_t)p;
    uint32_t seen = (uint32_t)(atomic_load(&P.state) >> 32);
    in_pool = 1;
    for (;;) {
        uint32_t gen = (uint32_t)(atomic_load_explicit(&P.state, memory_order_acquire) >> 32);
        if (gen != seen) {
            seen = gen;
            if (id < atomic_load_explicit(&P.active, memory_order_relaxed)) run_chunks(gen);
            continue;
        }
        int polls = 0;
        while (polls < SPIN_POLLS && (uint32_t)(atomic_load_explicit(&P.state, memory_order_relaxed) >> 32) == seen) {
            cpu_relax();
            polls++;
        }
        if (polls < SPIN_POLLS) continue;
        pthread_mutex_lock(&P.mu);
        atomic_fetch_add(&P.sleepers, 1);
        while ((uint32_t)(atomic_load(&P.state) >> 32) == seen || id >= atomic_load(&P.active)) {
            if ((uint32_t)(atomic_load(&P.state) >> 32) != seen) seen = (uint32_t)(atomic_load(&P.state) >> 32);
            pthread_cond_wait(&P.wake, &P.mu);
        }
        atomic_fetch_sub(&P.sleepers, 1);
        pthread_mutex_unlock(&P.mu);
    }
    return NULL;
}

/* Start workers up to threads - 1; a worker that cannot be created is just not there. */
static void start_workers(void) {
    while (P.started < P.threads - 1) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        /* Workers start with every signal blocked, so signals reach the thread that runs the
         * program (its handlers assume they interrupt that thread, not a worker). */
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        int rc = pthread_create(&t, &at, worker_main, (void *)(intptr_t)P.started);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        pthread_attr_destroy(&at);
        if (rc) break;
        P.started++;
    }
}

void gat_pool_for(int64_t n, int64_t grain, gat_pool_fn fn, void *arg) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    while ((n + grain - 1) / grain > (int64_t)INT32_MAX) grain *= 2;
    const int64_t chunks = (n + grain - 1) / grain;
    int expected = 0;
    if (chunks == 1 || in_pool || gat_pool_threads() <= 1 ||
        !atomic_compare_exchange_strong(&P.busy, &expected, 1)) {
        for (int64_t b = 0; b < n; b += grain) fn(arg, b, b + grain < n ? b + grain : n);
        return;
    }
    start_workers();
    /* Close the last job before its fields change: a worker may have loaded its state word
     * (every chunk claimed) and be about to read the fields. Without this its
     * compare-and-swap would still succeed on that word, and it would run a chunk past the
     * end of the old job with the new job's fields (seen as a crash and as wrong sums in
     * one run in twenty on two threads). The saturated index fails both the chunk test
     * and any compare-and-swap of an older word. */
    atomic_store(&P.state, (uint64_t)P.gen << 32 | UINT32_MAX);
    atomic_store_explicit(&P.fn, fn, memory_order_release);
    atomic_store_explicit(&P.arg, arg, memory_order_release);
    atomic_store_explicit(&P.n, n, memory_order_release);
    atomic_store_explicit(&P.grain, grain, memory_order_release);
    atomic_store_explicit(&P.chunks, chunks, memory_order_release);
    atomic_store_explicit(&P.done, 0, memory_order_release);
    const uint32_t gen = ++P.gen;
    atomic_store(&P.state, (uint64_t)gen << 32);
    if (atomic_load(&P.sleepers) > 0) {
        pthread_mutex_lock(&P.mu);
        pthread_cond_broadcast(&P.wake);
        pthread_mutex_unlock(&P.mu);
    }
    in_pool = 1;
    run_chunks(gen);
    in_pool = 0;
    /* every chunk is claimed; wait for the ones workers still run */
    for (int polls = 0; atomic_load(&P.done) < chunks && polls < SPIN_POLLS; polls++) cpu_relax();
    if (atomic_load(&P.done) < chunks) {
        pthread_mutex_lock(&P.mu);
        atomic_store(&P.caller_waiting, 1);
        while (atomic_load(&P.done) < chunks) pthread_cond_wait(&P.finished, &P.mu);
        atomic_store(&P.caller_waiting, 0);
        pthread_mutex_unlock(&P.mu);
    }
    atomic_store(&P.busy, 0);
}
