/* modelfile.c - models as .safetensors with pytorch-GAT's tensor names (see modelfile.h). */
#include "gat/modelfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/safetensors.h"

#ifndef GAT_GIT_COMMIT
#define GAT_GIT_COMMIT "unknown"
#endif

#define META_MAX 24

static void list_str(char *buf, size_t size, const int64_t *v, int n, int64_t first) {
    size_t len = 0;
    buf[0] = 0;
    if (first >= 0) len += (size_t)snprintf(buf, size, "%lld", (long long)first);
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%lld", len ? "," : "", (long long)v[i]);
}

int gat_model_save(const char *path, const gat_model *m, const gat_model_meta *meta, gat_error *err) {
    const gat_config *c = &m->cfg;
    gat_st_tensor t[GAT_MAX_LAYERS * 5];
    int rc = GAT_OK;
    memset(t, 0, sizeof t);
    for (int i = 0; i < m->n_tensors; i++) {
        const gat_tensor *mt = &m->tensors[i];
        gat_array *a = &t[i].array;
        t[i].name = (char *)mt->name;
        rc = gat_array_alloc(a, GAT_DTYPE_F32, mt->ndim, mt->shape, err);
        if (rc) goto done;
        float *dst = a->data;
        const float *src = m->params + mt->offset;
        if (mt->transposed) { /* internal (in, out) -> file (out, in) */
            int64_t rows = mt->shape[1], cols = mt->shape[0];
            for (int64_t r = 0; r < rows; r++)
                for (int64_t q = 0; q < cols; q++) dst[q * rows + r] = src[r * cols + q];
        } else {
            memcpy(dst, src, mt->size * sizeof *dst);
        }
    }
    char v[META_MAX][96];
    const char *keys[META_MAX];
    int nm = 0;
#define META(k, ...) do { keys[nm] = (k); snprintf(v[nm], sizeof v[nm], __VA_ARGS__); nm++; } while (0)
    META("format", "gat-model");
    META("format_version", "1");
    META("dataset", "%s", meta ? meta->dataset : "");
    META("epochs", "%lld", (long long)(meta ? meta->epochs : 0));
    META("best_epoch", "%lld", (long long)(meta ? meta->best_epoch : 0));
    if (meta && isfinite(meta->val_accuracy)) META("val_accuracy", "%.6f", meta->val_accuracy);
    else META("val_accuracy", "%s", "");
    if (meta && isfinite(meta->test_accuracy)) META("test_accuracy", "%.6f", meta->test_accuracy);
    else META("test_accuracy", "%s", "");
    META("layers", "%d", c->n_layers);
    list_str(v[nm], sizeof v[nm], c->heads, c->n_layers, -1);
    keys[nm++] = "heads";
    list_str(v[nm], sizeof v[nm], c->features, c->n_layers, -1);
    keys[nm++] = "features";
    list_str(v[nm], sizeof v[nm], c->heads, c->n_layers, -1);
    keys[nm++] = "num_heads_per_layer";
    list_str(v[nm], sizeof v[nm], c->features, c->n_layers, c->n_in);
    keys[nm++] = "num_features_per_layer";
    META("n_in", "%lld", (long long)c->n_in);
    META("classes", "%lld", (long long)c->features[c->n_layers - 1]);
    META("skip", "%d", c->skip);
    META("bias", "%d", c->bias);
    META("dropout", "%g", (double)c->dropout);
    META("seed", "%llu", (unsigned long long)(meta ? meta->seed : 0));
    META("git_commit", "%s", meta && meta->git_commit[0] ? meta->git_commit : GAT_GIT_COMMIT);
    if (meta && meta->created[0]) {
        META("created", "%s", meta->created);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        keys[nm] = "created";
        strftime(v[nm], sizeof v[nm], "%Y-%m-%dT%H:%M:%SZ", &tm);
        nm++;
    }
#undef META
    gat_st_meta md[META_MAX];
    for (int i = 0; i < nm; i++) {
        md[i].key = (char *)keys[i];
        md[i].value = v[i];
    }
    rc = gat_safetensors_write(path, t, (size_t)m->n_tensors, md, (size_t)nm, err);
done:
    for (int i = 0; i < m->n_tensors; i++) gat_array_free(&t[i].array);
    return rc;
}

