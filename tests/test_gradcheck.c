/* test_gradcheck.c - central finite differences against every backward function, and
 * against the whole model's backward pass (with dropout on: the masks depend only on the
 * key, so the objective is a deterministic function of the parameters).
 *
 * The objective of an op (and of the whole model) is L = sum_i r_i out_i for fixed random
 * r, accumulated in double, so every gradient tensor is of order one and no tensor can hide
 * below a tolerance. The kernels are float32: a difference quotient carries the rounding
 * noise of the outputs the perturbation changed, bounded by 8 eps32 sum |r_i out_i| over
 * those outputs, divided by the step. Each point's tolerance is
 *     |analytic - numeric| <= 1e-2 |numeric| + noise,
 * and a point is significant where |numeric| > 5 noise: there a zero gradient fails. A point
 * that disagrees is retried with a 4x and a 16x smaller step (a LeakyReLU or ELU kink inside
 * the step disappears as the step shrinks, a wrong gradient does not); it counts as
 * significant only if it is at the step that agreed. Per tensor, at least a quarter of the
 * sampled points the objective depends on (numeric not exactly 0, as it is for a dropped
 * element) must be significant, and the relative error over the significant points,
 * |analytic - numeric|_2 / |numeric|_2, must stay below 10 %: a zeroed tensor (error 100 %)
 * or a 25 %-scaled one fails, which fd_self_test shows on several tensors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/model.h"
#include "gat/ops.h"
#include "gat/rng.h"

static uint64_t rs = 12345;
static float frand(void) { return (float)(gat_rng_uniform64(rs, (uint64_t)rand()) * 2.0 - 1.0); }
static void fill(float *x, size_t n, float scale) { for (size_t i = 0; i < n; i++) x[i] = frand() * scale; }

typedef double (*objective_fn)(void *ctx);
static double fd_eps = 1e-2; /* smaller for the whole model, where kinks are many */

/* The terms r_i out_i of the last objective evaluation (dot_r appends to them). */
#define MAX_TERMS (1 << 16)
static double terms[MAX_TERMS], terms_plus[MAX_TERMS];
static size_t n_terms;

/* Central difference of f at x[i] with step eps; *noise bounds its rounding noise. */
static double central(float *x, size_t i, double eps, objective_fn f, void *ctx, double *noise) {
    float x0 = x[i];
    x[i] = x0 + (float)eps;
    n_terms = 0;
    double lp = f(ctx);
    size_t np = n_terms;
    memcpy(terms_plus, terms, np * sizeof *terms);
    x[i] = x0 - (float)eps;
    n_terms = 0;
    double lm = f(ctx);
    x[i] = x0;
    double changed = 0;
    for (size_t t = 0; t < n_terms && t < np; t++)
        if (terms[t] != terms_plus[t]) changed += fabs(terms[t]) + fabs(terms_plus[t]);
    /* the step actually taken, in float */
    const double h = (double)(x0 + (float)eps) - (double)(x0 - (float)eps);
    *noise = 8 * 6e-8 * 0.5 * changed / h;
    return (lp - lm) / h;
}

typedef struct {
    size_t checked, independent, significant, bad, retried;
    double err2, num2;                 /* sums of (analytic - numeric)^2 and numeric^2 */
} fd_result;

/* Compare grad with central differences of f at up to max_points entries of x. */
static fd_result fd_run(const char *what, float *x, const float *grad, size_t n, objective_fn f, void *ctx,
                        size_t max_points, int verbose) {
    fd_result r = {0};
    size_t step = n > max_points ? n / max_points : 1;
    for (size_t i = 0; i < n; i += step) {
        double ana = grad[i], num = 0, noise = 0;
        int ok = 0;
        for (int t = 0; t < 3 && !ok; t++) {
            num = central(x, i, fd_eps / (1 << (2 * t)), f, ctx, &noise);
            ok = fabs(num - ana) <= 1e-2 * fabs(num) + noise || (num == 0.0 && fabs(ana) < 1e-6);
            r.retried += t > 0;
        }
        r.checked++;
        r.independent += num == 0.0;
        int sig = fabs(num) > 5 * noise && num != 0.0;
        r.significant += sig;
        if (sig) {
            r.err2 += (ana - num) * (ana - num);
            r.num2 += num * num;
        }
        if (!ok) {
            r.bad++;
            if (verbose && r.bad <= 3) fprintf(stderr, "  %s[%zu]: analytic %.6g numeric %.6g (noise %.2g)\n", what, i, ana, num, noise);
        }
    }
    return r;
}

static void fd_check(const char *what, float *x, const float *grad, size_t n, objective_fn f, void *ctx, size_t max_points) {
    fd_result r = fd_run(what, x, grad, n, f, ctx, max_points, 1);
    double rel = r.num2 > 0 ? sqrt(r.err2 / r.num2) : INFINITY;
    if (getenv("GAT_FD_VERBOSE"))
        fprintf(stderr, "%-70s significant %zu/%zu relative error %.2e\n", what, r.significant, r.checked - r.independent, rel);
    CHECK_MSG(r.bad == 0 && r.checked > 0, "%s: %zu of %zu points differ (%zu retries)", what, r.bad, r.checked, r.retried);
    CHECK_MSG(r.significant > 0 && 4 * r.significant >= r.checked - r.independent,
              "%s: %zu of %zu points stand above the rounding noise (need a quarter; %zu do not depend on it)", what,
              r.significant, r.checked - r.independent, r.independent);
    CHECK_MSG(rel <= 0.1, "%s: relative error %.3g over the significant points", what, rel);
}

/* The check itself: a zero gradient fails at every significant point, and a zero or
 * 25 %-scaled gradient fails the tensor's relative error. */
