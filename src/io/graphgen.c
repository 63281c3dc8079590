/* graphgen.c - synthetic power-law graphs with classes and informative features (see graphgen.h). */
#include "gat/graphgen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "gat/fileio.h"
#include "gat/npy.h"
#include "gat/rng.h"
#include "zip.h"

#define BLOCK 16384                    /* nodes per parallel work item */

/* the streams of rng.h's table */
#define STREAM_WEIGHT GAT_STREAM_GEN_WEIGHT
#define STREAM_CLASS GAT_STREAM_GEN_CLASS
#define STREAM_EDGE GAT_STREAM_GEN_EDGE
#define STREAM_FEAT GAT_STREAM_GEN_FEAT
#define STREAM_SPLIT GAT_STREAM_GEN_SPLIT

gat_graphgen_options gat_graphgen_options_default(void) {
    gat_graphgen_options o;
    memset(&o, 0, sizeof o);
    o.n_nodes = 10000;
    o.avg_degree = 15;
    o.exponent = 2.5;
    o.n_classes = 16;
    o.homophily = 0.8;
    o.n_features = 300;
    o.density = 0.05;
    o.noise = -1; /* the default of the feature kind: 0.7 sparse, 1.0 dense */
    o.train_per_class = 20;
    o.val_size = 500;
    o.test_size = 1000;
    o.seed = 1;
    return o;
}

static int64_t resolve_size(double v, int64_t n) { return v > 0 && v < 1 ? (int64_t)llround(v * (double)n) : (int64_t)v; }

static int64_t max_degree_of(const gat_graphgen_options *o) {
    if (o->max_degree > 0) return o->max_degree;
    int64_t m = (int64_t)ceil(sqrt(o->avg_degree * (double)o->n_nodes));
    return m > o->n_nodes - 1 ? o->n_nodes - 1 : m;
}

static double noise_of(const gat_graphgen_options *o) { return o->noise >= 0 ? o->noise : o->dense ? 1.0 : 0.9; }

int gat_graphgen_options_check(const gat_graphgen_options *o, gat_error *err) {
    if (o->n_nodes < 2 || o->n_nodes > ((int64_t)1 << 40))
        return gat_error_set(err, GAT_EINVAL, "--nodes: %lld is out of range [2, 2^40]", (long long)o->n_nodes);
    if (!(o->avg_degree >= 0 && o->avg_degree <= 1e6))
        return gat_error_set(err, GAT_EINVAL, "--avg-degree: %g is out of range [0, 1e6]", o->avg_degree);
    int64_t md = max_degree_of(o);
    if (o->max_degree < 0 || (double)md < o->avg_degree || md > o->n_nodes - 1)
        return gat_error_set(err, GAT_EINVAL, "--max-degree: %lld must be at least --avg-degree (%g) and below --nodes (%lld)",
                             (long long)md, o->avg_degree, (long long)o->n_nodes);
    if (!(o->exponent > 2.0 && o->exponent <= 10.0))
        return gat_error_set(err, GAT_EINVAL, "--exponent: %g is out of range (2, 10]", o->exponent);
    if (o->n_classes < 1 || o->n_classes > 65536 || o->n_classes > o->n_nodes)
        return gat_error_set(err, GAT_EINVAL, "--classes: %lld is out of range [1, min(65536, --nodes)]", (long long)o->n_classes);
    if (!(o->homophily >= 0 && o->homophily <= 1))
        return gat_error_set(err, GAT_EINVAL, "--homophily: %g is out of range [0, 1]", o->homophily);
    if (o->n_features < 1 || o->n_features > 1000000)
        return gat_error_set(err, GAT_EINVAL, "--features: %lld is out of range [1, 1000000]", (long long)o->n_features);
    if (!o->dense && !(o->density > 0 && o->density <= 1))
        return gat_error_set(err, GAT_EINVAL, "--density: %g is out of range (0, 1]", o->density);
    double nz = noise_of(o);
    if (!(nz >= 0 && (o->dense ? nz <= 1e6 : nz <= 1)))
        return gat_error_set(err, GAT_EINVAL, "--noise: %g is out of range [0, %s]", nz, o->dense ? "1e6" : "1");
    int64_t tr = o->train_size > 0 ? resolve_size(o->train_size, o->n_nodes) : o->train_per_class * o->n_classes;
    int64_t va = resolve_size(o->val_size, o->n_nodes), te = resolve_size(o->test_size, o->n_nodes);
    if (o->train_size < 0 || o->train_per_class < 0 || tr < 1)
        return gat_error_set(err, GAT_EINVAL, "--train-size / --train-per-class: the training split would be empty");
    if (va < 1) return gat_error_set(err, GAT_EINVAL, "--val-size: the validation split would be empty");
    if (te < 1) return gat_error_set(err, GAT_EINVAL, "--test-size: the test split would be empty");
    if (tr + va + te > o->n_nodes)
        return gat_error_set(err, GAT_EINVAL, "--train-size/--val-size/--test-size: %lld + %lld + %lld nodes exceed --nodes %lld",
                             (long long)tr, (long long)va, (long long)te, (long long)o->n_nodes);
    return GAT_OK;
}

