/* test_modelfile.c - model files: a save/load round trip keeps every bit and the metadata;
 * files with missing, extra, misshapen or non-finite tensors are refused by name. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/modelfile.h"
#include "gat/safetensors.h"

static gat_config small_config(int skip) {
    gat_config c = gat_config_default(10, 3);
    c.heads[0] = 4;
    c.features[0] = 5;
    c.heads[1] = 2;
    c.features[1] = 3;
    c.skip = skip;
    return c;
}

/* Rewrite a model file with one tensor changed by fn. */
typedef void (*mutate_fn)(gat_st_tensor *t, size_t *n);

static void rewrite(const char *in, const char *out, mutate_fn fn) {
    gat_safetensors st;
    gat_error err = {0};
    if (gat_safetensors_read(in, &st, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    size_t n = st.n_tensors;
    fn(st.tensors, &n);
    if (gat_safetensors_write(out, st.tensors, n, st.meta, st.n_meta, &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gat_safetensors_free(&st);
}

static int find(gat_st_tensor *t, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) return (int)i;
    abort();
}
static void drop_scoring(gat_st_tensor *t, size_t *n) {
    int i = find(t, *n, "gat_net.1.scoring_fn_target");
    gat_st_tensor tmp = t[i];
    t[i] = t[*n - 1];
    t[*n - 1] = tmp; /* moved last and left out; still freed by the caller's struct */
    (*n)--;
}
static void nan_value(gat_st_tensor *t, size_t *n) { ((float *)t[find(t, *n, "gat_net.0.bias")].array.data)[2] = NAN; }
static void bad_shape(gat_st_tensor *t, size_t *n) {
    gat_array *a = &t[find(t, *n, "gat_net.0.linear_proj.weight")].array;
    a->shape[0] = a->shape[0] / 2; /* (10, 10) -> the bytes no longer agree: re-shape to half rows */
    a->size /= 2;
}

int main(void) {
    const char *tmp = check_tmpdir("modelfile");
    char path[4200], bad[4200];
    gat_error err = {0};
    for (int skip = 0; skip < 2; skip++) {
        gat_config c = small_config(skip); /* with skip: projected in both layers */
        gat_model m, r;
        CHECK_EQ_INT(gat_model_init(&m, &c, 9, &err), GAT_OK);
        for (int t = 0; t < m.n_tensors; t++) /* the tensors' values; the padding between them stays zero */
            for (size_t i = 0; i < m.tensors[t].size; i++)
                m.params[m.tensors[t].offset + i] = (float)(m.tensors[t].offset + i) * 0.001f - 0.3f;
        gat_model_meta meta = {0};
        snprintf(meta.dataset, sizeof meta.dataset, "cora");
        meta.epochs = 321;
        meta.val_accuracy = 0.8125;
        meta.test_accuracy = NAN;
        meta.seed = 42;
        snprintf(path, sizeof path, "%s/m%d.safetensors", tmp, skip);
        CHECK_EQ_INT(gat_model_save(path, &m, &meta, &err), GAT_OK);
        gat_model_meta got;
        CHECK_EQ_INT(gat_model_load(path, &r, &got, &err), GAT_OK);
        CHECK_EQ_INT(r.n_params, m.n_params);
        CHECK_EQ_INT(r.cfg.n_layers, 2);
        CHECK_EQ_INT(r.cfg.heads[0], 4);
        CHECK_EQ_INT(r.cfg.features[1], 3);
        CHECK_EQ_INT(r.cfg.skip, skip);
        CHECK(!memcmp(r.params, m.params, m.n_params * sizeof(float)));
        CHECK(!strcmp(got.dataset, "cora"));
        CHECK_EQ_INT(got.epochs, 321);
        CHECK_EQ_INT(got.seed, 42);
        CHECK_NEAR(got.val_accuracy, 0.8125, 1e-9);
        CHECK(isnan(got.test_accuracy));
        /* the file holds pytorch-GAT's names and (out, in) shapes */
        gat_safetensors st;
        CHECK_EQ_INT(gat_safetensors_read(path, &st, &err), GAT_OK);
        const gat_st_tensor *w = gat_safetensors_get(&st, "gat_net.0.linear_proj.weight");
        CHECK(w && w->array.ndim == 2 && w->array.shape[0] == 20 && w->array.shape[1] == 10);
        /* element (out=o, in=i) of the file is W[i][o] of the model */
        CHECK(w && ((float *)w->array.data)[3 * 10 + 7] == m.p[0].w[7 * 20 + 3]);
        CHECK(gat_safetensors_get(&st, "gat_net.1.bias") && gat_safetensors_get(&st, "gat_net.1.bias")->array.shape[0] == 3);
        CHECK((gat_safetensors_get(&st, "gat_net.0.skip_proj.weight") != NULL) == skip);
        CHECK(!strcmp(gat_safetensors_meta(&st, "num_features_per_layer"), "10,5,3"));
        CHECK(!strcmp(gat_safetensors_meta(&st, "heads"), "4,2"));
        gat_safetensors_free(&st);
        gat_model_free(&r);
        gat_model_free(&m);
    }
    snprintf(path, sizeof path, "%s/m0.safetensors", tmp);
    gat_model r;
    snprintf(bad, sizeof bad, "%s/missing.safetensors", tmp);
    rewrite(path, bad, drop_scoring);
    CHECK_EQ_INT(gat_model_load(bad, &r, NULL, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "missing.safetensors") && strstr(err.msg, "scoring_fn_target"), "%s", err.msg);
    snprintf(bad, sizeof bad, "%s/nan.safetensors", tmp);
    rewrite(path, bad, nan_value);
    CHECK_EQ_INT(gat_model_load(bad, &r, NULL, &err), GAT_ERANGE);
    CHECK_MSG(strstr(err.msg, "nan.safetensors") && strstr(err.msg, "gat_net.0.bias"), "%s", err.msg);
    snprintf(bad, sizeof bad, "%s/shape.safetensors", tmp);
    rewrite(path, bad, bad_shape);
    CHECK(gat_model_load(bad, &r, NULL, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "shape.safetensors") && strstr(err.msg, "linear_proj"), "%s", err.msg);
    snprintf(bad, sizeof bad, "%s/none.safetensors", tmp);
    CHECK(gat_model_load(bad, &r, NULL, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "none.safetensors") != NULL, "%s", err.msg);
    /* an unwritable destination leaves nothing behind */
    gat_model m;
    gat_config c = small_config(0);
    gat_model_init(&m, &c, 1, &err);
    snprintf(bad, sizeof bad, "%s/no/such/dir/m.safetensors", tmp);
    CHECK_EQ_INT(gat_model_save(bad, &m, NULL, &err), GAT_EIO);
    CHECK(strstr(err.msg, "no/such/dir") != NULL);
    gat_model_free(&m);
    return check_summary();
}
