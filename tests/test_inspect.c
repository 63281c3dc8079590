/* test_inspect.c - attention, entropy and layer outputs of a model with hand-set weights on
 * a 4-node graph, against values worked out by hand; default node choice; the attention
 * dump read back; entropy and embedding pictures; models that do not fit the dataset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/chart.h"
#include "gat/inspect.h"
#include "gat/npy.h"
#include "gat/viz_model.h"
#include "picture_check.h"

static const char *tmp;

/* Edges 1->0, 2->0, 3->0, 0->1. Node 0 hears from {0 (self), 1, 2, 3}, node 1 from {1, 0},
 * nodes 2 and 3 only from themselves. Features x_j = (s_j, 1) with s = (0, ln 2, ln 3, 0). */
static int64_t esrc[4] = {1, 2, 3, 0}, edst[4] = {0, 0, 0, 1};
static int64_t labels[4] = {0, 1, 1, 0};
static int64_t tr[2] = {0, 1}, va[1] = {2}, te[1] = {3};
static float feats[8];

static void make_dataset(gat_dataset *ds) {
    memset(ds, 0, sizeof *ds);
    snprintf(ds->name, sizeof ds->name, "tiny");
    ds->task = GAT_TASK_SINGLE_LABEL;
    ds->n_nodes = 4;
    ds->n_features = 2;
    ds->n_classes = 2;
    const float s[4] = {0, (float)log(2.0), (float)log(3.0), 0};
    for (int i = 0; i < 4; i++) {
        feats[2 * i] = s[i];
        feats[2 * i + 1] = 1;
    }
    ds->dense_features = feats;
    ds->n_edges = 4;
    ds->edge_src = esrc;
    ds->edge_dst = edst;
    ds->labels = labels;
    ds->split[0] = tr; ds->split_size[0] = 2;
    ds->split[1] = va; ds->split_size[1] = 1;
    ds->split[2] = te; ds->split_size[2] = 1;
}

/* Layer 0: 1 head, W = I, a_src = (1, 0), a_dst = 0: the score of edge j -> i is
 * LeakyReLU(s_j) = s_j, so node 0 attends to 0, 1, 2, 3 as 1 : 2 : 3 : 1.
 * Layer 1: 2 heads, W = 0: uniform attention; logits = bias = (0.5, -0.5). */
static void make_model(gat_model *m) {
    gat_config c = gat_config_default(2, 2);
    c.heads[0] = 1;
    c.features[0] = 2;
    c.heads[1] = 2;
    gat_error err = {0};
    CHECK_EQ_INT(gat_model_init(m, &c, 1, &err), GAT_OK);
    memset(m->params, 0, m->n_params * sizeof(float));
    m->p[0].w[0] = 1;            /* W (K=2, H*F=2) = I */
    m->p[0].w[3] = 1;
    m->p[0].a_src[0] = 1;
    m->p[1].bias[0] = 0.5f;
    m->p[1].bias[1] = -0.5f;
}

