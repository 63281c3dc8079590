/* cmd_explain.c - gat explain: every intermediate number of a model's forward pass at one node,
 * step by step, so that a reader can redo the computation by hand (docs/annotated-gat.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/train.h"

static void explain_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat explain --model FILE [options]\n\n"
        "Print what a trained (or hand-made) GAT computes at one node, step by step, in evaluation\n"
        "mode (no dropout): the node's input, then for each layer and head the projections z = W x of\n"
        "the node and its in-neighbours, the scores s_src and s_dst, e = LeakyReLU(s_src[j] + s_dst[i]),\n"
        "the softmax alpha over the node's incoming edges, the aggregation sum alpha z, the head\n"
        "concatenation (hidden layers: + bias, ELU) or mean (last layer: + bias), and the prediction.\n"
        "The numbers are gat's own (the attention and outputs of its forward pass), the sums beside\n"
        "them recomputed from the printed values. docs/annotated-gat.md walks through it.\n"
        "For a GATv2 model (--attention_type gatv2) the scores are e = a . LeakyReLU(z[j] + t[i]) with\n"
        "t = W_dst x, printed per edge in place of s_src, s_dst.\n\n"
        "  --model FILE          the model (required)\n"
        "  --dataset NAME        dataset (default: the one the model file names)\n"
        "  --data-dir DIR        folder holding the datasets (default: as gat train)\n"
        "  --node I              the node to explain (default: 0)\n"
        "  --max-heads N         heads printed in full per layer (default: 2; the others are summarised)\n"
        "  --max-neighbours N    in-neighbours printed per head (default: 10; the sums use all)\n"
        "  --help                this text\n");
}

static void vec(const char *prefix, const float *v, int64_t n) {
    printf("%s[", prefix);
    for (int64_t q = 0; q < n; q++) printf("%s%.4f", q ? " " : "", (double)v[q]);
    printf("]");
}

static float leaky(float v, float slope) { return v > 0.0f ? v : slope * v; }

/* The score of edge j -> i in head hh: GAT's LeakyReLU(s_src[j] + s_dst[i]), GATv2's
 * a . LeakyReLU(z[j] + t[i]); recomputed from the layer's activations. */
static float edge_score(const gat_config *c, const gat_layer_params *P, const gat_layer_acts *L, int64_t j, int64_t i,
                        int64_t hh, int64_t h, int64_t f) {
    if (c->attention_type != GAT_ATTENTION_GATV2) return leaky(L->s_src[j * h + hh] + L->s_dst[i * h + hh], c->slope);
    const float *zj = L->z + j * h * f + hh * f, *ti = L->t + i * h * f + hh * f, *a = P->att + hh * f;
    float e = 0.0f;
    for (int64_t q = 0; q < f; q++) e += a[q] * leaky(zj[q] + ti[q], c->slope);
    return e;
}

int gat_cmd_explain(int argc, char **argv) {
    const char *model_path = NULL, *dataset = NULL, *data_dir = NULL;
    int64_t node = 0, max_heads = 2, max_nb = 10;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            explain_usage(stdout);
            return 0;
        }
        int r;
#define TRY(call) if ((r = (call)) != 0) { if (r < 0) return 2; continue; }
        TRY(gat_opt_str(argc, argv, &i, "model", &model_path));
        TRY(gat_opt_str(argc, argv, &i, "dataset", &dataset));
        TRY(gat_opt_str(argc, argv, &i, "dataset_name", &dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &data_dir));
        TRY(gat_opt_int(argc, argv, &i, "node", 0, INT64_MAX, &node));
        TRY(gat_opt_int(argc, argv, &i, "max_heads", 1, GAT_MAX_HEADS, &max_heads));
        TRY(gat_opt_int(argc, argv, &i, "max_neighbours", 1, 1000000, &max_nb));
