import CWeftKernels
import Synchronization
import WeftCore

/// Reads the vector of a docID (as stored, not yet prepared for the metric) from the object store;
/// nil when the object is gone (deleted nodes wait for cleanup while their vectors are removed).
public typealias VectorSource = @Sendable (UInt64) -> [Float]?

/// Where an HNSW graph over `vectorCacheMaxObjects` keeps its vectors: at most that many in memory,
/// one slot per node, and the rest read back from the object store when a search needs them.
///
/// Weaviate drops its whole cache when it fills, so every query after that reads from disk until
/// the cache is warm again; this one frees only a quarter of the limit at a time, sweeping the
/// slots round-robin, so most of the working set stays.
///
/// Threads: slots are filled by concurrent searches and inserts under the index's shared lock (a
/// compare-and-swap decides which of two loads of the same vector stays); they are freed, and the
/// slot array grown, only under the exclusive lock, so a pointer a search holds stays valid.
final class VectorCache: @unchecked Sendable {
    typealias Source = VectorSource

    let dimension: Int
    let metric: DistanceMetric
    let source: Source
    private(set) var slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private(set) var capacity: Int
    let count = Atomic<Int>(0)
    let limit: Atomic<Int>
    /// Loads from the store (cache misses), for diagnostics and tests.
    let misses = Atomic<Int>(0)
    /// Where the next eviction sweep starts.
    private var hand = 0

    init(dimension: Int, metric: DistanceMetric, limit: Int, capacity: Int, source: @escaping Source) {
        self.dimension = dimension
        self.metric = metric
        self.source = source
        self.limit = Atomic(max(limit, 1))
        self.capacity = max(capacity, 1)
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: nil, count: self.capacity)
    }

    deinit {
        for index in 0..<capacity { slots[index]?.deallocate() }
        slots.deallocate()
    }

    /// The vector of node `id`, loaded from the store on a miss; nil if the store has none.
    @inline(__always) func vector(_ id: UInt32) -> UnsafeMutablePointer<Float>? {
        if let cached = weft_load_ptr(slots + Int(id)) { return cached.assumingMemoryBound(to: Float.self) }
        return load(id)
    }

    /// The vector of node `id` if it is in memory (for prefetching: never reads the store).
    @inline(__always) func cached(_ id: UInt32) -> UnsafeMutableRawPointer? { weft_load_ptr(slots + Int(id)) }

    private func load(_ id: UInt32) -> UnsafeMutablePointer<Float>? {
        misses.add(1, ordering: .relaxed)
        guard let raw = source(UInt64(id)), raw.count == dimension else { return nil }
        return put(id, metric.prepared(raw))
    }

    /// Stores an already prepared vector for `id` (an insert, or a restart handing vectors back)
    /// unless one is there; returns the one that stays.
    @discardableResult
    func put(_ id: UInt32, _ prepared: [Float]) -> UnsafeMutablePointer<Float> {
        let fresh = UnsafeMutablePointer<Float>.allocate(capacity: dimension)
        prepared.withUnsafeBufferPointer { fresh.initialize(from: $0.baseAddress!, count: dimension) }
        if weft_cas_ptr(slots + Int(id), nil, UnsafeMutableRawPointer(fresh)) {
            count.add(1, ordering: .relaxed)
            return fresh
        }
        fresh.deallocate()
        return weft_load_ptr(slots + Int(id))!.assumingMemoryBound(to: Float.self)
    }

    /// True when the cache holds more than its limit (checked after each operation).
    var isOverLimit: Bool { count.load(ordering: .relaxed) > limit.load(ordering: .relaxed) }

    /// Frees vectors, sweeping from where the last sweep stopped, until a quarter of the limit is
    /// free. Exclusive lock only.
    func evict() {
        let target = limit.load(ordering: .relaxed) * 3 / 4
        var remaining = count.load(ordering: .relaxed)
        var visited = 0
        while remaining > target, visited < capacity {
            if let vector = slots[hand] {
                vector.deallocate()
                slots[hand] = nil
                remaining -= 1
            }
            hand = (hand + 1) % capacity
            visited += 1
        }
        count.store(remaining, ordering: .relaxed)
    }

    /// Forgets node `id`'s vector (the node was removed). Exclusive lock only.
    func remove(_ id: UInt32) {
        guard Int(id) < capacity, let vector = slots[Int(id)] else { return }
        vector.deallocate()
        slots[Int(id)] = nil
        count.subtract(1, ordering: .relaxed)
    }

    /// Room for `newCapacity` nodes. Exclusive lock only.
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let fresh = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: slots, count: capacity)
        (fresh + capacity).initialize(repeating: nil, count: newCapacity - capacity)
        slots.deallocate()
        slots = fresh
        capacity = newCapacity
    }

    var memoryBytes: Int { capacity * MemoryLayout<UnsafeMutableRawPointer?>.size + count.load(ordering: .relaxed) * dimension * 4 }
}
