/* memory.c - the memory a run will take, from its sizes (see memory.h).
 *
 * Each term mirrors an allocation in model.c, graph.c, train.c, sample.c, infer.c and the
 * loaders; a buffer that calloc leaves untouched costs no resident memory, so buffers that
 * a plan touches only in part (attention dropout masks, backward scratch) are counted by
 * the pages their rows reach. Keep this file in step when those allocations change. */
#include "gat/memory.h"

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

void gat_problem_size_of(const gat_dataset *ds, gat_problem_size *ps) {
    memset(ps, 0, sizeof *ps);
    ps->n_nodes = ds->n_nodes;
    ps->n_edges = ds->n_edges;
    ps->n_features = ds->n_features;
    ps->feature_nnz = ds->dense_features ? -1 : ds->features.nnz;
    ps->n_classes = ds->n_classes;
    for (int s = 0; s < 3; s++) ps->split_size[s] = ds->split_size[s];
    ps->edges_mapped = ds->edges_mapped;
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
        else if (c->dropout > 0) b += 5.0 * n * k;            /* x, x_mask */
        b += 5.0 * n * mw;                                    /* z, z_mask */
        b += 8.0 * n * h;                                     /* s_src, s_dst */
        b += 4.0 * nnz * h;                                   /* att */
        if (c->dropout > 0) b += touched(nnz * h, att_frac[l], row * h); /* att_mask */
        b += 4.0 * n * mw;                                    /* out */
        if (l == L - 1) b += 4.0 * n * ow;                    /* y */
        wmax = fmax(wmax, fmax(k, mw));
        hmax = fmax(hmax, h);
    }
    double last_mw = (double)(c->heads[L - 1] * c->features[L - 1]);
    double wdy = 0; /* dy, dx carry layer outputs and inputs of layers >= 1 */
    for (int l = 1; l < L; l++) wdy = fmax(wdy, (double)gat_config_in_width(c, l));
    wdy = fmax(wdy, (double)gat_config_out_width(c, L - 1));
    double wdz = 0;
    for (int l = 0; l < L; l++) wdz = fmax(wdz, (double)(c->heads[l] * c->features[l]));
    b += 4.0 * n * wdy * 2;                                   /* dy, dx */
    b += 4.0 * n * wdz;                                       /* dz */
    b += 4.0 * n * last_mw;                                   /* dout */
    if (c->skip) b += 4.0 * n * wmax;                         /* tmp */
    b += 8.0 * n * hmax;                                      /* ds_src, ds_dst */
    b += touched(4.0 * nnz * hmax, scratch_frac, row * hmax * 4.0); /* scratch */
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
    b += 8.0 * n;                                             /* labels */
    b += 8.0 * (double)(ps->split_size[0] + ps->split_size[1] + ps->split_size[2]);
    return b;
}

/* The loading peak: the sparse feature archive is read whole, parsed, then converted
 * (about three copies at once); an edge list that is not mapped is read, parsed, widened to
 * int64 and split in two (three copies of 16 E bytes while the features are resident). */
static double loading_bytes(const gat_problem_size *ps) {
    double n = (double)ps->n_nodes, e = 16.0 * (double)ps->n_edges;
    double feat = ps->feature_nnz >= 0 ? 8.0 * (double)ps->feature_nnz + 8.0 * (n + 1) : 4.0 * n * (double)ps->n_features;
    double f_peak = ps->feature_nnz >= 0 ? 3.0 * feat : 2.0 * feat;
    double e_peak = feat + (ps->edges_mapped ? e : 3.0 * e);
    return fmax(f_peak, e_peak) + 8.0 * n;
}

/* Nodes and edges of a sampled batch: each hop's frontier draws `draws` in-neighbours per
 * node; the draws land on distinct new nodes as uniform draws would among those not yet
 * reached (1 - exp(-draws / left) of them). */
static double hop_nodes(double seeds, const int64_t *fanouts, const double *draws, int hops, double avg_deg, double n,
                        double *edges) {
    double frontier = seeds, total = seeds, e = 0;
    for (int h = 0; h < hops; h++) {
        double f = draws[h] > 0 ? draws[h] : fanouts[h] < 0 ? avg_deg : fmin((double)fanouts[h], avg_deg * 1.5);
        double d = frontier * f, left = fmax(n - total, 0);
        e += d;
        frontier = left > 0 ? left * (1.0 - exp(-d / left)) : 0;
        total += frontier;
    }
    *edges = e;
    return fmin(total, n);
}

