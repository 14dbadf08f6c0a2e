import CWeftKernels
import Synchronization
import WeftCore
import WeftStorage

/// Exact search over every live vector (or an allow-list): Weaviate's `flat` index, for small
/// collections and tenants where a scan beats a graph. Vectors are kept in memory, in docID
/// slots; the object store holds them durably, so the index needs no files of its own.
public final class FlatIndex: VectorIndex, @unchecked Sendable {
    public let metric: DistanceMetric
    private let memory = ReadWriteLock()
    private nonisolated(unsafe) var vectors: UnsafeMutablePointer<Float>
    private nonisolated(unsafe) var present: UnsafeMutablePointer<UInt8>
    private nonisolated(unsafe) var capacity = 0
    private nonisolated(unsafe) var storedDimension: Int?
    private let liveCount = Atomic<Int>(0)

    public init(metric: DistanceMetric) {
        self.metric = metric
        vectors = .allocate(capacity: 1)
        present = .allocate(capacity: 1)
    }

    deinit {
        vectors.deallocate()
        present.deallocate()
    }

    public var dimension: Int? { memory.withReadLock { storedDimension } }
    public var count: Int { liveCount.load(ordering: .relaxed) }
    public var memoryBytes: Int { memory.withReadLock { capacity * ((storedDimension ?? 0) * 4 + 1) } }

    public func add(_ docID: UInt64, vector: [Float]) throws(WeftError) {
        try checkDimension(vector, expected: nil)
        guard let id = Int(exactly: docID), id < Int(UInt32.max) else { throw .internalError("docID \(docID) out of range") }
        let prepared = metric.prepared(vector)
        try memory.withWriteLock { () throws(WeftError) in
            if let storedDimension {
                try checkDimension(vector, expected: storedDimension)
            } else {
                storedDimension = vector.count
            }
            let dimension = storedDimension!
            if id >= capacity { grow(to: max(id + 1, capacity + capacity / 2, 64), dimension: dimension) }
            guard present[id] == 0 else { throw .internalError("docID \(docID) is already in the vector index") }
            prepared.withUnsafeBufferPointer { (vectors + id * dimension).update(from: $0.baseAddress!, count: dimension) }
            present[id] = 1
            liveCount.add(1, ordering: .relaxed)
        }
    }

    private func grow(to newCapacity: Int, dimension: Int) {
        let freshVectors = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * dimension)
        let freshPresent = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if capacity > 0 {
            freshVectors.moveInitialize(from: vectors, count: capacity * dimension)
            freshPresent.moveInitialize(from: present, count: capacity)
        }
        (freshPresent + capacity).initialize(repeating: 0, count: newCapacity - capacity)
        (freshVectors + capacity * dimension).initialize(repeating: 0, count: (newCapacity - capacity) * dimension)
        vectors.deallocate()
        present.deallocate()
        vectors = freshVectors
        present = freshPresent
        capacity = newCapacity
    }

    public func delete(_ docID: UInt64) {
        memory.withWriteLock {
            guard let id = Int(exactly: docID), id < capacity, present[id] != 0 else { return }
            present[id] = 0
            liveCount.add(-1, ordering: .relaxed)
        }
    }

    public func contains(_ docID: UInt64) -> Bool {
        memory.withReadLock {
            guard let id = Int(exactly: docID), id < capacity else { return false }
            return present[id] != 0
        }
    }

    public func vector(of docID: UInt64) -> [Float]? {
        memory.withReadLock {
            guard let dimension = storedDimension, let id = Int(exactly: docID), id < capacity, present[id] != 0 else { return nil }
            return Array(UnsafeBufferPointer(start: vectors + id * dimension, count: dimension))
        }
    }

    /// Every live docID with its vector, in docID order (used to build an HNSW when a dynamic
    /// index outgrows its threshold).
    func forEachVector(_ body: (UInt64, [Float]) throws(WeftError) -> Void) throws(WeftError) {
        try memory.withReadLock { () throws(WeftError) in
            guard let dimension = storedDimension else { return }
            for id in 0..<capacity where present[id] != 0 {
                try body(UInt64(id), Array(UnsafeBufferPointer(start: vectors + id * dimension, count: dimension)))
            }
        }
    }

    public func search(_ query: [Float], k: Int, ef: Int?, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit] {
        guard k > 0 else { return [] }
        let prepared = metric.prepared(query)
        return try memory.withReadLock { () throws(WeftError) -> [SearchHit] in
            guard let dimension = storedDimension else { return [] }
            try checkDimension(prepared, expected: dimension)
            var scan = NearestScan(metric: metric, dimension: dimension, k: k, checkingHeads: allowList != nil)
            prepared.withUnsafeBufferPointer { buffer in
                let query = buffer.baseAddress!
                if let allowList {
                    // Allowed vectors are scattered over the slots, a stride the hardware
                    // prefetcher does not follow: each is asked for a few candidates ahead.
                    let candidates = allowList.sortedDocIDs
                    let lookahead = max(1, min(4, 16_384 / max(dimension * MemoryLayout<Float>.size, 1)))
                    for position in candidates.indices {
                        if position + lookahead < candidates.count, let ahead = Int(exactly: candidates[position + lookahead]), ahead < capacity {
                            weft_prefetch_bytes(vectors + ahead * dimension, scan.prefetchBytes)
                        }
                        guard let id = Int(exactly: candidates[position]), id < capacity, present[id] != 0 else { continue }
                        scan.consider(UInt32(id), vectors + id * dimension, query: query)
                    }
                } else {
                    for id in 0..<capacity where present[id] != 0 { scan.consider(UInt32(id), vectors + id * dimension, query: query) }
                }
            }
            return scan.finish()
        }
    }

    // MARK: Lifecycle (no files: the index is rebuilt from the store at every open)

    public func reconcile(with stored: StoredVectors) throws(WeftError) -> ReconcileReport { try addMissing(from: stored) }
    public func maintain(now: ContinuousClock.Instant, snapshotLogBytes: Int) -> MaintenanceReport { MaintenanceReport() }
    public func close() {}
    public func apply(_ configuration: VectorIndexConfiguration) {}
    public var memoryUsage: VectorIndexMemory { VectorIndexMemory(bytes: memoryBytes) }
}
