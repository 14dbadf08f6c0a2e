#ifndef WEFT_THREAD_H
#define WEFT_THREAD_H

/// Lowers (or raises) the scheduling priority of the calling thread only: Linux applies `nice`
/// per thread. The engine's worker threads run below the threads that accept requests, so a
/// readiness probe is answered while every core computes. Returns 0 or -1 (errno set).
int weft_set_current_thread_nice(int nice);

/// Names the calling thread (visible in `top -H`, perf and debuggers); at most 15 bytes are kept.
void weft_set_current_thread_name(const char *name);

/// The calling thread's name into `buffer` (NUL-terminated); 0 on success.
int weft_get_current_thread_name(char *buffer, unsigned long size);

#endif
