/* kernels_h8f8.h - the attention kernels of kernels.h for 8 heads x 8 features (the hidden
 * layers of the paper's Cora and Citeseer models), written on 8-float vectors. Private to the
 * library; included by kernels.h after the loops they replace.
 *
 * Why: for this shape the plain loops leave the compiler a choice it gets wrong. It unrolls
 * the 8 heads, then vectorizes across edges, so every step of the per-head softmax and of the
 * aggregation becomes a transpose of 8 edges (and the d att dot products stay scalar). Here a
 * vector is the 8 heads of one edge (or the 8 features of one head), which is what the data
 * layout gives: one load per (edge, head-row).
 *
 * Same bits as the loops: every lane does the loops' operations in the loops' order (the
 * dot products of d att are summed feature by feature from 0, as the loops do, on transposed
 * rows), and selects replace the conditionals. GCC's vector extension (vector_size), not
 * intrinsics: each clone of dispatch.h compiles it for its own target (two SSE halves for
 * plain x86-64, one AVX register for x86-64-v3/v4); tests/test_kernels_h8f8.c checks that the
 * results equal the loops' bit for bit. */
#ifndef GAT_KERNELS_H8F8_H
#define GAT_KERNELS_H8F8_H

/* The helpers are always inlined: no 32-byte vector ever crosses a call, so the note GCC
 * gives for the plain x86-64 copy (vector arguments without AVX change the calling
 * convention) does not apply. The pragma silences it for clang; GCC 12 reports it at the end of
 * the including file regardless, so CMakeLists.txt gives GCC -Wno-psabi. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float gat_v8f __attribute__((vector_size(32)));
typedef int32_t gat_v8i __attribute__((vector_size(32)));
typedef uint8_t gat_v8b __attribute__((vector_size(8)));

GAT_INLINE gat_v8f gat_v8f_load(const float *p) {
    gat_v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}
GAT_INLINE void gat_v8f_store(float *p, gat_v8f v) { memcpy(p, &v, sizeof v); }
/* Lanes of a and b (indices 0-7 of a, 8-15 of b) picked by constant indices: GCC spells it
 * __builtin_shuffle with an index vector, clang __builtin_shufflevector with the indices. */
#if defined(__clang__)
#define GAT_V8_SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define GAT_V8_SHUFFLE(a, b, ...) __builtin_shuffle(a, b, (gat_v8i){__VA_ARGS__})
#endif

/* x in every lane, as a shuffle of lane 0: GCC 12 expands the plain initialiser {x, ..., x}
 * in the AVX clones of a target_clones kernel (dispatch.h) as for the default target, one
 * insert per lane (15 instructions where one broadcast does), which cost more than the
 * arithmetic in the loops that splat a scalar per step. */
GAT_INLINE gat_v8f gat_v8f_splat(float x) {
    const gat_v8f t = {x};
    return GAT_V8_SHUFFLE(t, t, 0, 0, 0, 0, 0, 0, 0, 0);
}
/* m ? a : b lane by lane (m lanes all ones or zero, as comparisons give) */
GAT_INLINE gat_v8f gat_v8f_select(gat_v8i m, gat_v8f a, gat_v8f b) {
    return (gat_v8f)(((gat_v8i)a & m) | ((gat_v8i)b & ~m));
}
/* the 8 keep-bits at p as lane masks */
GAT_INLINE gat_v8i gat_v8_kept(const uint8_t *p) {
    gat_v8b b;
    memcpy(&b, p, sizeof b);
    return __builtin_convertvector(b, gat_v8i) != 0;
}

/* Asks for the 4 cache lines of a row of 64 floats (a gathered row read a little later). */
GAT_INLINE void gat_v8_prefetch_row(const float *p) {
    for (int k = 0; k < 64; k += 16) __builtin_prefetch(p + k);
}

