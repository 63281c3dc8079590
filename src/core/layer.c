/* layer.c - fused forward and backward passes of one GAT layer (see layer.h). */
#include "layer.h"

#include <string.h>

#include "kernels.h"
#include "pool.h"

int64_t gat_reduce_block(int64_t n) {
    int64_t b = 64;
    while ((n + b - 1) / b > 1024) b *= 2;
    return b;
}

/* Everything one layer pass reads and writes. */
typedef struct layer_ctx {
    int64_t h, f;                      /* first: gat_shape_args */
    int64_t n, k, m, ow;
    int last, mean, skip_identity, skip_proj, drop; /* last: no ELU; mean: heads averaged */
    int zdrop;                         /* dropout on the projections too (drop and not no_projection_dropout) */
    float p, scale;
    uint32_t thr;
    gat_layer_keys keys;
    /* input */
    const gat_csr *x;                  /* sparse input (first layer) or NULL */
    const float *prev;                 /* dense input (N, K) */
    float *xbuf;                       /* (N, K) dense input after dropout */
    const float *xin;                  /* what the projection reads: xbuf or prev */
    float *xval;                       /* (nnz(X)) sparse values after dropout */
    uint8_t *x_mask;
    /* parameters and gradients */
    const float *w, *w_skip, *a_src, *a_dst, *bias;
    float *gw, *gw_skip, *ga_src, *ga_dst, *gbias;
    /* activations */
    float *z, *s_src, *s_dst, *out, *y, *tmp;
    uint8_t *z_mask;
    const int64_t *node_ids;           /* global id of each row (dropout keys), NULL = identity */
    const int64_t *rows;               /* rows to project (ids) or NULL for all */
    int64_t n_rows;                    /* their number */
    const int64_t *targets;            /* targets (ids) or NULL for all */
    const uint8_t *src_member;         /* backward: the sources of the targets' edges, or NULL for all */
    const uint8_t *dx_rows;            /* backward: the rows of dx the layer below reads, or NULL for all */
    gat_att_fwd A;
    gat_att_bwd B;
    /* backward */
    float *dy, *dx, *dout, *dz, *ds_dst, *partial;
    int64_t rblk;
} layer_ctx;

static void ctx_init(layer_ctx *c, const gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                     float p, float pa) {
    const gat_config *cfg = &mdl->cfg;
    gat_layer_acts *L = &a->l[l];
    memset(c, 0, sizeof *c);
    c->h = cfg->heads[l];
    c->f = cfg->features[l];
    c->n = in->n;
    c->k = gat_config_in_width(cfg, l);
    c->m = c->h * c->f;
    c->ow = gat_config_out_width(cfg, l);
    c->last = l == cfg->n_layers - 1;
    c->mean = !gat_config_concat(cfg, l);
    c->skip_identity = gat_config_skip_identity(cfg, l);
    c->skip_proj = cfg->skip && !c->skip_identity;
    c->drop = p > 0.0f;
    c->p = c->drop ? p : 0.0f;
    c->scale = c->drop ? 1.0f / (1.0f - p) : 1.0f;
    c->thr = c->drop ? gat_keep_threshold(p) : 0;
    c->zdrop = c->drop && !cfg->no_projection_dropout;
    c->x = l == 0 ? in->sparse : NULL;
    c->node_ids = in->node_ids;
    c->xbuf = L->x;
    c->xval = L->xval;
    c->x_mask = L->x_mask;
    c->w = mdl->p[l].w;
    c->w_skip = mdl->p[l].w_skip;
    c->a_src = mdl->p[l].a_src;
    c->a_dst = mdl->p[l].a_dst;
    c->bias = mdl->p[l].bias;
    c->gw = mdl->g[l].w;
    c->gw_skip = mdl->g[l].w_skip;
    c->ga_src = mdl->g[l].a_src;
    c->ga_dst = mdl->g[l].a_dst;
    c->gbias = mdl->g[l].bias;
    c->z = L->z;
    c->z_mask = L->z_mask;
    c->s_src = L->s_src;
    c->s_dst = L->s_dst;
    c->out = L->out;
    c->y = L->y;
    c->tmp = a->tmp;
    c->rblk = gat_reduce_block(c->n);
    c->partial = a->partial;
    /* attention dropout: its own probability (model.h) */
    const int adrop = pa > 0.0f;
    const float ap = adrop ? pa : 0.0f, ascale = adrop ? 1.0f / (1.0f - pa) : 1.0f;
    c->A = (gat_att_fwd){.row_ptr = g->row_ptr, .src = g->src, .s_src = L->s_src, .s_dst = L->s_dst, .z = L->z,
                         .att = L->att, .att_mask = L->att_mask, .slope = cfg->slope, .p = ap, .scale = ascale,
                         .thr = adrop ? gat_keep_threshold(pa) : 0};
    c->B = (gat_att_bwd){.row_ptr = g->row_ptr, .src = g->src, .dst = g->dst, .out_ptr = g->out_ptr,
                         .out_pos = g->out_pos, .att = L->att, .att_mask = L->att_mask, .s_src = L->s_src,
                         .s_dst = L->s_dst, .z = L->z, .scratch = a->scratch, .slope = cfg->slope, .p = ap,
                         .scale = ascale};
}

