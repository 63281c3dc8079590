/* graphstats.c - edge, degree, component and label statistics of a graph. */
#include "gat/graphstats.h"

#include <stdlib.h>
#include <string.h>

typedef struct { int64_t a, b; } pair;

static int cmp_pair(const void *x, const void *y) {
    const pair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int64_t uf_find(int64_t *parent, int64_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

typedef struct { int64_t size, root; } comp;

static int cmp_comp(const void *x, const void *y) {
    const comp *p = x, *q = y;
    if (p->size != q->size) return p->size > q->size ? -1 : 1;
    return (p->root > q->root) - (p->root < q->root);
}

void gat_graph_stats_free(gat_graph_stats *st) {
    if (!st) return;
    free(st->in_degree);
    free(st->out_degree);
    free(st->degree);
    free(st->component);
    memset(st, 0, sizeof *st);
}

/* Components of the undirected graph given by the distinct pairs: ids sorted by size. */
static int components(gat_graph_stats *st, const pair *und, int64_t n_und, gat_error *err) {
    int64_t n = st->n_nodes;
    int64_t *parent = malloc((size_t)(n ? n : 1) * sizeof *parent);
    comp *c = calloc((size_t)(n ? n : 1), sizeof *c);
    int64_t *id = malloc((size_t)(n ? n : 1) * sizeof *id);
    if (!parent || !c || !id) {
        free(parent); free(c); free(id);
        return gat_error_set(err, GAT_ENOMEM, "graph statistics: out of memory for %lld nodes", (long long)n);
    }
    for (int64_t i = 0; i < n; i++) parent[i] = i;
    for (int64_t k = 0; k < n_und; k++) {
        int64_t ra = uf_find(parent, und[k].a), rb = uf_find(parent, und[k].b);
        if (ra != rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t r = uf_find(parent, i);
        c[r].size++;
        c[r].root = r;
    }
    int64_t nc = 0;
    for (int64_t i = 0; i < n; i++)
        if (c[i].size) c[nc++] = c[i];
    qsort(c, (size_t)nc, sizeof *c, cmp_comp);
    for (int64_t k = 0; k < nc; k++) id[c[k].root] = k;
    for (int64_t i = 0; i < n; i++) st->component[i] = id[uf_find(parent, i)];
    st->n_components = nc;
    st->largest_component = nc ? c[0].size : 0;
    free(parent);
    free(c);
    free(id);
    return GAT_OK;
}

int gat_graph_stats_compute(gat_graph_stats *st, int64_t n_nodes, const int64_t *src, const int64_t *dst,
                            int64_t n_edges, gat_error *err) {
    memset(st, 0, sizeof *st);
    if (n_nodes < 0 || n_edges < 0)
        return gat_error_set(err, GAT_EINVAL, "graph statistics: negative size (%lld nodes, %lld edges)",
                             (long long)n_nodes, (long long)n_edges);
    for (int64_t k = 0; k < n_edges; k++)
        if (src[k] < 0 || src[k] >= n_nodes || dst[k] < 0 || dst[k] >= n_nodes)
            return gat_error_set(err, GAT_ERANGE, "edge %lld: %lld -> %lld is outside the node ids 0..%lld",
                                 (long long)k, (long long)src[k], (long long)dst[k], (long long)n_nodes - 1);
    int rc = GAT_OK;
    size_t nn = (size_t)(n_nodes ? n_nodes : 1), ne = (size_t)(n_edges ? n_edges : 1);
    pair *dir = malloc(ne * sizeof *dir), *und = malloc(ne * sizeof *und);
    st->n_nodes = n_nodes;
    st->n_edges = n_edges;
    st->in_degree = calloc(nn, sizeof *st->in_degree);
    st->out_degree = calloc(nn, sizeof *st->out_degree);
    st->degree = calloc(nn, sizeof *st->degree);
    st->component = calloc(nn, sizeof *st->component);
    if (!dir || !und || !st->in_degree || !st->out_degree || !st->degree || !st->component) {
        rc = gat_error_set(err, GAT_ENOMEM, "graph statistics: out of memory for %lld edges", (long long)n_edges);
        goto fail;
    }
    int64_t nd = 0;
    for (int64_t k = 0; k < n_edges; k++) {
        st->out_degree[src[k]]++;
        st->in_degree[dst[k]]++;
        if (src[k] == dst[k]) { st->n_self_loops++; continue; }
        dir[nd].a = src[k];
        dir[nd].b = dst[k];
        nd++;
    }
    qsort(dir, (size_t)nd, sizeof *dir, cmp_pair);
    int64_t nu = 0;                       /* distinct directed edges, compacted in place */
    for (int64_t k = 0; k < nd; k++) {
        if (nu && !cmp_pair(&dir[nu - 1], &dir[k])) { st->n_duplicate_edges++; continue; }
        dir[nu++] = dir[k];
    }
    int64_t nund = 0;
    for (int64_t k = 0; k < nu; k++) {
        pair rev = {dir[k].b, dir[k].a};
        if (!bsearch(&rev, dir, (size_t)nu, sizeof *dir, cmp_pair)) st->n_unreciprocated++;
        und[nund].a = dir[k].a < dir[k].b ? dir[k].a : dir[k].b;
        und[nund].b = dir[k].a < dir[k].b ? dir[k].b : dir[k].a;
        nund++;
    }
    qsort(und, (size_t)nund, sizeof *und, cmp_pair);
    int64_t m = 0;
    for (int64_t k = 0; k < nund; k++)
        if (!m || cmp_pair(&und[m - 1], &und[k])) und[m++] = und[k];
    st->n_undirected_edges = m;
    for (int64_t k = 0; k < m; k++) {
        st->degree[und[k].a]++;
        st->degree[und[k].b]++;
    }
    st->max_degree_node = -1;
    double sum = 0;
    for (int64_t i = 0; i < n_nodes; i++) {
        int64_t d = st->degree[i];
        sum += (double)d;
        st->n_isolated += d == 0;
        if (i == 0 || d < st->min_degree) st->min_degree = d;
        if (i == 0 || d > st->max_degree) { st->max_degree = d; st->max_degree_node = i; }
    }
    st->mean_degree = n_nodes ? sum / (double)n_nodes : 0;
    rc = components(st, und, m, err);
fail:
    free(dir);
    free(und);
    if (rc) gat_graph_stats_free(st);
    return rc;
}

void gat_label_stats_free(gat_label_stats *ls) {
    if (!ls) return;
    free(ls->class_count);
    for (int s = 0; s < 3; s++) free(ls->split_class_count[s]);
    memset(ls, 0, sizeof *ls);
}

int gat_label_stats_compute(gat_label_stats *ls, int64_t n_nodes, const int64_t *labels, int64_t n_classes,
                            const int64_t *const split[3], const int64_t split_size[3], gat_error *err) {
    static const char *names[3] = {"train", "val", "test"};
    memset(ls, 0, sizeof *ls);
    if (n_classes < 1 || n_classes > 1000000)
        return gat_error_set(err, GAT_EINVAL, "label statistics: %lld classes", (long long)n_classes);
    ls->n_classes = n_classes;
    ls->class_count = calloc((size_t)n_classes, sizeof *ls->class_count);
    if (!ls->class_count) goto nomem;
    for (int64_t i = 0; i < n_nodes; i++) {
        if (labels[i] == -1) { ls->n_unlabelled++; continue; }
        if (labels[i] < 0 || labels[i] >= n_classes) {
            gat_label_stats_free(ls);
            return gat_error_set(err, GAT_ERANGE, "node %lld: label %lld is outside 0..%lld (or -1 for none)",
                                 (long long)i, (long long)labels[i], (long long)n_classes - 1);
        }
        ls->class_count[labels[i]]++;
    }
    for (int s = 0; s < 3; s++) {
        if (!split || !split[s]) continue;
        ls->split_size[s] = split_size[s];
        ls->split_class_count[s] = calloc((size_t)n_classes, sizeof **ls->split_class_count);
        if (!ls->split_class_count[s]) goto nomem;
        for (int64_t k = 0; k < split_size[s]; k++) {
            int64_t v = split[s][k];
            if (v < 0 || v >= n_nodes) {
                gat_label_stats_free(ls);
                return gat_error_set(err, GAT_ERANGE, "%s split, entry %lld: node %lld is outside 0..%lld", names[s],
                                     (long long)k, (long long)v, (long long)n_nodes - 1);
            }
            if (labels[v] < 0) ls->split_unlabelled[s]++;
            else ls->split_class_count[s][labels[v]]++;
        }
    }
    return GAT_OK;
nomem:
    gat_label_stats_free(ls);
    return gat_error_set(err, GAT_ENOMEM, "label statistics: out of memory");
}
