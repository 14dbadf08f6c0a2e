#ifndef WEFT_KERNELS_H
#define WEFT_KERNELS_H

#include <stddef.h>

/// Distance kernels over float32 vectors. Each function picks, once per process, the fastest
/// implementation the CPU supports (AVX-512F, AVX2+FMA, or portable C).
///
/// Conventions follow Weaviate: l2 is the *squared* Euclidean distance, dot is the *negative*
/// dot product (smaller = closer), hamming counts positions whose values differ.

typedef float (*weft_distance_kernel)(const float *, const float *, size_t);

float weft_l2_squared(const float *a, const float *b, size_t dimension);
float weft_dot(const float *a, const float *b, size_t dimension);
float weft_manhattan(const float *a, const float *b, size_t dimension);
float weft_hamming(const float *a, const float *b, size_t dimension);

/// The implementation the dispatchers call, for hot loops that call it directly (one indirect
/// call instead of dispatcher + indirect call). `kind`: 0 l2-squared, 1 dot, 2 manhattan, 3 hamming.
weft_distance_kernel weft_kernel_for(int kind);

/// Which implementation the dispatchers chose: 512, 256 or 0 (portable).
int weft_kernels_level(void);

/// The implementation of `kind` at `level` (512, 256, 0), without changing what the dispatchers use
/// (tests compare every path; switching the process-wide choice would race with other tests).
/// Returns the portable one when the CPU lacks the instructions; `*actual` gets the level returned.
weft_distance_kernel weft_kernel_at_level(int kind, int level, int *actual);

/// The individual implementations, for tests that compare every path with a plain loop.
float weft_l2_squared_portable(const float *a, const float *b, size_t dimension);
float weft_dot_portable(const float *a, const float *b, size_t dimension);
float weft_manhattan_portable(const float *a, const float *b, size_t dimension);
float weft_hamming_portable(const float *a, const float *b, size_t dimension);

#endif
