/* modelfile.c - models as .safetensors with pytorch-GAT's tensor names (see modelfile.h). */
#include "gat/modelfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/fileio.h"
#include "gat/safetensors.h"

#ifndef GAT_GIT_COMMIT
#define GAT_GIT_COMMIT "unknown"
#endif

#define META_MAX 40

static const char *task_names[] = {"single-label", "multi-label"};

static void list_str(char *buf, size_t size, const int64_t *v, int n, int64_t first) {
    size_t len = 0;
    buf[0] = 0;
    if (first >= 0) len += (size_t)snprintf(buf, size, "%lld", (long long)first);
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%lld", len ? "," : "", (long long)v[i]);
}

/* The shortest of %g and %.9g that reads back as the same float. */
static void float_str(char *buf, size_t size, float x) {
    snprintf(buf, size, "%g", (double)x);
    if (strtof(buf, NULL) != x) snprintf(buf, size, "%.9g", (double)x);
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
    char v[META_MAX][300];
    const char *keys[META_MAX];
    int nm = 0;
#define META(k, ...) do { keys[nm] = (k); snprintf(v[nm], sizeof v[nm], __VA_ARGS__); nm++; } while (0)
    META("format", "gat-model");
    META("format_version", "%d", GAT_MODEL_FORMAT_VERSION);
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
    META("classes", "%lld", (long long)gat_config_out_width(c, c->n_layers - 1));
    gat_config_concat_format(c, v[nm], sizeof v[nm]);
    keys[nm++] = "concat_heads";
    META("skip", "%d", c->skip);
    META("bias", "%d", c->bias);
    float_str(v[nm], sizeof v[nm], c->dropout);
    keys[nm++] = "dropout";
    float_str(v[nm], sizeof v[nm], gat_config_feature_dropout(c));
    keys[nm++] = "feature_dropout";
    float_str(v[nm], sizeof v[nm], gat_config_attention_dropout(c));
    keys[nm++] = "attention_dropout";
    if (c->no_projection_dropout) META("projection_dropout", "false");
    float_str(v[nm], sizeof v[nm], c->slope);
    keys[nm++] = "leaky_relu_slope";
    META("attention", "%s", gat_attention_type_name(c->attention_type));
    if (c->attention_type == GAT_ATTENTION_GATV2) META("share_weights", "%s", c->share_weights ? "true" : "false");
    META("add_self_loops", "%s", c->no_self_loops ? "false" : "true");
    if (meta && meta->normalize) META("normalize_features", "%s", meta->normalize == GAT_NORMALIZE_ROWS ? "true" : "false");
    if (meta && meta->task >= 1 && meta->task <= 2) META("task", "%s", task_names[meta->task - 1]);
    if (meta && meta->run[0]) META("run", "%s", meta->run);
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

/* ---- reading the metadata ----
 * Every key gat knows has a kind; a present key whose value does not parse as its kind is
 * refused naming the file and the key. Keys gat does not know are ignored (provenance added
 * by other tools): a setting that changes what a model computes comes with a new
 * format_version, which this reader refuses when it is newer than it knows. */

typedef enum { K_STR, K_COUNT, K_BOOL, K_PROB, K_SCORE, K_LIST, K_U64 } meta_kind;

typedef struct {
    const char *key;
    meta_kind kind;
} meta_key;

static const meta_key known_keys[] = {
    {"format", K_STR},           {"format_version", K_COUNT},     {"dataset", K_STR},
    {"epochs", K_COUNT},         {"best_epoch", K_COUNT},         {"val_accuracy", K_SCORE},
    {"test_accuracy", K_SCORE},  {"layers", K_COUNT},             {"heads", K_LIST},
    {"features", K_LIST},        {"num_heads_per_layer", K_LIST}, {"num_features_per_layer", K_LIST},
    {"n_in", K_COUNT},           {"classes", K_COUNT},            {"skip", K_BOOL},
    {"bias", K_BOOL},            {"dropout", K_PROB},             {"leaky_relu_slope", K_PROB},
    {"projection_dropout", K_BOOL},
    {"attention", K_STR},        {"share_weights", K_BOOL},       {"add_self_loops", K_BOOL},      {"normalize_features", K_BOOL},
    {"task", K_STR},             {"run", K_STR},                  {"seed", K_U64},
    {"git_commit", K_STR},       {"created", K_STR},              {"feature_dropout", K_PROB},
    {"attention_dropout", K_PROB},   {"concat_heads", K_STR},
};

typedef struct {
    const char *path;
    const gat_safetensors *st;
    gat_error *err;
} meta_reader;

static int meta_bad(const meta_reader *r, const char *key, const char *value, const char *what) {
    return gat_error_set(r->err, GAT_EFORMAT, "%s: metadata '%s': '%.40s' is not %s", r->path, key, value, what);
}

/* Parse "8,1" into v; returns the count or -1. */
static int parse_list(const char *s, int64_t *v, int max) {
    int n = 0;
    if (!s || !*s) return 0;
    for (;;) {
        char *end;
        errno = 0;
        if (*s < '0' || *s > '9') return -1;
        long long x = strtoll(s, &end, 10);
        if (end == s || errno || n == max) return -1;
        v[n++] = x;
        if (!*end) return n;
        if (*end != ',') return -1;
        s = end + 1;
    }
}

static int parse_bool(const char *s, int *out) {
    if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "True")) { *out = 1; return 0; }
    if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "False")) { *out = 0; return 0; }
    return -1;
}