static void fd_self_test(const char *what, float *x, const float *grad, size_t n, objective_fn f, void *ctx, size_t max_points) {
    float *wrong = malloc((n + 1) * sizeof *wrong);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n; i++) wrong[i] = k == 0 ? 0.0f : grad[i] * 0.75f;
        fd_result r = fd_run(what, x, wrong, n, f, ctx, max_points, 0);
        double rel = r.num2 > 0 ? sqrt(r.err2 / r.num2) : INFINITY;
        if (k == 0)
            CHECK_MSG(r.significant > 0 && r.bad >= r.significant, "%s: a zero gradient is rejected at %zu of %zu significant points",
                      what, r.bad, r.significant);
        CHECK_MSG(rel > 0.1, "%s: a %s gradient is rejected (relative error %.3g)", what, k == 0 ? "zero" : "25 %-scaled", rel);
    }
    free(wrong);
}

/* ---------------- ops ---------------- */

typedef struct {
    int64_t n, k, m, h, f;
    float *x, *w, *z, *r, *a_src, *a_dst, *s_src, *s_dst, *att, *out, *scratch;
    uint8_t *mask;
    gat_graph g;
    gat_csr csr;
    float p;
    int which;
} opctx;

/* sum_i y_i r_i in double; the terms are appended to terms[] */
static double dot_r(const float *y, const float *r, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double t = (double)y[i] * r[i];
        if (n_terms < MAX_TERMS) terms[n_terms++] = t;
        s += t;
    }
    return s;
}

static double obj_matmul(void *v) {
    opctx *c = v;
    gat_matmul_forward(c->z, c->x, c->w, c->n, c->k, c->m);
    return dot_r(c->z, c->r, (size_t)(c->n * c->m));
}

static void test_matmul(void) {
    opctx c = {.n = 300, .k = 70, .m = 9};
    c.x = malloc(sizeof(float) * c.n * c.k);
    c.w = malloc(sizeof(float) * c.k * c.m);
    c.z = malloc(sizeof(float) * c.n * c.m);
    c.r = malloc(sizeof(float) * c.n * c.m);
    fill(c.x, c.n * c.k, 1);
    fill(c.w, c.k * c.m, 1);
    fill(c.r, c.n * c.m, 1);
    float *dx = calloc(c.n * c.k, sizeof(float)), *dw = calloc(c.k * c.m, sizeof(float));
    gat_matmul_backward(dx, dw, c.r, c.x, c.w, c.n, c.k, c.m);
    fd_check("matmul dx", c.x, dx, c.n * c.k, obj_matmul, &c, 200);
    fd_check("matmul dw", c.w, dw, c.k * c.m, obj_matmul, &c, 200);
    free(c.x); free(c.w); free(c.z); free(c.r); free(dx); free(dw);
}

static double obj_spmm(void *v) {
    opctx *c = v;
    gat_spmm_forward(c->z, &c->csr, c->csr.val, c->w, c->m, NULL);
    return dot_r(c->z, c->r, (size_t)(c->n * c->m));
}

static void test_spmm(void) {
    opctx c = {.n = 40, .k = 30, .m = 6};
    gat_csr *x = &c.csr;
    x->n_rows = c.n;
    x->n_cols = c.k;
    x->row_ptr = calloc(c.n + 1, sizeof(int64_t));
    x->col_idx = malloc(sizeof(int32_t) * c.n * c.k);
    x->val = malloc(sizeof(float) * c.n * c.k);
    for (int64_t i = 0; i < c.n; i++) {
        for (int64_t j = 0; j < c.k; j++)
            if ((i * 7 + j * 3) % 5 == 0) {
                x->col_idx[x->nnz] = (int32_t)j;
                x->val[x->nnz++] = frand();
            }
        x->row_ptr[i + 1] = x->nnz;
    }
    c.w = malloc(sizeof(float) * c.k * c.m);
    c.z = malloc(sizeof(float) * c.n * c.m);
    c.r = malloc(sizeof(float) * c.n * c.m);
    fill(c.w, c.k * c.m, 1);
    fill(c.r, c.n * c.m, 1);
    gat_csc_index t;
    gat_error err = {0};
    CHECK(gat_csc_index_build(&t, x, &err) == GAT_OK);
    float *dw = calloc(c.k * c.m, sizeof(float));
    gat_spmm_backward(dw, &t, x->val, c.r, c.m);
    fd_check("spmm dw", c.w, dw, c.k * c.m, obj_spmm, &c, 180);
    /* The sparse product equals the dense one. */
    float *dense = calloc(c.n * c.k, sizeof(float)), *z2 = malloc(sizeof(float) * c.n * c.m);
    for (int64_t i = 0; i < c.n; i++)
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) dense[i * c.k + x->col_idx[p]] = x->val[p];
    gat_spmm_forward(c.z, x, x->val, c.w, c.m, NULL);
    gat_matmul_forward(z2, dense, c.w, c.n, c.k, c.m);
    CHECK_CLOSE(c.z, z2, c.n * c.m, 1e-5, 1e-5);
    gat_csc_index_free(&t);
    free(x->row_ptr); free(x->col_idx); free(x->val);
    free(c.w); free(c.z); free(c.r); free(dw); free(dense); free(z2);
}

static double obj_scores(void *v) {
    opctx *c = v;
    gat_scores_forward(c->s_src, c->s_dst, c->z, c->a_src, c->a_dst, c->n, c->h, c->f);
    return dot_r(c->s_src, c->r, (size_t)(c->n * c->h)) + dot_r(c->s_dst, c->r + c->n * c->h, (size_t)(c->n * c->h));
}

static void test_scores(void) {
    opctx c = {.n = 500, .h = 3, .f = 4};
    size_t nm = c.n * c.h * c.f, nh = c.n * c.h;
    c.z = malloc(sizeof(float) * nm);
    c.a_src = malloc(sizeof(float) * c.h * c.f);
    c.a_dst = malloc(sizeof(float) * c.h * c.f);
    c.s_src = malloc(sizeof(float) * nh);
    c.s_dst = malloc(sizeof(float) * nh);
    c.r = malloc(sizeof(float) * 2 * nh);
    fill(c.z, nm, 1);
    fill(c.a_src, c.h * c.f, 1);
    fill(c.a_dst, c.h * c.f, 1);
    fill(c.r, 2 * nh, 1);
    float *dz = calloc(nm, sizeof(float)), *das = calloc(c.h * c.f, sizeof(float)), *dad = calloc(c.h * c.f, sizeof(float));
    gat_scores_backward(dz, das, dad, c.r, c.r + nh, c.z, c.a_src, c.a_dst, c.n, c.h, c.f);
    fd_check("scores dz", c.z, dz, nm, obj_scores, &c, 150);
    fd_check("scores da_src", c.a_src, das, c.h * c.f, obj_scores, &c, 100);
    fd_check("scores da_dst", c.a_dst, dad, c.h * c.f, obj_scores, &c, 100);
    free(c.z); free(c.a_src); free(c.a_dst); free(c.s_src); free(c.s_dst); free(c.r); free(dz); free(das); free(dad);
}

