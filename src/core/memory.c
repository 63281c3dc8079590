/* memory.c - the memory a run will take, from its sizes (see memory.h).
 *
 * Each term mirrors an allocation in model.c, graph.c, train.c, sample.c, infer.c and the
 * loaders; a buffer that calloc leaves untouched costs no resident memory, so buffers that
 * a plan touches only in part (attention dropout masks, backward scratch) are counted by
 * the pages their rows reach. Keep this file in step when those allocations change. */
#include "gat/memory.h"
#include "gat/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096.0
#define OVERHEAD (14.0 * 1e6)          /* the program, libc, OpenMP, OpenBLAS, cairo (measured: 12-15 MB) */
#define INFER_CHUNK_ENTRIES (1 << 18)  /* infer.c: graph entries per attention chunk */

void gat_memory_format(double b, char *buf, size_t size) {
    if (b >= 1e9) snprintf(buf, size, "%.2f GB", b / 1e9);
    else if (b >= 1e6) snprintf(buf, size, "%.1f MB", b / 1e6);
    else snprintf(buf, size, "%.0f kB", b / 1e3);
}

int gat_memory_parse(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || !isfinite(v)) return -1;
    double mult = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b') end++;
    if (*end) return -1;
    *out = v * mult;
    return 0;
}

/* Whole graphs per training step of a collection: the run's, or gat_train's default. */
static int64_t graphs_per_step(const gat_run_shape *run) {
    return run->graphs_per_batch > 0 ? run->graphs_per_batch : gat_train_options_default().batch_size;
}

void gat_problem_size_of(const gat_dataset *ds, gat_problem_size *ps) {
    memset(ps, 0, sizeof *ps);
    ps->n_nodes = ds->n_nodes;
    ps->n_edges = ds->n_edges;
    ps->n_features = ds->n_features;
    ps->feature_nnz = ds->dense_features ? -1 : ds->features.nnz;
    ps->n_classes = ds->n_classes;
    for (int s = 0; s < 3; s++) ps->split_size[s] = ds->split_size[s];
    ps->edges_mapped = ds->edges_mapped;
    ps->features_mapped = ds->feature_map.borrowed != 0 || ds->dense_map_base != NULL;
    ps->multi_label = ds->task == GAT_TASK_MULTI_LABEL;
    ps->n_graphs = ds->n_graphs;
}

/* Resident bytes of a buffer of `bytes` whose rows are touched for a share `frac` of them,
 * rows of row_bytes each: a page is resident when any row on it is. */
static double touched(double bytes, double frac, double row_bytes) {
    if (frac >= 1.0) return bytes;
    if (frac <= 0.0) return 0.0;
    double rows_per_page = row_bytes > 0 ? PAGE / row_bytes : 1.0;
    if (rows_per_page < 1.0) return bytes * frac;
    return bytes * (1.0 - pow(1.0 - frac, rows_per_page));
}

/* The forward/backward buffers of gat_acts_init for n nodes, nnz graph entries and xnnz
 * sparse input nonzeros (xnnz < 0: dense input), training with dropout. att_frac /
 * scratch_frac: shares of the graph rows whose dropout masks / backward scratch a training
 * plan touches (1 without plans). */
static double acts_bytes(const gat_config *c, double n, double nnz, double xnnz, const double *att_frac,
                         double scratch_frac) {
    double b = 0, wmax = 0, hmax = 0, row = nnz / (n > 0 ? n : 1);
    const int L = c->n_layers;
    for (int l = 0; l < L; l++) {
        double k = (double)gat_config_in_width(c, l), h = (double)c->heads[l], mw = h * (double)c->features[l];
        double ow = (double)gat_config_out_width(c, l);
        if (l == 0 && xnnz >= 0) b += 5.0 * xnnz;             /* xval, x_mask */
        else if (gat_config_feature_dropout(c) > 0) b += 5.0 * n * k;            /* x, x_mask */
        b += 5.0 * n * mw;                                    /* z, z_mask */
        if (c->attention_type == GAT_ATTENTION_GATV2) b += 5.0 * n * mw; /* t, t_mask */
        b += 8.0 * n * h;                                     /* s_src, s_dst */
        b += 4.0 * nnz * h;                                   /* att */
        if (gat_config_attention_dropout(c) > 0) b += touched(nnz * h, att_frac[l], row * h); /* att_mask */
        b += 4.0 * n * mw;                                    /* out */
        if (!gat_config_concat(c, l)) b += 4.0 * n * ow;      /* y: its own buffer when the heads are averaged */
        wmax = fmax(wmax, fmax(k, mw));
        hmax = fmax(hmax, h);
    }
    double last_mw = 0; /* dout: the widest layer that averages its heads */
    for (int l = 0; l < L; l++)
        if (!gat_config_concat(c, l)) last_mw = fmax(last_mw, (double)(c->heads[l] * c->features[l]));
    double wdy = 0; /* dy, dx carry layer outputs and inputs of layers >= 1 */
    for (int l = 1; l < L; l++) wdy = fmax(wdy, (double)gat_config_in_width(c, l));
    wdy = fmax(wdy, (double)gat_config_out_width(c, L - 1));
    double wdz = 0;
    for (int l = 0; l < L; l++) wdz = fmax(wdz, (double)(c->heads[l] * c->features[l]));
    b += 4.0 * n * wdy * 2;                                   /* dy, dx */
    b += 4.0 * n * wdz;                                       /* dz */
    if (c->attention_type == GAT_ATTENTION_GATV2) b += 4.0 * n * wdz; /* dt */
    b += 4.0 * n * last_mw;                                   /* dout */
    if (c->skip) b += 4.0 * n * wmax;                         /* tmp */
    b += 8.0 * n * hmax;                                      /* ds_src, ds_dst */
    b += touched(4.0 * nnz * hmax, scratch_frac, row * hmax * 4.0); /* scratch */
    if (c->attention_impl == GAT_ATTENTION_EDGES) b += 8.0 * n * hmax; /* att_work: per-target max and sum */
    if (c->attention_impl == GAT_ATTENTION_DENSE) b += 16.0 * n * n;   /* att_work: 4 N x N matrices */
    return b;
}

