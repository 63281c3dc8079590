/* lookupgen.c - the DictionaryLookup dataset (see lookupgen.h). */
#include "gat/lookupgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/fileio.h"
#include "gat/npy.h"
#include "gat/rng.h"

gat_lookupgen_options gat_lookupgen_options_default(void) {
    gat_lookupgen_options o;
    memset(&o, 0, sizeof o);
    o.keys = 10;
    o.instances = 200;
    o.val_fraction = 0.2;
    o.test_fraction = 0.2;
    o.seed = 1;
    return o;
}

int gat_lookupgen_options_check(const gat_lookupgen_options *o, gat_error *err) {
    if (o->keys < 2 || o->keys > 1000)
        return gat_error_set(err, GAT_EINVAL, "--keys: %lld keys per instance (allowed 2..1000)", (long long)o->keys);
    if (o->instances < 3 || o->instances > 10000000)
        return gat_error_set(err, GAT_EINVAL, "--instances: %lld (allowed 3..10^7)", (long long)o->instances);
    if (o->keys * o->keys * o->instances > ((int64_t)1 << 31))
        return gat_error_set(err, GAT_EINVAL, "--instances: %lld instances of %lld keys make %lld edges (at most 2^31)",
                             (long long)o->instances, (long long)o->keys,
                             (long long)(o->keys * o->keys * o->instances));
    if (!(o->val_fraction > 0 && o->val_fraction < 1))
        return gat_error_set(err, GAT_EINVAL, "--val-fraction: %g is not in (0, 1)", o->val_fraction);
    if (!(o->test_fraction > 0 && o->test_fraction < 1))
        return gat_error_set(err, GAT_EINVAL, "--test-fraction: %g is not in (0, 1)", o->test_fraction);
    const int64_t nv = (int64_t)llround(o->val_fraction * (double)o->instances),
                  nt = (int64_t)llround(o->test_fraction * (double)o->instances);
    if (nv < 1 || nt < 1 || nv + nt >= o->instances)
        return gat_error_set(err, GAT_EINVAL, "--val-fraction, --test-fraction: %lld validation and %lld test "
                             "instances of %lld leave none to train on", (long long)nv, (long long)nt,
                             (long long)o->instances);
    return GAT_OK;
}

static int write_array(const char *dir, const char *file, gat_array *a, gat_error *err) {
    char path[4200];
    int rc = gat_path_join(path, sizeof path, err, "%s/%s", dir, file);
    return rc ? rc : gat_npy_write(path, a, err);
}