static double obj_attention(void *v) {
    opctx *c = v;
    gat_attention_forward(c->out, c->att, c->mask, &c->g, c->s_src, c->s_dst, c->z, c->h, c->f, 0.2f, c->p, 99, NULL);
    return dot_r(c->out, c->r, (size_t)(c->n * c->h * c->f));
}

/* Graphs without added self loops (GAT_GRAPH_NO_SELF_LOOPS, --add_self_loops false): the tests
 * below then leave some nodes without any incoming edge (an empty softmax) and give others
 * self loops of their own. */
static int no_loops;
/* The nodes test_attention and test_model leave without incoming edges when no_loops. */
static int no_in_edges(int64_t i) { return no_loops && i % 6 == 2; }

/* h = 8, f = 8 and f = 8 take the kernels specialised for those widths; others the general one. */
static void test_attention(int64_t heads, int64_t feats, float p) {
    opctx c = {.n = 30, .h = heads, .f = feats, .p = p};
    int64_t src[240], dst[240], e = 0;
    for (int64_t i = 0; i < c.n; i++) {
        if (no_in_edges(i)) continue;
        for (int t = 0; t < 6; t++) {
            src[e] = (i * 7 + t * 11 + 3) % c.n;
            dst[e++] = i; /* some of these are self loops or duplicates: both are handled */
        }
        if (no_loops && i % 4 == 0) { src[e] = i; dst[e++] = i; } /* an own self loop, kept as given */
    }
    gat_error err = {0};
    CHECK(gat_graph_build(&c.g, c.n, src, dst, e, no_loops ? GAT_GRAPH_NO_SELF_LOOPS : 0, &err) == GAT_OK);
    if (no_loops) CHECK_MSG(c.g.nnz == e, "no self loops: %lld entries, the %lld edges as given", (long long)c.g.nnz,
                            (long long)e);
    size_t nm = c.n * c.h * c.f, nh = c.n * c.h, eh = c.g.nnz * c.h;
    c.z = malloc(sizeof(float) * nm);
    c.s_src = malloc(sizeof(float) * nh);
    c.s_dst = malloc(sizeof(float) * nh);
    c.att = malloc(sizeof(float) * eh);
    c.mask = malloc(eh);
    c.scratch = malloc(sizeof(float) * eh);
    c.out = malloc(sizeof(float) * nm);
    c.r = malloc(sizeof(float) * nm);
    fill(c.z, nm, 1);
    fill(c.s_src, nh, 3);   /* wide source scores, narrow target scores: the edges into a */
    fill(c.s_dst, nh, 0.5f); /* target fall on both sides of the LeakyReLU kink, so ds_dst != 0 */
    fill(c.r, nm, 1);
    obj_attention(&c);
    /* attention sums to 1 per node and head (before dropout); a node without incoming edges
     * aggregates nothing: exactly zero, not NaN */
    double worst = 0;
    int64_t empty = 0, empty_zero = 0;
    for (int64_t i = 0; i < c.n; i++) {
        if (c.g.row_ptr[i] == c.g.row_ptr[i + 1]) {
            empty++;
            int zero = 1;
            for (int64_t q = 0; q < c.h * c.f; q++) zero &= c.out[i * c.h * c.f + q] == 0.0f;
            empty_zero += zero;
            continue;
        }
        for (int64_t hh = 0; hh < c.h; hh++) {
            double s = 0;
            for (int64_t q = c.g.row_ptr[i]; q < c.g.row_ptr[i + 1]; q++) s += c.att[q * c.h + hh];
            worst = fmax(worst, fabs(s - 1));
        }
    }
    CHECK_MSG(worst < 1e-5, "attention rows sum to 1 (worst |sum-1| = %g)", worst);
    CHECK_MSG(empty == (no_loops ? 5 : 0) && empty_zero == empty, "nodes without incoming edges: %lld (%lld aggregate 0)",
              (long long)empty, (long long)empty_zero);
    float *dz = calloc(nm, sizeof(float)), *dss = calloc(nh, sizeof(float)), *dsd = calloc(nh, sizeof(float));
    gat_attention_backward(dz, dss, dsd, c.scratch, c.r, &c.g, c.att, c.mask, c.s_src, c.s_dst, c.z, c.h, c.f, 0.2f, c.p, NULL);
    char what[96];
    const char *gl = no_loops ? ",no self loops" : "";
    snprintf(what, sizeof what, "attention(H=%lld,F=%lld,p=%.1f%s) dz", (long long)heads, (long long)feats, (double)p, gl);
    fd_check(what, c.z, dz, nm, obj_attention, &c, 180);
    snprintf(what, sizeof what, "attention(H=%lld,F=%lld,p=%.1f%s) ds_src", (long long)heads, (long long)feats, (double)p,
             gl);
    fd_check(what, c.s_src, dss, nh, obj_attention, &c, 90);
    if (heads == 3 && feats == 2 && p > 0) fd_self_test(what, c.s_src, dss, nh, obj_attention, &c, 90);
    snprintf(what, sizeof what, "attention(H=%lld,F=%lld,p=%.1f%s) ds_dst", (long long)heads, (long long)feats, (double)p,
             gl);
    fd_check(what, c.s_dst, dsd, nh, obj_attention, &c, 90);
    /* backward adds into its outputs: a second call doubles them */
    obj_attention(&c); /* the finite differences left the last perturbed pass in att */
    float *dz2 = malloc(nm * sizeof(float));
    memcpy(dz2, dz, nm * sizeof(float));
    gat_attention_backward(dz2, dss, dsd, c.scratch, c.r, &c.g, c.att, c.mask, c.s_src, c.s_dst, c.z, c.h, c.f, 0.2f, c.p, NULL);
    int doubled = 1;
    for (size_t i = 0; i < nm; i++) doubled &= fabsf(dz2[i] - 2 * dz[i]) <= 1e-6f * (1 + fabsf(dz[i]));
    CHECK_MSG(doubled, "attention backward adds into dz");
    free(dz2);
    gat_graph_free(&c.g);
    free(c.z); free(c.s_src); free(c.s_dst); free(c.att); free(c.mask); free(c.scratch); free(c.out); free(c.r);
    free(dz); free(dss); free(dsd);
}

