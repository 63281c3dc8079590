/* ppigen.c - PPI-like synthetic collections of graphs (see ppigen.h). */
#include "gat/ppigen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/fileio.h"
#include "gat/npy.h"
#include "gat/rng.h"

#define LATENT 16

enum { S_SIZE = 1, S_COMM, S_CENTRE, S_LATENT, S_DEG, S_PARTNER, S_ZERO, S_MIX, S_FEAT, S_W, S_NOISE, S_RATE, S_LOOP };

gat_ppigen_options gat_ppigen_options_default(void) {
    gat_ppigen_options o;
    memset(&o, 0, sizeof o);
    o.scale = 1.0;
    o.graphs[0] = 20;
    o.graphs[1] = 2;
    o.graphs[2] = 2;
    o.nodes_per_graph = 2373;
    o.avg_degree = 28;
    o.homophily = 0.85;
    o.n_features = 50;
    o.zero_share = 0.42;
    o.n_labels = 121;
    o.positive = 0.30;
    o.seed = 1;
    return o;
}

int gat_ppigen_options_check(const gat_ppigen_options *o, gat_error *err) {
    if (!(o->scale > 0 && o->scale <= 1000)) return gat_error_set(err, GAT_EINVAL, "--scale: %g must be in (0, 1000]", o->scale);
    for (int s = 0; s < 3; s++)
        if (o->graphs[s] < 1 || o->graphs[s] > 100000)
            return gat_error_set(err, GAT_EINVAL, "--graphs: every split needs 1..100000 graphs");
    if (o->nodes_per_graph < 8) return gat_error_set(err, GAT_EINVAL, "--nodes-per-graph: at least 8");
    if (!(o->avg_degree >= 0 && o->avg_degree <= 10000))
        return gat_error_set(err, GAT_EINVAL, "--avg-degree: %g must be in [0, 10000]", o->avg_degree);
    if (!(o->homophily >= 0 && o->homophily <= 1))
        return gat_error_set(err, GAT_EINVAL, "--homophily: %g must be in [0, 1]", o->homophily);
    if (o->n_features < 1 || o->n_features > 100000) return gat_error_set(err, GAT_EINVAL, "--features: 1..100000");
    if (!(o->zero_share >= 0 && o->zero_share < 1))
        return gat_error_set(err, GAT_EINVAL, "--zero-share: %g must be in [0, 1)", o->zero_share);
    if (o->n_labels < 1 || o->n_labels > 100000) return gat_error_set(err, GAT_EINVAL, "--labels: 1..100000");
    if (!(o->positive > 0 && o->positive <= 0.66))
        return gat_error_set(err, GAT_EINVAL, "--positive: %g must be in (0, 0.66] (rates spread to 1.5x)", o->positive);
    return GAT_OK;
}

