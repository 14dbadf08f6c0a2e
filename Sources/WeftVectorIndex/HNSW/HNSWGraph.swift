import CWeftKernels

/// The raw memory of an HNSW graph. Each node's vector and its layer-0 link list
/// (`[count, id, id, ...]` with room for 2·M ids) share one 64-byte-aligned record in one block,
/// as hnswlib lays them out: a search computes a node's distance (reading its vector) before it
/// expands the node (reading its links), so the links are then next to memory just fetched
/// rather than one more cache miss in a separate array. Measured: see docs/ARCHITECTURE.md.
/// Upper-layer lists are allocated per node that has any. Node ids are docIDs (dense per shard).
///
/// The records of a large graph live in memory mapped from the kernel (`RecordMemory`): it grows
/// without copying, pages never written use no memory, and `releaseDeadPages` gives back the pages
/// of nodes that cleanup removed. Node ids are docIDs and every update takes a new one, so without
/// that an update-heavy workload would keep one dead record per update forever.
///
/// Over `vectorCacheMaxObjects` nodes the graph moves its vectors out (`moveVectorsToCache`):
/// records then hold only the layer-0 links and vectors come from a bounded `VectorCache` backed
/// by the object store.
///
/// Grown only under the index's exclusive lock; read and written under its shared lock, with a
/// one-byte spin lock per node guarding that node's link lists.
final class HNSWGraph {
    let dimension: Int
    let maxConnections: Int
    let maxConnectionsLayer0: Int
    private(set) var capacity: Int

    /// `capacity` records of `nodeStride` bytes: the vector at offset 0, the layer-0 links at
    /// `linksOffset`.
    private var records: RecordMemory
    var nodes: UnsafeMutableRawPointer { records.base }
    private(set) var nodeStride: Int
    private(set) var linksOffset: Int
    /// Set once vectors live outside the records.
    private(set) var cache: VectorCache?
    private(set) var upper: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    /// -1: no node with this id.
    private(set) var levels: UnsafeMutablePointer<Int8>
    private(set) var locks: UnsafeMutablePointer<UInt8>
    /// 1: deleted, still traversed until cleanup removes it.
    private(set) var tombstones: UnsafeMutablePointer<UInt8>
    /// 1 once a node is linked on every layer; inserts neither traverse nor link to a node that is
    /// still being inserted (it would look like a dead end and get links that it then rewrites).
    private(set) var ready: UnsafeMutablePointer<UInt8>

    var upperStride: Int { 1 + maxConnections }

    init(dimension: Int, maxConnections: Int, capacity: Int) {
        self.dimension = dimension
        self.maxConnections = maxConnections
        self.maxConnectionsLayer0 = 2 * maxConnections
        self.capacity = 0
        linksOffset = dimension * 4
        nodeStride = (dimension * 4 + (1 + 2 * maxConnections) * 4 + 63) / 64 * 64
        records = RecordMemory(bytes: nodeStride)
        upper = .allocate(capacity: 1)
        levels = .allocate(capacity: 1)
        locks = .allocate(capacity: 1)
        tombstones = .allocate(capacity: 1)
        ready = .allocate(capacity: 1)
        grow(to: max(capacity, 16))
    }

    deinit {
        for id in 0..<capacity { upper[id]?.deallocate() }
        records.release()
        upper.deallocate()
        levels.deallocate()
        locks.deallocate()
        tombstones.deallocate()
        ready.deallocate()
    }