/* Scores hundreds apart: the softmax stays in [0, 1], sums to 1 and matches a double-
 * precision softmax; the fast exp's clamp keeps far-below-max terms at (almost) zero. */
static void test_extreme_scores(int64_t heads, int64_t feats) {
    const int64_t n = 7;
    int64_t src[6] = {1, 2, 3, 4, 5, 6}, dst[6] = {0, 0, 0, 0, 0, 0};
    gat_graph g;
    gat_error err = {0};
    CHECK(gat_graph_from_edges(&g, n, src, dst, 6, &err) == GAT_OK);
    const float sv[7] = {150.0f, -150.0f, 0.0f, 149.0f, -300.0f, 60.0f, -1e4f}; /* node 0: self loop first */
    const float dv[7] = {0.0f, 3.0f, -2.0f, 0.5f, 1e4f, -1e4f, 0.0f};
    size_t nh = n * heads, nm = nh * feats;
    float *ss = malloc(nh * sizeof(float)), *sd = malloc(nh * sizeof(float)), *z = malloc(nm * sizeof(float));
    float *att = malloc(g.nnz * heads * sizeof(float)), *out = malloc(nm * sizeof(float));
    for (int64_t i = 0; i < n; i++)
        for (int64_t hh = 0; hh < heads; hh++) {
            ss[i * heads + hh] = sv[i] * (hh % 2 ? -1.0f : 1.0f); /* odd heads: the self loop at the bottom */
            sd[i * heads + hh] = dv[i];
        }
    fill(z, nm, 1);
    gat_attention_forward(out, att, NULL, &g, ss, sd, z, heads, feats, 0.2f, 0.0f, 0, NULL);
    int in_range = 1;
    double worst = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t hh = 0; hh < heads; hh++) {
            double mx = -INFINITY, sum = 0, e[8];
            int64_t p0 = g.row_ptr[i], p1 = g.row_ptr[i + 1];
            for (int64_t q = p0; q < p1; q++) {
                double v = (double)ss[g.src[q] * heads + hh] + sd[i * heads + hh];
                e[q - p0] = v > 0 ? v : 0.2 * v;
                mx = fmax(mx, e[q - p0]);
            }
            for (int64_t q = p0; q < p1; q++) sum += exp(e[q - p0] - mx);
            for (int64_t q = p0; q < p1; q++) {
                double a = att[q * heads + hh], ref = exp(e[q - p0] - mx) / sum;
                in_range &= a >= 0.0 && a <= 1.0 && (ref > 1e-30 || a < 1e-30);
                worst = fmax(worst, fabs(a - ref));
            }
        }
    CHECK_MSG(in_range, "extreme scores (H=%lld, F=%lld): attention in [0, 1], negligible where it should be",
              (long long)heads, (long long)feats);
    CHECK_MSG(worst < 1e-6, "extreme scores (H=%lld, F=%lld): attention within 1e-6 of a double softmax (worst %.3g)",
              (long long)heads, (long long)feats, worst);
    /* ELU far below zero is -1, through the same exp */
    float x[4] = {-200.0f, -88.5f, -87.0f, -20.0f}, y[4];
    gat_elu_forward(y, x, 4);
    CHECK_MSG(fabsf(y[0] + 1) < 1e-6f && fabsf(y[1] + 1) < 1e-6f && fabsf(y[2] + 1) < 1e-6f && fabsf(y[3] + 1) < 1e-6f,
              "ELU of -200, -88.5, -87, -20 is -1 (%g %g %g %g)", y[0], y[1], y[2], y[3]);
    gat_graph_free(&g);
    free(ss); free(sd); free(z); free(att); free(out);
}

static double obj_small(void *v) {
    opctx *c = v;
    size_t n = (size_t)(c->n * c->m);
    switch (c->which) {
    case 0: gat_elu_forward(c->z, c->x, n); return dot_r(c->z, c->r, n);
    case 1: gat_head_mean_forward(c->z, c->x, c->n, c->h, c->f); return dot_r(c->z, c->r, (size_t)(c->n * c->f));
    case 2: memset(c->z, 0, n * sizeof(float)); gat_skip_identity_forward(c->z, c->x, c->n, c->h, c->f); return dot_r(c->z, c->r, n);
    case 3: memset(c->z, 0, n * sizeof(float)); gat_bias_forward(c->z, c->w, c->n, c->m); return dot_r(c->z, c->r, n);
    case 4: memcpy(c->z, c->x, n * sizeof(float)); gat_dropout_forward(c->z, c->mask, n, 0.5f, 7); return dot_r(c->z, c->r, n);
    }
    return 0;
}

