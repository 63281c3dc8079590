/* dataset.c - loading and validating graph datasets in the NumPy layout (see dataset.h). */
#include "gat/dataset.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gat/fileio.h"

#define PATH_MAX_LEN 4096

void gat_dataset_free(gat_dataset *ds) {
    if (!ds) return;
    free(ds->path);
    gat_csr_unmap(&ds->features, &ds->feature_map);
    if (ds->dense_map_base) {
        gat_npy_mapping mp = {.base = ds->dense_map_base, .len = ds->dense_map_len, .mapped = 1};
        gat_npy_unmap(&mp);
    } else {
        free(ds->dense_features);
    }
    if (ds->edges_mapped) {
        gat_npy_mapping mp = {.base = ds->edge_map_base, .len = ds->edge_map_len, .mapped = 1};
        gat_npy_unmap(&mp);
    } else {
        free(ds->edge_src);
        free(ds->edge_dst);
    }
    free(ds->labels);
    free(ds->targets);
    for (int s = 0; s < 3; s++) free(ds->split[s]);
    if (ds->class_names)
        for (int64_t c = 0; c < ds->n_classes; c++) free(ds->class_names[c]);
    free(ds->class_names);
    free(ds->graph_id);
    free(ds->graph_node_ptr);
    free(ds->graph_nodes);
    free(ds->graph_node_pos);
    free(ds->graph_edge_ptr);
    free(ds->graph_edges);
    for (int s = 0; s < 3; s++) free(ds->split_graphs[s]);
    memset(ds, 0, sizeof *ds);
}

static int read_array(const char *dir, const char *file, gat_array *a, gat_error *err) {
    char path[PATH_MAX_LEN];
    int rc = gat_path_join(path, sizeof path, err, "%s/%s", dir, file);
    if (rc) return rc;
    return gat_npy_read(path, a, err);
}

static int load_features(gat_dataset *ds, const char *dir, gat_error *err) {
    char path[PATH_MAX_LEN];
    int rc = gat_path_join(path, sizeof path, err, "%s/features.npz", dir);
    if (rc) return rc;
    char dense_path[PATH_MAX_LEN];
    if ((rc = gat_path_join(dense_path, sizeof dense_path, err, "%s/features.npy", dir))) return rc;
    if (gat_path_exists(path) && gat_path_exists(dense_path))
        return gat_error_set(err, GAT_EFORMAT, "%s: both features.npz and features.npy are present; keep one (which is "
                             "meant is not clear)", dir);
    if (gat_path_exists(path)) {
        rc = gat_csr_map_npz(path, &ds->features, &ds->feature_map, err);
        if (rc) return rc;
        ds->n_nodes = ds->features.n_rows;
        ds->n_features = ds->features.n_cols;
        return GAT_OK;
    }
    rc = gat_path_join(path, sizeof path, err, "%s/features.npy", dir);
    if (rc) return rc;
    if (!gat_path_exists(path))
        return gat_error_set(err, GAT_ENOTFOUND, "%s: no features.npz (scipy CSR) or features.npy (dense) in this folder", dir);
    /* float32 in C order: used in place from the mapping, every value checked */
    gat_npy_mapping mp;
    if ((rc = gat_npy_map(path, &mp, err))) return rc;
    if (mp.mapped && mp.array.dtype == GAT_DTYPE_F32 && mp.array.ndim == 2) {
        const float *v = mp.array.data;
        const int64_t total = (int64_t)mp.array.size;
        int64_t bad = total;
#pragma omp parallel for schedule(static) reduction(min : bad)
        for (int64_t k = 0; k < total; k++)
            if (!isfinite(v[k])) bad = k < bad ? k : bad;
        if (bad < total) {
            rc = gat_error_set(err, GAT_ERANGE, isnan(v[bad]) ? "%s: element %lld is NaN" : "%s: element %lld is infinite",
                               path, (long long)bad);
            gat_npy_unmap(&mp);
            return rc;
        }
        ds->n_nodes = mp.array.shape[0];
        ds->n_features = mp.array.shape[1];
        ds->dense_features = (float *)mp.array.data;
        ds->dense_map_base = mp.base;
        ds->dense_map_len = mp.len;
        return GAT_OK;
    }
    gat_npy_unmap(&mp);
    gat_array a = {0};
    rc = gat_npy_read(path, &a, err);
    if (rc) return rc;
    if (a.ndim != 2) {
        gat_array_free(&a);
        return gat_error_set(err, GAT_ESHAPE, "%s: features must have shape (nodes, features), got %d dimensions", path, a.ndim);
    }
    ds->n_nodes = a.shape[0];
    ds->n_features = a.shape[1];
    rc = gat_array_to_f32(&a, path, &ds->dense_features, err);
    gat_array_free(&a);
    return rc;
}