/* gat_graph_from_edges: row_ptr, out_ptr (n + 1) and src, edge_id, dst, out_pos (nnz). */
static double graph_bytes(double n, double nnz) { return 16.0 * (n + 1) + 32.0 * nnz; }
/* forward-only graph (gat_graph_forward_from_edges): row_ptr and src. */
static double light_graph_bytes(double n, double nnz) { return 8.0 * (n + 1) + 8.0 * nnz; }

static double dataset_bytes(const gat_problem_size *ps) {
    double n = (double)ps->n_nodes, b = 0;
    if (ps->feature_nnz >= 0) b += 8.0 * (n + 1) + 8.0 * (double)ps->feature_nnz;
    else b += 4.0 * n * (double)ps->n_features;
    b += 16.0 * (double)ps->n_edges;                          /* edge_src, edge_dst (or the mapped file) */
    b += ps->multi_label ? 4.0 * n * (double)ps->n_classes : 8.0 * n; /* targets, or labels */
    if (ps->n_graphs > 0) /* graph_id, graph_nodes, graph_node_pos, graph_edges, the two pointer arrays */
        b += 24.0 * n + 8.0 * (double)ps->n_edges + 16.0 * (double)(ps->n_graphs + 1);
    b += 8.0 * (double)(ps->split_size[0] + ps->split_size[1] + ps->split_size[2]);
    return b;
}

/* The loading peak: the sparse feature archive is read whole, parsed, then converted
 * (about three copies at once), or used in place from its mapping (the row pointers widened
 * beside it); an edge list that is not mapped is read, parsed, widened to int64 and split in
 * two (three copies of 16 E bytes while the features are resident). */
static double loading_bytes(const gat_problem_size *ps) {
    double n = (double)ps->n_nodes, e = 16.0 * (double)ps->n_edges;
    double feat = ps->feature_nnz >= 0 ? 8.0 * (double)ps->feature_nnz + 8.0 * (n + 1) : 4.0 * n * (double)ps->n_features;
    double f_peak = ps->features_mapped ? feat + 8.0 * (n + 1) : ps->feature_nnz >= 0 ? 3.0 * feat : 2.0 * feat;
    double e_peak = feat + (ps->edges_mapped ? e : 3.0 * e);
    return fmax(f_peak, e_peak) + 8.0 * n;
}

/* A sampled batch, hop by hop: nodes[h] = nodes within h hops of the seeds (nodes[0] = the
 * seeds), edges[h] = edges drawn by the nodes first reached at hop h (h < hops). */
typedef struct hop_counts {
    double nodes[GAT_MAX_LAYERS + 1], edges[GAT_MAX_LAYERS];
} hop_counts;

static int bin_of(int64_t d) {
    if (d < 32) return (int)d;
    int b = 32 + (int)floor(log((double)d / 32.0) / log(1.1));
    return b < GAT_MEMORY_BINS ? b : GAT_MEMORY_BINS - 1;
}

static int profile_matches(const gat_problem_size *ps, const int64_t *fanouts, int hops) {
    if (ps->n_bins <= 0 || ps->total_out <= 0) return 0;
    for (int h = 0; h < hops; h++)
        if (ps->profile_fanouts[h] != fanouts[h]) return 0;
    return 1;
}

/* With the degree profile: D draws so far reach node i with probability 1 - exp(-D p_i),
 * p_i = out_degree(i) / E (draws hit the seeds as any node: the share seeds / N of the
 * reached nodes is already counted). The nodes first reached at hop h then draw by their
 * own in-degrees: the bins weighted by the new reach probability. */
