/* test_sample.c - neighbour sampling: the batch is the union of the sampled hops, draws are
 * without replacement and uniform, the same bits for a seed on any thread count, fanout -1
 * takes all; index arithmetic beyond 2^31 (a node with 2^31 + 8192 in-edges, held in a
 * sparse mapping that costs only the pages touched); row gathering past 2^31 nonzeros. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "gat/minibatch.h"
#include "gat/ops.h"
#include "gat/sample.h"

/* A random graph: node i has (i % 13) + 1 distinct in-neighbours. */
static void random_graph(gat_graph *g, int64_t n) {
    int64_t e = 0;
    for (int64_t i = 0; i < n; i++) e += i % 13 + 1;
    int64_t *src = malloc((size_t)e * sizeof *src), *dst = malloc((size_t)e * sizeof *dst), k = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j <= i % 13; j++) {
            src[k] = (i + 1 + j * 7) % n;
            dst[k++] = i;
        }
    gat_error err = {0};
    if (gat_graph_forward_from_edges(g, n, src, dst, e, &err)) abort();
    free(src);
    free(dst);
}

static int is_edge(const gat_graph *g, int64_t s, int64_t d) {
    for (int64_t q = g->row_ptr[d] + 1; q < g->row_ptr[d + 1]; q++)
        if (g->src[q] == s) return 1;
    return 0;
}

static int same_batch(const gat_batch *a, const gat_batch *b) {
    return a->n_nodes == b->n_nodes && a->n_edges == b->n_edges && a->n_seeds == b->n_seeds &&
           !memcmp(a->global, b->global, (size_t)a->n_nodes * sizeof *a->global) &&
           !memcmp(a->src, b->src, (size_t)a->n_edges * sizeof *a->src) &&
           !memcmp(a->dst, b->dst, (size_t)a->n_edges * sizeof *a->dst);
}

