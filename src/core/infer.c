/* infer.c - exact layer-wise inference in chunks of target rows (see infer.h). */
#include "gat/infer.h"

#include <stdlib.h>
#include <string.h>

#include "gat/ops.h"
#include "kernels.h"
#include "layer_steps.h"

#define CHUNK_ENTRIES ((int64_t)1 << 18)

void gat_input_forward_init(gat_input *in, const gat_dataset *ds) {
    memset(in, 0, sizeof *in);
    in->n = ds->n_nodes;
    in->k = ds->n_features;
    if (ds->dense_features) in->dense = ds->dense_features;
    else in->sparse = &ds->features;
}

/* targets[l] per layer and rows0 (the first projection's rows), as gat_plan_build makes them,
 * from flags only: no column index. */
static int make_sets(const gat_graph *g, int L, const int64_t *nodes, int64_t n_nodes, gat_nodeset *targets,
                     gat_nodeset *rows0, gat_error *err) {
    const int64_t n = g->n;
    uint8_t *f = calloc((size_t)n + 1, 1);
    if (!f) return gat_error_set(err, GAT_ENOMEM, "inference: out of memory");
    for (int64_t k = 0; k < n_nodes; k++) {
        if (nodes[k] < 0 || nodes[k] >= n) {
            free(f);
            return gat_error_set(err, GAT_ERANGE, "inference: node %lld out of range [0, %lld)", (long long)nodes[k],
                                 (long long)n);
        }
        f[nodes[k]] = 1;
    }
    for (int l = L; l >= 0; l--) {
        gat_nodeset *s = l == 0 ? rows0 : &targets[l - 1];
        s->member = f;
        s->n = 0;
        for (int64_t i = 0; i < n; i++) s->n += f[i] != 0;
        s->ids = malloc(((size_t)s->n + 1) * sizeof *s->ids);
        if (!s->ids) return gat_error_set(err, GAT_ENOMEM, "inference: out of memory");
        for (int64_t i = 0, k = 0; i < n; i++)
            if (f[i]) s->ids[k++] = i;
        if (l == 0) break;
        f = calloc((size_t)n + 1, 1);
        if (!f) return gat_error_set(err, GAT_ENOMEM, "inference: out of memory");
        for (int64_t k = 0; k < s->n; k++)
            for (int64_t q = g->row_ptr[s->ids[k]]; q < g->row_ptr[s->ids[k] + 1]; q++) f[g->src[q]] = 1;
    }
    return GAT_OK;
}

typedef struct {
    int64_t cap_rows, cap_entries;
    gat_graph gv;                      /* the chunk's rows: row_ptr (T + 1), src (entries) */
    float *att;                        /* (entries, H) */
    float *s_dst;                      /* (T, H) */
    float *out;                        /* (T, max H*F) */
    float *y;                          /* (T, classes) */
    float *xr;                         /* (T, max K): input rows for an identity skip */
} chunk_bufs;

static void chunk_free(chunk_bufs *c) {
    free(c->gv.row_ptr);
    free(c->gv.src);
    free(c->att);
    free(c->s_dst);
    free(c->out);
    free(c->y);
    free(c->xr);
    memset(c, 0, sizeof *c);
}

static int chunk_reserve(chunk_bufs *c, int64_t rows, int64_t entries, int64_t hmax, int64_t wmax) {
    if (rows <= c->cap_rows && entries <= c->cap_entries) return 0;
    int64_t r = rows > c->cap_rows ? rows : c->cap_rows, e = entries > c->cap_entries ? entries : c->cap_entries;
    chunk_free(c);
    c->gv.row_ptr = malloc(((size_t)r + 1) * sizeof *c->gv.row_ptr);
    c->gv.src = malloc(((size_t)e + 1) * sizeof *c->gv.src);
    c->att = malloc(((size_t)e * (size_t)hmax + 1) * sizeof *c->att);
    c->s_dst = malloc(((size_t)r * (size_t)hmax + 1) * sizeof *c->s_dst);
    c->out = malloc(((size_t)r * (size_t)wmax + 1) * sizeof *c->out);
    c->y = malloc(((size_t)r * (size_t)wmax + 1) * sizeof *c->y);
    c->xr = malloc(((size_t)r * (size_t)wmax + 1) * sizeof *c->xr);
    if (!c->gv.row_ptr || !c->gv.src || !c->att || !c->s_dst || !c->out || !c->y || !c->xr) {
        chunk_free(c);
        return -1;
    }
    c->cap_rows = r;
    c->cap_entries = e;
    return 0;
}

int gat_infer(const gat_model *m, const gat_input *in, const gat_graph *g, const int64_t *nodes, int64_t n_nodes,
              float *logits, gat_error *err) {
    return gat_infer_chunked(m, in, g, nodes, n_nodes, logits, CHUNK_ENTRIES, err);
}

