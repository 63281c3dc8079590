/* test_api.c - the in-memory API (api.h): every call, its bad inputs, borrowing without
 * copying, and that training through the handles gives the same bits as the library's own
 * path (gat_model_init + gat_train, which `gat train` runs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "gat/api.h"
#include "gat/chart.h"
#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/modelfile.h"
#include "gat/train.h"

#define FAILS(call, code) do { gat_error e_ = {0}; int rc_ = (call); \
    check_report(rc_ == (code) && e_.msg[0], __FILE__, __LINE__, "%s fails with %d (got %d: %s)", #call, code, rc_, e_.msg); \
} while (0)
#define OK(call) do { gat_error e_ = {0}; int rc_ = (call); \
    check_report(rc_ == GAT_OK, __FILE__, __LINE__, "%s (%s)", #call, e_.msg); } while (0)

static int file_size(const char *p) {
    struct stat st;
    return stat(p, &st) ? -1 : (int)st.st_size;
}

/* A small graph: a ring of n nodes, both directions, two classes by parity, dense features. */
enum { N = 30, F = 6 };
static int64_t ring_edges[2][2 * N], ring_labels[N], ring_train[10], ring_val[10], ring_test[10];
static float ring_x[N * F];

static void make_ring(void) {
    for (int i = 0; i < N; i++) {
        ring_edges[0][2 * i] = i, ring_edges[1][2 * i] = (i + 1) % N;
        ring_edges[0][2 * i + 1] = (i + 1) % N, ring_edges[1][2 * i + 1] = i;
        ring_labels[i] = i % 2;
        for (int j = 0; j < F; j++) ring_x[i * F + j] = (float)((i * 7 + j * 3) % 5) / 5.0f + (j == i % 2 ? 1.0f : 0.0f);
    }
    for (int t = 0; t < 10; t++) ring_train[t] = t, ring_val[t] = 10 + t, ring_test[t] = 20 + t;
}

static gat_data *ring_data(int own) {
    gat_data *d = NULL;
    gat_error err = {0};
    int rc = gat_data_new(&d, "ring", N, &err);
    if (!rc) rc = gat_data_set_edges(d, &ring_edges[0][0], 2 * N, own, &err);
    if (!rc) rc = gat_data_set_features(d, ring_x, F, own, &err);
    if (!rc) rc = gat_data_set_labels(d, ring_labels, 0, own, &err);
    if (!rc) rc = gat_data_set_split(d, GAT_API_TRAIN, ring_train, 10, own, &err);
    if (!rc) rc = gat_data_set_split(d, GAT_API_VAL, ring_val, 10, own, &err);
    if (!rc) rc = gat_data_set_split(d, GAT_API_TEST, ring_test, 10, own, &err);
    CHECK_MSG(rc == GAT_OK, "ring data: %s", err.msg);
    return d;
}

static void test_library(void) {
    const char *v = NULL;
    CHECK_EQ_INT(gat_api_version(&v), GAT_API_VERSION);
    CHECK(v && strstr(v, "commit"));
    CHECK_EQ_INT(gat_api_version(NULL), GAT_API_VERSION);
    CHECK_EQ_INT(gat_api_sizeof("gat_net_options"), sizeof(gat_net_options));
    CHECK_EQ_INT(gat_api_sizeof("gat_fit_options"), sizeof(gat_fit_options));
    CHECK_EQ_INT(gat_api_sizeof("gat_fit_result"), sizeof(gat_fit_result));
    CHECK_EQ_INT(gat_api_sizeof("gat_epoch_info"), sizeof(gat_epoch_info));
    CHECK_EQ_INT(gat_api_sizeof("gat_data_info"), sizeof(gat_data_info));
    CHECK_EQ_INT(gat_api_sizeof("gat_net_info"), sizeof(gat_net_info));
    CHECK_EQ_INT(gat_api_sizeof("gat_model"), 0);
    CHECK_EQ_INT(gat_api_sizeof(NULL), 0);
    CHECK(gat_api_set_threads(1) == 1);
    CHECK(gat_api_set_threads(0) >= 1);
    gat_api_set_threads(1);
}

