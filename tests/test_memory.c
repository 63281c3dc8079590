/* test_memory.c - the memory estimate: its parts from the sizes, how it scales with the graph
 * in full-batch and sampled mode, batch-size suggestions, size parsing, available memory. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gat/graphgen.h"
#include "gat/memory.h"
#include "gat/sample.h"

static gat_problem_size sizes(int64_t n, double avg_degree) {
    gat_problem_size ps;
    memset(&ps, 0, sizeof ps);
    ps.n_nodes = n;
    ps.n_edges = (int64_t)(avg_degree * (double)n);
    ps.n_features = 300;
    ps.feature_nnz = 15 * n;
    ps.n_classes = 16;
    ps.split_size[0] = n / 10;
    ps.split_size[1] = 500;
    ps.split_size[2] = 1000;
    return ps;
}

int main(void) {
    double v;
    CHECK(gat_memory_parse("8G", &v) == 0 && v == 8.0 * 1024 * 1024 * 1024);
    CHECK(gat_memory_parse("512M", &v) == 0 && v == 512.0 * 1024 * 1024);
    CHECK(gat_memory_parse("1.5g", &v) == 0 && v == 1.5 * 1024 * 1024 * 1024);
    CHECK(gat_memory_parse("1000", &v) == 0 && v == 1000.0);
    CHECK(gat_memory_parse("12GB", &v) == 0);
    CHECK(gat_memory_parse("", &v) == -1);
    CHECK(gat_memory_parse("8X", &v) == -1);
    CHECK(gat_memory_parse("-1G", &v) == -1);
    CHECK(gat_memory_parse("nan", &v) == -1);
    char buf[32];
    gat_memory_format(3.4e9, buf, sizeof buf);
    CHECK(!strcmp(buf, "3.40 GB"));
    gat_memory_format(25.5e6, buf, sizeof buf);
    CHECK(!strcmp(buf, "25.5 MB"));

    /* parameters, gradients and the best copy: 12 bytes per float; Adam: 8 per trainable float */
    gat_config c = gat_config_default(300, 16);
    gat_model m;
    gat_error err = {0};
    CHECK_EQ_INT(gat_model_init(&m, &c, 1, &err), GAT_OK);
    gat_problem_size ps = sizes(100000, 15);
    gat_run_shape run;
    memset(&run, 0, sizeof run);
    run.keep_best = 1;
    gat_memory_estimate e;
    gat_memory_estimate_sizes(&c, &ps, &run, &e);
    CHECK_NEAR(e.parameters, 12.0 * (double)m.n_params, 0.5);
    CHECK_NEAR(e.optimizer, 8.0 * (double)m.n_trainable, 0.5);
    run.keep_best = 0;
    gat_memory_estimate_sizes(&c, &ps, &run, &e);
    CHECK_NEAR(e.parameters, 8.0 * (double)m.n_params, 0.5);
    gat_model_free(&m);
    /* the dataset as loaded: CSR features (8 bytes per nonzero + row pointers), int64 edges, labels, splits */
    CHECK_NEAR(e.dataset, 8.0 * 100001 + 8.0 * 1500000 + 16.0 * 1500000 + 8.0 * 100000 + 8.0 * (10000 + 1500), 0.5);
    CHECK(e.total >= e.dataset + e.parameters + e.optimizer + e.activations + e.graph);

    /* full batch grows with the graph, about linearly */
    gat_problem_size p6 = sizes(1000000, 15), p7 = sizes(10000000, 15);
    gat_memory_estimate e6, e7;
    gat_memory_estimate_sizes(&c, &p6, &run, &e6);
    gat_memory_estimate_sizes(&c, &p7, &run, &e7);
    CHECK_MSG(e7.activations / e6.activations > 9.5 && e7.activations / e6.activations < 10.5, "full batch x%.2f",
              e7.activations / e6.activations);
    /* an attention-heavy graph: activations grow with the edges */
    gat_problem_size dense_graph = sizes(1000000, 60);
    gat_memory_estimate ed;
    gat_memory_estimate_sizes(&c, &dense_graph, &run, &ed);
    CHECK(ed.activations > 2.0 * e6.activations);

    /* sampled: the batch's buffers hardly depend on N; the graph and dataset do */
    run.batch_size = 1024;
    run.fanouts[0] = 15;
    run.fanouts[1] = 10;
    gat_memory_estimate_sizes(&c, &p6, &run, &e6);
    gat_memory_estimate_sizes(&c, &p7, &run, &e7);
    CHECK_NEAR(e6.activations, e7.activations, 0.1 * e6.activations); /* a little more overlap in the smaller graph */
    CHECK(e6.batch_nodes > 1024 && e6.batch_nodes <= 1024 * (1 + 15 + 150));
    CHECK(e6.batch_edges <= 1024 * (15 + 150));
    CHECK(e7.graph > 9.0 * e6.graph);
    /* and less than full batch */
    gat_run_shape full = run;
    full.batch_size = 0;
    gat_memory_estimate ef;
    gat_memory_estimate_sizes(&c, &p7, &full, &ef);
    CHECK(e7.total < ef.total);
    /* a batch bigger than the graph is bounded by the graph */
    gat_problem_size tiny = sizes(2000, 15);
    gat_memory_estimate et;
    run.batch_size = 65536;
    gat_memory_estimate_sizes(&c, &tiny, &run, &et);
    CHECK(et.batch_nodes <= 2000);

    /* suggestions: the largest power of two that fits */
    run.batch_size = 1024;
    double budget = e7.total;
    int64_t b = gat_memory_suggest_batch(&c, &p7, &run, budget);
    CHECK(b >= 1024);
    run.batch_size = b;
    gat_memory_estimate_sizes(&c, &p7, &run, &e);
    CHECK(e.total <= budget);
    if (b < 65536) {
        run.batch_size = 2 * b;
        gat_memory_estimate_sizes(&c, &p7, &run, &e);
        CHECK(e.total > budget);
    }
    CHECK_EQ_INT(gat_memory_suggest_batch(&c, &p7, &run, 1e6), 0);

    /* an architecture far too large for any machine here (64 heads x 1024 features) */
    gat_config big = gat_config_default(1433, 7);
    big.n_layers = 3;
    big.heads[0] = 64; big.features[0] = 1024;
    big.heads[1] = 64; big.features[1] = 1024;
    big.heads[2] = 1; big.features[2] = 7;
    CHECK_EQ_INT(gat_config_check(&big, &err), GAT_OK);
    gat_problem_size cora = sizes(2708, 3.9);
    memset(&run, 0, sizeof run);
    gat_memory_estimate_sizes(&big, &cora, &run, &e);
    CHECK_MSG(e.parameters > 30e9, "parameters %.3g bytes", e.parameters);

    /* the activations estimate follows the layers' widths (--concat_heads): averaging a hidden
     * layer's heads narrows its output and the next layer's input; the estimate shrinks as the
     * buffers gat_acts_init allocates do */
    {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/widths", check_tmpdir("memory"));
        gat_graphgen_options go = gat_graphgen_options_default();
        go.n_nodes = 3000;
        gat_graphgen_stats gs;
        CHECK_EQ_INT(gat_graphgen_write(dir, &go, &gs, &err), GAT_OK);
        gat_dataset ds;
        CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
        gat_graph g;
        CHECK_EQ_INT(gat_graph_from_edges(&g, ds.n_nodes, ds.edge_src, ds.edge_dst, ds.n_edges, &err), GAT_OK);
        gat_input in;
        CHECK_EQ_INT(gat_input_init(&in, &ds, &err), GAT_OK);
        static const int layouts[3][3] = {{0, 0, 0}, {GAT_HEADS_MEAN, GAT_HEADS_MEAN, GAT_HEADS_CONCAT},
                                          {GAT_HEADS_CONCAT, GAT_HEADS_MEAN, GAT_HEADS_MEAN}};
        double est[3] = {0, 0, 0}, got[3] = {0, 0, 0};
        for (int v = 0; v < 3; v++) {
            gat_config cw = gat_config_default(ds.n_features, ds.n_classes);
            cw.n_layers = 3;
            cw.heads[0] = 4, cw.heads[1] = 4, cw.heads[2] = 1;
            cw.features[0] = 64, cw.features[1] = 32, cw.features[2] = ds.n_classes;
            for (int l = 0; l < 3; l++) cw.concat_heads[l] = layouts[v][l];
            gat_model mw;
            CHECK_EQ_INT(gat_model_init(&mw, &cw, 1, &err), GAT_OK);
            gat_run_shape rw;
            memset(&rw, 0, sizeof rw);
            gat_memory_estimate ew;
            CHECK_EQ_INT(gat_memory_estimate_dataset(&cw, &ds, &rw, &ew, &err), GAT_OK);
            est[v] = ew.activations;
            const double h0 = check_heap_bytes();
            gat_acts a;
            CHECK_EQ_INT(gat_acts_init(&a, &mw, &in, &g, &err), GAT_OK);
            got[v] = check_heap_bytes() - h0;
            gat_acts_free(&a);
            gat_model_free(&mw);
        }
        /* layout 1 averages every hidden layer (64 and 32 wide instead of 256 and 128); layout 2
         * only the second, whose head-mean gradient (4 x 32 per row, dout) then outweighs the
         * narrower input of the last layer: the estimate counts the rows the passes write */
        CHECK_MSG(est[1] < 0.9 * est[0], "averaged hidden heads shrink the estimate (%.0f vs %.0f)", est[1], est[0]);
        CHECK_MSG(est[2] != est[0], "the estimate follows the second layer's width (%.0f vs %.0f)", est[2], est[0]);
        for (int v = 1; v < 3; v++)
            CHECK_MSG(got[0] <= 0 || got[v] < got[0], "layout %d: the buffers shrink (%.0f vs %.0f)", v, got[v], got[0]);
        gat_input_free(&in);
        gat_graph_free(&g);
        gat_dataset_free(&ds);
    }

    /* sampled batches of a power-law graph: the profiled model predicts the nodes and edges
     * the sampler really draws (mean of 8 batches) within 8 %; the uniform model, which
     * ignores that draws gather on the hubs, overestimates the nodes */
    {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/g", check_tmpdir("memory"));
        gat_graphgen_options go = gat_graphgen_options_default();
        go.n_nodes = 30000;
        go.train_size = 0.2;
        gat_graphgen_stats gs;
        CHECK_EQ_INT(gat_graphgen_write(dir, &go, &gs, &err), GAT_OK);
        gat_dataset ds;
        CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
        gat_config cs = gat_config_default(ds.n_features, ds.n_classes);
        gat_run_shape rs;
        memset(&rs, 0, sizeof rs);
        rs.batch_size = 512;
        rs.fanouts[0] = 15;
        rs.fanouts[1] = 10;
        static gat_problem_size pm;
        CHECK_EQ_INT(gat_problem_size_measure(&cs, &ds, &rs, &pm, &err), GAT_OK);
        CHECK(pm.n_bins > 0 && pm.eval_plan[0] >= 500 && pm.eval_plan[2] > pm.eval_plan[0]);
        gat_memory_estimate ep, eu;
        gat_memory_estimate_sizes(&cs, &pm, &rs, &ep);
        pm.n_bins = 0; /* the same sizes without the profile */
        gat_memory_estimate_sizes(&cs, &pm, &rs, &eu);
        gat_graph g;
        CHECK_EQ_INT(gat_graph_forward_from_edges(&g, ds.n_nodes, ds.edge_src, ds.edge_dst, ds.n_edges, &err), GAT_OK);
        gat_sampler smp;
        CHECK_EQ_INT(gat_sampler_init(&smp, &g, 2, rs.fanouts, 7, &err), GAT_OK);
        double nodes = 0, edges = 0;
        for (int bi = 0; bi < 8; bi++) {
            gat_batch bt;
            CHECK_EQ_INT(gat_sample(&smp, ds.split[GAT_SPLIT_TRAIN] + bi * 512, 512, 1, (uint64_t)bi, &bt, &err), GAT_OK);
            nodes += (double)bt.n_nodes / 8;
            edges += (double)bt.n_edges / 8;
            gat_batch_free(&bt);
        }
        CHECK_MSG(fabs((double)ep.batch_nodes / nodes - 1) < 0.08, "batch nodes: estimated %lld, sampled %.0f",
                  (long long)ep.batch_nodes, nodes);
        CHECK_MSG(fabs((double)ep.batch_edges / edges - 1) < 0.08, "batch edges: estimated %lld, sampled %.0f",
                  (long long)ep.batch_edges, edges);
        CHECK_MSG((double)eu.batch_nodes > 1.2 * nodes, "uniform model: %lld nodes, sampled %.0f", (long long)eu.batch_nodes,
                  nodes);
        /* a training step's buffers and inference's are not held at once */
        CHECK_NEAR(ep.total, ep.overhead + ep.dataset + ep.parameters + ep.optimizer + ep.graph +
                                 fmax(ep.activations, ep.inference), 1.0);
        gat_sampler_free(&smp);
        gat_graph_free(&g);
        gat_dataset_free(&ds);
    }

    int64_t avail = gat_memory_available();
    CHECK_MSG(avail > 0, "available memory %lld", (long long)avail);
    return check_summary();
}
