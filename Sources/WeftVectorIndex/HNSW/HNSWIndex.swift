import Foundation
import Synchronization
import WeftCore
import WeftStorage

/// Hierarchical navigable small-world graph (Malkov & Yashunin) with the neighbour-selection
/// heuristic, Weaviate's parameters, concurrent inserts and searches, tombstone deletes with
/// cleanup, and filtered search (flat under `flatSearchCutoff`, sweeping or ACORN above).
///
/// Locking: `memory` shared for every operation, exclusive to grow or clean up; a spin lock per
/// node for its link lists; `entry` for the entry point and top level.
public final class HNSWIndex: VectorIndex, @unchecked Sendable {
    public let metric: DistanceMetric
    let configuration: Locked<HNSWConfiguration>
    let memory = ReadWriteLock()
    /// Created with the first vector, when the dimension becomes known.
    nonisolated(unsafe) var graph: HNSWGraph?
    let visitedPool = VisitedListPool()
    /// Where changes are logged, when the index is persistent. Replaced only under the exclusive
    /// lock (at a snapshot), read under the shared lock.
    nonisolated(unsafe) var commitLog: CommitLog?
    /// The folder of the commit logs and snapshots, when persistent.
    nonisolated(unsafe) var directory: String?
    nonisolated(unsafe) var generation: UInt32 = 0
    /// Size of the newest snapshot: the commit log is condensed into a new snapshot once it has
    /// grown past it (see `maintain`). Written under the exclusive lock, read under the shared one.
    nonisolated(unsafe) var snapshotBytes = 0
    /// The dimension to create the graph with when a commit log (which does not record it) is
    /// replayed without a snapshot.
    nonisolated(unsafe) var pendingDimension: Int?
    let levelMultiplier: Double

    struct EntryState {
        var node: UInt32?
        var level: Int = -1
    }

    let entry = Locked(EntryState())
    let liveCount = Atomic<Int>(0)
    let tombstoneCount = Atomic<Int>(0)
    let lastCleanup = Locked<ContinuousClock.Instant?>(nil)
    /// Inserts since upkeep last walked the graph for unreachable nodes, and that count as the
    /// previous upkeep saw it (unchanged means the inserts have paused): see `linkUnreachableNodesIfDue`.
    let insertsSinceReachabilityCheck = Atomic<Int>(0)
    let insertsSeenByLastCheck = Atomic<Int>(0)
    /// Nodes to allocate room for when the graph is created (see `reserveCapacity`).
    let reservedCapacity = Atomic<Int>(0)
    /// Random levels; a lock because inserts run concurrently.
    let levelGenerator: Locked<SplitMix64>
    /// Where vectors evicted from memory are read back (the engine's object store); set before use.
    nonisolated(unsafe) var vectorSource: VectorCache.Source?
    /// True once the graph's vectors live in a `VectorCache` (checked after every operation
    /// without taking a lock).
    let vectorsInCache = Atomic<Bool>(false)
    /// `vectorCacheMaxObjects`, readable on every insert without the configuration lock.
    let vectorCacheLimit: Atomic<Int>
    /// Between loading a persisted graph and `finishRestore`: its records hold no vectors yet.
    nonisolated(unsafe) var awaitingVectors = false

    public init(configuration: HNSWConfiguration) {
        self.metric = configuration.distance
        self.configuration = Locked(configuration)
        levelGenerator = Locked(SplitMix64(seed: configuration.levelSeed))
        vectorCacheLimit = Atomic(max(configuration.vectorCacheMaxObjects, 1))
        levelMultiplier = 1 / log(Double(max(configuration.maxConnections, 2)))
    }

    public var settings: HNSWConfiguration { configuration.withLock { $0 } }

    /// Changes the parameters Weaviate lets change at run time (ef, dynamic ef, cutoff, filter
    /// strategy, cleanup interval, vector cache size). `maxConnections`, `efConstruction` and
    /// `distance` stay.
    public func update(_ change: (inout HNSWConfiguration) -> Void) {
        let limit = configuration.withLock { current in
            var proposed = current
            change(&proposed)
            proposed.maxConnections = current.maxConnections
            proposed.efConstruction = current.efConstruction
            proposed.distance = current.distance
            proposed.levelSeed = current.levelSeed
            current = proposed
            return proposed.vectorCacheMaxObjects
        }
        vectorCacheLimit.store(max(limit, 1), ordering: .relaxed)
        memory.withReadLock { graph?.cache?.limit.store(max(limit, 1), ordering: .relaxed) }
        enforceVectorCacheLimit()
    }