void gat_memory_estimate_sizes(const gat_config *c, const gat_problem_size *ps, const gat_run_shape *run,
                               gat_memory_estimate *out) {
    memset(out, 0, sizeof *out);
    const int L = c->n_layers;
    const double n = (double)ps->n_nodes, e = (double)ps->n_edges, nnz = e + n, classes = (double)ps->n_classes;
    const int sparse = ps->feature_nnz >= 0;
    const double xnnz = sparse ? (double)ps->feature_nnz : -1;
    /* parameters: the same count gat_model_init lays out */
    double np = 0, ntr = 0;
    for (int l = 0; l < L; l++) {
        double k = (double)gat_config_in_width(c, l), h = (double)c->heads[l], f = (double)c->features[l];
        double t = k * h * f + 2 * h * f + (c->bias ? (double)gat_config_out_width(c, l) : 0);
        if (c->skip && !gat_config_skip_identity(c, l)) t += k * h * f;
        ntr += t;
        np += t + (gat_config_skip_identity(c, l) ? k * h * f : 0);
    }
    out->parameters = 4.0 * np * (2 + (run->keep_best ? 1 : 0));
    out->optimizer = 8.0 * ntr;
    out->dataset = dataset_bytes(ps);
    out->loading = loading_bytes(ps);
    out->overhead = OVERHEAD;
    if (run->batch_size <= 0) {
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
        for (int p = 0; p < 2; p++) {
            const int64_t *pl = p ? ps->val_plan : ps->train_plan;
            for (int l = 0; l <= L; l++) out->graph += n + 8.0 * (pl[l] > 0 ? (double)pl[l] : n);
        }
        if (sparse) {
            double r0 = ps->train_plan_nnz > 0 ? (double)ps->train_plan_nnz : xnnz;
            out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * r0;  /* the training plan's column index */
            if (ps->val_plan[L] > 0) out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz * fmin(1.0, (double)ps->val_plan[L] / n);
            else out->graph += 8.0 * (double)(ps->n_features + 1) + 16.0 * xnnz;
        }
    } else {
        /* sampled: the largest batch's local problem, the forward-only graph and the
         * sampler's node map, and the layer-wise inference buffers */
        double be = 0, avg = n > 0 ? e / n : 0;
        double bn = hop_nodes(fmin((double)run->batch_size, (double)ps->split_size[0]), run->fanouts, ps->hop_draws, L,
                              avg, n, &be);
        out->batch_nodes = (int64_t)bn;
        out->batch_edges = (int64_t)be;
        double bnnz = be + bn, bx = sparse ? xnnz / fmax(n, 1) * bn : -1;
        double one[GAT_MAX_LAYERS];
        for (int l = 0; l < GAT_MAX_LAYERS; l++) one[l] = 1.0;
        double local = acts_bytes(c, bn, bnnz, bx, one, 1.0) + 4.0 * bn * classes;
        local += graph_bytes(bn, bnnz) + 8.0 * bn;                        /* local graph, its fill */
        local += sparse ? 8.0 * (bn + 1) + 8.0 * bx + 16.0 * bx + 8.0 * (double)(ps->n_features + 1)
                        : 4.0 * bn * (double)ps->n_features;              /* gathered input (+ column index) */
        local += 16.0 * bn + 8.0 * be * 2;                                /* node map, sampled edges */
        local += (L + 1) * (9.0 * bn);                                    /* plan */
        out->activations = local;
        out->graph = light_graph_bytes(n, nnz) + 8.0 * n + 8.0 * n;       /* + the sampler's map, build fill */
        double wmax = 0, mwmax = 0, hmax = 0;
        for (int l = 0; l < L; l++) {
            double ow = (double)gat_config_out_width(c, l), mw = (double)(c->heads[l] * c->features[l]);
            wmax = fmax(wmax, fmax(mw, ow));
            mwmax = fmax(mwmax, mw);
            hmax = fmax(hmax, (double)c->heads[l]);
        }
        out->inference = 4.0 * n * wmax * 2 + 4.0 * n * mwmax + 8.0 * n * hmax + 2.0 * n + 4.0 * n * classes +
                         fmin((double)INFER_CHUNK_ENTRIES, nnz) * (4.0 * hmax + 8.0);
    }
    double train_peak = out->dataset + out->parameters + out->optimizer + out->activations + out->inference + out->graph;
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

int gat_memory_estimate_dataset(const gat_config *cfg, const gat_dataset *ds, const gat_run_shape *run,
                                gat_memory_estimate *out, gat_error *err) {
    gat_problem_size ps;
    gat_problem_size_of(ds, &ps);
    if (run->batch_size > 0) {
        /* mean draws per node and hop from the in-degrees: seeds uniform, later hops by degree */
        int64_t *deg = calloc((size_t)ds->n_nodes + 1, sizeof *deg);
        if (!deg) return gat_error_set(err, GAT_ENOMEM, "memory estimate: out of memory");
        for (int64_t k = 0; k < ds->n_edges; k++) deg[ds->edge_dst[k]] += ds->edge_src[k] != ds->edge_dst[k];
        for (int h = 0; h < cfg->n_layers; h++) {
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
    gat_memory_estimate_sizes(cfg, &ps, run, out);
    return GAT_OK;
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
