#ifndef WEFT_MEMORY_H
#define WEFT_MEMORY_H

#include <stddef.h>

/// Returns freed heap memory to the operating system where the allocator keeps it (glibc's
/// malloc_trim); used after large structures are released (deactivated tenants).
void weft_release_free_memory(void);

/// Zero-filled anonymous memory straight from the kernel (page-aligned): pages use no physical
/// memory until written. NULL on failure. Linux only.
void *weft_map_zeroed(size_t bytes);

/// Grows (or moves) a mapping from weft_map_zeroed without copying pages; the new tail is zero.
/// NULL on failure (the old mapping is then untouched).
void *weft_remap_zeroed(void *p, size_t old_bytes, size_t new_bytes);

void weft_unmap(void *p, size_t bytes);

size_t weft_page_size(void);

/// Gives whole pages of a mapping back to the system; they read as zero afterwards. `p` and
/// `bytes` must be page-aligned.
void weft_release_pages(void *p, size_t bytes);

#endif
