/* test_collection.c - collections of graphs: the PPI folder and the NumPy collection layout
 * (hand-written, and every broken variant), batches of whole graphs (block-diagonal,
 * renumbered, rows gathered), micro-F1 and BCE against hand-computed values, training that
 * gives the same bits on 1 and 2 threads, and a GAT that beats the no-edges model on a
 * small generated PPI-like collection. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_util.h"
#include "gat/dataset.h"
#include "gat/ppigen.h"
#include "gat/train.h"
#include "gat/viz_collection.h"

static void put_npy(const char *dir, const char *name, gat_dtype t, int ndim, const int64_t *shape, const void *data) {
    gat_array a;
    memset(&a, 0, sizeof a);
    a.dtype = t;
    a.itemsize = gat_dtype_size(t);
    a.ndim = ndim;
    a.size = 1;
    for (int d = 0; d < ndim; d++) a.shape[d] = shape[d], a.size *= (size_t)shape[d];
    a.data = (void *)data;
    gat_error e = {0};
    if (gat_npy_write(io_path(dir, name), &a, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
}

/* A PPI folder: train = graphs 7 (nodes 0, 1, 2) and 5 (nodes 3, 4) as numbered in the file,
 * valid = one graph of 2 nodes, test = one graph of 3 nodes; 2 features, 3 labels. */
static void write_ppi(const char *dir, const char *train_links) {
    gat_mkdirs(dir, &err);
    const float tf[10] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0}, vf[4] = {6, 0, 7, 0}, sf[6] = {8, 0, 9, 0, 10, 0};
    const int64_t tl[15] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1}, vl[6] = {1, 0, 0, 0, 0, 1},
                  sl[9] = {0, 0, 1, 1, 1, 1, 0, 1, 0};
    const int64_t tg[5] = {7, 7, 7, 5, 5}, vg[2] = {21, 21}, sg[3] = {23, 23, 23};
    int64_t s2[2] = {5, 2}, s3[2] = {5, 3}, s1[1] = {5};
    put_npy(dir, "train_feats.npy", GAT_DTYPE_F32, 2, s2, tf);
    put_npy(dir, "train_labels.npy", GAT_DTYPE_I64, 2, s3, tl);
    put_npy(dir, "train_graph_id.npy", GAT_DTYPE_I64, 1, s1, tg);
    s2[0] = s3[0] = s1[0] = 2;
    put_npy(dir, "valid_feats.npy", GAT_DTYPE_F32, 2, s2, vf);
    put_npy(dir, "valid_labels.npy", GAT_DTYPE_I64, 2, s3, vl);
    put_npy(dir, "valid_graph_id.npy", GAT_DTYPE_I64, 1, s1, vg);
    s2[0] = s3[0] = s1[0] = 3;
    put_npy(dir, "test_feats.npy", GAT_DTYPE_F32, 2, s2, sf);
    put_npy(dir, "test_labels.npy", GAT_DTYPE_I64, 2, s3, sl);
    put_npy(dir, "test_graph_id.npy", GAT_DTYPE_I64, 1, s1, sg);
    char text[1024];
    snprintf(text, sizeof text, "{\"directed\": false, \"multigraph\": false, \"graph\": {}, \"nodes\": [{\"id\": 0}, "
             "{\"id\": 1}, {\"id\": 2}, {\"id\": 3}, {\"id\": 4}], \"links\": [%s]}", train_links);
    io_put(dir, "train_graph.json", text, strlen(text));
    const char *v = "{\"nodes\": [{\"id\": 1}, {\"id\": 0}], \"links\": [{\"source\": 0, \"target\": 1}]}";
    io_put(dir, "valid_graph.json", v, strlen(v));
    const char *t = "{\"nodes\": [{\"id\": 0}, {\"id\": 1}, {\"id\": 2}], \"links\": [{\"source\": 0, \"target\": 1}, "
                    "{\"source\": 2, \"target\": 2}]}";
    io_put(dir, "test_graph.json", t, strlen(t));
}

static const char *good_links = "{\"source\": 0, \"target\": 1}, {\"source\": 1, \"target\": 2}, {\"source\": 4, \"target\": 3}";

