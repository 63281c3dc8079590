/* bench_cora.c - speed and memory of GAT training on a dataset (Cora by default).
 *
 *   bench_cora [--dataset NAME] [--data-dir DIR] [--epochs N] [--repeats R] [--threads LIST]
 *              [--contention] [--ppi-arch] [--full]
 *
 * Prints milliseconds per epoch (one training step + one validation pass, exactly the loop
 * gat train runs) for each thread count of LIST (comma-separated, 0 = all cores; default
 * "1,0"): the median of R timed runs of N epochs, each after a short warm-up. The runs of the
 * different settings are interleaved (repeat 1 of every setting, then repeat 2, ...) so that
 * a change in the machine's load affects them alike.
 *
 * --contention  also times every setting while every core runs a spinning competitor
 *               process (started by the benchmark, one per core, killed after each run),
 *               the state of a laptop or shared server where other programs keep the cores
 *               busy, and prints each setting's ratio to 1 thread under the same load.
 * --ppi-arch    the PPI architecture of the GAT paper on the chosen graph: 3 layers of 4, 4
 *               and 6 heads with 256, 256 and C features, skip connections, no dropout.
 * --full        then the wall time of a whole default training run (10000 epochs at most,
 *               patience 1000) per thread setting, from opening the dataset to the test
 *               accuracy, as `gat train` does it.
 * Each line also gives the process's CPU time per epoch (all its threads): with one thread on
 * a loaded machine it is close to the wall time the epoch takes on a quiet one.
 * Ends with the peak resident memory of the process. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/ops.h"
#include "gat/train.h"

#define MAX_SETTINGS 8
#define MAX_REPEATS 100
#define MAX_SPINNERS 256

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- competitors: one CPU-bound process per core ---- */

static pid_t spinners[MAX_SPINNERS];
static int n_spinners;

static void spin_forever(void) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
#endif
    volatile double x = 1.0;
    for (;;) x = x * 1.0000001 + 1e-9;
}

static void competitors_start(int n) {
    for (int i = 0; i < n && n_spinners < MAX_SPINNERS; i++) {
        pid_t p = fork();
        if (p == 0) spin_forever();
        if (p > 0) spinners[n_spinners++] = p;
    }
    usleep(20000); /* let them reach the cores */
}

static void competitors_stop(void) {
    for (int i = 0; i < n_spinners; i++) kill(spinners[i], SIGKILL);
    for (int i = 0; i < n_spinners; i++) waitpid(spinners[i], NULL, 0);
    n_spinners = 0;
}

