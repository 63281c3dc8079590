/* test_gatv2.c - GATv2 attention (config.attention_type = GAT_ATTENTION_GATV2):
 *   - its two implementations (fused: one multi-threaded pass per target; edges: per-edge
 *     scatters) agree on Cora with attention far from uniform, in evaluation and in a
 *     training step with dropout 0.6: logits, loss, attention, every gradient;
 *   - the attention is dynamic: with a GATv2 layer two targets can rank the same two sources
 *     in opposite orders, which a GAT layer never does (its ranking of the sources is the
 *     order of a_src . z_j, the same for every target);
 *   - model files record it (metadata attention, share_weights) and a save/load round trip
 *     keeps every bit and the predictions; a file without the key loads as gat; contradicting
 *     or unknown values are refused by name;
 *   - settings gatv2 cannot run with are refused by field name.
 * Finite-difference checks of every GATv2 gradient are in test_gradcheck.c, the PyTorch
 * reference fixtures in test_golden.c, thread reproducibility in test_train.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "impl_compare.h"
#include "gat/dataset.h"
#include "gat/memory.h"
#include "gat/modelfile.h"
#include "gat/safetensors.h"
#include "gat/train.h"

/* attention vectors 100x and projections 3x their initial scale: attention far from uniform */
static float scale(const char *name) {
    return strstr(name, "scoring_fn") ? 100.0f : strstr(name, "linear_proj") ? 3.0f : 1.0f;
}

static void run(const gat_dataset *ds, int impl, int train, impl_result *r) {
    gat_config cfg = gat_config_default(ds->n_features, ds->n_classes);
    cfg.attention_type = GAT_ATTENTION_GATV2;
    impl_run(ds, cfg, scale, impl, train, r);
}

static void impls_agree(const gat_dataset *ds) {
    gat_error err = {0};
    gat_config cfg = gat_config_default(ds->n_features, ds->n_classes);
    cfg.attention_type = GAT_ATTENTION_GATV2;
    gat_model layout;
    CHECK(gat_model_init(&layout, &cfg, 7, &err) == GAT_OK);
    for (int train = 0; train < 2; train++) {
        impl_result r[2];
        run(ds, GAT_ATTENTION_FUSED, train, &r[0]);
        run(ds, GAT_ATTENTION_EDGES, train, &r[1]);
        const char *mode = train ? "training step, dropout 0.6" : "evaluation";
        char what[160];
        snprintf(what, sizeof what, "gatv2 cora %s, edges vs fused: logits", mode);
        impl_compare(what, r[1].logits, r[0].logits, (size_t)(ds->n_nodes * ds->n_classes), 0);
        CHECK_MSG(fabs(r[1].loss - r[0].loss) <= 1e-5 * fabs(r[0].loss), "gatv2 cora %s: loss %.9f vs %.9f", mode,
                  r[1].loss, r[0].loss);
        for (int l = 0; l < cfg.n_layers; l++) {
            snprintf(what, sizeof what, "gatv2 cora %s, edges vs fused: attention of layer %d", mode, l);
            impl_compare(what, r[1].att[l], r[0].att[l], (size_t)((ds->n_nodes + ds->n_edges) * cfg.heads[l]), 0);
        }
        const double gmax = train ? impl_max_abs(r[0].grads, layout.n_trainable) : 0;
        for (int i = 0; train && i < layout.n_tensors; i++) {
            const gat_tensor *t = &layout.tensors[i];
            snprintf(what, sizeof what, "gatv2 cora %s, edges vs fused: gradient of %s", mode, t->name);
            impl_compare(what, r[1].grads + t->offset, r[0].grads + t->offset, t->size, 1e-6 * gmax);
        }
        for (int k = 0; k < 2; k++) {
            free(r[k].logits);
            free(r[k].grads);
            for (int l = 0; l < GAT_MAX_LAYERS; l++) free(r[k].att[l]);
        }
    }
    gat_model_free(&layout);
}

/* Two sources (nodes 0, 1) into two targets (2, 3), one layer of one head: with
 * x = one-hot node ids, GATv2's scores can order the sources differently per target, GAT's
 * cannot. The weights are chosen by hand: W picks out source features, W_dst target ones. */
