/* test_gradcheck.c - central finite differences against every backward function, and
 * against the whole model's backward pass (with dropout on: the masks depend only on the
 * key, so the loss is a deterministic function of the parameters).
 *
 * The objective of an op is L = sum_i r_i out_i for fixed random r, accumulated in double.
 * Kernels are float32, so the step is 1e-2 and the tolerance 1e-3 + 2e-2 |ref|; points where
 * a perturbation crosses the LeakyReLU kink are skipped (detected by comparing the one-sided
 * differences). */
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

/* Central difference of f at x[i] with step eps. */
static double central(float *x, size_t i, double eps, objective_fn f, void *ctx) {
    float x0 = x[i];
    x[i] = x0 + (float)eps;
    double lp = f(ctx);
    x[i] = x0 - (float)eps;
    double lm = f(ctx);
    x[i] = x0;
    return (lp - lm) / (2 * eps);
}

/* Compare grad[i] with the central difference for up to max_points entries of x. A point
 * that disagrees is retried with a 4x and a 16x smaller step: a LeakyReLU kink inside the
 * step disappears as the step shrinks, a wrong gradient does not. */
static void fd_check(const char *what, float *x, const float *grad, size_t n, objective_fn f, void *ctx, size_t max_points) {
    size_t step = n > max_points ? n / max_points : 1, checked = 0, bad = 0, retried = 0;
    for (size_t i = 0; i < n; i += step) {
        double ana = grad[i], num = 0;
        int ok = 0;
        for (int t = 0; t < 3 && !ok; t++) {
            num = central(x, i, fd_eps / (1 << (2 * t)), f, ctx);
            ok = fabs(num - ana) <= 1e-3 + 2e-2 * fabs(num);
            retried += t > 0;
        }
        if (!ok) {
            bad++;
            if (bad <= 3) fprintf(stderr, "  %s[%zu]: analytic %.6g numeric %.6g\n", what, i, ana, num);
        }
        checked++;
    }
    CHECK_MSG(bad == 0 && checked > 0, "%s: %zu of %zu points differ (%zu retries)", what, bad, checked, retried);
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

static double dot_r(const float *y, const float *r, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)y[i] * r[i];
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

static void test_attention(float p) {
    opctx c = {.n = 30, .h = 3, .f = 2, .p = p};
    int64_t src[90], dst[90], e = 0;
    for (int64_t i = 0; i < c.n; i++)
        for (int t = 0; t < 3; t++) {
            src[e] = (i * 7 + t * 11 + 3) % c.n;
            dst[e++] = i; /* some of these are self loops or duplicates: both are handled */
        }
    gat_error err = {0};
    CHECK(gat_graph_from_edges(&c.g, c.n, src, dst, e, &err) == GAT_OK);
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
    fill(c.s_src, nh, 2);
    fill(c.s_dst, nh, 2);
    fill(c.r, nm, 1);
    obj_attention(&c);
    /* attention sums to 1 per node and head (before dropout) */
    double worst = 0;
    for (int64_t i = 0; i < c.n; i++)
        for (int64_t hh = 0; hh < c.h; hh++) {
            double s = 0;
            for (int64_t q = c.g.row_ptr[i]; q < c.g.row_ptr[i + 1]; q++) s += c.att[q * c.h + hh];
            worst = fmax(worst, fabs(s - 1));
        }
    CHECK_MSG(worst < 1e-5, "attention rows sum to 1 (worst |sum-1| = %g)", worst);
    float *dz = calloc(nm, sizeof(float)), *dss = calloc(nh, sizeof(float)), *dsd = calloc(nh, sizeof(float));
    gat_attention_backward(dz, dss, dsd, c.scratch, c.r, &c.g, c.att, c.mask, c.s_src, c.s_dst, c.z, c.h, c.f, 0.2f, c.p, NULL);
    fd_check(p > 0 ? "attention(dropout) dz" : "attention dz", c.z, dz, nm, obj_attention, &c, 180);
    fd_check(p > 0 ? "attention(dropout) ds_src" : "attention ds_src", c.s_src, dss, nh, obj_attention, &c, 90);
    fd_check(p > 0 ? "attention(dropout) ds_dst" : "attention ds_dst", c.s_dst, dsd, nh, obj_attention, &c, 90);
    gat_graph_free(&c.g);
    free(c.z); free(c.s_src); free(c.s_dst); free(c.att); free(c.mask); free(c.scratch); free(c.out); free(c.r);
    free(dz); free(dss); free(dsd);
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
        memset(d, 0, sizeof(float) * 50);
        if (l.bce) gat_sigmoid_bce(l.logits, l.c, l.targets, l.idx, l.n_idx, d, NULL, NULL, NULL);
        else gat_softmax_xent(l.logits, l.c, l.labels, l.idx, l.n_idx, d, NULL);
        fd_check(l.bce ? "sigmoid_bce" : "softmax_xent", l.logits, d, 50, obj_loss, &l, 50);
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
    int64_t idx[12];
    uint64_t key;
} modelctx;

static double obj_model(void *v) {
    modelctx *c = v;
    const float *logits = gat_model_forward(&c->m, &c->a, &c->in, &c->g, 1, c->key);
    return gat_softmax_xent(logits, c->m.cfg.features[c->m.cfg.n_layers - 1], c->ds.labels, c->idx, 12, NULL, NULL);
}

static void test_model(int sparse, int skip, int layers, float dropout) {
    modelctx c;
    memset(&c, 0, sizeof c);
    gat_error err = {0};
    const int64_t n = 25, k = 6, classes = 3;
    int64_t src[75], dst[75], e = 0;
    for (int64_t i = 0; i < n; i++)
        for (int t = 0; t < 3; t++) { src[e] = (i * 5 + t * 7 + 1) % n; dst[e++] = i; }
    CHECK(gat_graph_from_edges(&c.g, n, src, dst, e, &err) == GAT_OK);
    c.ds.n_nodes = n;
    c.ds.n_features = k;
    c.ds.labels = malloc(sizeof(int64_t) * n);
    for (int64_t i = 0; i < n; i++) c.ds.labels[i] = (i * 2) % classes;
    for (int i = 0; i < 12; i++) c.idx[i] = 2 * i;
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
    cfg.heads[0] = 2; cfg.features[0] = 3;
    cfg.heads[1] = layers == 2 ? 2 : 3; cfg.features[1] = layers == 2 ? classes : 6;
    cfg.heads[2] = 2; cfg.features[2] = classes;
    cfg.skip = skip;
    cfg.dropout = dropout;
    CHECK(gat_model_init(&c.m, &cfg, 3, &err) == GAT_OK);
    /* random biases so their gradient paths matter */
    for (int i = 0; i < c.m.n_tensors; i++)
        if (strstr(c.m.tensors[i].name, "bias")) fill(c.m.params + c.m.tensors[i].offset, c.m.tensors[i].size, 0.3f);
    CHECK(gat_acts_init(&c.a, &c.m, &c.in, &c.g, &err) == GAT_OK);
    c.key = 77;
    const float *logits = gat_model_forward(&c.m, &c.a, &c.in, &c.g, 1, c.key);
    float *dl = calloc(n * classes, sizeof(float));
    gat_softmax_xent(logits, classes, c.ds.labels, c.idx, 12, dl, NULL);
    memset(c.m.grads, 0, c.m.n_params * sizeof(float));
    gat_model_backward(&c.m, &c.a, &c.in, &c.g, dl);
    for (int i = 0; i < c.m.n_tensors; i++) {
        const gat_tensor *t = &c.m.tensors[i];
        char what[128];
        snprintf(what, sizeof what, "model(%s,skip=%d,L=%d,p=%.1f) %s", sparse ? "sparse" : "dense", skip, layers,
                 (double)dropout, t->name);
        if (!t->trainable) {
            int zero = 1;
            for (size_t e2 = 0; e2 < t->size; e2++) zero &= c.m.grads[t->offset + e2] == 0.0f;
            CHECK_MSG(zero, "%s: unused identity-skip weight has zero gradient", what);
            continue;
        }
        fd_check(what, c.m.params + t->offset, c.m.grads + t->offset, t->size, obj_model, &c, 40);
    }
    free(dl);
    gat_acts_free(&c.a);
    gat_input_free(&c.in);
    gat_model_free(&c.m);
    gat_graph_free(&c.g);
    free(c.ds.labels); free(c.ds.dense_features);
    free(c.ds.features.row_ptr); free(c.ds.features.col_idx); free(c.ds.features.val);
}

/* The PPI architecture scaled down: 3 layers of 4, 4, 6 heads (hidden heads concatenated,
 * the output's averaged), projected skip connections in every layer, bias, multi-label BCE
 * over every (node, label) pair of a batch of two graphs. */
typedef struct {
    modelctx c;
    float *targets;
    int64_t all[30];
} ppictx;

static double obj_ppi(void *v) {
    ppictx *p = v;
    const float *logits = gat_model_forward(&p->c.m, &p->c.a, &p->c.in, &p->c.g, 1, p->c.key);
    /* the sum over the 120 terms, so that gradients are well above the check's absolute floor */
    return 120.0 * gat_sigmoid_bce(logits, 4, p->targets, p->all, 30, NULL, NULL, NULL, NULL);
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
    p.targets = malloc(sizeof(float) * n * labels);
    for (int64_t i = 0; i < n * labels; i++) p.targets[i] = (float)((i * 7 + i / 5) % 3 == 0);
    for (int64_t i = 0; i < n; i++) p.all[i] = i;
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
    float *dl = calloc(n * labels, sizeof(float));
    gat_sigmoid_bce(logits, labels, p.targets, p.all, n, dl, NULL, NULL, NULL);
    for (int64_t i = 0; i < n * labels; i++) dl[i] *= (float)(n * labels);
    memset(c->m.grads, 0, c->m.n_params * sizeof(float));
    gat_model_backward(&c->m, &c->a, &c->in, &c->g, dl);
    int n_skip = 0;
    for (int i = 0; i < c->m.n_tensors; i++) {
        const gat_tensor *t = &c->m.tensors[i];
        char what[128];
        snprintf(what, sizeof what, "PPI architecture (3 layers, 4,4,6 heads, BCE) %s", t->name);
        n_skip += strstr(t->name, "skip_proj") != NULL;
        fd_check(what, c->m.params + t->offset, c->m.grads + t->offset, t->size, obj_ppi, &p, 40);
    }
    CHECK_EQ_INT(n_skip, 3);
    free(dl);
    free(p.targets);
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
    test_attention(0.0f);
    test_attention(0.4f);
    test_small_ops();
    test_losses();
    fd_eps = 2e-3;
    test_model(1, 0, 2, 0.0f);
    test_model(1, 0, 2, 0.5f);
    test_model(0, 1, 2, 0.3f);
    test_model(0, 1, 3, 0.0f);   /* layer 2 of 3: in width 3*6=18 = F? no; layer 1: in 6 = F 6 -> identity */
    test_model(1, 1, 3, 0.3f);
    test_model_ppi();
    return check_summary();
}