/* An int64 C-order (2, E) edge_index.npy is used in place from a mapping of the file; the ids
 * are checked in one streaming pass. */
static int map_edges(gat_dataset *ds, const char *dir, int *done, gat_error *err) {
    char name[PATH_MAX_LEN];
    *done = 0;
    int rc = gat_path_join(name, sizeof name, err, "%s/edge_index.npy", dir);
    if (rc) return rc;
    gat_npy_mapping mp;
    if ((rc = gat_npy_map(name, &mp, err)) || !mp.mapped) return rc;
    const gat_array *a = &mp.array;
    if (a->dtype != GAT_DTYPE_I64 || a->ndim != 2 || a->shape[0] != 2) {
        gat_npy_unmap(&mp); /* another dtype or shape: the reader converts it or says what is wrong */
        return GAT_OK;
    }
    const int64_t e = a->shape[1], n = ds->n_nodes, *src = a->data, *dst = src + e;
    int64_t bad = -1;
#pragma omp parallel for schedule(static) reduction(max : bad)
    for (int64_t k = 0; k < e; k++)
        if (src[k] < 0 || src[k] >= n || dst[k] < 0 || dst[k] >= n) bad = k > bad ? k : bad;
    if (bad >= 0) {
        /* report the first bad edge, as the reader does */
        for (int64_t k = 0; k < e; k++)
            if (src[k] < 0 || src[k] >= n || dst[k] < 0 || dst[k] >= n) {
                rc = gat_error_set(err, GAT_ERANGE, "%s: edge %lld (%lld -> %lld) has a node id outside [0, %lld)", name,
                                   (long long)k, (long long)src[k], (long long)dst[k], (long long)n);
                break;
            }
        gat_npy_unmap(&mp);
        return rc;
    }
    ds->n_edges = e;
    ds->edge_src = (int64_t *)src;
    ds->edge_dst = (int64_t *)dst;
    ds->edges_mapped = 1;
    ds->edge_map_base = mp.base;
    ds->edge_map_len = mp.len;
    *done = 1;
    return GAT_OK;
}

static int load_edges(gat_dataset *ds, const char *dir, gat_error *err) {
    gat_array a = {0};
    int64_t *e = NULL;
    int mapped;
    int rc = map_edges(ds, dir, &mapped, err);
    if (rc || mapped) return rc;
    rc = read_array(dir, "edge_index.npy", &a, err);
    if (rc) return rc;
    if (a.ndim != 2 || a.shape[0] != 2) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s/edge_index.npy: expected shape (2, E), got %s(%lld%s%lld)", dir,
                           a.ndim == 2 ? "" : "a different rank ", (long long)(a.ndim > 0 ? a.shape[0] : 0),
                           a.ndim > 1 ? ", " : "", (long long)(a.ndim > 1 ? a.shape[1] : 0));
        goto done;
    }
    char name[PATH_MAX_LEN];
    snprintf(name, sizeof name, "%s/edge_index.npy", dir);
    rc = gat_array_to_i64(&a, name, &e, err);
    if (rc) goto done;
    ds->n_edges = a.shape[1];
    ds->edge_src = malloc(((size_t)ds->n_edges + 1) * sizeof *ds->edge_src);
    ds->edge_dst = malloc(((size_t)ds->n_edges + 1) * sizeof *ds->edge_dst);
    if (!ds->edge_src || !ds->edge_dst) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %lld edges", name, (long long)ds->n_edges);
        goto done;
    }
    for (int64_t k = 0; k < ds->n_edges; k++) {
        int64_t s = e[k], d = e[ds->n_edges + k];
        if (s < 0 || s >= ds->n_nodes || d < 0 || d >= ds->n_nodes) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: edge %lld (%lld -> %lld) has a node id outside [0, %lld) (the "
                               "nodes are the %lld rows of the features and labels)", name, (long long)k, (long long)s,
                               (long long)d, (long long)ds->n_nodes, (long long)ds->n_nodes);
            goto done;
        }
        ds->edge_src[k] = s;
        ds->edge_dst[k] = d;
    }
