/* api.c - graphs in memory and models behind opaque handles (see api.h).
 *
 * A gat_data wraps a gat_dataset whose arrays are either the caller's (borrowed) or its
 * own; `owned` says which, one bit per array. A gat_net wraps a gat_model and keeps the
 * session (graph with self loops unless the model has none, input index, activations) of the last gat_data it ran
 * on, keyed by that handle's unique id and its generation (bumped by every setter), so
 * repeated calls on the same graph build nothing. */
#include "gat/api.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/dataset.h"
#include "gat/inspect.h"
#include "gat/model.h"
#include "gat/modelfile.h"
#include "gat/ops.h"
#include "gat/train.h"
#include "gat/viz_dataset.h"
#include "gat/viz_model.h"

#ifndef GAT_VERSION
#define GAT_VERSION "0"
#endif
#ifndef GAT_GIT_COMMIT
#define GAT_GIT_COMMIT "unknown"
#endif

enum {
    OWN_SRC = 1 << 0, OWN_DST = 1 << 1, OWN_DENSE = 1 << 2, OWN_PTR = 1 << 3, OWN_IDX = 1 << 4,
    OWN_VAL = 1 << 5, OWN_LABELS = 1 << 6, OWN_TARGETS = 1 << 7, OWN_SPLIT0 = 1 << 8,
};

struct gat_data {
    uint64_t id, gen;
    unsigned owned;
    int has_edges;
    int normalized;                    /* feature rows scaled to sum 1 (recorded in model files) */
    gat_dataset ds;
};

struct gat_net {
    gat_model m;
    gat_model_meta meta;
    /* the session of the last graph */
    uint64_t data_id, data_gen;
    int bound;
    gat_dataset view;                  /* shallow copy of the data's dataset, classes = the model's */
    gat_session s;
};

static atomic_uint_fast64_t next_data_id = 1;

#define NEED(p, what) do { if (!(p)) return gat_error_set(err, GAT_EINVAL, "%s: NULL", what); } while (0)

/* ---- library ---- */

int gat_api_version(const char **version) {
    if (version) *version = GAT_VERSION " (commit " GAT_GIT_COMMIT ")";
    return GAT_API_VERSION;
}

size_t gat_api_sizeof(const char *t) {
    if (!t) return 0;
    if (!strcmp(t, "gat_net_options")) return sizeof(gat_net_options);
    if (!strcmp(t, "gat_fit_options")) return sizeof(gat_fit_options);
    if (!strcmp(t, "gat_fit_result")) return sizeof(gat_fit_result);
    if (!strcmp(t, "gat_epoch_info")) return sizeof(gat_epoch_info);
    if (!strcmp(t, "gat_data_info")) return sizeof(gat_data_info);
    if (!strcmp(t, "gat_net_info")) return sizeof(gat_net_info);
    return 0;
}

int gat_api_set_threads(int n) { return gat_set_threads(n < 0 ? 0 : n); }

/* ---- datasets ---- */