static void dynamic_attention(void) {
    gat_error err = {0};
    const int64_t n = 4;
    int64_t src[4] = {0, 1, 0, 1}, dst[4] = {2, 2, 3, 3};
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.n_nodes = n;
    ds.n_features = 4;
    ds.n_classes = 2;
    float x[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    ds.dense_features = x;
    int64_t labels[4] = {0, 1, 0, 1};
    ds.labels = labels;
    ds.edge_src = src;
    ds.edge_dst = dst;
    ds.n_edges = 4;
    for (int type = 0; type < 2; type++) {
        gat_config c = gat_config_default(4, 2);
        c.n_layers = 1;
        c.heads[0] = 1;
        c.features[0] = 2;
        c.bias = 0;
        c.attention_type = type;
        gat_model m;
        gat_session s;
        CHECK(gat_model_init(&m, &c, 3, &err) == GAT_OK);
        if (type == GAT_ATTENTION_GATV2) {
            /* z = x W: source 0 -> (1, 0), source 1 -> (0, 1); t = x W_dst: target 2 -> (2, -2), target 3 -> (-2, 2);
             * a = (1, 1), slope 0.2: e(0->2) = 3 - 0.4 = 2.6 > e(1->2) = 2 - 0.2 = 1.8, and at target 3 the reverse */
            float w[8] = {1, 0, 0, 1, 0, 0, 0, 0}, wd[8] = {0, 0, 0, 0, 2, -2, -2, 2}, a[2] = {1, 1};
            memcpy(m.p[0].w, w, sizeof w);
            memcpy(m.p[0].w_dst, wd, sizeof wd);
            memcpy(m.p[0].att, a, sizeof a);
        }
        CHECK(gat_session_init(&s, &ds, &m, &err) == GAT_OK);
        gat_model_forward(&m, &s.acts, &s.in, &s.g, 0, 0);
        /* alpha of source 0 and 1 at targets 2 and 3 (rows: self loop first, then sources in order) */
        double a[2][2];
        for (int i = 2; i < 4; i++)
            for (int64_t q = s.g.row_ptr[i]; q < s.g.row_ptr[i + 1]; q++)
                if (s.g.src[q] < 2) a[i - 2][s.g.src[q]] = s.acts.l[0].att[q];
        const int flipped = (a[0][0] > a[0][1]) != (a[1][0] > a[1][1]);
        if (type == GAT_ATTENTION_GATV2)
            CHECK_MSG(flipped, "gatv2: targets 2 and 3 rank sources 0, 1 in opposite orders (%.3f %.3f | %.3f %.3f)",
                      a[0][0], a[0][1], a[1][0], a[1][1]);
        else
            CHECK_MSG(!flipped, "gat: both targets rank the sources alike (%.3f %.3f | %.3f %.3f)", a[0][0], a[0][1],
                      a[1][0], a[1][1]);
        gat_session_free(&s);
        gat_model_free(&m);
    }
}

/* Rewrite a model file's metadata key (NULL value: drop it). */
static void rewrite_meta(const char *in, const char *out, const char *key, const char *value) {
    gat_safetensors st;
    gat_error err = {0};
    if (gat_safetensors_read(in, &st, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gat_st_meta md[64];
    size_t nm = 0;
    for (size_t i = 0; i < st.n_meta && nm < 64; i++) {
        if (!strcmp(st.meta[i].key, key)) {
            if (!value) continue;
            md[nm].key = st.meta[i].key;
            md[nm++].value = (char *)value;
        } else {
            md[nm++] = st.meta[i];
        }
    }
    if (gat_safetensors_write(out, st.tensors, st.n_tensors, md, nm, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gat_safetensors_free(&st);
}

static void model_files(void) {
    const char *tmp = check_tmpdir("gatv2");
    char path[4200], bad[4200];
    gat_error err = {0};
    for (int share = 0; share < 2; share++) {
        gat_config c = gat_config_default(10, 3);
        c.heads[0] = 4, c.features[0] = 5;
        c.heads[1] = 2, c.features[1] = 3;
        c.skip = share; /* projected skips in both layers with shared weights */
        c.attention_type = GAT_ATTENTION_GATV2;
        c.share_weights = share;
        gat_model m, r;
        CHECK_EQ_INT(gat_model_init(&m, &c, 9, &err), GAT_OK);
        CHECK_MSG((gat_model_tensor(&m, "gat_net.1.linear_proj_target.weight") != NULL) == !share,
                  "share_weights %d: linear_proj_target tensors %s", share, share ? "absent" : "present");
        CHECK(gat_model_tensor(&m, "gat_net.0.scoring_fn") && !gat_model_tensor(&m, "gat_net.0.scoring_fn_source"));
        snprintf(path, sizeof path, "%s/v2_%d.safetensors", tmp, share);
        gat_model_meta meta = {.epochs = 3, .seed = 9};
        CHECK_EQ_INT(gat_model_save(path, &m, &meta, &err), GAT_OK);
        CHECK_MSG(gat_model_load(path, &r, NULL, &err) == GAT_OK, "load: %s", err.msg);
        CHECK_EQ_INT(r.cfg.attention_type, GAT_ATTENTION_GATV2);
        CHECK_EQ_INT(r.cfg.share_weights, share);
        CHECK_EQ_INT(r.cfg.skip, c.skip);
        CHECK_EQ_INT(r.n_params, m.n_params);
        CHECK(r.n_params == m.n_params && !memcmp(r.params, m.params, m.n_params * sizeof(float)));
        CHECK(r.p[1].w_dst && (share ? r.p[1].w_dst == r.p[1].w : r.p[1].w_dst != r.p[1].w));
        gat_safetensors st;
        CHECK(gat_safetensors_read(path, &st, &err) == GAT_OK);
        const char *v = gat_safetensors_meta(&st, "attention"), *sw = gat_safetensors_meta(&st, "share_weights");
        CHECK_MSG(v && !strcmp(v, "gatv2"), "metadata attention = '%s'", v ? v : "(none)");
        CHECK_MSG(sw && !strcmp(sw, share ? "true" : "false"), "metadata share_weights = '%s'", sw ? sw : "(none)");
        gat_safetensors_free(&st);
        gat_model_free(&r);
        /* refused: the attention key contradicts the tensors, an unknown attention, share_weights contradicts */
        snprintf(bad, sizeof bad, "%s/bad.safetensors", tmp);
        rewrite_meta(path, bad, "attention", "gat");
        CHECK_MSG(gat_model_load(bad, &r, NULL, &err) == GAT_EFORMAT && strstr(err.msg, "'attention'") &&
                  strstr(err.msg, "contradicts"), "attention gat on gatv2 tensors: %s", err.msg);
        rewrite_meta(path, bad, "attention", "gatv3");
        CHECK_MSG(gat_model_load(bad, &r, NULL, &err) == GAT_EFORMAT && strstr(err.msg, "'gatv3'") &&
                  strstr(err.msg, "'gat' or 'gatv2'"), "attention gatv3: %s", err.msg);
        rewrite_meta(path, bad, "share_weights", share ? "false" : "true");
        CHECK_MSG(gat_model_load(bad, &r, NULL, &err) == GAT_EFORMAT && strstr(err.msg, "'share_weights'"),
                  "share_weights contradicts: %s", err.msg);
        rewrite_meta(path, bad, "share_weights", "maybe");
        CHECK_MSG(gat_model_load(bad, &r, NULL, &err) == GAT_EFORMAT && strstr(err.msg, "true or false"),
                  "share_weights maybe: %s", err.msg);
        /* without the keys, the tensors say gatv2 */
        rewrite_meta(path, bad, "attention", NULL);
        rewrite_meta(bad, bad, "share_weights", NULL);
        int rc = gat_model_load(bad, &r, NULL, &err);
        CHECK_MSG(rc == GAT_OK && r.cfg.attention_type == GAT_ATTENTION_GATV2 && r.cfg.share_weights == share,
                  "no attention key, gatv2 tensors: %s", err.msg);
        if (rc == GAT_OK) gat_model_free(&r);
        gat_model_free(&m);
    }
    /* a gat file without the attention key (as older versions wrote) loads as gat */
    gat_config c = gat_config_default(10, 3);
    gat_model m, r;
    CHECK_EQ_INT(gat_model_init(&m, &c, 2, &err), GAT_OK);
    snprintf(path, sizeof path, "%s/gat.safetensors", tmp);
    CHECK_EQ_INT(gat_model_save(path, &m, NULL, &err), GAT_OK);
    snprintf(bad, sizeof bad, "%s/gat_nokey.safetensors", tmp);
    rewrite_meta(path, bad, "attention", NULL);
    int rc = gat_model_load(bad, &r, NULL, &err);
    CHECK_MSG(rc == GAT_OK && r.cfg.attention_type == GAT_ATTENTION_GAT &&
              !memcmp(r.params, m.params, m.n_params * sizeof(float)), "gat file without attention key: %s", err.msg);
    if (rc == GAT_OK) gat_model_free(&r);
    rewrite_meta(path, bad, "attention", "gatv2");
    CHECK_MSG(gat_model_load(bad, &r, NULL, &err) == GAT_EFORMAT && strstr(err.msg, "contradicts"),
              "attention gatv2 on gat tensors: %s", err.msg);
    gat_model_free(&m);
}

static void bad_config(void) {
    gat_error err = {0};
    gat_config c = gat_config_default(10, 3);
    c.attention_type = 2;
    CHECK_MSG(gat_config_check(&c, &err) == GAT_EINVAL && strstr(err.msg, "config.attention_type"), "type 2: %s", err.msg);
    c.attention_type = GAT_ATTENTION_GAT;
    c.share_weights = 1;
    CHECK_MSG(gat_config_check(&c, &err) == GAT_EINVAL && strstr(err.msg, "config.share_weights"), "gat shared: %s",
              err.msg);
    c.share_weights = 0;
    c.attention_type = GAT_ATTENTION_GATV2;
    c.attention_impl = GAT_ATTENTION_DENSE;
    CHECK_MSG(gat_config_check(&c, &err) == GAT_EINVAL && strstr(err.msg, "config.attention_impl") &&
              strstr(err.msg, "gatv2"), "gatv2 dense: %s", err.msg);
    CHECK_EQ_INT(gat_attention_type_parse("gat"), GAT_ATTENTION_GAT);
    CHECK_EQ_INT(gat_attention_type_parse("gatv2"), GAT_ATTENTION_GATV2);
    CHECK_EQ_INT(gat_attention_type_parse("GATv2"), -1);
    CHECK_EQ_INT(gat_attention_type_parse(""), -1);
}

int main(void) {
    gat_error err = {0};
    gat_dataset ds;
    bad_config();
    dynamic_attention();
    model_files();
    if (gat_dataset_open(&ds, "cora", check_data_dir(), &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return check_summary();
    }
    gat_dataset_normalize_rows(&ds);
    /* the memory estimate (gat train --max-memory) counts t, its dropout mask and dt: 5 N M per
     * layer and 4 N max M, M = heads x features (no per-edge vectors) */
    {
        gat_config c = gat_config_default(ds.n_features, ds.n_classes), c2 = c;
        c2.attention_type = GAT_ATTENTION_GATV2;
        gat_run_shape run = {.keep_best = 1};
        gat_memory_estimate e1, e2;
        CHECK(gat_memory_estimate_dataset(&c, &ds, &run, &e1, &err) == GAT_OK);
        CHECK(gat_memory_estimate_dataset(&c2, &ds, &run, &e2, &err) == GAT_OK);
        const double n = (double)ds.n_nodes, want = 5.0 * n * (64 + 7) + 4.0 * n * 64;
        CHECK_MSG(fabs((e2.activations - e1.activations) - want) < 1e-6 * want,
                  "gatv2 adds %.3f MB of activations to the estimate (want %.3f MB)",
                  (e2.activations - e1.activations) / 1e6, want / 1e6);
    }
    impls_agree(&ds);
    gat_dataset_free(&ds);
    return check_summary();
}