static void hops_profiled(const gat_problem_size *ps, double seeds, int hops, hop_counts *hc) {
    const double n = (double)ps->n_nodes, keep = n > 0 ? fmax(0.0, 1.0 - seeds / n) : 0;
    double prev[GAT_MEMORY_BINS] = {0}, cum = seeds * ps->seed_draws;
    hc->nodes[0] = seeds;
    hc->edges[0] = cum;
    double reached_prev = 0;
    for (int h = 1; h <= hops; h++) {
        double reached = 0, wsum = 0, dsum = 0;
        for (int b = 0; b < ps->n_bins; b++) {
            if (ps->bin_count[b] <= 0) continue;
            const double r = 1.0 - exp(-cum * ps->bin_out[b] / ps->total_out), nw = ps->bin_count[b] * (r - prev[b]);
            reached += ps->bin_count[b] * r;
            if (h < hops) {
                wsum += nw;
                dsum += nw * ps->bin_draws[h][b];
            }
            prev[b] = r;
        }
        reached *= keep;
        const double fresh = fmax(reached - reached_prev, 0);
        reached_prev = reached;
        hc->nodes[h] = fmin(hc->nodes[h - 1] + fresh, n);
        if (h < hops) {
            hc->edges[h] = wsum > 0 ? fresh * dsum / wsum : 0;
            cum += hc->edges[h];
        }
    }
}

/* Without it: each hop's frontier draws `draws` in-neighbours per node; the draws land on
 * distinct new nodes as uniform draws would among those not yet reached (an overestimate
 * on skewed graphs, where draws gather on the hubs). */
static void hops_uniform(const gat_problem_size *ps, double seeds, const int64_t *fanouts, int hops, hop_counts *hc) {
    const double n = (double)ps->n_nodes, avg_deg = n > 0 ? (double)ps->n_edges / n : 0;
    double frontier = seeds, total = seeds;
    hc->nodes[0] = seeds;
    for (int h = 0; h < hops; h++) {
        double f = ps->hop_draws[h] > 0 ? ps->hop_draws[h] : fanouts[h] < 0 ? avg_deg : fmin((double)fanouts[h], avg_deg * 1.5);
        double d = frontier * f, left = fmax(n - total, 0);
        hc->edges[h] = d;
        frontier = left > 0 ? left * (1.0 - exp(-d / left)) : 0;
        total += frontier;
        hc->nodes[h + 1] = fmin(total, n);
    }
}

/* One sampled training step's buffers (gat_train on a sampled session: the batch of
 * gat_step_batch_sampled with its gathered input, local graph and plan, the session's
 * activations as the planned forward and backward passes touch them). Local ids number the seeds, then each hop's new nodes, so the targets of layer
 * l (the nodes within L-1-l hops) are a prefix of the rows and the graph entries of their
 * rows a prefix of the entries; whatever the passes touch is counted by rows, calloc'ed
 * rows no pass writes cost nothing. */
static double step_bytes(const gat_config *c, const gat_problem_size *ps, const hop_counts *hc, double classes) {
    const int L = c->n_layers;
    const int sparse = ps->feature_nnz >= 0;
    const double n = hc->nodes[L], F = (double)ps->n_features;
    double e = 0;
    for (int h = 0; h < L; h++) e += hc->edges[h];
    const double bx = sparse ? (double)ps->feature_nnz / fmax((double)ps->n_nodes, 1) * n : 0;
    double b = 8.0 * n + 16.0 * e;                                          /* the batch: global ids, edges */
    b += sparse ? 8.0 * (n + 1) + 8.0 * bx : 4.0 * n * F;                   /* gathered input */
    b += graph_bytes(n, e + (c->no_self_loops ? 0 : n));                    /* local graph (+ self loops) */
    /* plan: flags and ids per layer, rows0, the input's column index over rows0, each
     * layer's out-edge index into its targets (at most every edge) */
    b += (L + 1) * 9.0 * n + (sparse ? 8.0 * (F + 1) + 16.0 * bx : 0) + L * (8.0 * (n + 1) + 8.0 * (e + n));
    double wdz = 0, hmax = 0;
    for (int l = 0; l < L; l++) {
        const double k = (double)gat_config_in_width(c, l), h = (double)c->heads[l], mw = h * (double)c->features[l];
        const double ow = (double)gat_config_out_width(c, l);
        const double t = hc->nodes[L - 1 - l];                              /* targets of layer l */
        double ent = c->no_self_loops ? 0 : t;                              /* their rows' entries */
        for (int q = 0; q <= L - 1 - l; q++) ent += hc->edges[q];
        if (l == 0 && sparse) b += 5.0 * bx;                                /* xval, x_mask */
        else if (gat_config_feature_dropout(c) > 0) b += 5.0 * n * k;                          /* x, x_mask: every row */
        b += (gat_config_feature_dropout(c) > 0 && !c->no_projection_dropout ? 5.0 : 4.0) * n * mw; /* z, z_mask: every row */
        if (c->attention_type == GAT_ATTENTION_GATV2) b += 5.0 * n * mw;    /* t, t_mask */
        b += 8.0 * n * h;                                                   /* s_src, s_dst */
        b += (gat_config_attention_dropout(c) > 0 ? 5.0 : 4.0) * ent * h;                        /* att, att_mask */
        b += 4.0 * t * mw;                                                  /* out */
        if (!gat_config_concat(c, l)) b += 4.0 * t * ow;                    /* y (heads averaged) */
        if (c->skip) b += 4.0 * n * mw;                                     /* tmp */
        wdz = fmax(wdz, mw);
        hmax = fmax(hmax, h);
    }
    /* backward: dy starts as the logits' gradient; dy and dx swap per layer, dx of layer l
     * taking its input width; dout of the last layer; dz, ds_dst over every row; scratch
     * over the first layer's entries */
    double wa = classes, wb = 0;
    for (int l = L - 1, into_b = 1; l >= 1; l--, into_b = !into_b) {
        const double k = (double)gat_config_in_width(c, l);
        if (into_b) wb = fmax(wb, k);
        else wa = fmax(wa, k);
    }
    double ent0 = hc->nodes[L - 1];
    for (int q = 0; q < L; q++) ent0 += hc->edges[q];
    b += 4.0 * n * (wa + wb);                                               /* dy, dx */
    double dout_w = 0; /* dout: the widest layer that averages its heads */
    for (int l = 0; l < L; l++)
        if (!gat_config_concat(c, l)) dout_w = fmax(dout_w, (double)(c->heads[l] * c->features[l]));
    b += 4.0 * n * dout_w;                                                  /* dout */
    b += 4.0 * n * wdz + 4.0 * n * hmax;                                    /* dz, ds_dst */
    if (c->attention_type == GAT_ATTENTION_GATV2) b += 4.0 * n * wdz;       /* dt */
    b += 4.0 * ent0 * hmax;                                                 /* scratch */
    b += 4.0 * n * classes + 16.0 * hc->nodes[0];                          /* dlogits (zeroed after the step), labels, loss ids */
    return b;
}

