/* test_viz_attention.c - the attention pictures: valid PNG and SVG files for both star
 * layouts, one head and the mean, a node with only its self loop, duplicate edges and a
 * 200-neighbour star; the all-heads figure; clear errors for a bad node, layer, head,
 * layout or format, and no file left behind on an unwritable path.
 *
 * The inspection is built by hand (graph from an edge list, attention weights set per row
 * so that each row sums to 1), without a model. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/graph.h"
#include "gat/inspect.h"
#include "gat/viz_model.h"
#include "picture_check.h"

static const char *tmp;

/* Fill every layer's attention: in row i, entry k of head h gets a weight proportional
 * to 1 + ((src + 3 h + k) mod 5) (a skewed but positive distribution), normalised. */
static int build(gat_inspection *ins, int64_t n, const int64_t *src, const int64_t *dst, int64_t ne, int n_layers,
                 const int64_t *heads) {
    gat_error err = {0};
    memset(ins, 0, sizeof *ins);
    if (gat_graph_from_edges(&ins->graph, n, src, dst, ne, &err)) {
        CHECK_MSG(0, "graph builds: %s", err.msg);
        return 1;
    }
    ins->n_layers = n_layers;
    ins->n_nodes = n;
    ins->n_classes = 3;
    const gat_graph *g = &ins->graph;
    for (int l = 0; l < n_layers; l++) {
        int64_t H = heads[l];
        ins->heads[l] = H;
        ins->width[l] = H;
        ins->att[l] = malloc((size_t)(g->nnz * H) * sizeof(float));
        if (!ins->att[l]) return 1;
        for (int64_t i = 0; i < n; i++)
            for (int64_t h = 0; h < H; h++) {
                double sum = 0;
                for (int64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
                    sum += 1 + (g->src[k] + 3 * h + (k - g->row_ptr[i]) + l) % 5;
                for (int64_t k = g->row_ptr[i]; k < g->row_ptr[i + 1]; k++)
                    ins->att[l][k * H + h] =
                        (float)((1 + (g->src[k] + 3 * h + (k - g->row_ptr[i]) + l) % 5) / sum);
            }
    }
    return 0;
}

static void check_files(const gat_viz_result *res, int expected, uint32_t w, uint32_t h) {
    CHECK_EQ_INT(res->n_files, expected);
    for (int i = 0; i < res->n_files; i++) {
        const char *f = res->files[i];
        size_t n = strlen(f);
        if (n > 4 && !strcmp(f + n - 4, ".png")) CHECK_PNG(f, w, h);
        else CHECK_SVG(f);
    }
}

/* Star 0 - {1, 2, 3, 4}, a triangle 1-2-4 among the neighbours, a duplicate 3 -> 0, and
 * node 5 with no edges (only its self loop). */
enum { TN = 6 };
static const int64_t tsrc[] = {0, 1, 0, 2, 0, 3, 0, 4, 1, 2, 2, 4, 4, 1, 3};
static const int64_t tdst[] = {1, 0, 2, 0, 3, 0, 4, 0, 2, 1, 4, 2, 1, 4, 0};
static const int64_t tlabels[TN] = {0, 1, 1, 2, 0, 2};
static const char *tnames[3] = {"Theory", "Neural_Networks", "Rule_Learning"};

static void small_graph(void) {
    gat_inspection ins;
    int64_t heads[2] = {3, 1};
    if (build(&ins, TN, tsrc, tdst, (int64_t)(sizeof tsrc / sizeof *tsrc), 2, heads)) return;
    gat_graph_input info = {.name = "toy", .n_nodes = TN, .labels = tlabels, .n_classes = 3, .class_names = tnames};
    gat_error err = {0};
    char stem[4096];
    /* Rows sum to 1 (the fixture itself). */
    for (int64_t i = 0; i < TN; i++) {
        double s = 0;
        for (int64_t k = ins.graph.row_ptr[i]; k < ins.graph.row_ptr[i + 1]; k++) s += ins.att[0][k * 3 + 1];
        CHECK_NEAR(s, 1.0, 1e-6);
    }
    CHECK_EQ_INT(ins.graph.row_ptr[1] - ins.graph.row_ptr[0], 6);   /* self + 4 neighbours + duplicate */
    CHECK_EQ_INT(ins.graph.row_ptr[6] - ins.graph.row_ptr[5], 1);   /* only the self loop */

    const struct { int64_t node; int layer, head; gat_star_layout lay; const char *name; } cases[] = {
        {0, 0, 0, GAT_STAR_RT, "n0_l0_h0_rt"},
        {0, 0, 2, GAT_STAR_KK, "n0_l0_h2_kk"},
        {0, 0, GAT_HEAD_MEAN, GAT_STAR_RT, "n0_l0_mean_rt"},
        {0, 1, GAT_HEAD_MEAN, GAT_STAR_KK, "n0_l1_mean_kk"},
        {1, 1, 0, GAT_STAR_KK, "n1_l1_h0_kk"},
        {5, 0, 1, GAT_STAR_RT, "n5_self_only_rt"},
        {5, 0, GAT_HEAD_MEAN, GAT_STAR_KK, "n5_self_only_kk"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        gat_viz_options opt = {.seed = 3};
        gat_viz_result res = {0};
        snprintf(stem, sizeof stem, "%s/%s", tmp, cases[c].name);
        int rc = gat_viz_attention(&ins, &info, cases[c].node, cases[c].layer, cases[c].head, cases[c].lay, &opt,
                                   stem, &res, &err);
        CHECK_MSG(rc == GAT_OK, "%s: %d %s", cases[c].name, rc, err.msg);
        check_files(&res, 2, 1648, 1312);   /* 824 x 656 points at scale 2 */
        snprintf(stem, sizeof stem, "%s/%s_heads", tmp, cases[c].name);
        res.n_files = 0;
        rc = gat_viz_attention_heads(&ins, &info, cases[c].node, cases[c].layer, cases[c].lay, &opt, stem, &res,
                                     &err);
        CHECK_MSG(rc == GAT_OK, "%s heads: %d %s", cases[c].name, rc, err.msg);
        check_files(&res, 2, 0, 0);
    }

    /* No labels and no name: one colour, still a picture. PNG only at scale 1. */
    gat_graph_input bare = {0};
    gat_viz_options png_only = {.no_svg = 1, .scale = 1};
    gat_viz_result res = {0};
    snprintf(stem, sizeof stem, "%s/bare", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &bare, 2, 0, 1, GAT_STAR_RT, &png_only, stem, &res, &err), GAT_OK);
    check_files(&res, 1, 824, 656);
    CHECK(!gat_path_exists("bare.svg"));
    snprintf(stem, sizeof stem, "%s/bare.svg", tmp);
    CHECK(!gat_path_exists(stem));
    snprintf(stem, sizeof stem, "%s/bare_heads", tmp);
    res.n_files = 0;
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, NULL, 2, 0, GAT_STAR_KK, &png_only, stem, &res, &err), GAT_OK);
    check_files(&res, 1, 0, 0);
    snprintf(stem, sizeof stem, "%s/bare_heads.svg", tmp);
    CHECK(!gat_path_exists(stem));
    gat_viz_options svg_only = {.no_png = 1};
    res.n_files = 0;
    snprintf(stem, sizeof stem, "%s/svg_only", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &svg_only, stem, &res, &err), GAT_OK);
    check_files(&res, 1, 0, 0);
    snprintf(stem, sizeof stem, "%s/svg_only.png", tmp);
    CHECK(!gat_path_exists(stem));

    /* The same seed gives the same bytes. */
    gat_viz_options o1 = {.seed = 5, .no_svg = 1};
    gat_viz_result r1 = {0}, r2 = {0};
    snprintf(stem, sizeof stem, "%s/same_a", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 1, GAT_STAR_KK, &o1, stem, &r1, &err), GAT_OK);
    snprintf(stem, sizeof stem, "%s/same_b", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 1, GAT_STAR_KK, &o1, stem, &r2, &err), GAT_OK);
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    if (!gat_read_file(r1.files[0], &a, &la, &err) && !gat_read_file(r2.files[0], &b, &lb, &err))
        CHECK(la == lb && !memcmp(a, b, la));
    free(a);
    free(b);

    /* Errors before any work, each naming its option. */
    gat_viz_options opt = {0};
    snprintf(stem, sizeof stem, "%s/never", tmp);
    const struct { int64_t node; int layer, head; gat_star_layout lay; const char *word; } bad[] = {
        {6, 0, 0, GAT_STAR_RT, "--node"},
        {-1, 0, 0, GAT_STAR_RT, "--node"},
        {0, 2, 0, GAT_STAR_RT, "--layer"},
        {0, -1, 0, GAT_STAR_RT, "--layer"},
        {0, 0, 3, GAT_STAR_RT, "--head"},
        {0, 1, 1, GAT_STAR_RT, "--head"},
        {0, 0, -2, GAT_STAR_RT, "--head"},
        {0, 0, 0, (gat_star_layout)7, "--layout"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof *bad; c++) {
        memset(&err, 0, sizeof err);
        res.n_files = 0;
        CHECK_EQ_INT(gat_viz_attention(&ins, &info, bad[c].node, bad[c].layer, bad[c].head, bad[c].lay, &opt, stem,
                                       &res, &err), GAT_EINVAL);
        CHECK_MSG(strstr(err.msg, bad[c].word) != NULL, "case %zu: '%s' names %s", c, err.msg, bad[c].word);
        CHECK_EQ_INT(res.n_files, 0);
        if (bad[c].word[2] == 'h') continue;   /* the heads figure takes no head */
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, bad[c].node, bad[c].layer, bad[c].lay, &opt, stem, &res,
                                             &err), GAT_EINVAL);
        CHECK_MSG(strstr(err.msg, bad[c].word) != NULL, "heads case %zu: '%s' names %s", c, err.msg, bad[c].word);
    }
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 6, 0, 0, GAT_STAR_RT, &opt, stem, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "toy has 6 nodes (0..5)") != NULL, "message: %s", err.msg);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 3, GAT_STAR_RT, &opt, stem, &res, &err), GAT_EINVAL);
    CHECK_MSG(strstr(err.msg, "3 heads (0..2") != NULL, "message: %s", err.msg);
    gat_viz_options none = {.no_png = 1, .no_svg = 1};
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &none, stem, &res, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 0, 0, GAT_STAR_RT, &none, stem, &res, &err), GAT_EINVAL);
    gat_viz_options badscale = {.scale = 100};
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &badscale, stem, &res, &err), GAT_EINVAL);
    int64_t badlab[TN];
    memcpy(badlab, tlabels, sizeof badlab);
    badlab[3] = 9;
    gat_graph_input info_bad = info;
    info_bad.labels = badlab;
    CHECK_EQ_INT(gat_viz_attention(&ins, &info_bad, 0, 0, 0, GAT_STAR_RT, &opt, stem, &res, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "node 3") != NULL);
    snprintf(stem, sizeof stem, "%s/never.png", tmp);
    CHECK(!gat_path_exists(stem));

    /* Unwritable output: an error, and no file. */
    snprintf(stem, sizeof stem, "%s/no/such/dir/x", tmp);
    memset(&err, 0, sizeof err);
    res.n_files = 0;
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 0, GAT_STAR_RT, &opt, stem, &res, &err), GAT_EIO);
    CHECK(err.msg[0] != 0);
    CHECK_EQ_INT(res.n_files, 0);
    CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 0, 0, GAT_STAR_KK, &opt, stem, &res, &err), GAT_EIO);
    CHECK_EQ_INT(res.n_files, 0);
    snprintf(stem, sizeof stem, "%s/no", tmp);
    CHECK(!gat_path_exists(stem));
    gat_inspection_free(&ins);
}