static void test_small_ops(void) {
    opctx c = {.n = 20, .h = 3, .f = 4, .m = 12};
    size_t n = c.n * c.m;
    c.x = malloc(sizeof(float) * n);
    c.z = malloc(sizeof(float) * n);
    c.r = malloc(sizeof(float) * n);
    c.w = malloc(sizeof(float) * c.m);
    c.mask = malloc(n);
    fill(c.x, n, 2);
    fill(c.r, n, 1);
    fill(c.w, c.m, 1);
    float *g = malloc(sizeof(float) * n);
    const char *names[] = {"elu", "head_mean", "skip_identity", "bias", "dropout"};
    for (c.which = 0; c.which < 5; c.which++) {
        memset(g, 0, sizeof(float) * n);
        obj_small(&c);
        switch (c.which) {
        case 0: gat_elu_backward(g, c.r, c.z, n); break;
        case 1: gat_head_mean_backward(g, c.r, c.n, c.h, c.f); break;
        case 2: gat_skip_identity_backward(g, c.r, c.n, c.h, c.f); break;
        case 3: gat_bias_backward(g, c.r, c.n, c.m); break;
        case 4: memcpy(g, c.r, n * sizeof(float)); gat_dropout_backward(g, c.mask, n, 0.5f); break;
        }
        size_t count = c.which == 2 ? (size_t)(c.n * c.f) : c.which == 3 ? (size_t)c.m : n;
        fd_check(names[c.which], c.which == 3 ? c.w : c.x, g, count, obj_small, &c, 120);
    }
    /* dropout keeps about 1 - p of the elements, scaled by 1/(1-p) */
    size_t big = 100000, kept = 0;
    float *ones = malloc(sizeof(float) * big);
    uint8_t *mk = malloc(big);
    for (size_t i = 0; i < big; i++) ones[i] = 1.0f;
    gat_dropout_forward(ones, mk, big, 0.6f, 5);
    for (size_t i = 0; i < big; i++) kept += mk[i];
    CHECK_MSG(fabs((double)kept / big - 0.4) < 0.01, "dropout keeps %.4f of elements (expected 0.4)", (double)kept / big);
    CHECK_NEAR(ones[0] * mk[0] + (1 - mk[0]) * 2.5f, 2.5f, 1e-6);
    free(ones); free(mk);
    free(c.x); free(c.z); free(c.r); free(c.w); free(c.mask); free(g);
}

/* ---------------- losses ---------------- */

typedef struct { float *logits, *targets; int64_t *labels, *idx; int64_t n, c, n_idx; int bce; } lossctx;

static double obj_loss(void *v) {
    lossctx *l = v;
    return l->bce ? gat_sigmoid_bce(l->logits, l->c, l->targets, l->idx, l->n_idx, NULL, NULL, NULL, NULL)
                  : gat_softmax_xent(l->logits, l->c, l->labels, l->idx, l->n_idx, NULL, NULL);
}

static void test_losses(void) {
    lossctx l = {.n = 10, .c = 5, .n_idx = 6};
    l.logits = malloc(sizeof(float) * 50);
    l.targets = malloc(sizeof(float) * 50);
    l.labels = malloc(sizeof(int64_t) * 10);
    l.idx = malloc(sizeof(int64_t) * 6);
    fill(l.logits, 50, 3);
    for (int i = 0; i < 50; i++) l.targets[i] = (float)(i % 3 == 0);
    for (int i = 0; i < 10; i++) l.labels[i] = (i * 3) % 5;
    for (int i = 0; i < 6; i++) l.idx[i] = 9 - i;
    float *d = calloc(50, sizeof(float));
    for (l.bce = 0; l.bce < 2; l.bce++) {
        for (int i = 0; i < 50; i++) d[i] = 1234.5f;
        if (l.bce) gat_sigmoid_bce(l.logits, l.c, l.targets, l.idx, l.n_idx, d, NULL, NULL, NULL);
        else gat_softmax_xent(l.logits, l.c, l.labels, l.idx, l.n_idx, d, NULL);
        /* rows in idx: set to the gradient; the others: left untouched */
        int untouched = 1;
        for (int64_t r = 0; r < l.n; r++) {
            int in = 0;
            for (int t = 0; t < l.n_idx; t++) in |= l.idx[t] == r;
            if (!in) {
                for (int64_t k = 0; k < l.c; k++) untouched &= d[r * l.c + k] == 1234.5f;
                continue;
            }
            char what[64];
            snprintf(what, sizeof what, "%s row %lld", l.bce ? "sigmoid_bce" : "softmax_xent", (long long)r);
            fd_check(what, l.logits + r * l.c, d + r * l.c, (size_t)l.c, obj_loss, &l, 50);
        }
        CHECK_MSG(untouched, "%s leaves dlogits outside idx untouched", l.bce ? "sigmoid_bce" : "softmax_xent");
    }
    /* hand-computed: two classes, logits (0, 0) label 0 -> log 2, argmax tie -> class 0 */
    float lg[2] = {0, 0};
    int64_t lab[1] = {0}, id[1] = {0}, correct = -1;
    CHECK_NEAR(gat_softmax_xent(lg, 2, lab, id, 1, NULL, &correct), log(2.0), 1e-12);
    CHECK_EQ_INT(correct, 1);
    free(l.logits); free(l.targets); free(l.labels); free(l.idx); free(d);
}

/* ---------------- whole model ---------------- */

typedef struct {
    gat_model m;
    gat_acts a;
    gat_input in;
    gat_graph g;
    gat_dataset ds;
    float *r;                          /* (N, classes) weights of the objective */
    uint64_t key;
} modelctx;

/* The attention of the models test_model builds (gat, or gatv2 with or without shared weights). */
static int model_type = GAT_ATTENTION_GAT, model_share = 0;

static double obj_model(void *v) {
    modelctx *c = v;
    const float *logits = gat_model_forward(&c->m, &c->a, &c->in, &c->g, 1, c->key);
    return dot_r(logits, c->r, (size_t)(c->in.n * gat_config_out_width(&c->m.cfg, c->m.cfg.n_layers - 1)));
}

/* A model on 25 nodes: layer 0 has h0 heads of f0 features (8 x 8 and f0 = 8 take the
 * specialised kernels), the last layer 2 heads of 3 classes (with 3 layers the middle one
 * is 3 x 6, an identity skip when skip is on); f_last = 8 gives 8 classes instead. */
static int no_proj; /* test_model: cfg.no_projection_dropout (PyG GATConv's dropout sites) */
/* Layer options test_model applies on top of its arguments (reset after each use). */
static struct {
    float feature_dropout, attention_dropout; /* < 0: as dropout */
    int concat[3];                            /* GAT_HEADS_*: 0 = the default */
} opt = {-1.0f, -1.0f, {0, 0, 0}};

