/* rng.h - counter-based random numbers.
 *
 * Every random number gat draws is a pure function of (key, index): the key names the
 * stream (seed, training step, layer, site: input / projection / attention), the index
 * the element. So dropout masks and initial weights do not depend on how work is split
 * between threads, and a seed gives the same bits on 1 or 16 threads. The mixer is
 * SplitMix64's finaliser (Steele, Lea, Flood 2014), which passes BigCrush as a counter-mode
 * generator. */
#ifndef GAT_RNG_H
#define GAT_RNG_H

#include <stdint.h>

static inline uint64_t gat_mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- the stream table ----
 * Every key gat derives from a user seed starts with one of these tags, so two uses of
 * randomness can never draw the same stream. A new use adds a row here (with a new tag);
 * the values are part of the file formats' reproducibility (a seed gives the same model
 * and the same dropout masks in every version), so existing rows never change.
 *
 *   use                        key                                                   element index
 *   initial weights            gat_rng_key(seed, GAT_STREAM_INIT, tensor, 0)         element of the tensor
 *   training step              step = gat_rng_key(seed, GAT_STREAM_STEP, epoch, s)   -  (s: step within the
 *                                                                                    epoch, 0 for one graph)
 *   dropout site of a layer    gat_rng_key(step, layer, GAT_DROPOUT_*, 0)            element of the masked array
 *   node sample (inspection)   gat_rng_key(seed, GAT_STREAM_NODES, 0, 0)             draw
 *   order of training graphs   gat_rng_key(seed, GAT_STREAM_SHUFFLE, epoch, 0)       position (Fisher-Yates)
 *   generated graph (gat generate graph): weights, classes, splits
 *                              gat_rng_key(seed, GAT_STREAM_GEN_WEIGHT | _CLASS | _SPLIT, 0, 0)  node
 *     its edges, features      gat_rng_key(seed, GAT_STREAM_GEN_EDGE | _FEAT, node, 0)  draw of that node
 *   dictionary lookup (gat generate dictionary-lookup): values of an instance
 *                              gat_rng_key(seed, GAT_STREAM_GEN_LOOKUP, instance, 0)  position (Fisher-Yates)
 *   sampled epoch order        gat_rng_key(seed, GAT_STREAM_BATCH_ORDER, epoch, 0)   position (Fisher-Yates)
 *   sampled training step      step = gat_rng_key(seed, GAT_STREAM_BATCH_STEP, epoch, batch)   (dropout sites as above)
 *   neighbour sample           gat_rng_key(gat_rng_key(seed, GAT_STREAM_NEIGHBOURS, epoch, batch), node, 0, 0)   draw
 *
 * Dropout masks are indexed by the element of the array they mask, rows by global node id
 * (gat_input.node_ids): the input (N, K), a stored entry (r, c) of sparse input taking the
 * index r*K + c of its dense position; the projection (N, H*F); the attention
 * (nnz_graph, H) in the graph's entry order (graph.h). */
#define GAT_STREAM_INIT 0x1417ull
#define GAT_STREAM_STEP 0xd209ull
#define GAT_STREAM_NODES 0x6e6f646573ull /* "nodes" */
#define GAT_STREAM_SHUFFLE 0x5b0full
#define GAT_STREAM_GEN_WEIGHT 0x3e16ull
#define GAT_STREAM_GEN_CLASS 0xc1a5ull
#define GAT_STREAM_GEN_EDGE 0xed6eull
#define GAT_STREAM_GEN_FEAT 0xfea7ull
#define GAT_STREAM_GEN_SPLIT 0x5917ull
#define GAT_STREAM_BATCH_ORDER 0x0bdeull
#define GAT_STREAM_BATCH_STEP 0x5b7eull
#define GAT_STREAM_NEIGHBOURS 0x5a3b1eull
#define GAT_STREAM_GEN_LOOKUP 0x100cull
/* Dropout sites within a step (the second coordinate of a site key is the layer). */
enum { GAT_DROPOUT_INPUT = 1, GAT_DROPOUT_PROJ = 2, GAT_DROPOUT_ATT = 3, GAT_DROPOUT_PROJ_DST = 4 /* gatv2 */ };

/* A stream key from a seed and up to three stream coordinates. */
static inline uint64_t gat_rng_key(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
    return gat_mix64(gat_mix64(gat_mix64(gat_mix64(seed) ^ a) ^ b) ^ c);
}

/* 32 random bits for element i of stream key: one 64-bit mix serves two elements. */
static inline uint32_t gat_rng_u32(uint64_t key, uint64_t i) {
    uint64_t r = gat_mix64(key ^ ((i >> 1) * 0xd1b54a32d192ed03ull));
    return (i & 1) ? (uint32_t)(r >> 32) : (uint32_t)r;
}

/* Uniform in [0, 1) with 24 bits. */
static inline float gat_rng_uniform(uint64_t key, uint64_t i) {
    return (float)(gat_rng_u32(key, i) >> 8) * (1.0f / 16777216.0f);
}

/* Uniform in [0, 1) with 53 bits. */
static inline double gat_rng_uniform64(uint64_t key, uint64_t i) {
    return (double)(gat_mix64(key ^ (i * 0xd1b54a32d192ed03ull)) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