    /// Reallocates every array for `newCapacity` nodes, copying what exists. Exclusive lock only.
    func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        func move<T>(_ old: UnsafeMutablePointer<T>, _ perNode: Int, fill: T) -> UnsafeMutablePointer<T> {
            let fresh = UnsafeMutablePointer<T>.allocate(capacity: newCapacity * perNode)
            if capacity > 0 { fresh.moveInitialize(from: old, count: capacity * perNode) }
            (fresh + capacity * perNode).initialize(repeating: fill, count: (newCapacity - capacity) * perNode)
            old.deallocate()
            return fresh
        }
        cache?.grow(to: newCapacity)
        // The new tail is zero: empty link lists.
        records.grow(to: newCapacity * nodeStride)
        upper = move(upper, 1, fill: nil)
        levels = move(levels, 1, fill: -1)
        locks = move(locks, 1, fill: 0)
        tombstones = move(tombstones, 1, fill: 0)
        ready = move(ready, 1, fill: 0)
        capacity = newCapacity
    }

    /// Node `id`'s vector; nil only with a cache, when the store no longer has it.
    @inline(__always) func vector(_ id: UInt32) -> UnsafeMutablePointer<Float>? {
        if let cache { return cache.vector(id) }
        return (nodes + Int(id) * nodeStride).assumingMemoryBound(to: Float.self)
    }

    /// Moves every vector out of the node records into `cache` (keeping those that fit), so the
    /// records shrink to their links. One way, like Weaviate's cache. `copyVectors` false: the
    /// records hold no vectors yet (a restart before they are handed back). Exclusive lock only.
    func moveVectorsToCache(_ cache: VectorCache, copyVectors: Bool) {
        guard self.cache == nil else { return }
        cache.grow(to: capacity)
        let stride = ((1 + 2 * maxConnections) * 4 + 15) / 16 * 16
        let fresh = RecordMemory(bytes: capacity * stride)
        let keep = cache.limit.load(ordering: .relaxed) * 3 / 4
        var kept = 0
        // Only existing nodes are copied: the pages of the others stay unwritten (no memory).
        for index in 0..<capacity where levels[index] >= 0 {
            let old = nodes + index * nodeStride
            (fresh.base + index * stride).copyMemory(from: old + linksOffset, byteCount: (1 + 2 * maxConnections) * 4)
            if copyVectors, kept < keep {
                cache.put(UInt32(index), Array(UnsafeBufferPointer(start: old.assumingMemoryBound(to: Float.self), count: dimension)))
                kept += 1
            }
        }
        records.release()
        records = fresh
        nodeStride = stride
        linksOffset = 0
        self.cache = cache
    }

    @inline(__always) func exists(_ id: UInt32) -> Bool { Int(id) < capacity && Self.loadLevel(levels + Int(id)) >= 0 }

    /// A node's level, read atomically: `place` publishes a node by writing its level last, while
    /// searches and look-ups may be reading it.
    @inline(__always) static func loadLevel(_ level: UnsafeMutablePointer<Int8>) -> Int {
        Int(Int8(bitPattern: weft_load_u8(UnsafeMutableRawPointer(level).assumingMemoryBound(to: UInt8.self))))
    }

    @inline(__always) static func storeLevel(_ level: UnsafeMutablePointer<Int8>, _ value: Int) {
        weft_store_u8(UnsafeMutableRawPointer(level).assumingMemoryBound(to: UInt8.self), UInt8(bitPattern: Int8(value)))
    }

    /// The link list of `id` at `level`: element 0 is the count, then the ids.
    @inline(__always) func links(_ id: UInt32, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return (nodes + Int(id) * nodeStride + linksOffset).assumingMemoryBound(to: UInt32.self) }
        return upper[Int(id)]! + (level - 1) * upperStride
    }

    /// Gives back to the system every page of the records that holds only nodes that do not exist
    /// (removed by cleanup, or never placed), among the pages of `removed`. They read as zero, an
    /// empty record, should one be read again. Exclusive lock only (after `remove`).
    @discardableResult
    func releaseDeadPages(of removed: [UInt32]) -> Int {
        let page = weft_page_size()
        var pages = Set<Int>()
        for id in removed {
            let first = Int(id) * nodeStride / page, last = (Int(id) * nodeStride + nodeStride - 1) / page
            for index in first...last { pages.insert(index) }
        }
        return releaseDeadPages(pages)
    }

    /// The same over every page (after loading a graph, whose replay touched removed nodes).
    @discardableResult
    func releaseAllDeadPages() -> Int {
        releaseDeadPages(0..<records.pageCount)
    }

    private func releaseDeadPages(_ pages: some Sequence<Int>) -> Int {
        records.releasePages(pages) { start, end in
            (start / nodeStride...(end - 1) / nodeStride).allSatisfy { $0 >= capacity || levels[$0] < 0 }
        }
    }

    @inline(__always) func maxLinks(level: Int) -> Int { level == 0 ? maxConnectionsLayer0 : maxConnections }

    /// Creates node `id` with `level` and its vector. The level is written last, so a concurrent
    /// search that finds the id sees a complete node.
    func place(_ id: UInt32, level: Int, vector: [Float]) {
        let index = Int(id)
        if let cache {
            cache.put(id, vector)
        } else {
            vector.withUnsafeBufferPointer { self.vector(id)!.update(from: $0.baseAddress!, count: dimension) }
        }
        links(id, level: 0)[0] = 0
        upper[index]?.deallocate()
        if level > 0 {
            let lists = UnsafeMutablePointer<UInt32>.allocate(capacity: level * upperStride)
            lists.initialize(repeating: 0, count: level * upperStride)
            upper[index] = lists
        } else {
            upper[index] = nil
        }
        tombstones[index] = 0
        ready[index] = 0
        Self.storeLevel(levels + index, level)
    }

    func markReady(_ id: UInt32) { weft_store_u8(ready + Int(id), 1) }

    /// The node of the highest level (the lowest id among equals), other than `excluded`: where a
    /// descent starts when the entry point is gone or cannot be used.
    func highestNode(excluding excluded: UInt32? = nil) -> (node: UInt32, level: Int)? {
        var highest: (node: UInt32, level: Int)?
        for index in 0..<capacity where Int(levels[index]) > highest?.level ?? -1 && UInt32(index) != excluded {
            highest = (UInt32(index), Int(levels[index]))
        }
        return highest
    }

    /// Removes node `id` entirely (after cleanup has unlinked it). Exclusive lock only.
    func remove(_ id: UInt32) {
        let index = Int(id)
        Self.storeLevel(levels + index, -1)
        tombstones[index] = 0
        ready[index] = 0
        links(id, level: 0)[0] = 0
        upper[index]?.deallocate()
        upper[index] = nil
        cache?.remove(id)
    }

    /// Tombstones are set while searches read them (under the shared lock): atomic both ways.
    func setTombstone(_ id: UInt32) { weft_store_u8(tombstones + Int(id), 1) }

    @inline(__always) func isTombstoned(_ id: UInt32) -> Bool { weft_load_u8(tombstones + Int(id)) != 0 }

    @inline(__always) func lock(_ id: UInt32) { weft_spin_lock(locks + Int(id)) }
    @inline(__always) func unlock(_ id: UInt32) { weft_spin_unlock(locks + Int(id)) }

    /// Bytes held by the graph and its vectors.
    var memoryBytes: Int {
        var bytes = capacity * (nodeStride + MemoryLayout<UnsafeMutablePointer<UInt32>?>.size + 3)
        for id in 0..<capacity where levels[id] > 0 { bytes += Int(levels[id]) * upperStride * 4 }
        return bytes + (cache?.memoryBytes ?? 0)
    }
}
