/* test_dropout_keys.c - dropout masks are keyed by what they drop, not by how it is stored:
 * the input mask by (global node, feature), so the same features stored sparse (.npz) or
 * dense (.npy) get the same mask and train to the same model for a seed; and a pass over a
 * subset of the nodes given with their global ids (gat_input.node_ids) draws, for every
 * node, the masks the full pass draws for it. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/model.h"
#include "gat/modelfile.h"
#include "gat/train.h"

#define N 24
#define K 12
#define C 3

/* A dataset whose feature rows and columns hold at most 2 non-zeros each, so sparse and dense
 * products add the same two terms and round alike: only the masks could differ. */
static void make_dataset(gat_dataset *ds, int sparse) {
    memset(ds, 0, sizeof *ds);
    snprintf(ds->name, sizeof ds->name, "keys");
    ds->n_nodes = N;
    ds->n_features = K;
    ds->n_classes = C;
    float dense[N * K];
    memset(dense, 0, sizeof dense);
    for (int i = 0; i < N; i++) {
        dense[i * K + (i % K)] = 0.25f + 0.5f * (float)(i % 3);
        if (i % 2 == 0) dense[i * K + ((i / 2 + 5) % K)] = 0.75f;
    }
    if (sparse) {
        gat_csr *x = &ds->features;
        x->n_rows = N;
        x->n_cols = K;
        x->row_ptr = calloc(N + 1, sizeof *x->row_ptr);
        x->col_idx = malloc(N * K * sizeof *x->col_idx);
        x->val = malloc(N * K * sizeof *x->val);
        int64_t q = 0;
        for (int i = 0; i < N; i++) {
            for (int j = K - 1; j >= 0; j--) /* columns in decreasing order: storage order must not matter */
                if (dense[i * K + j] != 0.0f) {
                    x->col_idx[q] = j;
                    x->val[q++] = dense[i * K + j];
                }
            x->row_ptr[i + 1] = q;
        }
        x->nnz = q;
    } else {
        ds->dense_features = malloc(sizeof dense);
        memcpy(ds->dense_features, dense, sizeof dense);
    }
    ds->n_edges = 2 * N;
    ds->edge_src = malloc(2 * N * sizeof(int64_t));
    ds->edge_dst = malloc(2 * N * sizeof(int64_t));
    for (int i = 0; i < N; i++) {
        ds->edge_src[2 * i] = i, ds->edge_dst[2 * i] = (i + 1) % N;
        ds->edge_src[2 * i + 1] = (i + 1) % N, ds->edge_dst[2 * i + 1] = i;
    }
    ds->labels = malloc(N * sizeof(int64_t));
    for (int i = 0; i < N; i++) ds->labels[i] = i % C;
    int64_t sizes[3] = {12, 6, 6}, first = 0;
    for (int s = 0; s < 3; s++) {
        ds->split[s] = malloc((size_t)sizes[s] * sizeof(int64_t));
        for (int64_t k = 0; k < sizes[s]; k++) ds->split[s][k] = first + k;
        ds->split_size[s] = sizes[s];
        first += sizes[s];
    }
}

static void free_dataset(gat_dataset *ds) {
    gat_csr_free(&ds->features);
    free(ds->dense_features);
    free(ds->edge_src);
    free(ds->edge_dst);
    free(ds->labels);
    for (int s = 0; s < 3; s++) free(ds->split[s]);
}

static gat_config config(void) {
    gat_config c = gat_config_default(K, C);
    c.heads[0] = 2;
    c.features[0] = 4;
    c.dropout = 0.5f;
    return c;
}

/* One training forward on each storage: the input masks agree element by element. */
static void test_input_masks(void) {
    gat_dataset sp, de;
    make_dataset(&sp, 1);
    make_dataset(&de, 0);
    gat_config c = config();
    gat_error err = {0};
    gat_model m;
    gat_session ss, sd;
    CHECK(gat_model_init(&m, &c, 3, &err) == GAT_OK);
    CHECK(gat_session_init(&ss, &sp, &m, &err) == GAT_OK);
    CHECK(gat_session_init(&sd, &de, &m, &err) == GAT_OK);
    for (uint64_t key = 1; key <= 4; key++) {
        gat_model_forward(&m, &ss.acts, &ss.in, &ss.g, 1, key);
        gat_model_forward(&m, &sd.acts, &sd.in, &sd.g, 1, key);
        const gat_csr *x = &sp.features;
        int same = 1, kept = 0;
        for (int64_t i = 0; i < N; i++)
            for (int64_t q = x->row_ptr[i]; q < x->row_ptr[i + 1]; q++) {
                same &= ss.acts.l[0].x_mask[q] == sd.acts.l[0].x_mask[i * K + x->col_idx[q]];
                kept += ss.acts.l[0].x_mask[q];
            }
        CHECK_MSG(same, "key %llu: sparse input mask = dense input mask at every non-zero", (unsigned long long)key);
        CHECK_MSG(kept > 0 && kept < x->nnz, "key %llu: dropout kept %d of %lld inputs", (unsigned long long)key,
                  kept, (long long)x->nnz);
        CHECK_MSG(!memcmp(ss.acts.l[0].z_mask, sd.acts.l[0].z_mask, N * 8), "key %llu: same projection masks",
                  (unsigned long long)key);
    }
    gat_session_free(&ss);
    gat_session_free(&sd);
    gat_model_free(&m);
    free_dataset(&sp);
    free_dataset(&de);
}