/* ---- forward ---- */

/* Dropout streams index a layer's inputs and projections by (global node, column) (model.h). */
static inline size_t node_of(const layer_ctx *c, int64_t r) {
    return (size_t)(c->node_ids ? c->node_ids[r] : r);
}

/* Dropout of the projection row z (M), then its attention scores. */
GAT_INLINE void finish_projection(const layer_ctx *c, int64_t r, float *restrict zr, int64_t h, int64_t f) {
    const int64_t m = h * f;
    if (c->zdrop) gat_dropout_row(zr, c->z_mask + r * m, node_of(c, r) * (size_t)m, (size_t)m, c->keys.proj, c->thr, c->scale);
    gat_scores_row(c->s_src + r * h, c->s_dst + r * h, zr, c->a_src, c->a_dst, h, f);
}

/* Sparse first layer, one row at a time: input dropout on the row's entries, z = x W over
 * the kept entries only (and the skip projection), projection dropout, scores. The kept
 * entries are first gathered into a short list without branches, so the product loop
 * neither mispredicts on the random mask nor does work for a dropped entry. */
#define GAT_KEPT_RUN 128
GAT_INLINE void project_sparse_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
    const gat_csr *x = c->x;
    const int64_t *restrict row_ptr = x->row_ptr;
    const int32_t *restrict col_idx = x->col_idx;
    const float *restrict xv = x->val, *restrict w = c->w, *restrict ws = c->w_skip;
    float *restrict xval = c->xval;
    uint8_t *restrict x_mask = c->x_mask;
    const int drop = c->drop, skip = c->skip_proj;
    const uint32_t thr = c->thr;
    const float scale = c->scale;
    const uint64_t key = c->keys.input, width = (uint64_t)x->n_cols;
    float loc[GAT_LOCAL_WIDTH], kept_v[GAT_KEPT_RUN];
    int32_t kept_c[GAT_KEPT_RUN];
    for (int64_t k = b; k < e; k++) {
        const int64_t r = c->rows ? c->rows[k] : k, p0 = row_ptr[r], p1 = row_ptr[r + 1];
        float *restrict zr = c->z + r * m, *restrict tr = skip ? c->tmp + r * m : NULL;
        float *restrict acc = m <= GAT_LOCAL_WIDTH ? loc : zr;
        const uint64_t g0 = (uint64_t)node_of(c, r) * width;
        for (int64_t q = 0; q < m; q++) acc[q] = 0.0f;
        if (tr)
            for (int64_t q = 0; q < m; q++) tr[q] = 0.0f;
        for (int64_t r0 = p0; r0 < p1; r0 += GAT_KEPT_RUN) {
            const int64_t r1 = r0 + GAT_KEPT_RUN < p1 ? r0 + GAT_KEPT_RUN : p1;
            int nk = 0;
            for (int64_t p = r0; p < r1; p++) {
                float val = xv[p];
                if (drop) { /* keyed by (node, column), as a dense copy of the features would be */
                    const uint32_t keep = gat_rng_u32(key, g0 + (uint64_t)col_idx[p]) >= thr;
                    x_mask[p] = (uint8_t)keep;
                    val = gat_selectf((int)keep, val * scale, 0.0f); /* a dropped entry is +0: no branch */
                }
                xval[p] = val;
                kept_v[nk] = val;
                kept_c[nk] = col_idx[p];
                nk += val != 0.0f;
            }
            for (int t = 0; t < nk; t++) {
                const float val = kept_v[t];
                const float *restrict wr = w + (int64_t)kept_c[t] * m;
                if (t + 4 < nk) /* a later entry's weight row: its cache lines on the way */
                    for (int64_t q = 0; q < m; q += 16) __builtin_prefetch(w + (int64_t)kept_c[t + 4] * m + q);
                for (int64_t q = 0; q < m; q++) acc[q] += val * wr[q];
                if (tr) {
                    const float *restrict sr = ws + (int64_t)kept_c[t] * m;
                    for (int64_t q = 0; q < m; q++) tr[q] += val * sr[q];
                }
            }
        }
        if (acc != zr)
            for (int64_t q = 0; q < m; q++) zr[q] = acc[q];
        finish_projection(c, r, zr, h, f);
    }
}
GAT_SHAPED(project_sparse);

