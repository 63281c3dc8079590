/* pool.c - a small persistent pool of worker threads (see pool.h).
 *
 * One job at a time. The job is published as a 64-bit state word (generation, lo, hi):
 * chunks [lo, hi) are unclaimed, the caller claims lo by a compare-and-swap to (gen, lo + 1,
 * hi), a worker hi - 1 by one to (gen, lo, hi - 1). So a worker that wakes up late, after
 * its job is over, can never claim a chunk of a later job: its compare-and-swap fails
 * against the new word. The job's fields (function, argument, sizes) are read between
 * loading the state and the compare-and-swap; a successful swap proves they belonged to
 * that generation, because they are rewritten only after every chunk of it has been claimed
 * and finished and after the state word has been closed (an empty range), so no older word
 * can be swapped any more. */
#include "pool.h"

#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_WORKERS 255
/* The state word: generation (24 bits) << 40 | lo (20 bits) << 20 | hi (20 bits); chunks
 * [lo, hi) are unclaimed. */
#define IDX_BITS 20
#define MAX_CHUNKS ((1 << IDX_BITS) - 1)
#define IDX_MASK ((uint64_t)MAX_CHUNKS)
#define GEN_SHIFT (2 * IDX_BITS)
#define GEN_MASK 0xffffffu
static inline uint32_t gen_of(uint64_t s) { return (uint32_t)(s >> GEN_SHIFT); }
static inline uint64_t state_word(uint32_t gen, uint64_t lo, uint64_t hi) {
    return (uint64_t)(gen & GEN_MASK) << GEN_SHIFT | lo << IDX_BITS | hi;
}

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
    _Atomic uint64_t state;            /* gen, lo, hi: see state_word */
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

/* Claim and run chunks of generation gen until none is left: the caller from the front, the
 * workers from the back. So with two threads each keeps to its half of the rows in every
 * pass of an epoch, and the rows a pass reads are mostly in its own core's cache, where the
 * previous pass wrote them (a shared counter hands each thread chunks all over the range:
 * on a two-core machine that cost a third of the kernels' time in cache misses). */
static void run_chunks(uint32_t gen, int from_back) {
    for (;;) {
        uint64_t s = atomic_load_explicit(&P.state, memory_order_acquire);
        if (gen_of(s) != gen) return;
        const int64_t lo = (int64_t)(s >> IDX_BITS & IDX_MASK), hi = (int64_t)(s & IDX_MASK);
        if (lo >= hi) return;
        const int64_t i = from_back ? hi - 1 : lo;
        const uint64_t claimed = from_back ? s - 1 : s + ((uint64_t)1 << IDX_BITS);
        const gat_pool_fn fn = atomic_load_explicit(&P.fn, memory_order_acquire);
        void *const arg = atomic_load_explicit(&P.arg, memory_order_acquire);
        const int64_t n = atomic_load_explicit(&P.n, memory_order_acquire);
        const int64_t grain = atomic_load_explicit(&P.grain, memory_order_acquire);
        const int64_t chunks = atomic_load_explicit(&P.chunks, memory_order_acquire);
        if (!atomic_compare_exchange_weak_explicit(&P.state, &s, claimed, memory_order_acq_rel, memory_order_acquire))
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
    uint32_t seen = gen_of(atomic_load(&P.state));
    in_pool = 1;
    for (;;) {
        uint32_t gen = gen_of(atomic_load_explicit(&P.state, memory_order_acquire));
        if (gen != seen) {
            seen = gen;
            if (id < atomic_load_explicit(&P.active, memory_order_relaxed)) run_chunks(gen, 1);
            continue;
        }
        int polls = 0;
        while (polls < SPIN_POLLS && gen_of(atomic_load_explicit(&P.state, memory_order_relaxed)) == seen) {
            cpu_relax();
            polls++;
        }
        if (polls < SPIN_POLLS) continue;
        pthread_mutex_lock(&P.mu);
        atomic_fetch_add(&P.sleepers, 1);
        while (gen_of(atomic_load(&P.state)) == seen || id >= atomic_load(&P.active)) {
            if (gen_of(atomic_load(&P.state)) != seen) seen = gen_of(atomic_load(&P.state));
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
    while ((n + grain - 1) / grain > MAX_CHUNKS) grain *= 2;
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
     * one run in twenty on two threads). The empty range fails both the chunk test and
     * any compare-and-swap of an older word. */
    atomic_store(&P.state, state_word(P.gen, 0, 0));
    atomic_store_explicit(&P.fn, fn, memory_order_release);
    atomic_store_explicit(&P.arg, arg, memory_order_release);
    atomic_store_explicit(&P.n, n, memory_order_release);
    atomic_store_explicit(&P.grain, grain, memory_order_release);
    atomic_store_explicit(&P.chunks, chunks, memory_order_release);
    atomic_store_explicit(&P.done, 0, memory_order_release);
    P.gen = (P.gen + 1) & GEN_MASK;
    const uint32_t gen = P.gen;
    atomic_store(&P.state, state_word(gen, 0, (uint64_t)chunks));
    if (atomic_load(&P.sleepers) > 0) {
        pthread_mutex_lock(&P.mu);
        pthread_cond_broadcast(&P.wake);
        pthread_mutex_unlock(&P.mu);
    }
    in_pool = 1;
    run_chunks(gen, 0);
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
