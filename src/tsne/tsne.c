/* tsne.c - t-SNE: input affinities, initialisation, gradient descent, CSV output.
 * The force terms and the quadtree are in tsne_bh.c, quality measures in tsne_metrics.c. */
#include "gat/tsne.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gat/fileio.h"
#include "tsne_internal.h"

#define PERPLEXITY_TOL 1e-5
#define PERPLEXITY_STEPS 100

void gat_tsne_options_default(gat_tsne_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->perplexity = 30;
    opt->n_iter = 1000;
    opt->learning_rate = 0;            /* auto */
    opt->early_exaggeration = 12;
    opt->exaggeration_iter = 250;
    opt->momentum_early = 0.5;
    opt->momentum = 0.8;
    opt->min_gain = 0.01;
    opt->theta = 0.5;
    opt->method = GAT_TSNE_AUTO;
    opt->init = GAT_TSNE_INIT_RANDOM;
    opt->seed = 1;                     /* as gat train's and gat visualize's --seed */
    opt->progress_every = 50;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- counter-based random numbers: value k of stream `seed` ---- */

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static double rng_uniform(uint64_t seed, uint64_t k) {
    uint64_t z = mix64(mix64(seed ^ 0x74736e65ULL) + 0x9e3779b97f4a7c15ULL * (k + 1));
    return ((double)(z >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

/* Standard normal number k of the stream (Box-Muller over uniforms 2k and 2k+1). */
static double rng_normal(uint64_t seed, uint64_t k) {
    double u1 = rng_uniform(seed, 2 * k), u2 = rng_uniform(seed, 2 * k + 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- checks ---- */

static int check_options(const gat_tsne_options *o, int64_t n, int64_t d, gat_error *err) {
    if (n < 2) return gat_error_set(err, GAT_EINVAL, "t-SNE: need at least 2 points, got %lld", (long long)n);
    if (d < 1) return gat_error_set(err, GAT_EINVAL, "t-SNE: need at least 1 input dimension, got %lld", (long long)d);
    if (!(o->perplexity > 0) || !isfinite(o->perplexity))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: perplexity must be > 0, got %g", o->perplexity);
    if (o->perplexity >= (double)(n - 1))
        return gat_error_set(err, GAT_EINVAL,
                             "t-SNE: perplexity %g must be less than the number of points minus one (%lld); "
                             "use a smaller perplexity", o->perplexity, (long long)(n - 1));
    if (o->n_iter < 1) return gat_error_set(err, GAT_EINVAL, "t-SNE: n_iter must be >= 1, got %d", o->n_iter);
    if (o->exaggeration_iter < 0)
        return gat_error_set(err, GAT_EINVAL, "t-SNE: exaggeration_iter must be >= 0, got %d", o->exaggeration_iter);
    if (!(o->early_exaggeration >= 1) || !isfinite(o->early_exaggeration))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: early_exaggeration must be >= 1, got %g", o->early_exaggeration);
    if (!isfinite(o->learning_rate))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: learning_rate must be finite (<= 0 for auto), got %g", o->learning_rate);
    if (!(o->momentum_early >= 0 && o->momentum_early < 1) || !(o->momentum >= 0 && o->momentum < 1))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: momentum must be in [0, 1), got %g and %g", o->momentum_early, o->momentum);
    if (!(o->min_gain >= 0 && o->min_gain <= 1))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: min_gain must be in [0, 1], got %g", o->min_gain);
    if (!(o->theta >= 0 && o->theta <= 1))
        return gat_error_set(err, GAT_EINVAL, "t-SNE: theta must be in [0, 1], got %g", o->theta);
    if (o->method != GAT_TSNE_AUTO && o->method != GAT_TSNE_EXACT && o->method != GAT_TSNE_BARNES_HUT)
        return gat_error_set(err, GAT_EINVAL, "t-SNE: unknown method %d", (int)o->method);
    if (o->init != GAT_TSNE_INIT_RANDOM && o->init != GAT_TSNE_INIT_PCA)
        return gat_error_set(err, GAT_EINVAL, "t-SNE: unknown init %d", (int)o->init);
    if (o->progress_every < 0)
        return gat_error_set(err, GAT_EINVAL, "t-SNE: progress_every must be >= 0, got %d", o->progress_every);
    return GAT_OK;
}

static int check_finite(const float *x, int64_t n, int64_t d, gat_error *err) {
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            if (!isfinite(x[i * d + j]))
                return gat_error_set(err, GAT_ERANGE, "t-SNE: input row %lld, column %lld is %s", (long long)i,
                                     (long long)j, isnan(x[i * d + j]) ? "NaN" : "infinite");
    return GAT_OK;
}

double tsne_sqdist(const float *a, const float *b, int64_t d) {
    double s = 0;
    for (int64_t k = 0; k < d; k++) {
        double t = (double)a[k] - (double)b[k];
        s += t * t;
    }
    return s;
}

/* ---- input affinities ---- */

/* Conditional probabilities p_{j|i} over m squared distances dist (entry `skip` ignored,
 * set to 0) with the Gaussian bandwidth whose perplexity matches, by bisection on
 * beta = 1 / (2 sigma^2) as in scikit-learn's _binary_search_perplexity. Distances are
 * shifted by their minimum, which leaves P unchanged and avoids underflow. */
static void perplexity_row(const double *dist, int64_t m, int64_t skip, double perplexity, double *p) {
    const double target = log(perplexity);
    double dmin = INFINITY;
    for (int64_t j = 0; j < m; j++)
        if (j != skip && dist[j] < dmin) dmin = dist[j];
    double beta = 1, beta_min = -INFINITY, beta_max = INFINITY;
    for (int step = 0; step < PERPLEXITY_STEPS; step++) {
        double sum = 0;
        for (int64_t j = 0; j < m; j++) {
            p[j] = j == skip ? 0 : exp(-(dist[j] - dmin) * beta);
            sum += p[j];
        }
        if (sum == 0) sum = 1e-8;
        double sum_dp = 0;
        for (int64_t j = 0; j < m; j++) {
            p[j] /= sum;
            if (j != skip) sum_dp += (dist[j] - dmin) * p[j];
        }
        double diff = log(sum) + beta * sum_dp - target;
        if (fabs(diff) <= PERPLEXITY_TOL) break;
        if (diff > 0) {
            beta_min = beta;
            beta = beta_max == INFINITY ? beta * 2 : (beta + beta_max) / 2;
        } else {
            beta_max = beta;
            beta = beta_min == -INFINITY ? beta / 2 : (beta + beta_min) / 2;
        }
    }
}

/* Dense joint P (N, N) for the exact method: P = (P_cond + P_cond^T) / sum, floored at
 * DBL_EPSILON off the diagonal as scikit-learn does. */
static void affinities_exact(const float *x, int64_t n, int64_t d, double perplexity, double *p, double *dist) {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 8)
#endif
    for (int64_t i = 0; i < n; i++) {
        double *row = dist + (size_t)i * (size_t)n;
        for (int64_t j = 0; j < n; j++) row[j] = j == i ? 0 : tsne_sqdist(x + i * d, x + j * d, d);
        perplexity_row(row, n, i, perplexity, p + (size_t)i * (size_t)n);
    }
    double total = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) {
            double s = p[(size_t)i * n + j] + p[(size_t)j * n + i];
            p[(size_t)i * n + j] = p[(size_t)j * n + i] = s;
            total += 2 * s;
        }
    if (total < DBL_MIN) total = DBL_MIN;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
            p[(size_t)i * n + j] = i == j ? 0 : fmax(p[(size_t)i * n + j] / total, DBL_EPSILON);
}

/* (distance, index) ordering: nearer first, lower index on ties. */
int tsne_nb_less(double da, int64_t ia, double db, int64_t ib) {
    return da < db || (da == db && ia < ib);
}

void tsne_knn_row(const float *x, int64_t n, int64_t d, int64_t i, int64_t k, int64_t *hi, double *hd) {
    int64_t size = 0;
    for (int64_t j = 0; j < n; j++) {
        if (j == i) continue;
        double dj = tsne_sqdist(x + i * d, x + j * d, d);
        if (size < k) {                    /* sift up */
            int64_t c = size++;
            while (c > 0) {
                int64_t par = (c - 1) / 2;
                if (!tsne_nb_less(hd[par], hi[par], dj, j)) break;
                hd[c] = hd[par];
                hi[c] = hi[par];
                c = par;
            }
            hd[c] = dj;
            hi[c] = j;
        } else if (tsne_nb_less(dj, j, hd[0], hi[0])) { /* replace the farthest, sift down */
            int64_t c = 0;
            for (;;) {
                int64_t l = 2 * c + 1, r = l + 1, m = c;
                double md = dj;
                int64_t mi = j;
                if (l < k && tsne_nb_less(md, mi, hd[l], hi[l])) { m = l; md = hd[l]; mi = hi[l]; }
                if (r < k && tsne_nb_less(md, mi, hd[r], hi[r])) { m = r; }
                if (m == c) break;
                hd[c] = hd[m];
                hi[c] = hi[m];
                c = m;
            }
            hd[c] = dj;
            hi[c] = j;
        }
    }
    /* heap sort in place: ascending */
    for (int64_t end = k - 1; end > 0; end--) {
        double td = hd[0];
        int64_t ti = hi[0];
        double vd = hd[end];
        int64_t vi = hi[end];
        hd[end] = td;
        hi[end] = ti;
        int64_t c = 0;
        for (;;) {
            int64_t l = 2 * c + 1, r = l + 1, m = c;
            double md = vd;
            int64_t mi = vi;
            if (l < end && tsne_nb_less(md, mi, hd[l], hi[l])) { m = l; md = hd[l]; mi = hi[l]; }
            if (r < end && tsne_nb_less(md, mi, hd[r], hi[r])) { m = r; }
            if (m == c) break;
            hd[c] = hd[m];
            hi[c] = hi[m];
            c = m;
        }
        hd[c] = vd;
        hi[c] = vi;
    }
}

/* Brute-force kNN of every point, parallel over points. */
static void knn_bruteforce(const float *x, int64_t n, int64_t d, int64_t k, int64_t *idx, double *dist) {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16)
#endif
    for (int64_t i = 0; i < n; i++) tsne_knn_row(x, n, d, i, k, idx + i * k, dist + i * k);
}

typedef struct { int64_t col; double val; } coo_entry;

static int coo_cmp(const void *a, const void *b) {
    int64_t x = ((const coo_entry *)a)->col, y = ((const coo_entry *)b)->col;
    return (x > y) - (x < y);
}

static void tsne_sparse_free(tsne_sparse *s) {
    free(s->row_ptr);
    free(s->col);
    free(s->val);
    memset(s, 0, sizeof *s);
}

/* Sparse joint P over the k nearest neighbours: conditional P per row, then
 * P = (P_cond + P_cond^T) / sum. Each symmetric entry is the sum of at most two
 * values, so the result does not depend on the order of work. */
static int affinities_bh(const float *x, int64_t n, int64_t d, int64_t k, double perplexity, tsne_sparse *out,
                         gat_error *err) {
    int rc = GAT_OK;
    int64_t *idx = malloc((size_t)n * (size_t)k * sizeof *idx);
    double *dist = malloc((size_t)n * (size_t)k * sizeof *dist);
    double *pc = malloc((size_t)n * (size_t)k * sizeof *pc);
    int64_t *fill = calloc((size_t)n + 1, sizeof *fill);
    coo_entry *ent = malloc(2 * (size_t)n * (size_t)k * sizeof *ent);
    memset(out, 0, sizeof *out);
    out->row_ptr = calloc((size_t)n + 1, sizeof *out->row_ptr);
    if (!idx || !dist || !pc || !fill || !ent || !out->row_ptr) {
        rc = gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for the affinities of %lld points x %lld neighbours",
                           (long long)n, (long long)k);
        goto fail;
    }
    knn_bruteforce(x, n, d, k, idx, dist);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 64)
#endif
    for (int64_t i = 0; i < n; i++) perplexity_row(dist + i * k, k, -1, perplexity, pc + i * k);

    /* both directions of every entry, bucketed by row */
    int64_t *start = out->row_ptr;
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = 0; e < k; e++) {
            start[i + 1]++;
            start[idx[i * k + e] + 1]++;
        }
    for (int64_t i = 0; i < n; i++) start[i + 1] += start[i];
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = 0; e < k; e++) {
            int64_t j = idx[i * k + e];
            double v = pc[i * k + e];
            ent[start[i] + fill[i]++] = (coo_entry){j, v};
            ent[start[j] + fill[j]++] = (coo_entry){i, v};
        }
    /* sort each row by column, merge duplicates, compact in place */
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t a = start[i], b = start[i + 1];
        qsort(ent + a, (size_t)(b - a), sizeof *ent, coo_cmp);
        start[i] = nnz;
        for (int64_t e = a; e < b; e++) {
            if (nnz > start[i] && ent[nnz - 1].col == ent[e].col)
                ent[nnz - 1].val += ent[e].val;
            else
                ent[nnz++] = ent[e];
        }
    }
    start[n] = nnz;
    out->n = n;
    out->nnz = nnz;
    out->col = malloc((size_t)nnz * sizeof *out->col);
    out->val = malloc((size_t)nnz * sizeof *out->val);
    if (!out->col || !out->val) {
        rc = gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for %lld affinities", (long long)nnz);
        goto fail;
    }
    double total = 0;
    for (int64_t e = 0; e < nnz; e++) total += ent[e].val;
    if (total < DBL_MIN) total = DBL_MIN;
    for (int64_t e = 0; e < nnz; e++) {
        out->col[e] = ent[e].col;
        out->val[e] = ent[e].val / total;
    }
    goto done;