/* out (n) = mask ? in * scale : 0. */
GAT_INLINE void masked_scale(float *restrict out, const float *restrict in, const uint8_t *restrict mask, int64_t n,
                             float scale) {
    for (int64_t i = 0; i < n; i++) out[i] = mask[i] ? in[i] * scale : 0.0f;
}

/* x (n) = mask ? x * scale : 0, in place. */
GAT_INLINE void masked_scale_inplace(float *restrict x, const uint8_t *restrict mask, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) x[i] = mask[i] ? x[i] * scale : 0.0f;
}

/* Dense input, one block of GAT_ROW_BLOCK rows: input dropout, z = x W (BLAS on the block),
 * the skip projection, then dropout and scores per row. */
GAT_INLINE void project_dense_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f, k = c->k, rows = e - b;
    if (c->drop)
        for (int64_t r = b; r < e; r++) {
            uint8_t *restrict mk = c->x_mask + r * k;
            gat_mask_range(mk, c->keys.input, node_of(c, r) * (size_t)k, (node_of(c, r) + 1) * (size_t)k, c->thr);
            masked_scale(c->xbuf + r * k, c->prev + r * k, mk, k, c->scale);
        }
    gat_gemm_rows(c->z + b * m, c->xin + b * k, c->w, rows, k, m, 0.0f);
    if (c->skip_proj) gat_gemm_rows(c->tmp + b * m, c->xin + b * k, c->w_skip, rows, k, m, 0.0f);
    for (int64_t r = b; r < e; r++) finish_projection(c, r, c->z + r * m, h, f);
}
GAT_SHAPED(project_dense);

/* Narrow dense projections (M <= GAT_NARROW, Cora's output layer) are row kernels, so that
 * a planned pass projects only the rows it needs; each output is summed over the input
 * features in order whichever rows are computed, so planned and full passes (and gat_infer,
 * through gat_dense_projection) agree bit for bit. Wider ones go to BLAS on fixed blocks of
 * all rows. */

/* Padded copies of narrow weights live on the stack up to this many floats. */
#define GAT_PAD_FLOATS 8192

/* acc (pw) = sum over q in order of x[q] * wpad[q, :] (rows of pw lanes, zero-padded), on
 * whole 8-float vectors (the compiler left to itself shuffles lanes across q). */
GAT_INLINE void narrow_row(float *restrict acc, const float *restrict x, const float *restrict wpad, int64_t k,
                           int64_t pw) {
    const int64_t nv = pw / 8;
    gat_v8f a[GAT_NARROW / 8];
    for (int64_t j = 0; j < nv; j++) a[j] = gat_v8f_splat(0.0f);
    for (int64_t q = 0; q < k; q++) {
        const gat_v8f xq = gat_v8f_splat(x[q]);
        for (int64_t j = 0; j < nv; j++) a[j] += xq * gat_v8f_load(wpad + q * pw + 8 * j);
    }
    for (int64_t j = 0; j < nv; j++) gat_v8f_store(acc + 8 * j, a[j]);
}

/* Lanes of the padded copy of a narrow weight (K, M), and the copy itself when it fits
 * (returns NULL otherwise: the rows then use w as it is). */
static inline int64_t narrow_lanes(int64_t m) { return m <= 8 ? 8 : m <= 16 ? 16 : 32; }
GAT_INLINE float *narrow_pad(float *restrict pad /* GAT_PAD_FLOATS */, const float *restrict w, int64_t k, int64_t m) {
    const int64_t pw = narrow_lanes(m);
    if (k * pw > GAT_PAD_FLOATS) return NULL;
    for (int64_t q = 0; q < k; q++)
        for (int64_t o = 0; o < pw; o++) pad[q * pw + o] = o < m ? w[q * m + o] : 0.0f;
    return pad;
}

