/* layer_steps.c - one GAT layer as a sequence of ops, for the edges and dense attention
 * implementations (see layer_steps.h). Read this file next to the paper's equations:
 *
 *   x'  = dropout(x)                                   input dropout
 *   z   = x' W             (N, H*F)                    projection, one matrix for all heads
 *   z   = dropout(z)                                   projection dropout
 *   s_src[j,h] = z[j,h,:] . a_src[h,:]                 the two halves of the attention vector a
 *   s_dst[i,h] = z[i,h,:] . a_dst[h,:]
 *   out = attention(s_src, s_dst, z)                   LeakyReLU, masked softmax, dropout, sum
 *   out += x' (identity skip) or x' W_skip (projected skip)
 *   y = out + bias, heads concatenated (N, H*F), or y = mean over heads of out + bias (N, F)
 *   hidden layer: y = ELU(y)
 *
 * Backward runs the same list upside down, each op's backward after the next one's. */
#include "layer_steps.h"

#include <string.h>

void gat_layer_steps_forward(const gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g,
                             const float *prev, float p, float pa, gat_layer_keys keys) {
    const gat_config *cfg = &mdl->cfg;
    const gat_layer_params *P = &mdl->p[l];
    gat_layer_acts *L = &a->l[l];
    const float pz = cfg->no_projection_dropout ? 0.0f : p; /* the projections' dropout */
    const int64_t n = in->n, h = cfg->heads[l], f = cfg->features[l], m = h * f;
    const int64_t k = gat_config_in_width(cfg, l);
    const int last = l == cfg->n_layers - 1, mean = !gat_config_concat(cfg, l);
    const int skip_identity = gat_config_skip_identity(cfg, l), skip_proj = cfg->skip && !skip_identity;
    const gat_csr *x = l == 0 ? in->sparse : NULL;
    const int v2 = cfg->attention_type == GAT_ATTENTION_GATV2;

    /* 1. input dropout, 2. projection z = x' W (and the skip projection into a->tmp) */
    if (x) {
        memcpy(L->xval, x->val, (size_t)x->nnz * sizeof *L->xval);
        gat_dropout_csr_forward(L->xval, L->x_mask, x, p, keys.input, in->node_ids);
        L->xin = NULL;
        gat_spmm_forward(L->z, x, L->xval, P->w, m, NULL);
        if (v2) gat_spmm_forward(L->t, x, L->xval, P->w_dst, m, NULL);
        if (skip_proj) gat_spmm_forward(a->tmp, x, L->xval, P->w_skip, m, NULL);
    } else {
        if (p > 0.0f) {
            memcpy(L->x, prev, (size_t)(n * k) * sizeof *L->x);
            gat_dropout_rows_forward(L->x, L->x_mask, n, k, p, keys.input, in->node_ids);
            L->xin = L->x;
        } else {
            L->xin = prev;
        }
        gat_matmul_forward(L->z, L->xin, P->w, n, k, m);
        if (v2) gat_matmul_forward(L->t, L->xin, P->w_dst, n, k, m);
        if (skip_proj) gat_matmul_forward(a->tmp, L->xin, P->w_skip, n, k, m);
    }
    /* 3. projection dropout, 4. the scores of each node as a source and as a target */
    gat_dropout_rows_forward(L->z, L->z_mask, n, m, pz, keys.proj, in->node_ids);
    if (v2) {
        /* GATv2: the target projection gets its own dropout; the scores come per edge in step 5 */
        gat_dropout_rows_forward(L->t, L->t_mask, n, m, pz, keys.proj_dst, in->node_ids);
    } else {
        gat_scores_forward(L->s_src, L->s_dst, L->z, P->a_src, P->a_dst, n, h, f);
    }
    /* 5. attention: the step the implementations differ in */
    if (v2 && cfg->attention_impl == GAT_ATTENTION_EDGES)
        gat_attention_v2_edges_forward(L->out, L->att, L->att_mask, g, L->z, L->t, P->att, h, f, cfg->slope, pa,
                                       keys.att, a->att_work);
    else if (v2)
        gat_attention_v2_forward(L->out, L->att, L->att_mask, g, L->z, L->t, P->att, h, f, cfg->slope, pa, keys.att);
    else if (cfg->attention_impl == GAT_ATTENTION_DENSE)
        gat_attention_dense_forward(L->out, L->att, L->att_mask, g, L->s_src, L->s_dst, L->z, h, f, cfg->slope, pa,
                                    keys.att, a->att_work);
    else
        gat_attention_edges_forward(L->out, L->att, L->att_mask, g, L->s_src, L->s_dst, L->z, h, f, cfg->slope, pa,
                                    keys.att, a->att_work);
    /* 6. skip connection */
    if (skip_identity) gat_skip_identity_forward(L->out, L->xin, n, h, f);
    if (skip_proj)
        for (int64_t e = 0; e < n * m; e++) L->out[e] += a->tmp[e];
    /* 7. heads: mean, or concatenation (out is already (N, H*F), y aliases it), bias, ELU (hidden) */
    if (mean) gat_head_mean_forward(L->y, L->out, n, h, f);
    const int64_t ow = mean ? f : m;
    if (P->bias) gat_bias_forward(L->y, P->bias, n, ow);
    if (!last) gat_elu_forward(L->y, L->y, (size_t)(n * ow));
}

