/// HNSW parameters with Weaviate's names and defaults (weaviate-features.md §2).
public struct HNSWConfiguration: Sendable, Equatable {
    public enum FilterStrategy: String, Sendable {
        /// Traverse the graph as usual; admit only allowed nodes to the results.
        case sweeping
        /// For selective filters: expand through neighbours' neighbours and compute distances only
        /// for allowed nodes, with extra entry points drawn from the allow-list.
        case acorn
    }

    public var distance: DistanceMetric = .cosine
    /// M: links per node on the upper layers; layer 0 allows twice as many.
    public var maxConnections: Int = 32
    public var efConstruction: Int = 128
    /// -1: chosen per query from the limit (dynamicEf*).
    public var ef: Int = -1
    public var dynamicEfMin: Int = 100
    public var dynamicEfMax: Int = 500
    public var dynamicEfFactor: Int = 8
    /// Allow-lists smaller than this are searched exactly instead of through the graph.
    public var flatSearchCutoff: Int = 40_000
    public var filterStrategy: FilterStrategy = .sweeping
    /// ACORN is used only when the allow-list holds at most this share of the index.
    public var acornMaximumRatio: Double = 0.4
    public var cleanupIntervalSeconds: Int = 300
    /// Vectors kept in memory; over this many nodes the graph reads the rest from the object store
    /// (`VectorCache`). Needs a vector source (`HNSWIndex.useVectorSource`); without one, ignored.
    public var vectorCacheMaxObjects: Int = 1_000_000_000_000
    /// Seed of the node-level generator (levels only; not a Weaviate setting).
    public var levelSeed: UInt64 = 100
    /// Weaviate's `skip`: the collection stores vectors but builds no index for them.
    public var skip = false
    public var compression = CompressionConfiguration(host: .hnsw)
    public var multivector = MultiVectorConfiguration()

    public init() {}

    /// The ef a query with `limit` results uses (Weaviate: min(max(min, limit × factor), max), at
    /// least the limit).
    public func effectiveEf(limit: Int) -> Int {
        if ef > 0 { return max(ef, limit) }
        let dynamic = min(max(dynamicEfMin, limit * dynamicEfFactor), dynamicEfMax)
        return max(dynamic, limit)
    }
}
