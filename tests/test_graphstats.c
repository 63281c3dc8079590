/* test_graphstats.c - graph and label statistics against hand-computed values. */
#include <string.h>

#include "check.h"
#include "gat/graphstats.h"

int main(void) {
    gat_error err = {0};
    gat_graph_stats st;

    /* 7 nodes. Edges (k: src -> dst):
     *   0: 0->1  1: 1->0  2: 0->1 (duplicate)  3: 1->2 (no 2->1)  4: 2->2 (self loop)
     *   5: 3->4  6: 4->3  7: 4->3 (duplicate)  8: 5->5 (self loop only)
     * node 6 has no edge at all, node 5 only a self loop: both isolated.
     * Undirected simple graph: {0,1} {1,2} {3,4}; degrees 1 2 1 1 1 0 0.
     * Components: {0,1,2} {3,4} {5} {6}. */
    int64_t src[] = {0, 1, 0, 1, 2, 3, 4, 4, 5};
    int64_t dst[] = {1, 0, 1, 2, 2, 4, 3, 3, 5};
    CHECK_EQ_INT(gat_graph_stats_compute(&st, 7, src, dst, 9, &err), GAT_OK);
    CHECK_EQ_INT(st.n_nodes, 7);
    CHECK_EQ_INT(st.n_edges, 9);
    CHECK_EQ_INT(st.n_self_loops, 2);
    CHECK_EQ_INT(st.n_duplicate_edges, 2);
    CHECK_EQ_INT(st.n_unreciprocated, 1);
    CHECK_EQ_INT(st.n_undirected_edges, 3);
    CHECK_EQ_INT(st.n_isolated, 2);
    CHECK_EQ_INT(st.n_components, 4);
    CHECK_EQ_INT(st.largest_component, 3);
    CHECK_EQ_INT(st.min_degree, 0);
    CHECK_EQ_INT(st.max_degree, 2);
    CHECK_EQ_INT(st.max_degree_node, 1);
    CHECK_NEAR(st.mean_degree, 6.0 / 7.0, 1e-12);
    int64_t outd[] = {2, 2, 1, 1, 2, 1, 0}, ind[] = {1, 2, 2, 2, 1, 1, 0}, deg[] = {1, 2, 1, 1, 1, 0, 0};
    for (int i = 0; i < 7; i++) {
        CHECK_EQ_INT(st.out_degree[i], outd[i]);
        CHECK_EQ_INT(st.in_degree[i], ind[i]);
        CHECK_EQ_INT(st.degree[i], deg[i]);
    }
    /* Component 0 is the largest, 1 the next; singletons after. */
    CHECK_EQ_INT(st.component[0], 0);
    CHECK_EQ_INT(st.component[2], 0);
    CHECK_EQ_INT(st.component[3], 1);
    CHECK_EQ_INT(st.component[4], 1);
    CHECK(st.component[5] >= 2 && st.component[6] >= 2 && st.component[5] != st.component[6]);
    gat_graph_stats_free(&st);
    gat_graph_stats_free(&st);     /* freeing twice is allowed */

    /* A star with 5 leaves given in both directions, plus a ring 6-7-8: max degree node 0. */
    int64_t s2[] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 6, 7, 8};
    int64_t d2[] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 7, 8, 6};
    CHECK_EQ_INT(gat_graph_stats_compute(&st, 9, s2, d2, 13, &err), GAT_OK);
    CHECK_EQ_INT(st.max_degree, 5);
    CHECK_EQ_INT(st.max_degree_node, 0);
    CHECK_EQ_INT(st.n_unreciprocated, 3);      /* the 3 ring edges (the star is listed both ways) */
    CHECK_EQ_INT(st.n_components, 2);
    CHECK_EQ_INT(st.largest_component, 6);
    CHECK_EQ_INT(st.n_isolated, 0);
    CHECK_EQ_INT(st.min_degree, 1);
    gat_graph_stats_free(&st);

    /* Empty graph, and a bad id. */
    CHECK_EQ_INT(gat_graph_stats_compute(&st, 0, NULL, NULL, 0, &err), GAT_OK);
    CHECK_EQ_INT(st.n_components, 0);
    CHECK_EQ_INT(st.max_degree_node, -1);
    gat_graph_stats_free(&st);
    int64_t bs[] = {0, 3}, bd[] = {1, 7};
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_graph_stats_compute(&st, 5, bs, bd, 2, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "edge 1") != NULL);
    CHECK(st.degree == NULL);

    /* Labels: 3 classes, node 4 unlabelled; train {0,1}, val {2,4}, test {3}. */
    gat_label_stats ls;
    int64_t labels[] = {0, 2, 2, 1, -1, 2};
    int64_t tr[] = {0, 1}, va[] = {2, 4}, te[] = {3};
    const int64_t *split[3] = {tr, va, te};
    int64_t sizes[3] = {2, 2, 1};
    CHECK_EQ_INT(gat_label_stats_compute(&ls, 6, labels, 3, split, sizes, &err), GAT_OK);
    CHECK_EQ_INT(ls.class_count[0], 1);
    CHECK_EQ_INT(ls.class_count[1], 1);
    CHECK_EQ_INT(ls.class_count[2], 3);
    CHECK_EQ_INT(ls.n_unlabelled, 1);
    CHECK_EQ_INT(ls.split_class_count[0][0], 1);
    CHECK_EQ_INT(ls.split_class_count[0][2], 1);
    CHECK_EQ_INT(ls.split_class_count[1][2], 1);
    CHECK_EQ_INT(ls.split_unlabelled[1], 1);
    CHECK_EQ_INT(ls.split_class_count[2][1], 1);
    CHECK_EQ_INT(ls.split_size[2], 1);
    gat_label_stats_free(&ls);
    CHECK_EQ_INT(gat_label_stats_compute(&ls, 6, labels, 3, NULL, NULL, &err), GAT_OK);
    CHECK(ls.split_class_count[0] == NULL);
    gat_label_stats_free(&ls);
    labels[5] = 3;
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_label_stats_compute(&ls, 6, labels, 3, NULL, NULL, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "node 5") != NULL);
    labels[5] = 2;
    te[0] = 9;
    CHECK_EQ_INT(gat_label_stats_compute(&ls, 6, labels, 3, split, sizes, &err), GAT_ERANGE);
    CHECK(strstr(err.msg, "test split") != NULL);
    return check_summary();
}
