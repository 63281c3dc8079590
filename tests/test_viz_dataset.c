/* test_viz_dataset.c - the graph and degree pictures: valid PNG and SVG files for every
 * layout, on synthetic graphs and (with GAT_DATA_DIR) on Cora; clear errors for graphs
 * too large, bad labels and bad options. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/chart.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/viz_dataset.h"
#include "picture_check.h"

static const char *tmp;

/* Two 5-cliques joined by a path, a triangle, a pair and two isolated nodes (18 nodes). */
enum { SN = 18 };
static int64_t ssrc[200], sdst[200], sn_edges;
static int64_t slabels[SN];

static void edge(int64_t a, int64_t b) {
    ssrc[sn_edges] = a; sdst[sn_edges++] = b;
    ssrc[sn_edges] = b; sdst[sn_edges++] = a;
}

static void make_synthetic(void) {
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 5; i++)
            for (int j = i + 1; j < 5; j++) edge(5 * c + i, 5 * c + j);
    edge(4, 10); edge(10, 5);                 /* path between the cliques */
    edge(11, 12); edge(12, 13); edge(13, 11); /* triangle */
    edge(14, 15);                             /* pair; 16, 17 isolated */
    for (int i = 0; i < SN; i++) slabels[i] = i < 5 ? 0 : i < 10 ? 1 : i < 14 ? 2 : -1;
}

static void check_files(const gat_viz_result *res, int expected) {
    CHECK_EQ_INT(res->n_files, expected);
    for (int i = 0; i < res->n_files; i++) {
        const char *f = res->files[i];
        size_t n = strlen(f);
        if (n > 4 && !strcmp(f + n - 4, ".png")) CHECK_PNG(f, 0, 0);
        else CHECK_SVG(f);
    }
}

static void cora(const char *data_dir) {
    gat_dataset ds;
    gat_error err = {0};
    if (gat_dataset_open(&ds, "cora", data_dir, &err)) {
        CHECK_MSG(0, "cora loads: %s", err.msg);
        return;
    }
    gat_viz_options opt = {0};
    gat_viz_result res;
    char path[4096];
    snprintf(path, sizeof path, "%s/cora", tmp);
    CHECK_EQ_INT(gat_viz_dataset(&ds, &opt, path, &res, &err), GAT_OK);
    if (err.msg[0]) fprintf(stderr, "%s\n", err.msg);
    check_files(&res, 4);
    CHECK_EQ_INT(res.layout_used, GAT_LAYOUT_KK);
    printf("cora: layout %.2f s, betweenness %.2f s, graph render %.2f s, total %.2f s\n", res.seconds_layout,
           res.seconds_betweenness, res.seconds_render, res.seconds_total);
    gat_dataset_free(&ds);
}