/* gat_infer over the full graph for the nodes of an evaluation plan (plan[l] = targets of
 * layer l, plan[L] = rows0; 0 = every node): the projections and scores of every row for
 * layers >= 1, the first layer's projection over rows0, the hidden outputs at the targets
 * (rows spread over the graph: counted by the pages they reach), the chunk buffers, the
 * plan's node sets. */
static double infer_bytes(const gat_config *c, const gat_problem_size *ps, const int64_t *plan) {
    const int L = c->n_layers;
    /* graph entries: the edges plus one self loop per node, or the edges as given (no_self_loops) */
    const double n = (double)ps->n_nodes, nnz = (double)ps->n_edges + (c->no_self_loops ? 0 : n), row = nnz / fmax(n, 1);
    double hmax = 0, wmax = 0, mwmax = 0, b = 0;
    for (int l = 0; l < L; l++) {
        const double h = (double)c->heads[l], mw = h * (double)c->features[l];
        hmax = fmax(hmax, h);
        mwmax = fmax(mwmax, mw);
        wmax = fmax(wmax, mw);
        if (l > 0) wmax = fmax(wmax, (double)gat_config_in_width(c, l));
    }
    const int sparse = ps->feature_nnz >= 0;
    /* z: rows0 of the first layer (every row when it is dense), every row after it */
    const double f0 = plan[L] > 0 ? fmin(1.0, (double)plan[L] / fmax(n, 1)) : 1.0;
    const double mw0 = (double)(c->heads[0] * c->features[0]);
    double zfull = 0;
    for (int l = 1; l < L; l++) zfull = fmax(zfull, 4.0 * n * (double)(c->heads[l] * c->features[l]));
    double z0 = sparse ? touched(4.0 * n * mw0, f0, 4.0 * mw0) : 4.0 * n * mw0;
    b += zfull + z0 * (1.0 - fmin(1.0, zfull / fmax(4.0 * n * mw0, 1)));
    if (c->skip) b += 4.0 * n * mwmax;
    b += 8.0 * n * hmax;                                                    /* s_src, s_dst */
    if (c->attention_type == GAT_ATTENTION_GATV2) b += 4.0 * n * mwmax;     /* t (the chunk's rows: below) */
    /* hidden outputs (xa, xb alternate), written at the targets of layers 0 .. L-2 */
    double x[2] = {0, 0};
    for (int l = 0; l < L - 1; l++) {
        const double ow = (double)gat_config_out_width(c, l), ft = plan[l] > 0 ? fmin(1.0, (double)plan[l] / fmax(n, 1)) : 1.0;
        x[l & 1] = fmax(x[l & 1], touched(4.0 * n * ow, ft, 4.0 * ow));
    }
    b += x[0] + x[1];
    /* chunk buffers: up to 2^18 entries of the largest layer's targets */
    double tmax = 0;
    for (int l = 0; l < L; l++) tmax = fmax(tmax, plan[l] > 0 ? (double)plan[l] : n);
    const double ce = fmin((double)INFER_CHUNK_ENTRIES, fmax(tmax * row, 1)), cr = fmin(tmax, ce);
    b += ce * (8.0 + 4.0 * hmax) + cr * (8.0 + 4.0 * hmax + 12.0 * fmax(wmax, mwmax));
    if (c->attention_type == GAT_ATTENTION_GATV2) b += 4.0 * cr * mwmax;    /* the chunk's rows of t */
    /* node sets: flags and ids per layer */
    for (int l = 0; l <= L; l++) b += n + 8.0 * (plan[l] > 0 ? (double)plan[l] : n);
    return b;
}