int gat_lookupgen_write(const char *dir, const gat_lookupgen_options *o, gat_lookupgen_stats *st, gat_error *err) {
    memset(st, 0, sizeof *st);
    int rc = gat_lookupgen_options_check(o, err);
    if (rc) return rc;
    if ((rc = gat_mkdirs(dir, err))) return rc;
    const int64_t k = o->keys, G = o->instances, n = 2 * k * G, e = k * k * G, w = 2 * k;
    const int64_t nv = (int64_t)llround(o->val_fraction * (double)G), nt = (int64_t)llround(o->test_fraction * (double)G);
    const int64_t first[4] = {0, G - nv - nt, G - nt, G}; /* instances of train, val, test */
    gat_array x = {0}, ei = {0}, y = {0}, sp[3] = {{0}};
    int64_t *perm = malloc((size_t)k * sizeof *perm);
    if (!perm) return gat_error_set(err, GAT_ENOMEM, "generate: out of memory");
    int64_t sx[2] = {n, w}, se[2] = {2, e}, sy[1] = {n};
    if ((rc = gat_array_alloc(&x, GAT_DTYPE_F32, 2, sx, err)) || (rc = gat_array_alloc(&ei, GAT_DTYPE_I64, 2, se, err)) ||
        (rc = gat_array_alloc(&y, GAT_DTYPE_I64, 1, sy, err)))
        goto done;
    float *xv = x.data;
    int64_t *src = ei.data, *dst = src + e, *lab = y.data;
    memset(xv, 0, (size_t)(n * w) * sizeof *xv);
    for (int64_t g = 0; g < G; g++) {
        /* pi_g: Fisher-Yates from the instance's own stream */
        const uint64_t key = gat_rng_key(o->seed, GAT_STREAM_GEN_LOOKUP, (uint64_t)g, 0);
        for (int64_t i = 0; i < k; i++) perm[i] = i;
        for (int64_t i = k - 1; i > 0; i--) {
            int64_t j = (int64_t)(gat_rng_uniform64(key, (uint64_t)i) * (double)(i + 1));
            if (j > i) j = i;
            const int64_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        const int64_t base = 2 * k * g; /* keys base .. base+k-1, queries base+k .. base+2k-1 */
        for (int64_t i = 0; i < k; i++) {
            const int64_t key_node = base + i, query = base + k + i;
            xv[key_node * w + i] = 1.0f;
            xv[key_node * w + k + perm[i]] = 1.0f;
            xv[query * w + i] = 1.0f;
            lab[key_node] = lab[query] = perm[i];
        }
        for (int64_t q = 0; q < k; q++) /* edges into query q, from every key, grouped by query */
            for (int64_t j = 0; j < k; j++) {
                const int64_t t = (g * k + q) * k + j;
                src[t] = base + j;
                dst[t] = base + k + q;
            }
    }
    if ((rc = write_array(dir, "features.npy", &x, err)) || (rc = write_array(dir, "edge_index.npy", &ei, err)) ||
        (rc = write_array(dir, "labels.npy", &y, err)))
        goto done;
    static const char *const files[3] = {"train_index.npy", "val_index.npy", "test_index.npy"};
    for (int s = 0; s < 3; s++) {
        int64_t cnt[1] = {(first[s + 1] - first[s]) * k};
        if ((rc = gat_array_alloc(&sp[s], GAT_DTYPE_I64, 1, cnt, err))) goto done;
        int64_t *ids = sp[s].data, c = 0;
        for (int64_t g = first[s]; g < first[s + 1]; g++)
            for (int64_t q = 0; q < k; q++) ids[c++] = 2 * k * g + k + q;
        st->split_size[s] = c;
        if ((rc = write_array(dir, files[s], &sp[s], err))) goto done;
    }
    {
        char path[4200];
        gat_outfile of;
        if ((rc = gat_path_join(path, sizeof path, err, "%s/class_names.txt", dir)) || (rc = gat_outfile_open(&of, path, err)))
            goto done;
        for (int64_t c = 0; c < k; c++) fprintf(of.fp, "value_%lld\n", (long long)c);
        if ((rc = gat_outfile_commit(&of, err))) goto done;
        if ((rc = gat_path_join(path, sizeof path, err, "%s/generated.json", dir)) || (rc = gat_outfile_open(&of, path, err)))
            goto done;
        fprintf(of.fp,
                "{\n  \"generator\": \"gat generate dictionary-lookup\",\n  \"keys\": %lld,\n  \"instances\": %lld,\n"
                "  \"val_fraction\": %.17g,\n  \"test_fraction\": %.17g,\n  \"seed\": %llu,\n  \"nodes\": %lld,\n"
                "  \"edges\": %lld,\n  \"split_sizes\": [%lld, %lld, %lld]\n}\n",
                (long long)k, (long long)G, o->val_fraction, o->test_fraction, (unsigned long long)o->seed,
                (long long)n, (long long)e, (long long)st->split_size[0], (long long)st->split_size[1],
                (long long)st->split_size[2]);
        if ((rc = gat_outfile_commit(&of, err))) goto done;
    }
    st->n_nodes = n;
    st->n_edges = e;
done:
    free(perm);
    gat_array_free(&x);
    gat_array_free(&ei);
    gat_array_free(&y);
    for (int s = 0; s < 3; s++) gat_array_free(&sp[s]);
    return rc;
}
