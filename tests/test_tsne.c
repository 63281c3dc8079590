/* test_tsne.c - t-SNE recovers well-separated Gaussian clusters with both methods, gives
 * the same bits for a seed on 1 or 2 threads, refuses bad input with the right status,
 * writes its CSV atomically; the quality measures match scikit-learn on a fixture. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/fileio.h"
#include "gat/train.h"
#include "gat/tsne.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define N_CLUSTERS 5
#define PER_CLUSTER 60
#define N (N_CLUSTERS * PER_CLUSTER)
#define D 20

static uint64_t rng_state = 12345;
static double uniform(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void) {
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* 5 clusters of 60 points in 20-D: centres N(0, 8^2), points centre + N(0, 1). */
static void make_clusters(float *x, int64_t *labels) {
    double centre[N_CLUSTERS][D];
    for (int c = 0; c < N_CLUSTERS; c++)
        for (int j = 0; j < D; j++) centre[c][j] = 8 * normal();
    for (int i = 0; i < N; i++) {
        int c = i % N_CLUSTERS;
        labels[i] = c;
        for (int j = 0; j < D; j++) x[i * D + j] = (float)(centre[c][j] + normal());
    }
}

static int progress_calls, progress_last_iter;
static void on_progress(void *user, int iter, double kl, double grad_norm) {
    (void)user;
    progress_calls++;
    progress_last_iter = iter;
    CHECK(isfinite(kl) && isfinite(grad_norm));
}

static void set_threads(int t) {
#ifdef _OPENMP
    omp_set_num_threads(t);
#else
    (void)t;
#endif
}

static double run_and_check(const float *x, const int64_t *labels, gat_tsne_method method, gat_tsne_init init,
                            const char *what, float *y) {
    gat_tsne_options opt;
    gat_tsne_options_default(&opt);
    opt.method = method;
    opt.init = init;
    opt.seed = 3;
    opt.progress = on_progress;
    progress_calls = 0;
    gat_tsne_stats st;
    gat_error err = {0};
    int rc = gat_tsne_run(x, N, D, &opt, y, &st, &err);
    CHECK_MSG(rc == GAT_OK, "%s: gat_tsne_run: %s", what, err.msg);
    if (rc) return NAN;
    CHECK_EQ_INT(st.method, method);
    CHECK_EQ_INT(st.n_iter, 1000);
    CHECK_EQ_INT(progress_calls, 20);
    CHECK_EQ_INT(progress_last_iter, 1000);
    CHECK_NEAR(st.learning_rate, 50, 0);   /* auto: max(300 / 12 / 4, 50) */
    CHECK_EQ_INT(st.n_neighbors, method == GAT_TSNE_EXACT ? N - 1 : 91);
    double agree = 0, trust = 0;
    CHECK_EQ_INT(gat_knn_class_agreement(y, N, 2, labels, 10, &agree, &err), GAT_OK);
    CHECK_EQ_INT(gat_trustworthiness(x, D, y, 2, N, 10, &trust, &err), GAT_OK);
    CHECK_MSG(agree >= 0.95, "%s: kNN class agreement %.4f >= 0.95", what, agree);
    CHECK_MSG(trust >= 0.9, "%s: trustworthiness %.4f >= 0.9", what, trust);
    CHECK_MSG(isfinite(st.kl) && st.kl > 0, "%s: KL %g", what, st.kl);
    printf("%s: KL %.4f, kNN agreement %.4f, trustworthiness %.4f, %.3f s + %.3f s\n", what, st.kl, agree, trust,
           st.seconds_affinities, st.seconds_optimize);
    return st.kl;
}

static void test_recovers_clusters(const float *x, const int64_t *labels) {
    float *y = malloc(N * 2 * sizeof *y);
    double kl_exact = run_and_check(x, labels, GAT_TSNE_EXACT, GAT_TSNE_INIT_RANDOM, "exact", y);
    double kl_bh = run_and_check(x, labels, GAT_TSNE_BARNES_HUT, GAT_TSNE_INIT_RANDOM, "barnes-hut", y);
    run_and_check(x, labels, GAT_TSNE_BARNES_HUT, GAT_TSNE_INIT_PCA, "barnes-hut, pca init", y);
    /* The two KLs are over different P (dense vs 91 neighbours) and Z (exact vs tree). */
    CHECK_MSG(fabs(kl_exact - kl_bh) <= 0.15 * kl_exact, "KL exact %.4f ~ Barnes-Hut %.4f within 15%%", kl_exact, kl_bh);
    free(y);
}