static void test_model(int sparse, int skip, int layers, float dropout, int64_t h0, int64_t f0, int64_t f_last, int impl) {
    modelctx c;
    memset(&c, 0, sizeof c);
    gat_error err = {0};
    srand((unsigned)(1 + sparse + 2 * skip + 4 * layers + 16 * h0 + 256 * f0 + 4096 * f_last)); /* data independent of other tests */
    const int64_t n = 25, k = 6, classes = f_last;
    int64_t src[160], dst[160], e = 0;
    for (int64_t i = 0; i < n; i++) {
        if (no_in_edges(i)) continue; /* no_loops: an empty softmax, the layer's output there is its bias */
        for (int t = 0; t < 5; t++) { src[e] = (i * 5 + t * 7 + 1) % n; dst[e++] = i; }
        if (no_loops && i % 4 == 0) { src[e] = i; dst[e++] = i; } /* an own self loop, kept */
    }
    CHECK(gat_graph_build(&c.g, n, src, dst, e, no_loops ? GAT_GRAPH_NO_SELF_LOOPS : 0, &err) == GAT_OK);
    c.ds.n_nodes = n;
    c.ds.n_features = k;
    c.ds.labels = malloc(sizeof(int64_t) * n);
    for (int64_t i = 0; i < n; i++) c.ds.labels[i] = (i * 2) % classes;
    if (sparse) {
        gat_csr *x = &c.ds.features;
        x->n_rows = n;
        x->n_cols = k;
        x->row_ptr = calloc(n + 1, sizeof(int64_t));
        x->col_idx = malloc(sizeof(int32_t) * n * k);
        x->val = malloc(sizeof(float) * n * k);
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < k; j++)
                if ((i + j) % 3 != 0) { x->col_idx[x->nnz] = (int32_t)j; x->val[x->nnz++] = frand(); }
            x->row_ptr[i + 1] = x->nnz;
        }
    } else {
        c.ds.dense_features = malloc(sizeof(float) * n * k);
        fill(c.ds.dense_features, n * k, 1);
    }
    CHECK(gat_input_init(&c.in, &c.ds, &err) == GAT_OK);
    gat_config cfg = gat_config_default(k, classes);
    cfg.n_layers = layers;
    cfg.heads[0] = h0; cfg.features[0] = f0;
    cfg.heads[1] = layers == 2 ? 2 : 3; cfg.features[1] = layers == 2 ? classes : 6;
    cfg.heads[2] = 2; cfg.features[2] = classes;
    cfg.skip = skip;
    cfg.dropout = dropout;
    cfg.no_projection_dropout = no_proj;
    cfg.feature_dropout = opt.feature_dropout;
    cfg.attention_dropout = opt.attention_dropout;
    for (int l = 0; l < 3; l++) cfg.concat_heads[l] = opt.concat[l];
    cfg.attention_impl = impl;
    cfg.attention_type = model_type;
    cfg.share_weights = model_share;
    cfg.no_self_loops = no_loops;
    cfg.slope = 0.1f; /* not the default: the slope must reach every kernel (and a_dst grows with 1 - slope) */
    CHECK(gat_model_init(&c.m, &cfg, 3, &err) == GAT_OK);
    /* random biases so their gradient paths matter; scoring vectors large enough that the
     * edges into a target fall on both sides of the LeakyReLU kink (else the softmax cancels
     * s_dst and the a_dst gradient is exactly zero) */
    for (int i = 0; i < c.m.n_tensors; i++) {
        const gat_tensor *t = &c.m.tensors[i];
        if (strstr(t->name, "bias")) fill(c.m.params + t->offset, t->size, 0.3f);
        if (strstr(t->name, "scoring_fn_source")) fill(c.m.params + t->offset, t->size, 3.0f);
        if (strstr(t->name, "scoring_fn_target")) fill(c.m.params + t->offset, t->size, 1.0f);
        if (!strcmp(strrchr(t->name, '.'), ".scoring_fn")) fill(c.m.params + t->offset, t->size, 3.0f); /* gatv2 */
    }
    CHECK(gat_acts_init(&c.a, &c.m, &c.in, &c.g, &err) == GAT_OK);
    c.key = 77;
    const int64_t outs = gat_config_out_width(&cfg, layers - 1); /* classes, or heads x classes when concatenated */
    c.r = malloc(sizeof(float) * n * outs);
    fill(c.r, n * outs, 1);
    gat_model_forward(&c.m, &c.a, &c.in, &c.g, 1, c.key);
    if (dropout > 0 && !sparse) {
        /* the projections of layer 0 are its dropped input times W, dropped again unless
         * no_projection_dropout: exactly x' W without, about a share p of zeros with */
        const gat_layer_acts *L0 = &c.a.l[0];
        const int64_t m0 = h0 * f0;
        int64_t same = 0, zeros = 0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < m0; j++) {
                double zr = 0;
                for (int64_t q = 0; q < k; q++) zr += (double)L0->xin[i * k + q] * (double)c.m.p[0].w[q * m0 + j];
                same += fabs(zr - (double)L0->z[i * m0 + j]) <= 1e-4 * (1 + fabs(zr));
                zeros += L0->z[i * m0 + j] == 0.0f && zr != 0.0;
            }
        if (no_proj) CHECK_MSG(same == n * m0, "no projection dropout: z = x' W at %lld of %lld", (long long)same, (long long)(n * m0));
        else CHECK_MSG(zeros > n * m0 * dropout / 2, "projection dropout: %lld of %lld zeroed (p = %.1f)", (long long)zeros,
                       (long long)(n * m0), (double)dropout);
    }
    memset(c.m.grads, 0, c.m.n_params * sizeof(float));
    gat_model_backward(&c.m, &c.a, &c.in, &c.g, c.r);
    for (int i = 0; i < c.m.n_tensors; i++) {
        const gat_tensor *t = &c.m.tensors[i];
        char what[240];
        char concat[32];
        gat_config_concat_format(&cfg, concat, sizeof concat);
        snprintf(what, sizeof what, "model(%s%s%s,%s,%s,skip=%d,L=%d,p=%.1f,pf=%.2f,pa=%.2f%s,%lldx%lld,C=%lld,concat=%s) %s",
                 gat_attention_type_name(model_type), model_share ? "+shared" : "", no_loops ? ",no self loops" : "",
                 gat_attention_impl_name(impl),
                 sparse ? "sparse" : "dense", skip, layers, (double)dropout, (double)gat_config_feature_dropout(&cfg),
                 (double)gat_config_attention_dropout(&cfg), no_proj ? ",not on z" : "", (long long)h0, (long long)f0,
                 (long long)classes, concat, t->name);
        if (!t->trainable) {
            int zero = 1;
            for (size_t e2 = 0; e2 < t->size; e2++) zero &= c.m.grads[t->offset + e2] == 0.0f;
            CHECK_MSG(zero, "%s: unused identity-skip weight has zero gradient", what);
            continue;
        }
        fd_check(what, c.m.params + t->offset, c.m.grads + t->offset, t->size, obj_model, &c, 24);
        if (impl == GAT_ATTENTION_FUSED && !no_proj && layers == 2 && sparse && dropout > 0 && h0 == 8 &&
            opt.feature_dropout < 0 && strstr(t->name, "scoring_fn"))
            fd_self_test(what, c.m.params + t->offset, c.m.grads + t->offset, t->size, obj_model, &c, 24);
    }
    free(c.r);
    gat_acts_free(&c.a);
    gat_input_free(&c.in);
    gat_model_free(&c.m);
    gat_graph_free(&c.g);
    free(c.ds.labels); free(c.ds.dense_features);
    free(c.ds.features.row_ptr); free(c.ds.features.col_idx); free(c.ds.features.val);
}

