/* test_graphgen.c - gat generate graph: the files load as a dataset, the graph is what the
 * options ask for (symmetric, no self loops, degrees, homophily, splits), the bytes are the
 * same for any thread count, and bad options are refused naming the option. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/graphgen.h"
#include "gat/ops.h"

static int same_file(const char *a, const char *b) {
    char *x, *y;
    size_t nx, ny;
    gat_error err = {0};
    if (gat_read_file(a, &x, &nx, &err)) return 0;
    if (gat_read_file(b, &y, &ny, &err)) { free(x); return 0; }
    int same = nx == ny && !memcmp(x, y, nx);
    free(x);
    free(y);
    return same;
}

static int cmp_pair(const void *a, const void *b) {
    const int64_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static void check_sparse(const char *root) {
    char dir[4200], dir2[4200];
    snprintf(dir, sizeof dir, "%s/g1", root);
    snprintf(dir2, sizeof dir2, "%s/g2", root);
    gat_graphgen_options o = gat_graphgen_options_default();
    o.n_nodes = 3000;
    o.avg_degree = 12;
    o.n_classes = 5;
    o.homophily = 0.75;
    o.n_features = 50;
    o.density = 0.1;
    o.seed = 7;
    gat_graphgen_stats st, st2;
    gat_error err = {0};
    gat_set_threads(2);
    CHECK_EQ_INT(gat_graphgen_write(dir, &o, &st, &err), GAT_OK);
    gat_set_threads(1);
    CHECK_EQ_INT(gat_graphgen_write(dir2, &o, &st2, &err), GAT_OK);
    gat_set_threads(0);
    static const char *files[] = {"features.npz", "edge_index.npy", "labels.npy", "train_index.npy", "val_index.npy",
                                  "test_index.npy", "class_names.txt", "generated.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/%s", dir2, files[i]);
        CHECK_MSG(same_file(a, b), "%s is the same on 1 and 2 threads", files[i]);
    }
    CHECK_EQ_INT(check_count_entries(dir), 8); /* no temporary left */
    gat_dataset ds;
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
    if (err.status) { fprintf(stderr, "%s\n", err.msg); return; }
    CHECK_EQ_INT(ds.n_nodes, 3000);
    CHECK_EQ_INT(ds.n_features, 50);
    CHECK_EQ_INT(ds.n_classes, 5);
    CHECK_EQ_INT(ds.n_edges, st.n_edges);
    CHECK_EQ_INT(ds.features.nnz, st.feature_nnz);
    /* mean in-degree near the option (self loops and repeats dropped, so a little under) */
    double avg = (double)ds.n_edges / (double)ds.n_nodes;
    CHECK_MSG(avg > 10.5 && avg < 12.5, "average degree %.2f near 12", avg);
    CHECK_MSG(st.homophily > 0.70 && st.homophily < 0.80, "homophily %.3f near 0.75", st.homophily);
    /* symmetric, no self loops, no repeated edges; homophily recomputed from the files */
    int64_t e = ds.n_edges, loops = 0, same = 0;
    int64_t *pairs = malloc((size_t)e * 2 * sizeof *pairs), *rev = malloc((size_t)e * 2 * sizeof *rev);
    for (int64_t k = 0; k < e; k++) {
        pairs[2 * k] = ds.edge_src[k];
        pairs[2 * k + 1] = ds.edge_dst[k];
        rev[2 * k] = ds.edge_dst[k];
        rev[2 * k + 1] = ds.edge_src[k];
        loops += ds.edge_src[k] == ds.edge_dst[k];
        same += ds.labels[ds.edge_src[k]] == ds.labels[ds.edge_dst[k]];
    }
    qsort(pairs, (size_t)e, 2 * sizeof *pairs, cmp_pair);
    qsort(rev, (size_t)e, 2 * sizeof *rev, cmp_pair);
    CHECK_EQ_INT(loops, 0);
    CHECK(!memcmp(pairs, rev, (size_t)e * 2 * sizeof *pairs));
    int64_t repeats = 0;
    for (int64_t k = 1; k < e; k++) repeats += !cmp_pair(pairs + 2 * k, pairs + 2 * (k - 1));
    CHECK_MSG(repeats < e / 30, "%lld repeated edges of %lld (pairs drawn from both ends)", (long long)repeats, (long long)e);
    CHECK_NEAR((double)same / (double)e, st.homophily, 1e-9);
    /* power law: a heavy tail, hubs well above the mean */
    CHECK_MSG(st.max_degree > 5 * 12, "max in-degree %lld", (long long)st.max_degree);
    /* Planetoid-like splits: 20 per class, 500, 1000, disjoint, sorted */
    CHECK_EQ_INT(ds.split_size[0], 100);
    CHECK_EQ_INT(ds.split_size[1], 500);
    CHECK_EQ_INT(ds.split_size[2], 1000);
    uint8_t *seen = calloc((size_t)ds.n_nodes, 1);
    int64_t overlap = 0, per_class[5] = {0}, unsorted = 0;
    for (int s = 0; s < 3; s++)
        for (int64_t i = 0; i < ds.split_size[s]; i++) {
            int64_t u = ds.split[s][i];
            overlap += seen[u];
            seen[u] = 1;
            if (s == 0) per_class[ds.labels[u]]++;
            if (i && ds.split[s][i - 1] >= u) unsorted++;
        }
    CHECK_EQ_INT(overlap, 0);
    CHECK_EQ_INT(unsorted, 0);
    for (int c = 0; c < 5; c++) CHECK_EQ_INT(per_class[c], 20);
    /* features are informative: a row's most frequent class block is its class more often than chance */
    int64_t hits = 0;
    for (int64_t u = 0; u < ds.n_nodes; u++) {
        int64_t cnt[5] = {0}, best = 0;
        for (int64_t p = ds.features.row_ptr[u]; p < ds.features.row_ptr[u + 1]; p++) cnt[ds.features.col_idx[p] / 10]++;
        for (int c = 1; c < 5; c++)
            if (cnt[c] > cnt[best]) best = c;
        hits += best == ds.labels[u];
    }
    CHECK_MSG(hits > ds.n_nodes * 3 / 10, "feature blocks predict the class for %lld of %lld nodes", (long long)hits,
              (long long)ds.n_nodes);
    free(seen);
    free(pairs);
    free(rev);
    gat_dataset_free(&ds);
    /* another seed, another graph */
    o.seed = 8;
    CHECK_EQ_INT(gat_graphgen_write(dir2, &o, &st2, &err), GAT_OK);
    char a[4300], b[4300];
    snprintf(a, sizeof a, "%s/edge_index.npy", dir);
    snprintf(b, sizeof b, "%s/edge_index.npy", dir2);
    CHECK(!same_file(a, b));
}