void gat_layer_steps_backward(gat_model *mdl, gat_acts *a, int l, const gat_input *in, const gat_graph *g, float *dy,
                              float *dx, float p, float pa, const gat_plan *plan) {
    const gat_config *cfg = &mdl->cfg;
    const gat_layer_params *P = &mdl->p[l], *G = &mdl->g[l];
    const gat_layer_acts *L = &a->l[l];
    const float pz = cfg->no_projection_dropout ? 0.0f : p; /* the projections' dropout */
    const int64_t n = in->n, h = cfg->heads[l], f = cfg->features[l], m = h * f;
    const int64_t k = gat_config_in_width(cfg, l), ow = gat_config_out_width(cfg, l);
    const int last = l == cfg->n_layers - 1, mean = !gat_config_concat(cfg, l);
    const int skip_identity = gat_config_skip_identity(cfg, l), skip_proj = cfg->skip && !skip_identity;
    const gat_csr *x = l == 0 ? in->sparse : NULL;
    const gat_csc_index *csc = plan && x ? &plan->csc0 : &in->csc;
    const int v2 = cfg->attention_type == GAT_ATTENTION_GATV2;
    if (l == 0) dx = NULL; /* nothing to propagate into the data */

    /* 7. ELU (hidden), bias, head mean (averaging layers): dout = d loss / d out (N, H*F) */
    float *dout = dy;
    if (!last) gat_elu_backward(dy, dy, L->y, (size_t)(n * ow));
    if (G->bias) gat_bias_backward(G->bias, dy, n, ow);
    if (mean) {
        dout = a->dout;
        memset(dout, 0, (size_t)(n * m) * sizeof *dout);
        gat_head_mean_backward(dout, dy, n, h, f);
    }
    /* 6. skip connection: its gradient starts dx (the input dropout's backward comes last) */
    if (dx) memset(dx, 0, (size_t)(n * k) * sizeof *dx);
    if (skip_identity && dx) gat_skip_identity_backward(dx, dout, n, h, f);
    if (skip_proj) {
        if (x) gat_spmm_backward(G->w_skip, csc, L->xval, dout, m);
        else gat_matmul_backward(dx, G->w_skip, dout, L->xin, P->w_skip, n, k, m);
    }
    /* 5. attention: d out -> dz (through the aggregation) and d s_src, d s_dst (through the softmax) */
    float *dz = a->dz;
    memset(dz, 0, (size_t)(n * m) * sizeof *dz);
    memset(a->ds_src, 0, (size_t)(n * h) * sizeof *a->ds_src);
    memset(a->ds_dst, 0, (size_t)(n * h) * sizeof *a->ds_dst);
    if (v2) {
        /* GATv2: d out -> dz (aggregation and scores), dt and d a (scores) */
        memset(a->dt, 0, (size_t)(n * m) * sizeof *a->dt);
        if (cfg->attention_impl == GAT_ATTENTION_EDGES)
            gat_attention_v2_edges_backward(dz, a->dt, G->att, a->scratch, dout, g, L->att, L->att_mask, L->z, L->t,
                                            P->att, h, f, cfg->slope, pa, a->att_work);
        else
            gat_attention_v2_backward(dz, a->dt, G->att, a->scratch, a->partial, dout, g, L->att, L->att_mask, L->z,
                                      L->t, P->att, h, f, cfg->slope, pa);
        /* 3. projection dropouts, 2. projections (W and W_dst; a shared W gets both), 1. input dropout */
        gat_dropout_backward(dz, L->z_mask, (size_t)(n * m), pz);
        gat_dropout_backward(a->dt, L->t_mask, (size_t)(n * m), pz);
        if (x) {
            gat_spmm_backward(G->w, csc, L->xval, dz, m);
            gat_spmm_backward(G->w_dst, csc, L->xval, a->dt, m);
        } else {
            gat_matmul_backward(dx, G->w, dz, L->xin, P->w, n, k, m);
            gat_matmul_backward(dx, G->w_dst, a->dt, L->xin, P->w_dst, n, k, m);
            if (dx) gat_dropout_backward(dx, L->x_mask, (size_t)(n * k), p);
        }
        return;
    }
    if (cfg->attention_impl == GAT_ATTENTION_DENSE)
        gat_attention_dense_backward(dz, a->ds_src, a->ds_dst, a->scratch, dout, g, L->att, L->att_mask, L->s_src,
                                     L->s_dst, L->z, h, f, cfg->slope, pa, a->att_work);
    else
        gat_attention_edges_backward(dz, a->ds_src, a->ds_dst, a->scratch, dout, g, L->att, L->att_mask, L->s_src,
                                     L->s_dst, L->z, h, f, cfg->slope, pa, a->att_work);
    /* 4. scores: dz += ds_src a_src + ds_dst a_dst, and the gradients of a_src, a_dst */
    gat_scores_backward(dz, G->a_src, G->a_dst, a->ds_src, a->ds_dst, L->z, P->a_src, P->a_dst, n, h, f);
    /* 3. projection dropout, 2. projection, 1. input dropout */
    gat_dropout_backward(dz, L->z_mask, (size_t)(n * m), pz);
    if (x) {
        gat_spmm_backward(G->w, csc, L->xval, dz, m);
    } else {
        gat_matmul_backward(dx, G->w, dz, L->xin, P->w, n, k, m);
        if (dx) gat_dropout_backward(dx, L->x_mask, (size_t)(n * k), p);
    }
}