#undef TRY
        return gat_cli_usage_error("gat explain: unknown option '%s' (see 'gat explain --help')", argv[i]);
    }
    if (!model_path) return gat_cli_usage_error("gat explain: --model FILE is required");
    gat_error err = {0};
    gat_model m;
    gat_model_meta meta;
    gat_dataset ds;
    gat_session s;
    memset(&m, 0, sizeof m);
    memset(&ds, 0, sizeof ds);
    memset(&s, 0, sizeof s);
    int rc = gat_cli_open_model(model_path, dataset, data_dir, -1, &m, &meta, &ds, &err);
    if (!rc && node >= ds.n_nodes)
        rc = gat_error_set(&err, GAT_EINVAL, "--node: %lld is not a node of %s (0..%lld)", (long long)node, ds.name,
                           (long long)ds.n_nodes - 1);
    if (!rc) rc = gat_session_init_order(&s, &ds, &m, GAT_NODE_ORDER_INPUT, &err); /* one pass in the dataset's order */
    if (rc) {
        gat_session_free(&s);
        gat_model_free(&m);
        gat_dataset_free(&ds);
        return gat_cli_fail(&err);
    }
    const gat_config *c = &m.cfg;
    const gat_graph *g = &s.g;
    const int64_t i = node;
    gat_model_forward(&m, &s.acts, &s.in, g, 0, 0);

    const int64_t deg = g->row_ptr[i + 1] - g->row_ptr[i];
    const char *cname = ds.class_names && ds.labels[i] >= 0 ? ds.class_names[ds.labels[i]] : NULL;
    printf("Node %lld of %s: label %lld%s%s%s; %lld incoming edges %s%s", (long long)i, ds.name,
           (long long)ds.labels[i], cname ? " (" : "", cname ? cname : "", cname ? ")" : "", (long long)deg,
           c->no_self_loops ? "as the graph gives them (no self loop added)" : "with its self loop",
           deg ? ", from:" : "");
    for (int64_t q = g->row_ptr[i]; q < g->row_ptr[i + 1] && q - g->row_ptr[i] < max_nb; q++)
        printf(" %lld", (long long)g->src[q]);
    printf(deg > max_nb ? " ...\n" : "\n");
    /* the input row */
    const int64_t k0 = c->n_in;
    float *row = calloc((size_t)k0 + 1, sizeof *row);
    if (!row) {
        gat_session_free(&s);
        gat_model_free(&m);
        gat_dataset_free(&ds);
        err.status = GAT_ENOMEM;
        snprintf(err.msg, sizeof err.msg, "out of memory");
        return gat_cli_fail(&err);
    }
    if (s.in.dense) memcpy(row, s.in.dense + i * k0, (size_t)k0 * sizeof *row);
    else
        for (int64_t p = s.in.sparse->row_ptr[i]; p < s.in.sparse->row_ptr[i + 1]; p++)
            row[s.in.sparse->col_idx[p]] = s.in.sparse->val[p];
    if (k0 <= 16) {
        vec("input x = ", row, k0);
        printf("%s\n", meta.normalize == GAT_NORMALIZE_NONE ? " (raw features)" : " (row scaled to sum 1)");
    } else {
        int64_t nz = 0;
        for (int64_t q = 0; q < k0; q++) nz += row[q] != 0.0f;
        printf("input x: %lld of %lld features non-zero:", (long long)nz, (long long)k0);
        for (int64_t q = 0, shown = 0; q < k0 && shown < 12; q++)
            if (row[q] != 0.0f) { printf(" x[%lld]=%.4f", (long long)q, (double)row[q]); shown++; }
        printf(nz > 12 ? " ...\n" : "\n");
    }
    free(row);

    for (int l = 0; l < c->n_layers; l++) {
        const gat_layer_acts *L = &s.acts.l[l];
        const int64_t h = c->heads[l], f = c->features[l], mw = h * f, kin = gat_config_in_width(c, l);
        const int last = l == c->n_layers - 1;
        printf("\nlayer %d: %lld heads x %lld features from %lld inputs, LeakyReLU slope %g, %s\n", l, (long long)h,
               (long long)f, (long long)kin, (double)c->slope,
               last ? (gat_config_concat(c, l) ? "last layer (heads concatenated, + bias)" : "last layer (heads averaged, + bias)")
                    : (gat_config_concat(c, l) ? "hidden (heads concatenated, + bias, ELU)" : "hidden (heads averaged, + bias, ELU)"));
        float agg[4096]; /* the aggregation of every head, recomputed from alpha and z */
        const int fits = mw <= 4096;
        for (int64_t hh = 0; hh < h; hh++) {
            const int show = hh < max_heads;
            float mx = -INFINITY, sum = 0.0f;
            const int v2 = c->attention_type == GAT_ATTENTION_GATV2;
            for (int64_t q = g->row_ptr[i]; q < g->row_ptr[i + 1]; q++) {
                const float e = edge_score(c, &m.p[l], L, g->src[q], i, hh, h, f);
                mx = e > mx ? e : mx;
            }
            for (int64_t q = g->row_ptr[i]; q < g->row_ptr[i + 1]; q++)
                sum += expf(edge_score(c, &m.p[l], L, g->src[q], i, hh, h, f) - mx);
            if (show && v2) {
                printf(" head %lld:\n", (long long)hh);
                if (f <= 16) {
                    vec("  t[i] = W_dst x[i] = ", L->t + i * mw + hh * f, f);
                    printf("\n");
                    vec("  a = ", m.p[l].att + hh * f, f);
                    printf("\n");
                }
                printf("  %-8s %-*s %9s %9s %9s %9s %9s\n", "edge", (int)(f * 8 + 2), "z[j] = (W x[j]) of this head",
                       "", "", "e", "exp(.-max)", "alpha");
                printf("  (e = a . LeakyReLU(z[j] + t[i]), GATv2)\n");
            } else if (show) {
                printf(" head %lld:\n", (long long)hh);
                printf("  s_dst[%lld] = a_dst . z[%lld] = %.4f\n", (long long)i, (long long)i,
                       (double)L->s_dst[i * h + hh]);
                printf("  %-8s %-*s %9s %9s %9s %9s %9s\n", "edge", (int)(f * 8 + 2), "z[j] = (W x[j]) of this head",
                       "s_src[j]", "e", "LReLU(e)", "exp(.-max)", "alpha");
            }
            if (fits)
                for (int64_t q = 0; q < f; q++) agg[hh * f + q] = 0.0f;
            for (int64_t q = g->row_ptr[i]; q < g->row_ptr[i + 1]; q++) {
                const int64_t j = g->src[q];
                const float *zj = L->z + j * mw + hh * f;
                const float ss = v2 ? 0.0f : L->s_src[j * h + hh], e = v2 ? 0.0f : ss + L->s_dst[i * h + hh];
                const float le = edge_score(c, &m.p[l], L, j, i, hh, h, f);
                const float alpha = L->att[q * h + hh];
                if (fits)
                    for (int64_t t = 0; t < f; t++) agg[hh * f + t] += alpha * zj[t];
                if (!show || q - g->row_ptr[i] >= max_nb) continue;
                char edge[48];
                snprintf(edge, sizeof edge, "%lld->%lld", (long long)j, (long long)i);
                printf("  %-8s ", edge);
                if (f <= 8) {
                    char buf[256];
                    int o = snprintf(buf, sizeof buf, "[");
                    for (int64_t t = 0; t < f; t++) o += snprintf(buf + o, sizeof buf - (size_t)o, "%s%.4f", t ? " " : "", (double)zj[t]);
                    snprintf(buf + o, sizeof buf - (size_t)o, "]");
                    printf("%-*s", (int)(f * 8 + 2), buf);
                } else {
                    printf("%-*s", (int)(f * 8 + 2), "(wide)");
                }
                if (v2) printf(" %9s %9s %9.4f %9.4f %9.4f\n", "", "", (double)le, (double)expf(le - mx), (double)alpha);
                else printf(" %9.4f %9.4f %9.4f %9.4f %9.4f\n", (double)ss, (double)e, (double)le, (double)expf(le - mx),
                            (double)alpha);
            }
            if (show && deg == 0) {
                printf("  no incoming edge: an empty softmax, so the aggregation is 0 (the output is the bias)\n");
            } else if (show) {
                if (deg > max_nb) printf("  ... %lld more edges\n", (long long)(deg - max_nb));
                printf("  sum of exp = %.4f, so alpha = exp(.-max) / %.4f; max %s = %.4f\n", (double)sum,
                       (double)sum, v2 ? "e" : "LReLU(e)", (double)mx);
                if (fits && f <= 16) {
                    vec("  out = sum_j alpha z[j] = ", agg + hh * f, f);
                    printf("\n");
                }
            }
        }
        if (h > max_heads) printf(" (%lld more heads, computed alike: --max-heads %lld)\n", (long long)(h - max_heads), (long long)h);
        if (c->skip) printf(" + skip connection (%s)\n", gat_config_skip_identity(c, l) ? "identity: + x" : "projected: + W_skip x");
        const float *bias = m.p[l].bias;
        const int concat = gat_config_concat(c, l);
        const int64_t ow = gat_config_out_width(c, l);
        if (fits && ow <= 32) {
            float comb[32];
            for (int64_t t = 0; t < ow; t++) {
                if (concat) {
                    comb[t] = agg[t];
                } else {
                    comb[t] = 0.0f;
                    for (int64_t hh = 0; hh < h; hh++) comb[t] += agg[hh * f + t];
                    comb[t] /= (float)h;
                }
            }
            vec(concat ? " concatenated heads: " : " mean over heads: ", comb, ow);
            printf("\n");
            if (bias) { vec(" + bias ", bias, ow); printf("\n"); }
        }
        if (!last) {
            if (ow <= 32) { vec(" ELU -> y = ", L->y + i * ow, ow); printf("  (ELU(v) = v if v > 0, else exp(v) - 1)\n"); }
            else printf(" ELU -> y: %lld values (first: %.4f)\n", (long long)ow, (double)L->y[i * ow]);
        } else {
            const float *y = L->y + i * ow;
            if (ow <= 32) { vec(" logits = ", y, ow); printf("\n"); }
            float ymax = y[0], z = 0.0f;
            int64_t best = 0;
            for (int64_t t = 1; t < ow; t++)
                if (y[t] > ymax) { ymax = y[t]; best = t; }
            for (int64_t t = 0; t < ow; t++) z += expf(y[t] - ymax);
            if (ow <= 32) {
                printf(" softmax = [");
                for (int64_t t = 0; t < ow; t++) printf("%s%.4f", t ? " " : "", (double)(expf(y[t] - ymax) / z));
                printf("]\n");
            }
            const char *pn = ds.class_names ? ds.class_names[best] : NULL;
            printf("prediction: class %lld%s%s%s with probability %.4f; label %lld (%s)\n", (long long)best,
                   pn ? " (" : "", pn ? pn : "", pn ? ")" : "", (double)(1.0f / z), (long long)ds.labels[i],
                   ds.labels[i] < 0 ? "unlabelled" : ds.labels[i] == best ? "right" : "wrong");
        }
    }
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
    return 0;
}