static void test_ppi_folder(const char *tmp) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ppi", tmp);
    write_ppi(dir, good_links);
    gat_dataset ds;
    CHECK(gat_dataset_load(&ds, dir, &err) == GAT_OK);
    CHECK(ds.task == GAT_TASK_MULTI_LABEL && !strcmp(ds.name, "ppi"));
    CHECK_EQ_INT(ds.n_nodes, 10);
    CHECK_EQ_INT(ds.n_features, 2);
    CHECK_EQ_INT(ds.n_classes, 3);
    CHECK_EQ_INT(ds.n_graphs, 4);
    CHECK_MSG(ds.n_edges == 2 * 3 + 2 * 1 + 2 * 2, "undirected links read in both directions (%lld edges)",
              (long long)ds.n_edges);
    /* graphs numbered by increasing file value within each split: train 5 -> 0, 7 -> 1 */
    const int64_t want_gid[10] = {1, 1, 1, 0, 0, 2, 2, 3, 3, 3};
    int same = 1;
    for (int i = 0; i < 10; i++) same &= ds.graph_id[i] == want_gid[i];
    CHECK_MSG(same, "graph ids renumbered 0..3 in split order");
    CHECK(ds.split_n_graphs[0] == 2 && ds.split_n_graphs[1] == 1 && ds.split_n_graphs[2] == 1);
    CHECK(ds.split_size[0] == 5 && ds.split_size[1] == 2 && ds.split_size[2] == 3);
    CHECK(ds.split[1][0] == 5 && ds.split[2][0] == 7);
    CHECK(ds.dense_features[2 * 5] == 6.0f && ds.dense_features[2 * 9] == 10.0f);
    CHECK(ds.targets[3 * 7 + 2] == 1.0f && ds.targets[3 * 9 + 1] == 1.0f && ds.targets[3 * 9] == 0.0f);
    CHECK(ds.graph_node_ptr[1] - ds.graph_node_ptr[0] == 2 && ds.graph_nodes[ds.graph_node_ptr[0]] == 3);

    /* a batch of graphs 1 and 0: block-diagonal, graph 1's nodes first */
    gat_input in;
    CHECK(gat_input_init(&in, &ds, &err) == GAT_OK);
    gat_step_batch b;
    const int64_t gs[2] = {1, 0};
    CHECK(gat_step_batch_graphs(&b, &ds, &in, gs, 2, &err) == GAT_OK);
    CHECK_EQ_INT(b.n, 5);
    CHECK(b.node_ids[0] == 0 && b.node_ids[3] == 3 && b.node_ids[4] == 4);
    CHECK_EQ_INT(b.g->nnz, 6 + 5);
    CHECK_EQ_INT(b.n_loss, 5);
    CHECK(b.in->dense[2 * 4] == 5.0f && b.targets[3 * 3 + 1] == 1.0f);
    /* node 3 (local 3) hears from itself and node 4 (local 4) only */
    CHECK(b.g->row_ptr[4] - b.g->row_ptr[3] == 2 && b.g->src[b.g->row_ptr[3]] == 3 && b.g->src[b.g->row_ptr[3] + 1] == 4);
    int block = 1;
    for (int64_t i = 0; i < b.n; i++)
        for (int64_t q = b.g->row_ptr[i]; q < b.g->row_ptr[i + 1]; q++) block &= (i < 3) == (b.g->src[q] < 3);
    CHECK_MSG(block, "no entry joins the two graphs of a batch");
    gat_step_batch_free(&b);
    /* without self loops (--add_self_loops false): the 6 edges as given; node 3 hears from node 4 only */
    CHECK(gat_step_batch_graphs_flags(&b, &ds, &in, gs, 2, GAT_GRAPH_NO_SELF_LOOPS, &err) == GAT_OK);
    CHECK_EQ_INT(b.g->nnz, 6);
    CHECK_EQ_INT(b.g->no_self_loops, 1);
    CHECK(b.g->row_ptr[4] - b.g->row_ptr[3] == 1 && b.g->src[b.g->row_ptr[3]] == 4);
    gat_step_batch_free(&b);
    CHECK_FAILS(gat_step_batch_graphs(&b, &ds, &in, (const int64_t[]){4}, 1, &err), GAT_ERANGE, "graph 4", "outside");
    gat_input_free(&in);

    /* one graph picked out for pictures */
    gat_dataset one;
    CHECK(gat_dataset_select_graphs(&one, &ds, (const int64_t[]){3}, 1, &err) == GAT_OK);
    CHECK(one.n_nodes == 3 && one.n_edges == 4 && one.n_graphs == 1 && one.split_size[GAT_SPLIT_TEST] == 3);
    CHECK(one.dense_features[0] == 8.0f && one.targets[3 * 1 + 1] == 1.0f);
    gat_dataset_free(&one);
    CHECK_FAILS(gat_dataset_select_graphs(&one, &ds, (const int64_t[]){9}, 1, &err), GAT_ERANGE, "--graph", "9");
    gat_dataset_free(&ds);

    /* broken folders */
    write_ppi(dir, "{\"source\": 0, \"target\": 1}, {\"source\": 2, \"target\": 3}");
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "train_graph.json: link 1", "inside one graph");
    write_ppi(dir, "{\"source\": 0, \"target\": 5}");
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "train_graph.json: byte", "target 5 is not a node");
    write_ppi(dir, good_links);
    const float bad_lab[6] = {1, 0, 0, 0, 2, 1};
    put_npy(dir, "valid_labels.npy", GAT_DTYPE_F32, 2, (const int64_t[]){2, 3}, bad_lab);
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "valid_labels.npy", "0 or 1");
    write_ppi(dir, good_links);
    put_npy(dir, "test_graph_id.npy", GAT_DTYPE_I64, 1, (const int64_t[]){2}, (const int64_t[]){1, 1});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ESHAPE, "test_graph_id.npy", "2 graph ids for the 3 rows");
    write_ppi(dir, good_links);
    put_npy(dir, "valid_feats.npy", GAT_DTYPE_F32, 2, (const int64_t[]){2, 3}, (const float[]){1, 2, 3, 4, 5, 6});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ESHAPE, "valid_feats.npy", "3 features");
    write_ppi(dir, good_links);
    { const char *one = "{\"nodes\": [{\"id\": 0}]}"; io_put(dir, "valid_graph.json", one, strlen(one)); }
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "valid_graph.json", "node id 1 is missing");
}

