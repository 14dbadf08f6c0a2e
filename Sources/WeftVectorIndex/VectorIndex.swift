import WeftCore
import WeftStorage

/// One search result: a docID and its distance to the query (smaller is closer).
public struct SearchHit: Sendable, Equatable {
    public var docID: UInt64
    public var distance: Float

    public init(docID: UInt64, distance: Float) {
        self.docID = docID
        self.distance = distance
    }
}

/// Every vector of a space as the object store holds it (the truth an index is derived from),
/// in docID order: calls `body` once per vector.
public typealias StoredVectors = (_ body: (UInt64, [Float]) throws(WeftError) -> Void) throws(WeftError) -> Void

/// What reconciling an opened index with the store changed.
public struct ReconcileReport: Sendable, Equatable {
    /// Nodes loaded from the index's files that got their vector back.
    public var restored = 0
    /// Vectors the index lacked, now indexed.
    public var added = 0
    /// Nodes whose vector is no longer stored, now deleted.
    public var removed = 0
    /// Loaded nodes a search could not reach from the entry point, linked again. After a crash
    /// that lost links, or when inserts left them unreachable.
    public var relinked = 0
    /// Loaded nodes whose insert the crash cut short between layers, linked as it would have.
    public var completed = 0

    public init(restored: Int = 0, added: Int = 0, removed: Int = 0, relinked: Int = 0, completed: Int = 0) {
        self.restored = restored
        self.added = added
        self.removed = removed
        self.relinked = relinked
        self.completed = completed
    }
}

/// What periodic upkeep did.
public struct MaintenanceReport: Sendable, Equatable {
    public var removedTombstones = 0
    public var wroteSnapshot = false
    /// Nodes no search could reach, now linked from a reachable neighbour (HNSW).
    public var linkedUnreachable = 0

    public init(removedTombstones: Int = 0, wroteSnapshot: Bool = false) {
        self.removedTombstones = removedTombstones
        self.wroteSnapshot = wroteSnapshot
    }
}

/// The memory an index holds.
public struct VectorIndexMemory: Sendable, Equatable {
    public var bytes: Int
    /// Vectors in memory when the index keeps fewer than all (`vectorCacheMaxObjects`), else nil.
    public var cachedVectors: Int?
    /// Vectors read back from the store so far, when it keeps fewer than all.
    public var cacheMisses: Int?

    public init(bytes: Int, cachedVectors: Int? = nil, cacheMisses: Int? = nil) {
        self.bytes = bytes
        self.cachedVectors = cachedVectors
        self.cacheMisses = cacheMisses
    }
}

/// What the engine needs of any vector index (HNSW, flat, dynamic): the data operations and the
/// lifecycle, so that no caller needs to know which index it holds. Every method is safe to call
/// from many threads at once.
public protocol VectorIndex: AnyObject, Sendable {
    var metric: DistanceMetric { get }
    /// The dimension fixed by the first vector, nil while empty.
    var dimension: Int? { get }
    /// Live (not deleted) vectors.
    var count: Int { get }

    /// Adds `vector` under `docID`. A docID is added at most once (updates get new docIDs).
    func add(_ docID: UInt64, vector: [Float]) throws(WeftError)
    /// Removes `docID`; it is never returned again.
    func delete(_ docID: UInt64)
    /// The `k` nearest live vectors, only among `allowList` when given.
    func search(_ query: [Float], k: Int, ef: Int?, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit]
    /// The stored (prepared) vector of `docID`, if live.
    func vector(of docID: UInt64) -> [Float]?
    /// Whether `docID` is live in the index.
    func contains(_ docID: UInt64) -> Bool

    // MARK: Lifecycle

    /// Right after opening: makes the index hold exactly the vectors `stored` yields — vectors it
    /// lacks are added, nodes whose vector is gone are deleted — so a crash between an object
    /// write and its index update loses nothing.
    func reconcile(with stored: StoredVectors) throws(WeftError) -> ReconcileReport
    /// Periodic upkeep: removes deleted nodes when due, writes a snapshot once the log has grown
    /// past the newest snapshot's size (at least 4 MiB, at most `snapshotLogBytes`), so a restart
    /// replays little and the log's disk use stays bounded.
    func maintain(now: ContinuousClock.Instant, snapshotLogBytes: Int) throws(WeftError) -> MaintenanceReport
    /// Before the owner lets go of the index (shutdown, a tenant deactivated): leaves its files so
    /// the next open is fast.
    func close() throws(WeftError)
    /// Takes the run-time-mutable settings of `configuration` (the same type the index was opened with).
    func apply(_ configuration: VectorIndexConfiguration)
    var memoryUsage: VectorIndexMemory { get }
}

extension VectorIndex {
    func checkDimension(_ vector: [Float], expected: Int?) throws(WeftError) {
        guard !vector.isEmpty else { throw .invalidInput("vector must not be empty") }
        if let expected, vector.count != expected {
            throw .invalidInput("new node has a vector with length \(vector.count). Existing nodes have vectors with length \(expected)")
        }
    }

    /// Reconciling an index that keeps no files: it starts empty, so every stored vector is added.
    func addMissing(from stored: StoredVectors) throws(WeftError) -> ReconcileReport {
        var report = ReconcileReport()
        try stored { (docID: UInt64, vector: [Float]) throws(WeftError) in
            guard !contains(docID) else { return }
            try add(docID, vector: vector)
            report.added += 1
        }
        return report
    }
}