static void attention_and_outputs(void) {
    gat_dataset ds;
    gat_model m;
    make_dataset(&ds);
    make_model(&m);
    gat_inspection ins;
    gat_error err = {0};
    CHECK_EQ_INT(gat_inspect(&ins, &m, &ds, &err), GAT_OK);
    CHECK_EQ_INT(ins.n_layers, 2);
    CHECK_EQ_INT(ins.graph.nnz, 8);          /* 4 edges + 4 self loops */
    CHECK_EQ_INT(ins.heads[0], 1);
    CHECK_EQ_INT(ins.heads[1], 2);
    CHECK_EQ_INT(ins.width[0], 2);
    CHECK_EQ_INT(ins.width[1], 2);
    const gat_graph *g = &ins.graph;
    /* node 0: weights by source 1/7, 2/7, 3/7, 1/7 */
    const double want0[4] = {1 / 7.0, 2 / 7.0, 3 / 7.0, 1 / 7.0};
    CHECK_EQ_INT(g->row_ptr[1] - g->row_ptr[0], 4);
    for (int64_t k = g->row_ptr[0]; k < g->row_ptr[1]; k++)
        CHECK_NEAR(gat_inspect_att(&ins, 0, 0, k), want0[g->src[k]], 1e-6);
    /* node 1: self (s=ln 2) and node 0 (s=0): 2/3, 1/3; nodes 2, 3: only the self loop */
    for (int64_t k = g->row_ptr[1]; k < g->row_ptr[2]; k++)
        CHECK_NEAR(gat_inspect_att(&ins, 0, 0, k), g->src[k] == 1 ? 2 / 3.0 : 1 / 3.0, 1e-6);
    CHECK_NEAR(gat_inspect_att(&ins, 0, 0, g->row_ptr[2]), 1.0, 1e-7);
    /* layer 1: uniform for both heads and their mean */
    for (int64_t k = g->row_ptr[0]; k < g->row_ptr[1]; k++) {
        CHECK_NEAR(gat_inspect_att(&ins, 1, 0, k), 0.25, 1e-7);
        CHECK_NEAR(gat_inspect_att(&ins, 1, 1, k), 0.25, 1e-7);
        CHECK_NEAR(gat_inspect_att(&ins, 1, GAT_HEAD_MEAN, k), 0.25, 1e-7);
    }
    /* layer 0 output of node 0: ELU(sum_j alpha_0j x_j) = (2/7 ln 2 + 3/7 ln 3, 1) */
    CHECK_NEAR(ins.out[0][0], 2 / 7.0 * log(2.0) + 3 / 7.0 * log(3.0), 1e-6);
    CHECK_NEAR(ins.out[0][1], 1.0, 1e-6);
    /* node 1: (2/3 ln 2, 1) */
    CHECK_NEAR(ins.out[0][2], 2 / 3.0 * log(2.0), 1e-6);
    /* logits = bias everywhere, probabilities softmax(0.5, -0.5), class 0 */
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(ins.out[1][2 * i], 0.5, 1e-7);
        CHECK_NEAR(ins.out[1][2 * i + 1], -0.5, 1e-7);
        CHECK_NEAR(ins.prob[2 * i], 1 / (1 + exp(-1.0)), 1e-6);
        CHECK_EQ_INT(ins.pred[i], 0);
    }

    /* entropy in bits */
    double h[4], u[4];
    gat_attention_entropy(&ins, 0, 0, h, u);
    double h0 = 0;
    for (int j = 0; j < 4; j++) h0 -= want0[j] * log2(want0[j]);
    CHECK_NEAR(h[0], h0, 1e-6);                                   /* 1.8424 bits */
    CHECK_NEAR(h[0], 1.842371, 1e-5);
    CHECK_NEAR(h[1], -(2 / 3.0) * log2(2 / 3.0) - (1 / 3.0) * log2(1 / 3.0), 1e-6);
    CHECK_NEAR(h[2], 0.0, 1e-7);
    CHECK_NEAR(u[0], 2.0, 1e-12);
    CHECK_NEAR(u[1], 1.0, 1e-12);
    CHECK_NEAR(u[3], 0.0, 1e-12);
    gat_attention_entropy(&ins, 1, GAT_HEAD_MEAN, h, NULL);
    CHECK_NEAR(h[0], 2.0, 1e-6);   /* uniform attention has the uniform entropy */
    CHECK_NEAR(h[1], 1.0, 1e-6);

    /* the attention dump: .npy + _edge_index.npy (2, E) as the datasets + _input_edge.npy, and .npz */
    char path[4200];
    char extra[2][1024];
    snprintf(path, sizeof path, "%s/att.npy", tmp);
    CHECK_EQ_INT(gat_attention_save(&ins, path, extra, &err), GAT_OK);
    gat_array a = {0}, e = {0}, in = {0};
    CHECK_EQ_INT(gat_npy_read(path, &a, &err), GAT_OK);
    CHECK_EQ_INT(a.dtype, GAT_DTYPE_F32);
    CHECK_EQ_INT(a.ndim, 2);
    CHECK_EQ_INT(a.shape[0], 8);
    CHECK_EQ_INT(a.shape[1], 3);              /* layer 0 head 0, layer 1 heads 0 and 1 */
    CHECK_MSG(strstr(extra[0], "att_edge_index.npy") != NULL, "edge_index path %s", extra[0]);
    CHECK_MSG(strstr(extra[1], "att_input_edge.npy") != NULL, "input edge path %s", extra[1]);
    CHECK_EQ_INT(gat_npy_read(extra[0], &e, &err), GAT_OK);
    CHECK_EQ_INT(gat_npy_read(extra[1], &in, &err), GAT_OK);
    CHECK_EQ_INT(e.dtype, GAT_DTYPE_I64);
    CHECK_EQ_INT(e.ndim, 2);
    CHECK_EQ_INT(e.shape[0], 2);              /* (2, E) like every dataset's edge_index.npy */
    CHECK_EQ_INT(e.shape[1], 8);
    CHECK_EQ_INT(in.dtype, GAT_DTYPE_I64);
    CHECK_EQ_INT(in.ndim, 1);
    CHECK_EQ_INT(in.shape[0], 8);
    if (a.size == 24 && e.size == 16 && in.size == 8) {
        const float *av = a.data;
        const int64_t *ev = e.data, *iv = in.data;
        int ok = 1, self = 0;
        for (int k = 0; k < 8; k++) {
            ok &= ev[k] == g->src[k] && ev[8 + k] == g->dst[k] && iv[k] == g->edge_id[k];
            ok &= av[3 * k] == ins.att[0][k] && av[3 * k + 1] == ins.att[1][2 * k] && av[3 * k + 2] == ins.att[1][2 * k + 1];
            self += iv[k] == -1;
            if (iv[k] >= 0) ok &= esrc[iv[k]] == ev[k] && edst[iv[k]] == ev[8 + k];
            else ok &= ev[k] == ev[8 + k];
        }
        CHECK_MSG(ok, "dumped attention and edges match the inspection and the input edge list");
        CHECK_EQ_INT(self, 4);
    }
    gat_array_free(&a);
    gat_array_free(&e);
    gat_array_free(&in);
    snprintf(path, sizeof path, "%s/att.npz", tmp);
    CHECK_EQ_INT(gat_attention_save(&ins, path, extra, &err), GAT_OK);
    CHECK_EQ_INT(extra[0][0], 0);
    gat_npz z;
    CHECK_EQ_INT(gat_npz_read(path, &z, &err), GAT_OK);
    const gat_array *l0 = gat_npz_get(&z, "layer_0"), *l1 = gat_npz_get(&z, "layer_1"),
                    *ed = gat_npz_get(&z, "edge_index"), *ie = gat_npz_get(&z, "input_edge");
    CHECK(l0 && l1 && ed && ie && !gat_npz_get(&z, "edges"));
    if (l0 && l1 && ed && ie) {
        CHECK_EQ_INT(l0->shape[1], 1);
        CHECK_EQ_INT(l1->shape[1], 2);
        CHECK(ed->ndim == 2 && ed->shape[0] == 2 && ed->shape[1] == 8);
        CHECK(ie->ndim == 1 && ie->shape[0] == 8);
        CHECK(!memcmp(l1->data, ins.att[1], 16 * sizeof(float)));
        CHECK(!memcmp(ed->data, g->src, 8 * sizeof(int64_t)) && !memcmp((int64_t *)ed->data + 8, g->dst, 8 * sizeof(int64_t)));
    }
    gat_npz_free(&z);
    snprintf(path, sizeof path, "%s/no/such/dir/att.npy", tmp);
    CHECK(gat_attention_save(&ins, path, NULL, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "no/such/dir") != NULL, "unwritable dump names the path: %s", err.msg);

    /* entropy pictures of both layers, and their argument checks */
    gat_viz_options vo = {0};
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    for (int l = 0; l < 2; l++) {
        snprintf(path, sizeof path, "%s/entropy%d", tmp, l);
        CHECK_EQ_INT(gat_viz_entropy(&ins, "tiny", l, 0, &vo, path, &res, &err), GAT_OK);
    }
    CHECK_EQ_INT(res.n_files, 4);
    for (int k = 0; k < res.n_files; k++) {
        if (strstr(res.files[k], ".png")) CHECK_PNG(res.files[k], 0, 0);
        else CHECK_SVG(res.files[k]);
    }
    CHECK_EQ_INT(gat_viz_entropy(&ins, "tiny", 2, 0, &vo, path, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "--layer") != NULL, "%s", err.msg);
    CHECK_EQ_INT(gat_viz_entropy(&ins, "tiny", 0, -3, &vo, path, &res, &err), GAT_EINVAL);

    /* attention pictures: both layouts, a head and the mean, a node with only its self
     * loop, the all-heads figure; bad arguments */
    const char *names[2] = {"zero", "one"};
    gat_graph_input info = {.name = "tiny", .n_nodes = 4, .labels = labels, .n_classes = 2, .class_names = names};
    struct { int64_t node; int layer, head; gat_star_layout lay; } cases[] = {
        {0, 0, 0, GAT_STAR_RT}, {0, 1, GAT_HEAD_MEAN, GAT_STAR_KK}, {2, 0, 0, GAT_STAR_RT}, {1, 1, 1, GAT_STAR_KK},
    };
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        memset(&res, 0, sizeof res);
        snprintf(path, sizeof path, "%s/att_%zu", tmp, t);
        CHECK_EQ_INT(gat_viz_attention(&ins, &info, cases[t].node, cases[t].layer, cases[t].head, cases[t].lay, &vo, path,
                                       &res, &err), GAT_OK);
        CHECK_EQ_INT(res.n_files, 2);
        if (res.n_files == 2) {
            CHECK_PNG(res.files[0], 0, 0);
            CHECK_SVG(res.files[1]);
        }
    }
    memset(&res, 0, sizeof res);
    snprintf(path, sizeof path, "%s/heads", tmp);
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 0, 1, GAT_STAR_RT, &vo, path, &res, &err), GAT_OK);
    CHECK_EQ_INT(res.n_files, 2);
    if (res.n_files == 2) {
        CHECK_PNG(res.files[0], 0, 0);
        CHECK_SVG(res.files[1]);
    }
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 4, 0, 0, GAT_STAR_RT, &vo, path, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "--nodes") && strstr(err.msg, "out of range"), "%s", err.msg);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, -1, 0, 0, GAT_STAR_RT, &vo, path, &res, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 2, 0, GAT_STAR_RT, &vo, path, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "--layer") && strstr(err.msg, "2"), "%s", err.msg);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 1, 2, GAT_STAR_RT, &vo, path, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "--head") && strstr(err.msg, "layer 1 has 2 heads"), "%s", err.msg);
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 9, 0, GAT_STAR_RT, &vo, path, &res, &err), GAT_EINVAL);
    snprintf(path, sizeof path, "%s/missing/dir/att", tmp);
    CHECK(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &vo, path, &res, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "missing/dir") != NULL, "unwritable picture names its path: %s", err.msg);
    gat_inspection_free(&ins);
    gat_model_free(&m);

    /* a model whose input width or class count does not fit */
    gat_config c = gat_config_default(3, 2);
    CHECK_EQ_INT(gat_model_init(&m, &c, 1, &err), GAT_OK);
    CHECK_EQ_INT(gat_inspect(&ins, &m, &ds, &err), GAT_ESHAPE);
    CHECK_MSG(strstr(err.msg, "input features") != NULL, "%s", err.msg);
    gat_model_free(&m);
    c = gat_config_default(2, 5);
    CHECK_EQ_INT(gat_model_init(&m, &c, 1, &err), GAT_OK);
    CHECK_EQ_INT(gat_inspect(&ins, &m, &ds, &err), GAT_ESHAPE);
    CHECK_MSG(strstr(err.msg, "classes") != NULL, "%s", err.msg);
    gat_model_free(&m);
}