static void on_signal(int sig) {
    for (int i = 0; i < n_spinners; i++) kill(spinners[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- runs ---- */

static int fail(const gat_error *err) {
    competitors_stop();
    fprintf(stderr, "bench_cora: %s\n", err->msg);
    return 1;
}

/* ms per epoch of `epochs` epochs after a 20-epoch warm-up, and the CPU time of the process
 * per epoch (all threads) in *cpu_ms; < 0 on error. */
static double time_epochs(const gat_dataset *ds, const gat_config *cfg, int epochs, double *cpu_ms, gat_error *err) {
    gat_model m;
    gat_session s;
    gat_train_result res;
    gat_train_options opt = gat_train_options_default();
    opt.patience = 1000000;
    double ms = -1.0;
    if (gat_model_init(&m, cfg, 1, err)) return -1.0;
    if (gat_session_init(&s, ds, &m, err)) {
        gat_model_free(&m);
        return -1.0;
    }
    opt.max_epochs = 20;
    if (!gat_train(&m, &s, &opt, NULL, NULL, &res, err)) {
        opt.max_epochs = epochs;
        const double c0 = cpu_seconds();
        if (!gat_train(&m, &s, &opt, NULL, NULL, &res, err)) {
            ms = 1e3 * res.seconds / (double)res.epochs;
            *cpu_ms = 1e3 * (cpu_seconds() - c0) / (double)res.epochs;
        }
    }
    gat_session_free(&s);
    gat_model_free(&m);
    return ms;
}

static gat_config make_config(const gat_dataset *ds, int ppi) {
    gat_config cfg = gat_config_default(ds->n_features, ds->n_classes);
    if (ppi) {
        cfg.n_layers = 3;
        cfg.heads[0] = 4, cfg.features[0] = 256;
        cfg.heads[1] = 4, cfg.features[1] = 256;
        cfg.heads[2] = 6, cfg.features[2] = ds->n_classes;
        cfg.skip = 1;
        cfg.dropout = 0.0f;
    }
    return cfg;
}

int main(int argc, char **argv) {
    gat_blas_reexec_if_generic(argv); /* OpenBLAS's own kernels for this CPU (gat/ops.h) */
    const char *name = "cora", *dir = NULL, *list = "1,0";
    int epochs = 200, repeats = 5, full = 0, contention = 0, ppi = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dataset") && i + 1 < argc) name = argv[++i];
        else if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) list = argv[++i];
        else if (!strcmp(argv[i], "--contention")) contention = 1;
        else if (!strcmp(argv[i], "--ppi-arch")) ppi = 1;
        else if (!strcmp(argv[i], "--full")) full = 1;
        else {
            fprintf(stderr, "usage: bench_cora [--dataset NAME] [--data-dir DIR] [--epochs N] [--repeats R] "
                            "[--threads LIST] [--contention] [--ppi-arch] [--full]\n");
            return 2;
        }
    }
    if (epochs < 1 || repeats < 1 || repeats > MAX_REPEATS) {
        fprintf(stderr, "bench_cora: --epochs must be positive and --repeats in [1, %d]\n", MAX_REPEATS);
        return 2;
    }
    int settings[MAX_SETTINGS], n_settings = 0;
    for (const char *p = list; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 1024 || n_settings == MAX_SETTINGS || (*end && *end != ',')) {
            fprintf(stderr, "bench_cora: --threads: '%s' is not a list of thread counts such as 1,2,0\n", list);
            return 2;
        }
        settings[n_settings++] = (int)v;
        p = *end ? end + 1 : end;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    gat_error err = {0};
    gat_dataset ds;
    if (gat_dataset_open(&ds, name, dir, &err)) return fail(&err);
    gat_dataset_normalize_rows(&ds);
    const gat_config cfg = make_config(&ds, ppi);
    printf("dataset %s: %lld nodes, %lld edges, %lld features, %lld classes; %s; %ld CPUs\n", ds.name,
           (long long)ds.n_nodes, (long long)ds.n_edges, (long long)ds.n_features, (long long)ds.n_classes,
           ppi ? "PPI architecture (3 layers, 4/4/6 heads, 256/256/C features, skip, no dropout)"
               : "paper architecture (8 heads x 8 features, then 1 head)",
           cpus);
    fflush(stdout);
    const int loads = contention ? 2 : 1;
    static double t[2][MAX_SETTINGS][MAX_REPEATS], cpu[2][MAX_SETTINGS][MAX_REPEATS];
    for (int r = 0; r < repeats; r++)
        for (int load = 0; load < loads; load++) {
            if (load) competitors_start((int)cpus);
            for (int s = 0; s < n_settings; s++) {
                gat_set_threads(settings[s]);
                double ms = time_epochs(&ds, &cfg, epochs, &cpu[load][s][r], &err);
                if (ms < 0) return fail(&err);
                t[load][s][r] = ms;
            }
            if (load) competitors_stop();
        }
    for (int load = 0; load < loads; load++)
        for (int s = 0; s < n_settings; s++) {
            double sorted[MAX_REPEATS];
            memcpy(sorted, t[load][s], (size_t)repeats * sizeof *sorted);
            qsort(sorted, (size_t)repeats, sizeof *sorted, cmp_double);
            double cpus_sorted[MAX_REPEATS];
            memcpy(cpus_sorted, cpu[load][s], (size_t)repeats * sizeof *cpus_sorted);
            qsort(cpus_sorted, (size_t)repeats, sizeof *cpus_sorted, cmp_double);
            double ratio[MAX_REPEATS]; /* per repeat, against the first setting under the same load */
            for (int r = 0; r < repeats; r++) ratio[r] = t[load][s][r] / t[load][0][r];
            qsort(ratio, (size_t)repeats, sizeof *ratio, cmp_double);
            int th = settings[s] ? settings[s] : (int)cpus;
            printf("threads=%d%s%s: %.3f ms/epoch (median of %d runs of %d epochs; min %.3f, max %.3f; CPU time "
                   "%.3f ms/epoch)", th, settings[s] ? "" : " (all)", load ? " with a spinning competitor on every core" : "",
                   sorted[repeats / 2], repeats, epochs, sorted[0], sorted[repeats - 1], cpus_sorted[repeats / 2]);
            if (s > 0) printf("; %.2fx the time of threads=%d (median ratio)", ratio[repeats / 2], settings[0] ? settings[0] : (int)cpus);
            printf("\n");
        }
    fflush(stdout);
    if (full) {
        for (int s = 0; s < n_settings; s++) {
            const double t0 = now_seconds();
            gat_set_threads(settings[s]);
            gat_dataset fds;
            gat_model m;
            gat_session ses;
            gat_train_result res;
            gat_train_options opt = gat_train_options_default();
            opt.seed = 1;
            if (gat_dataset_open(&fds, name, dir, &err)) return fail(&err);
            gat_dataset_normalize_rows(&fds);
            if (gat_model_init(&m, &cfg, 1, &err) || gat_session_init(&ses, &fds, &m, &err) ||
                gat_train(&m, &ses, &opt, NULL, NULL, &res, &err))
                return fail(&err);
            gat_metrics test;
            gat_evaluate(&m, &ses, GAT_SPLIT_TEST, &test);
            const double wall = now_seconds() - t0;
            printf("full default run, threads=%d%s: %lld epochs in %.2f s (%.3f ms/epoch), %.2f s with loading and "
                   "set-up, test accuracy %.4f\n",
                   settings[s] ? settings[s] : (int)cpus, settings[s] ? "" : " (all)", (long long)res.epochs,
                   res.seconds, 1e3 * res.seconds / (double)res.epochs, wall, test.score);
            fflush(stdout);
            gat_session_free(&ses);
            gat_model_free(&m);
            gat_dataset_free(&fds);
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    gat_dataset_free(&ds);
    return 0;
}