static int parse_count(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return -1;
    long long x = strtoll(s, &end, 10);
    if (*end || errno) return -1;
    *out = x;
    return 0;
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno) return -1;
    *out = x;
    return 0;
}

/* Check that every known key present parses as its kind. */
static int meta_validate(const meta_reader *r) {
    for (size_t i = 0; i < r->st->n_meta; i++) {
        const char *key = r->st->meta[i].key, *s = r->st->meta[i].value;
        for (size_t k = 0; k < sizeof known_keys / sizeof *known_keys; k++) {
            if (strcmp(known_keys[k].key, key)) continue;
            int64_t iv, lv[GAT_MAX_LAYERS + 1];
            int b;
            double d;
            switch (known_keys[k].kind) {
            case K_STR: break;
            case K_COUNT:
                if (parse_count(s, &iv)) return meta_bad(r, key, s, "a whole number >= 0");
                break;
            case K_U64:
                if (*s < '0' || *s > '9') return meta_bad(r, key, s, "a whole number >= 0");
                {
                    char *end;
                    errno = 0;
                    (void)strtoull(s, &end, 10);
                    if (*end || errno) return meta_bad(r, key, s, "a whole number >= 0");
                }
                break;
            case K_BOOL:
                if (parse_bool(s, &b)) return meta_bad(r, key, s, "true or false");
                break;
            case K_PROB:
                if (parse_double(s, &d) || !(d >= 0.0 && d < 1.0)) return meta_bad(r, key, s, "a number in [0, 1)");
                break;
            case K_SCORE:
                if (*s && (parse_double(s, &d) || !(d >= 0.0 && d <= 1.0)))
                    return meta_bad(r, key, s, "a number in [0, 1] or empty");
                break;
            case K_LIST:
                if (parse_list(s, lv, GAT_MAX_LAYERS + 1) < 1)
                    return meta_bad(r, key, s, "a list of whole numbers (\"8,1\")");
                break;
            }
        }
    }
    return GAT_OK;
}

static const char *meta_get(const meta_reader *r, const char *key) {
    const char *s = gat_safetensors_meta(r->st, key);
    return s && *s ? s : NULL;
}

/* A metadata value that contradicts what the tensors say. */
static int meta_contradicts(const meta_reader *r, const char *key, const char *value, const char *fmt, long long want) {
    char what[128];
    snprintf(what, sizeof what, fmt, want);
    return gat_error_set(r->err, GAT_EFORMAT, "%s: metadata '%s' = '%.40s' contradicts the tensors (%s)", r->path, key,
                         value, what);
}

static int meta_check_count(const meta_reader *r, const char *key, int64_t want, const char *fmt) {
    const char *s = meta_get(r, key);
    int64_t v;
    if (s && (parse_count(s, &v) || v != want)) return meta_contradicts(r, key, s, fmt, (long long)want);
    return GAT_OK;
}