/* A star of 200 neighbours into node 0, to catch layout and legend breakage. */
static void big_star(void) {
    enum { N = 201 };
    static int64_t s[N - 1], d[N - 1], lab[N], split[1] = {0};
    static float x[2 * N];
    for (int i = 1; i < N; i++) { s[i - 1] = i; d[i - 1] = 0; }
    for (int i = 0; i < N; i++) { lab[i] = i % 3 == 0 ? -1 : i % 2; x[2 * i] = (float)(i % 5) * 0.1f; x[2 * i + 1] = 1; }
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "star");
    ds.task = GAT_TASK_SINGLE_LABEL;
    ds.n_nodes = N; ds.n_features = 2; ds.n_classes = 2;
    ds.dense_features = x;
    ds.n_edges = N - 1; ds.edge_src = s; ds.edge_dst = d;
    ds.labels = lab;
    for (int k = 0; k < 3; k++) { ds.split[k] = split; ds.split_size[k] = 1; }
    gat_model m;
    make_model(&m);
    gat_inspection ins;
    gat_error err = {0};
    CHECK_EQ_INT(gat_inspect(&ins, &m, &ds, &err), GAT_OK);
    gat_graph_input info = {.name = "star", .n_nodes = N, .labels = lab, .n_classes = 2};
    gat_viz_options vo = {.scale = 1};
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    char path[4200];
    snprintf(path, sizeof path, "%s/star", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &vo, path, &res, &err), GAT_OK);
    snprintf(path, sizeof path, "%s/star_kk", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 1, GAT_HEAD_MEAN, GAT_STAR_KK, &vo, path, &res, &err), GAT_OK);
    snprintf(path, sizeof path, "%s/star_heads", tmp);
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 0, 1, GAT_STAR_RT, &vo, path, &res, &err), GAT_OK);
    CHECK_EQ_INT(res.n_files, 6);
    for (int k = 0; k < res.n_files; k++) {
        if (strstr(res.files[k], ".png")) CHECK_PNG(res.files[k], 0, 0);
        else CHECK_SVG(res.files[k]);
    }
    gat_inspection_free(&ins);
    gat_model_free(&m);
}