static void *dup_bytes(const void *p, size_t n) {
    void *q = malloc(n + 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

static void release(gat_data *d, unsigned bits) {
    gat_dataset *ds = &d->ds;
    unsigned own = d->owned & bits;
    if (bits & OWN_SRC) { if (own & OWN_SRC) free(ds->edge_src); ds->edge_src = NULL; }
    if (bits & OWN_DST) { if (own & OWN_DST) free(ds->edge_dst); ds->edge_dst = NULL; }
    if (bits & OWN_DENSE) { if (own & OWN_DENSE) free(ds->dense_features); ds->dense_features = NULL; }
    if (bits & OWN_PTR) { if (own & OWN_PTR) free(ds->features.row_ptr); ds->features.row_ptr = NULL; }
    if (bits & OWN_IDX) { if (own & OWN_IDX) free(ds->features.col_idx); ds->features.col_idx = NULL; }
    if (bits & OWN_VAL) { if (own & OWN_VAL) free(ds->features.val); ds->features.val = NULL; }
    if (bits & OWN_LABELS) { if (own & OWN_LABELS) free(ds->labels); ds->labels = NULL; }
    if (bits & OWN_TARGETS) { if (own & OWN_TARGETS) free(ds->targets); ds->targets = NULL; }
    for (int s = 0; s < 3; s++)
        if (bits & (OWN_SPLIT0 << s)) {
            if (own & (OWN_SPLIT0 << s)) free(ds->split[s]);
            ds->split[s] = NULL;
            ds->split_size[s] = 0;
        }
    d->owned &= ~bits;
}

static void free_class_names(gat_dataset *ds, int64_t n) {
    if (ds->class_names)
        for (int64_t c = 0; c < n; c++) free(ds->class_names[c]);
    free(ds->class_names);
    ds->class_names = NULL;
}

void gat_data_free(gat_data *d) {
    if (!d) return;
    free_class_names(&d->ds, d->ds.n_classes); /* class names always number n_classes */
    release(d, ~0u);
    free(d->ds.path);
    free(d);
}

static gat_data *data_alloc(void) {
    gat_data *d = calloc(1, sizeof *d);
    if (d) d->id = atomic_fetch_add(&next_data_id, 1);
    return d;
}

int gat_data_new(gat_data **out, const char *name, int64_t n_nodes, gat_error *err) {
    NEED(out, "gat_data_new: out");
    *out = NULL;
    if (n_nodes < 1) return gat_error_set(err, GAT_EINVAL, "n_nodes: %lld, a graph needs at least one node", (long long)n_nodes);
    if (!name) name = "graph";
    if (strlen(name) == 0 || strlen(name) >= sizeof((gat_dataset *)0)->name)
        return gat_error_set(err, GAT_EINVAL, "name: '%.80s' must be 1 to 63 bytes long", name);
    gat_data *d = data_alloc();
    if (!d) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    snprintf(d->ds.name, sizeof d->ds.name, "%s", name);
    d->ds.n_nodes = n_nodes;
    d->has_edges = 1; /* no edges is a valid graph (self loops only) */
    *out = d;
    return GAT_OK;
}

int gat_data_open(gat_data **out, const char *name, const char *data_dir, gat_error *err) {
    NEED(out, "gat_data_open: out");
    *out = NULL;
    NEED(name, "dataset name");
    gat_data *d = data_alloc();
    if (!d) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    int rc = gat_dataset_open(&d->ds, name, data_dir, err);
    if (rc) {
        free(d);
        return rc;
    }
    d->owned = ~0u;
    d->has_edges = 1;
    *out = d;
    return GAT_OK;
}

int gat_data_get_info(const gat_data *d, gat_data_info *o) {
    if (!d || !o) return GAT_EINVAL;
    memset(o, 0, sizeof *o);
    const gat_dataset *ds = &d->ds;
    snprintf(o->name, sizeof o->name, "%s", ds->name);
    o->n_nodes = ds->n_nodes;
    o->n_edges = ds->n_edges;
    o->n_features = ds->n_features;
    o->n_classes = ds->n_classes;
    o->task = ds->labels ? 0 : ds->targets ? 1 : -1;
    o->features = ds->dense_features ? 1 : ds->features.row_ptr ? 2 : 0;
    for (int s = 0; s < 3; s++) o->split_size[s] = ds->split_size[s];
    o->nnz_features = ds->dense_features ? ds->n_nodes * ds->n_features : ds->features.nnz;
    const void *arrays[] = {ds->edge_src, ds->edge_dst, ds->dense_features, ds->features.row_ptr, ds->features.col_idx,
                            ds->features.val, ds->labels, ds->targets, ds->split[0], ds->split[1], ds->split[2]};
    for (int i = 0; i < (int)(sizeof arrays / sizeof *arrays); i++)
        o->borrowed += arrays[i] && !(d->owned & (1u << i));
    return GAT_OK;
}

int gat_data_set_edges(gat_data *d, const int64_t *ei, int64_t n_edges, int own, gat_error *err) {
    NEED(d, "gat_data_set_edges: data");
    if (n_edges < 0) return gat_error_set(err, GAT_EINVAL, "edge_index: %lld edges", (long long)n_edges);
    if (n_edges > 0 && !ei) return gat_error_set(err, GAT_EINVAL, "edge_index: NULL for %lld edges", (long long)n_edges);
    const int64_t n = d->ds.n_nodes;
    for (int64_t k = 0; k < n_edges; k++) {
        int64_t s = ei[k], t = ei[n_edges + k];
        if (s < 0 || s >= n || t < 0 || t >= n)
            return gat_error_set(err, GAT_ERANGE, "edge_index: edge %lld (%lld -> %lld) has a node id outside [0, %lld)",
                                 (long long)k, (long long)s, (long long)t, (long long)n);
    }
    int64_t *src = (int64_t *)ei, *dst = n_edges ? (int64_t *)ei + n_edges : NULL;
    if (own == GAT_COPY || n_edges == 0) {
        src = dup_bytes(ei, (size_t)n_edges * sizeof *src);
        dst = dup_bytes(ei ? ei + n_edges : NULL, (size_t)n_edges * sizeof *dst);
        if (!src || !dst) {
            free(src);
            free(dst);
            return gat_error_set(err, GAT_ENOMEM, "edge_index: out of memory for %lld edges", (long long)n_edges);
        }
    }
    release(d, OWN_SRC | OWN_DST);
    d->ds.edge_src = src;
    d->ds.edge_dst = dst;
    d->ds.n_edges = n_edges;
    if (own == GAT_COPY || n_edges == 0) d->owned |= OWN_SRC | OWN_DST;
    d->gen++;
    return GAT_OK;
}

static void drop_features(gat_data *d) {
    release(d, OWN_DENSE | OWN_PTR | OWN_IDX | OWN_VAL);
    memset(&d->ds.features, 0, sizeof d->ds.features);
    d->ds.n_features = 0;
}

int gat_data_set_features(gat_data *d, const float *x, int64_t f, int own, gat_error *err) {
    NEED(d, "gat_data_set_features: data");
    NEED(x, "x");
    const int64_t n = d->ds.n_nodes;
    if (f < 1) return gat_error_set(err, GAT_EINVAL, "x: %lld features per node, at least 1 needed", (long long)f);
    if (f > INT64_MAX / n) return gat_error_set(err, GAT_EINVAL, "x: (%lld, %lld) is too large", (long long)n, (long long)f);
    for (int64_t i = 0; i < n * f; i++)
        if (!isfinite(x[i]))
            return gat_error_set(err, GAT_ERANGE, "x: node %lld feature %lld is %g (features must be finite)",
                                 (long long)(i / f), (long long)(i % f), (double)x[i]);
    float *p = (float *)x;
    if (own == GAT_COPY && !(p = dup_bytes(x, (size_t)(n * f) * sizeof *p)))
        return gat_error_set(err, GAT_ENOMEM, "x: out of memory for (%lld, %lld)", (long long)n, (long long)f);
    drop_features(d);
    d->normalized = 0;
    d->ds.dense_features = p;
    d->ds.n_features = f;
    if (own == GAT_COPY) d->owned |= OWN_DENSE;
    d->gen++;
    return GAT_OK;
}

int gat_data_set_features_csr(gat_data *d, const int64_t *indptr, const int32_t *indices, const float *values,
                              int64_t f, int own, gat_error *err) {
    NEED(d, "gat_data_set_features_csr: data");
    NEED(indptr, "x.indptr");
    const int64_t n = d->ds.n_nodes;
    if (f < 1 || f > INT32_MAX)
        return gat_error_set(err, GAT_EINVAL, "x: %lld feature columns (allowed 1..%d)", (long long)f, INT32_MAX);
    if (indptr[0] != 0) return gat_error_set(err, GAT_EFORMAT, "x.indptr: starts at %lld, not 0", (long long)indptr[0]);
    for (int64_t i = 0; i < n; i++)
        if (indptr[i + 1] < indptr[i])
            return gat_error_set(err, GAT_EFORMAT, "x.indptr: decreases at row %lld (%lld after %lld)", (long long)i,
                                 (long long)indptr[i + 1], (long long)indptr[i]);
    const int64_t nnz = indptr[n];
    if (nnz > 0 && (!indices || !values)) return gat_error_set(err, GAT_EINVAL, "x: NULL indices or values for %lld entries", (long long)nnz);
    for (int64_t p = 0; p < nnz; p++) {
        if (indices[p] < 0 || indices[p] >= f)
            return gat_error_set(err, GAT_ERANGE, "x.indices: entry %lld is column %d, outside [0, %lld)", (long long)p,
                                 (int)indices[p], (long long)f);
        if (!isfinite(values[p]))
            return gat_error_set(err, GAT_ERANGE, "x.data: entry %lld is %g (features must be finite)", (long long)p,
                                 (double)values[p]);
    }
    int64_t *rp = (int64_t *)indptr;
    int32_t *ci = (int32_t *)indices;
    float *v = (float *)values;
    if (own == GAT_COPY) {
        rp = dup_bytes(indptr, (size_t)(n + 1) * sizeof *rp);
        ci = dup_bytes(indices, (size_t)nnz * sizeof *ci);
        v = dup_bytes(values, (size_t)nnz * sizeof *v);
        if (!rp || !ci || !v) {
            free(rp);
            free(ci);
            free(v);
            return gat_error_set(err, GAT_ENOMEM, "x: out of memory for %lld entries", (long long)nnz);
        }
    }
    drop_features(d);
    d->normalized = 0;
    gat_csr *x = &d->ds.features;
    x->n_rows = n;
    x->n_cols = f;
    x->nnz = nnz;
    x->row_ptr = rp;
    x->col_idx = ci;
    x->val = v;
    d->ds.n_features = f;
    if (own == GAT_COPY) d->owned |= OWN_PTR | OWN_IDX | OWN_VAL;
    d->gen++;
    return GAT_OK;
}

static void drop_labels(gat_data *d) {
    free_class_names(&d->ds, d->ds.n_classes);
    release(d, OWN_LABELS | OWN_TARGETS);
    d->ds.n_classes = 0;
}

int gat_data_set_labels(gat_data *d, const int64_t *y, int64_t c, int own, gat_error *err) {
    NEED(d, "gat_data_set_labels: data");
    NEED(y, "y");
    const int64_t n = d->ds.n_nodes;
    if (c < 0 || c > 1000000) return gat_error_set(err, GAT_EINVAL, "n_classes: %lld (allowed 0..1000000)", (long long)c);
    int64_t max = -1;
    for (int64_t i = 0; i < n; i++) {
        if (y[i] < -1 || (c && y[i] >= c))
            return gat_error_set(err, GAT_ERANGE, "y: node %lld has label %lld (labels are 0..%lld, or -1 for none)",
                                 (long long)i, (long long)y[i], (long long)(c ? c - 1 : 999999));
        if (y[i] > max) max = y[i];
    }
    if (max < 0) return gat_error_set(err, GAT_ERANGE, "y: no node has a label");
    if (max >= 1000000) return gat_error_set(err, GAT_ERANGE, "y: label %lld is implausibly large", (long long)max);
    int64_t *p = (int64_t *)y;
    if (own == GAT_COPY && !(p = dup_bytes(y, (size_t)n * sizeof *p)))
        return gat_error_set(err, GAT_ENOMEM, "y: out of memory");
    drop_labels(d);
    d->ds.labels = p;
    d->ds.task = GAT_TASK_SINGLE_LABEL;
    d->ds.n_classes = c ? c : max + 1;
    if (own == GAT_COPY) d->owned |= OWN_LABELS;
    d->gen++;
    return GAT_OK;
}

int gat_data_set_targets(gat_data *d, const float *y, int64_t c, int own, gat_error *err) {
    NEED(d, "gat_data_set_targets: data");
    NEED(y, "y");
    const int64_t n = d->ds.n_nodes;
    if (c < 1 || c > 65536) return gat_error_set(err, GAT_EINVAL, "y: %lld label columns (allowed 1..65536)", (long long)c);
    for (int64_t i = 0; i < n * c; i++)
        if (y[i] != 0.0f && y[i] != 1.0f)
            return gat_error_set(err, GAT_ERANGE, "y: multi-label targets must be 0 or 1; node %lld class %lld is %g",
                                 (long long)(i / c), (long long)(i % c), (double)y[i]);
    float *p = (float *)y;
    if (own == GAT_COPY && !(p = dup_bytes(y, (size_t)(n * c) * sizeof *p)))
        return gat_error_set(err, GAT_ENOMEM, "y: out of memory");
    drop_labels(d);
    d->ds.targets = p;
    d->ds.task = GAT_TASK_MULTI_LABEL;
    d->ds.n_classes = c;
    if (own == GAT_COPY) d->owned |= OWN_TARGETS;
    d->gen++;
    return GAT_OK;
}

static const char *split_arg[3] = {"train_idx", "val_idx", "test_idx"};

int gat_data_set_split(gat_data *d, int s, const int64_t *ids, int64_t n, int own, gat_error *err) {
    NEED(d, "gat_data_set_split: data");
    if (s < 0 || s > 2) return gat_error_set(err, GAT_EINVAL, "split: %d is not train (0), val (1) or test (2)", s);
    if (n < 0) return gat_error_set(err, GAT_EINVAL, "%s: %lld ids", split_arg[s], (long long)n);
    if (n > 0 && !ids) return gat_error_set(err, GAT_EINVAL, "%s: NULL for %lld ids", split_arg[s], (long long)n);
    for (int64_t t = 0; t < n; t++)
        if (ids[t] < 0 || ids[t] >= d->ds.n_nodes)
            return gat_error_set(err, GAT_ERANGE, "%s: entry %lld is node %lld, outside [0, %lld)", split_arg[s],
                                 (long long)t, (long long)ids[t], (long long)d->ds.n_nodes);
    int64_t *p = (int64_t *)ids;
    if ((own == GAT_COPY || n == 0) && !(p = dup_bytes(ids, (size_t)n * sizeof *p)))
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", split_arg[s]);
    release(d, OWN_SPLIT0 << s);
    d->ds.split[s] = p;
    d->ds.split_size[s] = n;
    if (own == GAT_COPY || n == 0) d->owned |= OWN_SPLIT0 << s;
    d->gen++;
    return GAT_OK;
}

int gat_data_set_class_names(gat_data *d, const char *const *names, int64_t n, gat_error *err) {
    NEED(d, "gat_data_set_class_names: data");
    NEED(names, "class_names");
    if (!d->ds.labels && !d->ds.targets)
        return gat_error_set(err, GAT_EINVAL, "class_names: set the labels first");
    if (n != d->ds.n_classes)
        return gat_error_set(err, GAT_ESHAPE, "class_names: %lld names for %lld classes", (long long)n,
                             (long long)d->ds.n_classes);
    char **cn = calloc((size_t)n + 1, sizeof *cn);
    if (!cn) return gat_error_set(err, GAT_ENOMEM, "class_names: out of memory");
    for (int64_t c = 0; c < n; c++) {
        if (!names[c]) {
            for (int64_t q = 0; q < c; q++) free(cn[q]);
            free(cn);
            return gat_error_set(err, GAT_EINVAL, "class_names: name %lld is NULL", (long long)c);
        }
        cn[c] = dup_bytes(names[c], strlen(names[c]) + 1);
        if (!cn[c]) {
            for (int64_t q = 0; q < c; q++) free(cn[q]);
            free(cn);
            return gat_error_set(err, GAT_ENOMEM, "class_names: out of memory");
        }
    }
    free_class_names(&d->ds, d->ds.n_classes);
    d->ds.class_names = cn;
    d->gen++;
    return GAT_OK;
}

int gat_data_normalize_rows(gat_data *d, gat_error *err) {
    NEED(d, "gat_data_normalize_rows: data");
    gat_dataset *ds = &d->ds;
    if (ds->dense_features && !(d->owned & OWN_DENSE)) {
        float *p = dup_bytes(ds->dense_features, (size_t)(ds->n_nodes * ds->n_features) * sizeof *p);
        if (!p) return gat_error_set(err, GAT_ENOMEM, "x: out of memory");
        ds->dense_features = p;
        d->owned |= OWN_DENSE;
    } else if (ds->features.row_ptr && !(d->owned & OWN_VAL)) {
        float *p = dup_bytes(ds->features.val, (size_t)ds->features.nnz * sizeof *p);
        if (!p) return gat_error_set(err, GAT_ENOMEM, "x: out of memory");
        ds->features.val = p;
        d->owned |= OWN_VAL;
    } else if (!ds->dense_features && !ds->features.row_ptr) {
        return gat_error_set(err, GAT_EINVAL, "x: no features to normalise (set them first)");
    }
    gat_dataset_normalize_rows(ds);
    d->normalized = 1;
    d->gen++;
    return GAT_OK;
}

/* ---- models ---- */

gat_net_options gat_net_options_default(int64_t n_in, int64_t n_classes) {
    gat_config c = gat_config_default(n_in, n_classes);
    gat_net_options o;
    memset(&o, 0, sizeof o);
    o.n_layers = c.n_layers;
    o.n_in = n_in;
    o.n_classes = n_classes;
    for (int l = 0; l < c.n_layers && l < GAT_API_MAX_LAYERS; l++) {
        o.heads[l] = c.heads[l];
        o.features[l] = c.features[l];
    }
    o.skip = c.skip;
    o.bias = c.bias;
    o.dropout = c.dropout;
    o.slope = c.slope;
    o.attention_type = c.attention_type;
    o.share_weights = c.share_weights;
    o.no_self_loops = c.no_self_loops;
    return o;
}

static int options_to_config(const gat_net_options *o, gat_config *c, gat_error *err) {
    *c = gat_config_default(o->n_in, o->n_classes); /* what the options do not set: the library's defaults */
    if (o->n_layers < 1 || o->n_layers > GAT_API_MAX_LAYERS || o->n_layers > GAT_MAX_LAYERS)
        return gat_error_set(err, GAT_EINVAL, "layers: %d is out of range [1, %d]", o->n_layers, GAT_API_MAX_LAYERS);
    if (o->n_in < 1) return gat_error_set(err, GAT_EINVAL, "n_in: %lld input features", (long long)o->n_in);
    if (o->n_classes < 1) return gat_error_set(err, GAT_EINVAL, "n_classes: %lld classes", (long long)o->n_classes);
    if (o->features[o->n_layers - 1] != o->n_classes)
        return gat_error_set(err, GAT_EINVAL, "features: the last layer has %lld features but there are %lld classes",
                             (long long)o->features[o->n_layers - 1], (long long)o->n_classes);
    if (!(o->dropout >= 0 && o->dropout < 1))
        return gat_error_set(err, GAT_EINVAL, "dropout: %g is out of range [0, 1)", o->dropout);
    if (!(o->slope >= 0 && o->slope < 1))
        return gat_error_set(err, GAT_EINVAL, "slope: %g is out of range [0, 1)", o->slope);
    c->n_layers = o->n_layers;
    c->n_in = o->n_in;
    for (int l = 0; l < o->n_layers; l++) {
        c->heads[l] = o->heads[l];
        c->features[l] = o->features[l];
    }
    c->skip = o->skip != 0;
    c->bias = o->bias != 0;
    c->dropout = (float)o->dropout;
    c->feature_dropout = c->attention_dropout = -1.0f; /* both follow dropout (the config was zeroed above) */
    c->slope = (float)o->slope;
    c->attention_type = o->attention_type;
    c->share_weights = o->share_weights != 0;
    c->no_self_loops = o->no_self_loops != 0;
    return gat_config_check(c, err);
}

static gat_net *net_alloc(void) {
    gat_net *net = calloc(1, sizeof *net);
    if (net) net->meta.val_accuracy = net->meta.test_accuracy = NAN;
    return net;
}

int gat_net_new(gat_net **out, const gat_net_options *o, uint64_t seed, gat_error *err) {
    NEED(out, "gat_net_new: out");
    *out = NULL;
    NEED(o, "options");
    gat_config c;
    int rc = options_to_config(o, &c, err);
    if (rc) return rc;
    gat_net *net = net_alloc();
    if (!net) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    if ((rc = gat_model_init(&net->m, &c, seed, err))) {
        free(net);
        return rc;
    }
    net->meta.seed = seed;
    *out = net;
    return GAT_OK;
}

int gat_net_load(gat_net **out, const char *path, gat_error *err) {
    NEED(out, "gat_net_load: out");
    *out = NULL;
    NEED(path, "path");
    gat_net *net = net_alloc();
    if (!net) return gat_error_set(err, GAT_ENOMEM, "out of memory");
    int rc = gat_model_load(path, &net->m, &net->meta, err);
    if (rc) {
        free(net);
        return rc;
    }
    *out = net;
    return GAT_OK;
}

int gat_net_save(const gat_net *net, const char *path, gat_error *err) {
    NEED(net, "gat_net_save: net");
    NEED(path, "path");
    return gat_model_save(path, &net->m, &net->meta, err);
}

static void unbind(gat_net *net) {
    if (net->bound) gat_session_free(&net->s);
    net->bound = 0;
}

void gat_net_free(gat_net *net) {
    if (!net) return;
    unbind(net);
    gat_model_free(&net->m);
    free(net);
}

static int64_t net_classes(const gat_net *net) { return gat_config_out_width(&net->m.cfg, net->m.cfg.n_layers - 1); }

int gat_net_get_info(const gat_net *net, gat_net_info *o) {
    if (!net || !o) return GAT_EINVAL;
    memset(o, 0, sizeof *o);
    const gat_config *c = &net->m.cfg;
    o->options.n_layers = c->n_layers;
    o->options.n_in = c->n_in;
    o->options.n_classes = net_classes(net);
    for (int l = 0; l < c->n_layers; l++) {
        o->options.heads[l] = c->heads[l];
        o->options.features[l] = c->features[l];
    }
    o->options.skip = c->skip;
    o->options.bias = c->bias;
    o->options.dropout = c->dropout;
    o->options.slope = c->slope;
    o->options.attention_type = c->attention_type;
    o->options.share_weights = c->share_weights;
    o->options.no_self_loops = c->no_self_loops;
    o->n_params = (int64_t)net->m.n_weights;
    snprintf(o->dataset, sizeof o->dataset, "%s", net->meta.dataset);
    o->epochs = net->meta.epochs;
    o->best_epoch = net->meta.best_epoch;
    o->val_score = net->meta.val_accuracy;
    o->test_score = net->meta.test_accuracy;
    o->seed = net->meta.seed;
    return GAT_OK;
}

int gat_net_tensor_count(const gat_net *net) { return net ? net->m.n_tensors : GAT_EINVAL; }

int gat_net_tensor_info(const gat_net *net, int i, const char **name, int *ndim, int64_t shape[3]) {
    if (!net || i < 0 || i >= net->m.n_tensors) return GAT_EINVAL;
    const gat_tensor *t = &net->m.tensors[i];
    if (name) *name = t->name;
    if (ndim) *ndim = t->ndim;
    if (shape)
        for (int k = 0; k < 3; k++) shape[k] = k < t->ndim ? t->shape[k] : 0;
    return GAT_OK;
}

int gat_net_tensor(const gat_net *net, int i, float *out, int64_t out_len, gat_error *err) {
    NEED(net, "gat_net_tensor: net");
    NEED(out, "out");
    if (i < 0 || i >= net->m.n_tensors)
        return gat_error_set(err, GAT_EINVAL, "tensor %d: the model has tensors 0..%d", i, net->m.n_tensors - 1);
    const gat_tensor *t = &net->m.tensors[i];
    if (out_len < (int64_t)t->size)
        return gat_error_set(err, GAT_ESHAPE, "%s: %zu values do not fit an output of %lld", t->name, t->size,
                             (long long)out_len);
    const float *src = net->m.params + t->offset;
    if (t->transposed) { /* internal (in, out) -> file (out, in) */
        int64_t rows = t->shape[1], cols = t->shape[0];
        for (int64_t r = 0; r < rows; r++)
            for (int64_t q = 0; q < cols; q++) out[q * rows + r] = src[r * cols + q];
    } else {
        memcpy(out, src, t->size * sizeof *out);
    }
    return GAT_OK;
}

/* ---- running a model on a graph ---- */

enum { NEED_FEATURES = 0, NEED_LABELS = 1 };

/* Check that net fits d and make net's session the one of d (rebuilt only when d changed). */
static int bind(gat_net *net, gat_data *d, int need, gat_error *err) {
    NEED(net, "net");
    NEED(d, "data");
    const gat_dataset *ds = &d->ds;
    const int64_t classes = net_classes(net);
    if (!ds->dense_features && !ds->features.row_ptr)
        return gat_error_set(err, GAT_EINVAL, "%s: the graph has no node features (set them first)", ds->name);
    if (ds->n_features != net->m.cfg.n_in)
        return gat_error_set(err, GAT_ESHAPE, "%s: the model reads %lld input features but the graph has %lld",
                             ds->name, (long long)net->m.cfg.n_in, (long long)ds->n_features);
    if (need == NEED_LABELS) {
        if (!ds->labels && !ds->targets) return gat_error_set(err, GAT_EINVAL, "%s: the graph has no labels (set y)", ds->name);
        if (ds->n_classes != classes)
            return gat_error_set(err, GAT_ESHAPE, "%s: the model predicts %lld classes but the labels have %lld",
                                 ds->name, (long long)classes, (long long)ds->n_classes);
    }
    if (net->bound && net->data_id == d->id && net->data_gen == d->gen) return GAT_OK;
    unbind(net);
    net->view = *ds;
    net->view.class_names = NULL; /* the session never reads them */
    if (ds->n_classes != classes) { /* inference on a graph labelled otherwise, or not at all */
        net->view.labels = NULL;
        net->view.targets = NULL;
        net->view.n_classes = classes;
        for (int s = 0; s < 3; s++) net->view.split_size[s] = 0;
    }
    int rc = gat_session_init(&net->s, &net->view, &net->m, err);
    if (rc) return rc;
    net->bound = 1;
    net->data_id = d->id;
    net->data_gen = d->gen;
    return GAT_OK;
}

/* A split the loss is computed on: non-empty, every node labelled. */
static int check_split(const gat_data *d, int s, gat_error *err) {
    const gat_dataset *ds = &d->ds;
    if (ds->split_size[s] == 0) return gat_error_set(err, GAT_EINVAL, "%s: empty (give the nodes of the %s split)",
                                                     split_arg[s], s == 0 ? "training" : s == 1 ? "validation" : "test");
    if (ds->labels)
        for (int64_t t = 0; t < ds->split_size[s]; t++)
            if (ds->labels[ds->split[s][t]] < 0)
                return gat_error_set(err, GAT_ERANGE, "%s: node %lld has no label (-1)", split_arg[s],
                                     (long long)ds->split[s][t]);
    return GAT_OK;
}

gat_fit_options gat_fit_options_default(void) {
    gat_train_options t = gat_train_options_default();
    gat_fit_options o;
    memset(&o, 0, sizeof o);
    o.max_epochs = t.max_epochs;
    o.patience = t.patience;
    o.lr = t.lr;
    o.weight_decay = t.weight_decay;
    o.seed = 1;
    o.keep_best = t.keep_best;
    return o;
}

typedef struct {
    gat_epoch_callback cb;
    void *user;
    int keep_best, stopped;
    float *best;                       /* parameters of the best epoch, for a stop by the callback */
    int64_t best_epoch;
    double best_score, best_loss;
} fit_ctx;

static int on_epoch(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err) {
    fit_ctx *c = user;
    /* the best epoch as gat_train picks it: highest val score, lower loss on ties */
    if (r->epoch == 1 || r->val.score > c->best_score || (r->val.score == c->best_score && r->val.loss < c->best_loss)) {
        c->best_epoch = r->epoch;
        c->best_score = r->val.score;
        c->best_loss = r->val.loss;
        if (c->best) memcpy(c->best, m->params, m->n_params * sizeof *c->best);
    }
    if (!c->cb) return 0;
    gat_epoch_info e = {.epoch = r->epoch, .train_loss = r->train.loss, .train_score = r->train.score,
                        .val_loss = r->val.loss, .val_score = r->val.score, .seconds = r->elapsed,
                        .improved = r->improved, .best_epoch = c->best_epoch};
    int rc = c->cb(&e, c->user, err);
    if (rc == 1) {
        c->stopped = 1;
        return GAT_EINVAL; /* any non-zero status ends gat_train; recognised by `stopped` */
    }
    if (rc < 0) {
        if (!err || err->status != rc || !err->msg[0])
            gat_error_set(err, rc, "training stopped by the epoch callback at epoch %lld", (long long)r->epoch);
        return rc;
    }
    if (rc != 0) return gat_error_set(err, GAT_EINVAL, "epoch callback: returned %d (0 go on, 1 stop, < 0 error)", rc);
    return 0;
}

int gat_net_fit(gat_net *net, gat_data *d, const gat_fit_options *o, gat_epoch_callback cb, void *user,
                gat_fit_result *res, gat_error *err) {
    NEED(net, "gat_net_fit: net");
    NEED(d, "gat_net_fit: data");
    gat_fit_options def = gat_fit_options_default();
    if (!o) o = &def;
    gat_train_options t = gat_train_options_default();
    t.max_epochs = o->max_epochs;
    t.patience = o->patience;
    t.lr = o->lr;
    t.weight_decay = o->weight_decay;
    t.seed = o->seed;
    t.keep_best = o->keep_best != 0;
    int rc = gat_train_options_check(&t, err);
    if (rc) return rc;
    if ((rc = bind(net, d, NEED_LABELS, err))) return rc;
    if ((rc = check_split(d, GAT_API_TRAIN, err)) || (rc = check_split(d, GAT_API_VAL, err))) return rc;
    fit_ctx c = {.cb = cb, .user = user, .keep_best = t.keep_best};
    if (cb && t.keep_best && !(c.best = malloc(net->m.n_params * sizeof *c.best + 1)))
        return gat_error_set(err, GAT_ENOMEM, "training: out of memory");
    gat_train_result tr;
    memset(&tr, 0, sizeof tr);
    gat_error local = {0};
    if (!err) err = &local;
    rc = gat_train(&net->m, &net->s, &t, on_epoch, &c, &tr, err);
    int stop = tr.reason == GAT_STOP_PATIENCE ? GAT_FIT_PATIENCE : GAT_FIT_MAX_EPOCHS;
    if (rc && c.stopped) {
        rc = GAT_OK;
        memset(err, 0, sizeof *err);
        stop = GAT_FIT_STOPPED;
        if (c.best) memcpy(net->m.params, c.best, net->m.n_params * sizeof *c.best);
        tr.best_epoch = c.best_epoch;
        tr.best_val.score = c.best_score;
        tr.best_val.loss = c.best_loss;
    }
    free(c.best);
    if (rc) return rc;
    gat_metrics val;
    gat_evaluate(&net->m, &net->s, GAT_SPLIT_VAL, &val);
    snprintf(net->meta.dataset, sizeof net->meta.dataset, "%s", d->ds.name);
    net->meta.epochs = tr.epochs;
    net->meta.best_epoch = tr.best_epoch;
    net->meta.val_accuracy = val.score;
    net->meta.test_accuracy = NAN;
    net->meta.seed = o->seed;
    net->meta.normalize = d->normalized ? GAT_NORMALIZE_ROWS : GAT_NORMALIZE_NONE;
    net->meta.task = (int)d->ds.task + 1;
    net->meta.run[0] = 0;
    if (res) {
        memset(res, 0, sizeof *res);
        res->epochs = tr.epochs;
        res->best_epoch = tr.best_epoch;
        res->best_val_loss = tr.best_val.loss;
        res->best_val_score = tr.best_val.score;
        res->val_loss = val.loss;
        res->val_score = val.score;
        res->seconds = tr.seconds;
        res->stop = stop;
    }
    return GAT_OK;
}

int gat_net_evaluate(gat_net *net, gat_data *d, int split, double *loss, double *score, gat_error *err) {
    if (split < 0 || split > 2) return gat_error_set(err, GAT_EINVAL, "split: %d is not train (0), val (1) or test (2)", split);
    int rc = bind(net, d, NEED_LABELS, err);
    if (rc || (rc = check_split(d, split, err))) return rc;
    gat_metrics m;
    gat_evaluate(&net->m, &net->s, (gat_split)split, &m);
    if (loss) *loss = m.loss;
    if (score) *score = m.score;
    if (split == GAT_API_TEST) net->meta.test_accuracy = m.score;
    return GAT_OK;
}

int gat_net_predict(gat_net *net, gat_data *d, int output, float *out, int64_t out_len, gat_error *err) {
    if (output < GAT_OUT_LOGITS || output > GAT_OUT_SIGMOID)
        return gat_error_set(err, GAT_EINVAL, "output: %d is not logits (0), softmax (1) or sigmoid (2)", output);
    int rc = bind(net, d, NEED_FEATURES, err);
    if (rc) return rc;
    NEED(out, "out");
    const int64_t n = d->ds.n_nodes, c = net_classes(net);
    if (out_len < n * c)
        return gat_error_set(err, GAT_ESHAPE, "out: %lld values for (%lld, %lld) outputs", (long long)out_len,
                             (long long)n, (long long)c);
    const float *z = gat_model_forward(&net->m, &net->s.acts, &net->s.in, &net->s.g, 0, 0);
    for (int64_t i = 0; i < n; i++) {
        const float *zi = z + i * c;
        float *oi = out + i * c;
        if (output == GAT_OUT_LOGITS) {
            memcpy(oi, zi, (size_t)c * sizeof *oi);
        } else if (output == GAT_OUT_SIGMOID) {
            for (int64_t k = 0; k < c; k++) oi[k] = (float)(1.0 / (1.0 + exp(-(double)zi[k])));
        } else {
            double mx = zi[0], sum = 0;
            for (int64_t k = 1; k < c; k++) mx = fmax(mx, zi[k]);
            for (int64_t k = 0; k < c; k++) sum += exp((double)zi[k] - mx);
            for (int64_t k = 0; k < c; k++) oi[k] = (float)(exp((double)zi[k] - mx) / sum);
        }
    }
    return GAT_OK;
}

static int check_layer(const gat_net *net, int layer, gat_error *err) {
    if (layer < 0 || layer >= net->m.cfg.n_layers)
        return gat_error_set(err, GAT_EINVAL, "layer: %d, the model has layers 0..%d", layer, net->m.cfg.n_layers - 1);
    return GAT_OK;
}

int gat_net_attention_size(gat_net *net, gat_data *d, int layer, int64_t *n_entries, int64_t *heads, gat_error *err) {
    int rc = bind(net, d, NEED_FEATURES, err);
    if (rc || (rc = check_layer(net, layer, err))) return rc;
    if (n_entries) *n_entries = net->s.g.nnz;
    if (heads) *heads = net->m.cfg.heads[layer];
    return GAT_OK;
}

int gat_net_attention(gat_net *net, gat_data *d, int layer, int64_t *edge_index, int64_t edge_index_len,
                      int64_t *edge_id, float *weights, int64_t weights_len, gat_error *err) {
    int64_t nnz, h;
    int rc = gat_net_attention_size(net, d, layer, &nnz, &h, err);
    if (rc) return rc;
    NEED(edge_index, "edge_index");
    NEED(weights, "weights");
    if (edge_index_len < 2 * nnz)
        return gat_error_set(err, GAT_ESHAPE, "edge_index: %lld values for (2, %lld)", (long long)edge_index_len, (long long)nnz);
    if (weights_len < nnz * h)
        return gat_error_set(err, GAT_ESHAPE, "weights: %lld values for (%lld, %lld)", (long long)weights_len,
                             (long long)nnz, (long long)h);
    gat_inspection ins;
    if ((rc = gat_inspect(&ins, &net->m, &net->view, err))) return rc;
    GAT_ASSERT(ins.graph.nnz == nnz);
    for (int64_t k = 0; k < nnz; k++) {
        edge_index[k] = ins.graph.src[k];
        edge_index[nnz + k] = ins.graph.dst[k];
        if (edge_id) edge_id[k] = ins.graph.edge_id[k];
    }
    memcpy(weights, ins.att[layer], (size_t)(nnz * h) * sizeof *weights);
    gat_inspection_free(&ins);
    return GAT_OK;
}

int gat_net_draw_attention(gat_net *net, gat_data *d, int64_t node, int layer, int head, const char *stem,
                           int formats, char *paths, size_t size, gat_error *err) {
    int rc = bind(net, d, NEED_FEATURES, err);
    if (rc || (rc = check_layer(net, layer, err))) return rc;
    NEED(stem, "path");
    if (node < 0 || node >= d->ds.n_nodes)
        return gat_error_set(err, GAT_EINVAL, "node: %lld is outside [0, %lld)", (long long)node, (long long)d->ds.n_nodes);
    if (head < -2 || head >= net->m.cfg.heads[layer])
        return gat_error_set(err, GAT_EINVAL, "head: %d, layer %d has heads 0..%lld (-1: mean, -2: all)", head, layer,
                             (long long)net->m.cfg.heads[layer] - 1);
    if (formats < 1 || formats > 3) return gat_error_set(err, GAT_EINVAL, "formats: %d is not 1 (png), 2 (svg) or 3", formats);
    gat_inspection ins;
    if ((rc = gat_inspect(&ins, &net->m, &net->view, err))) return rc;
    /* colours and names from the caller's labels when they fit the model */
    gat_dataset info_ds = net->view;
    if (d->ds.n_classes == net->view.n_classes) info_ds.class_names = d->ds.class_names;
    gat_graph_input info = gat_graph_input_from_dataset(&info_ds);
    gat_viz_options vo;
    memset(&vo, 0, sizeof vo);
    vo.no_png = !(formats & 1);
    vo.no_svg = !(formats & 2);
    gat_viz_result res;
    memset(&res, 0, sizeof res);
    if (head == -2) rc = gat_viz_attention_heads(&ins, &info, node, layer, GAT_STAR_RT, &vo, stem, &res, err);
    else rc = gat_viz_attention(&ins, &info, node, layer, head == -1 ? GAT_HEAD_MEAN : head, GAT_STAR_RT, &vo, stem, &res, err);
    gat_inspection_free(&ins);
    if (rc) return rc;
    if (paths && size) {
        size_t len = 0;
        paths[0] = 0;
        for (int i = 0; i < res.n_files && len < size; i++)
            len += (size_t)snprintf(paths + len, size - len, "%s\n", res.files[i]);
    }
    return GAT_OK;
}
