/* test_memory.c - the memory estimate: its parts from the sizes, how it scales with the graph
 * in full-batch and sampled mode, batch-size suggestions, size parsing, available memory. */
#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/graphgen.h"
#include "gat/memory.h"
#include "gat/ppigen.h"
#include "gat/train.h"
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

/* A "VmRSS:" / "VmHWM:" line of /proc/self/status, in kB; -1 when absent. */
static double proc_status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) v = atof(line + strlen(key));
    if (f) fclose(f);
    return v;
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

    /* a collection of graphs (PPI-like, PPI's architecture): training takes graphs_per_batch
     * whole graphs per step and evaluation one graph at a time, so the buffers are those of the
     * largest step batch and of the per-graph batches, not of all N nodes at once. The estimate
     * of what gat_session_init and a training step allocate (the activations sized for the
     * largest batch, every split's per-graph batches, one training batch of the largest
     * graphs, the logits) follows the heap those really take, for 1, 2 and all training graphs
     * per step, and is far below a whole-collection batch when steps take few graphs */
    {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/ppi", check_tmpdir("memory"));
        gat_ppigen_options po = gat_ppigen_options_default();
        po.scale = 0.05;
        gat_ppigen_stats pst;
        CHECK_EQ_INT(gat_ppigen_write(dir, &po, &pst, &err), GAT_OK);
        gat_dataset ds;
        CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
        CHECK(ds.n_graphs == 24 && ds.task == GAT_TASK_MULTI_LABEL);
        gat_config cp = gat_config_default(ds.n_features, ds.n_classes);
        cp.n_layers = 3;
        cp.heads[0] = 4, cp.heads[1] = 4, cp.heads[2] = 6;
        cp.features[0] = 256, cp.features[1] = 256, cp.features[2] = ds.n_classes;
        cp.skip = 1;
        cp.dropout = 0;
        CHECK_EQ_INT(gat_config_check(&cp, &err), GAT_OK);
        /* resident memory is measured where it is honest: glibc's allocator with a fixed mmap
         * threshold (every large buffer its own fresh mapping, freed pages given back), not
         * under a sanitizer's allocator */
        int rss_ok = proc_status_kb("VmHWM:") > 0;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        rss_ok = 0;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
        rss_ok = 0;
#endif
#endif
#ifdef __GLIBC__
        if (rss_ok) {
            mallopt(M_MMAP_THRESHOLD, 64 * 1024);
            malloc_trim(0);
        }
#else
        rss_ok = 0;
#endif
        if (!rss_ok) printf("note: resident memory is not measured here (sanitizer or no glibc / procfs)\n");
        /* the training graphs by size, largest first (independently of memory.c) */
        const int64_t ng = ds.split_n_graphs[GAT_SPLIT_TRAIN];
        int64_t by_size[64];
        CHECK(ng == 20);
        for (int64_t i = 0; i < ng; i++) by_size[i] = ds.split_graphs[GAT_SPLIT_TRAIN][i];
        for (int64_t i = 0; i < ng; i++)
            for (int64_t j = i + 1; j < ng; j++) {
                const int64_t a = by_size[i], b = by_size[j];
                if (ds.graph_node_ptr[b + 1] - ds.graph_node_ptr[b] > ds.graph_node_ptr[a + 1] - ds.graph_node_ptr[a]) {
                    by_size[i] = b;
                    by_size[j] = a;
                }
            }
        static const int64_t per_step[3] = {1, 2, 20};
        double acts[3] = {0, 0, 0};
        for (int v = 0; v < 3; v++) {
            const int64_t bs = per_step[v];
            gat_run_shape rp;
            memset(&rp, 0, sizeof rp);
            rp.keep_best = 1;
            rp.graphs_per_batch = bs;
            static gat_problem_size pp;
            CHECK_EQ_INT(gat_problem_size_measure(&cp, &ds, &rp, &pp, &err), GAT_OK);
            int64_t nodes = 0;
            for (int64_t i = 0; i < bs; i++) nodes += ds.graph_node_ptr[by_size[i] + 1] - ds.graph_node_ptr[by_size[i]];
            CHECK_MSG(pp.batch_nodes == nodes, "%lld graphs per step: batch of %lld nodes, the largest graphs have %lld",
                      (long long)bs, (long long)pp.batch_nodes, (long long)nodes);
            CHECK(pp.split_nodes == ds.n_nodes && pp.split_edges == ds.n_edges);
            gat_memory_estimate ec;
            gat_memory_estimate_sizes(&cp, &pp, &rp, &ec);
            acts[v] = ec.activations;
            CHECK(ec.total >= ec.dataset + ec.parameters + ec.optimizer + ec.activations + ec.graph);
            /* resident memory of a model, a session and one epoch of training on it (the
             * dataset already loaded): the peak above what was resident before */
            if (rss_ok) {
                const double r0 = proc_status_kb("VmRSS:") * 1024.0;
                FILE *cr = fopen("/proc/self/clear_refs", "w"); /* "5": reset the peak to the current size */
                const int reset = cr && fputs("5", cr) >= 0 && fclose(cr) == 0;
                if (cr && !reset) cr = NULL;
                gat_model mr;
                CHECK_EQ_INT(gat_model_init(&mr, &cp, 1, &err), GAT_OK);
                gat_session s;
                CHECK_EQ_INT(gat_session_init(&s, &ds, &mr, &err), GAT_OK);
                gat_train_options to = gat_train_options_default();
                to.max_epochs = 1;
                to.batch_size = bs;
                gat_train_result tr;
                CHECK_EQ_INT(gat_train(&mr, &s, &to, NULL, NULL, &tr, &err), GAT_OK);
                const double got = proc_status_kb("VmHWM:") * 1024.0 - r0;
                const double want = ec.parameters + ec.optimizer + ec.activations + ec.graph;
                CHECK_MSG(reset, "resetting the peak (/proc/self/clear_refs)");
                CHECK_MSG(fabs(want / got - 1) < 0.2, "%lld graphs per step: estimated %.1f MB, measured %.1f MB resident",
                          (long long)bs, want / 1e6, got / 1e6);
                gat_session_free(&s);
                gat_model_free(&mr);
            }
            /* the estimate the collection replaces: one batch of every node */
            if (bs < 20) {
                gat_problem_size whole = pp;
                whole.n_graphs = 0;
                gat_run_shape rf = rp;
                rf.graphs_per_batch = 0;
                gat_memory_estimate ew;
                gat_memory_estimate_sizes(&cp, &whole, &rf, &ew);
                CHECK_MSG(ec.activations < 0.25 * ew.activations, "%lld graphs per step: activations %.0f vs %.0f for all nodes",
                          (long long)bs, ec.activations, ew.activations);
            }
        }
        CHECK(acts[0] < acts[1] && acts[1] < acts[2]);
        gat_dataset_free(&ds);
    }

    int64_t avail = gat_memory_available();
    CHECK_MSG(avail > 0, "available memory %lld", (long long)avail);
    return check_summary();
}
