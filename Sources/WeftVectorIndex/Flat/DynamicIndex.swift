import WeftCore
import WeftStorage

/// Weaviate's `dynamic` index: exact (flat) while small, then, once it holds more than `threshold`
/// vectors, an HNSW built from the flat index's vectors; the switch is one way.
public final class DynamicIndex: VectorIndex, @unchecked Sendable {
    public let metric: DistanceMetric
    public let threshold: Int
    /// Creates the HNSW when the threshold is crossed (persistent or not, as the owner decides).
    private let makeHNSW: @Sendable () throws(WeftError) -> HNSWIndex
    private let state: Locked<State>

    enum State {
        case flat(FlatIndex)
        case hnsw(HNSWIndex)
    }

    /// The latest run-time settings, applied to the HNSW when the switch happens.
    private let latest: Locked<VectorIndexConfiguration?>

    public init(metric: DistanceMetric, threshold: Int, existing: HNSWIndex? = nil,
                makeHNSW: @escaping @Sendable () throws(WeftError) -> HNSWIndex) {
        self.metric = metric
        self.threshold = threshold
        self.makeHNSW = makeHNSW
        latest = Locked(nil)
        if let existing, existing.count > 0 {
            state = Locked(.hnsw(existing))
        } else {
            state = Locked(.flat(FlatIndex(metric: metric)))
        }
    }

    public convenience init(configuration: DynamicConfiguration, existing: HNSWIndex?,
                            makeHNSW: @escaping @Sendable () throws(WeftError) -> HNSWIndex) {
        self.init(metric: configuration.distance, threshold: configuration.threshold, existing: existing, makeHNSW: makeHNSW)
    }

    private var current: any VectorIndex {
        state.withLock { state -> any VectorIndex in
            switch state {
            case .flat(let flat): flat
            case .hnsw(let hnsw): hnsw
            }
        }
    }

    /// The HNSW once the index has switched to it.
    public var upgradedIndex: HNSWIndex? { state.withLock { if case .hnsw(let hnsw) = $0 { hnsw } else { nil } } }

    /// True once the index has become an HNSW.
    public var isUpgraded: Bool { state.withLock { if case .hnsw = $0 { true } else { false } } }

    public var dimension: Int? { current.dimension }
    public var count: Int { current.count }

    /// While flat, adds happen under the state lock (they are cheap), so none can slip into the
    /// flat index after the HNSW was built from it; once upgraded, HNSW inserts run concurrently.
    public func add(_ docID: UInt64, vector: [Float]) throws(WeftError) {
        let graph = try state.withLock { (state: inout State) throws(WeftError) -> HNSWIndex? in
            switch state {
            case .hnsw(let hnsw):
                return hnsw
            case .flat(let flat):
                try flat.add(docID, vector: vector)
                if flat.count > threshold {
                    let hnsw = try makeHNSW()
                    if let settings = latest.withLock({ $0 }) { hnsw.apply(settings) }
                    try flat.forEachVector { (id: UInt64, stored: [Float]) throws(WeftError) in
                        if !hnsw.contains(id) { try hnsw.add(id, vector: stored) }
                    }
                    state = .hnsw(hnsw)
                }
                return nil
            }
        }
        try graph?.add(docID, vector: vector)
    }

    public func delete(_ docID: UInt64) {
        let graph = state.withLock { state -> HNSWIndex? in
            switch state {
            case .hnsw(let hnsw): return hnsw
            case .flat(let flat):
                flat.delete(docID)
                return nil
            }
        }
        graph?.delete(docID)
    }

    public func search(_ query: [Float], k: Int, ef: Int?, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit] {
        try current.search(query, k: k, ef: ef, allowList: allowList)
    }

    public func vector(of docID: UInt64) -> [Float]? { current.vector(of: docID) }
    public func contains(_ docID: UInt64) -> Bool { current.contains(docID) }

    // MARK: Lifecycle: the HNSW's once switched; while flat there are no files.

    public func reconcile(with stored: StoredVectors) throws(WeftError) -> ReconcileReport {
        if let graph = upgradedIndex { return try graph.reconcile(with: stored) }
        return try addMissing(from: stored)
    }

    public func maintain(now: ContinuousClock.Instant, snapshotLogBytes: Int) throws(WeftError) -> MaintenanceReport {
        try upgradedIndex?.maintain(now: now, snapshotLogBytes: snapshotLogBytes) ?? MaintenanceReport()
    }

    public func close() throws(WeftError) { try upgradedIndex?.close() }

    public func apply(_ configuration: VectorIndexConfiguration) {
        latest.withLock { $0 = configuration }
        upgradedIndex?.apply(configuration)
    }

    public var memoryUsage: VectorIndexMemory {
        state.withLock { state -> VectorIndexMemory in
            switch state {
            case .flat(let flat): flat.memoryUsage
            case .hnsw(let hnsw): hnsw.memoryUsage
            }
        }
    }
}
