/* tsne_bh.c - the Barnes-Hut quadtree and the t-SNE force terms (exact and approximate).
 *
 * The tree is built serially (O(N log N), a small part of an iteration) so that every
 * centre of mass is summed in point order; the per-point traversals then run in parallel,
 * each point's terms computed by one thread, which keeps results independent of the
 * number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tsne_internal.h"

/* Beyond this depth a box is narrower than double resolution allows: points that still
 * share a leaf are merged as if they coincided. */
#define TREE_MAX_DEPTH 50
#define STACK_MAX (4 * (TREE_MAX_DEPTH + 2))

void tsne_tree_free(tsne_tree *t) {
    if (!t) return;
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

static int tree_reserve(tsne_tree *t, int64_t need, gat_error *err) {
    if (need <= t->cap) return GAT_OK;
    int64_t cap = t->cap ? t->cap : 64;
    while (cap < need) cap *= 2;
    tsne_node *nodes = realloc(t->nodes, (size_t)cap * sizeof *nodes);
    if (!nodes) return gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for the quadtree (%lld nodes)", (long long)cap);
    t->nodes = nodes;
    t->cap = cap;
    return GAT_OK;
}

static void node_init(tsne_node *nd, double cx, double cy, double hw) {
    nd->cx = cx;
    nd->cy = cy;
    nd->hw = hw;
    nd->mx = nd->my = 0;
    nd->count = 0;
    nd->child = -1;
}

static int quadrant(const tsne_node *nd, double x, double y) {
    return (x > nd->cx) + 2 * (y > nd->cy);
}

/* Split leaf `at` into four children. May move t->nodes. */
static int tree_split(tsne_tree *t, int64_t at, gat_error *err) {
    int rc = tree_reserve(t, t->n_nodes + 4, err);
    if (rc) return rc;
    tsne_node *nd = &t->nodes[at];
    int64_t c = t->n_nodes;
    double h = nd->hw / 2;
    for (int q = 0; q < 4; q++)
        node_init(&t->nodes[c + q], nd->cx + ((q & 1) ? h : -h), nd->cy + ((q & 2) ? h : -h), h);
    nd->child = c;
    t->n_nodes += 4;
    return GAT_OK;
}

static int tree_build(tsne_tree *t, const double *y, int64_t n, gat_error *err) {
    int rc;
    if ((rc = tree_reserve(t, 4 * n + 1, err))) return rc;
    double x0 = y[0], x1 = y[0], y0 = y[1], y1 = y[1];
    for (int64_t i = 1; i < n; i++) {
        x0 = fmin(x0, y[2 * i]);
        x1 = fmax(x1, y[2 * i]);
        y0 = fmin(y0, y[2 * i + 1]);
        y1 = fmax(y1, y[2 * i + 1]);
    }
    double hw = fmax(x1 - x0, y1 - y0) / 2;
    hw = hw * (1 + 1e-6) + 1e-12;
    t->n_nodes = 1;
    node_init(&t->nodes[0], (x0 + x1) / 2, (y0 + y1) / 2, hw);

    for (int64_t i = 0; i < n; i++) {
        double px = y[2 * i], py = y[2 * i + 1];
        int64_t at = 0;
        for (int depth = 0;; depth++) {
            tsne_node *nd = &t->nodes[at];
            if (nd->child < 0) {
                if (nd->count == 0) {          /* empty leaf: take the point */
                    nd->count = 1;
                    nd->mx = px;
                    nd->my = py;
                    break;
                }
                if ((nd->mx == px && nd->my == py) || depth >= TREE_MAX_DEPTH) {
                    /* duplicate: merge into the leaf */
                    nd->mx += (px - nd->mx) / (double)(nd->count + 1);
                    nd->my += (py - nd->my) / (double)(nd->count + 1);
                    nd->count++;
                    break;
                }
                /* occupied leaf: split, move its point(s) to a child, go on as internal */
                if ((rc = tree_split(t, at, err))) return rc;
                nd = &t->nodes[at];
                int64_t c = nd->child + quadrant(nd, nd->mx, nd->my);
                tsne_node *ch = &t->nodes[c];
                ch->count = nd->count;
                ch->mx = nd->mx;
                ch->my = nd->my;
            }
            /* internal node: account for the point, descend */
            nd->mx += (px - nd->mx) / (double)(nd->count + 1);
            nd->my += (py - nd->my) / (double)(nd->count + 1);
            nd->count++;
            at = nd->child + quadrant(nd, px, py);
        }
    }
    return GAT_OK;
}

int tsne_forces_bh(const double *y, int64_t n, const tsne_sparse *p, double theta,
                   tsne_tree *t, tsne_forces *f, int want_kl, gat_error *err) {
    int rc = tree_build(t, y, n, err);
    if (rc) return rc;
    const tsne_node *nodes = t->nodes;
    const double theta2 = theta * theta;

#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 64)
#endif
    for (int64_t i = 0; i < n; i++) {
        const double yx = y[2 * i], yy = y[2 * i + 1];
        /* attraction over the sparse row */
        double px = 0, py = 0, kl = 0;
        for (int64_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
            int64_t j = p->col[e];
            double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
            double q = 1.0 / (1.0 + dx * dx + dy * dy);
            double pij = p->val[e];
            px += pij * q * dx;
            py += pij * q * dy;
            if (want_kl && pij > 0) kl += pij * (log(pij) - log(q));
        }
        /* repulsion from the tree */
        double nx = 0, ny = 0, sq = 0;
        int64_t stack[STACK_MAX];
        int top = 0;
        stack[top++] = 0;
        while (top > 0) {
            const tsne_node *nd = &nodes[stack[--top]];
            if (nd->count == 0) continue;
            double dx = yx - nd->mx, dy = yy - nd->my;
            double d2 = dx * dx + dy * dy;
            double w = 2 * nd->hw;
            if (nd->child < 0 || w * w < theta2 * d2) {
                double cnt = (double)nd->count;
                /* a leaf at the point's own position holds the point itself (and its
                 * exact duplicates, which do repel it) */
                if (nd->child < 0 && d2 == 0) cnt -= 1;
                if (cnt <= 0) continue;
                double q = 1.0 / (1.0 + d2);
                sq += cnt * q;
                nx += cnt * q * q * dx;
                ny += cnt * q * q * dy;
            } else {
                for (int c = 3; c >= 0; c--) stack[top++] = nd->child + c;
            }
        }
        f->pos[2 * i] = px;
        f->pos[2 * i + 1] = py;
        f->neg[2 * i] = nx;
        f->neg[2 * i + 1] = ny;
        f->sq[i] = sq;
        if (want_kl) f->klp[i] = kl;
    }
    return GAT_OK;
}

void tsne_forces_exact(const double *y, int64_t n, const double *p, tsne_forces *f, int want_kl) {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16)
#endif
    for (int64_t i = 0; i < n; i++) {
        const double yx = y[2 * i], yy = y[2 * i + 1];
        const double *prow = p + (size_t)i * (size_t)n;
        double px = 0, py = 0, nx = 0, ny = 0, sq = 0, kl = 0;
        for (int64_t j = 0; j < n; j++) {
            if (j == i) continue;
            double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
            double q = 1.0 / (1.0 + dx * dx + dy * dy);
            double pq = prow[j] * q, qq = q * q;
            px += pq * dx;
            py += pq * dy;
            nx += qq * dx;
            ny += qq * dy;
            sq += q;
            if (want_kl) kl += prow[j] * (log(prow[j]) - log(q));
        }
        f->pos[2 * i] = px;
        f->pos[2 * i + 1] = py;
        f->neg[2 * i] = nx;
        f->neg[2 * i + 1] = ny;
        f->sq[i] = sq;
        if (want_kl) f->klp[i] = kl;
    }
}
