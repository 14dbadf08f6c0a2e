#ifndef WEFT_SYNC_H
#define WEFT_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

/// Small atomics for the HNSW graph, which lives in raw memory shared by concurrent inserts and
/// searches: one-byte spin locks per node and relaxed loads/stores of link counts and ids, so that
/// concurrent readers see whole values (the C memory model's guarantee) rather than torn ones.

static inline void weft_spin_lock(uint8_t *lock) {
    _Atomic uint8_t *a = (_Atomic uint8_t *)lock;
    for (;;) {
        uint8_t expected = 0;
        if (atomic_compare_exchange_weak_explicit(a, &expected, 1, memory_order_acquire, memory_order_relaxed)) return;
        while (atomic_load_explicit(a, memory_order_relaxed) != 0) {
#if defined(__x86_64__)
            __builtin_ia32_pause();
#endif
        }
    }
}

static inline void weft_spin_unlock(uint8_t *lock) {
    atomic_store_explicit((_Atomic uint8_t *)lock, 0, memory_order_release);
}

static inline uint32_t weft_load_u32(const uint32_t *p) {
    return atomic_load_explicit((_Atomic uint32_t *)p, memory_order_acquire);
}

static inline void weft_store_u32(uint32_t *p, uint32_t v) {
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}

static inline uint8_t weft_load_u8(const uint8_t *p) {
    return atomic_load_explicit((_Atomic uint8_t *)p, memory_order_acquire);
}

static inline void weft_store_u8(uint8_t *p, uint8_t v) {
    atomic_store_explicit((_Atomic uint8_t *)p, v, memory_order_release);
}

/// Pointer slots of the HNSW vector cache: filled by concurrent searches (first one wins the
/// compare-and-swap), emptied only under the index's exclusive lock.
static inline void *weft_load_ptr(void *const *p) {
    return atomic_load_explicit((_Atomic(void *) const *)p, memory_order_acquire);
}

static inline _Bool weft_cas_ptr(void **p, void *expected, void *desired) {
    return atomic_compare_exchange_strong_explicit((_Atomic(void *) *)p, &expected, desired, memory_order_acq_rel, memory_order_acquire);
}

/// Hints the CPU to fetch a line that the next distance computation will read.
static inline void weft_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Every 64-byte line of `bytes` from `p`, for scans that read vectors out of order.
static inline void weft_prefetch_bytes(const void *p, long bytes) {
    for (long offset = 0; offset < bytes; offset += 64) __builtin_prefetch((const char *)p + offset, 0, 3);
}

#endif
