/* bench_cora.c - speed and memory of GAT training on a dataset (Cora by default).
 *
 *   bench_cora [--dataset NAME] [--data-dir DIR] [--epochs N] [--repeats R] [--full]
 *
 * Prints milliseconds per epoch (one training step + one validation pass, exactly the loop
 * gat train runs) with 1 and 2 threads (median of R timed runs of N epochs after a warm-up),
 * then, with --full, the wall time of a whole default training run (10000 epochs at most,
 * patience 1000) and the peak resident memory of this process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/train.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *name = "cora", *dir = NULL;
    int epochs = 200, repeats = 5, full = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dataset") && i + 1 < argc) name = argv[++i];
        else if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--full")) full = 1;
        else {
            fprintf(stderr, "usage: bench_cora [--dataset NAME] [--data-dir DIR] [--epochs N] [--repeats R] [--full]\n");
            return 2;
        }
    }
    if (epochs < 1 || repeats < 1 || repeats > 100) {
        fprintf(stderr, "bench_cora: --epochs and --repeats must be positive (repeats at most 100)\n");
        return 2;
    }
    gat_error err = {0};
    gat_dataset ds;
    if (gat_dataset_open(&ds, name, dir, &err)) {
        fprintf(stderr, "bench_cora: %s\n", err.msg);
        return 1;
    }
    gat_dataset_normalize_rows(&ds);
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_train_options opt = gat_train_options_default();
    printf("dataset %s: %lld nodes, %lld edges, %lld features, %lld classes\n", ds.name, (long long)ds.n_nodes,
           (long long)ds.n_edges, (long long)ds.n_features, (long long)ds.n_classes);
    for (int threads = 1; threads <= 2; threads++) {
        gat_set_threads(threads);
        double t[100];
        for (int r = 0; r <= repeats; r++) {
            gat_model m;
            gat_session s;
            gat_train_result res;
            if (gat_model_init(&m, &cfg, 1, &err) || gat_session_init(&s, &ds, &m, &err)) {
                fprintf(stderr, "bench_cora: %s\n", err.msg);
                return 1;
            }
            opt.max_epochs = r == 0 ? 20 : epochs; /* run 0 warms up caches and threads */
            opt.patience = 1000000;
            if (gat_train(&m, &s, &opt, NULL, NULL, &res, &err)) {
                fprintf(stderr, "bench_cora: %s\n", err.msg);
                return 1;
            }
            if (r > 0) t[r - 1] = 1e3 * res.seconds / (double)res.epochs;
            gat_session_free(&s);
            gat_model_free(&m);
        }
        qsort(t, (size_t)repeats, sizeof *t, cmp_double);
        printf("threads=%d: %.3f ms/epoch (median of %d runs of %d epochs; min %.3f, max %.3f)\n", threads,
               t[repeats / 2], repeats, epochs, t[0], t[repeats - 1]);
        fflush(stdout);
    }
    if (full) {
        gat_set_threads(0);
        gat_model m;
        gat_session s;
        gat_train_result res;
        opt = gat_train_options_default();
        opt.seed = 1;
        if (gat_model_init(&m, &cfg, 1, &err) || gat_session_init(&s, &ds, &m, &err) ||
            gat_train(&m, &s, &opt, NULL, NULL, &res, &err)) {
            fprintf(stderr, "bench_cora: %s\n", err.msg);
            return 1;
        }
        gat_metrics test;
        gat_evaluate(&m, &s, GAT_SPLIT_TEST, &test);
        printf("full default run: %lld epochs in %.2f s (%.3f ms/epoch), test accuracy %.4f\n", (long long)res.epochs,
               res.seconds, 1e3 * res.seconds / (double)res.epochs, test.score);
        gat_session_free(&s);
        gat_model_free(&m);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    gat_dataset_free(&ds);
    return 0;
}