/* Parse "8,1" into v; returns the count or -1. */
static int parse_list(const char *s, int64_t *v, int max) {
    int n = 0;
    while (s && *s) {
        char *end;
        long long x = strtoll(s, &end, 10);
        if (end == s || n == max) return -1;
        v[n++] = x;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return n;
}

/* The model held in st (owned: freed here). */
static int model_from_safetensors(const char *path, gat_safetensors st, gat_model *m, gat_model_meta *meta,
                                  gat_error *err) {
    int rc = GAT_OK;
    gat_config c;
    memset(&c, 0, sizeof c);
    c.slope = 0.2f;
    c.dropout = 0.6f;
    char name[96];
    /* Infer the architecture from the tensors. */
    for (int l = 0; l < GAT_MAX_LAYERS; l++) {
        snprintf(name, sizeof name, "gat_net.%d.scoring_fn_source", l);
        const gat_st_tensor *t = gat_safetensors_get(&st, name);
        if (!t) break;
        if (t->array.ndim != 3 || t->array.shape[0] != 1) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: tensor %s must have shape (1, heads, features)", path, name);
            goto done;
        }
        c.heads[l] = t->array.shape[1];
        c.features[l] = t->array.shape[2];
        c.n_layers = l + 1;
        snprintf(name, sizeof name, "gat_net.%d.bias", l);
        if (l == 0) c.bias = gat_safetensors_get(&st, name) != NULL;
        snprintf(name, sizeof name, "gat_net.%d.skip_proj.weight", l);
        if (l == 0) c.skip = gat_safetensors_get(&st, name) != NULL;
    }
    if (c.n_layers == 0) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: not a GAT model file (no tensor gat_net.0.scoring_fn_source)", path);
        goto done;
    }
    const gat_st_tensor *w0 = gat_safetensors_get(&st, "gat_net.0.linear_proj.weight");
    if (!w0 || w0->array.ndim != 2) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: missing or misshapen tensor gat_net.0.linear_proj.weight", path);
        goto done;
    }
    c.n_in = w0->array.shape[1];
    const char *d = gat_safetensors_meta(&st, "dropout");
    if (d && *d) c.dropout = strtof(d, NULL);
    /* Cross-check the metadata when present. */
    const char *hs = gat_safetensors_meta(&st, "heads"), *fs = gat_safetensors_meta(&st, "features");
    if (hs && fs) {
        int64_t hv[GAT_MAX_LAYERS], fv[GAT_MAX_LAYERS];
        int nh = parse_list(hs, hv, GAT_MAX_LAYERS), nf = parse_list(fs, fv, GAT_MAX_LAYERS);
        int ok = nh == c.n_layers && nf == c.n_layers;
        for (int l = 0; ok && l < c.n_layers; l++) ok = hv[l] == c.heads[l] && fv[l] == c.features[l];
        if (!ok) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: metadata heads=%s features=%s disagree with the tensors", path, hs, fs);
            goto done;
        }
    }
    rc = gat_model_init(m, &c, 0, err);
    if (rc) {
        gat_error_prefix(err, path);
        goto done;
    }
    for (int i = 0; i < m->n_tensors; i++)
        if (!gat_safetensors_get(&st, m->tensors[i].name)) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: missing tensor %s", path, m->tensors[i].name);
            goto done;
        }
    if ((size_t)m->n_tensors != st.n_tensors) {
        for (size_t i = 0; i < st.n_tensors; i++)
            if (!gat_model_tensor(m, st.tensors[i].name)) {
                rc = gat_error_set(err, GAT_EFORMAT, "%s: unexpected tensor '%s' for a %d-layer GAT%s", path,
                                   st.tensors[i].name, c.n_layers, c.skip ? " with skip connections" : "");
                goto done;
            }
        rc = gat_error_set(err, GAT_EFORMAT, "%s: %zu tensors, a %d-layer GAT%s has %d", path, st.n_tensors, c.n_layers,
                           c.skip ? " with skip connections" : "", m->n_tensors);
        goto done;
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const gat_tensor *mt = &m->tensors[i];
        const gat_st_tensor *t = gat_safetensors_get(&st, mt->name);
        if (!t) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: missing tensor %s", path, mt->name);
            goto done;
        }
        int ok = t->array.ndim == mt->ndim;
        for (int k = 0; ok && k < mt->ndim; k++) ok = t->array.shape[k] == mt->shape[k];
        if (!ok) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: tensor %s has the wrong shape for this architecture", path, mt->name);
            goto done;
        }
        float *vals;
        rc = gat_array_to_f32(&t->array, mt->name, &vals, err);
        if (rc) {
            gat_error_prefix(err, path);
            goto done;
        }
        float *dst = m->params + mt->offset;
        if (mt->transposed) {
            int64_t rows = mt->shape[1], cols = mt->shape[0];
            for (int64_t r = 0; r < rows; r++)
                for (int64_t q = 0; q < cols; q++) dst[r * cols + q] = vals[q * rows + r];
        } else {
            memcpy(dst, vals, mt->size * sizeof *dst);
        }
        free(vals);
    }
    if (meta) {
        memset(meta, 0, sizeof *meta);
        const char *s;
        meta->val_accuracy = meta->test_accuracy = NAN;
        if ((s = gat_safetensors_meta(&st, "dataset"))) snprintf(meta->dataset, sizeof meta->dataset, "%s", s);
        if ((s = gat_safetensors_meta(&st, "epochs"))) meta->epochs = strtoll(s, NULL, 10);
        if ((s = gat_safetensors_meta(&st, "best_epoch"))) meta->best_epoch = strtoll(s, NULL, 10);
        if ((s = gat_safetensors_meta(&st, "val_accuracy")) && *s) meta->val_accuracy = strtod(s, NULL);
        if ((s = gat_safetensors_meta(&st, "test_accuracy")) && *s) meta->test_accuracy = strtod(s, NULL);
        if ((s = gat_safetensors_meta(&st, "seed"))) meta->seed = strtoull(s, NULL, 10);
        if ((s = gat_safetensors_meta(&st, "git_commit"))) snprintf(meta->git_commit, sizeof meta->git_commit, "%s", s);
        if ((s = gat_safetensors_meta(&st, "created"))) snprintf(meta->created, sizeof meta->created, "%s", s);
    }
done:
    if (rc) gat_model_free(m);
    gat_safetensors_free(&st);
    return rc;
}

int gat_model_load(const char *path, gat_model *m, gat_model_meta *meta, gat_error *err) {
    gat_safetensors st;
    memset(m, 0, sizeof *m);
    int rc = gat_safetensors_read(path, &st, err);
    if (rc) return rc;
    return model_from_safetensors(path, st, m, meta, err);
}

int gat_model_parse(const void *buf, size_t len, const char *name, gat_model *m, gat_model_meta *meta,
                    gat_error *err) {
    gat_safetensors st;
    memset(m, 0, sizeof *m);
    int rc = gat_safetensors_parse(buf, len, name, &st, err);
    if (rc) return rc;
    return model_from_safetensors(name, st, m, meta, err);
}