    /// After an insert or a change of the limit: moves the vectors to a cache once the graph
    /// outgrows the limit, or evicts once the cache does.
    func enforceVectorCacheLimit() {
        if vectorsInCache.load(ordering: .relaxed) { evictIfOverLimit() } else { moveVectorsToCacheIfOverLimit() }
    }

    /// Lets the index read vectors back from the object store, which is what allows it to keep
    /// fewer than all of them in memory (`vectorCacheMaxObjects`). Call before the first use.
    public func useVectorSource(_ source: @escaping VectorSource) {
        memory.withWriteLock { vectorSource = source }
        moveVectorsToCacheIfOverLimit()
    }

    /// Moves the vectors out of the graph's records into a bounded cache once the graph holds more
    /// nodes than `vectorCacheMaxObjects`.
    func moveVectorsToCacheIfOverLimit() {
        let limit = vectorCacheLimit.load(ordering: .relaxed)
        let nodes = liveCount.load(ordering: .relaxed) + tombstoneCount.load(ordering: .relaxed)
        guard nodes > limit, vectorSource != nil else { return }
        memory.withWriteLock {
            guard let graph, graph.cache == nil, let vectorSource else { return }
            graph.moveVectorsToCache(VectorCache(dimension: graph.dimension, metric: metric, limit: limit, capacity: graph.capacity, source: vectorSource),
                                     copyVectors: !awaitingVectors)
            vectorsInCache.store(true, ordering: .relaxed)
        }
    }

    /// Frees cached vectors once there are more than the limit (exclusive lock: no search holds one).
    func evictIfOverLimit() {
        guard memory.withReadLock({ graph?.cache?.isOverLimit ?? false }) else { return }
        memory.withWriteLock {
            guard let cache = graph?.cache, cache.isOverLimit else { return }
            cache.evict()
        }
    }

    /// Vectors read back from the store so far (cache misses), nil without a cache.
    public var vectorCacheMisses: Int? { memory.withReadLock { graph?.cache?.misses.load(ordering: .relaxed) } }

    /// Vectors in memory, nil while the graph holds all of them in its records.
    public var cachedVectorCount: Int? { memory.withReadLock { graph?.cache?.count.load(ordering: .relaxed) } }

    public var dimension: Int? { memory.withReadLock { graph?.dimension } }
    public var count: Int { liveCount.load(ordering: .relaxed) }

    public var memoryBytes: Int { memory.withReadLock { graph?.memoryBytes ?? 0 } }

    func randomLevel() -> Int {
        let uniform = levelGenerator.withLock { Double.random(in: Double.leastNonzeroMagnitude..<1, using: &$0) }
        return min(Int(-log(uniform) * levelMultiplier), 30)
    }

    static func nodeID(_ docID: UInt64) throws(WeftError) -> UInt32 {
        guard let id = UInt32(exactly: docID), id < UInt32.max else {
            throw .internalError("docID \(docID) is beyond the vector index's 32-bit range")
        }
        return id
    }

    public func vector(of docID: UInt64) -> [Float]? {
        memory.withReadLock {
            guard let graph, let id = UInt32(exactly: docID), graph.exists(id), !graph.isTombstoned(id), let vector = graph.vector(id) else { return nil }
            return Array(UnsafeBufferPointer(start: vector, count: graph.dimension))
        }
    }

    /// Allocates room for `count` nodes up front (the engine knows a shard's object count at start-up;
    /// the benchmark its base size), avoiding regrowth copies and the slack of doubling.
    public func reserveCapacity(_ count: Int) {
        reservedCapacity.store(count, ordering: .relaxed)
        memory.withWriteLock { graph?.grow(to: count) }
    }

    /// Makes room for node `id`, creating the graph on first use. Takes the exclusive lock only when
    /// something must change.
    func ensureCapacity(for id: UInt32, dimension: Int) throws(WeftError) {
        let ready = memory.withReadLock { graph.map { Int(id) < $0.capacity } }
        if let ready {
            if ready { return }
        }
        try memory.withWriteLock { () throws(WeftError) in
            if graph == nil {
                let reserved = reservedCapacity.load(ordering: .relaxed)
                graph = HNSWGraph(dimension: dimension, maxConnections: settings.maxConnections, capacity: max(Int(id) + 1, reserved))
            }
            guard let graph else { return }
            guard graph.dimension == dimension else {
                throw .invalidInput("new node has a vector with length \(dimension). Existing nodes have vectors with length \(graph.dimension)")
            }
            // Growing by half keeps the slack (and the copy cost) moderate.
            if Int(id) >= graph.capacity { graph.grow(to: max(Int(id) + 1, graph.capacity + graph.capacity / 2)) }
        }
    }
}
