// mremap is a GNU extension.
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "weft_memory.h"

// <features.h> defines __GLIBC__; testing the macro before any libc header is included would
// silently compile the call away (it did, until a tenant benchmark showed memory never returned).
#if defined(__linux__)
#include <features.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void weft_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static size_t round_to_pages(size_t bytes) {
    size_t page = page_size();
    return (bytes + page - 1) / page * page;
}

void *weft_map_zeroed(size_t bytes) {
    void *p = mmap(NULL, round_to_pages(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *weft_remap_zeroed(void *p, size_t old_bytes, size_t new_bytes) {
#if defined(__linux__)
    void *q = mremap(p, round_to_pages(old_bytes), round_to_pages(new_bytes), MREMAP_MAYMOVE);
    return q == MAP_FAILED ? NULL : q;
#else
    void *q = weft_map_zeroed(new_bytes);
    if (q == NULL) return NULL;
    memcpy(q, p, old_bytes < new_bytes ? old_bytes : new_bytes);
    munmap(p, round_to_pages(old_bytes));
    return q;
#endif
}

void weft_unmap(void *p, size_t bytes) { munmap(p, round_to_pages(bytes)); }

size_t weft_page_size(void) { return page_size(); }

void weft_release_pages(void *p, size_t bytes) { madvise(p, bytes, MADV_DONTNEED); }
