/* graph.c - the target-keyed CSR graph that attention runs on: one added self loop per node
 * (the default), or the input edges exactly as given (GAT_GRAPH_NO_SELF_LOOPS). */
#include "gat/graph.h"

#include <stdlib.h>
#include <string.h>

void gat_graph_free(gat_graph *g) {
    if (!g) return;
    free(g->row_ptr);
    free(g->src);
    free(g->edge_id);
    free(g->dst);
    free(g->out_ptr);
    free(g->out_pos);
    memset(g, 0, sizeof *g);
}

/* The part both builders share: checks every id, then the target-keyed CSR (row_ptr, src and,
 * when edge_id is wanted, the input edge of each entry). With add_loops, each row has its self
 * loop first and then the input edges in input order (a stable counting sort); an input self
 * loop is dropped, since every node gets exactly one. Without, the rows are the input edges in
 * input order, self loops and duplicates included, and a node without in-edges has an empty row. */
static int build_in_csr(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges,
                        int want_edge_id, int add_loops, gat_error *err) {
    memset(g, 0, sizeof *g);
    if (n <= 0) return gat_error_set(err, GAT_EINVAL, "graph: needs at least one node (got %lld)", (long long)n);
    if (n_edges < 0) return gat_error_set(err, GAT_EINVAL, "graph: negative edge count");
    int64_t loops = 0;
    for (int64_t k = 0; k < n_edges; k++) {
        if (src[k] < 0 || src[k] >= n || dst[k] < 0 || dst[k] >= n)
            return gat_error_set(err, GAT_ERANGE, "edge %lld (%lld -> %lld): node id out of range [0, %lld)",
                                 (long long)k, (long long)src[k], (long long)dst[k], (long long)n);
        loops += src[k] == dst[k];
    }
    const int64_t nnz = add_loops ? n_edges - loops + n : n_edges;
    g->n = n;
    g->nnz = nnz;
    g->no_self_loops = !add_loops;
    g->row_ptr = calloc((size_t)n + 1, sizeof *g->row_ptr);
    g->src = malloc(((size_t)nnz + 1) * sizeof *g->src);
    if (want_edge_id) g->edge_id = malloc(((size_t)nnz + 1) * sizeof *g->edge_id);
    int64_t *fill = malloc((size_t)n * sizeof *fill);
    if (!g->row_ptr || !g->src || (want_edge_id && !g->edge_id) || !fill) {
        free(fill);
        gat_graph_free(g);
        return gat_error_set(err, GAT_ENOMEM, "graph: out of memory for %lld edges", (long long)nnz);
    }
    /* Count incoming edges per target: one self loop (when added) plus the input edges. */
    const int64_t first = add_loops ? 1 : 0;
    for (int64_t i = 0; i < n; i++) g->row_ptr[i + 1] = first;
    for (int64_t k = 0; k < n_edges; k++)
        if (!add_loops || src[k] != dst[k]) g->row_ptr[dst[k] + 1]++;
    for (int64_t i = 0; i < n; i++) g->row_ptr[i + 1] += g->row_ptr[i];
    for (int64_t i = 0; i < n; i++) {
        int64_t p = g->row_ptr[i];
        if (add_loops) {
            g->src[p] = i;
            if (want_edge_id) g->edge_id[p] = -1;
        }
        fill[i] = p + first;
    }
    for (int64_t k = 0; k < n_edges; k++) {
        if (add_loops && src[k] == dst[k]) continue;
        int64_t p = fill[dst[k]]++;
        g->src[p] = src[k];
        if (want_edge_id) g->edge_id[p] = k;
    }
    free(fill);
    return GAT_OK;
}

int gat_graph_build(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges, int flags,
                    gat_error *err) {
    int rc = build_in_csr(g, n, src, dst, n_edges, !(flags & GAT_GRAPH_FORWARD_ONLY), !(flags & GAT_GRAPH_NO_SELF_LOOPS),
                          err);
    if (rc || (flags & GAT_GRAPH_FORWARD_ONLY)) return rc;
    const int64_t nnz = g->nnz;
    g->dst = malloc(((size_t)nnz + 1) * sizeof *g->dst);
    g->out_ptr = calloc((size_t)n + 1, sizeof *g->out_ptr);
    g->out_pos = malloc(((size_t)nnz + 1) * sizeof *g->out_pos);
    int64_t *fill = malloc((size_t)n * sizeof *fill);
    if (!g->dst || !g->out_ptr || !g->out_pos || !fill) {
        free(fill);
        gat_graph_free(g);
        return gat_error_set(err, GAT_ENOMEM, "graph: out of memory for %lld edges", (long long)nnz);
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = g->row_ptr[i]; p < g->row_ptr[i + 1]; p++) g->dst[p] = i;
    /* The same entries grouped by source, positions increasing within a group. */
    for (int64_t p = 0; p < nnz; p++) g->out_ptr[g->src[p] + 1]++;
    for (int64_t j = 0; j < n; j++) g->out_ptr[j + 1] += g->out_ptr[j];
    for (int64_t j = 0; j < n; j++) fill[j] = g->out_ptr[j];
    for (int64_t p = 0; p < nnz; p++) g->out_pos[fill[g->src[p]]++] = p;
    free(fill);
    return GAT_OK;
}

int gat_graph_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst,
                         int64_t n_edges, gat_error *err) {
    return gat_graph_build(g, n, src, dst, n_edges, 0, err);
}

int gat_graph_forward_from_edges(gat_graph *g, int64_t n, const int64_t *src, const int64_t *dst, int64_t n_edges,
                                 gat_error *err) {
    return gat_graph_build(g, n, src, dst, n_edges, GAT_GRAPH_FORWARD_ONLY, err);
}

/* Breadth-first from s over in- and out-neighbours, through nodes whose mark is from; each
 * node reached is marked to and appended at queue[0 ..). Returns the number appended. */
static int64_t bfs_component(const gat_graph *g, int64_t s, int64_t *queue, uint8_t *mark, uint8_t from, uint8_t to) {
    int64_t head = 0, tail = 0;
    mark[s] = to;
    queue[tail++] = s;
    while (head < tail) {
        const int64_t v = queue[head++];
        for (int64_t p = g->row_ptr[v]; p < g->row_ptr[v + 1]; p++) {
            const int64_t u = g->src[p];
            if (mark[u] == from) {
                mark[u] = to;
                queue[tail++] = u;
            }
        }
        if (g->out_ptr)
            for (int64_t t = g->out_ptr[v]; t < g->out_ptr[v + 1]; t++) {
                const int64_t u = g->dst[g->out_pos[t]];
                if (mark[u] == from) {
                    mark[u] = to;
                    queue[tail++] = u;
                }
            }
    }
    return tail;
}

int gat_graph_locality_order(const gat_graph *g, int64_t *order, gat_error *err) {
    uint8_t *mark = calloc((size_t)g->n + 1, 1);
    if (!mark) return gat_error_set(err, GAT_ENOMEM, "graph: out of memory ordering %lld nodes", (long long)g->n);
    /* Each component from a node far from where a first sweep started (the last one that
     * sweep reached, as in George and Liu's pseudo-peripheral search): a sweep from the edge
     * of a component has many narrow levels, so any prefix of the order is a ball with a
     * small boundary. Components follow each other by their lowest id. */
    int64_t done = 0;
    for (int64_t s = 0; s < g->n; s++) {
        if (mark[s]) continue;
        const int64_t k = bfs_component(g, s, order + done, mark, 0, 1);
        bfs_component(g, order[done + k - 1], order + done, mark, 1, 2);
        done += k;
    }
    free(mark);
    return GAT_OK;
}
