/* sample.c - neighbour sampling without replacement, deterministic for a seed (see sample.h). */
#include "gat/sample.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gat/rng.h"

#define STREAM_SAMPLE GAT_STREAM_NEIGHBOURS

int gat_fanouts_parse(const char *str, int64_t *fanouts, int max, int *n, gat_error *err) {
    *n = 0;
    const char *p = str;
    while (1) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || (v < 1 && v != -1) || v > 1000000000LL)
            return gat_error_set(err, GAT_EINVAL, "--fanouts: '%s' is not a list of positive integers or -1 (all), "
                                 "one per layer, e.g. 25,10", str);
        if (*n >= max) return gat_error_set(err, GAT_EINVAL, "--fanouts: more than %d values", max);
        fanouts[(*n)++] = v;
        if (*end == 0) break;
        if (*end != ',') return gat_error_set(err, GAT_EINVAL, "--fanouts: '%s' is not a comma-separated list", str);
        p = end + 1;
    }
    return GAT_OK;
}

int gat_sampler_init(gat_sampler *s, const gat_graph *g, int n_hops, const int64_t *fanouts, uint64_t seed,
                     gat_error *err) {
    memset(s, 0, sizeof *s);
    if (n_hops < 1 || n_hops > GAT_MAX_LAYERS) return gat_error_set(err, GAT_EINVAL, "--fanouts: %d hops", n_hops);
    for (int h = 0; h < n_hops; h++) {
        if (fanouts[h] < 1 && fanouts[h] != -1)
            return gat_error_set(err, GAT_EINVAL, "--fanouts: hop %d has fanout %lld (positive, or -1 for all)", h,
                                 (long long)fanouts[h]);
        s->fanouts[h] = fanouts[h];
    }
    s->g = g;
    s->n_hops = n_hops;
    s->seed = seed;
    s->local = malloc(((size_t)g->n + 1) * sizeof *s->local);
    if (!s->local) return gat_error_set(err, GAT_ENOMEM, "sampler: out of memory for %lld nodes", (long long)g->n);
    for (int64_t i = 0; i < g->n; i++) s->local[i] = -1;
    return GAT_OK;
}

void gat_sampler_free(gat_sampler *s) {
    if (!s) return;
    free(s->local);
    memset(s, 0, sizeof *s);
}

