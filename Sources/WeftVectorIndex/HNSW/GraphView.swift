import CWeftKernels

/// A value-type view of `HNSWGraph`'s memory for the hot loops. Reading a `var` stored property
/// of a class costs a dynamic exclusivity check on every access; copying the pointers into `let`s
/// once per operation removes that from each distance computation. Valid while the caller holds
/// the index's shared lock (the only time the arrays cannot move).
struct GraphView {
    let dimension: Int
    let nodes: UnsafeMutableRawPointer
    let nodeStride: Int
    let linksOffset: Int
    let upper: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    let levels: UnsafeMutablePointer<Int8>
    let tombstones: UnsafeMutablePointer<UInt8>
    let locks: UnsafeMutablePointer<UInt8>
    let ready: UnsafeMutablePointer<UInt8>
    let upperStride: Int
    let maxConnections: Int
    let capacity: Int
    let metric: DistanceMetric
    let kernel: DistanceKernel
    /// Non-nil once vectors live outside the records (over `vectorCacheMaxObjects`).
    let cache: VectorCache?

    init(_ graph: HNSWGraph, metric: DistanceMetric) {
        dimension = graph.dimension
        nodes = graph.nodes
        nodeStride = graph.nodeStride
        linksOffset = graph.linksOffset
        upper = graph.upper
        levels = graph.levels
        tombstones = graph.tombstones
        locks = graph.locks
        ready = graph.ready
        upperStride = graph.upperStride
        maxConnections = graph.maxConnections
        capacity = graph.capacity
        self.metric = metric
        kernel = metric.kernel
        cache = graph.cache
    }

    /// Node `id`'s vector; nil only with a cache, when the store no longer has it (a deleted node
    /// awaiting cleanup).
    @inline(__always) func vector(_ id: UInt32) -> UnsafeMutablePointer<Float>? {
        if let cache { return cache.vector(id) }
        return (nodes + Int(id) &* nodeStride).assumingMemoryBound(to: Float.self)
    }

    /// Asks the CPU for node `id`'s vector ahead of use; with a cache only if it is in memory (a
    /// prefetch must not read the store).
    @inline(__always) func prefetchVector(_ id: UInt32) {
        if let start = vectorInMemory(id) { weft_prefetch(start) }
    }

    /// Every cache line of node `id`'s vector (`bytes` long), for scans that read whole vectors
    /// out of order.
    @inline(__always) func prefetchVector(_ id: UInt32, bytes: Int) {
        if let start = vectorInMemory(id) { weft_prefetch_bytes(start, bytes) }
    }

    /// Where node `id`'s vector is, when it is in memory (never reads the store).
    @inline(__always) private func vectorInMemory(_ id: UInt32) -> UnsafeMutableRawPointer? {
        if let cache { return cache.cached(id) }
        return nodes + Int(id) &* nodeStride
    }

    @inline(__always) func links(_ id: UInt32, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return (nodes + (Int(id) &* nodeStride &+ linksOffset)).assumingMemoryBound(to: UInt32.self) }
        return upper[Int(id)]! + (level - 1) &* upperStride
    }

    @inline(__always) func maxLinks(level: Int) -> Int { level == 0 ? 2 * maxConnections : maxConnections }

    @inline(__always) func level(_ id: UInt32) -> Int { HNSWGraph.loadLevel(levels + Int(id)) }

    @inline(__always) func isTombstoned(_ id: UInt32) -> Bool { weft_load_u8(tombstones + Int(id)) != 0 }

    @inline(__always) func isReady(_ id: UInt32) -> Bool { weft_load_u8(ready + Int(id)) != 0 }

    @inline(__always) func exists(_ id: UInt32) -> Bool { Int(id) < capacity && level(id) >= 0 }

    /// A node without a vector (see `vector`) is infinitely far: never a result, expanded last.
    @inline(__always) func distance(_ query: UnsafePointer<Float>, _ id: UInt32) -> Float {
        guard let vector = vector(id) else { return .greatestFiniteMagnitude }
        return kernel(query, vector, dimension)
    }

    @inline(__always) func distance(between a: UInt32, _ b: UInt32) -> Float {
        guard let first = vector(a), let second = vector(b) else { return .greatestFiniteMagnitude }
        return kernel(first, second, dimension)
    }

    /// Link `index` of a list (after the count). Searches read links without the node's lock while
    /// inserts rewrite them, so every such read and write is atomic (a plain move on x86).
    @inline(__always) func link(_ list: UnsafeMutablePointer<UInt32>, _ index: Int) -> UInt32 {
        weft_load_u32(list + 1 + index)
    }

    /// The link count, read atomically (a concurrent insert may be appending).
    @inline(__always) func linkCount(_ list: UnsafeMutablePointer<UInt32>, level: Int) -> Int {
        min(Int(weft_load_u32(list)), maxLinks(level: level))
    }
}