/* The NumPy collection layout: 3 graphs (nodes 0-1, 2-4, 5), interleaved ids allowed. */
static void test_numpy_layout(const char *tmp) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/coll", tmp);
    gat_mkdirs(dir, &err);
    const float x[12] = {1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 3, 3};
    const int64_t e[2 * 6] = {0, 1, 2, 3, 4, 2, 1, 0, 3, 2, 2, 4};
    const int64_t y[6 * 2] = {1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1};
    const int64_t gid[6] = {0, 0, 1, 1, 1, 2};
    put_npy(dir, "features.npy", GAT_DTYPE_F32, 2, (const int64_t[]){6, 2}, x);
    put_npy(dir, "edge_index.npy", GAT_DTYPE_I64, 2, (const int64_t[]){2, 6}, e);
    put_npy(dir, "labels.npy", GAT_DTYPE_I64, 2, (const int64_t[]){6, 2}, y);
    put_npy(dir, "graph_id.npy", GAT_DTYPE_I64, 1, (const int64_t[]){6}, gid);
    put_npy(dir, "train_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){1});
    put_npy(dir, "val_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){0});
    put_npy(dir, "test_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){2});
    gat_dataset ds;
    CHECK(gat_dataset_load(&ds, dir, &err) == GAT_OK);
    CHECK(ds.n_graphs == 3 && ds.task == GAT_TASK_MULTI_LABEL && ds.n_edges == 6);
    CHECK(ds.split_size[0] == 3 && ds.split[0][0] == 2 && ds.split_size[2] == 1 && ds.split[2][0] == 5);
    CHECK(ds.graph_edge_ptr[2] - ds.graph_edge_ptr[1] == 4);
    gat_dataset_free(&ds);
    put_npy(dir, "test_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){0});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "graph 0 is in the val split", "test split");
    put_npy(dir, "test_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){3});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "test split names graph 3", "outside");
    put_npy(dir, "test_graphs.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){2});
    put_npy(dir, "edge_index.npy", GAT_DTYPE_I64, 2, (const int64_t[]){2, 1}, (const int64_t[]){1, 2});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ERANGE, "edge 0 (1 -> 2) joins graph 0 and graph 1", "inside");
    put_npy(dir, "edge_index.npy", GAT_DTYPE_I64, 2, (const int64_t[]){2, 6}, e);
    put_npy(dir, "graph_id.npy", GAT_DTYPE_I64, 1, (const int64_t[]){6}, (const int64_t[]){0, 0, 2, 2, 2, 3});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_ESHAPE, "graph 1 has no nodes", "each used");
    put_npy(dir, "graph_id.npy", GAT_DTYPE_I64, 1, (const int64_t[]){6}, gid);
    put_npy(dir, "val_index.npy", GAT_DTYPE_I64, 1, (const int64_t[]){1}, (const int64_t[]){0});
    CHECK_FAILS(gat_dataset_load(&ds, dir, &err), GAT_EINVAL, "val_graphs.npy", "remove the node split val_index.npy");
}

/* micro-F1 and the mean BCE over two batches, against hand counts. */
static void test_micro_f1(void) {
    /* batch A: 2 nodes x 3 labels; batch B: 1 node */
    const float la[6] = {2.0f, -1.0f, 0.5f, -3.0f, 1.0f, -0.25f}, ta[6] = {1, 1, 0, 0, 1, 1};
    const float lb[3] = {0.0f, 4.0f, -2.0f}, tb[3] = {1, 0, 0};
    /* logit 0 counts as negative (sklearn on sigmoid > 0.5 / logit > 0):
     * A: (2,1) tp, (-1,1) fn, (0.5,0) fp, (-3,0) tn, (1,1) tp, (-0.25,1) fn  -> tp 2 fp 1 fn 2
     * B: (0,1) fn, (4,0) fp, (-2,0) tn                                        -> tp 0 fp 1 fn 1 */
    const int64_t loss_a[2] = {0, 1}, loss_b[1] = {0};
    gat_step_batch a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.n = 2, a.n_loss = 2, a.loss = loss_a, a.targets = ta;
    b.n = 1, b.n_loss = 1, b.loss = loss_b, b.targets = tb;
    gat_tally t;
    memset(&t, 0, sizeof t);
    float da[6], db[3];
    gat_step_batch_loss(&a, GAT_TASK_MULTI_LABEL, 3, la, da, &t);
    gat_step_batch_loss(&b, GAT_TASK_MULTI_LABEL, 3, lb, db, &t);
    CHECK(t.tp == 2 && t.fp == 2 && t.fn == 3);
    gat_metrics m = gat_tally_metrics(&t, GAT_TASK_MULTI_LABEL);
    CHECK_NEAR(m.score, 2.0 * 2 / (2.0 * 2 + 2 + 3), 1e-15);
    double want = 0;
    for (int i = 0; i < 6; i++) want += -(ta[i] * log(1 / (1 + exp(-la[i]))) + (1 - ta[i]) * log(1 - 1 / (1 + exp(-la[i]))));
    for (int i = 0; i < 3; i++) want += -(tb[i] * log(1 / (1 + exp(-lb[i]))) + (1 - tb[i]) * log(1 - 1 / (1 + exp(-lb[i]))));
    CHECK_NEAR(m.loss, want / 9, 1e-12);
    CHECK_NEAR(da[0], (1 / (1 + exp(-2.0)) - 1) / 6, 1e-7);
    CHECK_NEAR(db[1], (1 / (1 + exp(-4.0))) / 3, 1e-7);
    /* nothing predicted, nothing true: 0 (scikit-learn's zero_division=0) */
    const float z[3] = {-1, -1, -1}, tz[3] = {0, 0, 0};
    b.targets = tz;
    memset(&t, 0, sizeof t);
    gat_step_batch_loss(&b, GAT_TASK_MULTI_LABEL, 3, z, NULL, &t);
    CHECK(gat_tally_metrics(&t, GAT_TASK_MULTI_LABEL).score == 0.0);
}

static int coll_no_loops; /* train_collection: gat_config.no_self_loops */

static double train_collection(const gat_dataset *ds, int threads, int layers, int64_t epochs, float **params_out,
                               size_t *n_params) {
    gat_set_threads(threads);
    gat_config c = gat_config_default(ds->n_features, ds->n_classes);
    c.no_self_loops = coll_no_loops;
    c.n_layers = layers;
    for (int l = 0; l < layers; l++) {
        c.heads[l] = l == layers - 1 ? 2 : 2;
        c.features[l] = l == layers - 1 ? ds->n_classes : 32;
    }
    c.skip = 1;
    c.dropout = 0.0f;
    gat_model m;
    gat_session s;
    gat_train_options o = gat_train_options_default();
    o.max_epochs = epochs;
    o.patience = 1000;
    o.weight_decay = 0;
    o.seed = 3;
    gat_train_result res;
    gat_metrics test = {0, -1};
    if (gat_model_init(&m, &c, 3, &err) || gat_session_init(&s, ds, &m, &err) ||
        gat_train(&m, &s, &o, NULL, NULL, &res, &err)) {
        CHECK_MSG(0, "training on %s: %s", ds->name, err.msg);
        return -1;
    }
    CHECK_EQ_INT(res.steps, epochs * ((ds->split_n_graphs[0] + 1) / 2));
    gat_evaluate(&m, &s, GAT_SPLIT_TEST, &test);
    if (params_out) {
        *params_out = malloc(m.n_params * sizeof(float));
        memcpy(*params_out, m.params, m.n_params * sizeof(float));
        *n_params = m.n_params;
    }
    gat_session_free(&s);
    gat_model_free(&m);
    return test.score;
}

static void test_training(const char *tmp) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ppi-like", tmp);
    gat_ppigen_options o = gat_ppigen_options_default();
    o.scale = 0.03;
    o.seed = 7;
    gat_ppigen_stats st;
    CHECK(gat_ppigen_write(dir, &o, &st, &err) == GAT_OK);
    CHECK(st.n_graphs == 24 && st.positive > 0.25 && st.positive < 0.35 && st.zero_share > 0.35 && st.zero_share < 0.5);
    gat_dataset ds, flat;
    if (gat_dataset_load(&ds, dir, &err) || gat_dataset_load(&flat, dir, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    CHECK(ds.n_graphs == 24 && ds.n_features == 50 && ds.n_classes == 121 && ds.split_n_graphs[0] == 20);
    /* same bits on 1 and 2 threads (shuffled batches, 3 layers with projected skips) */
    float *p1 = NULL, *p2 = NULL;
    size_t n1 = 0, n2 = 0;
    double f1 = train_collection(&ds, 1, 3, 2, &p1, &n1), f2 = train_collection(&ds, 2, 3, 2, &p2, &n2);
    CHECK_MSG(p1 && p2 && n1 == n2 && !memcmp(p1, p2, n1 * sizeof(float)) && f1 == f2,
              "2 epochs of batches of graphs: bit-identical parameters on 1 and 2 threads");
    free(p1);
    free(p2);
    /* the same without added self loops (the generated graphs list some of their own): batches of
     * whole graphs, validation and test per graph; finite, and the same bits on 1 and 2 threads */
    {
        int64_t *in_deg = calloc((size_t)ds.n_nodes, sizeof *in_deg), deaf = 0, loops = 0;
        for (int64_t k = 0; k < ds.n_edges; k++) {
            in_deg[ds.edge_dst[k]]++;
            loops += ds.edge_src[k] == ds.edge_dst[k];
        }
        for (int64_t i = 0; i < ds.n_nodes; i++) deaf += in_deg[i] == 0;
        free(in_deg);
        coll_no_loops = 1;
        f1 = train_collection(&ds, 1, 3, 2, &p1, &n1);
        f2 = train_collection(&ds, 2, 3, 2, &p2, &n2);
        coll_no_loops = 0;
        int finite = p1 != NULL && isfinite(f1);
        for (size_t q = 0; finite && q < n1; q++) finite &= isfinite(p1[q]);
        printf("# PPI-like without self loops: %lld own self loops, %lld nodes without in-edges, test micro-F1 %.4f\n",
               (long long)loops, (long long)deaf, f1);
        CHECK_MSG(finite && p2 && n1 == n2 && !memcmp(p1, p2, n1 * sizeof(float)) && f1 == f2,
                  "without self loops: finite, bit-identical parameters on 1 and 2 threads (micro-F1 %.4f, %.4f)", f1, f2);
        free(p1);
        free(p2);
    }
    /* the edges matter: GAT against the same model on the graph without edges */
    gat_dataset_drop_edges(&flat);
    double gat = train_collection(&ds, 0, 2, 40, NULL, NULL), none = train_collection(&flat, 0, 2, 40, NULL, NULL);
    printf("# PPI-like (scale 0.03): test micro-F1 %.4f with edges, %.4f without\n", gat, none);
    CHECK_MSG(gat > none + 0.05, "GAT beats the no-edges model clearly (test micro-F1 %.4f vs %.4f)", gat, none);
    gat_dataset_free(&ds);
    gat_dataset_free(&flat);
}

/* Colours of multi-label nodes, worked by hand: labels per node 0, 1, 1, 2, 3, 3 of C = 3.
 * The zero-label node has its range; then each range closes once it holds its share of the
 * remaining nodes (5 nodes / 5 ranges = 1: {1, 1}; 3 / 4: {2}; the rest: {3, 3}). */
static void test_label_colouring(void) {
    float t[6 * 3] = {0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "tiny");
    ds.task = GAT_TASK_MULTI_LABEL;
    ds.n_nodes = 6;
    ds.n_classes = 3;
    ds.targets = t;
    gat_label_colouring c;
    gat_error err = {0};
    CHECK(gat_label_colouring_init(&c, &ds, -1, &err) == GAT_OK);
    const int64_t want[6] = {0, 1, 1, 2, 3, 3};
    CHECK(c.n_classes == 4);
    for (int i = 0; i < 6 && c.n_classes == 4; i++) CHECK_MSG(c.cls[i] == want[i], "node %d: range %lld", i, (long long)c.cls[i]);
    CHECK(c.n_classes == 4 && !strcmp(c.names[0], "0 labels") && !strcmp(c.names[1], "1 label") &&
          !strcmp(c.names[3], "3 labels"));
    CHECK(!strcmp(c.what, "labels per node"));
    gat_graph_input g = {0};
    gat_label_colouring_apply(&c, &g);
    CHECK(g.labels == c.cls && g.n_classes == 4 && g.colour_by == c.what);
    gat_label_colouring_free(&c);
    /* by one label: label 2 is on nodes 2, 4, 5 */
    CHECK(gat_label_colouring_init(&c, &ds, 2, &err) == GAT_OK);
    const int64_t with2[6] = {0, 0, 1, 0, 1, 1};
    for (int i = 0; i < 6; i++) CHECK(c.cls[i] == with2[i]);
    CHECK(c.n_classes == 2 && !strcmp(c.names[0], "without label 2") && !strcmp(c.names[1], "with label 2"));
    gat_label_colouring_free(&c);
    CHECK(gat_label_colouring_init(&c, &ds, 3, &err) == GAT_EINVAL && strstr(err.msg, "--label: 3 is not a label"));
    ds.task = GAT_TASK_SINGLE_LABEL;
    CHECK(gat_label_colouring_init(&c, &ds, -1, &err) == GAT_EINVAL && strstr(err.msg, "not multi-label"));
}

int main(void) {
    const char *tmp = check_tmpdir("test_collection");
    test_ppi_folder(tmp);
    test_numpy_layout(tmp);
    test_micro_f1();
    test_label_colouring();
    test_training(tmp);
    return check_summary();
}