/* zr (M) = xr (K) w (K, M), summed over q in order; wpad from narrow_pad or NULL. */
GAT_INLINE void narrow_project(float *restrict zr, const float *restrict xr, const float *restrict w,
                               const float *restrict wpad, int64_t k, int64_t m) {
    float acc[GAT_NARROW];
    const int64_t pw = narrow_lanes(m);
    if (wpad) { /* rows padded to 8, 16 or 32 lanes: whole vector ops per input feature */
        if (pw == 8) narrow_row(acc, xr, wpad, k, 8);
        else if (pw == 16) narrow_row(acc, xr, wpad, k, 16);
        else narrow_row(acc, xr, wpad, k, 32);
    } else {
        for (int64_t q = 0; q < m; q++) acc[q] = 0.0f;
        for (int64_t q = 0; q < k; q++) {
            const float xv = xr[q];
            const float *restrict wq = w + q * m;
            for (int64_t o = 0; o < m; o++) acc[o] += xv * wq[o];
        }
    }
    for (int64_t q = 0; q < m; q++) zr[q] = acc[q];
}

/* Four rows at once with the padded weight: four independent chains of additions (one row
 * alone waits on each addition in turn), each row summed in the same order as alone. */
GAT_INLINE void narrow_row4(float *restrict acc[4], const float *restrict x[4], const float *restrict wpad, int64_t k,
                            int64_t pw) {
    const int64_t nv = pw / 8;
    gat_v8f a[4][2];
    for (int u = 0; u < 4; u++)
        for (int64_t j = 0; j < nv; j++) a[u][j] = gat_v8f_splat(0.0f);
    const float *restrict x0 = x[0], *restrict x1 = x[1], *restrict x2 = x[2], *restrict x3 = x[3];
    for (int64_t q = 0; q < k; q++) {
        const gat_v8f v0 = gat_v8f_splat(x0[q]), v1 = gat_v8f_splat(x1[q]), v2 = gat_v8f_splat(x2[q]),
                      v3 = gat_v8f_splat(x3[q]);
        for (int64_t j = 0; j < nv; j++) {
            const gat_v8f wq = gat_v8f_load(wpad + q * pw + 8 * j);
            a[0][j] += v0 * wq;
            a[1][j] += v1 * wq;
            a[2][j] += v2 * wq;
            a[3][j] += v3 * wq;
        }
    }
    for (int u = 0; u < 4; u++)
        for (int64_t j = 0; j < nv; j++) gat_v8f_store(acc[u] + 8 * j, a[u][j]);
}

/* zr[t] (M) = xr[t] (K) w for four rows, as narrow_project does each. */
GAT_INLINE void narrow_project4(float *restrict zr[4], const float *restrict xr[4], const float *restrict w,
                                const float *restrict wpad, int64_t k, int64_t m) {
    const int64_t pw = narrow_lanes(m);
    if (!wpad || pw > 16) {
        for (int t = 0; t < 4; t++) narrow_project(zr[t], xr[t], w, wpad, k, m);
        return;
    }
    float b0[16], b1[16], b2[16], b3[16];
    float *acc[4] = {b0, b1, b2, b3};
    if (pw == 8) narrow_row4(acc, xr, wpad, k, 8);
    else narrow_row4(acc, xr, wpad, k, 16);
    for (int t = 0; t < 4; t++)
        for (int64_t q = 0; q < m; q++) zr[t][q] = acc[t][q];
}

/* Input dropout of row r (when training); returns the row the projection reads. */
GAT_INLINE const float *narrow_input(const layer_ctx *c, int64_t r) {
    const int64_t k = c->k;
    if (!c->drop) return c->prev + r * k;
    uint8_t *restrict mk = c->x_mask + r * k;
    gat_mask_range(mk, c->keys.input, node_of(c, r) * (size_t)k, (node_of(c, r) + 1) * (size_t)k, c->thr);
    masked_scale(c->xbuf + r * k, c->prev + r * k, mk, k, c->scale);
    return c->xbuf + r * k;
}