/* gat_expf lane by lane, the same operations: floorf of t (|t| < 2^8 after the clamp, NaN
 * aside) is the truncation minus one where truncating rounded up. */
GAT_INLINE gat_v8f gat_v8_expf(gat_v8f x) {
    x = gat_v8f_select(x < -87.0f, gat_v8f_splat(-87.0f), gat_v8f_select(x > 88.0f, gat_v8f_splat(88.0f), x));
    const gat_v8f t = x * 1.44269504088896341f + 0.5f;
    gat_v8f n = __builtin_convertvector(__builtin_convertvector(t, gat_v8i), gat_v8f);
    n = gat_v8f_select(n > t, n - 1.0f, n);
    const gat_v8f r = x - n * 0.693359375f + n * 2.12194440e-4f;
    gat_v8f p = gat_v8f_splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const gat_v8f y = p * r * r + r + 1.0f;
    const gat_v8i bits = (__builtin_convertvector(n, gat_v8i) + 127) << 23;
    return y * (gat_v8f)bits;
}

/* rows r[0..7] (each 8 floats) -> columns: out[c][k] = r[k][c] */
GAT_INLINE void gat_v8_transpose(gat_v8f out[8], const gat_v8f r[8]) {
    gat_v8f a[8], b[8];
    for (int k = 0; k < 4; k++) {
        a[2 * k] = GAT_V8_SHUFFLE(r[2 * k], r[2 * k + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        a[2 * k + 1] = GAT_V8_SHUFFLE(r[2 * k], r[2 * k + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int k = 0; k < 2; k++) /* b[4k + c] holds columns c and c + 4 of rows 4k .. 4k+3 */
        for (int u = 0; u < 2; u++) {
            b[4 * k + 2 * u] = GAT_V8_SHUFFLE(a[4 * k + u], a[4 * k + u + 2], 0, 1, 8, 9, 4, 5, 12, 13);
            b[4 * k + 2 * u + 1] = GAT_V8_SHUFFLE(a[4 * k + u], a[4 * k + u + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        }
    for (int k = 0; k < 4; k++) {
        out[k] = GAT_V8_SHUFFLE(b[k], b[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        out[k + 4] = GAT_V8_SHUFFLE(b[k], b[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/* gat_scores_row for 8 x 8: the products of each head transposed, so that a lane (a head)
 * sums its 8 features from feature 0 up, as the loops do. */
GAT_INLINE void gat_scores_row_h8f8(float *restrict s_src, float *restrict s_dst, const float *restrict z,
                                    const float *restrict a_src, const float *restrict a_dst) {
    gat_v8f ps[8], pd[8], cs[8], cd[8];
    for (int hh = 0; hh < 8; hh++) {
        const gat_v8f zr = gat_v8f_load(z + hh * 8);
        ps[hh] = zr * gat_v8f_load(a_src + hh * 8);
        pd[hh] = zr * gat_v8f_load(a_dst + hh * 8);
    }
    gat_v8_transpose(cs, ps);
    gat_v8_transpose(cd, pd);
    gat_v8f a = gat_v8f_splat(0.0f), b = a;
    for (int c = 0; c < 8; c++) {
        a += cs[c];
        b += cd[c];
    }
    gat_v8f_store(s_src, a);
    gat_v8f_store(s_dst, b);
}

/* gat_attention_row for 8 x 8 */
GAT_INLINE void gat_attention_row_h8f8(const gat_att_fwd *A, int64_t i, float *restrict out /* (8, 8) */) {
    const int64_t p0 = A->row_ptr[i], p1 = A->row_ptr[i + 1];
    const int64_t *restrict src = A->src;
    const float *restrict s_src = A->s_src, *restrict z = A->z;
    float *restrict att = A->att;
    const float slope = A->slope, scale = A->scale;
    const int drop = A->p > 0.0f;
    const gat_v8f sd = gat_v8f_load(A->s_dst + i * 8), zero = gat_v8f_splat(0.0f);
    gat_v8f mx = gat_v8f_splat(-INFINITY), sum = zero, acc[8];
    if (p0 == p1) { /* no incoming edge: an empty softmax, zero */
        for (int hh = 0; hh < 8; hh++) gat_v8f_store(out + hh * 8, zero);
        return;
    }
    for (int64_t q = p0; q < p1; q++) {
        gat_v8_prefetch_row(z + src[q] * 64); /* read by the aggregation below */
        gat_v8f v = gat_v8f_load(s_src + src[q] * 8) + sd;
        v = gat_v8f_select(v > 0.0f, v, slope * v);
        gat_v8f_store(att + q * 8, v);
        mx = gat_v8f_select(v > mx, v, mx);
    }
    uint8_t *restrict mask = drop ? A->att_mask + p0 * 8 : NULL;
    if (drop) gat_mask_range(mask, A->key, (size_t)(p0 * 8), (size_t)(p1 * 8), A->thr);
    for (int hh = 0; hh < 8; hh++) acc[hh] = zero;
    for (int64_t q = p0; q < p1; q++) gat_v8f_store(att + q * 8, gat_v8_expf(gat_v8f_load(att + q * 8) - mx));
    for (int64_t q = p0; q < p1; q++) {
        const gat_v8f v = gat_v8f_load(att + q * 8);
        sum += v;
        const gat_v8f coef = drop ? gat_v8f_select(gat_v8_kept(mask + (q - p0) * 8), v * scale, zero) : v;
        const float *restrict zs = z + src[q] * 64;
        for (int hh = 0; hh < 8; hh++) acc[hh] += coef[hh] * gat_v8f_load(zs + hh * 8);
    }
    const gat_v8f inv = 1.0f / sum;
    for (int64_t q = p0; q < p1; q++) gat_v8f_store(att + q * 8, gat_v8f_load(att + q * 8) * inv);
    for (int hh = 0; hh < 8; hh++) gat_v8f_store(out + hh * 8, acc[hh] * inv[hh]);
}

/* gat_attention_grad_target for 8 x 8 */
GAT_INLINE void gat_attention_grad_target_h8f8(const gat_att_bwd *B, int64_t i, float *restrict ds_dst /* (8) */,
                                               int add) {
    const int64_t p0 = B->row_ptr[i], p1 = B->row_ptr[i + 1];
    const int64_t *restrict src = B->src;
    const float *restrict z = B->z, *restrict att = B->att, *restrict s_src = B->s_src;
    float *restrict scratch = B->scratch;
    const uint8_t *restrict att_mask = B->att_mask;
    const int drop = B->p > 0.0f;
    const float scale = B->scale, slope = B->slope;
    const gat_v8f zero = gat_v8f_splat(0.0f), sd = gat_v8f_load(B->s_dst + i * 8);
    gat_v8f rows[8], dcol[8], zcol[8];
    for (int hh = 0; hh < 8; hh++) rows[hh] = gat_v8f_load(B->dout + i * 64 + hh * 8);
    gat_v8_transpose(dcol, rows); /* dcol[c][hh] = dout[i, hh, c] */
    gat_v8f dot = zero;
    for (int64_t q = p0; q < p1; q++) {
        const float *restrict zs = z + src[q] * 64;
        if (q + 2 < p1) gat_v8_prefetch_row(z + src[q + 2] * 64);
        for (int hh = 0; hh < 8; hh++) rows[hh] = gat_v8f_load(zs + hh * 8);
        gat_v8_transpose(zcol, rows);
        gat_v8f s = zero;
        for (int c = 0; c < 8; c++) s += dcol[c] * zcol[c];
        if (drop) s = gat_v8f_select(gat_v8_kept(att_mask + q * 8), s * scale, zero);
        gat_v8f_store(scratch + q * 8, s); /* d loss / d att (before dropout) */
        dot += s * gat_v8f_load(att + q * 8);
    }
    gat_v8f gd = zero;
    for (int64_t q = p0; q < p1; q++) {
        const gat_v8f ss = gat_v8f_load(s_src + src[q] * 8);
        gat_v8f de = gat_v8f_load(att + q * 8) * (gat_v8f_load(scratch + q * 8) - dot);
        const gat_v8f pre = ss + sd;
        de = gat_v8f_select(pre > 0.0f, de, slope * de);
        gat_v8f_store(scratch + q * 8, de);
        gd += de;
    }
    gat_v8f_store(ds_dst, add ? gat_v8f_load(ds_dst) + gd : gd);
}

/* gat_attention_grad_source for 8 x 8 */
GAT_INLINE void gat_attention_grad_source_h8f8(const gat_att_bwd *B, int64_t j, float *restrict dz /* (8, 8) */,
                                               float *restrict ds_src /* (8) */, int add) {
    const int64_t *restrict out_pos = B->out_pos, *restrict dst = B->dst;
    const float *restrict att = B->att, *restrict scratch = B->scratch, *restrict dout = B->dout;
    const uint8_t *restrict att_mask = B->att_mask, *restrict active = B->active;
    const int drop = B->p > 0.0f;
    const float scale = B->scale;
    const gat_v8f zero = gat_v8f_splat(0.0f);
    gat_v8f acc[8], gs = zero;
    for (int hh = 0; hh < 8; hh++) acc[hh] = zero;
    for (int64_t t = B->out_ptr[j]; t < B->out_ptr[j + 1]; t++) {
        const int64_t q = out_pos[t], d = dst[q];
        if (t + 2 < B->out_ptr[j + 1]) gat_v8_prefetch_row(dout + dst[out_pos[t + 2]] * 64);
        if (active && !active[d]) continue; /* a target whose output nothing needs */
        const gat_v8f aq = gat_v8f_load(att + q * 8);
        const gat_v8f coef = drop ? gat_v8f_select(gat_v8_kept(att_mask + q * 8), aq * scale, zero) : aq;
        gs += gat_v8f_load(scratch + q * 8);
        const float *restrict dd = dout + d * 64;
        for (int hh = 0; hh < 8; hh++) acc[hh] += coef[hh] * gat_v8f_load(dd + hh * 8);
    }
    for (int hh = 0; hh < 8; hh++) gat_v8f_store(dz + hh * 8, add ? gat_v8f_load(dz + hh * 8) + acc[hh] : acc[hh]);
    gat_v8f_store(ds_src, add ? gat_v8f_load(ds_src) + gs : gs);
}

/* gat_scores_grad_row for 8 x 8: one vector per head (its 8 features) */
GAT_INLINE void gat_scores_grad_row_h8f8(float *restrict dz, float *restrict ps, float *restrict pd,
                                         const float *restrict gs, const float *restrict gd,
                                         const float *restrict z, const float *restrict a_src,
                                         const float *restrict a_dst, const uint8_t *restrict mask, float scale) {
    const gat_v8f zero = gat_v8f_splat(0.0f);
    for (int hh = 0; hh < 8; hh++) {
        const gat_v8f g1 = gat_v8f_splat(gs[hh]), g2 = gat_v8f_splat(gd[hh]), zr = gat_v8f_load(z + hh * 8);
        gat_v8f d = gat_v8f_load(dz + hh * 8) + (g1 * gat_v8f_load(a_src + hh * 8) + g2 * gat_v8f_load(a_dst + hh * 8));
        if (mask) d = gat_v8f_select(gat_v8_kept(mask + hh * 8), d * scale, zero);
        gat_v8f_store(dz + hh * 8, d);
        gat_v8f_store(ps + hh * 8, gat_v8f_load(ps + hh * 8) + g1 * zr);
        gat_v8f_store(pd + hh * 8, gat_v8f_load(pd + hh * 8) + g2 * zr);
    }
}

#endif