fail:
    tsne_sparse_free(out);
done:
    free(idx);
    free(dist);
    free(pc);
    free(fill);
    free(ent);
    return rc;
}

/* ---- initial embedding ---- */

static void init_random(double *y, int64_t n, uint64_t seed) {
    for (int64_t e = 0; e < 2 * n; e++) y[e] = 1e-4 * rng_normal(seed, (uint64_t)e);
}

/* Gram-Schmidt on the rows of v (axes, D). */
static void orthonormalise(double *v, int axes, int64_t d) {
    for (int a = 0; a < axes; a++) {
        double *va = v + a * d;
        for (int b = 0; b < a; b++) {
            double dot = 0;
            for (int64_t j = 0; j < d; j++) dot += va[j] * v[b * d + j];
            for (int64_t j = 0; j < d; j++) va[j] -= dot * v[b * d + j];
        }
        double nrm = 0;
        for (int64_t j = 0; j < d; j++) nrm += va[j] * va[j];
        nrm = sqrt(nrm);
        if (nrm == 0) nrm = 1;
        for (int64_t j = 0; j < d; j++) va[j] /= nrm;
    }
}

/* Project the centred x on its first two principal axes, found by subspace (block power)
 * iteration on X^T X with Gram-Schmidt, then scale so that the first coordinate has
 * standard deviation 1e-4 (scikit-learn's init='pca'). Signs are fixed so that each
 * axis' largest component is positive. Serial sums: deterministic. O(iters N D). */