static double gauss(uint64_t key, uint64_t i) {
    double u = gat_rng_uniform64(key, 2 * i), v = gat_rng_uniform64(key, 2 * i + 1);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static int cmp_pair(const void *a, const void *b) {
    const int64_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int write_npy(const char *dir, const char *split, const char *what, gat_dtype t, int ndim, const int64_t *shape,
                     const void *data, gat_error *err) {
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/%s_%s.npy", dir, split, what);
    if (rc) return rc;
    gat_array a;
    memset(&a, 0, sizeof a);
    a.dtype = t;
    a.itemsize = gat_dtype_size(t);
    a.ndim = ndim;
    a.size = 1;
    for (int d = 0; d < ndim; d++) {
        a.shape[d] = shape[d];
        a.size *= (size_t)shape[d];
    }
    a.data = (void *)data;
    return gat_npy_write(path, &a, err);
}

int gat_ppigen_write(const char *dir, const gat_ppigen_options *o, gat_ppigen_stats *st, gat_error *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(st, 0, sizeof *st);
    int rc = gat_ppigen_options_check(o, err);
    if (rc) return rc;
    if ((rc = gat_mkdirs(dir, err))) return rc;
    const int64_t G = o->graphs[0] + o->graphs[1] + o->graphs[2], F = o->n_features, C = o->n_labels, D = LATENT;
    const uint64_t seed = o->seed;
    int64_t *gptr = malloc(((size_t)G + 1) * sizeof *gptr), *kcomm = malloc(((size_t)G + 1) * sizeof *kcomm);
    if (!gptr || !kcomm) {
        free(gptr);
        free(kcomm);
        return gat_error_set(err, GAT_ENOMEM, "out of memory");
    }
    gptr[0] = 0;
    double usum = 0; /* sizes spread 0.5x..1.5x, rescaled so that their mean is nodes_per_graph * scale */
    for (int64_t g = 0; g < G; g++) usum += 0.5 + gat_rng_uniform64(gat_rng_key(seed, S_SIZE, 0, 0), (uint64_t)g);
    for (int64_t g = 0; g < G; g++) {
        double u = (0.5 + gat_rng_uniform64(gat_rng_key(seed, S_SIZE, 0, 0), (uint64_t)g)) * (double)G / usum;
        int64_t n = (int64_t)llround((double)o->nodes_per_graph * o->scale * u);
        if (n < 8) n = 8;
        gptr[g + 1] = gptr[g] + n;
        kcomm[g] = 2 + n / 400;
    }
    const int64_t N = gptr[G];
    int32_t *comm = malloc(((size_t)N + 1) * sizeof *comm);
    int64_t *members = malloc(((size_t)N + 1) * sizeof *members), *cptr = NULL;
    float *h = malloc(((size_t)(N * D) + 1) * sizeof *h), *agg = calloc((size_t)(N * D) + 1, sizeof *agg);
    float *x = calloc((size_t)(N * F) + 1, sizeof *x), *score = malloc(((size_t)(N * C) + 1) * sizeof *score);
    float *colbuf = malloc(((size_t)N + 1) * sizeof *colbuf), *thr = malloc(((size_t)C + 1) * sizeof *thr);
    int64_t *deg = calloc((size_t)N + 1, sizeof *deg), *labels = NULL, *graph_id = malloc(((size_t)N + 1) * sizeof *graph_id);
    int64_t *pairs = NULL, n_pairs = 0, cap_pairs = 0, *link_ptr = calloc((size_t)G + 1, sizeof *link_ptr);
    uint8_t *zero = malloc((size_t)N + 1);
    if (!comm || !members || !h || !agg || !x || !score || !colbuf || !thr || !deg || !graph_id || !link_ptr || !zero) goto nomem;
    /* communities and latent vectors */
    for (int64_t g = 0; g < G; g++)
        for (int64_t u = gptr[g]; u < gptr[g + 1]; u++) {
            int64_t c = (int64_t)(gat_rng_uniform64(gat_rng_key(seed, S_COMM, 0, 0), (uint64_t)u) * (double)kcomm[g]);
            comm[u] = (int32_t)(c < kcomm[g] ? c : kcomm[g] - 1);
            graph_id[u] = g + 1;
            const uint64_t kc = gat_rng_key(seed, S_CENTRE, (uint64_t)g, (uint64_t)comm[u]);
            const uint64_t kl = gat_rng_key(seed, S_LATENT, (uint64_t)u, 0);
            for (int64_t d = 0; d < D; d++) h[u * D + d] = (float)(gauss(kc, (uint64_t)d) + 0.7 * gauss(kl, (uint64_t)d));
        }
    /* members of each (graph, community), for drawing partners */
    int64_t total_comm = 0;
    for (int64_t g = 0; g < G; g++) total_comm += kcomm[g];
    cptr = calloc((size_t)total_comm + 2, sizeof *cptr);
    if (!cptr) goto nomem;
    {
        int64_t base = 0;
        for (int64_t g = 0; g < G; g++) {
            for (int64_t u = gptr[g]; u < gptr[g + 1]; u++) cptr[base + comm[u] + 1]++;
            base += kcomm[g];
        }
        for (int64_t c = 0; c < total_comm; c++) cptr[c + 1] += cptr[c];
        int64_t *fill = malloc(((size_t)total_comm + 1) * sizeof *fill);
        if (!fill) goto nomem;
        memcpy(fill, cptr, (size_t)total_comm * sizeof *fill);
        base = 0;
        for (int64_t g = 0; g < G; g++) {
            for (int64_t u = gptr[g]; u < gptr[g + 1]; u++) members[fill[base + comm[u]]++] = u;
            base += kcomm[g];
        }
        free(fill);
    }
    /* edges, graph by graph: undirected pairs (a <= b), kept once */
    {
        int64_t cbase = 0;
        const double sigma = 0.8, mean_draws = o->avg_degree / 2.0;
        for (int64_t g = 0; g < G; g++) {
            int64_t start = n_pairs, n = gptr[g + 1] - gptr[g];
            for (int64_t u = gptr[g]; u < gptr[g + 1]; u++) {
                const uint64_t kd = gat_rng_key(seed, S_DEG, (uint64_t)u, 0);
                double w = mean_draws * exp(sigma * gauss(kd, 0) - 0.5 * sigma * sigma);
                int64_t k = (int64_t)floor(w + gat_rng_uniform64(kd, 7));
                if (k > n - 1) k = n - 1;
                const uint64_t kp = gat_rng_key(seed, S_PARTNER, (uint64_t)u, 0);
                int64_t c0 = cptr[cbase + comm[u]], csz = cptr[cbase + comm[u] + 1] - c0;
                int extra_loop = gat_rng_uniform64(gat_rng_key(seed, S_LOOP, 0, 0), (uint64_t)u) < 0.005;
                for (int64_t t = 0; t < k + extra_loop; t++) {
                    int64_t v;
                    if (t == k) v = u; /* the self loop */
                    else if (gat_rng_uniform64(kp, (uint64_t)(3 * t)) < o->homophily && csz > 1)
                        v = members[c0 + (int64_t)(gat_rng_uniform64(kp, (uint64_t)(3 * t + 1)) * (double)csz) % csz];
                    else
                        v = gptr[g] + (int64_t)(gat_rng_uniform64(kp, (uint64_t)(3 * t + 2)) * (double)n) % n;
                    if (v == u && t < k) continue;
                    if (n_pairs == cap_pairs) {
                        cap_pairs = cap_pairs ? 2 * cap_pairs : 1 << 16;
                        int64_t *np = realloc(pairs, (size_t)cap_pairs * 2 * sizeof *np);
                        if (!np) goto nomem;
                        pairs = np;
                    }
                    pairs[2 * n_pairs] = u < v ? u : v;
                    pairs[2 * n_pairs + 1] = u < v ? v : u;
                    n_pairs++;
                }
            }
            qsort(pairs + 2 * start, (size_t)(n_pairs - start), 2 * sizeof *pairs, cmp_pair);
            int64_t w = start;
            for (int64_t q = start; q < n_pairs; q++)
                if (q == start || cmp_pair(pairs + 2 * q, pairs + 2 * (w - 1)) != 0) {
                    pairs[2 * w] = pairs[2 * q];
                    pairs[2 * w + 1] = pairs[2 * q + 1];
                    w++;
                }
            n_pairs = w;
            link_ptr[g + 1] = n_pairs;
            cbase += kcomm[g];
        }
    }
    /* neighbourhood means of the latent vectors (the node itself included once) */
    for (int64_t u = 0; u < N; u++) {
        deg[u] = 1;
        memcpy(agg + u * D, h + u * D, (size_t)D * sizeof *agg);
    }
    for (int64_t q = 0; q < n_pairs; q++) {
        int64_t a = pairs[2 * q], b = pairs[2 * q + 1];
        if (a == b) continue;
        for (int64_t d = 0; d < D; d++) {
            agg[a * D + d] += h[b * D + d];
            agg[b * D + d] += h[a * D + d];
        }
        deg[a]++;
        deg[b]++;
    }
    /* features */
    {
        const uint64_t ka = gat_rng_key(seed, S_MIX, 0, 0);
        int64_t zeros = 0;
        for (int64_t u = 0; u < N; u++) {
            zero[u] = gat_rng_uniform64(gat_rng_key(seed, S_ZERO, 0, 0), (uint64_t)u) < o->zero_share;
            zeros += zero[u];
            if (zero[u]) continue;
            const uint64_t kf = gat_rng_key(seed, S_FEAT, (uint64_t)u, 0);
            for (int64_t f = 0; f < F; f++) {
                double s = 0;
                for (int64_t d = 0; d < D; d++) s += gauss(ka, (uint64_t)(f * D + d)) / sqrt((double)D) * h[u * D + d];
                x[u * F + f] = (float)(s + 0.5 * gauss(kf, (uint64_t)f));
            }
        }
        st->zero_share = (double)zeros / (double)N;
    }
    /* labels: thresholded linear functions of the neighbourhood mean */
    {
        const uint64_t kw = gat_rng_key(seed, S_W, 0, 0);
        double *wk = malloc(((size_t)(C * D) + 1) * sizeof *wk);
        if (!wk) goto nomem;
        for (int64_t i = 0; i < C * D; i++) wk[i] = gauss(kw, (uint64_t)i);
        for (int64_t u = 0; u < N; u++) {
            const uint64_t kn = gat_rng_key(seed, S_NOISE, (uint64_t)u, 0);
            for (int64_t k = 0; k < C; k++) {
                double s = 0;
                for (int64_t d = 0; d < D; d++) s += wk[k * D + d] * agg[u * D + d];
                score[u * C + k] = (float)(s / (double)deg[u] / sqrt((double)D) * 2.0 + 0.3 * gauss(kn, (uint64_t)k));
            }
        }
        free(wk);
        for (int64_t k = 0; k < C; k++) {
            double p = o->positive * (0.5 + gat_rng_uniform64(gat_rng_key(seed, S_RATE, 0, 0), (uint64_t)k));
            for (int64_t u = 0; u < N; u++) colbuf[u] = score[u * C + k];
            qsort(colbuf, (size_t)N, sizeof *colbuf, cmp_float);
            int64_t at = (int64_t)floor((1.0 - p) * (double)N);
            if (at >= N) at = N - 1;
            thr[k] = colbuf[at];
        }
    }
    /* write the three splits */
    static const char *split_name[3] = {"train", "valid", "test"};
    int64_t g0 = 0, pos_count = 0;
    for (int s = 0; s < 3 && !rc; s++) {
        int64_t g1 = g0 + o->graphs[s], base = gptr[g0], ns = gptr[g1] - base;
        st->split_nodes[s] = ns;
        free(labels);
        labels = malloc(((size_t)(ns * C) + 1) * sizeof *labels);
        if (!labels) goto nomem;
        for (int64_t u = 0; u < ns; u++)
            for (int64_t k = 0; k < C; k++) {
                labels[u * C + k] = score[(base + u) * C + k] >= thr[k];
                pos_count += labels[u * C + k];
            }
        const int64_t fshape[2] = {ns, F}, lshape[2] = {ns, C}, gshape[1] = {ns};
        if ((rc = write_npy(dir, split_name[s], "feats", GAT_DTYPE_F32, 2, fshape, x + base * F, err))) break;
        if ((rc = write_npy(dir, split_name[s], "labels", GAT_DTYPE_I64, 2, lshape, labels, err))) break;
        if ((rc = write_npy(dir, split_name[s], "graph_id", GAT_DTYPE_I64, 1, gshape, graph_id + base, err))) break;
        char path[4200];
        gat_outfile of;
        memset(&of, 0, sizeof of);
        if ((rc = gat_path_join(path, sizeof path, err, "%s/%s_graph.json", dir, split_name[s]))) break;
        if ((rc = gat_outfile_open(&of, path, err))) break;
        fprintf(of.fp, "{\"directed\": false, \"multigraph\": false, \"graph\": {}, \"nodes\": [");
        for (int64_t u = 0; u < ns; u++)
            fprintf(of.fp, "%s{\"test\": %s, \"id\": %lld, \"val\": %s}", u ? ", " : "", s == 2 ? "true" : "false",
                    (long long)u, s == 1 ? "true" : "false");
        fprintf(of.fp, "], \"links\": [");
        for (int64_t q = link_ptr[g0]; q < link_ptr[g1]; q++)
            fprintf(of.fp, "%s{\"source\": %lld, \"target\": %lld}", q > link_ptr[g0] ? ", " : "",
                    (long long)(pairs[2 * q] - base), (long long)(pairs[2 * q + 1] - base));
        fprintf(of.fp, "]}\n");
        if ((rc = gat_outfile_commit(&of, err))) break;
        g0 = g1;
    }
    if (!rc) {
        st->n_graphs = G;
        st->n_nodes = N;
        st->n_links = n_pairs;
        st->positive = (double)pos_count / ((double)N * (double)C);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        st->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        char path[4200], text[2048];
        int len = snprintf(text, sizeof text,
                           "{\n  \"generator\": \"gat generate ppi-like\",\n  \"scale\": %.17g,\n  \"seed\": %llu,\n"
                           "  \"graphs\": [%lld, %lld, %lld],\n  \"nodes_per_graph\": %lld,\n  \"avg_degree\": %.17g,\n"
                           "  \"homophily\": %.17g,\n  \"features\": %lld,\n  \"zero_share\": %.17g,\n  \"labels\": %lld,\n"
                           "  \"positive\": %.17g,\n  \"nodes\": %lld,\n  \"split_nodes\": [%lld, %lld, %lld],\n"
                           "  \"undirected_links\": %lld,\n  \"measured_positive\": %.6f,\n  \"measured_zero_share\": %.6f\n}\n",
                           o->scale, (unsigned long long)o->seed, (long long)o->graphs[0], (long long)o->graphs[1],
                           (long long)o->graphs[2], (long long)o->nodes_per_graph, o->avg_degree, o->homophily,
                           (long long)F, o->zero_share, (long long)C, o->positive, (long long)N,
                           (long long)st->split_nodes[0], (long long)st->split_nodes[1], (long long)st->split_nodes[2],
                           (long long)n_pairs, st->positive, st->zero_share);
        rc = gat_path_join(path, sizeof path, err, "%s/generated.json", dir);
        if (!rc) rc = gat_write_file(path, text, (size_t)len, err);
    }
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "gat generate ppi-like: out of memory");
done:
    free(gptr);
    free(kcomm);
    free(comm);
    free(members);
    free(cptr);
    free(h);
    free(agg);
    free(x);
    free(score);
    free(colbuf);
    free(thr);
    free(deg);
    free(labels);
    free(graph_id);
    free(pairs);
    free(link_ptr);
    free(zero);
    return rc;
}