static void structure(void) {
    gat_graph g;
    random_graph(&g, 500);
    gat_sampler s;
    gat_error err = {0};
    int64_t fan[2] = {4, 3};
    CHECK_EQ_INT(gat_sampler_init(&s, &g, 2, fan, 9, &err), GAT_OK);
    int64_t seeds[6] = {10, 20, 30, 10, 400, 499}; /* 10 twice: counted once */
    gat_batch b, b2;
    CHECK_EQ_INT(gat_sample(&s, seeds, 6, 1, 0, &b, &err), GAT_OK);
    CHECK_EQ_INT(b.n_seeds, 5);
    CHECK_EQ_INT(b.global[0], 10);
    CHECK_EQ_INT(b.global[4], 499);
    CHECK_EQ_INT(b.hop_end[0], 5);
    CHECK_EQ_INT(b.hop_end[2], b.n_nodes);
    /* every edge is a real edge into a node of the hops before the last; each such node draws
     * min(fanout, in-degree) distinct in-neighbours */
    int64_t bad = 0, wrong_count = 0, repeats = 0;
    for (int64_t k = 0; k < b.n_edges; k++) bad += !is_edge(&g, b.global[b.src[k]], b.global[b.dst[k]]);
    for (int h = 0; h < 2; h++)
        for (int64_t v = h ? b.hop_end[0] : 0; v < b.hop_end[h]; v++) {
            int64_t u = b.global[v], d = g.row_ptr[u + 1] - g.row_ptr[u] - 1, c = 0;
            for (int64_t k = 0; k < b.n_edges; k++)
                if (b.dst[k] == v) {
                    c++;
                    for (int64_t q = k + 1; q < b.n_edges; q++) repeats += b.dst[q] == v && b.src[q] == b.src[k];
                }
            wrong_count += c != (d < fan[h] ? d : fan[h]);
        }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(wrong_count, 0);
    CHECK_EQ_INT(repeats, 0);
    /* nodes of the last hop are not expanded; no node is listed twice; the map is reset */
    int64_t from_last = 0;
    for (int64_t k = 0; k < b.n_edges; k++) from_last += b.dst[k] >= b.hop_end[1];
    CHECK_EQ_INT(from_last, 0);
    uint8_t *seen = calloc(500, 1);
    int64_t dup = 0, unset = 0;
    for (int64_t i = 0; i < b.n_nodes; i++) {
        dup += seen[b.global[i]];
        seen[b.global[i]] = 1;
    }
    for (int64_t i = 0; i < 500; i++) unset += s.local[i] != -1;
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(unset, 0);
    free(seen);
    /* deterministic: same step, same batch on 1 and 2 threads; another step, another batch */
    gat_set_threads(1);
    CHECK_EQ_INT(gat_sample(&s, seeds, 6, 1, 0, &b2, &err), GAT_OK);
    gat_set_threads(0);
    CHECK(same_batch(&b, &b2));
    gat_batch_free(&b2);
    CHECK_EQ_INT(gat_sample(&s, seeds, 6, 1, 1, &b2, &err), GAT_OK);
    CHECK(!same_batch(&b, &b2));
    gat_batch_free(&b2);
    gat_batch_free(&b);
    /* fanout -1: the whole 2-hop in-neighbourhood */
    gat_sampler all;
    int64_t fa[2] = {-1, -1};
    CHECK_EQ_INT(gat_sampler_init(&all, &g, 2, fa, 9, &err), GAT_OK);
    CHECK_EQ_INT(gat_sample(&all, seeds + 2, 1, 1, 0, &b, &err), GAT_OK);
    int64_t want_edges = 0;
    int64_t u = 30, d1 = g.row_ptr[u + 1] - g.row_ptr[u] - 1;
    want_edges += d1;
    for (int64_t q = g.row_ptr[u] + 1; q < g.row_ptr[u + 1]; q++) want_edges += g.row_ptr[g.src[q] + 1] - g.row_ptr[g.src[q]] - 1;
    CHECK(b.n_edges <= want_edges && b.n_edges >= d1);
    gat_batch_free(&b);
    gat_sampler_free(&all);
    /* bad input */
    int64_t out_of_range = 500;
    CHECK_EQ_INT(gat_sample(&s, &out_of_range, 1, 1, 0, &b, &err), GAT_ERANGE);
    int64_t zero[2] = {0, 3};
    gat_sampler z;
    CHECK_EQ_INT(gat_sampler_init(&z, &g, 2, zero, 1, &err), GAT_EINVAL);
    int n;
    int64_t f[8];
    CHECK_EQ_INT(gat_fanouts_parse("25,10", f, 8, &n, &err), GAT_OK);
    CHECK(n == 2 && f[0] == 25 && f[1] == 10);
    CHECK_EQ_INT(gat_fanouts_parse("-1,5", f, 8, &n, &err), GAT_OK);
    CHECK(f[0] == -1);
    CHECK_EQ_INT(gat_fanouts_parse("10,,5", f, 8, &n, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_fanouts_parse("0,5", f, 8, &n, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_fanouts_parse("-2", f, 8, &n, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_fanouts_parse("5,", f, 8, &n, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "--fanouts") != NULL);
    gat_sampler_free(&s);
    gat_graph_free(&g);
}

/* A star: node 0 has in-neighbours 1..d. Each is drawn with probability k/d. */
static void uniformity(int64_t d, int64_t k, int trials) {
    int64_t n = d + 1, *src = malloc((size_t)d * sizeof *src), *dst = calloc((size_t)d, sizeof *dst);
    for (int64_t j = 0; j < d; j++) src[j] = j + 1;
    gat_graph g;
    gat_error err = {0};
    gat_graph_forward_from_edges(&g, n, src, dst, d, &err);
    gat_sampler s;
    int64_t fan[1] = {k};
    gat_sampler_init(&s, &g, 1, fan, 3, &err);
    int64_t *hits = calloc((size_t)n, sizeof *hits), seed = 0, wrong = 0;
    for (int t = 0; t < trials; t++) {
        gat_batch b;
        gat_sample(&s, &seed, 1, 1, (uint64_t)t, &b, &err);
        wrong += b.n_edges != k;
        for (int64_t e = 0; e < b.n_edges; e++) hits[b.global[b.src[e]]]++;
        gat_batch_free(&b);
    }
    CHECK_EQ_INT(wrong, 0);
    double p = (double)k / (double)d, mean = p * trials, sd = sqrt(mean * (1 - p)), worst = 0;
    for (int64_t j = 1; j <= d; j++) worst = fmax(worst, fabs((double)hits[j] - mean) / sd);
    CHECK_MSG(worst < 5.0, "fanout %lld of %lld: worst deviation %.2f sd", (long long)k, (long long)d, worst);
    free(hits);
    free(src);
    free(dst);
    gat_sampler_free(&s);
    gat_graph_free(&g);
}

/* Node 3 has 2^31 + 8192 in-edges. The arrays are a sparse anonymous mapping: untouched pages
 * read as zeros and cost nothing, so only the draws' pages become resident. */
static void beyond_2_31(void) {
    const int64_t d = ((int64_t)1 << 31) + 8192, nnz = d + 4;
    int64_t *src = mmap(NULL, (size_t)nnz * sizeof *src, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (src == MAP_FAILED) {
        CHECK_MSG(0, "cannot map 16 GiB of address space");
        return;
    }
    int64_t row_ptr[5] = {0, 1, 2, 3, nnz};
    for (int i = 0; i < 4; i++) src[row_ptr[i]] = i; /* self loops first */
    /* the entries of node 3 (other than its self loop) alternate between sources 1 and 2 by
     * position parity: a draw at position q must come back as 1 + (q & 1) */
    gat_graph g;
    memset(&g, 0, sizeof g);
    g.n = 4;
    g.nnz = nnz;
    g.row_ptr = row_ptr;
    g.src = src;
    gat_sampler s;
    gat_error err = {0};
    int64_t fan[1] = {40};
    CHECK_EQ_INT(gat_sampler_init(&s, &g, 1, fan, 5, &err), GAT_OK);
    /* 40 draws among 2^31 + 8192 positions (64-bit position arithmetic); the untouched entries
     * read as node 0 */
    int64_t seed = 3, high = 0;
    gat_batch b;
    CHECK_EQ_INT(gat_sample(&s, &seed, 1, 1, 0, &b, &err), GAT_OK);
    CHECK_EQ_INT(b.n_edges, 40);
    gat_batch_free(&b);
    for (int64_t q = nnz - 4096; q < nnz; q++) src[q] = 1 + (q & 1);
    /* a step whose draws land in the top window: the probability a draw is there is tiny, so
     * instead sample with fanout = all on a view of the top of the row: a node whose row
     * starts beyond 2^31 */
    int64_t row2[5] = {0, 1, 2, nnz - 4096, nnz};
    g.row_ptr = row2;
    src[row2[3]] = 3; /* its self loop */
    int64_t fan_all[1] = {-1};
    gat_sampler s2;
    CHECK_EQ_INT(gat_sampler_init(&s2, &g, 1, fan_all, 5, &err), GAT_OK);
    CHECK_EQ_INT(gat_sample(&s2, &seed, 1, 1, 0, &b, &err), GAT_OK);
    CHECK_EQ_INT(b.n_edges, 4095);
    int64_t parity_ok = 0;
    for (int64_t e = 0; e < b.n_edges; e++) {
        int64_t q = row2[3] + 1 + e, v = b.global[b.src[e]];
        parity_ok += v == 1 + (q & 1);
        high += q > ((int64_t)1 << 31);
    }
    CHECK_EQ_INT(parity_ok, 4095);
    CHECK_EQ_INT(high, 4095);
    CHECK_EQ_INT(b.n_nodes, 3);
    gat_batch_free(&b);
    gat_sampler_free(&s2);
    gat_sampler_free(&s);
    /* gathering feature rows whose offsets are beyond 2^31 */
    int32_t *col = mmap(NULL, (size_t)nnz * sizeof *col, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    float *val = mmap(NULL, (size_t)nnz * sizeof *val, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (col != MAP_FAILED && val != MAP_FAILED) {
        gat_csr x = {.n_rows = 4, .n_cols = 10, .nnz = nnz, .row_ptr = row2, .col_idx = col, .val = val};
        for (int64_t q = row2[3]; q < nnz; q++) {
            col[q] = (int32_t)(q % 10);
            val[q] = (float)(q - row2[3]);
        }
        int64_t rows[2] = {3, 1};
        gat_csr out;
        CHECK_EQ_INT(gat_csr_gather_rows(&out, &x, rows, 2, &err), GAT_OK);
        CHECK_EQ_INT(out.nnz, 4097);
        CHECK_EQ_INT(out.row_ptr[1], 4096);
        CHECK_EQ_INT(out.col_idx[5], (int32_t)((row2[3] + 5) % 10));
        CHECK(out.val[4095] == 4095.0f);
        gat_csr_free(&out);
    }
    if (col != MAP_FAILED) munmap(col, (size_t)nnz * sizeof *col);
    if (val != MAP_FAILED) munmap(val, (size_t)nnz * sizeof *val);
    munmap(src, (size_t)nnz * sizeof *src);
}

/* A graph without added self loops (GAT_GRAPH_NO_SELF_LOOPS): every entry of a row is a
 * candidate, a node's own self loop too, and nothing is added for a node without in-edges;
 * the step batch built from the draws (gat_step_batch_sampled) adds no self loop either. */
static void without_self_loops(void) {
    /* 0 <- 1, 2, 0 (own loop); 1 <- 2; 2 <- nothing; 3 <- 0, 0 (a duplicate), 3 */
    const int64_t src[] = {1, 2, 0, 2, 0, 0, 3}, dst[] = {0, 0, 0, 1, 3, 3, 3};
    gat_graph g;
    gat_error err = {0};
    CHECK_EQ_INT(gat_graph_build(&g, 4, src, dst, 7, GAT_GRAPH_NO_SELF_LOOPS | GAT_GRAPH_FORWARD_ONLY, &err), GAT_OK);
    CHECK_EQ_INT(g.nnz, 7);
    CHECK_EQ_INT(g.no_self_loops, 1);
    CHECK_EQ_INT(g.row_ptr[3] - g.row_ptr[2], 0);
    gat_sampler s;
    int64_t all[1] = {-1}, one[1] = {1};
    CHECK_EQ_INT(gat_sampler_init(&s, &g, 1, all, 3, &err), GAT_OK);
    int64_t seeds[3] = {0, 2, 3};
    gat_batch b;
    CHECK_EQ_INT(gat_sample(&s, seeds, 3, 0, 0, &b, &err), GAT_OK);
    /* fanout -1: every entry, own self loops and the duplicate included; node 2 draws nothing */
    int64_t loops = 0, into2 = 0;
    for (int64_t k = 0; k < b.n_edges; k++) {
        loops += b.global[b.src[k]] == b.global[b.dst[k]];
        into2 += b.global[b.dst[k]] == 2;
    }
    CHECK_MSG(b.n_edges == 6 && loops == 2 && into2 == 0, "all in-edges drawn as given: %lld edges, %lld self loops, "
              "%lld into node 2", (long long)b.n_edges, (long long)loops, (long long)into2);
    gat_batch_free(&b);
    gat_sampler_free(&s);
    /* fanout 1 over node 0's three entries: each of them, its own self loop too, is drawn sometimes */
    CHECK_EQ_INT(gat_sampler_init(&s, &g, 1, one, 3, &err), GAT_OK);
    int seen[3] = {0, 0, 0};
    for (uint64_t ep = 0; ep < 200; ep++) {
        CHECK_EQ_INT(gat_sample(&s, seeds, 1, ep, 0, &b, &err), GAT_OK);
        if (b.n_edges == 1) seen[b.global[b.src[0]]]++;
        else CHECK_MSG(0, "fanout 1: %lld edges", (long long)b.n_edges);
        gat_batch_free(&b);
    }
    CHECK_MSG(seen[0] > 30 && seen[1] > 30 && seen[2] > 30, "node 0's entries drawn 1, 2, self: %d, %d, %d of 200",
              seen[1], seen[2], seen[0]);
    gat_sampler_free(&s);
    gat_graph_free(&g);
}

int main(void) {
    without_self_loops();
    structure();
    uniformity(10, 3, 8000);
    uniformity(300, 100, 1500); /* the partial Fisher-Yates path (fanout > 64) */
    beyond_2_31();
    return check_summary();
}