/* ---- the model ---- */

typedef struct {
    const gat_graphgen_options *o;
    int64_t n, c, f;
    float *w;                          /* (N) weights */
    int32_t *cls;                      /* (N) classes */
    int64_t *class_off;                /* (C + 1) */
    int64_t *member;                   /* (N) node ids grouped by class, increasing */
    float *prob;                       /* (N) alias acceptance per member */
    int64_t *alias;                    /* (N) alias, an index within the class */
} model;

/* E[min(w_min X, w_max)] for X Pareto(alpha) on [1, inf). */
static double clipped_mean(double wmin, double wmax, double alpha) {
    if (wmin >= wmax) return wmax;
    double t = wmax / wmin;
    return wmin * (alpha / (alpha - 1.0) * (1.0 - pow(t, 1.0 - alpha)) + pow(t, 1.0 - alpha));
}

static int model_build(model *m, const gat_graphgen_options *o, gat_error *err) {
    memset(m, 0, sizeof *m);
    m->o = o;
    m->n = o->n_nodes;
    m->c = o->n_classes;
    m->f = o->n_features;
    const int64_t n = m->n, C = m->c;
    m->w = malloc((size_t)n * sizeof *m->w);
    m->cls = malloc((size_t)n * sizeof *m->cls);
    m->class_off = calloc((size_t)C + 1, sizeof *m->class_off);
    m->member = malloc((size_t)n * sizeof *m->member);
    m->prob = malloc((size_t)n * sizeof *m->prob);
    m->alias = malloc((size_t)n * sizeof *m->alias);
    int64_t *work = malloc((size_t)n * sizeof *work);
    if (!m->w || !m->cls || !m->class_off || !m->member || !m->prob || !m->alias || !work) {
        free(work);
        return gat_error_set(err, GAT_ENOMEM, "generate: out of memory for %lld nodes", (long long)n);
    }
    const double alpha = o->exponent - 1.0, wmax = (double)max_degree_of(o);
    double lo = 0.0, hi = o->avg_degree;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (clipped_mean(mid, wmax, alpha) < o->avg_degree) lo = mid;
        else hi = mid;
    }
    const double wmin = hi;
    const uint64_t kw = gat_rng_key(o->seed, STREAM_WEIGHT, 0, 0), kc = gat_rng_key(o->seed, STREAM_CLASS, 0, 0);
#pragma omp parallel for schedule(static)
    for (int64_t u = 0; u < n; u++) {
        double x = wmin * pow(1.0 - gat_rng_uniform64(kw, (uint64_t)u), -1.0 / alpha);
        m->w[u] = (float)(x < wmax ? x : wmax);
        m->cls[u] = (int32_t)(gat_rng_uniform64(kc, (uint64_t)u) * (double)C);
    }
    for (int64_t u = 0; u < n; u++) m->class_off[m->cls[u] + 1]++;
    for (int64_t c = 0; c < C; c++) m->class_off[c + 1] += m->class_off[c];
    for (int64_t c = 0; c < C; c++) work[c] = m->class_off[c];
    for (int64_t u = 0; u < n; u++) m->member[work[m->cls[u]]++] = u;
    /* Vose's alias method per class: small entries from the left of work, large from the right. */
    for (int64_t c = 0; c < C; c++) {
        const int64_t off = m->class_off[c], nc = m->class_off[c + 1] - off;
        if (nc == 0) continue;
        double total = 0;
        for (int64_t i = 0; i < nc; i++) total += m->w[m->member[off + i]];
        int64_t ns = 0, nl = 0;
        int64_t *small = work + off, *large = work + off + nc; /* large grows downwards */
        for (int64_t i = 0; i < nc; i++) {
            double p = total > 0 ? m->w[m->member[off + i]] * (double)nc / total : 1.0;
            m->prob[off + i] = (float)p;
            m->alias[off + i] = i;
            if (p < 1.0) small[ns++] = i;
            else *(large - ++nl) = i;
        }
        while (ns > 0 && nl > 0) {
            int64_t s = small[--ns], l = *(large - nl--);
            m->alias[off + s] = l;
            double pl = (double)m->prob[off + l] + (double)m->prob[off + s] - 1.0;
            m->prob[off + l] = (float)pl;
            if (pl < 1.0) small[ns++] = l;
            else *(large - ++nl) = l;
        }
        while (nl > 0) m->prob[off + *(large - nl--)] = 1.0f;
        while (ns > 0) m->prob[off + small[--ns]] = 1.0f;
    }
    free(work);
    return GAT_OK;
}