static int meta_check_list(const meta_reader *r, const char *key, const int64_t *want, int n, int64_t first) {
    const char *s = meta_get(r, key);
    if (!s) return GAT_OK;
    int64_t v[GAT_MAX_LAYERS + 1], w[GAT_MAX_LAYERS + 1];
    int nw = 0;
    if (first >= 0) w[nw++] = first;
    for (int l = 0; l < n; l++) w[nw++] = want[l];
    int nv = parse_list(s, v, GAT_MAX_LAYERS + 1), ok = nv == nw;
    for (int l = 0; ok && l < nw; l++) ok = v[l] == w[l];
    if (!ok) {
        char buf[160];
        list_str(buf, sizeof buf, want, n, first);
        return gat_error_set(r->err, GAT_EFORMAT, "%s: metadata '%s' = '%.40s' contradicts the tensors (%s)", r->path,
                             key, s, buf);
    }
    return GAT_OK;
}

/* The settings the model computes with, and the cross-checks against the architecture the
 * tensors imply (c). */
static int meta_apply(const meta_reader *r, gat_config *c) {
    int rc = meta_validate(r);
    if (rc) return rc;
    const char *s;
    if ((s = meta_get(r, "format")) && strcmp(s, "gat-model"))
        return meta_bad(r, "format", s, "'gat-model'");
    if ((s = meta_get(r, "format_version"))) {
        int64_t ver = 0;
        parse_count(s, &ver);
        if (ver < 1) return meta_bad(r, "format_version", s, "a version >= 1");
        if (ver > GAT_MODEL_FORMAT_VERSION)
            return gat_error_set(r->err, GAT_EFORMAT, "%s: metadata 'format_version' = %s is newer than this gat reads "
                                 "(1 to %d): read it with a newer gat", r->path, s, GAT_MODEL_FORMAT_VERSION);
    }
    int b;
    if ((s = meta_get(r, "attention")) && gat_attention_type_parse(s) < 0)
        return meta_bad(r, "attention", s, "an attention this gat computes ('gat' or 'gatv2')");
    if (s && gat_attention_type_parse(s) != c->attention_type)
        return meta_contradicts(r, "attention", s, c->attention_type == GAT_ATTENTION_GATV2
                                ? "gatv2 tensors: gat_net.0.scoring_fn" : "gat tensors: gat_net.0.scoring_fn_source", 0);
    if ((s = meta_get(r, "share_weights")) && !parse_bool(s, &b) && b != c->share_weights)
        return meta_contradicts(r, "share_weights", s, c->share_weights ? "no linear_proj_target tensors"
                                : "linear_proj_target tensors present", 0);
    /* absent (version 1 files): self loops added, as gat always did */
    if ((s = meta_get(r, "add_self_loops")) && !parse_bool(s, &b)) c->no_self_loops = !b;
    if ((s = meta_get(r, "task")) && strcmp(s, task_names[0]) && strcmp(s, task_names[1]))
        return meta_bad(r, "task", s, "single-label or multi-label");
    double d;
    if ((s = meta_get(r, "dropout")) && !parse_double(s, &d)) c->dropout = (float)d;
    /* absent (files before these keys): as dropout */
    if ((s = meta_get(r, "feature_dropout")) && !parse_double(s, &d)) c->feature_dropout = (float)d;
    if ((s = meta_get(r, "attention_dropout")) && !parse_double(s, &d)) c->attention_dropout = (float)d;
    if ((s = meta_get(r, "projection_dropout")) && !parse_bool(s, &b)) c->no_projection_dropout = !b;
    if ((s = meta_get(r, "leaky_relu_slope")) && !parse_double(s, &d)) c->slope = (float)d;
    const int L = c->n_layers;
    if ((rc = meta_check_count(r, "layers", L, "%lld layers"))) return rc;
    /* absent (files before this key): hidden layers concatenate, the last averages */
    if ((s = meta_get(r, "concat_heads")) && gat_config_concat_parse(c, s)) {
        char what[64];
        snprintf(what, sizeof what, "a list of %d true/false values, one per layer", L);
        return meta_bad(r, "concat_heads", s, what);
    }
    if ((rc = meta_check_count(r, "n_in", c->n_in, "%lld input features"))) return rc;
    if ((rc = meta_check_count(r, "classes", gat_config_out_width(c, L - 1), "%lld classes"))) return rc;
    if ((s = meta_get(r, "skip")) && !parse_bool(s, &b) && b != c->skip)
        return meta_contradicts(r, "skip", s, c->skip ? "skip_proj tensors present" : "%lld skip_proj tensors", 0);
    if ((s = meta_get(r, "bias")) && !parse_bool(s, &b) && b != c->bias)
        return meta_contradicts(r, "bias", s, c->bias ? "bias tensors present" : "%lld bias tensors", 0);
    if ((rc = meta_check_list(r, "heads", c->heads, L, -1))) return rc;
    if ((rc = meta_check_list(r, "features", c->features, L, -1))) return rc;
    if ((rc = meta_check_list(r, "num_heads_per_layer", c->heads, L, -1))) return rc;
    if ((rc = meta_check_list(r, "num_features_per_layer", c->features, L, c->n_in))) return rc;
    return GAT_OK;
}