done:
    free(e);
    gat_array_free(&a);
    return rc;
}

static int load_labels(gat_dataset *ds, const char *dir, gat_error *err) {
    gat_array a = {0};
    char name[PATH_MAX_LEN];
    int rc = gat_path_join(name, sizeof name, err, "%s/labels.npy", dir);
    if (rc) return rc;
    rc = gat_npy_read(name, &a, err);
    if (rc) return rc;
    if (a.ndim < 1 || a.ndim > 2) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: expected shape (nodes,) or (nodes, classes), got %d dimensions", name,
                           a.ndim);
        goto done;
    }
    if (a.shape[0] != ds->n_nodes) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: %lld rows, but %s has %lld rows (nodes): the two must agree, one row "
                           "per node", name, (long long)a.shape[0], ds->dense_features ? "features.npy" : "features.npz",
                           (long long)ds->n_nodes);
        goto done;
    }
    if (a.ndim == 2 && a.shape[1] == 0) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: shape (%lld, 0): a multi-label matrix needs at least one class column",
                           name, (long long)a.shape[0]);
        goto done;
    }
    if (a.ndim == 2) { /* multi-label 0/1 matrix */
        ds->task = GAT_TASK_MULTI_LABEL;
        ds->n_classes = a.shape[1];
        rc = gat_array_to_f32(&a, name, &ds->targets, err);
        if (rc) goto done;
        for (size_t i = 0; i < a.size; i++)
            if (ds->targets[i] != 0.0f && ds->targets[i] != 1.0f) {
                rc = gat_error_set(err, GAT_ERANGE, "%s: multi-label targets must be 0 or 1; node %lld class %lld is %g",
                                   name, (long long)(i / (size_t)ds->n_classes), (long long)(i % (size_t)ds->n_classes),
                                   (double)ds->targets[i]);
                goto done;
            }
        goto done;
    }
    ds->task = GAT_TASK_SINGLE_LABEL;
    rc = gat_array_to_i64(&a, name, &ds->labels, err);
    if (rc) goto done;
    int64_t max = -1;
    for (int64_t i = 0; i < ds->n_nodes; i++) {
        if (ds->labels[i] < -1) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: node %lld has label %lld (labels are 0..C-1, or -1 for none)", name,
                               (long long)i, (long long)ds->labels[i]);
            goto done;
        }
        if (ds->labels[i] > max) max = ds->labels[i];
    }
    if (max < 0) {
        rc = gat_error_set(err, GAT_ERANGE, "%s: no node has a label", name);
        goto done;
    }
    if (max >= 100000) {
        rc = gat_error_set(err, GAT_ERANGE, "%s: label %lld is implausibly large (labels are 0..C-1)", name, (long long)max);
        goto done;
    }
    ds->n_classes = max + 1;
done:
    gat_array_free(&a);
    return rc;
}

static const char *split_file[3] = {"train_index.npy", "val_index.npy", "test_index.npy"};

static int load_split(gat_dataset *ds, const char *dir, int s, gat_error *err) {
    gat_array a = {0};
    char name[PATH_MAX_LEN];
    int rc = gat_path_join(name, sizeof name, err, "%s/%s", dir, split_file[s]);
    if (rc) return rc;
    rc = gat_npy_read(name, &a, err);
    if (rc) return rc;
    if (a.ndim != 1) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: expected a 1-D array of node ids, got %d dimensions", name, a.ndim);
        goto done;
    }
    if (a.size == 0) {
        rc = gat_error_set(err, GAT_ESHAPE, "%s: the split is empty", name);
        goto done;
    }
    rc = gat_array_to_i64(&a, name, &ds->split[s], err);
    if (rc) goto done;
    ds->split_size[s] = (int64_t)a.size;
    for (int64_t t = 0; t < ds->split_size[s]; t++) {
        int64_t v = ds->split[s][t];
        if (v < 0 || v >= ds->n_nodes) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: entry %lld is node %lld, outside [0, %lld)", name, (long long)t,
                               (long long)v, (long long)ds->n_nodes);
            goto done;
        }
        if (ds->labels && ds->labels[v] < 0) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: node %lld has no label (-1) and cannot be in a split", name, (long long)v);
            goto done;
        }
    }