static void test_data_bad_inputs(void) {
    gat_data *d = (gat_data *)1;
    FAILS(gat_data_new(&d, "x", 0, &e_), GAT_EINVAL);
    CHECK(d == NULL);
    FAILS(gat_data_new(NULL, "x", 3, &e_), GAT_EINVAL);
    char longname[100];
    memset(longname, 'a', sizeof longname - 1);
    longname[99] = 0;
    FAILS(gat_data_new(&d, longname, 3, &e_), GAT_EINVAL);
    FAILS(gat_data_new(&d, "", 3, &e_), GAT_EINVAL);
    FAILS(gat_data_open(&d, "no_such_dataset", NULL, &e_), GAT_ENOTFOUND);
    FAILS(gat_data_open(&d, NULL, NULL, &e_), GAT_EINVAL);
    CHECK(gat_data_new(&d, NULL, 4, NULL) == GAT_OK);
    gat_data_info info;
    CHECK(gat_data_get_info(d, &info) == GAT_OK && !strcmp(info.name, "graph") && info.n_nodes == 4 && info.task == -1 &&
          info.features == 0 && info.borrowed == 0);
    CHECK(gat_data_get_info(NULL, &info) == GAT_EINVAL);

    int64_t e_bad[2][2] = {{0, 4}, {1, 2}}, e_neg[2][2] = {{0, 1}, {-1, 2}}, e_ok[2][2] = {{0, 1}, {1, 2}};
    FAILS(gat_data_set_edges(d, &e_bad[0][0], 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_edges(d, &e_neg[0][0], 2, GAT_COPY, &e_), GAT_ERANGE);
    FAILS(gat_data_set_edges(d, NULL, 2, GAT_COPY, &e_), GAT_EINVAL);
    FAILS(gat_data_set_edges(d, &e_ok[0][0], -1, GAT_COPY, &e_), GAT_EINVAL);
    FAILS(gat_data_set_edges(NULL, &e_ok[0][0], 2, GAT_COPY, &e_), GAT_EINVAL);
    {
        gat_error e = {0};
        gat_data_set_edges(d, &e_bad[0][0], 2, GAT_BORROW, &e);
        CHECK_MSG(strstr(e.msg, "edge 1 (4 -> 2)") != NULL, "message names the edge: %s", e.msg);
    }
    OK(gat_data_set_edges(d, NULL, 0, GAT_BORROW, &e_));
    OK(gat_data_set_edges(d, &e_ok[0][0], 2, GAT_BORROW, &e_));

    float x[4 * 2] = {1, 0, 0, 1, 1, 1, 0.5f, 0.5f};
    float xnan[4 * 2] = {1, 0, 0, 1, NAN, 1, 0.5f, 0.5f}, xinf[4 * 2] = {1, 0, 0, 1, 1, INFINITY, 0, 0};
    FAILS(gat_data_set_features(d, xnan, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_features(d, xinf, 2, GAT_COPY, &e_), GAT_ERANGE);
    FAILS(gat_data_set_features(d, x, 0, GAT_COPY, &e_), GAT_EINVAL);
    FAILS(gat_data_set_features(d, NULL, 2, GAT_COPY, &e_), GAT_EINVAL);
    FAILS(gat_data_set_features(d, x, INT64_MAX / 2, GAT_COPY, &e_), GAT_EINVAL);
    FAILS(gat_data_normalize_rows(d, &e_), GAT_EINVAL); /* no features yet */

    int64_t ip[5] = {0, 1, 2, 3, 4}, ip_start[5] = {1, 1, 2, 3, 4}, ip_dec[5] = {0, 2, 1, 3, 4};
    int32_t ix[4] = {0, 1, 0, 1}, ix_bad[4] = {0, 1, 2, 1}, ix_neg[4] = {0, -1, 0, 1};
    float v[4] = {1, 2, 3, 4}, v_nan[4] = {1, NAN, 3, 4};
    FAILS(gat_data_set_features_csr(d, ip_start, ix, v, 2, GAT_BORROW, &e_), GAT_EFORMAT);
    FAILS(gat_data_set_features_csr(d, ip_dec, ix, v, 2, GAT_BORROW, &e_), GAT_EFORMAT);
    FAILS(gat_data_set_features_csr(d, ip, ix_bad, v, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_features_csr(d, ip, ix_neg, v, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_features_csr(d, ip, ix, v_nan, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_features_csr(d, ip, ix, v, 0, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_features_csr(d, ip, NULL, v, 2, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_features_csr(d, NULL, ix, v, 2, GAT_BORROW, &e_), GAT_EINVAL);
    OK(gat_data_set_features_csr(d, ip, ix, v, 2, GAT_COPY, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.features == 2 && info.nnz_features == 4 && info.n_features == 2);
    OK(gat_data_set_features(d, x, 2, GAT_BORROW, &e_)); /* replaces the CSR features */
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.features == 1 && info.nnz_features == 8 && info.borrowed == 3);

    int64_t y_low[4] = {0, -2, 1, 0}, y_none[4] = {-1, -1, -1, -1}, y_ok[4] = {0, 1, -1, 1};
    FAILS(gat_data_set_labels(d, y_low, 0, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_labels(d, y_none, 0, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_labels(d, y_ok, 1, GAT_BORROW, &e_), GAT_ERANGE); /* label 1 with 1 class */
    FAILS(gat_data_set_labels(d, y_ok, -3, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_labels(d, NULL, 0, GAT_BORROW, &e_), GAT_EINVAL);
    const char *names2[2] = {"a", "b"}, *names_null[2] = {"a", NULL};
    FAILS(gat_data_set_class_names(d, names2, 2, &e_), GAT_EINVAL); /* before labels */
    OK(gat_data_set_labels(d, y_ok, 3, GAT_COPY, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.n_classes == 3 && info.task == 0);
    FAILS(gat_data_set_class_names(d, names2, 2, &e_), GAT_ESHAPE);
    const char *names3[3] = {"a", "b", "c"};
    FAILS(gat_data_set_class_names(d, names_null, 3, &e_), GAT_EINVAL);
    OK(gat_data_set_class_names(d, names3, 3, &e_));
    OK(gat_data_set_class_names(d, names3, 3, &e_)); /* replaces them */
    OK(gat_data_set_labels(d, y_ok, 0, GAT_COPY, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.n_classes == 2);

    float t_bad[4 * 2] = {0, 1, 1, 0.5f, 0, 0, 1, 1}, t_ok[4 * 2] = {0, 1, 1, 1, 0, 0, 1, 0};
    FAILS(gat_data_set_targets(d, t_bad, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_targets(d, t_ok, 0, GAT_BORROW, &e_), GAT_EINVAL);
    OK(gat_data_set_targets(d, t_ok, 2, GAT_BORROW, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.task == 1 && info.n_classes == 2);

    int64_t ids[2] = {0, 3}, ids_bad[2] = {0, 4};
    FAILS(gat_data_set_split(d, 3, ids, 2, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_split(d, -1, ids, 2, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_split(d, GAT_API_TRAIN, ids_bad, 2, GAT_BORROW, &e_), GAT_ERANGE);
    FAILS(gat_data_set_split(d, GAT_API_TRAIN, NULL, 2, GAT_BORROW, &e_), GAT_EINVAL);
    FAILS(gat_data_set_split(d, GAT_API_TRAIN, ids, -2, GAT_BORROW, &e_), GAT_EINVAL);
    OK(gat_data_set_split(d, GAT_API_TEST, ids, 2, GAT_BORROW, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.split_size[2] == 2);
    OK(gat_data_set_split(d, GAT_API_TEST, NULL, 0, GAT_BORROW, &e_));
    CHECK(gat_data_get_info(d, &info) == GAT_OK && info.split_size[2] == 0);

    /* normalising borrowed features copies them: the caller's array is unchanged */
    float before[8];
    memcpy(before, x, sizeof before);
    OK(gat_data_normalize_rows(d, &e_));
    CHECK(memcmp(before, x, sizeof before) == 0);
    gat_data_free(d);
    gat_data_free(NULL);
}

static void test_net_bad_inputs(void) {
    gat_net *net = (gat_net *)1;
    gat_net_options o = gat_net_options_default(F, 2);
    CHECK(o.n_layers == 2 && o.heads[0] == 8 && o.heads[1] == 1 && o.features[0] == 8 && o.features[1] == 2 &&
          o.bias == 1 && o.skip == 0 && fabs(o.dropout - 0.6) < 1e-6);
    gat_net_options b = o;
    b.n_layers = 0;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    CHECK(net == NULL);
    b = o, b.n_layers = GAT_API_MAX_LAYERS + 1;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.features[1] = 3;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.heads[0] = 0;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.dropout = 1.0;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.dropout = NAN;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.slope = -1;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.n_in = 0;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.n_classes = 0;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.attention_type = 2;
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    b = o, b.share_weights = 1; /* a gatv2 setting */
    FAILS(gat_net_new(&net, &b, 1, &e_), GAT_EINVAL);
    CHECK(o.attention_type == 0 && o.share_weights == 0);
    /* GATv2 through the API: its options come back from a saved and loaded file */
    b = o, b.attention_type = 1, b.share_weights = 1;
    OK(gat_net_new(&net, &b, 1, &e_));
    {
        char p2[1024];
        snprintf(p2, sizeof p2, "%s/v2.safetensors", check_tmpdir("api_v2"));
        OK(gat_net_save(net, p2, &e_));
        gat_net_free(net);
        OK(gat_net_load(&net, p2, &e_));
        gat_net_info info;
        CHECK(gat_net_get_info(net, &info) == GAT_OK && info.options.attention_type == 1 && info.options.share_weights == 1);
        gat_net_free(net);
    }
    /* no_self_loops through the API: the ring's 60 edges as given, none added; a node whose
     * in-edges are taken away gets its bias only; the option comes back from a saved file */
    {
        CHECK(o.no_self_loops == 0);
        b = o, b.no_self_loops = 1;
        OK(gat_net_new(&net, &b, 1, &e_));
        int64_t ei[2][2 * N], ne = 0;
        for (int k = 0; k < 2 * N; k++)
            if (ring_edges[1][k] != 5) ei[0][ne] = ring_edges[0][k], ei[1][ne++] = ring_edges[1][k];
        int64_t flat[4 * N];
        memcpy(flat, ei[0], (size_t)ne * sizeof *flat);
        memcpy(flat + ne, ei[1], (size_t)ne * sizeof *flat);
        gat_data *dn = NULL;
        gat_error e = {0};
        CHECK(gat_data_new(&dn, "ring5", N, &e) == GAT_OK && gat_data_set_edges(dn, flat, ne, GAT_COPY, &e) == GAT_OK &&
              gat_data_set_features(dn, ring_x, F, GAT_COPY, &e) == GAT_OK);
        int64_t entries = 0, heads = 0;
        OK(gat_net_attention_size(net, dn, 0, &entries, &heads, &e_));
        CHECK_MSG(entries == ne && ne == 2 * N - 2, "no self loops: %lld entries for %lld edges", (long long)entries,
                  (long long)ne);
        float logits[N * 2];
        OK(gat_net_predict(net, dn, GAT_OUT_LOGITS, logits, N * 2, &e_));
        gat_net_info info;
        CHECK(gat_net_get_info(net, &info) == GAT_OK && info.options.no_self_loops == 1);
        /* node 5: the last layer's bias (zero at initialisation) */
        CHECK_MSG(logits[10] == 0.0f && logits[11] == 0.0f && isfinite(logits[12]),
                  "a node without in-edges: logits %g %g (its bias)", logits[10], logits[11]);
        char p3[1024];
        snprintf(p3, sizeof p3, "%s/noloops.safetensors", check_tmpdir("api_noloops"));
        OK(gat_net_save(net, p3, &e_));
        gat_net_free(net);
        OK(gat_net_load(&net, p3, &e_));
        CHECK(gat_net_get_info(net, &info) == GAT_OK && info.options.no_self_loops == 1);
        gat_net_free(net);
        b = o; /* the default adds them: 60 edges + 30 self loops on the full ring */
        OK(gat_net_new(&net, &b, 1, &e_));
        gat_data *dr = ring_data(GAT_BORROW);
        OK(gat_net_attention_size(net, dr, 0, &entries, &heads, &e_));
        CHECK_EQ_INT(entries, 3 * N);
        gat_data_free(dr);
        gat_data_free(dn);
        gat_net_free(net);
    }
    FAILS(gat_net_new(&net, NULL, 1, &e_), GAT_EINVAL);
    FAILS(gat_net_new(NULL, &o, 1, &e_), GAT_EINVAL);
    FAILS(gat_net_load(&net, "/nonexistent/model.safetensors", &e_), GAT_ENOTFOUND);
    FAILS(gat_net_load(&net, NULL, &e_), GAT_EINVAL);
    /* a file that is not a model */
    char path[1024];
    snprintf(path, sizeof path, "%s/junk.safetensors", check_tmpdir("api_bad"));
    FILE *fp = fopen(path, "wb");
    fputs("not a model", fp);
    fclose(fp);
    {
        gat_error e = {0};
        CHECK(gat_net_load(&net, path, &e) < 0 && strstr(e.msg, "junk.safetensors"));
    }
    gat_net_free(NULL);

    OK(gat_net_new(&net, &o, 3, &e_));
    gat_data *d = ring_data(GAT_BORROW), *bare = NULL, *wide = NULL;
    gat_fit_options fo = gat_fit_options_default();
    CHECK(fo.max_epochs == 10000 && fo.patience == 1000 && fo.seed == 1 && fo.keep_best == 1 && fabs(fo.lr - 0.005) < 1e-12);
    fo.max_epochs = 3;
    gat_fit_options bo = fo;
    bo.lr = 0;
    FAILS(gat_net_fit(net, d, &bo, NULL, NULL, NULL, &e_), GAT_EINVAL);
    bo = fo, bo.max_epochs = 0;
    FAILS(gat_net_fit(net, d, &bo, NULL, NULL, NULL, &e_), GAT_EINVAL);
    bo = fo, bo.patience = 0;
    FAILS(gat_net_fit(net, d, &bo, NULL, NULL, NULL, &e_), GAT_EINVAL);
    FAILS(gat_net_fit(NULL, d, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);
    FAILS(gat_net_fit(net, NULL, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);

    /* graphs that do not fit: no features, another width, no labels, other classes, no splits */
    CHECK(gat_data_new(&bare, "bare", N, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);
    float xw[N * (F + 1)];
    for (int i = 0; i < N * (F + 1); i++) xw[i] = 1;
    CHECK(gat_data_set_features(bare, xw, F + 1, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_ESHAPE);
    float out[N * 2];
    FAILS(gat_net_predict(net, bare, GAT_OUT_LOGITS, out, N * 2, &e_), GAT_ESHAPE);
    CHECK(gat_data_set_features(bare, ring_x, F, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);   /* no labels */
    FAILS(gat_net_evaluate(net, bare, GAT_API_VAL, NULL, NULL, &e_), GAT_EINVAL);
    int64_t y3[N];
    for (int i = 0; i < N; i++) y3[i] = i % 3;
    CHECK(gat_data_set_labels(bare, y3, 0, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_ESHAPE);   /* 3 classes, model has 2 */
    CHECK(gat_data_set_labels(bare, ring_labels, 0, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);   /* no train split */
    CHECK(gat_data_set_split(bare, GAT_API_TRAIN, ring_train, 10, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_EINVAL);   /* no val split */
    FAILS(gat_net_evaluate(net, bare, GAT_API_TEST, NULL, NULL, &e_), GAT_EINVAL);
    FAILS(gat_net_evaluate(net, d, 5, NULL, NULL, &e_), GAT_EINVAL);
    int64_t y_unl[N];
    memcpy(y_unl, ring_labels, sizeof y_unl);
    y_unl[ring_val[4]] = -1;
    CHECK(gat_data_set_labels(bare, y_unl, 2, GAT_BORROW, NULL) == GAT_OK);
    CHECK(gat_data_set_split(bare, GAT_API_VAL, ring_val, 10, GAT_BORROW, NULL) == GAT_OK);
    FAILS(gat_net_fit(net, bare, &fo, NULL, NULL, NULL, &e_), GAT_ERANGE);   /* a val node without label */

    /* inference: outputs, buffers */
    FAILS(gat_net_predict(net, d, 7, out, N * 2, &e_), GAT_EINVAL);
    FAILS(gat_net_predict(net, d, GAT_OUT_SOFTMAX, out, N * 2 - 1, &e_), GAT_ESHAPE);
    FAILS(gat_net_predict(net, d, GAT_OUT_SOFTMAX, NULL, N * 2, &e_), GAT_EINVAL);
    FAILS(gat_net_predict(NULL, d, GAT_OUT_SOFTMAX, out, N * 2, &e_), GAT_EINVAL);
    int64_t nnz, heads;
    FAILS(gat_net_attention_size(net, d, 2, &nnz, &heads, &e_), GAT_EINVAL);
    FAILS(gat_net_attention_size(net, d, -1, &nnz, &heads, &e_), GAT_EINVAL);
    OK(gat_net_attention_size(net, d, 0, &nnz, &heads, &e_));
    CHECK_EQ_INT(nnz, 2 * N + N);
    CHECK_EQ_INT(heads, 8);
    int64_t *ei = malloc(sizeof *ei * 2 * nnz);
    float *w = malloc(sizeof *w * nnz * heads);
    FAILS(gat_net_attention(net, d, 0, ei, 2 * nnz - 1, NULL, w, nnz * heads, &e_), GAT_ESHAPE);
    FAILS(gat_net_attention(net, d, 0, ei, 2 * nnz, NULL, w, nnz * heads - 1, &e_), GAT_ESHAPE);
    FAILS(gat_net_attention(net, d, 0, NULL, 2 * nnz, NULL, w, nnz * heads, &e_), GAT_EINVAL);
    FAILS(gat_net_attention(net, d, 0, ei, 2 * nnz, NULL, NULL, nnz * heads, &e_), GAT_EINVAL);
    free(ei);
    free(w);

    /* tensors */
    int count = gat_net_tensor_count(net);
    CHECK_EQ_INT(count, 8); /* 2 layers x (W, a_src, a_dst, bias) */
    CHECK(gat_net_tensor_count(NULL) < 0);
    CHECK(gat_net_tensor_info(net, count, NULL, NULL, NULL) == GAT_EINVAL);
    CHECK(gat_net_tensor_info(net, -1, NULL, NULL, NULL) == GAT_EINVAL);
    FAILS(gat_net_tensor(net, count, out, N * 2, &e_), GAT_EINVAL);
    FAILS(gat_net_tensor(net, 0, out, 1, &e_), GAT_ESHAPE);
    FAILS(gat_net_tensor(net, 0, NULL, 1000, &e_), GAT_EINVAL);
    FAILS(gat_net_save(net, NULL, &e_), GAT_EINVAL);
    FAILS(gat_net_save(NULL, "x", &e_), GAT_EINVAL);
    FAILS(gat_net_save(net, "/nonexistent/dir/m.safetensors", &e_), GAT_EIO);

    /* pictures */
    char stem[1024];
    snprintf(stem, sizeof stem, "%s/att", check_tmpdir("api_bad_draw"));
    FAILS(gat_net_draw_attention(net, d, N, 0, 0, stem, 3, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, -1, 0, 0, stem, 3, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, 0, 2, 0, stem, 3, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, 0, 0, 8, stem, 3, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, 0, 0, -3, stem, 3, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, 0, 0, 0, stem, 0, NULL, 0, &e_), GAT_EINVAL);
    FAILS(gat_net_draw_attention(net, d, 0, 0, 0, NULL, 3, NULL, 0, &e_), GAT_EINVAL);
    gat_net_info ni;
    CHECK(gat_net_get_info(NULL, &ni) == GAT_EINVAL);
    gat_data_free(bare);
    gat_data_free(wide);
    gat_data_free(d);
    gat_net_free(net);
}

/* ---- callbacks ---- */
typedef struct {
    int64_t stop_at, calls, last_epoch;
    int status;
} cb_state;

static int cb_stop(const gat_epoch_info *e, void *user, gat_error *err) {
    cb_state *s = user;
    s->calls++;
    s->last_epoch = e->epoch;
    if (e->epoch == s->stop_at) {
        if (s->status < 0) return gat_error_set(err, s->status, "callback says no at epoch %lld", (long long)e->epoch);
        return s->status;
    }
    return 0;
}

static void test_ring_training(void) {
    gat_data *d = ring_data(GAT_BORROW), *dc = ring_data(GAT_COPY);
    gat_data_info info;
    gat_data_get_info(d, &info);
    CHECK_EQ_INT(info.borrowed, 7);
    gat_data_get_info(dc, &info);
    CHECK_EQ_INT(info.borrowed, 0);
    CHECK(info.n_edges == 2 * N && info.n_classes == 2 && info.n_features == F && info.split_size[0] == 10);
    gat_net_options o = gat_net_options_default(F, 2);
    gat_fit_options fo = gat_fit_options_default();
    fo.max_epochs = 40;
    fo.seed = 7;
    gat_net *a = NULL, *b = NULL;
    OK(gat_net_new(&a, &o, 7, &e_));
    OK(gat_net_new(&b, &o, 7, &e_));
    gat_fit_result ra, rb;
    cb_state st = {.stop_at = -1};
    OK(gat_net_fit(a, d, &fo, cb_stop, &st, &ra, &e_));
    OK(gat_net_fit(b, dc, &fo, NULL, NULL, &rb, &e_));
    CHECK_EQ_INT(st.calls, 40);
    CHECK_EQ_INT(ra.epochs, 40);
    CHECK_EQ_INT(ra.stop, GAT_FIT_MAX_EPOCHS);
    CHECK(ra.best_epoch >= 1 && ra.best_epoch <= 40 && ra.val_score >= 0 && ra.val_score <= 1);
    /* borrowed and copied arrays, callback or not: the same bits */
    int nt = gat_net_tensor_count(a);
    int same = 1;
    for (int i = 0; i < nt; i++) {
        int64_t shape[3];
        int ndim;
        const char *name;
        gat_net_tensor_info(a, i, &name, &ndim, shape);
        int64_t size = 1;
        for (int k = 0; k < ndim; k++) size *= shape[k];
        float *ta = malloc(sizeof *ta * size), *tb = malloc(sizeof *tb * size);
        gat_net_tensor(a, i, ta, size, NULL);
        gat_net_tensor(b, i, tb, size, NULL);
        same &= memcmp(ta, tb, sizeof *ta * size) == 0;
        free(ta);
        free(tb);
    }
    CHECK_MSG(same, "borrowed and copied graphs train to the same parameters");
    CHECK(ra.best_epoch == rb.best_epoch && ra.val_score == rb.val_score);

    /* evaluate = the fit's final validation score */
    double loss, score;
    OK(gat_net_evaluate(a, d, GAT_API_VAL, &loss, &score, &e_));
    CHECK(score == ra.val_score && loss == ra.val_loss);
    OK(gat_net_evaluate(a, d, GAT_API_TEST, &loss, &score, &e_));
    gat_net_info ni;
    CHECK(gat_net_get_info(a, &ni) == GAT_OK && !strcmp(ni.dataset, "ring") && ni.epochs == 40 &&
          ni.best_epoch == ra.best_epoch && ni.seed == 7 && ni.test_score == score && ni.n_params > 0);

    /* callback stops cleanly at epoch 5: keep_best restores the best of epochs 1..5 */
    gat_net *c = NULL;
    OK(gat_net_new(&c, &o, 7, &e_));
    st = (cb_state){.stop_at = 5, .status = 1};
    gat_fit_result rc;
    OK(gat_net_fit(c, d, &fo, cb_stop, &st, &rc, &e_));
    CHECK_EQ_INT(st.calls, 5);
    CHECK_EQ_INT(rc.epochs, 5);
    CHECK_EQ_INT(rc.stop, GAT_FIT_STOPPED);
    CHECK(rc.best_epoch >= 1 && rc.best_epoch <= 5);
    CHECK_NEAR(rc.val_score, rc.best_val_score, 0);
    /* a callback error aborts with its status and message */
    st = (cb_state){.stop_at = 3, .status = GAT_EIO};
    {
        gat_error e = {0};
        CHECK(gat_net_fit(c, d, &fo, cb_stop, &st, NULL, &e) == GAT_EIO && strstr(e.msg, "callback says no"));
    }
    st = (cb_state){.stop_at = 2, .status = 5};
    FAILS(gat_net_fit(c, d, &fo, cb_stop, &st, NULL, &e_), GAT_EINVAL);
    /* patience */
    fo.patience = 3;
    fo.max_epochs = 1000;
    OK(gat_net_fit(c, d, &fo, NULL, NULL, &rc, &e_));
    CHECK(rc.stop == GAT_FIT_PATIENCE && rc.epochs < 1000);

    /* predictions: softmax rows sum to 1 and agree with the logits; sigmoid in (0, 1) */
    float logits[N * 2], prob[N * 2], sig[N * 2];
    OK(gat_net_predict(a, d, GAT_OUT_LOGITS, logits, N * 2, &e_));
    OK(gat_net_predict(a, d, GAT_OUT_SOFTMAX, prob, N * 2, &e_));
    OK(gat_net_predict(a, d, GAT_OUT_SIGMOID, sig, N * 2, &e_));
    int ok = 1;
    for (int i = 0; i < N; i++) {
        ok &= fabsf(prob[2 * i] + prob[2 * i + 1] - 1) < 1e-5f;
        ok &= (logits[2 * i] > logits[2 * i + 1]) == (prob[2 * i] > prob[2 * i + 1]) || logits[2 * i] == logits[2 * i + 1];
        ok &= fabsf(sig[2 * i] - 1 / (1 + expf(-logits[2 * i]))) < 1e-6f && sig[2 * i] > 0 && sig[2 * i] < 1;
    }
    CHECK_MSG(ok, "softmax and sigmoid outputs agree with the logits");
    /* accuracy from the predictions = evaluate's score */
    int correct = 0;
    for (int t = 0; t < 10; t++) {
        int i = (int)ring_test[t];
        correct += (prob[2 * i + 1] > prob[2 * i]) == (ring_labels[i] == 1);
    }
    CHECK_NEAR(correct / 10.0, score, 1e-12);

    /* inductive: another graph (half the ring, no labels, copied) gets predictions */
    gat_data *half = NULL;
    CHECK(gat_data_new(&half, "half", N / 2, NULL) == GAT_OK);
    int64_t he[2][N / 2 - 1];
    for (int i = 0; i < N / 2 - 1; i++) he[0][i] = i, he[1][i] = i + 1;
    OK(gat_data_set_edges(half, &he[0][0], N / 2 - 1, GAT_COPY, &e_));
    OK(gat_data_set_features(half, ring_x, F, GAT_COPY, &e_));
    float hp[N];
    OK(gat_net_predict(a, half, GAT_OUT_SOFTMAX, hp, N, &e_));
    ok = 1;
    for (int i = 0; i < N / 2; i++) ok &= isfinite(hp[2 * i]) && fabsf(hp[2 * i] + hp[2 * i + 1] - 1) < 1e-5f;
    CHECK(ok);
    FAILS(gat_net_evaluate(a, half, GAT_API_VAL, NULL, NULL, &e_), GAT_EINVAL);
    /* the session follows changes of the graph: new edges, new predictions */
    he[1][0] = 5;
    OK(gat_data_set_edges(half, &he[0][0], N / 2 - 1, GAT_COPY, &e_));
    float hp2[N];
    OK(gat_net_predict(a, half, GAT_OUT_SOFTMAX, hp2, N, &e_));
    CHECK(memcmp(hp, hp2, sizeof hp) != 0);

    /* attention: edges map to the input, rows sum to 1 per head */
    int64_t nnz, heads;
    OK(gat_net_attention_size(a, d, 1, &nnz, &heads, &e_));
    CHECK(nnz == 3 * N && heads == 1);
    OK(gat_net_attention_size(a, d, 0, &nnz, &heads, &e_));
    int64_t *ei = malloc(sizeof *ei * 2 * nnz), *eid = malloc(sizeof *eid * nnz);
    float *w = malloc(sizeof *w * nnz * heads);
    OK(gat_net_attention(a, d, 0, ei, 2 * nnz, eid, w, nnz * heads, &e_));
    double *rowsum = calloc((size_t)(N * heads), sizeof *rowsum);
    int map_ok = 1, loops = 0;
    for (int64_t k = 0; k < nnz; k++) {
        if (eid[k] < 0) {
            loops++;
            map_ok &= ei[k] == ei[nnz + k];
        } else {
            map_ok &= ei[k] == ring_edges[0][eid[k]] && ei[nnz + k] == ring_edges[1][eid[k]];
        }
        for (int64_t h = 0; h < heads; h++) rowsum[ei[nnz + k] * heads + h] += w[k * heads + h];
    }
    CHECK(map_ok);
    CHECK_EQ_INT(loops, N);
    ok = 1;
    for (int i = 0; i < N * heads; i++) ok &= fabs(rowsum[i] - 1) < 1e-5;
    CHECK_MSG(ok, "attention of every node sums to 1 per head");
    OK(gat_net_attention(a, d, 0, ei, 2 * nnz, NULL, w, nnz * heads, &e_));
    free(rowsum);
    free(ei);
    free(eid);
    free(w);

    /* save / load round trip: same tensors, same predictions, metadata kept */
    const char *tmp = check_tmpdir("api_ring");
    char path[1024], stem[1024], paths[4096];
    snprintf(path, sizeof path, "%s/ring.safetensors", tmp);
    OK(gat_net_save(a, path, &e_));
    gat_net *l = NULL;
    OK(gat_net_load(&l, path, &e_));
    float lp[N * 2];
    OK(gat_net_predict(l, d, GAT_OUT_SOFTMAX, lp, N * 2, &e_));
    CHECK(memcmp(lp, prob, sizeof lp) == 0);
    gat_net_info li;
    gat_net_get_info(l, &li);
    CHECK(!strcmp(li.dataset, "ring") && li.epochs == 40 && li.best_epoch == ra.best_epoch && li.seed == 7 &&
          li.options.heads[0] == 8 && li.options.n_in == F && li.options.n_classes == 2 && li.n_params == ni.n_params);
    CHECK_NEAR(li.val_score, ra.val_score, 1e-6);

    /* pictures: one head, mean, all heads; PNG, SVG or both */
    snprintf(stem, sizeof stem, "%s/att_head0", tmp);
    OK(gat_net_draw_attention(l, d, 3, 0, 0, stem, 3, paths, sizeof paths, &e_));
    char png[1100], svg[1100];
    snprintf(png, sizeof png, "%s.png", stem);
    snprintf(svg, sizeof svg, "%s.svg", stem);
    CHECK(file_size(png) > 1000 && file_size(svg) > 1000);
    CHECK(strstr(paths, png) && strstr(paths, svg));
    snprintf(stem, sizeof stem, "%s/att_all", tmp);
    OK(gat_net_draw_attention(l, d, 3, 0, -2, stem, 2, paths, sizeof paths, &e_));
    snprintf(png, sizeof png, "%s.png", stem);
    snprintf(svg, sizeof svg, "%s.svg", stem);
    CHECK(file_size(png) < 0 && file_size(svg) > 1000);
    snprintf(stem, sizeof stem, "%s/att_mean", tmp);
    OK(gat_net_draw_attention(l, half, 2, 1, -1, stem, 1, NULL, 0, &e_));
    snprintf(png, sizeof png, "%s.png", stem);
    CHECK(file_size(png) > 1000);

    gat_net_free(l);
    gat_net_free(a);
    gat_net_free(b);
    gat_net_free(c);
    gat_data_free(half);
    gat_data_free(d);
    gat_data_free(dc);
}

/* Multi-label targets: trains, scores micro-F1, sigmoid outputs. */
static void test_multilabel(void) {
    gat_data *d = NULL;
    CHECK(gat_data_new(&d, "multi", N, NULL) == GAT_OK);
    float t[N * 3];
    for (int i = 0; i < N; i++) {
        t[3 * i] = (float)(i % 2);
        t[3 * i + 1] = (float)(i % 3 == 0);
        t[3 * i + 2] = 1;
    }
    OK(gat_data_set_edges(d, &ring_edges[0][0], 2 * N, GAT_BORROW, &e_));
    OK(gat_data_set_features(d, ring_x, F, GAT_BORROW, &e_));
    OK(gat_data_set_targets(d, t, 3, GAT_BORROW, &e_));
    OK(gat_data_set_split(d, GAT_API_TRAIN, ring_train, 10, GAT_BORROW, &e_));
    OK(gat_data_set_split(d, GAT_API_VAL, ring_val, 10, GAT_BORROW, &e_));
    gat_net_options o = gat_net_options_default(F, 3);
    gat_net *net = NULL;
    OK(gat_net_new(&net, &o, 2, &e_));
    gat_fit_options fo = gat_fit_options_default();
    fo.max_epochs = 30;
    gat_fit_result r;
    OK(gat_net_fit(net, d, &fo, NULL, NULL, &r, &e_));
    CHECK(r.epochs == 30 && r.val_score > 0 && r.val_score <= 1);
    float p[N * 3];
    OK(gat_net_predict(net, d, GAT_OUT_SIGMOID, p, N * 3, &e_));
    int ok = 1;
    for (int i = 0; i < N * 3; i++) ok &= p[i] > 0 && p[i] < 1;
    CHECK(ok);
    gat_net_free(net);
    gat_data_free(d);
}

/* Cora through the handles = Cora through gat_model_init + gat_train (what `gat train` runs),
 * bit for bit; CSR features given as borrowed arrays = the folder's. */
static void test_cora_same_bits(void) {
    const char *data = check_data_dir();
    gat_error err = {0};
    gat_dataset ds;
    CHECK(gat_dataset_open(&ds, "cora", data, &err) == GAT_OK);
    gat_dataset_normalize_rows(&ds);
    const int64_t epochs = 15;
    /* the library's own path */
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_model m;
    gat_session s;
    gat_train_options to = gat_train_options_default();
    to.max_epochs = epochs;
    to.seed = 1;
    gat_train_result tr;
    CHECK(gat_model_init(&m, &cfg, 1, &err) == GAT_OK);
    CHECK(gat_session_init(&s, &ds, &m, &err) == GAT_OK);
    CHECK(gat_train(&m, &s, &to, NULL, NULL, &tr, &err) == GAT_OK);

    /* the handles: from the folder, and from borrowed arrays of the same data (not normalised) */
    gat_data *fd = NULL, *md = NULL;
    OK(gat_data_open(&fd, "cora", data, &e_));
    OK(gat_data_normalize_rows(fd, &e_));
    gat_dataset raw;
    CHECK(gat_dataset_open(&raw, "cora", data, &err) == GAT_OK);
    int64_t *ei = malloc(sizeof *ei * 2 * raw.n_edges);
    memcpy(ei, raw.edge_src, sizeof *ei * raw.n_edges);
    memcpy(ei + raw.n_edges, raw.edge_dst, sizeof *ei * raw.n_edges);
    float *vals_before = malloc(sizeof *vals_before * raw.features.nnz);
    memcpy(vals_before, raw.features.val, sizeof *vals_before * raw.features.nnz);
    OK(gat_data_new(&md, "cora", raw.n_nodes, &e_));
    OK(gat_data_set_edges(md, ei, raw.n_edges, GAT_BORROW, &e_));
    OK(gat_data_set_features_csr(md, raw.features.row_ptr, raw.features.col_idx, raw.features.val, raw.n_features,
                                 GAT_BORROW, &e_));
    OK(gat_data_set_labels(md, raw.labels, raw.n_classes, GAT_BORROW, &e_));
    for (int sp = 0; sp < 3; sp++) OK(gat_data_set_split(md, sp, raw.split[sp], raw.split_size[sp], GAT_BORROW, &e_));
    OK(gat_data_set_class_names(md, (const char *const *)raw.class_names, raw.n_classes, &e_));
    gat_data_info info;
    gat_data_get_info(md, &info);
    CHECK_EQ_INT(info.borrowed, 9);
    OK(gat_data_normalize_rows(md, &e_));
    gat_data_get_info(md, &info);
    CHECK_EQ_INT(info.borrowed, 8); /* the values were copied to be scaled */
    CHECK(memcmp(vals_before, raw.features.val, sizeof *vals_before * raw.features.nnz) == 0);

    gat_net_options o = gat_net_options_default(ds.n_features, ds.n_classes);
    gat_fit_options fo = gat_fit_options_default();
    fo.max_epochs = epochs;
    gat_data *both[2] = {fd, md};
    for (int k = 0; k < 2; k++) {
        gat_net *net = NULL;
        gat_fit_result r;
        OK(gat_net_new(&net, &o, 1, &e_));
        OK(gat_net_fit(net, both[k], &fo, NULL, NULL, &r, &e_));
        int same = 1;
        for (int i = 0; i < m.n_tensors; i++) {
            const gat_tensor *t = &m.tensors[i];
            float *got = malloc(sizeof *got * t->size);
            const char *name;
            gat_net_tensor_info(net, i, &name, NULL, NULL);
            same &= !strcmp(name, t->name);
            gat_net_tensor(net, i, got, (int64_t)t->size, NULL);
            if (t->transposed) {
                int64_t rows = t->shape[1], cols = t->shape[0];
                for (int64_t a = 0; a < rows; a++)
                    for (int64_t q = 0; q < cols; q++) same &= got[q * rows + a] == m.params[t->offset + a * cols + q];
            } else {
                same &= memcmp(got, m.params + t->offset, sizeof *got * t->size) == 0;
            }
            free(got);
        }
        CHECK_MSG(same, "Cora through the handles (%s) = gat_train, bit for bit", k ? "borrowed arrays" : "folder");
        CHECK_EQ_INT(r.best_epoch, tr.best_epoch);
        CHECK(r.best_val_score == tr.best_val.score);
        double loss, score;
        OK(gat_net_evaluate(net, both[k], GAT_API_TEST, &loss, &score, &e_));
        CHECK(score > 0.5 && score <= 1);
        gat_net_free(net);
    }
    gat_data_free(fd);
    gat_data_free(md);
    free(ei);
    free(vals_before);
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&raw);
    gat_dataset_free(&ds);
}

int main(void) {
    make_ring();
    gat_api_set_threads(1); /* results do not depend on it (test_train); one thread is fastest on a busy machine */
    test_library();
    test_data_bad_inputs();
    test_net_bad_inputs();
    test_ring_training();
    test_multilabel();
    test_cora_same_bits();
    gat_chart_shutdown(); /* the font caches of the pictures, so leak checkers see none */
    return check_summary();
}