GAT_INLINE void project_rows_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f, k = c->k;
    float pad[GAT_PAD_FLOATS], pad_skip[GAT_PAD_FLOATS];
    const float *wpad = narrow_pad(pad, c->w, k, m);
    const float *wpad_skip = c->skip_proj ? narrow_pad(pad_skip, c->w_skip, k, m) : NULL;
    int64_t t = b;
    for (; t + 4 <= e; t += 4) {
        int64_t r[4];
        const float *xr[4];
        float *zr[4], *tr[4];
        for (int u = 0; u < 4; u++) {
            r[u] = c->rows ? c->rows[t + u] : t + u;
            xr[u] = narrow_input(c, r[u]);
            zr[u] = c->z + r[u] * m;
            tr[u] = c->skip_proj ? c->tmp + r[u] * m : NULL;
        }
        narrow_project4(zr, xr, c->w, wpad, k, m);
        if (c->skip_proj) narrow_project4(tr, xr, c->w_skip, wpad_skip, k, m);
        for (int u = 0; u < 4; u++) finish_projection(c, r[u], zr[u], h, f);
    }
    for (; t < e; t++) {
        const int64_t r = c->rows ? c->rows[t] : t;
        const float *restrict xr = narrow_input(c, r);
        float *restrict zr = c->z + r * m;
        narrow_project(zr, xr, c->w, wpad, k, m);
        if (c->skip_proj) narrow_project(c->tmp + r * m, xr, c->w_skip, wpad_skip, k, m);
        finish_projection(c, r, zr, h, f);
    }
}
GAT_SHAPED(project_rows);

typedef struct {
    float *z;
    const float *x, *w;
    int64_t k, m;
} narrow_args;

GAT_HOT_KERNEL static void narrow_chunk(void *v, int64_t b, int64_t e) {
    const narrow_args *a = v;
    float pad[GAT_PAD_FLOATS];
    const float *wpad = narrow_pad(pad, a->w, a->k, a->m);
    int64_t r = b;
    for (; r + 4 <= e; r += 4) {
        float *zr[4];
        const float *xr[4];
        for (int u = 0; u < 4; u++) zr[u] = a->z + (r + u) * a->m, xr[u] = a->x + (r + u) * a->k;
        narrow_project4(zr, xr, a->w, wpad, a->k, a->m);
    }
    for (; r < e; r++) narrow_project(a->z + r * a->m, a->x + r * a->k, a->w, wpad, a->k, a->m);
}

void gat_dense_projection(float *z, const float *x, const float *w, int64_t n, int64_t k, int64_t m) {
    if (m <= GAT_NARROW) {
        narrow_args a = {z, x, w, k, m};
        gat_pool_for(n, 64, narrow_chunk, &a);
    } else {
        gat_matmul_forward(z, x, w, n, k, m);
    }
}

/* One target: attention, then skip, head mean or concatenation, bias, ELU (hidden layers;
 * a select, gat_selectf, with the last layer's test outside the loops). */
GAT_INLINE void attend_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
    const int elu = !c->last;
    for (int64_t k = b; k < e; k++) {
        const int64_t i = c->targets ? c->targets[k] : k;
        float *restrict o = c->out + i * m;
        gat_attention_row(&c->A, i, o, h, f);
        if (c->skip_identity) {
            const float *restrict xr = c->xin + i * f;
            for (int64_t hh = 0; hh < h; hh++)
                for (int64_t q = 0; q < f; q++) o[hh * f + q] += xr[q];
        } else if (c->skip_proj) {
            const float *restrict tr = c->tmp + i * m;
            for (int64_t q = 0; q < m; q++) o[q] += tr[q];
        }
        if (c->mean) {
            float *restrict yr = c->y + i * f;
            const float inv = 1.0f / (float)h;
            for (int64_t q = 0; q < f; q++) {
                float s = 0.0f;
                for (int64_t hh = 0; hh < h; hh++) s += o[hh * f + q];
                const float t = s * inv + (c->bias ? c->bias[q] : 0.0f);
                yr[q] = elu ? gat_selectf(t > 0.0f, t, gat_expf(t) - 1.0f) : t;
            }
        } else { /* y aliases out */
            for (int64_t q = 0; q < m; q++) {
                float t = o[q] + (c->bias ? c->bias[q] : 0.0f);
                o[q] = elu ? gat_selectf(t > 0.0f, t, gat_expf(t) - 1.0f) : t;
            }
        }
    }
}
GAT_SHAPED(attend);

