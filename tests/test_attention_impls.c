/* test_attention_impls.c - the three attention implementations (fused, edges, dense) agree
 * on Cora, with the paper's architecture and parameters far from uniform attention, in
 * evaluation mode and in a training step with dropout 0.6: logits, loss, every layer's
 * attention and every gradient, within float tolerance of the fused implementation
 * (|a - b| <= 1e-5 max |fused| + 1e-4 |fused| per array, at least 1e-6 of the largest gradient
 * for gradients; float32 sums in another order
 * and libm's expf give about 1e-7 relative). The golden test checks each of them against
 * the PyTorch reference; this one at parameters where the softmax is far from uniform.
 * The same without added self loops (--add_self_loops false) on Cora's edges with every tenth
 * node's incoming edges removed (an empty softmax: zero aggregation) and every seventh given a
 * self loop of its own.
 * Also: dense is refused above GAT_DENSE_MAX_NODES nodes, with a message naming the option. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "impl_compare.h"
#include "gat/dataset.h"
#include "gat/memory.h"
#include "gat/model.h"
#include "gat/train.h"

/* scoring vectors 200x their initial scale: attention far from uniform */
static float scale(const char *name) { return strstr(name, "scoring_fn") ? 200.0f : 1.0f; }

static int no_loops; /* gat_config.no_self_loops of the runs */

static void run(const gat_dataset *ds, int impl, int train, impl_result *r) {
    gat_config cfg = gat_config_default(ds->n_features, ds->n_classes);
    cfg.no_self_loops = no_loops;
    impl_run(ds, cfg, scale, impl, train, r);
}

/* The three implementations against each other on ds, in evaluation and in a training step;
 * nnz: the graph's entries. */
static void compare_impls(const gat_dataset *ds, const gat_config *cfg, const gat_model *layout, int64_t nnz,
                          const char *name) {
    for (int train = 0; train < 2; train++) {
        impl_result r[3];
        for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) run(ds, impl, train, &r[impl]);
        const double gmax = train ? impl_max_abs(r[0].grads, layout->n_trainable) : 0;
        for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) { /* no NaN, no infinity */
            int64_t bad = 0;
            for (int64_t q = 0; r[impl].logits && q < ds->n_nodes * ds->n_classes; q++) bad += !isfinite(r[impl].logits[q]);
            for (size_t q = 0; r[impl].grads && q < layout->n_trainable; q++) bad += !isfinite(r[impl].grads[q]);
            CHECK_MSG(r[impl].logits && bad == 0, "%s %s: %lld logits or gradients not finite", name,
                      gat_attention_impl_name(impl), (long long)bad);
        }
        for (int impl = GAT_ATTENTION_EDGES; impl <= GAT_ATTENTION_DENSE; impl++) {
            char what[200];
            const char *mode = train ? "training step, dropout 0.6" : "evaluation";
            snprintf(what, sizeof what, "%s %s, %s vs fused: logits", name, mode, gat_attention_impl_name(impl));
            impl_compare(what, r[impl].logits, r[0].logits, (size_t)(ds->n_nodes * ds->n_classes), 0);
            CHECK_MSG(fabs(r[impl].loss - r[0].loss) <= 1e-5 * fabs(r[0].loss), "%s %s, %s vs fused: loss %.9f vs %.9f",
                      name, mode, gat_attention_impl_name(impl), r[impl].loss, r[0].loss);
            for (int l = 0; l < cfg->n_layers; l++) {
                snprintf(what, sizeof what, "%s %s, %s vs fused: attention of layer %d", name, mode,
                         gat_attention_impl_name(impl), l);
                impl_compare(what, r[impl].att[l], r[0].att[l], (size_t)(nnz * cfg->heads[l]), 0);
            }
            for (int i = 0; train && i < layout->n_tensors; i++) {
                const gat_tensor *t = &layout->tensors[i];
                snprintf(what, sizeof what, "%s %s, %s vs fused: gradient of %s", name, mode,
                         gat_attention_impl_name(impl), t->name);
                impl_compare(what, r[impl].grads + t->offset, r[0].grads + t->offset, t->size, 1e-6 * gmax);
            }
        }
        for (int impl = 0; impl < 3; impl++) {
            free(r[impl].logits);
            free(r[impl].grads);
            for (int l = 0; l < GAT_MAX_LAYERS; l++) free(r[impl].att[l]);
        }
    }
}