void gat_batch_free(gat_batch *b) {
    if (!b) return;
    free(b->global);
    free(b->src);
    free(b->dst);
    memset(b, 0, sizeof *b);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* k distinct positions of [0, d), increasing, drawn from stream key: Floyd's algorithm for
 * small k, a partial Fisher-Yates shuffle over scratch (room for d) otherwise. */
static void choose(int64_t *out, int64_t k, int64_t d, uint64_t key, int64_t *scratch) {
    if (k <= 64) {
        int64_t n = 0;
        for (int64_t j = d - k; j < d; j++) {
            int64_t t = (int64_t)(gat_rng_uniform64(key, (uint64_t)j) * (double)(j + 1));
            if (t > j) t = j;
            int dup = 0;
            for (int64_t q = 0; q < n && !dup; q++) dup = out[q] == t;
            out[n++] = dup ? j : t;
        }
    } else {
        for (int64_t j = 0; j < d; j++) scratch[j] = j;
        for (int64_t j = 0; j < k; j++) {
            int64_t t = j + (int64_t)(gat_rng_uniform64(key, (uint64_t)j) * (double)(d - j));
            if (t >= d) t = d - 1;
            int64_t x = scratch[j];
            scratch[j] = scratch[t];
            scratch[t] = x;
            out[j] = scratch[j];
        }
    }
    qsort(out, (size_t)k, sizeof *out, cmp_i64);
}

static int grow(int64_t **p, int64_t *cap, int64_t need) {
    if (need <= *cap) return 0;
    int64_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    int64_t *q = realloc(*p, (size_t)c * sizeof *q);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

int gat_sample(gat_sampler *s, const int64_t *seeds, int64_t n_seeds, uint64_t epoch, uint64_t batch, gat_batch *b,
               gat_error *err) {
    memset(b, 0, sizeof *b);
    const gat_graph *g = s->g;
    int rc = GAT_OK;
    int64_t cap_nodes = 0, cap_edges = 0, *cnt = NULL, *drawn = NULL, cap_drawn = 0;
    for (int64_t i = 0; i < n_seeds; i++)
        if (seeds[i] < 0 || seeds[i] >= g->n)
            return gat_error_set(err, GAT_ERANGE, "sampler: seed node %lld out of range [0, %lld)", (long long)seeds[i],
                                 (long long)g->n);
    if (grow(&b->global, &cap_nodes, n_seeds + 1)) goto nomem;
    for (int64_t i = 0; i < n_seeds; i++)
        if (s->local[seeds[i]] < 0) {
            s->local[seeds[i]] = b->n_nodes;
            b->global[b->n_nodes++] = seeds[i];
        }
    b->n_seeds = b->n_nodes;
    const uint64_t key = gat_rng_key(s->seed, STREAM_SAMPLE, epoch, batch);
    /* the added self loop leading each row is not drawn (the batch graph adds its own); a graph
     * without added self loops offers every entry, its own self loops too */
    const int64_t own = g->no_self_loops ? 0 : 1;
    int64_t start = 0;
    for (int h = 0; h < s->n_hops; h++) {
        const int64_t end = b->n_nodes, nf = end - start, fan = s->fanouts[h];
        /* how many each frontier node draws, then where its draws go */
        free(cnt);
        cnt = malloc(((size_t)nf + 1) * sizeof *cnt);
        if (!cnt) goto nomem;
        cnt[0] = 0;
        int64_t maxdeg = 0;
        for (int64_t j = 0; j < nf; j++) {
            const int64_t u = b->global[start + j], d = g->row_ptr[u + 1] - g->row_ptr[u] - own;
            cnt[j + 1] = cnt[j] + (fan < 0 || fan >= d ? d : fan);
            maxdeg = d > maxdeg ? d : maxdeg;
        }
        if (grow(&drawn, &cap_drawn, cnt[nf] + 1)) goto nomem;
        int nomem = 0;
#pragma omp parallel
        {
            int64_t *scratch = fan > 64 ? malloc(((size_t)maxdeg + 1) * sizeof *scratch) : NULL;
            if (fan > 64 && !scratch) {
#pragma omp atomic write
                nomem = 1;
            }
#pragma omp for schedule(dynamic, 256)
            for (int64_t j = 0; j < nf; j++) {
                const int64_t u = b->global[start + j], p0 = g->row_ptr[u] + own, d = g->row_ptr[u + 1] - p0;
                const int64_t k = cnt[j + 1] - cnt[j];
                int64_t *out = drawn + cnt[j];
                if (k == d) {
                    for (int64_t q = 0; q < d; q++) out[q] = g->src[p0 + q];
                } else if (fan <= 64 || scratch) {
                    choose(out, k, d, gat_rng_key(key, (uint64_t)u, 0, 0), scratch);
                    for (int64_t q = 0; q < k; q++) out[q] = g->src[p0 + out[q]];
                }
            }
            free(scratch);
        }
        if (nomem) goto nomem;
        /* number the new nodes in order, and add the edges */
        if (grow(&b->src, &cap_edges, b->n_edges + cnt[nf] + 1)) goto nomem;
        int64_t *nd = realloc(b->dst, (size_t)cap_edges * sizeof *nd);
        if (!nd) goto nomem;
        b->dst = nd;
        for (int64_t j = 0; j < nf; j++)
            for (int64_t q = cnt[j]; q < cnt[j + 1]; q++) {
                const int64_t v = drawn[q];
                if (s->local[v] < 0) {
                    if (grow(&b->global, &cap_nodes, b->n_nodes + 1)) goto nomem;
                    s->local[v] = b->n_nodes;
                    b->global[b->n_nodes++] = v;
                }
                b->src[b->n_edges] = s->local[v];
                b->dst[b->n_edges++] = start + j;
            }
        b->hop_end[h] = end;
        start = end;
    }
    b->hop_end[s->n_hops] = b->n_nodes;
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "sampler: out of memory");
done:
    for (int64_t i = 0; i < b->n_nodes; i++) s->local[b->global[i]] = -1;
    free(cnt);
    free(drawn);
    if (rc) gat_batch_free(b);
    return rc;
}
