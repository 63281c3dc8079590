/* test_golden.c - logits, loss, attention and every gradient against fixtures written by
 * the independent PyTorch reference (reference/gat_reference.py, float64), on small random
 * graphs (self loops, duplicate edges and isolated nodes included; projected and identity
 * skips; no bias; the 8 x 8 and F = 8 kernels), on a multi-label batch of two graphs (BCE,
 * projected skips in 3 layers, through the batch path that trains collections) and on Cora
 * with the paper's architecture,
 * in evaluation mode and in training mode (cases with "dropout" and "key" in config.json:
 * the reference draws gat's dropout masks from the same counter-based stream, and the masks
 * themselves are compared bit for bit; cases with "feature_dropout" / "attention_dropout" set
 * the two probabilities apart). Fails on any mismatch beyond |a - b| <= atol + rtol
 * |ref|, where atol is 1e-4 of the largest |value| of the same array (per gradient tensor),
 * so no array can be replaced by zeros; only a reference tensor that is zero in exact
 * arithmetic (max |ref| < 1e-15) is compared against 1e-4 of the model's largest gradient.
 * Every case runs with each attention implementation (fused, edges, dense): the same
 * fixtures, masks and tolerances for all three. GATv2 cases ("attention": "gatv2", with
 * "share_weights") run with fused and edges (dense is refused for GATv2) and compare the
 * target projection's mask (mask.layer<l>.proj_dst.npy) too. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/json.h"
#include "gat/model.h"
#include "gat/npy.h"
#include "gat/train.h"

static float *read_f32(const char *dir, const char *name, size_t *n) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gat_array a;
    gat_error err = {0};
    float *out = NULL;
    if (gat_npy_read(path, &a, &err) || gat_array_to_f32(&a, path, &out, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    if (n) *n = a.size;
    gat_array_free(&a);
    return out;
}

static int64_t *read_i64(const char *dir, const char *name, size_t *n, int64_t *shape0) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gat_array a;
    gat_error err = {0};
    int64_t *out = NULL;
    if (gat_npy_read(path, &a, &err) || gat_array_to_i64(&a, path, &out, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    if (n) *n = a.size;
    if (shape0) *shape0 = a.ndim > 1 ? a.shape[1] : a.shape[0];
    gat_array_free(&a);
    return out;
}

static int json_int(const gat_json *o, const char *k) {
    const gat_json *v = gat_json_get(o, k);
    return v && v->type == GAT_JSON_NUMBER ? (int)v->number : v && v->type == GAT_JSON_BOOL ? v->boolean : -1;
}

static void run_case(const char *dir, const char *case_name, int impl) {
    char name[200];
    snprintf(name, sizeof name, "%s [%s]", case_name, gat_attention_impl_name(impl));
    char path[4200];
    gat_error err = {0};
    char *text;
    size_t len;
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (gat_read_file(path, &text, &len, &err)) { CHECK_MSG(0, "%s", err.msg); return; }
    gat_json cj;
    if (gat_json_parse(text, len, path, &cj, &err)) { free(text); CHECK_MSG(0, "%s", err.msg); return; }
    free(text);
    /* the library's defaults for what the fixture does not set: the reference's LeakyReLU
     * slope is pytorch-GAT's 0.2, so this also checks gat_config_default's slope */
    gat_config cfg = gat_config_default(1, 1);
    cfg.n_layers = json_int(&cj, "layers");
    cfg.n_in = json_int(&cj, "n_in");
    cfg.skip = json_int(&cj, "skip");
    cfg.bias = json_int(&cj, "bias");
    cfg.dropout = 0.0f;
    cfg.attention_impl = impl;
    const gat_json *dj = gat_json_get(&cj, "dropout"), *kj = gat_json_get(&cj, "key");
    uint64_t key = 0;
    if (dj && dj->type == GAT_JSON_NUMBER) cfg.dropout = (float)dj->number;
    if (kj && kj->type == GAT_JSON_NUMBER) key = (uint64_t)kj->number;
    /* absent: the library's default, the same as dropout */
    const gat_json *fdj = gat_json_get(&cj, "feature_dropout"), *adj = gat_json_get(&cj, "attention_dropout");
    if (fdj && fdj->type == GAT_JSON_NUMBER) cfg.feature_dropout = (float)fdj->number;
    if (adj && adj->type == GAT_JSON_NUMBER) cfg.attention_dropout = (float)adj->number;
    const gat_json *atj = gat_json_get(&cj, "attention"), *swj = gat_json_get(&cj, "share_weights");
    if (atj && atj->type == GAT_JSON_STRING) cfg.attention_type = gat_attention_type_parse(atj->string);
    if (swj && swj->type == GAT_JSON_BOOL) cfg.share_weights = swj->boolean;
    const gat_json *slj = gat_json_get(&cj, "add_self_loops"); /* absent: true, the default */
    if (slj && slj->type == GAT_JSON_BOOL) cfg.no_self_loops = !slj->boolean;
    CHECK_MSG(cfg.attention_type >= 0, "%s: attention in config.json is gat or gatv2", name);
    if (cfg.attention_type == GAT_ATTENTION_GATV2 && impl == GAT_ATTENTION_DENSE) {
        gat_json_free(&cj);
        return; /* refused by gat_config_check (test_gatv2.c) */
    }
    const gat_json *sj = gat_json_get(&cj, "negative_slope"); /* absent: the default, 0.2 */
    if (sj && sj->type == GAT_JSON_NUMBER) cfg.slope = (float)sj->number;
    const gat_json *heads = gat_json_get(&cj, "heads"), *feats = gat_json_get(&cj, "features");
    for (int l = 0; l < cfg.n_layers; l++) {
        cfg.heads[l] = (int64_t)heads->items[l].number;
        cfg.features[l] = (int64_t)feats->items[l].number;
    }
    const gat_json *cc = gat_json_get(&cj, "concat_heads"); /* absent: the default, all but the last */
    for (int l = 0; cc && cc->type == GAT_JSON_ARRAY && l < cfg.n_layers && l < (int)cc->n; l++)
        cfg.concat_heads[l] = cc->items[l].boolean ? GAT_HEADS_CONCAT : GAT_HEADS_MEAN;
    const gat_json *dsj = gat_json_get(&cj, "dataset"), *task = gat_json_get(&cj, "task");
    int is_cora = dsj && dsj->type == GAT_JSON_STRING;
    /* multi-label: a batch of whole graphs, as a PPI training step sees it */
    int multi = task && task->type == GAT_JSON_STRING && !strcmp(task->string, "multi_label");
    int n_graphs = multi ? json_int(&cj, "graphs") : 0;
    gat_json_free(&cj);

    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    if (is_cora) {
        if (gat_dataset_open(&ds, "cora", check_data_dir(), &err)) { CHECK_MSG(0, "%s", err.msg); return; }
        gat_dataset_normalize_rows(&ds);
    } else {
        size_t nx, ne;
        int64_t ncols;
        ds.dense_features = read_f32(dir, "x.npy", &nx);
        int64_t *e = read_i64(dir, "edge_index.npy", &ne, &ncols);
        if (multi) {
            ds.task = GAT_TASK_MULTI_LABEL;
            ds.targets = read_f32(dir, "targets.npy", NULL);
            ds.graph_id = read_i64(dir, "graph_id.npy", NULL, NULL);
            ds.n_graphs = n_graphs;
            ds.split_graphs[0] = malloc(sizeof(int64_t) * (size_t)(n_graphs + 1));
            for (int g = 0; g < n_graphs; g++) ds.split_graphs[0][g] = g;
            ds.split_n_graphs[0] = n_graphs;
        } else {
            ds.labels = read_i64(dir, "labels.npy", NULL, NULL);
        }
        ds.split[0] = read_i64(dir, "train_index.npy", NULL, &ds.split_size[0]);
        if (!ds.dense_features || !e || !(ds.labels || (ds.targets && ds.graph_id)) || !ds.split[0]) {
            CHECK_MSG(0, "%s: fixture files missing", name);
            return;
        }
        ds.n_features = cfg.n_in;
        ds.n_nodes = (int64_t)nx / cfg.n_in;
        ds.n_classes = gat_config_out_width(&cfg, cfg.n_layers - 1);
        ds.n_edges = ncols;
        ds.edge_src = malloc(sizeof(int64_t) * ncols);
        ds.edge_dst = malloc(sizeof(int64_t) * ncols);
        memcpy(ds.edge_src, e, sizeof(int64_t) * ncols);
        memcpy(ds.edge_dst, e + ncols, sizeof(int64_t) * ncols);
        free(e);
        if (multi && gat_dataset_index_graphs(&ds, name, &err)) { CHECK_MSG(0, "%s: %s", name, err.msg); return; }
    }
    gat_model m;
    gat_session s;
    if (gat_model_init(&m, &cfg, 0, &err) || gat_session_init(&s, &ds, &m, &err)) {
        CHECK_MSG(0, "%s: %s", name, err.msg);
        gat_dataset_free(&ds);
        return;
    }
    /* the reference's parameters, in PyTorch layout */
    for (int i = 0; i < m.n_tensors; i++) {
        const gat_tensor *t = &m.tensors[i];
        char file[128];
        snprintf(file, sizeof file, "%s.npy", t->name);
        size_t n;
        float *v = read_f32(dir, file, &n);
        CHECK_MSG(v && n == t->size, "%s: parameter %s present with %zu values", name, t->name, t->size);
        if (!v || n != t->size) continue;
        float *dst = m.params + t->offset;
        if (t->transposed) {
            int64_t rows = t->shape[1], cols = t->shape[0];
            for (int64_t r = 0; r < rows; r++)
                for (int64_t q = 0; q < cols; q++) dst[r * cols + q] = v[q * rows + r];
        } else {
            memcpy(dst, v, n * sizeof(float));
        }
        free(v);
    }
    gat_step_batch whole;
    memset(&whole, 0, sizeof whole);
    if (multi) {
        int64_t all[16];
        for (int g = 0; g < n_graphs && g < 16; g++) all[g] = g;
        if (gat_step_batch_graphs_flags(&whole, &ds, &s.in, all, n_graphs, s.graph_flags, &err) ||
            gat_session_reserve(&s, &m, whole.n, whole.g->nnz, 0, &err)) {
            CHECK_MSG(0, "%s: %s", name, err.msg);
            return;
        }
        CHECK_MSG(whole.n_graphs == n_graphs && whole.n == ds.n_nodes, "%s: one batch of %d graphs", name, n_graphs);
    } else if (gat_step_batch_whole(&whole, &ds, &s.in, &s.g, GAT_SPLIT_TRAIN, &err)) {
        CHECK_MSG(0, "%s: %s", name, err.msg);
        return;
    }
    /* the graph's entries, in order: the reference's edge list (self loops added, or the edges as
     * given with "add_self_loops": false) */
    size_t n, nd;
    int64_t *rsrc = read_i64(dir, "attention_src.npy", &n, NULL), *rdst = read_i64(dir, "attention_dst.npy", &nd, NULL);
    int64_t same_edges = 0;
    for (size_t k = 0; rsrc && rdst && n == nd && n == (size_t)whole.g->nnz && k < n; k++)
        same_edges += rsrc[k] == whole.g->src[k] && rdst[k] == whole.g->dst[k];
    CHECK_MSG(rsrc && rdst && n == (size_t)whole.g->nnz && same_edges == whole.g->nnz,
              "%s: the graph's %lld entries are the reference's %zu edges in order (%lld agree)", name,
              (long long)whole.g->nnz, n, (long long)same_edges);
    free(rsrc);
    free(rdst);
    const float *logits = gat_step_batch_forward(&m, &s.acts, &whole, 1, key);
    const float site_p[3] = {gat_config_feature_dropout(&cfg), gat_config_feature_dropout(&cfg),
                             gat_config_attention_dropout(&cfg)};
    if (key) { /* the masks: which elements were dropped (a site without dropout draws none) */
        for (int l = 0; l < cfg.n_layers; l++) {
            static const char *const site[4] = {"input", "proj", "att", "proj_dst"};
            const gat_layer_acts *L = &s.acts.l[l];
            int64_t mw = cfg.heads[l] * cfg.features[l]; /* the projection's width */
            size_t want[4] = {l == 0 && s.in.sparse ? (size_t)s.in.sparse->nnz : (size_t)(ds.n_nodes * gat_config_in_width(&cfg, l)),
                              (size_t)(ds.n_nodes * mw), (size_t)(whole.g->nnz * cfg.heads[l]), (size_t)(ds.n_nodes * mw)};
            const uint8_t *mine[4] = {L->x_mask, L->z_mask, L->att_mask, L->t_mask};
            for (int k = 0; k < (L->t_mask ? 4 : 3); k++) {
                if (site_p[k < 3 ? k : 1] <= 0.0f) continue;
                char file[64], path2[4300];
                snprintf(file, sizeof file, "mask.layer%d.%s.npy", l, site[k]);
                snprintf(path2, sizeof path2, "%s/%s", dir, file);
                gat_array a;
                if (gat_npy_read(path2, &a, &err)) { CHECK_MSG(0, "%s: %s", name, err.msg); continue; }
                size_t same = 0, kept = 0;
                if (a.size == want[k] && a.itemsize == 1)
                    for (size_t e = 0; e < a.size; e++) {
                        same += (mine[k][e] != 0) == (((const uint8_t *)a.data)[e] != 0);
                        kept += ((const uint8_t *)a.data)[e] != 0;
                    }
                CHECK_MSG(a.size == want[k] && same == want[k], "%s: %s: %zu of %zu mask elements agree (fixture %zu, kept %zu)",
                          name, file, same, want[k], a.size, kept);
                gat_array_free(&a);
            }
        }
    }
    float *ref = read_f32(dir, "logits.npy", &n);
    CHECK_MSG(ref && n == (size_t)(ds.n_nodes * ds.n_classes), "%s: logits fixture", name);
    if (ref) {
        double lmax = 0;
        for (size_t e = 0; e < n; e++) lmax = fmax(lmax, fabs(ref[e]));
        CHECK_MSG(check_close_f32(logits, ref, n, 1e-5 * lmax, 1e-4, name, __FILE__, __LINE__), "%s: logits", name);
    }
    free(ref);
    for (int l = 0; l < cfg.n_layers; l++) {
        char file[64];
        snprintf(file, sizeof file, "attention.layer%d.npy", l);
        float *att = read_f32(dir, file, &n);
        if (!att) continue;
        CHECK_MSG(n == (size_t)(whole.g->nnz * cfg.heads[l]), "%s: %s has %zu values", name, file, n);
        if (n == (size_t)(whole.g->nnz * cfg.heads[l]))
            CHECK_MSG(check_close_f32(s.acts.l[l].att, att, n, 1e-6, 1e-4, file, __FILE__, __LINE__), "%s: %s", name, file);
        free(att);
    }
    gat_tally tally;
    memset(&tally, 0, sizeof tally);
    gat_step_batch_loss(&whole, ds.task, ds.n_classes, logits, s.dlogits, &tally);
    gat_metrics mt = gat_tally_metrics(&tally, ds.task);
    float *loss = read_f32(dir, "loss.npy", &n);
    CHECK_MSG(loss && n == 1, "%s: loss fixture", name);
    if (loss) CHECK_MSG(fabs(mt.loss - loss[0]) <= 1e-6 + 1e-5 * fabs(loss[0]), "%s: loss %.9f vs %.9f", name, mt.loss, (double)loss[0]);
    free(loss);
    memset(m.grads, 0, m.n_params * sizeof(float));
    gat_step_batch_backward(&m, &s.acts, &whole, s.dlogits);
    /* Per tensor: atol = 1e-4 of the tensor's own largest |reference gradient|. A tensor that
     * is zero in exact arithmetic (an unused identity-skip weight; Cora's layer-1 a_dst at this
     * initialisation, |g| ~ 4e-21, see reference/README.md) has no scale of its own: it is
     * compared against 1e-4 of the model's largest gradient. */
    double gmax = 0;
    for (int i = 0; i < m.n_tensors; i++) {
        char file[128];
        snprintf(file, sizeof file, "grad.%s.npy", m.tensors[i].name);
        float *g = read_f32(dir, file, &n);
        for (size_t e = 0; g && e < n; e++) gmax = fmax(gmax, fabs(g[e]));
        free(g);
    }
    for (int i = 0; i < m.n_tensors; i++) {
        const gat_tensor *t = &m.tensors[i];
        char file[128];
        snprintf(file, sizeof file, "grad.%s.npy", t->name);
        float *g = read_f32(dir, file, &n);
        CHECK_MSG(g && n == t->size, "%s: gradient fixture %s", name, file);
        if (!g || n != t->size) { free(g); continue; }
        float *mine = malloc(n * sizeof(float));
        const float *src = m.grads + t->offset;
        if (t->transposed) {
            int64_t rows = t->shape[1], cols = t->shape[0];
            for (int64_t r = 0; r < rows; r++)
                for (int64_t q = 0; q < cols; q++) mine[q * rows + r] = src[r * cols + q];
        } else {
            memcpy(mine, src, n * sizeof(float));
        }
        char what[200];
        snprintf(what, sizeof what, "%s grad %s", name, t->name);
        double tmax = 0;
        for (size_t e = 0; e < n; e++) tmax = fmax(tmax, fabs(g[e]));
        double atol = tmax < 1e-15 ? 1e-4 * gmax : 1e-4 * tmax;
        CHECK_MSG(check_close_f32(mine, g, n, atol, 1e-3, what, __FILE__, __LINE__), "%s", what);
        free(mine);
        free(g);
    }
    printf("%s: %lld nodes, %d layers, dropout %.2f (features %.2f, attention %.2f), loss %.6f checked\n", name,
           (long long)ds.n_nodes, cfg.n_layers, (double)cfg.dropout, (double)site_p[0], (double)site_p[2], mt.loss);
    gat_step_batch_free(&whole);
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
}

int main(void) {
    const char *fx = getenv("GAT_FIXTURES");
    char root[4096];
    snprintf(root, sizeof root, "%s/golden", fx ? fx : "tests/fixtures");
    DIR *d = opendir(root);
    CHECK_MSG(d != NULL, "fixture folder %s exists", root);
    if (!d) return check_summary();
    struct dirent *e;
    char names[32][128];
    int n = 0;
    while ((e = readdir(d)) && n < 32)
        if (e->d_name[0] != '.') snprintf(names[n++], 128, "%s", e->d_name);
    closedir(d);
    CHECK_MSG(n >= 17, "at least 17 golden cases (found %d)", n);
    for (int i = 0; i < n; i++) {
        char dir[4300];
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) run_case(dir, names[i], impl);
    }
    return check_summary();
}