/* The PPI architecture scaled down: 3 layers of 4, 4, 6 heads (hidden heads concatenated,
 * the output's averaged), projected skip connections in every layer, bias, on a batch of two
 * graphs with an all-zero node. The objective is sum r * logits with random r (so rounding
 * noise is tracked term by term); the multi-label BCE on top is checked by test_losses and
 * by the golden multi-label fixture. */
typedef struct {
    modelctx c;
} ppictx;

static double obj_ppi(void *v) {
    ppictx *p = v;
    const float *logits = gat_model_forward(&p->c.m, &p->c.a, &p->c.in, &p->c.g, 1, p->c.key);
    return dot_r(logits, p->c.r, (size_t)(p->c.in.n * 4));
}

static void test_model_ppi(void) {
    ppictx p;
    memset(&p, 0, sizeof p);
    modelctx *c = &p.c;
    gat_error err = {0};
    const int64_t n = 30, k = 7, labels = 4;
    int64_t src[120], dst[120], e = 0;
    for (int64_t i = 0; i < n; i++) /* two graphs: nodes 0..15 and 16..29 */
        for (int t = 0; t < 4; t++) {
            int64_t base = i < 16 ? 0 : 16, size = i < 16 ? 16 : 14;
            src[e] = base + ((i - base) * 5 + t * 3 + 1) % size;
            dst[e++] = i;
        }
    CHECK(gat_graph_from_edges(&c->g, n, src, dst, e, &err) == GAT_OK);
    c->ds.n_nodes = n;
    c->ds.n_features = k;
    c->ds.dense_features = malloc(sizeof(float) * n * k);
    fill(c->ds.dense_features, n * k, 1);
    for (int64_t j = 0; j < k; j++) c->ds.dense_features[3 * k + j] = 0.0f; /* an all-zero node, as PPI has */
    c->r = malloc(sizeof(float) * n * labels);
    fill(c->r, (size_t)(n * labels), 1);
    CHECK(gat_input_init(&c->in, &c->ds, &err) == GAT_OK);
    gat_config cfg = gat_config_default(k, labels);
    cfg.n_layers = 3;
    cfg.heads[0] = 4, cfg.features[0] = 5;
    cfg.heads[1] = 4, cfg.features[1] = 5;
    cfg.heads[2] = 6, cfg.features[2] = labels;
    cfg.skip = 1;
    cfg.dropout = 0.0f;
    CHECK(gat_model_init(&c->m, &cfg, 5, &err) == GAT_OK);
    for (int l = 0; l < 3; l++) CHECK_MSG(!gat_config_skip_identity(&cfg, l), "layer %d has a projected skip", l);
    for (int i = 0; i < c->m.n_tensors; i++)
        if (strstr(c->m.tensors[i].name, "bias")) fill(c->m.params + c->m.tensors[i].offset, c->m.tensors[i].size, 0.3f);
    CHECK(gat_acts_init(&c->a, &c->m, &c->in, &c->g, &err) == GAT_OK);
    const float *logits = gat_model_forward(&c->m, &c->a, &c->in, &c->g, 1, 0);
    (void)logits;
    memset(c->m.grads, 0, c->m.n_params * sizeof(float));
    gat_model_backward(&c->m, &c->a, &c->in, &c->g, c->r);
    int n_skip = 0;
    for (int i = 0; i < c->m.n_tensors; i++) {
        const gat_tensor *t = &c->m.tensors[i];
        char what[128];
        snprintf(what, sizeof what, "PPI architecture (3 layers, 4,4,6 heads, projected skips) %s", t->name);
        n_skip += strstr(t->name, "skip_proj") != NULL;
        fd_check(what, c->m.params + t->offset, c->m.grads + t->offset, t->size, obj_ppi, &p, 40);
    }
    CHECK_EQ_INT(n_skip, 3);
    free(c->r);
    gat_acts_free(&c->a);
    gat_input_free(&c->in);
    gat_model_free(&c->m);
    gat_graph_free(&c->g);
    free(c->ds.dense_features);
}