int main(void) {
    tmp = check_tmpdir("viz_dataset");
    make_synthetic();
    gat_error err = {0};
    char stem[4096];
    const char *names[3] = {"Alpha", "Beta_Gamma", "Delta"};
    gat_graph_input g = {.name = "toy", .n_nodes = SN, .n_edges = sn_edges, .edge_src = ssrc, .edge_dst = sdst,
                         .labels = slabels, .n_classes = 3, .class_names = names};

    for (int lay = GAT_LAYOUT_AUTO; lay <= GAT_LAYOUT_FR; lay++) {
        gat_viz_options opt = {.layout = (gat_layout)lay, .seed = 7};
        gat_viz_result res = {0};
        snprintf(stem, sizeof stem, "%s/toy_%s", tmp, gat_layout_name((gat_layout)lay));
        CHECK_EQ_INT(gat_viz_graph(&g, &opt, stem, &res, &err), GAT_OK);
        check_files(&res, 2);
    }
    CHECK_EQ_INT(gat_layout_parse("KK"), GAT_LAYOUT_KK);
    CHECK_EQ_INT(gat_layout_parse("drl"), GAT_LAYOUT_DRL);
    CHECK_EQ_INT(gat_layout_parse("spring"), -1);

    /* Without labels (multi-label datasets), PNG only at scale 1: exact size is the page's. */
    gat_graph_input g2 = g;
    g2.labels = NULL;
    gat_viz_options png_only = {.no_svg = 1, .scale = 1};
    gat_viz_result res = {0};
    snprintf(stem, sizeof stem, "%s/toy_nolabels", tmp);
    CHECK_EQ_INT(gat_viz_graph(&g2, &png_only, stem, &res, &err), GAT_OK);
    check_files(&res, 1);

    /* The same seed gives the same picture. */
    gat_viz_options o1 = {.seed = 3, .no_svg = 1};
    gat_viz_result r1 = {0}, r2 = {0};
    char *a, *b;
    size_t la, lb;
    snprintf(stem, sizeof stem, "%s/seed_a", tmp);
    CHECK_EQ_INT(gat_viz_graph(&g, &o1, stem, &r1, &err), GAT_OK);
    snprintf(stem, sizeof stem, "%s/seed_b", tmp);
    CHECK_EQ_INT(gat_viz_graph(&g, &o1, stem, &r2, &err), GAT_OK);
    if (!gat_read_file(r1.files[0], &a, &la, &err) && !gat_read_file(r2.files[0], &b, &lb, &err)) {
        CHECK(la == lb && !memcmp(a, b, la));
        free(a);
        free(b);
    }

    /* Degree figure. */
    gat_graph_stats st;
    CHECK_EQ_INT(gat_graph_stats_compute(&st, SN, ssrc, sdst, sn_edges, &err), GAT_OK);
    gat_viz_options opt = {0};
    res.n_files = 0;
    snprintf(stem, sizeof stem, "%s/toy_degrees", tmp);
    CHECK_EQ_INT(gat_viz_degrees(&g, &st, &opt, stem, &res, &err), GAT_OK);
    check_files(&res, 2);
    gat_graph_stats_free(&st);

    /* Errors before any work. */
    gat_viz_options small = {.max_nodes = 10};
    memset(&err, 0, sizeof err);
    snprintf(stem, sizeof stem, "%s/never", tmp);
    CHECK_EQ_INT(gat_viz_graph(&g, &small, stem, &res, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "too many") && strstr(err.msg, "--max-nodes"));
    gat_viz_options none = {.no_png = 1, .no_svg = 1};
    CHECK_EQ_INT(gat_viz_graph(&g, &none, stem, &res, &err), GAT_EINVAL);
    gat_viz_options badscale = {.scale = 100};
    CHECK_EQ_INT(gat_viz_graph(&g, &badscale, stem, &res, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "scale") != NULL);
    int64_t badlab[SN];
    memcpy(badlab, slabels, sizeof badlab);
    badlab[3] = 5;
    gat_graph_input g3 = g;
    g3.labels = badlab;
    CHECK_EQ_INT(gat_viz_graph(&g3, &opt, stem, &res, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "node 3") != NULL);
    int64_t bsrc[] = {0}, bdst[] = {99};
    gat_graph_input g4 = {.name = "bad", .n_nodes = 3, .n_edges = 1, .edge_src = bsrc, .edge_dst = bdst};
    CHECK_EQ_INT(gat_viz_graph(&g4, &opt, stem, &res, &err), GAT_ERANGE);
    snprintf(stem, sizeof stem, "%s/no/such/dir/x", tmp);
    CHECK_EQ_INT(gat_viz_graph(&g, &opt, stem, &res, &err), GAT_EIO);
    CHECK(!gat_path_exists(stem));

    /* The dataset wrapper on a hand-made dataset struct. */
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "toyset");
    ds.n_nodes = SN;
    ds.n_edges = sn_edges;
    ds.edge_src = ssrc;
    ds.edge_dst = sdst;
    ds.labels = slabels;
    ds.n_classes = 3;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/set/nested", tmp);
    CHECK_EQ_INT(gat_viz_dataset(&ds, &opt, dir, &res, &err), GAT_OK);
    check_files(&res, 4);
    CHECK(strstr(res.files[0], "set/nested/toyset_graph.png") != NULL);

    cora(check_data_dir());
    gat_chart_shutdown();
    return check_summary();
}
