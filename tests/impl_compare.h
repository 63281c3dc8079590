/* impl_compare.h - what the attention-implementation tests share (test_attention_impls,
 * test_gatv2): one forward (and, when training, backward) pass of a config on a dataset with
 * its parameters scaled so that attention is far from uniform, its results kept, and an array
 * compared with the fused implementation's within float tolerance. */
#ifndef GAT_TEST_IMPL_COMPARE_H
#define GAT_TEST_IMPL_COMPARE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/train.h"

typedef struct {
    float *logits, *att[GAT_MAX_LAYERS], *grads;
    double loss;
} impl_result;

__attribute__((unused)) static double impl_max_abs(const float *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
    return m;
}

/* cfg with cfg->attention_impl = impl, parameters from seed 7 each multiplied by
 * scale(tensor name); in evaluation mode (train = 0) the fused run also checks that attention
 * is far from uniform (a coefficient above 0.9 at a node with at least 5 entries). */
__attribute__((unused)) static void impl_run(const gat_dataset *ds, gat_config cfg, float (*scale)(const char *name),
                                             int impl, int train, impl_result *r) {
    gat_error err = {0};
    cfg.attention_impl = impl;
    gat_model m;
    gat_session s;
    memset(r, 0, sizeof *r);
    if (gat_model_init(&m, &cfg, 7, &err) || gat_session_init(&s, ds, &m, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    for (int i = 0; i < m.n_tensors; i++) {
        const float f = scale(m.tensors[i].name);
        for (size_t e = 0; e < m.tensors[i].size; e++) m.params[m.tensors[i].offset + e] *= f;
    }
    const float *logits = gat_model_forward(&m, &s.acts, &s.in, &s.g, train, 20240101);
    const size_t nl = (size_t)(ds->n_nodes * ds->n_classes);
    r->logits = malloc(nl * sizeof(float));
    memcpy(r->logits, logits, nl * sizeof(float));
    for (int l = 0; l < cfg.n_layers; l++) {
        size_t na = (size_t)(s.g.nnz * cfg.heads[l]);
        r->att[l] = malloc(na * sizeof(float));
        memcpy(r->att[l], s.acts.l[l].att, na * sizeof(float));
    }
    gat_metrics mt = gat_split_metrics(&s, logits, GAT_SPLIT_TRAIN, s.dlogits);
    r->loss = mt.loss;
    if (train) {
        memset(m.grads, 0, m.n_params * sizeof(float));
        gat_model_backward(&m, &s.acts, &s.in, &s.g, s.dlogits);
        r->grads = malloc(m.n_params * sizeof(float));
        memcpy(r->grads, m.grads, m.n_params * sizeof(float));
    }
    /* how far from uniform: the largest coefficient of a node with at least 5 entries */
    if (impl == GAT_ATTENTION_FUSED && !train) {
        double amax = 0;
        for (int64_t i = 0; i < s.g.n; i++)
            if (s.g.row_ptr[i + 1] - s.g.row_ptr[i] >= 5)
                for (int64_t q = s.g.row_ptr[i] * 8; q < s.g.row_ptr[i + 1] * 8; q++) amax = fmax(amax, s.acts.l[0].att[q]);
        CHECK_MSG(amax > 0.9, "attention far from uniform (largest coefficient of a degree >= 5 node %.3f)", amax);
    }
    gat_session_free(&s);
    gat_model_free(&m);
}

/* floor: an absolute tolerance for arrays whose own scale is rounding noise (Cora's layer-1
 * a_dst gradient is a near-cancellation, |g| ~ 3e-8, against ~1e-2 elsewhere) */
__attribute__((unused)) static void impl_compare(const char *what, const float *got, const float *ref, size_t n,
                                                 double floor) {
    double scale = impl_max_abs(ref, n);
    CHECK_MSG(scale > 0, "%s: the fused values are not all zero", what);
    CHECK_MSG(check_close_f32(got, ref, n, fmax(1e-5 * scale, floor), 1e-4, what, __FILE__, __LINE__), "%s", what);
}

#endif
