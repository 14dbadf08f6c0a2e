// Distance kernels with run-time dispatch. `swift build` targets generic x86-64, so the wide paths
// are compiled per function with target attributes and chosen with __builtin_cpu_supports: the
// binary runs on any x86-64 and uses AVX-512 or AVX2 where present.
#include "weft_kernels.h"

#include <math.h>
#include <stdatomic.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define WEFT_X86 1
#endif

typedef weft_distance_kernel weft_kernel;

// ---------------------------------------------------------------- portable

float weft_l2_squared_portable(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; i < n; i++) { float d = a[i] - b[i]; s0 += d * d; }
    return (s0 + s1) + (s2 + s3);
}

float weft_dot_portable(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return -((s0 + s1) + (s2 + s3));
}

float weft_manhattan_portable(const float *a, const float *b, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) s += fabsf(a[i] - b[i]);
    return s;
}

float weft_hamming_portable(const float *a, const float *b, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) s += (a[i] != b[i]) ? 1.0f : 0.0f;
    return s;
}

#if WEFT_X86
// ---------------------------------------------------------------- AVX2 + FMA

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 shuf = _mm_movehdup_ps(lo);
    __m128 sums = _mm_add_ps(lo, shuf);
    shuf = _mm_movehl_ps(shuf, sums);
    sums = _mm_add_ss(sums, shuf);
    return _mm_cvtss_f32(sums);
}

__attribute__((target("avx2,fma"))) static float l2_avx2(const float *a, const float *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; i++) { float d = a[i] - b[i]; s += d * d; }
    return s;
}

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return -s;
}

__attribute__((target("avx2,fma"))) static float manhattan_avx2(const float *a, const float *b, size_t n) {
    const __m256 mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 s0 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_add_ps(s0, _mm256_and_ps(d, mask));
    }
    float s = hsum256(s0);
    for (; i < n; i++) s += fabsf(a[i] - b[i]);
    return s;
}

// ---------------------------------------------------------------- AVX-512F

__attribute__((target("avx512f"))) static float l2_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

__attribute__((target("avx512f"))) static float dot_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return -_mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

__attribute__((target("avx512f"))) static float manhattan_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i))));
    }
    return _mm512_reduce_add_ps(s0);
}
#endif

// ---------------------------------------------------------------- dispatch

static _Atomic(weft_kernel) l2_impl, dot_impl, manhattan_impl;
static _Atomic int chosen_level = -1;

static int detect_level(void) {
#if WEFT_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 256;
#endif
    return 0;
}

static void install(int level) {
#if WEFT_X86
    if (level >= 512) {
        atomic_store(&l2_impl, l2_avx512); atomic_store(&dot_impl, dot_avx512); atomic_store(&manhattan_impl, manhattan_avx512);
        atomic_store(&chosen_level, 512);
        return;
    }
    if (level >= 256) {
        atomic_store(&l2_impl, l2_avx2); atomic_store(&dot_impl, dot_avx2); atomic_store(&manhattan_impl, manhattan_avx2);
        atomic_store(&chosen_level, 256);
        return;
    }
#endif
    atomic_store(&l2_impl, weft_l2_squared_portable);
    atomic_store(&dot_impl, weft_dot_portable);
    atomic_store(&manhattan_impl, weft_manhattan_portable);
    atomic_store(&chosen_level, 0);
}

static inline void ensure_installed(void) {
    if (atomic_load_explicit(&chosen_level, memory_order_acquire) < 0) install(detect_level());
}

int weft_kernels_level(void) { ensure_installed(); return atomic_load(&chosen_level); }

weft_distance_kernel weft_kernel_for(int kind) {
    ensure_installed();
    switch (kind) {
    case 0: return atomic_load(&l2_impl);
    case 1: return atomic_load(&dot_impl);
    case 2: return atomic_load(&manhattan_impl);
    default: return weft_hamming_portable;
    }
}

weft_distance_kernel weft_kernel_at_level(int kind, int level, int *actual) {
    int supported = detect_level();
    int use = level < supported ? level : supported;
    if (kind == 3) { *actual = 0; return weft_hamming_portable; }
#if WEFT_X86
    if (use >= 512) {
        *actual = 512;
        return kind == 0 ? l2_avx512 : kind == 1 ? dot_avx512 : manhattan_avx512;
    }
    if (use >= 256) {
        *actual = 256;
        return kind == 0 ? l2_avx2 : kind == 1 ? dot_avx2 : manhattan_avx2;
    }
#endif
    *actual = 0;
    return kind == 0 ? weft_l2_squared_portable : kind == 1 ? weft_dot_portable : weft_manhattan_portable;
}

float weft_l2_squared(const float *a, const float *b, size_t n) {
    ensure_installed();
    return atomic_load_explicit(&l2_impl, memory_order_relaxed)(a, b, n);
}

float weft_dot(const float *a, const float *b, size_t n) {
    ensure_installed();
    return atomic_load_explicit(&dot_impl, memory_order_relaxed)(a, b, n);
}

float weft_manhattan(const float *a, const float *b, size_t n) {
    ensure_installed();
    return atomic_load_explicit(&manhattan_impl, memory_order_relaxed)(a, b, n);
}

// Hamming on floats compares values, which no SIMD path here speeds up much; Weaviate has none either.
float weft_hamming(const float *a, const float *b, size_t n) { return weft_hamming_portable(a, b, n); }