int main(void) {
    gat_error err = {0};
    gat_dataset ds;
    if (gat_dataset_open(&ds, "cora", check_data_dir(), &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return check_summary();
    }
    gat_dataset_normalize_rows(&ds);
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_model layout;
    CHECK(gat_model_init(&layout, &cfg, 7, &err) == GAT_OK);
    /* the memory estimate (gat train --max-memory) counts dense's 4 N x N float matrices */
    {
        gat_run_shape run = {.keep_best = 1};
        gat_memory_estimate ef, ed;
        gat_config cd = cfg;
        cd.attention_impl = GAT_ATTENTION_DENSE;
        CHECK(gat_memory_estimate_dataset(&cfg, &ds, &run, &ef, &err) == GAT_OK);
        CHECK(gat_memory_estimate_dataset(&cd, &ds, &run, &ed, &err) == GAT_OK);
        const double want = 16.0 * (double)ds.n_nodes * (double)ds.n_nodes;
        CHECK_MSG(fabs((ed.activations - ef.activations) - want) < 1e-3 * want,
                  "dense adds %.1f MB of activations to the estimate (4 N^2 floats: %.1f MB)",
                  (ed.activations - ef.activations) / 1e6, want / 1e6);
    }
    compare_impls(&ds, &cfg, &layout, ds.n_nodes + ds.n_edges, "cora");
    /* --add_self_loops false: the edges as given; no in-edges at every tenth node, an own self
     * loop at every seventh */
    {
        int64_t *src = malloc(sizeof(int64_t) * (size_t)(ds.n_edges + ds.n_nodes));
        int64_t *dst = malloc(sizeof(int64_t) * (size_t)(ds.n_edges + ds.n_nodes));
        int64_t e = 0, deaf = 0;
        for (int64_t k = 0; k < ds.n_edges; k++)
            if (ds.edge_dst[k] % 10 != 0) { src[e] = ds.edge_src[k]; dst[e++] = ds.edge_dst[k]; }
        for (int64_t i = 0; i < ds.n_nodes; i++) {
            if (i % 7 == 0 && i % 10 != 0) { src[e] = i; dst[e++] = i; }
            deaf += i % 10 == 0;
        }
        int64_t *keep_src = ds.edge_src, *keep_dst = ds.edge_dst, keep_n = ds.n_edges;
        ds.edge_src = src;
        ds.edge_dst = dst;
        ds.n_edges = e;
        no_loops = 1;
        cfg.no_self_loops = 1;
        char name[96];
        snprintf(name, sizeof name, "cora without self loops (%lld nodes without in-edges)", (long long)deaf);
        compare_impls(&ds, &cfg, &layout, e, name);
        no_loops = 0;
        ds.edge_src = keep_src;
        ds.edge_dst = keep_dst;
        ds.n_edges = keep_n;
        free(src);
        free(dst);
    }
    gat_model_free(&layout);
    gat_dataset_free(&ds);

    /* dense refuses graphs above its limit, naming the option; edges takes them */
    {
        const int64_t n = GAT_DENSE_MAX_NODES + 1;
        gat_dataset big;
        memset(&big, 0, sizeof big);
        big.n_nodes = n;
        big.n_features = 1;
        big.n_classes = 2;
        big.dense_features = calloc((size_t)n, sizeof(float));
        big.labels = calloc((size_t)n, sizeof(int64_t));
        gat_config c = gat_config_default(1, 2);
        c.attention_impl = GAT_ATTENTION_DENSE;
        gat_model m;
        gat_session s;
        CHECK(gat_model_init(&m, &c, 1, &err) == GAT_OK);
        int rc = gat_session_init(&s, &big, &m, &err);
        CHECK_MSG(rc == GAT_EINVAL && strstr(err.msg, "config.attention_impl") && strstr(err.msg, "at most 5000 nodes"),
                  "dense on %lld nodes refused: rc %d, '%s'", (long long)n, rc, err.msg);
        if (!rc) gat_session_free(&s);
        m.cfg.attention_impl = GAT_ATTENTION_EDGES;
        CHECK(gat_session_init(&s, &big, &m, &err) == GAT_OK);
        gat_session_free(&s);
        gat_model_free(&m);
        c.attention_impl = 3;
        CHECK_MSG(gat_config_check(&c, &err) == GAT_EINVAL && strstr(err.msg, "config.attention_impl"), "impl 3 refused: %s",
                  err.msg);
        CHECK(gat_attention_impl_parse("dense") == GAT_ATTENTION_DENSE);
        CHECK(gat_attention_impl_parse("edges") == GAT_ATTENTION_EDGES);
        CHECK(gat_attention_impl_parse("fused") == GAT_ATTENTION_FUSED);
        CHECK(gat_attention_impl_parse("Dense") == -1);
        free(big.dense_features);
        free(big.labels);
    }
    return check_summary();
}
