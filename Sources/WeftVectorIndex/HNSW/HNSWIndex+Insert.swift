import CWeftKernels
import WeftCore

extension HNSWIndex {
    public func add(_ docID: UInt64, vector: [Float]) throws(WeftError) {
        let id = try Self.nodeID(docID)
        try checkDimension(vector, expected: nil)
        guard vector.allSatisfy(\.isFinite) else { throw .invalidInput("vector contains a value that is not a finite number") }
        try ensureCapacity(for: id, dimension: vector.count)
        let prepared = metric.prepared(vector)
        let config = settings
        let level = randomLevel()
        try memory.withReadLock { () throws(WeftError) in
            guard let graph else { return }
            try checkDimension(vector, expected: graph.dimension)
            guard !graph.exists(id) else { throw .internalError("docID \(docID) is already in the vector index") }
            graph.place(id, level: level, vector: prepared)
            commitLog?.append(.addNode(id: id, level: UInt8(level)))
            liveCount.add(1, ordering: .relaxed)
            insertsSinceReachabilityCheck.add(1, ordering: .relaxed)
            let start = entry.withLock { state -> (UInt32, Int)? in
                guard let node = state.node else {
                    state.node = id
                    state.level = level
                    commitLog?.append(.setEntryPoint(id: id, level: UInt8(level)))
                    return nil
                }
                return (node, state.level)
            }
            guard let (entryNode, topLevel) = start else {
                graph.markReady(id)
                return
            }
            link(id, level: level, entryNode: entryNode, topLevel: topLevel, graph: graph, efConstruction: config.efConstruction)
            graph.markReady(id)
            if level > topLevel {
                entry.withLock { state in
                    if level > state.level {
                        state.node = id
                        state.level = level
                        commitLog?.append(.setEntryPoint(id: id, level: UInt8(level)))
                    }
                }
            }
        }
        enforceVectorCacheLimit()
    }

    /// Connects a placed node into every layer up to its level.
    func link(_ id: UInt32, level: Int, entryNode: UInt32, topLevel: Int, graph: HNSWGraph, efConstruction: Int) {
        let view = GraphView(graph, metric: metric)
        // Just placed under the same shared lock, so in memory even with a cache (eviction needs
        // the exclusive lock).
        guard let query = view.vector(id) else { return }
        var current = Neighbor(distance: view.distance(query, entryNode), id: entryNode)
        if topLevel > level {
            for layer in stride(from: topLevel, to: level, by: -1) {
                current = greedyClosest(query, from: current, level: layer, view: view)
            }
        }
        var entryPoints = [current]
        for layer in stride(from: min(level, topLevel), through: 0, by: -1) {
            let candidates = searchLayer(query, entryPoints: entryPoints, ef: efConstruction, level: layer, view: view, filter: .construction(excluding: id))
            let selected = selectNeighbors(candidates, maximum: view.maxConnections, base: id, view: view)
            connect(id, to: selected, level: layer, graph: graph, view: view)
            if !candidates.isEmpty { entryPoints = candidates }
        }
    }

    /// The neighbour-selection heuristic (the paper's algorithm 4, as hnswlib applies it): take
    /// candidates nearest first and keep one only if it is closer to the base than to every one
    /// already kept, so links spread in all directions instead of clustering.
    ///
    /// Copies of the base (within `metric.copyDistances` of it) are the exception. The rule
    /// cannot prune them (a copy is exactly as close to every other copy as to the base), so with
    /// many equal vectors every list filled up with copies and lost its links to the rest of the
    /// graph: of 8,000 vectors in 50 groups of equal ones, 7,904 were unreachable from the entry
    /// point and searches returned half the copies. So at most a quarter of a list is copies, a
    /// kept copy prunes nothing (it says nothing about direction), and which copies a list keeps
    /// follows `tieOrder`, not the order they arrived in: keeping the newest, every list dropped
    /// the same old copies until nothing linked to them.
    func selectNeighbors(_ candidates: [Neighbor], maximum: Int, base: UInt32, view: GraphView) -> [Neighbor] {
        guard candidates.count > maximum else { return candidates }
        let copies = metric.copyDistances(selfDistance: metric == .dot ? view.distance(between: base, base) : 0)
        var selected: [Neighbor] = []
        selected.reserveCapacity(maximum)
        for candidate in candidates where copies.contains(candidate.distance) { selected.append(candidate) }
        let duplicateLimit = max(1, maximum / 4)
        if selected.count > duplicateLimit {
            selected.sort { Self.tieOrder(base, $0.id) < Self.tieOrder(base, $1.id) }
            selected.removeLast(selected.count - duplicateLimit)
        }
        let duplicates = selected.count
        for candidate in candidates where !copies.contains(candidate.distance) {
            if selected.count >= maximum { break }
            var keep = true
            for chosen in selected[duplicates...] where view.distance(between: candidate.id, chosen.id) < candidate.distance {
                keep = false
                break
            }
            if keep { selected.append(candidate) }
        }
        return selected
    }

