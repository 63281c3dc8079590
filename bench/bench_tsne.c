/* bench_tsne.c - time t-SNE on a data set and measure the embedding's quality.
 *
 *   bench_tsne X.f32 N D [options]
 *     X.f32               N * D little-endian float32 values, row-major (e.g. numpy's
 *                         x.astype('<f4').tofile(...)); see bench/tsne_compare.py
 *     --labels L.i64      N little-endian int64 class ids (-1 = none): enables kNN agreement
 *     --out Y.csv         write node,x,y[,label]
 *     --method auto|exact|bh   (auto)      --init random|pca (random)
 *     --perplexity P (30)  --iter N (1000)  --theta T (0.5)  --seed S (1)  --lr R (auto)
 *     --threads T         OpenMP threads (default: OMP_NUM_THREADS or all cores)
 *     --k K               neighbours for trustworthiness and kNN agreement (10)
 *
 * Prints one line "key=value ..." with the time, KL, trustworthiness and kNN agreement. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/fileio.h"
#include "gat/tsne.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int read_exact(const char *path, void *buf, size_t bytes) {
    char *data = NULL;
    size_t len = 0;
    gat_error err = {0};
    if (gat_read_file(path, &data, &len, &err)) {
        fprintf(stderr, "bench_tsne: error: %s\n", err.msg);
        return 1;
    }
    if (len != bytes) {
        fprintf(stderr, "bench_tsne: error: %s: holds %zu bytes, expected %zu\n", path, len, bytes);
        free(data);
        return 1;
    }
    memcpy(buf, data, bytes);
    free(data);
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(void *user, int iter, double kl, double grad_norm) {
    (void)user;
    fprintf(stderr, "  iter %4d  KL %.4f  |grad| %.3g\n", iter, kl, grad_norm);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_tsne X.f32 N D [--labels L.i64] [--out Y.csv] [--method auto|exact|bh] "
                        "[--init random|pca] [--perplexity P] [--iter N] [--theta T] [--seed S] [--lr R] "
                        "[--threads T] [--k K] [--verbose]\n");
        return 2;
    }
    const char *xpath = argv[1], *lpath = NULL, *out = NULL;
    int64_t n = atoll(argv[2]), d = atoll(argv[3]);
    int k = 10;
    gat_tsne_options opt;
    gat_tsne_options_default(&opt);
    for (int a = 4; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : "";
        if (!strcmp(argv[a], "--labels")) lpath = v, a++;
        else if (!strcmp(argv[a], "--out")) out = v, a++;
        else if (!strcmp(argv[a], "--method")) {
            opt.method = !strcmp(v, "exact") ? GAT_TSNE_EXACT : !strcmp(v, "bh") ? GAT_TSNE_BARNES_HUT : GAT_TSNE_AUTO;
            a++;
        } else if (!strcmp(argv[a], "--init")) opt.init = !strcmp(v, "pca") ? GAT_TSNE_INIT_PCA : GAT_TSNE_INIT_RANDOM, a++;
        else if (!strcmp(argv[a], "--perplexity")) opt.perplexity = atof(v), a++;
        else if (!strcmp(argv[a], "--iter")) opt.n_iter = atoi(v), a++;
        else if (!strcmp(argv[a], "--theta")) opt.theta = atof(v), a++;
        else if (!strcmp(argv[a], "--seed")) opt.seed = strtoull(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--lr")) opt.learning_rate = atof(v), a++;
        else if (!strcmp(argv[a], "--k")) k = atoi(v), a++;
        else if (!strcmp(argv[a], "--verbose")) opt.progress = progress;
        else if (!strcmp(argv[a], "--threads")) {
#ifdef _OPENMP
            omp_set_num_threads(atoi(v));
#endif
            a++;
        } else {
            fprintf(stderr, "bench_tsne: error: unknown option %s\n", argv[a]);
            return 2;
        }
    }
    if (n < 1 || d < 1) {
        fprintf(stderr, "bench_tsne: error: N and D must be positive\n");
        return 2;
    }
    int rc = 1;
    float *x = malloc((size_t)n * (size_t)d * sizeof *x), *y = malloc((size_t)n * 2 * sizeof *y);
    int64_t *labels = lpath ? malloc((size_t)n * sizeof *labels) : NULL;
    if (!x || !y || (lpath && !labels)) {
        fprintf(stderr, "bench_tsne: error: out of memory\n");
        goto done;
    }
    if (read_exact(xpath, x, (size_t)n * (size_t)d * sizeof *x)) goto done;
    if (lpath && read_exact(lpath, labels, (size_t)n * sizeof *labels)) goto done;

    gat_error err = {0};
    gat_tsne_stats st;
    double t0 = now();
    if (gat_tsne_run(x, n, d, &opt, y, &st, &err)) {
        fprintf(stderr, "bench_tsne: error: %s\n", err.msg);
        goto done;
    }
    double secs = now() - t0;
    double trust = NAN, agree = NAN;
    if (gat_trustworthiness(x, d, y, 2, n, k, &trust, &err)) fprintf(stderr, "bench_tsne: warning: %s\n", err.msg);
    if (labels && gat_knn_class_agreement(y, n, 2, labels, k, &agree, &err))
        fprintf(stderr, "bench_tsne: warning: %s\n", err.msg);
    if (out && gat_tsne_write_csv(out, y, n, labels, &err)) {
        fprintf(stderr, "bench_tsne: error: %s\n", err.msg);
        goto done;
    }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    printf("impl=gat method=%s init=%s n=%lld d=%lld threads=%d seconds=%.3f affinities=%.3f optimize=%.3f "
           "kl=%.4f trustworthiness@%d=%.4f knn_agreement@%d=%.4f\n",
           st.method == GAT_TSNE_EXACT ? "exact" : "barnes_hut", opt.init == GAT_TSNE_INIT_PCA ? "pca" : "random",
           (long long)n, (long long)d, threads, secs, st.seconds_affinities, st.seconds_optimize, st.kl, k, trust, k,
           agree);
    rc = 0;
done:
    free(x);
    free(y);
    free(labels);
    return rc;
}