static void default_nodes(void) {
    gat_graph g;
    gat_error err = {0};
    /* a star into node 5 (degree 6), node 2 hears from 3 nodes, node 7 from 2 */
    int64_t s[] = {0, 1, 2, 3, 4, 0, 1, 3, 8};
    int64_t d[] = {5, 5, 5, 5, 5, 2, 2, 2, 7};
    CHECK_EQ_INT(gat_graph_from_edges(&g, 10, s, d, 9, &err), GAT_OK);
    int64_t out[20];
    int64_t n = gat_inspect_default_nodes(&g, 3, 4, 7, out);
    CHECK_EQ_INT(n, 7);
    CHECK_EQ_INT(out[0], 5);
    CHECK_EQ_INT(out[1], 2);
    CHECK_EQ_INT(out[2], 7);
    int distinct = 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) distinct &= out[i] != out[j];
    CHECK_MSG(distinct, "default nodes are distinct");
    int64_t again[20];
    CHECK_EQ_INT(gat_inspect_default_nodes(&g, 3, 4, 7, again), 7);
    CHECK(!memcmp(out, again, 7 * sizeof *out));      /* same seed, same nodes */
    CHECK_EQ_INT(gat_inspect_default_nodes(&g, 8, 8, 1, out), 10);   /* no more than the graph has */
    gat_graph_free(&g);
}