    /// An order among copies that differs from list to list, so which copies a list keeps is
    /// spread over all of them instead of always the newest (or oldest).
    @inline(__always) static func tieOrder(_ base: UInt32, _ id: UInt32) -> UInt64 {
        var mixed = (UInt64(base) << 32 | UInt64(id)) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        mixed = mixed &* 0xBF58_476D_1CE4_E5B9
        return mixed ^ (mixed >> 32)
    }

    /// Writes `id`'s links at `level` and adds `id` to each neighbour's list, re-selecting a full
    /// list with the heuristic.
    private func connect(_ id: UInt32, to neighbors: [Neighbor], level: Int, graph: HNSWGraph, view: GraphView) {
        graph.lock(id)
        let own = view.links(id, level: level)
        // A concurrent insert may already have linked to `id` at this level (it found the node
        // through a higher layer before this one was connected): keep those links too.
        var ownLinks = neighbors
        let existing = Int(own[0])
        if existing > 0 {
            for index in 0..<existing where !ownLinks.contains(where: { $0.id == own[1 + index] }) {
                ownLinks.append(Neighbor(distance: view.distance(between: id, own[1 + index]), id: own[1 + index]))
            }
            if ownLinks.count > view.maxLinks(level: level) {
                ownLinks.sort { $0.distance < $1.distance }
                ownLinks = selectNeighbors(ownLinks, maximum: view.maxLinks(level: level), base: id, view: view)
            }
        }
        for (offset, neighbor) in ownLinks.enumerated() { weft_store_u32(own + 1 + offset, neighbor.id) }
        weft_store_u32(own, UInt32(ownLinks.count))
        commitLog?.appendReplaceLinks(id: id, level: UInt8(level), targets: UnsafeBufferPointer(start: own + 1, count: ownLinks.count))
        graph.unlock(id)

        let maximum = view.maxLinks(level: level)
        for neighbor in neighbors {
            graph.lock(neighbor.id)
            let list = view.links(neighbor.id, level: level)
            let count = Int(list[0])
            // Two nodes inserted at the same time can select each other: each then already holds
            // the other, and a second copy would waste a link slot (hnswlib checks the same).
            var alreadyLinked = false
            for index in 0..<count where list[1 + index] == id {
                alreadyLinked = true
                break
            }
            if alreadyLinked {
                graph.unlock(neighbor.id)
                continue
            }
            if count < maximum {
                weft_store_u32(list + 1 + count, id)
                weft_store_u32(list, UInt32(count + 1))
                commitLog?.append(.addLink(id: neighbor.id, level: UInt8(level), target: id))
            } else {
                var candidates: [Neighbor] = [Neighbor(distance: neighbor.distance, id: id)]
                candidates.reserveCapacity(count + 1)
                for index in 0..<count {
                    let other = list[1 + index]
                    candidates.append(Neighbor(distance: view.distance(between: neighbor.id, other), id: other))
                }
                candidates.sort { $0.distance < $1.distance }
                let kept = selectNeighbors(candidates, maximum: maximum, base: neighbor.id, view: view)
                for (offset, keptNeighbor) in kept.enumerated() { weft_store_u32(list + 1 + offset, keptNeighbor.id) }
                weft_store_u32(list, UInt32(kept.count))
                commitLog?.appendReplaceLinks(id: neighbor.id, level: UInt8(level), targets: UnsafeBufferPointer(start: list + 1, count: kept.count))
            }
            graph.unlock(neighbor.id)
        }
    }
}