static void meta_fill(const meta_reader *r, gat_model_meta *meta) {
    memset(meta, 0, sizeof *meta);
    const char *s;
    int b;
    meta->val_accuracy = meta->test_accuracy = NAN;
    meta->format_version = 1;
    if ((s = meta_get(r, "format_version"))) meta->format_version = (int)strtol(s, NULL, 10);
    if ((s = meta_get(r, "dataset"))) snprintf(meta->dataset, sizeof meta->dataset, "%s", s);
    if ((s = meta_get(r, "epochs"))) meta->epochs = strtoll(s, NULL, 10);
    if ((s = meta_get(r, "best_epoch"))) meta->best_epoch = strtoll(s, NULL, 10);
    if ((s = meta_get(r, "val_accuracy"))) meta->val_accuracy = strtod(s, NULL);
    if ((s = meta_get(r, "test_accuracy"))) meta->test_accuracy = strtod(s, NULL);
    if ((s = meta_get(r, "seed"))) meta->seed = strtoull(s, NULL, 10);
    if ((s = meta_get(r, "normalize_features")) && !parse_bool(s, &b))
        meta->normalize = b ? GAT_NORMALIZE_ROWS : GAT_NORMALIZE_NONE;
    if ((s = meta_get(r, "task"))) meta->task = strcmp(s, task_names[0]) ? 2 : 1;
    if ((s = meta_get(r, "run"))) snprintf(meta->run, sizeof meta->run, "%s", s);
    if ((s = meta_get(r, "git_commit"))) snprintf(meta->git_commit, sizeof meta->git_commit, "%s", s);
    if ((s = meta_get(r, "created"))) snprintf(meta->created, sizeof meta->created, "%s", s);
}