int main(void) {
    gat_set_threads(0);
    srand(1);
    test_matmul();
    test_spmm();
    test_scores();
    for (int p = 0; p < 2; p++) {
        test_attention(8, 8, p ? 0.4f : 0.0f);
        test_attention(3, 8, p ? 0.4f : 0.0f);
        test_attention(3, 2, p ? 0.4f : 0.0f);
    }
    test_extreme_scores(8, 8);
    test_extreme_scores(2, 8);
    test_extreme_scores(3, 2);
    test_small_ops();
    test_losses();
    fd_eps = 2e-3;
    /* every attention implementation: fused (layer.c), edges and dense (layer_steps.h) */
    for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) {
        test_model(1, 0, 2, 0.0f, 2, 3, 3, impl);
        test_model(1, 0, 2, 0.5f, 2, 3, 3, impl);
        test_model(0, 1, 2, 0.3f, 2, 3, 3, impl);
        test_model(0, 1, 3, 0.0f, 2, 3, 3, impl); /* layer 1: input width 2*3 = 6 = F -> identity skip */
        test_model(1, 1, 3, 0.3f, 2, 3, 3, impl);
        /* the specialised kernels: 8 heads x 8 features, and F = 8 with other head counts */
        test_model(1, 0, 2, 0.5f, 8, 8, 3, impl);
        test_model(0, 1, 2, 0.3f, 8, 8, 8, impl); /* last layer 2 x 8: the F = 8 path */
        test_model(1, 0, 2, 0.0f, 3, 8, 8, impl);
        test_model(0, 1, 3, 0.4f, 4, 8, 8, impl);
        /* --feature_dropout / --attention_dropout apart: attention only (PyG GATConv's dropout),
         * features only, and both with other values than --dropout */
        opt.feature_dropout = 0.0f, opt.attention_dropout = 0.5f;
        test_model(1, 0, 2, 0.3f, 8, 8, 3, impl);
        opt.feature_dropout = 0.4f, opt.attention_dropout = 0.0f;
        test_model(0, 1, 3, 0.0f, 2, 3, 3, impl);
        opt.feature_dropout = 0.2f, opt.attention_dropout = 0.6f;
        test_model(1, 1, 2, 0.5f, 3, 8, 8, impl);
        opt.feature_dropout = opt.attention_dropout = -1.0f;
        /* PyG GATConv's dropout sites: inputs and attention, not the projections */
        no_proj = 1;
        test_model(1, 0, 2, 0.5f, 8, 8, 3, impl);
        test_model(0, 1, 2, 0.5f, 2, 3, 3, impl);
        no_proj = 0;
    }
    /* GATv2 (its fused and edges forms; dense is refused): W, W_dst, a, bias, skip, through
     * hidden layers' inputs (3 layers), sparse and dense input, dropout on every site */
    model_type = GAT_ATTENTION_GATV2;
    for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_EDGES; impl++) {
        test_model(1, 0, 2, 0.0f, 2, 3, 3, impl);
        test_model(1, 0, 2, 0.5f, 2, 3, 3, impl);
        test_model(0, 1, 2, 0.3f, 2, 3, 3, impl);
        test_model(0, 1, 3, 0.0f, 2, 3, 3, impl);
        test_model(1, 1, 3, 0.3f, 2, 3, 3, impl);
        test_model(0, 0, 2, 0.3f, 8, 8, 8, impl);
        no_proj = 1; /* neither z nor the target term t dropped (PyG GATv2Conv) */
        test_model(0, 1, 2, 0.5f, 2, 3, 3, impl);
        no_proj = 0;
    }
    model_share = 1;
    test_model(1, 0, 2, 0.3f, 2, 3, 3, GAT_ATTENTION_FUSED);
    test_model(0, 1, 3, 0.3f, 2, 3, 3, GAT_ATTENTION_EDGES);
    model_type = GAT_ATTENTION_GAT;
    model_share = 0;
    test_model_ppi();
    for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) {
        /* --concat_heads: a hidden layer that averages (the next layer reads F, not H*F) and a
         * last layer that concatenates; with 3 layers an averaging hidden layer whose F equals
         * its input width 6 (identity skip) */
        opt.concat[0] = GAT_HEADS_MEAN, opt.concat[1] = GAT_HEADS_CONCAT;
        test_model(1, 0, 2, 0.3f, 3, 4, 3, impl);
        test_model(0, 1, 2, 0.3f, 2, 3, 3, impl);
        test_model(0, 1, 2, 0.5f, 8, 8, 8, impl);
        opt.concat[0] = GAT_HEADS_CONCAT, opt.concat[1] = GAT_HEADS_MEAN, opt.concat[2] = GAT_HEADS_CONCAT;
        test_model(0, 1, 3, 0.3f, 2, 3, 3, impl);
        test_model(1, 0, 3, 0.4f, 3, 8, 8, impl);
        test_model(1, 1, 3, 0.3f, 2, 3, 3, impl);
        opt.concat[0] = opt.concat[1] = opt.concat[2] = GAT_HEADS_DEFAULT;
    }
    /* --add_self_loops false: the edges as given (own self loops kept, none added), five nodes
     * without incoming edges (an empty softmax: zero aggregation, no NaN in either pass); every
     * implementation, both attention types, the specialised 8 x 8 and F = 8 kernels, dropout */
    no_loops = 1;
    fd_eps = 1e-2;
    srand(2); /* data of their own (with the stream left by the tests above, one score of the 3 x 8 case
               * falls within a step of the LeakyReLU kink, where central differences are wrong) */
    for (int p = 0; p < 2; p++) {
        test_attention(8, 8, p ? 0.4f : 0.0f);
        test_attention(3, 8, p ? 0.4f : 0.0f);
        test_attention(3, 2, p ? 0.4f : 0.0f);
    }
    fd_eps = 2e-3;
    for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_DENSE; impl++) {
        test_model(1, 0, 2, 0.0f, 2, 3, 3, impl);
        test_model(0, 1, 3, 0.4f, 2, 3, 3, impl); /* layer 1 an identity skip (p = 0.3 puts a score on the kink) */
        test_model(1, 0, 2, 0.5f, 8, 8, 3, impl);
        test_model(0, 1, 2, 0.3f, 3, 8, 8, impl);
    }
    model_type = GAT_ATTENTION_GATV2;
    for (int impl = GAT_ATTENTION_FUSED; impl <= GAT_ATTENTION_EDGES; impl++) {
        test_model(1, 0, 2, 0.0f, 2, 3, 3, impl);
        test_model(0, 1, 3, 0.3f, 2, 3, 3, impl);
        test_model(0, 0, 2, 0.3f, 8, 8, 8, impl);
    }
    model_type = GAT_ATTENTION_GAT;
    no_loops = 0;
    return check_summary();
}