done:
    gat_array_free(&a);
    return rc;
}

static int load_class_names(gat_dataset *ds, const char *dir, gat_error *err) {
    char path[PATH_MAX_LEN];
    int rc = gat_path_join(path, sizeof path, err, "%s/class_names.txt", dir);
    if (rc || !gat_path_exists(path)) return rc;
    char *text;
    size_t len;
    rc = gat_read_file(path, &text, &len, err);
    if (rc) return rc;
    /* blank lines at the end (an editor's extra newline) are not classes */
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) text[--len] = 0;
    int64_t lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    if (len) lines++;
    for (int64_t l = 1, at = 0; at < (int64_t)len; l++) { /* a blank line inside: refused */
        char *e = strchr(text + at, '\n');
        int64_t n = e ? e - (text + at) : (int64_t)len - at, k = 0;
        while (k < n && (text[at + k] == ' ' || text[at + k] == '\r')) k++;
        if (k == n) {
            free(text);
            return gat_error_set(err, GAT_EFORMAT, "%s: line %lld is empty (one class name a line, no blank lines)",
                                 path, (long long)l);
        }
        at += n + 1;
    }
    if (lines < ds->n_classes) {
        free(text);
        return gat_error_set(err, GAT_ESHAPE, "%s: %lld names for %lld classes", path, (long long)lines, (long long)ds->n_classes);
    }
    ds->class_names = calloc((size_t)lines, sizeof *ds->class_names);
    if (!ds->class_names) {
        free(text);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    char *p = text;
    for (int64_t c = 0; c < lines; c++) {
        char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ')) n--;
        ds->class_names[c] = malloc(n + 1);
        if (!ds->class_names[c]) {
            ds->n_classes = c; /* so free releases what was made */
            free(text);
            return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        }
        memcpy(ds->class_names[c], p, n);
        ds->class_names[c][n] = 0;
        p = e ? e + 1 : p + n;
    }
    if (ds->task == GAT_TASK_SINGLE_LABEL) ds->n_classes = lines; /* classes may outnumber the labels used */
    else if (lines != ds->n_classes) {
        for (int64_t c = ds->n_classes; c < lines; c++) free(ds->class_names[c]);
    }
    free(text);
    return GAT_OK;
}

/* Every node is in at most one split, once: a node listed twice would count twice, and a
 * node in two splits would leak between training and evaluation. */
static int check_splits(const gat_dataset *ds, gat_error *err) {
    uint8_t *seen = calloc((size_t)ds->n_nodes + 1, 1);
    if (!seen) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", ds->path);
    int rc = GAT_OK;
    for (int s = 0; s < 3 && !rc; s++)
        for (int64_t t = 0; t < ds->split_size[s] && !rc; t++) {
            int64_t v = ds->split[s][t];
            if (seen[v] == s + 1)
                rc = gat_error_set(err, GAT_EFORMAT, "%s/%s: entry %lld repeats node %lld (each node once)", ds->path,
                                   split_file[s], (long long)t, (long long)v);
            else if (seen[v])
                rc = gat_error_set(err, GAT_EFORMAT, "%s/%s: node %lld is also in %s (the splits must not overlap)",
                                   ds->path, split_file[s], (long long)v, split_file[seen[v] - 1]);
            seen[v] = (uint8_t)(s + 1);
        }
    free(seen);
    return rc;
}

int gat_dataset_load(gat_dataset *ds, const char *dir, gat_error *err) {
    memset(ds, 0, sizeof *ds);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    ds->path = malloc(n + 1);
    if (!ds->path) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", dir);
    memcpy(ds->path, dir, n);
    ds->path[n] = 0;
    const char *base = strrchr(ds->path, '/');
    snprintf(ds->name, sizeof ds->name, "%s", base ? base + 1 : ds->path);
    char probe[PATH_MAX_LEN];
    int rc = gat_path_join(probe, sizeof probe, err, "%s/train_graph.json", ds->path);
    if (!rc && gat_path_exists(probe)) { /* the PPI folder of DGL and pytorch-GAT */
        rc = gat_dataset_load_ppi(ds, ds->path, err);
        if (!rc) rc = load_class_names(ds, ds->path, err);
        if (rc) gat_dataset_free(ds);
        return rc;
    }
    int collection = 0;
    if (!rc) rc = gat_path_join(probe, sizeof probe, err, "%s/graph_id.npy", ds->path);
    if (!rc) collection = gat_path_exists(probe);
    if (!rc) rc = load_features(ds, ds->path, err);
    if (!rc) rc = load_labels(ds, ds->path, err); /* before the edges: a row count that disagrees is named as such */
    if (!rc) rc = load_edges(ds, ds->path, err);
    if (collection) {
        if (!rc) rc = gat_dataset_load_graph_splits(ds, ds->path, err);
    } else {
        for (int s = 0; s < 3 && !rc; s++) rc = load_split(ds, ds->path, s, err);
        if (!rc) rc = check_splits(ds, err);
    }
    if (!rc) rc = load_class_names(ds, ds->path, err);
    if (rc) gat_dataset_free(ds);
    return rc;
}