void gat_memory_estimate_sizes(const gat_config *c, const gat_problem_size *ps, const gat_run_shape *run,
                               gat_memory_estimate *out) {
    memset(out, 0, sizeof *out);
    const int L = c->n_layers;
    const double n = (double)ps->n_nodes, e = (double)ps->n_edges, nnz = e + (c->no_self_loops ? 0 : n),
                 classes = (double)ps->n_classes;
    const int sparse = ps->feature_nnz >= 0;
    const double xnnz = sparse ? (double)ps->feature_nnz : -1;
    /* parameters: the same count gat_model_init lays out, each tensor padded to a cache line */
#define LINE(x) ((double)gat_line_round((size_t)(x)))
    double np = 0, ntr = 0;
    for (int l = 0; l < L; l++) {
        double k = (double)gat_config_in_width(c, l), h = (double)c->heads[l], f = (double)c->features[l];
        double t = LINE(k * h * f) + 2 * LINE(h * f) + (c->bias ? LINE((double)gat_config_out_width(c, l)) : 0);
        if (c->skip && !gat_config_skip_identity(c, l)) t += LINE(k * h * f);
        ntr += t;
        np += t + (gat_config_skip_identity(c, l) ? LINE(k * h * f) : 0);
    }
#undef LINE
    out->parameters = 4.0 * np * (2 + (run->keep_best ? 1 : 0));
    out->optimizer = 8.0 * ntr;
    out->dataset = dataset_bytes(ps);
    out->loading = loading_bytes(ps);
    out->overhead = OVERHEAD;
    if (ps->n_graphs > 0 && ps->step_nodes > 0) { /* (without the measured sizes: as one batch of every node) */
        /* a collection: the activations of the largest step batch (gat_session_reserve keeps
         * the largest of the training batch and every evaluation graph); the evaluation
         * batches of every graph of the splits (each its own graph, input rows and targets)
         * live for the whole run, and one training batch beside them; the logits of every node */
        const double nb = (double)ps->step_nodes, C = classes, F = (double)ps->n_features;
        double ones[GAT_MAX_LAYERS];
        for (int l = 0; l < L; l++) ones[l] = 1.0;
        out->activations = acts_bytes(c, nb, (double)ps->step_entries, sparse ? (double)ps->step_xnnz : -1, ones, 1.0) +
                           4.0 * nb * C;                                        /* + dlogits */
        const double ns = (double)ps->split_nodes, es = (double)ps->split_edges, g = (double)ps->n_graphs;
        const double xs = sparse ? xnnz * ns / fmax(n, 1) : 0;
        /* a step batch of `bn` nodes, `be` graph entries, `bx` input nonzeros, over `bg` graphs */
#define STEP_BATCH(bn, be, bx, bg)                                                                                   \
    (16.0 * ((bn) + (bg)) + 32.0 * (be)                                        /* its graph */                     \
     + 16.0 * (bn)                                                             /* node ids, loss rows */           \
     + (sparse ? 8.0 * ((bn) + (bg)) + 8.0 * (bx) + 8.0 * (F + 1) * (bg) + 16.0 * (bx) /* rows, column index */  \
               : 4.0 * (bn) * F)                                               /* input rows */                    \
     + (ps->multi_label ? 4.0 * (bn) * C : 8.0 * (bn)))                       /* targets or labels */
        out->graph = STEP_BATCH(ns, es + ns, xs, g) +
                     STEP_BATCH((double)ps->batch_nodes, (double)ps->batch_entries, (double)ps->batch_xnnz,
                                (double)graphs_per_step(run)) +
                     4.0 * n * C + 8.0 * g;                                     /* logits, training order */
#undef STEP_BATCH
        if (sparse) out->graph += 8.0 * (F + 1) + 16.0 * xnnz;                 /* the input's column index */
    } else if (run->batch_size <= 0) {
        /* full batch: the whole graph's buffers, the graph with its backward index, the
         * input's column index, two plans */
        double att_frac[GAT_MAX_LAYERS], scratch_frac = 0;
        for (int l = 0; l < L; l++) {
            att_frac[l] = ps->train_plan[l] > 0 ? fmin(1.0, (double)ps->train_plan[l] / n) : 1.0;
            scratch_frac = fmax(scratch_frac, att_frac[l]);
        }
        out->activations = acts_bytes(c, n, nnz, xnnz, att_frac, scratch_frac) + 4.0 * n * classes;
        out->graph = graph_bytes(n, nnz);
        if (sparse) out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz;     /* column index */
        /* the split batches' renumbered copy (train.c): graph, node ids, input rows with their
         * column index, labels or targets, each split's loss ids; the session's logits */
        if (!run->input_order)
            out->graph += graph_bytes(n, nnz) + 8.0 * n +
                          (sparse ? 8.0 * (n + 1) + 8.0 * xnnz + 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz
                                  : 4.0 * n * (double)ps->n_features) +
                          (ps->multi_label ? 4.0 * n * classes : 8.0 * n) +
                          8.0 * (double)(ps->split_size[0] + ps->split_size[1] + ps->split_size[2]) + 4.0 * n * classes;
        for (int p = 0; p < 2; p++) {
            const int64_t *pl = p ? ps->val_plan : ps->train_plan;
            for (int l = 0; l <= L; l++) out->graph += n + 8.0 * (pl[l] > 0 ? (double)pl[l] : n);
            /* each layer's out-edge index into its targets: the edges into a plan's targets,
             * its nodes' share of the edges at most twice over (neighbours have more edges) */
            for (int l = 0; l < L; l++)
                out->graph += 8.0 * (n + 1) + 8.0 * nnz * (pl[l] > 0 ? fmin(1.0, 2.0 * (double)pl[l] / n) : 1.0);
        }
        if (sparse) {
            double r0 = ps->train_plan_nnz > 0 ? (double)ps->train_plan_nnz : xnnz;
            out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * r0;  /* the training plan's column index */
            if (ps->val_plan[L] > 0) out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz * fmin(1.0, (double)ps->val_plan[L] / n);
            else out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz;
        }
    } else {
        /* sampled: the dataset, the forward-only graph, the sampler's node map, the logits
         * (written at the evaluated nodes) and the training order persist; a training step's
         * buffers and inference's are freed after use, so the larger of the two counts */
        hop_counts hc;
        const double seeds = fmin((double)run->batch_size, (double)ps->split_size[0]);
        if (profile_matches(ps, run->fanouts, L)) hops_profiled(ps, seeds, L, &hc);
        else hops_uniform(ps, seeds, run->fanouts, L, &hc);
        double be = 0;
        for (int h = 0; h < L; h++) be += hc.edges[h];
        out->batch_nodes = (int64_t)hc.nodes[L];
        out->batch_edges = (int64_t)be;
        out->activations = step_bytes(c, ps, &hc, classes);
        out->inference = infer_bytes(c, ps, ps->eval_plan);
        const double evaluated = (double)(ps->split_size[1] + ps->split_size[2]);
        out->graph = light_graph_bytes(n, nnz) + 8.0 * n                  /* + the sampler's map */
                     + touched(4.0 * n * classes, fmin(1.0, evaluated / fmax(n, 1)), 4.0 * classes) /* logits */
                     + 8.0 * (double)ps->split_size[0];                   /* training order */
    }
    const double work = run->batch_size > 0 ? fmax(out->activations, out->inference) : out->activations;
    double train_peak = out->dataset + out->parameters + out->optimizer + work + out->graph;
    out->total = fmax(out->loading, train_peak) + out->overhead;
}
/* Mark the sources of every edge into a marked target (plus the targets themselves: the
 * self loops), from the dataset's edge list. Returns the number of marked nodes; *entries
 * gets the graph entries of the targets' rows. */