/* A star of 200 neighbours over 5 classes (neighbour pairs 2j-1 - 2j linked, a few
 * duplicate edges), 8 heads: layout, legend and heatmap at size. */
static void big_star(void) {
    enum { BN = 201 };
    static int64_t src[2 * 200 + 2 * 100 + 3], dst[2 * 200 + 2 * 100 + 3];
    static int64_t labels[BN];
    int64_t ne = 0;
    for (int64_t j = 1; j < BN; j++) {
        src[ne] = 0; dst[ne++] = j;
        src[ne] = j; dst[ne++] = 0;
    }
    for (int64_t j = 1; j + 1 < BN; j += 2) {
        src[ne] = j; dst[ne++] = j + 1;
        src[ne] = j + 1; dst[ne++] = j;
    }
    for (int64_t j = 10; j <= 30; j += 10) { src[ne] = j; dst[ne++] = 0; }
    for (int64_t i = 0; i < BN; i++) labels[i] = i % 7 == 6 ? -1 : i % 5;
    const char *names[5] = {"Case_Based", "Genetic_Algorithms", "Neural_Networks", "Probabilistic_Methods",
                            "Reinforcement_Learning"};
    gat_graph_input info = {.name = "big", .n_nodes = BN, .labels = labels, .n_classes = 5, .class_names = names};
    gat_inspection ins;
    int64_t heads[2] = {8, 1};
    if (build(&ins, BN, src, dst, ne, 2, heads)) return;
    CHECK_EQ_INT(ins.graph.row_ptr[1] - ins.graph.row_ptr[0], 204);
    gat_error err = {0};
    char stem[4096];
    for (int lay = GAT_STAR_RT; lay <= GAT_STAR_KK; lay++) {
        gat_viz_options opt = {.seed = 1};
        gat_viz_result res = {0};
        snprintf(stem, sizeof stem, "%s/big_%s", tmp, lay == GAT_STAR_RT ? "rt" : "kk");
        CHECK_EQ_INT(gat_viz_attention(&ins, &info, 0, 0, 3, (gat_star_layout)lay, &opt, stem, &res, &err), GAT_OK);
        check_files(&res, 2, 1648, 1312);
        res.n_files = 0;
        snprintf(stem, sizeof stem, "%s/big_%s_heads", tmp, lay == GAT_STAR_RT ? "rt" : "kk");
        CHECK_EQ_INT(gat_viz_attention_heads(&ins, &info, 0, 0, (gat_star_layout)lay, &opt, stem, &res, &err), GAT_OK);
        check_files(&res, 2, 0, 0);
    }
    /* A leaf of the big star: two neighbours. */
    gat_viz_options opt = {0};
    gat_viz_result res = {0};
    snprintf(stem, sizeof stem, "%s/big_leaf", tmp);
    CHECK_EQ_INT(gat_viz_attention(&ins, &info, 7, 1, GAT_HEAD_MEAN, GAT_STAR_KK, &opt, stem, &res, &err), GAT_OK);
    check_files(&res, 2, 1648, 1312);
    gat_inspection_free(&ins);
}

int main(void) {
    tmp = check_tmpdir("viz_attention");
    small_graph();
    big_star();
    gat_chart_shutdown();
    return check_summary();
}
