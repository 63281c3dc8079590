/* test_infer.c - layer-wise chunked inference gives the same bits as the full forward pass
 * (every node, a subset of nodes, tiny chunks, sparse and dense inputs, skip connections),
 * on the forward-only graph; bad requests are refused. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/graphgen.h"
#include "gat/infer.h"
#include "gat/train.h"

static int make(const char *root, const char *name, int dense, gat_dataset *ds) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    gat_graphgen_options o = gat_graphgen_options_default();
    o.n_nodes = 1500;
    o.n_classes = 3;
    o.n_features = dense ? 8 : 60;
    o.density = 0.1;
    o.dense = dense;
    o.val_size = 200;
    o.test_size = 300;
    gat_graphgen_stats st;
    gat_error err = {0};
    if (gat_graphgen_write(dir, &o, &st, &err) || gat_dataset_load(ds, dir, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    gat_dataset_normalize_rows(ds);
    return 0;
}

static void compare(const gat_dataset *ds, const gat_config *cfg, const char *what) {
    gat_model m;
    gat_session s;
    gat_error err = {0};
    CHECK_EQ_INT(gat_model_init(&m, cfg, 5, &err), GAT_OK);
    CHECK_EQ_INT(gat_session_init(&s, ds, &m, &err), GAT_OK);
    if (err.status) { fprintf(stderr, "%s\n", err.msg); return; }
    const int64_t n = ds->n_nodes, C = ds->n_classes;
    float *ref = malloc((size_t)(n * C) * sizeof *ref);
    memcpy(ref, gat_model_forward(&m, &s.acts, &s.in, &s.g, 0, 0), (size_t)(n * C) * sizeof *ref);
    gat_graph g;
    CHECK_EQ_INT(gat_graph_forward_from_edges(&g, n, ds->edge_src, ds->edge_dst, ds->n_edges, &err), GAT_OK);
    CHECK(g.edge_id == NULL && g.dst == NULL && g.out_pos == NULL);
    CHECK_EQ_INT(g.nnz, s.g.nnz);
    CHECK(!memcmp(g.row_ptr, s.g.row_ptr, (size_t)(n + 1) * sizeof *g.row_ptr));
    CHECK(!memcmp(g.src, s.g.src, (size_t)g.nnz * sizeof *g.src));
    gat_input in;
    gat_input_forward_init(&in, ds);
    float *got = malloc((size_t)(n * C) * sizeof *got);
    /* every node, default chunks and chunks of at most 37 entries */
    int64_t chunks[2] = {(int64_t)1 << 20, 37};
    for (int t = 0; t < 2; t++) {
        memset(got, 0xff, (size_t)(n * C) * sizeof *got);
        CHECK_EQ_INT(gat_infer_chunked(&m, &in, &g, NULL, 0, got, chunks[t], &err), GAT_OK);
        CHECK_MSG(!memcmp(got, ref, (size_t)(n * C) * sizeof *got), "%s: all nodes, chunks of %lld: same bits", what,
                  (long long)chunks[t]);
    }
    /* the validation nodes only: their rows exact, the others untouched */
    memset(got, 0, (size_t)(n * C) * sizeof *got);
    CHECK_EQ_INT(gat_infer_chunked(&m, &in, &g, ds->split[GAT_SPLIT_VAL], ds->split_size[GAT_SPLIT_VAL], got, 100, &err),
                 GAT_OK);
    int64_t diff = 0, untouched = 0;
    uint8_t *isval = calloc((size_t)n, 1);
    for (int64_t i = 0; i < ds->split_size[GAT_SPLIT_VAL]; i++) isval[ds->split[GAT_SPLIT_VAL][i]] = 1;
    for (int64_t i = 0; i < n; i++) {
        if (isval[i]) diff += memcmp(got + i * C, ref + i * C, (size_t)C * sizeof *got) != 0;
        else for (int64_t j = 0; j < C; j++) untouched += got[i * C + j] == 0.0f;
    }
    CHECK_MSG(diff == 0, "%s: %lld validation rows differ", what, (long long)diff);
    CHECK_EQ_INT(untouched, (n - ds->split_size[GAT_SPLIT_VAL]) * C);
    /* the same through the full graph structure */
    CHECK_EQ_INT(gat_infer(&m, &in, &s.g, NULL, 0, got, &err), GAT_OK);
    CHECK(!memcmp(got, ref, (size_t)(n * C) * sizeof *got));
    /* bad requests */
    int64_t bad = n;
    CHECK_EQ_INT(gat_infer(&m, &in, &g, &bad, 1, got, &err), GAT_ERANGE);
    gat_input in2 = in;
    in2.k = in.k + 1;
    CHECK_EQ_INT(gat_infer(&m, &in2, &g, NULL, 0, got, &err), GAT_ESHAPE);
    free(isval);
    free(got);
    free(ref);
    gat_graph_free(&g);
    gat_session_free(&s);
    gat_model_free(&m);
}

int main(void) {
    const char *root = check_tmpdir("infer");
    gat_dataset sp, de;
    memset(&sp, 0, sizeof sp);
    memset(&de, 0, sizeof de);
    if (make(root, "sparse", 0, &sp) || make(root, "dense", 1, &de)) {
        CHECK(0);
        return check_summary();
    }
    gat_config c = gat_config_default(sp.n_features, sp.n_classes);
    compare(&sp, &c, "sparse 8x8,1");
    /* three layers, skip connections: projected on sparse input, identity in the middle */
    gat_config c3 = gat_config_default(sp.n_features, sp.n_classes);
    c3.n_layers = 3;
    c3.heads[0] = 2; c3.features[0] = 8;
    c3.heads[1] = 2; c3.features[1] = 16;
    c3.heads[2] = 1; c3.features[2] = sp.n_classes;
    c3.skip = 1;
    compare(&sp, &c3, "sparse, 3 layers, skip");
    /* dense input: identity skip on the input (8 features) */
    gat_config cd = c3;
    cd.n_in = de.n_features;
    compare(&de, &cd, "dense, 3 layers, skip");
    /* GATv2: the chunked inference gives the bits of the forward pass that trains it */
    c.attention_type = c3.attention_type = cd.attention_type = GAT_ATTENTION_GATV2;
    compare(&sp, &c, "gatv2 sparse 8x8,1");
    compare(&sp, &c3, "gatv2 sparse, 3 layers, skip");
    cd.share_weights = 1;
    compare(&de, &cd, "gatv2 shared weights, dense, 3 layers, skip");
    gat_dataset_free(&sp);
    gat_dataset_free(&de);
    return check_summary();
}
