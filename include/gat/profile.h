/* profile.h - timing the attention implementations, as pytorch-GAT's profiling does.
 *
 * gat_profile_run builds one session per configuration given for a dataset (typically the
 * same model with each attention implementation, fused, edges and dense, of GAT or GATv2),
 * then times, over `repeats` runs after one untimed warm-up, interleaved (repeat k of every
 * configuration before repeat k + 1 of any, so a change in the machine's load falls on all
 * alike): a training forward pass of the whole model (dropout on), its backward
 * pass, and each layer's attention step alone (LeakyReLU, masked softmax, attention
 * dropout, aggregation, and their backward), run again on the activations the forward pass
 * left. Times are medians, in milliseconds, of the wall clock (CLOCK_MONOTONIC). Memory is
 * the heap the session holds once built (graph, input, activations and the implementation's
 * own buffers), measured with glibc's mallinfo2 (or AddressSanitizer's count in a sanitizer
 * build; 0 elsewhere); the passes allocate nothing
 * else of note. Benchmarks are noisy on a shared machine: compare implementations measured
 * in the same run, as ratios. */
#ifndef GAT_PROFILE_H
#define GAT_PROFILE_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many configurations in one run. */
#define GAT_PROFILE_MAX 8

typedef struct gat_profile_result {
    int impl;                          /* gat_attention_impl */
    int attention_type;                /* gat_attention_type */
    int repeats;
    int n_layers;
    double forward_ms, backward_ms;    /* whole model, medians */
    double att_forward_ms[GAT_MAX_LAYERS], att_backward_ms[GAT_MAX_LAYERS]; /* the attention step of each layer */
    double memory_bytes;               /* heap held by the session (0 when it cannot be measured) */
} gat_profile_result;

/* Profile each of cfgs[0 .. n) (1 to GAT_PROFILE_MAX configurations for ds: its input width
 * and classes) on ds into r[0 .. n); the models are initialised from seed. repeats >= 1.
 * Every configuration is checked (gat_config_check: GATv2 has no dense form; dense's node
 * limit) before any timing, with the configuration's own message ("config.attention_impl:
 * ..."). All the sessions are alive at once
 * (dense's N x N matrices included). */
int gat_profile_run(const gat_dataset *ds, const gat_config *cfgs, int n, int repeats, uint64_t seed,
                    gat_profile_result *r, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