static int init_pca(const float *x, int64_t n, int64_t d, uint64_t seed, double *y, gat_error *err) {
    int rc = GAT_OK;
    double *mean = calloc((size_t)d, sizeof *mean);
    double *v = malloc(2 * (size_t)d * sizeof *v);      /* (2, D) axes */
    double *w = malloc(2 * (size_t)d * sizeof *w);      /* (2, D) X^T X v */
    if (!mean || !v || !w) {
        rc = gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for the PCA initialisation");
        goto fail;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;
    for (int64_t j = 0; j < 2 * d; j++) v[j] = rng_normal(seed ^ 0x5043415fULL, (uint64_t)j);
    int axes = d >= 2 ? 2 : 1;
    orthonormalise(v, axes, d);
    for (int it = 0; it < 300; it++) {
        /* w = Xc^T Xc v */
        memset(w, 0, 2 * (size_t)d * sizeof *w);
        for (int64_t i = 0; i < n; i++) {
            const float *xi = x + i * d;
            for (int a = 0; a < axes; a++) {
                double s = 0;
                for (int64_t j = 0; j < d; j++) s += (xi[j] - mean[j]) * v[a * d + j];
                for (int64_t j = 0; j < d; j++) w[a * d + j] += s * (xi[j] - mean[j]);
            }
        }
        orthonormalise(w, axes, d);
        double change = 0;
        for (int a = 0; a < axes; a++) {
            double dot = 0;
            for (int64_t j = 0; j < d; j++) dot += v[a * d + j] * w[a * d + j];
            change = fmax(change, 1 - fabs(dot));
        }
        memcpy(v, w, 2 * (size_t)d * sizeof *v);
        if (change < 1e-13) break;
    }
    for (int a = 0; a < axes; a++) {           /* sign: largest |component| positive */
        int64_t arg = 0;
        for (int64_t j = 1; j < d; j++)
            if (fabs(v[a * d + j]) > fabs(v[a * d + arg])) arg = j;
        if (v[a * d + arg] < 0)
            for (int64_t j = 0; j < d; j++) v[a * d + j] = -v[a * d + j];
    }
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < 2; a++) {
            double s = 0;
            if (a < axes)
                for (int64_t j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * v[a * d + j];
            y[2 * i + a] = s;
        }
    double m0 = 0, var = 0;
    for (int64_t i = 0; i < n; i++) m0 += y[2 * i];
    m0 /= (double)n;
    for (int64_t i = 0; i < n; i++) var += (y[2 * i] - m0) * (y[2 * i] - m0);
    double sd = sqrt(var / (double)n);
    if (!(sd > 0)) {                           /* all points equal: fall back to random */
        init_random(y, n, seed);
    } else {
        for (int64_t e = 0; e < 2 * n; e++) y[e] *= 1e-4 / sd;
    }
fail:
    free(mean);
    free(v);
    free(w);
    return rc;
}

/* ---- the optimiser ---- */

int gat_tsne_run(const float *x, int64_t n, int64_t d, const gat_tsne_options *opt_in, float *y_out,
                 gat_tsne_stats *stats_out, gat_error *err) {
    gat_tsne_options opt;
    if (opt_in) opt = *opt_in;
    else gat_tsne_options_default(&opt);
    int rc = check_options(&opt, n, d, err);
    if (rc) return rc;
    if ((rc = check_finite(x, n, d, err))) return rc;

    gat_tsne_stats st;
    memset(&st, 0, sizeof st);
    st.method = opt.method;
    if (st.method == GAT_TSNE_AUTO) st.method = n <= GAT_TSNE_EXACT_MAX_N ? GAT_TSNE_EXACT : GAT_TSNE_BARNES_HUT;
    const int exact = st.method == GAT_TSNE_EXACT;
    st.learning_rate = opt.learning_rate > 0 ? opt.learning_rate : fmax((double)n / opt.early_exaggeration / 4, 50);
    int64_t k = (int64_t)floor(3 * opt.perplexity + 1);
    if (k > n - 1) k = n - 1;
    st.n_neighbors = exact ? n - 1 : k;

    double *pdense = NULL, *scratch = NULL;
    tsne_sparse psparse = {0};
    tsne_tree tree = {0};
    double *y = NULL, *upd = NULL, *gains = NULL, *part = NULL;
    tsne_forces f = {0};

    if (exact && (uint64_t)n > (uint64_t)(SIZE_MAX / sizeof(double)) / (uint64_t)n) {
        return gat_error_set(err, GAT_ENOMEM, "t-SNE: %lld points are too many for the exact method", (long long)n);
    }
    y = malloc(2 * (size_t)n * sizeof *y);
    upd = calloc(2 * (size_t)n, sizeof *upd);
    gains = malloc(2 * (size_t)n * sizeof *gains);
    part = malloc((size_t)n * sizeof *part);
    f.pos = malloc(2 * (size_t)n * sizeof *f.pos);
    f.neg = malloc(2 * (size_t)n * sizeof *f.neg);
    f.sq = malloc((size_t)n * sizeof *f.sq);
    f.klp = malloc((size_t)n * sizeof *f.klp);
    if (!y || !upd || !gains || !part || !f.pos || !f.neg || !f.sq || !f.klp) {
        rc = gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for %lld points", (long long)n);
        goto fail;
    }

    double t0 = now_seconds();
    if (exact) {
        pdense = malloc((size_t)n * (size_t)n * sizeof *pdense);
        scratch = malloc((size_t)n * (size_t)n * sizeof *scratch);
        if (!pdense || !scratch) {
            rc = gat_error_set(err, GAT_ENOMEM, "t-SNE: out of memory for the exact method's %lld x %lld matrix; "
                               "use Barnes-Hut", (long long)n, (long long)n);
            goto fail;
        }
        affinities_exact(x, n, d, opt.perplexity, pdense, scratch);
        free(scratch);
        scratch = NULL;
    } else {
        if ((rc = affinities_bh(x, n, d, k, opt.perplexity, &psparse, err))) goto fail;
    }
    double t1 = now_seconds();
    st.seconds_affinities = t1 - t0;

    if (opt.init == GAT_TSNE_INIT_PCA) {
        if ((rc = init_pca(x, n, d, opt.seed, y, err))) goto fail;
    } else {
        init_random(y, n, opt.seed);
    }
    for (int64_t e = 0; e < 2 * n; e++) gains[e] = 1;

    for (int it = 0; it < opt.n_iter; it++) {
        const int early = it < opt.exaggeration_iter;
        const double exag = early ? opt.early_exaggeration : 1;
        const double mom = early ? opt.momentum_early : opt.momentum;
        const int last = it == opt.n_iter - 1;
        const int report = opt.progress && opt.progress_every > 0 && ((it + 1) % opt.progress_every == 0 || last);
        const int want_kl = report || last;
        if (exact) {
            tsne_forces_exact(y, n, pdense, &f, want_kl);
        } else {
            if ((rc = tsne_forces_bh(y, n, &psparse, opt.theta, &tree, &f, want_kl, err))) goto fail;
        }
        double z = 0;
        for (int64_t i = 0; i < n; i++) z += f.sq[i];
        if (!(z > 0)) z = DBL_MIN;
        const double lr = st.learning_rate, min_gain = opt.min_gain;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (int64_t i = 0; i < n; i++) {
            double g2 = 0;
            for (int a = 0; a < 2; a++) {
                int64_t e = 2 * i + a;
                double g = 4 * (exag * f.pos[e] - f.neg[e] / z);
                g2 += g * g;
                gains[e] = upd[e] * g < 0 ? gains[e] + 0.2 : gains[e] * 0.8;
                if (gains[e] < min_gain) gains[e] = min_gain;
                upd[e] = mom * upd[e] - lr * gains[e] * g;
                y[e] += upd[e];
            }
            part[i] = g2;
        }
        double g2 = 0;
        for (int64_t i = 0; i < n; i++) g2 += part[i];
        st.grad_norm = sqrt(g2);
        st.n_iter = it + 1;
        if (want_kl) {
            double kl = 0;
            for (int64_t i = 0; i < n; i++) kl += f.klp[i];
            st.kl = kl + log(z);
            if (report) opt.progress(opt.progress_user, it + 1, st.kl, st.grad_norm);
        }
    }
    st.seconds_optimize = now_seconds() - t1;

    for (int64_t e = 0; e < 2 * n; e++) y_out[e] = (float)y[e];
    if (stats_out) *stats_out = st;
fail:
    free(pdense);
    free(scratch);
    tsne_sparse_free(&psparse);
    tsne_tree_free(&tree);
    free(y);
    free(upd);
    free(gains);
    free(part);
    free(f.pos);
    free(f.neg);
    free(f.sq);
    free(f.klp);
    return rc;
}

/* ---- output ---- */

int gat_tsne_write_csv(const char *path, const float *y, int64_t n, const int64_t *labels, gat_error *err) {
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(y[2 * i]) || !isfinite(y[2 * i + 1]))
            return gat_error_set(err, GAT_ERANGE, "%s: coordinates of node %lld are not finite", path, (long long)i);
    gat_outfile f;
    int rc = gat_outfile_open(&f, path, err);
    if (rc) return rc;
    fputs(labels ? "node,x,y,label\n" : "node,x,y\n", f.fp);
    for (int64_t i = 0; i < n; i++) {
        fprintf(f.fp, "%lld,%.9g,%.9g", (long long)i, (double)y[2 * i], (double)y[2 * i + 1]);
        if (labels) fprintf(f.fp, ",%lld", (long long)labels[i]);
        fputc('\n', f.fp);
    }
    return gat_outfile_commit(&f, err);
}
