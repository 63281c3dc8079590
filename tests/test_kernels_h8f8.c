/* test_kernels_h8f8.c - the 8 heads x 8 features attention kernels (src/core/kernels_h8f8.h,
 * on 8-float vectors) give the same bits as the plain loops of kernels.h they replace, forward
 * and backward, with and without attention dropout, with and without a set of active targets.
 *
 * Three computations are compared on one random graph whose rows have 1 to 25 entries: the
 * library's gat_attention_forward / _backward (the copy of the kernel the loader picked for
 * this CPU, AVX2 here), the vector kernels compiled into this file (plain x86-64 in a
 * portable build: the vectors in two SSE halves), and the loops with h and f unknown to the
 * compiler; likewise the scores of a projected row (gat_scores_row) and their backward
 * (gat_scores_grad_row), and the narrow dense projection (gat_dense_projection: 8-float
 * vectors, four rows at a time) against a plain sum in input order. Scores are spread so that logits fall on both sides of the LeakyReLU kink and
 * some exponentials hit gat_expf's lower clamp. Exact equality holds because a portable build
 * forms no fused multiply-adds; a -march=native build may contract the two forms differently,
 * so there (__FP_FAST_FMAF) the check is to float rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/core/kernels.h"
#include "check.h"
#include "gat/graph.h"

#define H 8
#define F 8

static uint64_t draw = 0;
static float urand(void) { return (float)(gat_rng_uniform64(0x5eed, draw++) * 2.0 - 1.0); }

/* how many of n floats differ (bit for bit, or beyond float rounding with FMA contraction) */
static size_t n_diff(const float *a, const float *b, size_t n) {
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
#ifdef __FP_FAST_FMAF
        d += !(fabsf(a[i] - b[i]) <= 1e-5f * (1.0f + fabsf(b[i])));
#else
        d += memcmp(&a[i], &b[i], sizeof(float)) != 0;
#endif
    }
    return d;
}

static volatile int64_t runtime_h = H, runtime_f = F; /* the loops' shape, unknown at compile time */