/* The same features stored both ways give byte-identical model files for a seed. */
static void test_same_model(void) {
    unsigned char *bytes[2] = {0};
    size_t len[2] = {0};
    const char *dir = check_tmpdir("test_dropout_keys");
    for (int sparse = 0; sparse < 2; sparse++) {
        gat_dataset ds;
        make_dataset(&ds, sparse);
        gat_config c = config();
        gat_error err = {0};
        gat_model m;
        gat_session s;
        gat_train_options o = gat_train_options_default();
        o.max_epochs = 30;
        o.seed = 11;
        gat_train_result res;
        CHECK(gat_model_init(&m, &c, 5, &err) == GAT_OK);
        CHECK(gat_session_init(&s, &ds, &m, &err) == GAT_OK);
        CHECK(gat_train(&m, &s, &o, NULL, NULL, &res, &err) == GAT_OK);
        gat_model_meta meta;
        memset(&meta, 0, sizeof meta);
        snprintf(meta.dataset, sizeof meta.dataset, "keys");
        snprintf(meta.created, sizeof meta.created, "2026-01-01T00:00:00Z");
        snprintf(meta.git_commit, sizeof meta.git_commit, "test");
        meta.val_accuracy = meta.test_accuracy = NAN;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.safetensors", dir, sparse ? "sparse" : "dense");
        CHECK(gat_model_save(path, &m, &meta, &err) == GAT_OK);
        FILE *f = fopen(path, "rb");
        if (f) {
            bytes[sparse] = malloc(1 << 16);
            len[sparse] = fread(bytes[sparse], 1, 1 << 16, f);
            fclose(f);
        }
        gat_session_free(&s);
        gat_model_free(&m);
        free_dataset(&ds);
    }
    CHECK_MSG(len[0] > 0 && len[0] == len[1] && !memcmp(bytes[0], bytes[1], len[0]),
              "sparse and dense features train to byte-identical model files (%zu and %zu bytes)", len[0], len[1]);
    free(bytes[0]);
    free(bytes[1]);
}

/* A pass over rows given by their global ids draws the full pass's masks for those nodes. */
static void test_global_ids(void) {
    for (int sparse = 0; sparse < 2; sparse++) {
        gat_dataset ds;
        make_dataset(&ds, sparse);
        gat_config c = config();
        gat_error err = {0};
        gat_model m;
        gat_session s;
        CHECK(gat_model_init(&m, &c, 3, &err) == GAT_OK);
        CHECK(gat_session_init(&s, &ds, &m, &err) == GAT_OK);
        gat_model_forward(&m, &s.acts, &s.in, &s.g, 1, 9);
        /* the same rows in another order, labelled with their global ids */
        int64_t ids[N];
        for (int i = 0; i < N; i++) ids[i] = (i * 7) % N;
        gat_dataset sub;
        make_dataset(&sub, sparse);
        if (sparse) {
            gat_csr *x = &sub.features, *fx = &ds.features;
            int64_t q = 0;
            for (int i = 0; i < N; i++) {
                for (int64_t r = fx->row_ptr[ids[i]]; r < fx->row_ptr[ids[i] + 1]; r++) {
                    x->col_idx[q] = fx->col_idx[r];
                    x->val[q++] = fx->val[r];
                }
                x->row_ptr[i + 1] = q;
            }
        } else {
            for (int i = 0; i < N; i++)
                memcpy(sub.dense_features + i * K, ds.dense_features + ids[i] * K, K * sizeof(float));
        }
        gat_session ss;
        CHECK(gat_session_init(&ss, &sub, &m, &err) == GAT_OK);
        ss.in.node_ids = ids;
        gat_model_forward(&m, &ss.acts, &ss.in, &ss.g, 1, 9);
        int same_x = 1, same_z = 1;
        for (int i = 0; i < N; i++) {
            if (sparse) {
                int64_t a = sub.features.row_ptr[i], b = ds.features.row_ptr[ids[i]];
                for (int64_t q = 0; q < sub.features.row_ptr[i + 1] - a; q++)
                    same_x &= ss.acts.l[0].x_mask[a + q] == s.acts.l[0].x_mask[b + q];
            } else {
                same_x &= !memcmp(ss.acts.l[0].x_mask + i * K, s.acts.l[0].x_mask + ids[i] * K, K);
            }
            same_z &= !memcmp(ss.acts.l[0].z_mask + i * 8, s.acts.l[0].z_mask + ids[i] * 8, 8);
            same_z &= !memcmp(ss.acts.l[1].x_mask + i * 8, s.acts.l[1].x_mask + ids[i] * 8, 8);
            same_z &= !memcmp(ss.acts.l[1].z_mask + i * C, s.acts.l[1].z_mask + ids[i] * C, C);
        }
        CHECK_MSG(same_x, "%s: input masks follow the global node id", sparse ? "sparse" : "dense");
        CHECK_MSG(same_z, "%s: projection and hidden-input masks follow the global node id",
                  sparse ? "sparse" : "dense");
        gat_session_free(&ss);
        gat_session_free(&s);
        gat_model_free(&m);
        free_dataset(&sub);
        free_dataset(&ds);
    }
}

int main(void) {
    test_input_masks();
    test_same_model();
    test_global_ids();
    return check_summary();
}
