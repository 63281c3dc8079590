/* synthetic.h - the small training task the training tests share: n nodes in two communities
 * (label i % 2), k features of U[0,1) noise with feature `label` raised by `signal`, and
 * `per` in-edges per node, 5 of every 6 from the node's own community; splits by i % 3
 * (train, val, test). Deterministic for a seed; a GAT must beat chance easily. */
#ifndef GAT_TEST_SYNTHETIC_H
#define GAT_TEST_SYNTHETIC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/dataset.h"
#include "gat/model.h"

__attribute__((unused)) static void synthetic_communities(gat_dataset *ds, int64_t n, int64_t k, int per, float signal,
                                                          uint64_t seed) {
    memset(ds, 0, sizeof *ds);
    snprintf(ds->name, sizeof ds->name, "synthetic");
    ds->n_nodes = n;
    ds->n_features = k;
    ds->n_classes = 2;
    ds->dense_features = malloc(sizeof(float) * n * k);
    ds->labels = malloc(sizeof(int64_t) * n);
    ds->edge_src = malloc(sizeof(int64_t) * n * per);
    ds->edge_dst = malloc(sizeof(int64_t) * n * per);
    if (!ds->dense_features || !ds->labels || !ds->edge_src || !ds->edge_dst) abort();
    uint64_t st = seed;
    for (int64_t i = 0; i < n; i++) {
        ds->labels[i] = i % 2;
        for (int64_t j = 0; j < k; j++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            float noise = (float)((st >> 40) & 0xffff) / 65536.0f;
            ds->dense_features[i * k + j] = noise + (j == ds->labels[i] ? signal : 0.0f);
        }
        for (int t = 0; t < per; t++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            int64_t j = (int64_t)((st >> 33) % (uint64_t)(n / 2)) * 2 + (t < 5 ? ds->labels[i] : 1 - ds->labels[i]);
            ds->edge_src[ds->n_edges] = j;
            ds->edge_dst[ds->n_edges++] = i;
        }
    }
    for (int s = 0; s < 3; s++) {
        ds->split[s] = malloc(sizeof(int64_t) * n);
        if (!ds->split[s]) abort();
        for (int64_t i = 0; i < n; i++)
            if (i % 3 == s) ds->split[s][ds->split_size[s]++] = i;
    }
}

/* Three layers with skip connections (a projected one, then an identity one) and other head
 * counts and widths, as the PPI architecture has, for ds. */
__attribute__((unused)) static gat_config synthetic_deep_config(const gat_dataset *ds) {
    gat_config c = gat_config_default(ds->n_features, ds->n_classes);
    c.n_layers = 3;
    c.heads[0] = 3, c.features[0] = 12;
    c.heads[1] = 2, c.features[1] = 36;
    c.heads[2] = 5, c.features[2] = ds->n_classes;
    c.skip = 1;
    return c;
}

#endif