int gat_infer_chunked(const gat_model *m, const gat_input *in, const gat_graph *g, const int64_t *nodes,
                      int64_t n_nodes, float *logits, int64_t chunk_entries, gat_error *err) {
    const gat_config *c = &m->cfg;
    const int L = c->n_layers;
    const int64_t n = in->n;
    if (g->n != n) return gat_error_set(err, GAT_ESHAPE, "inference: %lld feature rows but %lld graph nodes", (long long)n, (long long)g->n);
    if (g->no_self_loops != (c->no_self_loops != 0))
        return gat_error_set(err, GAT_EINVAL, "inference: the model %s self loops but the graph was built %s them",
                             c->no_self_loops ? "adds no" : "adds", g->no_self_loops ? "without" : "with");
    if (in->k != c->n_in)
        return gat_error_set(err, GAT_ESHAPE, "inference: the model expects %lld input features, the data has %lld",
                             (long long)c->n_in, (long long)in->k);
    if (in->sparse && gat_config_skip_identity(c, 0))
        return gat_error_set(err, GAT_EINVAL, "inference: an identity skip connection on sparse input features is not supported");
    int64_t wmax = 0, hmax = 0, mwmax = 0;
    for (int l = 0; l < L; l++) {
        int64_t mw = c->heads[l] * c->features[l], k = gat_config_in_width(c, l);
        wmax = mw > wmax ? mw : wmax;
        wmax = k > wmax && l > 0 ? k : wmax;
        mwmax = mw > mwmax ? mw : mwmax;
        hmax = c->heads[l] > hmax ? c->heads[l] : hmax;
    }
    int rc = GAT_OK;
    gat_nodeset targets[GAT_MAX_LAYERS], rows0;
    memset(targets, 0, sizeof targets);
    memset(&rows0, 0, sizeof rows0);
    chunk_bufs cb;
    memset(&cb, 0, sizeof cb);
    float *xa = NULL, *xb = NULL, *z = NULL, *s_src = NULL, *s_dst = NULL, *skip = NULL;
    const int v2 = c->attention_type == GAT_ATTENTION_GATV2;
    float *t_all = NULL, *t_chunk = NULL;  /* gatv2: target projection (N, H*F), the chunk's rows of it */
    int64_t t_cap = 0;
    if (nodes && (rc = make_sets(g, L, nodes, n_nodes, targets, &rows0, err))) goto done;
    /* zeroed: rows a restricted pass skips hold finite values when the next projection reads them */
    xa = L > 1 ? calloc((size_t)(n * wmax) + 1, sizeof *xa) : NULL;
    xb = L > 2 ? calloc((size_t)(n * wmax) + 1, sizeof *xb) : NULL;
    z = malloc(((size_t)(n * mwmax) + 1) * sizeof *z);
    s_src = malloc(((size_t)(n * hmax) + 1) * sizeof *s_src);
    s_dst = malloc(((size_t)(n * hmax) + 1) * sizeof *s_dst);
    if (c->skip) skip = malloc(((size_t)(n * mwmax) + 1) * sizeof *skip);
    if (v2) t_all = calloc((size_t)(n * mwmax) + 1, sizeof *t_all);
    if ((L > 1 && !xa) || (L > 2 && !xb) || !z || !s_src || !s_dst || (c->skip && !skip) || (v2 && !t_all)) {
        rc = gat_error_set(err, GAT_ENOMEM, "inference: out of memory for %lld nodes x %lld features", (long long)n,
                           (long long)wmax);
        goto done;
    }
    const float *prev = in->dense;
    for (int l = 0; l < L; l++) {
        const gat_layer_params *P = &m->p[l];
        const int64_t k = gat_config_in_width(c, l), h = c->heads[l], f = c->features[l], mw = h * f;
        const int64_t ow = gat_config_out_width(c, l);
        const int last = l == L - 1;
        const gat_nodeset *tset = nodes ? &targets[l] : NULL;
        float *dst = last ? logits : (prev == xa ? xb : xa);
        /* the projection (and a projected skip): the same calls as the forward pass */
        if (l == 0 && in->sparse) {
            const gat_nodeset *r0 = nodes ? &rows0 : NULL;
            gat_spmm_forward(z, in->sparse, in->sparse->val, P->w, mw, r0);
            if (v2) gat_spmm_forward(t_all, in->sparse, in->sparse->val, P->w_dst, mw, r0);
            if (c->skip && !gat_config_skip_identity(c, l)) gat_spmm_forward(skip, in->sparse, in->sparse->val, P->w_skip, mw, r0);
        } else if (v2) { /* the calls of gat_layer_steps_forward, which trains GATv2 */
            gat_matmul_forward(z, prev, P->w, n, k, mw);
            gat_matmul_forward(t_all, prev, P->w_dst, n, k, mw);
            if (c->skip && !gat_config_skip_identity(c, l)) gat_matmul_forward(skip, prev, P->w_skip, n, k, mw);
        } else {
            gat_dense_projection(z, prev, P->w, n, k, mw);
            if (c->skip && !gat_config_skip_identity(c, l)) gat_dense_projection(skip, prev, P->w_skip, n, k, mw);
        }
        if (!v2) gat_scores_forward(s_src, s_dst, z, P->a_src, P->a_dst, n, h, f);
        /* attention, a chunk of target rows at a time */
        const int64_t count = tset ? tset->n : n;
        for (int64_t a = 0; a < count;) {
            int64_t b = a, ent = 0;
            while (b < count) {
                int64_t i = tset ? tset->ids[b] : b, d = g->row_ptr[i + 1] - g->row_ptr[i];
                if (b > a && ent + d > chunk_entries) break;
                ent += d;
                b++;
            }
            const int64_t T = b - a;
            if (chunk_reserve(&cb, T, ent, hmax, wmax > mwmax ? wmax : mwmax)) {
                rc = gat_error_set(err, GAT_ENOMEM, "inference: out of memory for a chunk of %lld entries", (long long)ent);
                goto done;
            }
            if (v2 && T > t_cap) {
                float *nt = realloc(t_chunk, ((size_t)(T * mwmax) + 1) * sizeof *nt);
                if (!nt) {
                    rc = gat_error_set(err, GAT_ENOMEM, "inference: out of memory for a chunk of %lld rows", (long long)T);
                    goto done;
                }
                t_chunk = nt;
                t_cap = T;
            }
            cb.gv.n = T;
            cb.gv.nnz = ent;
            cb.gv.no_self_loops = g->no_self_loops;
            cb.gv.row_ptr[0] = 0;
            for (int64_t t = 0; t < T; t++) {
                const int64_t i = tset ? tset->ids[a + t] : a + t, p0 = g->row_ptr[i], d = g->row_ptr[i + 1] - p0;
                memcpy(cb.gv.src + cb.gv.row_ptr[t], g->src + p0, (size_t)d * sizeof *cb.gv.src);
                cb.gv.row_ptr[t + 1] = cb.gv.row_ptr[t] + d;
                if (v2) memcpy(t_chunk + t * mw, t_all + i * mw, (size_t)mw * sizeof *t_chunk);
                else memcpy(cb.s_dst + t * h, s_dst + i * h, (size_t)h * sizeof *cb.s_dst);
            }
            if (v2) gat_attention_v2_forward(cb.out, cb.att, NULL, &cb.gv, z, t_chunk, P->att, h, f, c->slope, 0.0f, 0);
            else gat_attention_forward(cb.out, cb.att, NULL, &cb.gv, s_src, cb.s_dst, z, h, f, c->slope, 0.0f, 0, NULL);
            if (c->skip) {
                if (gat_config_skip_identity(c, l)) {
                    for (int64_t t = 0; t < T; t++) {
                        const int64_t i = tset ? tset->ids[a + t] : a + t;
                        memcpy(cb.xr + t * k, prev + i * k, (size_t)k * sizeof *cb.xr);
                    }
                    gat_skip_identity_forward(cb.out, cb.xr, T, h, f);
                } else {
                    for (int64_t t = 0; t < T; t++) {
                        const int64_t i = tset ? tset->ids[a + t] : a + t;
                        for (int64_t q = 0; q < mw; q++) cb.out[t * mw + q] += skip[i * mw + q];
                    }
                }
            }
            float *y = cb.out;
            if (!gat_config_concat(c, l)) {
                gat_head_mean_forward(cb.y, cb.out, T, h, f);
                y = cb.y;
            }
            if (P->bias) gat_bias_forward(y, P->bias, T, ow);
            if (!last) gat_elu_forward(y, y, (size_t)(T * ow));
            for (int64_t t = 0; t < T; t++) {
                const int64_t i = tset ? tset->ids[a + t] : a + t;
                memcpy(dst + i * ow, y + t * ow, (size_t)ow * sizeof *dst);
            }
            a = b;
        }
        prev = dst;
    }
done:
    chunk_free(&cb);
    for (int l = 0; l < GAT_MAX_LAYERS; l++) gat_nodeset_free(&targets[l]);
    gat_nodeset_free(&rows0);
    free(xa);
    free(xb);
    free(z);
    free(s_src);
    free(s_dst);
    free(skip);
    free(t_all);
    free(t_chunk);
    return rc;
}
