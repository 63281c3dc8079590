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
    int last, skip_identity, skip_proj, drop;
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
    const int64_t *targets;            /* targets (ids) or NULL for all */
    gat_att_fwd A;
    gat_att_bwd B;
    /* backward */
    float *dy, *dx, *dout, *dz, *ds_dst, *partial;
    int64_t rblk;
} layer_ctx;

static void ctx_init(layer_ctx *c, const gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                     float p) {
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
    c->skip_identity = gat_config_skip_identity(cfg, l);
    c->skip_proj = cfg->skip && !c->skip_identity;
    c->drop = p > 0.0f;
    c->p = c->drop ? p : 0.0f;
    c->scale = c->drop ? 1.0f / (1.0f - p) : 1.0f;
    c->thr = c->drop ? gat_keep_threshold(p) : 0;
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
    c->A = (gat_att_fwd){.row_ptr = g->row_ptr, .src = g->src, .s_src = L->s_src, .s_dst = L->s_dst, .z = L->z,
                         .att = L->att, .att_mask = L->att_mask, .slope = cfg->slope, .p = c->p, .scale = c->scale,
                         .thr = c->thr};
    c->B = (gat_att_bwd){.row_ptr = g->row_ptr, .src = g->src, .dst = g->dst, .out_ptr = g->out_ptr,
                         .out_pos = g->out_pos, .att = L->att, .att_mask = L->att_mask, .s_src = L->s_src,
                         .s_dst = L->s_dst, .z = L->z, .scratch = a->scratch, .slope = cfg->slope, .p = c->p,
                         .scale = c->scale};
}

/* ---- forward ---- */

/* Dropout streams index a layer's inputs and projections by (global node, column) (model.h). */
static inline size_t node_of(const layer_ctx *c, int64_t r) {
    return (size_t)(c->node_ids ? c->node_ids[r] : r);
}

/* Dropout of the projection row z (M), then its attention scores. */
GAT_INLINE void finish_projection(const layer_ctx *c, int64_t r, float *restrict zr, int64_t h, int64_t f) {
    const int64_t m = h * f;
    if (c->drop) gat_dropout_row(zr, c->z_mask + r * m, node_of(c, r) * (size_t)m, (size_t)m, c->keys.proj, c->thr, c->scale);
    gat_scores_row(c->s_src + r * h, c->s_dst + r * h, zr, c->a_src, c->a_dst, h, f);
}

/* Sparse first layer, one row at a time: input dropout on the row's entries, z = x W over
 * the kept entries only (and the skip projection), projection dropout, scores. */
GAT_INLINE void project_sparse_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
    const gat_csr *x = c->x;
    const float *restrict w = c->w, *restrict ws = c->w_skip;
    float loc[GAT_LOCAL_WIDTH];
    for (int64_t k = b; k < e; k++) {
        const int64_t r = c->rows ? c->rows[k] : k, p0 = x->row_ptr[r], p1 = x->row_ptr[r + 1];
        float *restrict zr = c->z + r * m, *restrict tr = c->skip_proj ? c->tmp + r * m : NULL;
        float *restrict acc = m <= GAT_LOCAL_WIDTH ? loc : zr;
        const uint64_t g0 = (uint64_t)node_of(c, r) * (uint64_t)x->n_cols;
        for (int64_t q = 0; q < m; q++) acc[q] = 0.0f;
        if (tr)
            for (int64_t q = 0; q < m; q++) tr[q] = 0.0f;
        for (int64_t p = p0; p < p1; p++) {
            float val = x->val[p];
            if (c->drop) { /* keyed by (node, column), as a dense copy of the features would be */
                const uint8_t keep = gat_rng_u32(c->keys.input, g0 + (uint64_t)x->col_idx[p]) >= c->thr;
                c->x_mask[p] = keep;
                val = keep ? val * c->scale : 0.0f;
            }
            c->xval[p] = val;
            if (val == 0.0f) continue; /* a dropped entry costs nothing */
            const float *restrict wr = w + (int64_t)x->col_idx[p] * m;
            for (int64_t q = 0; q < m; q++) acc[q] += val * wr[q];
            if (tr) {
                const float *restrict sr = ws + (int64_t)x->col_idx[p] * m;
                for (int64_t q = 0; q < m; q++) tr[q] += val * sr[q];
            }
        }
        if (acc != zr)
            for (int64_t q = 0; q < m; q++) zr[q] = acc[q];
        finish_projection(c, r, zr, h, f);
    }
}
GAT_SHAPED(project_sparse);

/* Dense input, one block of GAT_ROW_BLOCK rows: input dropout, z = x W (BLAS on the block),
 * the skip projection, then dropout and scores per row. */
GAT_INLINE void project_dense_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f, k = c->k, rows = e - b;
    if (c->drop)
        for (int64_t r = b; r < e; r++) {
            const float *restrict src = c->prev + r * k;
            float *restrict dst = c->xbuf + r * k;
            uint8_t *restrict mk = c->x_mask + r * k;
            gat_mask_range(mk, c->keys.input, node_of(c, r) * (size_t)k, (node_of(c, r) + 1) * (size_t)k, c->thr);
            for (int64_t q = 0; q < k; q++) dst[q] = mk[q] ? src[q] * c->scale : 0.0f;
        }
    gat_gemm_rows(c->z + b * m, c->xin + b * k, c->w, rows, k, m, 0.0f);
    if (c->skip_proj) gat_gemm_rows(c->tmp + b * m, c->xin + b * k, c->w_skip, rows, k, m, 0.0f);
    for (int64_t r = b; r < e; r++) finish_projection(c, r, c->z + r * m, h, f);
}
GAT_SHAPED(project_dense);