/* Same seed: same bits on 1 and 2 threads; another seed: another embedding. */
static void test_deterministic(const float *x) {
    float *y1 = malloc(N * 2 * sizeof *y1), *y2 = malloc(N * 2 * sizeof *y2);
    gat_tsne_options opt;
    gat_tsne_options_default(&opt);
    opt.n_iter = 120;                  /* both phases: exaggeration, then plain */
    opt.exaggeration_iter = 60;
    opt.seed = 99;
    gat_error err = {0};
    for (int m = GAT_TSNE_EXACT; m <= GAT_TSNE_BARNES_HUT; m++) {
        for (int init = GAT_TSNE_INIT_RANDOM; init <= GAT_TSNE_INIT_PCA; init++) {
            opt.method = (gat_tsne_method)m;
            opt.init = (gat_tsne_init)init;
            set_threads(1);
            CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y1, NULL, &err), GAT_OK);
            set_threads(2);
            CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y2, NULL, &err), GAT_OK);
            CHECK_MSG(memcmp(y1, y2, N * 2 * sizeof *y1) == 0, "method %d init %d: same bits on 1 and 2 threads", m, init);
        }
    }
    opt.method = GAT_TSNE_BARNES_HUT;
    opt.init = GAT_TSNE_INIT_RANDOM;
    opt.seed = 100;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y2, NULL, &err), GAT_OK);
    CHECK_MSG(memcmp(y1, y2, N * 2 * sizeof *y1) != 0, "another seed gives another embedding");
    free(y1);
    free(y2);
}

static void test_bad_input(float *x) {
    float y[2 * N];
    gat_tsne_options opt;
    gat_tsne_options_default(&opt);
    gat_error err = {0};

    CHECK_EQ_INT(gat_tsne_run(x, 1, D, &opt, y, NULL, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "at least 2 points") != NULL);
    CHECK_EQ_INT(gat_tsne_run(x, 20, D, &opt, y, NULL, &err), GAT_EINVAL);   /* perplexity 30 >= 19 */
    CHECK_MSG(strstr(err.msg, "perplexity 30") != NULL, "message: %s", err.msg);
    CHECK_EQ_INT(gat_tsne_run(x, 31, D, &opt, y, NULL, &err), GAT_EINVAL);   /* 30 >= 30 */
    CHECK_EQ_INT(gat_tsne_run(x, N, 0, &opt, y, NULL, &err), GAT_EINVAL);
    opt.perplexity = -1;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_EINVAL);
    opt.perplexity = NAN;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_EINVAL);
    gat_tsne_options_default(&opt);
    opt.theta = 1.5;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "theta") != NULL);
    gat_tsne_options_default(&opt);
    opt.n_iter = 0;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_EINVAL);
    gat_tsne_options_default(&opt);
    opt.method = (gat_tsne_method)7;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_EINVAL);
    gat_tsne_options_default(&opt);

    float saved = x[7 * D + 3];
    x[7 * D + 3] = NAN;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_ERANGE);
    CHECK_MSG(strstr(err.msg, "row 7, column 3 is NaN") != NULL, "message: %s", err.msg);
    x[7 * D + 3] = -INFINITY;
    CHECK_EQ_INT(gat_tsne_run(x, N, D, &opt, y, NULL, &err), GAT_ERANGE);
    CHECK_MSG(strstr(err.msg, "row 7, column 3 is infinite") != NULL, "message: %s", err.msg);
    x[7 * D + 3] = saved;

    /* The smallest valid problem runs: 3 points, perplexity 1. */
    opt.perplexity = 1;
    opt.n_iter = 50;
    CHECK_EQ_INT(gat_tsne_run(x, 3, D, &opt, y, NULL, &err), GAT_OK);
    opt.method = GAT_TSNE_BARNES_HUT;
    CHECK_EQ_INT(gat_tsne_run(x, 3, D, &opt, y, NULL, &err), GAT_OK);
    for (int i = 0; i < 6; i++) CHECK(isfinite(y[i]));

    /* Identical points (all rows equal) do not break the tree or the sigma search. */
    float same[40 * 3];
    for (int i = 0; i < 40 * 3; i++) same[i] = (float)(i % 3);
    opt.perplexity = 5;
    opt.n_iter = 100;
    CHECK_EQ_INT(gat_tsne_run(same, 40, 3, &opt, y, NULL, &err), GAT_OK);
    opt.init = GAT_TSNE_INIT_PCA;
    CHECK_EQ_INT(gat_tsne_run(same, 40, 3, &opt, y, NULL, &err), GAT_OK);
    for (int i = 0; i < 80; i++) CHECK(isfinite(y[i]));

    /* Metrics reject bad k. */
    double v;
    int64_t labels[N] = {0};
    CHECK_EQ_INT(gat_knn_class_agreement(x, N, D, labels, 0, &v, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_knn_class_agreement(x, N, D, labels, N, &v, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_trustworthiness(x, D, x, D, N, N / 2, &v, &err), GAT_EINVAL);
    for (int i = 0; i < N; i++) labels[i] = -1;
    CHECK_EQ_INT(gat_knn_class_agreement(x, N, D, labels, 5, &v, &err), GAT_EINVAL);
}

/* Trustworthiness and kNN agreement against scikit-learn on tests/fixtures/tsne_metrics.txt. */
static void test_metrics_fixture(const float *x_clusters) {
    double v = 0;
    gat_error err = {0};
    /* An embedding that is the data itself is perfectly trustworthy. */
    CHECK_EQ_INT(gat_trustworthiness(x_clusters, D, x_clusters, D, N, 10, &v, &err), GAT_OK);
    CHECK_NEAR(v, 1.0, 1e-12);

    const char *dir = getenv("GAT_FIXTURES");
    char path[4096];
    snprintf(path, sizeof path, "%s/tsne_metrics.txt", dir ? dir : "tests/fixtures");
    FILE *fp = fopen(path, "r");
    CHECK_MSG(fp != NULL, "open %s", path);
    if (!fp) return;
    char line[512];
    int n = 0, dx = 0, k = 0;
    double t_ref = 0, a_ref = 0;
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK(fscanf(fp, "%d %d %d %lf %lf", &n, &dx, &k, &t_ref, &a_ref) == 5);
    CHECK(n > 0 && n <= 1000 && dx > 0 && dx <= 100);
    float *x = malloc((size_t)n * dx * sizeof *x), *y = malloc((size_t)n * 2 * sizeof *y);
    int64_t *labels = malloc((size_t)n * sizeof *labels);
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        long long l;
        ok = fscanf(fp, "%lld", &l) == 1;
        labels[i] = l;
        for (int j = 0; j < dx && ok; j++) ok = fscanf(fp, "%f", &x[i * dx + j]) == 1;
        for (int j = 0; j < 2 && ok; j++) ok = fscanf(fp, "%f", &y[i * 2 + j]) == 1;
    }
    fclose(fp);
    CHECK_MSG(ok, "read %s", path);
    if (ok) {
        CHECK_EQ_INT(gat_trustworthiness(x, dx, y, 2, n, k, &v, &err), GAT_OK);
        CHECK_NEAR(v, t_ref, 1e-12);
        CHECK_EQ_INT(gat_knn_class_agreement(y, n, 2, labels, k, &v, &err), GAT_OK);
        CHECK_NEAR(v, a_ref, 1e-12);
    }
    free(x);
    free(y);
    free(labels);
}