void gat_layer_forward(const gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                       const float *prev, float pf, float pa, gat_layer_keys keys, const gat_plan *plan) {
    layer_ctx c;
    ctx_init(&c, mdl, a, l, in, g, pf, pa);
    c.keys = keys;
    c.A.key = keys.att;
    c.prev = prev;
    const int shape = gat_shape_of(c.h, c.f);
    if (c.x) {
        const gat_nodeset *rows0 = plan ? &plan->rows0 : NULL;
        c.rows = rows0 ? rows0->ids : NULL;
        a->l[l].xin = NULL;
        gat_pool_for(rows0 ? rows0->n : c.n, 32, project_sparse_fns[shape], &c);
    } else {
        c.xin = c.drop ? c.xbuf : prev;
        a->l[l].xin = c.xin;
        if (c.m <= GAT_NARROW) {
            const gat_nodeset *rows = !plan ? NULL : l == 0 ? &plan->rows0 : &plan->targets[l - 1];
            c.rows = rows ? rows->ids : NULL;
            gat_pool_for(rows ? rows->n : c.n, 64, project_rows_fns[shape], &c);
        } else {
            gat_pool_for(c.n, GAT_ROW_BLOCK, project_dense_fns[shape], &c);
        }
    }
    const gat_nodeset *t = plan ? &plan->targets[l] : NULL;
    c.targets = t ? t->ids : NULL;
    gat_pool_for(t ? t->n : c.n, 32, attend_fns[shape], &c);
}

/* ---- backward ---- */

/* One block of rows: ELU backward (hidden), then head-mean backward (averaging) into dout, the
 * block's bias sums; for l > 0, dx set to the identity skip's gradient or zero; ds_dst zero
 * (targets overwrite it). With a plan, a row that is not a target has dy = 0 (nothing is
 * propagated to it), so its ELU backward and bias terms are skipped (each would leave the
 * value it met: a zero stays the same zero, and adding it leaves a sum as it is), and its dx
 * row is zeroed only where the layer below reads it (dx_rows). */
GAT_HOT_KERNEL static void out_grad_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t h = c->h, f = c->f, m = c->m, ow = c->ow;
    float *restrict part = c->gbias ? c->partial + (b / c->rblk) * ow : NULL;
    if (part)
        for (int64_t q = 0; q < ow; q++) part[q] = 0.0f;
    const float inv = 1.0f / (float)h;
    const uint8_t *restrict live = c->B.active, *restrict dx_rows = c->dx_rows;
    for (int64_t r = b; r < e; r++) {
        float *restrict d = c->dy + r * ow;
        if (live && !live[r]) {
            if (c->mean && c->skip_proj) /* the skip projection's backward reads every row of dout */
                for (int64_t q = 0; q < m; q++) c->dout[r * m + q] = 0.0f;
            if (c->dx && (!dx_rows || dx_rows[r]))
                for (int64_t q = 0; q < c->k; q++) c->dx[r * c->k + q] = 0.0f;
            for (int64_t hh = 0; hh < h; hh++) c->ds_dst[r * h + hh] = 0.0f;
            continue;
        }
        if (!c->last) {
            const float *restrict yr = c->y + r * ow;
            for (int64_t q = 0; q < ow; q++) d[q] = yr[q] > 0.0f ? d[q] : d[q] * (yr[q] + 1.0f);
        }
        if (part)
            for (int64_t q = 0; q < ow; q++) part[q] += d[q];
        const float *restrict dout = d;
        if (c->mean) {
            float *restrict dr = c->dout + r * m;
            for (int64_t hh = 0; hh < h; hh++)
                for (int64_t q = 0; q < f; q++) dr[hh * f + q] = d[q] * inv;
            dout = dr;
        }
        if (c->dx) {
            float *restrict xr = c->dx + r * c->k;
            for (int64_t q = 0; q < c->k; q++) xr[q] = 0.0f;
            if (c->skip_identity)
                for (int64_t hh = 0; hh < h; hh++)
                    for (int64_t q = 0; q < f; q++) xr[q] += dout[hh * f + q];
        }
        for (int64_t hh = 0; hh < h; hh++) c->ds_dst[r * h + hh] = 0.0f;
    }
}

GAT_INLINE void grad_target_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    for (int64_t k = b; k < e; k++) {
        const int64_t i = c->targets ? c->targets[k] : k;
        gat_attention_grad_target(&c->B, i, c->ds_dst + i * h, 0, h, f);
    }
}
GAT_SHAPED(grad_target);

/* One block of sources: dz from the aggregation, plus the scores' gradient, then the
 * projection dropout's backward; the block's sums for d a_src and d a_dst. With a plan, a
 * row that is neither a source of the layer's targets nor a target gets dz = 0 and adds
 * nothing (every term it would add is zero), so the sums keep their bits. */