/* One target: attention, then skip, head mean or concatenation, bias, ELU. */
GAT_INLINE void attend_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
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
        if (c->last) {
            float *restrict yr = c->y + i * f;
            const float inv = 1.0f / (float)h;
            for (int64_t q = 0; q < f; q++) {
                float s = 0.0f;
                for (int64_t hh = 0; hh < h; hh++) s += o[hh * f + q];
                yr[q] = s * inv + (c->bias ? c->bias[q] : 0.0f);
            }
        } else {
            for (int64_t q = 0; q < m; q++) {
                float t = o[q] + (c->bias ? c->bias[q] : 0.0f);
                o[q] = t > 0.0f ? t : gat_expf(t) - 1.0f;
            }
        }
    }
}
GAT_SHAPED(attend);

void gat_layer_forward(const gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                       const float *prev, float p, gat_layer_keys keys, const gat_plan *plan) {
    layer_ctx c;
    ctx_init(&c, mdl, a, l, in, g, p);
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
        gat_pool_for(c.n, GAT_ROW_BLOCK, project_dense_fns[shape], &c);
    }
    const gat_nodeset *t = plan ? &plan->targets[l] : NULL;
    c.targets = t ? t->ids : NULL;
    gat_pool_for(t ? t->n : c.n, 32, attend_fns[shape], &c);
}

/* ---- backward ---- */

/* One block of rows: ELU backward (hidden) or head-mean backward (last) into dout, the
 * block's bias sums; for l > 0, dx set to the identity skip's gradient or zero; ds_dst zero
 * (targets overwrite it). */
GAT_HOT_KERNEL static void out_grad_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t h = c->h, f = c->f, m = c->m, ow = c->ow;
    float *restrict part = c->gbias ? c->partial + (b / c->rblk) * ow : NULL;
    if (part)
        for (int64_t q = 0; q < ow; q++) part[q] = 0.0f;
    const float inv = 1.0f / (float)h;
    for (int64_t r = b; r < e; r++) {
        float *restrict d = c->dy + r * ow;
        if (!c->last) {
            const float *restrict yr = c->y + r * ow;
            for (int64_t q = 0; q < ow; q++) d[q] = yr[q] > 0.0f ? d[q] : d[q] * (yr[q] + 1.0f);
        }
        if (part)
            for (int64_t q = 0; q < ow; q++) part[q] += d[q];
        const float *restrict dout = d;
        if (c->last) {
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
 * projection dropout's backward; the block's sums for d a_src and d a_dst. */
GAT_INLINE void grad_source_body(const void *v, int64_t b, int64_t e, int64_t h, int64_t f) {
    const layer_ctx *c = v;
    const int64_t m = h * f;
    float *restrict ps = c->partial + (b / c->rblk) * 2 * m, *restrict pd = ps + m;
    const float *restrict as = c->a_src, *restrict ad = c->a_dst;
    for (int64_t q = 0; q < 2 * m; q++) ps[q] = 0.0f;
    float gs[GAT_MAX_HEADS];
    for (int64_t j = b; j < e; j++) {
        float *restrict dzr = c->dz + j * m;
        gat_attention_grad_source(&c->B, j, dzr, gs, 0, h, f);
        const float *restrict gd = c->ds_dst + j * h, *restrict zr = c->z + j * m;
        for (int64_t hh = 0; hh < h; hh++)
            for (int64_t q = 0; q < f; q++) {
                dzr[hh * f + q] += gs[hh] * as[hh * f + q] + gd[hh] * ad[hh * f + q];
                ps[hh * f + q] += gs[hh] * zr[hh * f + q];
                pd[hh * f + q] += gd[hh] * zr[hh * f + q];
            }
        if (c->drop) {
            const uint8_t *restrict mk = c->z_mask + j * m;
            for (int64_t q = 0; q < m; q++) dzr[q] = mk[q] ? dzr[q] * c->scale : 0.0f;
        }
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
    gat_spmm_dw_cols(s->c->gw, s->csc, s->c->xval, s->c->dz, s->c->m, b, e);
}

/* dx rows += dz W^T, then the input dropout's backward. */
GAT_HOT_KERNEL static void dx_dense_chunk(void *v, int64_t b, int64_t e) {
    const layer_ctx *c = v;
    const int64_t k = c->k;
    gat_gemm_nt_rows(c->dx + b * k, c->dz + b * c->m, c->w, e - b, k, c->m);
    if (c->drop) {
        float *restrict d = c->dx + b * k;
        const uint8_t *restrict mk = c->x_mask + b * k;
        for (int64_t i = 0; i < (e - b) * k; i++) d[i] = mk[i] ? d[i] * c->scale : 0.0f;
    }
}

void gat_layer_backward(gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g, float *dy,
                        float *dx, float p, const gat_plan *plan) {
    layer_ctx c;
    ctx_init(&c, mdl, a, l, in, g, p);
    const gat_layer_acts *L = &a->l[l];
    const gat_csc_index *csc = plan && in->sparse ? &plan->csc0 : &in->csc;
    const int64_t n = c.n, m = c.m, nb = (n + c.rblk - 1) / c.rblk;
    const int shape = gat_shape_of(c.h, c.f);
    c.xin = L->xin;
    c.dy = dy;
    c.dx = l > 0 ? dx : NULL;
    c.dout = c.last ? a->dout : dy;
    c.dz = a->dz;
    c.ds_dst = a->ds_dst;
    c.B.dout = c.dout;
    const gat_nodeset *t = plan ? &plan->targets[l] : NULL;
    c.targets = t ? t->ids : NULL;
    c.B.active = t ? t->member : NULL;

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
    } else {
        gat_pool_for(c.k, 64, dw_dense_chunk, &c);
        if (c.dx) gat_pool_for(n, GAT_ROW_BLOCK, dx_dense_chunk, &c);
    }
}