static void model_free(model *m) {
    free(m->w);
    free(m->cls);
    free(m->class_off);
    free(m->member);
    free(m->prob);
    free(m->alias);
    memset(m, 0, sizeof *m);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t sort_unique(int64_t *v, int64_t n) {
    if (n < 2) return n;
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    int64_t k = 1;
    for (int64_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

/* The partners node u draws, sorted, without u itself or repeats, into buf (room for
 * max_degree / 2 + 1). Returns how many. */
static int64_t partners(const model *m, int64_t u, int64_t *buf) {
    const uint64_t key = gat_rng_key(m->o->seed, STREAM_EDGE, (uint64_t)u, 0);
    uint64_t t = 0;
    const double half = 0.5 * (double)m->w[u];
    int64_t k = (int64_t)half + (gat_rng_uniform64(key, t++) < half - floor(half));
    int64_t n = 0;
    const int64_t C = m->c;
    for (int64_t j = 0; j < k; j++) {
        int64_t c = m->cls[u];
        if (C > 1 && gat_rng_uniform64(key, t++) >= m->o->homophily)
            c = (c + 1 + (int64_t)(gat_rng_uniform64(key, t++) * (double)(C - 1))) % C;
        const int64_t off = m->class_off[c], nc = m->class_off[c + 1] - off;
        if (nc == 0) continue;
        int64_t i = (int64_t)(gat_rng_uniform64(key, t++) * (double)nc);
        if (i >= nc) i = nc - 1;
        if (gat_rng_uniform64(key, t++) >= (double)m->prob[off + i]) i = m->alias[off + i];
        int64_t v = m->member[off + i];
        if (v != u) buf[n++] = v;
    }
    return sort_unique(buf, n);
}

/* Sparse feature columns of node u, sorted and distinct, into buf (room for 1.5 density F + 2). */
static int64_t feature_cols(const model *m, int64_t u, int64_t *buf) {
    const gat_graphgen_options *o = m->o;
    const uint64_t key = gat_rng_key(o->seed, STREAM_FEAT, (uint64_t)u, 0);
    uint64_t t = 0;
    double want = o->density * (double)m->f * (0.5 + gat_rng_uniform64(key, t++));
    int64_t r = (int64_t)want + (gat_rng_uniform64(key, t++) < want - floor(want));
    if (r < 1) r = 1;
    const double noise = noise_of(o);
    const int64_t F = m->f, C = m->c, c = m->cls[u];
    /* class c owns columns [lo, hi) */
    int64_t lo = F >= C ? c * (F / C) : c % F, hi = F >= C ? lo + F / C : lo + 1;
    for (int64_t j = 0; j < r; j++) {
        int64_t col;
        if (gat_rng_uniform64(key, t++) < noise) col = (int64_t)(gat_rng_uniform64(key, t++) * (double)F);
        else col = lo + (int64_t)(gat_rng_uniform64(key, t++) * (double)(hi - lo));
        buf[j] = col < F ? col : F - 1;
    }
    return sort_unique(buf, r);
}

/* ---- writing ---- */

/* The .npy header np.save writes (format 1.0, data aligned to 64 bytes). Returns its length. */
static size_t npy_header(char *h, size_t cap, const char *descr, int ndim, const int64_t *shape) {
    char shp[96];
    if (ndim == 1) snprintf(shp, sizeof shp, "%lld,", (long long)shape[0]);
    else if (ndim == 0) shp[0] = 0;
    else snprintf(shp, sizeof shp, "%lld, %lld", (long long)shape[0], (long long)shape[1]);
    char dict[256];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shp);
    size_t total = 10 + (size_t)dl + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap) return 0;
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    size_t hl = total - 10;
    h[8] = (char)(hl & 0xff);
    h[9] = (char)(hl >> 8);
    memcpy(h + 10, dict, (size_t)dl);
    memset(h + 10 + dl, ' ', total - 10 - (size_t)dl - 1);
    h[total - 1] = '\n';
    return total;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off) {
    const char *p = buf;
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

static int io_error(gat_error *err, const char *path) {
    return gat_error_set(err, GAT_EIO, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
}

/* edge_index.npy: int64 (2, E), row 0 sources, row 1 targets. */
static int write_edges(const model *m, const char *dir, gat_graphgen_stats *st, gat_error *err) {
    const int64_t n = m->n, cap = max_degree_of(m->o) / 2 + 2;
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/edge_index.npy", dir);
    if (rc) return rc;
    int64_t *off = calloc((size_t)n + 1, sizeof *off);
    int64_t *deg = calloc((size_t)n, sizeof *deg);
    if (!off || !deg) {
        free(off);
        free(deg);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %lld nodes", path, (long long)n);
    }
    int nomem = 0;
#pragma omp parallel
    {
        int64_t *buf = malloc((size_t)cap * sizeof *buf);
        if (!buf) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < (n + BLOCK - 1) / BLOCK; b++) {
            if (!buf) continue;
            for (int64_t u = b * BLOCK; u < n && u < (b + 1) * BLOCK; u++) off[u + 1] = partners(m, u, buf);
        }
        free(buf);
    }
    if (nomem) {
        free(off);
        free(deg);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    for (int64_t u = 0; u < n; u++) off[u + 1] += off[u];
    const int64_t half = off[n], e = 2 * half;
    char h[256];
    int64_t shape[2] = {2, e};
    size_t hl = npy_header(h, sizeof h, "<i8", 2, shape);
    gat_outfile of;
    if ((rc = gat_outfile_open(&of, path, err))) goto done;
    const int fd = fileno(of.fp);
    int bad = pwrite_all(fd, h, hl, 0) != 0;
    int64_t same = 0;
    const uint64_t row1 = (uint64_t)hl + 8u * (uint64_t)e;
#pragma omp parallel reduction(+ : same)
    {
        int64_t *buf = malloc((size_t)cap * sizeof *buf), *us = NULL, *vs = NULL, room = 0;
        if (!buf) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < (n + BLOCK - 1) / BLOCK; b++) {
            if (!buf || bad || nomem) continue;
            const int64_t u0 = b * BLOCK, u1 = u0 + BLOCK < n ? u0 + BLOCK : n, base = off[u0];
            if (off[u1] - base > room) {
                room = off[u1] - base;
                free(us);
                free(vs);
                us = malloc((size_t)room * sizeof *us);
                vs = malloc((size_t)room * sizeof *vs);
                if (!us || !vs) {
#pragma omp atomic write
                    nomem = 1;
                    room = 0;
                    continue;
                }
            }
            for (int64_t u = u0; u < u1; u++) {
                const int64_t k = partners(m, u, buf), at = off[u] - base;
                for (int64_t j = 0; j < k; j++) {
                    us[at + j] = u;
                    vs[at + j] = buf[j];
                    same += m->cls[u] == m->cls[buf[j]];
#pragma omp atomic
                    deg[buf[j]]++;
                }
            }
            const size_t len = (size_t)(off[u1] - base) * sizeof(int64_t);
            const uint64_t at = (uint64_t)base * 8u;
            if (len && (pwrite_all(fd, us, len, hl + at) || pwrite_all(fd, vs, len, row1 + at) ||
                        pwrite_all(fd, vs, len, hl + 8u * (uint64_t)half + at) ||
                        pwrite_all(fd, us, len, row1 + 8u * (uint64_t)half + at))) {
#pragma omp atomic write
                bad = 1;
            }
        }
        free(buf);
        free(us);
        free(vs);
    }
    if (nomem) {
        gat_outfile_abort(&of);
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (bad) {
        rc = io_error(err, path);
        gat_outfile_abort(&of);
        goto done;
    }
    if ((rc = gat_outfile_commit(&of, err))) goto done;
    /* in-degree: partners drawn by u (each gives u an in-edge v -> u) plus times u was drawn */
    int64_t maxd = 0;
    for (int64_t u = 0; u < n; u++) {
        int64_t d = deg[u] + off[u + 1] - off[u];
        if (d > maxd) maxd = d;
    }
    st->n_edges = e;
    st->max_degree = maxd;
    st->homophily = half ? (double)same / (double)half : 0.0;
done:
    free(off);
    free(deg);
    return rc;
}

/* A zip member being streamed: local header written first, CRC patched at the end. */
typedef struct {
    FILE *fp;
    uint64_t header_at, data_len;
    size_t pad;                        /* extra field that aligns the data (zip.h) */
    uint32_t crc;
    char name[32];
} zip_member;

typedef struct {
    uint64_t at, len;
    uint32_t crc;
    char name[32];
} zip_done;

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void local_header(unsigned char *h, uint32_t crc, uint32_t len, size_t name_len, size_t pad) {
    memset(h, 0, 30);
    put32(h, 0x04034b50u);
    put16(h + 4, 20);
    put16(h + 8, 0);                   /* stored */
    put16(h + 12, 0x21);               /* 1980-01-01 */
    put32(h + 14, crc);
    put32(h + 18, len);
    put32(h + 22, len);
    put16(h + 26, (unsigned)name_len);
    put16(h + 28, (unsigned)pad);
}

static void member_begin(zip_member *z, FILE *fp, const char *name) {
    memset(z, 0, sizeof *z);
    z->fp = fp;
    snprintf(z->name, sizeof z->name, "%s", name);
    z->header_at = (uint64_t)ftello(fp);
    z->pad = gat_zip_align_pad(z->header_at, strlen(name));
    unsigned char h[30], x[GAT_ZIP_ALIGN + 4];
    local_header(h, 0, 0, strlen(name), z->pad);
    fwrite(h, 1, 30, fp);
    fwrite(name, 1, strlen(name), fp);
    gat_zip_align_extra(x, z->pad);
    fwrite(x, 1, z->pad, fp);
    z->crc = (uint32_t)crc32(0L, Z_NULL, 0);
}

static void member_write(zip_member *z, const void *p, size_t len) {
    const unsigned char *b = p;
    z->data_len += len;
    for (size_t done = 0; done < len;) {
        size_t chunk = len - done > (1u << 30) ? (1u << 30) : len - done;
        z->crc = (uint32_t)crc32(z->crc, b + done, (uInt)chunk);
        done += chunk;
    }
    fwrite(p, 1, len, z->fp);
}

static int member_end(zip_member *z, zip_done *d) {
    if (z->data_len > 0xFFFFFFF0u) return -1;
    long long end = ftello(z->fp);
    unsigned char h[30];
    local_header(h, z->crc, (uint32_t)z->data_len, strlen(z->name), z->pad);
    if (fseeko(z->fp, (off_t)z->header_at, SEEK_SET) != 0) return -2;
    fwrite(h, 1, 30, z->fp);
    if (fseeko(z->fp, (off_t)end, SEEK_SET) != 0) return -2;
    d->at = z->header_at;
    d->len = z->data_len;
    d->crc = z->crc;
    snprintf(d->name, sizeof d->name, "%s", z->name);
    return 0;
}

static void central_directory(FILE *fp, const zip_done *d, int n) {
    uint64_t cd = (uint64_t)ftello(fp), size = 0;
    for (int i = 0; i < n; i++) {
        unsigned char h[46] = {0};
        size_t nl = strlen(d[i].name);
        put32(h, 0x02014b50u);
        put16(h + 4, 20);
        put16(h + 6, 20);
        put16(h + 14, 0x21);
        put32(h + 16, d[i].crc);
        put32(h + 20, (uint32_t)d[i].len);
        put32(h + 24, (uint32_t)d[i].len);
        put16(h + 28, (unsigned)nl);
        put32(h + 38, 0644u << 16);
        put32(h + 42, (uint32_t)d[i].at);
        fwrite(h, 1, 46, fp);
        fwrite(d[i].name, 1, nl, fp);
        size += 46 + nl;
    }
    unsigned char e[22] = {0};
    put32(e, 0x06054b50u);
    put16(e + 8, (unsigned)n);
    put16(e + 10, (unsigned)n);
    put32(e + 12, (uint32_t)size);
    put32(e + 16, (uint32_t)cd);
    fwrite(e, 1, 22, fp);
}

/* features.npz as scipy.sparse.save_npz(compressed=False) writes it: indices, indptr, format,
 * shape, data. Rows are generated in parallel blocks and written in order. */
static int write_sparse_features(const model *m, const char *dir, gat_graphgen_stats *st, gat_error *err) {
    const int64_t n = m->n, cap = (int64_t)(1.5 * m->o->density * (double)m->f) + 3;
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/features.npz", dir);
    if (rc) return rc;
    int64_t *ptr = calloc((size_t)n + 1, sizeof *ptr);
    if (!ptr) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %lld rows", path, (long long)n);
    int nomem = 0;
    const int64_t nblocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel
    {
        int64_t *buf = malloc((size_t)cap * sizeof *buf);
        if (!buf) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < nblocks; b++) {
            if (!buf) continue;
            for (int64_t u = b * BLOCK; u < n && u < (b + 1) * BLOCK; u++) ptr[u + 1] = feature_cols(m, u, buf);
        }
        free(buf);
    }
    if (nomem) {
        free(ptr);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    for (int64_t u = 0; u < n; u++) ptr[u + 1] += ptr[u];
    const int64_t nnz = ptr[n];
    if ((uint64_t)nnz * 8u + (uint64_t)n * 8u > 0xF0000000u) {
        free(ptr);
        return gat_error_set(err, GAT_EINVAL, "%s: %lld nonzeros would make an archive over 4 GiB (zip64 is not supported); "
                             "lower --density or --nodes", path, (long long)nnz);
    }
    const int wide = nnz > INT32_MAX;
    gat_outfile of;
    if ((rc = gat_outfile_open(&of, path, err))) {
        free(ptr);
        return rc;
    }
    FILE *fp = of.fp;
    zip_member z;
    zip_done done[5];
    char h[256];
    size_t hl;
    int bad = 0;
    /* indices: int32 (nnz,) */
    member_begin(&z, fp, "indices.npy");
    int64_t shape[2] = {nnz, 0};
    hl = npy_header(h, sizeof h, "<i4", 1, shape);
    member_write(&z, h, hl);
#pragma omp parallel
    {
        int64_t *cols = malloc((size_t)cap * sizeof *cols);
        int32_t *out = malloc((size_t)BLOCK * (size_t)cap * sizeof *out);
        if (!cols || !out) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for ordered schedule(static, 1)
        for (int64_t b = 0; b < nblocks; b++) {
            int64_t k = 0;
            if (cols && out)
                for (int64_t u = b * BLOCK; u < n && u < (b + 1) * BLOCK; u++) {
                    int64_t r = feature_cols(m, u, cols);
                    for (int64_t j = 0; j < r; j++) out[k++] = (int32_t)cols[j];
                }
#pragma omp ordered
            if (cols && out) member_write(&z, out, (size_t)k * sizeof *out);
        }
        free(cols);
        free(out);
    }
    bad |= member_end(&z, &done[0]);
    /* indptr: int32 or int64 (N + 1,) */
    member_begin(&z, fp, "indptr.npy");
    shape[0] = n + 1;
    hl = npy_header(h, sizeof h, wide ? "<i8" : "<i4", 1, shape);
    member_write(&z, h, hl);
    if (wide) {
        member_write(&z, ptr, (size_t)(n + 1) * sizeof *ptr);
    } else {
        int32_t tmp[4096];
        for (int64_t i = 0; i <= n; i += 4096) {
            int64_t k = n + 1 - i < 4096 ? n + 1 - i : 4096;
            for (int64_t j = 0; j < k; j++) tmp[j] = (int32_t)ptr[i + j];
            member_write(&z, tmp, (size_t)k * sizeof *tmp);
        }
    }
    bad |= member_end(&z, &done[1]);
    /* format: b'csr' */
    member_begin(&z, fp, "format.npy");
    hl = npy_header(h, sizeof h, "|S3", 0, shape);
    member_write(&z, h, hl);
    member_write(&z, "csr", 3);
    bad |= member_end(&z, &done[2]);
    /* shape: int64 (2,) */
    member_begin(&z, fp, "shape.npy");
    shape[0] = 2;
    hl = npy_header(h, sizeof h, "<i8", 1, shape);
    member_write(&z, h, hl);
    int64_t dims[2] = {n, m->f};
    member_write(&z, dims, sizeof dims);
    bad |= member_end(&z, &done[3]);
    /* data: float32 ones (nnz,) */
    member_begin(&z, fp, "data.npy");
    shape[0] = nnz;
    hl = npy_header(h, sizeof h, "<f4", 1, shape);
    member_write(&z, h, hl);
    {
        static float ones[4096];
        for (int i = 0; i < 4096; i++) ones[i] = 1.0f;
        for (int64_t i = 0; i < nnz; i += 4096)
            member_write(&z, ones, (size_t)(nnz - i < 4096 ? nnz - i : 4096) * sizeof(float));
    }
    bad |= member_end(&z, &done[4]);
    central_directory(fp, done, 5);
    free(ptr);
    if (nomem) {
        gat_outfile_abort(&of);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    if (bad || ferror(fp) || ftello(fp) > (off_t)0xFFFFFFF0u) {
        gat_outfile_abort(&of);
        return bad == -1 || !ferror(fp) ? gat_error_set(err, GAT_EINVAL, "%s: archive over 4 GiB (zip64 is not supported)", path)
                                        : io_error(err, path);
    }
    st->feature_nnz = nnz;
    return gat_outfile_commit(&of, err);
}

/* features.npy: float32 (N, F), the class block indicator plus Gaussian noise. */
static int write_dense_features(const model *m, const char *dir, gat_graphgen_stats *st, gat_error *err) {
    const int64_t n = m->n, F = m->f, C = m->c;
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/features.npy", dir);
    if (rc) return rc;
    gat_outfile of;
    if ((rc = gat_outfile_open(&of, path, err))) return rc;
    char h[256];
    int64_t shape[2] = {n, F};
    size_t hl = npy_header(h, sizeof h, "<f4", 2, shape);
    fwrite(h, 1, hl, of.fp);
    const double sd = noise_of(m->o);
    const int64_t rows = F >= 4096 ? 1 : 4096 / F;
    int nomem = 0;
#pragma omp parallel
    {
        float *out = malloc((size_t)(rows * F) * sizeof *out);
        if (!out) {
#pragma omp atomic write
            nomem = 1;
        }
#pragma omp for ordered schedule(static, 1)
        for (int64_t b = 0; b < (n + rows - 1) / rows; b++) {
            const int64_t u0 = b * rows, u1 = u0 + rows < n ? u0 + rows : n;
            if (out)
                for (int64_t u = u0; u < u1; u++) {
                    const uint64_t key = gat_rng_key(m->o->seed, STREAM_FEAT, (uint64_t)u, 1);
                    const int64_t c = m->cls[u];
                    int64_t lo = F >= C ? c * (F / C) : c % F, hi = F >= C ? lo + F / C : lo + 1;
                    for (int64_t j = 0; j < F; j++) {
                        /* Box-Muller from two counter draws */
                        double u1r = 1.0 - gat_rng_uniform64(key, 2 * (uint64_t)j), u2r = gat_rng_uniform64(key, 2 * (uint64_t)j + 1);
                        double g = sqrt(-2.0 * log(u1r)) * cos(6.283185307179586 * u2r);
                        out[(u - u0) * F + j] = (float)((j >= lo && j < hi ? 1.0 : 0.0) + sd * g);
                    }
                }
#pragma omp ordered
            if (out) fwrite(out, sizeof *out, (size_t)((u1 - u0) * F), of.fp);
        }
        free(out);
    }
    if (nomem) {
        gat_outfile_abort(&of);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    st->feature_nnz = n * F;
    return gat_outfile_commit(&of, err);
}

static int write_i64(const char *dir, const char *file, const int64_t *v, int64_t n, gat_error *err) {
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/%s", dir, file);
    if (rc) return rc;
    gat_outfile of;
    if ((rc = gat_outfile_open(&of, path, err))) return rc;
    char h[256];
    int64_t shape[1] = {n};
    size_t hl = npy_header(h, sizeof h, "<i8", 1, shape);
    fwrite(h, 1, hl, of.fp);
    if (n) fwrite(v, sizeof *v, (size_t)n, of.fp);
    return gat_outfile_commit(&of, err);
}

/* labels.npy, the three split files and class_names.txt. */
static int write_labels_and_splits(const model *m, const char *dir, gat_graphgen_stats *st, gat_error *err) {
    const gat_graphgen_options *o = m->o;
    const int64_t n = m->n, C = m->c;
    int64_t *v = malloc((size_t)n * sizeof *v);
    uint8_t *taken = calloc((size_t)n, 1);
    int64_t *per_class = calloc((size_t)C, sizeof *per_class);
    int rc = GAT_OK;
    if (!v || !taken || !per_class) {
        rc = gat_error_set(err, GAT_ENOMEM, "generate: out of memory for the splits of %lld nodes", (long long)n);
        goto done;
    }
    for (int64_t u = 0; u < n; u++) v[u] = m->cls[u];
    if ((rc = write_i64(dir, "labels.npy", v, n, err))) goto done;
    /* a seeded random order of the nodes (Fisher-Yates) */
    const uint64_t key = gat_rng_key(o->seed, STREAM_SPLIT, 0, 0);
    for (int64_t u = 0; u < n; u++) v[u] = u;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(gat_rng_uniform64(key, (uint64_t)i) * (double)(i + 1));
        if (j > i) j = i;
        int64_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    const int64_t want[3] = {o->train_size > 0 ? resolve_size(o->train_size, n) : o->train_per_class * C,
                             resolve_size(o->val_size, n), resolve_size(o->test_size, n)};
    static const char *files[3] = {"train_index.npy", "val_index.npy", "test_index.npy"};
    /* each split's ids are gathered at the front of v's untaken part, then sorted and written */
    int64_t *ids = malloc(((size_t)want[0] + (size_t)want[1] + (size_t)want[2] + 1) * sizeof *ids);
    if (!ids) {
        rc = gat_error_set(err, GAT_ENOMEM, "generate: out of memory for the splits");
        goto done;
    }
    int64_t pos = 0;
    for (int s = 0; s < 3 && !rc; s++) {
        int64_t k = 0;
        if (s == 0 && o->train_size <= 0) {
            for (int64_t i = 0; i < n && k < want[0]; i++) {
                int64_t u = v[i];
                if (per_class[m->cls[u]] < o->train_per_class) {
                    per_class[m->cls[u]]++;
                    taken[u] = 1;
                    ids[pos + k++] = u;
                }
            }
        } else {
            for (int64_t i = 0; i < n && k < want[s]; i++)
                if (!taken[v[i]]) {
                    taken[v[i]] = 1;
                    ids[pos + k++] = v[i];
                }
        }
        qsort(ids + pos, (size_t)k, sizeof *ids, cmp_i64);
        st->split_size[s] = k;
        rc = write_i64(dir, files[s], ids + pos, k, err);
        pos += k;
    }
    free(ids);
    if (rc) goto done;
    {
        char path[4200];
        if ((rc = gat_path_join(path, sizeof path, err, "%s/class_names.txt", dir))) goto done;
        gat_outfile of;
        if ((rc = gat_outfile_open(&of, path, err))) goto done;
        for (int64_t c = 0; c < C; c++) fprintf(of.fp, "class_%lld\n", (long long)c);
        rc = gat_outfile_commit(&of, err);
    }
done:
    free(v);
    free(taken);
    free(per_class);
    return rc;
}

static int write_meta(const char *dir, const gat_graphgen_options *o, const gat_graphgen_stats *st, gat_error *err) {
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/generated.json", dir);
    if (rc) return rc;
    gat_outfile of;
    if ((rc = gat_outfile_open(&of, path, err))) return rc;
    fprintf(of.fp,
            "{\n  \"generator\": \"gat generate graph\",\n  \"nodes\": %lld,\n  \"avg_degree\": %.17g,\n"
            "  \"max_degree\": %lld,\n  \"exponent\": %.17g,\n  \"classes\": %lld,\n  \"homophily\": %.17g,\n"
            "  \"features\": %lld,\n  \"feature_kind\": \"%s\",\n  \"density\": %.17g,\n  \"noise\": %.17g,\n"
            "  \"seed\": %llu,\n  \"edges\": %lld,\n  \"measured_max_in_degree\": %lld,\n"
            "  \"measured_homophily\": %.6f,\n  \"feature_nonzeros\": %lld,\n  \"split_sizes\": [%lld, %lld, %lld]\n}\n",
            (long long)o->n_nodes, o->avg_degree, (long long)max_degree_of(o), o->exponent, (long long)o->n_classes,
            o->homophily, (long long)o->n_features, o->dense ? "dense" : "sparse", o->dense ? 1.0 : o->density,
            noise_of(o), (unsigned long long)o->seed, (long long)st->n_edges, (long long)st->max_degree, st->homophily,
            (long long)st->feature_nnz, (long long)st->split_size[0], (long long)st->split_size[1],
            (long long)st->split_size[2]);
    return gat_outfile_commit(&of, err);
}

int gat_graphgen_write(const char *dir, const gat_graphgen_options *o, gat_graphgen_stats *st, gat_error *err) {
    memset(st, 0, sizeof *st);
    int rc = gat_graphgen_options_check(o, err);
    if (rc) return rc;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = gat_mkdirs(dir, err))) return rc;
    model m;
    rc = model_build(&m, o, err);
    if (!rc) rc = o->dense ? write_dense_features(&m, dir, st, err) : write_sparse_features(&m, dir, st, err);
    if (!rc) rc = write_edges(&m, dir, st, err);
    if (!rc) rc = write_labels_and_splits(&m, dir, st, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (!rc) rc = write_meta(dir, o, st, err);
    model_free(&m);
    return rc;
}