GAT_INLINE void grad_source_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
    float *restrict ps = c->partial + (b / c->rblk) * 2 * m, *restrict pd = ps + m;
    const uint8_t *restrict z_mask = c->zdrop ? c->z_mask : NULL;
    const uint8_t *restrict src_member = c->src_member, *restrict tgt_member = c->B.active;
    for (int64_t q = 0; q < 2 * m; q++) ps[q] = 0.0f;
    float gs[GAT_MAX_HEADS];
    for (int64_t j = b; j < e; j++) {
        float *restrict dzr = c->dz + j * m;
        if (src_member && !src_member[j] && !(tgt_member && tgt_member[j])) {
            for (int64_t q = 0; q < m; q++) dzr[q] = 0.0f;
            continue;
        }
        gat_attention_grad_source(&c->B, j, dzr, gs, 0, h, f);
        gat_scores_grad_row(dzr, ps, pd, gs, c->ds_dst + j * h, c->z + j * m, c->a_src, c->a_dst,
                            z_mask ? z_mask + j * m : NULL, c->scale, h, f);
    }
}
GAT_SHAPED(grad_source);

GAT_HOT_KERNEL static void dw_dense_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    gat_gemm_tn_cols(c->gw, c->xin, c->dz, c->n, c->k, c->m, b, e - b);
}

typedef struct {
    const layer_ctx *c;
    const gat_csc_index *csc;
} sparse_dw_args;

GAT_HOT_KERNEL static void dw_sparse_cols(void *v, int64_t b, int64_t e) {
    const sparse_dw_args *s = v;
    gat_spmm_dw_cols_inline(s->c->gw, s->csc, s->c->xval, s->c->dz, s->c->m, b, e);
}

/* dx rows += dz W^T, then the input dropout's backward. */
GAT_HOT_KERNEL static void dx_dense_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t k = c->k;
    gat_gemm_nt_rows(c->dx + b * k, c->dz + b * c->m, c->w, e - b, k, c->m);
    if (c->drop) masked_scale_inplace(c->dx + b * k, c->x_mask + b * k, (e - b) * k, c->scale);
}

/* Narrow layers: dW[q0 .. q1) += sum over the projected rows, in order, of x[r, q] dz[r]:
 * one sweep over the rows per chunk, dz padded to whole vectors, the chunk's sums in a local
 * block (GAT_DW_ROWS_CHUNK input features x at most GAT_NARROW outputs). */
#define GAT_DW_ROWS_CHUNK 32
GAT_INLINE void dw_rows_sweep(const layer_ctx *c, int64_t b, int64_t e, int64_t pw) {
    const int64_t m = c->m, k = c->k, nq = e - b, nv = pw / 8;
    gat_v8f acc[GAT_DW_ROWS_CHUNK * GAT_NARROW / 8];
    for (int64_t q = 0; q < nq * nv; q++) acc[q] = gat_v8f_splat(0.0f);
    for (int64_t t = 0; t < c->n_rows; t++) {
        const int64_t r = c->rows ? c->rows[t] : t;
        const float *restrict xr = c->xin + r * k + b, *restrict dzr = c->dz + r * m;
        float dpad[GAT_NARROW];
        for (int64_t o = 0; o < pw; o++) dpad[o] = o < m ? dzr[o] : 0.0f;
        gat_v8f d[GAT_NARROW / 8];
        for (int64_t j = 0; j < nv; j++) d[j] = gat_v8f_load(dpad + 8 * j);
        for (int64_t q = 0; q < nq; q++) {
            const gat_v8f xq = gat_v8f_splat(xr[q]);
            for (int64_t j = 0; j < nv; j++) acc[q * nv + j] += d[j] * xq;
        }
    }
    for (int64_t q = 0; q < nq; q++) {
        float a[GAT_NARROW];
        for (int64_t j = 0; j < nv; j++) gat_v8f_store(a + 8 * j, acc[q * nv + j]);
        for (int64_t o = 0; o < m; o++) c->gw[(b + q) * m + o] += a[o];
    }
}
GAT_HOT_KERNEL static void dw_rows_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t pw = narrow_lanes(c->m);
    if (pw == 8) dw_rows_sweep(c, b, e, 8);
    else if (pw == 16) dw_rows_sweep(c, b, e, 16);
    else dw_rows_sweep(c, b, e, 32);
}

