/* collection.c - datasets made of many graphs: the NumPy collection layout, the PPI folder
 * of DGL / pytorch-GAT, per-graph indexes and sub-collections (see dataset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/nodelink.h"

#define PATH_MAX_LEN 4096

static const char *split_names[3] = {"train", "val", "test"};

/* A 1-D integer array file into a fresh int64 buffer. */
static int read_ids(const char *path, int64_t **out, int64_t *n, gat_error *err) {
    gat_array a = {0};
    int rc = gat_npy_read(path, &a, err);
    if (rc) return rc;
    if (a.ndim != 1) rc = gat_error_set(err, GAT_ESHAPE, "%s: expected a 1-D array, got %d dimensions", path, a.ndim);
    if (!rc) rc = gat_array_to_i64(&a, path, out, err);
    if (!rc) *n = (int64_t)a.size;
    gat_array_free(&a);
    return rc;
}

int gat_dataset_index_graphs(gat_dataset *ds, const char *name, gat_error *err) {
    const int64_t N = ds->n_nodes, G = ds->n_graphs, E = ds->n_edges;
    ds->graph_node_ptr = calloc((size_t)G + 2, sizeof *ds->graph_node_ptr);
    ds->graph_nodes = malloc(((size_t)N + 1) * sizeof *ds->graph_nodes);
    ds->graph_node_pos = malloc(((size_t)N + 1) * sizeof *ds->graph_node_pos);
    ds->graph_edge_ptr = calloc((size_t)G + 2, sizeof *ds->graph_edge_ptr);
    ds->graph_edges = malloc(((size_t)E + 1) * sizeof *ds->graph_edges);
    int8_t *split_of = malloc((size_t)G + 1);
    int rc = GAT_OK;
    if (!ds->graph_node_ptr || !ds->graph_nodes || !ds->graph_node_pos || !ds->graph_edge_ptr || !ds->graph_edges ||
        !split_of) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory indexing %lld graphs", name, (long long)G);
        goto done;
    }
    for (int64_t i = 0; i < N; i++) {
        if (ds->graph_id[i] < 0 || ds->graph_id[i] >= G) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: node %lld has graph id %lld, outside [0, %lld)", name, (long long)i,
                               (long long)ds->graph_id[i], (long long)G);
            goto done;
        }
        ds->graph_node_ptr[ds->graph_id[i] + 1]++;
    }
    for (int64_t g = 0; g < G; g++) {
        if (ds->graph_node_ptr[g + 1] == 0) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: graph %lld has no nodes (graph ids must be 0..%lld, each used)", name,
                               (long long)g, (long long)G - 1);
            goto done;
        }
        ds->graph_node_ptr[g + 1] += ds->graph_node_ptr[g];
    }
    { /* counting sort: increasing ids within each graph */
        int64_t *fill = ds->graph_edge_ptr; /* borrowed as a cursor, reset below */
        for (int64_t g = 0; g < G; g++) fill[g] = ds->graph_node_ptr[g];
        for (int64_t i = 0; i < N; i++) {
            int64_t g = ds->graph_id[i], q = fill[g]++;
            ds->graph_nodes[q] = i;
            ds->graph_node_pos[i] = q - ds->graph_node_ptr[g];
        }
        memset(fill, 0, ((size_t)G + 2) * sizeof *fill);
    }
    for (int64_t k = 0; k < E; k++) {
        int64_t a = ds->graph_id[ds->edge_src[k]], b = ds->graph_id[ds->edge_dst[k]];
        if (a != b) {
            rc = gat_error_set(err, GAT_ERANGE, "%s: edge %lld (%lld -> %lld) joins graph %lld and graph %lld (edges must "
                               "stay inside their graph)", name, (long long)k, (long long)ds->edge_src[k],
                               (long long)ds->edge_dst[k], (long long)a, (long long)b);
            goto done;
        }
        ds->graph_edge_ptr[a + 1]++;
    }
    for (int64_t g = 0; g < G; g++) ds->graph_edge_ptr[g + 1] += ds->graph_edge_ptr[g];
    {
        int64_t *fill = malloc(((size_t)G + 1) * sizeof *fill);
        if (!fill) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
            goto done;
        }
        memcpy(fill, ds->graph_edge_ptr, (size_t)G * sizeof *fill);
        for (int64_t k = 0; k < E; k++) ds->graph_edges[fill[ds->graph_id[ds->edge_src[k]]]++] = k;
        free(fill);
    }
    /* splits of whole graphs; node splits = their (labelled) nodes, increasing */
    memset(split_of, -1, (size_t)G + 1);
    for (int s = 0; s < 3; s++) {
        for (int64_t t = 0; t < ds->split_n_graphs[s]; t++) {
            int64_t g = ds->split_graphs[s][t];
            if (g < 0 || g >= G) {
                rc = gat_error_set(err, GAT_ERANGE, "%s: the %s split names graph %lld, outside [0, %lld)", name,
                                   split_names[s], (long long)g, (long long)G);
                goto done;
            }
            if (split_of[g] >= 0) {
                rc = gat_error_set(err, GAT_ERANGE, "%s: graph %lld is in the %s split and in the %s split", name,
                                   (long long)g, split_names[split_of[g]], split_names[s]);
                goto done;
            }
            split_of[g] = (int8_t)s;
        }
        free(ds->split[s]);
        ds->split[s] = malloc(((size_t)N + 1) * sizeof *ds->split[s]);
        ds->split_size[s] = 0;
        if (!ds->split[s]) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
            goto done;
        }
    }
    for (int64_t i = 0; i < N; i++) {
        int s = split_of[ds->graph_id[i]];
        if (s >= 0 && !(ds->labels && ds->labels[i] < 0)) ds->split[s][ds->split_size[s]++] = i;
    }
