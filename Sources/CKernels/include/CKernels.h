// Innermost integer dot products of the micro-decoder in C with x86 SIMD intrinsics (AVX2, AVX-512 VNNI),
// for the weight types of the reference models. Swift remains the definition: every function here computes
// exactly the integer sums of Sources/Decoder/Kernels/{DotLegacy,DotKQuants}.swift and the same float steps in
// the same order (FP contraction off), so results are bit-identical to the Swift kernels — a test checks it.
// README ("Decoder speed") has the benchmark that justified this target: the Swift loops compile to
// vpmovsxbw + vpdpwssd on 16-bit lanes, 1.5–1.9× slower than ggml's 8-bit vpmaddubsw / vpdpbusd paths.
#ifndef SPECFIT_CKERNELS_H
#define SPECFIT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The SIMD level the C kernels use on this CPU: 0 = none (callers use the Swift kernels), 1 = AVX2 + F16C + FMA,
/// 2 = AVX-512 VNNI with VL/BW. Decided once from CPUID; `SPECFIT_KERNELS=swift` in the environment forces 0.
int sf_kernels_level(void);

/// One weight row of `count` elements (a multiple of the type's block size) · `n` quantised activation rows:
/// `out[j * out_stride] = row · act_j`, activation row j at `y + j * y_stride` bytes. Activation formats as
/// ggml's: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for the K-quants. Only call when
/// sf_kernels_level() > 0.
void sf_rowdot_q4_0(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q4_1(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q5_0(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q5_1(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q8_0(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q4_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q5_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);
void sf_rowdot_q6_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride);

#ifdef __cplusplus
}
#endif
#endif
