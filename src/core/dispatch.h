/* dispatch.h - run-time choice of instruction set for the hot kernels.
 *
 * Put GAT_HOT_KERNEL in front of a kernel's definition (a function that spends its time in
 * vectorizable loops, OpenMP regions included):
 *
 *     GAT_HOT_KERNEL void gat_elu_forward(float *y, const float *x, size_t n) { ... }
 *
 * In a portable build (the default, GAT_DISPATCH=ON) GCC then compiles the function three
 * times, for plain x86-64 (SSE2), x86-64-v3 (AVX2, FMA) and x86-64-v4 (AVX-512), and the
 * dynamic loader picks the best one for the CPU once, at load time (an ifunc resolver using
 * __builtin_cpu_supports). Inline helpers the kernel calls are compiled into every copy.
 * With -march=native (GAT_NATIVE=ON), another compiler or another architecture, it is
 * empty and the kernel is compiled once.
 *
 * Same bits on every path: portable builds use -ffp-contract=off (no fused multiply-add is
 * formed, so the v3/v4 copies round exactly as the SSE2 one), and without -ffast-math the
 * compiler never reorders a floating-point sum, so wider vectors change speed, not results.
 * (OpenBLAS picks its own kernels for the CPU; its products may differ in the last bits
 * between CPU models, so results are reproducible per machine, on any thread count.) */
#ifndef GAT_DISPATCH_H
#define GAT_DISPATCH_H

#if defined(GAT_DISPATCH) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define GAT_HOT_KERNEL __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#endif
#endif
#ifndef GAT_HOT_KERNEL
#define GAT_HOT_KERNEL
#endif

#endif