/* The model held in st (owned: freed here). */
static int model_from_safetensors(const char *path, gat_safetensors st, gat_model *m, gat_model_meta *meta,
                                  gat_error *err) {
    int rc = GAT_OK;
    meta_reader mr = {path, &st, err};
    const char *s_concat;
    gat_config c;
    memset(&c, 0, sizeof c);
    c.slope = 0.2f;
    c.dropout = 0.6f;
    c.feature_dropout = c.attention_dropout = -1.0f;
    char name[96];
    /* Infer the architecture from the tensors. */
    /* GATv2 models have one attention vector per layer (scoring_fn), GAT models two */
    if (!gat_safetensors_get(&st, "gat_net.0.scoring_fn_source") && gat_safetensors_get(&st, "gat_net.0.scoring_fn")) {
        c.attention_type = GAT_ATTENTION_GATV2;
        c.share_weights = !gat_safetensors_get(&st, "gat_net.0.linear_proj_target.weight");
    }
    for (int l = 0; l < GAT_MAX_LAYERS; l++) {
        snprintf(name, sizeof name, c.attention_type == GAT_ATTENTION_GATV2 ? "gat_net.%d.scoring_fn"
                 : "gat_net.%d.scoring_fn_source", l);
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
        rc = gat_error_set(err, GAT_EFORMAT, "%s: a safetensors file, but not a GAT model file: no tensor "
                           "gat_net.0.scoring_fn_source (it holds %zu tensor%s%s%s%s); gat reads the files gat train "
                           "writes, with pytorch-GAT's tensor names", path, st.n_tensors, st.n_tensors == 1 ? "" : "s",
                           st.n_tensors ? ", the first '" : "",
                           st.n_tensors ? st.tensors[0].name : "", st.n_tensors ? "'" : "");
        goto done;
    }
    const gat_st_tensor *w0 = gat_safetensors_get(&st, "gat_net.0.linear_proj.weight");
    if (!w0 || w0->array.ndim != 2) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: missing or misshapen tensor gat_net.0.linear_proj.weight", path);
        goto done;
    }
    c.n_in = w0->array.shape[1];
    /* The metadata: every known key valid, settings taken, contradictions refused. */
    if ((rc = meta_apply(&mr, &c))) goto done;
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
                rc = gat_error_set(err, GAT_EFORMAT, "%s: unexpected tensor '%s' for a %d-layer %s%s", path,
                                   st.tensors[i].name, c.n_layers, c.attention_type ? "GATv2" : "GAT",
                                   c.skip ? " with skip connections" : "");
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
            char want[96], have[96];
            int nw = 0, nh = 0;
            for (int k = 0; k < mt->ndim; k++) nw += snprintf(want + nw, sizeof want - (size_t)nw, "%s%lld", k ? ", " : "", (long long)mt->shape[k]);
            for (int k = 0; k < t->array.ndim && nh < 80; k++)
                nh += snprintf(have + nh, sizeof have - (size_t)nh, "%s%lld", k ? ", " : "", (long long)t->array.shape[k]);
            if (!nh) have[0] = 0;
            rc = gat_error_set(err, GAT_ESHAPE, "%s: tensor %s has the wrong shape for this architecture: (%s), not (%s) "
                               "(heads concatenated or averaged per layer: metadata concat_heads = %s)", path, mt->name, have,
                               want, (s_concat = meta_get(&mr, "concat_heads")) ? s_concat : "absent, the default");
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
    if (meta) meta_fill(&mr, meta);
done:
    if (rc) gat_model_free(m);
    gat_safetensors_free(&st);
    return rc;
}

/* A safetensors file with a dtype gat does not read (F16, BF16: a language model's weights,
 * say) is first of all not a GAT model when its header names no GAT tensor: say that. */
static int explain_dtype_error(const void *buf, size_t len, const char *name, gat_error *err) {
    const unsigned char *b = buf;
    if (len < 8) return GAT_EDTYPE;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];
    if (hlen > len - 8) return GAT_EDTYPE;
    static const char key[] = "\"gat_net.0.scoring_fn_source\"", key2[] = "\"gat_net.0.scoring_fn\"";
    const size_t k = sizeof key - 1, k2 = sizeof key2 - 1;
    for (size_t i = 8; i + k2 <= 8 + hlen; i++)
        if ((i + k <= 8 + hlen && !memcmp(b + i, key, k)) || !memcmp(b + i, key2, k2)) return GAT_EDTYPE;
    char why[sizeof err->msg];
    const char *tail = strstr(err->msg, ": ");
    snprintf(why, sizeof why, "%s", tail ? tail + 2 : err->msg);
    return gat_error_set(err, GAT_EFORMAT, "%s: a safetensors file, but not a GAT model file: no tensor "
                         "gat_net.0.scoring_fn_source (and %s); gat reads the files gat train writes, with "
                         "pytorch-GAT's tensor names", name, why);
}

int gat_model_parse(const void *buf, size_t len, const char *name, gat_model *m, gat_model_meta *meta,
                    gat_error *err) {
    gat_safetensors st;
    memset(m, 0, sizeof *m);
    int rc = gat_safetensors_parse(buf, len, name, &st, err);
    if (rc == GAT_EDTYPE) return explain_dtype_error(buf, len, name, err);
    if (rc) return rc;
    return model_from_safetensors(name, st, m, meta, err);
}

int gat_model_load(const char *path, gat_model *m, gat_model_meta *meta, gat_error *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(m, 0, sizeof *m);
    int rc = gat_read_file(path, &buf, &len, err);
    if (rc) return rc;
    rc = gat_model_parse(buf, len, path, m, meta, err);
    free(buf);
    return rc;
}
