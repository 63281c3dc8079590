/* profile.c - timing the attention implementations of GAT and GATv2 (see profile.h). */
#include "gat/profile.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
/* the AddressSanitizer runtime's (sanitizer/allocator_interface.h, which GCC does not ship) */
size_t __sanitizer_get_current_allocated_bytes(void);
#elif defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gat/ops.h"
#include "gat/rng.h"
#include "gat/train.h"
#include "layer_steps.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

double gat_heap_bytes(void) {
#if defined(__SANITIZE_ADDRESS__)
    return (double)__sanitizer_get_current_allocated_bytes();
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return (double)mi.uordblks + (double)mi.hblkhd;
#else
    return 0.0;
#endif
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The attention step of layer l alone, forward or backward, on what the last forward pass left:
 * the functions gat_layer_forward / gat_layer_steps_forward call for the model's attention
 * type and implementation. */
static void attention_step(gat_model *m, gat_acts *a, const gat_graph *g, int l, int backward, uint64_t key) {
    const gat_config *c = &m->cfg;
    gat_layer_acts *L = &a->l[l];
    const int64_t h = c->heads[l], f = c->features[l];
    const float p = gat_config_attention_dropout(c);
    const int impl = c->attention_impl;
    if (c->attention_type == GAT_ATTENTION_GATV2) {
        /* the backward pass adds d a into the gradients, which the next step zeroes */
        if (!backward && impl == GAT_ATTENTION_EDGES)
            gat_attention_v2_edges_forward(a->tmp, L->att, L->att_mask, g, L->z, L->t, m->p[l].att, h, f, c->slope, p,
                                           key, a->att_work);
        else if (!backward)
            gat_attention_v2_forward(a->tmp, L->att, L->att_mask, g, L->z, L->t, m->p[l].att, h, f, c->slope, p, key);
        else if (impl == GAT_ATTENTION_EDGES)
            gat_attention_v2_edges_backward(a->dz, a->dt, m->g[l].att, a->scratch, L->out, g, L->att, L->att_mask, L->z,
                                            L->t, m->p[l].att, h, f, c->slope, p, a->att_work);
        else
            gat_attention_v2_backward(a->dz, a->dt, m->g[l].att, a->scratch, a->partial, L->out, g, L->att, L->att_mask,
                                      L->z, L->t, m->p[l].att, h, f, c->slope, p);
        return;
    }
    if (!backward) {
        if (impl == GAT_ATTENTION_FUSED)
            gat_attention_forward(a->tmp, L->att, L->att_mask, g, L->s_src, L->s_dst, L->z, h, f, c->slope, p, key, NULL);
        else if (impl == GAT_ATTENTION_EDGES)
            gat_attention_edges_forward(a->tmp, L->att, L->att_mask, g, L->s_src, L->s_dst, L->z, h, f, c->slope, p, key,
                                        a->att_work);
        else
            gat_attention_dense_forward(a->tmp, L->att, L->att_mask, g, L->s_src, L->s_dst, L->z, h, f, c->slope, p, key,
                                        a->att_work);
        return;
    }
    /* any finite output gradient will do: the layer's own output */
    if (impl == GAT_ATTENTION_FUSED)
        gat_attention_backward(a->dz, a->ds_src, a->ds_dst, a->scratch, L->out, g, L->att, L->att_mask, L->s_src,
                               L->s_dst, L->z, h, f, c->slope, p, NULL);
    else if (impl == GAT_ATTENTION_EDGES)
        gat_attention_edges_backward(a->dz, a->ds_src, a->ds_dst, a->scratch, L->out, g, L->att, L->att_mask, L->s_src,
                                     L->s_dst, L->z, h, f, c->slope, p, a->att_work);
    else
        gat_attention_dense_backward(a->dz, a->ds_src, a->ds_dst, a->scratch, L->out, g, L->att, L->att_mask, L->s_src,
                                     L->s_dst, L->z, h, f, c->slope, p, a->att_work);
}

/* One timed training step of an implementation: forward, backward, then each layer's
 * attention step alone; k < 0 is the warm-up (not recorded). t holds (2 + 2 L) x repeats. */
static void profile_step(gat_model *m, gat_session *s, int k, int repeats, uint64_t seed, double *t) {
    const int L = m->cfg.n_layers;
    const uint64_t key = gat_rng_key(seed, 0x70f1e, (uint64_t)(k + 1), 0);
    double t0 = now_ms();
    const float *logits = gat_model_forward(m, &s->acts, &s->in, &s->g, 1, key);
    double t1 = now_ms();
    gat_split_metrics(s, logits, GAT_SPLIT_TRAIN, s->dlogits);
    memset(m->grads, 0, m->n_params * sizeof *m->grads);
    double t2 = now_ms();
    gat_model_backward(m, &s->acts, &s->in, &s->g, s->dlogits);
    double t3 = now_ms();
    if (k >= 0) {
        t[k] = t1 - t0;
        t[repeats + k] = t3 - t2;
    }
    for (int l = 0; l < L; l++)
        for (int b = 0; b < 2; b++) {
            const uint64_t lkey = gat_rng_key(key, (uint64_t)l, GAT_DROPOUT_ATT, 0);
            double u0 = now_ms();
            attention_step(m, &s->acts, &s->g, l, b, lkey);
            double u1 = now_ms();
            if (k >= 0) t[(2 + 2 * l + b) * repeats + k] = u1 - u0;
        }
}

int gat_profile_run(const gat_dataset *ds, const gat_config *cfgs, int n, int repeats, uint64_t seed,
                    gat_profile_result *r, gat_error *err) {
    if (repeats < 1 || repeats > 100000) return gat_error_set(err, GAT_EINVAL, "profile.repeats: %d is not in 1..100000", repeats);
    if (n < 1 || n > GAT_PROFILE_MAX)
        return gat_error_set(err, GAT_EINVAL, "profile.cfgs: %d configurations (1..%d)", n, GAT_PROFILE_MAX);
    const int L = cfgs[0].n_layers;
    for (int q = 0; q < n; q++) {
        int rc = gat_config_check(&cfgs[q], err);
        if (rc) return rc;
        if (cfgs[q].n_layers != L)
            return gat_error_set(err, GAT_EINVAL, "profile.cfgs: configuration %d has %d layers, the first %d", q,
                                 cfgs[q].n_layers, L);
    }
    gat_model m[GAT_PROFILE_MAX];
    gat_session s[GAT_PROFILE_MAX];
    memset(m, 0, sizeof m);
    memset(s, 0, sizeof s);
    double *t = calloc((size_t)n * (size_t)repeats * (size_t)(2 + 2 * L), sizeof *t);
    int rc = t ? GAT_OK : gat_error_set(err, GAT_ENOMEM, "profile: out of memory");
    for (int q = 0; q < n && !rc; q++) {
        memset(&r[q], 0, sizeof r[q]);
        r[q].impl = cfgs[q].attention_impl;
        r[q].attention_type = cfgs[q].attention_type;
        r[q].repeats = repeats;
        r[q].n_layers = L;
        rc = gat_model_init(&m[q], &cfgs[q], seed, err);
        const double heap0 = gat_heap_bytes();
        if (!rc) rc = gat_session_init_order(&s[q], ds, &m[q], GAT_NODE_ORDER_INPUT, err); /* steps on s.in, s.g */
        r[q].memory_bytes = gat_heap_bytes() - heap0;
    }
    /* interleaved: repeat k of every implementation before repeat k + 1 of any, so a change in
     * the machine's load falls on all of them alike */
    for (int k = -1; k < repeats && !rc; k++)
        for (int q = 0; q < n; q++)
            profile_step(&m[q], &s[q], k, repeats, seed, t + (size_t)q * (size_t)repeats * (size_t)(2 + 2 * L));
    for (int q = 0; q < n && !rc; q++) {
        double *tq = t + (size_t)q * (size_t)repeats * (size_t)(2 + 2 * L);
        r[q].forward_ms = median(tq, repeats);
        r[q].backward_ms = median(tq + repeats, repeats);
        for (int l = 0; l < L; l++) {
            r[q].att_forward_ms[l] = median(tq + (2 + 2 * l) * repeats, repeats);
            r[q].att_backward_ms[l] = median(tq + (3 + 2 * l) * repeats, repeats);
        }
    }
    for (int q = 0; q < n; q++) {
        gat_session_free(&s[q]);
        gat_model_free(&m[q]);
    }
    free(t);
    return rc;
}