int main(void) {
    gat_set_threads(0);
    const int64_t n = 60;
    int64_t src[900], dst[900], e = 0;
    for (int64_t i = 0; i < n; i++) /* row i: (i * 7) % 25 input edges (some self loops, dropped) */
        for (int64_t t = 0; t < (i * 7) % 25; t++) {
            src[e] = (i * 13 + t * 29 + 5) % n;
            dst[e++] = i;
        }
    gat_graph g;
    gat_error err = {0};
    CHECK(gat_graph_from_edges(&g, n, src, dst, e, &err) == GAT_OK);
    const size_t nm = (size_t)(n * H * F), nh = (size_t)(n * H), eh = (size_t)(g.nnz * H);
    float *z = malloc(nm * sizeof(float)), *dout = malloc(nm * sizeof(float));
    float *s_src = malloc(nh * sizeof(float)), *s_dst = malloc(nh * sizeof(float));
    for (size_t k = 0; k < nm; k++) z[k] = urand(), dout[k] = urand();
    for (size_t k = 0; k < nh; k++) {
        s_src[k] = 250.0f * urand() * urand() * urand(); /* mostly small, a few beyond exp's range */
        s_dst[k] = 2.0f * urand();
    }
    uint8_t *active = malloc((size_t)n);
    for (int64_t i = 0; i < n; i++) active[i] = i % 3 != 1;

    for (int drop = 0; drop < 2; drop++) {
        const float p = drop ? 0.4f : 0.0f;
        float *out[3], *att[3], *scratch[3], *dz[3], *dss[3], *dsd[3];
        uint8_t *mask[3];
        for (int v = 0; v < 3; v++) {
            out[v] = malloc(nm * sizeof(float)), att[v] = malloc(eh * sizeof(float)), mask[v] = calloc(eh, 1);
            scratch[v] = malloc(eh * sizeof(float));
            dz[v] = malloc(nm * sizeof(float)), dss[v] = malloc(nh * sizeof(float)), dsd[v] = malloc(nh * sizeof(float));
            for (size_t k = 0; k < nm; k++) dz[v][k] = 0.25f * (float)(k % 5); /* backward adds into these */
            for (size_t k = 0; k < nh; k++) dss[v][k] = dsd[v][k] = 0.5f * (float)(k % 3);
        }
        /* 0: the library, 1: the vector kernels compiled here, 2: the loops */
        gat_attention_forward(out[0], att[0], mask[0], &g, s_src, s_dst, z, H, F, 0.2f, p, 77, NULL);
        for (int v = 1; v < 3; v++) {
            gat_att_fwd A = {.row_ptr = g.row_ptr, .src = g.src, .s_src = s_src, .s_dst = s_dst, .z = z, .att = att[v],
                             .att_mask = mask[v], .slope = 0.2f, .p = p, .scale = drop ? 1.0f / (1.0f - p) : 1.0f,
                             .thr = drop ? gat_keep_threshold(p) : 0, .key = 77};
            for (int64_t i = 0; i < n; i++) {
                if (v == 1) gat_attention_row_h8f8(&A, i, out[v] + i * H * F);
                else gat_attention_row_loops(&A, i, out[v] + i * H * F, runtime_h, runtime_f);
            }
        }
        gat_attention_backward(dz[0], dss[0], dsd[0], scratch[0], dout, &g, att[0], mask[0], s_src, s_dst, z, H, F, 0.2f,
                               p, NULL);
        for (int v = 1; v < 3; v++) {
            gat_att_bwd B = {.row_ptr = g.row_ptr, .src = g.src, .dst = g.dst, .out_ptr = g.out_ptr, .out_pos = g.out_pos,
                             .att = att[v], .att_mask = mask[v], .s_src = s_src, .s_dst = s_dst, .z = z, .dout = dout,
                             .scratch = scratch[v], .slope = 0.2f, .p = p, .scale = drop ? 1.0f / (1.0f - p) : 1.0f};
            const int64_t hr = runtime_h, fr = runtime_f;
            for (int64_t i = 0; i < n; i++) {
                if (v == 1) gat_attention_grad_target_h8f8(&B, i, dsd[v] + i * H, 1);
                else gat_attention_grad_target_loops(&B, i, dsd[v] + i * H, 1, hr, fr);
            }
            for (int64_t j = 0; j < n; j++) {
                if (v == 1) gat_attention_grad_source_h8f8(&B, j, dz[v] + j * H * F, dss[v] + j * H, 1);
                else gat_attention_grad_source_loops(&B, j, dz[v] + j * H * F, dss[v] + j * H, 1, hr, fr);
            }
        }
        size_t clamped = 0, moved = 0;
        for (size_t k = 0; k < eh; k++) {
            clamped += att[2][k] == 0.0f || att[2][k] < 1e-30f;
            moved += scratch[2][k] != 0.0f;
        }
        CHECK_MSG(clamped > 0 && moved > eh / 2, "p=%.1f: some exponentials reach the clamp (%zu), most logits get a gradient (%zu of %zu)", (double)p,
                  clamped, moved, eh);
        for (int v = 0; v < 2; v++) {
            const char *who = v ? "vector kernels (plain x86-64)" : "library (this CPU's copy)";
            CHECK_MSG(n_diff(out[v], out[2], nm) == 0, "p=%.1f %s vs loops: out", (double)p, who);
            CHECK_MSG(n_diff(att[v], att[2], eh) == 0, "p=%.1f %s vs loops: att", (double)p, who);
            CHECK_MSG(memcmp(mask[v], mask[2], eh) == 0, "p=%.1f %s vs loops: dropout mask", (double)p, who);
            CHECK_MSG(n_diff(scratch[v], scratch[2], eh) == 0, "p=%.1f %s vs loops: d logits", (double)p, who);
            CHECK_MSG(n_diff(dz[v], dz[2], nm) == 0, "p=%.1f %s vs loops: dz", (double)p, who);
            CHECK_MSG(n_diff(dss[v], dss[2], nh) == 0, "p=%.1f %s vs loops: ds_src", (double)p, who);
            CHECK_MSG(n_diff(dsd[v], dsd[2], nh) == 0, "p=%.1f %s vs loops: ds_dst", (double)p, who);
        }
        /* only some targets active (sampled training): the sources skip the others */
        for (int v = 1; v < 3; v++) {
            gat_att_bwd B = {.row_ptr = g.row_ptr, .src = g.src, .dst = g.dst, .out_ptr = g.out_ptr, .out_pos = g.out_pos,
                             .att = att[v], .att_mask = mask[v], .s_src = s_src, .s_dst = s_dst, .z = z, .dout = dout,
                             .scratch = scratch[2], .active = active, .slope = 0.2f, .p = p,
                             .scale = drop ? 1.0f / (1.0f - p) : 1.0f};
            for (int64_t j = 0; j < n; j++) {
                if (v == 1) gat_attention_grad_source_h8f8(&B, j, dz[v] + j * H * F, dss[v] + j * H, 0);
                else gat_attention_grad_source_loops(&B, j, dz[v] + j * H * F, dss[v] + j * H, 0, runtime_h, runtime_f);
            }
        }
        CHECK_MSG(n_diff(dz[1], dz[2], nm) == 0 && n_diff(dss[1], dss[2], nh) == 0,
                  "p=%.1f vector kernels vs loops, some targets inactive: dz and ds_src", (double)p);
        for (int v = 0; v < 3; v++) {
            free(out[v]), free(att[v]), free(mask[v]), free(scratch[v]), free(dz[v]), free(dss[v]), free(dsd[v]);
        }
    }
    /* the scores' backward of one source row: vectors against loops, with and without the
     * projection dropout's mask */
    for (int drop = 0; drop < 2; drop++) {
        float gs[H], gd[H], as[H * F], ad[H * F], dzv[2][H * F], psv[2][H * F], pdv[2][H * F];
        uint8_t mk[H * F];
        for (int t = 0; t < H; t++) gs[t] = urand(), gd[t] = urand();
        for (int t = 0; t < H * F; t++) {
            as[t] = urand(), ad[t] = urand(), mk[t] = (t * 7) % 5 < 3;
            for (int v = 0; v < 2; v++) dzv[v][t] = psv[v][t] = pdv[v][t] = 0.5f * (float)(t % 3) - 0.25f;
        }
        for (int rep = 0; rep < 3; rep++) /* accumulating over a few rows, as a block does */
            for (int v = 0; v < 2; v++) {
                const float *zr = z + rep * H * F;
                if (v == 0) gat_scores_grad_row_h8f8(dzv[v], psv[v], pdv[v], gs, gd, zr, as, ad, drop ? mk : NULL, 2.5f);
                else gat_scores_grad_row_loops(dzv[v], psv[v], pdv[v], gs, gd, zr, as, ad, drop ? mk : NULL, 2.5f,
                                               runtime_h, runtime_f);
            }
        CHECK_MSG(n_diff(dzv[0], dzv[1], H * F) == 0 && n_diff(psv[0], psv[1], H * F) == 0 &&
                      n_diff(pdv[0], pdv[1], H * F) == 0,
                  "scores backward, %s: vector kernel vs loops (dz, d a_src, d a_dst sums)", drop ? "dropout" : "no dropout");
    }
    /* the attention scores of a projected row: vectors against loops, on rows of z with
     * exact zeros and negative zeros among the products */
    {
        float as[H * F], ad[H * F], sv[2][2][H];
        for (int t = 0; t < H * F; t++) as[t] = urand(), ad[t] = t % 9 == 0 ? -0.0f : urand();
        size_t bad = 0;
        for (int64_t r = 0; r < n; r++) {
            const float *zr = z + r * H * F;
            gat_scores_row_h8f8(sv[0][0], sv[0][1], zr, as, ad);
            gat_scores_row_loops(sv[1][0], sv[1][1], zr, as, ad, runtime_h, runtime_f);
            bad += n_diff(sv[0][0], sv[1][0], H) + n_diff(sv[0][1], sv[1][1], H);
        }
        CHECK_MSG(bad == 0, "scores of a row: vector kernel vs loops (%zu of %lld differ)", bad, (long long)(2 * n * H));
    }
    /* narrow dense projections (this CPU's copy): each output summed over the inputs in order */
    {
        const int64_t rows = 23, k = 37, widths[3] = {7, 12, 32};
        float *x = malloc((size_t)(rows * k) * sizeof(float)), *w = malloc((size_t)(k * 32) * sizeof(float));
        float *zl = malloc((size_t)(rows * 32) * sizeof(float)), *zs = malloc((size_t)(rows * 32) * sizeof(float));
        for (int64_t t = 0; t < rows * k; t++) x[t] = urand();
        for (int64_t t = 0; t < k * 32; t++) w[t] = urand();
        for (int wi = 0; wi < 3; wi++) {
            const int64_t m = widths[wi];
            gat_dense_projection(zl, x, w, rows, k, m);
            for (int64_t r = 0; r < rows; r++)
                for (int64_t o = 0; o < m; o++) {
                    float acc = 0.0f;
                    for (int64_t q = 0; q < k; q++) acc += x[r * k + q] * w[q * m + o];
                    zs[r * m + o] = acc;
                }
            CHECK_MSG(n_diff(zl, zs, (size_t)(rows * m)) == 0, "narrow projection, %lld outputs: same as the sum in order",
                      (long long)m);
        }
        free(x), free(w), free(zl), free(zs);
    }
    gat_graph_free(&g);
    free(z), free(dout), free(s_src), free(s_dst), free(active);
    return check_summary();
}