/* Narrow layers: dx[r] += dz[r] W^T at the projected rows, then the input dropout's backward. */
GAT_HOT_KERNEL static void dx_rows_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t m = c->m, k = c->k;
    float pad[GAT_PAD_FLOATS], *wt = NULL; /* W^T (M, K): whole vector ops along the input features */
    if (k * m <= GAT_PAD_FLOATS) {
        wt = pad;
        for (int64_t q = 0; q < k; q++)
            for (int64_t o = 0; o < m; o++) wt[o * k + q] = c->w[q * m + o];
    }
    for (int64_t t = b; t < e; t++) {
        const int64_t r = c->rows ? c->rows[t] : t;
        const float *restrict dzr = c->dz + r * m;
        float *restrict d = c->dx + r * k;
        if (wt) {
            for (int64_t o = 0; o < m; o++) {
                const float g = dzr[o];
                const float *restrict wo = wt + o * k;
                for (int64_t q = 0; q < k; q++) d[q] += g * wo[q];
            }
        } else {
            for (int64_t q = 0; q < k; q++) {
                const float *restrict wq = c->w + q * m;
                float s = 0.0f;
                for (int64_t o = 0; o < m; o++) s += dzr[o] * wq[o];
                d[q] += s;
            }
        }
        if (c->drop) masked_scale_inplace(d, c->x_mask + r * k, k, c->scale);
    }
}

void gat_layer_backward(gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g, float *dy,
                        float *dx, float pf, float pa, const gat_plan *plan) {
    layer_ctx c;
    ctx_init(&c, mdl, a, l, in, g, pf, pa);
    const gat_layer_acts *L = &a->l[l];
    const gat_csc_index *csc = plan && in->sparse ? &plan->csc0 : &in->csc;
    const int64_t n = c.n, m = c.m, nb = (n + c.rblk - 1) / c.rblk;
    const int shape = gat_shape_of(c.h, c.f);
    c.xin = L->xin;
    c.dy = dy;
    c.dx = l > 0 ? dx : NULL;
    c.dout = c.mean ? a->dout : dy;
    c.dz = a->dz;
    c.ds_dst = a->ds_dst;
    c.B.dout = c.dout;
    const gat_nodeset *t = plan ? &plan->targets[l] : NULL;
    c.targets = t ? t->ids : NULL;
    c.B.active = t ? t->member : NULL;
    if (plan && plan->out_ptr[l]) { /* the sources' edges into the targets only */
        c.B.out_ptr = plan->out_ptr[l];
        c.B.out_pos = plan->out_pos[l];
    }
    c.src_member = !plan ? NULL : l == 0 ? plan->rows0.member : plan->targets[l - 1].member;
    /* the layer below reads dx (its dy) at its targets only, unless its skip projection's
     * backward reads every row of it */
    if (plan && l > 0 && !(mdl->cfg.skip && !gat_config_skip_identity(&mdl->cfg, l - 1)))
        c.dx_rows = plan->targets[l - 1].member;

    gat_pool_for(n, c.rblk, out_grad_chunk, &c);
    if (c.gbias)
        for (int64_t b = 0; b < nb; b++)
            for (int64_t q = 0; q < c.ow; q++) c.gbias[q] += c.partial[b * c.ow + q];
    if (c.skip_proj) {
        if (c.x) gat_spmm_backward(c.gw_skip, csc, c.xval, c.dout, m);
        else gat_matmul_backward(c.dx, c.gw_skip, c.dout, c.xin, c.w_skip, n, c.k, m);
    }
    gat_pool_for(t ? t->n : n, 32, grad_target_fns[shape], &c);
    gat_pool_for(n, c.rblk, grad_source_fns[shape], &c);
    for (int64_t b = 0; b < nb; b++)
        for (int64_t q = 0; q < m; q++) {
            c.ga_src[q] += c.partial[b * 2 * m + q];
            c.ga_dst[q] += c.partial[b * 2 * m + m + q];
        }
    if (c.x) {
        sparse_dw_args s = {&c, csc};
        gat_pool_for(csc->n_cols, 32, dw_sparse_cols, &s);
    } else if (c.m <= GAT_NARROW) {
        const gat_nodeset *rows = !plan ? NULL : l == 0 ? &plan->rows0 : &plan->targets[l - 1];
        c.rows = rows ? rows->ids : NULL;
        c.n_rows = rows ? rows->n : n;
        gat_pool_for(c.k, GAT_DW_ROWS_CHUNK, dw_rows_chunk, &c);
        if (c.dx) gat_pool_for(c.n_rows, 64, dx_rows_chunk, &c);
    } else {
        gat_pool_for(c.k, 64, dw_dense_chunk, &c);
        if (c.dx) gat_pool_for(n, GAT_ROW_BLOCK, dx_dense_chunk, &c);
    }
}