done:
    free(split_of);
    return rc;
}

int gat_dataset_load_graph_splits(gat_dataset *ds, const char *dir, gat_error *err) {
    char path[PATH_MAX_LEN];
    int64_t n = 0;
    int rc = gat_path_join(path, sizeof path, err, "%s/graph_id.npy", dir);
    if (!rc) rc = read_ids(path, &ds->graph_id, &n, err);
    if (rc) return rc;
    if (n != ds->n_nodes)
        return gat_error_set(err, GAT_ESHAPE, "%s: %lld graph ids for %lld nodes", path, (long long)n, (long long)ds->n_nodes);
    int64_t max = -1;
    for (int64_t i = 0; i < n; i++) {
        if (ds->graph_id[i] < 0)
            return gat_error_set(err, GAT_ERANGE, "%s: node %lld has graph id %lld (ids are 0..G-1)", path, (long long)i,
                                 (long long)ds->graph_id[i]);
        if (ds->graph_id[i] > max) max = ds->graph_id[i];
    }
    ds->n_graphs = max + 1;
    for (int s = 0; s < 3; s++) {
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_index.npy", dir, split_names[s]))) return rc;
        if (gat_path_exists(path))
            return gat_error_set(err, GAT_EINVAL, "%s: a collection of graphs (graph_id.npy) takes its splits from "
                                 "%s_graphs.npy; remove the node split %s_index.npy", dir, split_names[s], split_names[s]);
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_graphs.npy", dir, split_names[s]))) return rc;
        if ((rc = read_ids(path, &ds->split_graphs[s], &ds->split_n_graphs[s], err))) return rc;
        if (ds->split_n_graphs[s] == 0) return gat_error_set(err, GAT_ESHAPE, "%s: the split has no graphs", path);
    }
    return gat_dataset_index_graphs(ds, dir, err);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* What one split of the PPI folder holds. */
typedef struct {
    gat_array feats, labels;
    int64_t *gid, n;
    gat_nodelink links;
} ppi_split;

int gat_dataset_load_ppi(gat_dataset *ds, const char *dir, gat_error *err) {
    static const char *file_split[3] = {"train", "valid", "test"};
    ppi_split sp[3];
    memset(sp, 0, sizeof sp);
    char path[PATH_MAX_LEN];
    int rc = GAT_OK;
    int64_t N = 0, F = -1, C = -1, E = 0;
    for (int s = 0; s < 3 && !rc; s++) {
        ppi_split *p = &sp[s];
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_feats.npy", dir, file_split[s]))) break;
        if ((rc = gat_npy_read(path, &p->feats, err))) break;
        if (p->feats.ndim != 2) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: expected (nodes, features), got %d dimensions", path, p->feats.ndim);
            break;
        }
        p->n = p->feats.shape[0];
        if (F >= 0 && p->feats.shape[1] != F) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: %lld features, but %s_feats.npy has %lld", path,
                               (long long)p->feats.shape[1], file_split[0], (long long)F);
            break;
        }
        F = p->feats.shape[1];
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_labels.npy", dir, file_split[s]))) break;
        if ((rc = gat_npy_read(path, &p->labels, err))) break;
        if (p->labels.ndim != 2 || p->labels.shape[0] != p->n) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: expected (%lld, labels) to match %s_feats.npy", path, (long long)p->n,
                               file_split[s]);
            break;
        }
        if (C >= 0 && p->labels.shape[1] != C) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: %lld labels, but %s_labels.npy has %lld", path,
                               (long long)p->labels.shape[1], file_split[0], (long long)C);
            break;
        }
        C = p->labels.shape[1];
        int64_t ng = 0;
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_graph_id.npy", dir, file_split[s]))) break;
        if ((rc = read_ids(path, &p->gid, &ng, err))) break;
        if (ng != p->n) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: %lld graph ids for the %lld rows of %s_feats.npy", path, (long long)ng,
                               (long long)p->n, file_split[s]);
            break;
        }
        if (p->n == 0) {
            rc = gat_error_set(err, GAT_ESHAPE, "%s: the %s split has no nodes", dir, file_split[s]);
            break;
        }
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_graph.json", dir, file_split[s]))) break;
        if ((rc = gat_nodelink_read(path, p->n, &p->links, err))) break;
        N += p->n;
        E += p->links.directed ? p->links.n_links : 2 * p->links.n_links;
    }
    if (rc) goto done;
    ds->task = GAT_TASK_MULTI_LABEL;
    ds->n_nodes = N;
    ds->n_features = F;
    ds->n_classes = C;
    ds->n_edges = E;
    ds->dense_features = malloc(((size_t)(N * F) + 1) * sizeof *ds->dense_features);
    ds->targets = malloc(((size_t)(N * C) + 1) * sizeof *ds->targets);
    ds->edge_src = malloc(((size_t)E + 1) * sizeof *ds->edge_src);
    ds->edge_dst = malloc(((size_t)E + 1) * sizeof *ds->edge_dst);
    ds->graph_id = malloc(((size_t)N + 1) * sizeof *ds->graph_id);
    if (!ds->dense_features || !ds->targets || !ds->edge_src || !ds->edge_dst || !ds->graph_id) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %lld nodes and %lld edges", dir, (long long)N, (long long)E);
        goto done;
    }
    int64_t base = 0, e = 0, gbase = 0;
    for (int s = 0; s < 3; s++) {
        ppi_split *p = &sp[s];
        float *x = NULL, *y = NULL;
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_feats.npy", dir, file_split[s]))) goto done;
        if ((rc = gat_array_to_f32(&p->feats, path, &x, err))) goto done;
        memcpy(ds->dense_features + base * F, x, (size_t)(p->n * F) * sizeof *x);
        free(x);
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_labels.npy", dir, file_split[s]))) goto done;
        if ((rc = gat_array_to_f32(&p->labels, path, &y, err))) goto done;
        for (int64_t i = 0; i < p->n * C; i++)
            if (y[i] != 0.0f && y[i] != 1.0f) {
                rc = gat_error_set(err, GAT_ERANGE, "%s: labels must be 0 or 1; node %lld label %lld is %g", path,
                                   (long long)(i / C), (long long)(i % C), (double)y[i]);
                free(y);
                goto done;
            }
        memcpy(ds->targets + base * C, y, (size_t)(p->n * C) * sizeof *y);
        free(y);
        /* graph ids: the distinct values of this split, in increasing order */
        int64_t *u = malloc(((size_t)p->n + 1) * sizeof *u), nu = 0;
        if (!u) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", dir);
            goto done;
        }
        memcpy(u, p->gid, (size_t)p->n * sizeof *u);
        qsort(u, (size_t)p->n, sizeof *u, cmp_i64);
        for (int64_t i = 0; i < p->n; i++)
            if (i == 0 || u[i] != u[nu - 1]) u[nu++] = u[i];
        for (int64_t i = 0; i < p->n; i++) {
            const int64_t *hit = bsearch(&p->gid[i], u, (size_t)nu, sizeof *u, cmp_i64);
            ds->graph_id[base + i] = gbase + (hit - u);
        }
        free(u);
        ds->split_graphs[s] = malloc(((size_t)nu + 1) * sizeof *ds->split_graphs[s]);
        if (!ds->split_graphs[s]) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", dir);
            goto done;
        }
        for (int64_t g = 0; g < nu; g++) ds->split_graphs[s][g] = gbase + g;
        ds->split_n_graphs[s] = nu;
        for (int64_t k = 0; k < p->links.n_links; k++) {
            int64_t a = base + p->links.source[k], b = base + p->links.target[k];
            ds->edge_src[e] = a;
            ds->edge_dst[e++] = b;
            if (!p->links.directed) {
                ds->edge_src[e] = b;
                ds->edge_dst[e++] = a;
            }
        }
        for (int64_t k = 0; k < p->links.n_links; k++)
            if (ds->graph_id[base + p->links.source[k]] != ds->graph_id[base + p->links.target[k]]) {
                rc = gat_error_set(err, GAT_ERANGE, "%s/%s_graph.json: link %lld joins node %lld (graph %lld) and node %lld "
                                   "(graph %lld): links must stay inside one graph of %s_graph_id.npy", dir,
                                   file_split[s], (long long)k, (long long)p->links.source[k],
                                   (long long)p->gid[p->links.source[k]], (long long)p->links.target[k],
                                   (long long)p->gid[p->links.target[k]], file_split[s]);
                goto done;
            }
        gbase += nu;
        base += p->n;
    }
    ds->n_graphs = gbase;
    rc = gat_dataset_index_graphs(ds, dir, err);