static void check_dense_and_sizes(const char *root) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/dense", root);
    gat_graphgen_options o = gat_graphgen_options_default();
    o.n_nodes = 400;
    o.n_features = 8;
    o.n_classes = 4;
    o.dense = 1;
    o.train_size = 0.5;
    o.val_size = 50;
    o.test_size = 0.25;
    gat_graphgen_stats st;
    gat_error err = {0};
    CHECK_EQ_INT(gat_graphgen_write(dir, &o, &st, &err), GAT_OK);
    gat_dataset ds;
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
    CHECK(ds.dense_features != NULL);
    CHECK_EQ_INT(ds.split_size[0], 200);
    CHECK_EQ_INT(ds.split_size[1], 50);
    CHECK_EQ_INT(ds.split_size[2], 100);
    /* class indicator + noise: the class's own 2 columns have mean ~1, the others ~0 */
    double own = 0, other = 0;
    for (int64_t u = 0; u < ds.n_nodes; u++)
        for (int j = 0; j < 8; j++) {
            if (j / 2 == ds.labels[u]) own += ds.dense_features[u * 8 + j];
            else other += ds.dense_features[u * 8 + j];
        }
    own /= 400.0 * 2;
    other /= 400.0 * 6;
    CHECK_MSG(own > 0.8 && own < 1.2 && other > -0.2 && other < 0.2, "dense means %.3f (own) %.3f (other)", own, other);
    gat_dataset_free(&ds);
}

static void check_bad_options(const char *root) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/bad", root);
    struct { const char *what; gat_graphgen_options o; } cases[8];
    for (int i = 0; i < 8; i++) cases[i].o = gat_graphgen_options_default();
    cases[0].what = "--nodes"; cases[0].o.n_nodes = 1;
    cases[1].what = "--exponent"; cases[1].o.exponent = 2.0;
    cases[2].what = "--max-degree"; cases[2].o.max_degree = 5;
    cases[3].what = "--homophily"; cases[3].o.homophily = 1.5;
    cases[4].what = "--density"; cases[4].o.density = 0;
    cases[5].what = "--val-size"; cases[5].o.val_size = 0;
    cases[6].what = "--train-size"; cases[6].o.n_nodes = 1000; cases[6].o.train_size = 0.9;
    cases[7].what = "--classes"; cases[7].o.n_classes = 0;
    for (int i = 0; i < 8; i++) {
        gat_graphgen_stats st;
        gat_error err = {0};
        CHECK_EQ_INT(gat_graphgen_write(dir, &cases[i].o, &st, &err), GAT_EINVAL);
        CHECK_MSG(strstr(err.msg, cases[i].what) != NULL, "'%s' names %s", err.msg, cases[i].what);
    }
    CHECK(!gat_path_exists(dir));
}

int main(void) {
    const char *root = check_tmpdir("graphgen");
    check_sparse(root);
    check_dense_and_sizes(root);
    check_bad_options(root);
    return check_summary();
}