static int64_t expand(const gat_dataset *ds, const uint8_t *t, uint8_t *next, int64_t *entries) {
    int64_t cnt = 0, ent = 0;
    const int64_t n = ds->n_nodes, e = ds->n_edges;
    for (int64_t i = 0; i < n; i++) {
        next[i] = t[i];
        ent += t[i];
    }
    for (int64_t k = 0; k < e; k++)
        if (t[ds->edge_dst[k]] && ds->edge_src[k] != ds->edge_dst[k]) {
            next[ds->edge_src[k]] = 1;
            ent++;
        }
    for (int64_t i = 0; i < n; i++) cnt += next[i];
    *entries = ent;
    return cnt;
}

int gat_problem_size_measure(const gat_config *cfg, const gat_dataset *ds, const gat_run_shape *run,
                             gat_problem_size *out, gat_error *err) {
    gat_problem_size_of(ds, out);
    gat_problem_size ps = *out;
    if (ds->n_graphs > 0) {
        /* a collection: the sizes of the largest training batch (its largest graphs, as
         * gat_train reserves them) and of the largest graph of any split */
        const int64_t ng = ds->split_n_graphs[GAT_SPLIT_TRAIN], bs = graphs_per_step(run);
        int64_t *v = calloc(3 * (size_t)ng + 1, sizeof *v);
        if (!v) return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
        int64_t sums[3] = {0, 0, 0};
        for (int s = 0; s < 3; s++)
            for (int64_t i = 0; i < ds->split_n_graphs[s]; i++) {
                const int64_t gi = ds->split_graphs[s][i], nodes = ds->graph_node_ptr[gi + 1] - ds->graph_node_ptr[gi];
                const int64_t ent = ds->graph_edge_ptr[gi + 1] - ds->graph_edge_ptr[gi] + nodes;
                int64_t xz = 0;
                if (!ds->dense_features)
                    for (int64_t q = ds->graph_node_ptr[gi]; q < ds->graph_node_ptr[gi + 1]; q++) {
                        const int64_t u = ds->graph_nodes[q];
                        xz += ds->features.row_ptr[u + 1] - ds->features.row_ptr[u];
                    }
                ps.split_nodes += nodes;
                ps.split_edges += ent - nodes;
                if (nodes > ps.step_nodes) ps.step_nodes = nodes;
                if (ent > ps.step_entries) ps.step_entries = ent;
                if (xz > ps.step_xnnz) ps.step_xnnz = xz;
                if (s == GAT_SPLIT_TRAIN) {
                    v[i] = nodes;
                    v[ng + i] = ent;
                    v[2 * ng + i] = xz;
                }
            }
        /* the sum of the bs largest of each (gat_train's reserve_for_training) */
        for (int w = 0; w < 3; w++) {
            int64_t *a = v + w * ng;
            for (int64_t t = 0; t < bs && t < ng; t++) {
                int64_t best = t;
                for (int64_t i = t + 1; i < ng; i++)
                    if (a[i] > a[best]) best = i;
                const int64_t x = a[t];
                a[t] = a[best];
                a[best] = x;
                sums[w] += a[t];
            }
        }
        free(v);
        ps.batch_nodes = sums[0];
        ps.batch_entries = sums[1];
        ps.batch_xnnz = sums[2];
        if (ps.batch_nodes > ps.step_nodes) ps.step_nodes = ps.batch_nodes;
        if (ps.batch_entries > ps.step_entries) ps.step_entries = ps.batch_entries;
        if (ps.batch_xnnz > ps.step_xnnz) ps.step_xnnz = ps.batch_xnnz;
        *out = ps;
        return GAT_OK;
    }
    if (run->batch_size > 0) {
        /* the degree profile: in- and out-degrees without self loops, nodes binned by out-degree */
        const int L = cfg->n_layers;
        int64_t *deg = calloc(2 * (size_t)ds->n_nodes + 1, sizeof *deg);
        if (!deg) return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
        int64_t *out_deg = deg + ds->n_nodes;
        for (int64_t k = 0; k < ds->n_edges; k++)
            if (ds->edge_src[k] != ds->edge_dst[k]) {
                deg[ds->edge_dst[k]]++;
                out_deg[ds->edge_src[k]]++;
            }
        double sum_out[GAT_MEMORY_BINS] = {0};
        for (int h = 0; h < L; h++) ps.profile_fanouts[h] = run->fanouts[h];
        for (int64_t i = 0; i < ds->n_nodes; i++) {
            const int b = bin_of(out_deg[i]);
            ps.bin_count[b] += 1;
            sum_out[b] += (double)out_deg[i];
            ps.total_out += (double)out_deg[i];
            for (int h = 0; h < L; h++)
                ps.bin_draws[h][b] += run->fanouts[h] < 0 ? (double)deg[i] : fmin((double)deg[i], (double)run->fanouts[h]);
        }
        for (int b = 0; b < GAT_MEMORY_BINS; b++)
            if (ps.bin_count[b] > 0) {
                ps.bin_out[b] = sum_out[b] / ps.bin_count[b];
                for (int h = 0; h < L; h++) ps.bin_draws[h][b] /= ps.bin_count[b];
            }
        ps.n_bins = GAT_MEMORY_BINS;
        double sd = 0;
        const int64_t nt = ds->split_size[GAT_SPLIT_TRAIN];
        for (int64_t i = 0; i < nt; i++) {
            const int64_t d = deg[ds->split[GAT_SPLIT_TRAIN][i]];
            sd += run->fanouts[0] < 0 ? (double)d : fmin((double)d, (double)run->fanouts[0]);
        }
        ps.seed_draws = nt > 0 ? sd / (double)nt : 0;
        /* the old mean-draws model, for callers without the profile */
        for (int h = 0; h < L; h++) {
            const double f = run->fanouts[h] < 0 ? INFINITY : (double)run->fanouts[h];
            double num = 0, den = 0;
            for (int64_t i = 0; i < ds->n_nodes; i++) {
                double w = h == 0 ? 1.0 : (double)deg[i], dr = fmin((double)deg[i], f);
                num += w * dr;
                den += w;
            }
            ps.hop_draws[h] = den > 0 ? fmax(num / den, 1e-9) : 1e-9;
        }
        free(deg);
        /* the evaluation plans of inference (validation after every epoch, test at the end) */
        uint8_t *a = calloc((size_t)ds->n_nodes + 1, 1), *b = calloc((size_t)ds->n_nodes + 1, 1);
        if (!a || !b) {
            free(a);
            free(b);
            return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
        }
        for (int p = 0; p < 2; p++) {
            const gat_split sp = p ? GAT_SPLIT_TEST : GAT_SPLIT_VAL;
            memset(a, 0, (size_t)ds->n_nodes);
            int64_t cnt = 0, ent, pl[GAT_MAX_LAYERS + 1];
            for (int64_t i = 0; i < ds->split_size[sp]; i++) {
                cnt += !a[ds->split[sp][i]];
                a[ds->split[sp][i]] = 1;
            }
            for (int l = L - 1; l >= 0; l--) {
                pl[l] = cnt;
                cnt = expand(ds, a, b, &ent);
                uint8_t *t = a;
                a = b;
                b = t;
            }
            pl[L] = cnt;
            for (int l = 0; l <= L; l++) ps.eval_plan[l] = pl[l] > ps.eval_plan[l] ? pl[l] : ps.eval_plan[l];
        }
        free(a);
        free(b);
    }
    if (run->batch_size <= 0) {
        const int L = cfg->n_layers;
        uint8_t *a = calloc((size_t)ds->n_nodes + 1, 1), *b = calloc((size_t)ds->n_nodes + 1, 1);
        if (!a || !b) {
            free(a);
            free(b);
            return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
        }
        for (int p = 0; p < 2; p++) {
            int64_t *pl = p ? ps.val_plan : ps.train_plan;
            const gat_split s = p ? GAT_SPLIT_VAL : GAT_SPLIT_TRAIN;
            memset(a, 0, (size_t)ds->n_nodes);
            int64_t cnt = 0;
            for (int64_t i = 0; i < ds->split_size[s]; i++) {
                cnt += !a[ds->split[s][i]];
                a[ds->split[s][i]] = 1;
            }
            for (int l = L - 1; l >= 0; l--) {
                int64_t ent;
                pl[l] = cnt;
                cnt = expand(ds, a, b, &ent);
                uint8_t *t = a;
                a = b;
                b = t;
            }
            pl[L] = cnt;
            if (p == 0 && !ds->dense_features) {
                int64_t z = 0;
                for (int64_t i = 0; i < ds->n_nodes; i++)
                    if (a[i]) z += ds->features.row_ptr[i + 1] - ds->features.row_ptr[i];
                ps.train_plan_nnz = z;
            }
        }
        free(a);
        free(b);
    }
    *out = ps;
    return GAT_OK;
}

