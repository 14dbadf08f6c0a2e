#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex; the project's lock in place of the standard library's
/// `Synchronization.Mutex`.
///
/// Why not `Mutex`: on Linux it locks with futex system calls from code ThreadSanitizer does not
/// instrument, so a sanitized run sees no ordering between two critical sections and reports every
/// access inside them as a race (nine false reports in the vector index and the indexing queue).
/// ThreadSanitizer intercepts `pthread_mutex_lock`, so with this lock it checks what the locks
/// actually protect. Uncontended, both cost one atomic operation each way.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value. Not reentrant: `body` must not take this
    /// lock again.
    @inline(__always)
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
