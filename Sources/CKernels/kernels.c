// Dispatch for the C dot-product kernels (see include/CKernels.h). Compiled for the baseline target; the
// kernel bodies carry their own `target` attributes, and CPUID picks the variant at run time, so a portable
// build still reaches the fast paths.
#include "CKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// The float steps must round exactly as the Swift kernels' (one rounding per operation): no fused multiply-add.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define SF_TARGET __attribute__((target("avx2,fma,f16c")))
#define SF_SUFFIX _avx2
#define SF_DOT_U8S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
#define SF_MADD_SCALED(acc, p16, scale16) _mm256_add_epi32((acc), _mm256_madd_epi16((p16), (scale16)))
#include "dot_body.h"
#undef SF_TARGET
#undef SF_SUFFIX
#undef SF_DOT_U8S8
#undef SF_MADD_SCALED

#define SF_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
#define SF_SUFFIX _vnni
#define SF_HAS_512 1
#define SF_DOT_U8S8(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))
#define SF_MADD_SCALED(acc, p16, scale16) _mm256_dpwssd_epi32((acc), (p16), (scale16))
#include "dot_body.h"

static int detect_level(void) {
    const char *env = getenv("SPECFIT_KERNELS");
    if (env && strcmp(env, "swift") == 0) return 0;
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    if (!avx2) return 0;
    if (env && strcmp(env, "avx2") == 0) return 1;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni"))
        return 2;
    return 1;
}

static int level_cache = -1;

int sf_kernels_level(void) {
    int l = __atomic_load_n(&level_cache, __ATOMIC_RELAXED);
    if (l < 0) {
        l = detect_level();
        __atomic_store_n(&level_cache, l, __ATOMIC_RELAXED);
    }
    return l;
}

#define SF_LEGACY(name, kind, xbytes, ybytes, qoff)                                                           \
    void name(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride) { \
        const uint8_t *yb = (const uint8_t *)y;                                                                \
        if (sf_kernels_level() >= 2 && n > 1) {                                                                \
            legacy_rows_vnni(kind, count, x, yb, y_stride, n, out, out_stride, xbytes, ybytes, qoff);         \
        } else if (sf_kernels_level() >= 2) {                                                                  \
            out[0] = legacy_row_vnni(kind, count, x, yb, xbytes, ybytes, qoff);                                \
        } else {                                                                                               \
            for (long j = 0; j < n; j++)                                                                       \
                out[j * out_stride] = legacy_row_avx2(kind, count, x, yb + j * y_stride, xbytes, ybytes, qoff); \
        }                                                                                                      \
    }

SF_LEGACY(sf_rowdot_q4_0, 0, 18, 34, 2)
SF_LEGACY(sf_rowdot_q4_1, 1, 20, 36, 4)
SF_LEGACY(sf_rowdot_q5_0, 2, 22, 34, 2)
SF_LEGACY(sf_rowdot_q5_1, 3, 24, 36, 4)
SF_LEGACY(sf_rowdot_q8_0, 4, 34, 34, 2)

void sf_rowdot_q4_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride) {
    const uint8_t *yb = (const uint8_t *)y;
    if (sf_kernels_level() >= 2) {
        q45_K_rows_vnni(0, count, x, yb, y_stride, n, out, out_stride);
    } else {
        for (long j = 0; j < n; j++) out[j * out_stride] = q45_K_row_avx2(0, count, x, yb + j * y_stride);
    }
}

void sf_rowdot_q5_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride) {
    const uint8_t *yb = (const uint8_t *)y;
    if (sf_kernels_level() >= 2) {
        q45_K_rows_vnni(1, count, x, yb, y_stride, n, out, out_stride);
    } else {
        for (long j = 0; j < n; j++) out[j * out_stride] = q45_K_row_avx2(1, count, x, yb + j * y_stride);
    }
}

void sf_rowdot_q6_K(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride) {
    const uint8_t *yb = (const uint8_t *)y;
    if (sf_kernels_level() >= 2) {
        q6_K_rows_vnni(count, x, yb, y_stride, n, out, out_stride);
    } else {
        for (long j = 0; j < n; j++) out[j * out_stride] = q6_K_row_avx2(count, x, yb + j * y_stride);
    }
}

#else  // not x86-64: the Swift kernels are used (sf_kernels_level() is 0 and nothing else is called)

int sf_kernels_level(void) { return 0; }
#define SF_UNAVAILABLE(name) \
    void name(long count, const void *x, const void *y, long y_stride, long n, float *out, long out_stride) { abort(); }
SF_UNAVAILABLE(sf_rowdot_q4_0)
SF_UNAVAILABLE(sf_rowdot_q4_1)
SF_UNAVAILABLE(sf_rowdot_q5_0)
SF_UNAVAILABLE(sf_rowdot_q5_1)
SF_UNAVAILABLE(sf_rowdot_q8_0)
SF_UNAVAILABLE(sf_rowdot_q4_K)
SF_UNAVAILABLE(sf_rowdot_q5_K)
SF_UNAVAILABLE(sf_rowdot_q6_K)
#endif
