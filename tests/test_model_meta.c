/* test_model_meta.c - the model file carries every setting that changes what the model
 * computes (feature normalisation, self loops, LeakyReLU slope, dropout, skip, bias, task,
 * attention kind) and a format_version that is checked; the reader validates every key it
 * knows and cross-checks the metadata against the tensors: a bad value or a contradiction is
 * refused with a message naming the file and the key. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "gat/modelfile.h"
#include "gat/safetensors.h"
#include "io_util.h"

static char good[4200], bad[4200];

/* Rewrite the good file with metadata key set to value (added when missing; value NULL:
 * removed), then load it. */
static int load_with(const char *key, const char *value, gat_model *m, gat_model_meta *meta) {
    gat_safetensors st;
    gat_error e = {0};
    if (gat_safetensors_read(good, &st, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    gat_st_meta md[64];
    size_t n = 0;
    int found = 0;
    for (size_t i = 0; i < st.n_meta && n < 63; i++) {
        if (!strcmp(st.meta[i].key, key)) {
            found = 1;
            if (!value) continue;
            md[n].key = st.meta[i].key;
            md[n++].value = (char *)value;
        } else {
            md[n++] = st.meta[i];
        }
    }
    if (!found && value) {
        md[n].key = (char *)key;
        md[n++].value = (char *)value;
    }
    if (gat_safetensors_write(bad, st.tensors, st.n_tensors, md, n, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    gat_safetensors_free(&st);
    memset(&err, 0, sizeof err);
    int rc = gat_model_load(bad, m, meta, &err);
    if (rc == GAT_OK) gat_model_free(m);
    return rc;
}

static void refused(const char *key, const char *value, const char *also) {
    gat_model m;
    gat_model_meta meta;
    int rc = load_with(key, value, &m, &meta);
    check_report(rc != GAT_OK && strstr(err.msg, "bad.safetensors") && strstr(err.msg, key) && strstr(err.msg, also),
                 __FILE__, __LINE__, "%s=%s refused naming the file and the key: rc %d, \"%s\"", key,
                 value ? value : "(removed)", rc, err.msg);
}

static void accepted(const char *key, const char *value) {
    gat_model m;
    gat_model_meta meta;
    int rc = load_with(key, value, &m, &meta);
    check_report(rc == GAT_OK, __FILE__, __LINE__, "%s=%s accepted: \"%s\"", key, value ? value : "(removed)", err.msg);
}

int main(void) {
    const char *dir = check_tmpdir("test_model_meta");
    snprintf(good, sizeof good, "%s/good.safetensors", dir);
    snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
    gat_config c = gat_config_default(10, 3);
    c.heads[0] = 2;
    c.features[0] = 4;
    c.slope = 0.1f;
    c.dropout = 0.25f;
    gat_model m;
    CHECK_EQ_INT(gat_model_init(&m, &c, 1, &err), GAT_OK);
    gat_model_meta meta;
    memset(&meta, 0, sizeof meta);
    snprintf(meta.dataset, sizeof meta.dataset, "tiny");
    meta.val_accuracy = meta.test_accuracy = NAN;
    meta.normalize = GAT_NORMALIZE_NONE;
    meta.task = GAT_TASK_SINGLE_LABEL + 1; /* stored as task + 1: 0 = not recorded */
    CHECK_EQ_INT(gat_model_save(good, &m, &meta, &err), GAT_OK);

    /* round trip of the settings */
    gat_model r;
    gat_model_meta got;
    CHECK_EQ_INT(gat_model_load(good, &r, &got, &err), GAT_OK);
    CHECK_EQ_INT(got.normalize, GAT_NORMALIZE_NONE);
    CHECK_EQ_INT(got.task, GAT_TASK_SINGLE_LABEL + 1);
    CHECK_EQ_INT(got.format_version, GAT_MODEL_FORMAT_VERSION);
    CHECK_NEAR(r.cfg.slope, 0.1, 1e-7);
    CHECK_NEAR(r.cfg.dropout, 0.25, 1e-7);
    gat_model_free(&r);
    gat_safetensors st;
    CHECK_EQ_INT(gat_safetensors_read(good, &st, &err), GAT_OK);
    const char *v;
    CHECK((v = gat_safetensors_meta(&st, "normalize_features")) && !strcmp(v, "false"));
    CHECK((v = gat_safetensors_meta(&st, "add_self_loops")) && !strcmp(v, "true"));
    CHECK((v = gat_safetensors_meta(&st, "leaky_relu_slope")) && !strcmp(v, "0.1"));
    CHECK((v = gat_safetensors_meta(&st, "attention")) && !strcmp(v, "gat"));
    CHECK((v = gat_safetensors_meta(&st, "task")) && !strcmp(v, "single-label"));
    CHECK((v = gat_safetensors_meta(&st, "format_version")) && !strcmp(v, "2"));
    gat_safetensors_free(&st);
    /* a model saved without metadata records no normalisation */
    CHECK_EQ_INT(gat_model_save(bad, &m, NULL, &err), GAT_OK);
    CHECK_EQ_INT(gat_model_load(bad, &r, &got, &err), GAT_OK);
    CHECK_EQ_INT(got.normalize, GAT_NORMALIZE_UNKNOWN);
    gat_model_free(&r);

    /* bad values, each refused naming the file and the key */
    refused("format_version", "99", "newer");
    refused("format_version", "0", "format_version");
    refused("format_version", "two", "format_version");
    refused("format", "other-model", "gat-model");
    refused("dropout", "nan", "dropout");
    refused("dropout", "1.5", "dropout");
    refused("leaky_relu_slope", "-0.2", "leaky_relu_slope");
    refused("normalize_features", "maybe", "normalize_features");
    refused("add_self_loops", "maybe", "add_self_loops");
    refused("attention", "gatv2", "attention");
    refused("task", "regression", "task");
    refused("epochs", "-5", "epochs");
    refused("epochs", "12abc", "epochs");
    refused("val_accuracy", "2", "val_accuracy");
    refused("seed", "x", "seed");
    /* metadata contradicting the tensors */
    refused("classes", "5", "classes");
    refused("skip", "1", "skip");
    refused("bias", "0", "bias");
    refused("layers", "3", "layers");
    refused("n_in", "999", "n_in");
    refused("heads", "2,2", "heads");
    refused("num_features_per_layer", "10,4,4", "num_features_per_layer");
    /* absent keys: files of version 1 and files written by other tools */
    accepted("normalize_features", NULL);
    accepted("leaky_relu_slope", NULL);
    accepted("format_version", "1");
    accepted("format", NULL);
    accepted("unknown_key_of_another_tool", "whatever");
    accepted("add_self_loops", NULL); /* version 1: self loops added */
    /* add_self_loops: "false" loads as cfg.no_self_loops, written back as it was */
    gat_config c2 = c;
    c2.no_self_loops = 1;
    gat_model m2;
    CHECK_EQ_INT(gat_model_init(&m2, &c2, 1, &err), GAT_OK);
    CHECK_EQ_INT(gat_model_save(good, &m2, &meta, &err), GAT_OK);
    CHECK_EQ_INT(gat_safetensors_read(good, &st, &err), GAT_OK);
    CHECK((v = gat_safetensors_meta(&st, "add_self_loops")) && !strcmp(v, "false"));
    gat_safetensors_free(&st);
    CHECK_EQ_INT(gat_model_load(good, &r, &got, &err), GAT_OK);
    CHECK_EQ_INT(r.cfg.no_self_loops, 1);
    gat_model_free(&r);
    CHECK_EQ_INT(load_with("add_self_loops", "true", &r, &got), GAT_OK);
    CHECK_EQ_INT(gat_model_load(bad, &r, &got, &err), GAT_OK);
    CHECK_EQ_INT(r.cfg.no_self_loops, 0);
    gat_model_free(&r);
    gat_model_free(&m2);
    gat_model_free(&m);
    return check_summary();
}