static void embeddings_picture(void) {
    int64_t n = 300, lab[300];
    float y[600];
    for (int i = 0; i < n; i++) {
        lab[i] = i % 3 == 2 && i % 7 == 0 ? -1 : i % 3;
        y[2 * i] = (float)(10 * (i % 3) + sin(i));
        y[2 * i + 1] = (float)(5 * (i % 3) + cos(3 * i));
    }
    const char *names[3] = {"alpha", "beta", "gamma"};
    gat_graph_input info = {.name = "toy", .n_nodes = n, .labels = lab, .n_classes = 3, .class_names = names};
    gat_viz_options vo = {.scale = 1};
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    gat_error err = {0};
    char stem[4200];
    snprintf(stem, sizeof stem, "%s/tsne", tmp);
    CHECK_EQ_INT(gat_viz_embeddings(y, n, &info, "toy: t-SNE", "three clusters", &vo, stem, &res, &err), GAT_OK);
    CHECK_EQ_INT(res.n_files, 2);
    if (res.n_files == 2) {
        CHECK_PNG(res.files[0], 950, 700);   /* 760 + 190 for the legend, x 700 points, scale 1 */
        CHECK_SVG(res.files[1]);
    }
    gat_graph_input nolabels = {.name = "toy", .n_nodes = n};
    vo.no_svg = 1;
    snprintf(stem, sizeof stem, "%s/tsne_plain", tmp);
    CHECK_EQ_INT(gat_viz_embeddings(y, n, &nolabels, NULL, NULL, &vo, stem, &res, &err), GAT_OK);
    vo.no_png = 1;
    CHECK_EQ_INT(gat_viz_embeddings(y, n, &nolabels, NULL, NULL, &vo, stem, &res, &err), GAT_EINVAL);
}

int main(void) {
    tmp = check_tmpdir("inspect");
    attention_and_outputs();
    default_nodes();
    big_star();
    embeddings_picture();
    gat_chart_shutdown();
    return check_summary();
}