/* Whether this process runs a program from the build tree the library was built in (then
 * the source tree's data/ is a default folder, so ./build/gat works from any folder). */
static int running_from_build_tree(void) {
#if defined(GAT_BUILD_TREE) && defined(__linux__)
    char exe[PATH_MAX_LEN];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = 0;
    size_t bl = strlen(GAT_BUILD_TREE);
    return bl > 1 && !strncmp(exe, GAT_BUILD_TREE, bl) && exe[bl] == '/';
#else
    return 0;
#endif
}

int gat_dataset_default_dirs(const char *dirs[], int max) {
    const char *all[5];
    int n = 0;
    const char *env = getenv("GAT_DATA_DIR");
    if (env && *env) all[n++] = env;
    all[n++] = "data";
    all[n++] = "datasets";
#ifdef GAT_SOURCE_DATA_DIR
    if (running_from_build_tree()) all[n++] = GAT_SOURCE_DATA_DIR;
#endif
#ifdef GAT_INSTALL_DATA_DIR
    all[n++] = GAT_INSTALL_DATA_DIR;
#endif
    for (int i = 0; i < n && i < max; i++) dirs[i] = all[i];
    return n < max ? n : max;
}

int gat_dataset_open(gat_dataset *ds, const char *name, const char *data_dir, gat_error *err) {
    memset(ds, 0, sizeof *ds);
    const char *roots[8];
    int nr = 0;
    if (data_dir) roots[nr++] = data_dir;
    else nr = gat_dataset_default_dirs(roots, 8);
    char lower[64];
    size_t ln = strlen(name);
    if (ln == 0 || ln >= sizeof lower || strchr(name, '/'))
        return gat_error_set(err, GAT_EINVAL, "--dataset: '%s' is not a dataset name (cora, citeseer, ...)", name);
    for (size_t i = 0; i <= ln; i++) lower[i] = (char)tolower((unsigned char)name[i]);
    char tried[2048] = "";
    for (int r = 0; r < nr; r++) {
        const char *cands[2] = {lower, name};
        for (int c = 0; c < 2; c++) {
            if (c == 1 && !strcmp(name, lower)) break;
            char path[PATH_MAX_LEN];
            int rc = gat_path_join(path, sizeof path, err, "%s/%s", roots[r], cands[c]);
            if (rc) return rc;
            if (gat_path_exists(path)) return gat_dataset_load(ds, path, err);
            if (c == 0) {
                size_t tl = strlen(tried);
                snprintf(tried + tl, sizeof tried - tl, "%s%.300s", tl ? ", " : "", path);
            }
        }
    }
    return gat_error_set(err, GAT_ENOTFOUND,
                         "dataset '%s' not found (looked in %s); point gat at the folder that holds %s/ with "
                         "--data-dir DIR or GAT_DATA_DIR=DIR (layout: README, section Datasets)",
                         name, tried, lower);
}

void gat_dataset_normalize_rows(gat_dataset *ds) {
    if (ds->dense_features) {
        for (int64_t i = 0; i < ds->n_nodes; i++) {
            float *r = ds->dense_features + i * ds->n_features;
            double s = 0;
            for (int64_t j = 0; j < ds->n_features; j++) s += r[j];
            if (s != 0.0)
                for (int64_t j = 0; j < ds->n_features; j++) r[j] = (float)(r[j] / s);
        }
        return;
    }
    gat_csr *x = &ds->features;
    for (int64_t i = 0; i < x->n_rows; i++) {
        double s = 0;
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) s += x->val[p];
        if (s != 0.0)
            for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) x->val[p] = (float)(x->val[p] / s);
    }
}