static void test_csv(void) {
    const char *tmp = check_tmpdir("tsne");
    char path[4096];
    gat_error err = {0};
    float y[6] = {1.5f, -2.25f, 0, 1e-3f, 3, 4};
    int64_t labels[3] = {2, 0, -1};
    snprintf(path, sizeof path, "%s/emb.csv", tmp);
    CHECK_EQ_INT(gat_tsne_write_csv(path, y, 3, labels, &err), GAT_OK);
    char *data;
    size_t len;
    CHECK_EQ_INT(gat_read_file(path, &data, &len, &err), GAT_OK);
    CHECK_MSG(strcmp(data, "node,x,y,label\n0,1.5,-2.25,2\n1,0,0.00100000005,0\n2,3,4,-1\n") == 0, "csv: %s", data);
    free(data);
    CHECK_EQ_INT(gat_tsne_write_csv(path, y, 3, NULL, &err), GAT_OK);
    CHECK_EQ_INT(gat_read_file(path, &data, &len, &err), GAT_OK);
    CHECK_MSG(strcmp(data, "node,x,y\n0,1.5,-2.25\n1,0,0.00100000005\n2,3,4\n") == 0, "csv: %s", data);
    free(data);

    y[3] = NAN;
    snprintf(path, sizeof path, "%s/bad.csv", tmp);
    CHECK_EQ_INT(gat_tsne_write_csv(path, y, 3, NULL, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "node 1") != NULL);
    CHECK(!gat_path_exists(path));
    snprintf(path, sizeof path, "%s/no/such/dir/e.csv", tmp);
    y[3] = 0;
    CHECK_EQ_INT(gat_tsne_write_csv(path, y, 3, NULL, &err), GAT_EIO);
}

int main(void) {
    float *x = malloc(N * D * sizeof *x);
    int64_t labels[N];
    make_clusters(x, labels);
    {   /* one default seed: t-SNE's (which gat visualize's --seed starts from) is training's */
        gat_tsne_options o;
        gat_tsne_options_default(&o);
        CHECK_MSG(o.seed == gat_train_options_default().seed, "t-SNE default seed %llu, training's %llu",
                  (unsigned long long)o.seed, (unsigned long long)gat_train_options_default().seed);
    }
    test_recovers_clusters(x, labels);
    test_deterministic(x);
    test_bad_input(x);
    test_metrics_fixture(x);
    test_csv();
    free(x);
    return check_summary();
}