done:
    for (int s = 0; s < 3; s++) {
        gat_array_free(&sp[s].feats);
        gat_array_free(&sp[s].labels);
        free(sp[s].gid);
        gat_nodelink_free(&sp[s].links);
    }
    return rc;
}

int gat_dataset_select_graphs(gat_dataset *out, const gat_dataset *ds, const int64_t *graphs, int64_t n,
                              gat_error *err) {
    memset(out, 0, sizeof *out);
    if (ds->n_graphs < 1) return gat_error_set(err, GAT_EINVAL, "%s: not a collection of graphs", ds->name);
    int64_t N = 0, E = 0;
    for (int64_t t = 0; t < n; t++) {
        if (graphs[t] < 0 || graphs[t] >= ds->n_graphs)
            return gat_error_set(err, GAT_ERANGE, "--graph: %lld is not a graph of %s (0..%lld)", (long long)graphs[t],
                                 ds->name, (long long)ds->n_graphs - 1);
        N += ds->graph_node_ptr[graphs[t] + 1] - ds->graph_node_ptr[graphs[t]];
        E += ds->graph_edge_ptr[graphs[t] + 1] - ds->graph_edge_ptr[graphs[t]];
    }
    const int64_t F = ds->n_features, C = ds->n_classes;
    snprintf(out->name, sizeof out->name, "%s", ds->name);
    out->path = strdup(ds->path ? ds->path : "");
    out->task = ds->task;
    out->n_nodes = N;
    out->n_features = F;
    out->n_classes = C;
    out->n_edges = E;
    out->n_graphs = n;
    int64_t *ids = malloc(((size_t)N + 1) * sizeof *ids);
    out->graph_id = malloc(((size_t)N + 1) * sizeof *out->graph_id);
    out->edge_src = malloc(((size_t)E + 1) * sizeof *out->edge_src);
    out->edge_dst = malloc(((size_t)E + 1) * sizeof *out->edge_dst);
    out->split_graphs[GAT_SPLIT_TEST] = malloc(((size_t)n + 1) * sizeof *out->split_graphs[0]);
    for (int s = 0; s < 2; s++) out->split_graphs[s] = malloc(sizeof *out->split_graphs[s]);
    int ok = ids && out->path && out->graph_id && out->edge_src && out->edge_dst && out->split_graphs[0] &&
             out->split_graphs[1] && out->split_graphs[2];
    if (ok && ds->dense_features) ok = (out->dense_features = malloc(((size_t)(N * F) + 1) * sizeof(float))) != NULL;
    if (ok && ds->targets) ok = (out->targets = malloc(((size_t)(N * C) + 1) * sizeof(float))) != NULL;
    if (ok && ds->labels) ok = (out->labels = malloc(((size_t)N + 1) * sizeof(int64_t))) != NULL;
    if (!ok) goto nomem;
    int64_t off = 0, e = 0;
    for (int64_t t = 0; t < n; t++) {
        int64_t g = graphs[t], n0 = ds->graph_node_ptr[g], cnt = ds->graph_node_ptr[g + 1] - n0;
        for (int64_t i = 0; i < cnt; i++) {
            ids[off + i] = ds->graph_nodes[n0 + i];
            out->graph_id[off + i] = t;
        }
        for (int64_t q = ds->graph_edge_ptr[g]; q < ds->graph_edge_ptr[g + 1]; q++) {
            int64_t k = ds->graph_edges[q];
            out->edge_src[e] = off + ds->graph_node_pos[ds->edge_src[k]];
            out->edge_dst[e++] = off + ds->graph_node_pos[ds->edge_dst[k]];
        }
        out->split_graphs[GAT_SPLIT_TEST][t] = t;
        off += cnt;
    }
    out->split_n_graphs[GAT_SPLIT_TEST] = n;
    for (int64_t i = 0; i < N; i++) {
        if (out->dense_features) memcpy(out->dense_features + i * F, ds->dense_features + ids[i] * F, (size_t)F * sizeof(float));
        if (out->targets) memcpy(out->targets + i * C, ds->targets + ids[i] * C, (size_t)C * sizeof(float));
        if (out->labels) out->labels[i] = ds->labels[ids[i]];
    }
    if (!ds->dense_features) {
        const gat_csr *x = &ds->features;
        gat_csr *y = &out->features;
        int64_t nnz = 0;
        for (int64_t i = 0; i < N; i++) nnz += x->row_ptr[ids[i] + 1] - x->row_ptr[ids[i]];
        y->n_rows = N;
        y->n_cols = x->n_cols;
        y->nnz = nnz;
        y->row_ptr = malloc(((size_t)N + 1) * sizeof *y->row_ptr);
        y->col_idx = malloc(((size_t)nnz + 1) * sizeof *y->col_idx);
        y->val = malloc(((size_t)nnz + 1) * sizeof *y->val);
        if (!y->row_ptr || !y->col_idx || !y->val) goto nomem;
        y->row_ptr[0] = 0;
        for (int64_t i = 0; i < N; i++) {
            int64_t r0 = x->row_ptr[ids[i]], len = x->row_ptr[ids[i] + 1] - r0;
            memcpy(y->col_idx + y->row_ptr[i], x->col_idx + r0, (size_t)len * sizeof *y->col_idx);
            memcpy(y->val + y->row_ptr[i], x->val + r0, (size_t)len * sizeof *y->val);
            y->row_ptr[i + 1] = y->row_ptr[i] + len;
        }
    }
    if (ds->class_names) {
        out->class_names = calloc((size_t)C, sizeof *out->class_names);
        if (!out->class_names) goto nomem;
        for (int64_t c = 0; c < C; c++)
            if (!(out->class_names[c] = strdup(ds->class_names[c]))) goto nomem;
    }
    free(ids);
    int rc = gat_dataset_index_graphs(out, ds->name, err);
    if (rc) gat_dataset_free(out);
    return rc;
nomem:
    free(ids);
    gat_dataset_free(out);
    return gat_error_set(err, GAT_ENOMEM, "%s: out of memory selecting %lld graphs", ds->name, (long long)n);
}

void gat_dataset_drop_edges(gat_dataset *ds) {
    ds->n_edges = 0;
    if (ds->graph_edge_ptr) memset(ds->graph_edge_ptr, 0, ((size_t)ds->n_graphs + 1) * sizeof *ds->graph_edge_ptr);
}