int gat_memory_estimate_dataset(const gat_config *cfg, const gat_dataset *ds, const gat_run_shape *run,
                                gat_memory_estimate *out, gat_error *err) {
    gat_problem_size *ps = malloc(sizeof *ps);
    if (!ps) return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
    int rc = gat_problem_size_measure(cfg, ds, run, ps, err);
    if (!rc) gat_memory_estimate_sizes(cfg, ps, run, out);
    free(ps);
    return rc;
}

static int64_t read_i64_file(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    char buf[64] = "";
    int64_t v = -1;
    if (fgets(buf, sizeof buf, fp)) {
        if (!strncmp(buf, "max", 3)) v = -1;
        else v = strtoll(buf, NULL, 10);
    }
    fclose(fp);
    return v;
}

int64_t gat_memory_available(void) {
    int64_t avail = -1;
    FILE *fp = fopen("/proc/meminfo", "r");
    if (fp) {
        char line[256];
        while (fgets(line, sizeof line, fp)) {
            long long kb;
            if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) {
                avail = (int64_t)kb * 1024;
                break;
            }
        }
        fclose(fp);
    }
    /* cgroup v2, then v1: the limit minus what the group already uses */
    int64_t lim = read_i64_file("/sys/fs/cgroup/memory.max"), use = read_i64_file("/sys/fs/cgroup/memory.current");
    if (lim < 0) {
        lim = read_i64_file("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        use = read_i64_file("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }
    if (lim > 0 && lim < ((int64_t)1 << 60)) {
        int64_t left = lim - (use > 0 ? use : 0);
        if (left < 0) left = 0;
        if (avail < 0 || left < avail) avail = left;
    }
    return avail;
}

int64_t gat_memory_suggest_batch(const gat_config *cfg, const gat_problem_size *ps, const gat_run_shape *run,
                                 double budget) {
    gat_run_shape r = *run;
    int has = 0;
    for (int l = 0; l < cfg->n_layers; l++) has |= r.fanouts[l] != 0;
    if (!has)
        for (int l = 0; l < cfg->n_layers; l++) r.fanouts[l] = 10;
    int64_t best = 0;
    for (int64_t b = 64; b <= 65536; b *= 2) {
        r.batch_size = b;
        gat_memory_estimate est;
        gat_memory_estimate_sizes(cfg, ps, &r, &est);
        if (est.total <= budget) best = b;
    }
    return best;
}
