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
