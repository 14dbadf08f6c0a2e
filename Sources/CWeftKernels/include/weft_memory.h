#ifndef WEFT_MEMORY_H
#define WEFT_MEMORY_H

/// Returns freed heap memory to the operating system where the allocator keeps it (glibc's
/// malloc_trim); used after large structures are released (deactivated tenants).
void weft_release_free_memory(void);

#endif
